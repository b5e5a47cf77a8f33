//! The findings store: every run appended to an embedded SQLite file (`gsl check
//! --store history.db`), one transaction per run, in a versioned schema with
//! migrations (docs/history.md documents it, for SQL and dashboards); and the
//! questions `gsl history` asks of it (the runs, the trend per day, the age of open
//! findings).

use super::{finding, PolicyReport, SnapshotInfo};
use crate::lang::eval::Outcome;
use miette::Diagnostic;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use std::path::Path;
use thiserror::Error;

/// The schema version this build writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: u32 = 2;

/// The migrations: `MIGRATIONS[n]` takes a store from version `n` to `n + 1`.
pub const MIGRATIONS: [&str; 2] = [
    // 1: runs and their results.
    "CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        recorded_at TEXT NOT NULL,
        collected_at TEXT,
        snapshot TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        accounts INTEGER NOT NULL,
        policies INTEGER NOT NULL,
        passed INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        unknown INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        not_applicable INTEGER NOT NULL,
        waived INTEGER NOT NULL
    );
    CREATE TABLE results (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,
        pack TEXT NOT NULL,
        policy TEXT NOT NULL,
        severity TEXT NOT NULL,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_type TEXT NOT NULL,
        outcome TEXT NOT NULL,
        waived INTEGER NOT NULL
    );
    CREATE INDEX results_run ON results(run_id);
    CREATE INDEX results_fingerprint ON results(fingerprint);",
    // 2: the policies of each run (their status and rule digest), the waivers applied,
    // and the manual count.
    "CREATE TABLE run_policies (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        pack TEXT NOT NULL,
        policy TEXT NOT NULL,
        title TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL,
        rule_digest TEXT,
        PRIMARY KEY (run_id, pack, policy)
    );
    ALTER TABLE results ADD COLUMN waiver TEXT;
    ALTER TABLE runs ADD COLUMN manual INTEGER NOT NULL DEFAULT 0;",
];

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
}

/// A findings store.
pub struct Store {
    conn: Connection,
    path: String,
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
const OPEN: &str = "(x.outcome IN ('failed','unknown','error') AND x.waived = 0)";

impl Store {
    /// Open (creating it if needed) and migrate the store at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let name = path.display().to_string();
        let conn = Connection::open(path).map_err(|source| StoreError::Sqlite {
            path: name.clone(),
            source,
        })?;
        let mut store = Store { conn, path: name };
        store.setup()?;
        Ok(store)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        sqlite_error(&self.path)
    }

    /// A write transaction: it takes the store's write lock at once (waiting for
    /// another writer's run to land), so two writers never interleave.
    fn write(&mut self) -> Result<(Transaction<'_>, String), StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite_error(&path))?;
        Ok((tx, path))
    }

    fn setup(&mut self) -> Result<(), StoreError> {
        // Another writer holds the lock for one run at most: wait for it.
        self.conn
            .busy_timeout(std::time::Duration::from_secs(60))
            .map_err(self.err())?;
        self.conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(self.err())?;
        let (tx, path) = self.write()?;
        let err = sqlite_error(&path);
        let version: u32 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(&err)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::Newer {
                path: path.clone(),
                found: version,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql).map_err(&err)?;
            tx.pragma_update(None, "user_version", (i + 1) as u32)
                .map_err(&err)?;
        }
        tx.commit().map_err(&err)
    }

    /// The schema version of the store.
    pub fn version(&self) -> Result<u32, StoreError> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(self.err())
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
        let (tx, path) = self.write()?;
        let err = sqlite_error(&path);
        let s = super::Summary::of(policies);
        tx.execute(
            "INSERT INTO runs (recorded_at, collected_at, snapshot, tool_version, accounts, policies,
                passed, failed, unknown, errors, not_applicable, waived, manual)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                at,
                snapshot.collected_at,
                snapshot.name,
                env!("CARGO_PKG_VERSION"),
                snapshot.accounts.len() as i64,
                s.rules as i64,
                s.passed as i64,
                s.failed as i64,
                s.unknown as i64,
                s.errors as i64,
                s.not_applicable as i64,
                s.waived as i64,
                s.manual as i64,
            ],
        )
        .map_err(&err)?;
        let run = tx.last_insert_rowid();
        {
            let mut policy = tx
                .prepare(
                    "INSERT OR REPLACE INTO run_policies (run_id, pack, policy, title, severity, status, rule_digest)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(&err)?;
            let mut result = tx
                .prepare(
                    "INSERT INTO results (run_id, fingerprint, pack, policy, severity, account, region,
                        entity, entity_type, outcome, waived, waiver)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(&err)?;
            for p in policies {
                let pack = finding::pack_family(crate::policy::select::pack_of(&p.origin));
                let severity = p.meta.severity.as_str();
                policy
                    .execute(params![
                        run,
                        pack,
                        p.meta.id,
                        p.meta.title,
                        severity,
                        p.status.as_str(),
                        p.rule_digest
                    ])
                    .map_err(&err)?;
                for e in p
                    .entities
                    .iter()
                    .filter(|e| e.outcome != Outcome::NotRelevant)
                {
                    let waiver = p.waiver_of(&e.id);
                    result
                        .execute(params![
                            run,
                            finding::fingerprint(p, e),
                            pack,
                            p.meta.id,
                            severity,
                            e.account,
                            e.region.as_deref().unwrap_or(""),
                            e.id,
                            e.entity_type,
                            e.outcome.as_str(),
                            waiver.is_some(),
                            waiver.map(|w| format!("{} (until {})", w.reason, w.expires)),
                        ])
                        .map_err(&err)?;
                }
            }
        }
        let path = path.clone();
        Ok(PendingRun { tx, run, path })
    }

    /// The runs, oldest first.
    pub fn runs(&self) -> Result<Vec<RunRow>, StoreError> {
        let mut q = self
            .conn
            .prepare(&format!(
                "SELECT r.id, r.recorded_at, r.collected_at, r.snapshot, r.accounts, r.policies, r.passed, r.failed,
                    (SELECT COUNT(*) FROM results x WHERE x.run_id = r.id AND {OPEN})
                 FROM runs r ORDER BY r.recorded_at, r.id"
            ))
            .map_err(self.err())?;
        let rows = q
            .query_map([], |r| {
                Ok(RunRow {
                    id: r.get(0)?,
                    recorded_at: r.get(1)?,
                    collected_at: r.get(2)?,
                    snapshot: r.get(3)?,
                    accounts: r.get(4)?,
                    policies: r.get(5)?,
                    passed: r.get(6)?,
                    failed: r.get(7)?,
                    open_findings: r.get(8)?,
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// The trend: for each day, its last run's pass rate and open findings per
    /// severity, for the whole run or per pack or account.
    pub fn trend(&self, by: TrendBy) -> Result<Vec<TrendRow>, StoreError> {
        let group = match by {
            TrendBy::Run => "''",
            TrendBy::Pack => "x.pack",
            TrendBy::Account => "x.account",
        };
        let sql = format!(
            "WITH last AS (
                SELECT substr(recorded_at, 1, 10) AS day, MAX(id) AS run_id FROM runs
                GROUP BY substr(recorded_at, 1, 10)
             )
             SELECT l.day, {group} AS grp, l.run_id,
                SUM(x.outcome = 'passed'),
                SUM({OPEN}),
                SUM({OPEN} AND x.severity = 'critical'),
                SUM({OPEN} AND x.severity = 'high'),
                SUM({OPEN} AND x.severity = 'medium'),
                SUM({OPEN} AND x.severity = 'low'),
                SUM({OPEN} AND x.severity = 'info')
             FROM last l JOIN results x ON x.run_id = l.run_id
             GROUP BY l.day, grp ORDER BY l.day, grp"
        );
        let mut q = self.conn.prepare(&sql).map_err(self.err())?;
        let rows = q
            .query_map([], |r| {
                let passed: i64 = r.get(3)?;
                let open: i64 = r.get(4)?;
                Ok(TrendRow {
                    day: r.get(0)?,
                    group: r.get(1)?,
                    run_id: r.get(2)?,
                    pass_rate: if passed + open == 0 {
                        1.0
                    } else {
                        passed as f64 / (passed + open) as f64
                    },
                    open,
                    critical: r.get(5)?,
                    high: r.get(6)?,
                    medium: r.get(7)?,
                    low: r.get(8)?,
                    info: r.get(9)?,
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// Every finding ever open: first and last seen, open now or not, its age.
    pub fn findings(&self) -> Result<Vec<FindingAge>, StoreError> {
        let latest: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT id, recorded_at FROM runs ORDER BY recorded_at DESC, id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(self.err())?;
        let Some((latest, latest_at)) = latest else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "WITH open AS (
                SELECT x.fingerprint, x.pack || '/' || x.policy AS policy, x.severity, x.account, x.entity,
                    r.recorded_at, r.id AS run_id
                FROM results x JOIN runs r ON r.id = x.run_id WHERE {OPEN}
             ), spans AS (
                SELECT fingerprint, MAX(policy) AS policy, MAX(severity) AS severity, MAX(account) AS account,
                    MAX(entity) AS entity, MIN(recorded_at) AS first_seen, MAX(recorded_at) AS last_seen,
                    MAX(run_id = ?1) AS open_now
                FROM open GROUP BY fingerprint
             )
             SELECT s.fingerprint, s.policy, s.severity, s.account, s.entity, s.first_seen, s.last_seen, s.open_now,
                (SELECT MIN(r.recorded_at) FROM runs r
                 WHERE r.recorded_at > s.last_seen
                   AND EXISTS (SELECT 1 FROM run_policies p WHERE p.run_id = r.id
                               AND p.pack || '/' || p.policy = s.policy AND p.status <> 'error'))
             FROM spans s ORDER BY s.first_seen, s.fingerprint"
        );
        let mut q = self.conn.prepare(&sql).map_err(self.err())?;
        let rows = q
            .query_map([latest], |r| {
                let first: String = r.get(5)?;
                let open: bool = r.get(7)?;
                let gone: Option<String> = r.get(8)?;
                let state = match (open, &gone) {
                    (true, _) => FindingState::Open,
                    (false, Some(_)) => FindingState::Fixed,
                    (false, None) => FindingState::Unseen,
                };
                let end = gone.unwrap_or_else(|| latest_at.clone());
                Ok(FindingAge {
                    fingerprint: r.get(0)?,
                    policy: r.get(1)?,
                    severity: r.get(2)?,
                    account: r.get(3)?,
                    entity: r.get(4)?,
                    age_days: days_between(&first, &end),
                    first_seen: first,
                    last_seen: r.get(6)?,
                    state,
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// The mean time to remediate and the mean age of open findings, per severity
    /// (highest first).
    pub fn remediation(&self) -> Result<Vec<Remediation>, StoreError> {
        let all = self.findings()?;
        let mut out = Vec::new();
        for severity in ["critical", "high", "medium", "low", "info"] {
            let of: Vec<&FindingAge> = all.iter().filter(|f| f.severity == severity).collect();
            let mean =
                |v: Vec<f64>| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
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
        Ok(out)
    }
}

/// The error of an SQLite call on the store at `path`.
fn sqlite_error(path: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Sqlite {
        path: path.to_string(),
        source,
    }
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
    tx: Transaction<'a>,
    run: i64,
    path: String,
}

impl PendingRun<'_> {
    /// Land the run; its id.
    pub fn commit(self) -> Result<i64, StoreError> {
        self.tx.commit().map_err(sqlite_error(&self.path))?;
        Ok(self.run)
    }
}
