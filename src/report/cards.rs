//! 评价明细 (score cards): per enterprise one row per indicator — value, benchmark, weight, score,
//! cap, the total-score gain of a 10 % improvement and the improvement of that indicator alone
//! that reaches the next tier — plus rows for bonus and deduction; every row repeats the
//! enterprise's rank, tier, distance to the next tier boundary and the indicator that would move
//! it most, so the sheet can be filtered.

use rust_xlsxwriter::Workbook;

use super::analysis::Analysis;
use super::analysis::Firm;
use super::Scope;
use crate::sheet::table::{fits, tier_conditional, Cell, Formats, TableWriter};
use crate::sheet::SheetError;

pub const NAME: &str = "评价明细";

pub fn write(
    a: &Analysis,
    scope: Scope,
    wb: &mut Workbook,
    fmt: &Formats,
) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(NAME)?;
    let r = a.rules();
    let mut t = TableWriter::new(ws, fmt, 0);
    let heads = [
        "评价组",
        "所属园区",
        "统一社会信用代码",
        "企业名称",
        "排名",
        "排名范围企业数",
        "等级",
        "总分",
        "项目",
        "指标值",
        "单位",
        "基准值",
        "权重",
        "得分",
        "封顶(分)",
        "改善10%可增总分",
        "单靠该项升档需改善",
        "说明",
        "上一档",
        "距上一档(分)",
        "上一档边界",
        "最能提分的指标",
    ];
    t.header(&heads.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    t.precise = (0..heads.len()).map(|c| matches!(c, 9 | 11 | 13 | 15)).collect();
    // A province's cards do not fit one sheet; a sheet cut at Excel's last row would list an
    // arbitrary part, so it says where the cards are instead.
    let rows: usize = a
        .firms
        .iter()
        .zip(&a.cards)
        .filter(|(f, _)| scope.has(f.park))
        .map(|(f, c)| c.items.len() + extras(f).len())
        .sum();
    if !fits(t.row, rows) {
        t.write_row(&[too_long_note(rows).into()])?;
        t.finish_widths()?;
        return Ok(());
    }
    let pct = t.pct_format();
    // One row buffer for the whole sheet: a province's cards are millions of rows.
    let mut row: Vec<Cell> = Vec::with_capacity(heads.len());
    for (i, f) in a.firms.iter().enumerate() {
        if !scope.has(f.park) {
            continue;
        }
        let c = &a.cards[i];
        let firm: Vec<Cell> = vec![
            r.groups[f.group].name.as_str().into(),
            f.park.into(),
            f.code.into(),
            f.name.into(),
            Cell::Int(f.rank),
            Cell::Int(f.pop),
            f.tier.into(),
            f.total.into(),
        ];
        let tail: Vec<Cell> = vec![
            c.up.as_ref().map(|b| b.tier).unwrap_or_default().into(),
            c.up.as_ref().map(|b| Cell::Num(b.gap)).unwrap_or(Cell::Empty),
            c.up.as_ref()
                .map(|b| Cell::from(&*b.reference))
                .unwrap_or_else(|| Cell::from(&*c.up_note)),
            a.best_text(i).into(),
        ];
        for (k, it) in c.items.iter().enumerate() {
            let ind = a.indicators[it.ind];
            row.clear();
            row.extend(firm.iter().cloned());
            let note: Cell = match (c.best == Some(k), it.note.is_empty()) {
                (false, _) => it.note.into(),
                (true, true) => "最能提分".into(),
                (true, false) => format!("最能提分；{}", it.note).into(),
            };
            row.extend([
                ind.name.as_str().into(),
                f.value[it.ind].into(),
                ind.unit.as_str().into(),
                f.bench[it.ind].into(),
                it.weight.into(),
                f.score[it.ind].into(),
                it.cap.into(),
                it.gain.into(),
                it.needed.into(),
                note,
            ]);
            row.extend(tail.iter().cloned());
            t.write_row_with(&row, &[16], &pct)?;
        }
        for (label, v, note) in extras(f) {
            row.clear();
            row.extend(firm.iter().cloned());
            row.extend([label.into(), Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty]);
            row.push(if v.is_nan() { Cell::Empty } else { Cell::Num(v) });
            row.extend([Cell::Empty, Cell::Empty, Cell::Empty, note.into()]);
            row.extend(tail.iter().cloned());
            t.write_row(&row)?;
        }
    }
    t.ws.set_freeze_panes(1, 4)?;
    let last = t.last_row();
    t.ws.autofilter(0, 0, last, (heads.len() - 1) as u16)?;
    tier_conditional(t.ws, &a.all_labels(), 1, last, 6)?;
    t.finish_widths()?;
    Ok(())
}

/// The note that replaces the cards when they do not fit a sheet.
pub fn too_long_note(rows: usize) -> String {
    format!("评价明细共 {rows} 行，超过 Excel 单表上限（1,048,576 行），本表不列出；每家企业的评价明细见同目录 JSON 文件（evaluated 下各企业的 indicators），或用 mujun explain <统一社会信用代码|企业名称> 查看")
}

/// The rows after an enterprise's indicators: bonus and deduction, re-weighting, tier change.
fn extras(f: &Firm) -> Vec<(String, f64, String)> {
    let mut extra: Vec<(String, f64, String)> = Vec::new();
    if f.bonus != 0.0 || f.deduction != 0.0 || f.event_note.is_some() {
        extra.push(("加分".into(), f.bonus, f.event_note.unwrap_or_default().to_string()));
        extra.push(("减分".into(), -f.deduction, String::new()));
    }
    if (f.reweight - 1.0).abs() > 1e-12 {
        extra.push((
            "权重调整系数".into(),
            f.reweight,
            "缺失指标不计，其余指标得分合计乘以该系数".into(),
        ));
    }
    if f.vetoed || f.tier != f.tier_by_score {
        let why = match (&f.adj_reason, f.vetoed) {
            (Some(reason), _) => format!("调档：{reason}"),
            (None, true) => "一票否决".to_string(),
            (None, false) => format!("加减分事项降档：{}", f.event_note.unwrap_or_default()),
        };
        extra.push((format!("等级调整（按得分{}→{}）", f.tier_by_score, f.tier), f64::NAN, why));
    }
    extra
}
