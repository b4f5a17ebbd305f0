//! 土地核查 in the workbench, over HTTP: the land bureau uploads the sample year's 标准地 and 用地
//! (with the year's other tables, for 达产复核), the page shows per project and check the status
//! `mujun land` wrote in its own workbook (read back here with calamine), the workbook download
//! is byte for byte the CLI's, each role gets what WORKFLOW.md gives it (a park user: nothing,
//! logged), CSRF and the size limit hold. And `--behind-https`: the log-in throttle counts the
//! proxy's last `X-Forwarded-For` hop, and without the option ignores the header.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{open_workbook, Reader, Xlsx};
use reqwest::{Method, StatusCode};

use crate::serve::assert_no_inline_code;
use crate::serve_harness::*;

/// The sample year's files, 标准地 and 用地 first: (name, bytes).
fn sample_files() -> Vec<(String, Vec<u8>)> {
    let mut names: Vec<String> = std::fs::read_dir(samples())
        .expect("samples")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort_by_key(|n| (n != "标准地.csv", n != "用地.csv", n.clone()));
    assert_eq!(&names[..2], ["标准地.csv", "用地.csv"]);
    names.into_iter().map(|n| (n.clone(), std::fs::read(samples().join(&n)).unwrap())).collect()
}

fn upload(web: &Web, path: &str, files: &[(String, Vec<u8>)]) -> reqwest::blocking::Response {
    let files: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    web.post_files(path, &files)
}

/// `mujun land` on `data` into `out` (in `dir`): what it printed.
fn cli_land(dir: &Path, data: &Path, out: &str) -> String {
    let args = ["land", "--data", data.to_str().unwrap(), "--out", out, "--rules", "land_fuling"];
    let (code, text) = mujun(dir, &args, "");
    assert_eq!(code, 0, "mujun land: {text}");
    text
}

/// The CLI workbook's 达标情况 read back: project (宗地编号 项目名称) → 检查项 → 状态.
fn cli_statuses(book: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut wb: Xlsx<_> = open_workbook(book).expect("open the CLI's workbook");
    let range = wb.worksheet_range("达标情况").expect("sheet 达标情况");
    let cell = |r: usize, c: usize| range.get((r, c)).map(|d| d.to_string()).unwrap_or_default();
    let head: Vec<String> = (0..range.width()).map(|c| cell(0, c)).collect();
    let col = |h: &str| head.iter().position(|x| x == h).unwrap_or_else(|| panic!("no {h}"));
    let (parcel, project, item, status) =
        (col("宗地编号"), col("项目名称"), col("检查项"), col("状态"));
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for r in 1..range.height() {
        let label = match cell(r, project) {
            p if p.is_empty() => cell(r, parcel),
            p => format!("{} {p}", cell(r, parcel)),
        };
        out.entry(label).or_default().insert(cell(r, item), cell(r, status));
    }
    out
}

/// The rows of the table `id` in `page`: cells as text (tags stripped).
fn table(page: &str, id: &str) -> Vec<Vec<String>> {
    let at = page.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no table {id}"));
    let end = page[at..].find("</table>").map(|e| at + e).expect("table end");
    page[at..end]
        .split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<t")
                .skip(1)
                .filter(|c| c.starts_with('d') || c.starts_with('h'))
                .map(|c| strip_tags(&c[c.find('>').map_or(0, |i| i + 1)..]))
                .collect()
        })
        .collect()
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for ch in html.chars() {
        match ch {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// Upload the sample year as the land bureau: the run's id.
fn land_run(server: &Server) -> String {
    let land = server.login(LAND);
    let r = upload(&land, "/api/land", &sample_files());
    assert_eq!(r.status(), StatusCode::OK);
    let rec: serde_json::Value = r.json().unwrap();
    rec["id"].as_str().expect("an id").to_string()
}

#[test]
fn the_land_page_shows_per_project_and_check_the_status_mujun_land_wrote() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let land = server.login(LAND);
    // The form: its page, then the upload as the page's script sends it (multipart + header).
    let (status, page) = land.text("/land");
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"land-form\"") && page.contains("还没有土地核查记录"), "{page}");
    let r = upload(&land, "/land", &sample_files());
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    let id = to.strip_prefix("/land/").expect("to the run's page").to_string();
    assert_eq!(id.len(), 16, "{id}");
    let (status, page) = land.text(&to);
    assert_eq!(status, StatusCode::OK);
    assert_no_inline_code(&to, &page);

    // The CLI on the same sample files, its workbook read back.
    let printed = cli_land(bench.dir(), &samples(), "cli-land");
    let book = std::fs::read_dir(bench.dir().join("cli-land"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .expect("the CLI's land workbook");
    let want = cli_statuses(&book);
    assert!(want.len() >= 10, "the sample year has its 标准地 projects: {}", want.len());

    let rows = table(&page, "land-projects");
    let items: Vec<String> = rows[0][4..].to_vec();
    let mut seen = 0;
    for row in &rows[1..] {
        let cli =
            want.get(&row[0]).unwrap_or_else(|| panic!("{} not in the CLI's workbook", row[0]));
        for (item, status) in items.iter().zip(&row[4..]) {
            if !status.is_empty() {
                assert_eq!(cli.get(item), Some(status), "{} {item}", row[0]);
                seen += 1;
            }
        }
    }
    assert_eq!(rows.len() - 1, want.len(), "one row per project");
    assert_eq!(seen, want.values().map(|m| m.len()).sum::<usize>(), "every check shown");
    // The 未达标 checks listed below the table are those of the workbook.
    let fails = want.values().flat_map(|m| m.values()).filter(|s| *s == "未达标").count();
    let findings = table(&page, "land-findings");
    assert_eq!(findings.iter().skip(1).filter(|r| r[2] == "未达标").count(), fails);

    // The summary is what the CLI printed (but the file names, which differ).
    for line in printed.lines().skip(1).take_while(|l| !l.starts_with("结果已写入")) {
        let line = line.trim();
        if !line.contains(".csv") && !line.is_empty() {
            assert!(page.contains(line), "the page lacks the CLI's line「{line}」");
        }
    }
    // Listed on /land and in /api/land; recorded in the audit log.
    let list = land.json("/api/land");
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["projects"], want.len());
    assert!(land.text("/land").1.contains(&format!("/land/{id}/download")));
    let logged = audit_entries(&bench.db(), "土地核查");
    assert_eq!(logged.len(), 1);
    assert!(logged[0].1.contains("标准地.csv") && logged[0].1.contains(&id), "{logged:?}");
}

#[test]
fn the_land_workbook_download_is_byte_for_byte_what_mujun_land_writes() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let id = land_run(&server);
    let r = server.login(READER).get(&format!("/land/{id}/download"));
    assert_eq!(r.status(), StatusCode::OK);
    let disposition = r.headers()["content-disposition"].to_str().unwrap().to_string();
    let served = r.bytes().unwrap().to_vec();
    // The uploads are kept by content: mujun-land/<sha256>, one per file, no file name as a path.
    let land = bench.dir().join("mujun-land");
    for (name, bytes) in sample_files() {
        let kept = land.join(sha256_hex(&bytes));
        assert_eq!(std::fs::read(&kept).ok(), Some(bytes), "{name} kept as {}", kept.display());
        assert!(!land.join(&name).exists());
    }
    // The CLI on the files the run read (the same paths, so the same 数据核对 and 问题清单).
    let data: PathBuf = land.join("runs").join(&id).join("输入");
    cli_land(bench.dir(), &data, "cli-again");
    let name = "标准地核查与用地台账（评价日2025-12-31）.xlsx";
    let cli = std::fs::read(bench.dir().join("cli-again").join(name)).expect("the CLI's file");
    assert!(served == cli, "served {} bytes, the CLI wrote {}", served.len(), cli.len());
    assert!(disposition.contains(&enc(name)), "{disposition}");
    // The same files again are the same run, not a second one.
    assert_eq!(land_run(&server), id);
    assert_eq!(server.login(LAND).json("/api/land").as_array().unwrap().len(), 1);
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn land_routes_answer_each_role_and_a_park_user_gets_nothing_and_is_logged() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let id = land_run(&server);
    let (g, p) = (Method::GET, Method::POST);
    let two = || {
        Body::Files(vec![
            ("企业名录.csv", std::fs::read(samples().join("企业名录.csv")).unwrap()),
            ("标准地.csv", std::fs::read(samples().join("标准地.csv")).unwrap()),
            ("用地.csv", std::fs::read(samples().join("用地.csv")).unwrap()),
        ])
    };
    let run = format!("/land/{id}");
    //                                                         未登录 经信委 园区 自然资源 只读
    let cases = [
        case(g.clone(), "/land", Body::None, [303, 200, 403, 200, 200]),
        case(g.clone(), "/api/land", Body::None, [401, 200, 403, 200, 200]),
        case(g.clone(), &run, Body::None, [303, 200, 403, 200, 200]),
        case(g.clone(), &format!("/api{run}"), Body::None, [401, 200, 403, 200, 200]),
        case(g.clone(), &format!("{run}/download"), Body::None, [303, 200, 403, 200, 200]),
        case(g.clone(), "/land/0123456789abcdef", Body::None, [303, 404, 403, 404, 404]),
        case(g.clone(), "/land/..%2F..%2Fmujun.db/download", Body::None, [303, 404, 403, 404, 404]),
        case(p.clone(), "/land", two(), [303, 303, 403, 303, 403]),
        case(p.clone(), "/api/land", two(), [401, 200, 403, 200, 403]),
        case(p.clone(), "/api/land", Body::Files(vec![]), [401, 400, 403, 400, 403]),
    ];
    check_routes(&server, &cases);
    let crossed = audit_entries(&bench.db(), "越权访问");
    assert_eq!(crossed.len(), cases.len(), "every park request logged: {crossed:?}");
    assert!(crossed.iter().all(|(who, _)| who == PARK), "{crossed:?}");
    // The navigation: a link for those who may read it, none for a park user.
    for (user, link) in [(BUREAU, true), (LAND, true), (READER, true), (PARK, false)] {
        let page = server.login(user).text("/").1;
        assert_eq!(page.contains("href=\"/land\""), link, "{user}");
    }
}

#[test]
fn an_upload_needs_the_csrf_header_stays_within_the_size_limit_and_names_its_fault() {
    let bench = Bench::with_run();
    let server = bench.serve(&["--max-upload-mb", "1"]);
    let land = server.login(LAND);
    let std_land = std::fs::read(samples().join("标准地.csv")).unwrap();
    let form = || files_form(&[("标准地.csv", std_land.clone())]);
    for (what, req) in [
        ("no token", land.request(Method::POST, "/api/land").multipart(form())),
        (
            "a wrong token",
            land.request(Method::POST, "/land").header("X-CSRF-Token", "0").multipart(form()),
        ),
    ] {
        let r = land.send(req);
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{what}");
    }
    assert!(!bench.dir().join("mujun-land").exists(), "nothing kept without the token");

    // 1 MB = 1,048,576 bytes: a 1,500,000-byte file is refused, in words naming it.
    let big = vec![b'x'; 1_500_000];
    let r = land.post_files("/api/land", &[("大文件.csv", big)]);
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = r.json().unwrap();
    assert_eq!(body["error"], "文件「大文件.csv」超过单个文件 1 MB 的上限");

    let r = land.post_files("/api/land", &[("说明.txt", b"hello".to_vec())]);
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().unwrap().contains("文件「说明.txt」不是 xlsx、xls、ods 或 csv 文件"));

    // The rules are a shipped land scheme by name, never a path on the server.
    let f = form().text("rules", "/etc/passwd");
    let r = land.send(land.with_csrf(Method::POST, "/api/land").multipart(f));
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().unwrap().contains("没有名为「/etc/passwd」的内置土地核查规则方案"));
    let f = form().text("rules", "fuling");
    assert_eq!(land.send(land.with_csrf(Method::POST, "/api/land").multipart(f)).status(), 400);

    // Without a 标准地 table the engine's own message comes back.
    let file = |n: &'static str| (n, std::fs::read(samples().join(n)).unwrap());
    let r = land.post_files("/api/land", &[file("企业名录.csv"), file("用地.csv")]);
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let text = r.text().unwrap();
    assert!(text.contains("输入中没有标准地表"), "{text}");
}

/// Fail a log-in from `forwarded` (an X-Forwarded-For value) as `name`; the status.
fn login_from(server: &Server, name: &str, password: &str, forwarded: &str) -> StatusCode {
    let mut web = server.client();
    web.refresh_csrf("/login");
    let form = [("csrf", web.csrf.as_str()), ("name", name), ("password", password)];
    let req = web.request(Method::POST, "/login").header("X-Forwarded-For", forwarded).form(&form);
    web.send(req).status()
}

#[test]
fn without_behind_https_a_forwarded_for_header_does_not_escape_the_address_throttle() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    // 20 failures from this address, each under another name and another claimed address.
    for i in 1..=20 {
        let status =
            login_from(&server, &format!("无此人{i}"), "错误的密码000", &format!("10.0.0.{i}"));
        assert_eq!(status, StatusCode::UNAUTHORIZED, "failure {i}");
    }
    assert_eq!(login_from(&server, BUREAU, PASSWORD, "10.9.9.9"), StatusCode::TOO_MANY_REQUESTS);
    let failed = audit_entries(&bench.db(), "登录失败");
    assert!(failed.iter().all(|(_, d)| d == "来自 127.0.0.1"), "{failed:?}");
}

#[test]
fn behind_https_the_throttle_counts_the_proxys_last_forwarded_hop() {
    let bench = Bench::with_run();
    let server = bench.serve(&["--behind-https"]);
    // The client wrote "1.2.3.4"; the proxy appended what it saw: 203.0.113.7.
    for i in 1..=20 {
        let forwarded = format!("1.2.3.{i}, 203.0.113.7");
        let status = login_from(&server, &format!("无此人{i}"), "错误的密码000", &forwarded);
        assert_eq!(status, StatusCode::UNAUTHORIZED, "failure {i}");
    }
    // Whatever the client puts first, the proxy's hop is blocked …
    let blocked = login_from(&server, BUREAU, PASSWORD, "198.51.100.1, 203.0.113.7");
    assert_eq!(blocked, StatusCode::TOO_MANY_REQUESTS);
    // … and another client behind the same proxy is not.
    assert_eq!(login_from(&server, BUREAU, PASSWORD, "203.0.113.8"), StatusCode::SEE_OTHER);
    let failed = audit_entries(&bench.db(), "登录失败");
    assert_eq!(failed.len(), 20);
    assert!(failed.iter().all(|(_, d)| d == "来自 203.0.113.7"), "{failed:?}");
    assert_eq!(
        audit_entries(&bench.db(), "登录"),
        [(BUREAU.to_string(), "来自 203.0.113.8".into())]
    );
    // No header, or one that is not an address: the socket's peer.
    assert_eq!(
        login_from(&server, "无此人x", "错误的密码000", "unknown"),
        StatusCode::UNAUTHORIZED
    );
    let last = audit_entries(&bench.db(), "登录失败").pop().unwrap();
    assert_eq!(last.1, "来自 127.0.0.1");
}
