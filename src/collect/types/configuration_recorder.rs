//! `ConfigurationRecorder`: AWS Config in each collected region, one entity a region
//! whether or not a recorder exists (`exists` false, `recording` false), so that a
//! rule sees the regions without one.

use super::{Call, Collected, EntityType, Read, Scope};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use PropType::{Boolean as B, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "ConfigurationRecorder",
    about: "AWS Config in each collected region: one entity per region, with the region's configuration recorder\n(`DescribeConfigurationRecorders`; the first listed when there are several), its status\n(`DescribeConfigurationRecorderStatus`) and delivery channel (`DescribeDeliveryChannels`). A region without a\nrecorder has an entity too, with `exists` and `recording` false, so \"Config is enabled in all regions\" sees it;\na region where the calls are refused (or Config is not offered) has no entity and its error makes the type\n`unknown` there.",
    calls: &[
        Call {
            service: Service::Config,
            operation: "DescribeConfigurationRecorders",
            scope: Scope::Region,
            paged: false,
        },
        Call {
            service: Service::Config,
            operation: "DescribeConfigurationRecorderStatus",
            scope: Scope::Region,
            paged: false,
        },
        Call {
            service: Service::Config,
            operation: "DescribeDeliveryChannels",
            scope: Scope::Region,
            paged: false,
        },
    ],
    reads: &[] as &[Read],
    properties: PROPERTIES,
    tables: &[("deliveryChannel", "`deliveryChannel` (`DescribeDeliveryChannels`, the first):")],
    build,
};

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "constructed: `arn:<partition>:config:<region>:<account>:config-recorder/<name>` (without `/<name>` when the region has no recorder)",
        "`\"ConfigurationRecorder\"`",
        "`ConfigurationRecorders[].name` (`(none)` without a recorder)",
        "the region",
    ),
    OWN,
);

const CHANNEL: &[Property] = &[
    p("name", S, "`name`"),
    n("s3BucketName", S, "`s3BucketName`"),
    n("s3KeyPrefix", S, "`s3KeyPrefix`"),
    n("snsTopicARN", S, "`snsTopicARN`"),
    n(
        "deliveryFrequency",
        S,
        "`configSnapshotDeliveryProperties.deliveryFrequency`",
    ),
];

/// What a `ConfigurationRecorder` has besides its identity.
const OWN: &[Property] = &[
    p("exists", B, "derived: the region has a recorder"),
    p(
        "recording",
        B,
        "`DescribeConfigurationRecorderStatus` `recording` (`false` without a recorder)",
    ),
    p(
        "allSupported",
        B,
        "`recordingGroup.allSupported` (`false` without a recorder)",
    ),
    p(
        "includeGlobalResourceTypes",
        B,
        "`recordingGroup.includeGlobalResourceTypes` (`false` without a recorder)",
    ),
    p("resourceTypes", STRINGS, "`recordingGroup.resourceTypes`"),
    n(
        "recordingStrategy",
        S,
        "`recordingGroup.recordingStrategy.useOnly`",
    ),
    n("roleArn", S, "`roleARN`"),
    n(
        "lastStatus",
        S,
        "`lastStatus` (`Pending`, `Success`, `Failure`)",
    ),
    n("lastStartTime", T, "`lastStartTime`"),
    n("lastStopTime", T, "`lastStopTime`"),
    n("lastErrorCode", S, "`lastErrorCode`"),
    n("lastErrorMessage", S, "`lastErrorMessage`"),
    p(
        "hasDeliveryChannel",
        B,
        "derived: `DescribeDeliveryChannels` lists one",
    ),
    n(
        "deliveryChannel",
        PropType::Object(CHANNEL),
        "the region's delivery channel (below); null without one",
    ),
];

/// The records: one a region.
pub type Record = ConfigRegion;

/// AWS Config in one region. `None` in a field: not collected (the error is in
/// [`Collected::errors`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigRegion {
    /// The region.
    pub region: String,
    /// The region's recorder (`None`: none).
    #[serde(default)]
    pub recorder: Option<Recorder>,
    /// Its status (`None`: none, or not collected).
    #[serde(default)]
    pub status: Option<RecorderStatus>,
    /// The first delivery channel (`None`: none, or not collected).
    #[serde(default)]
    pub channel: Option<Channel>,
}

/// A configuration recorder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Recorder {
    /// `name`.
    pub name: String,
    /// `roleARN`.
    pub role_arn: Option<String>,
    /// `recordingGroup.allSupported`.
    pub all_supported: Option<bool>,
    /// `recordingGroup.includeGlobalResourceTypes`.
    pub include_global_resource_types: Option<bool>,
    /// `recordingGroup.resourceTypes`.
    #[serde(default)]
    pub resource_types: Vec<String>,
    /// `recordingGroup.recordingStrategy.useOnly`.
    pub recording_strategy: Option<String>,
}

/// A recorder's status.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecorderStatus {
    /// `recording`.
    pub recording: bool,
    /// `lastStatus`.
    pub last_status: Option<String>,
    /// `lastStartTime`.
    pub last_start_time: Option<String>,
    /// `lastStopTime`.
    pub last_stop_time: Option<String>,
    /// `lastErrorCode`.
    pub last_error_code: Option<String>,
    /// `lastErrorMessage`.
    pub last_error_message: Option<String>,
}

/// A delivery channel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Channel {
    /// `name`.
    pub name: String,
    /// `s3BucketName`.
    pub s3_bucket_name: Option<String>,
    /// `s3KeyPrefix`.
    pub s3_key_prefix: Option<String>,
    /// `snsTopicARN`.
    pub sns_topic_arn: Option<String>,
    /// `configSnapshotDeliveryProperties.deliveryFrequency`.
    pub delivery_frequency: Option<String>,
}

fn build(c: &Collected) -> Vec<Json> {
    let mut list: Vec<&ConfigRegion> = c.config_recorders.iter().collect();
    list.sort_by(|a, b| a.region.cmp(&b.region));
    list.into_iter()
        .map(|r| {
            let rec = r.recorder.as_ref();
            let name = rec.map_or("(none)", |x| x.name.as_str());
            // Unique in a snapshot of many accounts: the account and region are in it.
            let id = format!(
                "arn:{}:config:{}:{}:config-recorder{}",
                crate::collect::graph::partition_of(&r.region),
                r.region,
                c.account_number,
                rec.map(|x| format!("/{}", x.name)).unwrap_or_default()
            );
            let mut m = super::identity(&id, TYPE.name, name, &c.account_number, &r.region);
            m.insert("exists".into(), json!(rec.is_some()));
            m.insert(
                "recording".into(),
                json!(r.status.as_ref().is_some_and(|s| s.recording)),
            );
            let flag = |f: fn(&Recorder) -> Option<bool>| rec.and_then(f).unwrap_or(false);
            m.insert("allSupported".into(), json!(flag(|x| x.all_supported)));
            m.insert(
                "includeGlobalResourceTypes".into(),
                json!(flag(|x| x.include_global_resource_types)),
            );
            m.insert(
                "resourceTypes".into(),
                json!(rec.map(|x| x.resource_types.clone()).unwrap_or_default()),
            );
            m.insert(
                "recordingStrategy".into(),
                json!(rec.and_then(|x| x.recording_strategy.clone())),
            );
            m.insert("roleArn".into(), json!(rec.and_then(|x| x.role_arn.clone())));
            let st = r.status.as_ref();
            m.insert("lastStatus".into(), json!(st.and_then(|s| s.last_status.clone())));
            m.insert(
                "lastStartTime".into(),
                json!(st.and_then(|s| s.last_start_time.clone())),
            );
            m.insert(
                "lastStopTime".into(),
                json!(st.and_then(|s| s.last_stop_time.clone())),
            );
            m.insert(
                "lastErrorCode".into(),
                json!(st.and_then(|s| s.last_error_code.clone())),
            );
            m.insert(
                "lastErrorMessage".into(),
                json!(st.and_then(|s| s.last_error_message.clone())),
            );
            m.insert("hasDeliveryChannel".into(), json!(r.channel.is_some()));
            m.insert(
                "deliveryChannel".into(),
                match &r.channel {
                    Some(ch) => json!({
                        "name": ch.name,
                        "s3BucketName": ch.s3_bucket_name,
                        "s3KeyPrefix": ch.s3_key_prefix,
                        "snsTopicARN": ch.sns_topic_arn,
                        "deliveryFrequency": ch.delivery_frequency,
                    }),
                    None => Json::Null,
                },
            );
            Json::Object(m)
        })
        .collect()
}

/// Records with every field set (a recording recorder with a channel), joined with
/// the other types' examples into one account by the tests that hold the schema to
/// what `build` writes (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "configRecorders": [
  {
   "region": "us-east-1",
   "recorder": {
    "name": "default",
    "roleArn": "arn:aws:iam::111111111111:role/config",
    "allSupported": true,
    "includeGlobalResourceTypes": true,
    "resourceTypes": ["AWS::S3::Bucket"],
    "recordingStrategy": "ALL_SUPPORTED_RESOURCE_TYPES"
   },
   "status": {
    "recording": true,
    "lastStatus": "SUCCESS",
    "lastStartTime": "2026-01-01T00:00:00Z",
    "lastStopTime": "2026-01-01T00:00:00Z",
    "lastErrorCode": "e",
    "lastErrorMessage": "e"
   },
   "channel": {
    "name": "default",
    "s3BucketName": "config-bucket",
    "s3KeyPrefix": "p",
    "snsTopicArn": "arn:aws:sns:us-east-1:111111111111:n",
    "deliveryFrequency": "TwentyFour_Hours"
   }
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{Channel, ConfigRegion, Recorder, RecorderStatus};
    use crate::collect::call::Session;
    use crate::collect::convert::{owned, timestamp};
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_config::Client;
    use futures::future::BoxFuture;

    /// The three Config calls in each region.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                if let Some(r) = config_region(w.s, region).await {
                    w.write(|c| c.config_recorders.push(r));
                }
                true
            })
        }
    }

    /// The region's Config; `None` if the recorders could not be listed (recorded).
    async fn config_region(s: &Session, region: &str) -> Option<ConfigRegion> {
        let client: Client = s.client(region);
        let (recorders, statuses, channels) = futures::join!(
            s.call(
                Service::Config,
                "DescribeConfigurationRecorders",
                client.describe_configuration_recorders().send()
            ),
            s.call(
                Service::Config,
                "DescribeConfigurationRecorderStatus",
                client.describe_configuration_recorder_status().send()
            ),
            s.call(
                Service::Config,
                "DescribeDeliveryChannels",
                client.describe_delivery_channels().send()
            ),
        );
        // `None`: not listed (the region's Config is unknown).
        let recorder = match recorders {
            Ok(out) => Some(out.configuration_recorders().first().map(|r| {
                let g = r.recording_group();
                Recorder {
                    name: r.name().unwrap_or_default().to_string(),
                    role_arn: owned(r.role_arn()),
                    all_supported: g.map(|g| g.all_supported()),
                    include_global_resource_types: g.map(|g| g.include_global_resource_types()),
                    resource_types: g
                        .map(|g| {
                            g.resource_types()
                                .iter()
                                .map(|t| t.as_str().to_string())
                                .collect()
                        })
                        .unwrap_or_default(),
                    recording_strategy: g
                        .and_then(|g| g.recording_strategy())
                        .and_then(|s| s.use_only())
                        .map(|u| u.as_str().to_string()),
                }
            })),
            Err(f) => {
                s.record(region, Service::Config, "DescribeConfigurationRecorders", f, false);
                None
            }
        };
        let name = recorder.as_ref().and_then(|r| r.as_ref().map(|r| r.name.clone()));
        let status = match statuses {
            Ok(out) => out
                .configuration_recorders_status()
                .iter()
                .find(|st| st.name() == name.as_deref())
                .map(|st| RecorderStatus {
                    recording: st.recording(),
                    last_status: st.last_status().map(|v| v.as_str().to_string()),
                    last_start_time: timestamp(st.last_start_time()),
                    last_stop_time: timestamp(st.last_stop_time()),
                    last_error_code: owned(st.last_error_code()),
                    last_error_message: owned(st.last_error_message()),
                }),
            Err(f) => {
                s.record(
                    region,
                    Service::Config,
                    "DescribeConfigurationRecorderStatus",
                    f,
                    false,
                );
                None
            }
        };
        let channel = match channels {
            Ok(out) => out.delivery_channels().first().map(|ch| Channel {
                name: ch.name().unwrap_or_default().to_string(),
                s3_bucket_name: owned(ch.s3_bucket_name()),
                s3_key_prefix: owned(ch.s3_key_prefix()),
                sns_topic_arn: owned(ch.sns_topic_arn()),
                delivery_frequency: ch
                    .config_snapshot_delivery_properties()
                    .and_then(|p| p.delivery_frequency())
                    .map(|f| f.as_str().to_string()),
            }),
            Err(f) => {
                s.record(region, Service::Config, "DescribeDeliveryChannels", f, false);
                None
            }
        };
        // Without the listing the region's Config is unknown (every failure recorded).
        Some(ConfigRegion {
            region: region.to_string(),
            recorder: recorder?,
            status,
            channel,
        })
    }
}
