//! A TOML or serde error of a rule file in Chinese, with the line and the key path
//! (`groups[0].indicators[0].weight`) found from the error's byte span.
//!
//! serde and the TOML parser only give English messages (`unknown field `wieght``, `missing
//! field`, `invalid type: string "x", expected f64`, `duplicate key`, syntax errors …); their
//! patterns are mapped here, and the key path comes from a second, error-tolerant parse of the
//! document ([`DeTable::parse_recoverable`]), which keeps the spans of every key and value.

use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::RuleError;

/// Translate `e` (from `toml::from_str` on `text`) into a [`RuleError`] naming line and key.
pub fn translate(path: &Path, text: &str, e: &toml::de::Error) -> RuleError {
    let span = e.span().unwrap_or(0..0);
    let at = span.start.min(text.len());
    let (tree, _) = DeTable::parse_recoverable(text);
    let located = locate(tree.get_ref(), text, &span);
    let msg = e.message();
    let (key, message) = if let Some(field) = between(msg, "missing field `", "`") {
        // serde points at the table's header (or at 0..0 for the top level).
        let table = if span.is_empty() { "" } else { located.table.as_str() };
        (join(table, field), format!("缺少必需的键「{field}」"))
    } else if let Some(field) = between(msg, "unknown field `", "`") {
        (located.key_or_table(), unknown_key(field, msg))
    } else if let Some(v) = between(msg, "unknown variant `", "`") {
        let known = expected_list(msg);
        (
            located.key_or_table(),
            format!(
                "「{v}」不是可用的取值{}可用的取值：{}",
                or_stop(suggestion(v, &known)),
                known.join("、")
            ),
        )
    } else if msg.starts_with("duplicate key") {
        let k = located.key_or_table();
        let m = format!("键「{}」重复：同一个表中只能写一次", last_segment(&k));
        (k, m)
    } else if let Some(rest) = msg.strip_prefix("invalid type: ") {
        (located.key_or_table(), invalid_type(rest))
    } else if let Some(rest) = msg.strip_prefix("invalid value: ") {
        (located.key_or_table(), invalid_value(rest))
    } else if msg.starts_with("invalid length") {
        (located.key_or_table(), format!("个数不对：{}", expected_words(msg)))
    } else {
        (located.syntax_key(), syntax(msg))
    };
    let line = text[..at].matches('\n').count() + 1;
    if key.is_empty() {
        return RuleError::Syntax { path: path.to_path_buf(), line, message };
    }
    RuleError::Invalid { path: path.to_path_buf(), line, key, message }
}

/// Where an offset falls: the most specific key (or value) at it, and the table around it.
#[derive(Default)]
struct Located {
    /// Key path of the smallest key or value span holding the offset (empty: none).
    key: String,
    key_len: usize,
    /// Key path of the table the offset is in: `[header]` above it or an inline table around it.
    table: String,
    table_start: Option<usize>,
    /// The key written at the start of the offset's line (`weight = = 1` → `weight`).
    line_key: String,
    /// The table header written on the offset's line (`[tiers` → `tiers`).
    line_header: String,
}

impl Located {
    fn key_or_table(&self) -> String {
        if !self.key.is_empty() {
            self.key.clone()
        } else if !self.line_key.is_empty() {
            join(&self.table, &self.line_key)
        } else {
            self.table.clone()
        }
    }

    /// For a syntax error the recovered tree may be off: a header on the line comes first.
    fn syntax_key(&self) -> String {
        if self.line_header.is_empty() {
            self.key_or_table()
        } else {
            self.line_header.clone()
        }
    }
}

fn locate(root: &DeTable, text: &str, span: &Range<usize>) -> Located {
    let at = span.start.min(text.len());
    let mut found = Located::default();
    walk_table(root, "", text, at, &mut found);
    let line = line_at(text, at);
    found.line_key = line_key(line);
    found.line_header = line_header(line);
    found
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn contains(span: &Range<usize>, at: usize) -> bool {
    span.start <= at && (at < span.end || span.is_empty() && at == span.start)
}

fn walk_table(t: &DeTable, prefix: &str, text: &str, at: usize, found: &mut Located) {
    for (k, v) in t.iter() {
        let path = join(prefix, k.get_ref());
        consider_key(&k.span(), &path, at, found);
        walk_value(v, &path, text, at, found);
    }
}

fn walk_value(v: &Spanned<DeValue>, path: &str, text: &str, at: usize, found: &mut Located) {
    let span = v.span();
    match v.get_ref() {
        DeValue::Table(t) => {
            // A `[header]` table's span is its header; an inline table's span is `{ … }`.
            let header = text.as_bytes().get(span.start) == Some(&b'[');
            if (header && span.start <= at || contains(&span, at))
                && found.table_start.is_none_or(|s| span.start >= s)
            {
                found.table = path.to_string();
                found.table_start = Some(span.start);
            }
            consider_key(&span, path, at, found);
            walk_table(t, path, text, at, found);
        }
        DeValue::Array(a) => {
            consider_key(&span, path, at, found);
            for (i, x) in a.iter().enumerate() {
                walk_value(x, &format!("{path}[{i}]"), text, at, found);
            }
        }
        _ => consider_key(&span, path, at, found),
    }
}

fn consider_key(span: &Range<usize>, path: &str, at: usize, found: &mut Located) {
    if contains(span, at) && (found.key.is_empty() || span.len() <= found.key_len) {
        found.key = path.to_string();
        found.key_len = span.len();
    }
}

fn line_at(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[start..].lines().next().unwrap_or("")
}

/// The header name of a `[table]` or `[[array]]` line (also when unclosed), else empty.
fn line_header(line: &str) -> String {
    let t = line.trim();
    if !t.starts_with('[') {
        return String::new();
    }
    let name = t
        .split('#')
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace());
    name.to_string()
}

/// The bare key at the start of a line that reads `key = …`.
fn line_key(line: &str) -> String {
    let Some((k, _)) = line.split_once('=') else { return String::new() };
    let k = k.trim().trim_matches('"');
    if !k.is_empty()
        && !k.starts_with('[')
        && !k.starts_with('#')
        && !k.contains(char::is_whitespace)
    {
        k.to_string()
    } else {
        String::new()
    }
}

fn last_segment(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

/// The text between the first `open` and the next `close` after it.
fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let rest = &s[s.find(open)? + open.len()..];
    Some(&rest[..rest.find(close)?])
}

/// serde's "expected one of `a`, `b`" (or "expected `a`") as a list.
fn expected_list(msg: &str) -> Vec<&str> {
    let Some(i) = msg.find("expected") else { return Vec::new() };
    msg[i..].split('`').skip(1).step_by(2).collect()
}

fn unknown_key(field: &str, msg: &str) -> String {
    let known = expected_list(msg);
    if known.is_empty() {
        return format!("「{field}」不是可用的键：此处不能再写键");
    }
    format!(
        "「{field}」不是可用的键{}可用的键：{}",
        or_stop(suggestion(field, &known)),
        known.join("、")
    )
}

/// "，是否想写「weight」？" for the nearest of `known` (edit distance), or nothing.
pub(crate) fn suggestion(word: &str, known: &[&str]) -> String {
    nearest(word, known).map(|k| format!("，是否想写「{k}」？")).unwrap_or_default()
}

/// The one of `known` nearest to `word` by edit distance, if it is near enough to be a slip.
pub(crate) fn nearest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let best = known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(&lower, &k.to_lowercase()), *k))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, k)) if d <= 2.max(word.chars().count() / 3) && d < word.chars().count() => Some(k),
        _ => None,
    }
}

/// The suggestion, or a full stop to end the sentence.
fn or_stop(hint: String) -> String {
    if hint.is_empty() {
        "。".into()
    } else {
        hint
    }
}

/// `string "abc", expected f64` → 类型不对：应为数，实为文本 "abc".
fn invalid_type(rest: &str) -> String {
    let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
    format!("类型不对：应为{}，实为{}", expected_kind(expected), found_kind(found))
}

/// `integer `-2`, expected u32` → 值 -2 无效：应为非负整数.
fn invalid_value(rest: &str) -> String {
    let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
    let value = between(found, "`", "`").or_else(|| between(found, "\"", "\"")).unwrap_or("");
    format!("值 {value} 无效：应为{}", expected_kind(expected))
}

fn expected_words(msg: &str) -> String {
    match msg.split_once(", expected ") {
        Some((_, e)) => format!("应为{}", expected_kind(e)),
        None => "请检查列表的元素个数".into(),
    }
}

fn expected_kind(e: &str) -> &'static str {
    match e.trim() {
        "f64" | "f32" => "数（如 40 或 0.4）",
        "u8" | "u16" | "u32" | "u64" | "usize" => "非负整数（且不超出范围）",
        "i8" | "i16" | "i32" | "i64" | "isize" => "整数（且不超出范围）",
        "a string" | "a borrowed string" => "加引号的文本（如 \"规上\"）",
        "a boolean" => "true 或 false",
        "a sequence" => "列表（如 [0.2, 0.6]）",
        "a map" => "表（如 { value = 10 }）",
        s if s.starts_with("struct ") => "表（如 { value = 10 } 或 [节] 下的键）",
        s if s.starts_with("a sequence") || s.starts_with("an array") => "列表",
        _ => "其他类型的值",
    }
}

fn found_kind(f: &str) -> String {
    let value = between(f, "`", "`").or_else(|| between(f, "\"", "\""));
    let kind = match f.split([' ', '`', '"']).next().unwrap_or("") {
        "string" => "文本",
        "integer" => "整数",
        "floating" => "小数",
        "boolean" => "真假值",
        "sequence" => "列表",
        "map" => "表",
        "unit" => "空值",
        _ => "其他类型的值",
    };
    match value {
        Some(v) if kind == "文本" => format!("文本 \"{v}\""),
        Some(v) => format!("{kind} {v}"),
        None => kind.to_string(),
    }
}

/// TOML syntax errors (the parser's descriptions) in Chinese.
fn syntax(msg: &str) -> String {
    const TABLE: &[(&str, &str)] = &[
        ("string values must be quoted", "文本值须加英文引号，如 name = \"规上\""),
        ("extra `=`", "多了一个「=」"),
        ("missing value", "键后缺少值"),
        ("key with no value", "键后缺少值"),
        ("missing assignment", "键与值之间缺少「=」"),
        ("extra assignment", "一行只能写一个 键 = 值"),
        ("missing comma between array", "列表的元素之间缺少逗号"),
        ("missing comma between key-value", "内联表的键值之间缺少逗号"),
        ("missing key for inline table", "内联表写法有误（缺少键或「}」）"),
        ("extra comma", "多了一个逗号"),
        ("unclosed array table", "表头缺少「]]」"),
        ("unclosed table", "表头缺少「]」"),
        ("unclosed array", "列表缺少「]」"),
        ("unclosed inline table", "内联表缺少「}」"),
        ("escaped value", "文本中的反斜杠转义不完整（路径请用 / 或单引号）"),
        ("string", "文本写法有误（检查引号和转义）"),
        ("key", "键名写法有误（键名只能用字母、数字、_ 和 -，其他字符须加引号）"),
        ("overflowed", "数字超出范围"),
        ("number", "数字写法有误"),
        ("float", "数字写法有误"),
        ("exponent", "数字写法有误"),
        ("fraction", "数字写法有误"),
        ("mantissa", "数字写法有误"),
        ("leading zero", "数字不能以 0 开头"),
        ("sign", "数字的正负号写法有误"),
        ("boolean", "真假值应为小写的 true 或 false"),
        ("date-time", "日期时间写法有误"),
        ("comment", "注释写法有误"),
        ("cannot extend", "键与前面已有的值冲突"),
        ("recursion", "嵌套过深"),
        ("unexpected content", "此处有多余内容（每行只能写一个 键 = 值）"),
        ("unexpected key or value", "此处有多余内容（每行只能写一个 键 = 值）"),
        ("carriage return", "换行符有误"),
        ("table", "表的写法有误"),
    ];
    let what =
        TABLE.iter().find(|(p, _)| msg.contains(p)).map_or("此处不符合 TOML 写法", |(_, c)| c);
    format!("TOML 语法错误：{what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_key_is_suggested_only_when_close() {
        let known = ["weight", "method", "benchmark"];
        assert_eq!(suggestion("wieght", &known), "，是否想写「weight」？");
        assert_eq!(suggestion("Method", &known), "，是否想写「method」？");
        assert_eq!(suggestion("colour", &known), "");
    }

    #[test]
    fn an_unknown_parser_message_still_reads_chinese() {
        assert_eq!(
            syntax("something new in a later toml, expected `x`"),
            "TOML 语法错误：此处不符合 TOML 写法"
        );
        assert_eq!(
            invalid_type("datetime `1979-05-27`, expected f64"),
            "类型不对：应为数（如 40 或 0.4），实为其他类型的值 1979-05-27"
        );
    }

    #[test]
    fn the_key_path_has_array_indices() {
        let text = "[[g]]\nid = 1\n[[g]]\nid = 2\nx = { y = 3 }\n";
        let (tree, _) = DeTable::parse_recoverable(text);
        let at = text.find("y =").unwrap();
        assert_eq!(locate(tree.get_ref(), text, &(at..at + 1)).key_or_table(), "g[1].x.y");
        let at = text.rfind("id").unwrap();
        assert_eq!(locate(tree.get_ref(), text, &(at..at + 2)).key_or_table(), "g[1].id");
    }
}
