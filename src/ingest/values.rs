//! Cleaning of single cell values as department exports write them: full-width characters,
//! thousands separators, missing-value markers, Excel error texts, percentages and dates.

use super::schema::Quantity;

/// Full-width ASCII (U+FF01..U+FF5E) and the ideographic space to half-width.
pub fn to_half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Normalised text cell for a key (park, tax type, use of land...): half-width, trimmed, inner
/// runs of spaces kept as one; a missing marker or an Excel error value is missing.
/// Plain text (the usual case) is borrowed, not copied.
pub fn clean_text(s: &str) -> Option<std::borrow::Cow<'_, str>> {
    // Fast path: plain text needs no rewriting.
    let plain = !s.is_empty() && !s.starts_with(' ') && !s.ends_with(' ') && !needs_rewrite(s);
    if plain {
        return if is_missing_text(s) { None } else { Some(std::borrow::Cow::Borrowed(s)) };
    }
    let h = to_half_width(s);
    let t = h.split_whitespace().collect::<Vec<_>>().join(" ");
    if is_missing_text(&t) {
        None
    } else {
        Some(std::borrow::Cow::Owned(t))
    }
}

/// Text kept as written (an enterprise's name, a note): trimmed, line breaks and runs of spaces
/// kept as one space, nothing else changed, so 重庆鼎联光电（涪陵）有限公司 keeps its brackets.
/// Whether it is missing is judged on its half-width form, as for keys.
pub fn clean_name(s: &str) -> Option<std::borrow::Cow<'_, str>> {
    let key = clean_text(s)?;
    if matches!(key, std::borrow::Cow::Borrowed(_)) {
        return Some(key);
    }
    Some(std::borrow::Cow::Owned(s.split_whitespace().collect::<Vec<_>>().join(" ")))
}

/// Text columns whose values are official text shown as written, not matched as keys.
pub const AS_WRITTEN: &[&str] = &["name", "src_name", "project", "note", "adj_reason"];

/// The cleaning a text column gets: as written for names and notes, normalised for keys.
pub fn text_cleaner(key: &str) -> fn(&str) -> Option<std::borrow::Cow<'_, str>> {
    if AS_WRITTEN.contains(&key) {
        clean_name
    } else {
        clean_text
    }
}

fn is_missing_text(t: &str) -> bool {
    is_missing_marker(t) || is_excel_error(t)
}

/// Whether `s` holds two spaces in a row, a tab or line break, an ideographic space or a
/// full-width ASCII form (U+FF01..U+FF5E). One pass over the bytes: those characters start
/// with the bytes E3 (U+3000) and EF (U+FF01..), which are only decoded when seen.
fn needs_rewrite(s: &str) -> bool {
    let b = s.as_bytes();
    let mut space = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'\t' | b'\n' | b'\r' => return true,
            b' ' if space => return true,
            0xE3 | 0xEF
                if s[i..]
                    .chars()
                    .next()
                    .is_some_and(|c| matches!(c, '\u{3000}' | '\u{FF01}'..='\u{FF5E}')) =>
            {
                return true
            }
            _ => {}
        }
        space = c == b' ';
    }
    false
}

/// Texts that departments write for "no value". Kept distinct from 0.
pub fn is_missing_marker(t: &str) -> bool {
    matches!(
        t,
        "" | "-" | "—" | "——" | "--" | "/" | "无" | "空" | "N/A" | "NA" | "null" | "NULL" | "#N/A"
    )
}

/// Excel error values as they appear in exported text.
pub fn is_excel_error(t: &str) -> bool {
    t.starts_with('#')
        && (t.ends_with('!') || t.ends_with('?') || t == "#N/A" || t.starts_with("#GETTING"))
}

/// Why a non-empty cell reads as missing: a missing marker ("-", "/", "无"...) or an Excel
/// error value ("#N/A", "#REF!"...). None for a blank cell or a value.
pub fn missing_kind(raw: &str) -> Option<&'static str> {
    let kind = |t: &str| match t {
        "" => None,
        _ if is_excel_error(t) => Some("Excel错误值"),
        _ if is_missing_marker(t) => Some("缺失标记（如“-”“/”“无”）"),
        _ => None,
    };
    // Plain ASCII (numbers, codes) is judged as it is; markers are short, so long text is no marker.
    if raw.is_ascii() && raw.trim() == raw {
        kind(raw)
    } else if raw.len() <= 24 {
        kind(to_half_width(raw).trim())
    } else {
        None
    }
}

/// A numeric cell as read by [`parse_number`].
#[derive(Debug, Clone, PartialEq)]
pub enum Num {
    /// Blank, or a missing marker ("-", "/", "无", "—").
    Missing,
    /// A number (a percent already as its fraction).
    Value(f64),
    /// A cell that is not a number, with the reason.
    Invalid(&'static str),
}

/// Parse a numeric cell: "1,234.5", "１２３", "－１２．５", " 3.5% ", "—" (missing), "#DIV/0!"
/// (invalid). A percent gives its fraction (3.5% is 0.035).
pub fn parse_number(raw: &str) -> Num {
    match parse_marked(raw) {
        Ok((v, true)) => Num::Value(v * 0.01),
        Ok((v, false)) => Num::Value(v),
        Err(n) => n,
    }
}

/// A numeric cell as typed: its number and whether it was marked `%` (not yet divided).
fn parse_marked(raw: &str) -> Result<(f64, bool), Num> {
    // Fast path: a plain decimal number.
    if let Ok(v) = raw.parse::<f64>() {
        if v.is_finite() && !raw.starts_with('+') {
            return Ok((v, false));
        }
    }
    let h = to_half_width(raw);
    // Separators and spaces go (the ideographic space is half-width by now); the minus signs of
    // word processors and IMEs (U+2212 −, U+FE63 ﹣) are the ASCII minus.
    let t: String = h
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .map(|c| if matches!(c, '\u{2212}' | '\u{FE63}') { '-' } else { c })
        .collect();
    if is_missing_marker(&t) {
        return Err(Num::Missing);
    }
    if is_excel_error(&t) {
        return Err(Num::Invalid("Excel错误值"));
    }
    let (body, percent) = match t.strip_suffix('%') {
        Some(b) => (b, true),
        None => (t.as_str(), false),
    };
    match body.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok((v, percent)),
        _ => Err(Num::Invalid("不是数字")),
    }
}

/// Parse a cell of a column of quantity `q` whose header unit converts by `factor` (0.01 for a
/// ratio under a `%` header). The value's own `%` must agree with the column:
/// - a ratio cell marked `%` is its fraction, whatever the header says (35% is 0.35);
/// - a cell marked `%` in a column of amounts, areas or counts is rejected;
/// - a share (建筑系数) is at most 1 once converted: `35` under a header without `%` is
///   rejected, never taken as 35 (write 0.35, 35% or put （%） in the header).
pub fn parse_quantity(raw: &str, q: Quantity, factor: f64) -> Num {
    let ratio = matches!(q, Quantity::Ratio | Quantity::Share);
    let v = match parse_marked(raw) {
        Err(n) => return n,
        Ok((v, true)) if ratio => v / 100.0,
        Ok((_, true)) => return Num::Invalid("该列不是百分比，数值不应带%"),
        Ok((v, false)) => v * factor,
    };
    if q == Quantity::Share && v > 1.0 {
        return Num::Invalid("比例应为不大于1的小数（如0.35），或写作35%，或在表头注明（%）");
    }
    Num::Value(v)
}

/// Days since 1970-01-01 for a date cell: "2024-01-05", "2024/1/5", "2024年1月5日", "20240105",
/// or an Excel serial number (1900 date system).
pub fn parse_date(raw: &str) -> Result<Option<i32>, &'static str> {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");
    let days = |d: chrono::NaiveDate| (d - epoch).num_days() as i32;
    // Fast path: ISO "2024-01-05", as most exports write it.
    let b = raw.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' && raw.is_ascii() {
        if let Some(d) = ymd(&raw[0..4], &raw[5..7], &raw[8..10]) {
            return Ok(Some(days(d)));
        }
    }
    let t = to_half_width(raw).trim().to_string();
    if is_missing_marker(&t) {
        return Ok(None);
    }
    // Excel serial: a plain number in a plausible range.
    if let Ok(serial) = t.parse::<f64>() {
        if t.len() == 8 && !t.contains('.') {
            if let Some(d) = ymd(&t[0..4], &t[4..6], &t[6..8]) {
                return Ok(Some(days(d)));
            }
        }
        if (1.0..2_958_466.0).contains(&serial) {
            let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid base");
            let d = base + chrono::Duration::days(serial.floor() as i64);
            return Ok(Some(days(d)));
        }
        return Err("日期数值超出范围");
    }
    let cleaned: String = t.replace(['年', '月'], "-").replace('日', "").replace(['/', '.'], "-");
    // Drop a time part such as "2024-01-05 00:00:00" or "2024-01-05T00:00:00".
    let date_part = cleaned.split([' ', 'T']).next().unwrap_or("");
    let parts: Vec<&str> = date_part.split('-').filter(|p| !p.is_empty()).collect();
    if parts.len() == 3 {
        if let Some(d) = ymd(parts[0], parts[1], parts[2]) {
            return Ok(Some(days(d)));
        }
    }
    Err("无法识别的日期")
}

fn ymd(y: &str, m: &str, d: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Format days since 1970-01-01 as YYYY-MM-DD.
pub fn format_date(days: i32) -> String {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");
    (epoch + chrono::Duration::days(days as i64)).format("%Y-%m-%d").to_string()
}

/// Split a header such as "用地面积（平方米）" into ("用地面积", Some("平方米")).
pub fn split_header(raw: &str) -> (String, Option<String>) {
    let h = to_half_width(raw);
    let t: String = h.chars().filter(|c| !c.is_whitespace()).collect();
    for (open, close) in [('(', ')'), ('[', ']'), ('【', '】')] {
        if let (Some(a), true) = (t.find(open), t.ends_with(close)) {
            let name = t[..a].to_string();
            let unit = t[a + open.len_utf8()..t.len() - close.len_utf8()].to_string();
            return (name, Some(unit));
        }
    }
    (t, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_departments_write_them() {
        assert_eq!(parse_number("1,234.5"), Num::Value(1234.5));
        assert_eq!(parse_number("１２３．５"), Num::Value(123.5));
        assert_eq!(parse_number(" 3.5% "), Num::Value(0.035));
        assert_eq!(parse_number("—"), Num::Missing);
        assert_eq!(parse_number("无"), Num::Missing);
        assert_eq!(parse_number(""), Num::Missing);
        assert_eq!(parse_number("0"), Num::Value(0.0));
        assert_eq!(parse_number("-12"), Num::Value(-12.0));
        assert_eq!(parse_number("#DIV/0!"), Num::Invalid("Excel错误值"));
        assert_eq!(parse_number("abc"), Num::Invalid("不是数字"));
    }

    /// Minus signs of word processors and IMEs, full-width forms, separators and spaces.
    #[test]
    fn numbers_as_people_type_them() {
        assert_eq!(parse_number("－１２．５"), Num::Value(-12.5));
        assert_eq!(parse_number("\u{2212}12.5"), Num::Value(-12.5), "U+2212 minus sign");
        assert_eq!(parse_number("\u{FE63}12.5"), Num::Value(-12.5), "U+FE63 small hyphen-minus");
        assert_eq!(parse_number("１，２３４，５６７．８"), Num::Value(1234567.8));
        assert_eq!(parse_number("\u{3000}7\u{3000}"), Num::Value(7.0));
        assert_eq!(parse_number("\u{2212}"), Num::Missing, "a lone minus sign is a dash");
    }

    /// The cell's % and the header's unit: a share (建筑系数) is at most 1 once converted.
    #[test]
    fn percents_and_decimals_against_the_header_unit() {
        use Quantity::*;
        let bad = |n: Num| matches!(n, Num::Invalid(_));
        assert!(bad(parse_quantity("35", Share, 1.0)), "35 under a decimal header is no share");
        assert_eq!(parse_quantity("0.35", Share, 1.0), Num::Value(0.35));
        assert_eq!(parse_quantity("35%", Share, 1.0), Num::Value(0.35));
        // Under a (%) header: 35 × 0.01 = 0.35; the cell's own % is not applied twice.
        assert!(
            matches!(parse_quantity("35", Share, 0.01), Num::Value(v) if (v - 0.35).abs() < 1e-12)
        );
        assert_eq!(parse_quantity("35%", Share, 0.01), Num::Value(0.35));
        assert!(bad(parse_quantity("3500", Share, 0.01)), "3500% is no share");
        assert_eq!(parse_quantity("1.5", Ratio, 1.0), Num::Value(1.5), "容积率 may exceed 1");
        assert!(bad(parse_quantity("5%", Area, 1.0)), "a percent is no area");
        assert_eq!(parse_quantity("2,000", Money, 1e-4), Num::Value(0.2), "2,000 元 = 0.2 万元");
    }

    #[test]
    fn names_keep_their_brackets_keys_do_not() {
        assert_eq!(
            clean_name(" 重庆鼎联光电（涪陵）有限公司\u{3000}").as_deref(),
            Some("重庆鼎联光电（涪陵）有限公司")
        );
        assert_eq!(
            clean_text("重庆鼎联光电（涪陵）有限公司").as_deref(),
            Some("重庆鼎联光电(涪陵)有限公司")
        );
        assert_eq!(clean_name("甲\n乙").as_deref(), Some("甲 乙"));
        assert_eq!(clean_name("－"), None, "a full-width dash is still a missing marker");
        assert_eq!(clean_name("#REF!"), None);
        assert_eq!(text_cleaner("name")("（甲）").as_deref(), Some("（甲）"));
        assert_eq!(text_cleaner("park")("（甲）").as_deref(), Some("(甲)"));
    }

    #[test]
    fn what_reads_as_missing() {
        assert_eq!(missing_kind("-"), Some("缺失标记（如“-”“/”“无”）"));
        assert_eq!(missing_kind(" 无 "), Some("缺失标记（如“-”“/”“无”）"));
        assert_eq!(missing_kind("#N/A"), Some("Excel错误值"));
        assert_eq!(missing_kind("＃Ｎ／Ａ"), Some("Excel错误值"));
        assert_eq!(missing_kind("0"), None);
        assert_eq!(missing_kind(""), None);
        assert_eq!(missing_kind("涪陵高新区"), None);
    }

    #[test]
    fn dates_in_every_common_spelling() {
        // 2024-01-05 is 19727 days after 1970-01-01 (54 years incl. 13 leap days: 54*365+13 = 19723, +4).
        assert_eq!(parse_date("2024-01-05"), Ok(Some(19727)));
        assert_eq!(parse_date("2024/1/5"), Ok(Some(19727)));
        assert_eq!(parse_date("2024年1月5日"), Ok(Some(19727)));
        assert_eq!(parse_date("20240105"), Ok(Some(19727)));
        // Excel serial 45296 = 2024-01-05 (serial 25569 is 1970-01-01; 45296 - 25569 = 19727).
        assert_eq!(parse_date("45296"), Ok(Some(19727)));
        assert_eq!(parse_date(""), Ok(None));
        assert!(parse_date("明年").is_err());
        assert_eq!(format_date(19727), "2024-01-05");
    }

    /// Plain text is borrowed as it is; text with doubled spaces, tabs, line breaks, ideographic
    /// spaces or full-width letters is rewritten; other characters that start with the same
    /// bytes (。 is E3 80 82 like U+3000's E3 80 80, ￥ is EF BF A5 like U+FF21's EF BC A1)
    /// are left alone.
    #[test]
    fn text_is_rewritten_only_when_it_needs_to_be() {
        use std::borrow::Cow;
        let borrowed = |s: &str| matches!(clean_text(s), Some(Cow::Borrowed(t)) if t == s);
        for plain in ["涪陵优腾机械有限公司", "a b", "增值税。", "￥100", "Ｚ", "x"]
        {
            assert_eq!(borrowed(plain), plain != "Ｚ", "{plain}");
        }
        assert_eq!(clean_text("甲  乙").as_deref(), Some("甲 乙"));
        assert_eq!(clean_text("甲\t乙").as_deref(), Some("甲 乙"));
        assert_eq!(clean_text("甲\r\n乙").as_deref(), Some("甲 乙"));
        assert_eq!(clean_text("甲\u{3000}乙").as_deref(), Some("甲 乙"));
        assert_eq!(clean_text("ＡＢＣ公司").as_deref(), Some("ABC公司"));
        assert_eq!(clean_text("Ｚ").as_deref(), Some("Z"), "U+FF3A, the byte path's EF BC BA");
        assert_eq!(clean_text(" 甲 ").as_deref(), Some("甲"));
        assert_eq!(clean_text("—"), None);
        assert_eq!(clean_text("  "), None);
        assert_eq!(clean_text(""), None);
    }

    #[test]
    fn headers_with_units_in_any_bracket() {
        assert_eq!(split_header("用地面积（平方米）"), ("用地面积".into(), Some("平方米".into())));
        assert_eq!(split_header(" 实缴税额(万元) "), ("实缴税额".into(), Some("万元".into())));
        assert_eq!(split_header("企业 名称"), ("企业名称".into(), None));
    }
}
