//! The main job's cost: running the 21 shipped policies over a snapshot, compared with
//! loading (parsing and validating) the same snapshot, measured in the same run.
//!
//! `cargo bench --no-default-features --bench check`. Workloads: the built-in sample
//! account, and a synthetic account with 50 copies of its main trail (400 metric
//! filters), where the pattern-comparison cache matters.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use gsl::entity::graph::EntityGraph;
use gsl::entity::load::parse_snapshot;
use gsl::entity::SAMPLE_SNAPSHOT;
use gsl::lang::ast::Rule;
use gsl::lang::eval::{evaluate, EvalOptions};
use gsl::lang::parser::parse_rule_named;
use gsl::policy::builtin_policies;
use serde_json::Value;

fn rules() -> Vec<Rule> {
    builtin_policies()
        .expect("policies")
        .iter()
        .map(|p| parse_rule_named(&p.source, &p.origin).expect("policy parses"))
        .collect()
}

/// The sample account with its main trail copied `n` times.
fn scaled(n: usize) -> String {
    let mut snap: Value = serde_json::from_str(SAMPLE_SNAPSHOT).expect("sample");
    let trails = &mut snap["accounts"][0]["entities"]["CloudTrail"];
    let main = trails[0].clone();
    let list = trails.as_array_mut().expect("trails");
    for i in 0..n {
        let mut t = main.clone();
        t["id"] = Value::from(format!("{}-copy{i}", main["id"].as_str().unwrap_or("t")));
        t["name"] = Value::from(format!("copy{i}"));
        list.push(t);
    }
    snap.to_string()
}

fn check_all(rules: &[Rule], graph: &EntityGraph, opts: &EvalOptions) -> usize {
    rules
        .iter()
        .map(|r| evaluate(r, graph, opts).entities.len())
        .sum()
}

fn bench(c: &mut Criterion) {
    let rules = rules();
    let opts = EvalOptions::default();
    for (name, text) in [
        ("sample", SAMPLE_SNAPSHOT.to_string()),
        ("50_trails", scaled(50)),
    ] {
        let graph = EntityGraph::new(parse_snapshot(&text, name).expect("snapshot"));
        let mut g = c.benchmark_group(name);
        g.bench_function("load_snapshot", |b| {
            b.iter(|| parse_snapshot(black_box(&text), name).map(|s| s.accounts.len()))
        });
        g.bench_function("check_21_policies", |b| {
            b.iter(|| check_all(black_box(&rules), &graph, &opts))
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
