//! The raw-bytes fast path ([`PatternSet::raw_matcher`]) against the full matcher
//! ([`PatternSet::matches_json`] on the parsed event), on generated patterns and
//! events: escapes that spell a literal otherwise, numbers that a string compares
//! with, absence and difference, wildcards, nesting, text that is not JSON.

use gsl::pattern::{FilterPattern, PatternSet};
use proptest::prelude::*;

fn selector() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "$.a", "$.b", "$.a.b", "$.c[0]", "$.c[*]", "$.*", "$.['b']", "$.c[*].b",
    ])
}

fn test_text() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "= \"x\"",
        "=x",
        "= \"x*\"",
        "= \"*x\"",
        "= \"*x*\"",
        "= \"a\\\"b\"",
        "= \"a/b\"",
        "= \"é\"",
        "= \"1\"",
        "= \"100\"",
        "= \"1*\"",
        "= 100",
        "= 1",
        "> 1",
        "!= \"x\"",
        "!= 1",
        "= *",
        "= %x+%",
        "IS NULL",
        "IS TRUE",
        "IS FALSE",
        "NOT EXISTS",
    ])
}

fn expr() -> impl Strategy<Value = String> {
    let cond = (selector(), test_text()).prop_map(|(s, t)| format!("({s} {t})"));
    cond.prop_recursive(3, 10, 3, |inner| {
        (prop::collection::vec(inner, 2..4), prop::bool::ANY)
            .prop_map(|(v, and)| format!("({})", v.join(if and { " && " } else { " || " })))
    })
}

fn pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => expr().prop_map(|e| format!("{{ {e} }}")),
        1 => prop::sample::select(vec!["x", "\"a b\"", "-x", "?x ?y"]).prop_map(str::to_string),
    ]
}

/// JSON value texts, some spelling the same value differently.
fn value() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "\"x\"",
        "\"\\u0078\"",
        "\"xyz\"",
        "\"zx\"",
        "\"zxz\"",
        "\"a\\\"b\"",
        "\"a/b\"",
        "\"a\\/b\"",
        "\"é\"",
        "\"\\u00e9\"",
        "\"1\"",
        "\"100\"",
        "1",
        "100",
        "1e2",
        "1.0",
        "1e400",
        "true",
        "false",
        "null",
        "{\"b\":\"x\"}",
        "{\"b\":\"\\u0078\"}",
        "{\"a\":\"x\",\"b\":true}",
        "{ \"b\" : \"x\" }",
        "{\"\\u0062\":\"x\"}",
        "[\"x\"]",
        "[{\"b\":\"x\"}]",
        "[]",
        "{}",
    ])
}

fn event() -> impl Strategy<Value = String> {
    prop_oneof![
        // Keys repeat, are escaped (`\u0061` is `a`) and spaced; values nest the same names.
        8 => prop::collection::vec(
            (prop::sample::select(vec!["a", "b", "c", "d", "\\u0061"]), value(), prop::bool::ANY),
            0..5,
        )
        .prop_map(|kv| {
            let parts: Vec<String> = kv
                .iter()
                .map(|(k, v, spaced)| if *spaced { format!(" \"{k}\" :\t{v} ") } else { format!("\"{k}\":{v}") })
                .collect();
            format!("{{{}}}", parts.join(","))
        }),
        1 => prop::sample::select(vec!["[1]", "\"x\"", "{\"a\":", "x", "{\"a\":\"x\"} trailing", ""])
            .prop_map(str::to_string),
    ]
}

fn reference(set: &PatternSet, text: &str) -> Vec<bool> {
    match gsl::pattern::parse_event(text) {
        Some(j) => set.matches_json(&j),
        None => vec![false; set.patterns().len()],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_fast_path_matches_what_the_full_matcher_matches(
        patterns in prop::collection::vec(pattern(), 1..6),
        events in prop::collection::vec(event(), 1..12),
    ) {
        let parsed: Vec<FilterPattern> = patterns.iter().filter_map(|p| FilterPattern::parse(p).ok()).collect();
        prop_assume!(!parsed.is_empty());
        let set = PatternSet::new(parsed);
        let mut fast = set.raw_matcher();
        for e in &events {
            prop_assert_eq!(fast.matches(e), reference(&set, e), "event {} patterns {:?}", e, patterns);
        }
    }
}

#[test]
fn literals_are_searched_and_escapes_seen_through() {
    let set = PatternSet::new(
        [
            r#"{ $.eventName = "ConsoleLogin" }"#,
            r#"{ $.a = "a\"b*" && $.b NOT EXISTS }"#,
            r#"{ $.a NOT EXISTS }"#,
        ]
        .iter()
        .map(|p| FilterPattern::parse(p).unwrap())
        .collect(),
    );
    assert_eq!(set.required_literals(), [r#""ConsoleLogin""#, r#""a\"b"#]);
    assert_eq!(set.unfiltered(), 1);
    let mut m = set.raw_matcher();
    for (event, want) in [
        (r#"{"eventName":"ConsoleLogin"}"#, [true, false, true]),
        (
            r#"{"eventName":"Console\u004cogin","a":1}"#,
            [true, false, false],
        ),
        (r#"{"a":"a\"bc"}"#, [false, true, false]),
        (r#"{"x":"ConsoleLogin"}"#, [false, false, true]),
    ] {
        assert_eq!(m.matches(event), want, "{event}");
    }
}

/// `gsl pattern test` reads the file forms `gsl replay` reads: a gzipped CloudTrail
/// document is tested record by record, plain lines line by line.
#[test]
fn pattern_test_reads_cloudtrail_files() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let doc = r#"{"Records":[{"eventName":"ConsoleLogin","n":1},{"eventName":"Other"},{"eventName":"ConsoleLogin","n":3}]}"#;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(doc.as_bytes()).unwrap();
    let gz = dir.path().join("a.json.gz");
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let lines = dir.path().join("b.jsonl");
    std::fs::write(&lines, "ERROR one\n{\"eventName\":\"ConsoleLogin\"}\n").unwrap();
    let run = |file: &std::path::Path| -> serde_json::Value {
        let out = assert_cmd::Command::cargo_bin("gsl")
            .unwrap()
            .args([
                "pattern",
                "test",
                "{ $.eventName = ConsoleLogin }",
                "--events",
            ])
            .arg(file)
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).unwrap()
    };
    let numbers = |v: &serde_json::Value| -> Vec<u64> {
        v["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["eventNumber"].as_u64().unwrap())
            .collect()
    };
    let r = run(&gz);
    assert_eq!(numbers(&r), [1, 3]);
    assert_eq!(
        r["matches"][1]["eventMessage"],
        r#"{"eventName":"ConsoleLogin","n":3}"#
    );
    assert_eq!(numbers(&run(&lines)), [2]);
}
