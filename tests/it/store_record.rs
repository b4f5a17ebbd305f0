//! Recording a run while its outputs are written: a scheme whose name changes with the year is
//! one scheme by `[meta] scheme`; two runs recording into one store at the same time both land,
//! the second waiting for the first.

use std::path::Path;

use calamine::Reader;

use crate::report_common::*;

/// The fixture's rules for `year` named "报告测试（<year>年度）", with `scheme` when given.
fn rules_named_by_year(year: i32, scheme: Option<&str>) -> String {
    let text = rules_toml(year);
    let mut meta = format!("name = \"报告测试（{year}年度）\"");
    if let Some(s) = scheme {
        meta += &format!("\nscheme = \"{s}\"");
    }
    text.replacen("name = \"报告测试\"", &meta, 1)
}

/// Fixture years 2024 and 2025 in `dir` (d2024, d2025) with rule files r2024.toml, r2025.toml.
fn two_years(dir: &Path, scheme: Option<&str>) {
    for year in [2024, 2025] {
        let data = dir.join(format!("d{year}"));
        std::fs::create_dir_all(&data).unwrap();
        write_fixture(&data, &firms_with(tax_of));
        std::fs::write(dir.join(format!("r{year}.toml")), rules_named_by_year(year, scheme))
            .unwrap();
    }
}

fn evaluate(dir: &Path, year: i32, out: &str) -> String {
    let (r, d) = (format!("r{year}.toml"), format!("d{year}"));
    let (code, text) = mujun_in(dir, &["evaluate", "--rules", &r, "--data", &d, "--out", out]);
    assert_eq!(code, 0, "{text}");
    text
}

#[test]
fn a_scheme_named_by_year_finds_its_year_before_by_meta_scheme_and_not_by_its_name() {
    for (scheme, compared) in [(Some("报告测试"), true), (None, false)] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        two_years(dir, scheme);
        evaluate(dir, 2024, "o2024");
        let (code, text) = mujun_in(dir, &["runs", "finalize", "1"]);
        assert_eq!(code, 0, "{text}");
        evaluate(dir, 2025, "o2025");
        let book = dir.join("o2025/2025年度亩均效益评价结果.xlsx");
        let names = open(&book).sheet_names();
        assert_eq!(names.iter().any(|n| n == "年度对比"), compared, "{scheme:?}: {names:?}");
        let (_, runs) = mujun_in(dir, &["runs"]);
        // Both runs under the scheme: `scheme` when given, else each year's own name.
        let listed = scheme.unwrap_or("报告测试（2025年度）");
        assert!(runs.contains(listed), "{runs}");
        if compared {
            let yoy = sheet(&book, "年度对比");
            assert_eq!(cell(&yoy, 1, 1), "评价数据库 mujun.db 第 1 号评价（2024年度定稿）");
            // The 规则 sheet names the scheme beside the year's name.
            let rules = sheet(&book, "规则");
            let row = row_where(&rules, 0, "方案");
            assert_eq!(cell(&rules, row, 1), "报告测试");
        }
    }
}

#[test]
fn two_runs_recording_into_one_store_at_once_both_land_one_after_the_other() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    two_years(dir, None);
    let spawn = |year: i32| {
        let (r, d, o) = (format!("r{year}.toml"), format!("d{year}"), format!("o{year}"));
        std::process::Command::new(env!("CARGO_BIN_EXE_mujun"))
            .current_dir(dir)
            .env_remove("MUJUN_STORE")
            .args(["evaluate", "--rules", &r, "--data", &d, "--out", &o])
            .output()
            .expect("run mujun")
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| spawn(2024));
        let b = s.spawn(|| spawn(2025));
        (a.join().unwrap(), b.join().unwrap())
    });
    for o in [&a, &b] {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let store = mujun::store::Store::open_existing(&dir.join("mujun.db")).unwrap();
    let runs = store.runs().unwrap();
    let mut years: Vec<i32> = runs.iter().map(|r| r.year).collect();
    years.sort();
    assert_eq!(years, [2024, 2025]);
    for r in &runs {
        let csv = dir.join(format!("o{0}/{0}年度亩均效益评价结果.csv", r.year));
        assert!(store.results_csv(r.id).unwrap() == std::fs::read(csv).unwrap(), "run {}", r.id);
    }
    assert_eq!(store.check().unwrap().integrity, ["ok"]);
}
