//! `mujun explain <统一社会信用代码|企业名称>`: evaluate, then print one enterprise's score card
//! (the same numbers as the 评价明细 sheet) in the terminal.

use std::path::PathBuf;

use crate::report::{self, card, Analysis};
use crate::rules::Purpose;
use crate::{evaluation, rules};

/// `mujun explain`'s options.
#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct Args {
    /// 统一社会信用代码，或企业名称（完整名称或名称中唯一的一部分）
    #[arg(value_name = "统一社会信用代码|企业名称")]
    pub query: String,
    /// `--rules`, `--data`, `--exclude`.
    #[command(flatten)]
    pub inputs: super::args::Inputs,
    /// 上年评价结果（结果工作簿 .xlsx 或结果 CSV），显示上年等级
    #[arg(long, value_name = "文件")]
    pub previous: Option<PathBuf>,
}

/// Evaluate the year and print the enterprise's score card.
pub fn run(a: &Args) -> Result<(), crate::Error> {
    let rules = rules::load(&a.inputs.rules.source(Purpose::Evaluation))?;
    let ds = a.inputs.read()?;
    let ev = evaluation::run(rules, ds)?;
    let previous = match &a.previous {
        Some(p) => Some(report::read_previous(p, &ev)?),
        None => None,
    };
    let an = Analysis::build(&ev, previous)
        .map_err(|source| report::ReportError::Data { sheet: "评价明细", source })?;
    let found = card::find(&an, &a.query)?;
    crate::console::out(&card::text(&an, found));
    Ok(())
}
