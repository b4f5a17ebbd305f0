//! 复核对比: which firms' total, rank or tier differ between two runs of one scheme, and why —
//! read from the two runs' results CSVs (what score and tier wrote; nothing is scored again).
//!
//! A firm is listed when it is evaluated in either run and its total, rank or tier differs
//! (one evaluated in one run only has entered or left). Its causes, any number of them:
//! 1. [`Cause::OwnData`] — a quantity, an indicator value or its group, industry or scale changed;
//! 2. [`Cause::Benchmark`] — an indicator's benchmark changed (other firms' data moved it);
//! 3. [`Cause::Boundary`] — its total is unchanged but its rank or the number ranked changed;
//! 4. [`Cause::Events`] — bonus, deduction, the events note or the 调档 changed, or its tier
//!    changed at the events step while its tier by score did not;
//! 5. [`Cause::Entry`] — it is evaluated in one run only;
//! 6. [`Cause::Other`] — none of these (the total moved for a reason the CSV does not show).

use std::collections::{BTreeMap, BTreeSet};

use crate::columns::{key, unguard};
use crate::ingest::schema::{field_header, REPORT_FIELDS};
use crate::rules::IndicatorLabel;

/// Why the CSV of a run could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// A results CSV could not be read.
    #[error("无法读取评价结果文件 {path}：{detail}")]
    Read {
        /// The file.
        path: String,
        /// Why (Chinese).
        detail: String,
    },
    /// The runs are of different schemes.
    #[error("两次评价的方案不同（「{a}」与「{b}」），不能对比")]
    Schemes {
        /// The earlier run's scheme.
        a: String,
        /// The later run's.
        b: String,
    },
    /// The bytes are not a results CSV.
    #[error("{what}不是评价结果 CSV：{detail}")]
    NotResults {
        /// Which run.
        what: String,
        /// What is wrong.
        detail: String,
    },
}

/// One firm's line of a results CSV: column → field.
type Record = BTreeMap<String, String>;

/// A run's results by credit code, with the indicator ids of its header.
#[derive(Debug, Clone)]
pub struct Side {
    records: BTreeMap<String, Record>,
    indicators: Vec<String>,
}

impl Side {
    /// Read the results CSV `bytes` of the run `what` names (for messages).
    pub fn read(what: &str, bytes: &[u8]) -> Result<Side, DiffError> {
        let bad = |detail: String| DiffError::NotResults { what: what.into(), detail };
        let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        let mut rdr = csv::ReaderBuilder::new().from_reader(bytes);
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| bad(format!("表头无法读取（{e}）")))?
            .iter()
            .map(str::to_string)
            .collect();
        for need in [key::CODE, key::STATUS, key::TOTAL, key::RANK, key::TIER] {
            if !header.iter().any(|h| h == need) {
                return Err(bad(format!("缺少列 {need}")));
            }
        }
        let indicators =
            header.iter().filter_map(|h| h.strip_suffix(".value").map(str::to_string)).collect();
        let mut records = BTreeMap::new();
        for (i, r) in rdr.records().enumerate() {
            let r = r.map_err(|e| bad(format!("第 {} 行无法读取（{e}）", i + 2)))?;
            let rec: Record =
                header.iter().cloned().zip(r.iter().map(|f| unguard(f).to_string())).collect();
            records.insert(rec[key::CODE].clone(), rec);
        }
        Ok(Side { records, indicators })
    }
}

/// The run a re-run corrects, as its 复核对比 compares with it: its name in the sheet, its
/// results and its indicators' names.
#[derive(Debug, Clone)]
pub struct Base {
    /// "第 1 号评价（…）".
    pub name: String,
    /// Its results.
    pub side: Side,
    /// Its indicators' names.
    pub labels: Vec<IndicatorLabel>,
}

/// One field's value in both runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Moved {
    /// What it is (a quantity's header, an indicator's name).
    pub what: String,
    /// Before.
    pub old: String,
    /// After.
    pub new: String,
}

/// Why a firm's result changed.
#[derive(Debug, Clone, PartialEq)]
pub enum Cause {
    /// Its own data.
    OwnData {
        /// The fields (register, quantities, indicator values) that changed.
        fields: Vec<Moved>,
        /// The item scores of the indicators whose value changed.
        items: Vec<Moved>,
    },
    /// Benchmarks that moved.
    Benchmark {
        /// Each moved benchmark.
        benchmarks: Vec<Moved>,
        /// The firm's item scores of those indicators.
        items: Vec<Moved>,
    },
    /// Same total, another rank or population.
    Boundary {
        /// 名次.
        rank: Moved,
        /// 排名人数.
        population: Moved,
        /// Its tier by score changed.
        crossed: bool,
    },
    /// Bonus, deduction, the events note or the 调档.
    Events(Vec<Moved>),
    /// Evaluated in the later run only (`entered`), or in the earlier only; with the other run's
    /// reason when it lists the firm as not evaluated.
    Entry {
        /// Evaluated in the later run (not in the earlier).
        entered: bool,
        /// The other run's category and reason, or that it does not list the firm.
        reason: String,
    },
    /// None of the above.
    Other,
}

impl Cause {
    /// Its number in the list above (1–6).
    pub fn number(&self) -> usize {
        match self {
            Cause::OwnData { .. } => 1,
            Cause::Benchmark { .. } => 2,
            Cause::Boundary { .. } => 3,
            Cause::Events(_) => 4,
            Cause::Entry { .. } => 5,
            Cause::Other => 6,
        }
    }
}

/// The causes' names, by [`Cause::number`] − 1.
pub const CAUSE_NAMES: [&str; 6] = [
    "本企业数据更正",
    "基准值变化",
    "名次或排名人数变化",
    "加减分事项或调档变化",
    "进入或退出评价",
    "其他",
];

/// A firm's standing in one run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Standing {
    /// Total score ("" when not evaluated).
    pub total: String,
    /// Rank.
    pub rank: String,
    /// Firms ranked with it.
    pub population: String,
    /// Final tier.
    pub tier: String,
}

/// A listed firm.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// 统一社会信用代码.
    pub code: String,
    /// Name (the later run's when both have it).
    pub name: String,
    /// Park.
    pub park: String,
    /// Evaluation group's name.
    pub group: String,
    /// In the earlier run (None: not evaluated there).
    pub before: Option<Standing>,
    /// In the later run.
    pub after: Option<Standing>,
    /// Why, in cause order.
    pub causes: Vec<Cause>,
}

/// The comparison of two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    /// Every listed firm, by code.
    pub changes: Vec<Change>,
    /// Firms evaluated in either run.
    pub compared: usize,
    /// The same per park (the later run's park when both have the firm).
    pub compared_by_park: BTreeMap<String, usize>,
}

impl Diff {
    /// The comparison limited to the firms of `park` (a park user's view).
    pub fn within(&self, park: &str) -> Diff {
        Diff {
            changes: self.changes.iter().filter(|c| c.park == park).cloned().collect(),
            compared: self.compared_by_park.get(park).copied().unwrap_or(0),
            compared_by_park: self
                .compared_by_park
                .iter()
                .filter(|(p, _)| *p == park)
                .map(|(p, n)| (p.clone(), *n))
                .collect(),
        }
    }

    /// Listed firms per cause (a firm with two causes counts in both), by number − 1.
    pub fn per_cause(&self) -> [usize; 6] {
        let mut n = [0; 6];
        for c in &self.changes {
            let mut seen = BTreeSet::new();
            for cause in &c.causes {
                if seen.insert(cause.number()) {
                    n[cause.number() - 1] += 1;
                }
            }
        }
        n
    }

    /// Listed firms by how many causes they have: (causes, firms), fewest first. The firms add
    /// up to the listed firms, and causes × firms to the sum of [`Diff::per_cause`].
    pub fn by_cause_count(&self) -> Vec<(usize, usize)> {
        let mut n: BTreeMap<usize, usize> = BTreeMap::new();
        for c in &self.changes {
            *n.entry(c.causes.len()).or_default() += 1;
        }
        n.into_iter().collect()
    }
}

fn get<'r>(r: &'r Record, k: &str) -> &'r str {
    r.get(k).map(String::as_str).unwrap_or("")
}

fn evaluated(r: Option<&Record>) -> Option<&Record> {
    r.filter(|r| get(r, key::STATUS) == key::EVALUATED)
}

fn standing(r: &Record) -> Standing {
    Standing {
        total: get(r, key::TOTAL).into(),
        rank: get(r, key::RANK).into(),
        population: get(r, key::RANK_POPULATION).into(),
        tier: get(r, key::TIER).into(),
    }
}

/// Compare `a` (the earlier run) with `b`; `labels` name the indicators (ids otherwise).
pub fn compare(a: &Side, b: &Side, labels: &[IndicatorLabel]) -> Diff {
    let codes: BTreeSet<&String> = a.records.keys().chain(b.records.keys()).collect();
    let mut ids: Vec<&String> = a.indicators.iter().collect();
    ids.extend(b.indicators.iter().filter(|i| !a.indicators.contains(i)));
    let name = |id: &str| {
        labels.iter().find(|l| l.id == id).map(|l| l.name.clone()).unwrap_or_else(|| id.into())
    };
    let names: Vec<(&str, String)> = ids.iter().map(|i| (i.as_str(), name(i))).collect();
    let mut changes = Vec::new();
    let mut compared = 0;
    let mut compared_by_park: BTreeMap<String, usize> = BTreeMap::new();
    for code in codes {
        let (ra, rb) = (a.records.get(code), b.records.get(code));
        let (ea, eb) = (evaluated(ra), evaluated(rb));
        // Not evaluated in either run: not compared.
        let Some(last) = eb.or(ea) else { continue };
        compared += 1;
        *compared_by_park.entry(get(last, key::PARK).to_string()).or_default() += 1;
        let (before, after) = (ea.map(standing), eb.map(standing));
        let shown = |s: &Option<Standing>| {
            s.as_ref().map(|s| (s.total.clone(), s.rank.clone(), s.tier.clone()))
        };
        if shown(&before) == shown(&after) {
            // The number ranked alone moving is not a change of the firm's result.
            continue;
        }
        let causes = match (ea, eb) {
            (Some(x), Some(y)) => causes(x, y, &names),
            (None, Some(_)) => vec![Cause::Entry { entered: true, reason: reason(ra) }],
            _ => vec![Cause::Entry { entered: false, reason: reason(rb) }],
        };
        changes.push(Change {
            code: code.clone(),
            name: get(last, key::NAME).into(),
            park: get(last, key::PARK).into(),
            group: get(last, key::GROUP_NAME).into(),
            before,
            after,
            causes,
        });
    }
    Diff { changes, compared, compared_by_park }
}

/// Why a run lists a firm as not evaluated ("" when it does not list it).
fn reason(r: Option<&Record>) -> String {
    match r {
        Some(r) => format!("{}：{}", get(r, key::CATEGORY), get(r, key::REASON)),
        None => "该次评价没有这家企业".into(),
    }
}

/// The fields of `a` and `b` among `keys` (with their labels) that differ.
fn moved(a: &Record, b: &Record, keys: impl Iterator<Item = (String, String)>) -> Vec<Moved> {
    keys.filter(|(k, _)| get(a, k) != get(b, k))
        .map(|(k, what)| Moved { what, old: get(a, &k).into(), new: get(b, &k).into() })
        .collect()
}

/// The causes of a firm evaluated in both runs whose standing differs.
fn causes(a: &Record, b: &Record, names: &[(&str, String)]) -> Vec<Cause> {
    let part = |p: &str| {
        names.iter().map(move |(id, n)| (key::indicator(id, p), n.clone())).collect::<Vec<_>>()
    };
    let score_of = |changed: &[Moved]| {
        let ids: Vec<String> = changed.iter().map(|m| m.what.clone()).collect();
        let scores = part("score").into_iter().filter(|(_, n)| ids.contains(n));
        moved(a, b, scores)
    };
    let mut out = Vec::new();
    let identity =
        [key::GROUP_NAME, key::INDUSTRY_CODE, key::SCALE].map(|k| (k.to_string(), label(k)));
    let quantities = REPORT_FIELDS.iter().map(|k| (k.to_string(), field_header(k).to_string()));
    let mut fields = moved(a, b, identity.into_iter().chain(quantities));
    let values = moved(a, b, part("value").into_iter());
    if !fields.is_empty() || !values.is_empty() {
        let items = score_of(&values);
        fields.extend(
            values.into_iter().map(|m| Moved { what: format!("{}（指标值）", m.what), ..m }),
        );
        out.push(Cause::OwnData { fields, items });
    }
    let benchmarks = moved(a, b, part("benchmark").into_iter());
    if !benchmarks.is_empty() {
        let items = score_of(&benchmarks);
        out.push(Cause::Benchmark { benchmarks, items });
    }
    if get(a, key::TOTAL) == get(b, key::TOTAL) {
        let m = |k: &str| Moved { what: k.into(), old: get(a, k).into(), new: get(b, k).into() };
        let (rank, population) = (m(key::RANK), m(key::RANK_POPULATION));
        if rank.old != rank.new || population.old != population.new {
            let crossed = get(a, "tier_by_score") != get(b, "tier_by_score");
            out.push(Cause::Boundary { rank, population, crossed });
        }
    }
    let event_keys = ["bonus", "deduction", "event_note", "adj_reason", "tier_after_events"];
    let mut events = moved(a, b, event_keys.iter().map(|k| (k.to_string(), label(k))));
    let by_score_same = get(a, "tier_by_score") == get(b, "tier_by_score");
    if !by_score_same {
        // The events step follows the score's tier; only its own changes count.
        events.retain(|m| m.what != label("tier_after_events"));
    }
    if !events.is_empty() {
        out.push(Cause::Events(events));
    }
    if out.is_empty() {
        out.push(Cause::Other);
    }
    out
}

/// The Chinese label of a CSV column the diff names.
fn label(k: &str) -> String {
    match k {
        key::GROUP_NAME => "评价组",
        key::INDUSTRY_CODE => "行业代码",
        key::SCALE => "企业规模",
        "bonus" => "加分",
        "deduction" => "减分",
        "event_note" => "加减分事项",
        "adj_reason" => "调档原因",
        "tier_after_events" => "事项调整后等级",
        other => other,
    }
    .into()
}
