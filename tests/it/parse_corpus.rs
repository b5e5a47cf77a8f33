//! The corpus of real rules parses and round-trips; malformed rules give the
//! expected diagnostic codes.

use gsl::lang::ast::SameShape;
use gsl::lang::parser::parse_rule;
use gsl::lang::printer::print_rule;

/// Non-blank lines of a data file that are not `#` comments.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

#[test]
fn corpus_valid_parses_and_round_trips() {
    let text = include_str!("../data/gsl/corpus_valid.txt");
    let mut n = 0;
    for (line_no, line) in data_lines(text) {
        n += 1;
        let rule = match parse_rule(line) {
            Ok(r) => r,
            Err(e) => panic!("line {line_no}: {line}\n{:?}", miette::Report::new(e)),
        };
        let printed = print_rule(&rule);
        let again = parse_rule(&printed).unwrap_or_else(|e| {
            panic!(
                "line {line_no}: reprint {printed}\n{:?}",
                miette::Report::new(e)
            )
        });
        assert!(
            again.same_shape(&rule),
            "line {line_no}: round trip through {printed}\n{again:?}\n{rule:?}"
        );
        assert_eq!(
            print_rule(&again),
            printed,
            "line {line_no}: printing is idempotent"
        );
    }
    assert!(n >= 50, "corpus has {n} rules");
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Malformed {
    source: String,
    rule: String,
    codes: Vec<String>,
}

#[test]
fn corpus_malformed_gives_expected_codes() {
    let cases: Vec<Malformed> =
        serde_yaml::from_str(include_str!("../data/gsl/corpus_malformed.yaml"))
            .expect("valid yaml");
    assert!(cases.len() >= 30);
    let mut failures = Vec::new();
    for case in &cases {
        let got = match parse_rule(&case.rule) {
            Ok(_) => Vec::new(),
            Err(e) => e.codes(),
        };
        if got != case.codes {
            failures.push(format!(
                "{:?} ({}): expected {:?}, got {:?}",
                case.rule, case.source, case.codes, got
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Rules of the corpus written for another platform's type (or a made-up shape) whose
/// name is now a collected AWS type: the check reports the properties the AWS type
/// does not have, as it must (the rule would read nothing on AWS entities).
const OTHER_PLATFORM: &[(&str, &[&str])] = &[
    // GCP's subnet (cloud-bots-gcp); the AWS `Subnet` has no Google access flag.
    (
        "Subnet should have privateIpGoogleAccess=true",
        &["gsl::eval::unknown_property"],
    ),
    // A shape of §7 assembled from fragments; `Instance where inboundRules contain
    // [port in (...)] should have launchTime after(...)` is its AWS form (also listed).
    (
        "Instance where port in (20, 21, 22, 3389) should have startTime",
        &["gsl::eval::unknown_property", "gsl::eval::unknown_property"],
    ),
];

/// Every rule of the corpus passes the static check (no unknown function, no type
/// error) and evaluates without an `error` outcome on a snapshot holding an entity of
/// its type — one with no properties, and one with the properties the rule reads
/// holding plausible values from `tests/data/gsl/corpus_entities.json` when it has one.
#[test]
fn corpus_valid_checks_and_evaluates_on_entities_of_its_type() {
    use gsl::entity::graph::EntityGraph;
    use gsl::entity::load::parse_snapshot;
    use gsl::lang::eval::{check_rule, evaluate, EvalOptions, Outcome};
    let text = include_str!("../data/gsl/corpus_valid.txt");
    let fixtures: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(include_str!("../data/gsl/corpus_entities.json")).expect("json");
    let mut failures = Vec::new();
    let mut evaluated = 0;
    for (line_no, line) in data_lines(text) {
        let rule = parse_rule(line).expect("parses (see the round-trip test)");
        let other_platform = OTHER_PLATFORM.iter().find(|(r, _)| line.starts_with(r));
        let checked = match (check_rule(&rule), other_platform) {
            (Ok(c), None) => c,
            (Err(e), Some((_, codes))) if e.codes() == *codes => continue,
            (Ok(_), Some(_)) => {
                failures.push(format!(
                    "line {line_no}: checks, but names properties the collected type does not have"
                ));
                continue;
            }
            (Err(e), _) => {
                failures.push(format!("line {line_no}: check: {:?}", e.codes()));
                continue;
            }
        };
        let ty = rule.target.entity.name.clone();
        let mut entities = vec![serde_json::json!({ "id": "bare", "type": ty })];
        if let Some(serde_json::Value::Array(more)) = fixtures.get(&ty) {
            for e in more {
                let mut e = e.clone();
                e["type"] = serde_json::Value::String(ty.clone());
                entities.push(e);
            }
        }
        let snap = serde_json::json!({
            "schemaVersion": 1,
            "accounts": [{ "accountNumber": "111111111111", "entities": { ty.clone(): entities } }]
        });
        let snap = parse_snapshot(&snap.to_string(), "corpus").expect("snapshot");
        let graph = EntityGraph::new(snap);
        let result = evaluate(&checked, &graph, &EvalOptions::default());
        if result.entities.is_empty() {
            failures.push(format!("line {line_no}: no result for {ty}"));
        }
        for r in &result.entities {
            evaluated += 1;
            if r.outcome == Outcome::Error {
                failures.push(format!(
                    "line {line_no}: {} → error: {}",
                    r.id, r.explanation.summary
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(evaluated >= 70, "{evaluated} results");
}
