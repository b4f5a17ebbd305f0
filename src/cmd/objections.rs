//! `mujun objections import FILE --run N`: the objections (异议) received against a run under
//! notice, from a table, checked cell by cell and recorded all or none; `mujun objections decide
//! ID --run N --decision 采纳 --reason …` decides one; `mujun objections list --run N` lists them.

use std::path::PathBuf;

use crate::review::objections::{self, Against};
use crate::store::{Store, StoreError};

/// `mujun objections`' options.
#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// `import`, `list`.
#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// 导入：从异议表（CSV 或 Excel，每条异议一行）记入一次公示中的评价的异议（有一处不对则一条也不记）
    Import {
        /// 异议表文件
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 异议针对的评价记录编号（须已公示）
        #[arg(long, value_name = "编号")]
        run: i64,
    },
    /// 处理：给一条已记录的异议写明处理结果和理由（复核之前）
    Decide {
        /// 异议编号（见 objections list）
        #[arg(value_name = "异议编号")]
        id: i64,
        /// 异议针对的评价记录编号
        #[arg(long, value_name = "编号")]
        run: i64,
        /// 采纳、不采纳或部分采纳
        #[arg(long, value_name = "处理结果")]
        decision: String,
        /// 理由
        #[arg(long, value_name = "理由")]
        reason: String,
    },
    /// 列出：一次评价已记录的异议
    List {
        /// 评价记录编号
        #[arg(long, value_name = "编号")]
        run: i64,
    },
}

/// Run `mujun objections`.
pub fn run(a: &Args, opt: &super::store::StoreOption) -> Result<(), crate::Error> {
    let mut store = Store::open_existing(&opt.require()?)?;
    match &a.action {
        Action::Import { file, run } => import(&mut store, file, *run),
        Action::List { run } => list(&store, *run),
        Action::Decide { id, run, decision, reason } => {
            let user = crate::store::current_user();
            store.decide_objection(*run, *id, decision, reason, &user)?;
            crate::outln!("第 {run} 号评价的第 {id} 号异议：{decision}。");
            Ok(())
        }
    }
}

fn import(store: &mut Store, file: &std::path::Path, id: i64) -> Result<(), crate::Error> {
    let r = store.run(id)?;
    let Some((_, end)) = r.notice.clone() else {
        let message = format!("的状态是{}，还没有公示，不能记录异议", r.status);
        return Err(StoreError::Status { id, message }.into());
    };
    let codes = store.codes_of_run(id, None)?;
    let known = |code: &str| codes.contains(code);
    let list = objections::read(file, &Against { known: &known, notice_end: Some(&end) })?;
    let source = file.display().to_string();
    store.record_objections(id, &list, &crate::store::current_user(), &source)?;
    let late = list.iter().filter(|o| o.late).count();
    crate::outln!("已记入第 {id} 号评价的异议 {} 条（来自 {}）。", list.len(), file.display());
    if late > 0 {
        crate::outln!("其中 {late} 条在公示期（至 {end}）结束后收到，已标记“逾期”。");
    }
    Ok(())
}

fn list(store: &Store, id: i64) -> Result<(), crate::Error> {
    let all = store.objections(id, None)?;
    crate::outln!("第 {id} 号评价的异议 {} 条", all.len());
    let esc = |s: &str| crate::console::escape(s).into_owned();
    for s in &all {
        let o = &s.objection;
        let claim = match (&o.table, &o.field) {
            (Some(t), Some(f)) => {
                let row = o.row_key.as_deref().map(|k| format!("（{k}）")).unwrap_or_default();
                format!("更正 {t}{row}「{f}」为 {}", esc(o.value.as_deref().unwrap_or("")))
            }
            _ => "不涉及数据更正".into(),
        };
        crate::outln!(
            "{}. {} {} {}收到 {}{}：{}；{}",
            s.id,
            o.code,
            esc(&s.name),
            o.received,
            o.kind,
            if o.late { "（逾期）" } else { "" },
            claim,
            match &o.decision {
                Some(d) => format!("{d}（{}）", esc(&o.reason)),
                None => "待处理".into(),
            }
        );
    }
    Ok(())
}
