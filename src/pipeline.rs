//! One evaluation as the command line (`mujun evaluate`, `mujun check`) and the workbench run
//! it: read the rules and the year's data, check, score and tier, write and publish the outputs,
//! record the run in the store — with each step reported to the caller, who prints or shows it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::evaluation::{self, Evaluation};
use crate::ingest::schema::TableKind;
use crate::ingest::{self, Dataset, Problem};
use crate::publish::{FileDigest, Kind, Sources, Staging};
use crate::review::corrections;
use crate::review::diff::{Base, Side};
use crate::rules::{Rules, Source};
use crate::store::{Event, ReadTables, Store, StoreError};
use crate::{report, rules};

/// One evaluation, as the command line and the workbench ask for it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The rule file or shipped scheme.
    pub rules: Source,
    /// The data files and folders (`--data`).
    pub data: Vec<PathBuf>,
    /// Files or sheets not read (`--exclude`).
    pub exclude: Vec<String>,
    /// The output folder.
    pub out: PathBuf,
    /// The evaluation year, when not the rule file's.
    pub year: Option<i32>,
    /// The previous year's results file (`--previous`).
    pub previous: Option<PathBuf>,
    /// The store the run is recorded in.
    pub store: Option<PathBuf>,
    /// Who runs it, as the store records it (None: the operating system's user).
    pub user: Option<String>,
    /// The 公示 run this one corrects (复核; `--corrects`): the run is recorded as 复核 and its
    /// bureau workbook gets the 复核对比 sheet.
    pub corrects: Option<i64>,
}

/// The phases an evaluation goes through, as progress reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading the rules and the data.
    Read,
    /// The data read and checked.
    Check,
    /// Scoring, ranking and tiering.
    Score,
    /// Writing and publishing the outputs.
    Report,
    /// Recording the run in the store.
    Record,
}

impl Phase {
    /// The phase's name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Read => "读取",
            Phase::Check => "检查",
            Phase::Score => "评分、分档",
            Phase::Report => "报表",
            Phase::Record => "记入数据库",
        }
    }
}

/// What an evaluation reports while it runs.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    /// A phase begins; with what it is doing in words.
    Phase(Phase, &'a str),
    /// Of the outputs, `done` of `total` are written; `what` is being written.
    Files(usize, usize, &'a str),
}

/// An evaluation done: its result, the published set and its times.
pub struct Executed {
    /// The evaluation.
    pub ev: Evaluation,
    /// The published set and the run's number.
    pub done: Done,
    /// The time of each phase.
    pub times: Times,
}

impl Executed {
    /// The run's number in the store; the store's error when it could not be recorded (the
    /// files are published either way); None without a store.
    pub fn recorded(&self) -> Option<Result<i64, String>> {
        self.done.recorded.as_ref().map(|r| r.as_ref().copied().map_err(|e| e.to_string()))
    }
}

/// Evaluate the year, publish the outputs in `req.out` and record the run in the store,
/// telling `on_step` each step. Input errors do not stop it (the caller decides what they mean).
pub fn execute(req: &Request, on_step: &mut dyn FnMut(Step)) -> Result<Executed, crate::Error> {
    let started = Instant::now();
    let started_at = crate::store::now();
    // Locked first: a second run on the folder stops before reading anything.
    let staging = Staging::begin(&req.out, Kind::Evaluate)?;
    // Opened (created, migrated) first: a store that is not one stops the run before any work.
    let db = req.store.as_deref().map(Store::open).transpose()?;
    on_step(Step::Phase(Phase::Read, "读取规则"));
    let t = Instant::now();
    let mut rules = rules::load(&req.rules)?;
    if let Some(y) = req.year {
        rules.meta.year = y;
    }
    let t_rules = t.elapsed();
    let corrects = req.corrects.map(|id| base(db.as_ref(), id, &rules)).transpose()?;
    on_step(Step::Phase(Phase::Read, "读取数据"));
    let mut ds =
        ingest::load_with(&req.data, &ingest::LoadOptions { exclude: req.exclude.clone() })?;
    // A 复核 lays the accepted corrections over the tables as read; the files stay as they are.
    let corrections = match (req.corrects, db.as_ref()) {
        (Some(id), Some(db)) => corrections::apply(&mut ds, &db.accepted_corrections(id)?)?,
        _ => Vec::new(),
    };
    on_step(Step::Phase(Phase::Check, "检查数据"));
    let ingest_timings = ds.timings.clone();
    let peak_ingest = crate::peak_memory();
    // Kept for the store: scoring releases the input rows.
    let read = db.as_ref().map(|_| ReadTables {
        register: ds.table(TableKind::Register).clone(),
        land: ds.table(TableKind::Land).clone(),
    });
    on_step(Step::Phase(Phase::Score, "评分、排名、分档"));
    let ev = evaluation::run(rules, ds)?;
    let peak_eval = crate::peak_memory();
    on_step(Step::Phase(Phase::Report, "读取上年结果"));
    let t = Instant::now();
    let mut past = past(req.previous.as_deref(), db.as_ref(), &ev)?;
    past.corrects = corrects;
    past.corrections = corrections;
    let t_past = (past.previous.is_some() || !past.years.is_empty()).then(|| t.elapsed());
    let t = Instant::now();
    let sources = sources(req.previous.as_deref(), &req.rules, &ev.dataset)?;
    let record = db.zip(read).map(|(db, read)| ToRecord {
        db,
        read,
        started_at,
        user: req.user.clone(),
        corrects: req.corrects,
    });
    let done = publish(&ev, staging, &req.out, sources, past, record, on_step)?;
    let t_write = t.elapsed();
    let times = Times { t_rules, ingest_timings, peak_ingest, peak_eval, t_past, t_write, started };
    Ok(Executed { ev, done, times })
}

/// The run `id` that this evaluation under `rules` corrects, checked before any work (under
/// 公示, same year and scheme) and read for the 复核对比.
fn base(db: Option<&Store>, id: i64, rules: &Rules) -> Result<Base, crate::Error> {
    let db = db.ok_or_else(|| {
        StoreError::Refused("复核（--corrects）需要评价数据库，不能与 --no-store 同用".into())
    })?;
    let run = db.correctable(id, rules.meta.year, &rules.meta.scheme)?;
    let name = format!("第 {id} 号评价（{}年度「{}」{}）", run.year, run.scheme, run.status);
    let side = Side::read(&name, &db.results_csv(id)?)?;
    let labels = rules::indicator_labels(&db.rules_text(id)?).unwrap_or_default();
    Ok(Base { name, side, labels })
}

/// The years the reports compare with: `--previous`, else the store's 定稿 run of the year
/// before; and every earlier 定稿 year of the scheme in the store.
fn past(
    previous: Option<&Path>,
    db: Option<&Store>,
    ev: &Evaluation,
) -> Result<report::Past, crate::Error> {
    let years = match db {
        Some(db) => years_from_store(db, ev)?,
        None => Vec::new(),
    };
    let previous = match previous {
        Some(p) => Some(report::read_previous(p, ev)?),
        None => years.last().filter(|p| p.year == Some(ev.rules.meta.year - 1)).cloned(),
    };
    Ok(report::Past { previous, years, ..report::Past::default() })
}

/// A published set: what the reports wrote (paths in the output folder), and the run's number
/// in the store (None without a store).
pub struct Done {
    /// What the reports wrote (in the staging folder).
    pub outputs: report::Outputs,
    /// The same files as published in the output folder.
    pub published: report::Outputs,
    /// The run's number in the store, or why it could not be recorded.
    pub recorded: Option<Result<i64, crate::Error>>,
    /// With a store, the time from publishing to the store's commit.
    pub t_record: Option<std::time::Duration>,
}

/// The store a run is recorded in, the tables it read, when it started and who ran it.
struct ToRecord {
    db: Store,
    read: ReadTables,
    started_at: String,
    user: Option<String>,
    corrects: Option<i64>,
}

/// Write every output into the staging folder and publish the set in `out`; with a store,
/// record the run on a second thread meanwhile (each file as it is complete), committed once
/// the set is published — the store is never ahead of the published files.
fn publish(
    ev: &Evaluation,
    staging: Staging,
    out: &Path,
    sources: Sources,
    past: report::Past,
    record: Option<ToRecord>,
    on_step: &mut dyn FnMut(Step),
) -> Result<Done, crate::Error> {
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel();
        let staged = staging.dir().to_path_buf();
        let recorder = record.map(|mut r| {
            let staged = staged.clone();
            s.spawn(move || {
                let dirs = crate::store::Folders { staging: &staged, out };
                let who = crate::store::Who {
                    started_at: r.started_at,
                    user: r.user,
                    corrects: r.corrects,
                };
                crate::store::record(&mut r.db, ev, &r.read, &dirs, who, rx)
            })
        });
        let written = staging.write(|dir| {
            let mut progress =
                |done: usize, total: usize, what: &str| on_step(Step::Files(done, total, what));
            let mut written = |path: &Path, kind| {
                // A recorder that stopped has its error to give when joined.
                let _ = tx.send(Event::Written(path.to_path_buf(), kind));
            };
            report::write_all(ev, dir, past, &mut progress, &mut written)
                .map_err(crate::Error::from)
        });
        let mut outputs = written?;
        let _ = tx.send(Event::PerMu(std::mem::take(&mut outputs.per_mu)));
        let published = outputs.moved(|p| staging.final_path(p));
        on_step(Step::Phase(Phase::Report, "发布结果"));
        staging.commit(sources)?;
        on_step(Step::Phase(Phase::Record, "记入评价数据库"));
        let t = Instant::now();
        let _ = tx.send(Event::Published);
        drop(tx);
        let recorded = recorder.map(|h| match h.join() {
            Ok(Ok(Some(id))) => Ok(id),
            Ok(Ok(None)) => Err(StoreError::Capture("记录未完成".into()).into()),
            Ok(Err(e)) => Err(e.into()),
            Err(_) => Err(StoreError::Capture("记录线程意外中止".into()).into()),
        });
        let t_record = recorded.as_ref().map(|_| t.elapsed());
        Ok(Done { outputs, published, recorded, t_record })
    })
}

/// What `--verbose` prints besides the writer's own timings.
#[allow(missing_docs)]
pub struct Times {
    pub t_rules: std::time::Duration,
    pub ingest_timings: Vec<(&'static str, std::time::Duration)>,
    pub peak_ingest: Option<u64>,
    pub peak_eval: Option<u64>,
    /// Reading the years before (when there were any).
    pub t_past: Option<std::time::Duration>,
    pub t_write: std::time::Duration,
    pub started: Instant,
}

/// How many years back the store is searched for the scheme's official results.
const YEARS_BACK: i32 = 30;

/// The scheme's 定稿 runs of earlier years from the store, oldest first: the year before is the
/// comparison `--previous` would otherwise give, all of them the 历年对比 sheet.
fn years_from_store(
    s: &Store,
    ev: &Evaluation,
) -> Result<Vec<crate::ingest::previous::Previous>, crate::Error> {
    let (this, scheme) = (ev.rules.meta.year, &ev.rules.meta.scheme);
    let mut out = Vec::new();
    for year in this - YEARS_BACK..this {
        let Some(id) = s.final_run(year, scheme)? else { continue };
        let name = format!("评价数据库 {} 第 {id} 号评价（{year}年度定稿）", s.path().display());
        let mut p = report::previous_from_csv(Path::new(&name), s.results_csv(id)?, ev)?;
        p.year = Some(year);
        out.push(p);
    }
    Ok(out)
}

/// What the manifest records as the run's sources: the rule file, the inputs as read (their
/// digests were taken when they were read) and the previous year's results.
fn sources(
    previous: Option<&Path>,
    rules: &Source,
    ds: &ingest::Dataset,
) -> Result<Sources, crate::Error> {
    let mut inputs = input_digests(ds);
    if let Some(p) = previous {
        inputs.push(FileDigest::of(p)?);
    }
    Ok(Sources { rules: vec![rule_digest(rules)?], inputs, options: Vec::new() })
}

/// What a check found: the rules, the data as read (with its row accounting) and every problem.
pub struct Examined {
    /// The rules read.
    pub rules: Rules,
    /// The data read.
    pub ds: Dataset,
    /// The input's problems and those the checks against the rules found.
    pub problems: Vec<Problem>,
}

/// Read the rules and the data and check them, as `mujun check` does (the workbench's draft
/// check too).
pub fn examine(
    source: &Source,
    data: &[PathBuf],
    exclude: &[String],
) -> Result<Examined, crate::Error> {
    let rules = rules::load(source)?;
    let ds = ingest::load_with(data, &ingest::LoadOptions { exclude: exclude.to_vec() })?;
    let problems = evaluation::check(&rules, &ds)?;
    Ok(Examined { rules, ds, problems })
}

/// The manifest's digest of the rule file.
pub fn rule_digest(source: &Source) -> Result<FileDigest, crate::Error> {
    match source {
        Source::File(path) => Ok(FileDigest::of(path)?),
        shipped => {
            let bytes = shipped
                .bytes()
                .map_err(|source| crate::rules::RuleError::Io { path: shipped.name(), source })?;
            Ok(FileDigest::of_bytes(shipped.to_string(), &bytes))
        }
    }
}

/// The manifest's digests of the inputs as read (taken when they were read, not again).
pub fn input_digests(ds: &Dataset) -> Vec<FileDigest> {
    ds.sources
        .iter()
        .map(|s| FileDigest {
            name: s.path.display().to_string(),
            bytes: s.bytes,
            sha256: s.sha256.clone(),
        })
        .collect()
}
