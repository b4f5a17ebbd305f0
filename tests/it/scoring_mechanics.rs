//! Each scoring construct of the rule format on a small hand-made year, expected values worked
//! out by hand in the test.

use crate::common::*;

/// A rule file with one group `g` (all 规上 firms) holding `indicators`, plus `extra` sections.
fn rules(indicators: &str, tiers: &str, extra: &str) -> String {
    format!(
        r#"
[meta]
name = "测试规则"
year = 2024

[land]
modes = {{ "自有" = 1.0, "承租" = 1.0, "出租" = -1.0 }}

[tax]
exclude = ["稽查查补"]

{extra}

[[groups]]
id = "g"
name = "规上企业"
when = "scale = '规上'"
{indicators}

[tiers]
{tiers}
"#
    )
}

const QUOTA: &str = "quota = [0.25, 0.5, 0.75]";

fn ind(id: &str, formula: &str, weight: f64, more: &str) -> String {
    format!("\n[[groups.indicators]]\nid = \"{id}\"\nname = \"{id}\"\nformula = \"{formula}\"\nweight = {weight}\n{more}\n")
}

#[test]
fn reweight_scales_the_remaining_items() {
    let dir = tempfile::tempdir().unwrap();
    let a = Firm::new(1, "规上"); // tax 100, land 10, energy 100, va 300
    let mut b = Firm::new(2, "规上");
    b.energy = None; // missing → its 20 points are left out and the rest scaled by 100/80
    write_year(dir.path(), &[a.clone(), b.clone()]);
    let inds = ind("t", "tax / land_mu", 80.0, "benchmark = { value = 20 }")
        + &ind(
            "e",
            "value_added / energy",
            20.0,
            "benchmark = { value = 3 }\nmissing = \"reweight\"",
        );
    let ev = evaluate_with(&rules(&inds, QUOTA, ""), dir.path());
    // A: 10/20 × 80 = 40; 3/3 × 20 = 20 → 60.
    assert_close(num_of(&ev, &a.code(), "total"), 60.0, "A");
    // B: 10/20 × 80 = 40, scaled by 100 / (100 − 20) = 1.25 → 50.
    assert_close(num_of(&ev, &b.code(), "reweight"), 1.25, "B factor");
    assert_close(num_of(&ev, &b.code(), "total"), 50.0, "B");
}

#[test]
fn not_evaluated_when_a_required_indicator_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let a = Firm::new(1, "规上");
    let mut b = Firm::new(2, "规上");
    b.employees = None;
    write_year(dir.path(), &[a.clone(), b.clone()]);
    let inds = ind("lp", "value_added / employees", 100.0, "benchmark = { value = 3 }\nmissing = \"not_evaluated\"\nmissing_reason = \"缺少从业人员数据\"");
    let ev = evaluate_with(&rules(&inds, QUOTA, ""), dir.path());
    assert_close(num_of(&ev, &a.code(), "total"), 100.0, "A: 300/100 = 3 → 3/3 × 100");
    assert_eq!(
        not_evaluated(&ev, &b.code()),
        ("数据不全".to_string(), "缺少从业人员数据".to_string(), None)
    );
}

#[test]
fn caps_floors_and_lower_is_better() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Firm::new(1, "规上");
    a.tax = Some(500.0); // 50 /亩
    a.energy = Some(50.0); // energy per 万元 VA = 50/300
    let mut b = Firm::new(2, "规上");
    b.tax = Some(-20.0); // refund: negative → floored at 0
    b.energy = Some(900.0); // 3 per 万元 VA
    write_year(dir.path(), &[a.clone(), b.clone()]);
    let inds =
        ind("t", "tax / land_mu", 40.0, "benchmark = { value = 10 }\ncap_times_weight = 1.5")
            + &ind(
                "i",
                "energy / value_added",
                60.0,
                "method = \"lower_ratio\"\ndirection = \"lower\"\nbenchmark = { value = 1 }",
            );
    let ev = evaluate_with(&rules(&inds, QUOTA, ""), dir.path());
    // A: 50/10 × 40 = 200 → capped at 1.5 × 40 = 60; intensity 50/300 → (2 − 1/6) × 60 / 2 = 55.
    assert_close(num_of(&ev, &a.code(), "s__t"), 60.0, "A cap");
    assert_close(num_of(&ev, &a.code(), "s__i"), (2.0 - 50.0 / 300.0) * 60.0 / 2.0, "A lower");
    // B: −2/10 × 40 = −8 → floor 0; intensity 3 → (2 − 3) × 30 = −30 → floor 0.
    assert_close(num_of(&ev, &b.code(), "s__t"), 0.0, "B floor");
    assert_close(num_of(&ev, &b.code(), "s__i"), 0.0, "B lower floor");
}

#[test]
fn statistical_benchmarks_median_percentile_factor_and_per_park() {
    let dir = tempfile::tempdir().unwrap();
    // 亩均税收 10, 20, 30, 60 (tax 100, 200, 300, 600 on 10 亩); parks X, X, Y, Y.
    let firms: Vec<Firm> = [(1, 100.0, "X"), (2, 200.0, "X"), (3, 300.0, "Y"), (4, 600.0, "Y")]
        .iter()
        .map(|(n, t, p)| {
            let mut f = Firm::new(*n, "规上");
            f.tax = Some(*t);
            f.park = p.to_string();
            f
        })
        .collect();
    write_year(dir.path(), &firms);
    let inds = ind("med", "tax / land_mu", 10.0, "benchmark = { stat = \"median\" }")
        + &ind("p75", "tax / land_mu + 0", 10.0, "benchmark = { stat = \"percentile\", p = 0.75 }")
        + &ind("mx", "tax / land_mu * 1", 10.0, "benchmark = { stat = \"max\" }")
        + &ind("km", "tax / land_mu - 0", 10.0, "benchmark = { stat = \"mean\", factor = 2 }")
        + &ind(
            "park",
            "tax / land_mu / 1",
            10.0,
            "benchmark = { stat = \"mean\", over = \"park\" }",
        );
    let ev = evaluate_with(&rules(&inds, QUOTA, ""), dir.path());
    let c = firms[0].code();
    // median of 10, 20, 30, 60 = (20 + 30)/2 = 25
    assert_close(num_of(&ev, &c, "b__med"), 25.0, "median");
    // linear 75th percentile: position 0.75 × 3 = 2.25 → 30 + 0.25 × (60 − 30) = 37.5
    assert_close(num_of(&ev, &c, "b__p75"), 37.5, "p75");
    assert_close(num_of(&ev, &c, "b__mx"), 60.0, "max");
    // 2 × mean = 2 × 120/4 = 60
    assert_close(num_of(&ev, &c, "b__km"), 60.0, "2 × mean");
    // park X mean (10 + 20)/2 = 15; park Y (30 + 60)/2 = 45
    assert_close(num_of(&ev, &c, "b__park"), 15.0, "park X mean");
    assert_close(num_of(&ev, &firms[3].code(), "b__park"), 45.0, "park Y mean");
    // firm 1's park item: 10/15 × 10
    assert_close(num_of(&ev, &c, "s__park"), 10.0 / 15.0 * 10.0, "park score");
}

#[test]
fn threshold_and_mixed_tiers() {
    let dir = tempfile::tempdir().unwrap();
    // Scores 100 × 亩均税收 / 100 = tax/10 with benchmark 100 and weight 100: 90, 85, 80, 75, 50, 30, 20, 10, 5, 1.
    let taxes = [900.0, 850.0, 800.0, 750.0, 500.0, 300.0, 200.0, 100.0, 50.0, 10.0];
    let firms: Vec<Firm> = taxes
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut f = Firm::new(i as u32 + 1, "规上");
            f.tax = Some(*t);
            f
        })
        .collect();
    write_year(dir.path(), &firms);
    let inds = ind("t", "tax / land_mu", 100.0, "benchmark = { value = 100 }");
    let th = evaluate_with(
        &rules(&inds, "method = \"threshold\"\nthresholds = [80, 60, 25]", ""),
        dir.path(),
    );
    let tiers: Vec<String> = firms.iter().map(|f| tier_of(&th, &f.code())).collect();
    // ≥ 80: 90, 85, 80 → A; ≥ 60: 75 → B; ≥ 25: 50, 30 → C; below: 20, 10, 5, 1 → D.
    assert_eq!(tiers, ["A", "A", "A", "B", "C", "C", "D", "D", "D", "D"]);

    // Mixed: the same thresholds, A at most 20 % (2 of 10), D (worst) at least 50 % (5 of 10).
    let mixed = "method = \"mixed\"\nthresholds = [80, 60, 25]\nmax_share = { A = 0.2 }\nmin_share = { D = 0.5 }";
    let mx = evaluate_with(&rules(&inds, mixed, ""), dir.path());
    let tiers: Vec<String> = firms.iter().map(|f| tier_of(&mx, &f.code())).collect();
    // Rank 3 (score 80) leaves A for B; ranks 6..10 must be D, so the score-30 firm drops from C.
    assert_eq!(tiers, ["A", "A", "B", "B", "C", "D", "D", "D", "D", "D"]);
}

#[test]
fn events_bonus_category_cap_deduction_veto_downgrade_and_adjustment() {
    let dir = tempfile::tempdir().unwrap();
    // Eight firms with 亩均税收 80, 70, …, 10 → item scores 80 … 10 (benchmark 100, weight 100).
    let mut firms: Vec<Firm> = (0..8)
        .map(|i| {
            let mut f = Firm::new(i + 1, "规上");
            f.tax = Some(800.0 - 100.0 * i as f64);
            f
        })
        .collect();
    firms[0].events = vec!["重大安全事故".into()]; // veto → D
    firms[1].events = vec!["较大环境污染事件".into()]; // one tier down
    firms[4].events = vec!["国家级绿色工厂".into(), "省级绿色工厂".into(), "高新技术企业".into()]; // 5+3 → cap 5, +2 → 7
    firms[5].events = vec!["环境违法".into(), "未定义事项".into()]; // −10; unknown event listed
    write_year(dir.path(), &firms);
    let adj = format!(
        "统一社会信用代码,调整后等级,理由\n{},A,经复核产值数据有误\n{},E,无效等级\n{},B,名录外企业\n",
        firms[7].code(),
        firms[6].code(),
        crate::common::code(99)
    );
    write_file(dir.path(), "调档.csv", &adj);
    let events = r#"
[events]
bonus_cap = 10
category_caps = { "绿色工厂" = 5 }
[[events.items]]
event = "国家级绿色工厂"
kind = "bonus"
points = 5
category = "绿色工厂"
[[events.items]]
event = "省级绿色工厂"
kind = "bonus"
points = 3
category = "绿色工厂"
[[events.items]]
event = "高新技术企业"
kind = "bonus"
points = 2
[[events.items]]
event = "环境违法"
kind = "deduction"
points = 10
[[events.items]]
event = "重大安全事故"
kind = "veto"
[[events.items]]
event = "较大环境污染事件"
kind = "downgrade"
steps = 1
"#;
    let inds = ind("t", "tax / land_mu", 100.0, "benchmark = { value = 100 }");
    let ev = evaluate_with(&rules(&inds, QUOTA, events), dir.path());
    let code = |i: usize| firms[i].code();
    // Firm 5 (index 4): 40 + min(5 + 3, 5) + 2 = 47.
    assert_close(num_of(&ev, &code(4), "bonus"), 7.0, "category cap then sum");
    assert_close(num_of(&ev, &code(4), "total"), 47.0, "firm 5");
    // Firm 6: 30 − 10 = 20.
    assert_close(num_of(&ev, &code(5), "total"), 20.0, "firm 6");
    // Ranking: 80, 70, 60, 50, 47, 20(firm 6), 20(firm 7: 20 exactly), 10.
    // Quotas on n = 8: A ≤ 2, B ≤ 4, C ≤ 6, D after.
    assert_eq!(text_of(&ev, &code(0), "tier_by_score").as_deref(), Some("A"));
    assert_eq!(tier_of(&ev, &code(0)), "D", "veto");
    assert_eq!(text_of(&ev, &code(1), "tier_by_score").as_deref(), Some("A"));
    assert_eq!(tier_of(&ev, &code(1)), "B", "downgrade one tier");
    assert_eq!(tier_of(&ev, &code(4)), "C");
    // Manual adjustment of firm 8 (D by score) to A, applied last, reason kept.
    assert_eq!(text_of(&ev, &code(7), "tier_after_events").as_deref(), Some("D"));
    assert_eq!(tier_of(&ev, &code(7)), "A");
    assert_eq!(text_of(&ev, &code(7), "adj_reason").as_deref(), Some("经复核产值数据有误"));
    // The invalid adjustment (tier E) is reported and not applied.
    assert!(
        ev.problems.iter().any(|p| p.table == "调档" && p.message.contains("「E」")),
        "invalid tier reported"
    );
    assert_eq!(tier_of(&ev, &code(6)), "D");
    assert_eq!(
        text_of(&ev, &code(6), "adj_reason"),
        None,
        "a rejected adjustment leaves no reason"
    );
    // An adjustment of an enterprise that was not evaluated (not in the register) is reported.
    let outside: Vec<_> = ev
        .problems
        .iter()
        .filter(|p| p.table == "调档" && p.message.contains("不在评价结果中"))
        .collect();
    assert_eq!(outside.len(), 1, "{outside:?}");
    assert_eq!(
        (outside[0].value.as_str(), outside[0].row),
        (format!("{} B", crate::common::code(99)).as_str(), Some(4))
    );
    assert!(ev.problems.iter().any(|p| p.value == "未定义事项"), "unknown event listed");
}

#[test]
fn land_accounting_and_tax_basket() {
    let dir = tempfile::tempdir().unwrap();
    let a = Firm::new(1, "规上");
    let b = Firm::new(2, "规上");
    write_year(dir.path(), &[a.clone(), b.clone()]);
    // A owns 10 亩 (from write_year) and leases 4 亩 out to B; B owns 10 and leases 4 in.
    let land = format!(
        "统一社会信用代码,不动产权证号,用地方式,用地面积(平方米),对方统一社会信用代码,供地日期\n\
         {a},渝1,自有,6666.6667,,\n{a},,出租,2666.6667,{b},\n{b},渝2,自有,6666.6667,,\n{b},,承租,2666.6667,{a},\n",
        a = a.code(),
        b = b.code()
    );
    write_file(dir.path(), "用地.csv", &land);
    let tax = format!(
        "统一社会信用代码,税种,实缴税额(元)\n{a},增值税,1000000\n{a},稽查查补,500000\n{a},企业所得税,200000\n{b},增值税,300000\n",
        a = a.code(),
        b = b.code()
    );
    write_file(dir.path(), "税收.csv", &tax);
    let inds = ind("t", "tax / land_mu", 100.0, "benchmark = { value = 100 }");
    let ev = evaluate_with(&rules(&inds, QUOTA, ""), dir.path());
    // 平方米 → 亩: × 15/10000. A: 10 − 4 = 6 亩; B: 10 + 4 = 14 亩.
    assert_close(
        num_of(&ev, &a.code(), "land_mu"),
        6.666_666_7 * 1.5 - 2.666_666_7 * 1.5,
        "A land",
    );
    assert_close(
        num_of(&ev, &b.code(), "land_mu"),
        6.666_666_7 * 1.5 + 2.666_666_7 * 1.5,
        "B land",
    );
    // 元 → 万元: A 100 + 20 (稽查查补 excluded) = 120 万元.
    assert_close(num_of(&ev, &a.code(), "tax"), 120.0, "A tax basket");
    assert_close(num_of(&ev, &b.code(), "tax"), 30.0, "B tax");
}

#[test]
fn equal_tax_rows_in_any_order_give_equal_sums() {
    let dir = tempfile::tempdir().unwrap();
    let a = Firm::new(1, "规上");
    let b = Firm::new(2, "规上");
    write_year(dir.path(), &[a.clone(), b.clone()]);
    // The same three payments, in opposite orders: 1000, 2000, 3000 元 = 0.1, 0.2, 0.3 万元.
    let tax = format!(
        "统一社会信用代码,税种,实缴税额(元)\n{a},增值税,1000\n{a},企业所得税,2000\n{a},增值税,3000\n\
         {b},增值税,3000\n{b},企业所得税,2000\n{b},增值税,1000\n",
        a = a.code(),
        b = b.code()
    );
    write_file(dir.path(), "税收.csv", &tax);
    let inds = ind("t", "tax / land_mu", 100.0, "benchmark = { value = 100 }");
    let ev = evaluate_with(&rules(&inds, QUOTA, ""), dir.path());
    // Added left to right in f64, 0.1 + 0.2 + 0.3 = 0.6000000000000001 but 0.3 + 0.2 + 0.1 = 0.6;
    // the exact sum of the three doubles is nearest to the double 0.6, and both firms get it.
    assert_eq!(
        0.1_f64 + 0.2 + 0.3,
        0.600_000_000_000_000_1,
        "the naive sum this test guards against"
    );
    assert_eq!(num_of(&ev, &a.code(), "tax"), Some(0.6), "A: 0.1 + 0.2 + 0.3");
    assert_eq!(num_of(&ev, &b.code(), "tax"), Some(0.6), "B: 0.3 + 0.2 + 0.1");
}

#[test]
fn land_of_an_unknown_mode_is_reported_and_not_counted() {
    let dir = tempfile::tempdir().unwrap();
    let a = Firm::new(1, "规上");
    let b = Firm::new(2, "规上");
    write_year(dir.path(), &[a.clone(), b.clone()]);
    // A: 6 亩 自有 + 3 亩 划拨 (not in land.modes); B: only 划拨 land.
    let land = format!(
        "统一社会信用代码,不动产权证号,用地方式,用地面积(亩)\n{a},渝1,自有,6\n{a},渝2,划拨,3\n{b},渝3,划拨,5\n",
        a = a.code(),
        b = b.code()
    );
    write_file(dir.path(), "用地.csv", &land);
    let inds = ind("t", "tax / land_mu", 100.0, "benchmark = { value = 100 }");
    let ev = evaluate_with(&rules(&inds, QUOTA, ""), dir.path());
    assert_close(num_of(&ev, &a.code(), "land_mu"), 6.0, "A: only the 自有 parcel counts");
    let unknown: Vec<_> = ev.problems.iter().filter(|p| p.column == "用地方式").collect();
    assert_eq!(unknown.len(), 2, "{unknown:?}");
    // File rows 3 and 4 hold the 划拨 parcels (row 1 is the header, row 2 the 自有 parcel).
    for (p, row) in unknown.iter().zip([3, 4]) {
        assert_eq!(
            (p.file.ends_with("用地.csv"), p.row, p.value.as_str()),
            (true, Some(row), "划拨"),
            "{p:?}"
        );
        assert!(p.message.contains("（出租、承租、自有）"), "the modes the rules know: {p:?}");
    }
    // B has no land that counts: its land is missing (not 0), so tax / land_mu has no value.
    assert_eq!(num_of(&ev, &b.code(), "land_mu"), None, "B land");
    assert_eq!(num_of(&ev, &b.code(), "v__t"), None, "B tax per mu");
}
