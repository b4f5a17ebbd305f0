//! 政策措施: each enterprise's measures under `[[policies]]` by its final tier, with the amount
//! and the computation written out with numbers (e.g. 用电量 1,234.50 万千瓦时 × 0.1 = 123.45
//! 万元), then totals per measure.

use std::collections::BTreeMap;

use rust_xlsxwriter::Workbook;

use super::analysis::Analysis;
use super::Scope;
use crate::sheet::table::{Cell, Formats, TableWriter};
use crate::sheet::SheetError;

pub const NAME: &str = "政策措施";

/// Totals per policy over a scope: (policy index, enterprises, amount sum).
pub fn totals(a: &Analysis, scope: Scope) -> Vec<(usize, usize, Option<f64>)> {
    let mut m: BTreeMap<usize, (usize, Option<f64>)> = BTreeMap::new();
    for (i, f) in a.firms.iter().enumerate() {
        if !scope.has(f.park) {
            continue;
        }
        for mr in &a.measures[i] {
            let e = m.entry(mr.policy).or_insert((0, None));
            e.0 += 1;
            if let Some(x) = mr.amount {
                e.1 = Some(e.1.unwrap_or(0.0) + x);
            }
        }
    }
    m.into_iter().map(|(p, (n, s))| (p, n, s)).collect()
}

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
        "所属园区",
        "评价组",
        "统一社会信用代码",
        "企业名称",
        "等级",
        "措施",
        "类别",
        "内容",
        "计算基数",
        "基数单位",
        "费率",
        "金额",
        "金额单位",
        "计算过程",
    ];
    t.header(&heads.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    t.precise = (0..heads.len()).map(|c| c == 10).collect();
    let pct = t.pct_format();
    // (enterprise, measure) pairs of the scope, in enterprise order.
    let pairs: Vec<(usize, usize)> = a
        .firms
        .iter()
        .enumerate()
        .filter(|(_, f)| scope.has(f.park))
        .flat_map(|(i, _)| (0..a.measures[i].len()).map(move |j| (i, j)))
        .collect();
    let n = pairs.len() as u32;
    t.write_rows(&pairs, &pct, |&(i, j), row| {
        let (f, m) = (&a.firms[i], &a.measures[i][j]);
        let p = &r.policies[m.policy];
        row.extend([
            f.park.into(),
            r.groups[f.group].name.as_str().into(),
            f.code.into(),
            f.name.into(),
            f.tier.into(),
            p.measure.as_str().into(),
            p.category.as_str().into(),
            p.text.as_str().into(),
            m.base.into(),
            p.base_unit.as_str().into(),
            p.rate.into(),
            m.amount.into(),
            if p.rate.is_some() { p.unit.as_str().into() } else { Cell::Empty },
            a.formula(m).into(),
        ]);
        // A rate given as `percent` is shown as a percentage.
        if p.percent {
            &[10]
        } else {
            &[]
        }
    })?;
    let last = n;
    t.blank();
    t.title("各措施合计")?;
    t.header(&[
        "措施".into(),
        "适用等级".into(),
        "企业数".into(),
        "金额合计".into(),
        "金额单位".into(),
    ])?;
    for (p, count, sum) in totals(a, scope) {
        let pol = &r.policies[p];
        t.write_row(&[
            pol.measure.clone().into(),
            pol.tiers.join("、").into(),
            count.into(),
            sum.into(),
            if pol.rate.is_some() { pol.unit.clone().into() } else { Cell::Empty },
        ])?;
    }
    if r.policies.is_empty() {
        t.write_row(&["规则文件未设置 [[policies]]，没有政策措施。".into()])?;
    }
    t.ws.set_freeze_panes(1, 4)?;
    t.ws.autofilter(0, 0, last, (heads.len() - 1) as u16)?;
    t.finish_widths()?;
    Ok(())
}
