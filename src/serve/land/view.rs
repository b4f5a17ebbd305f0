//! What the 土地核查 page shows of a land run, as `mujun land` found it: each project's status per check, the failed checks with their arithmetic, penalties with
//! their formulas, idle land and the register's conflicts. Nothing is computed here.

use serde::{Deserialize, Serialize};

use crate::land::{self, Item, LandRun, Status};

/// A land run as the page and `/api/land` show it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LandView {
    /// The summary `mujun land` prints, line by line.
    pub summary: Vec<String>,
    /// The check items, in column order.
    pub items: Vec<String>,
    /// One row per 标准地 project.
    pub projects: Vec<ProjectRow>,
    /// Checks not passed (未达标, 数据缺失), with the arithmetic.
    pub findings: Vec<Finding>,
    /// Penalties and idle fees.
    pub penalties: Vec<PenaltyRow>,
    /// Idle land.
    pub idle: Vec<IdleRow>,
    /// Conflicts in the land register.
    pub conflicts: Vec<ConflictRow>,
    /// Problems in the land inputs.
    pub problems: Vec<String>,
}

/// A project and its status per item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProjectRow {
    /// 宗地编号 项目名称.
    pub label: String,
    /// The land user.
    pub holder: String,
    /// Its park.
    pub park: String,
    /// The project's phase (进度).
    pub phase: String,
    /// Status per item, in [`LandView::items`] order ("" when the item has no check).
    pub statuses: Vec<String>,
}

/// A check not passed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    /// The project.
    pub project: String,
    /// The item.
    pub item: String,
    /// 未达标 or 数据缺失.
    pub status: String,
    /// The arithmetic.
    pub calc: String,
    /// The note.
    pub note: String,
}

/// A penalty.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PenaltyRow {
    /// The project.
    pub project: String,
    /// The clause.
    pub clause: String,
    /// The formula with its numbers.
    pub calc: String,
    /// Amount in 万元 ("" when it cannot be priced).
    pub amount: String,
    /// The basis (contract clause, rule).
    pub basis: String,
}

/// Idle land.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdleRow {
    /// The project.
    pub project: String,
    /// Idle since.
    pub since: String,
    /// Days idle.
    pub days: i64,
    /// To be taken back without compensation.
    pub reclaim: bool,
    /// Why it counts as idle.
    pub reason: String,
}

/// A conflict in the register.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConflictRow {
    /// Its kind.
    pub kind: String,
    /// The parcel.
    pub parcel: String,
    /// The enterprises involved.
    pub codes: String,
    /// In words.
    pub message: String,
}

/// The page's view of `run`.
pub fn view(run: &LandRun) -> LandView {
    let label = |i: usize| run.projects.get(i).map(|p| p.label()).unwrap_or_default();
    LandView {
        summary: land::job::summary(run),
        items: Item::ALL.iter().map(|i| i.label().to_string()).collect(),
        projects: (0..run.projects.len()).map(|i| project_row(run, i)).collect(),
        findings: run
            .checks
            .iter()
            .filter(|c| matches!(c.status, Status::Fail | Status::Missing))
            .map(|c| Finding {
                project: label(c.project),
                item: c.item.label().into(),
                status: c.status.label().into(),
                calc: c.calc.clone(),
                note: c.note.clone(),
            })
            .collect(),
        penalties: run
            .penalties
            .iter()
            .map(|p| PenaltyRow {
                project: label(p.project),
                clause: p.clause.label().into(),
                calc: p.calc.clone(),
                amount: p.amount.map(land::fmt_money).unwrap_or_default(),
                basis: p.basis.clone(),
            })
            .collect(),
        idle: idle_rows(run),
        conflicts: run
            .register
            .conflicts
            .iter()
            .map(|c| ConflictRow {
                kind: c.kind.label().into(),
                parcel: c.parcel.clone(),
                codes: c.codes.join("、"),
                message: c.message.clone(),
            })
            .collect(),
        problems: run.problems.iter().map(|p| p.to_string()).collect(),
    }
}

fn project_row(run: &LandRun, i: usize) -> ProjectRow {
    let p = &run.projects[i];
    let status = |item: &Item| {
        run.checks
            .iter()
            .find(|c| c.project == i && c.item == *item)
            .map_or("", |c| c.status.label())
            .to_string()
    };
    ProjectRow {
        label: p.label(),
        holder: p.holder.clone().unwrap_or_default(),
        park: p.park.clone().unwrap_or_default(),
        phase: run.schedules.get(i).map_or("", |s| s.phase).into(),
        statuses: Item::ALL.iter().map(status).collect(),
    }
}

fn idle_rows(run: &LandRun) -> Vec<IdleRow> {
    let label = |i: usize| run.projects.get(i).map(|p| p.label()).unwrap_or_default();
    run.schedules
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.idle.as_ref().map(|x| (i, x)))
        .map(|(i, x)| IdleRow {
            project: label(i),
            since: land::date_text(x.since),
            days: x.days,
            reclaim: x.reclaim,
            reason: x.reason.clone(),
        })
        .collect()
}
