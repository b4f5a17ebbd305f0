//! `mujun check`: validate the year's data against the rules without scoring; write the
//! data-quality workbook and a console summary. Exit 0 with only warnings, 4 with errors.

use crate::ingest::{Severity, Tally};
use crate::pipeline::{examine, Examined};
use crate::publish::{Kind, Sources, Staging};
use crate::report;
use crate::rules::Purpose;

/// `mujun check`'s options.
#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct Args {
    /// `--rules`, `--data`, `--exclude`.
    #[command(flatten)]
    pub inputs: super::args::Inputs,
    /// `--out`.
    #[command(flatten)]
    pub output: super::args::Output,
}

/// Check the data and rules, write the data-quality workbook, print the accounting.
pub fn run(a: &Args) -> Result<(), crate::Error> {
    let staging = Staging::begin(&a.output.out, Kind::Check)?;
    let source = a.inputs.rules.source(Purpose::Evaluation);
    let Examined { rules, ds, problems } = examine(&source, &a.inputs.data, &a.inputs.exclude)?;
    let path = staging.write(|dir| {
        report::write_check_workbook(&problems, &ds.reconciliation, rules.meta.year, dir)
            .map_err(crate::Error::from)
    })?;
    let path = staging.final_path(&path);
    staging.commit(Sources {
        rules: vec![crate::pipeline::rule_digest(&source)?],
        inputs: crate::pipeline::input_digests(&ds),
        options: Vec::new(),
    })?;

    crate::outln!("数据核对（读取行数 = 采用 + 跳过 + 拒收）：");
    for r in &ds.reconciliation {
        let sheet = if r.sheet.is_empty() {
            String::new()
        } else {
            format!("「{}」", crate::console::escape(&r.sheet))
        };
        crate::outln!(
            "  {}{sheet} → {}：读取 {}，采用 {}，跳过 {}，拒收 {}",
            crate::console::escape(&r.file),
            r.table,
            r.read,
            r.used,
            r.skipped,
            r.rejected
        );
    }
    let tally = Tally::of(&problems);
    crate::outln!("问题：{}", tally.text());
    for p in problems.iter().filter(|p| p.severity == Severity::Error).take(20) {
        crate::outln!("  {p}");
    }
    crate::outln!("检查结果已写入：{}", path.display());
    if tally.errors > 0 {
        return Err(crate::Error::InputErrors(tally.errors));
    }
    crate::outln!("没有阻止评价的错误，可以运行 evaluate。");
    Ok(())
}
