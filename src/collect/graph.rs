//! The graph builder: [`Collected`] records → snapshot entities. Pure: no I/O, no SDK.
//! Each collected type builds its own entities and joins (`crate::collect::types`);
//! this module runs them for every registered type and holds the ARN helpers they
//! share. Every entity has `id`, `type`, `name`, `accountNumber` and `region`.
//!
//! The property reference is `docs/entities.md`.

use super::types::{Collected, TYPES};
use crate::entity::{Account, Snapshot};
use std::collections::BTreeMap;

/// Build a snapshot from the collected accounts, stamped with `collected_at`.
pub fn build_snapshot(collected: &[Collected], collected_at: Option<String>) -> Snapshot {
    let mut snapshot = Snapshot::new();
    snapshot.collected_at = collected_at;
    for account in collected {
        snapshot.accounts.push(build_account(account));
        snapshot.errors.extend(account.errors.iter().cloned());
    }
    snapshot
}

/// Build one account's entities: every registered type's. Errors stay in
/// [`Collected::errors`].
pub fn build_account(c: &Collected) -> Account {
    let entities: BTreeMap<String, Vec<serde_json::Value>> = TYPES
        .iter()
        .map(|t| (t.name.to_string(), (t.build)(c)))
        .collect();
    Account {
        account_number: c.account_number.clone(),
        regions: c.regions.clone(),
        entities,
    }
}

/// The region field of an ARN (`arn:aws:sns:eu-west-1:...` → `eu-west-1`).
pub fn arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    if parts.next()? != "arn" {
        return None;
    }
    let region = parts.nth(2)?;
    (!region.is_empty()).then_some(region)
}

/// The account field of an ARN.
pub fn arn_account(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    if parts.next()? != "arn" {
        return None;
    }
    let account = parts.nth(3)?;
    (!account.is_empty()).then_some(account)
}

/// The service field of an ARN.
pub fn arn_service(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    if parts.next()? != "arn" {
        return None;
    }
    parts.nth(1)
}

/// The AWS partition of a region name.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("eusc-") {
        "aws-eusc"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::types::cloud_trail::{TrailData, TrailRecord};
    use crate::collect::types::cloud_watch_alarm::{
        alarm_watches, AlarmMetric, AlarmRecord, Dimension,
    };
    use crate::collect::types::metric_filter::{MetricFilterRecord, MetricTransformation};
    use crate::collect::types::sns_topic::{Subscription, TopicRecord};
    use serde_json::{json, Value as Json};

    #[test]
    fn arn_fields() {
        let arn = "arn:aws:sns:eu-west-1:111122223333:alerts";
        assert_eq!(arn_region(arn), Some("eu-west-1"));
        assert_eq!(arn_account(arn), Some("111122223333"));
        assert_eq!(arn_service(arn), Some("sns"));
        assert_eq!(arn_region("arn:aws:iam::111122223333:role/x"), None);
        assert_eq!(arn_region("nope"), None);
        assert_eq!(partition_of("cn-northwest-1"), "aws-cn");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of("eu-west-1"), "aws");
    }

    fn sub(arn: &str) -> Subscription {
        Subscription {
            subscription_arn: Some(arn.into()),
            ..Default::default()
        }
    }

    fn chain(alarm: AlarmRecord, filter_ns: &str, filter_region: &str) -> Account {
        let topic = "arn:aws:sns:us-east-1:123456789012:t".to_string();
        let c = Collected {
            account_number: "123456789012".into(),
            regions: vec!["us-east-1".into()],
            trails: vec![TrailData {
                trail: TrailRecord {
                    name: Some("t".into()),
                    trail_arn: Some("arn:aws:cloudtrail:us-east-1:123456789012:trail/t".into()),
                    home_region: Some("us-east-1".into()),
                    cloud_watch_logs_log_group_arn: Some(format!(
                        "arn:aws:logs:{filter_region}:123456789012:log-group:g:*"
                    )),
                    ..Default::default()
                },
                status: None,
                event_selectors: None,
                advanced_event_selectors: None,
                tags: None,
            }],
            metric_filters: vec![MetricFilterRecord {
                region: filter_region.into(),
                filter_name: "f".into(),
                log_group_name: "g".into(),
                metric_transformations: vec![MetricTransformation {
                    metric_name: "M".into(),
                    metric_namespace: filter_ns.into(),
                    metric_value: "1".into(),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            alarms: vec![AlarmRecord {
                alarm_actions: vec![topic.clone()],
                ..alarm
            }],
            topics: vec![TopicRecord {
                region: "us-east-1".into(),
                arn: topic,
                subscriptions: vec![
                    sub("PendingConfirmation"),
                    sub("arn:aws:sns:us-east-1:123456789012:t:1"),
                ],
            }],
            ..Default::default()
        };
        build_account(&c)
    }

    fn trail_flag(a: &Account) -> &Json {
        &a.entities["CloudTrail"][0]["hasSNSSubscriber"]
    }

    use crate::collect::types::cloud_watch_alarm::test_alarm as alarm;

    #[test]
    fn join_needs_metric_namespace_and_region() {
        assert_eq!(
            trail_flag(&chain(alarm("a", "NS", true), "NS", "us-east-1")),
            "true"
        );
        // Same metric name, other namespace: not this filter's alarm.
        let a = chain(alarm("a", "Other", true), "NS", "us-east-1");
        assert_eq!(trail_flag(&a), "false");
        assert_eq!(
            a.entities["CloudTrail"][0]["metricFilters"][0]["metricTransformations"][0]["alarms"],
            json!([])
        );
        // The log group (and so the metric) lives in another region than the alarm.
        assert_eq!(
            trail_flag(&chain(alarm("a", "NS", true), "NS", "eu-west-1")),
            "false"
        );
        // Disabled actions notify nobody.
        assert_eq!(
            trail_flag(&chain(alarm("a", "NS", false), "NS", "us-east-1")),
            "false"
        );
        // actionsEnabled unknown is not "enabled".
        let unknown = AlarmRecord {
            actions_enabled: None,
            ..alarm("a", "NS", true)
        };
        assert_eq!(trail_flag(&chain(unknown, "NS", "us-east-1")), "false");
    }

    #[test]
    fn join_needs_the_filters_dimensions() {
        let dim = |n: &str| Dimension {
            name: Some(n.into()),
            value: Some("v".into()),
        };
        // The filter publishes without dimensions: an alarm with one never sees it.
        let with_dim = AlarmRecord {
            dimensions: vec![dim("EventName")],
            ..alarm("a", "NS", true)
        };
        let a = chain(with_dim.clone(), "NS", "us-east-1");
        assert_eq!(trail_flag(&a), "false");
        assert_eq!(
            a.entities["CloudTrail"][0]["metricFilters"][0]["metricTransformations"][0]["alarms"],
            json!([])
        );
        // The filter publishes with that dimension: joined.
        let mut t = MetricTransformation {
            metric_name: "M".into(),
            metric_namespace: "NS".into(),
            ..Default::default()
        };
        t.dimensions
            .insert("EventName".into(), "$.eventName".into());
        assert!(alarm_watches(&with_dim, "us-east-1", &t));
        // ... and an alarm without dimensions does not see a dimensioned metric.
        assert!(!alarm_watches(&alarm("b", "NS", true), "us-east-1", &t));
        // Other dimension names: no.
        let other = AlarmRecord {
            dimensions: vec![dim("Other")],
            ..alarm("c", "NS", true)
        };
        assert!(!alarm_watches(&other, "us-east-1", &t));
    }

    #[test]
    fn another_accounts_log_group_is_not_joined() {
        let mut c = Collected {
            account_number: "123456789012".into(),
            ..Default::default()
        };
        let a = chain(alarm("a", "NS", true), "NS", "us-east-1");
        assert_eq!(
            a.entities["CloudTrail"][0]["metricFilters"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        // Same region and name, but the trail's group is in another account.
        c.trails.push(TrailData {
            trail: TrailRecord {
                name: Some("central".into()),
                trail_arn: Some("arn:aws:cloudtrail:us-east-1:999999999999:trail/central".into()),
                cloud_watch_logs_log_group_arn: Some(
                    "arn:aws:logs:us-east-1:999999999999:log-group:g:*".into(),
                ),
                ..Default::default()
            },
            status: None,
            event_selectors: None,
            advanced_event_selectors: None,
            tags: None,
        });
        c.metric_filters.push(MetricFilterRecord {
            region: "us-east-1".into(),
            filter_name: "f".into(),
            log_group_name: "g".into(),
            ..Default::default()
        });
        let b = build_account(&c);
        assert_eq!(b.entities["CloudTrail"][0]["metricFilters"], json!([]));
        assert_eq!(b.entities["MetricFilter"].len(), 1);
    }

    #[test]
    fn metric_math_alarms_join_by_their_metrics() {
        let math = AlarmRecord {
            region: "us-east-1".into(),
            name: "math".into(),
            actions_enabled: Some(true),
            metrics: vec![AlarmMetric {
                id: Some("m1".into()),
                metric_name: Some("M".into()),
                namespace: Some("NS".into()),
                dimensions: Vec::new(),
            }],
            ..Default::default()
        };
        let a = chain(math, "NS", "us-east-1");
        assert_eq!(trail_flag(&a), "true");
        assert_eq!(
            a.entities["CloudTrail"][0]["metricFilters"][0]["metricTransformations"][0]["alarms"]
                [0]["name"],
            "math"
        );
    }

    #[test]
    fn an_organization_trail_is_attributed_to_its_owner() {
        let c = Collected {
            account_number: "222222222222".into(),
            trails: vec![TrailData {
                trail: TrailRecord {
                    name: Some("org".into()),
                    trail_arn: Some("arn:aws:cloudtrail:us-east-1:111111111111:trail/org".into()),
                    is_organization_trail: Some(true),
                    ..Default::default()
                },
                status: None,
                event_selectors: None,
                advanced_event_selectors: None,
                tags: None,
            }],
            ..Default::default()
        };
        let a = build_account(&c);
        let t = &a.entities["CloudTrail"][0];
        assert_eq!(t["accountNumber"], "222222222222");
        assert_eq!(t["ownerAccountNumber"], "111111111111");
        assert_eq!(t["coversThisAccountFromOrganization"], true);
        let own = chain(alarm("a", "NS", true), "NS", "us-east-1");
        assert_eq!(
            own.entities["CloudTrail"][0]["ownerAccountNumber"],
            "123456789012"
        );
        assert_eq!(
            own.entities["CloudTrail"][0]["coversThisAccountFromOrganization"],
            false
        );
    }

    #[test]
    fn empty_collection_has_every_type() {
        let a = build_account(&Collected {
            account_number: "123456789012".into(),
            ..Default::default()
        });
        let kinds: Vec<&str> = a.entities.keys().map(String::as_str).collect();
        assert_eq!(kinds, crate::collect::types::type_names());
        assert!(a.entities.values().all(Vec::is_empty));
    }
}
