//! `mujun history`: one enterprise's years in the store side by side — tier, total, rank, land
//! and per-mu figures from each year's recorded results, its parcels, and name or park changes.
//! Indicators are named as each year's own rule file named them (an id may mean something else
//! in another year); columns are aligned by display width (a CJK character counts two).

use crate::columns::{header, key};
use crate::ingest::schema::field_header;
use crate::rules::indicator_labels;
use crate::sheet::table::text_width;
use crate::store::{HistoryYear, Store};

/// `mujun history`'s options.
#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct Args {
    /// 统一社会信用代码，或企业名称（完整名称或名称中唯一的一部分）
    #[arg(value_name = "统一社会信用代码|企业名称")]
    pub who: String,
    /// 规则方案名称（[meta] scheme，未写时为 name；默认：该企业最近一次评价所用的方案）
    #[arg(long, value_name = "方案名称")]
    pub scheme: Option<String>,
}

/// Run `mujun history`.
pub fn run(a: &Args, opt: &super::store::StoreOption) -> Result<(), crate::Error> {
    let store = Store::open_existing(&opt.require()?)?;
    let code = store.find_enterprise(&a.who)?;
    let years = store.history(&code, a.scheme.as_deref())?;
    let name = years.iter().rev().find_map(|y| y.name.clone()).unwrap_or_default();
    crate::outln!("{}（{code}）", esc(&name));
    if years.is_empty() {
        crate::outln!("数据库中没有该企业的评价结果。");
        return Ok(());
    }
    let fields: Vec<Vec<(String, String)>> =
        years.iter().map(|y| csv_fields(&y.csv_head, &y.csv_line)).collect();
    print_lines(&aligned(&year_table(&years, &fields)));
    print_changes(&years);
    print_indicators(&years, &fields);
    print_parcels(&years);
    Ok(())
}

fn esc(s: &str) -> String {
    crate::console::escape(s).into_owned()
}

fn print_lines(lines: &[String]) {
    for l in lines {
        crate::outln!("{l}");
    }
}

/// The field `k` of one year's results line ("" when absent).
fn get<'f>(fields: &'f [(String, String)], k: &str) -> &'f str {
    fields.iter().find(|(h, _)| h == k).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// A stored number as shown: at most four decimals, trailing zeros dropped ("3.50" → "3.5");
/// text that is no number as it is, blank as "—".
fn short(text: &str) -> String {
    if text.trim().is_empty() {
        "—".into()
    } else {
        esc(&crate::report::review::short(text))
    }
}

/// Header and one row per year: status, tier, total, rank, park, land and tax.
fn year_table(years: &[HistoryYear], fields: &[Vec<(String, String)>]) -> Vec<Vec<String>> {
    let head = ["年度", "状态", "等级", "总分", "排名", "园区"];
    let mut head: Vec<String> = head.map(String::from).to_vec();
    head.extend(["land_mu", "tax"].map(|k| field_header(k).to_string()));
    let mut rows = vec![head];
    for (y, f) in years.iter().zip(fields) {
        let tier = y.tier.as_deref().unwrap_or(if y.evaluated { "" } else { "未参评" });
        let rank = match (y.rank, get(f, key::RANK_POPULATION)) {
            (Some(r), "") => r.to_string(),
            (Some(r), n) => format!("{r}/{}", esc(n)),
            (None, _) => "—".into(),
        };
        rows.push(vec![
            y.year.to_string(),
            y.status.clone(),
            esc(tier),
            y.total.map(|t| format!("{t:.2}")).unwrap_or_else(|| "—".into()),
            rank,
            esc(y.park.as_deref().unwrap_or("")),
            short(get(f, "land_mu")),
            short(get(f, "tax")),
        ]);
    }
    rows
}

/// Each row's cells padded to the widest of its column (by display width), two spaces apart.
fn aligned(rows: &[Vec<String>]) -> Vec<String> {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = |c: usize| rows.iter().filter_map(|r| r.get(c)).map(|s| text_width(s)).max();
    let widths: Vec<usize> = (0..n).map(|c| width(c).unwrap_or(0)).collect();
    rows.iter()
        .map(|r| {
            let mut line = String::new();
            for (c, s) in r.iter().enumerate() {
                if c > 0 {
                    line.push_str("  ");
                }
                line.push_str(s);
                if c + 1 < r.len() {
                    line.push_str(&" ".repeat(widths[c].saturating_sub(text_width(s))));
                }
            }
            line
        })
        .collect()
}

fn print_changes(years: &[HistoryYear]) {
    for w in years.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if a.name != b.name {
            let n = |y: &HistoryYear| esc(y.name.as_deref().unwrap_or(""));
            crate::outln!("名称变更：{} 年「{}」→ {} 年「{}」", a.year, n(a), b.year, n(b));
        }
        if a.park != b.park {
            let p = |y: &HistoryYear| esc(y.park.as_deref().unwrap_or(""));
            crate::outln!("园区变更：{} 年 {} → {} 年 {}", a.year, p(a), b.year, p(b));
        }
    }
}

/// One year's indicator values as (label, value) — the label `name(unit)` from that year's rule
/// text, else the id — and whether the year kept no rule text to name them (an imported year).
fn year_values(y: &HistoryYear, fields: &[(String, String)]) -> (Vec<(String, String)>, bool) {
    let labels = indicator_labels(&y.rules_text).unwrap_or_default();
    let values = fields
        .iter()
        .filter_map(|(h, v)| Some((h.strip_suffix(".value")?, v)).filter(|_| !v.is_empty()))
        .map(|(id, v)| {
            let label = match labels.iter().find(|l| l.id == id) {
                Some(l) => header::value(&l.name, &l.unit),
                None => id.to_string(),
            };
            (esc(&label), short(v))
        })
        .collect();
    (values, labels.is_empty())
}

/// The indicator values: one row per indicator (as each year's rules name it), one column per
/// year.
fn print_indicators(years: &[HistoryYear], fields: &[Vec<(String, String)>]) {
    let per_year: Vec<(Vec<(String, String)>, bool)> =
        years.iter().zip(fields).map(|(y, f)| year_values(y, f)).collect();
    let mut labels: Vec<&String> = Vec::new();
    for (l, _) in per_year.iter().flat_map(|(v, _)| v) {
        if !labels.contains(&l) {
            labels.push(l);
        }
    }
    if labels.is_empty() {
        return;
    }
    crate::outln!("");
    crate::outln!("指标值（名称和单位按各年度评价所用的规则文件）：");
    let mut head = vec!["指标".to_string()];
    head.extend(years.iter().map(|y| format!("{}年度", y.year)));
    let mut rows = vec![head];
    for l in labels {
        let mut row = vec![l.clone()];
        for (v, _) in &per_year {
            row.push(v.iter().find(|(x, _)| x == l).map_or("—".into(), |(_, v)| v.clone()));
        }
        rows.push(row);
    }
    print_lines(&aligned(&rows));
    for (y, (values, unnamed)) in years.iter().zip(&per_year) {
        if *unnamed && !values.is_empty() {
            crate::outln!("{} 年度的记录没有规则文件（导入的结果），指标以编号显示。", y.year);
        }
    }
}

fn print_parcels(years: &[HistoryYear]) {
    for y in years {
        let parcels: Vec<String> = y
            .parcels
            .iter()
            .map(|(cert, mode, area)| {
                let area = area.map(|a| format!("{a:.2} 亩")).unwrap_or_else(|| "面积缺失".into());
                let cert = cert.as_deref().unwrap_or("无证号");
                format!("{} {} {area}", esc(cert), esc(mode.as_deref().unwrap_or("")))
            })
            .collect();
        let listed =
            if parcels.is_empty() { "无用地记录".into() } else { parcels.join("；") };
        crate::outln!("{} 年用地：{listed}", y.year);
    }
}

/// (header, field) pairs of one results CSV line under its head.
fn csv_fields(head: &[u8], line: &[u8]) -> Vec<(String, String)> {
    let text = [head, line].concat();
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_slice());
    let mut records = rdr.records().filter_map(Result::ok);
    let (Some(h), Some(r)) = (records.next(), records.next()) else { return Vec::new() };
    h.iter()
        .map(|s| s.trim_start_matches('\u{feff}').to_string())
        .zip(r.iter().map(|s| crate::columns::unguard(s).to_string()))
        .collect()
}
