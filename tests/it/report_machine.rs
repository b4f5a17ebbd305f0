//! Machine-readable results: the CSV (UTF-8 with BOM, one row per evaluated and not-evaluated
//! enterprise, formula-looking text guarded for Excel) and the JSON document.

use crate::report_common::*;

use mujun::columns::unguard;

/// The CSV's rows (the BOM left to the caller's text), read as the csv crate reads them.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    r.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
}

#[test]
fn csv_and_json_hold_every_enterprise() {
    let dir = tempfile::tempdir().unwrap();
    let ev = evaluate_fixture(&dir.path().join("data"), 2025, tax_of);
    let o = write_all(&ev, &dir.path().join("out"), None);

    let bytes = std::fs::read(&o.csv).unwrap();
    assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF], "BOM so Excel reads UTF-8");
    let rows = parse_csv(std::str::from_utf8(&bytes).unwrap());
    assert_eq!(rows.len(), 1 + 10 + 1);
    let h = &rows[0];
    let c = |name: &str| h.iter().position(|x| x == name).unwrap_or_else(|| panic!("{name}"));
    assert_eq!(&h[..4], ["year", "status", "code", "name"]);
    for k in [
        "tax_per_mu.value",
        "tax_per_mu.benchmark",
        "tax_per_mu.score",
        "va_per_mu.score",
        "land_mu",
        "electricity",
        "next_tier",
        "gap_to_next_tier",
    ] {
        c(k);
    }
    assert!(rows.iter().all(|r| r.len() == h.len()), "rectangular");
    // Evaluated rows in ranking order, then the not-evaluated.
    assert_eq!(rows[1][c("code")], code(10));
    assert_eq!(rows[1][c("status")], "evaluated");
    assert_eq!(rows[1][c("tier")], "A");
    assert_eq!(rows[1][c("total")], "84");
    assert_eq!(rows[1][c("tax_per_mu.score")], "60");
    assert_eq!(rows[1][c("cluster")], "动力电池");
    let r8 = rows.iter().position(|r| r[c("code")] == code(8)).unwrap();
    assert_eq!(
        (
            rows[r8][c("next_tier")].as_str(),
            rows[r8][c("gap_to_next_tier")].as_str(),
            rows[r8][c("best_indicator")].as_str()
        ),
        ("A", "6", "tax_per_mu")
    );
    let last = rows.last().unwrap();
    assert_eq!(
        (last[c("status")].as_str(), last[c("code")].as_str(), last[c("category")].as_str()),
        ("not_evaluated", code(20).as_str(), "不在评价范围")
    );
    // Text Excel would run as a formula is guarded with ' and unguarded on reading.
    let r2 = rows.iter().position(|r| r[c("code")] == code(2)).unwrap();
    assert_eq!(rows[r2][c("name")], "'=HYPERLINK(\"x\")有限公司");
    assert_eq!(unguard(&rows[r2][c("name")]), "=HYPERLINK(\"x\")有限公司");
    let r6 = rows.iter().position(|r| r[c("code")] == code(6)).unwrap();
    assert_eq!(rows[r6][c("name")], "'-负号有限公司");
    assert_eq!(rows[r6][c("total")], "60", "numbers are not guarded");

    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&o.json).unwrap()).unwrap();
    assert_eq!(j["meta"]["year"], 2025);
    assert_eq!(j["meta"]["tiers"], serde_json::json!(["A", "B", "C", "D"]));
    let evald = j["evaluated"].as_array().unwrap();
    assert_eq!(evald.len(), 10);
    assert_eq!(j["not_evaluated"].as_array().unwrap().len(), 1);
    let f1 = evald.iter().find(|f| f["code"] == code(1)).unwrap();
    assert_eq!(f1["tier"], "D");
    assert_eq!(f1["indicators"]["tax_per_mu"]["score"], 6.0);
    assert_eq!(f1["indicators"]["va_per_mu"]["benchmark"], 50.0);
    assert_eq!(f1["next_tier"]["tier"], "C");
    assert_eq!(f1["next_tier"]["points"], 6.0);
    assert_eq!(f1["best_indicator"], "va_per_mu");
    assert_eq!(f1["measures"][0]["measure"], "差别化电价");
    assert_eq!(f1["measures"][0]["amount"], 10.0);
    let f2 = evald.iter().find(|f| f["code"] == code(2)).unwrap();
    assert_eq!(f2["name"], "=HYPERLINK(\"x\")有限公司", "JSON keeps the exact name");
    let f3 = evald.iter().find(|f| f["code"] == code(3)).unwrap();
    assert_eq!(
        (f3["vetoed"].as_bool(), f3["tier_by_score"].as_str(), f3["tier"].as_str()),
        (Some(true), Some("C"), Some("D"))
    );
}
