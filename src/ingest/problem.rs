//! Problems found in the input, each with its location and what the engine does about it.

use std::fmt;

/// How serious a [`Problem`] is; ordered most serious first (问题清单 sorts by it).
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
    /// The Chinese label shown in 问题清单 and on the console: 错误, 警告 or 提示.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }
}

/// One row of the 问题清单 sheet: a fault in the input (or found while scoring), where it is and
/// what the engine does about it. Empty strings mean "not applicable".
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// 严重程度: whether it blocks the evaluation.
    pub severity: Severity,
    /// 表: the table's Chinese name (企业名录, 税收, 调档…); empty when no table was recognised.
    pub table: String,
    /// 文件: the input file's path as displayed.
    pub file: String,
    /// 工作表: the worksheet name; empty for a CSV file.
    pub sheet: String,
    /// 1-based spreadsheet row; None for file- or table-level problems.
    pub row: Option<usize>,
    /// 列: the column header as written in the input.
    pub column: String,
    /// 值: the offending cell's text.
    pub value: String,
    /// 问题: what is wrong, in Chinese.
    pub message: String,
    /// 处理: what the engine does with it (e.g. 跳过, 按缺失处理).
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

/// How many problems there are of each severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// 错误: problems that block the evaluation.
    pub errors: usize,
    /// 警告
    pub warnings: usize,
    /// 提示
    pub infos: usize,
}

impl Tally {
    /// Count `problems` by severity.
    pub fn of(problems: &[Problem]) -> Tally {
        let mut t = Tally::default();
        for p in problems {
            *match p.severity {
                Severity::Error => &mut t.errors,
                Severity::Warning => &mut t.warnings,
                Severity::Info => &mut t.infos,
            } += 1;
        }
        t
    }

    /// "错误 0，警告 3，提示 1": every severity, zeros included.
    pub fn text(&self) -> String {
        self.parts(true).join("，")
    }

    /// The console's "数据问题：警告 3，提示 1（见工作簿「问题清单」）", listing the severities
    /// that occur; `None` when there is no problem.
    pub fn summary_line(&self) -> Option<String> {
        let parts = self.parts(false);
        (!parts.is_empty())
            .then(|| format!("数据问题：{}（见工作簿「问题清单」）", parts.join("，")))
    }

    fn parts(&self, zeros: bool) -> Vec<String> {
        [
            (Severity::Error, self.errors),
            (Severity::Warning, self.warnings),
            (Severity::Info, self.infos),
        ]
        .into_iter()
        .filter(|&(_, n)| zeros || n > 0)
        .map(|(s, n)| format!("{} {n}", s.label()))
        .collect()
    }
}

/// Where a row of input went, per file and sheet: read = used + skipped + rejected.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reconciliation {
    /// The input file's path as displayed.
    pub file: String,
    /// The worksheet name; empty for a CSV file.
    pub sheet: String,
    /// The table it was read as (Chinese name), or why it was skipped whole.
    pub table: String,
    /// Data rows below the header.
    pub read: usize,
    /// Rows that went into the table.
    pub used: usize,
    /// Rows left out without a problem: blank, total (合计) and note rows.
    pub skipped: usize,
    /// Rows left out because of a [`Problem`] (e.g. no usable credit code).
    pub rejected: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(severity: Severity) -> Problem {
        Problem {
            severity,
            table: "企业名录".into(),
            file: "名录.csv".into(),
            sheet: String::new(),
            row: Some(2),
            column: String::new(),
            value: String::new(),
            message: "示例".into(),
            action: String::new(),
        }
    }

    #[test]
    fn a_tally_counts_each_severity_and_names_only_those_present() {
        // Two warnings and one note, no error.
        let ps = [Severity::Warning, Severity::Info, Severity::Warning].map(problem);
        let t = Tally::of(&ps);
        assert_eq!(t, Tally { errors: 0, warnings: 2, infos: 1 });
        assert_eq!(t.text(), "错误 0，警告 2，提示 1");
        assert_eq!(t.summary_line().unwrap(), "数据问题：警告 2，提示 1（见工作簿「问题清单」）");
        assert_eq!(Tally::of(&[]).summary_line(), None);
    }
}
