//! Writing one table to a worksheet: bold frozen header, number formats, autofilter, and column
//! widths that count CJK characters as two (rust_xlsxwriter's autofit undercounts them).

use std::borrow::Cow;

use rust_xlsxwriter::{
    Color, ConditionalFormatCell, ConditionalFormatCellRule, ConditionalFormatDataBar, Format,
    FormatBorder, Worksheet, XlsxError,
};

/// Excel's last row index (0-based).
pub const MAX_ROWS: usize = 1_048_575;

/// One cell of a table row. Text borrows where it can: a province's sheets hold millions of
/// cells whose text is already in the analysis.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'t> {
    /// Text, written as a string (never read as a formula).
    Text(Cow<'t, str>),
    /// A number, in the column's number format (two decimals unless set otherwise).
    Num(f64),
    /// A whole number, with thousands separators.
    Int(i64),
    /// No cell.
    Empty,
}

impl<'t> From<&'t str> for Cell<'t> {
    fn from(s: &'t str) -> Self {
        Cell::Text(Cow::Borrowed(s))
    }
}
impl<'t> From<&'t String> for Cell<'t> {
    fn from(s: &'t String) -> Self {
        Cell::Text(Cow::Borrowed(s))
    }
}
impl From<String> for Cell<'_> {
    fn from(s: String) -> Self {
        Cell::Text(Cow::Owned(s))
    }
}
impl<'t> From<Cow<'t, str>> for Cell<'t> {
    fn from(s: Cow<'t, str>) -> Self {
        Cell::Text(s)
    }
}
impl<'t> From<Option<&'t str>> for Cell<'t> {
    fn from(s: Option<&'t str>) -> Self {
        s.map(|s| Cell::Text(Cow::Borrowed(s))).unwrap_or(Cell::Empty)
    }
}
impl From<Option<f64>> for Cell<'_> {
    fn from(v: Option<f64>) -> Self {
        v.map(Cell::Num).unwrap_or(Cell::Empty)
    }
}
impl From<f64> for Cell<'_> {
    fn from(v: f64) -> Self {
        Cell::Num(v)
    }
}
impl From<usize> for Cell<'_> {
    fn from(v: usize) -> Self {
        Cell::Int(v as i64)
    }
}

/// Digits before the decimal point of a non-negative number (at least one).
fn digits(a: f64) -> usize {
    if a < 10.0 || !a.is_finite() {
        1
    } else {
        a.log10() as usize + 1
    }
}

/// Display width: East Asian wide characters count two.
pub fn text_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 && !matches!(c as u32, 0x2000..=0x206F) { 2 } else { 1 })
        .sum()
}

/// The cell formats of a workbook, made once and shared by its sheets.
pub struct Formats {
    /// Table headers: bold, light blue, thin border, wrapped.
    pub header: Format,
    /// Sheet titles: bold, 14 points.
    pub title: Format,
    /// Numbers with two decimals and thousands separators.
    pub num2: Format,
    /// Numbers with four decimals and thousands separators.
    pub num4: Format,
    /// Whole numbers with thousands separators.
    pub int: Format,
    /// Percentages with two decimals.
    pub pct: Format,
    /// Bold text.
    pub bold: Format,
}

impl Formats {
    /// The formats of every mujun workbook.
    pub fn new() -> Self {
        Formats {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border(FormatBorder::Thin)
                .set_text_wrap(),
            title: Format::new().set_bold().set_font_size(14),
            num2: Format::new().set_num_format("#,##0.00"),
            num4: Format::new().set_num_format("#,##0.0000"),
            int: Format::new().set_num_format("#,##0"),
            pct: Format::new().set_num_format("0.00%"),
            bold: Format::new().set_bold(),
        }
    }
}

impl Default for Formats {
    fn default() -> Self {
        Self::new()
    }
}

/// Writes rows below a start row, tracking column widths.
pub struct TableWriter<'a> {
    /// The sheet written to.
    pub ws: &'a mut Worksheet,
    /// The next row to write (0-based).
    pub row: u32,
    widths: Vec<usize>,
    fmt: &'a Formats,
    /// Columns shown with four decimals.
    pub precise: Vec<bool>,
    /// Per-column number format overriding `precise` (e.g. percentages).
    pub col_formats: Vec<Option<Format>>,
    /// Rows not written because the sheet reached Excel's last row (a note takes that row).
    pub dropped: usize,
    /// The number format set on each column (`set_column_format`) by its first number. Later
    /// numbers with the same format are written without one and take the column's: looking a
    /// Format up in the workbook hashes the whole struct, which at a province's size was the
    /// largest cost of writing after compression.
    col_set: Vec<Option<Format>>,
}

/// Write a number in format `f` at (`row`, `c`), through the column's format when it is the same
/// (see `TableWriter::col_set`); the first number of a column sets the column's format.
fn number(
    ws: &mut Worksheet,
    col_set: &mut Vec<Option<Format>>,
    row: u32,
    c: usize,
    v: f64,
    f: &Format,
) -> Result<(), XlsxError> {
    if col_set.len() <= c {
        col_set.resize(c + 1, None);
    }
    let col = c as u16;
    match &col_set[c] {
        Some(g) if g == f => ws.write_number(row, col, v)?,
        Some(_) => ws.write_number_with_format(row, col, v, f)?,
        None => {
            ws.set_column_format(col, f)?;
            col_set[c] = Some(f.clone());
            ws.write_number(row, col, v)?
        }
    };
    Ok(())
}

/// Widen column `c` to at least `w`.
fn widen(widths: &mut Vec<usize>, c: usize, w: usize) {
    if widths.len() <= c {
        widths.resize(c + 1, 0);
    }
    widths[c] = widths[c].max(w);
}

/// Whether `rows` rows written from `first_row` fit the sheet without the overflow note.
pub fn fits(first_row: u32, rows: usize) -> bool {
    first_row as usize + rows <= MAX_ROWS
}

/// Written in a sheet's last row when the table does not fit; the CSV/JSON output is complete.
pub const OVERFLOW_NOTE: &str =
    "本表已达 Excel 行数上限（1,048,576 行），以下各行未写入本表；完整数据见同目录的 CSV 和 JSON 文件";

impl<'a> TableWriter<'a> {
    /// A writer of rows into `ws` from row `start_row` on, in the formats `fmt`.
    pub fn new(ws: &'a mut Worksheet, fmt: &'a Formats, start_row: u32) -> Self {
        TableWriter {
            ws,
            row: start_row,
            widths: Vec::new(),
            fmt,
            precise: Vec::new(),
            col_formats: Vec::new(),
            dropped: 0,
            col_set: Vec::new(),
        }
    }

    fn track(&mut self, c: usize, w: usize) {
        widen(&mut self.widths, c, w);
    }

    /// Write `text` as the sheet's title in the next row.
    pub fn title(&mut self, text: &str) -> Result<(), XlsxError> {
        self.ws.write_string_with_format(self.row, 0, text, &self.fmt.title)?;
        self.row += 1;
        Ok(())
    }

    /// Write a header row: each of `cols` in the header format; it counts for the widths.
    pub fn header(&mut self, cols: &[String]) -> Result<(), XlsxError> {
        for (c, h) in cols.iter().enumerate() {
            self.ws.write_string_with_format(self.row, c as u16, h, &self.fmt.header)?;
            self.track(c, text_width(h).min(24));
        }
        self.row += 1;
        Ok(())
    }

    /// Write a row in the columns' number formats.
    pub fn write_row(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        self.write_row_with(cells, &[], &Format::new())
    }

    /// The percentage format (to pass to [`Self::write_row_with`]).
    pub fn pct_format(&self) -> Format {
        self.fmt.pct.clone()
    }

    /// Write a row; numbers in `cols` use `special` (e.g. percentages).
    pub fn write_row_with(
        &mut self,
        cells: &[Cell],
        cols: &[usize],
        special: &Format,
    ) -> Result<(), XlsxError> {
        if self.row as usize >= MAX_ROWS {
            // Never fail or drop silently at Excel's row limit: the last row says what happened.
            if self.dropped == 0 {
                self.ws.write_string_with_format(
                    MAX_ROWS as u32,
                    0,
                    OVERFLOW_NOTE,
                    &self.fmt.title,
                )?;
            }
            self.dropped += 1;
            return Ok(());
        }
        // Disjoint borrows of the fields: the worksheet and column state change, the formats not.
        let TableWriter { ws, row, widths, fmt, precise, col_formats, col_set, .. } = self;
        for (c, cell) in cells.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) => {
                    // write_string never interprets "=…" as a formula.
                    ws.write_string(*row, col, s.as_ref())?;
                    // A text is never wider than its UTF-8 length, so most cells of a long table
                    // cannot widen their column and need no width count.
                    if widths.len() <= c || s.len() > widths[c] {
                        widen(widths, c, text_width(s).min(60));
                    }
                }
                Cell::Num(v) => {
                    let f = if cols.contains(&c) {
                        special
                    } else if let Some(Some(f)) = col_formats.get(c) {
                        f
                    } else if precise.get(c).copied().unwrap_or(false) {
                        &fmt.num4
                    } else {
                        &fmt.num2
                    };
                    number(ws, col_set, *row, c, *v, f)?;
                    // Width as "#,##0.00" shows it (the separators are in the 4 spare columns).
                    widen(widths, c, digits(v.abs()) + 3 + usize::from(*v < 0.0) + 4);
                }
                Cell::Int(v) => {
                    number(ws, col_set, *row, c, *v as f64, &fmt.int)?;
                    widen(widths, c, digits(v.unsigned_abs() as f64) + usize::from(*v < 0) + 2);
                }
                Cell::Empty => {}
            }
        }
        *row += 1;
        Ok(())
    }

    /// Write one row per item of `items`, built by `make` (which returns the columns whose
    /// numbers take `special`, as in [`Self::write_row_with`]), in the items' order. A long table's
    /// rows are built in batches on a helper thread while this thread writes the batch before:
    /// building a row (texts, lookups) and writing it (the workbook's XML) then share the two
    /// cores. The workbook is the same either way.
    pub fn write_rows<'c, T, F>(
        &mut self,
        items: &[T],
        special: &Format,
        make: F,
    ) -> Result<(), XlsxError>
    where
        T: Sync,
        F: Fn(&T, &mut Vec<Cell<'c>>) -> &'static [usize] + Sync,
        Cell<'c>: Send,
    {
        const BATCH: usize = 1024;
        let build = |chunk: &[T]| -> Vec<(Vec<Cell<'c>>, &'static [usize])> {
            chunk
                .iter()
                .map(|x| {
                    let mut row = Vec::new();
                    let cols = make(x, &mut row);
                    (row, cols)
                })
                .collect()
        };
        if items.len() <= 4 * BATCH
            || std::thread::available_parallelism().map_or(true, |p| p.get() < 2)
        {
            for chunk in items.chunks(BATCH) {
                for (row, cols) in build(chunk) {
                    self.write_row_with(&row, cols, special)?;
                }
            }
            return Ok(());
        }
        std::thread::scope(|s| {
            // Two batches ahead at most; if writing fails, the receiver goes and the helper stops.
            let (tx, rx) = std::sync::mpsc::sync_channel(2);
            let build = &build;
            s.spawn(move || {
                for chunk in items.chunks(BATCH) {
                    if tx.send(build(chunk)).is_err() {
                        break;
                    }
                }
            });
            for batch in rx {
                for (row, cols) in batch {
                    self.write_row_with(&row, cols, special)?;
                }
            }
            Ok(())
        })
    }

    /// The last row written so far (for autofilter ranges).
    pub fn last_row(&self) -> u32 {
        if self.dropped > 0 {
            MAX_ROWS as u32 // the note row
        } else {
            self.row.saturating_sub(1)
        }
    }

    /// Leave the next row empty.
    pub fn blank(&mut self) {
        self.row += 1;
    }

    /// Set the tracked column widths (call once at the end).
    pub fn finish_widths(&mut self) -> Result<(), XlsxError> {
        for (c, w) in self.widths.iter().enumerate() {
            self.ws.set_column_width(c as u16, (*w as f64 + 2.0).clamp(6.0, 62.0))?;
        }
        Ok(())
    }
}

/// Fill and font colours of tier `i` (best first): green, blue, yellow, red, then grey.
pub fn tier_colors(i: usize) -> (u32, u32) {
    const C: [(u32, u32); 5] = [
        (0xC6EFCE, 0x006100),
        (0xDDEBF7, 0x1F4E78),
        (0xFFEB9C, 0x9C5700),
        (0xFFC7CE, 0x9C0006),
        (0xEDEDED, 0x404040),
    ];
    C[i.min(C.len() - 1)]
}

/// Colour cells of column `col` (rows `first..=last`) by tier label with conditional formats.
pub fn tier_conditional(
    ws: &mut Worksheet,
    labels: &[String],
    first: u32,
    last: u32,
    col: u16,
) -> Result<(), XlsxError> {
    if last < first {
        return Ok(());
    }
    for (i, l) in labels.iter().enumerate() {
        let (bg, fg) = tier_colors(i);
        let f = Format::new().set_background_color(Color::RGB(bg)).set_font_color(Color::RGB(fg));
        let cf = ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::EqualTo(l.as_str()))
            .set_format(f);
        ws.add_conditional_format(first, col, last, col, &cf)?;
    }
    Ok(())
}

/// Data bars on column `col`, rows `first..=last`.
pub fn data_bars(ws: &mut Worksheet, first: u32, last: u32, col: u16) -> Result<(), XlsxError> {
    if last < first {
        return Ok(());
    }
    ws.add_conditional_format(
        first,
        col,
        last,
        col,
        &ConditionalFormatDataBar::new().set_fill_color(Color::RGB(0x638EC6)),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx};

    /// A table longer than Excel allows: the rows that fit are written, the last row carries the
    /// overflow note, and the rows after it are counted, not lost silently.
    #[test]
    fn a_table_past_excels_last_row_ends_with_a_note() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let fmt = Formats::new();
        let ws = wb.add_worksheet();
        let mut t = TableWriter::new(ws, &fmt, (MAX_ROWS - 1) as u32);
        for i in 0..4 {
            t.write_row(&[Cell::from(format!("第{i}行")), Cell::Num(i as f64)]).unwrap();
        }
        // Row MAX_ROWS-1 holds 第0行; row MAX_ROWS (the last) holds the note; 3 rows dropped.
        assert_eq!(t.dropped, 3);
        assert_eq!(t.last_row(), MAX_ROWS as u32);
        let buf = wb.save_to_buffer().unwrap();
        let mut x: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(buf)).unwrap();
        let range = x.worksheet_range_at(0).unwrap().unwrap();
        let at = |r: usize| range.get_value(((r) as u32, 0)).map(|v| v.to_string());
        assert_eq!(at(MAX_ROWS - 1).as_deref(), Some("第0行"));
        assert_eq!(at(MAX_ROWS).as_deref(), Some(OVERFLOW_NOTE));
    }

    /// Rows built on the helper thread (more than 4 batches of 1,024) land in order, with their
    /// special columns, exactly as rows written one by one: the sheets' XML is identical. Row
    /// 4,999 holds 甲4999, its number 4999 × 0.5 = 2499.5 and (odd rows) a percentage.
    #[test]
    fn rows_built_on_a_helper_thread_are_written_as_one_by_one() {
        use std::io::Read;
        let items: Vec<usize> = (0..5000).collect();
        let make = |&i: &usize, row: &mut Vec<Cell>| -> &'static [usize] {
            row.extend([
                Cell::from(format!("甲{i}")),
                Cell::Num(i as f64 * 0.5),
                Cell::Int(i as i64),
            ]);
            if i % 2 == 1 {
                &[1]
            } else {
                &[]
            }
        };
        let sheet_xml = |piped: bool| {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let fmt = Formats::new();
            let pct = fmt.pct.clone();
            let mut t = TableWriter::new(wb.add_worksheet_with_constant_memory().unwrap(), &fmt, 0);
            if piped {
                t.write_rows(&items, &pct, make).unwrap();
            } else {
                for i in &items {
                    let mut row = Vec::new();
                    let cols = make(i, &mut row);
                    t.write_row_with(&row, cols, &pct).unwrap();
                }
            }
            assert_eq!(t.last_row(), 4999);
            let buf = wb.save_to_buffer().unwrap();
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(buf)).unwrap();
            let mut xml = String::new();
            zip.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut xml).unwrap();
            xml
        };
        let (piped, plain) = (sheet_xml(true), sheet_xml(false));
        assert!(
            piped.contains("甲4999") && piped.contains("<v>2499.5</v>"),
            "the last row is there"
        );
        assert_eq!(piped, plain);
    }

    /// Column widths count CJK characters as two and follow the widest cell, whether it comes
    /// first or last: 甲乙丙丁 is 4 × 2 = 8 wide, "abcdefghij" 10, "abc" 3.
    #[test]
    fn column_widths_follow_the_widest_cell() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let fmt = Formats::new();
        let mut t = TableWriter::new(wb.add_worksheet(), &fmt, 0);
        for (a, b) in [("ab", "甲乙丙"), ("甲乙丙丁", "abc"), ("abcdefg", "abcdefghij"), ("", "")]
        {
            t.write_row(&[Cell::from(a), Cell::from(b)]).unwrap();
        }
        // Column A: max(2, 8, 7, 0) = 8; column B: max(6, 3, 10, 0) = 10.
        assert_eq!(t.widths, vec![8, 10]);
        let mut t = TableWriter::new(wb.add_worksheet(), &fmt, 0);
        t.write_row(&[Cell::from(""), Cell::from("")]).unwrap();
        assert_eq!(t.widths, vec![0, 0], "an empty text still gives its column a (minimum) width");
    }

    /// `fits` agrees with the writer: a table that fits drops nothing, one row more does.
    #[test]
    fn fits_agrees_with_the_writer() {
        for (start, n) in [(MAX_ROWS - 2, 2usize), (MAX_ROWS - 2, 3)] {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let fmt = Formats::new();
            let mut t = TableWriter::new(wb.add_worksheet(), &fmt, start as u32);
            for i in 0..n {
                t.write_row(&[Cell::Int(i as i64)]).unwrap();
            }
            assert_eq!(t.dropped == 0, fits(start as u32, n), "start {start}, {n} rows");
        }
        assert!(fits(1, MAX_ROWS - 1) && !fits(1, MAX_ROWS));
    }

    /// Numbers keep their formats when written through the column's format: the first number of
    /// a column sets it (col style), later ones in the same format carry it without a lookup, and
    /// a number in another format (percent here) still gets its own style.
    #[test]
    fn numbers_keep_their_formats_through_column_formats() {
        use std::io::Read;
        let mut wb = rust_xlsxwriter::Workbook::new();
        let fmt = Formats::new();
        let ws = wb.add_worksheet_with_constant_memory().unwrap();
        let mut t = TableWriter::new(ws, &fmt, 0);
        t.write_row(&[Cell::from("甲"), Cell::Num(1.5), Cell::Int(3)]).unwrap();
        t.write_row(&[Cell::from("乙"), Cell::Num(2.5), Cell::Int(4)]).unwrap();
        let pct = t.pct_format();
        t.write_row_with(&[Cell::from("丙"), Cell::Num(0.25)], &[1], &pct).unwrap();
        let buf = wb.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(buf)).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut xml).unwrap();
        let mut styles = String::new();
        zip.by_name("xl/styles.xml").unwrap().read_to_string(&mut styles).unwrap();
        let style_of = |cell: &str| {
            let at = xml
                .find(&format!("<c r=\"{cell}\""))
                .unwrap_or_else(|| panic!("no cell {cell} in {xml}"));
            let tag = &xml[at..at + xml[at..].find('>').unwrap()];
            tag.split("s=\"")
                .nth(1)
                .and_then(|x| x.split('"').next())
                .map(|x| x.parse::<usize>().unwrap())
        };
        // The number format code of a style: from <numFmts> (custom ids from 164), else one of
        // Excel's built-in ids (3 = "#,##0", 4 = "#,##0.00", 10 = "0.00%").
        let cell_xfs =
            &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
        let attr = |tag: &str, name: &str| {
            tag.split(&format!("{name}=\""))
                .nth(1)
                .and_then(|x| x.split('"').next())
                .map(str::to_string)
        };
        let code_of = |id: String| {
            let custom = styles
                .split("<numFmt ")
                .skip(1)
                .find(|t| attr(t, "numFmtId").as_deref() == Some(id.as_str()));
            match (custom, id.as_str()) {
                (Some(t), _) => attr(t, "formatCode").unwrap(),
                (None, "3") => "#,##0".into(),
                (None, "4") => "#,##0.00".into(),
                (None, "10") => "0.00%".into(),
                (None, other) => format!("built-in {other}"),
            }
        };
        let fmt_of = |cell: &str| {
            let style = style_of(cell).unwrap_or_else(|| panic!("{cell} has no style"));
            code_of(attr(cell_xfs.split("<xf ").nth(style + 1).unwrap(), "numFmtId").unwrap())
        };
        assert_eq!(fmt_of("B1"), "#,##0.00");
        assert_eq!(fmt_of("B2"), "#,##0.00");
        assert_eq!(fmt_of("C1"), "#,##0");
        assert_eq!(fmt_of("C2"), "#,##0");
        assert_eq!(fmt_of("B3"), "0.00%");
        assert_eq!(
            style_of("A1"),
            None,
            "text in a column without a number keeps the default style"
        );
    }
}
