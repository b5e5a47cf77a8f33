//! Property tests: the evaluator never panics on arbitrary entity JSON, and the
//! snapshot loader never panics on arbitrary text.

use gsl::entity::graph::EntityGraph;
use gsl::entity::load::parse_snapshot;
use gsl::entity::{Account, Snapshot};
use gsl::lang::eval::{check_rule, evaluate, EvalOptions, Outcome};
use gsl::lang::parser::parse_rule;
use proptest::prelude::*;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;

const RULES: &[&str] = &[
    "Thing should have a = 1",
    "Thing should have a != 'x' and b.c > 2 or not d",
    "Thing should have a like '%x%' and b unlike 'y%' and c regexMatch /^a.*$/i",
    "Thing should have a in ('x', 1, true, null)",
    "Thing should have a with [b = 1] length() > 0",
    "Thing should have a contain-all [$ > 1] and b contain-none [c] and d contain-single [e = 'x']",
    "Thing should have a contain [b contain-any [$ = 'z']]",
    "Thing should have a length() >= 2 and b isEmpty()",
    "Thing should have a before(-3, 'months') or b after(1, 'days')",
    "Thing should have a.b.c.d before(1000000000, 'years')",
    "Thing should have a isFilterPatternEqual('{ $.eventName = ConsoleLogin }')",
    "Thing should have a filterPatternCovers('{ $.a = 1 }')",
    "Thing where a should not have b.c with [d = null]",
    "List<Thing> should have items with [a = 1] length() > 0",
    "List<Thing> should have items contain-all [b.c like '%']",
    "thing where a = 'x'",
];

fn arb_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::from),
        any::<i64>().prop_map(Json::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Json::Number)
            .unwrap_or(Json::Null)),
        prop_oneof![
            Just("true".to_string()),
            Just("2026-11-20T10:00:00Z".to_string()),
            Just("{ $.eventName = ConsoleLogin }".to_string()),
            Just("{ $.eventName = ".to_string()),
            "[a-z%$_{}()=\"' .]{0,12}".prop_map(|s| s),
            ".{0,8}".prop_map(|s| s),
        ]
        .prop_map(Json::from),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Json::Array),
            prop::collection::btree_map("[a-e$]", inner, 0..5)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

fn graph(entities: Vec<Json>) -> EntityGraph {
    let mut list = Vec::new();
    for (i, e) in entities.into_iter().enumerate() {
        let mut obj = match e {
            Json::Object(o) => o,
            other => {
                let mut o = serde_json::Map::new();
                o.insert("a".into(), other);
                o
            }
        };
        obj.insert("id".into(), json!(format!("e{i}")));
        obj.insert("type".into(), json!("Thing"));
        list.push(Json::Object(obj));
    }
    let mut snap = Snapshot::new();
    snap.accounts.push(Account {
        account_number: "1".into(),
        regions: vec![],
        entities: BTreeMap::from([("Thing".to_string(), list)]),
    });
    EntityGraph::new(snap)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn evaluator_never_panics(entities in prop::collection::vec(arb_json(), 0..4)) {
        let g = graph(entities);
        let opts = EvalOptions::default();
        for src in RULES {
            let rule = parse_rule(src).unwrap();
            let checked = check_rule(&rule);
            prop_assert!(checked.is_ok(), "{src}");
            let Ok(rule) = checked else { continue };
            let r = evaluate(&rule, &g, &opts);
            for e in &r.entities {
                prop_assert!(!e.explanation.summary.is_empty() || e.outcome == Outcome::Passed);
                prop_assert!(e.explanation.evidence.len() <= 12);
            }
        }
    }

    #[test]
    fn loader_never_panics_on_text(text in ".{0,200}") {
        let _ = parse_snapshot(&text, "t");
    }

    #[test]
    fn loader_never_panics_on_json_shapes(v in arb_json()) {
        let mut doc = json!({"schemaVersion": 1, "accounts": [{"accountNumber": "1", "entities": {"Thing": [v.clone()]}}]});
        let _ = parse_snapshot(&doc.to_string(), "t");
        doc["accounts"] = v.clone();
        let _ = parse_snapshot(&doc.to_string(), "t");
        let _ = parse_snapshot(&v.to_string(), "t");
    }

    #[test]
    fn loader_never_panics_on_truncated_snapshots(cut in 0usize..6000) {
        let text = gsl::entity::SAMPLE_SNAPSHOT;
        let mut end = cut.min(text.len());
        while !text.is_char_boundary(end) { end -= 1; }
        let r = parse_snapshot(&text[..end], "t");
        if end < text.len() {
            prop_assert!(r.is_err());
        }
    }
}
