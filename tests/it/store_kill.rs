//! A run killed (SIGKILL) at any point leaves the year store whole: it opens cleanly, passes its
//! checks, and holds each run entirely (results equal to the complete CSV, every published file)
//! or not at all. On a generated 20,000-enterprise year, killed while reading, while writing the
//! outputs and in the middle of recording the run; `MUJUN_KILL_LONG=1` kills at more points.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use mujun::store::Store;

const BIN: &str = env!("CARGO_BIN_EXE_mujun");
/// Printed once the outputs are published and the run recorded (the recorder commits right
/// after publishing).
const PUBLISHED: &str = "结果已写入：";
/// Printed once the run is recorded (committed).
const RECORDED: &str = "已记入评价数据库";

/// `mujun evaluate` of the generated year in `dir`, into the store s.db; its stdout lines as
/// they come, each with when it came.
fn start(dir: &Path) -> (Child, Receiver<(Instant, String)>) {
    let mut child = Command::new(BIN)
        .current_dir(dir)
        .env_remove("MUJUN_STORE")
        .args(["evaluate", "--data", "data", "--out", "out", "--store", "s.db", "--allow-errors"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("mujun starts");
    let (tx, rx) = channel();
    let stdout = child.stdout.take().expect("piped");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send((Instant::now(), line)).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// When to kill a run.
#[derive(Debug, Clone, Copy)]
enum When {
    /// This long after it started.
    AfterStart(Duration),
    /// This long after it said its outputs were published (and the run recorded).
    AfterPublished(Duration),
    /// This long after the store's write-ahead log was first written: inside the transaction that
    /// records the run while the outputs are written (at 20,000 firms it spills pages into the
    /// log well before it commits, which is after the outputs are published).
    InTransaction(Duration),
}

/// The size and time of the last change of the store's write-ahead log (None when absent): a
/// writer changes it (a killed run may have left frames, which the next one writes over).
fn wal_stamp(dir: &Path) -> Option<(u64, std::time::SystemTime)> {
    let m = std::fs::metadata(dir.join("s.db-wal")).ok()?;
    Some((m.len(), m.modified().ok()?))
}

/// Run until `when`, then SIGKILL; whether it had said the run was recorded.
fn kill_at(dir: &Path, when: When) -> bool {
    let (mut child, rx) = start(dir);
    let started = Instant::now();
    let mut recorded = false;
    let published = || loop {
        let (at, line) = rx.recv_timeout(Duration::from_secs(300)).expect("the run publishes");
        if line.starts_with(PUBLISHED) {
            break at;
        }
    };
    let deadline = match when {
        When::AfterStart(d) => started + d,
        When::AfterPublished(d) => published() + d,
        When::InTransaction(d) => {
            let before = wal_stamp(dir);
            while wal_stamp(dir).is_none_or(|w| Some(w) == before || w.0 == 0) {
                assert!(child.try_wait().unwrap().is_none(), "the run ended before writing");
                std::thread::sleep(Duration::from_millis(2));
            }
            Instant::now() + d
        }
    };
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok((_, line)) => recorded |= line.starts_with(RECORDED),
            Err(_) => break,
        }
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    recorded || rx.try_iter().any(|(_, l)| l.starts_with(RECORDED))
}

/// What a complete run published: the results CSV and the names of the files it listed.
struct Complete {
    csv: Vec<u8>,
    outputs: Vec<String>,
    /// From the first write to the store's log to "published": the recording transaction.
    recording: Duration,
    /// From start to "published".
    publishing: Duration,
}

fn complete_run(dir: &Path) -> Complete {
    let started = Instant::now();
    let before = wal_stamp(dir);
    let (mut child, rx) = start(dir);
    let (mut lines, mut first_write) = (Vec::new(), None);
    loop {
        match rx.recv_timeout(Duration::from_millis(2)) {
            Ok(line) => lines.push(line),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if first_write.is_none() && wal_stamp(dir).is_some_and(|w| Some(w) != before && w.0 > 0) {
            first_write = Some(Instant::now());
        }
    }
    assert!(child.wait().expect("finishes").success());
    let at = |p: &str| lines.iter().find(|(_, l)| l.starts_with(p)).expect(p).0;
    let out = dir.join("out");
    let csv = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "csv"))
        .expect("a results CSV");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("评价输出清单.json")).unwrap()).unwrap();
    let mut outputs: Vec<String> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    outputs.push("评价输出清单.json".into());
    Complete {
        csv: std::fs::read(csv).unwrap(),
        outputs,
        recording: at(PUBLISHED) - first_write.expect("the run wrote to the store"),
        publishing: at(PUBLISHED) - started,
    }
}

/// The store after `attempts` runs: opens, intact, and each run in it whole.
fn assert_whole(db: &Path, attempts: usize, complete: &Complete, after: &str) -> usize {
    let store = Store::open_existing(db).unwrap_or_else(|e| panic!("{after}: {e}"));
    let check = store.check().unwrap();
    assert_eq!(check.integrity, ["ok"], "{after}");
    assert_eq!(check.foreign_key_faults, 0, "{after}");
    for (id, rows, counted) in &check.runs {
        assert_eq!(rows, counted, "{after}: run {id}");
    }
    let runs = store.runs().unwrap();
    assert!(runs.len() <= attempts, "{after}: {} runs after {attempts} attempts", runs.len());
    for r in &runs {
        assert!(store.results_csv(r.id).unwrap() == complete.csv, "{after}: run {} CSV", r.id);
        let outputs = store.outputs(r.id).unwrap();
        let names: Vec<&str> = outputs.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, complete.outputs, "{after}: run {}", r.id);
        assert!(outputs.iter().all(|o| o.content.is_some()), "{after}: run {}", r.id);
    }
    runs.len()
}

#[test]
fn a_run_killed_at_any_point_leaves_the_store_with_the_run_whole_or_not_at_all() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let sample = Command::new(BIN)
        .current_dir(dir)
        .args(["--no-store", "sample", "--enterprises", "20000", "--seed", "7"])
        .args(["--format", "csv", "--out", "data"])
        .output()
        .unwrap();
    assert!(sample.status.success(), "{}", String::from_utf8_lossy(&sample.stderr));
    let db = dir.join("s.db");
    // Measured once, whole: the first run in the store.
    let complete = complete_run(dir);
    assert_eq!(assert_whole(&db, 1, &complete, "a complete run"), 1);
    let (w, p) = (complete.recording, complete.publishing);
    let ms = Duration::from_millis;
    // While reading, while writing the outputs, in the middle of the store's transaction.
    let mut points =
        vec![When::AfterStart(ms(800)), When::AfterStart(p / 2), When::InTransaction(ms(300))];
    if std::env::var_os("MUJUN_KILL_LONG").is_some() {
        points.extend([
            When::AfterStart(p * 9 / 10),
            When::InTransaction(Duration::ZERO),
            When::InTransaction(ms(100)),
            When::InTransaction(w / 4),
            When::InTransaction(w * 9 / 10),
            When::AfterPublished(Duration::ZERO),
            When::AfterPublished(ms(200)),
        ]);
    }
    let mut runs = 1;
    for (i, when) in points.into_iter().enumerate() {
        let recorded = kill_at(dir, when);
        let after = format!("killed {when:?} (store write took {w:?})");
        let now = assert_whole(&db, i + 2, &complete, &after);
        // One run more when it said it was recorded, else none or (killed between the commit
        // and the message) one.
        assert!(now == runs + 1 || (now == runs && !recorded), "{after}: {runs} → {now} runs");
        // Killed inside the transaction (early enough): the run is not there.
        if matches!(when, When::InTransaction(d) if d <= ms(300)) {
            assert_eq!(now, runs, "{after}: the kill came after the run was recorded");
        }
        runs = now;
    }
}
