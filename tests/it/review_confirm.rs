//! 一企一单 (`mujun confirm`): three firms in two parks, read back cell by cell — each value with
//! the file and row it came from and the department, a tax type the rules exclude said so, a
//! table that has no row for a firm said so, the seal line; a sheet per firm (named by its code)
//! with the firm's name in the page header and its own page numbers (A4 portrait).

use crate::report_common::{cell, code, mujun_in, sheet, sheet_xml, write_file, write_year, Firm};

const RULES: &str = r#"
[meta]
name = "确认单测试"
year = 2024

[land]
modes = { "自有" = 1.0 }

[tax]
exclude = ["*一次性*"]

[[groups]]
id = "gs"
name = "规上企业"
when = "scale = '规上'"

[[groups.indicators]]
id = "tax_per_mu"
name = "亩均税收"
formula = "tax / land_mu"
weight = 100
benchmark = { value = 10 }

[tiers]
quota = [0.2, 0.6, 0.9]
"#;

/// The first row at or below `from` whose column 0 is `text`.
fn find(s: &calamine::Range<calamine::Data>, from: usize, text: &str) -> usize {
    (from..s.height()).find(|&r| cell(s, r, 0) == text).unwrap_or_else(|| panic!("{text}"))
}

#[test]
fn each_firm_gets_its_values_with_their_sources_and_a_page_of_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let data = dir.join("d");
    std::fs::create_dir_all(&data).unwrap();
    let mut firms: Vec<Firm> = (1..=3).map(|n| Firm::new(n, "规上")).collect();
    firms[1].park = "白涛工业园区".into();
    firms[0].taxes = vec![("房产土地转让一次性税收".into(), 50.0)];
    firms[2].land = None; // no parcel delivered for firm 3
    write_year(&data, &firms);
    write_file(dir, "r.toml", RULES);
    let (status, text) =
        mujun_in(dir, &["confirm", "--rules", "r.toml", "--data", "d", "--out", "o"]);
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("一企一单已写入（2 个园区，企业名录 3 行）"), "{text}");
    let book = dir.join("o/一企一单/2024年度一企一单_涪陵高新区.xlsx");
    // Firms 1 and 3 (涪陵高新区), a sheet each, by code.
    use calamine::Reader;
    let names = crate::report_common::open(&book).sheet_names();
    assert_eq!(names, [code(1), code(3)]);
    let s = sheet(&book, &code(1));
    assert_eq!(cell(&s, 0, 0), format!("一企一单：测试企业01有限公司（{}）", code(1)));
    // 企业名录: 企业名称 from the register's first data row (row 2), supplied by 经信委.
    let reg = find(&s, 0, "企业名称");
    assert_eq!(cell(&s, reg, 1), "测试企业01有限公司");
    assert_eq!(cell(&s, reg, 2), "企业名录.csv第 2 行（经信委（参评企业名录））");
    // 用地: the parcel with its area and its source row.
    let land = find(&s, 0, "不动产权证号") + 1;
    assert_eq!(cell(&s, land, 0), "渝(2015)涪陵区不动产权第000001号");
    assert_eq!(cell(&s, land, 2), "10");
    assert_eq!(cell(&s, land, 5), "用地.csv第 2 行（规划和自然资源）");
    // 税收: 增值税 counted; the one-off type excluded by the rule, said so; rows 2 and 3.
    let tax = find(&s, 0, "税种") + 1;
    let first = (cell(&s, tax, 0), cell(&s, tax, 1), cell(&s, tax, 2));
    assert_eq!(first, ("增值税".into(), "100".into(), "计入".into()));
    assert_eq!(cell(&s, tax + 1, 0), "房产土地转让一次性税收");
    assert_eq!(cell(&s, tax + 1, 2), "按 tax.exclude「*一次性*」剔除");
    assert_eq!(cell(&s, tax + 1, 3), "税收.csv第 3 行（税务）");
    // The seal line closes the block.
    find(&s, 0, "企业确认（签章）：____________________　　日期：______年____月____日");
    // The page header names the firm; the footer numbers its own pages; A4 portrait.
    let xml = sheet_xml(&book, &code(1));
    assert!(xml.contains(&format!("<oddHeader>&amp;C测试企业01有限公司（{}）", code(1))), "{xml}");
    assert!(xml.contains("<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter>"));
    assert!(xml.contains(r#"paperSize="9""#) && xml.contains(r#"orientation="portrait""#));
    // Firm 3's land was not delivered: said so.
    let s3 = sheet(&book, &code(3));
    let missing = find(&s3, 0, "二、用地") + 1;
    assert_eq!(cell(&s3, missing, 0), "（规划和自然资源未报送本企业的数据）");
    // The other park's workbook holds firm 2 only.
    let other = dir.join("o/一企一单/2024年度一企一单_白涛工业园区.xlsx");
    assert_eq!(crate::report_common::open(&other).sheet_names(), [code(2)]);
}
