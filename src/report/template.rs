//! Blank input workbooks (`mujun template`): standard headers with units, frozen header, widths
//! right for Chinese text, drop-downs for coded columns, and a 填表说明 sheet.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DataValidation, Workbook};

use crate::ingest::schema::{standard_unit, ColumnType, TableKind};
use crate::sheet::table::{text_width, Formats};
use crate::sheet::{self, Book, BookError, SheetError};

/// Rows that carry drop-downs.
const ROWS: u32 = 5000;

fn header_text(spec: &crate::ingest::schema::ColumnSpec) -> String {
    match spec.ty {
        ColumnType::Number(q) | ColumnType::SignedNumber(q) => {
            format!("{}({})", spec.header, standard_unit(q))
        }
        _ => spec.header.to_string(),
    }
}

fn note(kind: TableKind) -> &'static str {
    match kind {
        TableKind::Register => "每家企业一行。企业规模填“规上”或“规下”（评价年度12月31日统计名录口径）；行业代码填GB/T 4754-2017代码（2至4位）；日期写成2024-01-05。",
        TableKind::Land => "每宗地、每种用地方式一行。用地方式：自有、承租、出租；承租、出租填对方统一社会信用代码。面积可用亩、平方米或公顷（改表头括号内单位即可）。",
        TableKind::Tax => "每家企业每个税种一行（实缴入库数，扣除退税）。金额可用万元或元（改表头括号内单位即可）。稽查查补和一次性税收按规则剔除。",
        TableKind::Output => "每家企业一行（统计部门数据）。无数据留空，不要填0。",
        TableKind::Energy => "每家企业一行。综合能耗为等价值；用电量可用万千瓦时或千瓦时。污染物无数据留空。",
        TableKind::Events => "每个事项一行。事项名称须与规则文件中的事项一致。",
        TableKind::Adjust => "人工调档：每家企业一行，调整后等级填A、B、C、D等，理由必填。",
    }
}

/// What a template's sheets are written from: its table, and the events of the 事项 drop-down.
struct Template<'e> {
    kind: TableKind,
    events: &'e [String],
}

type TemplateSheetFn = fn(&Template, &mut Workbook, &Formats) -> Result<(), SheetError>;

/// Name of the instructions sheet of every template.
const HELP: &str = "填表说明";

/// Write one blank workbook per input table into `out`; `events` fills the 事项 drop-down.
pub fn write_templates(
    out: &Path,
    events: &[String],
    year: i32,
) -> Result<Vec<PathBuf>, BookError> {
    sheet::create_dir(out)?;
    let mut written = Vec::new();
    for kind in TableKind::ALL {
        let path = out.join(format!("{}.xlsx", kind.name()));
        let book = Book { path: &path, title: kind.name(), year };
        let sheets: [(&str, TemplateSheetFn); 2] = [(kind.name(), table_sheet), (HELP, help_sheet)];
        let template = Template { kind, events };
        sheet::write_book(&book, &sheets, |f, wb, fmt| f(&template, wb, fmt))?;
        written.push(path);
    }
    Ok(written)
}

/// The table's sheet: its headers with units, drop-downs for coded columns, text format for
/// credit codes.
fn table_sheet(t: &Template, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let (kind, events) = (t.kind, t.events);
    let ws = wb.add_worksheet();
    ws.set_name(kind.name())?;
    for (c, spec) in kind.columns().iter().enumerate() {
        let h = header_text(spec);
        let col = c as u16;
        ws.write_string_with_format(0, col, &h, &fmt.header)?;
        ws.set_column_width(
            col,
            (text_width(&h).max(if spec.key == "code" { 20 } else { 10 }) + 2) as f64,
        )?;
        let list: Option<Vec<String>> = match spec.key {
            "scale" => Some(vec!["规上".into(), "规下".into()]),
            "land_use" => Some(vec!["自有".into(), "承租".into(), "出租".into()]),
            "tax_type" => {
                Some(crate::ingest::wide::TAX_TYPES.iter().map(|s| s.to_string()).collect())
            }
            "event" if !events.is_empty() => Some(events.to_vec()),
            "adj_tier" => Some(vec!["A".into(), "B".into(), "C".into(), "D".into()]),
            _ => None,
        };
        if let Some(list) = list {
            // Excel limits an inline list to 255 characters; longer lists get no drop-down.
            if let Ok(dv) = DataValidation::new().allow_list_strings(&list) {
                ws.add_data_validation(1, col, ROWS, col, &dv)?;
            }
        }
        if let ColumnType::Code = spec.ty {
            ws.set_column_format(col, &rust_xlsxwriter::Format::new().set_num_format("@"))?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// 填表说明: what the table holds and what each column requires.
fn help_sheet(t: &Template, wb: &mut Workbook, fmt: &Formats) -> Result<(), SheetError> {
    let kind = t.kind;
    let help = wb.add_worksheet();
    help.set_name(HELP)?;
    help.set_column_width(0, 24)?;
    help.set_column_width(1, 90)?;
    help.write_string_with_format(0, 0, format!("{}表 填表说明", kind.name()), &fmt.title)?;
    help.write_string(1, 0, "说明")?;
    help.write_string(1, 1, note(kind))?;
    help.write_string_with_format(3, 0, "列", &fmt.header)?;
    help.write_string_with_format(3, 1, "要求", &fmt.header)?;
    for (i, spec) in kind.columns().iter().enumerate() {
        let r = 4 + i as u32;
        help.write_string(r, 0, header_text(spec))?;
        let mut req = if spec.required { "必填".to_string() } else { "可空".to_string() };
        if !spec.aliases.is_empty() {
            req += &format!("；也可写作：{}", spec.aliases.join("、"));
        }
        if let ColumnType::Code = spec.ty {
            req += "；18位，末位为校验码（GB 32100-2015）";
        }
        help.write_string(r, 1, &req)?;
    }
    Ok(())
}
