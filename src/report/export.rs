//! Machine-readable results for other systems: one CSV (UTF-8 with BOM so Excel opens it; one row
//! per evaluated and per not-evaluated enterprise) and one JSON document. Keys are stable English
//! names; numbers are written in their shortest exact form. The CSV doubles as `--previous` input.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::analysis::{Analysis, FIELDS};
use super::ReportError;

/// Status values of the CSV's `status` column.
pub const EVALUATED: &str = "evaluated";
pub const NOT_EVALUATED: &str = "not_evaluated";

pub fn csv_name(a: &Analysis) -> String {
    format!("{}年度亩均效益评价结果.csv", a.rules().meta.year)
}
pub fn json_name(a: &Analysis) -> String {
    format!("{}年度亩均效益评价结果.json", a.rules().meta.year)
}

enum V {
    S(String),
    N(Option<f64>),
}

fn s(x: impl Into<String>) -> V {
    V::S(x.into())
}

/// A text field for Excel: quoted when needed; text that Excel would take for a formula
/// (= + - @ at the start) is prefixed with ' so it opens as text.
fn csv_text(t: &str) -> String {
    let t = if t.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{t}") } else { t.to_string() };
    if t.contains([',', '"', '\n', '\r']) || t.starts_with(' ') || t.ends_with(' ') {
        format!("\"{}\"", t.replace('"', "\"\""))
    } else {
        t
    }
}

fn csv_num(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{v}"),
        _ => String::new(),
    }
}

/// Header of the CSV.
pub fn csv_header(a: &Analysis) -> Vec<String> {
    let mut h: Vec<String> = [
        "year", "status", "code", "name", "park", "town", "industry_code", "scale", "cluster", "group", "group_name", "rank",
        "rank_population", "tier", "tier_name", "tier_by_score", "tier_after_events", "adj_reason", "total", "items_total", "bonus",
        "deduction", "reweight", "event_note",
    ]
    .iter()
    .map(|x| x.to_string())
    .collect();
    for ind in &a.indicators {
        for part in ["value", "benchmark", "score"] {
            h.push(format!("{}.{part}", ind.id));
        }
    }
    h.extend(FIELDS.iter().map(|(k, _)| k.to_string()));
    h.extend(["next_tier", "gap_to_next_tier", "best_indicator", "measures", "category", "reason"].iter().map(|x| x.to_string()));
    h
}

/// The CSV's rows, one at a time (evaluated enterprises, then the not evaluated), so a province's
/// results are never held twice in memory.
fn csv_rows<'a>(a: &'a Analysis<'a>) -> impl Iterator<Item = Vec<V>> + 'a {
    let r = a.rules();
    let year = r.meta.year as f64;
    let evaluated = a.firms.iter().enumerate().map(move |(i, f)| {
        let g = &r.groups[f.group];
        let c = &a.cards[i];
        let mut row = vec![
            V::N(Some(year)),
            s(EVALUATED),
            s(&f.code),
            s(&f.name),
            s(&f.park),
            s(f.town.clone().unwrap_or_default()),
            s(&f.industry_code),
            s(&f.scale),
            s(&f.cluster),
            s(&g.id),
            s(&g.name),
            V::N(Some(f.rank as f64)),
            V::N(Some(f.pop as f64)),
            s(&f.tier),
            s(a.tier_name(f.group, &f.tier)),
            s(&f.tier_by_score),
            s(&f.tier_after_events),
            s(f.adj_reason.clone().unwrap_or_default()),
            V::N(Some(f.total)),
            V::N(Some(f.items)),
            V::N(Some(f.bonus)),
            V::N(Some(f.deduction)),
            V::N(Some(f.reweight)),
            s(f.event_note.clone().unwrap_or_default()),
        ];
        for k in 0..a.indicators.len() {
            row.extend([V::N(f.value[k]), V::N(f.bench[k]), V::N(f.score[k])]);
        }
        row.extend(f.fields.iter().map(|v| V::N(*v)));
        row.push(s(c.up.as_ref().map(|b| b.tier.clone()).unwrap_or_default()));
        row.push(V::N(c.up.as_ref().map(|b| b.gap)));
        row.push(s(c.best.map(|b| a.indicators[c.items[b].ind].id.clone()).unwrap_or_default()));
        row.push(s(a.measures_text(i)));
        row.push(s(""));
        row.push(s(""));
        row
    });
    let width = csv_header(a).len();
    let listed = a.listed.iter().map(move |l| {
        let mut row: Vec<V> = (0..width).map(|_| s("")).collect();
        row[0] = V::N(Some(year));
        row[1] = s(NOT_EVALUATED);
        row[2] = s(&l.code);
        row[3] = s(&l.name);
        row[4] = s(&l.park);
        row[6] = s(&l.industry_code);
        row[7] = s(&l.scale);
        row[8] = s(if l.industry_code.is_empty() { "" } else { r.cluster_of(&l.industry_code).unwrap_or(super::analysis::NO_CLUSTER) });
        row[13] = s(l.tier.clone().unwrap_or_default());
        row[width - 2] = s(&l.category);
        row[width - 1] = s(&l.reason);
        row
    });
    evaluated.chain(listed)
}

/// Write the CSV (without BOM) to `out`.
pub fn write_csv(a: &Analysis, out: &mut dyn Write) -> std::io::Result<()> {
    let line = |cells: Vec<String>, out: &mut dyn Write| -> std::io::Result<()> {
        out.write_all(cells.join(",").as_bytes())?;
        out.write_all(b"\r\n")
    };
    line(csv_header(a).iter().map(|h| csv_text(h)).collect(), out)?;
    for row in csv_rows(a) {
        let cells: Vec<String> = row
            .iter()
            .map(|v| match v {
                V::S(t) => csv_text(t),
                V::N(x) => csv_num(*x),
            })
            .collect();
        line(cells, out)?;
    }
    Ok(())
}

/// The CSV text (without BOM).
pub fn csv_text_of(a: &Analysis) -> String {
    let mut out = Vec::new();
    write_csv(a, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("the CSV is built from UTF-8 text")
}

#[derive(Serialize)]
struct JsonIndicatorDef {
    id: String,
    name: String,
    unit: String,
}

#[derive(Serialize)]
struct JsonMeta {
    name: String,
    year: i32,
    version: String,
    source: String,
    rules_file: String,
    generated_by: String,
    indicators: Vec<JsonIndicatorDef>,
    tiers: Vec<String>,
}

#[derive(Serialize)]
struct JsonItem {
    value: Option<f64>,
    benchmark: Option<f64>,
    score: Option<f64>,
    weight: f64,
    cap: Option<f64>,
    gain_10pct: Option<f64>,
    improvement_to_next_tier: Option<f64>,
}

#[derive(Serialize)]
struct JsonMeasure {
    measure: String,
    category: String,
    text: String,
    base: Option<f64>,
    amount: Option<f64>,
    unit: String,
    formula: String,
}

#[derive(Serialize)]
struct JsonBoundary {
    tier: String,
    points: f64,
    reference: String,
}

#[derive(Serialize)]
struct JsonFirm {
    code: String,
    name: String,
    park: String,
    town: Option<String>,
    industry_code: String,
    scale: String,
    cluster: String,
    group: String,
    group_name: String,
    rank: i64,
    rank_population: i64,
    tier: String,
    tier_name: String,
    tier_by_score: String,
    tier_after_events: String,
    adj_reason: Option<String>,
    vetoed: bool,
    total: f64,
    items_total: f64,
    bonus: f64,
    deduction: f64,
    reweight: f64,
    event_note: Option<String>,
    indicators: BTreeMap<String, JsonItem>,
    fields: BTreeMap<String, Option<f64>>,
    next_tier: Option<JsonBoundary>,
    lower_tier: Option<JsonBoundary>,
    best_indicator: Option<String>,
    measures: Vec<JsonMeasure>,
}

#[derive(Serialize)]
struct JsonListed {
    code: String,
    name: String,
    park: String,
    scale: String,
    industry_code: String,
    category: String,
    reason: String,
    managed_as_tier: Option<String>,
}

/// A sequence serialized as it is produced: one enterprise's record exists at a time.
struct Lazy<F>(F);

impl<F, I> Serialize for Lazy<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.collect_seq((self.0)())
    }
}

#[derive(Serialize)]
struct JsonDoc<E: Serialize> {
    meta: JsonMeta,
    evaluated: E,
    not_evaluated: Vec<JsonListed>,
}

/// Write the JSON document (pretty-printed, keys in a fixed order, ending in a newline) to `out`.
pub fn write_json(a: &Analysis, out: &mut dyn Write) -> std::io::Result<()> {
    let r = a.rules();
    let meta = JsonMeta {
        name: r.meta.name.clone(),
        year: r.meta.year,
        version: r.meta.version.clone(),
        source: r.meta.source.clone(),
        rules_file: r.path.display().to_string(),
        generated_by: format!("mujun {}", env!("CARGO_PKG_VERSION")),
        indicators: a.indicators.iter().map(|i| JsonIndicatorDef { id: i.id.clone(), name: i.name.clone(), unit: i.unit.clone() }).collect(),
        tiers: a.all_labels(),
    };
    let evaluated = Lazy(|| {
        a.firms.iter().enumerate().map(|(i, f)| {
            let g = &r.groups[f.group];
            let c = &a.cards[i];
            let indicators = c
                .items
                .iter()
                .map(|it| {
                    (
                        a.indicators[it.ind].id.clone(),
                        JsonItem {
                            value: it.value,
                            benchmark: it.bench,
                            score: it.score,
                            weight: it.weight,
                            cap: it.cap,
                            gain_10pct: it.gain,
                            improvement_to_next_tier: it.needed,
                        },
                    )
                })
                .collect();
            let boundary = |b: &Option<super::analysis::Boundary>| b.as_ref().map(|b| JsonBoundary { tier: b.tier.clone(), points: b.gap, reference: b.reference.clone() });
            JsonFirm {
                code: f.code.clone(),
                name: f.name.clone(),
                park: f.park.clone(),
                town: f.town.clone(),
                industry_code: f.industry_code.clone(),
                scale: f.scale.clone(),
                cluster: f.cluster.clone(),
                group: g.id.clone(),
                group_name: g.name.clone(),
                rank: f.rank,
                rank_population: f.pop,
                tier: f.tier.clone(),
                tier_name: a.tier_name(f.group, &f.tier),
                tier_by_score: f.tier_by_score.clone(),
                tier_after_events: f.tier_after_events.clone(),
                adj_reason: f.adj_reason.clone(),
                vetoed: f.vetoed,
                total: f.total,
                items_total: f.items,
                bonus: f.bonus,
                deduction: f.deduction,
                reweight: f.reweight,
                event_note: f.event_note.clone(),
                indicators,
                fields: FIELDS.iter().zip(&f.fields).map(|((k, _), v)| (k.to_string(), *v)).collect(),
                next_tier: boundary(&c.up),
                lower_tier: boundary(&c.down),
                best_indicator: c.best.map(|b| a.indicators[c.items[b].ind].id.clone()),
                measures: a.measures[i]
                    .iter()
                    .map(|m| {
                        let p = &r.policies[m.policy];
                        JsonMeasure {
                            measure: p.measure.clone(),
                            category: p.category.clone(),
                            text: p.text.clone(),
                            base: m.base,
                            amount: m.amount,
                            unit: p.unit.clone(),
                            formula: m.formula.clone(),
                        }
                    })
                    .collect(),
            }
        })
    });
    let not_evaluated = a
        .listed
        .iter()
        .map(|l| JsonListed {
            code: l.code.clone(),
            name: l.name.clone(),
            park: l.park.clone(),
            scale: l.scale.clone(),
            industry_code: l.industry_code.clone(),
            category: l.category.clone(),
            reason: l.reason.clone(),
            managed_as_tier: l.tier.clone(),
        })
        .collect();
    let doc = JsonDoc { meta, evaluated, not_evaluated };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

/// The JSON document as text.
pub fn json_text_of(a: &Analysis) -> String {
    let mut out = Vec::new();
    write_json(a, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Stream `body` into a buffered file at `path`.
fn write(path: PathBuf, body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<PathBuf, ReportError> {
    let io = |e| ReportError::Io { path: path.clone(), source: e };
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).map_err(io)?);
    body(&mut w).and_then(|_| w.flush()).map_err(io)?;
    Ok(path)
}

/// Write the CSV into `out_dir`, with a BOM so Excel opens it as UTF-8.
pub fn write_csv_file(a: &Analysis, out_dir: &Path) -> Result<PathBuf, ReportError> {
    write(out_dir.join(csv_name(a)), |w| {
        w.write_all(&[0xEF, 0xBB, 0xBF])?;
        write_csv(a, w)
    })
}

/// Write the JSON into `out_dir`.
pub fn write_json_file(a: &Analysis, out_dir: &Path) -> Result<PathBuf, ReportError> {
    write(out_dir.join(json_name(a)), |w| write_json(a, w))
}

/// Parse CSV text (RFC 4180: quotes, doubled quotes, CRLF or LF) into rows of fields.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                any = false;
            }
            _ => field.push(c),
        }
    }
    if any {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Undo [`csv_text`]'s formula guard.
pub fn unguard(t: &str) -> &str {
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => t,
    }
}
