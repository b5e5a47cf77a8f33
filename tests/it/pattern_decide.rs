//! The decision procedures against brute force, `monitors` on its data file,
//! and hostile inputs (huge patterns, huge numbers, deep nesting).

use std::collections::BTreeMap;

use gsl::pattern::{monitors, Comparison, Coverage, FilterPattern, Monitoring, PatternSet};
use proptest::prelude::*;
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
        .filter_map(|l| l.split_once(' '))
        .map(|(id, p)| (id.to_string(), p.to_string()))
        .collect()
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
            Pat::Cis { cis: id } => cis.get(id).expect("CIS id").clone(),
        }
    }
}

#[derive(Deserialize)]
struct MonFile {
    cases: Vec<MonCase>,
}

#[derive(Deserialize)]
struct MonCase {
    note: String,
    required: Pat,
    actual: Pat,
    monitors: String,
    missed: Option<bool>,
    #[serde(default)]
    event_has: Vec<String>,
    #[serde(default)]
    event_lacks: Vec<String>,
}

#[test]
fn monitors_cases() {
    let cis = cis();
    let file: MonFile = serde_yaml::from_str(&data("monitors.yaml")).expect("monitors.yaml");
    let mut failures = Vec::new();
    for c in &file.cases {
        let r = FilterPattern::parse(&c.required.text(&cis)).expect("required");
        let a = FilterPattern::parse(&c.actual.text(&cis)).expect("actual");
        match (monitors(&a, &r), c.monitors.as_str()) {
            (Monitoring::Yes, "yes") => {}
            (
                Monitoring::No {
                    event,
                    missed,
                    explanation,
                },
                "no",
            ) => {
                let verified = if missed {
                    r.matches(&event) && !a.matches(&event)
                } else {
                    a.matches(&event) && !r.matches(&event)
                };
                if !verified {
                    failures.push(format!("{}: event {event} does not verify", c.note));
                }
                if c.missed.is_some_and(|m| m != missed) {
                    failures.push(format!("{}: missed={missed} ({explanation})", c.note));
                }
                for t in &c.event_has {
                    if !event.contains(t.as_str()) {
                        failures.push(format!("{}: {event} lacks {t}", c.note));
                    }
                }
                for t in &c.event_lacks {
                    if event.contains(t.as_str()) {
                        failures.push(format!("{}: {event} contains {t}", c.note));
                    }
                }
            }
            (got, want) => failures.push(format!("{}: expected {want}, got {got:?}", c.note)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(file.cases.len() >= 10);
}

// --- brute force over a finite universe ------------------------------------

const SELECTORS: [&str; 3] = ["$.a", "$.b", "$.a.b"];
const TESTS: [&str; 16] = [
    "= \"x\"",
    "= \"y\"",
    "= x*",
    "= *y",
    "= *x*",
    "= %^x%",
    "= %y$%",
    "!= \"x\"",
    "!= x*",
    "= *",
    "= 1",
    "> 1",
    "<= 1",
    "IS NULL",
    "IS TRUE",
    "NOT EXISTS",
];

/// Values of a property: every constant of the tests, combinations, fresh
/// strings, other spellings of numbers, and each kind of JSON value.
fn values() -> Vec<Option<serde_json::Value>> {
    let mut v: Vec<Option<serde_json::Value>> = [
        "x", "y", "xy", "yx", "xx", "yy", "xzy", "", "z", "1", "+1", "1.0", "2", "0", "x\ny",
    ]
    .iter()
    .map(|s| Some(serde_json::json!(s)))
    .collect();
    v.extend(
        [
            serde_json::json!(1),
            serde_json::json!(2),
            serde_json::json!(0.5),
            serde_json::json!(null),
            serde_json::json!(true),
            serde_json::json!(false),
            serde_json::json!([]),
            serde_json::json!({}),
        ]
        .into_iter()
        .map(Some),
    );
    v.push(None);
    v
}

fn universe() -> Vec<String> {
    let vals = values();
    let inner = [
        None,
        Some(serde_json::json!("x")),
        Some(serde_json::json!("y")),
        Some(serde_json::json!(1)),
        Some(serde_json::json!(null)),
        Some(serde_json::json!({})),
    ];
    let mut out = Vec::new();
    let mut a_vals: Vec<Option<serde_json::Value>> = vals.clone();
    for b in inner.iter().flatten() {
        a_vals.push(Some(serde_json::json!({ "b": b })));
    }
    for a in &a_vals {
        for b in &vals {
            let mut m = serde_json::Map::new();
            if let Some(a) = a {
                m.insert("a".into(), a.clone());
            }
            if let Some(b) = b {
                m.insert("b".into(), b.clone());
            }
            out.push(serde_json::Value::Object(m).to_string());
        }
    }
    out.push("not json".to_string());
    out
}

fn json_pattern() -> impl Strategy<Value = String> {
    let atom = (0..SELECTORS.len(), 0..TESTS.len())
        .prop_map(|(s, t)| format!("{} {}", SELECTORS[s], TESTS[t]));
    let expr = atom.prop_recursive(2, 6, 3, |inner| {
        (prop::collection::vec(inner, 2..=3), prop::bool::ANY).prop_map(|(v, and)| {
            let op = if and { " && " } else { " || " };
            format!("({})", v.join(op))
        })
    });
    expr.prop_map(|e| format!("{{ {e} }}"))
        .prop_filter("CloudWatch's regex quota", |p| {
            FilterPattern::parse(p).is_ok()
        })
}

fn term_pattern() -> impl Strategy<Value = String> {
    let term = prop::sample::select(vec![
        "ERROR",
        "ERR",
        "WARN",
        "-ERR",
        "-WARN",
        "?ERR",
        "?WARN",
        "%ERR|WARN%",
        "%^ERROR%",
        "-%R$%",
        "\"R W\"",
    ]);
    prop::collection::vec(term, 1..=3)
        .prop_map(|v| v.join(" "))
        .prop_filter("CloudWatch's regex quota", |p| {
            FilterPattern::parse(p).is_ok()
        })
}

fn term_universe() -> Vec<String> {
    [
        "",
        "ERROR",
        "ERR",
        "WARN",
        "ERROR WARN",
        "xERRORx",
        "ERR WARN",
        "WARNING",
        "RRE",
        "R W",
        "ERR",
        "xERR",
        "WARNR",
        "ok",
        "ERRORR",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn check_pair(ta: &str, tb: &str, universe: &[String]) -> Result<(), TestCaseError> {
    let a = FilterPattern::parse(ta).expect("generated patterns are valid");
    let b = FilterPattern::parse(tb).expect("generated patterns are valid");
    let differ = universe.iter().find(|e| a.matches(e) != b.matches(e));
    match a.compare(&b) {
        Comparison::Equal => prop_assert!(
            differ.is_none(),
            "`{ta}` and `{tb}` called equal, but {:?} tells them apart",
            differ
        ),
        Comparison::Different {
            witness: (ev, first),
            ..
        } => {
            let (yes, no) = if first { (&a, &b) } else { (&b, &a) };
            prop_assert!(yes.matches(&ev) && !no.matches(&ev), "witness {ev}");
        }
        Comparison::Unknown { reason } => {
            prop_assert!(false, "`{ta}` vs `{tb}`: cannot decide: {reason}")
        }
    }
    for (r, x, tr, tx) in [(&a, &b, ta, tb), (&b, &a, tb, ta)] {
        let missed = universe.iter().find(|e| r.matches(e) && !x.matches(e));
        match x.covers(r) {
            Coverage::Covered => prop_assert!(
                missed.is_none(),
                "`{tx}` said to cover `{tr}`, but misses {:?}",
                missed
            ),
            Coverage::NotCovered { counterexample } => prop_assert!(
                r.matches(&counterexample) && !x.matches(&counterexample),
                "counterexample {counterexample}"
            ),
            Coverage::Unknown { reason } => {
                prop_assert!(false, "covers `{tr}` by `{tx}`: cannot decide: {reason}")
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// No wrong answer and no "cannot decide" on JSON patterns over a small
    /// vocabulary, checked against every event of a finite universe.
    #[test]
    fn json_decisions_agree_with_brute_force(a in json_pattern(), b in json_pattern()) {
        check_pair(&a, &b, &universe())?;
    }

    /// The same for term patterns (texts, regexes, exclusions, optional terms).
    #[test]
    fn term_decisions_agree_with_brute_force(a in term_pattern(), b in term_pattern()) {
        check_pair(&a, &b, &term_universe())?;
    }

    /// Events with huge numbers or deep nesting: the set matcher and the single
    /// matcher agree, and such values compare sensibly.
    #[test]
    fn pattern_set_agrees_on_hostile_events(
        p in json_pattern(),
        depth in 0usize..300,
        exp in 300u32..400,
        neg in prop::bool::ANY,
    ) {
        let pat = FilterPattern::parse(&p).expect("valid");
        let set = PatternSet::new(vec![pat.clone()]);
        let sign = if neg { "-" } else { "" };
        let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        for ev in [
            format!(r#"{{"a":{sign}1e{exp},"b":"x"}}"#),
            format!(r#"{{"a":"x","deep":{deep},"b":{sign}1e{exp}}}"#),
            format!(r#"{{"a":{{"b":{sign}1e{exp}}},"z":{deep}}}"#),
        ] {
            prop_assert_eq!(set.matches(&ev), vec![pat.matches(&ev)], "{}", ev);
        }
    }
}

#[test]
fn huge_numbers_compare_as_infinities() {
    let gt = FilterPattern::parse("{ $.n > 1000 }").expect("valid");
    assert!(gt.matches(r#"{"n": 1e400}"#));
    assert!(!gt.matches(r#"{"n": -1e400}"#));
    let other = FilterPattern::parse(r#"{ $.eventName = "ConsoleLogin" }"#).expect("valid");
    assert!(other.matches(r#"{"eventName":"ConsoleLogin","n":1e400}"#));
}

#[test]
fn deeply_nested_events_still_match() {
    let p = FilterPattern::parse(r#"{ $.eventName = "ConsoleLogin" }"#).expect("valid");
    for depth in [126, 127, 128, 500, 5000] {
        let ev = format!(
            r#"{{"eventName":"ConsoleLogin","x":{}{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        assert!(p.matches(&ev), "depth {depth}");
        let set = PatternSet::new(vec![p.clone()]);
        assert_eq!(set.matches(&ev), vec![true], "depth {depth}");
    }
    // Unbalanced is still not JSON.
    assert!(!p.matches(&format!(
        r#"{{"eventName":"ConsoleLogin","x":{}}}"#,
        "[".repeat(300)
    )));
}

/// `{$.a0=1&&$.b0=1||$.a1=1&&$.b1=1||...}`: the answer is given (no hang, no
/// blow-up). Timing targets live in `benches/pattern.rs`.
#[test]
fn many_independent_pairs_are_decided() {
    for (n, and_of_ors) in [(20, false), (40, false), (40, true)] {
        let clause = |i: usize, j: &str| {
            if and_of_ors {
                format!("($.a{i}={j}||$.b{i}={j})")
            } else {
                format!("$.a{i}={j}&&$.b{i}={j}")
            }
        };
        let join = if and_of_ors { "&&" } else { "||" };
        let p = |j: &str| {
            let v: Vec<String> = (0..n).map(|i| clause(i, j)).collect();
            format!("{{{}}}", v.join(join))
        };
        let a = FilterPattern::parse(&p("1")).expect("valid");
        let b = FilterPattern::parse(&p("2")).expect("valid");
        assert!(a.as_str().len() <= 1024);
        assert!(matches!(a.compare(&a.clone()), Comparison::Equal));
        assert!(!matches!(a.compare(&b), Comparison::Equal));
        assert!(!matches!(a.covers(&b), Coverage::Covered));
    }
}

/// Crossed pairs (`($.a0=1||$.b17=1)&&...`, 48 of them, within the length limit): the
/// hardest shape found for the decision diagram. The answer is never wrong, and when the
/// budget runs out it says so; the budget counts work, so the answer is the same on
/// every call (and in every build). Its time (about 0.1 s) is measured in
/// `benches/pattern.rs`, not here.
#[test]
fn crossed_pairs_answer_the_same_every_time_and_never_wrongly() {
    let n = 48;
    // A fixed permutation of 0..n.
    let perm: Vec<usize> = (0..n).map(|i| (i * 17 + 5) % n).collect();
    let ands: Vec<String> = (0..n).map(|i| format!("($.a{i}=1||$.b{i}=1)")).collect();
    let crossed: Vec<String> = (0..n)
        .map(|i| format!("($.a{i}=1||$.b{}=1)", perm[i]))
        .collect();
    let a = FilterPattern::parse(&format!("{{{}}}", ands.join("&&"))).expect("valid");
    let b = FilterPattern::parse(&format!("{{{}}}", crossed.join("&&"))).expect("valid");
    assert!(a.as_str().len() <= 1024 && b.as_str().len() <= 1024);
    let first = format!("{:?}", a.compare(&b));
    match a.compare(&b) {
        Comparison::Equal => panic!("they differ: an event with a0 and b0 only matches the first"),
        Comparison::Different {
            witness: (event, a_matches),
            ..
        } => {
            assert_eq!(a.matches(&event), a_matches);
            assert_eq!(b.matches(&event), !a_matches);
        }
        Comparison::Unknown { reason } => {
            assert!(reason.contains("needs more than"), "{reason}")
        }
    }
    assert_eq!(first, format!("{:?}", a.compare(&b)), "deterministic");
    match b.covers(&a) {
        Coverage::Covered => {}
        Coverage::NotCovered { counterexample } => {
            assert!(a.matches(&counterexample) && !b.matches(&counterexample))
        }
        Coverage::Unknown { reason } => {
            assert!(reason.contains("needs more than"), "{reason}")
        }
    }
}

#[test]
fn canonical_text_round_trips_beyond_the_length_limit() {
    // Under 1024 characters that canonicalize to more than 1024.
    let names: Vec<String> = (0..80).map(|i| format!("$.e=n{i:02}.x")).collect();
    let text = format!("{{{}}}", names.join("||"));
    assert!(text.len() <= 1024, "{}", text.len());
    let p = FilterPattern::parse(&text).expect("valid");
    let canon = p.canonical();
    assert!(canon.len() > 1024, "{}", canon.len());
    assert!(FilterPattern::parse(&canon).is_err(), "users get the limit");
    let again = FilterPattern::parse_canonical(&canon).expect("our own output parses");
    assert_eq!(again.canonical(), canon);
    assert!(matches!(p.compare(&again), Comparison::Equal));
}
