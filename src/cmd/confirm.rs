//! `mujun confirm`: the 一企一单 workbooks — every enterprise's data, with where each value came
//! from, for the firm to confirm before scoring; one workbook per park, published whole.

use crate::pipeline::{examine, Examined};
use crate::publish::{Kind, Sources, Staging};
use crate::report::confirm;
use crate::rules::Purpose;

/// `mujun confirm`'s options.
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

/// Read the year's data, write one 一企一单 workbook per park, print where.
pub fn run(a: &Args) -> Result<(), crate::Error> {
    let staging = Staging::begin(&a.output.out, Kind::Confirm)?;
    let source = a.inputs.rules.source(Purpose::Evaluation);
    let Examined { rules, ds, .. } = examine(&source, &a.inputs.data, &a.inputs.exclude)?;
    let paths =
        staging.write(|dir| confirm::write_all(&rules, &ds, dir).map_err(crate::Error::from))?;
    let published: Vec<_> = paths.iter().map(|(_, p)| staging.final_path(p)).collect();
    staging.commit(Sources {
        rules: vec![crate::pipeline::rule_digest(&source)?],
        inputs: crate::pipeline::input_digests(&ds),
        options: Vec::new(),
    })?;
    let firms = ds.table(crate::ingest::schema::TableKind::Register).height();
    crate::outln!("一企一单已写入（{} 个园区，企业名录 {firms} 行）：", published.len());
    for p in &published {
        crate::outln!("  {}", p.display());
    }
    Ok(())
}
