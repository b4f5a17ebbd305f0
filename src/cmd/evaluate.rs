//! `mujun evaluate`: read the year's data, score, tier, write the results workbook, one workbook
//! per park, CSV and JSON, print a summary (with `--verbose`, the time of each phase). A progress
//! line is drawn on stderr when it is a terminal (indicatif hides it when piped).

use std::path::PathBuf;
use std::time::Instant;

use crate::evaluation::{self, Evaluation};
use crate::ingest::schema::TableKind;
use crate::ingest::{self, Severity, Tally};
use crate::publish::{FileDigest, Kind, Sources, Staging};
use crate::rules::{Purpose, Source};
use crate::store::{Event, ReadTables, Store, StoreError};
use crate::{report, rules};

/// `mujun evaluate`'s options.
#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct Args {
    /// `--rules`, `--data`, `--exclude`.
    #[command(flatten)]
    pub inputs: super::args::Inputs,
    /// `--out`.
    #[command(flatten)]
    pub output: super::args::Output,
    /// 显示各阶段耗时
    #[arg(long, short)]
    pub verbose: bool,
    /// 输入有错误时仍以0退出（结果照常写出）
    #[arg(long)]
    pub allow_errors: bool,
    /// 评价年度（默认：规则文件 [meta] year）：同一套规则用于另一个年度时写
    #[arg(long, value_name = "年度", value_parser = clap::value_parser!(i32).range(1949..=2200))]
    pub year: Option<i32>,
    /// 上年评价结果（本程序输出的结果工作簿 .xlsx 或结果 CSV），用于年度对比和等级变动
    #[arg(long, value_name = "文件")]
    pub previous: Option<PathBuf>,
}

/// A progress line on stderr; hidden by indicatif when stderr is not a terminal.
fn progress_bar() -> indicatif::ProgressBar {
    let pb =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    pb.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    if !pb.is_hidden() {
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
    }
    pb
}

/// Evaluate the year, publish the outputs, record the run in the store, print the summary.
pub fn run(a: &Args, store: &super::store::StoreOption) -> Result<(), crate::Error> {
    let started = Instant::now();
    let started_at = crate::store::now();
    // Locked first: a second run on the folder stops before reading anything.
    let staging = Staging::begin(&a.output.out, Kind::Evaluate)?;
    // Opened (created, migrated) first: a store that is not one stops the run before any work.
    let db = store.path().map(|p| Store::open(&p)).transpose()?;
    let pb = progress_bar();
    pb.set_message("读取规则");
    let t = Instant::now();
    let source = a.inputs.rules.source(Purpose::Evaluation);
    let mut rules = rules::load(&source)?;
    if let Some(y) = a.year {
        rules.meta.year = y;
    }
    let t_rules = t.elapsed();
    pb.set_message("读取数据");
    let ds = a.inputs.read()?;
    let ingest_timings = ds.timings.clone();
    let peak_ingest = crate::peak_memory();
    // Kept for the store: scoring releases the input rows.
    let read = db.as_ref().map(|_| ReadTables {
        register: ds.table(TableKind::Register).clone(),
        land: ds.table(TableKind::Land).clone(),
    });
    pb.set_message("评分、排名、分档");
    let ev = evaluation::run(rules, ds)?;
    let peak_eval = crate::peak_memory();
    pb.set_message("读取上年结果");
    let t = Instant::now();
    let past = past(a, db.as_ref(), &ev)?;
    let t_past = (past.previous.is_some() || !past.years.is_empty()).then(|| t.elapsed());
    let store_path = db.as_ref().map(|d| d.path().to_path_buf());
    let t = Instant::now();
    let sources = sources(a, &source, &ev.dataset)?;
    let record = db.zip(read).map(|(db, read)| ToRecord { db, read, started_at });
    let mut done = publish(&ev, staging, &a.output.out, sources, past, record, &pb)?;
    let t_write = t.elapsed();

    print_summary(&ev);
    let recorded = print_published(&a.output.out, &mut done, store_path);
    if a.verbose {
        let times =
            Times { t_rules, ingest_timings, peak_ingest, peak_eval, t_past, t_write, started };
        print_times(&ev, &done, &times);
    }
    recorded?;
    let errors = Tally::of(&ev.problems).errors;
    if errors > 0 {
        for p in ev.problems.iter().filter(|p| p.severity == Severity::Error).take(10) {
            crate::errln!("{p}");
        }
        if !a.allow_errors {
            return Err(crate::Error::InputErrors(errors));
        }
    }
    Ok(())
}

/// Where the set was published (in `out`) and the run's number in the store; the store's error
/// when the run could not be recorded (the files are published either way).
fn print_published(
    out: &std::path::Path,
    done: &mut Done,
    store: Option<std::path::PathBuf>,
) -> Result<(), crate::Error> {
    if let Some(w) = &done.outputs.caution {
        crate::errln!("警告：{}", crate::console::escape(w));
    }
    let p = &done.published;
    crate::outln!("结果已写入：{}", p.workbook.display());
    let recorded = done.recorded.take().transpose();
    if let (Ok(Some(id)), Some(path)) = (&recorded, store) {
        crate::outln!("已记入评价数据库 {}：第 {id} 号评价（草稿）", path.display());
    }
    if let Some(dir) = p.parks.first().and_then(|p| p.parent()) {
        crate::outln!("园区工作簿（{} 个）：{}", p.parks.len(), dir.display());
    }
    crate::outln!("机器可读结果：{}，{}", p.csv.display(), p.json.display());
    crate::outln!("输出清单：{}", out.join(Kind::Evaluate.manifest()).display());
    recorded.map(|_| ())
}

/// The years the reports compare with: `--previous`, else the store's 定稿 run of the year
/// before; and every earlier 定稿 year of the scheme in the store.
fn past(a: &Args, db: Option<&Store>, ev: &Evaluation) -> Result<report::Past, crate::Error> {
    let years = match db {
        Some(db) => years_from_store(db, ev)?,
        None => Vec::new(),
    };
    let previous = match &a.previous {
        Some(p) => Some(report::read_previous(p, ev)?),
        None => years.last().filter(|p| p.year == Some(ev.rules.meta.year - 1)).cloned(),
    };
    Ok(report::Past { previous, years })
}

/// A published set: what the reports wrote (paths in the output folder), and the run's number
/// in the store (None without a store).
struct Done {
    outputs: report::Outputs,
    published: report::Outputs,
    recorded: Option<Result<i64, crate::Error>>,
    /// With a store, the time from publishing to the store's commit.
    t_record: Option<std::time::Duration>,
}

/// The store a run is recorded in, the tables it read and when it started.
struct ToRecord {
    db: Store,
    read: ReadTables,
    started_at: String,
}

/// Write every output into the staging folder and publish the set in `out`; with a store,
/// record the run on a second thread meanwhile (each file as it is complete), committed once
/// the set is published — the store is never ahead of the published files.
fn publish(
    ev: &Evaluation,
    staging: Staging,
    out: &std::path::Path,
    sources: Sources,
    past: report::Past,
    record: Option<ToRecord>,
    pb: &indicatif::ProgressBar,
) -> Result<Done, crate::Error> {
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel();
        let staged = staging.dir().to_path_buf();
        let recorder = record.map(|mut r| {
            let staged = staged.clone();
            s.spawn(move || {
                let dirs = crate::store::Folders { staging: &staged, out };
                crate::store::record(&mut r.db, ev, &r.read, &dirs, r.started_at, rx)
            })
        });
        let written = staging.write(|dir| {
            let mut progress = |done: usize, total: usize, what: &str| {
                pb.set_length(total as u64);
                pb.set_position(done as u64);
                pb.set_message(what.to_string());
            };
            let mut written = |path: &std::path::Path, kind| {
                // A recorder that stopped has its error to give when joined.
                let _ = tx.send(Event::Written(path.to_path_buf(), kind));
            };
            report::write_all(ev, dir, past, &mut progress, &mut written)
                .map_err(crate::Error::from)
        });
        // Cleared when this ends, however it ends.
        let _clear = Cleared(pb);
        let outputs = written?;
        let published = outputs.moved(|p| staging.final_path(p));
        pb.set_message("发布结果");
        staging.commit(sources)?;
        pb.set_message("记入评价数据库");
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

/// A progress line taken off the terminal when dropped.
struct Cleared<'p>(&'p indicatif::ProgressBar);

impl Drop for Cleared<'_> {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// What `--verbose` prints besides the writer's own timings.
struct Times {
    t_rules: std::time::Duration,
    ingest_timings: Vec<(&'static str, std::time::Duration)>,
    peak_ingest: Option<u64>,
    peak_eval: Option<u64>,
    /// Reading the years before (when there were any).
    t_past: Option<std::time::Duration>,
    t_write: std::time::Duration,
    started: Instant,
}

/// The time of each phase and the peak memory (`--verbose`).
fn print_times(ev: &Evaluation, done: &Done, t: &Times) {
    crate::outln!("各阶段耗时（峰值内存为到该阶段结束时进程的最高常驻内存）：");
    let line = |name: &str, secs: f64, peak: Option<u64>| {
        // Pad by display width: a CJK character takes two terminal columns.
        let pad = 16usize.saturating_sub(crate::sheet::table::text_width(name));
        let peak = peak.map(|b| format!("  峰值内存 {:.2} GB", b as f64 / 1e9)).unwrap_or_default();
        crate::outln!("  {name}{:pad$}{secs:>10.3} 秒{peak}", "");
    };
    line("读取规则", t.t_rules.as_secs_f64(), None);
    let n = t.ingest_timings.len();
    for (i, (name, d)) in t.ingest_timings.iter().enumerate() {
        line(name, d.as_secs_f64(), if i + 1 == n { t.peak_ingest } else { None });
    }
    let n = ev.timings.len();
    for (i, (name, d)) in ev.timings.iter().enumerate() {
        line(name, d.as_secs_f64(), if i + 1 == n { t.peak_eval } else { None });
    }
    if let Some(d) = t.t_past {
        line("读取往年结果", d.as_secs_f64(), None);
    }
    line("写出结果", t.t_write.as_secs_f64(), None);
    for (name, d, peak) in &done.outputs.timings {
        line(&format!("  {name}"), d.as_secs_f64(), *peak);
    }
    if let Some(d) = done.t_record {
        line("  记入数据库", d.as_secs_f64(), None);
    }
    line("合计", t.started.elapsed().as_secs_f64(), crate::peak_memory());
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
        let mut p = report::previous_from_csv(std::path::Path::new(&name), s.results_csv(id)?, ev)?;
        p.year = Some(year);
        out.push(p);
    }
    Ok(out)
}

/// What the manifest records as the run's sources: the rule file, the inputs as read (their
/// digests were taken when they were read) and the previous year's results.
fn sources(a: &Args, rules: &Source, ds: &ingest::Dataset) -> Result<Sources, crate::Error> {
    let mut inputs = super::input_digests(ds);
    if let Some(p) = &a.previous {
        inputs.push(FileDigest::of(p)?);
    }
    Ok(Sources { rules: vec![super::rule_digest(rules)?], inputs, options: Vec::new() })
}

fn print_summary(ev: &Evaluation) {
    let r = &ev.rules;
    crate::outln!("{}", crate::console::escape(&r.meta.title()));
    crate::outln!(
        "企业共 {} 家：参评 {} 家，未参评 {} 家",
        ev.enterprises_seen(),
        ev.results.height(),
        ev.not_evaluated.height()
    );
    if let Ok(counts) = ev.tier_counts() {
        let line = |name: &str, labels: &[String], c: &[usize]| {
            let parts: Vec<String> = counts
                .labels
                .iter()
                .zip(c)
                .filter(|(l, _)| labels.contains(l))
                .map(|(l, n)| format!("{l}类 {n}"))
                .collect();
            crate::outln!("  {}：{}", crate::console::escape(name), parts.join("，"));
        };
        // Groups by name, each with its own labels; parks with the labels of every group.
        let mut groups: Vec<(usize, &str)> =
            r.groups.iter().enumerate().map(|(gi, g)| (gi, g.name.as_str())).collect();
        groups.sort_by_key(|(_, name)| *name);
        crate::outln!("按评价组：");
        for (gi, name) in groups.into_iter().filter(|(gi, _)| counts.has_group(*gi)) {
            line(name, &r.groups[gi].tiers.labels, &counts.of_group(gi));
        }
        crate::outln!("按园区：");
        for (park, c) in &counts.by_park() {
            line(park, &counts.labels, c);
        }
    }
    if let Some(line) = Tally::of(&ev.problems).summary_line() {
        crate::outln!("{line}");
    }
}
