//! The workbench: `mujun serve`, a web server on the year store for the bureau (upload, check,
//! evaluate, publish), the parks (their own park only) and the land bureau. HTTP lives here and
//! nowhere else; every number it shows is read from the store (what `evaluate` recorded), never
//! computed again.
//!
//! - [`app`]: shared state; [`routes`]: the router (every route in one list);
//! - [`auth`]: sessions, log-in and its throttle, the one-time setup link, CSRF, the [`Viewer`];
//! - [`error`]: [`WebError`], mapped to status codes and a Chinese page or JSON;
//! - [`page`]: the page frame (navigation, CSRF token) and rendering;
//! - one module per page group: [`runs`], [`results`], [`newrun`], [`land`], [`admin`].

pub mod admin;
pub mod app;
pub mod assets;
pub mod auth;
pub mod compare;
pub mod confirm;
pub mod draft;
pub mod error;
pub mod land;
pub mod newrun;
pub mod objections;
pub mod page;
pub mod results;
pub mod routes;
pub mod runs;
pub mod throttle;
pub mod upload;
pub mod worker;

use std::net::SocketAddr;
use std::path::PathBuf;

pub use auth::Viewer;
pub use error::WebError;

use crate::store::{Store, StoreError};

/// How the server was started.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address to listen on (port 0: any free port, printed).
    pub listen: SocketAddr,
    /// The year store.
    pub store: PathBuf,
    /// Mark the session cookie `Secure` (served over HTTPS by a reverse proxy).
    pub secure_cookies: bool,
    /// Behind a reverse proxy: the client's address is the last hop of `X-Forwarded-For`.
    pub behind_proxy: bool,
    /// Upload limits.
    pub limits: Limits,
}

/// What an upload may be: checked before a byte of it is parsed.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// One file's size, in MB.
    pub file_mb: u64,
    /// Files per evaluation.
    pub files: usize,
    /// An xlsx/ods (a zip) unpacked, in MB, summed over its members.
    pub unpacked_mb: u64,
    /// An xlsx/ods member's unpacked size over its packed size.
    pub ratio: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { file_mb: 100, files: 40, unpacked_mb: 2048, ratio: 200 }
    }
}

/// Why the workbench could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be listened on.
    #[error("工作台无法在 {addr} 上监听：{reason}（端口已被占用时用 --listen 换一个）")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// Why, from the system.
        reason: String,
    },
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The server's runtime failed.
    #[error("工作台运行出错：{0}")]
    Runtime(String),
}

/// Start the workbench and serve until Ctrl+C (or SIGTERM). Prints the address, and on a store
/// without users the one-time link that creates the first bureau administrator.
pub fn run(config: Config) -> Result<(), ServeError> {
    // Created and migrated here, so that requests only ever open an existing store.
    let store = Store::open(&config.store)?;
    let setup = store.users()?.is_empty().then(auth::setup_token);
    drop(store);
    let marked = worker::mark_interrupted(&config.store)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Runtime(e.to_string()))?;
    rt.block_on(serve(config, setup, marked))
}

async fn serve(config: Config, setup: Option<String>, marked: usize) -> Result<(), ServeError> {
    let addr = config.listen;
    let listen = |e: std::io::Error| ServeError::Listen { addr, reason: e.to_string() };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(listen)?;
    let local = listener.local_addr().map_err(listen)?;
    crate::outln!("工作台已启动：http://{local}/");
    crate::outln!("评价数据库：{}", config.store.display());
    if marked > 0 {
        crate::outln!("上次关闭时未完成的 {marked} 次评价已标为失败");
    }
    if let Some(token) = &setup {
        crate::outln!(
            "还没有任何用户。请在浏览器中打开下面的链接创建第一个经信委管理员（只能使用一次）："
        );
        crate::outln!("http://{local}/setup?token={token}");
    }
    crate::outln!("按 Ctrl+C 停止");
    let state = app::AppState::new(&config, setup);
    let router = routes::router(state, &config);
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(stopped())
        .await
        .map_err(|e| ServeError::Runtime(e.to_string()))
}

/// Resolves on Ctrl+C or SIGTERM.
async fn stopped() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    crate::outln!("工作台已停止");
}
