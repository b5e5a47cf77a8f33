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

/// An S3 Block Public Access configuration: the collector's (`S3Bucket`'s
/// `publicAccessBlock` and `accountPublicAccessBlock`).
pub use crate::collect::types::s3_bucket::PublicAccessBlock;

/// Turn on the setting of `block` the entity names `name` (`blockPublicAcls`); false
/// when the name is not a setting.
pub fn block_setting(block: &mut PublicAccessBlock, name: &str) -> bool {
    match name {
        "blockPublicAcls" => block.block_public_acls = true,
        "ignorePublicAcls" => block.ignore_public_acls = true,
        "blockPublicPolicy" => block.block_public_policy = true,
        "restrictPublicBuckets" => block.restrict_public_buckets = true,
        _ => return false,
    }
    true
}

/// An account's IAM password policy, as `UpdateAccountPasswordPolicy` takes it (it
/// replaces the policy whole: a setting not given returns to AWS's default, so an
/// update carries every setting the policy has). Deserializes from the `Iam` entity's
/// `passwordPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordPolicy {
    /// `MinimumPasswordLength`.
    #[serde(
        default,
        alias = "minPasswordLength",
        skip_serializing_if = "Option::is_none"
    )]
    pub minimum_password_length: Option<i32>,
    /// `RequireSymbols`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_symbols: Option<bool>,
    /// `RequireNumbers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_numbers: Option<bool>,
    /// `RequireUppercaseCharacters`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_uppercase_characters: Option<bool>,
    /// `RequireLowercaseCharacters`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_lowercase_characters: Option<bool>,
    /// `AllowUsersToChangePassword`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_users_to_change_password: Option<bool>,
    /// `MaxPasswordAge` (days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_password_age: Option<i32>,
    /// `PasswordReusePrevention`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_reuse_prevention: Option<i32>,
    /// `HardExpiry`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hard_expiry: Option<bool>,
}

impl PasswordPolicy {
    /// The stricter of two policies, setting by setting: the longer minimum length and
    /// reuse prevention, the shorter maximum age, a requirement either has.
    pub fn stricter(&self, o: &PasswordPolicy) -> PasswordPolicy {
        fn most(a: Option<i32>, b: Option<i32>) -> Option<i32> {
            a.max(b)
        }
        fn least(a: Option<i32>, b: Option<i32>) -> Option<i32> {
            match (a.filter(|n| *n > 0), b.filter(|n| *n > 0)) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y).or(a).or(b),
            }
        }
        fn any(a: Option<bool>, b: Option<bool>) -> Option<bool> {
            match (a, b) {
                (None, None) => None,
                (a, b) => Some(a == Some(true) || b == Some(true)),
            }
        }
        PasswordPolicy {
            minimum_password_length: most(self.minimum_password_length, o.minimum_password_length),
            require_symbols: any(self.require_symbols, o.require_symbols),
            require_numbers: any(self.require_numbers, o.require_numbers),
            require_uppercase_characters: any(
                self.require_uppercase_characters,
                o.require_uppercase_characters,
            ),
            require_lowercase_characters: any(
                self.require_lowercase_characters,
                o.require_lowercase_characters,
            ),
            allow_users_to_change_password: any(
                self.allow_users_to_change_password,
                o.allow_users_to_change_password,
            ),
            max_password_age: least(self.max_password_age, o.max_password_age),
            password_reuse_prevention: most(
                self.password_reuse_prevention,
                o.password_reuse_prevention,
            ),
            hard_expiry: any(self.hard_expiry, o.hard_expiry),
        }
    }

    /// Give the setting the entity names `name` (`minPasswordLength`) the value a
    /// rule requires; false when the name is not a setting or the value not its type.
    pub fn require(&mut self, name: &str, value: &serde_json::Value) -> bool {
        let int = || value.as_f64().map(|n| n as i32);
        let flag = || value.as_bool();
        match name {
            "minPasswordLength" => self.minimum_password_length = int(),
            "passwordReusePrevention" => self.password_reuse_prevention = int(),
            "maxPasswordAge" => self.max_password_age = int(),
            "requireSymbols" => self.require_symbols = flag(),
            "requireNumbers" => self.require_numbers = flag(),
            "requireUppercaseCharacters" => self.require_uppercase_characters = flag(),
            "requireLowercaseCharacters" => self.require_lowercase_characters = flag(),
            "allowUsersToChangePassword" => self.allow_users_to_change_password = flag(),
            "hardExpiry" => self.hard_expiry = flag(),
            _ => return false,
        }
        !value.is_null()
    }
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
    /// `s3:PutBucketPublicAccessBlock`: the bucket's whole configuration (its settings
    /// that were on stay on).
    #[serde(rename_all = "camelCase")]
    PutBucketPublicAccessBlock {
        /// The bucket.
        bucket: String,
        /// The settings it gets.
        #[serde(flatten)]
        block: PublicAccessBlock,
    },
    /// `s3:PutAccountPublicAccessBlock` (S3 Control): the account's whole configuration,
    /// for every bucket of the account.
    #[serde(rename_all = "camelCase")]
    PutAccountPublicAccessBlock {
        /// The account.
        account_id: String,
        /// The settings it gets.
        #[serde(flatten)]
        block: PublicAccessBlock,
    },
    /// `kms:EnableKeyRotation`.
    #[serde(rename_all = "camelCase")]
    EnableKeyRotation {
        /// The key's ARN.
        key_id: String,
    },
    /// `iam:UpdateAccountPasswordPolicy`: the whole policy, the existing settings kept
    /// where they are stricter than the policy requires.
    UpdateAccountPasswordPolicy(PasswordPolicy),
    /// `ec2:EnableEbsEncryptionByDefault` (per region).
    EnableEbsEncryptionByDefault,
    /// `ec2:ModifyInstanceMetadataOptions`: IMDSv2 only (`HttpTokens=required`).
    #[serde(rename_all = "camelCase")]
    ModifyInstanceMetadataOptions {
        /// The instance.
        instance_id: String,
        /// `required`.
        http_tokens: String,
    },
    /// `ec2:CreateFlowLogs` for a VPC, to the destination the user chose.
    #[serde(rename_all = "camelCase")]
    CreateFlowLogs {
        /// The VPC.
        vpc_id: String,
        /// `ALL`.
        traffic_type: String,
        /// `s3` or `cloud-watch-logs`.
        log_destination_type: String,
        /// The bucket or log group ARN (`--flow-log-destination`).
        log_destination: String,
        /// The role that delivers to a log group (`--flow-log-role`).
        #[serde(skip_serializing_if = "Option::is_none")]
        deliver_logs_permission_arn: Option<String>,
    },
    /// `securityhub:EnableSecurityHub` (per region, with the default standards).
    EnableSecurityHub,
    /// `access-analyzer:CreateAnalyzer`: an analyzer of external access for the account.
    #[serde(rename_all = "camelCase")]
    CreateAnalyzer {
        /// Its name.
        analyzer_name: String,
        /// `ACCOUNT`.
        #[serde(rename = "type")]
        analyzer_type: String,
    },
    /// `config:PutConfigurationRecorder`: a recorder of every supported resource type.
    #[serde(rename_all = "camelCase")]
    PutConfigurationRecorder {
        /// Its name (the existing recorder's, else `default`).
        name: String,
        /// The role Config records with (the recorder's, or `--config-role`).
        role_arn: String,
        /// `allSupported`.
        all_supported: bool,
        /// `includeGlobalResourceTypes` (kept as the recorder has it).
        include_global_resource_types: bool,
    },
    /// `config:PutDeliveryChannel`: where Config delivers, the bucket the user chose.
    #[serde(rename_all = "camelCase")]
    PutDeliveryChannel {
        /// Its name.
        name: String,
        /// The bucket (`--config-bucket`).
        s3_bucket_name: String,
    },
    /// `config:StartConfigurationRecorder`.
    #[serde(rename_all = "camelCase")]
    StartConfigurationRecorder {
        /// The recorder.
        name: String,
    },
}

/// The IAM actions `gsl fix --apply` may call (`docs/iam-fix-policy.json`).
pub const IAM_ACTIONS: &[&str] = &[
    "access-analyzer:CreateAnalyzer",
    "cloudtrail:PutEventSelectors",
    "cloudtrail:StartLogging",
    "cloudtrail:UpdateTrail",
    "cloudwatch:EnableAlarmActions",
    "cloudwatch:PutMetricAlarm",
    "config:PutConfigurationRecorder",
    "config:PutDeliveryChannel",
    "config:StartConfigurationRecorder",
    "ec2:CreateFlowLogs",
    "ec2:EnableEbsEncryptionByDefault",
    "ec2:ModifyInstanceMetadataOptions",
    "iam:UpdateAccountPasswordPolicy",
    "kms:EnableKeyRotation",
    "logs:PutMetricFilter",
    "s3:PutAccountPublicAccessBlock",
    "s3:PutBucketPublicAccessBlock",
    "securityhub:EnableSecurityHub",
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
            Action::PutBucketPublicAccessBlock { .. } => "s3:PutBucketPublicAccessBlock",
            Action::PutAccountPublicAccessBlock { .. } => "s3:PutAccountPublicAccessBlock",
            Action::EnableKeyRotation { .. } => "kms:EnableKeyRotation",
            Action::UpdateAccountPasswordPolicy(_) => "iam:UpdateAccountPasswordPolicy",
            Action::EnableEbsEncryptionByDefault => "ec2:EnableEbsEncryptionByDefault",
            Action::ModifyInstanceMetadataOptions { .. } => "ec2:ModifyInstanceMetadataOptions",
            Action::CreateFlowLogs { .. } => "ec2:CreateFlowLogs",
            Action::EnableSecurityHub => "securityhub:EnableSecurityHub",
            Action::CreateAnalyzer { .. } => "access-analyzer:CreateAnalyzer",
            Action::PutConfigurationRecorder { .. } => "config:PutConfigurationRecorder",
            Action::PutDeliveryChannel { .. } => "config:PutDeliveryChannel",
            Action::StartConfigurationRecorder { .. } => "config:StartConfigurationRecorder",
        }
    }

    /// What the call names: `logs:PutMetricFilter gsl-cis-aws-4-3` names the filter.
    pub fn target(&self) -> &str {
        match self {
            Action::PutMetricFilter { filter_name, .. } => filter_name,
            Action::PutMetricAlarm(a) => &a.alarm_name,
            Action::EnableAlarmActions { alarm_name } => alarm_name,
            Action::CreateTopic { name, .. } => name,
            Action::Subscribe { topic_arn, .. } => topic_arn,
            Action::UpdateTrail { trail_name, .. }
            | Action::StartLogging { trail_name }
            | Action::PutEventSelectors { trail_name, .. } => trail_name,
            Action::PutBucketPublicAccessBlock { bucket, .. } => bucket,
            Action::PutAccountPublicAccessBlock { account_id, .. } => account_id,
            Action::EnableKeyRotation { key_id } => key_id,
            Action::UpdateAccountPasswordPolicy(_) => "password policy",
            Action::EnableEbsEncryptionByDefault => "EBS encryption by default",
            Action::ModifyInstanceMetadataOptions { instance_id, .. } => instance_id,
            Action::CreateFlowLogs { vpc_id, .. } => vpc_id,
            Action::EnableSecurityHub => "Security Hub",
            Action::CreateAnalyzer { analyzer_name, .. } => analyzer_name,
            Action::PutConfigurationRecorder { name, .. }
            | Action::StartConfigurationRecorder { name } => name,
            Action::PutDeliveryChannel { name, .. } => name,
        }
    }

    /// Fold `other` into this change when both set the same object whole (one call
    /// for the account's password policy, one per bucket's public access block), so
    /// that a second call does not undo the first; false when they are different
    /// changes.
    pub fn absorb(&mut self, other: &Action) -> bool {
        match (self, other) {
            (Action::UpdateAccountPasswordPolicy(a), Action::UpdateAccountPasswordPolicy(b)) => {
                *a = a.stricter(b);
                true
            }
            (
                Action::PutBucketPublicAccessBlock { bucket, block },
                Action::PutBucketPublicAccessBlock {
                    bucket: other_bucket,
                    block: other_block,
                },
            ) if bucket == other_bucket => {
                *block = block.or(*other_block);
                true
            }
            (
                Action::PutAccountPublicAccessBlock { account_id, block },
                Action::PutAccountPublicAccessBlock {
                    account_id: other_account,
                    block: other_block,
                },
            ) if account_id == other_account => {
                *block = block.or(*other_block);
                true
            }
            _ => false,
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
            Action::PutBucketPublicAccessBlock { bucket, block } => format!(
                "block public access to bucket \"{bucket}\" ({})",
                block_words(block)
            ),
            Action::PutAccountPublicAccessBlock { account_id, block } => format!(
                "block public access to every bucket of account {account_id} ({})",
                block_words(block)
            ),
            Action::EnableKeyRotation { key_id } => {
                format!("enable yearly rotation of KMS key {key_id}")
            }
            Action::UpdateAccountPasswordPolicy(p) => {
                let mut what = Vec::new();
                if let Some(n) = p.minimum_password_length {
                    what.push(format!("minimum length {n}"));
                }
                if let Some(n) = p.password_reuse_prevention {
                    what.push(format!("remembers {n} passwords"));
                }
                if let Some(n) = p.max_password_age {
                    what.push(format!("expires after {n} days"));
                }
                if what.is_empty() {
                    "set the account's password policy".to_string()
                } else {
                    format!(
                        "set the account's password policy: {}, its other settings kept",
                        what.join(", ")
                    )
                }
            }
            Action::EnableEbsEncryptionByDefault => {
                "encrypt new EBS volumes by default".to_string()
            }
            Action::ModifyInstanceMetadataOptions { instance_id, .. } => {
                format!("require IMDSv2 (session tokens) on instance {instance_id}")
            }
            Action::CreateFlowLogs {
                vpc_id,
                log_destination,
                ..
            } => format!("log all traffic of VPC {vpc_id} to {log_destination}"),
            Action::EnableSecurityHub => "enable Security Hub".to_string(),
            Action::CreateAnalyzer { analyzer_name, .. } => format!(
                "create IAM Access Analyzer \"{analyzer_name}\" (external access, this account)"
            ),
            Action::PutConfigurationRecorder { name, .. } if exists => format!(
                "record every supported resource type with Config recorder \"{name}\""
            ),
            Action::PutConfigurationRecorder { name, .. } => format!(
                "create Config recorder \"{name}\" of every supported resource type"
            ),
            Action::PutDeliveryChannel {
                name,
                s3_bucket_name,
            } => format!(
                "create Config delivery channel \"{name}\" to bucket \"{s3_bucket_name}\""
            ),
            Action::StartConfigurationRecorder { name } => {
                format!("start Config recorder \"{name}\"")
            }
        }
    }
}

/// The settings of a public access block that are on, in words.
fn block_words(b: &PublicAccessBlock) -> String {
    let on: Vec<&str> = [
        (b.block_public_acls, "BlockPublicAcls"),
        (b.ignore_public_acls, "IgnorePublicAcls"),
        (b.block_public_policy, "BlockPublicPolicy"),
        (b.restrict_public_buckets, "RestrictPublicBuckets"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    on.join(", ")
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
            Action::PutBucketPublicAccessBlock {
                bucket: "b".into(),
                block: PublicAccessBlock::default(),
            },
            Action::PutAccountPublicAccessBlock {
                account_id: "1".into(),
                block: PublicAccessBlock::default(),
            },
            Action::EnableKeyRotation { key_id: "k".into() },
            Action::UpdateAccountPasswordPolicy(PasswordPolicy::default()),
            Action::EnableEbsEncryptionByDefault,
            Action::ModifyInstanceMetadataOptions {
                instance_id: "i".into(),
                http_tokens: "required".into(),
            },
            Action::CreateFlowLogs {
                vpc_id: "v".into(),
                traffic_type: "ALL".into(),
                log_destination_type: "s3".into(),
                log_destination: "arn:aws:s3:::b".into(),
                deliver_logs_permission_arn: None,
            },
            Action::EnableSecurityHub,
            Action::CreateAnalyzer {
                analyzer_name: "a".into(),
                analyzer_type: "ACCOUNT".into(),
            },
            Action::PutConfigurationRecorder {
                name: "default".into(),
                role_arn: "arn".into(),
                all_supported: true,
                include_global_resource_types: false,
            },
            Action::PutDeliveryChannel {
                name: "default".into(),
                s3_bucket_name: "b".into(),
            },
            Action::StartConfigurationRecorder {
                name: "default".into(),
            },
        ];
        let mut used: Vec<&str> = all.iter().map(Action::iam_action).collect();
        used.sort_unstable();
        assert_eq!(used, IAM_ACTIONS);
    }
}

#[cfg(test)]
mod merge_tests {
    use super::*;

    #[test]
    fn two_password_policy_changes_become_the_stricter_one() {
        let mut a = Action::UpdateAccountPasswordPolicy(PasswordPolicy {
            minimum_password_length: Some(14),
            password_reuse_prevention: Some(5),
            require_symbols: Some(true),
            ..PasswordPolicy::default()
        });
        let b = Action::UpdateAccountPasswordPolicy(PasswordPolicy {
            minimum_password_length: Some(8),
            password_reuse_prevention: Some(24),
            max_password_age: Some(90),
            ..PasswordPolicy::default()
        });
        assert!(a.absorb(&b));
        assert_eq!(
            a,
            Action::UpdateAccountPasswordPolicy(PasswordPolicy {
                minimum_password_length: Some(14),
                password_reuse_prevention: Some(24),
                require_symbols: Some(true),
                max_password_age: Some(90),
                ..PasswordPolicy::default()
            })
        );
    }

    #[test]
    fn public_access_blocks_merge_per_bucket_only() {
        let block = |name: &str| {
            let mut b = PublicAccessBlock::default();
            assert!(block_setting(&mut b, name));
            b
        };
        let mut a = Action::PutBucketPublicAccessBlock {
            bucket: "x".into(),
            block: block("blockPublicAcls"),
        };
        assert!(!a.absorb(&Action::PutBucketPublicAccessBlock {
            bucket: "y".into(),
            block: block("ignorePublicAcls"),
        }));
        assert!(a.absorb(&Action::PutBucketPublicAccessBlock {
            bucket: "x".into(),
            block: block("restrictPublicBuckets"),
        }));
        let Action::PutBucketPublicAccessBlock { block: b, .. } = a else {
            unreachable!()
        };
        assert!(b.block_public_acls && b.restrict_public_buckets && !b.ignore_public_acls);
        assert!(!block_setting(
            &mut PublicAccessBlock::default(),
            "isPublic"
        ));
    }
}
