//! The results workbook of the default Fuling rules, read back with calamine cell by cell, and
//! written twice to prove byte-identical output.

use crate::common::*;

use calamine::{open_workbook, Data, Reader, Xlsx};

fn fixture(dir: &std::path::Path) -> Vec<Firm> {
    let mut firms: Vec<Firm> = (1..=6)
        .map(|n| {
            let mut f = Firm::new(n, "规上");
            f.tax = Some(100.0 * n as f64);
            f
        })
        .collect();
    firms[1].name = "=HYPERLINK(\"x\")有限公司".into(); // must be written as text
    firms[2].events = vec!["重大安全事故".into()];
    let mut small = Firm::new(10, "规下");
    small.land = Some(2.0);
    firms.push(small);
    let mut gx = Firm::new(11, "规下");
    gx.land = Some(4.0);
    firms.push(gx);
    let mut utility = Firm::new(12, "规上");
    utility.industry = "4411".into();
    firms.push(utility);
    write_year(dir, &firms);
    // An enterprise that pays tax but is missing from the register.
    let stray = code(99);
    let tax =
        std::fs::read_to_string(dir.join("税收.csv")).unwrap() + &format!("{stray},增值税,5\n");
    write_file(dir, "税收.csv", &tax);
    firms
}

fn cell(range: &calamine::Range<Data>, r: usize, c: usize) -> String {
    range.get((r, c)).map(|d| d.to_string()).unwrap_or_default()
}

#[test]
fn fuling_workbook_reads_back_and_is_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let firms = fixture(dir.path());
    let ev = evaluate(&shipped_rules("fuling.toml"), dir.path());
    let out1 = dir.path().join("out1");
    let out2 = dir.path().join("out2");
    let p1 = mujun::report::write_workbook(&ev, &out1).unwrap();
    let p2 = mujun::report::write_workbook(&ev, &out2).unwrap();
    assert_eq!(
        std::fs::read(&p1).unwrap(),
        std::fs::read(&p2).unwrap(),
        "identical inputs give identical bytes"
    );

    let mut wb: Xlsx<_> = open_workbook(&p1).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "汇总",
            "评价结果",
            "未参评",
            "公示名单",
            "前后名单",
            "评价明细",
            "预警名单",
            "政策措施",
            "问题清单",
            "数据核对",
            "规则"
        ]
    );

    // 评价结果: header then 6 规上 + 1 规下 rows, ranking order within each group.
    let res = wb.worksheet_range("评价结果").unwrap();
    // 企业名称 and 等级 first (the frozen columns), then 评价组, 排名 … 统一社会信用代码.
    assert_eq!(cell(&res, 0, 0), "企业名称");
    assert_eq!(cell(&res, 0, 1), "等级");
    assert_eq!(cell(&res, 0, 2), "评价组");
    assert_eq!(cell(&res, 0, 8), "统一社会信用代码");
    assert_eq!(res.height(), 1 + 7);
    // Firm 6 pays the most tax and ranks first among 规上.
    assert_eq!(cell(&res, 1, 8), firms[5].code());
    assert_eq!(cell(&res, 1, 3), "1");
    // The name that looks like a formula is plain text.
    let names: Vec<String> = (1..res.height()).map(|r| cell(&res, r, 0)).collect();
    assert!(names.contains(&"=HYPERLINK(\"x\")有限公司".to_string()));
    // Firm 3 is vetoed: D whatever its score.
    let row3 = (1..res.height()).find(|r| cell(&res, *r, 8) == firms[2].code()).unwrap();
    assert_eq!(cell(&res, row3, 1), "D");

    // 未参评: 规下 < 3 亩, the utility (免评) and the unregistered taxpayer.
    let ne = wb.worksheet_range("未参评").unwrap();
    assert_eq!(ne.height(), 1 + 3);
    let cats: Vec<String> = (1..ne.height()).map(|r| cell(&ne, r, 5)).collect();
    assert!(
        cats.contains(&"免评".to_string())
            && cats.contains(&"未列入企业名录".to_string())
            && cats.contains(&"不在评价范围".to_string()),
        "{cats:?}"
    );

    // 汇总: the grand total line counts the 7 evaluated firms; seen = 7 + 3.
    let sum = wb.worksheet_range("汇总").unwrap();
    assert_eq!(cell(&sum, 1, 1), "10");
    assert_eq!(cell(&sum, 1, 3), "7");
    assert_eq!(cell(&sum, 1, 5), "3");
    let total_row = (0..sum.height())
        .find(|r| cell(&sum, *r, 0) == "全部" && cell(&sum, *r, 1) == "合计")
        .unwrap();
    assert_eq!(cell(&sum, total_row, 6), "7");

    // 规则: input files listed with a 64-hex-digit SHA-256.
    let rules = wb.worksheet_range("规则").unwrap();
    let sha_row =
        (0..rules.height()).find(|r| cell(&rules, *r, 0).ends_with("企业名录.csv")).unwrap();
    assert_eq!(cell(&rules, sha_row, 2).len(), 64);

    // 公示名单: title, header and the 7 evaluated firms; the vetoed firm 3 is listed as D; then
    // a blank row and the shipped [notice] period, contact and issuer lines.
    let notice = wb.worksheet_range("公示名单").unwrap();
    assert_eq!(notice.height(), 2 + 7 + 4);
    assert!(cell(&notice, 0, 0).starts_with("涪陵区2025年度工业企业亩均效益综合评价结果公示名单"));
    assert_eq!(cell(&notice, 10, 0), "公示期：2026年6月1日 至 2026年6月7日");
    assert!(cell(&notice, 11, 0).starts_with("异议受理：公示期间如有异议"));
    assert_eq!(cell(&notice, 12, 0), "发布单位：重庆市涪陵区经济和信息化委员会");
    let d_rows: Vec<String> =
        (2..2 + 7).filter(|r| cell(&notice, *r, 1) == "D").map(|r| cell(&notice, r, 4)).collect();
    assert!(d_rows.contains(&firms[2].code()), "{d_rows:?}");
    // 政策措施: the D firms get the shipped electricity surcharge, 0.1 × 用电量 100 = 10 万元.
    let m = wb.worksheet_range("政策措施").unwrap();
    let surcharge = (1..m.height())
        .find(|r| cell(&m, *r, 2) == firms[2].code() && cell(&m, *r, 5) == "差别化电价")
        .unwrap();
    assert_eq!(cell(&m, surcharge, 11), "10");
    // The summary carries its charts.
    let f = std::fs::File::open(&p1).unwrap();
    let z = zip::ZipArchive::new(f).unwrap();
    assert!(z.file_names().filter_map(|n| n.ok()).any(|n| n == "xl/charts/chart1.xml"));
}
