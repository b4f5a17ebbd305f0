//! The previous year's results (`--previous`): the results workbook or CSV that an earlier
//! `evaluate` wrote, read back by the names they were written under ([`crate::columns`]), and
//! matched to this year's enterprises by 统一社会信用代码 ([`Comparison`]). The match lives here,
//! below the reports, so that the analysis holding it and the sheets reading it both look down.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::read::{decode_text, open_workbook, sheet_cells};
use super::IngestError;
use crate::columns::{header, key, sheet, unguard};

/// What to read of a previous year: the indicators and quantities this year's rules know.
#[derive(Debug, Clone)]
pub struct Wanted<'w> {
    /// Indicators as (id, name): the workbook's `name(unit)` columns, the CSV's `<id>.value`
    /// columns.
    pub indicators: Vec<(&'w str, &'w str)>,
    /// Quantities as (key, header): the workbook's `header` columns, the CSV's `key` columns.
    pub fields: &'w [(&'w str, &'w str)],
}

/// One enterprise of the previous year: evaluated, or listed as not evaluated.
#[derive(Debug, Clone, Default)]
pub struct PrevFirm {
    /// 统一社会信用代码.
    pub code: String,
    /// Enterprise name.
    pub name: String,
    /// Park.
    pub park: String,
    /// Group id (the CSV has it, the workbook only the name).
    pub group_id: Option<String>,
    /// Group name.
    pub group_name: Option<String>,
    /// Evaluated that year (else listed as not evaluated).
    pub evaluated: bool,
    /// Tier; for an enterprise not evaluated, the tier it was managed as.
    pub tier: Option<String>,
    /// Total score.
    pub total: Option<f64>,
    /// Rank within the ranking population, as that year's results give it.
    pub rank: Option<i64>,
    /// Size of the ranking population, as that year's results give it.
    pub rank_population: Option<i64>,
    /// Indicator values keyed by this year's indicator id.
    pub values: HashMap<String, f64>,
    /// Quantities keyed by [`Wanted::fields`] key.
    pub fields: HashMap<String, f64>,
}

/// A previous year's results as read.
#[derive(Debug, Clone)]
pub struct Previous {
    /// The file read.
    pub path: PathBuf,
    /// Its evaluation year, when the file says.
    pub year: Option<i32>,
    /// Evaluated enterprises first, then those not evaluated.
    pub firms: Vec<PrevFirm>,
}

/// Read the previous year's results: the engine's workbook (.xlsx/.xlsm/.xls/.ods) or its CSV.
/// A file of another kind, or one whose columns or numbers are not as written, is an
/// error in Chinese naming the file, the sheet, the row and the column.
pub fn read(path: &Path, wanted: &Wanted) -> Result<Previous, IngestError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" => read_csv(path, wanted),
        "xlsx" | "xlsm" | "xls" | "ods" => read_workbook(path, wanted),
        // The JSON is not read back: serde_json, as built here (without its float_roundtrip
        // feature), reads some numbers a unit in the last place off, and equal values of two
        // years would count as changed.
        "json" => Err(fail(
            path,
            None,
            "上年结果请用结果工作簿（.xlsx）或结果 CSV（.csv）；结果 JSON 不能作为上年结果读取",
        )),
        _ => Err(fail(path, None, "上年结果应为本程序输出的结果工作簿（.xlsx）或结果 CSV（.csv）")),
    }
}

fn fail(path: &Path, sheet: Option<&str>, message: impl Into<String>) -> IngestError {
    IngestError::Parse {
        file: path.to_path_buf(),
        sheet: sheet.map(str::to_string),
        message: message.into(),
    }
}

/// A number as written: blank is missing, anything else must be a finite number.
fn number(text: &str) -> Result<Option<f64>, String> {
    let t = text.trim().replace(',', "");
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(format!("「{}」不是数值", text.trim())),
    }
}

/// A whole number as written (a rank): blank is missing, anything else must be an integer.
fn integer(text: &str) -> Result<Option<i64>, String> {
    match number(text)? {
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => Ok(Some(v as i64)),
        Some(_) => Err(format!("「{}」不是整数", text.trim())),
        None => Ok(None),
    }
}

/// Where the columns of one results table are, by position in its header.
#[derive(Default)]
struct Layout {
    code: usize,
    status: Option<usize>,
    name: Option<usize>,
    park: Option<usize>,
    group_id: Option<usize>,
    group_name: Option<usize>,
    tier: Option<usize>,
    total: Option<usize>,
    rank: Option<usize>,
    rank_population: Option<usize>,
    /// (indicator id, column).
    values: Vec<(String, usize)>,
    /// (quantity key, column).
    fields: Vec<(String, usize)>,
    /// Text fields carry the CSV's formula guard.
    guarded: bool,
}

impl Layout {
    /// The enterprise of one row (`get`: the text of a column), None for a row without a code;
    /// on a bad number, the column and what is wrong.
    fn firm<'r>(
        &self,
        get: impl Fn(usize) -> &'r str,
        evaluated: bool,
    ) -> Result<Option<PrevFirm>, (usize, String)> {
        let text = |c: Option<usize>| {
            let t = c.map(&get).unwrap_or("");
            if self.guarded {
                unguard(t).to_string()
            } else {
                t.trim().to_string()
            }
        };
        let some = |c: Option<usize>| Some(text(c)).filter(|s| !s.is_empty());
        let num = |c: usize| number(get(c)).map_err(|e| (c, e));
        let int = |c: usize| integer(get(c)).map_err(|e| (c, e));
        let code = text(Some(self.code));
        if code.is_empty() {
            return Ok(None);
        }
        let mut f = PrevFirm {
            code,
            name: text(self.name),
            park: text(self.park),
            group_id: some(self.group_id),
            group_name: some(self.group_name),
            evaluated: self.status.map_or(evaluated, |c| text(Some(c)) == key::EVALUATED),
            tier: some(self.tier),
            total: self.total.map(num).transpose()?.flatten(),
            rank: self.rank.map(int).transpose()?.flatten(),
            rank_population: self.rank_population.map(int).transpose()?.flatten(),
            ..Default::default()
        };
        for (id, c) in &self.values {
            if let Some(v) = num(*c)? {
                f.values.insert(id.clone(), v);
            }
        }
        for (k, c) in &self.fields {
            if let Some(v) = num(*c)? {
                f.fields.insert(k.clone(), v);
            }
        }
        Ok(Some(f))
    }
}

/// One sheet's rows: (1-based sheet row, cells as (0-based column, text)), in sheet order.
pub(crate) type SheetRows = Vec<(usize, Vec<(u32, String)>)>;

/// The cells of sheet `name` as rows; None when the workbook has no such sheet.
pub(crate) fn sheet_rows(
    wb: &mut calamine::Sheets<std::io::BufReader<std::fs::File>>,
    path: &Path,
    name: &str,
) -> Result<Option<SheetRows>, IngestError> {
    use calamine::Reader;
    if !wb.sheet_names().iter().any(|s| s == name) {
        return Ok(None);
    }
    let mut cells = sheet_cells(wb, name).map_err(|e| fail(path, Some(name), e))?.cells;
    cells.sort_by_key(|c| (c.0, c.1));
    let mut rows: SheetRows = Vec::new();
    for (r, c, t) in cells {
        match rows.last_mut() {
            Some((row, line)) if *row == r as usize + 1 => line.push((c, t)),
            _ => rows.push((r as usize + 1, vec![(c, t)])),
        }
    }
    Ok(Some(rows))
}

/// The text of column `c` in a sparse row.
pub(crate) fn cell_of(line: &[(u32, String)], c: usize) -> &str {
    match line.binary_search_by_key(&(c as u32), |x| x.0) {
        Ok(i) => line[i].1.as_str(),
        Err(_) => "",
    }
}

/// A sparse header row laid out by column.
fn header_of(line: &[(u32, String)]) -> Vec<String> {
    let width = line.last().map_or(0, |x| x.0 as usize + 1);
    (0..width).map(|c| cell_of(line, c).trim().to_string()).collect()
}

fn find(head: &[String], name: &str) -> Option<usize> {
    head.iter().position(|h| h == name)
}

/// (key, column) of each wanted (key, header) that `head` has, a header matching by `is`.
fn located<'w>(
    head: &[String],
    wanted: impl Iterator<Item = (&'w str, String)>,
    is: impl Fn(&str, &str) -> bool,
) -> Vec<(String, usize)> {
    wanted
        .filter_map(|(k, name)| head.iter().position(|h| is(h, &name)).map(|c| (k.to_string(), c)))
        .collect()
}

/// The firms of one sheet of the workbook (its first row the header).
fn sheet_firms(
    path: &Path,
    name: &str,
    rows: &SheetRows,
    layout: impl FnOnce(&[String]) -> Result<Layout, String>,
    evaluated: bool,
) -> Result<Vec<PrevFirm>, IngestError> {
    let Some((_, first)) = rows.first() else {
        return Err(fail(path, Some(name), "工作表为空，不是本程序输出的结果工作簿"));
    };
    let head = header_of(first);
    let layout = layout(&head).map_err(|e| fail(path, Some(name), e))?;
    let mut firms = Vec::new();
    for (row, line) in &rows[1..] {
        let firm = layout
            .firm(|c| cell_of(line, c), evaluated)
            .map_err(|(c, e)| fail(path, Some(name), format!("第{row}行「{}」列：{e}", head[c])))?;
        firms.extend(firm);
    }
    Ok(firms)
}

/// The results sheet's layout: headers as the results sheet writes them.
fn results_layout(head: &[String], wanted: &Wanted) -> Result<Layout, String> {
    let code = find(head, header::CODE)
        .ok_or_else(|| format!("缺少列「{}」，不是本程序输出的结果工作簿", header::CODE))?;
    let indicators = wanted.indicators.iter().map(|(id, name)| (*id, name.to_string()));
    let fields = wanted.fields.iter().map(|(k, h)| (*k, h.to_string()));
    Ok(Layout {
        code,
        name: find(head, header::NAME),
        park: find(head, header::PARK),
        group_name: find(head, header::GROUP),
        tier: find(head, header::TIER),
        total: find(head, header::TOTAL),
        rank: find(head, header::RANK),
        rank_population: find(head, header::RANK_POPULATION),
        values: located(head, indicators, |h, name| header::value_name(h) == name),
        fields: located(head, fields, |h, name| h == name),
        ..Default::default()
    })
}

/// The not-evaluated sheet's layout.
fn listed_layout(head: &[String]) -> Result<Layout, String> {
    let code = find(head, header::CODE)
        .ok_or_else(|| format!("缺少列「{}」，不是本程序输出的结果工作簿", header::CODE))?;
    Ok(Layout {
        code,
        name: find(head, header::NAME),
        park: find(head, header::PARK),
        tier: find(head, header::MANAGED_AS),
        ..Default::default()
    })
}

fn read_workbook(path: &Path, wanted: &Wanted) -> Result<Previous, IngestError> {
    let mut wb = open_workbook(path)?;
    let results = sheet_rows(&mut wb, path, sheet::RESULTS)?.ok_or_else(|| {
        fail(path, None, format!("没有工作表「{}」，不是本程序输出的结果工作簿", sheet::RESULTS))
    })?;
    let mut firms =
        sheet_firms(path, sheet::RESULTS, &results, |h| results_layout(h, wanted), true)?;
    drop(results);
    if let Some(rows) = sheet_rows(&mut wb, path, sheet::NOT_EVALUATED)? {
        if !rows.is_empty() {
            firms.extend(sheet_firms(path, sheet::NOT_EVALUATED, &rows, listed_layout, false)?);
        }
    }
    let year = match sheet_rows(&mut wb, path, sheet::RULES)? {
        Some(rows) => year_of(&rows),
        None => None,
    };
    Ok(Previous { path: path.to_path_buf(), year, firms })
}

/// The evaluation year on the 规则 sheet: the cell right of the row's 评价年度 label.
fn year_of(rows: &SheetRows) -> Option<i32> {
    let (_, line) = rows.iter().find(|(_, l)| l.first().is_some_and(|c| c.1 == sheet::YEAR_ROW))?;
    cell_of(line, line[0].0 as usize + 1).trim().parse::<i32>().ok()
}

/// The CSV's layout: its keys.
fn csv_layout(head: &[String], wanted: &Wanted) -> Result<Layout, String> {
    let must =
        |k: &str| find(head, k).ok_or_else(|| format!("缺少列 {k}，不是本程序输出的结果 CSV"));
    let indicators = wanted.indicators.iter().map(|(id, _)| (*id, key::indicator(id, "value")));
    let fields = wanted.fields.iter().map(|(k, _)| (*k, k.to_string()));
    Ok(Layout {
        code: must(key::CODE)?,
        status: Some(must(key::STATUS)?),
        name: find(head, key::NAME),
        park: find(head, key::PARK),
        group_id: find(head, key::GROUP),
        group_name: find(head, key::GROUP_NAME),
        tier: find(head, key::TIER),
        total: find(head, key::TOTAL),
        rank: find(head, key::RANK),
        rank_population: find(head, key::RANK_POPULATION),
        values: located(head, indicators, |h, name| h == name),
        fields: located(head, fields, |h, name| h == name),
        guarded: true,
    })
}

/// A CSV reader over `text` (RFC 4180: quotes, doubled quotes, CRLF or LF), rows of any length.
fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes())
}

/// The 1-based line of the record starting at `byte` (the csv crate's own line count lags by
/// one after a CRLF: a record's position is taken before the LF of the line before it).
fn line_at(text: &str, byte: u64) -> usize {
    let head = text.as_bytes().get(..byte as usize).unwrap_or(text.as_bytes());
    let rest = &text.as_bytes()[head.len()..];
    let skipped = rest.iter().take_while(|b| matches!(b, b'\r' | b'\n')).filter(|b| **b == b'\n');
    1 + head.iter().filter(|b| **b == b'\n').count() + skipped.count()
}

fn read_csv(path: &Path, wanted: &Wanted) -> Result<Previous, IngestError> {
    let bytes =
        std::fs::read(path).map_err(|e| IngestError::Io { path: path.to_path_buf(), source: e })?;
    read_csv_bytes(path, bytes, wanted)
}

/// Read a results CSV held in memory (a run kept in the year store); `path` names it in errors
/// and in the comparison's notes.
pub fn read_csv_bytes(
    path: &Path,
    bytes: Vec<u8>,
    wanted: &Wanted,
) -> Result<Previous, IngestError> {
    // UTF-8 with or without BOM, or GBK when re-saved by Excel on a Chinese system.
    let text = decode_text(bytes);
    let mut csv = csv_reader(&text);
    let mut records = csv.records();
    let line = |r: &csv::StringRecord| r.position().map_or(0, |p| line_at(&text, p.byte()));
    let bad = |e: csv::Error| {
        let at =
            e.position().map(|p| format!("第{}行", line_at(&text, p.byte()))).unwrap_or_default();
        fail(path, None, format!("{at}内容无法按 CSV 表格解析"))
    };
    let head: Vec<String> = match records.next() {
        Some(r) => r.map_err(bad)?.iter().map(str::to_string).collect(),
        None => return Err(fail(path, None, "文件为空")),
    };
    let layout = csv_layout(&head, wanted).map_err(|e| fail(path, None, e))?;
    let year_c = find(&head, key::YEAR);
    let (mut year, mut firms) = (None, Vec::new());
    for r in records {
        let r = r.map_err(bad)?;
        let at = |c: usize, e: String| {
            fail(path, None, format!("第{}行「{}」列：{e}", line(&r), head[c]))
        };
        let Some(f) = layout.firm(|c| r.get(c).unwrap_or(""), true).map_err(|(c, e)| at(c, e))?
        else {
            continue;
        };
        if let (None, Some(c)) = (year, year_c) {
            year = number(r.get(c).unwrap_or("")).map_err(|e| at(c, e))?.map(|y| y as i32);
        }
        firms.push(f);
    }
    Ok(Previous { path: path.to_path_buf(), year, firms })
}

/// This year's enterprises as a [`Comparison`] matches them.
#[derive(Debug, Clone)]
pub struct ThisYear<'c> {
    /// Evaluation year.
    pub year: i32,
    /// Codes of the evaluated enterprises, in the analysis' order.
    pub evaluated: Vec<&'c str>,
    /// Codes of the enterprises not evaluated, in the analysis' order.
    pub listed: Vec<&'c str>,
}

/// The previous year matched to this one by 统一社会信用代码.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The previous year as read.
    pub prev: Previous,
    /// Years between the two evaluations (1 when the previous year is unknown).
    pub years: i32,
    /// Per current evaluated firm: index into `prev.firms`.
    pub prev_of: Vec<Option<usize>>,
    /// Per current not-evaluated enterprise: index into `prev.firms`.
    pub prev_of_listed: Vec<Option<usize>>,
    /// Previous enterprises absent from this year's evaluation and list.
    pub exits: Vec<usize>,
    /// Why the comparison says little, when it does: the previous results are of the same year
    /// or a later one, or share no enterprise with this year. Shown on screen and in 年度对比.
    pub caution: Option<String>,
}

impl Comparison {
    /// Match `prev` to this year (the report's analysis converts into [`ThisYear`]).
    pub fn new<'c>(prev: Previous, now: impl Into<ThisYear<'c>>) -> Comparison {
        let now = now.into();
        let mut by_code: HashMap<&str, usize> = HashMap::new();
        for (i, f) in prev.firms.iter().enumerate() {
            // An enterprise both evaluated and listed keeps its evaluated row.
            let e = by_code.entry(f.code.as_str()).or_insert(i);
            if !prev.firms[*e].evaluated && f.evaluated {
                *e = i;
            }
        }
        let prev_of = now.evaluated.iter().map(|c| by_code.get(c).copied()).collect();
        let prev_of_listed = now.listed.iter().map(|c| by_code.get(c).copied()).collect();
        let present: HashSet<&str> = now.evaluated.iter().chain(&now.listed).copied().collect();
        let mut exits: Vec<usize> =
            by_code.iter().filter(|(c, _)| !present.contains(*c)).map(|(_, i)| *i).collect();
        exits.sort_unstable();
        let years = match prev.year {
            Some(y) if now.year > y => now.year - y,
            _ => 1,
        };
        let shared = present.iter().any(|c| by_code.contains_key(c));
        let caution = match prev.year {
            Some(y) if y >= now.year => Some(format!(
                "上年结果（{}）是{y}年度的，不早于本次评价的{}年度：年度对比没有意义，请核对上年结果文件",
                prev.path.display(),
                now.year
            )),
            _ if !shared => Some(format!(
                "上年结果（{}）与本年没有一家相同的企业（统一社会信用代码）：全部显示为“上年无记录”，请核对是否选错了文件",
                prev.path.display()
            )),
            _ => None,
        };
        Comparison { prev, years, prev_of, prev_of_listed, exits, caution }
    }

    /// The previous row of current firm `i` if it was evaluated.
    pub fn evaluated_before(&self, i: usize) -> Option<&PrevFirm> {
        self.prev_of[i].map(|p| &self.prev.firms[p]).filter(|p| p.evaluated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of records as an editor shows them, after LF or CRLF line ends.
    #[test]
    fn csv_lines_are_counted_after_lf_and_crlf() {
        for text in ["h\r\na\r\nb\r\n", "h\na\nb\n"] {
            let mut r = csv_reader(text);
            let lines: Vec<usize> =
                r.records().map(|r| line_at(text, r.unwrap().position().unwrap().byte())).collect();
            assert_eq!(lines, [1, 2, 3], "{text:?}");
        }
    }

    /// Blank is missing; "1,234.5" is 1234.5; text or infinity is an error quoting the cell.
    #[test]
    fn numbers_read_as_written() {
        assert_eq!(number(" "), Ok(None));
        assert_eq!(number("1,234.5"), Ok(Some(1234.5)));
        assert_eq!(number("八十"), Err("「八十」不是数值".into()));
        assert!(number("inf").is_err());
    }

    /// A rank is a whole number: "12" and "12.0" are 12, "12.5" is an error quoting the cell.
    #[test]
    fn ranks_are_whole_numbers() {
        assert_eq!(integer("12"), Ok(Some(12)));
        assert_eq!(integer("12.0"), Ok(Some(12)));
        assert_eq!(integer(""), Ok(None));
        assert_eq!(integer("12.5"), Err("「12.5」不是整数".into()));
    }

    /// Quotes, doubled quotes, a line break inside quotes and CRLF or LF line ends, as the
    /// results CSV may hold them (and a BOM, which `decode_text` drops).
    #[test]
    fn the_csv_reader_takes_quotes_and_line_ends() {
        let text = decode_text(
            "\u{FEFF}a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\r\n\"multi\nline\",2,3".into(),
        );
        let mut r = csv_reader(&text);
        let rows: Vec<Vec<String>> =
            r.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
        assert_eq!(
            rows,
            vec![vec!["a", "b", "c"], vec!["x,1", "say \"hi\"", ""], vec!["multi\nline", "2", "3"]]
        );
    }
}
