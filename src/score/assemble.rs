//! One row per registered enterprise with every field formulas and conditions use: the register
//! joined with evaluated land, the tax basket, output and energy.

use std::collections::BTreeMap;

use polars::lazy::dsl::sum_horizontal;
use polars::prelude::*;

use super::age;
use crate::ingest::schema::TableKind;
use crate::ingest::{Dataset, Problem, Severity};
use crate::rules::tax::{NoTaxRows, TaxRules, TaxVerdict};
use crate::rules::Rules;

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
    /// Every tax type of the tax table, by name, with how `[tax]` treated it.
    pub tax_types: Vec<TaxTypeUse>,
}

/// One row per registered enterprise with its inputs ([`join_tables`]), and the cross-table
/// checks ([`cross_check`]): enterprises missing from the register or from a table, names that
/// differ from the register's.
pub fn assemble(ds: &Dataset, rules: &Rules) -> PolarsResult<Assembled> {
    let mut asm = join_tables(ds, rules)?;
    let (unregistered, problems) = cross_check(ds, rules)?;
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

    let (tax_sum, tax_types) = tax_basket(ds, &reg_keys, &rules.tax)?;
    problems.extend(tax_problems(&tax_types, &rules.tax));

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
    columns.extend(ages(&columns, rules.meta.year)?);
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
            col("reg_date").cast(DataType::Date).alias("registration_date"),
            col("prod_date").cast(DataType::Date).alias("production_date"),
            lit(age::days_of(age::year_end(rules.meta.year)))
                .cast(DataType::Date)
                .alias("year_end"),
            col("tags").fill_null(lit("")),
        ])
        .collect()?;

    Ok(Assembled { base, unregistered: Vec::new(), problems, tax_types })
}

/// One tax type of the tax table and how `[tax]` treated it (规则 sheet, 问题清单).
#[derive(Debug, Clone, PartialEq)]
pub struct TaxTypeUse {
    /// The type as written in the tax table.
    pub tax_type: String,
    /// Its rows.
    pub rows: usize,
    /// Σ amount of its rows (万元).
    pub amount: f64,
    /// Counted, or which rule left it out.
    pub verdict: TaxVerdict,
}

/// Each enterprise's evaluated tax (`tax`, aligned with `reg_keys`) and the tax types seen.
/// A row counts when `[tax]` admits its type; an enterprise with rows none of which count has 0;
/// one without rows has 0 or missing as `no_rows` says.
fn tax_basket(
    ds: &Dataset,
    reg_keys: &UInt32Chunked,
    rules: &TaxRules,
) -> PolarsResult<(Series, Vec<TaxTypeUse>)> {
    let tax = ds.table(TableKind::Tax);
    let (types, amounts) = (tax.column("tax_type")?.str()?, tax.column("amount")?.f64()?);
    let mut seen: BTreeMap<&str, TaxTypeUse> = BTreeMap::new();
    let mut counted = Vec::with_capacity(tax.height());
    for (t, a) in types.iter().zip(amounts.iter()) {
        let t = t.unwrap_or("");
        let u = seen.entry(t).or_insert_with(|| TaxTypeUse {
            tax_type: t.to_string(),
            rows: 0,
            amount: 0.0,
            verdict: rules.verdict(t),
        });
        u.rows += 1;
        u.amount += a.unwrap_or(0.0);
        // Some(None): the row makes the enterprise present (sum 0) without adding.
        counted.push(Some(a.filter(|_| u.verdict == TaxVerdict::Counted)));
    }
    let sums = sum_by_key(reg_keys, tax.column("__key")?.u32()?, counted.into_iter(), ds.key_count);
    let sums = match rules.no_rows {
        NoTaxRows::Zero => sums.fill_null_with_values(0.0)?,
        NoTaxRows::Missing => sums,
    };
    Ok((sums.with_name("tax".into()).into_series(), seen.into_values().collect()))
}

/// 提示 rows of 问题清单: each tax type an include or exclude entry left out (rows, amount and
/// the entry), and each entry that matched no type of the year.
fn tax_problems(types: &[TaxTypeUse], rules: &TaxRules) -> Vec<Problem> {
    let info = |value: &str, message: String, action: &str| Problem {
        severity: Severity::Info,
        table: "税收".into(),
        file: String::new(),
        sheet: String::new(),
        row: None,
        column: "税种".into(),
        value: value.to_string(),
        message,
        action: action.into(),
    };
    let mut out = Vec::new();
    for u in types.iter().filter(|u| u.verdict != TaxVerdict::Counted) {
        let m = format!(
            "{}（{} 行，合计 {:.2} 万元）",
            rules.verdict_text(u.verdict),
            u.rows,
            u.amount
        );
        out.push(info(&u.tax_type, m, "不计入实缴税额"));
    }
    let entries = rules.include.iter().flatten().map(|p| ("include", p));
    for (key, p) in entries.chain(rules.exclude.iter().map(|p| ("exclude", p))) {
        if !types.iter().any(|u| p.matches(&u.tax_type)) {
            let m = format!("规则 tax.{key} 中的「{}」在本年税收表中没有匹配的税种", p.text);
            out.push(info(&p.text, m, "请核对税种名称是否与税务部门导出的一致"));
        }
    }
    out
}

/// `years_since_registration` and `years_since_production`: completed years from 成立日期 and
/// 投产日期 to 31 December of `year` ([`age::completed_years`]).
fn ages(register: &[Column], year: i32) -> PolarsResult<Vec<Column>> {
    let end = age::year_end(year);
    let mut out = Vec::new();
    for (date, name) in
        [("reg_date", "years_since_registration"), ("prod_date", "years_since_production")]
    {
        let days = register.iter().find(|c| c.name().as_str() == date);
        let days = days.ok_or_else(|| polars_err!(ColumnNotFound: "{date}"))?;
        out.push(age::years_since(days.i32()?, end).with_name(name.into()).into_column());
    }
    Ok(out)
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
pub fn cross_check(ds: &Dataset, rules: &Rules) -> PolarsResult<(Vec<Unregistered>, Vec<Problem>)> {
    let mut problems = Vec::new();
    let (unreg, absent) = presence(ds, rules.tax.no_rows)?;
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
/// the tables every evaluation needs (land, tax, output, energy); its action says what the
/// missing tax counts as (`no_rows`).
#[allow(clippy::type_complexity)]
fn presence(
    ds: &Dataset,
    no_rows: NoTaxRows,
) -> PolarsResult<(BTreeMap<String, Vec<&'static str>>, Vec<Problem>)> {
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
            action: absent_action(&missing, no_rows),
        });
    }
    Ok((unreg, out))
}

/// What an enterprise absent from the `missing` tables gets: tax 0 under `no_rows = "zero"`,
/// the other values missing.
fn absent_action(missing: &[&str], no_rows: NoTaxRows) -> String {
    let tax = TableKind::Tax.name();
    if no_rows == NoTaxRows::Missing || !missing.contains(&tax) {
        return "相关数值按缺失处理".into();
    }
    let zero = "计入实缴税额按 0 计（规则 tax.no_rows = \"zero\"）";
    if missing.len() == 1 {
        zero.into()
    } else {
        format!("{zero}，其余按缺失处理")
    }
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
