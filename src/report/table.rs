//! Writing one table to a worksheet: bold frozen header, number formats, autofilter, and column
//! widths that count CJK characters as two (rust_xlsxwriter's autofit undercounts them).

use rust_xlsxwriter::{Color, Format, FormatBorder, Worksheet, XlsxError};

/// Excel's last row index (0-based).
pub const MAX_ROWS: usize = 1_048_575;

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Num(f64),
    Int(i64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<Option<&str>> for Cell {
    fn from(s: Option<&str>) -> Self {
        s.map(|s| Cell::Text(s.to_string())).unwrap_or(Cell::Empty)
    }
}
impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Self {
        v.map(Cell::Num).unwrap_or(Cell::Empty)
    }
}
impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Num(v)
    }
}
impl From<usize> for Cell {
    fn from(v: usize) -> Self {
        Cell::Int(v as i64)
    }
}

/// Display width: East Asian wide characters count two.
pub fn text_width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x1100 && !matches!(c as u32, 0x2000..=0x206F) { 2 } else { 1 }).sum()
}

pub struct Formats {
    pub header: Format,
    pub title: Format,
    pub num2: Format,
    pub num4: Format,
    pub int: Format,
}

impl Formats {
    pub fn new() -> Self {
        Formats {
            header: Format::new().set_bold().set_background_color(Color::RGB(0xDDEBF7)).set_border(FormatBorder::Thin).set_text_wrap(),
            title: Format::new().set_bold().set_font_size(14),
            num2: Format::new().set_num_format("#,##0.00"),
            num4: Format::new().set_num_format("#,##0.0000"),
            int: Format::new().set_num_format("#,##0"),
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
    pub ws: &'a mut Worksheet,
    pub row: u32,
    widths: Vec<usize>,
    fmt: &'a Formats,
    /// Columns shown with four decimals.
    pub precise: Vec<bool>,
}

impl<'a> TableWriter<'a> {
    pub fn new(ws: &'a mut Worksheet, fmt: &'a Formats, start_row: u32) -> Self {
        TableWriter { ws, row: start_row, widths: Vec::new(), fmt, precise: Vec::new() }
    }

    fn track(&mut self, c: usize, w: usize) {
        if self.widths.len() <= c {
            self.widths.resize(c + 1, 0);
        }
        self.widths[c] = self.widths[c].max(w);
    }

    pub fn title(&mut self, text: &str) -> Result<(), XlsxError> {
        self.ws.write_string_with_format(self.row, 0, text, &self.fmt.title)?;
        self.row += 1;
        Ok(())
    }

    pub fn header(&mut self, cols: &[String]) -> Result<(), XlsxError> {
        for (c, h) in cols.iter().enumerate() {
            self.ws.write_string_with_format(self.row, c as u16, h, &self.fmt.header)?;
            self.track(c, text_width(h).min(24));
        }
        self.row += 1;
        Ok(())
    }

    pub fn write_row(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        for (c, cell) in cells.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) => {
                    // write_string never interprets "=…" as a formula.
                    self.ws.write_string(self.row, col, s)?;
                    self.track(c, text_width(s).min(60));
                }
                Cell::Num(v) => {
                    let f = if self.precise.get(c).copied().unwrap_or(false) { &self.fmt.num4 } else { &self.fmt.num2 };
                    self.ws.write_number_with_format(self.row, col, *v, f)?;
                    self.track(c, format!("{v:.2}").len() + 4);
                }
                Cell::Int(v) => {
                    self.ws.write_number_with_format(self.row, col, *v as f64, &self.fmt.int)?;
                    self.track(c, v.to_string().len() + 2);
                }
                Cell::Empty => {}
            }
        }
        self.row += 1;
        Ok(())
    }

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
