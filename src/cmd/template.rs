//! `mujun template`: blank input workbooks with the standard headers.

use std::path::PathBuf;

use crate::publish::{FileDigest, Kind, Sources, Staging};
use crate::report::template::write_templates;
use crate::rules;

#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct Args {
    /// 输出目录
    #[arg(long, value_name = "目录", default_value = "templates")]
    pub out: PathBuf,
    /// 规则文件（用于“事项”下拉列表和年度）
    #[arg(long, value_name = "文件", default_value = "rules/fuling.toml")]
    pub rules: PathBuf,
    /// 输出目录中已有文件时仍然写入（同名文件被替换，其他文件不动）
    #[arg(long)]
    pub force: bool,
}

pub fn run(a: &Args) -> Result<(), crate::Error> {
    let staging = Staging::begin_fresh(&a.out, Kind::Template, a.force)?;
    let rules = rules::load(&a.rules)?;
    let events: Vec<String> = rules.events.items.iter().map(|e| e.event.clone()).collect();
    staging
        .write(|dir| write_templates(dir, &events, rules.meta.year).map_err(crate::Error::from))?;
    let files =
        staging.commit(Sources { rules: vec![FileDigest::of(&a.rules)?], ..Sources::default() })?;
    crate::outln!("已生成 {} 个空白模板：", files.len());
    for f in files {
        crate::outln!("  {}", f.display());
    }
    Ok(())
}
