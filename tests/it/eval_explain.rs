//! Explanations: the JSON paths, values, spans and summary lines reported.

use gsl::lang::eval::{evaluate_value, EvalOptions, Explanation, Outcome};
use gsl::lang::parser::parse_rule;
use serde_json::{json, Value as Json};

fn explain(src: &str, entity: Json) -> (Outcome, Explanation) {
    let rule = parse_rule(src).unwrap();
    let rule = gsl::lang::eval::check_rule(&rule).unwrap();
    evaluate_value(&rule, &entity, &EvalOptions::default())
}

fn trail() -> Json {
    json!({
        "id": "t",
        "metricFilters": [
            { "filterName": "a", "filterPattern": "{ $.eventName = CreateUser }" },
            { "filterName": "b", "filterPattern": "{ $.eventName = DeleteUser }" },
            { "filterName": "root", "filterPattern": "{ $.userIdentity.type = \"Root\" }" }
        ]
    })
}

#[test]
fn the_matching_element_is_named_by_its_path() {
    let src = "CloudTrail should have metricFilters contain [filterPattern isFilterPatternEqual('{ $.userIdentity.type = Root }')]";
    let (o, ex) = explain(src, trail());
    assert_eq!(o, Outcome::Passed);
    let ev = ex
        .evidence
        .iter()
        .find(|e| e.path.as_deref() == Some("metricFilters[2].filterPattern"))
        .expect("evidence for metricFilters[2].filterPattern");
    assert_eq!(ev.value, Some(json!("{ $.userIdentity.type = \"Root\" }")));
    assert!(ev.result);
    // The span covers the predicate term inside the brackets.
    assert!(src[ev.span.start..ev.span.end].starts_with("filterPattern isFilterPatternEqual("));
    // Long predicates are cut in notes.
    assert_eq!(ex.summary, "1 of 3 metricFilters matched [filterPattern isFilterPatternEqual('{ $.userIdentity.type =…]");
}

#[test]
fn a_failing_list_operator_names_the_count_and_the_first_elements() {
    let (o, ex) = explain(
        "CloudTrail should have metricFilters contain [filterName = 'cis']",
        trail(),
    );
    assert_eq!(o, Outcome::Failed);
    assert_eq!(
        ex.summary,
        "none of 3 metricFilters matched [filterName = 'cis']"
    );
    let paths: Vec<_> = ex
        .evidence
        .iter()
        .filter_map(|e| e.path.as_deref())
        .collect();
    assert_eq!(
        paths,
        [
            "metricFilters",
            "metricFilters[0].filterName",
            "metricFilters[1].filterName",
            "metricFilters[2].filterName"
        ]
    );
}

#[test]
fn and_reports_the_failing_conjunct_only() {
    let (o, ex) = explain(
        "CloudTrail should have id = 't' and metricFilters length() > 5",
        trail(),
    );
    assert_eq!(o, Outcome::Failed);
    assert_eq!(ex.evidence.len(), 1);
    assert_eq!(ex.evidence[0].path.as_deref(), Some("metricFilters"));
    assert_eq!(ex.summary, "metricFilters length() is 3 (expected > 5)");
}

#[test]
fn or_reports_every_false_disjunct() {
    let (o, ex) = explain("Trail should have a = 1 or b = 2", json!({"a": 0}));
    assert_eq!(o, Outcome::Failed);
    assert_eq!(ex.summary, "a is 0 (expected 1); b is missing (expected 2)");
}

#[test]
fn should_not_have_reports_what_made_the_condition_true() {
    let (o, ex) = explain(
        "SecurityGroup should not have inboundRules with [scope = '0.0.0.0/0']",
        json!({"inboundRules": [{"scope": "10.0.0.0/8"}, {"scope": "0.0.0.0/0"}]}),
    );
    assert_eq!(o, Outcome::Failed);
    assert_eq!(
        ex.summary,
        "should not have: 1 of 2 inboundRules matched [scope = '0.0.0.0/0']"
    );
    let ev = ex
        .evidence
        .iter()
        .find(|e| e.path.as_deref() == Some("inboundRules[1].scope"))
        .unwrap();
    assert_eq!(ev.value, Some(json!("0.0.0.0/0")));
}

#[test]
fn vacuous_truth_is_visible() {
    let (o, ex) = explain(
        "GkeCluster should have nodePools contain-all [config.imageType = 'COS']",
        json!({"nodePools": []}),
    );
    assert_eq!(o, Outcome::Passed);
    assert_eq!(
        ex.summary,
        "nodePools is empty: contain-all is vacuously true"
    );
}

#[test]
fn runtime_errors_carry_the_span_of_the_call() {
    let src = "Thing should have v length() > 0";
    let (o, ex) = explain(src, json!({"v": 5}));
    assert_eq!(o, Outcome::Error);
    let span = ex.evidence[0].span;
    assert_eq!(&src[span.start..span.end], "length()");
    assert!(
        ex.summary.starts_with("error: length: length() of 5 at v"),
        "{}",
        ex.summary
    );
}

#[test]
fn evidence_is_compact() {
    let big: Vec<Json> = (0..200)
        .map(|i| json!({"k": i, "tags": [{"key": "x"}]}))
        .collect();
    let (o, ex) = explain(
        "Thing should have items contain [tags contain [key = 'y']]",
        json!({"items": big}),
    );
    assert_eq!(o, Outcome::Failed);
    assert!(ex.evidence.len() <= 12);
    assert_eq!(ex.evidence[0].value, Some(json!("[… 200 elements]")));
    let long = "x".repeat(1000);
    let (_, ex) = explain("Thing should have s = 'y'", json!({ "s": long }));
    let shown = ex.evidence[0].value.as_ref().unwrap().as_str().unwrap();
    assert!(shown.chars().count() <= 200);
}

#[test]
fn an_error_inside_a_long_list_names_the_element_it_happened_on() {
    // The elements of a list are first evaluated without words; an error there is
    // reported as the pass with words gives it: with the element's path.
    let entity = json!({
        "id": "t",
        "parts": [
            { "name": "a", "n": [1] },
            { "name": "b", "n": [1] },
            { "name": "c", "n": [1] },
            { "name": "d", "n": [1] },
            { "name": "e", "n": 7 }
        ]
    });
    let (o, ex) = explain("Widget should have parts contain [n length() > 1]", entity);
    assert_eq!(o, Outcome::Error);
    assert!(
        ex.summary.contains("parts[4].n"),
        "the error names the element: {}",
        ex.summary
    );
}
