//! 淮安 2024: benchmark = 2 × the county's previous-year average (from a file), ranking per
//! county with quotas 20/60/95, and T class for firms not evaluated.

use crate::common::*;

fn firm(n: u32, park: &str, scale: &str, land: f64, tax: f64, revenue: f64, kwh: f64) -> Firm {
    let mut f = Firm::new(n, scale);
    f.park = park.into();
    f.land = Some(land);
    f.tax = Some(tax);
    f.revenue = Some(revenue);
    f.electricity = Some(kwh);
    f
}

#[test]
fn huaian_2024_county_benchmarks_and_county_quotas() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h1 = firm(1, "清江浦区", "规上", 10.0, 100.0, 3000.0, 500.0);
    h1.events = vec!["高新技术企业".into()];
    let h2 = firm(2, "清江浦区", "规上", 20.0, 100.0, 2000.0, 1000.0);
    let h3 = firm(3, "清江浦区", "规上", 5.0, 200.0, 1000.0, 400.0);
    let h4 = firm(4, "淮安区", "规上", 10.0, 72.0, 2300.0, 360.0);
    let h5 = firm(5, "淮安区", "规下", 4.0, 10.0, 400.0, 100.0);
    let h6 = firm(6, "淮安区", "规下", 2.0, 10.0, 400.0, 100.0);
    let mut h7 = firm(7, "淮安区", "规上", 10.0, 10.0, 400.0, 100.0);
    h7.reg_date = "2023-05-01".into();
    let firms =
        vec![h1.clone(), h2.clone(), h3.clone(), h4.clone(), h5.clone(), h6.clone(), h7.clone()];
    write_year(dir.path(), &firms);
    let ev = evaluate(&shipped_rules("huaian_2024.toml"), dir.path());

    // 清江浦区 benchmarks: 2 × (8.5, 260, 0.21) = (17, 520, 0.42).
    let q = |tax_mu: f64, rev_mu: f64, tax_kwh: f64| {
        tax_mu / 17.0 * 45.0 + rev_mu / 520.0 * 35.0 + tax_kwh / 0.42 * 20.0
    };
    // 淮安区 benchmarks: 2 × (7.2, 230, 0.19) = (14.4, 460, 0.38).
    let h = |tax_mu: f64, rev_mu: f64, tax_kwh: f64| {
        tax_mu / 14.4 * 45.0 + rev_mu / 460.0 * 35.0 + tax_kwh / 0.38 * 20.0
    };
    assert_close(num_of(&ev, &h1.code(), "b__tax_per_mu"), 17.0, "清江浦区亩均税收基准");
    assert_close(num_of(&ev, &h4.code(), "b__sales_per_mu"), 460.0, "淮安区亩均销售收入基准");
    // H1: 100/10 = 10, 3000/10 = 300, 100/500 = 0.2; +2 高新技术企业.
    let t1 = round_to(q(10.0, 300.0, 0.2) + 2.0, 2);
    // H2: 100/20 = 5, 2000/20 = 100, 100/1000 = 0.1.
    let t2 = round_to(q(5.0, 100.0, 0.1), 2);
    // H3: 200/5 = 40, 1000/5 = 200, 200/400 = 0.5.
    let t3 = round_to(q(40.0, 200.0, 0.5), 2);
    // H4: 72/10 = 7.2, 2300/10 = 230, 72/360 = 0.2.
    let t4 = round_to(h(7.2, 230.0, 0.2), 2);
    // H5 (规下, 4 亩): 10/4 = 2.5, 400/4 = 100, 10/100 = 0.1.
    let t5 = round_to(h(2.5, 100.0, 0.1), 2);
    for (f, t) in [(&h1, t1), (&h2, t2), (&h3, t3), (&h4, t4), (&h5, t5)] {
        assert_close(num_of(&ev, &f.code(), "total"), t, &format!("{} 总分", f.name));
    }
    // 清江浦区, n = 3: H3 > H1 > H2; A ≤ floor(0.6) = 0, B ≤ floor(1.8) = 1, C ≤ floor(2.85) = 2.
    assert!(t3 > t1 && t1 > t2);
    assert_eq!(tier_of(&ev, &h3.code()), "B");
    assert_eq!(tier_of(&ev, &h1.code()), "C");
    assert_eq!(tier_of(&ev, &h2.code()), "D");
    // 淮安区, n = 2 (规上 and 规下 ranked together): B ≤ floor(1.2) = 1, C ≤ floor(1.9) = 1.
    assert!(t4 > t5);
    assert_eq!(tier_of(&ev, &h4.code()), "B");
    assert_eq!(tier_of(&ev, &h5.code()), "D");
    assert_eq!(num_of(&ev, &h5.code(), "rank_population"), Some(2.0));
    // T class.
    assert_eq!(not_evaluated(&ev, &h6.code()).2.as_deref(), Some("T"));
    let (cat, _, tier) = not_evaluated(&ev, &h7.code());
    assert_eq!((cat.as_str(), tier.as_deref()), ("暂缓评价", Some("T")));
}
