//! The land workbook read back with calamine (sheet names, row counts, key cells), written twice
//! to prove byte-identical output; the bundled samples; `evaluate` with a 标准地 file in the data;
//! bad 标准地 input.

use std::path::Path;

use crate::common::*;
use crate::land_common::*;
use calamine::{open_workbook, Data, Reader, Xlsx};

fn cell(range: &calamine::Range<Data>, r: usize, c: usize) -> String {
    range.get((r, c)).map(|d| d.to_string()).unwrap_or_default()
}

fn num(range: &calamine::Range<Data>, r: usize, c: usize) -> f64 {
    match range.get((r, c)) {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("({r},{c}) is not a number: {other:?}"),
    }
}

fn fixture(dir: &Path) {
    let firms: Vec<Firm> = (1..=4).map(|n| Firm::new(n, "规上")).collect();
    write_year(dir, &firms);
    write_std_land(
        dir,
        &[
            Proj::compliant(&code(1), "W-01-compliant"),
            Proj::compliant(&code(2), "W-02-investment-short").set("实际固定资产投资", "2400"),
            Proj::compliant(&code(3), "W-03-idle-one-year")
                .set("出让日期", "2023-06-01")
                .set("约定开工日期", "2024-06-01")
                .set("约定竣工日期", "2026-06-01")
                .set("实际开工日期", "")
                .set("实际竣工日期", ""),
            Proj::compliant(&code(4), "W-04-bad-date").set("实际竣工日期", "明年"),
        ],
    );
}

#[test]
fn workbook_reads_back_and_is_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let run = run_land(dir.path(), &rules_text());
    let p1 = mujun::land::report::write(&run, &dir.path().join("out1")).unwrap();
    let p2 = mujun::land::report::write(&run, &dir.path().join("out2")).unwrap();
    assert_eq!(
        std::fs::read(&p1).unwrap(),
        std::fs::read(&p2).unwrap(),
        "identical inputs give identical bytes"
    );
    assert!(p1.file_name().unwrap().to_string_lossy().contains("2025-12-31"));
    // 达标情况 and 违约金测算 print on A4 landscape, one page wide, header row on every page.
    for name in ["达标情况", "违约金测算"] {
        let xml = crate::report_common::sheet_xml(&p1, name);
        assert!(xml.contains(r#"paperSize="9""#) && xml.contains(r#"orientation="landscape""#));
        assert!(xml.contains(r#"fitToHeight="0""#) && xml.contains(r#"fitToPage="1""#), "{name}");
        let book = crate::report_common::zip_text(&p1, "xl/workbook.xml");
        assert!(book.contains(&format!("{name}!$1:$1</definedName>")), "{name}: {book}");
    }

    let mut wb: Xlsx<_> = open_workbook(&p1).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "达标情况",
            "违约金测算",
            "闲置土地",
            "项目进度",
            "用地台账",
            "宗地明细",
            "冲突",
            "问题清单",
            "数据核对",
            "规则"
        ]
    );

    // 达标情况: header + 4 projects × 9 checks.
    let ck = wb.worksheet_range("达标情况").unwrap();
    assert_eq!(ck.height(), 1 + 4 * 9);
    assert_eq!(cell(&ck, 0, 0), "宗地编号");
    assert_eq!(cell(&ck, 0, 15), "状态");
    let row = (1..ck.height())
        .find(|&r| cell(&ck, r, 0) == "W-02-investment-short" && cell(&ck, r, 7) == "投资强度")
        .unwrap();
    assert_eq!(num(&ck, row, 9), 240.0); // 2400 ÷ 10
    assert_eq!(num(&ck, row, 10), 300.0);
    assert_eq!(cell(&ck, row, 15), "未达标");
    assert_eq!(num(&ck, row, 16), 60.0);
    assert_eq!(cell(&ck, row, 17), "2400.00 ÷ 10.00 = 240.00");

    // 违约金测算: the investment clause with its formula, then the 合计 row.
    let pen = wb.worksheet_range("违约金测算").unwrap();
    let row = (1..pen.height()).find(|&r| cell(&pen, r, 0) == "W-02-investment-short").unwrap();
    assert_eq!(cell(&pen, row, 5), "投资强度不足");
    assert_eq!(cell(&pen, row, 8), "1200.00 × (3000.00 − 2400.00) ÷ 3000.00 = 240.00");
    assert_eq!(num(&pen, row, 9), 240.0);
    let last = pen.height() - 1;
    assert_eq!(cell(&pen, last, 0), "合计");
    let total: f64 = run.penalties.iter().filter_map(|p| p.amount).sum();
    assert!((num(&pen, last, 9) - total).abs() < 1e-9);
    // W-03: late start 578 days × 1‰ × 1200 = 693.60 and the idle fee 240.
    assert!((1..pen.height()).any(|r| cell(&pen, r, 0) == "W-03-idle-one-year"
        && cell(&pen, r, 8) == "1200.00 × 1‰ × 578 = 693.60"));
    assert!((1..pen.height())
        .any(|r| cell(&pen, r, 0) == "W-03-idle-one-year" && cell(&pen, r, 4) == "闲置费"));

    // 闲置土地: the one idle parcel.
    let idle = wb.worksheet_range("闲置土地").unwrap();
    assert_eq!(idle.height(), 2);
    assert_eq!(cell(&idle, 1, 0), "W-03-idle-one-year");
    assert_eq!(num(&idle, 1, 11), 578.0);
    assert_eq!(cell(&idle, 1, 14), "征收土地闲置费");
    assert_eq!(num(&idle, 1, 16), 240.0);

    // 用地台账: one row per enterprise with land (4 fixture firms, 10 亩 each).
    let reg = wb.worksheet_range("用地台账").unwrap();
    assert_eq!(reg.height(), 1 + 4);
    assert_eq!(cell(&reg, 0, 9), "评价用地面积（亩，evaluate口径）");
    assert_eq!(num(&reg, 1, 9), 10.0);
    assert_eq!(wb.worksheet_range("宗地明细").unwrap().height(), 1 + 4);
    assert_eq!(wb.worksheet_range("冲突").unwrap().height(), 1);

    // 问题清单 names the bad date by file, row and column.
    let prob = wb.worksheet_range("问题清单").unwrap();
    assert!((1..prob.height()).any(|r| cell(&prob, r, 1) == "标准地"
        && cell(&prob, r, 4) == "5"
        && cell(&prob, r, 5).starts_with("实际竣工日期")));
    // 数据核对: the 标准地 rows as used here.
    let rec = wb.worksheet_range("数据核对").unwrap();
    let r = (1..rec.height()).find(|&r| cell(&rec, r, 2) == "标准地").expect("标准地 row");
    assert_eq!(
        (num(&rec, r, 3), num(&rec, r, 4), num(&rec, r, 5), num(&rec, r, 6)),
        (5.0, 4.0, 1.0, 0.0)
    );
}

#[test]
fn the_bundled_samples_run_with_the_default_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lr = mujun::land::controls::load(&root.join("rules/land_fuling.toml")).unwrap();
    let eval = mujun::rules::load(&lr.evaluation_rules).unwrap();
    let ds = mujun::ingest::load(&[root.join("samples/2025")]).unwrap();
    let run = mujun::land::run(lr, &eval, ds).unwrap();
    let n = run.projects.len();
    assert!((30..=60).contains(&n), "{n} projects");
    // Every row of 标准地.csv is a project: lines − header.
    let lines =
        std::fs::read_to_string(root.join("samples/2025/标准地.csv")).unwrap().lines().count();
    assert_eq!(n, lines - 1);
    assert!(!run.has_errors());
    // The sample covers the cases a land bureau meets.
    use mujun::land::{Clause, Status};
    for clause in [
        Clause::InvestmentShort,
        Clause::FarShort,
        Clause::CoverageShort,
        Clause::LateStart,
        Clause::LateCompletion,
        Clause::IdleFee,
    ] {
        assert!(run.penalties.iter().any(|p| p.clause == clause), "{clause:?}");
    }
    assert!(run.schedules.iter().any(|s| s.idle.as_ref().is_some_and(|i| i.reclaim)));
    for st in [Status::Pass, Status::Fail, Status::NotDue, Status::Missing] {
        assert!(run.checks.iter().any(|c| c.status == st), "{st:?}");
    }
    let out = tempfile::tempdir().unwrap();
    let p = mujun::land::report::write(&run, out.path()).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&p).unwrap();
    assert_eq!(wb.worksheet_range("达标情况").unwrap().height(), 1 + n * 9);
    assert_eq!(wb.worksheet_range("项目进度").unwrap().height(), 1 + n);
    let lines = mujun::cmd::land::summary(&run);
    assert!(lines[0].contains("评价日 2025-12-31"), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with(&format!("标准地项目 {n} 个"))), "{lines:?}");
}

#[test]
fn evaluate_skips_the_standard_land_table_and_accounts_for_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let ev = evaluate(&shipped_rules("fuling.toml"), dir.path());
    let rec = ev
        .dataset
        .reconciliation
        .iter()
        .find(|r| r.file.ends_with("标准地.csv"))
        .expect("标准地 in 数据核对");
    assert_eq!(rec.table, "标准地（跳过：供 mujun land 使用）");
    assert_eq!((rec.read, rec.used, rec.skipped, rec.rejected), (5, 0, 5, 0));
    // Not mistaken for 用地: the evaluated land is the 用地 table's 10 亩 per firm.
    assert_close(num_of(&ev, &code(1), "land_mu"), 10.0, "land_mu");
    assert!(!ev.problems.iter().any(|p| p.severity == mujun::ingest::Severity::Error));
    assert_eq!(ev.results.height() + ev.not_evaluated.height(), 4);
}

#[test]
fn a_standard_land_file_without_its_key_column_stops_land_but_not_evaluate() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let text = std::fs::read_to_string(dir.path().join("标准地.csv")).unwrap().replacen(
        "宗地编号",
        "地块说明",
        1,
    );
    write_file(dir.path(), "标准地.csv", &text);
    // evaluate: a warning, the sheet skipped and accounted for.
    let ev = evaluate(&shipped_rules("fuling.toml"), dir.path());
    assert!(ev.problems.iter().any(|p| p.table == "标准地" && p.message.contains("宗地编号")));
    let rec = ev.dataset.reconciliation.iter().find(|r| r.file.ends_with("标准地.csv")).unwrap();
    assert_eq!((rec.read, rec.skipped), (5, 5));
    // land: a clear error naming the file and the column, exit code 4.
    let rules = dir.path().join("land_rules.toml");
    std::fs::write(&rules, rules_text()).unwrap();
    let err = land_cli(&rules, dir.path(), &dir.path().join("out"), &[]).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("标准地.csv") && msg.contains("宗地编号"), "{msg}");
    assert_eq!(err.exit_code(), 4);
}

#[test]
fn no_standard_land_table_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上")]);
    let lr = mujun::land::controls::compile(&dir.path().join("r.toml"), &rules_text()).unwrap();
    let eval = mujun::rules::load(&lr.evaluation_rules).unwrap();
    let ds = mujun::ingest::load(&[dir.path().to_path_buf()]).unwrap();
    let err = mujun::land::run(lr, &eval, ds).err().expect("error");
    assert!(err.to_string().contains("没有标准地表"), "{err}");
    assert_eq!(err.exit_code(), 4);
}

#[test]
fn the_cli_writes_the_workbook() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let rules = dir.path().join("land_rules.toml");
    std::fs::write(&rules, rules_text()).unwrap();
    let out = dir.path().join("out");
    land_cli(&rules, dir.path(), &out, &["--date", "2026-01-01"]).unwrap();
    // --date 2026-01-01 names the workbook.
    assert!(out.join("标准地核查与用地台账（评价日2026-01-01）.xlsx").is_file());
}

/// `mujun land --rules RULES --data DATA --out OUT MORE…`, parsed as the command line is.
fn land_cli(
    rules: &std::path::Path,
    data: &std::path::Path,
    out: &std::path::Path,
    more: &[&str],
) -> Result<(), Box<mujun::Error>> {
    let mut argv: Vec<std::ffi::OsString> = vec!["mujun".into(), "land".into()];
    for (k, v) in [("--rules", rules), ("--data", data), ("--out", out)] {
        argv.extend([k.into(), v.into()]);
    }
    argv.extend(more.iter().map(|m| m.into()));
    mujun::cmd::run(mujun::cmd::args::parse_from(argv)).map_err(Box::new)
}
