//! 旌德 2022: min–max scoring within the group, weight × [20 + 80 × (x − min)/(max − min)] / 100,
//! with a lower-is-better indicator, and score-threshold tiers.

use crate::common::*;

fn firm(n: u32, land: f64, tax: f64, revenue: f64, energy: f64) -> Firm {
    let mut f = Firm::new(n, "规上");
    f.land = Some(land);
    f.tax = Some(tax);
    f.revenue = Some(revenue);
    f.energy = Some(energy);
    f
}

#[test]
fn jingde_2022_minmax_with_floor_share_and_thresholds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let j1 = firm(1, 10.0, 100.0, 1000.0, 100.0); // 10 /亩, 100 /亩, 0.1 tce/万元
    let j2 = firm(2, 10.0, 300.0, 2000.0, 400.0); // 30, 200, 0.2
    let j3 = firm(3, 20.0, 400.0, 3000.0, 150.0); // 20, 150, 0.05
    let j4 = firm(4, 10.0, 300.0, 2000.0, 100.0); // 30, 200, 0.05
    write_year(dir.path(), &[j1.clone(), j2.clone(), j3.clone(), j4.clone()]);
    let ev = evaluate(&shipped_rules("jingde_2022.toml"), dir.path());

    // 亩均税收 (40): min 10, max 30.
    assert_close(
        num_of(&ev, &j1.code(), "s__tax_per_mu"),
        40.0 * (20.0 + 80.0 * 0.0) / 100.0,
        "J1 税收",
    ); // 8
    assert_close(
        num_of(&ev, &j3.code(), "s__tax_per_mu"),
        40.0 * (20.0 + 80.0 * (20.0 - 10.0) / 20.0) / 100.0,
        "J3 税收",
    ); // 24
       // 亩均营业收入 (30): min 100, max 200.
    assert_close(
        num_of(&ev, &j3.code(), "s__rev_per_mu"),
        30.0 * (20.0 + 80.0 * (150.0 - 100.0) / 100.0) / 100.0,
        "J3 营收",
    ); // 18
       // 单位营业收入能耗 (30, lower is better): min 0.05, max 0.2; score uses (max − x).
    let j1_energy = 30.0 * (20.0 + 80.0 * (0.2 - 0.1) / 0.15) / 100.0; // 22
    assert_close(num_of(&ev, &j1.code(), "s__energy_per_rev"), j1_energy, "J1 能耗");
    assert_close(
        num_of(&ev, &j2.code(), "s__energy_per_rev"),
        30.0 * 0.2,
        "J2 能耗（最高能耗得保底20%）",
    );
    // Totals: J1 = 8 + 6 + 22 = 36; J2 = 40 + 30 + 6 = 76; J3 = 24 + 18 + 30 = 72; J4 = 40 + 30 + 30 = 100.
    assert_close(num_of(&ev, &j1.code(), "total"), 36.0, "J1 总分");
    assert_close(num_of(&ev, &j2.code(), "total"), 76.0, "J2 总分");
    assert_close(num_of(&ev, &j3.code(), "total"), 72.0, "J3 总分");
    assert_close(num_of(&ev, &j4.code(), "total"), 100.0, "J4 总分");
    // Thresholds 80 / 60 / 40.
    assert_eq!(tier_of(&ev, &j4.code()), "A");
    assert_eq!(tier_of(&ev, &j2.code()), "B");
    assert_eq!(tier_of(&ev, &j3.code()), "B");
    assert_eq!(tier_of(&ev, &j1.code()), "D");
}
