//! The score card of one enterprise as terminal text (`mujun explain`): the same numbers as the
//! 评价明细 sheet — each indicator's value, benchmark, weight and score, the gain of a 10 %
//! improvement, the distance to the next tier boundary, the indicator that would move it most,
//! measures, warnings and (with a previous year) last year's tier. The input's own text (names,
//! codes, parks, notes) is escaped for the terminal ([`escape`]).

use super::analysis::{fmt_num, AlertKind, Analysis, STEP};
use super::ReportError;
use crate::console::escape;
use crate::credit_code;
use crate::sheet::table::text_width;

/// What a query found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Found {
    /// Index into `a.firms`.
    Evaluated(usize),
    /// Index into `a.listed`.
    Listed(usize),
}

/// Find an enterprise by 统一社会信用代码 (any case, spaces, full-width), exact name, or a unique
/// part of the name.
pub fn find(a: &Analysis, query: &str) -> Result<Found, ReportError> {
    let q = query.trim();
    let code = credit_code::normalize(q);
    if let Some(i) = a.firms.iter().position(|f| f.code == code) {
        return Ok(Found::Evaluated(i));
    }
    if let Some(i) = a.listed.iter().position(|l| l.code == code) {
        return Ok(Found::Listed(i));
    }
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let qn = squash(q);
    if qn.is_empty() {
        return Err(ReportError::Lookup("请给出统一社会信用代码或企业名称".into()));
    }
    if let Some(i) = a.firms.iter().position(|f| squash(f.name) == qn) {
        return Ok(Found::Evaluated(i));
    }
    if let Some(i) = a.listed.iter().position(|l| squash(l.name) == qn) {
        return Ok(Found::Listed(i));
    }
    let mut hits: Vec<(Found, &str, &str)> = Vec::new();
    for (i, f) in a.firms.iter().enumerate() {
        if squash(f.name).contains(&qn) {
            hits.push((Found::Evaluated(i), f.name, f.code));
        }
    }
    for (i, l) in a.listed.iter().enumerate() {
        if squash(l.name).contains(&qn) {
            hits.push((Found::Listed(i), l.name, l.code));
        }
    }
    match hits.len() {
        1 => Ok(hits[0].0),
        0 => Err(ReportError::Lookup(format!(
            "没有找到统一社会信用代码或名称为「{}」的企业",
            escape(q)
        ))),
        n => {
            let list: Vec<String> = hits
                .iter()
                .take(20)
                .map(|(_, name, code)| format!("  {}  {}", escape(code), escape(name)))
                .collect();
            Err(ReportError::Lookup(format!(
                "名称包含「{}」的企业有{n}家，请用统一社会信用代码或完整名称：\n{}{}",
                escape(q),
                list.join("\n"),
                if n > 20 { "\n  ……" } else { "" }
            )))
        }
    }
}

fn pad(s: &str, w: usize) -> String {
    let n = text_width(s);
    if n >= w {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

fn lpad(s: &str, w: usize) -> String {
    let n = text_width(s);
    if n >= w {
        s.to_string()
    } else {
        format!("{}{s}", " ".repeat(w - n))
    }
}

fn opt(x: Option<f64>, d: usize) -> String {
    x.map(|v| fmt_num(v, d)).unwrap_or_else(|| "—".into())
}

/// The card of a found enterprise.
pub fn text(a: &Analysis, found: Found) -> String {
    match found {
        Found::Evaluated(i) => evaluated(a, i),
        Found::Listed(j) => listed(a, j),
    }
}

fn listed(a: &Analysis, j: usize) -> String {
    let l = &a.listed[j];
    let or_dash = |x: &str| if x.is_empty() { "—".into() } else { escape(x).into_owned() };
    let mut s = format!(
        "{}（{}）\n",
        if l.name.is_empty() { "（名称未知）".into() } else { escape(l.name) },
        escape(l.code)
    );
    s += &format!(
        "所属园区：{}　行业代码：{}　企业规模：{}\n",
        escape(l.park),
        or_dash(l.industry_code),
        or_dash(l.scale)
    );
    s += &format!("未参评：{} —— {}\n", escape(l.category), escape(l.reason));
    if let Some(t) = &l.tier {
        s += &format!("按{}类管理\n", escape(t));
    }
    s
}

fn evaluated(a: &Analysis, i: usize) -> String {
    let r = a.rules();
    let f = &a.firms[i];
    let g = &r.groups[f.group];
    let c = &a.cards[i];
    let mut s = format!("{}（{}）\n", escape(f.name), escape(f.code));
    let div =
        f.division.map(|d| format!("（{}）", super::summary::division_name(d))).unwrap_or_default();
    s += &format!(
        "所属园区：{}　行业代码：{}{div}　产业集群：{}　企业规模：{}\n",
        escape(f.park),
        escape(f.industry_code),
        escape(f.cluster),
        escape(f.scale)
    );
    let within: Vec<String> = g
        .tiers
        .rank_within
        .iter()
        .map(|k| if k == "group" { "评价组".to_string() } else { k.clone() })
        .collect();
    s += &format!(
        "评价组：{}　排名：第 {} 名 / {} 家（排名范围：{}）\n",
        g.name,
        f.rank,
        f.pop,
        within.join(" × ")
    );
    s += &format!("等级：{}", a.tier_display(f.group, f.tier));
    if f.tier != f.tier_by_score || f.vetoed {
        s += &format!("（按得分 {}；加减分事项后 {}", f.tier_by_score, f.tier_after_events);
        if let Some(reason) = &f.adj_reason {
            s += &format!("；调档：{}", escape(reason));
        }
        s += "）";
    }
    s += "\n";
    let mut total =
        format!("总分：{} 分 = 指标得分合计 {}", fmt_num(f.total, 2), fmt_num(f.items, 2));
    if (f.reweight - 1.0).abs() > 1e-12 {
        total += &format!("（已乘权重调整系数 {}）", fmt_num(f.reweight, 4));
    }
    total += &format!(" + 加分 {} − 减分 {}", fmt_num(f.bonus, 2), fmt_num(f.deduction, 2));
    s += &total;
    s += "\n\n";

    let widths = [24usize, 14, 14, 12, 6, 8, 8, 12, 16];
    let heads =
        ["指标", "指标值", "单位", "基准值", "权重", "得分", "封顶", "改善10%可增", "升档需改善"];
    let line = |cells: &[String]| -> String {
        let mut out = String::new();
        for (k, (c, w)) in cells.iter().zip(widths).enumerate() {
            if k == 0 || k == 2 {
                out += &pad(c, w);
            } else {
                out += &lpad(c, w);
            }
            out += " ";
        }
        out.trim_end().to_string() + "\n"
    };
    s += &line(&heads.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    for (k, it) in c.items.iter().enumerate() {
        let ind = a.indicators[it.ind];
        let mark = if c.best == Some(k) { " *" } else { "" };
        s += &line(&[
            format!("{}{mark}", escape(&ind.name)),
            opt(f.value[it.ind], 4),
            escape(&ind.unit).into_owned(),
            opt(f.bench[it.ind], 4),
            fmt_num(it.weight, 0),
            opt(f.score[it.ind], 2),
            opt(it.cap, 2),
            opt(it.gain, 2),
            it.needed.map(|n| format!("+{:.1}%", n * 100.0)).unwrap_or_else(|| "—".into()),
        ]);
        if !it.note.is_empty() {
            s += &format!("    （{}）\n", escape(it.note));
        }
    }
    if let Some(n) = &f.event_note {
        s += &format!("加减分事项：{}\n", escape(n));
    }
    s += "\n";
    match &c.up {
        Some(b) => {
            s += &format!(
                "距上一档：{} 还差 {} 分（边界：{}）\n",
                a.tier_display(f.group, b.tier),
                fmt_num(b.gap, 2),
                b.reference
            )
        }
        None => {
            s += &format!("距上一档：{}\n", if c.up_note.is_empty() { "—" } else { &c.up_note })
        }
    }
    let best = a.best_text(i);
    s += &format!(
        "最能提分的指标：{}\n",
        if best.is_empty() {
            "无（各项已达封顶或无法测算）".to_string()
        } else {
            format!("* {best}")
        }
    );
    if let Some(d) = &c.down {
        s += &format!(
            "距下一档：领先 {} {} 分（边界：{}）",
            a.tier_display(f.group, d.tier),
            fmt_num(d.gap, 2),
            d.reference
        );
        if let Some(m) = r.alerts.margin {
            if d.gap <= m + 1e-9 {
                s += &format!("　⚠ 在预警分差 {m} 分以内");
            }
        }
        s += "\n";
    }
    for al in
        a.alerts.iter().filter(|al| al.firm == i && matches!(al.kind, AlertKind::Threshold(_)))
    {
        s += &format!(
            "⚠ 预警：{}（值 {}，预警线 {}）\n",
            al.detail,
            opt(al.value, 4),
            opt(al.limit, 4)
        );
    }
    if !a.measures[i].is_empty() {
        s += "政策措施：\n";
        for m in &a.measures[i] {
            let p = &r.policies[m.policy];
            let mut line = format!("  - {}", p.measure);
            if !p.text.is_empty() {
                line += &format!("：{}", p.text);
            }
            let formula = a.formula(m);
            if !formula.is_empty() {
                line += &format!("（{formula}）");
            }
            s += &line;
            s += "\n";
        }
    }
    if let Some(cmp) = &a.comparison {
        match super::yoy::movement(a, i) {
            Some((p, _, label)) => {
                let total = cmp
                    .evaluated_before(i)
                    .and_then(|p| p.total)
                    .map(|t| format!("，总分 {}", fmt_num(t, 2)))
                    .unwrap_or_default();
                s += &format!("上年：{p}{total}（{label}）\n");
            }
            None => s += "上年：无记录\n",
        }
    }
    s += &format!(
        "\n说明：“改善10%可增”为该指标值提高{pct}%（越低越好的指标降低{pct}%）、其余不变（基准值、组内最小最大值不变）时总分的增加量，已计封顶和权重调整系数；* 为增加最多的指标。\n“升档需改善”为只改善该指标时达到上一档边界所需的改善幅度。\n",
        pct = STEP * 100.0
    );
    s
}
