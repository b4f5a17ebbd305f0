//! Outputs are published whole or not at all: a killed run, a full disk or a second run at the
//! same time leaves the previous set byte-identical; the folder holds one run's set and its
//! manifest; generators do not overwrite a folder that holds files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_mujun");

fn mujun(args: &[&str]) -> Output {
    // The repository is the working folder: no store is left in it.
    Command::new(BIN)
        .arg("--no-store")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("mujun runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn s(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// A generated year of `n` enterprises in `dir`.
fn sample_year(dir: &Path, n: usize, seed: u64) {
    let o = mujun(&[
        "sample",
        "--enterprises",
        &n.to_string(),
        "--seed",
        &seed.to_string(),
        "--out",
        s(dir),
    ]);
    assert!(o.status.success(), "{}", text(&o));
}

fn evaluate(data: &Path, out: &Path) -> Output {
    mujun(&["evaluate", "--data", s(data), "--out", s(out)])
}

/// Every file under `dir` (relative path → SHA-256), mujun's own lock left out.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).expect("readable") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("inside").to_string_lossy().into_owned();
                let bytes = std::fs::read(&p).expect("readable");
                out.insert(rel, format!("{:x}", Sha256::digest(&bytes)));
            }
        }
    }
    let mut m = BTreeMap::new();
    walk(dir, dir, &mut m);
    m.remove(".mujun.lock");
    m
}

fn names(snap: &BTreeMap<String, String>) -> Vec<&str> {
    snap.keys().map(|k| k.as_str()).collect()
}

/// The points of a run at which the kill test strikes, each seen in the staging folder: reading and
/// scoring (the folder is empty), then the bureau workbook, the park workbooks, the CSV and the
/// JSON being written.
const KILL_POINTS: [&str; 5] = [
    "",
    "2025年度亩均效益评价结果.xlsx",
    "园区",
    "2025年度亩均效益评价结果.csv",
    "2025年度亩均效益评价结果.json",
];

/// Start `evaluate` and SIGKILL it as soon as `point` shows in its staging folder.
fn kill_at(point: &str, data: &Path, out: &Path) {
    let mut child = Command::new(BIN)
        .args(["evaluate", "--no-store", "--data", s(data), "--out", s(out)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let staging = out.join(".mujun-staging");
    let t = Instant::now();
    while !staging.join(point).exists() {
        assert!(child.try_wait().unwrap().is_none(), "the run ended before «{point}» appeared");
        assert!(t.elapsed() < Duration::from_secs(600), "«{point}» never appeared");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
}

#[test]
fn a_killed_run_leaves_the_previous_set_byte_identical_and_the_next_run_succeeds() {
    let tmp = tempfile::tempdir().unwrap();
    let (old_data, new_data, out) =
        (tmp.path().join("上年数据"), tmp.path().join("数据"), tmp.path().join("结果"));
    sample_year(&old_data, 2_000, 1);
    sample_year(&new_data, 20_000, 2);
    let o = evaluate(&old_data, &out);
    assert!(o.status.success(), "{}", text(&o));
    let good = snapshot(&out);
    for point in KILL_POINTS {
        kill_at(point, &new_data, &out);
        let kept: BTreeMap<_, _> =
            snapshot(&out).into_iter().filter(|(k, _)| !k.starts_with(".mujun-staging/")).collect();
        assert_eq!(
            kept, good,
            "killed while «{point}» was being written: the previous set changed"
        );
    }
    let o = evaluate(&new_data, &out);
    assert!(o.status.success(), "{}", text(&o));
    let fresh = snapshot(&out);
    assert!(!fresh.keys().any(|k| k.starts_with(".mujun-")), "{:?}", names(&fresh));
    assert_ne!(fresh, good);
    // The new set is whole: every file is as its manifest says.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("评价输出清单.json")).unwrap())
            .unwrap();
    let files = manifest["files"].as_array().unwrap();
    assert_eq!(files.len() + 1, fresh.len());
    for f in files {
        assert_eq!(fresh[f["name"].as_str().unwrap()], f["sha256"].as_str().unwrap());
    }
}

/// A set marked complete when its writer died is moved into place by the next run on the folder.
#[test]
fn a_set_marked_complete_is_finished_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, out, reference) =
        (tmp.path().join("数据"), tmp.path().join("结果"), tmp.path().join("对照"));
    sample_year(&data, 590, 2025);
    assert!(evaluate(&data, &out).status.success());
    assert!(mujun(&[
        "evaluate",
        "--rules",
        "rules/hefei_gxq_2023.toml",
        "--data",
        s(&data),
        "--out",
        s(&reference)
    ])
    .status
    .success());
    let expected = snapshot(&reference);
    // The writer died after marking the set complete and moving the CSV only.
    let ready = out.join(".mujun-ready");
    std::fs::create_dir(&ready).unwrap();
    for name in expected.keys() {
        let to = ready.join(name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(reference.join(name), to).unwrap();
    }
    let csv = expected.keys().find(|k| k.ends_with(".csv")).unwrap();
    std::fs::rename(ready.join(csv), out.join(csv)).unwrap();
    let before = snapshot(&out);
    let o = mujun(&["check", "--data", s(&data), "--out", s(&out)]);
    assert!(o.status.success(), "{}", text(&o));
    let after = snapshot(&out);
    assert!(!ready.exists());
    for (name, sha) in &expected {
        assert_eq!(&after[name], sha, "{name}");
    }
    // What the interrupted set replaced is gone, unless the new set has a file of that name.
    for name in before.keys().filter(|k| {
        !expected.contains_key(*k) && !k.starts_with(".mujun-ready/") && k.ends_with(".xlsx")
    }) {
        assert!(
            !after.contains_key(name) || name.contains("数据检查"),
            "{name} of the replaced set is left"
        );
    }
}

#[test]
fn a_second_run_on_the_same_folder_stops_at_once_with_the_folder_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, out) = (tmp.path().join("数据"), tmp.path().join("结果"));
    sample_year(&data, 2_000, 3);
    let mut first = Command::new(BIN)
        .args(["evaluate", "--no-store", "--data", s(&data), "--out", s(&out)])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while !out.join(".mujun-staging").exists() {
        assert!(t.elapsed() < Duration::from_secs(120), "the first run never started writing");
        std::thread::sleep(Duration::from_millis(5));
    }
    let t = Instant::now();
    let second = evaluate(&data, &out);
    let waited = t.elapsed();
    assert!(first.wait().unwrap().success());
    assert_eq!(second.status.code(), Some(7), "{}", text(&second));
    let msg = text(&second);
    assert!(msg.contains("正被另一个 mujun 运行使用") && msg.contains(s(&out)), "{msg}");
    assert!(
        waited < Duration::from_secs(20),
        "the second run waited {waited:?} instead of stopping"
    );
    // The first run's workbook is whole: every entry of the zip reads back with a good CRC.
    let wb = out.join("2025年度亩均效益评价结果.xlsx");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&wb).unwrap()).unwrap();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        std::io::copy(&mut entry, &mut std::io::sink()).expect("entry reads back with a good CRC");
    }
}

#[test]
fn a_full_disk_fails_with_exit_6_in_chinese_and_keeps_the_previous_set() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, out) = (tmp.path().join("数据"), tmp.path().join("结果"));
    sample_year(&data, 590, 2025);
    assert!(evaluate(&data, &out).status.success());
    let good = snapshot(&out);
    // Files may not grow past 200 KiB (ulimit -f counts 1024-byte blocks); SIGXFSZ ignored so a
    // write fails with an error, as on a full disk.
    let script = format!(
        "trap '' XFSZ; ulimit -f 200; exec '{BIN}' evaluate --no-store --data '{}' --out '{}'",
        s(&data),
        s(&out)
    );
    let o = Command::new("bash")
        .args(["-c", &script])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let msg = text(&o);
    assert_eq!(o.status.code(), Some(6), "{msg}");
    assert!(msg.contains("原有结果未改动"), "{msg}");
    for english in ["panicked", "Couldn't", "os error", "ZipWriter", "failed"] {
        assert!(!msg.contains(english), "English library text «{english}» reached the user: {msg}");
    }
    assert_eq!(snapshot(&out), good);
}

#[test]
fn workbooks_do_not_need_the_system_temp_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("结果");
    let o = Command::new(BIN)
        .args(["evaluate", "--no-store", "--out", s(&out)])
        .env("TMPDIR", tmp.path().join("不存在的临时目录"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(out.join("2025年度亩均效益评价结果.xlsx").is_file());
}

#[test]
fn the_folder_holds_one_runs_set_and_its_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, out) = (tmp.path().join("数据"), tmp.path().join("结果"));
    sample_year(&data, 590, 2025);
    assert!(evaluate(&data, &out).status.success());
    let three = snapshot(&out);
    let parks: Vec<&str> = names(&three).into_iter().filter(|n| n.starts_with("园区/")).collect();
    assert_eq!(parks.len(), 3, "{parks:?}");
    // The next year 涪陵综保区's firms belong to 白涛工业园区: two parks, two park workbooks.
    let register = data.join("企业名录.csv");
    let merged = std::fs::read_to_string(&register).unwrap().replace("涪陵综保区", "白涛工业园区");
    std::fs::write(&register, merged).unwrap();
    let o = evaluate(&data, &out);
    assert!(o.status.success(), "{}", text(&o));
    let two = snapshot(&out);
    let parks: Vec<&str> = names(&two).into_iter().filter(|n| n.starts_with("园区/")).collect();
    assert_eq!(
        parks,
        [
            "园区/2025年度亩均效益评价_涪陵高新区.xlsx",
            "园区/2025年度亩均效益评价_白涛工业园区.xlsx"
        ]
    );
    // The manifest lists every other file with its size and SHA-256, and the inputs read.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("评价输出清单.json")).unwrap())
            .unwrap();
    let listed: BTreeMap<String, (u64, String)> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_string(),
                (f["bytes"].as_u64().unwrap(), f["sha256"].as_str().unwrap().to_string()),
            )
        })
        .collect();
    let on_disk: Vec<&str> =
        names(&two).into_iter().filter(|n| *n != "评价输出清单.json").collect();
    assert_eq!(listed.keys().map(|k| k.as_str()).collect::<Vec<_>>(), on_disk);
    for (name, (bytes, sha)) in &listed {
        assert_eq!(std::fs::metadata(out.join(name)).unwrap().len(), *bytes, "{name}");
        assert_eq!(sha, &two[name], "{name}");
    }
    let register_sha = format!("{:x}", Sha256::digest(std::fs::read(&register).unwrap()));
    let inputs = manifest["inputs"].as_array().unwrap();
    assert!(inputs.iter().any(|i| i["sha256"] == register_sha.as_str()), "{inputs:?}");
    assert_eq!(manifest["rules"][0]["name"], "rules/fuling.toml");
}

#[test]
fn a_crashed_runs_leftovers_are_cleaned_or_finished_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("结果");
    assert!(mujun(&["check", "--out", s(&out)]).status.success());
    let good = snapshot(&out);
    // An unfinished staging folder (a run killed while writing) is removed, nothing else changes.
    std::fs::create_dir_all(out.join(".mujun-staging/园区")).unwrap();
    std::fs::write(out.join(".mujun-staging/2025年度数据检查结果.xlsx"), b"half").unwrap();
    // A template run into the same folder replaces only its own set.
    let o = mujun(&["template", "--out", s(&out), "--force"]);
    assert!(o.status.success(), "{}", text(&o));
    let after = snapshot(&out);
    assert!(!out.join(".mujun-staging").exists());
    for (k, v) in &good {
        assert_eq!(after.get(k), Some(v), "{k} of check's set changed");
    }
    assert!(after.contains_key("模板输出清单.json"));
}

#[test]
fn generators_do_not_overwrite_a_folder_that_holds_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("样例");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("我的数据.xlsx"), b"keep me").unwrap();
    for args in [vec!["sample", "--enterprises", "20"], vec!["template"]] {
        let o = mujun(&[&args[..], &["--out", s(&out)]].concat());
        assert_eq!(o.status.code(), Some(6), "{}", text(&o));
        assert!(text(&o).contains("--force"), "{}", text(&o));
    }
    assert_eq!(std::fs::read(out.join("我的数据.xlsx")).unwrap(), b"keep me");
    let o = mujun(&["sample", "--enterprises", "20", "--out", s(&out), "--force"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(out.join("企业名录.csv").is_file());
    assert_eq!(
        std::fs::read(out.join("我的数据.xlsx")).unwrap(),
        b"keep me",
        "a file not of the set stays"
    );
}

/// The committed samples are evaluate's default data: `sample` without `--out` leaves them alone.
#[test]
fn sample_without_out_keeps_the_committed_samples() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
    let before = snapshot(&dir);
    let o = mujun(&["sample", "--enterprises", "20"]);
    assert_eq!(o.status.code(), Some(6), "{}", text(&o));
    assert_eq!(snapshot(&dir), before);
}
