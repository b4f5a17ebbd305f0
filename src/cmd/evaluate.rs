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
use crate::store::{ReadTables, Store};
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
    let mut db = store.path().map(|p| Store::open(&p)).transpose()?;
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
    let years = match &db {
        Some(db) => years_from_store(db, &ev)?,
        None => Vec::new(),
    };
    let previous = match &a.previous {
        Some(p) => Some(report::read_previous(p, &ev)?),
        None => years.last().filter(|p| p.year == Some(ev.rules.meta.year - 1)).cloned(),
    };
    let past = report::Past { previous, years };
    let t = Instant::now();
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} 写出：{msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let outputs = staging.write(|dir| {
        report::write_all(&ev, dir, past, &mut |done, total, what| {
            pb.set_length(total as u64);
            pb.set_position(done as u64);
            pb.set_message(what.to_string());
        })
        .map_err(crate::Error::from)
    });
    pb.finish_and_clear();
    let outputs = outputs?;
    let published = |p: &std::path::Path| staging.final_path(p);
    let (workbook, csv, json) =
        (published(&outputs.workbook), published(&outputs.csv), published(&outputs.json));
    let park_dir =
        outputs.parks.first().and_then(|p| published(p).parent().map(|d| d.to_path_buf()));
    staging.commit(sources(a, &source, &ev.dataset)?)?;
    let t_write = t.elapsed();

    print_summary(&ev);
    if let Some(w) = &outputs.caution {
        crate::errln!("警告：{}", crate::console::escape(w));
    }
    crate::outln!("结果已写入：{}", workbook.display());
    if let (Some(db), Some(read)) = (&mut db, &read) {
        let run = crate::store::capture(&ev, read, &csv, &a.output.out, started_at)?;
        let id = db.record_run(&run)?;
        crate::outln!("已记入评价数据库 {}：第 {id} 号评价（草稿）", db.path().display());
    }
    if let Some(dir) = park_dir {
        crate::outln!("园区工作簿（{} 个）：{}", outputs.parks.len(), dir.display());
    }
    crate::outln!("机器可读结果：{}，{}", csv.display(), json.display());
    crate::outln!("输出清单：{}", a.output.out.join(Kind::Evaluate.manifest()).display());
    if a.verbose {
        crate::outln!("各阶段耗时（峰值内存为到该阶段结束时进程的最高常驻内存）：");
        let line = |name: &str, secs: f64, peak: Option<u64>| {
            // Pad by display width: a CJK character takes two terminal columns.
            let pad = 16usize.saturating_sub(crate::sheet::table::text_width(name));
            let peak =
                peak.map(|b| format!("  峰值内存 {:.2} GB", b as f64 / 1e9)).unwrap_or_default();
            crate::outln!("  {name}{:pad$}{secs:>10.3} 秒{peak}", "");
        };
        line("读取规则", t_rules.as_secs_f64(), None);
        let n = ingest_timings.len();
        for (i, (name, d)) in ingest_timings.iter().enumerate() {
            line(name, d.as_secs_f64(), if i + 1 == n { peak_ingest } else { None });
        }
        let n = ev.timings.len();
        for (i, (name, d)) in ev.timings.iter().enumerate() {
            line(name, d.as_secs_f64(), if i + 1 == n { peak_eval } else { None });
        }
        line("写出结果", t_write.as_secs_f64(), None);
        for (name, d, peak) in &outputs.timings {
            line(&format!("  {name}"), d.as_secs_f64(), *peak);
        }
        line("合计", started.elapsed().as_secs_f64(), crate::peak_memory());
    }
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

/// How many years back the store is searched for the scheme's official results.
const YEARS_BACK: i32 = 30;

/// The scheme's 定稿 runs of earlier years from the store, oldest first: the year before is the
/// comparison `--previous` would otherwise give, all of them the 历年对比 sheet.
fn years_from_store(
    s: &Store,
    ev: &Evaluation,
) -> Result<Vec<crate::ingest::previous::Previous>, crate::Error> {
    let (this, scheme) = (ev.rules.meta.year, &ev.rules.meta.name);
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
