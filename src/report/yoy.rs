//! Year over year: the previous year's results (this engine's workbook, read with calamine, or its
//! CSV), matched by 统一社会信用代码; the tier migration matrix, changes per park (with the parks'
//! per-mu growth against the plan target) and per indicator, and the list of enterprises that
//! moved tier.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};
use rust_xlsxwriter::Workbook;

use super::analysis::{Aggregate, Analysis, Firm, FIELDS};
use super::export::{parse_csv, unguard, EVALUATED};
use super::{ReportError, Scope};
use crate::rules::{Direction, Rules, AGGREGATES};
use crate::sheet::table::{Cell, Formats, TableWriter};
use crate::sheet::SheetError;

pub const NAME: &str = "年度对比";
pub const MOVERS_NAME: &str = "等级变动";

/// Status labels of the migration matrix.
pub const NOT_EVALUATED: &str = "未参评";
pub const NO_RECORD_BEFORE: &str = "上年无记录";
pub const NO_RECORD_NOW: &str = "本年无记录";

#[derive(Debug, Clone, Default)]
pub struct PrevFirm {
    pub code: String,
    pub name: String,
    pub park: String,
    pub group_id: Option<String>,
    pub group_name: Option<String>,
    pub evaluated: bool,
    pub tier: Option<String>,
    pub total: Option<f64>,
    /// Indicator values keyed by the current rules' indicator id.
    pub values: HashMap<String, f64>,
    /// Quantities keyed by [`FIELDS`] key.
    pub fields: HashMap<String, f64>,
}

#[derive(Debug, Clone)]
pub struct Previous {
    pub path: PathBuf,
    pub year: Option<i32>,
    pub firms: Vec<PrevFirm>,
}

fn err(path: &Path, message: impl Into<String>) -> ReportError {
    ReportError::Previous { path: path.to_path_buf(), message: message.into() }
}

fn data_text(d: &Data) -> String {
    match d {
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn parse_num(s: &str) -> Option<f64> {
    let t = s.trim().replace(',', "");
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Strip a trailing "(unit)" from a header.
fn header_base(h: &str) -> &str {
    match (h.rfind('('), h.ends_with(')')) {
        (Some(p), true) => &h[..p],
        _ => h,
    }
}

/// Read the previous year's results: the engine's workbook (.xlsx/.xls/.ods) or its CSV.
pub fn read_previous(path: &Path, rules: &Rules) -> Result<Previous, ReportError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" => read_csv(path, rules),
        "xlsx" | "xlsm" | "xls" | "ods" => read_workbook(path, rules),
        _ => Err(err(path, "上年结果应为本程序输出的结果工作簿（.xlsx）或结果 CSV（.csv）")),
    }
}

fn read_workbook(path: &Path, rules: &Rules) -> Result<Previous, ReportError> {
    let mut wb = open_workbook_auto(path)
        .map_err(|e| err(path, crate::zh::workbook_error(&e.to_string())))?;
    let res = wb.worksheet_range(super::results::NAME).map_err(|_| {
        err(path, format!("没有工作表「{}」，不是本程序输出的结果工作簿", super::results::NAME))
    })?;
    let rows: Vec<Vec<String>> = res.rows().map(|r| r.iter().map(data_text).collect()).collect();
    let Some(head) = rows.first() else { return Err(err(path, "「评价结果」为空")) };
    let find = |name: &str| head.iter().position(|h| h == name);
    let code_c = find("统一社会信用代码")
        .ok_or_else(|| err(path, "「评价结果」缺少列「统一社会信用代码」"))?;
    let (name_c, park_c, group_c, tier_c, total_c) =
        (find("企业名称"), find("所属园区"), find("评价组"), find("等级"), find("总分"));
    let inds = crate::score::all_indicators(rules);
    let ind_cols: Vec<(String, usize)> = inds
        .iter()
        .filter_map(|ind| {
            head.iter().position(|h| header_base(h) == ind.name).map(|c| (ind.id.clone(), c))
        })
        .collect();
    let field_cols: Vec<(String, usize)> =
        FIELDS.iter().filter_map(|(k, h)| find(h).map(|c| (k.to_string(), c))).collect();
    let get =
        |r: &Vec<String>, c: Option<usize>| c.and_then(|c| r.get(c)).cloned().unwrap_or_default();
    let mut firms = Vec::new();
    for r in rows.iter().skip(1) {
        let code = get(r, Some(code_c));
        if code.is_empty() {
            continue;
        }
        let mut f = PrevFirm {
            code,
            name: get(r, name_c),
            park: get(r, park_c),
            group_name: Some(get(r, group_c)).filter(|s| !s.is_empty()),
            evaluated: true,
            tier: Some(get(r, tier_c)).filter(|s| !s.is_empty()),
            total: parse_num(&get(r, total_c)),
            ..Default::default()
        };
        for (id, c) in &ind_cols {
            if let Some(v) = parse_num(&get(r, Some(*c))) {
                f.values.insert(id.clone(), v);
            }
        }
        for (k, c) in &field_cols {
            if let Some(v) = parse_num(&get(r, Some(*c))) {
                f.fields.insert(k.clone(), v);
            }
        }
        firms.push(f);
    }
    if let Ok(ne) = wb.worksheet_range(super::not_evaluated::NAME) {
        let rows: Vec<Vec<String>> = ne.rows().map(|r| r.iter().map(data_text).collect()).collect();
        if let Some(head) = rows.first() {
            let find = |name: &str| head.iter().position(|h| h == name);
            let (code_c, name_c, park_c, tier_c) =
                (find("统一社会信用代码"), find("企业名称"), find("所属园区"), find("按等级管理"));
            for r in rows.iter().skip(1) {
                let code = get(r, code_c);
                if !code.is_empty() {
                    firms.push(PrevFirm {
                        code,
                        name: get(r, name_c),
                        park: get(r, park_c),
                        tier: Some(get(r, tier_c)).filter(|s| !s.is_empty()),
                        ..Default::default()
                    });
                }
            }
        }
    }
    let mut year = None;
    if let Ok(rs) = wb.worksheet_range(super::rules_sheet::NAME) {
        for r in rs.rows() {
            if r.first().map(data_text).as_deref() == Some("评价年度") {
                year = r.get(1).map(data_text).and_then(|s| s.parse::<i32>().ok());
                break;
            }
        }
    }
    Ok(Previous { path: path.to_path_buf(), year, firms })
}

fn read_csv(path: &Path, rules: &Rules) -> Result<Previous, ReportError> {
    let bytes = std::fs::read(path).map_err(|e| err(path, crate::zh::io_error(&e)))?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t.to_string(),
        // Re-saved by Excel on a Chinese system.
        Err(_) => encoding_rs::GBK.decode(&bytes).0.into_owned(),
    };
    let rows = parse_csv(&text);
    let Some(head) = rows.first() else { return Err(err(path, "文件为空")) };
    let find = |name: &str| head.iter().position(|h| h == name);
    let code_c = find("code").ok_or_else(|| err(path, "缺少列 code，不是本程序输出的结果 CSV"))?;
    let status_c =
        find("status").ok_or_else(|| err(path, "缺少列 status，不是本程序输出的结果 CSV"))?;
    let get = |r: &Vec<String>, c: Option<usize>| {
        c.and_then(|c| r.get(c)).map(|s| unguard(s).to_string()).unwrap_or_default()
    };
    let inds = crate::score::all_indicators(rules);
    let ind_cols: Vec<(String, usize)> = inds
        .iter()
        .filter_map(|i| find(&format!("{}.value", i.id)).map(|c| (i.id.clone(), c)))
        .collect();
    let field_cols: Vec<(String, usize)> =
        FIELDS.iter().filter_map(|(k, _)| find(k).map(|c| (k.to_string(), c))).collect();
    let mut year = None;
    let mut firms = Vec::new();
    for r in rows.iter().skip(1) {
        let code = get(r, Some(code_c));
        if code.is_empty() {
            continue;
        }
        if year.is_none() {
            year = parse_num(&get(r, find("year"))).map(|y| y as i32);
        }
        let evaluated = get(r, Some(status_c)) == EVALUATED;
        let mut f = PrevFirm {
            code,
            name: get(r, find("name")),
            park: get(r, find("park")),
            group_id: Some(get(r, find("group"))).filter(|s| !s.is_empty()),
            group_name: Some(get(r, find("group_name"))).filter(|s| !s.is_empty()),
            evaluated,
            tier: Some(get(r, find("tier"))).filter(|s| !s.is_empty()),
            total: parse_num(&get(r, find("total"))),
            ..Default::default()
        };
        for (id, c) in &ind_cols {
            if let Some(v) = parse_num(&get(r, Some(*c))) {
                f.values.insert(id.clone(), v);
            }
        }
        for (k, c) in &field_cols {
            if let Some(v) = parse_num(&get(r, Some(*c))) {
                f.fields.insert(k.clone(), v);
            }
        }
        firms.push(f);
    }
    Ok(Previous { path: path.to_path_buf(), year, firms })
}

/// The previous year matched to the current one.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub prev: Previous,
    /// Years between the two evaluations (1 when the previous year is unknown).
    pub years: i32,
    /// Per current evaluated firm: index into `prev.firms`.
    pub prev_of: Vec<Option<usize>>,
    /// Per current not-evaluated enterprise: index into `prev.firms`.
    pub prev_of_listed: Vec<Option<usize>>,
    /// Previous enterprises absent from this year's evaluation and list.
    pub exits: Vec<usize>,
}

impl Comparison {
    pub fn new(prev: Previous, a: &Analysis) -> Comparison {
        let mut by_code: HashMap<&str, usize> = HashMap::new();
        for (i, f) in prev.firms.iter().enumerate() {
            // An enterprise both evaluated and listed keeps its evaluated row.
            let e = by_code.entry(f.code.as_str()).or_insert(i);
            if !prev.firms[*e].evaluated && f.evaluated {
                *e = i;
            }
        }
        let prev_of = a.firms.iter().map(|f| by_code.get(f.code).copied()).collect();
        let prev_of_listed = a.listed.iter().map(|l| by_code.get(l.code).copied()).collect();
        let mut present: std::collections::HashSet<&str> = a.firms.iter().map(|f| f.code).collect();
        present.extend(a.listed.iter().map(|l| l.code));
        let mut exits: Vec<usize> =
            by_code.iter().filter(|(c, _)| !present.contains(*c)).map(|(_, i)| *i).collect();
        exits.sort_unstable();
        let years = match prev.year {
            Some(y) if a.rules().meta.year > y => a.rules().meta.year - y,
            _ => 1,
        };
        Comparison { prev, years, prev_of, prev_of_listed, exits }
    }

    /// The previous row of current firm `i` if it was evaluated.
    pub fn evaluated_before(&self, i: usize) -> Option<&PrevFirm> {
        self.prev_of[i].map(|p| &self.prev.firms[p]).filter(|p| p.evaluated)
    }

    /// Target growth over the years between the evaluations.
    pub fn target(&self, rules: &Rules) -> Option<f64> {
        rules.targets.per_mu_growth.map(|g| (1.0 + g).powi(self.years) - 1.0)
    }
}

/// Movement of one enterprise: (previous status, current status, label).
pub fn movement(a: &Analysis, i: usize) -> Option<(String, String, &'static str)> {
    let c = a.comparison.as_ref()?;
    let f = &a.firms[i];
    let labels = &a.rules().groups[f.group].tiers.labels;
    match c.evaluated_before(i) {
        None => Some((
            c.prev_of[i]
                .map(|_| NOT_EVALUATED.to_string())
                .unwrap_or_else(|| NO_RECORD_BEFORE.to_string()),
            f.tier.to_string(),
            "新参评",
        )),
        Some(p) => {
            let pt = p.tier.clone().unwrap_or_default();
            let (pi, ci) =
                (labels.iter().position(|l| *l == pt), labels.iter().position(|l| *l == f.tier));
            let label = match (pi, ci) {
                (Some(pi), Some(ci)) if ci < pi => "升档",
                (Some(pi), Some(ci)) if ci > pi => "降档",
                (Some(_), Some(_)) => "持平",
                _ if pt == f.tier => "持平",
                _ => "等级变化",
            };
            Some((pt, f.tier.to_string(), label))
        }
    }
}

/// The enterprises `[targets]` counts, in words ("规上企业", or "全部参评企业").
pub fn target_scope(rules: &Rules) -> String {
    if rules.targets.groups.is_empty() {
        return "全部参评企业".into();
    }
    rules
        .groups
        .iter()
        .filter(|g| rules.targets.groups.contains(&g.id))
        .map(|g| g.name.clone())
        .collect::<Vec<_>>()
        .join("、")
}

fn in_target_groups(rules: &Rules, f: &Firm) -> bool {
    rules.targets.groups.is_empty() || rules.targets.groups.contains(&rules.groups[f.group].id)
}

fn prev_in_target_groups(rules: &Rules, p: &PrevFirm) -> bool {
    if rules.targets.groups.is_empty() {
        return true;
    }
    rules.targets.groups.iter().any(|id| {
        p.group_id.as_deref() == Some(id.as_str())
            || rules
                .groups
                .iter()
                .any(|g| &g.id == id && p.group_name.as_deref() == Some(g.name.as_str()))
    })
}

fn prev_aggregate<'p>(firms: impl Iterator<Item = &'p PrevFirm>) -> Aggregate {
    let mut a = Aggregate { n: 0, land: 0.0, sums: vec![0.0; AGGREGATES.len()] };
    for f in firms.filter(|f| f.evaluated) {
        a.n += 1;
        a.land += f.fields.get("land_mu").copied().unwrap_or(0.0);
        for (k, (_, _, field)) in AGGREGATES.iter().enumerate() {
            a.sums[k] += f.fields.get(*field).copied().unwrap_or(0.0);
        }
    }
    a
}

/// One per-mu growth row: measure, previous, current, growth, target, met.
pub type GrowthRow = (String, Option<f64>, Option<f64>, Option<f64>, Option<f64>, Option<bool>);

/// Per-mu growth rows of one park (or the district). Firms counted per `[targets].groups`.
pub fn growth_rows(a: &Analysis, park: Option<&str>) -> Vec<GrowthRow> {
    let Some(c) = &a.comparison else { return Vec::new() };
    let rules = a.rules();
    let cur = Aggregate::of(
        a.firms.iter().filter(|f| park.is_none_or(|p| f.park == p) && in_target_groups(rules, f)),
    );
    let prev = prev_aggregate(
        c.prev
            .firms
            .iter()
            .filter(|f| park.is_none_or(|p| f.park == p) && prev_in_target_groups(rules, f)),
    );
    let target = c.target(rules);
    let measures: Vec<usize> = if rules.targets.measures.is_empty() {
        (0..AGGREGATES.len()).collect()
    } else {
        rules
            .targets
            .measures
            .iter()
            .filter_map(|m| AGGREGATES.iter().position(|(id, _, _)| id == m))
            .collect()
    };
    measures
        .into_iter()
        .map(|k| {
            let (p, n) = (prev.per_mu(k), cur.per_mu(k));
            let growth = match (p, n) {
                (Some(p), Some(n)) if p > 0.0 => Some(n / p - 1.0),
                _ => None,
            };
            let met = match (growth, target) {
                (Some(g), Some(t)) => Some(g >= t - 1e-12),
                _ => None,
            };
            (AGGREGATES[k].1.to_string(), p, n, growth, target, met)
        })
        .collect()
}

/// 年度对比 (bureau: every park; park workbook: its own park).
pub fn write(
    a: &Analysis,
    scope: Scope,
    wb: &mut Workbook,
    fmt: &Formats,
) -> Result<(), SheetError> {
    let Some(c) = &a.comparison else { return Ok(()) };
    let rules = a.rules();
    let ws = wb.add_worksheet();
    ws.set_name(NAME)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let prev_year = c.prev.year.map(|y| format!("{y}年度")).unwrap_or_else(|| "上年".into());
    t.title(&format!("{}与{}年度评价结果对比", prev_year, rules.meta.year))?;
    t.write_row(&["上年结果文件".into(), c.prev.path.display().to_string().into()])?;
    t.blank();

    // Migration matrix.
    let mut labels = a.all_labels();
    for p in &c.prev.firms {
        if let Some(tl) = &p.tier {
            if p.evaluated && !labels.contains(tl) {
                labels.push(tl.clone());
            }
        }
    }
    let mut rows_l = labels.clone();
    rows_l.extend([NOT_EVALUATED.to_string(), NO_RECORD_BEFORE.to_string()]);
    let mut cols_l = labels.clone();
    cols_l.extend([NOT_EVALUATED.to_string(), NO_RECORD_NOW.to_string()]);
    let mut m = vec![vec![0usize; cols_l.len()]; rows_l.len()];
    let prev_status = |p: Option<usize>| -> String {
        match p.map(|p| &c.prev.firms[p]) {
            Some(p) if p.evaluated => p.tier.clone().unwrap_or_default(),
            Some(_) => NOT_EVALUATED.into(),
            None => NO_RECORD_BEFORE.into(),
        }
    };
    let mut add = |r: String, col: String| {
        if let (Some(ri), Some(ci)) =
            (rows_l.iter().position(|x| *x == r), cols_l.iter().position(|x| *x == col))
        {
            m[ri][ci] += 1;
        }
    };
    for (i, f) in a.firms.iter().enumerate() {
        if scope.has(f.park) {
            add(prev_status(c.prev_of[i]), f.tier.to_string());
        }
    }
    for (i, l) in a.listed.iter().enumerate() {
        if scope.has(l.park) {
            add(prev_status(c.prev_of_listed[i]), NOT_EVALUATED.into());
        }
    }
    for &p in &c.exits {
        let pf = &c.prev.firms[p];
        if scope.has(&pf.park) {
            add(prev_status(Some(p)), NO_RECORD_NOW.into());
        }
    }
    t.title("一、等级迁移矩阵（行：上年，列：本年，单位：家）")?;
    let mut head = vec!["上年＼本年".to_string()];
    head.extend(cols_l.iter().cloned());
    head.push("合计".into());
    t.header(&head)?;
    for (ri, r) in rows_l.iter().enumerate() {
        let mut row: Vec<Cell> = vec![r.clone().into()];
        row.extend(m[ri].iter().map(|n| Cell::from(*n)));
        row.push(m[ri].iter().sum::<usize>().into());
        t.write_row(&row)?;
    }
    let mut row: Vec<Cell> = vec!["合计".into()];
    for ci in 0..cols_l.len() {
        row.push(m.iter().map(|r| r[ci]).sum::<usize>().into());
    }
    row.push(m.iter().flatten().sum::<usize>().into());
    t.write_row(&row)?;
    t.blank();

    // Per park.
    t.title("二、各园区变化")?;
    let target = c.target(rules);
    let mut head: Vec<String> = [
        "园区",
        "上年参评(家)",
        "本年参评(家)",
        "升档(家)",
        "降档(家)",
        "持平(家)",
        "新参评(家)",
        "退出参评(家)",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (_, name, _) in AGGREGATES.iter().take(3) {
        head.push(format!("上年{name}(万元/亩)"));
        head.push(format!("本年{name}(万元/亩)"));
        head.push(format!("{name}增长"));
    }
    t.header(&head)?;
    let mut parks: Vec<String> = a.parks.clone();
    for p in &c.prev.firms {
        if !parks.contains(&p.park) && !p.park.is_empty() {
            parks.push(p.park.clone());
        }
    }
    parks.sort();
    parks.dedup();
    let pct = t.pct_format();
    let first_pct_cols: Vec<usize> = (0..3).map(|k| 8 + k * 3 + 2).collect();
    for park in parks
        .iter()
        .filter(|p| scope.has(p))
        .map(|p| Some(p.as_str()))
        .chain(std::iter::once(None).filter(|_| matches!(scope, Scope::All)))
    {
        let here = |p: &str| park.is_none_or(|x| x == p);
        let mut n = [0usize; 7];
        n[0] = c.prev.firms.iter().filter(|p| p.evaluated && here(&p.park)).count();
        n[1] = a.firms.iter().filter(|f| here(f.park)).count();
        for (i, f) in a.firms.iter().enumerate() {
            if !here(f.park) {
                continue;
            }
            match movement(a, i).map(|m| m.2) {
                Some("升档") => n[2] += 1,
                Some("降档") => n[3] += 1,
                Some("持平") => n[4] += 1,
                Some("新参评") => n[5] += 1,
                _ => {}
            }
        }
        let cur_codes: std::collections::HashSet<&str> = a.firms.iter().map(|f| f.code).collect();
        n[6] = c
            .prev
            .firms
            .iter()
            .filter(|p| p.evaluated && here(&p.park) && !cur_codes.contains(p.code.as_str()))
            .count();
        let cur = Aggregate::of(a.firms.iter().filter(|f| here(f.park)));
        let prev = prev_aggregate(c.prev.firms.iter().filter(|p| here(&p.park)));
        let mut row: Vec<Cell> = vec![park.unwrap_or("全区").to_string().into()];
        row.extend(n.iter().map(|x| Cell::from(*x)));
        for k in 0..3 {
            let (p, q) = (prev.per_mu(k), cur.per_mu(k));
            row.push(p.into());
            row.push(q.into());
            row.push(match (p, q) {
                (Some(p), Some(q)) if p > 0.0 => Cell::Num(q / p - 1.0),
                _ => Cell::Empty,
            });
        }
        t.write_row_with(&row, &first_pct_cols, &pct)?;
    }
    t.blank();

    // Growth against the plan target.
    t.title(&format!(
        "三、园区亩均效益增长与规划目标{}",
        match (rules.targets.per_mu_growth, target) {
            (Some(g), Some(tt)) => format!(
                "（{}，目标：年均增长≥{}%，{}年累计≥{:.2}%）",
                target_scope(rules),
                g * 100.0,
                c.years,
                tt * 100.0
            ),
            _ => "（规则文件未设 targets.per_mu_growth）".into(),
        }
    ))?;
    t.header(&[
        "园区".into(),
        "指标".into(),
        "上年(万元/亩)".into(),
        "本年(万元/亩)".into(),
        "增长".into(),
        "目标增长".into(),
        "是否达标".into(),
    ])?;
    for park in a
        .parks
        .iter()
        .filter(|p| scope.has(p))
        .map(|p| Some(p.as_str()))
        .chain(std::iter::once(None))
    {
        for (name, p, q, g, tg, met) in growth_rows(a, park) {
            t.write_row_with(
                &[
                    park.unwrap_or("全区").to_string().into(),
                    name.into(),
                    p.into(),
                    q.into(),
                    g.into(),
                    tg.into(),
                    match met {
                        Some(true) => "达标".into(),
                        Some(false) => "未达标".into(),
                        None => Cell::Empty,
                    },
                ],
                &[4, 5],
                &pct,
            )?;
        }
    }
    t.blank();

    // Per indicator.
    t.title("四、各指标变化（两年均参评且均有数值的企业）")?;
    t.header(&[
        "指标".into(),
        "单位".into(),
        "企业数".into(),
        "上年平均值".into(),
        "本年平均值".into(),
        "平均值变化".into(),
        "改善(家)".into(),
        "变差(家)".into(),
    ])?;
    for (k, ind) in a.indicators.iter().enumerate() {
        let mut pairs = Vec::new();
        for (i, f) in a.firms.iter().enumerate() {
            if !scope.has(f.park) {
                continue;
            }
            if let (Some(p), Some(v)) =
                (c.evaluated_before(i).and_then(|p| p.values.get(&ind.id).copied()), f.value[k])
            {
                pairs.push((p, v));
            }
        }
        let n = pairs.len();
        let (mp, mv) = if n > 0 {
            (
                Some(pairs.iter().map(|x| x.0).sum::<f64>() / n as f64),
                Some(pairs.iter().map(|x| x.1).sum::<f64>() / n as f64),
            )
        } else {
            (None, None)
        };
        let better = |p: f64, v: f64| if ind.direction == Direction::Lower { v < p } else { v > p };
        let worse = |p: f64, v: f64| if ind.direction == Direction::Lower { v > p } else { v < p };
        t.write_row_with(
            &[
                ind.name.clone().into(),
                ind.unit.clone().into(),
                n.into(),
                mp.into(),
                mv.into(),
                match (mp, mv) {
                    (Some(p), Some(v)) if p.abs() > 0.0 => Cell::Num(v / p - 1.0),
                    _ => Cell::Empty,
                },
                pairs.iter().filter(|(p, v)| better(*p, *v)).count().into(),
                pairs.iter().filter(|(p, v)| worse(*p, *v)).count().into(),
            ],
            &[5],
            &pct,
        )?;
    }
    t.finish_widths()?;
    Ok(())
}

/// 等级变动: enterprises whose tier changed, newly evaluated, or no longer evaluated.
pub fn write_movers(
    a: &Analysis,
    scope: Scope,
    wb: &mut Workbook,
    fmt: &Formats,
) -> Result<(), SheetError> {
    let Some(c) = &a.comparison else { return Ok(()) };
    let ws = wb.add_worksheet();
    ws.set_name(MOVERS_NAME)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let heads = [
        "所属园区",
        "评价组",
        "统一社会信用代码",
        "企业名称",
        "上年等级",
        "本年等级",
        "变动",
        "上年总分",
        "本年总分",
        "总分变化",
    ];
    t.header(&heads.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    let mut rows: Vec<(String, String, Vec<Cell>)> = Vec::new();
    for (i, f) in a.firms.iter().enumerate() {
        if !scope.has(f.park) {
            continue;
        }
        let Some((pt, ct, label)) = movement(a, i) else { continue };
        if label == "持平" {
            continue;
        }
        let pt_total = c.evaluated_before(i).and_then(|p| p.total);
        rows.push((
            f.park.to_string(),
            f.code.to_string(),
            vec![
                f.park.into(),
                a.rules().groups[f.group].name.as_str().into(),
                f.code.into(),
                f.name.into(),
                pt.into(),
                ct.into(),
                label.into(),
                pt_total.into(),
                f.total.into(),
                pt_total.map(|p| Cell::Num(f.total - p)).unwrap_or(Cell::Empty),
            ],
        ));
    }
    let cur_eval: std::collections::HashSet<&str> = a.firms.iter().map(|f| f.code).collect();
    let listed: HashMap<&str, &super::analysis::Listed> =
        a.listed.iter().map(|l| (l.code, l)).collect();
    for p in c.prev.firms.iter().filter(|p| p.evaluated && !cur_eval.contains(p.code.as_str())) {
        let park = listed.get(p.code.as_str()).map(|l| l.park).unwrap_or(p.park.as_str());
        if !scope.has(park) {
            continue;
        }
        let now = match listed.get(p.code.as_str()) {
            Some(l) => format!("{NOT_EVALUATED}（{}）", l.category),
            None => NO_RECORD_NOW.to_string(),
        };
        rows.push((
            park.to_string(),
            p.code.clone(),
            vec![
                park.into(),
                p.group_name.clone().unwrap_or_default().into(),
                p.code.as_str().into(),
                p.name.as_str().into(),
                p.tier.clone().unwrap_or_default().into(),
                now.into(),
                "退出参评".into(),
                p.total.into(),
                Cell::Empty,
                Cell::Empty,
            ],
        ));
    }
    rows.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
    for (_, _, r) in &rows {
        t.write_row(r)?;
    }
    t.ws.set_freeze_panes(1, 4)?;
    let last = t.last_row();
    t.ws.autofilter(0, 0, last, (heads.len() - 1) as u16)?;
    t.finish_widths()?;
    Ok(())
}

/// Tier counts per park in the previous year (for park summaries).
pub fn prev_counts(c: &Comparison, park: &str) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for p in c.prev.firms.iter().filter(|p| p.evaluated && p.park == park) {
        *m.entry(p.tier.clone().unwrap_or_default()).or_default() += 1;
    }
    m
}
