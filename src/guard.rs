//! Panics inside libraries, turned into errors. A library that panics on bad input (calamine on
//! a cell reference past the sheet's limits, rust_xlsxwriter on a full disk) must not end the
//! run with a Rust panic message: [`quietly`] runs such a call with the panic hook silenced and
//! gives `None` if it panicked, so the caller can name the file and the cause in Chinese.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// How many [`quietly`] calls are running (on any thread).
static QUIET: AtomicUsize = AtomicUsize::new(0);
/// Where the last silenced panic happened.
static LAST: Mutex<Option<String>> = Mutex::new(None);

/// Run `f`; `None` if a library it calls panicked (nothing printed). A panic in mujun's own code
/// is a bug, not bad input: it is reported as an internal error and the panic goes on.
pub fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    QUIET.fetch_add(1, Ordering::SeqCst);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.fetch_sub(1, Ordering::SeqCst);
    match r {
        Ok(v) => Some(v),
        Err(payload) => {
            let at = LAST.lock().map(|mut l| l.take()).unwrap_or_default().unwrap_or_default();
            if at.starts_with("src/") {
                internal_error(&at);
                std::panic::resume_unwind(payload);
            }
            None
        }
    }
}

fn internal_error(at: &str) {
    eprintln!("错误：程序内部错误（位置 {at}），请把输入文件和这条信息提供给维护人员");
}

/// The process's panic hook: silent inside [`quietly`]; otherwise a Chinese line naming the place
/// of the internal error.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        if QUIET.load(Ordering::SeqCst) > 0 {
            // The first panic is the cause: a thread's panic is raised again where it is joined.
            if let Ok(mut last) = LAST.lock() {
                last.get_or_insert(at);
            }
            return;
        }
        internal_error(&at);
    }));
}

/// Silence polars' warnings (English deprecation notes on stderr, such as the one a rule's
/// `DATE '2024-12-31'` literal prints): what a rule means is checked when it is compiled, and
/// the console carries Chinese messages only.
pub fn silence_library_warnings() {
    polars::error::set_warning_function(|_, _| {});
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panic_inside_quietly_is_none_and_the_value_otherwise() {
        assert_eq!(super::quietly(|| 2 + 2), Some(4));
        let v: Vec<u32> = Vec::new();
        assert_eq!(super::quietly(|| v[3]), None);
    }
}
