//! Who is asking: sessions (tower-sessions, in memory: a restart logs everyone out), log-in
//! with Argon2id ([`crate::password`]) and a throttle on failures, the one-time setup link that
//! creates the first bureau administrator, the CSRF token every state-changing request carries,
//! and [`Viewer`], the logged-in user as handlers take it.

use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use askama::Template;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, Request};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use super::app::{blocking, Shared};
use super::page::{self, Chrome};
use super::WebError;
use crate::store::{Role, User};

/// A session ends after this long without a request.
pub const SESSION_IDLE: tower_sessions::cookie::time::Duration =
    tower_sessions::cookie::time::Duration::hours(8);
/// Failures at most for one user name within the throttle's window …
const FAILURES_PER_NAME: usize = 5;
/// … and from one address.
const FAILURES_PER_ADDRESS: usize = 20;
/// A urlencoded form's largest body (log-in, status changes, users); uploads are multipart.
const FORM_LIMIT: usize = 64 * 1024;

const USER: &str = "user";
const CSRF: &str = "csrf";

/// The logged-in user, read again from the store on every request (a disabled user is out at
/// once).
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// A 园区 user's park.
    pub park: Option<String>,
    /// The session's CSRF token, for the page's forms.
    pub csrf: String,
}

impl Viewer {
    /// Refused unless the viewer has one of `roles`.
    pub fn require(&self, roles: &[Role], what: &str) -> Result<(), WebError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(WebError::Forbidden(format!("{}用户不能{what}", self.role.label())))
        }
    }

    /// The park a 园区 user is limited to; None for every other role (they see every park).
    pub fn park_scope(&self) -> Option<&str> {
        match self.role {
            Role::Park => Some(self.park.as_deref().unwrap_or("")),
            _ => None,
        }
    }

    /// Whether the viewer may see data of `park`.
    pub fn sees_park(&self, park: Option<&str>) -> bool {
        match self.park_scope() {
            None => true,
            Some(own) => park == Some(own),
        }
    }
}

impl FromRequestParts<Shared> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, WebError> {
        let api = parts.uri.path().starts_with("/api/");
        let next = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
        let session = session_of(parts)?;
        let name: Option<String> = session.get(USER).await.ok().flatten();
        let Some(name) = name else { return Err(WebError::Login { next, api }) };
        let user = state.read(move |s| s.user(&name)).await?;
        match user {
            Some(u) if !u.disabled => {
                let csrf = csrf_token(&session).await?;
                Ok(Viewer { name: u.name, role: u.role, park: u.park, csrf })
            }
            _ => {
                let _ = session.flush().await;
                Err(WebError::Login { next, api })
            }
        }
    }
}

fn session_of(parts: &Parts) -> Result<Session, WebError> {
    parts.extensions.get::<Session>().cloned().ok_or(WebError::Internal("会话未启用".into()))
}

/// The session's CSRF token, made when the session has none.
pub async fn csrf_token(session: &Session) -> Result<String, WebError> {
    let lost = |_| WebError::Internal("会话读写失败".into());
    if let Some(t) = session.get::<String>(CSRF).await.map_err(lost)? {
        return Ok(t);
    }
    let t = random_token();
    session.insert(CSRF, &t).await.map_err(lost)?;
    Ok(t)
}

/// 32 random bytes from the operating system, as hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The setup link's token (printed on the console only).
pub fn setup_token() -> String {
    random_token()
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Refuse a state-changing request (anything but GET/HEAD) whose CSRF token — header
/// `X-CSRF-Token`, or field `csrf` of a urlencoded form — is not the session's.
pub async fn csrf(req: Request<Body>, next: Next) -> Result<Response, WebError> {
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        return Ok(next.run(req).await);
    }
    let session = req.extensions().get::<Session>().cloned();
    let expected: Option<String> = match session {
        Some(s) => s.get(CSRF).await.ok().flatten(),
        None => None,
    };
    let Some(expected) = expected else { return Err(refuse(req.into_body()).await) };
    if let Some(given) = req.headers().get("x-csrf-token") {
        if same(given.to_str().unwrap_or(""), &expected) {
            return Ok(next.run(req).await);
        }
        return Err(refuse(req.into_body()).await);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(refuse(req.into_body()).await);
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| WebError::TooLarge("表单内容过多".into()))?;
    let given = form_urlencoded::parse(&bytes).find(|(k, _)| k == CSRF).map(|(_, v)| v);
    match given {
        Some(g) if same(&g, &expected) => {
            Ok(next.run(Request::from_parts(parts, bytes.into())).await)
        }
        _ => Err(WebError::Csrf),
    }
}

/// A CSRF refusal, after reading the request's body: a client still sending an upload then
/// reads the refusal instead of a broken connection.
async fn refuse(body: Body) -> WebError {
    super::upload::drain_body(body).await;
    WebError::Csrf
}

fn throttle_keys(name: &str, ip: &IpAddr) -> [(String, usize); 2] {
    [(format!("名:{name}"), FAILURES_PER_NAME), (format!("址:{ip}"), FAILURES_PER_ADDRESS)]
}

/// The client's address: behind a reverse proxy (`--behind-https`) the last hop of
/// `X-Forwarded-For`, which the proxy itself appended (earlier hops are whatever the client
/// sent); otherwise, or when that is not an address, the socket's peer. Without the proxy the
/// header is ignored: a client cannot escape the throttle by sending one.
pub fn client_ip(behind_proxy: bool, headers: &HeaderMap, peer: &SocketAddr) -> IpAddr {
    if !behind_proxy {
        return peer.ip();
    }
    let last = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|v| !v.is_empty());
    let parsed = last.and_then(|v| {
        v.parse::<IpAddr>().ok().or_else(|| v.parse::<SocketAddr>().ok().map(|s| s.ip()))
    });
    parsed.unwrap_or_else(|| peer.ip())
}

/// The routes of this module: 登录, 退出, 首次设置.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/setup", get(setup_page).post(setup))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    next: String,
    message: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only a path on this server (no `//host`, no scheme) is followed after log-in.
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.into(),
        _ => "/".into(),
    }
}

async fn login_page(
    session: Session,
    Query(q): Query<NextQuery>,
) -> Result<Html<String>, WebError> {
    let csrf = csrf_token(&session).await?;
    let next = local_path(q.next.as_deref());
    page::render(&LoginPage {
        chrome: Chrome::anonymous("登录", csrf),
        next,
        message: String::new(),
    })
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    let ip = client_ip(state.behind_proxy, &headers, &peer);
    let keys = throttle_keys(&f.name, &ip);
    if let Some(minutes) = state.throttle.blocked(&keys) {
        return Err(WebError::Throttled(minutes));
    }
    let name = f.name.clone();
    let hash = state.read(move |s| s.password_hash(&name)).await?;
    let password = f.password.clone();
    // An unknown name is checked against a fixed hash: the answer takes as long either way.
    let ok = blocking(move || {
        let hash = hash.as_deref().unwrap_or_else(|| unknown_user_hash());
        Ok::<_, WebError>(crate::password::verify(&password, hash))
    })
    .await?;
    let who = f.name.clone();
    if !ok {
        state.throttle.fail(&keys);
        let detail = format!("来自 {ip}");
        state.write(move |s| s.log(&who, "登录失败", None, &detail)).await?;
        let csrf = csrf_token(&session).await?;
        let next = local_path(f.next.as_deref());
        let message = "用户名或密码不正确".to_string();
        let body =
            page::render(&LoginPage { chrome: Chrome::anonymous("登录", csrf), next, message })?;
        return Ok((axum::http::StatusCode::UNAUTHORIZED, body).into_response());
    }
    state.throttle.clear(&keys[0].0);
    start_session(&session, &f.name).await?;
    let detail = format!("来自 {ip}");
    state.write(move |s| s.log(&who, "登录", None, &detail)).await?;
    Ok(Redirect::to(&local_path(f.next.as_deref())).into_response())
}

/// A fresh session id (no fixation) with the user and a new CSRF token.
async fn start_session(session: &Session, name: &str) -> Result<(), WebError> {
    let lost = |_| WebError::Internal("会话读写失败".into());
    session.cycle_id().await.map_err(lost)?;
    session.insert(USER, name).await.map_err(lost)?;
    session.insert(CSRF, random_token()).await.map_err(lost)?;
    Ok(())
}

/// The Argon2id hash of `password`, made on a blocking thread (it takes a while on purpose).
pub async fn hash_password(password: String) -> Result<String, WebError> {
    blocking(move || crate::password::hash(&password).map_err(WebError::Internal)).await
}

fn unknown_user_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| crate::password::hash(&random_token()).unwrap_or_default())
}

async fn logout(State(state): State<Shared>, viewer: Viewer, session: Session) -> Response {
    let _ = session.flush().await;
    let name = viewer.name;
    let _ = state.write(move |s| s.log(&name, "退出", None, "")).await;
    Redirect::to("/login").into_response()
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    chrome: Chrome,
    token: String,
    message: String,
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// Whether `token` is the setup token still waiting to be used.
fn setup_open(state: &Shared, token: &str) -> bool {
    let t = state.setup.lock().unwrap_or_else(|p| p.into_inner());
    t.as_deref().is_some_and(|t| same(t, token))
}

async fn setup_page(
    State(state): State<Shared>,
    session: Session,
    Query(q): Query<TokenQuery>,
) -> Result<Html<String>, WebError> {
    let token = q.token.unwrap_or_default();
    if !setup_open(&state, &token) {
        return Err(WebError::NotFound);
    }
    let csrf = csrf_token(&session).await?;
    page::render(&SetupPage {
        chrome: Chrome::anonymous("首次设置", csrf),
        token,
        message: String::new(),
    })
}

#[derive(Deserialize)]
struct SetupForm {
    token: String,
    name: String,
    password: String,
    password2: String,
}

async fn setup(
    State(state): State<Shared>,
    session: Session,
    Form(f): Form<SetupForm>,
) -> Result<Response, WebError> {
    if !setup_open(&state, &f.token) {
        return Err(WebError::NotFound);
    }
    let refused = match (crate::password::weakness(&f.password), f.name.trim().is_empty()) {
        (_, true) => Some("请填写用户名".to_string()),
        (Some(w), _) => Some(w),
        _ if f.password != f.password2 => Some("两次输入的密码不一致".into()),
        _ => None,
    };
    if let Some(message) = refused {
        let csrf = csrf_token(&session).await?;
        let p =
            SetupPage { chrome: Chrome::anonymous("首次设置", csrf), token: f.token, message };
        return Ok((axum::http::StatusCode::BAD_REQUEST, page::render(&p)?).into_response());
    }
    // Used once: taken before the user is made, so a second request cannot make another.
    state.setup.lock().unwrap_or_else(|p| p.into_inner()).take();
    let name = f.name.trim().to_string();
    let user = User {
        name: name.clone(),
        role: Role::Bureau,
        park: None,
        disabled: false,
        created_at: String::new(),
        changed_at: String::new(),
    };
    let password = f.password;
    let hash = hash_password(password).await?;
    state.write(move |s| s.add_first_user(&user, &hash)).await?;
    start_session(&session, &name).await?;
    Ok(Redirect::to("/").into_response())
}
