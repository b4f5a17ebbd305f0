//! Machine-readable results for other systems: one CSV (UTF-8 with BOM so Excel opens it; one row
//! per evaluated and per not-evaluated enterprise) and one JSON document. Keys are stable English
//! names; numbers are written in their shortest exact form. The CSV doubles as `--previous` input.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::analysis::{Analysis, Firm, ItemCard, FIELDS};
use super::ReportError;
use crate::columns::{key, FORMULA_STARTS};

/// File name of the results CSV.
pub fn csv_name(a: &Analysis) -> String {
    format!("{}年度亩均效益评价结果.csv", a.rules().meta.year)
}
/// File name of the results JSON.
pub fn json_name(a: &Analysis) -> String {
    format!("{}年度亩均效益评价结果.json", a.rules().meta.year)
}

/// Writes CSV fields separated by commas and rows ended by CRLF. A row is built in a line buffer
/// and handed to the output in one write (a province's CSV has tens of millions of fields).
pub(crate) struct CsvOut<'w> {
    out: &'w mut dyn Write,
    line: Vec<u8>,
    first: bool,
    digits: zmij::Buffer,
}

impl<'w> CsvOut<'w> {
    pub(crate) fn new(out: &'w mut dyn Write) -> Self {
        CsvOut { out, line: Vec::with_capacity(4096), first: true, digits: zmij::Buffer::new() }
    }

    fn sep(&mut self) {
        if !std::mem::replace(&mut self.first, false) {
            self.line.push(b',');
        }
    }

    /// A text field for Excel: quoted when needed; text that Excel would take for a formula
    /// (= + - @ at the start) is prefixed with ' so it opens as text.
    pub(crate) fn text(&mut self, t: &str) -> std::io::Result<()> {
        self.sep();
        let guard = t.starts_with(FORMULA_STARTS);
        let quote = t.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
            || t.starts_with(' ')
            || t.ends_with(' ');
        if quote {
            self.line.push(b'"');
        }
        if guard {
            self.line.push(b'\'');
        }
        if quote {
            self.line.extend_from_slice(t.replace('"', "\"\"").as_bytes());
            self.line.push(b'"');
        } else {
            self.line.extend_from_slice(t.as_bytes());
        }
        Ok(())
    }

    /// A number in its shortest exact form; empty when missing or not finite.
    pub(crate) fn num(&mut self, x: Option<f64>) -> std::io::Result<()> {
        self.sep();
        if let Some(v) = x.filter(|v| v.is_finite()) {
            shortest(&mut self.digits, v, &mut self.line);
        }
        Ok(())
    }

    pub(crate) fn end(&mut self) -> std::io::Result<()> {
        self.first = true;
        self.line.extend_from_slice(b"\r\n");
        let written = self.out.write_all(&self.line);
        self.line.clear();
        written
    }
}

/// Append finite `v` in its shortest exact form: the fewest digits that read back as `v`, never in
/// exponent form (as Rust's `Display` writes numbers). zmij generates the digits; it writes "2.0"
/// for 2 and an exponent outside 1e-5..1e16, so those are mended or left to `Display`. When two
/// shortest forms are equally near (…632.25 between …632.2 and …632.3), zmij takes the even
/// digit, as the JSON (serde_json) does, where `Display` rounds up.
fn shortest(digits: &mut zmij::Buffer, v: f64, out: &mut Vec<u8>) {
    let s = digits.format_finite(v);
    if s.contains('e') {
        // Outside zmij's fixed range: rare in these tables, left to the standard library.
        let _ = write!(out, "{v}");
    } else {
        out.extend_from_slice(s.strip_suffix(".0").unwrap_or(s).as_bytes());
    }
}

/// Header of the CSV: [`key::CSV_HEAD`], each indicator's parts, the quantities ([`FIELDS`]),
/// [`key::CSV_TAIL`].
pub fn csv_header(a: &Analysis) -> Vec<String> {
    let mut h: Vec<String> = key::CSV_HEAD.iter().map(|x| x.to_string()).collect();
    for ind in &a.indicators {
        h.extend(key::INDICATOR_PARTS.iter().map(|part| key::indicator(&ind.id, part)));
    }
    h.extend(FIELDS.iter().map(|(k, _)| k.to_string()));
    h.extend(key::CSV_TAIL.iter().map(|x| x.to_string()));
    h
}

/// Write the CSV (without BOM) to `out`, one enterprise at a time (evaluated, then not
/// evaluated), so a province's results are never held twice in memory.
pub fn write_csv(a: &Analysis, out: &mut dyn Write) -> std::io::Result<()> {
    let r = a.rules();
    let year = Some(r.meta.year as f64);
    let mut w = CsvOut::new(out);
    let header = csv_header(a);
    for h in &header {
        w.text(h)?;
    }
    w.end()?;
    for (i, f) in a.firms.iter().enumerate() {
        let g = &r.groups[f.group];
        let c = &a.cards[i];
        w.num(year)?;
        for t in [
            key::EVALUATED,
            f.code,
            f.name,
            f.park,
            f.town.unwrap_or(""),
            f.industry_code,
            f.scale,
            f.cluster,
            &g.id,
            &g.name,
        ] {
            w.text(t)?;
        }
        w.num(Some(f.rank as f64))?;
        w.num(Some(f.pop as f64))?;
        w.text(f.tier)?;
        w.text(a.tier_name(f.group, f.tier))?;
        for t in [f.tier_by_score, f.tier_after_events, f.adj_reason.unwrap_or("")] {
            w.text(t)?;
        }
        for x in [f.total, f.items, f.bonus, f.deduction, f.reweight] {
            w.num(Some(x))?;
        }
        w.text(f.event_note.unwrap_or(""))?;
        for k in 0..a.indicators.len() {
            for x in [f.value[k], f.bench[k], f.score[k]] {
                w.num(x)?;
            }
        }
        for x in &f.fields {
            w.num(*x)?;
        }
        w.text(c.up.as_ref().map(|b| b.tier).unwrap_or(""))?;
        w.num(c.up.as_ref().map(|b| b.gap))?;
        w.text(c.best.map(|b| a.indicators[c.items[b].ind].id.as_str()).unwrap_or(""))?;
        w.text(&a.measures_text(i))?;
        w.text("")?;
        w.text("")?;
        w.end()?;
    }
    for l in &a.listed {
        let cluster = if l.industry_code.is_empty() {
            ""
        } else {
            r.cluster_of(l.industry_code).unwrap_or(super::analysis::NO_CLUSTER)
        };
        w.num(year)?;
        for h in &header[1..] {
            w.text(match h.as_str() {
                key::STATUS => key::NOT_EVALUATED,
                key::CODE => l.code,
                key::NAME => l.name,
                key::PARK => l.park,
                key::INDUSTRY_CODE => l.industry_code,
                key::SCALE => l.scale,
                key::CLUSTER => cluster,
                key::TIER => l.tier.unwrap_or(""),
                key::CATEGORY => l.category,
                key::REASON => l.reason,
                _ => "",
            })?;
        }
        w.end()?;
    }
    Ok(())
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
struct JsonMeasure<'a> {
    measure: &'a str,
    category: &'a str,
    text: &'a str,
    base: Option<f64>,
    amount: Option<f64>,
    unit: &'a str,
    formula: String,
}

#[derive(Serialize)]
struct JsonBoundary<'a> {
    tier: &'a str,
    points: f64,
    reference: &'a str,
}

/// A score card's items as a map by indicator id, in id order (`order`: positions in the card's
/// items, sorted once per group), serialized without building a map per enterprise.
struct JsonItems<'a> {
    a: &'a Analysis<'a>,
    f: &'a Firm<'a>,
    items: &'a [ItemCard],
    order: &'a [usize],
}

impl Serialize for JsonItems<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let (f, a) = (self.f, self.a);
        ser.collect_map(self.order.iter().filter_map(|&j| self.items.get(j)).map(|it| {
            let k = it.ind;
            let item = JsonItem {
                value: f.value[k],
                benchmark: f.bench[k],
                score: f.score[k],
                weight: it.weight,
                cap: it.cap,
                gain_10pct: it.gain,
                improvement_to_next_tier: it.needed,
            };
            (a.indicators[k].id.as_str(), item)
        }))
    }
}

/// An enterprise's [`FIELDS`] as a map by name, in name order (`order`).
struct JsonFields<'a> {
    values: &'a [Option<f64>],
    order: &'a [usize],
}

impl Serialize for JsonFields<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.collect_map(
            self.order.iter().map(|&k| (FIELDS[k].0, self.values.get(k).copied().flatten())),
        )
    }
}

#[derive(Serialize)]
struct JsonFirm<'a> {
    code: &'a str,
    name: &'a str,
    park: &'a str,
    town: Option<&'a str>,
    industry_code: &'a str,
    scale: &'a str,
    cluster: &'a str,
    group: &'a str,
    group_name: &'a str,
    rank: i64,
    rank_population: i64,
    tier: &'a str,
    tier_name: &'a str,
    tier_by_score: &'a str,
    tier_after_events: &'a str,
    adj_reason: Option<&'a str>,
    vetoed: bool,
    total: f64,
    items_total: f64,
    bonus: f64,
    deduction: f64,
    reweight: f64,
    event_note: Option<&'a str>,
    indicators: JsonItems<'a>,
    fields: JsonFields<'a>,
    next_tier: Option<JsonBoundary<'a>>,
    lower_tier: Option<JsonBoundary<'a>>,
    best_indicator: Option<&'a str>,
    measures: Vec<JsonMeasure<'a>>,
}

#[derive(Serialize)]
struct JsonListed<'a> {
    code: &'a str,
    name: &'a str,
    park: &'a str,
    scale: &'a str,
    industry_code: &'a str,
    category: &'a str,
    reason: &'a str,
    managed_as_tier: Option<&'a str>,
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
struct JsonDoc<E: Serialize, L: Serialize> {
    meta: JsonMeta,
    evaluated: E,
    not_evaluated: L,
}

/// Write the JSON document (compact, keys in a fixed order, ending in a newline) to `out`.
pub fn write_json<'b>(a: &'b Analysis<'b>, out: &mut dyn Write) -> std::io::Result<()> {
    let r = a.rules();
    let meta = JsonMeta {
        name: r.meta.name.clone(),
        year: r.meta.year,
        version: r.meta.version.clone(),
        source: r.meta.source.clone(),
        rules_file: r.path.display().to_string(),
        generated_by: format!("mujun {}", env!("CARGO_PKG_VERSION")),
        indicators: a
            .indicators
            .iter()
            .map(|i| JsonIndicatorDef {
                id: i.id.clone(),
                name: i.name.clone(),
                unit: i.unit.clone(),
            })
            .collect(),
        tiers: a.all_labels(),
    };
    let mut field_order: Vec<usize> = (0..FIELDS.len()).collect();
    field_order.sort_by_key(|&k| FIELDS[k].0);
    // Each group's card items in indicator-id order.
    let item_order: Vec<Vec<usize>> = r
        .groups
        .iter()
        .map(|g| {
            let mut o: Vec<usize> = (0..g.indicators.len()).collect();
            o.sort_by_key(|&j| g.indicators[j].id.as_str());
            o
        })
        .collect();
    let evaluated = Lazy(|| {
        a.firms.iter().enumerate().map(|(i, f)| {
            let g = &r.groups[f.group];
            let c = &a.cards[i];
            let boundary = |b: &'b Option<super::analysis::Boundary<'b>>| {
                b.as_ref().map(|b| JsonBoundary {
                    tier: b.tier,
                    points: b.gap,
                    reference: &b.reference,
                })
            };
            JsonFirm {
                code: f.code,
                name: f.name,
                park: f.park,
                town: f.town,
                industry_code: f.industry_code,
                scale: f.scale,
                cluster: f.cluster,
                group: &g.id,
                group_name: &g.name,
                rank: f.rank,
                rank_population: f.pop,
                tier: f.tier,
                tier_name: a.tier_name(f.group, f.tier),
                tier_by_score: f.tier_by_score,
                tier_after_events: f.tier_after_events,
                adj_reason: f.adj_reason,
                vetoed: f.vetoed,
                total: f.total,
                items_total: f.items,
                bonus: f.bonus,
                deduction: f.deduction,
                reweight: f.reweight,
                event_note: f.event_note,
                indicators: JsonItems { a, f, items: &c.items, order: &item_order[f.group] },
                fields: JsonFields { values: &f.fields, order: &field_order },
                next_tier: boundary(&c.up),
                lower_tier: boundary(&c.down),
                best_indicator: c.best.map(|b| a.indicators[c.items[b].ind].id.as_str()),
                measures: a.measures[i]
                    .iter()
                    .map(|m| {
                        let p = &r.policies[m.policy];
                        JsonMeasure {
                            measure: &p.measure,
                            category: &p.category,
                            text: &p.text,
                            base: m.base,
                            amount: m.amount,
                            unit: &p.unit,
                            formula: a.formula(m),
                        }
                    })
                    .collect(),
            }
        })
    });
    let not_evaluated = Lazy(|| {
        a.listed.iter().map(|l| JsonListed {
            code: l.code,
            name: l.name,
            park: l.park,
            scale: l.scale,
            industry_code: l.industry_code,
            category: l.category,
            reason: l.reason,
            managed_as_tier: l.tier,
        })
    });
    let doc = JsonDoc { meta, evaluated, not_evaluated };
    serde_json::to_writer(&mut *out, &doc).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

/// Stream `body` into a buffered file at `path`.
fn write(
    path: PathBuf,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<PathBuf, ReportError> {
    let io = |e| ReportError::Io { path: path.clone(), source: e };
    let mut w =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).map_err(io)?);
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

#[cfg(test)]
mod tests {
    use super::shortest;

    /// The CSV's numbers: shortest exact digits, never an exponent. 2 is "2" (zmij alone gives
    /// "2.0"), 0.1 + 0.2 keeps all 17 digits, 1e21 is written out in full and 1e-7 as 0.0000001
    /// (zmij alone gives exponents), -0.0 is "-0". 604680840089632.25 is a tie between …632.2
    /// and …632.3 (both read back as it); the even digit is taken, as in the JSON.
    #[test]
    fn csv_numbers_are_shortest_exact_and_never_exponents() {
        let cases: [(f64, &str); 13] = [
            (2.0, "2"),
            (-3.5, "-3.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (62.26, "62.26"),
            (1234567.125, "1234567.125"),
            (1e15, "1000000000000000"),
            (1e16, "10000000000000000"),
            (1e21, "1000000000000000000000"),
            (1e-5, "0.00001"),
            (1e-7, "0.0000001"),
            (-0.0, "-0"),
            (0.0, "0"),
            (604_680_840_089_632.3, "604680840089632.2"),
        ];
        let mut digits = zmij::Buffer::new();
        let text = |digits: &mut zmij::Buffer, v: f64| {
            let mut out = Vec::new();
            shortest(digits, v, &mut out);
            String::from_utf8(out).unwrap()
        };
        for (v, want) in cases {
            assert_eq!(text(&mut digits, v), want, "{v:e}");
        }
        assert_eq!(
            serde_json::to_string(&604_680_840_089_632.3_f64).unwrap(),
            "604680840089632.2",
            "the JSON breaks the tie alike"
        );
        // A sweep of awkward values: each reads back exactly, has no exponent, and is as short
        // as Display's text (which is shortest too).
        let mut x = 1.0e-6_f64;
        while x < 1e18 {
            for v in [x, -x, x / 3.0, x * 1.1, (x * 7.0).round() / 100.0] {
                let t = text(&mut digits, v);
                assert_eq!(t.parse::<f64>().unwrap(), v, "{t} reads back as {v:e}");
                assert!(!t.contains('e'), "{t}");
                assert_eq!(t.len(), format!("{v}").len(), "{t} against {v}");
            }
            x *= 1.37;
        }
    }
}
