//! 合肥高新区 2023: points against the group mean capped at 1.5 × weight, bonus capped at +10,
//! quotas 20/65/95 (inclusive, rounded down) with the 亩均税收 tie-break when tied firms straddle
//! the A/B boundary, exemption (managed as B: 44—46, 烟草 16, 军工 by tag) and deferral under 2
//! completed years of production; one-off taxes by pattern and no tax rows = tax 0.

use crate::common::*;

fn base(n: u32) -> Firm {
    let mut f = Firm::new(n, "规上");
    f.land = Some(10.0);
    f.tax = Some(100.0); // 10 /亩
    f.value_added = Some(300.0); // 30 /亩, 3 /人
    f.profit = Some(50.0); // 5 /亩
    f.employees = Some(100.0);
    f.rd = Some(20.0);
    f.revenue = Some(1000.0); // R&D 0.02
    f.energy = Some(100.0); // 营业收入/能耗 10
    f
}

fn star(n: u32, tax: f64) -> Firm {
    let mut f = base(n);
    f.tax = Some(tax);
    f.value_added = Some(3000.0); // 300 /亩, 30 /人
    f.profit = Some(500.0); // 50 /亩
    f.rd = Some(200.0); // 0.2
    f.energy = Some(10.0); // 100
    f
}

#[test]
fn hefei_2023_caps_bonus_cap_quotas_and_tax_tie_break() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Y has the smaller credit code but the lower 亩均税收: the tie-break must put X first.
    let x = star(12, 2000.0); // 200 /亩
    let y = star(11, 1500.0); // 150 /亩
    let o1 = base(1);
    let mut o2 = base(2);
    o2.tax = Some(50.0); // 5 /亩
    let mut o3 = base(3);
    o3.tax = Some(80.0); // 8 /亩
    o3.value_added = Some(240.0); // 24 /亩, 2.4 /人
    let mut o4 = base(4);
    o4.tax = Some(120.0); // 12 /亩
    o4.events = vec!["国家级绿色工厂".into(), "高新技术企业".into(), "专精特新\"小巨人\"".into()];
    let mut utility = base(20);
    utility.industry = "4411".into();
    let mut young = base(21);
    young.prod_date = "2023-03-01".into();
    let mut small = base(22);
    small.scale = "规下".into();
    small.land = Some(3.0);
    let firms = vec![
        x.clone(),
        y.clone(),
        o1.clone(),
        o2.clone(),
        o3.clone(),
        o4.clone(),
        utility.clone(),
        young.clone(),
        small.clone(),
    ];
    write_year(dir.path(), &firms);
    let ev = evaluate(&shipped_rules("hefei_gxq_2023.toml"), dir.path());

    // Group means over the six evaluated 规上 firms (X, Y, O1..O4):
    let m_tax = (200.0 + 150.0 + 10.0 + 5.0 + 8.0 + 12.0) / 6.0; // 64.1667
    let m_va = (300.0 + 300.0 + 30.0 + 30.0 + 24.0 + 30.0) / 6.0; // 119
    let m_profit = (50.0 + 50.0 + 5.0 * 4.0) / 6.0; // 20
    let m_head = (30.0 + 30.0 + 3.0 + 3.0 + 2.4 + 3.0) / 6.0; // 11.9
    let m_rd = (0.2 + 0.2 + 0.02 * 4.0) / 6.0; // 0.08
    let m_energy = (100.0 + 100.0 + 10.0 * 4.0) / 6.0; // 40
    assert_close(num_of(&ev, &x.code(), "b__tax_per_mu"), m_tax, "亩均税收基准（组平均）");
    assert_close(num_of(&ev, &x.code(), "b__va_per_head"), m_head, "人均增加值基准（组平均）");

    // X and Y exceed 1.5 × the mean on every indicator: every item is capped at 1.5 × weight,
    // so both total 1.5 × 100 = 150.
    assert_close(num_of(&ev, &x.code(), "s__va_per_mu"), 35.0 * 1.5, "X 亩均增加值封顶");
    assert_close(num_of(&ev, &x.code(), "total"), 150.0, "X 总分");
    assert_close(num_of(&ev, &y.code(), "total"), 150.0, "Y 总分");

    let items = |tax: f64, va: f64, head: f64| {
        tax / m_tax * 25.0
            + va / m_va * 35.0
            + 5.0 / m_profit * 10.0
            + head / m_head * 10.0
            + 0.02 / m_rd * 10.0
            + 10.0 / m_energy * 10.0
    };
    let t1 = round_to(items(10.0, 30.0, 3.0), 2);
    let t2 = round_to(items(5.0, 30.0, 3.0), 2);
    let t3 = round_to(items(8.0, 24.0, 2.4), 2);
    // O4: bonus 5 + 3 + 5 = 13, capped at 10.
    let t4 = round_to(items(12.0, 30.0, 3.0) + 10.0, 2);
    assert_close(num_of(&ev, &o4.code(), "bonus"), 10.0, "O4 加分封顶10分");
    assert_close(num_of(&ev, &o1.code(), "total"), t1, "O1 总分");
    assert_close(num_of(&ev, &o2.code(), "total"), t2, "O2 总分");
    assert_close(num_of(&ev, &o3.code(), "total"), t3, "O3 总分");
    assert_close(num_of(&ev, &o4.code(), "total"), t4, "O4 总分");
    assert!(t4 > t1 && t1 > t2 && t2 > t3, "ranking order O4 > O1 > O2 > O3: {t4} {t1} {t2} {t3}");

    // n = 6: A ≤ floor(0.20 × 6) = 1, B ≤ floor(0.65 × 6) = 3, C ≤ floor(0.95 × 6) = 5, then D.
    // Order: X (150, 亩均税收 200), Y (150, 150), O4, O1, O2, O3.
    assert_eq!(num_of(&ev, &x.code(), "rank"), Some(1.0));
    assert_eq!(num_of(&ev, &y.code(), "rank"), Some(2.0));
    assert_eq!(tier_of(&ev, &x.code()), "A");
    assert_eq!(tier_of(&ev, &y.code()), "B");
    assert_eq!(tier_of(&ev, &o4.code()), "B");
    assert_eq!(tier_of(&ev, &o1.code()), "C");
    assert_eq!(tier_of(&ev, &o2.code()), "C");
    assert_eq!(tier_of(&ev, &o3.code()), "D");

    let (cat, _, tier) = not_evaluated(&ev, &utility.code());
    assert_eq!((cat.as_str(), tier.as_deref()), ("免评", Some("B")));
    let (cat, reason, _) = not_evaluated(&ev, &young.code());
    assert_eq!(cat, "暂缓评价", "{reason}");
    let (cat, reason, _) = not_evaluated(&ev, &small.code());
    assert_eq!(cat, "不在评价范围");
    assert!(reason.contains("不足5亩"), "{reason}");
    assert_eq!(ev.results.height(), 6);
    assert_eq!(ev.not_evaluated.height(), 3);
}

#[test]
fn hefei_2023_scope_one_off_tax_no_tax_rows_and_the_anniversary() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 规上: every indicator but 亩均税收 equals the group mean (ratio 1: 35+10+10+10+10 = 75).
    // A1 went into production on 2021-12-31: exactly 2 completed years on 2023-12-31 (730 days,
    // which days / 365.25 = 1.9986 counted as younger than 2).
    let mut a1 = base(1);
    a1.tax = Some(150.0); // 15 /亩
    a1.prod_date = "2021-12-31".into();
    // A2: 增值税 100 counts; 房产土地转让一次性税收 400 does not (else 50 /亩).
    let mut a2 = base(2);
    a2.taxes = vec![("房产土地转让一次性税收".into(), 400.0)];
    // A3: no tax rows at all: tax 0, and it counts in the group mean.
    let mut a3 = base(3);
    a3.tax = None;
    let mut a4 = base(4);
    a4.tax = Some(200.0); // 20 /亩
    let mut a5 = base(5);
    a5.tax = Some(50.0); // 5 /亩
                         // Deferred: in production one day short of 2 years, although registered long ago.
    let mut young = base(20);
    young.prod_date = "2022-01-01".into();
    // Exempt, managed as B: a 军工 tag among others, and 烟草 (division 16).
    let mut military = base(21);
    military.tags = "高新、军工".into();
    let mut tobacco = base(22);
    tobacco.industry = "1620".into();
    // 规下 on exactly 5 亩 (in) and on 4.99 亩 (out).
    let mut g1 = base(30);
    g1.scale = "规下".into();
    g1.land = Some(5.0);
    g1.tax = Some(20.0); // 4 /亩
    g1.revenue = Some(250.0); // 50 /亩
    let mut g2 = base(31);
    g2.scale = "规下".into();
    g2.tax = Some(20.0); // 2 /亩 on 10 亩
    g2.revenue = Some(1000.0); // 100 /亩
    let mut small = g1.clone();
    small.n = 32;
    small.land = Some(4.99);
    let firms = [&a1, &a2, &a3, &a4, &a5, &young, &military, &tobacco, &g1, &g2, &small];
    write_year(dir.path(), &firms.map(Firm::clone));
    let ev = evaluate(&shipped_rules("hefei_gxq_2023.toml"), dir.path());

    assert_close(num_of(&ev, &a2.code(), "tax"), 100.0, "A2 一次性税收不计入");
    assert_close(num_of(&ev, &a3.code(), "tax"), 0.0, "A3 无税收记录按0计");
    // 亩均税收 mean over the five: (15 + 10 + 0 + 20 + 5) / 5 = 10; item = x / 10 × 25, cap 37.5.
    let m_tax = (15.0 + 10.0 + 0.0 + 20.0 + 5.0) / 5.0;
    assert_close(num_of(&ev, &a1.code(), "b__tax_per_mu"), m_tax, "亩均税收基准");
    let item = |x: f64| f64::min(x / m_tax * 25.0, 25.0 * 1.5);
    assert_close(num_of(&ev, &a1.code(), "s__tax_per_mu"), item(15.0), "A1 税收"); // 37.5
    assert_close(num_of(&ev, &a4.code(), "s__tax_per_mu"), 37.5, "A4 税收封顶"); // 50 → 37.5
    assert_close(num_of(&ev, &a3.code(), "s__tax_per_mu"), 0.0, "A3 税收0分");
    let rest = 35.0 + 10.0 + 10.0 + 10.0 + 10.0;
    let total = |x: f64| round_to(item(x) + rest, 2);
    for (f, x) in [(&a1, 15.0), (&a2, 10.0), (&a3, 0.0), (&a4, 20.0), (&a5, 5.0)] {
        assert_close(num_of(&ev, &f.code(), "total"), total(x), &format!("A{} 总分", f.n));
    }
    // A1 and A4 tie at 112.5 on the A/B line (n = 5: A ≤ floor(1.0) = 1, B ≤ floor(3.25) = 3,
    // C ≤ floor(4.75) = 4): 亩均税收 20 > 15 puts A4 first although A1 has the smaller code.
    // Then A2 100, A5 87.5, A3 75.
    assert_eq!(num_of(&ev, &a4.code(), "rank"), Some(1.0));
    assert_eq!(tier_of(&ev, &a4.code()), "A");
    assert_eq!(tier_of(&ev, &a1.code()), "B");
    assert_eq!(tier_of(&ev, &a2.code()), "B");
    assert_eq!(tier_of(&ev, &a5.code()), "C");
    assert_eq!(tier_of(&ev, &a3.code()), "D");

    // 规下: means 亩均税收 (4 + 2) / 2 = 3, 亩均营业收入 (50 + 100) / 2 = 75; weights 60 / 40.
    let g1_total = 4.0 / 3.0 * 60.0 + 50.0 / 75.0 * 40.0; // 80 + 26.67
    let g2_total = 2.0 / 3.0 * 60.0 + 100.0 / 75.0 * 40.0; // 40 + 53.33
    assert_close(num_of(&ev, &g1.code(), "total"), round_to(g1_total, 2), "5亩规下总分");
    assert_close(num_of(&ev, &g2.code(), "total"), round_to(g2_total, 2), "规下总分");

    let (cat, reason, _) = not_evaluated(&ev, &young.code());
    assert_eq!(cat, "暂缓评价", "{reason}");
    assert!(reason.contains("投产不满2年"), "{reason}");
    for (f, word) in [(&military, "军工"), (&tobacco, "烟草")] {
        let (cat, reason, tier) = not_evaluated(&ev, &f.code());
        assert_eq!((cat.as_str(), tier.as_deref()), ("免评", Some("B")), "{}", f.n);
        assert!(reason.contains(word), "{reason}");
    }
    let (cat, reason, _) = not_evaluated(&ev, &small.code());
    assert_eq!(cat, "不在评价范围");
    assert!(reason.contains("不足5亩"), "{reason}");
    assert_eq!(ev.results.height(), 7);
    assert_eq!(ev.not_evaluated.height(), 4);
}
