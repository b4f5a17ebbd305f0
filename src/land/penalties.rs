//! Contract penalties (国有建设用地使用权出让合同示范文本) and the idle-land fee, each with its
//! formula written out with the numbers:
//! - investment short: 出让价款 × (约定投资总额 − 实际投资) ÷ 约定投资总额, 约定投资总额 = 约定投资强度 ×
//!   出让面积;
//! - 容积率 or 建筑系数 below the minimum: 出让价款 × (最低值 − 实际值) ÷ 最低值;
//! - late start or completion: 出让价款 × 每日‰ × 迟延天数 (to the evaluation date when still
//!   pending);
//! - idle land (闲置满期限、未到收回年限): 出让价款 × 闲置费比例.
//!
//! The minimum in a contract clause is the contract's value (约定…); when the contract leaves it
//! blank, the control value applies (the control indicators are part of the 规划条件 of every
//! industrial land sale). Clauses apply only once the 竣工验收 is due.

use super::checks::{Check, Item, Schedule, Status};
use super::controls::{Indicator, LandRules};
use super::{fmt_money, fmt_num, fmt_pct, Project};

/// The contract clause (or idle-land rule) a penalty is charged under; the 条款 column of sheet
/// 违约金测算. The order is the order of a project's penalties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Clause {
    /// 实际投资 below the agreed total (约定投资强度 × 出让面积).
    InvestmentShort,
    /// 容积率 below the contract's (else the control) minimum.
    FarShort,
    /// 建筑系数 below the contract's (else the control) minimum.
    CoverageShort,
    /// Started after 约定开工日期: `[penalties] late_start_permille` per day.
    LateStart,
    /// Completed after 约定竣工日期: `[penalties] late_completion_permille` per day.
    LateCompletion,
    /// Idle land not yet to be reclaimed: `[idle] fee_share` of the land price.
    IdleFee,
}

impl Clause {
    /// The Chinese name in the 条款 column.
    pub fn label(self) -> &'static str {
        match self {
            Clause::InvestmentShort => "投资强度不足",
            Clause::FarShort => "容积率低于约定",
            Clause::CoverageShort => "建筑系数低于约定",
            Clause::LateStart => "延期开工",
            Clause::LateCompletion => "延期竣工",
            Clause::IdleFee => "土地闲置费",
        }
    }
    /// 违约金 (contract) or 闲置费 (administrative fee).
    pub fn kind(self) -> &'static str {
        match self {
            Clause::IdleFee => "闲置费",
            _ => "违约金",
        }
    }
    /// The formula in words.
    pub fn formula(self) -> &'static str {
        match self {
            Clause::InvestmentShort => "出让价款 × (约定投资总额 − 实际投资) ÷ 约定投资总额",
            Clause::FarShort => "出让价款 × (约定容积率 − 实际容积率) ÷ 约定容积率",
            Clause::CoverageShort => "出让价款 × (约定建筑系数 − 实际建筑系数) ÷ 约定建筑系数",
            Clause::LateStart | Clause::LateCompletion => "出让价款 × 每日违约金比例 × 迟延天数",
            Clause::IdleFee => "出让价款 × 闲置费比例",
        }
    }
}

/// One penalty or idle fee of one project, with its arithmetic.
#[derive(Debug, Clone)]
pub struct Penalty {
    /// Index into [`LandRun::projects`](super::LandRun::projects).
    pub project: usize,
    /// The clause it is charged under.
    pub clause: Clause,
    /// The formula with the numbers, e.g. "1200.00 × (3000.00 − 2400.00) ÷ 3000.00 = 240.00".
    pub calc: String,
    /// 万元; None when the land price is missing.
    pub amount: Option<f64>,
    /// Where the numbers come from.
    pub basis: String,
}

/// Minus sign and operators as printed in formulas.
const MINUS: &str = "−";

/// Every penalty of every project, in project order then clause order.
pub fn all(
    projects: &[Project],
    schedules: &[Schedule],
    checks: &[Check],
    r: &LandRules,
) -> Vec<Penalty> {
    let mut out = Vec::new();
    for (i, (p, s)) in projects.iter().zip(schedules).enumerate() {
        let check = |item: Item| checks.iter().find(|c| c.project == i && c.item == item);
        let due = s.completion_due == Some(true);
        if due {
            if let Some(c) = check(Item::Ind(Indicator::Investment)) {
                if let Some(pen) = investment(i, p, c) {
                    out.push(pen);
                }
            }
            for (ind, clause) in [
                (Indicator::FloorAreaRatio, Clause::FarShort),
                (Indicator::Coverage, Clause::CoverageShort),
            ] {
                if let Some(c) = check(Item::Ind(ind)) {
                    if let Some(pen) = minimum(i, p, c, ind, clause) {
                        out.push(pen);
                    }
                }
            }
        }
        for (item, clause, permille) in [
            (Item::StartOnTime, Clause::LateStart, r.late_start_permille),
            (Item::CompletionOnTime, Clause::LateCompletion, r.late_completion_permille),
        ] {
            let Some(c) = check(item) else { continue };
            if c.status != Status::Fail || permille <= 0.0 {
                continue;
            }
            let days = c.gap.unwrap_or(0.0).round() as i64;
            let pending =
                if item == Item::StartOnTime { s.start_pending } else { s.completion_pending };
            let basis = format!(
                "每日违约金比例{}‰（规则 penalties.{}）；迟延{days}天{}",
                fmt_permille(permille),
                if item == Item::StartOnTime {
                    "late_start_permille"
                } else {
                    "late_completion_permille"
                },
                if pending {
                    format!(
                        "（截至评价日{}仍未{}）",
                        super::date_text(r.date),
                        if item == Item::StartOnTime { "开工" } else { "竣工" }
                    )
                } else {
                    String::new()
                }
            );
            out.push(match p.price {
                Some(price) => {
                    let amount = price * permille / 1000.0 * days as f64;
                    Penalty {
                        project: i,
                        clause,
                        calc: format!(
                            "{} × {}‰ × {days} = {}",
                            fmt_money(price),
                            fmt_permille(permille),
                            fmt_money(amount)
                        ),
                        amount: Some(amount),
                        basis,
                    }
                }
                None => no_price(i, clause, basis),
            });
        }
        if let Some(idle) = &s.idle {
            if !idle.reclaim {
                let basis = format!(
                    "{}；闲置费比例{}（规则 idle.fee_share，不超过出让价款的20%）",
                    idle.reason,
                    fmt_pct(r.idle.fee_share)
                );
                out.push(match p.price {
                    Some(price) => {
                        let amount = price * r.idle.fee_share;
                        Penalty {
                            project: i,
                            clause: Clause::IdleFee,
                            calc: format!(
                                "{} × {} = {}",
                                fmt_money(price),
                                fmt_pct(r.idle.fee_share),
                                fmt_money(amount)
                            ),
                            amount: Some(amount),
                            basis,
                        }
                    }
                    None => no_price(i, Clause::IdleFee, basis),
                });
            }
        }
    }
    out
}

fn no_price(project: usize, clause: Clause, basis: String) -> Penalty {
    Penalty {
        project, clause, calc: "缺少出让价款，无法测算".into(), amount: None, basis
    }
}

/// A per-mille rate without needless decimals ("1", "0.5").
fn fmt_permille(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// The agreed intensity of a check: the contract's, else the control value; with its source.
fn agreed(c: &Check, ind: Indicator) -> Option<(f64, String)> {
    match (c.contract, &c.control) {
        (Some(k), _) if k > 0.0 => Some((k, "合同约定".into())),
        (_, Some(cv)) if cv.value > 0.0 => {
            Some((cv.value, format!("合同未约定{}，按控制值（{}）", ind.label(), cv.source)))
        }
        _ => None,
    }
}

fn investment(project: usize, p: &Project, c: &Check) -> Option<Penalty> {
    let (k, from) = agreed(c, Indicator::Investment)?;
    let area = p.area_mu.filter(|a| *a > 0.0)?;
    let actual = p.investment?;
    let total = k * area;
    if actual >= total - 1e-9 * total.max(1.0) {
        return None;
    }
    let basis = format!(
        "约定投资总额 = 约定投资强度 {} 万元/亩 × 出让面积 {} 亩 = {} 万元（{from}）",
        fmt_num(k),
        fmt_num(area),
        fmt_num(total)
    );
    Some(match p.price {
        Some(price) => {
            let amount = price * (total - actual) / total;
            Penalty {
                project,
                clause: Clause::InvestmentShort,
                calc: format!(
                    "{} × ({} {MINUS} {}) ÷ {} = {}",
                    fmt_money(price),
                    fmt_money(total),
                    fmt_money(actual),
                    fmt_money(total),
                    fmt_money(amount)
                ),
                amount: Some(amount),
                basis,
            }
        }
        None => no_price(project, Clause::InvestmentShort, basis),
    })
}

fn minimum(
    project: usize,
    p: &Project,
    c: &Check,
    ind: Indicator,
    clause: Clause,
) -> Option<Penalty> {
    let (min, from) = agreed(c, ind)?;
    let actual = c.actual?;
    if actual >= min - 1e-9 * min.max(1.0) {
        return None;
    }
    let shown = |x: f64| if ind.is_share() { fmt_num_share(x) } else { fmt_num(x) };
    let basis = format!("最低{} {}（{from}），实际 {}", ind.label(), shown(min), shown(actual));
    Some(match p.price {
        Some(price) => {
            let amount = price * (min - actual) / min;
            Penalty {
                project,
                clause,
                calc: format!(
                    "{} × ({} {MINUS} {}) ÷ {} = {}",
                    fmt_money(price),
                    shown(min),
                    shown(actual),
                    shown(min),
                    fmt_money(amount)
                ),
                amount: Some(amount),
                basis,
            }
        }
        None => no_price(project, clause, basis),
    })
}

/// A share as a decimal fraction with up to four places (0.3000 → "0.30", 0.2857 → "0.2857").
fn fmt_num_share(x: f64) -> String {
    fmt_num(x)
}
