//! `SecurityHub`: whether AWS Security Hub is enabled, one entity per collected region
//! (`DescribeHub`; "not subscribed" is a fact, not an error).

use super::{Call, Collected, EntityType, Read, Scope};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use PropType::{Boolean as B, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "SecurityHub",
    about: "AWS Security Hub in each collected region: one entity per region (`DescribeHub`). A region where the\naccount is not subscribed (`InvalidAccessException`) has an entity with `enabled` false; a region where the\ncall is refused otherwise has none, and its error makes the type `unknown` there.",
    calls: &[Call {
        service: Service::SecurityHub,
        operation: "DescribeHub",
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
        "`HubArn` (`arn:<partition>:securityhub:<region>:<account>:hub/default` when not enabled)",
        "`\"SecurityHub\"`",
        "`\"default\"`",
        "the region",
    ),
    OWN,
);

/// What a `SecurityHub` has besides its identity.
const OWN: &[Property] = &[
    p(
        "enabled",
        B,
        "derived: `DescribeHub` answered (`false` on `InvalidAccessException`: not subscribed)",
    ),
    n("hubArn", S, "`HubArn`"),
    n("subscribedAt", T, "`SubscribedAt`"),
    n("autoEnableControls", B, "`AutoEnableControls`"),
    n(
        "controlFindingGenerator",
        S,
        "`ControlFindingGenerator` (`SECURITY_CONTROL`, `STANDARD_CONTROL`)",
    ),
];

/// The records: one a region.
pub type Record = HubRecord;

/// Security Hub in one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HubRecord {
    /// The region.
    pub region: String,
    /// Subscribed.
    pub enabled: bool,
    /// `HubArn`.
    pub hub_arn: Option<String>,
    /// `SubscribedAt`, RFC 3339.
    pub subscribed_at: Option<String>,
    /// `AutoEnableControls`.
    pub auto_enable_controls: Option<bool>,
    /// `ControlFindingGenerator`.
    pub control_finding_generator: Option<String>,
}

fn build(c: &Collected) -> Vec<Json> {
    let mut list: Vec<&HubRecord> = c.security_hubs.iter().collect();
    list.sort_by(|a, b| a.region.cmp(&b.region));
    list.into_iter()
        .map(|h| {
            let id = h.hub_arn.clone().unwrap_or_else(|| {
                format!(
                    "arn:{}:securityhub:{}:{}:hub/default",
                    crate::collect::graph::partition_of(&h.region),
                    h.region,
                    c.account_number
                )
            });
            let mut m = super::identity(&id, TYPE.name, "default", &c.account_number, &h.region);
            m.insert("enabled".into(), json!(h.enabled));
            m.insert("hubArn".into(), json!(h.hub_arn));
            m.insert("subscribedAt".into(), json!(h.subscribed_at));
            m.insert("autoEnableControls".into(), json!(h.auto_enable_controls));
            m.insert(
                "controlFindingGenerator".into(),
                json!(h.control_finding_generator),
            );
            Json::Object(m)
        })
        .collect()
}

/// Records with every field set (an enabled hub), joined with the other types'
/// examples into one account by the tests that hold the schema to what `build` writes
/// (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "securityHubs": [
  {
   "region": "us-east-1",
   "enabled": true,
   "hubArn": "arn:aws:securityhub:us-east-1:111111111111:hub/default",
   "subscribedAt": "2026-01-01T00:00:00Z",
   "autoEnableControls": true,
   "controlFindingGenerator": "SECURITY_CONTROL"
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::HubRecord;
    use crate::collect::convert::owned;
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_securityhub::Client;
    use futures::future::BoxFuture;

    /// DescribeHub in each region.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let result = w
                    .s
                    .call(
                        Service::SecurityHub,
                        "DescribeHub",
                        client.describe_hub().send(),
                    )
                    .await;
                let record = match result {
                    Ok(out) => HubRecord {
                        region: region.to_string(),
                        enabled: true,
                        hub_arn: owned(out.hub_arn()),
                        // A string in the API (ISO 8601), kept as given.
                        subscribed_at: owned(out.subscribed_at()),
                        auto_enable_controls: out.auto_enable_controls(),
                        control_finding_generator: out
                            .control_finding_generator()
                            .map(|g| g.as_str().to_string()),
                    },
                    Err(f) if f.code == "InvalidAccessException" => HubRecord {
                        region: region.to_string(),
                        ..Default::default()
                    },
                    Err(f) => {
                        w.s.record(region, Service::SecurityHub, "DescribeHub", f, false);
                        return true;
                    }
                };
                w.write(|c| c.security_hubs.push(record));
                true
            })
        }
    }
}
