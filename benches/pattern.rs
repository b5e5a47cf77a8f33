//! Matching the 16 CIS patterns against CloudTrail-shaped JSON events, compared
//! with parsing the same events with serde_json alone.
//!
//! `cargo bench --no-default-features --bench pattern` prints criterion's numbers
//! and, at the end, `match/parse ratio` (target: at most 1.5).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, Throughput};
use gsl::pattern::FilterPattern;

fn data(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/data/pattern/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect(name)
}

fn cis() -> Vec<FilterPattern> {
    data("cis.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
        .map(|(_, p)| FilterPattern::parse(p).expect("CIS pattern"))
        .collect()
}

fn events() -> Vec<String> {
    data("cloudtrail.jsonl")
        .lines()
        .map(str::to_string)
        .collect()
}

fn parse_only(events: &[String]) -> usize {
    let mut n = 0;
    for e in events {
        let v: serde_json::Value = serde_json::from_str(e).expect("event");
        n += usize::from(v.is_object());
    }
    n
}

fn parse_and_match(patterns: &[FilterPattern], events: &[String]) -> usize {
    let mut n = 0;
    for e in events {
        let v: serde_json::Value = serde_json::from_str(e).expect("event");
        for p in patterns {
            n += usize::from(p.matches_json(&v));
        }
    }
    n
}

fn bench(c: &mut Criterion) {
    let patterns = cis();
    let events = events();
    assert_eq!(patterns.len(), 16);
    let bytes: usize = events.iter().map(String::len).sum();
    let mut g = c.benchmark_group("cloudtrail");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("serde_json_parse", |b| {
        b.iter(|| parse_only(black_box(&events)))
    });
    g.bench_function("parse_and_match_16_cis", |b| {
        b.iter(|| parse_and_match(black_box(&patterns), black_box(&events)))
    });
    g.finish();
    c.bench_function("canonical_16_cis", |b| {
        b.iter(|| patterns.iter().map(|p| p.canonical().len()).sum::<usize>())
    });
    c.bench_function("equal_cis_3_4_vs_itself_reordered", |b| {
        let a = &patterns[3];
        let other = FilterPattern::parse(&a.canonical()).expect("canonical");
        b.iter(|| a.equivalent(black_box(&other)).is_equal())
    });
}

/// Time both workloads in the same run and print the ratio.
fn ratio() {
    let patterns = cis();
    let events = events();
    let time = |f: &dyn Fn() -> usize| {
        let mut best = Duration::MAX;
        for _ in 0..15 {
            let t = Instant::now();
            black_box(f());
            best = best.min(t.elapsed());
        }
        best
    };
    let parse = time(&|| parse_only(&events));
    let matched = time(&|| parse_and_match(&patterns, &events));
    let mb = events.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    println!(
        "cloudtrail events: {} ({:.2} MB); parse {:.2} MB/s; parse+match 16 CIS {:.2} MB/s; match/parse ratio {:.2}",
        events.len(),
        mb,
        mb / parse.as_secs_f64(),
        mb / matched.as_secs_f64(),
        matched.as_secs_f64() / parse.as_secs_f64()
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    ratio();
}
