//! The benchmark's floor: read the same CSV files into polars and write a workbook of the same
//! shape as the results with rust_xlsxwriter alone, and nothing else. Prints the two times.
//!
//! cargo run --release --example floor -- DATA_DIR OUT_DIR ROWS TEXT_COLS NUM_COLS NE_ROWS

use std::time::Instant;

use polars::prelude::*;
use rust_xlsxwriter::Workbook;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 7 {
        eprintln!("usage: floor DATA_DIR OUT_DIR ROWS TEXT_COLS NUM_COLS NE_ROWS");
        std::process::exit(2);
    }
    let (dir, out) = (&a[1], &a[2]);
    let (rows, text_cols, num_cols, ne_rows): (usize, u16, u16, usize) = (a[3].parse()?, a[4].parse()?, a[5].parse()?, a[6].parse()?);

    let t = Instant::now();
    let mut files: Vec<_> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "csv")).collect();
    files.sort();
    let mut cells = 0usize;
    for f in files {
        let df = CsvReadOptions::default().with_has_header(true).try_into_reader_with_file_path(Some(f))?.finish()?;
        cells += df.height() * df.width();
    }
    let read = t.elapsed();

    let t = Instant::now();
    std::fs::create_dir_all(out)?;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory()?;
    for r in 0..rows as u32 {
        for c in 0..text_cols {
            ws.write_string(r, c, "重庆市涪陵区示例材料有限公司")?;
        }
        for c in 0..num_cols {
            ws.write_number(r, text_cols + c, r as f64 * 1.25 + c as f64)?;
        }
    }
    let ws = wb.add_worksheet_with_constant_memory()?;
    for r in 0..ne_rows as u32 {
        for c in 0..8 {
            ws.write_string(r, c, "规下企业评价用地不足3亩")?;
        }
    }
    wb.save(format!("{out}/floor.xlsx"))?;
    let write = t.elapsed();
    println!("floor: read {:.3} s ({cells} cells), write {:.3} s, total {:.3} s", read.as_secs_f64(), write.as_secs_f64(), (read + write).as_secs_f64());
    Ok(())
}
