//! Workbooks as departments send them: a title row, a two-row merged header, several tables in
//! one workbook recognised by sheet name or headers, date cells, error cells and a total row.

use crate::common::*;

use mujun::ingest::{self, schema::TableKind};
use rust_xlsxwriter::{Formula, Workbook};

#[test]
fn title_rows_merged_headers_and_several_tables_in_one_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (code(1), code(2));
    let mut wb = Workbook::new();

    // Sheet 1: the register, found by its sheet name, with a title row.
    let ws = wb.add_worksheet();
    ws.set_name("参评企业名录").unwrap();
    ws.write_string(0, 0, "2024年度参评工业企业名录").unwrap();
    for (c, h) in ["统一社会信用代码", "企业名称", "所属园区", "行业代码", "企业规模", "成立日期"]
        .iter()
        .enumerate()
    {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    for (r, (code, name)) in [(&a, "甲公司"), (&b, "乙公司")].iter().enumerate() {
        let r = r as u32 + 2;
        ws.write_string(r, 0, code.as_str()).unwrap();
        ws.write_string(r, 1, *name).unwrap();
        ws.write_string(r, 2, "白涛工业园区").unwrap();
        ws.write_number(r, 3, 2614).unwrap();
        ws.write_string(r, 4, "规上").unwrap();
        // 2010-03-01 as an Excel date serial: 40238.
        ws.write_number(r, 5, 40238).unwrap();
    }

    // Sheet 2 ("Sheet2"): land, recognised by headers, with a merged two-row header
    // 用地 / 方式, 面积（平方米）.
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "统一社会信用代码").unwrap();
    ws.merge_range(0, 1, 0, 2, "用地", &Default::default()).unwrap();
    ws.write_string(1, 1, "方式").unwrap();
    ws.write_string(1, 2, "面积（平方米）").unwrap();
    ws.write_string(2, 0, a.as_str()).unwrap();
    ws.write_string(2, 1, "自有").unwrap();
    ws.write_number(2, 2, 6666.666667).unwrap();
    ws.write_string(3, 0, b.as_str()).unwrap();
    ws.write_string(3, 1, "自有").unwrap();
    ws.write_formula(3, 2, Formula::new("=1/0").set_result("#DIV/0!")).unwrap();
    ws.write_string(4, 0, "合计").unwrap();
    ws.write_number(4, 2, 6666.666667).unwrap();
    let path = dir.path().join("2024年部门数据.xlsx");
    wb.save(&path).unwrap();

    let ds = ingest::load(&[path]).unwrap();
    let reg = ds.table(TableKind::Register);
    assert_eq!(reg.height(), 2);
    // 2010-03-01 is 14669 days after 1970-01-01 (40 years incl. 10 leap days = 14610, + 59).
    assert_eq!(reg.column("reg_date").unwrap().i32().unwrap().get(0), Some(14669));
    assert_eq!(reg.column("industry_code").unwrap().str().unwrap().get(0), Some("2614"));
    let land = ds.table(TableKind::Land);
    assert_eq!(land.height(), 1, "the #DIV/0! area rejects B's row; the total row is skipped");
    let area = land.column("area_mu").unwrap().f64().unwrap().get(0).unwrap();
    assert!((area - 10.0).abs() < 1e-6, "平方米 → 亩: {area}");
    let div =
        ds.problems.iter().find(|p| p.value.starts_with("#DIV/0")).expect("error cell reported");
    assert_eq!((div.sheet.as_str(), div.row), ("Sheet2", Some(4)));
    let rec = ds.reconciliation.iter().find(|r| r.table == "用地").unwrap();
    assert_eq!((rec.read, rec.used, rec.skipped, rec.rejected), (5, 1, 3, 1));
}
