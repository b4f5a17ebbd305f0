//! The previous year's results read back (`--previous`): the workbook and the CSV that
//! `evaluate` writes give the same enterprises, tiers, totals and values; a damaged file is
//! refused in Chinese, naming the file, the sheet (workbook), the row and the column; the JSON
//! is refused (its numbers would not read back exactly).

use crate::report_common::*;

use mujun::ingest::previous::{PrevFirm, Previous};
use mujun::score::value_col;

fn read(path: &std::path::Path, ev: &mujun::evaluation::Evaluation) -> Previous {
    mujun::report::read_previous(path, ev).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn by_code<'p>(p: &'p Previous, code: &str) -> &'p PrevFirm {
    p.firms.iter().find(|f| f.code == code).unwrap_or_else(|| panic!("{code} not read back"))
}

/// The fixture year read back, by hand: firm 10 pays 增值税 10 × 10 = 100 万元 on 10 亩, so
/// 亩均税收 100 / 10 = 10 (score 10 / 10 × 60 = 60) and 亩均增加值 300 / 10 = 30 (score
/// 30 / 50 × 40 = 24): total 60 + 24 = 84, tier A. Firm 20 (2 亩) is not evaluated.
#[test]
fn the_fixture_year_reads_back_from_workbook_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let ev = evaluate_fixture(&dir.path().join("data"), 2025, tax_of);
    let o = write_all(&ev, &dir.path().join("out"), None);
    for path in [&o.workbook, &o.csv] {
        let p = read(path, &ev);
        let what = path.display();
        assert_eq!(p.year, Some(2025), "{what}");
        assert_eq!(p.firms.iter().filter(|f| f.evaluated).count(), 10, "{what}");
        let f = by_code(&p, &code(10));
        assert_eq!((f.tier.as_deref(), f.total), (Some("A"), Some(84.0)), "{what}");
        assert_eq!(f.values["tax_per_mu"], 10.0, "{what}");
        assert_eq!(f.values["va_per_mu"], 30.0, "{what}");
        assert_eq!(f.fields["land_mu"], 10.0, "{what}");
        assert_eq!(f.park, "白涛工业园区", "{what}");
        let small = by_code(&p, &code(20));
        assert!(!small.evaluated && small.total.is_none(), "{what}");
        // The formula guard of the CSV is taken off again.
        assert_eq!(by_code(&p, &code(2)).name, "=HYPERLINK(\"x\")有限公司", "{what}");
    }
    assert_names(
        &message(&o.json, &ev),
        &["2025年度亩均效益评价结果.json", "结果 JSON 不能作为上年结果读取"],
    );
}

/// On the bundled samples, both files give every enterprise with the evaluation's own
/// tier, total and indicator values, exactly.
#[test]
fn the_samples_read_back_alike_from_workbook_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let ev = evaluate(&shipped_rules("fuling.toml"), &root.join("samples/2025"));
    let o = write_all(&ev, dir.path(), None);
    let codes: Vec<String> = ev
        .results
        .column("code")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .map(str::to_string)
        .collect();
    let ids: Vec<String> =
        mujun::score::all_indicators(&ev.rules).iter().map(|i| i.id.clone()).collect();
    let listed = ev.not_evaluated.height();
    for path in [&o.workbook, &o.csv] {
        let p = read(path, &ev);
        let what = path.display();
        assert_eq!(p.year, Some(ev.rules.meta.year), "{what}");
        assert_eq!(p.firms.iter().filter(|f| f.evaluated).count(), codes.len(), "{what}");
        assert_eq!(p.firms.iter().filter(|f| !f.evaluated).count(), listed, "{what}");
        for c in &codes {
            let f = by_code(&p, c);
            assert_eq!(f.tier.as_deref(), Some(tier_of(&ev, c).as_str()), "{what} {c}");
            assert_eq!(f.total, num_of(&ev, c, mujun::score::TOTAL), "{what} {c}");
            for id in &ids {
                let want = num_of(&ev, c, &value_col(id)).filter(|v| v.is_finite());
                assert_eq!(f.values.get(id).copied(), want, "{what} {c} {id}");
            }
        }
    }
}

fn message(path: &std::path::Path, ev: &mujun::evaluation::Evaluation) -> String {
    match mujun::report::read_previous(path, ev) {
        Ok(_) => panic!("{} was read although damaged", path.display()),
        Err(e) => e.to_string(),
    }
}

fn assert_names(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "«{part}» missing from: {message}");
    }
}

/// The CSV with `column` of the data row on line `line` set to `value` (None: the column's
/// header renamed).
fn damaged_csv(csv: &std::path::Path, column: &str, change: Option<(usize, &str)>) -> String {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
    let mut rows: Vec<Vec<String>> =
        r.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    let c = rows[0].iter().position(|h| h == column).unwrap();
    match change {
        Some((line, value)) => rows[line - 1][c] = value.to_string(),
        None => rows[0][c] = format!("{column}_x"),
    }
    // CRLF line ends, as evaluate writes them.
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    for row in rows {
        w.write_record(row).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn a_damaged_csv_is_refused_naming_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let ev = evaluate_fixture(&dir.path().join("data"), 2025, tax_of);
    let o = write_all(&ev, &dir.path().join("out"), None);
    let bad = write_file(dir.path(), "无代码.csv", &damaged_csv(&o.csv, "code", None));
    assert_names(&message(&bad, &ev), &["无代码.csv", "缺少列 code"]);
    let bad = write_file(dir.path(), "总分.csv", &damaged_csv(&o.csv, "total", Some((3, "八十"))));
    assert_names(&message(&bad, &ev), &["总分.csv", "第3行", "「total」列", "「八十」不是数值"]);
}

/// A results workbook whose 评价结果 sheet has `head` and rows of (code, total) below it.
fn workbook(path: &std::path::Path, head: &[&str], rows: &[(&str, &str)]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("评价结果").unwrap();
    for (c, h) in head.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (code, total)) in rows.iter().enumerate() {
        ws.write_string(r as u32 + 1, 0, *code).unwrap();
        match total.parse::<f64>() {
            Ok(v) => ws.write_number(r as u32 + 1, 1, v).unwrap(),
            Err(_) => ws.write_string(r as u32 + 1, 1, *total).unwrap(),
        };
    }
    wb.save(path).unwrap();
}

#[test]
fn a_damaged_workbook_is_refused_naming_sheet_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let ev = evaluate_fixture(&dir.path().join("data"), 2025, tax_of);
    let (c1, c2) = (code(1), code(2));
    let p = dir.path().join("无代码.xlsx");
    workbook(&p, &["企业代码", "总分"], &[(&c1, "60")]);
    assert_names(
        &message(&p, &ev),
        &["无代码.xlsx", "工作表「评价结果」", "缺少列「统一社会信用代码」"],
    );
    // Row 1 the header, row 2 firm 1, row 3 firm 2 with a total in words.
    let p = dir.path().join("总分.xlsx");
    workbook(&p, &["统一社会信用代码", "总分"], &[(&c1, "60"), (&c2, "八十")]);
    assert_names(
        &message(&p, &ev),
        &["总分.xlsx", "工作表「评价结果」", "第3行", "「总分」列", "「八十」不是数值"],
    );
    // Read as it is, it gives both firms.
    workbook(&p, &["统一社会信用代码", "总分"], &[(&c1, "60"), (&c2, "80")]);
    let prev = read(&p, &ev);
    assert_eq!(by_code(&prev, &c2).total, Some(80.0));
    assert_eq!(prev.year, None, "no 规则 sheet");
}
