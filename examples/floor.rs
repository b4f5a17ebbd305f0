//! The benchmark's floor: what producing exactly the files `mujun evaluate` produced costs with the
//! plain libraries alone, so the engine's overhead can be compared honestly.
//!
//! It reads the same CSV inputs into polars (timed), then replays the outputs evaluate wrote:
//! every workbook under EVAL_OUT_DIR is read back with calamine (untimed) and its cells are
//! written again with rust_xlsxwriter (timed) — same sheet names, same cells at the same places,
//! in the same writer mode evaluate uses (constant memory), without formats or charts and without
//! the engine (no rules, joins, ranking or layout). Other files (CSV, JSON) are read (untimed) and
//! written back byte for byte (timed). Only one workbook's cells are held in memory at a time.
//!
//! cargo run --release --example floor -- DATA_DIR EVAL_OUT_DIR FLOOR_OUT_DIR

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use calamine::{open_workbook_auto, Data, Reader};
use polars::prelude::*;
use rust_xlsxwriter::Workbook;

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
fn read_workbook(path: &Path) -> Res<Vec<Sheet>> {
    let mut wb = open_workbook_auto(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut sheets = Vec::new();
    for name in wb.sheet_names() {
        let mut range = wb.worksheet_range(&name).map_err(|e| format!("{} [{name}]: {e}", path.display()))?;
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
        sheets.push(Sheet { name, row0, col0, width, cells });
    }
    Ok(sheets)
}

/// Timed: the same sheets and cells with rust_xlsxwriter in constant-memory mode. Returns cells written.
fn write_workbook(sheets: &[Sheet], dest: &Path) -> Res<usize> {
    let mut wb = Workbook::new();
    let mut n = 0usize;
    for sh in sheets {
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name(&sh.name)?;
        if sh.width == 0 {
            continue;
        }
        // `cells` is row-major, so rows are written in ascending order as constant memory requires.
        for (i, c) in sh.cells.iter().enumerate() {
            let r = sh.row0 + (i / sh.width) as u32;
            let col = u16::try_from(sh.col0 as usize + i % sh.width).map_err(|_| format!("{}: column out of range", sh.name))?;
            match c {
                Cell::S(s) => ws.write_string(r, col, s)?,
                Cell::N(f) => ws.write_number(r, col, *f)?,
                Cell::B(b) => ws.write_boolean(r, col, *b)?,
                Cell::E => continue,
            };
            n += 1;
        }
    }
    wb.save(dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    Ok(n)
}

fn main() -> Res<()> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 4 {
        eprintln!("usage: floor DATA_DIR EVAL_OUT_DIR FLOOR_OUT_DIR");
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
    let (mut write, mut written, mut workbooks, mut bytes) = (Duration::ZERO, 0usize, 0usize, 0usize);
    let mut lines = Vec::new();
    for src in outputs {
        let rel = src.strip_prefix(eval_out)?;
        let dest = out.join(rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let is_xlsx = src.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        let dt = if is_xlsx {
            let sheets = read_workbook(&src)?;
            let t = Instant::now();
            written += write_workbook(&sheets, &dest)?;
            let dt = t.elapsed();
            drop(sheets);
            workbooks += 1;
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
    }

    println!(
        "floor: read {:.3} s ({cells} cells), write {:.3} s ({written} cells in {workbooks} workbooks, {bytes} bytes in other files), total {:.3} s",
        read.as_secs_f64(),
        write.as_secs_f64(),
        (read + write).as_secs_f64()
    );
    for l in lines {
        println!("{l}");
    }
    Ok(())
}
