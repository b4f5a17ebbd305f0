//! Report: everything the readers of an evaluation get. The bureau's results workbook (one
//! module per sheet, listed in [`SHEETS`]), one workbook per park ([`park`]), the CSV and JSON for
//! other systems ([`export`]) and the terminal score card of `mujun explain` ([`card`]). All of
//! them read one [`analysis::Analysis`] built from the evaluation (and the previous year's
//! results, when given), so they agree with each other. Output is byte-identical for identical
//! inputs: fixed document time, stable sorts, no hash-map iteration order.

pub mod alerts;
pub mod analysis;
pub mod card;
mod cards;
pub mod export;
mod measures;
pub mod not_evaluated;
mod notice;
pub mod park;
pub mod problems;
pub mod results;
pub mod rules_sheet;
mod summary;
pub mod table;
pub mod template;
mod toplist;
pub mod yoy;

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

use crate::evaluation::Evaluation;
use crate::ingest::previous::Previous;
use crate::ingest::IngestError;
pub use analysis::Analysis;
use table::Formats;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("写入工作簿 {path} 失败（工作表「{sheet}」）：{}", crate::zh::xlsx_error(.source))]
    Xlsx { path: PathBuf, sheet: &'static str, source: XlsxError },
    #[error("无法创建输出目录或文件 {path}：{}", crate::zh::io_error(.source))]
    Io { path: PathBuf, source: std::io::Error },
    #[error("整理评价结果时出现内部错误（工作表「{sheet}」）")]
    Data { sheet: &'static str, source: polars::prelude::PolarsError },
    #[error("{0}")]
    Lookup(String),
    #[error("园区名称「{0}」无法生成安全的文件名")]
    UnsafeName(String),
}

/// An error inside one sheet's writer.
#[derive(Debug)]
pub enum SheetError {
    Xlsx(XlsxError),
    Data(polars::prelude::PolarsError),
}
impl From<XlsxError> for SheetError {
    fn from(e: XlsxError) -> Self {
        SheetError::Xlsx(e)
    }
}
impl From<polars::prelude::PolarsError> for SheetError {
    fn from(e: polars::prelude::PolarsError) -> Self {
        SheetError::Data(e)
    }
}

/// Which enterprises a sheet shows: all (the bureau's workbook) or one park's.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'s> {
    All,
    Park(&'s str),
}

impl Scope<'_> {
    pub fn has(&self, park: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Park(p) => *p == park,
        }
    }
}

pub type SheetFn = fn(&Analysis, Scope, &mut Workbook, &Formats) -> Result<(), SheetError>;

fn problems_sheet(
    a: &Analysis,
    _: Scope,
    wb: &mut Workbook,
    fmt: &Formats,
) -> Result<(), SheetError> {
    problems::write(a.ev, wb, fmt)
}
fn recon_sheet(a: &Analysis, _: Scope, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    problems::write_reconciliation(a.ev, wb, fmt)
}
fn rules_sheet(a: &Analysis, _: Scope, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    rules_sheet::write(a.ev, wb, fmt)
}

/// The sheets of the bureau's results workbook, in order. 年度对比 and 等级变动 are written only
/// when a previous year is given.
pub const SHEETS: &[(&str, SheetFn)] = &[
    (summary::NAME, summary::write),
    (results::NAME, results::write),
    (not_evaluated::NAME, not_evaluated::write),
    (notice::NAME, notice::write),
    (toplist::NAME, toplist::write),
    (cards::NAME, cards::write),
    (alerts::NAME, alerts::write),
    (measures::NAME, measures::write),
    (yoy::NAME, yoy::write),
    (yoy::MOVERS_NAME, yoy::write_movers),
    (problems::NAME, problems_sheet),
    (problems::RECON_NAME, recon_sheet),
    (rules_sheet::NAME, rules_sheet),
];

/// File name of the results workbook for a rule set.
pub fn workbook_name(ev: &Evaluation) -> String {
    format!("{}年度亩均效益评价结果.xlsx", ev.rules.meta.year)
}

/// A workbook whose document time is fixed (1 January of the year after `year`), so identical
/// inputs give identical bytes. Its temp files go beside `path` (the staging folder of the run),
/// not to the system's temp folder.
pub(crate) fn new_workbook(title: &str, year: i32, path: &Path) -> Result<Workbook, XlsxError> {
    let mut wb = workbook_beside(path)?;
    let when = ExcelDateTime::from_ymd((year + 1).clamp(1900, 9999) as u16, 1, 1)?;
    wb.set_properties(
        &DocProperties::new().set_title(title).set_author("mujun").set_creation_datetime(&when),
    );
    Ok(wb)
}

/// An empty workbook whose constant-memory temp files are made in the folder of `path`.
pub(crate) fn workbook_beside(path: &Path) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        wb.set_tempdir(dir)?;
    }
    Ok(wb)
}

/// Save `wb` at `path`. The file goes through [`Latch`], so a failing disk never reaches the
/// zip library (whose drop prints an English line to stderr when it cannot finish the archive);
/// the first I/O error is returned once the library is done.
pub(crate) fn save_workbook(wb: &mut Workbook, path: &Path) -> Result<(), XlsxError> {
    let file = std::fs::File::create(path).map_err(XlsxError::IoError)?;
    let mut latch = Latch { inner: file, error: None };
    wb.save_to_writer(&mut latch)?;
    match latch.error {
        Some(e) => Err(XlsxError::IoError(e)),
        None => Ok(()),
    }
}

/// A writer that keeps its first error and accepts (drops) every later byte.
struct Latch<W> {
    inner: W,
    error: Option<std::io::Error>,
}

impl<W: std::io::Write> std::io::Write for Latch<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.error.is_none() {
            if let Err(e) = self.inner.write_all(buf) {
                self.error = Some(e);
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if self.error.is_none() {
            if let Err(e) = self.inner.flush() {
                self.error = Some(e);
            }
        }
        Ok(())
    }
}

fn create_dir(dir: &Path) -> Result<(), ReportError> {
    std::fs::create_dir_all(dir).map_err(|e| ReportError::Io { path: dir.to_path_buf(), source: e })
}

/// Time spent on each sheet of a workbook, then on saving it ("保存"), which compresses every
/// sheet's XML; for `evaluate --verbose`.
pub type SheetTimes = Vec<(&'static str, std::time::Duration)>;

/// Run `sheets` into a new workbook and save it at `path`.
pub(crate) fn write_book(
    a: &Analysis,
    scope: Scope,
    title: &str,
    sheets: &[(&'static str, SheetFn)],
    path: &Path,
) -> Result<SheetTimes, ReportError> {
    let xerr = |sheet: &'static str| {
        let path = path.to_path_buf();
        move |source| ReportError::Xlsx { path, sheet, source }
    };
    let mut wb = new_workbook(title, a.rules().meta.year, path).map_err(xerr("文档属性"))?;
    let fmt = Formats::new();
    let mut times = Vec::with_capacity(sheets.len() + 1);
    for (name, f) in sheets {
        let t = std::time::Instant::now();
        f(a, scope, &mut wb, &fmt).map_err(|e| match e {
            SheetError::Xlsx(source) => {
                ReportError::Xlsx { path: path.to_path_buf(), sheet: name, source }
            }
            SheetError::Data(source) => ReportError::Data { sheet: name, source },
        })?;
        times.push((*name, t.elapsed()));
    }
    let t = std::time::Instant::now();
    save_workbook(&mut wb, path).map_err(xerr("保存"))?;
    times.push(("保存", t.elapsed()));
    Ok(times)
}

/// Write the bureau's results workbook into `out_dir` (no previous year).
pub fn write_workbook(ev: &Evaluation, out_dir: &Path) -> Result<PathBuf, ReportError> {
    let a = Analysis::build(ev, None)
        .map_err(|source| ReportError::Data { sheet: "汇总", source })?;
    write_bureau(&a, out_dir)
}

/// Write the bureau's results workbook of an analysis into `out_dir`.
pub fn write_bureau(a: &Analysis, out_dir: &Path) -> Result<PathBuf, ReportError> {
    write_bureau_timed(a, out_dir).map(|(path, _)| path)
}

fn write_bureau_timed(a: &Analysis, out_dir: &Path) -> Result<(PathBuf, SheetTimes), ReportError> {
    create_dir(out_dir)?;
    let path = out_dir.join(workbook_name(a.ev));
    let times = write_book(a, Scope::All, &a.rules().meta.name, SHEETS, &path)?;
    Ok((path, times))
}

/// Everything `evaluate` writes.
#[derive(Debug, Clone)]
pub struct Outputs {
    pub workbook: PathBuf,
    pub parks: Vec<PathBuf>,
    pub csv: PathBuf,
    pub json: PathBuf,
    /// Time of each step (analysis, each workbook, CSV, JSON) and the peak memory after it, for
    /// `evaluate --verbose`.
    pub timings: Vec<(String, std::time::Duration, Option<u64>)>,
}

/// Read the previous year's results (workbook, CSV or JSON) for the comparison, by the
/// indicators and quantities of this year's rules.
pub fn read_previous(path: &Path, ev: &Evaluation) -> Result<Previous, IngestError> {
    crate::ingest::previous::read(path, &yoy::wanted(&ev.rules))
}

/// Write every output: the bureau workbook, one workbook per park (in `out_dir/园区/`), the CSV
/// and the JSON. `progress(done, total, what)` is called before each step.
pub fn write_all(
    ev: &Evaluation,
    out_dir: &Path,
    previous: Option<Previous>,
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<Outputs, ReportError> {
    let mut timings = Vec::new();
    let mut t = std::time::Instant::now();
    let mut lap = |what: &str| {
        timings.push((what.to_string(), t.elapsed(), crate::peak_memory()));
        t = std::time::Instant::now();
    };
    let a = Analysis::build(ev, previous)
        .map_err(|source| ReportError::Data { sheet: "汇总", source })?;
    lap("汇总分析");
    // Enterprises without a park are in the bureau's workbook only.
    let park_list: Vec<&String> =
        a.parks.iter().filter(|p| p.as_str() != analysis::NO_PARK).collect();
    let total = 4 + park_list.len();
    progress(0, total, "结果工作簿");
    let (workbook, sheet_times) = write_bureau_timed(&a, out_dir)?;
    lap("结果工作簿");

    let mut parks = Vec::new();
    let dir = out_dir.join(park::DIR);
    let names = park::file_names(&park_list, a.rules().meta.year);
    for (i, (p, name)) in park_list.iter().zip(&names).enumerate() {
        progress(1 + i, total, p);
        parks.push(park::write_park(&a, p, &dir, name)?);
        lap(p);
    }
    progress(total - 3, total, "CSV");
    let csv = export::write_csv_file(&a, out_dir)?;
    lap("CSV");
    progress(total - 2, total, "JSON");
    let json = export::write_json_file(&a, out_dir)?;
    lap("JSON");
    // The bureau workbook's sheets, indented under it (no peak memory of their own).
    let sheets = sheet_times.into_iter().map(|(sheet, d)| (format!("  {sheet}"), d, None));
    timings.splice(2..2, sheets);
    progress(total - 1, total, "完成");
    Ok(Outputs { workbook, parks, csv, json, timings })
}

/// Write the data-quality workbook of `mujun check`: 问题清单 and 数据核对.
pub fn write_check_workbook(
    problems: &[crate::ingest::Problem],
    recs: &[crate::ingest::Reconciliation],
    year: i32,
    out_dir: &Path,
) -> Result<PathBuf, ReportError> {
    std::fs::create_dir_all(out_dir)
        .map_err(|e| ReportError::Io { path: out_dir.to_path_buf(), source: e })?;
    let path = out_dir.join(format!("{year}年度数据检查结果.xlsx"));
    let xerr = |sheet: &'static str| {
        let path = path.clone();
        move |source| ReportError::Xlsx { path, sheet, source }
    };
    let mut wb =
        new_workbook(&format!("{year}年度数据检查结果"), year, &path).map_err(xerr("文档属性"))?;
    let fmt = Formats::new();
    for (name, res) in [
        (problems::NAME, problems::write_problems(problems, &mut wb, &fmt)),
        (problems::RECON_NAME, problems::write_recon(recs, &mut wb, &fmt)),
    ] {
        res.map_err(|e| match e {
            SheetError::Xlsx(source) => {
                ReportError::Xlsx { path: path.clone(), sheet: name, source }
            }
            SheetError::Data(source) => ReportError::Data { sheet: name, source },
        })?;
    }
    save_workbook(&mut wb, &path).map_err(xerr("保存"))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
