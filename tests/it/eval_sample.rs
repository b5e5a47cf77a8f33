//! The evaluator on the built-in sample account: the CloudGuard MON rules, explanations
//! with JSON paths and values, unknown types, and the public helper API.

use gsl::entity::graph::EntityGraph;
use gsl::entity::load::parse_snapshot;
use gsl::entity::{SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME};
use gsl::lang::eval::{
    builtins, check_rule, evaluate, evaluate_entity, evaluate_value, EvalOptions, Evidence,
    Outcome, RuleResult,
};
use gsl::lang::parser::parse_rule;

fn graph() -> EntityGraph {
    EntityGraph::new(parse_snapshot(SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME).unwrap())
}

fn opts() -> EvalOptions {
    EvalOptions::at(
        chrono::DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc),
    )
}

fn run(src: &str) -> RuleResult {
    let rule = parse_rule(src).unwrap();
    let rule = check_rule(&rule).unwrap();
    evaluate(&rule, &graph(), &opts())
}

fn find<'a>(ev: &'a [Evidence], path: &str) -> &'a Evidence {
    ev.iter()
        .find(|e| e.path.as_deref() == Some(path))
        .unwrap_or_else(|| panic!("no evidence at {path}: {ev:#?}"))
}

const MON21: &str = "List<CloudTrail> should have items with [hasSNSSubscriber='true' and metricFilters with [filterPattern isFilterPatternEqual('{($.eventName=CreateAccessKey)||($.eventName=CreateLoginProfile)||($.eventName=UpdateLoginProfile)}')] length() > 0]";

#[test]
fn mon21_passes_on_the_sample_with_a_differently_spelled_pattern() {
    let r = run(MON21);
    assert_eq!(r.entities.len(), 1);
    let e = &r.entities[0];
    assert_eq!(e.id, "List<CloudTrail>@123456789012");
    assert_eq!(e.outcome, Outcome::Passed, "{:#?}", e.explanation);
    let fp = find(
        &e.explanation.evidence,
        "items[0].metricFilters[0].filterPattern",
    );
    assert!(fp.result);
    assert_eq!(
        fp.value.as_ref().and_then(|v| v.as_str()),
        Some("{ ($.eventName = CreateAccessKey) || ($.eventName = \"CreateLoginProfile\") || ($.eventName = UpdateLoginProfile) }")
    );
    let sns = find(&e.explanation.evidence, "items[0].hasSNSSubscriber");
    assert_eq!(sns.value, Some(serde_json::json!("true")));
}

#[test]
fn a_strict_variant_reports_the_filter_without_a_subscriber() {
    // Per-filter subscriber check: root-usage (metricFilters[2]) has no subscriber.
    let r = run("List<CloudTrail> should have items with [metricFilters with [hasSNSSubscriber = 'true' and filterPattern isFilterPatternEqual('{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent }')] length() > 0]");
    let e = &r.entities[0];
    assert_eq!(e.outcome, Outcome::Failed);
    let sub = find(
        &e.explanation.evidence,
        "items[0].metricFilters[2].hasSNSSubscriber",
    );
    assert_eq!(sub.value, Some(serde_json::json!("false")));
    assert!(!sub.result);
    assert!(
        e.explanation.summary.contains("none of 2 items matched"),
        "{}",
        e.explanation.summary
    );
}

#[test]
fn entity_rule_explains_with_path_and_value() {
    let r = run("CloudTrail should have status.isLogging = true");
    assert_eq!(r.count(Outcome::Passed), 1);
    assert_eq!(r.count(Outcome::Failed), 1);
    let legacy = r
        .entities
        .iter()
        .find(|e| e.name.as_deref() == Some("legacy-eu"))
        .unwrap();
    assert_eq!(legacy.outcome, Outcome::Failed);
    assert_eq!(legacy.region.as_deref(), Some("eu-west-1"));
    assert_eq!(legacy.account, "123456789012");
    assert_eq!(legacy.entity_type, "CloudTrail");
    assert_eq!(
        legacy.explanation.summary,
        "status.isLogging is false (expected true)"
    );
    let ev = find(&legacy.explanation.evidence, "status.isLogging");
    assert_eq!(ev.value, Some(serde_json::json!(false)));
    assert_eq!(&*ev.expr, "status.isLogging = true");
    let src = "CloudTrail should have status.isLogging = true";
    assert_eq!(&src[ev.span.start..ev.span.end], "status.isLogging = true");
}

#[test]
fn should_not_have_reports_what_made_it_true() {
    let r = run("SnsTopic should not have subscriptions isEmpty()");
    let orphan = r
        .entities
        .iter()
        .find(|e| e.name.as_deref() == Some("orphan-topic"))
        .unwrap();
    assert_eq!(orphan.outcome, Outcome::Failed);
    assert!(
        orphan
            .explanation
            .summary
            .contains("subscriptions isEmpty() is true"),
        "{}",
        orphan.explanation.summary
    );
    assert_eq!(r.count(Outcome::Passed), 2);
}

#[test]
fn results_serialize_as_camel_case_json() {
    let r = run("CloudTrail should have isMultiRegionTrail = true");
    let j = serde_json::to_value(&r).unwrap();
    let first = &j["entities"][0];
    assert!(first.get("entityType").is_some());
    assert_eq!(first["outcome"], "passed");
    assert!(first["explanation"]["evidence"][0].get("path").is_some());
}

#[test]
fn unknown_entity_type_lists_the_types_present() {
    let g = graph();
    let err = g.check_type("CloudTrial").unwrap_err();
    assert_eq!(err.suggestion.as_deref(), Some("CloudTrail"));
    let help = miette::Diagnostic::help(&err).unwrap().to_string();
    assert!(help.contains("did you mean `CloudTrail`?"), "{help}");
    assert!(help.contains("SnsTopic (3)"), "{help}");
    assert_eq!(g.check_type("cloudtrail").unwrap(), "CloudTrail");
    // A near miss of a known type is a check error; another absent type finds nothing.
    let err = check_rule(&parse_rule("CloudTrial should have name").unwrap()).unwrap_err();
    assert_eq!(err.codes(), ["gsl::eval::unknown_type"]);
    let rule = check_rule(&parse_rule("Trial should have name").unwrap()).unwrap();
    assert!(evaluate(&rule, &g, &opts()).entities.is_empty());
}

#[test]
fn evaluate_one_entity_or_a_bare_value() {
    let g = graph();
    let rule = check_rule(&parse_rule("CloudTrail should have kmsKeyId").unwrap()).unwrap();
    let e = g.entity("legacy-eu").unwrap();
    let r = evaluate_entity(&rule, &g, e, &opts());
    assert_eq!(r.outcome, Outcome::Failed);
    let (o, ex) = evaluate_value(&rule, &serde_json::json!({"kmsKeyId": "k"}), &opts());
    assert_eq!(o, Outcome::Passed);
    assert_eq!(ex.evidence[0].path.as_deref(), Some("kmsKeyId"));
}

#[test]
fn the_builtin_list_has_names_signatures_and_docs() {
    let list = builtins::list();
    let names: Vec<_> = list.iter().map(|b| b.0).collect();
    for n in [
        "length",
        "isEmpty",
        "before",
        "after",
        "isFilterPatternEqual",
        "filterPatternCovers",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    assert!(list.iter().all(|b| !b.2.is_empty()));
    assert!(list.iter().any(|b| b.1 == "after(n, unit)"));
}

#[test]
fn schema_of_a_type_for_the_repl() {
    let g = graph();
    let schema = g.schema("cloudtrail");
    let p = schema
        .iter()
        .find(|p| p.path == "metricFilters[].metricTransformations[].alarms[].actions[].subscriptions[].protocol")
        .unwrap();
    assert_eq!(p.example, serde_json::json!("email"));
    assert!(p.types.contains("string"));
}

#[test]
fn every_builtin_is_documented_in_the_language_reference() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/language.md")).unwrap();
    for b in builtins::BUILTINS {
        assert!(
            doc.contains(&format!("| `{}(", b.name)),
            "builtin {} is missing from the table in docs/language.md",
            b.name
        );
    }
}
