//! Safe printing to the terminal.
//!
//! Text read from the input (enterprise, park and file names, cell values, rule-file strings) may
//! hold control characters: `\x1b[2J` in a name would clear the screen, U+202E would turn the rest
//! of a line around. [`escape`] writes each such character as a visible escape (`\x1b`,
//! `\u{202e}`); every line the commands print goes through [`out`] or [`err`], which escape all of
//! them but the line breaks of the text itself.
//!
//! A closed pipe (`mujun evaluate | head`) is not a failure of the run: the first write that finds
//! stdout closed stops further printing to it, and the command goes on to its normal end and exit
//! code (the result files are written before anything is printed).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// A character that must not reach the terminal as is: C0, DEL, C1 and the bidi controls.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every unsafe character (line breaks included) written as an escape.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_but(s, None)
}

/// `s` with every unsafe character but `\n` written as an escape: for composed multi-line text.
pub fn escape_text(s: &str) -> Cow<'_, str> {
    escape_but(s, Some('\n'))
}

fn escape_but(s: &str, keep: Option<char>) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) && Some(c) != keep) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            _ if !is_unsafe(c) || Some(c) == keep => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ if c.is_ascii() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            _ => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

/// Print `text` on stdout, escaped, as is (no line break added).
pub fn out(text: &str) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    if let Err(e) = io::stdout().lock().write_all(escape_text(text).as_bytes()) {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != io::ErrorKind::BrokenPipe {
            err("警告：无法写出到标准输出，其余的屏幕输出已略去\n");
        }
    }
}

/// Print `text` on stderr, escaped, as is (no line break added).
pub fn err(text: &str) {
    if STDERR_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    if io::stderr().lock().write_all(escape_text(text).as_bytes()).is_err() {
        STDERR_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// `println!` through [`out`](crate::console::out): escaped, and quiet on a closed pipe.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::console::out(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` through [`err`](crate::console::err): escaped, and quiet on a closed pipe.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::console::err(&format!("{}\n", format_args!($($arg)*)))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_as_escapes() {
        assert_eq!(escape("\u{1b}[2J有限公司"), "\\x1b[2J有限公司");
        assert_eq!(escape("甲\u{7f}乙\u{9b}丙"), "甲\\x7f乙\\u{9b}丙", "DEL and a C1 control");
        assert_eq!(escape("\u{202e}司公限有"), "\\u{202e}司公限有", "a bidi override");
        assert_eq!(escape("\u{2066}甲\u{2069}"), "\\u{2066}甲\\u{2069}", "a bidi isolate");
        assert_eq!(escape("第一行\n第二行\t\r"), "第一行\\n第二行\\t\\r");
        assert_eq!(
            escape_text("第一行\n第\u{1b}二行\n"),
            "第一行\n第\\x1b二行\n",
            "line breaks of composed text stay"
        );
    }

    #[test]
    fn plain_text_is_not_copied() {
        assert!(matches!(escape("涪陵高新区 =HYPERLINK(\"x\") \\ 'a'"), Cow::Borrowed(_)));
    }
}
