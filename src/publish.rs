//! Publishing a command's output set whole or not at all.
//!
//! A run takes an exclusive lock on its output folder ([`LOCK`]), writes every file into a
//! staging folder inside it ([`STAGING`]), flushes each file to disk and writes a manifest
//! (file names, sizes, SHA-256, the digests of the rule files and inputs). Only then is the staging
//! folder renamed to [`READY`], which marks the set complete. Then the files it replaces, and the
//! files of the previous set that it lacks, are moved aside ([`ASIDE`]) — all put back if one
//! cannot be moved — and the new files are moved in, the manifest last.
//! A crash before the mark leaves the previous set untouched and a staging folder that the next
//! run removes; a crash after it is finished by the next run on the folder (the renames are
//! repeated, none of them half-writes a file).
//!
//! Each command keeps its own set and manifest in a folder ([`Kind::manifest`]), so `check` into the
//! folder of `evaluate` replaces only the check workbook.

use std::collections::BTreeSet;
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
/// Where the files a new set replaces or removes wait until the new set is in place.
pub const ASIDE: &str = ".mujun-old";
/// The legacy park folder of `evaluate`: its workbooks are replaced even without a manifest.
const PARK_DIR: &str = "园区";

/// Which command's set: each has its own manifest, so sets of different commands share a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `mujun evaluate`: results workbook, park workbooks, CSV and JSON.
    Evaluate,
    /// `mujun check`: the data-check workbook.
    Check,
    /// `mujun land`: the 标准地 check workbook.
    Land,
    /// `mujun template`: the blank input templates.
    Template,
    /// `mujun sample`: a generated sample year.
    Sample,
    /// `mujun confirm`: the 一企一单 workbooks.
    Confirm,
}

impl Kind {
    /// Every command that publishes a set.
    pub const ALL: [Kind; 6] =
        [Kind::Evaluate, Kind::Check, Kind::Land, Kind::Template, Kind::Sample, Kind::Confirm];

    /// File name of the set's manifest.
    pub fn manifest(self) -> &'static str {
        match self {
            Kind::Evaluate => "评价输出清单.json",
            Kind::Check => "数据检查输出清单.json",
            Kind::Land => "土地核查输出清单.json",
            Kind::Template => "模板输出清单.json",
            Kind::Sample => "示例数据输出清单.json",
            Kind::Confirm => "一企一单输出清单.json",
        }
    }
    fn command(self) -> &'static str {
        match self {
            Kind::Evaluate => "evaluate",
            Kind::Check => "check",
            Kind::Land => "land",
            Kind::Template => "template",
            Kind::Sample => "sample",
            Kind::Confirm => "confirm",
        }
    }
    fn of_manifest(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.manifest() == name)
    }
}

/// Why an output set could not be published; in every case but [`PublishError::Publishing`] the
/// previous set is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Another run holds the folder's [`LOCK`] (exit code 7).
    #[error("输出目录 {} 正被另一个 mujun 运行使用（已加锁）；请等它结束后再运行，或换一个 --out 目录", .dir.display())]
    Busy {
        /// The output folder (`--out`).
        dir: PathBuf,
    },
    /// A generator (`template`, `sample`) was pointed at a folder that holds files, without
    /// `--force`.
    #[error("输出目录 {} 中已有文件（{first} 等 {count} 项）；为免覆盖，未写入任何文件。确需覆盖请加 --force，或换一个空目录", .dir.display())]
    NotEmpty {
        /// The output folder (`--out`).
        dir: PathBuf,
        /// The first entry's name, in sorted order.
        first: String,
        /// How many entries it holds (mujun's own lock and leftovers not counted).
        count: usize,
    },
    /// A file-system step before the set is marked complete failed.
    #[error("{what} {} 失败：{}；原有结果未改动", .path.display(), io_error(.source))]
    Io {
        /// The step, in Chinese (创建暂存目录, 写入输出清单, 锁定输出目录…).
        what: &'static str,
        /// The file or folder it was working on.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// A file the new set replaces or removes could not be moved aside (often open in Excel);
    /// those already moved were put back.
    #[error("无法替换 {}：{}（可能正被 Excel 等程序打开，请关闭后重试）；原有结果未改动，本次结果未写入", .path.display(), io_error(.source))]
    InUse {
        /// The file in the output folder.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// Moving a file of the completed set into place failed; the next run on the folder
    /// finishes the move.
    #[error("发布结果文件 {} 失败：{}；下次在该输出目录运行 mujun 时会先完成这次发布", .path.display(), io_error(.source))]
    Publishing {
        /// Where the file was being moved to.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// A library writer panicked while writing into the staging folder (typically a full
    /// disk).
    #[error("写出结果时出错（多半是磁盘已满或输出目录无法写入），位置 {}；原有结果未改动", .dir.display())]
    WriterFailed {
        /// The staging folder.
        dir: PathBuf,
    },
    /// A previous run's unfinished set (staging or ready folder, manifest) could not be
    /// finished or cleaned up.
    #[error("输出目录中的上次未完成的结果 {} 无法整理：{}", .path.display(), .message)]
    Recover {
        /// The leftover file or folder.
        path: PathBuf,
        /// What is wrong with it, in Chinese.
        message: String,
    },
}

fn io_err<'p>(what: &'static str, path: &'p Path) -> impl FnOnce(io::Error) -> PublishError + 'p {
    move |source| PublishError::Io { what, path: path.to_path_buf(), source }
}

/// A file's size and SHA-256, for the manifest.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FileDigest {
    /// For a published file, its path relative to the output folder (`/`-separated); for an
    /// input or rule file, the path as given.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the contents, lower-case hex.
    pub sha256: String,
}

impl FileDigest {
    /// Digest of a file on disk (an input or a rule file), named as given.
    pub fn of(path: &Path) -> Result<FileDigest, PublishError> {
        let (bytes, sha256) = hash_file(path, false)?;
        Ok(FileDigest { name: path.display().to_string(), bytes, sha256 })
    }

    /// Digest of a file's contents held in memory (a rule file shipped inside the binary).
    pub fn of_bytes(name: String, data: &[u8]) -> FileDigest {
        let sha256 = Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect();
        FileDigest { name, bytes: data.len() as u64, sha256 }
    }
}

/// What produced a set: the rule files and the inputs (their digests), and the options that
/// matter (for `sample`, the seed).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Sources {
    /// The rule file(s) used (`--rules`, or the shipped scheme).
    pub rules: Vec<FileDigest>,
    /// The input files read (and, for `evaluate --previous`, the previous year's results).
    pub inputs: Vec<FileDigest>,
    /// Command options that determine the output, as (name, value); e.g. `seed` for `sample`.
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
    /// mujun's own lock and a crashed run's leftovers) unless `force`.
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
    pub fn write<T, E: From<PublishError>>(
        &self,
        write: impl FnOnce(&Path) -> Result<T, E>,
    ) -> Result<T, E> {
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
        let text = serde_json::to_string_pretty(&manifest)
            .map_err(|e| io_err("写入输出清单", &path)(io::Error::other(e)))?;
        fs::write(&path, text + "\n").map_err(io_err("写入输出清单", &path))?;
        fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .and_then(|f| f.sync_all())
            .map_err(io_err("写入输出清单", &path))?;
        sync_dirs(&self.dir, &files)?;
        let ready = self.out.join(READY);
        fs::rename(&self.dir, &ready).map_err(io_err("标记结果完整", &ready))?;
        sync_dir(&self.out)?;
        apply(&self.out, &ready, self.kind.manifest())?;
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
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_err("打开锁文件", &path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(PublishError::Busy { dir: out.to_path_buf() }),
        Err(fs::TryLockError::Error(e)) => Err(io_err("锁定输出目录", out)(e)),
    }
}

fn refuse_non_empty(out: &Path) -> Result<(), PublishError> {
    let Ok(rd) = fs::read_dir(out) else { return Ok(()) };
    let mut names: Vec<String> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| ![LOCK, STAGING, READY, ASIDE].contains(&n.as_str()))
        .collect();
    names.sort();
    match names.first() {
        None => Ok(()),
        Some(first) => Err(PublishError::NotEmpty {
            dir: out.to_path_buf(),
            first: first.clone(),
            count: names.len(),
        }),
    }
}

/// Finish a set that was complete when its writer died, or remove an incomplete one.
fn recover(out: &Path) -> Result<(), PublishError> {
    let ready = out.join(READY);
    if ready.is_dir() {
        match manifest_in(&ready) {
            Some(name) => apply(out, &ready, &name)?,
            // The manifest moves last: the set was published, only the clean-up was left.
            None => remove_quietly(&ready),
        }
    }
    // Files set aside by a set that is now in place (or put back): no longer needed.
    remove_quietly(&out.join(ASIDE));
    let staging = out.join(STAGING);
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io_err("删除上次未完成的暂存目录", &staging))?;
    }
    Ok(())
}

/// Move the complete set in `ready` over the previous set of its command in `out`, in two steps.
/// First every file the new set replaces or removes is set aside ([`ASIDE`]); if one cannot be
/// moved (open in Excel, say), all are put back and the new set is dropped, so the previous set is
/// whole. Then the new files move in, the manifest last.
fn apply(out: &Path, ready: &Path, manifest_name: &str) -> Result<(), PublishError> {
    let new = read_manifest(&ready.join(manifest_name))?
        .ok_or_else(|| recover_err(ready, "缺少输出清单"))?;
    if let Some(bad) = new.files.iter().find(|f| !is_inside(&f.name)) {
        return Err(recover_err(
            ready,
            &format!("输出清单中的文件名「{}」不在输出目录内", bad.name),
        ));
    }
    let old = read_manifest(&out.join(manifest_name)).ok().flatten();
    let keep: BTreeSet<&str> = new.files.iter().map(|f| f.name.as_str()).collect();
    let stale = stale_files(out, old.as_ref(), Kind::of_manifest(manifest_name), &keep);
    // A new file already moved in (by a run that died while moving) is not set aside.
    let replaced = new
        .files
        .iter()
        .map(|f| f.name.clone())
        .filter(|n| ready.join(n).exists() && out.join(n).exists());
    let aside = out.join(ASIDE);
    for name in replaced.chain(stale.iter().cloned()) {
        if let Err(source) = move_file(&out.join(&name), &aside.join(&name)) {
            put_back(&aside, out)?;
            remove_quietly(ready);
            return Err(PublishError::InUse { path: out.join(&name), source });
        }
    }
    for f in &new.files {
        let (from, to) = (ready.join(&f.name), out.join(&f.name));
        if from.exists() {
            move_file(&from, &to)
                .map_err(|source| PublishError::Publishing { path: to.clone(), source })?;
        }
    }
    let to = out.join(manifest_name);
    fs::rename(ready.join(manifest_name), &to)
        .map_err(|source| PublishError::Publishing { path: to.clone(), source })?;
    let mut dirs: Vec<PathBuf> = new
        .files
        .iter()
        .filter_map(|f| out.join(&f.name).parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs.iter().try_for_each(|d| sync_dir(d))?;
    sync_dir(out)?;
    for name in &stale {
        remove_empty_parents(out, &out.join(name));
    }
    remove_quietly(ready);
    remove_quietly(&aside);
    Ok(())
}

/// Rename `from` to `to`, making `to`'s folder; a missing `from` is nothing to move.
fn move_file(from: &Path, to: &Path) -> io::Result<()> {
    if !from.exists() {
        return Ok(());
    }
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::rename(from, to)
}

/// Put every file set aside back in its place (where nothing has taken it).
fn put_back(aside: &Path, out: &Path) -> Result<(), PublishError> {
    let mut files = Vec::new();
    if aside.is_dir() {
        collect_files(aside, aside, &mut files)?;
    }
    for rel in files {
        let (from, to) = (aside.join(&rel), out.join(&rel));
        if !to.exists() {
            move_file(&from, &to)
                .map_err(|source| PublishError::Publishing { path: to.clone(), source })?;
        }
    }
    Ok(())
}

fn remove_quietly(dir: &Path) {
    if dir.exists() {
        let _ = fs::remove_dir_all(dir);
    }
}

fn recover_err(path: &Path, message: &str) -> PublishError {
    PublishError::Recover { path: path.to_path_buf(), message: message.into() }
}

/// Files of the previous set that the new one lacks and that are still as the previous set wrote
/// them (a file changed since is the user's now, and stays). Without a manifest (a folder written
/// before manifests), the park workbooks of `evaluate`, known by their names.
fn stale_files(
    out: &Path,
    old: Option<&Manifest>,
    kind: Option<Kind>,
    keep: &BTreeSet<&str>,
) -> Vec<String> {
    let unchanged =
        |f: &FileDigest| hash_file(&out.join(&f.name), false).is_ok_and(|(_, sha)| sha == f.sha256);
    let names: Vec<String> = match old {
        Some(m) => m
            .files
            .iter()
            .filter(|f| !keep.contains(f.name.as_str()) && is_inside(&f.name) && unchanged(f))
            .map(|f| f.name.clone())
            .collect(),
        None if kind == Some(Kind::Evaluate) => legacy_park_workbooks(out),
        None => Vec::new(),
    };
    names.into_iter().filter(|n| !keep.contains(n.as_str())).collect()
}

/// `园区/YYYY年度亩均效益评价_<园区>.xlsx` in a folder written before manifests.
fn legacy_park_workbooks(out: &Path) -> Vec<String> {
    let Ok(rd) = fs::read_dir(out.join(PARK_DIR)) else { return Vec::new() };
    let ours = |n: &str| {
        let (year, rest) = n.split_at(n.char_indices().nth(4).map_or(n.len(), |(i, _)| i));
        year.len() == 4
            && year.bytes().all(|b| b.is_ascii_digit())
            && rest.starts_with("年度亩均效益评价_")
            && rest.ends_with(".xlsx")
    };
    let mut v: Vec<String> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| ours(n))
        .map(|n| format!("{PARK_DIR}/{n}"))
        .collect();
    v.sort();
    v
}

fn is_inside(name: &str) -> bool {
    !name.is_empty()
        && Path::new(name).components().all(|c| matches!(c, std::path::Component::Normal(_)))
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

/// The manifest's name in a complete set's folder; `None` once it has been moved out.
fn manifest_in(ready: &Path) -> Option<String> {
    let rd = fs::read_dir(ready).ok()?;
    rd.filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| Kind::of_manifest(n).is_some())
}

fn read_manifest(path: &Path) -> Result<Option<Manifest>, PublishError> {
    match fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|_| PublishError::Recover {
            path: path.to_path_buf(),
            message: "输出清单内容无法识别".into(),
        }),
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
    let mut f = fs::OpenOptions::new()
        .read(true)
        .write(sync)
        .open(path)
        .map_err(io_err("读取文件", path))?;
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
    let mut dirs: Vec<PathBuf> =
        files.iter().filter_map(|f| root.join(f).parent().map(Path::to_path_buf)).collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn publish(out: &Path, files: &[(&str, &str)]) -> Result<Vec<PathBuf>, PublishError> {
        let st = Staging::begin(out, Kind::Check)?;
        write_files(st.dir(), files);
        st.commit(Sources::default())
    }

    fn write_files(dir: &Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            let p = dir.join(name);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
    }

    fn read(out: &Path, name: &str) -> Option<String> {
        fs::read_to_string(out.join(name)).ok()
    }

    #[test]
    fn a_file_that_cannot_be_set_aside_puts_everything_back_and_drops_the_new_set() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        publish(out, &[("a.txt", "旧a"), ("园区/b.txt", "旧b")]).unwrap();
        let st = Staging::begin(out, Kind::Check).unwrap();
        write_files(st.dir(), &[("a.txt", "新a"), ("c.txt", "新c")]);
        // a.txt is set aside first; then the stale 园区/b.txt cannot be: a folder holds its place.
        fs::create_dir_all(out.join(ASIDE).join("园区/b.txt/占位")).unwrap();
        match st.commit(Sources::default()) {
            Err(PublishError::InUse { path, .. }) => assert_eq!(path, out.join("园区/b.txt")),
            other => panic!("expected InUse, got {other:?}"),
        }
        assert_eq!(
            (read(out, "a.txt"), read(out, "园区/b.txt"), read(out, "c.txt")),
            (Some("旧a".into()), Some("旧b".into()), None)
        );
        assert!(!out.join(READY).exists());
        // The next run on the folder works and replaces the set.
        publish(out, &[("a.txt", "新a")]).unwrap();
        assert_eq!((read(out, "a.txt"), read(out, "园区/b.txt")), (Some("新a".into()), None));
        assert!(!out.join(ASIDE).exists() && !out.join("园区").exists());
    }

    #[test]
    fn a_set_whose_manifest_moved_was_published_and_its_folder_is_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        publish(out, &[("a.txt", "a")]).unwrap();
        fs::create_dir_all(out.join(READY).join("园区")).unwrap();
        publish(out, &[("a.txt", "b")]).unwrap();
        assert_eq!(read(out, "a.txt"), Some("b".into()));
        assert!(!out.join(READY).exists());
    }

    #[test]
    fn a_file_of_the_previous_set_changed_since_is_the_users_and_stays() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        publish(out, &[("a.txt", "a"), ("b.txt", "b"), ("c.txt", "c")]).unwrap();
        fs::write(out.join("b.txt"), "用户改过").unwrap();
        publish(out, &[("a.txt", "a2")]).unwrap();
        assert_eq!((read(out, "b.txt"), read(out, "c.txt")), (Some("用户改过".into()), None));
    }

    #[test]
    fn a_manifest_cannot_move_files_outside_the_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("结果");
        fs::create_dir_all(out.join(READY)).unwrap();
        let planted = r#"{"program":"x","command":"check","files":[{"name":"../外面.txt","bytes":1,"sha256":""}]}"#;
        fs::write(out.join(READY).join(Kind::Check.manifest()), planted).unwrap();
        assert!(matches!(Staging::begin(&out, Kind::Check), Err(PublishError::Recover { .. })));
        assert!(!tmp.path().join("外面.txt").exists());
    }

    #[test]
    fn legacy_park_workbooks_are_known_by_their_names() {
        let tmp = tempfile::tempdir().unwrap();
        write_files(
            tmp.path(),
            &[
                ("园区/2024年度亩均效益评价_白涛工业园区.xlsx", ""),
                ("园区/我的笔记.xlsx", ""),
                ("园区/20245年度亩均效益评价_甲.xlsx", ""),
            ],
        );
        assert_eq!(
            legacy_park_workbooks(tmp.path()),
            ["园区/2024年度亩均效益评价_白涛工业园区.xlsx"]
        );
    }
}
