//! 评价结果: one row per evaluated enterprise — inputs used, each indicator's value, benchmark
//! and item score, bonus and deduction, total, rank, tier, adjustment and reason.

use polars::prelude::*;
use rust_xlsxwriter::Workbook;

use super::table::{Cell, Formats, TableWriter};
use super::SheetError;
use crate::evaluation::Evaluation;
use crate::score::{self, events, GROUP};
use crate::tier;

pub const NAME: &str = "评价结果";

enum Kind {
    Text,
    Num,
    Precise,
    Int,
}

pub fn write(ev: &Evaluation, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(NAME)?;
    let df = &ev.results;
    let r = &ev.rules;

    // (header, column, kind)
    let mut spec: Vec<(String, String, Kind)> = vec![
        ("评价组".into(), "__group_name".into(), Kind::Text),
        ("排名".into(), tier::RANK.into(), Kind::Int),
        ("排名范围企业数".into(), tier::POP.into(), Kind::Int),
        ("等级".into(), tier::TIER.into(), Kind::Text),
        ("按得分等级".into(), tier::TIER_BY_SCORE.into(), Kind::Text),
        ("加减分事项后等级".into(), tier::TIER_AFTER_EVENTS.into(), Kind::Text),
        ("调档理由".into(), "adj_reason".into(), Kind::Text),
        ("统一社会信用代码".into(), "code".into(), Kind::Text),
        ("企业名称".into(), "name".into(), Kind::Text),
        ("所属园区".into(), "park".into(), Kind::Text),
        ("所属乡镇街道".into(), "town".into(), Kind::Text),
        ("行业代码".into(), "industry_code".into(), Kind::Text),
        ("企业规模".into(), "scale".into(), Kind::Text),
        ("总分".into(), score::TOTAL.into(), Kind::Num),
        ("指标得分合计".into(), score::ITEMS.into(), Kind::Num),
        ("加分".into(), score::BONUS.into(), Kind::Num),
        ("减分".into(), score::DEDUCTION.into(), Kind::Num),
        ("加减分事项".into(), events::NOTE.into(), Kind::Text),
        ("权重调整系数".into(), score::REWEIGHT.into(), Kind::Precise),
    ];
    for ind in score::all_indicators(r) {
        let unit = if ind.unit.is_empty() { String::new() } else { format!("({})", ind.unit) };
        spec.push((format!("{}{unit}", ind.name), score::value_col(&ind.id), Kind::Precise));
        spec.push((format!("{}基准值", ind.name), score::bench_col(&ind.id), Kind::Precise));
        spec.push((format!("{}得分", ind.name), score::score_col(&ind.id), Kind::Precise));
    }
    for (h, c) in [
        ("评价用地面积(亩)", "land_mu"),
        ("计入实缴税额(万元)", "tax"),
        ("工业总产值(万元)", "output_value"),
        ("营业收入(万元)", "revenue"),
        ("工业增加值(万元)", "value_added"),
        ("利润总额(万元)", "profit"),
        ("研发经费支出(万元)", "rd"),
        ("年平均职工人数(人)", "employees"),
        ("综合能耗(吨标准煤)", "energy"),
        ("用电量(万千瓦时)", "electricity"),
        ("主要污染物排放(吨)", "pollutants"),
    ] {
        spec.push((h.into(), c.into(), Kind::Num));
    }

    // Group names instead of ids.
    let mut gname = lit(NULL).cast(DataType::String);
    for g in r.groups.iter().rev() {
        gname = when(col(GROUP).eq(lit(g.id.clone()))).then(lit(g.name.clone())).otherwise(gname);
    }
    let df = df.clone().lazy().with_column(gname.alias("__group_name")).collect()?;

    let mut t = TableWriter::new(ws, fmt, 0);
    t.precise = spec.iter().map(|(_, _, k)| matches!(k, Kind::Precise)).collect();
    t.header(&spec.iter().map(|(h, _, _)| h.clone()).collect::<Vec<_>>())?;
    let cols: Vec<Column> = spec
        .iter()
        .map(|(_, c, k)| {
            let s = df.column(c)?;
            match k {
                Kind::Text => s.cast(&DataType::String),
                _ => s.cast(&DataType::Float64),
            }
        })
        .collect::<PolarsResult<_>>()?;
    let n = df.height().min(super::table::MAX_ROWS);
    let mut row: Vec<Cell> = Vec::with_capacity(spec.len());
    for i in 0..n {
        row.clear();
        for ((_, _, k), c) in spec.iter().zip(&cols) {
            row.push(match k {
                Kind::Text => c.str()?.get(i).into(),
                Kind::Int => c.f64()?.get(i).map(|v| Cell::Int(v as i64)).unwrap_or(Cell::Empty),
                _ => c.f64()?.get(i).into(),
            });
        }
        t.write_row(&row)?;
    }
    let last_col = (spec.len() - 1) as u16;
    t.ws.set_freeze_panes(1, 9)?;
    t.ws.autofilter(0, 0, n as u32, last_col)?;
    t.finish_widths()?;
    Ok(())
}
