//! Reading the store: runs, a run's results CSV, status changes, a firm's years, integrity.

use std::path::Path;

use rusqlite::{params, OptionalExtension, Row};

use super::record::audit;
use super::{sql, Store, StoreError};

/// A recorded run as `mujun runs` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// Its number (1, 2, 3 … in the order recorded).
    pub id: i64,
    /// Evaluation year.
    pub year: i32,
    /// The scheme's name.
    pub scheme: String,
    /// The rule file as named.
    pub scheme_file: String,
    /// 草稿, 公示, 复核 or 定稿.
    pub status: String,
    /// When it finished (RFC 3339 UTC).
    pub finished_at: String,
    /// Who ran it.
    pub user: String,
    /// Evaluated and not-evaluated counts.
    pub evaluated: i64,
    /// Not evaluated.
    pub not_evaluated: i64,
    /// Tier counts in words.
    pub tier_counts: String,
    /// Its input files.
    pub inputs: i64,
    /// The output folder it was published to.
    pub out_dir: String,
    /// The run it corrects (a 复核 run's 公示 run).
    pub corrects: Option<i64>,
    /// Its notice period (first and last day), once put under 公示.
    pub notice: Option<(String, String)>,
}

const SUMMARY: &str = "SELECT id, year, scheme, scheme_file, status, finished_at, user_name,
    evaluated, not_evaluated, tier_counts,
    (SELECT count(*) FROM run_inputs i WHERE i.run_id = runs.id), out_dir, corrects, notice_start,
    notice_end FROM runs";

fn summary(r: &Row) -> rusqlite::Result<RunSummary> {
    Ok(RunSummary {
        id: r.get(0)?,
        year: r.get(1)?,
        scheme: r.get(2)?,
        scheme_file: r.get(3)?,
        status: r.get(4)?,
        finished_at: r.get(5)?,
        user: r.get(6)?,
        evaluated: r.get(7)?,
        not_evaluated: r.get(8)?,
        tier_counts: r.get(9)?,
        inputs: r.get(10)?,
        out_dir: r.get(11)?,
        corrects: r.get(12)?,
        notice: r.get::<_, Option<String>>(13)?.zip(r.get::<_, Option<String>>(14)?),
    })
}

/// One year of a firm in the store: from that year's 定稿 run, else its latest run.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryYear {
    /// Evaluation year.
    pub year: i32,
    /// The run the year is read from, and its status.
    pub run: i64,
    /// The run's status.
    pub status: String,
    /// Name and park that year.
    pub name: Option<String>,
    /// Park that year.
    pub park: Option<String>,
    /// Evaluated that year.
    pub evaluated: bool,
    /// Final tier (or the tier managed as).
    pub tier: Option<String>,
    /// Total score.
    pub total: Option<f64>,
    /// Rank.
    pub rank: Option<i64>,
    /// The results CSV header and the firm's line, for the per-mu figures.
    pub csv_head: Vec<u8>,
    /// The firm's results CSV line.
    pub csv_line: Vec<u8>,
    /// The run's rule file as it was (empty for an imported year): what its indicator ids
    /// meant that year.
    pub rules_text: String,
    /// Its land rows that year: (certificate, mode, area in 亩).
    pub parcels: Vec<(Option<String>, Option<String>, Option<f64>)>,
}

/// One file a run published, as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredOutput {
    /// Its path inside the output folder (`/`-separated).
    pub name: String,
    /// SHA-256 of its bytes as published.
    pub sha256: String,
    /// Its bytes; None when they had changed before the run was recorded.
    pub content: Option<Vec<u8>>,
}

/// One line of the audit log: (time, user, action, run, detail).
pub type AuditEntry = (String, String, String, Option<i64>, String);

/// A published file as stored: name, SHA-256, packed content, codec.
type PackedOutput = (String, String, Option<Vec<u8>>, Option<String>);

/// What `mujun store check` found.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    /// SQLite's integrity check: "ok" or its findings.
    pub integrity: Vec<String>,
    /// Foreign keys that point nowhere.
    pub foreign_key_faults: i64,
    /// Per run: (id, results rows, evaluated + not evaluated as recorded).
    pub runs: Vec<(i64, i64, i64)>,
}

impl Store {
    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<RunSummary>, StoreError> {
        let e = sql(&self.path, "读取评价记录");
        let mut st = self.conn.prepare(&format!("{SUMMARY} ORDER BY id")).map_err(&e)?;
        let rows = st.query_map([], summary).map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    /// The run numbered `id`.
    pub fn run(&self, id: i64) -> Result<RunSummary, StoreError> {
        let e = sql(&self.path, "读取评价记录");
        self.conn
            .query_row(&format!("{SUMMARY} WHERE id = ?1"), [id], summary)
            .optional()
            .map_err(&e)?
            .ok_or_else(|| StoreError::NoRun { path: self.path.clone(), id })
    }

    /// The 定稿 run of `year` and `scheme`, if any.
    pub fn final_run(&self, year: i32, scheme: &str) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row(
                "SELECT id FROM runs WHERE year = ?1 AND scheme = ?2 AND status = '定稿'",
                params![year, scheme],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql(&self.path, "读取评价记录"))
    }

    /// Run `id`'s results CSV, byte for byte as it was written.
    pub fn results_csv(&self, id: i64) -> Result<Vec<u8>, StoreError> {
        let e = sql(&self.path, "读取评价结果");
        let head: Vec<u8> = self
            .conn
            .query_row("SELECT csv_head FROM runs WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(&e)?
            .ok_or_else(|| StoreError::NoRun { path: self.path.clone(), id })?;
        let mut st = self
            .conn
            .prepare("SELECT csv_line FROM results WHERE run_id = ?1 ORDER BY ordinal")
            .map_err(&e)?;
        let mut out = head;
        let mut rows = st.query([id]).map_err(&e)?;
        while let Some(r) = rows.next().map_err(&e)? {
            out.extend_from_slice(
                r.get_ref(0)
                    .map_err(&e)?
                    .as_blob()
                    .map_err(|_| StoreError::Capture("结果行的存储格式不对".into()))?,
            );
            out.extend_from_slice(b"\r\n");
        }
        Ok(out)
    }

    /// The files run `id` published, in their order (the output manifest last), each with its
    /// bytes when they were kept: (name inside the output folder, SHA-256, content).
    pub fn outputs(&self, id: i64) -> Result<Vec<StoredOutput>, StoreError> {
        self.run(id)?;
        let e = sql(&self.path, "读取输出文件");
        let mut st = self
            .conn
            .prepare(
                "SELECT o.name, o.sha256, f.content, f.codec FROM run_outputs o
                 LEFT JOIN files f ON f.sha256 = o.sha256 WHERE o.run_id = ?1 ORDER BY o.ordinal",
            )
            .map_err(&e)?;
        let rows = st
            .query_map([id], |r| {
                let packed: Option<Vec<u8>> = r.get(2)?;
                let codec: Option<String> = r.get(3)?;
                Ok((r.get(0)?, r.get(1)?, packed, codec))
            })
            .map_err(&e)?;
        let rows: Vec<PackedOutput> = rows.collect::<Result<_, _>>().map_err(&e)?;
        let mut out = Vec::with_capacity(rows.len());
        for (name, sha256, packed, codec) in rows {
            let content = packed
                .map(|p| super::record::unpack(p, codec.as_deref()))
                .transpose()
                .map_err(|_| StoreError::Corrupt { path: self.path.clone() })?;
            out.push(StoredOutput { name, sha256, content });
        }
        Ok(out)
    }

    /// Append `action` on `run` to the audit log (an export, say).
    pub fn log(
        &mut self,
        user: &str,
        action: &str,
        run: Option<i64>,
        detail: &str,
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let e = sql(&path, "记录操作");
        let tx = self.write().map_err(&e)?;
        audit(&tx, user, action, run, detail).map_err(&e)?;
        tx.commit().map_err(&e)
    }

    /// The audit log, oldest first.
    pub fn audit_log(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let e = sql(&self.path, "读取操作记录");
        let mut st = self
            .conn
            .prepare("SELECT at, user_name, action, run_id, detail FROM audit ORDER BY id")
            .map_err(&e)?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    /// SQLite's integrity and foreign-key checks, and each run's result rows against its counts.
    pub fn check(&self) -> Result<CheckReport, StoreError> {
        let e = sql(&self.path, "检查");
        let mut st = self.conn.prepare("PRAGMA integrity_check").map_err(&e)?;
        let integrity =
            st.query_map([], |r| r.get(0)).map_err(&e)?.collect::<Result<_, _>>().map_err(&e)?;
        let faults: i64 = self
            .conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
            .map_err(&e)?;
        let mut st = self
            .conn
            .prepare(
                "SELECT id, (SELECT count(*) FROM results r WHERE r.run_id = runs.id),
                     evaluated + not_evaluated FROM runs ORDER BY id",
            )
            .map_err(&e)?;
        let runs = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(&e)?
            .collect::<Result<_, _>>()
            .map_err(&e)?;
        Ok(CheckReport { integrity, foreign_key_faults: faults, runs })
    }

    /// Copy the store to `dest` with SQLite's online backup (safe while others read it).
    pub fn backup(&self, dest: &Path) -> Result<(), StoreError> {
        let e = sql(dest, "备份");
        let mut target = rusqlite::Connection::open(dest).map_err(&e)?;
        let b = rusqlite::backup::Backup::new(&self.conn, &mut target).map_err(&e)?;
        b.run_to_completion(256, std::time::Duration::from_millis(5), None).map_err(&e)
    }
}

impl Store {
    /// The credit code that `who` names: a code in the register, else a name (whole, or a
    /// part found in one enterprise's names only). Err: none or several match, in Chinese.
    pub fn find_enterprise(&self, who: &str) -> Result<String, StoreError> {
        let e = sql(&self.path, "查找企业");
        let who = who.trim();
        let by_code: Option<String> = self
            .conn
            .query_row("SELECT code FROM enterprises WHERE code = upper(?1)", [who], |r| r.get(0))
            .optional()
            .map_err(&e)?;
        if let Some(c) = by_code {
            return Ok(c);
        }
        // A full name through its index; only a part of a name reads the whole register.
        let by_name: Option<String> = self
            .conn
            .query_row(
                "SELECT code FROM registers WHERE name = ?1 ORDER BY run_id DESC LIMIT 1",
                [who],
                |r| r.get(0),
            )
            .optional()
            .map_err(&e)?;
        if let Some(c) = by_name {
            return Ok(c);
        }
        let mut st = self
            .conn
            .prepare(
                "SELECT DISTINCT code, name FROM registers WHERE instr(name, ?1) > 0 ORDER BY code",
            )
            .map_err(&e)?;
        let found: Vec<(String, String)> = st
            .query_map([who], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(&e)?
            .collect::<Result<_, _>>()
            .map_err(&e)?;
        let mut codes: Vec<&String> = found.iter().map(|(c, _)| c).collect();
        codes.dedup();
        match codes.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(StoreError::Refused(format!(
                "数据库中没有统一社会信用代码或名称为「{who}」的企业"
            ))),
            _ => {
                let names: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).take(5).collect();
                Err(StoreError::Refused(format!(
                    "「{who}」对应多家企业（{}），请写完整名称或代码",
                    names.join("、")
                )))
            }
        }
    }

    /// The firm's years under `scheme` (the scheme of its latest run when None): per year the
    /// 定稿 run, else the latest run of that year.
    pub fn history(
        &self,
        code: &str,
        scheme: Option<&str>,
    ) -> Result<Vec<HistoryYear>, StoreError> {
        let e = sql(&self.path, "读取企业历年结果");
        let scheme: Option<String> = match scheme {
            Some(s) => Some(s.to_string()),
            None => self
                .conn
                .query_row(
                    "SELECT runs.scheme FROM results JOIN runs ON runs.id = results.run_id
                     WHERE results.code = ?1 ORDER BY runs.year DESC, runs.id DESC LIMIT 1",
                    [code],
                    |r| r.get(0),
                )
                .optional()
                .map_err(&e)?,
        };
        let Some(scheme) = scheme else { return Ok(Vec::new()) };
        let mut st = self
            .conn
            .prepare(
                "SELECT runs.year, runs.id, runs.status, r.name, r.park, r.evaluated, r.tier,
                     r.total, r.rank, runs.csv_head, r.csv_line, runs.rules_text
                 FROM runs JOIN results r ON r.run_id = runs.id AND r.code = ?1
                 WHERE runs.scheme = ?2 AND runs.id = (
                     SELECT x.id FROM runs x WHERE x.year = runs.year AND x.scheme = runs.scheme
                     ORDER BY x.status = '定稿' DESC, x.id DESC LIMIT 1)
                 ORDER BY runs.year",
            )
            .map_err(&e)?;
        let years: Vec<HistoryYear> = st
            .query_map(params![code, scheme], |r| {
                Ok(HistoryYear {
                    year: r.get(0)?,
                    run: r.get(1)?,
                    status: r.get(2)?,
                    name: r.get(3)?,
                    park: r.get(4)?,
                    evaluated: r.get(5)?,
                    tier: r.get(6)?,
                    total: r.get(7)?,
                    rank: r.get(8)?,
                    csv_head: r.get(9)?,
                    csv_line: r.get(10)?,
                    rules_text: r.get(11)?,
                    parcels: Vec::new(),
                })
            })
            .map_err(&e)?
            .collect::<Result<_, _>>()
            .map_err(&e)?;
        let mut st = self
            .conn
            .prepare(
                "SELECT certificate, mode, area_mu FROM parcels
                 WHERE run_id = ?1 AND holder = ?2 ORDER BY ordinal",
            )
            .map_err(&e)?;
        let mut out = Vec::with_capacity(years.len());
        for mut y in years {
            y.parcels = st
                .query_map(params![y.run, code], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(&e)?
                .collect::<Result<_, _>>()
                .map_err(&e)?;
            out.push(y);
        }
        Ok(out)
    }
}
