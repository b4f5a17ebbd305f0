//! Each 标准地 check computed by hand. Site area of a 10 亩 parcel = 10 × 10000/15 =
//! 6666.666… 平方米. Control table (land_common::rules_text): 建筑系数 ≥ 0.30, 行政办公 ≤ 0.07,
//! 绿地率 ≤ 0.20; division 26: 容积率 ≥ 1.0, 投资强度 ≥ 200, 亩均产值 ≥ 50, 亩均税收 ≥ 10.
//! Holders are fixture firms (common::Firm): 10 亩, tax 100 万元 (one 增值税 row), output 1000.

use crate::common::*;
use crate::land_common::*;
use mujun::land::{Indicator, Item, Status};

const SITE: f64 = 10.0 * 10000.0 / 15.0;

fn fixture(dir: &std::path::Path) -> mujun::land::LandRun {
    let mut firms: Vec<Firm> = (1..=10).map(|n| Firm::new(n, "规上")).collect();
    firms[9].tax = Some(300.0); // firm 10 holds two due projects
    write_year(dir, &firms);
    let c = |n: u32| code(n);
    let rows = vec![
        Proj::compliant(&c(1), "T-01-compliant"),
        Proj::compliant(&c(2), "T-02-investment-far-coverage-short")
            .set("实际固定资产投资", "2400")
            .set("总建筑面积", "5000")
            .set("8米以上层建筑面积", "")
            .set("建构筑物基底面积", "1800")
            .set("露天堆场及操作场地面积", ""),
        Proj::compliant(&c(3), "T-03-office-not-separable-green-high")
            .set("行政办公及生活服务设施用地面积", "")
            .set("行政办公及生活服务设施建筑面积", "800")
            .set("绿地面积", "1500"),
        Proj::compliant(&c(8), "T-08-not-yet-due")
            .set("出让日期", "2025-03-01")
            .set("约定开工日期", "2025-09-01")
            .set("实际开工日期", "2025-08-20")
            .set("约定竣工日期", "2027-09-01")
            .set("实际竣工日期", "")
            .set("总建筑面积", "3000"),
        Proj::compliant(&c(9), "T-09-missing-floor-and-green")
            .set("总建筑面积", "")
            .set("绿地面积", ""),
        Proj::compliant(&code(50), "T-50-holder-not-registered"),
        Proj::compliant(&c(10), "T-10a-two-projects").set("约定亩均税收", "25"),
        Proj::compliant(&c(10), "T-10b-two-projects")
            .set("出让面积", "5")
            .set("实际固定资产投资", "1800"),
        Proj::compliant(&c(4), "T-04-tax-below-control-only")
            .set("约定亩均税收", "")
            .set("行业代码", "2614"),
    ];
    write_std_land(dir, &rows);
    run_land(dir, &rules_text())
}

#[test]
fn compliant_project_passes_every_check_with_the_arithmetic() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    let p = "T-01-compliant";
    // 投资强度 = 3600 ÷ 10 = 360 万元/亩; standard = max(约定 300, 控制 200) = 300.
    let c = check(&run, p, Item::Ind(Indicator::Investment));
    close(c.actual, 360.0, "投资强度");
    close(c.standard, 300.0, "投资强度标准值");
    assert_eq!(c.status, Status::Pass);
    assert_eq!(c.calc, "3600.00 ÷ 10.00 = 360.00");
    // 容积率 = (8000 + 1000 counted again for the floors above 8 m) ÷ 6666.67 = 1.35.
    let c = check(&run, p, Item::Ind(Indicator::FloorAreaRatio));
    close(c.actual, (8000.0 + 1000.0) / SITE, "容积率");
    close(c.actual, 1.35, "容积率 = 1.35");
    close(c.standard, 1.2, "容积率标准值 = max(1.2, 1.0)");
    assert_eq!(c.status, Status::Pass);
    // 建筑系数 = (2500 + 500) ÷ 6666.67 = 0.45.
    let c = check(&run, p, Item::Ind(Indicator::Coverage));
    close(c.actual, 0.45, "建筑系数");
    close(c.standard, 0.40, "建筑系数标准值 = max(0.40, 0.30)");
    assert_eq!(c.status, Status::Pass);
    // 行政办公 = 300 ÷ 6666.67 = 0.045 ≤ 0.07.
    let c = check(&run, p, Item::Ind(Indicator::AdminShare));
    close(c.actual, 0.045, "行政办公比重");
    close(c.standard, 0.07, "行政办公上限");
    assert_eq!(c.status, Status::Pass);
    // 绿地率 = 600 ÷ 6666.67 = 0.09 ≤ 0.20.
    let c = check(&run, p, Item::Ind(Indicator::GreenRatio));
    close(c.actual, 0.09, "绿地率");
    assert_eq!(c.status, Status::Pass);
    // 达产复核 due: 实际开工 2019-04-01 + 3 年 = 2022-04-01 ≤ 2025-12-31.
    // 亩均税收 = 100 ÷ 10 = 10, standard = max(约定 8, 控制 10) = 10: equal passes.
    let c = check(&run, p, Item::Ind(Indicator::TaxPerMu));
    close(c.actual, 10.0, "亩均税收");
    close(c.standard, 10.0, "亩均税收标准值");
    assert_eq!(c.status, Status::Pass, "{}", c.note);
    // 亩均产值 = 1000 ÷ 10 = 100 ≥ max(80, 50).
    let c = check(&run, p, Item::Ind(Indicator::OutputPerMu));
    close(c.actual, 100.0, "亩均产值");
    close(c.standard, 80.0, "亩均产值标准值");
    assert_eq!(c.status, Status::Pass);
    assert!(c.calc.contains("2025年度工业总产值 1000.00 ÷ 10.00 = 100.00"), "{}", c.calc);
    // Schedule on time: started on the agreed day, completed 30 days early.
    assert_eq!(check(&run, p, Item::StartOnTime).status, Status::Pass);
    assert_eq!(check(&run, p, Item::CompletionOnTime).status, Status::Pass);
}

#[test]
fn shortfalls_against_contract_and_control() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    let p = "T-02-investment-far-coverage-short";
    // 投资强度 = 2400 ÷ 10 = 240 < 300: short by 60.
    let c = check(&run, p, Item::Ind(Indicator::Investment));
    close(c.actual, 240.0, "投资强度");
    assert_eq!(c.status, Status::Fail);
    close(c.gap, 60.0, "投资强度差距");
    assert!(c.note.contains("低于约定值300.00"), "{}", c.note);
    // 容积率 = 5000 ÷ 6666.67 = 0.75 (blank 8 m area counts 0) < 1.2: short by 0.45; also below control 1.0.
    let c = check(&run, p, Item::Ind(Indicator::FloorAreaRatio));
    close(c.actual, 0.75, "容积率");
    close(c.gap, 0.45, "容积率差距");
    assert_eq!(c.status, Status::Fail);
    assert!(c.note.contains("低于约定值1.20") && c.note.contains("低于控制值1.00"), "{}", c.note);
    assert!(c.calc.contains("8米以上层建筑面积为空，按0计"), "{}", c.calc);
    // 建筑系数 = 1800 ÷ 6666.67 = 0.27 < 0.40 (and < control 0.30): short by 0.13.
    let c = check(&run, p, Item::Ind(Indicator::Coverage));
    close(c.actual, 0.27, "建筑系数");
    close(c.gap, 0.13, "建筑系数差距");
    assert_eq!(c.status, Status::Fail);
}

#[test]
fn office_land_not_separable_uses_floor_area_and_maxima_fail_above() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    let p = "T-03-office-not-separable-green-high";
    // Not separable (用地面积 blank, 建筑面积 800): land = 6666.67 × 800 ÷ 8000 = 666.67 平方米,
    // share = 666.67 ÷ 6666.67 = 0.10 > 0.07: over by 0.03.
    let c = check(&run, p, Item::Ind(Indicator::AdminShare));
    close(c.actual, SITE * 800.0 / 8000.0 / SITE, "行政办公比重");
    close(c.actual, 0.10, "行政办公比重 = 0.10");
    close(c.gap, 0.03, "超出上限");
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.calc.starts_with(
            "用地不可分割，按建筑面积折算：6666.67 × 800.00 ÷ 8000.00 = 666.67 平方米"
        ),
        "{}",
        c.calc
    );
    // 绿地率 = 1500 ÷ 6666.67 = 0.225 > 0.20: over by 0.025.
    let c = check(&run, p, Item::Ind(Indicator::GreenRatio));
    close(c.actual, 0.225, "绿地率");
    close(c.gap, 0.025, "绿地率超出");
    assert_eq!(c.status, Status::Fail);
}

#[test]
fn not_yet_due_and_missing_data() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    // Agreed completion 2027-09-01 > 2025-12-31: completion checks are not due, values shown.
    let c = check(&run, "T-08-not-yet-due", Item::Ind(Indicator::FloorAreaRatio));
    assert_eq!(c.status, Status::NotDue);
    close(c.actual, (3000.0 + 1000.0) / SITE, "在建容积率（仅显示）");
    assert_eq!(c.gap, None);
    // 达产复核: 2025-08-20 + 3 年 = 2028-08-20: not due.
    assert_eq!(
        check(&run, "T-08-not-yet-due", Item::Ind(Indicator::TaxPerMu)).status,
        Status::NotDue
    );
    // Started 12 days before the agreed day; completion not due.
    assert_eq!(check(&run, "T-08-not-yet-due", Item::StartOnTime).status, Status::Pass);
    assert_eq!(check(&run, "T-08-not-yet-due", Item::CompletionOnTime).status, Status::NotDue);

    let c = check(&run, "T-09-missing-floor-and-green", Item::Ind(Indicator::FloorAreaRatio));
    assert_eq!(c.status, Status::Missing);
    assert!(c.note.contains("缺少总建筑面积"), "{}", c.note);
    assert_eq!(
        check(&run, "T-09-missing-floor-and-green", Item::Ind(Indicator::GreenRatio)).status,
        Status::Missing
    );
    // The rest of that project is still checked.
    assert_eq!(
        check(&run, "T-09-missing-floor-and-green", Item::Ind(Indicator::Investment)).status,
        Status::Pass
    );

    // A holder missing from the register: no tax or output, flagged, everything else checked.
    let c = check(&run, "T-50-holder-not-registered", Item::Ind(Indicator::TaxPerMu));
    assert_eq!(c.status, Status::Missing);
    assert!(c.note.contains("企业名录中没有该企业"), "{}", c.note);
    assert_eq!(
        check(&run, "T-50-holder-not-registered", Item::Ind(Indicator::Coverage)).status,
        Status::Pass
    );
    assert!(run
        .problems
        .iter()
        .any(|p| p.table == "标准地" && p.message.contains("企业名录中没有该企业")));
}

#[test]
fn per_mu_of_a_holder_with_two_due_projects_uses_their_total_area() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    // Firm 10: tax 300, output 1000; its due projects cover 10 + 5 = 15 亩.
    // 亩均税收 = 300 ÷ 15 = 20 for both: T-10a agreed 25 → short by 5; T-10b agreed 8 → pass.
    let a = check(&run, "T-10a-two-projects", Item::Ind(Indicator::TaxPerMu));
    close(a.actual, 20.0, "亩均税收 a");
    assert_eq!(a.status, Status::Fail);
    close(a.gap, 5.0, "亩均税收差距");
    assert!(a.calc.contains("300.00 ÷ 15.00（该企业到期标准地面积合计） = 20.00"), "{}", a.calc);
    let b = check(&run, "T-10b-two-projects", Item::Ind(Indicator::TaxPerMu));
    close(b.actual, 20.0, "亩均税收 b");
    assert_eq!(b.status, Status::Pass);
    // 亩均产值 = 1000 ÷ 15 = 66.67 < 约定 80.
    close(
        check(&run, "T-10b-two-projects", Item::Ind(Indicator::OutputPerMu)).actual,
        1000.0 / 15.0,
        "亩均产值",
    );
}

#[test]
fn control_value_alone_binds_when_the_contract_is_silent() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    // No contract 亩均税收: the control table's 10 applies; 100 ÷ 10 = 10 passes exactly.
    let c = check(&run, "T-04-tax-below-control-only", Item::Ind(Indicator::TaxPerMu));
    assert_eq!(c.contract, None);
    close(c.standard, 10.0, "控制值");
    assert_eq!(c.status, Status::Pass);
    assert!(c.control.as_ref().unwrap().source.contains("测试控制表"));
}

#[test]
fn every_row_gets_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    assert_eq!(run.projects.len(), 9);
    assert_eq!(run.checks.len(), 9 * Item::ALL.len());
    let rec = run.dataset.aux_reconciliation.iter().find(|r| r.table == "标准地").unwrap();
    assert_eq!((rec.read, rec.used, rec.skipped, rec.rejected), (10, 9, 1, 0));
}
