//! Year over year: this year against the previous year's results (read by
//! [`crate::ingest::previous`], matched by 统一社会信用代码): the tier migration matrix, changes
//! per park (with the parks' per-mu growth against the plan target) and per indicator, and the
//! list of enterprises that moved tier.

use std::collections::{BTreeMap, HashMap};

use rust_xlsxwriter::Workbook;

use super::analysis::{Aggregate, Analysis, Firm, FIELDS};
use super::Scope;
use crate::ingest::previous::{Comparison, PrevFirm, ThisYear, Wanted};
use crate::rules::{Direction, Rules, AGGREGATES};
use crate::sheet::table::{Cell, Formats, TableWriter};
use crate::sheet::SheetError;

/// Name of the 年度对比 sheet.
pub const NAME: &str = "年度对比";
/// Name of the 等级变动 sheet.
pub const MOVERS_NAME: &str = "等级变动";

/// Status labels of the migration matrix.
pub const NOT_EVALUATED: &str = "未参评";
/// Row of the migration matrix: not in the previous year's results.
pub const NO_RECORD_BEFORE: &str = "上年无记录";
/// Column of the migration matrix: not in this year's results.
pub const NO_RECORD_NOW: &str = "本年无记录";

/// What this year's rules read of a previous year: their indicators and the quantities the
/// reports show ([`FIELDS`]).
pub fn wanted(rules: &Rules) -> Wanted<'_> {
    let indicators = crate::score::all_indicators(rules)
        .into_iter()
        .map(|i| (i.id.as_str(), i.name.as_str()))
        .collect();
    Wanted { indicators, fields: FIELDS.as_slice() }
}

/// This year's enterprises, for matching the previous year to them.
impl<'c> From<&'c Analysis<'_>> for ThisYear<'c> {
    fn from(a: &'c Analysis<'_>) -> ThisYear<'c> {
        ThisYear {
            year: a.rules().meta.year,
            evaluated: a.firms.iter().map(|f| f.code).collect(),
            listed: a.listed.iter().map(|l| l.code).collect(),
        }
    }
}

/// Target growth over the years between the evaluations.
pub fn target_growth(c: &Comparison, rules: &Rules) -> Option<f64> {
    rules.targets.per_mu_growth.map(|g| (1.0 + g).powi(c.years) - 1.0)
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

/// Whether firm `f` counts towards `[targets]` (its group is listed, or none is).
pub(crate) fn in_target_groups(rules: &Rules, f: &Firm) -> bool {
    rules.targets.groups.is_empty() || rules.targets.groups.contains(&rules.groups[f.group].id)
}

/// [`in_target_groups`] for a firm of an earlier year (by group id, or name in a workbook).
pub(crate) fn prev_in_target_groups(rules: &Rules, p: &PrevFirm) -> bool {
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

/// Count, land and numerator sums of an earlier year's evaluated `firms`.
pub(crate) fn prev_aggregate<'p>(firms: impl Iterator<Item = &'p PrevFirm>) -> Aggregate {
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
    let target = target_growth(c, rules);
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
    if let Some(w) = &c.caution {
        t.write_row(&["注意".into(), w.as_str().into()])?;
    }
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
    let target = target_growth(c, rules);
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
