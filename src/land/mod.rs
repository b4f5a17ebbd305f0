//! Land bureau (`mujun land`): 标准地 compliance per project, schedule and idle land, contract
//! penalties, and the land register per enterprise with its conflicts.
//!
//! Inputs are the year's typed tables ([`crate::ingest`]): the 标准地 table (an auxiliary table
//! for this command), the 用地 table and, for 达产复核, the holder's tax and output of the year,
//! aggregated exactly as `evaluate` does by calling [`crate::score::assemble`] with the
//! evaluation rule file the land rule file names (tax basket, land modes). Every policy number
//! (control values, penalty rates, idle-land thresholds, evaluation date) is in the land rule
//! file ([`controls`]).
//!
//! Stages: [`checks`] (per project and check, with the schedule and idle land), [`penalties`]
//! (contract clauses with their formulas), [`register`] (per enterprise, conflicts) and
//! [`report`] (the workbook); [`job`] runs them all and publishes the workbook.

pub mod checks;
pub mod controls;
pub mod job;
pub mod penalties;
pub mod register;
pub mod report;

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;

use crate::ingest::schema::{AuxKind, TableKind};
use crate::ingest::{Dataset, Problem, Severity};
use crate::rules::Rules;
pub use checks::{Check, Item, Schedule, Status};
pub use controls::{Indicator, LandRules};
pub use penalties::{Clause, Penalty};
pub use register::{Conflict, Register};

/// Why `mujun land` could not produce its workbook (problems in single rows are [`Problem`]s
/// instead and do not stop the run).
#[derive(Debug, thiserror::Error)]
pub enum LandError {
    /// The inputs hold no 标准地 sheet at all (none recognised by file/sheet name or header).
    #[error("输入中没有标准地表（文件或工作表名含“标准地”，或表头含 宗地编号、统一社会信用代码、出让面积 等列）；标准地表的各列见说明文档 docs/INPUTS.md")]
    NoStdLand,
    /// A 标准地 sheet that could not be read (missing column, unknown unit).
    #[error("{0}")]
    Unreadable(String),
    /// An internal table operation failed: a bug, not bad input.
    #[error("土地核查计算失败（{stage}）：内部表格处理错误，请把输入文件和规则文件提供给维护人员")]
    Polars {
        /// The step that failed, in Chinese as shown to the user (e.g. "读取标准地").
        stage: &'static str,
        /// The underlying polars error.
        source: PolarsError,
    },
}

impl LandError {
    /// The process exit code `mujun land` ends with: 4 for unusable input, 5 for an internal
    /// error.
    pub fn exit_code(&self) -> i32 {
        match self {
            LandError::NoStdLand | LandError::Unreadable(_) => 4,
            LandError::Polars { .. } => 5,
        }
    }
}

fn at(stage: &'static str) -> impl FnOnce(PolarsError) -> LandError {
    move |source| LandError::Polars { stage, source }
}

/// One 标准地 row (one parcel / project). Areas of buildings in 平方米, land in 亩, money in 万元,
/// dates as days since 1970-01-01.
#[derive(Debug, Clone, Default)]
/// Every `Option` is `None` when the cell is blank (or the column absent).
pub struct Project {
    /// Input file the row comes from (shown in the 来源 column and in problems).
    pub file: String,
    /// Sheet of that file.
    pub sheet: String,
    /// 1-based spreadsheet row.
    pub row: usize,
    /// 宗地编号 (the one required column; empty if the cell is blank).
    pub parcel_id: String,
    /// 统一社会信用代码 of the land user, the key into the enterprise register.
    pub code: Option<String>,
    /// Register name, else the name written in the 标准地 table.
    pub holder: Option<String>,
    /// The code is in the enterprise register (企业名录); if not, no tax or output is known and
    /// 达产复核 is 数据缺失.
    pub registered: bool,
    /// 所属园区 from the enterprise register; `None` when not registered or blank there.
    pub park: Option<String>,
    /// 项目名称.
    pub project: Option<String>,
    /// 行业代码 (GB/T 4754-2017), which picks the control-table row.
    pub industry_code: Option<String>,
    /// 出让面积 in 亩.
    pub area_mu: Option<f64>,
    /// 出让价款 in 万元, the base of every penalty and the idle fee.
    pub price: Option<f64>,
    /// 出让日期 (contract signed).
    pub sale_date: Option<i32>,
    /// 约定开工日期.
    pub agreed_start: Option<i32>,
    /// 约定竣工日期.
    pub agreed_completion: Option<i32>,
    /// 实际开工日期 as written (dates after the evaluation date count as not yet happened).
    pub actual_start: Option<i32>,
    /// 实际竣工日期 as written (likewise).
    pub actual_completion: Option<i32>,
    /// 停工日期: the date work stopped on a started project (for idle land).
    pub stop_date: Option<i32>,
    /// 约定投资强度 in 万元/亩.
    pub agreed_intensity: Option<f64>,
    /// 实际固定资产投资 in 万元.
    pub investment: Option<f64>,
    /// 约定容积率 (a minimum).
    pub agreed_far: Option<f64>,
    /// 总建筑面积 in 平方米.
    pub floor_area: Option<f64>,
    /// 8米以上层建筑面积 in 平方米 (counted a second time in 容积率; blank counts as 0).
    pub floor_area_high: Option<f64>,
    /// 约定建筑系数 as a fraction (0.30 for 30%).
    pub agreed_coverage: Option<f64>,
    /// 建构筑物基底面积 in 平方米.
    pub footprint: Option<f64>,
    /// 露天堆场及操作场地面积 in 平方米 (blank counts as 0 in 建筑系数).
    pub open_yard: Option<f64>,
    /// 行政办公及生活服务设施用地面积 in 平方米.
    pub admin_land: Option<f64>,
    /// 行政办公及生活服务设施建筑面积 in 平方米, used when the office land is not separable
    /// (`admin_land` blank).
    pub admin_floor: Option<f64>,
    /// 绿地面积 in 平方米.
    pub green_area: Option<f64>,
    /// 约定亩均税收 in 万元/亩.
    pub agreed_tax_per_mu: Option<f64>,
    /// 约定亩均产值 in 万元/亩.
    pub agreed_output_per_mu: Option<f64>,
    /// 达产年限 in years; blank: the rule file's `[schedule] default_production_years`.
    pub production_years: Option<f64>,
}

impl Project {
    /// Site area in 平方米.
    pub fn site_m2(&self) -> Option<f64> {
        self.area_mu.filter(|a| *a > 0.0).map(|a| a * crate::ingest::schema::M2_PER_MU)
    }
    /// "宗地编号 项目名称" for messages.
    pub fn label(&self) -> String {
        match &self.project {
            Some(p) => format!("{} {p}", self.parcel_id),
            None => self.parcel_id.clone(),
        }
    }
}

/// The holder's figures of the data year, as `evaluate` aggregates them.
#[derive(Debug, Clone, Default)]
pub struct Holder {
    /// Enterprise name in the register (企业名录).
    pub name: Option<String>,
    /// 所属园区 in the register.
    pub park: Option<String>,
    /// Tax of the evaluated basket (万元).
    pub tax: Option<f64>,
    /// 工业总产值 (万元).
    pub output: Option<f64>,
    /// Evaluated land (亩) = owned + leased-in − leased-out.
    pub land_mu: Option<f64>,
}

/// Everything `mujun land` found.
pub struct LandRun {
    /// The land rule file the run used.
    pub rules: LandRules,
    /// Name and year of the evaluation rules that gave the tax basket and land modes.
    pub eval_name: String,
    /// Year of the tax and output figures: the evaluation rules' `[meta] year`.
    pub data_year: i32,
    /// The loaded inputs of the year.
    pub dataset: Dataset,
    /// The 标准地 rows in input order; `Check::project`, `Penalty::project` index this.
    pub projects: Vec<Project>,
    /// One per project, same order as `projects`.
    pub schedules: Vec<Schedule>,
    /// Every check of every project (sheet 达标情况), project order then [`Item::ALL`] order.
    pub checks: Vec<Check>,
    /// Contract penalties and idle fees (sheet 违约金测算), project order then clause order.
    pub penalties: Vec<Penalty>,
    /// The land register per enterprise with its conflicts (sheets 用地台账, 宗地明细, 冲突).
    pub register: Register,
    /// Problems relevant to land: 标准地 and 用地 input problems, unrecognised sheets, and those
    /// found here.
    pub problems: Vec<Problem>,
}

impl LandRun {
    /// At least one problem has severity Error, not just Warning (the workbook is written
    /// either way).
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

/// Run the land checks on a loaded year.
pub fn run(rules: LandRules, eval_rules: &Rules, ds: Dataset) -> Result<LandRun, LandError> {
    if let Some(e) = ds.aux_failures.first() {
        return Err(LandError::Unreadable(e.to_string()));
    }
    let std = ds.aux_table(AuxKind::StdLand);
    if std.height() == 0
        && !ds
            .sheets
            .iter()
            .any(|s| s.table == crate::ingest::schema::AnyKind::Aux(AuxKind::StdLand))
    {
        return Err(LandError::NoStdLand);
    }
    let mut problems: Vec<Problem> = ds
        .problems
        .iter()
        .filter(|p| {
            p.table.is_empty()
                || p.table == AuxKind::StdLand.name()
                || p.table.split('、').any(|t| t == TableKind::Land.name())
        })
        .cloned()
        .collect();

    // The holder's tax, output and evaluated land, exactly as evaluate computes them.
    let asm = crate::score::assemble::assemble(&ds, eval_rules).map_err(at("汇总企业数据"))?;
    problems.extend(
        asm.problems
            .iter()
            .filter(|p| p.table.split('、').any(|t| t == TableKind::Land.name()))
            .cloned(),
    );
    let holders = holders(&asm.base).map_err(at("汇总企业数据"))?;

    let mut projects = read_projects(&ds, &holders).map_err(at("读取标准地"))?;
    projects_problems(&projects, &rules, &mut problems);
    for p in projects.iter_mut() {
        if let Some(h) = p.code.as_ref().and_then(|c| holders.get(c)) {
            p.holder = h.name.clone().or(p.holder.take());
            p.park = h.park.clone();
        }
    }

    let schedules: Vec<Schedule> = projects.iter().map(|p| checks::schedule(p, &rules)).collect();
    let checks = checks::all_checks(&projects, &schedules, &holders, &rules, eval_rules.meta.year);
    let penalties = penalties::all(&projects, &schedules, &checks, &rules);
    let register = register::build(&ds, &holders, &projects).map_err(at("用地台账"))?;
    problems.sort_by(|a, b| {
        (a.severity, &a.file, &a.sheet, a.row).cmp(&(b.severity, &b.file, &b.sheet, b.row))
    });
    Ok(LandRun {
        rules,
        eval_name: eval_rules.meta.name.clone(),
        data_year: eval_rules.meta.year,
        dataset: ds,
        projects,
        schedules,
        checks,
        penalties,
        register,
        problems,
    })
}

/// Registered enterprises' figures by code.
fn holders(base: &DataFrame) -> PolarsResult<HashMap<String, Holder>> {
    let s = |c: &str| -> PolarsResult<StringChunked> { Ok(base.column(c)?.str()?.clone()) };
    let f = |c: &str| -> PolarsResult<Float64Chunked> {
        Ok(base.column(c)?.cast(&DataType::Float64)?.f64()?.clone())
    };
    let (code, name, park) = (s("code")?, s("name")?, s("park")?);
    let (tax, output, land) = (f("tax")?, f("output_value")?, f("land_mu")?);
    let mut out = HashMap::new();
    for i in 0..base.height() {
        let Some(c) = code.get(i) else { continue };
        out.entry(c.to_string()).or_insert(Holder {
            name: name.get(i).map(str::to_string),
            park: park.get(i).map(str::to_string),
            tax: tax.get(i),
            output: output.get(i),
            land_mu: land.get(i),
        });
    }
    Ok(out)
}

/// Typed column accessors of a table with `__src`/`__row`.
pub(crate) struct Cols<'a> {
    df: &'a DataFrame,
}

impl<'a> Cols<'a> {
    pub fn new(df: &'a DataFrame) -> Self {
        Cols { df }
    }
    pub fn text(&self, c: &str) -> PolarsResult<Vec<Option<String>>> {
        Ok(self.df.column(c)?.str()?.iter().map(|v| v.map(str::to_string)).collect())
    }
    pub fn num(&self, c: &str) -> PolarsResult<Vec<Option<f64>>> {
        Ok(self.df.column(c)?.cast(&DataType::Float64)?.f64()?.iter().collect())
    }
    pub fn date(&self, c: &str) -> PolarsResult<Vec<Option<i32>>> {
        Ok(self.df.column(c)?.cast(&DataType::Int32)?.i32()?.iter().collect())
    }
    pub fn u32(&self, c: &str) -> PolarsResult<Vec<Option<u32>>> {
        Ok(self.df.column(c)?.u32()?.iter().collect())
    }
}

fn read_projects(ds: &Dataset, holders: &HashMap<String, Holder>) -> PolarsResult<Vec<Project>> {
    let df = ds.aux_table(AuxKind::StdLand);
    let c = Cols::new(df);
    let (src, row) = (c.u32("__src")?, c.u32("__row")?);
    let (parcel, code, name, project, industry) = (
        c.text("parcel_id")?,
        c.text("code")?,
        c.text("src_name")?,
        c.text("project")?,
        c.text("industry_code")?,
    );
    let n = |k: &str| c.num(k);
    let d = |k: &str| c.date(k);
    let (area, price, intensity, investment, far, floor, high) = (
        n("area_mu")?,
        n("price")?,
        n("agreed_intensity")?,
        n("investment")?,
        n("agreed_far")?,
        n("floor_area")?,
        n("floor_area_high")?,
    );
    let (coverage, footprint, yard, admin_land, admin_floor, green) = (
        n("agreed_coverage")?,
        n("footprint")?,
        n("open_yard")?,
        n("admin_land")?,
        n("admin_floor")?,
        n("green_area")?,
    );
    let (tax, output, years) =
        (n("agreed_tax_per_mu")?, n("agreed_output_per_mu")?, n("production_years")?);
    let (sale, a_start, a_done, start, done, stop) = (
        d("sale_date")?,
        d("agreed_start")?,
        d("agreed_completion")?,
        d("actual_start")?,
        d("actual_completion")?,
        d("stop_date")?,
    );
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let (file, sheet) = ds.locate(src[i].unwrap_or(0));
        let code_i = code[i].clone();
        let registered = code_i.as_ref().map(|c| holders.contains_key(c)).unwrap_or(false);
        out.push(Project {
            file,
            sheet,
            row: row[i].unwrap_or(0) as usize,
            parcel_id: parcel[i].clone().unwrap_or_default(),
            code: code_i,
            holder: name[i].clone(),
            registered,
            park: None,
            project: project[i].clone(),
            industry_code: industry[i].clone(),
            area_mu: area[i],
            price: price[i],
            sale_date: sale[i],
            agreed_start: a_start[i],
            agreed_completion: a_done[i],
            actual_start: start[i],
            actual_completion: done[i],
            stop_date: stop[i],
            agreed_intensity: intensity[i],
            investment: investment[i],
            agreed_far: far[i],
            floor_area: floor[i],
            floor_area_high: high[i],
            agreed_coverage: coverage[i],
            footprint: footprint[i],
            open_yard: yard[i],
            admin_land: admin_land[i],
            admin_floor: admin_floor[i],
            green_area: green[i],
            agreed_tax_per_mu: tax[i],
            agreed_output_per_mu: output[i],
            production_years: years[i],
        });
    }
    Ok(out)
}

/// Problems of the 标准地 rows themselves: repeated parcel ids, holders missing from the
/// register, implausible values, dates after the evaluation date.
fn projects_problems(projects: &[Project], rules: &LandRules, problems: &mut Vec<Problem>) {
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    for p in projects {
        let mk = |severity, column: &str, value: String, message: String, action: &str| Problem {
            severity,
            table: AuxKind::StdLand.name().into(),
            file: p.file.clone(),
            sheet: p.sheet.clone(),
            row: Some(p.row),
            column: column.into(),
            value,
            message,
            action: action.into(),
        };
        if let Some(r) = first.get(p.parcel_id.as_str()) {
            problems.push(mk(
                Severity::Warning,
                "宗地编号",
                p.parcel_id.clone(),
                format!("宗地编号重复（首次在第{r}行）"),
                "两行都核查，请核实是否重复填报",
            ));
        } else {
            first.insert(&p.parcel_id, p.row);
        }
        if let (Some(c), false) = (&p.code, p.registered) {
            problems.push(mk(
                Severity::Warning,
                "统一社会信用代码",
                c.clone(),
                "企业名录中没有该企业".into(),
                "照常核查；无法取得税收、产值，达产复核为数据缺失",
            ));
        }
        for (v, col) in [(p.agreed_coverage, "约定建筑系数"), (p.agreed_far, "约定容积率")]
        {
            if let Some(x) = v {
                if col == "约定建筑系数" && x > 1.0 {
                    problems.push(mk(
                        Severity::Warning,
                        col,
                        format!("{x}"),
                        "建筑系数大于1，疑似按百分数填写（应填0.30或30%）".into(),
                        "按所填数值核查",
                    ));
                }
            }
        }
        for (v, col) in [
            (p.actual_start, "实际开工日期"),
            (p.actual_completion, "实际竣工日期"),
            (p.stop_date, "停工日期"),
        ] {
            if let Some(d) = v {
                if d > rules.date {
                    problems.push(mk(
                        Severity::Warning,
                        col,
                        crate::ingest::values::format_date(d),
                        format!("晚于评价日{}", crate::ingest::values::format_date(rules.date)),
                        "按截至评价日尚未发生处理",
                    ));
                }
            }
        }
        if let (Some(s), Some(c)) = (p.actual_start, p.actual_completion) {
            if c < s {
                problems.push(mk(
                    Severity::Warning,
                    "实际竣工日期",
                    crate::ingest::values::format_date(c),
                    "实际竣工日期早于实际开工日期".into(),
                    "按所填日期核查",
                ));
            }
        }
    }
}

/// A number for formulas: two decimals, up to four when two would hide digits.
pub fn fmt_num(x: f64) -> String {
    let two = format!("{x:.2}");
    if (x * 100.0 - (x * 100.0).round()).abs() < 1e-6 {
        return two;
    }
    let four = format!("{x:.4}");
    let t = four.trim_end_matches('0');
    if t.ends_with('.') {
        two
    } else {
        t.to_string()
    }
}

/// Money (万元) with two decimals.
pub fn fmt_money(x: f64) -> String {
    format!("{x:.2}")
}

/// Areas (平方米, 亩) with two decimals.
pub fn fmt_area(x: f64) -> String {
    format!("{x:.2}")
}

/// A share as a percentage with two decimals ("30.00%").
pub fn fmt_pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

/// A value in an indicator's display: percentages for shares, else [`fmt_num`].
pub fn fmt_value(ind: Indicator, x: f64) -> String {
    if ind.is_share() {
        fmt_pct(x)
    } else {
        fmt_num(x)
    }
}

/// Date text of days since 1970-01-01.
pub fn date_text(d: i32) -> String {
    crate::ingest::values::format_date(d)
}

/// `d` plus `months` calendar months (month ends clamp, 2024-02-29 + 12 → 2025-02-28).
pub fn add_months(d: i32, months: u32) -> i32 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");
    let date = epoch + chrono::Duration::days(d as i64);
    match date.checked_add_months(chrono::Months::new(months)) {
        Some(x) => (x - epoch).num_days() as i32,
        None => i32::MAX,
    }
}
