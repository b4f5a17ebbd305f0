//! Screening before typing: files and sheets the user excluded (`--exclude`), mujun's own
//! outputs found among the inputs (last year's results, the check workbook, land outputs), and
//! the first rows shown when a sheet is not recognised as any table.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::read::{decode_text, RawSheet};
use crate::columns::{key, sheet};

/// Options of [`super::load_with`].
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Files or sheets not to read: a path or file name, or `文件:工作表` for one sheet.
    pub exclude: Vec<String>,
}

/// The `--exclude` entries and which of them matched something.
pub(super) struct Exclusions<'a> {
    entries: &'a [String],
    used: Vec<bool>,
}

impl<'a> Exclusions<'a> {
    pub(super) fn new(entries: &'a [String]) -> Self {
        Exclusions { entries, used: vec![false; entries.len()] }
    }

    /// The entry that excludes the whole file, if any.
    pub(super) fn file(&mut self, f: &Path) -> Option<String> {
        let i = self.entries.iter().position(|e| names_file(e, f))?;
        self.used[i] = true;
        Some(self.entries[i].clone())
    }

    /// The entry that excludes this sheet of the file (`文件:工作表`), if any.
    pub(super) fn sheet(&mut self, f: &Path, sheet: &str) -> Option<String> {
        let i = self.entries.iter().position(|e| {
            let split = e
                .rfind([':', '：'])
                .map(|at| (&e[..at], e[at..].chars().skip(1).collect::<String>()));
            split.is_some_and(|(file, s)| s == sheet && names_file(file, f))
        })?;
        self.used[i] = true;
        Some(self.entries[i].clone())
    }

    /// Entries that matched no file or sheet (a typo, or a file no longer there).
    pub(super) fn unused(&self) -> impl Iterator<Item = &String> {
        self.entries.iter().zip(&self.used).filter(|(_, u)| !**u).map(|(e, _)| e)
    }
}

/// True when `entry` names the file `f`: its file name, or a path to it.
fn names_file(entry: &str, f: &Path) -> bool {
    let entry = entry.trim();
    if entry.is_empty() {
        return false;
    }
    if f.file_name().and_then(|n| n.to_str()) == Some(entry) || Path::new(entry) == f {
        return true;
    }
    match (std::fs::canonicalize(entry), std::fs::canonicalize(f)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Sheet names that together mark a workbook written by mujun, with what it is.
const OWN_WORKBOOKS: &[(&[&str], &str)] = &[
    (&[sheet::RESULTS, sheet::RULES], "评价结果工作簿"),
    (&["园区概况", "企业名单"], "园区评价工作簿"),
    (&["达标情况", "用地台账"], "标准地核查工作簿"),
    (&["问题清单", "数据核对"], "数据检查结果工作簿"),
];

/// What a workbook is if its sheets are those of a mujun output.
pub(super) fn own_workbook(sheets: &[RawSheet]) -> Option<&'static str> {
    let has = |name: &str| sheets.iter().any(|s| s.sheet.as_deref() == Some(name));
    OWN_WORKBOOKS.iter().find(|(names, _)| names.iter().all(|n| has(n))).map(|(_, what)| *what)
}

/// The first columns of the results CSV.
const RESULTS_CSV_START: &[&str] = key::CSV_HEAD.split_at(5).0;

/// The first bytes of a file, cut after the last complete line and decoded like an input CSV.
fn head_text(path: &Path) -> String {
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
    if read.is_err() {
        return String::new();
    }
    if head.len() == 64 * 1024 {
        if let Some(nl) = head.iter().rposition(|b| *b == b'\n') {
            head.truncate(nl + 1);
        }
    }
    decode_text(head)
}

/// What a CSV file is if it is mujun's results CSV.
pub(super) fn own_csv(path: &Path) -> Option<&'static str> {
    if !path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
        return None;
    }
    let text = head_text(path);
    let first: Vec<&str> = text.lines().next().unwrap_or("").split(',').map(str::trim).collect();
    first.starts_with(RESULTS_CSV_START).then_some("评价结果 CSV")
}

/// The file names listed in the output manifests of each folder, read once per folder.
#[derive(Default)]
pub(super) struct Manifests {
    by_dir: BTreeMap<PathBuf, Vec<(String, &'static str)>>,
}

/// Manifests of the commands whose outputs are results, never inputs (the names `publish`
/// gives them), with the manifest named in the note. The sets of `template` and `sample` are
/// inputs to be filled in or evaluated, so their manifests are not listed.
/// The manifests of result sets (not of templates or samples, whose files are inputs).
const RESULT_MANIFESTS: [crate::publish::Kind; 3] =
    [crate::publish::Kind::Evaluate, crate::publish::Kind::Check, crate::publish::Kind::Land];

impl Manifests {
    /// The manifest in `f`'s folder that lists `f`, if any.
    pub(super) fn listing(&mut self, f: &Path) -> Option<&'static str> {
        let dir = f.parent().unwrap_or(Path::new("")).to_path_buf();
        let names = self.by_dir.entry(dir.clone()).or_insert_with(|| {
            RESULT_MANIFESTS
                .iter()
                .map(|k| k.manifest())
                .flat_map(|m| manifest_names(&dir.join(m)).into_iter().map(move |n| (n, m)))
                .collect()
        });
        let name = f.file_name().and_then(|n| n.to_str())?;
        names.iter().find(|(n, _)| n == name).map(|(_, m)| *m)
    }
}

fn manifest_names(path: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else { return Vec::new() };
    let files = json.get("files").and_then(|f| f.as_array()).cloned().unwrap_or_default();
    files
        .iter()
        .filter_map(|f| f.get("name").and_then(|n| n.as_str()))
        .map(|n| n.to_string())
        .collect()
}

/// A sheet's first non-empty rows (1-based row, trimmed cells), at most `n`.
pub(super) fn first_rows(raw: &RawSheet, n: usize) -> Vec<(usize, Vec<String>)> {
    if !raw.headers.is_empty() {
        let cells = raw.headers.iter().map(|h| h.trim().to_string()).collect();
        return vec![(raw.rows_above.max(1), trim_row(cells))];
    }
    let cols: Vec<&StringChunked> =
        raw.data.columns().iter().filter_map(|c| c.str().ok()).collect();
    let mut out = Vec::new();
    for i in 0..raw.data.height() {
        let cells: Vec<String> =
            cols.iter().map(|c| c.get(i).unwrap_or("").trim().to_string()).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            out.push((raw.first_row + i, trim_row(cells)));
            if out.len() == n {
                break;
            }
        }
    }
    out
}

/// The first lines of a CSV file that has no header row, as [`first_rows`] gives them.
pub(super) fn first_lines(path: &Path, n: usize) -> Vec<(usize, Vec<String>)> {
    let text = head_text(path);
    let rows = text.lines().enumerate().map(|(i, l)| {
        (i + 1, l.split(',').map(|c| c.trim().trim_matches('"').to_string()).collect::<Vec<_>>())
    });
    rows.filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
        .map(|(r, cells)| (r, trim_row(cells)))
        .take(n)
        .collect()
}

/// Trailing empty cells dropped.
fn trim_row(mut cells: Vec<String>) -> Vec<String> {
    while cells.last().is_some_and(|c| c.is_empty()) {
        cells.pop();
    }
    cells
}

/// Rows shown in a message: `第1行：「a」「b」…`, long rows and cells cut.
pub(super) fn show_rows(rows: &[(usize, Vec<String>)]) -> String {
    const CELLS: usize = 12;
    const CHARS: usize = 30;
    let cell = |c: &String| {
        let short: String = c.chars().take(CHARS).collect();
        format!("「{short}{}」", if c.chars().count() > CHARS { "…" } else { "" })
    };
    let line = |(r, cells): &(usize, Vec<String>)| {
        let more =
            if cells.len() > CELLS { format!("…共{}列", cells.len()) } else { String::new() };
        format!("第{r}行：{}{more}", cells.iter().take(CELLS).map(cell).collect::<String>())
    };
    rows.iter().map(line).collect::<Vec<_>>().join("；")
}
