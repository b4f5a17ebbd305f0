//! One land run from start to published workbook, as `mujun land` and the workbench's 土地核查
//! page both do it: read the land rule file and the evaluation rules it names, read the data,
//! run the checks, publish the land workbook with its manifest.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{controls, report, Clause, Indicator, Item, LandRun, Status};
use crate::ingest::{self, Tally};
use crate::pipeline::{input_digests, rule_digest};
use crate::publish::{Kind, Sources, Staging};
use crate::rules::{self, Source};

/// What a land run reads and where it publishes.
#[derive(Debug, Clone)]
pub struct Job {
    /// The land rule file (a path or a shipped scheme).
    pub rules: Source,
    /// The evaluation date instead of the rule file's `evaluation.date`.
    pub date: Option<i32>,
    /// The evaluation rules instead of the rule file's `evaluation.evaluation_rules`.
    pub evaluation_rules: Option<Source>,
    /// Data folders or files.
    pub data: Vec<PathBuf>,
    /// Files or sheets not read.
    pub exclude: Vec<String>,
    /// The output folder.
    pub out: PathBuf,
}

/// Run the land checks and publish the land workbook in `job.out`: the checks and the
/// published workbook's path.
pub fn execute(job: &Job) -> Result<(LandRun, PathBuf), crate::Error> {
    let staging = Staging::begin(&job.out, Kind::Land)?;
    let mut land_rules = controls::load(&job.rules)?;
    if let Some(d) = job.date {
        land_rules.date = d;
    }
    if let Some(p) = &job.evaluation_rules {
        land_rules.evaluation_rules = p.clone();
    }
    let eval_rules = rules::load(&land_rules.evaluation_rules)?;
    let opts = ingest::LoadOptions { exclude: job.exclude.clone() };
    let mut ds = ingest::load_with(&job.data, &opts)?;
    if !ds.aux_failures.is_empty() {
        return Err(ds.aux_failures.remove(0).into());
    }
    let rule_files = [rule_digest(&job.rules)?, rule_digest(&land_rules.evaluation_rules)?];
    let run = super::run(land_rules, &eval_rules, ds)?;
    let path = staging.write(|dir| report::write(&run, dir).map_err(crate::Error::from))?;
    let path = staging.final_path(&path);
    staging.commit(Sources {
        rules: rule_files.to_vec(),
        inputs: input_digests(&run.dataset),
        options: Vec::new(),
    })?;
    Ok((run, path))
}

/// The console summary, one line per entry.
pub fn summary(run: &LandRun) -> Vec<String> {
    let r = &run.rules;
    let mut out = Vec::new();
    out.push(format!("{}（评价日 {}）", r.name, super::date_text(r.date)));
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
                Item::Ind(Indicator::Investment),
                Item::Ind(Indicator::FloorAreaRatio),
                Item::Ind(Indicator::Coverage),
                Item::Ind(Indicator::AdminShare),
                Item::Ind(Indicator::GreenRatio),
            ][..],
        ),
        ("达产复核", &[Item::Ind(Indicator::OutputPerMu), Item::Ind(Indicator::TaxPerMu)][..]),
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
    out.push(format!("违约金：{} 个项目，合计 {} 万元", fined.len(), super::fmt_money(fines)));
    for (c, (n, amt)) in by_clause.iter().filter(|(c, _)| **c != Clause::IdleFee) {
        out.push(format!("  {} {n} 项，{} 万元", c.label(), super::fmt_money(*amt)));
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
        super::fmt_money(fee.1)
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
