//! What an `evaluate` records, while its outputs are written: its rules, inputs (with their bytes
//! when unchanged), register and land rows as read, its problems, each published file and the
//! results CSV line by line.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

use polars::prelude::*;
use sha2::{Digest, Sha256};

pub(super) use super::record::hex;
use super::record::{InputFile, NewRun, OutputFile, ParcelRow, Recording, RegisterRow, ResultLine};
use super::{Store, StoreError};
use crate::columns::{key, unguard};
use crate::evaluation::Evaluation;
use crate::ingest::read::SourceFile;
use crate::publish::{FileDigest, Kind};
use crate::report::Written;
use crate::score::age;

/// The tables a run read that scoring releases: the register and the land rows.
pub struct ReadTables {
    /// 企业名录 as typed by ingest.
    pub register: DataFrame,
    /// 用地 as typed by ingest.
    pub land: DataFrame,
}

/// What the writing of a run's outputs tells the recorder.
#[derive(Debug)]
pub enum Event {
    /// A file in the staging folder is complete.
    Written(PathBuf, Written),
    /// The per-mu aggregates the workbooks showed (sent once the outputs are written).
    PerMu(Vec<crate::report::PerMu>),
    /// The set is published in the output folder.
    Published,
}

/// Where a run's outputs are written and published.
pub struct Folders<'f> {
    /// The staging folder the files are written into ([`Event::Written`] paths are in it).
    pub staging: &'f Path,
    /// The output folder they are published to, with the output manifest.
    pub out: &'f Path,
}

/// When and by whom a run was started, and the run it corrects.
pub struct Who {
    /// When it started (RFC 3339 UTC).
    pub started_at: String,
    /// Who ran it (None: the operating system's user, as the command line records).
    pub user: Option<String>,
    /// The 公示 run it corrects (recorded as 复核).
    pub corrects: Option<i64>,
}

/// Record `ev` (with the tables it read) in `store` while its outputs are written: the run's
/// rules, inputs, register, land and problems at once, each file as [`Event::Written`] reports
/// it (the results CSV also line by line), all in one open transaction that
/// [`Event::Published`] commits with the output manifest. Returns the run's number; None when
/// the events end before the set is published (then nothing is recorded).
pub fn record(
    store: &mut Store,
    ev: &Evaluation,
    read: &ReadTables,
    dirs: &Folders,
    who: Who,
    events: Receiver<Event>,
) -> Result<Option<i64>, StoreError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| StoreError::Capture(format!("{what}：{e}"));
    let user = who.user.unwrap_or_else(super::current_user);
    let run = NewRun { corrects: who.corrects, ..head(ev, dirs.out, who.started_at, user)? };
    let mut rec = store.begin_run(&run)?;
    let mut files = Vec::with_capacity(ev.dataset.sources.len());
    for s in &ev.dataset.sources {
        // Kept when it is there with the digest it had when read; listed either way.
        if let Ok(mut f) = std::fs::File::open(&s.path) {
            rec.keep_file(&mut f, &s.path, Some(&s.sha256))?;
        }
        let (name, bytes, sha256) = (s.path.display().to_string(), s.bytes, s.sha256.clone());
        files.push(InputFile { name, bytes, sha256, content: None });
    }
    rec.inputs(&files, &ev.dataset.reconciliation)?;
    rec.register(&register(&read.register).map_err(|e| bad("企业名录", &e))?)?;
    rec.parcels(&parcels(&read.land).map_err(|e| bad("用地", &e))?)?;
    rec.problems(&ev.problems)?;
    let mut kept = HashMap::new();
    for event in events {
        match event {
            Event::Written(path, kind) => {
                let (name, digest) = keep(&mut rec, dirs, &path, kind)?;
                kept.insert(name, digest);
                rec.flush_log();
            }
            Event::PerMu(rows) => rec.per_mu(&rows)?,
            Event::Published => {
                let outputs = outputs(dirs.out, &kept)?;
                return rec.finish(&outputs, &super::now()).map(Some);
            }
        }
    }
    Ok(None)
}

/// The run's row: what it was, who ran it, its counts (the lists come with the events).
fn head(
    ev: &Evaluation,
    out_dir: &Path,
    started_at: String,
    user: String,
) -> Result<NewRun, StoreError> {
    let r = &ev.rules;
    let tier_counts =
        ev.tier_counts().map_err(|e| StoreError::Capture(format!("等级统计：{e}")))?;
    let counts = tier_counts
        .labels
        .iter()
        .zip(total_per_label(&tier_counts))
        .map(|(l, n)| format!("{l} {n}"))
        .collect::<Vec<_>>()
        .join("，");
    Ok(NewRun {
        year: r.meta.year,
        scheme: r.meta.scheme.clone(),
        scheme_file: r.path.display().to_string(),
        scheme_version: r.meta.version.clone(),
        rules_sha256: hex(&Sha256::digest(r.text.as_bytes())),
        rules_text: r.text.clone(),
        finished_at: started_at.clone(),
        started_at,
        user,
        program: format!("mujun {}", env!("CARGO_PKG_VERSION")),
        out_dir: out_dir.display().to_string(),
        evaluated: ev.results.height(),
        not_evaluated: ev.not_evaluated.height(),
        tier_counts: counts,
        ..NewRun::default()
    })
}

/// Keep the written file `path` (the results CSV also line by line): in the staging folder,
/// or, when the set was published meanwhile (while the store was busy with another run), in the
/// ready folder or the output folder — looked for in the order a file moves, so one moved between
/// two looks is found at the next. Its name in the output folder and its (size, SHA-256).
fn keep(
    rec: &mut Recording,
    dirs: &Folders,
    path: &Path,
    kind: Written,
) -> Result<(String, (u64, String)), StoreError> {
    let bad = |e: &dyn std::fmt::Display| StoreError::Capture(format!("{}：{e}", path.display()));
    let (name, mut file) = open_moving(dirs, path)?;
    if kind == Written::Csv {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes)
            .map_err(|e| bad(&crate::zh::io_error(&e)))?;
        let (head, lines) = split_csv(&bytes)?;
        rec.results(&head, &lines)?;
    }
    let digest = rec.keep_file(&mut file, path, None)?.ok_or_else(|| bad(&"写出后无法读取"))?;
    Ok((name, digest))
}

/// The file written at `path` in the staging folder, wherever it is now (staging, ready or output
/// folder), with its name in the output folder. One handle serves every read: the file may be
/// moved, never changed.
fn open_moving(dirs: &Folders, path: &Path) -> Result<(String, std::fs::File), StoreError> {
    let bad = |e: &dyn std::fmt::Display| StoreError::Capture(format!("{}：{e}", path.display()));
    let name = path.strip_prefix(dirs.staging).map_err(|_| bad(&"不在暂存目录中"))?;
    let ready = dirs.out.join(crate::publish::READY).join(name);
    let published = dirs.out.join(name);
    let file = std::fs::File::open(path)
        .or_else(|_| std::fs::File::open(&ready))
        .or_else(|_| std::fs::File::open(&published))
        .map_err(|e| bad(&crate::zh::io_error(&e)))?;
    let name = name.iter().map(|c| c.to_string_lossy()).collect::<Vec<_>>().join("/");
    Ok((name, file))
}

/// The files published in `out_dir`, as its output manifest lists them, and the manifest
/// itself last. A file kept while it was written (`kept`, by name: size and SHA-256) comes
/// without its bytes (they are in the store already); any other is read now, and a file
/// changed since it was published is listed without its bytes.
fn outputs(
    out_dir: &Path,
    kept: &HashMap<String, (u64, String)>,
) -> Result<Vec<OutputFile>, StoreError> {
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
            let ahead = kept.get(&f.name).is_some_and(|(_, sha)| *sha == f.sha256);
            let content = match ahead {
                true => None,
                false => std::fs::read(out_dir.join(&f.name))
                    .ok()
                    .filter(|b| hex(&Sha256::digest(b)) == f.sha256),
            };
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
    let cluster = at(key::CLUSTER);
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
            cluster: text(cluster),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A file written into staging and found wherever publishing has moved it meanwhile: the
    /// ready folder (the set marked complete, not yet moved in) or the output folder.
    #[test]
    fn a_written_file_is_found_in_staging_then_ready_then_output_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        let staging = out.join(crate::publish::STAGING);
        let dirs = Folders { staging: &staging, out };
        let written = staging.join("园区/甲.xlsx");
        let ready = out.join(crate::publish::READY).join("园区/甲.xlsx");
        for (at, text) in
            [(&written, "staging"), (&ready, "ready"), (&out.join("园区/甲.xlsx"), "out")]
        {
            std::fs::create_dir_all(at.parent().unwrap()).unwrap();
            std::fs::write(at, text).unwrap();
            let (name, mut file) = open_moving(&dirs, &written).unwrap();
            let mut read = String::new();
            std::io::Read::read_to_string(&mut file, &mut read).unwrap();
            assert_eq!((name.as_str(), read.as_str()), ("园区/甲.xlsx", text));
            std::fs::remove_file(at).unwrap();
        }
        let gone = open_moving(&dirs, &written).unwrap_err().to_string();
        assert!(gone.contains("园区") && gone.contains("不存在"), "{gone}");
    }
}
