//! 黄岩 2022: fixed published benchmarks, the missing-emission rule (peer average item score),
//! the 规下 formula, and quota tiers — expected values computed by hand from the published
//! formula.

use crate::common::*;

fn year() -> (tempfile::TempDir, Vec<Firm>) {
    let dir = tempfile::tempdir().expect("tempdir");
    // A: 规上 with every figure.
    let mut a = Firm::new(1, "规上");
    a.land = Some(10.0);
    a.tax = Some(300.0);
    a.value_added = Some(1500.0);
    a.energy = Some(500.0);
    a.pollutants = [Some(0.1), Some(0.2), Some(0.0), Some(0.2)];
    a.employees = Some(100.0);
    a.rd = Some(60.0);
    a.revenue = Some(2000.0);
    // B: 规上 without emission data (all four pollutants blank).
    let mut b = Firm::new(2, "规上");
    b.land = Some(20.0);
    b.tax = Some(200.0);
    b.value_added = Some(2000.0);
    b.energy = Some(1000.0);
    b.pollutants = [None, None, None, None];
    b.employees = Some(200.0);
    b.rd = Some(20.0);
    b.revenue = Some(4000.0);
    // C: 规上, weaker.
    let mut c = Firm::new(3, "规上");
    c.land = Some(50.0);
    c.tax = Some(250.0);
    c.value_added = Some(2500.0);
    c.energy = Some(2500.0);
    c.pollutants = [Some(1.0), Some(1.0), Some(0.5), Some(0.5)];
    c.employees = Some(250.0);
    c.rd = Some(10.0);
    c.revenue = Some(5000.0);
    // D: 规下, 5 亩.
    let mut d = Firm::new(4, "规下");
    d.land = Some(5.0);
    d.tax = Some(40.0);
    d.electricity = Some(100.0);
    // E: 规下 below 3 亩: not evaluated.
    let mut e = Firm::new(5, "规下");
    e.land = Some(2.0);
    let firms = vec![a, b, c, d, e];
    write_year(dir.path(), &firms);
    (dir, firms)
}

#[test]
fn huangyan_2022_item_scores_totals_and_tiers() {
    let (dir, f) = year();
    let ev = evaluate(&shipped_rules("huangyan_2022.toml"), dir.path());
    let (a, b, c, d, e) = (f[0].code(), f[1].code(), f[2].code(), f[3].code(), f[4].code());

    // A: 亩均税收 300/10 = 30 → 30 ÷ 24.097 × 30
    let a_tax = 30.0 / 24.097 * 30.0;
    // 亩均增加值 1500/10 = 150 → 150 ÷ 136.16 × 20
    let a_va = 150.0 / 136.16 * 20.0;
    // 单位能耗增加值 1500/500 = 3 → 3 ÷ 2.694 × 20
    let a_en = 3.0 / 2.694 * 20.0;
    // 单位排放增加值 1500/(0.1+0.2+0+0.2) = 3000 → 3000 ÷ 4929.81 × 10
    let a_em = 3000.0 / 4929.81 * 10.0;
    // 全员劳动生产率 1500/100 = 15 → 15 ÷ 18.14 × 10
    let a_lp = 15.0 / 18.14 * 10.0;
    // R&D 60/2000 = 0.03 → 0.03 ÷ 0.0302 × 10
    let a_rd = 0.03 / 0.0302 * 10.0;
    assert_close(num_of(&ev, &a, "s__tax_per_mu"), a_tax, "A 亩均税收得分");
    assert_close(num_of(&ev, &a, "s__va_per_mu"), a_va, "A 亩均增加值得分");
    assert_close(num_of(&ev, &a, "s__va_per_energy"), a_en, "A 单位能耗增加值得分");
    assert_close(num_of(&ev, &a, "s__va_per_emission"), a_em, "A 单位排放增加值得分");
    assert_close(num_of(&ev, &a, "s__labour_productivity"), a_lp, "A 全员劳动生产率得分");
    assert_close(num_of(&ev, &a, "s__rd_ratio"), a_rd, "A 研发得分");
    assert_close(num_of(&ev, &a, "b__tax_per_mu"), 24.097, "A 亩均税收基准值");
    let a_total = round_to(a_tax + a_va + a_en + a_em + a_lp + a_rd, 2);
    assert_close(num_of(&ev, &a, "total"), a_total, "A 总分");

    // C: 单位排放增加值 2500/(1+1+0.5+0.5) = 833.333… → ÷ 4929.81 × 10
    let c_em = 2500.0 / 3.0 / 4929.81 * 10.0;
    assert_close(num_of(&ev, &c, "s__va_per_emission"), c_em, "C 单位排放增加值得分");
    // B has no emission data: the mean item score of the 规上 firms that have it, (A + C) / 2.
    assert_eq!(num_of(&ev, &b, "v__va_per_emission"), None, "B 无排放数据");
    assert_close(
        num_of(&ev, &b, "s__va_per_emission"),
        (a_em + c_em) / 2.0,
        "B 单位排放增加值得分取平均",
    );
    // B: 亩均税收 200/20 = 10; 亩均增加值 100; 能耗 2; 劳产率 10; R&D 20/4000 = 0.005
    let b_total = 10.0 / 24.097 * 30.0
        + 100.0 / 136.16 * 20.0
        + 2.0 / 2.694 * 20.0
        + (a_em + c_em) / 2.0
        + 10.0 / 18.14 * 10.0
        + 0.005 / 0.0302 * 10.0;
    assert_close(num_of(&ev, &b, "total"), round_to(b_total, 2), "B 总分");
    // C: 亩均税收 5; 亩均增加值 50; 能耗 1; 劳产率 10; R&D 10/5000 = 0.002
    let c_total = 5.0 / 24.097 * 30.0
        + 50.0 / 136.16 * 20.0
        + 1.0 / 2.694 * 20.0
        + c_em
        + 10.0 / 18.14 * 10.0
        + 0.002 / 0.0302 * 10.0;
    assert_close(num_of(&ev, &c, "total"), round_to(c_total, 2), "C 总分");

    // D (规下): 亩均税收 40/5 = 8 → 8 ÷ 11.5932 × 50; 单位电耗税收 40/100 = 0.4 → 0.4 ÷ 0.2352 × 50
    let d_total = 8.0 / 11.5932 * 50.0 + 0.4 / 0.2352 * 50.0;
    assert_close(num_of(&ev, &d, "total"), round_to(d_total, 2), "D 总分");

    // 规上 ranking: A (≈125) > B > C. Quotas 20/60/95 % of n = 3 (floor): A-tier limit 0.6 → 0 firms,
    // B limit 1.8 → rank 1, C limit 2.85 → rank 2, rank 3 → D.
    assert!(a_total > round_to(b_total, 2) && round_to(b_total, 2) > round_to(c_total, 2));
    assert_eq!(tier_of(&ev, &a), "B");
    assert_eq!(tier_of(&ev, &b), "C");
    assert_eq!(tier_of(&ev, &c), "D");
    // 规下 has one firm: limits 0.2/0.6/0.95 → 0 firms each, so the single firm is D.
    assert_eq!(tier_of(&ev, &d), "D");

    let (cat, reason, _) = not_evaluated(&ev, &e);
    assert_eq!(cat, "不在评价范围");
    assert!(reason.contains("不足3亩"), "{reason}");
    assert_eq!(ev.results.height() + ev.not_evaluated.height(), 5);
}
