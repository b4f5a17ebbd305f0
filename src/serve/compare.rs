//! 复核对比 in the workbench: two runs of one scheme compared (`/runs/{id}/compare?with=N`, by
//! default against the run it corrects), every firm whose total, rank or tier changed with its
//! causes — the same comparison as `mujun diff`, read from the two stored results CSVs. A park
//! user sees its own park's firms only, and counts of its own park.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::app::Shared;
use super::error::ApiError;
use super::page::{self, Chrome};
use super::{Viewer, WebError};
use crate::report::review::{explain, summary};
use crate::review::diff::{self, Change, Side, Standing, CAUSE_NAMES};
use crate::store::{Store, StoreError};

/// The routes of this module.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/runs/{id}/compare", get(compare_page))
        .route("/api/runs/{id}/compare", get(compare_api))
}

/// `?with=N`: the earlier run.
#[derive(Debug, Deserialize)]
pub struct With {
    with: Option<String>,
}

/// One listed firm as shown.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeRow {
    /// 统一社会信用代码.
    pub code: String,
    /// Name.
    pub name: String,
    /// Park.
    pub park: String,
    /// Group.
    pub group: String,
    /// Total, rank/ranked and tier in the earlier run ("未参评" when not evaluated).
    pub before: String,
    /// The same in the later run.
    pub after: String,
    /// (cause, explanation), in cause order.
    pub causes: Vec<(String, String)>,
}

/// The comparison page, and `/api/runs/{id}/compare`.
#[derive(Debug, Clone, Serialize)]
pub struct CompareView {
    /// The earlier run.
    pub with: i64,
    /// The later run (the page's).
    pub run: i64,
    /// The park the view is limited to (a park user's).
    pub scope: Option<String>,
    /// (label, firms): compared, changed, per cause, per number of causes.
    pub summary: Vec<(String, usize)>,
    /// Every listed firm.
    pub changes: Vec<ChangeRow>,
}

fn standing(s: &Option<Standing>) -> String {
    match s {
        Some(s) => format!("{} 分，第 {}/{} 名，{}", s.total, s.rank, s.population, s.tier),
        None => "未参评".into(),
    }
}

fn row(c: &Change) -> ChangeRow {
    ChangeRow {
        code: c.code.clone(),
        name: c.name.clone(),
        park: c.park.clone(),
        group: c.group.clone(),
        before: standing(&c.before),
        after: standing(&c.after),
        causes: c
            .causes
            .iter()
            .map(|k| (CAUSE_NAMES[k.number() - 1].to_string(), explain(k)))
            .collect(),
    }
}

/// Runs `with` and `id` compared within `scope`; a refusal when their schemes differ.
fn view(s: &Store, id: i64, with: i64, scope: Option<&str>) -> Result<CompareView, StoreError> {
    let (a, b) = (s.run(with)?, s.run(id)?);
    if a.scheme != b.scheme {
        return Err(StoreError::Refused(format!(
            "第 {with} 号评价（「{}」）与第 {id} 号（「{}」）方案不同，不能对比",
            a.scheme, b.scheme
        )));
    }
    let side = |n: i64| {
        Side::read(&format!("第 {n} 号评价"), &s.results_csv(n)?)
            .map_err(|e| StoreError::Capture(e.to_string()))
    };
    let labels = crate::rules::indicator_labels(&s.rules_text(id)?).unwrap_or_default();
    let all = diff::compare(&side(with)?, &side(id)?, &labels);
    let d = match scope {
        Some(p) => all.within(p),
        None => all,
    };
    Ok(CompareView {
        with,
        run: id,
        scope: scope.map(str::to_string),
        summary: summary(&d),
        changes: d.changes.iter().map(row).collect(),
    })
}

async fn data(state: &Shared, viewer: &Viewer, id: &str, q: With) -> Result<CompareView, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let given = q.with.filter(|w| !w.trim().is_empty());
    let scope = viewer.park_scope().map(str::to_string);
    let with = match given {
        Some(w) => w
            .trim()
            .parse::<i64>()
            .map_err(|_| WebError::BadRequest(format!("with 应为评价记录编号，收到「{w}」")))?,
        None => state.read(move |s| s.run(id)).await?.corrects.ok_or_else(|| {
            WebError::BadRequest("这次评价不是复核，请用 ?with=编号 指定要对比的评价".into())
        })?,
    };
    state.read(move |s| view(s, id, with, scope.as_deref())).await
}

#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage {
    chrome: Chrome,
    v: CompareView,
}

async fn compare_page(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<With>,
) -> Result<Html<String>, WebError> {
    let v = data(&state, &viewer, &id, q).await?;
    let title = format!("复核对比：第 {} 号 → 第 {} 号评价", v.with, v.run);
    page::render(&ComparePage { chrome: Chrome::new(&title, &viewer), v })
}

async fn compare_api(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<With>,
) -> Result<Json<CompareView>, ApiError> {
    Ok(Json(data(&state, &viewer, &id, q).await?))
}
