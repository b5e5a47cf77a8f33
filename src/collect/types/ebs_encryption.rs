//! `EbsEncryptionByDefault`: one entity per collected region, whether new EBS volumes
//! there are encrypted by default (`GetEbsEncryptionByDefault`). The setting is a
//! region's, not a volume's, so it is an entity of its own (name: the region), which a
//! rule over "every region" checks one by one (CIS 5.1.1).

use super::{Call, Collected, EntityType, Read, Scope};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use PropType::{Boolean as B, String as S};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "EbsEncryptionByDefault",
    about: "One entity per collected region (name: the region): whether EBS encryption by default is on there\n(`GetEbsEncryptionByDefault`). A region whose call failed has no entity, and the error makes the rules over\nthe type `unknown` there.",
    calls: &[GET_EBS_ENCRYPTION_BY_DEFAULT],
    reads: &[] as &[Read],
    properties: PROPERTIES,
    tables: &[],
    build,
};

/// GetEbsEncryptionByDefault.
pub const GET_EBS_ENCRYPTION_BY_DEFAULT: Call = Call {
    service: Service::Ec2,
    operation: "GetEbsEncryptionByDefault",
    scope: Scope::Region,
    paged: false,
};

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`arn:<partition>:ec2:<region>:<account>:ebs-encryption-by-default`",
        "`\"EbsEncryptionByDefault\"`",
        "the region",
        "the region",
    ),
    OWN,
);

const OWN: &[Property] = &[
    p("enabled", B, "`EbsEncryptionByDefault`"),
    n("sseType", S, "`SseType`"),
];

/// The records: one per region answered.
pub type Record = EbsDefaultRecord;

/// GetEbsEncryptionByDefault in one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EbsDefaultRecord {
    /// The region.
    pub region: String,
    /// `EbsEncryptionByDefault`.
    pub enabled: bool,
    /// `SseType`.
    pub sse_type: Option<String>,
}

fn build(c: &Collected) -> Vec<Json> {
    let mut list: Vec<&EbsDefaultRecord> = c.ebs_encryption.iter().collect();
    list.sort_by(|a, b| a.region.cmp(&b.region));
    list.iter()
        .map(|r| {
            // Unique in a snapshot of many accounts: the account and region are in it.
            let id = format!(
                "arn:{}:ec2:{}:{}:ebs-encryption-by-default",
                crate::collect::graph::partition_of(&r.region),
                r.region,
                c.account_number
            );
            let mut m = super::identity(&id, TYPE.name, &r.region, &c.account_number, &r.region);
            m.insert("enabled".into(), Json::Bool(r.enabled));
            m.insert("sseType".into(), json!(r.sse_type));
            Json::Object(m)
        })
        .collect()
}

/// Records with every field set, joined with the other types' examples into one
/// account by the tests that hold the schema to what `build` writes
/// (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "ebsEncryption": [
  {"region": "us-east-1", "enabled": true, "sseType": "sse-ebs"}
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::EbsDefaultRecord;
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_ec2::Client;
    use futures::future::BoxFuture;

    /// GetEbsEncryptionByDefault in each region.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let op = "GetEbsEncryptionByDefault";
                match w
                    .s
                    .call(Service::Ec2, op, client.get_ebs_encryption_by_default().send())
                    .await
                {
                    Ok(out) => {
                        let record = EbsDefaultRecord {
                            region: region.to_string(),
                            enabled: out.ebs_encryption_by_default().unwrap_or(false),
                            sse_type: out.sse_type().map(|t| t.as_str().to_string()),
                        };
                        w.write(|c| c.ebs_encryption.push(record));
                    }
                    Err(f) => w.s.record(region, Service::Ec2, op, f, false),
                }
                true
            })
        }
    }
}
