//! The land bureau's workbook: 达标情况 (per project and check), 违约金测算, 闲置土地, 项目进度,
//! 用地台账 (per enterprise), 宗地明细 (per 用地 row), 冲突, 问题清单, 数据核对 and 规则. Written
//! as every workbook is ([`crate::sheet::write_book`]: bold frozen header, CJK-aware widths, text
//! cells never read as formulas, a fixed document time), so identical inputs give identical bytes.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Workbook, XlsxError};

use super::checks::{Item, Status};
use super::controls::Indicator;
use super::{date_text, fmt_num, fmt_pct, LandRun};
use crate::report::problems;
use crate::sheet::print::{self, Print};
use crate::sheet::table::{Cell, Formats, TableWriter, MAX_ROWS};
use crate::sheet::{self, Book, BookError, SheetError};

/// Sheet 达标情况: one row per project and check.
pub const CHECKS: &str = "达标情况";
/// Sheet 违约金测算: one row per penalty, and their total.
pub const PENALTIES: &str = "违约金测算";
/// Sheet 闲置土地: one row per idle project.
pub const IDLE: &str = "闲置土地";
/// Sheet 项目进度: one row per project.
pub const PROGRESS: &str = "项目进度";
/// Sheet 用地台账: one row per enterprise.
pub const REGISTER: &str = "用地台账";
/// Sheet 宗地明细: one row per 用地 row.
pub const PARCELS: &str = "宗地明细";
/// Sheet 冲突: one row per conflict in the land records.
pub const CONFLICTS: &str = "冲突";
/// Sheet 规则: the settings, control tables and rule files used.
pub const RULES: &str = "规则";

/// A sheet of the land workbook.
pub type SheetFn = fn(&LandRun, &mut Workbook, &Formats) -> Result<(), SheetError>;

/// The sheets of the land workbook, in order. 问题清单 is the results workbook's sheet, from the
/// problems of this run.
pub const SHEETS: &[(&str, SheetFn)] = &[
    (CHECKS, checks_sheet),
    (PENALTIES, penalties_sheet),
    (IDLE, idle_sheet),
    (PROGRESS, progress_sheet),
    (REGISTER, register_sheet),
    (PARCELS, parcels_sheet),
    (CONFLICTS, conflicts_sheet),
    (problems::NAME, |run, wb, fmt| problems::write_problems(&run.problems, wb, fmt)),
    (problems::RECON_NAME, recon_sheet),
    (RULES, rules_sheet),
];

/// File name of the workbook.
pub fn workbook_name(run: &LandRun) -> String {
    format!("标准地核查与用地台账（评价日{}）.xlsx", date_text(run.rules.date))
}

/// Write the workbook into `out_dir`; returns its path.
pub fn write(run: &LandRun, out_dir: &Path) -> Result<PathBuf, BookError> {
    sheet::create_dir(out_dir)?;
    let path = out_dir.join(workbook_name(run));
    let title = format!("{}（评价日{}）", run.rules.name, date_text(run.rules.date));
    let book = Book { path: &path, title: &title, year: date_year(run.rules.date) };
    sheet::write_book(&book, SHEETS, |f, wb, fmt| f(run, wb, fmt))?;
    Ok(path)
}

fn date_year(d: i32) -> i32 {
    use chrono::Datelike;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");
    (epoch + chrono::Duration::days(d as i64)).year()
}

fn heads(h: &[&str]) -> Vec<String> {
    h.iter().map(|s| s.to_string()).collect()
}

fn opt_text(s: &Option<String>) -> Cell<'_> {
    s.as_deref().map(Cell::from).unwrap_or(Cell::Empty)
}

fn opt_date(d: Option<i32>) -> Cell<'static> {
    d.map(|d| Cell::from(date_text(d))).unwrap_or(Cell::Empty)
}

fn finish(t: &mut TableWriter, rows: usize, cols: usize) -> Result<(), XlsxError> {
    t.ws.set_freeze_panes(1, 0)?;
    t.ws.autofilter(0, 0, rows.min(MAX_ROWS) as u32, (cols - 1) as u16)?;
    t.finish_widths()
}

/// Columns shared by per-project sheets.
fn project_cells(run: &LandRun, i: usize) -> Vec<Cell<'_>> {
    let p = &run.projects[i];
    vec![p.parcel_id.clone().into(), opt_text(&p.project), opt_text(&p.code), opt_text(&p.holder)]
}

fn checks_sheet(run: &LandRun, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(CHECKS)?;
    print::setup(ws, Print { title: "标准地达标情况", landscape: true, repeat: Some((0, 0)) })?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let h = [
        "宗地编号",
        "项目名称",
        "统一社会信用代码",
        "企业名称",
        "所属园区",
        "行业代码",
        "核查阶段",
        "检查项",
        "单位",
        "实际值",
        "约定值",
        "控制值",
        "控制值依据",
        "标准值（取严）",
        "要求",
        "状态",
        "差距",
        "计算过程",
        "说明",
        "来源",
    ];
    t.header(&heads(&h))?;
    let pct = t.pct_format();
    for c in &run.checks {
        let p = &run.projects[c.project];
        let mut cells = project_cells(run, c.project);
        cells.push(opt_text(&p.park));
        cells.push(opt_text(&p.industry_code));
        cells.push(c.item.stage().into());
        cells.push(c.item.label().into());
        let (unit, req) = match c.item {
            Item::StartOnTime | Item::CompletionOnTime => ("天", "不晚于约定日期".to_string()),
            Item::Ind(ind) => (
                ind.unit(),
                if ind.is_max() {
                    "不高于标准值".into()
                } else {
                    "不低于标准值".into()
                },
            ),
        };
        cells.push(unit.into());
        cells.push(match (&c.actual_text, c.actual) {
            (Some(s), _) => s.clone().into(),
            (None, v) => v.into(),
        });
        cells.push(match (&c.contract_text, c.contract) {
            (Some(s), _) => s.clone().into(),
            (None, v) => v.into(),
        });
        cells.push(c.control.as_ref().map(|x| Cell::Num(x.value)).unwrap_or(Cell::Empty));
        cells
            .push(c.control.as_ref().map(|x| Cell::from(x.source.as_str())).unwrap_or(Cell::Empty));
        cells.push(c.standard.into());
        cells.push(req.into());
        cells.push(c.status.label().into());
        cells.push(c.gap.into());
        cells.push(c.calc.clone().into());
        cells.push(c.note.clone().into());
        cells.push(format!("{} 第{}行", p.file, p.row).into());
        let share = matches!(c.item, Item::Ind(i) if i.is_share());
        if share {
            t.write_row_with(&cells, &[9, 10, 11, 13, 16], &pct)?;
        } else {
            t.write_row(&cells)?;
        }
    }
    finish(&mut t, run.checks.len(), h.len())?;
    Ok(())
}

fn penalties_sheet(run: &LandRun, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(PENALTIES)?;
    print::setup(ws, Print { title: "标准地违约金测算", landscape: true, repeat: Some((0, 0)) })?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let h = [
        "宗地编号",
        "项目名称",
        "统一社会信用代码",
        "企业名称",
        "类别",
        "条款",
        "出让价款（万元）",
        "计算公式",
        "计算过程",
        "金额（万元）",
        "依据",
    ];
    t.header(&heads(&h))?;
    let mut total = 0.0;
    for pen in &run.penalties {
        let p = &run.projects[pen.project];
        let mut cells = project_cells(run, pen.project);
        cells.extend([
            pen.clause.kind().into(),
            pen.clause.label().into(),
            p.price.into(),
            pen.clause.formula().into(),
            pen.calc.clone().into(),
            pen.amount.into(),
            pen.basis.clone().into(),
        ]);
        total += pen.amount.unwrap_or(0.0);
        t.write_row(&cells)?;
    }
    let n = run.penalties.len();
    t.write_row(&[
        "合计".into(),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        format!("{}项", n).into(),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Num(total),
        "违约金与闲置费合计；无法测算的不计入".into(),
    ])?;
    finish(&mut t, n, h.len())?;
    Ok(())
}

fn idle_sheet(run: &LandRun, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(IDLE)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let h = [
        "宗地编号",
        "项目名称",
        "统一社会信用代码",
        "企业名称",
        "出让面积（亩）",
        "出让价款（万元）",
        "约定开工日期",
        "实际开工日期",
        "停工日期",
        "认定情形",
        "闲置起算日",
        "闲置天数",
        "已建建筑面积占约定比例",
        "已投资占约定投资比例",
        "处置",
        "闲置费计算",
        "闲置费（万元）",
    ];
    t.header(&heads(&h))?;
    let pct = t.pct_format();
    let mut n = 0;
    for (i, s) in run.schedules.iter().enumerate() {
        let Some(idle) = &s.idle else { continue };
        let p = &run.projects[i];
        let fee =
            run.penalties.iter().find(|x| x.project == i && x.clause == super::Clause::IdleFee);
        let mut cells = project_cells(run, i);
        cells.extend([
            p.area_mu.into(),
            p.price.into(),
            opt_date(p.agreed_start),
            opt_date(p.actual_start),
            opt_date(p.stop_date),
            idle.reason.clone().into(),
            Cell::from(date_text(idle.since)),
            Cell::Int(idle.days),
            idle.built_share.into(),
            idle.investment_share.into(),
            if idle.reclaim {
                "无偿收回（闲置满期限）".into()
            } else {
                "征收土地闲置费".into()
            },
            fee.map(|f| Cell::from(f.calc.as_str())).unwrap_or_else(|| {
                if idle.reclaim {
                    "依法无偿收回，不再测算闲置费".into()
                } else {
                    Cell::Empty
                }
            }),
            fee.and_then(|f| f.amount).into(),
        ]);
        t.write_row_with(&cells, &[12, 13], &pct)?;
        n += 1;
    }
    finish(&mut t, n, h.len())?;
    Ok(())
}

fn progress_sheet(run: &LandRun, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(PROGRESS)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let h = [
        "宗地编号",
        "项目名称",
        "统一社会信用代码",
        "企业名称",
        "所属园区",
        "出让面积（亩）",
        "出让价款（万元）",
        "出让日期",
        "约定开工日期",
        "实际开工日期",
        "延期开工天数",
        "约定竣工日期",
        "实际竣工日期",
        "延期竣工天数",
        "停工日期",
        "进度",
        "竣工验收",
        "达产复核日期",
        "达产复核",
        "闲置认定",
        "未达标项",
        "违约金（万元）",
        "闲置费（万元）",
    ];
    t.header(&heads(&h))?;
    for (i, s) in run.schedules.iter().enumerate() {
        let p = &run.projects[i];
        let mut cells = project_cells(run, i);
        let failed: Vec<&str> = run
            .checks
            .iter()
            .filter(|c| c.project == i && c.status == Status::Fail)
            .map(|c| c.item.label())
            .collect();
        let sum = |idle: bool| -> Cell {
            let v: Vec<f64> = run
                .penalties
                .iter()
                .filter(|x| x.project == i && (x.clause == super::Clause::IdleFee) == idle)
                .filter_map(|x| x.amount)
                .collect();
            if v.is_empty() {
                Cell::Empty
            } else {
                Cell::Num(v.iter().sum())
            }
        };
        let review = match s.review_due(run.rules.date) {
            Some(true) => "已到期".to_string(),
            Some(false) => "未到期".to_string(),
            None => "无法确定".to_string(),
        };
        let idle = match (&s.idle, &s.idle_unknown) {
            (Some(x), _) if x.reclaim => format!("闲置，应无偿收回（{}）", x.reason),
            (Some(x), _) => format!("闲置，征收闲置费（{}）", x.reason),
            (None, Some(why)) => why.clone(),
            (None, None) => "否".into(),
        };
        cells.extend([
            opt_text(&p.park),
            p.area_mu.into(),
            p.price.into(),
            opt_date(p.sale_date),
            opt_date(p.agreed_start),
            opt_date(p.actual_start),
            s.late_start.map(Cell::Int).unwrap_or(Cell::Empty),
            opt_date(p.agreed_completion),
            opt_date(p.actual_completion),
            s.late_completion.map(Cell::Int).unwrap_or(Cell::Empty),
            opt_date(p.stop_date),
            s.phase.into(),
            s.completion_note.clone().into(),
            opt_date(s.review_date),
            format!("{review}（{}）", s.review_note).into(),
            idle.into(),
            failed.join("、").into(),
            sum(false),
            sum(true),
        ]);
        t.write_row(&cells)?;
    }
    finish(&mut t, run.schedules.len(), h.len())?;
    Ok(())
}

fn register_sheet(run: &LandRun, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(REGISTER)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let h = [
        "统一社会信用代码",
        "企业名称",
        "所属园区",
        "自有宗地数",
        "自有面积（亩）",
        "承租面积（亩）",
        "出租面积（亩）",
        "其他用地方式面积（亩）",
        "自有+承租−出租（亩）",
        "评价用地面积（亩，evaluate口径）",
        "标准地项目数",
        "标准地出让面积（亩）",
        "闲置标准地",
        "冲突",
        "说明",
    ];
    t.header(&heads(&h))?;
    for e in &run.register.enterprises {
        let idle: Vec<&str> = run
            .projects
            .iter()
            .zip(&run.schedules)
            .filter(|(p, s)| p.code.as_deref() == Some(e.code.as_str()) && s.idle.is_some())
            .map(|(p, _)| p.parcel_id.as_str())
            .collect();
        let note = if e.registered {
            String::new()
        } else {
            "不在企业名录中，evaluate 不评价、不计评价用地".to_string()
        };
        t.write_row(&[
            e.code.clone().into(),
            opt_text(&e.name),
            opt_text(&e.park),
            e.owned_parcels.into(),
            e.owned.into(),
            e.leased_in.into(),
            e.leased_out.into(),
            e.other.into(),
            Cell::Num(e.owned + e.leased_in - e.leased_out),
            e.evaluated.into(),
            e.std_projects.into(),
            e.std_area.into(),
            idle.join("、").into(),
            e.conflicts.join("、").into(),
            note.into(),
        ])?;
    }
    finish(&mut t, run.register.enterprises.len(), h.len())?;
    Ok(())
}

fn parcels_sheet(run: &LandRun, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(PARCELS)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let h = [
        "统一社会信用代码",
        "企业名称",
        "不动产权证号",
        "用地方式",
        "面积（亩）",
        "对方统一社会信用代码",
        "对方名称",
        "供地日期",
        "冲突",
        "文件",
        "行",
    ];
    t.header(&heads(&h))?;
    for p in &run.register.parcels {
        let cp_name = match (&p.counterparty, &p.counterparty_name) {
            (Some(_), Some(n)) => n.clone().into(),
            (Some(_), None) => "（不在企业名录）".into(),
            _ => Cell::Empty,
        };
        t.write_row(&[
            p.code.clone().into(),
            opt_text(&p.name),
            opt_text(&p.parcel),
            opt_text(&p.mode),
            p.area.into(),
            opt_text(&p.counterparty),
            cp_name,
            opt_date(p.supply_date),
            p.conflicts.join("、").into(),
            p.file.clone().into(),
            p.row.into(),
        ])?;
    }
    finish(&mut t, run.register.parcels.len(), h.len())?;
    Ok(())
}

fn conflicts_sheet(run: &LandRun, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(CONFLICTS)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let h = ["冲突类型", "不动产权证号", "涉及企业", "说明", "来源行"];
    t.header(&heads(&h))?;
    for c in &run.register.conflicts {
        let rows: Vec<String> = c
            .rows
            .iter()
            .map(|(f, s, r)| {
                if s.is_empty() {
                    format!("{f} 第{r}行")
                } else {
                    format!("{f}「{s}」第{r}行")
                }
            })
            .collect();
        t.write_row(&[
            c.kind.label().into(),
            c.parcel.clone().into(),
            c.codes.join("、").into(),
            c.message.clone().into(),
            rows.join("；").into(),
        ])?;
    }
    finish(&mut t, run.register.conflicts.len(), h.len())?;
    Ok(())
}

fn recon_sheet(run: &LandRun, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    // Here the 标准地 rows are used: their own accounting replaces evaluate's "all skipped".
    let ds = &run.dataset;
    let recs: Vec<crate::ingest::Reconciliation> = ds
        .reconciliation
        .iter()
        .map(|r| {
            ds.aux_reconciliation
                .iter()
                .find(|a| a.file == r.file && a.sheet == r.sheet)
                .unwrap_or(r)
                .clone()
        })
        .collect();
    problems::write_recon(&recs, wb, fmt)
}

fn rules_sheet(run: &LandRun, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let r = &run.rules;
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(RULES)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    t.header(&heads(&["设置", "值", "说明"]))?;
    let rows: Vec<(&str, String, String)> = vec![
        ("规则名称", r.name.clone(), format!("{} {}", r.version, r.source)),
        ("规则文件", r.path.display().to_string(), String::new()),
        (
            "评价日",
            date_text(r.date),
            "evaluation.date：进度、闲置、竣工验收和达产复核均按此日判断".into(),
        ),
        (
            "评价规则",
            r.evaluation_rules.to_string(),
            format!("{}：{}年度税收口径、用地方式系数", run.eval_name, run.data_year),
        ),
        (
            "地区类别",
            r.region_class.clone().unwrap_or_default(),
            "evaluation.region_class：按地区类别取投资强度控制值".into(),
        ),
        ("达产复核起算", r.review_from.label().into(), "schedule.review_from".into()),
        (
            "默认达产年限",
            r.default_production_years.map(fmt_num).unwrap_or_default(),
            "schedule.default_production_years（标准地表未填达产年限时）".into(),
        ),
        (
            "延期开工每日违约金",
            format!("{}‰", fmt_num(r.late_start_permille)),
            "penalties.late_start_permille：出让价款的千分比".into(),
        ),
        (
            "延期竣工每日违约金",
            format!("{}‰", fmt_num(r.late_completion_permille)),
            "penalties.late_completion_permille".into(),
        ),
        ("土地闲置费比例", fmt_pct(r.idle.fee_share), "idle.fee_share（不超过20%）".into()),
        (
            "征收闲置费年限",
            format!("{}年", r.idle.fee_after_years),
            "idle.fee_after_years：超过约定开工日期满该年限未动工".into(),
        ),
        (
            "无偿收回年限",
            format!("{}年", r.idle.reclaim_after_years),
            "idle.reclaim_after_years".into(),
        ),
        (
            "停工认定：已建面积比例低于",
            fmt_pct(r.idle.built_share_below),
            "idle.built_share_below".into(),
        ),
        (
            "停工认定：已投资比例低于",
            fmt_pct(r.idle.investment_share_below),
            "idle.investment_share_below".into(),
        ),
        ("停工认定：中止满", format!("{}年", r.idle.stopped_years), "idle.stopped_years".into()),
    ];
    for (a, b, c) in rows {
        t.write_row(&[a.into(), b.into(), c.into()])?;
    }
    t.blank();
    t.header(&heads(&["控制表", "行业", "代码（版本）", "指标", "值", "单位"]))?;
    let pct = t.pct_format();
    for ct in &r.controls {
        let write = |who: String,
                     codes: String,
                     vals: &std::collections::BTreeMap<Indicator, f64>,
                     t: &mut TableWriter|
         -> Result<(), XlsxError> {
            for (ind, v) in vals {
                let cells = [
                    ct.name.clone().into(),
                    who.clone().into(),
                    codes.clone().into(),
                    ind.label().into(),
                    Cell::Num(*v),
                    ind.unit().into(),
                ];
                if ind.is_share() {
                    t.write_row_with(&cells, &[4], &pct)?;
                } else {
                    t.write_row(&cells)?;
                }
            }
            Ok(())
        };
        write("各行业".into(), format!("（GB/T 4754-{}）", ct.edition), &ct.all, &mut t)?;
        for row in &ct.industries {
            write(
                row.name.clone(),
                format!("{}（GB/T 4754-{}）", row.codes.join("、"), ct.edition),
                &row.values,
                &mut t,
            )?;
        }
    }
    t.blank();
    t.header(&heads(&["行业代码对照（GB/T 4754-2017 → 2002）", "2002", ""]))?;
    for (k, v) in &r.code_map {
        t.write_row(&[
            k.clone().into(),
            if v.is_empty() { "（无对应）".into() } else { v.clone().into() },
            Cell::Empty,
        ])?;
    }
    t.blank();
    t.header(&heads(&["规则文件原文", "", ""]))?;
    for (path, text) in &r.texts {
        t.write_row(&[Cell::from(format!("# {}", path.display())), Cell::Empty, Cell::Empty])?;
        for line in text.lines() {
            t.write_row(&[Cell::from(line.to_string()), Cell::Empty, Cell::Empty])?;
        }
    }
    t.ws.set_freeze_panes(1, 0)?;
    t.finish_widths()?;
    Ok(())
}
