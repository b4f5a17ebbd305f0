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
pub mod confirm;
pub mod export;
mod measures;
pub mod not_evaluated;
mod notice;
pub mod park;
pub mod problems;
pub mod results;
pub mod review;
pub mod rules_sheet;
mod summary;
pub mod template;
mod toplist;
pub mod years;
pub mod yoy;

use std::path::{Path, PathBuf};

use rust_xlsxwriter::Workbook;

use crate::evaluation::Evaluation;
use crate::ingest::previous::Previous;
use crate::ingest::IngestError;
use crate::ingest::{Problem, Reconciliation};
use crate::sheet::table::Formats;
use crate::sheet::{self, Book, BookError, SheetError, SheetTimes};
pub use analysis::{Analysis, PerMu};

/// Every failure of the report stage.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A workbook could not be written.
    #[error(transparent)]
    Book(#[from] BookError),
    /// A file beside the workbooks (the CSV, the JSON) could not be written (into the staging
    /// folder: the published set stays as it was).
    #[error("无法创建输出目录或文件 {path}：{}；原有结果未改动", crate::zh::io_error(.source))]
    Io {
        /// The directory or file that could not be created or written.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A table operation of the analysis failed (an internal error).
    #[error("整理评价结果时出现内部错误（工作表「{sheet}」）")]
    Data {
        /// The sheet being prepared (汇总 while the analysis itself is built).
        sheet: &'static str,
        /// The table library's error.
        source: polars::prelude::PolarsError,
    },
    /// No single enterprise matches what `explain` was asked for.
    #[error("{0}")]
    Lookup(String),
    /// A park's name gives no safe file name.
    #[error("园区名称「{0}」无法生成安全的文件名")]
    UnsafeName(String),
    /// The 复核对比 could not read this run's results CSV back.
    #[error(transparent)]
    Review(#[from] crate::review::diff::DiffError),
}

/// Which enterprises a sheet shows: all (the bureau's workbook) or one park's.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'s> {
    /// Every enterprise of the district, including those without a park.
    All,
    /// The enterprises whose 所属园区 is exactly this park name.
    Park(&'s str),
}

impl Scope<'_> {
    /// Whether an enterprise of park `park` (its 所属园区; [`analysis::NO_PARK`] when none) is
    /// shown.
    pub fn has(&self, park: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Park(p) => *p == park,
        }
    }
}

/// A sheet of a results workbook: it writes what the analysis shows of the enterprises in scope.
pub type SheetFn = fn(&Analysis, Scope, &mut Workbook, &Formats) -> Result<(), SheetError>;

/// The sheets of the bureau's results workbook, in order. 年度对比 and 等级变动 are written only
/// when a previous year is given, 复核对比 only for a re-run that corrects a run.
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
    (years::NAME, years::write),
    (review::NAME, |a, _, wb, fmt| match &a.review {
        Some(c) => review::write(c, wb, fmt),
        None => Ok(()),
    }),
    (review::CORRECTIONS, |a, _, wb, fmt| review::write_corrections(&a.corrections, wb, fmt)),
    (problems::NAME, |a, _, wb, fmt| problems::write(a.ev, wb, fmt)),
    (problems::RECON_NAME, |a, _, wb, fmt| problems::write_reconciliation(a.ev, wb, fmt)),
    (rules_sheet::NAME, |a, _, wb, fmt| rules_sheet::write(a.ev, wb, fmt)),
];

/// File name of the results workbook for a rule set.
pub fn workbook_name(ev: &Evaluation) -> String {
    format!("{}年度亩均效益评价结果.xlsx", ev.rules.meta.year)
}

/// Write the workbook at `path` of the analysis `a`: `sheets` (a workbook definition such as
/// [`SHEETS`] or [`park::PARK_SHEETS`]) showing the enterprises of `scope`.
pub(crate) fn write_analysis_book(
    a: &Analysis,
    scope: Scope,
    title: &str,
    sheets: &[(&'static str, SheetFn)],
    path: &Path,
) -> Result<SheetTimes, ReportError> {
    let book = Book { path, title, year: a.rules().meta.year };
    Ok(sheet::write_book(&book, sheets, |f, wb, fmt| f(a, scope, wb, fmt))?)
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
    sheet::create_dir(out_dir)?;
    let path = out_dir.join(workbook_name(a.ev));
    let times = write_analysis_book(a, Scope::All, &a.rules().meta.name, SHEETS, &path)?;
    Ok((path, times))
}

/// Everything `evaluate` writes.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// The bureau's results workbook (`<year>年度亩均效益评价结果.xlsx` in the output directory).
    pub workbook: PathBuf,
    /// One workbook per park, in `园区/`, in the order of the analysis's parks (none without a
    /// park).
    pub parks: Vec<PathBuf>,
    /// The results CSV for other systems (UTF-8 with BOM).
    pub csv: PathBuf,
    /// The results JSON for other systems.
    pub json: PathBuf,
    /// Why the year-over-year comparison says little (same year, no shared enterprise), if so.
    pub caution: Option<String>,
    /// The per-mu aggregates the workbooks show (district, parks, clusters, parks' clusters),
    /// for the store.
    pub per_mu: Vec<analysis::PerMu>,
    /// Time of each step (analysis, each workbook, CSV, JSON) and the peak memory after it, for
    /// `evaluate --verbose`.
    pub timings: Vec<(String, std::time::Duration, Option<u64>)>,
}

impl Outputs {
    /// The same outputs with each path mapped by `to` (from the staging folder to where the set
    /// is published).
    pub fn moved(&self, to: impl Fn(&Path) -> PathBuf) -> Outputs {
        Outputs {
            workbook: to(&self.workbook),
            parks: self.parks.iter().map(|p| to(p)).collect(),
            csv: to(&self.csv),
            json: to(&self.json),
            ..self.clone()
        }
    }
}

/// Read the previous year's results (workbook, CSV or JSON) for the comparison, by the
/// indicators and quantities of this year's rules.
pub fn read_previous(path: &Path, ev: &Evaluation) -> Result<Previous, IngestError> {
    crate::ingest::previous::read(path, &yoy::wanted(&ev.rules))
}

/// The previous year's results from a results CSV held in memory (a 定稿 run of the store),
/// named `name` in notes and errors.
pub fn previous_from_csv(
    name: &Path,
    csv: Vec<u8>,
    ev: &Evaluation,
) -> Result<Previous, IngestError> {
    crate::ingest::previous::read_csv_bytes(name, csv, &yoy::wanted(&ev.rules))
}

/// The runs before this one that the reports compare with: the previous year (年度对比,
/// 等级变动), the scheme's official years from the store (历年对比), and the run this one
/// corrects (复核对比).
#[derive(Debug, Clone, Default)]
pub struct Past {
    /// The year before, from `--previous` or the store.
    pub previous: Option<Previous>,
    /// Every earlier 定稿 year of the scheme in the store, oldest first.
    pub years: Vec<Previous>,
    /// The 公示 run this re-run corrects.
    pub corrects: Option<crate::review::diff::Base>,
    /// The accepted corrections laid over this re-run's inputs (更正记录).
    pub corrections: Vec<crate::review::corrections::Applied>,
}

impl From<Option<Previous>> for Past {
    fn from(previous: Option<Previous>) -> Past {
        Past { previous, ..Past::default() }
    }
}

/// Which output a written file is (for the year store, which keeps the results CSV line by line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The results CSV.
    Csv,
    /// The results JSON.
    Json,
    /// The bureau's results workbook.
    Workbook,
    /// A park's workbook.
    Park,
}

/// Write every output: the CSV and the JSON, the bureau workbook, one workbook per park (in
/// `out_dir/园区/`). `progress(done, total, what)` is called before each step, `written(path,
/// kind)` after each file is complete (the smaller machine-readable files first, so that what
/// reads them can work while the workbooks are written).
pub fn write_all(
    ev: &Evaluation,
    out_dir: &Path,
    past: impl Into<Past>,
    progress: &mut dyn FnMut(usize, usize, &str),
    written: &mut dyn FnMut(&Path, Written),
) -> Result<Outputs, ReportError> {
    let past = past.into();
    let mut timings = Vec::new();
    let mut t = std::time::Instant::now();
    let mut lap = |what: &str| {
        timings.push((what.to_string(), t.elapsed(), crate::peak_memory()));
        t = std::time::Instant::now();
    };
    sheet::create_dir(out_dir)?;
    let mut a = Analysis::build(ev, past.previous)
        .map_err(|source| ReportError::Data { sheet: "汇总", source })?;
    a.years = past.years;
    lap("汇总分析");
    // Enterprises without a park are in the bureau's workbook only.
    let park_list: Vec<&String> =
        a.parks.iter().filter(|p| p.as_str() != analysis::NO_PARK).collect();
    let total = 4 + park_list.len();
    progress(0, total, "CSV");
    let csv = export::write_csv_file(&a, out_dir)?;
    written(&csv, Written::Csv);
    a.review = past.corrects.map(|base| review::against(base, &csv)).transpose()?;
    a.corrections = past.corrections;
    lap("CSV");
    progress(1, total, "JSON");
    let json = export::write_json_file(&a, out_dir)?;
    written(&json, Written::Json);
    lap("JSON");
    progress(2, total, "结果工作簿");
    let (workbook, sheet_times) = write_bureau_timed(&a, out_dir)?;
    written(&workbook, Written::Workbook);
    lap("结果工作簿");

    let mut parks = Vec::new();
    let dir = out_dir.join(park::DIR);
    let names = park::file_names(&park_list, a.rules().meta.year);
    for (i, (p, name)) in park_list.iter().zip(&names).enumerate() {
        progress(3 + i, total, p);
        let path = park::write_park(&a, p, &dir, name)?;
        written(&path, Written::Park);
        parks.push(path);
        lap(p);
    }
    // The bureau workbook's sheets under it (after 汇总分析, CSV, JSON, 结果工作簿; no peak memory).
    let sheets = sheet_times.into_iter().map(|(sheet, d)| (format!("  {sheet}"), d, None));
    timings.splice(4..4, sheets);
    progress(total - 1, total, "完成");
    let caution = a.comparison.as_ref().and_then(|c| c.caution.clone());
    let per_mu = std::mem::take(&mut a.per_mu);
    Ok(Outputs { workbook, parks, csv, json, caution, per_mu, timings })
}

/// What the sheets of the data-check workbook show: the input's problems and row accounting.
pub struct Checked<'c> {
    /// Every problem found in the input.
    pub problems: &'c [Problem],
    /// Rows read, used, skipped and rejected per file and sheet.
    pub recs: &'c [Reconciliation],
}

/// A sheet of the data-check workbook.
pub type CheckSheetFn = fn(&Checked, &mut Workbook, &Formats) -> Result<(), SheetError>;

/// The sheets of the data-check workbook of `mujun check`, in order.
pub const CHECK_SHEETS: &[(&str, CheckSheetFn)] = &[
    (problems::NAME, |c, wb, fmt| problems::write_problems(c.problems, wb, fmt)),
    (problems::RECON_NAME, |c, wb, fmt| problems::write_recon(c.recs, wb, fmt)),
];

/// Write the data-quality workbook of `mujun check`: 问题清单 and 数据核对.
pub fn write_check_workbook(
    problems: &[Problem],
    recs: &[Reconciliation],
    year: i32,
    out_dir: &Path,
) -> Result<PathBuf, ReportError> {
    sheet::create_dir(out_dir)?;
    let path = out_dir.join(format!("{year}年度数据检查结果.xlsx"));
    let book = Book { path: &path, title: &format!("{year}年度数据检查结果"), year };
    let checked = Checked { problems, recs };
    sheet::write_book(&book, CHECK_SHEETS, |f, wb, fmt| f(&checked, wb, fmt))?;
    Ok(path)
}
