//! Bad input ends in a clear message naming file, sheet, row and column, never a panic, and
//! every row is accounted for.

use crate::common::*;

use mujun::ingest::{self, IngestError, Severity};

#[test]
fn invalid_code_is_reported_and_listed_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let firms = vec![Firm::new(1, "规上"), Firm::new(2, "规上")];
    write_year(dir.path(), &firms);
    let reg = std::fs::read_to_string(dir.path().join("企业名录.csv")).unwrap();
    let bad = code(3)[..17].to_string() + "0"; // wrong check character (or right by chance: guard below)
    let bad = if mujun::credit_code::validate(&bad).is_ok() {
        code(3)[..17].to_string() + "1"
    } else {
        bad
    };
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
    assert_eq!(
        out.column("revenue").unwrap().f64().unwrap().get(0),
        Some(1000.0),
        "full-width digits"
    );
    assert_eq!(
        out.column("value_added").unwrap().f64().unwrap().get(0),
        None,
        "dash is missing, not 0"
    );
    assert_eq!(
        out.column("profit").unwrap().f64().unwrap().get(1),
        Some(-5.0),
        "losses are allowed"
    );
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
fn a_wide_tax_column_that_is_no_known_tax_type_is_listed_not_dropped_unseen() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上")]);
    std::fs::remove_file(dir.path().join("税收.csv")).unwrap();
    let text = format!(
        "统一社会信用代码,序号,增值税(万元),股权转让一次性税收(万元),环保罚没费(万元),空列\n{},1,10,200,3,\n",
        code(1)
    );
    write_file(dir.path(), "分税种入库.csv", &text);
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    // 股权转让一次性税收 is a known column: read as a tax row (the rules decide it is not counted).
    let tax = ds.table(mujun::ingest::schema::TableKind::Tax);
    let types: Vec<&str> =
        tax.column("tax_type").unwrap().str().unwrap().iter().flatten().collect();
    assert_eq!(types, ["增值税", "股权转让一次性税收"]);
    let about = |c: &str| ds.problems.iter().find(|p| p.column == c);
    let fee = about("环保罚没费(万元)").expect("the fee column is listed");
    assert_eq!(fee.severity, mujun::ingest::Severity::Warning);
    assert_eq!(fee.message, "宽格式税收表的「环保罚没费(万元)」列不是可识别的税种列");
    assert!(fee.action.starts_with("该列金额不计入"), "{}", fee.action);
    assert_eq!(about("序号").expect("序号 listed").severity, mujun::ingest::Severity::Info);
    assert!(about("空列").is_none(), "an empty column says nothing");
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
    assert!(ds
        .problems
        .iter()
        .any(|p| p.file.ends_with("能耗.xlsx") && p.message.contains("空工作簿")));
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
    assert_eq!(
        adj.column("__row").unwrap().u32().unwrap().into_no_null_iter().collect::<Vec<_>>(),
        vec![3, 5]
    );
    assert!(whole.problems.iter().any(|p| p.row == Some(4) && p.message.contains("首次在第3行")));
    // The repeated energy row's bad value is not reported: the row is not used.
    assert!(!whole.problems.iter().any(|p| p.value == "x"));
    for ranges in [2, 3, 5, 64] {
        let split = load(ranges);
        for (kind, df) in &whole.tables {
            assert!(
                df.equals_missing(split.table(*kind)),
                "{kind:?} differs with {ranges} ranges:\n{df}\n{}",
                split.table(*kind)
            );
        }
        assert_eq!(whole.problems, split.problems, "{ranges} ranges");
        assert_eq!(whole.reconciliation, split.reconciliation, "{ranges} ranges");
        assert_eq!(
            format!("{:?}", whole.rejected_register),
            format!("{:?}", split.rejected_register),
            "{ranges} ranges"
        );
        assert_eq!(whole.key_count, split.key_count);
    }
}

/// A workbook with the given sheets, each a list of rows of text cells.
fn workbook(path: &std::path::Path, sheets: &[(&str, Vec<Vec<String>>)]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, v).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

fn cells(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn an_output_workbook_with_garbled_headers_is_an_error_showing_its_header_row() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上")]);
    std::fs::remove_file(dir.path().join("产出.csv")).unwrap();
    // Re-saved in the wrong encoding: 统一社会信用代码 / 工业总产值 became mojibake.
    let rows = vec![cells(&["ͳһ������ô���", "��ҵ�ܲ�ֵ"]), cells(&[&code(1), "1000"])];
    workbook(&dir.path().join("产出.xlsx"), &[("产出", rows)]);
    let e =
        ingest::load(&[dir.path().to_path_buf()]).err().expect("an unrecognised sheet is refused");
    let msg = e.to_string();
    assert!(matches!(e, IngestError::Unrecognised(_)), "{msg}");
    assert!(
        msg.contains("产出.xlsx 工作表「产出」")
            && msg.contains("第1行：「ͳһ������ô���」「��ҵ�ܲ�ֵ」"),
        "{msg}"
    );
    assert!(msg.contains("--exclude \"产出.xlsx:产出\""), "{msg}");

    // Excluded by the user, the file is not read and the exclusion is on record.
    let opts = ingest::LoadOptions { exclude: vec!["产出.xlsx".into()] };
    let ds = ingest::load_with(&[dir.path().to_path_buf()], &opts).unwrap();
    let note =
        ds.problems.iter().find(|p| p.file.ends_with("产出.xlsx")).expect("exclusion listed");
    assert_eq!(note.severity, Severity::Info);
    assert!(note.message.contains("--exclude「产出.xlsx」"), "{}", note.message);
    assert!(ds
        .reconciliation
        .iter()
        .any(|r| r.file.ends_with("产出.xlsx") && r.table.contains("已排除")));
    assert_eq!(ds.table(mujun::ingest::schema::TableKind::Output).height(), 0);

    // One sheet excluded by 文件:工作表.
    let opts = ingest::LoadOptions { exclude: vec!["产出.xlsx:产出".into()] };
    let ds = ingest::load_with(&[dir.path().to_path_buf()], &opts).unwrap();
    let rec = ds.reconciliation.iter().find(|r| r.sheet == "产出").expect("sheet on record");
    // Header row + one data row, all skipped.
    assert_eq!((rec.table.as_str(), rec.read, rec.skipped), ("已排除", 2, 2));
}

#[test]
fn template_instruction_sheets_and_empty_sheets_are_notes() {
    let dir = tempfile::tempdir().unwrap();
    // The blank templates `mujun template` writes: a table sheet and a 填表说明 sheet each.
    mujun::report::template::write_templates(dir.path(), &[], 2024).unwrap();
    // A sheet whose only cells hold spaces.
    let blank = vec![cells(&["  "]), cells(&["", " "])];
    workbook(&dir.path().join("附表.xlsx"), &[("Sheet2", blank)]);
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    let notes: Vec<_> = ds.problems.iter().filter(|p| p.sheet == "填表说明").collect();
    assert_eq!(notes.len(), 7, "one per table template");
    assert!(notes.iter().all(|p| p.severity == Severity::Info));
    assert!(ds.problems.iter().any(|p| p.sheet == "Sheet2" && p.message == "空工作表"));
    assert!(!ds.problems.iter().any(|p| p.severity != Severity::Info), "{:?}", ds.problems);
}

#[test]
fn outputs_of_an_earlier_run_in_the_data_folder_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let firms = [Firm::new(1, "规上"), Firm::new(2, "规上"), Firm::new(3, "规下")];
    write_year(dir.path(), &firms);
    let ev = evaluate(&shipped_rules("fuling.toml"), dir.path());
    // Last year's results workbook, CSV, JSON and park workbooks, and the check workbook, all
    // written into the data folder.
    mujun::report::write_all(&ev, dir.path(), None, &mut |_, _, _| {}, &mut |_, _| {}).unwrap();
    let year = ev.rules.meta.year;
    mujun::report::write_check_workbook(&ev.problems, &[], year, dir.path()).unwrap();
    // A file listed in the output manifest of the folder.
    write_file(dir.path(), "评价输出清单.json", r#"{"files":[{"name":"汇总表.csv"}]}"#);
    write_file(dir.path(), "汇总表.csv", "园区,企业数\n涪陵高新区,3\n");

    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(ds.table(mujun::ingest::schema::TableKind::Register).height(), 3);
    assert_eq!(
        ds.table(mujun::ingest::schema::TableKind::Output).height(),
        3,
        "the 评价结果 sheet is not read as 产出"
    );
    let skipped = |name: &str| {
        ds.problems.iter().any(|p| {
            p.file.ends_with(name) && p.severity == Severity::Info && p.message.contains("本程序")
        })
    };
    assert!(skipped(&format!("{year}年度亩均效益评价结果.xlsx")));
    assert!(skipped(&format!("{year}年度亩均效益评价结果.csv")));
    assert!(skipped(&format!("{year}年度数据检查结果.xlsx")));
    assert!(skipped("汇总表.csv"));
    assert!(
        !ds.problems.iter().any(|p| p.severity == Severity::Error),
        "{:?}",
        ds.problems.iter().find(|p| p.severity == Severity::Error)
    );
}

#[test]
fn evaluating_twice_with_out_equal_to_data_gives_the_same_results() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root.join("samples/2025")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    let run = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mujun"))
            .current_dir(root)
            .args(["evaluate", "--no-store", "--allow-errors", "--data"])
            .arg(dir.path())
            .arg("--out")
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // The default rules (rules/fuling.toml) are for 2025.
        std::fs::read(dir.path().join("2025年度亩均效益评价结果.csv")).unwrap()
    };
    let first = run();
    let second = run();
    assert!(first == second, "the second run read the first run's outputs");
}

#[test]
fn two_files_with_the_register_are_an_error_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上"), Firm::new(2, "规上")]);
    let reg = std::fs::read_to_string(dir.path().join("企业名录.csv")).unwrap();
    write_file(dir.path(), "企业名录 - 副本.csv", &reg);
    let e = ingest::load(&[dir.path().to_path_buf()]).err().expect("two registers refused");
    let msg = e.to_string();
    assert!(matches!(e, IngestError::DuplicateTable { .. }), "{msg}");
    assert!(msg.contains("企业名录.csv") && msg.contains("企业名录 - 副本.csv"), "{msg}");

    // Tax has many rows per enterprise: a second tax file adds its rows.
    std::fs::remove_file(dir.path().join("企业名录 - 副本.csv")).unwrap();
    write_file(
        dir.path(),
        "税收（补报）.csv",
        &format!("统一社会信用代码,税种,实缴税额(万元)\n{},房产税,5\n", code(1)),
    );
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    // One 增值税 row per firm from 税收.csv (2) + the 房产税 row = 3.
    assert_eq!(ds.table(mujun::ingest::schema::TableKind::Tax).height(), 3);
}

#[test]
fn notes_under_a_table_are_skipped_not_rejected() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上"), Firm::new(2, "规上")]);
    let land = std::fs::read_to_string(dir.path().join("用地.csv")).unwrap();
    // Header (row 1), two firms (rows 2-3), then two note lines in the code column.
    write_file(
        dir.path(),
        "用地.csv",
        &format!("{land}2. 承租企业按实际承租面积计,,,,,\n填报日期：2025年1月5日,,,,,\n"),
    );
    let reg = std::fs::read_to_string(dir.path().join("企业名录.csv")).unwrap();
    write_file(dir.path(), "企业名录.csv", &format!("{reg}2. 承租企业按实际承租面积计,,,,,,,\n"));
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    assert!(
        !ds.problems.iter().any(|p| p.severity == Severity::Error),
        "{:?}",
        ds.problems.iter().find(|p| p.severity == Severity::Error)
    );
    let notes: Vec<_> = ds
        .problems
        .iter()
        .filter(|p| p.table == "用地" && p.message == "表格下方的注释行")
        .map(|p| p.row)
        .collect();
    assert_eq!(notes, [Some(4), Some(5)]);
    assert!(ds.rejected_register.is_empty(), "a note is no enterprise");
    // 用地: 1 header + 2 used + 2 notes = 5 read, 3 skipped.
    let rec = ds.reconciliation.iter().find(|r| r.table == "用地").unwrap();
    assert_eq!((rec.read, rec.used, rec.skipped, rec.rejected), (5, 2, 3, 0));

    // A mistyped code alone in the last row is still a bad code, not a note.
    let bad = code(3)[..17].to_string() + if code(3).ends_with('0') { "1" } else { "0" };
    write_file(dir.path(), "用地.csv", &format!("{land}{bad},,,,,\n"));
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    let p = ds.problems.iter().find(|p| p.severity == Severity::Error).expect("bad code reported");
    assert_eq!((p.row, p.column.as_str()), (Some(4), "统一社会信用代码"));
}

#[test]
fn a_register_without_its_park_column_names_file_sheet_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上")]);
    std::fs::remove_file(dir.path().join("企业名录.csv")).unwrap();
    let rows = vec![
        cells(&["统一社会信用代码", "企业名称", "行业代码", "企业规模"]),
        cells(&[&code(1), "甲公司", "2614", "规上"]),
    ];
    workbook(&dir.path().join("企业名录.xlsx"), &[("企业名录", rows)]);
    let e = ingest::load(&[dir.path().to_path_buf()]).err().expect("refused");
    let msg = e.to_string();
    assert!(matches!(e, IngestError::MissingColumn { .. }), "{msg}");
    assert!(
        msg.contains("企业名录.xlsx 工作表「企业名录」") && msg.contains("缺少必需列「所属园区」"),
        "{msg}"
    );

    // Recognised by its headers alone (a sheet named Sheet1): two columns lacking.
    std::fs::remove_file(dir.path().join("企业名录.xlsx")).unwrap();
    let rows = vec![
        cells(&["统一社会信用代码", "企业名称", "所属园区", "成立日期"]),
        cells(&[&code(1), "甲公司", "涪陵高新区", "2010-01-01"]),
    ];
    workbook(&dir.path().join("部门数据.xlsx"), &[("Sheet1", rows)]);
    let msg = ingest::load(&[dir.path().to_path_buf()]).err().expect("refused").to_string();
    assert!(
        msg.contains("部门数据.xlsx 工作表「Sheet1」")
            && msg.contains("企业名录表缺少必需列「行业代码、企业规模」"),
        "{msg}"
    );
}

/// The register as a workbook (first sheet 企业名录), firms from row 2; the CSV register of
/// `write_year` is removed so this one is used.
fn register_workbook(
    dir: &std::path::Path,
    wb: &mut rust_xlsxwriter::Workbook,
) -> std::path::PathBuf {
    let _ = std::fs::remove_file(dir.join("企业名录.csv"));
    let path = dir.join("企业名录.xlsx");
    wb.save(&path).unwrap();
    path
}

/// A register sheet of `firms` (code, name) from row 2; the park is written when given.
fn register_sheet(
    wb: &mut rust_xlsxwriter::Workbook,
    firms: &[(String, &str)],
    park: Option<&str>,
) -> u32 {
    let ws = wb.add_worksheet();
    ws.set_name("企业名录").unwrap();
    for (c, h) in
        ["统一社会信用代码", "企业名称", "所属园区", "行业代码", "企业规模"].iter().enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, (code, name)) in firms.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, code.as_str()).unwrap();
        ws.write_string(r, 1, *name).unwrap();
        if let Some(p) = park {
            ws.write_string(r, 2, p).unwrap();
        }
        ws.write_string(r, 3, "2614").unwrap();
        ws.write_string(r, 4, "规上").unwrap();
    }
    firms.len() as u32 + 1
}

/// A stray cell at XFD1048576 (the last cell of a sheet) costs one cell, not a 1,048,576 ×
/// 16,384 grid (512 GiB: the process used to abort). The stray row is reported like any row
/// without a code; the rows between are blank.
#[test]
fn a_stray_cell_at_xfd1048576_is_one_cell_not_a_grid() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上")]);
    let mut wb = rust_xlsxwriter::Workbook::new();
    register_sheet(&mut wb, &[(code(1), "测试企业01有限公司")], Some("涪陵高新区"));
    let ws = wb.worksheet_from_index(0).unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    let path = register_workbook(dir.path(), &mut wb);
    let ds = ingest::load(&[path]).unwrap();
    assert_eq!(ds.table(mujun::ingest::schema::TableKind::Register).height(), 1);
    let stray =
        ds.problems.iter().find(|p| p.row == Some(1_048_576)).expect("the stray row is reported");
    assert_eq!((stray.severity, stray.column.as_str()), (Severity::Error, "统一社会信用代码"));
    // Rows: 1 header + 1 firm + 1,048,573 blank + 1 stray = 1,048,576 read.
    let rec = ds.reconciliation.iter().find(|r| r.table == "企业名录").unwrap();
    assert_eq!((rec.read, rec.used, rec.skipped, rec.rejected), (1_048_576, 1, 1_048_574, 1));
}

/// Cells scattered so that laying them out would take a grid far larger than they are (a
/// diagonal of 3,200 cells spans 3,200 rows × 3,200 columns) are refused with a message naming
/// file and sheet, not laid out.
#[test]
fn cells_scattered_over_a_huge_area_are_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上")]);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let first = register_sheet(&mut wb, &[(code(1), "测试企业01有限公司")], Some("涪陵高新区"));
    let ws = wb.worksheet_from_index(0).unwrap();
    for i in 0..3_200u32 {
        ws.write_string(first + i, 5 + i as u16, "x").unwrap();
    }
    let path = register_workbook(dir.path(), &mut wb);
    let e = ingest::load(&[path]).err().expect("refused");
    let msg = e.to_string();
    assert!(
        msg.contains("企业名录.xlsx") && msg.contains("工作表「企业名录」") && msg.contains("异常"),
        "{msg}"
    );
}

/// 所属园区 merged over the rows of its firms applies to each of them (it used to reach only
/// the first row of each merge: 3 of 5 firms lost their park).
#[test]
fn a_park_merged_over_several_rows_applies_to_each_row() {
    let dir = tempfile::tempdir().unwrap();
    let firms: Vec<Firm> = (1..=5).map(|n| Firm::new(n, "规上")).collect();
    write_year(dir.path(), &firms);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let names: Vec<(String, &str)> = firms.iter().map(|f| (f.code(), "企业")).collect();
    register_sheet(&mut wb, &names, None);
    let ws = wb.worksheet_from_index(0).unwrap();
    let plain = rust_xlsxwriter::Format::new();
    ws.merge_range(1, 2, 3, 2, "涪陵高新区", &plain).unwrap();
    ws.merge_range(4, 2, 5, 2, "白涛工业园区", &plain).unwrap();
    let path = register_workbook(dir.path(), &mut wb);
    let ds = ingest::load(&[path]).unwrap();
    let reg = ds.table(mujun::ingest::schema::TableKind::Register);
    let parks: Vec<Option<&str>> = reg.column("park").unwrap().str().unwrap().iter().collect();
    let (a, b) = (Some("涪陵高新区"), Some("白涛工业园区"));
    assert_eq!(parks, [a, a, a, b, b]);
    assert!(!ds.problems.iter().any(|p| p.message.contains("缺少所属园区")), "{:?}", ds.problems);
}

/// Names and notes are official text: kept as written (trimmed only), while keys such as the
/// park are still matched half-width.
#[test]
fn names_and_notes_are_kept_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Firm::new(1, "规上");
    f.name = "重庆鼎联光电（涪陵）有限公司".into();
    f.park = "涪陵高新区\u{3000}".into();
    write_year(dir.path(), &[f.clone()]);
    let note = "涪陵区生态环境局行政处罚决定书（渝涪环罚〔2025〕146号）";
    write_file(
        dir.path(),
        "加减分事项.csv",
        &format!(
            "统一社会信用代码,事项,日期,说明\n{},环境违法,2024-06-01,\" {note} \"\n",
            f.code()
        ),
    );
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    let reg = ds.table(mujun::ingest::schema::TableKind::Register);
    assert_eq!(
        reg.column("name").unwrap().str().unwrap().get(0),
        Some("重庆鼎联光电（涪陵）有限公司")
    );
    assert_eq!(
        reg.column("park").unwrap().str().unwrap().get(0),
        Some("涪陵高新区"),
        "the key is trimmed"
    );
    let ev = ds.table(mujun::ingest::schema::TableKind::Events);
    assert_eq!(ev.column("note").unwrap().str().unwrap().get(0), Some(note), "trimmed only");
    let rules = mujun::rules::load(&shipped_rules("fuling.toml")).unwrap();
    let ev = mujun::evaluation::run(rules, ds).unwrap();
    assert_eq!(text_of(&ev, &f.code(), "name").as_deref(), Some("重庆鼎联光电（涪陵）有限公司"));
}

/// A 建筑系数 (a share, at most 1) written 35 under a header without (%) is refused with a
/// warning naming the cell, never used as 35; 35% is 0.35 under any header; a percent in a
/// column of areas is refused; under a (%) header plain numbers are divided by 100.
#[test]
fn a_percent_or_decimal_that_breaks_the_header_unit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上")]);
    let head = "统一社会信用代码,宗地编号,出让面积(亩),约定建筑系数,约定容积率";
    let c = code(1);
    let rows = format!("{c},G1,10,35,1.5\n{c},G2,10,35%,1.2\n{c},G3,5%,0.4,1.0\n");
    write_file(dir.path(), "标准地.csv", &format!("{head}\n{rows}"));
    write_file(
        dir.path(),
        "标准地2.csv",
        &format!(
            "{}\n{c},G4,10,35,1\n{c},G5,10,35%,1\n",
            head.replace("约定建筑系数", "约定建筑系数(%)")
        ),
    );
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    let land = ds.aux_table(mujun::ingest::schema::AuxKind::StdLand);
    let coverage: Vec<Option<f64>> =
        land.column("agreed_coverage").unwrap().f64().unwrap().iter().collect();
    // G1: 35 refused; G2: 35% = 0.35; G3: 0.4; G4: 35 under (%) = 35 × 0.01 = 0.35; G5: 35% = 0.35.
    let near = |a: Option<f64>, b: Option<f64>| {
        a.zip(b).map(|(a, b)| (a - b).abs() < 1e-12).unwrap_or(a == b)
    };
    let expected = [None, Some(0.35), Some(0.4), Some(0.35), Some(0.35)];
    assert!(
        coverage.iter().zip(expected).all(|(a, b)| near(*a, b)) && coverage.len() == 5,
        "{coverage:?}"
    );
    let far: Vec<Option<f64>> = land.column("agreed_far").unwrap().f64().unwrap().iter().collect();
    assert_eq!(far[0], Some(1.5), "容积率 above 1 is a ratio, not a percent");
    let area: Vec<Option<f64>> = land.column("area_mu").unwrap().f64().unwrap().iter().collect();
    assert_eq!(area[2], None, "5% is no area");
    let p = ds
        .problems
        .iter()
        .find(|p| p.column == "约定建筑系数" && p.value == "35")
        .expect("35 refused");
    assert_eq!((p.severity, p.row, p.sheet.as_str()), (Severity::Warning, Some(2), ""));
    assert!(p.file.ends_with("标准地.csv") && p.message.contains("35%"), "{p}");
    let p = ds
        .problems
        .iter()
        .find(|p| p.column == "出让面积(亩)" && p.value == "5%")
        .expect("5% area refused");
    assert_eq!((p.severity, p.row), (Severity::Warning, Some(4)));
}

/// What a person typed: full-width digits, full stop and minus, a minus sign from a word
/// processor, full-width thousands separators and ideographic spaces.
#[test]
fn numbers_typed_with_full_width_and_word_processor_signs() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上")]);
    let c = code(1);
    let text = format!(
        "统一社会信用代码,税种,实缴税额(万元)\n{c},增值税,－１２．５\n{c},企业所得税,\u{2212}2.5\n{c},房产税,１，２３４．５\n{c},印花税,\u{3000}7\u{3000}\n"
    );
    write_file(dir.path(), "税收.csv", &text);
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    let tax = ds.table(mujun::ingest::schema::TableKind::Tax);
    let amounts: Vec<Option<f64>> = tax.column("amount").unwrap().f64().unwrap().iter().collect();
    assert_eq!(amounts, [Some(-12.5), Some(-2.5), Some(1234.5), Some(7.0)]);
}

/// Cells that read as missing although something is written in them are counted per column
/// and kind in 问题清单: missing markers, Excel error values and formulas saved without a
/// computed value.
#[test]
fn cells_read_as_missing_are_counted_per_column_and_kind() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上"), Firm::new(2, "规上"), Firm::new(3, "规上")]);
    let (a, b, c) = (code(1), code(2), code(3));
    let text = format!("统一社会信用代码,企业名称,工业总产值(万元),营业收入(万元)\n{a},#N/A,-,100\n{b},乙,/,#N/A\n{c},丙,无,100\n");
    write_file(dir.path(), "产出.csv", &text);
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    let info = |col: &str| {
        ds.problems
            .iter()
            .filter(|p| p.column == col && p.severity == Severity::Info)
            .collect::<Vec<_>>()
    };
    let out = info("工业总产值(万元)");
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(
        out[0].message.contains("3个单元格为缺失标记")
            && out[0].row == Some(2)
            && out[0].value == "-",
        "{}",
        out[0]
    );
    let rev = info("营业收入(万元)");
    assert!(
        rev.len() == 1
            && rev[0].message.contains("1个单元格为Excel错误值")
            && rev[0].row == Some(3),
        "{rev:?}"
    );
    let name = info("企业名称");
    assert!(
        name.len() == 1 && name[0].message.contains("Excel错误值") && name[0].row == Some(2),
        "{name:?}"
    );
    let out = ds.table(mujun::ingest::schema::TableKind::Output);
    assert_eq!(out.column("src_name").unwrap().str().unwrap().get(0), None, "#N/A is no name");
}

/// Rewrite an xlsx so that its formula cells lose their cached values, as a file saved by a
/// program that does not compute formulas.
fn strip_formula_values(path: &std::path::Path) {
    use std::io::{Read, Write};
    let bytes = std::fs::read(path).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        let name = f.name().unwrap().to_string();
        if name.starts_with("xl/worksheets/") {
            let xml = String::from_utf8(data).unwrap();
            let mut kept = String::new();
            let mut rest = xml.as_str();
            while let Some(at) = rest.find("</f><v>") {
                let end = rest[at..].find("</v>").unwrap() + at + 4;
                kept.push_str(&rest[..at + 4]);
                rest = &rest[end..];
            }
            kept.push_str(rest);
            data = kept.into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&data).unwrap();
    }
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn formulas_without_a_computed_value_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path(), &[Firm::new(1, "规上"), Firm::new(2, "规上")]);
    std::fs::remove_file(dir.path().join("产出.csv")).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("产出").unwrap();
    ws.write_string(0, 0, "统一社会信用代码").unwrap();
    ws.write_string(0, 1, "营业收入(万元)").unwrap();
    for (r, c) in [(1u32, code(1)), (2, code(2))] {
        ws.write_string(r, 0, c.as_str()).unwrap();
        ws.write_formula(r, 1, rust_xlsxwriter::Formula::new("=100*2")).unwrap();
    }
    let path = dir.path().join("产出.xlsx");
    wb.save(&path).unwrap();
    strip_formula_values(&path);
    let ds = ingest::load(&[dir.path().to_path_buf()]).unwrap();
    let p = ds.problems.iter().find(|p| p.column == "营业收入(万元)").expect("formulas counted");
    assert_eq!((p.severity, p.row, p.sheet.as_str()), (Severity::Info, Some(2), "产出"));
    assert!(p.message.contains("2个单元格为没有计算结果的公式"), "{p}");
}
