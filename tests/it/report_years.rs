//! 历年对比 on the bundled samples: 2024 evaluated and made official (定稿) in the store, then
//! 2025 — the sheet's 连续两年D类 list, tier counts and district 亩均税收 checked against the two
//! years' results CSVs, computed here.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::report_common::*;

/// Run mujun in `cwd`; it must succeed.
fn mujun(cwd: &Path, args: &[&str]) {
    let (code, text) = mujun_in(cwd, args);
    assert_eq!(code, 0, "{args:?}: {text}");
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

/// A year's (name, park, tier, total, rank, rank_population) by code, from its results CSV.
type Stored = BTreeMap<String, (String, String, String, f64, i64, i64)>;

fn stored(path: &Path) -> Stored {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let at = |k: &str| h.iter().position(|x| x.trim_start_matches('\u{feff}') == k).unwrap();
    let k = ["code", "name", "park", "tier", "total", "rank", "rank_population"].map(at);
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let t = |i: usize| mujun::columns::unguard(&rec[k[i]]).to_string();
            let n = |i: usize| rec[k[i]].parse::<f64>().unwrap_or(f64::NAN);
            (t(0), (t(1), t(2), t(3), n(4), n(5) as i64, n(6) as i64))
        })
        .collect()
}

/// 增值税 of firm n in a fixture year.
type TaxOf = fn(u32) -> f64;

/// Three fixture years in `dir`, evaluated with the store there: 2023 (增值税 4 n) and 2024
/// (5 n) made 定稿, then 2025 (the fixture's taxes) with firm 4 renamed and moved from
/// 涪陵高新区 to 白涛工业园区.
fn three_years(dir: &Path) {
    let taxes: [(i32, TaxOf); 3] =
        [(2023, |n| 4.0 * n as f64), (2024, |n| 5.0 * n as f64), (2025, tax_of)];
    for (year, tax) in taxes {
        let mut firms = firms_with(tax);
        if year == 2025 {
            firms[3].name = "更名后的新材料有限公司".into();
            firms[3].park = "白涛工业园区".into();
        }
        let data = dir.join(format!("d{year}"));
        std::fs::create_dir_all(&data).unwrap();
        write_fixture(&data, &firms);
        let rules = format!("r{year}.toml");
        std::fs::write(dir.join(&rules), rules_toml(year)).unwrap();
        let (d, o) = (format!("d{year}"), format!("o{year}"));
        mujun(dir, &["evaluate", "--rules", &rules, "--data", &d, "--out", &o]);
        if year < 2025 {
            mujun(dir, &["runs", "finalize", if year == 2023 { "1" } else { "2" }]);
        }
    }
}

/// The rows of enterprise `code` in 企业历年 (column 0 the code).
fn firm_rows(s: &calamine::Range<calamine::Data>, code: &str) -> Vec<usize> {
    rows_where(s, 0, code)
}

#[test]
fn the_park_workbook_gives_each_firm_its_years_as_each_year_recorded_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    three_years(d);
    let csv = |y: i32| stored(&d.join(format!("o{y}/{y}年度亩均效益评价结果.csv")));
    let years = [(2023, csv(2023)), (2024, csv(2024)), (2025, csv(2025))];
    let park =
        |p: &str| sheet(&d.join(format!("o2025/园区/2025年度亩均效益评价_{p}.xlsx")), "企业历年");
    let s = park("白涛工业园区");
    let c = |name: &str| col(&s, 0, name);
    // Firm 7 (白涛 every year) and firm 4 (moved to 白涛 in 2025): one row per year, each with
    // the tier, total and rank that year's stored CSV gives.
    for n in [4, 7] {
        let rows = firm_rows(&s, &code(n));
        assert_eq!(rows.len(), 3, "firm {n}");
        for (&r, (year, by_code)) in rows.iter().zip(&years) {
            let (name, park, tier, total, rank, pop) = &by_code[&code(n)];
            assert_eq!(num(&s, r, c("年度")), f64::from(*year), "firm {n}");
            assert_eq!(cell(&s, r, c("当年企业名称")), *name, "firm {n} {year}");
            assert_eq!(cell(&s, r, c("当年所属园区")), *park, "firm {n} {year}");
            assert_eq!(cell(&s, r, c("等级")), *tier, "firm {n} {year}");
            assert_eq!(num(&s, r, c("总分")), *total, "firm {n} {year}");
            assert_eq!(num(&s, r, c("排名")), *rank as f64, "firm {n} {year}");
            assert_eq!(num(&s, r, c("排名范围企业数")), *pop as f64, "firm {n} {year}");
        }
    }
    // 亩均税收 of firm 7: 增值税 4 × 7 = 28, 5 × 7 = 35, 10 × 7 = 70 万元 on 10 亩 each year:
    // 28 ÷ 10 = 2.8, 35 ÷ 10 = 3.5, 70 ÷ 10 = 7.
    let tax = c("亩均税收(万元/亩)");
    let seven: Vec<f64> = firm_rows(&s, &code(7)).iter().map(|&r| num(&s, r, tax)).collect();
    assert_eq!(seven, [2.8, 3.5, 7.0]);
    assert_eq!(num(&s, firm_rows(&s, &code(7))[1], c("评价用地面积(亩)")), 10.0);
    // Firm 4: the old name and park in 2023 and 2024, the new ones in 2025, the change marked.
    let four = firm_rows(&s, &code(4));
    let at = |r: usize, h: &str| cell(&s, r, c(h));
    assert_eq!(
        (at(four[0], "当年企业名称"), at(four[0], "当年所属园区")),
        ("+86有限公司".into(), "涪陵高新区".into())
    );
    assert_eq!(
        (at(four[2], "当年企业名称"), at(four[2], "当年所属园区")),
        ("更名后的新材料有限公司".into(), "白涛工业园区".into())
    );
    assert_eq!(at(four[0], "企业名称"), "更名后的新材料有限公司", "this year's name on every row");
    assert_eq!(
        [at(four[1], "名称或园区变化"), at(four[2], "名称或园区变化")],
        ["", "更名、迁园区"]
    );
    // Firm 1 is of 涪陵高新区 every year: not in 白涛's workbook, in its own; firm 4 belongs to
    // 白涛 this year, so 涪陵's workbook does not list it.
    assert!(firm_rows(&s, &code(1)).is_empty());
    let f = park("涪陵高新区");
    assert_eq!(firm_rows(&f, &code(1)).len(), 3);
    assert!(firm_rows(&f, &code(4)).is_empty());
}

/// Ranks read back alike from a year's workbook and CSV. By hand: firm n pays 10 n 万元 on 10 亩
/// (firm 5: 45), so its total is 6 n + 24 (firm 5: 27 + 24 = 51); ahead of firm 7 (66) are firms
/// 10, 9 and 8 (84, 78, 72): rank 4 of the 10 evaluated 规上 firms.
#[test]
fn ranks_read_back_from_the_workbook_and_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let ev = evaluate_fixture(&dir.path().join("data"), 2025, tax_of);
    let o = write_all(&ev, &dir.path().join("out"), None);
    for path in [&o.workbook, &o.csv] {
        let p = mujun::report::read_previous(path, &ev).unwrap();
        let f = p.firms.iter().find(|f| f.code == code(7)).unwrap();
        assert_eq!((f.rank, f.rank_population), (Some(4), Some(10)), "{}", path.display());
        let small = p.firms.iter().find(|f| f.code == code(20)).unwrap();
        assert_eq!(small.rank, None, "not evaluated, no rank: {}", path.display());
    }
}
