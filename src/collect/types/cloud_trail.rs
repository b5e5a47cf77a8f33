//! `CloudTrail`: one entity per trail ARN, in CloudGuard's shape: the alarm chain
//! trail → log group → metric filters → transformations → alarms → actions → SNS
//! subscriptions is nested inside each trail (through the [`super::metric_filter`],
//! [`super::cloud_watch_alarm`] and [`super::sns_topic`] modules).
//!
//! Its listing (`DescribeTrails` with shadow trails) is also the walk's region probe:
//! a region that rejects it as not enabled is skipped.

use super::cloud_watch_alarm::{self, Chain};
use super::s3_bucket;
use super::sns_topic;
use super::metric_filter::{self, Filters, MetricFilterRecord};
use super::{object, to_json, Call, Collected, EntityType, Scope, When};
use crate::collect::plan::Issue;
use crate::collect::types::log_group::parse_log_group_arn;
use crate::collect::{graph, Service};
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use PropType::{Boolean as B, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "CloudTrail",
    about: "One entity per trail ARN; a multi-region trail seen in several regions (shadow trails) appears once, with\n`region` = its home region.",
    calls: &[
        DESCRIBE_TRAILS,
        Call {
            service: Service::CloudTrail,
            operation: "GetTrailStatus",
            scope: Scope::Each("trail, in its home region"),
            paged: false,
        },
        Call {
            service: Service::CloudTrail,
            operation: "GetEventSelectors",
            scope: Scope::Each("trail, in its home region"),
            paged: false,
        },
        Call {
            service: Service::CloudTrail,
            operation: "ListTags",
            scope: Scope::Each("20 trails of a home region"),
            paged: true,
        },
    ],
    reads: &[
        metric_filter::DESCRIBE_METRIC_FILTERS.read(When::Always),
        cloud_watch_alarm::DESCRIBE_ALARMS.read(When::Always),
        sns_topic::LIST_SUBSCRIPTIONS.read(When::OnChain),
        s3_bucket::JOINED[0],
        s3_bucket::JOINED[1],
        s3_bucket::JOINED[2],
        s3_bucket::JOINED[3],
        s3_bucket::JOINED[4],
        s3_bucket::JOINED[5],
        s3_bucket::JOINED[6],
    ],
    properties: PROPERTIES,
    tables: &[
        ("status", "`status` (`GetTrailStatus`):"),
        (
            "s3Bucket",
            "`s3Bucket` (the `S3Bucket` named by `s3BucketName`, from its module):",
        ),
        (
            "s3DataEvents",
            "`s3DataEvents` (derived from `eventSelectors` and `advancedEventSelectors`):",
        ),
    ],
    build,
};

/// The listing of each region (with shadow trails), also the walk's region probe.
pub const DESCRIBE_TRAILS: Call = Call {
    service: Service::CloudTrail,
    operation: "DescribeTrails",
    scope: Scope::Region,
    paged: false,
};

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`DescribeTrails` `TrailARN`",
        "`\"CloudTrail\"`",
        "`Name`",
        "`HomeRegion` (the ARN's region if absent)",
    ),
    OWN,
);

const STATUS: &[Property] = &[
    n("isLogging", B, "`IsLogging`"),
    n("latestDeliveryTime", T, "`LatestDeliveryTime`"),
    n(
        "latestCloudWatchLogsDeliveryTime",
        T,
        "`LatestCloudWatchLogsDeliveryTime`",
    ),
    n("latestDeliveryError", S, "`LatestDeliveryError`"),
    n(
        "latestCloudWatchLogsDeliveryError",
        S,
        "`LatestCloudWatchLogsDeliveryError`",
    ),
    n("startLoggingTime", T, "`StartLoggingTime`"),
    n("stopLoggingTime", T, "`StopLoggingTime`"),
    n("latestDigestDeliveryTime", T, "`LatestDigestDeliveryTime`"),
    n("latestDigestDeliveryError", S, "`LatestDigestDeliveryError`"),
    n("latestNotificationTime", T, "`LatestNotificationTime`"),
    n("latestNotificationError", S, "`LatestNotificationError`"),
];

const DATA_RESOURCE: &[Property] = &[n("type", S, "`Type`"), p("values", STRINGS, "`Values`")];

const EVENT_SELECTOR: &[Property] = &[
    n("readWriteType", S, "`ReadWriteType`"),
    n("includeManagementEvents", B, "`IncludeManagementEvents`"),
    p(
        "dataResources",
        PropType::List(&PropType::Object(DATA_RESOURCE)),
        "`DataResources`",
    ),
    p(
        "excludeManagementEventSources",
        STRINGS,
        "`ExcludeManagementEventSources`",
    ),
];

const FIELD_SELECTOR: &[Property] = &[
    p("field", S, "`Field`"),
    p("equals", STRINGS, "`Equals`"),
    p("startsWith", STRINGS, "`StartsWith`"),
    p("endsWith", STRINGS, "`EndsWith`"),
    p("notEquals", STRINGS, "`NotEquals`"),
    p("notStartsWith", STRINGS, "`NotStartsWith`"),
    p("notEndsWith", STRINGS, "`NotEndsWith`"),
];

const ADVANCED_SELECTOR: &[Property] = &[
    n("name", S, "`Name`"),
    p(
        "fieldSelectors",
        PropType::List(&PropType::Object(FIELD_SELECTOR)),
        "`FieldSelectors`",
    ),
];

/// A resource tag as an entity writes it (`{key, value}`).
pub const TAG: &[Property] = &[p("key", S, "`Key`"), n("value", S, "`Value`")];

/// What a trail shows of its bucket.
const BUCKET: &[Property] = &[
    p("name", S, "the bucket's `name`"),
    p("region", S, "the bucket's `region`"),
    p("isPublic", B, "the bucket's `isPublic`"),
    n(
        "logging",
        PropType::Object(&[
            p("enabled", B, "the bucket's `logging.enabled`"),
            n("targetBucketName", S, "the bucket's `logging.targetBucketName`"),
            n("targetPrefix", S, "the bucket's `logging.targetPrefix`"),
        ]),
        "the bucket's `logging` (server access logging)",
    ),
];

/// The S3 object-level events a trail logs for every bucket.
const DATA_EVENTS: &[Property] = &[
    p(
        "read",
        B,
        "read events of every bucket: a selector with `AWS::S3::Object` data resources for all buckets (`arn:aws:s3`, `arn:aws:s3:::`) and `readWriteType` `All` or `ReadOnly`, or an advanced selector with `eventCategory` = `Data`, `resources.type` = `AWS::S3::Object`, no other restriction than `readOnly` = `true`, or `resources.ARN` starting with all buckets",
    ),
    p(
        "write",
        B,
        "write events of every bucket: the same with `WriteOnly` (advanced: `readOnly` absent or `false`)",
    ),
];

/// A metric filter on a log group no multi-region logging trail delivers to, as listed
/// in every trail's `undeliveredMetricFilters[]`: the filter core plus where it is and
/// why it is not delivered.
const UNDELIVERED_FILTER: &[Property] =
    &join::<{ metric_filter::CORE.len() + UNDELIVERED.len() }>(metric_filter::CORE, UNDELIVERED);

/// What `undeliveredMetricFilters[]` adds to the filter core.
const UNDELIVERED: &[Property] = &[
    p("region", S, "the log group's region"),
    p("deliveredByMultiRegionTrail", S, "always `\"false\"`"),
    p("deliveredByMultiRegionTrailReason", S, "why"),
];

/// What a `CloudTrail` has besides its identity.
const OWN: &[Property] = &[
    n("trailArn", S, "`TrailARN`"),
    n("homeRegion", S, "`HomeRegion`"),
    n("isMultiRegionTrail", B, "`IsMultiRegionTrail`"),
    n("isOrganizationTrail", B, "`IsOrganizationTrail`"),
    p(
        "ownerAccountNumber",
        S,
        "the account of `TrailARN` (derived): the management account for an organization trail seen from a member",
    ),
    p(
        "coversThisAccountFromOrganization",
        B,
        "derived: an organization trail owned by another account (it logs this account's events; CIS 3.1 / 4.x read \"a multi-region trail is enabled\" as satisfied by it, and the metric-filter chain lives in the owner's log group)",
    ),
    n("includeGlobalServiceEvents", B, "`IncludeGlobalServiceEvents`"),
    n("logFileValidationEnabled", B, "`LogFileValidationEnabled`"),
    n("kmsKeyId", S, "`KmsKeyId`"),
    n("s3BucketName", S, "`S3BucketName`"),
    n("s3KeyPrefix", S, "`S3KeyPrefix`"),
    n("snsTopicName", S, "`SnsTopicName` (deprecated by AWS)"),
    n(
        "snsTopicArn",
        S,
        "`SnsTopicARN` — the trail's delivery-notification topic, unrelated to alarms",
    ),
    n("cloudWatchLogsLogGroupArn", S, "`CloudWatchLogsLogGroupArn`"),
    n("cloudWatchLogsRoleArn", S, "`CloudWatchLogsRoleArn`"),
    n("hasCustomEventSelectors", B, "`HasCustomEventSelectors`"),
    n("hasInsightSelectors", B, "`HasInsightSelectors`"),
    n(
        "status",
        PropType::Object(STATUS),
        "`GetTrailStatus` (below); null if the call failed",
    ),
    n(
        "eventSelectors",
        PropType::List(&PropType::Object(EVENT_SELECTOR)),
        "`GetEventSelectors` `EventSelectors` (below)",
    ),
    n(
        "advancedEventSelectors",
        PropType::List(&PropType::Object(ADVANCED_SELECTOR)),
        "`GetEventSelectors` `AdvancedEventSelectors` (below)",
    ),
    p(
        "metricFilters",
        PropType::List(&PropType::Object(metric_filter::CORE)),
        "the metric filters of the log group in `cloudWatchLogsLogGroupArn` (same shape as the `MetricFilter` entity without the identity properties); `[]` without a log group",
    ),
    p(
        "undeliveredMetricFilters",
        PropType::List(&PropType::Object(UNDELIVERED_FILTER)),
        "derived, the same on every trail of the account: the metric filters (of every collected region) on log groups that **no** multi-region, logging trail delivers to, shaped as `metricFilters[]` plus `region`, `deliveredByMultiRegionTrail` (always `\"false\"`) and `deliveredByMultiRegionTrailReason` (`no multi-region logging trail delivers to log group \"G\" (region)`, and for each trail that does deliver there, `trail \"T\" does, but is not multi-region and not logging`). The CIS chains test it so that a failure names a filter with the right pattern in the wrong place; it never makes a chain pass",
    ),
    p("hasSNSSubscriber", S, "derived, see above"),
    n(
        "s3Bucket",
        PropType::Object(BUCKET),
        "derived: the `S3Bucket` the trail delivers to (below); null when the account has no such bucket (another account's, or gone)",
    ),
    n(
        "s3DataEvents",
        PropType::Object(DATA_EVENTS),
        "derived: whether the trail logs S3 object-level read and write events of every bucket (below); null if `GetEventSelectors` failed",
    ),
    n(
        "tags",
        PropType::List(&PropType::Object(TAG)),
        "`ListTags`: `{key, value}`",
    ),
];

/// The records: one trail and the data fetched for it.
pub type Record = TrailData;

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

fn build(c: &Collected) -> Vec<Json> {
    let chain = Chain::new(c);
    let filters = Filters::new(&c.metric_filters);
    let mut trails: Vec<&TrailData> = c.trails.iter().collect();
    trails.sort_by(|a, b| a.trail.trail_arn.cmp(&b.trail.trail_arn));
    // Only this account's log groups were collected.
    let group_of = |t: &TrailData| {
        t.trail
            .cloud_watch_logs_log_group_arn
            .as_deref()
            .filter(|arn| graph::arn_account(arn).is_none_or(|a| a == c.account_number))
            .and_then(parse_log_group_arn)
    };
    // The filters on log groups no multi-region, logging trail delivers to (on every
    // trail, so a CIS chain can name a filter with the right pattern in the wrong place).
    let counts = |t: &TrailData| {
        t.trail.is_multi_region_trail == Some(true)
            && t.status.as_ref().and_then(|s| s.is_logging) == Some(true)
    };
    let undelivered: Vec<Json> = filters
        .sorted
        .iter()
        .filter_map(|f| {
            let here = |t: &&&TrailData| {
                group_of(t).is_some_and(|(r, n)| r == f.region && n == f.log_group_name)
            };
            if trails.iter().filter(here).any(|t| counts(t)) {
                return None;
            }
            let others: Vec<String> = trails
                .iter()
                .filter(here)
                .map(|t| {
                    let name = t.trail.name.as_deref().unwrap_or_default();
                    let mut not = Vec::new();
                    if t.trail.is_multi_region_trail != Some(true) {
                        not.push("not multi-region");
                    }
                    if t.status.as_ref().and_then(|s| s.is_logging) != Some(true) {
                        not.push("not logging");
                    }
                    format!("trail \"{name}\" does, but is {}", not.join(" and "))
                })
                .collect();
            let mut reason = format!(
                "no multi-region logging trail delivers to log group \"{}\" ({})",
                f.log_group_name, f.region
            );
            if !others.is_empty() {
                reason = format!("{reason}: {}", others.join("; "));
            }
            let mut m = metric_filter::core(&chain, f);
            m.insert("region".into(), json!(f.region));
            m.insert("deliveredByMultiRegionTrail".into(), super::flag(false));
            m.insert("deliveredByMultiRegionTrailReason".into(), json!(reason));
            Some(Json::Object(m))
        })
        .collect();
    trails
        .iter()
        .map(|t| {
            let group_filters = group_of(t)
                .map(|(region, name)| filters.of_group(&region, &name).to_vec())
                .unwrap_or_default();
            let mut trail = entity(c, &chain, t, &group_filters);
            if let Some(m) = trail.as_object_mut() {
                m.insert(
                    "undeliveredMetricFilters".into(),
                    Json::Array(undelivered.clone()),
                );
            }
            trail
        })
        .collect()
}

fn entity(
    c: &Collected,
    chain: &Chain<'_>,
    t: &TrailData,
    filters: &[&MetricFilterRecord],
) -> Json {
    let r = &t.trail;
    let arn = r.trail_arn.clone().unwrap_or_default();
    let region = r
        .home_region
        .clone()
        .or_else(|| graph::arn_region(&arn).map(str::to_string))
        .unwrap_or_default();
    let name = r.name.clone().unwrap_or_default();
    let mut m = super::identity(&arn, TYPE.name, &name, chain.account, &region);
    m.extend(object(r));
    // The account that owns the trail: an organization trail seen from a member
    // account is the management account's, and covers the member.
    let owner = graph::arn_account(&arn).unwrap_or(chain.account);
    m.insert("ownerAccountNumber".into(), json!(owner));
    m.insert(
        "coversThisAccountFromOrganization".into(),
        json!(owner != chain.account && r.is_organization_trail == Some(true)),
    );
    m.insert("status".into(), to_json(&t.status));
    m.insert("eventSelectors".into(), to_json(&t.event_selectors));
    m.insert(
        "advancedEventSelectors".into(),
        to_json(&t.advanced_event_selectors),
    );
    let filter_json: Vec<Json> = filters
        .iter()
        .map(|f| Json::Object(metric_filter::core(chain, f)))
        .collect();
    let notifies = filters.iter().any(|f| metric_filter::notifies(chain, f));
    m.insert("metricFilters".into(), Json::Array(filter_json));
    m.insert("hasSNSSubscriber".into(), super::flag(notifies));
    m.insert(
        "s3Bucket".into(),
        r.s3_bucket_name
            .as_deref()
            .and_then(|b| s3_bucket::trail_bucket(c, b))
            .unwrap_or(Json::Null),
    );
    m.insert(
        "s3DataEvents".into(),
        match s3_data_events(t) {
            Some((read, write)) => json!({"read": read, "write": write}),
            None => Json::Null,
        },
    );
    m.insert("tags".into(), to_json(&t.tags));
    Json::Object(m)
}

/// Whether `values` of an S3 object data resource name every bucket.
fn all_buckets(value: &str) -> bool {
    let v = value.trim_end_matches('/');
    v.strip_prefix("arn:")
        .and_then(|rest| rest.split_once(':'))
        .is_some_and(|(_, rest)| rest == "s3" || rest == "s3:::")
}

/// (read, write): the trail logs S3 object-level read / write events of every bucket;
/// `None` when its selectors were not collected.
pub fn s3_data_events(t: &TrailData) -> Option<(bool, bool)> {
    let basic = t.event_selectors.as_ref()?;
    let advanced = t.advanced_event_selectors.as_ref()?;
    let (mut read, mut write) = (false, false);
    for e in basic {
        let covers = e.data_resources.iter().any(|d| {
            d.resource_type.as_deref() == Some("AWS::S3::Object")
                && d.values.iter().any(|v| all_buckets(v))
        });
        if covers {
            let rw = e.read_write_type.as_deref().unwrap_or("All");
            read |= rw == "All" || rw == "ReadOnly";
            write |= rw == "All" || rw == "WriteOnly";
        }
    }
    for a in advanced {
        let only = |f: &AdvancedFieldSelector, value: &str| {
            f.equals == [value]
                && f.starts_with.is_empty()
                && f.ends_with.is_empty()
                && f.not_equals.is_empty()
                && f.not_starts_with.is_empty()
                && f.not_ends_with.is_empty()
        };
        let mut data = false;
        let mut objects = false;
        let mut restricted = false;
        let (mut r, mut w) = (true, true);
        for f in &a.field_selectors {
            match f.field.as_str() {
                "eventCategory" => data = only(f, "Data"),
                "resources.type" => objects = only(f, "AWS::S3::Object"),
                "readOnly" if only(f, "true") => w = false,
                "readOnly" if only(f, "false") => r = false,
                "resources.ARN"
                    if f.equals.is_empty()
                        && f.ends_with.is_empty()
                        && f.not_equals.is_empty()
                        && f.not_starts_with.is_empty()
                        && f.not_ends_with.is_empty()
                        && !f.starts_with.is_empty()
                        && f.starts_with.iter().all(|v| all_buckets(v)) => {}
                _ => restricted = true,
            }
        }
        if data && objects && !restricted {
            read |= r;
            write |= w;
        }
    }
    Some((read, write))
}

/// CloudTrail ListTags takes at most this many trail ARNs a call.
pub const TAGS_PER_CALL: usize = 20;

/// A trail to collect, in the region that owns it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedTrail {
    /// As DescribeTrails returned it (first region that listed it).
    pub trail: TrailRecord,
    /// The trail's home region: `HomeRegion`, else its ARN's region, else the region
    /// that listed it. Per-trail calls go there.
    pub home: String,
}

impl PlannedTrail {
    /// The trail's ARN (every planned trail has one).
    pub fn arn(&self) -> &str {
        self.trail.trail_arn.as_deref().unwrap_or_default()
    }
}

/// The home region of a trail listed in `seen_in`.
pub fn home_region(seen_in: &str, t: &TrailRecord) -> String {
    t.home_region
        .clone()
        .or_else(|| {
            t.trail_arn
                .as_deref()
                .and_then(graph::arn_region)
                .map(str::to_string)
        })
        .unwrap_or_else(|| seen_in.to_string())
}

/// One trail per ARN from each region's DescribeTrails (shadow copies of a
/// multi-region trail are the same trail; the first region listed wins). A trail
/// without an ARN cannot be told apart from another nor asked for its status: it is
/// an issue, never merged. A trail without a name is kept (its ARN names it) and is
/// an issue too.
pub fn plan(listed: &[(String, Vec<TrailRecord>)]) -> (Vec<PlannedTrail>, Vec<Issue>) {
    let mut out: BTreeMap<String, PlannedTrail> = BTreeMap::new();
    let mut issues = Vec::new();
    for (region, list) in listed {
        for t in list {
            let Some(arn) = t.trail_arn.clone().filter(|a| !a.is_empty()) else {
                issues.push(Issue {
                    region: Some(region.clone()),
                    service: Service::CloudTrail,
                    operation: "DescribeTrails",
                    code: "MissingTrailArn".into(),
                    message: format!(
                        "DescribeTrails in {region} listed a trail {} without a TrailARN; it cannot be identified, so its data is not in the snapshot",
                        t.name.as_deref().map_or("(no name)".to_string(), |n| format!("{n:?}"))
                    ),
                    on_chain: true,
                });
                continue;
            };
            if out.contains_key(&arn) {
                continue;
            }
            if t.name.as_deref().is_none_or(str::is_empty) {
                issues.push(Issue {
                    region: Some(region.clone()),
                    service: Service::CloudTrail,
                    operation: "DescribeTrails",
                    code: "MissingTrailName".into(),
                    message: format!(
                        "DescribeTrails in {region} listed the trail {arn} without a name"
                    ),
                    on_chain: false,
                });
            }
            out.insert(
                arn,
                PlannedTrail {
                    home: home_region(region, t),
                    trail: t.clone(),
                },
            );
        }
    }
    (out.into_values().collect(), issues)
}

/// ListTags calls: per home region, the trail ARNs in batches of [`TAGS_PER_CALL`].
pub fn tag_batches(trails: &[PlannedTrail]) -> Vec<(String, Vec<String>)> {
    let mut by_region: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for t in trails {
        by_region
            .entry(t.home.as_str())
            .or_default()
            .push(t.arn().to_string());
    }
    by_region
        .into_iter()
        .flat_map(|(region, arns)| {
            arns.chunks(TAGS_PER_CALL)
                .map(|c| (region.to_string(), c.to_vec()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Records with every field set (A trail with every field set, delivering to the example log group `g`.), joined with the other types' examples into
/// one account by the tests that hold the schema to what `build` writes
/// (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "trails": [
  {
   "trail": {
    "name": "t",
    "trailArn": "arn:aws:cloudtrail:us-east-1:111111111111:trail/t",
    "homeRegion": "us-east-1",
    "isMultiRegionTrail": true,
    "isOrganizationTrail": false,
    "includeGlobalServiceEvents": true,
    "logFileValidationEnabled": true,
    "kmsKeyId": "k",
    "s3BucketName": "b",
    "s3KeyPrefix": "p",
    "snsTopicName": "n",
    "snsTopicArn": "arn:aws:sns:us-east-1:111111111111:n",
    "cloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:111111111111:log-group:g:*",
    "cloudWatchLogsRoleArn": "arn:aws:iam::111111111111:role/r",
    "hasCustomEventSelectors": true,
    "hasInsightSelectors": false
   },
   "status": {
    "isLogging": true,
    "latestDeliveryTime": "2026-01-01T00:00:00Z",
    "latestCloudWatchLogsDeliveryTime": "2026-01-01T00:00:00Z",
    "latestDeliveryError": "e",
    "latestCloudWatchLogsDeliveryError": "e",
    "startLoggingTime": "2026-01-01T00:00:00Z",
    "stopLoggingTime": "2026-01-01T00:00:00Z",
    "latestDigestDeliveryTime": "2026-01-01T00:00:00Z",
    "latestDigestDeliveryError": "e",
    "latestNotificationTime": "2026-01-01T00:00:00Z",
    "latestNotificationError": "e"
   },
   "eventSelectors": [
    {
     "readWriteType": "All",
     "includeManagementEvents": true,
     "dataResources": [
      {
       "type": "AWS::S3::Object",
       "values": [
        "arn:aws:s3"
       ]
      }
     ],
     "excludeManagementEventSources": [
      "kms.amazonaws.com"
     ]
    }
   ],
   "advancedEventSelectors": [
    {
     "name": "a",
     "fieldSelectors": [
      {
       "field": "eventCategory",
       "equals": [
        "Management"
       ],
       "startsWith": [
        "x"
       ],
       "endsWith": [
        "x"
       ],
       "notEquals": [
        "x"
       ],
       "notStartsWith": [
        "x"
       ],
       "notEndsWith": [
        "x"
       ]
      }
     ]
    }
   ],
   "tags": [
    {
     "key": "k",
     "value": "v"
    }
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::{planned, Fetcher};

#[cfg(feature = "aws")]
mod fetch {
    use super::{
        plan, tag_batches, AdvancedEventSelector, AdvancedFieldSelector, DataResource,
        EventSelector, PlannedTrail, Tag, TrailData, TrailRecord, TrailStatus, TYPE,
    };
    use crate::collect::call::Session;
    use crate::collect::convert::{owned, timestamp};
    use crate::collect::regions::is_region_disabled_code;
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_cloudtrail::operation::get_trail_status::GetTrailStatusOutput;
    use aws_sdk_cloudtrail::types as ct;
    use aws_sdk_cloudtrail::Client;
    use futures::future::{join_all, BoxFuture};
    use std::collections::HashMap;

    /// DescribeTrails per region (the region probe); then per trail its status,
    /// selectors and tags, in its home region.
    pub(crate) struct Fetcher;

    /// What DescribeTrails listed, by region (a failed region is absent).
    type Listed = HashMap<String, Vec<TrailRecord>>;

    /// The walk's trails, one per ARN, with their home regions (the issues of the
    /// listing are recorded once, by the trails' own stage).
    pub(crate) fn planned(w: &Walk<'_>) -> Vec<PlannedTrail> {
        plan(&listed(w)).0
    }

    fn listed(w: &Walk<'_>) -> Vec<(String, Vec<TrailRecord>)> {
        w.in_region_order(w.cloned::<Listed>(TYPE.name))
    }

    impl Fetch for Fetcher {

        fn probes(&self) -> bool {
            true
        }

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let result = w
                    .s
                    .call(
                        Service::CloudTrail,
                        "DescribeTrails",
                        client.describe_trails().include_shadow_trails(true).send(),
                    )
                    .await;
                match result {
                    Ok(out) => {
                        let list = out.trail_list().iter().map(trail).collect();
                        w.update::<Listed>(TYPE.name, |l| {
                            l.insert(region.to_string(), list);
                        });
                        true
                    }
                    Err(f) if w.probe(region) && is_region_disabled_code(&f.code) => false,
                    Err(f) => {
                        w.s.record(region, Service::CloudTrail, "DescribeTrails", f, true);
                        true
                    }
                }
            })
        }

        fn account<'a>(&'a self, w: &'a Walk<'a>) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                let s = w.s;
                let (trails, issues) = plan(&listed(w));
                issues.into_iter().for_each(|i| s.issue(i));
                let batches = tag_batches(&trails);
                let details = join_all(trails.iter().map(|t| details(s, t)));
                let tags = join_all(
                    batches
                        .iter()
                        .map(|(region, arns)| list_tags(s, region, arns)),
                );
                let (details, tags) = futures::join!(details, tags);
                let tag_map: HashMap<String, Vec<Tag>> = tags.into_iter().flatten().collect();
                let trails: Vec<TrailData> = trails
                    .iter()
                    .zip(details)
                    .map(|(t, mut data)| {
                        data.tags = tag_map.get(t.arn()).cloned().or_else(|| {
                            // ListTags answered but left this trail out: it has no tags.
                            s.answered(&t.home, "ListTags").then(Vec::new)
                        });
                        data
                    })
                    .collect();
                w.write(|c| c.trails = trails);
            })
        }
    }

    /// GetTrailStatus and GetEventSelectors in the trail's home region.
    async fn details(s: &Session, t: &PlannedTrail) -> TrailData {
        let client: Client = s.client(&t.home);
        let arn = t.arn();
        let status = s.call(
            Service::CloudTrail,
            "GetTrailStatus",
            client.get_trail_status().name(arn).send(),
        );
        let selectors = s.call(
            Service::CloudTrail,
            "GetEventSelectors",
            client.get_event_selectors().trail_name(arn).send(),
        );
        let (status, selectors) = futures::join!(status, selectors);
        let status = match status {
            Ok(out) => Some(trail_status(&out)),
            Err(f) => {
                s.record(&t.home, Service::CloudTrail, "GetTrailStatus", f, true);
                None
            }
        };
        let (event_selectors, advanced_event_selectors) = match selectors {
            Ok(out) => (
                Some(out.event_selectors().iter().map(event_selector).collect()),
                Some(
                    out.advanced_event_selectors()
                        .iter()
                        .map(advanced_event_selector)
                        .collect(),
                ),
            ),
            Err(f) => {
                s.record(&t.home, Service::CloudTrail, "GetEventSelectors", f, true);
                (None, None)
            }
        };
        TrailData {
            trail: t.trail.clone(),
            status,
            event_selectors,
            advanced_event_selectors,
            tags: None,
        }
    }

    /// ListTags of up to 20 trails of one region: (ARN, tags) for each trail answered.
    async fn list_tags(s: &Session, region: &str, arns: &[String]) -> Vec<(String, Vec<Tag>)> {
        let client: Client = s.client(region);
        let mut out = Vec::new();
        let result = s
            .paginate(
                Service::CloudTrail,
                "ListTags",
                |token| {
                    client
                        .list_tags()
                        .set_resource_id_list(Some(arns.to_vec()))
                        .set_next_token(token)
                        .send()
                },
                |p| {
                    for rt in p.resource_tag_list() {
                        if let Some(id) = rt.resource_id() {
                            out.push((id.to_string(), rt.tags_list().iter().map(tag).collect()));
                        }
                    }
                    p.next_token().map(str::to_string)
                },
            )
            .await;
        if let Err(f) = result {
            s.record(region, Service::CloudTrail, "ListTags", f, false);
        }
        out
    }

    /// DescribeTrails `Trail`.
    pub(crate) fn trail(t: &ct::Trail) -> TrailRecord {
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
    fn trail_status(s: &GetTrailStatusOutput) -> TrailStatus {
        TrailStatus {
            is_logging: s.is_logging(),
            latest_delivery_time: timestamp(s.latest_delivery_time()),
            latest_cloud_watch_logs_delivery_time: timestamp(
                s.latest_cloud_watch_logs_delivery_time(),
            ),
            latest_delivery_error: owned(s.latest_delivery_error()),
            latest_cloud_watch_logs_delivery_error: owned(
                s.latest_cloud_watch_logs_delivery_error(),
            ),
            start_logging_time: timestamp(s.start_logging_time()),
            stop_logging_time: timestamp(s.stop_logging_time()),
            latest_digest_delivery_time: timestamp(s.latest_digest_delivery_time()),
            latest_digest_delivery_error: owned(s.latest_digest_delivery_error()),
            latest_notification_time: timestamp(s.latest_notification_time()),
            latest_notification_error: owned(s.latest_notification_error()),
        }
    }

    /// GetEventSelectors `EventSelectors[]` item.
    pub(crate) fn event_selector(e: &ct::EventSelector) -> EventSelector {
        EventSelector {
            read_write_type: e.read_write_type().map(|r| r.as_str().to_string()),
            include_management_events: e.include_management_events(),
            data_resources: e
                .data_resources()
                .iter()
                .map(|d| DataResource {
                    resource_type: owned(d.r#type()),
                    values: d.values().to_vec(),
                })
                .collect(),
            exclude_management_event_sources: e.exclude_management_event_sources().to_vec(),
        }
    }

    /// GetEventSelectors `AdvancedEventSelectors[]` item.
    fn advanced_event_selector(a: &ct::AdvancedEventSelector) -> AdvancedEventSelector {
        AdvancedEventSelector {
            name: owned(a.name()),
            field_selectors: a
                .field_selectors()
                .iter()
                .map(|f| AdvancedFieldSelector {
                    field: f.field().to_string(),
                    equals: f.equals().to_vec(),
                    starts_with: f.starts_with().to_vec(),
                    ends_with: f.ends_with().to_vec(),
                    not_equals: f.not_equals().to_vec(),
                    not_starts_with: f.not_starts_with().to_vec(),
                    not_ends_with: f.not_ends_with().to_vec(),
                })
                .collect(),
        }
    }

    /// CloudTrail ListTags `TagsList[]` item.
    fn tag(t: &ct::Tag) -> Tag {
        Tag {
            key: t.key().to_string(),
            value: owned(t.value()),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn selectors() {
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "123456789012";

    fn trail(name: Option<&str>, arn: Option<&str>, home: Option<&str>) -> TrailRecord {
        TrailRecord {
            name: name.map(str::to_string),
            trail_arn: arn.map(str::to_string),
            home_region: home.map(str::to_string),
            ..Default::default()
        }
    }

    const MAIN: &str = "arn:aws:cloudtrail:us-east-1:123456789012:trail/main";

    #[test]
    fn shadow_trails_are_one_trail_in_their_home_region() {
        let shadow = trail(Some("main"), Some(MAIN), Some("us-east-1"));
        let (planned, issues) = plan(&[
            ("eu-west-1".into(), vec![shadow.clone()]),
            ("us-east-1".into(), vec![shadow]),
        ]);
        assert!(issues.is_empty());
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].home, "us-east-1");
        assert_eq!(planned[0].arn(), MAIN);
    }

    #[test]
    fn home_region_falls_back_to_the_arn_then_the_listing_region() {
        assert_eq!(
            home_region("eu-west-1", &trail(None, Some(MAIN), None)),
            "us-east-1"
        );
        assert_eq!(
            home_region("eu-west-1", &trail(None, None, None)),
            "eu-west-1"
        );
        assert_eq!(
            home_region("eu-west-1", &trail(None, Some(MAIN), Some("ap-south-1"))),
            "ap-south-1"
        );
    }

    #[test]
    fn a_trail_without_arn_is_an_issue_never_merged() {
        let (planned, issues) = plan(&[(
            "us-east-1".into(),
            vec![
                trail(Some("a"), None, None),
                trail(Some("b"), None, None),
                trail(None, Some(""), None),
            ],
        )]);
        assert!(planned.is_empty());
        assert_eq!(issues.len(), 3, "{issues:#?}");
        assert!(issues.iter().all(|i| i.code == "MissingTrailArn"));
        assert!(issues[0].message.contains("\"a\""), "{}", issues[0].message);
        let e = issues[0].clone().into_error(ACCOUNT);
        assert_eq!(
            e.entity_types,
            vec!["CloudTrail", "LogGroup", "MetricFilter"]
        );
        assert_eq!(e.service, "cloudtrail");
        assert_eq!(e.account_number, ACCOUNT);
    }

    #[test]
    fn a_trail_without_name_is_kept_and_an_issue() {
        let (planned, issues) = plan(&[("us-east-1".into(), vec![trail(None, Some(MAIN), None)])]);
        assert_eq!(planned.len(), 1);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].code, "MissingTrailName");
        assert_eq!(
            issues[0].clone().into_error(ACCOUNT).entity_types,
            vec!["CloudTrail"]
        );
    }

    fn planned(arn: &str, home: &str) -> PlannedTrail {
        PlannedTrail {
            trail: TrailRecord {
                trail_arn: Some(arn.into()),
                ..Default::default()
            },
            home: home.into(),
        }
    }

    #[test]
    fn tags_are_batched_by_home_region() {
        let mut list: Vec<PlannedTrail> = (0..21)
            .map(|i| planned(&format!("arn:{i:02}"), "us-east-1"))
            .collect();
        list.push(planned("arn:eu", "eu-west-1"));
        let batches = tag_batches(&list);
        let shape: Vec<(&str, usize)> =
            batches.iter().map(|(r, a)| (r.as_str(), a.len())).collect();
        assert_eq!(
            shape,
            vec![("eu-west-1", 1), ("us-east-1", 20), ("us-east-1", 1)]
        );
    }
}
