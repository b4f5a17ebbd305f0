//! The workbench under test: a real `mujun serve` on 127.0.0.1 (an ephemeral port) on a real
//! store file, its users made with `mujun user add`, a run recorded with `mujun evaluate`, and a
//! browser-like HTTP client (cookies kept, redirects not followed) that logs in and carries the
//! CSRF token.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::blocking::{multipart, Client, RequestBuilder, Response};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

/// The password of every user the fixtures make.
pub const PASSWORD: &str = "测试密码2026abc";
/// The bureau user of the fixtures.
pub const BUREAU: &str = "经信委张三";
/// The park user of 涪陵高新区.
pub const PARK: &str = "高新区李四";
/// The park user of 涪陵综保区.
pub const PARK2: &str = "综保区王五";
/// The land bureau user.
pub const LAND: &str = "自然资源赵六";
/// The read-only user.
pub const READER: &str = "只读钱七";

/// The firm of 涪陵高新区 the fixture renames to a script (evaluated, 规下).
pub const HOSTILE_CODE: &str = "9150010278407973XU";
/// Its name in the fixture.
pub const HOSTILE_NAME: &str = "<script>alert(1)</script>";
/// A firm of 涪陵综保区 (evaluated, tier D), never visible to 涪陵高新区's user.
pub const OTHER_PARK_CODE: &str = "91500102282553833X";
/// Its name.
pub const OTHER_PARK_NAME: &str = "重庆白美生物制药有限公司";
/// The sample year's three parks.
pub const PARKS: [&str; 3] = ["涪陵高新区", "涪陵综保区", "白涛工业园区"];

/// The repository's sample year.
pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/2025")
}

/// Run mujun in `dir` with `input` on stdin; (exit code, stdout + stderr).
pub fn mujun(dir: &Path, args: &[&str], input: &str) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mujun"))
        .current_dir(dir)
        .env_remove("MUJUN_STORE")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mujun");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input.as_bytes()).expect("write stdin");
    drop(stdin);
    let out = child.wait_with_output().expect("mujun ran");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

/// Add a user to the store `db` (in `dir`) with [`PASSWORD`].
pub fn add_user(dir: &Path, db: &Path, name: &str, role: &str, park: Option<&str>) {
    let db = db.to_str().expect("utf-8 path");
    let mut args = vec!["user", "add", name, "--role", role, "--store", db, "--password-stdin"];
    if let Some(p) = park {
        args.extend(["--park", p]);
    }
    let (code, text) = mujun(dir, &args, &format!("{PASSWORD}\n"));
    assert_eq!(code, 0, "user add {name}: {text}");
}

/// The sample year with [`HOSTILE_CODE`] renamed to [`HOSTILE_NAME`], copied into `dir`.
pub fn hostile_samples(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("mkdir data");
    for f in std::fs::read_dir(samples()).expect("samples") {
        let f = f.expect("entry").path();
        let mut text = std::fs::read_to_string(&f).expect("read sample");
        if f.file_name().is_some_and(|n| n == "企业名录.csv") {
            let before = format!("{HOSTILE_CODE},重庆市涪陵区盛恒装备制造有限公司,");
            assert!(text.contains(&before), "the sample firm is still there");
            text = text.replace(&before, &format!("{HOSTILE_CODE},{HOSTILE_NAME},"));
        }
        std::fs::write(data.join(f.file_name().expect("name")), text).expect("write");
    }
    data
}

/// A store prepared once per test process: the five users above and run 1, the hostile
/// sample year evaluated by the CLI into `out/`. Tests copy it ([`Bench::with_run`]).
struct Fixture {
    dir: PathBuf,
    cli_output: String,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("serve-fixture-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("fixture dir");
        let db = dir.join("mujun.db");
        add_users(&dir, &db);
        let data = hostile_samples(&dir);
        let (code, cli_output) = mujun(
            &dir,
            &["evaluate", "--data", data.to_str().unwrap(), "--out", "out", "--store", "mujun.db"],
            "",
        );
        assert_eq!(code, 0, "evaluate: {cli_output}");
        assert!(cli_output.contains("第 1 号评价（草稿）"), "{cli_output}");
        Fixture { dir, cli_output }
    })
}

fn add_users(dir: &Path, db: &Path) {
    add_user(dir, db, BUREAU, "经信委", None);
    add_user(dir, db, PARK, "园区", Some("涪陵高新区"));
    add_user(dir, db, PARK2, "园区", Some("涪陵综保区"));
    add_user(dir, db, LAND, "自然资源", None);
    add_user(dir, db, READER, "只读", None);
}

/// A test's own store folder.
pub struct Bench {
    tmp: tempfile::TempDir,
}

impl Bench {
    /// An empty folder: the server creates the store (no users: the setup link).
    pub fn empty() -> Bench {
        Bench { tmp: tempfile::tempdir().expect("tempdir") }
    }

    /// A copy of the prepared store: five users, run 1 of the hostile sample year.
    pub fn with_run() -> Bench {
        let b = Bench::empty();
        let f = fixture();
        copy_dir(&f.dir, b.dir());
        b
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        self.tmp.path()
    }

    /// The store file.
    pub fn db(&self) -> PathBuf {
        self.dir().join("mujun.db")
    }

    /// The CLI's published file `name` (inside the output folder) for run 1.
    pub fn cli_file(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir().join("out").join(name)).expect("the CLI's file")
    }

    /// What `mujun evaluate` printed for run 1.
    pub fn cli_output(&self) -> &'static str {
        &fixture().cli_output
    }

    /// Start `mujun serve` on this store with `extra` options.
    pub fn serve(&self, extra: &[&str]) -> Server {
        Server::start(self.dir(), &self.db(), extra)
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read fixture") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

/// A running `mujun serve`, killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// Everything it printed up to 按 Ctrl+C 停止.
    pub banner: Vec<String>,
    lines: mpsc::Receiver<String>,
}

impl Server {
    fn start(dir: &Path, db: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mujun"))
            .current_dir(dir)
            .env_remove("MUJUN_STORE")
            .args(["serve", "--listen", "127.0.0.1:0", "--store"])
            .arg(db)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start mujun serve");
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server { child, base: String::new(), banner: Vec::new(), lines };
        server.read_banner();
        server
    }

    fn read_banner(&mut self) {
        loop {
            let line = match self.lines.recv_timeout(Duration::from_secs(30)) {
                Ok(l) => l,
                Err(_) => panic!("mujun serve printed no address: {:?}", self.banner),
            };
            if let Some(url) = line.strip_prefix("工作台已启动：") {
                self.base = url.trim_end_matches('/').to_string();
            }
            let done = line == "按 Ctrl+C 停止";
            self.banner.push(line);
            if done {
                break;
            }
        }
        assert!(self.base.starts_with("http://127.0.0.1:"), "{:?}", self.banner);
    }

    /// The setup link it printed, if any.
    pub fn setup_link(&self) -> Option<String> {
        self.banner.iter().find(|l| l.contains("/setup?token=")).cloned()
    }

    /// A new client (a new browser: no cookies).
    pub fn client(&self) -> Web {
        Web::new(&self.base)
    }

    /// A client logged in as `name` with [`PASSWORD`].
    pub fn login(&self, name: &str) -> Web {
        let mut w = self.client();
        let status = w.login(name, PASSWORD);
        assert_eq!(status, StatusCode::SEE_OTHER, "log-in of {name}");
        w
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser-like client of the workbench: its own cookie jar, no redirects followed, the
/// session's CSRF token (read from the pages' `<meta name="csrf-token">`).
pub struct Web {
    http: Client,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The CSRF token sent with state-changing requests.
    pub csrf: String,
}

impl Web {
    fn new(base: &str) -> Web {
        let http = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(120))
            .build()
            .expect("http client");
        Web { http, base: base.to_string(), csrf: String::new() }
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET `path`.
    pub fn get(&self, path: &str) -> Response {
        self.send(self.http.get(self.url(path)))
    }

    /// GET `path`: (status, body as text).
    pub fn text(&self, path: &str) -> (StatusCode, String) {
        let r = self.get(path);
        (r.status(), r.text().expect("body"))
    }

    /// GET `path` as JSON (status must be 200).
    pub fn json(&self, path: &str) -> serde_json::Value {
        let r = self.get(path);
        assert_eq!(r.status(), StatusCode::OK, "GET {path}");
        r.json().expect("JSON")
    }

    /// A request with the session's cookie and no CSRF token.
    pub fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.http.request(method, self.url(path))
    }

    /// A request with this session's CSRF header.
    pub fn with_csrf(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.http.request(method, self.url(path)).header("X-CSRF-Token", &self.csrf)
    }

    /// POST a urlencoded form (CSRF token as a header).
    pub fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.send(self.with_csrf(Method::POST, path).form(form))
    }

    /// POST JSON (CSRF token as a header).
    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> Response {
        self.send(self.with_csrf(Method::POST, path).json(body))
    }

    /// POST files as multipart fields named `file` (CSRF token as a header).
    pub fn post_files(&self, path: &str, files: &[(&str, Vec<u8>)]) -> Response {
        self.send(self.with_csrf(Method::POST, path).multipart(files_form(files)))
    }

    /// DELETE `path` (CSRF token as a header).
    pub fn delete(&self, path: &str) -> Response {
        self.send(self.with_csrf(Method::DELETE, path))
    }

    /// Send a request built elsewhere.
    pub fn send(&self, req: RequestBuilder) -> Response {
        req.send().expect("the server answers")
    }

    /// Read the CSRF token of the page at `path` into [`Web::csrf`].
    pub fn refresh_csrf(&mut self, path: &str) {
        let (status, page) = self.text(path);
        assert_eq!(status, StatusCode::OK, "GET {path}");
        self.csrf = csrf_of(&page).unwrap_or_else(|| panic!("no csrf-token in {path}"));
    }

    /// Log in through the form as a browser does; the status of the form's answer (303 on
    /// success, the CSRF token then read again: log-in starts a new session).
    pub fn login(&mut self, name: &str, password: &str) -> StatusCode {
        self.login_answer(name, password).0
    }

    /// Log in; (status, Set-Cookie headers, body).
    pub fn login_answer(
        &mut self,
        name: &str,
        password: &str,
    ) -> (StatusCode, Vec<String>, String) {
        self.refresh_csrf("/login");
        let form = [("csrf", self.csrf.as_str()), ("name", name), ("password", password)];
        let r = self.send(self.http.post(self.url("/login")).form(&form));
        let status = r.status();
        let cookies = set_cookies(r.headers());
        let body = r.text().expect("body");
        if status == StatusCode::SEE_OTHER {
            self.refresh_csrf("/");
        }
        (status, cookies, body)
    }
}

/// The `Set-Cookie` headers of an answer.
pub fn set_cookies(h: &HeaderMap) -> Vec<String> {
    h.get_all("set-cookie").iter().map(|v| v.to_str().unwrap_or("").to_string()).collect()
}

/// The content of `<meta name="csrf-token" content="…">`.
pub fn csrf_of(page: &str) -> Option<String> {
    let at = page.find("name=\"csrf-token\"")?;
    let rest = &page[at..];
    let start = rest.find("content=\"")? + "content=\"".len();
    let end = rest[start..].find('"')?;
    Some(rest[start..start + end].to_string()).filter(|t| !t.is_empty())
}

/// Where a redirect points.
pub fn location(r: &Response) -> String {
    r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

/// The store's audit log entries (action, detail) whose action is `action`.
pub fn audit_entries(db: &Path, action: &str) -> Vec<(String, String)> {
    let store = mujun::store::Store::open_existing(db).expect("open store");
    let log = store.audit_log().expect("audit log");
    log.into_iter().filter(|e| e.2 == action).map(|e| (e.1, e.4)).collect()
}

/// `text` percent-encoded as one path segment or query value.
pub fn enc(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20")
}

/// What a route-table request sends.
pub enum Body {
    /// Nothing.
    None,
    /// A urlencoded form.
    Form(Vec<(&'static str, String)>),
    /// JSON.
    Json(serde_json::Value),
    /// Multipart files named `file`.
    Files(Vec<(&'static str, Vec<u8>)>),
}

/// One row of a route × role table: the expected status for (not logged in, 经信委, 园区 of
/// 涪陵高新区, 自然资源, 只读). Not logged in, a page answers 303 to /login and /api/ 401.
pub struct Case {
    /// GET, POST or DELETE.
    pub method: Method,
    /// Path and query.
    pub path: String,
    /// What is sent.
    pub body: Body,
    /// Expected statuses: anonymous, bureau, park, land, read-only.
    pub expect: [u16; 5],
}

/// A row of the table.
pub fn case(method: Method, path: &str, body: Body, expect: [u16; 5]) -> Case {
    Case { method, path: path.to_string(), body, expect }
}

/// Run every case for every role (bureau last: its requests may change the store) and fail
/// with the list of every mismatch.
pub fn check_routes(server: &Server, cases: &[Case]) {
    let mut anonymous = server.client();
    anonymous.refresh_csrf("/login");
    let order = [(0, None), (4, Some(READER)), (3, Some(LAND)), (2, Some(PARK)), (1, Some(BUREAU))];
    let mut wrong = Vec::new();
    for (col, user) in order {
        let web = match user {
            Some(u) => server.login(u),
            None => server.client(),
        };
        let web = if user.is_none() { &anonymous } else { &web };
        for c in cases {
            let r = web.send(build(web, c));
            let got = r.status().as_u16();
            let who = user.unwrap_or("未登录");
            if got != c.expect[col] {
                let body: String = r.text().unwrap_or_default().chars().take(200).collect();
                wrong.push(format!(
                    "{who} {} {} → {got}, expected {}: {body}",
                    c.method, c.path, c.expect[col]
                ));
            } else if col == 0 && got == 303 {
                let to = location(&r);
                if !to.starts_with("/login?next=") {
                    wrong.push(format!("未登录 {} {} → {to}", c.method, c.path));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{} of the route table wrong:\n{}", wrong.len(), wrong.join("\n"));
}

fn build(web: &Web, c: &Case) -> RequestBuilder {
    let req = web.with_csrf(c.method.clone(), &c.path);
    match &c.body {
        Body::None => req,
        Body::Form(f) => req.form(f),
        Body::Json(j) => req.json(j),
        Body::Files(files) => req.multipart(files_form(files)),
    }
}

/// Files as multipart fields named `file`.
pub fn files_form(files: &[(&str, Vec<u8>)]) -> multipart::Form {
    let mut form = multipart::Form::new();
    for (name, bytes) in files {
        form = form.part("file", multipart::Part::bytes(bytes.clone()).file_name(name.to_string()));
    }
    form
}
