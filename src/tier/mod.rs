//! Tier: rank within the ranking population (stable sort with explicit tie-breaks), cut into
//! tiers by quota, threshold or mixed limits, apply veto and downgrade, then manual adjustments.

use polars::prelude::*;
use polars::lazy::dsl::sum_horizontal;

use crate::rules::{Group, Rounding, Rules, TierMethod};
use crate::score::events::{DOWN, VETO};
use crate::score::{GROUP, TOTAL};

pub const RANK: &str = "rank";
pub const POP: &str = "rank_population";
pub const TIER_BY_SCORE: &str = "tier_by_score";
pub const TIER_AFTER_EVENTS: &str = "tier_after_events";
pub const TIER: &str = "tier";

fn limit(share: f64, n: Expr, r: Rounding) -> Expr {
    let x = lit(share) * n.cast(DataType::Float64);
    match r {
        Rounding::Floor => (x + lit(1e-9)).floor(),
        Rounding::Round => x.round(0, RoundMode::HalfAwayFromZero),
        Rounding::Ceil => (x - lit(1e-9)).ceil(),
    }
}

fn bool_i32(e: Expr) -> Expr {
    e.cast(DataType::Int32)
}

/// Tier index (0 = best) from rank, population size and total score.
fn tier_index(method: &TierMethod) -> PolarsResult<Expr> {
    let rank = col(RANK).cast(DataType::Float64);
    let n = col(POP);
    Ok(match method {
        TierMethod::Quota { shares, rounding } => {
            let parts: Vec<Expr> = shares.iter().map(|s| bool_i32(rank.clone().gt(limit(*s, n.clone(), *rounding)))).collect();
            sum_horizontal(parts, true)?
        }
        TierMethod::Threshold { mins } => {
            let parts: Vec<Expr> = mins.iter().map(|m| bool_i32(col(TOTAL).lt(lit(*m)))).collect();
            sum_horizontal(parts, true)?
        }
        TierMethod::Mixed { mins, max_share, min_share, rounding } => {
            let parts: Vec<Expr> = mins.iter().map(|m| bool_i32(col(TOTAL).lt(lit(*m)))).collect();
            let mut idx = sum_horizontal(parts, true)?;
            // At most `s` of the population in tier i or better: beyond that rank, tier i + 1.
            for (i, s) in max_share {
                let i = *i as i32;
                idx = when(idx.clone().lt_eq(lit(i)).and(rank.clone().gt(limit(*s, n.clone(), *rounding))))
                    .then(lit(i + 1))
                    .otherwise(idx);
            }
            // At least `s` of the population in tier i or worse: the bottom ranks, rounded up.
            for (i, s) in min_share {
                let i = *i as i32;
                let bottom = n.clone().cast(DataType::Float64) - limit(*s, n.clone(), Rounding::Ceil);
                idx = when(idx.clone().lt(lit(i)).and(rank.clone().gt(bottom))).then(lit(i)).otherwise(idx);
            }
            idx
        }
    })
}

fn label_expr(idx: Expr, labels: &[String]) -> Expr {
    let mut e = lit(NULL).cast(DataType::String);
    for (i, l) in labels.iter().enumerate().rev() {
        e = when(idx.clone().eq(lit(i as i32))).then(lit(l.clone())).otherwise(e);
    }
    e
}

/// Rank and tier one group's scored firms.
fn tier_group(lf: LazyFrame, g: &Group) -> PolarsResult<LazyFrame> {
    let t = &g.tiers;
    let part: Vec<String> = t.rank_within.iter().map(|k| if k == "group" { GROUP.to_string() } else { k.clone() }).collect();
    let mut by: Vec<Expr> = part.iter().map(|p| col(p.as_str())).collect();
    let mut desc: Vec<bool> = vec![false; by.len()];
    by.push(col(TOTAL));
    desc.push(true);
    for tb in &t.tie_break {
        by.push(col(tb.column.as_str()));
        desc.push(tb.descending);
    }
    by.push(col("code"));
    desc.push(false);
    let sorted = lf.filter(col(GROUP).eq(lit(g.id.clone()))).sort_by_exprs(
        by,
        SortMultipleOptions::default().with_order_descending_multi(desc).with_nulls_last(true).with_maintain_order(true),
    );
    let part_exprs: Vec<Expr> = part.iter().map(|p| col(p.as_str())).collect();
    let rank = (int_range(lit(0), len(), 1, DataType::Int64) + lit(1)).over(part_exprs.clone())?;
    let pop = len().cast(DataType::Int64).over(part_exprs)?;
    let last = (t.labels.len() - 1) as i32;
    let with_rank = sorted.with_columns([rank.alias(RANK), pop.alias(POP)]);
    let idx = tier_index(&t.method)?;
    let after = when(col(VETO).fill_null(lit(false)))
        .then(lit(last))
        .otherwise(
            {
                let d = col("__idx") + col(DOWN).fill_null(lit(0));
                when(d.clone().gt(lit(last))).then(lit(last)).otherwise(d)
            },
        );
    Ok(with_rank
        .with_column(idx.cast(DataType::Int32).alias("__idx"))
        .with_columns([label_expr(col("__idx"), &t.labels).alias(TIER_BY_SCORE), label_expr(after, &t.labels).alias(TIER_AFTER_EVENTS)]))
}

/// Rank and tier every group; groups come out in rule order, each sorted by its ranking.
pub fn tier_all(scored: LazyFrame, rules: &Rules) -> PolarsResult<LazyFrame> {
    let mut parts = Vec::new();
    for g in &rules.groups {
        parts.push(tier_group(scored.clone(), g)?);
    }
    concat(parts, UnionArgs { rechunk: true, parallel: true, ..Default::default() })
}

/// A manual adjustment (调档) that could not be applied.
pub struct RejectedAdjustment {
    pub src: u32,
    pub row: u32,
    pub code: String,
    pub tier: String,
    pub message: String,
}

/// Apply the 调档 table last: valid rows set `tier`; `adj_tier` and `adj_reason` are kept for the
/// report. Rows naming an enterprise that was not evaluated, or a tier the group does not have,
/// are returned for the problem list.
pub fn apply_adjustments(results: DataFrame, adjust: &DataFrame, rules: &Rules) -> PolarsResult<(DataFrame, Vec<RejectedAdjustment>)> {
    let (a_code, a_tier, a_reason) = (adjust.column("code")?.str()?, adjust.column("adj_tier")?.str()?, adjust.column("adj_reason")?.str()?);
    // The groups of the adjusted enterprises only: the 调档 table is short, the results are not.
    let wanted: PlHashSet<&str> = a_code.iter().flatten().collect();
    let codes = results.column("code")?.str()?;
    let groups = results.column(GROUP)?.str()?;
    let mut group_of: PlHashMap<&str, &str> = PlHashMap::new();
    for (c, g) in codes.iter().zip(groups.iter()) {
        if let (Some(c), Some(g)) = (c, g) {
            if wanted.contains(c) {
                group_of.insert(c, g);
            }
        }
    }
    let (a_src, a_row) = (adjust.column("__src")?.u32()?, adjust.column("__row")?.u32()?);
    let mut keep_code = Vec::new();
    let mut keep_tier = Vec::new();
    let mut keep_reason = Vec::new();
    let mut rejected = Vec::new();
    for i in 0..adjust.height() {
        let code = a_code.get(i).unwrap_or("").to_string();
        let tier = a_tier.get(i).unwrap_or("").trim().to_uppercase();
        let reject = |message: String| RejectedAdjustment { src: a_src.get(i).unwrap_or(0), row: a_row.get(i).unwrap_or(0), code: code.clone(), tier: tier.clone(), message };
        let Some(gid) = group_of.get(code.as_str()) else {
            rejected.push(reject("调档企业不在评价结果中（未参评或不在名录）".into()));
            continue;
        };
        let g = rules.groups.iter().find(|g| g.id == *gid).expect("group ids come from the rules");
        if g.tiers.index_of(&tier).is_none() {
            rejected.push(reject(format!("调整后等级「{tier}」不在等级列表 {:?} 中", g.tiers.labels)));
            continue;
        }
        keep_code.push(code.clone());
        keep_tier.push(tier.clone());
        keep_reason.push(a_reason.get(i).unwrap_or("").to_string());
    }
    drop(group_of);
    let adj = DataFrame::new(
        keep_code.len(),
        vec![
            Column::new("code".into(), keep_code),
            Column::new("adj_tier".into(), keep_tier),
            Column::new("adj_reason".into(), keep_reason),
        ],
    )?;
    let out = results
        .lazy()
        .left_join(adj.lazy(), col("code"), col("code"))
        .with_column(coalesce(&[col("adj_tier"), col(TIER_AFTER_EVENTS)]).alias(TIER))
        .collect()?;
    Ok((out, rejected))
}
