//! 历年对比 on the bundled samples: 2024 evaluated and made official (定稿) in the store, then
//! 2025 — the sheet's 连续两年D类 list, tier counts and district 亩均税收 checked against the two
//! years' results CSVs, computed here.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::report_common::*;

fn mujun(cwd: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_mujun"))
        .current_dir(cwd)
        .env_remove("MUJUN_STORE")
        .args(args)
        .output()
        .expect("run mujun");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// code → (status, tier, land_mu, tax, group) of a results CSV.
fn results(path: &Path) -> BTreeMap<String, (String, String, f64, f64, String)> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let at = |k: &str| h.iter().position(|x| x.trim_start_matches('\u{feff}') == k).unwrap();
    let (c, s, t, l, x) = (at("code"), at("status"), at("tier"), at("land_mu"), at("tax"));
    let g = at("group");
    let num = |v: &str| v.parse::<f64>().unwrap_or(0.0);
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                rec[c].to_string(),
                (rec[s].to_string(), rec[t].to_string(), num(&rec[l]), num(&rec[x]), rec[g].into()),
            )
        })
        .collect()
}

#[test]
fn two_official_years_give_the_firms_d_twice_the_counts_and_the_district_per_mu_tax() {
    let dir = tempfile::tempdir().unwrap();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let (s24, s25) = (samples.join("2024"), samples.join("2025"));
    mujun(
        dir.path(),
        &["evaluate", "--data", s24.to_str().unwrap(), "--year", "2024", "--out", "o24"],
    );
    mujun(dir.path(), &["runs", "finalize", "1"]);
    mujun(dir.path(), &["evaluate", "--data", s25.to_str().unwrap(), "--out", "o25"]);
    let (r24, r25) = (
        results(&dir.path().join("o24/2024年度亩均效益评价结果.csv")),
        results(&dir.path().join("o25/2025年度亩均效益评价结果.csv")),
    );
    let s = sheet(&dir.path().join("o25/2025年度亩均效益评价结果.xlsx"), "历年对比");

    // 连续两年D类: evaluated and D in both CSVs.
    let evaluated_d = |r: &(String, String, f64, f64, String)| r.0 == "evaluated" && r.1 == "D";
    let expected: Vec<&String> = r25
        .iter()
        .filter(|(c, r)| evaluated_d(r) && r24.get(*c).is_some_and(evaluated_d))
        .map(|(c, _)| c)
        .collect();
    let title = row_where(&s, 0, "连续两年D类企业（2024、2025年度）");
    let mut listed: Vec<String> =
        (title + 2..s.height()).map(|r| cell(&s, r, 0)).take_while(|c| !c.is_empty()).collect();
    listed.sort();
    assert_eq!(listed.iter().collect::<Vec<_>>(), expected);
    assert!(listed.contains(&"91500102646909598F".to_string()), "D in 2024 and 2025");
    assert!(!listed.contains(&"91500102MA512KB9GX".to_string()), "B in 2024, D in 2025");

    // Tier counts per year: the row of 2024 counts the 2024 CSV's evaluated firms by tier.
    let head = row_where(&s, 0, "年度");
    for (row, r) in [(head + 1, &r24), (head + 2, &r25)] {
        for (i, tier) in ["A", "B", "C", "D"].iter().enumerate() {
            let n = r.values().filter(|v| v.0 == "evaluated" && v.1 == *tier).count();
            assert_eq!(num(&s, row, 1 + i), n as f64, "row {row} tier {tier}");
        }
    }

    // 全区 亩均税收 of 2024: Σ tax ÷ Σ land of the evaluated 规上 firms ([targets] groups = gs).
    let (tax, land) = r24
        .values()
        .filter(|v| v.0 == "evaluated" && v.4 == "gs")
        .fold((0.0, 0.0), |(t, l), v| (t + v.3, l + v.2));
    let g = row_where(&s, 0, "全区");
    assert_eq!(cell(&s, g, 1), "亩均税收");
    assert!((num(&s, g, 2) - tax / land).abs() < 1e-9, "{} vs {}", num(&s, g, 2), tax / land);
}

/// (exit code, stderr) of mujun in `cwd` without a store.
fn run(cwd: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mujun"))
        .current_dir(cwd)
        .arg("--no-store")
        .args(args)
        .output()
        .expect("run mujun");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_year_compared_with_itself_or_with_strangers_is_a_warning_on_screen_and_in_the_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s25 = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/2025");
    let s25 = s25.to_str().unwrap();
    assert_eq!(run(d, &["evaluate", "--data", s25, "--out", "a"]).0, 0);
    let csv = "a/2025年度亩均效益评价结果.csv";
    let (code, err) = run(d, &["evaluate", "--data", s25, "--out", "b", "--previous", csv]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("是2025年度的，不早于本次评价的2025年度"), "{err}");
    let y = sheet(&d.join("b/2025年度亩均效益评价结果.xlsx"), "年度对比");
    assert_eq!(cell(&y, 2, 0), "注意");
    assert!(cell(&y, 2, 1).contains("年度对比没有意义"), "{}", cell(&y, 2, 1));
    // Another seed's 2024: not one credit code in common.
    assert_eq!(
        run(d, &["sample", "--enterprises", "30", "--seed", "9", "--year", "2024", "--out", "s9"])
            .0,
        0
    );
    assert_eq!(run(d, &["evaluate", "--data", "s9", "--year", "2024", "--out", "c"]).0, 0);
    let prev = "c/2024年度亩均效益评价结果.csv";
    let (code, err) = run(d, &["evaluate", "--data", s25, "--out", "e", "--previous", prev]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("与本年没有一家相同的企业"), "{err}");
    // A proper previous year says nothing.
    let s24 = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/2024");
    assert_eq!(
        run(d, &["evaluate", "--data", s24.to_str().unwrap(), "--year", "2024", "--out", "f"]).0,
        0
    );
    let prev = "f/2024年度亩均效益评价结果.csv";
    let (_, err) = run(d, &["evaluate", "--data", s25, "--out", "g", "--previous", prev]);
    assert!(!err.contains("警告："), "{err}");
}
