//! 土地核查: the land bureau (and the bureau) upload 标准地 and 用地 (and, for 达产复核, the
//! year's tax and output), pick the shipped land rules or upload a rule file, and run the checks
//! with the code `mujun land` runs ([`crate::land::job`]); the page shows each project's status
//! per check, the findings with their arithmetic, penalties, idle land and the register's
//! conflicts, and offers the land workbook, byte for byte as `mujun land` writes it.
//!
//! Who: 自然资源 and 经信委 run checks; 只读 reads the recorded runs; a 园区 user has no land
//! pages at all (the land workbook holds every park's projects): 403, and the attempt is logged.

pub mod saved;
pub mod view;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::app::{blocking, Shared};
use super::error::ApiError;
use super::page::{self, Chrome};
use super::{Viewer, WebError};
use crate::rules::{shipped, Purpose};
use crate::store::{local_time, Role};
use saved::{Record, Request, SavedError, Upload};

/// The routes of this module.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/land", get(land_page).post(run_form))
        .route("/api/land", get(list_api).post(run_api))
        .route("/land/{id}", get(run_page))
        .route("/api/land/{id}", get(run_json))
        .route("/land/{id}/download", get(download))
}

impl From<SavedError> for WebError {
    fn from(e: SavedError) -> WebError {
        match e {
            SavedError::Bad(m) if m == "没有这次土地核查" => WebError::NotFound,
            SavedError::Bad(m) => WebError::BadRequest(m),
            SavedError::Busy(m) => WebError::Conflict(m),
            SavedError::Failed(m) => WebError::Internal(m),
        }
    }
}

/// Refused unless the viewer may read land runs; a park user's attempt is logged.
async fn may_read(state: &Shared, viewer: &Viewer, path: &str) -> Result<(), WebError> {
    if viewer.role == Role::Park {
        let (name, detail) = (viewer.name.clone(), format!("土地核查 {path}"));
        state.write(move |s| s.log(&name, "越权访问", None, &detail)).await?;
    }
    viewer.require(&[Role::Bureau, Role::Land, Role::ReadOnly], "查看土地核查")
}

/// Refused unless the viewer may run land checks.
async fn may_run(state: &Shared, viewer: &Viewer) -> Result<(), WebError> {
    may_read(state, viewer, "/land").await?;
    viewer.require(&[Role::Bureau, Role::Land], "运行土地核查")
}

/// A recorded run as the list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RunItem {
    /// Its id.
    pub id: String,
    /// When, Beijing time.
    pub at: String,
    /// Who ran it.
    pub user: String,
    /// The land rules.
    pub rules: String,
    /// The uploaded files' names.
    pub files: String,
    /// 标准地 projects checked.
    pub projects: usize,
    /// Checks not passed.
    pub findings: usize,
}

fn item(r: &Record) -> RunItem {
    RunItem {
        id: r.id.clone(),
        at: local_time(&r.at),
        user: r.user.clone(),
        rules: r.rules.clone(),
        files: r.inputs.iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join("、"),
        projects: r.view.projects.len(),
        findings: r.view.findings.len(),
    }
}

async fn items(state: &Shared) -> Result<Vec<RunItem>, WebError> {
    let store = state.store.clone();
    let records = blocking(move || saved::records(&store)).await?;
    Ok(records.iter().map(item).collect())
}

#[derive(Template)]
#[template(path = "land.html")]
struct LandPage {
    chrome: Chrome,
    runs: Vec<RunItem>,
    can_run: bool,
    schemes: Vec<&'static str>,
    evaluation_schemes: Vec<&'static str>,
    limit_mb: u64,
}

async fn land_page(State(state): State<Shared>, viewer: Viewer) -> Result<Html<String>, WebError> {
    may_read(&state, &viewer, "/land").await?;
    let names = |p: Purpose| -> Vec<&'static str> {
        shipped::SCHEMES.iter().filter(move |s| s.purpose == p).map(|s| s.name).collect()
    };
    page::render(&LandPage {
        chrome: Chrome::new("土地核查", &viewer),
        runs: items(&state).await?,
        can_run: matches!(viewer.role, Role::Bureau | Role::Land),
        schemes: names(Purpose::Land),
        evaluation_schemes: names(Purpose::Evaluation),
        limit_mb: state.limits.file_mb,
    })
}

async fn list_api(
    State(state): State<Shared>,
    viewer: Viewer,
) -> Result<Json<Vec<RunItem>>, ApiError> {
    may_read(&state, &viewer, "/api/land").await?;
    Ok(Json(items(&state).await?))
}

/// Read the form: every `file` field a data file, `rule_file` a land rule file, `rules` the
/// shipped scheme, `evaluation_rules` and `date`. A file past the size limit is refused (413)
/// and nothing is kept; the rest of the request is read and dropped so that the answer reaches
/// the browser (the whole request is bounded by the router's body limit).
async fn read_form(state: &Shared, mut form: Multipart) -> Result<Request, WebError> {
    let limit = state.limits.file_mb * 1024 * 1024;
    let too_large = |what: &str| {
        WebError::TooLarge(format!("文件「{what}」超过单个文件 {} MB 的上限", state.limits.file_mb))
    };
    let mut req = Request { scheme: Purpose::Land.default_scheme().into(), ..Request::default() };
    let mut refused: Option<String> = None;
    loop {
        let field = form.next_field().await;
        let mut field = match (field, &refused) {
            (Ok(Some(f)), _) => f,
            (Ok(None), _) => break,
            (Err(_), Some(what)) => return Err(too_large(what)),
            (Err(e), None) => return Err(multipart_error(e)),
        };
        let name = field.name().unwrap_or("").to_string();
        let file = field.file_name().map(str::to_string);
        let mut bytes = Vec::new();
        loop {
            let chunk = match (field.chunk().await, &refused) {
                (Ok(Some(c)), _) => c,
                (Ok(None), _) => break,
                (Err(_), Some(what)) => return Err(too_large(what)),
                (Err(e), None) => return Err(multipart_error(e)),
            };
            if refused.is_none() && (bytes.len() + chunk.len()) as u64 > limit {
                refused = Some(file.clone().unwrap_or_else(|| name.clone()));
            }
            if refused.is_none() {
                bytes.extend_from_slice(&chunk);
            }
        }
        if refused.is_none() {
            take_field(&mut req, &name, file, bytes)?;
        }
    }
    if let Some(what) = refused {
        return Err(too_large(&what));
    }
    if req.files.is_empty() {
        return Err(WebError::BadRequest("请选择要核查的标准地表和用地表".into()));
    }
    Ok(req)
}

fn take_field(
    req: &mut Request,
    field: &str,
    file: Option<String>,
    bytes: Vec<u8>,
) -> Result<(), WebError> {
    let text = || String::from_utf8_lossy(&bytes).trim().to_string();
    match (field, file) {
        // A file input left empty still sends a part without a name or content.
        ("file" | "rule_file", Some(n)) if n.is_empty() && bytes.is_empty() => {}
        ("file", Some(name)) => {
            if saved::data_ext(&name).is_none() {
                return Err(WebError::BadRequest(format!(
                    "文件「{name}」不是 xlsx、xls、ods 或 csv 文件"
                )));
            }
            req.files.push(Upload { name, bytes });
        }
        ("rule_file", Some(name)) => req.rule_file = Some(Upload { name, bytes }),
        ("rules", None) if !text().is_empty() => req.scheme = text(),
        ("evaluation_rules", None) => req.evaluation_rules = Some(text()).filter(|t| !t.is_empty()),
        ("date", None) if !text().is_empty() => {
            let d = crate::ingest::values::parse_date(&text());
            req.date = Some(d.ok().flatten().ok_or_else(|| {
                WebError::BadRequest(format!("评价日「{}」不是有效日期，应写成 2025-12-31", text()))
            })?);
        }
        _ => {}
    }
    Ok(())
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> WebError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        WebError::TooLarge("上传的内容超过大小上限".into())
    } else {
        WebError::BadRequest(format!("上传内容无法读取：{}", e.body_text()))
    }
}

/// Read the form, run the checks (or find the run of the same files), log it: the record.
/// (Anyone refused — not logged in, or not allowed — gets the refusal after the upload is read
/// to its end, so that it reaches a client still sending.)
async fn run_upload(
    state: &Shared,
    viewer: Result<Viewer, WebError>,
    form: Multipart,
) -> Result<Record, WebError> {
    let allowed = match viewer {
        Ok(v) => may_run(state, &v).await.map(|()| v),
        Err(e) => Err(e),
    };
    let viewer = match allowed {
        Ok(v) => v,
        Err(refused) => {
            super::upload::drain(form).await;
            return Err(refused);
        }
    };
    let viewer = &viewer;
    let req = read_form(state, form).await?;
    let (store, user) = (state.store.clone(), viewer.name.clone());
    let rec = blocking(move || saved::run(&store, &user, req)).await?;
    let files = rec.inputs.iter().map(|i| format!("{}（{}）", i.name, &i.sha256[..12]));
    let detail = format!("第 {} 号土地核查：{}", rec.id, files.collect::<Vec<_>>().join("、"));
    let name = viewer.name.clone();
    state.write(move |s| s.log(&name, "土地核查", None, &detail)).await?;
    Ok(rec)
}

async fn run_form(
    State(state): State<Shared>,
    viewer: Result<Viewer, WebError>,
    form: Multipart,
) -> Result<Response, WebError> {
    let rec = run_upload(&state, viewer, form).await?;
    Ok(Redirect::to(&format!("/land/{}", rec.id)).into_response())
}

async fn run_api(
    State(state): State<Shared>,
    viewer: Result<Viewer, WebError>,
    form: Multipart,
) -> Result<Json<Record>, ApiError> {
    Ok(Json(run_upload(&state, viewer, form).await?))
}

async fn record_of(state: &Shared, viewer: &Viewer, id: &str) -> Result<Record, WebError> {
    may_read(state, viewer, &format!("/land/{id}")).await?;
    let (store, id) = (state.store.clone(), id.to_string());
    blocking(move || saved::record(&store, &id)).await
}

#[derive(Template)]
#[template(path = "land_run.html")]
struct RunPage {
    chrome: Chrome,
    run: Record,
    at: String,
}

async fn run_page(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let run = record_of(&state, &viewer, &id).await?;
    let at = local_time(&run.at);
    page::render(&RunPage { chrome: Chrome::new("土地核查结果", &viewer), run, at })
}

async fn run_json(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Record>, ApiError> {
    Ok(Json(record_of(&state, &viewer, &id).await?))
}

async fn download(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let rec = record_of(&state, &viewer, &id).await?;
    let store = state.store.clone();
    let (name, bytes) = blocking(move || saved::workbook(&store, &rec)).await?;
    let disposition =
        format!("attachment; filename*=UTF-8''{}", page::url_encode(&name).replace('+', "%20"));
    let kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    Ok((
        [(header::CONTENT_TYPE, kind.to_string()), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response())
}
