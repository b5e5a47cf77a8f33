//! `KMS`: every key of each collected region (`ListKeys`, `DescribeKey`), with the
//! rotation status of customer-managed symmetric keys (`GetKeyRotationStatus`).

use super::{Call, Collected, EntityType, Read, Scope};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use PropType::{Boolean as B, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "KMS",
    about: "Every KMS key of each collected region (`ListKeys`, then `DescribeKey` per key), AWS-managed keys\nincluded; `GetKeyRotationStatus` for each customer-managed symmetric key with key material from KMS that is\nnot pending deletion (the keys CIS 3.6 is about).",
    calls: &[
        Call {
            service: Service::Kms,
            operation: "ListKeys",
            scope: Scope::Region,
            paged: true,
        },
        Call {
            service: Service::Kms,
            operation: "DescribeKey",
            scope: Scope::Each("key"),
            paged: false,
        },
        Call {
            service: Service::Kms,
            operation: "GetKeyRotationStatus",
            scope: Scope::Each("customer-managed symmetric key"),
            paged: false,
        },
    ],
    reads: &[] as &[Read],
    properties: PROPERTIES,
    tables: &[],
    build,
};

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`KeyMetadata.Arn`",
        "`\"KMS\"`",
        "`KeyMetadata.KeyId`",
        "the region listed",
    ),
    OWN,
);

/// What a `KMS` key has besides its identity.
const OWN: &[Property] = &[
    p("arn", S, "`KeyMetadata.Arn`"),
    p("keyId", S, "`KeyMetadata.KeyId`"),
    n("description", S, "`KeyMetadata.Description`"),
    n("keyManager", S, "`KeyMetadata.KeyManager` (`CUSTOMER`, `AWS`)"),
    p("isCustomerManaged", B, "derived: `keyManager` = `CUSTOMER`"),
    n(
        "keyState",
        S,
        "`KeyMetadata.KeyState` (`Enabled`, `Disabled`, `PendingDeletion`, ...)",
    ),
    n("enabled", B, "`KeyMetadata.Enabled`"),
    n("keySpec", S, "`KeyMetadata.KeySpec` (`SYMMETRIC_DEFAULT`, `RSA_2048`, ...)"),
    n("keyUsage", S, "`KeyMetadata.KeyUsage`"),
    n("origin", S, "`KeyMetadata.Origin` (`AWS_KMS`, `EXTERNAL`, ...)"),
    n("multiRegion", B, "`KeyMetadata.MultiRegion`"),
    n("creationDate", T, "`KeyMetadata.CreationDate`"),
    n("deletionDate", T, "`KeyMetadata.DeletionDate`"),
    n(
        "rotationStatus",
        B,
        "`GetKeyRotationStatus` `KeyRotationEnabled`; null where it is not asked (AWS-managed, asymmetric, imported or pending deletion) or the call failed",
    ),
];

/// The records: keys.
pub type Record = KeyRecord;

/// One key (`DescribeKey` `KeyMetadata`) and its rotation status.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyRecord {
    /// The region it was listed in.
    pub region: String,
    /// `KeyId`.
    pub key_id: String,
    /// `Arn`.
    pub arn: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `KeyManager`.
    pub key_manager: Option<String>,
    /// `KeyState`.
    pub key_state: Option<String>,
    /// `Enabled`.
    pub enabled: Option<bool>,
    /// `KeySpec`.
    pub key_spec: Option<String>,
    /// `KeyUsage`.
    pub key_usage: Option<String>,
    /// `Origin`.
    pub origin: Option<String>,
    /// `MultiRegion`.
    pub multi_region: Option<bool>,
    /// `CreationDate`, RFC 3339.
    pub creation_date: Option<String>,
    /// `DeletionDate`, RFC 3339.
    pub deletion_date: Option<String>,
    /// `GetKeyRotationStatus` (`None`: not asked, or failed).
    pub rotation_enabled: Option<bool>,
}

impl KeyRecord {
    /// A key whose rotation CIS asks about, and that can report it: customer managed,
    /// symmetric, key material from KMS, not pending deletion or import.
    pub fn rotates(&self) -> bool {
        self.key_manager.as_deref() == Some("CUSTOMER")
            && self.key_spec.as_deref() == Some("SYMMETRIC_DEFAULT")
            && self.origin.as_deref().is_none_or(|o| o == "AWS_KMS")
            && matches!(self.key_state.as_deref(), Some("Enabled" | "Disabled"))
    }
}

fn build(c: &Collected) -> Vec<Json> {
    let mut keys: Vec<&KeyRecord> = c.kms_keys.iter().collect();
    keys.sort_by(|a, b| (&a.region, &a.key_id).cmp(&(&b.region, &b.key_id)));
    keys.into_iter()
        .map(|k| {
            let arn = k.arn.clone().unwrap_or_else(|| {
                format!(
                    "arn:{}:kms:{}:{}:key/{}",
                    crate::collect::graph::partition_of(&k.region),
                    k.region,
                    c.account_number,
                    k.key_id
                )
            });
            let mut m = super::identity(&arn, TYPE.name, &k.key_id, &c.account_number, &k.region);
            m.insert("arn".into(), json!(arn));
            m.insert("keyId".into(), json!(k.key_id));
            m.insert("description".into(), json!(k.description));
            m.insert("keyManager".into(), json!(k.key_manager));
            m.insert(
                "isCustomerManaged".into(),
                json!(k.key_manager.as_deref() == Some("CUSTOMER")),
            );
            m.insert("keyState".into(), json!(k.key_state));
            m.insert("enabled".into(), json!(k.enabled));
            m.insert("keySpec".into(), json!(k.key_spec));
            m.insert("keyUsage".into(), json!(k.key_usage));
            m.insert("origin".into(), json!(k.origin));
            m.insert("multiRegion".into(), json!(k.multi_region));
            m.insert("creationDate".into(), json!(k.creation_date));
            m.insert("deletionDate".into(), json!(k.deletion_date));
            m.insert("rotationStatus".into(), json!(k.rotation_enabled));
            Json::Object(m)
        })
        .collect()
}

/// Records with every field set (a customer-managed key that rotates), joined with the
/// other types' examples into one account by the tests that hold the schema to what
/// `build` writes (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "kmsKeys": [
  {
   "region": "us-east-1",
   "keyId": "k",
   "arn": "arn:aws:kms:us-east-1:111111111111:key/k",
   "description": "d",
   "keyManager": "CUSTOMER",
   "keyState": "Enabled",
   "enabled": true,
   "keySpec": "SYMMETRIC_DEFAULT",
   "keyUsage": "ENCRYPT_DECRYPT",
   "origin": "AWS_KMS",
   "multiRegion": false,
   "creationDate": "2026-01-01T00:00:00Z",
   "deletionDate": "2026-02-01T00:00:00Z",
   "rotationEnabled": true
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::KeyRecord;
    use crate::collect::call::Session;
    use crate::collect::convert::{owned, timestamp};
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_kms::Client;
    use futures::future::{join_all, BoxFuture};

    /// Per region: ListKeys, DescribeKey per key, GetKeyRotationStatus per key that
    /// rotates.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let keys = keys(w.s, region).await;
                w.write(|c| c.kms_keys.extend(keys));
                true
            })
        }
    }

    async fn keys(s: &Session, region: &str) -> Vec<KeyRecord> {
        let client: Client = s.client(region);
        let mut ids = Vec::new();
        let listed = s
            .paginate_in(
                region,
                Service::Kms,
                "ListKeys",
                |marker| client.list_keys().set_marker(marker).send(),
                |p| {
                    ids.extend(p.keys().iter().filter_map(|k| owned(k.key_id())));
                    if p.truncated() {
                        p.next_marker().map(str::to_string)
                    } else {
                        None
                    }
                },
            )
            .await;
        if !listed {
            return Vec::new();
        }
        join_all(ids.iter().map(|id| key(s, &client, region, id)))
            .await
            .into_iter()
            .flatten()
            .collect()
    }

    /// One key; `None` if it is gone or DescribeKey failed (recorded).
    async fn key(s: &Session, client: &Client, region: &str, id: &str) -> Option<KeyRecord> {
        let described = s
            .call(
                Service::Kms,
                "DescribeKey",
                client.describe_key().key_id(id).send(),
            )
            .await;
        let meta = match described {
            Ok(out) => out.key_metadata().cloned()?,
            Err(f) if f.code == "NotFoundException" => return None,
            Err(f) => {
                s.record(region, Service::Kms, "DescribeKey", f, false);
                return None;
            }
        };
        let mut k = KeyRecord {
            region: region.to_string(),
            key_id: meta.key_id().to_string(),
            arn: owned(meta.arn()),
            description: owned(meta.description()),
            key_manager: meta.key_manager().map(|v| v.as_str().to_string()),
            key_state: meta.key_state().map(|v| v.as_str().to_string()),
            enabled: Some(meta.enabled()),
            key_spec: meta.key_spec().map(|v| v.as_str().to_string()),
            key_usage: meta.key_usage().map(|v| v.as_str().to_string()),
            origin: meta.origin().map(|v| v.as_str().to_string()),
            multi_region: meta.multi_region(),
            creation_date: timestamp(meta.creation_date()),
            deletion_date: timestamp(meta.deletion_date()),
            rotation_enabled: None,
        };
        if k.rotates() {
            let status = s
                .call(
                    Service::Kms,
                    "GetKeyRotationStatus",
                    client.get_key_rotation_status().key_id(id).send(),
                )
                .await;
            match status {
                Ok(out) => k.rotation_enabled = Some(out.key_rotation_enabled()),
                Err(f) => s.record(region, Service::Kms, "GetKeyRotationStatus", f, false),
            }
        }
        Some(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_keys_report_rotation() {
        let cmk = KeyRecord {
            key_manager: Some("CUSTOMER".into()),
            key_spec: Some("SYMMETRIC_DEFAULT".into()),
            origin: Some("AWS_KMS".into()),
            key_state: Some("Enabled".into()),
            ..Default::default()
        };
        assert!(cmk.rotates());
        for other in [
            KeyRecord {
                key_manager: Some("AWS".into()),
                ..cmk.clone()
            },
            KeyRecord {
                key_spec: Some("RSA_2048".into()),
                ..cmk.clone()
            },
            KeyRecord {
                origin: Some("EXTERNAL".into()),
                ..cmk.clone()
            },
            KeyRecord {
                key_state: Some("PendingDeletion".into()),
                ..cmk.clone()
            },
        ] {
            assert!(!other.rotates(), "{other:?}");
        }
    }
}
