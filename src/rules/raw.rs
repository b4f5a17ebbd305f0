//! The rule file exactly as written (TOML → serde). Nothing here is checked beyond types;
//! `rules::compile` turns it into validated [`super::Rules`].

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    pub meta: RawMeta,
    #[serde(default)]
    pub land: RawLand,
    #[serde(default)]
    pub tax: RawTax,
    #[serde(default)]
    pub scope: RawScope,
    pub groups: Vec<Spanned<RawGroup>>,
    #[serde(default)]
    pub events: RawEvents,
    pub tiers: Spanned<RawTiers>,
    // ---- Reporting sections (issue 4): clusters, policy measures, alerts, targets, report ----
    #[serde(default)]
    pub clusters: Vec<Spanned<RawCluster>>,
    #[serde(default)]
    pub policies: Vec<Spanned<RawPolicy>>,
    pub alerts: Option<Spanned<RawAlerts>>,
    pub targets: Option<Spanned<RawTargets>>,
    pub report: Option<Spanned<RawReport>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub name: String,
    pub year: i32,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawLand {
    /// Coefficient per 用地方式, e.g. 自有 = 1, 承租 = 1, 出租 = -1.
    #[serde(default)]
    pub modes: BTreeMap<String, f64>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawTax {
    pub include: Option<Vec<String>>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawScope {
    #[serde(default)]
    pub exclude: Vec<Spanned<RawCase>>,
    #[serde(default)]
    pub exempt: Vec<Spanned<RawCase>>,
    #[serde(default)]
    pub defer: Vec<Spanned<RawCase>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCase {
    pub when: Spanned<String>,
    pub reason: String,
    pub tier: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    pub id: String,
    pub name: String,
    pub when: Spanned<String>,
    pub indicators: Vec<Spanned<RawIndicator>>,
    pub tiers: Option<Spanned<RawTiers>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    pub id: String,
    pub name: String,
    pub formula: Spanned<String>,
    #[serde(default)]
    pub unit: String,
    pub weight: f64,
    #[serde(default = "default_method")]
    pub method: String,
    #[serde(default = "default_direction")]
    pub direction: String,
    pub benchmark: Option<Spanned<RawBenchmark>>,
    pub floor_share: Option<f64>,
    pub cap: Option<f64>,
    pub cap_times_weight: Option<f64>,
    pub floor: Option<f64>,
    #[serde(default = "default_missing")]
    pub missing: String,
    pub missing_reason: Option<String>,
}

fn default_method() -> String {
    "ratio".into()
}
fn default_direction() -> String {
    "higher".into()
}
fn default_missing() -> String {
    "zero".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBenchmark {
    pub value: Option<f64>,
    pub stat: Option<String>,
    pub p: Option<f64>,
    pub over: Option<String>,
    pub factor: Option<f64>,
    pub file: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawEvents {
    pub bonus_cap: Option<f64>,
    pub deduction_cap: Option<f64>,
    #[serde(default)]
    pub category_caps: BTreeMap<String, f64>,
    #[serde(default)]
    pub items: Vec<Spanned<RawEventItem>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEventItem {
    pub event: String,
    pub kind: String,
    #[serde(default)]
    pub points: f64,
    pub category: Option<String>,
    pub steps: Option<usize>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawTiers {
    pub labels: Option<Vec<String>>,
    pub names: Option<Vec<String>>,
    pub round: Option<u32>,
    pub rank_within: Option<Vec<String>>,
    pub method: Option<String>,
    pub quota: Option<Vec<f64>>,
    pub quota_rounding: Option<String>,
    pub thresholds: Option<Vec<f64>>,
    #[serde(default)]
    pub max_share: BTreeMap<String, f64>,
    #[serde(default)]
    pub min_share: BTreeMap<String, f64>,
    pub tie_break: Option<Vec<RawTieBreak>>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawTieBreak {
    pub key: String,
    #[serde(default = "default_order")]
    pub order: String,
}

fn default_order() -> String {
    "desc".into()
}

/// `[[clusters]]`: an industry cluster by industry-code prefixes (longest prefix wins).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCluster {
    pub name: String,
    pub prefixes: Vec<String>,
}

/// `[[policies]]`: a measure for enterprises of the listed tiers; with a base and a rate, an
/// amount = base × rate (or base × percent ÷ 100).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub tiers: Vec<String>,
    pub measure: String,
    #[serde(default)]
    pub text: String,
    pub category: Option<String>,
    pub groups: Option<Vec<String>>,
    /// SQL formula over the enterprise fields, e.g. "electricity".
    pub base: Option<Spanned<String>>,
    /// A tax type whose paid amount (万元) is the base, e.g. "城镇土地使用税".
    pub base_tax: Option<String>,
    pub base_name: Option<String>,
    pub base_unit: Option<String>,
    pub rate: Option<f64>,
    pub percent: Option<f64>,
    pub rate_unit: Option<String>,
    pub unit: Option<String>,
}

/// `[alerts]`: early-warning settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAlerts {
    /// Points: enterprises at most this far above the next lower tier are listed.
    pub margin: Option<f64>,
    #[serde(default)]
    pub thresholds: Vec<Spanned<RawAlertThreshold>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAlertThreshold {
    pub indicator: String,
    pub below: Option<f64>,
    pub above: Option<f64>,
    pub below_share_of_benchmark: Option<f64>,
    pub groups: Option<Vec<String>>,
    pub note: Option<String>,
}

/// `[targets]`: plan targets the year-over-year report checks.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTargets {
    pub per_mu_growth: Option<f64>,
    pub measures: Option<Vec<String>>,
    pub groups: Option<Vec<String>>,
}

/// `[report]`: layout settings of the reports.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReport {
    pub top_n: Option<usize>,
    pub score_bin: Option<f64>,
}
