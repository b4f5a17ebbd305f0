//! What a finished `evaluate` records: its rules, inputs (with their bytes when unchanged),
//! register and land rows as read, the published results CSV line by line, and its problems.

use std::path::Path;

use polars::prelude::*;
use sha2::{Digest, Sha256};

use super::record::{InputFile, NewRun, OutputFile, ParcelRow, RegisterRow, ResultLine};
use super::StoreError;
use crate::columns::{key, unguard};
use crate::evaluation::Evaluation;
use crate::ingest::read::SourceFile;
use crate::publish::{FileDigest, Kind};
use crate::score::age;

/// The tables a run read that scoring releases: the register and the land rows.
pub struct ReadTables {
    /// 企业名录 as typed by ingest.
    pub register: DataFrame,
    /// 用地 as typed by ingest.
    pub land: DataFrame,
}

/// The run to record: `ev` and the tables it read, published to `out_dir` with its results CSV
/// at `csv`; `started_at` / `finished_at` as [`super::now`] gives them.
pub fn capture(
    ev: &Evaluation,
    read: &ReadTables,
    csv: &Path,
    out_dir: &Path,
    started_at: String,
) -> Result<NewRun, StoreError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| StoreError::Capture(format!("{what}：{e}"));
    let r = &ev.rules;
    let bytes = std::fs::read(csv).map_err(|e| bad(&csv.display().to_string(), &e))?;
    let (csv_head, results) = split_csv(&bytes)?;
    let tier_counts = ev.tier_counts().map_err(|e| bad("等级统计", &e))?;
    let counts = tier_counts
        .labels
        .iter()
        .zip(total_per_label(&tier_counts))
        .map(|(l, n)| format!("{l} {n}"))
        .collect::<Vec<_>>()
        .join("，");
    Ok(NewRun {
        year: r.meta.year,
        scheme: r.meta.name.clone(),
        scheme_file: r.path.display().to_string(),
        scheme_version: r.meta.version.clone(),
        rules_sha256: hex(&Sha256::digest(r.text.as_bytes())),
        rules_text: r.text.clone(),
        started_at,
        finished_at: super::now(),
        user: super::current_user(),
        program: format!("mujun {}", env!("CARGO_PKG_VERSION")),
        out_dir: out_dir.display().to_string(),
        evaluated: ev.results.height(),
        not_evaluated: ev.not_evaluated.height(),
        tier_counts: counts,
        inputs: inputs(&ev.dataset.sources),
        sheets: ev.dataset.reconciliation.clone(),
        register: register(&read.register).map_err(|e| bad("企业名录", &e))?,
        parcels: parcels(&read.land).map_err(|e| bad("用地", &e))?,
        csv_head,
        results,
        problems: ev.problems.clone(),
        outputs: outputs(out_dir)?,
    })
}

/// The files published in `out_dir`, as its output manifest lists them, and the manifest
/// itself last; a file changed since it was published is listed without its bytes.
fn outputs(out_dir: &Path) -> Result<Vec<OutputFile>, StoreError> {
    #[derive(serde::Deserialize)]
    struct Listed {
        files: Vec<FileDigest>,
    }
    let name = Kind::Evaluate.manifest();
    let path = out_dir.join(name);
    let bad = |e: &dyn std::fmt::Display| {
        StoreError::Capture(format!("输出清单 {}：{e}", path.display()))
    };
    let text = std::fs::read(&path).map_err(|e| bad(&crate::zh::io_error(&e)))?;
    let listed: Listed = serde_json::from_slice(&text).map_err(|_| bad(&"内容无法识别"))?;
    let mut out: Vec<OutputFile> = listed
        .files
        .into_iter()
        .map(|f| {
            let content = std::fs::read(out_dir.join(&f.name))
                .ok()
                .filter(|b| hex(&Sha256::digest(b)) == f.sha256);
            OutputFile { name: f.name, bytes: f.bytes, sha256: f.sha256, content }
        })
        .collect();
    out.push(OutputFile {
        name: name.to_string(),
        bytes: text.len() as u64,
        sha256: hex(&Sha256::digest(&text)),
        content: Some(text),
    });
    Ok(out)
}

/// Firms per label over every group and park.
fn total_per_label(c: &crate::evaluation::TierCounts) -> Vec<usize> {
    let mut sum = vec![0; c.labels.len()];
    for v in c.by_group_park.values() {
        sum.iter_mut().zip(v).for_each(|(s, n)| *s += n);
    }
    sum
}

pub(super) fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Each input with its bytes, read again; left without bytes when it changed since it was read.
pub(super) fn inputs(sources: &[SourceFile]) -> Vec<InputFile> {
    sources
        .iter()
        .map(|s| {
            let content =
                std::fs::read(&s.path).ok().filter(|b| hex(&Sha256::digest(b)) == s.sha256);
            InputFile {
                name: s.path.display().to_string(),
                bytes: s.bytes,
                sha256: s.sha256.clone(),
                content,
            }
        })
        .collect()
}

/// A text column of `df` as owned strings (absent column: all None).
fn texts(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<String>>> {
    match df.column(name) {
        Ok(c) => {
            let c = c.cast(&DataType::String)?;
            Ok(c.str()?.iter().map(|v| v.map(str::to_string)).collect())
        }
        Err(_) => Ok(vec![None; df.height()]),
    }
}

/// A date column (days since 1970-01-01) as YYYY-MM-DD texts.
fn dates(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<String>>> {
    let c = df.column(name)?.cast(&DataType::Int32)?;
    Ok(c.i32()?
        .iter()
        .map(|d| d.and_then(age::date_of).map(|d| d.format("%Y-%m-%d").to_string()))
        .collect())
}

pub(super) fn register(df: &DataFrame) -> PolarsResult<Vec<RegisterRow>> {
    let [code, name, park, town, industry, scale, tags] =
        ["code", "name", "park", "town", "industry_code", "scale", "tags"].map(|c| texts(df, c));
    let (reg, prod) = (dates(df, "reg_date")?, dates(df, "prod_date")?);
    let mut out = Vec::with_capacity(df.height());
    let (name, park, town, industry, scale, tags) = (name?, park?, town?, industry?, scale?, tags?);
    for (i, c) in code?.into_iter().enumerate() {
        let Some(code) = c else { continue };
        out.push(RegisterRow {
            code,
            name: name[i].clone(),
            park: park[i].clone(),
            town: town[i].clone(),
            industry_code: industry[i].clone(),
            scale: scale[i].clone(),
            registration_date: reg[i].clone(),
            production_date: prod[i].clone(),
            tags: tags[i].clone().filter(|t| !t.is_empty()),
        });
    }
    Ok(out)
}

pub(super) fn parcels(df: &DataFrame) -> PolarsResult<Vec<ParcelRow>> {
    let [code, cert, mode, other] =
        ["code", "parcel", "land_use", "counterparty"].map(|c| texts(df, c));
    let (cert, mode, other) = (cert?, mode?, other?);
    let area = df.column("area_mu")?.cast(&DataType::Float64)?;
    let area = area.f64()?;
    let supply = dates(df, "supply_date")?;
    let mut out = Vec::with_capacity(df.height());
    for (i, c) in code?.into_iter().enumerate() {
        let Some(holder) = c else { continue };
        out.push(ParcelRow {
            certificate: cert[i].clone().filter(|c| !c.trim().is_empty()),
            holder,
            mode: mode[i].clone(),
            area_mu: area.get(i),
            counterparty: other[i].clone(),
            supply_date: supply[i].clone(),
        });
    }
    Ok(out)
}

/// The CSV's head (BOM and header line with its line end) and each record's line as written.
pub fn split_csv(bytes: &[u8]) -> Result<(Vec<u8>, Vec<ResultLine>), StoreError> {
    let bad = |m: &str| StoreError::Capture(format!("结果 CSV {m}"));
    let lines = crlf_lines(bytes).ok_or_else(|| bad("的行尾不是 CRLF 或引号不成对"))?;
    let Some((head, records)) = lines.split_first() else { return Err(bad("是空的")) };
    // One reader over the whole text: its records are the lines above, in order.
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    let mut parsed = rdr.records();
    let mut next = || -> Result<csv::StringRecord, StoreError> {
        parsed.next().and_then(Result::ok).ok_or_else(|| bad("有无法读取的行"))
    };
    let header: Vec<String> =
        next()?.iter().map(|f| f.trim_start_matches('\u{feff}').to_string()).collect();
    let at = |k: &str| header.iter().position(|h| h == k);
    let (code, status) = (
        at(key::CODE).ok_or_else(|| bad("没有 code 列"))?,
        at(key::STATUS).ok_or_else(|| bad("没有 status 列"))?,
    );
    let (name, park, group, tier) = (at(key::NAME), at(key::PARK), at(key::GROUP), at(key::TIER));
    let (total, rank, year) = (at(key::TOTAL), at("rank"), at(key::YEAR));
    let mut out = Vec::with_capacity(records.len());
    for line in records {
        let line = &line[..line.len() - 2];
        let f = next()?;
        let text = |i: Option<usize>| {
            i.and_then(|i| f.get(i)).map(|v| unguard(v).to_string()).filter(|s| !s.is_empty())
        };
        out.push(ResultLine {
            code: text(Some(code)).unwrap_or_default(),
            evaluated: text(Some(status)).as_deref() == Some(key::EVALUATED),
            name: text(name),
            park: text(park),
            group: text(group),
            tier: text(tier),
            total: text(total).and_then(|t| t.parse().ok()),
            rank: text(rank).and_then(|t| t.parse().ok()),
            year: text(year),
            csv_line: line.to_vec(),
        });
    }
    Ok((head.to_vec(), out))
}

/// `bytes` cut after each CRLF outside double quotes (each piece keeps its CRLF); None when the
/// text does not end with one or a quote is left open.
fn crlf_lines(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let (mut out, mut start, mut quoted) = (Vec::new(), 0, false);
    for i in 0..bytes.len() {
        match bytes[i] {
            b'"' => quoted = !quoted,
            b'\n' if !quoted && i > 0 && bytes[i - 1] == b'\r' => {
                out.push(&bytes[start..=i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    (start == bytes.len() && !quoted).then_some(out)
}

/// The fields of one CSV line.
pub(super) fn fields(line: &[u8]) -> Vec<String> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(line);
    match rdr.records().next() {
        Some(Ok(r)) => r.iter().map(str::to_string).collect(),
        _ => Vec::new(),
    }
}
