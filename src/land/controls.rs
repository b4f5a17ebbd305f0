//! The land rule file (`rules/land_*.toml`): evaluation date, schedule and idle-land settings,
//! penalty rates and the control tables (national control indicators, local 标准地 tables) with
//! the GB/T 4754-2017 → 2002 code map. Every policy number lives here, none in code. Errors name
//! the rule file's line and key, like the evaluation rule files ([`crate::rules::RuleError`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::rules::{AsSource, Purpose, RuleError, Source};

// ------------------------------------------------------------------ indicators

/// A land indicator that a control table or a contract can bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Indicator {
    /// 投资强度 (万元/亩) ≥
    Investment,
    /// 容积率 ≥
    FloorAreaRatio,
    /// 建筑系数 ≥
    Coverage,
    /// 行政办公及生活服务设施用地所占比重 ≤
    AdminShare,
    /// 绿地率 ≤
    GreenRatio,
    /// 亩均产值 / 土地产出率 (万元/亩) ≥
    OutputPerMu,
    /// 亩均税收 / 土地税收 (万元/亩) ≥
    TaxPerMu,
}

impl Indicator {
    /// Every indicator, in the order checks and control tables list them.
    pub const ALL: [Indicator; 7] = [
        Indicator::Investment,
        Indicator::FloorAreaRatio,
        Indicator::Coverage,
        Indicator::AdminShare,
        Indicator::GreenRatio,
        Indicator::OutputPerMu,
        Indicator::TaxPerMu,
    ];
    /// Rule-file key.
    pub fn key(self) -> &'static str {
        match self {
            Indicator::Investment => "investment_intensity",
            Indicator::FloorAreaRatio => "floor_area_ratio",
            Indicator::Coverage => "building_coverage",
            Indicator::AdminShare => "admin_share",
            Indicator::GreenRatio => "green_ratio",
            Indicator::OutputPerMu => "output_per_mu",
            Indicator::TaxPerMu => "tax_per_mu",
        }
    }
    /// The Chinese name shown in the workbook (检查项) and in notes.
    pub fn label(self) -> &'static str {
        match self {
            Indicator::Investment => "投资强度",
            Indicator::FloorAreaRatio => "容积率",
            Indicator::Coverage => "建筑系数",
            Indicator::AdminShare => "行政办公及生活服务设施用地比重",
            Indicator::GreenRatio => "绿地率",
            Indicator::OutputPerMu => "亩均产值",
            Indicator::TaxPerMu => "亩均税收",
        }
    }
    /// The 单位 column: "万元/亩", "%" for shares (stored as fractions), "" for 容积率.
    pub fn unit(self) -> &'static str {
        match self {
            Indicator::Investment | Indicator::OutputPerMu | Indicator::TaxPerMu => "万元/亩",
            Indicator::FloorAreaRatio => "",
            Indicator::Coverage | Indicator::AdminShare | Indicator::GreenRatio => "%",
        }
    }
    /// True for upper limits (≤), false for minimums (≥).
    pub fn is_max(self) -> bool {
        matches!(self, Indicator::AdminShare | Indicator::GreenRatio)
    }
    /// Shown as a percentage.
    pub fn is_share(self) -> bool {
        matches!(self, Indicator::Coverage | Indicator::AdminShare | Indicator::GreenRatio)
    }
    /// Checked at 达产复核 (else at 竣工验收).
    pub fn at_production(self) -> bool {
        matches!(self, Indicator::OutputPerMu | Indicator::TaxPerMu)
    }
}

// ------------------------------------------------------------------ compiled rules

/// Where 达产复核 is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewFrom {
    /// 实际开工日期 (not started: 约定开工日期).
    ActualStart,
    /// 约定开工日期.
    AgreedStart,
    /// 出让日期.
    Sale,
}

impl ReviewFrom {
    /// The start date's name in Chinese, for "缺少…" notes.
    pub fn label(self) -> &'static str {
        match self {
            ReviewFrom::ActualStart => "实际开工日期（未开工按约定开工日期）",
            ReviewFrom::AgreedStart => "约定开工日期",
            ReviewFrom::Sale => "出让日期",
        }
    }
}

/// Idle land (闲置土地处置办法) settings.
#[derive(Debug, Clone, PartialEq)]
pub struct IdleRules {
    /// `[idle] fee_share`: share of the land price charged as idle fee (> 0, ≤ 0.20).
    pub fee_share: f64,
    /// `[idle] fee_after_years` (default 1): unstarted this many years after the agreed start:
    /// idle fee.
    pub fee_after_years: u32,
    /// `[idle] reclaim_after_years` (default 2, longer than `fee_after_years`): unstarted (or
    /// stopped) this many years: reclaimed without compensation.
    pub reclaim_after_years: u32,
    /// `[idle] built_share_below` (default 1/3): started projects are idle when built floor area
    /// < this share of the agreed floor area …
    pub built_share_below: f64,
    /// `[idle] investment_share_below` (default 0.25): … or investment < this share of the
    /// agreed total …
    pub investment_share_below: f64,
    /// `[idle] stopped_years` (default 1): … and work stopped (停工日期) at least this many
    /// years.
    pub stopped_years: u32,
}

/// One control table (national indicators or a local 标准地 table): one `[[controls]]` entry of
/// the rule file or of a file it names in `include_controls`.
#[derive(Debug, Clone)]
pub struct ControlTable {
    /// `[[controls]] name`, shown in 控制值依据 ("table · row").
    pub name: String,
    /// `[[controls]] source`: the document the table is taken from (may be empty).
    pub source: String,
    /// `[[controls]] edition`: edition of the industry codes in `industries`, "2002" or "2017".
    pub edition: String,
    /// `[controls.all]`: values for every industry, used when no industry row matches.
    pub all: BTreeMap<Indicator, f64>,
    /// `[[controls.industries]]`: values per industry.
    pub industries: Vec<IndustryRow>,
}

/// One `[[controls.industries]]` row of a control table.
#[derive(Debug, Clone)]
pub struct IndustryRow {
    /// `name`, else the codes joined with "、".
    pub name: String,
    /// Code prefixes (division, group or class) in the table's edition.
    pub codes: Vec<String>,
    /// Values in the rule's standard units (投资强度 in 万元/亩, ratios as fractions).
    pub values: BTreeMap<Indicator, f64>,
}

/// A control value with where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlValue {
    /// In the rule's standard units (投资强度 in 万元/亩, ratios as fractions).
    pub value: f64,
    /// "table name · row name (codes)".
    pub source: String,
}

/// A checked land rule file (`rules/land_*.toml`), with the control tables of the files it
/// includes.
#[derive(Debug, Clone)]
pub struct LandRules {
    /// The rule file's path, or a shipped scheme's name; named in errors.
    pub path: PathBuf,
    /// Rule file texts: this file first, then included ones.
    pub texts: Vec<(PathBuf, String)>,
    /// `[meta] name`, the title of the land workbook.
    pub name: String,
    /// `[meta] version` (may be empty).
    pub version: String,
    /// `[meta] source`: the policy documents the file follows (may be empty).
    pub source: String,
    /// `[evaluation] date`: the evaluation date, days since 1970-01-01 (`mujun land --date`
    /// overrides it).
    pub date: i32,
    /// `[evaluation] evaluation_rules`: the evaluation rule file whose tax basket, land modes and year are used (next to this
    /// file: on disk, or among the shipped files for a shipped scheme).
    pub evaluation_rules: Source,
    /// `[evaluation] region_class`: region class for investment intensity by region (e.g. 五类); None: not used.
    pub region_class: Option<String>,
    /// `[schedule] review_from` (`actual_start`, the default; `agreed_start`; `sale`).
    pub review_from: ReviewFrom,
    /// `[schedule] default_production_years`: 达产年限 when the 标准地 row leaves it blank; None: 数据缺失.
    pub default_production_years: Option<f64>,
    /// `[penalties] late_start_permille`: daily penalty for a late start, per mille of the land
    /// price.
    pub late_start_permille: f64,
    /// `[penalties] late_completion_permille`: the same for a late completion.
    pub late_completion_permille: f64,
    /// `[idle]`: idle-land thresholds and fee.
    pub idle: IdleRules,
    /// `[code_map]` (this file's entries win over included ones): GB/T 4754-2017 code prefix → 2002 code prefix (empty: no 2002 equivalent).
    pub code_map: BTreeMap<String, String>,
    /// The control tables: those of `include_controls` files first, then this file's
    /// `[[controls]]`.
    pub controls: Vec<ControlTable>,
}

impl LandRules {
    /// The control value of `ind` for an industry code (GB/T 4754-2017), strictest over all
    /// tables: the highest minimum or the lowest maximum.
    pub fn control(&self, ind: Indicator, industry_code: Option<&str>) -> Option<ControlValue> {
        let mut best: Option<ControlValue> = None;
        for t in &self.controls {
            let Some(cv) = self.table_value(t, ind, industry_code) else { continue };
            let better = match &best {
                None => true,
                Some(b) if ind.is_max() => cv.value < b.value - 1e-12,
                Some(b) => cv.value > b.value + 1e-12,
            };
            if better {
                best = Some(cv);
            }
        }
        best
    }

    fn table_value(
        &self,
        t: &ControlTable,
        ind: Indicator,
        industry_code: Option<&str>,
    ) -> Option<ControlValue> {
        let code = industry_code.map(|c| c.trim()).filter(|c| !c.is_empty());
        let looked_up = code.and_then(|c| {
            if t.edition == "2002" {
                self.map_to_2002(c)
            } else {
                Some(c.to_string())
            }
        });
        if let Some(c) = &looked_up {
            let mut hit: Option<(&IndustryRow, usize)> = None;
            for row in &t.industries {
                for rc in &row.codes {
                    if c.starts_with(rc.as_str()) && hit.map(|(_, l)| rc.len() > l).unwrap_or(true)
                    {
                        hit = Some((row, rc.len()));
                    }
                }
            }
            if let Some((row, _)) = hit {
                if let Some(v) = row.values.get(&ind) {
                    let mapped = if t.edition == "2002" && code.map(|x| x != c).unwrap_or(false) {
                        format!("，按GB/T 4754-2002代码{c}")
                    } else {
                        String::new()
                    };
                    return Some(ControlValue {
                        value: *v,
                        source: format!(
                            "{}·{}（{}{mapped}）",
                            t.name,
                            row.name,
                            row.codes.join("、")
                        ),
                    });
                }
            }
        }
        t.all
            .get(&ind)
            .map(|v| ControlValue { value: *v, source: format!("{}·各行业", t.name) })
    }

    /// A GB/T 4754-2017 code as its 2002 counterpart: the longest code-map prefix replaced by
    /// its value (unlisted divisions are the same in both editions); None when the map says the
    /// division has no 2002 equivalent.
    pub fn map_to_2002(&self, code: &str) -> Option<String> {
        let mut hit: Option<(&String, &String)> = None;
        for (k, v) in &self.code_map {
            if code.starts_with(k.as_str()) && hit.map(|(hk, _)| k.len() > hk.len()).unwrap_or(true)
            {
                hit = Some((k, v));
            }
        }
        match hit {
            None => Some(code.to_string()),
            Some((_, v)) if v.is_empty() => None,
            // The mapped prefix stands for the whole 2002 code (finer digits do not carry over).
            Some((_, v)) => Some(v.clone()),
        }
    }
}

// ------------------------------------------------------------------ raw file

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLandRules {
    meta: RawMeta,
    evaluation: Spanned<RawEvaluation>,
    #[serde(default)]
    include_controls: Vec<Spanned<String>>,
    #[serde(default)]
    schedule: Option<Spanned<RawSchedule>>,
    penalties: Spanned<RawPenalties>,
    idle: Spanned<RawIdle>,
    #[serde(default)]
    code_map: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    #[serde(default)]
    controls: Vec<Spanned<RawControlTable>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvaluation {
    date: Spanned<toml::Value>,
    evaluation_rules: Spanned<String>,
    region_class: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    review_from: Option<Spanned<String>>,
    default_production_years: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPenalties {
    late_start_permille: Spanned<f64>,
    late_completion_permille: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdle {
    fee_share: Spanned<f64>,
    fee_after_years: Option<Spanned<i64>>,
    reclaim_after_years: Option<Spanned<i64>>,
    built_share_below: Option<Spanned<f64>>,
    investment_share_below: Option<Spanned<f64>>,
    stopped_years: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControlTable {
    name: String,
    #[serde(default)]
    source: String,
    edition: Spanned<String>,
    /// Unit of investment values in this table: 万元/亩 (default) or 万元/公顷.
    investment_unit: Option<Spanned<String>>,
    all: Option<Spanned<RawValues>>,
    #[serde(default)]
    industries: Vec<Spanned<RawValues>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawValues {
    name: Option<String>,
    codes: Option<Spanned<Vec<String>>>,
    investment_intensity: Option<Spanned<f64>>,
    /// Investment intensity by region class, e.g. { "一类" = 4080, … }.
    investment_by_class: Option<Spanned<BTreeMap<String, f64>>>,
    floor_area_ratio: Option<Spanned<f64>>,
    building_coverage: Option<Spanned<f64>>,
    admin_share: Option<Spanned<f64>>,
    green_ratio: Option<Spanned<f64>>,
    output_per_mu: Option<Spanned<f64>>,
    tax_per_mu: Option<Spanned<f64>>,
}

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Ctx<'_> {
    fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())].matches('\n').count() + 1
    }
    fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Result<T, RuleError> {
        Err(RuleError::Invalid {
            path: self.path.to_path_buf(),
            line: self.line(span.start),
            key: key.into(),
            message: message.into(),
        })
    }
}

/// Read and check a land rule file (and the files it includes controls from): a path on disk
/// (`&Path`, `&PathBuf`) or a [`Source`], which may be a shipped land scheme.
pub fn load(source: &(impl AsSource + ?Sized)) -> Result<LandRules, RuleError> {
    let source = source.as_source();
    source.check_purpose(Purpose::Land)?;
    load_depth(&source, 0, None)
}

fn load_depth(source: &Source, depth: usize, region: Option<&str>) -> Result<LandRules, RuleError> {
    compile_depth(source, &source.read()?, depth, region)
}

/// Check a land rule file given as text (`path` names it in errors and anchors relative paths).
pub fn compile(path: &Path, text: &str) -> Result<LandRules, RuleError> {
    compile_depth(&Source::File(path.to_path_buf()), text, 0, None)
}

/// `region`: the including file's region class, which overrides this file's for its tables.
fn compile_depth(
    source: &Source,
    text: &str,
    depth: usize,
    region: Option<&str>,
) -> Result<LandRules, RuleError> {
    let path = &source.name();
    let raw: RawLandRules =
        toml::from_str(text).map_err(|e| crate::rules::toml_error::translate(path, text, &e))?;
    let cx = Ctx { path, text };

    // [evaluation]
    let ev = raw.evaluation.get_ref();
    let date = match ev.date.get_ref() {
        toml::Value::String(s) => crate::ingest::values::parse_date(s).ok().flatten(),
        toml::Value::Datetime(d) => d.date.and_then(|d| {
            let nd = chrono::NaiveDate::from_ymd_opt(d.year as i32, d.month as u32, d.day as u32)?;
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
            Some((nd - epoch).num_days() as i32)
        }),
        _ => None,
    };
    let Some(date) = date else {
        return cx.err(ev.date.span(), "evaluation.date", "评价日应为日期，例如 \"2025-12-31\"");
    };
    let evaluation_rules = source.join(ev.evaluation_rules.get_ref());
    if !evaluation_rules.exists() {
        return cx.err(
            ev.evaluation_rules.span(),
            "evaluation.evaluation_rules",
            format!("找不到评价规则文件「{evaluation_rules}」（路径相对于本规则文件）"),
        );
    }
    let region_class = match region {
        Some(r) => Some(r.to_string()),
        None => ev
            .region_class
            .as_ref()
            .map(|s| s.get_ref().trim().to_string())
            .filter(|s| !s.is_empty()),
    };

    // [schedule]
    let (mut review_from, mut default_production_years) = (ReviewFrom::ActualStart, None);
    if let Some(s) = &raw.schedule {
        let s = s.get_ref();
        if let Some(r) = &s.review_from {
            review_from = match r.get_ref().as_str() {
                "actual_start" => ReviewFrom::ActualStart,
                "agreed_start" => ReviewFrom::AgreedStart,
                "sale" => ReviewFrom::Sale,
                other => {
                    return cx.err(
                        r.span(),
                        "schedule.review_from",
                        format!("「{other}」无效，应为 actual_start、agreed_start 或 sale"),
                    );
                }
            };
        }
        if let Some(y) = &s.default_production_years {
            if !(*y.get_ref() > 0.0 && *y.get_ref() <= 20.0) {
                return cx.err(
                    y.span(),
                    "schedule.default_production_years",
                    "应为大于0、不超过20的年数",
                );
            }
            default_production_years = Some(*y.get_ref());
        }
    }

    // [penalties]
    let p = raw.penalties.get_ref();
    for (v, key) in [
        (&p.late_start_permille, "penalties.late_start_permille"),
        (&p.late_completion_permille, "penalties.late_completion_permille"),
    ] {
        if !(*v.get_ref() >= 0.0 && *v.get_ref() <= 100.0) {
            return cx.err(v.span(), key, "每日违约金比例（‰）应在0到100之间");
        }
    }

    // [idle]
    let i = raw.idle.get_ref();
    let fee_share = *i.fee_share.get_ref();
    if !(fee_share > 0.0 && fee_share <= 0.2 + 1e-12) {
        return cx.err(
            i.fee_share.span(),
            "idle.fee_share",
            format!(
                "土地闲置费不得超过出让价款的20%，应为大于0、不大于0.20的比例，实为{fee_share}"
            ),
        );
    }
    let years = |v: &Option<Spanned<i64>>, key: &str, default: u32| -> Result<u32, RuleError> {
        match v {
            None => Ok(default),
            Some(y) if (1..=20).contains(y.get_ref()) => Ok(*y.get_ref() as u32),
            Some(y) => cx.err(y.span(), key, "应为1到20之间的整数年"),
        }
    };
    let share = |v: &Option<Spanned<f64>>, key: &str, default: f64| -> Result<f64, RuleError> {
        match v {
            None => Ok(default),
            Some(x) if *x.get_ref() > 0.0 && *x.get_ref() < 1.0 => Ok(*x.get_ref()),
            Some(x) => cx.err(x.span(), key, "应为0到1之间的比例"),
        }
    };
    let idle = IdleRules {
        fee_share,
        fee_after_years: years(&i.fee_after_years, "idle.fee_after_years", 1)?,
        reclaim_after_years: years(&i.reclaim_after_years, "idle.reclaim_after_years", 2)?,
        built_share_below: share(&i.built_share_below, "idle.built_share_below", 1.0 / 3.0)?,
        investment_share_below: share(
            &i.investment_share_below,
            "idle.investment_share_below",
            0.25,
        )?,
        stopped_years: years(&i.stopped_years, "idle.stopped_years", 1)?,
    };
    if idle.reclaim_after_years <= idle.fee_after_years {
        let span = i.reclaim_after_years.as_ref().map(|s| s.span()).unwrap_or(raw.idle.span());
        return cx.err(span, "idle.reclaim_after_years", "无偿收回的年限应长于征收闲置费的年限");
    }

    // [code_map]
    let mut code_map = BTreeMap::new();
    if let Some(m) = &raw.code_map {
        for (k, v) in m.get_ref() {
            let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
            if !(digits(k) && (2..=4).contains(&k.len())) {
                return cx.err(
                    v.span(),
                    format!("code_map.\"{k}\""),
                    "键应为2至4位GB/T 4754-2017行业代码",
                );
            }
            if !(v.get_ref().is_empty()
                || (digits(v.get_ref()) && (2..=4).contains(&v.get_ref().len())))
            {
                return cx.err(
                    v.span(),
                    format!("code_map.\"{k}\""),
                    "值应为2至4位GB/T 4754-2002行业代码，或空字符串（无对应门类）",
                );
            }
            code_map.insert(k.clone(), v.get_ref().clone());
        }
    }

    // [[controls]]
    let mut controls = Vec::new();
    let mut texts = vec![(path.to_path_buf(), text.to_string())];
    for inc in &raw.include_controls {
        if depth >= 4 {
            return cx.err(inc.span(), "include_controls", "引用层数过多（是否循环引用？）");
        }
        let p = source.join(inc.get_ref());
        if !p.exists() {
            return cx.err(inc.span(), "include_controls", format!("找不到规则文件「{p}」"));
        }
        let other = load_depth(&p, depth + 1, region_class.as_deref())?;
        controls.extend(other.controls);
        for (k, v) in other.code_map {
            code_map.entry(k).or_insert(v);
        }
        texts.extend(other.texts);
    }
    for (ti, t) in raw.controls.iter().enumerate() {
        let key = format!("controls[{ti}]");
        let tr = t.get_ref();
        let edition = tr.edition.get_ref().trim().to_string();
        if edition != "2002" && edition != "2017" {
            return cx.err(
                tr.edition.span(),
                format!("{key}.edition"),
                "行业代码版本应为 \"2002\"（GB/T 4754-2002）或 \"2017\"（GB/T 4754-2017）",
            );
        }
        let inv_factor = match tr.investment_unit.as_ref().map(|u| u.get_ref().as_str()) {
            None | Some("万元/亩") => 1.0,
            Some("万元/公顷") => 1.0 / crate::ingest::schema::MU_PER_HECTARE,
            Some(other) => {
                let span = tr.investment_unit.as_ref().map(|u| u.span()).unwrap_or(t.span());
                return cx.err(
                    span,
                    format!("{key}.investment_unit"),
                    format!("单位「{other}」无效，应为「万元/亩」或「万元/公顷」"),
                );
            }
        };
        let all = match &tr.all {
            None => BTreeMap::new(),
            Some(a) => {
                if let Some(c) = &a.get_ref().codes {
                    return cx.err(
                        c.span(),
                        format!("{key}.all.codes"),
                        "「all」适用于所有行业，不能写 codes",
                    );
                }
                values(&cx, a, &format!("{key}.all"), inv_factor, region_class.as_deref())?
            }
        };
        let mut industries = Vec::new();
        for (ri, r) in tr.industries.iter().enumerate() {
            let rkey = format!("{key}.industries[{ri}]");
            let rr = r.get_ref();
            let Some(codes) = &rr.codes else {
                return cx.err(
                    r.span(),
                    format!("{rkey}.codes"),
                    "必须列出行业代码，例如 codes = [\"26\"]",
                );
            };
            if codes.get_ref().is_empty()
                || codes
                    .get_ref()
                    .iter()
                    .any(|c| !(c.chars().all(|x| x.is_ascii_digit()) && (2..=4).contains(&c.len())))
            {
                return cx.err(
                    codes.span(),
                    format!("{rkey}.codes"),
                    "行业代码应为2至4位数字（字符串），例如 [\"26\", \"2710\"]",
                );
            }
            let vals = values(&cx, r, &rkey, inv_factor, region_class.as_deref())?;
            industries.push(IndustryRow {
                name: rr.name.clone().unwrap_or_else(|| codes.get_ref().join("、")),
                codes: codes.get_ref().clone(),
                values: vals,
            });
        }
        controls.push(ControlTable {
            name: tr.name.clone(),
            source: tr.source.clone(),
            edition,
            all,
            industries,
        });
    }

    Ok(LandRules {
        path: path.to_path_buf(),
        texts,
        name: raw.meta.name,
        version: raw.meta.version,
        source: raw.meta.source,
        date,
        evaluation_rules,
        region_class,
        review_from,
        default_production_years,
        late_start_permille: *p.late_start_permille.get_ref(),
        late_completion_permille: *p.late_completion_permille.get_ref(),
        idle,
        code_map,
        controls,
    })
}

/// The indicator values of an `all` or `industries` entry, in standard units.
fn values(
    cx: &Ctx,
    r: &Spanned<RawValues>,
    key: &str,
    inv_factor: f64,
    region_class: Option<&str>,
) -> Result<BTreeMap<Indicator, f64>, RuleError> {
    let rr = r.get_ref();
    let mut out = BTreeMap::new();
    let fields = [
        (Indicator::Investment, &rr.investment_intensity),
        (Indicator::FloorAreaRatio, &rr.floor_area_ratio),
        (Indicator::Coverage, &rr.building_coverage),
        (Indicator::AdminShare, &rr.admin_share),
        (Indicator::GreenRatio, &rr.green_ratio),
        (Indicator::OutputPerMu, &rr.output_per_mu),
        (Indicator::TaxPerMu, &rr.tax_per_mu),
    ];
    for (ind, v) in fields {
        let Some(v) = v else { continue };
        let x = *v.get_ref();
        let k = format!("{key}.{}", ind.key());
        if !x.is_finite() || x < 0.0 {
            return cx.err(v.span(), k, "应为非负数");
        }
        if ind.is_share() && x > 1.0 {
            return cx.err(v.span(), k, format!("比例应写成小数（如 30% 写 0.30），实为{x}"));
        }
        let x = if ind == Indicator::Investment { x * inv_factor } else { x };
        out.insert(ind, x);
    }
    if let Some(by) = &rr.investment_by_class {
        let k = format!("{key}.investment_by_class");
        if rr.investment_intensity.is_some() {
            return cx.err(by.span(), k, "investment_intensity 与 investment_by_class 只能写一个");
        }
        if by.get_ref().values().any(|x| !x.is_finite() || *x < 0.0) {
            return cx.err(by.span(), k, "投资强度应为非负数");
        }
        match region_class {
            None => return cx.err(
                by.span(),
                k,
                "按地区类别给出投资强度时，须在 [evaluation] 中写 region_class（本地所属地区类别）",
            ),
            Some(c) => match by.get_ref().get(c) {
                Some(x) => {
                    out.insert(Indicator::Investment, x * inv_factor);
                }
                None => {
                    let have: Vec<&str> = by.get_ref().keys().map(String::as_str).collect();
                    return cx.err(
                        by.span(),
                        k,
                        format!("没有地区类别「{c}」的值（有：{}）", have.join("、")),
                    );
                }
            },
        }
    }
    Ok(out)
}
