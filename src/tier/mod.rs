//! Tier: rank within the ranking population (sorted by total, the explicit tie-breaks and last
//! the credit code, which is unique among evaluated firms: the order is total, so no stable sort
//! is needed and runs are deterministic), cut into tiers by quota, threshold or mixed limits,
//! apply veto and downgrade, then manual adjustments. Beside each firm's tier, what the score
//! cards show: its ranking population and the boundaries of the neighbouring tiers.

use polars::lazy::dsl::sum_horizontal;
use polars::prelude::*;

use crate::credit_code;
use crate::rules::{Group, Rounding, Rules, TieBreak, TieKey, TierMethod, Tiers};
use crate::score::events::{DOWN, VETO};
use crate::score::{self, GROUP_INDEX, TOTAL};

/// Rank within the ranking population (1 = best).
pub const RANK: &str = "rank";
/// Size of the ranking population.
pub const POP: &str = "rank_population";
/// The ranking population (group and `rank_within` values) as a number: the results row of its
/// first-ranked firm.
pub const POP_ID: &str = "rank_population_id";
/// Tier by score alone.
pub const TIER_BY_SCORE: &str = "tier_by_score";
/// Tier after veto and downgrade events.
pub const TIER_AFTER_EVENTS: &str = "tier_after_events";
/// Final tier, after manual adjustments.
pub const TIER: &str = "tier";
/// Results row of the last-ranked firm of the next better tier by score in the population.
pub const UP_EDGE: &str = "up_edge_row";
/// Results row of the first-ranked firm of the next lower tier by score in the population.
pub const DOWN_EDGE: &str = "down_edge_row";
/// Points to the total of [`UP_EDGE`] (rounded, not below 0).
pub const UP_BY_EDGE: &str = "up_gap_edge";
/// Points to the next better tier's minimum score (threshold and mixed methods).
pub const UP_BY_LINE: &str = "up_gap_line";
/// Points ahead of the total of [`DOWN_EDGE`] (rounded, not below 0).
pub const DOWN_BY_EDGE: &str = "down_gap_edge";
/// Points ahead of the own tier's minimum score (threshold and mixed methods).
pub const DOWN_BY_LINE: &str = "down_gap_line";
/// The columns [`tier_all`] adds, after [`RANK`] and [`POP`].
const BOUNDARY: [&str; 6] =
    [UP_EDGE, DOWN_EDGE, UP_BY_EDGE, UP_BY_LINE, DOWN_BY_EDGE, DOWN_BY_LINE];
const CODE_HI: &str = "__code_hi";
const CODE_LO: &str = "__code_lo";
/// Row number within the group's ranking.
const LOCAL: &str = "__local";
/// [`LOCAL`] of the population's first-ranked firm.
const POP_FIRST: &str = "__pop_first";

fn limit(share: f64, n: Expr, r: Rounding) -> Expr {
    let x = lit(share) * n.cast(DataType::Float64);
    match r {
        Rounding::Floor => (x + lit(1e-9)).floor(),
        Rounding::Round => x.round(0, RoundMode::HalfAwayFromZero),
        Rounding::Ceil => (x - lit(1e-9)).ceil(),
    }
}

/// The scored frame's column a tie-break compares.
fn tie_column(tb: &TieBreak) -> String {
    match &tb.key {
        TieKey::Indicator(id) => score::value_col(id),
        TieKey::Field(f) => f.clone(),
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
            let parts: Vec<Expr> = shares
                .iter()
                .map(|s| bool_i32(rank.clone().gt(limit(*s, n.clone(), *rounding))))
                .collect();
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
                idx = when(idx.clone().lt_eq(lit(i)).and(rank.clone().gt(limit(
                    *s,
                    n.clone(),
                    *rounding,
                ))))
                .then(lit(i + 1))
                .otherwise(idx);
            }
            // At least `s` of the population in tier i or worse: the bottom ranks, rounded up.
            for (i, s) in min_share {
                let i = *i as i32;
                let bottom =
                    n.clone().cast(DataType::Float64) - limit(*s, n.clone(), Rounding::Ceil);
                idx = when(idx.clone().lt(lit(i)).and(rank.clone().gt(bottom)))
                    .then(lit(i))
                    .otherwise(idx);
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

/// `e` over the ranking population (`part`, the whole group when empty).
fn in_population(e: Expr, part: &[Expr]) -> PolarsResult<Expr> {
    if part.is_empty() {
        Ok(e)
    } else {
        e.over(part)
    }
}

/// A distance in points as the cards show it: rounded as totals are, not below 0.
fn gap(points: Expr, t: &Tiers) -> Expr {
    let g = score::rounded(points, t.round);
    when(g.clone().gt(lit(0.0))).then(g).otherwise(lit(0.0))
}

/// The [`BOUNDARY`] columns of one group, over a frame with `__idx`, [`LOCAL`] and [`TOTAL`]:
/// per tier `k` by score, its last and first firm in the population; a firm of tier `k + 1`
/// looks up to the first, one of tier `k - 1` down to the second.
fn boundaries(t: &Tiers, part: &[Expr]) -> PolarsResult<Vec<Expr>> {
    let null_i = || lit(NULL).cast(DataType::Int64);
    let null_f = || lit(NULL).cast(DataType::Float64);
    let (mut up, mut down, mut up_gap, mut down_gap) = (null_i(), null_i(), null_f(), null_f());
    let idx = || col("__idx");
    for k in 0..t.labels.len() as i32 {
        let of = |c: &str| col(c).filter(idx().eq(lit(k)));
        let (last, first) = (of(LOCAL).max(), of(LOCAL).min());
        let (lowest, highest) = (of(TOTAL).min(), of(TOTAL).max());
        let [last, first, lowest, highest] =
            [last, first, lowest, highest].map(|e| in_population(e, part));
        let (last, first, lowest, highest) = (last?, first?, lowest?, highest?);
        up = when(idx().eq(lit(k + 1))).then(last).otherwise(up);
        up_gap = when(idx().eq(lit(k + 1))).then(gap(lowest - col(TOTAL), t)).otherwise(up_gap);
        down = when(idx().eq(lit(k - 1))).then(first).otherwise(down);
        down_gap =
            when(idx().eq(lit(k - 1))).then(gap(col(TOTAL) - highest, t)).otherwise(down_gap);
    }
    let (mut up_line, mut down_line) = (null_f(), null_f());
    if let TierMethod::Threshold { mins } | TierMethod::Mixed { mins, .. } = &t.method {
        for (k, m) in mins.iter().enumerate() {
            // `mins[k]` is the least score of tier k: tier k + 1 looks up to it, tier k stands on it.
            let (above, at) = (idx().eq(lit(k as i32 + 1)), idx().eq(lit(k as i32)));
            up_line = when(above).then(gap(lit(*m) - col(TOTAL), t)).otherwise(up_line);
            down_line = when(at).then(gap(col(TOTAL) - lit(*m), t)).otherwise(down_line);
        }
    }
    let cols = [up, down, up_gap, up_line, down_gap, down_line];
    Ok(cols.into_iter().zip(BOUNDARY).map(|(e, name)| e.alias(name)).collect())
}

/// Rank and tier one group's scored firms: their row numbers in ranking order (`__row`), with
/// rank, population and tiers.
fn tier_group(lf: LazyFrame, gi: usize, g: &Group, code_is_pair: bool) -> PolarsResult<LazyFrame> {
    let t = &g.tiers;
    // Within one group, the group itself does not split the ranking.
    let part: Vec<Expr> =
        t.rank_within.iter().filter(|k| *k != "group").map(|k| col(k.as_str())).collect();
    let mut by: Vec<Expr> = part.clone();
    let mut desc: Vec<bool> = vec![false; by.len()];
    by.push(col(TOTAL));
    desc.push(true);
    for tb in &t.tie_break {
        by.push(col(tie_column(tb)));
        desc.push(tb.descending);
    }
    // The credit code last; `__code_hi`/`__code_lo` order as the code's text (see `tier_all`).
    let code_keys = if code_is_pair { vec![col(CODE_HI), col(CODE_LO)] } else { vec![col("code")] };
    desc.extend(code_keys.iter().map(|_| false));
    by.extend(code_keys);
    let sorted = lf.filter(col(GROUP_INDEX).eq(lit(gi as i32))).sort_by_exprs(
        by,
        SortMultipleOptions::default()
            .with_order_descending_multi(desc)
            .with_nulls_last(true)
            .with_maintain_order(false),
    );
    let (rank, pop) =
        (int_range(lit(0), len(), 1, DataType::Int64) + lit(1), len().cast(DataType::Int64));
    let (rank, pop) = (in_population(rank, &part)?, in_population(pop, &part)?);
    let last = (t.labels.len() - 1) as i32;
    let local = int_range(lit(0), len(), 1, DataType::Int64);
    let with_rank = sorted.with_columns([rank.alias(RANK), pop.alias(POP), local.alias(LOCAL)]);
    let idx = tier_index(&t.method)?;
    let after = when(col(VETO).fill_null(lit(false))).then(lit(last)).otherwise({
        let d = col("__idx") + col(DOWN).fill_null(lit(0));
        when(d.clone().gt(lit(last))).then(lit(last)).otherwise(d)
    });
    let mut out = vec![
        col("__row"),
        col(LOCAL),
        in_population(col(LOCAL).min(), &part)?.alias(POP_FIRST),
        col(RANK),
        col(POP),
        label_expr(col("__idx"), &t.labels).alias(TIER_BY_SCORE),
        label_expr(after, &t.labels).alias(TIER_AFTER_EVENTS),
    ];
    out.extend(boundaries(t, &part)?);
    Ok(with_rank.with_column(idx.cast(DataType::Int32).alias("__idx")).select(out))
}

/// A group's row number ([`LOCAL`]) as the row of the whole ranked frame: the group starts
/// `row − LOCAL` rows in.
fn global(local: Expr) -> Expr {
    local + int_range(lit(0), len(), 1, DataType::Int64) - col(LOCAL)
}

/// Rank and tier every group; groups come out in rule order, each sorted by its ranking, with
/// [`RANK`], [`POP`], [`POP_ID`], [`TIER_BY_SCORE`], [`TIER_AFTER_EVENTS`] and the boundary
/// columns ([`UP_EDGE`] …) added. The ranking runs on
/// the columns it reads; the whole frame is gathered once, into its final order.
pub fn tier_all(scored: &DataFrame, rules: &Rules) -> PolarsResult<DataFrame> {
    let mut keys: Vec<PlSmallStr> =
        vec![GROUP_INDEX.into(), TOTAL.into(), "code".into(), VETO.into(), DOWN.into()];
    for g in &rules.groups {
        let t = &g.tiers;
        keys.extend(
            t.rank_within.iter().filter(|k| *k != "group").map(|k| PlSmallStr::from(k.as_str())),
        );
        keys.extend(t.tie_break.iter().map(|tb| PlSmallStr::from(tie_column(tb))));
    }
    let mut seen = PlHashSet::new();
    keys.retain(|k| seen.insert(k.clone()));
    let mut ranking = scored.select(keys)?;
    // Codes of evaluated enterprises are valid, so they sort as two integers; the text is the
    // fallback should one not be.
    let codes = ranking.column("code")?.str()?;
    let pairs: Option<Vec<(u64, u64)>> =
        codes.iter().map(|c| c.and_then(credit_code::order_key)).collect();
    let code_is_pair = pairs.is_some();
    if let Some(pairs) = pairs {
        let (hi, lo): (Vec<u64>, Vec<u64>) = pairs.into_iter().unzip();
        ranking.hstack_mut(&[Column::new(CODE_HI.into(), hi), Column::new(CODE_LO.into(), lo)])?;
    }
    let ranking = ranking.lazy().with_row_index("__row", None);
    let mut parts = Vec::new();
    for (gi, g) in rules.groups.iter().enumerate() {
        parts.push(tier_group(ranking.clone(), gi, g, code_is_pair)?);
    }
    let mut cols = vec![col(RANK), col(POP), global(col(POP_FIRST)).alias(POP_ID)];
    cols.extend([TIER_BY_SCORE, TIER_AFTER_EVENTS].map(col));
    cols.extend([UP_EDGE, DOWN_EDGE].map(|c| global(col(c)).alias(c)));
    cols.extend(BOUNDARY[2..].iter().map(|c| col(*c)));
    let ranked = concat(parts, UnionArgs { rechunk: true, parallel: true, ..Default::default() })?;
    let ranked = ranked.select([vec![col("__row")], cols].concat()).collect()?;
    let order = ranked.column("__row")?.idx()?;
    let mut out = scored.take(order)?;
    out.hstack_mut(&ranked.columns()[1..])?;
    Ok(out)
}

/// A manual adjustment (调档) that could not be applied.
pub struct RejectedAdjustment {
    /// The 调档 row's sheet (index into `Dataset::sheets`).
    pub src: u32,
    /// Its 1-based spreadsheet row.
    pub row: u32,
    /// The credit code it names.
    pub code: String,
    /// The tier it asks for (调整后等级).
    pub tier: String,
    /// Why it was not applied, in Chinese.
    pub message: String,
}

/// Apply the 调档 table last: valid rows set `tier`; `adj_tier` and `adj_reason` are kept for the
/// report. Rows naming an enterprise that was not evaluated, or a tier the group does not have,
/// are returned for the problem list.
pub fn apply_adjustments(
    results: DataFrame,
    adjust: &DataFrame,
    rules: &Rules,
) -> PolarsResult<(DataFrame, Vec<RejectedAdjustment>)> {
    let (a_code, a_tier, a_reason) = (
        adjust.column("code")?.str()?,
        adjust.column("adj_tier")?.str()?,
        adjust.column("adj_reason")?.str()?,
    );
    let a_keys = adjust.column("__key")?.u32()?;
    // The results row of each adjusted enterprise, by enterprise key (see `Dataset::key_count`):
    // one pass over the results' keys, no text hashed. The 调档 table is short, the results not.
    let len = a_keys.iter().flatten().max().map_or(0, |k| k as usize + 1);
    let mut wanted = vec![false; len];
    for k in a_keys.iter().flatten() {
        wanted[k as usize] = true;
    }
    let mut result_row: Vec<Option<usize>> = vec![None; len];
    for (r, k) in results.column("__key")?.u32()?.iter().enumerate() {
        if let Some(k) = k.map(|k| k as usize).filter(|&k| k < len && wanted[k]) {
            result_row[k] = Some(r);
        }
    }
    let (groups, height) = (results.column(GROUP_INDEX)?.i32()?, results.height());
    let (a_src, a_row) = (adjust.column("__src")?.u32()?, adjust.column("__row")?.u32()?);
    let mut adj_tier: Vec<Option<String>> = vec![None; height];
    let mut adj_reason: Vec<Option<&str>> = vec![None; height];
    let mut rejected = Vec::new();
    for i in 0..adjust.height() {
        let tier = a_tier.get(i).unwrap_or("").trim().to_uppercase();
        let reject = |message: String| RejectedAdjustment {
            src: a_src.get(i).unwrap_or(0),
            row: a_row.get(i).unwrap_or(0),
            code: a_code.get(i).unwrap_or("").to_string(),
            tier: tier.clone(),
            message,
        };
        let found = a_keys.get(i).and_then(|k| result_row[k as usize]);
        let Some((r, g)) =
            found.and_then(|r| Some((r, rules.groups.get(usize::try_from(groups.get(r)?).ok()?)?)))
        else {
            rejected.push(reject("调档企业不在评价结果中（未参评或不在名录）".into()));
            continue;
        };
        if g.tiers.index_of(&tier).is_none() {
            rejected
                .push(reject(format!("调整后等级「{tier}」不在等级列表 {:?} 中", g.tiers.labels)));
            continue;
        }
        // The 调档 table has one row per enterprise (ingest rejects repeats); the first row is kept.
        if adj_tier[r].is_none() {
            adj_reason[r] = Some(a_reason.get(i).unwrap_or(""));
            adj_tier[r] = Some(tier);
        }
    }
    let mut out = results;
    out.hstack_mut(&[
        Column::new("adj_tier".into(), adj_tier),
        Column::new("adj_reason".into(), adj_reason),
    ])?;
    let out = out
        .lazy()
        .with_column(coalesce(&[col("adj_tier"), col(TIER_AFTER_EVENTS)]).alias(TIER))
        .collect()?;
    Ok((out, rejected))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = r#"[meta]
name = "t"
year = 2024

[land]
modes = { "自有" = 1.0 }

[[groups]]
id = "g"
name = "规上"
when = "scale = '规上'"

[[groups.indicators]]
id = "t"
name = "亩均税收"
formula = "tax / land_mu"
weight = 100
benchmark = { value = 10 }

[tiers]
quota = [0.25, 0.5, 0.75]
"#;

    /// Four firms of group `g`, all with the same total: rank and tier follow the code's text.
    fn ranked_codes(codes: [&str; 4]) -> (Vec<String>, Vec<String>) {
        let rules = crate::rules::compile(std::path::Path::new("规则.toml"), RULES).expect("rules");
        let scored = DataFrame::new(
            4,
            vec![
                Column::new("code".into(), codes.to_vec()),
                Column::new(crate::score::GROUP.into(), vec!["g"; 4]),
                Column::new(GROUP_INDEX.into(), vec![0i32; 4]),
                Column::new(TOTAL.into(), vec![80.0; 4]),
                Column::new(VETO.into(), vec![None::<bool>; 4]),
                Column::new(DOWN.into(), vec![None::<i32>; 4]),
            ],
        )
        .expect("frame");
        let out = tier_all(&scored, &rules).expect("tiered");
        let text = |c: &str| {
            out.column(c)
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .map(|s| s.unwrap_or("").to_string())
                .collect::<Vec<_>>()
        };
        let ranks: Vec<i64> =
            out.column(RANK).unwrap().i64().unwrap().into_no_null_iter().collect();
        assert_eq!(ranks, [1, 2, 3, 4]);
        (text("code"), text(TIER_BY_SCORE))
    }

    #[test]
    fn tied_firms_rank_by_credit_code() {
        // Valid codes (sorted as two base-31 integers): '9' < 'A' at position 9 and 'M' < 'P' at 17.
        let (codes, tiers) = ranked_codes([
            "91500102MA5U7H4K1D",
            "915001029A5U7H4K1P",
            "915001029A5U7H4K1M",
            "91500102MA0000000P",
        ]);
        assert_eq!(
            codes,
            [
                "915001029A5U7H4K1M",
                "915001029A5U7H4K1P",
                "91500102MA0000000P",
                "91500102MA5U7H4K1D"
            ]
        );
        // Quotas 25/50/75 % of 4: one firm per tier.
        assert_eq!(tiers, ["A", "B", "C", "D"]);
        // A text that is not a code: the ranking sorts by the text itself.
        let (codes, _) = ranked_codes(["b", "91500102MA5U7H4K1D", "a", "915001029A5U7H4K1P"]);
        assert_eq!(codes, ["915001029A5U7H4K1P", "91500102MA5U7H4K1D", "a", "b"]);
    }
}
