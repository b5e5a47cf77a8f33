//! Equality, coverage and the CIS patterns, driven by the data files in
//! `tests/data/pattern/` (equality.yaml, coverage.yaml, cis.txt).

use std::collections::BTreeMap;

use gsl::pattern::{self, Comparison, Coverage, Difference, FilterPattern};
use serde::Deserialize;

fn data(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/data/pattern/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect(name)
}

fn cis() -> BTreeMap<String, String> {
    data("cis.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (id, p) = l.split_once(' ').expect("id pattern");
            (id.to_string(), p.to_string())
        })
        .collect()
}

/// `yes` matches the event and `no` does not.
fn separates(yes: &FilterPattern, no: &FilterPattern, ev: &str) -> bool {
    yes.matches(ev) && !no.matches(ev)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Pat {
    Text(String),
    Cis { cis: String },
}

impl Pat {
    fn text(&self, cis: &BTreeMap<String, String>) -> String {
        match self {
            Pat::Text(t) => t.clone(),
            Pat::Cis { cis: id } => cis
                .get(id)
                .unwrap_or_else(|| panic!("no CIS pattern {id}"))
                .clone(),
        }
    }
}

#[derive(Deserialize)]
struct EqFile {
    pairs: Vec<EqPair>,
}
#[derive(Deserialize)]
struct EqPair {
    note: String,
    a: Pat,
    b: Pat,
    equal: bool,
}

#[derive(Deserialize)]
struct CovFile {
    pairs: Vec<CovPair>,
}
#[derive(Deserialize)]
struct CovPair {
    note: String,
    required: Pat,
    actual: Pat,
    covers: String,
}

#[test]
fn the_sixteen_cis_patterns_parse_and_are_canonical_fixpoints() {
    let cis = cis();
    assert_eq!(cis.len(), 16);
    for (id, text) in &cis {
        let p = FilterPattern::parse(text).unwrap_or_else(|e| panic!("{id}: {e}"));
        let c = p.canonical();
        let again =
            FilterPattern::parse(&c).unwrap_or_else(|e| panic!("{id} canonical `{c}`: {e}"));
        assert_eq!(
            again.canonical(),
            c,
            "{id}: canonical form is not idempotent"
        );
        assert!(
            p.equivalent(&again).is_equal(),
            "{id}: canonical form changes the meaning"
        );
    }
}

#[test]
fn cis_patterns_match_the_events_they_are_for() {
    let cis = cis();
    let hit = |id: &str, ev: &str, want: bool| {
        let p = FilterPattern::parse(&cis[id]).expect("parses");
        assert_eq!(p.matches(ev), want, "{id} on {ev}");
    };
    hit(
        "3.1",
        r#"{"eventName":"DescribeInstances","errorCode":"Client.UnauthorizedOperation"}"#,
        true,
    );
    hit(
        "3.1",
        r#"{"eventName":"GetObject","errorCode":"AccessDenied"}"#,
        true,
    );
    hit(
        "3.1",
        r#"{"eventName":"GetObject","errorCode":"NoSuchKey"}"#,
        false,
    );
    hit(
        "3.2",
        r#"{"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"No"}}"#,
        true,
    );
    hit(
        "3.2",
        r#"{"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"Yes"}}"#,
        false,
    );
    // `!=` is false on a missing field: an SSO login without MFAUsed is not counted.
    hit("3.2", r#"{"eventName":"ConsoleLogin"}"#, false);
    hit(
        "3.3",
        r#"{"userIdentity":{"type":"Root"},"eventType":"AwsApiCall"}"#,
        true,
    );
    hit(
        "3.3",
        r#"{"userIdentity":{"type":"Root","invokedBy":"s3.amazonaws.com"},"eventType":"AwsApiCall"}"#,
        false,
    );
    hit(
        "3.3",
        r#"{"userIdentity":{"type":"Root"},"eventType":"AwsServiceEvent"}"#,
        false,
    );
    hit("3.4", r#"{"eventName":"PutRolePolicy"}"#, true);
    hit(
        "3.7",
        r#"{"eventSource":"kms.amazonaws.com","eventName":"ScheduleKeyDeletion"}"#,
        true,
    );
    hit(
        "3.7",
        r#"{"eventSource":"s3.amazonaws.com","eventName":"ScheduleKeyDeletion"}"#,
        false,
    );
    hit(
        "3.8",
        r#"{"eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy"}"#,
        true,
    );
    hit("3.14", r#"{"eventName":"CreateVpc"}"#, true);
    hit("3.14", r#"{"eventName":"CreateVpcEndpoint"}"#, false);
    hit(
        "4.15",
        r#"{"eventSource":"organizations.amazonaws.com","eventName":"LeaveOrganization"}"#,
        true,
    );
    hit(
        "4.2-sso",
        r#"{"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"No"},"userIdentity":{"type":"IAMUser"},"responseElements":{"ConsoleLogin":"Success"}}"#,
        true,
    );
    hit(
        "4.2-sso",
        r#"{"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"No"},"userIdentity":{"type":"IAMUser"},"responseElements":{"ConsoleLogin":"Failure"}}"#,
        false,
    );
}

#[test]
fn equality_pairs() {
    let cis = cis();
    let file: EqFile = serde_yaml::from_str(&data("equality.yaml")).expect("equality.yaml");
    let mut failures = Vec::new();
    for p in &file.pairs {
        let (ta, tb) = (p.a.text(&cis), p.b.text(&cis));
        let (a, b) = (
            FilterPattern::parse(&ta).unwrap_or_else(|e| panic!("{}: {e}", p.note)),
            FilterPattern::parse(&tb).unwrap_or_else(|e| panic!("{}: {e}", p.note)),
        );
        let ab = a.equivalent(&b);
        let ba = b.equivalent(&a);
        if ab.is_equal() != p.equal {
            failures.push(format!(
                "{}: expected equal={}, got {ab:?}",
                p.note, p.equal
            ));
        }
        if ab.is_equal() != ba.is_equal() {
            failures.push(format!("{}: not symmetric", p.note));
        }
        if pattern::equal(&ta, &tb).expect("valid") != p.equal {
            failures.push(format!("{}: gsl::pattern::equal disagrees", p.note));
        }
        if a.canonical() == b.canonical() && !p.equal {
            failures.push(format!(
                "{}: same canonical text for different patterns",
                p.note
            ));
        }
        if let Difference::Different {
            witness: Some((ev, first)),
            ..
        } = &ab
        {
            let (yes, no) = if *first { (&a, &b) } else { (&b, &a) };
            if !separates(yes, no, ev) {
                failures.push(format!("{}: witness {ev} does not verify", p.note));
            }
        }
        // Every "different" comes with a distinguishing event; no "cannot decide".
        match a.compare(&b) {
            Comparison::Equal if p.equal => {}
            Comparison::Different {
                witness: (ev, first),
                ..
            } if !p.equal => {
                let (yes, no) = if first { (&a, &b) } else { (&b, &a) };
                if !separates(yes, no, &ev) {
                    failures.push(format!("{}: witness {ev} does not verify", p.note));
                }
            }
            other => failures.push(format!(
                "{}: expected equal={}, compare gave {other:?}",
                p.note, p.equal
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} pairs failed:\n{}",
        failures.len(),
        file.pairs.len(),
        failures.join("\n")
    );
    assert!(file.pairs.len() >= 60);
}

#[test]
fn coverage_pairs() {
    let cis = cis();
    let file: CovFile = serde_yaml::from_str(&data("coverage.yaml")).expect("coverage.yaml");
    let mut failures = Vec::new();
    for p in &file.pairs {
        let (tr, ta) = (p.required.text(&cis), p.actual.text(&cis));
        let r = FilterPattern::parse(&tr).unwrap_or_else(|e| panic!("{}: {e}", p.note));
        let a = FilterPattern::parse(&ta).unwrap_or_else(|e| panic!("{}: {e}", p.note));
        let got = a.covers(&r);
        let kind = match &got {
            Coverage::Covered => "yes",
            Coverage::NotCovered { counterexample } => {
                if !separates(&r, &a, counterexample) {
                    failures.push(format!(
                        "{}: counterexample {counterexample} does not verify",
                        p.note
                    ));
                }
                "no"
            }
            Coverage::Unknown { .. } => "unknown",
        };
        if kind != p.covers {
            failures.push(format!("{}: expected {}, got {got:?}", p.note, p.covers));
        }
        if pattern::covers(&tr, &ta).expect("valid") != (p.covers == "yes") {
            failures.push(format!("{}: gsl::pattern::covers disagrees", p.note));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} pairs failed:\n{}",
        failures.len(),
        file.pairs.len(),
        failures.join("\n")
    );
}

#[test]
fn equal_patterns_cover_each_other() {
    let cis = cis();
    for (id, text) in &cis {
        let p = FilterPattern::parse(text).expect("parses");
        let q = FilterPattern::parse(&p.canonical()).expect("parses");
        assert_eq!(q.covers(&p), Coverage::Covered, "{id}");
        assert_eq!(p.covers(&q), Coverage::Covered, "{id}");
    }
}

#[test]
fn contract_functions_report_invalid_patterns_as_diagnostics() {
    let e = pattern::equal("{ $.a = 'x' }", "{ $.a = \"x\" }").expect_err("single quotes");
    assert_eq!(e.code_str(), "gsl::pattern::single_quote");
    let d: &dyn miette::Diagnostic = &e;
    assert_eq!(
        d.code().map(|c| c.to_string()).as_deref(),
        Some("gsl::pattern::single_quote")
    );
    assert!(d.help().is_some());
    assert!(d.source_code().is_some());
    let e = pattern::covers("{ $.a = 1", "{ $.a = 1 }").expect_err("unbalanced");
    assert_eq!(e.code_str(), "gsl::pattern::unbalanced_brace");
    assert_eq!(e.span().start, 0);
}

#[test]
fn difference_says_how_patterns_differ() {
    let a = FilterPattern::parse(r#"{ $.eventName = "ConsoleLogin" && $.x = 1 }"#).expect("a");
    let b = FilterPattern::parse(r#"{ $.eventName = "ConsoleLogin" }"#).expect("b");
    match a.equivalent(&b) {
        Difference::Different {
            explanation,
            witness,
        } => {
            assert!(
                explanation.contains("only in the first: $.x = 1"),
                "{explanation}"
            );
            assert!(explanation.contains("the second is wider"), "{explanation}");
            let (ev, first) = witness.expect("a witness");
            assert!(!first);
            assert!(b.matches(&ev) && !a.matches(&ev));
        }
        Difference::Equal => panic!("not equal"),
    }
}

#[test]
fn pattern_set_agrees_with_single_patterns_on_cloudtrail_events() {
    let cis = cis();
    let patterns: Vec<FilterPattern> = cis
        .values()
        .map(|p| FilterPattern::parse(p).expect("parses"))
        .collect();
    let set = pattern::PatternSet::new(patterns.clone());
    let events = data("cloudtrail.jsonl");
    let mut hits = vec![0usize; patterns.len()];
    for ev in events.lines() {
        let got = set.matches(ev);
        let json: serde_json::Value = serde_json::from_str(ev).expect("json");
        assert_eq!(got, set.matches_json(&json));
        for (i, p) in patterns.iter().enumerate() {
            assert_eq!(got[i], p.matches(ev), "pattern {i} on {ev}");
            assert_eq!(
                got[i],
                p.matches_json_direct(&json),
                "pattern {i} (reference) on {ev}"
            );
            hits[i] += usize::from(got[i]);
        }
    }
    // The event file exercises most patterns.
    assert!(hits.iter().filter(|&&h| h > 0).count() >= 12, "{hits:?}");
}

#[test]
fn canonical_forms_of_the_cis_patterns() {
    let cis = cis();
    let out: Vec<String> = cis
        .iter()
        .map(|(id, p)| {
            format!(
                "{id}: {}",
                FilterPattern::parse(p).expect("parses").canonical()
            )
        })
        .collect();
    insta::assert_snapshot!(out.join("\n"));
}

#[test]
fn pattern_set_agrees_on_odd_events() {
    let cis = cis();
    let mut patterns: Vec<FilterPattern> = cis
        .values()
        .map(|p| FilterPattern::parse(p).expect("parses"))
        .collect();
    let set = pattern::PatternSet::new(patterns.clone());
    patterns.push(FilterPattern::parse("{ $.* = \"CreateVpc\" }").expect("wildcard"));
    patterns.push(FilterPattern::parse("CreateVpc").expect("term"));
    let with_wildcards = pattern::PatternSet::new(patterns.clone());
    let events = [
        r#"{"event\u004eame":"CreateVpc"}"#,
        r#"{"eventName":"CreateVpc"} trailing"#,
        r#"{"eventName":"CreateVpc","eventName":"DeleteVpc"}"#,
        r#"{"other":{"eventName":"CreateVpc"},"eventName":"DeleteVpc"}"#,
        r#"{"skipped":[1,{"a":"\"}"}],"eventName":"CreateVpc"}"#,
        r#"{"skipped":[1,2,}"eventName":"CreateVpc"}"#,
        r#"[{"eventName":"CreateVpc"}]"#,
        r#""CreateVpc""#,
        "CreateVpc",
        "",
    ];
    for ev in events {
        let got = set.matches(ev);
        for (i, p) in patterns.iter().take(got.len()).enumerate() {
            assert_eq!(got[i], p.matches(ev), "pattern {i} on {ev}");
        }
        let got = with_wildcards.matches(ev);
        for (i, p) in patterns.iter().enumerate() {
            assert_eq!(got[i], p.matches(ev), "pattern {i} (wildcard set) on {ev}");
        }
    }
}
