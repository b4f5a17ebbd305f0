//! `mujun history`: one enterprise's years in the store side by side — tier, total, rank, land
//! and per-mu figures from each year's recorded results, its parcels, and name or park changes.

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
    let esc = crate::console::escape;
    let name = years.iter().rev().find_map(|y| y.name.clone()).unwrap_or_default();
    crate::outln!("{}（{code}）", esc(&name));
    if years.is_empty() {
        crate::outln!("数据库中没有该企业的评价结果。");
        return Ok(());
    }
    crate::outln!(
        "年度  状态  等级  总分      排名  园区  评价用地(亩)  计入实缴税额(万元)  各指标值"
    );
    for y in &years {
        crate::outln!("{}", row(y));
    }
    for w in years.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if a.name != b.name {
            let n = |y: &HistoryYear| esc(y.name.as_deref().unwrap_or("")).to_string();
            crate::outln!("名称变更：{} 年「{}」→ {} 年「{}」", a.year, n(a), b.year, n(b));
        }
        if a.park != b.park {
            let p = |y: &HistoryYear| esc(y.park.as_deref().unwrap_or("")).to_string();
            crate::outln!("园区变更：{} 年 {} → {} 年 {}", a.year, p(a), b.year, p(b));
        }
    }
    for y in &years {
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
    Ok(())
}

/// One year's line: status, tier, total, rank, park, land, tax and the indicator values.
fn row(y: &HistoryYear) -> String {
    let fields = csv_fields(&y.csv_head, &y.csv_line);
    let get = |k: &str| fields.iter().find(|(h, _)| h == k).map(|(_, v)| v.as_str()).unwrap_or("");
    let values: Vec<String> = fields
        .iter()
        .filter(|(h, v)| h.ends_with(".value") && !v.is_empty())
        .map(|(h, v)| format!("{}={v}", h.trim_end_matches(".value")))
        .collect();
    let tier = y.tier.as_deref().unwrap_or(if y.evaluated { "" } else { "未参评" });
    format!(
        "{}  {}  {}  {}  {}/{}  {}  {}  {}  {}",
        y.year,
        y.status,
        crate::console::escape(tier),
        y.total.map(|t| format!("{t:.2}")).unwrap_or_else(|| "—".into()),
        y.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
        get("rank_population"),
        crate::console::escape(y.park.as_deref().unwrap_or("")),
        get("land_mu"),
        get("tax"),
        values.join("，")
    )
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
