//! `mujun template`: blank input workbooks with the standard headers.

use crate::publish::{Kind, Sources, Staging};
use crate::report::template::write_templates;
use crate::rules::{self, Purpose};

/// `mujun template`'s options.
#[derive(clap::Args, Debug)]
#[command(
    help_template = super::HELP_TEMPLATE,
    next_help_heading = "选项",
    mut_arg("out", |a| a.default_value("templates")),
    mut_arg("rules", |a| a.help(super::args::rules_help("规则（用于“事项”下拉列表和年度）", Purpose::Evaluation)))
)]
pub struct Args {
    /// `--out`.
    #[command(flatten)]
    pub output: super::args::Output,
    /// `--rules`.
    #[command(flatten)]
    pub rules: super::args::RulesOption,
    /// 输出目录中已有文件时仍然写入（同名文件被替换，其他文件不动）
    #[arg(long)]
    pub force: bool,
}

/// Write the blank templates.
pub fn run(a: &Args) -> Result<(), crate::Error> {
    let staging = Staging::begin_fresh(&a.output.out, Kind::Template, a.force)?;
    let source = a.rules.source(Purpose::Evaluation);
    let rules = rules::load(&source)?;
    let events: Vec<String> = rules.events.items.iter().map(|e| e.event.clone()).collect();
    staging
        .write(|dir| write_templates(dir, &events, rules.meta.year).map_err(crate::Error::from))?;
    let files = staging.commit(Sources {
        rules: vec![crate::pipeline::rule_digest(&source)?],
        ..Sources::default()
    })?;
    crate::outln!("已生成 {} 个空白模板：", files.len());
    for f in files {
        crate::outln!("  {}", f.display());
    }
    Ok(())
}
