//! The workbench's own style sheet and script, compiled into the binary: nothing is fetched
//! from elsewhere at run time.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::app::Shared;
use super::WebError;

/// (name, content type, content) of every file under `/static/`.
const FILES: &[(&str, &str, &str)] = &[
    ("app.css", "text/css; charset=utf-8", include_str!("../../assets/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_str!("../../assets/app.js")),
    ("results.js", "text/javascript; charset=utf-8", include_str!("../../assets/results.js")),
    ("newrun.js", "text/javascript; charset=utf-8", include_str!("../../assets/newrun.js")),
    ("land.js", "text/javascript; charset=utf-8", include_str!("../../assets/land.js")),
];

/// `/static/{file}`.
pub fn routes() -> Router<Shared> {
    Router::new().route("/static/{file}", get(file))
}

async fn file(Path(name): Path<String>) -> Result<Response, WebError> {
    let (_, kind, body) = FILES.iter().find(|(n, _, _)| *n == name).ok_or(WebError::NotFound)?;
    let headers = [(header::CONTENT_TYPE, *kind), (header::CACHE_CONTROL, "max-age=3600")];
    Ok((headers, *body).into_response())
}
