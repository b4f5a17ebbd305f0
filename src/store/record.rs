//! Recording a run: every row of it in one transaction, so the store holds the run whole or not
//! at all, whenever the process is stopped.

use std::path::Path;

use rusqlite::{params, OptionalExtension, Transaction};

use super::{sql, Store, StoreError};
use crate::ingest::{Problem, Reconciliation};

/// One input file of a run: its name, size and digest, and its bytes when they could be read
/// again unchanged (kept once per digest).
#[derive(Debug, Clone, PartialEq)]
pub struct InputFile {
    /// The file as given under `--data`.
    pub name: String,
    /// Its size.
    pub bytes: u64,
    /// SHA-256 of its bytes when read, lower-case hex.
    pub sha256: String,
    /// Its content, if it still had that digest when the run was recorded.
    pub content: Option<Vec<u8>>,
}

/// One file a run published: `name` is its path inside the output folder (`/`-separated, as
/// the output manifest lists it), its bytes kept when they still had the manifest's digest.
pub type OutputFile = InputFile;

/// The row accounting of one sheet read (数据核对).
pub type SheetCount = Reconciliation;

/// One enterprise of the register (企业名录) as the run read it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegisterRow {
    /// 统一社会信用代码.
    pub code: String,
    /// 企业名称.
    pub name: Option<String>,
    /// 所属园区.
    pub park: Option<String>,
    /// 所属乡镇街道.
    pub town: Option<String>,
    /// 行业代码.
    pub industry_code: Option<String>,
    /// 规上 / 规下.
    pub scale: Option<String>,
    /// 成立日期 (YYYY-MM-DD).
    pub registration_date: Option<String>,
    /// 投产日期 (YYYY-MM-DD).
    pub production_date: Option<String>,
    /// 企业标签.
    pub tags: Option<String>,
}

/// One row of the land table (用地) as the run read it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParcelRow {
    /// 不动产权证号; None for a lease without a certificate.
    pub certificate: Option<String>,
    /// The enterprise holding or using the land.
    pub holder: String,
    /// 用地方式 (自有, 承租, 出租).
    pub mode: Option<String>,
    /// Area in 亩.
    pub area_mu: Option<f64>,
    /// The other party's credit code (lessor or lessee).
    pub counterparty: Option<String>,
    /// 供地日期 (YYYY-MM-DD).
    pub supply_date: Option<String>,
}

/// One line of the results CSV with the fields queries use.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultLine {
    /// 统一社会信用代码.
    pub code: String,
    /// Evaluated (true) or listed as not evaluated.
    pub evaluated: bool,
    /// Name, park, group id and final tier as the CSV gives them.
    pub name: Option<String>,
    /// Park.
    pub park: Option<String>,
    /// Group id.
    pub group: Option<String>,
    /// Final tier (for one not evaluated, the tier it is managed as).
    pub tier: Option<String>,
    /// Total score.
    pub total: Option<f64>,
    /// Rank in its population.
    pub rank: Option<i64>,
    /// Industry cluster.
    pub cluster: Option<String>,
    /// The `year` field as written (checked by `store import`; the run keeps the year).
    pub year: Option<String>,
    /// The line's bytes as written, without its line ending.
    pub csv_line: Vec<u8>,
}

/// Everything a run records.
#[derive(Debug, Clone, Default)]
pub struct NewRun {
    /// Evaluation year.
    pub year: i32,
    /// The scheme's name (`[meta] name`); runs of the same scheme share it.
    pub scheme: String,
    /// The rule file as named (path or shipped name).
    pub scheme_file: String,
    /// `[meta] version`.
    pub scheme_version: String,
    /// The rule file's full text.
    pub rules_text: String,
    /// SHA-256 of that text.
    pub rules_sha256: String,
    /// When the run started and finished (RFC 3339 UTC).
    pub started_at: String,
    /// When the run finished.
    pub finished_at: String,
    /// Who ran it.
    pub user: String,
    /// The program and version that ran it.
    pub program: String,
    /// The output folder it was published to.
    pub out_dir: String,
    /// Evaluated and not-evaluated counts.
    pub evaluated: usize,
    /// Enterprises listed as not evaluated.
    pub not_evaluated: usize,
    /// Tier counts in words ("A 97，B 195，C 171，D 28").
    pub tier_counts: String,
    /// The input files.
    pub inputs: Vec<InputFile>,
    /// Row accounting per sheet.
    pub sheets: Vec<SheetCount>,
    /// The register as read.
    pub register: Vec<RegisterRow>,
    /// The land rows as read.
    pub parcels: Vec<ParcelRow>,
    /// The results CSV's bytes before its first record (BOM and header line).
    pub csv_head: Vec<u8>,
    /// The results CSV's records, in file order.
    pub results: Vec<ResultLine>,
    /// The run's problems (问题清单).
    pub problems: Vec<Problem>,
    /// The files it published, the output manifest last (none for an imported run).
    pub outputs: Vec<OutputFile>,
    /// The run it corrects (a 复核 of a 公示 run; see [`Store::correctable`]): recorded as 复核.
    pub corrects: Option<i64>,
}

impl Store {
    /// Record `run` as a draft (草稿) and return its number; all of it or nothing.
    pub fn record_run(&mut self, run: &NewRun) -> Result<i64, StoreError> {
        let mut rec = self.begin_run(run)?;
        rec.inputs(&run.inputs, &run.sheets)?;
        rec.register(&run.register)?;
        rec.parcels(&run.parcels)?;
        rec.results(&run.csv_head, &run.results)?;
        rec.problems(&run.problems)?;
        rec.finish(&run.outputs, &run.finished_at)
    }

    /// Start recording `run` as a draft (as a 复核 when it corrects a run, which must still be
    /// correctable): its row (its head; the lists are added by the
    /// [`Recording`]'s methods) in a transaction that takes the store's write lock, waiting
    /// for another writer as long as the store waits.
    pub fn begin_run(&mut self, run: &NewRun) -> Result<Recording<'_>, StoreError> {
        let path = self.path.clone();
        let e = sql(&path, "记录评价");
        if let Some(c) = run.corrects {
            self.correctable(c, run.year, &run.scheme)?;
        }
        let tx = self.write().map_err(&e)?;
        let status = if run.corrects.is_some() { "复核" } else { "草稿" };
        let id = insert_run(&tx, run, status).map_err(&e)?;
        let mut detail = format!("{}年度 {}：参评 {} 家", run.year, run.scheme, run.evaluated);
        if let Some(c) = run.corrects {
            detail += &format!("；复核第 {c} 号评价");
        }
        Ok(Recording { tx, id, year: run.year, path: path.clone(), user: run.user.clone(), detail })
    }

    /// Record earlier years' results, each `(run, file it was read from)`, as 定稿 runs in one
    /// transaction: all of them or none. Refused when a year and scheme already has a 定稿 run
    /// (in the store or earlier in `runs`). Returns their numbers.
    pub fn import_runs(&mut self, runs: &[(NewRun, String)]) -> Result<Vec<i64>, StoreError> {
        let path = self.path.clone();
        let e = sql(&path, "导入评价结果");
        let tx = self.write().map_err(&e)?;
        let mut ids = Vec::with_capacity(runs.len());
        for (run, file) in runs {
            let final_run = tx
                .query_row(
                    "SELECT id FROM runs WHERE year = ?1 AND scheme = ?2 AND status = '定稿'",
                    params![run.year, run.scheme],
                    |r| r.get::<_, i64>(0),
                )
                .optional()
                .map_err(&e)?;
            if let Some(other) = final_run {
                return Err(StoreError::Refused(format!(
                    "{file}：{}年度「{}」已有定稿的第 {other} 号评价（每个年度和方案只有一个定稿），\
                     本次的文件都未导入",
                    run.year, run.scheme
                )));
            }
            let id = insert_all(&tx, run, "定稿").map_err(&e)?;
            let detail = format!(
                "从 {file} 导入 {}年度「{}」定稿：参评 {} 家，未参评 {} 家",
                run.year, run.scheme, run.evaluated, run.not_evaluated
            );
            audit(&tx, &run.user, "导入", Some(id), &detail).map_err(&e)?;
            ids.push(id);
        }
        tx.commit().map_err(&e)?;
        Ok(ids)
    }
}

/// A run being recorded, in its open transaction: its parts are added as they are ready (while
/// its outputs are still being written), and [`Recording::finish`] commits them together.
/// Dropped without `finish` (the outputs were not published, or the process is stopped),
/// nothing of it stays in the store.
pub struct Recording<'s> {
    tx: Transaction<'s>,
    id: i64,
    year: i32,
    path: std::path::PathBuf,
    user: String,
    detail: String,
}

impl Recording<'_> {
    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        sql(&self.path, "记录评价")
    }

    /// The input files (each kept once by content) and the row accounting of each sheet.
    pub fn inputs(&mut self, files: &[InputFile], sheets: &[SheetCount]) -> Result<(), StoreError> {
        insert_inputs(&self.tx, self.id, files, sheets).map_err(self.err())
    }

    /// The register as read.
    pub fn register(&mut self, rows: &[RegisterRow]) -> Result<(), StoreError> {
        insert_register(&self.tx, self.id, self.year, rows).map_err(self.err())
    }

    /// The land rows as read.
    pub fn parcels(&mut self, rows: &[ParcelRow]) -> Result<(), StoreError> {
        insert_parcels(&self.tx, self.id, rows).map_err(self.err())
    }

    /// The results CSV: its head and its records, in file order.
    pub fn results(&mut self, head: &[u8], lines: &[ResultLine]) -> Result<(), StoreError> {
        let set_head =
            self.tx.execute("UPDATE runs SET csv_head = ?1 WHERE id = ?2", params![head, self.id]);
        set_head.map_err(self.err())?;
        insert_results(&self.tx, self.id, lines).map_err(self.err())
    }

    /// The per-mu aggregates the reports showed.
    pub fn per_mu(&mut self, rows: &[crate::report::PerMu]) -> Result<(), StoreError> {
        super::per_mu::insert(&self.tx, self.id, rows).map_err(self.err())
    }

    /// The problems (问题清单).
    pub fn problems(&mut self, problems: &[Problem]) -> Result<(), StoreError> {
        insert_problems(&self.tx, self.id, problems).map_err(self.err())
    }

    /// Keep the content of `file` (an input, or a published file ahead of the list
    /// [`Recording::finish`] gives; `name` in messages), read in pieces, never whole in memory:
    /// text compressed, a zip archive (a workbook) as it is. With `sha256`, only when the file
    /// still has that digest. Its size and SHA-256; None when it changed.
    pub fn keep_file(
        &mut self,
        file: &mut std::fs::File,
        name: &Path,
        sha256: Option<&str>,
    ) -> Result<Option<(u64, String)>, StoreError> {
        let io = |err: std::io::Error| {
            StoreError::Capture(format!("{}：{}", name.display(), crate::zh::io_error(&err)))
        };
        let (bytes, sha) = digest(file).map_err(io)?;
        if sha256.is_some_and(|s| s != sha) {
            return Ok(None);
        }
        let store = self.path.clone();
        let e = sql(&store, "记录评价");
        let kept: Option<bool> = self
            .tx
            .query_row("SELECT content IS NOT NULL FROM files WHERE sha256 = ?1", [&sha], |r| {
                r.get(0)
            })
            .optional()
            .map_err(&e)?;
        if kept != Some(true) {
            match packed(file, bytes).map_err(io)? {
                Some(z) => put_file(&self.tx, &sha, bytes, Some(&z), Some("zstd")).map_err(&e)?,
                None => self.stream_file(file, name, &sha, bytes)?,
            }
        }
        Ok(Some((bytes, sha)))
    }

    /// Put what the transaction has written to the write-ahead log on disk now (while the
    /// outputs are still being written, on the recorder's thread), so that the commit has
    /// little left to flush. Best effort: the commit flushes whatever is left.
    pub fn flush_log(&self) {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        if let Ok(f) = std::fs::File::open(wal) {
            let _ = f.sync_data();
        }
    }

    /// Copy `file` into the store as it is, piece by piece (SQLite's incremental blob writing
    /// into a zero-filled blob of its size).
    fn stream_file(
        &self,
        file: &mut std::fs::File,
        name: &Path,
        sha: &str,
        bytes: u64,
    ) -> Result<(), StoreError> {
        let e = sql(&self.path, "记录评价");
        self.tx
            .execute(
                "INSERT INTO files (sha256, bytes, content, codec) VALUES (?1, ?2, zeroblob(?2), NULL)
                 ON CONFLICT (sha256) DO UPDATE SET content = excluded.content, codec = NULL",
                params![sha, bytes as i64],
            )
            .map_err(&e)?;
        let rowid: i64 = self
            .tx
            .query_row("SELECT rowid FROM files WHERE sha256 = ?1", [sha], |r| r.get(0))
            .map_err(&e)?;
        let mut blob =
            self.tx.blob_open(rusqlite::MAIN_DB, "files", "content", rowid, false).map_err(&e)?;
        let copied = rewind(file).and_then(|_| std::io::copy(file, &mut blob));
        match copied {
            Ok(n) if n == bytes => Ok(()),
            _ => Err(StoreError::Capture(format!("{}：读取时大小改变", name.display()))),
        }
    }

    /// The published files in the manifest's order (the manifest last; a file kept ahead by
    /// [`Recording::keep_file`] may come without its content), the finishing time, the audit line;
    /// then commit. Returns the run's number.
    pub fn finish(self, outputs: &[OutputFile], finished_at: &str) -> Result<i64, StoreError> {
        let e = sql(&self.path, "记录评价");
        insert_outputs(&self.tx, self.id, outputs).map_err(&e)?;
        self.tx
            .execute(
                "UPDATE runs SET finished_at = ?1 WHERE id = ?2",
                params![finished_at, self.id],
            )
            .map_err(&e)?;
        audit(&self.tx, &self.user, "记录评价", Some(self.id), &self.detail).map_err(&e)?;
        self.tx.commit().map_err(&e)?;
        Ok(self.id)
    }
}

/// Every row of `run` with `status`; its number.
fn insert_all(tx: &Transaction, run: &NewRun, status: &str) -> rusqlite::Result<i64> {
    let id = insert_run(tx, run, status)?;
    insert_inputs(tx, id, &run.inputs, &run.sheets)?;
    insert_outputs(tx, id, &run.outputs)?;
    insert_register(tx, id, run.year, &run.register)?;
    insert_parcels(tx, id, &run.parcels)?;
    insert_results(tx, id, &run.results)?;
    insert_problems(tx, id, &run.problems)?;
    Ok(id)
}

fn insert_run(tx: &Transaction, r: &NewRun, status: &str) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO runs (year, scheme, scheme_file, scheme_version, rules_text, rules_sha256,
             status, started_at, finished_at, user_name, program, out_dir, evaluated,
             not_evaluated, tier_counts, csv_head, corrects)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?16, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?17)",
        params![
            r.year,
            r.scheme,
            r.scheme_file,
            r.scheme_version,
            r.rules_text,
            r.rules_sha256,
            r.started_at,
            r.finished_at,
            r.user,
            r.program,
            r.out_dir,
            r.evaluated as i64,
            r.not_evaluated as i64,
            r.tier_counts,
            r.csv_head,
            status,
            r.corrects,
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Keep `f`'s content once by its digest (a copy already kept stays), compressed when that
/// makes it smaller ([`pack`]).
fn insert_file(tx: &Transaction, f: &InputFile) -> rusqlite::Result<()> {
    match f.content.as_deref().map(pack) {
        Some((c, codec)) => put_file(tx, &f.sha256, f.bytes, Some(&c), codec),
        None => put_file(tx, &f.sha256, f.bytes, None, None),
    }
}

/// Keep `content` (as kept, with its codec) once under `sha`; a copy already kept stays, and
/// None only makes sure the file is listed.
fn put_file(
    tx: &Transaction,
    sha: &str,
    bytes: u64,
    content: Option<&[u8]>,
    codec: Option<&str>,
) -> rusqlite::Result<()> {
    let mut file = tx.prepare_cached(
        "INSERT INTO files (sha256, bytes, content, codec) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (sha256) DO UPDATE SET content = coalesce(files.content, excluded.content),
             codec = CASE WHEN files.content IS NULL THEN excluded.codec ELSE files.codec END",
    )?;
    file.execute(params![sha, bytes as i64, content, codec])?;
    Ok(())
}

/// Bytes as lower-case hex (a SHA-256 as the store keeps it).
pub(super) fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Back to the start of `file`.
fn rewind(file: &mut std::fs::File) -> std::io::Result<u64> {
    std::io::Seek::seek(file, std::io::SeekFrom::Start(0))
}

/// Size and SHA-256 (lower-case hex) of `file`, read in pieces from its start.
fn digest(file: &mut std::fs::File) -> std::io::Result<(u64, String)> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    rewind(file)?;
    let bytes = std::io::copy(file, &mut hasher)?;
    Ok((bytes, hex(&hasher.finalize())))
}

/// `file` (`bytes` long) zstd-compressed, read in pieces; None for a zip archive (a workbook) or
/// when compressing saves less than a tenth: then it is kept as it is.
fn packed(file: &mut std::fs::File, bytes: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    rewind(file)?;
    let mut magic = [0u8; 4];
    let n = file.read(&mut magic)?;
    if magic[..n] == *b"PK\x03\x04" {
        return Ok(None);
    }
    let mut z = zstd::stream::write::Encoder::new(Vec::new(), ZSTD_LEVEL)?;
    std::io::Write::write_all(&mut z, &magic[..n])?;
    std::io::copy(file, &mut z)?;
    let z = z.finish()?;
    Ok((z.len() as u64 * 10 < bytes * 9).then_some(z))
}

/// Level of the zstd compression of kept files: the fastest, since a run is recorded while the
/// user waits.
const ZSTD_LEVEL: i32 = 1;

/// A file's bytes as kept: zstd-compressed (codec `zstd`) when that saves at least a tenth, as
/// they are (no codec) otherwise — workbooks are zip archives already.
pub(super) fn pack(bytes: &[u8]) -> (std::borrow::Cow<'_, [u8]>, Option<&'static str>) {
    if bytes.starts_with(b"PK\x03\x04") {
        return (bytes.into(), None);
    }
    match zstd::bulk::compress(bytes, ZSTD_LEVEL) {
        Ok(z) if z.len() * 10 < bytes.len() * 9 => (z.into(), Some("zstd")),
        _ => (bytes.into(), None),
    }
}

/// The bytes of a kept file from its stored content and codec.
pub(super) fn unpack(content: Vec<u8>, codec: Option<&str>) -> std::io::Result<Vec<u8>> {
    match codec {
        Some("zstd") => zstd::stream::decode_all(content.as_slice()),
        _ => Ok(content),
    }
}

fn insert_inputs(
    tx: &Transaction,
    id: i64,
    files: &[InputFile],
    sheets: &[SheetCount],
) -> rusqlite::Result<()> {
    let mut input = tx.prepare_cached(
        "INSERT INTO run_inputs (run_id, ordinal, name, bytes, sha256) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, f) in files.iter().enumerate() {
        insert_file(tx, f)?;
        input.execute(params![id, i as i64, f.name, f.bytes as i64, f.sha256])?;
    }
    let mut sheet = tx.prepare_cached(
        "INSERT INTO run_sheets (run_id, ordinal, file, sheet, table_name, read_rows, used,
             skipped, rejected) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (i, s) in sheets.iter().enumerate() {
        sheet.execute(params![
            id,
            i as i64,
            s.file,
            s.sheet,
            s.table,
            s.read as i64,
            s.used as i64,
            s.skipped as i64,
            s.rejected as i64
        ])?;
    }
    Ok(())
}

fn insert_outputs(tx: &Transaction, id: i64, outputs: &[OutputFile]) -> rusqlite::Result<()> {
    let mut output = tx.prepare_cached(
        "INSERT INTO run_outputs (run_id, ordinal, name, bytes, sha256)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, f) in outputs.iter().enumerate() {
        insert_file(tx, f)?;
        output.execute(params![id, i as i64, f.name, f.bytes as i64, f.sha256])?;
    }
    Ok(())
}

fn insert_register(
    tx: &Transaction,
    id: i64,
    year: i32,
    rows: &[RegisterRow],
) -> rusqlite::Result<()> {
    let mut ent = tx.prepare_cached(
        "INSERT INTO enterprises (code, first_year) VALUES (?1, ?2)
         ON CONFLICT (code) DO UPDATE SET first_year = min(first_year, excluded.first_year)",
    )?;
    let mut row = tx.prepare_cached(
        "INSERT OR IGNORE INTO registers (run_id, code, name, park, town, industry_code, scale,
             registration_date, production_date, tags)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for g in rows {
        ent.execute(params![g.code, year])?;
        row.execute(params![
            id,
            g.code,
            g.name,
            g.park,
            g.town,
            g.industry_code,
            g.scale,
            g.registration_date,
            g.production_date,
            g.tags
        ])?;
    }
    Ok(())
}

fn insert_parcels(tx: &Transaction, id: i64, rows: &[ParcelRow]) -> rusqlite::Result<()> {
    let mut row = tx.prepare_cached(
        "INSERT INTO parcels (run_id, ordinal, certificate, holder, mode, area_mu, counterparty,
             supply_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (i, p) in rows.iter().enumerate() {
        row.execute(params![
            id,
            i as i64,
            p.certificate,
            p.holder,
            p.mode,
            p.area_mu,
            p.counterparty,
            p.supply_date
        ])?;
    }
    Ok(())
}

fn insert_results(tx: &Transaction, id: i64, lines: &[ResultLine]) -> rusqlite::Result<()> {
    let mut row = tx.prepare_cached(
        "INSERT INTO results (run_id, ordinal, code, evaluated, name, park, grp, tier, total,
             rank, csv_line, cluster) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for (i, l) in lines.iter().enumerate() {
        row.execute(params![
            id,
            i as i64,
            l.code,
            l.evaluated,
            l.name,
            l.park,
            l.group,
            l.tier,
            l.total,
            l.rank,
            l.csv_line,
            l.cluster
        ])?;
    }
    Ok(())
}

fn insert_problems(tx: &Transaction, id: i64, problems: &[Problem]) -> rusqlite::Result<()> {
    let mut row = tx.prepare_cached(
        "INSERT INTO problems (run_id, ordinal, severity, table_name, file, sheet, row_number,
             column_name, value, message, action)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for (i, p) in problems.iter().enumerate() {
        row.execute(params![
            id,
            i as i64,
            p.severity.label(),
            p.table,
            p.file,
            p.sheet,
            p.row.map(|r| r as i64),
            p.column,
            p.value,
            p.message,
            p.action
        ])?;
    }
    Ok(())
}

/// Append a line to the audit log.
pub(super) fn audit(
    tx: &Transaction,
    user: &str,
    action: &str,
    run: Option<i64>,
    detail: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO audit (at, user_name, action, run_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![super::now(), user, action, run, detail],
    )?;
    Ok(())
}
