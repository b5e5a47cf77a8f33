//! The changes a plan makes: one [`Action`] per API call, with the account and region
//! it is made in. A change only creates or updates; none deletes.
//!
//! A new kind of change (a control mended by one call on another type) is a variant of
//! [`Action`], its IAM action in [`Action::iam_action`] and [`IAM_ACTIONS`], its
//! words in [`Action::describe`], its command in `super::cli`, and its call in
//! `gsl::collect::apply`.

use serde::{Deserialize, Serialize};

/// One change of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// Its id in the plan (`c1`, `c2`, ...), which findings refer to.
    pub id: String,
    /// The account it is made in.
    pub account: String,
    /// The region it is made in.
    pub region: String,
    /// It updates something that exists (named in the snapshot), rather than creating.
    pub exists: bool,
    /// The call and its arguments.
    #[serde(flatten)]
    pub action: Action,
}

/// A metric dimension of an alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dimension {
    /// `Name`.
    pub name: String,
    /// `Value`.
    pub value: String,
}

/// An alarm's whole definition, as `PutMetricAlarm` takes it (it replaces an existing
/// alarm of the same name whole, so an update carries every setting the alarm has).
/// Deserializes from a `CloudWatchAlarm` entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlarmSpec {
    /// `AlarmName`.
    #[serde(alias = "name")]
    pub alarm_name: String,
    /// `AlarmDescription`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `MetricName`.
    pub metric_name: String,
    /// `Namespace`.
    pub namespace: String,
    /// `Statistic`.
    pub statistic: String,
    /// `Period` (seconds).
    pub period: i32,
    /// `EvaluationPeriods`.
    pub evaluation_periods: i32,
    /// `Threshold`.
    pub threshold: f64,
    /// `ComparisonOperator`.
    pub comparison_operator: String,
    /// `TreatMissingData`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub treat_missing_data: Option<String>,
    /// `Dimensions`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<Dimension>,
    /// `ActionsEnabled`.
    pub actions_enabled: bool,
    /// `AlarmActions`.
    pub alarm_actions: Vec<String>,
    /// `OKActions`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ok_actions: Vec<String>,
    /// `InsufficientDataActions`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub insufficient_data_actions: Vec<String>,
}

impl AlarmSpec {
    /// An alarm of the CIS remediation on a filter's metric: the sum over 5 minutes,
    /// at least 1, in 1 period, notifying `topic`.
    pub fn cis(name: &str, metric_name: &str, namespace: &str, topic: &str) -> AlarmSpec {
        AlarmSpec {
            alarm_name: name.to_string(),
            description: Some(format!("gsl fix: alarm on {metric_name}")),
            metric_name: metric_name.to_string(),
            namespace: namespace.to_string(),
            statistic: "Sum".to_string(),
            period: 300,
            evaluation_periods: 1,
            threshold: 1.0,
            comparison_operator: "GreaterThanOrEqualToThreshold".to_string(),
            treat_missing_data: Some("notBreaching".to_string()),
            dimensions: Vec::new(),
            actions_enabled: true,
            alarm_actions: vec![topic.to_string()],
            ok_actions: Vec::new(),
            insufficient_data_actions: Vec::new(),
        }
    }
}

impl AlarmSpec {
    /// The settings with which one matching event notifies (`--strict-chain`): the sum
    /// over at most 5 minutes, at least 1, in 1 period; the rest kept.
    pub fn cis_settings(&mut self) {
        self.statistic = "Sum".to_string();
        self.period = self.period.clamp(60, 300);
        self.evaluation_periods = 1;
        self.threshold = 1.0;
        self.comparison_operator = "GreaterThanOrEqualToThreshold".to_string();
    }
}

/// A classic event selector of a trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventSelector {
    /// `ReadWriteType`.
    pub read_write_type: String,
    /// `IncludeManagementEvents`.
    pub include_management_events: bool,
    /// `DataResources`, kept as they are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_resources: Vec<DataResource>,
    /// `ExcludeManagementEventSources`, kept as they are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_management_event_sources: Vec<String>,
}

/// The data events an event selector records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataResource {
    /// `Type`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `Values`.
    #[serde(default)]
    pub values: Vec<String>,
}

/// The call a change makes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Action {
    /// `logs:PutMetricFilter`: create a filter, or replace the pattern of one (same name).
    #[serde(rename_all = "camelCase")]
    PutMetricFilter {
        /// The log group.
        log_group_name: String,
        /// The filter.
        filter_name: String,
        /// The pattern it gets.
        filter_pattern: String,
        /// The pattern it had, when it exists.
        #[serde(skip_serializing_if = "Option::is_none")]
        previous_pattern: Option<String>,
        /// The metric it publishes.
        metric_name: String,
        /// Its namespace.
        metric_namespace: String,
        /// The value published per matching event.
        metric_value: String,
    },
    /// `cloudwatch:PutMetricAlarm`: create an alarm, or update one whole.
    PutMetricAlarm(AlarmSpec),
    /// `cloudwatch:EnableAlarmActions`.
    #[serde(rename_all = "camelCase")]
    EnableAlarmActions {
        /// The alarm.
        alarm_name: String,
    },
    /// `sns:CreateTopic`.
    #[serde(rename_all = "camelCase")]
    CreateTopic {
        /// Its name.
        name: String,
        /// The ARN it gets (known in advance: partition, region, account, name).
        topic_arn: String,
    },
    /// `sns:Subscribe`: a subscription to confirm (an e-mail or HTTPS endpoint gets a
    /// confirmation message).
    #[serde(rename_all = "camelCase")]
    Subscribe {
        /// The topic.
        topic_arn: String,
        /// `email` or `https`.
        protocol: String,
        /// The address or URL (the user's choice, never invented).
        endpoint: String,
    },
    /// `cloudtrail:UpdateTrail`: the settings given, the others left as they are.
    #[serde(rename_all = "camelCase")]
    UpdateTrail {
        /// The trail's name.
        trail_name: String,
        /// `IsMultiRegionTrail`.
        #[serde(skip_serializing_if = "Option::is_none")]
        is_multi_region_trail: Option<bool>,
        /// `EnableLogFileValidation`.
        #[serde(skip_serializing_if = "Option::is_none")]
        enable_log_file_validation: Option<bool>,
        /// `KmsKeyId`.
        #[serde(skip_serializing_if = "Option::is_none")]
        kms_key_id: Option<String>,
        /// `CloudWatchLogsLogGroupArn`.
        #[serde(skip_serializing_if = "Option::is_none")]
        cloud_watch_logs_log_group_arn: Option<String>,
        /// `CloudWatchLogsRoleArn`.
        #[serde(skip_serializing_if = "Option::is_none")]
        cloud_watch_logs_role_arn: Option<String>,
    },
    /// `cloudtrail:StartLogging`.
    #[serde(rename_all = "camelCase")]
    StartLogging {
        /// The trail's name.
        trail_name: String,
    },
    /// `cloudtrail:PutEventSelectors`: the trail's selectors, with management events
    /// read and write (data resources kept).
    #[serde(rename_all = "camelCase")]
    PutEventSelectors {
        /// The trail's name.
        trail_name: String,
        /// Every selector the trail gets.
        event_selectors: Vec<EventSelector>,
    },
}

/// The IAM actions `gsl fix --apply` may call (`docs/iam-fix-policy.json`).
pub const IAM_ACTIONS: &[&str] = &[
    "cloudtrail:PutEventSelectors",
    "cloudtrail:StartLogging",
    "cloudtrail:UpdateTrail",
    "cloudwatch:EnableAlarmActions",
    "cloudwatch:PutMetricAlarm",
    "logs:PutMetricFilter",
    "sns:CreateTopic",
    "sns:Subscribe",
];

impl Action {
    /// The IAM action of its call.
    pub fn iam_action(&self) -> &'static str {
        match self {
            Action::PutMetricFilter { .. } => "logs:PutMetricFilter",
            Action::PutMetricAlarm(_) => "cloudwatch:PutMetricAlarm",
            Action::EnableAlarmActions { .. } => "cloudwatch:EnableAlarmActions",
            Action::CreateTopic { .. } => "sns:CreateTopic",
            Action::Subscribe { .. } => "sns:Subscribe",
            Action::UpdateTrail { .. } => "cloudtrail:UpdateTrail",
            Action::StartLogging { .. } => "cloudtrail:StartLogging",
            Action::PutEventSelectors { .. } => "cloudtrail:PutEventSelectors",
        }
    }

    /// What it changes, in a few words: `filter "root-usage" on log group "ct": pattern
    /// replaced`.
    pub fn describe(&self, exists: bool) -> String {
        match self {
            Action::PutMetricFilter {
                log_group_name,
                filter_name,
                previous_pattern,
                ..
            } => match previous_pattern {
                Some(_) => format!(
                    "replace the pattern of filter \"{filter_name}\" on log group \"{log_group_name}\""
                ),
                None if exists => format!(
                    "give filter \"{filter_name}\" on log group \"{log_group_name}\" a metric"
                ),
                None => format!(
                    "create filter \"{filter_name}\" on log group \"{log_group_name}\""
                ),
            },
            Action::PutMetricAlarm(a) if exists => format!(
                "update alarm \"{}\": actions {}",
                a.alarm_name,
                a.alarm_actions.join(", ")
            ),
            Action::PutMetricAlarm(a) => format!(
                "create alarm \"{}\" on metric {}/{} notifying {}",
                a.alarm_name,
                a.namespace,
                a.metric_name,
                a.alarm_actions.join(", ")
            ),
            Action::EnableAlarmActions { alarm_name } => {
                format!("enable the actions of alarm \"{alarm_name}\"")
            }
            Action::CreateTopic { name, .. } => format!("create topic \"{name}\""),
            Action::Subscribe {
                topic_arn,
                protocol,
                endpoint,
            } => format!(
                "subscribe {endpoint} ({protocol}) to topic {topic_arn}; confirm the message it receives"
            ),
            Action::UpdateTrail {
                trail_name,
                is_multi_region_trail,
                enable_log_file_validation,
                kms_key_id,
                cloud_watch_logs_log_group_arn,
                ..
            } => {
                let mut what = Vec::new();
                if *is_multi_region_trail == Some(true) {
                    what.push("multi-region".to_string());
                }
                if *enable_log_file_validation == Some(true) {
                    what.push("log file validation".to_string());
                }
                if let Some(k) = kms_key_id {
                    what.push(format!("encrypted with {k}"));
                }
                if let Some(g) = cloud_watch_logs_log_group_arn {
                    what.push(format!("delivering to {g}"));
                }
                format!("update trail \"{trail_name}\": {}", what.join(", "))
            }
            Action::StartLogging { trail_name } => format!("start logging on trail \"{trail_name}\""),
            Action::PutEventSelectors { trail_name, .. } => format!(
                "record management events (read and write) on trail \"{trail_name}\""
            ),
        }
    }
}

impl Change {
    /// One line: what it changes, where.
    pub fn summary(&self) -> String {
        format!(
            "{} ({}, {})",
            self.action.describe(self.exists),
            self.account,
            self.region
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_in_the_iam_list() {
        let spec = AlarmSpec::cis("a", "m", "NS", "arn:aws:sns:us-east-1:1:t");
        let trail = || "t".to_string();
        let all = [
            Action::PutMetricFilter {
                log_group_name: "g".into(),
                filter_name: "f".into(),
                filter_pattern: "{ $.a = 1 }".into(),
                previous_pattern: None,
                metric_name: "m".into(),
                metric_namespace: "NS".into(),
                metric_value: "1".into(),
            },
            Action::PutMetricAlarm(spec),
            Action::EnableAlarmActions {
                alarm_name: "a".into(),
            },
            Action::CreateTopic {
                name: "t".into(),
                topic_arn: "arn".into(),
            },
            Action::Subscribe {
                topic_arn: "arn".into(),
                protocol: "email".into(),
                endpoint: "a@example.com".into(),
            },
            Action::UpdateTrail {
                trail_name: trail(),
                is_multi_region_trail: Some(true),
                enable_log_file_validation: None,
                kms_key_id: None,
                cloud_watch_logs_log_group_arn: None,
                cloud_watch_logs_role_arn: None,
            },
            Action::StartLogging {
                trail_name: trail(),
            },
            Action::PutEventSelectors {
                trail_name: trail(),
                event_selectors: vec![],
            },
        ];
        let mut used: Vec<&str> = all.iter().map(Action::iam_action).collect();
        used.sort_unstable();
        assert_eq!(used, IAM_ACTIONS);
    }
}
