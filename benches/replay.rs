//! `gsl replay`'s matching over generated CloudTrail records (`support/trailgen.rs`):
//! the CIS AWS v5 pack's fifteen patterns plus forty unrelated filters, on the same
//! bytes, three ways: serde_json parsing alone, the full matcher (parse every record,
//! then [`PatternSet::matches_json`]) and the raw-bytes fast path
//! ([`PatternSet::raw_matcher`]: literals found first, only candidates parsed). Then
//! whole gzipped log files: the replay from files against decompressing them alone.
//!
//! `cargo bench --no-default-features --bench replay` prints criterion's numbers and,
//! at the end, the throughputs in GB/s and the ratios (targets: fast path >= 1 GB/s on
//! one core and >= 3x serde_json's parse rate; replaying gzip files within 1.2x of
//! decompressing them). `GSL_BENCH_DAYS` (default 2) sets how many days of the
//! generated month are used. For a profiler (`perf record --call-graph dwarf`):
//! `GSL_PROFILE_REPLAY=N` runs only the replay of the gzip files, N times on one
//! thread, and `GSL_PROFILE_FAST=N` only the fast path over the records, N times.

use std::hint::black_box;
use std::io::Read;
use std::time::Instant;

use criterion::{criterion_group, Criterion, Throughput};
use gsl::pattern::{FilterPattern, PatternSet};

#[path = "support/trailgen.rs"]
mod trailgen;

fn spec() -> trailgen::Spec {
    let days = std::env::var("GSL_BENCH_DAYS")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(2);
    trailgen::Spec {
        days,
        ..trailgen::Spec::month(29)
    }
}

/// Every record of the generated days as one JSON line (the form of a CloudWatch Logs
/// export, and what each record of a `Records` file is).
fn lines() -> Vec<String> {
    let mut out = Vec::new();
    trailgen::generate(&spec(), &mut |f| {
        let doc: serde_json::Value = serde_json::from_str(&f.text).expect("generated");
        for r in doc["Records"].as_array().expect("records") {
            out.push(r.to_string());
        }
    });
    out
}

fn patterns() -> PatternSet {
    let mut all: Vec<FilterPattern> = trailgen::CIS
        .iter()
        .map(|(_, p)| FilterPattern::parse(p).expect("CIS pattern"))
        .collect();
    all.extend(
        trailgen::unrelated()
            .iter()
            .map(|p| FilterPattern::parse(p).expect("unrelated pattern")),
    );
    assert_eq!(all.len(), 55);
    PatternSet::new(all)
}

fn parse_only(lines: &[String]) -> usize {
    lines
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("event");
            usize::from(v.is_object())
        })
        .sum()
}

fn full(set: &PatternSet, lines: &[String]) -> usize {
    lines
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("event");
            set.matches_json(&v).iter().filter(|m| **m).count()
        })
        .sum()
}

fn fast(set: &PatternSet, lines: &[String]) -> usize {
    let mut m = set.raw_matcher();
    let mut out = Vec::new();
    lines
        .iter()
        .map(|l| {
            m.matches_into(l, &mut out);
            out.iter().filter(|m| **m).count()
        })
        .sum()
}

/// The gzipped files of the generated days, in memory and under a directory.
fn gz_files(dir: &std::path::Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    trailgen::generate(&spec(), &mut |f| {
        let gz = trailgen::gzip(&f.text);
        let path = dir.join(&f.path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(&path, &gz).expect("write");
        out.push(gz);
    });
    out
}

fn inflate(files: &[Vec<u8>]) -> usize {
    files
        .iter()
        .map(|f| {
            let mut text = Vec::new();
            flate2::read::MultiGzDecoder::new(&f[..])
                .read_to_end(&mut text)
                .expect("gzip");
            text.len()
        })
        .sum()
}

/// A snapshot whose one multi-region trail delivers to a log group with the 55 filters.
fn graph() -> gsl::entity::graph::EntityGraph {
    let spec = spec();
    let acct = &spec.account;
    let filters: Vec<serde_json::Value> = trailgen::CIS
        .iter()
        .map(|(_, p)| p.to_string())
        .chain(trailgen::unrelated())
        .enumerate()
        .map(|(i, p)| {
            serde_json::json!({"filterName": format!("f{i}"), "filterPattern": p, "logGroupName": "ct",
                "metricTransformations": [{"metricName": format!("m{i}"), "metricNamespace": "CIS", "metricValue": "1", "alarms": []}]})
        })
        .collect();
    let snap = serde_json::json!({"schemaVersion": 1, "accounts": [{"accountNumber": acct, "entities": {
        "CloudTrail": [{"id": "trail", "type": "CloudTrail", "name": "main", "accountNumber": acct,
            "region": "us-east-1", "homeRegion": "us-east-1", "isMultiRegionTrail": true, "status": {"isLogging": true},
            "cloudWatchLogsLogGroupArn": format!("arn:aws:logs:us-east-1:{acct}:log-group:ct:*"),
            "metricFilters": filters}]}}]});
    let snapshot = gsl::entity::load::parse_snapshot(&snap.to_string(), "bench").expect("snapshot");
    gsl::entity::graph::EntityGraph::named(snapshot, "bench")
}

fn bench(c: &mut Criterion) {
    let set = patterns();
    let lines = lines();
    let bytes: usize = lines.iter().map(String::len).sum();
    assert_eq!(
        fast(&set, &lines),
        full(&set, &lines),
        "fast path = full matcher"
    );
    let mut g = c.benchmark_group("replay_match_55");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("serde_json_parse", |b| {
        b.iter(|| parse_only(black_box(&lines)))
    });
    g.bench_function("full_matcher", |b| {
        b.iter(|| full(black_box(&set), black_box(&lines)))
    });
    g.bench_function("fast_path", |b| {
        b.iter(|| fast(black_box(&set), black_box(&lines)))
    });
    g.finish();
}

/// The CPU time this thread has run, in seconds (Linux: `/proc/thread-self/schedstat`),
/// or the wall clock where that is not available. On a shared machine a thread's CPU
/// time is what a dedicated core would take; the wall clock also counts the waits.
fn cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}

/// The best of `runs` runs of `f` (one thread): its CPU time where the system tells
/// it, else the wall clock. The kernel may account CPU time by scheduler tick (4 ms on
/// this build machine, a tenth of one pass of the fast path), so each run repeats `f`
/// for about half a second and the time of one call is its share.
fn best_secs(runs: usize, f: &dyn Fn() -> usize) -> f64 {
    let calls = calls_for_half_a_second(f);
    (0..runs)
        .map(|_| {
            let (t, c) = (Instant::now(), cpu_secs());
            for _ in 0..calls {
                black_box(f());
            }
            let secs = match (c, cpu_secs()) {
                (Some(a), Some(b)) => b - a,
                _ => t.elapsed().as_secs_f64(),
            };
            secs / calls as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// How many calls of `f` take about half a second (one call timed).
fn calls_for_half_a_second(f: &dyn Fn() -> usize) -> usize {
    let t = Instant::now();
    black_box(f());
    (0.5 / t.elapsed().as_secs_f64().max(1e-6)).ceil() as usize
}

/// The numbers docs/performance.md quotes, measured in one run, in CPU time of the
/// measuring thread (see [`cpu_secs`]).
fn ratios() {
    let set = patterns();
    let lines = lines();
    let bytes = lines.iter().map(String::len).sum::<usize>() as f64;
    let gbs = |secs: f64| bytes / secs / 1e9;
    let parse = best_secs(5, &|| parse_only(&lines));
    let full_t = best_secs(5, &|| full(&set, &lines));
    let fast_t = best_secs(5, &|| fast(&set, &lines));
    let mut m = set.raw_matcher();
    let mut out = Vec::new();
    let parsed = lines.iter().filter(|l| m.matches_into(l, &mut out)).count();
    println!(
        "\nreplay matching, 55 patterns ({} of them without a literal), {} records, {:.0} MB:",
        set.unfiltered(),
        lines.len(),
        bytes / 1e6
    );
    println!("  serde_json parse alone: {:.2} GB/s", gbs(parse));
    println!("  full matcher:           {:.2} GB/s", gbs(full_t));
    println!(
        "  fast path:              {:.2} GB/s  ({:.1}x serde_json's parse, {:.1}x the full matcher; {:.1}% of records parsed)",
        gbs(fast_t),
        parse / fast_t,
        full_t / fast_t,
        100.0 * parsed as f64 / lines.len() as f64
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let files = gz_files(dir.path());
    let text_bytes = inflate(&files) as f64;
    let graph = graph();
    let inflate_t = best_secs(3, &|| inflate(&files));
    let inflate_wall = best_wall(3, &|| inflate(&files));
    let run = || {
        let r = gsl::replay::replay_files(&graph, Vec::new(), &[dir.path().to_path_buf()]);
        r.records as usize
    };
    let replay_wall = best_wall(3, &run);
    let replay_cpu = best_process_cpu(3, &run);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    let replay_one = best_wall(3, &|| one.install(run));
    println!(
        "replay of {} gzip files ({:.0} MB of JSON) on {} threads: decompress alone {:.2} GB/s (one core); \
         replay {:.2} GB/s of CPU time, {:.2}x the decompression's, and {:.2}x its wall time",
        files.len(),
        text_bytes / 1e6,
        rayon::current_num_threads(),
        text_bytes / inflate_t / 1e9,
        text_bytes / replay_cpu / 1e9,
        replay_cpu / inflate_t,
        replay_wall / inflate_wall,
    );
    println!(
        "  on one thread: replay {:.2} GB/s, {:.2}x the decompression's wall time",
        text_bytes / replay_one / 1e9,
        replay_one / inflate_wall,
    );
}

/// The best wall-clock time of `runs` runs of `f`.
fn best_wall(runs: usize, f: &dyn Fn() -> usize) -> f64 {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// The best CPU time of the whole process (every thread) over `runs` runs of `f`, from
/// `/proc/self/stat` (clock ticks of 10 ms, so each run repeats `f` for about half a
/// second); the wall clock where that is not available.
fn best_process_cpu(runs: usize, f: &dyn Fn() -> usize) -> f64 {
    fn ticks() -> Option<u64> {
        let s = std::fs::read_to_string("/proc/self/stat").ok()?;
        let rest = &s[s.rfind(')')? + 2..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
    }
    let calls = calls_for_half_a_second(f);
    (0..runs)
        .map(|_| {
            let (t, c) = (Instant::now(), ticks());
            for _ in 0..calls {
                black_box(f());
            }
            let secs = match (c, ticks()) {
                (Some(a), Some(b)) => (b - a) as f64 / 100.0,
                _ => t.elapsed().as_secs_f64(),
            };
            secs / calls as f64
        })
        .fold(f64::INFINITY, f64::min)
}

criterion_group!(benches, bench);

fn main() {
    if let Ok(n) = std::env::var("GSL_PROFILE_FAST") {
        // Only the fast path over the records, `n` times: for a profiler.
        let (set, lines) = (patterns(), lines());
        for _ in 0..n.parse::<usize>().unwrap_or(10) {
            black_box(fast(&set, &lines));
        }
        return;
    }
    if let Ok(n) = std::env::var("GSL_PROFILE_REPLAY") {
        // Only the replay of the gzip files, `n` times on one thread: for a profiler.
        let dir = tempfile::tempdir().expect("tempdir");
        gz_files(dir.path());
        let graph = graph();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a one-thread pool");
        for _ in 0..n.parse::<usize>().unwrap_or(10) {
            one.install(|| {
                gsl::replay::replay_files(&graph, Vec::new(), &[dir.path().to_path_buf()])
            });
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    ratios();
}
