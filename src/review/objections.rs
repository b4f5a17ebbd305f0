//! The objections table (异议表) a bureau imports: one row per objection, read from CSV or a
//! workbook and checked cell by cell before anything is recorded — the firm must be in the run,
//! a claimed correction must name a table and a field of the input contract (and, in a table of
//! several rows per firm, the row), the kind and decision must be the listed words, and an
//! objection received after the notice period is flagged, not refused.

use std::path::Path;

use crate::ingest::read::{read_file, RawSheet};
use crate::ingest::schema::TableKind;
use crate::ingest::values::{format_date, parse_date, split_header};
use serde::Serialize;

/// One objection as recorded (the review round's table).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Objection {
    /// 统一社会信用代码 of the firm that objects.
    pub code: String,
    /// The day it was received (YYYY-MM-DD).
    pub received: String,
    /// 数据有误, 等级申诉 or 其他.
    pub kind: String,
    /// The input table of the claimed correction (企业名录, 用地 …), if it claims one.
    pub table: Option<String>,
    /// The field's standard header (用地面积(亩) …).
    pub field: Option<String>,
    /// The row it names in a table of several rows per firm (不动产权证号, 税种).
    pub row_key: Option<String>,
    /// The value as claimed.
    pub value: Option<String>,
    /// The evidence it brings.
    pub evidence: String,
    /// Who handles it.
    pub handler: String,
    /// 采纳, 不采纳 or 部分采纳; none while it is open.
    pub decision: Option<String>,
    /// Why.
    pub reason: String,
    /// Received after the run's notice period.
    pub late: bool,
}

/// The kinds of objection.
pub const KINDS: [&str; 3] = ["数据有误", "等级申诉", "其他"];
/// The decisions.
pub const DECISIONS: [&str; 3] = ["采纳", "不采纳", "部分采纳"];

/// The table's columns: (header, required).
pub const COLUMNS: [(&str, bool); 11] = [
    ("统一社会信用代码", true),
    ("收到日期", true),
    ("异议类型", true),
    ("更正表", false),
    ("更正字段", false),
    ("对应行", false),
    ("更正后数值", false),
    ("证据说明", false),
    ("经办人", false),
    ("处理结果", false),
    ("处理理由", false),
];

/// Why the objections table was refused: where, and what is wrong (nothing was recorded).
#[derive(Debug, thiserror::Error)]
#[error("异议表{}{}{}：{message}", file_part(.file), sheet_part(.sheet), place(.row, .column))]
pub struct ObjectionError {
    /// The file (empty when the message names it).
    pub file: String,
    /// The sheet (none for CSV).
    pub sheet: Option<String>,
    /// The 1-based spreadsheet row (none for the whole sheet).
    pub row: Option<usize>,
    /// The column's header.
    pub column: Option<String>,
    /// What is wrong, in Chinese.
    pub message: String,
}

fn file_part(f: &str) -> String {
    if f.is_empty() {
        String::new()
    } else {
        format!(" {f}")
    }
}

fn sheet_part(s: &Option<String>) -> String {
    s.as_ref().map(|s| format!(" 工作表「{s}」")).unwrap_or_default()
}

fn place(row: &Option<usize>, column: &Option<String>) -> String {
    match (row, column) {
        (Some(r), Some(c)) => format!(" 第 {r} 行「{c}」列"),
        (Some(r), None) => format!(" 第 {r} 行"),
        (None, Some(c)) => format!(" 「{c}」列"),
        (None, None) => String::new(),
    }
}

/// What the rows are checked against: whether the run lists a firm, and the notice's last day.
pub struct Against<'a> {
    /// True when the run lists the firm of this code.
    pub known: &'a dyn Fn(&str) -> bool,
    /// The notice period's last day (YYYY-MM-DD), if the run was put under notice.
    pub notice_end: Option<&'a str>,
}

/// Read the objections of `path`: its first sheet whose header names the required columns.
pub fn read(path: &Path, against: &Against) -> Result<Vec<Objection>, ObjectionError> {
    let file = path.display().to_string();
    let fail = |message: String| ObjectionError {
        file: file.clone(),
        sheet: None,
        row: None,
        column: None,
        message,
    };
    let score =
        |cells: &[String]| COLUMNS.iter().filter(|(h, _)| cells.iter().any(|c| c == h)).count();
    // The reader's own message names the file.
    let (_, sheets) = read_file(path, &score)
        .map_err(|e| ObjectionError { file: String::new(), ..fail(e.to_string()) })?;
    let raw = sheets
        .into_iter()
        .find(|s| COLUMNS.iter().filter(|(_, r)| *r).all(|(h, _)| column(s, h).is_some()))
        .ok_or_else(|| {
            let need: Vec<&str> = COLUMNS.iter().filter(|(_, r)| *r).map(|(h, _)| *h).collect();
            fail(format!("找不到表头含「{}」的工作表", need.join("」「")))
        })?;
    (0..raw.data.height()).map(|i| row(&raw, i, against)).collect()
}

/// The data column of header `h`.
fn column(raw: &RawSheet, h: &str) -> Option<usize> {
    raw.headers.iter().position(|x| split_header(x).0 == h || x.trim() == h)
}

/// One row read and checked.
fn row(raw: &RawSheet, i: usize, against: &Against) -> Result<Objection, ObjectionError> {
    let cell = |h: &str| -> String {
        column(raw, h)
            .and_then(|c| raw.data.columns().get(c))
            .and_then(|c| c.str().ok().and_then(|s| s.get(i).map(|v| v.trim().to_string())))
            .unwrap_or_default()
    };
    check(&cell, against).map_err(|(h, message)| ObjectionError {
        file: raw.file.display().to_string(),
        sheet: raw.sheet.clone(),
        row: Some(raw.sheet_row(i)),
        column: Some(h.to_string()),
        message,
    })
}

/// One objection checked from its fields by header (as [`COLUMNS`] names them; "" when blank),
/// from a row of the table or the workbench's form; the column and what is wrong otherwise.
pub fn check(
    cell: &dyn Fn(&str) -> String,
    against: &Against,
) -> Result<Objection, (&'static str, String)> {
    let cell = |h: &str| cell(h).trim().to_string();
    let opt = |h: &str| Some(cell(h)).filter(|v| !v.is_empty());
    let code = cell("统一社会信用代码").to_uppercase();
    if !(against.known)(&code) {
        return Err(("统一社会信用代码", format!("企业「{code}」不在这次评价中")));
    }
    let received = day(&cell("收到日期")).ok_or_else(|| {
        let m = format!("「{}」不是日期，请写成 2025-06-03 这样的形式", cell("收到日期"));
        ("收到日期", m)
    })?;
    let kind = cell("异议类型");
    if !KINDS.contains(&kind.as_str()) {
        return Err(("异议类型", format!("「{kind}」不是可用的类型（{}）", KINDS.join("、"))));
    }
    let (table, field, row_key) = correction(opt("更正表"), opt("更正字段"), opt("对应行"))?;
    let decision = opt("处理结果");
    if let Some(d) = &decision {
        if !DECISIONS.contains(&d.as_str()) {
            let m = format!("「{d}」不是可用的处理结果（{}，未处理的留空）", DECISIONS.join("、"));
            return Err(("处理结果", m));
        }
        if cell("处理理由").is_empty() {
            return Err(("处理理由", "有处理结果时须写明理由".into()));
        }
    }
    let late = against.notice_end.is_some_and(|end| received.as_str() > end);
    Ok(Objection {
        code,
        received,
        kind,
        table,
        field,
        row_key,
        value: opt("更正后数值"),
        evidence: cell("证据说明"),
        handler: cell("经办人"),
        decision,
        reason: cell("处理理由"),
        late,
    })
}

type Correction = (Option<String>, Option<String>, Option<String>);

/// The claimed correction: a table of the input contract, one of its fields (its standard
/// header), and the row in a table of several rows per firm; all none when none is claimed.
fn correction(
    table: Option<String>,
    field: Option<String>,
    row_key: Option<String>,
) -> Result<Correction, (&'static str, String)> {
    let at = |h: &'static str, m: String| (h, m);
    let Some(t) = table else {
        if field.is_some() {
            return Err(at("更正表", "写了更正字段，须写明是哪张表".into()));
        }
        return Ok((None, None, None));
    };
    let kind = TableKind::ALL.into_iter().find(|k| k.name() == t).ok_or_else(|| {
        let names: Vec<&str> = TableKind::ALL.iter().map(|k| k.name()).collect();
        at("更正表", format!("「{t}」不是输入表（可用：{}）", names.join("、")))
    })?;
    let f = field.ok_or_else(|| at("更正字段", format!("须写明更正「{t}」表的哪一列")))?;
    let name = split_header(&f).0;
    let spec = kind
        .columns()
        .iter()
        .find(|c| c.header == name || c.aliases.contains(&name.as_str()))
        .ok_or_else(|| {
            let heads: Vec<&str> = kind.columns().iter().map(|c| c.header).collect();
            at("更正字段", format!("「{t}」表没有「{f}」列（可用：{}）", heads.join("、")))
        })?;
    let several = !kind.one_row_per_enterprise();
    if several && row_key.is_none() {
        let m = format!("「{t}」表每家企业可有多行，须写明对应哪一行（如不动产权证号、税种）");
        return Err(at("对应行", m));
    }
    Ok((Some(t), Some(spec.header.to_string()), row_key.filter(|_| several)))
}

/// A day as YYYY-MM-DD from any form the input tables accept (2025-06-03, 2025/6/3,
/// 2025年6月3日, an Excel date); none when it is not one.
fn day(text: &str) -> Option<String> {
    parse_date(text).ok().flatten().map(format_date)
}
