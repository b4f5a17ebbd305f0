//! Land rule files: the shipped ones load; control values by industry through the GB/T 4754
//! 2017 → 2002 code map and region class; a broken file is refused with its line and key.

use std::path::{Path, PathBuf};

use mujun::land::controls::{compile, load, Indicator};
use mujun::rules::RuleError;

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules").join(name)
}

/// Compile `text` as a rule file next to the shipped ones (so `fuling.toml` resolves).
fn err(text: &str) -> (usize, String, String) {
    match compile(&shipped("测试.toml"), text) {
        Err(RuleError::Invalid { line, key, message, .. }) => (line, key, message),
        Err(RuleError::Syntax { line, message, .. }) => (line, String::new(), message),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("rule file accepted"),
    }
}

const GOOD: &str = r#"[meta]
name = "t"

[evaluation]
date = "2025-12-31"
evaluation_rules = "fuling.toml"

[penalties]
late_start_permille = 1.0
late_completion_permille = 1.0

[idle]
fee_share = 0.2

[[controls]]
name = "表"
edition = "2017"

[[controls.industries]]
codes = ["26"]
floor_area_ratio = 1.0
"#;

#[test]
fn shipped_land_rules_load() {
    let n = load(&shipped("land_national.toml")).unwrap();
    assert_eq!(n.region_class.as_deref(), Some("五类"));
    assert_eq!(n.idle.fee_share, 0.2);
    assert_eq!(n.date, mujun::ingest::values::parse_date("2025-12-31").unwrap().unwrap());
    let f = load(&shipped("land_fuling.toml")).unwrap();
    // Fuling includes the national table: two control tables, the national code map.
    assert_eq!(f.controls.len(), 2);
    assert_eq!(f.code_map.get("292").map(String::as_str), Some("30"));
    assert_eq!(f.texts.len(), 2);
}

#[test]
fn national_floor_area_ratio_through_the_code_map() {
    let n = load(&shipped("land_national.toml")).unwrap();
    let far = |code: &str| n.control(Indicator::FloorAreaRatio, Some(code)).map(|c| c.value);
    // 2017 1453 (食品) → 2002 14: 1.0. 2017 2614 (化学原料) → 26: 0.6.
    assert_eq!(far("1453"), Some(1.0));
    assert_eq!(far("2614"), Some(0.6));
    // 2017 29 splits: 291x 橡胶 → 2002 29 (0.8); 292x 塑料 → 2002 30 (1.0).
    assert_eq!(far("2911"), Some(0.8));
    assert_eq!(far("2927"), Some(1.0));
    // 2017 3252 铝冶炼 (32) → 2002 33: 0.6; 3841 电池 (38) → 2002 39: 0.7; 3974 (39) → 2002 40: 1.0.
    assert_eq!(far("3252"), Some(0.6));
    assert_eq!(far("3841"), Some(0.7));
    assert_eq!(far("3974"), Some(1.0));
    // 2017 43 (修理) has no 2002 division: no industry value.
    assert_eq!(far("4320"), None);
    // Every industry: 建筑系数 ≥ 0.30, 行政办公 ≤ 0.07, 绿地率 ≤ 0.20.
    assert_eq!(n.control(Indicator::Coverage, Some("4320")).map(|c| c.value), Some(0.3));
    assert_eq!(n.control(Indicator::AdminShare, None).map(|c| c.value), Some(0.07));
    assert_eq!(n.control(Indicator::GreenRatio, Some("1453")).map(|c| c.value), Some(0.2));
    // Investment by region class 五类, written in 万元/公顷: division 39 gives 1710 → 1710 ÷ 15 = 114 万元/亩.
    let inv = n.control(Indicator::Investment, Some("3841")).unwrap();
    assert!((inv.value - 1710.0 / 15.0).abs() < 1e-9, "{}", inv.value);
    assert!(inv.source.contains("按GB/T 4754-2002代码39"), "{}", inv.source);
}

#[test]
fn fuling_takes_the_stricter_of_local_and_national() {
    let f = load(&shipped("land_fuling.toml")).unwrap();
    // 3841: Fuling 容积率 1.0 vs national 0.7 → 1.0; 建筑系数 0.40 vs 0.30 → 0.40; 行政办公 0.07 both.
    assert_eq!(f.control(Indicator::FloorAreaRatio, Some("3841")).map(|c| c.value), Some(1.0));
    assert_eq!(f.control(Indicator::Coverage, Some("3841")).map(|c| c.value), Some(0.4));
    // 2614: Fuling 0.8 vs national 0.6 → 0.8; investment Fuling 330 vs national 4200 × 0.44 → 1845 ÷ 15 = 123 → 330.
    assert_eq!(f.control(Indicator::FloorAreaRatio, Some("2614")).map(|c| c.value), Some(0.8));
    assert_eq!(f.control(Indicator::Investment, Some("2614")).map(|c| c.value), Some(330.0));
    // 绿地率 only in the national table.
    let g = f.control(Indicator::GreenRatio, Some("2614")).unwrap();
    assert!(g.source.contains("国家"), "{}", g.source);
}

#[test]
fn the_good_file_compiles() {
    let r = compile(&shipped("测试.toml"), GOOD).unwrap();
    assert_eq!(r.controls[0].industries[0].values[&Indicator::FloorAreaRatio], 1.0);
    assert_eq!(r.idle.reclaim_after_years, 2);
    assert!((r.idle.built_share_below - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn idle_fee_above_twenty_percent_names_line_and_key() {
    let (line, key, msg) = err(&GOOD.replace("fee_share = 0.2", "fee_share = 0.3"));
    assert_eq!(line, 13, "{msg}");
    assert_eq!(key, "idle.fee_share");
    assert!(msg.contains("20%"), "{msg}");
}

#[test]
fn unknown_code_edition_names_line_and_key() {
    let (line, key, _) = err(&GOOD.replace("edition = \"2017\"", "edition = \"2011\""));
    assert_eq!((line, key.as_str()), (17, "controls[0].edition"));
}

#[test]
fn a_share_written_as_percent_names_line_and_key() {
    let text = GOOD.to_string() + "building_coverage = 30\n";
    let (line, key, msg) = err(&text);
    assert_eq!((line, key.as_str()), (22, "controls[0].industries[0].building_coverage"));
    assert!(msg.contains("0.30"), "{msg}");
}

#[test]
fn investment_by_region_class_needs_the_class() {
    let text = GOOD.to_string() + "investment_by_class = { \"一类\" = 3000 }\n";
    let (line, key, msg) = err(&text);
    assert_eq!((line, key.as_str()), (22, "controls[0].industries[0].investment_by_class"));
    assert!(msg.contains("region_class"), "{msg}");
}

#[test]
fn bad_date_and_missing_evaluation_rules_name_their_keys() {
    let (line, key, _) = err(&GOOD.replace("\"2025-12-31\"", "\"明年\""));
    assert_eq!((line, key.as_str()), (5, "evaluation.date"));
    let (line, key, msg) = err(
        &GOOD.replace("evaluation_rules = \"fuling.toml\"", "evaluation_rules = \"nope.toml\"")
    );
    assert_eq!((line, key.as_str()), (6, "evaluation.evaluation_rules"));
    assert!(msg.contains("nope.toml"), "{msg}");
}

#[test]
fn unknown_key_is_a_syntax_error_with_its_line() {
    let (line, _, msg) = err(&GOOD.replace("fee_share = 0.2", "fee_share = 0.2\nfee_sharre = 0.1"));
    assert_eq!(line, 14, "{msg}");
    assert!(msg.contains("fee_sharre"), "{msg}");
}
