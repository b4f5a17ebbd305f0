//! 土地核查 (being built): the land bureau uploads 标准地 and 用地, runs the checks, sees them.

pub mod view;

use axum::Router;

use super::app::Shared;

/// The routes of this module.
pub fn routes() -> Router<Shared> {
    Router::new()
}
