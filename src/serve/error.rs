//! [`WebError`]: every way a request fails, mapped at this edge to a status code and a Chinese
//! message — a page for a browser, `{"error": …}` for `/api/` (a request that asked for JSON).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use crate::store::StoreError;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Not logged in: a page redirects to 登录, the API answers 401.
    #[error("请先登录")]
    Login {
        /// The page to come back to.
        next: String,
        /// An API request (JSON, no redirect).
        api: bool,
    },
    /// The role may not do this (never used to hide another park's data: that is NotFound).
    #[error("没有权限：{0}")]
    Forbidden(String),
    /// Nothing here — also every answer about another park's data.
    #[error("页面或数据不存在")]
    NotFound,
    /// The request itself is wrong (a form field, an upload), in words.
    #[error("{0}")]
    BadRequest(String),
    /// The CSRF token is missing or does not match the session's.
    #[error("页面已过期或请求来源不明，请刷新页面后重试")]
    Csrf,
    /// Too many failed log-ins.
    #[error("登录失败次数过多，请 {0} 分钟后再试")]
    Throttled(u64),
    /// An upload over the limits.
    #[error("{0}")]
    TooLarge(String),
    /// An upload of a type not accepted, or whose content is not what its name says.
    #[error("{0}")]
    Unsupported(String),
    /// The request conflicts with the data's state (a run already 定稿, a name taken).
    #[error("{0}")]
    Conflict(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Anything else that is the server's fault.
    #[error("服务器内部错误：{0}")]
    Internal(String),
}

impl WebError {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Login { .. } => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Unsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::Store(StoreError::NoRun { .. }) => StatusCode::NOT_FOUND,
            WebError::Store(StoreError::Refused(_) | StoreError::Status { .. }) => {
                StatusCode::CONFLICT
            }
            WebError::Store(StoreError::Locked { .. }) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Store(_) | WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The same failure, answered as JSON (an `/api/` route).
    pub fn api(self) -> ApiError {
        ApiError(self)
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::Login { next, api: false } = &self {
            let to = format!("/login?next={}", super::page::url_encode(next));
            return Redirect::to(&to).into_response();
        }
        if matches!(self, WebError::Login { api: true, .. }) {
            return ApiError(self).into_response();
        }
        let status = self.status();
        let body = super::page::error_page(status, &self.to_string());
        (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
    }
}

/// A [`WebError`] answered as `{"error": "…"}` with its status code.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> ApiError {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.0.to_string() });
        (self.0.status(), axum::Json(body)).into_response()
    }
}
