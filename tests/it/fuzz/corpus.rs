//! The unmutated inputs: the bundled samples, a small generated year as CSV and as xlsx, the
//! blank templates, one workbook written here with rust_xlsxwriter (all tables as sheets, shared
//! strings, real dates, a title row), the rule files, and last year's results for `--previous`.

use std::path::{Path, PathBuf};
use std::process::Command;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

pub type Files = Vec<(String, Vec<u8>)>;

/// One year's data folder, by name.
pub struct DataSet {
    pub name: &'static str,
    pub files: Files,
}

pub struct Corpus {
    pub data: Vec<DataSet>,
    pub rules: Files,
    /// Last year's results (CSV and xlsx) of the small year.
    pub previous: Files,
}

fn read_dir(dir: &Path) -> Files {
    let mut out: Files = std::fs::read_dir(dir)
        .expect("read corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().expect("name").to_string_lossy().into_owned(),
                std::fs::read(&p).expect("read corpus file"),
            )
        })
        .collect();
    out.sort();
    out
}

fn mujun(bin: &Path, cwd: &Path, args: &[&str]) {
    let out = Command::new(bin).args(args).current_dir(cwd).output().expect("run mujun");
    assert!(
        out.status.success() || out.status.code() == Some(4),
        "mujun {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Build every base input under `work` (the repository's samples and rules are read from `repo`).
pub fn build(bin: &Path, repo: &Path, work: &Path) -> Corpus {
    let rules_dir = work.join("rules");
    std::fs::create_dir_all(&rules_dir).expect("rules dir");
    for (name, body) in read_dir(&repo.join("rules")) {
        std::fs::write(rules_dir.join(name), body).expect("copy rules");
    }
    let rules_arg = rules_dir.join("fuling.toml").display().to_string();
    let small = work.join("small_csv");
    mujun(
        bin,
        work,
        &["sample", "--enterprises", "40", "--seed", "13", "--format", "csv", "--out", "small_csv"],
    );
    mujun(
        bin,
        work,
        &[
            "sample",
            "--enterprises",
            "40",
            "--seed",
            "14",
            "--format",
            "xlsx",
            "--out",
            "small_xlsx",
        ],
    );
    mujun(bin, work, &["template", "--rules", &rules_arg, "--out", "templates"]);
    mujun(
        bin,
        work,
        &[
            "evaluate",
            "--rules",
            &rules_arg,
            "--data",
            "small_csv",
            "--out",
            "previous",
            "--allow-errors",
        ],
    );
    let small_files = read_dir(&small);
    let writer = writer_workbook(&small_files);
    let mut templates_and_csv = read_dir(&work.join("templates"));
    templates_and_csv.extend(small_files.iter().take(3).cloned());
    let previous = read_dir(&work.join("previous"))
        .into_iter()
        .filter(|(n, _)| n.ends_with(".csv") || n.ends_with(".xlsx"))
        .collect();
    Corpus {
        data: vec![
            DataSet { name: "samples", files: read_dir(&repo.join("samples/2025")) },
            DataSet { name: "small_csv", files: small_files },
            DataSet { name: "small_xlsx", files: read_dir(&work.join("small_xlsx")) },
            DataSet { name: "writer_xlsx", files: vec![("年度数据.xlsx".into(), writer)] },
            DataSet { name: "templates", files: read_dir(&work.join("templates")) },
            DataSet { name: "templates_and_csv", files: templates_and_csv },
        ],
        rules: read_dir(&rules_dir),
        previous,
    }
}

/// All CSV tables of a year as sheets of one workbook: numbers as numbers, dates as dates,
/// a title row above the first table's header.
fn writer_workbook(tables: &Files) -> Vec<u8> {
    let mut wb = Workbook::new();
    // A fixed creation time: the same seed must give the same bytes.
    let created = ExcelDateTime::from_ymd(2026, 1, 1).expect("date");
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (k, (name, body)) in tables.iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(name.trim_end_matches(".csv")).expect("sheet name");
        let top = u32::from(k == 0);
        if k == 0 {
            ws.write_string(0, 0, "2025年度工业企业数据（示例）").expect("title");
        }
        let rows = super::mutate::parse_csv(&String::from_utf8_lossy(body));
        let numeric: Vec<bool> =
            rows.first().map(|h| h.iter().map(|c| c.contains('(')).collect()).unwrap_or_default();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r32, c16) = (r as u32 + top, c as u16);
                let as_date = (cell.len() == 10 && cell.as_bytes()[4] == b'-')
                    .then(|| ExcelDateTime::parse_from_str(cell).ok())
                    .flatten();
                match (r > 0 && numeric.get(c) == Some(&true), cell.parse::<f64>(), as_date) {
                    (true, Ok(v), _) => ws.write_number(r32, c16, v).map(|_| ()),
                    (_, _, Some(d)) => {
                        ws.write_datetime_with_format(r32, c16, &d, &date).map(|_| ())
                    }
                    _ => ws.write_string(r32, c16, cell).map(|_| ()),
                }
                .expect("write cell");
            }
        }
    }
    wb.save_to_buffer().expect("save workbook")
}

/// The repository root (samples/, rules/).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
