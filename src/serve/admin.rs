//! 用户 and 操作日志, for bureau users: add a user (role, a park user's park, a first password),
//! disable one, set a new password; read the audit log, newest first.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};

use super::app::Shared;
use super::auth::hash_password;
use super::error::ApiError;
use super::page::{self, Chrome};
use super::{Viewer, WebError};
use crate::store::{local_time, Role, User};

/// The routes of this module.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/admin/users", get(users_page).post(add_user))
        .route("/admin/users/disable", post(disable_user))
        .route("/admin/users/password", post(set_password))
        .route("/api/users", get(users_api))
        .route("/admin/audit", get(audit_page))
        .route("/api/audit", get(audit_api))
}

/// A user as the page and `/api/users` show it.
#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    /// Login name.
    pub name: String,
    /// Role in words.
    pub role: &'static str,
    /// A park user's park.
    pub park: String,
    /// 启用 or 已停用.
    pub state: &'static str,
    /// Created, Beijing time.
    pub created: String,
}

fn user_row(u: User) -> UserRow {
    UserRow {
        name: u.name,
        role: u.role.label(),
        park: u.park.unwrap_or_default(),
        state: if u.disabled { "已停用" } else { "启用" },
        created: local_time(&u.created_at),
    }
}

async fn user_rows(state: &Shared, viewer: &Viewer) -> Result<Vec<UserRow>, WebError> {
    viewer.require(&[Role::Bureau], "管理用户")?;
    let users = state.read(|s| s.users()).await?;
    Ok(users.into_iter().map(user_row).collect())
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserRow>,
    roles: Vec<&'static str>,
    message: String,
    ok: String,
}

#[derive(Deserialize, Default)]
struct Notice {
    ok: Option<String>,
}

async fn users_page(
    State(state): State<Shared>,
    viewer: Viewer,
    Query(n): Query<Notice>,
) -> Result<Html<String>, WebError> {
    let users = user_rows(&state, &viewer).await?;
    render_users(&viewer, users, String::new(), n.ok.unwrap_or_default())
}

fn render_users(
    viewer: &Viewer,
    users: Vec<UserRow>,
    message: String,
    ok: String,
) -> Result<Html<String>, WebError> {
    let roles = Role::ALL.iter().map(|r| r.label()).collect();
    page::render(&UsersPage { chrome: Chrome::new("用户", viewer), users, roles, message, ok })
}

async fn users_api(
    State(state): State<Shared>,
    viewer: Viewer,
) -> Result<Json<Vec<UserRow>>, ApiError> {
    Ok(Json(user_rows(&state, &viewer).await?))
}

#[derive(Deserialize)]
struct AddForm {
    name: String,
    role: String,
    park: Option<String>,
    password: String,
}

async fn add_user(
    State(state): State<Shared>,
    viewer: Viewer,
    Form(f): Form<AddForm>,
) -> Result<Response, WebError> {
    viewer.require(&[Role::Bureau], "管理用户")?;
    let name = f.name.trim().to_string();
    let role = Role::parse(&f.role);
    let park = f.park.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
    let refused = match role {
        _ if name.is_empty() => Some("请填写用户名".to_string()),
        None => Some(format!("没有角色「{}」", f.role)),
        Some(_) => crate::password::weakness(&f.password),
    };
    if let Some(message) = refused {
        return bad_form(&state, &viewer, message).await;
    }
    let role = role.unwrap_or(Role::ReadOnly);
    let user = User {
        name: name.clone(),
        role,
        park,
        disabled: false,
        created_at: String::new(),
        changed_at: String::new(),
    };
    let password = f.password;
    let hash = hash_password(password).await?;
    let by = viewer.name.clone();
    let changed = state.write(move |s| s.add_user(&user, &hash, &by)).await;
    outcome(&state, &viewer, changed, &format!("已添加用户「{name}」")).await
}

/// The users page again with the form's refusal, status 400.
async fn bad_form(state: &Shared, viewer: &Viewer, message: String) -> Result<Response, WebError> {
    let users = user_rows(state, viewer).await?;
    let body = render_users(viewer, users, message, String::new())?;
    Ok((axum::http::StatusCode::BAD_REQUEST, body).into_response())
}

/// After a change: back to the users page with `ok`, or the store's refusal on the form.
async fn outcome(
    state: &Shared,
    viewer: &Viewer,
    changed: Result<(), WebError>,
    ok: &str,
) -> Result<Response, WebError> {
    match changed {
        Ok(()) => Ok(done(ok)),
        Err(WebError::Store(e)) => bad_form(state, viewer, e.to_string()).await,
        Err(e) => Err(e),
    }
}

fn done(message: &str) -> Response {
    Redirect::to(&format!("/admin/users?ok={}", page::url_encode(message))).into_response()
}

#[derive(Deserialize)]
struct NameForm {
    name: String,
}

async fn disable_user(
    State(state): State<Shared>,
    viewer: Viewer,
    Form(f): Form<NameForm>,
) -> Result<Response, WebError> {
    viewer.require(&[Role::Bureau], "管理用户")?;
    if f.name == viewer.name {
        return bad_form(&state, &viewer, "不能停用自己的账号".into()).await;
    }
    let (name, by) = (f.name.clone(), viewer.name.clone());
    let changed = state.write(move |s| s.disable_user(&name, &by)).await;
    outcome(&state, &viewer, changed, &format!("已停用用户「{}」", f.name)).await
}

#[derive(Deserialize)]
struct PasswordForm {
    name: String,
    password: String,
}

async fn set_password(
    State(state): State<Shared>,
    viewer: Viewer,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    viewer.require(&[Role::Bureau], "管理用户")?;
    if let Some(w) = crate::password::weakness(&f.password) {
        return bad_form(&state, &viewer, w).await;
    }
    let password = f.password;
    let hash = hash_password(password).await?;
    let (name, by) = (f.name.clone(), viewer.name.clone());
    let changed = state.write(move |s| s.set_password(&name, &hash, &by)).await;
    outcome(&state, &viewer, changed, &format!("已为「{}」设置新密码", f.name)).await
}

/// One line of the audit log as shown.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    /// When, Beijing time.
    pub at: String,
    /// Who.
    pub user: String,
    /// What.
    pub action: String,
    /// The run concerned.
    pub run: Option<i64>,
    /// Details.
    pub detail: String,
}

/// Entries shown at most (newest first).
const AUDIT_SHOWN: usize = 2000;

async fn audit_rows(state: &Shared, viewer: &Viewer) -> Result<Vec<AuditRow>, WebError> {
    viewer.require(&[Role::Bureau], "查看操作日志")?;
    let log = state.read(|s| s.audit_log()).await?;
    let rows = log.into_iter().rev().take(AUDIT_SHOWN);
    Ok(rows
        .map(|(at, user, action, run, detail)| AuditRow {
            at: local_time(&at),
            user,
            action,
            run,
            detail,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<AuditRow>,
    shown: usize,
}

async fn audit_page(State(state): State<Shared>, viewer: Viewer) -> Result<Html<String>, WebError> {
    let rows = audit_rows(&state, &viewer).await?;
    page::render(&AuditPage {
        chrome: Chrome::new("操作日志", &viewer), rows, shown: AUDIT_SHOWN
    })
}

async fn audit_api(
    State(state): State<Shared>,
    viewer: Viewer,
) -> Result<Json<Vec<AuditRow>>, ApiError> {
    Ok(Json(audit_rows(&state, &viewer).await?))
}
