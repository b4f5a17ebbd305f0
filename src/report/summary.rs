//! 汇总: counts by group × park × tier that add up, the not-evaluated counts by category, and
//! aggregate per-mu figures as ratios of sums.

use std::collections::BTreeMap;

use polars::prelude::*;
use rust_xlsxwriter::Workbook;

use super::table::{Cell, Formats, TableWriter};
use super::SheetError;
use crate::evaluation::Evaluation;
use crate::score::GROUP;
use crate::tier::TIER;

pub const NAME: &str = "汇总";

fn strs<'a>(df: &'a DataFrame, c: &str) -> PolarsResult<&'a StringChunked> {
    df.column(c)?.str()
}

pub fn write(ev: &Evaluation, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(NAME)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let r = &ev.rules;
    t.title(&format!("{}（{}年度）", r.meta.name, r.meta.year))?;
    t.write_row(&[
        "参与统计企业".into(),
        ev.enterprises_seen().into(),
        "参评".into(),
        ev.results.height().into(),
        "未参评".into(),
        ev.not_evaluated.height().into(),
    ])?;
    t.blank();

    // Tier counts per group and park.
    let labels = r.labels().to_vec();
    let res = &ev.results;
    let (g, p, tier) = (strs(res, GROUP)?, strs(res, "park")?, strs(res, TIER)?);
    let mut counts: BTreeMap<(usize, String), Vec<usize>> = BTreeMap::new();
    for i in 0..res.height() {
        let gi = r.groups.iter().position(|x| Some(x.id.as_str()) == g.get(i)).unwrap_or(0);
        let park = p.get(i).unwrap_or("（未填园区）").to_string();
        let e = counts.entry((gi, park)).or_insert_with(|| vec![0; labels.len()]);
        if let Some(ti) = labels.iter().position(|l| Some(l.as_str()) == tier.get(i)) {
            e[ti] += 1;
        }
    }
    t.title("一、分档结果（评价组 × 园区）")?;
    let mut head = vec!["评价组".to_string(), "园区".to_string()];
    head.extend(labels.iter().map(|l| format!("{l}类")));
    head.push("合计".into());
    t.header(&head)?;
    let mut grand = vec![0usize; labels.len()];
    for (gi, grp) in r.groups.iter().enumerate() {
        let mut sub = vec![0usize; labels.len()];
        for ((k, park), c) in counts.range((gi, String::new())..(gi + 1, String::new())) {
            let _ = k;
            let mut row: Vec<Cell> = vec![grp.name.clone().into(), park.clone().into()];
            row.extend(c.iter().map(|n| Cell::from(*n)));
            row.push(c.iter().sum::<usize>().into());
            t.write_row(&row)?;
            for (s, n) in sub.iter_mut().zip(c) {
                *s += n;
            }
        }
        let mut row: Vec<Cell> = vec![grp.name.clone().into(), "小计".into()];
        row.extend(sub.iter().map(|n| Cell::from(*n)));
        row.push(sub.iter().sum::<usize>().into());
        t.write_row(&row)?;
        for (s, n) in grand.iter_mut().zip(&sub) {
            *s += n;
        }
    }
    let mut row: Vec<Cell> = vec!["全部".into(), "合计".into()];
    row.extend(grand.iter().map(|n| Cell::from(*n)));
    row.push(grand.iter().sum::<usize>().into());
    t.write_row(&row)?;
    t.blank();

    // Not evaluated by category.
    t.title("二、未参评企业（按类别）")?;
    t.header(&["类别".into(), "企业数".into()])?;
    let ne = &ev.not_evaluated;
    let cats = strs(ne, "category")?;
    let mut by_cat: BTreeMap<String, usize> = BTreeMap::new();
    for c in cats.iter() {
        *by_cat.entry(c.unwrap_or("").to_string()).or_default() += 1;
    }
    for (c, n) in &by_cat {
        t.write_row(&[c.clone().into(), (*n).into()])?;
    }
    t.write_row(&["合计".into(), ne.height().into()])?;
    t.blank();

    // Aggregates: ratios of sums per group and park.
    t.title("三、亩均效益汇总（合计值之比）")?;
    t.header(&[
        "评价组".into(),
        "园区".into(),
        "企业数".into(),
        "用地面积(亩)".into(),
        "实缴税额(万元)".into(),
        "工业增加值(万元)".into(),
        "营业收入(万元)".into(),
        "亩均税收(万元/亩)".into(),
        "亩均增加值(万元/亩)".into(),
        "亩均营业收入(万元/亩)".into(),
    ])?;
    let by_park = aggregates(res, &[GROUP, "park"])?;
    let by_group = aggregates(res, &[GROUP])?;
    let gname = |id: Option<&str>| r.groups.iter().find(|g| Some(g.id.as_str()) == id).map(|g| g.name.clone()).unwrap_or_default();
    for (df, park_col) in [(&by_park, true), (&by_group, false)] {
        let n = df.column("n")?.cast(&DataType::Float64)?;
        let n = n.f64()?;
        let (land, tax, va, rev) = (df.column("land")?.f64()?, df.column("tax")?.f64()?, df.column("va")?.f64()?, df.column("rev")?.f64()?);
        for i in 0..df.height() {
            let ratio = |x: Option<f64>| match (x, land.get(i)) {
                (Some(x), Some(l)) if l > 0.0 => Cell::Num(x / l),
                _ => Cell::Empty,
            };
            let park = if park_col { strs(df, "park")?.get(i).unwrap_or("（未填园区）").to_string() } else { "小计".to_string() };
            t.write_row(&[
                gname(strs(df, GROUP)?.get(i)).into(),
                park.into(),
                Cell::Int(n.get(i).unwrap_or(0.0) as i64),
                land.get(i).into(),
                tax.get(i).into(),
                va.get(i).into(),
                rev.get(i).into(),
                ratio(tax.get(i)),
                ratio(va.get(i)),
                ratio(rev.get(i)),
            ])?;
        }
    }
    t.finish_widths()?;
    Ok(())
}

/// Sums per group (and park): enterprise count, land, tax, value added, revenue.
fn aggregates(df: &DataFrame, by: &[&str]) -> PolarsResult<DataFrame> {
    let keys: Vec<Expr> = by.iter().map(|k| col(*k)).collect();
    df.clone()
        .lazy()
        .group_by(keys)
        .agg([
            len().alias("n"),
            col("land_mu").sum().alias("land"),
            col("tax").sum().alias("tax"),
            col("value_added").sum().alias("va"),
            col("revenue").sum().alias("rev"),
        ])
        .sort(by.iter().map(|s| PlSmallStr::from(*s)).collect::<Vec<_>>(), SortMultipleOptions::default().with_nulls_last(true))
        .collect()
}
