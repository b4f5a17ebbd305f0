//! Mutations inside an xlsx: unzip, change the sheet or shared-strings XML (cell references,
//! the dimension, numbers, string indexes, long or duplicated header texts, rows, merged
//! cells), or the package itself (entries dropped), and zip it again.

use std::io::{Cursor, Read, Write};

use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::mutate;

type Entries = Vec<(String, Vec<u8>)>;

fn unzip(data: &[u8]) -> Option<Entries> {
    let mut z = zip::ZipArchive::new(Cursor::new(data)).ok()?;
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).ok()?;
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).ok()?;
        let name = f.name().ok()?.to_string();
        out.push((name, buf));
    }
    Some(out)
}

fn rezip(entries: &Entries, deflate: bool) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let method =
        if deflate { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .compression_level(deflate.then_some(1));
    for (name, body) in entries {
        w.start_file(name, opts).expect("zip entry");
        w.write_all(body).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

/// Mutate one xlsx in place; falls back to byte damage when it is not a readable zip. `gentle`
/// keeps the package and the cell references intact (values, types, rows and strings only).
pub fn mutate(rng: &mut ChaCha8Rng, data: &mut Vec<u8>, gentle: bool) -> String {
    let Some(mut entries) = unzip(data) else { return mutate::bytes(rng, data) };
    let note = if !gentle && rng.random_bool(0.1) {
        package(rng, &mut entries)
    } else {
        let sheets: Vec<usize> = (0..entries.len())
            .filter(|&i| entries[i].0.starts_with("xl/worksheets/sheet"))
            .collect();
        let strings = entries.iter().position(|e| e.0 == "xl/sharedStrings.xml");
        let target = match strings {
            Some(s) if rng.random_bool(0.3) => s,
            _ => match sheets.choose(rng) {
                Some(&s) => s,
                None => return mutate::bytes(rng, data),
            },
        };
        let name = entries[target].0.clone();
        let mut xml = String::from_utf8_lossy(&entries[target].1).into_owned();
        let note = if name.ends_with("sharedStrings.xml") {
            strings_xml(rng, &mut xml)
        } else {
            sheet_xml(rng, &mut xml, gentle)
        };
        entries[target].1 = xml.into_bytes();
        format!("{name}: {note}")
    };
    *data = rezip(&entries, rng.random_bool(0.3));
    note
}

fn package(rng: &mut ChaCha8Rng, entries: &mut Entries) -> String {
    let k = rng.random_range(0..entries.len());
    if rng.random_bool(0.7) {
        let (name, _) = entries.remove(k);
        format!("zip entry {name} removed")
    } else {
        let (name, body) = &mut entries[k];
        let note = mutate::bytes(rng, body);
        format!("zip entry {name}: {note}")
    }
}

/// Byte ranges of elements `<tag …>…</tag>` or `<tag …/>` (tag followed by space or `>`).
fn elements(xml: &str, tag: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    while let Some(p) = xml[from..].find(&open).map(|p| p + from) {
        let after = xml.as_bytes().get(p + open.len()).copied();
        from = p + open.len();
        if !matches!(after, Some(b' ' | b'>' | b'/')) {
            continue;
        }
        let Some(gt) = xml[p..].find('>').map(|g| g + p) else { break };
        let end = if xml.as_bytes()[gt - 1] == b'/' {
            gt + 1
        } else {
            xml[gt..].find(&close).map(|c| c + gt + close.len()).unwrap_or(gt + 1)
        };
        out.push((p, end));
        from = end;
    }
    out
}

/// The byte range of attribute `name="…"`'s value inside `xml[a..b]`.
fn attr(xml: &str, (a, b): (usize, usize), name: &str) -> Option<(usize, usize)> {
    let gt = xml[a..b].find('>')? + a;
    let key = format!(" {name}=\"");
    let s = xml[a..gt].find(&key)? + a + key.len();
    let e = xml[s..gt].find('"')? + s;
    Some((s, e))
}

/// The byte range of the text of the first `<tag>` inside `xml[a..b]`.
fn inner(xml: &str, (a, b): (usize, usize), tag: &str) -> Option<(usize, usize)> {
    let open = format!("<{tag}");
    let p = xml[a..b].find(&open)? + a;
    let s = xml[p..b].find('>')? + p + 1;
    let e = xml[s..b].find(&format!("</{tag}>"))? + s;
    Some((s, e))
}

const FAR_REFS: &[&str] = &[
    "XFD1048576",
    "A1048576",
    "XFD1",
    "ZZZZ99999999",
    "A0",
    "A4294967296",
    "AAAAAAAAAA1",
    "",
    "1A",
    "A-1",
    "B2",
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn sheet_xml(rng: &mut ChaCha8Rng, xml: &mut String, gentle: bool) -> String {
    let cells = elements(xml, "c");
    let Some(&cell) = cells.choose(rng) else { return raw(rng, xml) };
    let arm = if gentle { rng.random_range(4..10) } else { rng.random_range(0..11) };
    match arm {
        0 | 1 => match attr(xml, cell, "r") {
            Some(r) => {
                let v = FAR_REFS.choose(rng).expect("refs").to_string();
                xml.replace_range(r.0..r.1, &v);
                format!("cell ref -> {v:?}")
            }
            None => raw(rng, xml),
        },
        2 => {
            let v = ["A1:XFD1048576", "A1:A1", "XFD1048576", "", "A1:ZZZZ9999999999"]
                .choose(rng)
                .expect("dims")
                .to_string();
            match elements(xml, "dimension").first().and_then(|&d| attr(xml, d, "ref")) {
                Some(r) => xml.replace_range(r.0..r.1, &v),
                None => return raw(rng, xml),
            }
            format!("dimension ref -> {v:?}")
        }
        3 => match elements(xml, "row").choose(rng).copied().and_then(|row| attr(xml, row, "r")) {
            Some(r) => {
                let v = ["1048576", "4294967297", "0", "-3", "1", "x"]
                    .choose(rng)
                    .expect("rows")
                    .to_string();
                xml.replace_range(r.0..r.1, &v);
                format!("row r -> {v:?}")
            }
            None => raw(rng, xml),
        },
        4 | 5 => match inner(xml, cell, "v").or_else(|| inner(xml, cell, "t")) {
            Some(v) => {
                let text = if rng.random_bool(0.7) {
                    mutate::odd_number(rng)
                } else {
                    mutate::odd_cell(rng)
                };
                xml.replace_range(v.0..v.1, &escape(&text));
                format!("cell value -> {:?}", mutate::cut(&text))
            }
            None => raw(rng, xml),
        },
        6 => match attr(xml, cell, "t") {
            Some(t) => {
                let v = ["n", "s", "b", "e", "d", "str", "inlineStr", "zz"]
                    .choose(rng)
                    .expect("types")
                    .to_string();
                xml.replace_range(t.0..t.1, &v);
                format!("cell type -> {v:?}")
            }
            None => {
                xml.insert_str(cell.0 + 2, " t=\"s\"");
                "number cell typed as shared string".into()
            }
        },
        7 => {
            let rows = elements(xml, "row");
            let Some(&(a, b)) = rows.choose(rng) else { return raw(rng, xml) };
            if rng.random_bool(0.5) {
                let copy = xml[a..b].to_string();
                let n = rng.random_range(1..50);
                xml.insert_str(b, &copy.repeat(n));
                format!("row repeated {n} times")
            } else {
                xml.replace_range(a..b, "");
                "row deleted".into()
            }
        }
        8 => {
            xml.replace_range(cell.0..cell.1, "");
            "cell deleted".into()
        }
        9 => {
            let area =
                ["A1:B2", "A1:A3", "A2:XFD1048576", "B1:C1", "A1:H1"].choose(rng).expect("merge");
            let merge = format!("<mergeCells count=\"1\"><mergeCell ref=\"{area}\"/></mergeCells>");
            match xml.find("</sheetData>") {
                Some(p) => xml.insert_str(p + "</sheetData>".len(), &merge),
                None => return raw(rng, xml),
            }
            format!("merged cells {area}")
        }
        _ => raw(rng, xml),
    }
}

fn strings_xml(rng: &mut ChaCha8Rng, xml: &mut String) -> String {
    let items = elements(xml, "si");
    if items.is_empty() {
        return raw(rng, xml);
    }
    // The header texts come first: the writers add strings in row order.
    let head = items.len().min(12);
    let upto = if rng.random_bool(0.6) { head } else { items.len() };
    let k = rng.random_range(0..upto);
    let Some(t) = inner(xml, items[k], "t") else { return raw(rng, xml) };
    let (what, text) = match rng.random_range(0..4) {
        0 => {
            let other = inner(xml, items[rng.random_range(0..head)], "t")
                .map(|(a, b)| xml[a..b].to_string())
                .unwrap_or_default();
            ("copy of another string", other)
        }
        1 => ("empty", String::new()),
        2 => ("10,000 characters", escape(&mutate::long_text(rng, 10_000))),
        _ => ("odd value", escape(&mutate::odd_cell(rng))),
    };
    xml.replace_range(t.0..t.1, &text);
    format!("shared string {k} -> {what}")
}

/// Raw damage to the XML text (may leave it malformed).
fn raw(rng: &mut ChaCha8Rng, xml: &mut String) -> String {
    let mut b = std::mem::take(xml).into_bytes();
    let note = mutate::bytes(rng, &mut b);
    *xml = String::from_utf8_lossy(&b).into_owned();
    format!("XML bytes: {note}")
}
