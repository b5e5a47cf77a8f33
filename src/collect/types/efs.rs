//! `EFS`: the file systems of each collected region (`DescribeFileSystems`).

use super::{Call, Collected, EntityType, Read, Scope};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use PropType::{Boolean as B, Number as N, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "EFS",
    about: "Every EFS file system of each collected region (`DescribeFileSystems`).",
    calls: &[Call {
        service: Service::Efs,
        operation: "DescribeFileSystems",
        scope: Scope::Region,
        paged: true,
    }],
    reads: &[] as &[Read],
    properties: PROPERTIES,
    tables: &[],
    build,
};

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`FileSystemArn` (constructed if absent)",
        "`\"EFS\"`",
        "`Name` (the `Name` tag; the id without one)",
        "the region listed",
    ),
    OWN,
);

const TAG: &[Property] = &[p("key", S, "`Key`"), n("value", S, "`Value`")];

/// What an `EFS` file system has besides its identity.
const OWN: &[Property] = &[
    p("arn", S, "`FileSystemArn`"),
    p("fileSystemId", S, "`FileSystemId`"),
    p("encrypted", B, "`Encrypted`"),
    n("kmsKeyId", S, "`KmsKeyId`"),
    n("lifeCycleState", S, "`LifeCycleState`"),
    n("performanceMode", S, "`PerformanceMode`"),
    n("throughputMode", S, "`ThroughputMode`"),
    n("numberOfMountTargets", N, "`NumberOfMountTargets`"),
    n("sizeInBytes", N, "`SizeInBytes.Value`"),
    n("creationTime", T, "`CreationTime`"),
    p(
        "tags",
        PropType::List(&PropType::Object(TAG)),
        "`Tags`: `{key, value}`",
    ),
];

/// The records: file systems.
pub type Record = FileSystemRecord;

/// One file system (`DescribeFileSystems` `FileSystems[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileSystemRecord {
    /// The region listed.
    pub region: String,
    /// `FileSystemId`.
    pub id: String,
    /// `Name`.
    pub name: Option<String>,
    /// `FileSystemArn`.
    pub arn: Option<String>,
    /// `Encrypted`.
    pub encrypted: Option<bool>,
    /// `KmsKeyId`.
    pub kms_key_id: Option<String>,
    /// `LifeCycleState`.
    pub life_cycle_state: Option<String>,
    /// `PerformanceMode`.
    pub performance_mode: Option<String>,
    /// `ThroughputMode`.
    pub throughput_mode: Option<String>,
    /// `NumberOfMountTargets`.
    pub number_of_mount_targets: Option<i32>,
    /// `SizeInBytes.Value`.
    pub size_in_bytes: Option<i64>,
    /// `CreationTime`, RFC 3339.
    pub creation_time: Option<String>,
    /// `Tags`.
    #[serde(default)]
    pub tags: Vec<(String, Option<String>)>,
}

fn build(c: &Collected) -> Vec<Json> {
    let mut list: Vec<&FileSystemRecord> = c.file_systems.iter().collect();
    list.sort_by(|a, b| (&a.region, &a.id).cmp(&(&b.region, &b.id)));
    list.into_iter()
        .map(|f| {
            let name = f.name.as_deref().unwrap_or(&f.id);
            let arn = f.arn.clone().unwrap_or_else(|| {
                format!(
                    "arn:{}:elasticfilesystem:{}:{}:file-system/{}",
                    crate::collect::graph::partition_of(&f.region),
                    f.region,
                    c.account_number,
                    f.id
                )
            });
            let mut m = super::identity(&arn, TYPE.name, name, &c.account_number, &f.region);
            m.insert("arn".into(), json!(arn));
            m.insert("fileSystemId".into(), json!(f.id));
            m.insert("encrypted".into(), json!(f.encrypted.unwrap_or(false)));
            m.insert("kmsKeyId".into(), json!(f.kms_key_id));
            m.insert("lifeCycleState".into(), json!(f.life_cycle_state));
            m.insert("performanceMode".into(), json!(f.performance_mode));
            m.insert("throughputMode".into(), json!(f.throughput_mode));
            m.insert(
                "numberOfMountTargets".into(),
                json!(f.number_of_mount_targets),
            );
            m.insert("sizeInBytes".into(), json!(f.size_in_bytes));
            m.insert("creationTime".into(), json!(f.creation_time));
            let tags: Vec<Json> = f
                .tags
                .iter()
                .map(|(k, v)| json!({"key": k, "value": v}))
                .collect();
            m.insert("tags".into(), Json::Array(tags));
            Json::Object(m)
        })
        .collect()
}

/// Records with every field set (an encrypted file system), joined with the other
/// types' examples into one account by the tests that hold the schema to what `build`
/// writes (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "fileSystems": [
  {
   "region": "us-east-1",
   "id": "fs-1",
   "name": "shared",
   "arn": "arn:aws:elasticfilesystem:us-east-1:111111111111:file-system/fs-1",
   "encrypted": true,
   "kmsKeyId": "arn:aws:kms:us-east-1:111111111111:key/k",
   "lifeCycleState": "available",
   "performanceMode": "generalPurpose",
   "throughputMode": "bursting",
   "numberOfMountTargets": 1,
   "sizeInBytes": 6144,
   "creationTime": "2026-01-01T00:00:00Z",
   "tags": [["Name", "shared"]]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::FileSystemRecord;
    use crate::collect::convert::{owned, timestamp};
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_efs::types::FileSystemDescription;
    use aws_sdk_efs::Client;
    use futures::future::BoxFuture;

    /// DescribeFileSystems in each region.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let mut out = Vec::new();
                let listed = w
                    .s
                    .paginate_in(
                        region,
                        Service::Efs,
                        "DescribeFileSystems",
                        |marker| client.describe_file_systems().set_marker(marker).send(),
                        |p| {
                            out.extend(p.file_systems().iter().map(|f| file_system(region, f)));
                            p.next_marker().map(str::to_string)
                        },
                    )
                    .await;
                if listed {
                    w.write(|c| c.file_systems.extend(out));
                }
                true
            })
        }
    }

    /// `FileSystems[]` item.
    fn file_system(region: &str, f: &FileSystemDescription) -> FileSystemRecord {
        FileSystemRecord {
            region: region.to_string(),
            id: f.file_system_id().to_string(),
            name: owned(f.name()),
            arn: owned(f.file_system_arn()),
            encrypted: f.encrypted(),
            kms_key_id: owned(f.kms_key_id()),
            life_cycle_state: Some(f.life_cycle_state().as_str().to_string()),
            performance_mode: Some(f.performance_mode().as_str().to_string()),
            throughput_mode: f.throughput_mode().map(|t| t.as_str().to_string()),
            number_of_mount_targets: Some(f.number_of_mount_targets()),
            size_in_bytes: f.size_in_bytes().map(|s| s.value()),
            creation_time: timestamp(Some(f.creation_time())),
            tags: f
                .tags()
                .iter()
                .map(|t| (t.key().to_string(), Some(t.value().to_string())))
                .collect(),
        }
    }
}
