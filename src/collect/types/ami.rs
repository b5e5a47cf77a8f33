//! `AMI`: the account's own images in each collected region (`DescribeImages` with
//! `Owners=self`), whether each is public (`Public`: launchable by every account), and
//! whether the EBS snapshots of its block device mappings are encrypted.

use super::ec2::{tags_json, Tag, TAGS};
use super::{Call, Collected, EntityType, Read, Scope};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use PropType::{Boolean as B, Number as N, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "AMI",
    about: "The account's own images in each collected region (`DescribeImages` with `Owners=self`, listed once per\nregion): whether each is public (`isPublic`, AWS's `Public`: every account may launch it) and whether the EBS\nsnapshots of its block device mappings are encrypted. Images shared with the account by others are not listed.",
    calls: &[DESCRIBE_IMAGES],
    reads: &[] as &[Read],
    properties: PROPERTIES,
    tables: &[(
        "blockDeviceMappings",
        "`blockDeviceMappings[]` (`BlockDeviceMappings[]`):",
    )],
    build,
};

/// DescribeImages (`Owners=self`).
pub const DESCRIBE_IMAGES: Call = Call {
    service: Service::Ec2,
    operation: "DescribeImages",
    scope: Scope::Region,
    paged: true,
};

const MAPPING: &[Property] = &[
    p("deviceName", S, "`DeviceName`"),
    n("snapshotId", S, "`Ebs.SnapshotId` (`null`: not an EBS mapping)"),
    n("encrypted", B, "`Ebs.Encrypted` (`null`: not an EBS mapping)"),
    n("kmsKeyId", S, "`Ebs.KmsKeyId`"),
    n("volumeSize", N, "`Ebs.VolumeSize` (GiB)"),
    n("volumeType", S, "`Ebs.VolumeType`"),
    n("virtualName", S, "`VirtualName` (an instance store volume)"),
];

const OWN: &[Property] = &[
    p("ownerId", S, "`OwnerId`"),
    n("description", S, "`Description`"),
    n("imageType", S, "`ImageType` (`machine`, `kernel`, `ramdisk`)"),
    n("state", S, "`State` (`available`, `pending`, ...)"),
    p("platform", S, "`Platform` (`windows`), else `linux`"),
    n("platformDetails", S, "`PlatformDetails`"),
    n("architecture", S, "`Architecture`"),
    n("creationDate", T, "`CreationDate`"),
    n("deprecationTime", T, "`DeprecationTime`"),
    p(
        "isPublic",
        B,
        "`Public` (the image's launch permissions include every account)",
    ),
    n("rootDeviceType", S, "`RootDeviceType` (`ebs`, `instance-store`)"),
    n("rootDeviceName", S, "`RootDeviceName`"),
    p(
        "blockDeviceMappings",
        PropType::List(&PropType::Object(MAPPING)),
        "`BlockDeviceMappings[]`",
    ),
    p(
        "isEncrypted",
        B,
        "derived: the image has an EBS mapping and every EBS mapping's snapshot is encrypted",
    ),
    p("tags", TAGS, "`Tags[]`"),
];

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`ImageId`",
        "`\"AMI\"`",
        "`Name` (the image's name, `\"\"` without one)",
        "the image's region",
    ),
    OWN,
);

/// The records: one per region.
pub type Record = ImageRegion;

/// The account's images in one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageRegion {
    /// The region.
    pub region: String,
    /// DescribeImages `Images[]`.
    #[serde(default)]
    pub images: Vec<ImageRecord>,
}

/// DescribeImages `Images[]` item. Times are as AWS writes them (ISO 8601, UTC).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageRecord {
    /// `ImageId`.
    pub image_id: String,
    /// `Name`.
    pub name: Option<String>,
    /// `OwnerId`.
    pub owner_id: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `ImageType`.
    pub image_type: Option<String>,
    /// `State`.
    pub state: Option<String>,
    /// `Platform`.
    pub platform: Option<String>,
    /// `PlatformDetails`.
    pub platform_details: Option<String>,
    /// `Architecture`.
    pub architecture: Option<String>,
    /// `CreationDate`.
    pub creation_date: Option<String>,
    /// `DeprecationTime`.
    pub deprecation_time: Option<String>,
    /// `Public`.
    #[serde(default)]
    pub public: bool,
    /// `RootDeviceType`.
    pub root_device_type: Option<String>,
    /// `RootDeviceName`.
    pub root_device_name: Option<String>,
    /// `BlockDeviceMappings[]`.
    #[serde(default)]
    pub block_device_mappings: Vec<MappingRecord>,
    /// `Tags[]`.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// `BlockDeviceMappings[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MappingRecord {
    /// `DeviceName`.
    #[serde(default)]
    pub device_name: String,
    /// `Ebs.SnapshotId`.
    pub snapshot_id: Option<String>,
    /// `Ebs.Encrypted` (`None`: not an EBS mapping).
    pub encrypted: Option<bool>,
    /// `Ebs.KmsKeyId`.
    pub kms_key_id: Option<String>,
    /// `Ebs.VolumeSize`.
    pub volume_size: Option<i32>,
    /// `Ebs.VolumeType`.
    pub volume_type: Option<String>,
    /// `VirtualName`.
    pub virtual_name: Option<String>,
}

/// Whether the image has an EBS mapping and every EBS mapping is encrypted.
fn encrypted(mappings: &[MappingRecord]) -> bool {
    let ebs: Vec<bool> = mappings.iter().filter_map(|m| m.encrypted).collect();
    !ebs.is_empty() && ebs.iter().all(|e| *e)
}

fn entity(account: &str, region: &str, i: &ImageRecord) -> Json {
    let name = i.name.as_deref().unwrap_or_default();
    let mut m = super::identity(&i.image_id, TYPE.name, name, account, region);
    m.insert("ownerId".into(), json!(i.owner_id.as_deref().unwrap_or(account)));
    m.insert("description".into(), json!(i.description));
    m.insert("imageType".into(), json!(i.image_type));
    m.insert("state".into(), json!(i.state));
    m.insert(
        "platform".into(),
        json!(i.platform.as_deref().unwrap_or("linux")),
    );
    m.insert("platformDetails".into(), json!(i.platform_details));
    m.insert("architecture".into(), json!(i.architecture));
    m.insert("creationDate".into(), json!(i.creation_date));
    m.insert("deprecationTime".into(), json!(i.deprecation_time));
    m.insert("isPublic".into(), Json::Bool(i.public));
    m.insert("rootDeviceType".into(), json!(i.root_device_type));
    m.insert("rootDeviceName".into(), json!(i.root_device_name));
    m.insert(
        "blockDeviceMappings".into(),
        super::to_json(&i.block_device_mappings),
    );
    m.insert(
        "isEncrypted".into(),
        Json::Bool(encrypted(&i.block_device_mappings)),
    );
    m.insert("tags".into(), tags_json(&i.tags));
    Json::Object(m)
}

fn build(c: &Collected) -> Vec<Json> {
    let mut all: Vec<(&str, &ImageRecord)> = c
        .images
        .iter()
        .flat_map(|r| r.images.iter().map(move |i| (r.region.as_str(), i)))
        .collect();
    all.sort_by(|a, b| (a.0, &a.1.image_id).cmp(&(b.0, &b.1.image_id)));
    all.into_iter()
        .map(|(region, i)| entity(&c.account_number, region, i))
        .collect()
}

/// Records with every field set (a private, encrypted image), joined with the other
/// types' examples into one account by the tests that hold the schema to what `build`
/// writes (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "images": [
  {
   "region": "us-east-1",
   "images": [
    {
     "imageId": "ami-1",
     "name": "web-2026-01",
     "ownerId": "111111111111",
     "description": "web server",
     "imageType": "machine",
     "state": "available",
     "platform": "windows",
     "platformDetails": "Windows",
     "architecture": "x86_64",
     "creationDate": "2026-01-01T00:00:00.000Z",
     "deprecationTime": "2028-01-01T00:00:00.000Z",
     "public": false,
     "rootDeviceType": "ebs",
     "rootDeviceName": "/dev/xvda",
     "blockDeviceMappings": [
      {"deviceName": "/dev/xvda", "snapshotId": "snap-1", "encrypted": true, "kmsKeyId": "arn:aws:kms:us-east-1:111111111111:key/k", "volumeSize": 8, "volumeType": "gp3", "virtualName": "ephemeral0"}
     ],
     "tags": [{"key": "Name", "value": "web"}]
    }
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{ImageRecord, ImageRegion, MappingRecord};
    use crate::collect::convert::owned;
    use crate::collect::types::ec2::{listing, tags};
    use crate::collect::walk::{Fetch, Walk};
    use aws_sdk_ec2::types as ec2;
    use aws_sdk_ec2::Client;
    use futures::future::BoxFuture;

    /// DescribeImages (`Owners=self`) in each region.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {
        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let images = listing(
                    w.s,
                    region,
                    "DescribeImages",
                    |t| {
                        client
                            .describe_images()
                            .owners("self")
                            .max_results(1000)
                            .set_next_token(t)
                            .send()
                    },
                    |p, out| {
                        out.extend(p.images().iter().filter_map(image));
                        p.next_token().map(str::to_string)
                    },
                )
                .await;
                let record = ImageRegion {
                    region: region.to_string(),
                    images: images.unwrap_or_default(),
                };
                w.write(|c| c.images.push(record));
                true
            })
        }
    }

    fn image(i: &ec2::Image) -> Option<ImageRecord> {
        Some(ImageRecord {
            image_id: i.image_id()?.to_string(),
            name: owned(i.name()),
            owner_id: owned(i.owner_id()),
            description: owned(i.description()),
            image_type: i.image_type().map(|t| t.as_str().to_string()),
            state: i.state().map(|t| t.as_str().to_string()),
            platform: i.platform().map(|t| t.as_str().to_string()),
            platform_details: owned(i.platform_details()),
            architecture: i.architecture().map(|t| t.as_str().to_string()),
            creation_date: owned(i.creation_date()),
            deprecation_time: owned(i.deprecation_time()),
            public: i.public().unwrap_or(false),
            root_device_type: i.root_device_type().map(|t| t.as_str().to_string()),
            root_device_name: owned(i.root_device_name()),
            block_device_mappings: i
                .block_device_mappings()
                .iter()
                .map(|m| {
                    let e = m.ebs();
                    MappingRecord {
                        device_name: m.device_name().unwrap_or_default().to_string(),
                        snapshot_id: e.and_then(|e| owned(e.snapshot_id())),
                        encrypted: e.map(|e| e.encrypted().unwrap_or(false)),
                        kms_key_id: e.and_then(|e| owned(e.kms_key_id())),
                        volume_size: e.and_then(|e| e.volume_size()),
                        volume_type: e.and_then(|e| e.volume_type().map(|t| t.as_str().to_string())),
                        virtual_name: owned(m.virtual_name()),
                    }
                })
                .collect(),
            tags: tags(i.tags()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(encrypted: Option<bool>) -> MappingRecord {
        MappingRecord {
            device_name: "/dev/xvda".into(),
            encrypted,
            ..Default::default()
        }
    }

    #[test]
    fn an_image_is_encrypted_when_every_ebs_mapping_is() {
        assert!(encrypted(&[mapping(Some(true)), mapping(None)]));
        assert!(!encrypted(&[mapping(Some(true)), mapping(Some(false))]));
        assert!(!encrypted(&[mapping(None)]), "no EBS mapping: not encrypted");
        assert!(!encrypted(&[]));
    }

    #[test]
    fn the_public_flag_and_owner_are_the_images() {
        let c = Collected {
            account_number: "111111111111".into(),
            images: vec![ImageRegion {
                region: "eu-west-1".into(),
                images: vec![ImageRecord {
                    image_id: "ami-2".into(),
                    public: true,
                    ..Default::default()
                }],
            }],
            ..Default::default()
        };
        let e = &build(&c)[0];
        assert_eq!(e["isPublic"], true);
        assert_eq!(e["ownerId"], "111111111111");
        assert_eq!(e["name"], "");
        assert_eq!(e["platform"], "linux");
        assert_eq!(e["region"], "eu-west-1");
    }
}
