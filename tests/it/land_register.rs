//! The land register per enterprise from the 用地 table, its conflicts, and the evaluated area
//! taken from evaluate's own land accounting.

use crate::common::*;
use crate::land_common::*;
use mujun::land::register::ConflictKind;

/// 用地 rows (code, 不动产权证号, 用地方式, 亩, 对方):
/// A(1) owns X 10; B(2) also claims X as owned, 5 → one parcel, two owners.
/// C(3) owns Z 4 and lets 6 to D(4), who leases 6 from C → more let than owned (evaluated −2).
/// E(5) leases 3 from code 77 (not registered) → unknown counterparty.
/// F(6) owns W 8 and lets 2 to A(1), A has no 承租 row → the two sides disagree.
/// G(7) leases 2 with no counterparty → counterparty missing.
/// H(8) lists Y (6 亩) twice as owned → repeated parcel (evaluate counts 12).
fn fixture(dir: &std::path::Path) -> mujun::land::LandRun {
    let mut firms: Vec<Firm> = (1..=8).map(|n| Firm::new(n, "规上")).collect();
    for f in firms.iter_mut() {
        f.land = None;
    }
    write_year(dir, &firms);
    let c = |n: u32| code(n);
    let rows = [
        (c(1), "X", "自有", "10", String::new()),
        (c(2), "X", "自有", "5", String::new()),
        (c(3), "Z", "自有", "4", String::new()),
        (c(3), "Z", "出租", "6", c(4)),
        (c(4), "", "承租", "6", c(3)),
        (c(5), "", "承租", "3", code(77)),
        (c(6), "W", "自有", "8", String::new()),
        (c(6), "W", "出租", "2", c(1)),
        (c(7), "", "承租", "2", String::new()),
        (c(8), "Y", "自有", "6", String::new()),
        (c(8), "Y", "自有", "6", String::new()),
    ];
    let mut text = String::from(
        "统一社会信用代码,不动产权证号,用地方式,用地面积(亩),对方统一社会信用代码,供地日期\n",
    );
    for (code, parcel, mode, area, cp) in rows {
        text += &format!("{code},{parcel},{mode},{area},{cp},\n");
    }
    write_file(dir, "用地.csv", &text);
    write_std_land(dir, &[Proj::compliant(&c(1), "R-01-project-of-a")]);
    run_land(dir, &rules_text())
}

fn ent(run: &mujun::land::LandRun, n: u32) -> &mujun::land::register::EnterpriseLand {
    run.register
        .enterprises
        .iter()
        .find(|e| e.code == code(n))
        .unwrap_or_else(|| panic!("enterprise {n}"))
}

fn kinds(run: &mujun::land::LandRun) -> Vec<ConflictKind> {
    run.register.conflicts.iter().map(|c| c.kind).collect()
}

#[test]
fn register_sums_by_mode_and_takes_the_evaluated_area_from_evaluate() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    // C: owned 4, let 6 → 4 + 0 − 6 = −2.
    let e = ent(&run, 3);
    assert_eq!((e.owned, e.leased_in, e.leased_out), (4.0, 0.0, 6.0));
    close(e.evaluated, -2.0, "C 评价用地");
    // D: leased in 6.
    close(ent(&run, 4).evaluated, 6.0, "D 评价用地");
    // F: 8 − 2 = 6.
    close(ent(&run, 6).evaluated, 6.0, "F 评价用地");
    // H: the repeated parcel is counted twice by evaluate (6 + 6): reported as a conflict.
    close(ent(&run, 8).evaluated, 12.0, "H 评价用地");
    // Same numbers as evaluate's own aggregation.
    let eval = mujun::rules::load(&shipped_rules("fuling.toml")).unwrap();
    let ds = mujun::ingest::load(&[dir.path().to_path_buf()]).unwrap();
    let asm = mujun::score::assemble::assemble(&ds, &eval).unwrap();
    let codes = asm.base.column("code").unwrap().str().unwrap().clone();
    let land = asm.base.column("land_mu").unwrap().f64().unwrap().clone();
    for (c, l) in codes.iter().zip(land.iter()) {
        let c = c.unwrap();
        if let Some(e) = run.register.enterprises.iter().find(|e| e.code == c) {
            assert_eq!(e.evaluated, l, "{c}");
        }
    }
    // The 标准地 project is listed with its holder.
    assert_eq!(ent(&run, 1).std_projects, 1);
    close(Some(ent(&run, 1).std_area), 10.0, "标准地面积");
}

#[test]
fn a_parcel_claimed_by_two_owners() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    let c = run
        .register
        .conflicts
        .iter()
        .find(|c| c.kind == ConflictKind::DoubleOwner)
        .expect("double owner");
    assert_eq!(c.parcel, "X");
    assert_eq!(c.codes, vec![code(1).min(code(2)), code(1).max(code(2))]);
    assert_eq!(c.rows.len(), 2);
    assert!(ent(&run, 1).conflicts.contains(&"一宗地多家自有"));
    assert!(ent(&run, 2).conflicts.contains(&"一宗地多家自有"));
}

#[test]
fn more_leased_out_than_owned() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    let c =
        run.register.conflicts.iter().find(|c| c.kind == ConflictKind::OverLet).expect("over-let");
    assert_eq!(c.codes, vec![code(3)]);
    assert!(c.message.contains("出租面积6.00亩大于自有面积4.00亩"), "{}", c.message);
    assert!(c.message.contains("评价用地为负（-2.00亩）"), "{}", c.message);
}

#[test]
fn lease_counterparties_unknown_missing_or_disagreeing() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    let k = kinds(&run);
    let unknown = run
        .register
        .conflicts
        .iter()
        .find(|c| c.kind == ConflictKind::UnknownCounterparty)
        .expect("unknown");
    assert_eq!(unknown.codes, vec![code(5), code(77)]);
    assert!(unknown.message.contains("不在企业名录"));
    assert!(k.contains(&ConflictKind::MissingCounterparty));
    let mismatch = run
        .register
        .conflicts
        .iter()
        .find(|c| c.kind == ConflictKind::LeaseMismatch)
        .expect("mismatch");
    assert_eq!(mismatch.codes, vec![code(6), code(1)]);
    assert!(mismatch.message.contains("承租方没有对应的承租记录"), "{}", mismatch.message);
    // C ↔ D agree (6 亩 both sides): no mismatch for them.
    assert!(!run
        .register
        .conflicts
        .iter()
        .any(|c| c.kind == ConflictKind::LeaseMismatch && c.codes.contains(&code(4))));
}

#[test]
fn a_parcel_repeated_by_its_owner() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(dir.path());
    let c = run
        .register
        .conflicts
        .iter()
        .find(|c| c.kind == ConflictKind::RepeatedParcel)
        .expect("repeated");
    assert_eq!((c.parcel.as_str(), c.codes.clone()), ("Y", vec![code(8)]));
    // Exactly the six conflicts of the fixture.
    assert_eq!(run.register.conflicts.len(), 6, "{:?}", kinds(&run));
    // Every 用地 row is in the register.
    assert_eq!(run.register.parcels.len(), 11);
}
