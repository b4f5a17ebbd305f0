//! Chinese text for the errors of the libraries mujun calls (std's I/O, rust_xlsxwriter), so that
//! no English library message reaches the user. Each function names the cause as a bureau's
//! staff would understand it and, where it helps, what to do.

use std::io::ErrorKind;

use rust_xlsxwriter::XlsxError;

/// An I/O error in Chinese, by its kind (the OS text is English and is left out).
pub fn io_error(e: &std::io::Error) -> String {
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
        _ => return format!("系统输入输出错误（错误号 {}）", e.raw_os_error().map_or("未知".to_string(), |n| n.to_string())),
    };
    text.to_string()
}

/// A rust_xlsxwriter error in Chinese. Disk errors say which; limits of the xlsx format say
/// which limit; anything else is named as an internal error of the workbook writer.
pub fn xlsx_error(e: &XlsxError) -> String {
    match e {
        XlsxError::IoError(io) => io_error(io),
        XlsxError::TempFileError(dir, io) => format!("无法在 {} 中建立临时文件：{}", dir.display(), io_error(io)),
        XlsxError::ZipError(_) => "压缩工作簿时出错（可能是磁盘已满或无法写入）".into(),
        XlsxError::MaxStringLengthExceeded => "单元格文字超过 Excel 的上限（32,767 个字符）".into(),
        XlsxError::MaxUrlLengthExceeded => "链接超过 Excel 的长度上限".into(),
        XlsxError::RowColumnLimitError => "行号或列号超过 Excel 的上限".into(),
        XlsxError::SheetnameLengthExceeded(name) => format!("工作表名「{name}」超过 31 个字符"),
        XlsxError::SheetnameReused(name) => format!("工作表名「{name}」重复"),
        XlsxError::SheetnameCannotBeBlank(_) => "工作表名不能为空".into(),
        XlsxError::SheetnameContainsInvalidCharacter(name) => format!("工作表名「{name}」含有 Excel 不允许的字符"),
        XlsxError::SheetnameStartsOrEndsWithApostrophe(name) => format!("工作表名「{name}」不能以单引号开头或结尾"),
        XlsxError::DateTimeRangeError(_) | XlsxError::DateTimeParseError(_) => "日期超出 Excel 能表示的范围".into(),
        _ => "工作簿生成程序内部错误".into(),
    }
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
    }
}
