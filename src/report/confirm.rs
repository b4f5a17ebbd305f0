//! 一企一单: before scoring, every enterprise's data on its own printed page(s) for the firm to
//! confirm — its register entry, each parcel, each tax row (counted or not, and why), output,
//! energy and emissions, events — each value with the file, sheet and row it came from and the
//! department that supplies that table, and a line for the firm's seal and date. One workbook
//! per park (firms without a park in their own), one sheet per firm named by its credit code,
//! A4 portrait, the firm's name in the page header and its own page numbers in the footer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use rust_xlsxwriter::Workbook;

use crate::ingest::schema::{standard_unit, ColumnSpec, ColumnType, TableKind};
use crate::ingest::values::format_date;
use crate::ingest::Dataset;
use crate::rules::Rules;
use crate::sheet::print::{self, Print};
use crate::sheet::table::{Cell, Formats, TableWriter};
use crate::sheet::{self, Book, BookError, SheetError};

/// The sheet's name.
pub const NAME: &str = "一企一单";
/// The folder the workbooks are written into.
pub const DIR: &str = "一企一单";

/// The department that supplies `kind` (as the yearly cycle collects the tables).
pub fn department(kind: TableKind) -> &'static str {
    match kind {
        TableKind::Register => "经信委（参评企业名录）",
        TableKind::Land => "规划和自然资源",
        TableKind::Tax => "税务",
        TableKind::Output => "统计",
        TableKind::Energy => "供电、生态环境",
        TableKind::Events => "各主管部门",
        TableKind::Adjust => "经信委",
    }
}

/// Each table's row indices by credit code.
struct Index<'d> {
    ds: &'d Dataset,
    rows: BTreeMap<TableKind, BTreeMap<String, Vec<usize>>>,
}

impl<'d> Index<'d> {
    fn new(ds: &'d Dataset) -> PolarsResult<Index<'d>> {
        let mut rows = BTreeMap::new();
        for kind in TableKind::ALL {
            let df = ds.table(kind);
            let mut by: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            if let Ok(c) = df.column("code") {
                let c = c.cast(&DataType::String)?;
                let s = c.str()?;
                for i in 0..s.len() {
                    if let Some(code) = s.get(i) {
                        by.entry(code.to_string()).or_default().push(i);
                    }
                }
            }
            rows.insert(kind, by);
        }
        Ok(Index { ds, rows })
    }

    fn of(&self, kind: TableKind, code: &str) -> &[usize] {
        self.rows.get(&kind).and_then(|m| m.get(code)).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Cell `key` of row `i` of `kind` as shown: text, a number, a date (YYYY-MM-DD).
    fn value(&self, kind: TableKind, key: &str, i: usize) -> String {
        let Ok(c) = self.ds.table(kind).column(key) else { return String::new() };
        match c.get(i) {
            Ok(AnyValue::Null) | Err(_) => String::new(),
            Ok(AnyValue::String(s)) => s.to_string(),
            Ok(AnyValue::StringOwned(s)) => s.to_string(),
            Ok(AnyValue::Float64(x)) => crate::report::analysis::trim_num(x),
            Ok(AnyValue::Int32(d)) if is_date(kind, key) => format_date(d),
            Ok(v) => v.to_string(),
        }
    }

    /// "file「sheet」第 N 行（department）" of row `i` of `kind` (the file's name, not its folder).
    fn source(&self, kind: TableKind, i: usize) -> String {
        let df = self.ds.table(kind);
        let num = |c: &str| df.column(c).ok().and_then(|c| c.get(i).ok()?.extract::<u32>());
        let (file, sheet) = num("__src").map(|s| self.ds.locate(s)).unwrap_or_default();
        // The file's own name: what the department delivered, wherever it was put.
        let file =
            Path::new(&file).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or(file);
        let sheet = if sheet.is_empty() { String::new() } else { format!("「{sheet}」") };
        let row = num("__row").map(|r| format!("第 {r} 行")).unwrap_or_default();
        format!("{file}{sheet}{row}（{}）", department(kind))
    }
}

fn is_date(kind: TableKind, key: &str) -> bool {
    kind.columns().iter().any(|c| c.key == key && c.ty == ColumnType::Date)
}

/// A column's header with its standard unit ("用地面积(亩)").
fn head(c: &ColumnSpec) -> String {
    match c.ty {
        ColumnType::Number(q) | ColumnType::SignedNumber(q) => {
            format!("{}({})", c.header, standard_unit(q))
        }
        _ => c.header.to_string(),
    }
}

/// The columns of `kind` shown (all but the code and the name checked against the register).
fn shown(kind: TableKind) -> Vec<&'static ColumnSpec> {
    kind.columns().iter().filter(|c| c.key != "code" && c.key != "src_name").collect()
}

/// The parks of the register (NO_PARK for a blank one) with their firms' codes, sorted.
fn parks(ix: &Index) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (code, rows) in &ix.rows[&TableKind::Register] {
        let park = ix.value(TableKind::Register, "park", rows[0]);
        let park = if park.is_empty() { crate::evaluation::NO_PARK.to_string() } else { park };
        out.entry(park).or_default().push(code.clone());
    }
    out
}

/// Write one workbook per park into `out_dir/一企一单/`; (park, path) of each.
pub fn write_all(
    rules: &Rules,
    ds: &Dataset,
    out_dir: &Path,
) -> Result<Vec<(String, PathBuf)>, BookError> {
    let ix = Index::new(ds).map_err(|e| BookError::Xlsx {
        path: out_dir.to_path_buf(),
        sheet: NAME,
        source: rust_xlsxwriter::XlsxError::ParameterError(e.to_string()),
    })?;
    let dir = out_dir.join(DIR);
    sheet::create_dir(&dir)?;
    let year = rules.meta.year;
    let mut paths: Vec<(String, PathBuf)> = Vec::new();
    for (park, codes) in parks(&ix) {
        let stem = crate::report::park::safe_stem(&park);
        let mut path = dir.join(format!("{year}年度一企一单_{stem}.xlsx"));
        let taken = |p: &Path| {
            let name = p.to_string_lossy().to_lowercase();
            paths.iter().any(|(_, x)| x.to_string_lossy().to_lowercase() == name)
        };
        let mut k = 2;
        while taken(&path) {
            path = dir.join(format!("{year}年度一企一单_{stem}_{k}.xlsx"));
            k += 1;
        }
        let title = format!("{park} {year}年度亩均效益评价 一企一单");
        let book = Book { path: &path, title: &title, year };
        let sheets: &[sheet::Sheet<()>] = &[(NAME, ())];
        sheet::write_book(&book, sheets, |_, wb, fmt| write(&ix, rules, &park, &codes, wb, fmt))?;
        paths.push((park, path));
    }
    Ok(paths)
}

/// One sheet per firm, named by its credit code: the firm's name and code in the page header,
/// "第 N 页，共 M 页" (its own pages) in the footer.
fn write(
    ix: &Index,
    rules: &Rules,
    park: &str,
    codes: &[String],
    wb: &mut Workbook,
    fmt: &Formats,
) -> Result<(), SheetError> {
    for code in codes {
        let ws = wb.add_worksheet();
        ws.set_name(code)?;
        let name = ix.value(TableKind::Register, "name", ix.of(TableKind::Register, code)[0]);
        let title = format!("{name}（{code}） {park} {}年度 一企一单", rules.meta.year);
        print::setup(ws, Print { title: &title, landscape: false, repeat: None })?;
        let mut t = TableWriter::new(ws, fmt, 0);
        firm(&mut t, ix, rules, code)?;
        t.finish_widths()?;
    }
    Ok(())
}

/// One firm's block.
fn firm(t: &mut TableWriter, ix: &Index, rules: &Rules, code: &str) -> Result<(), SheetError> {
    let reg = TableKind::Register;
    let r0 = ix.of(reg, code)[0];
    t.title(&format!("一企一单：{}（{code}）", ix.value(reg, "name", r0)))?;
    let fields = |t: &mut TableWriter, kind: TableKind, title: &str| -> Result<(), SheetError> {
        t.title(title)?;
        let rows = ix.of(kind, code);
        if rows.is_empty() {
            t.write_row(&[format!("（{}未报送本企业的数据）", department(kind)).into()])?;
            return Ok(());
        }
        t.header(&["项目".into(), "数值".into(), "来源".into()])?;
        for c in shown(kind) {
            let v = ix.value(kind, c.key, rows[0]);
            t.write_row(&[head(c).into(), v.into(), ix.source(kind, rows[0]).into()])?;
        }
        Ok(())
    };
    fields(t, reg, "一、企业名录")?;
    rows(t, ix, code, TableKind::Land, "二、用地", &|_| None)?;
    let verdict = |i: usize| {
        let ty = ix.value(TableKind::Tax, "tax_type", i);
        Some(rules.tax.verdict_text(rules.tax.verdict(&ty)))
    };
    rows(t, ix, code, TableKind::Tax, "三、税收（是否计入亩均税收）", &verdict)?;
    fields(t, TableKind::Output, "四、产出")?;
    fields(t, TableKind::Energy, "五、能耗与排放")?;
    rows(t, ix, code, TableKind::Events, "六、加减分事项", &|_| None)?;
    t.blank();
    t.write_row(&["以上数据经本企业核对：无误 □　有误 □（请在异议表中写明）".into()])?;
    t.write_row(&["企业确认（签章）：____________________　　日期：______年____月____日".into()])?;
    t.blank();
    Ok(())
}

/// A table of several rows per firm: one line per row with its source; `extra` adds a column.
fn rows(
    t: &mut TableWriter,
    ix: &Index,
    code: &str,
    kind: TableKind,
    title: &str,
    extra: &dyn Fn(usize) -> Option<String>,
) -> Result<(), SheetError> {
    t.title(title)?;
    let rows = ix.of(kind, code);
    if rows.is_empty() {
        t.write_row(&[format!("（{}未报送本企业的数据）", department(kind)).into()])?;
        return Ok(());
    }
    let cols = shown(kind);
    let mut h: Vec<String> = cols.iter().map(|c| head(c)).collect();
    let with_extra = extra(rows[0]).is_some();
    if with_extra {
        h.push("是否计入".into());
    }
    h.push("来源".into());
    t.header(&h)?;
    for &i in rows {
        let mut line: Vec<Cell> = cols.iter().map(|c| ix.value(kind, c.key, i).into()).collect();
        if let Some(x) = extra(i) {
            line.push(x.into());
        }
        line.push(ix.source(kind, i).into());
        t.write_row(&line)?;
    }
    Ok(())
}
