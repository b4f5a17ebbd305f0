//! 复核对比: the comparison of two runs as a sheet — the summary per cause (reconciled with the
//! listed firms), then one row per listed firm with its standing in both runs and each cause.

use rust_xlsxwriter::Workbook;

use crate::review::diff::{
    self, Base, Cause, Change, Diff, DiffError, Moved, Side, Standing, CAUSE_NAMES,
};
use crate::sheet::table::{Cell, Formats, TableWriter};
use crate::sheet::SheetError;

/// The sheet's name.
pub const NAME: &str = "复核对比";
/// The correction layer's sheet.
pub const CORRECTIONS: &str = "更正记录";

/// Two runs compared, with what they are called in the sheet's title ("第 1 号评价" …).
#[derive(Debug, Clone)]
pub struct Compared {
    /// The runs' names, earlier first.
    pub runs: (String, String),
    /// The comparison.
    pub diff: Diff,
}

/// This run (its results CSV just written at `csv`) compared with the run it corrects.
pub fn against(base: Base, csv: &std::path::Path) -> Result<Compared, DiffError> {
    let this = "本次复核评价";
    let bytes = std::fs::read(csv).map_err(|e| DiffError::Read {
        path: csv.display().to_string(),
        detail: crate::zh::io_error(&e),
    })?;
    let diff = diff::compare(&base.side, &Side::read(this, &bytes)?, &base.labels);
    Ok(Compared { runs: (base.name, this.to_string()), diff })
}

/// "old → new" of each moved field, joined.
pub fn moves(ms: &[Moved]) -> String {
    ms.iter()
        .map(|m| format!("{} {} → {}", m.what, blank(&m.old), blank(&m.new)))
        .collect::<Vec<_>>()
        .join("；")
}

/// A field as shown: "（空）" when blank, a number with at most four decimals.
fn blank(s: &str) -> String {
    if s.is_empty() {
        "（空）".into()
    } else {
        short(s)
    }
}

/// A number written as text shown with at most four decimals, trailing zeros dropped; other
/// text as it is (the workbench's pages show stored numbers this way too).
pub fn short(text: &str) -> String {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => {
            let s = format!("{v:.4}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s == "-0" {
                "0".into()
            } else {
                s.into()
            }
        }
        _ => text.to_string(),
    }
}

/// One cause as a sentence.
pub fn explain(c: &Cause) -> String {
    let with_items = |head: String, items: &[Moved]| {
        if items.is_empty() {
            head
        } else {
            format!("{head}；指标得分：{}", moves(items))
        }
    };
    match c {
        Cause::OwnData { fields, items } => with_items(moves(fields), items),
        Cause::Benchmark { benchmarks, items } => {
            with_items(format!("基准值：{}", moves(benchmarks)), items)
        }
        Cause::Boundary { rank, population, crossed } => format!(
            "总分未变，名次 {} → {}，排名人数 {} → {}{}",
            rank.old,
            rank.new,
            population.old,
            population.new,
            if *crossed { "，越过分档线" } else { "" }
        ),
        Cause::Events(ms) => moves(ms),
        Cause::Entry { entered: true, reason } => format!("新进入评价（原评价：{reason}）"),
        Cause::Entry { entered: false, reason } => format!("退出评价（新评价：{reason}）"),
        Cause::Other => "总分变化，结果文件中的数据未能说明原因".into(),
    }
}

/// The summary lines: (label, firms), the listed total first, then per cause, then per number
/// of causes — what the CLI prints and the sheet shows.
pub fn summary(d: &Diff) -> Vec<(String, usize)> {
    let mut out = vec![
        ("参评企业（任一次评价）".to_string(), d.compared),
        ("总分、名次或等级有变化".to_string(), d.changes.len()),
    ];
    for (i, n) in d.per_cause().iter().enumerate() {
        out.push((format!("（{}）{}", i + 1, CAUSE_NAMES[i]), *n));
    }
    for (k, n) in d.by_cause_count() {
        out.push((format!("有 {k} 个原因的企业"), n));
    }
    out
}

fn standing_cells(s: &Option<Standing>) -> [Cell<'static>; 3] {
    match s {
        Some(s) => [
            s.total.parse::<f64>().map(Cell::Num).unwrap_or(Cell::Empty),
            format!("{}/{}", s.rank, s.population).into(),
            s.tier.clone().into(),
        ],
        None => ["".into(), "".into(), "未参评".into()],
    }
}

fn row(c: &Change) -> Vec<Cell<'static>> {
    let mut r: Vec<Cell> = vec![
        c.code.clone().into(),
        c.name.clone().into(),
        c.park.clone().into(),
        c.group.clone().into(),
    ];
    let (b, a) = (standing_cells(&c.before), standing_cells(&c.after));
    for (x, y) in b.into_iter().zip(a) {
        r.push(x);
        r.push(y);
    }
    let names: Vec<&str> = c.causes.iter().map(|k| CAUSE_NAMES[k.number() - 1]).collect();
    r.push(names.join("、").into());
    r.push(c.causes.iter().map(explain).collect::<Vec<_>>().join("\n").into());
    r
}

/// Write the sheet into `wb`.
pub fn write(c: &Compared, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let ws = wb.add_worksheet();
    ws.set_name(NAME)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    t.title(&format!("复核对比：{} → {}", c.runs.0, c.runs.1))?;
    for (label, n) in summary(&c.diff) {
        t.write_row(&[label.into(), n.into()])?;
    }
    t.blank();
    let head = [
        "统一社会信用代码",
        "企业名称",
        "园区",
        "评价组",
        "原总分",
        "新总分",
        "原名次/人数",
        "新名次/人数",
        "原等级",
        "新等级",
        "变化原因",
        "说明",
    ];
    t.header(&head.map(String::from))?;
    for ch in &c.diff.changes {
        t.write_row(&row(ch))?;
    }
    t.finish_widths()?;
    Ok(())
}

/// 更正记录: each accepted correction laid over the inputs, the value read from the file against
/// the corrected one, with who recorded it, when and why it was accepted; no sheet when none.
pub fn write_corrections(
    list: &[crate::review::corrections::Applied],
    wb: &mut Workbook,
    fmt: &Formats,
) -> Result<(), SheetError> {
    if list.is_empty() {
        return Ok(());
    }
    let ws = wb.add_worksheet();
    ws.set_name(CORRECTIONS)?;
    let mut t = TableWriter::new(ws, fmt, 0);
    let head = [
        "异议编号",
        "统一社会信用代码",
        "表",
        "字段",
        "对应行",
        "原值（输入文件）",
        "更正值",
        "记录人",
        "记录时间",
        "采纳理由",
    ];
    t.header(&head.map(String::from))?;
    for c in list {
        t.write_row(&[
            Cell::Int(c.objection),
            c.code.clone().into(),
            c.table.clone().into(),
            c.field.clone().into(),
            c.row_key.clone().unwrap_or_default().into(),
            blank(&c.old).into(),
            c.new.clone().into(),
            c.who.clone().into(),
            c.when.clone().into(),
            c.why.clone().into(),
        ])?;
    }
    t.finish_widths()?;
    Ok(())
}
