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
    let (_, key, _) = err(&GOOD.replace(
        "quota = [0.2, 0.6, 0.95]",
        "quota = [0.2, 0.6, 0.95]\ntie_break = [{ key = \"nope\" }]",
    ));
    assert_eq!(key, "tiers.tie_break[0].key");
}

// ---- Issue 13: rule files that cannot mean nonsense ---------------------------------------

/// A message a user can read: Chinese, and no English sentence from serde, toml or polars.
fn assert_chinese(msg: &str) {
    assert!(msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "not Chinese: {msg}");
    for english in [
        "unknown field",
        "missing field",
        "expected",
        "invalid",
        "duplicate",
        "Resolved plan",
        "unable to",
        "found",
        "error",
    ] {
        assert!(!msg.contains(english), "English «{english}» in: {msg}");
    }
    let words: Vec<&str> = msg.split_whitespace().collect();
    let plain = |w: &&str| w.len() > 1 && w.bytes().all(|b| b.is_ascii_lowercase());
    assert!(!words.windows(3).any(|w| w.iter().all(plain)), "an English phrase in: {msg}");
}

/// The refusal of `text`: line, key and message, checked to be Chinese.
fn refused(text: &str) -> (usize, String, String) {
    let (line, key, msg) = err(text);
    assert_chinese(&msg);
    (line, key, msg)
}

/// `mujun check` on a rule file: exit code and stderr.
fn run_check(rules: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("规则.toml");
    std::fs::write(&path, rules).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mujun"))
        .arg("check")
        .arg("--rules")
        .arg(&path)
        .arg("--data")
        .arg(dir.path().join("无数据"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .expect("run mujun");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_formula_of_5000_chained_terms_is_refused_with_exit_3() {
    // "tax + " × 4999 + "tax": 6 × 4999 + 3 = 29,997 characters; it used to overflow the stack.
    let formula = vec!["tax"; 5000].join(" + ");
    assert_eq!(formula.chars().count(), 6 * 4999 + 3);
    let (code, stderr) = run_check(&GOOD.replace("tax / land_mu", &formula));
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("第16行") && stderr.contains("groups[0].indicators[0].formula"),
        "{stderr}"
    );
    assert!(stderr.contains("表达式过长（29997 个字符"), "{stderr}");
}

#[test]
fn deeply_nested_parentheses_are_refused_with_exit_3() {
    // 5,000 pairs of parentheses around one field: 10,000 + 3 characters, nesting 5,000.
    let deep = format!("{}tax{}", "(".repeat(5000), ")".repeat(5000));
    let (code, stderr) = run_check(&GOOD.replace("tax / land_mu", &deep));
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("过长") && stderr.contains("groups[0].indicators[0].formula"),
        "{stderr}"
    );
    // Within the length limit: 100 pairs (203 characters) are still too deep.
    let deep = format!("{}tax{}", "(".repeat(100), ")".repeat(100));
    let (line, key, msg) =
        refused(&GOOD.replace("scale = '规上'", &deep.replace("tax", "scale = '规上'")));
    assert_eq!((line, key.as_str()), (11, "groups[0].when"), "{msg}");
    assert!(msg.contains("嵌套过深（括号嵌套 100 层"), "{msg}");
}

#[test]
fn a_formula_at_the_length_limit_compiles() {
    // "rd + " is 5 characters: 199 × 5 + 2 = 997 characters, 200 chained terms (limit 1,000).
    let sum = vec!["rd"; 200].join(" + ");
    assert_eq!(sum.chars().count(), 997);
    compile(Path::new("规则.toml"), &GOOD.replace("tax / land_mu", &sum)).unwrap();
    // "rd+" is 3 characters: 332 × 3 + 2 = 998 characters, 333 terms.
    let sum = vec!["rd"; 333].join("+");
    assert_eq!(sum.chars().count(), 998);
    compile(Path::new("规则.toml"), &GOOD.replace("tax / land_mu", &sum)).unwrap();
}

#[test]
fn a_long_but_sane_formula_still_compiles() {
    // 100 terms: 6 × 99 + 3 = 597 characters, inside the limit of 1,000; nesting 10.
    let sum = vec!["tax"; 100].join(" + ");
    let nested = format!("{}{sum}{} / land_mu", "(".repeat(10), ")".repeat(10));
    compile(Path::new("规则.toml"), &GOOD.replace("tax / land_mu", &nested)).unwrap();
}

#[test]
fn division_by_a_constant_zero_is_refused() {
    for divisor in ["0", "0.0", "(1 - 1)", "NULL"] {
        let (line, key, msg) = refused(&GOOD.replace("tax / land_mu", &format!("tax / {divisor}")));
        assert_eq!((line, key.as_str()), (16, "groups[0].indicators[0].formula"), "{msg}");
        assert!(msg.contains("除数恒为"), "{divisor}: {msg}");
    }
    // A divisor that is a field, or a non-zero constant, is fine.
    compile(Path::new("规则.toml"), &GOOD.replace("tax / land_mu", "tax / 10000")).unwrap();
    compile(
        Path::new("规则.toml"),
        &GOOD.replace("tax / land_mu", "CASE WHEN land_mu > 0 THEN tax / land_mu END"),
    )
    .unwrap();
}

#[test]
fn weights_must_be_positive_finite_and_at_most_a_million() {
    for w in ["1e308", "0", "-40", "nan", "inf", "1000001"] {
        let (line, key, msg) = refused(&GOOD.replace("weight = 100", &format!("weight = {w}")));
        assert_eq!((line, key.as_str()), (17, "groups[0].indicators[0].weight"), "{w}: {msg}");
        assert!(msg.contains("权重"), "{msg}");
    }
    compile(Path::new("规则.toml"), &GOOD.replace("weight = 100", "weight = 0.4")).unwrap();
}

#[test]
fn caps_must_be_positive_and_finite() {
    for cap in [
        "cap = -5",
        "cap = 0",
        "cap = nan",
        "cap = 1e308",
        "cap_times_weight = -1",
        "cap_times_weight = inf",
    ] {
        let (line, key, msg) =
            refused(&GOOD.replace("weight = 100", &format!("weight = 100\n{cap}")));
        let k = cap.split(' ').next().unwrap();
        assert_eq!((line, key), (18, format!("groups[0].indicators[0].{k}")), "{cap}: {msg}");
    }
    // A floor above the cap leaves nothing to score.
    let (_, key, msg) =
        refused(&GOOD.replace("weight = 100", "weight = 100\ncap = 10\nfloor = 20"));
    assert_eq!(key, "groups[0].indicators[0].floor", "{msg}");
}

#[test]
fn tier_labels_must_be_distinct_and_not_empty() {
    let with = |extra: &str| {
        GOOD.replace("quota = [0.2, 0.6, 0.95]", &format!("{extra}\nquota = [0.2, 0.6, 0.95]"))
    };
    let (line, key, msg) = refused(&with(r#"labels = ["A类", "A类", "C类", "D类"]"#));
    assert_eq!((line, key.as_str()), (21, "tiers.labels"), "{msg}");
    assert!(msg.contains("「A类」重复"), "{msg}");
    let (_, key, msg) = refused(&with(r#"labels = ["A", "", "C", "D"]"#));
    assert_eq!(key, "tiers.labels");
    assert!(msg.contains("不能为空"), "{msg}");
    let (_, key, _) = refused(&with(r#"names = ["优先", "优先", "提升", "整治"]"#));
    assert_eq!(key, "tiers.names");
}

#[test]
fn empty_ids_and_names_are_refused() {
    let (line, key, msg) = refused(&GOOD.replace("id = \"g\"", "id = \"\""));
    assert_eq!((line, key.as_str()), (9, "groups[0].id"), "{msg}");
    let (line, key, _) = refused(&GOOD.replace("id = \"t\"", "id = \"  \""));
    assert_eq!((line, key.as_str()), (14, "groups[0].indicators[0].id"));
    let (_, key, _) = refused(&GOOD.replace("name = \"亩均税收\"", "name = \"\""));
    assert_eq!(key, "groups[0].indicators[0].name");
    let (line, key, _) = refused(&GOOD.replace("name = \"t\"", "name = \"\""));
    assert_eq!((line, key.as_str()), (2, "meta.name"));
    // Duplicate ids: two groups "g", two indicators "t" in one group.
    let group = &GOOD[GOOD.find("[[groups]]").unwrap()..GOOD.find("[tiers]").unwrap()];
    let (_, key, msg) = refused(&GOOD.replace("[tiers]", &format!("{group}[tiers]")));
    assert_eq!(key, "groups[1].id", "{msg}");
    let ind = &GOOD[GOOD.find("[[groups.indicators]]").unwrap()..GOOD.find("[tiers]").unwrap()];
    let (_, key, _) = refused(&GOOD.replace("[tiers]", &format!("{ind}[tiers]")));
    assert_eq!(key, "groups[0].indicators[1].id");
}

#[test]
fn the_year_must_be_plausible() {
    for y in ["-5", "0", "1948", "2201"] {
        let (line, key, msg) = refused(&GOOD.replace("year = 2024", &format!("year = {y}")));
        assert_eq!((line, key.as_str()), (3, "meta.year"), "{y}: {msg}");
    }
    compile(Path::new("规则.toml"), &GOOD.replace("year = 2024", "year = 1949")).unwrap();
    compile(Path::new("规则.toml"), &GOOD.replace("year = 2024", "year = 2200")).unwrap();
}

#[test]
fn rounding_digits_are_0_to_15() {
    let with = |r: &str| {
        GOOD.replace("quota = [0.2, 0.6, 0.95]", &format!("round = {r}\nquota = [0.2, 0.6, 0.95]"))
    };
    let (line, key, msg) = refused(&with("400"));
    assert_eq!((line, key.as_str()), (21, "tiers.round"), "{msg}");
    let (line, key, msg) = refused(&with("16"));
    assert_eq!((line, key.as_str()), (21, "tiers.round"), "{msg}");
    let (line, key, msg) = refused(&with("-1"));
    assert_eq!((line, key.as_str()), (21, "tiers.round"), "{msg}");
    compile(Path::new("规则.toml"), &with("15")).unwrap();
}

#[test]
fn other_numbers_that_mean_nothing_are_refused() {
    let tiers = |t: &str| GOOD.replace("quota = [0.2, 0.6, 0.95]", t);
    let events = |e: &str| format!("{GOOD}\n[events]\n{e}\n");
    let cases: Vec<(String, &str)> = vec![
        (GOOD.replace("value = 10", "value = nan"), "groups[0].indicators[0].benchmark.value"),
        (GOOD.replace("value = 10", "value = inf"), "groups[0].indicators[0].benchmark.value"),
        (
            GOOD.replace("value = 10", "value = 10, factor = -2"),
            "groups[0].indicators[0].benchmark.factor",
        ),
        (
            GOOD.replace("weight = 100", "weight = 100\nfloor = nan"),
            "groups[0].indicators[0].floor",
        ),
        (GOOD.replace("\"自有\" = 1.0", "\"自有\" = nan"), "land.modes"),
        (GOOD.replace("\"自有\" = 1.0", "\"自有\" = 5"), "land.modes"),
        (tiers("method = \"threshold\"\nthresholds = [nan, 60, 40]"), "tiers.thresholds"),
        (tiers("method = \"threshold\"\nthresholds = [inf, 60, 40]"), "tiers.thresholds"),
        (tiers("quota = [0.2, nan, 0.95]"), "tiers.quota"),
        (events("bonus_cap = -10"), "events.bonus_cap"),
        (events("deduction_cap = nan"), "events.deduction_cap"),
        (events("category_caps = { \"绿色工厂\" = -5 }"), "events.category_caps"),
        (
            events("[[events.items]]\nevent = \"绿色工厂\"\nkind = \"bonus\"\npoints = nan"),
            "events.items[0].points",
        ),
        (
            events("[[events.items]]\nevent = \"绿色工厂\"\nkind = \"bonus\"\npoints = 1e308"),
            "events.items[0].points",
        ),
        (
            events("[[events.items]]\nevent = \"造假\"\nkind = \"downgrade\"\nsteps = 0"),
            "events.items[0].steps",
        ),
        (events("[[events.items]]\nevent = \"\"\nkind = \"veto\""), "events.items[0].event"),
        (
            format!("{GOOD}\n[alerts]\n[[alerts.thresholds]]\nindicator = \"t\"\nbelow = nan\n"),
            "alerts.thresholds[0].below",
        ),
    ];
    for (text, want) in cases {
        let (line, key, msg) = refused(&text);
        assert_eq!(key, want, "{msg}");
        let last = want.rsplit('.').next().unwrap().split('[').next().unwrap();
        let written = text.lines().nth(line - 1).unwrap_or("");
        assert!(written.contains(last), "line {line} «{written}» should set {want}: {msg}");
    }
}

// ---- Messages: every kind of TOML / serde / polars error in Chinese with line and key ----

#[test]
fn a_misspelt_key_names_the_nearest_known_key() {
    let (line, key, msg) = refused(&GOOD.replace("weight = 100", "wieght = 100"));
    assert_eq!((line, key.as_str()), (17, "groups[0].indicators[0].wieght"), "{msg}");
    assert!(msg.contains("「wieght」不是可用的键，是否想写「weight」？"), "{msg}");
    let (line, key, msg) = refused(&GOOD.replace("value = 10", "vlaue = 10"));
    assert_eq!((line, key.as_str()), (18, "groups[0].indicators[0].benchmark.vlaue"), "{msg}");
    assert!(msg.contains("「value」"), "{msg}");
    let (line, key, msg) = refused(&GOOD.replace("[tiers]", "[teirs]"));
    assert_eq!((line, key.as_str()), (20, "teirs"), "{msg}");
    assert!(msg.contains("是否想写「tiers」"), "{msg}");
    let (line, key, msg) = refused(&GOOD.replace("[[groups.indicators]]", "[[groups.indicatorz]]"));
    assert_eq!((line, key.as_str()), (13, "groups[0].indicatorz"), "{msg}");
    assert!(msg.contains("是否想写「indicators」"), "{msg}");
}

#[test]
fn a_missing_key_is_named() {
    let (line, key, msg) = refused(&GOOD.replace("weight = 100\n", ""));
    assert_eq!((line, key.as_str()), (13, "groups[0].indicators[0].weight"), "{msg}");
    assert!(msg.contains("缺少必需的键「weight」"), "{msg}");
    let (line, key, msg) = refused(&GOOD.replace("name = \"t\"\n", ""));
    assert_eq!((line, key.as_str()), (1, "meta.name"), "{msg}");
    let no_groups =
        format!("{}[tiers]\nquota = [0.2, 0.6, 0.95]\n", &GOOD[..GOOD.find("[[groups]]").unwrap()]);
    let (line, key, msg) = refused(&no_groups);
    assert_eq!((line, key.as_str()), (1, "groups"), "{msg}");
}

#[test]
fn wrong_types_are_named_in_chinese() {
    let (line, key, msg) = refused(&GOOD.replace("weight = 100", "weight = \"abc\""));
    assert_eq!((line, key.as_str()), (17, "groups[0].indicators[0].weight"), "{msg}");
    assert!(msg.contains("应为数") && msg.contains("\"abc\""), "{msg}");
    let (line, key, msg) = refused(&GOOD.replace("[0.2, 0.6, 0.95]", "[0.2, \"x\", 0.95]"));
    assert_eq!((line, key.as_str()), (21, "tiers.quota[1]"), "{msg}");
    let (_, key, msg) = refused(&GOOD.replace("[0.2, 0.6, 0.95]", "\"0.2\""));
    assert_eq!(key, "tiers.quota");
    assert!(msg.contains("应为列表"), "{msg}");
    let (_, key, msg) = refused(&GOOD.replace("benchmark = { value = 10 }", "benchmark = 10"));
    assert_eq!(key, "groups[0].indicators[0].benchmark");
    assert!(msg.contains("应为表"), "{msg}");
    let (line, key, msg) = refused(&GOOD.replace("year = 2024", "year = 99999999999"));
    assert_eq!((line, key.as_str()), (3, "meta.year"), "{msg}");
}

#[test]
fn duplicate_keys_and_tables_are_named() {
    let (line, key, msg) = refused(&GOOD.replace("weight = 100", "weight = 100\nweight = 3"));
    assert_eq!((line, key.as_str()), (18, "groups[0].indicators[0].weight"), "{msg}");
    assert!(msg.contains("重复"), "{msg}");
    let (line, key, _) = refused(&format!("{GOOD}\n[tiers]\nround = 2\n"));
    assert_eq!((line, key.as_str()), (23, "tiers"));
}

#[test]
fn toml_syntax_errors_are_named_in_chinese() {
    let cases = [
        (
            GOOD.replace("weight = 100", "weight = = 100"),
            17,
            "groups[0].indicators[0].weight",
            "「=」",
        ),
        (GOOD.replace("name = \"规上\"", "name = 规上"), 10, "groups[0].name", "引号"),
        (GOOD.replace("[tiers]", "[tiers"), 20, "tiers", "「]」"),
        (GOOD.replace("0.95]", "0.95"), 21, "tiers.quota", "「]」"),
        (
            GOOD.replace("weight = 100", "weight = 1e400"),
            17,
            "groups[0].indicators[0].weight",
            "超出范围",
        ),
        (GOOD.replace("name = \"t\"", "name = \"c:\\dir\""), 2, "meta.name", "转义"),
    ];
    for (text, want_line, want_key, words) in cases {
        let (line, key, msg) = refused(&text);
        assert_eq!((line, key.as_str()), (want_line, want_key), "{msg}");
        assert!(msg.contains(words), "{msg}");
    }
}

#[test]
fn expression_errors_are_chinese_without_the_plan() {
    let (line, key, msg) = refused(&GOOD.replace("tax / land_mu", "tax / lnd_mu"));
    assert_eq!((line, key.as_str()), (16, "groups[0].indicators[0].formula"), "{msg}");
    assert!(msg.contains("字段「lnd_mu」不存在，是否想写「land_mu」？"), "{msg}");
    assert!(msg.contains("可用字段：") && msg.contains("employees"), "{msg}");
    let (_, key, msg) = refused(&GOOD.replace("tax / land_mu", "foo(tax)"));
    assert_eq!(key, "groups[0].indicators[0].formula");
    assert!(msg.contains("「foo」"), "{msg}");
    let (_, _, msg) = refused(&GOOD.replace("tax / land_mu", "tax + park"));
    assert!(msg.contains("文本字段不能参与加减乘除（「tax」与「park」）"), "{msg}");
    let (line, key, msg) = refused(&GOOD.replace("scale = '规上'", "scale = = '规上'"));
    assert_eq!((line, key.as_str()), (11, "groups[0].when"), "{msg}");
    let (_, _, msg) = refused(&GOOD.replace("scale = '规上'", "land_mu + 1"));
    assert!(msg.contains("真/假") && msg.contains("实为数值"), "{msg}");
}

#[test]
fn the_bundled_rule_files_still_compile() {
    for f in ["fuling", "hefei_gxq_2023", "huaian_2024", "huangyan_2022", "jingde_2022"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules").join(format!("{f}.toml"));
        mujun::rules::load(&path).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
}

#[test]
fn land_rule_files_get_the_same_chinese_messages() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules").join("land_fuling.toml");
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "fee_share = 0.20",
        "fee_sharre = 0.20",
        1,
    );
    let line = text.lines().position(|l| l.starts_with("fee_sharre")).unwrap() + 1;
    match mujun::land::controls::compile(&path, &text) {
        Err(RuleError::Invalid { line: l, key, message, .. }) => {
            assert_eq!((l, key.as_str()), (line, "idle.fee_sharre"), "{message}");
            assert!(message.contains("是否想写「fee_share」？"), "{message}");
            assert_chinese(&message);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_benchmark_file_is_named_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("规则.toml");
    let text =
        GOOD.replace("benchmark = { value = 10 }", "benchmark = { file = \"上年均值.csv\" }");
    match compile(&path, &text) {
        Err(RuleError::Invalid { line, key, message, .. }) => {
            assert_eq!(
                (line, key.as_str()),
                (18, "groups[0].indicators[0].benchmark.file"),
                "{message}"
            );
            assert!(message.contains("上年均值.csv") && message.contains("不存在"), "{message}");
            assert_chinese(&message);
        }
        other => panic!("{:?}", other.err()),
    }
    // A value that is not a positive number: row 2 of the file.
    std::fs::write(dir.path().join("上年均值.csv"), "指标,范围,基准值\nt,全部,-3\n").unwrap();
    match compile(&path, &text) {
        Err(RuleError::Invalid { message, .. }) => {
            assert!(message.contains("第2行") && message.contains("大于 0"), "{message}")
        }
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn a_pinyin_reading_needs_one_toned_syllable_per_character() {
    for bad in ["chong qing", "chong2", "chong2 qing4 shi4", "重2 qing4"] {
        let text = format!("{GOOD}\n[notice]\npinyin = {{ \"重庆\" = \"{bad}\" }}\n");
        let (line, key, message) = err(&text);
        assert_eq!(key, "notice.pinyin.重庆", "{bad}");
        assert!(line > 20, "{bad}: line {line}");
        assert!(
            message.contains("每个字一个带声调数字的拼音") && message.contains("有 2 个字"),
            "{message}"
        );
    }
    let ok = format!("{GOOD}\n[notice]\npinyin = {{ \"重庆\" = \"chong2 qing4\" }}\n");
    assert!(compile(Path::new("规则.toml"), &ok).is_ok());
}

#[test]
fn a_notice_period_needs_both_days_in_order() {
    for (notice, key, part) in [
        (
            "from = \"2025-06-07\"\nto = \"2025-06-01\"",
            "notice.to",
            "公示结束日期 2025-06-01 早于开始日期 2025-06-07",
        ),
        ("from = \"2025-06-07\"", "notice.to", "还须写结束日期 to"),
        ("from = \"6月1日\"\nto = \"2025-06-07\"", "notice.from", "「6月1日」不是日期"),
    ] {
        let (_, k, message) = err(&format!("{GOOD}\n[notice]\n{notice}\n"));
        assert_eq!(k, key, "{notice}");
        assert!(message.contains(part), "{message}");
    }
}
