//! The bureau's results workbook of the report fixture, read back with calamine: sheet names, row
//! counts and values computed by hand; charts and formats found inside the xlsx; names that look
//! like formulas stay text; identical inputs give identical bytes for every output.

use crate::report_common::*;

use calamine::{Data, Reader};

/// The fixture's totals, computed by hand: item scores 亩均税收 ÷ 10 × 60 + 亩均增加值 30 ÷ 50 × 40.
fn total(n: u32) -> f64 {
    tax_of(n) / 10.0 / 10.0 * 60.0 + 30.0 / 50.0 * 40.0
}

#[test]
fn hand_computed_totals() {
    let expect = [
        (1, 30.0),
        (2, 36.0),
        (3, 42.0),
        (4, 48.0),
        (5, 51.0),
        (6, 60.0),
        (7, 66.0),
        (8, 72.0),
        (9, 78.0),
        (10, 84.0),
    ];
    for (n, t) in expect {
        assert!((total(n) - t).abs() < 1e-9, "firm {n}");
    }
}

#[test]
fn bureau_workbook_sheets_values_charts_and_formats() {
    let dir = tempfile::tempdir().unwrap();
    let ev = evaluate_fixture(&dir.path().join("data"), 2025, tax_of);
    let out = dir.path().join("out");
    let o = write_all(&ev, &out, None);
    let p = &o.workbook;

    let wb = open(p);
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

    // 评价结果: 10 evaluated, ranking order, totals and tiers as computed by hand.
    let res = sheet(p, "评价结果");
    assert_eq!(res.height(), 1 + 10);
    let (c_code, c_tier, c_total) =
        (col(&res, 0, "统一社会信用代码"), col(&res, 0, "等级"), col(&res, 0, "总分"));
    let order: Vec<String> = (1..=10).map(|r| cell(&res, r, c_code)).collect();
    let expect: Vec<String> = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1].iter().map(|n| code(*n)).collect();
    assert_eq!(order, expect);
    let tiers: Vec<String> = (1..=10).map(|r| cell(&res, r, c_tier)).collect();
    assert_eq!(tiers, ["A", "A", "B", "B", "B", "B", "C", "D", "C", "D"], "firm 3 vetoed to D");
    for r in 1..=10 {
        let n: u32 =
            expect.iter().position(|c| *c == cell(&res, r, c_code)).map(|i| 10 - i as u32).unwrap();
        assert!((num(&res, r, c_total) - total(n)).abs() < 1e-9);
    }
    // Score-card columns on the ranking: firm 8 needs 6 points (78 − 72) to reach A.
    let r8 = row_where(&res, c_code, &code(8));
    assert!((num(&res, r8, col(&res, 0, "距上一档(分)")) - 6.0).abs() < 1e-9);
    assert!(cell(&res, r8, col(&res, 0, "最能提分的指标")).starts_with("亩均税收"));
    // Tier colours, data bars, frozen header and autofilter are in the sheet.
    let xml = sheet_xml(p, "评价结果");
    assert!(
        xml.contains("<conditionalFormatting") && xml.contains("type=\"cellIs\""),
        "tier colours"
    );
    assert!(xml.contains("<dataBar"), "data bars");
    assert!(
        xml.contains("ySplit=\"1\"") && xml.contains("<autoFilter"),
        "frozen header and filter"
    );
    // Only 企业名称 and 等级 are frozen (two columns, not nine: room to scroll at 1366 pixels).
    assert!(xml.contains(r#"xSplit="2""#), "two frozen columns");
    assert_eq!((cell(&res, 0, 0).as_str(), cell(&res, 0, 1).as_str()), ("企业名称", "等级"));

    // Formula-looking names are strings in every sheet, never formulas.
    for name in ["=HYPERLINK(\"x\")有限公司", "+86有限公司", "-负号有限公司", "@提及有限公司"]
    {
        let r = (1..=10)
            .find(|r| cell(&res, *r, col(&res, 0, "企业名称")) == name)
            .unwrap_or_else(|| panic!("{name}"));
        assert!(matches!(res.get((r, col(&res, 0, "企业名称"))), Some(Data::String(_))));
    }
    for s in ["评价结果", "公示名单", "评价明细", "政策措施", "预警名单"] {
        assert!(!sheet_xml(p, s).contains("<f>"), "{s} has a formula");
    }

    // 未参评: firm 20 (2 亩).
    let ne = sheet(p, "未参评");
    assert_eq!(ne.height(), 2);
    assert_eq!(cell(&ne, 1, 0), code(20));
    assert_eq!(cell(&ne, 1, 6), "用地不足3亩");

    // 公示名单: title, header, ten lines by tier then name.
    let pub_ = sheet(p, "公示名单");
    assert_eq!(pub_.height(), 2 + 10);
    assert_eq!(cell(&pub_, 1, 0), "序号");
    let lines: Vec<(String, String)> =
        (2..12).map(|r| (cell(&pub_, r, 1), cell(&pub_, r, 3))).collect();
    let want = [
        ("A", "测试企业09有限公司"),
        ("A", "测试企业10有限公司"),
        ("B", "-负号有限公司"),
        ("B", "@提及有限公司"),
        ("B", "测试企业05有限公司"),
        ("B", "测试企业08有限公司"),
        ("C", "+86有限公司"),
        ("C", "=HYPERLINK(\"x\")有限公司"),
        ("D", "测试企业01有限公司"),
        ("D", "测试企业03有限公司"),
    ];
    assert_eq!(lines, want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>());
    assert_eq!(cell(&pub_, 2, 0), "1");
    assert_eq!(cell(&pub_, 2, 2), "优先发展类");

    // 前后名单: top 3 and bottom 3 of the group.
    let top = sheet(p, "前后名单");
    assert_eq!(top.height(), 11);
    assert_eq!(cell(&top, 2, 2), code(10));
    assert_eq!(cell(&top, 4, 2), code(8));
    assert_eq!(cell(&top, 8, 2), code(3));
    assert_eq!(cell(&top, 10, 2), code(1));

    // 评价明细: two indicator rows per firm; firm 3 (vetoed, with an event) adds 加分, 减分 and
    // the tier adjustment: 20 + 3 rows.
    let cards = sheet(p, "评价明细");
    assert_eq!(cards.height(), 1 + 20 + 3);
    let (cc, ci, cg, cn, cb) = (
        col(&cards, 0, "统一社会信用代码"),
        col(&cards, 0, "项目"),
        col(&cards, 0, "改善10%可增总分"),
        col(&cards, 0, "单靠该项升档需改善"),
        col(&cards, 0, "距上一档(分)"),
    );
    let row_of = |n: u32, item: &str| {
        rows_where(&cards, cc, &code(n)).into_iter().find(|r| cell(&cards, *r, ci) == item).unwrap()
    };
    // Firm 8 (B, 72): A's last is firm 9 at 78 → 6 points; 亩均税收 alone 8 → 9 (+12.5 %),
    // 亩均增加值 alone 30 → 37.5 (+25 %); a 10 % step gains 4.8 and 2.4 points.
    let (t8, v8) = (row_of(8, "亩均税收"), row_of(8, "亩均增加值"));
    assert!((num(&cards, t8, cb) - 6.0).abs() < 1e-9);
    assert!((num(&cards, t8, cn) - 0.125).abs() < 1e-6);
    assert!((num(&cards, v8, cn) - 0.25).abs() < 1e-6);
    assert!((num(&cards, t8, cg) - 4.8).abs() < 1e-9);
    assert!((num(&cards, v8, cg) - 2.4).abs() < 1e-9);
    assert!(cell(&cards, t8, col(&cards, 0, "说明")).contains("最能提分"));
    // Firm 1 (D, 30): C's last by score is firm 2 at 36; 亩均增加值 moves it most (2.4 > 0.6).
    let (t1, v1) = (row_of(1, "亩均税收"), row_of(1, "亩均增加值"));
    assert!((num(&cards, t1, cb) - 6.0).abs() < 1e-9);
    assert!((num(&cards, t1, cn) - 1.0).abs() < 1e-6);
    assert!(cell(&cards, v1, col(&cards, 0, "说明")).contains("最能提分"));
    assert!(cell(&cards, t1, col(&cards, 0, "最能提分的指标")).starts_with("亩均增加值"));
    // Firm 4 (C, 48): 3 points to firm 5 (51); a tie of gains goes to the first indicator.
    let t4 = row_of(4, "亩均税收");
    assert!((num(&cards, t4, cb) - 3.0).abs() < 1e-9);
    assert!(cell(&cards, t4, col(&cards, 0, "说明")).contains("最能提分"));
    // Firm 3 is vetoed: no distance, a tier-adjustment row.
    let t3 = row_of(3, "亩均税收");
    assert_eq!(cell(&cards, t3, cb), "");
    assert!(cell(&cards, t3, col(&cards, 0, "上一档边界")).contains("一票否决"));
    assert!(rows_where(&cards, cc, &code(3))
        .iter()
        .any(|r| cell(&cards, *r, ci).starts_with("等级调整")));

    // 预警名单: firm 5 leads C (firm 4, 48) by 3 ≤ margin 3; firms 2 and 1 below 2.5 万元/亩.
    let al = sheet(p, "预警名单");
    assert_eq!(al.height(), 1 + 3);
    assert_eq!((cell(&al, 1, 0), cell(&al, 1, 3)), ("临近降档".to_string(), code(5)));
    assert!((num(&al, 1, 8) - 3.0).abs() < 1e-9);
    assert_eq!((cell(&al, 2, 0), cell(&al, 2, 3)), ("指标低于预警线".to_string(), code(2)));
    assert_eq!(cell(&al, 3, 3), code(1));
    assert!((num(&al, 3, 8) - 1.0).abs() < 1e-9 && (num(&al, 3, 9) - 2.5).abs() < 1e-9);

    // 政策措施: A relief 50 % of 城镇土地使用税 (2 n), B text, D 0.1 × electricity (100 n).
    let m = sheet(p, "政策措施");
    let (mc, mm, ma, mf) = (
        col(&m, 0, "统一社会信用代码"),
        col(&m, 0, "措施"),
        col(&m, 0, "金额"),
        col(&m, 0, "计算过程"),
    );
    let detail: Vec<usize> = (1..m.height()).take_while(|r| !cell(&m, *r, 0).is_empty()).collect();
    assert_eq!(detail.len(), 2 + 4 + 2);
    let amount = |n: u32, measure: &str| {
        let r = rows_where(&m, mc, &code(n))
            .into_iter()
            .find(|r| cell(&m, *r, mm) == measure)
            .unwrap_or_else(|| panic!("{n} {measure}"));
        (num(&m, r, ma), cell(&m, r, mf))
    };
    assert_eq!(
        amount(10, "城镇土地使用税减免"),
        (10.0, "实缴城镇土地使用税 20.00 万元 × 50% = 10.00 万元".to_string())
    );
    assert!((amount(9, "城镇土地使用税减免").0 - 9.0).abs() < 1e-9);
    assert_eq!(
        amount(1, "差别化电价"),
        (10.0, "用电量 100.00 万千瓦时 × 0.1 万元/万千瓦时 = 10.00 万元".to_string())
    );
    assert!((amount(3, "差别化电价").0 - 30.0).abs() < 1e-9, "the vetoed firm is D and pays");
    let tot = row_where(&m, 0, "各措施合计") + 1;
    let sum_row = (tot..m.height()).find(|r| cell(&m, *r, 0) == "差别化电价").unwrap();
    assert!((num(&m, sum_row, 3) - 40.0).abs() < 1e-9);

    // 汇总: the pivot adds up; score histogram; per park, division and cluster aggregates.
    let s = sheet(p, "汇总");
    let total_row =
        (0..s.height()).find(|r| cell(&s, *r, 0) == "全部" && cell(&s, *r, 1) == "合计").unwrap();
    assert_eq!(
        (
            cell(&s, total_row, 2),
            cell(&s, total_row, 3),
            cell(&s, total_row, 4),
            cell(&s, total_row, 5)
        ),
        ("2".into(), "4".into(), "2".into(), "2".into())
    );
    let hist = row_where(&s, 0, "30–40");
    let counts: Vec<String> = (hist..hist + 6).map(|r| cell(&s, r, 1)).collect();
    assert_eq!(counts, ["2", "2", "1", "2", "2", "1"]);
    assert_eq!(cell(&s, hist + 5, 0), "80–90");
    // 六: per park, ratio of sums: 涪陵高新区 145 / 50 = 2.9; 全区 545 / 100 = 5.45.
    let six = row_where(&s, 0, "六、各园区亩均效益（全部参评企业，合计值之比）");
    let head = six + 1;
    let c_tax = col(&s, head, "亩均税收(万元/亩)");
    let gx = (six..s.height()).find(|r| cell(&s, *r, 0) == "涪陵高新区").unwrap();
    assert!((num(&s, gx, c_tax) - 2.9).abs() < 1e-9);
    let all = (six..s.height()).find(|r| cell(&s, *r, 0) == "全区").unwrap();
    assert!((num(&s, all, c_tax) - 5.45).abs() < 1e-9);
    // 七: divisions 26 (8 firms), 36, 38.
    let d26 = (0..s.height()).find(|r| cell(&s, *r, 0) == "26").unwrap();
    assert_eq!(cell(&s, d26, 1), "化学原料和化学制品制造业");
    assert_eq!(cell(&s, d26, 2), "8");
    // 八: clusters by prefix, the rest as 其他.
    let eight =
        row_where(&s, 0, "八、按产业集群（规则文件 [[clusters]]，按行业代码前缀，合计值之比）");
    let clusters: Vec<(String, String)> =
        (eight + 2..eight + 5).map(|r| (cell(&s, r, 0), cell(&s, r, 1))).collect();
    assert_eq!(
        clusters,
        [
            ("先进材料".into(), "8".into()),
            ("动力电池".into(), "1".into()),
            ("其他".into(), "1".into())
        ]
    );

    // Charts: five charts in the summary sheet's drawing.
    let names = zip_names(p);
    for k in 1..=5 {
        assert!(names.contains(&format!("xl/charts/chart{k}.xml")), "chart{k} in {names:?}");
    }
    assert!(sheet_xml(p, "汇总").contains("<drawing"));
    assert!(
        zip_text(p, "xl/charts/chart1.xml").contains("<c:grouping val=\"stacked\"/>"),
        "tiers per park are stacked"
    );
}

#[test]
fn identical_inputs_give_identical_bytes_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let ev = evaluate_fixture(&dir.path().join("data"), 2025, tax_of);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    write_all(&ev, &a, None);
    write_all(&ev, &b, None);
    let files = files_under(&a);
    assert_eq!(files, files_under(&b));
    assert_eq!(files.len(), 1 + 2 + 2, "bureau workbook, two park workbooks, CSV, JSON: {files:?}");
    for f in files {
        assert_eq!(
            std::fs::read(a.join(&f)).unwrap(),
            std::fs::read(b.join(&f)).unwrap(),
            "{}",
            f.display()
        );
    }
    // The old entry point still writes the same bureau workbook.
    let c = dir.path().join("c");
    let p = mujun::report::write_workbook(&ev, &c).unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), std::fs::read(a.join(p.file_name().unwrap())).unwrap());
}

/// Four firms of one tier named so that code-point order (创 U+521B < 安 U+5B89; 涪 U+6DAA <
/// 重 U+91CD) differs from pinyin order: an1 < chong2 (重庆, as `[notice] pinyin` reads it;
/// the dictionary says zhong4) < chuang4 < fu2.
#[test]
fn the_notice_lists_a_tier_in_pinyin_order_with_the_rules_readings() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let names = ["涪陵丁有限公司", "重庆丙有限公司", "创新乙有限公司", "安达甲有限公司"];
    let firms: Vec<Firm> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut f = Firm::new(1 + i as u32, "规上");
            f.name = name.to_string();
            f
        })
        .collect();
    write_year(&data, &firms);
    // Equal data, so equal totals: 100 / 10 ÷ 10 × 60 + 300 / 10 ÷ 50 × 40 = 84 points each,
    // all A under score lines 50 / 40 / 30.
    let rules = rules_toml(2025)
        .replace("quota = [0.2, 0.6, 0.9]", "method = \"threshold\"\nthresholds = [50, 40, 30]")
        + "\n[notice]\nregion = \"涪陵区\"\ncontact = \"联系电话 023-0000\"\nfrom = \"2025-06-01\"\nto = \"2025-06-07\"\npinyin = { \"重庆\" = \"chong2 qing4\" }\n";
    let ev = evaluate_with(&rules, &data);
    let o = write_all(&ev, &dir.path().join("out"), None);
    let s = sheet(&o.workbook, "公示名单");
    assert_eq!(cell(&s, 0, 0), "涪陵区2025年度工业企业亩均效益综合评价结果公示名单");
    let listed: Vec<String> = (2..6).map(|r| cell(&s, r, 3)).collect();
    assert_eq!(listed, ["安达甲有限公司", "重庆丙有限公司", "创新乙有限公司", "涪陵丁有限公司"]);
    assert!((2..6).all(|r| cell(&s, r, 1) == "A"));
    assert_eq!(cell(&s, 7, 0), "公示期：2025年6月1日 至 2025年6月7日");
    assert_eq!(cell(&s, 8, 0), "异议受理：联系电话 023-0000");
    assert_eq!(s.height(), 9, "no issuer line when none is given");
}

/// The printed layout, as the sheet XML states it: A4 (paper size 9), fitted one page wide and
/// as many tall as needed, the orientation the width needs, repeated header rows and page numbers.
#[test]
fn the_sheets_people_print_are_set_up_for_a4_one_page_wide() {
    let dir = tempfile::tempdir().unwrap();
    let ev = evaluate_fixture(&dir.path().join("data"), 2025, tax_of);
    let o = write_all(&ev, &dir.path().join("out"), None);
    let fitted = |xml: &str, orientation: &str, what: &str| {
        assert!(xml.contains(r#"<pageSetUpPr fitToPage="1"/>"#), "{what}: fit to page");
        let setup = &xml[xml.find("<pageSetup ").unwrap_or_else(|| panic!("{what}"))..];
        let setup = &setup[..setup.find("/>").unwrap()];
        assert!(setup.contains(r#"paperSize="9""#), "{what}: A4 {setup}");
        assert!(setup.contains(r#"fitToHeight="0""#), "{what}: pages tall as needed {setup}");
        assert!(setup.contains(&format!(r#"orientation="{orientation}""#)), "{what}: {setup}");
        assert!(xml.contains("<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter>"), "{what}");
    };
    fitted(&sheet_xml(&o.workbook, "汇总"), "landscape", "汇总");
    fitted(&sheet_xml(&o.workbook, "公示名单"), "portrait", "公示名单");
    let names = zip_text(&o.workbook, "xl/workbook.xml");
    // 汇总 prints its tables (columns A–O), not the charts beside them; 公示名单 repeats its
    // header row (row 2, under the title).
    assert!(
        names.contains(r#"<definedName name="_xlnm.Print_Area" localSheetId="0">汇总!$A$1:$O$"#),
        "{names}"
    );
    assert!(names.contains("公示名单!$2:$2</definedName>"), "{names}");
    // A park's 企业名单: landscape, its header row repeated.
    let park = &o.parks[0];
    fitted(&sheet_xml(park, "企业名单"), "landscape", "企业名单");
    assert!(zip_text(park, "xl/workbook.xml").contains("企业名单!$1:$1</definedName>"));
}
