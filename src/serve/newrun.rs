//! 新建评价 (bureau users): the year and scheme, the departments' files uploaded and checked at
//! once (each sheet's table and row accounting, the 问题清单), the blank templates, submitting
//! the draft to the queue; and 评价进度, a job's state and phase while the worker runs it.
//!
//! Every route answers JSON; those a plain form posts to (`application/x-www-form-urlencoded`)
//! answer with a redirect to the page instead, so the page works without script for what a
//! form can carry (uploads need the page's script: a multipart body carries the CSRF token in
//! its header).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

use super::app::Shared;
use super::draft::{self, Draft, Drafts, Scheme};
use super::error::ApiError;
use super::page::{self, Chrome};
use super::upload::{self, beside, DATA_EXTS, RULE_EXTS};
use super::{Viewer, WebError};
use crate::ingest::schema::TableKind;
use crate::rules::{self, Purpose, Source};
use crate::store::{local_time, Job, NewJob, Role};

/// The routes of this module.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/runs/new", get(new_page))
        .route("/api/drafts", get(draft_api))
        .route("/api/drafts/files", post(add_files))
        .route("/api/drafts/files/{n}", axum::routing::delete(remove_file))
        .route("/api/drafts/files/{n}/remove", post(remove_file))
        .route("/api/drafts/scheme", post(set_scheme))
        .route("/api/drafts/submit", post(submit))
        .route("/jobs/{id}", get(job_page))
        .route("/api/jobs", get(jobs_api))
        .route("/api/jobs/{id}", get(job_api))
        .route("/templates/{file}", get(template_file))
}

fn bureau(viewer: &Viewer) -> Result<(), WebError> {
    viewer.require(&[Role::Bureau], "新建评价")
}

/// A state-changing request's body: a plain form, JSON, or multipart with files.
/// `posted` if the viewer is bureau staff; else refused, an upload after it is read to its end
/// (so that the refusal reaches a client still sending).
async fn bureau_posted(viewer: &Viewer, posted: Posted) -> Result<Posted, WebError> {
    if let Err(refused) = bureau(viewer) {
        if let Posted::Files(mp) = posted {
            super::upload::drain(mp).await;
        }
        return Err(refused);
    }
    Ok(posted)
}

/// The refusal of a request from no known user, after its body is read to its end (so that it
/// reaches a client still sending an upload).
async fn refuse_unread(refused: WebError, req: Request) -> Response {
    upload::drain_body(req.into_body()).await;
    refused.into_response()
}

enum Posted {
    Form(HashMap<String, String>),
    Json(serde_json::Value),
    Files(Multipart),
}

impl Posted {
    async fn of(state: &Shared, req: Request) -> Result<Posted, WebError> {
        let kind = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if kind.starts_with("multipart/form-data") {
            let mp = Multipart::from_request(req, state)
                .await
                .map_err(|_| WebError::BadRequest("上传的内容格式不对".into()))?;
            return Ok(Posted::Files(mp));
        }
        let bytes = axum::body::to_bytes(req.into_body(), 64 * 1024)
            .await
            .map_err(|_| WebError::TooLarge("请求内容过多".into()))?;
        if kind.starts_with("application/json") {
            let v = serde_json::from_slice(&bytes)
                .map_err(|_| WebError::BadRequest("请求内容不是有效的 JSON".into()))?;
            return Ok(Posted::Json(v));
        }
        Ok(Posted::Form(form_urlencoded::parse(&bytes).into_owned().collect()))
    }

    fn is_form(&self) -> bool {
        matches!(self, Posted::Form(_))
    }

    /// A text field (form or JSON; a JSON number as its digits).
    fn field(&self, key: &str) -> Option<String> {
        match self {
            Posted::Form(f) => f.get(key).cloned(),
            Posted::Json(v) => v.get(key).map(|x| match x {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
            Posted::Files(_) => None,
        }
    }
}

/// The answer of a change: a form goes back to `page`, a script gets `json`.
fn answer(form: bool, page: &str, json: Result<serde_json::Value, WebError>) -> Response {
    match (form, json) {
        (true, Ok(_)) => Redirect::to(page).into_response(),
        (true, Err(e)) => e.into_response(),
        (false, Ok(v)) => Json(v).into_response(),
        (false, Err(e)) => ApiError(e).into_response(),
    }
}

fn draft_json(d: &Draft) -> serde_json::Value {
    serde_json::to_value(d).unwrap_or_default()
}

async fn draft_api(State(state): State<Shared>, viewer: Viewer) -> Result<Json<Draft>, ApiError> {
    bureau(&viewer)?;
    let (drafts, name) = (Drafts::new(&state.store), viewer.name.clone());
    Ok(Json(super::app::blocking(move || Ok::<_, WebError>(drafts.load(&name))).await?))
}

async fn add_files(
    State(state): State<Shared>,
    viewer: Result<Viewer, WebError>,
    req: Request,
) -> Response {
    let viewer = match viewer {
        Ok(v) => v,
        Err(refused) => return refuse_unread(refused, req).await,
    };
    let posted = match Posted::of(&state, req).await {
        Ok(p) => p,
        Err(e) => return ApiError(e).into_response(),
    };
    let form = posted.is_form();
    answer(form, "/runs/new", add(&state, &viewer, posted).await)
}

async fn add(
    state: &Shared,
    viewer: &Viewer,
    posted: Posted,
) -> Result<serde_json::Value, WebError> {
    let posted = bureau_posted(viewer, posted).await?;
    let Posted::Files(mp) = posted else {
        return Err(WebError::BadRequest("请选择要上传的文件".into()));
    };
    let drafts = Drafts::new(&state.store);
    let have = drafts.load(&viewer.name).files.len();
    let limits = state.limits;
    let room = limits.files.saturating_sub(have);
    let got = upload::receive(mp, &state.store, limits, room, DATA_EXTS).await?;
    if got.files.is_empty() {
        return Err(WebError::BadRequest("请选择要上传的文件".into()));
    }
    let files = draft::draft_files(&got.files);
    let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    let d = drafts
        .change(&viewer.name, move |d| {
            // A file of the same name replaces the one uploaded before.
            d.files.retain(|f| !files.iter().any(|n| n.name == f.name));
            if d.files.len() + files.len() > limits.files {
                return Err(too_many(limits.files));
            }
            d.files.extend(files);
            Ok(())
        })
        .await?;
    let (user, detail) = (viewer.name.clone(), format!("上传 {}", names.join("、")));
    state.write(move |s| s.log(&user, "上传文件", None, &detail)).await?;
    Ok(draft_json(&d))
}

fn too_many(files: usize) -> WebError {
    WebError::TooLarge(format!("一次评价最多上传 {files} 个文件（可用 --max-files 调整）"))
}

async fn remove_file(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(n): Path<usize>,
    req: Request,
) -> Response {
    let form = match Posted::of(&state, req).await {
        Ok(p) => p.is_form() && !matches!(p, Posted::Form(ref f) if f.is_empty()),
        Err(e) => return ApiError(e).into_response(),
    };
    let removed = async {
        bureau(&viewer)?;
        let drafts = Drafts::new(&state.store);
        let d = drafts
            .change(&viewer.name, move |d| {
                if n == 0 || n > d.files.len() {
                    return Err(WebError::NotFound);
                }
                d.files.remove(n - 1);
                Ok(())
            })
            .await?;
        Ok::<_, WebError>(draft_json(&d))
    };
    answer(form, "/runs/new", removed.await)
}

async fn set_scheme(
    State(state): State<Shared>,
    viewer: Result<Viewer, WebError>,
    req: Request,
) -> Response {
    let viewer = match viewer {
        Ok(v) => v,
        Err(refused) => return refuse_unread(refused, req).await,
    };
    let posted = match Posted::of(&state, req).await {
        Ok(p) => p,
        Err(e) => return ApiError(e).into_response(),
    };
    let form = posted.is_form();
    answer(form, "/runs/new", scheme(&state, &viewer, posted).await)
}

async fn scheme(
    state: &Shared,
    viewer: &Viewer,
    posted: Posted,
) -> Result<serde_json::Value, WebError> {
    let posted = bureau_posted(viewer, posted).await?;
    let (fields, rule) = match posted {
        Posted::Files(mp) => {
            let got = upload::receive(mp, &state.store, state.limits, 1, RULE_EXTS).await?;
            let fields: HashMap<String, String> = got.fields.into_iter().collect();
            (fields, got.files.into_iter().next())
        }
        other => {
            let keys = ["year", "scheme"];
            (keys.iter().filter_map(|k| Some((k.to_string(), other.field(k)?))).collect(), None)
        }
    };
    let year = match fields.get("year").map(|y| y.trim()).filter(|y| !y.is_empty()) {
        None => None,
        Some(y) => match y.parse::<i32>() {
            Ok(v) if (1949..=2200).contains(&v) => Some(v),
            _ => {
                return Err(WebError::BadRequest(format!(
                    "评价年度「{y}」应为 1949 至 2200 之间的整数"
                )))
            }
        },
    };
    let chosen = match (rule, fields.get("scheme").filter(|s| !s.is_empty())) {
        (Some(u), _) => {
            let s = Scheme::Uploaded { name: u.name, sha256: u.sha256 };
            validate_rules(state, viewer, &s).await?;
            Some(s)
        }
        (None, Some(name)) => {
            rules::shipped::scheme(name)
                .map_err(|_| WebError::BadRequest(format!("没有名为「{name}」的内置评价方案")))?;
            Some(Scheme::Shipped { name: name.clone() })
        }
        (None, None) => None,
    };
    let d = Drafts::new(&state.store)
        .change(&viewer.name, move |d| {
            d.year = year;
            if let Some(s) = chosen {
                d.scheme = s;
            }
            Ok(())
        })
        .await?;
    Ok(draft_json(&d))
}

/// An uploaded rule file read and checked at once; its errors (with line and key) refuse it.
async fn validate_rules(state: &Shared, viewer: &Viewer, s: &Scheme) -> Result<(), WebError> {
    let (drafts, name, s) = (Drafts::new(&state.store), viewer.name.clone(), s.clone());
    super::app::blocking(move || {
        let source = drafts.rules_source(&name, &s)?;
        match rules::load(&source) {
            Ok(_) => Ok(()),
            Err(e) => Err(WebError::BadRequest(format!("规则文件有错误：{e}"))),
        }
    })
    .await
}

async fn submit(State(state): State<Shared>, viewer: Viewer, req: Request) -> Response {
    let posted = match Posted::of(&state, req).await {
        Ok(p) => p,
        Err(e) => return ApiError(e).into_response(),
    };
    let form = posted.is_form();
    let reason = posted.field("reason").map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
    let corrects = match posted.field("corrects").map(|c| c.trim().to_string()) {
        None => None,
        Some(c) if c.is_empty() => None,
        Some(c) => match c.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                let e = WebError::BadRequest(format!("corrects 应为评价记录编号，收到「{c}」"));
                return answer(form, "", Err::<serde_json::Value, _>(e));
            }
        },
    };
    match (form, queue(&state, &viewer, reason, corrects).await) {
        (true, Ok(id)) => Redirect::to(&format!("/jobs/{id}")).into_response(),
        (_, r) => answer(form, "", r.map(|id| serde_json::json!({ "job": id }))),
    }
}

/// Queue the viewer's draft; the job's number. The draft is emptied.
async fn queue(
    state: &Shared,
    viewer: &Viewer,
    reason: Option<String>,
    corrects: Option<i64>,
) -> Result<i64, WebError> {
    bureau(viewer)?;
    if let Some(c) = corrects {
        // The year and scheme are checked when the job runs, as `evaluate --corrects` checks them.
        let r = state.read(move |s| s.run(c)).await?;
        if r.status != "公示" && r.status != "复核" {
            let message = format!("的状态是{}，复核只能更正公示中的评价（或上一次复核）", r.status);
            return Err(WebError::Store(crate::store::StoreError::Status { id: c, message }));
        }
    }
    let drafts = Drafts::new(&state.store);
    let d = drafts.load(&viewer.name);
    let Some(check) = d.check.as_ref().filter(|_| !d.files.is_empty()) else {
        return Err(WebError::BadRequest("请先上传本年度的数据文件".into()));
    };
    if let Some(why) = &check.failure {
        return Err(WebError::Conflict(format!("数据无法读取，不能评价：{why}")));
    }
    if check.errors > 0 && reason.is_none() {
        return Err(WebError::Conflict(format!(
            "输入数据有 {} 个错误：请更正后重新上传，或填写仍要评价的理由",
            check.errors
        )));
    }
    let job = NewJob {
        year: d.year.unwrap_or(check.year),
        scheme: d.scheme.label(),
        user: viewer.name.clone(),
        uploads: d.files.iter().map(|f| (f.name.clone(), f.sha256.clone())).collect(),
        rules_file: match &d.scheme {
            Scheme::Uploaded { name, sha256 } => Some((name.clone(), sha256.clone())),
            Scheme::Shipped { .. } => None,
        },
        confirm_reason: reason.filter(|_| check.errors > 0),
        corrects,
    };
    let id = state.write(move |s| s.queue_job(&job)).await?;
    drafts
        .change(&viewer.name, |d| {
            d.files.clear();
            Ok(())
        })
        .await?;
    state.worker.wake();
    Ok(id)
}

/// A shipped evaluation scheme as the page lists it.
struct SchemeChoice {
    name: &'static str,
    title: String,
}

/// A digest as the pages show it: its first 16 digits.
fn short(sha256: &str) -> String {
    sha256.chars().take(16).collect()
}

#[derive(Template)]
#[template(path = "newrun.html")]
struct NewRunPage {
    chrome: Chrome,
    draft: Draft,
    /// (name, size, short digest) of each file.
    files: Vec<(String, u64, String)>,
    schemes: Vec<SchemeChoice>,
    shipped: String,
    uploaded: String,
    year: String,
    templates: Vec<String>,
    file_mb: u64,
    max_files: usize,
    /// Runs a 复核 may correct: (number, year, scheme), under 公示 or 复核.
    correctable: Vec<(i64, i32, String)>,
}

async fn new_page(State(state): State<Shared>, viewer: Viewer) -> Result<Html<String>, WebError> {
    bureau(&viewer)?;
    let (drafts, name) = (Drafts::new(&state.store), viewer.name.clone());
    let draft = super::app::blocking(move || Ok::<_, WebError>(drafts.load(&name))).await?;
    let schemes = rules::shipped::SCHEMES
        .iter()
        .filter(|s| s.purpose == Purpose::Evaluation)
        .map(|s| SchemeChoice { name: s.name, title: s.title() })
        .collect();
    let (shipped, uploaded) = match &draft.scheme {
        Scheme::Shipped { name } => (name.clone(), String::new()),
        Scheme::Uploaded { name, .. } => (String::new(), name.clone()),
    };
    let year = draft.year.or(draft.check.as_ref().map(|c| c.year)).map(|y| y.to_string());
    let files = draft.files.iter().map(|f| (f.name.clone(), f.bytes, short(&f.sha256))).collect();
    let runs = state.read(|s| s.runs()).await?;
    let correctable = runs
        .into_iter()
        .filter(|r| r.status == "公示" || r.status == "复核")
        .map(|r| (r.id, r.year, r.scheme))
        .collect();
    page::render(&NewRunPage {
        correctable,
        chrome: Chrome::new("新建评价", &viewer),
        draft,
        files,
        schemes,
        shipped,
        uploaded,
        year: year.unwrap_or_default(),
        templates: template_names(),
        file_mb: state.limits.file_mb,
        max_files: state.limits.files,
    })
}

/// A job as its page and `/api/jobs` show it: the stored job, with the running job's phase
/// from the worker.
#[derive(Debug, Clone, Serialize)]
struct JobView {
    #[serde(flatten)]
    job: Job,
    queued: String,
    finished: String,
}

fn job_view(state: &Shared, mut job: Job) -> JobView {
    if let Some((id, phase, message)) = state.worker.progress() {
        if id == job.id && job.state == "运行" {
            (job.phase, job.message) = (phase, message);
        }
    }
    let queued = local_time(&job.queued_at);
    let finished = job.finished_at.as_deref().map(local_time).unwrap_or_default();
    JobView { job, queued, finished }
}

async fn jobs_api(
    State(state): State<Shared>,
    viewer: Viewer,
) -> Result<Json<Vec<JobView>>, ApiError> {
    bureau(&viewer)?;
    let jobs = state.read(|s| s.jobs()).await?;
    Ok(Json(jobs.into_iter().rev().map(|j| job_view(&state, j)).collect()))
}

async fn one_job(state: &Shared, viewer: &Viewer, id: i64) -> Result<JobView, WebError> {
    bureau(viewer)?;
    let job = state.read(move |s| s.job(id)).await?.ok_or(WebError::NotFound)?;
    Ok(job_view(state, job))
}

async fn job_api(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<JobView>, ApiError> {
    Ok(Json(one_job(&state, &viewer, id).await?))
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    chrome: Chrome,
    j: JobView,
    /// (name, short digest) of each data file.
    uploads: Vec<(String, String)>,
    waiting: usize,
    live: bool,
}

async fn job_page(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let j = one_job(&state, &viewer, id).await?;
    let jobs = state.read(|s| s.jobs()).await?;
    let waiting = jobs.iter().filter(|o| o.state == "排队" && o.id < id).count();
    let live = matches!(j.job.state, "排队" | "运行");
    let uploads = j.job.uploads.iter().map(|(n, sha)| (n.clone(), short(sha))).collect();
    let chrome = Chrome::new(&format!("评价进度（第 {id} 号任务）"), &viewer);
    page::render(&JobPage { chrome, j, uploads, waiting, live })
}

/// The blank templates' file names (`mujun template` writes the same files).
fn template_names() -> Vec<String> {
    TableKind::ALL.iter().map(|k| format!("{}.xlsx", k.name())).collect()
}

async fn template_file(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    bureau(&viewer)?;
    let name = template_names().into_iter().find(|n| *n == file).ok_or(WebError::NotFound)?;
    let dir = beside(&state.store, "mujun-templates");
    let path = dir.join(&name);
    let bytes = super::app::blocking(move || {
        if !path.exists() {
            write_templates(&dir)?;
        }
        std::fs::read(&path).map_err(|e| WebError::Internal(e.to_string()))
    })
    .await?;
    let disposition = format!("attachment; filename*=UTF-8''{}", page::url_encode(&name));
    let kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    Ok((
        [(header::CONTENT_TYPE, kind.to_string()), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response())
}

/// Write the blank templates of the default scheme into `dir` (made whole in a folder beside
/// it, then renamed: a second request meanwhile finds all of them or none).
fn write_templates(dir: &std::path::Path) -> Result<(), WebError> {
    let fail = |e: &dyn std::fmt::Display| WebError::Internal(format!("模板生成失败：{e}"));
    let source = Source::Shipped(format!("{}.toml", Purpose::Evaluation.default_scheme()));
    let r = rules::load(&source).map_err(|e| fail(&e))?;
    let events: Vec<String> = r.events.items.iter().map(|e| e.event.clone()).collect();
    let temp = dir.with_extension(format!("tmp-{}", super::auth::random_token()));
    crate::report::template::write_templates(&temp, &events, r.meta.year).map_err(|e| fail(&e))?;
    if std::fs::rename(&temp, dir).is_err() {
        let _ = std::fs::remove_dir_all(&temp);
    }
    Ok(())
}
