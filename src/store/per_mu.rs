//! The per-mu aggregates a run's reports showed (district, parks, clusters, parks' clusters), kept
//! as the report computed them, so the workbench shows the workbooks' figures without summing
//! the firms again.

use rusqlite::{params, Transaction};
use serde::Serialize;

use super::{sql, Store, StoreError};
use crate::report::PerMu;
use crate::rules::AGGREGATES;

/// The aggregates the table has columns for, by id, in column order.
const MEASURES: [&str; 4] = ["tax_per_mu", "va_per_mu", "rev_per_mu", "output_per_mu"];

/// One scope's aggregates as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredPerMu {
    /// The park; none for the district and the district's clusters.
    pub park: Option<String>,
    /// The industry cluster; none for the district and a park as a whole.
    pub cluster: Option<String>,
    /// Evaluated firms.
    pub firms: i64,
    /// Their land (亩).
    pub land_mu: f64,
    /// Sums of 实缴税额, 工业增加值, 营业收入, 产值 (万元).
    pub tax: f64,
    #[allow(missing_docs)]
    pub value_added: f64,
    #[allow(missing_docs)]
    pub revenue: f64,
    #[allow(missing_docs)]
    pub output_value: f64,
    /// 亩均税收, 亩均增加值, 亩均营业收入, 亩均产值 (万元/亩); none without land.
    pub tax_per_mu: Option<f64>,
    #[allow(missing_docs)]
    pub va_per_mu: Option<f64>,
    #[allow(missing_docs)]
    pub rev_per_mu: Option<f64>,
    #[allow(missing_docs)]
    pub output_per_mu: Option<f64>,
}

/// Position in [`AGGREGATES`] of each of [`MEASURES`].
fn positions() -> [usize; 4] {
    MEASURES.map(|id| AGGREGATES.iter().position(|(a, _, _)| *a == id).expect("aggregate id"))
}

/// Insert `rows` of run `id`, in their order.
pub(super) fn insert(tx: &Transaction, id: i64, rows: &[PerMu]) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO run_per_mu (run_id, ordinal, park, cluster, firms, land_mu, tax,
             value_added, revenue, output_value, tax_per_mu, va_per_mu, rev_per_mu, output_per_mu)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?;
    let [t, v, r, o] = positions();
    for (i, m) in rows.iter().enumerate() {
        let a = &m.agg;
        st.execute(params![
            id,
            i as i64,
            m.park,
            m.cluster,
            a.n as i64,
            a.land,
            a.sums[t],
            a.sums[v],
            a.sums[r],
            a.sums[o],
            a.per_mu(t),
            a.per_mu(v),
            a.per_mu(r),
            a.per_mu(o)
        ])?;
    }
    Ok(())
}

impl Store {
    /// Run `id`'s aggregates in the report's order: with `park`, the district's and that park's
    /// (as a whole and per cluster) only; without, the district's, each park's and each cluster's
    /// (not the parks' clusters). Empty for a run recorded before they were kept.
    pub fn per_mu(&self, id: i64, park: Option<&str>) -> Result<Vec<StoredPerMu>, StoreError> {
        let e = sql(&self.path, "读取亩均汇总");
        let mut st = self
            .conn
            .prepare(
                "SELECT park, cluster, firms, land_mu, tax, value_added, revenue, output_value,
                     tax_per_mu, va_per_mu, rev_per_mu, output_per_mu
                 FROM run_per_mu WHERE run_id = ?1
                   AND (park IS NULL AND cluster IS NULL
                        OR CASE WHEN ?2 IS NULL THEN park IS NULL OR cluster IS NULL
                                ELSE park = ?2 END)
                 ORDER BY ordinal",
            )
            .map_err(&e)?;
        let rows = st
            .query_map(params![id, park], |r| {
                Ok(StoredPerMu {
                    park: r.get(0)?,
                    cluster: r.get(1)?,
                    firms: r.get(2)?,
                    land_mu: r.get(3)?,
                    tax: r.get(4)?,
                    value_added: r.get(5)?,
                    revenue: r.get(6)?,
                    output_value: r.get(7)?,
                    tax_per_mu: r.get(8)?,
                    va_per_mu: r.get(9)?,
                    rev_per_mu: r.get(10)?,
                    output_per_mu: r.get(11)?,
                })
            })
            .map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }
}
