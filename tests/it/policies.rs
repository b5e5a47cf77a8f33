//! The shipped policy packs: every policy parses and checks, and the CIS chain does
//! what docs/policies.md promises (advanced event selectors, coverage of every CIS
//! spelling of a control, the filter's own subscriber).

use gsl::entity::graph::EntityGraph;
use gsl::entity::load::parse_snapshot;
use gsl::entity::SAMPLE_SNAPSHOT;
use gsl::lang::eval::{check_rule_src, evaluate, EvalOptions, Outcome};
use gsl::lang::parser::parse_rule_named;
use gsl::policy::{builtin_policies, Policy};
use serde_json::{json, Value};

fn policy(id: &str) -> Policy {
    builtin_policies()
        .unwrap()
        .into_iter()
        .find(|p| p.meta.id == id)
        .unwrap_or_else(|| panic!("no policy {id}"))
}

/// The sample account with its main trail changed by `edit`.
fn account(edit: impl FnOnce(&mut Value)) -> EntityGraph {
    let mut snap: Value = serde_json::from_str(SAMPLE_SNAPSHOT).unwrap();
    edit(&mut snap["accounts"][0]["entities"]["CloudTrail"][0]);
    EntityGraph::new(parse_snapshot(&snap.to_string(), "test").unwrap())
}

fn outcome(id: &str, graph: &EntityGraph) -> Outcome {
    let p = policy(id);
    let rule = parse_rule_named(&p.source, &p.origin).unwrap();
    let rule = check_rule_src(&rule, &p.source, &p.origin).unwrap();
    let r = evaluate(&rule, graph, &EvalOptions::default());
    assert_eq!(
        r.entities.len(),
        1,
        "one List<CloudTrail> object per account"
    );
    r.entities[0].outcome
}

/// Replace the pattern of the sample's unauthorized-API-calls filter (subscribed).
fn with_41_pattern(pattern: &str) -> EntityGraph {
    account(|t| t["metricFilters"][1]["filterPattern"] = json!(pattern))
}

#[test]
fn every_shipped_policy_parses_and_checks() {
    let all = builtin_policies().unwrap();
    // CIS v5.0.0 (every control: 63) and CloudGuard's 10 (6 monitoring and logging,
    // 4 on load balancers).
    assert_eq!(all.len(), 73);
    for p in &all {
        if p.meta.manual.is_some() {
            // A control that data cannot decide has no rule (the parser would say so).
            continue;
        }
        let rule = parse_rule_named(&p.source, &p.origin)
            .unwrap_or_else(|e| panic!("{}: {e:?}", p.origin));
        check_rule_src(&rule, &p.source, &p.origin)
            .unwrap_or_else(|e| panic!("{}: {e:?}", p.origin));
        assert!(!p.meta.title.is_empty() && !p.meta.description.is_empty());
        assert!(
            !p.meta.frameworks.is_empty(),
            "{} has no frameworks",
            p.meta.id
        );
    }
}

#[test]
fn mon_21_is_exactly_cloudguards_logic() {
    use gsl::lang::ast::SameShape;
    let p = policy("D9.AWS.MON.21");
    // CloudGuard's rule as CloudGuard writes it; the shipped file is in `gsl fmt` form,
    // the same rule laid out over lines.
    let cloudguard = "List<CloudTrail> should have items with [hasSNSSubscriber='true' and metricFilters with [filterPattern isFilterPatternEqual('{($.eventName=CreateAccessKey)||($.eventName=CreateLoginProfile)||($.eventName=UpdateLoginProfile)}')] length() > 0]";
    let theirs = parse_rule_named(cloudguard, "cloudguard").unwrap();
    let ours = parse_rule_named(&p.source, &p.origin).unwrap();
    assert!(ours.same_shape(&theirs), "{}", p.source);
    assert!(p.source.contains("isFilterPatternEqual('{($.eventName=CreateAccessKey)||($.eventName=CreateLoginProfile)||($.eventName=UpdateLoginProfile)}')"));
}

#[test]
fn advanced_event_selectors_for_management_events_count() {
    let advanced = |read_only: bool| {
        account(move |t| {
            t["eventSelectors"] = json!([]);
            let mut fields = vec![json!({"field": "eventCategory", "equals": ["Management"]})];
            if read_only {
                fields.push(json!({"field": "readOnly", "equals": ["true"]}));
            }
            t["advancedEventSelectors"] = json!([{ "name": "mgmt", "fieldSelectors": fields }]);
        })
    };
    assert_eq!(outcome("CIS-AWS-4.1", &advanced(false)), Outcome::Passed);
    assert_eq!(outcome("CIS-AWS-4.1", &advanced(true)), Outcome::Failed);
    let write_only = account(|t| t["eventSelectors"][0]["readWriteType"] = json!("WriteOnly"));
    assert_eq!(outcome("CIS-AWS-4.1", &write_only), Outcome::Failed);
}

#[test]
fn cis_4_1_accepts_the_v2_spellings_and_rejects_v1_2_the_erratum_and_a_narrower_filter() {
    // The default run checks the latest CIS version (cis-aws@5.0.0); each version's
    // own 4.1 is tested in tests/it/cis_packs.rs.
    for pattern in [
        // v2.0/v3.0, no grouping parentheses
        r#"{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }"#,
        // the intended reading, clauses reordered, quotes dropped where legal
        r#"{ ($.eventName != HeadBucket) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && (($.errorCode = "AccessDenied*") || ($.errorCode = "*UnauthorizedOperation")) }"#,
    ] {
        assert_eq!(
            outcome("CIS-AWS-4.1", &with_41_pattern(pattern)),
            Outcome::Passed,
            "{pattern}"
        );
    }
    // v1.2 (and Security Hub CloudWatch.2, whitespace-free): no exclusions, which the
    // latest versions require, so it counts events from delivery.logs.amazonaws.com.
    assert_eq!(
        outcome(
            "CIS-AWS-4.1",
            &with_41_pattern(
                r#"{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}"#
            )
        ),
        Outcome::Failed
    );
    // Misses AccessDenied*: a narrower filter fails.
    assert_eq!(
        outcome(
            "CIS-AWS-4.1",
            &with_41_pattern(r#"{ $.errorCode = "*UnauthorizedOperation" }"#)
        ),
        Outcome::Failed
    );
    // v1.4/v1.5 verbatim, with the OR erratum: it counts almost every event (any event
    // not from delivery.logs), so its alarm does not monitor unauthorized calls.
    assert_eq!(
        outcome(
            "CIS-AWS-4.1",
            &with_41_pattern(
                r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || ($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }"#
            )
        ),
        Outcome::Failed
    );
}

#[test]
fn the_filters_own_alarm_must_reach_a_confirmed_subscriber() {
    // Sample: root-usage's alarm only has a pending subscription. CloudGuard's
    // trail-wide logic passes; the CIS chain fails until the filter's own chain is
    // confirmed.
    let sample = account(|_| {});
    assert_eq!(outcome("CG.MON.ROOT-USAGE", &sample), Outcome::Passed);
    assert_eq!(outcome("CIS-AWS-4.3", &sample), Outcome::Failed);
    let confirmed = account(|t| t["metricFilters"][2]["hasSNSSubscriber"] = json!("true"));
    assert_eq!(outcome("CIS-AWS-4.3", &confirmed), Outcome::Passed);
}
