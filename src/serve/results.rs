//! 结果: a run's page (tier counts per group × park as a table and a chart, the score
//! distribution, counts per park and cluster), its firm table (search, filters, sorting, paged
//! in the store), the firm card, and the files it published — each with a JSON twin under
//! `/api/`. A park user sees its own park only: anything of another park is 404, and asking
//! for it is written to the audit log (越权访问). Everything shown is read from the store.

mod card;
mod chart;
mod per_mu;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::app::Shared;
use super::error::ApiError;
use super::page::{self, url_encode, Chrome};
use super::{Viewer, WebError};
use crate::evaluation::NO_PARK;
use crate::report::park;
use crate::store::{
    local_time, ClusterCount, Facets, FirmPage, FirmQuery, OutputEntry, RunSummary, Sort, Store,
    StoreError, StoredPerMu, TierCount,
};
pub use card::{Card, HistoryRow, IndicatorRow};

/// What a park user's attempt at another park is logged as.
pub const TRESPASS: &str = "越权访问";
/// The width of the score distribution's bins when the stored rules set none (the reports').
const SCORE_BIN: f64 = 10.0;
/// At most this many bins (the reports' limit).
const MAX_BINS: i64 = 200;

/// The routes of this module.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/runs/{id}", get(run_page))
        .route("/api/runs/{id}", get(run_api))
        .route("/runs/{id}/firms", get(firms_page))
        .route("/api/runs/{id}/firms", get(firms_api))
        .route("/runs/{id}/firms/{code}", get(card_page))
        .route("/api/runs/{id}/firms/{code}", get(card_api))
        .route("/runs/{id}/downloads", get(downloads_page))
        .route("/api/runs/{id}/downloads", get(downloads_api))
        .route("/runs/{id}/downloads/{*file}", get(download))
        .route("/api/runs/{id}/downloads/{*file}", get(download_api))
}

/// A run number from the path; anything else is a page that does not exist.
fn run_id(text: &str) -> Result<i64, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

/// A missing run is the same 404 as any missing thing.
fn not_found(e: StoreError) -> WebError {
    match e {
        StoreError::NoRun { .. } => WebError::NotFound,
        e => WebError::Store(e),
    }
}

/// Read from the store; a missing run answers 404.
async fn read<T, F>(state: &Shared, f: F) -> Result<T, WebError>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
{
    state.read(move |s| Ok(f(s))).await?.map_err(not_found)
}

/// Log a park user's attempt at another park, and answer as if it did not exist.
pub(super) async fn trespass(state: &Shared, viewer: &Viewer, id: i64, what: String) -> WebError {
    let name = viewer.name.clone();
    let detail =
        format!("{}用户（{}）{what}", viewer.role.label(), viewer.park_scope().unwrap_or(""));
    match state.write(move |s| s.log(&name, TRESPASS, Some(id), &detail)).await {
        Ok(()) => WebError::NotFound,
        Err(e) => e,
    }
}

/// The run's heading, as every results page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RunHead {
    /// Run number.
    pub id: i64,
    /// Evaluation year.
    pub year: i32,
    /// Scheme.
    pub scheme: String,
    /// 草稿, 公示, 复核 or 定稿.
    pub status: String,
    /// Who ran it.
    pub user: String,
    /// When it finished, Beijing time.
    pub finished: String,
    /// Its notice period (first and last day), once put under 公示.
    pub notice: Option<(String, String)>,
    /// The run it corrects (a 复核).
    pub corrects: Option<i64>,
}

fn head(r: &RunSummary) -> RunHead {
    RunHead {
        id: r.id,
        year: r.year,
        scheme: r.scheme.clone(),
        status: r.status.clone(),
        user: r.user.clone(),
        finished: local_time(&r.finished_at),
        notice: r.notice.clone(),
        corrects: r.corrects,
    }
}

/// A row of counts per tier.
#[derive(Debug, Clone, Serialize)]
pub struct CountRow {
    /// Group (empty in the per-park and per-cluster tables).
    pub group: String,
    /// Park or cluster.
    pub label: String,
    /// Firms per tier, in [`RunView::tiers`] order.
    pub counts: Vec<i64>,
    /// Their sum.
    pub total: i64,
}

/// One bin of the score distribution.
#[derive(Debug, Clone, Serialize)]
pub struct Bin {
    /// Lower bound (included).
    pub from: f64,
    /// Upper bound (excluded).
    pub to: f64,
    /// Evaluated firms with a total in it.
    pub firms: i64,
}

/// A run's page, and `/api/runs/{id}`.
#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    /// Its heading.
    pub run: RunHead,
    /// The park the view is limited to (a park user's).
    pub scope: Option<String>,
    /// Evaluated and not evaluated firms (within the scope).
    pub evaluated: i64,
    /// Not evaluated.
    pub not_evaluated: i64,
    /// The tiers, in order.
    pub tiers: Vec<String>,
    /// Counts per group × park.
    pub by_group_park: Vec<CountRow>,
    /// Counts per park (all groups).
    pub by_park: Vec<CountRow>,
    /// Counts per industry cluster.
    pub by_cluster: Vec<CountRow>,
    /// Bin width of the distribution, in points.
    pub score_bin: f64,
    /// The distribution of totals.
    pub distribution: Vec<Bin>,
    /// The per-mu aggregates the reports computed: the district's, and each park's and
    /// cluster's (a park user: its park's, as a whole and per cluster); empty for a run recorded
    /// before the store kept them.
    pub per_mu: Vec<StoredPerMu>,
}

fn run_view(s: &Store, id: i64, scope: Option<&str>) -> Result<RunView, StoreError> {
    let r = s.run(id)?;
    let (evaluated, not_evaluated) = s.firm_totals(id, scope)?;
    let table = s.tier_table(id, scope)?;
    let clusters = s.cluster_table(id, scope)?;
    let mut tiers: Vec<String> = table.iter().map(|c| c.tier.clone()).collect();
    tiers.sort();
    tiers.dedup();
    let layout = crate::rules::stored_layout(&s.rules_text(id)?).unwrap_or_default();
    let score_bin = layout.score_bin.unwrap_or(SCORE_BIN);
    let totals: Vec<f64> = s.totals(id, scope)?.into_iter().map(|(_, t)| t).collect();
    Ok(RunView {
        run: head(&r),
        scope: scope.map(str::to_string),
        evaluated,
        not_evaluated,
        by_group_park: group_park_rows(&tiers, &table),
        by_park: park_rows(&tiers, &table),
        by_cluster: cluster_rows(&tiers, &clusters),
        tiers,
        score_bin,
        distribution: distribution(&totals, score_bin),
        per_mu: s.per_mu(id, scope)?,
    })
}

/// One row per group and park (the store's order: by group, then park).
fn group_park_rows(tiers: &[String], table: &[TierCount]) -> Vec<CountRow> {
    let mut keys: Vec<(&str, &str)> =
        table.iter().map(|c| (c.group.as_str(), c.park.as_str())).collect();
    keys.dedup();
    keys.iter()
        .map(|(g, p)| {
            let mut it = table
                .iter()
                .filter(|c| c.group == *g && c.park == *p)
                .map(|c| (c.tier.as_str(), c.count));
            count_row(tiers, g, p, &mut it)
        })
        .collect()
}

/// One row per park, over its groups.
fn park_rows(tiers: &[String], table: &[TierCount]) -> Vec<CountRow> {
    let mut parks: Vec<&str> = table.iter().map(|c| c.park.as_str()).collect();
    parks.sort();
    parks.dedup();
    parks
        .iter()
        .map(|p| {
            let mut it = table.iter().filter(|c| c.park == *p).map(|c| (c.tier.as_str(), c.count));
            count_row(tiers, "", p, &mut it)
        })
        .collect()
}

/// One row per cluster (the store's order).
fn cluster_rows(tiers: &[String], clusters: &[ClusterCount]) -> Vec<CountRow> {
    let mut names: Vec<&str> = clusters.iter().map(|c| c.cluster.as_str()).collect();
    names.dedup();
    names
        .iter()
        .map(|k| {
            let mut it =
                clusters.iter().filter(|c| c.cluster == *k).map(|c| (c.tier.as_str(), c.count));
            count_row(tiers, "", k, &mut it)
        })
        .collect()
}

/// (tier, firms) pairs summed per tier of `tiers` into a row.
fn count_row(
    tiers: &[String],
    group: &str,
    label: &str,
    pairs: &mut dyn Iterator<Item = (&str, i64)>,
) -> CountRow {
    let mut counts = vec![0; tiers.len()];
    for (t, n) in pairs {
        if let Some(i) = tiers.iter().position(|x| x == t) {
            counts[i] += n;
        }
    }
    let total = counts.iter().sum();
    CountRow { group: group.into(), label: label.into(), counts, total }
}

/// Stored totals counted into bins of `bin` points, as the reports bin them: [k·bin, (k+1)·bin),
/// from the lowest bin to the highest (at most [`MAX_BINS`], the last taking the rest).
fn distribution(totals: &[f64], bin: f64) -> Vec<Bin> {
    let k = |x: f64| (x / bin).floor() as i64;
    let (Some(lo), Some(hi)) =
        (totals.iter().map(|t| k(*t)).min(), totals.iter().map(|t| k(*t)).max())
    else {
        return Vec::new();
    };
    let hi = hi.min(lo + MAX_BINS - 1);
    let mut firms = vec![0; (hi - lo + 1) as usize];
    for t in totals {
        firms[(k(*t).clamp(lo, hi) - lo) as usize] += 1;
    }
    firms
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let b = lo + i as i64;
            Bin { from: b as f64 * bin, to: (b + 1) as f64 * bin, firms: n }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "run.html")]
struct RunPage {
    chrome: Chrome,
    v: RunView,
    park_chart: chart::Bars,
    group_chart: chart::Bars,
    histogram: chart::Columns,
    per_mu_heads: [&'static str; 4],
    per_mu_parks: Vec<per_mu::Row>,
    per_mu_clusters: Vec<per_mu::Row>,
}

async fn run_data(state: &Shared, viewer: &Viewer, id: &str) -> Result<RunView, WebError> {
    let id = run_id(id)?;
    let scope = viewer.park_scope().map(str::to_string);
    read(state, move |s| run_view(s, id, scope.as_deref())).await
}

async fn run_page(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let v = run_data(&state, &viewer, &id).await?;
    let park_rows: Vec<(String, Vec<i64>)> =
        v.by_park.iter().map(|r| (r.label.clone(), r.counts.clone())).collect();
    let group_rows: Vec<(String, Vec<i64>)> = v
        .by_group_park
        .iter()
        .map(|r| (format!("{} · {}", r.group, r.label), r.counts.clone()))
        .collect();
    let bins: Vec<(String, i64)> =
        v.distribution.iter().map(|b| (b.from.to_string(), b.firms)).collect();
    let title = format!("{}年度评价结果（第 {} 号）", v.run.year, v.run.id);
    let (per_mu_parks, per_mu_clusters) = per_mu::tables(&v.per_mu);
    page::render(&RunPage {
        per_mu_heads: per_mu::HEADS,
        per_mu_parks,
        per_mu_clusters,
        chrome: Chrome::new(&title, &viewer),
        park_chart: chart::bars(&v.tiers, &park_rows),
        group_chart: chart::bars(&v.tiers, &group_rows),
        histogram: chart::columns(&bins),
        v,
    })
}

async fn run_api(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<RunView>, ApiError> {
    Ok(Json(run_data(&state, &viewer, &id).await?))
}

/// The firm table's request as the query string gives it (every field optional; blank = none).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FirmParams {
    /// Search: a credit code's beginning or any part of a name.
    pub q: Option<String>,
    /// Filters.
    pub park: Option<String>,
    /// Group id.
    pub group: Option<String>,
    /// Final tier.
    pub tier: Option<String>,
    /// Cluster.
    pub cluster: Option<String>,
    /// `rank`, `total`, `name` or `code`.
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub order: Option<String>,
    /// Page from 1.
    pub page: Option<String>,
    /// Firms per page (at most 200).
    pub size: Option<String>,
}

fn blank(v: &Option<String>) -> Option<String> {
    v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl FirmParams {
    /// The store's query for `scope`; a sort, order or number that is not one is refused by name.
    fn query(&self, scope: Option<&str>) -> Result<FirmQuery, WebError> {
        let sort = match blank(&self.sort) {
            None => Sort::default(),
            Some(s) => Sort::parse(&s).ok_or_else(|| {
                WebError::BadRequest("排序方式 sort 只能是 rank、total、name 或 code".into())
            })?,
        };
        let desc = match blank(&self.order).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => {
                return Err(WebError::BadRequest("排序方向 order 只能是 asc 或 desc".into()))
            }
        };
        let number = |v: &Option<String>, field: &str| match blank(v) {
            None => Ok(0),
            Some(t) => t
                .parse::<u32>()
                .map_err(|_| WebError::BadRequest(format!("{field} 应为正整数，收到「{t}」"))),
        };
        Ok(FirmQuery {
            scope: scope.map(str::to_string),
            q: blank(&self.q).unwrap_or_default(),
            park: blank(&self.park),
            group: blank(&self.group),
            tier: blank(&self.tier),
            cluster: blank(&self.cluster),
            sort,
            desc,
            page: number(&self.page, "页码 page")?,
            per_page: number(&self.size, "每页条数 size")?,
        })
    }
}

/// The firm table, and `/api/runs/{id}/firms`.
#[derive(Debug, Clone, Serialize)]
pub struct FirmsView {
    /// The run's heading.
    pub run: RunHead,
    /// The park the view is limited to.
    pub scope: Option<String>,
    /// The page.
    #[serde(flatten)]
    pub page: FirmPage,
    /// Pages in all.
    pub pages: i64,
    /// What the filters offer.
    pub facets: Facets,
}

async fn firms_data(
    state: &Shared,
    viewer: &Viewer,
    id: &str,
    p: &FirmParams,
) -> Result<(FirmsView, FirmQuery), WebError> {
    let id = run_id(id)?;
    let q = p.query(viewer.park_scope())?;
    if let (Some(own), Some(asked)) = (viewer.park_scope(), q.park.as_deref()) {
        if own != asked {
            let what = format!("查询其他园区（{asked}）的企业名单");
            return Err(trespass(state, viewer, id, what).await);
        }
    }
    let query = q.clone();
    let view = read(state, move |s| {
        let run = s.run(id)?;
        let page = s.firms(id, &query)?;
        let facets = s.facets(id, query.scope.as_deref())?;
        Ok(FirmsView {
            run: head(&run),
            scope: query.scope.clone(),
            pages: (page.matching.max(0) as u64).div_ceil(u64::from(page.per_page)).max(1) as i64,
            page,
            facets,
        })
    })
    .await?;
    Ok((view, q))
}

/// A link of the firm table with the request's filters, another sort or page.
struct Links {
    base: String,
    sort: String,
    desc: bool,
}

impl Links {
    fn new(id: i64, q: &FirmQuery) -> Links {
        let mut base = format!("/runs/{id}/firms?");
        let pairs = [
            ("q", Some(q.q.clone()).filter(|s| !s.is_empty())),
            ("park", q.park.clone()),
            ("group", q.group.clone()),
            ("tier", q.tier.clone()),
            ("cluster", q.cluster.clone()),
            ("size", (q.per_page > 0).then(|| q.size().to_string())),
        ];
        for (k, v) in pairs {
            if let Some(v) = v {
                base.push_str(&format!("{k}={}&", url_encode(&v)));
            }
        }
        Links { base, sort: q.sort.name().into(), desc: q.desc }
    }

    fn page(&self, page: i64) -> String {
        let order = if self.desc { "desc" } else { "asc" };
        format!("{}sort={}&order={order}&page={page}", self.base, self.sort)
    }

    /// Sorted by `sort`: ascending, or the other way when already sorted so.
    fn sorted_by(&self, sort: &str) -> String {
        let desc = self.sort == sort && !self.desc;
        let order = if desc { "desc" } else { "asc" };
        format!("{}sort={sort}&order={order}", self.base)
    }
}

#[derive(Template)]
#[template(path = "firms.html")]
struct FirmsPage {
    chrome: Chrome,
    v: FirmsView,
    q: FirmQuery,
    links: Links,
    prev: Option<String>,
    next: Option<String>,
    first: i64,
    last: i64,
}

async fn firms_page(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(p): Query<FirmParams>,
) -> Result<Html<String>, WebError> {
    let (v, q) = firms_data(&state, &viewer, &id, &p).await?;
    let links = Links::new(v.run.id, &q);
    let page = i64::from(v.page.page);
    let first = (page - 1) * i64::from(v.page.per_page) + 1;
    let last = (first + v.page.rows.len() as i64 - 1).max(0);
    let title = format!("{}年度企业名单（第 {} 号评价）", v.run.year, v.run.id);
    page::render(&FirmsPage {
        chrome: Chrome::new(&title, &viewer),
        prev: (page > 1).then(|| links.page(page - 1)),
        next: (page < v.pages).then(|| links.page(page + 1)),
        first: if v.page.rows.is_empty() { 0 } else { first },
        last,
        links,
        v,
        q,
    })
}

async fn firms_api(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(p): Query<FirmParams>,
) -> Result<Json<FirmsView>, ApiError> {
    Ok(Json(firms_data(&state, &viewer, &id, &p).await?.0))
}

/// The firm card, and `/api/runs/{id}/firms/{code}`.
#[derive(Debug, Clone, Serialize)]
pub struct CardView {
    /// The run's heading.
    pub run: RunHead,
    /// The firm's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The card.
    #[serde(flatten)]
    pub card: Card,
}

async fn card_data(
    state: &Shared,
    viewer: &Viewer,
    id: &str,
    code: String,
) -> Result<CardView, WebError> {
    let id = run_id(id)?;
    let asked = code.clone();
    let found = read(state, move |s| {
        let run = s.run(id)?;
        let line = s.firm_line(id, &asked)?;
        let years = match &line {
            Some(_) => s.history(&asked, Some(&run.scheme))?,
            None => Vec::new(),
        };
        Ok((run, line, years))
    })
    .await?;
    let (run, Some(line), years) = found else { return Err(WebError::NotFound) };
    if !viewer.sees_park(line.park.as_deref()) {
        let what = format!("查看其他园区企业（{code}）的企业卡片");
        return Err(trespass(state, viewer, id, what).await);
    }
    // A park user sees the firm's years in its own park only.
    let years: Vec<_> = years.into_iter().filter(|y| viewer.sees_park(y.park.as_deref())).collect();
    let card = card::card(&line, &years);
    let name = card.facts.iter().find(|f| f.0 == "name").map(|f| f.2.clone()).unwrap_or_default();
    Ok(CardView { run: head(&run), code, name, card })
}

#[derive(Template)]
#[template(path = "firm.html")]
struct FirmPageT {
    chrome: Chrome,
    v: CardView,
}

async fn card_page(
    State(state): State<Shared>,
    viewer: Viewer,
    Path((id, code)): Path<(String, String)>,
) -> Result<Html<String>, WebError> {
    let v = card_data(&state, &viewer, &id, code).await?;
    let title = format!("企业卡片：{}", v.name);
    page::render(&FirmPageT { chrome: Chrome::new(&title, &viewer), v })
}

async fn card_api(
    State(state): State<Shared>,
    viewer: Viewer,
    Path((id, code)): Path<(String, String)>,
) -> Result<Json<CardView>, ApiError> {
    Ok(Json(card_data(&state, &viewer, &id, code).await?))
}

/// The files of a run a viewer may download: every file, or for a park user its own park's
/// workbook only (its 公示名单 is a sheet of it). With the run's heading.
async fn files_for(
    state: &Shared,
    viewer: &Viewer,
    id: i64,
) -> Result<(RunHead, Vec<OutputEntry>, Vec<OutputEntry>), WebError> {
    let scope = viewer.park_scope().map(str::to_string);
    read(state, move |s| {
        let run = s.run(id)?;
        let all = s.output_list(id)?;
        let own = match scope {
            None => all.clone(),
            Some(p) => {
                let name = park_workbook(s, &run, &p)?;
                all.iter().filter(|f| Some(&f.name) == name.as_ref()).cloned().collect()
            }
        };
        Ok((head(&run), own, all))
    })
    .await
}

/// The path of `park`'s workbook in run `run`'s output folder, named as `evaluate` names it
/// (the run's parks in order, made unique the same way); None when the run has no such park.
fn park_workbook(s: &Store, run: &RunSummary, park: &str) -> Result<Option<String>, StoreError> {
    let parks: Vec<String> =
        s.facets(run.id, None)?.parks.into_iter().filter(|p| p != NO_PARK).collect();
    let list: Vec<&String> = parks.iter().collect();
    let names = park::file_names(&list, run.year);
    Ok(parks.iter().position(|p| p == park).map(|i| format!("{}/{}", park::DIR, names[i])))
}

/// The downloads page, and `/api/runs/{id}/downloads`.
#[derive(Debug, Clone, Serialize)]
pub struct DownloadsView {
    /// The run's heading.
    pub run: RunHead,
    /// The files the viewer may download.
    pub files: Vec<OutputEntry>,
    /// The parks whose 一企一单 the viewer may download (made on request from the run's inputs).
    pub confirm_parks: Vec<String>,
}

#[derive(Template)]
#[template(path = "downloads.html")]
struct DownloadsPage {
    chrome: Chrome,
    v: DownloadsView,
}

impl DownloadsPage {
    fn confirm_href(&self, park: &str) -> String {
        format!("/runs/{}/confirm/{}", self.v.run.id, url_encode(park))
    }

    fn href(&self, f: &OutputEntry) -> String {
        let parts: Vec<String> = f.name.split('/').map(url_encode).collect();
        format!("/runs/{}/downloads/{}", self.v.run.id, parts.join("/"))
    }
}

async fn downloads_data(
    state: &Shared,
    viewer: &Viewer,
    id: &str,
) -> Result<DownloadsView, WebError> {
    let id = run_id(id)?;
    let (run, files, _) = files_for(state, viewer, id).await?;
    let scope = viewer.park_scope().map(str::to_string);
    let confirm_parks = read(state, move |s| Ok(s.facets(id, scope.as_deref())?.parks)).await?;
    Ok(DownloadsView { run, files, confirm_parks })
}

async fn downloads_page(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let v = downloads_data(&state, &viewer, &id).await?;
    let title = format!("{}年度评价结果下载（第 {} 号）", v.run.year, v.run.id);
    page::render(&DownloadsPage { chrome: Chrome::new(&title, &viewer), v })
}

async fn downloads_api(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<DownloadsView>, ApiError> {
    Ok(Json(downloads_data(&state, &viewer, &id).await?))
}

/// One published file, its bytes as `evaluate` wrote them.
async fn download(
    State(state): State<Shared>,
    viewer: Viewer,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = run_id(&id)?;
    let (_, mine, all) = files_for(&state, &viewer, id).await?;
    if !mine.iter().any(|f| f.name == file) {
        if all.iter().any(|f| f.name == file) {
            let what = format!("下载无权查看的文件（{file}）");
            return Err(trespass(&state, &viewer, id, what).await);
        }
        return Err(WebError::NotFound);
    }
    let name = file.clone();
    let bytes = read(&state, move |s| s.output_file(id, &name)).await?.ok_or(WebError::NotFound)?;
    let base = file.rsplit('/').next().unwrap_or(&file);
    let disposition =
        format!("attachment; filename*=UTF-8''{}", url_encode(base).replace('+', "%20"));
    let headers = [
        (header::CONTENT_TYPE, content_type(&file).to_string()),
        (header::CONTENT_DISPOSITION, disposition),
    ];
    Ok((headers, bytes).into_response())
}

/// [`download`] answering its failures as JSON.
async fn download_api(
    state: State<Shared>,
    viewer: Viewer,
    path: Path<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(download(state, viewer, path).await?)
}

/// The content type of a published file by its extension.
fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().map(str::to_ascii_lowercase).as_deref() {
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("csv") => "text/csv; charset=utf-8",
        Some("json") => "application/json",
        Some("html") => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Firms per tier summed over `rows` (the tables' 合计 row).
pub fn tier_sums(rows: &[CountRow], tiers: usize) -> Vec<i64> {
    let mut sums = vec![0; tiers];
    for r in rows {
        sums.iter_mut().zip(&r.counts).for_each(|(s, n)| *s += n);
    }
    sums
}

impl RunPage {
    fn sums(&self) -> Vec<i64> {
        tier_sums(&self.v.by_park, self.v.tiers.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_fall_in_bins_that_include_their_lower_bound() {
        // 59.9 → [50, 60); 60 → [60, 70); 61, 69.99 → [60, 70); 85 → [80, 90); [70, 80) empty.
        let d = distribution(&[59.9, 60.0, 61.0, 69.99, 85.0], 10.0);
        let got: Vec<(f64, i64)> = d.iter().map(|b| (b.from, b.firms)).collect();
        assert_eq!(got, [(50.0, 1), (60.0, 3), (70.0, 0), (80.0, 1)]);
        assert!(distribution(&[], 10.0).is_empty());
    }
}
