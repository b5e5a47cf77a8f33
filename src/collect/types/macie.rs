//! `Macie`: whether Amazon Macie is enabled, one entity per collected region
//! (`GetMacieSession`; "not enabled" is a fact, not an error).

use super::{Call, Collected, EntityType, Read, Scope};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use PropType::{Boolean as B, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "Macie",
    about: "Amazon Macie in each collected region: one entity per region (`GetMacieSession`). A region where Macie\nis not enabled (`AccessDeniedException` saying so, or `ResourceNotFoundException`) has an entity with\n`enabled` false; a region where the call is refused otherwise has none, and its error makes the type\n`unknown` there.",
    calls: &[Call {
        service: Service::Macie,
        operation: "GetMacieSession",
        scope: Scope::Region,
        paged: false,
    }],
    reads: &[] as &[Read],
    properties: PROPERTIES,
    tables: &[],
    build,
};

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "constructed: `arn:<partition>:macie2:<region>:<account>:session`",
        "`\"Macie\"`",
        "`\"macie\"`",
        "the region",
    ),
    OWN,
);

/// What a `Macie` has besides its identity.
const OWN: &[Property] = &[
    p("enabled", B, "derived: `status` = `ENABLED`"),
    n("status", S, "`status` (`ENABLED`, `PAUSED`; null when not enabled)"),
    n("findingPublishingFrequency", S, "`findingPublishingFrequency`"),
    n("serviceRole", S, "`serviceRole`"),
    n("createdAt", T, "`createdAt`"),
    n("updatedAt", T, "`updatedAt`"),
];

/// The records: one a region.
pub type Record = MacieRecord;

/// Macie in one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MacieRecord {
    /// The region.
    pub region: String,
    /// `status` (`None`: not enabled).
    pub status: Option<String>,
    /// `findingPublishingFrequency`.
    pub finding_publishing_frequency: Option<String>,
    /// `serviceRole`.
    pub service_role: Option<String>,
    /// `createdAt`, RFC 3339.
    pub created_at: Option<String>,
    /// `updatedAt`, RFC 3339.
    pub updated_at: Option<String>,
}

fn build(c: &Collected) -> Vec<Json> {
    let mut list: Vec<&MacieRecord> = c.macie_sessions.iter().collect();
    list.sort_by(|a, b| a.region.cmp(&b.region));
    list.into_iter()
        .map(|r| {
            let id = format!(
                "arn:{}:macie2:{}:{}:session",
                crate::collect::graph::partition_of(&r.region),
                r.region,
                c.account_number
            );
            let mut m = super::identity(&id, TYPE.name, "macie", &c.account_number, &r.region);
            m.insert(
                "enabled".into(),
                json!(r.status.as_deref() == Some("ENABLED")),
            );
            m.insert("status".into(), json!(r.status));
            m.insert(
                "findingPublishingFrequency".into(),
                json!(r.finding_publishing_frequency),
            );
            m.insert("serviceRole".into(), json!(r.service_role));
            m.insert("createdAt".into(), json!(r.created_at));
            m.insert("updatedAt".into(), json!(r.updated_at));
            Json::Object(m)
        })
        .collect()
}

/// Whether a failed `GetMacieSession` says Macie is not enabled (a fact): moto answers
/// `ResourceNotFoundException`, AWS `AccessDeniedException` "Macie is not enabled".
pub fn not_enabled(code: &str, message: &str) -> bool {
    code == "ResourceNotFoundException"
        || (code == "AccessDeniedException" && message.to_lowercase().contains("not enabled"))
}

/// Records with every field set (Macie enabled), joined with the other types' examples
/// into one account by the tests that hold the schema to what `build` writes
/// (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "macieSessions": [
  {
   "region": "us-east-1",
   "status": "ENABLED",
   "findingPublishingFrequency": "FIFTEEN_MINUTES",
   "serviceRole": "arn:aws:iam::111111111111:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie",
   "createdAt": "2026-01-01T00:00:00Z",
   "updatedAt": "2026-01-01T00:00:00Z"
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{not_enabled, MacieRecord};
    use crate::collect::convert::{owned, timestamp};
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_macie2::Client;
    use futures::future::BoxFuture;

    /// GetMacieSession in each region.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let result = w
                    .s
                    .call(
                        Service::Macie,
                        "GetMacieSession",
                        client.get_macie_session().send(),
                    )
                    .await;
                let record = match result {
                    Ok(out) => MacieRecord {
                        region: region.to_string(),
                        status: out.status().map(|s| s.as_str().to_string()),
                        finding_publishing_frequency: out
                            .finding_publishing_frequency()
                            .map(|f| f.as_str().to_string()),
                        service_role: owned(out.service_role()),
                        created_at: timestamp(out.created_at()),
                        updated_at: timestamp(out.updated_at()),
                    },
                    Err(f) if not_enabled(&f.code, &f.message) => MacieRecord {
                        region: region.to_string(),
                        ..Default::default()
                    },
                    Err(f) => {
                        w.s.record(region, Service::Macie, "GetMacieSession", f, false);
                        return true;
                    }
                };
                w.write(|c| c.macie_sessions.push(record));
                true
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_enabled_is_a_fact_other_refusals_are_not() {
        assert!(not_enabled("ResourceNotFoundException", "x"));
        assert!(not_enabled(
            "AccessDeniedException",
            "Macie is not enabled for this account"
        ));
        assert!(!not_enabled(
            "AccessDeniedException",
            "User is not authorized to perform macie2:GetMacieSession"
        ));
    }
}
