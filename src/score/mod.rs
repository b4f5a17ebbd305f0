//! Score: who is evaluated (scope, groups), each indicator's value, benchmark and item score,
//! missing-data rules, bonus and deduction. Every step is a polars expression over one frame of
//! enterprises; columns per indicator are `v__{id}` (value), `b__{id}` (benchmark), `s__{id}`
//! (item score).

pub mod assemble;
pub mod events;

use polars::lazy::dsl::sum_horizontal;
use polars::prelude::*;

use crate::rules::{
    Benchmark, CaseKind, Direction, Group, Indicator, Method, Missing, Over, Rules, Stat,
};

pub fn value_col(id: &str) -> String {
    format!("v__{id}")
}
pub fn bench_col(id: &str) -> String {
    format!("b__{id}")
}
pub fn score_col(id: &str) -> String {
    format!("s__{id}")
}

/// Column names of the scored frame besides the enterprise fields.
pub const GROUP: &str = "__group";
/// The group's position in the rules (Int32), beside [`GROUP`]: group tests and partitions by
/// group compare integers, not the id text.
pub const GROUP_INDEX: &str = "__group_index";
pub const ITEMS: &str = "items_total";
pub const BONUS: &str = "bonus";
pub const DEDUCTION: &str = "deduction";
pub const TOTAL: &str = "total";
pub const REWEIGHT: &str = "reweight";

/// Indicator ids of all groups in first-seen order, with the first definition of each.
pub fn all_indicators(rules: &Rules) -> Vec<&Indicator> {
    let mut out: Vec<&Indicator> = Vec::new();
    for g in &rules.groups {
        for i in &g.indicators {
            if !out.iter().any(|x| x.id == i.id) {
                out.push(i);
            }
        }
    }
    out
}

/// Rows of the `i`-th group of the rules.
fn in_group(i: usize) -> Expr {
    col(GROUP_INDEX).eq(lit(i as i32))
}

/// `when(group == g1).then(f(g1, ind)) ...` over the groups that define indicator `id`.
fn per_group(
    rules: &Rules,
    id: &str,
    mut f: impl FnMut(&Group, &Indicator) -> PolarsResult<Expr>,
) -> PolarsResult<Expr> {
    let mut chain: Option<ChainedThen> = None;
    let mut first: Option<Then> = None;
    for (gi, g) in rules.groups.iter().enumerate() {
        if let Some(ind) = g.indicators.iter().find(|i| i.id == id) {
            let e = f(g, ind)?;
            match (first.take(), chain.take()) {
                (None, None) => first = Some(when(in_group(gi)).then(e)),
                (Some(t), None) => chain = Some(t.when(in_group(gi)).then(e)),
                (None, Some(c)) => chain = Some(c.when(in_group(gi)).then(e)),
                (Some(_), Some(_)) => unreachable!("only one of first/chain is set"),
            }
        }
    }
    let null = lit(NULL).cast(DataType::Float64);
    Ok(match (first, chain) {
        (Some(t), None) => t.otherwise(null),
        (None, Some(c)) => c.otherwise(null),
        _ => null,
    })
}

/// Classification of every registered enterprise: `__case` (index of the first matching scope
/// case, -1 for none), `__group` (first matching group id, null for none) and its position in
/// the rules, [`GROUP_INDEX`].
pub fn classify(base: LazyFrame, rules: &Rules) -> LazyFrame {
    let mut case_expr = lit(-1i32);
    for (i, c) in rules.cases.iter().enumerate().rev() {
        case_expr =
            when(c.when.clone().fill_null(lit(false))).then(lit(i as i32)).otherwise(case_expr);
    }
    let mut index = lit(NULL).cast(DataType::Int32);
    for (i, g) in rules.groups.iter().enumerate().rev() {
        index = when(g.when.clone().fill_null(lit(false))).then(lit(i as i32)).otherwise(index);
    }
    let mut group_expr = lit(NULL).cast(DataType::String);
    for (i, g) in rules.groups.iter().enumerate().rev() {
        group_expr = when(in_group(i)).then(lit(g.id.clone())).otherwise(group_expr);
    }
    base.with_columns([case_expr.alias("__case"), index.alias(GROUP_INDEX)])
        .with_column(group_expr.alias(GROUP))
}

/// Indicator values; a non-finite result (zero denominator) counts as missing.
pub fn with_values(lf: LazyFrame, rules: &Rules) -> PolarsResult<LazyFrame> {
    let mut exprs = Vec::new();
    for ind in all_indicators(rules) {
        let v = per_group(rules, &ind.id, |_, i| Ok(i.formula.clone().cast(DataType::Float64)))?;
        let name = value_col(&ind.id);
        exprs.push(
            when(v.clone().is_finite())
                .then(v)
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias(name),
        );
    }
    Ok(lf.with_columns(exprs))
}

/// Reason for not evaluating an enterprise whose indicator with `missing = "not_evaluated"` is
/// missing; null when it is evaluated.
pub fn not_evaluated_reason(rules: &Rules) -> Expr {
    let mut reason = lit(NULL).cast(DataType::String);
    for (gi, g) in rules.groups.iter().enumerate().rev() {
        for ind in g.indicators.iter().rev().filter(|i| i.missing == Missing::NotEvaluated) {
            reason = when(in_group(gi).and(col(value_col(&ind.id)).is_null()))
                .then(lit(ind.missing_reason.clone()))
                .otherwise(reason);
        }
    }
    reason
}

fn partition(over: &Over) -> Option<Vec<Expr>> {
    match over {
        Over::All => None,
        Over::Group => Some(vec![col(GROUP_INDEX)]),
        Over::Field(f) => Some(vec![col(GROUP_INDEX), col(f.as_str())]),
    }
}

fn windowed(e: Expr, over: &Over) -> PolarsResult<Expr> {
    match partition(over) {
        None => Ok(e),
        Some(p) => e.over(p),
    }
}

fn stat_expr(v: Expr, stat: &Stat) -> Expr {
    match stat {
        Stat::Mean => v.mean(),
        Stat::Median => v.median(),
        Stat::Percentile(p) => v.quantile(lit(*p), QuantileMethod::Linear),
        Stat::Max => v.max(),
        Stat::Min => v.min(),
    }
}

/// The population key of a benchmark file row: group id, a field's value, or 全部.
fn over_key(over: &Over) -> Expr {
    match over {
        Over::All => lit("全部"),
        Over::Group => col(GROUP),
        Over::Field(f) => col(f.as_str()).cast(DataType::String),
    }
}

fn benchmark_expr(g: &Group, ind: &Indicator) -> PolarsResult<Expr> {
    let v = col(value_col(&ind.id));
    // Restrict the population to this group's firms (for Over::All, every firm with the value).
    Ok(match &ind.benchmark {
        Benchmark::None => lit(NULL).cast(DataType::Float64),
        Benchmark::Fixed(b) => lit(*b),
        Benchmark::Stat { stat, over, factor } => {
            let _ = g;
            windowed(stat_expr(v, stat), over)? * lit(*factor)
        }
        Benchmark::File { over, factor, values, .. } => {
            let key = over_key(over);
            let mut e = lit(NULL).cast(DataType::Float64);
            for (k, b) in values.iter().rev() {
                e = when(key.clone().eq(lit(k.clone()))).then(lit(*b * *factor)).otherwise(e);
            }
            e
        }
    })
}

/// Raw item score of one indicator for firms that have a value (null otherwise), before caps.
fn raw_score(ind: &Indicator) -> PolarsResult<Expr> {
    let v = col(value_col(&ind.id));
    let b = col(bench_col(&ind.id));
    let w = lit(ind.weight);
    let zero = lit(0.0);
    Ok(match ind.method {
        Method::Ratio => when(b.clone().gt(zero.clone())).then(v.clone() / b * w).otherwise(zero),
        Method::LowerRatio => when(b.clone().gt(zero.clone()))
            .then((lit(2.0) - v.clone() / b) * w / lit(2.0))
            .otherwise(zero),
        Method::MinMax { floor_share } => {
            let mn = windowed(v.clone().min(), &ind.over)?;
            let mx = windowed(v.clone().max(), &ind.over)?;
            let frac = match ind.direction {
                Direction::Higher => (v.clone() - mn.clone()) / (mx.clone() - mn.clone()),
                Direction::Lower => (mx.clone() - v.clone()) / (mx.clone() - mn.clone()),
            };
            when(mx.gt(mn))
                .then(w.clone() * (lit(floor_share) + lit(1.0 - floor_share) * frac))
                .otherwise(w)
        }
    })
}

fn capped(e: Expr, ind: &Indicator) -> Expr {
    let e = when(e.clone().lt(lit(ind.floor))).then(lit(ind.floor)).otherwise(e);
    match ind.cap {
        Some(c) => when(e.clone().gt(lit(c))).then(lit(c)).otherwise(e),
        None => e,
    }
}

/// Benchmarks, item scores (with caps and missing rules), the reweighting factor and the sum of
/// items, for the evaluated frame (only firms with a group and no scope case).
pub fn with_scores(lf: LazyFrame, rules: &Rules) -> PolarsResult<LazyFrame> {
    let inds = all_indicators(rules);
    let mut bench = Vec::new();
    for ind in &inds {
        let e = per_group(rules, &ind.id, benchmark_expr)?;
        bench.push(e.alias(bench_col(&ind.id)));
    }
    let lf = lf.with_columns(bench);

    // Item scores of firms with a value; benchmark per group (group-level min/max via `over`).
    let mut raw = Vec::new();
    for ind in &inds {
        let e = per_group(rules, &ind.id, |_, i| Ok(capped(raw_score(i)?, i)))?;
        let v = col(value_col(&ind.id));
        raw.push(
            when(v.is_not_null())
                .then(e)
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias(score_col(&ind.id)),
        );
    }
    let lf = lf.with_columns(raw);

    // Missing values: zero, the group's mean item score, or left out and reweighted.
    let mut fill = Vec::new();
    for ind in &inds {
        let s = col(score_col(&ind.id));
        let peer = s.clone().mean().over([col(GROUP_INDEX)])?;
        let e = per_group(rules, &ind.id, |_, i| {
            Ok(match i.missing {
                Missing::Zero => s.clone().fill_null(lit(0.0)),
                Missing::PeerMean => s.clone().fill_null(peer.clone().fill_null(lit(0.0))),
                Missing::Reweight | Missing::NotEvaluated => s.clone(),
            })
        })?;
        fill.push(e.alias(score_col(&ind.id)));
    }
    let lf = lf.with_columns(fill);

    // Reweighting factor W / (W − Σ weights of reweighted missing items).
    let mut factor = lit(1.0);
    for (gi, g) in rules.groups.iter().enumerate().rev() {
        let missing_w: Vec<Expr> = g
            .indicators
            .iter()
            .filter(|i| i.missing == Missing::Reweight)
            .map(|i| when(col(value_col(&i.id)).is_null()).then(lit(i.weight)).otherwise(lit(0.0)))
            .collect();
        if missing_w.is_empty() {
            continue;
        }
        let mw = sum_horizontal(missing_w, true)?;
        let w = g.total_weight();
        let f = when(mw.clone().lt(lit(w))).then(lit(w) / (lit(w) - mw)).otherwise(lit(0.0));
        factor = when(in_group(gi)).then(f).otherwise(factor);
    }
    let items: Vec<Expr> = inds.iter().map(|i| col(score_col(&i.id)).fill_null(lit(0.0))).collect();
    let sum = if items.is_empty() { lit(0.0) } else { sum_horizontal(items, true)? };
    Ok(lf.with_columns([factor.alias(REWEIGHT)]).with_column((sum * col(REWEIGHT)).alias(ITEMS)))
}

/// Total score, rounded per the group's tier settings before ranking.
pub fn with_total(lf: LazyFrame, rules: &Rules) -> LazyFrame {
    let raw = col(ITEMS) + col(BONUS) - col(DEDUCTION);
    let mut total = raw.clone().round(2, RoundMode::HalfAwayFromZero);
    for (gi, g) in rules.groups.iter().enumerate().rev() {
        total = when(in_group(gi))
            .then(raw.clone().round(g.tiers.round, RoundMode::HalfAwayFromZero))
            .otherwise(total);
    }
    lf.with_column(total.alias(TOTAL))
}

/// Label of a scope case for the not-evaluated list.
pub fn case_label(kind: CaseKind) -> &'static str {
    kind.label()
}
