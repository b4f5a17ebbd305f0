//! Row sinks: one table → one CSV file (streamed through a buffer) or one
//! single-sheet xlsx workbook (created and saved as every workbook, by [`crate::sheet`]).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, Workbook};

use super::{SampleError, SampleFormat};

/// Excel's row limit (rows are 0-based, so the last is 1_048_575).
const XLSX_MAX_ROWS: u32 = 1_048_576;

/// One cell of a row.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    /// Text, written as a string (also dates `YYYY-MM-DD` and codes with leading zeros).
    Text(&'a str),
    /// A number written with exactly this many decimals.
    Fixed(f64, u8),
    /// Hundredths (0.01 万元, 0.01 亩), written with 2 decimals, exact.
    Hundredths(i64),
    /// An integer.
    Int(i64),
    /// Empty cell.
    Blank,
}

/// Round `v` to `d` decimals; never returns -0.0.
pub(crate) fn round_to(v: f64, d: u8) -> f64 {
    let p = 10f64.powi(d as i32);
    let r = (v * p).round() / p;
    if r == 0.0 || !r.is_finite() {
        0.0
    } else {
        r
    }
}

struct XlsxState {
    /// Holds one constant-memory worksheet (index 0): rows go to a temp file as written.
    wb: Workbook,
    formats: [Format; 4], // 0..=3 decimals
}

enum Inner {
    Csv(BufWriter<File>),
    Xlsx(Box<XlsxState>),
}

pub(crate) struct Sink {
    inner: Inner,
    path: PathBuf,
    table: &'static str,
    row: u32,
    line: Vec<u8>,
}

impl Sink {
    /// Create the sink for `table` in `dir` and write the header row.
    pub(crate) fn create(
        dir: &Path,
        table: &'static str,
        headers: &[&str],
        widths: &[f64],
        format: SampleFormat,
        year: i32,
    ) -> Result<Sink, SampleError> {
        let (ext, inner) = match format {
            SampleFormat::Csv => {
                let path = dir.join(format!("{table}.csv"));
                let f = File::create(&path)
                    .map_err(|source| SampleError::Io { path: path.clone(), source })?;
                ("csv", Inner::Csv(BufWriter::with_capacity(1 << 20, f)))
            }
            SampleFormat::Xlsx => {
                let path = dir.join(format!("{table}.xlsx"));
                let xe = |source| SampleError::Xlsx { path: path.clone(), source };
                let mut wb = crate::sheet::workbook_beside(&path).map_err(xe)?;
                // Fixed creation time so the same options give byte-identical files.
                wb.set_properties(&crate::sheet::properties(table, year).map_err(xe)?);
                // Constant memory: each row is flushed to a temp file once the next row starts.
                let ws = wb.add_worksheet_with_constant_memory().map_err(xe)?;
                ws.set_name(table).map_err(xe)?;
                for (c, w) in widths.iter().enumerate() {
                    ws.set_column_width(c as u16, *w).map_err(xe)?;
                }
                ws.set_freeze_panes(1, 0).map_err(xe)?;
                let formats = [
                    Format::new().set_num_format("0"),
                    Format::new().set_num_format("0.0"),
                    Format::new().set_num_format("0.00"),
                    Format::new().set_num_format("0.000"),
                ];
                ("xlsx", Inner::Xlsx(Box::new(XlsxState { wb, formats })))
            }
        };
        let path = dir.join(format!("{table}.{ext}"));
        let mut sink = Sink { inner, path, table, row: 0, line: Vec::with_capacity(256) };
        let cells: Vec<Cell> = headers.iter().map(|h| Cell::Text(h)).collect();
        sink.row(&cells)?;
        Ok(sink)
    }

    /// Write one row.
    pub(crate) fn row(&mut self, cells: &[Cell]) -> Result<(), SampleError> {
        match &mut self.inner {
            Inner::Csv(w) => {
                let line = &mut self.line;
                line.clear();
                for (i, c) in cells.iter().enumerate() {
                    if i > 0 {
                        line.push(b',');
                    }
                    csv_cell(line, c);
                }
                line.push(b'\n');
                w.write_all(line)
                    .map_err(|source| SampleError::Io { path: self.path.clone(), source })?;
            }
            Inner::Xlsx(st) => {
                if self.row >= XLSX_MAX_ROWS {
                    return Err(SampleError::TooManyRows {
                        path: self.path.clone(),
                        table: self.table,
                    });
                }
                let r = self.row;
                let path = &self.path;
                let xe = |source| SampleError::Xlsx { path: path.clone(), source };
                let XlsxState { wb, formats } = &mut **st;
                let ws = wb.worksheet_from_index(0).map_err(xe)?;
                for (i, c) in cells.iter().enumerate() {
                    let col = i as u16;
                    match *c {
                        Cell::Text(s) => {
                            if !s.is_empty() {
                                ws.write_string(r, col, s).map_err(xe)?;
                            }
                        }
                        Cell::Fixed(v, d) => {
                            let f = &formats[(d as usize).min(3)];
                            ws.write_number_with_format(r, col, round_to(v, d), f).map_err(xe)?;
                        }
                        Cell::Hundredths(h) => {
                            ws.write_number_with_format(r, col, h as f64 / 100.0, &formats[2])
                                .map_err(xe)?;
                        }
                        Cell::Int(n) => {
                            ws.write_number_with_format(r, col, n as f64, &formats[0])
                                .map_err(xe)?;
                        }
                        Cell::Blank => {}
                    }
                }
            }
        }
        self.row += 1;
        Ok(())
    }

    /// Flush/save; returns the path written.
    pub(crate) fn finish(self) -> Result<PathBuf, SampleError> {
        let path = self.path;
        match self.inner {
            Inner::Csv(mut w) => {
                w.flush().map_err(|source| SampleError::Io { path: path.clone(), source })?;
            }
            Inner::Xlsx(st) => {
                let xe = |source| SampleError::Xlsx { path: path.clone(), source };
                let XlsxState { mut wb, .. } = *st;
                crate::sheet::save_workbook(&mut wb, &path).map_err(xe)?;
            }
        }
        Ok(path)
    }
}

/// Append one CSV field: quoted only when it holds a comma, quote, CR or LF
/// (or leading/trailing spaces).
fn csv_cell(line: &mut Vec<u8>, c: &Cell) {
    match *c {
        Cell::Text(s) => {
            let needs = s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
                || s.starts_with(' ')
                || s.ends_with(' ');
            if needs {
                line.push(b'"');
                for b in s.bytes() {
                    if b == b'"' {
                        line.push(b'"');
                    }
                    line.push(b);
                }
                line.push(b'"');
            } else {
                line.extend_from_slice(s.as_bytes());
            }
        }
        Cell::Fixed(v, d) => {
            let _ = write!(line, "{:.*}", d as usize, round_to(v, d));
        }
        Cell::Hundredths(h) => push_hundredths(line, h),
        Cell::Int(n) => {
            let _ = write!(line, "{n}");
        }
        Cell::Blank => {}
    }
}

/// Format hundredths as a fixed 2-decimal number (e.g. -5 → "-0.05").
pub(crate) fn push_hundredths(line: &mut Vec<u8>, h: i64) {
    if h < 0 {
        line.push(b'-');
    }
    let a = h.unsigned_abs();
    let _ = write!(line, "{}.{:02}", a / 100, a % 100);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(c: Cell) -> String {
        let mut v = Vec::new();
        csv_cell(&mut v, &c);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn csv_cells() {
        assert_eq!(csv(Cell::Text("涪陵高新区")), "涪陵高新区");
        assert_eq!(csv(Cell::Text("专精特新\"小巨人\"")), "\"专精特新\"\"小巨人\"\"\"");
        assert_eq!(csv(Cell::Text("a,b")), "\"a,b\"");
        assert_eq!(csv(Cell::Fixed(-0.0001, 2)), "0.00");
        assert_eq!(csv(Cell::Fixed(1.005e9, 2)), "1005000000.00");
        assert_eq!(csv(Cell::Fixed(1e-7, 3)), "0.000");
        assert_eq!(csv(Cell::Fixed(12.3456, 3)), "12.346");
        assert_eq!(csv(Cell::Hundredths(-5)), "-0.05");
        assert_eq!(csv(Cell::Hundredths(123456)), "1234.56");
        assert_eq!(csv(Cell::Hundredths(0)), "0.00");
        assert_eq!(csv(Cell::Int(42)), "42");
        assert_eq!(csv(Cell::Blank), "");
    }
}
