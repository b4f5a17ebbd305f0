//! The evaluation queue: jobs queued by 新建评价 are run one at a time, oldest first, on a
//! thread of their own (never on a request's), by the same code as `mujun evaluate`
//! ([`crate::pipeline::execute`]); outputs go to `mujun-runs/<job>/out` beside the store and
//! the run is recorded in the store as the command line records it. The phase of the running
//! job is kept in memory (the store is being written by the run's recorder meanwhile); the
//! store has each job's state.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::upload::{beside, materialize};
use crate::pipeline::{execute, Request, Step};
use crate::rules::Source;
use crate::store::{Job, Store, StoreError};

/// What the running job is doing: (job, phase, message).
pub type Progress = Option<(i64, String, String)>;

/// The evaluation queue.
pub struct Worker {
    wake: Mutex<Sender<()>>,
    progress: Arc<Mutex<Progress>>,
}

/// How often the queue is looked at without being woken.
const POLL: Duration = Duration::from_secs(2);

impl Worker {
    /// Start the worker on the store at `store`.
    pub fn start(store: PathBuf) -> Worker {
        let (tx, rx) = channel::<()>();
        let progress = Arc::new(Mutex::new(None));
        let shown = progress.clone();
        let spawned = std::thread::Builder::new().name("mujun-worker".into()).spawn(move || loop {
            while let Some(job) = next_job(&store) {
                run_job(&store, job, &shown);
            }
            match rx.recv_timeout(POLL) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        });
        if let Err(e) = spawned {
            crate::errln!("评价队列无法启动：{e}");
        }
        Worker { wake: Mutex::new(tx), progress }
    }

    /// Look at the queue now (a job was queued).
    pub fn wake(&self) {
        let tx = self.wake.lock().unwrap_or_else(|p| p.into_inner());
        let _ = tx.send(());
    }

    /// The running job's (job, phase, message), if any.
    pub fn progress(&self) -> Progress {
        self.progress.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

fn next_job(store: &Path) -> Option<Job> {
    match Store::open_existing(store).and_then(|mut s| s.take_job()) {
        Ok(j) => j,
        Err(e) => {
            crate::errln!("评价队列读取失败：{e}");
            None
        }
    }
}

/// The folder of job `id`'s inputs and outputs.
pub fn job_dir(store: &Path, id: i64) -> PathBuf {
    beside(store, "mujun-runs").join(id.to_string())
}

/// Run `job` and record how it ended.
fn run_job(store: &Path, job: Job, shown: &Arc<Mutex<Progress>>) {
    let set = |phase: &str, message: &str| {
        let mut p = shown.lock().unwrap_or_else(|p| p.into_inner());
        *p = Some((job.id, phase.to_string(), message.to_string()));
    };
    set("", "开始评价");
    let outcome = evaluate(store, &job, &set);
    let last = shown.lock().unwrap_or_else(|p| p.into_inner()).take();
    let phase = last.map(|(_, p, _)| p).unwrap_or_default();
    let (run, message) = match outcome {
        Ok((id, errors)) if errors > 0 => (
            Some(id),
            format!("评价完成：第 {id} 号评价（草稿）；输入有 {errors} 个错误，已确认仍评价"),
        ),
        Ok((id, _)) => (Some(id), format!("评价完成：第 {id} 号评价（草稿）")),
        Err(e) => (None, format!("评价失败（{phase}）：{e}")),
    };
    let ended = Store::open_existing(store).and_then(|mut s| {
        s.job_phase(job.id, &phase, "")?;
        s.end_job(job.id, run, &message)
    });
    if let Err(e) = ended {
        crate::errln!("第 {} 号评价任务的结果无法记录：{e}", job.id);
    }
}

/// Evaluate `job`: its uploads copied into its folder, its rules, the year it asked for; the
/// run's number and the input errors it went on despite.
fn evaluate(store: &Path, job: &Job, set: &dyn Fn(&str, &str)) -> Result<(i64, usize), String> {
    let dir = job_dir(store, job.id);
    let data = dir.join("data");
    materialize(store, &data, &job.uploads).map_err(|e| e.to_string())?;
    let rules = match &job.rules_file {
        Some(file) => {
            let copied = materialize(store, &dir.join("rules"), std::slice::from_ref(file))
                .map_err(|e| e.to_string())?;
            Source::File(copied.into_iter().next().unwrap_or_default())
        }
        None => Source::Shipped(format!("{}.toml", job.scheme)),
    };
    let req = Request {
        rules,
        data: vec![data],
        exclude: Vec::new(),
        out: dir.join("out"),
        year: Some(job.year),
        previous: None,
        store: Some(store.to_path_buf()),
        user: Some(job.user.clone()),
        corrects: job.corrects,
    };
    let mut shown_at = Instant::now();
    let mut report = |step: Step| match step {
        Step::Phase(p, what) => set(p.label(), what),
        Step::Files(done, total, what) if shown_at.elapsed() > Duration::from_millis(200) => {
            shown_at = Instant::now();
            set("报表", &format!("{what}（{done}/{total}）"));
        }
        Step::Files(..) => {}
    };
    let executed = execute(&req, &mut report).map_err(|e| e.to_string())?;
    let errors = crate::ingest::Tally::of(&executed.ev.problems).errors;
    match executed.recorded() {
        Some(Ok(id)) => Ok((id, errors)),
        Some(Err(e)) => Err(e),
        None => Err("评价未记入数据库".into()),
    }
}

/// Mark the evaluations a stopped server left unfinished as failed; how many there were.
pub fn mark_interrupted(store: &Path) -> Result<usize, StoreError> {
    Store::open_existing(store)?.fail_unfinished_jobs(
        "评价未完成：工作台在评价过程中停止（评价结果未记入数据库），请重新提交",
    )
}
