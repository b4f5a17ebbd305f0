//! The rule file exactly as written (TOML → serde). Nothing here is checked beyond types;
//! `rules::compile` turns it into validated [`super::Rules`].

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// The whole evaluation rule file; unknown keys anywhere are refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    /// `[meta]` (required).
    pub meta: RawMeta,
    /// `[land]`; its `modes` must list at least one land-use mode.
    #[serde(default)]
    pub land: RawLand,
    /// `[tax]`: which tax types count (default: all).
    #[serde(default)]
    pub tax: RawTax,
    /// `[scope]`: `[[scope.exclude]]`, `[[scope.exempt]]`, `[[scope.defer]]` (default: none).
    #[serde(default)]
    pub scope: RawScope,
    /// `[[groups]]` (at least one): an enterprise is in the first whose `when` holds.
    pub groups: Vec<Spanned<RawGroup>>,
    /// `[events]`: bonus, deduction, veto and downgrade events (default: none).
    #[serde(default)]
    pub events: RawEvents,
    /// `[tiers]` (required): the tier settings of every group without its own `[groups.tiers]`.
    pub tiers: Spanned<RawTiers>,
    // ---- Reporting sections (issue 4): clusters, policy measures, alerts, targets, report ----
    /// `[[clusters]]`: industry clusters for the reports (default: none, all firms in 其他).
    #[serde(default)]
    pub clusters: Vec<Spanned<RawCluster>>,
    /// `[[policies]]`: differentiated policy measures per tier (default: none).
    #[serde(default)]
    pub policies: Vec<Spanned<RawPolicy>>,
    /// `[alerts]`: early-warning settings, or `None` for no alerts.
    pub alerts: Option<Spanned<RawAlerts>>,
    /// `[targets]`: plan targets, or `None` for none.
    pub targets: Option<Spanned<RawTargets>>,
    /// `[report]`: report layout, or `None` for the defaults.
    pub report: Option<Spanned<RawReport>>,
    /// `[notice]`: the 公示名单's heading, contact line and name order, or `None`.
    pub notice: Option<Spanned<RawNotice>>,
}

/// `[notice]`: what the 公示名单 prints besides the list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotice {
    /// `region`: the region in the title (涪陵区).
    pub region: Option<String>,
    /// `issuer`: the issuing body under the title.
    pub issuer: Option<String>,
    /// `contact`: the line for objections under the list.
    pub contact: Option<String>,
    /// `from`, `to`: the notice period's first and last day (YYYY-MM-DD), printed on the list
    /// and taken by `mujun runs notice` when it is given no dates.
    pub from: Option<String>,
    #[allow(missing_docs)]
    pub to: Option<String>,
    /// `pinyin`: readings of words whose characters the dictionary reads otherwise, as
    /// numbered-tone syllables ("重庆" = "chong2 qing4").
    #[serde(default)]
    pub pinyin: std::collections::BTreeMap<String, String>,
}

/// `[meta]`: the evaluation's name and year.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    /// `name` (required, not empty): the evaluation's title in workbooks and reports.
    pub name: String,
    /// `year` (required, 1949 to 2200): the evaluation year; drives ages, file names and dates.
    pub year: i32,
    /// `scheme`: the scheme's name across years, by which the store finds its earlier years
    /// (default: `name`).
    #[serde(default)]
    pub scheme: Option<String>,
    /// `version`: the scheme's version for the 规则 sheet (default empty).
    #[serde(default)]
    pub version: String,
    /// `source`: the policy document followed, for the 规则 sheet (default empty).
    #[serde(default)]
    pub source: String,
}

/// `[land]`: how parcels count towards `land_mu`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawLand {
    /// Coefficient per 用地方式, e.g. 自有 = 1, 承租 = 1, 出租 = -1.
    #[serde(default)]
    pub modes: BTreeMap<String, f64>,
}

/// `[tax]`: which tax types of the tax input make up `tax`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawTax {
    /// `include`: the tax types counted (exact names or globs); `None` (key absent) counts
    /// every type.
    pub include: Option<Vec<String>>,
    /// `exclude`: tax types left out, e.g. 稽查查补、`*一次性*` (default none).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// `no_rows`: tax of an enterprise without tax rows, `zero` (default) or `missing`.
    #[serde(default)]
    pub no_rows: super::tax::NoTaxRows,
}

/// `[scope]`: enterprises not evaluated; lists are tried exclude, exempt, defer and the first
/// matching case wins.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawScope {
    /// `[[scope.exclude]]`: outside the evaluation (不在评价范围).
    #[serde(default)]
    pub exclude: Vec<Spanned<RawCase>>,
    /// `[[scope.exempt]]`: exempted (免评).
    #[serde(default)]
    pub exempt: Vec<Spanned<RawCase>>,
    /// `[[scope.defer]]`: deferred (暂缓评价).
    #[serde(default)]
    pub defer: Vec<Spanned<RawCase>>,
}

/// One `[[scope.*]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCase {
    /// `when` (required): an SQL condition over the enterprise fields, e.g. `scale = '规下'`.
    pub when: Spanned<String>,
    /// `reason` (required): the reason listed in 未参评.
    pub reason: String,
    /// `tier`: a tier the firm is managed as (e.g. `"B"`), listed in 未参评 only; not empty.
    pub tier: Option<String>,
}

/// One `[[groups]]` entry: an evaluation group.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    /// `id` (required, not empty, unique): the group's key.
    pub id: String,
    /// `name` (required, not empty): the group's Chinese name.
    pub name: String,
    /// `when` (required): SQL condition for membership.
    pub when: Spanned<String>,
    /// `[[groups.indicators]]` (at least one).
    pub indicators: Vec<Spanned<RawIndicator>>,
    /// `[groups.tiers]`: the group's own tier settings, replacing `[tiers]` whole; `None` uses
    /// `[tiers]`.
    pub tiers: Option<Spanned<RawTiers>>,
}

/// One `[[groups.indicators]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    /// `id` (required, not empty, unique in the group; same id in several groups = one column).
    pub id: String,
    /// `name` (required, not empty): the indicator's Chinese name.
    pub name: String,
    /// `formula` (required): SQL formula over the enterprise fields, e.g. `tax / land_mu`.
    pub formula: Spanned<String>,
    /// `unit` of the value, for display (default empty).
    #[serde(default)]
    pub unit: String,
    /// `weight` (required): points, above 0 and at most 1000000.
    pub weight: f64,
    /// `method`: `ratio` (default), `lower_ratio` or `minmax`.
    #[serde(default = "default_method")]
    pub method: String,
    /// `direction`: `higher` (default) or `lower` (not with `ratio`).
    #[serde(default = "default_direction")]
    pub direction: String,
    /// `benchmark`: required except for `minmax`.
    pub benchmark: Option<Spanned<RawBenchmark>>,
    /// `floor_share`: `minmax` only, the share of the weight the lowest firm gets (0 to 1,
    /// default 0).
    pub floor_share: Option<f64>,
    /// `cap`: item cap in points (not with `cap_times_weight`; default none).
    pub cap: Option<f64>,
    /// `cap_times_weight`: item cap as a multiple of the weight (not with `cap`).
    pub cap_times_weight: Option<f64>,
    /// `floor`: item floor in points (default 0; not above the cap).
    pub floor: Option<f64>,
    /// `missing`: `zero` (default), `peer_mean`, `reweight` or `not_evaluated`.
    #[serde(default = "default_missing")]
    pub missing: String,
    /// `missing_reason`: the 未参评 reason under `not_evaluated` (default "缺少{name}数据").
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

/// An indicator's `benchmark = { … }`: exactly one of `value`, `stat`, `file`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBenchmark {
    /// `value`: a fixed benchmark (> 0) in the indicator's unit.
    pub value: Option<f64>,
    /// `stat`: `mean`, `median`, `percentile`, `max` or `min` of the evaluated firms' values.
    pub stat: Option<String>,
    /// `p`: the percentile for `stat = "percentile"` (0 to 1, required there).
    pub p: Option<f64>,
    /// `over`: the population, `all`, `group` (default) or a category field such as `park`;
    /// also the min and max population of `minmax`.
    pub over: Option<String>,
    /// `factor`: the benchmark is multiplied by this (> 0, default 1).
    pub factor: Option<f64>,
    /// `file`: a CSV (columns 指标、范围、基准值) relative to the rule file.
    pub file: Option<String>,
}

/// `[events]`: events of the 加减分事项 input and their caps.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawEvents {
    /// `bonus_cap`: most bonus points in all (0 to 1000000; default no cap).
    pub bonus_cap: Option<f64>,
    /// `deduction_cap`: most deducted points in all (0 to 1000000; default no cap).
    pub deduction_cap: Option<f64>,
    /// `category_caps`: most points per category, e.g. `{ "绿色工厂" = 5 }` (default none).
    #[serde(default)]
    pub category_caps: BTreeMap<String, f64>,
    /// `[[events.items]]` (default none).
    #[serde(default)]
    pub items: Vec<Spanned<RawEventItem>>,
}

/// One `[[events.items]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEventItem {
    /// `event` (required, not empty, unique): matched against the 事项 column of the events
    /// input.
    pub event: String,
    /// `kind` (required): `bonus`, `deduction`, `veto` or `downgrade`.
    pub kind: String,
    /// `points`: 0 to 1000000 (default 0; deductions are positive too).
    #[serde(default)]
    pub points: f64,
    /// `category`: the cap category (default: the event's name).
    pub category: Option<String>,
    /// `steps`: tiers to go down for `downgrade` (at least 1, default 1).
    pub steps: Option<usize>,
}

/// `[tiers]` or `[groups.tiers]`: ranking and tier assignment.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawTiers {
    /// `labels`: tiers best first (default `["A","B","C","D"]`; at least two, distinct).
    pub labels: Option<Vec<String>>,
    /// `names`: a name per label, e.g. 优先发展类 (default none; distinct, as many as labels).
    pub names: Option<Vec<String>>,
    /// `round`: decimals of the total before ranking (0 to 15, default 2).
    pub round: Option<u32>,
    /// `rank_within`: `group` and/or `park`, `division`, `town`, `scale` (default `["group"]`).
    pub rank_within: Option<Vec<String>>,
    /// `method`: `quota` (default), `threshold` or `mixed`.
    pub method: Option<String>,
    /// `quota`: cumulative shares, rising, one per tier but the last (required for `quota`).
    pub quota: Option<Vec<f64>>,
    /// `quota_rounding`: `floor` (default), `round` or `ceil`.
    pub quota_rounding: Option<String>,
    /// `thresholds`: minimum totals, highest first, one per tier but the last (required for
    /// `threshold` and `mixed`).
    pub thresholds: Option<Vec<f64>>,
    /// `max_share`: `mixed` only, most share per tier-or-better, e.g. `{ A = 0.3 }`.
    #[serde(default)]
    pub max_share: BTreeMap<String, f64>,
    /// `min_share`: `mixed` only, least share per tier-or-worse, e.g. `{ C = 0.1 }`.
    #[serde(default)]
    pub min_share: BTreeMap<String, f64>,
    /// `tie_break`: orderings of equal totals (default none; the credit code decides last).
    pub tie_break: Option<Vec<RawTieBreak>>,
}

/// One `tie_break` entry, e.g. `{ key = "tax_per_mu", order = "desc" }`.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawTieBreak {
    /// `key` (required): an indicator id of the group, or an enterprise field.
    pub key: String,
    /// `order`: `desc` (default, higher first) or `asc`.
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
    /// `name` (required, not empty, unique).
    pub name: String,
    /// `prefixes` (required, at least one): digit-only industry-code prefixes, e.g. `["26"]`.
    pub prefixes: Vec<String>,
}

/// `[[policies]]`: a measure for enterprises of the listed tiers; with a base and a rate, an
/// amount = base × rate (or base × percent ÷ 100).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// `tiers` (required, at least one): final tier labels, e.g. `["D"]`.
    pub tiers: Vec<String>,
    /// `measure` (required, not empty): the measure's name.
    pub measure: String,
    /// `text`: its description (default empty).
    #[serde(default)]
    pub text: String,
    /// `category`: e.g. 支持、减免、加价、限制 (default empty).
    pub category: Option<String>,
    /// `groups`: group ids it applies to (default: all groups).
    pub groups: Option<Vec<String>>,
    /// SQL formula over the enterprise fields, e.g. "electricity".
    pub base: Option<Spanned<String>>,
    /// A tax type whose paid amount (万元) is the base, e.g. "城镇土地使用税".
    pub base_tax: Option<String>,
    /// `base_name`: the base's display name (default: the field's or tax type's label).
    pub base_name: Option<String>,
    /// `base_unit`: the base's display unit (default: the field's unit, 万元 for a tax).
    pub base_unit: Option<String>,
    /// `rate`: amount = base × rate (≥ 0; not with `percent`; required with a base).
    pub rate: Option<f64>,
    /// `percent`: amount = base × percent ÷ 100 (≥ 0; not with `rate`).
    pub percent: Option<f64>,
    /// `rate_unit`: the rate's display unit, e.g. 万元/万千瓦时 (default empty).
    pub rate_unit: Option<String>,
    /// `unit`: the amount's unit (default 万元).
    pub unit: Option<String>,
}

/// `[alerts]`: early-warning settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAlerts {
    /// Points: enterprises at most this far above the next lower tier are listed.
    pub margin: Option<f64>,
    /// `[[alerts.thresholds]]` (default none).
    #[serde(default)]
    pub thresholds: Vec<Spanned<RawAlertThreshold>>,
}

/// One `[[alerts.thresholds]]` entry: exactly one of `below`, `above`, `below_share_of_benchmark`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAlertThreshold {
    /// `indicator` (required): an indicator id of some group.
    pub indicator: String,
    /// `below`: alert when the value is below this (indicator's unit).
    pub below: Option<f64>,
    /// `above`: alert when the value is above this (for lower-is-better indicators).
    pub above: Option<f64>,
    /// `below_share_of_benchmark`: alert below this share (> 0) of the benchmark, e.g. 0.5.
    pub below_share_of_benchmark: Option<f64>,
    /// `groups`: group ids it applies to (default: all groups).
    pub groups: Option<Vec<String>>,
    /// `note`: the text shown (default from the indicator's name, limit and unit).
    pub note: Option<String>,
}

/// `[targets]`: plan targets the year-over-year report checks.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTargets {
    /// `per_mu_growth`: yearly growth target of the parks' per-mu aggregates (0.04 = 4 %/yr,
    /// above −1; default none).
    pub per_mu_growth: Option<f64>,
    /// `measures`: aggregate ids `tax_per_mu` (default), `va_per_mu`, `rev_per_mu`,
    /// `output_per_mu`.
    pub measures: Option<Vec<String>>,
    /// `groups`: group ids whose enterprises count (default: all evaluated).
    pub groups: Option<Vec<String>>,
}

/// `[report]`: layout settings of the reports.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReport {
    /// `top_n`: firms per group in the top and bottom lists (≥ 1, default 10).
    pub top_n: Option<usize>,
    /// `score_bin`: bin width in points of the total-score distribution (> 0, default 10).
    pub score_bin: Option<f64>,
}
