//! The findings store: appending a run of the CIS pack (`policies/cis-aws@5.0.0`) over
//! a generated organization (`benches/support/orggen.rs`, seed 7; 1,000 accounts, or
//! `GSL_STORE_SIZES`) to a fresh SQLite store, and with the `postgres` feature to a
//! fresh PostgreSQL store (a throwaway cluster started as the tests start theirs,
//! `tests/it/support/postgres.rs`; skipped, saying so, when no server programs are
//! found), versus the check itself, measured in the same run; then `gsl history
//! --trend` and `--findings` over a store of 365 daily runs of 100 accounts, on SQLite
//! and (the same runs) on PostgreSQL, with `--findings` as it was before schema 4 (the
//! query over every result of the year, run by hand on the same SQLite store) beside it.
//!
//! ```text
//! cargo bench --no-default-features --features postgres --bench store -- --warm-up-time 1 --measurement-time 3
//! GSL_STORE_SIZES=100 cargo bench --no-default-features --bench store
//! ```
//!
//! At the end it prints the ratios store / check per size (target: < 1).

#[path = "support/orggen.rs"]
mod orggen;

#[cfg(feature = "postgres")]
#[path = "../tests/it/support/postgres.rs"]
mod pg;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};
use gsl::entity::graph::EntityGraph;
use gsl::entity::load::parse_snapshot;
use gsl::policy::{find_policy_files, load_policy_file};
use gsl::report::store::{Store, TrendBy};

/// (size, bench) → (total time, iterations).
type Times = BTreeMap<(usize, &'static str), (Duration, u64)>;
static TIMES: Mutex<Times> = Mutex::new(BTreeMap::new());

fn timed(n: usize, what: &'static str, iters: u64, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    let d = start.elapsed();
    if let Ok(mut t) = TIMES.lock() {
        let e = t.entry((n, what)).or_default();
        e.0 += d;
        e.1 += iters;
    }
    d
}

fn sizes() -> Vec<usize> {
    std::env::var("GSL_STORE_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1000])
}

fn cis_policies() -> Vec<gsl::policy::Policy> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/cis-aws@5.0.0");
    find_policy_files(&[root])
        .expect("policy files")
        .0
        .iter()
        .map(|p| load_policy_file(p).expect("policy"))
        .collect()
}

fn org(n: usize) -> EntityGraph {
    let text = orggen::org_json_in(
        &orggen::OrgSpec {
            accounts: n,
            seed: 7,
        },
        orggen::Shape::Flat,
    );
    EntityGraph::new(parse_snapshot(&text, "org").expect("snapshot"))
}

/// A PostgreSQL cluster for the run, when the server programs are there.
#[cfg(feature = "postgres")]
fn cluster() -> Option<pg::Cluster> {
    match pg::find_bin_dir() {
        Ok(_) => Some(pg::Cluster::start()),
        Err(e) => {
            eprintln!("the PostgreSQL store is not measured: {e}");
            None
        }
    }
}

fn bench(c: &mut Criterion) {
    let policies = cis_policies();
    let dir = tempfile::tempdir().expect("temp dir");
    #[cfg(feature = "postgres")]
    let cluster = cluster();
    for n in sizes() {
        let graph = org(n);
        let opts = gsl::run::eval_options(graph.snapshot(), None);
        let run = gsl::check(&policies, &graph, &opts);
        let mut g = c.benchmark_group(format!("store_{n}"));
        g.sample_size(10);
        g.bench_function("check", |b| {
            b.iter_custom(|iters| {
                timed(n, "check", iters, || {
                    gsl::memo::forget();
                    let opts = gsl::run::eval_options(graph.snapshot(), None);
                    black_box(gsl::check(&policies, &graph, &opts));
                })
            })
        });
        let mut k = 0;
        g.bench_function("store", |b| {
            b.iter_custom(|iters| {
                timed(n, "store", iters, || {
                    k += 1;
                    // A fresh store each time: the cost of one run's transaction.
                    let mut store = Store::open_sqlite(&dir.path().join(format!("s{n}-{k}.db")))
                        .expect("store");
                    black_box(
                        store
                            .append(&run.snapshot, &run.policies, "2026-01-01T00:00:00Z")
                            .expect("append"),
                    );
                })
            })
        });
        #[cfg(feature = "postgres")]
        if let Some(cluster) = &cluster {
            let mut client = cluster.client();
            g.bench_function("store_postgres", |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        // A fresh store each time (untimed: dropping the last one).
                        client
                            .batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
                            .expect("reset the database");
                        total += timed(n, "store_postgres", 1, || {
                            let mut store = Store::open(&cluster.url()).expect("store");
                            black_box(
                                store
                                    .append(&run.snapshot, &run.policies, "2026-01-01T00:00:00Z")
                                    .expect("append"),
                            );
                        });
                    }
                    total
                })
            });
        }
        g.finish();
    }
    // The trend and the findings over 365 daily runs of 100 accounts.
    let graph = org(100);
    let opts = gsl::run::eval_options(graph.snapshot(), None);
    let run = gsl::check(&policies, &graph, &opts);
    let results: usize = run
        .policies
        .iter()
        .map(|p| {
            p.entities
                .iter()
                .filter(|e| e.outcome != gsl::lang::eval::Outcome::NotRelevant)
                .count()
        })
        .sum();
    eprintln!(
        "history_365x100: {results} results a run, {} in the year",
        results * 365
    );
    let path = dir.path().join("year.db");
    let mut store = Store::open_sqlite(&path).expect("store");
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
    let days: Vec<String> = (0..365)
        .map(|day| format!("{}T06:00:00Z", start + chrono::Days::new(day)))
        .collect();
    for at in &days {
        store
            .append(&run.snapshot, &run.policies, at)
            .expect("append");
    }
    let mut g = c.benchmark_group("history_365x100");
    g.sample_size(10);
    g.bench_function("trend", |b| {
        b.iter(|| black_box(store.trend(TrendBy::Run).expect("trend")))
    });
    g.bench_function("trend_by_account", |b| {
        b.iter(|| black_box(store.trend(TrendBy::Account).expect("trend")))
    });
    g.bench_function("findings", |b| {
        b.iter(|| black_box(store.findings().expect("findings")))
    });
    // `--findings` before schema 4: its query, on a copy of the store without the index
    // schema 4 added.
    let before = dir.path().join("year-schema3.db");
    std::fs::copy(&path, &before).expect("copy the year");
    let conn = rusqlite::Connection::open(&before).expect("open the year");
    conn.execute_batch("DROP INDEX IF EXISTS results_open")
        .expect("drop the index");
    g.bench_function("findings_before", |b| {
        b.iter(|| {
            let mut st = conn.prepare_cached(FINDINGS_BEFORE).expect("prepare");
            let rows = st
                .query_map([365i64], |r| r.get::<_, String>(0))
                .expect("query")
                .count();
            black_box(rows)
        })
    });
    #[cfg(feature = "postgres")]
    if let Some(cluster) = &cluster {
        cluster
            .client()
            .batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            .expect("reset the database");
        let mut pg = Store::open(&cluster.url()).expect("store");
        for at in &days {
            pg.append(&run.snapshot, &run.policies, at).expect("append");
        }
        // As after autovacuum: the planner's statistics and the visibility map.
        cluster
            .client()
            .batch_execute("VACUUM ANALYZE")
            .expect("vacuum");
        g.bench_function("trend_postgres", |b| {
            b.iter(|| black_box(pg.trend(TrendBy::Run).expect("trend")))
        });
        g.bench_function("trend_by_account_postgres", |b| {
            b.iter(|| black_box(pg.trend(TrendBy::Account).expect("trend")))
        });
        g.bench_function("findings_postgres", |b| {
            b.iter(|| black_box(pg.findings().expect("findings")))
        });
    }
    g.finish();
}

/// The query of `Store::findings` at schema 3 (the latest run's id as `?1`).
const FINDINGS_BEFORE: &str = "WITH open_results AS (
    SELECT x.fingerprint, x.pack || '/' || x.policy AS policy, x.severity, x.account, x.entity,
        r.recorded_at, r.id AS run_id
    FROM results x JOIN runs r ON r.id = x.run_id
    WHERE x.outcome IN ('failed','unknown','error') AND x.waived = 0
 ), spans AS (
    SELECT fingerprint, MAX(policy) AS policy, MAX(severity) AS severity, MAX(account) AS account,
        MAX(entity) AS entity, MIN(recorded_at) AS first_seen, MAX(recorded_at) AS last_seen,
        COUNT(*) FILTER (WHERE run_id = ?1) AS open_now
    FROM open_results GROUP BY fingerprint
 )
 SELECT s.fingerprint, s.policy, s.severity, s.account, s.entity, s.first_seen, s.last_seen, s.open_now,
    (SELECT MIN(r.recorded_at) FROM runs r
     WHERE r.recorded_at > s.last_seen
       AND EXISTS (SELECT 1 FROM run_policies p WHERE p.run_id = r.id
                   AND p.pack || '/' || p.policy = s.policy AND p.status <> 'error'))
 FROM spans s ORDER BY s.first_seen, s.fingerprint";

fn report() {
    let Ok(t) = TIMES.lock() else { return };
    let mean = |n: usize, what| {
        t.get(&(n, what))
            .filter(|(_, i)| *i > 0)
            .map(|(d, i)| d.as_secs_f64() / *i as f64)
    };
    for n in sizes() {
        let Some(check) = mean(n, "check") else {
            continue;
        };
        for (what, label) in [("store", "SQLite"), ("store_postgres", "PostgreSQL")] {
            if let Some(store) = mean(n, what) {
                println!(
                    "store_{n}: check {:.1} ms, store in {label} {:.1} ms, store / check = {:.2}",
                    check * 1e3,
                    store * 1e3,
                    store / check
                );
            }
        }
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    report();
}
