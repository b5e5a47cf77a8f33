//! The findings store (`gsl check --store`, `gsl history`; docs/history.md), SQLite in a
//! temp dir: runs on three days give the trend, first/last seen and the age of
//! findings; two writers at once both land; a writer killed mid-run leaves nothing; a
//! store of the first schema version migrates.

use assert_cmd::Command;
use gsl::report::store::{FindingState, Store, TrendBy, MIGRATIONS, SCHEMA_VERSION};
use std::path::{Path, PathBuf};

fn gsl() -> Command {
    let mut cmd = Command::cargo_bin("gsl").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
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

fn store_run(dir: &Path, snapshot: &str, day: &str) {
    let out = gsl()
        .current_dir(dir)
        .args([
            "check", "policies", "-s", snapshot, "--store", "h.db", "--now",
        ])
        .arg(format!("{day}T09:00:00Z"))
        .args(["--format", "json", "-o", "/dev/null"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("stored run"), "{err}");
}

fn setup() -> tempfile::TempDir {
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
    dir
}

fn history(dir: &Path, args: &[&str]) -> String {
    let out = gsl()
        .current_dir(dir)
        .args(["history", "--store", "h.db"])
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

#[test]
fn runs_on_three_days_give_the_trend_and_the_age_of_findings() {
    let dir = setup();
    let d = dir.path();
    // Day 1 and 2: account 333's trail is single-region (TRAIL.01 fails there, as does
    // TRAIL.02 in 222 and 333); day 4: it is multi-region (TRAIL.01 fixed).
    store_run(d, "broken.json", "2026-03-01");
    store_run(d, "broken.json", "2026-03-02");
    store_run(d, "fixed.json", "2026-03-04");
    let runs: serde_json::Value = serde_json::from_str(&history(d, &["--format", "json"])).unwrap();
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 3);
    let open: Vec<u64> = runs
        .iter()
        .map(|r| r["openFindings"].as_u64().unwrap())
        .collect();
    assert_eq!(open, [3, 3, 2]);
    let trend: serde_json::Value =
        serde_json::from_str(&history(d, &["--trend", "--format", "json"])).unwrap();
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
    let by_account = history(d, &["--trend", "--by", "account", "--format", "csv"]);
    assert!(
        by_account.starts_with("day,group,runId,passRate,open,critical,high,medium,low,info\n"),
        "{by_account}"
    );
    assert!(
        by_account.contains("2026-03-04,333333333333,3,0.5,1,0,1,0,0,0"),
        "{by_account}"
    );
    let store = Store::open(&d.join("h.db")).unwrap();
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
    assert_eq!(store.trend(TrendBy::Pack).unwrap().len(), 3);
    let text = history(d, &["--findings"]);
    assert!(
        text.contains("mean time to remediate:")
            && text.contains("high     1 fixed, mean 3.0 days"),
        "{text}"
    );
}

#[test]
fn two_writers_at_once_both_land() {
    let dir = setup();
    let d = dir.path();
    let spawn = |day: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_gsl"))
            .current_dir(d)
            .args([
                "check",
                "policies",
                "-s",
                "broken.json",
                "--store",
                "h.db",
                "-q",
                "--format",
                "json",
                "-o",
                "/dev/null",
                "--now",
            ])
            .arg(format!("{day}T09:00:00Z"))
            .spawn()
            .unwrap()
    };
    let writers: Vec<_> = (1..=4).map(|i| spawn(&format!("2026-03-0{i}"))).collect();
    for mut w in writers {
        assert_eq!(w.wait().unwrap().code(), Some(1));
    }
    let store = Store::open(&d.join("h.db")).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 4);
    assert!(runs.iter().all(|r| r.open_findings == 3), "{runs:#?}");
}

/// The writer that dies: run by `a_killed_writer_leaves_no_partial_run` in a child
/// process (it does nothing in a normal test run).
#[test]
fn writer_that_dies_mid_run() {
    let Some(path) = std::env::var_os("GSL_TEST_DYING_WRITER") else {
        return;
    };
    let snapshot =
        gsl::entity::load::parse_snapshot(gsl::entity::SAMPLE_SNAPSHOT, "sample").unwrap();
    let opts = gsl::run::eval_options(&snapshot, None);
    let graph = gsl::entity::graph::EntityGraph::named(snapshot, "sample");
    let policies = gsl::policy::builtin_policies().unwrap();
    let run = gsl::check(&policies, &graph, &opts);
    let mut store = Store::open(Path::new(&path)).unwrap();
    let pending = store
        .begin(&run.snapshot, &run.policies, "2026-03-09T00:00:00Z")
        .unwrap();
    // Every row is written; the process dies before the commit.
    std::mem::forget(pending);
    std::process::abort();
}

#[test]
fn a_killed_writer_leaves_no_partial_run() {
    let dir = setup();
    let d = dir.path();
    store_run(d, "broken.json", "2026-03-01");
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store::writer_that_dies_mid_run",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("GSL_TEST_DYING_WRITER", d.join("h.db"))
        .status()
        .unwrap();
    assert!(!status.success(), "the writer was to die");
    let store = Store::open(&d.join("h.db")).unwrap();
    assert_eq!(store.runs().unwrap().len(), 1);
    // Nothing of the dead run: every finding is of the first run's policies.
    assert!(store
        .findings()
        .unwrap()
        .iter()
        .all(|f| f.policy.starts_with("policies/")));
    // And the store still takes runs.
    drop(store);
    store_run(d, "fixed.json", "2026-03-02");
    assert_eq!(
        Store::open(&d.join("h.db")).unwrap().runs().unwrap().len(),
        2
    );
}

#[test]
fn a_store_of_the_first_schema_migrates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO runs (id, recorded_at, collected_at, snapshot, tool_version, accounts, policies, passed, failed, unknown, errors, not_applicable, waived)
             VALUES (1, '2026-02-01T00:00:00Z', NULL, 'old.json', '0.0.1', 1, 1, 0, 1, 0, 0, 0, 0)",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO results VALUES (1, 'ffff', 'team', 'T.01', 'high', '111111111111', '', 'arn:x', 'CloudTrail', 'failed', 0)",
            [],
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.version().unwrap(), SCHEMA_VERSION);
    let runs = store.runs().unwrap();
    assert_eq!((runs.len(), runs[0].open_findings), (1, 1));
    let snapshot =
        gsl::report::SnapshotInfo::new("new.json", None, vec!["111111111111".into()], &[]);
    assert_eq!(
        store
            .append(&snapshot, &[], "2026-02-02T00:00:00Z")
            .unwrap(),
        2
    );
    assert_eq!(
        store.findings().unwrap()[0].first_seen,
        "2026-02-01T00:00:00Z"
    );
    // A store newer than this gsl is refused, not rewritten.
    drop(store);
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let err = Store::open(&path).err().expect("a newer store is refused");
    assert!(
        matches!(err, gsl::report::store::StoreError::Newer { .. }),
        "{err}"
    );
}

#[test]
fn the_html_report_draws_the_trend_of_the_store() {
    let dir = setup();
    let d = dir.path();
    store_run(d, "broken.json", "2026-03-01");
    let html = |store: bool| {
        let mut cmd = gsl();
        cmd.current_dir(d)
            .args(["check", "policies", "-s", "fixed.json", "--format", "html"])
            .args(["--now", "2026-03-02T09:00:00Z"]);
        if store {
            cmd.args(["--store", "h.db"]);
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
