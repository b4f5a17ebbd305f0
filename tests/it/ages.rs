//! Ages in completed calendar years and the dates themselves in conditions, on the anniversary
//! day of a non-leap span (the old days ÷ 365.25 put such firms a hair short of N years).

use std::process::Command;

use crate::common::*;

/// Evaluation year 2023. Defer: 投产不满2年 by the dates, 成立不满3年 by the years field;
/// exempt: a 军工 tag; exclude: registered on or after 2023-06-01 (a DATE literal).
const RULES: &str = r#"
[meta]
name = "年限测试"
year = 2023

[land]
modes = { "自有" = 1.0 }

[[scope.exclude]]
when = "registration_date >= DATE '2023-06-01'"
reason = "评价年度下半年新设"

[[scope.exempt]]
when = "tags LIKE '%军工%'"
reason = "军工企业免评"
tier = "B"

[[scope.defer]]
when = "production_date > year_end - INTERVAL '2 years'"
reason = "投产不满2年"

[[scope.defer]]
when = "years_since_registration < 3"
reason = "成立不满3年"

[[groups]]
id = "g"
name = "规上企业"
when = "scale = '规上'"

[[groups.indicators]]
id = "tax_per_mu"
name = "亩均税收"
formula = "tax / land_mu"
weight = 100
benchmark = { value = 10 }

[tiers]
method = "threshold"
thresholds = [80, 50, 20]
"#;

fn firm(n: u32, reg: &str, prod: &str) -> Firm {
    let mut f = Firm::new(n, "规上");
    f.reg_date = reg.into();
    f.prod_date = prod.into();
    f
}

#[test]
fn the_anniversary_day_completes_the_year_and_the_day_after_does_not() {
    let dir = tempfile::tempdir().unwrap();
    // 2021-12-31 → 2023-12-31 is 730 days: 730 / 365.25 = 1.9986, yet exactly 2 years.
    let on_day = firm(1, "2015-05-01", "2021-12-31");
    let day_after = firm(2, "2015-05-01", "2022-01-01");
    // 2020-12-31 → 2023-12-31: 1095 days, 2.998 by days ÷ 365.25; 3 full years.
    let three = firm(3, "2020-12-31", "");
    let short = firm(4, "2021-01-01", "");
    // Founded on 29 February 2020: anniversaries 2021-02-28, 2022-02-28, 2023-02-28 → 3 years.
    let leap = firm(5, "2020-02-29", "");
    let mut military = firm(6, "2021-06-01", "2022-06-01");
    military.tags = "军工、涉密".into();
    let late = firm(7, "2023-06-01", "");
    let firms = [&on_day, &day_after, &three, &short, &leap, &military, &late];
    write_year(dir.path(), &firms.map(|f| f.clone()));
    let ev = evaluate_with(RULES, dir.path());

    assert_close(num_of(&ev, &on_day.code(), "years_since_production"), 2.0, "投产满2年");
    assert_close(num_of(&ev, &three.code(), "years_since_registration"), 3.0, "成立满3年");
    assert_close(num_of(&ev, &leap.code(), "years_since_registration"), 3.0, "2月29日成立");
    // Evaluated: tax 100 / 10 亩 = 10 → 10 ÷ 10 × 100 = 100 → A.
    for f in [&on_day, &three, &leap] {
        assert_eq!(tier_of(&ev, &f.code()), "A", "{}", f.reg_date);
    }
    let ne = |f: &Firm| not_evaluated(&ev, &f.code());
    assert_eq!(ne(&day_after), ("暂缓评价".into(), "投产不满2年".into(), None));
    assert_eq!(ne(&short), ("暂缓评价".into(), "成立不满3年".into(), None));
    assert_eq!(ne(&military), ("免评".into(), "军工企业免评".into(), Some("B".into())));
    assert_eq!(ne(&late).1, "评价年度下半年新设");
}

#[test]
fn a_date_literal_in_a_condition_prints_no_library_warning() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[firm(1, "2015-05-01", "2021-12-31"), firm(2, "2023-07-01", "")]);
    let rules_dir = tempfile::tempdir().unwrap();
    let rules = write_file(rules_dir.path(), "年限测试.toml", RULES);
    let out = Command::new(env!("CARGO_BIN_EXE_mujun"))
        .args(["evaluate", "--no-store", "--data"])
        .arg(dir.path())
        .arg("--rules")
        .arg(&rules)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("deprecated") && !stderr.contains("Polars"), "{stderr}");
}
