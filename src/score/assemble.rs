//! One row per registered enterprise with every field formulas and conditions use: the register
//! joined with evaluated land, the tax basket, output and energy.

use std::collections::BTreeMap;

use polars::lazy::dsl::sum_horizontal;
use polars::prelude::*;

use crate::ingest::schema::TableKind;
use crate::ingest::{Dataset, Problem, Severity};
use crate::rules::Rules;

/// Days from 1970-01-01 to 31 December of `year`.
pub fn year_end_days(year: i32) -> i32 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");
    let end = chrono::NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(epoch);
    (end - epoch).num_days() as i32
}

/// An enterprise seen in a data table but not in the register.
#[derive(Debug, Clone)]
pub struct Unregistered {
    /// Its credit code, normalised.
    pub code: String,
    /// The Chinese names of the tables it appears in (税收, 用地…), for 未参评's reason.
    pub tables: Vec<&'static str>,
}

/// What [`assemble`] yields: the enterprise table scoring starts from, and what the checks found.
pub struct Assembled {
    /// One row per registered enterprise, in register order: its register columns, land area in
    /// 亩 (weighted by 用地方式), tax basket in 万元, output and energy fields.
    pub base: DataFrame,
    /// Enterprises in a data table but not in 企业名录 (listed in 未参评).
    pub unregistered: Vec<Unregistered>,
    /// Problems found while assembling and cross-checking (unknown 用地方式, absent rows…).
    pub problems: Vec<Problem>,
}

/// One row per registered enterprise with its inputs ([`join_tables`]), and the cross-table
/// checks ([`cross_check`]): enterprises missing from the register or from a table, names that
/// differ from the register's.
pub fn assemble(ds: &Dataset, rules: &Rules) -> PolarsResult<Assembled> {
    let mut asm = join_tables(ds, rules)?;
    let (unregistered, problems) = cross_check(ds)?;
    asm.unregistered = unregistered;
    asm.problems.extend(problems);
    Ok(asm)
}

/// The register joined with each enterprise's land (Σ area × coefficient of the 用地方式), tax
/// basket, output and energy, by enterprise key; `unregistered` is left empty. Problems: land
/// rows whose 用地方式 the rules do not know.
///
/// The enterprise key numbers enterprises densely (see `Dataset::key_count`), so each join is a
/// lookup by key followed by a polars gather: the sums per enterprise are accumulated into a
/// vector indexed by key, and the rows of output and energy (at most one per enterprise) are
/// gathered in register order. The register's own columns are never copied.
pub fn join_tables(ds: &Dataset, rules: &Rules) -> PolarsResult<Assembled> {
    let mut problems = Vec::new();
    let n = ds.key_count;
    let mut register = ds.table(TableKind::Register).clone();
    register.rename("__src", "__reg_src".into())?;
    register.rename("__row", "__reg_row".into())?;
    let reg_keys = register.column("__key")?.u32()?.clone();

    // Land: Σ area × coefficient of the 用地方式; unknown modes are reported and not counted.
    let land = ds.table(TableKind::Land);
    let uses = land.column("land_use")?.str()?;
    let coefs: Vec<Option<f64>> = uses
        .iter()
        .map(|u| u.and_then(|u| rules.land_modes.iter().find(|(m, _)| m == u)).map(|(_, c)| *c))
        .collect();
    if coefs.iter().any(Option::is_none) {
        let known = rules.land_modes.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>().join("、");
        let (srcs, rows) = (land.column("__src")?.u32()?, land.column("__row")?.u32()?);
        for (((c, u), src), row) in coefs.iter().zip(uses.iter()).zip(srcs.iter()).zip(rows.iter())
        {
            if c.is_some() {
                continue;
            }
            let (file, sheet) = ds.locate(src.unwrap_or(0));
            problems.push(Problem {
                severity: Severity::Warning,
                table: "用地".into(),
                file,
                sheet,
                row: row.map(|r| r as usize),
                column: "用地方式".into(),
                value: u.unwrap_or("").to_string(),
                message: format!("用地方式不在规则 land.modes 中（{known}）"),
                action: "该行面积不计入".into(),
            });
        }
    }
    let area = land.column("area_mu")?.f64()?;
    let land_mu = sum_by_key(
        &reg_keys,
        land.column("__key")?.u32()?,
        area.iter().zip(&coefs).map(|(a, c)| c.map(|c| a.map(|a| a * c))),
        n,
    )
    .with_name("land_mu".into());

    // Tax basket: a row counts when its type is in `tax.include` (if given) and not in
    // `tax.exclude`; a row without a type counts only when neither list is given.
    let tax = ds.table(TableKind::Tax);
    let admits = |t: Option<&str>| match t {
        Some(t) => {
            rules.tax_include.as_ref().is_none_or(|inc| inc.iter().any(|i| i == t))
                && !rules.tax_exclude.iter().any(|e| e == t)
        }
        None => rules.tax_include.is_none() && rules.tax_exclude.is_empty(),
    };
    let tax_sum = sum_by_key(
        &reg_keys,
        tax.column("__key")?.u32()?,
        tax.column("tax_type")?
            .str()?
            .iter()
            .zip(tax.column("amount")?.f64()?.iter())
            .map(|(t, a)| admits(t).then_some(a)),
        n,
    )
    .with_name("tax".into());

    let per_enterprise = |kind: TableKind| -> PolarsResult<DataFrame> {
        Ok(gather_by_key(&reg_keys, ds.table(kind), n)?
            .drop_many(["__key", "__src", "__row", "src_name", "code"]))
    };
    let output = per_enterprise(TableKind::Output)?;
    let energy = per_enterprise(TableKind::Energy)?;

    let mut columns = register.into_columns();
    columns.push(land_mu.into_column());
    columns.push(tax_sum.into_column());
    columns.extend(output.into_columns());
    columns.extend(energy.into_columns());
    let end = year_end_days(rules.meta.year);
    let base = DataFrame::new(reg_keys.len(), columns)?
        .lazy()
        .with_columns([
            when(
                col("cod")
                    .is_null()
                    .and(col("so2").is_null())
                    .and(col("nh3n").is_null())
                    .and(col("nox").is_null()),
            )
            .then(lit(NULL).cast(DataType::Float64))
            .otherwise(sum_horizontal([col("cod"), col("so2"), col("nh3n"), col("nox")], true)?)
            .alias("pollutants"),
            // A non-numeric industry code gives a null division (non-strict cast), never an abort.
            col("industry_code")
                .str()
                .slice(lit(0), lit(2))
                .cast(DataType::Int32)
                .alias("division"),
            ((lit(end) - col("reg_date")).cast(DataType::Float64) / lit(365.25))
                .alias("years_since_registration"),
            ((lit(end) - col("prod_date")).cast(DataType::Float64) / lit(365.25))
                .alias("years_since_production"),
        ])
        .collect()?;

    Ok(Assembled { base, unregistered: Vec::new(), problems })
}

/// For each of `row_keys` (the enterprise key of each row of the frame the sums are for), the
/// sum of the `values` of the rows with that key in `keys` that count (`Some`); null values add
/// nothing. Null where no row of the enterprise counts, as a left join of a group-by sum gives.
/// The sums are compensated (Neumaier): the result is the double nearest the exact sum of the
/// values, whatever the row order, so two enterprises with the same payments in another order
/// tie (a plain sum gives 0.1 + 0.2 + 0.3 = 0.6000000000000001 but 0.3 + 0.2 + 0.1 = 0.6, and the
/// tie-break on 亩均税收 would separate them). Used for land, the tax basket and tax-based policy
/// bases (`report::analysis`).
pub fn sum_by_key(
    row_keys: &UInt32Chunked,
    keys: &UInt32Chunked,
    values: impl Iterator<Item = Option<Option<f64>>>,
    n: usize,
) -> Float64Chunked {
    // (sum, compensation) per key; None until a row of the enterprise counts.
    let mut sums: Vec<Option<(f64, f64)>> = vec![None; n];
    for (k, v) in keys.iter().zip(values) {
        let (Some(k), Some(v)) = (k, v) else { continue };
        let (s, c) = sums[k as usize].get_or_insert((0.0, 0.0));
        if let Some(v) = v {
            let t = *s + v;
            *c += if s.abs() >= v.abs() { (*s - t) + v } else { (v - t) + *s };
            *s = t;
        }
    }
    row_keys.iter().map(|k| k.and_then(|k| sums[k as usize]).map(|(s, c)| s + c)).collect()
}

/// `table`'s row for each of `reg_keys` (nulls where the enterprise has no row; the first row
/// if it had several).
fn gather_by_key(reg_keys: &UInt32Chunked, table: &DataFrame, n: usize) -> PolarsResult<DataFrame> {
    const ABSENT: IdxSize = IdxSize::MAX;
    let mut row_of = vec![ABSENT; n];
    for (i, k) in table.column("__key")?.u32()?.iter().enumerate() {
        if let Some(k) = k {
            let r = &mut row_of[k as usize];
            if *r == ABSENT {
                *r = i as IdxSize;
            }
        }
    }
    let idx: IdxCa =
        reg_keys.iter().map(|k| k.map(|k| row_of[k as usize]).filter(|&r| r != ABSENT)).collect();
    table.take(&idx)
}

/// Enterprises in data tables but missing from the register (with a warning each), registered
/// ones missing from a data table, and department names that differ from the register's.
pub fn cross_check(ds: &Dataset) -> PolarsResult<(Vec<Unregistered>, Vec<Problem>)> {
    let mut problems = Vec::new();
    let (unreg, absent) = presence(ds)?;
    for (code, tables) in &unreg {
        problems.push(Problem {
            severity: Severity::Warning,
            table: tables.join("、"),
            file: String::new(),
            sheet: String::new(),
            row: None,
            column: "统一社会信用代码".into(),
            value: code.clone(),
            message: format!("出现在{}表中，但企业名录中没有该企业", tables.join("、")),
            action: "列入未参评（未列入企业名录）".into(),
        });
    }
    problems.extend(absent);
    problems.extend(names_differ(ds)?);
    let unregistered =
        unreg.into_iter().map(|(code, tables)| Unregistered { code, tables }).collect();
    Ok((unregistered, problems))
}

/// The tables whose rows are matched to the register; the first four are the ones every
/// evaluation needs.
const MATCHED: [TableKind; 6] = [
    TableKind::Land,
    TableKind::Tax,
    TableKind::Output,
    TableKind::Energy,
    TableKind::Events,
    TableKind::Adjust,
];
const NEEDED: usize = 4;

/// One pass over every data table by enterprise key: the codes no register row has (with the
/// tables they appear in), and a warning for each registered enterprise with no row in one of
/// the tables every evaluation needs (land, tax, output, energy).
#[allow(clippy::type_complexity)]
fn presence(ds: &Dataset) -> PolarsResult<(BTreeMap<String, Vec<&'static str>>, Vec<Problem>)> {
    let reg = ds.table(TableKind::Register);
    let mut registered = vec![false; ds.key_count];
    for k in reg.column("__key")?.u32()?.iter().flatten() {
        registered[k as usize] = true;
    }
    // Bit t of found[k]: enterprise k has a row in MATCHED[t].
    let mut found = vec![0u8; ds.key_count];
    let mut unreg: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    for (t, kind) in MATCHED.iter().enumerate() {
        let table = ds.table(*kind);
        for (k, code) in
            table.column("__key")?.u32()?.iter().zip(table.column("code")?.str()?.iter())
        {
            let (Some(k), Some(code)) = (k, code) else { continue };
            let k = k as usize;
            let first_in_table = found[k] & (1 << t) == 0;
            found[k] |= 1 << t;
            if !registered[k] && first_in_table {
                unreg.entry(code.to_string()).or_default().push(kind.name());
            }
        }
    }
    let needed = (1u8 << NEEDED) - 1;
    let (keys, codes, srcs, rows) = (
        reg.column("__key")?.u32()?,
        reg.column("code")?.str()?,
        reg.column("__src")?.u32()?,
        reg.column("__row")?.u32()?,
    );
    let mut out = Vec::new();
    for (((k, code), src), row) in keys.iter().zip(codes.iter()).zip(srcs.iter()).zip(rows.iter()) {
        let (Some(k), Some(code)) = (k, code) else { continue };
        let f = found[k as usize];
        if f & needed == needed {
            continue;
        }
        let missing: Vec<&str> = MATCHED[..NEEDED]
            .iter()
            .enumerate()
            .filter(|(t, _)| f & (1 << t) == 0)
            .map(|(_, kind)| kind.name())
            .collect();
        let (file, sheet) = ds.locate(src.unwrap_or(0));
        out.push(Problem {
            severity: Severity::Warning,
            table: "企业名录".into(),
            file,
            sheet,
            row: row.map(|r| r as usize),
            column: "统一社会信用代码".into(),
            value: code.to_string(),
            message: format!("该企业在{}表中没有数据", missing.join("、")),
            action: "相关数值按缺失处理".into(),
        });
    }
    Ok((unreg, out))
}

/// A department table that names an enterprise differently from the register (first row per
/// table and enterprise).
fn names_differ(ds: &Dataset) -> PolarsResult<Vec<Problem>> {
    let reg = ds.table(TableKind::Register);
    let mut names: Vec<Option<&str>> = vec![None; ds.key_count];
    for (k, n) in reg.column("__key")?.u32()?.iter().zip(reg.column("name")?.str()?.iter()) {
        if let (Some(k), Some(n)) = (k, n) {
            names[k as usize] = Some(n);
        }
    }
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let mut out = Vec::new();
    for kind in MATCHED {
        let t = ds.table(kind);
        let (keys, codes, given) =
            (t.column("__key")?.u32()?, t.column("code")?.str()?, t.column("src_name")?.str()?);
        let (srcs, rows) = (t.column("__src")?.u32()?, t.column("__row")?.u32()?);
        let mut reported = vec![false; ds.key_count];
        for ((((k, c), g), src), row) in
            keys.iter().zip(codes.iter()).zip(given.iter()).zip(srcs.iter()).zip(rows.iter())
        {
            let (Some(k), Some(c), Some(g)) = (k, c, g) else { continue };
            let Some(r) = names[k as usize] else { continue };
            if r == g || reported[k as usize] || squash(r) == squash(g) {
                continue;
            }
            reported[k as usize] = true;
            let (file, sheet) = ds.locate(src.unwrap_or(0));
            out.push(Problem {
                severity: Severity::Warning,
                table: kind.name().into(),
                file,
                sheet,
                row: row.map(|r| r as usize),
                column: "企业名称".into(),
                value: g.to_string(),
                message: format!("同一统一社会信用代码{c}在企业名录中的名称为「{r}」"),
                action: "以企业名录为准".into(),
            });
        }
    }
    Ok(out)
}
