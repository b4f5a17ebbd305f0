//! 黄岩 2022: fixed published benchmarks, the missing-emission rule (peer average item score),
//! the 规下 formula, quota tiers with the 亩均税收 tie-break, and the scope and tax rules the file
//! assumes (免评 44–46, 暂缓 under 2 full years, 规下 from 3 亩, no one-off taxes) — expected
//! values computed by hand from the published formula.

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

/// Scope as this file assumes it: 免评 for divisions 44–46, 暂缓 for less than 2 full years of
/// production (the founding date without a 投产日期), 规下 from 3 亩. The 规上 firms all have the
/// default figures, so every evaluated one has the same total.
#[test]
fn huangyan_2022_exempt_suppliers_deferral_anniversary_and_land_threshold() {
    let dir = tempfile::tempdir().expect("tempdir");
    let with = |n: u32, f: &dyn Fn(&mut Firm)| {
        let mut x = Firm::new(n, "规上");
        f(&mut x);
        x
    };
    let power = with(1, &|f| f.industry = "4411".into());
    let water = with(2, &|f| f.industry = "4610".into());
    let repair = with(3, &|f| f.industry = "4320".into());
    // 2020-12-31 → 2022-12-31: exactly 2 years, evaluated. The span has no 29 February: 730 days,
    // and the old days ÷ 365.25 = 1.9986 would have deferred it. One day later it is deferred.
    let prod_2y = with(4, &|f| f.prod_date = "2020-12-31".into());
    let prod_short = with(5, &|f| f.prod_date = "2021-01-01".into());
    // Without 投产日期 the founding date counts, with the same anniversary rule.
    let reg_2y = with(6, &|f| f.reg_date = "2020-12-31".into());
    let reg_short = with(7, &|f| f.reg_date = "2021-01-01".into());
    // 规下: exactly 3 亩 is in; 2.99 亩 is out.
    let mut small_in = Firm::new(8, "规下");
    small_in.land = Some(3.0);
    small_in.tax = Some(24.0);
    small_in.electricity = Some(120.0);
    let mut small_out = small_in.clone();
    small_out.n = 9;
    small_out.name = "测试企业09有限公司".into();
    small_out.land = Some(2.99);
    let firms: Vec<Firm> = [
        &power,
        &water,
        &repair,
        &prod_2y,
        &prod_short,
        &reg_2y,
        &reg_short,
        &small_in,
        &small_out,
    ]
    .into_iter()
    .cloned()
    .collect();
    write_year(dir.path(), &firms);
    let ev = evaluate(&shipped_rules("huangyan_2022.toml"), dir.path());

    // Default 规上 figures: land 10, tax 100, value added 300, energy 100, pollutants 4 × 0.1,
    // 100 employees, R&D 20, revenue 1000.
    let gs = round_to(
        10.0 / 24.097 * 30.0
            + 30.0 / 136.16 * 20.0
            + 3.0 / 2.694 * 20.0
            + (300.0 / 0.4) / 4929.81 * 10.0
            + 3.0 / 18.14 * 10.0
            + 0.02 / 0.0302 * 10.0,
        2,
    );
    for f in [&repair, &prod_2y, &reg_2y] {
        assert_close(num_of(&ev, &f.code(), "total"), gs, &format!("{} 总分", f.name));
    }
    // 规下 3 亩: 24/3 = 8 → 8 ÷ 11.5932 × 50; 24/120 = 0.2 → 0.2 ÷ 0.2352 × 50.
    let gx = round_to(8.0 / 11.5932 * 50.0 + 0.2 / 0.2352 * 50.0, 2);
    assert_close(num_of(&ev, &small_in.code(), "total"), gx, "规下3亩 总分");
    assert_eq!(ev.results.height(), 4);

    for f in [&power, &water] {
        let (cat, reason, tier) = not_evaluated(&ev, &f.code());
        assert_eq!((cat.as_str(), tier), ("免评", None), "{}", f.industry);
        assert!(reason.contains("44—46"), "{reason}");
    }
    for f in [&prod_short, &reg_short] {
        let (cat, reason, _) = not_evaluated(&ev, &f.code());
        assert_eq!(cat, "暂缓评价", "{}", f.name);
        assert!(reason.contains("未满2年"), "{reason}");
    }
    let (cat, _, _) = not_evaluated(&ev, &small_out.code());
    assert_eq!(cat, "不在评价范围");
    assert_eq!(ev.not_evaluated.height(), 5);
}

/// 规下 group of six: the tax basket without one-off taxes, a firm without tax rows, one without
/// electricity, and two firms whose totals tie at two decimals on the A/B boundary.
#[test]
fn huangyan_2022_tax_basket_zero_denominators_and_tie_break() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gx = |n: u32, land: f64, tax: f64, kwh: f64| {
        let mut f = Firm::new(n, "规下");
        f.land = Some(land);
        f.tax = Some(tax);
        f.electricity = Some(kwh);
        f
    };
    let item = |tax_mu: f64, tax_kwh: f64| tax_mu / 11.5932 * 50.0 + tax_kwh / 0.2352 * 50.0;
    // G2 (lower credit code): 51/10 = 5.1, 51/150 = 0.34 → 21.995 + 72.279 = 94.2746 → 94.27.
    let g2 = gx(1, 10.0, 51.0, 150.0);
    // G1: 120/10 = 12, 120/600 = 0.2 → 51.754 + 42.517 = 94.2715 → 94.27.
    let g1 = gx(2, 10.0, 120.0, 600.0);
    // 增值税 40 counts; 政策性搬迁一次性税收 300, 房产土地转让一次性税收 50, 稽查查补 10 do not:
    // 40/10 = 4, 40/200 = 0.2.
    let mut one_off = gx(3, 10.0, 40.0, 200.0);
    one_off.taxes = vec![
        ("政策性搬迁一次性税收".into(), 300.0),
        ("房产土地转让一次性税收".into(), 50.0),
        ("稽查查补".into(), 10.0),
    ];
    // No row in 税收: tax 0 → both items 0 points.
    let mut no_tax = gx(4, 10.0, 0.0, 100.0);
    no_tax.tax = None;
    // No electricity: 50/0 cannot be computed, that item is 0 points; 50/10 = 5.
    let no_kwh = gx(5, 10.0, 50.0, 0.0);
    // 3 亩: 24/3 = 8, 24/120 = 0.2.
    let small = gx(6, 3.0, 24.0, 120.0);
    let firms: Vec<Firm> =
        [&g2, &g1, &one_off, &no_tax, &no_kwh, &small].into_iter().cloned().collect();
    write_year(dir.path(), &firms);
    let ev = evaluate(&shipped_rules("huangyan_2022.toml"), dir.path());

    let s_g1 = round_to(item(12.0, 0.2), 2);
    let s_g2 = round_to(item(5.1, 0.34), 2);
    assert!(item(5.1, 0.34) > item(12.0, 0.2), "unrounded, G2 is ahead");
    assert_eq!(s_g1, s_g2, "tie at two decimals");
    let s_one_off = round_to(item(4.0, 0.2), 2); // 17.25 + 42.52 = 59.77
    let s_no_tax = round_to(item(0.0, 0.0), 2); // 0
    let s_no_kwh = round_to(5.0 / 11.5932 * 50.0, 2); // 21.56
    let s_small = round_to(item(8.0, 0.2), 2); // 34.50 + 42.52 = 77.02
    let expected = [
        (&g1, s_g1),
        (&g2, s_g2),
        (&one_off, s_one_off),
        (&no_tax, s_no_tax),
        (&no_kwh, s_no_kwh),
        (&small, s_small),
    ];
    for (f, t) in expected {
        assert_close(num_of(&ev, &f.code(), "total"), t, &format!("{} 总分", f.name));
    }
    assert_close(num_of(&ev, &one_off.code(), "v__tax_per_mu"), 4.0, "一次性税收不计入");
    assert_close(num_of(&ev, &no_tax.code(), "v__tax_per_mu"), 0.0, "无税收记录按0计");
    assert_close(num_of(&ev, &no_tax.code(), "s__tax_per_kwh"), 0.0, "无税收记录电耗税收得分");
    assert_eq!(num_of(&ev, &no_kwh.code(), "v__tax_per_kwh"), None, "用电量为0无法计算");
    assert_close(num_of(&ev, &no_kwh.code(), "s__tax_per_kwh"), 0.0, "用电量为0该项0分");

    // n = 6: A ≤ floor(1.2) = 1, B ≤ floor(3.6) = 3, C ≤ floor(5.7) = 5, D the rest.
    // G1 = G2 (94.27; G1 first on 亩均税收 12 > 5.1), 3亩 77.02, 一次性 59.77, 无电耗 21.56, 无税 0.
    assert!(s_small > s_one_off && s_one_off > s_no_kwh && s_no_kwh > s_no_tax);
    assert_eq!(num_of(&ev, &g1.code(), "rank"), Some(1.0));
    assert_eq!(tier_of(&ev, &g1.code()), "A");
    assert_eq!(tier_of(&ev, &g2.code()), "B");
    assert_eq!(tier_of(&ev, &small.code()), "B");
    assert_eq!(tier_of(&ev, &one_off.code()), "C");
    assert_eq!(tier_of(&ev, &no_kwh.code()), "C");
    assert_eq!(tier_of(&ev, &no_tax.code()), "D");
}
