//! The names under which an evaluation's results are written — sheets and headers of the results
//! workbook, columns of the results CSV — in one place below both their writers
//! ([`crate::report`]) and their reader ([`crate::ingest::previous`], which takes an earlier
//! year's results back as `--previous`). Nothing here depends on any other module.

/// Sheets of the results workbook that a previous year is read from.
pub mod sheet {
    /// One row per evaluated enterprise.
    pub const RESULTS: &str = "评价结果";
    /// One row per enterprise not evaluated.
    pub const NOT_EVALUATED: &str = "未参评";
    /// The rule set the results were computed with (label in column A, value in column B).
    pub const RULES: &str = "规则";
    /// Label of the 规则 sheet's row holding the scheme across years (`[meta] scheme`).
    pub const SCHEME_ROW: &str = "方案";
    /// Label of the 规则 sheet's row holding the evaluation year.
    pub const YEAR_ROW: &str = "评价年度";
}

/// Headers of the results workbook's sheets that a previous year is read by.
pub mod header {
    /// 统一社会信用代码 (results and not-evaluated sheets).
    pub const CODE: &str = "统一社会信用代码";
    /// Enterprise name.
    pub const NAME: &str = "企业名称";
    /// Park.
    pub const PARK: &str = "所属园区";
    /// Group name (results sheet).
    pub const GROUP: &str = "评价组";
    /// Final tier (results sheet).
    pub const TIER: &str = "等级";
    /// Total score (results sheet).
    pub const TOTAL: &str = "总分";
    /// Rank within the ranking population (results sheet).
    pub const RANK: &str = "排名";
    /// Size of the ranking population (results sheet).
    pub const RANK_POPULATION: &str = "排名范围企业数";
    /// Tier a not-evaluated enterprise is managed as (not-evaluated sheet).
    pub const MANAGED_AS: &str = "按等级管理";

    /// Header of an indicator's value column: its name, then its unit in brackets if it has one.
    pub fn value(name: &str, unit: &str) -> String {
        if unit.is_empty() {
            name.to_string()
        } else {
            format!("{name}({unit})")
        }
    }

    /// The indicator name of a [`value`] header (the header without a trailing "(unit)").
    pub fn value_name(header: &str) -> &str {
        match (header.rfind('('), header.ends_with(')')) {
            (Some(p), true) => &header[..p],
            _ => header,
        }
    }
}

/// Keys of the results CSV (its header row; the JSON's records use the same names).
pub mod key {
    /// Evaluation year.
    pub const YEAR: &str = "year";
    /// [`EVALUATED`] or [`NOT_EVALUATED`].
    pub const STATUS: &str = "status";
    /// 统一社会信用代码.
    pub const CODE: &str = "code";
    /// Enterprise name.
    pub const NAME: &str = "name";
    /// Park.
    pub const PARK: &str = "park";
    /// Group id.
    pub const GROUP: &str = "group";
    /// Group name.
    pub const GROUP_NAME: &str = "group_name";
    /// Final tier (CSV: also the tier a not-evaluated enterprise is managed as).
    pub const TIER: &str = "tier";
    /// Total score.
    pub const TOTAL: &str = "total";
    /// Rank within the ranking population.
    pub const RANK: &str = "rank";
    /// Size of the ranking population.
    pub const RANK_POPULATION: &str = "rank_population";
    /// Industry code.
    pub const INDUSTRY_CODE: &str = "industry_code";
    /// 规上/规下.
    pub const SCALE: &str = "scale";
    /// Industry cluster.
    pub const CLUSTER: &str = "cluster";
    /// Why an enterprise is not evaluated: its category.
    pub const CATEGORY: &str = "category";
    /// Why an enterprise is not evaluated: the reason.
    pub const REASON: &str = "reason";

    /// The CSV's columns before the indicators, in order.
    pub const CSV_HEAD: &[&str] = &[
        YEAR,
        STATUS,
        CODE,
        NAME,
        PARK,
        "town",
        INDUSTRY_CODE,
        SCALE,
        CLUSTER,
        GROUP,
        GROUP_NAME,
        RANK,
        RANK_POPULATION,
        TIER,
        "tier_name",
        "tier_by_score",
        "tier_after_events",
        "adj_reason",
        TOTAL,
        "items_total",
        "bonus",
        "deduction",
        "reweight",
        "event_note",
    ];
    /// The CSV's columns after the indicators and quantities, in order.
    pub const CSV_TAIL: &[&str] =
        &["next_tier", "gap_to_next_tier", "best_indicator", "measures", CATEGORY, REASON];
    /// The parts of each indicator in the CSV, in order (`<id>.value`, …).
    pub const INDICATOR_PARTS: &[&str] = &["value", "benchmark", "score"];

    /// The CSV column of one part of an indicator.
    pub fn indicator(id: &str, part: &str) -> String {
        format!("{id}.{part}")
    }

    /// [`STATUS`] of an evaluated enterprise.
    pub const EVALUATED: &str = "evaluated";
    /// [`STATUS`] of an enterprise not evaluated.
    pub const NOT_EVALUATED: &str = "not_evaluated";
}

/// Text that Excel would take for a formula when it starts a CSV field; the CSV writes such text
/// after a `'`, which [`unguard`] takes off again.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV field as written, without the `'` that guards text starting with [`FORMULA_STARTS`].
pub fn unguard(t: &str) -> &str {
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => t,
    }
}
