//! 规则: the settings as applied (groups, indicators with formula, benchmark, method, caps and
//! missing rule; tiers; events; scope), each input file with its SHA-256, and the rule file text.

use rust_xlsxwriter::Workbook;

use crate::evaluation::Evaluation;
use crate::rules::tax::{NoTaxRows, TaxPattern};
use crate::rules::{Benchmark, EventKind, Method, Missing, Over, Stat, TierMethod};
use crate::sheet::table::{Cell, Formats, TableWriter};
use crate::sheet::SheetError;

/// Sheet name of the rules as applied, last in the bureau's workbook.
pub const NAME: &str = crate::columns::sheet::RULES;

fn over_text(o: &Over) -> String {
    match o {
        Over::All => "全部参评企业".into(),
        Over::Group => "本评价组".into(),
        Over::Field(f) => format!("本评价组内按{f}分别"),
    }
}

/// A benchmark (an indicator's `benchmark` key) in words for the 规则 sheet, such as
/// "本评价组中位数 × 0.8".
pub fn benchmark_text(b: &Benchmark) -> String {
    match b {
        Benchmark::None => "无（组内最小值—最大值）".into(),
        Benchmark::Fixed(v) => format!("固定值 {v}"),
        Benchmark::Stat { stat, over, factor } => {
            let s = match stat {
                Stat::Mean => "平均值".to_string(),
                Stat::Median => "中位数".to_string(),
                Stat::Percentile(p) => format!("{}分位数", p * 100.0),
                Stat::Max => "最大值".to_string(),
                Stat::Min => "最小值".to_string(),
            };
            let f = if *factor == 1.0 { String::new() } else { format!(" × {factor}") };
            format!("{}{s}{f}", over_text(over))
        }
        Benchmark::File { path, over, factor, values } => {
            format!(
                "文件 {}（{}，{}个值）× {factor}",
                path.display(),
                over_text(over),
                values.len()
            )
        }
    }
}

/// A scoring method (an indicator's `method` key) as its formula in words, such as
/// "比值法：指标值 ÷ 基准值 × 权重".
pub fn method_text(m: &Method) -> String {
    match m {
        Method::Ratio => "比值法：指标值 ÷ 基准值 × 权重".into(),
        Method::LowerRatio => "越低越好：(2 − 指标值 ÷ 基准值) × 权重 ÷ 2".into(),
        Method::MinMax { floor_share } => {
            format!(
                "极差法：权重 × [{s} + {r} × (x − 最小值) ÷ (最大值 − 最小值)]",
                s = floor_share,
                r = 1.0 - floor_share
            )
        }
    }
}

/// Entries of `[tax] include` or `exclude`, globs marked ("稽查查补、*一次性*（通配）").
fn patterns_text(list: &[TaxPattern]) -> String {
    let text = |p: &TaxPattern| {
        if p.is_glob() {
            format!("{}（通配）", p.text)
        } else {
            p.text.clone()
        }
    };
    list.iter().map(text).collect::<Vec<_>>().join("、")
}

/// What happens to a missing value under an indicator's `missing` key, in words.
pub fn missing_text(m: Missing) -> &'static str {
    match m {
        Missing::Zero => "缺失或分母为零：该项0分",
        Missing::PeerMean => "缺失：取本组有数据企业该项得分的平均值",
        Missing::Reweight => "缺失：该项不计，其余指标按权重比例放大",
        Missing::NotEvaluated => "缺失：不参加评价，列入未参评",
    }
}

/// Write the 规则 sheet: the rule file's `[meta]`, the scope cases, groups with their indicators,
/// tiers, events, each input file with its SHA-256, and the rule file's text.
pub fn write(ev: &Evaluation, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(NAME)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let r = &ev.rules;
    t.title("规则文件")?;
    for (k, v) in [
        ("名称", r.meta.name.clone()),
        (crate::columns::sheet::SCHEME_ROW, r.meta.scheme.clone()),
        (crate::columns::sheet::YEAR_ROW, r.meta.year.to_string()),
        ("版本", r.meta.version.clone()),
        ("依据", r.meta.source.clone()),
        ("规则文件", r.path.display().to_string()),
        (
            "用地方式系数",
            r.land_modes.iter().map(|(m, c)| format!("{m} × {c}")).collect::<Vec<_>>().join("；"),
        ),
        (
            "计入税种",
            match &r.tax.include {
                Some(l) => patterns_text(l),
                None => "全部税种".into(),
            },
        ),
        ("剔除税种", patterns_text(&r.tax.exclude)),
        (
            "无税收记录的企业",
            match r.tax.no_rows {
                NoTaxRows::Zero => "计入实缴税额按 0 计（列警告）".into(),
                NoTaxRows::Missing => "计入实缴税额按缺失处理".into(),
            },
        ),
    ] {
        t.write_row(&[k.into(), v.into()])?;
    }
    t.blank();

    t.title("税种归类（本年税收表中的税种）")?;
    t.header(&["税种".into(), "行数".into(), "金额(万元)".into(), "处理".into()])?;
    for u in &ev.tax_types {
        t.write_row(&[
            u.tax_type.clone().into(),
            Cell::Int(u.rows as i64),
            u.amount.into(),
            r.tax.verdict_text(u.verdict).into(),
        ])?;
    }
    t.blank();

    t.title("评价范围")?;
    t.header(&["类别".into(), "条件".into(), "原因".into(), "按等级管理".into()])?;
    for c in &r.cases {
        t.write_row(&[
            c.kind.label().into(),
            c.when_text.clone().into(),
            c.reason.clone().into(),
            c.tier.as_deref().into(),
        ])?;
    }
    t.blank();

    t.title("评价组与指标")?;
    t.header(&[
        "评价组".into(),
        "条件".into(),
        "指标".into(),
        "编号".into(),
        "公式".into(),
        "单位".into(),
        "权重".into(),
        "计分方法".into(),
        "基准值".into(),
        "封顶(分)".into(),
        "保底(分)".into(),
        "缺失处理".into(),
    ])?;
    for g in &r.groups {
        for i in &g.indicators {
            t.write_row(&[
                g.name.clone().into(),
                g.when_text.clone().into(),
                i.name.clone().into(),
                i.id.clone().into(),
                i.formula_text.clone().into(),
                i.unit.clone().into(),
                i.weight.into(),
                method_text(&i.method).into(),
                benchmark_text(&i.benchmark).into(),
                i.cap.into(),
                i.floor.into(),
                missing_text(i.missing).into(),
            ])?;
        }
    }
    t.blank();

    t.title("分档")?;
    t.header(&[
        "评价组".into(),
        "等级".into(),
        "方法".into(),
        "排名范围".into(),
        "同分排序".into(),
        "总分保留小数位".into(),
    ])?;
    for g in &r.groups {
        let tr = &g.tiers;
        let labels = tr
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| match tr.names.get(i) {
                Some(n) => format!("{l} {n}"),
                None => l.clone(),
            })
            .collect::<Vec<_>>()
            .join("；");
        let method = match &tr.method {
            TierMethod::Quota { shares, .. } => format!(
                "按排名比例：累计 {}",
                shares.iter().map(|s| format!("{}%", s * 100.0)).collect::<Vec<_>>().join(" / ")
            ),
            TierMethod::Threshold { mins } => format!(
                "按分数线：{}",
                mins.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(" / ")
            ),
            TierMethod::Mixed { mins, max_share, min_share, .. } => format!(
                "分数线 {}；上限 {}；下限 {}",
                mins.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(" / "),
                max_share
                    .iter()
                    .map(|(i, s)| format!("{}及以上≤{}%", tr.labels[*i], s * 100.0))
                    .collect::<Vec<_>>()
                    .join("，"),
                min_share
                    .iter()
                    .map(|(i, s)| format!("{}及以下≥{}%", tr.labels[*i], s * 100.0))
                    .collect::<Vec<_>>()
                    .join("，")
            ),
        };
        let ties = tr
            .tie_break
            .iter()
            .map(|x| format!("{}{}", x.label, if x.descending { "高者优先" } else { "低者优先" }))
            .chain(std::iter::once("统一社会信用代码升序".to_string()))
            .collect::<Vec<_>>()
            .join("，");
        t.write_row(&[
            g.name.clone().into(),
            labels.into(),
            method.into(),
            tr.rank_within.join("×").into(),
            ties.into(),
            Cell::Int(tr.round as i64),
        ])?;
    }
    t.blank();

    t.title("加减分事项")?;
    t.header(&["事项".into(), "类型".into(), "分值".into(), "类别".into(), "类别上限".into()])?;
    for e in &r.events.items {
        let kind = match e.kind {
            EventKind::Bonus => "加分".to_string(),
            EventKind::Deduction => "减分".to_string(),
            EventKind::Veto => "一票否决（最低档）".to_string(),
            EventKind::Downgrade(n) => format!("降{n}档"),
        };
        t.write_row(&[
            e.event.clone().into(),
            kind.into(),
            e.points.into(),
            e.category.clone().into(),
            r.events.category_caps.get(&e.category).copied().into(),
        ])?;
    }
    t.write_row(&["加分合计上限".into(), Cell::Empty, r.events.bonus_cap.into()])?;
    t.write_row(&["减分合计上限".into(), Cell::Empty, r.events.deduction_cap.into()])?;
    t.blank();

    t.title("输入文件")?;
    t.header(&["文件".into(), "字节数".into(), "SHA-256".into()])?;
    for s in &ev.dataset.sources {
        t.write_row(&[
            s.path.display().to_string().into(),
            Cell::Int(s.bytes as i64),
            s.sha256.clone().into(),
        ])?;
    }
    t.blank();

    t.title("规则文件原文")?;
    for line in r.text.lines() {
        t.write_row(&[line.to_string().into()])?;
    }
    t.finish_widths()?;
    Ok(())
}
