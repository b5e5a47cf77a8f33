//! Matching the 16 CIS patterns against CloudTrail-shaped JSON events, compared
//! with parsing the same events with serde_json alone.
//!
//! `cargo bench --no-default-features --bench pattern` prints criterion's numbers
//! and, at the end, `match/parse ratio` (target: at most 1.5), then the cost of
//! deciding equality and coverage on the CIS patterns and on the many-pairs
//! patterns of issue 15 (target: every decision under 100 ms).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, Throughput};
use gsl::pattern::{FilterPattern, PatternSet};

fn data(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/data/pattern/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect(name)
}

fn cis_by_id() -> Vec<(String, FilterPattern)> {
    data("cis.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
        .map(|(id, p)| {
            (
                id.to_string(),
                FilterPattern::parse(p).expect("CIS pattern"),
            )
        })
        .collect()
}

fn cis() -> Vec<FilterPattern> {
    cis_by_id().into_iter().map(|(_, p)| p).collect()
}

fn cis_pattern(id: &str) -> FilterPattern {
    cis_by_id()
        .into_iter()
        .find(|(i, _)| i == id)
        .map(|(_, p)| p)
        .expect("CIS id")
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

fn parse_and_match_set(set: &PatternSet, events: &[String]) -> usize {
    let mut n = 0;
    for e in events {
        let v: serde_json::Value = serde_json::from_str(e).expect("event");
        n += set.matches_json(&v).iter().filter(|&&m| m).count();
    }
    n
}

fn match_text_set(set: &PatternSet, events: &[String]) -> usize {
    events
        .iter()
        .map(|e| set.matches(e).iter().filter(|&&m| m).count())
        .sum()
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
    let set = PatternSet::new(patterns.clone());
    g.bench_function("parse_and_pattern_set_matches_json_16_cis", |b| {
        b.iter(|| parse_and_match_set(black_box(&set), black_box(&events)))
    });
    g.bench_function("pattern_set_matches_text_16_cis", |b| {
        b.iter(|| match_text_set(black_box(&set), black_box(&events)))
    });
    g.finish();
    c.bench_function("canonical_16_cis", |b| {
        b.iter(|| patterns.iter().map(|p| p.canonical().len()).sum::<usize>())
    });
    let p37 = FilterPattern::parse(
        "{ ($.eventSource = kms.amazonaws.com && $.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion && $.eventSource = kms.amazonaws.com) }",
    )
    .expect("3.7 distributed");
    let cis37 = cis_pattern("3.7");
    c.bench_function("equal_by_meaning_cis_3_7_distributed", |b| {
        b.iter(|| {
            gsl::memo::forget();
            black_box(&cis37).equivalent(black_box(&p37)).is_equal()
        })
    });
    let extra = FilterPattern::parse(
        &cis_pattern("3.4")
            .canonical()
            .replace(" }", " || $.eventName = \"PutRolePermissionsBoundary\" }"),
    )
    .expect("3.4 + 1");
    c.bench_function("covers_cis_3_4_plus_one_name", |b| {
        let cis34 = cis_pattern("3.4");
        b.iter(|| {
            gsl::memo::forget();
            black_box(&extra).covers(black_box(&cis34))
        })
    });
}

/// Time both workloads in the same run and print the ratio.
fn ratio() {
    let patterns = cis();
    let events = events();
    let set = PatternSet::new(patterns.clone());
    assert_eq!(
        parse_and_match(&patterns, &events),
        parse_and_match_set(&set, &events)
    );
    let parsed: Vec<serde_json::Value> = events
        .iter()
        .map(|e| serde_json::from_str(e).expect("event"))
        .collect();
    // The machine may be shared: interleave the workloads and keep each one's best
    // round, so that load drifts hit all of them alike.
    assert_eq!(
        parse_and_match(&patterns, &events),
        match_text_set(&set, &events)
    );
    let work: [&dyn Fn() -> usize; 5] = [
        &|| parse_only(&events),
        &|| parse_and_match(&patterns, &events),
        &|| parse_and_match_set(&set, &events),
        &|| {
            parsed
                .iter()
                .map(|v| set.matches_json(v).iter().filter(|&&m| m).count())
                .sum()
        },
        &|| match_text_set(&set, &events),
    ];
    let mut best = [Duration::MAX; 5];
    for _ in 0..40 {
        for (i, f) in work.iter().enumerate() {
            let t = Instant::now();
            black_box(f());
            best[i] = best[i].min(t.elapsed());
        }
    }
    let [parse, matched, with_set, match_only, text_set] = best;
    let mb = events.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    let per_event = |d: Duration| d.as_secs_f64() * 1e6 / events.len() as f64;
    let ratio = |d: Duration| d.as_secs_f64() / parse.as_secs_f64();
    println!(
        "cloudtrail events: {} ({:.2} MB), 16 CIS patterns, best of 40 interleaved rounds",
        events.len(),
        mb
    );
    println!(
        "  serde_json parse (Value)            {:7.1} µs/event  {:7.1} MB/s  ratio 1.00",
        per_event(parse),
        mb / parse.as_secs_f64()
    );
    println!(
        "  parse + 16 x FilterPattern          {:7.1} µs/event  {:7.1} MB/s  ratio {:.2}",
        per_event(matched),
        mb / matched.as_secs_f64(),
        ratio(matched)
    );
    println!(
        "  parse + PatternSet::matches_json    {:7.1} µs/event  {:7.1} MB/s  ratio {:.2}",
        per_event(with_set),
        mb / with_set.as_secs_f64(),
        ratio(with_set)
    );
    println!("  PatternSet::matches (text in)       {:7.1} µs/event  {:7.1} MB/s  match/parse ratio {:.2}", per_event(text_set), mb / text_set.as_secs_f64(), ratio(text_set));
    println!(
        "  matching alone on parsed events     {:7.1} µs/event",
        per_event(match_only)
    );
}

/// `{a0=1&&b0=1||a1=1&&b1=1||...}` with `n` pairs, and the same with value `v`.
fn pairs(n: usize, v: &str) -> FilterPattern {
    let c: Vec<String> = (0..n).map(|i| format!("$.a{i}={v}&&$.b{i}={v}")).collect();
    FilterPattern::parse(&format!("{{{}}}", c.join("||"))).expect("pairs")
}

/// Best time of `rounds` runs of `f`, in microseconds.
fn best_us(rounds: usize, f: &dyn Fn() -> bool) -> f64 {
    let mut best = Duration::MAX;
    for _ in 0..rounds {
        // Each round proves afresh, as one run does (`gsl::memo`).
        gsl::memo::forget();
        let t = Instant::now();
        black_box(f());
        best = best.min(t.elapsed());
    }
    best.as_secs_f64() * 1e6
}

/// The cost of deciding equality and coverage: each CIS pattern against a
/// spelling with an extra clause that matches nothing, so that the canonical texts
/// differ and the full procedure runs; and the many-pairs patterns of issue 15.
/// Uses only `equivalent` / `covers`, so the same function times older engines.
fn decisions() {
    let mut total_eq = 0.0;
    let mut total_cov = 0.0;
    let mut worst: (f64, String) = (0.0, String::new());
    let cis = cis_by_id();
    for (id, p) in &cis {
        let text = p.canonical();
        let inner = text.trim_start_matches('{').trim_end_matches('}').trim();
        let widened = FilterPattern::parse(&format!(
            "{{ {inner} || ($.gslBench = 1 && $.gslBench = 2) }}"
        ))
        .expect("respelled");
        let eq = best_us(20, &|| p.equivalent(&widened).is_equal());
        let cov = best_us(20, &|| {
            matches!(widened.covers(p), gsl::pattern::Coverage::Covered)
        });
        assert!(p.equivalent(&widened).is_equal(), "{id}");
        total_eq += eq;
        total_cov += cov;
        if eq.max(cov) > worst.0 {
            worst = (eq.max(cov), id.clone());
        }
    }
    println!(
        "decisions on the {} CIS patterns (extra empty clause, best of 20): equality {:.0} µs/pattern, coverage {:.0} µs/pattern, slowest {} ({:.0} µs)",
        cis.len(),
        total_eq / cis.len() as f64,
        total_cov / cis.len() as f64,
        worst.1,
        worst.0
    );
    let sizes: &[usize] = if std::env::var_os("GSL_BENCH_SMALL_PAIRS").is_some() {
        &[4, 8, 12]
    } else {
        &[4, 8, 12, 20, 40]
    };
    for &n in sizes {
        let (a, b) = (pairs(n, "1"), pairs(n, "2"));
        let us = best_us(3, &|| a.equivalent(&b).is_equal());
        println!("  {n:2} independent pairs: eq {:.0} µs", us);
    }
    // The hardest shape found (`tests/it/pattern_decide.rs`): 48 crossed `||` pairs. The
    // decision budget (work, not time) ends it: the target is < 100 ms.
    let n = 48;
    let ands: Vec<String> = (0..n).map(|i| format!("($.a{i}=1||$.b{i}=1)")).collect();
    let crossed: Vec<String> = (0..n)
        .map(|i| format!("($.a{i}=1||$.b{}=1)", (i * 17 + 5) % n))
        .collect();
    let a = FilterPattern::parse(&format!("{{{}}}", ands.join("&&"))).expect("crossed");
    let b = FilterPattern::parse(&format!("{{{}}}", crossed.join("&&"))).expect("crossed");
    let eq = best_us(3, &|| a.equivalent(&b).is_equal());
    let cov = best_us(3, &|| {
        matches!(b.covers(&a), gsl::pattern::Coverage::Covered)
    });
    println!(
        "  48 crossed pairs (the budget's worst case): eq {:.0} ms, covers {:.0} ms (target < 100 ms)",
        eq / 1e3,
        cov / 1e3
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    ratio();
    decisions();
}
