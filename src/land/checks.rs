//! Per project: the schedule (late start and completion, 竣工验收 and 达产复核 due dates), idle
//! land, and each check against the contract value and the control tables.
//!
//! Formulas (DOMAIN.md §7; site area = 出让面积 × 10000/15 平方米):
//! - 投资强度 = 实际固定资产投资 ÷ 出让面积 (万元/亩)
//! - 容积率 = (总建筑面积 + 8米以上层建筑面积) ÷ site area (floors above 8 m count twice; a blank
//!   8米以上层建筑面积 counts as 0)
//! - 建筑系数 = (建构筑物基底面积 + 露天堆场及操作场地面积) ÷ site area (blank 露天堆场 = 0)
//! - 行政办公比重 = 行政办公及生活服务设施用地面积 ÷ site area; when that land is not separable
//!   (用地面积 blank, 行政办公及生活服务设施建筑面积 given): site area × 其建筑面积 ÷ 总建筑面积,
//!   ÷ site area
//! - 绿地率 = 绿地面积 ÷ site area
//! - 亩均税收, 亩均产值 = the holder's tax (evaluation basket) or 工业总产值 of the data year ÷ the
//!   出让面积 of the holder's projects that are due for 达产复核.

use std::collections::HashMap;

use super::controls::{ControlValue, Indicator, LandRules};
use super::{add_months, date_text, fmt_area, fmt_num, fmt_value, Holder, Project};

/// Outcome of one check (the 状态 column of sheet 达标情况). The order is the summary's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// 达标: meets the standard (or the date was kept).
    Pass,
    /// 未达标: misses the standard, or the date was missed.
    Fail,
    /// 未到期: the check's stage (竣工验收, 达产复核, the agreed date) has not come yet.
    NotDue,
    /// 数据缺失: due, but a needed input, contract value or control value is missing, or due-ness
    /// itself cannot be told.
    Missing,
}

impl Status {
    /// The Chinese label written in the workbook and the console.
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "达标",
            Status::Fail => "未达标",
            Status::NotDue => "未到期",
            Status::Missing => "数据缺失",
        }
    }
}

/// What a check row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    /// 按期开工: 实际开工日期 against 约定开工日期.
    StartOnTime,
    /// 按期竣工: 实际竣工日期 against 约定竣工日期.
    CompletionOnTime,
    /// An indicator against the contract and control values.
    Ind(Indicator),
}

impl Item {
    /// Every item, in the order each project's checks are listed.
    pub const ALL: [Item; 9] = [
        Item::StartOnTime,
        Item::CompletionOnTime,
        Item::Ind(Indicator::Investment),
        Item::Ind(Indicator::FloorAreaRatio),
        Item::Ind(Indicator::Coverage),
        Item::Ind(Indicator::AdminShare),
        Item::Ind(Indicator::GreenRatio),
        Item::Ind(Indicator::OutputPerMu),
        Item::Ind(Indicator::TaxPerMu),
    ];
    /// The 检查项 label in the workbook.
    pub fn label(self) -> &'static str {
        match self {
            Item::StartOnTime => "按期开工",
            Item::CompletionOnTime => "按期竣工",
            Item::Ind(i) => i.label(),
        }
    }
    /// The 核查阶段 it belongs to: 进度 (schedule), 竣工验收 or 达产复核.
    pub fn stage(self) -> &'static str {
        match self {
            Item::StartOnTime | Item::CompletionOnTime => "进度",
            Item::Ind(i) if i.at_production() => "达产复核",
            Item::Ind(_) => "竣工验收",
        }
    }
}

/// One check of one project.
#[derive(Debug, Clone)]
pub struct Check {
    /// Index into [`LandRun::projects`](super::LandRun::projects).
    pub project: usize,
    /// What is checked.
    pub item: Item,
    /// The project's value (schedule items: days late).
    pub actual: Option<f64>,
    /// Text shown instead of `actual` (schedule items: the actual date).
    pub actual_text: Option<String>,
    /// The contract's value from the 标准地 row (约定…), in the indicator's unit; None: not
    /// agreed, or a schedule item.
    pub contract: Option<f64>,
    /// Text shown instead of `contract` (schedule items: the agreed date).
    pub contract_text: Option<String>,
    /// The strictest control-table value for the project's industry, with its source; None: no
    /// table has one, or a schedule item.
    pub control: Option<ControlValue>,
    /// The binding value: the stricter of contract and control.
    pub standard: Option<f64>,
    /// The outcome.
    pub status: Status,
    /// How far the value misses the standard (below a minimum, above a maximum; days late).
    pub gap: Option<f64>,
    /// The arithmetic, with the numbers.
    pub calc: String,
    /// The 说明 column: due-ness, which values were missed, or why data is missing.
    pub note: String,
}

/// Idle land (闲置土地) as of the evaluation date.
#[derive(Debug, Clone, PartialEq)]
pub struct Idle {
    /// 未按期开工 or 停工.
    pub stopped: bool,
    /// Counted from: the agreed start date, or the stop date.
    pub since: i32,
    /// Days from `since` to the evaluation date.
    pub days: i64,
    /// Reclaimed without compensation (else: idle fee).
    pub reclaim: bool,
    /// Built floor area ÷ the agreed (约定容积率 × site area), a fraction; None: unstarted, or
    /// data missing.
    pub built_share: Option<f64>,
    /// 实际固定资产投资 ÷ the agreed total (约定投资强度 × 出让面积), a fraction; None: unstarted,
    /// or data missing.
    pub investment_share: Option<f64>,
    /// Why the land is idle, in Chinese (the 认定情形 column of sheet 闲置土地).
    pub reason: String,
}

/// Schedule of one project as of the evaluation date.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    /// Days late (0 = on time); None: no agreed date.
    pub late_start: Option<i64>,
    /// Not started by the evaluation date (late_start counts to the evaluation date).
    pub start_pending: bool,
    /// Days completion is late (0 = on time); None: no agreed completion date.
    pub late_completion: Option<i64>,
    /// Not completed by the evaluation date (late_completion counts to the evaluation date).
    pub completion_pending: bool,
    /// 竣工验收 checks apply: completed, or the agreed completion date has passed; None: unknown.
    pub completion_due: Option<bool>,
    /// Why 竣工验收 is or is not due, in Chinese (sheet 项目进度, column 竣工验收).
    pub completion_note: String,
    /// Date of 达产复核 (counted per `schedule.review_from`); None: not determinable.
    pub review_date: Option<i32>,
    /// How the 达产复核 date was counted, or why it cannot be, in Chinese.
    pub review_note: String,
    /// 未开工 / 在建 / 停工 / 已竣工.
    pub phase: &'static str,
    /// Idle land as of the evaluation date; None: not idle, or not determinable (see
    /// `idle_unknown`).
    pub idle: Option<Idle>,
    /// Why idle land could not be determined (data missing), if so.
    pub idle_unknown: Option<String>,
}

impl Schedule {
    /// 达产复核 is due on `date` (days since 1970-01-01); None: its date is not determinable.
    pub fn review_due(&self, date: i32) -> Option<bool> {
        self.review_date.map(|d| d <= date)
    }
}

/// A date that has happened by the evaluation date.
fn by(d: Option<i32>, date: i32) -> Option<i32> {
    d.filter(|x| *x <= date)
}

/// The schedule, completion and review dates, and idle land of one project.
pub fn schedule(p: &Project, r: &LandRules) -> Schedule {
    let date = r.date;
    let start = by(p.actual_start, date);
    let done = by(p.actual_completion, date);
    let stop = by(p.stop_date, date);
    let late = |agreed: Option<i32>, actual: Option<i32>| -> (Option<i64>, bool) {
        match (agreed, actual) {
            (None, _) => (None, actual.is_none()),
            (Some(a), Some(x)) => (Some(((x - a) as i64).max(0)), false),
            (Some(a), None) => (Some(((date - a) as i64).max(0)), true),
        }
    };
    // Completed without a start date: the start delay is unknown, not running.
    let (late_start, start_pending) =
        if start.is_none() && done.is_some() { (None, false) } else { late(p.agreed_start, start) };
    let (late_completion, completion_pending) = late(p.agreed_completion, done);
    let phase = match (start, done, stop) {
        (_, Some(_), _) => "已竣工",
        (None, None, _) => "未开工",
        (Some(_), None, Some(_)) => "停工",
        (Some(_), None, None) => "在建",
    };

    let (completion_due, completion_note) = match (done, p.agreed_completion) {
        (Some(d), _) => (Some(true), format!("已于{}竣工", date_text(d))),
        (None, Some(c)) if c <= date => {
            (Some(true), format!("约定{}竣工，逾期未竣工，按现状核查", date_text(c)))
        }
        (None, Some(c)) => (Some(false), format!("约定{}竣工，尚未到期", date_text(c))),
        (None, None) => (None, "缺少约定竣工日期，无法确定是否到期".to_string()),
    };

    let base = match r.review_from {
        super::controls::ReviewFrom::ActualStart => start.or(p.agreed_start),
        super::controls::ReviewFrom::AgreedStart => p.agreed_start,
        super::controls::ReviewFrom::Sale => p.sale_date,
    };
    let years = p.production_years.or(r.default_production_years);
    let (review_date, review_note) = match (base, years) {
        (Some(b), Some(y)) if y > 0.0 => {
            let d = add_months(b, (y * 12.0).round() as u32);
            let from = match r.review_from {
                super::controls::ReviewFrom::ActualStart if start.is_some() => "实际开工",
                super::controls::ReviewFrom::ActualStart => "约定开工（尚未开工）",
                super::controls::ReviewFrom::AgreedStart => "约定开工",
                super::controls::ReviewFrom::Sale => "出让",
            };
            let given = if p.production_years.is_some() {
                ""
            } else {
                "（达产年限为空，按规则默认）"
            };
            (Some(d), format!("{from}{} + 达产年限{}年{given} = {}", date_text(b), y, date_text(d)))
        }
        (None, _) => (None, format!("缺少{}，无法确定达产复核日期", r.review_from.label())),
        _ => (None, "缺少达产年限，无法确定达产复核日期".to_string()),
    };

    let (idle, idle_unknown) = idle(p, r, start, done, stop);
    Schedule {
        late_start,
        start_pending,
        late_completion,
        completion_pending,
        completion_due,
        completion_note,
        review_date,
        review_note,
        phase,
        idle,
        idle_unknown,
    }
}

/// Idle land: unstarted ≥ `fee_after_years` after the agreed start (≥ `reclaim_after_years`:
/// reclaim), or started, not completed, stopped (停工日期) ≥ `stopped_years` with built floor area
/// < `built_share_below` of the agreed (约定容积率 × site area) or investment <
/// `investment_share_below` of the agreed total (约定投资强度 × 出让面积).
fn idle(
    p: &Project,
    r: &LandRules,
    start: Option<i32>,
    done: Option<i32>,
    stop: Option<i32>,
) -> (Option<Idle>, Option<String>) {
    let date = r.date;
    let i = &r.idle;
    let days = |from: i32| (date - from) as i64;
    if done.is_some() {
        return (None, None);
    }
    if start.is_none() {
        let Some(a) = p.agreed_start else {
            return (None, Some("未开工但缺少约定开工日期，无法认定是否闲置".into()));
        };
        if add_months(a, 12 * i.reclaim_after_years) <= date {
            return (
                Some(Idle {
                    stopped: false,
                    since: a,
                    days: days(a),
                    reclaim: true,
                    built_share: None,
                    investment_share: None,
                    reason: format!("超过约定开工日期满{}年未动工开发", i.reclaim_after_years),
                }),
                None,
            );
        }
        if add_months(a, 12 * i.fee_after_years) <= date {
            return (
                Some(Idle {
                    stopped: false,
                    since: a,
                    days: days(a),
                    reclaim: false,
                    built_share: None,
                    investment_share: None,
                    reason: format!("超过约定开工日期满{}年未动工开发", i.fee_after_years),
                }),
                None,
            );
        }
        return (None, None);
    }
    let Some(s) = stop else { return (None, None) };
    if add_months(s, 12 * i.stopped_years) > date {
        return (None, None);
    }
    let built_share = match (p.floor_area, p.agreed_far, p.site_m2()) {
        (Some(f), Some(far), Some(site)) if far > 0.0 => Some(f / (far * site)),
        _ => None,
    };
    let investment_share = match (p.investment, p.agreed_intensity, p.area_mu) {
        (Some(x), Some(k), Some(a)) if k > 0.0 && a > 0.0 => Some(x / (k * a)),
        _ => None,
    };
    let low_built = built_share.map(|b| b < i.built_share_below);
    let low_inv = investment_share.map(|b| b < i.investment_share_below);
    let mut why = Vec::new();
    if low_built == Some(true) {
        why.push(format!(
            "已建建筑面积占约定{}不足{}",
            super::fmt_pct(built_share.unwrap_or(0.0)),
            super::fmt_pct(i.built_share_below)
        ));
    }
    if low_inv == Some(true) {
        why.push(format!(
            "已投资额占约定投资总额{}不足{}",
            super::fmt_pct(investment_share.unwrap_or(0.0)),
            super::fmt_pct(i.investment_share_below)
        ));
    }
    if why.is_empty() {
        if low_built.is_none() && low_inv.is_none() {
            return (
                None,
                Some("停工满期限，但缺少建筑面积、约定容积率或投资数据，无法认定是否闲置".into()),
            );
        }
        return (None, None);
    }
    let reclaim = add_months(s, 12 * i.reclaim_after_years) <= date;
    let years = if reclaim { i.reclaim_after_years } else { i.stopped_years };
    (
        Some(Idle {
            stopped: true,
            since: s,
            days: days(s),
            reclaim,
            built_share,
            investment_share,
            reason: format!("已动工但{}，中止开发建设满{}年", why.join("、"), years),
        }),
        None,
    )
}

/// Σ 出让面积 of each holder's projects that are due for 达产复核 (the 亩均 denominator).
fn review_area(projects: &[Project], schedules: &[Schedule], date: i32) -> HashMap<String, f64> {
    let mut m: HashMap<String, f64> = HashMap::new();
    for (p, s) in projects.iter().zip(schedules) {
        if let (Some(c), Some(a), Some(true)) = (&p.code, p.area_mu, s.review_due(date)) {
            if a > 0.0 {
                *m.entry(c.clone()).or_default() += a;
            }
        }
    }
    m
}

/// Every check of every project, in project order then [`Item::ALL`] order.
/// `data_year`: the year of the tax and output tables (the evaluation rules' year).
pub fn all_checks(
    projects: &[Project],
    schedules: &[Schedule],
    holders: &HashMap<String, Holder>,
    r: &LandRules,
    data_year: i32,
) -> Vec<Check> {
    let area = review_area(projects, schedules, r.date);
    let mut out = Vec::with_capacity(projects.len() * Item::ALL.len());
    for (i, (p, s)) in projects.iter().zip(schedules).enumerate() {
        for item in Item::ALL {
            out.push(match item {
                Item::StartOnTime => schedule_check(
                    i,
                    item,
                    p.agreed_start,
                    p.actual_start.filter(|d| *d <= r.date),
                    s.late_start,
                    s.start_pending,
                    r.date,
                    "开工",
                ),
                Item::CompletionOnTime => schedule_check(
                    i,
                    item,
                    p.agreed_completion,
                    p.actual_completion.filter(|d| *d <= r.date),
                    s.late_completion,
                    s.completion_pending,
                    r.date,
                    "竣工",
                ),
                Item::Ind(ind) => indicator_check(i, ind, p, s, holders, &area, r, data_year),
            });
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn schedule_check(
    project: usize,
    item: Item,
    agreed: Option<i32>,
    actual: Option<i32>,
    late: Option<i64>,
    pending: bool,
    date: i32,
    what: &str,
) -> Check {
    let mut c = Check {
        project,
        item,
        actual: None,
        actual_text: Some(match actual {
            Some(d) => date_text(d),
            None => format!("未{what}"),
        }),
        contract: None,
        contract_text: agreed.map(date_text),
        control: None,
        standard: None,
        status: Status::Missing,
        gap: None,
        calc: String::new(),
        note: String::new(),
    };
    let Some(a) = agreed else {
        c.note = format!("缺少约定{what}日期");
        return c;
    };
    let days = late.unwrap_or(0);
    match (actual, pending) {
        (Some(x), _) => {
            c.calc = format!("{} − {} = {} 天", date_text(x), date_text(a), x - a);
            c.status = if days > 0 { Status::Fail } else { Status::Pass };
            if days > 0 {
                c.gap = Some(days as f64);
                c.note = format!("迟延{what}{days}天");
            }
        }
        (None, false) => {
            c.note = format!("已竣工但缺少实际{what}日期");
        }
        (None, true) if date > a => {
            c.calc = format!("评价日{} − {} = {days} 天", date_text(date), date_text(a));
            c.status = Status::Fail;
            c.gap = Some(days as f64);
            c.note = format!("截至评价日尚未{what}，已迟延{days}天");
        }
        (None, true) => {
            c.status = Status::NotDue;
            c.note = format!("约定{what}日期未到");
        }
    }
    c
}

/// The project's value of an indicator with its arithmetic, or why it is missing.
/// `review_due`: the project is due for 达产复核 (its holder's due area is the denominator).
fn value(
    ind: Indicator,
    p: &Project,
    holders: &HashMap<String, Holder>,
    area: &HashMap<String, f64>,
    data_year_note: &str,
    review_due: bool,
) -> Result<(f64, String), String> {
    let site = p.site_m2();
    let site_txt = |s: f64| {
        format!(
            "用地 {} 亩 × 10000/15 = {} 平方米",
            fmt_area(p.area_mu.unwrap_or(0.0)),
            fmt_area(s)
        )
    };
    let need_site = || site.ok_or_else(|| "缺少出让面积".to_string());
    match ind {
        Indicator::Investment => {
            let a = p.area_mu.filter(|a| *a > 0.0).ok_or("缺少出让面积")?;
            let x = p.investment.ok_or("缺少实际固定资产投资")?;
            Ok((x / a, format!("{} ÷ {} = {}", fmt_num(x), fmt_num(a), fmt_num(x / a))))
        }
        Indicator::FloorAreaRatio => {
            let s = need_site()?;
            let f = p.floor_area.ok_or("缺少总建筑面积")?;
            let h = p.floor_area_high.unwrap_or(0.0);
            let v = (f + h) / s;
            let blank = if p.floor_area_high.is_none() {
                "（8米以上层建筑面积为空，按0计）"
            } else {
                ""
            };
            Ok((
                v,
                format!(
                    "({} + {}) ÷ {} = {}；{}{blank}",
                    fmt_area(f),
                    fmt_area(h),
                    fmt_area(s),
                    fmt_num(v),
                    site_txt(s)
                ),
            ))
        }
        Indicator::Coverage => {
            let s = need_site()?;
            let f = p.footprint.ok_or("缺少建构筑物基底面积")?;
            let y = p.open_yard.unwrap_or(0.0);
            let v = (f + y) / s;
            let blank = if p.open_yard.is_none() {
                "（露天堆场及操作场地面积为空，按0计）"
            } else {
                ""
            };
            Ok((
                v,
                format!(
                    "({} + {}) ÷ {} = {}；{}{blank}",
                    fmt_area(f),
                    fmt_area(y),
                    fmt_area(s),
                    fmt_value(ind, v),
                    site_txt(s)
                ),
            ))
        }
        Indicator::AdminShare => {
            let s = need_site()?;
            match (p.admin_land, p.admin_floor, p.floor_area) {
                (Some(l), _, _) => {
                    let v = l / s;
                    Ok((
                        v,
                        format!(
                            "{} ÷ {} = {}；{}",
                            fmt_area(l),
                            fmt_area(s),
                            fmt_value(ind, v),
                            site_txt(s)
                        ),
                    ))
                }
                (None, Some(af), Some(tf)) if tf > 0.0 => {
                    let land = s * af / tf;
                    let v = land / s;
                    Ok((
                        v,
                        format!(
                            "用地不可分割，按建筑面积折算：{} × {} ÷ {} = {} 平方米；{} ÷ {} = {}",
                            fmt_area(s),
                            fmt_area(af),
                            fmt_area(tf),
                            fmt_area(land),
                            fmt_area(land),
                            fmt_area(s),
                            fmt_value(ind, v)
                        ),
                    ))
                }
                (None, Some(_), _) => {
                    Err("行政办公用地不可分割，但缺少总建筑面积，无法折算".into())
                }
                (None, None, _) => {
                    Err("缺少行政办公及生活服务设施用地面积（不可分割时填其建筑面积）".into())
                }
            }
        }
        Indicator::GreenRatio => {
            let s = need_site()?;
            let g = p.green_area.ok_or("缺少绿地面积")?;
            let v = g / s;
            Ok((
                v,
                format!(
                    "{} ÷ {} = {}；{}",
                    fmt_area(g),
                    fmt_area(s),
                    fmt_value(ind, v),
                    site_txt(s)
                ),
            ))
        }
        Indicator::OutputPerMu | Indicator::TaxPerMu => {
            let code = p.code.as_ref().ok_or("缺少统一社会信用代码，无法取得企业数据")?;
            let h = holders.get(code).ok_or("企业名录中没有该企业，无法取得税收、产值")?;
            let (x, what) = if ind == Indicator::TaxPerMu {
                (h.tax, "税收")
            } else {
                (h.output, "工业总产值")
            };
            let x = x.ok_or_else(|| format!("{data_year_note}没有该企业的{what}数据"))?;
            // Due: Σ of the holder's due projects; not yet due: the project's own area (shown only).
            let a = if review_due { area.get(code).copied() } else { p.area_mu };
            let a = a.filter(|a| *a > 0.0).ok_or("缺少出让面积")?;
            let several = p.area_mu.map(|m| (m - a).abs() > 1e-9).unwrap_or(true);
            let denom = if several {
                format!("{}（该企业到期标准地面积合计）", fmt_num(a))
            } else {
                fmt_num(a)
            };
            Ok((
                x / a,
                format!("{data_year_note}{what} {} ÷ {denom} = {}", fmt_num(x), fmt_num(x / a)),
            ))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn indicator_check(
    project: usize,
    ind: Indicator,
    p: &Project,
    s: &Schedule,
    holders: &HashMap<String, Holder>,
    area: &HashMap<String, f64>,
    r: &LandRules,
    data_year: i32,
) -> Check {
    let contract = match ind {
        Indicator::Investment => p.agreed_intensity,
        Indicator::FloorAreaRatio => p.agreed_far,
        Indicator::Coverage => p.agreed_coverage,
        Indicator::OutputPerMu => p.agreed_output_per_mu,
        Indicator::TaxPerMu => p.agreed_tax_per_mu,
        Indicator::AdminShare | Indicator::GreenRatio => None,
    };
    let control = r.control(ind, p.industry_code.as_deref());
    let standard = match (contract, control.as_ref().map(|c| c.value)) {
        (Some(a), Some(b)) => Some(if ind.is_max() { a.min(b) } else { a.max(b) }),
        (a, b) => a.or(b),
    };
    let value = value(
        ind,
        p,
        holders,
        area,
        &format!("{data_year}年度"),
        s.review_due(r.date) == Some(true),
    );
    let (due, due_note) = if ind.at_production() {
        (s.review_due(r.date), s.review_note.clone())
    } else {
        (s.completion_due, s.completion_note.clone())
    };
    let mut c = Check {
        project,
        item: Item::Ind(ind),
        actual: value.as_ref().ok().map(|v| v.0),
        actual_text: None,
        contract,
        contract_text: None,
        control,
        standard,
        status: Status::Missing,
        gap: None,
        calc: value.as_ref().map(|v| v.1.clone()).unwrap_or_default(),
        note: String::new(),
    };
    let mut notes = vec![due_note];
    match due {
        None => {}
        Some(false) => c.status = Status::NotDue,
        Some(true) => match (&value, standard) {
            (Err(why), _) => notes.push(why.clone()),
            (Ok(_), None) => notes.push("合同未约定且控制表无该行业的值".into()),
            (Ok((v, _)), Some(std)) => {
                let tol = 1e-9 * std.abs().max(1.0);
                let fails = if ind.is_max() { *v > std + tol } else { *v < std - tol };
                if fails {
                    c.status = Status::Fail;
                    c.gap = Some((v - std).abs());
                    let mut broken = Vec::new();
                    let cmp = |x: f64| if ind.is_max() { *v > x + tol } else { *v < x - tol };
                    let word = if ind.is_max() { "高于" } else { "低于" };
                    if let Some(k) = contract.filter(|k| cmp(*k)) {
                        broken.push(format!("{word}约定值{}", fmt_value(ind, k)));
                    }
                    if let Some(k) = c.control.as_ref().filter(|k| cmp(k.value)) {
                        broken.push(format!("{word}控制值{}", fmt_value(ind, k.value)));
                    }
                    notes.push(broken.join("，"));
                } else {
                    c.status = Status::Pass;
                }
            }
        },
    }
    if c.status == Status::NotDue {
        if let Err(why) = &value {
            notes.push(why.clone());
        }
    }
    c.note = notes.into_iter().filter(|n| !n.is_empty()).collect::<Vec<_>>().join("；");
    c
}
