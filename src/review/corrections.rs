//! The correction layer of a 复核: the accepted objections' corrections laid over the tables as
//! read — the files are never edited — each applied to exactly one row (the firm's, and in a
//! table of several rows per firm the row its key names), with the value it replaced.

use polars::prelude::*;
use serde::Serialize;

use crate::ingest::schema::{ColumnType, TableKind};
use crate::ingest::Dataset;

/// One accepted correction, as the objection recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    /// The objection's number.
    pub objection: i64,
    /// The firm.
    pub code: String,
    /// The table's name (用地 …).
    pub table: String,
    /// The field's standard header.
    pub field: String,
    /// The row's key in a table of several rows per firm.
    pub row_key: Option<String>,
    /// The value claimed.
    pub value: String,
    /// Who recorded the objection, when, and the reason of its decision.
    pub who: String,
    /// When it was recorded.
    pub when: String,
    /// Why it was accepted.
    pub why: String,
}

/// A correction as applied: the correction and the value it replaced ("" when blank).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Applied {
    /// The objection's number.
    pub objection: i64,
    /// The firm.
    pub code: String,
    /// Table, field, and the row's key.
    pub table: String,
    #[allow(missing_docs)]
    pub field: String,
    #[allow(missing_docs)]
    pub row_key: Option<String>,
    /// The value as read from the file.
    pub old: String,
    /// The corrected value.
    pub new: String,
    /// Who recorded it, when, why it was accepted.
    pub who: String,
    #[allow(missing_docs)]
    pub when: String,
    #[allow(missing_docs)]
    pub why: String,
}

/// Why a correction could not be applied (nothing is evaluated then).
#[derive(Debug, thiserror::Error)]
#[error("第 {objection} 号异议的更正（{what}）无法应用：{message}")]
pub struct CorrectionError {
    /// The objection's number.
    pub objection: i64,
    /// The correction in words: firm, table, field, row.
    pub what: String,
    /// Why, in Chinese.
    pub message: String,
}

/// The column that tells a firm's rows apart in a table of several rows per firm.
fn row_key_column(kind: TableKind) -> Option<&'static str> {
    match kind {
        TableKind::Land => Some("parcel"),
        TableKind::Tax => Some("tax_type"),
        TableKind::Events => Some("event"),
        _ => None,
    }
}

/// Apply `list` in order to `ds`'s tables; what each replaced.
pub fn apply(ds: &mut Dataset, list: &[Correction]) -> Result<Vec<Applied>, CorrectionError> {
    list.iter().map(|c| apply_one(ds, c)).collect()
}

fn apply_one(ds: &mut Dataset, c: &Correction) -> Result<Applied, CorrectionError> {
    let row = c.row_key.as_deref().map(|k| format!("，{k}")).unwrap_or_default();
    let what = format!("{}，{}「{}」{row}", c.code, c.table, c.field);
    let fail =
        |message: String| CorrectionError { objection: c.objection, what: what.clone(), message };
    let internal = |e: PolarsError| fail(format!("内部表格错误（{e}）"));
    let kind = TableKind::ALL
        .into_iter()
        .find(|k| k.name() == c.table)
        .ok_or_else(|| fail("没有这张输入表".into()))?;
    let spec = kind
        .columns()
        .iter()
        .find(|s| s.header == c.field)
        .ok_or_else(|| fail("这张表没有这一列".into()))?;
    let df = ds.tables.get_mut(&kind).ok_or_else(|| fail("这次评价没有读到这张表".into()))?;
    let row = the_row(df, kind, c)
        .map_err(|e| fail(e.unwrap_or_else(|| "内部表格错误（读不出该表的代码列）".into())))?;
    let (old, new) = match spec.ty {
        ColumnType::Number(_) | ColumnType::SignedNumber(_) => {
            let v: f64 = c.value.trim().parse().map_err(|_| {
                fail(format!("更正后数值「{}」不是数字（按该列的标准单位填写）", c.value))
            })?;
            if matches!(spec.ty, ColumnType::Number(_)) && v < 0.0 {
                return Err(fail(format!("更正后数值 {v} 为负数，该列不能为负")));
            }
            replace_number(df, spec.key, row, v).map_err(internal)?
        }
        ColumnType::Text => replace_text(df, spec.key, row, c.value.trim()).map_err(internal)?,
        ColumnType::Code | ColumnType::Date => {
            return Err(fail(
                "统一社会信用代码和日期列不能通过异议更正，请更正输入文件后重新评价".into(),
            ))
        }
    };
    Ok(Applied {
        objection: c.objection,
        code: c.code.clone(),
        table: c.table.clone(),
        field: c.field.clone(),
        row_key: c.row_key.clone(),
        old,
        new,
        who: c.who.clone(),
        when: c.when.clone(),
        why: c.why.clone(),
    })
}

/// The one row of `df` the correction names; an error message (None: internal) otherwise.
fn the_row(df: &DataFrame, kind: TableKind, c: &Correction) -> Result<usize, Option<String>> {
    let text = |name: &str| -> Result<Vec<Option<String>>, Option<String>> {
        let col = df.column(name).map_err(|_| None)?.cast(&DataType::String).map_err(|_| None)?;
        let s = col.str().map_err(|_| None)?;
        Ok((0..s.len()).map(|i| s.get(i).map(str::to_string)).collect())
    };
    let codes = text("code")?;
    let keys = match row_key_column(kind) {
        Some(k) => Some(text(k)?),
        None => None,
    };
    let hits: Vec<usize> = (0..df.height())
        .filter(|&i| codes[i].as_deref() == Some(c.code.as_str()))
        .filter(|&i| match (&keys, &c.row_key) {
            (Some(k), Some(want)) => k[i].as_deref() == Some(want.as_str()),
            _ => true,
        })
        .collect();
    match hits.as_slice() {
        [i] => Ok(*i),
        [] => Err(Some("输入数据中没有这家企业的对应行".into())),
        _ => Err(Some(format!("输入数据中有 {} 行与之对应，无法确定更正哪一行", hits.len()))),
    }
}

fn replace_number(
    df: &mut DataFrame,
    key: &str,
    row: usize,
    v: f64,
) -> PolarsResult<(String, String)> {
    let col = df.column(key)?.cast(&DataType::Float64)?;
    let ca = col.f64()?;
    let mut values: Vec<Option<f64>> = (0..ca.len()).map(|i| ca.get(i)).collect();
    let old = values[row].map(|x| x.to_string()).unwrap_or_default();
    values[row] = Some(v);
    let dtype = df.column(key)?.dtype().clone();
    let new_col = Column::new(key.into(), values).cast(&dtype)?;
    df.replace(key, new_col)?;
    Ok((old, v.to_string()))
}

fn replace_text(
    df: &mut DataFrame,
    key: &str,
    row: usize,
    v: &str,
) -> PolarsResult<(String, String)> {
    let col = df.column(key)?.cast(&DataType::String)?;
    let ca = col.str()?;
    let mut values: Vec<Option<String>> =
        (0..ca.len()).map(|i| ca.get(i).map(str::to_string)).collect();
    let old = values[row].clone().unwrap_or_default();
    values[row] = Some(v.to_string());
    df.replace(key, Column::new(key.into(), values))?;
    Ok((old, v.to_string()))
}
