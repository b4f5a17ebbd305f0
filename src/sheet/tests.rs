use std::io::Read;

use calamine::{Data, Reader, Xlsx};

use super::table::{Cell, TableWriter};
use super::*;

/// What the two sheets of the test workbook show: firms with their tax and land.
struct Firms {
    rows: Vec<(&'static str, f64, f64)>,
}

type Writer = fn(&Firms, &mut Workbook, &Formats) -> Result<(), SheetError>;

/// 明细: one row per firm, its tax (万元), land (亩) and tax per mu.
fn detail(f: &Firms, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("明细")?;
    let mut t = TableWriter::new(ws, fmt, 0);
    t.header(&["企业名称", "税收（万元）", "用地（亩）", "亩均税收"].map(String::from))?;
    for &(name, tax, mu) in &f.rows {
        t.write_row(&[Cell::from(name), Cell::Num(tax), Cell::Num(mu), Cell::Num(tax / mu)])?;
    }
    t.finish_widths()?;
    Ok(())
}

/// 汇总: a title and the number of firms.
fn summary(f: &Firms, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ws = wb.add_worksheet();
    ws.set_name("汇总")?;
    let mut t = TableWriter::new(ws, fmt, 0);
    t.title("2024年度汇总")?;
    t.write_row(&[Cell::from("企业数"), Cell::from(f.rows.len())])?;
    Ok(())
}

/// A writer that fails: its cell is past Excel's last row (1,048,576 rows, 0-based 1,048,575).
fn past_the_last_row(_: &Firms, wb: &mut Workbook, _: &Formats) -> Result<(), SheetError> {
    wb.add_worksheet().write_string(1_048_576, 0, "甲")?;
    Ok(())
}

fn firms() -> Firms {
    Firms { rows: vec![("甲公司", 150.0, 12.0), ("乙公司", 90.0, 30.0)] }
}

fn write(path: &Path, sheets: &[Sheet<Writer>]) -> Result<SheetTimes, BookError> {
    let f = firms();
    let book = Book { path, title: "测试工作簿", year: 2024 };
    write_book(&book, sheets, |w, wb, fmt| w(&f, wb, fmt))
}

/// A two-sheet workbook, read back cell by cell: the sheets in the listed order, every cell as
/// written, and the document properties of the title and year.
#[test]
fn a_two_sheet_workbook_reads_back_cell_by_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("结果.xlsx");
    let times = write(&path, &[("明细", detail), ("汇总", summary)]).unwrap();
    let steps: Vec<&str> = times.iter().map(|(s, _)| *s).collect();
    assert_eq!(steps, ["明细", "汇总", "保存"]);

    let mut x: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    assert_eq!(x.sheet_names(), ["明细", "汇总"]);
    let d = x.worksheet_range("明细").unwrap();
    let s = |v: &str| Data::String(v.to_string());
    // Tax per mu: 甲 150 万元 / 12 亩 = 12.5; 乙 90 / 30 = 3.
    let expected = [
        [s("企业名称"), s("税收（万元）"), s("用地（亩）"), s("亩均税收")],
        [s("甲公司"), Data::Float(150.0), Data::Float(12.0), Data::Float(12.5)],
        [s("乙公司"), Data::Float(90.0), Data::Float(30.0), Data::Float(3.0)],
    ];
    assert_eq!(d.get_size(), (3, 4));
    for (r, row) in expected.iter().enumerate() {
        for (c, want) in row.iter().enumerate() {
            assert_eq!(d.get_value((r as u32, c as u32)), Some(want), "明细 ({r}, {c})");
        }
    }
    let h = x.worksheet_range("汇总").unwrap();
    assert_eq!(h.get_size(), (2, 2));
    assert_eq!(h.get_value((0, 0)), Some(&s("2024年度汇总")));
    assert_eq!(h.get_value((1, 0)), Some(&s("企业数")));
    assert_eq!(h.get_value((1, 1)), Some(&Data::Float(2.0)), "two firms");

    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut core = String::new();
    zip.by_name("docProps/core.xml").unwrap().read_to_string(&mut core).unwrap();
    assert!(core.contains("<dc:title>测试工作簿</dc:title>"), "{core}");
    assert!(core.contains("<dc:creator>mujun</dc:creator>"), "{core}");
    // Year 2024: the document time is 1 January 2025.
    assert!(core.contains(">2025-01-01T00:00:00Z</dcterms:created>"), "{core}");
}

/// A workbook whose folder is missing: the message names the file, in Chinese, and nothing is
/// left behind.
#[test]
fn a_missing_folder_gives_the_chinese_message_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("不存在的目录").join("结果.xlsx");
    let e = write(&path, &[("明细", detail), ("汇总", summary)]).unwrap_err();
    let text = e.to_string();
    let head = format!("写入工作簿 {} 失败（工作表「文档属性」）：", path.display());
    assert!(text.starts_with(&head), "{text}");
    assert!(text.ends_with("文件或目录不存在"), "{text}");
    assert!(!path.exists());
}

/// Saving onto a folder's name fails at 保存 with the path and the cause in Chinese.
#[test]
fn a_failed_save_names_the_path_and_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("结果.xlsx");
    std::fs::create_dir(&path).unwrap();
    let e = write(&path, &[("明细", detail)]).unwrap_err();
    let want =
        format!("写入工作簿 {} 失败（工作表「保存」）：这是一个目录，不是文件", path.display());
    assert_eq!(e.to_string(), want);
}

/// A writer's error names the sheet being written; the sheets after it are not written.
#[test]
fn a_failing_sheet_is_named_in_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("结果.xlsx");
    let sheets: [Sheet<Writer>; 3] =
        [("明细", detail), ("规则", past_the_last_row), ("汇总", summary)];
    let e = write(&path, &sheets).unwrap_err();
    let want = format!(
        "写入工作簿 {} 失败（工作表「规则」）：行号或列号超过 Excel 的上限",
        path.display()
    );
    assert_eq!(e.to_string(), want);
    assert!(!path.exists(), "a failed workbook is not saved");
}

/// /dev/full fails every write with ENOSPC, as a full disk: the save returns that error (no
/// panic, and the zip library never sees it, so it prints nothing).
#[cfg(target_os = "linux")]
#[test]
fn saving_onto_a_full_disk_returns_the_disk_error() {
    let mut wb = Workbook::new();
    wb.add_worksheet().write(0, 0, "甲").unwrap();
    match save_workbook(&mut wb, Path::new("/dev/full")) {
        Err(XlsxError::IoError(e)) => assert_eq!(crate::zh::io_error(&e), "磁盘空间不足"),
        other => panic!("expected the disk error, got {other:?}"),
    }
}
