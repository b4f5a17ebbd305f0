//! `mujun runs`: the runs recorded in the store; `mujun runs finalize ID` makes one the year's
//! official result (定稿).

use crate::store::{local_time, Store};

/// `mujun runs`' options.
#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct Args {
    /// What to do; none lists the runs.
    #[command(subcommand)]
    pub action: Option<Action>,
}

/// `mujun runs finalize`.
#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// 定稿：把一次草稿评价定为该年度、该方案的正式结果（每个年度和方案只能有一个定稿）
    Finalize {
        /// 评价记录编号（见 mujun runs）
        #[arg(value_name = "编号")]
        id: i64,
    },
}

/// Run `mujun runs`.
pub fn run(a: &Args, opt: &super::store::StoreOption) -> Result<(), crate::Error> {
    let path = opt.require()?;
    match &a.action {
        None => list(&Store::open_existing(&path)?),
        Some(Action::Finalize { id }) => {
            let mut store = Store::open_existing(&path)?;
            store.finalize(*id, &crate::store::current_user())?;
            let r = store.run(*id)?;
            crate::outln!("第 {id} 号评价（{}年度「{}」）已定稿。", r.year, r.scheme);
            Ok(())
        }
    }
}

fn list(store: &Store) -> Result<(), crate::Error> {
    let runs = store.runs()?;
    crate::outln!("数据库：{}，评价记录 {} 次", store.path().display(), runs.len());
    for r in &runs {
        crate::outln!(
            "第 {} 号  {}年度  {}  {}  {}（{}）  参评 {} 家，未参评 {} 家；{}；输入文件 {} 个；输出：{}",
            r.id,
            r.year,
            r.status,
            crate::console::escape(&r.scheme),
            local_time(&r.finished_at),
            crate::console::escape(&r.user),
            r.evaluated,
            r.not_evaluated,
            r.tier_counts,
            r.inputs,
            crate::console::escape(&r.out_dir),
        );
    }
    Ok(())
}
