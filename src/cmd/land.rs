//! `mujun land`: the land bureau's checks. Reads the land rule file, the evaluation rules it
//! names (tax basket, land modes), the year's data with the 标准地 table; writes the land
//! workbook and prints a summary in Chinese.

use crate::ingest::{self, Tally};
use crate::land::{self, LandRun};
use crate::rules::{Purpose, Source};

/// The console summary, one line per entry (shared with the workbench's 土地核查 page).
pub use land::job::summary;

/// `mujun land`'s options.
#[derive(clap::Args, Debug)]
#[command(
    help_template = super::HELP_TEMPLATE,
    next_help_heading = "选项",
    mut_arg("rules", |a| a.help(super::args::rules_help(
        "土地核查规则（控制指标、违约金比例、闲置土地认定、评价日）",
        Purpose::Land
    ))),
    mut_arg("data", |a| a.help("数据目录或文件（可多个），须含标准地表和用地表"))
)]
pub struct Args {
    /// `--rules` (a land scheme), `--data`, `--exclude`.
    #[command(flatten)]
    pub inputs: super::args::Inputs,
    /// `--out`.
    #[command(flatten)]
    pub output: super::args::Output,
    /// 评价日（如 2025-12-31），不填则用规则文件中的 evaluation.date
    #[arg(long, value_name = "日期", value_parser = parse_date_arg)]
    pub date: Option<i32>,
    /// 评价规则（税收口径、用地方式系数）：内置方案名或规则文件的路径，不填则用土地规则文件中的 evaluation.evaluation_rules
    #[arg(long, value_name = "规则", value_parser = Source::parse)]
    pub evaluation_rules: Option<Source>,
    /// 输入有错误时仍以0退出（结果照常写出）
    #[arg(long)]
    pub allow_errors: bool,
}

fn parse_date_arg(s: &str) -> Result<i32, String> {
    match ingest::values::parse_date(s) {
        Ok(Some(d)) => Ok(d),
        _ => Err(format!("「{s}」不是有效日期，应写成 2025-12-31")),
    }
}

/// Run the land checks, publish the land workbook, print the summary.
pub fn run(a: &Args) -> Result<(), crate::Error> {
    let (run, path) = execute(a)?;
    for line in summary(&run) {
        crate::outln!("{line}");
    }
    crate::outln!("结果已写入：{}", path.display());
    let errors = Tally::of(&run.problems).errors;
    if errors > 0 {
        for p in run.problems.iter().filter(|p| p.severity == ingest::Severity::Error).take(10) {
            crate::errln!("{p}");
        }
        if !a.allow_errors {
            return Err(crate::Error::InputErrors(errors));
        }
    }
    Ok(())
}

/// Run the land checks and publish the land workbook in `a.output.out`: the checks and the
/// published workbook's path ([`land::job::execute`], which the workbench calls too).
pub fn execute(a: &Args) -> Result<(LandRun, std::path::PathBuf), crate::Error> {
    land::job::execute(&job(a))
}

/// The land run the options ask for.
pub fn job(a: &Args) -> land::job::Job {
    land::job::Job {
        rules: a.inputs.rules.source(Purpose::Land),
        date: a.date,
        evaluation_rules: a.evaluation_rules.clone(),
        data: a.inputs.data.clone(),
        exclude: a.inputs.exclude.clone(),
        out: a.output.out.clone(),
    }
}
