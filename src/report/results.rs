//! 评价结果: one row per evaluated enterprise — inputs used, each indicator's value, benchmark
//! and item score, bonus and deduction, total, rank, tier, adjustment and reason.

use polars::prelude::*;
use rust_xlsxwriter::Workbook;

use super::analysis::{Analysis, FIELDS};
use super::Scope;
use crate::columns::{header, sheet};
use crate::score::{self, events, GROUP};
use crate::sheet::table::{data_bars, tier_conditional, Cell, Formats, TableWriter};
use crate::sheet::SheetError;
use crate::tier;

/// Sheet name of the full results table of the bureau's workbook.
pub const NAME: &str = sheet::RESULTS;

enum Kind {
    Text,
    Num,
    Precise,
    Int,
}

/// Write the 评价结果 sheet: one row per evaluated enterprise of the whole district (the scope is
/// ignored; park workbooks have 企业名单 instead), in the evaluation's order.
pub fn write(a: &Analysis, _: Scope, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ev = a.ev;
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(NAME)?;
    let df = &ev.results;
    let r = &ev.rules;

    // (header, column, kind)
    // 企业名称 and 等级 first: the two columns frozen, so the rest scrolls on a narrow screen.
    let mut spec: Vec<(String, String, Kind)> = vec![
        (header::NAME.into(), "name".into(), Kind::Text),
        (header::TIER.into(), tier::TIER.into(), Kind::Text),
        (header::GROUP.into(), "__group_name".into(), Kind::Text),
        (header::RANK.into(), tier::RANK.into(), Kind::Int),
        (header::RANK_POPULATION.into(), tier::POP.into(), Kind::Int),
        ("按得分等级".into(), tier::TIER_BY_SCORE.into(), Kind::Text),
        ("加减分事项后等级".into(), tier::TIER_AFTER_EVENTS.into(), Kind::Text),
        ("调档理由".into(), "adj_reason".into(), Kind::Text),
        (header::CODE.into(), "code".into(), Kind::Text),
        (header::PARK.into(), "park".into(), Kind::Text),
        ("所属乡镇街道".into(), "town".into(), Kind::Text),
        ("行业代码".into(), "industry_code".into(), Kind::Text),
        ("企业规模".into(), "scale".into(), Kind::Text),
        (header::TOTAL.into(), score::TOTAL.into(), Kind::Num),
        ("指标得分合计".into(), score::ITEMS.into(), Kind::Num),
        ("加分".into(), score::BONUS.into(), Kind::Num),
        ("减分".into(), score::DEDUCTION.into(), Kind::Num),
        ("加减分事项".into(), events::NOTE.into(), Kind::Text),
        ("权重调整系数".into(), score::REWEIGHT.into(), Kind::Precise),
    ];
    for ind in score::all_indicators(r) {
        spec.push((header::value(&ind.name, &ind.unit), score::value_col(&ind.id), Kind::Precise));
        spec.push((format!("{}基准值", ind.name), score::bench_col(&ind.id), Kind::Precise));
        spec.push((format!("{}得分", ind.name), score::score_col(&ind.id), Kind::Precise));
    }
    for (c, h) in FIELDS.iter() {
        spec.push((h.to_string(), c.to_string(), Kind::Num));
    }

    // Group names instead of ids.
    let mut gname = lit(NULL).cast(DataType::String);
    for g in r.groups.iter().rev() {
        gname = when(col(GROUP).eq(lit(g.id.clone()))).then(lit(g.name.clone())).otherwise(gname);
    }
    let df = df.clone().lazy().with_column(gname.alias("__group_name")).collect()?;

    let mut t = TableWriter::new(ws, fmt, 0);
    t.precise = spec.iter().map(|(_, _, k)| matches!(k, Kind::Precise)).collect();
    let mut heads: Vec<String> = spec.iter().map(|(h, _, _)| h.clone()).collect();
    // Per enterprise from the score card: distance to the next tier, best indicator, measures.
    heads.extend(
        ["距上一档(分)", "上一档边界", "最能提分的指标", "政策措施"].iter().map(|s| s.to_string()),
    );
    t.header(&heads)?;
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
    // Each column typed once, so building a row cannot fail.
    enum Typed<'d> {
        Text(&'d StringChunked),
        Int(&'d Float64Chunked),
        Num(&'d Float64Chunked),
    }
    let typed: Vec<Typed> = spec
        .iter()
        .zip(&cols)
        .map(|((_, _, k), c)| {
            Ok(match k {
                Kind::Text => Typed::Text(c.str()?),
                Kind::Int => Typed::Int(c.f64()?),
                _ => Typed::Num(c.f64()?),
            })
        })
        .collect::<PolarsResult<_>>()?;
    let rows: Vec<usize> = (0..df.height()).collect();
    t.write_rows(&rows, &fmt.num2, |&i, row| {
        for c in &typed {
            row.push(match c {
                Typed::Text(c) => c.get(i).into(),
                Typed::Int(c) => c.get(i).map(|v| Cell::Int(v as i64)).unwrap_or(Cell::Empty),
                Typed::Num(c) => c.get(i).into(),
            });
        }
        let card = &a.cards[i];
        row.push(card.up.as_ref().map(|b| Cell::Num(b.gap)).unwrap_or(Cell::Empty));
        row.push(
            card.up
                .as_ref()
                .map(|b| Cell::from(format!("{}档：{}", b.tier, b.reference)))
                .unwrap_or_else(|| Cell::from(&*card.up_note)),
        );
        row.push(a.best_text(i).into());
        row.push(a.measures_text(i).into());
        &[]
    })?;
    let last_col = (heads.len() - 1) as u16;
    t.ws.set_freeze_panes(1, 2)?;
    let last = t.last_row();
    t.ws.autofilter(0, 0, last, last_col)?;
    // Tier colours on the three tier columns, data bars on the total and the item scores.
    let labels = a.all_labels();
    for (ci, (_, c, _)) in spec.iter().enumerate() {
        if c == tier::TIER || c == tier::TIER_BY_SCORE || c == tier::TIER_AFTER_EVENTS {
            tier_conditional(t.ws, &labels, 1, last, ci as u16)?;
        }
        if c == score::TOTAL || c.starts_with("s__") {
            data_bars(t.ws, 1, last, ci as u16)?;
        }
    }
    t.finish_widths()?;
    Ok(())
}
