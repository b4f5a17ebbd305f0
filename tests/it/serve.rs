//! `mujun serve` over HTTP, as a browser meets it: the one-time setup link, log-in and its
//! throttle, sessions and their cookie, CSRF, the security headers, 年度评价 seen by each role,
//! users and the audit log — every route of the skeleton for every role.

use reqwest::Method;
use reqwest::StatusCode;

use crate::serve_harness::*;

#[test]
fn the_setup_link_is_printed_on_an_empty_store_only_works_once_and_makes_a_bureau_user() {
    let bench = Bench::empty();
    let server = bench.serve(&[]);
    let link = server.setup_link().expect("a setup link on an empty store");
    let link = link.trim();
    assert!(link.starts_with(&format!("{}/setup?token=", server.base)), "{link}");
    let path = &link[server.base.len()..];

    let mut web = server.client();
    assert_eq!(web.text("/setup?token=0123").0, StatusCode::NOT_FOUND, "a wrong token");
    assert_eq!(web.text("/setup").0, StatusCode::NOT_FOUND, "no token");
    web.refresh_csrf(path);
    let token = &path["/setup?token=".len()..];
    let form = |pw2: &str| {
        vec![("token", token.to_string()), ("name", "管理员".into()), ("password", PASSWORD.into())]
            .into_iter()
            .chain([("password2", pw2.to_string())])
            .collect::<Vec<_>>()
    };
    let r = web.send(web.with_csrf(Method::POST, "/setup").form(&form("另一个密码2026")));
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "passwords differ");
    assert!(r.text().unwrap().contains("两次输入的密码不一致"));

    let r = web.send(web.with_csrf(Method::POST, "/setup").form(&form(PASSWORD)));
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/");
    web.refresh_csrf("/");
    let users = web.json("/api/users");
    assert_eq!(users.as_array().unwrap().len(), 1, "{users}");
    assert_eq!(
        (users[0]["name"].as_str(), users[0]["role"].as_str()),
        (Some("管理员"), Some("经信委"))
    );

    // Used: the link is gone, for the page and the form alike, even from the same session.
    assert_eq!(web.text(path).0, StatusCode::NOT_FOUND);
    let r = web.send(web.with_csrf(Method::POST, "/setup").form(&form(PASSWORD)));
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(web.json("/api/users").as_array().unwrap().len(), 1);
    drop(server);

    // A store with a user prints no link, and /setup is nothing.
    let server = bench.serve(&[]);
    assert_eq!(server.setup_link(), None, "{:?}", server.banner);
    assert_eq!(server.client().text(path).0, StatusCode::NOT_FOUND);
    let mut admin = server.client();
    assert_eq!(admin.login("管理员", PASSWORD), StatusCode::SEE_OTHER);
}

#[test]
fn log_in_says_the_same_for_a_wrong_password_and_an_unknown_user_and_the_cookie_is_strict() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let mut web = server.client();
    let (status, _, wrong) = web.login_answer(BUREAU, "不是这个密码123");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, unknown) = web.login_answer("没有这个人", "不是这个密码123");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(wrong.contains("用户名或密码不正确"), "{wrong}");
    assert_eq!(wrong, unknown, "nothing tells a known name from an unknown one");
    assert_eq!(web.get("/api/runs").status(), StatusCode::UNAUTHORIZED, "not logged in");

    let (status, cookies, _) = web.login_answer(BUREAU, PASSWORD);
    assert_eq!(status, StatusCode::SEE_OTHER);
    let session = cookies.iter().find(|c| c.starts_with("mujun_session=")).expect("a session");
    let attrs: Vec<String> = session.split(';').map(|a| a.trim().to_lowercase()).collect();
    assert!(attrs.contains(&"httponly".to_string()), "{session}");
    assert!(attrs.contains(&"samesite=strict".to_string()), "{session}");
    assert!(!attrs.contains(&"secure".to_string()), "plain HTTP: {session}");
    assert_eq!(web.get("/api/runs").status(), StatusCode::OK);

    // Both failures and the success are in the audit log, with the address.
    let failed = audit_entries(&bench.db(), "登录失败");
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(failed.iter().all(|(_, d)| d == "来自 127.0.0.1"), "{failed:?}");
    assert_eq!(audit_entries(&bench.db(), "登录"), [(BUREAU.to_string(), "来自 127.0.0.1".into())]);

    // 退出 ends the session.
    let r = web.post_form("/logout", &[]);
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/login".into()));
    assert_eq!(web.get("/api/runs").status(), StatusCode::UNAUTHORIZED);

    // Behind an HTTPS proxy the cookie is Secure.
    let server = bench.serve(&["--behind-https"]);
    let (status, cookies, _) = server.client().login_answer(BUREAU, PASSWORD);
    assert_eq!(status, StatusCode::SEE_OTHER);
    let session = cookies.iter().find(|c| c.starts_with("mujun_session=")).expect("a session");
    assert!(session.split(';').any(|a| a.trim().eq_ignore_ascii_case("secure")), "{session}");
}

#[test]
fn after_five_failures_a_name_is_throttled_even_with_the_right_password() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let mut web = server.client();
    for i in 1..=5 {
        assert_eq!(web.login(PARK, "错误的密码000"), StatusCode::UNAUTHORIZED, "failure {i}");
    }
    let (status, _, page) = web.login_answer(PARK, PASSWORD);
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("登录失败次数过多，请 15 分钟后再试"), "{page}");
    assert_eq!(server.client().login(PARK, PASSWORD), StatusCode::TOO_MANY_REQUESTS);
    // Another name from the same address is not blocked by this one's failures.
    assert_eq!(server.client().login(PARK2, PASSWORD), StatusCode::SEE_OTHER);
}

#[test]
fn a_disabled_user_cannot_log_in_and_an_open_session_ends_at_once() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let park = server.login(PARK);
    assert_eq!(park.get("/api/runs").status(), StatusCode::OK);
    let admin = server.login(BUREAU);
    let r = admin.post_form("/admin/users/disable", &[("name", PARK)]);
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(park.get("/api/runs").status(), StatusCode::UNAUTHORIZED);
    let r = park.get("/");
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/login?next=%2F".into()));
    let (status, _, page) = server.client().login_answer(PARK, PASSWORD);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("用户名或密码不正确"), "no hint that the user exists: {page}");
    let users = admin.json("/api/users");
    let row = users.as_array().unwrap().iter().find(|u| u["name"] == PARK).cloned();
    assert_eq!(row.unwrap()["state"], "已停用");
    // Nobody disables their own account.
    let r = admin.post_form("/admin/users/disable", &[("name", BUREAU)]);
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().unwrap().contains("不能停用自己的账号"));
}

#[test]
fn a_state_changing_request_without_the_sessions_csrf_token_is_refused_and_changes_nothing() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let admin = server.login(BUREAU);
    let add = [("name", "新用户"), ("role", "只读"), ("password", PASSWORD)];
    let post = || admin.request(Method::POST, "/admin/users");
    let refused = [
        ("no token", post().form(&add)),
        ("a wrong header", post().header("X-CSRF-Token", "0".repeat(64)).form(&add)),
        ("an empty header", post().header("X-CSRF-Token", "").form(&add)),
        ("a wrong form field", post().form(&[add[0], add[1], add[2], ("csrf", "f00d")])),
        (
            "JSON without the header",
            admin.request(Method::POST, "/api/runs/1/finalize").json(&serde_json::json!({})),
        ),
        (
            "a header, another session's",
            post().header("X-CSRF-Token", server.login(PARK).csrf).form(&add),
        ),
    ];
    for (what, req) in refused {
        let r = admin.send(req);
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{what}");
        assert!(r.text().unwrap().contains("页面已过期或请求来源不明"), "{what}");
    }
    assert!(!users_of(&admin).contains(&"新用户".to_string()), "nobody added");
    assert_eq!(admin.json("/api/runs")[0]["status"], "草稿", "not finalized");

    // The right token, as the header or as the form's field.
    assert_eq!(admin.post_form("/admin/users", &add).status(), StatusCode::SEE_OTHER);
    let form =
        [("name", "又一个"), ("role", "只读"), ("password", PASSWORD), ("csrf", &admin.csrf)];
    assert_eq!(admin.send(post().form(&form)).status(), StatusCode::SEE_OTHER);
    let names = users_of(&admin);
    assert!(names.contains(&"新用户".into()) && names.contains(&"又一个".into()), "{names:?}");
}

fn users_of(web: &Web) -> Vec<String> {
    let users = web.json("/api/users");
    users.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap().to_string()).collect()
}

#[test]
fn every_route_of_the_skeleton_answers_each_role_as_the_contract_says() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let (g, p) = (Method::GET, Method::POST);
    let nobody = || Body::Form(vec![("name", "没有这个人".into()), ("password", PASSWORD.into())]);
    let new_user = Body::Form(vec![
        ("name", "表里新加的".into()),
        ("role", "只读".into()),
        ("password", PASSWORD.into()),
    ]);
    //                                                   未登录 经信委 园区 自然资源 只读
    let cases = [
        case(g.clone(), "/", Body::None, [303, 200, 200, 200, 200]),
        case(g.clone(), "/api/runs", Body::None, [401, 200, 200, 200, 200]),
        case(g.clone(), "/admin/users", Body::None, [303, 200, 403, 403, 403]),
        case(g.clone(), "/api/users", Body::None, [401, 200, 403, 403, 403]),
        case(g.clone(), "/admin/audit", Body::None, [303, 200, 403, 403, 403]),
        case(g.clone(), "/api/audit", Body::None, [401, 200, 403, 403, 403]),
        case(p.clone(), "/admin/users", new_user, [303, 303, 403, 403, 403]),
        case(p.clone(), "/admin/users/disable", nobody(), [303, 400, 403, 403, 403]),
        case(p.clone(), "/admin/users/password", nobody(), [303, 400, 403, 403, 403]),
        case(p.clone(), "/runs/999/finalize", Body::None, [303, 404, 403, 403, 403]),
        case(p.clone(), "/api/runs/999/finalize", Body::None, [401, 404, 403, 403, 403]),
        case(p.clone(), "/runs/999/notice", Body::None, [303, 404, 403, 403, 403]),
        case(p.clone(), "/api/runs/1/notice", Body::None, [401, 400, 403, 403, 403]),
        case(g.clone(), "/runs/1/compare?with=1", Body::None, [303, 200, 200, 200, 200]),
        case(g.clone(), "/runs/1/objections", Body::None, [303, 200, 200, 200, 200]),
        case(g.clone(), "/api/runs/999/objections", Body::None, [401, 404, 404, 404, 404]),
        case(p.clone(), "/api/runs/1/objections", Body::None, [401, 400, 400, 403, 403]),
        case(g.clone(), "/api/runs/1/compare?with=1", Body::None, [401, 200, 200, 200, 200]),
        case(p.clone(), "/api/runs/1/finalize", Body::None, [401, 200, 403, 403, 403]),
        case(p.clone(), "/api/runs/1/finalize", Body::None, [401, 409, 403, 403, 403]),
        case(g.clone(), "/static/app.css", Body::None, [200, 200, 200, 200, 200]),
        case(g.clone(), "/static/app.js", Body::None, [200, 200, 200, 200, 200]),
        case(g.clone(), "/static/..%2Fsrc%2Fmain.rs", Body::None, [404, 404, 404, 404, 404]),
        case(g.clone(), "/login", Body::None, [200, 200, 200, 200, 200]),
        case(g, "/no/such/page", Body::None, [404, 404, 404, 404, 404]),
    ];
    check_routes(&server, &cases);
    let admin = server.login(BUREAU);
    assert_eq!(admin.json("/api/runs")[0]["status"], "定稿");
    assert_eq!(audit_entries(&bench.db(), "定稿").len(), 1, "finalized once, by the bureau");
}

#[test]
fn not_logged_in_a_page_sends_to_log_in_and_back_and_the_api_answers_401_in_chinese() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let mut web = server.client();
    let r = web.get("/admin/audit?x=1");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login?next=%2Fadmin%2Faudit%3Fx%3D1");
    let r = web.get("/api/audit");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = r.json().unwrap();
    assert_eq!(body, serde_json::json!({ "error": "请先登录" }));

    let (status, page) = web.text("/login?next=%2Fadmin%2Faudit");
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"name="next" value="/admin/audit""#), "{page}");
    web.csrf = csrf_of(&page).unwrap();
    let form = |next: &'static str| {
        [
            ("csrf", web.csrf.clone()),
            ("name", BUREAU.into()),
            ("password", PASSWORD.into()),
            ("next", next.into()),
        ]
    };
    let r = web.send(web.request(Method::POST, "/login").form(&form("/admin/audit")));
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/admin/audit".into()));
    // Only a path on this server is followed: no open redirect.
    for away in ["//evil.example/", "https://evil.example/", "/\\evil.example"] {
        let mut other = server.client();
        other.refresh_csrf("/login");
        let f = [
            ("csrf", other.csrf.clone()),
            ("name", BUREAU.into()),
            ("password", PASSWORD.into()),
            ("next", away.into()),
        ];
        let r = other.send(other.request(Method::POST, "/login").form(&f));
        assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/".into()), "{away}");
    }
}

#[test]
fn every_answer_carries_the_security_headers() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let anonymous = server.client();
    let admin = server.login(BUREAU);
    let answers = [
        ("GET /login", anonymous.get("/login")),
        ("GET / not logged in", anonymous.get("/")),
        ("GET /api/runs not logged in", anonymous.get("/api/runs")),
        ("GET /static/app.js", anonymous.get("/static/app.js")),
        ("GET 404", anonymous.get("/nothing")),
        (
            "POST without CSRF",
            anonymous.request(Method::POST, "/login").form(&[("a", "b")]).send().unwrap(),
        ),
        ("GET /", admin.get("/")),
        ("GET /api/runs", admin.get("/api/runs")),
        ("GET /admin/users", admin.get("/admin/users")),
        ("GET /admin/audit", admin.get("/admin/audit")),
    ];
    for (what, r) in answers {
        let h = r.headers();
        let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let csp = get("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{what}: {csp}");
        assert!(csp.contains("default-src 'self'"), "{what}: {csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{what}: {csp}");
        assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    }
}

#[test]
fn pages_have_no_inline_script_or_style_and_load_nothing_from_elsewhere() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let admin = server.login(BUREAU);
    for path in ["/login", "/", "/admin/users", "/admin/audit"] {
        let (status, page) = admin.text(path);
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_no_inline_code(path, &page);
    }
}

#[test]
fn a_hostile_user_name_is_shown_escaped_on_the_users_page_and_in_the_audit_log() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let admin = server.login(BUREAU);
    let hostile =
        [("name", HOSTILE_NAME), ("role", "园区"), ("park", "<b>园</b>"), ("password", PASSWORD)];
    assert_eq!(admin.post_form("/admin/users", &hostile).status(), StatusCode::SEE_OTHER);
    for path in ["/admin/users", "/admin/audit"] {
        let page = entities(&admin.text(path).1);
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{path}: {page}");
        assert!(!page.contains(HOSTILE_NAME), "{path}: the name raw");
        assert!(!page.contains("<b>园</b>"), "{path}: the park raw");
    }
    // The hostile user logs in and sees its name, escaped, in the frame.
    let page = entities(&server.login(HOSTILE_NAME).text("/").1);
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;（园区·&lt;b&gt;园&lt;/b&gt;）"),
        "{page}"
    );
    assert!(!page.contains(HOSTILE_NAME));
}

#[test]
fn the_runs_list_shows_a_park_user_its_own_parks_counts_only() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    // The CLI printed, by park: 涪陵高新区 A 45 B 92 C 94 D 13; 涪陵综保区 A 16 B 33 C 24 D 7;
    // 白涛工业园区 A 36 B 70 C 53 D 8 — 491 evaluated of 590 firms in 企业名录.
    for (park, want) in [(PARKS[0], [45, 92, 94, 13]), (PARKS[1], [16, 33, 24, 7])] {
        let user = if park == PARKS[0] { PARK } else { PARK2 };
        let web = server.login(user);
        let runs = web.json("/api/runs");
        let run = &runs[0];
        let tiers: Vec<(String, i64)> = serde_json::from_value(run["tiers"].clone()).unwrap();
        let want: Vec<(String, i64)> =
            ["A", "B", "C", "D"].iter().zip(want).map(|(t, n)| (t.to_string(), n)).collect();
        assert_eq!(tiers, want, "{park}");
        let in_register = register_firms(park);
        assert_eq!(run["evaluated"].as_i64().unwrap(), want.iter().map(|w| w.1).sum::<i64>());
        let total = run["evaluated"].as_i64().unwrap() + run["not_evaluated"].as_i64().unwrap();
        assert_eq!(total, in_register, "{park}: every firm of its park, no other");
        let (_, page) = web.text("/");
        for other in PARKS.iter().filter(|p| **p != park) {
            assert!(!page.contains(other), "{park}'s page names {other}");
        }
        assert!(!web.json("/api/runs").to_string().contains(PARKS[2]));
    }
    let runs = server.login(READER).json("/api/runs");
    assert_eq!(runs[0]["evaluated"], 491);
    assert_eq!(
        runs[0]["evaluated"].as_i64().unwrap() + runs[0]["not_evaluated"].as_i64().unwrap(),
        590
    );
    assert_eq!(runs[0]["year"], 2025);
    assert_eq!(runs[0]["status"], "草稿");
}

/// Firms of `park` in the sample year's 企业名录 (counted from the file itself).
pub fn register_firms(park: &str) -> i64 {
    let text = std::fs::read_to_string(samples().join("企业名录.csv")).unwrap();
    text.lines().skip(1).filter(|l| l.split(',').nth(2) == Some(park)).count() as i64
}

/// No `<script>` with a body, no `style=` or `on…=` attribute, no URL off this server.
pub fn assert_no_inline_code(what: &str, page: &str) {
    let lower = page.to_lowercase();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("<script") {
        let tag_end = rest[at..].find('>').map(|e| at + e + 1).unwrap_or(rest.len());
        assert!(rest[at..tag_end].contains(" src="), "{what}: an inline script");
        assert!(rest[tag_end..].starts_with("</script>"), "{what}: a script with a body");
        rest = &rest[tag_end..];
    }
    assert!(!lower.contains(" style=") && !lower.contains("<style"), "{what}: inline style");
    for handler in [" onclick=", " onload=", " onerror=", " onsubmit=", " onchange=", "javascript:"]
    {
        assert!(!lower.contains(handler), "{what}: {handler}");
    }
    for off in ["src=\"http", "href=\"http", "src=\"//", "href=\"//", "url(http"] {
        assert!(!lower.contains(off), "{what}: loads {off}…");
    }
}

/// `page` with askama's numeric entities for < > & " ' written as the named ones (&lt; …).
pub fn entities(page: &str) -> String {
    page.replace("&#60;", "&lt;")
        .replace("&#62;", "&gt;")
        .replace("&#38;", "&amp;")
        .replace("&#34;", "&quot;")
        .replace("&#39;", "&#x27;")
}
