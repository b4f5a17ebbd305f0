//! `mujun explain`: the score card of one enterprise in the terminal, found by code or name, with
//! the same numbers as the 评价明细 sheet.

use crate::report_common::*;

use std::process::Command;

use mujun::report::card::{find, text, Found};
use mujun::report::Analysis;

fn run(dir: &std::path::Path, query: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mujun"))
        .args(["explain", query, "--rules"])
        .arg(dir.join("rules").join("test.toml"))
        .arg("--data")
        .arg(dir)
        .output()
        .expect("run mujun");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn lookup_by_code_name_and_part_of_name() {
    let dir = tempfile::tempdir().unwrap();
    let ev = evaluate_fixture(dir.path(), 2025, tax_of);
    let a = Analysis::build(&ev, None).unwrap();
    let i8 = a.firms.iter().position(|f| f.code == code(8)).unwrap();
    assert_eq!(find(&a, &code(8)).unwrap(), Found::Evaluated(i8));
    assert_eq!(
        find(&a, &format!(" {} ", code(8).to_lowercase())).unwrap(),
        Found::Evaluated(i8),
        "case and spaces"
    );
    assert_eq!(find(&a, "测试企业08有限公司").unwrap(), Found::Evaluated(i8));
    assert_eq!(find(&a, "企业08").unwrap(), Found::Evaluated(i8), "a unique part of the name");
    assert_eq!(find(&a, "测试企业20有限公司").unwrap(), Found::Listed(0));
    let e = find(&a, "测试企业").unwrap_err().to_string();
    assert!(e.contains("有7家"), "{e}");
    assert!(find(&a, "不存在的公司").unwrap_err().to_string().contains("没有找到"));

    let t = text(&a, Found::Evaluated(i8));
    assert!(t.contains("排名：第 3 名 / 10 家"), "{t}");
    assert!(t.contains("等级：B（鼓励提升类）"), "{t}");
    assert!(t.contains("距上一档：A（优先发展类） 还差 6.00 分"), "{t}");
    assert!(
        t.contains("最能提分的指标：* 亩均税收（改善10%可增4.80分；单靠该项升档需改善12.5%）"),
        "{t}"
    );
}

#[test]
fn explain_prints_the_card_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    evaluate_fixture(dir.path(), 2025, tax_of);
    let (rc, out, err) = run(dir.path(), &code(1));
    assert_eq!(rc, 0, "{err}");
    assert!(out.starts_with("测试企业01有限公司（"), "{out}");
    assert!(out.contains("等级：D（限制发展类）"), "{out}");
    assert!(out.contains("距上一档：C（转型提升类） 还差 6.00 分"), "{out}");
    assert!(out.contains("最能提分的指标：* 亩均增加值"), "{out}");
    assert!(
        out.contains("差别化电价")
            && out.contains("用电量 100.00 万千瓦时 × 0.1 万元/万千瓦时 = 10.00 万元"),
        "{out}"
    );
    assert!(out.contains("预警：亩均税收低于2.5万元/亩"), "{out}");
    assert!(err.is_empty(), "no progress output: {err}");

    let (rc, out, _) = run(dir.path(), "测试企业03有限公司");
    assert_eq!(rc, 0);
    assert!(out.contains("（按得分 C；加减分事项后 D）") && out.contains("一票否决"), "{out}");

    let (rc, out, _) = run(dir.path(), &code(20));
    assert_eq!(rc, 0);
    assert!(out.contains("未参评：不在评价范围 —— 用地不足3亩"), "{out}");

    let (rc, _, err) = run(dir.path(), "测试企业");
    assert_eq!(rc, 6);
    assert!(err.contains("请用统一社会信用代码或完整名称"), "{err}");
}

/// Run the binary with `args`; (exit code, stdout, stderr).
fn mujun(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mujun")).args(args).output().expect("run mujun");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The fixture, with a name and a park that would clear the screen and turn the line around, and
/// a 税收 row whose code carries an escape sequence (an error printed by evaluate). The code also
/// holds a line break (a quoted CSV field).
fn fixture_with_controls(dir: &std::path::Path) {
    let mut firms = firms_with(tax_of);
    firms[0].name = "\u{1b}[2J清屏有限公司".into();
    for f in firms.iter_mut().filter(|f| f.n >= 6 && f.n <= 10) {
        f.park = "\u{202e}区园涛白".into();
    }
    write_fixture(dir, &firms);
    let mut tax = std::fs::read_to_string(dir.join("税收.csv")).unwrap();
    tax += "\"91500102\u{1b}]0;x\u{7}\nMA0000001\",增值税,5\n";
    write_file(dir, "税收.csv", &tax);
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    write_file(&dir.join("rules"), "test.toml", &rules_toml(2025));
}

fn assert_no_controls(text: &str) {
    assert!(
        !text.contains(['\u{1b}', '\u{7}', '\u{202e}']),
        "a raw control character reached the terminal: {text:?}"
    );
}

#[test]
fn control_characters_from_the_data_are_printed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    fixture_with_controls(dir.path());
    let (rc, out, err) = run(dir.path(), &code(1));
    assert_eq!(rc, 0, "{err}");
    assert!(out.starts_with("\\x1b[2J清屏有限公司（"), "{out}");
    assert_no_controls(&out);
    let (_, out, _) = run(dir.path(), &code(6));
    assert!(out.contains("所属园区：\\u{202e}区园涛白"), "{out}");
    assert_no_controls(&out);

    let rules = dir.path().join("rules").join("test.toml");
    let out_dir = dir.path().join("out");
    let data = dir.path().to_str().unwrap();
    let (rc, out, err) = mujun(&[
        "evaluate",
        "--no-store",
        "--rules",
        rules.to_str().unwrap(),
        "--data",
        data,
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(rc, 4, "the bad code is an input error: {err}");
    assert!(out.contains("  \\u{202e}区园涛白："), "the park in the summary: {out}");
    assert_no_controls(&out);
    assert!(
        err.contains("值「91500102\\x1b]0;x\\x07\\nMA0000001」"),
        "the problem line, on one line: {err}"
    );
    assert_no_controls(&err);
}

/// Start the binary with its stdout a pipe whose reading end is already closed.
fn into_closed_pipe(args: &[&str]) -> (i32, String) {
    use std::process::Stdio;
    // Run from the repository: no store is left in it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_mujun"))
        .arg("--no-store")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mujun");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for mujun");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let dir = tempfile::tempdir().unwrap();
    evaluate_fixture(dir.path(), 2025, tax_of);
    let rules = dir.path().join("rules").join("test.toml");
    let (rules, data) = (rules.to_str().unwrap(), dir.path().to_str().unwrap());
    let out_dir = dir.path().join("out");
    let (rc, err) = into_closed_pipe(&[
        "evaluate",
        "--rules",
        rules,
        "--data",
        data,
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(
        (rc, err.as_str()),
        (0, ""),
        "`mujun evaluate | head`: the run ends as usual, without a panic"
    );
    assert!(out_dir.join("2025年度亩均效益评价结果.xlsx").exists(), "the results are written");
    let (rc, err) = into_closed_pipe(&["explain", &code(1), "--rules", rules, "--data", data]);
    assert_eq!((rc, err.as_str()), (0, ""), "`mujun explain … | head`");
    let (rc, err) = into_closed_pipe(&["evaluate", "--help"]);
    assert_eq!((rc, err.as_str()), (0, ""), "`mujun evaluate --help | head`");
}

/// clap's English that must not reach the user.
const ENGLISH: [&str; 12] = [
    "Usage",
    "error:",
    "tip:",
    "For more information",
    "[default",
    "[possible values",
    "Options",
    "Arguments",
    "Commands",
    "OPTIONS",
    "Print",
    "unrecognized",
];

fn assert_chinese(what: &str, text: &str) {
    for e in ENGLISH {
        assert!(!text.contains(e), "{what}: «{e}» in\n{text}");
    }
}

#[test]
fn help_is_chinese_and_help_subcommand_works() {
    for args in [
        &["--help"][..],
        &["help"],
        &["-h"],
        &["evaluate", "--help"],
        &["help", "evaluate"],
        &["sample", "-h"],
        &["help", "explain"],
        &["help", "help"],
        &["help", "rules"],
        &["rules", "write", "-h"],
    ] {
        let (rc, out, err) = mujun(args);
        assert_eq!(rc, 0, "{args:?}: {err}");
        assert!(out.contains("用法：mujun"), "{args:?}: {out}");
        assert_chinese(&format!("{args:?}"), &out);
    }
    let (_, top, _) = mujun(&["--help"]);
    assert!(
        top.contains("用法：mujun [选项] <命令>")
            && top.contains("help")
            && top.contains("显示帮助"),
        "{top}"
    );
    let (_, eval, _) = mujun(&["evaluate", "--help"]);
    assert_eq!(mujun(&["help", "evaluate"]).1, eval, "`help evaluate` is `evaluate --help`");
    assert!(eval.contains("用法：mujun evaluate [选项]"), "{eval}");
    assert!(
        eval.contains("--rules <规则>")
            && eval.contains(
                "（默认：当前文件夹下有 rules/fuling.toml 时用该文件，否则用内置的 fuling）"
            ),
        "{eval}"
    );
    assert!(eval.contains("--data <路径>...") && eval.contains("（默认：samples/2025）"), "{eval}");
    let (_, sample, _) = mujun(&["sample", "--help"]);
    assert!(sample.contains("输出格式（可选：csv、xlsx；默认：csv）"), "{sample}");
    assert!(
        sample.contains("--enterprises <数量>") && sample.contains("（默认：590）"),
        "{sample}"
    );
    let (_, explain, _) = mujun(&["help", "explain"]);
    assert!(
        explain.contains("用法：mujun explain [选项] <统一社会信用代码|企业名称>"),
        "{explain}"
    );
}

#[test]
fn command_line_errors_are_chinese() {
    let cases: [(&[&str], &[&str]); 9] = [
        (&["evaluate", "--rulez", "x.toml"], &["错误：不认识的参数「--rulez」", "提示：是否要用选项「--rules」？", "用法：mujun evaluate [选项]", "详细说明请加 --help 查看。"]),
        (&["evaluat"], &["错误：不认识的命令「evaluat」", "提示：是否要用命令「evaluate」？"]),
        (&["explain"], &["错误：缺少必须给出的参数：「<统一社会信用代码|企业名称>」", "用法：mujun explain [选项] <统一社会信用代码|企业名称>"]),
        (&["sample", "--format", "pdf"], &["错误：选项「--format <格式>」的值「pdf」无效（可选：「csv」、「xlsx」）"]),
        (&["sample", "--enterprises", "abc"], &["错误：选项「--enterprises <数量>」的值「abc」无效：应为整数"]),
        (&["land", "--date", "2025-13-45"], &["错误：选项「--date <日期>」的值「2025-13-45」无效：「2025-13-45」不是有效日期，应写成 2025-12-31"]),
        (&["evaluate", "--out"], &["错误：选项「--out <目录>」缺少值"]),
        (&["help", "nope"], &["错误：不认识的命令「nope」"]),
        (&["explain", "-x"], &["错误：不认识的参数「-x」", "提示：若「-x」是要给出的值（不是选项），请写成 -- -x"]),
    ];
    for (args, expected) in cases {
        let (rc, out, err) = mujun(args);
        assert_eq!(rc, 2, "{args:?} is a usage error: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        for e in expected {
            assert!(err.contains(e), "{args:?}: «{e}» not in\n{err}");
        }
        assert_chinese(&format!("{args:?}"), &err);
    }
    let (rc, _, err) = mujun(&[]);
    assert_eq!(rc, 2);
    assert!(
        err.contains("用法：mujun [选项] <命令>")
            && err.contains("  evaluate ")
            && err.contains(" 评价：读取"),
        "no command: the help, on stderr: {err}"
    );
    assert_chinese("no command", &err);
    let (_, _, err) = mujun(&["explain", "\u{1b}[2J", "--bad"]);
    assert!(err.contains("不认识的参数「--bad」"), "{err}");
    let (_, _, err) = mujun(&["sample", "--format", "\u{1b}[2J"]);
    assert!(err.contains("的值「\\x1b[2J」无效"), "the value echoed is escaped: {err}");
}
