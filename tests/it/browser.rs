//! The workbench in a real browser: headless Chromium (Debian's `chromium`) driven through
//! `chromedriver` (WebDriver) with fantoccini, against a real `mujun serve` on the fixture's
//! store. One browser for every scenario, in order, in one test: log in through the form as
//! the bureau, the runs list with the CLI's counts, the users page, 土地核查 with an upload and
//! its result, 新建评价 (the sample year uploaded, checked, submitted, the job followed to 完成,
//! the new run's counts, a firm card and the downloads as `mujun evaluate` prints and writes
//! them), then a park user who sees no other park. Screenshots of each main page (1366×768,
//! and the runs list at 1920×1080) go to `target/screenshots/<page>.png`.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (`apt-get install chromium
//! chromium-driver`, and `fonts-wqy-microhei` for Chinese in the screenshots; `.ci/run` installs
//! them). Without them the test fails, saying so.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

use crate::serve_harness::*;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// How long a page or an element may take to appear.
const PATIENCE: Duration = Duration::from_secs(60);

/// A headless Chromium session on the workbench at `base`, closed (and chromedriver stopped)
/// when dropped.
pub struct Browser {
    rt: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
    base: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Start chromedriver on a free port and a fresh headless Chromium at 1366×768.
    pub fn start(base: &str) -> Browser {
        for (path, what) in [(CHROMEDRIVER, "chromium-driver"), (CHROMIUM, "chromium")] {
            assert!(
                Path::new(path).is_file(),
                "找不到 {path}：浏览器测试需要 Debian 的 chromium 和 chromium-driver \
                 （apt-get install -y --no-install-recommends chromium chromium-driver；CI 的 .ci/run 会自动安装）。\
                 {path} not found: install {what} (apt-get install chromium chromium-driver; .ci/run does)"
            );
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("a profile folder");
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
        wait_for_port(port);
        let caps = capabilities(profile.path());
        let client = rt.block_on(async {
            ClientBuilder::new(HttpConnector::new())
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
                .expect("a Chromium session through chromedriver")
        });
        let b = Browser { rt, client: Some(client), driver, base: base.into(), _profile: profile };
        b.size(1366, 768);
        b
    }

    fn c(&self) -> &Client {
        self.client.as_ref().expect("a session")
    }

    /// Set the window's size.
    pub fn size(&self, width: u32, height: u32) {
        self.rt.block_on(self.c().set_window_size(width, height)).expect("window size");
    }

    /// Open `path` of the workbench.
    pub fn go(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.rt.block_on(self.c().goto(&url)).unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The path (and query) the browser shows.
    pub fn path(&self) -> String {
        let url = self.rt.block_on(self.c().current_url()).expect("current url");
        let full = url.as_str();
        full.strip_prefix(&self.base).unwrap_or(full).to_string()
    }

    /// The visible text of the page's body.
    pub fn text(&self) -> String {
        self.text_of("body")
    }

    /// The visible text of the first element matching `css`.
    pub fn text_of(&self, css: &str) -> String {
        let e = self.wait(css);
        self.rt.block_on(e.text()).unwrap_or_else(|e| panic!("text of {css}: {e}"))
    }

    /// The page's HTML as the browser holds it.
    pub fn source(&self) -> String {
        self.rt.block_on(self.c().source()).expect("page source")
    }

    /// The first element matching `css`, once it is there.
    pub fn wait(&self, css: &str) -> fantoccini::elements::Element {
        let found = self.c().wait().at_most(PATIENCE).for_element(Locator::Css(css));
        self.rt.block_on(found).unwrap_or_else(|e| panic!("no {css} on {}: {e}", self.path()))
    }

    /// How many elements match `css`.
    pub fn count(&self, css: &str) -> usize {
        self.rt.block_on(self.c().find_all(Locator::Css(css))).map_or(0, |v| v.len())
    }

    /// The visible texts of every element matching `css`, in order.
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.rt.block_on(async {
            let all = self.c().find_all(Locator::Css(css)).await.unwrap_or_default();
            let mut out = Vec::new();
            for e in all {
                out.push(e.text().await.unwrap_or_else(|e| panic!("text of {css}: {e}")));
            }
            out
        })
    }

    /// (text, href) of every link matching `css`.
    pub fn links(&self, css: &str) -> Vec<(String, String)> {
        self.rt.block_on(async {
            let all = self.c().find_all(Locator::Css(css)).await.unwrap_or_default();
            let mut out = Vec::new();
            for e in all {
                let text = e.text().await.expect("link text");
                let href = e.attr("href").await.expect("href").unwrap_or_default();
                out.push((text, href));
            }
            out
        })
    }

    /// Wait up to `patience` until the text of `css` is one of `want` (the page may reload
    /// meanwhile); that text.
    pub fn wait_text(&self, css: &str, want: &[&str], patience: Duration) -> String {
        let start = Instant::now();
        loop {
            let got = self.rt.block_on(async {
                let e = self.c().find(Locator::Css(css)).await.ok()?;
                e.text().await.ok()
            });
            if let Some(t) = got.filter(|t| want.contains(&t.trim())) {
                return t.trim().to_string();
            }
            assert!(start.elapsed() < patience, "{css} on {} never showed {want:?}", self.path());
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// GET `href` (a path of the workbench) with the browser's cookies: (status, body).
    pub fn fetch(&self, href: &str) -> (u16, Vec<u8>) {
        let cookies = self.rt.block_on(self.c().get_all_cookies()).expect("cookies");
        let header: Vec<String> =
            cookies.iter().map(|c| format!("{}={}", c.name(), c.value())).collect();
        let url = format!("{}{href}", self.base);
        let http = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .expect("http client");
        let r = http
            .get(&url)
            .header("Cookie", header.join("; "))
            .send()
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let status = r.status().as_u16();
        (status, r.bytes().expect("body").to_vec())
    }

    /// Type `text` into the field `css`.
    pub fn fill(&self, css: &str, text: &str) {
        let e = self.wait(css);
        self.rt.block_on(e.send_keys(text)).unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Click `css`.
    pub fn click(&self, css: &str) {
        let e = self.wait(css);
        self.rt.block_on(e.click()).unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Choose `files` in the file input `css` (several for a `multiple` input).
    pub fn upload(&self, css: &str, files: &[PathBuf]) {
        let paths: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        self.fill(css, &paths.join("\n"));
    }

    /// Wait until the browser shows a path for which `done` holds.
    pub fn wait_path(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let p = self.path();
            if done(&p) {
                return p;
            }
            assert!(start.elapsed() < PATIENCE, "still on {p}, waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Log in as `name` through the form (from any page); on the runs list after.
    pub fn login(&self, name: &str, password: &str) {
        self.go("/login");
        self.fill("#name", name);
        self.fill("#password", password);
        self.click("#login");
        self.wait_path("the log-in to finish", |p| !p.starts_with("/login"));
    }

    /// Log out with the frame's 退出 button.
    pub fn logout(&self) {
        self.click("form.who button");
        self.wait_path("/login", |p| p.starts_with("/login"));
    }

    /// Save a screenshot of the window as `target/screenshots/<page>.png`.
    pub fn screenshot(&self, page: &str) -> PathBuf {
        let png = self.rt.block_on(self.c().screenshot()).expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let dir = screenshots();
        std::fs::create_dir_all(&dir).expect("screenshots folder");
        let path = dir.join(format!("{page}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            let _ = self.rt.block_on(c.close());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `target/screenshots`.
pub fn screenshots() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("screenshots")
}

fn capabilities(profile: &Path) -> serde_json::Map<String, serde_json::Value> {
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1366,768",
    ];
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
    });
    caps.as_object().cloned().expect("an object")
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("its address").port()
}

fn wait_for_port(port: u16) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(30), "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The tier counts `mujun evaluate` printed 按园区, summed over the parks: tier → firms.
fn printed_tiers(cli: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    let parks = cli.lines().skip_while(|l| *l != "按园区：").skip(1);
    for line in parks.take_while(|l| l.starts_with("  ")) {
        let (_, counts) = line.split_once('：').expect("park：counts");
        for part in counts.split('，') {
            let (tier, n) = part.split_once("类 ").expect("X类 n");
            *out.entry(tier.to_string()).or_insert(0) += n.parse::<i64>().expect("a count");
        }
    }
    out
}

/// (evaluated, not evaluated) as `mujun evaluate` printed them.
fn printed_totals(cli: &str) -> (i64, i64) {
    let line = cli.lines().find(|l| l.starts_with("企业共 ")).expect("企业共 … 家");
    let nums: Vec<i64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    (nums[1], nums[2])
}

/// The names of the parks other than `park`, and of their firms, from the sample 企业名录.
fn other_parks_and_firms(park: &str) -> Vec<String> {
    let text = std::fs::read_to_string(samples().join("企业名录.csv")).unwrap();
    let mut out: Vec<String> =
        PARKS.iter().filter(|p| **p != park).map(|p| p.to_string()).collect();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells[2] != park {
            out.push(cells[1].to_string());
        }
    }
    out
}

/// The CLI's results CSV as records of (column → field).
fn csv_records(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let mut rdr = csv::ReaderBuilder::new().from_reader(bytes);
    let header: Vec<String> = rdr
        .headers()
        .expect("a header")
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    rdr.records()
        .map(|r| {
            header.iter().cloned().zip(r.expect("a record").iter().map(str::to_string)).collect()
        })
        .collect()
}

#[test]
fn the_workbench_in_headless_chromium() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let b = Browser::start(&server.base);

    // 登录 through the form, as the bureau.
    b.go("/");
    b.wait_path("the log-in page", |p| p.starts_with("/login"));
    b.screenshot("login");
    b.login(BUREAU, PASSWORD);
    assert!(b.text().contains(&format!("{BUREAU}（经信委）")), "{}", b.text());

    // 年度评价: run 1 with the counts the CLI printed.
    let cli = bench.cli_output();
    let (evaluated, not_evaluated) = printed_totals(cli);
    let cell = |n: usize| b.text_of(&format!("tr[data-run=\"1\"] td:nth-child({n})"));
    assert_eq!((cell(5), cell(6)), (evaluated.to_string(), not_evaluated.to_string()));
    let tiers = printed_tiers(cli);
    assert_eq!(tiers.values().sum::<i64>(), evaluated, "{tiers:?}");
    let shown = cell(7);
    for (tier, n) in &tiers {
        assert!(shown.contains(&format!("{tier} {n}")), "{tier} {n} in「{shown}」");
    }
    assert_eq!(cell(4), "草稿");
    b.screenshot("runs");
    b.size(1920, 1080);
    b.screenshot("runs-1920x1080");
    b.size(1366, 768);

    // 用户: the five users of the fixture.
    b.click("nav a[href=\"/admin/users\"]");
    b.wait("#users");
    let users = b.text_of("#users");
    for name in [BUREAU, PARK, PARK2, LAND, READER] {
        assert!(users.contains(name), "{name} in {users}");
    }
    b.screenshot("users");

    // 土地核查: the sample year's files chosen in the form, the checks run, the result shown.
    b.click("nav a[href=\"/land\"]");
    b.wait("#land-form");
    b.screenshot("land");
    let s = samples();
    b.upload("#std-land", &[s.join("标准地.csv")]);
    b.upload("#land-use", &[s.join("用地.csv")]);
    let year = ["企业名录.csv", "税收.csv", "产出.csv"].map(|f| s.join(f));
    b.upload("#year-data", &year);
    b.click("#land-run");
    b.wait_path("the land run's page", |p| p.starts_with("/land/") && p.len() == 22);
    b.wait("#land-projects");
    let (code, land_cli) = mujun(
        bench.dir(),
        &["land", "--data", s.to_str().unwrap(), "--out", "cli-land", "--rules", "land_fuling"],
        "",
    );
    assert_eq!(code, 0, "{land_cli}");
    let projects =
        land_cli.lines().find(|l| l.starts_with("标准地项目 ")).expect("标准地项目 N 个");
    let n: usize = projects["标准地项目 ".len()..].split(' ').next().unwrap().parse().unwrap();
    assert_eq!(b.count("#land-projects tbody tr"), n, "one row per project: {projects}");
    assert!(b.text_of("#land-summary").contains(projects.split('（').next().unwrap()));
    b.screenshot("land-run");

    // 新建评价: the sample year chosen in the picker, checked, submitted, evaluated by the
    // worker into what `mujun evaluate` prints and writes for the same files.
    b.go("/runs/new");
    b.wait("#files");
    let mut year: Vec<PathBuf> = std::fs::read_dir(&s)
        .expect("the sample year")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    year.sort();
    assert_eq!(year.len(), 8, "{year:?}");
    b.upload("#files", &year);
    b.wait("#sheets tbody tr");
    let sheets = b.texts("#sheets tbody tr");
    for f in &year {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let row = sheets.iter().find(|r| r.starts_with(&format!("{name} "))).unwrap_or_else(|| {
            panic!("{name} in the check: {sheets:?}");
        });
        assert!(row.split_whitespace().count() >= 6, "{name} recognised as a table: {row}");
    }
    assert!(sheets.iter().any(|r| r.starts_with("企业名录.csv 企业名录 ")), "{sheets:?}");
    assert_eq!(b.count("#files-table tbody tr"), year.len());
    b.screenshot("newrun");
    b.click("#submit-form button[type=\"submit\"]");
    b.wait_path("the job's page", |p| p.starts_with("/jobs/"));
    let state = b.wait_text("#job-state", &["完成", "失败"], Duration::from_secs(120));
    assert_eq!(state, "完成", "{}", b.text());
    let done = b.text_of("#job-run");
    let run: i64 = done
        .split(|c: char| !c.is_ascii_digit())
        .find(|n| !n.is_empty())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a run number in「{done}」"));
    assert_eq!(run, 2, "run 1 is the fixture's");
    b.screenshot("job");

    let cli_dir = tempfile::tempdir().expect("a folder for the CLI");
    let (code, eval_cli) = mujun(
        cli_dir.path(),
        &["evaluate", "--data", s.to_str().unwrap(), "--out", "out", "--no-store"],
        "",
    );
    assert_eq!(code, 0, "{eval_cli}");
    let cli_out = cli_dir.path().join("out");

    // The run's page: the tier counts of its 合计 row are the CLI's.
    b.go(&format!("/runs/{run}"));
    b.wait("#by-park");
    let heads = b.texts("#by-park thead th");
    let sums = b.texts("#by-park tr.sum td");
    assert_eq!(heads.len(), sums.len(), "{heads:?} {sums:?}");
    let shown: BTreeMap<String, i64> = heads
        .iter()
        .zip(&sums)
        .skip(1)
        .filter(|(h, _)| *h != "合计")
        .map(|(h, n)| (h.clone(), n.parse::<i64>().expect("a count")))
        .filter(|(_, n)| *n > 0)
        .collect();
    let want: BTreeMap<String, i64> =
        printed_tiers(&eval_cli).into_iter().filter(|(_, n)| *n > 0).collect();
    assert_eq!(shown, want, "{eval_cli}");
    let (evaluated, _) = printed_totals(&eval_cli);
    assert_eq!(sums.last().map(String::as_str), Some(evaluated.to_string().as_str()));
    b.screenshot("run");

    // The firm table and a firm's card: its name and final tier as the CLI's CSV has them.
    b.go(&format!("/runs/{run}/firms"));
    b.wait("#firms tbody tr");
    b.screenshot("firms");
    let csv_name = "2025年度亩均效益评价结果.csv";
    let csv_bytes = std::fs::read(cli_out.join(csv_name)).expect("the CLI's results CSV");
    let records = csv_records(&csv_bytes);
    let firm = records
        .iter()
        .find(|r| r["status"] == "evaluated" && r["park"] == PARKS[0])
        .expect("an evaluated firm of 涪陵高新区");
    b.go(&format!("/runs/{run}/firms/{}", firm["code"]));
    b.wait("#facts");
    assert_eq!(b.text_of("td[data-key=\"name\"]"), firm["name"]);
    assert_eq!(b.text_of("td[data-key=\"tier\"]"), firm["tier"]);
    assert!(b.text().contains(&firm["name"]));
    b.screenshot("firm");

    // 下载: a park workbook and the results CSV, as the links on the page give them.
    b.go(&format!("/runs/{run}/downloads"));
    b.wait("#downloads");
    let links = b.links("#downloads a");
    let get = |name: &str| {
        let (_, href) = links
            .iter()
            .find(|(t, _)| t == name)
            .unwrap_or_else(|| panic!("a link to {name}: {links:?}"));
        let (status, bytes) = b.fetch(href);
        assert_eq!(status, 200, "GET {href}");
        bytes
    };
    let book = "园区/2025年度亩均效益评价_涪陵高新区.xlsx";
    let book_bytes = get(book);
    assert!(book_bytes.starts_with(b"PK\x03\x04"), "a workbook");
    let cli_book = std::fs::read(cli_out.join(book)).expect("the CLI's park workbook");
    // The workbench's park workbook is the one the CLI wrote for the same files, byte for byte
    // (it records the input files by name, so the upload folder does not show in it).
    assert_eq!(book_bytes, cli_book, "{book} byte for byte");
    assert_eq!(get(csv_name), csv_bytes, "the results CSV byte for byte");

    // A park user: its own park, nothing of another park or its firms.
    b.logout();
    b.login(PARK, PASSWORD);
    let own = PARKS[0];
    let text = b.text();
    assert!(text.contains(own), "{text}");
    let others = other_parks_and_firms(own);
    let run_page = format!("/runs/{run}");
    let firms_page = format!("/runs/{run}/firms");
    for path in ["/", "/land", run_page.as_str(), firms_page.as_str()] {
        b.go(path);
        let text = b.text();
        let html = b.source();
        for other in &others {
            assert!(!text.contains(other.as_str()), "{path} shows {other}");
            assert!(!html.contains(other.as_str()), "{path}'s HTML holds {other}");
        }
    }
    assert_eq!(b.count("nav a[href=\"/land\"]"), 0, "no land link for a park user");
    b.go(&run_page);
    assert!(b.text_of("#by-park").contains(own), "{run_page} shows {own}");
    b.go(&firms_page);
    b.wait("#firms tbody tr");
    let parks = b.texts("#firms tbody td:nth-child(3)");
    assert!(!parks.is_empty() && parks.iter().all(|p| p == own), "{firms_page}: {parks:?}");
    b.screenshot("firms-park");
    b.go("/");
    b.screenshot("runs-park");
}
