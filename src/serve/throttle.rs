//! Failed log-ins counted by key (a user name, an address): too many within the window and
//! log-in is refused for a while.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures within this window count.
const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Keys kept before those without a recent failure are dropped.
const THROTTLE_KEYS: usize = 10_000;

/// Failed log-ins by key (`名:` a user name, `址:` an address), each with its times.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Throttle {
    /// Minutes to wait when any of `keys` has had too many recent failures.
    pub fn blocked(&self, keys: &[(String, usize)]) -> Option<u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = None;
        for (key, limit) in keys {
            let Some(times) = map.get_mut(key) else { continue };
            times.retain(|t| now.duration_since(*t) < THROTTLE_WINDOW);
            if times.len() >= *limit {
                let left = THROTTLE_WINDOW.saturating_sub(now.duration_since(times[0]));
                wait = wait.max(Some(left.as_secs().div_ceil(60).max(1)));
            }
        }
        wait
    }

    /// Count a failure for each of `keys`.
    pub fn fail(&self, keys: &[(String, usize)]) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Names tried once and never again would otherwise pile up.
        if map.len() > THROTTLE_KEYS {
            let now = Instant::now();
            map.retain(|_, t| t.last().is_some_and(|t| now.duration_since(*t) < THROTTLE_WINDOW));
        }
        for (key, _) in keys {
            map.entry(key.clone()).or_default().push(Instant::now());
        }
    }

    /// Forget `key`'s failures (a successful log-in).
    pub fn clear(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }
}
