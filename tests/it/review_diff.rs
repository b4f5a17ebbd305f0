//! 复核对比 (`mujun diff`): a hand-built year evaluated twice — once as delivered, once with two
//! land areas corrected and one event added — and every firm whose total, rank or tier moved
//! listed with the cause worked out by hand below.
//!
//! 规上 (G1–G5): one indicator, 亩均税收 = 税收 ÷ 用地, item = value ÷ group mean × 100, quota
//! 20/60/90 % rounded down: A rank ≤ ⌊0.2·5⌋ = 1, B ≤ ⌊0.6·5⌋ = 3, C ≤ ⌊0.9·5⌋ = 4, D rank 5.
//!   as delivered: values 10, 8, 6, 4, 2 (tax 100, 80, 60, 40, 20 on 10 亩 each); mean 30/5 = 6;
//!     totals 166.67, 133.33, 100, 66.67, 33.33; tiers A B B C D.
//!   corrected: G1's land 10 → 20 亩, value 100/20 = 5; values 5, 8, 6, 4, 2, mean 25/5 = 5;
//!     totals G1 100, G2 160, G3 120, G4 80, G5 40; ranks G2 1, G3 2, G1 3, G4 4, G5 5;
//!     G4 also gets a 重大安全事故 (veto): tier by score C, final D.
//!   So G1: own data (land, value) and benchmark 6 → 5; G2–G5: benchmark; G4 also events.
//! 规下 (X1–X5): the same indicator against a fixed benchmark 10: total = value × 10; firms
//! under 3 亩 are not evaluated.
//!   as delivered: X1–X4 values 9, 7, 5, 3 (totals 90, 70, 50, 30); X5 on 2 亩 not evaluated;
//!     4 ranked: A ≤ ⌊0.8⌋ = 0, B ≤ ⌊2.4⌋ = 2, C ≤ ⌊3.6⌋ = 3: X1 B, X2 B, X3 C, X4 D.
//!   corrected: X5's land 2 → 4 亩: value 24/4 = 6, total 60, evaluated; 5 ranked: A ≤ 1,
//!     B ≤ 3, C ≤ 4: X1 A (rank 1), X2 B (2), X5 B (3), X3 C (4), X4 D (5).
//!   So X1: total and rank unchanged, population 4 → 5, B → A (crossed a cut); X3 rank 3 → 4
//!   and X4 4 → 5 (boundary, no tier change); X2 (total, rank 2 and tier B unchanged) is not
//!   listed; X5 entered.
//! Listed: G1–G5, X1, X3, X4, X5 = 9 firms. Per cause: own data 1, benchmark 5, boundary 3,
//! events 1, entry 1, other 0 — 11 = 9 + 2 (G1 and G4 have two causes each).

use std::path::Path;

use calamine::Reader;

use crate::report_common::{cell, code, mujun_in, sheet, write_file, write_year, Firm};

pub const RULES: &str = r#"
[meta]
name = "复核测试"
year = 2024

[land]
modes = { "自有" = 1.0 }

[tax]
include = ["增值税"]

[[scope.exclude]]
when = "land_mu < 3"
reason = "用地不足3亩"

[[groups]]
id = "gs"
name = "规上企业"
when = "scale = '规上'"

[[groups.indicators]]
id = "tax_per_mu"
name = "亩均税收"
formula = "tax / land_mu"
unit = "万元/亩"
weight = 100
benchmark = { stat = "mean", over = "group" }
cap_times_weight = 10.0

[[groups]]
id = "gx"
name = "规下企业"
when = "scale = '规下'"

[[groups.indicators]]
id = "tax_per_mu"
name = "亩均税收"
formula = "tax / land_mu"
unit = "万元/亩"
weight = 100
benchmark = { value = 10 }
cap_times_weight = 10.0

[[events.items]]
event = "重大安全事故"
kind = "veto"

[tiers]
labels = ["A", "B", "C", "D"]
quota = [0.2, 0.6, 0.9]
"#;

/// G1–G5 are firms 1–5 (规上), X1–X5 firms 11–15 (规下).
pub fn year(corrected: bool) -> Vec<Firm> {
    let mut firms = Vec::new();
    for (i, tax) in [100.0, 80.0, 60.0, 40.0, 20.0].into_iter().enumerate() {
        let mut f = Firm::new(1 + i as u32, "规上");
        f.tax = Some(tax);
        f.land = Some(if corrected && i == 0 { 20.0 } else { 10.0 });
        if corrected && i == 3 {
            f.events = vec!["重大安全事故".into()];
        }
        firms.push(f);
    }
    for (i, (tax, land)) in [(90.0, 10.0), (70.0, 10.0), (50.0, 10.0), (30.0, 10.0), (24.0, 2.0)]
        .into_iter()
        .enumerate()
    {
        let mut f = Firm::new(11 + i as u32, "规下");
        f.tax = Some(tax);
        f.land = Some(if corrected && i == 4 { 4.0 } else { land });
        firms.push(f);
    }
    firms
}

/// Both years evaluated into the store mujun.db of `dir` (runs 1 and 2).
fn two_runs(dir: &Path) {
    write_file(dir, "rules.toml", RULES);
    for (k, corrected) in [(1, false), (2, true)] {
        let data = dir.join(format!("d{k}"));
        std::fs::create_dir_all(&data).unwrap();
        write_year(&data, &year(corrected));
        let (d, o) = (format!("d{k}"), format!("o{k}"));
        let (status, text) =
            mujun_in(dir, &["evaluate", "--rules", "rules.toml", "--data", &d, "--out", &o]);
        assert_eq!(status, 0, "{text}");
    }
}

/// The printed block of firm `n`: its line and the indented lines under it.
fn block(text: &str, n: u32) -> String {
    let c = code(n);
    let mut lines = text.lines().skip_while(|l| !l.starts_with(&c));
    let first = lines.next().unwrap_or_else(|| panic!("{c} is not listed:\n{text}"));
    let rest: Vec<&str> = lines.take_while(|l| l.starts_with("    ")).collect();
    format!("{first}\n{}", rest.join("\n"))
}

#[test]
fn a_corrected_land_area_lists_each_moved_firm_with_its_cause() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    two_runs(dir);
    let (status, text) = mujun_in(dir, &["diff", "1", "2", "--out", "cmp"]);
    assert_eq!(status, 0, "{text}");
    // The summary, reconciled: 9 listed; 1 + 5 + 3 + 1 + 1 + 0 = 11 = 7 × 1 + 2 × 2.
    for line in [
        "参评企业（任一次评价）：10 家",
        "总分、名次或等级有变化：9 家",
        "（1）本企业数据更正：1 家",
        "（2）基准值变化：5 家",
        "（3）名次或排名人数变化：3 家",
        "（4）加减分事项或调档变化：1 家",
        "（5）进入或退出评价：1 家",
        "（6）其他：0 家",
        "有 1 个原因的企业：7 家",
        "有 2 个原因的企业：2 家",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    // G1: land 10 → 20, value 10 → 5, and the mean 6 → 5; total 166.67 → 100, A → B.
    let g1 = block(&text, 1);
    assert!(g1.contains("总分 166.67，名次 1/5，A 档 → 总分 100，名次 3/5，B 档"), "{g1}");
    assert!(g1.contains("（1）本企业数据更正：") && g1.contains("10 → 20"), "{g1}");
    assert!(g1.contains("亩均税收（指标值） 10 → 5"), "{g1}");
    assert!(g1.contains("（2）基准值变化：基准值：亩均税收 6 → 5"), "{g1}");
    // Its item: 10 ÷ 6 × 100 = 166.6667 (four decimals shown) → 5 ÷ 5 × 100 = 100.
    assert!(g1.contains("指标得分：亩均税收 166.6667 → 100"), "{g1}");
    // G2: only the benchmark moved (its own 8 stayed): 133.33 → 160, B → A.
    let g2 = block(&text, 2);
    assert!(g2.contains("→ 总分 160，名次 1/5，A 档") && g2.contains("（2）基准值变化"), "{g2}");
    assert!(!g2.contains("（1）"), "{g2}");
    // G4: benchmark (66.67 → 80) and the veto: tier by score C both times, final C → D.
    let g4 = block(&text, 4);
    assert!(g4.contains("（2）基准值变化") && g4.contains("（4）加减分事项或调档变化"), "{g4}");
    assert!(g4.contains("事项调整后等级 C → D"), "{g4}");
    // X1: 90 points and rank 1 both times; 4 → 5 ranked moves the A cut from 0 to 1.
    let x1 = block(&text, 11);
    assert!(x1.contains("总分未变，名次 1 → 1，排名人数 4 → 5，越过分档线"), "{x1}");
    // X3: rank 3 → 4, C both times.
    let x3 = block(&text, 13);
    assert!(x3.contains("名次 3 → 4，排名人数 4 → 5") && !x3.contains("越过"), "{x3}");
    // X5: not evaluated (用地不足3亩), then 24 / 4 × 10 = 60 points, rank 3, B.
    let x5 = block(&text, 15);
    assert!(x5.contains("未参评 → 总分 60，名次 3/5，B 档"), "{x5}");
    assert!(x5.contains("新进入评价") && x5.contains("用地不足3亩"), "{x5}");
    // X2: 70 points, rank 2, B both times — never listed.
    assert!(!text.contains(&code(12)), "{text}");

    // The workbook: the summary rows, then one row per listed firm by code.
    let s = sheet(&dir.join("cmp/复核对比.xlsx"), "复核对比");
    assert_eq!(cell(&s, 2, 0), "总分、名次或等级有变化");
    assert_eq!(cell(&s, 2, 1), "9");
    let head = (0..s.height()).find(|&r| cell(&s, r, 0) == "统一社会信用代码").unwrap();
    let codes: Vec<String> = (head + 1..s.height()).map(|r| cell(&s, r, 0)).collect();
    let mut want: Vec<String> = [1, 2, 3, 4, 5, 11, 13, 14, 15].map(code).to_vec();
    want.sort();
    assert_eq!(codes, want);
    let g1_row = head + 1 + want.iter().position(|c| *c == code(1)).unwrap();
    let row: Vec<String> = (0..12).map(|c| cell(&s, g1_row, c)).collect();
    assert_eq!(&row[4..10], ["166.67", "100", "1/5", "3/5", "A", "B"]);
    assert_eq!(row[10], "本企业数据更正、基准值变化");
}

#[test]
fn two_runs_of_different_schemes_or_a_file_that_is_not_results_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    two_runs(dir);
    // The same run twice: nothing listed.
    let (status, text) = mujun_in(dir, &["diff", "1", "1"]);
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("总分、名次或等级有变化：0 家"), "{text}");
    // Another scheme.
    write_file(dir, "other.toml", &RULES.replace("复核测试", "另一方案"));
    let (status, text) =
        mujun_in(dir, &["evaluate", "--rules", "other.toml", "--data", "d1", "--out", "o3"]);
    assert_eq!(status, 0, "{text}");
    let (status, text) = mujun_in(dir, &["diff", "1", "3"]);
    assert_eq!(status, 10, "{text}");
    assert!(text.contains("两次评价的方案不同（「复核测试」与「另一方案」）"), "{text}");
    // A CSV that is not a results CSV, and one that is missing.
    write_file(dir, "x.csv", "a,b\n1,2\n");
    let (status, text) = mujun_in(dir, &["diff", "x.csv", "1"]);
    assert_eq!(status, 10, "{text}");
    assert!(text.contains("x.csv不是评价结果 CSV：缺少列 code"), "{text}");
    let (status, text) = mujun_in(dir, &["diff", "nope.csv", "1"]);
    assert_eq!(status, 10, "{text}");
    assert!(text.contains("无法读取评价结果文件 nope.csv"), "{text}");
    // Two results CSVs as files compare as the runs did.
    let (status, text) = mujun_in(
        dir,
        &["diff", "o1/2024年度亩均效益评价结果.csv", "o2/2024年度亩均效益评价结果.csv"],
    );
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("总分、名次或等级有变化：9 家"), "{text}");
}

#[test]
fn a_run_under_notice_is_corrected_by_a_review_run_whose_workbook_explains_the_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_file(dir, "rules.toml", RULES);
    for (k, corrected) in [(1, false), (2, true)] {
        let data = dir.join(format!("d{k}"));
        std::fs::create_dir_all(&data).unwrap();
        write_year(&data, &year(corrected));
    }
    let eval = |d: &str, o: &str, extra: &[&str]| {
        let mut args = vec!["evaluate", "--rules", "rules.toml", "--data", d, "--out", o];
        args.extend_from_slice(extra);
        mujun_in(dir, &args)
    };
    let (status, text) = eval("d1", "o1", &[]);
    assert_eq!(status, 0, "{text}");
    // A draft cannot be corrected: only a run under notice.
    let (status, text) = eval("d2", "o2", &["--corrects", "1"]);
    assert_eq!(status, 8, "{text}");
    assert!(text.contains("第 1 号评价记录的状态是草稿，复核只能更正公示中的评价"), "{text}");
    assert!(!dir.join("o2/2024年度亩均效益评价结果.xlsx").exists(), "nothing written when refused");
    assert!(!mujun_in(dir, &["runs"]).1.contains("第 2 号"), "nor recorded");
    // A notice period that ends before it starts, or is not a date.
    let notice =
        |from: &str, to: &str| mujun_in(dir, &["runs", "notice", "1", "--from", from, "--to", to]);
    let (status, text) = notice("2025-06-07", "2025-06-01");
    assert_eq!(status, 8, "{text}");
    assert!(text.contains("公示结束日期 2025-06-01 早于开始日期 2025-06-07"), "{text}");
    let (status, text) = notice("6月1日", "2025-06-07");
    assert_eq!(status, 8, "{text}");
    assert!(text.contains("公示开始日期「6月1日」不是日期"), "{text}");
    let (status, text) = notice("2025-06-01", "2025-06-07");
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("已公示，公示期 2025-06-01 至 2025-06-07"), "{text}");
    // Under notice, it cannot be put under notice again.
    let (status, text) = notice("2025-06-01", "2025-06-07");
    assert_eq!(status, 8, "{text}");
    assert!(text.contains("状态是公示，只有草稿可以公示"), "{text}");

    let (status, text) = eval("d2", "o2", &["--corrects", "1"]);
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("第 2 号评价（复核，更正第 1 号评价"), "{text}");
    let (_, runs) = mujun_in(dir, &["runs"]);
    assert!(runs.contains("公示（公示期 2025-06-01 至 2025-06-07）"), "{runs}");
    assert!(runs.contains("复核（更正第 1 号）"), "{runs}");
    // The review run's bureau workbook: 复核对比 with the 9 firms worked out at the top.
    let s = sheet(&dir.join("o2/2024年度亩均效益评价结果.xlsx"), "复核对比");
    assert_eq!(cell(&s, 0, 0), "复核对比：第 1 号评价（2024年度「复核测试」公示） → 本次复核评价");
    assert_eq!(cell(&s, 2, 1), "9");
    let head = (0..s.height()).find(|&r| cell(&s, r, 0) == "统一社会信用代码").unwrap();
    assert_eq!(s.height() as usize - head - 1, 9);
    let x1 = (head..s.height()).find(|&r| cell(&s, r, 0) == code(11)).unwrap();
    assert_eq!(cell(&s, x1, 10), "名次或排名人数变化");
    assert_eq!(cell(&s, x1, 11), "总分未变，名次 1 → 1，排名人数 4 → 5，越过分档线");
    // A draft's workbook has no such sheet.
    let names =
        crate::report_common::open(&dir.join("o1/2024年度亩均效益评价结果.xlsx")).sheet_names();
    assert!(!names.iter().any(|n| n == "复核对比"), "{names:?}");
    // The review run becomes the year's 定稿.
    let (status, text) = mujun_in(dir, &["runs", "finalize", "2"]);
    assert_eq!(status, 0, "{text}");
    let (_, log) = mujun_in(dir, &["runs"]);
    assert!(log.contains("第 2 号  2024年度  定稿"), "{log}");
}

#[test]
fn runs_notice_without_dates_takes_the_period_the_rule_file_prints() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let with = format!("{RULES}\n[notice]\nfrom = \"2024-06-01\"\nto = \"2024-06-07\"\n");
    write_file(dir, "rules.toml", &with);
    write_file(dir, "plain.toml", RULES);
    let data = dir.join("d1");
    std::fs::create_dir_all(&data).unwrap();
    write_year(&data, &year(false));
    for (rules, out) in [("rules.toml", "o1"), ("plain.toml", "o2")] {
        let (status, text) =
            mujun_in(dir, &["evaluate", "--rules", rules, "--data", "d1", "--out", out]);
        assert_eq!(status, 0, "{text}");
    }
    let (status, text) = mujun_in(dir, &["runs", "notice", "1"]);
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("已公示，公示期 2024-06-01 至 2024-06-07"), "{text}");
    // The list printed that period.
    let s = sheet(&dir.join("o1/2024年度亩均效益评价结果.xlsx"), "公示名单");
    let last = (0..s.height()).map(|r| cell(&s, r, 0)).collect::<Vec<_>>();
    assert!(last.contains(&"公示期：2024年6月1日 至 2024年6月7日".to_string()), "{last:?}");
    // Without a period in the rules, the dates must be given.
    let (status, text) = mujun_in(dir, &["runs", "notice", "2"]);
    assert_eq!(status, 8, "{text}");
    assert!(text.contains("请用 --from 和 --to 写明公示期"), "{text}");
    // Other dates than the printed ones: done, with a warning.
    let (status, text) =
        mujun_in(dir, &["runs", "notice", "2", "--from", "2024-06-02", "--to", "2024-06-08"]);
    assert_eq!(status, 0, "{text}");
    assert!(!text.contains("注意"), "the plain rules print no period: {text}");
}
