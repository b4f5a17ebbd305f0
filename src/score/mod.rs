//! Score: who is evaluated (scope, groups), each indicator's value, benchmark and item score,
//! missing-data rules, bonus and deduction. Every step is a polars expression over one frame of
//! enterprises; columns per indicator are `v__{id}` (value), `b__{id}` (benchmark), `s__{id}`
//! (item score) and, for the min–max method, `min__{id}` and `max__{id}` (the population's
//! extremes). Reports read these columns; [`item_score`] is the one formula of an item score,
//! evaluated over columns here and over single numbers by the score cards.

pub mod age;
pub mod assemble;
pub mod events;

use std::ops::{Add, Div, Mul, Sub};

use polars::lazy::dsl::sum_horizontal;
use polars::prelude::*;

use crate::rules::{Benchmark, Direction, Group, Indicator, Method, Missing, Over, Rules, Stat};

/// Column of an indicator's value.
pub fn value_col(id: &str) -> String {
    format!("v__{id}")
}
/// Column of an indicator's benchmark (null for the min–max method).
pub fn bench_col(id: &str) -> String {
    format!("b__{id}")
}
/// Column of an indicator's item score.
pub fn score_col(id: &str) -> String {
    format!("s__{id}")
}
/// Column of the smallest value of a min–max indicator's population (null for other methods).
pub fn min_col(id: &str) -> String {
    format!("min__{id}")
}
/// Column of the largest value of a min–max indicator's population (null for other methods).
pub fn max_col(id: &str) -> String {
    format!("max__{id}")
}

/// Column names of the scored frame besides the enterprise fields.
pub const GROUP: &str = "__group";
/// The group's position in the rules (Int32), beside [`GROUP`]: group tests and partitions by
/// group compare integers, not the id text.
pub const GROUP_INDEX: &str = "__group_index";
/// Sum of the item scores, reweighted.
pub const ITEMS: &str = "items_total";
/// Bonus points of events.
pub const BONUS: &str = "bonus";
/// Deducted points of events.
pub const DEDUCTION: &str = "deduction";
/// Total score, rounded ([`rounded`]).
pub const TOTAL: &str = "total";
/// Reweighting factor of missing items (1 when none).
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

/// The benchmark of one group's indicator. A statistic runs over the population `over` names
/// ([`partition`]): every evaluated firm for 全部, else the firms of the group (and field value);
/// a benchmark file is keyed by [`over_key`].
fn benchmark_expr(_: &Group, ind: &Indicator) -> PolarsResult<Expr> {
    let v = col(value_col(&ind.id));
    Ok(match &ind.benchmark {
        Benchmark::None => lit(NULL).cast(DataType::Float64),
        Benchmark::Fixed(b) => lit(*b),
        Benchmark::Stat { stat, over, factor } => {
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

/// The arithmetic an item score needs, over a column ([`Expr`]) and over one number (`f64`):
/// [`item_score`] is written once against it.
pub trait Arith:
    Clone + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self>
{
    /// A condition: an [`Expr`] for columns, a `bool` for numbers.
    type Cond;
    /// A constant.
    fn num(x: f64) -> Self;
    /// `self > other` (false when either is missing).
    fn gt(&self, other: &Self) -> Self::Cond;
    /// `self < other` (false when either is missing).
    fn lt(&self, other: &Self) -> Self::Cond;
    /// `then` where `cond` holds, else `otherwise`.
    fn pick(cond: Self::Cond, then: Self, otherwise: Self) -> Self;
}

impl Arith for Expr {
    type Cond = Expr;
    fn num(x: f64) -> Self {
        lit(x)
    }
    fn gt(&self, other: &Self) -> Expr {
        self.clone().gt(other.clone())
    }
    fn lt(&self, other: &Self) -> Expr {
        self.clone().lt(other.clone())
    }
    fn pick(cond: Expr, then: Self, otherwise: Self) -> Self {
        when(cond).then(then).otherwise(otherwise)
    }
}

/// Missing numbers are NaN: every comparison with them is false.
impl Arith for f64 {
    type Cond = bool;
    fn num(x: f64) -> Self {
        x
    }
    fn gt(&self, other: &Self) -> bool {
        self > other
    }
    fn lt(&self, other: &Self) -> bool {
        self < other
    }
    fn pick(cond: bool, then: Self, otherwise: Self) -> Self {
        if cond {
            then
        } else {
            otherwise
        }
    }
}

/// What an item score is measured against: the benchmark (ratio methods) or the population's
/// smallest and largest value (min–max).
#[derive(Debug, Clone)]
pub struct Against<T> {
    /// The benchmark value.
    pub bench: T,
    /// The population's smallest value.
    pub min: T,
    /// The population's largest value.
    pub max: T,
}

/// The item score of value `x` of indicator `ind`, floor and cap applied. Min–max keeps the
/// population's extremes fixed and clamps `x` into them (a real value always lies within; the
/// score cards also ask about improved values).
pub fn item_score<T: Arith>(ind: &Indicator, x: T, a: &Against<T>) -> T {
    let (w, zero, one) = (T::num(ind.weight), T::num(0.0), T::num(1.0));
    let (b, mn, mx) = (a.bench.clone(), a.min.clone(), a.max.clone());
    let raw = match ind.method {
        Method::Ratio => T::pick(b.gt(&zero), x / b * w, zero),
        Method::LowerRatio => T::pick(b.gt(&zero), (T::num(2.0) - x / b) * w / T::num(2.0), zero),
        Method::MinMax { floor_share } => {
            let frac = match ind.direction {
                Direction::Higher => (x - mn.clone()) / (mx.clone() - mn.clone()),
                Direction::Lower => (mx.clone() - x) / (mx.clone() - mn.clone()),
            };
            let frac = T::pick(frac.lt(&zero), zero, T::pick(frac.gt(&one), one, frac.clone()));
            let s = w.clone() * (T::num(floor_share) + T::num(1.0 - floor_share) * frac);
            T::pick(mx.gt(&mn), s, w)
        }
    };
    let floor = T::num(ind.floor);
    let e = T::pick(raw.lt(&floor), floor, raw.clone());
    match ind.cap {
        Some(c) => T::pick(e.gt(&T::num(c)), T::num(c), e),
        None => e,
    }
}

/// The min–max population's extremes of one group's indicator (null for other methods).
fn extreme(ind: &Indicator, largest: bool) -> PolarsResult<Expr> {
    let v = col(value_col(&ind.id));
    match ind.method {
        Method::MinMax { .. } => windowed(if largest { v.max() } else { v.min() }, &ind.over),
        _ => Ok(lit(NULL).cast(DataType::Float64)),
    }
}

/// The item score columns of one indicator read: benchmark, min and max.
fn against_cols(id: &str) -> Against<Expr> {
    Against { bench: col(bench_col(id)), min: col(min_col(id)), max: col(max_col(id)) }
}

/// Benchmarks, item scores (with caps and missing rules), the reweighting factor and the sum of
/// items, for the evaluated frame (only firms with a group and no scope case).
pub fn with_scores(lf: LazyFrame, rules: &Rules) -> PolarsResult<LazyFrame> {
    let inds = all_indicators(rules);
    let mut bench = Vec::new();
    for ind in &inds {
        let e = per_group(rules, &ind.id, benchmark_expr)?;
        bench.push(e.alias(bench_col(&ind.id)));
        bench.push(per_group(rules, &ind.id, |_, i| extreme(i, false))?.alias(min_col(&ind.id)));
        bench.push(per_group(rules, &ind.id, |_, i| extreme(i, true))?.alias(max_col(&ind.id)));
    }
    let lf = lf.with_columns(bench);

    // Item scores of firms with a value, against the columns above.
    let mut raw = Vec::new();
    for ind in &inds {
        let at = against_cols(&ind.id);
        let e = per_group(rules, &ind.id, |_, i| Ok(item_score(i, col(value_col(&i.id)), &at)))?;
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

/// The rounding of points (totals and the distances between them): `digits` decimals, halves
/// away from zero. The one place points are rounded.
pub fn rounded(points: Expr, digits: u32) -> Expr {
    points.round(digits, RoundMode::HalfAwayFromZero)
}

/// Total score, rounded per the group's tier settings before ranking.
pub fn with_total(lf: LazyFrame, rules: &Rules) -> LazyFrame {
    let raw = col(ITEMS) + col(BONUS) - col(DEDUCTION);
    let mut total = rounded(raw.clone(), 2);
    for (gi, g) in rules.groups.iter().enumerate().rev() {
        total = when(in_group(gi)).then(rounded(raw.clone(), g.tiers.round)).otherwise(total);
    }
    lf.with_column(total.alias(TOTAL))
}
