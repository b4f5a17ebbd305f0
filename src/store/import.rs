//! Earlier years' results entering the store (`mujun store import`). mujun's own results CSV is
//! kept line by line as written, so that the imported run gives the file back byte for byte. Its
//! bureau workbook (评价结果, 未参评, 规则) is read with the `--previous` reader and its firms
//! written as a results CSV of the columns the workbook has, in the engine's order and by the
//! engine's CSV writer, so that a run imported either way is read alike. The register and land
//! rows come from that year's data folder when one is given, else the register is what the
//! results say of each firm (code, name, park).

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::capture::{fields, hex, inputs, parcels, register, split_csv};
use super::record::{InputFile, NewRun, RegisterRow, ResultLine};
use super::StoreError;
use crate::columns::{key, sheet};
use crate::ingest::previous::{self, cell_of, PrevFirm, SheetRows, Wanted};
use crate::ingest::schema::TableKind;
use crate::ingest::{Dataset, IngestError};
use crate::report::analysis::FIELDS;
use crate::report::export::CsvOut;

/// What import takes, said of a file of another kind.
const NOT_RESULTS: &str =
    "只能导入本程序输出的全区结果工作簿（…评价结果.xlsx）或结果 CSV（…评价结果.csv）";

/// The run an import of `file` (a results workbook or CSV) records under `scheme` (for a
/// workbook, by default the scheme its 规则 sheet names), with the register and land rows of
/// `data` when given. Errors name the file.
pub fn imported_run(
    file: &Path,
    scheme: Option<&str>,
    data: Option<&Dataset>,
) -> Result<NewRun, StoreError> {
    let name = file.display().to_string();
    let bad = |m: String| StoreError::Refused(format!("{name}：{m}，未导入"));
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let source = match ext.as_str() {
        "csv" => csv_source(file, scheme).map_err(bad)?,
        "xlsx" | "xlsm" | "xls" | "ods" => workbook_source(file, scheme)
            .map_err(|e| StoreError::Refused(format!("{e}，未导入")))?,
        _ => return Err(bad(NOT_RESULTS.into())),
    };
    let csv = source.csv.as_deref().unwrap_or(&source.bytes);
    let (csv_head, results) = split_csv(csv).map_err(|e| match e {
        StoreError::Capture(m) => bad(m),
        other => bad(other.to_string()),
    })?;
    let year = year_of(&csv_head, &results).map_err(bad)?;
    let evaluated = results.iter().filter(|r| r.evaluated).count();
    let from_data = |d: &Dataset| -> Result<_, StoreError> {
        let reg = register(d.table(TableKind::Register)).map_err(|e| bad(e.to_string()))?;
        let land = parcels(d.table(TableKind::Land)).map_err(|e| bad(e.to_string()))?;
        Ok((reg, land, inputs(&d.sources), d.reconciliation.clone()))
    };
    let (register, parcels, mut inputs, sheets) = match data {
        Some(d) => from_data(d)?,
        None => (register_of(&results), Vec::new(), Vec::new(), Vec::new()),
    };
    inputs.push(InputFile {
        name: name.clone(),
        bytes: source.bytes.len() as u64,
        sha256: hex(&Sha256::digest(&source.bytes)),
        content: Some(source.bytes),
    });
    let now = super::now();
    Ok(NewRun {
        year,
        scheme: source.scheme,
        scheme_file: source.scheme_file,
        scheme_version: source.scheme_version,
        started_at: now.clone(),
        finished_at: now,
        user: super::current_user(),
        program: format!("mujun {}（store import）", env!("CARGO_PKG_VERSION")),
        out_dir: format!("（导入自 {name}）"),
        evaluated,
        not_evaluated: results.len() - evaluated,
        tier_counts: tier_counts(&results),
        inputs,
        sheets,
        register,
        parcels,
        csv_head,
        results,
        ..NewRun::default()
    })
}

/// What a file gives the run imported from it.
struct Source {
    /// The scheme's name.
    scheme: String,
    /// The rule file as named (the file imported when it does not say).
    scheme_file: String,
    /// `[meta] version`, when the file says.
    scheme_version: String,
    /// The file's bytes, kept as the run's input.
    bytes: Vec<u8>,
    /// The results CSV the run keeps, when the file is not one itself.
    csv: Option<Vec<u8>>,
}

/// A results CSV: kept as it is; it has no scheme name, so `--scheme` must give it.
fn csv_source(file: &Path, scheme: Option<&str>) -> Result<Source, String> {
    let Some(scheme) = scheme else {
        return Err("结果 CSV 中没有规则方案名称：导入 CSV 时须用 --scheme 写明\
                    （规则文件 [meta] name，如 mujun runs 所列）"
            .into());
    };
    let bytes = std::fs::read(file).map_err(|e| crate::zh::io_error(&e))?;
    Ok(Source {
        scheme: scheme.to_string(),
        scheme_file: file.display().to_string(),
        scheme_version: String::new(),
        bytes,
        csv: None,
    })
}

/// A results workbook: the scheme, year and indicators from its 规则 sheet, its firms read by
/// the `--previous` reader and written as a results CSV.
fn workbook_source(file: &Path, scheme: Option<&str>) -> Result<Source, IngestError> {
    let fail = |message: String| IngestError::Parse {
        file: file.to_path_buf(),
        sheet: Some(sheet::RULES.to_string()),
        message,
    };
    let io = |source| IngestError::Io { path: file.to_path_buf(), source };
    // Read first: a file that cannot be read is said so, not taken for a broken workbook.
    let bytes = std::fs::read(file).map_err(io)?;
    let mut wb = crate::ingest::read::open_workbook(file)?;
    let rows = previous::sheet_rows(&mut wb, file, sheet::RULES)?.ok_or_else(|| {
        IngestError::Parse {
            file: file.to_path_buf(),
            sheet: None,
            message: format!(
                "没有工作表「{}」，不是本程序输出的全区结果工作簿（…评价结果.xlsx；园区工作簿不能导入）",
                sheet::RULES
            ),
        }
    })?;
    drop(wb);
    let rules = RulesSheet::read(&rows).map_err(fail)?;
    let scheme = scheme_of(&rules, scheme).map_err(fail)?;
    let indicators = rules.indicators.iter().map(|(id, n)| (id.as_str(), n.as_str())).collect();
    let prev = previous::read(file, &Wanted { indicators, fields: FIELDS.as_slice() })?;
    let csv = results_csv(rules.year, &rules.indicators, &prev.firms).map_err(io)?;
    Ok(Source {
        scheme,
        scheme_file: rules.file.unwrap_or_else(|| file.display().to_string()),
        scheme_version: rules.version,
        bytes,
        csv: Some(csv),
    })
}

// Labels and headers of the 规则 sheet, as `report::rules_sheet::write` writes them.
/// Row label of the scheme's name (`[meta] name`).
const NAME_ROW: &str = "名称";
/// Row label of `[meta] version`.
const VERSION_ROW: &str = "版本";
/// Row label of the rule file as named.
const FILE_ROW: &str = "规则文件";
/// Title of the table of groups and indicators.
const INDICATOR_TABLE: &str = "评价组与指标";
/// That table's header of the indicator's name.
const INDICATOR_HEAD: &str = "指标";
/// That table's header of the indicator's id.
const ID_HEAD: &str = "编号";

/// What the 规则 sheet says of the run.
struct RulesSheet {
    /// The scheme's name and its sheet row, when the sheet has one.
    name: Option<(usize, String)>,
    /// Evaluation year.
    year: i32,
    /// `[meta] version` (may be empty).
    version: String,
    /// The rule file as named.
    file: Option<String>,
    /// Every indicator as (id, name), in the order of first appearance (as the results sheet
    /// and the CSV have them).
    indicators: Vec<(String, String)>,
}

impl RulesSheet {
    /// Read the sheet's rows; the error (Chinese) names the row.
    fn read(rows: &SheetRows) -> Result<RulesSheet, String> {
        let text = |l: &str| labelled(rows, l).map(|(r, t)| (r, t.to_string()));
        let year = match labelled(rows, sheet::YEAR_ROW) {
            None => {
                return Err(format!("没有「{}」行，不是本程序输出的结果工作簿", sheet::YEAR_ROW))
            }
            Some((row, t)) => t
                .parse::<i32>()
                .map_err(|_| format!("第{row}行「{}」右边的值「{t}」不是年度", sheet::YEAR_ROW))?,
        };
        Ok(RulesSheet {
            // The scheme across years (`[meta] scheme`, since it is written), else the name.
            name: text(sheet::SCHEME_ROW)
                .filter(|(_, t)| !t.is_empty())
                .or_else(|| text(NAME_ROW).filter(|(_, t)| !t.is_empty())),
            year,
            version: text(VERSION_ROW).map(|(_, t)| t).unwrap_or_default(),
            file: text(FILE_ROW).map(|(_, t)| t).filter(|t| !t.is_empty()),
            indicators: indicators(rows)?,
        })
    }
}

/// The first row labelled `label` in its first cell: (sheet row, the text right of the label).
/// A row with a value is taken over one without (the title 规则文件 above the row 规则文件).
fn labelled<'r>(rows: &'r SheetRows, label: &str) -> Option<(usize, &'r str)> {
    let is = |r: &&(usize, Vec<(u32, String)>)| r.1.first().is_some_and(|c| c.1.trim() == label);
    let (row, line) =
        rows.iter().filter(is).find(|r| r.1.len() > 1).or_else(|| rows.iter().find(is))?;
    Some((*row, cell_of(line, line[0].0 as usize + 1).trim()))
}

/// The 评价组与指标 table: under its title a header, then one row per group and indicator up
/// to the first blank row. An indicator of several groups is taken once.
fn indicators(rows: &SheetRows) -> Result<Vec<(String, String)>, String> {
    let (title, ind, id) = (INDICATOR_TABLE, INDICATOR_HEAD, ID_HEAD);
    let missing = || format!("没有「{title}」表，不是本程序输出的结果工作簿");
    let at = rows
        .iter()
        .position(|(_, l)| l.first().is_some_and(|c| c.1.trim() == title))
        .ok_or_else(missing)?;
    let (head_row, head) =
        rows.get(at + 1).filter(|(r, _)| *r == rows[at].0 + 1).ok_or_else(missing)?;
    let col = |name: &str| head.iter().find(|c| c.1.trim() == name).map(|c| c.0 as usize);
    let (Some(ind_c), Some(id_c)) = (col(ind), col(id)) else {
        return Err(format!("第{head_row}行「{title}」表的表头缺少「{ind}」或「{id}」列"));
    };
    let mut out: Vec<(String, String)> = Vec::new();
    let below = rows[at + 2..].iter().enumerate();
    for (_, (row, line)) in below.take_while(|(k, (r, _))| *r == head_row + 1 + k) {
        let (i, n) = (cell_of(line, id_c).trim(), cell_of(line, ind_c).trim());
        if i.is_empty() || n.is_empty() {
            let empty = if i.is_empty() { id } else { ind };
            return Err(format!("第{row}行「{title}」表的「{empty}」列为空"));
        }
        if !out.iter().any(|(k, _)| k == i) {
            out.push((i.to_string(), n.to_string()));
        }
    }
    Ok(out)
}

/// The scheme: the sheet's name, which `--scheme` (`given`) may repeat but not contradict; a
/// sheet without a name takes `--scheme`.
fn scheme_of(rules: &RulesSheet, given: Option<&str>) -> Result<String, String> {
    match (&rules.name, given) {
        (Some((row, name)), Some(g)) if name != g => Err(format!(
            "--scheme「{g}」与第{row}行的方案名称「{name}」不同：该工作簿是「{name}」的评价结果，\
             请去掉 --scheme 或写为「{name}」"
        )),
        (Some((_, name)), _) => Ok(name.clone()),
        (None, Some(g)) => Ok(g.to_string()),
        (None, None) => Err(format!("没有「{}」行（规则方案名称），请用 --scheme 写明", NAME_ROW)),
    }
}

/// The columns of the engine's results CSV that a results workbook gives (before each
/// indicator's `<id>.value` and the [`FIELDS`] keys); written in the CSV's order.
const GIVEN: [&str; 10] = [
    key::YEAR,
    key::STATUS,
    key::CODE,
    key::NAME,
    key::PARK,
    key::GROUP_NAME,
    key::RANK,
    key::RANK_POPULATION,
    key::TIER,
    key::TOTAL,
];

/// `firms` of `year` as a results CSV (BOM, CRLF): the [`GIVEN`] columns in the order of
/// [`key::CSV_HEAD`], `<id>.value` of each of `indicators`, the [`FIELDS`] keys.
fn results_csv(
    year: i32,
    indicators: &[(String, String)],
    firms: &[PrevFirm],
) -> std::io::Result<Vec<u8>> {
    let head: Vec<&str> = key::CSV_HEAD.iter().copied().filter(|k| GIVEN.contains(k)).collect();
    let mut out = vec![0xEF, 0xBB, 0xBF];
    let mut w = CsvOut::new(&mut out);
    for h in &head {
        w.text(h)?;
    }
    for (id, _) in indicators {
        w.text(&key::indicator(id, "value"))?;
    }
    for (k, _) in FIELDS.iter() {
        w.text(k)?;
    }
    w.end()?;
    for f in firms {
        for h in &head {
            match *h {
                key::YEAR => w.num(Some(year as f64))?,
                key::TOTAL => w.num(f.total)?,
                key::RANK => w.num(f.rank.map(|r| r as f64))?,
                key::RANK_POPULATION => w.num(f.rank_population.map(|r| r as f64))?,
                h => w.text(firm_text(f, h))?,
            }
        }
        for (id, _) in indicators {
            w.num(f.values.get(id).copied())?;
        }
        for (k, _) in FIELDS.iter() {
            w.num(f.fields.get(*k).copied())?;
        }
        w.end()?;
    }
    drop(w);
    Ok(out)
}

/// The text of CSV column `k` for firm `f`.
fn firm_text<'f>(f: &'f PrevFirm, k: &str) -> &'f str {
    match k {
        key::STATUS if f.evaluated => key::EVALUATED,
        key::STATUS => key::NOT_EVALUATED,
        key::CODE => &f.code,
        key::NAME => &f.name,
        key::PARK => &f.park,
        key::GROUP_NAME => f.group_name.as_deref().unwrap_or(""),
        key::TIER => f.tier.as_deref().unwrap_or(""),
        _ => "",
    }
}

/// The evaluated firms per tier in words ("A 2，B 6，D 2"), tiers in text order.
fn tier_counts(results: &[ResultLine]) -> String {
    let mut tiers: BTreeMap<&str, usize> = BTreeMap::new();
    for r in results.iter().filter(|r| r.evaluated) {
        *tiers.entry(r.tier.as_deref().unwrap_or("无等级")).or_default() += 1;
    }
    tiers.iter().map(|(t, n)| format!("{t} {n}")).collect::<Vec<_>>().join("，")
}

/// The evaluation year: the `year` column, the same on every line.
fn year_of(head: &[u8], lines: &[ResultLine]) -> Result<i32, String> {
    let header = fields(&head[..head.len() - 2]);
    if !header.iter().any(|h| h.trim_start_matches('\u{feff}') == key::YEAR) {
        return Err(format!("没有 {} 列，不是本程序输出的结果 CSV", key::YEAR));
    }
    let mut year = None;
    for (i, l) in lines.iter().enumerate() {
        let text = l.year.as_deref().unwrap_or("");
        let y: i32 = text
            .trim()
            .parse()
            .map_err(|_| format!("第{}行 {} 列「{text}」不是年度", i + 2, key::YEAR))?;
        match year {
            Some(first) if first != y => {
                return Err(format!("第{}行的年度 {y} 与第2行的 {first} 不同", i + 2))
            }
            _ => year = Some(y),
        }
    }
    year.ok_or_else(|| "没有企业记录".to_string())
}

/// The register as the results give it: each firm's code, name and park.
fn register_of(lines: &[ResultLine]) -> Vec<RegisterRow> {
    lines
        .iter()
        .filter(|l| !l.code.is_empty())
        .map(|l| RegisterRow {
            code: l.code.clone(),
            name: l.name.clone(),
            park: l.park.clone(),
            ..RegisterRow::default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sheet rows from (row, cells from column A on, separated by |); a blank cell is none.
    fn sheet(rows: &[(usize, String)]) -> SheetRows {
        let cells = |l: &str| {
            let filled = l.split('|').enumerate().filter(|(_, t)| !t.is_empty());
            filled.map(|(c, t)| (c as u32, t.to_string())).collect()
        };
        rows.iter().map(|(r, l)| (*r, cells(l))).collect()
    }

    const HEAD: &str = "评价组|条件|指标|编号|公式|单位";

    /// The 规则 sheet as written: title 规则文件 above the rows 名称, 评价年度, 版本, 规则文件;
    /// then `table`; the 分档 table after a blank row.
    fn rules_rows(year: &str, table: &[(usize, &str)]) -> SheetRows {
        let mut rows = vec![
            (1, "规则文件".to_string()),
            (2, "名称|甲区方案".into()),
            (3, format!("评价年度|{year}")),
            (4, "版本|v2".into()),
            (5, "规则文件|rules/甲区.toml".into()),
        ];
        rows.extend(table.iter().map(|(r, l)| (*r, l.to_string())));
        rows.extend([(13, "分档".into()), (14, "评价组|等级".into()), (15, "规上|A；B".into())]);
        sheet(&rows)
    }

    /// The indicator table: tax_per_mu in two groups, va_per_mu in one.
    const TABLE: &[(usize, &str)] = &[
        (7, "评价组与指标"),
        (8, HEAD),
        (9, "规上||亩均税收|tax_per_mu|tax / land_mu|万元/亩"),
        (10, "规下||亩均税收|tax_per_mu|tax / land_mu|万元/亩"),
        (11, "规下||亩均增加值|va_per_mu|value_added / land_mu"),
    ];

    #[test]
    fn the_rules_sheet_gives_the_scheme_year_version_file_and_each_indicator_once() {
        let r = RulesSheet::read(&rules_rows("2023", TABLE)).unwrap();
        assert_eq!(r.name, Some((2, "甲区方案".to_string())));
        assert_eq!((r.year, r.version.as_str()), (2023, "v2"));
        assert_eq!(r.file.as_deref(), Some("rules/甲区.toml"), "the row, not the title above");
        let got: Vec<(&str, &str)> =
            r.indicators.iter().map(|(i, n)| (i.as_str(), n.as_str())).collect();
        let want = [("tax_per_mu", "亩均税收"), ("va_per_mu", "亩均增加值")];
        assert_eq!(got, want, "tax_per_mu of two groups once; the 分档 rows are no indicators");
    }

    #[test]
    fn a_rules_sheet_without_a_year_or_an_indicator_table_is_refused_naming_the_row() {
        let e = |rows: SheetRows| RulesSheet::read(&rows).err().unwrap();
        assert_eq!(
            e(rules_rows("二〇二三", TABLE)),
            "第3行「评价年度」右边的值「二〇二三」不是年度"
        );
        let no_year = sheet(&[(1, "名称|甲区方案".into())]);
        assert_eq!(e(no_year), "没有「评价年度」行，不是本程序输出的结果工作簿");
        assert_eq!(
            e(rules_rows("2023", &[])),
            "没有「评价组与指标」表，不是本程序输出的结果工作簿"
        );
        assert_eq!(
            e(rules_rows("2023", &[(7, "评价组与指标"), (8, "评价组|条件|指标")])),
            "第8行「评价组与指标」表的表头缺少「指标」或「编号」列"
        );
        assert_eq!(
            e(rules_rows("2023", &[(7, "评价组与指标"), (8, HEAD), (9, "规上||亩均税收")])),
            "第9行「评价组与指标」表的「编号」列为空"
        );
    }

    #[test]
    fn the_scheme_is_the_sheets_name_which_scheme_may_repeat_but_not_contradict() {
        let mut r = RulesSheet::read(&rules_rows("2023", TABLE)).unwrap();
        assert_eq!(scheme_of(&r, None).unwrap(), "甲区方案");
        assert_eq!(scheme_of(&r, Some("甲区方案")).unwrap(), "甲区方案");
        let e = scheme_of(&r, Some("乙区方案")).unwrap_err();
        assert!(e.starts_with("--scheme「乙区方案」与第2行的方案名称「甲区方案」不同"), "{e}");
        // A sheet that names the scheme across years (row 方案) gives that, not the year's name.
        let mut rows = rules_rows("2023", TABLE);
        rows.push((6, vec![(0, "方案".into()), (1, "甲区".into())]));
        let across = RulesSheet::read(&rows).unwrap();
        assert_eq!(scheme_of(&across, None).unwrap(), "甲区");
        r.name = None;
        assert_eq!(scheme_of(&r, Some("乙区方案")).unwrap(), "乙区方案");
        assert_eq!(
            scheme_of(&r, None).unwrap_err(),
            "没有「名称」行（规则方案名称），请用 --scheme 写明"
        );
    }

    /// Two firms as the CSV writer writes them: BOM, CRLF, the engine's keys in its order, a
    /// name starting with = guarded, 80.5 and 2.25 as written, blanks for what is missing.
    #[test]
    fn firms_are_written_in_the_engines_csv_form() {
        let evaluated = PrevFirm {
            code: "C1".into(),
            name: "=x".into(),
            park: "高新区".into(),
            group_name: Some("规上企业".into()),
            evaluated: true,
            tier: Some("A".into()),
            total: Some(80.5),
            rank: Some(3),
            rank_population: Some(12),
            values: [("tax_per_mu".to_string(), 2.25)].into(),
            fields: [("land_mu".to_string(), 10.0)].into(),
            ..PrevFirm::default()
        };
        let listed = PrevFirm {
            code: "C2".into(),
            name: "小企业".into(),
            tier: Some("D".into()),
            ..PrevFirm::default()
        };
        let inds = [("tax_per_mu".to_string(), "亩均税收".to_string())];
        let csv = results_csv(2023, &inds, &[evaluated, listed]).unwrap();
        assert_eq!(FIELDS[0].0, "land_mu", "land_mu is the first quantity");
        let keys = FIELDS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(",");
        let rest = ",".repeat(FIELDS.len() - 1);
        let want = format!(
            "\u{feff}year,status,code,name,park,group_name,rank,rank_population,tier,total,\
             tax_per_mu.value,{keys}\r\n\
             2023,evaluated,C1,'=x,高新区,规上企业,3,12,A,80.5,2.25,10{rest}\r\n\
             2023,not_evaluated,C2,小企业,,,,,D,,,{rest}\r\n"
        );
        assert_eq!(String::from_utf8(csv).unwrap(), want);
    }
}
