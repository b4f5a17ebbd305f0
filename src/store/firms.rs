//! What the workbench's 结果 pages read of a run: its firm table paged, searched, filtered and
//! sorted in SQL (within a park user's park when given), the values the filters offer, the
//! stored totals for the score distribution, tier counts per cluster, one firm's stored CSV
//! line, and the published files by name. Reading and counting only: no score, benchmark or
//! rank is computed here.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

use super::{sql, Store, StoreError};
use crate::columns::{key, unguard};

/// Firms per page when the request names no size.
pub const FIRMS_PER_PAGE: u32 = 50;
/// The largest page a request may ask for.
pub const MAX_PAGE_SIZE: u32 = 200;

/// What the firm table may be sorted by: a fixed list, each with its own column (the request
/// names one of them; its text never reaches the SQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Rank in its population (not evaluated firms last).
    #[default]
    Rank,
    /// Total score.
    Total,
    /// Name.
    Name,
    /// Credit code.
    Code,
}

impl Sort {
    /// The sort a request names (`rank`, `total`, `name`, `code`); None for anything else.
    pub fn parse(text: &str) -> Option<Sort> {
        match text {
            "rank" => Some(Sort::Rank),
            "total" => Some(Sort::Total),
            "name" => Some(Sort::Name),
            "code" => Some(Sort::Code),
            _ => None,
        }
    }

    /// Its name in a request.
    pub fn name(self) -> &'static str {
        match self {
            Sort::Rank => "rank",
            Sort::Total => "total",
            Sort::Name => "name",
            Sort::Code => "code",
        }
    }

    fn column(self) -> &'static str {
        match self {
            Sort::Rank => "rank",
            Sort::Total => "total",
            Sort::Name => "name",
            Sort::Code => "code",
        }
    }
}

/// One request of the firm table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FirmQuery {
    /// A park user's park: nothing outside it is read (forced, whatever the filters say).
    pub scope: Option<String>,
    /// A credit code's beginning or any part of a name (blank: every firm).
    pub q: String,
    /// Only this park, group, final tier, cluster (None: all).
    pub park: Option<String>,
    /// Group id.
    pub group: Option<String>,
    /// Final tier.
    pub tier: Option<String>,
    /// Industry cluster.
    pub cluster: Option<String>,
    /// Sorted by.
    pub sort: Sort,
    /// Descending.
    pub desc: bool,
    /// Page number from 1 (0 is read as 1).
    pub page: u32,
    /// Firms per page (0: [`FIRMS_PER_PAGE`]; at most [`MAX_PAGE_SIZE`]).
    pub per_page: u32,
}

impl FirmQuery {
    /// The page size used: the one asked for within 1..=[`MAX_PAGE_SIZE`].
    pub fn size(&self) -> u32 {
        match self.per_page {
            0 => FIRMS_PER_PAGE,
            n => n.min(MAX_PAGE_SIZE),
        }
    }

    /// The page used (from 1).
    pub fn page_number(&self) -> u32 {
        self.page.max(1)
    }
}

/// One firm of the table, as recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FirmRow {
    /// 统一社会信用代码.
    pub code: String,
    /// Name.
    pub name: Option<String>,
    /// Park.
    pub park: Option<String>,
    /// Group id.
    pub group: Option<String>,
    /// Final tier (for one not evaluated, the tier it is managed as).
    pub tier: Option<String>,
    /// Industry cluster.
    pub cluster: Option<String>,
    /// Total score.
    pub total: Option<f64>,
    /// Rank in its population.
    pub rank: Option<i64>,
    /// Evaluated (false: listed as not evaluated).
    pub evaluated: bool,
}

/// One page of the firm table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FirmPage {
    /// The page's firms.
    pub rows: Vec<FirmRow>,
    /// Firms matching the request over all pages.
    pub matching: i64,
    /// This page (from 1).
    pub page: u32,
    /// Firms per page.
    pub per_page: u32,
}

/// The values the filters offer: what the run holds within the scope.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Facets {
    /// Parks.
    pub parks: Vec<String>,
    /// Group ids.
    pub groups: Vec<String>,
    /// Final tiers.
    pub tiers: Vec<String>,
    /// Clusters.
    pub clusters: Vec<String>,
}

/// Evaluated firms of one cluster and tier.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClusterCount {
    /// The cluster ("" when none was recorded).
    pub cluster: String,
    /// Final tier.
    pub tier: String,
    /// Firms.
    pub count: i64,
}

/// One firm's recorded line of a run, with what reads it: the CSV header and the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct FirmLine {
    /// Its park as recorded.
    pub park: Option<String>,
    /// The run's results CSV header (with its BOM and line end).
    pub csv_head: Vec<u8>,
    /// The firm's CSV line.
    pub csv_line: Vec<u8>,
    /// The run's rule file as it was.
    pub rules_text: String,
}

/// One published file of a run, without its bytes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OutputEntry {
    /// Its path inside the output folder (`/`-separated).
    pub name: String,
    /// Its size.
    pub bytes: i64,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Whether its bytes were kept.
    pub kept: bool,
}

/// The WHERE clause of a request and its values: only fixed text, the values bound.
fn filter(run: i64, f: &FirmQuery) -> (String, Vec<Value>) {
    let mut sql = String::from(" FROM results WHERE run_id = ?1");
    let mut args = vec![Value::Integer(run)];
    let mut eq = |column: &str, v: &Option<String>, sql: &mut String| {
        if let Some(v) = v {
            args.push(Value::Text(v.clone()));
            sql.push_str(&format!(" AND {column} = ?{}", args.len()));
        }
    };
    eq("park", &f.scope, &mut sql);
    eq("park", &f.park, &mut sql);
    eq("grp", &f.group, &mut sql);
    eq("tier", &f.tier, &mut sql);
    eq("cluster", &f.cluster, &mut sql);
    let q = f.q.trim();
    if !q.is_empty() {
        args.push(Value::Text(q.to_string()));
        let n = args.len();
        sql.push_str(&format!(
            " AND (substr(code, 1, length(?{n})) = upper(?{n}) OR instr(name, ?{n}) > 0)"
        ));
    }
    (sql, args)
}

/// The ORDER BY of a sort: blanks last either way, then the code (a stable order for paging).
fn order(sort: Sort, desc: bool) -> String {
    let (c, dir) = (sort.column(), if desc { "DESC" } else { "ASC" });
    format!(" ORDER BY ({c} IS NULL), {c} {dir}, grp, code {dir}")
}

impl Store {
    /// One page of run `run`'s firm table as `f` asks (the run must exist).
    pub fn firms(&self, run: i64, f: &FirmQuery) -> Result<FirmPage, StoreError> {
        self.run(run)?;
        let e = sql(&self.path, "读取企业名单");
        let (filter, mut args) = filter(run, f);
        let matching: i64 = self
            .conn
            .query_row(&format!("SELECT count(*){filter}"), params_from_iter(&args), |r| r.get(0))
            .map_err(&e)?;
        let (size, page) = (f.size(), f.page_number());
        args.push(Value::Integer(i64::from(size)));
        args.push(Value::Integer(i64::from(size) * i64::from(page - 1)));
        let n = args.len();
        let text = format!(
            "SELECT code, name, park, grp, tier, cluster, total, rank, evaluated{filter}{}
             LIMIT ?{} OFFSET ?{n}",
            order(f.sort, f.desc),
            n - 1
        );
        let mut st = self.conn.prepare(&text).map_err(&e)?;
        let rows = st
            .query_map(params_from_iter(&args), |r| {
                Ok(FirmRow {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    park: r.get(2)?,
                    group: r.get(3)?,
                    tier: r.get(4)?,
                    cluster: r.get(5)?,
                    total: r.get(6)?,
                    rank: r.get(7)?,
                    evaluated: r.get(8)?,
                })
            })
            .map_err(&e)?
            .collect::<Result<_, _>>()
            .map_err(&e)?;
        Ok(FirmPage { rows, matching, page, per_page: size })
    }

    /// The parks, groups, tiers and clusters run `run` holds (within `scope`), each sorted: one
    /// pass over the firm index in its own order (four DISTINCT queries took four).
    pub fn facets(&self, run: i64, scope: Option<&str>) -> Result<Facets, StoreError> {
        let e = sql(&self.path, "读取企业名单");
        let mut st = self
            .conn
            .prepare(
                "SELECT park, grp, tier, cluster FROM results
                 WHERE run_id = ?1 AND (?2 IS NULL OR park = ?2) GROUP BY 1, 2, 3, 4",
            )
            .map_err(&e)?;
        let mut sets: [BTreeSet<String>; 4] = Default::default();
        let mut rows = st.query(params![run, scope]).map_err(&e)?;
        while let Some(r) = rows.next().map_err(&e)? {
            for (i, set) in sets.iter_mut().enumerate() {
                if let Some(v) = r.get::<_, Option<String>>(i).map_err(&e)? {
                    set.insert(v);
                }
            }
        }
        let [parks, groups, tiers, clusters] = sets.map(|s| s.into_iter().collect::<Vec<String>>());
        Ok(Facets { parks, groups, tiers, clusters })
    }

    /// The recorded (group, total) of run `run`'s evaluated firms (within `scope`).
    pub fn totals(&self, run: i64, scope: Option<&str>) -> Result<Vec<(String, f64)>, StoreError> {
        let e = sql(&self.path, "读取评价结果");
        let mut st = self
            .conn
            .prepare(
                "SELECT coalesce(grp, ''), total FROM results WHERE run_id = ?1 AND evaluated = 1
                   AND (?2 IS NULL OR park = ?2) AND total IS NOT NULL",
            )
            .map_err(&e)?;
        let rows = st.query_map(params![run, scope], |r| Ok((r.get(0)?, r.get(1)?))).map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    /// Run `run`'s evaluated firms counted by cluster and final tier (within `scope`), sorted:
    /// counted in one pass in the firm index's order, then summed per cluster and tier.
    pub fn cluster_table(
        &self,
        run: i64,
        scope: Option<&str>,
    ) -> Result<Vec<ClusterCount>, StoreError> {
        let e = sql(&self.path, "读取评价结果");
        let mut st = self
            .conn
            .prepare(
                "SELECT coalesce(cluster, ''), coalesce(tier, ''), count(*) FROM results
                 WHERE run_id = ?1 AND evaluated = 1 AND (?2 IS NULL OR park = ?2)
                 GROUP BY park, grp, tier, cluster",
            )
            .map_err(&e)?;
        let mut sums: BTreeMap<(String, String), i64> = BTreeMap::new();
        let mut rows = st.query(params![run, scope]).map_err(&e)?;
        while let Some(r) = rows.next().map_err(&e)? {
            let (cluster, tier, n): (String, String, i64) =
                (r.get(0).map_err(&e)?, r.get(1).map_err(&e)?, r.get(2).map_err(&e)?);
            *sums.entry((cluster, tier)).or_default() += n;
        }
        Ok(sums
            .into_iter()
            .map(|((cluster, tier), count)| ClusterCount { cluster, tier, count })
            .collect())
    }

    /// The firm `code`'s line of run `run` (None when the run does not list it), found through
    /// the code's index (an ORDER BY here would make SQLite walk the run's rows instead).
    pub fn firm_line(&self, run: i64, code: &str) -> Result<Option<FirmLine>, StoreError> {
        self.run(run)?;
        self.conn
            .query_row(
                "SELECT r.park, runs.csv_head, r.csv_line, runs.rules_text
                 FROM results r JOIN runs ON runs.id = r.run_id
                 WHERE r.run_id = ?1 AND r.code = ?2",
                params![run, code],
                |r| {
                    Ok(FirmLine {
                        park: r.get(0)?,
                        csv_head: r.get(1)?,
                        csv_line: r.get(2)?,
                        rules_text: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(sql(&self.path, "读取企业结果"))
    }

    /// The rule text run `run` was evaluated with.
    pub fn rules_text(&self, run: i64) -> Result<String, StoreError> {
        self.conn
            .query_row("SELECT rules_text FROM runs WHERE id = ?1", [run], |r| r.get(0))
            .optional()
            .map_err(sql(&self.path, "读取评价记录"))?
            .ok_or_else(|| StoreError::NoRun { path: self.path.clone(), id: run })
    }

    /// The files run `run` published, in order, without their bytes.
    pub fn output_list(&self, run: i64) -> Result<Vec<OutputEntry>, StoreError> {
        self.run(run)?;
        let e = sql(&self.path, "读取输出文件");
        let mut st = self
            .conn
            .prepare(
                "SELECT o.name, o.bytes, o.sha256, f.content IS NOT NULL FROM run_outputs o
                 LEFT JOIN files f ON f.sha256 = o.sha256 WHERE o.run_id = ?1 ORDER BY o.ordinal",
            )
            .map_err(&e)?;
        let rows = st
            .query_map([run], |r| {
                Ok(OutputEntry {
                    name: r.get(0)?,
                    bytes: r.get(1)?,
                    sha256: r.get(2)?,
                    kept: r.get::<_, Option<bool>>(3)?.unwrap_or(false),
                })
            })
            .map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    /// The bytes of the file `name` run `run` published, as written (None: no such file, or
    /// its bytes were not kept).
    pub fn output_file(&self, run: i64, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.run(run)?;
        let e = sql(&self.path, "读取输出文件");
        let packed: Option<(Option<Vec<u8>>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT f.content, f.codec FROM run_outputs o JOIN files f ON f.sha256 = o.sha256
                 WHERE o.run_id = ?1 AND o.name = ?2",
                params![run, name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(&e)?;
        let Some((Some(content), codec)) = packed else { return Ok(None) };
        super::record::unpack(content, codec.as_deref())
            .map(Some)
            .map_err(|_| StoreError::Corrupt { path: self.path.clone() })
    }

    /// Run `run`'s input files as it read them: (name as given, content), in reading order; a
    /// file whose content was not kept (it changed before it could be) is left out.
    pub fn input_files(&self, run: i64) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.run(run)?;
        let e = sql(&self.path, "读取输入文件");
        let mut st = self
            .conn
            .prepare(
                "SELECT i.name, f.content, f.codec FROM run_inputs i
                 JOIN files f ON f.sha256 = i.sha256
                 WHERE i.run_id = ?1 AND f.content IS NOT NULL ORDER BY i.ordinal",
            )
            .map_err(&e)?;
        let rows = st
            .query_map([run], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })
            .map_err(&e)?;
        let mut out = Vec::new();
        for row in rows {
            let (name, packed, codec) = row.map_err(&e)?;
            let bytes = super::record::unpack(packed, codec.as_deref())
                .map_err(|_| StoreError::Corrupt { path: self.path.clone() })?;
            out.push((name, bytes));
        }
        Ok(out)
    }

    /// Fill the cluster of every result recorded before the store kept it, from the stored
    /// CSV lines (their `cluster` field), in one transaction.
    pub(super) fn backfill_clusters(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let e = sql(&path, "升级结构");
        let tx = self.write().map_err(&e)?;
        let runs: Vec<(i64, Vec<u8>)> = {
            let mut st = tx.prepare("SELECT id, csv_head FROM runs").map_err(&e)?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(&e)?;
            rows.collect::<Result<_, _>>().map_err(&e)?
        };
        for (id, head) in runs {
            let header = super::capture::fields(&head);
            let Some(at) =
                header.iter().position(|h| h.trim_start_matches('\u{feff}') == key::CLUSTER)
            else {
                continue;
            };
            let lines: Vec<(i64, Vec<u8>)> = {
                let mut st = tx
                    .prepare("SELECT ordinal, csv_line FROM results WHERE run_id = ?1")
                    .map_err(&e)?;
                let rows = st.query_map([id], |r| Ok((r.get(0)?, r.get(1)?))).map_err(&e)?;
                rows.collect::<Result<_, _>>().map_err(&e)?
            };
            let mut set = tx
                .prepare("UPDATE results SET cluster = ?3 WHERE run_id = ?1 AND ordinal = ?2")
                .map_err(&e)?;
            for (ordinal, line) in lines {
                let f = super::capture::fields(&line);
                let cluster = f.get(at).map(|v| unguard(v).to_string()).filter(|c| !c.is_empty());
                set.execute(params![id, ordinal, cluster]).map_err(&e)?;
            }
        }
        tx.commit().map_err(&e)
    }
}

/// Whether the store's results table exists without the cluster column (a store from before
/// it was kept: the migration adds it, [`Store::backfill_clusters`] fills it).
pub(super) fn lacks_cluster(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) > 0 AND sum(name = 'cluster') = 0 FROM pragma_table_info('results')",
        [],
        |r| r.get(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{NewRun, ResultLine};

    /// A store with one run of `firms`: (code, name, park, cluster, total, rank); the CSV line
    /// holds code, name, park and cluster, the results row all but the cluster when `bare`.
    fn store(
        firms: &[(&str, &str, &str, &str, f64, i64)],
        bare: bool,
    ) -> (tempfile::TempDir, Store) {
        let d = tempfile::tempdir().unwrap();
        let mut s = Store::open(&d.path().join("mujun.db")).unwrap();
        let results = firms
            .iter()
            .map(|(code, name, park, cluster, total, rank)| ResultLine {
                code: code.to_string(),
                evaluated: true,
                name: Some(name.to_string()),
                park: Some(park.to_string()),
                group: Some("g".into()),
                tier: Some("B".into()),
                total: Some(*total),
                rank: Some(*rank),
                cluster: (!bare).then(|| cluster.to_string()),
                year: Some("2025".into()),
                csv_line: format!("{code},{name},{park},{cluster}").into_bytes(),
            })
            .collect();
        let run = NewRun {
            year: 2025,
            scheme: "测试方案".into(),
            rules_text: "[meta]".into(),
            user: "测试员".into(),
            evaluated: firms.len(),
            csv_head: b"\xef\xbb\xbfcode,name,park,cluster\r\n".to_vec(),
            results,
            ..NewRun::default()
        };
        s.record_run(&run).unwrap();
        (d, s)
    }

    const FIRMS: &[(&str, &str, &str, &str, f64, i64)] = &[
        ("915A", "甲化工有限公司", "一园", "化工", 88.0, 2),
        ("915B", "乙机械有限公司", "一园", "装备", 91.5, 1),
        ("916C", "丙化工有限公司", "二园", "化工", 70.0, 3),
        ("915D", "丁食品有限公司", "二园", "食品", 65.0, 4),
        ("917E", "戊化工有限公司", "一园", "化工", 80.0, 5),
    ];

    fn codes(p: &FirmPage) -> Vec<&str> {
        p.rows.iter().map(|r| r.code.as_str()).collect()
    }

    #[test]
    fn a_page_counts_every_match_and_is_sorted_by_the_column_asked_for() {
        let (_d, s) = store(FIRMS, false);
        let q = |f: FirmQuery| s.firms(1, &f).unwrap();
        // Totals descending: 91.5 (B), 88 (A), 80 (E), 70 (C), 65 (D); two per page.
        let by_total =
            FirmQuery { sort: Sort::Total, desc: true, per_page: 2, ..FirmQuery::default() };
        let p1 = q(by_total.clone());
        assert_eq!((codes(&p1), p1.matching), (vec!["915B", "915A"], 5));
        let p3 = q(FirmQuery { page: 3, ..by_total });
        assert_eq!(codes(&p3), ["915D"]);
        // "化工" in the name: A, C, E; within 一园 only A and E, and a filter on 二园 adds nothing.
        let chem = FirmQuery { q: "化工".into(), ..FirmQuery::default() };
        assert_eq!(q(chem.clone()).matching, 3);
        let scoped = FirmQuery { scope: Some("一园".into()), ..chem.clone() };
        assert_eq!(codes(&q(scoped.clone())), ["915A", "917E"]);
        assert_eq!(q(FirmQuery { park: Some("二园".into()), ..scoped }).matching, 0);
        // A code's beginning, in lower case: 915A, 915B, 915D.
        assert_eq!(q(FirmQuery { q: "915".into(), ..FirmQuery::default() }).matching, 3);
        let by_cluster =
            FirmQuery { cluster: Some("化工".into()), sort: Sort::Name, ..FirmQuery::default() };
        // By name in text order: 丙 (U+4E19) < 戊 (U+620A) < 甲 (U+7532).
        assert_eq!(codes(&q(by_cluster)), ["916C", "917E", "915A"]);
        let f = s.facets(1, Some("二园")).unwrap();
        assert_eq!(
            (f.parks, f.clusters),
            (vec!["二园".to_string()], vec!["化工".to_string(), "食品".to_string()])
        );
        assert!(matches!(s.firms(9, &FirmQuery::default()), Err(StoreError::NoRun { id: 9, .. })));
    }

    #[test]
    fn a_store_from_before_clusters_were_kept_gets_them_from_its_stored_lines() {
        let (_d, mut s) = store(FIRMS, true);
        assert!(!lacks_cluster(&s.conn).unwrap(), "the current schema has the column");
        assert!(s.facets(1, None).unwrap().clusters.is_empty());
        s.backfill_clusters().unwrap();
        assert_eq!(s.facets(1, None).unwrap().clusters, ["化工", "装备", "食品"]);
        let page = s.firms(1, &FirmQuery { cluster: Some("食品".into()), ..FirmQuery::default() });
        assert_eq!(codes(&page.unwrap()), ["915D"]);
        // A store of the first four versions has results without the column.
        let old = rusqlite::Connection::open_in_memory().unwrap();
        for step in &super::super::schema::MIGRATIONS[..4] {
            old.execute_batch(step).unwrap();
        }
        assert!(lacks_cluster(&old).unwrap());
    }

    #[test]
    fn a_sort_is_one_of_four_names_and_nothing_else_reaches_the_sql() {
        assert_eq!(Sort::parse("total"), Some(Sort::Total));
        for hostile in ["rank; DROP TABLE results", "name DESC", "RANK", "", "csv_line"] {
            assert_eq!(Sort::parse(hostile), None, "{hostile}");
        }
        for s in [Sort::Rank, Sort::Total, Sort::Name, Sort::Code] {
            assert_eq!(Sort::parse(s.name()), Some(s));
        }
        assert_eq!(
            order(Sort::Total, true),
            " ORDER BY (total IS NULL), total DESC, grp, code DESC"
        );
    }

    #[test]
    fn a_page_is_at_most_two_hundred_firms_and_page_zero_is_the_first() {
        let q = |per_page, page| FirmQuery { per_page, page, ..FirmQuery::default() };
        assert_eq!((q(0, 0).size(), q(0, 0).page_number()), (50, 1));
        assert_eq!(q(10_000, 3).size(), 200);
        assert_eq!(q(7, 3).size(), 7);
    }

    #[test]
    fn filters_bind_their_values_and_a_park_users_scope_always_applies() {
        let f = FirmQuery {
            scope: Some("涪陵高新区".into()),
            park: Some("x' OR 1=1 --".into()),
            q: " 盛恒 ".into(),
            ..FirmQuery::default()
        };
        let (sql, args) = filter(7, &f);
        assert_eq!(
            sql,
            " FROM results WHERE run_id = ?1 AND park = ?2 AND park = ?3 AND (substr(code, 1, \
             length(?4)) = upper(?4) OR instr(name, ?4) > 0)"
        );
        assert_eq!(args[1], Value::Text("涪陵高新区".into()));
        assert_eq!(args[3], Value::Text("盛恒".into()));
    }
}
