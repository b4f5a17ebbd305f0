//! 新建评价 over HTTP: the sample year uploaded and checked as `mujun check` checks it, the
//! upload limits (size, count, content against the extension, a zip bomb), hostile file names,
//! CSRF, the roles, two users' drafts kept apart, a draft submitted and evaluated by the worker
//! into the same tier counts the command line prints, input errors that block without a reason,
//! and a server killed during a run.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::serve::{assert_no_inline_code, entities};
use crate::serve_harness::*;

/// The files of a folder as (name, bytes), by name.
fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("data folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

fn upload(web: &Web, files: &[(String, Vec<u8>)]) -> reqwest::blocking::Response {
    let files: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    web.post_files("/api/drafts/files", &files)
}

/// The error message of a JSON answer.
fn error_of(r: reqwest::blocking::Response) -> String {
    let v: Value = r.json().expect("JSON error");
    v["error"].as_str().unwrap_or("").to_string()
}

/// `mujun check`'s row accounting: (file name, table) → [读取, 采用, 跳过, 拒收].
fn check_accounting(text: &str) -> BTreeMap<(String, String), [u64; 4]> {
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| l.contains(" → ") && l.contains("：读取 ")) {
        let (file, rest) = line.trim().split_once(" → ").unwrap();
        // The table's label may hold a "：" itself (标准地（跳过：供 mujun land 使用）).
        let (table, counts) = rest.rsplit_once("：读取 ").unwrap();
        let n: Vec<u64> = counts
            .split('，')
            .map(|part| part.trim_start_matches(|c: char| !c.is_ascii_digit()).parse().unwrap())
            .collect();
        let name = file.rsplit('/').next().unwrap().to_string();
        out.insert((name, table.to_string()), [n[0], n[1], n[2], n[3]]);
    }
    out
}

fn draft_accounting(draft: &Value) -> BTreeMap<(String, String), [u64; 4]> {
    let sheets = draft["check"]["sheets"].as_array().expect("sheets");
    sheets
        .iter()
        .map(|s| {
            let n = |k: &str| s[k].as_u64().unwrap();
            let key =
                (s["file"].as_str().unwrap().to_string(), s["table"].as_str().unwrap().to_string());
            (key, [n("read"), n("used"), n("skipped"), n("rejected")])
        })
        .collect()
}

#[test]
fn the_sample_year_uploaded_shows_each_files_table_and_rows_as_mujun_check_prints_them() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let web = server.login(BUREAU);
    let files = files_of(&samples());
    let r = upload(&web, &files);
    assert_eq!(r.status(), StatusCode::OK);
    let draft: Value = r.json().unwrap();
    assert_eq!(draft["files"].as_array().unwrap().len(), 8, "{draft}");

    let (code, cli) =
        mujun(bench.dir(), &["check", "--data", samples().to_str().unwrap(), "--out", "chk"], "");
    assert_eq!(code, 0, "{cli}");
    let expected = check_accounting(&cli);
    assert_eq!(expected.len(), 8, "{cli}");
    let got = draft_accounting(&draft);
    assert_eq!(got, expected);
    // Every sheet's rows are accounted for: 读取 = 采用 + 跳过 + 拒收.
    for ((file, _), [read, used, skipped, rejected]) in &got {
        assert_eq!(*read, used + skipped + rejected, "{file}");
    }
    // 企业名录.csv is its header line and one firm a line: every line read, the header skipped.
    let register = std::fs::read_to_string(samples().join("企业名录.csv")).unwrap();
    let lines = register.lines().filter(|l| !l.trim().is_empty()).count() as u64;
    let [read, used, skipped, _] = got[&("企业名录.csv".to_string(), "企业名录".to_string())];
    assert_eq!((read, used, skipped), (lines, lines - 1, 1));
    let tally = cli.lines().find(|l| l.starts_with("问题：")).unwrap();
    let c = &draft["check"];
    assert_eq!(
        tally,
        format!("问题：错误 {}，警告 {}，提示 {}", c["errors"], c["warnings"], c["infos"])
    );

    // The page shows the same, and removing a file checks again.
    let (status, page) = web.text("/runs/new");
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<td>企业名录.csv</td><td></td><td>企业名录</td>"), "{page}");
    assert_no_inline_code("/runs/new", &page);
    let n = files.iter().position(|(n, _)| n == "调档.csv").unwrap() + 1;
    let r = web.delete(&format!("/api/drafts/files/{n}"));
    assert_eq!(r.status(), StatusCode::OK);
    let draft: Value = r.json().unwrap();
    assert_eq!(draft["files"].as_array().unwrap().len(), 7);
    let got = draft_accounting(&draft);
    assert!(!got.keys().any(|(f, _)| f == "调档.csv"), "{got:?}");
    // A template is there to download.
    let r = web.get(&format!("/templates/{}", enc("企业名录.xlsx")));
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().unwrap().starts_with(b"PK\x03\x04"));
}

/// A zip whose one member is `mb` megabytes of zeros, deflated.
fn zip_bomb(mb: usize) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..mb {
        z.write_all(&zeros).unwrap();
    }
    z.finish().unwrap();
    out.into_inner()
}

#[test]
fn uploads_over_the_limits_or_not_what_their_name_says_are_refused_and_kept_nowhere() {
    let bench = Bench::with_run();
    let server = bench.serve(&["--max-upload-mb", "1", "--max-files", "3"]);
    let web = server.login(BUREAU);
    // 1.5 MB over a limit of 1 MB (1,048,576 bytes).
    let big = vec![("大文件.csv".to_string(), "a,b\n".repeat(1024 * 1024 * 3 / 8).into_bytes())];
    let r = upload(&web, &big);
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_of(r), "文件「大文件.csv」超过单个文件 1 MB 的上限");

    let small = |n: &str| (n.to_string(), b"a,b\n1,2\n".to_vec());
    let r = upload(&web, &[small("1.csv"), small("2.csv"), small("3.csv"), small("4.csv")]);
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(error_of(r).contains("一次评价最多上传 3 个文件"));

    let csv_text = std::fs::read(samples().join("税收.csv")).unwrap();
    for (name, bytes, what) in [
        ("税收.xlsx", csv_text.clone(), "不是该类型的工作簿"),
        ("税收.xls", zip_bomb(1), "不是Excel 97-2003 工作簿"),
        ("税收.csv", zip_bomb(1), "不是文本"),
        ("税收.txt", csv_text.clone(), "类型不受支持"),
    ] {
        let r = upload(&web, &[(name.to_string(), bytes)]);
        assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{name}");
        let e = error_of(r);
        assert!(e.contains(&format!("「{name}」")) && e.contains(what), "{name}: {e}");
    }

    // 300 MB of zeros deflate to well under 1 MB: the ratio is far over 200.
    let bomb = zip_bomb(300);
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
    let r = upload(&web, &[("炸弹.xlsx".to_string(), bomb)]);
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let e = error_of(r);
    assert!(e.contains("「炸弹.xlsx」疑似压缩炸弹"), "{e}");

    let draft = web.json("/api/drafts");
    assert_eq!(draft["files"].as_array().map_or(0, |f| f.len()), 0, "{draft}");
    let kept: Vec<String> = std::fs::read_dir(bench.dir().join("mujun-uploads"))
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    assert!(kept.iter().all(|n| n.len() == 64 && !n.starts_with('.')), "{kept:?}");
}

#[test]
fn hostile_file_names_are_kept_by_digest_and_shown_escaped() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let web = server.login(BUREAU);
    let register = std::fs::read(samples().join("企业名录.csv")).unwrap();
    let workbook = zip_bomb(0);
    let r = upload(
        &web,
        &[
            ("<script>.csv".to_string(), register.clone()),
            ("../../etc/passwd.xlsx".to_string(), workbook),
        ],
    );
    assert_eq!(r.status(), StatusCode::OK);
    let draft: Value = r.json().unwrap();
    let names: Vec<&str> =
        draft["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["<script>.csv", "passwd.xlsx"]);
    let sha = draft["files"][0]["sha256"].as_str().unwrap();
    assert_eq!(std::fs::read(bench.dir().join("mujun-uploads").join(sha)).unwrap(), register);
    assert!(!bench.dir().join("etc").exists() && !Path::new("/etc/passwd.xlsx").exists());

    let (_, page) = web.text("/runs/new");
    let page = entities(&page);
    assert!(page.contains("&lt;script&gt;.csv"), "{page}");
    assert!(!page.contains("<script>.csv"), "{page}");
    assert_no_inline_code("/runs/new", &page);
}

#[test]
fn a_change_without_the_csrf_token_is_refused_and_every_route_keeps_to_its_role() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let web = server.login(BUREAU);
    let r = web.send(
        web.request(Method::POST, "/api/drafts/files")
            .multipart(files_form(&[("调档.csv", b"x".to_vec())])),
    );
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = web.send(web.request(Method::POST, "/api/drafts/submit").json(&json!({})));
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(web.json("/api/drafts")["files"].as_array().map_or(0, |f| f.len()), 0);

    let (g, p) = (Method::GET, Method::POST);
    let file =
        || Body::Files(vec![("调档.csv", std::fs::read(samples().join("调档.csv")).unwrap())]);
    let template = format!("/templates/{}", enc("税收.xlsx"));
    //                                                            未登录 经信委 园区 自然资源 只读
    let cases = [
        case(g.clone(), "/runs/new", Body::None, [303, 200, 403, 403, 403]),
        case(g.clone(), "/api/drafts", Body::None, [401, 200, 403, 403, 403]),
        case(p.clone(), "/api/drafts/files", file(), [401, 200, 403, 403, 403]),
        case(
            p.clone(),
            "/api/drafts/scheme",
            Body::Json(json!({"scheme": "fuling"})),
            [401, 200, 403, 403, 403],
        ),
        case(Method::DELETE, "/api/drafts/files/9", Body::None, [401, 404, 403, 403, 403]),
        case(p.clone(), "/api/drafts/files/9/remove", Body::None, [401, 404, 403, 403, 403]),
        case(p.clone(), "/api/drafts/submit", Body::Json(json!({})), [401, 409, 403, 403, 403]),
        case(g.clone(), "/api/jobs", Body::None, [401, 200, 403, 403, 403]),
        case(g.clone(), "/api/jobs/99", Body::None, [401, 404, 403, 403, 403]),
        case(g.clone(), "/jobs/99", Body::None, [303, 404, 403, 403, 403]),
        case(g.clone(), &template, Body::None, [303, 200, 403, 403, 403]),
        case(g.clone(), "/templates/..%2Fmujun.db", Body::None, [303, 404, 403, 403, 403]),
        case(g, "/static/newrun.js", Body::None, [200, 200, 200, 200, 200]),
    ];
    check_routes(&server, &cases);
}

#[test]
fn two_users_uploading_at_once_each_keep_their_own_files() {
    let bench = Bench::with_run();
    add_user(bench.dir(), &bench.db(), "经信委乙", "经信委", None);
    let server = bench.serve(&[]);
    let (a, b) = (server.login(BUREAU), server.login("经信委乙"));
    let files = files_of(&samples());
    let (mine, theirs): (Vec<_>, Vec<_>) =
        files.into_iter().enumerate().partition(|(i, _)| i % 2 == 0);
    let strip =
        |v: Vec<(usize, (String, Vec<u8>))>| v.into_iter().map(|(_, f)| f).collect::<Vec<_>>();
    let (mine, theirs) = (strip(mine), strip(theirs));
    std::thread::scope(|s| {
        s.spawn(|| {
            for f in &mine {
                assert_eq!(upload(&a, std::slice::from_ref(f)).status(), StatusCode::OK);
            }
        });
        s.spawn(|| {
            for f in &theirs {
                assert_eq!(upload(&b, std::slice::from_ref(f)).status(), StatusCode::OK);
            }
        });
    });
    let names = |w: &Web| -> Vec<String> {
        let d = w.json("/api/drafts");
        d["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect()
    };
    let want = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), want(&mine));
    assert_eq!(names(&b), want(&theirs));
}

/// The CLI summary's firms per tier, summed over the groups: "  规上：A类 12，B类 30".
fn cli_tiers(text: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    let groups = text.split("按评价组：").nth(1).unwrap().split("按园区：").next().unwrap();
    for line in groups.lines().filter(|l| l.contains('：')) {
        for part in line.split_once('：').unwrap().1.split('，') {
            let (tier, n) = part.split_once("类 ").unwrap();
            *out.entry(tier.to_string()).or_default() += n.parse::<i64>().unwrap();
        }
    }
    out
}

/// Wait for job `id` to end (or to reach `until`); the job as `/api/jobs/{id}` shows it.
fn wait_job(web: &Web, id: i64, until: &[&str]) -> Value {
    let t = Instant::now();
    loop {
        let j = web.json(&format!("/api/jobs/{id}"));
        if until.contains(&j["state"].as_str().unwrap()) {
            return j;
        }
        assert!(t.elapsed() < Duration::from_secs(300), "job {id} did not end: {j}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_submitted_draft_is_evaluated_by_the_worker_into_the_counts_the_command_line_prints() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let web = server.login(BUREAU);
    assert_eq!(upload(&web, &files_of(&bench.dir().join("data"))).status(), StatusCode::OK);
    let r = web.post_json("/api/drafts/submit", &json!({}));
    assert_eq!(r.status(), StatusCode::OK);
    let id = r.json::<Value>().unwrap()["job"].as_i64().unwrap();
    assert_eq!(
        web.json("/api/drafts")["files"].as_array().unwrap().len(),
        0,
        "the draft is emptied"
    );
    let (status, page) = web.text(&format!("/jobs/{id}"));
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("评价进度"), "{page}");

    let job = wait_job(&web, id, &["完成", "失败"]);
    assert_eq!(job["state"], "完成", "{job}");
    let run = job["run"].as_i64().unwrap();
    assert_eq!(run, 2, "run 1 is the fixture's");
    let runs = web.json("/api/runs");
    let row = runs.as_array().unwrap().iter().find(|r| r["id"] == run).unwrap();
    let tiers: BTreeMap<String, i64> = row["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t[0].as_str().unwrap().to_string(), t[1].as_i64().unwrap()))
        .collect();
    assert_eq!(tiers, cli_tiers(bench.cli_output()));
    assert_eq!(row["user"], BUREAU);
    let evaluated = bench.cli_output().split("参评 ").nth(1).unwrap().split(' ').next().unwrap();
    assert_eq!(row["evaluated"].to_string(), evaluated);
    // The job's folder holds the same results CSV as the command line's.
    let out = bench.dir().join(format!("mujun-runs/{id}/out"));
    let csv = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".csv"))
        .expect("a results CSV");
    assert_eq!(std::fs::read(out.join(&csv)).unwrap(), bench.cli_file(&csv), "{csv}");
    assert!(audit_entries(&bench.db(), "提交评价")
        .iter()
        .any(|(u, d)| u == BUREAU && d.contains(&format!("第 {id} 号任务"))));
}

#[test]
fn input_errors_block_the_evaluation_until_a_reason_is_given_and_the_reason_is_recorded() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let web = server.login(BUREAU);
    let mut files = files_of(&samples());
    // A tax line without a credit code: one error (整行不采用).
    let tax = files.iter_mut().find(|(n, _)| n == "税收.csv").unwrap();
    tax.1.extend_from_slice(b",\xe5\xa2\x9e\xe5\x80\xbc\xe7\xa8\x8e,1.00\n");
    let r = upload(&web, &files);
    let draft: Value = r.json().unwrap();
    assert_eq!(draft["check"]["errors"], 1, "{}", draft["check"]["problems"]);
    let p = &draft["check"]["problems"][0];
    assert_eq!((p["severity"].as_str(), p["file"].as_str()), (Some("错误"), Some("税收.csv")));
    let lines = std::str::from_utf8(&tax_lines(&files)).unwrap().lines().count();
    assert_eq!(p["row"].as_u64(), Some(lines as u64), "the last line of 税收.csv");

    let r = web.post_json("/api/drafts/submit", &json!({}));
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(error_of(r).contains("理由"));
    let r = web.post_json("/api/drafts/submit", &json!({"reason": "税务局确认该行作废"}));
    assert_eq!(r.status(), StatusCode::OK);
    let id = r.json::<Value>().unwrap()["job"].as_i64().unwrap();
    let job = wait_job(&web, id, &["完成", "失败"]);
    assert_eq!(
        (job["state"].as_str(), job["confirm_reason"].as_str()),
        (Some("完成"), Some("税务局确认该行作废"))
    );
    let submitted = audit_entries(&bench.db(), "提交评价");
    assert!(submitted.iter().any(|(_, d)| d.contains("理由：税务局确认该行作废")), "{submitted:?}");
}

fn tax_lines(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    files.iter().find(|(n, _)| n == "税收.csv").unwrap().1.clone()
}

#[test]
fn a_server_killed_during_a_run_shows_the_job_failed_on_restart_and_the_store_checks_clean() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let web = server.login(BUREAU);
    assert_eq!(upload(&web, &files_of(&samples())).status(), StatusCode::OK);
    let r = web.post_json("/api/drafts/submit", &json!({}));
    let id = r.json::<Value>().unwrap()["job"].as_i64().unwrap();
    let seen = wait_job(&web, id, &["运行", "完成", "失败"]);
    assert_eq!(seen["state"], "运行", "{seen}");
    drop(server); // SIGKILL

    let server = bench.serve(&[]);
    assert!(
        server.banner.iter().any(|l| l == "上次关闭时未完成的 1 次评价已标为失败"),
        "{:?}",
        server.banner
    );
    let web = server.login(BUREAU);
    let job = web.json(&format!("/api/jobs/{id}"));
    assert_eq!(job["state"], "失败", "{job}");
    assert!(job["message"].as_str().unwrap().contains("工作台在评价过程中停止"), "{job}");
    assert_eq!(web.json("/api/runs").as_array().unwrap().len(), 1, "only the fixture's run");
    drop(server);
    let (code, text) = mujun(bench.dir(), &["store", "check", "--store", "mujun.db"], "");
    assert_eq!(code, 0, "{text}");
}

/// A 复核 from 新建评价: run 1 under notice, one accepted correction of a parcel recorded on the
/// workbench, the same files uploaded again and submitted as a 复核 of run 1; the worker's run is
/// recorded as 复核, and its comparison names the corrected firm's own data.
#[test]
fn a_review_submitted_from_the_workbench_lays_the_accepted_correction_over_the_upload() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let web = server.login(BUREAU);
    assert_eq!(upload(&web, &files_of(&bench.dir().join("data"))).status(), StatusCode::OK);
    // Run 1 is a draft: refused before queueing.
    let r = web.post_json("/api/drafts/submit", &json!({ "corrects": "1" }));
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(error_of(r).contains("复核只能更正公示中的评价"));
    let period = json!({ "from": "2026-06-01", "to": "2026-06-07" });
    assert_eq!(web.post_json("/api/runs/1/notice", &period).status(), StatusCode::OK);
    let objection = json!({
        "统一社会信用代码": HOSTILE_CODE, "收到日期": "2026-06-03", "异议类型": "数据有误",
        "更正表": "用地", "更正字段": "用地面积(亩)",
        "对应行": "渝(2020)涪陵区不动产权第000006号", "更正后数值": "7.44",
        "处理结果": "采纳", "处理理由": "以不动产权证书为准",
    });
    assert_eq!(web.post_json("/api/runs/1/objections", &objection).status(), StatusCode::OK);
    let (_, page) = web.text("/runs/new");
    assert!(page.contains(r#"<option value="1">复核第 1 号评价"#), "offered on the page");
    let r = web.post_json("/api/drafts/submit", &json!({ "corrects": "1" }));
    assert_eq!(r.status(), StatusCode::OK);
    let id = r.json::<Value>().unwrap()["job"].as_i64().unwrap();
    let job = wait_job(&web, id, &["完成", "失败"]);
    assert_eq!(job["state"], "完成", "{job}");
    assert_eq!(job["corrects"], 1);
    let run = job["run"].as_i64().unwrap();
    let runs = web.json("/api/runs");
    let row = runs.as_array().unwrap().iter().find(|r| r["id"] == run).unwrap();
    assert_eq!((row["status"].as_str(), row["corrects"].as_i64()), (Some("复核"), Some(1)));
    let v = web.json(&format!("/api/runs/{run}/compare"));
    let firm = v["changes"].as_array().unwrap().iter().find(|c| c["code"] == HOSTILE_CODE);
    let firm = firm.unwrap_or_else(|| panic!("the corrected firm is listed: {v}"));
    assert_eq!(firm["causes"][0][0], "本企业数据更正");
    assert!(firm["causes"][0][1].as_str().unwrap().contains("3.72 → 7.44"), "{firm}");
}
