//! The main job's cost: running the 21 shipped policies over a snapshot, compared with
//! loading (parsing and validating) the same snapshot, measured in the same run.
//!
//! `cargo bench --no-default-features --bench check`. Workloads:
//! - `sample`: the built-in sample account;
//! - `50_trails`: the sample with 50 copies of its main trail (400 metric filters,
//!   the same texts);
//! - `20_accounts`: the sample account 20 times, each copy with its filter patterns
//!   spelled differently and 30 unrelated filters per trail (what a run over an
//!   organization sees).
//!
//! Each iteration is one run: it creates its [`EvalOptions`] (and so its decision
//! cache), shared by the 21 policies and every account of the snapshot.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use gsl::entity::graph::EntityGraph;
use gsl::entity::load::parse_snapshot;
use gsl::entity::SAMPLE_SNAPSHOT;
use gsl::lang::eval::{check_rule, evaluate, CheckedRule, EvalOptions};
use gsl::lang::parser::parse_rule_named;
use gsl::policy::builtin_policies;
use serde_json::Value;

fn rules() -> Vec<CheckedRule> {
    builtin_policies()
        .expect("policies")
        .iter()
        .map(|p| {
            let rule = parse_rule_named(&p.source, &p.origin).expect("policy parses");
            check_rule(&rule).expect("policy checks")
        })
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

/// Insert `i` spaces after the opening brace of every JSON filter pattern.
fn respell(v: &mut Value, i: usize) {
    match v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                match x {
                    Value::String(s) if k == "filterPattern" && s.starts_with('{') => {
                        *s = format!("{{{}{}", " ".repeat(i), &s[1..]);
                    }
                    _ => respell(x, i),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| respell(x, i)),
        _ => {}
    }
}

/// The sample account `n` times, filters respelled per copy, plus `unrelated`
/// filters per trail.
fn organization(n: usize, unrelated: usize) -> String {
    let snap: Value = serde_json::from_str(SAMPLE_SNAPSHOT).expect("sample");
    let account = snap["accounts"][0].clone();
    let number = account["accountNumber"].as_str().unwrap_or("").to_string();
    let mut accounts = Vec::new();
    for i in 0..n {
        let text = account
            .to_string()
            .replace(&number, &format!("{:012}", 100_000_000_000u64 + i as u64));
        let mut a: Value = serde_json::from_str(&text).expect("copy");
        if let Some(trails) = a["entities"]["CloudTrail"].as_array_mut() {
            for t in trails {
                let Some(filters) = t["metricFilters"].as_array_mut() else {
                    continue;
                };
                let Some(template) = filters.first().cloned() else {
                    continue;
                };
                for j in 0..unrelated {
                    let mut f = template.clone();
                    f["filterName"] = Value::from(format!("unrelated-{j}"));
                    f["filterPattern"] = Value::from(format!(
                        "{{ ($.eventSource = \"svc{j}.amazonaws.com\") && ($.eventName = \"Op{}\") }}",
                        j + i
                    ));
                    filters.push(f);
                }
            }
        }
        respell(&mut a, i);
        accounts.push(a);
    }
    let mut snap = snap;
    snap["accounts"] = Value::Array(accounts);
    snap.to_string()
}

fn check_all(rules: &[CheckedRule], graph: &EntityGraph) -> usize {
    // One run: one set of options (one decision cache) for every policy, and nothing
    // remembered from earlier iterations (`gsl::memo`).
    gsl::memo::forget();
    let opts = EvalOptions::default();
    rules
        .iter()
        .map(|r| evaluate(r, graph, &opts).entities.len())
        .sum()
}

fn bench(c: &mut Criterion) {
    let rules = rules();
    for (name, text) in [
        ("sample", SAMPLE_SNAPSHOT.to_string()),
        ("50_trails", scaled(50)),
        ("20_accounts", organization(20, 30)),
    ] {
        let graph = EntityGraph::new(parse_snapshot(&text, name).expect("snapshot"));
        let mut g = c.benchmark_group(name);
        g.bench_function("load_snapshot", |b| {
            b.iter(|| parse_snapshot(black_box(&text), name).map(|s| s.accounts.len()))
        });
        g.bench_function("check_21_policies", |b| {
            b.iter(|| check_all(black_box(&rules), &graph))
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
