//! Ingest: department files in, typed tables and a list of problems out.
//!
//! Every row of every sheet is accounted for in [`Reconciliation`]: used, skipped (blank, total
//! and note rows) or rejected (with a [`Problem`] naming file, sheet, row and column).

pub mod previous;
pub mod problem;
pub mod read;
pub mod schema;
pub mod screen;
pub mod values;
pub mod wide;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::credit_code;
pub use problem::{Problem, Reconciliation, Severity, Tally};
use read::{header_key, RawSheet, SourceFile};
use schema::{AnyKind, AuxKind, ColumnSpec, ColumnType, TableKind};
pub use screen::LoadOptions;
use screen::{Exclusions, Manifests};
use values::{clean_name, parse_date, parse_quantity, text_cleaner, Num};

/// Why the inputs could not be read at all (row-level faults are [`Problem`]s instead).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A file or directory could not be read.
    #[error("无法读取 {path}：{}", crate::zh::io_error(.source))]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A `--data` path does not exist.
    #[error("找不到输入文件或目录：{path}")]
    NotFound {
        /// The path as given with `--data`.
        path: PathBuf,
    },
    /// The `--data` paths hold no .csv/.xlsx/.xls/.ods file.
    #[error("在 {paths:?} 中没有找到任何 .csv/.xlsx/.xls/.ods 输入文件")]
    NoInputFiles {
        /// The `--data` paths searched.
        paths: Vec<PathBuf>,
    },
    /// No header row (one with 统一社会信用代码 or other standard column names) in the first 30
    /// rows.
    #[error("{}：前30行中找不到表头行（需含“统一社会信用代码”等标准列名）", location(file, sheet))]
    NoHeader {
        /// The input file.
        file: PathBuf,
        /// The worksheet; `None` for a CSV file or the file as a whole.
        sheet: Option<String>,
    },
    /// The file is not readable as CSV or a workbook (encrypted, corrupt, bad encoding…).
    #[error("{}：{message}", location(file, sheet))]
    Parse {
        /// The input file.
        file: PathBuf,
        /// The worksheet; `None` when the file as a whole failed.
        sheet: Option<String>,
        /// What went wrong, in Chinese.
        message: String,
    },
    /// A sheet recognised as a table lacks required columns.
    #[error("{}：{table}表缺少必需列「{columns}」", location(file, sheet))]
    MissingColumn {
        /// The input file.
        file: PathBuf,
        /// The worksheet; `None` for a CSV file.
        sheet: Option<String>,
        /// The table's Chinese name (e.g. 企业名录), as [`AnyKind::name`].
        table: &'static str,
        /// The missing columns' standard names, joined with 、.
        columns: String,
    },
    /// Files or sheets that match no input table by name or columns; each is listed with its
    /// first rows and a `--exclude` hint.
    #[error("{}", unrecognised_message(.0))]
    Unrecognised(Vec<UnknownSheet>),
    /// A one-row-per-enterprise table is supplied by two files.
    #[error(
        "{table}表（每家企业一行）由两处提供：{first}，{second}。同一张表只能来自一个文件；{hint}"
    )]
    DuplicateTable {
        /// The table's Chinese name.
        table: &'static str,
        /// Where it came from first (file, and sheet if any).
        first: String,
        /// The second source, in the same form.
        second: String,
        /// What to do: with the two files in different folders, that each run reads one year's
        /// folder; else to move the old copy away or exclude it.
        hint: String,
    },
    /// A `--data` folder holds no input file but folders that do, as the bundled samples/ holds
    /// one folder per year: one run reads one year.
    #[error("目录「{}」中没有输入文件，只有子目录（{}）中有。每次只评价一个年度，不会把几个年度的数据合在一起：请用 --data 指定其中一个年度的目录，如 --data {}", .dir.display(), .subdirs.join("、"), .dir.join(.subdirs.last().map(String::as_str).unwrap_or("")).display())]
    YearFolders {
        /// The `--data` folder.
        dir: PathBuf,
        /// Its sub-folders holding input files (names, sorted).
        subdirs: Vec<String>,
    },
    /// A column header names a unit (e.g. 面积（公顷）) that cannot be converted to the standard
    /// one.
    #[error(
        "{}：列「{column}」的单位「{unit}」无法识别，应为「{expected}」",
        location(file, sheet)
    )]
    UnknownUnit {
        /// The input file.
        file: PathBuf,
        /// The worksheet; `None` for a CSV file.
        sheet: Option<String>,
        /// The column header as written.
        column: String,
        /// The unit read from the header.
        unit: String,
        /// The standard unit of the quantity (万元, 亩, 平方米, 吨标准煤…).
        expected: &'static str,
    },
    /// None of the inputs is the 企业名录 (enterprise register), which every evaluation needs.
    #[error(
        "输入中没有企业名录表（应有列：统一社会信用代码、企业名称、所属园区、行业代码、企业规模）"
    )]
    NoRegister,
    /// An internal table-engine failure, not bad input.
    #[error("内部表格处理错误，请把输入文件提供给维护人员")]
    Polars(#[from] PolarsError),
}

fn location(file: &std::path::Path, sheet: &Option<String>) -> String {
    match sheet {
        Some(s) => format!("{} 工作表「{s}」", file.display()),
        None => file.display().to_string(),
    }
}

/// A file or sheet that is not any input table: where it is, its first rows, and the table it
/// comes closest to (with the columns it lacks), if any.
#[derive(Debug)]
pub struct UnknownSheet {
    /// The input file.
    pub file: PathBuf,
    /// The worksheet; `None` for a CSV file.
    pub sheet: Option<String>,
    /// Its first non-empty rows (at most 3): 1-based spreadsheet row and trimmed cells.
    pub rows: Vec<(usize, Vec<String>)>,
    /// "最接近…表，但缺少必需列「…」" when its headers nearly fit a table; `None` otherwise.
    pub closest: Option<String>,
}

fn unrecognised_message(items: &[UnknownSheet]) -> String {
    let mut out =
        format!("有{}个文件或工作表无法识别为任何输入表（表名与列名都不匹配）：", items.len());
    for u in items {
        let rows = if u.rows.is_empty() {
            "（没有内容）".to_string()
        } else {
            screen::show_rows(&u.rows)
        };
        let closest = u.closest.as_ref().map(|c| format!("；{c}")).unwrap_or_default();
        let name = u.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let exclude = match &u.sheet {
            Some(s) => format!("{name}:{s}"),
            None => name,
        };
        out += &format!(
            "\n  {}：{rows}{closest}。如不是输入数据，请加 --exclude \"{exclude}\"",
            location(&u.file, &u.sheet)
        );
    }
    out
}

/// One sheet that became (part of) a table, referenced by the `__src` column.
#[derive(Debug, Clone)]
pub struct SheetRef {
    /// The input file's path as displayed.
    pub file: String,
    /// The worksheet name; empty for a CSV file.
    pub sheet: String,
    /// The table it was recognised as.
    pub table: AnyKind,
}

/// A register row that could not be used, kept so the enterprise is still listed.
#[derive(Debug, Clone)]
pub struct RejectedEnterprise {
    /// The credit code as written; empty when the row has none.
    pub code: String,
    /// The enterprise name from the row (may be empty).
    pub name: String,
    /// Why the row was rejected, in Chinese (shown in 未参评 under 名录数据错误).
    pub reason: String,
}

/// The year's data as typed tables. Each table has `__src` (index into `sheets`), `__row`
/// (1-based spreadsheet row) and the internal column keys of [`schema`].
pub struct Dataset {
    /// The evaluation tables (企业名录, 用地, 税收…), one frame each; a table no input supplied is
    /// an empty frame with its columns.
    pub tables: BTreeMap<TableKind, DataFrame>,
    /// Tables for other commands (标准地 for `mujun land`), same layout; `__src` indexes `sheets`.
    pub aux: BTreeMap<AuxKind, DataFrame>,
    /// Auxiliary sheets that could not be read (missing column, unknown unit). `evaluate` only
    /// lists them as warnings; the command that needs the table reports the first as its error.
    pub aux_failures: Vec<IngestError>,
    /// Row accounting of auxiliary sheets as their command sees it (used, skipped, rejected).
    /// In `reconciliation` the same sheets appear with every row skipped ("供 mujun land 使用"),
    /// since `evaluate` does not use them.
    pub aux_reconciliation: Vec<Reconciliation>,
    /// Every input file read, with its size and SHA-256 (for the run manifest).
    pub sources: Vec<SourceFile>,
    /// Every sheet that became (part of) a table; the `__src` column indexes this list.
    pub sheets: Vec<SheetRef>,
    /// Every problem found in the inputs (the 问题清单 sheet), in reading order.
    pub problems: Vec<Problem>,
    /// Row accounting per sheet read (the 数据核对 sheet): read = used + skipped + rejected.
    pub reconciliation: Vec<Reconciliation>,
    /// 企业名录 rows that could not be used (no or invalid credit code); listed in 未参评.
    pub rejected_register: Vec<RejectedEnterprise>,
    /// Time spent reading files (读取) and typing and checking rows (检查).
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// Number of distinct valid credit codes seen. Every table's `__key` column numbers them
    /// 0..key_count (null where a row has no usable code), so later stages join and look up
    /// enterprises by integer instead of hashing the code text again.
    pub key_count: usize,
}

impl Dataset {
    /// The evaluation table of `kind`.
    pub fn table(&self, kind: TableKind) -> &DataFrame {
        &self.tables[&kind]
    }
    /// The auxiliary table of `kind` (标准地 for `mujun land`).
    pub fn aux_table(&self, kind: AuxKind) -> &DataFrame {
        &self.aux[&kind]
    }
    /// Whether any input problem is an error ([`Severity::Error`]).
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
    /// The file and sheet a row came from, by its `__src` index into [`Dataset::sheets`]; empty
    /// names for an index that names no sheet.
    pub fn locate(&self, src: u32) -> (String, String) {
        self.sheets.get(src as usize).map(|s| (s.file.clone(), s.sheet.clone())).unwrap_or_default()
    }
}

/// Read and type every input file.
pub fn load(inputs: &[PathBuf]) -> Result<Dataset, IngestError> {
    load_with(inputs, &LoadOptions::default())
}

/// What loading keeps between files: typed parts per table, the enterprises seen, which file
/// supplied each one-row-per-enterprise table, and the sheets not recognised.
struct LoadState<'o> {
    parts: BTreeMap<AnyKind, Vec<DataFrame>>,
    seen: BTreeMap<AnyKind, Vec<u32>>,
    ids: PlHashMap<String, u32>,
    supplier: BTreeMap<TableKind, (String, Option<String>)>,
    unknown: Vec<UnknownSheet>,
    exclusions: Exclusions<'o>,
    manifests: Manifests,
}

/// Read and type every input file, leaving out what `opts` excludes.
pub fn load_with(inputs: &[PathBuf], opts: &LoadOptions) -> Result<Dataset, IngestError> {
    let files = read::expand_inputs(inputs)?;
    let mut ds = Dataset {
        tables: BTreeMap::new(),
        aux: BTreeMap::new(),
        aux_failures: Vec::new(),
        aux_reconciliation: Vec::new(),
        sources: Vec::new(),
        sheets: Vec::new(),
        problems: Vec::new(),
        reconciliation: Vec::new(),
        rejected_register: Vec::new(),
        timings: Vec::new(),
        key_count: 0,
    };
    let mut st = LoadState {
        parts: BTreeMap::new(),
        seen: BTreeMap::new(),
        ids: PlHashMap::new(),
        supplier: BTreeMap::new(),
        unknown: Vec::new(),
        exclusions: Exclusions::new(&opts.exclude),
        manifests: Manifests::default(),
    };
    let (mut t_read, mut t_check) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    for f in &files {
        if skip_file(&mut ds, &mut st, f) {
            continue;
        }
        let t = std::time::Instant::now();
        let read = read::read_file(f, &header_score);
        t_read += t.elapsed();
        let t = std::time::Instant::now();
        let (source, sheets) = match read {
            Err(IngestError::NoHeader { file, sheet: None }) => {
                let rows = screen::first_lines(&file, 3);
                if rows.is_empty() {
                    ds.problems.push(file_note(
                        Severity::Warning,
                        &file,
                        "",
                        "文件中没有任何数据（空文件）",
                        "跳过该文件",
                    ));
                } else {
                    st.unknown.push(UnknownSheet { file, sheet: None, rows, closest: None });
                }
                continue;
            }
            other => other?,
        };
        if let Some(what) = screen::own_workbook(&sheets) {
            skip_own_output(&mut ds, f, what, &sheets);
            continue;
        }
        ds.sources.push(source);
        if sheets.is_empty() {
            ds.problems.push(file_note(
                Severity::Warning,
                f,
                "",
                "文件中没有任何数据（空工作簿）",
                "跳过该文件",
            ));
        }
        for raw in sheets {
            load_sheet(&mut ds, &mut st, raw)?;
        }
        t_check += t.elapsed();
    }
    if !st.unknown.is_empty() {
        return Err(IngestError::Unrecognised(st.unknown));
    }
    for e in st.exclusions.unused() {
        ds.problems.push(file_note(
            Severity::Warning,
            Path::new(""),
            "",
            &format!("--exclude「{e}」没有对应的文件或工作表"),
            "忽略该排除项",
        ));
    }
    let t = std::time::Instant::now();
    finish_tables(&mut ds, st.parts)?;
    t_check += t.elapsed();
    ds.key_count = st.ids.len();
    ds.timings = vec![("读取文件", t_read), ("检查数据", t_check)];
    Ok(ds)
}

/// A problem about a whole file or sheet.
fn file_note(severity: Severity, file: &Path, sheet: &str, message: &str, action: &str) -> Problem {
    Problem {
        severity,
        table: String::new(),
        file: file.display().to_string(),
        sheet: sheet.to_string(),
        row: None,
        column: String::new(),
        value: String::new(),
        message: message.into(),
        action: action.into(),
    }
}

/// Files left unread, each with an info line: excluded by the user, listed in the output
/// manifest of their folder, or mujun's results CSV.
fn skip_file(ds: &mut Dataset, st: &mut LoadState, f: &Path) -> bool {
    let (message, table) = if let Some(e) = st.exclusions.file(f) {
        (format!("按 --exclude「{e}」排除"), "已排除")
    } else if let Some(m) = st.manifests.listing(f) {
        (format!("列在本目录的{m}中，是本程序的输出"), "本程序输出")
    } else if let Some(what) = screen::own_csv(f) {
        (format!("是本程序输出的{what}，不是输入数据"), "本程序输出")
    } else {
        return false;
    };
    ds.problems.push(file_note(Severity::Info, f, "", &message, "整个文件不读取"));
    let file = f.display().to_string();
    ds.reconciliation.push(Reconciliation {
        file,
        sheet: String::new(),
        table: format!("{table}（未读取）"),
        ..Default::default()
    });
    true
}

/// A workbook written by mujun (last year's results, the check workbook …): every sheet skipped.
fn skip_own_output(ds: &mut Dataset, f: &Path, what: &str, sheets: &[RawSheet]) {
    ds.problems.push(file_note(
        Severity::Info,
        f,
        "",
        &format!("是本程序输出的{what}，不是输入数据"),
        "整个文件跳过",
    ));
    for raw in sheets {
        let n = raw.source_rows() + raw.rows_above;
        let (file, sheet) = (f.display().to_string(), raw.sheet.clone().unwrap_or_default());
        ds.reconciliation.push(Reconciliation {
            file,
            sheet,
            table: "本程序输出（跳过）".into(),
            read: n,
            used: 0,
            skipped: n,
            rejected: 0,
        });
    }
}

/// Recognise one sheet and type it into its table (or skip, or note it as unknown).
fn load_sheet(ds: &mut Dataset, st: &mut LoadState, raw: RawSheet) -> Result<(), IngestError> {
    let file = raw.file.display().to_string();
    let sheet = raw.sheet.clone().unwrap_or_default();
    if let Some(e) = raw.sheet.as_deref().and_then(|s| st.exclusions.sheet(&raw.file, s)) {
        let message = format!("按 --exclude「{e}」排除");
        skip_whole_sheet(ds, &raw, Severity::Info, &message, "已排除");
        return Ok(());
    }
    let recognised = match recognise(&raw) {
        Err(e) if aux_failure(&e).is_some() => {
            let aux = aux_failure(&e).unwrap_or(AuxKind::StdLand);
            skip_aux_sheet(ds, &raw, aux, e);
            return Ok(());
        }
        other => other?,
    };
    let Some(kind) = recognised else {
        unrecognised_sheet(ds, st, &raw);
        return Ok(());
    };
    if let AnyKind::Eval(k) = kind {
        check_single_supplier(st, k, &raw)?;
    }
    let raw = if kind == AnyKind::Eval(TableKind::Tax) { reshape_wide_tax(ds, raw)? } else { raw };
    let src = ds.sheets.len();
    ds.sheets.push(SheetRef { file, sheet, table: kind });
    let seen_codes = st.seen.entry(kind).or_default();
    let (df, rec) = match (type_sheet(&raw, kind, src as u32, seen_codes, &mut st.ids, ds), kind) {
        (Err(e), AnyKind::Aux(aux)) => {
            skip_aux_sheet(ds, &raw, aux, e);
            return Ok(());
        }
        (other, _) => other?,
    };
    if let AnyKind::Aux(aux) = kind {
        let table = format!("{}（跳过：供 {} 使用）", aux.name(), aux.used_by());
        ds.reconciliation.push(Reconciliation {
            table,
            used: 0,
            skipped: rec.read,
            rejected: 0,
            ..rec.clone()
        });
        ds.aux_reconciliation.push(rec);
    } else {
        ds.reconciliation.push(rec);
    }
    st.parts.entry(kind).or_default().push(df);
    Ok(())
}

/// A one-row-per-enterprise table comes from one file: a second file with the same table (an
/// old copy, a re-saved version) is an error. Sheets of one workbook may split it (by park).
fn check_single_supplier(
    st: &mut LoadState,
    k: TableKind,
    raw: &RawSheet,
) -> Result<(), IngestError> {
    // A blank template (a header and no rows) left next to the filled table supplies nothing.
    if !k.one_row_per_enterprise() || raw.data.height() == 0 {
        return Ok(());
    }
    let file = raw.file.display().to_string();
    match st.supplier.get(&k) {
        Some((first, first_sheet)) if *first != file => Err(IngestError::DuplicateTable {
            table: k.name(),
            first: location(Path::new(first), first_sheet),
            second: location(&raw.file, &raw.sheet),
            hint: duplicate_hint(Path::new(first), &raw.file),
        }),
        Some(_) => Ok(()),
        None => {
            st.supplier.insert(k, (file, raw.sheet.clone()));
            Ok(())
        }
    }
}

/// What to do about a table supplied twice: two folders are most likely two years' data.
fn duplicate_hint(first: &Path, second: &Path) -> String {
    match (first.parent(), second.parent()) {
        (Some(a), Some(b)) if a != b => format!(
            "两个文件在不同目录（{}、{}），如是不同年度的数据：每次只评价一个年度，请只用 --data 指定其中一个年度的目录",
            a.display(),
            b.display()
        ),
        _ => "如其中一个是旧版或副本，请移出数据目录，或用 --exclude 排除".into(),
    }
}

/// A tax sheet with one column per 税种, reshaped to one row per enterprise and 税种; each other
/// column with content is listed as not read (a warning when its name looks like a tax).
fn reshape_wide_tax(ds: &mut Dataset, raw: RawSheet) -> Result<RawSheet, IngestError> {
    let keys: Vec<String> = raw.headers.iter().map(|h| header_key(h).0).collect();
    let find = |key: &str| {
        let spec =
            TableKind::Tax.columns().iter().find(|s| s.key == key).expect("tax spec has the key");
        keys.iter().position(|k| spec_matches(spec, k))
    };
    match (find("code"), find("tax_type")) {
        (Some(code_col), None) if wide::is_wide_tax(&raw, true, false) => {
            let name_col = find("src_name");
            for (header, taxlike) in wide::unread_columns(&raw, code_col, name_col)? {
                ds.problems.push(unread_tax_column(&raw, header, taxlike));
            }
            wide::to_long(&raw, code_col, name_col)
        }
        _ => Ok(raw),
    }
}

/// The problem of a wide tax sheet's column that is not read.
fn unread_tax_column(raw: &RawSheet, header: String, taxlike: bool) -> Problem {
    let (severity, action) = if taxlike {
        (Severity::Warning, "该列金额不计入；如是税种，请改用长格式（每行一个税种：统一社会信用代码、税种、实缴税额）")
    } else {
        (Severity::Info, "该列不读取")
    };
    Problem {
        table: TableKind::Tax.name().into(),
        column: header.clone(),
        message: format!("宽格式税收表的「{header}」列不是可识别的税种列"),
        ..file_note(severity, &raw.file, raw.sheet.as_deref().unwrap_or(""), "", action)
    }
}

/// A sheet that is no table: an empty sheet or an instruction sheet (a template's 填表说明) is
/// noted and skipped; anything else is kept to be reported as an error with its first rows.
fn unrecognised_sheet(ds: &mut Dataset, st: &mut LoadState, raw: &RawSheet) {
    let rows = screen::first_rows(raw, 3);
    let sheet = raw.sheet.as_deref().unwrap_or("");
    if rows.is_empty() {
        skip_whole_sheet(ds, raw, Severity::Info, "空工作表", "跳过");
    } else if raw.headers.is_empty() && INSTRUCTION_SHEETS.iter().any(|w| sheet.contains(w)) {
        skip_whole_sheet(ds, raw, Severity::Info, "填表说明等说明性工作表，不是数据表", "跳过");
    } else {
        let keys: Vec<String> = raw.headers.iter().map(|h| header_key(h).0).collect();
        let closest = closest_by_headers(&keys)
            .map(|(kind, missing)| format!("最接近{}表，但缺少必需列「{missing}」", kind.name()));
        st.unknown.push(UnknownSheet {
            file: raw.file.clone(),
            sheet: raw.sheet.clone(),
            rows,
            closest,
        });
    }
}

/// Words in the name of a sheet that explains how to fill in the others.
const INSTRUCTION_SHEETS: &[&str] = &["填表说明", "说明", "填报要求"];

/// A sheet not used, every row counted as skipped.
fn skip_whole_sheet(
    ds: &mut Dataset,
    raw: &RawSheet,
    severity: Severity,
    message: &str,
    table: &str,
) {
    let n = raw.source_rows() + raw.rows_above;
    let sheet = raw.sheet.clone().unwrap_or_default();
    ds.problems.push(file_note(
        severity,
        &raw.file,
        &sheet,
        message,
        &format!("整表跳过，共{n}行"),
    ));
    let file = raw.file.display().to_string();
    ds.reconciliation.push(Reconciliation {
        file,
        sheet,
        table: table.into(),
        read: n,
        used: 0,
        skipped: n,
        rejected: 0,
    });
}

/// Every table, its parts concatenated (an empty table where no sheet supplied it).
fn finish_tables(
    ds: &mut Dataset,
    mut parts: BTreeMap<AnyKind, Vec<DataFrame>>,
) -> Result<(), IngestError> {
    if !parts.contains_key(&AnyKind::Eval(TableKind::Register)) {
        return Err(IngestError::NoRegister);
    }
    for kind in AnyKind::all() {
        let frames = parts.remove(&kind).unwrap_or_default();
        let df = if frames.is_empty() {
            empty_table(kind)?
        } else {
            let lfs: Vec<LazyFrame> = frames.into_iter().map(|d| d.lazy()).collect();
            concat(lfs, UnionArgs::default())?.collect()?
        };
        match kind {
            AnyKind::Eval(k) => {
                ds.tables.insert(k, df);
            }
            AnyKind::Aux(k) => {
                ds.aux.insert(k, df);
            }
        }
    }
    Ok(())
}

/// A recognition error about an auxiliary table (it must not stop `evaluate`).
fn aux_failure(e: &IngestError) -> Option<AuxKind> {
    match e {
        IngestError::MissingColumn { table, .. } => {
            AuxKind::ALL.into_iter().find(|k| k.name() == *table)
        }
        _ => None,
    }
}

/// An auxiliary sheet that cannot be read: listed as a warning, its rows counted as skipped, and
/// the error kept for the command that needs the table.
fn skip_aux_sheet(ds: &mut Dataset, raw: &RawSheet, table: AuxKind, e: IngestError) {
    let (file, sheet) = (raw.file.display().to_string(), raw.sheet.clone().unwrap_or_default());
    let n = raw.source_rows() + raw.rows_above;
    ds.problems.push(Problem {
        severity: Severity::Warning,
        table: table.name().into(),
        file: file.clone(),
        sheet: sheet.clone(),
        row: None,
        column: String::new(),
        value: String::new(),
        message: format!("无法读取（{e}）"),
        action: format!("整表跳过，共{n}行；评价不使用该表，{}会报错", table.used_by()),
    });
    ds.reconciliation.push(Reconciliation {
        file,
        sheet,
        table: format!("{}（无法读取）", table.name()),
        read: n,
        used: 0,
        skipped: n,
        rejected: 0,
    });
    ds.aux_failures.push(e);
}

/// Known header names (normalised) of all tables.
fn header_matches(cell: &str) -> Option<(AnyKind, &'static ColumnSpec)> {
    for kind in AnyKind::all() {
        for spec in kind.columns() {
            if spec_matches(spec, cell) {
                return Some((kind, spec));
            }
        }
    }
    None
}

fn spec_matches(spec: &ColumnSpec, key: &str) -> bool {
    let up = |s: &str| s.to_uppercase();
    up(spec.header) == key || spec.aliases.iter().any(|a| up(a) == key)
}

/// Header score: 0 unless the row names the credit code and at least one other known column;
/// otherwise the number of known columns named.
fn header_score(cells: &[String]) -> usize {
    let mut code = false;
    let mut known = 0;
    for k in cells.iter().map(|c| c.to_uppercase()) {
        match header_matches(&k) {
            Some((_, spec)) if spec.key == "code" => {
                code = true;
                known += 1;
            }
            Some(_) => known += 1,
            None if wide::TAX_TYPES.contains(&k.as_str()) => known += 1,
            None => {}
        }
    }
    if code && known >= 2 {
        known
    } else {
        0
    }
}

/// Which table a sheet holds: by sheet or file name first, then by its headers. A sheet named
/// like a table but lacking its required columns is an error naming them, unless its headers
/// fit another table; so is a sheet whose headers come close to one table (two or more of its
/// own columns) without its required columns.
fn recognise(raw: &RawSheet) -> Result<Option<AnyKind>, IngestError> {
    if raw.headers.is_empty() {
        return Ok(None);
    }
    let keys: Vec<String> = raw.headers.iter().map(|h| header_key(h).0).collect();
    let has = |spec: &ColumnSpec| keys.iter().any(|k| spec_matches(spec, k));
    let tax_cols = TableKind::Tax.columns();
    let has_key = |key: &str| tax_cols.iter().find(|s| s.key == key).is_some_and(&has);
    if wide::is_wide_tax(raw, has_key("code"), has_key("tax_type")) {
        return Ok(Some(AnyKind::Eval(TableKind::Tax)));
    }
    let missing_column = |kind: AnyKind, columns: String| IngestError::MissingColumn {
        file: raw.file.clone(),
        sheet: raw.sheet.clone(),
        table: kind.name(),
        columns,
    };
    let stem = raw.file.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_string();
    let names: Vec<String> = raw.sheet.iter().cloned().chain(std::iter::once(stem)).collect();
    for name in &names {
        for kind in AnyKind::all() {
            if kind.name_hints().iter().any(|h| name.contains(h)) {
                let Some(missing) = missing_columns(kind, &keys) else { return Ok(Some(kind)) };
                // Named like this table but lacking columns: the headers may still fit another.
                if best_by_headers(&keys).is_none() {
                    return Err(missing_column(kind, missing));
                }
            }
        }
    }
    match best_by_headers(&keys) {
        Some(kind) => Ok(Some(kind)),
        None => match closest_by_headers(&keys) {
            Some((kind, missing)) if specific_matches(kind, &keys) >= 2 => {
                Err(missing_column(kind, missing))
            }
            _ => Ok(None),
        },
    }
}

/// Columns that identify a table: neither the credit code nor the optional enterprise name
/// every department table may carry.
fn is_specific(spec: &ColumnSpec) -> bool {
    spec.key != "code" && spec.key != "src_name"
}

fn specific_matches(kind: AnyKind, keys: &[String]) -> usize {
    kind.columns()
        .iter()
        .filter(|s| is_specific(s) && keys.iter().any(|k| spec_matches(s, k)))
        .count()
}

/// The required columns a sheet lacks for `kind` (「、」-joined), None when it has them all.
/// A table whose own columns are all optional (产出, 能耗) needs at least one of them.
fn missing_columns(kind: AnyKind, keys: &[String]) -> Option<String> {
    let has = |spec: &ColumnSpec| keys.iter().any(|k| spec_matches(spec, k));
    let cols = kind.columns();
    let missing: Vec<&str> =
        cols.iter().filter(|s| s.required && !has(s)).map(|s| s.header).collect();
    if !missing.is_empty() {
        return Some(missing.join("、"));
    }
    if cols.iter().any(|s| is_specific(s) && s.required) || specific_matches(kind, keys) > 0 {
        return None;
    }
    let any: Vec<&str> = cols.iter().filter(|s| is_specific(s)).map(|s| s.header).collect();
    Some(format!("{}（至少一列）", any.join("、")))
}

/// The table whose own columns the headers name most, among those whose required columns are
/// all present.
fn best_by_headers(keys: &[String]) -> Option<AnyKind> {
    let mut best: Option<(usize, AnyKind)> = None;
    for kind in AnyKind::all() {
        if missing_columns(kind, keys).is_some() {
            continue;
        }
        let score = specific_matches(kind, keys);
        if score >= 1 && best.map(|(b, _)| score > b).unwrap_or(true) {
            best = Some((score, kind));
        }
    }
    best.map(|(_, k)| k)
}

/// The table whose own columns the headers name most (at least one), with the columns it lacks.
fn closest_by_headers(keys: &[String]) -> Option<(AnyKind, String)> {
    let mut best: Option<(usize, AnyKind)> = None;
    for kind in AnyKind::all() {
        let score = specific_matches(kind, keys);
        if score >= 1 && best.map(|(b, _)| score > b).unwrap_or(true) {
            best = Some((score, kind));
        }
    }
    best.and_then(|(_, k)| missing_columns(k, keys).map(|m| (k, m)))
}

fn empty_table(kind: AnyKind) -> Result<DataFrame, IngestError> {
    let mut cols = vec![
        Column::new("__src".into(), Vec::<u32>::new()),
        Column::new("__row".into(), Vec::<u32>::new()),
        Column::new("__key".into(), Vec::<Option<u32>>::new()),
    ];
    for spec in kind.columns() {
        cols.push(match spec.ty {
            ColumnType::Code | ColumnType::Text => {
                Column::new(spec.key.into(), Vec::<Option<String>>::new())
            }
            ColumnType::Date => Column::new(spec.key.into(), Vec::<Option<i32>>::new()),
            ColumnType::Number(_) | ColumnType::SignedNumber(_) => {
                Column::new(spec.key.into(), Vec::<Option<f64>>::new())
            }
        });
    }
    Ok(DataFrame::new(0, cols)?)
}

enum Values<'r> {
    Text(Vec<Option<Cow<'r, str>>>),
    Date(Vec<Option<i32>>),
    Number(Vec<Option<f64>>),
}

const TOTAL_WORDS: &[&str] = &["合计", "总计", "小计"];
const NOTE_PREFIXES: &[&str] = &[
    "注",
    "说明",
    "备注",
    "填表",
    "填报",
    "制表",
    "审核",
    "数据来源",
    "单位负责人",
    "负责人",
    "联系人",
    "联系电话",
];

/// A line of notes: it starts with a note word or is numbered (`1、`, `2.`, `（3）`, `一、`).
fn note_start(s: &str) -> bool {
    if NOTE_PREFIXES.iter().any(|p| s.starts_with(p)) {
        return true;
    }
    let rest =
        s.trim_start_matches(|c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c));
    let numbered = rest.len() < s.len()
        && rest.starts_with(['、', '.', '．'])
        && !rest.chars().nth(1).is_some_and(|c| c.is_ascii_digit());
    let bracketed = s.strip_prefix(['(', '（']).is_some_and(|r| {
        let after = r.trim_start_matches(|c: char| c.is_ascii_digit());
        after.len() < r.len() && after.starts_with([')', '）'])
    });
    numbered || bracketed
}

/// A code cell that could be a mistyped credit code (15 to 20 letters and digits), as opposed
/// to text.
fn code_like(code: &str) -> bool {
    (15..=20).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// First row of the trailing run of note rows (`n` when there is none): blank rows, and rows
/// whose code cell is not code-like and that either hold text in the code cell alone or start
/// like a note.
fn tail_notes_start<'r>(
    n: usize,
    width: usize,
    code_col: usize,
    cell: &dyn Fn(usize, usize) -> Option<&'r str>,
) -> usize {
    let mut start = n;
    while start > 0 {
        let i = start - 1;
        let filled: Vec<(usize, &str)> = (0..width)
            .filter_map(|c| cell(c, i).map(|v| (c, v.trim())))
            .filter(|(_, v)| !v.is_empty())
            .take(2)
            .collect();
        let note = match filled.as_slice() {
            [] => true,
            [(c, v)] if *c == code_col => !code_like(&credit_code::normalize(v)),
            [(_, first), ..] => {
                note_start(first)
                    && !code_like(&credit_code::normalize(cell(code_col, i).unwrap_or("")))
            }
        };
        if !note {
            break;
        }
        start = i;
    }
    start
}

/// Turn a raw sheet into a typed table, reporting every problem and accounting for every row.
fn type_sheet(
    raw: &RawSheet,
    kind: AnyKind,
    src: u32,
    seen: &mut Vec<u32>,
    ids: &mut PlHashMap<String, u32>,
    ds: &mut Dataset,
) -> Result<(DataFrame, Reconciliation), IngestError> {
    let file = raw.file.display().to_string();
    let sheet = raw.sheet.clone().unwrap_or_default();
    let table = kind.name().to_string();
    let problem =
        |severity, row: Option<usize>, column: &str, value: &str, message: String, action: &str| {
            Problem {
                severity,
                table: table.clone(),
                file: file.clone(),
                sheet: sheet.clone(),
                row,
                column: column.to_string(),
                value: value.to_string(),
                message,
                action: action.to_string(),
            }
        };
    let mut problems = Vec::new();

    // Map spec columns to raw columns, with unit factors.
    let keys: Vec<(String, Option<String>)> = raw.headers.iter().map(|h| header_key(h)).collect();
    let names: Vec<String> = keys.iter().map(|(k, _)| k.clone()).collect();
    if let Some(columns) = missing_columns(kind, &names) {
        return Err(IngestError::MissingColumn {
            file: raw.file.clone(),
            sheet: raw.sheet.clone(),
            table: kind.name(),
            columns,
        });
    }
    let mut mapping: Vec<(&ColumnSpec, Option<(usize, f64)>)> = Vec::new();
    for spec in kind.columns() {
        let found = keys.iter().position(|(k, _)| spec_matches(spec, k));
        let entry = match found {
            None => None,
            Some(i) => {
                let mut factor = 1.0;
                if let (ColumnType::Number(q) | ColumnType::SignedNumber(q), Some(unit)) =
                    (spec.ty, &keys[i].1)
                {
                    factor =
                        schema::unit_factor(q, unit).ok_or_else(|| IngestError::UnknownUnit {
                            file: raw.file.clone(),
                            sheet: raw.sheet.clone(),
                            column: raw.headers[i].clone(),
                            unit: unit.clone(),
                            expected: schema::standard_unit(q),
                        })?;
                    if factor != 1.0 {
                        problems.push(problem(
                            Severity::Info,
                            None,
                            &raw.headers[i],
                            "",
                            format!(
                                "单位换算：{unit} → {}，乘以{factor}",
                                schema::standard_unit(q)
                            ),
                            "已换算",
                        ));
                    }
                }
                Some((i, factor))
            }
        };
        mapping.push((spec, entry));
    }
    for m in read::missing_cells(raw, mapping.iter().filter_map(|(_, m)| m.map(|(c, _)| c))) {
        problems.push(problem(
            Severity::Info,
            Some(m.first_row),
            &raw.headers[m.column],
            &m.value,
            m.message(),
            "按缺失处理",
        ));
    }

    let n = raw.data.height();
    // One contiguous array per raw column, so a cell is an index, not a search over chunks.
    let raw_chunked: Vec<StringChunked> = raw
        .data
        .columns()
        .iter()
        .map(|c| c.str().map(|s| s.rechunk().into_owned()))
        .collect::<Result<_, _>>()?;
    let raw_cols: Vec<_> = raw_chunked.iter().map(|s| s.downcast_as_array()).collect();
    let cell = |c: usize, i: usize| -> Option<&str> { raw_cols.get(c).and_then(|s| s.get(i)) };
    let code_col = mapping[0].1.map(|(i, _)| i).unwrap_or(0);
    let tail_from = tail_notes_start(n, raw_cols.len(), code_col, &cell);

    // Outcome per source row (a reshaped wide row may yield several rows): 1 skipped,
    // 2 rejected, 3 used; the best outcome counts.
    let source_rows =
        raw.row_of.as_ref().map(|r| r.last().map(|x| *x as usize + 1).unwrap_or(0)).unwrap_or(n);
    let mut outcome: Vec<u8> = vec![1; source_rows];
    let mut mark = |i: usize, o: u8| {
        let s = raw.row_of.as_ref().map(|r| r[i] as usize).unwrap_or(i);
        if let Some(x) = outcome.get_mut(s) {
            *x = (*x).max(o);
        }
    };

    // The 1-based spreadsheet row of data row i.
    let row_of = |i: usize| raw.first_row + raw.row_of.as_ref().map(|r| r[i] as usize).unwrap_or(i);

    // Phase 1, in parallel over row ranges: classify each row, check its code and type its
    // values. Everything here depends on the row alone.
    let type_rows = |lo: usize, hi: usize| -> Typed<'_> {
        let mut out = Typed {
            first: lo,
            rows: Vec::with_capacity(hi - lo),
            problems: Vec::new(),
            values: mapping
                .iter()
                .map(|(spec, _)| match spec.ty {
                    ColumnType::Code | ColumnType::Text => {
                        Values::Text(Vec::with_capacity(hi - lo))
                    }
                    ColumnType::Date => Values::Date(Vec::with_capacity(hi - lo)),
                    _ => Values::Number(Vec::with_capacity(hi - lo)),
                })
                .collect(),
            typed: 0,
        };
        let cx = RowContext {
            kind,
            mapping: &mapping,
            code_col,
            width: raw_cols.len(),
            headers: &raw.headers,
            cell: &cell,
            problem: &problem,
            file: &file,
            tail_from,
        };
        for i in lo..hi {
            let before = out.problems.len();
            let (verdict, pre) = type_row(&cx, i, row_of(i), &mut out);
            // At most a few problems per cell of one row.
            let count = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
            out.rows.push(RowVerdict {
                verdict,
                pre: count(pre - before),
                val: count(out.problems.len() - pre),
            });
        }
        out
    };
    let parts = parallelism(n);
    let typed: Vec<Typed> = if parts <= 1 {
        vec![type_rows(0, n)]
    } else {
        let bounds: Vec<usize> = (0..=parts).map(|p| n * p / parts).collect();
        std::thread::scope(|s| {
            let f = &type_rows;
            let handles: Vec<_> = bounds
                .windows(2)
                .map(|w| (w[0], w[1]))
                .map(|(lo, hi)| s.spawn(move || f(lo, hi)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };

    // Phase 2, in row order: number enterprises on first sight, drop repeated rows of
    // one-row-per-enterprise tables, and keep the problems of the rows that count.
    let mut rows_out: Vec<u32> = Vec::with_capacity(n);
    let mut keys_out: Vec<Option<u32>> = Vec::with_capacity(n);
    let mut keep: Vec<Vec<bool>> = Vec::with_capacity(typed.len());
    let mut values: Vec<Vec<Values>> = Vec::with_capacity(typed.len());
    let mut last: Option<(Cow<str>, u32)> = None;
    for part in typed {
        let mut kept = vec![false; part.typed];
        let mut found = part.problems.into_iter();
        for (i, rv) in (part.first..).zip(part.rows) {
            let row = row_of(i);
            problems.extend(found.by_ref().take(rv.pre as usize));
            let value_problems = found.by_ref().take(rv.val as usize);
            let (code, code_ok, at) = match rv.verdict {
                Verdict::Skipped => {
                    mark(i, 1);
                    continue;
                }
                Verdict::Rejected(rejected) => {
                    mark(i, 2);
                    ds.rejected_register.extend(rejected.map(|r| *r));
                    continue;
                }
                Verdict::Candidate { code_ok, at } => {
                    (credit_code::normalize_cow(cell(code_col, i).unwrap_or("")), code_ok, at)
                }
            };
            // The enterprise's number (see `Dataset::key_count`), given on first sight of its code.
            // Rows of one enterprise usually follow each other (a tax table has one per tax
            // type and month): the previous row's number is reused without hashing.
            let key = code_ok.then(|| match &last {
                Some((c, k)) if *c == code => *k,
                _ => {
                    let next = ids.len() as u32;
                    let k = *ids.entry_ref(code.as_ref()).or_insert(next);
                    last = Some((code.clone(), k));
                    k
                }
            });
            if let (true, Some(k)) = (kind.one_row_per_enterprise(), key) {
                let k = k as usize;
                if seen.len() <= k {
                    seen.resize(k + 1, 0);
                }
                // Rows are 1-based, so 0 means "not seen yet". A repeated row's value problems
                // are not reported: the row is not used.
                if let first @ 1.. = seen[k] {
                    mark(i, 2);
                    value_problems.for_each(drop);
                    problems.push(problem(
                        Severity::Warning,
                        Some(row),
                        "统一社会信用代码",
                        &code,
                        format!("同一企业在{}表中重复出现（首次在第{first}行）", kind.name()),
                        "保留首次出现的行，本行不采用",
                    ));
                    continue;
                }
                seen[k] = row as u32;
            }
            problems.extend(value_problems);
            let Some(at) = at else {
                // A required value is missing: the row is rejected and does not hold the code.
                mark(i, 2);
                if let (true, Some(k)) = (kind.one_row_per_enterprise(), key) {
                    seen[k as usize] = 0;
                }
                continue;
            };
            kept[at as usize] = true;
            rows_out.push(row as u32);
            keys_out.push(key);
            mark(i, 3);
        }
        keep.push(kept);
        values.push(part.values);
    }
    let count = |o: u8| outcome.iter().filter(|x| **x == o).count();
    let (skipped, rejected) = (count(1), count(2));

    let used = rows_out.len();
    let mut cols = vec![
        Column::new("__src".into(), vec![src; used]),
        Column::new("__row".into(), rows_out),
        Column::new("__key".into(), keys_out),
    ];
    // Column j of every range, taken out of the ranges so its memory goes as soon as the column
    // is built. Columns are built on as many threads as rows were typed on, each thread taking
    // every k-th column; they are put back in order.
    let mut per_column: Vec<(usize, &str, Vec<Values>)> = mapping
        .iter()
        .enumerate()
        .map(|(j, (spec, _))| {
            (
                j,
                spec.key,
                values
                    .iter_mut()
                    .map(|v| std::mem::replace(&mut v[j], Values::Number(Vec::new())))
                    .collect(),
            )
        })
        .collect();
    let threads = parallelism(used).min(per_column.len()).max(1);
    let build = |work: Vec<(usize, &str, Vec<Values>)>| -> Vec<(usize, Column)> {
        work.into_iter().map(|(j, key, parts)| (j, kept_column(key, &parts, &keep))).collect()
    };
    let mut built: Vec<(usize, Column)> = if threads <= 1 {
        build(per_column)
    } else {
        let mut shares: Vec<Vec<(usize, &str, Vec<Values>)>> =
            (0..threads).map(|_| Vec::new()).collect();
        for (n, c) in per_column.drain(..).enumerate() {
            shares[n % threads].push(c);
        }
        std::thread::scope(|s| {
            let handles: Vec<_> =
                shares.into_iter().map(|share| s.spawn(|| build(share))).collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };
    built.sort_by_key(|(j, _)| *j);
    cols.extend(built.into_iter().map(|(_, c)| c));
    let df = DataFrame::new(used, cols)?;
    ds.problems.extend(problems);
    let rec = Reconciliation {
        file,
        sheet,
        table,
        read: source_rows + raw.rows_above,
        used: count(3),
        skipped: skipped + raw.rows_above,
        rejected,
    };
    Ok((df, rec))
}

/// Sheets with fewer data rows are typed on one thread.
const MIN_ROWS_PER_RANGE: usize = 50_000;

/// Row ranges typed at once; 0 means one per core for large sheets. Results do not depend on
/// it (tests set it to prove that).
#[doc(hidden)]
pub static ROW_RANGES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn parallelism(n: usize) -> usize {
    match ROW_RANGES.load(std::sync::atomic::Ordering::Relaxed) {
        0 if n < 2 * MIN_ROWS_PER_RANGE => 1,
        0 => std::thread::available_parallelism()
            .map(|p| p.get())
            .unwrap_or(1)
            .min(n / MIN_ROWS_PER_RANGE)
            .max(1),
        forced => forced,
    }
}

/// One column from the ranges' typed values, keeping the rows marked in `keep`.
fn kept_column(name: &str, parts: &[Values], keep: &[Vec<bool>]) -> Column {
    let name: PlSmallStr = name.into();
    let kept = |a: usize| keep[a].iter().copied();
    const SAME: &str = "every range has the same column types";
    match parts.first() {
        Some(Values::Text(_)) => StringChunked::from_iter_options(
            name,
            parts.iter().enumerate().flat_map(|(a, p)| match p {
                Values::Text(t) => {
                    t.iter().zip(kept(a)).filter(|(_, k)| *k).map(|(v, _)| v.as_deref())
                }
                _ => unreachable!("{SAME}"),
            }),
        )
        .into_column(),
        Some(Values::Date(_)) => Column::new(
            name,
            kept_values(parts, keep, |p| {
                if let Values::Date(d) = p {
                    d
                } else {
                    unreachable!("{SAME}")
                }
            }),
        ),
        Some(Values::Number(_)) => Column::new(
            name,
            kept_values(parts, keep, |p| {
                if let Values::Number(x) = p {
                    x
                } else {
                    unreachable!("{SAME}")
                }
            }),
        ),
        None => unreachable!("a sheet is typed in at least one range"),
    }
}

/// The kept values of one numeric or date column, range after range.
fn kept_values<T: Copy>(
    parts: &[Values],
    keep: &[Vec<bool>],
    pick: for<'a> fn(&'a Values<'_>) -> &'a Vec<Option<T>>,
) -> Vec<Option<T>> {
    parts
        .iter()
        .zip(keep)
        .flat_map(|(p, k)| pick(p).iter().zip(k).filter(|(_, k)| **k).map(|(v, _)| *v))
        .collect()
}

/// What typing decided about one row, before enterprises are numbered and repeats found.
enum Verdict {
    /// Blank, total or note row.
    Skipped,
    /// Unusable code; a register row is still listed.
    Rejected(Option<Box<RejectedEnterprise>>),
    /// A row of an enterprise (or of no enterprise, when the code is optional and unusable);
    /// `at` is its index in the range's typed values, None when a required value is missing.
    Candidate { code_ok: bool, at: Option<u32> },
}

/// One row's verdict and how many problems it left: `pre` always reported, then `val` reported
/// only when the row is not a repeat (the problems of its values).
struct RowVerdict {
    verdict: Verdict,
    pre: u16,
    val: u16,
}

/// One range of rows, typed.
struct Typed<'r> {
    first: usize,
    rows: Vec<RowVerdict>,
    problems: Vec<Problem>,
    values: Vec<Values<'r>>,
    /// Rows in `values`.
    typed: usize,
}

type ProblemFn<'c> =
    dyn Fn(Severity, Option<usize>, &str, &str, String, &str) -> Problem + Sync + 'c;

/// What typing a row needs to know about its sheet.
struct RowContext<'r, 'c> {
    kind: AnyKind,
    mapping: &'c [(&'c ColumnSpec, Option<(usize, f64)>)],
    code_col: usize,
    width: usize,
    headers: &'c [String],
    cell: &'c (dyn Fn(usize, usize) -> Option<&'r str> + Sync),
    problem: &'c ProblemFn<'c>,
    file: &'c str,
    /// First row of the notes below the table (see [`tail_notes_start`]).
    tail_from: usize,
}

/// Classify data row `i` (spreadsheet row `row`), check its code and type its values into
/// `out`. Returns the verdict and the length of `out.problems` before the value problems.
fn type_row<'r>(
    cx: &RowContext<'r, '_>,
    i: usize,
    row: usize,
    out: &mut Typed<'r>,
) -> (Verdict, usize) {
    let (cell, problem, kind) = (cx.cell, cx.problem, cx.kind);
    let is_register = kind == AnyKind::Eval(TableKind::Register);
    let Typed { problems, values, typed, .. } = out;
    // The first three non-empty cells decide blank, total and note rows.
    let mut nonempty: [&str; 3] = [""; 3];
    let mut k = 0;
    for c in 0..cx.width {
        if let Some(v) = cell(c, i).map(str::trim).filter(|s| !s.is_empty()) {
            nonempty[k] = v;
            k += 1;
            if k == 3 {
                break;
            }
        }
    }
    if k == 0 {
        return (Verdict::Skipped, problems.len());
    }
    // Every total word ends in 计: a one-character scan rules most rows out cheaply.
    if nonempty[..k].iter().any(|s| s.contains('计') && TOTAL_WORDS.iter().any(|w| s.contains(w)))
    {
        problems.push(problem(
            Severity::Info,
            Some(row),
            "",
            nonempty[0],
            "合计/小计行".into(),
            "跳过，不作为企业",
        ));
        return (Verdict::Skipped, problems.len());
    }
    let code_raw = cell(cx.code_col, i).unwrap_or("");
    let code = credit_code::normalize_cow(code_raw);
    let valid = credit_code::validate(&code);
    if valid.is_err()
        && (i >= cx.tail_from || NOTE_PREFIXES.iter().any(|p| nonempty[0].starts_with(p)))
    {
        problems.push(problem(
            Severity::Info,
            Some(row),
            "",
            nonempty[0],
            "表格下方的注释行".into(),
            "跳过",
        ));
        return (Verdict::Skipped, problems.len());
    }
    // Whether the row's code is usable; a blank or invalid code only rejects the row when
    // the table needs it (not 标准地, see `AnyKind::code_optional`).
    let mut code_ok = true;
    if code.is_empty() && kind.code_optional() {
        problems.push(problem(
            Severity::Warning,
            Some(row),
            "统一社会信用代码",
            "",
            "缺少统一社会信用代码".into(),
            "保留该行，但无法关联企业名录、税收和产出",
        ));
        code_ok = false;
    } else if code.is_empty() {
        problems.push(problem(
            Severity::Error,
            Some(row),
            "统一社会信用代码",
            "",
            "缺少统一社会信用代码".into(),
            "整行不采用",
        ));
        let listed = is_register.then(|| {
            Box::new(RejectedEnterprise {
                code: String::new(),
                name: register_name(cx.mapping, cell, i),
                reason: format!("{} 第{row}行缺少统一社会信用代码", cx.file),
            })
        });
        return (Verdict::Rejected(listed), problems.len());
    }
    if let (true, Err(p)) = (code_ok, &valid) {
        if kind.code_optional() {
            problems.push(problem(
                Severity::Warning,
                Some(row),
                "统一社会信用代码",
                code_raw,
                format!("统一社会信用代码无效：{}", p.message()),
                "保留该行，但无法关联企业名录、税收和产出",
            ));
            code_ok = false;
        }
    }
    if let (true, Err(p)) = (code_ok, &valid) {
        problems.push(problem(
            Severity::Error,
            Some(row),
            "统一社会信用代码",
            code_raw,
            format!("统一社会信用代码无效：{}", p.message()),
            "整行不采用",
        ));
        let listed = is_register.then(|| {
            Box::new(RejectedEnterprise {
                code: code.to_string(),
                name: register_name(cx.mapping, cell, i),
                reason: format!("统一社会信用代码无效：{}", p.message()),
            })
        });
        return (Verdict::Rejected(listed), problems.len());
    }
    let pre = problems.len();
    // Typed values, pushed straight into the column accumulators; a required value that is
    // missing rejects the row (except in the register), and the row's values are taken back.
    let mut reject: Option<String> = None;
    for ((spec, m), acc) in cx.mapping.iter().zip(values.iter_mut()) {
        let rawv = m.and_then(|(c, _)| cell(c, i));
        let header = || m.map(|(c, _)| cx.headers[c].as_str()).unwrap_or(spec.header);
        match (spec.ty, acc) {
            (ColumnType::Code, Values::Text(a)) => a.push(code_ok.then(|| code.clone())),
            (ColumnType::Text, Values::Text(a)) => {
                let v = rawv.and_then(text_cleaner(spec.key));
                let v = if spec.key == "counterparty" {
                    v.map(|s| Cow::Owned(credit_code::normalize(&s)))
                } else {
                    v
                };
                if v.is_none() && spec.required {
                    if is_register {
                        problems.push(problem(
                            Severity::Warning,
                            Some(row),
                            header(),
                            "",
                            format!("缺少{}", spec.header),
                            "该项按空值处理",
                        ));
                    } else {
                        reject.get_or_insert(format!("缺少{}", spec.header));
                    }
                }
                a.push(v);
            }
            (ColumnType::Date, Values::Date(a)) => {
                let v = match rawv.map(parse_date) {
                    None => None,
                    Some(Ok(d)) => d,
                    Some(Err(msg)) => {
                        problems.push(problem(
                            Severity::Warning,
                            Some(row),
                            header(),
                            rawv.unwrap_or(""),
                            msg.to_string(),
                            "按缺失处理",
                        ));
                        None
                    }
                };
                a.push(v);
            }
            (ColumnType::Number(q) | ColumnType::SignedNumber(q), Values::Number(a)) => {
                let factor = m.map(|(_, f)| f).unwrap_or(1.0);
                let v = match rawv.map(|s| parse_quantity(s, q, factor)) {
                    None | Some(Num::Missing) => None,
                    Some(Num::Value(x)) if x < 0.0 && matches!(spec.ty, ColumnType::Number(_)) => {
                        problems.push(problem(
                            Severity::Warning,
                            Some(row),
                            header(),
                            rawv.unwrap_or(""),
                            "该项不应为负数".into(),
                            "按缺失处理",
                        ));
                        None
                    }
                    Some(Num::Value(x)) => Some(x),
                    Some(Num::Invalid(why)) => {
                        problems.push(problem(
                            Severity::Warning,
                            Some(row),
                            header(),
                            rawv.unwrap_or(""),
                            why.to_string(),
                            "按缺失处理",
                        ));
                        None
                    }
                };
                if v.is_none() && spec.required {
                    reject.get_or_insert(format!("缺少{}", spec.header));
                }
                a.push(v);
            }
            _ => unreachable!("accumulators are built from the same column specs"),
        }
    }
    if let Some(why) = reject {
        for acc in values.iter_mut() {
            match acc {
                Values::Text(a) => a.truncate(*typed),
                Values::Date(a) => a.truncate(*typed),
                Values::Number(a) => a.truncate(*typed),
            }
        }
        problems.push(problem(Severity::Warning, Some(row), "", &code, why, "整行不采用"));
        return (Verdict::Candidate { code_ok, at: None }, pre);
    }
    *typed += 1;
    (Verdict::Candidate { code_ok, at: Some((*typed - 1) as u32) }, pre)
}

fn register_name<'a>(
    mapping: &[(&ColumnSpec, Option<(usize, f64)>)],
    cell: &dyn Fn(usize, usize) -> Option<&'a str>,
    i: usize,
) -> String {
    mapping
        .iter()
        .find(|(s, _)| s.key == "name")
        .and_then(|(_, m)| m.and_then(|(c, _)| cell(c, i)))
        .and_then(clean_name)
        .map(Cow::into_owned)
        .unwrap_or_default()
}
