//! The tax basket: `[tax] exclude` entries as exact names or globs, the tax types each caught
//! (规则 sheet, 问题清单), and `no_rows` for a firm the tax table does not mention.

use crate::common::*;
use crate::report_common::{cell, col, num, row_where, sheet, write_all};

/// One group, one item: 亩均税收 ÷ 10 × 100, so a firm's score is 10 × its tax per mu.
fn rules(tax: &str, missing: &str) -> String {
    format!(
        r#"
[meta]
name = "税收口径测试"
year = 2024

[land]
modes = {{ "自有" = 1.0 }}

[tax]
{tax}

[[groups]]
id = "g"
name = "规上企业"
when = "scale = '规上'"

[[groups.indicators]]
id = "tax_per_mu"
name = "亩均税收"
formula = "tax / land_mu"
weight = 100
benchmark = {{ value = 10 }}
missing = "{missing}"

[tiers]
method = "threshold"
thresholds = [80, 50, 20]
"#
    )
}

/// F1 pays 增值税 100 and two one-off receipts; F2 增值税 60 and an audit back-tax; F3 has no tax
/// row; F4 only a one-off receipt. Land 10 亩 each.
fn firms() -> [Firm; 4] {
    let mut f1 = Firm::new(1, "规上");
    f1.taxes = vec![("政策性搬迁一次性税收".into(), 238.0), ("股权转让一次性税收".into(), 50.0)];
    let mut f2 = Firm::new(2, "规上");
    f2.tax = Some(60.0);
    f2.taxes = vec![("稽查查补".into(), 5.0)];
    let mut f3 = Firm::new(3, "规上");
    f3.tax = None;
    let mut f4 = Firm::new(4, "规上");
    f4.tax = None;
    f4.taxes = vec![("房产土地转让一次性税收".into(), 80.0)];
    [f1, f2, f3, f4]
}

const EXCLUDE: &str = r#"exclude = ["稽查查补", "*一次性*", "滞纳金"]"#;

#[test]
fn a_glob_leaves_out_every_one_off_type_and_a_firm_without_rows_has_zero_tax() {
    let dir = tempfile::tempdir().unwrap();
    let [f1, f2, f3, f4] = firms();
    write_year(dir.path(), &[f1.clone(), f2.clone(), f3.clone(), f4.clone()]);
    let ev = evaluate_with(&rules(EXCLUDE, "zero"), dir.path());
    // F1: 100 counted (238 + 50 left out) → 10 /亩 → 10 ÷ 10 × 100 = 100.
    assert_close(num_of(&ev, &f1.code(), "tax"), 100.0, "F1 计入实缴税额");
    assert_close(num_of(&ev, &f1.code(), "total"), 100.0, "F1");
    // F2: 60 (the 5 of 稽查查补 left out) → 6 /亩 → 60.
    assert_close(num_of(&ev, &f2.code(), "total"), 60.0, "F2");
    // F3: no tax row → 0 under no_rows = "zero"; F4: its one row left out → 0. Both score 0.
    for f in [&f3, &f4] {
        assert_close(num_of(&ev, &f.code(), "tax"), 0.0, &f.name);
        assert_close(num_of(&ev, &f.code(), "total"), 0.0, &f.name);
        assert_eq!(tier_of(&ev, &f.code()), "D", "{}", f.name);
    }
    // 问题清单: a 提示 per type left out, one for the entry that caught nothing, a 警告 for F3.
    let p = |value: &str| {
        ev.problems
            .iter()
            .find(|p| p.value == value)
            .unwrap_or_else(|| panic!("no problem on {value}: {:#?}", ev.problems))
    };
    let one_off = p("政策性搬迁一次性税收");
    assert_eq!(one_off.message, "按 tax.exclude「*一次性*」剔除（1 行，合计 238.00 万元）");
    assert_eq!(one_off.action, "不计入实缴税额");
    assert_eq!(p("稽查查补").message, "按 tax.exclude「稽查查补」剔除（1 行，合计 5.00 万元）");
    assert!(p("滞纳金").message.contains("「滞纳金」在本年税收表中没有匹配的税种"));
    let absent = p(&f3.code());
    assert_eq!(absent.message, "该企业在税收表中没有数据");
    assert_eq!(absent.action, "计入实缴税额按 0 计（规则 tax.no_rows = \"zero\"）");
    assert!(!ev.problems.iter().any(|p| p.value == f4.code()), "F4 is in the tax table");
}

#[test]
fn the_rules_sheet_lists_each_tax_type_with_the_entry_that_decided_it() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &firms());
    let ev = evaluate_with(&rules(EXCLUDE, "zero"), dir.path());
    let out = write_all(&ev, &dir.path().join("out"), None);
    let s = sheet(&out.workbook, "规则");
    let r = row_where(&s, 0, "剔除税种");
    assert_eq!(cell(&s, r, 1), "稽查查补、*一次性*（通配）、滞纳金");
    assert_eq!(cell(&s, row_where(&s, 0, "无税收记录的企业"), 1), "计入实缴税额按 0 计（列警告）");
    let head = row_where(&s, 0, "税种");
    assert_eq!(col(&s, head, "处理"), 3);
    // Types by name: 增值税 rows of F1 (100) and F2 (60) = 2 rows, 160 万元.
    let expected = [
        ("增值税", 2.0, 160.0, "计入"),
        ("房产土地转让一次性税收", 1.0, 80.0, "按 tax.exclude「*一次性*」剔除"),
        ("政策性搬迁一次性税收", 1.0, 238.0, "按 tax.exclude「*一次性*」剔除"),
        ("稽查查补", 1.0, 5.0, "按 tax.exclude「稽查查补」剔除"),
        ("股权转让一次性税收", 1.0, 50.0, "按 tax.exclude「*一次性*」剔除"),
    ];
    for (ty, rows, amount, verdict) in expected {
        let r = row_where(&s, 0, ty);
        assert!(r > head, "{ty}");
        assert_eq!(
            (num(&s, r, 1), num(&s, r, 2), cell(&s, r, 3).as_str()),
            (rows, amount, verdict)
        );
    }
    // 问题清单 carries the same verdict as a 提示 row.
    let q = sheet(&out.workbook, "问题清单");
    let r = row_where(&q, col(&q, 0, "值"), "股权转让一次性税收");
    assert_eq!(cell(&q, r, col(&q, 0, "严重程度")), "提示");
    assert_eq!(
        cell(&q, r, col(&q, 0, "问题")),
        "按 tax.exclude「*一次性*」剔除（1 行，合计 50.00 万元）"
    );
}

#[test]
fn no_rows_missing_leaves_a_firm_without_tax_rows_to_the_items_missing_rule() {
    let dir = tempfile::tempdir().unwrap();
    let [f1, f2, f3, f4] = firms();
    write_year(dir.path(), &[f1, f2, f3.clone(), f4.clone()]);
    let tax = format!("{EXCLUDE}\nno_rows = \"missing\"");
    let ev = evaluate_with(&rules(&tax, "not_evaluated"), dir.path());
    // F3 has no tax: 亩均税收 is missing and the item says not_evaluated → 数据不全.
    assert_eq!(not_evaluated(&ev, &f3.code()).0, "数据不全");
    let absent = ev.problems.iter().find(|p| p.value == f3.code()).unwrap();
    assert_eq!(absent.action, "相关数值按缺失处理");
    // F4 is in the tax table, all of it left out: 0, still evaluated.
    assert_close(num_of(&ev, &f4.code(), "tax"), 0.0, "F4");
}

#[test]
fn a_bad_glob_or_an_unknown_no_rows_value_names_line_and_key() {
    let bad = rules(r#"exclude = ["稽查查补", "[一次性"]"#, "zero");
    let e = mujun::rules::compile(std::path::Path::new("rules/x.toml"), &bad).unwrap_err();
    let line = bad.lines().position(|l| l.starts_with("exclude")).unwrap() + 1;
    let e = e.to_string();
    assert!(e.contains(&format!("第{line}行 键「tax.exclude[1]」")), "{e}");
    assert!(e.contains("「[一次性」不是有效的通配符写法"), "{e}");
    let bad = rules(&format!("{EXCLUDE}\nno_rows = \"none\""), "zero");
    let e = mujun::rules::compile(std::path::Path::new("rules/x.toml"), &bad).unwrap_err();
    let e = e.to_string();
    assert!(e.contains("「none」不是可用的取值") && e.contains("zero、missing"), "{e}");
}
