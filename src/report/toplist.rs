//! 前后名单: per evaluation group, the top and the bottom `[report].top_n` enterprises by total
//! score (group-wide order: total, then the engine's rank, then code).

use rust_xlsxwriter::Workbook;

use super::analysis::Analysis;
use super::Scope;
use crate::sheet::table::{tier_conditional, Cell, Formats, TableWriter};
use crate::sheet::SheetError;

pub const NAME: &str = "前后名单";

pub fn write(
    a: &Analysis,
    scope: Scope,
    wb: &mut Workbook,
    fmt: &Formats,
) -> Result<(), SheetError> {
    let ws = wb.add_worksheet();
    ws.set_name(NAME)?;
    let r = a.rules();
    let n_top = r.report.top_n;
    let mut t = TableWriter::new(ws, fmt, 0);
    let labels = a.all_labels();
    for (gi, g) in r.groups.iter().enumerate() {
        let mut idx: Vec<usize> = (0..a.firms.len())
            .filter(|&i| a.firms[i].group == gi && scope.has(a.firms[i].park))
            .collect();
        idx.sort_by(|&x, &y| {
            let (fx, fy) = (&a.firms[x], &a.firms[y]);
            fy.total.total_cmp(&fx.total).then(fx.rank.cmp(&fy.rank)).then(fx.code.cmp(fy.code))
        });
        let inds: Vec<usize> = g
            .indicators
            .iter()
            .take(2)
            .filter_map(|gi| a.indicators.iter().position(|x| x.id == gi.id))
            .collect();
        for (part, range) in
            [("前", 0..idx.len().min(n_top)), ("后", idx.len().saturating_sub(n_top)..idx.len())]
        {
            t.title(&format!("{}：总分{}{}名（共{}家）", g.name, part, n_top, idx.len()))?;
            let mut head: Vec<String> = [
                "组内位次",
                "排名",
                "统一社会信用代码",
                "企业名称",
                "所属园区",
                "行业代码",
                "等级",
                "总分",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            for &k in &inds {
                let ind = a.indicators[k];
                head.push(if ind.unit.is_empty() {
                    ind.name.clone()
                } else {
                    format!("{}({})", ind.name, ind.unit)
                });
            }
            t.header(&head)?;
            let first = t.row;
            for pos in range {
                let f = &a.firms[idx[pos]];
                let mut row: Vec<Cell> = vec![
                    Cell::Int(pos as i64 + 1),
                    Cell::Int(f.rank),
                    f.code.into(),
                    f.name.into(),
                    f.park.into(),
                    f.industry_code.into(),
                    f.tier.into(),
                    f.total.into(),
                ];
                row.extend(inds.iter().map(|&k| Cell::from(f.value[k])));
                t.write_row(&row)?;
            }
            if t.row > first {
                tier_conditional(t.ws, &labels, first, t.row - 1, 6)?;
            }
            t.blank();
        }
    }
    t.finish_widths()?;
    Ok(())
}
