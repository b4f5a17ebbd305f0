//! The rule files shipped inside the binary: `mujun` run from a folder without `rules/`, schemes
//! chosen by name, `mujun rules` listing them and writing one out for editing.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_mujun");

/// The repository's bundled sample year (the latest of its two).
fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/2025")
}

/// Run mujun in `cwd`; (exit code, stdout, stderr).
fn mujun(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).current_dir(cwd).args(args).output().expect("run mujun");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8");
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

/// `mujun evaluate --data <samples> --out out [more]` in `cwd`; the results CSV's text.
fn evaluate_in(cwd: &Path, more: &[&str]) -> (String, String) {
    let data = samples();
    let mut args = vec!["evaluate", "--data", data.to_str().unwrap(), "--out", "out"];
    args.extend(more);
    let (code, stdout, stderr) = mujun(cwd, &args);
    assert_eq!(code, 0, "{args:?}\n{stdout}\n{stderr}");
    let csv = std::fs::read_dir(cwd.join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "csv"))
        .expect("results CSV");
    (std::fs::read_to_string(csv).unwrap(), stdout)
}

#[test]
fn evaluate_runs_from_a_folder_without_rules_by_default_and_by_name() {
    let by_default = tempfile::tempdir().unwrap();
    let (csv, stdout) = evaluate_in(by_default.path(), &[]);
    // The shipped fuling scheme: its title heads the summary, 590 firms as in the samples.
    assert!(
        stdout.starts_with("涪陵区工业企业亩均效益综合评价（示例规则）（2025年度）"),
        "{stdout}"
    );
    assert!(stdout.contains("企业共 590 家"), "{stdout}");
    let by_name = tempfile::tempdir().unwrap();
    assert_eq!(evaluate_in(by_name.path(), &["--rules", "fuling"]).0, csv);
    // The manifest names the shipped file, not a path that is not there.
    let manifest = std::fs::read_to_string(by_name.path().join("out/评价输出清单.json")).unwrap();
    assert!(manifest.contains("fuling.toml（程序内置）"), "{manifest}");
}

#[test]
fn a_shipped_scheme_by_name_gives_the_results_of_its_file_by_path() {
    for name in ["fuling", "huaian_2024"] {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("rules/{name}.toml"));
        let (by_name, by_path) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let named = evaluate_in(by_name.path(), &["--rules", name]).0;
        let pathed = evaluate_in(by_path.path(), &["--rules", file.to_str().unwrap()]).0;
        assert_eq!(named, pathed, "{name}");
    }
}

#[test]
fn huaian_2024_by_name_reads_its_shipped_benchmark_file() {
    // From a folder without rules/: the run would stop at "基准值文件 … 不存在" otherwise.
    let dir = tempfile::tempdir().unwrap();
    let (_, stdout) = evaluate_in(dir.path(), &["--rules", "huaian_2024"]);
    // The name already says （2024年度）: the title does not repeat it.
    assert_eq!(stdout.lines().next(), Some("淮安市工业企业资源集约利用综合评价（2024年度）"));
    // tax_per_mu's rows of huaian_2023_averages.csv: 清江浦区 8.5, 淮安区 7.2, 淮阴区 6.8.
    let rules = mujun::rules::load(&mujun::rules::Source::parse("huaian_2024").unwrap()).unwrap();
    let ind = rules.groups[0].indicators.iter().find(|i| i.id == "tax_per_mu").unwrap();
    let mujun::rules::Benchmark::File { path, factor, values, .. } = &ind.benchmark else {
        panic!("{:?}", ind.benchmark)
    };
    assert_eq!(path, Path::new("huaian_2023_averages.csv（程序内置）"));
    assert_eq!(*factor, 2.0);
    let expected = [("清江浦区", 8.5), ("淮安区", 7.2), ("淮阴区", 6.8)];
    assert_eq!(values, &expected.map(|(k, v)| (k.to_string(), v)).to_vec());
}

#[test]
fn mujun_rules_lists_every_shipped_scheme_with_its_purpose_and_title() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = mujun(dir.path(), &["rules"]);
    assert_eq!(code, 0);
    for (name, purpose, title) in [
        ("fuling", "评价", "涪陵区工业企业亩均效益综合评价（示例规则）"),
        ("huangyan_2022", "评价", "黄岩区工业企业亩均效益综合评价（2022年度）"),
        ("hefei_gxq_2023", "评价", "合肥高新区工业企业亩均效益评价（2023年度）"),
        ("huaian_2024", "评价", "淮安市工业企业资源集约利用综合评价（2024年度）"),
        ("jingde_2022", "评价", "旌德县工业企业亩均效益评价（2022年度，极差法）"),
        ("land_fuling", "土地核查", "涪陵区工业用地标准地核查（示例规则）"),
        ("land_national", "土地核查", "工业项目建设用地控制指标核查（国家标准）"),
    ] {
        let line = stdout.lines().find(|l| l.split_whitespace().next() == Some(name));
        let words: Vec<&str> = line.unwrap_or_default().split_whitespace().collect();
        assert_eq!(words, [name, purpose, title], "{stdout}");
    }
}

#[test]
fn rules_write_copies_the_files_and_will_not_overwrite_them() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = mujun(dir.path(), &["rules", "write", "huaian_2024"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    for f in ["huaian_2024.toml", "huaian_2023_averages.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join(f)).unwrap(),
            std::fs::read(repo.join(f)).unwrap()
        );
    }
    // A second time: refused, non-zero, nothing changed.
    std::fs::write(dir.path().join("huaian_2024.toml"), "# 已修改\n").unwrap();
    let (code, _, stderr) = mujun(dir.path(), &["rules", "write", "huaian_2024"]);
    assert_ne!(code, 0);
    assert!(stderr.contains("已存在，未写出任何文件"), "{stderr}");
    assert_eq!(std::fs::read_to_string(dir.path().join("huaian_2024.toml")).unwrap(), "# 已修改\n");
}

#[test]
fn a_land_scheme_written_out_runs_from_its_folder() {
    // land_fuling names land_national.toml and fuling.toml next to it: all three are written.
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) =
        mujun(dir.path(), &["rules", "write", "land_fuling", "--out", "本区"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let lr = mujun::land::controls::load(&dir.path().join("本区/land_fuling.toml")).unwrap();
    let expected = mujun::rules::Source::File(dir.path().join("本区/fuling.toml"));
    assert_eq!(lr.evaluation_rules, expected);
    mujun::rules::load(&lr.evaluation_rules).unwrap();
}

#[test]
fn land_runs_from_a_folder_without_rules() {
    let dir = tempfile::tempdir().unwrap();
    let data = samples();
    let (code, stdout, stderr) =
        mujun(dir.path(), &["land", "--data", data.to_str().unwrap(), "--out", "out"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with("涪陵区工业用地标准地核查（示例规则）（评价日 2025-12-31）"),
        "{stdout}"
    );
}

#[test]
fn an_unknown_name_is_a_usage_error_that_suggests_the_nearest() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = mujun(dir.path(), &["evaluate", "--rules", "huangyan2022"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("没有名为「huangyan2022」的内置规则方案，是否要用「huangyan_2022」？"),
        "{stderr}"
    );
    assert!(stderr.contains("fuling、huangyan_2022、hefei_gxq_2023、huaian_2024、jingde_2022"));
    let (code, _, stderr) = mujun(dir.path(), &["rules", "write", "land_fulin"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("是否要用「land_fuling」"), "{stderr}");
}

#[test]
fn a_land_scheme_is_refused_by_evaluate() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = mujun(dir.path(), &["check", "--rules", "land_fuling"]);
    assert_eq!(code, 3);
    assert!(stderr.contains("「land_fuling」是土地核查规则方案，不能用于评价"), "{stderr}");
}
