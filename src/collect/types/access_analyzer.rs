//! `AccessAnalyzer`: IAM Access Analyzer in each collected region (`ListAnalyzers`):
//! one entity per region whose analyzers were listed, with the analyzers and whether
//! one of them watches external access.

use super::{Call, Collected, EntityType, Read, Scope};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use PropType::{Boolean as B, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "AccessAnalyzer",
    about: "IAM Access Analyzer in each collected region: one entity per region whose analyzers were listed\n(`ListAnalyzers`), with every analyzer and `externalAccessEnabled`. A region where the listing failed has no entity\n(the error is recorded and rules over `AccessAnalyzer` are `unknown` there).",
    calls: &[Call {
        service: Service::AccessAnalyzer,
        operation: "ListAnalyzers",
        scope: Scope::Region,
        paged: true,
    }],
    reads: &[] as &[Read],
    properties: PROPERTIES,
    tables: &[(
        "analyzers",
        "`analyzers[]` (`ListAnalyzers` `analyzers`):",
    )],
    build,
};

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`arn:<partition>:access-analyzer:<region>:<account>:analyzers`",
        "`\"AccessAnalyzer\"`",
        "the region",
        "the region",
    ),
    OWN,
);

const OWN: &[Property] = &[
    p(
        "analyzers",
        PropType::List(&PropType::Object(ANALYZER)),
        "`ListAnalyzers` `analyzers` (below)",
    ),
    p(
        "externalAccessEnabled",
        B,
        "derived: an analyzer of type `ACCOUNT` or `ORGANIZATION` (external access) is `ACTIVE`",
    ),
];

const ANALYZER: &[Property] = &[
    p("name", S, "`name`"),
    p("arn", S, "`arn`"),
    p(
        "type",
        S,
        "`type`: `ACCOUNT`, `ORGANIZATION`, `ACCOUNT_UNUSED_ACCESS`, ...",
    ),
    p("status", S, "`status`: `ACTIVE`, `CREATING`, `DISABLED`, `FAILED`"),
    n("statusReason", S, "`statusReason` `code`"),
    n("createdAt", T, "`createdAt`"),
    n("lastResourceAnalyzed", S, "`lastResourceAnalyzed`"),
    n("lastResourceAnalyzedAt", T, "`lastResourceAnalyzedAt`"),
];

/// The records: the analyzers of one region.
pub type Record = RegionAnalyzers;

/// The analyzers of one region (`ListAnalyzers`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegionAnalyzers {
    /// The region.
    pub region: String,
    /// `analyzers[]`.
    #[serde(default)]
    pub analyzers: Vec<Analyzer>,
}

/// `ListAnalyzers` `analyzers[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Analyzer {
    /// `name`.
    pub name: String,
    /// `arn`.
    pub arn: String,
    /// `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `status`.
    pub status: String,
    /// `statusReason` `code`.
    pub status_reason: Option<String>,
    /// `createdAt` (RFC 3339).
    pub created_at: Option<String>,
    /// `lastResourceAnalyzed`.
    pub last_resource_analyzed: Option<String>,
    /// `lastResourceAnalyzedAt` (RFC 3339).
    pub last_resource_analyzed_at: Option<String>,
}

impl Analyzer {
    /// An active analyzer of external access (zone of trust: the account or the
    /// organization).
    pub fn watches_external_access(&self) -> bool {
        self.status == "ACTIVE" && matches!(self.kind.as_str(), "ACCOUNT" | "ORGANIZATION")
    }
}

fn build(c: &Collected) -> Vec<Json> {
    let mut list: Vec<&RegionAnalyzers> = c.access_analyzers.iter().collect();
    list.sort_by(|a, b| a.region.cmp(&b.region));
    list.iter()
        .map(|r| {
            // Unique in a snapshot of many accounts: the account and region are in it.
            let id = format!(
                "arn:{}:access-analyzer:{}:{}:analyzers",
                crate::collect::graph::partition_of(&r.region),
                r.region,
                c.account_number
            );
            let mut m = super::identity(&id, TYPE.name, &r.region, &c.account_number, &r.region);
            m.insert("analyzers".into(), super::to_json(&r.analyzers));
            m.insert(
                "externalAccessEnabled".into(),
                json!(r.analyzers.iter().any(Analyzer::watches_external_access)),
            );
            Json::Object(m)
        })
        .collect()
}

/// Records with every field set (an active account analyzer), joined with the other
/// types' examples into one account by the schema tests.
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "accessAnalyzers": [
  {
   "region": "us-east-1",
   "analyzers": [
    {
     "name": "account", "arn": "arn:aws:access-analyzer:us-east-1:111111111111:analyzer/account",
     "type": "ACCOUNT", "status": "ACTIVE", "statusReason": "AWS_SERVICE_ACCESS_DISABLED",
     "createdAt": "2026-01-01T00:00:00Z", "lastResourceAnalyzed": "arn:aws:s3:::b",
     "lastResourceAnalyzedAt": "2026-01-02T00:00:00Z"
    }
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{Analyzer, RegionAnalyzers};
    use crate::collect::convert::{owned, timestamp};
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_accessanalyzer::Client;
    use futures::future::BoxFuture;

    /// `ListAnalyzers` in each region.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let mut analyzers = Vec::new();
                let listed = w
                    .s
                    .paginate_in(
                        region,
                        Service::AccessAnalyzer,
                        "ListAnalyzers",
                        |token| client.list_analyzers().set_next_token(token).send(),
                        |p| {
                            analyzers.extend(p.analyzers().iter().map(|a| Analyzer {
                                name: a.name().to_string(),
                                arn: a.arn().to_string(),
                                kind: a.r#type().as_str().to_string(),
                                status: a.status().as_str().to_string(),
                                status_reason: a
                                    .status_reason()
                                    .map(|r| r.code().as_str().to_string()),
                                created_at: timestamp(Some(a.created_at())),
                                last_resource_analyzed: owned(a.last_resource_analyzed()),
                                last_resource_analyzed_at: timestamp(
                                    a.last_resource_analyzed_at(),
                                ),
                            }));
                            p.next_token().map(str::to_string)
                        },
                    )
                    .await;
                if listed {
                    w.write(|c| {
                        c.access_analyzers.push(RegionAnalyzers {
                            region: region.to_string(),
                            analyzers,
                        })
                    });
                }
                true
            })
        }
    }
}
