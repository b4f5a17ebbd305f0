//! Mutation fuzz of the whole program (issue 13, "Trustworthy runs"). Takes the bundled samples,
//! a small generated year (CSV and xlsx), the blank templates, a workbook written here and the
//! rule files; damages them (bytes, CSV cells and headers, xlsx XML, TOML numbers, lines and
//! formulas); runs the real binary (`check`, `evaluate`, `land`) on each under a time and memory
//! limit. Any panic, abort, signal, timeout, silent failure or English message is a defect.
//!
//! Seeded and bounded: MUJUN_FUZZ_SEED (default 13), MUJUN_FUZZ_SECS (default 60),
//! MUJUN_FUZZ_JOBS (parallel runs), MUJUN_FUZZ_TIMEOUT (seconds per run, default 20),
//! MUJUN_FUZZ_CASE (run only that input number, to replay a failure), MUJUN_FUZZ_COMMAND
//! (check, evaluate or land only). Failed inputs are saved
//! under target/fuzz-failures/<input number>/ with the command that reproduces them.

mod corpus;

mod mutate;

mod oracle;

mod xlsx;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use corpus::{Corpus, Files};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Run {
    Check,
    Evaluate,
    Land,
}

/// One input: a data folder, the rule files, the command and what was done to them.
struct Case {
    run: Run,
    base: &'static str,
    data: Files,
    rules: Files,
    rules_file: String,
    previous: Option<(String, Vec<u8>)>,
    notes: Vec<String>,
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// Input `n` of `seed`: the same pair always gives the same input. Inputs below the number of
/// data sets are the unmutated bases (a check that the harness itself passes them).
fn make_case(corpus: &Corpus, seed: u64, n: u64) -> Case {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(n);
    let bases = corpus.data.len() as u64;
    let set = if n < bases {
        &corpus.data[n as usize]
    } else {
        corpus.data.choose(&mut rng).expect("data sets")
    };
    let run = match rng.random_range(0..100) {
        0..=64 => Run::Check,
        65..=89 => Run::Evaluate,
        _ => Run::Land,
    };
    let only = std::env::var("MUJUN_FUZZ_COMMAND").unwrap_or_default();
    let run = match only.trim() {
        _ if n < bases => Run::Check,
        "check" => Run::Check,
        "evaluate" => Run::Evaluate,
        "land" => Run::Land,
        _ => run,
    };
    let rules_file = match run {
        Run::Land => ["land_fuling.toml", "land_national.toml"]
            .choose(&mut rng)
            .expect("land rules")
            .to_string(),
        _ if rng.random_bool(0.1) => corpus
            .rules
            .iter()
            .map(|r| r.0.clone())
            .filter(|r| !r.starts_with("land_") && r.ends_with(".toml"))
            .collect::<Vec<_>>()
            .choose(&mut rng)
            .expect("rules")
            .clone(),
        _ => "fuling.toml".into(),
    };
    let previous = (run == Run::Evaluate && rng.random_bool(0.25))
        .then(|| corpus.previous.choose(&mut rng).cloned())
        .flatten();
    let mut case = Case {
        run,
        base: set.name,
        data: set.files.clone(),
        rules: corpus.rules.clone(),
        rules_file,
        previous,
        notes: Vec::new(),
    };
    if n >= bases {
        for _ in 0..rng.random_range(1..=3) {
            let note = mutate_case(&mut rng, &mut case);
            case.notes.push(note);
        }
    }
    case
}

/// Damage one file. `gentle` keeps it readable (cell values, headers, rows rather than bytes and
/// zip structure) so that scoring, tiering and the reports get exercised too.
fn mutate_one(rng: &mut ChaCha8Rng, name: &str, body: &mut Vec<u8>, gentle: bool) -> String {
    let note = if name.ends_with(".toml") {
        if gentle || rng.random_bool(0.85) {
            mutate::toml(rng, body)
        } else {
            mutate::bytes(rng, body)
        }
    } else if name.ends_with(".csv") && (gentle || rng.random_bool(0.7)) {
        mutate::csv(rng, body)
    } else if name.ends_with(".xlsx") && (gentle || rng.random_bool(0.75)) {
        xlsx::mutate(rng, body, gentle)
    } else {
        mutate::bytes(rng, body)
    };
    format!("{name}: {note}")
}

fn mutate_case(rng: &mut ChaCha8Rng, case: &mut Case) -> String {
    let gentle = case.run != Run::Check && rng.random_bool(0.7);
    let roll = rng.random_range(0..100);
    if roll < 15 {
        let k = case.rules.iter().position(|r| r.0 == case.rules_file).expect("rule file");
        let (name, body) = &mut case.rules[k];
        return format!("rules/{}", mutate_one(rng, name, body, gentle));
    }
    if roll < 20 {
        if let Some((name, body)) = case.previous.as_mut() {
            return format!("previous/{}", mutate_one(rng, name, body, gentle));
        }
    }
    if roll < 25 && !case.data.is_empty() {
        let k = rng.random_range(0..case.data.len());
        let what = rng.random_range(0..3);
        let (name, body) = case.data[k].clone();
        return match what {
            0 => {
                case.data.remove(k);
                format!("data/{name}: removed")
            }
            1 => {
                case.data.push((format!("副本{name}"), body));
                format!("data/{name}: copied")
            }
            _ => {
                let other = if name.ends_with(".csv") {
                    name.replace(".csv", ".xlsx")
                } else {
                    format!("{name}.csv")
                };
                case.data[k].0 = other.clone();
                format!("data/{name}: renamed {other}")
            }
        };
    }
    let Some(k) = (!case.data.is_empty()).then(|| rng.random_range(0..case.data.len())) else {
        return "no data file".into();
    };
    let (name, body) = &mut case.data[k];
    format!("data/{}", mutate_one(rng, name, body, gentle))
}

/// Write the case into `dir` and give the command line (relative to `dir`).
fn lay_out(case: &Case, dir: &Path) -> Vec<String> {
    for sub in ["data", "rules", "previous"] {
        std::fs::create_dir_all(dir.join(sub)).expect("case dir");
    }
    for (name, body) in &case.data {
        std::fs::write(dir.join("data").join(name), body).expect("write data");
    }
    for (name, body) in &case.rules {
        std::fs::write(dir.join("rules").join(name), body).expect("write rules");
    }
    let rules = format!("rules/{}", case.rules_file);
    let mut args: Vec<String> = match case.run {
        Run::Check => vec!["check".into()],
        Run::Evaluate => vec!["evaluate".into()],
        Run::Land => vec!["land".into()],
    };
    args.extend([
        "--rules".into(),
        rules,
        "--data".into(),
        "data".into(),
        "--out".into(),
        "out".into(),
    ]);
    if let Some((name, body)) = &case.previous {
        std::fs::write(dir.join("previous").join(name), body).expect("write previous");
        args.extend(["--previous".into(), format!("previous/{name}")]);
    }
    std::fs::write(
        dir.join("mutations.txt"),
        format!("base: {}\n{}\n", case.base, case.notes.join("\n")),
    )
    .expect("notes");
    args
}

/// One defect as found: class, input number, line, saved folder.
struct Found {
    class: String,
    n: u64,
    line: String,
    saved: Option<PathBuf>,
}

struct Tally {
    tried: u64,
    by_run: BTreeMap<String, u64>,
    by_code: BTreeMap<i32, u64>,
    found: Vec<Found>,
    /// The slowest run: time, input number, base and mutations.
    slowest: (Duration, u64, String),
}

const SAVED_PER_CLASS: usize = 3;

fn save(dir: &Path, failures: &Path, n: u64, args: &[String], bin: &Path) -> PathBuf {
    let to = failures.join(n.to_string());
    let _ = std::fs::remove_dir_all(&to);
    copy_dir(dir, &to);
    let _ = std::fs::remove_dir_all(to.join("out"));
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let cmd = format!("cd '{}' && '{}' {}\n", to.display(), bin.display(), quoted.join(" "));
    std::fs::write(to.join("command.txt"), cmd).expect("command");
    to
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("copy dir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let p = e.expect("entry").path();
        let q = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_dir(&p, &q);
        } else {
            std::fs::copy(&p, &q).expect("copy file");
        }
    }
}

struct Setup {
    bin: PathBuf,
    corpus: Corpus,
    seed: u64,
    limits: oracle::Limits,
    failures: PathBuf,
    work: PathBuf,
}

fn one(s: &Setup, n: u64, tally: &Mutex<Tally>) {
    let case = make_case(&s.corpus, s.seed, n);
    let dir = s.work.join(format!("case{n}"));
    let args = lay_out(&case, &dir);
    let outcome = oracle::run(&s.bin, &dir, &args, &s.limits);
    let verdict = oracle::judge(&outcome, &dir);
    let mut t = tally.lock().expect("tally");
    t.tried += 1;
    *t.by_run.entry(format!("{:?}", case.run)).or_default() += 1;
    if outcome.elapsed > t.slowest.0 {
        t.slowest = (
            outcome.elapsed,
            n,
            format!("{:?} on {}: {}", case.run, case.base, case.notes.join("; ")),
        );
    }
    match verdict {
        Ok(code) => *t.by_code.entry(code).or_default() += 1,
        Err(d) => {
            let seen = t.found.iter().filter(|f| f.class == d.class).count();
            let saved = (seen < SAVED_PER_CLASS).then(|| save(&dir, &s.failures, n, &args, &s.bin));
            t.found.push(Found { class: d.class, n, line: d.line, saved });
        }
    }
    drop(t);
    let _ = std::fs::remove_dir_all(&dir);
}

fn summary(s: &Setup, t: &Tally, spent: Duration) -> String {
    let per_min = t.tried as f64 / spent.as_secs_f64().max(1e-9) * 60.0;
    let mut out = format!(
        "fuzz seed {}: {} inputs in {:.1}s ({per_min:.0}/min), runs {:?}, exit codes {:?}\nslowest {:.1}s: input {} ({})\n",
        s.seed,
        t.tried,
        spent.as_secs_f64(),
        t.by_run,
        t.by_code,
        t.slowest.0.as_secs_f64(),
        t.slowest.1,
        t.slowest.2.chars().take(300).collect::<String>()
    );
    let mut classes: BTreeMap<&str, Vec<&Found>> = BTreeMap::new();
    for f in &t.found {
        classes.entry(&f.class).or_default().push(f);
    }
    out += &format!("{} failures in {} classes\n", t.found.len(), classes.len());
    for (class, fs) in &classes {
        let f = fs[0];
        let saved = f.saved.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        out += &format!(
            "- [{}x] {class}\n    input {} ({saved}): {}\n",
            fs.len(),
            f.n,
            f.line.chars().take(200).collect::<String>()
        );
    }
    out
}

#[test]
fn mutated_inputs_get_a_clear_answer_in_time() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_mujun"));
    let seed = env_num("MUJUN_FUZZ_SEED", 13);
    let budget = Duration::from_secs(env_num("MUJUN_FUZZ_SECS", 60));
    let jobs = env_num(
        "MUJUN_FUZZ_JOBS",
        std::thread::available_parallelism().map(|n| n.get() as u64).unwrap_or(1).min(4),
    )
    .max(1);
    let only = std::env::var("MUJUN_FUZZ_CASE").ok().and_then(|v| v.trim().parse::<u64>().ok());
    let target = bin.parent().and_then(Path::parent).expect("target dir").to_path_buf();
    let failures = target.join("fuzz-failures");
    if only.is_none() {
        let _ = std::fs::remove_dir_all(&failures);
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let corpus = corpus::build(&bin, &corpus::repo(), &tmp.path().join("corpus"));
    let limits = oracle::Limits {
        wall: Duration::from_secs(env_num("MUJUN_FUZZ_TIMEOUT", 20)),
        memory_kib: env_num("MUJUN_FUZZ_MEMORY_MIB", 4096) * 1024,
    };
    let s = Setup { bin, corpus, seed, limits, failures, work: tmp.path().join("cases") };
    let tally = Mutex::new(Tally {
        tried: 0,
        by_run: BTreeMap::new(),
        by_code: BTreeMap::new(),
        found: Vec::new(),
        slowest: (Duration::ZERO, 0, String::new()),
    });
    let next = AtomicU64::new(only.unwrap_or(0));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..if only.is_some() { 1 } else { jobs } {
            scope.spawn(|| loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if only.is_some_and(|o| n != o) || (only.is_none() && started.elapsed() > budget) {
                    break;
                }
                one(&s, n, &tally);
            });
        }
    });
    let t = tally.into_inner().expect("tally");
    let report = summary(&s, &t, started.elapsed());
    assert!(t.found.is_empty(), "{report}");
    println!("{report}");
}
