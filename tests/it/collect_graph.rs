//! The graph builder on fixtures moto cannot produce: pending and deleted SNS
//! subscriptions, missing per-trail data, recorded errors. No server needed.

use gsl::collect::{build_account, build_snapshot, Collected};
use serde_json::{json, Value as Json};

fn fixture() -> Collected {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/collect/pending-subscriptions.json"
    );
    let text = std::fs::read_to_string(path).expect("fixture");
    serde_json::from_str(&text).expect("fixture is a Collected document")
}

fn trail<'a>(entities: &'a [Json], name: &str) -> &'a Json {
    entities.iter().find(|t| t["name"] == name).expect("trail")
}

fn filter<'a>(trail: &'a Json, name: &str) -> &'a Json {
    trail["metricFilters"]
        .as_array()
        .expect("metricFilters")
        .iter()
        .find(|f| f["filterName"] == name)
        .expect("filter")
}

#[test]
fn pending_and_deleted_subscriptions_do_not_count() {
    let account = build_account(&fixture());
    let trails = &account.entities["CloudTrail"];
    let main = trail(trails, "main");
    // Only the mixed topic has a confirmed subscription.
    assert_eq!(
        filter(main, "unauthorized-api-calls")["hasSNSSubscriber"],
        "true"
    );
    assert_eq!(filter(main, "root-usage")["hasSNSSubscriber"], "false");
    assert_eq!(
        filter(main, "console-auth-failures")["hasSNSSubscriber"],
        "false"
    );
    assert_eq!(main["hasSNSSubscriber"], "true");

    let pending_only = trail(trails, "pending-only");
    assert_eq!(pending_only["hasSNSSubscriber"], "false");
    assert_eq!(
        filter(pending_only, "root-usage")["hasSNSSubscriber"],
        "false"
    );
    // Same filter name in two log groups: each trail gets its own group's filter.
    assert_eq!(
        filter(pending_only, "root-usage")["metricTransformations"][0]["metricName"],
        "RootUsagePending"
    );

    let sub = &filter(main, "root-usage")["metricTransformations"][0]["alarms"][0]["actions"][0]
        ["subscriptions"][0];
    assert_eq!(sub["subscriptionArn"], "PendingConfirmation");
    assert_eq!(sub["pendingConfirmation"], true);

    let topics = &account.entities["SnsTopic"];
    let mixed = topics
        .iter()
        .find(|t| t["name"] == "mixed-topic")
        .expect("mixed");
    assert_eq!(mixed["subscriptionsConfirmed"], 1);
    assert_eq!(mixed["subscriptionsPending"], 1);
    let deleted = topics
        .iter()
        .find(|t| t["name"] == "deleted-topic")
        .expect("deleted");
    assert_eq!(deleted["subscriptionsConfirmed"], 0);
    assert_eq!(deleted["subscriptionsPending"], 0);
    assert_eq!(
        deleted["id"],
        "arn:aws:sns:us-east-1:123456789012:deleted-topic"
    );
}

#[test]
fn missing_data_stays_null_and_errors_pass_through() {
    let collected = fixture();
    let snapshot = build_snapshot(
        std::slice::from_ref(&collected),
        Some("2026-11-20T10:00:00Z".into()),
    );
    assert_eq!(
        snapshot.collected_at.as_deref(),
        Some("2026-11-20T10:00:00Z")
    );
    assert_eq!(snapshot.errors, collected.errors);
    assert_eq!(snapshot.errors[0].entity_types, vec!["CloudTrail"]);
    let account = &snapshot.accounts[0];
    let pending_only = trail(&account.entities["CloudTrail"], "pending-only");
    // Not collected is null, not an empty list that a rule would read as "none".
    assert_eq!(pending_only["status"], Json::Null);
    assert_eq!(pending_only["eventSelectors"], Json::Null);
    assert_eq!(pending_only["tags"], Json::Null);
    let main = trail(&account.entities["CloudTrail"], "main");
    assert_eq!(main["status"]["isLogging"], true);
    assert_eq!(main["eventSelectors"][0]["dataResources"], json!([]));

    // Constructed ids where AWS gave no ARN.
    let groups = &account.entities["LogGroup"];
    let pending_group = groups
        .iter()
        .find(|g| g["name"] == "pending-trail")
        .expect("group");
    assert_eq!(
        pending_group["id"],
        "arn:aws:logs:us-east-1:123456789012:log-group:pending-trail:*"
    );
    assert_eq!(pending_group["metricFilterCount"], 1);
    let alarms = &account.entities["CloudWatchAlarm"];
    let pending_alarm = alarms
        .iter()
        .find(|a| a["name"] == "root-usage-pending")
        .expect("alarm");
    assert_eq!(
        pending_alarm["id"],
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:root-usage-pending"
    );
    assert_eq!(pending_alarm["hasSNSSubscriber"], "false");
    let filters = &account.entities["MetricFilter"];
    assert_eq!(filters.len(), 4);
    let ids: Vec<&str> = filters.iter().filter_map(|f| f["id"].as_str()).collect();
    assert!(ids.contains(
        &"arn:aws:logs:us-east-1:123456789012:log-group:pending-trail:*:metric-filter:root-usage"
    ));
    assert!(ids.contains(
        &"arn:aws:logs:us-east-1:123456789012:log-group:main-trail:*:metric-filter:root-usage"
    ));

    // Every entity has the identity properties.
    for (kind, list) in &account.entities {
        for e in list {
            for key in ["id", "type", "accountNumber", "region"] {
                assert!(e[key].is_string(), "{kind} lacks {key}: {e}");
            }
            assert_eq!(e["type"], kind.as_str());
        }
    }
}

#[test]
fn the_collected_format_round_trips() {
    let collected = fixture();
    let text = serde_json::to_string(&collected).expect("serialize");
    let back: Collected = serde_json::from_str(&text).expect("parse");
    assert_eq!(back, collected);
}

#[test]
fn filters_on_log_groups_no_multi_region_logging_trail_delivers_to_are_listed_on_every_trail() {
    let account = build_account(&fixture());
    let trails = &account.entities["CloudTrail"];
    let listed = |t: &Json| -> Vec<(String, String)> {
        t["undeliveredMetricFilters"]
            .as_array()
            .expect("undeliveredMetricFilters")
            .iter()
            .map(|f| {
                assert_eq!(f["deliveredByMultiRegionTrail"], "false");
                (
                    f["filterName"].as_str().unwrap().to_string(),
                    f["deliveredByMultiRegionTrailReason"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect()
    };
    // The same list on every trail; the main trail's own filters are not in it.
    let main = listed(trail(trails, "main"));
    assert_eq!(main, listed(trail(trails, "pending-only")));
    let own: Vec<&str> = trail(trails, "main")["metricFilters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["filterName"].as_str().unwrap())
        .collect();
    assert!(!own.is_empty());
    let pending_group = trail(trails, "pending-only")["cloudWatchLogsLogGroupArn"].clone();
    assert!(!main.is_empty(), "{main:?}");
    for (name, reason) in &main {
        assert!(
            reason.starts_with("no multi-region logging trail delivers to log group \""),
            "{name}: {reason}"
        );
        // The only other trail delivers there, but its status was not collected.
        assert!(
            reason.contains("trail \"pending-only\" does, but is not logging"),
            "{name}: {reason} ({pending_group})"
        );
    }
}
