//! A bureau user's draft evaluation: the year, the scheme (shipped, or an uploaded rule file
//! checked at once) and the uploaded files, kept per user under the store's folder
//! (`mujun-drafts/<hash of the user name>/draft.json`), so that two users uploading at once
//! never mix files. Every change checks the files again with the code `mujun check` runs
//! ([`crate::pipeline::examine`]): the table each sheet was recognised as, its row accounting
//! and the 问题清单.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::upload::{beside, materialize, Upload};
use super::WebError;
use crate::ingest::{Severity, Tally};
use crate::rules::{self, Purpose, Source};

/// The scheme a draft is evaluated with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum Scheme {
    /// A shipped scheme by name (`fuling`).
    #[serde(rename = "内置")]
    Shipped {
        /// Its name.
        name: String,
    },
    /// An uploaded rule file.
    #[serde(rename = "上传")]
    Uploaded {
        /// The file's name as sent (cleaned).
        name: String,
        /// Its digest (the kept upload).
        sha256: String,
    },
}

impl Default for Scheme {
    fn default() -> Scheme {
        Scheme::Shipped { name: Purpose::Evaluation.default_scheme().into() }
    }
}

impl Scheme {
    /// The scheme's name as shown and recorded in the job.
    pub fn label(&self) -> String {
        match self {
            Scheme::Shipped { name } => name.clone(),
            Scheme::Uploaded { name, .. } => name.clone(),
        }
    }
}

/// One uploaded file of a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftFile {
    /// The name as sent (cleaned), shown.
    pub name: String,
    /// Its digest (the kept upload).
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
}

/// One sheet as the check read it: 读取 = 采用 + 跳过 + 拒收.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetRow {
    /// The file's name as uploaded.
    pub file: String,
    /// The worksheet ("" for a CSV file).
    pub sheet: String,
    /// The table it was recognised as.
    pub table: String,
    /// 读取.
    pub read: usize,
    /// 采用.
    pub used: usize,
    /// 跳过.
    pub skipped: usize,
    /// 拒收.
    pub rejected: usize,
}

/// One row of the 问题清单.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemRow {
    /// 错误, 警告 or 提示.
    pub severity: String,
    /// The table.
    pub table: String,
    /// The file's name as uploaded.
    pub file: String,
    /// The worksheet.
    pub sheet: String,
    /// The spreadsheet row.
    pub row: Option<usize>,
    /// The column.
    pub column: String,
    /// The cell's text.
    pub value: String,
    /// What is wrong.
    pub message: String,
    /// What the engine does about it.
    pub action: String,
}

/// What the check of a draft's files found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Checked {
    /// The rules' year (the draft's year when it gives none).
    pub year: i32,
    /// Every sheet read.
    pub sheets: Vec<SheetRow>,
    /// Every problem.
    pub problems: Vec<ProblemRow>,
    /// 错误.
    pub errors: usize,
    /// 警告.
    pub warnings: usize,
    /// 提示.
    pub infos: usize,
    /// Why the files could not be read at all (no register, a sheet not recognised …): it
    /// blocks the evaluation whatever the reason given.
    pub failure: Option<String>,
}

/// A user's draft.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The evaluation year (None: the rule file's).
    pub year: Option<i32>,
    /// The scheme.
    pub scheme: Scheme,
    /// The uploaded files, in upload order.
    pub files: Vec<DraftFile>,
    /// The last check of the files (None without files).
    pub check: Option<Checked>,
}

/// The drafts of a store.
pub struct Drafts {
    store: PathBuf,
}

/// A user's lock on their draft.
type UserLock = Arc<tokio::sync::Mutex<()>>;

/// One lock per user: a user's requests change the draft one after another.
fn lock_of(user: &str) -> UserLock {
    static LOCKS: OnceLock<Mutex<HashMap<String, UserLock>>> = OnceLock::new();
    let map = LOCKS.get_or_init(Default::default);
    let mut m = map.lock().unwrap_or_else(|p| p.into_inner());
    m.entry(user.to_string()).or_default().clone()
}

/// A draft's folder name: the user name's digest (never the name itself).
fn folder_of(user: &str) -> String {
    Sha256::digest(user.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

impl Drafts {
    /// The drafts beside the store at `store`.
    pub fn new(store: &Path) -> Drafts {
        Drafts { store: store.to_path_buf() }
    }

    fn dir(&self, user: &str) -> PathBuf {
        beside(&self.store, "mujun-drafts").join(folder_of(user))
    }

    /// `user`'s draft (an empty one when there is none).
    pub fn load(&self, user: &str) -> Draft {
        let path = self.dir(user).join("draft.json");
        std::fs::read(path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    fn save(&self, user: &str, d: &Draft) -> Result<(), WebError> {
        let dir = self.dir(user);
        let io = |e: std::io::Error| WebError::Internal(format!("保存草稿失败：{e}"));
        std::fs::create_dir_all(&dir).map_err(io)?;
        let temp = dir.join(format!("{}.json", super::upload::temp_name(".draft")));
        let text = serde_json::to_vec_pretty(d).map_err(|e| WebError::Internal(e.to_string()))?;
        std::fs::write(&temp, text).map_err(io)?;
        std::fs::rename(&temp, dir.join("draft.json")).map_err(io)
    }

    /// Change `user`'s draft with `f` (on a blocking thread, one change of a user at a time),
    /// check it again and save it; the draft after.
    pub async fn change<F>(&self, user: &str, f: F) -> Result<Draft, WebError>
    where
        F: FnOnce(&mut Draft) -> Result<(), WebError> + Send + 'static,
    {
        let lock = lock_of(user);
        let _held = lock.lock().await;
        let (me, user) = (Drafts::new(&self.store), user.to_string());
        super::app::blocking(move || {
            let mut d = me.load(&user);
            f(&mut d)?;
            d.check = me.check(&user, &d);
            me.save(&user, &d)?;
            Ok::<_, WebError>(d)
        })
        .await
    }

    /// The rule source of `scheme` for `user`'s draft: an uploaded file is copied into the
    /// draft's folder under a name of its own.
    pub fn rules_source(&self, user: &str, scheme: &Scheme) -> Result<Source, WebError> {
        match scheme {
            Scheme::Shipped { name } => {
                rules::shipped::scheme(name).map_err(WebError::BadRequest)?;
                Ok(Source::Shipped(format!("{name}.toml")))
            }
            Scheme::Uploaded { name, sha256 } => {
                let dir = self.dir(user).join("rules");
                let path = materialize(&self.store, &dir, &[(name.clone(), sha256.clone())])?;
                Ok(Source::File(path.into_iter().next().unwrap_or_default()))
            }
        }
    }

    /// Check `d`'s files with its rules; None without files.
    fn check(&self, user: &str, d: &Draft) -> Option<Checked> {
        if d.files.is_empty() {
            return None;
        }
        let failed = |message: String| Checked { failure: Some(message), ..Checked::default() };
        let source = match self.rules_source(user, &d.scheme) {
            Ok(s) => s,
            Err(e) => return Some(failed(e.to_string())),
        };
        let view = self.dir(user).join("files");
        let list: Vec<(String, String)> =
            d.files.iter().map(|f| (f.name.clone(), f.sha256.clone())).collect();
        let paths = match materialize(&self.store, &view, &list) {
            Ok(p) => p,
            Err(e) => return Some(failed(e.to_string())),
        };
        let names: HashMap<String, String> = paths
            .iter()
            .zip(&d.files)
            .map(|(p, f)| (p.display().to_string(), f.name.clone()))
            .collect();
        let shown = |file: &str| names.get(file).cloned().unwrap_or_else(|| file.to_string());
        let prefix = format!("{}{}", view.display(), std::path::MAIN_SEPARATOR);
        match crate::pipeline::examine(&source, std::slice::from_ref(&view), &[]) {
            Ok(x) => Some(checked(&x, d.year, &shown)),
            Err(e) => Some(failed(e.to_string().replace(&prefix, ""))),
        }
    }
}

fn checked(
    x: &crate::pipeline::Examined,
    year: Option<i32>,
    shown: &dyn Fn(&str) -> String,
) -> Checked {
    let sheets =
        x.ds.reconciliation
            .iter()
            .map(|r| SheetRow {
                file: shown(&r.file),
                sheet: r.sheet.clone(),
                table: r.table.clone(),
                read: r.read,
                used: r.used,
                skipped: r.skipped,
                rejected: r.rejected,
            })
            .collect();
    let mut problems: Vec<ProblemRow> = x
        .problems
        .iter()
        .map(|p| ProblemRow {
            severity: p.severity.label().into(),
            table: p.table.clone(),
            file: shown(&p.file),
            sheet: p.sheet.clone(),
            row: p.row,
            column: p.column.clone(),
            value: p.value.clone(),
            message: p.message.clone(),
            action: p.action.clone(),
        })
        .collect();
    // Errors first, as 问题清单 sorts them.
    let rank = |s: &str| {
        [Severity::Error, Severity::Warning, Severity::Info].iter().position(|v| v.label() == s)
    };
    problems.sort_by_key(|p| rank(&p.severity));
    let t = Tally::of(&x.problems);
    Checked {
        year: year.unwrap_or(x.rules.meta.year),
        sheets,
        problems,
        errors: t.errors,
        warnings: t.warnings,
        infos: t.infos,
        failure: None,
    }
}

/// The uploads of a request as draft files.
pub fn draft_files(uploads: &[Upload]) -> Vec<DraftFile> {
    uploads
        .iter()
        .map(|u| DraftFile { name: u.name.clone(), sha256: u.sha256.clone(), bytes: u.bytes })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_users_drafts_are_in_two_folders_named_by_digest() {
        let d = Drafts::new(Path::new("/data/mujun.db"));
        let (a, b) = (d.dir("张三"), d.dir("../李四"));
        assert_ne!(a, b);
        assert!(b.starts_with("/data/mujun-drafts"), "{}", b.display());
        assert_eq!(b.file_name().unwrap().len(), 32);
    }
}
