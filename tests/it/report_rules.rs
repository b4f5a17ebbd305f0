//! The reporting sections of the rule file: clusters, policies, alerts, targets, report — errors
//! name the line and key; every shipped rule file still loads.

use crate::report_common::*;

fn compile(extra: &str) -> Result<mujun::rules::Rules, String> {
    let text = rules_toml(2025) + extra;
    mujun::rules::compile(std::path::Path::new("rules/x.toml"), &text).map_err(|e| e.to_string())
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn shipped_rule_files_load() {
    for f in [
        "fuling.toml",
        "huangyan_2022.toml",
        "huaian_2024.toml",
        "hefei_gxq_2023.toml",
        "jingde_2022.toml",
    ] {
        let r = mujun::rules::load(&shipped_rules(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        if f == "fuling.toml" {
            assert_eq!(r.clusters.len(), 9);
            assert_eq!(r.cluster_of("1453"), Some("榨菜"), "longest prefix wins over 14");
            assert_eq!(r.cluster_of("2614"), Some("先进材料"));
            assert_eq!(r.cluster_of("2662"), Some("精细化工"));
            assert_eq!(r.cluster_of("9999"), None);
            assert!(r.policies.iter().any(|p| p.tiers == ["D"] && p.rate == Some(0.1)));
            assert_eq!(r.alerts.margin, Some(3.0));
            assert_eq!(r.targets.per_mu_growth, Some(0.04));
        }
    }
}

#[test]
fn errors_name_line_and_key() {
    let cases = [
        ("\n[[policies]]\ntiers = [\"E\"]\nmeasure = \"x\"\n", "policies[3].tiers", "等级「E」"),
        ("\n[[policies]]\ntiers = [\"D\"]\nmeasure = \"x\"\nbase = \"electricity\"\nrate = 1\npercent = 5\n", "policies[3].percent", "只能设一个"),
        ("\n[[policies]]\ntiers = [\"D\"]\nmeasure = \"x\"\nbase = \"electricty\"\nrate = 1\n", "policies[3].base", "无效"),
        ("\n[[policies]]\ntiers = [\"D\"]\nmeasure = \"x\"\nbase = \"electricity\"\n", "policies[3].rate", "需要 rate"),
        ("\n[[policies]]\ntiers = [\"D\"]\nmeasure = \"x\"\ngroups = [\"zz\"]\n", "policies[3].groups", "评价组「zz」不存在"),
        ("\n[[clusters]]\nname = \"x\"\nprefixes = [\"2a\"]\n", "clusters[2].prefixes", "行业代码前缀"),
    ];
    for (extra, key, msg) in cases {
        let e = compile(extra).unwrap_err();
        assert!(e.contains(&format!("键「{key}」")) && e.contains(msg), "{key}: {e}");
    }
    // Keys in existing tables point at their own line.
    let text = rules_toml(2025).replace("margin = 3.0", "margin = -1");
    let e =
        mujun::rules::compile(std::path::Path::new("rules/x.toml"), &text).unwrap_err().to_string();
    assert!(
        e.contains(&format!("第{}行 键「alerts.margin」", line_of(&text, "margin = -1"))),
        "{e}"
    );
    let text = rules_toml(2025)
        .replace("indicator = \"tax_per_mu\"\nbelow = 2.5", "indicator = \"nope\"\nbelow = 2.5");
    let e =
        mujun::rules::compile(std::path::Path::new("rules/x.toml"), &text).unwrap_err().to_string();
    assert!(
        e.contains("alerts.thresholds[0].indicator")
            && e.contains(&format!("第{}行", line_of(&text, "indicator = \"nope\""))),
        "{e}"
    );
    let text = rules_toml(2025).replace("below = 2.5", "below = 2.5\nabove = 9");
    assert!(mujun::rules::compile(std::path::Path::new("x.toml"), &text)
        .unwrap_err()
        .to_string()
        .contains("之一"));
    let text =
        rules_toml(2025).replace("measures = [\"tax_per_mu\"]", "measures = [\"profit_per_mu\"]");
    assert!(mujun::rules::compile(std::path::Path::new("x.toml"), &text)
        .unwrap_err()
        .to_string()
        .contains("targets.measures"));
    let text = rules_toml(2025).replace("top_n = 3", "top_n = 0");
    assert!(mujun::rules::compile(std::path::Path::new("x.toml"), &text)
        .unwrap_err()
        .to_string()
        .contains("report.top_n"));
    // Unknown keys are refused (deny_unknown_fields).
    let text = rules_toml(2025).replace("margin = 3.0", "margin = 3.0\nmargn = 2");
    let e = mujun::rules::compile(std::path::Path::new("x.toml"), &text).unwrap_err().to_string();
    assert!(e.contains("margn") && e.contains(&format!("第{}行", line_of(&text, "margn"))), "{e}");
}
