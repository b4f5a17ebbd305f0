//! Report: the results workbook. Each sheet is one function in its own module, listed in
//! [`SHEETS`]; adding a sheet touches that list and its module only.

mod not_evaluated;
pub mod problems;
mod results;
mod rules_sheet;
mod summary;
pub mod table;
pub mod template;

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

use crate::evaluation::Evaluation;
use table::Formats;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("写入工作簿 {path} 失败（工作表「{sheet}」）：{source}")]
    Xlsx { path: PathBuf, sheet: &'static str, source: XlsxError },
    #[error("无法创建输出目录 {path}：{source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("读取评价结果失败（工作表「{sheet}」）：{source}")]
    Data { sheet: &'static str, source: polars::prelude::PolarsError },
}

/// An error inside one sheet's writer.
#[derive(Debug)]
pub enum SheetError {
    Xlsx(XlsxError),
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

pub type SheetFn = fn(&Evaluation, &mut Workbook, &Formats) -> Result<(), SheetError>;

/// The sheets of the results workbook, in order.
pub const SHEETS: &[(&str, SheetFn)] = &[
    (summary::NAME, summary::write),
    (results::NAME, results::write),
    (not_evaluated::NAME, not_evaluated::write),
    (problems::NAME, problems::write),
    (problems::RECON_NAME, problems::write_reconciliation),
    (rules_sheet::NAME, rules_sheet::write),
];

/// File name of the results workbook for a rule set.
pub fn workbook_name(ev: &Evaluation) -> String {
    format!("{}年度亩均效益评价结果.xlsx", ev.rules.meta.year)
}

/// Write the results workbook into `out_dir`; the document time is fixed (1 January of the year
/// after the evaluation year) so identical inputs give identical bytes.
pub fn write_workbook(ev: &Evaluation, out_dir: &Path) -> Result<PathBuf, ReportError> {
    std::fs::create_dir_all(out_dir).map_err(|e| ReportError::Io { path: out_dir.to_path_buf(), source: e })?;
    let path = out_dir.join(workbook_name(ev));
    let mut wb = Workbook::new();
    let year = (ev.rules.meta.year + 1).clamp(1900, 9999) as u16;
    let xerr = |sheet: &'static str| {
        let path = path.clone();
        move |source| ReportError::Xlsx { path, sheet, source }
    };
    let when = ExcelDateTime::from_ymd(year, 1, 1).map_err(xerr("文档属性"))?;
    wb.set_properties(&DocProperties::new().set_title(ev.rules.meta.name.clone()).set_author("mujun").set_creation_datetime(&when));
    let fmt = Formats::new();
    for (name, f) in SHEETS {
        f(ev, &mut wb, &fmt).map_err(|e| match e {
            SheetError::Xlsx(source) => ReportError::Xlsx { path: path.clone(), sheet: name, source },
            SheetError::Data(source) => ReportError::Data { sheet: name, source },
        })?;
    }
    wb.save(&path).map_err(xerr("保存"))?;
    Ok(path)
}

/// Write the data-quality workbook of `mujun check`: 问题清单 and 数据核对.
pub fn write_check_workbook(
    problems: &[crate::ingest::Problem],
    recs: &[crate::ingest::Reconciliation],
    year: i32,
    out_dir: &Path,
) -> Result<PathBuf, ReportError> {
    std::fs::create_dir_all(out_dir).map_err(|e| ReportError::Io { path: out_dir.to_path_buf(), source: e })?;
    let path = out_dir.join(format!("{year}年度数据检查结果.xlsx"));
    let xerr = |sheet: &'static str| {
        let path = path.clone();
        move |source| ReportError::Xlsx { path, sheet, source }
    };
    let mut wb = Workbook::new();
    let when = ExcelDateTime::from_ymd((year + 1).clamp(1900, 9999) as u16, 1, 1).map_err(xerr("文档属性"))?;
    wb.set_properties(&DocProperties::new().set_title(format!("{year}年度数据检查结果")).set_author("mujun").set_creation_datetime(&when));
    let fmt = Formats::new();
    for (name, res) in [
        (problems::NAME, problems::write_problems(problems, &mut wb, &fmt)),
        (problems::RECON_NAME, problems::write_recon(recs, &mut wb, &fmt)),
    ] {
        res.map_err(|e| match e {
            SheetError::Xlsx(source) => ReportError::Xlsx { path: path.clone(), sheet: name, source },
            SheetError::Data(source) => ReportError::Data { sheet: name, source },
        })?;
    }
    wb.save(&path).map_err(xerr("保存"))?;
    Ok(path)
}
