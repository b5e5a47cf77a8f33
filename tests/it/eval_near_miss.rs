//! Explanations show the nearest misses first: the list element that came closest
//! (most conditions satisfied, filter patterns most alike), with the counterexample or
//! difference the pattern engine found, instead of the first elements of the list.

use gsl::entity::graph::EntityGraph;
use gsl::entity::load::parse_snapshot;
use gsl::entity::SAMPLE_SNAPSHOT;
use gsl::lang::eval::{check_rule, evaluate, EvalOptions, Evidence, Outcome};
use gsl::lang::parser::parse_rule;
use serde_json::json;

fn run_on(snapshot: &str, src: &str) -> Vec<Evidence> {
    let graph = EntityGraph::new(parse_snapshot(snapshot, "test").unwrap());
    let rule = parse_rule(src).unwrap();
    let rule = check_rule(&rule).unwrap();
    let result = evaluate(&rule, &graph, &EvalOptions::default());
    let e = &result.entities[0];
    assert_eq!(e.outcome, Outcome::Failed, "{e:#?}");
    e.explanation.evidence.clone()
}

fn paths(ev: &[Evidence]) -> Vec<String> {
    ev.iter().filter_map(|e| e.path.clone()).collect()
}

#[test]
fn the_filter_with_the_wrong_value_is_shown_with_a_counterexample() {
    // CIS 4.6 on the sample: metricFilters[3] matches "Failed", CIS needs
    // "Failed authentication". It is the fourth filter, so a first-n listing misses it.
    let ev = run_on(
        SAMPLE_SNAPSHOT,
        r#"List<CloudTrail> should have items with [metricFilters with [filterPattern filterPatternCovers('{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }') and hasSNSSubscriber = 'true'] length() > 0]"#,
    );
    let near = ev
        .iter()
        .find(|e| e.path.as_deref() == Some("items[0].metricFilters[3].filterPattern"))
        .unwrap_or_else(|| panic!("{:?}", paths(&ev)));
    let note = near.note.as_deref().unwrap_or_default();
    assert!(note.contains("Failed authentication"), "{note}");
    // Only the nearest miss of the nested list is shown.
    assert!(
        !paths(&ev)
            .iter()
            .any(|p| p.starts_with("items[0].metricFilters[0]")),
        "{:?}",
        paths(&ev)
    );
}

#[test]
fn a_later_condition_does_not_hide_the_identifying_one() {
    // The subscriber check comes first, yet the root-usage filter (right pattern, no
    // confirmed subscriber) is the near miss, not a subscribed filter for other events.
    let ev = run_on(
        SAMPLE_SNAPSHOT,
        "List<CloudTrail> should have items with [metricFilters with [hasSNSSubscriber = 'true' and filterPattern isFilterPatternEqual('{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent }')] length() > 0]",
    );
    let first_filter = paths(&ev)
        .into_iter()
        .find(|p| p.starts_with("items[0].metricFilters["))
        .unwrap();
    assert_eq!(first_filter, "items[0].metricFilters[2].hasSNSSubscriber");
}

#[test]
fn equality_failures_carry_a_distinguishing_event() {
    let snapshot = json!({
        "schemaVersion": 1,
        "accounts": [{ "accountNumber": "1", "entities": { "MetricFilter": [
            { "id": "a", "type": "MetricFilter", "filterPattern": "{ $.eventName = CreateTrail || $.eventName = UpdateTrail }" }
        ]}}]
    })
    .to_string();
    let ev = run_on(
        &snapshot,
        "MetricFilter should have filterPattern isFilterPatternEqual('{ $.eventName = CreateTrail }')",
    );
    let note = ev[0].note.as_deref().unwrap_or_default();
    assert!(
        note.contains("also matches events the rule's pattern does not")
            && note.contains("UpdateTrail"),
        "{note}"
    );
}

#[test]
fn every_item_of_a_list_rule_gets_its_reason() {
    let ev = run_on(
        SAMPLE_SNAPSHOT,
        "List<CloudTrail> should have items with [isMultiRegionTrail = true and status.isLogging = true and name = 'nope']",
    );
    let p = paths(&ev);
    assert!(p.contains(&"items[0].name".to_string()), "{p:?}");
    assert!(
        p.contains(&"items[1].isMultiRegionTrail".to_string()),
        "{p:?}"
    );
}
