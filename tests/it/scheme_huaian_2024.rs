//! 淮安 2024: benchmark = 2 × the county's previous-year average (from a file), ranking per
//! county (规上 and 规下 together) with quotas 20/60/95, T class for the 水电气 suppliers and for
//! firms in production less than 2 years, the tax basket without one-off taxes, and the
//! 亩均税收 tie-break on a quota boundary — expected values computed by hand.

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

/// 淮阴区 benchmarks: 2 × (6.8, 210, 0.18) = (13.6, 420, 0.36).
fn huaiyin(tax_mu: f64, rev_mu: f64, tax_kwh: f64) -> f64 {
    tax_mu / 13.6 * 45.0 + rev_mu / 420.0 * 35.0 + tax_kwh / 0.36 * 20.0
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
    // Founded 2023-05-01, no 投产日期: by the founding date, 1 full year < 2 → T.
    let mut h7 = firm(7, "淮安区", "规上", 10.0, 10.0, 400.0, 100.0);
    h7.reg_date = "2023-05-01".into();
    let firms: Vec<Firm> = [&h1, &h2, &h3, &h4, &h5, &h6, &h7].into_iter().cloned().collect();
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
    // 规下 below 3 亩: outside the evaluation, not T (T is for suppliers and young firms only).
    let (cat, reason, tier) = not_evaluated(&ev, &h6.code());
    assert_eq!((cat.as_str(), tier), ("不在评价范围", None));
    assert!(reason.contains("不足3亩"), "{reason}");
    let (cat, _, tier) = not_evaluated(&ev, &h7.code());
    assert_eq!((cat.as_str(), tier.as_deref()), ("暂缓评价", Some("T")));
}

/// Who is T, who is out, who is in: every firm of 淮阴区 has the same per-mu figures
/// (亩均税收 6.8, 亩均销售收入 210, 单位电耗税收 0.2), so every evaluated firm has one total.
#[test]
fn huaian_2024_t_class_production_anniversary_and_land_threshold() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 10 亩: tax 68, revenue 2100, 340 万千瓦时 → 6.8, 210, 0.2.
    let same = |n: u32, scale: &str| firm(n, "淮阴区", scale, 10.0, 68.0, 2100.0, 340.0);
    let with = |n: u32, f: &dyn Fn(&mut Firm)| {
        let mut x = same(n, "规上");
        f(&mut x);
        x
    };
    // 水、电、气 suppliers: divisions 44, 45, 46 → T; 43 (设备修理) is evaluated.
    let power = with(1, &|f| f.industry = "4411".into());
    let gas = with(2, &|f| f.industry = "4511".into());
    let water = with(3, &|f| f.industry = "4610".into());
    let repair = with(4, &|f| f.industry = "4320".into());
    // Production reaches exactly 2 years on 2024-12-31: evaluated. Founded 2022-06-01, so the old
    // file (registration < 3 years) would have made it T. One day later it is T.
    let prod_2y = with(5, &|f| {
        f.reg_date = "2022-06-01".into();
        f.prod_date = "2022-12-31".into();
    });
    let prod_short = with(6, &|f| f.prod_date = "2023-01-01".into());
    // A production date decides even when the founding date is old (2010-03-01).
    assert_eq!(prod_short.reg_date, "2010-03-01");
    // Without 投产日期 the founding date counts, with the same anniversary rule.
    let reg_2y = with(7, &|f| f.reg_date = "2022-12-31".into());
    let reg_short = with(8, &|f| f.reg_date = "2023-01-01".into());
    // 规下 on the threshold: 3 亩 is in (tax 20.4, revenue 630, 102 万千瓦时 → 6.8, 210, 0.2);
    // 2.99 亩 is out. A 规上 firm has no land threshold.
    let small_in = firm(9, "淮阴区", "规下", 3.0, 20.4, 630.0, 102.0);
    let small_out = firm(10, "淮阴区", "规下", 2.99, 20.33, 627.9, 101.65);
    let big_small = firm(11, "淮阴区", "规上", 2.0, 13.6, 420.0, 68.0);
    let no_land = with(12, &|f| f.land = None);
    let firms: Vec<Firm> = [
        &power,
        &gas,
        &water,
        &repair,
        &prod_2y,
        &prod_short,
        &reg_2y,
        &reg_short,
        &small_in,
        &small_out,
        &big_small,
        &no_land,
    ]
    .into_iter()
    .cloned()
    .collect();
    write_year(dir.path(), &firms);
    let ev = evaluate(&shipped_rules("huaian_2024.toml"), dir.path());

    let total = round_to(huaiyin(6.8, 210.0, 0.2), 2); // 22.5 + 17.5 + 11.11 = 51.11
    assert_close(Some(total), 51.11, "淮阴区同值企业总分");
    let evaluated = [&repair, &prod_2y, &reg_2y, &small_in, &big_small];
    for f in evaluated {
        assert_close(num_of(&ev, &f.code(), "total"), total, &format!("{} 总分", f.name));
    }
    assert_eq!(ev.results.height(), evaluated.len());

    for f in [&power, &gas, &water] {
        let (cat, reason, tier) = not_evaluated(&ev, &f.code());
        assert_eq!((cat.as_str(), tier.as_deref()), ("免评", Some("T")), "{}", f.industry);
        assert!(reason.contains("水、电、气"), "{reason}");
    }
    for f in [&prod_short, &reg_short] {
        let (cat, reason, tier) = not_evaluated(&ev, &f.code());
        assert_eq!((cat.as_str(), tier.as_deref()), ("暂缓评价", Some("T")), "{}", f.name);
        assert!(reason.contains("投产不满2年"), "{reason}");
    }
    for f in [&small_out, &no_land] {
        let (cat, _, tier) = not_evaluated(&ev, &f.code());
        assert_eq!((cat.as_str(), tier), ("不在评价范围", None), "{}", f.name);
    }
    assert_eq!(ev.not_evaluated.height(), 7);
}

/// The anniversary rule where days ÷ 365.25 fails: the same file for the year 2023. From
/// 2021-12-31 to 2023-12-31 are 730 days (no 29 February), 730 / 365.25 = 1.9986 < 2, so the
/// old ages deferred a firm that had completed 2 years. (In 2024 the span holds 29 February 2024:
/// 731 / 365.25 = 2.0014, so there the old ages happened to agree.)
#[test]
fn huaian_2024_rules_applied_to_2023_count_completed_years() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(shipped_rules("huaian_2024.toml")).expect("rules");
    assert!(text.contains("year = 2024\n"));
    let rules_dir = dir.path().join("rules");
    std::fs::create_dir_all(&rules_dir).expect("mkdir");
    let csv = std::fs::read_to_string(shipped_rules("huaian_2023_averages.csv")).expect("csv");
    write_file(&rules_dir, "huaian_2023_averages.csv", &csv);
    let mut in_2y = firm(1, "淮阴区", "规上", 10.0, 68.0, 2100.0, 340.0);
    in_2y.prod_date = "2021-12-31".into();
    let mut short = in_2y.clone();
    short.n = 2;
    short.name = "测试企业02有限公司".into();
    short.prod_date = "2022-01-01".into();
    write_year(dir.path(), &[in_2y.clone(), short.clone()]);
    let ev = evaluate_with(&text.replace("year = 2024\n", "year = 2023\n"), dir.path());
    assert_close(
        num_of(&ev, &in_2y.code(), "total"),
        round_to(huaiyin(6.8, 210.0, 0.2), 2),
        "满2年",
    );
    let (cat, _, tier) = not_evaluated(&ev, &short.code());
    assert_eq!((cat.as_str(), tier.as_deref()), ("暂缓评价", Some("T")));
}

/// One county of five: the tax basket without one-off taxes, a firm without tax rows, a firm
/// without electricity, and two firms tied on the A/B boundary.
#[test]
fn huaian_2024_tax_basket_zero_denominators_and_tie_break() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Tied pair: the lower credit code is the one with less 亩均税收, so without the tie-break
    // the code would put it first.
    // T2: 68/10 = 6.8, 6900/10 = 690, 68/340 = 0.2.
    let t2 = firm(1, "淮阴区", "规上", 10.0, 68.0, 6900.0, 340.0);
    // T1: 136/10 = 13.6, 4200/10 = 420, 136/680 = 0.2.
    let t1 = firm(2, "淮阴区", "规上", 10.0, 136.0, 4200.0, 680.0);
    // One-off taxes: 增值税 30 + 企业所得税 4 count; 政策性搬迁一次性税收 500, 股权转让一次性税收
    // 100 and 稽查查补 20 do not. 34/10 = 3.4, 2100/10 = 210, 34/170 = 0.2.
    let mut one_off = firm(3, "淮阴区", "规上", 10.0, 30.0, 2100.0, 170.0);
    one_off.taxes = vec![
        ("企业所得税".into(), 4.0),
        ("政策性搬迁一次性税收".into(), 500.0),
        ("股权转让一次性税收".into(), 100.0),
        ("稽查查补".into(), 20.0),
    ];
    // No row in 税收 at all: tax 0, so 亩均税收 and 单位电耗税收 are 0 (not missing).
    let mut no_tax = firm(4, "淮阴区", "规上", 10.0, 0.0, 4200.0, 300.0);
    no_tax.tax = None;
    // No electricity: 68/0 cannot be computed, that item is 0 points.
    let no_kwh = firm(5, "淮阴区", "规上", 10.0, 68.0, 2100.0, 0.0);
    let firms: Vec<Firm> = [&t2, &t1, &one_off, &no_tax, &no_kwh].into_iter().cloned().collect();
    write_year(dir.path(), &firms);
    let ev = evaluate(&shipped_rules("huaian_2024.toml"), dir.path());

    // T1: 13.6/13.6 × 45 + 420/420 × 35 + 0.2/0.36 × 20 = 45 + 35 + 11.11 = 91.11
    let s_t1 = round_to(huaiyin(13.6, 420.0, 0.2), 2);
    // T2: 6.8/13.6 × 45 + 690/420 × 35 + 0.2/0.36 × 20 = 22.5 + 57.5 + 11.11 = 91.11
    let s_t2 = round_to(huaiyin(6.8, 690.0, 0.2), 2);
    assert_eq!(s_t1, s_t2, "tie");
    // One-off: 3.4/13.6 × 45 + 210/420 × 35 + 0.2/0.36 × 20 = 11.25 + 17.5 + 11.11 = 39.86
    let s_one_off = round_to(huaiyin(3.4, 210.0, 0.2), 2);
    // No tax rows: 0 + 420/420 × 35 + 0 = 35
    let s_no_tax = round_to(huaiyin(0.0, 420.0, 0.0), 2);
    // No electricity: 6.8/13.6 × 45 + 210/420 × 35 + 0 = 22.5 + 17.5 = 40
    let s_no_kwh = round_to(6.8 / 13.6 * 45.0 + 210.0 / 420.0 * 35.0, 2);
    let expected =
        [(&t1, s_t1), (&t2, s_t2), (&one_off, s_one_off), (&no_tax, s_no_tax), (&no_kwh, s_no_kwh)];
    for (f, t) in expected {
        assert_close(num_of(&ev, &f.code(), "total"), t, &format!("{} 总分", f.name));
    }

    assert_close(num_of(&ev, &one_off.code(), "v__tax_per_mu"), 3.4, "一次性税收不计入");
    assert_close(num_of(&ev, &one_off.code(), "s__tax_per_mu"), 3.4 / 13.6 * 45.0, "亩均税收得分");
    assert_close(num_of(&ev, &no_tax.code(), "v__tax_per_mu"), 0.0, "无税收记录按0计");
    assert_close(num_of(&ev, &no_tax.code(), "s__tax_per_mu"), 0.0, "无税收记录亩均税收得分");
    assert_close(num_of(&ev, &no_tax.code(), "s__tax_per_kwh"), 0.0, "无税收记录电耗税收得分");
    // The register row is warned: no rows in 税收, tax counted as 0.
    let warned = ev.problems.iter().any(|p| {
        p.value == no_tax.code() && p.message.contains("税收") && p.action.contains("按 0 计")
    });
    assert!(warned, "{:#?}", ev.problems);
    assert_eq!(num_of(&ev, &no_kwh.code(), "v__tax_per_kwh"), None, "用电量为0无法计算");
    assert_close(num_of(&ev, &no_kwh.code(), "s__tax_per_kwh"), 0.0, "用电量为0该项0分");

    // n = 5: A ≤ floor(1.0) = 1, B ≤ floor(3.0) = 3, C ≤ floor(4.75) = 4, D the rest.
    // Ranking: T1 = T2 (91.11; T1 first on 亩均税收 13.6 > 6.8), 无电耗 40, 一次性 39.86, 无税 35.
    assert!(s_no_kwh > s_one_off && s_one_off > s_no_tax);
    assert_eq!(num_of(&ev, &t1.code(), "rank"), Some(1.0));
    assert_eq!(num_of(&ev, &t2.code(), "rank"), Some(2.0));
    assert_eq!(tier_of(&ev, &t1.code()), "A");
    assert_eq!(tier_of(&ev, &t2.code()), "B");
    assert_eq!(tier_of(&ev, &no_kwh.code()), "B");
    assert_eq!(tier_of(&ev, &one_off.code()), "C");
    assert_eq!(tier_of(&ev, &no_tax.code()), "D");
}
