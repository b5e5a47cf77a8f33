//! What the collectors gather, as plain serde records: the input of the graph builder
//! ([`super::build`]). Field names are the entity property names (camelCase); every
//! record documents its AWS source. The collectors fill these from SDK outputs
//! ([`super::convert`]); tests and fixtures can write them as JSON (`Collected`).

use crate::entity::CollectionError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything collected from one account, before the graph is built.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Collected {
    /// The 12-digit account id (STS GetCallerIdentity).
    pub account_number: String,
    /// The regions that were collected.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Trails, one per trail ARN (shadow copies merged), with their per-trail data.
    #[serde(default)]
    pub trails: Vec<TrailData>,
    /// The CloudWatch Logs groups the trails deliver to.
    #[serde(default)]
    pub log_groups: Vec<LogGroupRecord>,
    /// The metric filters of every log group of the collected regions (and of the
    /// trails' log groups elsewhere).
    #[serde(default)]
    pub metric_filters: Vec<MetricFilterRecord>,
    /// Metric alarms of the collected regions (and of the trails' log-group regions).
    #[serde(default)]
    pub alarms: Vec<AlarmRecord>,
    /// SNS topics whose subscriptions were listed.
    #[serde(default)]
    pub topics: Vec<TopicRecord>,
    /// Failed collection steps.
    #[serde(default)]
    pub errors: Vec<CollectionError>,
}

/// One trail and the data fetched for it. `None` means "not collected" (the error is
/// in [`Collected::errors`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrailData {
    /// DescribeTrails.
    pub trail: TrailRecord,
    /// GetTrailStatus.
    #[serde(default)]
    pub status: Option<TrailStatus>,
    /// GetEventSelectors (basic selectors).
    #[serde(default)]
    pub event_selectors: Option<Vec<EventSelector>>,
    /// GetEventSelectors (advanced selectors).
    #[serde(default)]
    pub advanced_event_selectors: Option<Vec<AdvancedEventSelector>>,
    /// ListTags.
    #[serde(default)]
    pub tags: Option<Vec<Tag>>,
}

/// A trail as DescribeTrails returns it (`Trail`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrailRecord {
    /// `Name`.
    pub name: Option<String>,
    /// `TrailARN`.
    pub trail_arn: Option<String>,
    /// `HomeRegion`.
    pub home_region: Option<String>,
    /// `IsMultiRegionTrail`.
    pub is_multi_region_trail: Option<bool>,
    /// `IsOrganizationTrail`.
    pub is_organization_trail: Option<bool>,
    /// `IncludeGlobalServiceEvents`.
    pub include_global_service_events: Option<bool>,
    /// `LogFileValidationEnabled`.
    pub log_file_validation_enabled: Option<bool>,
    /// `KmsKeyId`.
    pub kms_key_id: Option<String>,
    /// `S3BucketName`.
    pub s3_bucket_name: Option<String>,
    /// `S3KeyPrefix`.
    pub s3_key_prefix: Option<String>,
    /// `SnsTopicName` (deprecated by AWS, kept for rules written against it).
    pub sns_topic_name: Option<String>,
    /// `SnsTopicARN`: the trail's own delivery-notification topic.
    pub sns_topic_arn: Option<String>,
    /// `CloudWatchLogsLogGroupArn`.
    pub cloud_watch_logs_log_group_arn: Option<String>,
    /// `CloudWatchLogsRoleArn`.
    pub cloud_watch_logs_role_arn: Option<String>,
    /// `HasCustomEventSelectors`.
    pub has_custom_event_selectors: Option<bool>,
    /// `HasInsightSelectors`.
    pub has_insight_selectors: Option<bool>,
}

/// GetTrailStatus output. Times are RFC 3339 (UTC).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrailStatus {
    /// `IsLogging`.
    pub is_logging: Option<bool>,
    /// `LatestDeliveryTime`.
    pub latest_delivery_time: Option<String>,
    /// `LatestCloudWatchLogsDeliveryTime`.
    pub latest_cloud_watch_logs_delivery_time: Option<String>,
    /// `LatestDeliveryError`.
    pub latest_delivery_error: Option<String>,
    /// `LatestCloudWatchLogsDeliveryError`.
    pub latest_cloud_watch_logs_delivery_error: Option<String>,
    /// `StartLoggingTime`.
    pub start_logging_time: Option<String>,
    /// `StopLoggingTime`.
    pub stop_logging_time: Option<String>,
    /// `LatestDigestDeliveryTime`.
    pub latest_digest_delivery_time: Option<String>,
    /// `LatestDigestDeliveryError`.
    #[serde(default)]
    pub latest_digest_delivery_error: Option<String>,
    /// `LatestNotificationTime`.
    #[serde(default)]
    pub latest_notification_time: Option<String>,
    /// `LatestNotificationError`.
    pub latest_notification_error: Option<String>,
}

/// A basic event selector (GetEventSelectors `EventSelectors[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventSelector {
    /// `ReadWriteType`: `ReadOnly`, `WriteOnly` or `All`.
    pub read_write_type: Option<String>,
    /// `IncludeManagementEvents`.
    pub include_management_events: Option<bool>,
    /// `DataResources[]`.
    #[serde(default)]
    pub data_resources: Vec<DataResource>,
    /// `ExcludeManagementEventSources[]`.
    #[serde(default)]
    pub exclude_management_event_sources: Vec<String>,
}

/// `DataResource` of an event selector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataResource {
    /// `Type` (`AWS::S3::Object`, ...).
    #[serde(rename = "type")]
    pub resource_type: Option<String>,
    /// `Values[]`.
    #[serde(default)]
    pub values: Vec<String>,
}

/// An advanced event selector (GetEventSelectors `AdvancedEventSelectors[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdvancedEventSelector {
    /// `Name`.
    pub name: Option<String>,
    /// `FieldSelectors[]`.
    #[serde(default)]
    pub field_selectors: Vec<AdvancedFieldSelector>,
}

/// `AdvancedFieldSelector`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdvancedFieldSelector {
    /// `Field` (`eventCategory`, `readOnly`, ...).
    pub field: String,
    /// `Equals[]`.
    #[serde(default)]
    pub equals: Vec<String>,
    /// `StartsWith[]`.
    #[serde(default)]
    pub starts_with: Vec<String>,
    /// `EndsWith[]`.
    #[serde(default)]
    pub ends_with: Vec<String>,
    /// `NotEquals[]`.
    #[serde(default)]
    pub not_equals: Vec<String>,
    /// `NotStartsWith[]`.
    #[serde(default)]
    pub not_starts_with: Vec<String>,
    /// `NotEndsWith[]`.
    #[serde(default)]
    pub not_ends_with: Vec<String>,
}

/// A resource tag (CloudTrail ListTags).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tag {
    /// `Key`.
    pub key: String,
    /// `Value`.
    pub value: Option<String>,
}

/// A log group (CloudWatch Logs DescribeLogGroups).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogGroupRecord {
    /// The region the group lives in.
    pub region: String,
    /// `logGroupName`.
    pub name: String,
    /// `arn` (ends in `:*`).
    pub arn: Option<String>,
    /// `retentionInDays` (`None`: never expire).
    pub retention_in_days: Option<i32>,
    /// `kmsKeyId`.
    pub kms_key_id: Option<String>,
    /// `storedBytes`.
    pub stored_bytes: Option<i64>,
    /// `creationTime`, RFC 3339.
    pub creation_time: Option<String>,
    /// `logGroupClass` (`STANDARD`, `INFREQUENT_ACCESS`, ...).
    #[serde(default)]
    pub log_group_class: Option<String>,
}

/// A metric filter (CloudWatch Logs DescribeMetricFilters).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricFilterRecord {
    /// The region of its log group.
    pub region: String,
    /// `filterName`.
    pub filter_name: String,
    /// `filterPattern` (may be empty: matches every event).
    pub filter_pattern: Option<String>,
    /// `logGroupName`.
    pub log_group_name: String,
    /// `creationTime`, RFC 3339.
    pub creation_time: Option<String>,
    /// `metricTransformations[]`.
    #[serde(default)]
    pub metric_transformations: Vec<MetricTransformation>,
}

/// `MetricTransformation` of a metric filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricTransformation {
    /// `metricName`.
    pub metric_name: String,
    /// `metricNamespace`.
    pub metric_namespace: String,
    /// `metricValue`.
    pub metric_value: String,
    /// `defaultValue`.
    pub default_value: Option<f64>,
    /// `unit`.
    #[serde(default)]
    pub unit: Option<String>,
    /// `dimensions` (field name → `$.field` selector).
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
}

/// A metric alarm (CloudWatch DescribeAlarms `MetricAlarms[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlarmRecord {
    /// The region the alarm lives in.
    pub region: String,
    /// `AlarmName`.
    pub name: String,
    /// `AlarmArn`.
    pub arn: Option<String>,
    /// `AlarmDescription`.
    pub description: Option<String>,
    /// `MetricName` (absent on metric-math alarms).
    pub metric_name: Option<String>,
    /// `Namespace`.
    pub namespace: Option<String>,
    /// `ActionsEnabled`.
    pub actions_enabled: Option<bool>,
    /// `StateValue`: `OK`, `ALARM`, `INSUFFICIENT_DATA`.
    pub state_value: Option<String>,
    /// `StateUpdatedTimestamp`, RFC 3339.
    #[serde(default)]
    pub state_updated_timestamp: Option<String>,
    /// `AlarmActions[]`.
    #[serde(default)]
    pub alarm_actions: Vec<String>,
    /// `OKActions[]`.
    #[serde(default)]
    pub ok_actions: Vec<String>,
    /// `InsufficientDataActions[]`.
    #[serde(default)]
    pub insufficient_data_actions: Vec<String>,
    /// `Statistic`.
    #[serde(default)]
    pub statistic: Option<String>,
    /// `Period` (seconds).
    #[serde(default)]
    pub period: Option<i32>,
    /// `EvaluationPeriods`.
    #[serde(default)]
    pub evaluation_periods: Option<i32>,
    /// `Threshold`.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// `ComparisonOperator`.
    #[serde(default)]
    pub comparison_operator: Option<String>,
    /// `TreatMissingData`.
    #[serde(default)]
    pub treat_missing_data: Option<String>,
    /// `Dimensions[]`.
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
    /// The metrics a metric-math alarm reads (`Metrics[].MetricStat.Metric`).
    #[serde(default)]
    pub metrics: Vec<AlarmMetric>,
}

/// A CloudWatch metric dimension.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dimension {
    /// `Name`.
    pub name: Option<String>,
    /// `Value`.
    pub value: Option<String>,
}

/// One metric read by a metric-math alarm.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlarmMetric {
    /// `Id` of the query.
    pub id: Option<String>,
    /// `MetricStat.Metric.MetricName`.
    pub metric_name: Option<String>,
    /// `MetricStat.Metric.Namespace`.
    pub namespace: Option<String>,
    /// `MetricStat.Metric.Dimensions[]`.
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
}

/// An SNS topic and its subscriptions (ListTopics, ListSubscriptionsByTopic).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TopicRecord {
    /// The region of the topic.
    pub region: String,
    /// `TopicArn`.
    pub arn: String,
    /// `Subscriptions[]`.
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
}

/// An SNS subscription (ListSubscriptionsByTopic `Subscriptions[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Subscription {
    /// `SubscriptionArn`: a real ARN once confirmed, else `PendingConfirmation`
    /// (or `Deleted`).
    pub subscription_arn: Option<String>,
    /// `TopicArn`.
    pub topic_arn: Option<String>,
    /// `Owner`.
    pub owner: Option<String>,
    /// `Endpoint`.
    pub endpoint: Option<String>,
    /// `Protocol`.
    pub protocol: Option<String>,
}

impl Subscription {
    /// A subscription is confirmed when its ARN is a real ARN (AWS reports
    /// `PendingConfirmation` or `Deleted` otherwise).
    pub fn is_confirmed(&self) -> bool {
        self.subscription_arn
            .as_deref()
            .is_some_and(|arn| arn.starts_with("arn:"))
    }

    /// Waiting for the endpoint owner to confirm.
    pub fn is_pending(&self) -> bool {
        self.subscription_arn.as_deref() == Some("PendingConfirmation")
    }
}
