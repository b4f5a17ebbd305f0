//! `mujun store import` of mujun's own results workbook: the year enters the store as a 定稿 run
//! under the scheme its 规则 sheet names, with each firm's tier and total as the workbook shows
//! them; the next `evaluate` compares with it; a workbook and the CSV of the same run store the
//! same; a foreign workbook, a contradicting `--scheme`, a CSV without `--scheme` and one bad
//! file among two are refused with nothing recorded.
//!
//! The 2024 fixture (report_common): firms 1–10 on 10 亩 with value added 300 and 增值税 10 n
//! (firm 5: 45). 亩均税收 = tax / 10 scores (tax / 10) ÷ 10 × 60, 亩均增加值 = 30 scores
//! 30 ÷ 50 × 40 = 24, so the total is 6 n + 24 (firm 5: 4.5 × 6 + 24 = 51). Ranked 84 (10),
//! 78 (9), 72 (8), 66 (7), 60 (6), 51 (5), 48 (4), 42 (3), 36 (2), 30 (1); quota 20/60/90 % of
//! 10: A = 10, 9; B = 8, 7, 6, 5; C = 4, 3, 2; D = 1; firm 3 is vetoed to D. Firm 20 (2 亩) is
//! not evaluated.

use std::path::Path;

use mujun::store::{HistoryYear, Store};

use crate::report_common::*;

const BOOK: &str = "o2024/2024年度亩均效益评价结果.xlsx";
const CSV: &str = "o2024/2024年度亩均效益评价结果.csv";

/// Write the fixture of `year` (tax per firm from `tax`) as d<year> and r<year>.toml in `dir`.
fn year(dir: &Path, year: i32, tax: impl Fn(u32) -> f64) {
    let data = dir.join(format!("d{year}"));
    std::fs::create_dir_all(&data).unwrap();
    write_fixture(&data, &firms_with(tax));
    std::fs::write(dir.join(format!("r{year}.toml")), rules_toml(year)).unwrap();
}

/// Evaluate `year` into o<year>, with `more` options.
fn evaluate(dir: &Path, year: i32, more: &[&str]) {
    let (r, d, o) = (format!("r{year}.toml"), format!("d{year}"), format!("o{year}"));
    let mut args = vec!["evaluate", "--rules", &r, "--data", &d, "--out", &o];
    args.extend(more);
    let (rc, text) = mujun_in(dir, &args);
    assert_eq!(rc, 0, "{text}");
}

/// The 2024 fixture evaluated without a store: its workbook and CSV in o2024.
fn evaluated_2024() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    year(dir.path(), 2024, tax_of);
    evaluate(dir.path(), 2024, &["--no-store"]);
    dir
}

/// Firm `n`'s one year in the store at `db`.
fn year_of(db: &Path, n: u32) -> HistoryYear {
    let years = Store::open_existing(db).unwrap().history(&code(n), None).unwrap();
    assert_eq!(years.len(), 1, "firm {n}: {years:?}");
    years.into_iter().next().unwrap()
}

#[test]
fn a_results_workbook_enters_the_store_as_the_final_year_with_the_tiers_and_totals_it_shows() {
    let dir = evaluated_2024();
    // No --scheme: the workbook's 规则 sheet names the scheme (报告测试) and the year.
    let (rc, text) = mujun_in(dir.path(), &["store", "import", BOOK]);
    assert_eq!(rc, 0, "{text}");
    assert!(
        text.contains("第 1 号评价，2024年度「报告测试」定稿，参评 10 家，未参评 1 家"),
        "{text}"
    );
    let (rc, list) = mujun_in(dir.path(), &["runs"]);
    assert_eq!(rc, 0, "{list}");
    assert!(list.contains("第 1 号  2024年度  定稿  报告测试"), "{list}");
    assert!(list.contains("参评 10 家，未参评 1 家；A 2，B 4，C 2，D 2；输入文件 1 个"), "{list}");
    let db = dir.path().join("mujun.db");
    // Firm 10: 6 × 10 + 24 = 84, A. Firm 5: 4.5 × 6 + 24 = 51, sixth of ten, B. Firm 3:
    // 6 × 3 + 24 = 42, eighth (C by score), vetoed to D. Firm 20: not evaluated, no tier.
    for (n, tier, total) in [(10, "A", 84.0), (5, "B", 51.0), (3, "D", 42.0)] {
        let y = year_of(&db, n);
        assert_eq!((y.year, y.status.as_str(), y.evaluated), (2024, "定稿", true), "firm {n}");
        assert_eq!((y.tier.as_deref(), y.total), (Some(tier), Some(total)), "firm {n}");
    }
    let small = year_of(&db, 20);
    assert_eq!((small.evaluated, small.tier, small.total), (false, None, None));
    // The CLI shows the same: firm 5 in 2024, 定稿, B, 51.00, 6th of 10.
    let (rc, text) = mujun_in(dir.path(), &["history", &code(5)]);
    assert_eq!(rc, 0, "{text}");
    let row = |l: &str| l.split_whitespace().take(5).collect::<Vec<_>>().join(" ");
    assert!(text.lines().any(|l| row(l) == "2024 定稿 B 51.00 6/10"), "{text}");
}

#[test]
fn the_next_evaluate_compares_with_the_imported_workbook_without_previous() {
    let dir = evaluated_2024();
    let (rc, text) = mujun_in(dir.path(), &["store", "import", BOOK]);
    assert_eq!(rc, 0, "{text}");
    // 2025: as 2024, but firm 1 pays 95: 9.5 × 6 + 24 = 81, second after firm 10 (84). Ranked
    // 10, 1, 9, 8, 7, 6, 5, 4, 3, 2: A = 10, 1; B = 9, 8, 7, 6; C = 5, 4, 3 (vetoed: D); D = 2.
    year(dir.path(), 2025, |n| if n == 1 { 95.0 } else { tax_of(n) });
    evaluate(dir.path(), 2025, &[]);
    let book = dir.path().join("o2025/2025年度亩均效益评价结果.xlsx");
    let yoy = sheet(&book, "年度对比");
    assert_eq!(cell(&yoy, 1, 1), "评价数据库 mujun.db 第 1 号评价（2024年度定稿）");
    // 等级变动 shows last year's tier and total from the store: firm 1 D (30) → A (81), firm 5
    // B (51) → C (51), firm 9 A (78) → B, firm 2 C (36) → D.
    let m = sheet(&book, "等级变动");
    let [c_code, c_prev, c_now, c_total] =
        ["统一社会信用代码", "上年等级", "本年等级", "上年总分"].map(|h| col(&m, 0, h));
    let moved = |n: u32| {
        let r = row_where(&m, c_code, &code(n));
        (cell(&m, r, c_prev), cell(&m, r, c_now), num(&m, r, c_total))
    };
    assert_eq!(moved(1), ("D".into(), "A".into(), 30.0));
    assert_eq!(moved(5), ("B".into(), "C".into(), 51.0));
    assert_eq!(moved(9), ("A".into(), "B".into(), 78.0));
    assert_eq!(moved(2), ("C".into(), "D".into(), 36.0));
    assert_eq!(m.height(), 1 + 4, "no other firm moved");
}

/// The records of a results CSV: (header, rows), the formula guard left on.
fn records(csv: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(csv);
    let mut all = r.records().map(|x| x.unwrap().iter().map(str::to_string).collect::<Vec<_>>());
    let mut head = all.next().unwrap();
    head[0] = head[0].trim_start_matches('\u{feff}').to_string();
    (head, all.collect())
}

#[test]
fn a_workbook_and_the_csv_of_the_same_run_store_the_same_tiers_and_totals() {
    let dir = evaluated_2024();
    let (rc, text) = mujun_in(dir.path(), &["store", "import", BOOK, "--store", "a.db"]);
    assert_eq!(rc, 0, "{text}");
    let args = ["store", "import", CSV, "--scheme", "报告测试", "--store", "b.db"];
    let (rc, text) = mujun_in(dir.path(), &args);
    assert_eq!(rc, 0, "{text}");
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    for n in (1..=10).chain([20]) {
        let (x, y) = (year_of(&a, n), year_of(&b, n));
        let key = |y: &HistoryYear| (y.evaluated, y.tier.clone(), y.total, y.name.clone());
        assert_eq!(key(&x), key(&y), "firm {n}");
    }
    // The workbook's CSV is the engine's CSV cut to the columns the workbook has: its header a
    // part of the engine's in the same order, each field as the engine wrote it.
    let (wb, csv) = (
        records(&Store::open_existing(&a).unwrap().results_csv(1).unwrap()),
        records(&Store::open_existing(&b).unwrap().results_csv(1).unwrap()),
    );
    let at: Vec<usize> = wb.0.iter().map(|h| csv.0.iter().position(|k| k == h).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{:?} in {:?}", wb.0, csv.0);
    for h in ["year", "status", "code", "name", "tier", "total", "tax_per_mu.value", "land_mu"] {
        assert!(wb.0.iter().any(|k| k == h), "{h} in {:?}", wb.0);
    }
    assert_eq!(wb.1.len(), csv.1.len());
    for (r, (x, y)) in wb.1.iter().zip(&csv.1).enumerate() {
        let cut: Vec<&String> = at.iter().map(|&c| &y[c]).collect();
        assert_eq!(x.iter().collect::<Vec<_>>(), cut, "line {}", r + 2);
    }
    // Firm 2's name starts with = and is guarded in both: "'=HYPERLINK(""x"")有限公司".
    assert!(wb.1.iter().any(|l| l[3] == "'=HYPERLINK(\"x\")有限公司"), "{:?}", wb.1);
}

#[test]
fn a_foreign_workbook_a_contradicting_scheme_and_a_csv_without_scheme_are_refused() {
    let dir = evaluated_2024();
    let db = dir.path().join("mujun.db");
    // A park workbook has no 规则 sheet: it is not the bureau's results workbook.
    let park = "o2024/园区/2024年度亩均效益评价_白涛工业园区.xlsx";
    let (rc, text) = mujun_in(dir.path(), &["store", "import", park]);
    assert_eq!(rc, 8, "{text}");
    assert!(text.contains("2024年度亩均效益评价_白涛工业园区.xlsx"), "{text}");
    assert!(text.contains("没有工作表「规则」，不是本程序输出的全区结果工作簿"), "{text}");
    let (rc, text) = mujun_in(dir.path(), &["store", "import", BOOK, "--scheme", "别的方案"]);
    assert_eq!(rc, 8, "{text}");
    assert!(text.contains("工作表「规则」"), "{text}");
    assert!(text.contains("--scheme「别的方案」与第"), "{text}");
    assert!(text.contains("的方案名称「报告测试」不同"), "{text}");
    let (rc, text) = mujun_in(dir.path(), &["store", "import", CSV]);
    assert_eq!(rc, 8, "{text}");
    assert!(text.contains("2024年度亩均效益评价结果.csv：结果 CSV 中没有规则方案名称"), "{text}");
    assert!(text.contains("须用 --scheme 写明"), "{text}");
    // A workbook that is not there is said to be missing, not broken.
    let (rc, text) =
        mujun_in(dir.path(), &["store", "import", "o2024/2023年度亩均效益评价结果.xlsx"]);
    assert_eq!(rc, 8, "{text}");
    assert!(
        text.contains("无法读取 o2024/2023年度亩均效益评价结果.xlsx：文件或目录不存在"),
        "{text}"
    );
    assert!(!db.exists(), "nothing recorded, no store made");
    // The scheme the workbook names, given again, is accepted.
    let (rc, text) = mujun_in(dir.path(), &["store", "import", BOOK, "--scheme", "报告测试"]);
    assert_eq!(rc, 0, "{text}");
}

/// A workbook with the sheets mujun's has, laid out as mujun lays them, one firm whose 总分
/// reads 八十.
fn bad_number_workbook(path: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let res = wb.add_worksheet().set_name("评价结果").unwrap();
    for (c, h) in ["统一社会信用代码", "等级", "总分"].iter().enumerate() {
        res.write_string(0, c as u16, *h).unwrap();
    }
    res.write_string(1, 0, code(1)).unwrap();
    res.write_string(1, 1, "A").unwrap();
    res.write_string(1, 2, "八十").unwrap();
    let rules = wb.add_worksheet().set_name("规则").unwrap();
    rules.write_string(0, 0, "规则文件").unwrap();
    for (r, (k, v)) in [("名称", "报告测试"), ("评价年度", "2023")].iter().enumerate() {
        rules.write_string(r as u32 + 1, 0, *k).unwrap();
        rules.write_string(r as u32 + 1, 1, *v).unwrap();
    }
    rules.write_string(4, 0, "评价组与指标").unwrap();
    for (c, h) in ["评价组", "条件", "指标", "编号"].iter().enumerate() {
        rules.write_string(5, c as u16, *h).unwrap();
    }
    for (c, v) in ["规上企业", "", "亩均税收", "tax_per_mu"].iter().enumerate() {
        rules.write_string(6, c as u16, *v).unwrap();
    }
    wb.save(path).unwrap();
}

#[test]
fn one_bad_file_among_two_leaves_the_store_without_either() {
    let dir = evaluated_2024();
    let db = dir.path().join("mujun.db");
    bad_number_workbook(&dir.path().join("2023.xlsx"));
    let (rc, text) = mujun_in(dir.path(), &["store", "import", BOOK, "2023.xlsx"]);
    assert_eq!(rc, 8, "{text}");
    assert!(
        text.contains("2023.xlsx 工作表「评价结果」：第2行「总分」列：「八十」不是数值"),
        "{text}"
    );
    assert!(text.contains("未导入"), "{text}");
    assert!(!db.exists(), "{text}");
    // Both read, the second refused while recording (the same year and scheme twice): the
    // first is rolled back with it.
    let args = ["store", "import", BOOK, CSV, "--scheme", "报告测试"];
    let (rc, text) = mujun_in(dir.path(), &args);
    assert_eq!(rc, 8, "{text}");
    assert!(text.contains("2024年度「报告测试」已有定稿的第 1 号评价"), "{text}");
    assert!(Store::open_existing(&db).unwrap().runs().unwrap().is_empty());
}
