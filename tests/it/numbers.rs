//! One place computes each number: every number a report shows (item scores, totals, rank,
//! tier, benchmark and min–max extremes, the gaps of the score cards, the tier counts) is the
//! engine's own column, for every firm of the samples under each shipped scheme and of a small
//! year that uses every scoring method, benchmark kind and missing-data rule. A few firms of
//! that year are checked against values worked out by hand.

use std::path::{Path, PathBuf};

use mujun::evaluation::Evaluation;
use mujun::report::analysis::{Analysis, Firm as Row};
use mujun::rules::{Method, TierMethod};
use mujun::score::{self, Against};
use mujun::tier;
use polars::prelude::*;

use crate::common::*;
use crate::report_common::{col, num, row_where, sheet};

/// Every method (ratio, lower_ratio, minmax higher and lower), every benchmark kind (fixed,
/// statistics over group and over all, file by park, none for min–max) and every missing rule
/// (zero, peer_mean, reweight, not_evaluated). 规上 ranks per park by quota with a tie-break;
/// 规下 has its own labels 优/良/中 and the mixed method.
const RULES: &str = r#"
[meta]
name = "全方法测试"
year = 2024

[land]
modes = { "自有" = 1.0, "承租" = 1.0, "出租" = -1.0 }

[tax]
exclude = ["稽查查补"]

[[groups]]
id = "gs"
name = "规上企业"
when = "scale = '规上'"

[[groups.indicators]]
id = "t"
name = "亩均税收"
formula = "tax / land_mu"
weight = 40
benchmark = { stat = "mean", over = "group" }
cap = 60

[[groups.indicators]]
id = "e"
name = "单位产值能耗"
formula = "energy / output_value"
weight = 20
method = "lower_ratio"
direction = "lower"
benchmark = { value = 0.1 }
missing = "reweight"

[[groups.indicators]]
id = "r"
name = "亩均营业收入"
formula = "revenue / land_mu"
weight = 20
method = "minmax"
floor_share = 0.2
missing = "peer_mean"

[[groups.indicators]]
id = "p"
name = "亩均利润"
formula = "profit / land_mu"
weight = 20
benchmark = { file = "基准值.csv", over = "park" }
missing = "not_evaluated"

[[groups]]
id = "gx"
name = "规下企业"
when = "scale = '规下'"

[[groups.indicators]]
id = "t"
name = "亩均税收"
formula = "tax / land_mu"
weight = 60
benchmark = { stat = "median", over = "all" }

[[groups.indicators]]
id = "v"
name = "单位增加值能耗"
formula = "energy / value_added"
weight = 40
method = "minmax"
direction = "lower"

[[groups.indicators]]
id = "q"
name = "亩均研发"
formula = "rd / land_mu"
weight = 20
benchmark = { stat = "percentile", p = 0.75, over = "group", factor = 1.2 }
missing = "zero"

[groups.tiers]
labels = ["优", "良", "中"]
round = 1
method = "mixed"
thresholds = [60, 40]
max_share = { "优" = 0.3 }
min_share = { "中" = 0.2 }

[tiers]
rank_within = ["group", "park"]
quota = [0.25, 0.5, 0.75]
tie_break = [{ key = "t", order = "desc" }]
"#;

/// 亩均利润's benchmark per park.
const BENCH_FILE: &str = "指标,范围,基准值\np,甲园区,3\np,乙园区,2\n";

/// A 规上 firm: n, park, tax, output, revenue, profit, energy (land 10, value added 300, rd 10).
type Big = (u32, &'static str, f64, f64, Option<f64>, Option<f64>, Option<f64>);

/// The year: 规上 firms 1–6 (land 10 亩), 规下 firms 11–15 (land 5 亩, all 甲园区).
fn year() -> Vec<Firm> {
    let big: [Big; 6] = [
        (1, "甲园区", 200.0, 1000.0, Some(800.0), Some(50.0), Some(80.0)),
        (2, "甲园区", 100.0, 1000.0, Some(600.0), Some(30.0), Some(120.0)),
        (3, "甲园区", 50.0, 500.0, Some(400.0), Some(20.0), None),
        (4, "乙园区", 150.0, 2000.0, None, Some(40.0), Some(100.0)),
        (5, "乙园区", 80.0, 800.0, Some(1000.0), Some(10.0), Some(60.0)),
        (6, "乙园区", 120.0, 1000.0, Some(800.0), None, Some(100.0)),
    ];
    // n, tax, value added, energy, rd (规下, land 5, 甲园区)
    let small: [(u32, f64, f64, f64, Option<f64>); 5] = [
        (11, 50.0, 100.0, 20.0, Some(5.0)),
        (12, 30.0, 80.0, 40.0, Some(2.0)),
        (13, 20.0, 50.0, 50.0, None),
        (14, 10.0, 40.0, 10.0, Some(1.0)),
        (15, 40.0, 60.0, 30.0, Some(3.0)),
    ];
    let mut out = Vec::new();
    for (n, park, tax, output, revenue, profit, energy) in big {
        let mut f = Firm::new(n, "规上");
        (f.park, f.land, f.tax, f.output_value) =
            (park.into(), Some(10.0), Some(tax), Some(output));
        (f.revenue, f.profit, f.energy, f.value_added, f.rd) =
            (revenue, profit, energy, Some(300.0), Some(10.0));
        out.push(f);
    }
    for (n, tax, va, energy, rd) in small {
        let mut f = Firm::new(n, "规下");
        (f.park, f.land, f.tax, f.value_added, f.energy, f.rd) =
            ("甲园区".into(), Some(5.0), Some(tax), Some(va), Some(energy), rd);
        out.push(f);
    }
    out
}

/// The year written into `dir/数据`, the rules into `dir/规则` (beside their benchmark file).
fn write(dir: &Path) -> (PathBuf, PathBuf) {
    let (data, rules) = (dir.join("数据"), dir.join("规则"));
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&rules).unwrap();
    write_year(&data, &year());
    write_file(&rules, "基准值.csv", BENCH_FILE);
    (write_file(&rules, "全方法.toml", RULES), data)
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/2025")
}

/// A numeric column of the results, row by row (absent reads as missing).
fn column(ev: &Evaluation, name: &str) -> Vec<Option<f64>> {
    match ev.results.column(name) {
        Ok(c) => c.cast(&DataType::Float64).unwrap().f64().unwrap().iter().collect(),
        Err(_) => vec![None; ev.results.height()],
    }
}

fn text(ev: &Evaluation, name: &str) -> Vec<String> {
    let c = ev.results.column(name).unwrap().cast(&DataType::String).unwrap();
    c.str().unwrap().iter().map(|s| s.unwrap_or("").to_string()).collect()
}

fn same(a: Option<f64>, b: Option<f64>, what: &str) {
    match (a, b) {
        (Some(x), Some(y)) => assert!((x - y).abs() < 1e-9, "{what}: {x} ≠ {y}"),
        (None, None) => {}
        _ => panic!("{what}: {a:?} ≠ {b:?}"),
    }
}

/// Round half away from zero to `d` decimals, not below 0: a gap as a card shows it.
fn gap(x: f64, d: u32) -> f64 {
    round_to(x, d as i32).max(0.0)
}

/// Every number the reports show, against the engine's columns and the rules.
fn check_every_firm(ev: &Evaluation) {
    let a = Analysis::build(ev, None).expect("analysis");
    let rules = &ev.rules;
    let n = ev.results.height();
    assert_eq!(a.firms.len(), n);
    let (total, rank, pop) = (column(ev, "total"), column(ev, tier::RANK), column(ev, tier::POP));
    let pop_id = column(ev, tier::POP_ID);
    let (items, reweight) = (column(ev, score::ITEMS), column(ev, score::REWEIGHT));
    let (bonus, deduction) = (column(ev, score::BONUS), column(ev, score::DEDUCTION));
    let (tiers, by_score) = (text(ev, tier::TIER), text(ev, tier::TIER_BY_SCORE));
    for (i, f) in a.firms.iter().enumerate() {
        let g = &rules.groups[f.group];
        let who = format!("{} {}", f.code, f.name);
        same(Some(f.total), total[i], &format!("{who} 总分"));
        same(Some(f.items), items[i], &format!("{who} 指标得分合计"));
        assert_eq!(Some(f.rank as f64), rank[i], "{who} 排名");
        assert_eq!(Some(f.pop as f64), pop[i], "{who} 排名总体");
        assert_eq!(Some(f.population as f64), pop_id[i], "{who} 排名总体编号");
        assert_eq!(f.tier, tiers[i], "{who} 等级");
        assert_eq!(f.tier_by_score, by_score[i], "{who} 按分等级");
        // The total is the sum of the items, reweighted, plus bonus minus deduction, rounded.
        let sum: f64 = f.score.iter().flatten().sum();
        let expect = round_to(
            sum * reweight[i].unwrap() + bonus[i].unwrap() - deduction[i].unwrap(),
            g.tiers.round as i32,
        );
        assert!((f.total - expect).abs() < 1e-9, "{who}: total {} ≠ {expect}", f.total);
        check_items(ev, &a, i, f);
        check_population(&a, f);
        check_card(&a, i, f);
    }
    let counts = ev.tier_counts().expect("counts");
    assert_eq!(counts.total(), n, "tier counts add up to the evaluated firms");
}

/// Value, benchmark, extremes and score per indicator: the engine's columns, and the score is
/// the item-score formula over them.
fn check_items(ev: &Evaluation, a: &Analysis, i: usize, f: &Row) {
    let g = &ev.rules.groups[f.group];
    for (k, ind) in a.indicators.iter().enumerate() {
        let id = &ind.id;
        let who = format!("{} {}", f.code, ind.name);
        same(f.value[k], column(ev, &score::value_col(id))[i], &format!("{who} 值"));
        same(f.bench[k], column(ev, &score::bench_col(id))[i], &format!("{who} 基准值"));
        same(f.score[k], column(ev, &score::score_col(id))[i], &format!("{who} 得分"));
        same(f.min[k], column(ev, &score::min_col(id))[i], &format!("{who} 最小值"));
        same(f.max[k], column(ev, &score::max_col(id))[i], &format!("{who} 最大值"));
        let Some(own) = g.indicators.iter().find(|x| x.id == *id) else { continue };
        if let (Some(x), Method::MinMax { .. }) = (f.value[k], &own.method) {
            // The extremes are those of the values of the population.
            assert!(
                f.min[k].unwrap() <= x && x <= f.max[k].unwrap(),
                "{who}: 值在最小、最大值之间"
            );
        }
        if let Some(x) = f.value[k] {
            let known = |v: Option<f64>| v.unwrap_or(f64::NAN);
            let at =
                Against { bench: known(f.bench[k]), min: known(f.min[k]), max: known(f.max[k]) };
            same(Some(score::item_score(own, x, &at)), f.score[k], &format!("{who} 公式"));
        }
    }
}

/// The population id is the results row of its first-ranked firm, and ranks run 1..=size.
fn check_population(a: &Analysis, f: &Row) {
    let head = &a.firms[f.population];
    assert_eq!((head.rank, head.population, head.group), (1, f.population, f.group), "{}", f.code);
    let members: Vec<&Row> = a.firms.iter().filter(|x| x.population == f.population).collect();
    assert_eq!(members.len() as i64, f.pop, "{}: 排名总体人数", f.code);
}

/// The card's boundaries: the neighbouring tier's edge firm (by rank, in the population) and the
/// thresholds, worked out here from the ranking.
fn check_card(a: &Analysis, i: usize, f: &Row) {
    let g = &a.rules().groups[f.group];
    let labels = &g.tiers.labels;
    let card = &a.cards[i];
    let Some(t) = g.tiers.index_of(f.tier_by_score) else { return };
    let d = g.tiers.round;
    let peers = || a.firms.iter().filter(|x| x.population == f.population);
    let mins = match &g.tiers.method {
        TierMethod::Threshold { mins } | TierMethod::Mixed { mins, .. } => Some(mins),
        TierMethod::Quota { .. } => None,
    };
    if t > 0 && !f.vetoed {
        let edge = peers().filter(|x| x.tier_by_score == labels[t - 1]).max_by_key(|x| x.rank);
        let by_edge = edge.map(|x| gap(x.total - f.total, d));
        let by_line = mins.map(|m| gap(m[t - 1] - f.total, d));
        let expect = match &g.tiers.method {
            TierMethod::Quota { .. } => by_edge,
            TierMethod::Threshold { .. } => by_line,
            TierMethod::Mixed { .. } => match (by_edge, by_line) {
                (Some(e), Some(l)) => Some(e.max(l)),
                (e, l) => l.or(e),
            },
        };
        same(card.up.as_ref().map(|b| b.gap), expect, &format!("{} 距上一档", f.code));
        if let (Some(x), Some(b)) = (edge, &card.up) {
            if mins.is_none() {
                assert!(
                    b.reference.contains(&format!("第{}名「{}」", x.rank, x.name)),
                    "{}",
                    f.code
                );
            }
        }
    }
    let last = labels.len() - 1;
    if t < last && g.tiers.index_of(f.tier) != Some(last) {
        let edge = peers().filter(|x| x.tier_by_score == labels[t + 1]).min_by_key(|x| x.rank);
        let by_edge = edge.map(|x| gap(f.total - x.total, d));
        let by_line = mins.map(|m| gap(f.total - m[t], d));
        let expect = match (&g.tiers.method, by_edge) {
            (TierMethod::Quota { .. }, _) => by_edge,
            (TierMethod::Mixed { .. }, Some(e)) => by_line.map(|l| e.min(l)),
            _ => by_line,
        };
        same(card.down.as_ref().map(|b| b.gap), expect, &format!("{} 领先下一档", f.code));
    }
}

#[test]
fn every_number_of_the_samples_is_the_engines() {
    for scheme in [
        "fuling.toml",
        "hefei_gxq_2023.toml",
        "huaian_2024.toml",
        "huangyan_2022.toml",
        "jingde_2022.toml",
    ] {
        let ev = evaluate(&shipped_rules(scheme), &samples());
        assert!(ev.results.height() > 100, "{scheme}: evaluated firms");
        check_every_firm(&ev);
    }
}

#[test]
fn every_number_of_a_year_with_every_method_is_the_engines() {
    let dir = tempfile::tempdir().unwrap();
    let (rules, data) = write(dir.path());
    let ev = evaluate(&rules, &data);
    // Firm 6 has no profit (亩均利润 missing = not_evaluated): 10 of 11 evaluated.
    assert_eq!(ev.results.height(), 10);
    check_every_firm(&ev);
}

#[test]
fn a_year_with_every_method_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let (rules, data) = write(dir.path());
    let ev = evaluate(&rules, &data);
    let a = Analysis::build(&ev, None).expect("analysis");
    let firm = |n: u32| a.firms.iter().find(|f| f.code == code(n)).expect("evaluated");
    let k = |id: &str| a.indicators.iter().position(|x| x.id == id).unwrap();
    let (t, e, r, p, v, q) = (k("t"), k("e"), k("r"), k("p"), k("v"), k("q"));

    // 规上 亩均税收 (tax / 10 亩): 20, 10, 5, 15, 8; benchmark the group mean 58 / 5 = 11.6.
    assert_close(firm(1).bench[t], 11.6, "规上 亩均税收基准值");
    // Firm 1: 20 / 11.6 × 40 = 68.97 → cap 60.
    assert_close(firm(1).score[t], 60.0, "1 亩均税收得分");
    // 单位产值能耗, lower_ratio against 0.1: firm 1 80 / 1000 = 0.08 → (2 − 0.8) × 20 / 2 = 12.
    assert_close(firm(1).score[e], 12.0, "1 单位产值能耗得分");
    // 亩均营业收入, min–max over 规上 (80, 60, 40, —, 100): min 40, max 100;
    // firm 1: 20 × (0.2 + 0.8 × (80 − 40) / (100 − 40)) = 20 × 0.7333 = 14.667.
    assert_close(firm(1).min[r], 40.0, "亩均营业收入最小值");
    assert_close(firm(1).max[r], 100.0, "亩均营业收入最大值");
    assert_close(firm(1).score[r], 20.0 * (0.2 + 0.8 * 40.0 / 60.0), "1 亩均营业收入得分");
    // 亩均利润 against the file's 甲园区 3: 5 / 3 × 20 = 33.333. Total 60 + 12 + 14.667 + 33.333.
    assert_close(firm(1).score[p], 5.0 / 3.0 * 20.0, "1 亩均利润得分");
    assert_close(Some(firm(1).total), 120.0, "1 总分");
    // Firm 4 has no revenue: the mean of the group's 亩均营业收入 scores,
    // (14.667 + 9.333 + 4 + 20) / 4 = 12.
    assert_close(firm(4).score[r], 12.0, "4 亩均营业收入（本组平均）");
    // Firm 3 has no energy: 单位产值能耗 left out and the rest × 100 / 80:
    // (5 / 11.6 × 40 + 4 + 2 / 3 × 20) × 1.25 = (17.2414 + 4 + 13.3333) × 1.25 = 43.22.
    assert_close(firm(3).score[e].or(Some(-1.0)), -1.0, "3 单位产值能耗不计");
    assert_close(Some(firm(3).reweight), 1.25, "3 权重调整系数");
    assert_close(
        Some(firm(3).total),
        round_to((5.0 / 11.6 * 40.0 + 4.0 + 40.0 / 3.0) * 1.25, 2),
        "3 总分",
    );
    // 甲园区 ranks 1 (120), 2 (firm 2: 34.48 + 8 + 9.33 + 20 = 71.82), 3 (43.22); quotas of 3
    // firms floor(0.75, 1.5, 2.25) = 0, 1, 2 places: B, C, D. Firm 2 is 120 − 71.82 = 48.18 below B.
    let f2 = firm(2);
    assert_eq!((f2.rank, f2.tier), (2, "C"));
    assert_close(Some(f2.total), 71.82, "2 总分");
    let up = a.cards[a.firms.iter().position(|f| f.code == code(2)).unwrap()].up.clone().unwrap();
    assert_close(Some(up.gap), 48.18, "2 距B档");
    assert!(up.reference.starts_with(&format!("第1名「{}」", firm(1).name)), "{}", up.reference);

    // 规下 亩均税收 (tax / 5 亩): 10, 6, 4, 2, 8; benchmark the median over all ten evaluated:
    // 2, 4, 5, 6, 8, 8, 10, 10, 15, 20 → (8 + 8) / 2 = 8.
    assert_close(firm(15).bench[t], 8.0, "规下 亩均税收基准值");
    // 单位增加值能耗, min–max (lower is better) over 规下:
    // 0.2, 0.5, 1.0, 0.25, 0.5 → min 0.2, max 1.0; firm 15: 40 × (1.0 − 0.5) / 0.8 = 25.
    assert_close(firm(15).min[v], 0.2, "单位增加值能耗最小值");
    assert_close(firm(15).max[v], 1.0, "单位增加值能耗最大值");
    assert_close(firm(15).score[v], 25.0, "15 单位增加值能耗得分");
    // 亩均研发 (1, 0.4, —, 0.2, 0.6): 75th percentile 0.6 + 0.25 × (1.0 − 0.6) = 0.7, × 1.2 = 0.84.
    assert_close(firm(15).bench[q], 0.84, "亩均研发基准值");
    assert_close(firm(13).score[q], 0.0, "13 亩均研发缺失得0分");
    // Firm 15: 8 / 8 × 60 = 60; 25; 0.6 / 0.84 × 20 = 14.29 → 99.3 (one decimal).
    assert_close(Some(firm(15).total), 99.3, "15 总分");
    // Firm 11: 75 + 40 + 1 / 0.84 × 20 = 138.8. 优 at most 30 % of 5 = 1 place: firm 15 (rank 2,
    // above the 60 line) is 良; up: 138.8 − 99.3 = 39.5 to firm 11, the line already passed (0).
    assert_close(Some(firm(11).total), 138.8, "11 总分");
    assert_eq!((firm(11).tier, firm(15).tier), ("优", "良"));
    let i15 = a.firms.iter().position(|f| f.code == code(15)).unwrap();
    assert_close(a.cards[i15].up.as_ref().map(|b| b.gap), 39.5, "15 距优档");
    // Down: firm 13 (30 + 0 + 0 = 30) is the first 中, 99.3 − 30 = 69.3 ahead; the 良 line 40 is
    // nearer: 99.3 − 40 = 59.3.
    assert_close(a.cards[i15].down.as_ref().map(|b| b.gap), 59.3, "15 领先中档");
}

#[test]
fn tier_counts_cover_a_group_with_its_own_labels() {
    let dir = tempfile::tempdir().unwrap();
    let (rules, data) = write(dir.path());
    let out = dir.path().join("输出");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_mujun"))
        .args(["evaluate", "--no-store", "--rules"])
        .arg(&rules)
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let console = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{console}{}", String::from_utf8_lossy(&run.stderr));
    // 规上 (quota per park, 甲 3 firms: B C D; 乙 firms 4, 5 of 2: floor(0.5, 1, 1.5) = 0, 1, 1
    // places: B, D); 规下 (优 1, 良 3, 中 1): 5 + 5 = 10 evaluated.
    assert!(console.contains("参评 10 家"), "{console}");
    assert!(console.contains("  规上企业：A类 0，B类 2，C类 1，D类 2\n"), "{console}");
    assert!(console.contains("  规下企业：优类 1，良类 3，中类 1\n"), "{console}");
    assert!(
        console.contains("  甲园区：A类 0，B类 1，C类 1，D类 1，优类 1，良类 3，中类 1\n"),
        "{console}"
    );

    let ws = sheet(&out.join("2024年度亩均效益评价结果.xlsx"), "汇总");
    let head = row_where(&ws, 1, "园区");
    let at = |group: &str, label: &str| {
        let r = (0..ws.height())
            .find(|&r| {
                crate::report_common::cell(&ws, r, 0) == group
                    && crate::report_common::cell(&ws, r, 1) == "小计"
            })
            .unwrap_or_else(|| panic!("{group} 小计"));
        num(&ws, r, col(&ws, head, label))
    };
    assert_eq!(at("规下企业", "优类"), 1.0);
    assert_eq!(at("规下企业", "良类"), 3.0);
    assert_eq!(at("规下企业", "中类"), 1.0);
    assert_eq!(at("规下企业", "A类"), 0.0);
    assert_eq!(at("规上企业", "B类") + at("规上企业", "D类"), 4.0);
    let all = row_where(&ws, 0, "全部");
    assert_eq!(num(&ws, all, col(&ws, head, "合计")), 10.0, "合计 = 参评");
}
