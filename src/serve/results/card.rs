//! The firm card: one firm's stored results CSV line read field by field under the run's CSV
//! header — every indicator's value, benchmark and score with its weight from the run's stored
//! rules, bonus and deduction, the tiers and the 调档 reason, the next tier and the gap to it,
//! the best indicator, the measures — and its years in the store. Every figure is the text the
//! CSV holds (shortened for reading); nothing is computed again.

use serde::Serialize;

use crate::columns::{key, unguard};
use crate::rules;
use crate::store::{FirmLine, HistoryYear};

/// One indicator of the card.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorRow {
    /// Its id in the rules.
    pub id: String,
    /// Its name (the id when the stored rules do not name it).
    pub name: String,
    /// Its unit.
    pub unit: String,
    /// Value, benchmark, score as recorded ("" when blank).
    pub value: String,
    /// Benchmark.
    pub benchmark: String,
    /// Score.
    pub score: String,
    /// The weight in the firm's group from the stored rules ("" when unknown).
    pub weight: String,
}

/// A year of the firm in the store.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRow {
    /// Evaluation year.
    pub year: i32,
    /// The run it is read from.
    pub run: i64,
    /// The run's status.
    pub status: String,
    /// Park that year.
    pub park: String,
    /// Evaluated that year.
    pub evaluated: bool,
    /// Final tier.
    pub tier: String,
    /// Total.
    pub total: String,
    /// Rank.
    pub rank: String,
}

/// The firm card.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    /// Evaluated in this run (false: listed as not evaluated, with its category and reason).
    pub evaluated: bool,
    /// The CSV's fields before the indicators, by key, as (key, label, text).
    pub facts: Vec<(String, &'static str, String)>,
    /// Indicators of its group.
    pub indicators: Vec<IndicatorRow>,
    /// The recorded quantities (land, tax, output …) as (label, text).
    pub quantities: Vec<(String, String)>,
    /// The tier above and the points it lacks, as recorded.
    pub next_tier: String,
    /// Points to the next tier.
    pub gap_to_next_tier: String,
    /// The indicator that lifts the total most (its name).
    pub best_indicator: String,
    /// Policy measures.
    pub measures: Vec<String>,
    /// Why not evaluated: category and reason.
    pub category: String,
    /// Reason.
    pub reason: String,
    /// Its years in the store.
    pub history: Vec<HistoryRow>,
}

/// The facts a card shows, in order, with their labels; the numbers among them (shortened).
const FACTS: &[(&str, &str)] = &[
    (key::CODE, "统一社会信用代码"),
    (key::NAME, "企业名称"),
    (key::PARK, "所属园区"),
    ("town", "乡镇街道"),
    (key::INDUSTRY_CODE, "行业代码"),
    (key::SCALE, "规模"),
    (key::CLUSTER, "产业集群"),
    (key::GROUP_NAME, "评价组"),
    (key::RANK, "排名"),
    (key::RANK_POPULATION, "排名范围企业数"),
    ("tier_by_score", "按得分等级"),
    ("tier_after_events", "事件调整后等级"),
    (key::TIER, "最终等级"),
    ("tier_name", "等级名称"),
    ("adj_reason", "调档原因"),
    (key::TOTAL, "总分"),
    ("items_total", "指标得分合计"),
    ("bonus", "加分"),
    ("deduction", "减分"),
    ("reweight", "权重调整"),
    ("event_note", "事件说明"),
];
/// The facts that are numbers.
const NUMBERS: &[&str] = &[key::TOTAL, "items_total", "bonus", "deduction", "reweight"];

/// The fields of a stored line under its header: (key, text as written, unguarded).
pub fn fields(head: &[u8], line: &[u8]) -> Vec<(String, String)> {
    let text = [head, line].concat();
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_slice());
    let mut records = rdr.records().filter_map(Result::ok);
    let (Some(h), Some(r)) = (records.next(), records.next()) else { return Vec::new() };
    h.iter()
        .map(|s| s.trim_start_matches('\u{feff}').to_string())
        .zip(r.iter().map(|s| unguard(s).to_string()))
        .collect()
}

/// The field `k` ("" when absent).
fn get<'f>(f: &'f [(String, String)], k: &str) -> &'f str {
    f.iter().find(|(h, _)| h == k).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// A stored number as shown: at most four decimals, trailing zeros dropped; other text as it is.
pub use crate::report::review::short;

/// The card of `line` with the firm's `years` (already limited to what the viewer may see).
pub fn card(line: &FirmLine, years: &[HistoryYear]) -> Card {
    let f = fields(&line.csv_head, &line.csv_line);
    let labels = rules::indicator_labels(&line.rules_text).unwrap_or_default();
    let name_of = |id: &str| {
        labels.iter().find(|l| l.id == id).map(|l| l.name.clone()).unwrap_or_else(|| id.into())
    };
    let facts = FACTS
        .iter()
        .map(|(k, label)| {
            let v = get(&f, k);
            let v = if NUMBERS.contains(k) { short(v) } else { v.to_string() };
            (k.to_string(), *label, v)
        })
        .filter(|(_, _, v)| !v.is_empty())
        .collect();
    let best = get(&f, "best_indicator");
    Card {
        evaluated: get(&f, key::STATUS) == key::EVALUATED,
        facts,
        indicators: indicators(&f, line, &labels),
        quantities: quantities(&f),
        next_tier: get(&f, "next_tier").to_string(),
        gap_to_next_tier: short(get(&f, "gap_to_next_tier")),
        best_indicator: if best.is_empty() { String::new() } else { name_of(best) },
        measures: get(&f, "measures")
            .split('；')
            .filter(|m| !m.trim().is_empty())
            .map(str::to_string)
            .collect(),
        category: get(&f, key::CATEGORY).to_string(),
        reason: get(&f, key::REASON).to_string(),
        history: years.iter().map(history_row).collect(),
    }
}

/// The indicators of the firm's group (those the stored rules weigh in it; without readable
/// rules, every indicator with a recorded part).
fn indicators(
    f: &[(String, String)],
    line: &FirmLine,
    labels: &[rules::IndicatorLabel],
) -> Vec<IndicatorRow> {
    let layout = rules::stored_layout(&line.rules_text).unwrap_or_default();
    let group = get(f, key::GROUP);
    let weight = |id: &str| {
        layout.weights.iter().find(|(g, i, _)| g == group && i == id).map(|(_, _, w)| *w)
    };
    let in_group = layout.weights.iter().any(|(g, _, _)| g == group);
    f.iter()
        .filter_map(|(h, _)| h.strip_suffix(".value"))
        .filter_map(|id| {
            let part = |p: &str| short(get(f, &key::indicator(id, p)));
            let (value, benchmark, score) = (part("value"), part("benchmark"), part("score"));
            let w = weight(id);
            let shown = match in_group {
                true => w.is_some(),
                false => !(value.is_empty() && benchmark.is_empty() && score.is_empty()),
            };
            let label = labels.iter().find(|l| l.id == id);
            shown.then(|| IndicatorRow {
                id: id.to_string(),
                name: label.map(|l| l.name.clone()).unwrap_or_else(|| id.to_string()),
                unit: label.map(|l| l.unit.clone()).unwrap_or_default(),
                value,
                benchmark,
                score,
                weight: w.map(|w| short(&w.to_string())).unwrap_or_default(),
            })
        })
        .collect()
}

/// The recorded quantities with their labels, in the CSV's order.
fn quantities(f: &[(String, String)]) -> Vec<(String, String)> {
    crate::report::analysis::FIELDS
        .iter()
        .filter_map(|(k, label)| {
            let v = get(f, k);
            (!v.is_empty()).then(|| (label.to_string(), short(v)))
        })
        .collect()
}

fn history_row(y: &HistoryYear) -> HistoryRow {
    HistoryRow {
        year: y.year,
        run: y.run,
        status: y.status.clone(),
        park: y.park.clone().unwrap_or_default(),
        evaluated: y.evaluated,
        tier: y.tier.clone().unwrap_or_default(),
        total: y.total.map(|t| short(&t.to_string())).unwrap_or_default(),
        rank: y.rank.map(|r| r.to_string()).unwrap_or_default(),
    }
}
