//! `mujun check`: validate the year's data against the rules without scoring; write the
//! data-quality workbook and a console summary. Exit 0 with only warnings, 4 with errors.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::ingest::{self, Severity};
use crate::publish::{FileDigest, Kind, Sources, Staging};
use crate::{evaluation, report, rules};

#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct Args {
    /// 规则文件（TOML）
    #[arg(long, value_name = "文件", default_value = "rules/fuling.toml")]
    pub rules: PathBuf,
    /// 数据目录或文件（可多个）
    #[arg(long, value_name = "路径", num_args = 1.., default_value = "samples")]
    pub data: Vec<PathBuf>,
    /// 不读取的文件或工作表（可多次）：文件路径或文件名，或「文件名:工作表名」只排除一个工作表
    #[arg(long, value_name = "文件或工作表")]
    pub exclude: Vec<String>,
    /// 输出目录
    #[arg(long, value_name = "目录", default_value = "out")]
    pub out: PathBuf,
}

pub fn run(a: &Args) -> Result<(), crate::Error> {
    let staging = Staging::begin(&a.out, Kind::Check)?;
    let rules = rules::load(&a.rules)?;
    let ds = ingest::load_with(&a.data, &ingest::LoadOptions { exclude: a.exclude.clone() })?;
    let problems = evaluation::check(&rules, &ds)?;
    let path = staging.write(|dir| {
        report::write_check_workbook(&problems, &ds.reconciliation, rules.meta.year, dir)
            .map_err(crate::Error::from)
    })?;
    let path = staging.final_path(&path);
    staging.commit(Sources {
        rules: vec![FileDigest::of(&a.rules)?],
        inputs: super::input_digests(&ds),
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
    let mut by: BTreeMap<Severity, usize> = BTreeMap::new();
    for p in &problems {
        *by.entry(p.severity).or_default() += 1;
    }
    let errors = by.get(&Severity::Error).copied().unwrap_or(0);
    crate::outln!(
        "问题：错误 {}，警告 {}，提示 {}",
        errors,
        by.get(&Severity::Warning).copied().unwrap_or(0),
        by.get(&Severity::Info).copied().unwrap_or(0)
    );
    for p in problems.iter().filter(|p| p.severity == Severity::Error).take(20) {
        crate::outln!("  {p}");
    }
    crate::outln!("检查结果已写入：{}", path.display());
    if errors > 0 {
        return Err(crate::Error::InputErrors(errors));
    }
    crate::outln!("没有阻止评价的错误，可以运行 evaluate。");
    Ok(())
}
