//! 问题清单 (every input problem with its location and what the engine did) and 数据核对 (per file
//! and sheet: rows read = used + skipped + rejected).

use rust_xlsxwriter::Workbook;

use crate::evaluation::Evaluation;
use crate::ingest::{Problem, Reconciliation};
use crate::sheet::table::{Cell, Formats, TableWriter};
use crate::sheet::SheetError;

/// Sheet name of the input problem list, in the results workbook and the data-check workbook of
/// `mujun check`.
pub const NAME: &str = "问题清单";
/// Sheet name of the row accounting per input file and sheet (rows read = used + skipped +
/// rejected).
pub const RECON_NAME: &str = "数据核对";

/// Write the 问题清单 sheet of an evaluation: every problem its inputs raised.
pub fn write(ev: &Evaluation, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    write_problems(&ev.problems, wb, fmt)
}

/// 问题清单 from any list of problems (also used by `mujun check`).
pub fn write_problems(
    problems: &[Problem],
    wb: &mut Workbook,
    fmt: &Formats,
) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(NAME)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let heads = ["严重程度", "表", "文件", "工作表", "行", "列", "值", "问题", "处理"];
    t.header(&heads.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    let mut ps: Vec<&Problem> = problems.iter().collect();
    ps.sort_by(|a, b| {
        (a.severity, &a.file, &a.sheet, a.row).cmp(&(b.severity, &b.file, &b.sheet, b.row))
    });
    let n = ps.len();
    for p in &ps[..n] {
        t.write_row(&[
            p.severity.label().into(),
            p.table.as_str().into(),
            p.file.as_str().into(),
            p.sheet.as_str().into(),
            p.row.map(Cell::from).unwrap_or(Cell::Empty),
            p.column.as_str().into(),
            p.value.as_str().into(),
            p.message.as_str().into(),
            p.action.as_str().into(),
        ])?;
    }
    t.ws.set_freeze_panes(1, 0)?;
    let last = t.last_row();
    t.ws.autofilter(0, 0, last, (heads.len() - 1) as u16)?;
    t.finish_widths()?;
    Ok(())
}

/// Write the 数据核对 sheet of an evaluation: its inputs' row accounting.
pub fn write_reconciliation(
    ev: &Evaluation,
    wb: &mut Workbook,
    fmt: &Formats,
) -> Result<(), SheetError> {
    write_recon(&ev.dataset.reconciliation, wb, fmt)
}

/// 数据核对 from the per-sheet row accounting (also used by `mujun check`).
pub fn write_recon(
    recs: &[Reconciliation],
    wb: &mut Workbook,
    fmt: &Formats,
) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(RECON_NAME)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let heads = [
        "文件",
        "工作表",
        "识别为",
        "读取行数",
        "采用行数",
        "跳过行数（标题、表头、空行、合计、注释）",
        "拒收行数",
    ];
    t.header(&heads.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    for r in recs {
        t.write_row(&[
            r.file.clone().into(),
            r.sheet.clone().into(),
            r.table.clone().into(),
            r.read.into(),
            r.used.into(),
            r.skipped.into(),
            r.rejected.into(),
        ])?;
    }
    t.finish_widths()?;
    Ok(())
}
