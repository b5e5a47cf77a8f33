//! The CIS alarm chain, one twist per link, built by the graph builder (no server):
//! each broken link is named in `hasSNSSubscriberReason`, and a CIS policy's
//! explanation names the filter by name and position and says which link broke.

use gsl::collect::{build_snapshot, Collected};
use gsl::entity::graph::EntityGraph;
use gsl::lang::eval::{check_rule_src, evaluate, EvalOptions, Outcome};
use gsl::lang::parser::parse_rule_named;
use gsl::policy::builtin_policies;
use serde_json::{json, Value as Json};

const ROOT: &str = r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;
const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:";

/// (filter name, alarm: (namespace, actions enabled, actions) or none).
type Twist = (&'static str, Option<(&'static str, bool, Vec<String>)>);

fn twists() -> Vec<Twist> {
    let t = |n: &str| vec![format!("{TOPIC}{n}")];
    vec![
        ("no-alarm", Some(("OtherNamespace", true, t("confirmed")))),
        ("no-actions", Some(("CISBenchmark", true, vec![]))),
        ("disabled", Some(("CISBenchmark", false, t("confirmed")))),
        ("missing-topic", Some(("CISBenchmark", true, t("gone")))),
        ("no-subscription", Some(("CISBenchmark", true, t("empty")))),
        ("pending", Some(("CISBenchmark", true, t("pending")))),
        ("good", Some(("CISBenchmark", true, t("confirmed")))),
        ("never-alarmed", None),
    ]
}

/// One trail; one filter per twist (pattern `pattern`), each with its own metric.
fn collected(pattern_of: impl Fn(&str) -> String) -> Collected {
    let sub = |topic: &str, arn: &str| json!({"subscriptionArn": arn, "topicArn": format!("{TOPIC}{topic}"), "owner": "123456789012", "endpoint": "oncall@example.com", "protocol": "email"});
    let mut filters = Vec::new();
    let mut alarms = Vec::new();
    for (name, alarm) in twists() {
        filters.push(json!({"region": "us-east-1", "filterName": name, "logGroupName": "main-trail", "filterPattern": pattern_of(name),
            "metricTransformations": [{"metricName": format!("m-{name}"), "metricNamespace": "CISBenchmark", "metricValue": "1"}]}));
        if let Some((ns, enabled, actions)) = alarm {
            alarms.push(json!({"region": "us-east-1", "name": format!("alarm-{name}"), "metricName": format!("m-{name}"), "namespace": ns, "actionsEnabled": enabled, "alarmActions": actions}));
        }
    }
    let doc = json!({
        "accountNumber": "123456789012",
        "regions": ["us-east-1"],
        "trails": [{"trail": {"name": "main", "trailArn": "arn:aws:cloudtrail:us-east-1:123456789012:trail/main", "homeRegion": "us-east-1", "isMultiRegionTrail": true, "cloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:main-trail:*"},
                    "status": {"isLogging": true}, "eventSelectors": [{"includeManagementEvents": true, "readWriteType": "All"}]}],
        "logGroups": [{"region": "us-east-1", "name": "main-trail"}],
        "metricFilters": filters,
        "alarms": alarms,
        "topics": [
            {"region": "us-east-1", "arn": format!("{TOPIC}confirmed"), "subscriptions": [sub("confirmed", &format!("{TOPIC}confirmed:1b2c"))]},
            {"region": "us-east-1", "arn": format!("{TOPIC}empty"), "subscriptions": []},
            {"region": "us-east-1", "arn": format!("{TOPIC}pending"), "subscriptions": [sub("pending", "PendingConfirmation")]},
        ],
    });
    serde_json::from_value(doc).expect("a Collected document")
}

fn trail_filters(c: &Collected) -> Vec<Json> {
    let snap = build_snapshot(std::slice::from_ref(c), None);
    snap.accounts[0].entities["CloudTrail"][0]["metricFilters"]
        .as_array()
        .expect("filters")
        .clone()
}

#[test]
fn each_broken_link_is_named() {
    let filters = trail_filters(&collected(|_| ROOT.to_string()));
    let reason = |name: &str| {
        let f = filters
            .iter()
            .find(|f| f["filterName"] == name)
            .expect("filter");
        (
            f["hasSNSSubscriber"].clone(),
            f["hasSNSSubscriberReason"].clone(),
        )
    };
    let want = [
        (
            "no-alarm",
            r#"no alarm watches metric "m-no-alarm" in namespace "CISBenchmark" (us-east-1)"#
                .to_string(),
        ),
        (
            "no-actions",
            r#"alarm "alarm-no-actions" has no actions"#.to_string(),
        ),
        (
            "disabled",
            r#"alarm "alarm-disabled" has its actions disabled"#.to_string(),
        ),
        (
            "missing-topic",
            format!(
                r#"alarm "alarm-missing-topic" notifies topic {TOPIC}gone, which does not exist"#
            ),
        ),
        (
            "no-subscription",
            format!(
                r#"alarm "alarm-no-subscription" notifies topic {TOPIC}empty, which has no subscription"#
            ),
        ),
        (
            "pending",
            format!(
                r#"alarm "alarm-pending" notifies topic {TOPIC}pending, which has only pending subscriptions (1)"#
            ),
        ),
        (
            "never-alarmed",
            r#"no alarm watches metric "m-never-alarmed" in namespace "CISBenchmark" (us-east-1)"#
                .to_string(),
        ),
    ];
    for (name, text) in want {
        assert_eq!(reason(name), (json!("false"), json!(text)), "{name}");
    }
    assert_eq!(reason("good"), (json!("true"), Json::Null));
}

/// CIS 4.3 over a trail whose only root filter has the twist `only`.
fn run_43(only: &str) -> (Outcome, String) {
    let c = collected(|name| {
        if name == only {
            ROOT.to_string()
        } else {
            r#"{ $.eventName = "CreateUser" }"#.to_string()
        }
    });
    let graph = EntityGraph::new(build_snapshot(&[c], None));
    let p = builtin_policies()
        .unwrap()
        .into_iter()
        .find(|p| p.meta.id == "CIS-AWS-4.3")
        .expect("CIS-AWS-4.3");
    let rule = parse_rule_named(&p.source, &p.origin).unwrap();
    let rule = check_rule_src(&rule, &p.source, &p.origin).unwrap();
    let r = evaluate(&rule, &graph, &EvalOptions::default());
    let e = &r.entities[0];
    let text = e
        .explanation
        .evidence
        .iter()
        .filter_map(|ev| ev.note.clone())
        .collect::<Vec<_>>()
        .join("\n");
    (e.outcome, text)
}

#[test]
fn a_cis_failure_names_the_filter_and_the_broken_link() {
    assert_eq!(run_43("good").0, Outcome::Passed);
    for (twist, link) in [
        ("pending", "which has only pending subscriptions (1)"),
        ("disabled", "has its actions disabled"),
        ("no-actions", "has no actions"),
        (
            "no-alarm",
            r#"no alarm watches metric "m-no-alarm" in namespace "CISBenchmark""#,
        ),
        ("missing-topic", "which does not exist"),
        ("no-subscription", "which has no subscription"),
    ] {
        let (outcome, text) = run_43(twist);
        assert_eq!(outcome, Outcome::Failed, "{twist}: {text}");
        // The graph sorts a trail's filters by name.
        let mut names: Vec<&str> = twists().iter().map(|t| t.0).collect();
        names.sort_unstable();
        let at = names.iter().position(|n| *n == twist).unwrap();
        let named = format!(
            "filter \"{twist}\" (items[0].metricFilters[{at}]): hasSNSSubscriber is 'false' (expected 'true'); because "
        );
        assert!(text.contains(&named), "{twist}: {named}\n{text}");
        assert!(text.contains(link), "{twist}: {link}\n{text}");
    }
}
