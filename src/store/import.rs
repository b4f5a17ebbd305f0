//! Earlier years' results entering the store (`mujun store import`): mujun's own results CSV,
//! kept line by line as written, so that the imported run gives the file back byte for byte.
//! The register and land rows come from that year's data folder when one is given, else the
//! register is what the CSV says of each firm (code, name, park).

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::capture::{fields, hex, inputs, parcels, register, split_csv};
use super::record::{InputFile, NewRun, RegisterRow, ResultLine};
use super::StoreError;
use crate::columns::key;
use crate::ingest::schema::TableKind;
use crate::ingest::Dataset;

/// The run an import of `file` (a results CSV) records under `scheme`, with the register and
/// land rows of `data` when given. Errors name the file.
pub fn imported_run(
    file: &Path,
    scheme: &str,
    data: Option<&Dataset>,
) -> Result<NewRun, StoreError> {
    let name = file.display().to_string();
    let bad = |m: String| StoreError::Refused(format!("{name}：{m}，未导入"));
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if ext != "csv" {
        return Err(bad("只能导入本程序输出的结果 CSV（…评价结果.csv）".into()));
    }
    let bytes = std::fs::read(file).map_err(|e| bad(crate::zh::io_error(&e)))?;
    let (csv_head, results) = split_csv(&bytes).map_err(|e| match e {
        StoreError::Capture(m) => bad(m),
        other => bad(other.to_string()),
    })?;
    let year = year_of(&csv_head, &results).map_err(bad)?;
    let evaluated = results.iter().filter(|r| r.evaluated).count();
    let mut tiers: BTreeMap<&str, usize> = BTreeMap::new();
    for r in results.iter().filter(|r| r.evaluated) {
        *tiers.entry(r.tier.as_deref().unwrap_or("无等级")).or_default() += 1;
    }
    let tier_counts = tiers.iter().map(|(t, n)| format!("{t} {n}")).collect::<Vec<_>>().join("，");
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
        bytes: bytes.len() as u64,
        sha256: hex(&Sha256::digest(&bytes)),
        content: Some(bytes.clone()),
    });
    let now = super::now();
    Ok(NewRun {
        year,
        scheme: scheme.to_string(),
        scheme_file: name.clone(),
        started_at: now.clone(),
        finished_at: now,
        user: super::current_user(),
        program: format!("mujun {}（store import）", env!("CARGO_PKG_VERSION")),
        out_dir: format!("（导入自 {name}）"),
        evaluated,
        not_evaluated: results.len() - evaluated,
        tier_counts,
        inputs,
        sheets,
        register,
        parcels,
        csv_head,
        results,
        ..NewRun::default()
    })
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

/// The register as the CSV gives it: each firm's code, name and park.
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
