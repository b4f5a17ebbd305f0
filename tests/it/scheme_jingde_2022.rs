//! 旌德 2022: 规上 (7 indicators) and 规下 (3) scored by min–max within their own group,
//! item = weight × [20 + 80 × (x − min)/(max − min)] / 100, ranked per group with quotas
//! 20 / 70 / 95 and the 亩均税收 tie-break; utilities, 垃圾焚烧 and 污水处理 exempt, 暂缓 under
//! 2 completed years of production, one-off taxes by pattern, no tax rows = tax 0.

use crate::common::*;

/// A min–max item: weight × (0.2 + 0.8 × (x − min) / (max − min)).
fn mm(weight: f64, x: f64, min: f64, max: f64) -> f64 {
    weight * (20.0 + 80.0 * (x - min) / (max - min)) / 100.0
}

/// A 规上 firm on 10 亩 with 100 employees and a single pollutant figure (万元 and 吨).
#[allow(clippy::too_many_arguments)]
fn gs(
    n: u32,
    tax: Option<f64>,
    revenue: f64,
    tech: Option<f64>,
    va: f64,
    pollutant: Option<f64>,
    rd: f64,
    energy: f64,
) -> Firm {
    let mut f = Firm::new(n, "规上");
    f.land = Some(10.0);
    f.tax = tax;
    f.revenue = Some(revenue);
    f.tech_investment = tech;
    f.value_added = Some(va);
    f.employees = Some(100.0);
    f.pollutants = [pollutant, None, None, None];
    f.rd = Some(rd);
    f.energy = Some(energy);
    f
}

/// A 规下 firm: land, tax, revenue, energy and a single pollutant figure.
fn gx(n: u32, land: f64, tax: f64, revenue: f64, energy: f64, pollutant: Option<f64>) -> Firm {
    let mut f = Firm::new(n, "规下");
    f.land = Some(land);
    f.tax = Some(tax);
    f.revenue = Some(revenue);
    f.energy = Some(energy);
    f.pollutants = [pollutant, None, None, None];
    f
}

#[test]
fn jingde_2022_two_minmax_populations_scope_and_quota_tie_break() {
    let dir = tempfile::tempdir().expect("tempdir");
    // ---- 规上: per 亩 on 10 亩, per head on 100 employees ----
    // G1: 亩均税收 10, 营收 100/亩, 技改 blank (= 0), 劳产率 3, 排放 1000/0.5 = 2000, 研发 0.02, 能耗 10.
    let g1 = gs(1, Some(100.0), 1000.0, None, 300.0, Some(0.5), 20.0, 100.0);
    // G2: the best on every indicator: 30, 200, 20/亩, 6, 4000, 0.05, 20.
    let g2 = gs(2, Some(300.0), 2000.0, Some(200.0), 600.0, Some(0.5), 100.0, 100.0);
    // G3: 增值税 200 counted, 房产土地转让一次性税收 500 not (else 70/亩, the group's max);
    // 营收 150, 技改 10/亩, 劳产率 4.5, no emission data (peer mean), 研发 0.03, 能耗 15.
    let mut g3 = gs(3, Some(200.0), 1500.0, Some(100.0), 450.0, None, 45.0, 100.0);
    g3.taxes = vec![("房产土地转让一次性税收".into(), 500.0)];
    // G4: no tax rows at all (tax 0, the group's min), 营收 100, 技改 5/亩, 劳产率 3,
    // 排放 1000/1 = 1000, 研发 0.01, and no energy use (revenue / 0: 0 points on that item).
    let g4 = gs(4, None, 1000.0, Some(50.0), 300.0, Some(1.0), 10.0, 0.0);
    // G5: in production exactly 2 years on 2022-12-31 (730 days: days / 365.25 = 1.9986 would
    // defer it). 15/亩, 营收 125, 技改 0, 劳产率 3.75, 排放 1250/0.5 = 2500, 研发 0.02, 能耗 12.5.
    let mut g5 = gs(5, Some(150.0), 1250.0, Some(0.0), 375.0, Some(0.5), 25.0, 100.0);
    g5.prod_date = "2020-12-31".into();

    // ---- 规下: min and max from 规下 firms only ----
    // S1 on exactly 5 亩: 亩均税收 1, 能耗 100/50 = 2, 排放 100/1 = 100 (the group's minima).
    let s1 = gx(10, 5.0, 5.0, 100.0, 50.0, Some(1.0));
    let s3 = gx(13, 10.0, 60.0, 500.0, 100.0, Some(1.0)); // 6, 5, 500
    let s4 = gx(14, 10.0, 30.0, 300.0, 100.0, Some(1.0)); // 3, 3, 300
    let s5 = gx(15, 8.0, 16.0, 200.0, 50.0, Some(1.0)); // 2, 4, 200
                                                        // SY (smaller credit code) and SX tie on the total; no emission data for either.
    let sy = gx(30, 10.0, 80.0, 1000.0, 100.0, None); // 8, 10
    let sx = gx(31, 10.0, 110.0, 600.0, 100.0, None); // 11, 6
    let below = gx(16, 4.99, 50.0, 500.0, 50.0, Some(1.0));

    // ---- not evaluated ----
    let mut young = gs(20, Some(100.0), 1000.0, None, 300.0, Some(0.5), 20.0, 100.0);
    young.prod_date = "2021-01-01".into(); // one day short of 2 years
    let mut young_reg = young.clone();
    young_reg.n = 21;
    young_reg.prod_date = String::new();
    young_reg.reg_date = "2021-06-30".into(); // no 投产日期: 成立日期 decides
    let mut sewage = young.clone();
    sewage.n = 22;
    sewage.prod_date = String::new();
    sewage.tags = "环保、污水处理".into();
    let mut water = sewage.clone();
    water.n = 23;
    water.tags = String::new();
    water.industry = "4520".into(); // 污水处理及其再生利用, division 45
    let mut waste = sewage.clone();
    waste.n = 24;
    waste.tags = "垃圾焚烧".into();

    let firms = [
        &g1, &g2, &g3, &g4, &g5, &s1, &s3, &s4, &s5, &sy, &sx, &below, &young, &young_reg, &sewage,
        &water, &waste,
    ];
    write_year(dir.path(), &firms.map(Firm::clone));
    let ev = evaluate(&shipped_rules("jingde_2022.toml"), dir.path());

    // ---- 规上 items ----
    assert_close(num_of(&ev, &g3.code(), "tax"), 200.0, "G3 一次性税收不计入");
    assert_close(num_of(&ev, &g4.code(), "tax"), 0.0, "G4 无税收记录按0计");
    // 亩均税收 (30): min 0 (G4), max 30 (G2).
    assert_close(num_of(&ev, &g1.code(), "min__tax_per_mu"), 0.0, "规上税收最小值");
    assert_close(num_of(&ev, &g1.code(), "max__tax_per_mu"), 30.0, "规上税收最大值");
    let tax = |x: f64| mm(30.0, x, 0.0, 30.0);
    // 亩均营业收入 (15): 100 .. 200.
    let rev = |x: f64| mm(15.0, x, 100.0, 200.0);
    // 亩均技术改造投资 (10): 0 .. 20; a blank counts as 0 and still gets the 20 % floor.
    let tech = |x: f64| mm(10.0, x, 0.0, 20.0);
    // 全员劳动生产率 (10): 3 .. 6.
    let lab = |x: f64| mm(10.0, x, 3.0, 6.0);
    // 单位污染物排放营业收入 (10): 1000 .. 4000; G3 without data gets the mean of the others.
    let emi = |x: f64| mm(10.0, x, 1000.0, 4000.0);
    let emi_peer = (emi(2000.0) + emi(4000.0) + emi(1000.0) + emi(2500.0)) / 4.0;
    // 研发经费占营业收入比重 (10): 0.01 .. 0.05.
    let rd = |x: f64| mm(10.0, x, 0.01, 0.05);
    // 单位能耗营业收入 (15): 10 .. 20 among firms with energy use; G4 gets 0.
    let en = |x: f64| mm(15.0, x, 10.0, 20.0);

    assert_close(num_of(&ev, &g1.code(), "s__tax_per_mu"), tax(10.0), "G1 税收"); // 6 + 8 = 14
    assert_close(num_of(&ev, &g4.code(), "s__tax_per_mu"), 30.0 * 0.2, "G4 税收保底");
    assert_close(num_of(&ev, &g1.code(), "s__tech_per_mu"), 10.0 * 0.2, "G1 技改未填按0");
    assert_close(num_of(&ev, &g3.code(), "s__tech_per_mu"), tech(10.0), "G3 技改"); // 6
    assert_close(num_of(&ev, &g3.code(), "s__rev_per_emission"), emi_peer, "G3 排放取平均");
    assert_close(num_of(&ev, &g4.code(), "s__rev_per_energy"), 0.0, "G4 无能耗该项0分");
    assert_close(num_of(&ev, &g5.code(), "s__labour_productivity"), lab(3.75), "G5 劳产率"); // 4

    let t1 = tax(10.0) + rev(100.0) + tech(0.0) + lab(3.0) + emi(2000.0) + rd(0.02) + en(10.0);
    let t2 = 100.0; // the maximum of every indicator: the full weights, 30+15+10+10+10+10+15
    let t3 = tax(20.0) + rev(150.0) + tech(10.0) + lab(4.5) + emi_peer + rd(0.03) + en(15.0);
    let t4 = tax(0.0) + rev(100.0) + tech(5.0) + lab(3.0) + emi(1000.0) + rd(0.01) + 0.0;
    let t5 = tax(15.0) + rev(125.0) + tech(0.0) + lab(3.75) + emi(2500.0) + rd(0.02) + en(12.5);
    // 14 + 3 + 2 + 2 + 4.67 + 4 + 3 = 32.67; 22 + 9 + 6 + 6 + 5.67 + 6 + 9 = 63.67;
    // 6 + 3 + 4 + 2 + 2 + 2 + 0 = 19; 18 + 6 + 2 + 4 + 6 + 4 + 6 = 46.
    for (f, t, what) in [(&g1, t1, "G1"), (&g2, t2, "G2"), (&g3, t3, "G3"), (&g4, t4, "G4")] {
        assert_close(num_of(&ev, &f.code(), "total"), round_to(t, 2), &format!("{what} 总分"));
    }
    assert_close(num_of(&ev, &g5.code(), "total"), round_to(t5, 2), "G5 总分");
    // n = 5: A rank ≤ floor(0.2 × 5) = 1, B ≤ floor(0.7 × 5) = 3, C ≤ floor(0.95 × 5) = 4.
    // Order G2 100, G3 63.67, G5 46, G1 32.67, G4 19.
    assert_eq!(tier_of(&ev, &g2.code()), "A");
    assert_eq!(tier_of(&ev, &g3.code()), "B");
    assert_eq!(tier_of(&ev, &g5.code()), "B");
    assert_eq!(tier_of(&ev, &g1.code()), "C");
    assert_eq!(tier_of(&ev, &g4.code()), "D");

    // ---- 规下 items: min and max over the six 规下 firms only ----
    // 亩均税收 1 .. 11 (规上's 0 .. 30 play no part).
    assert_close(num_of(&ev, &s1.code(), "min__tax_per_mu"), 1.0, "规下税收最小值");
    assert_close(num_of(&ev, &s1.code(), "max__tax_per_mu"), 11.0, "规下税收最大值");
    let xt = |x: f64| mm(50.0, x, 1.0, 11.0);
    let xe = |x: f64| mm(30.0, x, 2.0, 10.0); // 单位能耗营业收入 2 .. 10
    let xp = |x: f64| mm(20.0, x, 100.0, 500.0); // 单位污染物排放营业收入 100 .. 500
    let peer = (xp(100.0) + xp(500.0) + xp(300.0) + xp(200.0)) / 4.0; // (4 + 20 + 12 + 8) / 4 = 11
    assert_close(num_of(&ev, &s1.code(), "s__tax_per_mu"), 50.0 * 0.2, "S1 税收保底");
    assert_close(num_of(&ev, &s3.code(), "s__tax_per_mu"), xt(6.0), "S3 税收"); // 30
    assert_close(num_of(&ev, &s3.code(), "s__rev_per_energy"), xe(5.0), "S3 能耗"); // 15
    assert_close(num_of(&ev, &sx.code(), "s__rev_per_emission"), peer, "SX 排放取平均");
    let x1 = xt(1.0) + xe(2.0) + xp(100.0); // 10 + 6 + 4 = 20
    let x3 = xt(6.0) + xe(5.0) + xp(500.0); // 30 + 15 + 20 = 65
    let x4 = xt(3.0) + xe(3.0) + xp(300.0); // 18 + 9 + 12 = 39
    let x5 = xt(2.0) + xe(4.0) + xp(200.0); // 14 + 12 + 8 = 34
    let xy = xt(8.0) + xe(10.0) + peer; // 38 + 30 + 11 = 79
    let xx = xt(11.0) + xe(6.0) + peer; // 50 + 18 + 11 = 79
    assert_close(Some(round_to(xx, 2)), round_to(xy, 2), "SX 与 SY 同分");
    for (f, t, what) in [
        (&s1, x1, "S1"),
        (&s3, x3, "S3"),
        (&s4, x4, "S4"),
        (&s5, x5, "S5"),
        (&sx, xx, "SX"),
        (&sy, xy, "SY"),
    ] {
        assert_close(num_of(&ev, &f.code(), "total"), round_to(t, 2), &format!("{what} 总分"));
    }
    // n = 6: A ≤ floor(1.2) = 1, B ≤ floor(4.2) = 4, C ≤ floor(5.7) = 5. SX and SY tie at 79
    // across the A/B line: 亩均税收 11 > 8 puts SX first although SY has the smaller code.
    assert_eq!(num_of(&ev, &sx.code(), "rank"), Some(1.0));
    assert_eq!(num_of(&ev, &sy.code(), "rank"), Some(2.0));
    assert_eq!(tier_of(&ev, &sx.code()), "A");
    assert_eq!(tier_of(&ev, &sy.code()), "B");
    assert_eq!(tier_of(&ev, &s3.code()), "B");
    assert_eq!(tier_of(&ev, &s4.code()), "B");
    assert_eq!(tier_of(&ev, &s5.code()), "C");
    assert_eq!(tier_of(&ev, &s1.code()), "D");

    // ---- not evaluated ----
    let (cat, reason, _) = not_evaluated(&ev, &below.code());
    assert_eq!(cat, "不在评价范围");
    assert!(reason.contains("不足5亩"), "{reason}");
    for f in [&young, &young_reg] {
        let (cat, reason, _) = not_evaluated(&ev, &f.code());
        assert_eq!(cat, "暂缓评价", "{}: {reason}", f.n);
        assert!(reason.contains("投产不满2年"), "{reason}");
    }
    for (f, word) in [(&sewage, "污水处理"), (&water, "给排水"), (&waste, "垃圾焚烧")] {
        let (cat, reason, tier) = not_evaluated(&ev, &f.code());
        assert_eq!((cat.as_str(), tier), ("免评", None), "{}", f.n);
        assert!(reason.contains(word), "{reason}");
    }
    assert_eq!(ev.results.height(), 11);
    assert_eq!(ev.not_evaluated.height(), 6);
}

#[test]
fn jingde_2022_equal_values_give_full_weight() {
    // Nobody reports 技术改造投资: every 规上 firm has 0 /亩, min = max, and each gets the full 10.
    let dir = tempfile::tempdir().expect("tempdir");
    let a = gs(1, Some(100.0), 1000.0, None, 300.0, Some(0.5), 20.0, 100.0);
    let b = gs(2, Some(300.0), 2000.0, None, 600.0, Some(0.5), 100.0, 100.0);
    write_year(dir.path(), &[a.clone(), b.clone()]);
    let ev = evaluate(&shipped_rules("jingde_2022.toml"), dir.path());
    assert_close(num_of(&ev, &a.code(), "s__tech_per_mu"), 10.0, "A 技改（全组相同得满分）");
    assert_close(num_of(&ev, &b.code(), "s__tech_per_mu"), 10.0, "B 技改（全组相同得满分）");
    // B is best on everything else too: 100; A the lowest everywhere: 20 % of the other 90 + 10.
    assert_close(num_of(&ev, &b.code(), "total"), 100.0, "B 总分");
    assert_close(num_of(&ev, &a.code(), "total"), 0.2 * 90.0 + 10.0, "A 总分");
}
