//! Schedule and idle land as of the evaluation date (2025-12-31, land_common::rules_text):
//! days late, unstarted ≥ 1 year (idle fee) and ≥ 2 years (reclaim), stopped work with too little
//! built or invested, and projects not yet due. Day counts are worked out in the comments.

use crate::common::*;
use crate::land_common::*;
use mujun::land::{Item, Status};

fn unstarted(p: Proj) -> Proj {
    p.set("实际开工日期", "")
        .set("实际竣工日期", "")
        .set("实际固定资产投资", "")
        .set("总建筑面积", "")
        .set("8米以上层建筑面积", "")
        .set("建构筑物基底面积", "")
        .set("露天堆场及操作场地面积", "")
}

fn fixture(dir: &std::path::Path) -> mujun::land::LandRun {
    let firms: Vec<Firm> = (1..=8).map(|n| Firm::new(n, "规上")).collect();
    write_year(dir, &firms);
    let c = |n: u32| code(n);
    let rows = vec![
        unstarted(Proj::compliant(&c(1), "S-01-unstarted-one-year"))
            .set("出让日期", "2023-06-01")
            .set("约定开工日期", "2024-06-01")
            .set("约定竣工日期", "2026-06-01"),
        unstarted(Proj::compliant(&c(2), "S-02-unstarted-two-years"))
            .set("出让日期", "2023-01-01")
            .set("约定开工日期", "2023-10-01")
            .set("约定竣工日期", "2025-10-01"),
        unstarted(Proj::compliant(&c(3), "S-03-unstarted-eleven-months"))
            .set("出让日期", "2024-10-01")
            .set("约定开工日期", "2025-01-31")
            .set("约定竣工日期", "2027-01-31"),
        Proj::compliant(&c(4), "S-04-stopped-built-a-quarter")
            .set("实际开工日期", "2021-03-01")
            .set("实际竣工日期", "")
            .set("停工日期", "2024-06-30")
            .set("约定竣工日期", "2022-12-31")
            .set("总建筑面积", "2000")
            .set("8米以上层建筑面积", "0")
            .set("实际固定资产投资", "2400"),
        Proj::compliant(&c(5), "S-05-stopped-but-built-half")
            .set("实际开工日期", "2021-03-01")
            .set("实际竣工日期", "")
            .set("停工日期", "2023-06-30")
            .set("约定竣工日期", "2022-12-31")
            .set("总建筑面积", "4000")
            .set("实际固定资产投资", "2400"),
        Proj::compliant(&c(6), "S-06-stopped-six-months")
            .set("实际开工日期", "2021-03-01")
            .set("实际竣工日期", "")
            .set("停工日期", "2025-06-30")
            .set("约定竣工日期", "2026-12-31")
            .set("总建筑面积", "1000")
            .set("实际固定资产投资", "300"),
        Proj::compliant(&c(7), "S-07-late-start-completed-on-time")
            .set("实际开工日期", "2019-06-10"),
        unstarted(Proj::compliant(&c(8), "S-08-unstarted-no-agreed-start")).set("约定开工日期", ""),
        Proj::compliant(&c(1), "S-09-completed-without-start-date").set("实际开工日期", ""),
    ];
    write_std_land(dir, &rows);
    run_land(dir, &rules_text())
}

fn sched<'a>(run: &'a mujun::land::LandRun, parcel: &str) -> &'a mujun::land::Schedule {
    &run.schedules[project_index(run, parcel)]
}

#[test]
fn unstarted_one_year_is_idle_with_a_fee() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    let s = sched(&run, "S-01-unstarted-one-year");
    // 2024-06-01 → 2025-12-31: 365 (to 2025-06-01) + 213 = 578 days; ≥ 1 year, < 2 years.
    assert_eq!(s.late_start, Some(578));
    assert!(s.start_pending);
    assert_eq!(s.phase, "未开工");
    let idle = s.idle.as_ref().expect("idle");
    assert!(!idle.reclaim && !idle.stopped);
    assert_eq!(idle.days, 578);
    let c = check(&run, "S-01-unstarted-one-year", Item::StartOnTime);
    assert_eq!(c.status, Status::Fail);
    close(c.gap, 578.0, "迟延开工天数");
    // Completion (2026-06-01) not due.
    assert_eq!(
        check(&run, "S-01-unstarted-one-year", Item::CompletionOnTime).status,
        Status::NotDue
    );
}

#[test]
fn unstarted_two_years_is_reclaimed() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    let s = sched(&run, "S-02-unstarted-two-years");
    // 2023-10-01 → 2025-12-31: 731 (two years, 2024 is a leap year) + 91 = 822 days.
    assert_eq!(s.late_start, Some(822));
    let idle = s.idle.as_ref().expect("idle");
    assert!(idle.reclaim);
    assert!(idle.reason.contains("满2年"), "{}", idle.reason);
    // Reclaimed land pays no idle fee (listed as 无偿收回).
    assert!(penalty(&run, "S-02-unstarted-two-years", mujun::land::Clause::IdleFee).is_none());
    // Completion agreed 2025-10-01 passed: late completion counts 91 days to the evaluation date.
    assert_eq!(s.late_completion, Some(91));
    assert!(s.completion_pending);
}

#[test]
fn unstarted_less_than_a_year_is_late_but_not_idle() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    let s = sched(&run, "S-03-unstarted-eleven-months");
    // 2025-01-31 → 2025-12-31 = 334 days: late, not yet idle (2026-01-31 would be one year).
    assert_eq!(s.late_start, Some(334));
    assert!(s.idle.is_none());
}

#[test]
fn stopped_work_with_a_quarter_built_is_idle() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    let s = sched(&run, "S-04-stopped-built-a-quarter");
    assert_eq!(s.phase, "停工");
    // Agreed floor area = 约定容积率 1.2 × 6666.67 = 8000 平方米; built 2000 → 0.25 < 1/3.
    // Investment 2400 of 3000 = 0.80 (not < 0.25), but one condition suffices.
    // Stopped 2024-06-30 → 2025-12-31 = 549 days ≥ 1 year, < 2 years: idle fee.
    let idle = s.idle.as_ref().expect("idle");
    assert!(idle.stopped && !idle.reclaim);
    close(idle.built_share, 0.25, "已建比例");
    close(idle.investment_share, 0.8, "投资比例");
    assert_eq!(idle.days, 549);
    assert_eq!(idle.since, mujun::ingest::values::parse_date("2024-06-30").unwrap().unwrap());
    // Agreed completion 2022-12-31 passed: the completion checks run on the current state.
    assert_eq!(s.completion_due, Some(true));
    assert!(s.completion_note.contains("逾期未竣工"));
}

#[test]
fn stopped_work_with_half_built_is_not_idle() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    // Built 4000 of 8000 = 0.50 ≥ 1/3 and investment 0.80 ≥ 0.25: not idle despite the stop.
    let s = sched(&run, "S-05-stopped-but-built-half");
    assert!(s.idle.is_none());
    assert!(s.idle_unknown.is_none());
}

#[test]
fn stopped_less_than_a_year_is_not_yet_idle() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    // Stopped 2025-06-30: 184 days < 1 year, although built 1000 of 8000 = 0.125.
    assert!(sched(&run, "S-06-stopped-six-months").idle.is_none());
}

#[test]
fn late_start_is_counted_even_when_completion_was_on_time() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    // Agreed 2019-04-01, actual 2019-06-10: 30 + 31 + 9 = 70 days.
    let s = sched(&run, "S-07-late-start-completed-on-time");
    assert_eq!(s.late_start, Some(70));
    assert!(!s.start_pending);
    assert_eq!(s.late_completion, Some(0));
    assert_eq!(
        check(&run, "S-07-late-start-completed-on-time", Item::CompletionOnTime).status,
        Status::Pass
    );
    // 达产复核 counts from the actual start: 2019-06-10 + 3 years = 2022-06-10.
    assert_eq!(s.review_date, mujun::ingest::values::parse_date("2022-06-10").unwrap());
}

#[test]
fn without_an_agreed_start_idle_land_cannot_be_determined() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    let s = sched(&run, "S-08-unstarted-no-agreed-start");
    assert!(s.idle.is_none());
    assert!(s.idle_unknown.as_deref().unwrap_or("").contains("缺少约定开工日期"));
    assert_eq!(
        check(&run, "S-08-unstarted-no-agreed-start", Item::StartOnTime).status,
        Status::Missing
    );
}

#[test]
fn a_completed_project_without_its_start_date_is_not_counted_late() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    let s = sched(&run, "S-09-completed-without-start-date");
    assert_eq!((s.late_start, s.start_pending), (None, false));
    assert!(s.idle.is_none());
    let c = check(&run, "S-09-completed-without-start-date", Item::StartOnTime);
    assert_eq!(c.status, Status::Missing);
    assert!(c.note.contains("已竣工但缺少实际开工日期"), "{}", c.note);
    assert!(penalty(&run, "S-09-completed-without-start-date", mujun::land::Clause::LateStart)
        .is_none());
}
