//! Reading files into raw sheets: a header row and String columns, whatever the file format.
//! CSV goes through polars' reader (all columns as text); workbooks through calamine.

use std::io::{Cursor, Read, Seek};
use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Dimensions, Reader, Sheets, Xlsx, XlsxError};
use polars::prelude::*;
use sha2::{Digest, Sha256};

use super::values::{missing_kind, split_header, to_half_width};
use super::IngestError;

/// One sheet (or CSV file) as read: header cells and the data rows below them as text columns.
pub struct RawSheet {
    /// The input file it was read from.
    pub file: PathBuf,
    /// Sheet name; None for CSV.
    pub sheet: Option<String>,
    /// The header row's cells as written (units in brackets included); empty when no header
    /// row was found.
    pub headers: Vec<String>,
    /// 1-based spreadsheet row of the first data row.
    pub first_row: usize,
    /// Rows above the data (title and header rows) that were skipped.
    pub rows_above: usize,
    /// The data rows as text columns `c0`, `c1`…, one per header cell.
    pub data: DataFrame,
    /// The source data row (0-based) of each row, when rows were left out (blank rows of a
    /// workbook) or multiplied (a sheet reshaped from wide to long). None: row i is data row i.
    pub row_of: Option<Vec<u32>>,
    /// Formula cells saved without a computed value: (data column, 1-based spreadsheet row).
    pub blank_formulas: Vec<(usize, usize)>,
    /// Rows of a sheet without a header, of which `data` keeps only the first (enough to show
    /// what the sheet is).
    pub unread_rows: Option<usize>,
}

impl RawSheet {
    /// Data rows of the sheet as written, blank ones included.
    pub fn source_rows(&self) -> usize {
        if let Some(n) = self.unread_rows {
            return n;
        }
        match &self.row_of {
            Some(r) => r.last().map(|x| *x as usize + 1).unwrap_or(0),
            None => self.data.height(),
        }
    }

    /// The 1-based spreadsheet row of data row `i`.
    pub fn sheet_row(&self, i: usize) -> usize {
        self.first_row + self.row_of.as_ref().map(|r| r[i] as usize).unwrap_or(i)
    }
}

/// A file read, with its digest for the 规则 sheet.
pub struct SourceFile {
    /// The file as found under `--data`.
    pub path: PathBuf,
    /// SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
    /// Its size in bytes.
    pub bytes: u64,
}

const INPUT_EXTS: &[&str] = &["csv", "xlsx", "xlsm", "xls", "ods"];

/// Expand folders (sorted, non-recursive) into input files.
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, IngestError> {
    let mut files = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let rd =
                std::fs::read_dir(p).map_err(|e| IngestError::Io { path: p.clone(), source: e })?;
            let mut here: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && is_input_file(f))
                .collect();
            here.sort();
            if here.is_empty() {
                let subdirs = folders_with_inputs(p);
                if !subdirs.is_empty() {
                    return Err(IngestError::YearFolders { dir: p.clone(), subdirs });
                }
            }
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

/// The sub-folders of `dir` (names, sorted) that hold an input file.
fn folders_with_inputs(dir: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|d| d.is_dir())
        .filter(|d| {
            std::fs::read_dir(d).is_ok_and(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .any(|f| f.is_file() && is_input_file(&f))
            })
        })
        .filter_map(|d| d.file_name().and_then(|n| n.to_str()).map(str::to_string))
        .collect();
    names.sort();
    names
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
pub fn read_file(
    path: &Path,
    is_header: &HeaderScore,
) -> Result<(SourceFile, Vec<RawSheet>), IngestError> {
    let bytes =
        std::fs::read(path).map_err(|e| IngestError::Io { path: path.to_path_buf(), source: e })?;
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

fn read_csv(
    path: &Path,
    bytes: Vec<u8>,
    is_header: &HeaderScore,
) -> Result<Option<RawSheet>, IngestError> {
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
    let lines: Vec<Vec<String>> =
        first.iter().map(|(_, l)| split_csv_line(l.trim_end_matches('\n'))).collect();
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
        .map_err(|e| IngestError::Parse {
            file: path.to_path_buf(),
            sheet: None,
            message: crate::zh::csv_error(&e.to_string()),
        })?;
    // Positional names: c0, c1, ... so duplicate or odd headers cannot clash.
    let names: Vec<String> = (0..df.width()).map(|i| format!("c{i}")).collect();
    let mut df = df;
    df.set_column_names(&names).map_err(|e| IngestError::Parse {
        file: path.to_path_buf(),
        sheet: None,
        message: crate::zh::csv_error(&e.to_string()),
    })?;
    Ok(Some(RawSheet {
        file: path.to_path_buf(),
        sheet: None,
        headers,
        first_row: idx + depth + 1,
        rows_above: idx + depth,
        data: df,
        row_of: None,
        blank_formulas: Vec::new(),
        unread_rows: None,
    }))
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

/// Like [`cell_text`], taking a string cell's text over without a copy.
fn into_text(d: Data) -> Option<String> {
    match d {
        Data::String(s) => Some(s),
        other => cell_text(&other),
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
    let mut wb = open_workbook(path)?;
    let mut out = Vec::new();
    for name in wb.sheet_names().to_vec() {
        let failed = |message: String| IngestError::Parse {
            file: path.to_path_buf(),
            sheet: Some(name.clone()),
            message,
        };
        let cells = sheet_cells(&mut wb, &name).map_err(failed)?;
        out.extend(sheet_from_cells(path, &name, cells, is_header).map_err(failed)?);
    }
    Ok(out)
}

/// Open a workbook of any format calamine reads; a library panic on a broken file is an error.
pub(crate) fn open_workbook(
    path: &Path,
) -> Result<Sheets<std::io::BufReader<std::fs::File>>, IngestError> {
    let opened = crate::guard::quietly(|| open_workbook_auto(path).map_err(|e| e.to_string()))
        .unwrap_or_else(|| Err("cell reference out of range".into()));
    opened.map_err(|e| IngestError::Parse {
        file: path.to_path_buf(),
        sheet: None,
        message: workbook_message(&e),
    })
}

/// The cells of sheet `name` that hold something: streamed for xlsx, from calamine's range for
/// xls and ods. The error (Chinese) names what is broken; a library panic is one too.
pub(super) fn sheet_cells<RS: Read + Seek>(
    wb: &mut Sheets<RS>,
    name: &str,
) -> Result<SheetCells, String> {
    crate::guard::quietly(|| match wb {
        Sheets::Xlsx(x) => xlsx_cells(x, name),
        other => range_cells(other, name),
    })
    .unwrap_or_else(|| Err("cell reference out of range".into()))
    .map_err(|e| workbook_message(&e))
}

/// A sheet's cells that hold something, as text, with 0-based (row, column) positions.
#[derive(Default)]
pub(super) struct SheetCells {
    /// (row, column, text), in the sheet's order (row by row).
    pub(super) cells: Vec<(u32, u32, String)>,
    /// Formula cells saved without their computed value.
    blank_formulas: Vec<(u32, u32)>,
    merges: Vec<Dimensions>,
}

/// An xlsx sheet read as a stream of cells: memory follows the cells that exist, not the area
/// they span (a single cell at XFD1048576 costs one cell).
fn xlsx_cells<RS: Read + Seek>(x: &mut Xlsx<RS>, name: &str) -> Result<SheetCells, String> {
    let mut out = SheetCells::default();
    let mut reader = match x.worksheet_cells_reader(name) {
        Ok(r) => r,
        // A chart sheet: no cells.
        Err(XlsxError::NotAWorksheet(_)) => return Ok(out),
        Err(e) => return Err(e.to_string()),
    };
    while let Some(c) = reader.next_cell_with_formula_metadata().map_err(|e| e.to_string())? {
        match into_text(Data::from(c.value)) {
            Some(t) => out.cells.push((c.pos.0, c.pos.1, t)),
            None if c.formula.is_some() => out.blank_formulas.push(c.pos),
            None => {}
        }
    }
    drop(reader);
    // The merges follow the cells in the sheet's XML: a second pass over it.
    out.merges = x.merge_cells_by_sheet_name(name).map_err(|e| e.to_string())?;
    Ok(out)
}

/// An xls or ods sheet: calamine has already laid it out when opening the workbook (its size is
/// bounded by the format: 65,536 × 256 cells for xls, calamine's own cell limit for ods); only
/// the cells that hold something are taken from it.
fn range_cells<RS: Read + Seek>(wb: &mut Sheets<RS>, name: &str) -> Result<SheetCells, String> {
    let range = wb.worksheet_range(name).map_err(|e| e.to_string())?;
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let at = |r: usize, c: usize| (r0 + r as u32, c0 + c as u32);
    let cells = range
        .used_cells()
        .filter_map(|(r, c, d)| cell_text(d).map(|t| (at(r, c).0, at(r, c).1, t)))
        .collect();
    let formulas = wb.worksheet_formula(name).unwrap_or_default();
    let (f0, g0) = formulas.start().unwrap_or((0, 0));
    let blank_formulas = formulas
        .used_cells()
        .map(|(r, c, _)| (f0 + r as u32, g0 + c as u32))
        .filter(|pos| range.get_value(*pos).is_none_or(|d| cell_text(d).is_none()))
        .collect();
    let merges = match wb {
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).map_err(|e| e.to_string())?,
        _ => Vec::new(),
    };
    Ok(SheetCells { cells, blank_formulas, merges })
}

/// Build a sheet from its cells: find the header among the top rows, fill merged cells of the
/// data rows, and lay out only the rows and columns that hold something. Returns None for a
/// sheet without cells, an error (Chinese) for a sheet whose cells are too scattered to lay out.
fn sheet_from_cells(
    path: &Path,
    name: &str,
    mut sc: SheetCells,
    is_header: &HeaderScore,
) -> Result<Option<RawSheet>, String> {
    if !sc.cells.is_sorted_by_key(|c| (c.0, c.1)) {
        sc.cells.sort_by_key(|c| (c.0, c.1));
    }
    let (Some(first), Some(last)) = (sc.cells.first(), sc.cells.last()) else { return Ok(None) };
    let (row_start, row_end) = (first.0, last.0);
    let col_start = sc.cells.iter().map(|c| c.1).min().unwrap_or(0);
    let top = top_rows(&sc.cells, row_start, col_start);
    let raw = |headers: Vec<String>,
               first_row: usize,
               rows_above: usize,
               data: DataFrame,
               row_of: Option<Vec<u32>>| RawSheet {
        file: path.to_path_buf(),
        sheet: Some(name.to_string()),
        headers,
        first_row,
        rows_above,
        data,
        row_of,
        blank_formulas: Vec::new(),
        unread_rows: None,
    };
    let Some((h, depth, header_cells)) = pick_header(&top, is_header) else {
        // A sheet without a recognisable header: notes, or a table of no known kind. Its first
        // rows are kept (no headers) so ingest can show them.
        let mut sheet = raw(Vec::new(), row_start as usize + 1, 0, first_rows_frame(&top)?, None);
        sheet.unread_rows = Some((row_end - row_start) as usize + 1);
        return Ok(Some(sheet));
    };
    let header_row = row_start.saturating_add((h + depth - 1) as u32);
    fill_merges(&mut sc, header_row, row_end)?;
    let data_cells = sc.cells.split_off(sc.cells.partition_point(|c| c.0 <= header_row));
    let laid = lay_out(data_cells, &header_cells, col_start, header_row.saturating_add(1))?;
    let rows_above = header_row as usize + 1;
    let mut sheet = raw(laid.headers, rows_above + 1, rows_above, laid.data, Some(laid.row_of));
    sheet.blank_formulas = sc
        .blank_formulas
        .iter()
        .filter(|(r, _)| *r > header_row)
        .filter_map(|(r, c)| laid.columns.binary_search(c).ok().map(|j| (j, *r as usize + 1)))
        .collect();
    Ok(Some(sheet))
}

/// Rows of text as a frame of columns c0, c1, ... (short rows padded with missing cells).
fn first_rows_frame(rows: &[Vec<String>]) -> Result<DataFrame, String> {
    let width = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let columns: Vec<Column> = (0..width)
        .map(|c| {
            Column::new(
                format!("c{c}").into(),
                rows.iter()
                    .map(|r| r.get(c).filter(|t| !t.is_empty()).cloned())
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    DataFrame::new(rows.len(), columns).map_err(|_| "内部表格处理错误".to_string())
}

/// The first rows of a sheet (HEADER_SCAN_ROWS + 1, blank ones included) as text, from its
/// first used column, each as wide as its last cell.
fn top_rows(cells: &[(u32, u32, String)], row_start: u32, col_start: u32) -> Vec<Vec<String>> {
    let mut top: Vec<Vec<String>> = Vec::new();
    for (r, c, t) in
        cells.iter().take_while(|c| c.0 <= row_start.saturating_add(HEADER_SCAN_ROWS as u32))
    {
        let (i, j) = ((r - row_start) as usize, (c - col_start) as usize);
        if top.len() <= i {
            top.resize(i + 1, Vec::new());
        }
        if top[i].len() <= j {
            top[i].resize(j + 1, String::new());
        }
        top[i][j] = t.clone();
    }
    top
}

/// Cells laid out over a sparse grid are refused when the grid is this much larger than the
/// cells that fill it (and larger than `SPREAD_FLOOR`): real tables are dense, scattered far-out
/// references are not.
const SPREAD_FACTOR: usize = 64;
const SPREAD_FLOOR: usize = 10_000_000;

fn check_spread(cells: usize, grid: usize, what: &str) -> Result<(), String> {
    if grid > SPREAD_FLOOR && grid / SPREAD_FACTOR > cells {
        return Err(format!(
            "{what}异常：{cells}个有内容的单元格分散在约{grid}个单元格的区域中，可能是文件损坏或在远处误填了单元格；请删除多余的行、列（或取消过大的合并单元格）后另存再试"
        ));
    }
    Ok(())
}

/// Merged cells in the data rows (所属园区 merged over the rows of its firms): every cell of
/// the merge gets the value of its top-left cell. Merges that begin above the data are left.
fn fill_merges(sc: &mut SheetCells, header_row: u32, row_end: u32) -> Result<(), String> {
    let col_end = sc.cells.iter().map(|c| c.1).max().unwrap_or(0);
    let clip = |d: &Dimensions| (d.start, (d.end.0.min(row_end), d.end.1.min(col_end)));
    let merges: Vec<_> = sc
        .merges
        .iter()
        .filter(|d| d.start.0 > header_row && d.start.0 <= row_end)
        .map(clip)
        .collect();
    let area: usize = merges
        .iter()
        .map(|(s, e)| {
            (e.0.saturating_sub(s.0) as usize + 1) * (e.1.saturating_sub(s.1) as usize + 1)
        })
        .sum();
    check_spread(sc.cells.len(), area, "合并单元格")?;
    let find = |cells: &[(u32, u32, String)], pos: (u32, u32)| {
        cells.binary_search_by_key(&pos, |c| (c.0, c.1)).ok()
    };
    let mut added = Vec::new();
    for (s, e) in merges {
        let Some(v) = find(&sc.cells, s).map(|i| sc.cells[i].2.clone()) else { continue };
        for r in s.0..=e.0 {
            for c in s.1..=e.1 {
                if find(&sc.cells, (r, c)).is_none() {
                    added.push((r, c, v.clone()));
                }
            }
        }
    }
    if !added.is_empty() {
        sc.cells.append(&mut added);
        sc.cells.sort_by_key(|c| (c.0, c.1));
    }
    Ok(())
}

/// Data rows laid out as text columns.
struct LaidOut {
    headers: Vec<String>,
    /// The sheet column (0-based) of each data column.
    columns: Vec<u32>,
    data: DataFrame,
    /// The data row (0-based, below the header) of each row.
    row_of: Vec<u32>,
}

/// Lay out the data cells (sorted, all below the header) over the columns that have a header or
/// a value and the rows that hold something: blank rows are left out and `row_of` keeps each
/// row's place, so memory follows the cells and row numbers stay those of the sheet.
fn lay_out(
    cells: Vec<(u32, u32, String)>,
    header_cells: &[String],
    col_start: u32,
    first_data_row: u32,
) -> Result<LaidOut, String> {
    let named = header_cells.iter().enumerate().filter(|(_, t)| !t.trim().is_empty());
    let mut columns: Vec<u32> = named.map(|(j, _)| col_start + j as u32).collect();
    columns.extend(cells.iter().map(|c| c.1));
    columns.sort_unstable();
    columns.dedup();
    let mut row_of: Vec<u32> = cells.iter().map(|c| c.0 - first_data_row).collect();
    row_of.dedup();
    check_spread(cells.len(), row_of.len().saturating_mul(columns.len()), "工作表的已用区域")?;
    let mut grid: Vec<Vec<Option<String>>> = vec![vec![None; row_of.len()]; columns.len()];
    let mut i = 0;
    for (r, c, t) in cells {
        while row_of[i] != r - first_data_row {
            i += 1;
        }
        let j = columns.binary_search(&c).unwrap_or_default();
        grid[j][i] = Some(t);
    }
    let headers = columns
        .iter()
        .map(|c| header_cells.get((c - col_start) as usize).cloned().unwrap_or_default())
        .collect();
    let height = row_of.len();
    let cols =
        grid.into_iter().enumerate().map(|(j, v)| Column::new(format!("c{j}").into(), v)).collect();
    let data = DataFrame::new(height, cols).map_err(|_| "内部表格处理错误".to_string())?;
    Ok(LaidOut { headers, columns, data, row_of })
}

fn workbook_message(raw: &str) -> String {
    crate::zh::workbook_error(raw)
}

/// Cells of one column that read as missing although something is written in them.
pub struct MissingCells {
    /// The data column (index into [`RawSheet::data`]).
    pub column: usize,
    /// What they hold, in Chinese: a missing marker, an Excel error value or a formula without
    /// a computed value.
    pub kind: &'static str,
    /// How many such cells the column has.
    pub count: usize,
    /// 1-based spreadsheet row and text of the first such cell.
    pub first_row: usize,
    /// The first such cell's text (empty for a formula without a value).
    pub value: String,
}

impl MissingCells {
    /// The Chinese text for 问题清单: how many cells, of which kind, and the first row.
    pub fn message(&self) -> String {
        format!("该列有{}个单元格为{}，首个在第{}行", self.count, self.kind, self.first_row)
    }
}

/// The cells of `columns` that read as missing, per column and kind, in column order: missing
/// markers, Excel error values and formulas saved without a computed value.
pub fn missing_cells(raw: &RawSheet, columns: impl Iterator<Item = usize>) -> Vec<MissingCells> {
    let mut columns: Vec<usize> = columns.collect();
    columns.sort_unstable();
    columns.dedup();
    let mut out = Vec::new();
    for c in columns {
        let mut found: Vec<MissingCells> = Vec::new();
        let mut note = |kind: &'static str, row: usize, value: &str| match found
            .iter_mut()
            .find(|m| m.kind == kind)
        {
            Some(m) => m.count += 1,
            None => found.push(MissingCells {
                column: c,
                kind,
                count: 1,
                first_row: row,
                value: value.to_string(),
            }),
        };
        if let Some(Ok(col)) = raw.data.columns().get(c).map(|s| s.str()) {
            for (i, v) in col.iter().enumerate() {
                if let Some(kind) = v.and_then(missing_kind) {
                    note(kind, raw.sheet_row(i), v.unwrap_or(""));
                }
            }
        }
        for (_, row) in raw.blank_formulas.iter().filter(|(fc, _)| *fc == c) {
            note("没有计算结果的公式（文件保存时未计算，请在Excel中重算后保存）", *row, "");
        }
        found.sort_by_key(|m| m.first_row);
        out.extend(found);
    }
    out
}

/// Normalise one header cell for matching: half-width, no spaces, unit removed.
pub fn header_key(raw: &str) -> (String, Option<String>) {
    let (name, unit) = split_header(&to_half_width(raw));
    (name.to_uppercase(), unit)
}
