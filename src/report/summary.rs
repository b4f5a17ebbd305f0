//! 汇总: counts by group × park × tier that add up, the not-evaluated counts by category, per-mu
//! aggregates (ratios of sums) by group and park, by GB/T 4754 division and by industry cluster,
//! the distribution of total scores, and charts of them (tiers per park as stacked columns, the
//! score histogram, per-mu levels per park, per cluster and per division).

use std::collections::BTreeMap;

use rust_xlsxwriter::{Chart, ChartType, Workbook, Worksheet, XlsxError};

use super::analysis::{Aggregate, Analysis, Firm};
use super::Scope;
use crate::rules::AGGREGATES;
use crate::sheet::print::{self, Print};
use crate::sheet::table::{Cell, Formats, TableWriter};
use crate::sheet::SheetError;

pub const NAME: &str = "汇总";

/// Column where the charts start (right of the tables).
const CHART_COL: u16 = 15;
/// Rows between charts.
const CHART_ROWS: u32 = 18;

/// GB/T 4754-2017 divisions (大类) of mining, manufacturing and utilities.
pub const DIVISIONS: &[(i64, &str)] = &[
    (6, "煤炭开采和洗选业"),
    (7, "石油和天然气开采业"),
    (8, "黑色金属矿采选业"),
    (9, "有色金属矿采选业"),
    (10, "非金属矿采选业"),
    (11, "开采专业及辅助性活动"),
    (12, "其他采矿业"),
    (13, "农副食品加工业"),
    (14, "食品制造业"),
    (15, "酒、饮料和精制茶制造业"),
    (16, "烟草制品业"),
    (17, "纺织业"),
    (18, "纺织服装、服饰业"),
    (19, "皮革、毛皮、羽毛及其制品和制鞋业"),
    (20, "木材加工和木、竹、藤、棕、草制品业"),
    (21, "家具制造业"),
    (22, "造纸和纸制品业"),
    (23, "印刷和记录媒介复制业"),
    (24, "文教、工美、体育和娱乐用品制造业"),
    (25, "石油、煤炭及其他燃料加工业"),
    (26, "化学原料和化学制品制造业"),
    (27, "医药制造业"),
    (28, "化学纤维制造业"),
    (29, "橡胶和塑料制品业"),
    (30, "非金属矿物制品业"),
    (31, "黑色金属冶炼和压延加工业"),
    (32, "有色金属冶炼和压延加工业"),
    (33, "金属制品业"),
    (34, "通用设备制造业"),
    (35, "专用设备制造业"),
    (36, "汽车制造业"),
    (37, "铁路、船舶、航空航天和其他运输设备制造业"),
    (38, "电气机械和器材制造业"),
    (39, "计算机、通信和其他电子设备制造业"),
    (40, "仪器仪表制造业"),
    (41, "其他制造业"),
    (42, "废弃资源综合利用业"),
    (43, "金属制品、机械和设备修理业"),
    (44, "电力、热力生产和供应业"),
    (45, "燃气生产和供应业"),
    (46, "水的生产和供应业"),
];

pub fn division_name(d: i64) -> &'static str {
    DIVISIONS.iter().find(|(k, _)| *k == d).map(|(_, n)| *n).unwrap_or("")
}

/// Header cells of an aggregate block: count, tier counts, sums, per-mu ratios.
fn agg_head(first: &[&str], labels: &[String]) -> Vec<String> {
    let mut h: Vec<String> = first.iter().map(|s| s.to_string()).collect();
    h.push("企业数".into());
    h.extend(labels.iter().map(|l| format!("{l}类")));
    h.push("用地面积(亩)".into());
    h.extend(AGGREGATES.iter().take(3).map(|(_, n, _)| format!("{}(万元)", agg_sum_name(n))));
    h.extend(AGGREGATES.iter().take(3).map(|(_, n, _)| format!("{n}(万元/亩)")));
    h
}

fn agg_sum_name(per_mu: &str) -> &'static str {
    match per_mu {
        "亩均税收" => "实缴税额",
        "亩均增加值" => "工业增加值",
        "亩均营业收入" => "营业收入",
        _ => "产值",
    }
}

/// The cells of an aggregate block for `firms`, whose aggregates are `a`.
fn agg_cells(a: &Aggregate, firms: &[&Firm], labels: &[String]) -> Vec<Cell<'static>> {
    let mut row: Vec<Cell> = vec![a.n.into()];
    row.extend(labels.iter().map(|l| Cell::from(firms.iter().filter(|f| f.tier == l).count())));
    row.push(a.land.into());
    row.extend((0..3).map(|k| Cell::Num(a.sums[k])));
    row.extend((0..3).map(|k| a.per_mu(k).into()));
    row
}

/// Series colour of tier `i` in charts (green, blue, amber, red, grey).
fn chart_color(i: usize) -> u32 {
    [0x70AD47, 0x5B9BD5, 0xFFC000, 0xC00000, 0x7F7F7F][i.min(4)]
}

fn column_chart(kind: ChartType, title: &str) -> Chart {
    let mut c = Chart::new(kind);
    c.title().set_name(title);
    c.set_width(640).set_height(330);
    c
}

fn place(ws: &mut Worksheet, n: u32, chart: &Chart) -> Result<(), XlsxError> {
    ws.insert_chart(n * CHART_ROWS, CHART_COL, chart).map(|_| ())
}

pub fn write(a: &Analysis, _: Scope, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ws = wb.add_worksheet();
    ws.set_name(NAME)?;
    let r = a.rules();
    print::setup(ws, Print { title: &r.meta.title(), landscape: true, repeat: None })?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let ev = a.ev;
    t.title(&r.meta.title())?;
    t.write_row(&[
        "参与统计企业".into(),
        ev.enterprises_seen().into(),
        "参评".into(),
        ev.results.height().into(),
        "未参评".into(),
        ev.not_evaluated.height().into(),
    ])?;
    t.blank();

    // 一、Tier counts per group and park, over every group's labels.
    let counts = ev.tier_counts()?;
    let labels = &counts.labels;
    t.title("一、分档结果（评价组 × 园区）")?;
    let mut head = vec!["评价组".to_string(), "园区".to_string()];
    head.extend(labels.iter().map(|l| format!("{l}类")));
    head.push("合计".into());
    t.header(&head)?;
    let mut grand = vec![0usize; labels.len()];
    for (gi, grp) in r.groups.iter().enumerate() {
        let range = (gi, String::new())..(gi + 1, String::new());
        for ((_, park), c) in counts.by_group_park.range(range) {
            let mut row: Vec<Cell> = vec![grp.name.clone().into(), park.clone().into()];
            row.extend(c.iter().map(|n| Cell::from(*n)));
            row.push(c.iter().sum::<usize>().into());
            t.write_row(&row)?;
        }
        let sub = counts.of_group(gi);
        let mut row: Vec<Cell> = vec![grp.name.clone().into(), "小计".into()];
        row.extend(sub.iter().map(|n| Cell::from(*n)));
        row.push(sub.iter().sum::<usize>().into());
        t.write_row(&row)?;
        for (s, n) in grand.iter_mut().zip(&sub) {
            *s += n;
        }
    }
    let mut row: Vec<Cell> = vec!["全部".into(), "合计".into()];
    row.extend(grand.iter().map(|n| Cell::from(*n)));
    row.push(grand.iter().sum::<usize>().into());
    t.write_row(&row)?;
    t.blank();

    // 二、Not evaluated by category.
    t.title("二、未参评企业（按类别）")?;
    t.header(&["类别".into(), "企业数".into()])?;
    let mut by_cat: BTreeMap<String, usize> = BTreeMap::new();
    for l in &a.listed {
        *by_cat.entry(l.category.to_string()).or_default() += 1;
    }
    for (c, n) in &by_cat {
        t.write_row(&[c.clone().into(), (*n).into()])?;
    }
    t.write_row(&["合计".into(), a.listed.len().into()])?;
    t.blank();

    // 三、Aggregates per group and park.
    t.title("三、亩均效益汇总（评价组 × 园区，合计值之比）")?;
    t.header(&agg_head(&["评价组", "园区"], labels))?;
    for (gi, grp) in r.groups.iter().enumerate() {
        let parks: Vec<&String> = a
            .parks
            .iter()
            .filter(|p| a.firms.iter().any(|f| f.group == gi && f.park == *p))
            .collect();
        for p in parks {
            let fs: Vec<&Firm> = a.firms.iter().filter(|f| f.group == gi && f.park == p).collect();
            let mut row: Vec<Cell> = vec![grp.name.clone().into(), p.clone().into()];
            row.extend(agg_cells(&Aggregate::of(fs.iter().copied()), &fs, labels));
            t.write_row(&row)?;
        }
        let fs: Vec<&Firm> = a.firms.iter().filter(|f| f.group == gi).collect();
        let mut row: Vec<Cell> = vec![grp.name.clone().into(), "小计".into()];
        row.extend(agg_cells(&Aggregate::of(fs.iter().copied()), &fs, labels));
        t.write_row(&row)?;
    }
    t.blank();

    // 四、Tiers per park, all groups (chart 1).
    t.title("四、各园区分档家数（全部评价组）")?;
    let mut head = vec!["园区".to_string()];
    head.extend(labels.iter().map(|l| format!("{l}类")));
    head.push("合计".into());
    t.header(&head)?;
    let parks: Vec<&String> =
        a.parks.iter().filter(|p| a.firms.iter().any(|f| f.park == *p)).collect();
    let first = t.row;
    let by_park = counts.by_park();
    for p in &parks {
        let c = by_park.get(p.as_str()).cloned().unwrap_or_else(|| vec![0; labels.len()]);
        let mut row: Vec<Cell> = vec![(*p).clone().into()];
        row.extend(c.iter().map(|n| Cell::from(*n)));
        row.push(c.iter().sum::<usize>().into());
        t.write_row(&row)?;
    }
    if !parks.is_empty() {
        let last = t.row - 1;
        let mut chart = column_chart(ChartType::ColumnStacked, "各园区分档家数");
        for (i, l) in labels.iter().enumerate() {
            let col = 1 + i as u16;
            chart
                .add_series()
                .set_name(&format!("{l}类"))
                .set_categories((NAME, first, 0, last, 0))
                .set_values((NAME, first, col, last, col))
                .set_format(
                    rust_xlsxwriter::ChartFormat::new().set_solid_fill(
                        rust_xlsxwriter::ChartSolidFill::new()
                            .set_color(rust_xlsxwriter::Color::RGB(chart_color(i))),
                    ),
                );
        }
        chart.y_axis().set_name("企业数(家)");
        place(t.ws, 0, &chart)?;
    }
    t.blank();

    // 五、Distribution of total scores per group (chart 2).
    let bin = r.report.score_bin;
    t.title(&format!("五、总分分布（组距{bin}分，区间含下限不含上限）"))?;
    let mut head = vec!["总分区间".to_string()];
    head.extend(r.groups.iter().map(|g| g.name.clone()));
    head.push("合计".into());
    t.header(&head)?;
    if !a.firms.is_empty() {
        let k = |x: f64| (x / bin).floor() as i64;
        let lo = a.firms.iter().map(|f| k(f.total)).min().unwrap_or(0);
        let hi = a.firms.iter().map(|f| k(f.total)).max().unwrap_or(0).min(lo + 199);
        let first = t.row;
        for b in lo..=hi {
            let c: Vec<usize> = (0..r.groups.len())
                .map(|gi| {
                    a.firms
                        .iter()
                        .filter(|f| f.group == gi && k(f.total).clamp(lo, hi) == b)
                        .count()
                })
                .collect();
            let mut row: Vec<Cell> =
                vec![format!("{}–{}", b as f64 * bin, (b + 1) as f64 * bin).into()];
            row.extend(c.iter().map(|n| Cell::from(*n)));
            row.push(c.iter().sum::<usize>().into());
            t.write_row(&row)?;
        }
        let last = t.row - 1;
        let mut chart = column_chart(ChartType::Column, "总分分布");
        for gi in 0..r.groups.len() {
            let col = 1 + gi as u16;
            chart
                .add_series()
                .set_name(&r.groups[gi].name)
                .set_categories((NAME, first, 0, last, 0))
                .set_values((NAME, first, col, last, col))
                .set_gap(10);
        }
        chart.x_axis().set_name("总分(分)");
        chart.y_axis().set_name("企业数(家)");
        place(t.ws, 1, &chart)?;
    }
    t.blank();

    // 六、Per-mu levels per park, all evaluated (chart 3).
    t.title("六、各园区亩均效益（全部参评企业，合计值之比）")?;
    t.header(&agg_head(&["园区"], labels))?;
    let first = t.row;
    for p in &parks {
        let fs: Vec<&Firm> = a.firms.iter().filter(|f| f.park == *p).collect();
        let mut row: Vec<Cell> = vec![(*p).clone().into()];
        row.extend(agg_cells(&a.per_mu_of(Some(p), None), &fs, labels));
        t.write_row(&row)?;
    }
    let fs: Vec<&Firm> = a.firms.iter().collect();
    let mut row: Vec<Cell> = vec!["全区".into()];
    row.extend(agg_cells(&a.per_mu_of(None, None), &fs, labels));
    t.write_row(&row)?;
    let per_mu_col = (1 + 1 + labels.len() + 1 + 3) as u16;
    let level_chart = |title: &str, first: u32, last: u32| {
        let mut chart = column_chart(ChartType::Column, title);
        for k in 0..2u16 {
            chart
                .add_series()
                .set_name(&format!("{}(万元/亩)", AGGREGATES[k as usize].1))
                .set_categories((NAME, first, 0, last, 0))
                .set_values((NAME, first, per_mu_col + k, last, per_mu_col + k));
        }
        chart.y_axis().set_name("万元/亩");
        chart
    };
    place(t.ws, 2, &level_chart("各园区亩均税收、亩均增加值", first, t.row - 1))?;
    t.blank();

    // 七、Per GB/T 4754 division (chart 5).
    t.title("七、按行业大类（GB/T 4754-2017，行业代码前两位，合计值之比）")?;
    t.header(&agg_head(&["行业大类", "名称"], labels))?;
    let mut divs: BTreeMap<Option<i64>, Vec<&Firm>> = BTreeMap::new();
    for f in &a.firms {
        divs.entry(f.division).or_default().push(f);
    }
    let first = t.row;
    for (d, fs) in &divs {
        let mut row: Vec<Cell> = match d {
            Some(d) => vec![format!("{d:02}").into(), division_name(*d).into()],
            None => vec!["".into(), "（无行业代码）".into()],
        };
        row.extend(agg_cells(&Aggregate::of(fs.iter().copied()), fs, labels));
        t.write_row(&row)?;
    }
    let div_rows = (first, t.row.saturating_sub(1));
    t.blank();

    // 八、Per cluster (chart 4).
    t.title("八、按产业集群（规则文件 [[clusters]]，按行业代码前缀，合计值之比）")?;
    t.header(&agg_head(&["产业集群"], labels))?;
    let mut order: Vec<String> = r.clusters.iter().map(|c| c.name.clone()).collect();
    order.push(super::analysis::NO_CLUSTER.to_string());
    let first = t.row;
    for c in &order {
        let fs: Vec<&Firm> = a.firms.iter().filter(|f| f.cluster == c).collect();
        if fs.is_empty() {
            continue;
        }
        let mut row: Vec<Cell> = vec![c.clone().into()];
        row.extend(agg_cells(&a.per_mu_of(None, Some(c)), &fs, labels));
        t.write_row(&row)?;
    }
    if t.row > first {
        let per_mu = (1 + 1 + labels.len() + 1 + 3) as u16;
        let mut chart = column_chart(ChartType::Bar, "各产业集群亩均税收、亩均增加值");
        for k in 0..2u16 {
            chart
                .add_series()
                .set_name(&format!("{}(万元/亩)", AGGREGATES[k as usize].1))
                .set_categories((NAME, first, 0, t.row - 1, 0))
                .set_values((NAME, first, per_mu + k, t.row - 1, per_mu + k));
        }
        chart.x_axis().set_name("万元/亩");
        place(t.ws, 3, &chart)?;
    }
    if div_rows.1 >= div_rows.0 && !divs.is_empty() {
        let per_mu = (2 + 1 + labels.len() + 1 + 3) as u16;
        let mut chart = column_chart(ChartType::Bar, "各行业大类亩均税收");
        chart
            .add_series()
            .set_name("亩均税收(万元/亩)")
            .set_categories((NAME, div_rows.0, 1, div_rows.1, 1))
            .set_values((NAME, div_rows.0, per_mu, div_rows.1, per_mu));
        chart.x_axis().set_name("万元/亩");
        place(t.ws, 4, &chart)?;
    }
    // The tables print, one page wide; the charts beside them stay on screen.
    t.ws.set_print_area(0, 0, t.row.max(1) - 1, CHART_COL - 1)?;
    t.finish_widths()?;
    Ok(())
}
