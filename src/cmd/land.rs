//! `mujun land`: the land bureau's checks. Reads the land rule file, the evaluation rules it
//! names (tax basket, land modes), the year's data with the 标准地 table; writes the land
//! workbook and prints a summary in Chinese.

use std::collections::BTreeMap;

use crate::ingest::{self, Tally};
use crate::land::{self, Clause, Item, LandRun, Status};
use crate::publish::{Kind, Sources, Staging};
use crate::rules::{self, Purpose, Source};

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
/// published workbook's path (the command line and the workbench share this).
pub fn execute(a: &Args) -> Result<(LandRun, std::path::PathBuf), crate::Error> {
    let staging = Staging::begin(&a.output.out, Kind::Land)?;
    let source = a.inputs.rules.source(Purpose::Land);
    let mut land_rules = land::controls::load(&source)?;
    if let Some(d) = a.date {
        land_rules.date = d;
    }
    if let Some(p) = &a.evaluation_rules {
        land_rules.evaluation_rules = p.clone();
    }
    let eval_rules = rules::load(&land_rules.evaluation_rules)?;
    let mut ds = a.inputs.read()?;
    if !ds.aux_failures.is_empty() {
        return Err(ds.aux_failures.remove(0).into());
    }
    let rule_files =
        [super::rule_digest(&source)?, super::rule_digest(&land_rules.evaluation_rules)?];
    let run = land::run(land_rules, &eval_rules, ds)?;
    let path = staging.write(|dir| land::report::write(&run, dir).map_err(crate::Error::from))?;
    let path = staging.final_path(&path);
    staging.commit(Sources {
        rules: rule_files.to_vec(),
        inputs: super::input_digests(&run.dataset),
        options: Vec::new(),
    })?;
    Ok((run, path))
}

/// The console summary, one line per entry.
pub fn summary(run: &LandRun) -> Vec<String> {
    let r = &run.rules;
    let mut out = Vec::new();
    out.push(format!("{}（评价日 {}）", r.name, land::date_text(r.date)));
    out.push(format!("税收、产值：{}年度数据，税收口径按「{}」", run.data_year, run.eval_name));
    let recs: Vec<_> = run
        .dataset
        .aux_reconciliation
        .iter()
        .filter(|x| x.table == ingest::schema::AuxKind::StdLand.name())
        .collect();
    let (read, used, skipped, rejected) = recs
        .iter()
        .fold((0, 0, 0, 0), |s, x| (s.0 + x.read, s.1 + x.used, s.2 + x.skipped, s.3 + x.rejected));
    out.push(format!(
        "标准地项目 {} 个（标准地表读取 {read} 行 = 核查 {used} + 跳过 {skipped}（表头、空行、合计） + 拒收 {rejected}）",
        run.projects.len()
    ));

    // Per stage: projects all passing / failing / missing / not due.
    for (stage, items) in [
        (
            "竣工验收",
            &[
                Item::Ind(land::Indicator::Investment),
                Item::Ind(land::Indicator::FloorAreaRatio),
                Item::Ind(land::Indicator::Coverage),
                Item::Ind(land::Indicator::AdminShare),
                Item::Ind(land::Indicator::GreenRatio),
            ][..],
        ),
        (
            "达产复核",
            &[Item::Ind(land::Indicator::OutputPerMu), Item::Ind(land::Indicator::TaxPerMu)][..],
        ),
    ] {
        let mut by: BTreeMap<Status, usize> = BTreeMap::new();
        for i in 0..run.projects.len() {
            let st: Vec<Status> = run
                .checks
                .iter()
                .filter(|c| c.project == i && items.contains(&c.item))
                .map(|c| c.status)
                .collect();
            let s = if st.contains(&Status::Fail) {
                Status::Fail
            } else if st.contains(&Status::NotDue) {
                Status::NotDue
            } else if st.contains(&Status::Missing) {
                Status::Missing
            } else {
                Status::Pass
            };
            *by.entry(s).or_default() += 1;
        }
        let g = |s: Status| by.get(&s).copied().unwrap_or(0);
        out.push(format!(
            "{stage}：全部达标 {} 个，有未达标项 {} 个，数据缺失 {} 个，未到期 {} 个",
            g(Status::Pass),
            g(Status::Fail),
            g(Status::Missing),
            g(Status::NotDue)
        ));
    }
    let mut fails: BTreeMap<Item, usize> = BTreeMap::new();
    for c in run.checks.iter().filter(|c| c.status == Status::Fail) {
        *fails.entry(c.item).or_default() += 1;
    }
    if !fails.is_empty() {
        let parts: Vec<String> = fails.iter().map(|(i, n)| format!("{} {n}", i.label())).collect();
        out.push(format!("  未达标项目数：{}", parts.join("，")));
    }

    let mut by_clause: BTreeMap<Clause, (usize, f64)> = BTreeMap::new();
    let mut unpriced = 0;
    for p in &run.penalties {
        let e = by_clause.entry(p.clause).or_default();
        e.0 += 1;
        e.1 += p.amount.unwrap_or(0.0);
        if p.amount.is_none() {
            unpriced += 1;
        }
    }
    let fines: f64 =
        run.penalties.iter().filter(|p| p.clause != Clause::IdleFee).filter_map(|p| p.amount).sum();
    let fined: std::collections::BTreeSet<usize> =
        run.penalties.iter().filter(|p| p.clause != Clause::IdleFee).map(|p| p.project).collect();
    out.push(format!("违约金：{} 个项目，合计 {} 万元", fined.len(), land::fmt_money(fines)));
    for (c, (n, amt)) in by_clause.iter().filter(|(c, _)| **c != Clause::IdleFee) {
        out.push(format!("  {} {n} 项，{} 万元", c.label(), land::fmt_money(*amt)));
    }
    if unpriced > 0 {
        out.push(format!("  另有 {unpriced} 项缺少出让价款，无法测算"));
    }
    let idle: Vec<_> = run.schedules.iter().filter_map(|s| s.idle.as_ref()).collect();
    let reclaim = idle.iter().filter(|x| x.reclaim).count();
    let fee = by_clause.get(&Clause::IdleFee).copied().unwrap_or((0, 0.0));
    out.push(format!(
        "闲置土地：{} 宗（征收闲置费 {} 宗，合计 {} 万元；应无偿收回 {reclaim} 宗）",
        idle.len(),
        idle.len() - reclaim,
        land::fmt_money(fee.1)
    ));
    let unknown = run.schedules.iter().filter(|s| s.idle_unknown.is_some()).count();
    if unknown > 0 {
        out.push(format!("  另有 {unknown} 宗数据不全，无法认定是否闲置"));
    }
    let reg = &run.register;
    out.push(format!(
        "用地台账：企业 {} 家，用地记录 {} 行；冲突 {} 项",
        reg.enterprises.len(),
        reg.parcels.len(),
        reg.conflicts.len()
    ));
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &reg.conflicts {
        *kinds.entry(c.kind.label()).or_default() += 1;
    }
    if !kinds.is_empty() {
        let parts: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        out.push(format!("  {}", parts.join("，")));
    }
    out.extend(Tally::of(&run.problems).summary_line());
    out
}
