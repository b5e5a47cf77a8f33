//! The findings store: every run appended to an embedded SQLite file (`gsl check
//! --store history.db`) or to a team's PostgreSQL database (`--store
//! postgres://...`), one transaction per run, in one versioned schema with migrations
//! (docs/history.md documents it, for SQL and dashboards); and the questions `gsl
//! history` asks of it (the runs, the trend per day, the age of open findings).
//!
//! The SQL is written once, here, for both databases: a [`Dialect`] fills in the few
//! words they spell differently (the run id's column type, the placeholders, the
//! schema version's home, how a writer takes its lock), and a backend (`sqlite.rs`,
//! `postgres.rs`) only runs statements and hands back rows of [`Value`]s. What a
//! location says (a URL, its password, its TLS options) is read in `url.rs`; TLS to
//! PostgreSQL is `tls.rs`.

mod sqlite;

#[cfg(feature = "postgres")]
mod postgres;

#[cfg(feature = "postgres")]
mod tls;

pub mod url;

pub use url::{is_postgres_url, redact};

use super::{finding, PolicyReport, SnapshotInfo};
use crate::lang::eval::Outcome;
use miette::Diagnostic;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use thiserror::Error;

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 4;

/// An open finding among `results x`: failed, unknown or an error, and not waived (a
/// macro, for the migrations' literal text).
macro_rules! open {
    () => {
        "(x.outcome IN ('failed','unknown','error') AND x.waived = 0)"
    };
}

/// The totals of results (`results x`), per run, pack, account and severity, into
/// `run_totals`; a `WHERE` and the `GROUP BY` follow.
macro_rules! totals {
    () => {
        concat!(
            "INSERT INTO run_totals (run_id, pack, account, severity, passed, open_findings)
             SELECT x.run_id, x.pack, x.account, x.severity,
                COUNT(*) FILTER (WHERE x.outcome = 'passed'), COUNT(*) FILTER (WHERE ",
            open!(),
            ") FROM results x"
        )
    };
}

/// The grouping of [`totals!`].
macro_rules! totals_group {
    () => {
        " GROUP BY x.run_id, x.pack, x.account, x.severity"
    };
}

/// The migrations: `MIGRATIONS[n]` takes a store from version `n` to `n + 1`. They are
/// templates: [`Dialect::sql`] gives the text one database runs (`{id}` is the run id's
/// column).
pub const MIGRATIONS: [&str; 4] = [
    // 1: runs and their results.
    "CREATE TABLE runs (
        id {id},
        recorded_at TEXT NOT NULL,
        collected_at TEXT,
        snapshot TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        accounts BIGINT NOT NULL,
        policies BIGINT NOT NULL,
        passed BIGINT NOT NULL,
        failed BIGINT NOT NULL,
        unknown BIGINT NOT NULL,
        errors BIGINT NOT NULL,
        not_applicable BIGINT NOT NULL,
        waived BIGINT NOT NULL
    );
    CREATE TABLE results (
        run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,
        pack TEXT NOT NULL,
        policy TEXT NOT NULL,
        severity TEXT NOT NULL,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_type TEXT NOT NULL,
        outcome TEXT NOT NULL,
        waived BIGINT NOT NULL
    );
    CREATE INDEX results_run ON results(run_id);
    CREATE INDEX results_fingerprint ON results(fingerprint);",
    // 2: the policies of each run (their status and rule digest), the waivers applied,
    // and the manual count.
    "CREATE TABLE run_policies (
        run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        pack TEXT NOT NULL,
        policy TEXT NOT NULL,
        title TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL,
        rule_digest TEXT,
        PRIMARY KEY (run_id, pack, policy)
    );
    ALTER TABLE results ADD COLUMN waiver TEXT;
    ALTER TABLE runs ADD COLUMN manual BIGINT NOT NULL DEFAULT 0;",
    // 3: the results counted per run, pack, account and severity (what the trend and the
    // list of runs read: a year of daily runs is millions of results), filled in for
    // the runs already stored.
    concat!(
        "CREATE TABLE run_totals (
            run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            pack TEXT NOT NULL,
            account TEXT NOT NULL,
            severity TEXT NOT NULL,
            passed BIGINT NOT NULL,
            open_findings BIGINT NOT NULL,
            PRIMARY KEY (run_id, pack, account, severity)
        );
        ",
        totals!(),
        totals_group!(),
        ";"
    ),
    // 4: what `gsl history --findings` reads: the open results by fingerprint (a
    // partial index: [`open!`] without the alias), and the runs by time.
    "CREATE INDEX results_open ON results(fingerprint, run_id)
        WHERE outcome IN ('failed','unknown','error') AND waived = 0;
    CREATE INDEX runs_recorded ON runs(recorded_at);",
];

/// The database a store lives in: the few words of SQL the two spell differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// An SQLite file (the schema version is `PRAGMA user_version`).
    Sqlite,
    /// A PostgreSQL database (the schema version is the one row of `gsl_schema`).
    Postgres,
}

/// The key of the PostgreSQL advisory lock a store's migrations are run under (the
/// bytes of "gsl-stor").
const MIGRATION_LOCK: i64 = 0x6773_6c2d_7374_6f72;

impl Dialect {
    /// The text this database runs for a statement written for both: the run id's
    /// column type for `{id}`, and the placeholders `$1`, `$2`... (PostgreSQL's) as
    /// `?1`, `?2`... on SQLite.
    pub fn sql(self, template: &str) -> String {
        let id = match self {
            // The rowid: ids grow with every run.
            Dialect::Sqlite => "INTEGER PRIMARY KEY",
            Dialect::Postgres => "BIGSERIAL PRIMARY KEY",
        };
        let text = template.replace("{id}", id);
        match self {
            Dialect::Sqlite => text.replace('$', "?"),
            Dialect::Postgres => text,
        }
    }

    /// What starts the transaction that reads the schema version and migrates: it
    /// waits for any other writer's migration (or, on SQLite, run) to end first.
    fn begin_migration(self) -> String {
        match self {
            Dialect::Sqlite => "BEGIN IMMEDIATE".into(),
            Dialect::Postgres => format!(
                "BEGIN; SELECT pg_advisory_xact_lock({MIGRATION_LOCK});
                 CREATE TABLE IF NOT EXISTS gsl_schema (version BIGINT NOT NULL)"
            ),
        }
    }

    /// What starts the transaction of one run. On SQLite it takes the file's write
    /// lock at once (waiting for another writer's run to land); on PostgreSQL
    /// concurrent runs write side by side.
    fn begin_run(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        }
    }

    /// The query of the schema version (no row: 0).
    fn version_query(self) -> &'static str {
        match self {
            Dialect::Sqlite => "PRAGMA user_version",
            Dialect::Postgres => "SELECT version FROM gsl_schema",
        }
    }

    /// The statements that record schema version `v`.
    fn set_version(self, v: u32) -> String {
        match self {
            Dialect::Sqlite => format!("PRAGMA user_version = {v}"),
            Dialect::Postgres => {
                format!("DELETE FROM gsl_schema; INSERT INTO gsl_schema (version) VALUES ({v})")
            }
        }
    }
}

/// A store that cannot be opened, migrated, written or read.
#[derive(Debug, Error, Diagnostic)]
pub enum StoreError {
    /// An SQLite error.
    #[error("findings store {path}: {source}")]
    #[diagnostic(
        code(gsl::store::sqlite),
        help("the store is an SQLite file written by `gsl check --store`; check the path and its permissions")
    )]
    Sqlite {
        /// The store.
        path: String,
        /// The error.
        #[source]
        source: rusqlite::Error,
    },
    /// A PostgreSQL URL that does not parse.
    #[error("findings store {url}: not a PostgreSQL URL: {message}")]
    #[diagnostic(
        code(gsl::store::url),
        help("the form is postgres://USER@HOST:PORT/DATABASE (options as ?key=value); give the password in PGPASSWORD rather than in the URL")
    )]
    Url {
        /// The URL, without its password.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// The PostgreSQL server could not be reached or refused the connection.
    #[error("findings store {url}: cannot connect: {message}")]
    #[diagnostic(
        code(gsl::store::connect),
        help("is a PostgreSQL server listening at {server}, and do the user, its password (PGPASSWORD) and the database exist? The database must exist; gsl creates its tables")
    )]
    Connect {
        /// The URL, without its password.
        url: String,
        /// The host and port it was to reach.
        server: String,
        /// The error (the server's own message when it answered).
        message: String,
    },
    /// The CA certificates to verify the server with cannot be loaded (`sslrootcert`, or
    /// the system's).
    #[error("findings store {url}: cannot load the CA certificates to verify the server with: {message}")]
    #[diagnostic(
        code(gsl::store::tls_roots),
        help("sslrootcert=FILE names a PEM file of the CA certificates that sign the server's (for Amazon RDS, its region's bundle from https://truststore.pki.rds.amazonaws.com); without it, verify-ca and verify-full use the system's (SSL_CERT_FILE, SSL_CERT_DIR, else the platform's store)")
    )]
    TlsRoots {
        /// The URL, without its password.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// The URL requires TLS and the server does not offer it.
    #[error("findings store {url}: the server at {server} does not offer TLS, and sslmode={mode} requires it")]
    #[diagnostic(
        code(gsl::store::tls_unavailable),
        help("turn TLS on in the server (ssl = on, with a certificate and its key), or, over a network you trust, connect with sslmode=prefer or sslmode=disable")
    )]
    TlsUnavailable {
        /// The URL, without its password.
        url: String,
        /// The host and port it reached.
        server: String,
        /// The `sslmode` in effect.
        mode: &'static str,
    },
    /// The server's certificate is not signed by a trusted CA, or is not valid now.
    #[error(
        "findings store {url}: the certificate of the server at {server} is not trusted: {message}"
    )]
    #[diagnostic(
        code(gsl::store::tls_untrusted),
        help("give the CA certificates that sign the server's with sslrootcert=FILE (PEM; for Amazon RDS, its region's bundle from https://truststore.pki.rds.amazonaws.com), or, to encrypt without verifying the server, sslmode=require")
    )]
    TlsUntrusted {
        /// The URL, without its password.
        url: String,
        /// The host and port it reached.
        server: String,
        /// What is wrong with the certificate.
        message: String,
    },
    /// The server's certificate is trusted but not issued for the host gsl connected to.
    #[error("findings store {url}: the certificate of the server at {server} is not issued for that host name: {message}")]
    #[diagnostic(
        code(gsl::store::tls_host),
        help("connect by a name the certificate is issued for (its subjectAltName; for Amazon RDS, the instance's endpoint, not an IP address or an alias), or verify the CA only with sslmode=verify-ca")
    )]
    TlsHost {
        /// The URL, without its password.
        url: String,
        /// The host and port it reached.
        server: String,
        /// The names the certificate has.
        message: String,
    },
    /// Another failure of the TLS handshake.
    #[error("findings store {url}: TLS with the server at {server} failed: {message}")]
    #[diagnostic(
        code(gsl::store::tls),
        help("gsl speaks TLS 1.2 and 1.3 (rustls): check the server's ssl settings (ssl_min_protocol_version, ssl_ciphers) and its log; sslmode=disable connects without TLS")
    )]
    Tls {
        /// The URL, without its password.
        url: String,
        /// The host and port it reached.
        server: String,
        /// The error.
        message: String,
    },
    /// A PostgreSQL error once connected.
    #[error("findings store {url}: {message}")]
    #[diagnostic(
        code(gsl::store::postgres),
        help("the store is a PostgreSQL database written by `gsl check --store`; the user needs to create tables in it (the first run) and to insert and select")
    )]
    Postgres {
        /// The URL, without its password.
        url: String,
        /// The error (the server's own message when it answered).
        message: String,
    },
    /// A PostgreSQL URL given to a gsl built without PostgreSQL.
    #[error("findings store {url}: this gsl was built without PostgreSQL support")]
    #[diagnostic(
        code(gsl::store::no_postgres),
        help("build gsl with the `postgres` feature (on by default), or give an SQLite file")
    )]
    NoPostgres {
        /// The URL, without its password.
        url: String,
    },
    /// A store written by a newer gsl.
    #[error(
        "findings store {path} has schema version {found}, newer than this gsl's {SCHEMA_VERSION}"
    )]
    #[diagnostic(
        code(gsl::store::newer),
        help("use the gsl that wrote it, or a newer one")
    )]
    Newer {
        /// The store.
        path: String,
        /// Its version.
        found: u32,
    },
    /// A value of another type than the schema's (a store changed by hand).
    #[error("findings store {path}: {what}")]
    #[diagnostic(
        code(gsl::store::shape),
        help(
            "the store's tables are not as docs/history.md describes them; was it changed by hand?"
        )
    )]
    Shape {
        /// The store.
        path: String,
        /// What was found.
        what: String,
    },
}

/// A value passed to or read from a store.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// NULL.
    Null,
    /// An integer (a boolean is 0 or 1).
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}

impl From<usize> for Value {
    fn from(v: usize) -> Value {
        Value::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Int(v.into())
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// What a store's database does for it: run statements and hand back rows. The SQL
/// given is already in the backend's dialect.
pub(crate) trait Backend: Send {
    /// Run statements without parameters (a migration, BEGIN, COMMIT).
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
    /// Run one statement with parameters; the rows it returns.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, StoreError>;
}

/// Where a store is: an SQLite file or a PostgreSQL URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL database: `postgres://` or `postgresql://`.
    Postgres(String),
}

impl Location {
    /// A PostgreSQL URL (by its scheme), or else an SQLite file's path.
    pub fn parse(text: &str) -> Location {
        if is_postgres_url(text) {
            Location::Postgres(text.to_string())
        } else {
            Location::Sqlite(text.into())
        }
    }

    /// A path given on the command line or in `gsl.toml`: a PostgreSQL URL, or else an
    /// SQLite file (whatever its bytes).
    pub fn of_path(path: &Path) -> Location {
        match path.to_str() {
            Some(text) => Location::parse(text),
            None => Location::Sqlite(path.to_path_buf()),
        }
    }

    /// How it is named in messages: the path, or the URL without its password.
    pub fn display(&self) -> String {
        match self {
            Location::Sqlite(p) => p.display().to_string(),
            Location::Postgres(url) => redact(url),
        }
    }
}

/// A findings store.
pub struct Store {
    db: Box<dyn Backend>,
    dialect: Dialect,
    /// Its name in messages (a path, or a URL without its password).
    name: Arc<str>,
}

/// One stored run, as `gsl history` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRow {
    /// Its id.
    pub id: i64,
    /// When it was stored (RFC 3339).
    pub recorded_at: String,
    /// The snapshot's collection time.
    pub collected_at: Option<String>,
    /// The snapshot.
    pub snapshot: String,
    /// Accounts checked.
    pub accounts: i64,
    /// Policies run.
    pub policies: i64,
    /// Policies passed.
    pub passed: i64,
    /// Policies failed.
    pub failed: i64,
    /// Open findings (failed, unknown, error; not waived).
    pub open_findings: i64,
}

/// One day of the trend (its last run), overall or for one pack, account or severity.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrendRow {
    /// The day (YYYY-MM-DD, UTC).
    pub day: String,
    /// The group (a pack, an account, a severity; empty for the whole run).
    pub group: String,
    /// The run of that day it reads (the last).
    pub run_id: i64,
    /// Passed results over passed and open ones, 0–1 (1 when there are none).
    pub pass_rate: f64,
    /// Open findings.
    pub open: i64,
    /// Open findings per severity: critical, high, medium, low, info.
    pub critical: i64,
    /// High.
    pub high: i64,
    /// Medium.
    pub medium: i64,
    /// Low.
    pub low: i64,
    /// Info.
    pub info: i64,
}

/// What a trend is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrendBy {
    /// The whole run.
    Run,
    /// Each pack.
    Pack,
    /// Each account.
    Account,
}

/// A finding's life in the store.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingAge {
    /// Its fingerprint.
    pub fingerprint: String,
    /// The pack and policy.
    pub policy: String,
    /// Its severity.
    pub severity: String,
    /// The account.
    pub account: String,
    /// The entity.
    pub entity: String,
    /// The first run that had it open (its time).
    pub first_seen: String,
    /// The last run that had it open.
    pub last_seen: String,
    /// Where it stands.
    pub state: FindingState,
    /// Days from first seen to the latest run (open, unseen) or to the first later run
    /// without it (fixed).
    pub age_days: f64,
}

/// Where a stored finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FindingState {
    /// The latest run has it open.
    Open,
    /// A later run that ran its policy no longer had it.
    Fixed,
    /// No later run ran its policy: not known either way.
    Unseen,
}

/// The mean time to remediate of one severity.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Remediation {
    /// The severity.
    pub severity: String,
    /// Findings fixed (open in a run, absent from a later one).
    pub fixed: i64,
    /// Their mean days from first seen to the first run without them.
    pub mean_days: Option<f64>,
    /// Findings open in the latest run.
    pub open: i64,
    /// Their mean age in days.
    pub mean_open_age_days: Option<f64>,
}

/// An open finding among `results x`: failed, unknown or an error, and not waived.
const OPEN: &str = open!();

/// The columns of a stored result, in the order [`Store::begin`] gives them.
const RESULT_COLUMNS: [&str; 12] = [
    "run_id",
    "fingerprint",
    "pack",
    "policy",
    "severity",
    "account",
    "region",
    "entity",
    "entity_type",
    "outcome",
    "waived",
    "waiver",
];

/// The columns of a run's policy.
const POLICY_COLUMNS: [&str; 7] = [
    "run_id",
    "pack",
    "policy",
    "title",
    "severity",
    "status",
    "rule_digest",
];

/// Rows per INSERT statement when a run's results are written (12 parameters each:
/// well under both databases' limits on the parameters of one statement).
const ROWS_PER_INSERT: usize = 500;

/// One row of a query's answer, read by column.
struct Row {
    values: Vec<Value>,
    store: Arc<str>,
}

impl Row {
    fn shape(&self, i: usize, want: &str) -> StoreError {
        StoreError::Shape {
            path: self.store.to_string(),
            what: format!("column {i} is {:?}, not {want}", self.values.get(i)),
        }
    }

    fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.values.get(i) {
            Some(Value::Int(v)) => Ok(*v),
            _ => Err(self.shape(i, "an integer")),
        }
    }

    fn text(&self, i: usize) -> Result<String, StoreError> {
        match self.values.get(i) {
            Some(Value::Text(v)) => Ok(v.clone()),
            _ => Err(self.shape(i, "text")),
        }
    }

    fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.values.get(i) {
            Some(Value::Null) => Ok(None),
            _ => self.text(i).map(Some),
        }
    }
}

impl Store {
    /// Open (creating it if needed) and migrate the store at `location`: a
    /// PostgreSQL URL (`postgres://USER@HOST:PORT/DATABASE`; the database must exist,
    /// its tables are created) or an SQLite file's path.
    pub fn open(location: &str) -> Result<Store, StoreError> {
        Store::open_at(&Location::parse(location))
    }

    /// [`Store::open`] of an SQLite file.
    pub fn open_sqlite(path: &Path) -> Result<Store, StoreError> {
        Store::open_at(&Location::Sqlite(path.to_path_buf()))
    }

    /// [`Store::open`] of a parsed location.
    pub fn open_at(location: &Location) -> Result<Store, StoreError> {
        let name = location.display();
        let (db, dialect): (Box<dyn Backend>, Dialect) = match location {
            Location::Sqlite(path) => (Box::new(sqlite::Sqlite::open(path)?), Dialect::Sqlite),
            #[cfg(feature = "postgres")]
            Location::Postgres(url) => (
                Box::new(postgres::Postgres::connect(url)?),
                Dialect::Postgres,
            ),
            #[cfg(not(feature = "postgres"))]
            Location::Postgres(_) => return Err(StoreError::NoPostgres { url: name }),
        };
        let mut store = Store {
            db,
            dialect,
            name: name.into(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// The database the store is in.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Run a statement written for both databases.
    fn query(&mut self, template: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let sql = self.dialect.sql(template);
        let rows = self.db.query(&sql, params)?;
        Ok(rows
            .into_iter()
            .map(|values| Row {
                values,
                store: self.name.clone(),
            })
            .collect())
    }

    /// Run statements in this store's dialect, and on an error roll the transaction
    /// back.
    fn in_transaction<T>(
        &mut self,
        begin: &str,
        work: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.db.batch(begin)?;
        match work(self) {
            Ok(v) => Ok(v),
            Err(e) => {
                // The error that matters is the first; a failed rollback ends with the
                // connection anyway.
                let _ = self.db.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    fn read_version(&mut self) -> Result<u32, StoreError> {
        let rows = self.db.query(self.dialect.version_query(), &[])?;
        match rows.first().and_then(|r| r.first()) {
            None => Ok(0),
            Some(Value::Int(v)) => u32::try_from(*v).map_err(|_| StoreError::Shape {
                path: self.name.to_string(),
                what: format!("schema version {v}"),
            }),
            Some(other) => Err(StoreError::Shape {
                path: self.name.to_string(),
                what: format!("schema version {other:?}"),
            }),
        }
    }

    /// Apply the migrations the store lacks, in one transaction that holds off any
    /// other writer's.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let dialect = self.dialect;
        self.in_transaction(&dialect.begin_migration(), |store| {
            let version = store.read_version()?;
            if version > SCHEMA_VERSION {
                return Err(StoreError::Newer {
                    path: store.name.to_string(),
                    found: version,
                });
            }
            for (i, template) in MIGRATIONS.iter().enumerate().skip(version as usize) {
                store.db.batch(&dialect.sql(template))?;
                store.db.batch(&dialect.set_version(i as u32 + 1))?;
            }
            store.db.batch("COMMIT")
        })
    }

    /// The schema version of the store.
    pub fn version(&mut self) -> Result<u32, StoreError> {
        self.read_version()
    }

    /// Append a run (its metadata, every relevant result with its fingerprint and
    /// outcome, the waivers applied) in one transaction, recorded at `at` (RFC 3339).
    /// Returns the run's id.
    pub fn append(
        &mut self,
        snapshot: &SnapshotInfo,
        policies: &[PolicyReport],
        at: &str,
    ) -> Result<i64, StoreError> {
        let pending = self.begin(snapshot, policies, at)?;
        pending.commit()
    }

    /// Write a run without committing it: [`PendingRun::commit`] lands it; dropping it
    /// (or the process dying) leaves nothing.
    pub fn begin(
        &mut self,
        snapshot: &SnapshotInfo,
        policies: &[PolicyReport],
        at: &str,
    ) -> Result<PendingRun<'_>, StoreError> {
        let begin = self.dialect.begin_run();
        let run = self.in_transaction(begin, |store| store.write_run(snapshot, policies, at))?;
        Ok(PendingRun {
            store: self,
            run,
            done: false,
        })
    }

    fn write_run(
        &mut self,
        snapshot: &SnapshotInfo,
        policies: &[PolicyReport],
        at: &str,
    ) -> Result<i64, StoreError> {
        let s = super::Summary::of(policies);
        let rows = self.query(
            "INSERT INTO runs (recorded_at, collected_at, snapshot, tool_version, accounts, policies,
                passed, failed, unknown, errors, not_applicable, waived, manual)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             RETURNING id",
            &[
                at.into(),
                snapshot.collected_at.as_deref().into(),
                snapshot.name.as_str().into(),
                env!("CARGO_PKG_VERSION").into(),
                snapshot.accounts.len().into(),
                s.rules.into(),
                s.passed.into(),
                s.failed.into(),
                s.unknown.into(),
                s.errors.into(),
                s.not_applicable.into(),
                s.waived.into(),
                s.manual.into(),
            ],
        )?;
        let run = match rows.first() {
            Some(r) => r.int(0)?,
            None => {
                return Err(StoreError::Shape {
                    path: self.name.to_string(),
                    what: "the new run has no id".into(),
                })
            }
        };
        // A pack may hold a policy id twice (two versions of a pack in one run): the
        // last one is kept, as the results of both are.
        let mut by_policy: BTreeMap<(&str, &str), Vec<Value>> = BTreeMap::new();
        let mut results = Vec::new();
        for p in policies {
            let pack = finding::pack_family(crate::policy::select::pack_of(&p.origin));
            let severity = p.meta.severity.as_str();
            by_policy.insert(
                (pack, p.meta.id.as_str()),
                vec![
                    run.into(),
                    pack.into(),
                    p.meta.id.as_str().into(),
                    p.meta.title.as_str().into(),
                    severity.into(),
                    p.status.as_str().into(),
                    p.rule_digest.as_deref().into(),
                ],
            );
            for e in p
                .entities
                .iter()
                .filter(|e| e.outcome != Outcome::NotRelevant)
            {
                let waiver = p.waiver_of(&e.id);
                results.push(vec![
                    run.into(),
                    finding::fingerprint(p, e).into(),
                    pack.into(),
                    p.meta.id.as_str().into(),
                    severity.into(),
                    e.account.as_str().into(),
                    e.region.as_deref().unwrap_or("").into(),
                    e.id.as_str().into(),
                    e.entity_type.as_str().into(),
                    e.outcome.as_str().into(),
                    waiver.is_some().into(),
                    waiver
                        .map(|w| format!("{} (until {})", w.reason, w.expires))
                        .into(),
                ]);
            }
        }
        self.insert("run_policies", &POLICY_COLUMNS, by_policy.into_values())?;
        self.insert("results", &RESULT_COLUMNS, results)?;
        self.query(
            concat!(totals!(), " WHERE x.run_id = $1", totals_group!()),
            &[run.into()],
        )?;
        Ok(run)
    }

    /// Insert rows, many per statement.
    fn insert(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: impl IntoIterator<Item = Vec<Value>>,
    ) -> Result<(), StoreError> {
        let mut chunk: Vec<Value> = Vec::new();
        let mut n = 0;
        let flush = |store: &mut Store, chunk: &mut Vec<Value>, n: usize| {
            if n == 0 {
                return Ok(());
            }
            let sql = insert_statement(table, columns, n);
            store.query(&sql, chunk)?;
            chunk.clear();
            Ok::<(), StoreError>(())
        };
        for row in rows {
            chunk.extend(row);
            n += 1;
            if n == ROWS_PER_INSERT {
                flush(self, &mut chunk, n)?;
                n = 0;
            }
        }
        flush(self, &mut chunk, n)
    }

    /// The runs, oldest first.
    pub fn runs(&mut self) -> Result<Vec<RunRow>, StoreError> {
        let rows = self.query(
            "SELECT r.id, r.recorded_at, r.collected_at, r.snapshot, r.accounts, r.policies, r.passed, r.failed,
                (SELECT CAST(COALESCE(SUM(t.open_findings), 0) AS BIGINT) FROM run_totals t WHERE t.run_id = r.id)
             FROM runs r ORDER BY r.recorded_at, r.id",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(RunRow {
                    id: r.int(0)?,
                    recorded_at: r.text(1)?,
                    collected_at: r.opt_text(2)?,
                    snapshot: r.text(3)?,
                    accounts: r.int(4)?,
                    policies: r.int(5)?,
                    passed: r.int(6)?,
                    failed: r.int(7)?,
                    open_findings: r.int(8)?,
                })
            })
            .collect()
    }

    /// The trend: for each day, its last run's pass rate and open findings per
    /// severity, for the whole run or per pack or account.
    pub fn trend(&mut self, by: TrendBy) -> Result<Vec<TrendRow>, StoreError> {
        // PostgreSQL groups and orders by no constant: the whole run has no group term.
        let (group, by_group) = match by {
            TrendBy::Run => ("''", ""),
            TrendBy::Pack => ("t.pack", ", t.pack"),
            TrendBy::Account => ("t.account", ", t.account"),
        };
        // A sum is BIGINT in SQLite and NUMERIC in PostgreSQL: cast, for both.
        let sum = |what: &str| format!("CAST(SUM({what}) AS BIGINT)");
        let open_of = |severity: &str| {
            sum(&format!(
                "CASE WHEN t.severity = '{severity}' THEN t.open_findings ELSE 0 END"
            ))
        };
        let sql = format!(
            "WITH last_runs AS (
                SELECT substr(recorded_at, 1, 10) AS day, MAX(id) AS run_id FROM runs
                GROUP BY substr(recorded_at, 1, 10)
             )
             SELECT l.day, {group} AS grp, l.run_id, {}, {}, {}, {}, {}, {}, {}
             FROM last_runs l JOIN run_totals t ON t.run_id = l.run_id
             GROUP BY l.day, l.run_id{by_group} ORDER BY l.day{by_group}",
            sum("t.passed"),
            sum("t.open_findings"),
            open_of("critical"),
            open_of("high"),
            open_of("medium"),
            open_of("low"),
            open_of("info"),
        );
        let rows = self.query(&sql, &[])?;
        rows.iter()
            .map(|r| {
                let passed = r.int(3)?;
                let open = r.int(4)?;
                Ok(TrendRow {
                    day: r.text(0)?,
                    group: r.text(1)?,
                    run_id: r.int(2)?,
                    pass_rate: if passed + open == 0 {
                        1.0
                    } else {
                        passed as f64 / (passed + open) as f64
                    },
                    open,
                    critical: r.int(5)?,
                    high: r.int(6)?,
                    medium: r.int(7)?,
                    low: r.int(8)?,
                    info: r.int(9)?,
                })
            })
            .collect()
    }

    /// Every finding ever open: first and last seen, open now or not, its age.
    pub fn findings(&mut self) -> Result<Vec<FindingAge>, StoreError> {
        let latest = self.query(
            "SELECT id, recorded_at FROM runs ORDER BY recorded_at DESC, id DESC LIMIT 1",
            &[],
        )?;
        let Some(latest) = latest.first() else {
            return Ok(Vec::new());
        };
        let (latest, latest_at) = (latest.int(0)?, latest.text(1)?);
        let sql = findings_query();
        let rows = self.query(&sql, &[latest.into()])?;
        rows.iter()
            .map(|r| {
                let first = r.text(5)?;
                let open = r.int(7)? > 0;
                let gone = r.opt_text(8)?;
                let state = match (open, &gone) {
                    (true, _) => FindingState::Open,
                    (false, Some(_)) => FindingState::Fixed,
                    (false, None) => FindingState::Unseen,
                };
                let end = gone.unwrap_or_else(|| latest_at.clone());
                Ok(FindingAge {
                    fingerprint: r.text(0)?,
                    policy: r.text(1)?,
                    severity: r.text(2)?,
                    account: r.text(3)?,
                    entity: r.text(4)?,
                    age_days: days_between(&first, &end),
                    first_seen: first,
                    last_seen: r.text(6)?,
                    state,
                })
            })
            .collect()
    }

    /// The mean time to remediate and the mean age of open findings, per severity
    /// (highest first).
    pub fn remediation(&mut self) -> Result<Vec<Remediation>, StoreError> {
        Ok(remediation_of(&self.findings()?))
    }
}

/// The mean time to remediate and the mean age of open findings of `findings` (what
/// [`Store::findings`] gave), per severity (highest first).
pub fn remediation_of(findings: &[FindingAge]) -> Vec<Remediation> {
    let mut out = Vec::new();
    for severity in ["critical", "high", "medium", "low", "info"] {
        let of: Vec<&FindingAge> = findings.iter().filter(|f| f.severity == severity).collect();
        let mean = |v: Vec<f64>| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
        let ages = |state| -> Vec<f64> {
            of.iter()
                .filter(|f| f.state == state)
                .map(|f| f.age_days)
                .collect()
        };
        let (fixed, open) = (ages(FindingState::Fixed), ages(FindingState::Open));
        out.push(Remediation {
            severity: severity.to_string(),
            fixed: fixed.len() as i64,
            open: open.len() as i64,
            mean_days: mean(fixed),
            mean_open_age_days: mean(open),
        });
    }
    out
}

/// The query of [`Store::findings`] (the latest run's id as `$1`).
fn findings_query() -> String {
    // From the open results' index alone: each fingerprint's first and last run
    // (by time); then its identity from one of its rows (the last run's), and the
    // first later run that ran its policy (none: open now, or unseen since).
    format!(
        "WITH spans AS (
            SELECT x.fingerprint, MIN(r.recorded_at) AS first_seen, MAX(r.recorded_at) AS last_seen,
                MAX(x.run_id) AS last_run, COUNT(*) FILTER (WHERE x.run_id = $1) AS open_now
            FROM results x JOIN runs r ON r.id = x.run_id WHERE {OPEN}
            GROUP BY x.fingerprint
         ), named AS (
            SELECT s.fingerprint, MAX(x.pack) AS pack, MAX(x.policy) AS policy, MAX(x.severity) AS severity,
                MAX(x.account) AS account, MAX(x.entity) AS entity, s.first_seen, s.last_seen, s.open_now
            FROM spans s JOIN results x ON x.fingerprint = s.fingerprint AND x.run_id = s.last_run
            WHERE {OPEN}
            GROUP BY s.fingerprint, s.first_seen, s.last_seen, s.open_now
         )
         SELECT n.fingerprint, n.pack || '/' || n.policy, n.severity, n.account, n.entity,
            n.first_seen, n.last_seen, n.open_now,
            (SELECT r.recorded_at FROM runs r
             WHERE r.recorded_at > n.last_seen
               AND EXISTS (SELECT 1 FROM run_policies p WHERE p.run_id = r.id
                           AND p.pack = n.pack AND p.policy = n.policy AND p.status <> 'error')
             ORDER BY r.recorded_at LIMIT 1)
         FROM named n ORDER BY n.first_seen, n.fingerprint"
    )
}

/// `INSERT INTO table (columns) VALUES ($1, ...), (...)` for `rows` rows.
fn insert_statement(table: &str, columns: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut k = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns.len() {
            k += 1;
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${k}"));
        }
        sql.push(')');
    }
    sql
}

/// Days between two RFC 3339 times (0 when either does not parse).
fn days_between(from: &str, to: &str) -> f64 {
    let parse = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
    match (parse(from), parse(to)) {
        (Some(a), Some(b)) => (b - a).num_seconds() as f64 / 86_400.0,
        _ => 0.0,
    }
}

/// A run written but not yet committed ([`Store::begin`]).
pub struct PendingRun<'a> {
    store: &'a mut Store,
    run: i64,
    done: bool,
}

impl PendingRun<'_> {
    /// Land the run; its id.
    pub fn commit(mut self) -> Result<i64, StoreError> {
        self.done = true;
        self.store.db.batch("COMMIT")?;
        Ok(self.run)
    }
}

impl Drop for PendingRun<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Nothing of the run lands; an error here ends with the connection anyway.
            let _ = self.store.db.batch("ROLLBACK");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_results_index_is_the_open_condition() {
        // SQLite uses a partial index only for a query with its very condition.
        let open = OPEN.replace("x.", "");
        let open = open.trim_start_matches('(').trim_end_matches(')');
        assert!(MIGRATIONS[3].contains(open), "{}", MIGRATIONS[3]);
    }

    #[test]
    fn the_findings_read_the_open_results_index_not_every_result() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_sqlite(&dir.path().join("h.db")).unwrap();
        let plan = store
            .query(
                &format!("EXPLAIN QUERY PLAN {}", findings_query()),
                &[1i64.into()],
            )
            .unwrap();
        let steps: Vec<String> = plan.iter().map(|r| r.text(3).unwrap()).collect();
        let reads = |table: &str| -> Vec<&String> {
            steps
                .iter()
                .filter(|s| {
                    s.starts_with(&format!("SCAN {table}"))
                        || s.starts_with(&format!("SEARCH {table}"))
                })
                .collect()
        };
        let results = reads("x");
        assert_eq!(results.len(), 2, "{steps:#?}");
        assert!(
            results
                .iter()
                .all(|s| s.contains("USING INDEX results_open")),
            "{steps:#?}"
        );
    }

    #[test]
    fn a_location_is_a_url_by_its_scheme() {
        assert_eq!(
            Location::parse("postgresql://h/db"),
            Location::Postgres("postgresql://h/db".into())
        );
        assert_eq!(
            Location::parse("postgres.db"),
            Location::Sqlite("postgres.db".into())
        );
    }

    #[test]
    fn the_dialects_spell_the_same_statement() {
        let t = "INSERT INTO runs (id) VALUES ($1), ($2)";
        assert_eq!(
            Dialect::Sqlite.sql(t),
            "INSERT INTO runs (id) VALUES (?1), (?2)"
        );
        assert_eq!(Dialect::Postgres.sql(t), t);
        assert!(Dialect::Postgres
            .sql(MIGRATIONS[0])
            .contains("id BIGSERIAL PRIMARY KEY"));
        assert!(Dialect::Sqlite
            .sql(MIGRATIONS[0])
            .contains("id INTEGER PRIMARY KEY"));
        assert_eq!(
            insert_statement("t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }
}
