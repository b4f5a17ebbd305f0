//! The per-mu table of a run's page: the aggregates the reports computed and the store kept,
//! shown with the workbooks' labels (no sum or ratio is computed here).

use crate::store::StoredPerMu;

use super::card::short;

/// One row of the table, as shown.
#[derive(Debug, Clone)]
pub struct Row {
    /// 全区, a park, or a cluster.
    pub label: String,
    /// Evaluated firms.
    pub firms: i64,
    /// Land (亩), shortened.
    pub land: String,
    /// 亩均税收, 亩均增加值, 亩均营业收入, 亩均产值; "—" without land.
    pub per_mu: [String; 4],
}

/// The column heads of [`Row::per_mu`].
pub const HEADS: [&str; 4] = ["亩均税收", "亩均增加值", "亩均营业收入", "亩均产值"];

fn row(label: String, m: &StoredPerMu) -> Row {
    let show = |x: Option<f64>| x.map(|v| short(&v.to_string())).unwrap_or_else(|| "—".into());
    Row {
        label,
        firms: m.firms,
        land: short(&m.land_mu.to_string()),
        per_mu: [show(m.tax_per_mu), show(m.va_per_mu), show(m.rev_per_mu), show(m.output_per_mu)],
    }
}

/// The rows by park (the district's last) and by cluster, from what the store gave the viewer:
/// a park user's park and its clusters and the district as a whole, or every park and cluster.
pub fn tables(stored: &[StoredPerMu]) -> (Vec<Row>, Vec<Row>) {
    let mut parks: Vec<Row> = Vec::new();
    let mut clusters: Vec<Row> = Vec::new();
    let mut district = None;
    for m in stored {
        match (&m.park, &m.cluster) {
            (None, None) => district = Some(row("全区（全部参评企业）".into(), m)),
            (Some(p), None) => parks.push(row(p.clone(), m)),
            (_, Some(c)) => clusters.push(row(c.clone(), m)),
        }
    }
    parks.extend(district);
    (parks, clusters)
}
