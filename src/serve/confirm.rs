//! 一企一单 of a stored run, for download (`/runs/{id}/confirm/{park}`): made on request by
//! `mujun confirm`'s code from the inputs and rules the run kept in the store — the same
//! workbook the command line writes for those files. A park user gets its own park's only;
//! another park's answers 404 and is logged.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::app::Shared;
use super::page::url_encode;
use super::results::trespass;
use super::{Viewer, WebError};
use crate::report::confirm;
use crate::rules::Source;
use crate::store::Store;

/// The routes of this module.
pub fn routes() -> Router<Shared> {
    Router::new().route("/runs/{id}/confirm/{park}", get(book))
}

/// The run's inputs and rules written into `dir` (file names only, made unique), read and
/// checked as `mujun confirm` reads them, and `park`'s workbook's bytes and file name.
fn make(
    store: &std::path::Path,
    id: i64,
    park: &str,
    dir: &std::path::Path,
) -> Result<Option<(String, Vec<u8>)>, WebError> {
    let io = |e: std::io::Error| WebError::Internal(format!("准备文件失败：{e}"));
    let s = Store::open_existing(store)?;
    let rules_text = s.rules_text(id)?;
    let inputs = s.input_files(id)?;
    let data = dir.join("data");
    std::fs::create_dir_all(&data).map_err(io)?;
    let mut used = std::collections::HashSet::new();
    for (i, (name, bytes)) in inputs.iter().enumerate() {
        let base = std::path::Path::new(name).file_name().map(|f| f.to_string_lossy().into_owned());
        let mut file = base.unwrap_or_else(|| format!("{i}.csv"));
        if !used.insert(file.clone()) {
            file = format!("{}-{file}", i + 1);
        }
        std::fs::write(data.join(file), bytes).map_err(io)?;
    }
    let rules = dir.join("rules.toml");
    std::fs::write(&rules, rules_text).map_err(io)?;
    let examined = crate::pipeline::examine(&Source::File(rules), &[data], &[])
        .map_err(|e| WebError::BadRequest(format!("无法由这次评价保存的数据生成一企一单：{e}")))?;
    let books = confirm::write_all(&examined.rules, &examined.ds, &dir.join("out"))
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let Some((_, path)) = books.into_iter().find(|(p, _)| p == park) else { return Ok(None) };
    let name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Some((name, std::fs::read(&path).map_err(io)?)))
}

async fn book(
    State(state): State<Shared>,
    viewer: Viewer,
    Path((id, park)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    if viewer.park_scope().is_some_and(|own| own != park) {
        return Err(
            trespass(&state, &viewer, id, format!("下载其他园区的一企一单（{park}）")).await
        );
    }
    let store = state.store.clone();
    // A folder of its own beside the store's, removed when the workbook is read.
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir = store
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join("mujun-runs")
        .join(format!("confirm-{id}-{}-{stamp}", std::process::id()));
    let work = dir.clone();
    let made = tokio::task::spawn_blocking(move || {
        let made = make(&store, id, &park, &work);
        let _ = std::fs::remove_dir_all(&work);
        made
    })
    .await
    .map_err(|_| WebError::Internal("生成一企一单的任务意外中止".into()))??;
    let (name, bytes) = made.ok_or(WebError::NotFound)?;
    let disposition =
        format!("attachment; filename*=UTF-8''{}", url_encode(&name).replace('+', "%20"));
    let kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    Ok((
        [(header::CONTENT_TYPE, kind.to_string()), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response())
}
