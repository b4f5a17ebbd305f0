//! 历年对比: the scheme's earlier official (定稿) years from the store beside this year — tier
//! counts per year, each firm's tiers over the years, firms in the lowest tier two years
//! running (连续两年D类) with their land, and each park's per-mu figures per year with the
//! compound growth since the first year against `[targets]`. In the park workbook also 企业历年:
//! one row per enterprise of the park and year, with that year's name, park, tier, total, rank,
//! land and indicator values as its results recorded them.

use std::collections::HashMap;

use rust_xlsxwriter::{Format, Workbook};

use super::analysis::{Aggregate, Analysis, FIELDS};
use super::yoy::{in_target_groups, prev_aggregate, prev_in_target_groups};
use super::Scope;
use crate::columns::header;
use crate::evaluation::park_or_none;
use crate::ingest::previous::{PrevFirm, Previous};
use crate::rules::AGGREGATES;
use crate::sheet::table::{tier_conditional, Cell, Formats, TableWriter};
use crate::sheet::SheetError;

/// Sheet name.
pub const NAME: &str = "历年对比";
/// Sheet name of the park workbook's per-enterprise years.
pub const FIRMS_NAME: &str = "企业历年";
/// A firm a year's results do not list.
const NO_RECORD: &str = "无记录";
/// A firm a year lists as not evaluated.
const LISTED: &str = "未参评";

/// A year as a number without a thousands separator (2024, not 2,024).
fn year_format() -> Format {
    Format::new().set_num_format("0")
}

/// One earlier year, its firms by code.
struct Year<'p> {
    year: i32,
    by_code: HashMap<&'p str, &'p PrevFirm>,
}

fn years<'p>(a: &'p Analysis<'_>) -> Vec<Year<'p>> {
    a.years
        .iter()
        .map(|p: &Previous| {
            let mut by_code: HashMap<&str, &PrevFirm> = HashMap::new();
            for f in &p.firms {
                // An enterprise both evaluated and listed keeps its evaluated row.
                let e = by_code.entry(f.code.as_str()).or_insert(f);
                if !e.evaluated && f.evaluated {
                    *e = f;
                }
            }
            Year { year: p.year.unwrap_or(0), by_code }
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
        let mut row: Vec<Cell> = vec![Cell::Num(f64::from(y.year))];
        for l in &labels {
            let n = firms.iter().filter(|f| f.evaluated && f.tier.as_deref() == Some(l)).count();
            row.push(Cell::Int(n as i64));
        }
        row.push(Cell::Int(firms.iter().filter(|f| !f.evaluated).count() as i64));
        t.write_row_with(&row, &[0], &year_format())?;
    }
    let mut row: Vec<Cell> = vec![Cell::Num(f64::from(a.rules().meta.year))];
    let firms: Vec<_> = a.firms.iter().filter(|f| scope.has(f.park)).collect();
    for l in &labels {
        row.push(Cell::Int(firms.iter().filter(|f| f.tier == l).count() as i64));
    }
    row.push(Cell::Int(a.listed.iter().filter(|l| scope.has(l.park)).count() as i64));
    t.write_row_with(&row, &[0], &year_format())?;
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

/// One row of 企业历年: an enterprise of the park in one year, as that year recorded it.
struct YearRow<'r> {
    code: &'r str,
    /// This year's name (the key column users filter by).
    now_name: &'r str,
    year: i32,
    name: &'r str,
    park: &'r str,
    evaluated: bool,
    group: Option<&'r str>,
    tier: Option<&'r str>,
    total: Option<f64>,
    rank: Option<i64>,
    pop: Option<i64>,
    land: Option<f64>,
    /// Per indicator of this year's rules ([`Analysis::indicators`]).
    values: Vec<Option<f64>>,
}

impl<'r> YearRow<'r> {
    /// The row of an earlier year's results.
    fn before(a: &Analysis, now: (&'r str, &'r str), year: i32, f: &'r PrevFirm) -> Self {
        YearRow {
            code: now.0,
            now_name: now.1,
            year,
            name: &f.name,
            park: &f.park,
            evaluated: f.evaluated,
            group: f.group_name.as_deref().filter(|_| f.evaluated),
            tier: f.tier.as_deref().filter(|_| f.evaluated),
            total: f.total,
            rank: f.rank,
            pop: f.rank_population,
            land: f.fields.get("land_mu").copied(),
            values: a.indicators.iter().map(|i| f.values.get(&i.id).copied()).collect(),
        }
    }

    /// What changed since the enterprise's row before: 更名, 迁园区, both or nothing.
    fn change(&self, before: Option<&YearRow>) -> &'static str {
        let Some(b) = before else { return "" };
        let moved = park_or_none(Some(b.park)) != park_or_none(Some(self.park));
        match (b.name != self.name, moved) {
            (true, true) => "更名、迁园区",
            (true, false) => "更名",
            (false, true) => "迁园区",
            (false, false) => "",
        }
    }
}

/// The rows of 企业历年: each enterprise of the scope this year (evaluated, then not evaluated),
/// its stored years in order and this year last.
fn year_rows<'r>(a: &'r Analysis, ys: &[Year<'r>], scope: Scope) -> Vec<YearRow<'r>> {
    let this = a.rules().meta.year;
    let earlier = |out: &mut Vec<YearRow<'r>>, code: &'r str, name: &'r str| {
        for y in ys {
            if let Some(f) = y.by_code.get(code) {
                out.push(YearRow::before(a, (code, name), y.year, f));
            }
        }
    };
    let mut out = Vec::new();
    for f in a.firms.iter().filter(|f| scope.has(f.park)) {
        earlier(&mut out, f.code, f.name);
        out.push(YearRow {
            code: f.code,
            now_name: f.name,
            year: this,
            name: f.name,
            park: f.park,
            evaluated: true,
            group: Some(&a.rules().groups[f.group].name),
            tier: Some(f.tier),
            total: Some(f.total),
            rank: Some(f.rank),
            pop: Some(f.pop),
            land: f.field("land_mu"),
            values: f.value.clone(),
        });
    }
    for l in a.listed.iter().filter(|l| scope.has(l.park)) {
        earlier(&mut out, l.code, l.name);
        out.push(YearRow {
            code: l.code,
            now_name: l.name,
            year: this,
            name: l.name,
            park: l.park,
            evaluated: false,
            group: None,
            tier: None,
            total: None,
            rank: None,
            pop: None,
            land: None,
            values: vec![None; a.indicators.len()],
        });
    }
    out
}

/// 企业历年's header, and how many columns come before the indicators.
fn firm_head(a: &Analysis) -> (Vec<String>, usize) {
    let land = FIELDS.iter().find(|(k, _)| *k == "land_mu").map_or("land_mu", |(_, h)| h);
    let mut head: Vec<String> = [
        header::CODE,
        header::NAME,
        "年度",
        "当年企业名称",
        "当年所属园区",
        "名称或园区变化",
        "评价状态",
        header::GROUP,
        header::TIER,
        header::TOTAL,
        header::RANK,
        header::RANK_POPULATION,
        land,
    ]
    .map(String::from)
    .to_vec();
    let fixed = head.len();
    head.extend(a.indicators.iter().map(|i| header::value(&i.name, &i.unit)));
    (head, fixed)
}

/// 企业历年 (park workbook): one row per enterprise of the park and year — the stored 定稿 years
/// and this one — with that year's name and park (a rename or a move shows), status, group,
/// tier, total, rank and its population, land and indicator values, as each year's results
/// give them. Written only when the store holds earlier 定稿 years.
pub fn write_firms(
    a: &Analysis,
    scope: Scope,
    wb: &mut Workbook,
    fmt: &Formats,
) -> Result<(), SheetError> {
    if a.years.is_empty() {
        return Ok(());
    }
    let ys = years(a);
    let rows = year_rows(a, &ys, scope);
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(FIRMS_NAME)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let (head, fixed) = firm_head(a);
    t.precise = (0..head.len()).map(|c| c >= fixed).collect();
    t.header(&head)?;
    let items: Vec<usize> = (0..rows.len()).collect();
    let rows = &rows;
    t.write_rows(&items, &year_format(), |&i, row| {
        let r = &rows[i];
        let before = (i > 0 && rows[i - 1].code == r.code).then(|| &rows[i - 1]);
        row.extend([
            r.code.into(),
            r.now_name.into(),
            Cell::Num(f64::from(r.year)),
            r.name.into(),
            r.park.into(),
            r.change(before).into(),
            if r.evaluated { "参评" } else { LISTED }.into(),
            r.group.into(),
            r.tier.into(),
            r.total.into(),
            r.rank.map_or(Cell::Empty, Cell::Int),
            r.pop.map_or(Cell::Empty, Cell::Int),
            r.land.into(),
        ]);
        row.extend(r.values.iter().map(|v| Cell::from(*v)));
        &[2] // the year
    })?;
    t.ws.set_freeze_panes(1, 3)?;
    let last = t.last_row();
    t.ws.autofilter(0, 0, last, (head.len() - 1) as u16)?;
    if let Some(c) = head.iter().position(|h| h == header::TIER) {
        tier_conditional(t.ws, &a.all_labels(), 1, last, c as u16)?;
    }
    t.finish_widths()?;
    Ok(())
}
