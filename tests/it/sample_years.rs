//! The bundled sample years: samples/2024 and samples/2025 hold the same enterprises one year
//! apart; evaluate reads one year (2025 by default) and refuses to mix two.

use std::path::Path;

use crate::common::{evaluate, shipped_rules, tier_of, write_file};

/// Run mujun in the repository root (the default data and rules are relative to it) without a
/// store (none is left in the repository); (exit code, stdout and stderr together).
fn mujun_in_repo(args: &[&str]) -> (i32, String) {
    let args: Vec<&str> = std::iter::once("--no-store").chain(args.iter().copied()).collect();
    crate::common::mujun_in(Path::new(env!("CARGO_MANIFEST_DIR")), &args)
}

#[test]
fn evaluate_reads_the_latest_sample_year_by_default() {
    let out = tempfile::tempdir().unwrap();
    let (code, text) = mujun_in_repo(&["evaluate", "--out", out.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("企业共 590 家"), "{text}");
    assert!(out.path().join("2025年度亩均效益评价结果.csv").is_file());
}

#[test]
fn the_folder_of_both_years_is_refused_naming_one_year_to_pick() {
    let out = tempfile::tempdir().unwrap();
    let (code, text) =
        mujun_in_repo(&["evaluate", "--data", "samples", "--out", out.path().to_str().unwrap()]);
    assert_eq!(code, 4, "{text}");
    assert!(text.contains("目录「samples」中没有输入文件，只有子目录（2024、2025）中有"), "{text}");
    assert!(text.contains("每次只评价一个年度") && text.contains("--data samples/2025"), "{text}");
    assert!(!out.path().join("2025年度亩均效益评价结果.csv").exists(), "nothing written");
}

#[test]
fn both_year_folders_at_once_are_refused_as_two_years() {
    let out = tempfile::tempdir().unwrap();
    let (code, text) = mujun_in_repo(&[
        "evaluate",
        "--data",
        "samples/2024",
        "samples/2025",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 4, "{text}");
    // The first one-row-per-enterprise table met twice (files are read in name order).
    assert!(text.contains("产出表（每家企业一行）由两处提供"), "{text}");
    assert!(
        text.contains("两个文件在不同目录（samples/2024、samples/2025），如是不同年度的数据"),
        "{text}"
    );
    assert!(text.contains("请只用 --data 指定其中一个年度的目录"), "{text}");
}

/// Under the default scheme (its 2025 text, and the same with `year = 2024` for 2024), a firm
/// is D in both years and another falls from B to D: what 连续两年D类 tells apart.
#[test]
fn one_firm_is_d_two_years_running_and_another_only_in_2025() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = std::fs::read_to_string(shipped_rules("fuling.toml")).unwrap();
    assert!(rules.contains("\nyear = 2025\n"));
    let dir = tempfile::tempdir().unwrap();
    let rules_2024 = write_file(
        dir.path(),
        "fuling_2024.toml",
        &rules.replace("\nyear = 2025\n", "\nyear = 2024\n"),
    );
    let y24 = evaluate(&rules_2024, &root.join("samples/2024"));
    let y25 = evaluate(&shipped_rules("fuling.toml"), &root.join("samples/2025"));
    assert_eq!((y24.rules.meta.year, y25.rules.meta.year), (2024, 2025));

    // 重庆市涪陵区豪欣钢构有限公司 (规上): D in 2024 and in 2025.
    assert_eq!(tier_of(&y24, "91500102646909598F"), "D");
    assert_eq!(tier_of(&y25, "91500102646909598F"), "D");
    // 重庆市涪陵区荣峰榨菜股份有限公司 (规上): B in 2024, D in 2025.
    assert_eq!(tier_of(&y24, "91500102MA512KB9GX"), "B");
    assert_eq!(tier_of(&y25, "91500102MA512KB9GX"), "D");
}

#[test]
fn sample_years_writes_a_folder_per_year_and_refuses_a_bad_range() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("两年");
    let o = out.to_str().unwrap();
    let (code, text) =
        mujun_in_repo(&["sample", "--enterprises", "30", "--years", "2024-2025", "--out", o]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("已生成同一批 30 家企业 2024–2025 年度（共 2 年）的示例数据"), "{text}");
    for year in ["2024", "2025"] {
        for table in ["企业名录", "用地", "税收", "产出", "能耗", "加减分事项", "调档", "标准地"]
        {
            assert!(out.join(year).join(format!("{table}.csv")).is_file(), "{year}/{table}");
        }
    }
    // One manifest for the set, naming the files of both years.
    let manifest = std::fs::read_to_string(out.join("示例数据输出清单.json")).unwrap();
    assert!(manifest.contains("\"2024/企业名录.csv\"") && manifest.contains("\"2025/标准地.csv\""));

    for (args, message) in [
        (
            vec!["--years", "2025-2024"],
            "「--years <起-止>」的值「2025-2024」无效：起始年度2025晚于结束年度2024",
        ),
        (vec!["--years", "今年"], "应为「起始年度-结束年度」，如 2024-2025"),
        (
            vec!["--year", "2025", "--years", "2024-2025"],
            "「--year <年度>」不能与「--years <起-止>」同时使用",
        ),
    ] {
        let elsewhere = tmp.path().join("x");
        let mut all = vec!["sample", "--out", elsewhere.to_str().unwrap()];
        all.extend(args);
        let (code, text) = mujun_in_repo(&all);
        assert_eq!(code, 2, "{text}");
        assert!(text.contains(message), "{text}");
        assert!(!elsewhere.exists(), "nothing written");
    }
}
