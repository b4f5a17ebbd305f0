//! 预警名单 (early warning): enterprises within `[alerts].margin` points of the next lower tier,
//! and indicators beyond the thresholds of `[[alerts.thresholds]]`, so parks can act before the
//! next evaluation.

use rust_xlsxwriter::Workbook;

use super::analysis::{AlertKind, Analysis};
use super::Scope;
use crate::sheet::table::{tier_conditional, Formats, TableWriter};
use crate::sheet::SheetError;

/// Sheet name of the early-warning list, in the bureau's and every park's workbook.
pub const NAME: &str = "预警名单";

/// The 预警类型 column's text of an alert: 临近降档 or 指标低于预警线.
pub fn kind_label(k: &AlertKind) -> &'static str {
    match k {
        AlertKind::NearLower => "临近降档",
        AlertKind::Threshold(_) => "指标低于预警线",
    }
}

/// Alert row indices of a scope, ordered by kind, park, ranking order.
pub fn ordered(a: &Analysis, scope: Scope) -> Vec<usize> {
    let mut idx: Vec<usize> =
        (0..a.alerts.len()).filter(|&i| scope.has(a.firms[a.alerts[i].firm].park)).collect();
    let key = |i: usize| {
        let al = &a.alerts[i];
        let k = match al.kind {
            AlertKind::NearLower => 0,
            AlertKind::Threshold(t) => 1 + t,
        };
        (k, a.firms[al.firm].park, al.firm)
    };
    idx.sort_by_key(|&i| key(i));
    idx
}

/// Write the 预警名单 sheet: the alerts of the enterprises in `scope`, near-lower-tier first, then
/// per threshold in rule order, by park and ranking order; a note when the rules set no `[alerts]`.
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
        "预警类型",
        "所属园区",
        "评价组",
        "统一社会信用代码",
        "企业名称",
        "等级",
        "总分",
        "预警内容",
        "数值",
        "预警线",
        "最能提分的指标",
    ];
    t.header(&heads.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    t.precise = (0..heads.len()).map(|c| matches!(c, 8 | 9)).collect();
    let idx = ordered(a, scope);
    t.write_rows(&idx, &fmt.num2, |&i, row| {
        let al = &a.alerts[i];
        let f = &a.firms[al.firm];
        row.extend([
            kind_label(&al.kind).into(),
            f.park.into(),
            r.groups[f.group].name.as_str().into(),
            f.code.into(),
            f.name.into(),
            f.tier.into(),
            f.total.into(),
            al.detail.as_str().into(),
            al.value.into(),
            al.limit.into(),
            a.best_text(al.firm).into(),
        ]);
        &[]
    })?;
    t.ws.set_freeze_panes(1, 5)?;
    let last = t.last_row();
    t.ws.autofilter(0, 0, last, (heads.len() - 1) as u16)?;
    tier_conditional(t.ws, &a.all_labels(), 1, last, 5)?;
    if r.alerts.margin.is_none() && r.alerts.thresholds.is_empty() {
        t.blank();
        t.write_row(&["规则文件未设置 [alerts]（margin 或 thresholds），没有预警。".into()])?;
    }
    t.finish_widths()?;
    Ok(())
}
