//! Running the real binary on one mutated input under a wall-clock and a memory limit, and
//! judging what came back: a panic, an abort, a signal, a timeout, a silent or English failure
//! is a defect; any other exit with a Chinese message is a fine answer to a bad input.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What the process did.
pub struct Outcome {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

/// Limits for one run.
pub struct Limits {
    pub wall: Duration,
    /// Address-space limit in KiB (`ulimit -v`); 0 = none.
    pub memory_kib: u64,
}

/// Exit codes the program documents for bad input (rules 3, data 4, score 5, report 6).
const OK_CODES: [i32; 5] = [0, 3, 4, 5, 6];

/// Run `bin args…` in `dir` (stdout/stderr to files there) and wait at most `limits.wall`.
pub fn run(bin: &Path, dir: &Path, args: &[String], limits: &Limits) -> Outcome {
    let mut cmd = if limits.memory_kib > 0 && Path::new("/bin/bash").exists() {
        let mut c = Command::new("/bin/bash");
        c.arg("-c")
            .arg("ulimit -v \"$0\" || exit 97; exec \"$@\"")
            .arg(limits.memory_kib.to_string())
            .arg(bin);
        c
    } else {
        Command::new(bin)
    };
    let out_path = dir.join("stdout.txt");
    let err_path = dir.join("stderr.txt");
    cmd.args(args)
        .current_dir(dir)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).expect("stdout file"))
        .stderr(File::create(&err_path).expect("stderr file"));
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn mujun");
    let (status, timed_out) = loop {
        if let Some(s) = child.try_wait().expect("wait for mujun") {
            break (s, false);
        }
        if started.elapsed() > limits.wall {
            let _ = child.kill();
            break (child.wait().expect("reap mujun"), true);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = started.elapsed();
    use std::os::unix::process::ExitStatusExt;
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    Outcome {
        code: status.code(),
        signal: status.signal(),
        timed_out,
        stdout: read(&out_path),
        stderr: read(&err_path),
        elapsed,
    }
}

/// A defect found: its class (for grouping) and the line that shows it.
pub struct Defect {
    pub class: String,
    pub line: String,
}

/// Ok(exit code) for a fine answer, Err(defect) otherwise. `dir` is blanked out of messages.
pub fn judge(o: &Outcome, dir: &Path) -> Result<i32, Defect> {
    let dir_text = dir.display().to_string();
    let stderr = o.stderr.replace(&dir_text, "<DIR>");
    let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("").to_string();
    let defect = |kind: &str, line: &str| {
        Err(Defect { class: format!("{kind}: {}", shape(line)), line: line.to_string() })
    };
    if o.timed_out {
        return defect("timeout", &format!("no answer within {:?}", o.elapsed));
    }
    if let Some(sig) = o.signal {
        return defect(&format!("killed by signal {sig}"), &first);
    }
    let code = o.code.unwrap_or(-1);
    if let Some(l) = stderr
        .lines()
        .chain(o.stdout.lines())
        .find(|l| l.contains("panicked") || l.contains("RUST_BACKTRACE"))
    {
        return defect("panic", &panic_line(&stderr).unwrap_or_else(|| l.to_string()));
    }
    if !OK_CODES.contains(&code) {
        return defect(&format!("exit code {code}"), &first);
    }
    if code != 0 && stderr.trim().is_empty() {
        return defect("non-zero exit with empty stderr", "");
    }
    if code != 0 && !stderr.chars().any(is_cjk) {
        return defect("message without Chinese", &first);
    }
    let english_defect = |kind: &str, line: &str| {
        Err(Defect {
            class: format!("{kind}: {}", shape(&english_key(line))),
            line: line.to_string(),
        })
    };
    if let Some(l) = stderr.lines().find(|l| english(l)) {
        return english_defect("English text on stderr", l);
    }
    if let Some(l) = o.stdout.replace(&dir_text, "<DIR>").lines().find(|l| english(l)) {
        return english_defect("English text on stdout", l);
    }
    Ok(code)
}

/// The panic's location and message ("src/x.rs:12:5: index out of bounds…").
fn panic_line(stderr: &str) -> Option<String> {
    let mut lines = stderr.lines();
    let at = lines.find(|l| l.contains("panicked at"))?;
    let mut place = at.split("panicked at").nth(1).unwrap_or("").trim().trim_end_matches(':');
    // A dependency's path: keep "crate-1.2.3/src/…".
    if let Some(i) = place.find("registry/src/") {
        let index_dir = &place[i + "registry/src/".len()..];
        place = index_dir.split_once('/').map(|(_, rest)| rest).unwrap_or(index_dir);
    }
    Some(format!("{place} {}", lines.next().unwrap_or("").trim()))
}

/// The line as a class key: file paths, quoted user text and digits folded, cut short.
fn shape(line: &str) -> String {
    let mut out = String::new();
    for c in without_paths(&unquoted(line)).chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.push(c);
        }
    }
    out.chars().take(90).collect()
}

/// The line with the case's relative paths (data/…, rules/…, previous/…) replaced by `<FILE>`.
fn without_paths(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(p) = ["data/", "rules/", "previous/"].iter().filter_map(|d| rest.find(d)).min() {
        out += &rest[..p];
        out += "<FILE>";
        rest = &rest[p..];
        let end =
            rest.find(|c: char| c.is_whitespace() || c == '：' || c == ':').unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out + rest
}

/// A class key for an English line: the Chinese text before the English and its first three
/// words up to a quoted name (the rest quotes names and numbers that vary).
fn english_key(line: &str) -> String {
    let text = without_paths(&unquoted(line));
    let mut prev = ' ';
    let start = text.char_indices().find(|&(_, c)| {
        let begins =
            c.is_ascii_alphabetic() && !(prev.is_ascii_alphanumeric() || "<_./-`'".contains(prev));
        prev = c;
        begins
    });
    match start {
        Some((i, _)) => format!(
            "{}{}",
            &text[..i],
            text[i..]
                .split_whitespace()
                .take_while(|t| !t.contains(['`', '\'', '"']))
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        ),
        None => text,
    }
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The line without the parts that quote the user's input (「…」, “…”, "…"), which may hold anything.
fn unquoted(line: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut in_ascii = false;
    for c in line.chars() {
        match c {
            '「' | '“' => depth += 1,
            '」' | '”' => depth = depth.saturating_sub(1),
            '"' if depth == 0 => in_ascii = !in_ascii,
            _ if depth == 0 && !in_ascii => out.push(c),
            _ => {}
        }
    }
    out
}

/// Library text the program should have translated.
const ENGLISH_MARKERS: &[&str] = &[
    "error:",
    "Error:",
    "Error(",
    "failed to",
    "invalid",
    "expected",
    "Resolved plan",
    "os error",
    "called `",
    "unwrap",
    "ComputeError",
    "SchemaMismatch",
    "InvalidOperation",
    "OutOfBounds",
    "ShapeMismatch",
    "ColumnNotFound",
    "NoData",
    "polars",
    "calamine",
    "Xlsx",
    "TOML parse",
    "at line",
    "not found",
    "No such file",
];

/// Whether an (unquoted) line carries English prose: a known library phrase, or three
/// English words in a row (paths and key names are single tokens, so they do not count).
fn english(line: &str) -> bool {
    let text = unquoted(line);
    if ENGLISH_MARKERS.iter().any(|m| text.contains(m)) {
        return true;
    }
    let mut run = 0;
    for token in text.split_whitespace() {
        let word = token.trim_end_matches([',', '.', ':', ';', ')']).trim_start_matches('(');
        let wordy = word.len() >= 2
            && word.chars().all(|c| c.is_ascii_alphabetic())
            && word[1..].chars().all(|c| c.is_ascii_lowercase());
        run = if wordy { run + 1 } else { 0 };
        if run >= 3 {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_prose_is_told_from_chinese_with_quoted_input() {
        assert!(english("错误：invalid type: string, expected f64"));
        assert!(english("错误：No such file or directory (os error 2)"));
        assert!(english("the data frame is empty"));
        assert!(!english("错误：规则文件 rules/x.toml 第16行 键「groups[0].indicators[0].formula」：表达式「tax / lnd mu is bad」无效"));
        assert!(!english("错误：文件 <DIR>/data/产出.csv 第3行 列「营业收入(万元)」：值“not a number at all”不是数字"));
    }

    #[test]
    fn classes_fold_digits_and_quoted_values() {
        assert_eq!(shape("第12行 值「abc123」不是数字"), "第#行 值不是数字");
        assert_eq!(
            shape("错误：data/产出.xlsx 工作表「x」：无法读取"),
            "错误：<FILE> 工作表：无法读取"
        );
        assert_eq!(
            shape("无法读取规则文件 rules/fuling.toml: stream"),
            "无法读取规则文件 <FILE>: stream"
        );
        assert_eq!(
            english_key(
                "错误：规则文件 rules/x.toml 第12行：unknown field `benchmark`, expected one"
            ),
            "错误：规则文件 <FILE> 第12行：unknown field"
        );
        assert_eq!(
            english_key("错误：data/产出.xlsx：无法读取（Xlsx error: Zip error: invalid"),
            "错误：<FILE>：无法读取（Xlsx error: Zip"
        );
    }
}
