//! The findings store (`gsl check --store`, `gsl history`; docs/history.md), the same
//! suite on an SQLite file in a temp dir (`store::sqlite::*`) and on a PostgreSQL
//! database of a throwaway cluster the test starts (`store::postgres::*`,
//! `support/postgres.rs`): runs on three days give the trend, first/last seen and the
//! age of findings; two writers at once both land; a writer killed mid-run leaves
//! nothing; a store of the first schema version migrates; the HTML report draws the
//! store's trend.

use assert_cmd::Command;
use gsl::report::store::{
    Dialect, FindingState, Store, StoreError, TrendBy, MIGRATIONS, SCHEMA_VERSION,
};
use std::path::{Path, PathBuf};

#[cfg(feature = "postgres")]
#[path = "support/postgres.rs"]
mod pg;

fn gsl() -> Command {
    let mut cmd = Command::cargo_bin("gsl").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The database a test runs on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sqlite,
    #[cfg(feature = "postgres")]
    Postgres,
}

/// A test's directory (policies, snapshots) and its store.
struct Setup {
    dir: tempfile::TempDir,
    kind: Kind,
    /// What `--store` gets.
    store: String,
    #[cfg(feature = "postgres")]
    cluster: Option<pg::Cluster>,
}

impl Setup {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn open(&self) -> Store {
        Store::open(&self.store).unwrap()
    }

    /// Run statements on the store's database directly (as an older gsl, or a newer
    /// one, would have written them).
    fn raw(&self, sql: &str) {
        match self.kind {
            Kind::Sqlite => rusqlite::Connection::open(&self.store)
                .unwrap()
                .execute_batch(sql)
                .unwrap(),
            #[cfg(feature = "postgres")]
            Kind::Postgres => self
                .cluster
                .as_ref()
                .unwrap()
                .client()
                .batch_execute(sql)
                .unwrap(),
        }
    }

    fn dialect(&self) -> Dialect {
        match self.kind {
            Kind::Sqlite => Dialect::Sqlite,
            #[cfg(feature = "postgres")]
            Kind::Postgres => Dialect::Postgres,
        }
    }

    /// The statement that records schema version `v`, as gsl does.
    fn set_version(&self, v: u32) -> String {
        match self.kind {
            Kind::Sqlite => format!("PRAGMA user_version = {v}"),
            #[cfg(feature = "postgres")]
            Kind::Postgres => format!(
                "CREATE TABLE IF NOT EXISTS gsl_schema (version BIGINT NOT NULL);
                 DELETE FROM gsl_schema; INSERT INTO gsl_schema VALUES ({v})"
            ),
        }
    }
}

/// The multi-account snapshot, with account 333's trail made multi-region or not.
fn snapshot(dir: &Path, name: &str, trail_333_multi_region: bool) {
    let text =
        std::fs::read_to_string(root().join("tests/data/report/multi-account.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["accounts"][2]["entities"]["CloudTrail"][0]["isMultiRegionTrail"] =
        trail_333_multi_region.into();
    std::fs::write(dir.join(name), v.to_string()).unwrap();
}

fn store_run(s: &Setup, snapshot: &str, day: &str) {
    let out = gsl()
        .current_dir(s.path())
        .args(["check", "policies", "-s", snapshot, "--store", &s.store])
        .arg("--now")
        .arg(format!("{day}T09:00:00Z"))
        .args(["--format", "json", "-o", "/dev/null"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("stored run"), "{err}");
}

fn setup(kind: Kind) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("policies")).unwrap();
    for f in ["trail-exists.gsl", "trail-multi-region.gsl"] {
        std::fs::copy(
            root().join("tests/data/report/policies").join(f),
            d.join("policies").join(f),
        )
        .unwrap();
    }
    snapshot(d, "broken.json", false);
    snapshot(d, "fixed.json", true);
    match kind {
        Kind::Sqlite => Setup {
            store: d.join("h.db").display().to_string(),
            dir,
            kind,
            #[cfg(feature = "postgres")]
            cluster: None,
        },
        #[cfg(feature = "postgres")]
        Kind::Postgres => {
            let cluster = pg::Cluster::start();
            Setup {
                store: cluster.url(),
                dir,
                kind,
                cluster: Some(cluster),
            }
        }
    }
}

/// Store a run of no policy over one account, on 2026-02-02; its id.
fn append_empty_run(store: &mut Store) -> i64 {
    let snapshot =
        gsl::report::SnapshotInfo::new("new.json", None, vec!["111111111111".into()], &[]);
    store
        .append(&snapshot, &[], "2026-02-02T00:00:00Z")
        .unwrap()
}

fn history(s: &Setup, args: &[&str]) -> String {
    let out = gsl()
        .current_dir(s.path())
        .args(["history", "--store", &s.store])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn runs_on_three_days_give_the_trend_and_the_age_of_findings(kind: Kind) {
    let s = setup(kind);
    // Day 1 and 2: account 333's trail is single-region (TRAIL.01 fails there, as does
    // TRAIL.02 in 222 and 333); day 4: it is multi-region (TRAIL.01 fixed).
    store_run(&s, "broken.json", "2026-03-01");
    store_run(&s, "broken.json", "2026-03-02");
    store_run(&s, "fixed.json", "2026-03-04");
    let runs: serde_json::Value =
        serde_json::from_str(&history(&s, &["--format", "json"])).unwrap();
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 3);
    let open: Vec<u64> = runs
        .iter()
        .map(|r| r["openFindings"].as_u64().unwrap())
        .collect();
    assert_eq!(open, [3, 3, 2]);
    let trend: serde_json::Value =
        serde_json::from_str(&history(&s, &["--trend", "--format", "json"])).unwrap();
    let days: Vec<(&str, u64, u64)> = trend
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["day"].as_str().unwrap(),
                t["open"].as_u64().unwrap(),
                t["high"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        days,
        [
            ("2026-03-01", 3, 3),
            ("2026-03-02", 3, 3),
            ("2026-03-04", 2, 2)
        ]
    );
    // Day 1: account 111's trail passes both (2 results), 333 fails both, 222 fails
    // TRAIL.02: 2 passed of 5.
    assert_eq!(trend[0]["passRate"].as_f64().unwrap(), 2.0 / 5.0);
    let by_account = history(&s, &["--trend", "--by", "account", "--format", "csv"]);
    assert!(
        by_account.starts_with("day,group,runId,passRate,open,critical,high,medium,low,info\n"),
        "{by_account}"
    );
    assert!(
        by_account.contains("2026-03-04,333333333333,3,0.5,1,0,1,0,0,0"),
        "{by_account}"
    );
    let mut store = s.open();
    let findings = store.findings().unwrap();
    assert_eq!(findings.len(), 3);
    let fixed: Vec<_> = findings
        .iter()
        .filter(|f| f.state == FindingState::Fixed)
        .collect();
    assert_eq!(fixed.len(), 1, "{findings:#?}");
    assert_eq!(fixed[0].policy, "policies/TEST.TRAIL.01");
    assert_eq!(
        (fixed[0].first_seen.as_str(), fixed[0].last_seen.as_str()),
        ("2026-03-01T09:00:00Z", "2026-03-02T09:00:00Z")
    );
    assert_eq!(fixed[0].age_days, 3.0);
    assert!(findings
        .iter()
        .filter(|f| f.state == FindingState::Open)
        .all(|f| f.age_days == 3.0));
    let high = store
        .remediation()
        .unwrap()
        .into_iter()
        .find(|r| r.severity == "high")
        .unwrap();
    assert_eq!((high.fixed, high.mean_days, high.open), (1, Some(3.0), 2));
    let by_pack = store.trend(TrendBy::Pack).unwrap();
    assert_eq!(by_pack.len(), 3);
    assert!(
        by_pack.iter().all(|t| t.group == "policies"),
        "{by_pack:#?}"
    );
    let text = history(&s, &["--findings"]);
    assert!(
        text.contains("mean time to remediate:")
            && text.contains("high     1 fixed, mean 3.0 days"),
        "{text}"
    );
}

fn two_writers_at_once_both_land(kind: Kind) {
    let s = setup(kind);
    let spawn = |day: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_gsl"))
            .current_dir(s.path())
            .args([
                "check",
                "policies",
                "-s",
                "broken.json",
                "--store",
                &s.store,
            ])
            .args(["-q", "--format", "json", "-o", "/dev/null", "--now"])
            .arg(format!("{day}T09:00:00Z"))
            .spawn()
            .unwrap()
    };
    // Four writers on a store none has created yet: they race for the migrations too.
    let writers: Vec<_> = (1..=4).map(|i| spawn(&format!("2026-03-0{i}"))).collect();
    for mut w in writers {
        assert_eq!(w.wait().unwrap().code(), Some(1));
    }
    let mut store = s.open();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 4);
    assert!(runs.iter().all(|r| r.open_findings == 3), "{runs:#?}");
    let mut ids: Vec<i64> = runs.iter().map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4);
}

/// The writer that dies: run by `a_killed_writer_leaves_no_partial_run` in a child
/// process (it does nothing in a normal test run).
#[test]
fn writer_that_dies_mid_run() {
    let Some(location) = std::env::var_os("GSL_TEST_DYING_WRITER") else {
        return;
    };
    let snapshot =
        gsl::entity::load::parse_snapshot(gsl::entity::SAMPLE_SNAPSHOT, "sample").unwrap();
    let opts = gsl::run::eval_options(&snapshot, None);
    let graph = gsl::entity::graph::EntityGraph::named(snapshot, "sample");
    let policies = gsl::policy::builtin_policies().unwrap();
    let run = gsl::check(&policies, &graph, &opts);
    let mut store = Store::open(location.to_str().unwrap()).unwrap();
    let pending = store
        .begin(&run.snapshot, &run.policies, "2026-03-09T00:00:00Z")
        .unwrap();
    // Every row is written; the process dies before the commit.
    std::mem::forget(pending);
    std::process::abort();
}

fn a_killed_writer_leaves_no_partial_run(kind: Kind) {
    let s = setup(kind);
    store_run(&s, "broken.json", "2026-03-01");
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store::writer_that_dies_mid_run",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("GSL_TEST_DYING_WRITER", &s.store)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the writer was to die");
    let mut store = s.open();
    assert_eq!(store.runs().unwrap().len(), 1);
    // Nothing of the dead run: every finding is of the first run's policies.
    let findings = store.findings().unwrap();
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|f| f.policy.starts_with("policies/")));
    // And the store still takes runs.
    drop(store);
    store_run(&s, "fixed.json", "2026-03-02");
    let runs = s.open().runs().unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs[1].id > runs[0].id);
}

fn a_store_of_the_first_schema_migrates(kind: Kind) {
    let s = setup(kind);
    // What gsl wrote at schema version 1.
    s.raw(&format!(
        "{}; {};
         INSERT INTO runs (recorded_at, collected_at, snapshot, tool_version, accounts, policies, passed, failed, unknown, errors, not_applicable, waived)
         VALUES ('2026-02-01T00:00:00Z', NULL, 'old.json', '0.0.1', 1, 1, 0, 1, 0, 0, 0, 0);
         INSERT INTO results VALUES (1, 'ffff', 'team', 'T.01', 'high', '111111111111', '', 'arn:x', 'CloudTrail', 'failed', 0);",
        s.dialect().sql(MIGRATIONS[0]),
        s.set_version(1)
    ));
    let mut store = s.open();
    assert_eq!(store.version().unwrap(), SCHEMA_VERSION);
    let runs = store.runs().unwrap();
    assert_eq!((runs.len(), runs[0].open_findings), (1, 1));
    // Migration 3 counted the results stored before it.
    let trend = store.trend(TrendBy::Account).unwrap();
    assert_eq!(
        trend
            .iter()
            .map(|t| (
                t.day.as_str(),
                t.group.as_str(),
                t.open,
                t.high,
                t.pass_rate
            ))
            .collect::<Vec<_>>(),
        [("2026-02-01", "111111111111", 1, 1, 0.0)]
    );
    assert_eq!(append_empty_run(&mut store), 2);
    assert_eq!(
        store.findings().unwrap()[0].first_seen,
        "2026-02-01T00:00:00Z"
    );
    // A store newer than this gsl is refused, not rewritten.
    drop(store);
    s.raw(&s.set_version(SCHEMA_VERSION + 1));
    let err = Store::open(&s.store)
        .err()
        .expect("a newer store is refused");
    assert!(
        matches!(err, StoreError::Newer { found, .. } if found == SCHEMA_VERSION + 1),
        "{err}"
    );
}

fn the_html_report_draws_the_trend_of_the_store(kind: Kind) {
    let s = setup(kind);
    store_run(&s, "broken.json", "2026-03-01");
    let html = |store: bool| {
        let mut cmd = gsl();
        cmd.current_dir(s.path())
            .args(["check", "policies", "-s", "fixed.json", "--format", "html"])
            .args(["--now", "2026-03-02T09:00:00Z"]);
        if store {
            cmd.args(["--store", &s.store]);
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    assert!(!html(false).contains("id=\"trend\""));
    let page = html(true);
    assert!(page.contains("Trend: the last 2 runs"), "{page}");
    let trend = &page[page.find("id=\"trend\"").unwrap()..];
    // Two lines of two points: passed 0 of 2 policies, then 1 of 2; 3 open findings,
    // then 2 (of a scale of 3).
    assert!(
        trend.contains("points=\"40.0,160.0 600.0,90.0\""),
        "{trend}"
    );
    assert!(trend.contains("points=\"40.0,20.0 600.0,66.7\""), "{trend}");
    // One file: no external asset.
    assert!(!page.contains("src=\"http") && !page.contains("href=\"http"));
}

/// The suite, once per database.
macro_rules! on_each_database {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $test() {
                super::$test(super::Kind::Sqlite)
            })*
        }
        #[cfg(feature = "postgres")]
        mod postgres {
            $(#[test]
            fn $test() {
                super::$test(super::Kind::Postgres)
            })*
        }
    };
}

on_each_database!(
    runs_on_three_days_give_the_trend_and_the_age_of_findings,
    two_writers_at_once_both_land,
    a_killed_writer_leaves_no_partial_run,
    a_store_of_the_first_schema_migrates,
    the_html_report_draws_the_trend_of_the_store,
);

/// The documented URL forms: the server's Unix socket, and the tables in a schema of
/// their own (`options=-csearch_path=gsl`).
#[cfg(feature = "postgres")]
#[test]
fn a_postgres_store_through_the_socket_in_its_own_schema() {
    let cluster = pg::Cluster::start();
    cluster.client().batch_execute("CREATE SCHEMA gsl").unwrap();
    let url = cluster.socket_url(Some("-csearch_path%3Dgsl"));
    let mut store = Store::open(&url).unwrap();
    assert_eq!(store.dialect(), Dialect::Postgres);
    assert_eq!(append_empty_run(&mut store), 1);
    let mut client = cluster.client();
    let tables: Vec<(String, String)> = client
        .query(
            "SELECT table_schema::text, table_name::text FROM information_schema.tables
             WHERE table_schema IN ('gsl', 'public') ORDER BY 1, 2",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let gsl_schema = |t: &str| ("gsl".to_string(), t.to_string());
    assert_eq!(
        tables,
        [
            gsl_schema("gsl_schema"),
            gsl_schema("results"),
            gsl_schema("run_policies"),
            gsl_schema("run_totals"),
            gsl_schema("runs")
        ]
    );
    let version: i64 = client
        .query_one("SELECT version FROM gsl.gsl_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, i64::from(SCHEMA_VERSION));
}

/// A server that is not there: the error names the URL without its password and says
/// what to check.
#[cfg(feature = "postgres")]
#[test]
fn an_unreachable_server_is_named_without_the_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("postgres://gsl:s3cret@127.0.0.1:{port}/findings");
    let out = gsl()
        .current_dir(dir.path())
        .args(["history", "--store", &url])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
    assert!(
        err.contains(&format!("postgres://gsl:***@127.0.0.1:{port}/findings")),
        "{err}"
    );
    assert!(err.contains("gsl::store::connect"), "{err}");
    assert!(
        err.contains(&format!(
            "is a PostgreSQL server listening at 127.0.0.1:{port}"
        )),
        "{err}"
    );
    let err = Store::open(&url).err().expect("nothing listens");
    assert!(matches!(err, StoreError::Connect { .. }), "{err}");
}

/// TLS to a PostgreSQL store (docs/history.md, "TLS"), against a cluster with `ssl=on`
/// and a certificate for `localhost` only, signed by a CA made for the test: each
/// `sslmode` connects as libpq's does or fails with its own error, and the server says
/// whether the session is encrypted.
#[cfg(feature = "postgres")]
mod tls {
    use super::*;

    /// What a connection is to give.
    #[derive(Debug)]
    enum Expect {
        /// Connected, the session encrypted or not.
        Encrypted(bool),
        /// `gsl::store::tls_untrusted`.
        Untrusted,
        /// `gsl::store::tls_host`.
        WrongHost,
        /// `gsl::store::tls_unavailable`, naming the mode.
        Unavailable(&'static str),
    }

    fn url(cluster: &pg::Cluster, host: &str, app: &str, query: &str) -> String {
        format!(
            "postgres://gsl:s3cret@{host}:{}/postgres?application_name={app}&{query}",
            cluster.port
        )
    }

    fn connect_as(cluster: &pg::Cluster, case: &str, host: &str, query: &str, expect: &Expect) {
        let app = case.replace(|c: char| !c.is_ascii_alphanumeric(), "_");
        let url = url(cluster, host, &app, query);
        match (Store::open(&url), expect) {
            (Ok(mut store), Expect::Encrypted(tls)) => {
                // The store works: a run lands, and the server tells how it came.
                assert_eq!(append_empty_run(&mut store), 1, "{case}");
                assert_eq!(cluster.sessions_encrypted(&app), [*tls], "{case}");
            }
            (Ok(_), _) => panic!("{case}: connected, expected {expect:?}"),
            (Err(e), expect) => {
                let shown = format!("{e}");
                assert!(!shown.contains("s3cret"), "{case}: {shown}");
                assert!(shown.contains("gsl:***@"), "{case}: {shown}");
                let server = format!("{host}:{}", cluster.port);
                match (&e, expect) {
                    (
                        StoreError::TlsUntrusted {
                            server: s, message, ..
                        },
                        Expect::Untrusted,
                    ) => {
                        assert_eq!(s, &server, "{case}");
                        assert!(message.contains("UnknownIssuer"), "{case}: {message}");
                    }
                    (
                        StoreError::TlsHost {
                            server: s, message, ..
                        },
                        Expect::WrongHost,
                    ) => {
                        assert_eq!(s, &server, "{case}");
                        assert!(message.contains("localhost"), "{case}: {message}");
                    }
                    (StoreError::TlsUnavailable { mode, .. }, Expect::Unavailable(want)) => {
                        assert_eq!(mode, want, "{case}")
                    }
                    _ => panic!("{case}: {e:?}, expected {expect:?}"),
                }
            }
        }
    }

    #[test]
    fn each_sslmode_against_a_server_with_tls() {
        let cluster = pg::Cluster::start_tls();
        let certs = cluster.tls.as_ref().unwrap();
        let (ca, other) = (certs.ca.display(), certs.other_ca.display());
        let local = "localhost";
        let ip = "127.0.0.1";
        for (case, host, query, expect) in [
            (
                "require",
                ip,
                "sslmode=require".to_string(),
                Expect::Encrypted(true),
            ),
            // No sslmode: libpq's prefer, encrypted as the server offers TLS.
            ("default", ip, String::new(), Expect::Encrypted(true)),
            (
                "disable",
                ip,
                "sslmode=disable".into(),
                Expect::Encrypted(false),
            ),
            (
                "verify-full",
                local,
                format!("sslmode=verify-full&sslrootcert={ca}"),
                Expect::Encrypted(true),
            ),
            (
                "verify-full, another CA",
                local,
                format!("sslmode=verify-full&sslrootcert={other}"),
                Expect::Untrusted,
            ),
            (
                "verify-full, an IP the certificate does not name",
                ip,
                format!("sslmode=verify-full&sslrootcert={ca}"),
                Expect::WrongHost,
            ),
            // verify-ca checks the CA only.
            (
                "verify-ca by IP",
                ip,
                format!("sslmode=verify-ca&sslrootcert={ca}"),
                Expect::Encrypted(true),
            ),
            (
                "verify-ca, another CA",
                local,
                format!("sslmode=verify-ca&sslrootcert={other}"),
                Expect::Untrusted,
            ),
            // require with a root file verifies the CA, as libpq.
            (
                "require with a root file",
                ip,
                format!("sslmode=require&sslrootcert={other}"),
                Expect::Untrusted,
            ),
        ] {
            cluster
                .client()
                .batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
                .unwrap();
            connect_as(&cluster, case, host, &query, &expect);
        }
        // The Unix socket has no TLS: no sslmode applies there (libpq's rule).
        let socket = format!(
            "{}&sslmode=verify-full&sslrootcert={other}&application_name=socket",
            cluster.socket_url(None)
        );
        let _store = Store::open(&socket).unwrap();
        assert_eq!(cluster.sessions_encrypted("socket"), [false]);
    }

    #[test]
    fn tls_is_refused_clearly_by_a_server_without_it() {
        let cluster = pg::Cluster::start();
        let dir = tempfile::tempdir().unwrap();
        let ca = pg::make_certificates(dir.path()).ca;
        let verify = format!("sslmode=verify-full&sslrootcert={}", ca.display());
        for (case, query, expect) in [
            ("require", "sslmode=require", Expect::Unavailable("require")),
            (
                "verify-full",
                verify.as_str(),
                Expect::Unavailable("verify-full"),
            ),
            // prefer (the default) falls back to no TLS.
            ("default", "", Expect::Encrypted(false)),
            ("disable", "sslmode=disable", Expect::Encrypted(false)),
        ] {
            cluster
                .client()
                .batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
                .unwrap();
            connect_as(&cluster, case, "127.0.0.1", query, &expect);
        }
    }

    /// The command line: a run stored over TLS and read back, the system's roots
    /// (`SSL_CERT_FILE`) when no sslrootcert is given, and an untrusted server refused
    /// with its code and without the password.
    #[test]
    fn check_and_history_over_tls() {
        let cluster = pg::Cluster::start_tls();
        let certs = cluster.tls.as_ref().unwrap();
        let mut s = setup(Kind::Sqlite);
        s.store = url(&cluster, "localhost", "gsl", "sslmode=verify-full");
        let ca = certs.ca.display().to_string();
        let other = certs.other_ca.display().to_string();
        let history = |s: &Setup, roots: &str| {
            gsl()
                .current_dir(s.path())
                .env("SSL_CERT_FILE", roots)
                .env_remove("SSL_CERT_DIR")
                .args(["history", "--store", &s.store, "--format", "json"])
                .output()
                .unwrap()
        };
        let out = history(&s, &other);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("gsl::store::tls_untrusted"), "{err}");
        assert!(err.contains("sslrootcert=FILE"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
        s.store = url(
            &cluster,
            "localhost",
            "gsl",
            &format!("sslmode=verify-full&sslrootcert={ca}"),
        );
        store_run(&s, "broken.json", "2026-03-01");
        s.store = url(&cluster, "localhost", "gsl", "sslmode=verify-full");
        let out = history(&s, &ca);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let runs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(runs.as_array().unwrap().len(), 1, "{runs}");
        assert_eq!(runs[0]["openFindings"], 3, "{runs}");
    }
}
