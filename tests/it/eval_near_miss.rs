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

// ---------------------------------------------------------------------------------
// Blame: the near miss is a filter about the same events, or no filter at all.
// ---------------------------------------------------------------------------------

use gsl::lang::eval::EntityResult;
use gsl::lang::parser::parse_rule_named;
use gsl::policy::builtin_policies;

/// The explanation of policy `id` over `snapshot`: its one result, and its evidence
/// notes (one line each).
fn policy_on(snapshot: &str, id: &str) -> (EntityResult, Vec<String>) {
    let graph = EntityGraph::new(parse_snapshot(snapshot, "test").unwrap());
    let p = builtin_policies()
        .unwrap()
        .into_iter()
        .find(|p| p.meta.id == id)
        .unwrap_or_else(|| panic!("{id}"));
    let rule = parse_rule_named(&p.source, &p.origin).unwrap();
    let rule = gsl::lang::eval::check_rule_src(&rule, &p.source, &p.origin).unwrap();
    let result = evaluate(&rule, &graph, &EvalOptions::default());
    let e = result.entities[0].clone();
    let notes = e
        .explanation
        .evidence
        .iter()
        .filter_map(|ev| ev.note.clone())
        .collect();
    (e, notes)
}

/// The filters an explanation names (`filter "x" (…)`), in order, repeats kept.
fn blamed(notes: &[String]) -> Vec<String> {
    notes
        .iter()
        .filter_map(|n| n.strip_prefix("filter \""))
        .filter_map(|n| n.split('"').next())
        .map(str::to_string)
        .collect()
}

const NO_FILTER: &str = "no filter watches these events; required pattern: {";

#[test]
fn on_the_sample_a_filter_about_other_events_is_never_blamed() {
    // (control, the filter its explanation names, or none: no filter watches).
    let cases: &[(&str, Option<&str>)] = &[
        ("CIS-AWS-4.2", Some("console-auth-failures")),
        ("CIS-AWS-4.3", Some("root-usage")),
        ("CIS-AWS-4.5", Some("cloudtrail-config-changes")),
        ("CIS-AWS-4.6", Some("console-auth-failures")),
        ("CIS-AWS-4.8", None),
        ("CIS-AWS-4.9", None),
        ("CIS-AWS-4.11", None),
        ("CIS-AWS-4.12", None),
        ("CIS-AWS-4.13", None),
        ("CIS-AWS-4.14", None),
        ("CIS-AWS-4.15", None),
        ("CG.MON.CONFIG-CHANGES", None),
    ];
    for (id, want) in cases {
        let (e, notes) = policy_on(SAMPLE_SNAPSHOT, id);
        assert_eq!(e.outcome, Outcome::Failed, "{id}");
        let text = notes.join("\n");
        let names = blamed(&notes);
        match want {
            // One line per broken link: the filter is named once.
            Some(f) => {
                assert_eq!(names, vec![f.to_string()], "{id}:\n{text}");
                assert!(!text.contains(NO_FILTER), "{id}:\n{text}");
            }
            None => {
                assert!(names.is_empty(), "{id} blames {names:?}:\n{text}");
                assert!(
                    text.contains("trail \"org-main\" (items[0]): none of 8 metricFilters matched")
                        && text.contains(NO_FILTER),
                    "{id}:\n{text}"
                );
            }
        }
    }
}

#[test]
fn every_line_names_its_entity_and_says_one_thing() {
    for id in [
        "CIS-AWS-4.2",
        "CIS-AWS-4.3",
        "CIS-AWS-4.8",
        "CG.MON.CONFIG-CHANGES",
    ] {
        let (e, notes) = policy_on(SAMPLE_SNAPSHOT, id);
        // The first line is about the account's list of trails; every other line
        // names the trail or filter it is about.
        for n in &notes[1..] {
            assert!(
                n.starts_with("trail \"") || n.starts_with("filter \""),
                "{id}: {n:?}"
            );
            // A property the collector did not build (CloudGuard-shaped entities have
            // no undeliveredMetricFilters) is not a broken link next to one that is.
            assert!(!n.contains("undeliveredMetricFilters"), "{id}: {n:?}");
            assert!(!n.contains("is missing;"), "{id}: {n:?}");
        }
        // One line per broken link: no two lines read the same property.
        let mut paths: Vec<&str> = e
            .explanation
            .evidence
            .iter()
            .filter_map(|ev| ev.path.as_deref())
            .collect();
        let n = paths.len();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), n, "{id}: {notes:#?}");
    }
}

#[test]
fn a_missing_list_is_told_once() {
    let snapshot = json!({
        "schemaVersion": 1,
        "accounts": [{ "accountNumber": "1", "entities": { "CloudTrail": [
            { "id": "t", "type": "CloudTrail", "name": "t" }
        ]}}]
    })
    .to_string();
    let ev = run_on(
        &snapshot,
        "CloudTrail should have undeliveredMetricFilters with [deliveredByMultiRegionTrail = 'true'] length() > 0",
    );
    let notes: Vec<&str> = ev.iter().filter_map(|e| e.note.as_deref()).collect();
    assert_eq!(
        notes,
        vec!["undeliveredMetricFilters is missing"],
        "{ev:#?}"
    );
}

/// The monitoring controls of CIS v5.0.0 in the built-in pack, with their required
/// patterns.
fn cis_patterns() -> Vec<(String, String)> {
    builtin_policies()
        .unwrap()
        .into_iter()
        .filter(|p| p.meta.id.starts_with("CIS-AWS-4.") && p.source.contains("metricFilters"))
        .map(|p| {
            let at = p.source.find("filterPatternMonitors('").expect("a pattern") + 23;
            let len = p.source[at..].find("')").expect("its end");
            (p.meta.id.clone(), p.source[at..at + len].to_string())
        })
        .collect()
}

/// The sample account with one trail whose filters are `filters` (name, pattern),
/// each with a confirmed subscriber: only the patterns decide.
fn trail_with(filters: &[(String, String)]) -> String {
    let mut snap: serde_json::Value = serde_json::from_str(SAMPLE_SNAPSHOT).unwrap();
    let trails = snap["accounts"][0]["entities"]["CloudTrail"]
        .as_array_mut()
        .unwrap();
    trails.truncate(1);
    let template = trails[0]["metricFilters"][0].clone();
    trails[0]["metricFilters"] = filters
        .iter()
        .map(|(name, pattern)| {
            let mut f = template.clone();
            f["filterName"] = json!(name);
            f["filterPattern"] = json!(pattern);
            f
        })
        .collect();
    snap.to_string()
}

/// A near miss of `pattern`: `&&` typed as `||` where it has one, otherwise its last
/// event name misspelt.
fn mutate(pattern: &str) -> String {
    if let Some(at) = pattern.find("&&") {
        format!("{}||{}", &pattern[..at], &pattern[at + 2..])
    } else {
        let at = pattern.rfind("eventName").expect("an event name");
        let eq = at + pattern[at..].find('=').expect("a comparison") + 1;
        let name_at = eq
            + pattern[eq..]
                .find(|c: char| c.is_ascii_alphabetic())
                .expect("a name");
        format!("{}X{}", &pattern[..name_at], &pattern[name_at..])
    }
}

#[test]
fn generated_filters_blame_the_filter_about_the_same_events() {
    let cis = cis_patterns();
    assert_eq!(cis.len(), 15);
    // Controls whose patterns share events: 4.2 and 4.6 both watch ConsoleLogin.
    let related = |a: &str, b: &str| {
        let pair = [a, b];
        pair.contains(&"CIS-AWS-4.2") && pair.contains(&"CIS-AWS-4.6")
    };
    for (id, pattern) in &cis {
        // Every other control's filter, none for this one: no filter is near,
        // unless another control watches the same events.
        let others: Vec<(String, String)> = cis
            .iter()
            .filter(|(o, _)| o != id)
            .map(|(o, p)| (format!("for-{o}"), p.clone()))
            .collect();
        let (e, notes) = policy_on(&trail_with(&others), id);
        assert_eq!(e.outcome, Outcome::Failed, "{id}");
        let text = notes.join("\n");
        let names = blamed(&notes);
        if cis.iter().any(|(o, _)| o != id && related(id, o)) {
            assert_eq!(names.len(), 1, "{id}:\n{text}");
            assert!(
                related(id, names[0].trim_start_matches("for-")),
                "{id}:\n{text}"
            );
        } else {
            assert!(names.is_empty(), "{id} blames {names:?}:\n{text}");
            assert!(text.contains(NO_FILTER), "{id}:\n{text}");
        }
        // With a near miss of its own pattern among them, that filter is named, with
        // an event it misses or a clause wider than the control allows.
        let mut with_near = others.clone();
        with_near.insert(with_near.len() / 2, ("near".to_string(), mutate(pattern)));
        let (e, notes) = policy_on(&trail_with(&with_near), id);
        assert_eq!(e.outcome, Outcome::Failed, "{id}: {}", mutate(pattern));
        let text = notes.join("\n");
        assert_eq!(blamed(&notes), vec!["near".to_string()], "{id}:\n{text}");
        assert!(
            text.contains("misses events the rule requires") || text.contains("is wider"),
            "{id}:\n{text}"
        );
    }
}

/// A network ACL entry has an `action` (`ALLOW`) like an alarm's action (a topic ARN):
/// only an SNS ARN makes an element a topic in an explanation.
#[test]
fn a_network_acl_entry_is_not_called_a_topic() {
    let graph = EntityGraph::new(parse_snapshot(SAMPLE_SNAPSHOT, "test").unwrap());
    let p = builtin_policies()
        .unwrap()
        .into_iter()
        .find(|p| p.meta.id == "CIS-AWS-5.2")
        .unwrap();
    let rule = parse_rule_named(&p.source, &p.origin).unwrap();
    let rule = gsl::lang::eval::check_rule_src(&rule, &p.source, &p.origin).unwrap();
    let result = evaluate(&rule, &graph, &EvalOptions::default());
    let failed: Vec<&EntityResult> = result
        .entities
        .iter()
        .filter(|e| e.outcome == Outcome::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "the eu-west-1 default ACL fails");
    let notes: Vec<&str> = failed[0]
        .explanation
        .evidence
        .iter()
        .filter_map(|ev| ev.note.as_deref())
        .collect();
    assert!(notes.iter().any(|n| n.contains("inbound")), "{notes:#?}");
    assert!(!notes.iter().any(|n| n.contains("topic")), "{notes:#?}");
}
