//! Year over year: the previous year's results read from the engine's own workbook and from its
//! CSV give the same comparison — tier migration matrix, movers, changes per park and indicator,
//! and the parks' per-mu growth against the plan target — all computed by hand here.

use crate::report_common::*;

use calamine::Reader;

/// The previous year's 增值税: firm 1 paid 75 (rank 4, B), firm 5 50, firm 10 82, others 10 n.
/// Previous totals: 69, 36, 42, 48, 54, 60, 66, 72, 78, 73.2 → A 9, 10; B 8, 1, 7, 6; C 5, 4, 3
/// (3 vetoed → D); D 2.
fn prev_tax(n: u32) -> f64 {
    match n {
        1 => 75.0,
        5 => 50.0,
        10 => 82.0,
        _ => 10.0 * n as f64,
    }
}

fn years(dir: &std::path::Path) -> (mujun::report::Outputs, mujun::evaluation::Evaluation) {
    let prev = evaluate_fixture(&dir.join("data2024"), 2024, prev_tax);
    let o = write_all(&prev, &dir.join("out2024"), None);
    let cur = evaluate_fixture(&dir.join("data2025"), 2025, tax_of);
    (o, cur)
}

#[test]
fn comparison_from_workbook_and_from_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (prev, cur) = years(dir.path());
    assert!(prev.workbook.ends_with("2024年度亩均效益评价结果.xlsx"));

    let from_xlsx = write_all(&cur, &dir.path().join("a"), Some(&prev.workbook));
    let from_csv = write_all(&cur, &dir.path().join("b"), Some(&prev.csv));
    let p = &from_xlsx.workbook;
    let names = open(p).sheet_names();
    assert_eq!(&names[8..10], ["年度对比", "等级变动"]);

    let y = sheet(p, "年度对比");
    assert_eq!(cell(&y, 0, 0), "2024年度与2025年度评价结果对比");
    // Migration matrix: rows previous, columns current (A B C D 未参评 本年无记录 合计).
    let head = row_where(&y, 0, "上年＼本年");
    let labels: Vec<String> = (1..=7).map(|c| cell(&y, head, c)).collect();
    assert_eq!(labels, ["A", "B", "C", "D", "未参评", "本年无记录", "合计"]);
    let row = |label: &str| -> Vec<String> {
        let r = (head..head + 8).find(|r| cell(&y, *r, 0) == label).unwrap();
        (1..=7).map(|c| cell(&y, r, c)).collect()
    };
    assert_eq!(row("A"), ["2", "0", "0", "0", "0", "0", "2"]);
    assert_eq!(row("B"), ["0", "3", "0", "1", "0", "0", "4"], "firm 1 B → D");
    assert_eq!(row("C"), ["0", "1", "1", "0", "0", "0", "2"], "firm 5 C → B, firm 4 stays");
    assert_eq!(
        row("D"),
        ["0", "0", "1", "1", "0", "0", "2"],
        "firm 2 D → C, firm 3 vetoed both years"
    );
    assert_eq!(row("未参评"), ["0", "0", "0", "0", "1", "0", "1"], "firm 20");
    assert_eq!(row("上年无记录"), ["0", "0", "0", "0", "0", "0", "0"]);
    assert_eq!(row("合计"), ["2", "4", "2", "2", "1", "0", "11"]);

    // Per park: 涪陵高新区 2 up (5, 2), 1 down (1), 2 unchanged; 亩均税收 215 / 50 → 145 / 50.
    let park = row_where(&y, 0, "涪陵高新区");
    assert_eq!(
        (1..=7).map(|c| cell(&y, park, c)).collect::<Vec<_>>(),
        ["5", "5", "2", "1", "2", "0", "0"]
    );
    assert!((num(&y, park, 8) - 4.3).abs() < 1e-9 && (num(&y, park, 9) - 2.9).abs() < 1e-9);
    assert!((num(&y, park, 10) - (2.9 / 4.3 - 1.0)).abs() < 1e-9);

    // Growth against the 4 % target: 白涛 382 / 50 = 7.64 → 8 (+4.71 %, met); 高新区 −32.6 %.
    let g = row_where(
        &y,
        0,
        "三、园区亩均效益增长与规划目标（全部参评企业，目标：年均增长≥4%，1年累计≥4.00%）",
    ) + 2;
    let find = |park: &str| {
        (g..y.height()).find(|r| cell(&y, *r, 0) == park && cell(&y, *r, 1) == "亩均税收").unwrap()
    };
    let bt = find("白涛工业园区");
    assert!((num(&y, bt, 2) - 7.64).abs() < 1e-9 && (num(&y, bt, 3) - 8.0).abs() < 1e-9);
    assert!((num(&y, bt, 4) - (8.0 / 7.64 - 1.0)).abs() < 1e-9);
    assert!((num(&y, bt, 5) - 0.04).abs() < 1e-12);
    assert_eq!(cell(&y, bt, 6), "达标");
    assert_eq!(cell(&y, find("涪陵高新区"), 6), "未达标");
    let all = find("全区");
    assert!((num(&y, all, 2) - 5.97).abs() < 1e-9 && (num(&y, all, 3) - 5.45).abs() < 1e-9);

    // Per indicator: 亩均税收 mean 5.97 → 5.45 over 10 firms; 1 improved (10), 2 declined (1, 5).
    let ind = (0..y.height())
        .find(|r| cell(&y, *r, 0) == "亩均税收" && cell(&y, *r, 1) == "万元/亩")
        .unwrap();
    assert_eq!(cell(&y, ind, 2), "10");
    assert!((num(&y, ind, 3) - 5.97).abs() < 1e-9 && (num(&y, ind, 4) - 5.45).abs() < 1e-9);
    assert_eq!((cell(&y, ind, 6), cell(&y, ind, 7)), ("1".into(), "2".into()));

    // 等级变动: firms 1 (B → D), 2 (D → C) and 5 (C → B), by park then code.
    let m = sheet(p, "等级变动");
    assert_eq!(m.height(), 1 + 3);
    let moved: Vec<(String, String, String, String)> =
        (1..4).map(|r| (cell(&m, r, 2), cell(&m, r, 4), cell(&m, r, 5), cell(&m, r, 6))).collect();
    assert_eq!(
        moved,
        [
            (code(1), "B".into(), "D".into(), "降档".into()),
            (code(2), "D".into(), "C".into(), "升档".into()),
            (code(5), "C".into(), "B".into(), "升档".into())
        ]
    );
    assert!((num(&m, 1, 7) - 69.0).abs() < 1e-9 && (num(&m, 1, 9) - (30.0 - 69.0)).abs() < 1e-9);

    // The CSV gives the same comparison, cell for cell.
    for s in ["年度对比", "等级变动"] {
        let (x, c) = (sheet(p, s), sheet(&from_csv.workbook, s));
        assert_eq!(x.height(), c.height(), "{s}");
        for r in (1..x.height()).filter(|r| !(s == "年度对比" && *r == 1)) {
            for k in 0..x.width() {
                assert_eq!(cell(&x, r, k), cell(&c, r, k), "{s} ({r},{k})");
            }
        }
    }

    // The park workbook shows who moved and the growth against the target.
    let gx = &from_xlsx.parks[0];
    assert_eq!(
        open(gx).sheet_names(),
        [
            "园区概况",
            "企业名单",
            "政策措施",
            "评价明细",
            "预警名单",
            "公示名单",
            "等级变动",
            "年度对比",
            "未参评"
        ]
    );
    let f = sheet(gx, "企业名单");
    let r1 = row_where(&f, col(&f, 0, "统一社会信用代码"), &code(1));
    assert_eq!(
        (cell(&f, r1, col(&f, 0, "上年等级")), cell(&f, r1, col(&f, 0, "等级变动"))),
        ("B".into(), "降档".into())
    );
    assert_eq!(sheet(gx, "等级变动").height(), 1 + 3);
    assert_eq!(sheet(&from_xlsx.parks[1], "等级变动").height(), 1);
    let o = sheet(gx, "园区概况");
    let r = (0..o.height())
        .find(|r| cell(&o, *r, 0) == "涪陵高新区" && cell(&o, *r, 1) == "亩均税收")
        .unwrap();
    assert_eq!(cell(&o, r, 6), "未达标");
}

#[test]
fn a_file_that_is_not_our_output_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cur = evaluate_fixture(&dir.path().join("data"), 2025, tax_of);
    let bad = write_file(dir.path(), "x.csv", "a,b\n1,2\n");
    let e = mujun::report::read_previous(&bad, &cur).unwrap_err().to_string();
    assert!(e.contains("不是本程序输出的结果 CSV"), "{e}");
    let e = mujun::report::read_previous(&dir.path().join("x.txt"), &cur).unwrap_err().to_string();
    assert!(e.contains("上年结果应为"), "{e}");
}
