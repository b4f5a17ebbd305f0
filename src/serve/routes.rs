//! The router: every route of the workbench, listed by the module that serves it (`routes()`),
//! merged here under the session, CSRF and header layers.

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, MemoryStore, SessionManagerLayer};

use super::app::Shared;
use super::{
    admin, assets, auth, compare, confirm, land, newrun, objections, results, runs, Config,
    WebError,
};

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
        .merge(compare::routes())
        .merge(confirm::routes())
        .merge(objections::routes())
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
