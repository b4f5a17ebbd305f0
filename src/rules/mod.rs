//! Rules: the raw TOML rule file turned into checked, compiled settings. Formulas and conditions
//! are parsed by polars' SQL expression parser into polars expressions and type-checked against
//! the enterprise fields before any data is read. Every error names the rule file's line and key.

mod expr;
pub mod raw;
pub mod sane;
pub mod shipped;
mod source;
pub mod tax;
pub(crate) mod toml_error;

pub use shipped::Purpose;
pub use source::{AsSource, Source};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use toml::Spanned;

use crate::ingest::schema::FORMULA_FIELDS;
use raw::*;

/// Why a rule file could not be loaded or written; every message is Chinese and names the file,
/// and for a bad key its line and dotted key.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// The rule file could not be read (missing, unreadable, not UTF-8).
    #[error("无法读取规则文件 {path}：{}", crate::zh::text_file_error(.source))]
    Io {
        /// The rule file (or shipped scheme name) as given.
        path: PathBuf,
        /// The underlying read error.
        source: std::io::Error,
    },
    /// The text is not valid TOML, and no key can be blamed.
    #[error("规则文件 {path} 第{line}行：{message}")]
    Syntax {
        /// The rule file.
        path: PathBuf,
        /// 1-based line of the error.
        line: usize,
        /// What is wrong, in Chinese.
        message: String,
    },
    /// A key has a wrong type or a value the engine refuses (unknown method, bad share, unknown
    /// field in a formula …).
    #[error("规则文件 {path} 第{line}行 键「{key}」：{message}")]
    Invalid {
        /// The rule file.
        path: PathBuf,
        /// 1-based line of the offending key (or of its table).
        line: usize,
        /// The dotted key with indices, e.g. `groups[0].indicators[1].benchmark.stat`.
        key: String,
        /// What is wrong and what is allowed, in Chinese.
        message: String,
    },
    /// `mujun rules write`: a file of the scheme is already in the folder (nothing written).
    #[error("{} 已存在，未写出任何文件（不覆盖已有文件）；请换一个文件夹（--out），或先移走该文件", .path.display())]
    Exists {
        /// The file that is already there.
        path: PathBuf,
    },
    /// `mujun rules write`: a file could not be written (those written before it are removed).
    #[error("无法写入 {}：{}；未写出任何文件", .path.display(), crate::zh::io_error(.source))]
    Write {
        /// The file (or folder) that could not be written.
        path: PathBuf,
        /// The underlying write error.
        source: std::io::Error,
    },
    /// A shipped scheme given to a command it is not for.
    #[error("「{name}」是{is}规则方案，不能用于{wanted}；{wanted}规则方案：{names}")]
    Purpose {
        /// The shipped scheme's name, e.g. `land_fuling`.
        name: String,
        /// Its purpose in words ([`Purpose::label`]), e.g. "土地核查".
        is: &'static str,
        /// The purpose the command needs, in words.
        wanted: &'static str,
        /// The shipped schemes of the wanted purpose, listed for the message.
        names: String,
    },
}

/// `[meta]`: what the evaluation is called and which year it covers.
#[derive(Debug, Clone)]
pub struct Meta {
    /// `[meta] name`: the evaluation's title, written into the workbooks and report titles.
    pub name: String,
    /// `[meta] scheme`: the scheme across years (`name` when not given). The store keeps runs
    /// under it: the year before and the earlier official years are those of the same scheme.
    pub scheme: String,
    /// `[meta] year`: the evaluation year (ages to 31 December of it, file names, document dates).
    pub year: i32,
    /// `[meta] version`: the scheme's version, shown on the 规则 sheet (empty if not given).
    pub version: String,
    /// `[meta] source`: the policy document the scheme follows, shown on the 规则 sheet (empty if
    /// not given).
    pub source: String,
}

impl Meta {
    /// The title of the year's reports: the name followed by （2024年度）, unless the name already
    /// names the year that way.
    pub fn title(&self) -> String {
        let year = format!("{}年度", self.year);
        if self.name.contains(&year) {
            self.name.clone()
        } else {
            format!("{}（{year}）", self.name)
        }
    }
}

/// Which `[[scope.*]]` list a case comes from: why an enterprise is not evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseKind {
    /// Outside the evaluation (e.g. 规下 below the land threshold).
    Exclude,
    /// 免评
    Exempt,
    /// 暂缓
    Defer,
}

impl CaseKind {
    /// The category shown in the 未参评 list: 不在评价范围 / 免评 / 暂缓评价.
    pub fn label(self) -> &'static str {
        match self {
            CaseKind::Exclude => "不在评价范围",
            CaseKind::Exempt => "免评",
            CaseKind::Defer => "暂缓评价",
        }
    }
}

/// One `[[scope.exclude]]` / `[[scope.exempt]]` / `[[scope.defer]]` entry: enterprises matching
/// `when` are not evaluated and are listed as 未参评 with `reason` (first matching case wins).
#[derive(Debug, Clone)]
pub struct Case {
    /// Which list the entry is in.
    pub kind: CaseKind,
    /// `when` as written, for the 规则 sheet.
    pub when_text: String,
    /// `when` compiled: a boolean over the enterprise fields.
    pub when: Expr,
    /// `reason`: the reason listed for each matching enterprise.
    pub reason: String,
    /// A fixed tier for the listed firm ("按B类管理"), or none.
    pub tier: Option<String>,
}

/// How an indicator's value becomes points (`[[groups.indicators]] method`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// value ÷ benchmark × weight
    Ratio,
    /// weight × [s + (1 − s) × (x − min)/(max − min)], s = floor share
    MinMax {
        /// `floor_share`: the share s of the weight the lowest firm still gets (0 to 1, default 0).
        floor_share: f64,
    },
    /// (2 − value ÷ benchmark) × weight ÷ 2
    LowerRatio,
}

/// Whether more is better (`[[groups.indicators]] direction`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Direction {
    /// `higher` (default): more is better, e.g. 亩均税收.
    Higher,
    /// `lower`: less is better, e.g. 单位能耗 (only with `lower_ratio` or `minmax`).
    Lower,
}

/// The statistic a benchmark takes over its population (`benchmark.stat`).
#[derive(Debug, Clone, PartialEq)]
pub enum Stat {
    /// `mean`: arithmetic mean.
    Mean,
    /// `median`.
    Median,
    /// `percentile` with `p` (0 to 1; 0.5 is the median).
    Percentile(f64),
    /// `max`.
    Max,
    /// `min`.
    Min,
}

/// The population a benchmark statistic (or min–max range) is taken over (`benchmark.over`).
#[derive(Debug, Clone, PartialEq)]
pub enum Over {
    /// All evaluated enterprises that have the indicator.
    All,
    /// The enterprise's group.
    Group,
    /// The group × an enterprise field (park, division, town …).
    Field(String),
}

/// What an indicator's value is divided by (`[[groups.indicators]] benchmark`), in its unit.
#[derive(Debug, Clone)]
pub enum Benchmark {
    /// Min–max needs none.
    None,
    /// `{ value = … }`: a fixed value in the indicator's unit, already times `factor`.
    Fixed(f64),
    /// `{ stat = …, over = …, factor = … }`: a statistic of the evaluated firms' values.
    Stat {
        /// The statistic.
        stat: Stat,
        /// Its population.
        over: Over,
        /// `factor`: the benchmark is the statistic times this (default 1).
        factor: f64,
    },
    /// Values per population key from a file (e.g. last year's averages), times a factor.
    File {
        /// The benchmark file, resolved next to the rule file.
        path: PathBuf,
        /// How the file's 范围 column is read: group id, field value or 全部.
        over: Over,
        /// `factor`: each value is multiplied by this (default 1).
        factor: f64,
        /// The file's rows for this indicator: (范围, 基准值).
        values: Vec<(String, f64)>,
    },
}

/// What an enterprise without a value (empty, or not finite such as ÷ 0) gets for an indicator
/// (`[[groups.indicators]] missing`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Missing {
    /// `zero` (default): 0 points for the item.
    Zero,
    /// `peer_mean`: the mean item score of the group's firms that have the value.
    PeerMean,
    /// `reweight`: the item is left out and the others are scaled up by total ÷ (total − missing
    /// weight).
    Reweight,
    /// `not_evaluated`: the enterprise is not evaluated, listed with `missing_reason`.
    NotEvaluated,
}

/// One compiled `[[groups.indicators]]` entry.
#[derive(Debug, Clone)]
pub struct Indicator {
    /// `id`: the result column's key; indicators with the same id in several groups share it.
    pub id: String,
    /// `name`: the Chinese name shown in sheets and reports.
    pub name: String,
    /// `formula` as written, for the 规则 sheet.
    pub formula_text: String,
    /// `formula` compiled: a numeric expression over the enterprise fields.
    pub formula: Expr,
    /// `unit` of the value (empty if not given).
    pub unit: String,
    /// `weight` in points (above 0, at most [`sane::MAX_POINTS`]).
    pub weight: f64,
    /// `method`: how the value becomes points.
    pub method: Method,
    /// `direction`: whether more is better.
    pub direction: Direction,
    /// `benchmark`: what the value is compared with ([`Benchmark::None`] for min–max without
    /// one).
    pub benchmark: Benchmark,
    /// Population for min and max (min–max method).
    pub over: Over,
    /// Item cap in points.
    pub cap: Option<f64>,
    /// Item floor in points.
    pub floor: f64,
    /// `missing`: what a firm without a value gets.
    pub missing: Missing,
    /// `missing_reason`: the 未参评 reason under `not_evaluated` (default "缺少{name}数据").
    pub missing_reason: String,
}

/// How share × count becomes a number of firms (`[tiers] quota_rounding`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rounding {
    /// `floor` (default): down, "前 20%（含）".
    Floor,
    /// `round`: to the nearest.
    Round,
    /// `ceil`: up.
    Ceil,
}

/// How total scores become tiers (`[tiers] method`).
#[derive(Debug, Clone)]
pub enum TierMethod {
    /// Cumulative top shares for all tiers but the last.
    Quota {
        /// `quota`: cumulative shares 0 to 1, rising, one per tier but the last.
        shares: Vec<f64>,
        /// `quota_rounding`.
        rounding: Rounding,
    },
    /// Minimum total score for all tiers but the last.
    Threshold {
        /// `thresholds`: minimum totals in points, highest first, one per tier but the last.
        mins: Vec<f64>,
    },
    /// Thresholds, then at most `max_share` of the population in tier i or better and at least
    /// `min_share` in tier i or worse.
    Mixed {
        /// `thresholds`: as for [`TierMethod::Threshold`].
        mins: Vec<f64>,
        /// `max_share`: (tier index, share 0 to 1) from `{ A = 0.3 }`.
        max_share: Vec<(usize, f64)>,
        /// `min_share`: (tier index, share 0 to 1) from `{ C = 0.1 }`.
        min_share: Vec<(usize, f64)>,
        /// `quota_rounding`, for share × count.
        rounding: Rounding,
    },
}

/// What a tie-break compares.
#[derive(Debug, Clone, PartialEq)]
pub enum TieKey {
    /// The value of the group's indicator with this id.
    Indicator(String),
    /// An enterprise field.
    Field(String),
}

/// A ranking tie-break: firms with the same total are ordered by `key`.
#[derive(Debug, Clone)]
pub struct TieBreak {
    /// The indicator or field compared.
    pub key: TieKey,
    /// Its Chinese name, for the 规则 sheet.
    pub label: String,
    /// Higher values rank first.
    pub descending: bool,
}

/// A group's tier settings: `[tiers]`, or the group's own `[groups.tiers]` replacing it whole.
#[derive(Debug, Clone)]
pub struct Tiers {
    /// `labels`: tier labels, best first (default A, B, C, D; at least two, distinct).
    pub labels: Vec<String>,
    /// `names`: a name per label (e.g. 优先发展类), or empty if not given.
    pub names: Vec<String>,
    /// `round`: decimals the total is rounded to before ranking (0 to 15, default 2).
    pub round: u32,
    /// `rank_within`: ranking populations, `group` and/or fields such as `park` (default
    /// `["group"]`); groups always rank apart.
    pub rank_within: Vec<String>,
    /// `method` with its shares or thresholds.
    pub method: TierMethod,
    /// `tie_break`: orderings of equal totals, in turn (the credit code comes last, always).
    pub tie_break: Vec<TieBreak>,
}

impl Tiers {
    /// The position of a tier label in `labels` (0 = best), or `None` if it is not a label here.
    pub fn index_of(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| l == label)
    }
}

/// One compiled `[[groups]]` entry: an evaluation group, its indicators and tiers.
#[derive(Debug, Clone)]
pub struct Group {
    /// `id`: the group's key (unique), used by `groups = [...]` lists elsewhere in the file.
    pub id: String,
    /// `name`: the Chinese name shown in sheets and reports.
    pub name: String,
    /// `when` as written, for the 规则 sheet.
    pub when_text: String,
    /// `when` compiled: an enterprise is in the first group whose condition holds.
    pub when: Expr,
    /// `[[groups.indicators]]`, in file order (at least one).
    pub indicators: Vec<Indicator>,
    /// The group's tier settings.
    pub tiers: Tiers,
}

impl Group {
    /// The sum of the indicator weights in points (the full score before bonus and deduction).
    pub fn total_weight(&self) -> f64 {
        self.indicators.iter().map(|i| i.weight).sum()
    }
}

/// What an event does (`[[events.items]] kind`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EventKind {
    /// `bonus`: points added.
    Bonus,
    /// `deduction`: points taken off.
    Deduction,
    /// 一票否决: lowest tier.
    Veto,
    /// 降档 by `steps` tiers.
    Downgrade(usize),
}

/// One `[[events.items]]` entry: an event of the 加减分事项 input and what it is worth.
#[derive(Debug, Clone)]
pub struct EventItem {
    /// `event`: the name, matched against the 事项 column of the events input (unique).
    pub event: String,
    /// `kind`: what it does.
    pub kind: EventKind,
    /// `points` (0 to [`sane::MAX_POINTS`]; unused for veto and downgrade).
    pub points: f64,
    /// `category`: the cap category (default: the event's name).
    pub category: String,
}

/// `[events]`: bonus, deduction, veto and downgrade events and their caps.
#[derive(Debug, Clone, Default)]
pub struct Events {
    /// `bonus_cap`: the most bonus points a firm gets in all, or `None` for no cap.
    pub bonus_cap: Option<f64>,
    /// `deduction_cap`: the most points deducted from a firm in all, or `None` for no cap.
    pub deduction_cap: Option<f64>,
    /// `category_caps`: the most points per category (applied before the totals' caps).
    pub category_caps: BTreeMap<String, f64>,
    /// `[[events.items]]`, in file order.
    pub items: Vec<EventItem>,
}

/// A compiled, checked rule file: everything an evaluation needs besides the data.
#[derive(Debug, Clone)]
pub struct Rules {
    /// The rule file (or shipped scheme) it was read from, shown on the 规则 sheet.
    pub path: PathBuf,
    /// The file's full text, reproduced on the 规则 sheet.
    pub text: String,
    /// `[meta]`.
    pub meta: Meta,
    /// `[land] modes`: (用地方式, coefficient −1 to 1) — the share of a parcel's area counted.
    pub land_modes: Vec<(String, f64)>,
    /// `[tax]`: the tax types counted (include, exclude) and the tax of a firm without rows.
    pub tax: tax::TaxRules,
    /// `[[scope.*]]`: exclude cases first, then exempt, then defer.
    pub cases: Vec<Case>,
    /// `[[groups]]`, in file order (at least one).
    pub groups: Vec<Group>,
    /// `[events]`.
    pub events: Events,
    /// Reporting settings (no effect on scores) from here on: clusters, policy measures, alerts,
    /// plan targets, layout. `[[clusters]]`: industry clusters by industry-code prefix.
    pub clusters: Vec<Cluster>,
    /// `[[policies]]`: differentiated policy measures per tier.
    pub policies: Vec<Policy>,
    /// `[alerts]`: early-warning settings (empty if the section is absent).
    pub alerts: Alerts,
    /// `[targets]`: plan targets of the year-over-year comparison.
    pub targets: Targets,
    /// `[report]`: layout of the reports (defaults if absent).
    pub report: ReportSettings,
    /// `[notice]`: the 公示名单's heading, contact line and readings for its name order.
    pub notice: NoticeSettings,
}

/// `[notice]`, checked.
#[derive(Debug, Clone, Default)]
pub struct NoticeSettings {
    /// The region in the title ("" when not given).
    pub region: String,
    /// The issuing body ("" when not given).
    pub issuer: String,
    /// The line for objections ("" when not given).
    pub contact: String,
    /// The notice period's first and last day (YYYY-MM-DD), when given.
    pub period: Option<(String, String)>,
    /// Words with their syllables, one per character, longest word first.
    pub pinyin: Vec<(Vec<char>, Vec<String>)>,
}

/// `[notice]` checked: each reading a syllable (letters, a tone 1–5) per character.
fn notice(cx: &Ctx, raw: &Option<Spanned<raw::RawNotice>>) -> Result<NoticeSettings, RuleError> {
    let Some(n) = raw else { return Ok(NoticeSettings::default()) };
    let (span, r) = (n.span(), n.get_ref());
    let text = |t: &Option<String>| t.as_deref().unwrap_or("").trim().to_string();
    let mut pinyin = Vec::new();
    for (word, reading) in &r.pinyin {
        let chars: Vec<char> = word.chars().collect();
        let syllables: Vec<String> = reading.split_whitespace().map(str::to_lowercase).collect();
        let syllable = |s: &String| {
            let (letters, tone) = s.split_at(s.len().saturating_sub(1));
            !letters.is_empty()
                && letters.bytes().all(|b| b.is_ascii_lowercase())
                && matches!(tone, "1" | "2" | "3" | "4" | "5")
        };
        if chars.is_empty() || syllables.len() != chars.len() || !syllables.iter().all(syllable) {
            return cx.err(
                span,
                format!("notice.pinyin.{word}"),
                format!(
                    "读音「{reading}」应为每个字一个带声调数字的拼音，用空格分开（如 \"chong2 qing4\"），「{word}」有 {} 个字",
                    chars.len()
                ),
            );
        }
        pinyin.push((chars, syllables));
    }
    pinyin.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    let period = match notice_period(r.from.as_deref(), r.to.as_deref()) {
        Ok(p) => p,
        Err((key, m)) => return cx.err(span, key, m),
    };
    Ok(NoticeSettings {
        region: text(&r.region),
        issuer: text(&r.issuer),
        contact: text(&r.contact),
        period,
        pinyin,
    })
}

/// `[notice] from` and `to` checked: both or neither, days (YYYY-MM-DD), the end not before the
/// start; (key, message) otherwise.
pub fn notice_period(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Option<(String, String)>, (String, String)> {
    let day = |key: &str, t: &str| {
        chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| {
            (format!("notice.{key}"), format!("「{t}」不是日期，请写成 \"2025-06-01\""))
        })
    };
    match (from, to) {
        (None, None) => Ok(None),
        (Some(f), Some(t)) => {
            let (a, b) = (day("from", f)?, day("to", t)?);
            if b < a {
                return Err(("notice.to".into(), format!("公示结束日期 {b} 早于开始日期 {a}")));
            }
            Ok(Some((a.to_string(), b.to_string())))
        }
        (Some(_), None) => {
            Err(("notice.to".into(), "写了公示开始日期 from，还须写结束日期 to".into()))
        }
        (None, Some(_)) => {
            Err(("notice.from".into(), "写了公示结束日期 to，还须写开始日期 from".into()))
        }
    }
}

/// `[notice] from` and `to` of a stored run's rule text, read without compiling it; none when
/// absent or not valid.
pub fn stored_notice_period(text: &str) -> Option<(String, String)> {
    #[derive(serde::Deserialize)]
    struct File {
        notice: Option<Notice>,
    }
    #[derive(serde::Deserialize)]
    struct Notice {
        from: Option<String>,
        to: Option<String>,
    }
    let n = toml::from_str::<File>(text).ok()?.notice?;
    notice_period(n.from.as_deref(), n.to.as_deref()).ok().flatten()
}

/// Read, parse and compile a rule file: a path on disk (`&Path`, `&PathBuf`) or a [`Source`]
/// which may be a shipped scheme (refused if it is a land scheme).
pub fn load(source: &(impl AsSource + ?Sized)) -> Result<Rules, RuleError> {
    let source = source.as_source();
    source.check_purpose(Purpose::Evaluation)?;
    compile_from(&source, &source.read()?)
}

/// An indicator as a rule file names it: id, Chinese name, unit (empty when none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorLabel {
    /// `id`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `unit`.
    pub unit: String,
}

/// The indicators of a rule file's text — every group's, each id once, in file order — read
/// without compiling it: a stored run's rule text names them as that run had them, even when
/// the files it refers to are gone. None when the text has no `[[groups]]` to read.
pub fn indicator_labels(text: &str) -> Option<Vec<IndicatorLabel>> {
    #[derive(serde::Deserialize)]
    struct File {
        groups: Vec<Group>,
    }
    #[derive(serde::Deserialize)]
    struct Group {
        #[serde(default)]
        indicators: Vec<Ind>,
    }
    #[derive(serde::Deserialize)]
    struct Ind {
        id: String,
        name: String,
        #[serde(default)]
        unit: String,
    }
    let file: File = toml::from_str(text).ok()?;
    let mut out: Vec<IndicatorLabel> = Vec::new();
    for i in file.groups.into_iter().flat_map(|g| g.indicators) {
        if !out.iter().any(|o| o.id == i.id) {
            out.push(IndicatorLabel { id: i.id, name: i.name, unit: i.unit });
        }
    }
    Some(out)
}

/// Each group's indicator weights in a rule file's text — (group id, indicator id, `weight`) in
/// file order — and `[report] score_bin`, read without compiling it (a stored run's rules, as
/// [`indicator_labels`] reads them). None when the text cannot be read as a rule file.
pub fn stored_layout(text: &str) -> Option<StoredLayout> {
    #[derive(serde::Deserialize)]
    struct File {
        groups: Vec<Group>,
        report: Option<Report>,
    }
    #[derive(serde::Deserialize)]
    struct Group {
        id: String,
        #[serde(default)]
        indicators: Vec<Ind>,
    }
    #[derive(serde::Deserialize)]
    struct Ind {
        id: String,
        weight: Option<f64>,
    }
    #[derive(serde::Deserialize)]
    struct Report {
        score_bin: Option<f64>,
    }
    let file: File = toml::from_str(text).ok()?;
    let weights = file
        .groups
        .into_iter()
        .flat_map(|g| {
            let gid = g.id;
            g.indicators.into_iter().filter_map(move |i| Some((gid.clone(), i.id, i.weight?)))
        })
        .collect();
    let score_bin = file.report.and_then(|r| r.score_bin).filter(|b| *b > 0.0);
    Some(StoredLayout { weights, score_bin })
}

/// What [`stored_layout`] reads from a stored rule text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoredLayout {
    /// (group id, indicator id, weight in points), in file order.
    pub weights: Vec<(String, String, f64)>,
    /// `[report] score_bin` when the file sets it (the reports' default applies otherwise).
    pub score_bin: Option<f64>,
}

/// The type of every field a formula or condition may use.
pub fn field_schema() -> Schema {
    let mut s = Schema::default();
    for (name, _) in FORMULA_FIELDS {
        let dt = match *name {
            "scale" | "park" | "town" | "industry_code" | "tags" => DataType::String,
            "division" => DataType::Int32,
            "registration_date" | "production_date" | "year_end" => DataType::Date,
            _ => DataType::Float64,
        };
        s.with_column((*name).into(), dt);
    }
    s
}

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
    schema: Schema,
}

impl Ctx<'_> {
    fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())].matches('\n').count() + 1
    }
    /// The error's line: the line inside `span` that sets the key's last segment
    /// (`tiers.quota` → the `quota = …` line), else the start of `span`.
    fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Result<T, RuleError> {
        let key = key.into();
        let last = key.rsplit('.').next().unwrap_or("").split('[').next().unwrap_or("");
        let start = span.start.min(self.text.len());
        let mut offset = start;
        let mut found = None;
        for (i, l) in self.text[start..].split_inclusive('\n').enumerate() {
            let t = l.trim_start();
            // Stop at the next table header once past the span.
            if i > 0 && offset >= span.end && t.starts_with('[') {
                break;
            }
            if !last.is_empty()
                && t.starts_with(last)
                && t[last.len()..].trim_start().starts_with('=')
            {
                found = Some(offset);
                break;
            }
            offset += l.len();
        }
        let line = self.line(found.unwrap_or(start));
        Err(RuleError::Invalid {
            path: self.path.to_path_buf(),
            line,
            key,
            message: message.into(),
        })
    }

    /// The span of the `[name]` header line (for sections read without spans), else 0..0.
    fn section(&self, name: &str) -> std::ops::Range<usize> {
        let header = format!("[{name}]");
        let mut offset = 0;
        for l in self.text.split_inclusive('\n') {
            if l.split('#').next().unwrap_or("").trim() == header {
                return offset..offset + l.len();
            }
            offset += l.len();
        }
        0..0
    }

    /// A plausibility check's message (see [`sane`]) as an error at `key`.
    fn check(
        &self,
        r: Result<(), String>,
        span: std::ops::Range<usize>,
        key: impl Into<String>,
    ) -> Result<(), RuleError> {
        r.or_else(|m| self.err(span, key, m))
    }

    /// Parse SQL into an expression and check it against the field schema.
    fn expr(&self, src: &Spanned<String>, key: &str, want_bool: bool) -> Result<Expr, RuleError> {
        let (span, text) = (src.span(), src.get_ref());
        if let Err(m) = expr::check_size(text) {
            return self.err(span, key, m);
        }
        let e = match polars::sql::sql_expr(text) {
            Ok(e) => e,
            Err(err) => return self.err(span, key, expr::parse_error(text, &err)),
        };
        let empty = DataFrame::empty_with_schema(&self.schema);
        let dt = match empty.lazy().select([e.clone().alias("__x")]).collect_schema() {
            Err(err) => return self.err(span, key, expr::schema_error(text, &err)),
            Ok(s) => s.get("__x").cloned().unwrap_or(DataType::Null),
        };
        let numeric = dt.is_primitive_numeric() || dt == DataType::Null;
        if want_bool && dt != DataType::Boolean {
            return self.err(
                span,
                key,
                format!("条件「{text}」的结果应为真/假，实为{}", type_name(&dt)),
            );
        } else if !want_bool && !numeric {
            return self.err(
                span,
                key,
                format!("公式「{text}」的结果应为数值，实为{}", type_name(&dt)),
            );
        }
        if let Some(v) = expr::constant_zero_divisor(&e) {
            return self.err(
                span,
                key,
                format!("表达式「{text}」中的除数恒为 {v}，所有企业的该值都会缺失"),
            );
        }
        Ok(e)
    }
}

/// `[tax]` compiled: each include and exclude entry parsed as an exact name or a glob.
fn tax_rules(cx: &Ctx, raw: raw::RawTax) -> Result<tax::TaxRules, RuleError> {
    let list = |l: &[String], key: &str| -> Result<Vec<tax::TaxPattern>, RuleError> {
        let mut out = Vec::with_capacity(l.len());
        for (i, t) in l.iter().enumerate() {
            match tax::TaxPattern::parse(t) {
                Ok(p) => out.push(p),
                Err(m) => return cx.err(cx.section("tax"), format!("tax.{key}[{i}]"), m),
            }
        }
        Ok(out)
    };
    let include = raw.include.as_deref().map(|l| list(l, "include")).transpose()?;
    Ok(tax::TaxRules { include, exclude: list(&raw.exclude, "exclude")?, no_rows: raw.no_rows })
}

/// A polars data type in words.
fn type_name(dt: &DataType) -> &'static str {
    match dt {
        DataType::Boolean => "真/假",
        DataType::String => "文本",
        DataType::Date => "日期",
        DataType::Null => "空值",
        d if d.is_primitive_numeric() => "数值",
        _ => "其他类型",
    }
}

/// Compile a rule file's text; `path` names it in errors and anchors the files it names.
pub fn compile(path: &Path, text: &str) -> Result<Rules, RuleError> {
    compile_from(&Source::File(path.to_path_buf()), text)
}

/// Compile the text of the rule file read from `source`; the files it names are looked up next
/// to it ([`Source::join`]).
pub fn compile_from(source: &Source, text: &str) -> Result<Rules, RuleError> {
    let path = &source.name();
    let raw: RawRules = toml::from_str(text).map_err(|e| toml_error::translate(path, text, &e))?;
    let cx = Ctx { path, text, schema: field_schema() };

    plausible_sections(&cx, &raw)?;
    let scheme = raw.meta.scheme.map(|s| s.trim().to_string());
    let meta = Meta {
        scheme: scheme.unwrap_or_else(|| raw.meta.name.clone()),
        name: raw.meta.name,
        year: raw.meta.year,
        version: raw.meta.version,
        source: raw.meta.source,
    };
    let land_modes: Vec<(String, f64)> = if raw.land.modes.is_empty() {
        return cx.err(
            cx.section("land"),
            "land.modes",
            "必须列出每种用地方式的系数，例如 自有 = 1、承租 = 1、出租 = -1",
        );
    } else {
        raw.land.modes.into_iter().collect()
    };

    let mut cases = Vec::new();
    for (kind, list, key) in [
        (CaseKind::Exclude, &raw.scope.exclude, "scope.exclude"),
        (CaseKind::Exempt, &raw.scope.exempt, "scope.exempt"),
        (CaseKind::Defer, &raw.scope.defer, "scope.defer"),
    ] {
        for (i, c) in list.iter().enumerate() {
            let k = format!("{key}[{i}].when");
            let when = cx.expr(&c.get_ref().when, &k, true)?;
            cases.push(Case {
                kind,
                when_text: c.get_ref().when.get_ref().clone(),
                when,
                reason: c.get_ref().reason.clone(),
                tier: c.get_ref().tier.clone(),
            });
        }
    }

    let default_tiers = &raw.tiers;
    if raw.groups.is_empty() {
        return cx.err(0..0, "groups", "至少需要一个评价组");
    }
    let mut groups = Vec::new();
    let mut ids = Vec::new();
    for (gi, g) in raw.groups.iter().enumerate() {
        let span = g.span();
        let g = g.get_ref();
        let gk = format!("groups[{gi}]");
        cx.check(sane::text(&g.id, "评价组编号"), span.clone(), format!("{gk}.id"))?;
        cx.check(sane::text(&g.name, "评价组名称"), span.clone(), format!("{gk}.name"))?;
        if ids.contains(&g.id) {
            return cx.err(span, format!("{gk}.id"), format!("评价组编号「{}」重复", g.id));
        }
        ids.push(g.id.clone());
        let when = cx.expr(&g.when, &format!("{gk}.when"), true)?;
        let mut indicators: Vec<Indicator> = Vec::new();
        for (ii, ind) in g.indicators.iter().enumerate() {
            let ik = format!("{gk}.indicators[{ii}]");
            let ind_c = indicator(&cx, ind, &ik, source)?;
            if indicators.iter().any(|x| x.id == ind_c.id) {
                return cx.err(
                    ind.span(),
                    format!("{ik}.id"),
                    format!("指标编号「{}」在本组重复", ind_c.id),
                );
            }
            indicators.push(ind_c);
        }
        if indicators.is_empty() {
            return cx.err(span, format!("{gk}.indicators"), "评价组至少需要一个指标");
        }
        let tiers_src = g.tiers.as_ref().unwrap_or(default_tiers);
        let key = if g.tiers.is_some() { format!("{gk}.tiers") } else { "tiers".to_string() };
        let tiers = tiers(&cx, tiers_src, &key, &indicators)?;
        groups.push(Group {
            id: g.id.clone(),
            name: g.name.clone(),
            when_text: g.when.get_ref().clone(),
            when,
            indicators,
            tiers,
        });
    }

    for c in &cases {
        if matches!(&c.tier, Some(t) if t.trim().is_empty()) {
            return cx.err(0..0, "scope.*.tier", "按等级管理的等级不能为空字符串");
        }
    }

    let mut events = Events {
        bonus_cap: raw.events.bonus_cap,
        deduction_cap: raw.events.deduction_cap,
        category_caps: raw.events.category_caps.clone(),
        items: Vec::new(),
    };
    for (i, it) in raw.events.items.iter().enumerate() {
        let key = format!("events.items[{i}]");
        let r = it.get_ref();
        cx.check(sane::text(&r.event, "事项名称"), it.span(), format!("{key}.event"))?;
        let kind = match r.kind.as_str() {
            "bonus" => EventKind::Bonus,
            "deduction" => EventKind::Deduction,
            "veto" => EventKind::Veto,
            "downgrade" if r.steps == Some(0) => {
                return cx.err(it.span(), format!("{key}.steps"), "降档档数应至少为 1")
            }
            "downgrade" => EventKind::Downgrade(r.steps.unwrap_or(1)),
            other => {
                return cx.err(
                    it.span(),
                    format!("{key}.kind"),
                    format!("未知的事项类型「{other}」，应为 bonus、deduction、veto 或 downgrade"),
                )
            }
        };
        if matches!(kind, EventKind::Bonus | EventKind::Deduction) && r.points < 0.0 {
            return cx.err(
                it.span(),
                format!("{key}.points"),
                "分值应为非负数（减分项用 kind = \"deduction\"）",
            );
        }
        cx.check(sane::points_or_zero(r.points, "分值"), it.span(), format!("{key}.points"))?;
        if events.items.iter().any(|e| e.event == r.event) {
            return cx.err(
                it.span(),
                format!("{key}.event"),
                format!("事项「{}」重复定义", r.event),
            );
        }
        events.items.push(EventItem {
            event: r.event.clone(),
            kind,
            points: r.points,
            category: r.category.clone().unwrap_or_else(|| r.event.clone()),
        });
    }

    let reporting = reporting(
        &cx,
        RawReporting {
            clusters: &raw.clusters,
            policies: &raw.policies,
            alerts: &raw.alerts,
            targets: &raw.targets,
            report: &raw.report,
        },
        &groups,
        &cases,
    )?;

    Ok(Rules {
        clusters: reporting.0,
        policies: reporting.1,
        alerts: reporting.2,
        targets: reporting.3,
        report: reporting.4,
        notice: notice(&cx, &raw.notice)?,
        path: path.to_path_buf(),
        text: text.to_string(),
        meta,
        land_modes,
        tax: tax_rules(&cx, raw.tax)?,
        cases,
        groups,
        events,
    })
}

/// The numbers of `[meta]`, `[land]` and `[events]` that are read without spans.
fn plausible_sections(cx: &Ctx, raw: &RawRules) -> Result<(), RuleError> {
    cx.check(sane::text(&raw.meta.name, "评价名称"), cx.section("meta"), "meta.name")?;
    cx.check(sane::year(raw.meta.year), cx.section("meta"), "meta.year")?;
    if let Some(s) = &raw.meta.scheme {
        cx.check(sane::text(s, "方案名称"), cx.section("meta"), "meta.scheme")?;
    }
    for (mode, c) in &raw.land.modes {
        cx.check(sane::land_coefficient(mode, *c), cx.section("land"), "land.modes")?;
    }
    let ev = &raw.events;
    for (cap, k) in [(ev.bonus_cap, "bonus_cap"), (ev.deduction_cap, "deduction_cap")] {
        if let Some(c) = cap {
            cx.check(sane::points_or_zero(c, "上限"), cx.section("events"), format!("events.{k}"))?;
        }
    }
    for (cat, c) in &ev.category_caps {
        cx.check(
            sane::points_or_zero(*c, &format!("类别「{cat}」的上限")),
            cx.section("events"),
            "events.category_caps",
        )?;
    }
    Ok(())
}

fn parse_over(
    cx: &Ctx,
    s: Option<&str>,
    span: std::ops::Range<usize>,
    key: &str,
) -> Result<Over, RuleError> {
    match s.unwrap_or("group") {
        "all" => Ok(Over::All),
        "group" => Ok(Over::Group),
        f if cx.schema.contains(f) && cx.schema.get(f) != Some(&DataType::Float64) => {
            Ok(Over::Field(f.to_string()))
        }
        f => cx.err(
            span,
            key,
            format!("范围「{f}」无效，应为 all、group 或 park、division、town、scale 等分类字段"),
        ),
    }
}

fn indicator(
    cx: &Ctx,
    ind: &Spanned<RawIndicator>,
    key: &str,
    file: &Source,
) -> Result<Indicator, RuleError> {
    let span = ind.span();
    let r = ind.get_ref();
    cx.check(sane::text(&r.id, "指标编号"), span.clone(), format!("{key}.id"))?;
    cx.check(sane::text(&r.name, "指标名称"), span.clone(), format!("{key}.name"))?;
    let formula = cx.expr(&r.formula, &format!("{key}.formula"), false)?;
    cx.check(sane::points(r.weight, "权重"), span.clone(), format!("{key}.weight"))?;
    let direction = match r.direction.as_str() {
        "higher" => Direction::Higher,
        "lower" => Direction::Lower,
        d => {
            return cx.err(
                span,
                format!("{key}.direction"),
                format!("方向「{d}」无效，应为 higher 或 lower"),
            )
        }
    };
    let method = match r.method.as_str() {
        "ratio" => Method::Ratio,
        "lower_ratio" => Method::LowerRatio,
        "minmax" => {
            let s = r.floor_share.unwrap_or(0.0);
            if !(0.0..=1.0).contains(&s) {
                return cx.err(span, format!("{key}.floor_share"), "保底比例应在0到1之间");
            }
            Method::MinMax { floor_share: s }
        }
        m => {
            return cx.err(
                span,
                format!("{key}.method"),
                format!("计分方法「{m}」无效，应为 ratio、minmax 或 lower_ratio"),
            )
        }
    };
    if matches!(method, Method::Ratio) && direction == Direction::Lower {
        return cx.err(
            span,
            format!("{key}.direction"),
            "越低越好的指标请用 method = \"lower_ratio\" 或 \"minmax\"",
        );
    }
    let mut over = Over::Group;
    let benchmark = match (&r.benchmark, method) {
        (None, Method::MinMax { .. }) => Benchmark::None,
        (None, _) => {
            return cx.err(span, format!("{key}.benchmark"), "该计分方法需要基准值 benchmark")
        }
        (Some(b), _) => {
            let bspan = b.span();
            let b = b.get_ref();
            let bk = format!("{key}.benchmark");
            over = parse_over(cx, b.over.as_deref(), bspan.clone(), &format!("{bk}.over"))?;
            let factor = b.factor.unwrap_or(1.0);
            cx.check(sane::positive(factor, "基准值倍数"), bspan.clone(), format!("{bk}.factor"))?;
            match (b.value, &b.stat, &b.file) {
                (Some(v), None, None) => {
                    cx.check(sane::positive(v, "基准值"), bspan.clone(), format!("{bk}.value"))?;
                    Benchmark::Fixed(v * factor)
                }
                (None, Some(s), None) => {
                    let stat = match s.as_str() {
                        "mean" => Stat::Mean,
                        "median" => Stat::Median,
                        "max" => Stat::Max,
                        "min" => Stat::Min,
                        "percentile" => match b.p {
                            Some(p) if (0.0..=1.0).contains(&p) => Stat::Percentile(p),
                            _ => {
                                return cx.err(
                                    bspan,
                                    format!("{bk}.p"),
                                    "percentile 需要 p（0到1之间，如 0.5）",
                                )
                            }
                        },
                        other => {
                            return cx.err(
                                bspan,
                                format!("{bk}.stat"),
                                format!(
                                "统计量「{other}」无效，应为 mean、median、percentile、max 或 min"
                            ),
                            )
                        }
                    };
                    Benchmark::Stat { stat, over: over.clone(), factor }
                }
                (None, None, Some(f)) => {
                    let fsource = file.join(f);
                    let values = read_benchmark_file(&fsource, &r.id, &r.name).map_err(|m| {
                        RuleError::Invalid {
                            path: cx.path.to_path_buf(),
                            line: cx.line(bspan.start),
                            key: format!("{bk}.file"),
                            message: m,
                        }
                    })?;
                    Benchmark::File { path: fsource.name(), over: over.clone(), factor, values }
                }
                _ => return cx.err(bspan, bk, "基准值须且只能用 value、stat、file 之一"),
            }
        }
    };
    let cap = match (r.cap, r.cap_times_weight) {
        (Some(_), Some(_)) => {
            return cx.err(span, format!("{key}.cap"), "cap 与 cap_times_weight 只能设一个")
        }
        (Some(c), None) => {
            cx.check(sane::points(c, "单项封顶分"), span.clone(), format!("{key}.cap"))?;
            Some(c)
        }
        (None, Some(t)) => {
            cx.check(
                sane::positive(t, "封顶倍数"),
                span.clone(),
                format!("{key}.cap_times_weight"),
            )?;
            cx.check(
                sane::points(t * r.weight, "封顶分（权重 × 倍数）"),
                span.clone(),
                format!("{key}.cap_times_weight"),
            )?;
            Some(t * r.weight)
        }
        (None, None) => None,
    };
    let floor = r.floor.unwrap_or(0.0);
    cx.check(sane::score(floor, "单项保底分"), span.clone(), format!("{key}.floor"))?;
    if cap.is_some_and(|c| floor > c) {
        return cx.err(
            span,
            format!("{key}.floor"),
            format!("单项保底分 {floor} 高于封顶分 {}", cap.unwrap_or_default()),
        );
    }
    let missing = match r.missing.as_str() {
        "zero" => Missing::Zero,
        "peer_mean" => Missing::PeerMean,
        "reweight" => Missing::Reweight,
        "not_evaluated" => Missing::NotEvaluated,
        m => {
            return cx.err(
                span,
                format!("{key}.missing"),
                format!("缺失处理「{m}」无效，应为 zero、peer_mean、reweight 或 not_evaluated"),
            )
        }
    };
    Ok(Indicator {
        id: r.id.clone(),
        name: r.name.clone(),
        formula_text: r.formula.get_ref().clone(),
        formula,
        unit: r.unit.clone(),
        weight: r.weight,
        method,
        direction,
        benchmark,
        over,
        cap,
        floor,
        missing,
        missing_reason: r.missing_reason.clone().unwrap_or_else(|| format!("缺少{}数据", r.name)),
    })
}

/// A benchmark file: CSV with columns 指标 (id or name), 范围 (population key, 全部 for all), 基准值.
fn read_benchmark_file(file: &Source, id: &str, name: &str) -> Result<Vec<(String, f64)>, String> {
    let path = file.name();
    let bytes = file.bytes().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            format!("基准值文件 {} 不存在（路径相对规则文件所在目录）", path.display())
        }
        _ => format!("无法读取基准值文件 {}：{}", path.display(), crate::zh::text_file_error(&e)),
    })?;
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .into_reader_with_file_handle(std::io::Cursor::new(bytes))
        .finish()
        .map_err(|_| {
            format!(
                "无法读取基准值文件 {}：应为 UTF-8 编码的 CSV，列为 指标、范围、基准值",
                path.display()
            )
        })?;
    let get = |c: &str| {
        df.column(c)
            .and_then(|s| s.str().cloned())
            .map_err(|_| format!("基准值文件 {} 缺少列「{c}」", path.display()))
    };
    let (ind, key, val) = (get("指标")?, get("范围")?, get("基准值")?);
    let mut out = Vec::new();
    for i in 0..df.height() {
        let which = ind.get(i).unwrap_or("").trim();
        if which != id && which != name {
            continue;
        }
        let k = key.get(i).unwrap_or("").trim().to_string();
        let v: f64 =
            val.get(i).unwrap_or("").trim().parse().map_err(|_| {
                format!("基准值文件 {} 第{}行的基准值不是数字", path.display(), i + 2)
            })?;
        sane::positive(v, "基准值")
            .map_err(|m| format!("基准值文件 {} 第{}行：{m}", path.display(), i + 2))?;
        out.push((k, v));
    }
    if out.is_empty() {
        return Err(format!("基准值文件 {} 中没有指标「{id}」/「{name}」的基准值", path.display()));
    }
    Ok(out)
}

fn tiers(
    cx: &Ctx,
    t: &Spanned<RawTiers>,
    key: &str,
    indicators: &[Indicator],
) -> Result<Tiers, RuleError> {
    let span = t.span();
    let r = t.get_ref();
    let labels =
        r.labels.clone().unwrap_or_else(|| vec!["A".into(), "B".into(), "C".into(), "D".into()]);
    if labels.len() < 2 {
        return cx.err(span, format!("{key}.labels"), "至少需要两个等级");
    }
    cx.check(sane::distinct(&labels, "等级"), span.clone(), format!("{key}.labels"))?;
    let names = r.names.clone().unwrap_or_default();
    if !names.is_empty() && names.len() != labels.len() {
        return cx.err(span, format!("{key}.names"), "等级名称的个数应与等级个数相同");
    }
    cx.check(sane::distinct(&names, "等级名称"), span.clone(), format!("{key}.names"))?;
    let round = r.round.unwrap_or(2);
    cx.check(sane::round(round), span.clone(), format!("{key}.round"))?;
    let rounding = match r.quota_rounding.as_deref().unwrap_or("floor") {
        "floor" => Rounding::Floor,
        "round" => Rounding::Round,
        "ceil" => Rounding::Ceil,
        o => {
            return cx.err(
                span,
                format!("{key}.quota_rounding"),
                format!("取整方式「{o}」无效，应为 floor、round 或 ceil"),
            )
        }
    };
    let need = labels.len() - 1;
    let check_len = |v: &Vec<f64>, k: &str| -> Result<(), RuleError> {
        if v.len() != need {
            return cx.err(
                span.clone(),
                format!("{key}.{k}"),
                format!("应有{need}个数（等级数减一），实有{}个", v.len()),
            );
        }
        Ok(())
    };
    let shares = |m: &BTreeMap<String, f64>, k: &str| -> Result<Vec<(usize, f64)>, RuleError> {
        m.iter()
            .map(|(l, s)| match labels.iter().position(|x| x == l) {
                Some(i) if (0.0..=1.0).contains(s) => Ok((i, *s)),
                Some(_) => cx.err(span.clone(), format!("{key}.{k}.{l}"), "比例应在0到1之间"),
                None => cx.err(
                    span.clone(),
                    format!("{key}.{k}.{l}"),
                    format!("等级「{l}」不在等级列表中"),
                ),
            })
            .collect()
    };
    let method = match r.method.as_deref().unwrap_or("quota") {
        "quota" => {
            let q = r.quota.clone().ok_or(()).or_else(|_| {
                cx.err(span.clone(), format!("{key}.quota"), "quota 方法需要 quota 比例列表")
            })?;
            check_len(&q, "quota")?;
            if q.windows(2).any(|w| w[0] > w[1]) || q.iter().any(|s| !(0.0..=1.0).contains(s)) {
                return cx.err(
                    span,
                    format!("{key}.quota"),
                    "累计比例应在0到1之间且递增，如 [0.2, 0.6, 0.95]",
                );
            }
            TierMethod::Quota { shares: q, rounding }
        }
        m @ ("threshold" | "mixed") => {
            let th = r.thresholds.clone().ok_or(()).or_else(|_| {
                cx.err(span.clone(), format!("{key}.thresholds"), "需要 thresholds 分数线列表")
            })?;
            check_len(&th, "thresholds")?;
            for x in &th {
                cx.check(sane::score(*x, "分数线"), span.clone(), format!("{key}.thresholds"))?;
            }
            if th.windows(2).any(|w| w[0] < w[1]) {
                return cx.err(span, format!("{key}.thresholds"), "分数线应从高到低排列");
            }
            if m == "threshold" {
                TierMethod::Threshold { mins: th }
            } else {
                TierMethod::Mixed {
                    mins: th,
                    max_share: shares(&r.max_share, "max_share")?,
                    min_share: shares(&r.min_share, "min_share")?,
                    rounding,
                }
            }
        }
        o => {
            return cx.err(
                span,
                format!("{key}.method"),
                format!("分档方法「{o}」无效，应为 quota、threshold 或 mixed"),
            )
        }
    };
    let rank_within = r.rank_within.clone().unwrap_or_else(|| vec!["group".into()]);
    for f in &rank_within {
        if f != "group"
            && !matches!(cx.schema.get(f), Some(DataType::String) | Some(DataType::Int32))
        {
            return cx.err(
                span,
                format!("{key}.rank_within"),
                format!("排名范围「{f}」无效，应为 group 或 park、division、town、scale"),
            );
        }
    }
    let mut tie_break = Vec::new();
    for (i, tb) in r.tie_break.clone().unwrap_or_default().iter().enumerate() {
        let descending = match tb.order.as_str() {
            "desc" => true,
            "asc" => false,
            o => {
                return cx.err(
                    span,
                    format!("{key}.tie_break[{i}].order"),
                    format!("排序「{o}」无效，应为 desc 或 asc"),
                )
            }
        };
        let (key, label) = if let Some(ind) = indicators.iter().find(|x| x.id == tb.key) {
            (TieKey::Indicator(ind.id.clone()), ind.name.clone())
        } else if cx.schema.contains(&tb.key) {
            (TieKey::Field(tb.key.clone()), tb.key.clone())
        } else {
            return cx.err(
                span,
                format!("{key}.tie_break[{i}].key"),
                format!("「{}」既不是本组指标编号也不是字段", tb.key),
            );
        };
        tie_break.push(TieBreak { key, label, descending });
    }
    Ok(Tiers { labels, names, round, rank_within, method, tie_break })
}

// ---- Reporting sections (issue 4) ----------------------------------------------------------

/// An industry cluster: enterprises whose industry code starts with one of `prefixes` (the
/// longest matching prefix over all clusters wins; ties go to the earlier cluster).
#[derive(Debug, Clone)]
pub struct Cluster {
    /// `name`: the cluster's name in the reports (unique).
    pub name: String,
    /// `prefixes`: industry-code prefixes, digits only, e.g. `"26"`, `"3841"`.
    pub prefixes: Vec<String>,
}

/// What a policy amount is computed from.
#[derive(Debug, Clone)]
pub enum PolicyBase {
    /// A text-only measure.
    None,
    /// An SQL formula over the enterprise fields (e.g. `electricity`).
    Formula {
        /// `base` as written.
        text: String,
        /// `base` compiled: a numeric expression over the enterprise fields.
        expr: Expr,
    },
    /// The paid amount (万元) of one tax type from the tax table (e.g. 城镇土地使用税).
    Tax(String),
}

/// One `[[policies]]` entry: a differentiated measure (support, surcharge, restriction …) for the
/// enterprises of the listed final tiers, optionally with an amount = base × rate.
#[derive(Debug, Clone)]
pub struct Policy {
    /// `tiers`: the final tiers it applies to (labels of any group or of a `scope` case).
    pub tiers: Vec<String>,
    /// `measure`: the measure's name (not empty).
    pub measure: String,
    /// `text`: its description (empty if not given).
    pub text: String,
    /// `category`: e.g. 支持、减免、加价、限制 (empty if not given).
    pub category: String,
    /// Group ids the measure applies to (empty: all groups).
    pub groups: Vec<String>,
    /// `base` or `base_tax`: what the amount is computed from.
    pub base: PolicyBase,
    /// `base_name`: the base's name for display (default: the field's or tax type's label).
    pub base_name: String,
    /// `base_unit`: the base's unit for display (default: the field's unit, 万元 for a tax).
    pub base_unit: String,
    /// amount = base × rate (for `percent`, rate = percent ÷ 100).
    pub rate: Option<f64>,
    /// The rate was given as a percentage (shown as "× 50%").
    pub percent: bool,
    /// `rate_unit`: the rate's unit for display, e.g. 万元/万千瓦时 (empty if not given).
    pub rate_unit: String,
    /// `unit`: the amount's unit (default 万元).
    pub unit: String,
}

/// When an indicator value raises an alert (exactly one of the `[[alerts.thresholds]]` keys).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AlertRule {
    /// `below`: the value is below this, in the indicator's unit.
    Below(f64),
    /// `above`: the value is above this (for lower-is-better indicators).
    Above(f64),
    /// `below_share_of_benchmark`: the value is below this share (> 0) of the firm's benchmark.
    BelowShareOfBenchmark(f64),
}

/// One `[[alerts.thresholds]]` entry: enterprises whose indicator value crosses a limit are listed
/// in the early-warning list.
#[derive(Debug, Clone)]
pub struct AlertThreshold {
    /// `indicator`: an indicator id of some group.
    pub indicator: String,
    /// The limit.
    pub rule: AlertRule,
    /// `groups`: group ids it applies to (empty: all groups).
    pub groups: Vec<String>,
    /// `note`: the text shown (default e.g. "亩均税收低于10万元/亩").
    pub note: String,
}

/// `[alerts]`: early-warning settings (no effect on scores).
#[derive(Debug, Clone, Default)]
pub struct Alerts {
    /// Points above the next lower tier within which an enterprise is listed.
    pub margin: Option<f64>,
    /// `[[alerts.thresholds]]`, in file order.
    pub thresholds: Vec<AlertThreshold>,
}

/// Aggregate per-mu measures (ratios of sums) the reports compute: id, name, numerator field.
pub const AGGREGATES: &[(&str, &str, &str)] = &[
    ("tax_per_mu", "亩均税收", "tax"),
    ("va_per_mu", "亩均增加值", "value_added"),
    ("rev_per_mu", "亩均营业收入", "revenue"),
    ("output_per_mu", "亩均产值", "output_value"),
];

/// `[targets]`: plan targets the year-over-year comparison checks, park by park.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// Yearly growth target of the park's per-mu aggregates (0.04 = 4 %/yr).
    pub per_mu_growth: Option<f64>,
    /// Aggregate ids from [`AGGREGATES`] the target applies to.
    pub measures: Vec<String>,
    /// Group ids whose enterprises count (empty: all evaluated).
    pub groups: Vec<String>,
}

/// `[report]`: layout settings of the reports (no effect on scores).
#[derive(Debug, Clone)]
pub struct ReportSettings {
    /// `top_n`: firms listed per group in the top and bottom lists (at least 1, default 10).
    pub top_n: usize,
    /// `score_bin`: width in points of the bins of the total-score distribution in 汇总 (> 0,
    /// default 10).
    pub score_bin: f64,
}

impl Default for ReportSettings {
    fn default() -> Self {
        ReportSettings { top_n: 10, score_bin: 10.0 }
    }
}

impl Rules {
    /// The cluster of an industry code: longest matching prefix, earlier cluster on ties.
    pub fn cluster_of(&self, industry_code: &str) -> Option<&str> {
        let mut best: Option<(usize, &str)> = None;
        for c in &self.clusters {
            for p in &c.prefixes {
                if industry_code.starts_with(p.as_str()) && best.is_none_or(|(l, _)| p.len() > l) {
                    best = Some((p.len(), c.name.as_str()));
                }
            }
        }
        best.map(|(_, n)| n)
    }
}

type Reporting = (Vec<Cluster>, Vec<Policy>, Alerts, Targets, ReportSettings);

/// The reporting sections of the raw rule file (borrowed; the rest of `RawRules` is consumed).
struct RawReporting<'a> {
    clusters: &'a [Spanned<RawCluster>],
    policies: &'a [Spanned<RawPolicy>],
    alerts: &'a Option<Spanned<RawAlerts>>,
    targets: &'a Option<Spanned<RawTargets>>,
    report: &'a Option<Spanned<RawReport>>,
}

fn reporting(
    cx: &Ctx,
    raw: RawReporting,
    groups: &[Group],
    cases: &[Case],
) -> Result<Reporting, RuleError> {
    let group_ids = |list: &Option<Vec<String>>,
                     span: std::ops::Range<usize>,
                     key: String|
     -> Result<Vec<String>, RuleError> {
        let list = list.clone().unwrap_or_default();
        for g in &list {
            if !groups.iter().any(|x| &x.id == g) {
                let ids: Vec<&str> = groups.iter().map(|x| x.id.as_str()).collect();
                return cx.err(
                    span,
                    key,
                    format!("评价组「{g}」不存在（可用：{}）", ids.join("、")),
                );
            }
        }
        Ok(list)
    };

    let mut clusters = Vec::new();
    for (i, c) in raw.clusters.iter().enumerate() {
        let (span, r) = (c.span(), c.get_ref());
        let key = format!("clusters[{i}]");
        if r.name.trim().is_empty() {
            return cx.err(span, format!("{key}.name"), "集群名称不能为空");
        }
        if r.prefixes.is_empty()
            || r.prefixes.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return cx.err(
                span,
                format!("{key}.prefixes"),
                "应列出行业代码前缀（数字，如 \"26\"、\"3841\"）",
            );
        }
        if clusters.iter().any(|x: &Cluster| x.name == r.name) {
            return cx.err(span, format!("{key}.name"), format!("集群「{}」重复定义", r.name));
        }
        clusters.push(Cluster { name: r.name.clone(), prefixes: r.prefixes.clone() });
    }

    let mut known_tiers: Vec<&str> = Vec::new();
    for g in groups {
        for l in &g.tiers.labels {
            if !known_tiers.contains(&l.as_str()) {
                known_tiers.push(l);
            }
        }
    }
    for c in cases {
        if let Some(t) = &c.tier {
            if !known_tiers.contains(&t.as_str()) {
                known_tiers.push(t);
            }
        }
    }
    let mut policies = Vec::new();
    for (i, p) in raw.policies.iter().enumerate() {
        let (span, r) = (p.span(), p.get_ref());
        let key = format!("policies[{i}]");
        if r.tiers.is_empty() {
            return cx.err(span, format!("{key}.tiers"), "至少列出一个等级");
        }
        for t in &r.tiers {
            if !known_tiers.contains(&t.as_str()) {
                return cx.err(
                    span,
                    format!("{key}.tiers"),
                    format!("等级「{t}」不在等级列表 {known_tiers:?} 中"),
                );
            }
        }
        if r.measure.trim().is_empty() {
            return cx.err(span, format!("{key}.measure"), "措施名称不能为空");
        }
        let groups_of = group_ids(&r.groups, span.clone(), format!("{key}.groups"))?;
        let base = match (&r.base, &r.base_tax) {
            (Some(_), Some(_)) => {
                return cx.err(span, format!("{key}.base_tax"), "base 与 base_tax 只能设一个")
            }
            (Some(b), None) => PolicyBase::Formula {
                text: b.get_ref().clone(),
                expr: cx.expr(b, &format!("{key}.base"), false)?,
            },
            (None, Some(t)) if t.trim().is_empty() => {
                return cx.err(span, format!("{key}.base_tax"), "税种不能为空")
            }
            (None, Some(t)) => PolicyBase::Tax(t.trim().to_string()),
            (None, None) => PolicyBase::None,
        };
        let (rate, percent) = match (r.rate, r.percent) {
            (Some(_), Some(_)) => {
                return cx.err(span, format!("{key}.percent"), "rate 与 percent 只能设一个")
            }
            (Some(x), None) => (Some(x), false),
            (None, Some(x)) => (Some(x / 100.0), true),
            (None, None) => (None, false),
        };
        if let Some(x) = rate {
            if !x.is_finite() || x < 0.0 {
                return cx.err(
                    span,
                    format!("{key}.{}", if percent { "percent" } else { "rate" }),
                    "费率应为非负数",
                );
            }
        }
        match (&base, rate) {
            (PolicyBase::None, Some(_)) => {
                return cx.err(
                    span,
                    format!("{key}.base"),
                    "有费率时需要计算基数：base（公式）或 base_tax（税种）",
                )
            }
            (PolicyBase::Formula { .. } | PolicyBase::Tax(_), None) => {
                return cx.err(
                    span,
                    format!("{key}.rate"),
                    "有计算基数时需要 rate（倍数）或 percent（百分比）",
                )
            }
            _ => {}
        }
        let base_name = r.base_name.clone().unwrap_or_else(|| match &base {
            PolicyBase::None => String::new(),
            PolicyBase::Formula { text, .. } => field_label(text),
            PolicyBase::Tax(t) => format!("实缴{t}"),
        });
        let base_unit = r.base_unit.clone().unwrap_or_else(|| match &base {
            PolicyBase::Tax(_) => "万元".into(),
            PolicyBase::Formula { text, .. } => field_unit(text).to_string(),
            PolicyBase::None => String::new(),
        });
        policies.push(Policy {
            tiers: r.tiers.clone(),
            measure: r.measure.clone(),
            text: r.text.clone(),
            category: r.category.clone().unwrap_or_default(),
            groups: groups_of,
            base,
            base_name,
            base_unit,
            rate,
            percent,
            rate_unit: r.rate_unit.clone().unwrap_or_default(),
            unit: r.unit.clone().unwrap_or_else(|| "万元".into()),
        });
    }

    let mut alerts = Alerts::default();
    if let Some(a) = &raw.alerts {
        let (span, r) = (a.span(), a.get_ref());
        if let Some(m) = r.margin {
            if !m.is_finite() || m < 0.0 {
                return cx.err(span, "alerts.margin", "预警分差应为非负数（分）");
            }
        }
        alerts.margin = r.margin;
        for (i, t) in r.thresholds.iter().enumerate() {
            let (tspan, t) = (t.span(), t.get_ref());
            let key = format!("alerts.thresholds[{i}]");
            let Some(ind) = groups.iter().flat_map(|g| &g.indicators).find(|x| x.id == t.indicator)
            else {
                return cx.err(
                    tspan,
                    format!("{key}.indicator"),
                    format!("「{}」不是任何评价组的指标编号", t.indicator),
                );
            };
            for (v, k) in [
                (t.below, "below"),
                (t.above, "above"),
                (t.below_share_of_benchmark, "below_share_of_benchmark"),
            ] {
                if let Some(v) = v {
                    cx.check(sane::finite(v, "预警值"), tspan.clone(), format!("{key}.{k}"))?;
                }
            }
            let rule = match (t.below, t.above, t.below_share_of_benchmark) {
                (Some(v), None, None) => AlertRule::Below(v),
                (None, Some(v), None) => AlertRule::Above(v),
                (None, None, Some(v)) if v > 0.0 => AlertRule::BelowShareOfBenchmark(v),
                (None, None, Some(_)) => {
                    return cx.err(
                        tspan,
                        format!("{key}.below_share_of_benchmark"),
                        "比例应为正数，如 0.5",
                    )
                }
                _ => {
                    return cx.err(
                        tspan,
                        format!("{key}.below"),
                        "须且只能设 below、above、below_share_of_benchmark 之一",
                    )
                }
            };
            let groups_of = group_ids(&t.groups, tspan.clone(), format!("{key}.groups"))?;
            let unit = if ind.unit.is_empty() { String::new() } else { ind.unit.clone() };
            let note = t.note.clone().unwrap_or_else(|| match rule {
                AlertRule::Below(v) => format!("{}低于{v}{unit}", ind.name),
                AlertRule::Above(v) => format!("{}高于{v}{unit}", ind.name),
                AlertRule::BelowShareOfBenchmark(v) => {
                    format!("{}低于基准值的{}%", ind.name, v * 100.0)
                }
            });
            alerts.thresholds.push(AlertThreshold {
                indicator: t.indicator.clone(),
                rule,
                groups: groups_of,
                note,
            });
        }
    }

    let mut targets = Targets::default();
    if let Some(t) = &raw.targets {
        let (span, r) = (t.span(), t.get_ref());
        if let Some(g) = r.per_mu_growth {
            if !g.is_finite() || g <= -1.0 {
                return cx.err(
                    span,
                    "targets.per_mu_growth",
                    "增长目标应为大于 -1 的比例，如 0.04（4%）",
                );
            }
        }
        targets.per_mu_growth = r.per_mu_growth;
        targets.measures = r.measures.clone().unwrap_or_else(|| vec!["tax_per_mu".into()]);
        for m in &targets.measures {
            if !AGGREGATES.iter().any(|(id, _, _)| id == m) {
                let ids: Vec<&str> = AGGREGATES.iter().map(|(id, _, _)| *id).collect();
                return cx.err(
                    span,
                    "targets.measures",
                    format!("「{m}」不是可用的亩均汇总指标（可用：{}）", ids.join("、")),
                );
            }
        }
        targets.groups = group_ids(&r.groups, span.clone(), "targets.groups".into())?;
    }

    let mut report = ReportSettings::default();
    if let Some(rp) = &raw.report {
        let (span, r) = (rp.span(), rp.get_ref());
        if let Some(n) = r.top_n {
            if n == 0 {
                return cx.err(span, "report.top_n", "前后名单家数应为正整数");
            }
            report.top_n = n;
        }
        if let Some(b) = r.score_bin {
            if !(b.is_finite() && b > 0.0) {
                return cx.err(span, "report.score_bin", "总分分布的组距应为正数（分）");
            }
            report.score_bin = b;
        }
    }
    Ok((clusters, policies, alerts, targets, report))
}

/// Chinese label of a formula that is a single field (else the formula itself).
pub fn field_label(formula: &str) -> String {
    let f = formula.trim();
    FORMULA_FIELDS
        .iter()
        .find(|(n, _)| *n == f)
        .map(|(_, d)| d.split(['(', '（', ' ']).next().unwrap_or(d).to_string())
        .unwrap_or_else(|| f.to_string())
}

/// Unit of a formula that is a single field (else empty).
pub fn field_unit(formula: &str) -> &'static str {
    let f = formula.trim();
    FORMULA_FIELDS
        .iter()
        .find(|(n, _)| *n == f)
        .and_then(|(_, d)| {
            let start = d.find('(')? + 1;
            let end = d[start..].find([')', ','])? + start;
            Some(&d[start..end])
        })
        .unwrap_or("")
}

#[cfg(test)]
mod label_tests {
    use super::*;

    /// Two groups sharing 亩均税收: it is listed once, in file order, with its unit; an
    /// indicator without `unit` has none; text that is no rule file gives None.
    #[test]
    fn indicator_labels_are_read_from_the_text_alone() {
        let text = r#"
[meta]
name = "x"
[[groups]]
id = "a"
[[groups.indicators]]
id = "tax_per_mu"
name = "亩均税收"
unit = "万元/亩"
formula = "tax / land_mu"
benchmark = { file = "不存在的基准表.csv" }
[[groups]]
id = "b"
[[groups.indicators]]
id = "rd_share"
name = "研发投入强度"
formula = "rd / revenue"
[[groups.indicators]]
id = "tax_per_mu"
name = "亩均税收"
unit = "万元/亩"
formula = "tax / land_mu"
"#;
        let l = |id: &str, name: &str, unit: &str| IndicatorLabel {
            id: id.into(),
            name: name.into(),
            unit: unit.into(),
        };
        assert_eq!(
            indicator_labels(text),
            Some(vec![l("tax_per_mu", "亩均税收", "万元/亩"), l("rd_share", "研发投入强度", "")])
        );
        assert_eq!(indicator_labels("[meta]\nname = \"无评价组\""), None);
    }
}
