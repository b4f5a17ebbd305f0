//! 未参评: every exempt, deferred, out-of-scope, incomplete, unregistered or rejected enterprise
//! with its reason and, where the rules say so, the tier it is managed as.

use rust_xlsxwriter::Workbook;

use super::analysis::Analysis;
use super::Scope;
use crate::columns::{header, sheet};
use crate::sheet::table::{Cell, Formats, TableWriter};
use crate::sheet::SheetError;

/// Sheet name of the not-evaluated list, in the bureau's and every park's workbook.
pub const NAME: &str = sheet::NOT_EVALUATED;

/// Write the 未参评 sheet: every not-evaluated enterprise in `scope` with its category, reason and
/// the tier it is managed as (按等级管理), in the evaluation's order.
pub fn write(
    a: &Analysis,
    scope: Scope,
    wb: &mut Workbook,
    fmt: &Formats,
) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(NAME)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let heads = [
        header::CODE,
        header::NAME,
        header::PARK,
        "企业规模",
        "行业代码",
        "类别",
        "原因",
        header::MANAGED_AS,
    ];
    t.header(&heads.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    for l in a.listed.iter().filter(|l| scope.has(l.park)) {
        let row: Vec<Cell> = vec![
            l.code.into(),
            l.name.into(),
            l.park.into(),
            l.scale.into(),
            l.industry_code.into(),
            l.category.into(),
            l.reason.into(),
            l.tier.into(),
        ];
        t.write_row(&row)?;
    }
    t.ws.set_freeze_panes(1, 2)?;
    let last = t.last_row();
    t.ws.autofilter(0, 0, last, (heads.len() - 1) as u16)?;
    t.finish_widths()?;
    Ok(())
}
