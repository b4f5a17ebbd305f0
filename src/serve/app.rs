//! The server's shared state and its router: every route of the workbench is listed by the
//! module that serves it (`routes()`), merged here under the session, CSRF and header layers.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, MemoryStore, SessionManagerLayer};

use super::{auth, worker, Config, Limits, WebError};
use crate::store::{Store, StoreError};

/// What every request can reach.
pub struct AppState {
    /// The year store's file; each request opens it (readers never wait in WAL mode).
    pub store: PathBuf,
    /// The one-time setup token while the store has no users.
    pub setup: Mutex<Option<String>>,
    /// Failed log-ins by name and by address.
    pub throttle: auth::Throttle,
    /// Upload limits.
    pub limits: Limits,
    /// The evaluation queue.
    pub worker: worker::Worker,
}

/// The state as handlers take it.
pub type Shared = Arc<AppState>;

impl AppState {
    /// The state for a server on `config`.
    pub fn new(config: &Config, setup: Option<String>) -> Shared {
        Arc::new(AppState {
            store: config.store.clone(),
            setup: Mutex::new(setup),
            throttle: auth::Throttle::default(),
            limits: config.limits,
            worker: worker::Worker::start(config.store.clone()),
        })
    }

    /// Run `f` on the store off the async threads (SQLite blocks).
    pub async fn read<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        let path = self.store.clone();
        blocking(move || f(&Store::open_existing(&path)?)).await
    }

    /// Run `f` on the store, which it may change (each change is its own transaction).
    pub async fn write<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        let path = self.store.clone();
        blocking(move || f(&mut Store::open_existing(&path)?)).await
    }
}

/// Run blocking work on tokio's blocking threads; a panic there is an internal error.
pub async fn blocking<T, E, F>(f: F) -> Result<T, WebError>
where
    T: Send + 'static,
    E: Into<WebError> + Send + 'static,
    F: FnOnce() -> Result<T, E> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(Into::into),
        Err(_) => Err(WebError::Internal("后台任务意外中止".into())),
    }
}

/// Every route, under the layers (innermost first): CSRF (needs the session), the session,
/// the body limit and the security headers.
pub fn router(state: Shared, config: &Config) -> Router {
    let sessions = SessionManagerLayer::new(MemoryStore::default())
        .with_name("mujun_session")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(auth::SESSION_IDLE));
    // Uploads are counted file by file by the upload handler; this bounds a whole request.
    let body = (config.limits.file_mb + 1) * 1024 * 1024;
    Router::new()
        .merge(auth::routes())
        .merge(runs::routes())
        .merge(results::routes())
        .merge(newrun::routes())
        .merge(land::routes())
        .merge(admin::routes())
        .merge(assets::routes())
        .fallback(not_found)
        .layer(middleware::from_fn(auth::csrf))
        .layer(sessions)
        .layer(DefaultBodyLimit::max(body as usize))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

use super::{admin, assets, land, newrun, results, runs};

async fn not_found() -> WebError {
    WebError::NotFound
}

/// The headers every response carries: no script but the binary's own files, no framing, no
/// MIME sniffing, no caching of pages that show data.
async fn security_headers(req: Request<axum::body::Body>, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
               object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !is_static {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
