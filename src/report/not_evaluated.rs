//! 未参评: every exempt, deferred, out-of-scope, incomplete, unregistered or rejected enterprise
//! with its reason and, where the rules say so, the tier it is managed as.

use rust_xlsxwriter::Workbook;

use super::table::{Cell, Formats, TableWriter};
use super::SheetError;
use crate::evaluation::Evaluation;

pub const NAME: &str = "未参评";

pub fn write(ev: &Evaluation, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(NAME)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let heads = ["统一社会信用代码", "企业名称", "所属园区", "企业规模", "行业代码", "类别", "原因", "按等级管理"];
    let keys = ["code", "name", "park", "scale", "industry_code", "category", "reason", "tier"];
    t.header(&heads.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    let df = &ev.not_evaluated;
    let cols = keys.iter().map(|k| df.column(k).and_then(|c| c.str().cloned())).collect::<Result<Vec<_>, _>>()?;
    let n = df.height().min(super::table::MAX_ROWS);
    for i in 0..n {
        let row: Vec<Cell> = cols.iter().map(|c| Cell::from(c.get(i))).collect();
        t.write_row(&row)?;
    }
    t.ws.set_freeze_panes(1, 2)?;
    t.ws.autofilter(0, 0, n as u32, (keys.len() - 1) as u16)?;
    t.finish_widths()?;
    Ok(())
}
