//! The review round over HTTP: a bureau user puts run 1 under notice with its period; a
//! correction of one firm's land area is re-run as a 复核 of it (by the CLI, `--corrects 1`); the
//! 复核对比 page lists the corrected firm with its own data as the cause, and a park user sees
//! only its own park's changes.

use reqwest::StatusCode;

use crate::serve::{assert_no_inline_code, entities};
use crate::serve_harness::*;

/// Run 1 under notice through the API, then the sample year with [`HOSTILE_CODE`]'s one parcel
/// corrected from 3.72 to 7.44 亩 evaluated as run 2, a 复核 of run 1.
fn corrected(bench: &Bench, server: &Server) {
    let admin = server.login(BUREAU);
    let r = admin.post_json(
        "/api/runs/1/notice",
        &serde_json::json!({ "from": "2026-06-01", "to": "2026-06-07" }),
    );
    assert_eq!(r.status(), StatusCode::OK);
    let land = bench.dir().join("data/用地.csv");
    let text = std::fs::read_to_string(&land).unwrap();
    let before = format!("{HOSTILE_CODE},渝(2020)涪陵区不动产权第000006号,自有,3.72,");
    assert!(text.contains(&before), "the sample parcel is there");
    let after = before.replace(",3.72,", ",7.44,");
    std::fs::write(&land, text.replace(&before, &after)).unwrap();
    let (code, out) = mujun(
        bench.dir(),
        &["evaluate", "--data", "data", "--out", "out2", "--store", "mujun.db", "--corrects", "1"],
        "",
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("第 2 号评价（复核，更正第 1 号评价"), "{out}");
}

#[test]
fn a_run_is_put_under_notice_by_the_bureau_only_with_a_valid_period() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let period = serde_json::json!({ "from": "2026-06-01", "to": "2026-06-07" });
    for who in [PARK, LAND, READER] {
        let r = server.login(who).post_json("/api/runs/1/notice", &period);
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who}");
    }
    let admin = server.login(BUREAU);
    let bad = serde_json::json!({ "from": "2026-06-07", "to": "2026-06-01" });
    let r = admin.post_json("/api/runs/1/notice", &bad);
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().unwrap().contains("公示结束日期 2026-06-01 早于开始日期 2026-06-07"));
    let r =
        admin.send(admin.with_csrf(reqwest::Method::POST, "/api/runs/1/notice").body("not json"));
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().unwrap().contains("请求内容应为 JSON 对象"));
    assert_eq!(admin.json("/api/runs")[0]["status"], "草稿", "nothing changed yet");
    // The page's form: the period as two date fields, posted with the session's token.
    let (_, page) = admin.text("/");
    assert!(page.contains(r#"action="/runs/1/notice""#) && page.contains(r#"type="date""#));
    let r = admin.post_form("/runs/1/notice", &[("from", "2026-06-01"), ("to", "2026-06-07")]);
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let runs = admin.json("/api/runs");
    assert_eq!(runs[0]["status"], "公示");
    assert_eq!(runs[0]["notice"], serde_json::json!(["2026-06-01", "2026-06-07"]));
    let (_, page) = admin.text("/runs/1");
    assert!(page.contains("公示期：2026-06-01 至 2026-06-07"), "the run page shows the period");
    // Under notice it cannot be put under notice again.
    assert_eq!(admin.post_json("/api/runs/1/notice", &period).status(), StatusCode::CONFLICT);
}

#[test]
fn the_review_comparison_names_the_corrected_firm_and_a_park_sees_only_its_own() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    corrected(&bench, &server);
    let admin = server.login(BUREAU);
    // Without ?with=, run 2 is compared with the run it corrects.
    let v = admin.json("/api/runs/2/compare");
    assert_eq!((v["with"].as_i64(), v["run"].as_i64()), (Some(1), Some(2)));
    let changes = v["changes"].as_array().unwrap();
    let firm = changes
        .iter()
        .find(|c| c["code"] == HOSTILE_CODE)
        .unwrap_or_else(|| panic!("the corrected firm is listed: {v}"));
    let causes = firm["causes"].as_array().unwrap();
    assert_eq!(causes[0][0], "本企业数据更正", "{firm}");
    let own = causes[0][1].as_str().unwrap();
    assert!(own.contains("3.72 → 7.44"), "{own}");
    // The summary reconciles: the firms per number of causes add up to the changed firms.
    let summary: Vec<(String, i64)> = serde_json::from_value(v["summary"].clone()).unwrap();
    let changed = summary.iter().find(|(l, _)| l == "总分、名次或等级有变化").unwrap().1;
    assert_eq!(changed, changes.len() as i64);
    let by_count: i64 = summary.iter().filter(|(l, _)| l.starts_with("有 ")).map(|(_, n)| n).sum();
    assert_eq!(by_count, changed);
    // The page: the firm's name as text, linked to its card in run 2; no inline script.
    let (status, page) = admin.text("/runs/2/compare");
    assert_eq!(status, StatusCode::OK);
    assert!(entities(&page).contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "escaped");
    assert!(!page.contains(HOSTILE_NAME), "the name raw");
    assert!(page.contains(&format!("/runs/2/firms/{HOSTILE_CODE}")));
    assert_no_inline_code("/runs/2/compare", &page);
    let (_, runs) = admin.text("/");
    assert!(runs.contains("/runs/2/compare?with=1"), "linked from the runs list");

    // A park user: only 涪陵高新区's firms, counted within it.
    let park = server.login(PARK);
    let mine = park.json("/api/runs/2/compare");
    let rows = mine["changes"].as_array().unwrap();
    assert!(rows.iter().all(|c| c["park"] == "涪陵高新区"), "{mine}");
    let all_gx = changes.iter().filter(|c| c["park"] == "涪陵高新区").count();
    assert_eq!(rows.len(), all_gx);
    for path in ["/runs/2/compare", "/api/runs/2/compare?with=1"] {
        let (_, text) = park.text(path);
        for other in [PARKS[1], PARKS[2]] {
            assert!(!text.contains(other), "{path} names {other}");
        }
    }
    // A run that corrects nothing needs ?with=; a bad one is refused in words.
    let r = admin.get("/api/runs/1/compare");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().unwrap().contains("这次评价不是复核"));
    let r = admin.get("/api/runs/2/compare?with=x");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(admin.get("/api/runs/2/compare?with=99").status(), StatusCode::NOT_FOUND);
}

#[test]
fn objections_are_recorded_by_the_bureau_and_by_a_park_for_its_own_firms_only() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let park = server.login(PARK);
    let mine = serde_json::json!({
        "统一社会信用代码": HOSTILE_CODE,
        "收到日期": "2026-06-09",
        "异议类型": "数据有误",
        "更正表": "用地",
        "更正字段": "用地面积(亩)",
        "对应行": "渝(2020)涪陵区不动产权第000006号",
        "更正后数值": "7.44",
        "证据说明": "<b>证书</b>复印件",
        "经办人": "园区王",
    });
    // Not under notice yet.
    let r = park.post_json("/api/runs/1/objections", &mine);
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().unwrap().contains("还没有公示，不能记录异议"));
    let admin = server.login(BUREAU);
    let period = serde_json::json!({ "from": "2026-06-01", "to": "2026-06-07" });
    assert_eq!(admin.post_json("/api/runs/1/notice", &period).status(), StatusCode::OK);
    // Readers and the land bureau record nothing.
    for who in [LAND, READER] {
        let r = server.login(who).post_json("/api/runs/1/objections", &mine);
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who}");
    }
    // The park user, for its own firm: recorded, late (the 9th after a period ending the 7th).
    let r = park.post_json("/api/runs/1/objections", &mine);
    assert_eq!(r.status(), StatusCode::OK);
    // Another park's firm is answered as a firm the run does not have.
    let theirs = serde_json::json!({
        "统一社会信用代码": OTHER_PARK_CODE, "收到日期": "2026-06-03", "异议类型": "其他",
    });
    let r = park.post_json("/api/runs/1/objections", &theirs);
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let text = r.text().unwrap();
    assert!(text.contains(&format!("企业「{OTHER_PARK_CODE}」不在这次评价中")), "{text}");
    // A bad field is named.
    let bad = serde_json::json!({
        "统一社会信用代码": HOSTILE_CODE, "收到日期": "2026-06-03", "异议类型": "投诉",
    });
    let r = park.post_json("/api/runs/1/objections", &bad);
    assert!(r.text().unwrap().contains("「异议类型」：「投诉」不是可用的类型"));
    // The bureau records the other park's through the page's form.
    let form = [
        ("统一社会信用代码", OTHER_PARK_CODE),
        ("收到日期", "2026-06-03"),
        ("异议类型", "等级申诉"),
        ("经办人", "经信委张三"),
    ];
    assert_eq!(admin.post_form("/runs/1/objections", &form).status(), StatusCode::SEE_OTHER);
    let all = admin.json("/api/runs/1/objections");
    let list = all["objections"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["objection"]["late"], true);
    assert_eq!(list[0]["objection"]["field"], "用地面积");
    assert_eq!(list[0]["recorded"][0], PARK);
    assert_eq!(list[1]["objection"]["late"], false);
    // The park sees its own firm's only; the other park user sees none of them.
    let own = park.json("/api/runs/1/objections");
    assert_eq!(own["objections"].as_array().unwrap().len(), 1);
    let (_, page) = park.text("/runs/1/objections");
    assert!(!page.contains(OTHER_PARK_CODE) && !page.contains(OTHER_PARK_NAME));
    assert!(entities(&page).contains("&lt;b&gt;证书&lt;/b&gt;复印件"), "evidence escaped");
    assert_no_inline_code("/runs/1/objections", &page);
    // 综保区's user sees its own firm's objection (the bureau's), never 高新区's.
    let other = server.login(PARK2).json("/api/runs/1/objections");
    let theirs = other["objections"].as_array().unwrap();
    assert!(theirs
        .iter()
        .all(|o| o["park"] == "涪陵综保区" && o["objection"]["code"] != HOSTILE_CODE));
}

#[test]
fn a_runs_one_form_per_firm_book_is_the_clis_and_a_park_gets_only_its_own() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    // The CLI on the same files (the run's inputs are the bench's data folder).
    let (code, out) = mujun(bench.dir(), &["confirm", "--data", "data", "--out", "c"], "");
    assert_eq!(code, 0, "{out}");
    let cli =
        std::fs::read(bench.dir().join("c/一企一单/2025年度一企一单_涪陵高新区.xlsx")).unwrap();
    let path = format!("/runs/1/confirm/{}", enc("涪陵高新区"));
    let admin = server.login(BUREAU);
    let (_, page) = admin.text("/runs/1/downloads");
    assert!(page.contains(&path), "linked from the downloads page");
    let r = admin.get(&path);
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().unwrap().to_vec(), cli, "byte for byte the CLI's workbook");
    // The park user: its own park's, not another's (404, logged).
    let park = server.login(PARK);
    assert_eq!(park.get(&path).status(), StatusCode::OK);
    let other = format!("/runs/1/confirm/{}", enc("白涛工业园区"));
    assert_eq!(park.get(&other).status(), StatusCode::NOT_FOUND);
    let (_, page) = park.text("/runs/1/downloads");
    assert!(!page.contains("白涛工业园区"), "only its own park is offered");
    assert_eq!(audit_entries(&bench.db(), "越权访问").len(), 1);
    // A park the run does not have.
    assert_eq!(admin.get("/runs/1/confirm/nowhere").status(), StatusCode::NOT_FOUND);
}

#[test]
fn the_bureau_decides_an_objection_and_a_park_cannot() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let admin = server.login(BUREAU);
    let period = serde_json::json!({ "from": "2026-06-01", "to": "2026-06-07" });
    assert_eq!(admin.post_json("/api/runs/1/notice", &period).status(), StatusCode::OK);
    let one = serde_json::json!({
        "统一社会信用代码": HOSTILE_CODE, "收到日期": "2026-06-03", "异议类型": "等级申诉",
    });
    let r = admin.post_json("/api/runs/1/objections", &one);
    assert_eq!(r.status(), StatusCode::OK);
    let id = r.json::<serde_json::Value>().unwrap()["id"].as_i64().unwrap();
    let path = format!("/api/runs/1/objections/{id}/decision");
    let yes = serde_json::json!({ "处理结果": "不采纳", "处理理由": "数据无误" });
    assert_eq!(server.login(PARK).post_json(&path, &yes).status(), StatusCode::FORBIDDEN);
    let bad = serde_json::json!({ "处理结果": "同意", "处理理由": "x" });
    let r = admin.post_json(&path, &bad);
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().unwrap().contains("不是可用的词"));
    assert_eq!(admin.post_json(&path, &yes).status(), StatusCode::OK);
    let list = admin.json("/api/runs/1/objections");
    assert_eq!(list["objections"][0]["objection"]["decision"], "不采纳");
    assert_eq!(list["objections"][0]["objection"]["reason"], "数据无误");
    assert_eq!(audit_entries(&bench.db(), "处理异议").len(), 1);
    let (_, page) = admin.text("/runs/1/objections");
    assert!(page.contains(&format!("/runs/1/objections/{id}/decision")), "the page's form");
}
