//! The store's tables, as numbered forward migrations: step `i` of [`MIGRATIONS`] takes a store
//! from schema version `i` to `i + 1` (SQLite's `user_version`). A new version appends a step;
//! a step is never edited once released.

/// `PRAGMA application_id` of a mujun store ("MUJU"): a SQLite file with another id is someone
/// else's database and is never touched.
pub const APPLICATION_ID: i32 = 0x4D55_4A55;

/// The migrations, oldest first; the store's current version is their number.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9, V10];

/// The schema version this program writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// Version 1: runs with their inputs, the register and parcels of each run, results, problems,
/// row accounting and the append-only audit log.
const V1: &str = r#"
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    year          INTEGER NOT NULL,
    scheme        TEXT NOT NULL,
    scheme_file   TEXT NOT NULL,
    scheme_version TEXT NOT NULL,
    rules_text    TEXT NOT NULL,
    rules_sha256  TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('草稿', '公示', '复核', '定稿')),
    corrects      INTEGER REFERENCES runs(id),
    started_at    TEXT NOT NULL,
    finished_at   TEXT NOT NULL,
    user_name     TEXT NOT NULL,
    program       TEXT NOT NULL,
    out_dir       TEXT NOT NULL,
    evaluated     INTEGER NOT NULL,
    not_evaluated INTEGER NOT NULL,
    tier_counts   TEXT NOT NULL,
    csv_head      BLOB NOT NULL
);
-- One official result per year and scheme.
CREATE UNIQUE INDEX runs_one_final ON runs(year, scheme) WHERE status = '定稿';

-- Files by content; a file read or written by several runs is kept once. codec: NULL when the
-- content is kept as it is, 'zstd' when compressed (text files; workbooks are zip already).
CREATE TABLE files (
    sha256  TEXT PRIMARY KEY,
    bytes   INTEGER NOT NULL,
    content BLOB,
    codec   TEXT CHECK (codec IS NULL OR codec = 'zstd')
);
CREATE TABLE run_inputs (
    run_id  INTEGER NOT NULL REFERENCES runs(id),
    ordinal INTEGER NOT NULL,
    name    TEXT NOT NULL,
    bytes   INTEGER NOT NULL,
    sha256  TEXT NOT NULL REFERENCES files(sha256),
    PRIMARY KEY (run_id, ordinal)
);
CREATE TABLE run_sheets (
    run_id     INTEGER NOT NULL REFERENCES runs(id),
    ordinal    INTEGER NOT NULL,
    file       TEXT NOT NULL,
    sheet      TEXT NOT NULL,
    table_name TEXT NOT NULL,
    read_rows  INTEGER NOT NULL,
    used       INTEGER NOT NULL,
    skipped    INTEGER NOT NULL,
    rejected   INTEGER NOT NULL,
    PRIMARY KEY (run_id, ordinal)
);

-- The register (名录): every enterprise once, its attributes as each run read them.
CREATE TABLE enterprises (
    code       TEXT PRIMARY KEY,
    first_year INTEGER NOT NULL
);
CREATE TABLE registers (
    run_id        INTEGER NOT NULL REFERENCES runs(id),
    code          TEXT NOT NULL REFERENCES enterprises(code),
    name          TEXT,
    park          TEXT,
    town          TEXT,
    industry_code TEXT,
    scale         TEXT,
    registration_date TEXT,
    production_date   TEXT,
    tags          TEXT,
    PRIMARY KEY (run_id, code)
);
CREATE INDEX registers_code ON registers(code);

-- The land database (用地数据库): each run's land rows; certificate NULL for a lease without one.
CREATE TABLE parcels (
    run_id       INTEGER NOT NULL REFERENCES runs(id),
    ordinal      INTEGER NOT NULL,
    certificate  TEXT,
    holder       TEXT NOT NULL,
    mode         TEXT,
    area_mu      REAL,
    counterparty TEXT,
    supply_date  TEXT,
    PRIMARY KEY (run_id, ordinal)
);
CREATE INDEX parcels_certificate ON parcels(certificate);
CREATE INDEX parcels_holder ON parcels(holder);

-- Results: each line of the run's results CSV as written, with the fields queries need.
CREATE TABLE results (
    run_id    INTEGER NOT NULL REFERENCES runs(id),
    ordinal   INTEGER NOT NULL,
    code      TEXT NOT NULL,
    evaluated INTEGER NOT NULL,
    name      TEXT,
    park      TEXT,
    grp       TEXT,
    tier      TEXT,
    total     REAL,
    rank      INTEGER,
    csv_line  BLOB NOT NULL,
    PRIMARY KEY (run_id, ordinal)
);
CREATE INDEX results_code ON results(code, run_id);

CREATE TABLE problems (
    run_id      INTEGER NOT NULL REFERENCES runs(id),
    ordinal     INTEGER NOT NULL,
    severity    TEXT NOT NULL,
    table_name  TEXT NOT NULL,
    file        TEXT NOT NULL,
    sheet       TEXT NOT NULL,
    row_number  INTEGER,
    column_name TEXT NOT NULL,
    value       TEXT NOT NULL,
    message     TEXT NOT NULL,
    action      TEXT NOT NULL,
    PRIMARY KEY (run_id, ordinal)
);

-- Who did what when; rows are only ever added.
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    user_name TEXT NOT NULL,
    action    TEXT NOT NULL,
    run_id    INTEGER REFERENCES runs(id),
    detail    TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
"#;

/// Version 2: the files each run published (every file its output manifest lists, and the
/// manifest), kept by content in `files`, so that `mujun export` writes them again.
const V2: &str = r#"
CREATE TABLE run_outputs (
    run_id  INTEGER NOT NULL REFERENCES runs(id),
    ordinal INTEGER NOT NULL,
    name    TEXT NOT NULL,
    bytes   INTEGER NOT NULL,
    sha256  TEXT NOT NULL REFERENCES files(sha256),
    PRIMARY KEY (run_id, ordinal),
    UNIQUE (run_id, name)
);
"#;

/// Version 3: a firm's parcels of a run found by holder and run together (`history` looked
/// them up through the run's key and read every parcel of the run, for each year), and a firm
/// found by its full name without reading the whole register.
const V3: &str = r#"
CREATE INDEX parcels_holder_run ON parcels(holder, run_id, ordinal);
DROP INDEX parcels_holder;
CREATE INDEX registers_name ON registers(name);
"#;

/// Version 4: the workbench's users: a name, a role (a 园区 user with its park), the Argon2id hash
/// of the password (PHC string), and whether the account is disabled. Users are never deleted
/// (the audit log names them).
const V4: &str = r#"
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('经信委', '园区', '自然资源', '只读')),
    park          TEXT,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    changed_at    TEXT NOT NULL,
    CHECK ((role = '园区') = (park IS NOT NULL))
);
"#;

/// Version 5: each result's industry cluster (the CSV's `cluster` field; filled from the stored
/// lines for runs recorded before, see `Store::backfill_clusters`), and one index that holds
/// every field the workbench's firm table filters, sorts, counts and shows: a page, a search
/// and a count of a run read the index only (never the CSV lines), a park user's from its park.
const V5: &str = r#"
ALTER TABLE results ADD COLUMN cluster TEXT;
CREATE INDEX results_firms ON results(run_id, park, grp, tier, cluster, evaluated, rank, total,
    code, name);
"#;

/// Version 6: the workbench's evaluation jobs: what was asked (year, scheme, the uploads by
/// SHA-256 — the data files, and an uploaded rule file —, the reason given for going on
/// despite errors), who asked, the state (排队, 运行, 完成, 失败) with the phase and a message, the run it recorded, and when.
const V6: &str = r#"
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    year          INTEGER NOT NULL,
    scheme        TEXT NOT NULL,
    user_name     TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('排队', '运行', '完成', '失败')),
    phase         TEXT NOT NULL,
    message       TEXT NOT NULL,
    uploads       TEXT NOT NULL,
    rules_file    TEXT,
    confirm_reason TEXT,
    run_id        INTEGER REFERENCES runs(id),
    queued_at     TEXT NOT NULL,
    started_at    TEXT,
    finished_at   TEXT
);
"#;

/// Version 7: the per-mu aggregates a run's reports showed — the district, each park, each
/// industry cluster and each park's clusters: firms, land, the sums and their ratios as the
/// report computed them (none without land). A scope is the district when both park and cluster
/// are NULL.
const V7: &str = r#"
CREATE TABLE run_per_mu (
    run_id        INTEGER NOT NULL REFERENCES runs(id),
    ordinal       INTEGER NOT NULL,
    park          TEXT,
    cluster       TEXT,
    firms         INTEGER NOT NULL,
    land_mu       REAL NOT NULL,
    tax           REAL NOT NULL,
    value_added   REAL NOT NULL,
    revenue       REAL NOT NULL,
    output_value  REAL NOT NULL,
    tax_per_mu    REAL,
    va_per_mu     REAL,
    rev_per_mu    REAL,
    output_per_mu REAL,
    PRIMARY KEY (run_id, ordinal)
);
"#;

/// Version 8: a 公示 run's notice period (first and last day, YYYY-MM-DD), set when it is put
/// under public notice. (A 复核 run names the run it corrects in `corrects`, there since V1.)
const V8: &str = r#"
ALTER TABLE runs ADD COLUMN notice_start TEXT;
ALTER TABLE runs ADD COLUMN notice_end TEXT;
"#;

/// Version 9: objections (异议) received against a run under notice: the firm, when it came and
/// of what kind, the correction it claims (table, field, the row it names, the value), the
/// evidence, who handles it, the decision and its reason, whether it came after the notice
/// period, and who recorded it from where (the form, or an imported file).
const V9: &str = r#"
CREATE TABLE objections (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(id),
    code        TEXT NOT NULL,
    received    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('数据有误', '等级申诉', '其他')),
    table_name  TEXT,
    field       TEXT,
    row_key     TEXT,
    value       TEXT,
    evidence    TEXT NOT NULL,
    handler     TEXT NOT NULL,
    decision    TEXT CHECK (decision IS NULL OR decision IN ('采纳', '不采纳', '部分采纳')),
    reason      TEXT NOT NULL,
    late        INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    source      TEXT NOT NULL
);
CREATE INDEX objections_run ON objections(run_id, code);
"#;

/// Version 10: the run a workbench job corrects (a 复核 submitted from 新建评价).
const V10: &str = r#"
ALTER TABLE jobs ADD COLUMN corrects INTEGER REFERENCES runs(id);
"#;
