//! Mutations of whole files (bytes), of CSV tables (cells, headers, rows, columns) and of TOML
//! rule files (numbers, lines, strings, formulas). Each returns a short description of what it
//! did, written next to a saved failure.

use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Cell texts that have broken number and date parsers elsewhere.
pub const ODD_VALUES: &[&str] = &[
    "1e308",
    "1.7976931348623157e308",
    "1e309",
    "-1e308",
    "-1e309",
    "NaN",
    "nan",
    "-NaN",
    "inf",
    "-inf",
    "Infinity",
    "+∞",
    "4.9e-324",
    "1e-320",
    "-0",
    "0",
    "99999999999999999999999999999",
    "-99999999999",
    "0x1F",
    "1_000",
    "1,000",
    "１２３４．５",
    "１ｅ３０８",
    "－１２",
    "12万",
    " 12 ",
    "\u{3000}12\u{3000}",
    "十二",
    "#N/A",
    "#DIV/0!",
    "=1/0",
    "null",
    "\u{0}",
    "'123",
    "12.5%",
    "(12.5)",
    "¥100",
    "2025-13-45",
    "0000-00-00",
    "9999-12-31",
    "-45000",
    "45000",
    "1900-02-29",
    "2025/02/30",
    "\"",
    "\t",
    "\u{feff}",
    "\u{202e}abc",
    "🏭",
    "规上",
    "A",
    "",
];

pub fn long_text(rng: &mut ChaCha8Rng, n: usize) -> String {
    let pool: &[char] =
        &['亩', '均', '效', '益', 'a', 'Z', '9', ' ', '.', '-', '（', '）', '%', 'é'];
    (0..n).map(|_| *pool.choose(rng).expect("pool")).collect()
}

/// A number text that is huge, tiny, non-finite or merely odd.
pub fn odd_number(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..6) {
        0 => ODD_VALUES[..18].choose(rng).expect("values").to_string(),
        1 => format!("{:e}", f64::from_bits(rng.random())),
        2 => f64::from_bits(rng.random()).to_string(),
        3 => "9".repeat(rng.random_range(20..400)),
        4 => format!("-{}", rng.random_range(1..u64::MAX)),
        _ => format!("{}e{}", rng.random_range(1..10), rng.random_range(-400..400)),
    }
}

pub fn odd_cell(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..10) {
        0..=3 => ODD_VALUES.choose(rng).expect("values").to_string(),
        4..=6 => odd_number(rng),
        7 => long_text(rng, 10_000),
        8 => {
            let n = rng.random_range(1..300);
            long_text(rng, n)
        }
        _ => full_width(&format!("{}", rng.random_range(0.0..1e6))),
    }
}

pub fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' | 'a'..='z' | 'A'..='Z' | '.' | '-' | '+' | ',' => {
                char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

/// Byte-level damage to any file.
pub fn bytes(rng: &mut ChaCha8Rng, data: &mut Vec<u8>) -> String {
    let len = data.len();
    let at = |rng: &mut ChaCha8Rng| if len == 0 { 0 } else { rng.random_range(0..len) };
    match rng.random_range(0..8) {
        0 if len > 0 => {
            let n = rng.random_range(1..=16);
            for _ in 0..n {
                let i = at(rng);
                data[i] ^= 1 << rng.random_range(0..8);
            }
            format!("flip {n} bits")
        }
        1 => {
            let i = at(rng);
            let n = rng.random_range(1..64);
            let junk: Vec<u8> = (0..n).map(|_| rng.random()).collect();
            data.splice(i..i, junk);
            format!("insert {n} random bytes at {i}")
        }
        2 if len > 0 => {
            let i = at(rng);
            let n = rng.random_range(1..=(len - i).min(4096));
            data.drain(i..i + n);
            format!("delete {n} bytes at {i}")
        }
        3 => {
            let i = at(rng);
            data.truncate(i);
            format!("truncate to {i} bytes")
        }
        4 if len > 0 => {
            let i = at(rng);
            let n = rng.random_range(1..=(len - i).min(4096));
            let copy = data[i..i + n].to_vec();
            data.splice(i..i, copy);
            format!("duplicate {n} bytes at {i}")
        }
        5 => {
            let odd: &[&[u8]] = &[
                b"\xEF\xBB\xBF",
                b"\x00",
                b"\xFF\xFE",
                b"\xC3\x28",
                b"\xED\xA0\x80",
                b"\r",
                b"\"",
                b"\n\n\n",
            ];
            let piece = odd.choose(rng).expect("odd bytes");
            let i = at(rng);
            data.splice(i..i, piece.iter().copied());
            format!("insert {piece:?} at {i}")
        }
        6 => {
            data.clear();
            "empty file".into()
        }
        _ => {
            let i = at(rng);
            let n = rng.random_range(1..=8);
            for b in data.iter_mut().skip(i).take(n) {
                *b = *[0u8, 0xFF, b'9', b',', b'<'].choose(rng).expect("bytes");
            }
            format!("overwrite {n} bytes at {i}")
        }
    }
}

/// A CSV as rows of cells (quotes honoured, no newlines inside cells).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            let mut out = vec![String::new()];
            let mut quoted = false;
            let mut chars = line.trim_end_matches('\r').chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '"' if quoted && chars.peek() == Some(&'"') => {
                        chars.next();
                        out.last_mut().expect("cell").push('"');
                    }
                    '"' => quoted = !quoted,
                    ',' if !quoted => out.push(String::new()),
                    _ => out.last_mut().expect("cell").push(c),
                }
            }
            out
        })
        .collect()
}

pub fn write_csv(rows: &[Vec<String>], line_end: &str) -> String {
    let cell = |c: &String| {
        if c.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", c.replace('"', "\"\""))
        } else {
            c.clone()
        }
    };
    rows.iter().map(|r| r.iter().map(cell).collect::<Vec<_>>().join(",") + line_end).collect()
}

/// Cell-level damage to a CSV table: values, headers, columns, rows, encoding.
pub fn csv(rng: &mut ChaCha8Rng, data: &mut Vec<u8>) -> String {
    let text = String::from_utf8_lossy(data).trim_start_matches('\u{feff}').to_string();
    let mut rows = parse_csv(&text);
    if rows.is_empty() || rows[0].is_empty() {
        return bytes(rng, data);
    }
    let width = rows[0].len();
    let body = rows.len().saturating_sub(1);
    let col = rng.random_range(0..width);
    let row = if body == 0 { 0 } else { rng.random_range(1..=body) };
    let mut line_end = "\n";
    let note = match rng.random_range(0..16) {
        0..=3 if body > 0 => {
            let v = odd_cell(rng);
            let many = rng.random_bool(0.2);
            let n = if many { rng.random_range(1..=body) } else { 1 };
            for r in (row..=body).take(n) {
                set(&mut rows[r], col, v.clone());
            }
            format!("{n} cells of column {col} from row {row} = {:?}", cut(&v))
        }
        4 => {
            let other = rows[0][rng.random_range(0..width)].clone();
            rows[0][col] = other.clone();
            format!("header {col} duplicated as {other:?}")
        }
        5 => {
            let v = ["", " ", "\u{3000}", "(万元)", "营业收入(亿元)", "营业收入(万元)(万元)"]
                .choose(rng)
                .expect("h")
                .to_string();
            rows[0][col] = v.clone();
            format!("header {col} = {v:?}")
        }
        6 => {
            rows[0][col] = long_text(rng, 10_000);
            format!("header {col} = 10,000 characters")
        }
        7 => {
            let other = rng.random_range(0..width);
            rows.iter_mut().for_each(|r| swap(r, col, other));
            format!("swap columns {col} and {other}")
        }
        8 => {
            let dup = rng.random_bool(0.5);
            for r in rows.iter_mut().filter(|r| col < r.len()) {
                if dup {
                    let v = r[col].clone();
                    r.insert(col, v);
                } else {
                    r.remove(col);
                }
            }
            format!("{} column {col}", if dup { "duplicate" } else { "delete" })
        }
        9 if body > 0 => {
            let n = rng.random_range(1..200);
            let copy = rows[row].clone();
            rows.splice(row..row, std::iter::repeat_n(copy, n));
            format!("row {row} repeated {n} times")
        }
        10 if body > 0 => {
            let n = rng.random_range(1..=body);
            rows.drain(row..(row + n).min(rows.len()));
            format!("delete {n} rows from {row}")
        }
        11 => {
            let what = rng.random_range(0..3);
            match what {
                0 => rows.insert(0, vec!["2025年度涪陵区工业企业数据".into()]),
                1 => {
                    rows.remove(0);
                }
                _ => rows.insert(
                    rng.random_range(0..=rows.len()),
                    vec![String::new(); rng.random_range(0..width + 3)],
                ),
            }
            ["title row above the header", "header row removed", "blank or short row inserted"]
                [what]
                .into()
        }
        12 if body > 0 => {
            let extra = rng.random_range(0..4);
            let r = &mut rows[row];
            if extra == 0 {
                r.truncate(rng.random_range(0..width));
            } else {
                r.extend((0..extra).map(|_| odd_cell(rng)));
            }
            format!("row {row} made ragged ({} cells)", r.len())
        }
        13 if body > 0 => {
            let r = &mut rows[row];
            if let Some(c) = r.get_mut(col) {
                *c = full_width(c);
            }
            format!("cell {row},{col} in full-width characters")
        }
        14 => {
            line_end = *["\r\n", "\r", "\n\n"].choose(rng).expect("eol");
            format!("line ends {line_end:?}")
        }
        _ => {
            let out = write_csv(&rows, line_end);
            *data = if rng.random_bool(0.5) {
                encoding_rs::GBK.encode(&out).0.into_owned()
            } else {
                [&b"\xEF\xBB\xBF"[..], out.as_bytes()].concat()
            };
            return "re-encoded (GBK or UTF-8 with BOM)".into();
        }
    };
    *data = write_csv(&rows, line_end).into_bytes();
    note
}

fn set(row: &mut Vec<String>, col: usize, v: String) {
    if row.len() <= col {
        row.resize(col + 1, String::new());
    }
    row[col] = v;
}

fn swap(row: &mut [String], a: usize, b: usize) {
    if a < row.len() && b < row.len() {
        row.swap(a, b);
    }
}

pub fn cut(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…({} chars)", s.chars().take(20).collect::<String>(), s.chars().count())
    } else {
        s.to_string()
    }
}

/// Damage to a TOML rule file: numbers, lines, long strings, deep or long formulas.
pub fn toml(rng: &mut ChaCha8Rng, data: &mut Vec<u8>) -> String {
    let text = String::from_utf8_lossy(data).into_owned();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return bytes(rng, data);
    }
    let n = lines.len();
    let i = rng.random_range(0..n);
    let note = match rng.random_range(0..9) {
        0..=2 => match number_spans(&lines).choose(rng) {
            Some(&(l, a, b)) => {
                let v = [
                    "1e308",
                    "-1e308",
                    "nan",
                    "inf",
                    "-inf",
                    "-1",
                    "0",
                    "1e400",
                    "99999999999999999999",
                    "-0.0",
                    "5e-324",
                    "1_000",
                    "0x7fffffffffffffff",
                    "-9223372036854775808",
                    "\"12\"",
                ]
                .choose(rng)
                .expect("numbers")
                .to_string();
                let old = lines[l][a..b].to_string();
                lines[l].replace_range(a..b, &v);
                format!("line {}: number {old} -> {v}", l + 1)
            }
            None => "no number".into(),
        },
        3 => {
            lines.remove(i);
            format!("delete line {}", i + 1)
        }
        4 => {
            let copy = lines[i].clone();
            lines.insert(i, copy);
            format!("duplicate line {}", i + 1)
        }
        5 => {
            let j = rng.random_range(0..n);
            lines.swap(i, j);
            format!("swap lines {} and {}", i + 1, j + 1)
        }
        6 => match lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.contains('"'))
            .map(|(k, _)| k)
            .collect::<Vec<_>>()
            .choose(rng)
        {
            Some(&l) => {
                let a = lines[l].find('"').expect("quote");
                let b = lines[l][a + 1..].find('"').map(|b| a + 1 + b).unwrap_or(a + 1);
                let len = *[300, 10_000, 100_000].choose(rng).expect("len");
                let v = long_text(rng, len).replace(['"', '\\'], "");
                lines[l].replace_range(a + 1..b, &v);
                format!("line {}: string of {len} characters", l + 1)
            }
            None => "no string".into(),
        },
        7 => {
            let copy: Vec<String> = lines[i..(i + rng.random_range(1..40)).min(n)].to_vec();
            let k = copy.len();
            lines.splice(i..i, copy);
            format!("duplicate {k} lines from line {}", i + 1)
        }
        _ => formula(rng, &mut lines),
    };
    *data = (lines.join("\n") + "\n").into_bytes();
    note
}

/// Spans (line, start, end) of number literals after `=` (also inside inline tables and arrays).
fn number_spans(lines: &[String]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    for (l, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let b = line.as_bytes();
        let mut k = 0;
        while k < b.len() {
            let starts = (b[k].is_ascii_digit()
                || (b[k] == b'-' && k + 1 < b.len() && b[k + 1].is_ascii_digit()))
                && k > 0
                && matches!(b[k - 1], b' ' | b'=' | b'[' | b',');
            if starts && line[..k].contains('=') && line[..k].matches('"').count() % 2 == 0 {
                let end = (k + 1..b.len())
                    .find(|&e| {
                        !matches!(b[e], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-' | b'_')
                    })
                    .unwrap_or(b.len());
                out.push((l, k, end));
                k = end;
            } else {
                k += 1;
            }
        }
    }
    out
}

/// Replace a `formula`/`when` expression with a deep, long or broken one.
fn formula(rng: &mut ChaCha8Rng, lines: &mut [String]) -> String {
    let found: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start();
            (t.starts_with("formula") || t.starts_with("when")) && l.contains('"')
        })
        .map(|(k, _)| k)
        .collect();
    let Some(&l) = found.choose(rng) else { return "no formula".into() };
    let key = lines[l].split('=').next().unwrap_or("formula").trim().to_string();
    let old = lines[l]
        .split_once('"')
        .map(|(_, r)| r.trim_end().trim_end_matches('"').to_string())
        .unwrap_or_default();
    let depth = *[64, 1_000, 10_000, 100_000].choose(rng).expect("depth");
    let (what, expr) = match rng.random_range(0..6) {
        0 => ("nested", format!("{}{old}{}", "(".repeat(depth), ")".repeat(depth))),
        1 => ("unbalanced", format!("{}{old}", "(".repeat(depth))),
        2 => ("long sum", vec!["tax"; depth].join(" + ")),
        3 => ("prefix minus", format!("{}tax", "-".repeat(depth))),
        4 => ("NOT chain", format!("{}({old})", "NOT ".repeat(depth))),
        _ => ("function nest", format!("{}tax{}", "abs(".repeat(depth), ")".repeat(depth))),
    };
    lines[l] = format!("{key} = \"{}\"", expr.replace('"', "'"));
    format!("line {}: {key} {what}, depth {depth}", l + 1)
}
