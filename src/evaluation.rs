//! The whole evaluation as a library call: typed data and compiled rules in, scored and tiered
//! enterprises, the not-evaluated list and every problem out.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use polars::prelude::*;

use crate::ingest::schema::TableKind;
use crate::ingest::{Dataset, Problem, Severity};
use crate::rules::Rules;
use crate::score::{self, assemble, events, GROUP};
use crate::tier;

/// Why scoring could not finish: an internal table-engine failure, not bad input.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    /// A polars operation failed.
    #[error("评分计算失败（{stage}）：内部表格处理错误，请把输入文件和规则文件提供给维护人员")]
    Polars {
        /// The phase that failed, in Chinese (e.g. 计分, 分档), shown in the message.
        stage: &'static str,
        /// The underlying polars error.
        source: PolarsError,
    },
}

fn at(stage: &'static str) -> impl FnOnce(PolarsError) -> ScoreError {
    move |source| ScoreError::Polars { stage, source }
}

/// 未参评 category: the enterprise appears in a data table but not in 企业名录.
pub const CAT_UNREGISTERED: &str = "未列入企业名录";
/// 未参评 category: the enterprise's 企业名录 row was rejected (bad credit code, missing name…).
pub const CAT_BAD_ROW: &str = "名录数据错误";
/// 未参评 category: the enterprise matches no `[[groups]] when` condition.
pub const CAT_NO_GROUP: &str = "不在评价范围";
/// 未参评 category: in a group, but an indicator with `missing = "not_evaluated"` has no value.
pub const CAT_INCOMPLETE: &str = "数据不全";

/// The outcome of [`run`]: what every report of `mujun evaluate` is written from.
pub struct Evaluation {
    /// The compiled rules the year was evaluated under (shown in the 规则 sheet).
    pub rules: Rules,
    /// The inputs' accounting and digests; their rows are released after scoring (see
    /// `release_inputs`): only the tax table keeps rows (key, type, amount).
    pub dataset: Dataset,
    /// One row per evaluated enterprise, groups in rule order, each in ranking order. The
    /// [`RESULT_TEXT`] columns present are strings; the frame is in one chunk.
    pub results: DataFrame,
    /// [`NOT_EVALUATED_TEXT`], all strings, in one chunk.
    pub not_evaluated: DataFrame,
    /// Input problems followed by those found while scoring.
    pub problems: Vec<Problem>,
    /// Every tax type of the tax table and how `[tax]` treated it (规则 sheet).
    pub tax_types: Vec<assemble::TaxTypeUse>,
    /// Wall time of each scoring phase (Chinese phase name), printed by `evaluate --verbose`.
    pub timings: Vec<(&'static str, Duration)>,
}

impl Evaluation {
    /// Enterprises seen in any input: evaluated + not evaluated.
    pub fn enterprises_seen(&self) -> usize {
        self.results.height() + self.not_evaluated.height()
    }

    /// The evaluated firms counted by group, park and final tier: the one count the 汇总 sheet
    /// and the console summary show.
    pub fn tier_counts(&self) -> PolarsResult<TierCounts> {
        TierCounts::of(&self.results, &self.rules)
    }
}

/// Park label for enterprises without one.
pub const NO_PARK: &str = "（未填园区）";

/// Park of a row: blank or absent reads as [`NO_PARK`].
pub fn park_or_none(p: Option<&str>) -> &str {
    p.filter(|p| !p.trim().is_empty()).unwrap_or(NO_PARK)
}

/// Evaluated firms per group, park and final tier. Groups may have labels of their own: the
/// counts run over every label of every group, so they add up to the evaluated total.
#[derive(Debug, Clone, PartialEq)]
pub struct TierCounts {
    /// Every group's labels, in order of first appearance (best first).
    pub labels: Vec<String>,
    /// Per (group index, park), the number of firms of each of [`TierCounts::labels`].
    pub by_group_park: BTreeMap<(usize, String), Vec<usize>>,
}

impl TierCounts {
    /// Counts of a results frame (columns [`score::GROUP_INDEX`], `park`, [`tier::TIER`]).
    pub fn of(results: &DataFrame, rules: &Rules) -> PolarsResult<TierCounts> {
        let mut labels: Vec<String> = Vec::new();
        for l in rules.groups.iter().flat_map(|g| &g.tiers.labels) {
            if !labels.contains(l) {
                labels.push(l.clone());
            }
        }
        let groups = results.column(score::GROUP_INDEX)?.i32()?;
        let tiers = results.column(tier::TIER)?.str()?;
        let parks = results.column("park").ok().map(|c| c.cast(&DataType::String)).transpose()?;
        let parks = parks.as_ref().map(|c| c.str()).transpose()?;
        let mut by_group_park: BTreeMap<(usize, String), Vec<usize>> = BTreeMap::new();
        for i in 0..results.height() {
            let g = groups.get(i).and_then(|g| usize::try_from(g).ok()).unwrap_or(0);
            let park = park_or_none(parks.and_then(|p| p.get(i))).to_string();
            let e = by_group_park.entry((g, park)).or_insert_with(|| vec![0; labels.len()]);
            if let Some(t) = labels.iter().position(|l| Some(l.as_str()) == tiers.get(i)) {
                e[t] += 1;
            }
        }
        Ok(TierCounts { labels, by_group_park })
    }

    /// Counts of one group, over all its parks.
    pub fn of_group(&self, group: usize) -> Vec<usize> {
        let mut sum = vec![0; self.labels.len()];
        let range = (group, String::new())..(group + 1, String::new());
        for c in self.by_group_park.range(range).map(|(_, c)| c) {
            sum.iter_mut().zip(c).for_each(|(s, n)| *s += n);
        }
        sum
    }

    /// Whether the group has evaluated firms.
    pub fn has_group(&self, group: usize) -> bool {
        self.by_group_park
            .range((group, String::new())..(group + 1, String::new()))
            .next()
            .is_some()
    }

    /// Counts per park, over all groups.
    pub fn by_park(&self) -> BTreeMap<&str, Vec<usize>> {
        let mut out: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for ((_, park), c) in &self.by_group_park {
            let e = out.entry(park.as_str()).or_insert_with(|| vec![0; self.labels.len()]);
            e.iter_mut().zip(c).for_each(|(s, n)| *s += n);
        }
        out
    }

    /// The firms counted: every firm whose tier is one of its group's labels.
    pub fn total(&self) -> usize {
        self.by_group_park.values().flatten().sum()
    }
}

/// Text columns of `Evaluation::results`, stored as strings (a column that is null throughout
/// would otherwise have no text type) so reports can borrow them.
pub const RESULT_TEXT: &[&str] = &[
    "code",
    "name",
    "park",
    "town",
    "industry_code",
    "scale",
    GROUP,
    tier::TIER,
    tier::TIER_BY_SCORE,
    tier::TIER_AFTER_EVENTS,
    "adj_reason",
    events::NOTE,
];
/// Columns of `Evaluation::not_evaluated`, all text.
pub const NOT_EVALUATED_TEXT: &[&str] =
    &["code", "name", "park", "scale", "industry_code", "category", "reason", "tier"];

/// `df` with its `text` columns (those present) as strings, in one chunk per column.
fn settle(df: DataFrame, text: &[&str]) -> PolarsResult<DataFrame> {
    let casts: Vec<Expr> = text
        .iter()
        .filter(|c| df.column(c).is_ok_and(|s| s.dtype() != &DataType::String))
        .map(|c| col(*c).cast(DataType::String))
        .collect();
    let mut df = if casts.is_empty() { df } else { df.lazy().with_columns(casts).collect()? };
    df.rechunk_mut_par();
    Ok(df)
}

/// Every problem `evaluate` would list, without scoring: input problems, cross-table checks
/// (unregistered enterprises, enterprises absent from a table, unknown land modes) and events
/// the rules do not name.
pub fn check(rules: &Rules, dataset: &Dataset) -> Result<Vec<Problem>, ScoreError> {
    let mut problems = dataset.problems.clone();
    let asm = assemble::assemble(dataset, rules).map_err(at("汇总企业数据"))?;
    problems.extend(asm.problems);
    let (_, ev_problems) = events::per_enterprise(dataset, rules).map_err(at("加减分"))?;
    problems.extend(ev_problems);
    Ok(problems)
}

/// Score, rank and tier every enterprise of `dataset` under `rules`, apply 调档 adjustments and
/// list those not evaluated; problems found on the way join the input problems.
pub fn run(rules: Rules, mut dataset: Dataset) -> Result<Evaluation, ScoreError> {
    let mut timings = Vec::new();
    let t0 = Instant::now();
    let mut problems = std::mem::take(&mut dataset.problems);

    // Assembly (one row per enterprise: land accounting, tax basket, joins) and the cross-table
    // checks are timed apart from scoring proper.
    let mut asm = assemble::join_tables(&dataset, &rules).map_err(at("汇总企业数据"))?;
    problems.append(&mut asm.problems);
    timings.push(("汇总企业数据", t0.elapsed()));
    let t0 = Instant::now();
    let (unregistered, mut cross) =
        assemble::cross_check(&dataset, &rules).map_err(at("交叉核对"))?;
    asm.unregistered = unregistered;
    problems.append(&mut cross);
    timings.push(("交叉核对", t0.elapsed()));
    let t0 = Instant::now();
    let classified = score::classify(asm.base.clone().lazy(), &rules);
    let valued = score::with_values(classified, &rules)
        .map_err(at("计算指标值"))?
        .with_column(score::not_evaluated_reason(&rules).alias("__ne_reason"))
        .collect()
        .map_err(at("计算指标值"))?;

    let in_scope = col("__case").eq(lit(-1)).and(col(GROUP).is_not_null());
    let evaluated =
        valued.clone().lazy().filter(in_scope.clone().and(col("__ne_reason").is_null()));

    let (ev, ev_problems) = events::per_enterprise(&dataset, &rules).map_err(at("加减分"))?;
    problems.extend(ev_problems);
    let scored = score::with_scores(evaluated, &rules)
        .map_err(at("计分"))?
        .left_join(ev, col("__key"), col("__key"))
        .with_columns([
            col(score::BONUS).fill_null(lit(0.0)),
            col(score::DEDUCTION).fill_null(lit(0.0)),
        ]);
    let scored = score::with_total(scored, &rules).collect().map_err(at("计分"))?;
    timings.push(("评分", t0.elapsed()));

    let t1 = Instant::now();
    let tiered = tier::tier_all(&scored, &rules).map_err(at("分档"))?;
    let (results, rejected) =
        tier::apply_adjustments(tiered, dataset.table(TableKind::Adjust), &rules)
            .map_err(at("调档"))?;
    for r in rejected {
        let (file, sheet) = dataset.locate(r.src);
        problems.push(Problem {
            severity: Severity::Warning,
            table: "调档".into(),
            file,
            sheet,
            row: Some(r.row as usize),
            column: "调整后等级".into(),
            value: format!("{} {}", r.code, r.tier),
            message: r.message,
            action: "不调整".into(),
        });
    }
    timings.push(("分档", t1.elapsed()));

    let not_evaluated =
        not_evaluated(&valued, &asm.unregistered, &dataset, &rules).map_err(at("未参评名单"))?;
    let tax_types = std::mem::take(&mut asm.tax_types);
    drop((asm, valued));
    release_inputs(&mut dataset).map_err(at("释放输入表"))?;
    let results = settle(results, RESULT_TEXT).map_err(at("分档"))?;
    let not_evaluated = settle(not_evaluated, NOT_EVALUATED_TEXT).map_err(at("未参评名单"))?;
    Ok(Evaluation { rules, dataset, results, not_evaluated, problems, tax_types, timings })
}

/// Once scored, drop the input rows no report reads (every input value used is in `results`),
/// so a province's run does not hold its inputs while it writes: the tables keep their columns
/// but no rows, except the tax table, which keeps the enterprise key, tax type and amount for
/// tax-based policy measures. `problems` was moved into the evaluation; the row accounting
/// (`reconciliation`) and file digests (`sources`) stay.
fn release_inputs(ds: &mut Dataset) -> PolarsResult<()> {
    for (kind, df) in ds.tables.iter_mut() {
        *df = if *kind == TableKind::Tax {
            df.select(["__key", "tax_type", "amount"])?
        } else {
            df.clear()
        };
    }
    for df in ds.aux.values_mut() {
        *df = df.clear();
    }
    Ok(())
}

/// Everyone seen but not evaluated, with category and reason.
fn not_evaluated(
    valued: &DataFrame,
    unregistered: &[assemble::Unregistered],
    ds: &Dataset,
    rules: &Rules,
) -> PolarsResult<DataFrame> {
    let mut category = lit(NULL).cast(DataType::String);
    let mut reason = lit(NULL).cast(DataType::String);
    let mut tier = lit(NULL).cast(DataType::String);
    for (i, c) in rules.cases.iter().enumerate().rev() {
        let hit = col("__case").eq(lit(i as i32));
        category = when(hit.clone()).then(lit(c.kind.label())).otherwise(category);
        reason = when(hit.clone()).then(lit(c.reason.clone())).otherwise(reason);
        tier = when(hit)
            .then(match &c.tier {
                Some(t) => lit(t.clone()),
                None => lit(NULL).cast(DataType::String),
            })
            .otherwise(tier);
    }
    let no_group = format!(
        "不符合任何评价组的条件（{}）",
        rules
            .groups
            .iter()
            .map(|g| format!("{}: {}", g.name, g.when_text))
            .collect::<Vec<_>>()
            .join("；")
    );
    let category = when(col("__case").gt_eq(lit(0)))
        .then(category)
        .when(col(GROUP).is_null())
        .then(lit(CAT_NO_GROUP))
        .otherwise(lit(CAT_INCOMPLETE));
    let reason = when(col("__case").gt_eq(lit(0)))
        .then(reason)
        .when(col(GROUP).is_null())
        .then(lit(no_group))
        .otherwise(col("__ne_reason"));
    let listed = valued
        .clone()
        .lazy()
        .filter(
            col("__case")
                .gt_eq(lit(0))
                .or(col(GROUP).is_null())
                .or(col("__ne_reason").is_not_null()),
        )
        .select([
            col("code"),
            col("name"),
            col("park"),
            col("scale"),
            col("industry_code"),
            category.alias("category"),
            reason.alias("reason"),
            tier.alias("tier"),
        ])
        .collect()?;
    let n = unregistered.len() + ds.rejected_register.len();
    let mut codes = Vec::with_capacity(n);
    let mut names = Vec::with_capacity(n);
    let mut cats = Vec::with_capacity(n);
    let mut reasons = Vec::with_capacity(n);
    for u in unregistered {
        codes.push(u.code.clone());
        names.push(None::<String>);
        cats.push(CAT_UNREGISTERED);
        reasons.push(format!("出现在{}表中，但企业名录中没有该企业", u.tables.join("、")));
    }
    for r in &ds.rejected_register {
        codes.push(r.code.clone());
        names.push(Some(r.name.clone()));
        cats.push(CAT_BAD_ROW);
        reasons.push(r.reason.clone());
    }
    let extra = DataFrame::new(
        n,
        vec![
            Column::new("code".into(), codes),
            Column::new("name".into(), names),
            Column::new("park".into(), vec![None::<String>; n]),
            Column::new("scale".into(), vec![None::<String>; n]),
            Column::new("industry_code".into(), vec![None::<String>; n]),
            Column::new("category".into(), cats),
            Column::new("reason".into(), reasons),
            Column::new("tier".into(), vec![None::<String>; n]),
        ],
    )?;
    concat([listed.lazy(), extra.lazy()], UnionArgs::default())?.collect()
}
