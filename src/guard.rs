//! Panics inside libraries, turned into errors. A library that panics on bad input (calamine on
//! a cell reference past the sheet's limits, rust_xlsxwriter on a full disk) must not end the
//! run with a Rust panic message: [`quietly`] runs such a call with the panic hook silenced and
//! gives `None` if it panicked, so the caller can name the file and the cause in Chinese.

use std::sync::atomic::{AtomicUsize, Ordering};

/// How many [`quietly`] calls are running (on any thread).
static QUIET: AtomicUsize = AtomicUsize::new(0);

/// Run `f`; `None` if it panicked (nothing printed).
pub fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    QUIET.fetch_add(1, Ordering::SeqCst);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.fetch_sub(1, Ordering::SeqCst);
    r.ok()
}

/// The process's panic hook: silent inside [`quietly`]; otherwise a Chinese line naming the place
/// of the internal error.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if QUIET.load(Ordering::SeqCst) > 0 {
            return;
        }
        let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("错误：程序内部错误（位置 {at}），请把输入文件和这条信息提供给维护人员");
    }));
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
