//! SDK output shapes → [`super::model`] records. Pure functions, no I/O.

use super::model::{
    AdvancedEventSelector, AdvancedFieldSelector, AlarmMetric, AlarmRecord, DataResource,
    Dimension, EventSelector, LogGroupRecord, MetricFilterRecord, MetricTransformation,
    Subscription, Tag, TrailRecord, TrailStatus,
};
use aws_sdk_cloudtrail::operation::get_trail_status::GetTrailStatusOutput;
use aws_sdk_cloudtrail::types as ct;
use aws_sdk_cloudwatch::types as cw;
use aws_sdk_cloudwatchlogs::types as logs;
use aws_sdk_sns::types as sns;
use aws_smithy_types::DateTime;
use chrono::{SecondsFormat, TimeZone, Utc};

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

fn strings(v: &[String]) -> Vec<String> {
    v.to_vec()
}

/// An SDK timestamp as RFC 3339 UTC (`2026-11-20T09:58:12Z`).
pub fn timestamp(t: Option<&DateTime>) -> Option<String> {
    let t = t?;
    Utc.timestamp_opt(t.secs(), t.subsec_nanos())
        .single()
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// Epoch milliseconds (CloudWatch Logs) as RFC 3339 UTC.
pub fn epoch_millis(ms: Option<i64>) -> Option<String> {
    Utc.timestamp_millis_opt(ms?)
        .single()
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// DescribeTrails `Trail`.
pub fn trail(t: &ct::Trail) -> TrailRecord {
    TrailRecord {
        name: owned(t.name()),
        trail_arn: owned(t.trail_arn()),
        home_region: owned(t.home_region()),
        is_multi_region_trail: t.is_multi_region_trail(),
        is_organization_trail: t.is_organization_trail(),
        include_global_service_events: t.include_global_service_events(),
        log_file_validation_enabled: t.log_file_validation_enabled(),
        kms_key_id: owned(t.kms_key_id()),
        s3_bucket_name: owned(t.s3_bucket_name()),
        s3_key_prefix: owned(t.s3_key_prefix()),
        sns_topic_name: sns_topic_name(t),
        sns_topic_arn: owned(t.sns_topic_arn()),
        cloud_watch_logs_log_group_arn: owned(t.cloud_watch_logs_log_group_arn()),
        cloud_watch_logs_role_arn: owned(t.cloud_watch_logs_role_arn()),
        has_custom_event_selectors: t.has_custom_event_selectors(),
        has_insight_selectors: t.has_insight_selectors(),
    }
}

#[allow(deprecated)] // still returned by DescribeTrails; CloudGuard rules read it
fn sns_topic_name(t: &ct::Trail) -> Option<String> {
    owned(t.sns_topic_name())
}

/// GetTrailStatus output.
pub fn trail_status(s: &GetTrailStatusOutput) -> TrailStatus {
    TrailStatus {
        is_logging: s.is_logging(),
        latest_delivery_time: timestamp(s.latest_delivery_time()),
        latest_cloud_watch_logs_delivery_time: timestamp(s.latest_cloud_watch_logs_delivery_time()),
        latest_delivery_error: owned(s.latest_delivery_error()),
        latest_cloud_watch_logs_delivery_error: owned(s.latest_cloud_watch_logs_delivery_error()),
        start_logging_time: timestamp(s.start_logging_time()),
        stop_logging_time: timestamp(s.stop_logging_time()),
        latest_digest_delivery_time: timestamp(s.latest_digest_delivery_time()),
        latest_digest_delivery_error: owned(s.latest_digest_delivery_error()),
        latest_notification_time: timestamp(s.latest_notification_time()),
        latest_notification_error: owned(s.latest_notification_error()),
    }
}

/// GetEventSelectors `EventSelectors[]` item.
pub fn event_selector(e: &ct::EventSelector) -> EventSelector {
    EventSelector {
        read_write_type: e.read_write_type().map(|r| r.as_str().to_string()),
        include_management_events: e.include_management_events(),
        data_resources: e
            .data_resources()
            .iter()
            .map(|d| DataResource {
                resource_type: owned(d.r#type()),
                values: strings(d.values()),
            })
            .collect(),
        exclude_management_event_sources: strings(e.exclude_management_event_sources()),
    }
}

/// GetEventSelectors `AdvancedEventSelectors[]` item.
pub fn advanced_event_selector(a: &ct::AdvancedEventSelector) -> AdvancedEventSelector {
    AdvancedEventSelector {
        name: owned(a.name()),
        field_selectors: a
            .field_selectors()
            .iter()
            .map(|f| AdvancedFieldSelector {
                field: f.field().to_string(),
                equals: strings(f.equals()),
                starts_with: strings(f.starts_with()),
                ends_with: strings(f.ends_with()),
                not_equals: strings(f.not_equals()),
                not_starts_with: strings(f.not_starts_with()),
                not_ends_with: strings(f.not_ends_with()),
            })
            .collect(),
    }
}

/// CloudTrail ListTags `TagsList[]` item.
pub fn tag(t: &ct::Tag) -> Tag {
    Tag {
        key: t.key().to_string(),
        value: owned(t.value()),
    }
}

/// DescribeLogGroups `logGroups[]` item, or `None` without a name.
pub fn log_group(region: &str, g: &logs::LogGroup) -> Option<LogGroupRecord> {
    Some(LogGroupRecord {
        region: region.to_string(),
        name: g.log_group_name()?.to_string(),
        arn: owned(g.arn()),
        retention_in_days: g.retention_in_days(),
        kms_key_id: owned(g.kms_key_id()),
        stored_bytes: g.stored_bytes(),
        creation_time: epoch_millis(g.creation_time()),
        log_group_class: g.log_group_class().map(|c| c.as_str().to_string()),
    })
}

/// DescribeMetricFilters `metricFilters[]` item; `group` is the log group asked for
/// (used when the reply leaves `logGroupName` out). `None` without a filter name, or
/// without a log group name when none was asked for.
pub fn metric_filter(
    region: &str,
    group: Option<&str>,
    f: &logs::MetricFilter,
) -> Option<MetricFilterRecord> {
    Some(MetricFilterRecord {
        region: region.to_string(),
        filter_name: f.filter_name()?.to_string(),
        filter_pattern: owned(f.filter_pattern()),
        log_group_name: f.log_group_name().or(group)?.to_string(),
        creation_time: epoch_millis(f.creation_time()),
        metric_transformations: f
            .metric_transformations()
            .iter()
            .map(|t| MetricTransformation {
                metric_name: t.metric_name().to_string(),
                metric_namespace: t.metric_namespace().to_string(),
                metric_value: t.metric_value().to_string(),
                default_value: t.default_value(),
                unit: t.unit().map(|u| u.as_str().to_string()),
                dimensions: t
                    .dimensions()
                    .map(|d| d.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
            })
            .collect(),
    })
}

/// DescribeAlarms `MetricAlarms[]` item, or `None` without a name.
pub fn alarm(region: &str, a: &cw::MetricAlarm) -> Option<AlarmRecord> {
    Some(AlarmRecord {
        region: region.to_string(),
        name: a.alarm_name()?.to_string(),
        arn: owned(a.alarm_arn()),
        description: owned(a.alarm_description()),
        metric_name: owned(a.metric_name()),
        namespace: owned(a.namespace()),
        actions_enabled: a.actions_enabled(),
        state_value: a.state_value().map(|s| s.as_str().to_string()),
        state_updated_timestamp: timestamp(a.state_updated_timestamp()),
        alarm_actions: strings(a.alarm_actions()),
        ok_actions: strings(a.ok_actions()),
        insufficient_data_actions: strings(a.insufficient_data_actions()),
        statistic: a.statistic().map(|s| s.as_str().to_string()),
        period: a.period(),
        evaluation_periods: a.evaluation_periods(),
        threshold: a.threshold(),
        comparison_operator: a.comparison_operator().map(|c| c.as_str().to_string()),
        treat_missing_data: owned(a.treat_missing_data()),
        dimensions: dimensions(a.dimensions()),
        metrics: a
            .metrics()
            .iter()
            .filter_map(|q| {
                let metric = q.metric_stat()?.metric()?;
                Some(AlarmMetric {
                    id: owned(q.id()),
                    metric_name: owned(metric.metric_name()),
                    namespace: owned(metric.namespace()),
                    dimensions: dimensions(metric.dimensions()),
                })
            })
            .collect(),
    })
}

fn dimensions(list: &[cw::Dimension]) -> Vec<Dimension> {
    list.iter()
        .map(|d| Dimension {
            name: owned(d.name()),
            value: owned(d.value()),
        })
        .collect()
}

/// ListSubscriptionsByTopic `Subscriptions[]` item.
pub fn subscription(s: &sns::Subscription) -> Subscription {
    Subscription {
        subscription_arn: owned(s.subscription_arn()),
        topic_arn: owned(s.topic_arn()),
        owner: owned(s.owner()),
        endpoint: owned(s.endpoint()),
        protocol: owned(s.protocol()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_seconds() {
        let t = DateTime::from_secs_and_nanos(1_763_632_692, 500_000_000);
        assert_eq!(timestamp(Some(&t)).as_deref(), Some("2025-11-20T09:58:12Z"));
        assert_eq!(timestamp(None), None);
        assert_eq!(
            epoch_millis(Some(1_763_632_692_123)).as_deref(),
            Some("2025-11-20T09:58:12Z")
        );
        assert_eq!(epoch_millis(None), None);
    }

    #[test]
    fn alarm_fields_and_metric_math_inputs() {
        let metric = cw::Metric::builder()
            .namespace("NS")
            .metric_name("M")
            .build();
        let query = cw::MetricDataQuery::builder()
            .id("m1")
            .metric_stat(
                cw::MetricStat::builder()
                    .metric(metric)
                    .period(300)
                    .stat("Sum")
                    .build(),
            )
            .build();
        let a = cw::MetricAlarm::builder()
            .alarm_name("a")
            .actions_enabled(false)
            .state_value(cw::StateValue::Alarm)
            .alarm_actions("arn:aws:sns:us-east-1:1:t")
            .metrics(query)
            .build();
        let r = alarm("us-east-1", &a).expect("named alarm");
        assert_eq!(r.name, "a");
        assert_eq!(r.actions_enabled, Some(false));
        assert_eq!(r.state_value.as_deref(), Some("ALARM"));
        assert_eq!(r.alarm_actions, vec!["arn:aws:sns:us-east-1:1:t"]);
        assert_eq!(r.metrics.len(), 1);
        assert_eq!(r.metrics[0].metric_name.as_deref(), Some("M"));
        assert!(alarm("us-east-1", &cw::MetricAlarm::builder().build()).is_none());
    }

    #[test]
    fn metric_filter_takes_the_asked_group_when_absent() {
        let f = logs::MetricFilter::builder()
            .filter_name("f")
            .filter_pattern("")
            .metric_transformations(
                logs::MetricTransformation::builder()
                    .metric_name("M")
                    .metric_namespace("NS")
                    .metric_value("1")
                    .build()
                    .expect("valid"),
            )
            .build();
        let r = metric_filter("eu-west-1", Some("g"), &f).expect("named filter");
        assert_eq!(r.log_group_name, "g");
        assert_eq!(r.filter_pattern.as_deref(), Some(""));
        assert_eq!(r.metric_transformations[0].metric_namespace, "NS");
        assert_eq!(r.region, "eu-west-1");
    }

    #[test]
    fn selectors_and_subscriptions() {
        let e = ct::EventSelector::builder()
            .read_write_type(ct::ReadWriteType::WriteOnly)
            .include_management_events(true)
            .data_resources(
                ct::DataResource::builder()
                    .r#type("AWS::S3::Object")
                    .values("arn:aws:s3")
                    .build(),
            )
            .build();
        let r = event_selector(&e);
        assert_eq!(r.read_write_type.as_deref(), Some("WriteOnly"));
        assert_eq!(
            r.data_resources[0].resource_type.as_deref(),
            Some("AWS::S3::Object")
        );
        let s = subscription(
            &sns::Subscription::builder()
                .subscription_arn("PendingConfirmation")
                .protocol("email")
                .build(),
        );
        assert!(s.is_pending());
        assert!(!s.is_confirmed());
    }
}
