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
