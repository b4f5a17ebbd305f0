//! The evaluated enterprises as plain rows, with what every report needs computed once: each
//! enterprise's score card (distance to the next tier boundary, the indicator that would move it
//! most), its policy measures and amounts, early-warning rows, and (with a previous year) the
//! comparison. Every sheet, the per-park workbooks, the CSV/JSON export and `mujun explain`
//! read this one structure, so they always agree.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use polars::prelude::*;

use crate::evaluation::Evaluation;
use crate::ingest::previous::{Comparison, Previous};
use crate::ingest::schema::{self, TableKind};
use crate::rules::{
    AlertRule, Direction, Indicator, Missing, PolicyBase, Rules, TierMethod, AGGREGATES,
};
use crate::score::{self, events, Against, GROUP};
use crate::tier;

use crate::evaluation::park_or_none;
pub use crate::evaluation::NO_PARK;
/// Cluster label for industry codes no cluster claims.
pub const NO_CLUSTER: &str = "其他";

/// Enterprise quantities shown next to the scores: field, header with unit
/// ([`schema::REPORT_FIELDS`], headers from the input contract's one label table).
pub static FIELDS: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| schema::REPORT_FIELDS.iter().map(|k| (*k, schema::field_header(k))).collect());

/// The relative improvement used for "the indicator that would move it most".
pub const STEP: f64 = 0.10;

/// An evaluated enterprise. Its text borrows from the evaluation's results frame (a province
/// has a million of them: owned copies would double the report's memory).
#[derive(Debug, Clone)]
pub struct Firm<'a> {
    /// 统一社会信用代码 from the enterprise register (企业名录).
    pub code: &'a str,
    /// 企业名称 as written in the register.
    pub name: &'a str,
    /// 所属园区 from the register; [`NO_PARK`] when blank.
    pub park: &'a str,
    /// 所属乡镇街道 from the register; `None` when the optional column is absent or blank.
    pub town: Option<&'a str>,
    /// 行业代码 (national industry classification code) as written in the register.
    pub industry_code: &'a str,
    /// 企业规模 as written in the register (规上/规下).
    pub scale: &'a str,
    /// 行业大类: the industry code's first two digits as a number; `None` when the code is not
    /// numeric.
    pub division: Option<i64>,
    /// Industry cluster of the industry code (`[[clusters]]`, longest matching `prefixes`);
    /// [`NO_CLUSTER`] when no cluster claims it.
    pub cluster: &'a str,
    /// Index into `rules.groups`.
    pub group: usize,
    /// Rank within the ranking population by total score, 1 = best (results column `rank`).
    pub rank: i64,
    /// Number of enterprises in the ranking population (`rank_population`).
    pub pop: i64,
    /// Final tier label, after events and the 调档 (manual adjustment) table; one of the group's
    /// `[tiers] labels` (or its own `[groups.tiers] labels`).
    pub tier: &'a str,
    /// Tier label by total score alone, before veto/downgrade events and manual adjustments.
    pub tier_by_score: &'a str,
    /// Tier label after 一票否决 and 降档 events, before the 调档 table.
    pub tier_after_events: &'a str,
    /// 理由 of the 调档 table row that set the final tier; `None` when the tier was not adjusted.
    pub adj_reason: Option<&'a str>,
    /// An 一票否决 (veto) event matched: the tier is the lowest whatever the score.
    pub vetoed: bool,
    /// Total score in points: `items` + `bonus` − `deduction`, rounded per `[tiers] round` (results
    /// column `total`).
    pub total: f64,
    /// Sum of the item scores in points, times `reweight` (`items_total`).
    pub items: f64,
    /// Bonus points from `[[events.items]]` of kind bonus, after the category and total caps (0
    /// when none).
    pub bonus: f64,
    /// Deducted points from `[[events.items]]` of kind deduction, after the caps (0 when none).
    pub deduction: f64,
    /// Factor the item scores are scaled by when items with `missing = "reweight"` have no value:
    /// total weight ÷ weight of the items present; 1 when none are missing.
    pub reweight: f64,
    /// The matched events, e.g. "环境违法(-5)；数据造假(一票否决)"; `None` when no event matched.
    pub event_note: Option<&'a str>,
    /// Per indicator of [`Analysis::indicators`], the indicator value in its `unit`; `None` when
    /// missing or not an indicator of the firm's group.
    pub value: Vec<Option<f64>>,
    /// Per indicator, the benchmark the value was scored against; `None` for the min–max method or
    /// when there is none.
    pub bench: Vec<Option<f64>>,
    /// Per indicator, the item score in points after the cap, floor and `missing` rule; `None` when
    /// the item does not count (missing under `reweight`, or not in the group).
    pub score: Vec<Option<f64>>,
    /// Per indicator, the min–max population's smallest value ([`score::min_col`]).
    pub min: Vec<Option<f64>>,
    /// Per indicator, the min–max population's largest value ([`score::max_col`]).
    pub max: Vec<Option<f64>>,
    /// Per [`FIELDS`].
    pub fields: Vec<Option<f64>>,
    /// Ranking population (group and the `rank_within` fields), numbered ([`tier::POP_ID`]).
    pub population: usize,
    /// Index into `firms` of the last firm of the next better tier by score ([`tier::UP_EDGE`]),
    /// and the points to its total.
    pub up_edge: Option<(usize, f64)>,
    /// Points to the next better tier's minimum score ([`tier::UP_BY_LINE`]).
    pub up_line: Option<f64>,
    /// Index into `firms` of the first firm of the next lower tier by score
    /// ([`tier::DOWN_EDGE`]), and the points ahead of its total.
    pub down_edge: Option<(usize, f64)>,
    /// Points ahead of the own tier's minimum score ([`tier::DOWN_BY_LINE`]).
    pub down_line: Option<f64>,
}

impl Firm<'_> {
    /// The firm's value of a report quantity of [`FIELDS`] (e.g. `"land_mu"`, in the unit of its
    /// header); `None` when missing or not a key of [`FIELDS`].
    pub fn field(&self, key: &str) -> Option<f64> {
        FIELDS.iter().position(|(k, _)| *k == key).and_then(|i| self.fields[i])
    }
}

/// A not-evaluated enterprise (text borrowed from the not-evaluated frame).
#[derive(Debug, Clone)]
pub struct Listed<'a> {
    /// 统一社会信用代码: from the register, or as seen in a department table for an unregistered
    /// enterprise.
    pub code: &'a str,
    /// 企业名称; empty for an enterprise seen only in department tables.
    pub name: &'a str,
    /// 所属园区; [`NO_PARK`] when blank or unknown.
    pub park: &'a str,
    /// 企业规模 as written in the register; empty when unknown.
    pub scale: &'a str,
    /// 行业代码 as written in the register; empty when unknown.
    pub industry_code: &'a str,
    /// Why-not category shown in the 未参评 sheet: 不在评价范围, 免评, 暂缓评价, 数据不全,
    /// 未列入企业名录 or 名录数据错误.
    pub category: &'a str,
    /// The reason in Chinese: the scope case's `reason` key, the missing data, or the register
    /// row's error.
    pub reason: &'a str,
    /// The tier the enterprise is managed as, from the scope case's `tier` key (e.g. "B" for
    /// 按B类管理); `None` otherwise.
    pub tier: Option<&'a str>,
}

/// A tier boundary next to an enterprise.
#[derive(Debug, Clone)]
pub struct Boundary<'a> {
    /// Label of that tier (the next better tier for up, the next lower for down).
    pub tier: &'a str,
    /// Points: to reach the next better tier (up), or ahead of the next lower tier (down).
    pub gap: f64,
    /// What the boundary is: the enterprise at the edge of that tier, or the threshold. Shared by
    /// every enterprise with the same boundary.
    pub reference: Arc<str>,
}

/// One indicator of a score card. The value, benchmark and score are the firm's
/// (`firm.value[ind]` …); weight and cap are the group's.
#[derive(Debug, Clone)]
pub struct ItemCard {
    /// Index into [`Analysis::indicators`].
    pub ind: usize,
    /// The indicator's `weight` in the firm's group (for the ratio method, the points at the
    /// benchmark).
    pub weight: f64,
    /// The item's cap in points (`cap`, or `cap_times_weight` × weight); `None` when uncapped.
    pub cap: Option<f64>,
    /// Total-score gain from improving the value by [`STEP`] (10 %).
    pub gain: Option<f64>,
    /// Relative improvement of this indicator alone that closes the gap to the next tier.
    pub needed: Option<f64>,
    /// Why `gain` or `needed` is absent or zero, in Chinese (e.g. 缺少数据，该项0分, 已达封顶分);
    /// empty when nothing needs saying.
    pub note: &'static str,
}

/// The score card of one evaluated enterprise (评价明细 sheet, `mujun explain`): its distance to
/// the tiers above and below, and what each indicator would bring.
#[derive(Debug, Clone)]
pub struct Card<'a> {
    /// The next better tier by score and the points needed to reach it; `None` for the top tier, a
    /// vetoed firm or a tier without places (see `up_note`).
    pub up: Option<Boundary<'a>>,
    /// Why there is no `up` (top tier, veto, no places), else empty.
    pub up_note: Cow<'static, str>,
    /// The next lower tier by score and the points ahead of it; `None` when the firm's final tier
    /// is already the lowest.
    pub down: Option<Boundary<'a>>,
    /// One per indicator of the firm's group, in the group's order.
    pub items: Vec<ItemCard>,
    /// Index into `items` of the indicator with the largest gain.
    pub best: Option<usize>,
}

/// A policy measure that applies to an enterprise; [`Analysis::formula`] writes its computation.
#[derive(Debug, Clone)]
pub struct MeasureRow {
    /// Index into `rules.policies`.
    pub policy: usize,
    /// The amount's base in the policy's `base_unit`: the `[[policies]] base` formula, or the paid
    /// amount of the `base_tax` tax type (万元); `None` for a text-only measure or missing data.
    pub base: Option<f64>,
    /// `base` × `rate` in the policy's `unit`; `None` without a rate or a base.
    pub amount: Option<f64>,
}

/// Why an enterprise is listed in the 预警名单 sheet (its 预警类型 column).
#[derive(Debug, Clone, PartialEq)]
pub enum AlertKind {
    /// Within `alerts.margin` points of the next lower tier.
    NearLower,
    /// An indicator beyond an alert threshold (index into `rules.alerts.thresholds`).
    Threshold(usize),
}

/// One line of the 预警名单 sheet: an enterprise and one reason to watch it (an enterprise may have
/// several lines).
#[derive(Debug, Clone)]
pub struct AlertRow {
    /// Index into [`Analysis::firms`].
    pub firm: usize,
    /// Which alert this is.
    pub kind: AlertKind,
    /// The 预警内容 column: the lead over the lower tier and its boundary, or the threshold's
    /// `note`.
    pub detail: String,
    /// Indicator value, or points ahead of the lower tier.
    pub value: Option<f64>,
    /// The threshold, or the margin.
    pub limit: Option<f64>,
}

/// The evaluation prepared for the reports: one row per evaluated enterprise (`firms`; `cards`
/// and `measures` share its index), the alerts, the not-evaluated list and the optional
/// comparison with the previous year. Built once by [`Analysis::build`].
pub struct Analysis<'a> {
    /// The evaluation the rows are read from (rules, inputs' problems and row accounting).
    pub ev: &'a Evaluation,
    /// Every indicator of every group, first definition of each id; the index of [`Firm::value`]
    /// and friends.
    pub indicators: Vec<&'a Indicator>,
    /// Evaluated enterprises, in the order of the evaluation's results.
    pub firms: Vec<Firm<'a>>,
    /// Score card per firm, same index as `firms`.
    pub cards: Vec<Card<'a>>,
    /// Policy measures that apply to each firm (by its final tier and group), same index as
    /// `firms`.
    pub measures: Vec<Vec<MeasureRow>>,
    /// The 预警名单 rows, grouped by firm in firm order.
    pub alerts: Vec<AlertRow>,
    /// Enterprises seen but not evaluated (未参评 sheet), in the evaluation's order.
    pub listed: Vec<Listed<'a>>,
    /// Every park of evaluated and not-evaluated enterprises, sorted.
    pub parks: Vec<String>,
    /// Year-over-year comparison (年度对比, 等级变动 sheets); `None` without a previous year.
    pub comparison: Option<Comparison>,
    /// Earlier official (定稿) years of the scheme from the store, oldest first (历年对比 sheet);
    /// empty without a store.
    pub years: Vec<Previous>,
    /// Per-mu aggregates of the district, each park, each cluster and each park's clusters
    /// (see [`PerMu`]); the reports and the store read these, never summing again.
    pub per_mu: Vec<PerMu>,
    /// This re-run compared with the run it corrects (复核对比 sheet); none otherwise.
    pub review: Option<super::review::Compared>,
    /// The corrections laid over this re-run's inputs (更正记录 sheet).
    pub corrections: Vec<crate::review::corrections::Applied>,
    /// The 公示名单's order over every workbook's lines, sorted once (see `notice::rows`).
    pub(crate) notice_order: std::sync::OnceLock<Vec<u32>>,
}

/// A text column of `df` borrowed for the frame's lifetime; `None` when absent. The evaluation
/// stores its text columns as strings in one chunk (`evaluation::RESULT_TEXT`), so rows are read
/// directly.
fn text_col<'d>(df: &'d DataFrame, name: &str) -> PolarsResult<Option<&'d StringChunked>> {
    match df.column(name) {
        Ok(c) => Ok(Some(c.str()?)),
        Err(_) => Ok(None),
    }
}

fn text_at(c: Option<&StringChunked>, i: usize) -> Option<&str> {
    c.and_then(|c| c.get(i))
}

/// A column as finite numbers (non-finite and absent read as missing), in one chunk.
fn number_col(df: &DataFrame, name: &str) -> PolarsResult<Option<Float64Chunked>> {
    match df.column(name) {
        Ok(c) => Ok(Some(c.cast(&DataType::Float64)?.f64()?.rechunk().into_owned())),
        Err(_) => Ok(None),
    }
}

fn number_at(c: &Option<Float64Chunked>, i: usize) -> Option<f64> {
    c.as_ref().and_then(|c| c.get(i)).filter(|x| x.is_finite())
}

impl<'a> Analysis<'a> {
    /// The evaluation's compiled rule set.
    pub fn rules(&self) -> &'a Rules {
        &self.ev.rules
    }

    /// Read the evaluation's results into rows and compute every score card, policy measure and
    /// alert; with the previous year's results, also the comparison. Fails only on an internal
    /// table error.
    pub fn build(ev: &'a Evaluation, previous: Option<Previous>) -> PolarsResult<Analysis<'a>> {
        let rules = &ev.rules;
        let indicators = score::all_indicators(rules);
        let df = &ev.results;
        let n = df.height();
        let text = |c: &str| text_col(df, c);
        let (code, name, park, town, icode, scale, group) = (
            text("code")?,
            text("name")?,
            text("park")?,
            text("town")?,
            text("industry_code")?,
            text("scale")?,
            text(GROUP)?,
        );
        let (t, tbs, tae, adj, note) = (
            text(tier::TIER)?,
            text(tier::TIER_BY_SCORE)?,
            text(tier::TIER_AFTER_EVENTS)?,
            text("adj_reason")?,
            text(events::NOTE)?,
        );
        let veto = match df.column(events::VETO) {
            Ok(c) => {
                c.cast(&DataType::Boolean)?.bool()?.iter().map(|b| b.unwrap_or(false)).collect()
            }
            Err(_) => vec![false; n],
        };
        let num = |c: &str| number_col(df, c);
        let (rank, pop, total, items, bonus, deduction, reweight, division) = (
            num(tier::RANK)?,
            num(tier::POP)?,
            num(score::TOTAL)?,
            num(score::ITEMS)?,
            num(score::BONUS)?,
            num(score::DEDUCTION)?,
            num(score::REWEIGHT)?,
            num("division")?,
        );
        let mut vals = Vec::new();
        for ind in &indicators {
            let id = &ind.id;
            let cols = [score::value_col(id), score::bench_col(id), score::score_col(id)];
            let [v, b, s] = cols.map(|c| num(&c));
            let [mn, mx] = [score::min_col(id), score::max_col(id)].map(|c| num(&c));
            vals.push([v?, b?, s?, mn?, mx?]);
        }
        let [pop_id, up, up_gap, up_line, down, down_gap, down_line] = [
            tier::POP_ID,
            tier::UP_EDGE,
            tier::UP_BY_EDGE,
            tier::UP_BY_LINE,
            tier::DOWN_EDGE,
            tier::DOWN_BY_EDGE,
            tier::DOWN_BY_LINE,
        ]
        .map(num);
        let (pop_id, up, up_gap, up_line) = (pop_id?, up?, up_gap?, up_line?);
        let (down, down_gap, down_line) = (down?, down_gap?, down_line?);
        let row = |c: &Option<Float64Chunked>, i: usize| number_at(c, i).map(|r| r as usize);
        let fields: Vec<Option<Float64Chunked>> =
            FIELDS.iter().map(|(k, _)| num(k)).collect::<PolarsResult<_>>()?;
        let mut firms = Vec::with_capacity(n);
        for (i, &vetoed) in veto.iter().enumerate() {
            let gid = text_at(group, i);
            let gi = rules.groups.iter().position(|g| Some(g.id.as_str()) == gid).unwrap_or(0);
            let ic = text_at(icode, i).unwrap_or("");
            firms.push(Firm {
                code: text_at(code, i).unwrap_or(""),
                name: text_at(name, i).unwrap_or(""),
                park: park_or_none(text_at(park, i)),
                town: text_at(town, i),
                cluster: rules.cluster_of(ic).unwrap_or(NO_CLUSTER),
                industry_code: ic,
                scale: text_at(scale, i).unwrap_or(""),
                division: number_at(&division, i).map(|d| d as i64),
                group: gi,
                rank: number_at(&rank, i).unwrap_or(0.0) as i64,
                pop: number_at(&pop, i).unwrap_or(0.0) as i64,
                tier: text_at(t, i).unwrap_or(""),
                tier_by_score: text_at(tbs, i).unwrap_or(""),
                tier_after_events: text_at(tae, i).unwrap_or(""),
                adj_reason: text_at(adj, i).filter(|s| !s.is_empty()),
                vetoed,
                total: number_at(&total, i).unwrap_or(0.0),
                items: number_at(&items, i).unwrap_or(0.0),
                bonus: number_at(&bonus, i).unwrap_or(0.0),
                deduction: number_at(&deduction, i).unwrap_or(0.0),
                reweight: number_at(&reweight, i).unwrap_or(1.0),
                event_note: text_at(note, i).filter(|s| !s.is_empty()),
                value: vals.iter().map(|v| number_at(&v[0], i)).collect(),
                bench: vals.iter().map(|v| number_at(&v[1], i)).collect(),
                score: vals.iter().map(|v| number_at(&v[2], i)).collect(),
                min: vals.iter().map(|v| number_at(&v[3], i)).collect(),
                max: vals.iter().map(|v| number_at(&v[4], i)).collect(),
                fields: fields.iter().map(|f| number_at(f, i)).collect(),
                population: row(&pop_id, i).unwrap_or(i),
                up_edge: row(&up, i).zip(number_at(&up_gap, i)),
                up_line: number_at(&up_line, i),
                down_edge: row(&down, i).zip(number_at(&down_gap, i)),
                down_line: number_at(&down_line, i),
            });
        }

        let ne = &ev.not_evaluated;
        let nt = |c: &str| text_col(ne, c);
        let (c, nm, pk, sc, ic, cat, rs, tr) = (
            nt("code")?,
            nt("name")?,
            nt("park")?,
            nt("scale")?,
            nt("industry_code")?,
            nt("category")?,
            nt("reason")?,
            nt("tier")?,
        );
        let listed: Vec<Listed> = (0..ne.height())
            .map(|i| Listed {
                code: text_at(c, i).unwrap_or(""),
                name: text_at(nm, i).unwrap_or(""),
                park: park_or_none(text_at(pk, i)),
                scale: text_at(sc, i).unwrap_or(""),
                industry_code: text_at(ic, i).unwrap_or(""),
                category: text_at(cat, i).unwrap_or(""),
                reason: text_at(rs, i).unwrap_or(""),
                tier: text_at(tr, i),
            })
            .collect();

        let mut parks: Vec<String> = Vec::new();
        {
            let mut seen: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
            seen.extend(firms.iter().map(|f| f.park).chain(listed.iter().map(|l| l.park)));
            parks.extend(seen.into_iter().map(str::to_string));
        }

        let mut a = Analysis {
            ev,
            indicators,
            firms,
            cards: Vec::new(),
            measures: Vec::new(),
            alerts: Vec::new(),
            listed,
            parks,
            comparison: None,
            years: Vec::new(),
            per_mu: Vec::new(),
            review: None,
            corrections: Vec::new(),
            notice_order: Default::default(),
        };
        a.per_mu = PerMu::all(&a.firms, &rules.clusters);
        a.cards = a.compute_cards();
        a.measures = a.compute_measures()?;
        a.alerts = a.compute_alerts();
        a.comparison = previous.map(|p| Comparison::new(p, &a));
        Ok(a)
    }

    fn compute_cards(&self) -> Vec<Card<'a>> {
        let rules = self.rules();
        // Boundary texts are the same for every enterprise at the same boundary: one copy each.
        let mut texts: HashMap<String, Arc<str>> = HashMap::new();
        let mut intern = |s: String| -> Arc<str> {
            if let Some(t) = texts.get(&s) {
                return t.clone();
            }
            let t: Arc<str> = Arc::from(s.as_str());
            texts.insert(s, t.clone());
            t
        };
        let mut cards = Vec::with_capacity(self.firms.len());
        for f in &self.firms {
            let g = &rules.groups[f.group];
            let labels = &g.tiers.labels;
            let t = g.tiers.index_of(f.tier_by_score);
            // The engine's boundaries (`tier::UP_EDGE` …): the edge firm described, the gap read.
            let edge = |(e, gap): (usize, f64)| {
                let x = &self.firms[e];
                (gap, format!("第{}名「{}」总分{:.2}", x.rank, x.name, x.total))
            };

            // Up: the next better tier by score.
            let mut up_note: Cow<'static, str> = Cow::Borrowed("");
            let up = match t {
                _ if f.vetoed => {
                    up_note = Cow::Borrowed("一票否决，等级为最低档，与得分无关");
                    None
                }
                None => None,
                Some(0) => {
                    up_note = Cow::Borrowed("已在最高档");
                    None
                }
                Some(t) => {
                    let better = &labels[t - 1];
                    let by_firm = f.up_edge.map(edge);
                    let by_threshold = |mins: &[f64]| {
                        f.up_line.map(|gap| (gap, format!("{better}档分数线{}分", mins[t - 1])))
                    };
                    let b = match &g.tiers.method {
                        TierMethod::Quota { .. } => by_firm,
                        TierMethod::Threshold { mins } => by_threshold(mins),
                        TierMethod::Mixed { mins, .. } => match (by_firm, by_threshold(mins)) {
                            (Some(bf), Some(th)) if bf.0 > th.0 => {
                                Some((bf.0, format!("{}；{}", bf.1, th.1)))
                            }
                            (Some(bf), Some(th)) => Some((th.0, format!("{}；{}", th.1, bf.1))),
                            (bf, th) => th.or(bf),
                        },
                    };
                    if b.is_none() {
                        up_note = Cow::Owned(format!(
                            "{better}档在本排名范围内没有名额（共{}家）",
                            f.pop
                        ));
                    }
                    b.map(|(gap, reference)| Boundary {
                        tier: better.as_str(),
                        gap,
                        reference: intern(reference),
                    })
                }
            };

            // Down: the next lower tier by score (none when the final tier is already the lowest).
            let down = match t {
                Some(t)
                    if t + 1 < labels.len()
                        && g.tiers.index_of(f.tier) != Some(labels.len() - 1) =>
                {
                    let lower = &labels[t + 1];
                    let by_firm = f.down_edge.map(edge);
                    let by_threshold = |mins: &[f64]| {
                        f.down_line.map(|gap| (gap, format!("{}档分数线{}分", labels[t], mins[t])))
                    };
                    let b = match &g.tiers.method {
                        TierMethod::Quota { .. } => by_firm,
                        TierMethod::Threshold { mins } => by_threshold(mins),
                        TierMethod::Mixed { mins, .. } => match (by_firm, by_threshold(mins)) {
                            (Some(bf), Some(th)) if bf.0 < th.0 => Some(bf),
                            (bf, th) => th.or(bf),
                        },
                    };
                    b.map(|(gap, reference)| Boundary {
                        tier: lower.as_str(),
                        gap,
                        reference: intern(reference),
                    })
                }
                _ => None,
            };

            // Items of the group, with the gain of a 10 % improvement and the improvement needed.
            let gap = up.as_ref().map(|b| b.gap);
            let items: Vec<ItemCard> = g
                .indicators
                .iter()
                .map(|gi| {
                    let k = self.indicators.iter().position(|x| x.id == gi.id).unwrap_or(0);
                    self.item_card(f, k, gi, gap)
                })
                .collect();
            let mut best: Option<usize> = None;
            for (i, it) in items.iter().enumerate() {
                if let Some(gn) = it.gain {
                    if gn > 1e-9 && best.is_none_or(|b| gn > items[b].gain.unwrap_or(0.0) + 1e-12) {
                        best = Some(i);
                    }
                }
            }
            cards.push(Card { up, up_note, down, items, best });
        }
        cards
    }

    /// One indicator of a score card. `ind` is the group's own definition (weight, cap, method).
    fn item_card(&self, f: &Firm, k: usize, ind: &Indicator, gap: Option<f64>) -> ItemCard {
        let (value, bench) = (f.value[k], f.bench[k]);
        let mut card = ItemCard {
            ind: k,
            weight: ind.weight,
            cap: ind.cap,
            gain: None,
            needed: None,
            note: "",
        };
        let Some(x) = value else {
            card.note = match ind.missing {
                Missing::Zero => "缺少数据，该项0分",
                Missing::PeerMean => "缺少数据，取本组平均得分",
                Missing::Reweight => "缺少数据，该项不计、其余按权重放大",
                Missing::NotEvaluated => "缺少数据",
            };
            return card;
        };
        if x <= 0.0 {
            card.note = "指标值不大于0，无法按比例测算";
            return card;
        }
        // The engine's formula over the engine's benchmark or extremes; missing ones are NaN.
        let known = |x: Option<f64>| x.unwrap_or(f64::NAN);
        let against = Against { bench: known(bench), min: known(f.min[k]), max: known(f.max[k]) };
        let score_at = |x: f64| score::item_score(ind, x, &against);
        let s0 = score_at(x);
        let lower = ind.direction == Direction::Lower;
        let at = |r: f64| score_at(if lower { x * (1.0 - r) } else { x * (1.0 + r) });
        let gain = (at(STEP) - s0) * f.reweight;
        card.gain = Some(gain.max(0.0));
        if gain <= 1e-9 {
            card.note = match ind.cap {
                Some(c) if s0 >= c - 1e-9 => "已达封顶分",
                _ => "提高该指标不再加分",
            };
        }
        if let Some(gap) = gap {
            let max_r = if lower { 1.0 - 1e-9 } else { 100.0 };
            let reach = |r: f64| (at(r) - s0) * f.reweight >= gap - 1e-9;
            if gap <= 0.0 {
                card.needed = Some(0.0);
            } else if reach(max_r) {
                let (mut lo, mut hi) = (0.0f64, max_r);
                for _ in 0..100 {
                    let mid = (lo + hi) / 2.0;
                    if mid <= lo || mid >= hi {
                        break; // converged: further halvings change nothing
                    }
                    if reach(mid) {
                        hi = mid;
                    } else {
                        lo = mid;
                    }
                }
                card.needed = Some(hi);
            } else if card.note.is_empty() {
                card.note = "单靠该项无法达到上一档（受封顶限制）";
            }
        }
        card
    }

    fn compute_measures(&self) -> PolarsResult<Vec<Vec<MeasureRow>>> {
        let rules = self.rules();
        // Base values per policy, aligned with the firms.
        let mut bases: Vec<Vec<Option<f64>>> = Vec::new();
        for p in &rules.policies {
            bases.push(match &p.base {
                PolicyBase::None => vec![None; self.firms.len()],
                PolicyBase::Formula { expr, .. } => {
                    let out = self
                        .ev
                        .results
                        .clone()
                        .lazy()
                        .select([expr.clone().cast(DataType::Float64).alias("__base")])
                        .collect()?;
                    let c = number_col(&out, "__base")?;
                    (0..out.height()).map(|i| number_at(&c, i)).collect()
                }
                PolicyBase::Tax(t) => {
                    // Σ amount of tax type t per enterprise key; 0 for an enterprise that pays
                    // other taxes only, none for one absent from the tax table.
                    let tax = self.ev.dataset.table(TableKind::Tax);
                    let amounts = tax.column("amount")?.cast(&DataType::Float64)?;
                    let types = tax.column("tax_type")?.str()?;
                    // Every row counts (the enterprise is in the table); only type t adds.
                    let values = types
                        .iter()
                        .zip(amounts.f64()?.iter())
                        .map(|(ty, a)| Some(a.filter(|_| ty.is_some_and(|ty| ty.trim() == t))));
                    // Firms are the result rows, in order.
                    let sums = score::assemble::sum_by_key(
                        self.ev.results.column("__key")?.u32()?,
                        tax.column("__key")?.u32()?,
                        values,
                        self.ev.dataset.key_count,
                    );
                    sums.iter().collect()
                }
            });
        }
        Ok(self
            .firms
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let gid = &rules.groups[f.group].id;
                rules
                    .policies
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| {
                        p.tiers.iter().any(|t| t == f.tier)
                            && (p.groups.is_empty() || p.groups.contains(gid))
                    })
                    .map(|(pi, p)| {
                        let base = bases[pi][i];
                        MeasureRow {
                            policy: pi,
                            base,
                            amount: p.rate.zip(base).map(|(r, b)| b * r),
                        }
                    })
                    .collect()
            })
            .collect())
    }

    /// A measure's computation written out with numbers ("基数 1,000.00 万元 × 5% = 50.00 万元"),
    /// why it cannot be computed, or empty for a measure without an amount.
    pub fn formula(&self, m: &MeasureRow) -> String {
        let p = &self.rules().policies[m.policy];
        match (p.rate, m.base) {
            (None, _) => String::new(),
            (Some(_), None) => format!("缺少{}数据，无法计算", p.base_name),
            (Some(r), Some(b)) => {
                let amount = b * r;
                let rate = if p.percent {
                    format!("{}%", trim_num(r * 100.0))
                } else {
                    join_unit(&trim_num(r), &p.rate_unit)
                };
                format!(
                    "{} {} × {} = {}",
                    p.base_name,
                    join_unit(&fmt_num(b, 2), &p.base_unit),
                    rate,
                    join_unit(&fmt_num(amount, 2), &p.unit)
                )
            }
        }
    }

    fn compute_alerts(&self) -> Vec<AlertRow> {
        let rules = self.rules();
        let mut out = Vec::new();
        for (i, f) in self.firms.iter().enumerate() {
            if let (Some(m), Some(d)) = (rules.alerts.margin, &self.cards[i].down) {
                if d.gap <= m + 1e-9 {
                    out.push(AlertRow {
                        firm: i,
                        kind: AlertKind::NearLower,
                        detail: format!("领先{}档仅{:.2}分（{}）", d.tier, d.gap, d.reference),
                        value: Some(d.gap),
                        limit: Some(m),
                    });
                }
            }
            let gid = &rules.groups[f.group].id;
            for (ti, th) in rules.alerts.thresholds.iter().enumerate() {
                if !th.groups.is_empty() && !th.groups.contains(gid) {
                    continue;
                }
                if !rules.groups[f.group].indicators.iter().any(|x| x.id == th.indicator) {
                    continue;
                }
                let Some(k) = self.indicators.iter().position(|x| x.id == th.indicator) else {
                    continue;
                };
                let Some(v) = f.value[k] else { continue };
                let limit = match th.rule {
                    AlertRule::Below(l) => (v < l).then_some(l),
                    AlertRule::Above(l) => (v > l).then_some(l),
                    AlertRule::BelowShareOfBenchmark(s) => {
                        f.bench[k].map(|b| b * s).filter(|l| v < *l)
                    }
                };
                if let Some(l) = limit {
                    out.push(AlertRow {
                        firm: i,
                        kind: AlertKind::Threshold(ti),
                        detail: th.note.clone(),
                        value: Some(v),
                        limit: Some(l),
                    });
                }
            }
        }
        out
    }

    /// Display name of a tier label in a group: "A（优先发展类）".
    pub fn tier_display(&self, group: usize, label: &str) -> String {
        let t = &self.rules().groups[group].tiers;
        match t.index_of(label).and_then(|i| t.names.get(i)) {
            Some(n) => format!("{label}（{n}）"),
            None => label.to_string(),
        }
    }

    /// Name of a tier label ("优先发展类"), empty if none.
    pub fn tier_name(&self, group: usize, label: &str) -> &'a str {
        let t = &self.rules().groups[group].tiers;
        t.index_of(label).and_then(|i| t.names.get(i)).map(String::as_str).unwrap_or("")
    }

    /// Tier labels of all groups in order of first appearance (best first).
    pub fn all_labels(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for g in &self.rules().groups {
            for l in &g.tiers.labels {
                if !out.contains(l) {
                    out.push(l.clone());
                }
            }
        }
        out
    }

    /// The measures (`[[policies]] measure`) that apply to firm `i`, joined by "；"; empty when
    /// none.
    pub fn measures_text(&self, i: usize) -> String {
        let mut out = String::new();
        for (k, m) in self.measures[i].iter().enumerate() {
            if k > 0 {
                out.push('；');
            }
            out.push_str(&self.rules().policies[m.policy].measure);
        }
        out
    }

    /// The best indicator's name and its gain, for one-line summaries.
    pub fn best_text(&self, i: usize) -> String {
        let c = &self.cards[i];
        match c.best {
            Some(b) => {
                let it = &c.items[b];
                let mut s = format!(
                    "{}（改善10%可增{:.2}分",
                    self.indicators[it.ind].name,
                    it.gain.unwrap_or(0.0)
                );
                if let Some(n) = it.needed {
                    s += &format!("；单靠该项升档需改善{:.1}%", n * 100.0);
                }
                s + "）"
            }
            None => String::new(),
        }
    }
}

/// Aggregates (ratios of sums) of a set of firms: count, land, and each of [`AGGREGATES`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aggregate {
    /// Number of firms.
    pub n: usize,
    /// Their land in mu (Σ `land_mu`, missing counted as 0).
    pub land: f64,
    /// Sums of the numerators of [`AGGREGATES`].
    pub sums: Vec<f64>,
}

impl Aggregate {
    /// Count, land and numerator sums of `firms`.
    pub fn of<'f, 'a: 'f>(firms: impl Iterator<Item = &'f Firm<'a>>) -> Aggregate {
        let mut a = Aggregate::empty();
        for f in firms {
            a.add(f);
        }
        a
    }
    /// No firm.
    pub fn empty() -> Aggregate {
        Aggregate { n: 0, land: 0.0, sums: vec![0.0; AGGREGATES.len()] }
    }
    fn add(&mut self, f: &Firm) {
        self.n += 1;
        self.land += f.field("land_mu").unwrap_or(0.0);
        for (k, (_, _, field)) in AGGREGATES.iter().enumerate() {
            self.sums[k] += f.field(field).unwrap_or(0.0);
        }
    }
    /// Ratio of sums of aggregate `k`; none without land.
    pub fn per_mu(&self, k: usize) -> Option<f64> {
        (self.land > 0.0).then(|| self.sums[k] / self.land)
    }
}

/// The per-mu aggregates (ratios of sums) of one scope of evaluated firms: the district (`park`
/// and `cluster` none), a park, a cluster, or a park's cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct PerMu {
    /// The park ([`NO_PARK`] for firms without one); none for the district or a cluster.
    pub park: Option<String>,
    /// The industry cluster ([`NO_CLUSTER`] for codes no cluster claims); none for the district
    /// or a park.
    pub cluster: Option<String>,
    /// Count, land and sums.
    pub agg: Aggregate,
}

/// (park, cluster) of a [`PerMu`] while it is summed.
type PerMuScope<'s> = (Option<&'s str>, Option<&'s str>);

impl PerMu {
    /// Every scope of `firms`, each firm added in firm order (so the sums are the same as
    /// [`Aggregate::of`] over the scope's firms): the district, the parks (sorted), the clusters
    /// (in `clusters` order, then [`NO_CLUSTER`]), then each park's clusters in the same orders;
    /// scopes without a firm are left out.
    fn all(firms: &[Firm], clusters: &[crate::rules::Cluster]) -> Vec<PerMu> {
        let mut order: Vec<&str> = clusters.iter().map(|c| c.name.as_str()).collect();
        order.push(NO_CLUSTER);
        let rank = |c: &str| order.iter().position(|x| *x == c).unwrap_or(order.len());
        let mut by: std::collections::BTreeMap<(u8, &str, usize), (PerMuScope, Aggregate)> =
            Default::default();
        for f in firms {
            let c = rank(f.cluster);
            for key in [(0, "", 0), (1, f.park, 0), (2, "", c), (3, f.park, c)] {
                let scope = match key.0 {
                    0 => (None, None),
                    1 => (Some(f.park), None),
                    2 => (None, Some(f.cluster)),
                    _ => (Some(f.park), Some(f.cluster)),
                };
                by.entry(key).or_insert_with(|| (scope, Aggregate::empty())).1.add(f);
            }
        }
        by.into_values()
            .map(|((p, c), agg)| PerMu {
                park: p.map(str::to_string),
                cluster: c.map(str::to_string),
                agg,
            })
            .collect()
    }
}

impl<'a> Analysis<'a> {
    /// The aggregates of `park` and `cluster` (none: all); empty when no evaluated firm is in it.
    pub fn per_mu_of(&self, park: Option<&str>, cluster: Option<&str>) -> Aggregate {
        self.per_mu
            .iter()
            .find(|m| m.park.as_deref() == park && m.cluster.as_deref() == cluster)
            .map(|m| m.agg.clone())
            .unwrap_or_else(Aggregate::empty)
    }
}

/// Shortest exact representation of a rate (0.1 → "0.1").
pub fn trim_num(x: f64) -> String {
    let s = format!("{x}");
    if s.contains('e') {
        format!("{x:.6}")
    } else {
        s
    }
}

/// A number with thousands separators and `d` decimals.
pub fn fmt_num(x: f64, d: usize) -> String {
    let s = format!("{:.*}", d, x.abs());
    let (int, frac) = match s.find('.') {
        Some(p) => (&s[..p], &s[p..]),
        None => (s.as_str(), ""),
    };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let neg = x < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0');
    format!("{}{out}{frac}", if neg { "-" } else { "" })
}

fn join_unit(v: &str, unit: &str) -> String {
    if unit.is_empty() {
        v.to_string()
    } else {
        format!("{v} {unit}")
    }
}
