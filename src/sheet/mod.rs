//! Writing workbooks, one way for every output of mujun: the results workbooks, the land
//! bureau's workbook, the data-check workbook, the blank templates and the sample tables.
//!
//! A workbook is defined as data, a list of sheets (name + writer), and written by
//! [`write_book`]: it creates the workbook with fixed document properties (so identical inputs
//! give identical bytes), runs each sheet's writer with one set of [`table::Formats`], saves the
//! file through a latch that keeps the first disk error, and names the file and sheet of any
//! failure in Chinese. [`table`] writes one table into a sheet.
//!
//! This module knows nothing of what the sheets hold: it never imports report, land or sample,
//! which all build on it.

#![warn(missing_docs)]

pub mod print;
pub mod table;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

use table::Formats;

/// Why a workbook could not be written: the file, and the sheet or step that failed.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    /// The workbook library failed (a full disk, a limit of the xlsx format) in a sheet, or in
    /// the steps 文档属性 (creating the workbook) and 保存 (saving it).
    #[error("写入工作簿 {path} 失败（工作表「{sheet}」）：{}", crate::zh::xlsx_error(.source))]
    Xlsx {
        /// The workbook's file.
        path: PathBuf,
        /// The sheet being written, or the step.
        sheet: &'static str,
        /// The library's error.
        source: XlsxError,
    },
    /// The output folder could not be created.
    #[error("无法创建输出目录或文件 {path}：{}", crate::zh::io_error(.source))]
    Io {
        /// The folder.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// A table operation inside a sheet's writer failed (an internal error).
    #[error("整理评价结果时出现内部错误（工作表「{sheet}」）")]
    Data {
        /// The sheet being written.
        sheet: &'static str,
        /// The table library's error.
        source: polars::prelude::PolarsError,
    },
}

/// An error inside one sheet's writer; [`write_book`] adds the file and the sheet's name.
#[derive(Debug)]
pub enum SheetError {
    /// The workbook library failed.
    Xlsx(XlsxError),
    /// A table operation failed.
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

/// A workbook to write: its file, and the title and year of its document properties.
#[derive(Debug, Clone, Copy)]
pub struct Book<'p> {
    /// The file to write (its folder must exist; see [`create_dir`]).
    pub path: &'p Path,
    /// The document title.
    pub title: &'p str,
    /// The year evaluated: the document time is 1 January of the year after.
    pub year: i32,
}

/// A sheet of a workbook definition: its name (for errors and timings) and its writer, which
/// adds the sheet to the workbook. `W` is whatever the caller's writers are (a function of the
/// caller's own data); [`write_book`] is told how to call one.
pub type Sheet<W> = (&'static str, W);

/// Time spent on each sheet of a workbook, then on saving it ("保存"), which compresses every
/// sheet's XML; for `evaluate --verbose`.
pub type SheetTimes = Vec<(&'static str, Duration)>;

/// Write the workbook `book` holding `sheets`, in order: `write(writer, workbook, formats)` runs
/// one sheet's writer. Returns the time of each sheet and of saving.
pub fn write_book<W>(
    book: &Book,
    sheets: &[Sheet<W>],
    write: impl Fn(&W, &mut Workbook, &Formats) -> Result<(), SheetError>,
) -> Result<SheetTimes, BookError> {
    let xlsx = |sheet: &'static str| {
        move |source| BookError::Xlsx { path: book.path.to_path_buf(), sheet, source }
    };
    let mut wb = new_workbook(book.title, book.year, book.path).map_err(xlsx("文档属性"))?;
    let fmt = Formats::new();
    let mut times = Vec::with_capacity(sheets.len() + 1);
    for &(name, ref writer) in sheets {
        let t = Instant::now();
        write(writer, &mut wb, &fmt).map_err(|e| match e {
            SheetError::Xlsx(source) => xlsx(name)(source),
            SheetError::Data(source) => BookError::Data { sheet: name, source },
        })?;
        times.push((name, t.elapsed()));
    }
    let t = Instant::now();
    save_workbook(&mut wb, book.path).map_err(xlsx("保存"))?;
    times.push(("保存", t.elapsed()));
    Ok(times)
}

/// Create the output folder `dir` (and its parents) for the workbooks written into it.
pub fn create_dir(dir: &Path) -> Result<(), BookError> {
    std::fs::create_dir_all(dir).map_err(|source| BookError::Io { path: dir.to_path_buf(), source })
}

/// Document properties with `title` and a fixed time, 1 January of the year after `year`, so
/// identical inputs give identical bytes.
pub fn properties(title: &str, year: i32) -> Result<DocProperties, XlsxError> {
    let when = ExcelDateTime::from_ymd((year + 1).clamp(1900, 9999) as u16, 1, 1)?;
    Ok(DocProperties::new().set_title(title).set_creation_datetime(&when))
}

/// A workbook by mujun (the author) with the [`properties`] of `title` and `year`. Its temp files
/// go beside `path` (the staging folder of the run), not to the system's temp folder.
pub fn new_workbook(title: &str, year: i32, path: &Path) -> Result<Workbook, XlsxError> {
    let mut wb = workbook_beside(path)?;
    wb.set_properties(&properties(title, year)?.set_author("mujun"));
    Ok(wb)
}

/// An empty workbook whose constant-memory temp files are made in the folder of `path`.
pub fn workbook_beside(path: &Path) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        wb.set_tempdir(dir)?;
    }
    Ok(wb)
}

/// Save `wb` at `path`. The file goes through [`Latch`], so a failing disk never reaches the
/// zip library (whose drop prints an English line to stderr when it cannot finish the archive);
/// the first I/O error is returned once the library is done.
pub fn save_workbook(wb: &mut Workbook, path: &Path) -> Result<(), XlsxError> {
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

#[cfg(test)]
mod tests;
