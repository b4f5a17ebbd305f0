//! The benchmark's floor: what producing exactly the files `mujun evaluate` produced costs with the
//! plain libraries alone, so the engine's overhead can be compared honestly.
//!
//! It reads the same CSV inputs into polars (timed), then replays the outputs evaluate wrote:
//! every workbook under EVAL_OUT_DIR is read back with calamine (untimed) and its cells are
//! written again with rust_xlsxwriter (timed) — same sheet names, same cells at the same places,
//! in the same writer mode evaluate uses (constant memory), without charts, widths or conditional
//! formats and without the engine (no rules, joins, ranking or layout). Other files (CSV, JSON) are
//! read (untimed) and written back byte for byte (timed). Only one workbook's cells are held in
//! memory at a time.
//!
//! With `--formats`, each cell also gets the number format (and bold) of its style in the
//! workbook, read back from `xl/styles.xml` and the cells' `s` attributes (untimed), and written the
//! way evaluate writes them: a column takes the format of its first number, later numbers in that
//! format are written plain (they show in the column's format), others carry their own.
//!
//! cargo run --release --example floor -- [--formats] DATA_DIR EVAL_OUT_DIR FLOOR_OUT_DIR

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use std::io::{BufRead, Read};

use calamine::{open_workbook_auto, Data, Reader};
use polars::prelude::*;
use rust_xlsxwriter::{Format, Workbook};

type Res<T> = Result<T, Box<dyn Error>>;

/// One cell as evaluate wrote it; dates and other kinds are kept as their string form.
enum Cell {
    S(String),
    N(f64),
    B(bool),
    E,
}

/// A sheet read back: name, position of the top-left cell of its range, width, cells row-major.
struct Sheet {
    name: String,
    row0: u32,
    col0: u32,
    width: usize,
    cells: Vec<Cell>,
    /// Style index (`cellXfs`) of each cell, aligned with `cells`; empty without `--formats`.
    styles: Vec<u16>,
}

/// The text of one file inside the xlsx.
fn zip_entry(path: &Path, name: &str) -> Res<String> {
    let mut zip = ::zip::ZipArchive::new(std::fs::File::open(path)?)?;
    let mut text = String::new();
    zip.by_name(name)
        .map_err(|e| format!("{} {name}: {e}", path.display()))?
        .read_to_string(&mut text)?;
    Ok(text)
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Untimed: a Format per cell style (`cellXfs`) with its number format and boldness.
fn read_formats(path: &Path) -> Res<Vec<Format>> {
    let xml = zip_entry(path, "xl/styles.xml")?;
    let section = |name: &str| -> &str {
        let open = format!("<{name}");
        let close = format!("</{name}>");
        xml.find(&open).and_then(|a| xml[a..].find(&close).map(|b| &xml[a..a + b])).unwrap_or("")
    };
    // `tag` is what follows "<name " up to the next tag, so its first attribute has no space before it.
    let attr = |tag: &str, name: &str| -> Option<String> {
        let tag = format!(" {tag}");
        let key = format!(" {name}=\"");
        let at = tag.find(&key)? + key.len();
        Some(unescape(&tag[at..at + tag[at..].find('"')?]))
    };
    let custom: std::collections::HashMap<u16, String> = section("numFmts")
        .split("<numFmt ")
        .skip(1)
        .filter_map(|t| Some((attr(t, "numFmtId")?.parse().ok()?, attr(t, "formatCode")?)))
        .collect();
    let bold: Vec<bool> =
        section("fonts").split("<font>").skip(1).map(|f| f.contains("<b/>")).collect();
    Ok(section("cellXfs")
        .split("<xf ")
        .skip(1)
        .map(|t| {
            let id: u16 = attr(t, "numFmtId").and_then(|v| v.parse().ok()).unwrap_or(0);
            let font: usize = attr(t, "fontId").and_then(|v| v.parse().ok()).unwrap_or(0);
            let f = match custom.get(&id) {
                Some(code) => Format::new().set_num_format(code),
                None if id != 0 => Format::new().set_num_format_index(id as u8),
                None => Format::new(),
            };
            if bold.get(font).copied().unwrap_or(false) {
                f.set_bold()
            } else {
                f
            }
        })
        .collect())
}

/// Untimed: the style of every cell of sheet number `index` (0-based; rust_xlsxwriter names the
/// parts sheet1.xml, sheet2.xml, … in sheet order), streamed tag by tag from the part.
fn read_styles(path: &Path, index: usize, sh: &Sheet) -> Res<Vec<u16>> {
    let mut styles = vec![0u16; sh.cells.len()];
    let mut zip = ::zip::ZipArchive::new(std::fs::File::open(path)?)?;
    let name = format!("xl/worksheets/sheet{}.xml", index + 1);
    let part = zip.by_name(&name).map_err(|e| format!("{} {name}: {e}", path.display()))?;
    let mut xml = std::io::BufReader::with_capacity(1 << 20, part);
    let mut tag = Vec::new();
    const OPEN: &[u8] = b"<c r=\"";
    loop {
        tag.clear();
        if xml.read_until(b'>', &mut tag)? == 0 {
            break;
        }
        let Some(at) = tag.windows(OPEN.len()).position(|w| w == OPEN) else { continue };
        let rest = &tag[at + OPEN.len()..];
        // "AB12": column letters, then the 1-based row.
        let letters = rest.iter().take_while(|b| b.is_ascii_uppercase()).count();
        let col = rest[..letters].iter().fold(0usize, |c, b| c * 26 + (b - b'A' + 1) as usize) - 1;
        let digits = rest[letters..].iter().take_while(|b| b.is_ascii_digit()).count();
        let row: usize =
            std::str::from_utf8(&rest[letters..letters + digits])?.parse::<usize>()? - 1;
        let after = &rest[letters + digits..];
        let Some(s) = after.strip_prefix(b"\" s=\"") else { continue };
        let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
        let style: u16 = std::str::from_utf8(&s[..n])?.parse()?;
        let (r, c) = (row.wrapping_sub(sh.row0 as usize), col.wrapping_sub(sh.col0 as usize));
        if c < sh.width && r * sh.width + c < styles.len() {
            styles[r * sh.width + c] = style;
        }
    }
    Ok(styles)
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> Res<()> {
    for e in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let p = e?.path();
        if p.is_dir() {
            files_under(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// Untimed: every sheet of the workbook, in order.
fn read_workbook(path: &Path, formats: bool) -> Res<Vec<Sheet>> {
    let mut wb = open_workbook_auto(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut sheets = Vec::new();
    for name in wb.sheet_names() {
        let mut range =
            wb.worksheet_range(&name).map_err(|e| format!("{} [{name}]: {e}", path.display()))?;
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let (height, width) = range.get_size();
        // Move the values out of the range row by row (no string copies), keeping row-major order.
        let mut cells = Vec::with_capacity(height * width);
        for r in 0..height {
            for d in range[r].iter_mut() {
                cells.push(match std::mem::take(d) {
                    Data::String(s) => Cell::S(s),
                    Data::Float(f) => Cell::N(f),
                    Data::Int(i) => Cell::N(i as f64),
                    Data::Bool(b) => Cell::B(b),
                    Data::Empty => Cell::E,
                    other => Cell::S(other.to_string()),
                });
            }
        }
        drop(range);
        let mut sheet = Sheet { name, row0, col0, width, cells, styles: Vec::new() };
        if formats {
            sheet.styles = read_styles(path, sheets.len(), &sheet)?;
        }
        sheets.push(sheet);
    }
    Ok(sheets)
}

/// Timed: the same sheets and cells with rust_xlsxwriter in constant-memory mode. Returns cells
/// written and the time of each sheet, then of saving ("保存"), as `evaluate -v` lists them.
fn write_workbook(
    sheets: &[Sheet],
    formats: &[Format],
    dest: &Path,
) -> Res<(usize, Vec<(String, Duration)>)> {
    let mut wb = Workbook::new();
    let mut n = 0usize;
    let mut times = Vec::new();
    for sh in sheets {
        let t = Instant::now();
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name(&sh.name)?;
        if sh.width == 0 {
            continue;
        }
        // The style each column took from its first number (see the module comment).
        let mut col_style: Vec<Option<u16>> = vec![None; sh.width];
        // `cells` is row-major, so rows are written in ascending order as constant memory requires.
        for (i, c) in sh.cells.iter().enumerate() {
            let r = sh.row0 + (i / sh.width) as u32;
            let col = u16::try_from(sh.col0 as usize + i % sh.width)
                .map_err(|_| format!("{}: column out of range", sh.name))?;
            let style = sh.styles.get(i).copied().unwrap_or(0);
            let format = formats.get(style as usize).filter(|_| style != 0);
            match (c, format) {
                (Cell::S(s), None) => ws.write_string(r, col, s)?,
                // A text in a column with that number format shows it without its own.
                (Cell::S(s), Some(_)) if col_style[i % sh.width] == Some(style) => {
                    ws.write_string(r, col, s)?
                }
                (Cell::S(s), Some(f)) => ws.write_string_with_format(r, col, s, f)?,
                (Cell::N(x), None) => ws.write_number(r, col, *x)?,
                (Cell::N(x), Some(f)) => match col_style[i % sh.width] {
                    Some(cs) if cs == style => ws.write_number(r, col, *x)?,
                    Some(_) => ws.write_number_with_format(r, col, *x, f)?,
                    None => {
                        ws.set_column_format(col, f)?;
                        col_style[i % sh.width] = Some(style);
                        ws.write_number(r, col, *x)?
                    }
                },
                (Cell::B(b), _) => ws.write_boolean(r, col, *b)?,
                (Cell::E, _) => continue,
            };
            n += 1;
        }
        times.push((sh.name.clone(), t.elapsed()));
    }
    let t = Instant::now();
    wb.save(dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    times.push(("保存".to_string(), t.elapsed()));
    Ok((n, times))
}

fn main() -> Res<()> {
    let mut a: Vec<String> = std::env::args().collect();
    let with_formats = a.iter().any(|x| x == "--formats");
    a.retain(|x| x != "--formats");
    if a.len() != 4 {
        eprintln!("usage: floor [--formats] DATA_DIR EVAL_OUT_DIR FLOOR_OUT_DIR");
        std::process::exit(2);
    }
    let (dir, eval_out, out) = (Path::new(&a[1]), Path::new(&a[2]), Path::new(&a[3]));

    // 1. Read: the CSV inputs into polars, as evaluate starts from them.
    let t = Instant::now();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    let mut cells = 0usize;
    for f in files {
        let df = CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(f.clone()))?
            .finish()
            .map_err(|e| format!("{}: {e}", f.display()))?;
        cells += df.height() * df.width();
    }
    let read = t.elapsed();

    // 2. Write: replay every output file of evaluate; only the writing is timed.
    let mut outputs = Vec::new();
    files_under(eval_out, &mut outputs)?;
    outputs.sort();
    let (mut write, mut written, mut workbooks, mut bytes) =
        (Duration::ZERO, 0usize, 0usize, 0usize);
    let mut lines = Vec::new();
    let mut sheet_lines = Vec::new();
    for src in outputs {
        let rel = src.strip_prefix(eval_out)?;
        let dest = out.join(rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let is_xlsx = src.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        let dt = if is_xlsx {
            let sheets = read_workbook(&src, with_formats)?;
            let formats = if with_formats { read_formats(&src)? } else { Vec::new() };
            let t = Instant::now();
            let (cells, times) = write_workbook(&sheets, &formats, &dest)?;
            let dt = t.elapsed();
            drop(sheets);
            written += cells;
            workbooks += 1;
            sheet_lines.extend(
                times.into_iter().map(|(name, d)| format!("    {name}: {:.3} s", d.as_secs_f64())),
            );
            dt
        } else {
            let data = std::fs::read(&src).map_err(|e| format!("{}: {e}", src.display()))?;
            let t = Instant::now();
            std::fs::write(&dest, &data).map_err(|e| format!("{}: {e}", dest.display()))?;
            bytes += data.len();
            t.elapsed()
        };
        write += dt;
        lines.push(format!("  {}: {:.3} s", rel.display(), dt.as_secs_f64()));
        lines.append(&mut sheet_lines);
    }

    println!(
        "floor{}: read {:.3} s ({cells} cells), write {:.3} s ({written} cells in {workbooks} workbooks, {bytes} bytes in other files), total {:.3} s",
        if with_formats { " with formats" } else { "" },
        read.as_secs_f64(),
        write.as_secs_f64(),
        (read + write).as_secs_f64()
    );
    for l in lines {
        println!("{l}");
    }
    Ok(())
}
