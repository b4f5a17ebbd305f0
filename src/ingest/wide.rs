//! Tax tables exported wide (one column per 税种) are reshaped to the long form (one row per
//! enterprise and 税种) before typing; each long row remembers its source row so problems and
//! the row accounting still name the spreadsheet row.

use polars::prelude::*;

use super::read::{header_key, RawSheet};
use super::IngestError;

/// Tax types recognised as column headers of a wide tax table (and offered by `template`).
pub const TAX_TYPES: &[&str] = &[
    "增值税",
    "消费税",
    "企业所得税",
    "个人所得税",
    "房产税",
    "城镇土地使用税",
    "车船税",
    "土地增值税",
    "印花税",
    "城市维护建设税",
    "资源税",
    "教育费附加",
    "地方教育附加",
    "环境保护税",
    "耕地占用税",
    "契税",
    "稽查查补",
    "一次性税收",
    "政策性搬迁一次性税收",
    "房产土地转让一次性税收",
    "股权转让一次性税收",
];

/// Columns of a wide tax table: (column index, tax type, unit).
fn tax_columns(raw: &RawSheet) -> Vec<(usize, &'static str, Option<String>)> {
    raw.headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let (k, unit) = header_key(h);
            TAX_TYPES.iter().find(|t| **t == k).map(|t| (i, *t, unit))
        })
        .collect()
}

/// True for a sheet with a credit-code column, no 税种 column and at least two tax-type columns.
pub fn is_wide_tax(raw: &RawSheet, has_code: bool, has_tax_type: bool) -> bool {
    has_code && !has_tax_type && tax_columns(raw).len() >= 2
}

/// Columns of a wide tax sheet that are neither the code, the name nor a known tax type, with
/// some content: (header, whether it looks like a tax or fee — 税, 费, 附加, 查补 in its name).
/// Their amounts are not read; ingest lists each so no money disappears unseen.
pub fn unread_columns(
    raw: &RawSheet,
    code_col: usize,
    name_col: Option<usize>,
) -> PolarsResult<Vec<(String, bool)>> {
    let taxes: Vec<usize> = tax_columns(raw).iter().map(|(i, _, _)| *i).collect();
    let mut out = Vec::new();
    for (i, h) in raw.headers.iter().enumerate() {
        if i == code_col || Some(i) == name_col || taxes.contains(&i) {
            continue;
        }
        let Some(c) = raw.data.columns().get(i) else { continue };
        if c.str()?.iter().flatten().any(|v| !v.trim().is_empty()) {
            let (k, _) = header_key(h);
            out.push((h.clone(), ["税", "费", "附加", "查补"].iter().any(|w| k.contains(w))));
        }
    }
    Ok(out)
}

/// Reshape a wide tax sheet: columns become 统一社会信用代码, 企业名称 (if present), 税种, 实缴税额(unit).
/// A source row with no tax value gives one row with an empty amount, so it is still accounted for.
pub fn to_long(
    raw: &RawSheet,
    code_col: usize,
    name_col: Option<usize>,
) -> Result<RawSheet, IngestError> {
    let taxes = tax_columns(raw);
    let unit = taxes[0].2.clone();
    if let Some((i, _, u)) = taxes.iter().find(|(_, _, u)| *u != unit) {
        return Err(IngestError::Parse {
            file: raw.file.clone(),
            sheet: raw.sheet.clone(),
            message: format!(
                "宽格式税收表各税种列的单位应一致：「{}」的单位为「{}」",
                raw.headers[*i],
                u.clone().unwrap_or_default()
            ),
        });
    }
    let cols: Vec<&StringChunked> =
        raw.data.columns().iter().map(|c| c.str()).collect::<Result<_, _>>()?;
    let get = |c: usize, i: usize| cols.get(c).and_then(|s| s.get(i)).map(str::to_string);
    let n = raw.data.height();
    let source_row = |i: usize| raw.row_of.as_ref().map(|r| r[i]).unwrap_or(i as u32);
    let (mut code, mut name, mut ty, mut amount, mut row_of) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        let mut any = false;
        for (c, t, _) in &taxes {
            let v = get(*c, i).filter(|s| !s.trim().is_empty());
            if v.is_some() {
                any = true;
                code.push(get(code_col, i));
                name.push(name_col.and_then(|nc| get(nc, i)));
                ty.push(Some(t.to_string()));
                amount.push(v);
                row_of.push(source_row(i));
            }
        }
        if !any {
            // Keep the row (blank, total, note or a firm without tax) so it is classified.
            let first_text =
                (0..cols.len()).filter_map(|c| get(c, i)).find(|s| !s.trim().is_empty());
            let blank = first_text.is_none();
            code.push(get(code_col, i).or(first_text));
            name.push(name_col.and_then(|nc| get(nc, i)));
            ty.push(if blank { None } else { Some(taxes[0].1.to_string()) });
            amount.push(None);
            row_of.push(source_row(i));
        }
    }
    let unit_text = unit.map(|u| format!("({u})")).unwrap_or_default();
    let len = code.len();
    let data = DataFrame::new(
        len,
        vec![
            Column::new("c0".into(), code),
            Column::new("c1".into(), name),
            Column::new("c2".into(), ty),
            Column::new("c3".into(), amount),
        ],
    )?;
    Ok(RawSheet {
        file: raw.file.clone(),
        sheet: raw.sheet.clone(),
        headers: vec![
            "统一社会信用代码".into(),
            "企业名称".into(),
            "税种".into(),
            format!("实缴税额{unit_text}"),
        ],
        first_row: raw.first_row,
        rows_above: raw.rows_above,
        data,
        row_of: Some(row_of),
        blank_formulas: long_positions(raw, code_col, name_col, &taxes),
        unread_rows: None,
    })
}

/// Where the formula cells without a value of a wide sheet are in the long one (code, name and
/// amount columns; the tax-type columns all become the amount).
fn long_positions(
    raw: &RawSheet,
    code_col: usize,
    name_col: Option<usize>,
    taxes: &[(usize, &str, Option<String>)],
) -> Vec<(usize, usize)> {
    let to_long = |c: usize| match c {
        _ if c == code_col => Some(0),
        _ if Some(c) == name_col => Some(1),
        _ if taxes.iter().any(|(t, _, _)| *t == c) => Some(3),
        _ => None,
    };
    raw.blank_formulas.iter().filter_map(|(c, row)| to_long(*c).map(|l| (l, *row))).collect()
}
