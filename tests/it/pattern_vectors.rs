//! Every vector of `tests/data/pattern/vectors.yaml` (the reference table plus
//! gsl's own vectors) run through the parser and the matcher.

use std::collections::BTreeMap;

use gsl::pattern::FilterPattern;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    events: BTreeMap<String, String>,
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Vector {
    id: String,
    grade: String,
    #[serde(default)]
    source: Option<String>,
    pattern: String,
    #[serde(default)]
    repeat: Option<usize>,
    #[serde(default, rename = "match")]
    matches: Vec<String>,
    #[serde(default)]
    nomatch: Vec<String>,
    #[serde(default)]
    invalid: Option<String>,
    #[serde(default)]
    extracted: BTreeMap<String, BTreeMap<String, String>>,
}

fn load() -> File {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/pattern/vectors.yaml"
    ))
    .expect("vectors.yaml");
    serde_yaml::from_str(&text).expect("vectors.yaml parses")
}

fn event<'a>(f: &'a File, name: &'a str) -> &'a str {
    f.events.get(name).map(String::as_str).unwrap_or(name)
}

fn pattern_text(v: &Vector) -> String {
    v.pattern.repeat(v.repeat.unwrap_or(1))
}

/// Run every vector and report all failures at once.
fn run(filter: impl Fn(&Vector) -> bool) -> usize {
    let f = load();
    let mut failures = Vec::new();
    let mut count = 0;
    for v in f.vectors.iter().filter(|v| filter(v)) {
        count += 1;
        let text = pattern_text(v);
        let id = format!(
            "[{} {} {}]",
            v.id,
            v.grade,
            v.source.as_deref().unwrap_or("")
        );
        match (FilterPattern::parse(&text), &v.invalid) {
            (Err(e), Some(code)) => {
                if e.code_str() != code {
                    failures.push(format!(
                        "{id} `{text}`: expected {code}, got {} ({e})",
                        e.code_str()
                    ));
                }
            }
            (Err(e), None) => failures.push(format!(
                "{id} `{text}`: unexpected error {}: {e}",
                e.code_str()
            )),
            (Ok(_), Some(code)) => failures.push(format!("{id} `{text}`: parsed, expected {code}")),
            (Ok(p), None) => {
                for e in &v.matches {
                    if !p.matches(event(&f, e)) {
                        failures.push(format!("{id} `{text}` should match {e}"));
                    }
                }
                for e in &v.nomatch {
                    if p.matches(event(&f, e)) {
                        failures.push(format!("{id} `{text}` should not match {e}"));
                    }
                }
                for (e, want) in &v.extracted {
                    let got = p.extract(event(&f, e));
                    let want: serde_json::Map<String, serde_json::Value> = want
                        .iter()
                        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                        .collect();
                    if got.as_ref() != Some(&want) {
                        failures.push(format!(
                            "{id} `{text}` on {e}: extracted {got:?}, expected {want:?}"
                        ));
                    }
                }
                // The canonical form must mean the same on the same events.
                let canon = p.canonical();
                match FilterPattern::parse(&canon) {
                    Ok(c) => {
                        for e in v.matches.iter().chain(&v.nomatch) {
                            if c.matches(event(&f, e)) != p.matches(event(&f, e)) {
                                failures.push(format!("{id} canonical `{canon}` disagrees on {e}"));
                            }
                        }
                    }
                    Err(e) => {
                        failures.push(format!("{id} canonical `{canon}` does not parse: {e}"))
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    count
}

#[test]
fn reference_vectors_from_aws_docs_and_users() {
    let n = run(|v| v.grade == "A" || v.grade == "B");
    assert!(n >= 55, "only {n} reference vectors");
}

#[test]
fn gsl_feature_and_trap_vectors() {
    let n = run(|v| v.grade == "G");
    assert!(n >= 60, "only {n} gsl vectors");
}

#[test]
fn every_vector_is_graded() {
    let f = load();
    for v in &f.vectors {
        assert!(
            ["A", "B", "G"].contains(&v.grade.as_str()),
            "{}: grade {}",
            v.id,
            v.grade
        );
        assert!(
            v.invalid.is_some() || !v.matches.is_empty() || !v.nomatch.is_empty(),
            "{}: a vector must expect something",
            v.id
        );
    }
}
