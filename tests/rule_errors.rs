//! A broken rule file is refused with its line and key, before any data is read.

use std::path::Path;

use mujun::rules::{compile, RuleError};

const GOOD: &str = r#"[meta]
name = "t"
year = 2024

[land]
modes = { "自有" = 1.0 }

[[groups]]
id = "g"
name = "规上"
when = "scale = '规上'"

[[groups.indicators]]
id = "t"
name = "亩均税收"
formula = "tax / land_mu"
weight = 100
benchmark = { value = 10 }

[tiers]
quota = [0.2, 0.6, 0.95]
"#;

fn err(text: &str) -> (usize, String, String) {
    match compile(Path::new("规则.toml"), text) {
        Err(RuleError::Invalid { line, key, message, .. }) => (line, key, message),
        Err(RuleError::Syntax { line, message, .. }) => (line, String::new(), message),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("rule file accepted"),
    }
}

#[test]
fn the_good_file_compiles() {
    let r = compile(Path::new("规则.toml"), GOOD).unwrap();
    assert_eq!(r.groups[0].indicators[0].weight, 100.0);
}

#[test]
fn unknown_field_in_a_formula_names_line_and_key() {
    let (line, key, msg) = err(&GOOD.replace("tax / land_mu", "tax / lnd_mu"));
    assert_eq!(line, 16, "{msg}");
    assert_eq!(key, "groups[0].indicators[0].formula");
    assert!(msg.contains("lnd_mu"), "{msg}");
}

#[test]
fn unparsable_condition_names_line_and_key() {
    let (line, key, msg) = err(&GOOD.replace("scale = '规上'", "scale = = '规上'"));
    assert_eq!((line, key.as_str()), (11, "groups[0].when"), "{msg}");
}

#[test]
fn a_condition_that_is_not_true_false_is_refused() {
    let (_, key, msg) = err(&GOOD.replace("scale = '规上'", "land_mu + 1"));
    assert_eq!(key, "groups[0].when");
    assert!(msg.contains("真/假"), "{msg}");
}

#[test]
fn wrong_quota_length_and_unknown_method() {
    let (line, key, _) = err(&GOOD.replace("quota = [0.2, 0.6, 0.95]", "quota = [0.2, 0.6]"));
    assert_eq!((line, key.as_str()), (21, "tiers.quota"));
    let (line, key, msg) = err(&GOOD.replace("weight = 100", "weight = 100\nmethod = \"ratioo\""));
    assert_eq!((line, key.as_str()), (18, "groups[0].indicators[0].method"));
    assert!(msg.contains("ratioo"));
}

#[test]
fn toml_syntax_and_unknown_keys_give_the_line() {
    let (line, _, msg) = err(&GOOD.replace("weight = 100", "weight = = 100"));
    assert_eq!(line, 17, "{msg}");
    let (line, _, msg) = err(&GOOD.replace("weight = 100", "wieght = 100"));
    assert!(msg.contains("wieght"), "{msg}");
    assert!(line >= 13, "{line} {msg}");
}

#[test]
fn tie_break_must_name_an_indicator_or_field() {
    let (_, key, _) = err(&GOOD.replace("quota = [0.2, 0.6, 0.95]", "quota = [0.2, 0.6, 0.95]\ntie_break = [{ key = \"nope\" }]"));
    assert_eq!(key, "tiers.tie_break[0].key");
}
