//! (being built) The evaluation queue.

use std::path::{Path, PathBuf};

use crate::store::StoreError;

/// The evaluation queue.
pub struct Worker {
    _store: PathBuf,
}

impl Worker {
    /// Start the worker on the store at `store`.
    pub fn start(store: PathBuf) -> Worker {
        Worker { _store: store }
    }
}

/// Mark the evaluations a stopped server left unfinished as failed; how many there were.
pub fn mark_interrupted(_store: &Path) -> Result<usize, StoreError> {
    Ok(0)
}
