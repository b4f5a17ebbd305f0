//! Bad input ends in a clear message naming file, sheet, row and column, never a panic, and
//! every row is accounted for.

mod common;
use common::*;

use mujun::ingest::{self, IngestError, Severity};

#[test]
fn invalid_code_is_reported_and_listed_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let firms = vec![Firm::new(1, "规上"), Firm::new(2, "规上")];
    write_year(dir.path(), &firms);
    let reg = std::fs::read_to_string(dir.path().join("企业名录.csv")).unwrap();
    let bad = code(3)[..17].to_string() + "0"; // wrong check character (or right by chance: guard below)
    let bad = if mujun::credit_code::validate(&bad).is_ok() { code(3)[..17].to_string() + "1" } else { bad };
    let reg = reg + &format!("{bad},坏代码企业,涪陵高新区,,2614,规上,2010-01-01,\n合计,,,,,,,\n");
    write_file(dir.path(), "企业名录.csv", &reg);
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    let p = ds.problems.iter().find(|p| p.severity == Severity::Error).expect("an error");
    assert_eq!(p.row, Some(4), "header is row 1, two firms, then the bad row");
    assert_eq!(p.column, "统一社会信用代码");
    assert!(p.file.ends_with("企业名录.csv"));
    assert!(p.message.contains("校验位"), "{}", p.message);
    // Reconciliation: 1 header + 2 used + 1 rejected + 1 total row skipped = 5 read.
    let rec = ds.reconciliation.iter().find(|r| r.table == "企业名录").unwrap();
    assert_eq!((rec.read, rec.used, rec.skipped, rec.rejected), (5, 2, 2, 1));
    // The enterprise still appears in 未参评.
    let rules = mujun::rules::load(&shipped_rules("fuling.toml")).unwrap();
    let ev = mujun::evaluation::run(rules, ds).unwrap();
    let (cat, reason, _) = not_evaluated(&ev, &bad);
    assert_eq!(cat, "名录数据错误");
    assert!(reason.contains("校验位"), "{reason}");
}

#[test]
fn missing_required_column_names_file_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上")]);
    write_file(dir.path(), "税收.csv", &format!("统一社会信用代码,税种\n{},增值税\n", code(1)));
    match ingest::load(&[dir.path().to_path_buf()]) {
        Err(e @ IngestError::MissingColumn { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("税收.csv") && msg.contains("实缴税额"), "{msg}");
        }
        Err(e) => panic!("unexpected {e}"),
        Ok(_) => panic!("accepted a tax table without amounts"),
    }
}

#[test]
fn messy_values_titles_units_and_gbk() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上"), Firm::new(2, "规上")]);
    // Output table with a title row, full-width header brackets, 元 amounts with separators,
    // a dash for missing, an Excel error and a note row; saved as GBK.
    let text = format!(
        "2024年度规上工业企业产出情况表,,,,,,\n统一社会信用代码,工业总产值（元）,营业收入(万元),工业增加值(万元),利润总额(万元),研发经费支出(万元),年平均职工人数(人)\n\
         {},\"12,345,678\",１０００,—,50,20,100\n{},5000000,#DIV/0!,300,-5,20,100\n注：数据来源于统计局,,,,,,\n",
        code(1),
        code(2)
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    std::fs::write(dir.path().join("产出.csv"), gbk).unwrap();
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    let out = ds.table(mujun::ingest::schema::TableKind::Output);
    let ov = out.column("output_value").unwrap().f64().unwrap().clone();
    assert!((ov.get(0).unwrap() - 1234.5678).abs() < 1e-9, "元 → 万元");
    assert_eq!(out.column("revenue").unwrap().f64().unwrap().get(0), Some(1000.0), "full-width digits");
    assert_eq!(out.column("value_added").unwrap().f64().unwrap().get(0), None, "dash is missing, not 0");
    assert_eq!(out.column("profit").unwrap().f64().unwrap().get(1), Some(-5.0), "losses are allowed");
    let err = ds.problems.iter().find(|p| p.value == "#DIV/0!").expect("excel error reported");
    assert_eq!((err.row, err.column.as_str()), (Some(4), "营业收入(万元)"));
    let rec = ds.reconciliation.iter().find(|r| r.table == "产出").unwrap();
    assert_eq!((rec.read, rec.used, rec.skipped, rec.rejected), (5, 2, 3, 0));
}

#[test]
fn a_corrupt_workbook_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上")]);
    std::fs::write(dir.path().join("能耗.xlsx"), b"PK\x03\x04 not really a zip").unwrap();
    let e = ingest::load(&[dir.path().to_path_buf()]).err().expect("refused");
    assert!(e.to_string().contains("能耗.xlsx"), "{e}");
}

#[test]
fn row_numbers_survive_blank_lines_and_duplicates_are_reported_with_both_rows() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上"), Firm::new(2, "规上")]);
    let text = format!(
        "统一社会信用代码,综合能耗(吨标准煤),用电量(千瓦时)\n{a},100,2000000\n\n{b},abc,100\n{a},5,5\n",
        a = code(1),
        b = code(2)
    );
    write_file(dir.path(), "能耗.csv", &text);
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    let bad = ds.problems.iter().find(|p| p.value == "abc").expect("non-number reported");
    assert_eq!(bad.row, Some(4), "line 3 is blank, so the second firm is on line 4");
    let dup = ds.problems.iter().find(|p| p.message.contains("重复")).expect("duplicate reported");
    assert_eq!(dup.row, Some(5));
    assert!(dup.message.contains("第2行"), "{}", dup.message);
    let en = ds.table(mujun::ingest::schema::TableKind::Energy);
    // 2,000,000 千瓦时 = 200 万千瓦时
    assert_eq!(en.column("electricity").unwrap().f64().unwrap().get(0), Some(200.0));
    let rec = ds.reconciliation.iter().find(|r| r.table == "能耗").unwrap();
    assert_eq!((rec.read, rec.used, rec.skipped, rec.rejected), (5, 2, 2, 1));
}

#[test]
fn one_code_with_two_names_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上")]);
    write_file(dir.path(), "税收.csv", &format!("统一社会信用代码,纳税人名称,税种,实缴税额(万元)\n{c},测试企业01有限公司,增值税,50\n{c},别的名字有限公司,企业所得税,50\n", c = code(1)));
    let rules = mujun::rules::load(&shipped_rules("fuling.toml")).unwrap();
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    let problems = mujun::evaluation::check(&rules, &ds).unwrap();
    let p = problems.iter().find(|p| p.column == "企业名称").expect("name mismatch reported");
    assert_eq!((p.row, p.value.as_str()), (Some(3), "别的名字有限公司"));
    assert!(p.message.contains("测试企业01有限公司"));
}

#[test]
fn wide_tax_table_is_reshaped_and_rows_still_accounted() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上"), Firm::new(2, "规上"), Firm::new(3, "规上")]);
    std::fs::remove_file(dir.path().join("税收.csv")).unwrap();
    // Amounts in 元; firm 3 has no tax at all; a blank line and a total row.
    let text = format!(
        "统一社会信用代码,增值税(元),企业所得税(元),稽查查补(元)\n{},1000000,500000,\n{},200000,,300000\n\n{},,,\n合计,1200000,500000,300000\n",
        code(1),
        code(2),
        code(3)
    );
    write_file(dir.path(), "分税种入库.csv", &text);
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    let tax = ds.table(mujun::ingest::schema::TableKind::Tax);
    // Long rows: firm 1 × 2 types, firm 2 × 2 types.
    assert_eq!(tax.height(), 4);
    let amounts: f64 = tax.column("amount").unwrap().f64().unwrap().into_no_null_iter().sum();
    assert!((amounts - 200.0).abs() < 1e-9, "元 → 万元: 100 + 50 + 20 + 30 = 200, got {amounts}");
    let rows: Vec<u32> = tax.column("__row").unwrap().u32().unwrap().into_no_null_iter().collect();
    assert_eq!(rows, [2, 2, 3, 3]);
    // Source rows: header + 2 used + blank + firm 3 (rejected: no amount) + total = 6 read.
    let rec = ds.reconciliation.iter().find(|r| r.table == "税收").unwrap();
    assert_eq!((rec.read, rec.used, rec.skipped, rec.rejected), (6, 2, 3, 1));
    // Through the rules: 稽查查补 is excluded from firm 2's tax.
    let rules = mujun::rules::load(&shipped_rules("fuling.toml")).unwrap();
    let ev = mujun::evaluation::run(rules, ds).unwrap();
    assert_close(num_of(&ev, &code(2), "tax"), 20.0, "firm 2 tax basket");
}

#[test]
fn truncated_encrypted_and_empty_workbooks() {
    // A valid workbook cut in half.
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上")]);
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write_string(0, 0, "统一社会信用代码").unwrap();
    let full = wb.save_to_buffer().unwrap();
    std::fs::write(dir.path().join("能耗.xlsx"), &full[..full.len() / 2]).unwrap();
    let e = ingest::load(&[dir.path().to_path_buf()]).err().expect("truncated file refused");
    assert!(e.to_string().contains("能耗.xlsx") && e.to_string().contains("无法读取"), "{e}");

    // An encrypted OOXML workbook is an OLE container.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend(std::iter::repeat_n(0u8, 504));
    std::fs::write(dir.path().join("能耗.xlsx"), &ole).unwrap();
    let e = ingest::load(&[dir.path().to_path_buf()]).err().expect("encrypted file refused");
    assert!(e.to_string().contains("密码"), "{e}");

    // An empty workbook is reported and skipped; the rest is read.
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet();
    wb.save(dir.path().join("能耗.xlsx")).unwrap();
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    assert!(ds.problems.iter().any(|p| p.file.ends_with("能耗.xlsx") && p.message.contains("空工作簿")));
    assert_eq!(ds.table(mujun::ingest::schema::TableKind::Register).height(), 1);
}

#[test]
fn a_million_row_register_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let n = 1_000_000u32;
    let mut text = String::with_capacity(n as usize * 60);
    text.push_str("统一社会信用代码,企业名称,所属园区,行业代码,企业规模\n");
    for i in 0..n {
        text.push_str(&code(i));
        text.push_str(",企业,涪陵高新区,2614,规下\n");
    }
    write_file(dir.path(), "企业名录.csv", &text);
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(ds.table(mujun::ingest::schema::TableKind::Register).height(), n as usize);
    let rec = &ds.reconciliation[0];
    assert_eq!((rec.read, rec.used, rec.skipped, rec.rejected), (n as usize + 1, n as usize, 1, 0));
}

/// Large sheets are typed in row ranges on several threads; the ranges must not change anything.
/// A year with every kind of row (blank, total, note, invalid and missing codes, repeats, a
/// repeat after a rejected first row, bad values) is loaded whole and in ranges of one to a few
/// rows, and the tables, problems, row accounting and rejected register rows must be equal.
#[test]
fn typing_in_row_ranges_changes_nothing() {
    use std::sync::atomic::Ordering;
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上"), Firm::new(2, "规上"), Firm::new(3, "规下")]);
    let (a, b, c) = (code(1), code(2), code(3));
    let bad = code(4)[..17].to_string() + if code(4).ends_with('0') { "1" } else { "0" };
    let reg = std::fs::read_to_string(dir.path().join("企业名录.csv")).unwrap();
    write_file(dir.path(), "企业名录.csv", &format!("{reg}{bad},坏代码企业,涪陵高新区,,2614,规上,2010-01-01,\n,无代码企业,涪陵高新区,,2614,规上,,\n{a},重复企业,涪陵高新区,,2614,规上,,\n合计,,,,,,,\n"));
    write_file(
        dir.path(),
        "能耗.csv",
        &format!("统一社会信用代码,综合能耗(吨标准煤),用电量(千瓦时)\n{a},100,2000000\n\n{b},abc,100\n{a},5,x\n{c},-3,7\n合计,105,1\n{bad},1,1\n{c},1,1\n注：来源于电力公司,,\n"),
    );
    write_file(dir.path(), "调档.csv", &format!("统一社会信用代码,调整后等级,理由\n{a},,缺等级\n{a},A,首次有效\n{a},B,重复\n{b},C,有效\n"));
    write_file(dir.path(), "税收.csv", &format!("统一社会信用代码,税种,实缴税额(万元)\n{a},增值税,10\n{a},企业所得税,\n{b},增值税,#N/A\n{c},增值税,-1\n"));
    let load = |ranges: usize| {
        ingest::ROW_RANGES.store(ranges, Ordering::Relaxed);
        let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
        ingest::ROW_RANGES.store(0, Ordering::Relaxed);
        ds
    };
    let whole = load(1);
    // The adjustment after the rejected row counts as the first; the third is the repeat.
    let adj = whole.table(mujun::ingest::schema::TableKind::Adjust);
    assert_eq!(adj.column("__row").unwrap().u32().unwrap().into_no_null_iter().collect::<Vec<_>>(), vec![3, 5]);
    assert!(whole.problems.iter().any(|p| p.row == Some(4) && p.message.contains("首次在第3行")));
    // The repeated energy row's bad value is not reported: the row is not used.
    assert!(!whole.problems.iter().any(|p| p.value == "x"));
    for ranges in [2, 3, 5, 64] {
        let split = load(ranges);
        for (kind, df) in &whole.tables {
            assert!(df.equals_missing(split.table(*kind)), "{kind:?} differs with {ranges} ranges:\n{df}\n{}", split.table(*kind));
        }
        assert_eq!(whole.problems, split.problems, "{ranges} ranges");
        assert_eq!(whole.reconciliation, split.reconciliation, "{ranges} ranges");
        assert_eq!(format!("{:?}", whole.rejected_register), format!("{:?}", split.rejected_register), "{ranges} ranges");
        assert_eq!(whole.key_count, split.key_count);
    }
}
