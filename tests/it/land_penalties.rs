//! Each penalty of the national contract template, computed by hand, with the formula text the
//! workbook shows. Land price 1200 万元 for 10 亩 throughout; rules: late start 1‰ a day, late
//! completion 0.5‰ a day, idle fee 20 % (land_common::rules_text).

use crate::common::*;
use crate::land_common::*;
use mujun::land::Clause;

fn fixture(dir: &std::path::Path) -> mujun::land::LandRun {
    let firms: Vec<Firm> = (1..=8).map(|n| Firm::new(n, "规上")).collect();
    write_year(dir, &firms);
    let c = |n: u32| code(n);
    let rows = vec![
        Proj::compliant(&c(1), "P-01-compliant"),
        Proj::compliant(&c(2), "P-02-investment-short").set("实际固定资产投资", "2400"),
        Proj::compliant(&c(3), "P-03-far-short")
            .set("总建筑面积", "5000")
            .set("8米以上层建筑面积", "1000"),
        Proj::compliant(&c(4), "P-04-coverage-short")
            .set("建构筑物基底面积", "1800")
            .set("露天堆场及操作场地面积", "200"),
        Proj::compliant(&c(5), "P-05-late-start-and-completion")
            .set("实际开工日期", "2019-05-01")
            .set("实际竣工日期", "2021-03-01"),
        Proj::compliant(&c(6), "P-06-investment-short-no-price")
            .set("实际固定资产投资", "2400")
            .set("出让价款", ""),
        Proj::compliant(&c(7), "P-07-no-contract-far-uses-control")
            .set("约定容积率", "")
            .set("总建筑面积", "5000")
            .set("8米以上层建筑面积", "0"),
        Proj::compliant(&c(8), "P-08-unstarted-idle-one-year")
            .set("出让日期", "2023-06-01")
            .set("约定开工日期", "2024-06-01")
            .set("约定竣工日期", "2026-06-01")
            .set("实际开工日期", "")
            .set("实际竣工日期", "")
            .set("实际固定资产投资", "")
            .set("总建筑面积", "")
            .set("8米以上层建筑面积", "")
            .set("建构筑物基底面积", "")
            .set("露天堆场及操作场地面积", ""),
    ];
    write_std_land(dir, &rows);
    run_land(dir, &rules_text())
}

#[test]
fn compliant_project_owes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    let i = project_index(&run, "P-01-compliant");
    assert!(run.penalties.iter().all(|p| p.project != i), "no penalty for a compliant project");
}

#[test]
fn investment_short() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    // Agreed total = 300 万元/亩 × 10 亩 = 3000; actual 2400.
    // 1200 × (3000 − 2400) ÷ 3000 = 1200 × 0.2 = 240.
    let p = penalty(&run, "P-02-investment-short", Clause::InvestmentShort)
        .expect("investment penalty");
    close(p.amount, 240.0, "投资强度违约金");
    assert_eq!(p.calc, "1200.00 × (3000.00 − 2400.00) ÷ 3000.00 = 240.00");
    assert!(
        p.basis.contains("约定投资强度 300.00 万元/亩 × 出让面积 10.00 亩 = 3000.00 万元"),
        "{}",
        p.basis
    );
    // Nothing else was breached.
    let i = project_index(&run, "P-02-investment-short");
    assert_eq!(run.penalties.iter().filter(|p| p.project == i).count(), 1);
}

#[test]
fn floor_area_ratio_below_the_agreed_minimum() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    // 容积率 = (5000 + 1000) ÷ 6666.67 = 0.90 < 约定 1.2.
    // 1200 × (1.2 − 0.9) ÷ 1.2 = 1200 × 0.25 = 300.
    let p = penalty(&run, "P-03-far-short", Clause::FarShort).expect("容积率 penalty");
    close(p.amount, 300.0, "容积率违约金");
    assert_eq!(p.calc, "1200.00 × (1.20 − 0.90) ÷ 1.20 = 300.00");
}

#[test]
fn building_coverage_below_the_agreed_minimum() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    // 建筑系数 = (1800 + 200) ÷ 6666.67 = 0.30 < 约定 0.40 (meets the control 0.30).
    // 1200 × (0.40 − 0.30) ÷ 0.40 = 300.
    let p = penalty(&run, "P-04-coverage-short", Clause::CoverageShort).expect("建筑系数 penalty");
    close(p.amount, 300.0, "建筑系数违约金");
    assert_eq!(p.calc, "1200.00 × (0.40 − 0.30) ÷ 0.40 = 300.00");
}

#[test]
fn late_start_and_late_completion_per_day() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    // Start: agreed 2019-04-01, actual 2019-05-01 = 30 days; 1200 × 1‰ × 30 = 36.
    let p = penalty(&run, "P-05-late-start-and-completion", Clause::LateStart).expect("late start");
    close(p.amount, 36.0, "延期开工违约金");
    assert_eq!(p.calc, "1200.00 × 1‰ × 30 = 36.00");
    // Completion: agreed 2020-12-31, actual 2021-03-01 = 31 + 28 + 1 = 60 days;
    // 1200 × 0.5‰ × 60 = 36.
    let p = penalty(&run, "P-05-late-start-and-completion", Clause::LateCompletion)
        .expect("late completion");
    close(p.amount, 36.0, "延期竣工违约金");
    assert_eq!(p.calc, "1200.00 × 0.5‰ × 60 = 36.00");
}

#[test]
fn unstarted_land_pays_late_start_to_the_evaluation_date_and_the_idle_fee() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    // Agreed start 2024-06-01, not started by 2025-12-31: 578 days late;
    // 1200 × 1‰ × 578 = 693.6.
    let p = penalty(&run, "P-08-unstarted-idle-one-year", Clause::LateStart).expect("late start");
    close(p.amount, 693.6, "延期开工违约金");
    assert_eq!(p.calc, "1200.00 × 1‰ × 578 = 693.60");
    assert!(p.basis.contains("截至评价日2025-12-31仍未开工"), "{}", p.basis);
    // Idle ≥ 1 year: 1200 × 20% = 240.
    let f = penalty(&run, "P-08-unstarted-idle-one-year", Clause::IdleFee).expect("idle fee");
    close(f.amount, 240.0, "闲置费");
    assert_eq!(f.calc, "1200.00 × 20.00% = 240.00");
    // Completion is not due (2026-06-01): no completion clauses.
    assert!(penalty(&run, "P-08-unstarted-idle-one-year", Clause::LateCompletion).is_none());
    assert!(penalty(&run, "P-08-unstarted-idle-one-year", Clause::InvestmentShort).is_none());
}

#[test]
fn missing_land_price_is_listed_but_not_computed() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    let p =
        penalty(&run, "P-06-investment-short-no-price", Clause::InvestmentShort).expect("listed");
    assert_eq!(p.amount, None);
    assert_eq!(p.calc, "缺少出让价款，无法测算");
}

#[test]
fn without_a_contract_value_the_control_value_is_the_minimum() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    // No 约定容积率: control 1.0 for division 26; actual 5000 ÷ 6666.67 = 0.75.
    // 1200 × (1.0 − 0.75) ÷ 1.0 = 300.
    let p = penalty(&run, "P-07-no-contract-far-uses-control", Clause::FarShort)
        .expect("容积率 penalty");
    close(p.amount, 300.0, "容积率违约金（按控制值）");
    assert_eq!(p.calc, "1200.00 × (1.00 − 0.75) ÷ 1.00 = 300.00");
    assert!(p.basis.contains("合同未约定容积率，按控制值"), "{}", p.basis);
}
