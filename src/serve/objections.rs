//! 异议 in the workbench: a run's objections (`/runs/{id}/objections`; a park user sees its own
//! park's firms' only) and the form that records one (经信委, and 园区 for its own firms),
//! checked as the imported table is (`review::objections::check`) and recorded with who and when.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::app::Shared;
use super::error::ApiError;
use super::page::{self, Chrome};
use super::{Viewer, WebError};
use crate::review::objections::{check, Against, COLUMNS, DECISIONS, KINDS};
use crate::store::{Role, StoreError, StoredObjection};

/// The routes of this module.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/runs/{id}/objections", get(list_page).post(add_form))
        .route("/api/runs/{id}/objections", get(list_api).post(add_api))
        .route("/runs/{id}/objections/{oid}/decision", axum::routing::post(decide_form))
        .route("/api/runs/{id}/objections/{oid}/decision", axum::routing::post(decide_api))
}

/// A run's objections as the viewer may see them.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectionsView {
    /// The run.
    pub run: i64,
    /// Its notice period, if it was put under notice.
    pub notice: Option<(String, String)>,
    /// The park the view is limited to (a park user's).
    pub scope: Option<String>,
    /// The objections, oldest first.
    pub objections: Vec<StoredObjection>,
}

fn run_id(text: &str) -> Result<i64, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

async fn view(state: &Shared, viewer: &Viewer, id: &str) -> Result<ObjectionsView, WebError> {
    let id = run_id(id)?;
    let scope = viewer.park_scope().map(str::to_string);
    state
        .read(move |s| {
            let r = s.run(id)?;
            let objections = s.objections(id, scope.as_deref())?;
            Ok(ObjectionsView { run: id, notice: r.notice, scope, objections })
        })
        .await
}

#[derive(Template)]
#[template(path = "objections.html")]
struct ObjectionsPage {
    chrome: Chrome,
    v: ObjectionsView,
    can_add: bool,
    can_decide: bool,
    kinds: [&'static str; 3],
    decisions: [&'static str; 3],
    fields: Vec<&'static str>,
}

async fn list_page(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let v = view(&state, &viewer, &id).await?;
    let title = format!("异议（第 {} 号评价）", v.run);
    let can_add = v.notice.is_some() && matches!(viewer.role, Role::Bureau | Role::Park);
    page::render(&ObjectionsPage {
        chrome: Chrome::new(&title, &viewer),
        v,
        can_add,
        can_decide: viewer.role == Role::Bureau,
        kinds: KINDS,
        decisions: DECISIONS,
        fields: COLUMNS.iter().map(|(h, _)| *h).collect(),
    })
}

async fn list_api(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<ObjectionsView>, ApiError> {
    Ok(Json(view(&state, &viewer, &id).await?))
}

/// Record one objection from `fields` (header → value) against run `id`: a park user's only for
/// a firm of its park (another park's firm is answered as one not in the run).
async fn add(
    state: &Shared,
    viewer: &Viewer,
    id: &str,
    fields: Vec<(String, String)>,
) -> Result<i64, WebError> {
    viewer.require(&[Role::Bureau, Role::Park], "记录异议")?;
    let id = run_id(id)?;
    let scope = viewer.park_scope().map(str::to_string);
    let user = viewer.name.clone();
    let checked = state
        .read(move |s| {
            let r = s.run(id)?;
            let Some((_, end)) = r.notice else {
                let message = format!("的状态是{}，还没有公示，不能记录异议", r.status);
                return Err(StoreError::Status { id, message });
            };
            let codes = s.codes_of_run(id, scope.as_deref())?;
            let known = |c: &str| codes.contains(c);
            let cell = |h: &str| {
                fields.iter().find(|(k, _)| k == h).map(|(_, v)| v.clone()).unwrap_or_default()
            };
            Ok(check(&cell, &Against { known: &known, notice_end: Some(&end) }))
        })
        .await?;
    let o = checked.map_err(|(h, m)| WebError::BadRequest(format!("「{h}」：{m}")))?;
    let ids = state.write(move |s| s.record_objections(id, &[o], &user, "工作台表单")).await?;
    Ok(ids.first().copied().unwrap_or_default())
}

async fn add_form(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let fields: Vec<(String, String)> =
        form_urlencoded::parse(&body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    add(&state, &viewer, &id, fields).await?;
    Ok(Redirect::to(&format!("/runs/{id}/objections")).into_response())
}

async fn add_api(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    viewer.require(&[Role::Bureau, Role::Park], "记录异议")?;
    let map: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&body).map_err(|_| {
            WebError::BadRequest(
                "请求内容应为 JSON 对象，键为异议表的列名（如 \"统一社会信用代码\"），值为文字"
                    .into(),
            )
        })?;
    let n = add(&state, &viewer, &id, map.into_iter().collect()).await?;
    Ok(Json(serde_json::json!({ "id": n })))
}

/// Decide objection `oid` of run `id` from `fields` (处理结果, 处理理由): 经信委 only.
async fn decide(
    state: &Shared,
    viewer: &Viewer,
    (id, oid): (&str, &str),
    fields: Vec<(String, String)>,
) -> Result<(), WebError> {
    viewer.require(&[Role::Bureau], "处理异议")?;
    let (id, oid) = (run_id(id)?, run_id(oid)?);
    let get =
        |k: &str| fields.iter().find(|(h, _)| h == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let (decision, reason, user) = (get("处理结果"), get("处理理由"), viewer.name.clone());
    state.write(move |s| s.decide_objection(id, oid, &decision, &reason, &user)).await
}

async fn decide_form(
    State(state): State<Shared>,
    viewer: Viewer,
    Path((id, oid)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, WebError> {
    let fields: Vec<(String, String)> =
        form_urlencoded::parse(&body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    decide(&state, &viewer, (&id, &oid), fields).await?;
    Ok(Redirect::to(&format!("/runs/{id}/objections")).into_response())
}

async fn decide_api(
    State(state): State<Shared>,
    viewer: Viewer,
    Path((id, oid)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    viewer.require(&[Role::Bureau], "处理异议")?;
    let map: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&body).map_err(|_| {
            WebError::BadRequest(
                "请求内容应为 JSON 对象：{\"处理结果\": \"采纳\", \"处理理由\": \"…\"}".into(),
            )
        })?;
    decide(&state, &viewer, (&id, &oid), map.into_iter().collect()).await?;
    Ok(Json(serde_json::json!({ "id": oid })))
}
