//! Reading files into raw sheets: a header row and String columns, whatever the file format.
//! CSV goes through polars' reader (all columns as text); workbooks through calamine.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};
use polars::prelude::*;
use sha2::{Digest, Sha256};

use super::values::{split_header, to_half_width};
use super::IngestError;

/// One sheet (or CSV file) as read: header cells and the data rows below them as text columns.
pub struct RawSheet {
    pub file: PathBuf,
    /// Sheet name; None for CSV.
    pub sheet: Option<String>,
    pub headers: Vec<String>,
    /// 1-based spreadsheet row of the first data row.
    pub first_row: usize,
    /// Rows above the data (title and header rows) that were skipped.
    pub rows_above: usize,
    pub data: DataFrame,
    /// For a sheet reshaped from wide to long: the source data row (0-based) of each row.
    pub row_of: Option<Vec<u32>>,
}

/// A file read, with its digest for the 规则 sheet.
pub struct SourceFile {
    pub path: PathBuf,
    pub sha256: String,
    pub bytes: u64,
}

const INPUT_EXTS: &[&str] = &["csv", "xlsx", "xlsm", "xls", "ods"];

/// Expand folders (sorted, non-recursive) into input files.
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, IngestError> {
    let mut files = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let rd = std::fs::read_dir(p).map_err(|e| IngestError::Io { path: p.clone(), source: e })?;
            let mut here: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && is_input_file(f))
                .collect();
            here.sort();
            files.extend(here);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            return Err(IngestError::NotFound { path: p.clone() });
        }
    }
    if files.is_empty() {
        return Err(IngestError::NoInputFiles { paths: inputs.to_vec() });
    }
    Ok(files)
}

fn is_input_file(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.starts_with('.') || name.starts_with("~$") {
        return false;
    }
    ext_of(p).map(|e| INPUT_EXTS.contains(&e.as_str())).unwrap_or(false)
}

fn ext_of(p: &Path) -> Option<String> {
    p.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase())
}

/// Read one file into its sheets. `is_header` says whether a row of normalised cells looks like
/// a header row (enough known column names).
pub fn read_file(path: &Path, is_header: &HeaderScore) -> Result<(SourceFile, Vec<RawSheet>), IngestError> {
    let bytes = std::fs::read(path).map_err(|e| IngestError::Io { path: path.to_path_buf(), source: e })?;
    let sha256 = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let source = SourceFile { path: path.to_path_buf(), sha256, bytes: bytes.len() as u64 };
    let sheets = match ext_of(path).as_deref() {
        Some("csv") => read_csv(path, bytes, is_header)?.into_iter().collect(),
        Some("xlsx" | "xlsm") if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) => {
            // An OOXML file wrapped in an OLE container is an encrypted (password) workbook.
            return Err(IngestError::Parse {
                file: path.to_path_buf(),
                sheet: None,
                message: "工作簿受密码保护（已加密），无法读取，请去掉密码另存后重试".into(),
            });
        }
        _ => {
            drop(bytes);
            read_workbook(path, is_header)?
        }
    };
    Ok((source, sheets))
}

/// Decode CSV bytes: UTF-8 (with or without BOM), else GBK/GB18030. UTF-8, the usual case, is
/// taken over without a copy (a province's tax table is hundreds of megabytes).
pub fn decode_text(mut bytes: Vec<u8>) -> String {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => encoding_rs::GB18030.decode(e.as_bytes()).0.into_owned(),
    }
}

/// Split one CSV line into fields (quotes honoured); used only for the first lines.
fn split_csv_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

const HEADER_SCAN_ROWS: usize = 30;

/// Scores a row of normalised header cells: 0 when it is not a header (no credit-code column),
/// else the number of known columns it names.
pub type HeaderScore = dyn Fn(&[String]) -> usize;

/// Find the header among the first rows: a single row, or two rows where the upper one holds
/// merged group titles (用地 / 面积(亩) → 用地面积(亩)). Returns (first header row, rows used,
/// header texts).
fn pick_header(rows: &[Vec<String>], score: &HeaderScore) -> Option<(usize, usize, Vec<String>)> {
    let norm = |cells: &[String]| cells.iter().map(|c| split_header(c).0).collect::<Vec<_>>();
    for i in 0..rows.len().min(HEADER_SCAN_ROWS) {
        let one = score(&norm(&rows[i]));
        let two = rows.get(i + 1).map(|next| combine(&rows[i], next));
        let two_score = two.as_ref().map(|t| score(&norm(t))).unwrap_or(0);
        if two_score > one {
            return two.map(|t| (i, 2, t));
        }
        if one > 0 {
            return Some((i, 1, rows[i].clone()));
        }
    }
    None
}

/// Combine a group-title row with the row below it: the title (carried right across merged
/// cells) prefixes each sub-header; columns without a sub-header keep the title.
fn combine(top: &[String], below: &[String]) -> Vec<String> {
    let width = top.len().max(below.len());
    let mut out = Vec::with_capacity(width);
    let mut carried = String::new();
    for c in 0..width {
        let t = top.get(c).map(|s| s.trim()).unwrap_or("");
        let b = below.get(c).map(|s| s.trim()).unwrap_or("");
        if !t.is_empty() {
            carried = t.to_string();
        }
        out.push(match (t.is_empty(), b.is_empty()) {
            (_, true) => t.to_string(),
            (false, false) => format!("{t}{b}"),
            (true, false) => format!("{carried}{b}"),
        });
    }
    out
}

fn read_csv(path: &Path, bytes: Vec<u8>, is_header: &HeaderScore) -> Result<Option<RawSheet>, IngestError> {
    let text = decode_text(bytes);
    let first: Vec<(usize, &str)> = text
        .split_inclusive('\n')
        .take(HEADER_SCAN_ROWS + 1)
        .scan(0usize, |off, l| {
            let here = *off;
            *off += l.len();
            Some((here, l))
        })
        .collect();
    let lines: Vec<Vec<String>> = first.iter().map(|(_, l)| split_csv_line(l.trim_end_matches('\n'))).collect();
    let Some((idx, depth, headers)) = pick_header(&lines, is_header) else {
        return Err(IngestError::NoHeader { file: path.to_path_buf(), sheet: None });
    };
    // polars takes the last header line as its header; data follows it.
    let start = first[idx + depth - 1].0;
    let mut body = text.into_bytes();
    body.drain(..start);
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .map_parse_options(|o| o.with_truncate_ragged_lines(true).with_missing_is_null(true))
        .into_reader_with_file_handle(Cursor::new(body))
        .finish()
        .map_err(|e| IngestError::Parse { file: path.to_path_buf(), sheet: None, message: e.to_string() })?;
    // Positional names: c0, c1, ... so duplicate or odd headers cannot clash.
    let names: Vec<String> = (0..df.width()).map(|i| format!("c{i}")).collect();
    let mut df = df;
    df.set_column_names(&names)
        .map_err(|e| IngestError::Parse { file: path.to_path_buf(), sheet: None, message: e.to_string() })?;
    Ok(Some(RawSheet { file: path.to_path_buf(), sheet: None, headers, first_row: idx + depth + 1, rows_above: idx + depth, data: df, row_of: None }))
}

fn cell_text(d: &Data) -> Option<String> {
    match d {
        Data::Empty => None,
        Data::String(s) => Some(s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => Some(format_float(*f)),
        Data::Bool(b) => Some(if *b { "是".into() } else { "否".into() }),
        Data::DateTime(dt) => Some(format_float(dt.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Error(e) => Some(format!("{e}")),
    }
}

fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn read_workbook(path: &Path, is_header: &HeaderScore) -> Result<Vec<RawSheet>, IngestError> {
    let mut wb = open_workbook_auto(path)
        .map_err(|e| IngestError::Parse { file: path.to_path_buf(), sheet: None, message: workbook_message(&e.to_string()) })?;
    let mut out = Vec::new();
    for name in wb.sheet_names().to_vec() {
        let range = wb.worksheet_range(&name).map_err(|e| IngestError::Parse {
            file: path.to_path_buf(),
            sheet: Some(name.clone()),
            message: workbook_message(&e.to_string()),
        })?;
        let (start_row, start_col) = range.start().unwrap_or((0, 0));
        let rows: Vec<&[Data]> = range.rows().collect();
        let top: Vec<Vec<String>> = rows.iter().take(HEADER_SCAN_ROWS + 1).map(|r| r.iter().map(|c| cell_text(c).unwrap_or_default()).collect()).collect();
        let Some((h, depth, header_cells)) = pick_header(&top, is_header) else {
            // A sheet without a recognisable header: an empty sheet, notes or an unknown table.
            // Its cells are kept (no headers) so ingest can show its first rows.
            if !rows.is_empty() {
                let width = rows.iter().map(|r| r.len()).max().unwrap_or(0);
                let columns: Vec<Column> =
                    (0..width).map(|c| Column::new(format!("c{c}").into(), rows.iter().map(|r| r.get(c).and_then(cell_text)).collect::<Vec<_>>())).collect();
                let data = DataFrame::new(rows.len(), columns)
                    .map_err(|e| IngestError::Parse { file: path.to_path_buf(), sheet: Some(name.clone()), message: e.to_string() })?;
                out.push(RawSheet {
                    file: path.to_path_buf(),
                    sheet: Some(name.clone()),
                    headers: Vec::new(),
                    first_row: start_row as usize + 1,
                    rows_above: 0,
                    data,
                    row_of: None,
                });
            }
            continue;
        };
        let h = h + depth - 1;
        let width = rows[h].len().max(header_cells.len());
        // Leading empty columns are kept so column positions stay those of the sheet.
        let mut headers: Vec<String> = (0..start_col).map(|_| String::new()).collect();
        headers.extend(header_cells);
        let mut columns: Vec<Column> = Vec::with_capacity(headers.len());
        for c in 0..headers.len() {
            let vals: Vec<Option<String>> = if c < start_col as usize {
                vec![None; rows.len() - h - 1]
            } else {
                let ci = c - start_col as usize;
                rows[h + 1..].iter().map(|r| if ci < width { r.get(ci).and_then(cell_text) } else { None }).collect()
            };
            columns.push(Column::new(format!("c{c}").into(), vals));
        }
        let height = rows.len() - h - 1;
        let data = DataFrame::new(height, columns)
            .map_err(|e| IngestError::Parse { file: path.to_path_buf(), sheet: Some(name.clone()), message: e.to_string() })?;
        out.push(RawSheet {
            file: path.to_path_buf(),
            sheet: Some(name.clone()),
            headers,
            first_row: start_row as usize + h + 2,
            rows_above: start_row as usize + h + 1,
            data,
            row_of: None,
        });
    }
    Ok(out)
}

fn workbook_message(raw: &str) -> String {
    let lower = raw.to_ascii_lowercase();
    if lower.contains("password") || lower.contains("encrypt") {
        format!("工作簿受密码保护，无法读取，请另存为无密码文件后重试（{raw}）")
    } else {
        format!("无法读取工作簿，文件可能已损坏或不是表格文件（{raw}）")
    }
}

/// Normalise one header cell for matching: half-width, no spaces, unit removed.
pub fn header_key(raw: &str) -> (String, Option<String>) {
    let (name, unit) = split_header(&to_half_width(raw));
    (name.to_uppercase(), unit)
}
