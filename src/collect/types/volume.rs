//! `Volume`: every EBS volume of each collected region (`DescribeVolumes`), with its
//! encryption and KMS key. `Instance` embeds the volumes attached to it through
//! [`Volumes`].

use super::ec2::{name_tag, tags_json, Tag, TAGS};
use super::{Call, Collected, EntityType, Read, Scope};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use std::collections::HashMap;
use PropType::{Boolean as B, Number as N, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "Volume",
    about: "Every EBS volume of each collected region (`DescribeVolumes`, listed once per region), with its\nencryption and KMS key. `Instance.volumes` lists the volumes attached to an instance.",
    calls: &[DESCRIBE_VOLUMES],
    reads: &[] as &[Read],
    properties: PROPERTIES,
    tables: &[("attachments", "`attachments[]` (`Attachments[]`):")],
    build,
};

/// DescribeVolumes.
pub const DESCRIBE_VOLUMES: Call = Call {
    service: Service::Ec2,
    operation: "DescribeVolumes",
    scope: Scope::Region,
    paged: true,
};

const ATTACHMENT: &[Property] = &[
    n("instanceId", S, "`InstanceId`"),
    n("device", S, "`Device`"),
    n("state", S, "`State`"),
    n("deleteOnTermination", B, "`DeleteOnTermination`"),
    n("attachTime", T, "`AttachTime`"),
];

const OWN: &[Property] = &[
    p("encrypted", B, "`Encrypted`"),
    n("kmsKeyId", S, "`KmsKeyId` (the key's ARN)"),
    n("size", N, "`Size` (GiB)"),
    n("volumeType", S, "`VolumeType`"),
    n("iops", N, "`Iops`"),
    n("state", S, "`State`"),
    n("availabilityZone", S, "`AvailabilityZone`"),
    n("snapshotId", S, "`SnapshotId`"),
    n("createTime", T, "`CreateTime`"),
    p(
        "attachments",
        PropType::List(&PropType::Object(ATTACHMENT)),
        "`Attachments[]`",
    ),
    p("tags", TAGS, "`Tags[]`"),
];

/// The whole volume (what `Instance.volumes` holds too).
pub const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`VolumeId`",
        "`\"Volume\"`",
        "its `Name` tag (`\"\"` without one)",
        "the volume's region",
    ),
    OWN,
);

/// The records: one per region.
pub type Record = VolumeRegion;

/// The volumes of one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VolumeRegion {
    /// The region.
    pub region: String,
    /// DescribeVolumes.
    #[serde(default)]
    pub volumes: Vec<VolumeRecord>,
}

/// DescribeVolumes `Volumes[]` item. Times are RFC 3339 (UTC).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VolumeRecord {
    /// `VolumeId`.
    pub volume_id: String,
    /// `Encrypted`.
    #[serde(default)]
    pub encrypted: bool,
    /// `KmsKeyId`.
    pub kms_key_id: Option<String>,
    /// `Size`.
    pub size: Option<i32>,
    /// `VolumeType`.
    pub volume_type: Option<String>,
    /// `Iops`.
    pub iops: Option<i32>,
    /// `State`.
    pub state: Option<String>,
    /// `AvailabilityZone`.
    pub availability_zone: Option<String>,
    /// `SnapshotId`.
    pub snapshot_id: Option<String>,
    /// `CreateTime`.
    pub create_time: Option<String>,
    /// `Attachments[]`.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// `Tags[]`.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// `Attachments[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Attachment {
    /// `InstanceId`.
    pub instance_id: Option<String>,
    /// `Device`.
    pub device: Option<String>,
    /// `State`.
    pub state: Option<String>,
    /// `DeleteOnTermination`.
    pub delete_on_termination: Option<bool>,
    /// `AttachTime`.
    pub attach_time: Option<String>,
}

fn entity(account: &str, region: &str, v: &VolumeRecord) -> Json {
    let mut m = super::identity(&v.volume_id, TYPE.name, name_tag(&v.tags), account, region);
    m.insert("encrypted".into(), Json::Bool(v.encrypted));
    m.insert("kmsKeyId".into(), json!(v.kms_key_id));
    m.insert("size".into(), json!(v.size));
    m.insert("volumeType".into(), json!(v.volume_type));
    m.insert("iops".into(), json!(v.iops));
    m.insert("state".into(), json!(v.state));
    m.insert("availabilityZone".into(), json!(v.availability_zone));
    m.insert("snapshotId".into(), json!(v.snapshot_id));
    m.insert("createTime".into(), json!(v.create_time));
    m.insert("attachments".into(), super::to_json(&v.attachments));
    m.insert("tags".into(), tags_json(&v.tags));
    Json::Object(m)
}

/// The volumes of one account by the (region, instance) they are attached to: the
/// join of `Instance.volumes`.
pub struct Volumes<'a> {
    by_instance: HashMap<(&'a str, &'a str), Vec<&'a VolumeRecord>>,
}

impl<'a> Volumes<'a> {
    /// The volumes of one account.
    pub fn new(c: &'a Collected) -> Self {
        let mut by_instance: HashMap<(&str, &str), Vec<&VolumeRecord>> = HashMap::new();
        for r in &c.volumes {
            for v in &r.volumes {
                for a in &v.attachments {
                    if let Some(i) = &a.instance_id {
                        by_instance
                            .entry((r.region.as_str(), i.as_str()))
                            .or_default()
                            .push(v);
                    }
                }
            }
        }
        Volumes { by_instance }
    }

    /// The volumes attached to `instance` of `region`, as entities, by volume id.
    pub fn of_instance(&self, account: &str, region: &str, instance: &str) -> Json {
        let mut list = self
            .by_instance
            .get(&(region, instance))
            .cloned()
            .unwrap_or_default();
        list.sort_by(|a, b| a.volume_id.cmp(&b.volume_id));
        list.dedup_by(|a, b| a.volume_id == b.volume_id);
        Json::Array(list.iter().map(|v| entity(account, region, v)).collect())
    }
}

fn build(c: &Collected) -> Vec<Json> {
    let mut all: Vec<(&str, &VolumeRecord)> = c
        .volumes
        .iter()
        .flat_map(|r| r.volumes.iter().map(move |v| (r.region.as_str(), v)))
        .collect();
    all.sort_by(|a, b| (a.0, &a.1.volume_id).cmp(&(b.0, &b.1.volume_id)));
    all.into_iter()
        .map(|(region, v)| entity(&c.account_number, region, v))
        .collect()
}

/// Records with every field set (an encrypted volume attached to the example
/// instance), joined with the other types' examples into one account by the tests that
/// hold the schema to what `build` writes (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "volumes": [
  {
   "region": "us-east-1",
   "volumes": [
    {
     "volumeId": "vol-1",
     "encrypted": true,
     "kmsKeyId": "arn:aws:kms:us-east-1:111111111111:key/k",
     "size": 8,
     "volumeType": "gp3",
     "iops": 3000,
     "state": "in-use",
     "availabilityZone": "us-east-1a",
     "snapshotId": "snap-1",
     "createTime": "2026-01-01T00:00:00Z",
     "attachments": [
      {"instanceId": "i-1", "device": "/dev/xvda", "state": "attached", "deleteOnTermination": true, "attachTime": "2026-01-01T00:00:00Z"}
     ],
     "tags": [{"key": "Name", "value": "root"}]
    }
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{Attachment, VolumeRecord, VolumeRegion};
    use crate::collect::convert::timestamp;
    use crate::collect::types::ec2::{listing, tags};
    use crate::collect::walk::{Fetch, Walk};
    use aws_sdk_ec2::types as ec2;
    use aws_sdk_ec2::Client;
    use futures::future::BoxFuture;

    /// DescribeVolumes in each region.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let volumes = listing(
                    w.s,
                    region,
                    "DescribeVolumes",
                    |t| {
                        client
                            .describe_volumes()
                            .max_results(500)
                            .set_next_token(t)
                            .send()
                    },
                    |p, out| {
                        out.extend(p.volumes().iter().filter_map(volume));
                        p.next_token().map(str::to_string)
                    },
                )
                .await;
                let record = VolumeRegion {
                    region: region.to_string(),
                    volumes: volumes.unwrap_or_default(),
                };
                w.write(|c| c.volumes.push(record));
                true
            })
        }
    }

    fn volume(v: &ec2::Volume) -> Option<VolumeRecord> {
        let s = |x: Option<&str>| x.map(str::to_string);
        Some(VolumeRecord {
            volume_id: v.volume_id()?.to_string(),
            encrypted: v.encrypted().unwrap_or(false),
            kms_key_id: s(v.kms_key_id()),
            size: v.size(),
            volume_type: v.volume_type().map(|t| t.as_str().to_string()),
            iops: v.iops(),
            state: v.state().map(|t| t.as_str().to_string()),
            availability_zone: s(v.availability_zone()),
            snapshot_id: s(v.snapshot_id()).filter(|x| !x.is_empty()),
            create_time: timestamp(v.create_time()),
            attachments: v
                .attachments()
                .iter()
                .map(|a| Attachment {
                    instance_id: s(a.instance_id()),
                    device: s(a.device()),
                    state: a.state().map(|t| t.as_str().to_string()),
                    delete_on_termination: a.delete_on_termination(),
                    attach_time: timestamp(a.attach_time()),
                })
                .collect(),
            tags: tags(v.tags()),
        })
    }
}
