//! The year store through the commands: `evaluate` records its run, the stored results are the
//! published CSV byte for byte, a 定稿 run of the year before is the comparison without
//! `--previous`, `history` shows a rename and a park move, `--no-store` leaves no store.

use std::path::Path;

use calamine::Reader;

use crate::report_common::*;

/// Two fixture years in `dir`: 2024 (previous taxes) and 2025, firm 4 renamed and moved to
/// 白涛工业园区 in 2025; their rule files r2024.toml and r2025.toml.
fn two_years(dir: &Path) {
    let prev: Vec<Firm> = firms_with(|n| 5.0 * n as f64);
    let mut cur = firms_with(tax_of);
    cur[3].name = "更名后的新材料有限公司".into();
    cur[3].park = "白涛工业园区".into();
    for (year, firms) in [(2024, prev), (2025, cur)] {
        let data = dir.join(format!("d{year}"));
        std::fs::create_dir_all(&data).unwrap();
        write_fixture(&data, &firms);
        std::fs::write(dir.join(format!("r{year}.toml")), rules_toml(year)).unwrap();
    }
}

fn evaluate(dir: &Path, year: i32, out: &str, more: &[&str]) -> String {
    let (r, d) = (format!("r{year}.toml"), format!("d{year}"));
    let mut args = vec!["evaluate", "--rules", &r, "--data", &d, "--out", out];
    args.extend(more);
    let (code, text) = mujun_in(dir, &args);
    assert_eq!(code, 0, "{text}");
    text
}

#[test]
fn evaluate_records_its_run_and_the_stored_results_are_the_csv_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    two_years(dir.path());
    let text = evaluate(dir.path(), 2025, "o1", &[]);
    assert!(text.contains("已记入评价数据库 mujun.db：第 1 号评价（草稿）"), "{text}");
    let store = mujun::store::Store::open_existing(&dir.path().join("mujun.db")).unwrap();
    let csv = std::fs::read(dir.path().join("o1/2025年度亩均效益评价结果.csv")).unwrap();
    assert_eq!(store.results_csv(1).unwrap(), csv);
    let run = store.run(1).unwrap();
    // Firms 1–10 and firm 20: 10 evaluated (firm 3 vetoed is still evaluated), 1 not.
    assert_eq!(
        (run.year, run.status.as_str(), run.evaluated, run.not_evaluated),
        (2025, "草稿", 10, 1)
    );
    let (code, list) = mujun_in(dir.path(), &["runs"]);
    assert_eq!(code, 0);
    assert!(list.contains("第 1 号  2025年度  草稿"), "{list}");
}

#[test]
fn a_final_run_of_the_year_before_is_the_comparison_without_previous() {
    let dir = tempfile::tempdir().unwrap();
    two_years(dir.path());
    evaluate(dir.path(), 2024, "o2024", &[]);
    let (code, text) = mujun_in(dir.path(), &["runs", "finalize", "1"]);
    assert_eq!(code, 0, "{text}");
    // From the store, and from the 2024 CSV given by hand (without the store).
    evaluate(dir.path(), 2025, "from_store", &[]);
    let csv = "o2024/2024年度亩均效益评价结果.csv";
    evaluate(dir.path(), 2025, "from_file", &["--no-store", "--previous", csv]);
    let book = |o: &str| dir.path().join(o).join("2025年度亩均效益评价结果.xlsx");
    let (a, b) = (sheet(&book("from_store"), "年度对比"), sheet(&book("from_file"), "年度对比"));
    assert_eq!(cell(&a, 1, 1), "评价数据库 mujun.db 第 1 号评价（2024年度定稿）");
    assert!(cell(&b, 1, 1).ends_with("2024年度亩均效益评价结果.csv"));
    // Every other cell agrees: the same previous year either way.
    assert_eq!((a.height(), a.width()), (b.height(), b.width()));
    for r in (0..a.height()).filter(|&r| r != 1) {
        for c in 0..a.width() {
            assert_eq!(cell(&a, r, c), cell(&b, r, c), "({r},{c})");
        }
    }
    // A draft of 2024 is not a previous year: only the 定稿 run counts.
    let other = tempfile::tempdir().unwrap();
    two_years(other.path());
    evaluate(other.path(), 2024, "o2024", &[]);
    evaluate(other.path(), 2025, "o2025", &[]);
    let names = open(&other.path().join("o2025/2025年度亩均效益评价结果.xlsx")).sheet_names();
    assert!(!names.iter().any(|n| n == "年度对比"), "{names:?}");
}

/// The text of `line` from display column `w` on (a CJK character is two columns wide).
fn from_column(line: &str, w: usize) -> &str {
    let mut at = 0;
    for (i, c) in line.char_indices() {
        if at >= w {
            return &line[i..];
        }
        at += mujun::sheet::table::text_width(c.encode_utf8(&mut [0; 4]));
    }
    ""
}

#[test]
fn history_shows_each_year_with_a_rename_and_a_park_move() {
    let dir = tempfile::tempdir().unwrap();
    two_years(dir.path());
    evaluate(dir.path(), 2024, "o2024", &[]);
    mujun_in(dir.path(), &["runs", "finalize", "1"]);
    evaluate(dir.path(), 2025, "o2025", &[]);
    let (code, text) = mujun_in(dir.path(), &["history", "更名后的新材料"]);
    assert_eq!(code, 0, "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("更名后的新材料有限公司（"), "{text}");
    assert!(lines.iter().any(|l| l.starts_with("2024  定稿")), "{text}");
    assert!(lines.iter().any(|l| l.starts_with("2025  草稿")), "{text}");
    assert!(
        text.contains("名称变更：2024 年「+86有限公司」→ 2025 年「更名后的新材料有限公司」"),
        "{text}"
    );
    assert!(text.contains("园区变更：2024 年 涪陵高新区 → 2025 年 白涛工业园区"), "{text}");
    // Land: 10 亩 自有 in both years.
    assert!(text.contains("2025 年用地：渝(2015)涪陵区不动产权第000004号 自有 10.00 亩"), "{text}");
    // Indicators by the names and units of each year's rule file, never by id: 亩均税收 of firm
    // 4 is 5 × 4 = 20 万元 ÷ 10 亩 = 2 in 2024 and 10 × 4 = 40 ÷ 10 = 4 in 2025.
    assert!(!text.contains("tax_per_mu") && !text.contains("va_per_mu"), "{text}");
    let head = lines.iter().position(|l| l.starts_with("指标  ")).expect("indicator table");
    let tax = lines.iter().find(|l| l.starts_with("亩均税收(万元/亩)")).expect("亩均税收 row");
    assert_eq!(tax.split_whitespace().collect::<Vec<_>>(), ["亩均税收(万元/亩)", "2", "4"]);
    assert!(text.contains("亩均增加值(万元/亩)"), "{text}");
    // Aligned by display width (a CJK character counts 2): the 2024 value under 2024年度, each
    // year's total under 总分.
    let width = |l: &str, at: &str| mujun::sheet::table::text_width(&l[..l.find(at).unwrap()]);
    assert!(from_column(tax, width(lines[head], "2024年度")).starts_with("2 "), "{text}");
    let table = lines.iter().position(|l| l.starts_with("年度  状态")).expect("year table");
    let total = width(lines[table], "总分");
    for l in &lines[table + 1..table + 3] {
        let t = from_column(l, total).split_whitespace().next().unwrap_or("");
        assert!(t.parse::<f64>().is_ok(), "{l}");
    }
    let (code, text) = mujun_in(dir.path(), &["history", "不存在的企业"]);
    assert_eq!(code, 8);
    assert!(text.contains("数据库中没有统一社会信用代码或名称为「不存在的企业」的企业"), "{text}");
}

#[test]
fn no_store_records_nothing_and_a_foreign_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    two_years(dir.path());
    let text = evaluate(dir.path(), 2025, "o", &["--no-store"]);
    assert!(!text.contains("评价数据库"), "{text}");
    assert!(!dir.path().join("mujun.db").exists());
    // A file that is not a store: the run stops before any work, the file is left as it was.
    std::fs::write(dir.path().join("别的.db"), b"not a database, just text").unwrap();
    let (code, text) = mujun_in(
        dir.path(),
        &[
            "evaluate",
            "--rules",
            "r2025.toml",
            "--data",
            "d2025",
            "--out",
            "o2",
            "--store",
            "别的.db",
        ],
    );
    assert_eq!(code, 8, "{text}");
    assert!(text.contains("数据库文件 别的.db 已损坏或不是数据库文件，未作任何改动"), "{text}");
    assert_eq!(std::fs::read(dir.path().join("别的.db")).unwrap(), b"not a database, just text");
    assert!(!dir.path().join("o2/2025年度亩均效益评价结果.csv").exists());
}

/// Every file under `dir` (relative path → bytes), mujun's own lock left out.
fn files_of(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if !p.ends_with(mujun::publish::LOCK) {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn export_writes_a_runs_published_files_again_byte_for_byte_into_a_new_folder_only() {
    let dir = tempfile::tempdir().unwrap();
    two_years(dir.path());
    evaluate(dir.path(), 2025, "o1", &[]);
    let (code, text) = mujun_in(dir.path(), &["export", "--run", "1", "--out", "导出/第1次"]);
    assert_eq!(code, 0, "{text}");
    let (published, exported) =
        (files_of(&dir.path().join("o1")), files_of(&dir.path().join("导出/第1次")));
    // The workbook, two park workbooks, CSV, JSON and the manifest.
    assert_eq!(published.len(), 6, "{:?}", published.keys());
    assert!(published.contains_key("园区/2025年度亩均效益评价_白涛工业园区.xlsx"));
    assert!(exported == published, "{:?} vs {:?}", exported.keys(), published.keys());
    assert!(text.contains("的 6 个输出文件已导出到：导出/第1次"), "{text}");
    // A folder that holds anything is refused and left as it was; an empty one is filled.
    std::fs::write(dir.path().join("o1/备注.txt"), "我的笔记").unwrap();
    let (code, text) = mujun_in(dir.path(), &["export", "--run", "1", "--out", "o1"]);
    assert_eq!(code, 8, "{text}");
    assert!(text.contains("导出目录 o1 中已有文件"), "{text}");
    assert_eq!(files_of(&dir.path().join("o1")).len(), 7);
    std::fs::create_dir(dir.path().join("空目录")).unwrap();
    let (code, text) = mujun_in(dir.path(), &["export", "--run", "1", "--out", "空目录"]);
    assert_eq!(code, 0, "{text}");
    assert!(files_of(&dir.path().join("空目录")) == published);
    let (code, text) = mujun_in(dir.path(), &["export", "--run", "2", "--out", "无"]);
    assert_eq!(code, 8, "{text}");
    assert!(text.contains("没有第 2 号评价记录"), "{text}");
    // Each export is in the audit log.
    let store = mujun::store::Store::open_existing(&dir.path().join("mujun.db")).unwrap();
    let actions: Vec<String> = store.audit_log().unwrap().into_iter().map(|a| a.2).collect();
    assert_eq!(actions, ["记录评价", "导出", "导出"]);
}

#[test]
fn an_imported_results_csv_is_a_final_year_that_history_and_the_next_evaluate_use() {
    let dir = tempfile::tempdir().unwrap();
    two_years(dir.path());
    evaluate(dir.path(), 2024, "o2024", &["--no-store"]);
    let csv = "o2024/2024年度亩均效益评价结果.csv";
    let import = ["store", "import", csv, "--scheme", "报告测试", "--data", "d2024"];
    let (code, text) = mujun_in(dir.path(), &import);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("第 1 号评价，2024年度「报告测试」定稿，参评 10 家，未参评 1 家"),
        "{text}"
    );
    let db = dir.path().join("mujun.db");
    let store = mujun::store::Store::open_existing(&db).unwrap();
    assert_eq!(store.results_csv(1).unwrap(), std::fs::read(dir.path().join(csv)).unwrap());
    assert_eq!(store.run(1).unwrap().status, "定稿");
    assert_eq!(store.audit_log().unwrap()[0].2, "导入");
    drop(store);
    // The year before without --previous, as a 定稿 run evaluated here would be.
    evaluate(dir.path(), 2025, "o2025", &[]);
    let yoy = sheet(&dir.path().join("o2025/2025年度亩均效益评价结果.xlsx"), "年度对比");
    assert_eq!(cell(&yoy, 1, 1), "评价数据库 mujun.db 第 1 号评价（2024年度定稿）");
    let (code, text) = mujun_in(dir.path(), &["history", "更名后的新材料"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.lines().any(|l| l.starts_with("2024  定稿")), "{text}");
    assert!(text.contains("园区变更：2024 年 涪陵高新区 → 2025 年 白涛工业园区"), "{text}");
    // The land of 2024 came from its data folder.
    assert!(text.contains("2024 年用地：渝(2015)涪陵区不动产权第000004号 自有 10.00 亩"), "{text}");
    // The year and scheme have their 定稿 now: a second import is refused, nothing added.
    let (code, text) = mujun_in(dir.path(), &import);
    assert_eq!(code, 8, "{text}");
    assert!(text.contains("2024年度「报告测试」已有定稿的第 1 号评价"), "{text}");
    let store = mujun::store::Store::open_existing(&db).unwrap();
    assert_eq!(store.runs().unwrap().len(), 2);
}
