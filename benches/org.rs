//! Organization scale: loading a generated organization's snapshot versus checking the
//! CIS pack (`policies/cis-aws@5.0.0`) over it, measured in the same run, for 10 and 100
//! accounts (`benches/support/orggen.rs`, seed 7), in both shapes: `flat` (as
//! `gsl collect` writes it) and `nested` (CloudGuard's: metric filters only under their
//! trails, two trails per account).
//!
//! ```text
//! cargo bench --no-default-features --bench org -- --warm-up-time 1 --measurement-time 3
//! GSL_ORG_SIZES=10 cargo bench --no-default-features --bench org   # sizes to run
//! GSL_ORG_SHAPES=nested cargo bench --no-default-features --bench org   # shapes to run
//! ```
//!
//! Benchmarks per size `n` (`org_n` flat, `org_nested_n` nested): `org_n/load` (parse and validate the text, index the
//! graph), `org_n/check_cis` (`gsl::check` of the CIS pack's policies over the loaded
//! graph on one core: a one-thread rayon pool), `org_n/check_cis_parallel` (the same
//! on every core) and `org_n/rules_one_by_one` (each rule over the whole graph with
//! `evaluate`, one after the other: the order before a run went account by account).
//! Each iteration is one run with its own decision cache (`EvalOptions` per run) and
//! the process-wide memos forgotten (`gsl::memo::forget`), as a fresh `gsl check`
//! process has: nothing is carried over from earlier iterations. At the end it
//! prints, per size, the ratio check / load (target: <= 1 on one core) and the time
//! per account of each (target: flat from 10 to 1,000 accounts), from the iterations
//! criterion ran.
//!
//! Many small accounts (`GSL_ORG_SMALL_SIZES`, default 2,000 and 20,000): each account
//! one trail, the organization shape whose per-account bookkeeping once grew with the
//! square of the accounts. `small_n/run` is what `gsl check -f json` does after
//! reading the file: load, check the CIS pack, and the JSON document with its
//! per-account counts. At the end it prints the time per account at each size: flat
//! means linear.

#[path = "support/orggen.rs"]
mod orggen;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};
use gsl::entity::graph::EntityGraph;
use gsl::entity::load::parse_snapshot;
use gsl::lang::eval::{check_rule, CheckedRule};
use gsl::lang::eval::{evaluate, EvalOptions};
use gsl::lang::parser::parse_rule_named;
use gsl::policy::{find_policy_files, load_policy_file};

/// (shape, size, bench) → (total time, iterations).
type Times = BTreeMap<(&'static str, usize, &'static str), (Duration, u64)>;
static TIMES: Mutex<Times> = Mutex::new(BTreeMap::new());

/// The shape being measured (one at a time).
static SHAPE: Mutex<&'static str> = Mutex::new("flat");

fn record(n: usize, what: &'static str, d: Duration, iters: u64) {
    let shape = SHAPE.lock().map(|s| *s).unwrap_or("flat");
    if let Ok(mut t) = TIMES.lock() {
        let e = t.entry((shape, n, what)).or_default();
        e.0 += d;
        e.1 += iters;
    }
}

/// Run `f` `iters` times; the time taken, also recorded for the final report.
fn timed(n: usize, what: &'static str, iters: u64, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    let d = start.elapsed();
    record(n, what, d, iters);
    d
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

fn cis_rules(policies: &[gsl::policy::Policy]) -> Vec<CheckedRule> {
    policies
        .iter()
        .filter(|p| p.meta.manual.is_none())
        .map(|p| {
            check_rule(&parse_rule_named(&p.source, &p.origin).expect("policy parses"))
                .expect("policy checks")
        })
        .collect()
}

fn sizes() -> Vec<usize> {
    std::env::var("GSL_ORG_SIZES")
        .unwrap_or_else(|_| "10,100".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn shapes() -> Vec<(&'static str, orggen::Shape)> {
    let want = std::env::var("GSL_ORG_SHAPES").unwrap_or_else(|_| "flat,nested".into());
    want.split(',')
        .filter_map(|s| match s.trim() {
            "flat" => Some(("flat", orggen::Shape::Flat)),
            "nested" => Some(("nested", orggen::Shape::Nested)),
            _ => None,
        })
        .collect()
}

fn small_sizes() -> Vec<usize> {
    std::env::var("GSL_ORG_SMALL_SIZES")
        .unwrap_or_else(|_| "2000,20000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// `n` accounts of one trail each (about 180 bytes of JSON per account).
fn small_org(n: usize) -> String {
    let accounts: Vec<String> = (0..n)
        .map(|i| {
            let a = format!("{:012}", 100_000_000_000u64 + i as u64);
            format!(
                r#"{{"accountNumber":"{a}","entities":{{"CloudTrail":[{{"id":"arn:aws:cloudtrail:us-east-1:{a}:trail/t","type":"CloudTrail","name":"t","region":"us-east-1","isMultiRegionTrail":{}}}]}}}}"#,
                i % 3 != 0
            )
        })
        .collect();
    format!(
        r#"{{"schemaVersion":1,"collectedAt":"2026-11-20T10:00:00Z","accounts":[{}]}}"#,
        accounts.join(",")
    )
}

fn bench_small(c: &mut Criterion, policies: &[gsl::policy::Policy]) {
    for n in small_sizes() {
        let text = small_org(n);
        let mut g = c.benchmark_group(format!("small_{n}"));
        g.sample_size(10);
        g.bench_function("run", |b| {
            b.iter_custom(|iters| {
                timed(n, "small_run", iters, || {
                    gsl::memo::forget();
                    let snapshot = parse_snapshot(black_box(&text), "org").expect("snapshot");
                    let opts = gsl::run::eval_options(&snapshot, None);
                    let graph = EntityGraph::new(snapshot);
                    let run = gsl::check(policies, &graph, &opts);
                    black_box(run.document().to_json().len());
                })
            })
        });
        g.finish();
    }
}

fn bench(c: &mut Criterion) {
    let policies = cis_policies();
    let rules = cis_rules(&policies);
    let now = EvalOptions::default().now;
    let one_core = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    for (shape_name, shape) in shapes() {
        if let Ok(mut s) = SHAPE.lock() {
            *s = shape_name;
        }
        for n in sizes() {
            bench_org(c, n, shape, &policies, &rules, now, &one_core);
        }
    }
    if let Ok(mut s) = SHAPE.lock() {
        *s = "small";
    }
    bench_small(c, &policies);
}

fn bench_org(
    c: &mut Criterion,
    n: usize,
    shape: orggen::Shape,
    policies: &[gsl::policy::Policy],
    rules: &[CheckedRule],
    now: chrono::DateTime<chrono::Utc>,
    one_core: &rayon::ThreadPool,
) {
    {
        let text = orggen::org_json_in(
            &orggen::OrgSpec {
                accounts: n,
                seed: 7,
            },
            shape,
        );
        let graph = EntityGraph::new(parse_snapshot(&text, "org").expect("snapshot"));
        let mut g = c.benchmark_group(match shape {
            orggen::Shape::Flat => format!("org_{n}"),
            orggen::Shape::Nested => format!("org_nested_{n}"),
        });
        g.sample_size(10);
        g.bench_function("load", |b| {
            b.iter_custom(|iters| {
                timed(n, "load", iters, || {
                    let s = parse_snapshot(black_box(&text), "org").expect("snapshot");
                    black_box(EntityGraph::new(s));
                })
            })
        });
        // Each run: its own options (decision cache), nothing remembered (`gsl::memo`).
        let run = || {
            gsl::memo::forget();
            EvalOptions::at(now)
        };
        g.bench_function("check_cis", |b| {
            b.iter_custom(|iters| {
                timed(n, "check_cis", iters, || {
                    let opts = run();
                    black_box(one_core.install(|| gsl::check(policies, &graph, &opts).summary));
                })
            })
        });
        g.bench_function("rules_one_by_one", |b| {
            b.iter_custom(|iters| {
                timed(n, "rules_one_by_one", iters, || {
                    let opts = run();
                    for r in rules {
                        black_box(evaluate(r, &graph, &opts).entities.len());
                    }
                })
            })
        });
        g.bench_function("check_cis_parallel", |b| {
            b.iter_custom(|iters| {
                timed(n, "check_cis_parallel", iters, || {
                    let opts = run();
                    black_box(gsl::check(policies, &graph, &opts).summary);
                })
            })
        });
        g.finish();
    }
}

fn report() {
    let Ok(t) = TIMES.lock() else { return };
    let mean = |shape: &'static str, n: usize, what| {
        t.get(&(shape, n, what))
            .filter(|(_, i)| *i > 0)
            .map(|(d, i)| d.as_secs_f64() / *i as f64)
    };
    println!("\norganization scale (mean of the iterations run, this machine, this run):");
    println!(
        "{:>7} {:>8} {:>10} {:>12} {:>12} {:>14} {:>14} {:>16} {:>16}",
        "shape",
        "accounts",
        "load_s",
        "check_s",
        "check/load",
        "parallel/load",
        "by_rule/load",
        "load_ms/account",
        "check_ms/account"
    );
    for (shape, _) in shapes() {
        for n in sizes() {
            if let (Some(l), Some(c)) = (mean(shape, n, "load"), mean(shape, n, "check_cis")) {
                let par = mean(shape, n, "check_cis_parallel").map_or(f64::NAN, |p| p / l);
                let by_rule = mean(shape, n, "rules_one_by_one").map_or(f64::NAN, |p| p / l);
                println!(
                    "{shape:>7} {n:>8} {l:>10.4} {c:>12.4} {:>12.2} {par:>14.2} {by_rule:>14.2} {:>16.3} {:>16.3}",
                    c / l,
                    l * 1e3 / n as f64,
                    c * 1e3 / n as f64
                );
            }
        }
    }
    println!("\nmany small accounts (load, check, JSON document):");
    println!("{:>8} {:>10} {:>16}", "accounts", "run_s", "run_ms/account");
    for n in small_sizes() {
        if let Some(r) = mean("small", n, "small_run") {
            println!("{n:>8} {r:>10.4} {:>16.4}", r * 1e3 / n as f64);
        }
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    report();
}
