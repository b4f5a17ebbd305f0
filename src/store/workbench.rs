//! What the workbench reads besides the command line's queries: counts of a run's stored tiers
//! by group, park and tier, optionally within one park (a park user's view). Counting stored
//! results is all it does; no score, benchmark or rank is computed here.

use rusqlite::params;

use super::{sql, Store, StoreError};

/// Evaluated firms of one group, park and tier.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TierCount {
    /// The evaluation group (规上, 规下 …).
    pub group: String,
    /// The park ("" when the register has none).
    pub park: String,
    /// The final tier.
    pub tier: String,
    /// Firms.
    pub count: i64,
}

impl Store {
    /// Run `id`'s evaluated firms counted by group, park and tier (within `park` when given).
    pub fn tier_table(&self, id: i64, park: Option<&str>) -> Result<Vec<TierCount>, StoreError> {
        let e = sql(&self.path, "读取评价结果");
        let mut st = self
            .conn
            .prepare(
                "SELECT coalesce(grp, ''), coalesce(park, ''), coalesce(tier, ''), count(*)
                 FROM results WHERE run_id = ?1 AND evaluated = 1
                   AND (?2 IS NULL OR park = ?2)
                 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            )
            .map_err(&e)?;
        let rows = st
            .query_map(params![id, park], |r| {
                Ok(TierCount {
                    group: r.get(0)?,
                    park: r.get(1)?,
                    tier: r.get(2)?,
                    count: r.get(3)?,
                })
            })
            .map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    /// Run `id`'s (evaluated, not evaluated) firms, within `park` when given.
    pub fn firm_totals(&self, id: i64, park: Option<&str>) -> Result<(i64, i64), StoreError> {
        self.conn
            .query_row(
                "SELECT coalesce(sum(evaluated = 1), 0), coalesce(sum(evaluated = 0), 0)
                 FROM results WHERE run_id = ?1 AND (?2 IS NULL OR park = ?2)",
                params![id, park],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(sql(&self.path, "读取评价结果"))
    }
}
