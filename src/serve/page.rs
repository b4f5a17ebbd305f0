//! The frame of every page — title, navigation by role, the user, the CSRF token the forms and
//! `app.js` carry — and rendering (askama templates under `templates/`, checked at compile time
//! and escaping every value).

use askama::Template;
use axum::http::StatusCode;
use axum::response::Html;

use super::{Viewer, WebError};
use crate::store::Role;

/// What the frame shows around a page.
pub struct Chrome {
    /// The page's title.
    pub title: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// The logged-in user: name and role in words.
    pub who: Option<String>,
    /// The navigation links the user's role has.
    pub nav: Vec<(&'static str, &'static str)>,
}

impl Chrome {
    /// The frame of a page seen before logging in.
    pub fn anonymous(title: &str, csrf: String) -> Chrome {
        Chrome { title: title.into(), csrf, who: None, nav: Vec::new() }
    }

    /// The frame of a page for `viewer`.
    pub fn new(title: &str, viewer: &Viewer) -> Chrome {
        let park = viewer.park.as_deref().map(|p| format!("·{p}")).unwrap_or_default();
        let who = format!("{}（{}{park}）", viewer.name, viewer.role.label());
        Chrome {
            title: title.into(),
            csrf: viewer.csrf.clone(),
            who: Some(who),
            nav: nav(viewer.role),
        }
    }
}

/// The links of a role's navigation bar.
fn nav(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut links = vec![("/", "年度评价")];
    if matches!(role, Role::Bureau | Role::Land | Role::ReadOnly) {
        links.push(("/land", "土地核查"));
    }
    if role == Role::Bureau {
        links.push(("/runs/new", "新建评价"));
        links.push(("/admin/users", "用户"));
        links.push(("/admin/audit", "操作日志"));
    }
    links
}

/// Render a page.
pub fn render(t: &impl Template) -> Result<Html<String>, WebError> {
    t.render().map(Html).map_err(|e| WebError::Internal(format!("页面生成失败：{e}")))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    code: u16,
    message: &'a str,
}

/// The page of a failed request (no user menu: it may be a failure before anyone is known).
pub fn error_page(status: StatusCode, message: &str) -> String {
    let chrome = Chrome::anonymous("出错了", String::new());
    let p = ErrorPage { chrome, code: status.as_u16(), message };
    p.render().unwrap_or_else(|_| message.to_string())
}

/// `text` percent-encoded for a query string.
pub fn url_encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
