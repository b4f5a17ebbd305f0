//! The evaluated enterprises as plain rows, with what every report needs computed once: each
//! enterprise's score card (distance to the next tier boundary, the indicator that would move it
//! most), its policy measures and amounts, early-warning rows, and (with a previous year) the
//! comparison. Every sheet, the per-park workbooks, the CSV/JSON export and `mujun explain`
//! read this one structure, so they always agree.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use polars::prelude::*;

use crate::evaluation::Evaluation;
use crate::ingest::previous::{Comparison, Previous};
use crate::ingest::schema::TableKind;
use crate::rules::{
    AlertRule, Direction, Indicator, Method, Missing, Over, PolicyBase, Rules, TierMethod,
    AGGREGATES,
};
use crate::score::{self, events, GROUP};
use crate::tier;

/// Park label for enterprises without one.
pub const NO_PARK: &str = "（未填园区）";
/// Cluster label for industry codes no cluster claims.
pub const NO_CLUSTER: &str = "其他";

/// Enterprise quantities shown next to the scores: field, header with unit.
pub const FIELDS: &[(&str, &str)] = &[
    ("land_mu", "评价用地面积(亩)"),
    ("tax", "计入实缴税额(万元)"),
    ("output_value", "工业总产值(万元)"),
    ("revenue", "营业收入(万元)"),
    ("value_added", "工业增加值(万元)"),
    ("profit", "利润总额(万元)"),
    ("rd", "研发经费支出(万元)"),
    ("employees", "年平均职工人数(人)"),
    ("energy", "综合能耗(吨标准煤)"),
    ("electricity", "用电量(万千瓦时)"),
    ("pollutants", "主要污染物排放(吨)"),
];

/// The relative improvement used for "the indicator that would move it most".
pub const STEP: f64 = 0.10;

/// An evaluated enterprise. Its text borrows from the evaluation's results frame (a province
/// has a million of them: owned copies would double the report's memory).
#[derive(Debug, Clone)]
pub struct Firm<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub park: &'a str,
    pub town: Option<&'a str>,
    pub industry_code: &'a str,
    pub scale: &'a str,
    pub division: Option<i64>,
    pub cluster: &'a str,
    /// Index into `rules.groups`.
    pub group: usize,
    pub rank: i64,
    pub pop: i64,
    pub tier: &'a str,
    pub tier_by_score: &'a str,
    pub tier_after_events: &'a str,
    pub adj_reason: Option<&'a str>,
    pub vetoed: bool,
    pub total: f64,
    pub items: f64,
    pub bonus: f64,
    pub deduction: f64,
    pub reweight: f64,
    pub event_note: Option<&'a str>,
    /// Per indicator of [`Analysis::indicators`].
    pub value: Vec<Option<f64>>,
    pub bench: Vec<Option<f64>>,
    pub score: Vec<Option<f64>>,
    /// Per [`FIELDS`].
    pub fields: Vec<Option<f64>>,
    /// Ranking population (group and the `rank_within` fields), numbered.
    pub population: u32,
}

impl Firm<'_> {
    pub fn field(&self, key: &str) -> Option<f64> {
        FIELDS.iter().position(|(k, _)| *k == key).and_then(|i| self.fields[i])
    }
}

/// A not-evaluated enterprise (text borrowed from the not-evaluated frame).
#[derive(Debug, Clone)]
pub struct Listed<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub park: &'a str,
    pub scale: &'a str,
    pub industry_code: &'a str,
    pub category: &'a str,
    pub reason: &'a str,
    pub tier: Option<&'a str>,
}

/// A tier boundary next to an enterprise.
#[derive(Debug, Clone)]
pub struct Boundary<'a> {
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
    pub weight: f64,
    pub cap: Option<f64>,
    /// Total-score gain from improving the value by [`STEP`] (10 %).
    pub gain: Option<f64>,
    /// Relative improvement of this indicator alone that closes the gap to the next tier.
    pub needed: Option<f64>,
    pub note: &'static str,
}

#[derive(Debug, Clone)]
pub struct Card<'a> {
    pub up: Option<Boundary<'a>>,
    /// Why there is no `up` (top tier, veto, no places), else empty.
    pub up_note: Cow<'static, str>,
    pub down: Option<Boundary<'a>>,
    pub items: Vec<ItemCard>,
    /// Index into `items` of the indicator with the largest gain.
    pub best: Option<usize>,
}

/// A policy measure that applies to an enterprise; [`Analysis::formula`] writes its computation.
#[derive(Debug, Clone)]
pub struct MeasureRow {
    /// Index into `rules.policies`.
    pub policy: usize,
    pub base: Option<f64>,
    pub amount: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AlertKind {
    /// Within `alerts.margin` points of the next lower tier.
    NearLower,
    /// An indicator beyond an alert threshold (index into `rules.alerts.thresholds`).
    Threshold(usize),
}

#[derive(Debug, Clone)]
pub struct AlertRow {
    pub firm: usize,
    pub kind: AlertKind,
    pub detail: String,
    /// Indicator value, or points ahead of the lower tier.
    pub value: Option<f64>,
    /// The threshold, or the margin.
    pub limit: Option<f64>,
}

pub struct Analysis<'a> {
    pub ev: &'a Evaluation,
    pub indicators: Vec<&'a Indicator>,
    pub firms: Vec<Firm<'a>>,
    pub cards: Vec<Card<'a>>,
    pub measures: Vec<Vec<MeasureRow>>,
    pub alerts: Vec<AlertRow>,
    pub listed: Vec<Listed<'a>>,
    /// Every park of evaluated and not-evaluated enterprises, sorted.
    pub parks: Vec<String>,
    pub comparison: Option<Comparison>,
    /// Min and max per (indicator, `over` population), filled on first use: one pass per indicator.
    minmax: std::sync::Mutex<HashMap<usize, HashMap<(usize, String), (f64, f64)>>>,
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

/// Park of a row: blank or absent reads as [`NO_PARK`].
fn park_or_none(p: Option<&str>) -> &str {
    p.filter(|p| !p.trim().is_empty()).unwrap_or(NO_PARK)
}

impl<'a> Analysis<'a> {
    pub fn rules(&self) -> &'a Rules {
        &self.ev.rules
    }

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
            vals.push((
                num(&score::value_col(&ind.id))?,
                num(&score::bench_col(&ind.id))?,
                num(&score::score_col(&ind.id))?,
            ));
        }
        let fields: Vec<Option<Float64Chunked>> =
            FIELDS.iter().map(|(k, _)| num(k)).collect::<PolarsResult<_>>()?;
        // Ranking-population key columns, as text.
        let mut keycols: BTreeMap<String, Column> = BTreeMap::new();
        for g in &rules.groups {
            for k in &g.tiers.rank_within {
                if k != "group" && !keycols.contains_key(k) {
                    if let Ok(c) = df.column(k) {
                        keycols.insert(k.clone(), c.cast(&DataType::String)?.rechunk());
                    }
                }
            }
        }
        let keycols: BTreeMap<&str, &StringChunked> =
            keycols.iter().map(|(k, c)| Ok((k.as_str(), c.str()?))).collect::<PolarsResult<_>>()?;

        let mut population_ids: HashMap<String, u32> = HashMap::new();
        let mut key = String::new();
        let mut firms = Vec::with_capacity(n);
        for i in 0..n {
            let gid = text_at(group, i);
            let gi = rules.groups.iter().position(|g| Some(g.id.as_str()) == gid).unwrap_or(0);
            let g = &rules.groups[gi];
            key.clear();
            key.push_str(&g.id);
            for k in &g.tiers.rank_within {
                if k != "group" {
                    key.push('\u{1}');
                    key.push_str(keycols.get(k.as_str()).and_then(|c| c.get(i)).unwrap_or(""));
                }
            }
            let next = population_ids.len() as u32;
            let population = match population_ids.get(key.as_str()) {
                Some(&p) => p,
                None => *population_ids.entry(key.clone()).or_insert(next),
            };
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
                vetoed: veto[i],
                total: number_at(&total, i).unwrap_or(0.0),
                items: number_at(&items, i).unwrap_or(0.0),
                bonus: number_at(&bonus, i).unwrap_or(0.0),
                deduction: number_at(&deduction, i).unwrap_or(0.0),
                reweight: number_at(&reweight, i).unwrap_or(1.0),
                event_note: text_at(note, i).filter(|s| !s.is_empty()),
                value: vals.iter().map(|v| number_at(&v.0, i)).collect(),
                bench: vals.iter().map(|v| number_at(&v.1, i)).collect(),
                score: vals.iter().map(|v| number_at(&v.2, i)).collect(),
                fields: fields.iter().map(|f| number_at(f, i)).collect(),
                population,
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
            minmax: Default::default(),
            notice_order: Default::default(),
        };
        a.cards = a.compute_cards();
        a.measures = a.compute_measures()?;
        a.alerts = a.compute_alerts();
        a.comparison = previous.map(|p| Comparison::new(p, &a));
        Ok(a)
    }

    /// Min and max of an indicator over the population of the min–max method.
    fn min_max(&self, k: usize, ind: &Indicator, f: &Firm) -> Option<(f64, f64)> {
        let field = |x: &Firm, name: &str| -> String {
            match name {
                "park" => x.park.to_string(),
                "town" => x.town.unwrap_or_default().to_string(),
                "scale" => x.scale.to_string(),
                "industry_code" => x.industry_code.to_string(),
                "division" => x.division.map(|d| d.to_string()).unwrap_or_default(),
                _ => String::new(),
            }
        };
        // The population key of a firm: (group or usize::MAX for all, field value or "").
        let key = |x: &Firm| -> (usize, String) {
            match &ind.over {
                Over::All => (usize::MAX, String::new()),
                Over::Group => (x.group, String::new()),
                Over::Field(name) => (x.group, field(x, name)),
            }
        };
        // Sheets build rows on a helper thread (`TableWriter::write_rows`): the cache is shared.
        let mut cache = self.minmax.lock().unwrap_or_else(|e| e.into_inner());
        let table = cache.entry(k).or_insert_with(|| {
            let mut t: HashMap<(usize, String), (f64, f64)> = HashMap::new();
            for x in &self.firms {
                if let Some(v) = x.value[k] {
                    let e = t.entry(key(x)).or_insert((v, v));
                    *e = (e.0.min(v), e.1.max(v));
                }
            }
            t
        });
        table.get(&key(f)).copied()
    }

    fn compute_cards(&self) -> Vec<Card<'a>> {
        let rules = self.rules();
        // First and last member (in rank order) of each tier-by-score label per population, so a
        // card finds its tier boundaries without scanning the population.
        let mut edges: HashMap<(u32, &str), (usize, usize)> = HashMap::new();
        let order = |i: usize| (self.firms[i].rank, i);
        for (i, f) in self.firms.iter().enumerate() {
            let e = edges.entry((f.population, f.tier_by_score)).or_insert((i, i));
            if order(i) < order(e.0) {
                e.0 = i;
            }
            if order(i) > order(e.1) {
                e.1 = i;
            }
        }
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
            let pop = f.population;
            let last_of = |label: &str| edges.get(&(pop, label)).map(|e| &self.firms[e.1]);
            let first_of = |label: &str| edges.get(&(pop, label)).map(|e| &self.firms[e.0]);
            let edge = |x: &Firm| format!("第{}名「{}」总分{:.2}", x.rank, x.name, x.total);
            let round = |x: f64| {
                let m = 10f64.powi(g.tiers.round as i32);
                (x * m).round() / m
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
                    let by_firm =
                        last_of(better).map(|x| (round(x.total - f.total).max(0.0), edge(x)));
                    let by_threshold = |mins: &[f64]| {
                        (
                            round(mins[t - 1] - f.total).max(0.0),
                            format!("{better}档分数线{}分", mins[t - 1]),
                        )
                    };
                    let b = match &g.tiers.method {
                        TierMethod::Quota { .. } => by_firm,
                        TierMethod::Threshold { mins } => Some(by_threshold(mins)),
                        TierMethod::Mixed { mins, .. } => {
                            let th = by_threshold(mins);
                            Some(match by_firm {
                                Some(bf) if bf.0 > th.0 => (bf.0, format!("{}；{}", bf.1, th.1)),
                                Some(bf) => (th.0, format!("{}；{}", th.1, bf.1)),
                                None => th,
                            })
                        }
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
                    let by_firm =
                        first_of(lower).map(|x| (round(f.total - x.total).max(0.0), edge(x)));
                    let by_threshold = |mins: &[f64]| {
                        (
                            round(f.total - mins[t]).max(0.0),
                            format!("{}档分数线{}分", labels[t], mins[t]),
                        )
                    };
                    let b = match &g.tiers.method {
                        TierMethod::Quota { .. } => by_firm,
                        TierMethod::Threshold { mins } => Some(by_threshold(mins)),
                        TierMethod::Mixed { mins, .. } => {
                            let th = by_threshold(mins);
                            Some(match by_firm {
                                Some(bf) if bf.0 < th.0 => bf,
                                _ => th,
                            })
                        }
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
        let mm = match ind.method {
            Method::MinMax { .. } => self.min_max(k, ind, f),
            _ => None,
        };
        let s0 = item_score(ind, x, bench, mm);
        let lower = ind.direction == Direction::Lower;
        let at =
            |r: f64| item_score(ind, if lower { x * (1.0 - r) } else { x * (1.0 + r) }, bench, mm);
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

/// An item score as the engine computes it (floor, then cap), for a hypothetical value.
/// Min–max keeps the population's min and max fixed and clamps to [min, max].
pub fn item_score(ind: &Indicator, x: f64, bench: Option<f64>, min_max: Option<(f64, f64)>) -> f64 {
    let w = ind.weight;
    let raw = match ind.method {
        Method::Ratio => match bench {
            Some(b) if b > 0.0 => x / b * w,
            _ => 0.0,
        },
        Method::LowerRatio => match bench {
            Some(b) if b > 0.0 => (2.0 - x / b) * w / 2.0,
            _ => 0.0,
        },
        Method::MinMax { floor_share } => match min_max {
            Some((mn, mx)) if mx > mn => {
                let frac = match ind.direction {
                    Direction::Higher => (x - mn) / (mx - mn),
                    Direction::Lower => (mx - x) / (mx - mn),
                };
                w * (floor_share + (1.0 - floor_share) * frac.clamp(0.0, 1.0))
            }
            _ => w,
        },
    };
    let e = if raw < ind.floor { ind.floor } else { raw };
    match ind.cap {
        Some(c) if e > c => c,
        _ => e,
    }
}

/// Aggregates (ratios of sums) of a set of firms: count, land, and each of [`AGGREGATES`].
#[derive(Debug, Clone, Default)]
pub struct Aggregate {
    pub n: usize,
    pub land: f64,
    /// Sums of the numerators of [`AGGREGATES`].
    pub sums: Vec<f64>,
}

impl Aggregate {
    pub fn of<'f, 'a: 'f>(firms: impl Iterator<Item = &'f Firm<'a>>) -> Aggregate {
        let mut a = Aggregate { n: 0, land: 0.0, sums: vec![0.0; AGGREGATES.len()] };
        for f in firms {
            a.n += 1;
            a.land += f.field("land_mu").unwrap_or(0.0);
            for (k, (_, _, field)) in AGGREGATES.iter().enumerate() {
                a.sums[k] += f.field(field).unwrap_or(0.0);
            }
        }
        a
    }
    /// Ratio of sums of aggregate `k`; none without land.
    pub fn per_mu(&self, k: usize) -> Option<f64> {
        (self.land > 0.0).then(|| self.sums[k] / self.land)
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
