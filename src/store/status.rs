//! A run's status, following the year's round: 草稿 → 公示 (with its notice period) → a 复核 run
//! that corrects it → 定稿; or 草稿 → 定稿 directly. Each change is one transaction with its
//! audit line (who, when, what). Nothing of a run is edited: a correction is a new run.

use super::query::RunSummary;
use super::record::audit;
use super::{sql, Store, StoreError};

/// A notice period checked as the rule file's `[notice] from/to` is; the message names which
/// day is wrong.
fn period(start: &str, end: &str) -> Result<(String, String), StoreError> {
    match crate::rules::notice_period(Some(start), Some(end)) {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err(StoreError::Refused("须写明公示期".into())),
        Err((key, m)) if m.starts_with('「') => {
            let what =
                if key.ends_with("from") { "公示开始日期" } else { "公示结束日期" };
            Err(StoreError::Refused(format!("{what}{m}")))
        }
        Err((_, m)) => Err(StoreError::Refused(m)),
    }
}

impl Store {
    /// Put draft `id` under public notice (草稿 → 公示) from `start` to `end`, both days included
    /// (YYYY-MM-DD, the end not before the start). Its lists are frozen from then on: a
    /// correction is a 复核 run.
    pub fn put_on_notice(
        &mut self,
        id: i64,
        user: &str,
        start: &str,
        end: &str,
    ) -> Result<(), StoreError> {
        let run = self.run(id)?;
        let (from, to) = period(start, end)?;
        if run.status != "草稿" {
            let message = format!("的状态是{}，只有草稿可以公示", run.status);
            return Err(StoreError::Status { id, message });
        }
        let path = self.path.clone();
        let e = sql(&path, "公示");
        let tx = self.write().map_err(&e)?;
        tx.execute(
            "UPDATE runs SET status = '公示', notice_start = ?2, notice_end = ?3 WHERE id = ?1",
            rusqlite::params![id, from, to],
        )
        .map_err(&e)?;
        let detail =
            format!("{}年度「{}」草稿 → 公示，公示期 {from} 至 {to}", run.year, run.scheme);
        audit(&tx, user, "公示", Some(id), &detail).map_err(&e)?;
        tx.commit().map_err(&e)
    }

    /// The notice period run `id`'s rule file plans (`[notice] from`, `to`), if it gives one:
    /// what `runs notice` takes when it is given no dates.
    pub fn planned_notice(&self, id: i64) -> Result<Option<(String, String)>, StoreError> {
        Ok(crate::rules::stored_notice_period(&self.rules_text(id)?))
    }

    /// The run a re-run of `year` and `scheme` may correct: `id`, under 公示 or itself a 复核,
    /// of the same year and scheme.
    pub fn correctable(&self, id: i64, year: i32, scheme: &str) -> Result<RunSummary, StoreError> {
        let run = self.run(id)?;
        if run.status != "公示" && run.status != "复核" {
            let message =
                format!("的状态是{}，复核只能更正公示中的评价（或上一次复核）", run.status);
            return Err(StoreError::Status { id, message });
        }
        if run.year != year || run.scheme != scheme {
            let message = format!(
                "是{}年度「{}」的评价，与本次（{year}年度「{scheme}」）不同，不能复核",
                run.year, run.scheme
            );
            return Err(StoreError::Status { id, message });
        }
        Ok(run)
    }

    /// Make run `id` the official result (定稿) of its year and scheme: a draft, a run under
    /// 公示 that needs no correction, or a 复核; only while no other run of the year and scheme
    /// is 定稿.
    pub fn finalize(&mut self, id: i64, user: &str) -> Result<(), StoreError> {
        let run = self.run(id)?;
        if run.status == "定稿" {
            let message = "已经定稿".to_string();
            return Err(StoreError::Status { id, message });
        }
        if let Some(other) = self.final_run(run.year, &run.scheme)? {
            let message = format!(
                "不能定稿：{}年度「{}」已有定稿的第 {other} 号记录（每个年度和方案只有一个定稿）",
                run.year, run.scheme
            );
            return Err(StoreError::Status { id, message });
        }
        let path = self.path.clone();
        let e = sql(&path, "定稿");
        let tx = self.write().map_err(&e)?;
        tx.execute("UPDATE runs SET status = '定稿' WHERE id = ?1", [id]).map_err(&e)?;
        let detail = format!("{}年度「{}」{} → 定稿", run.year, run.scheme, run.status);
        audit(&tx, user, "定稿", Some(id), &detail).map_err(&e)?;
        tx.commit().map_err(&e)
    }
}
