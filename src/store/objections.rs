//! Objections (异议) against a run under notice, recorded all of a file or none, each with who
//! recorded it, when and from where; listed by firm for the bureau, or within a park.

use rusqlite::params;
use serde::Serialize;

use super::record::audit;
use super::{sql, Store, StoreError};
use crate::review::corrections::Correction;
use crate::review::objections::Objection;

/// An objection as stored: its number, the firm's name and park from the run, who recorded it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredObjection {
    /// Its number.
    pub id: i64,
    /// The firm's name in the run.
    pub name: String,
    /// Its park in the run.
    pub park: String,
    /// The objection.
    pub objection: Objection,
    /// Who recorded it, when, from where.
    pub recorded: (String, String, String),
}

impl Store {
    /// Record `list` against run `run` in one transaction (all or none), recorded by `user` from
    /// `source` (a file's name, or 表单), with one audit line. Returns their numbers.
    pub fn record_objections(
        &mut self,
        run: i64,
        list: &[Objection],
        user: &str,
        source: &str,
    ) -> Result<Vec<i64>, StoreError> {
        let r = self.run(run)?;
        let path = self.path.clone();
        let e = sql(&path, "记录异议");
        let now = super::now();
        let tx = self.write().map_err(&e)?;
        let mut ids = Vec::with_capacity(list.len());
        {
            let mut st = tx
                .prepare(
                    "INSERT INTO objections (run_id, code, received, kind, table_name, field,
                         row_key, value, evidence, handler, decision, reason, late, recorded_by,
                         recorded_at, source)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                )
                .map_err(&e)?;
            for o in list {
                st.execute(params![
                    run, o.code, o.received, o.kind, o.table, o.field, o.row_key, o.value,
                    o.evidence, o.handler, o.decision, o.reason, o.late, user, now, source
                ])
                .map_err(&e)?;
                ids.push(tx.last_insert_rowid());
            }
        }
        let late = list.iter().filter(|o| o.late).count();
        let detail = format!(
            "{}年度「{}」第 {run} 号评价的异议 {} 条（其中公示期后收到 {late} 条），来自 {source}",
            r.year,
            r.scheme,
            list.len()
        );
        audit(&tx, user, "记录异议", Some(run), &detail).map_err(&e)?;
        tx.commit().map_err(&e)?;
        Ok(ids)
    }

    /// Decide objection `id` of run `run` (`decision` one of 采纳, 不采纳, 部分采纳, with its
    /// `reason`), by `user`; the old decision and the new one go into the audit log. Refused
    /// once a 复核 of the run has been recorded (its corrections were laid over then).
    pub fn decide_objection(
        &mut self,
        run: i64,
        id: i64,
        decision: &str,
        reason: &str,
        user: &str,
    ) -> Result<(), StoreError> {
        let list = self.objections(run, None)?;
        let Some(o) = list.iter().find(|o| o.id == id) else {
            return Err(StoreError::Refused(format!("第 {run} 号评价没有第 {id} 号异议")));
        };
        if !crate::review::objections::DECISIONS.contains(&decision) {
            let all = crate::review::objections::DECISIONS.join("、");
            return Err(StoreError::Refused(format!(
                "处理结果「{decision}」不是可用的词（{all}）"
            )));
        }
        if reason.trim().is_empty() {
            return Err(StoreError::Refused("处理结果须写明理由".into()));
        }
        if let Some(r) = self.runs()?.into_iter().find(|r| r.corrects == Some(run)) {
            let message = format!(
                "已由第 {} 号评价复核，异议的处理结果不能再改（需要时请记录新的异议并再次复核）",
                r.id
            );
            return Err(StoreError::Status { id: run, message });
        }
        let old = o.objection.decision.clone().unwrap_or_else(|| "待处理".into());
        let path = self.path.clone();
        let e = sql(&path, "处理异议");
        let tx = self.write().map_err(&e)?;
        tx.execute(
            "UPDATE objections SET decision = ?1, reason = ?2 WHERE id = ?3 AND run_id = ?4",
            params![decision, reason.trim(), id, run],
        )
        .map_err(&e)?;
        let detail = format!(
            "第 {id} 号异议（{}）：{old} → {decision}，理由：{}",
            o.objection.code,
            reason.trim()
        );
        audit(&tx, user, "处理异议", Some(run), &detail).map_err(&e)?;
        tx.commit().map_err(&e)
    }

    /// Run `run`'s objections by number, with the firm's name and park in the run (within `park`
    /// when given).
    pub fn objections(
        &self,
        run: i64,
        park: Option<&str>,
    ) -> Result<Vec<StoredObjection>, StoreError> {
        self.run(run)?;
        let e = sql(&self.path, "读取异议");
        let mut st = self
            .conn
            .prepare(
                "SELECT o.id, coalesce(r.name, ''), coalesce(r.park, ''), o.code, o.received,
                     o.kind, o.table_name, o.field, o.row_key, o.value, o.evidence, o.handler,
                     o.decision, o.reason, o.late, o.recorded_by, o.recorded_at, o.source
                 FROM objections o LEFT JOIN results r ON r.run_id = o.run_id AND r.code = o.code
                 WHERE o.run_id = ?1 AND (?2 IS NULL OR r.park = ?2) ORDER BY o.id",
            )
            .map_err(&e)?;
        let rows = st
            .query_map(params![run, park], |r| {
                Ok(StoredObjection {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    park: r.get(2)?,
                    objection: Objection {
                        code: r.get(3)?,
                        received: r.get(4)?,
                        kind: r.get(5)?,
                        table: r.get(6)?,
                        field: r.get(7)?,
                        row_key: r.get(8)?,
                        value: r.get(9)?,
                        evidence: r.get(10)?,
                        handler: r.get(11)?,
                        decision: r.get(12)?,
                        reason: r.get(13)?,
                        late: r.get(14)?,
                    },
                    recorded: (r.get(15)?, r.get(16)?, r.get(17)?),
                })
            })
            .map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    /// The corrections of run `run`'s accepted objections (采纳, 部分采纳, with a table and field),
    /// in the order recorded: what a 复核 of it lays over its inputs.
    pub fn accepted_corrections(&self, run: i64) -> Result<Vec<Correction>, StoreError> {
        let all = self.objections(run, None)?;
        Ok(all
            .into_iter()
            .filter(|s| matches!(s.objection.decision.as_deref(), Some("采纳" | "部分采纳")))
            .filter_map(|s| {
                let o = s.objection;
                Some(Correction {
                    objection: s.id,
                    code: o.code,
                    table: o.table?,
                    field: o.field?,
                    row_key: o.row_key,
                    value: o.value.unwrap_or_default(),
                    who: s.recorded.0,
                    when: s.recorded.1,
                    why: o.reason,
                })
            })
            .collect())
    }

    /// The credit codes run `run` lists (evaluated or not), within `park` when given.
    pub fn codes_of_run(
        &self,
        run: i64,
        park: Option<&str>,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        let e = sql(&self.path, "读取评价结果");
        let mut st = self
            .conn
            .prepare("SELECT code FROM results WHERE run_id = ?1 AND (?2 IS NULL OR park = ?2)")
            .map_err(&e)?;
        let rows = st.query_map(params![run, park], |r| r.get(0)).map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }
}
