//! The year store (参评企业名录及用地数据库): one SQLite file (`mujun.db` by default) that keeps
//! every recorded run with its rules and inputs, the register and parcels it read, its results
//! and problems, and an append-only audit log. SQL lives in this module only; the types it
//! hands out are plain Rust, so a server database could stand behind the same API later.
//!
//! Opening checks what the file is before anything is written: a SQLite file of another program,
//! a store from a newer mujun, a corrupt or locked file are errors in Chinese and the file is
//! left as it was. A store of an older schema version is migrated forward at open.

mod capture;
mod firms;
mod import;
mod jobs;
mod objections;
mod per_mu;
mod query;
mod record;
mod schema;
mod status;
mod users;
mod workbench;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

pub use capture::{record, split_csv, Event, Folders, ReadTables, Who};
pub use firms::{
    ClusterCount, Facets, FirmLine, FirmPage, FirmQuery, FirmRow, OutputEntry, Sort,
    FIRMS_PER_PAGE, MAX_PAGE_SIZE,
};
pub use import::imported_run;
pub use jobs::{Job, JobState, NewJob};
pub use objections::StoredObjection;
pub use per_mu::StoredPerMu;
pub use query::{AuditEntry, CheckReport, HistoryYear, RunSummary, StoredOutput};
pub use record::{
    InputFile, NewRun, OutputFile, ParcelRow, Recording, RegisterRow, ResultLine, SheetCount,
};
pub use schema::latest as latest_version;
pub use users::{Role, User};
pub use workbench::TierCount;

/// The store file used when neither `--store` nor `MUJUN_STORE` names one.
pub const DEFAULT_PATH: &str = "mujun.db";
/// SQLite's page size for a new store (its largest).
const PAGE_SIZE: i64 = 65536;
/// How long a command waits for another process that is writing the store (an `evaluate` holds
/// it while it writes its outputs, which takes minutes for a province's year).
const BUSY_WAIT: Duration = Duration::from_secs(300);

/// Why the store could not be opened, read or written. Every message names the store file and
/// is in Chinese; nothing is changed in the file when opening fails.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file is a SQLite database of another program (or holds tables but no mujun mark).
    #[error(
        "数据库文件 {path} 不是 mujun 的评价数据库，未作任何改动；请用 --store 指定另一个文件"
    )]
    NotOurs {
        /// The store file.
        path: PathBuf,
    },
    /// The file was written by a newer mujun.
    #[error(
        "数据库文件 {path} 由较新版本的 mujun 创建（结构版本 {found}，本程序只认识到 {known}），\
         未作任何改动；请升级本程序"
    )]
    Newer {
        /// The store file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest version this program knows.
        known: i64,
    },
    /// Another process holds the store.
    #[error("数据库文件 {path} 正被另一个 mujun 进程写入（已等待 {secs} 秒），请等它结束后再试")]
    Locked {
        /// The store file.
        path: PathBuf,
        /// Seconds waited.
        secs: u64,
    },
    /// The file is damaged or no SQLite database at all.
    #[error("数据库文件 {path} 已损坏或不是数据库文件，未作任何改动；请用备份（mujun store backup 所写）恢复")]
    Corrupt {
        /// The store file.
        path: PathBuf,
    },
    /// The store does not exist (commands that only read it).
    #[error(
        "数据库文件 {path} 不存在：还没有记录过评价（mujun evaluate 会创建它），或用 --store 指定"
    )]
    Missing {
        /// The store file.
        path: PathBuf,
    },
    /// Any other failure of SQLite, in words.
    #[error("数据库文件 {path} {action}失败：{reason}")]
    Sql {
        /// The store file.
        path: PathBuf,
        /// What was being done (记录评价, 读取评价记录 …).
        action: &'static str,
        /// The cause in Chinese.
        reason: String,
    },
    /// No run has this number.
    #[error("数据库 {path} 中没有第 {id} 号评价记录（mujun runs 列出全部记录）")]
    NoRun {
        /// The store file.
        path: PathBuf,
        /// The run number asked for.
        id: i64,
    },
    /// A run's status does not allow the change asked for.
    #[error("第 {id} 号评价记录{message}")]
    Status {
        /// The run.
        id: i64,
        /// Why, in Chinese.
        message: String,
    },
    /// A request the store refuses, in words (no such enterprise, several, a backup file that
    /// exists, a failed check).
    #[error("{0}")]
    Refused(String),
    /// The run's results could not be taken from its outputs.
    #[error("评价结果无法记入数据库：{0}")]
    Capture(String),
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Open the store at `path`, creating it when absent, and migrate it to the current schema.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, true, BUSY_WAIT)
    }

    /// Open an existing store (commands that only read it): [`StoreError::Missing`] when absent.
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, false, BUSY_WAIT)
    }

    /// [`Store::open`] waiting at most `wait` for another writer (tests use a short wait).
    pub fn open_waiting(path: &Path, wait: Duration) -> Result<Store, StoreError> {
        Store::open_with(path, true, wait)
    }

    fn open_with(path: &Path, create: bool, wait: Duration) -> Result<Store, StoreError> {
        if !path.exists() && !create {
            return Err(StoreError::Missing { path: path.to_path_buf() });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | if create { OpenFlags::SQLITE_OPEN_CREATE } else { OpenFlags::empty() };
        let conn = Connection::open_with_flags(path, flags).map_err(sql(path, "打开"))?;
        let mut store = Store { conn, path: path.to_path_buf() };
        store.conn.busy_timeout(wait).map_err(sql(path, "打开"))?;
        store.prepare(wait)?;
        Ok(store)
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Check the file is ours (or new), migrate it, then switch on WAL and foreign keys.
    fn prepare(&mut self, wait: Duration) -> Result<(), StoreError> {
        let path = self.path.clone();
        let read = |c: &Connection, pragma: &str| -> Result<i64, StoreError> {
            c.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0)).map_err(sql(&path, "读取"))
        };
        // One read transaction: another process may create the store between two reads.
        let snapshot = self.conn.unchecked_transaction().map_err(sql(&path, "读取"))?;
        let app = read(&snapshot, "application_id")?;
        let version = read(&snapshot, "user_version")?;
        let tables: i64 = snapshot
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(sql(&path, "读取"))?;
        snapshot.commit().map_err(sql(&path, "读取"))?;
        let fresh = app == 0 && version == 0 && tables == 0;
        if !fresh && app != i64::from(schema::APPLICATION_ID) {
            return Err(StoreError::NotOurs { path });
        }
        if version > schema::latest() {
            return Err(StoreError::Newer { path, found: version, known: schema::latest() });
        }
        if fresh {
            // Large pages for a store of large files: a tenth of the pages to log, copy and
            // sync. Only a new, empty file takes a page size (before its first table and WAL).
            self.conn.pragma_update(None, "page_size", PAGE_SIZE).map_err(sql(&path, "打开"))?;
        }
        self.wal(wait)?;
        self.conn.pragma_update(None, "synchronous", "FULL").map_err(sql(&path, "打开"))?;
        let backfill = firms::lacks_cluster(&self.conn).map_err(sql(&path, "读取"))?;
        self.migrate(version)?;
        if backfill {
            self.backfill_clusters()?;
        }
        self.conn.pragma_update(None, "foreign_keys", true).map_err(sql(&path, "打开"))
    }

    /// Switch on WAL. SQLite answers "locked" at once, without its busy wait, while another
    /// process opening the same new file is switching it too, so this waits here instead.
    fn wal(&self, wait: Duration) -> Result<(), StoreError> {
        let start = std::time::Instant::now();
        loop {
            match self.conn.pragma_update(None, "journal_mode", "WAL") {
                Err(e) if is_busy(&e) && start.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                r => return r.map_err(sql(&self.path, "打开")),
            }
        }
    }

    /// Apply the migrations after `from`, each in its own transaction with its version (taking
    /// the write lock first, and skipped when another process applied it meanwhile).
    fn migrate(&mut self, from: i64) -> Result<(), StoreError> {
        let path = self.path.clone();
        for (i, step) in schema::MIGRATIONS.iter().enumerate().skip(from as usize) {
            let tx = self.write().map_err(sql(&path, "升级结构"))?;
            let now: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(sql(&path, "升级结构"))?;
            if now > i as i64 {
                continue;
            }
            tx.execute_batch(step).map_err(sql(&path, "升级结构"))?;
            tx.pragma_update(None, "application_id", schema::APPLICATION_ID)
                .map_err(sql(&path, "升级结构"))?;
            tx.pragma_update(None, "user_version", i as i64 + 1).map_err(sql(&path, "升级结构"))?;
            tx.commit().map_err(sql(&path, "升级结构"))?;
        }
        Ok(())
    }

    /// A transaction that writes: it takes the write lock at once (IMMEDIATE), waiting for
    /// another writer as long as the store waits, so it never fails half-way for a lock.
    fn write(&mut self) -> rusqlite::Result<rusqlite::Transaction<'_>> {
        self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
    }

    /// The schema version of the open store.
    pub fn version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql(&self.path, "读取"))
    }
}

/// A SQLite error as a [`StoreError`] of `path` while doing `action`.
fn sql<'a>(path: &'a Path, action: &'static str) -> impl Fn(rusqlite::Error) -> StoreError + 'a {
    move |e| classify(path, action, &e)
}

/// Whether `e` is another process holding the store.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
}

/// The Chinese reading of a SQLite error.
fn classify(path: &Path, action: &'static str, e: &rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    if is_busy(e) {
        return StoreError::Locked { path, secs: BUSY_WAIT.as_secs() };
    }
    let reason = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            return StoreError::Corrupt { path }
        }
        Some(ErrorCode::DiskFull) => "磁盘已满".to_string(),
        Some(ErrorCode::ReadOnly) => "文件只读，无法写入".to_string(),
        Some(ErrorCode::CannotOpen) => "无法打开（所在目录不存在或没有权限）".to_string(),
        Some(ErrorCode::PermissionDenied) => "没有权限".to_string(),
        Some(ErrorCode::SystemIoFailure) => "读写磁盘出错".to_string(),
        Some(ErrorCode::ConstraintViolation) => {
            "数据不符合数据库的约束（程序内部错误）".to_string()
        }
        Some(code) => format!("数据库错误（{code:?}）"),
        None => "数据库接口错误（程序内部错误）".to_string(),
    };
    StoreError::Sql { path, action, reason }
}

/// Now as an RFC 3339 UTC timestamp (`2026-12-02T02:30:00Z`), the store's time format.
pub fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// A stored timestamp as Beijing time for people (`2026-12-02 10:30`).
pub fn local_time(stored: &str) -> String {
    let east8 = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    chrono::DateTime::parse_from_rfc3339(stored)
        .map(|t| t.with_timezone(&east8).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| stored.to_string())
}

/// Who is running the command: the login name, else 未知用户.
pub fn current_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "未知用户".into())
}

#[cfg(test)]
mod tests;
