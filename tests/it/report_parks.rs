//! One workbook per park: contents read back with calamine (the park's firms, its per-mu
//! aggregates against the district's), and file names made from hostile park names that never
//! leave the output folder.

use crate::report_common::*;

use calamine::Reader;
use mujun::report::park::{contained, safe_stem};

#[test]
fn park_workbooks_hold_the_park_and_its_aggregates_against_the_district() {
    let dir = tempfile::tempdir().unwrap();
    let ev = evaluate_fixture(&dir.path().join("data"), 2025, tax_of);
    let out = dir.path().join("out");
    let o = write_all(&ev, &out, None);
    let names: Vec<String> =
        o.parks.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(
        names,
        ["2025年度亩均效益评价_涪陵高新区.xlsx", "2025年度亩均效益评价_白涛工业园区.xlsx"]
    );
    for p in &o.parks {
        assert_eq!(p.parent().unwrap(), out.join("园区"));
    }
    let gx = &o.parks[0];
    assert_eq!(
        open(gx).sheet_names(),
        ["园区概况", "企业名单", "政策措施", "评价明细", "预警名单", "公示名单", "未参评"]
    );

    // 企业名单: firms 1–5 only, in ranking order, with measures.
    let f = sheet(gx, "企业名单");
    assert_eq!(f.height(), 1 + 5);
    let cc = col(&f, 0, "统一社会信用代码");
    let codes: Vec<String> = (1..=5).map(|r| cell(&f, r, cc)).collect();
    assert_eq!(codes, [5, 4, 3, 2, 1].iter().map(|n| code(*n)).collect::<Vec<_>>());
    let r1 = row_where(&f, cc, &code(1));
    assert_eq!(cell(&f, r1, col(&f, 0, "等级")), "D");
    assert!(cell(&f, r1, col(&f, 0, "政策措施")).contains("差别化电价"));
    assert!(cell(&f, r1, col(&f, 0, "措施金额")).contains("= 10.00 万元"));
    assert!(sheet_xml(gx, "企业名单").contains("<dataBar"));

    // 园区概况: 亩均税收 145 / 50 = 2.9 against 545 / 100 = 5.45; 亩均增加值 1500 / 50 = 30 both.
    let s = sheet(gx, "园区概况");
    let tax = row_where(&s, 0, "亩均税收(万元/亩)");
    assert!((num(&s, tax, 1) - 2.9).abs() < 1e-9);
    assert!((num(&s, tax, 2) - 5.45).abs() < 1e-9);
    assert!((num(&s, tax, 3) - 2.9 / 5.45).abs() < 1e-9);
    let va = row_where(&s, 0, "亩均增加值(万元/亩)");
    assert!((num(&s, va, 1) - 30.0).abs() < 1e-9 && (num(&s, va, 2) - 30.0).abs() < 1e-9);
    let tiers = row_where(&s, 0, "规上企业");
    assert_eq!((1..=5).map(|c| cell(&s, tiers, c)).collect::<Vec<_>>(), ["0", "1", "2", "2", "5"]);

    // The park's own lists: 公示 (5 lines), 预警 (firms 5, 2, 1), 未参评 (firm 20), measures.
    assert_eq!(sheet(gx, "公示名单").height(), 2 + 5);
    assert_eq!(sheet(gx, "预警名单").height(), 1 + 3);
    let ne = sheet(gx, "未参评");
    assert_eq!((ne.height(), cell(&ne, 1, 0)), (2, code(20)));
    assert_eq!(sheet(&o.parks[1], "未参评").height(), 1);
    let m = sheet(gx, "政策措施");
    assert_eq!(rows_where(&m, 5, "差别化电价").len(), 2, "two D firms");
    let total = rows_where(&m, 0, "差别化电价");
    assert_eq!(total.len(), 1);
    assert!((num(&m, total[0], 3) - 40.0).abs() < 1e-9, "10 + 30 万元");
}

#[test]
fn safe_stems() {
    assert_eq!(safe_stem("涪陵高新区"), "涪陵高新区");
    assert_eq!(safe_stem("../../etc/passwd"), "____etc_passwd");
    assert_eq!(safe_stem("..\\..\\x"), "____x");
    assert_eq!(safe_stem("a/b"), "a_b");
    assert_eq!(safe_stem(".."), "_");
    assert_eq!(safe_stem("..."), "_");
    assert_eq!(safe_stem("  .hidden. "), "hidden");
    assert_eq!(safe_stem("名称\u{7}控制\n"), "名称_控制");
    assert_eq!(safe_stem("C:\\Windows"), "C__Windows");
    assert_eq!(safe_stem("CON"), "_CON");
    assert_eq!(safe_stem("lpt1.txt"), "_lpt1.txt");
    assert_eq!(safe_stem(""), "未命名园区");
    assert_eq!(safe_stem("\u{0}"), "_");
    assert_eq!(safe_stem(&"长".repeat(100)).chars().count(), 60);
    for bad in ["../x.xlsx", "a/b.xlsx", "/etc/x.xlsx", "..", "a\\b.xlsx", ""] {
        assert!(contained(std::path::Path::new("/out"), bad).is_err(), "{bad}");
    }
    assert!(contained(std::path::Path::new("/out"), "ok.xlsx").is_ok());
}

#[test]
fn hostile_park_names_stay_inside_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let hostile = [
        "../../逃逸园区",
        "a/b\\c园区",
        "CON",
        "名称\u{7}控制",
        "..",
        "=cmd|' /C calc'!A0",
        "涪陵高新区",
        "涪陵高新区 ",
    ];
    let firms: Vec<Firm> = hostile
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut f = Firm::new(i as u32 + 1, "规上");
            f.park = p.to_string();
            f.tax = Some(10.0 * (i + 1) as f64);
            f
        })
        .collect();
    // The register is CSV: quote park names that hold quotes or separators.
    write_year(&data, &firms);
    let reg = std::fs::read_to_string(data.join("企业名录.csv")).unwrap();
    let reg = reg
        .replace("=cmd|' /C calc'!A0", "\"=cmd|' /C calc'!A0\"")
        .replace("名称\u{7}控制", "\"名称\u{7}控制\"");
    write_file(&data, "企业名录.csv", &reg);
    let ev = evaluate_with(&rules_toml(2025), &data);
    let out = dir.path().join("nested").join("out");
    let o = write_all(&ev, &out, None);
    let parks_dir = out.join("园区");
    assert!(!o.parks.is_empty());
    for p in &o.parks {
        assert_eq!(p.parent().unwrap(), parks_dir, "{}", p.display());
        assert!(p.exists());
    }
    let names: std::collections::BTreeSet<_> = o.parks.iter().collect();
    assert_eq!(names.len(), o.parks.len(), "unique file names");
    // Nothing was written outside `out`: the temp dir holds only data/ and nested/out.
    let outside: Vec<_> = files_under(dir.path())
        .into_iter()
        .filter(|f| !f.starts_with("data") && !f.starts_with("nested/out"))
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
    for f in files_under(&out) {
        let s = f.to_string_lossy();
        assert!(!s.contains(".."), "{s}");
        assert!(!s.chars().any(|c| c.is_control()), "{s:?}");
    }
}
