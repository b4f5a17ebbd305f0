//! Problems found in the input, each with its location and what the engine does about it.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Blocks the evaluation.
    Error,
    /// The engine goes on and says how it treated the value.
    Warning,
    /// For the record (skipped total rows, unit conversions).
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub severity: Severity,
    pub table: String,
    pub file: String,
    pub sheet: String,
    /// 1-based spreadsheet row; None for file- or table-level problems.
    pub row: Option<usize>,
    pub column: String,
    pub value: String,
    pub message: String,
    /// What the engine does with it.
    pub action: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Printed on the terminal only: the input's own text is escaped.
        use crate::console::escape;
        write!(f, "[{}] {}", self.severity.label(), escape(&self.file))?;
        if !self.sheet.is_empty() {
            write!(f, " 工作表「{}」", escape(&self.sheet))?;
        }
        if let Some(r) = self.row {
            write!(f, " 第{r}行")?;
        }
        if !self.column.is_empty() {
            write!(f, " 列「{}」", escape(&self.column))?;
        }
        if !self.value.is_empty() {
            write!(f, " 值「{}」", escape(&self.value))?;
        }
        write!(f, "：{}", self.message)?;
        if !self.action.is_empty() {
            write!(f, "（{}）", self.action)?;
        }
        Ok(())
    }
}

/// Where a row of input went, per file and sheet: read = used + skipped + rejected.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reconciliation {
    pub file: String,
    pub sheet: String,
    pub table: String,
    pub read: usize,
    pub used: usize,
    pub skipped: usize,
    pub rejected: usize,
}
