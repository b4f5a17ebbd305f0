//! The workbench's evaluation jobs: queued by a bureau user, run one at a time by the server's
//! worker, each with its state, phase and message, and the run it recorded when done.

use rusqlite::{params, OptionalExtension, Row};

use super::record::audit;
use super::{sql, Store, StoreError};

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum JobState {
    /// Waiting for the worker.
    Queued,
    /// Being evaluated.
    Running,
    /// Evaluated and recorded.
    Done,
    /// Stopped by an error (or by the server stopping).
    Failed,
}

impl JobState {
    /// The state as stored and shown: 排队, 运行, 完成, 失败.
    pub fn label(self) -> &'static str {
        match self {
            JobState::Queued => "排队",
            JobState::Running => "运行",
            JobState::Done => "完成",
            JobState::Failed => "失败",
        }
    }

    fn parse(text: &str) -> JobState {
        match text {
            "排队" => JobState::Queued,
            "运行" => JobState::Running,
            "完成" => JobState::Done,
            _ => JobState::Failed,
        }
    }
}

/// A job as asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// The evaluation year.
    pub year: i32,
    /// The scheme: a shipped scheme's name, or the uploaded rule file's name.
    pub scheme: String,
    /// Who asked.
    pub user: String,
    /// Every uploaded data file: (name as shown, SHA-256).
    pub uploads: Vec<(String, String)>,
    /// The uploaded rule file (name as shown, SHA-256); None for a shipped scheme.
    pub rules_file: Option<(String, String)>,
    /// Why the evaluation goes on despite input errors, when it does.
    pub confirm_reason: Option<String>,
    /// The run under 公示 it corrects (a 复核), when it does.
    pub corrects: Option<i64>,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Job {
    /// Job number.
    pub id: i64,
    /// The evaluation year.
    pub year: i32,
    /// The scheme.
    pub scheme: String,
    /// Who asked.
    pub user: String,
    /// 排队, 运行, 完成 or 失败.
    pub state: &'static str,
    /// The phase being run (读取, 检查 …), or the last one.
    pub phase: String,
    /// What it is doing, or why it failed, in words.
    pub message: String,
    /// Every uploaded data file: (name as shown, SHA-256).
    pub uploads: Vec<(String, String)>,
    /// The uploaded rule file (name as shown, SHA-256); None for a shipped scheme.
    pub rules_file: Option<(String, String)>,
    /// The reason given for going on despite input errors.
    pub confirm_reason: Option<String>,
    /// The run it recorded, when done.
    pub run: Option<i64>,
    /// When it was queued, started and finished (RFC 3339 UTC).
    pub queued_at: String,
    /// When the worker took it.
    pub started_at: Option<String>,
    /// When it ended.
    pub finished_at: Option<String>,
    /// The run it corrects (a 复核).
    pub corrects: Option<i64>,
}

const COLUMNS: &str = "id, year, scheme, user_name, state, phase, message, uploads, \
                       confirm_reason, run_id, queued_at, started_at, finished_at, rules_file, \
                       corrects";

fn job(r: &Row) -> rusqlite::Result<Job> {
    let uploads: String = r.get(7)?;
    let state: String = r.get(4)?;
    Ok(Job {
        id: r.get(0)?,
        year: r.get(1)?,
        scheme: r.get(2)?,
        user: r.get(3)?,
        state: JobState::parse(&state).label(),
        phase: r.get(5)?,
        message: r.get(6)?,
        uploads: serde_json::from_str(&uploads).unwrap_or_default(),
        confirm_reason: r.get(8)?,
        run: r.get(9)?,
        queued_at: r.get(10)?,
        started_at: r.get(11)?,
        finished_at: r.get(12)?,
        rules_file: r.get::<_, Option<String>>(13)?.and_then(|t| serde_json::from_str(&t).ok()),
        corrects: r.get(14)?,
    })
}

impl Store {
    /// Queue a job; its number. The audit log says who queued what (and the reason given for
    /// going on despite errors).
    pub fn queue_job(&mut self, j: &NewJob) -> Result<i64, StoreError> {
        let path = self.path.clone();
        let e = sql(&path, "记录评价任务");
        let uploads = serde_json::to_string(&j.uploads).unwrap_or_else(|_| "[]".into());
        let rules_file = j.rules_file.as_ref().and_then(|f| serde_json::to_string(f).ok());
        let tx = self.write().map_err(&e)?;
        tx.execute(
            "INSERT INTO jobs (year, scheme, user_name, state, phase, message, uploads,
                               rules_file, confirm_reason, queued_at, corrects)
             VALUES (?1, ?2, ?3, '排队', '', '等待评价', ?4, ?5, ?6, ?7, ?8)",
            params![
                j.year,
                j.scheme,
                j.user,
                uploads,
                rules_file,
                j.confirm_reason,
                super::now(),
                j.corrects
            ],
        )
        .map_err(&e)?;
        let id = tx.last_insert_rowid();
        let mut detail =
            format!("第 {id} 号任务：{}年度，{}，{} 个文件", j.year, j.scheme, j.uploads.len());
        if let Some(reason) = &j.confirm_reason {
            detail += &format!("；输入有错误仍评价，理由：{reason}");
        }
        if let Some(c) = j.corrects {
            detail += &format!("；复核第 {c} 号评价");
        }
        audit(&tx, &j.user, "提交评价", None, &detail).map_err(&e)?;
        tx.commit().map_err(&e)?;
        Ok(id)
    }

    /// Job `id`.
    pub fn job(&self, id: i64) -> Result<Option<Job>, StoreError> {
        let q = format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1");
        self.conn.query_row(&q, [id], job).optional().map_err(sql(&self.path, "读取评价任务"))
    }

    /// Every job, oldest first.
    pub fn jobs(&self) -> Result<Vec<Job>, StoreError> {
        let e = sql(&self.path, "读取评价任务");
        let mut st =
            self.conn.prepare(&format!("SELECT {COLUMNS} FROM jobs ORDER BY id")).map_err(&e)?;
        let rows = st.query_map([], job).map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    /// The oldest queued job, taken (now 运行).
    pub fn take_job(&mut self) -> Result<Option<Job>, StoreError> {
        // Looked at without the write lock first: the queue is empty most of the time.
        let waiting: i64 = self
            .conn
            .query_row("SELECT count(*) FROM jobs WHERE state = '排队'", [], |r| r.get(0))
            .map_err(sql(&self.path, "读取评价任务"))?;
        if waiting == 0 {
            return Ok(None);
        }
        let path = self.path.clone();
        let e = sql(&path, "记录评价任务");
        let tx = self.write().map_err(&e)?;
        let q = format!("SELECT {COLUMNS} FROM jobs WHERE state = '排队' ORDER BY id LIMIT 1");
        let Some(mut j) = tx.query_row(&q, [], job).optional().map_err(&e)? else {
            return Ok(None);
        };
        let now = super::now();
        tx.execute(
            "UPDATE jobs SET state = '运行', message = '开始评价', started_at = ?2 WHERE id = ?1",
            params![j.id, now],
        )
        .map_err(&e)?;
        tx.commit().map_err(&e)?;
        j.state = JobState::Running.label();
        j.started_at = Some(now);
        Ok(Some(j))
    }

    /// A running job's phase and what it is doing.
    pub fn job_phase(&mut self, id: i64, phase: &str, message: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE jobs SET phase = ?2, message = ?3 WHERE id = ?1",
                params![id, phase, message],
            )
            .map(|_| ())
            .map_err(sql(&self.path, "记录评价任务"))
    }

    /// Job `id` ended: done with its run, or failed with `message`.
    pub fn end_job(&mut self, id: i64, run: Option<i64>, message: &str) -> Result<(), StoreError> {
        let state = if run.is_some() { JobState::Done } else { JobState::Failed };
        self.conn
            .execute(
                "UPDATE jobs SET state = ?2, run_id = ?3, message = ?4, finished_at = ?5
                 WHERE id = ?1",
                params![id, state.label(), run, message, super::now()],
            )
            .map(|_| ())
            .map_err(sql(&self.path, "记录评价任务"))
    }

    /// Mark every job a stopped server left queued or running as failed with `message`; how
    /// many there were.
    pub fn fail_unfinished_jobs(&mut self, message: &str) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let e = sql(&path, "记录评价任务");
        let tx = self.write().map_err(&e)?;
        let n = tx
            .execute(
                "UPDATE jobs SET state = '失败', message = ?1, finished_at = ?2
                 WHERE state IN ('排队', '运行')",
                params![message, super::now()],
            )
            .map_err(&e)?;
        tx.commit().map_err(&e)?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("mujun.db")).unwrap();
        (dir, s)
    }

    fn new_job(user: &str) -> NewJob {
        NewJob {
            year: 2025,
            scheme: "fuling".into(),
            user: user.into(),
            uploads: vec![("企业名录.csv".into(), "ab".repeat(32))],
            rules_file: None,
            confirm_reason: None,
            corrects: None,
        }
    }

    #[test]
    fn jobs_are_taken_oldest_first_and_end_done_or_failed() {
        let (_d, mut s) = store();
        let a = s.queue_job(&new_job("甲")).unwrap();
        let b = s.queue_job(&new_job("乙")).unwrap();
        let taken = s.take_job().unwrap().unwrap();
        assert_eq!((taken.id, taken.state), (a, "运行"));
        s.job_phase(a, "读取", "读取数据").unwrap();
        assert_eq!(s.job(a).unwrap().unwrap().phase, "读取");
        s.end_job(a, None, "出错了").unwrap();
        assert_eq!(s.job(a).unwrap().unwrap().state, "失败");
        assert_eq!(s.job(b).unwrap().unwrap().state, "排队");
        assert_eq!(s.job(b).unwrap().unwrap().uploads[0].0, "企业名录.csv");
    }

    #[test]
    fn a_stopped_servers_unfinished_jobs_are_marked_failed() {
        let (_d, mut s) = store();
        let a = s.queue_job(&new_job("甲")).unwrap();
        let b = s.queue_job(&new_job("甲")).unwrap();
        s.take_job().unwrap();
        assert_eq!(s.fail_unfinished_jobs("服务器已停止").unwrap(), 2);
        for id in [a, b] {
            let j = s.job(id).unwrap().unwrap();
            assert_eq!((j.state, j.message.as_str()), ("失败", "服务器已停止"));
        }
        assert_eq!(s.take_job().unwrap(), None);
    }
}
