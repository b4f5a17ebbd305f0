//! (being built)

use axum::Router;

use super::app::Shared;

/// The routes of this module.
pub fn routes() -> Router<Shared> {
    Router::new()
}
