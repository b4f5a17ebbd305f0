//! Chinese text for the errors of the libraries mujun calls (std's I/O, rust_xlsxwriter), so that
//! no English library message reaches the user. Each function names the cause as a bureau's
//! staff would understand it and, where it helps, what to do.

use std::io::ErrorKind;

use rust_xlsxwriter::XlsxError;

/// An I/O error in Chinese, by its kind (the OS text is English and is left out).
pub fn io_error(e: &std::io::Error) -> String {
    // Windows' sharing and lock violations: a file open in another program (Excel).
    if cfg!(windows) && matches!(e.raw_os_error(), Some(32 | 33)) {
        return "文件正被其他程序（如 Excel）打开".into();
    }
    let text = match e.kind() {
        ErrorKind::NotFound => "文件或目录不存在",
        ErrorKind::PermissionDenied => "没有访问权限",
        ErrorKind::AlreadyExists => "同名文件或目录已存在",
        ErrorKind::StorageFull => "磁盘空间不足",
        ErrorKind::FileTooLarge => "文件超过系统允许的大小",
        ErrorKind::ReadOnlyFilesystem => "磁盘为只读",
        ErrorKind::NotADirectory => "路径中有一段不是目录",
        ErrorKind::IsADirectory => "这是一个目录，不是文件",
        ErrorKind::DirectoryNotEmpty => "目录不是空的",
        ErrorKind::InvalidFilename => "文件名无效或过长",
        ErrorKind::InvalidData | ErrorKind::UnexpectedEof => "文件内容不完整或已损坏",
        ErrorKind::Interrupted => "操作被中断",
        ErrorKind::OutOfMemory => "内存不足",
        ErrorKind::BrokenPipe => "输出管道已关闭",
        ErrorKind::ResourceBusy | ErrorKind::WouldBlock => "文件正被其他程序占用",
        ErrorKind::CrossesDevices => "不能跨磁盘移动文件",
        ErrorKind::QuotaExceeded => "磁盘配额已用完",
        _ => {
            return format!(
                "系统输入输出错误（错误号 {}）",
                e.raw_os_error().map_or("未知".to_string(), |n| n.to_string())
            )
        }
    };
    text.to_string()
}

/// Why a text file (a rule file) cannot be read: not UTF-8, or an I/O error.
pub fn text_file_error(e: &std::io::Error) -> String {
    match e.kind() {
        ErrorKind::InvalidData => "文件不是 UTF-8 编码的文本（请用文本编辑器另存为 UTF-8）".into(),
        _ => io_error(e),
    }
}

/// A rust_xlsxwriter error in Chinese. Disk errors say which; limits of the xlsx format say
/// which limit; anything else is named as an internal error of the workbook writer.
pub fn xlsx_error(e: &XlsxError) -> String {
    match e {
        XlsxError::IoError(io) => io_error(io),
        XlsxError::TempFileError(dir, io) => {
            format!("无法在 {} 中建立临时文件：{}", dir.display(), io_error(io))
        }
        XlsxError::ZipError(_) => "压缩工作簿时出错（可能是磁盘已满或无法写入）".into(),
        XlsxError::MaxStringLengthExceeded => "单元格文字超过 Excel 的上限（32,767 个字符）".into(),
        XlsxError::MaxUrlLengthExceeded => "链接超过 Excel 的长度上限".into(),
        XlsxError::RowColumnLimitError => "行号或列号超过 Excel 的上限".into(),
        XlsxError::SheetnameLengthExceeded(m) => {
            format!("工作表名{}超过 31 个字符", quoted_sheet(m))
        }
        XlsxError::SheetnameReused(name) => format!("工作表名「{name}」重复"),
        XlsxError::SheetnameCannotBeBlank(_) => "工作表名不能为空".into(),
        XlsxError::SheetnameContainsInvalidCharacter(m) => {
            format!("工作表名{}含有 Excel 不允许的字符", quoted_sheet(m))
        }
        XlsxError::SheetnameStartsOrEndsWithApostrophe(m) => {
            format!("工作表名{}不能以单引号开头或结尾", quoted_sheet(m))
        }
        XlsxError::DateTimeRangeError(_) | XlsxError::DateTimeParseError(_) => {
            "日期超出 Excel 能表示的范围".into()
        }
        _ => "工作簿生成程序内部错误".into(),
    }
}

/// The sheet name inside rust_xlsxwriter's (English) message for a bad name — it passes a message
/// such as `worksheet.set_name("名称")` or `Invalid Excel worksheet name '名称'`, not the name —
/// as 「名称」; empty when the message has no quoted name, so no English reaches the user.
fn quoted_sheet(message: &str) -> String {
    let inner = match message.split_once("(\"") {
        Some((_, rest)) => rest.rsplit_once("\")").map(|(n, _)| n),
        None => {
            message.split_once('\'').and_then(|(_, rest)| rest.rsplit_once('\'')).map(|(n, _)| n)
        }
    };
    inner.map(|n| format!("「{n}」")).unwrap_or_default()
}

/// Why a workbook cannot be read, in Chinese, from calamine's (English) error text. The English
/// text itself is left out: only its kind is named.
pub fn workbook_error(raw: &str) -> String {
    let lower = raw.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    let why = if has(&["password", "encrypt"]) {
        return "工作簿受密码保护，无法读取，请另存为无密码文件后重试".into();
    } else if has(&["zip", "eocd", "deflate", "compress"]) {
        "文件不是完整的 Excel 工作簿（压缩包损坏或不完整）"
    } else if has(&[
        "xml",
        "utf-8",
        "utf8",
        "syntax",
        "ill-formed",
        "unexpected",
        "expecting",
        "attribute",
        "tag",
        "eof",
    ]) {
        "工作簿内部的 XML 内容已损坏"
    } else if has(&["not found", "relationship", "missing"]) {
        "工作簿缺少必需的组成部分（文件不完整或不是 Excel 生成的）"
    } else if has(&["cell", "index", "boolean", "range", "dimension", "number", "float", "int"]) {
        "工作表中有无法识别的单元格（内容损坏）"
    } else if has(&["cfb", "ole", "biff", "xls"]) {
        "旧版 Excel（.xls）文件内容已损坏"
    } else {
        "文件格式无法识别"
    };
    format!("无法读取工作簿：{why}；请在 Excel 中打开并另存为 .xlsx 后重试")
}

/// Why a CSV file cannot be read, in Chinese, from polars' error text.
pub fn csv_error(raw: &str) -> String {
    let lower = raw.to_ascii_lowercase();
    let why = if lower.contains("quote") || lower.contains("malformed") {
        "引号不成对或某行格式不对"
    } else if lower.contains("utf") || lower.contains("encoding") {
        "编码无法识别（请另存为 UTF-8 或 GBK 编码的 CSV）"
    } else {
        "内容无法按 CSV 表格解析"
    };
    format!("无法读取 CSV 文件：{why}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_errors_read_in_chinese() {
        let full = std::io::Error::from_raw_os_error(28); // ENOSPC
        assert_eq!(io_error(&full), "磁盘空间不足");
        let other = std::io::Error::from_raw_os_error(5); // EIO
        assert_eq!(io_error(&other), "系统输入输出错误（错误号 5）");
        assert_eq!(xlsx_error(&XlsxError::IoError(full)), "磁盘空间不足");
        assert_eq!(xlsx_error(&XlsxError::SheetnameReused("汇总".into())), "工作表名「汇总」重复");
        // The library's own message, as `Worksheet::set_name` and `check_sheet_name` make it.
        let long = XlsxError::SheetnameLengthExceeded(r#"worksheet.set_name("很长的名字")"#.into());
        assert_eq!(xlsx_error(&long), "工作表名「很长的名字」超过 31 个字符");
        let bad = XlsxError::SheetnameContainsInvalidCharacter(
            "Invalid Excel worksheet name 'a/b'".into(),
        );
        assert_eq!(xlsx_error(&bad), "工作表名「a/b」含有 Excel 不允许的字符");
        let plain = XlsxError::SheetnameStartsOrEndsWithApostrophe("no name here".into());
        assert_eq!(xlsx_error(&plain), "工作表名不能以单引号开头或结尾");
        let zip = workbook_error("Xlsx error: Zip error: invalid Zip archive: Could not find EOCD");
        assert!(zip.contains("压缩包损坏") && !zip.contains("EOCD"), "{zip}");
        let xml = workbook_error(
            "Xml error: ill-formed document: close tag `</worksheet>` does not match",
        );
        assert!(xml.contains("XML 内容已损坏"), "{xml}");
        assert!(workbook_error("Cell string index 99 out of range").contains("单元格"));
        assert!(workbook_error("Workbook is password protected").contains("密码"));
        assert!(csv_error("CSV malformed: expected 3 fields").contains("引号不成对"));
    }
}
