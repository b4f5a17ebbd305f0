//! 异议: objections imported from a table against a run under notice — recorded all or none,
//! one received after the period flagged; a firm not in the run, a field the table does not have,
//! a row not named in a table of several rows per firm, and an unknown kind each refused with
//! the file, row and column.

use std::path::Path;

use crate::report_common::{code, mujun_in, write_file, write_year};
use crate::review_diff::{year, RULES};

const HEAD: &str = "统一社会信用代码,收到日期,异议类型,更正表,更正字段,对应行,更正后数值,证据说明,经办人,处理结果,处理理由\n";

/// Run 1 of the review fixture (as delivered) in the store of `dir`.
fn one_run(dir: &Path) {
    write_file(dir, "rules.toml", RULES);
    let data = dir.join("d1");
    std::fs::create_dir_all(&data).unwrap();
    write_year(&data, &year(false));
    let (status, text) =
        mujun_in(dir, &["evaluate", "--rules", "rules.toml", "--data", "d1", "--out", "o1"]);
    assert_eq!(status, 0, "{text}");
}

fn import(dir: &Path, name: &str, rows: &str) -> (i32, String) {
    write_file(dir, name, &format!("{HEAD}{rows}"));
    mujun_in(dir, &["objections", "import", name, "--run", "1"])
}

#[test]
fn objections_are_recorded_with_the_late_one_flagged_and_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    one_run(dir);
    let g1 = code(1);
    let rows = format!(
        "{g1},2024-06-03,数据有误,用地,用地面积(亩),渝(2015)涪陵区不动产权第000001号,20,不动产权证书复印件,张三,采纳,证书面积为20亩\n\
         {},2024/6/9,等级申诉,,,,,,李四,,\n\
         {},2024.6.5,其他,,,,,电话反映,张三,不采纳,与评价无关\n",
        code(11),
        code(2)
    );
    // Not under notice yet: nothing can be recorded.
    let (status, text) = import(dir, "异议.csv", &rows);
    assert_eq!(status, 8, "{text}");
    assert!(text.contains("第 1 号评价记录的状态是草稿，还没有公示，不能记录异议"), "{text}");
    let (status, text) =
        mujun_in(dir, &["runs", "notice", "1", "--from", "2024-06-01", "--to", "2024-06-07"]);
    assert_eq!(status, 0, "{text}");
    let (status, text) = import(dir, "异议.csv", &rows);
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("已记入第 1 号评价的异议 3 条"), "{text}");
    // 2024-06-09 is after the period's last day, 2024-06-07.
    assert!(text.contains("其中 1 条在公示期（至 2024-06-07）结束后收到"), "{text}");
    let (status, list) = mujun_in(dir, &["objections", "list", "--run", "1"]);
    assert_eq!(status, 0, "{list}");
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines[0], "第 1 号评价的异议 3 条");
    assert!(lines[1].contains(&g1) && lines[1].contains("2024-06-03收到 数据有误："), "{list}");
    assert!(lines[1].contains("更正 用地（渝(2015)涪陵区不动产权第000001号）「用地面积」为 20"));
    assert!(lines[1].ends_with("采纳（证书面积为20亩）"), "{list}");
    assert!(lines[2].contains("2024-06-09收到 等级申诉（逾期）：不涉及数据更正；待处理"), "{list}");
    assert!(
        lines[3].contains("2024-06-05收到 其他：") && lines[3].ends_with("不采纳（与评价无关）")
    );
}

#[test]
fn a_bad_objection_refuses_the_whole_table_naming_row_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    one_run(dir);
    let (status, text) =
        mujun_in(dir, &["runs", "notice", "1", "--from", "2024-06-01", "--to", "2024-06-07"]);
    assert_eq!(status, 0, "{text}");
    let good = format!("{},2024-06-03,等级申诉,,,,,,张三,,\n", code(1));
    let cases = [
        (
            format!("{},2024-06-03,数据有误,,,,,,,,\n", code(99)),
            "第 3 行「统一社会信用代码」列：企业「",
            "不在这次评价中",
        ),
        (
            format!("{},2024-06-03,数据有误,用地,产值,证1,20,,,,\n", code(2)),
            "第 3 行「更正字段」列：「用地」表没有「产值」列",
            "用地面积",
        ),
        (
            format!("{},2024-06-03,数据有误,用地,用地面积(亩),,20,,,,\n", code(2)),
            "第 3 行「对应行」列：「用地」表每家企业可有多行",
            "不动产权证号",
        ),
        (
            format!("{},2024-06-03,投诉,,,,,,,,\n", code(2)),
            "第 3 行「异议类型」列：「投诉」不是可用的类型",
            "数据有误、等级申诉、其他",
        ),
        (
            format!("{},6月3日,其他,,,,,,,,\n", code(2)),
            "第 3 行「收到日期」列：「6月3日」不是日期",
            "2025-06-03",
        ),
        (
            format!("{},2024-06-03,其他,,,,,,,采纳,\n", code(2)),
            "第 3 行「处理理由」列：有处理结果时须写明理由",
            "",
        ),
    ];
    for (bad, place, detail) in cases {
        let (status, text) = import(dir, "异议.csv", &format!("{good}{bad}"));
        assert_eq!(status, 4, "{place}: {text}");
        assert!(text.contains("异议表 异议.csv") && text.contains(place), "{place}: {text}");
        assert!(text.contains(detail), "{detail}: {text}");
    }
    // Nothing of any refused table was recorded, not even its good first row.
    let (_, list) = mujun_in(dir, &["objections", "list", "--run", "1"]);
    assert!(list.starts_with("第 1 号评价的异议 0 条"), "{list}");
    // A file without the table's header.
    write_file(dir, "x.csv", "a,b\n1,2\n");
    let (status, text) = mujun_in(dir, &["objections", "import", "x.csv", "--run", "1"]);
    assert_eq!(status, 4, "{text}");
    assert!(text.contains("异议表：x.csv：前30行中找不到表头行"), "{text}");
    // A table with a header of other columns only.
    write_file(dir, "y.csv", "统一社会信用代码,企业名称\n1,2\n");
    let (status, text) = mujun_in(dir, &["objections", "import", "y.csv", "--run", "1"]);
    assert_eq!(status, 4, "{text}");
    let want = "异议表 y.csv：找不到表头含「统一社会信用代码」「收到日期」「异议类型」的工作表";
    assert!(text.contains(want), "{text}");
}

/// The review fixture's two land corrections as accepted objections, laid over the year as
/// delivered by `evaluate --corrects 1`: the same nine firms move, for the same causes, as when
/// the corrected files were evaluated (review_diff), except G4, whose veto is not a correction
/// here — it moves by the benchmark alone (66.67 → 80, C both times).
#[test]
fn a_review_run_lays_the_accepted_corrections_over_the_files_as_delivered() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    one_run(dir);
    let (status, text) =
        mujun_in(dir, &["runs", "notice", "1", "--from", "2024-06-01", "--to", "2024-06-07"]);
    assert_eq!(status, 0, "{text}");
    let rows = format!(
        "{},2024-06-03,数据有误,用地,用地面积(亩),渝(2015)涪陵区不动产权第000001号,20,证书,张三,采纳,证书面积20亩\n\
         {},2024-06-04,数据有误,用地,用地面积(亩),渝(2015)涪陵区不动产权第000015号,4,证书,张三,部分采纳,按证书\n\
         {},2024-06-04,数据有误,产出,营业收入,,9999,,张三,不采纳,无证据\n",
        code(1),
        code(15),
        code(2)
    );
    let (status, text) = import(dir, "异议.csv", &rows);
    assert_eq!(status, 0, "{text}");
    let data_before = std::fs::read(dir.join("d1/用地.csv")).unwrap();
    let (status, text) = mujun_in(
        dir,
        &["evaluate", "--rules", "rules.toml", "--data", "d1", "--out", "o2", "--corrects", "1"],
    );
    assert_eq!(status, 0, "{text}");
    assert_eq!(std::fs::read(dir.join("d1/用地.csv")).unwrap(), data_before, "files untouched");
    let book = dir.join("o2/2024年度亩均效益评价结果.xlsx");
    // 更正记录: the two accepted ones (not the rejected 营业收入), file value against corrected.
    let c = crate::report_common::sheet(&book, "更正记录");
    assert_eq!(c.height(), 3);
    let row = |r: usize| (0..7).map(|k| crate::report_common::cell(&c, r, k)).collect::<Vec<_>>();
    assert_eq!(
        row(1)[1..],
        [
            code(1),
            "用地".into(),
            "用地面积".into(),
            "渝(2015)涪陵区不动产权第000001号".into(),
            "10".into(),
            "20".into()
        ]
    );
    assert_eq!(row(2)[5..], ["2".to_string(), "4".to_string()]);
    // 复核对比: G1 own data and benchmark; G2–G5 benchmark; X1, X3, X4 boundary; X5 entered.
    let (status, diff) = mujun_in(dir, &["diff", "1", "2"]);
    assert_eq!(status, 0, "{diff}");
    for line in [
        "总分、名次或等级有变化：9 家",
        "（1）本企业数据更正：1 家",
        "（2）基准值变化：5 家",
        "（3）名次或排名人数变化：3 家",
        "（4）加减分事项或调档变化：0 家",
        "（5）进入或退出评价：1 家",
    ] {
        assert!(diff.contains(line), "{line}\n{diff}");
    }
    assert!(diff.contains("评价用地面积(亩) 10 → 20"), "{diff}");
}

#[test]
fn an_accepted_correction_that_names_no_row_of_the_files_stops_the_review_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    one_run(dir);
    mujun_in(dir, &["runs", "notice", "1", "--from", "2024-06-01", "--to", "2024-06-07"]);
    let rows = format!(
        "{},2024-06-03,数据有误,用地,用地面积(亩),渝(2015)涪陵区不动产权第999999号,20,,张三,采纳,按证书\n",
        code(1)
    );
    let (status, text) = import(dir, "异议.csv", &rows);
    assert_eq!(status, 0, "{text}");
    let (status, text) = mujun_in(
        dir,
        &["evaluate", "--rules", "rules.toml", "--data", "d1", "--out", "o2", "--corrects", "1"],
    );
    assert_eq!(status, 4, "{text}");
    assert!(text.contains("第 1 号异议的更正"), "{text}");
    assert!(text.contains("无法应用：输入数据中没有这家企业的对应行"), "{text}");
    assert!(!mujun_in(dir, &["runs"]).1.contains("第 2 号"), "nothing recorded");
}

#[test]
fn an_objection_is_decided_later_until_the_review_run_is_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    one_run(dir);
    mujun_in(dir, &["runs", "notice", "1", "--from", "2024-06-01", "--to", "2024-06-07"]);
    let rows = format!(
        "{},2024-06-03,数据有误,用地,用地面积(亩),渝(2015)涪陵区不动产权第000001号,20,证书,张三,,\n",
        code(1)
    );
    assert_eq!(import(dir, "异议.csv", &rows).0, 0);
    let decide = |decision: &str, reason: &str| {
        let args =
            ["objections", "decide", "1", "--run", "1", "--decision", decision, "--reason", reason];
        mujun_in(dir, &args)
    };
    let (status, text) = decide("同意", "x");
    assert_eq!(status, 8, "{text}");
    assert!(text.contains("处理结果「同意」不是可用的词（采纳、不采纳、部分采纳）"), "{text}");
    let (status, text) = decide("采纳", " ");
    assert_eq!(status, 8, "{text}");
    assert!(text.contains("处理结果须写明理由"), "{text}");
    let (status, text) = decide("采纳", "证书面积为20亩");
    assert_eq!(status, 0, "{text}");
    let (_, list) = mujun_in(dir, &["objections", "list", "--run", "1"]);
    assert!(list.contains("采纳（证书面积为20亩）"), "{list}");
    // Once a 复核 has laid the correction over, the decision stays as it was.
    let (status, text) = mujun_in(
        dir,
        &["evaluate", "--rules", "rules.toml", "--data", "d1", "--out", "o2", "--corrects", "1"],
    );
    assert_eq!(status, 0, "{text}");
    let (status, text) = decide("不采纳", "改判");
    assert_eq!(status, 8, "{text}");
    assert!(text.contains("已由第 2 号评价复核，异议的处理结果不能再改"), "{text}");
}
