//! One workbook per park for its committee (园区管委会): the park's enterprises with tiers, scores
//! and measures; the park's per-mu aggregates (ratios of sums) against the district's; its
//! score cards, early warnings, 公示 list and not-evaluated enterprises; and, with a previous
//! year, who moved tier and the per-mu growth against the plan target.
//!
//! File names come from park names in the data, so they are made safe: path separators, "..",
//! control and reserved characters are replaced, Windows device names are prefixed, the length
//! is bounded, and the final path is checked to be a direct child of the output folder.

use std::path::{Component, Path, PathBuf};

use rust_xlsxwriter::Workbook;

use super::analysis::{Analysis, Firm};
use super::{measures, yoy, ReportError, Scope, SheetFn};
use crate::rules::AGGREGATES;
use crate::sheet::print::{self, Print};
use crate::sheet::table::{data_bars, tier_conditional, Cell, Formats, TableWriter};
use crate::sheet::SheetError;

/// Sub-folder of the output folder holding the park workbooks.
pub const DIR: &str = "园区";
/// Sheet name of a park workbook's first sheet: tier counts, per-mu aggregates against the
/// district, measures and warnings.
pub const OVERVIEW: &str = "园区概况";
/// Sheet name of a park workbook's enterprise list: its evaluated enterprises with tiers, scores
/// and measures.
pub const FIRMS: &str = "企业名单";

/// A file-name stem from untrusted text: no separators, "..", control or reserved characters.
pub fn safe_stem(name: &str) -> String {
    let mut s: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_control()
                || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '\u{0}')
            {
                '_'
            } else {
                c
            }
        })
        .collect();
    while s.contains("..") {
        s = s.replace("..", "_");
    }
    let s: String =
        s.trim_matches(|c: char| c == '.' || c.is_whitespace()).chars().take(60).collect();
    let s = s.trim_matches(|c: char| c == '.' || c.is_whitespace()).to_string();
    if s.is_empty() {
        return "未命名园区".into();
    }
    let head = s.split('.').next().unwrap_or("").trim().to_ascii_uppercase();
    let reserved = matches!(head.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (head.len() == 4
            && (head.starts_with("COM") || head.starts_with("LPT"))
            && head.as_bytes()[3].is_ascii_digit());
    if reserved {
        format!("_{s}")
    } else {
        s
    }
}

/// File names of the park workbooks, in the order of `parks`, unique (case-insensitively).
pub fn file_names(parks: &[&String], year: i32) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in parks {
        let stem = safe_stem(p);
        let mut name = format!("{year}年度亩均效益评价_{stem}.xlsx");
        let mut k = 2;
        while out.iter().any(|x| x.eq_ignore_ascii_case(&name)) {
            name = format!("{year}年度亩均效益评价_{stem}_{k}.xlsx");
            k += 1;
        }
        out.push(name);
    }
    out
}

/// `dir/name`, refusing anything that is not a single plain file name.
pub fn contained(dir: &Path, name: &str) -> Result<PathBuf, ReportError> {
    let p = Path::new(name);
    let mut comps = p.components();
    match (comps.next(), comps.next()) {
        (Some(Component::Normal(_)), None) if !name.contains(['/', '\\']) => Ok(dir.join(name)),
        _ => Err(ReportError::UnsafeName(name.to_string())),
    }
}

/// The sheets of a park workbook.
pub const PARK_SHEETS: &[(&str, SheetFn)] = &[
    (OVERVIEW, overview),
    (FIRMS, firms),
    (measures::NAME, measures::write),
    (super::cards::NAME, super::cards::write),
    (super::alerts::NAME, super::alerts::write),
    (super::notice::NAME, super::notice::write),
    (yoy::MOVERS_NAME, yoy::write_movers),
    (yoy::NAME, yoy::write),
    (super::years::NAME, super::years::write),
    (super::years::FIRMS_NAME, super::years::write_firms),
    (super::not_evaluated::NAME, super::not_evaluated::write),
];

/// Write the workbook of park `park` (its 所属园区 text) as file `name` (from [`file_names`]) in
/// `dir`, creating `dir`; fails with [`ReportError::UnsafeName`] when `name` is not a plain file
/// name inside `dir`.
pub fn write_park(
    a: &Analysis,
    park: &str,
    dir: &Path,
    name: &str,
) -> Result<PathBuf, ReportError> {
    crate::sheet::create_dir(dir)?;
    let path = contained(dir, name)?;
    let title = format!("{park} {}年度亩均效益评价", a.rules().meta.year);
    super::write_analysis_book(a, Scope::Park(park), &title, PARK_SHEETS, &path)?;
    Ok(path)
}

fn park_of<'s>(scope: Scope<'s>) -> &'s str {
    match scope {
        Scope::Park(p) => p,
        Scope::All => "全区",
    }
}

/// 园区概况: tier counts, per-mu aggregates against the district, measures, warnings.
fn overview(
    a: &Analysis,
    scope: Scope,
    wb: &mut Workbook,
    fmt: &Formats,
) -> Result<(), SheetError> {
    let ws = wb.add_worksheet();
    ws.set_name(OVERVIEW)?;
    let r = a.rules();
    let park = park_of(scope);
    let mut t = TableWriter::new(ws, fmt, 0);
    t.title(&format!("{park} {}年度工业企业亩均效益评价（{}）", r.meta.year, r.meta.name))?;
    let mine: Vec<&Firm> = a.firms.iter().filter(|f| scope.has(f.park)).collect();
    let listed = a.listed.iter().filter(|l| scope.has(l.park)).count();
    t.write_row(&["参评企业".into(), mine.len().into(), "未参评企业".into(), listed.into()])?;
    t.blank();

    t.title("一、分档家数")?;
    let labels = a.all_labels();
    let mut head = vec!["评价组".to_string()];
    head.extend(labels.iter().map(|l| format!("{l}类")));
    head.push("合计".into());
    t.header(&head)?;
    for (gi, g) in r.groups.iter().enumerate() {
        let c: Vec<usize> = labels
            .iter()
            .map(|l| mine.iter().filter(|f| f.group == gi && f.tier == l).count())
            .collect();
        let mut row: Vec<Cell> = vec![g.name.clone().into()];
        row.extend(c.iter().map(|n| Cell::from(*n)));
        row.push(c.iter().sum::<usize>().into());
        t.write_row(&row)?;
    }
    if let Some(c) = &a.comparison {
        let prev = yoy::prev_counts(c, park);
        let mut row: Vec<Cell> = vec!["上年（全部评价组）".into()];
        row.extend(labels.iter().map(|l| Cell::from(prev.get(l).copied().unwrap_or(0))));
        row.push(prev.values().sum::<usize>().into());
        t.write_row(&row)?;
    }
    t.blank();

    t.title("二、亩均效益：本园区与全区（参评企业合计值之比）")?;
    t.header(&["指标".into(), "本园区".into(), "全区".into(), "本园区 ÷ 全区".into()])?;
    let (here, all) = (a.per_mu_of(Some(park), None), a.per_mu_of(None, None));
    let pct = t.pct_format();
    t.write_row(&["参评企业数(家)".into(), here.n.into(), all.n.into()])?;
    t.write_row(&["评价用地面积(亩)".into(), here.land.into(), all.land.into()])?;
    for (k, (_, name, _)) in AGGREGATES.iter().enumerate() {
        let (p, d) = (here.per_mu(k), all.per_mu(k));
        t.write_row_with(
            &[
                format!("{name}(万元/亩)").into(),
                p.into(),
                d.into(),
                match (p, d) {
                    (Some(p), Some(d)) if d > 0.0 => Cell::Num(p / d),
                    _ => Cell::Empty,
                },
            ],
            &[3],
            &pct,
        )?;
    }
    t.blank();

    if a.comparison.is_some() {
        let target = r
            .targets
            .per_mu_growth
            .map(|g| format!("（{}，规划目标：年均增长≥{}%）", yoy::target_scope(r), g * 100.0))
            .unwrap_or_default();
        t.title(&format!("三、亩均效益增长{target}"))?;
        t.header(&[
            "范围".into(),
            "指标".into(),
            "上年(万元/亩)".into(),
            "本年(万元/亩)".into(),
            "增长".into(),
            "目标增长".into(),
            "是否达标".into(),
        ])?;
        for (label, p) in [(park, Some(park)), ("全区", None)] {
            for (name, pv, cv, g, tg, met) in yoy::growth_rows(a, p) {
                t.write_row_with(
                    &[
                        label.to_string().into(),
                        name.into(),
                        pv.into(),
                        cv.into(),
                        g.into(),
                        tg.into(),
                        match met {
                            Some(true) => "达标".into(),
                            Some(false) => "未达标".into(),
                            None => Cell::Empty,
                        },
                    ],
                    &[4, 5],
                    &pct,
                )?;
            }
        }
        t.blank();
    }

    t.title("政策措施合计")?;
    t.header(&[
        "措施".into(),
        "适用等级".into(),
        "企业数".into(),
        "金额合计".into(),
        "金额单位".into(),
    ])?;
    for (p, count, sum) in measures::totals(a, scope) {
        let pol = &r.policies[p];
        t.write_row(&[
            pol.measure.clone().into(),
            pol.tiers.join("、").into(),
            count.into(),
            sum.into(),
            if pol.rate.is_some() { pol.unit.clone().into() } else { Cell::Empty },
        ])?;
    }
    t.blank();
    let warn = super::alerts::ordered(a, scope).len();
    t.write_row(&["预警条目".into(), warn.into(), "详见「预警名单」".into()])?;
    t.finish_widths()?;
    Ok(())
}

/// 企业名单: the park's evaluated enterprises with tiers, scores and measures.
fn firms(a: &Analysis, scope: Scope, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(FIRMS)?;
    let r = a.rules();
    let title = format!("{} {}年度企业名单", park_of(scope), r.meta.year);
    print::setup(ws, Print { title: &title, landscape: true, repeat: Some((0, 0)) })?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let mut head: Vec<String> = [
        "评价组",
        "排名",
        "排名范围企业数",
        "等级",
        "等级名称",
        "统一社会信用代码",
        "企业名称",
        "行业代码",
        "产业集群",
        "总分",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for ind in &a.indicators {
        head.push(format!("{}得分", ind.name));
    }
    head.extend(
        [
            "加分",
            "减分",
            "加减分事项",
            "调档理由",
            "距上一档(分)",
            "最能提分的指标",
            "政策措施",
            "措施金额",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    if a.comparison.is_some() {
        head.extend(["上年等级", "等级变动"].iter().map(|s| s.to_string()));
    }
    t.header(&head)?;
    let members: Vec<usize> = (0..a.firms.len()).filter(|&i| scope.has(a.firms[i].park)).collect();
    t.write_rows(&members, &fmt.num2, |&i, row| {
        let f = &a.firms[i];
        row.extend([
            r.groups[f.group].name.as_str().into(),
            Cell::Int(f.rank),
            Cell::Int(f.pop),
            f.tier.into(),
            a.tier_name(f.group, f.tier).into(),
            f.code.into(),
            f.name.into(),
            f.industry_code.into(),
            f.cluster.into(),
            f.total.into(),
        ]);
        row.extend(f.score.iter().map(|s| Cell::from(*s)));
        row.extend([
            f.bonus.into(),
            f.deduction.into(),
            f.event_note.into(),
            f.adj_reason.into(),
            a.cards[i].up.as_ref().map(|b| Cell::Num(b.gap)).unwrap_or(Cell::Empty),
            a.best_text(i).into(),
            a.measures_text(i).into(),
            a.measures[i]
                .iter()
                .map(|m| a.formula(m))
                .filter(|f| !f.is_empty())
                .collect::<Vec<_>>()
                .join("；")
                .into(),
        ]);
        if a.comparison.is_some() {
            match yoy::movement(a, i) {
                Some((p, _, label)) => row.extend([p.into(), label.into()]),
                None => row.extend([Cell::Empty, Cell::Empty]),
            }
        }
        &[]
    })?;
    t.ws.set_freeze_panes(1, 7)?;
    let last = t.last_row();
    t.ws.autofilter(0, 0, last, (head.len() - 1) as u16)?;
    tier_conditional(t.ws, &a.all_labels(), 1, last, 3)?;
    data_bars(t.ws, 1, last, 9)?;
    t.finish_widths()?;
    Ok(())
}
