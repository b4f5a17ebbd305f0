//! Uploads: a multipart request read file by file under the limits ([`Limits`]), each file's
//! type checked by its name and its content (a zip for .xlsx/.ods, an OLE container for .xls,
//! text for .csv and .toml), an xlsx/ods zip's directory checked against the zip-bomb limits
//! before anything parses it, and the file kept by its SHA-256 under the store's folder
//! (`mujun-uploads/<sha256>`). The name the browser sent is never a path: it is kept, cleaned,
//! only to be shown.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use axum::extract::multipart::{Field, MultipartError};
use axum::extract::Multipart;
use sha2::{Digest, Sha256};

use super::{Limits, WebError};

/// The data files an evaluation takes.
pub const DATA_EXTS: &[&str] = &["xlsx", "xls", "ods", "csv"];
/// A rule file.
pub const RULE_EXTS: &[&str] = &["toml"];

/// One file received and kept.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The name as sent, cleaned for showing (no folders, no control characters).
    pub name: String,
    /// Its extension, lower case.
    pub ext: String,
    /// SHA-256 of its bytes, lower-case hex: its file name under `mujun-uploads/`.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
}

/// What a multipart request held: its files (kept) and its other fields.
#[derive(Debug, Default)]
pub struct Received {
    /// The files, in the order sent.
    pub files: Vec<Upload>,
    /// The text fields (name, value).
    pub fields: Vec<(String, String)>,
}

/// The folder uploads are kept in, beside the store.
pub fn uploads_dir(store: &Path) -> PathBuf {
    beside(store, "mujun-uploads")
}

/// `name` in the store's folder.
pub fn beside(store: &Path, name: &str) -> PathBuf {
    match store.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join(name),
        _ => PathBuf::from(name),
    }
}

/// The kept upload with digest `sha256` (a digest this module made: 64 hex digits).
pub fn kept(store: &Path, sha256: &str) -> Option<PathBuf> {
    let ok = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| uploads_dir(store).join(sha256))
}

/// The name a browser sent, for showing: its last path component, without control characters
/// or leading dots, at most 120 characters (the extension kept); 未命名 when nothing is left.
pub fn display_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim().trim_start_matches('.').trim();
    if clean.is_empty() {
        return "未命名".into();
    }
    if clean.chars().count() <= 120 {
        return clean.to_string();
    }
    let ext = extension(clean);
    let stem: String = clean.chars().take(100).collect();
    if ext.is_empty() {
        stem
    } else {
        format!("{stem}….{ext}")
    }
}

/// A name's extension, lower case ("" when none).
pub fn extension(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// Read the request's fields; at most `room` files, each of a type in `exts`, within `limits`.
/// A refused upload is read to its end before the refusal, so that it reaches the client.
pub async fn receive(
    mut mp: Multipart,
    store: &Path,
    limits: Limits,
    room: usize,
    exts: &[&str],
) -> Result<Received, WebError> {
    let got = receive_all(&mut mp, store, limits, room, exts).await;
    if got.is_err() {
        drain_rest(&mut mp).await;
    }
    got
}

async fn receive_all(
    mp: &mut Multipart,
    store: &Path,
    limits: Limits,
    room: usize,
    exts: &[&str],
) -> Result<Received, WebError> {
    let dir = uploads_dir(store);
    std::fs::create_dir_all(&dir)
        .map_err(|e| WebError::Internal(format!("无法建立上传目录：{e}")))?;
    let mut got = Received::default();
    while let Some(field) = mp.next_field().await.map_err(|e| refused(&e, limits))? {
        let Some(raw) = field.file_name().map(str::to_string) else {
            let key = field.name().unwrap_or("").to_string();
            let value = field.text().await.map_err(|e| refused(&e, limits))?;
            got.fields.push((key, value));
            continue;
        };
        if raw.is_empty() {
            continue; // a file input left empty
        }
        if got.files.len() >= room {
            return Err(WebError::TooLarge(format!(
                "一次评价最多上传 {} 个文件（可用 --max-files 调整）",
                limits.files
            )));
        }
        got.files.push(one_file(field, &raw, &dir, limits, exts).await?);
    }
    Ok(got)
}

fn refused(e: &MultipartError, limits: Limits) -> WebError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        WebError::TooLarge(format!(
            "上传内容超过上限（单个文件 {} MB；请一次上传一个文件）",
            limits.file_mb
        ))
    } else {
        WebError::BadRequest("上传的内容不完整或格式不对，请重新上传".into())
    }
}

/// Receive one file into the uploads folder: streamed to a temporary file (counted and hashed
/// as it comes), checked, then renamed to its digest.
async fn one_file(
    mut field: Field<'_>,
    raw: &str,
    dir: &Path,
    limits: Limits,
    exts: &[&str],
) -> Result<Upload, WebError> {
    let name = display_name(raw);
    let ext = extension(&name);
    if !exts.contains(&ext.as_str()) {
        let list: Vec<String> = exts.iter().map(|e| format!(".{e}")).collect();
        return Err(WebError::Unsupported(format!(
            "文件「{name}」的类型不受支持：只接受 {} 文件",
            list.join("、")
        )));
    }
    let max = limits.file_mb.saturating_mul(1024 * 1024);
    let temp = Temp(dir.join(temp_name(".incoming")));
    let io = |e: std::io::Error| WebError::Internal(format!("保存上传文件失败：{e}"));
    let mut out = std::fs::File::create(&temp.0).map_err(io)?;
    let (mut hash, mut bytes) = (Sha256::new(), 0u64);
    while let Some(chunk) = field.chunk().await.map_err(|e| refused(&e, limits))? {
        bytes += chunk.len() as u64;
        if bytes > max {
            return Err(WebError::TooLarge(format!(
                "文件「{name}」超过单个文件 {} MB 的上限",
                limits.file_mb
            )));
        }
        hash.update(&chunk);
        tokio::task::block_in_place(|| out.write_all(&chunk)).map_err(io)?;
    }
    tokio::task::block_in_place(|| out.sync_all()).map_err(io)?;
    drop(out);
    let sha256: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let path = temp.0.clone();
    let (n, e) = (name.clone(), ext.clone());
    match tokio::task::spawn_blocking(move || content_matches(&path, &n, &e, limits)).await {
        Ok(checked) => checked?,
        Err(_) => return Err(WebError::Internal("后台任务意外中止".into())),
    }
    let target = dir.join(&sha256);
    if !target.exists() {
        std::fs::rename(&temp.0, &target).map_err(io)?;
    }
    Ok(Upload { name, ext, sha256, bytes })
}

/// A name for a temporary file of this process, never the same twice.
pub fn temp_name(prefix: &str) -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{prefix}-{}-{n}", std::process::id())
}

/// A temporary file removed when dropped (after a rename there is nothing to remove).
struct Temp(PathBuf);

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Refused unless the content is what the extension says (and a zip within the limits).
fn content_matches(path: &Path, name: &str, ext: &str, limits: Limits) -> Result<(), WebError> {
    let mut head = Vec::with_capacity(8192);
    let f = std::fs::File::open(path).map_err(|e| WebError::Internal(e.to_string()))?;
    f.take(8192).read_to_end(&mut head).map_err(|e| WebError::Internal(e.to_string()))?;
    let wrong = |what: &str| {
        WebError::Unsupported(format!("文件「{name}」的内容不是{what}，与扩展名 .{ext} 不符"))
    };
    match ext {
        "xlsx" | "ods" if !head.starts_with(ZIP) => Err(wrong("该类型的工作簿（zip 格式）")),
        "xlsx" | "ods" => zip_within(path, name, limits),
        "xls" if !head.starts_with(OLE) => Err(wrong("Excel 97-2003 工作簿")),
        "csv" | "toml" if head.starts_with(ZIP) || head.starts_with(OLE) || head.contains(&0) => {
            Err(wrong("文本"))
        }
        _ => Ok(()),
    }
}

/// A workbook's zip directory within the limits: the members' unpacked sizes summed, and each
/// member's unpacked size over its packed size. Read before any parsing.
fn zip_within(path: &Path, name: &str, limits: Limits) -> Result<(), WebError> {
    let f = std::fs::File::open(path).map_err(|e| WebError::Internal(e.to_string()))?;
    let broken =
        || WebError::BadRequest(format!("文件「{name}」不是完整的工作簿（zip 目录无法读取）"));
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(f)).map_err(|_| broken())?;
    let max = limits.unpacked_mb.saturating_mul(1024 * 1024);
    let mut total = 0u64;
    for i in 0..zip.len() {
        let m = zip.by_index_raw(i).map_err(|_| broken())?;
        let (size, packed) = (m.size(), m.compressed_size());
        total = total.saturating_add(size);
        if size > packed.max(1).saturating_mul(limits.ratio) {
            return Err(WebError::TooLarge(format!(
                "文件「{name}」疑似压缩炸弹：其中「{}」解压后 {size} 字节，是压缩后 {packed} 字节的 {} 倍以上（上限 {} 倍）",
                display_name(&m.name().unwrap_or_default()),
                size / packed.max(1),
                limits.ratio
            )));
        }
        if total > max {
            return Err(WebError::TooLarge(format!(
                "文件「{name}」解压后超过 {} MB 的上限，疑似压缩炸弹",
                limits.unpacked_mb
            )));
        }
    }
    Ok(())
}

/// Put copies of the kept uploads `files` (name as shown, digest) into `dir` (emptied first),
/// each under a file name made from its shown name (only letters, digits and `-_.()（）`;
/// numbered when two would be the same) — the name `ingest` recognises a table by. The paths.
pub fn materialize(
    store: &Path,
    dir: &Path,
    files: &[(String, String)],
) -> Result<Vec<PathBuf>, WebError> {
    let io = |e: std::io::Error| WebError::Internal(format!("准备文件失败：{e}"));
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut used = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (i, (name, sha)) in files.iter().enumerate() {
        let from =
            kept(store, sha).ok_or_else(|| WebError::BadRequest("上传文件记录无效".into()))?;
        let mut file = safe_name(name);
        if !used.insert(file.clone()) {
            file = format!("{}-{file}", i + 1);
            used.insert(file.clone());
        }
        let to = dir.join(&file);
        // A link where the file system allows (nothing writes to either), else a copy.
        std::fs::hard_link(&from, &to)
            .or_else(|_| std::fs::copy(&from, &to).map(|_| ()))
            .map_err(io)?;
        out.push(to);
    }
    Ok(out)
}

/// A shown name as a file name: anything but letters, digits and `-_.()（）` becomes `_`.
pub fn safe_name(name: &str) -> String {
    let keep = |c: char| c.is_alphanumeric() || "-_.()（）".contains(c);
    let s: String = name.chars().map(|c| if keep(c) { c } else { '_' }).collect();
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() {
        "_".into()
    } else {
        s
    }
}

/// How much of a refused request's body [`drain_body`] reads before the refusal is sent.
const DRAIN_LIMIT: usize = 128 * 1024 * 1024;

/// A refused request's body read to its end (up to [`DRAIN_LIMIT`]), so that a client still
/// sending it reads the refusal instead of a broken connection.
pub async fn drain_body(body: axum::body::Body) {
    let _ = axum::body::to_bytes(body, DRAIN_LIMIT).await;
}

/// An upload refused before it is read (the user may not do this), read to its end first, so
/// that the refusal reaches a client still sending; bounded by the router's body limit.
pub async fn drain(mut form: axum::extract::Multipart) {
    drain_rest(&mut form).await;
}

/// The rest of an upload refused part way, read to its end (see [`drain`]).
pub async fn drain_rest(form: &mut axum::extract::Multipart) {
    while let Ok(Some(mut field)) = form.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sent_name_loses_its_folders_and_control_characters() {
        assert_eq!(display_name("../../etc/passwd.xlsx"), "passwd.xlsx");
        assert_eq!(display_name("C:\\数据\\企业名录.csv"), "企业名录.csv");
        assert_eq!(display_name("..\u{0}\n.hidden.csv"), "hidden.csv");
        assert_eq!(display_name("<script>.csv"), "<script>.csv");
        assert_eq!(display_name("../"), "未命名");
        assert_eq!(extension("企业名录.CSV"), "csv");
        assert_eq!(extension(".csv"), "");
    }

    #[test]
    fn a_file_name_keeps_chinese_letters_and_loses_anything_else() {
        assert_eq!(safe_name("企业名录（2025）.csv"), "企业名录（2025）.csv");
        assert_eq!(safe_name("<script>.csv"), "_script_.csv");
        assert_eq!(safe_name("..a b.csv"), "a_b.csv");
    }

    #[test]
    fn only_a_digest_names_a_kept_upload() {
        let store = Path::new("/data/mujun.db");
        assert_eq!(kept(store, "../mujun.db"), None);
        let sha = "a".repeat(64);
        assert_eq!(kept(store, &sha), Some(PathBuf::from("/data/mujun-uploads").join(&sha)));
    }
}
