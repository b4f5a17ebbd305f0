//! 年度评价: the runs by year with status, scheme, counts per tier and who ran them (a park user
//! sees its own park's counts only); and the status changes (bureau users): 草稿 → 公示 with its
//! notice period, 草稿, 公示 or 复核 → 定稿.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::app::Shared;
use super::error::ApiError;
use super::page::{self, Chrome};
use super::{Viewer, WebError};
use crate::store::{local_time, Role, Store, StoreError};

/// One run as the list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    /// Run number.
    pub id: i64,
    /// Evaluation year.
    pub year: i32,
    /// The scheme's name.
    pub scheme: String,
    /// 草稿, 公示, 复核 or 定稿.
    pub status: String,
    /// Evaluated firms (of the viewer's park for a park user).
    pub evaluated: i64,
    /// Firms not evaluated (same scope).
    pub not_evaluated: i64,
    /// (tier, firms), in tier order (same scope).
    pub tiers: Vec<(String, i64)>,
    /// Who ran it.
    pub user: String,
    /// When it finished, Beijing time.
    pub finished: String,
    /// The notice period's first and last day (a run put under 公示).
    pub notice: Option<(String, String)>,
    /// The run it corrects (a 复核).
    pub corrects: Option<i64>,
}

/// The runs as `viewer` may see them, newest first.
pub fn run_rows(store: &Store, park: Option<&str>) -> Result<Vec<RunRow>, StoreError> {
    let mut rows = Vec::new();
    for r in store.runs()?.into_iter().rev() {
        rows.push(run_row(store, &r, park)?);
    }
    Ok(rows)
}

fn run_row(
    store: &Store,
    r: &crate::store::RunSummary,
    park: Option<&str>,
) -> Result<RunRow, StoreError> {
    let (evaluated, not_evaluated) = store.firm_totals(r.id, park)?;
    let mut tiers: std::collections::BTreeMap<String, i64> = Default::default();
    for c in store.tier_table(r.id, park)? {
        *tiers.entry(c.tier).or_default() += c.count;
    }
    Ok(RunRow {
        id: r.id,
        year: r.year,
        scheme: r.scheme.clone(),
        status: r.status.clone(),
        evaluated,
        not_evaluated,
        tiers: tiers.into_iter().collect(),
        user: r.user.clone(),
        finished: local_time(&r.finished_at),
        notice: r.notice.clone(),
        corrects: r.corrects,
    })
}

/// The routes of this module.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(list_page))
        .route("/api/runs", get(list_api))
        .route("/runs/{id}/finalize", post(finalize_form))
        .route("/api/runs/{id}/finalize", post(finalize_api))
        .route("/runs/{id}/notice", post(notice_form))
        .route("/api/runs/{id}/notice", post(notice_api))
}

#[derive(Template)]
#[template(path = "runs.html")]
struct RunsPage {
    chrome: Chrome,
    runs: Vec<RunRow>,
    can_finalize: bool,
    park: Option<String>,
}

async fn rows_for(state: &Shared, viewer: &Viewer) -> Result<Vec<RunRow>, WebError> {
    let park = viewer.park_scope().map(str::to_string);
    state.read(move |s| run_rows(s, park.as_deref())).await
}

async fn list_page(State(state): State<Shared>, viewer: Viewer) -> Result<Html<String>, WebError> {
    let runs = rows_for(&state, &viewer).await?;
    page::render(&RunsPage {
        chrome: Chrome::new("年度评价", &viewer),
        runs,
        can_finalize: viewer.role == Role::Bureau,
        park: viewer.park_scope().map(str::to_string),
    })
}

async fn list_api(
    State(state): State<Shared>,
    viewer: Viewer,
) -> Result<Json<Vec<RunRow>>, ApiError> {
    Ok(Json(rows_for(&state, &viewer).await?))
}

async fn finalize(state: &Shared, viewer: &Viewer, id: i64) -> Result<(), WebError> {
    viewer.require(&[Role::Bureau], "定稿")?;
    let name = viewer.name.clone();
    state.write(move |s| s.finalize(id, &name)).await
}

async fn finalize_form(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    finalize(&state, &viewer, id).await?;
    Ok(Redirect::to("/").into_response())
}

async fn finalize_api(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    finalize(&state, &viewer, id).await?;
    Ok(Json(serde_json::json!({ "id": id, "status": "定稿" })))
}

/// The notice period asked for: first and last day (YYYY-MM-DD); a missing one is refused by
/// the store as not a date.
#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl Notice {
    /// From a urlencoded form (fields `from`, `to`; others, like `csrf`, ignored).
    fn from_form(body: &[u8]) -> Notice {
        let mut n = Notice::default();
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "from" => n.from = v.into_owned(),
                "to" => n.to = v.into_owned(),
                _ => {}
            }
        }
        n
    }

    /// From a JSON object `{"from": …, "to": …}`.
    fn from_json(body: &[u8]) -> Result<Notice, WebError> {
        serde_json::from_slice(body).map_err(|_| {
            WebError::BadRequest(
                "请求内容应为 JSON 对象，如 {\"from\": \"2025-06-01\", \"to\": \"2025-06-07\"}"
                    .into(),
            )
        })
    }
}

async fn notice(state: &Shared, viewer: &Viewer, id: i64, n: Notice) -> Result<(), WebError> {
    viewer.require(&[Role::Bureau], "公示")?;
    let name = viewer.name.clone();
    state.write(move |s| s.put_on_notice(id, &name, &n.from, &n.to)).await
}

async fn notice_form(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    notice(&state, &viewer, id, Notice::from_form(&body)).await?;
    Ok(Redirect::to("/").into_response())
}

async fn notice_api(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    // The role first: a request it may not make learns nothing about its body.
    viewer.require(&[Role::Bureau], "公示")?;
    let n = Notice::from_json(&body)?;
    let (from, to) = (n.from.clone(), n.to.clone());
    notice(&state, &viewer, id, n).await?;
    let run = state.read(move |s| s.run(id)).await?;
    let (from, to) = run.notice.unwrap_or((from, to));
    Ok(Json(serde_json::json!({ "id": id, "status": run.status, "from": from, "to": to })))
}
