//! 历年对比: the scheme's earlier official (定稿) years from the store beside this year — tier
//! counts per year, each firm's tiers over the years, firms in the lowest tier two years
//! running (连续两年D类) with their land, and each park's per-mu figures per year with the
//! compound growth since the first year against `[targets]`.

use std::collections::HashMap;

use rust_xlsxwriter::Workbook;

use super::analysis::{Aggregate, Analysis};
use super::yoy::{in_target_groups, prev_aggregate, prev_in_target_groups};
use super::Scope;
use crate::ingest::previous::{PrevFirm, Previous};
use crate::rules::AGGREGATES;
use crate::sheet::table::{Cell, Formats, TableWriter};
use crate::sheet::SheetError;

/// Sheet name.
pub const NAME: &str = "历年对比";
/// A firm a year's results do not list.
const NO_RECORD: &str = "无记录";
/// A firm a year lists as not evaluated.
const LISTED: &str = "未参评";

/// One earlier year, its firms by code.
struct Year<'p> {
    year: i32,
    by_code: HashMap<&'p str, &'p PrevFirm>,
}

fn years<'p>(a: &'p Analysis<'_>) -> Vec<Year<'p>> {
    a.years
        .iter()
        .map(|p: &Previous| Year {
            year: p.year.unwrap_or(0),
            by_code: p.firms.iter().map(|f| (f.code.as_str(), f)).collect(),
        })
        .collect()
}

/// A firm's status in an earlier year: its tier, 未参评 or 无记录.
fn status(y: &Year, code: &str) -> String {
    match y.by_code.get(code) {
        Some(f) if f.evaluated => f.tier.clone().unwrap_or_default(),
        Some(_) => LISTED.into(),
        None => NO_RECORD.into(),
    }
}

/// 历年对比 (bureau: every park; park workbook: its own park). Written only when the store
/// holds earlier 定稿 years.
pub fn write(
    a: &Analysis,
    scope: Scope,
    wb: &mut Workbook,
    fmt: &Formats,
) -> Result<(), SheetError> {
    if a.years.is_empty() {
        return Ok(());
    }
    let ys = years(a);
    let ws = wb.add_worksheet();
    ws.set_name(NAME)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let this = a.rules().meta.year;
    let first = ys.first().map_or(this, |y| y.year);
    t.title(&format!("{first}—{this}年度评价结果（数据库中的定稿年度与本年）"))?;
    t.blank();
    counts(a, &ys, scope, &mut t)?;
    twice_lowest(a, &ys, scope, &mut t)?;
    park_growth(a, &ys, scope, &mut t)?;
    trajectories(a, &ys, scope, &mut t)?;
    t.finish_widths()?;
    Ok(())
}

/// Firms per tier in each year (evaluated firms of the scope), and those listed as not evaluated.
fn counts(a: &Analysis, ys: &[Year], scope: Scope, t: &mut TableWriter) -> Result<(), SheetError> {
    let labels = a.all_labels();
    t.title("各年度等级分布（家）")?;
    let mut head: Vec<String> = vec!["年度".into()];
    head.extend(labels.iter().map(|l| format!("{l}类")));
    head.push(LISTED.into());
    t.header(&head)?;
    for (y, p) in ys.iter().zip(&a.years) {
        let firms: Vec<&PrevFirm> = p.firms.iter().filter(|f| scope.has(&f.park)).collect();
        let mut row: Vec<Cell> = vec![Cell::Int(i64::from(y.year))];
        for l in &labels {
            let n = firms.iter().filter(|f| f.evaluated && f.tier.as_deref() == Some(l)).count();
            row.push(Cell::Int(n as i64));
        }
        row.push(Cell::Int(firms.iter().filter(|f| !f.evaluated).count() as i64));
        t.write_row(&row)?;
    }
    let mut row: Vec<Cell> = vec![Cell::Int(i64::from(a.rules().meta.year))];
    let firms: Vec<_> = a.firms.iter().filter(|f| scope.has(f.park)).collect();
    for l in &labels {
        row.push(Cell::Int(firms.iter().filter(|f| f.tier == l).count() as i64));
    }
    row.push(Cell::Int(a.listed.iter().filter(|l| scope.has(l.park)).count() as i64));
    t.write_row(&row)?;
    t.blank();
    Ok(())
}

/// Firms whose final tier is their group's lowest this year and the year before.
fn twice_lowest(
    a: &Analysis,
    ys: &[Year],
    scope: Scope,
    t: &mut TableWriter,
) -> Result<(), SheetError> {
    let this = a.rules().meta.year;
    let Some(prev) = ys.last().filter(|y| y.year == this - 1) else { return Ok(()) };
    let lowest: Vec<&str> =
        a.rules().groups.iter().filter_map(|g| g.tiers.labels.last().map(String::as_str)).collect();
    let names = lowest.iter().fold(Vec::<&str>::new(), |mut v, l| {
        if !v.contains(l) {
            v.push(l)
        }
        v
    });
    t.title(&format!("连续两年{}类企业（{}、{}年度）", names.join("/"), prev.year, this))?;
    let head = [
        "统一社会信用代码",
        "企业名称",
        "所属园区",
        "评价组",
        "上年等级",
        "本年等级",
        "评价用地面积(亩)",
        "上年评价用地面积(亩)",
        "亩均税收(万元/亩)",
    ];
    t.header(&head.map(String::from))?;
    let mut n = 0;
    for f in a.firms.iter().filter(|f| scope.has(f.park)) {
        let low = a.rules().groups[f.group].tiers.labels.last().map(String::as_str);
        let before = prev.by_code.get(f.code).filter(|p| p.evaluated);
        let Some(p) = before.filter(|p| low == Some(f.tier) && p.tier.as_deref() == low) else {
            continue;
        };
        n += 1;
        let land = f.field("land_mu");
        let tax = f.field("tax");
        t.write_row(&[
            f.code.into(),
            f.name.into(),
            f.park.into(),
            a.rules().groups[f.group].name.as_str().into(),
            p.tier.as_deref().into(),
            f.tier.into(),
            land.into(),
            p.fields.get("land_mu").copied().into(),
            land.filter(|l| *l > 0.0).and_then(|l| tax.map(|x| x / l)).into(),
        ])?;
    }
    if n == 0 {
        t.write_row(&["（无）".into()])?;
    }
    t.blank();
    Ok(())
}

/// Per park (and the district) and measure: the per-mu figure of each year, the growth over the
/// year before, and the compound growth since the first year against the target.
fn park_growth(
    a: &Analysis,
    ys: &[Year],
    scope: Scope,
    t: &mut TableWriter,
) -> Result<(), SheetError> {
    let rules = a.rules();
    let measures: Vec<usize> = if rules.targets.measures.is_empty() {
        (0..AGGREGATES.len()).collect()
    } else {
        let m = &rules.targets.measures;
        m.iter().filter_map(|m| AGGREGATES.iter().position(|(id, _, _)| id == m)).collect()
    };
    let this = rules.meta.year;
    let first = ys.first().map_or(this, |y| y.year);
    t.title("园区亩均效益历年（比值的和：合计数 ÷ 合计用地）")?;
    let mut head: Vec<String> = vec!["园区".into(), "指标".into()];
    head.extend(ys.iter().map(|y| format!("{}年度", y.year)));
    head.push(format!("{this}年度"));
    head.extend([
        "较上年增长".into(),
        format!("{first}年以来累计增长"),
        "累计目标".into(),
        "是否达到目标".into(),
    ]);
    t.header(&head)?;
    let target = rules.targets.per_mu_growth.map(|g| (1.0 + g).powi(this - first) - 1.0);
    let mut parks: Vec<Option<&str>> = vec![None];
    parks.extend(a.parks.iter().map(|p| Some(p.as_str())));
    for park in parks.into_iter().filter(|p| p.is_none_or(|p| scope.has(p))) {
        let of = |p: &str| park.is_none_or(|q| p == q);
        let mut aggs: Vec<Aggregate> = a
            .years
            .iter()
            .map(|y| {
                prev_aggregate(
                    y.firms.iter().filter(|f| of(&f.park) && prev_in_target_groups(rules, f)),
                )
            })
            .collect();
        aggs.push(Aggregate::of(
            a.firms.iter().filter(|f| of(f.park) && in_target_groups(rules, f)),
        ));
        for &k in &measures {
            let v: Vec<Option<f64>> = aggs.iter().map(|g| g.per_mu(k)).collect();
            let growth = |from: Option<f64>, to: Option<f64>| match (from, to) {
                (Some(p), Some(n)) if p > 0.0 => Some(n / p - 1.0),
                _ => None,
            };
            let n = v.len();
            let yearly = growth(v[n.saturating_sub(2)], v[n - 1]).filter(|_| n >= 2);
            let since = growth(v[0], v[n - 1]).filter(|_| n >= 2);
            let met = since.zip(target).map(|(g, t)| if g >= t - 1e-12 { "是" } else { "否" });
            let mut row: Vec<Cell> = vec![park.unwrap_or("全区").into(), AGGREGATES[k].1.into()];
            row.extend(v.iter().map(|x| Cell::from(*x)));
            row.extend([yearly.into(), since.into(), target.into(), met.into()]);
            t.write_row(&row)?;
        }
    }
    t.blank();
    Ok(())
}

/// Each firm evaluated this year with its status in every stored year.
fn trajectories(
    a: &Analysis,
    ys: &[Year],
    scope: Scope,
    t: &mut TableWriter,
) -> Result<(), SheetError> {
    t.title("本年参评企业的历年等级")?;
    let mut head: Vec<String> =
        vec!["统一社会信用代码".into(), "企业名称".into(), "所属园区".into()];
    head.extend(ys.iter().map(|y| format!("{}年度", y.year)));
    head.push(format!("{}年度", a.rules().meta.year));
    t.header(&head)?;
    for f in a.firms.iter().filter(|f| scope.has(f.park)) {
        let mut row: Vec<Cell> = vec![f.code.into(), f.name.into(), f.park.into()];
        row.extend(ys.iter().map(|y| Cell::from(status(y, f.code))));
        row.push(f.tier.into());
        t.write_row(&row)?;
    }
    Ok(())
}
