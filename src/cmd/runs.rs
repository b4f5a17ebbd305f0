//! `mujun runs`: the runs recorded in the store; `mujun runs notice ID --from D --to D` puts a
//! draft under public notice (公示); `mujun runs finalize ID` makes one the year's official
//! result (定稿).

use crate::store::{local_time, Store};

/// `mujun runs`' options.
#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct Args {
    /// What to do; none lists the runs.
    #[command(subcommand)]
    pub action: Option<Action>,
}

/// `mujun runs notice`, `mujun runs finalize`.
#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// 公示：把一次草稿评价转为公示（名单和结果从此冻结，更正须用 evaluate --corrects 复核）
    Notice {
        /// 评价记录编号（见 mujun runs）
        #[arg(value_name = "编号")]
        id: i64,
        /// 公示开始日期（如 2025-06-01；不写时用规则文件 [notice] from）
        #[arg(long, value_name = "日期", requires = "to")]
        from: Option<String>,
        /// 公示结束日期（含当日；不写时用规则文件 [notice] to）
        #[arg(long, value_name = "日期", requires = "from")]
        to: Option<String>,
    },
    /// 定稿：把一次草稿、公示或复核评价定为该年度、该方案的正式结果（每个年度和方案只能有一个定稿）
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
        Some(Action::Notice { id, from, to }) => {
            let mut store = Store::open_existing(&path)?;
            let planned = store.planned_notice(*id)?;
            let (from, to) = match (from, to, &planned) {
                (Some(f), Some(t), _) => (f.clone(), t.clone()),
                (_, _, Some((f, t))) => (f.clone(), t.clone()),
                _ => {
                    let m = "请用 --from 和 --to 写明公示期（这次评价的规则文件 [notice] 中没有 from、to）";
                    return Err(crate::store::StoreError::Refused(m.into()).into());
                }
            };
            store.put_on_notice(*id, &crate::store::current_user(), &from, &to)?;
            if let Some((f, t)) = planned.filter(|p| *p != (from.clone(), to.clone())) {
                crate::errln!(
                    "注意：公示名单中印的公示期是规则文件中的 {f} 至 {t}，与这里写的不同。"
                );
            }
            let r = store.run(*id)?;
            let (f, t) = r.notice.unwrap_or_default();
            crate::outln!(
                "第 {id} 号评价（{}年度「{}」）已公示，公示期 {f} 至 {t}。",
                r.year,
                r.scheme
            );
            Ok(())
        }
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
            "第 {} 号  {}年度  {}{}  {}  {}（{}）  参评 {} 家，未参评 {} 家；{}；输入文件 {} 个；输出：{}",
            r.id,
            r.year,
            r.status,
            status_note(r),
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

/// The notice period of a 公示 run, the run a 复核 corrects, in brackets.
fn status_note(r: &crate::store::RunSummary) -> String {
    match (&r.notice, r.corrects) {
        (_, Some(c)) => format!("（更正第 {c} 号）"),
        (Some((f, t)), None) => format!("（公示期 {f} 至 {t}）"),
        _ => String::new(),
    }
}
