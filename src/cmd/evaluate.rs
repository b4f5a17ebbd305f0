//! `mujun evaluate`: read the year's data, score, tier, write the results workbook, one workbook
//! per park, CSV and JSON, print a summary (with `--verbose`, the time of each phase). A progress
//! line is drawn on stderr when it is a terminal (indicatif hides it when piped). The work itself
//! is [`crate::pipeline::execute`], which the workbench runs too.

use std::path::PathBuf;

use crate::evaluation::Evaluation;
use crate::ingest::{Severity, Tally};
use crate::pipeline::{execute, Done, Executed, Request, Step, Times};
use crate::publish::Kind;
use crate::rules::Purpose;
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
    /// 复核：本次评价更正数据库中公示中的第 N 号评价（记为“复核”，结果工作簿增加“复核对比”表）
    #[arg(long, value_name = "编号")]
    pub corrects: Option<i64>,
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

/// The evaluation `a` asks for.
fn request(a: &Args, store: &super::store::StoreOption) -> Request {
    Request {
        rules: a.inputs.rules.source(Purpose::Evaluation),
        data: a.inputs.data.clone(),
        exclude: a.inputs.exclude.clone(),
        out: a.output.out.clone(),
        year: a.year,
        previous: a.previous.clone(),
        store: store.path(),
        user: None,
        corrects: a.corrects,
    }
}

/// Evaluate the year, publish the outputs, record the run in the store, print the summary.
pub fn run(a: &Args, store: &super::store::StoreOption) -> Result<(), crate::Error> {
    let pb = progress_bar();
    let mut report = |step: Step| match step {
        Step::Phase(_, what) => pb.set_message(what.to_string()),
        Step::Files(done, total, what) => {
            pb.set_length(total as u64);
            pb.set_position(done as u64);
            pb.set_message(what.to_string());
        }
    };
    let executed = execute(&request(a, store), &mut report);
    pb.finish_and_clear();
    let Executed { ev, mut done, times } = executed?;
    print_summary(&ev);
    let recorded = print_published(&a.output.out, &mut done, store.path(), a.corrects);
    if a.verbose {
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
    corrects: Option<i64>,
) -> Result<(), crate::Error> {
    if let Some(w) = &done.outputs.caution {
        crate::errln!("警告：{}", crate::console::escape(w));
    }
    let p = &done.published;
    crate::outln!("结果已写入：{}", p.workbook.display());
    let recorded = done.recorded.take().transpose();
    if let (Ok(Some(id)), Some(path)) = (&recorded, store) {
        let status = match corrects {
            Some(c) => format!("复核，更正第 {c} 号评价；对比见结果工作簿“复核对比”表"),
            None => "草稿".into(),
        };
        crate::outln!("已记入评价数据库 {}：第 {id} 号评价（{status}）", path.display());
    }
    if let Some(dir) = p.parks.first().and_then(|p| p.parent()) {
        crate::outln!("园区工作簿（{} 个）：{}", p.parks.len(), dir.display());
    }
    crate::outln!("机器可读结果：{}，{}", p.csv.display(), p.json.display());
    crate::outln!("输出清单：{}", out.join(Kind::Evaluate.manifest()).display());
    recorded.map(|_| ())
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
