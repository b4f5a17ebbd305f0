//! The server's shared state, and running store calls off the async threads.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::throttle::Throttle;
use super::{worker, Config, Limits, WebError};
use crate::store::{Store, StoreError};

/// What every request can reach.
pub struct AppState {
    /// The year store's file; each request opens it (readers never wait in WAL mode).
    pub store: PathBuf,
    /// The one-time setup token while the store has no users.
    pub setup: Mutex<Option<String>>,
    /// Failed log-ins by name and by address.
    pub throttle: Throttle,
    /// Upload limits.
    pub limits: Limits,
    /// Behind a reverse proxy: the log-in throttle counts `X-Forwarded-For`'s last hop.
    pub behind_proxy: bool,
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
            throttle: Throttle::default(),
            limits: config.limits,
            behind_proxy: config.behind_proxy,
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
