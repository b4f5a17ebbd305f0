//! Publishing a command's output set whole or not at all.
//!
//! A run takes an exclusive lock on its output folder ([`LOCK`]), writes every file into a
//! staging folder inside it ([`STAGING`]), flushes each file to disk and writes a manifest
//! (file names, sizes, SHA-256, the digests of the rule files and inputs). Only then is the staging
//! folder renamed to [`READY`], which marks the set complete, and its files are renamed over the
//! previous set of the same command; files of the previous set that the new one lacks are removed.
//! A crash before the mark leaves the previous set untouched and a staging folder that the next
//! run removes; a crash after it is finished by the next run on the folder (the renames are
//! repeated, none of them half-writes a file).
//!
//! Each command keeps its own set and manifest in a folder ([`Kind::manifest`]), so `check` into the
//! folder of `evaluate` replaces only the check workbook.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::zh::io_error;

/// Lock file in the output folder; held (not only present) while a run writes.
pub const LOCK: &str = ".mujun.lock";
/// Folder a run writes into; removed by the next run if the writer died.
pub const STAGING: &str = ".mujun-staging";
/// The staging folder once its set is complete and flushed; moved into place by the next run if
/// the writer died while moving it.
pub const READY: &str = ".mujun-ready";
/// The legacy park folder of `evaluate`: its workbooks are replaced even without a manifest.
const PARK_DIR: &str = "园区";

/// Which command's set: each has its own manifest, so sets of different commands share a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Evaluate,
    Check,
    Land,
    Template,
    Sample,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Evaluate, Kind::Check, Kind::Land, Kind::Template, Kind::Sample];

    /// File name of the set's manifest.
    pub fn manifest(self) -> &'static str {
        match self {
            Kind::Evaluate => "评价输出清单.json",
            Kind::Check => "数据检查输出清单.json",
            Kind::Land => "土地核查输出清单.json",
            Kind::Template => "模板输出清单.json",
            Kind::Sample => "示例数据输出清单.json",
        }
    }
    fn command(self) -> &'static str {
        match self {
            Kind::Evaluate => "evaluate",
            Kind::Check => "check",
            Kind::Land => "land",
            Kind::Template => "template",
            Kind::Sample => "sample",
        }
    }
    fn of_manifest(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.manifest() == name)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("输出目录 {} 正被另一个 mujun 运行使用（已加锁）；请等它结束后再运行，或换一个 --out 目录", .dir.display())]
    Busy { dir: PathBuf },
    #[error("输出目录 {} 中已有文件（{first} 等 {count} 项）；为免覆盖，未写入任何文件。确需覆盖请加 --force，或换一个空目录", .dir.display())]
    NotEmpty { dir: PathBuf, first: String, count: usize },
    #[error("{what} {} 失败：{}；原有结果未改动", .path.display(), io_error(.source))]
    Io { what: &'static str, path: PathBuf, source: io::Error },
    #[error("写出结果时出错（多半是磁盘已满或输出目录无法写入），位置 {}；原有结果未改动", .dir.display())]
    WriterFailed { dir: PathBuf },
    #[error("输出目录中的上次未完成的结果 {} 无法整理：{}", .path.display(), .message)]
    Recover { path: PathBuf, message: String },
}

fn io_err<'p>(what: &'static str, path: &'p Path) -> impl FnOnce(io::Error) -> PublishError + 'p {
    move |source| PublishError::Io { what, path: path.to_path_buf(), source }
}

/// A file's size and SHA-256, for the manifest.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FileDigest {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

impl FileDigest {
    /// Digest of a file on disk (an input or a rule file), named as given.
    pub fn of(path: &Path) -> Result<FileDigest, PublishError> {
        let (bytes, sha256) = hash_file(path, false)?;
        Ok(FileDigest { name: path.display().to_string(), bytes, sha256 })
    }
}

/// What produced a set: the rule files and the inputs (their digests), and the options that
/// matter (for `sample`, the seed).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Sources {
    pub rules: Vec<FileDigest>,
    pub inputs: Vec<FileDigest>,
    pub options: Vec<(String, String)>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Manifest {
    program: String,
    command: String,
    #[serde(default)]
    rules: Vec<FileDigest>,
    #[serde(default)]
    inputs: Vec<FileDigest>,
    #[serde(default)]
    options: Vec<(String, String)>,
    files: Vec<FileDigest>,
}

/// A run's hold on its output folder: the lock and the staging folder to write into.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    kind: Kind,
    _lock: File,
}

impl Staging {
    /// Lock `out` (created if missing), finish or remove what a crashed run left, and make an
    /// empty staging folder.
    pub fn begin(out: &Path, kind: Kind) -> Result<Staging, PublishError> {
        fs::create_dir_all(out).map_err(io_err("创建输出目录", out))?;
        let lock = lock(out)?;
        recover(out)?;
        let dir = out.join(STAGING);
        fs::create_dir(&dir).map_err(io_err("创建暂存目录", &dir))?;
        Ok(Staging { out: out.to_path_buf(), dir, kind, _lock: lock })
    }

    /// As [`Staging::begin`], for generators: refuse a folder that holds anything (beyond
    /// mujun's own lock) unless `force`.
    pub fn begin_fresh(out: &Path, kind: Kind, force: bool) -> Result<Staging, PublishError> {
        if !force {
            refuse_non_empty(out)?;
        }
        Staging::begin(out, kind)
    }

    /// The folder to write the set into.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where a file written into the staging folder will be once published.
    pub fn final_path(&self, staged: &Path) -> PathBuf {
        match staged.strip_prefix(&self.dir) {
            Ok(rel) => self.out.join(rel),
            Err(_) => staged.to_path_buf(),
        }
    }

    /// Run `write` (which writes into [`Staging::dir`]); a panic inside a library writer (as
    /// rust_xlsxwriter's on a full disk) becomes an error, printed in Chinese, not a crash.
    pub fn write<T, E: From<PublishError>>(&self, write: impl FnOnce(&Path) -> Result<T, E>) -> Result<T, E> {
        match crate::guard::quietly(|| write(&self.dir)) {
            Some(r) => r,
            None => Err(PublishError::WriterFailed { dir: self.dir.clone() }.into()),
        }
    }

    /// Flush every staged file, write the manifest, mark the set complete and move it over the
    /// previous set. Returns the published files (final paths, sorted).
    pub fn commit(self, sources: Sources) -> Result<Vec<PathBuf>, PublishError> {
        let mut files = Vec::new();
        collect_files(&self.dir, &self.dir, &mut files)?;
        files.sort();
        let mut digests = Vec::with_capacity(files.len());
        for rel in &files {
            let (bytes, sha256) = hash_file(&self.dir.join(rel), true)?;
            digests.push(FileDigest { name: slash(rel), bytes, sha256 });
        }
        let manifest = Manifest {
            program: format!("mujun {}", env!("CARGO_PKG_VERSION")),
            command: self.kind.command().into(),
            rules: sources.rules,
            inputs: sources.inputs,
            options: sources.options,
            files: digests,
        };
        let path = self.dir.join(self.kind.manifest());
        let text = serde_json::to_string_pretty(&manifest).map_err(|e| io_err("写入输出清单", &path)(io::Error::other(e)))?;
        fs::write(&path, text + "\n").map_err(io_err("写入输出清单", &path))?;
        File::open(&path).and_then(|f| f.sync_all()).map_err(io_err("写入输出清单", &path))?;
        sync_dirs(&self.dir, &files)?;
        let ready = self.out.join(READY);
        fs::rename(&self.dir, &ready).map_err(io_err("标记结果完整", &ready))?;
        sync_dir(&self.out)?;
        apply(&self.out, &ready)?;
        Ok(files.iter().map(|f| self.out.join(f)).collect())
    }
}

impl Drop for Staging {
    /// A run that fails before committing leaves no staging folder behind (a crash does; the
    /// next run removes it).
    fn drop(&mut self) {
        if self.dir.exists() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn lock(out: &Path) -> Result<File, PublishError> {
    let path = out.join(LOCK);
    let file = fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io_err("打开锁文件", &path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(PublishError::Busy { dir: out.to_path_buf() }),
        Err(fs::TryLockError::Error(e)) => Err(io_err("锁定输出目录", out)(e)),
    }
}

fn refuse_non_empty(out: &Path) -> Result<(), PublishError> {
    let Ok(rd) = fs::read_dir(out) else { return Ok(()) };
    let mut names: Vec<String> = rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n != LOCK).collect();
    names.sort();
    match names.first() {
        None => Ok(()),
        Some(first) => Err(PublishError::NotEmpty { dir: out.to_path_buf(), first: first.clone(), count: names.len() }),
    }
}

/// Finish a set that was complete when its writer died, or remove an incomplete one.
fn recover(out: &Path) -> Result<(), PublishError> {
    let ready = out.join(READY);
    if ready.is_dir() {
        apply(out, &ready)?;
    }
    let staging = out.join(STAGING);
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io_err("删除上次未完成的暂存目录", &staging))?;
    }
    Ok(())
}

/// Move the complete set in `ready` over the previous set of its command in `out`; the manifest
/// goes last, so until it moves a repeated call knows the previous set.
fn apply(out: &Path, ready: &Path) -> Result<(), PublishError> {
    let manifest_name = manifest_in(ready)?;
    let new: Manifest = read_manifest(&ready.join(&manifest_name))?
        .ok_or_else(|| PublishError::Recover { path: ready.to_path_buf(), message: "缺少输出清单".into() })?;
    let kind = Kind::of_manifest(&manifest_name);
    let old = read_manifest(&out.join(&manifest_name)).ok().flatten();
    let keep: std::collections::BTreeSet<&str> = new.files.iter().map(|f| f.name.as_str()).collect();
    for stale in stale_files(out, old.as_ref(), kind, &keep) {
        let path = out.join(&stale);
        if path.is_file() {
            fs::remove_file(&path).map_err(io_err("删除上次的旧文件", &path))?;
        }
        remove_empty_parents(out, &path);
    }
    for f in &new.files {
        let (from, to) = (ready.join(&f.name), out.join(&f.name));
        if !from.exists() {
            continue; // moved before the previous writer died
        }
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(io_err("创建输出目录", parent))?;
        }
        fs::rename(&from, &to).map_err(io_err("发布结果文件", &to))?;
    }
    let to = out.join(&manifest_name);
    fs::rename(ready.join(&manifest_name), &to).map_err(io_err("发布输出清单", &to))?;
    let mut dirs: Vec<PathBuf> = new.files.iter().filter_map(|f| out.join(&f.name).parent().map(Path::to_path_buf)).collect();
    dirs.dedup();
    for d in dirs {
        sync_dir(&d)?;
    }
    sync_dir(out)?;
    fs::remove_dir_all(ready).map_err(io_err("删除暂存目录", ready))
}

/// Files of the previous set that the new one lacks: those of its manifest; without a manifest
/// (a folder written before manifests), the park workbooks of `evaluate`.
fn stale_files(out: &Path, old: Option<&Manifest>, kind: Option<Kind>, keep: &std::collections::BTreeSet<&str>) -> Vec<String> {
    let names: Vec<String> = match old {
        Some(m) => m.files.iter().map(|f| f.name.clone()).collect(),
        None if kind == Some(Kind::Evaluate) => {
            let dir = out.join(PARK_DIR);
            let mut v: Vec<String> = fs::read_dir(&dir)
                .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".xlsx")).map(|n| format!("{PARK_DIR}/{n}")).collect())
                .unwrap_or_default();
            v.sort();
            v
        }
        None => Vec::new(),
    };
    // A manifest names files inside the folder only; anything else is not ours to remove.
    names.into_iter().filter(|n| !keep.contains(n.as_str()) && is_inside(n)).collect()
}

fn is_inside(name: &str) -> bool {
    Path::new(name).components().all(|c| matches!(c, std::path::Component::Normal(_)))
}

fn remove_empty_parents(out: &Path, path: &Path) {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == out || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

fn manifest_in(ready: &Path) -> Result<String, PublishError> {
    let rd = fs::read_dir(ready).map_err(io_err("读取暂存目录", ready))?;
    rd.filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| Kind::of_manifest(n).is_some())
        .ok_or_else(|| PublishError::Recover { path: ready.to_path_buf(), message: "缺少输出清单".into() })
}

fn read_manifest(path: &Path) -> Result<Option<Manifest>, PublishError> {
    match fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|_| PublishError::Recover { path: path.to_path_buf(), message: "输出清单内容无法识别".into() }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err("读取输出清单", path)(e)),
    }
}

/// Every file under `dir`, relative to `root`.
fn collect_files(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PublishError> {
    for e in fs::read_dir(dir).map_err(io_err("读取暂存目录", dir))? {
        let path = e.map_err(io_err("读取暂存目录", dir))?.path();
        if path.is_dir() {
            collect_files(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_path_buf());
        }
    }
    Ok(())
}

fn slash(rel: &Path) -> String {
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Size and SHA-256 of a file; with `sync`, flushed to disk first.
fn hash_file(path: &Path, sync: bool) -> Result<(u64, String), PublishError> {
    let mut f = File::open(path).map_err(io_err("读取文件", path))?;
    if sync {
        f.sync_all().map_err(io_err("写入磁盘", path))?;
    }
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(io_err("读取文件", path))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((bytes, h.finalize().iter().map(|b| format!("{b:02x}")).collect()))
}

fn sync_dirs(root: &Path, files: &[PathBuf]) -> Result<(), PublishError> {
    let mut dirs: Vec<PathBuf> = files.iter().filter_map(|f| root.join(f).parent().map(Path::to_path_buf)).collect();
    dirs.push(root.to_path_buf());
    dirs.sort();
    dirs.dedup();
    dirs.iter().try_for_each(|d| sync_dir(d))
}

/// Flush a folder's entries (new names) to disk; a no-op where folders cannot be opened.
fn sync_dir(dir: &Path) -> Result<(), PublishError> {
    #[cfg(unix)]
    File::open(dir).and_then(|f| f.sync_all()).map_err(io_err("写入磁盘", dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
