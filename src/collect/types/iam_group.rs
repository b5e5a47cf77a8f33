//! `IamGroup`: the account's IAM groups (`GetAccountAuthorizationDetails`
//! `GroupDetailList`, made once for every IAM type by [`super::iam_user`]'s fetcher),
//! with their policies and members.

use super::iam_policy::{self, global, AttachedPolicy, InlinePolicy, ATTACHED, INLINE};
use super::{Collected, EntityType, Read};
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use PropType::{String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "IamGroup",
    about: "The account's IAM groups (`GetAccountAuthorizationDetails` `GroupDetailList`, the call made once per account for\nevery IAM type), with their managed and inline policies and their members. IAM is global: `region` is `null`.",
    calls: &[super::iam_user::AUTHORIZATION_DETAILS],
    reads: &[] as &[Read],
    properties: PROPERTIES,
    tables: &[],
    build,
};

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &global(identity("`GroupId`", "`\"IamGroup\"`", "`GroupName`", "")),
    OWN,
);

const OWN: &[Property] = &[
    p("arn", S, "`Arn`"),
    n("path", S, "`Path`"),
    n("createDate", T, "`CreateDate`"),
    p(
        "managedPolicies",
        PropType::List(&PropType::Object(ATTACHED)),
        "`AttachedManagedPolicies`: `{name, arn}`",
    ),
    p(
        "inlinePolicies",
        PropType::List(&PropType::Object(INLINE)),
        "`GroupPolicyList`: `{name, document}`, the document URL-decoded",
    ),
    p(
        "users",
        STRINGS,
        "derived: the users whose `GroupList` names the group",
    ),
];

/// The records: a group.
pub type Record = GroupRecord;

/// An IAM group (`GroupDetailList[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupRecord {
    /// `GroupName`.
    pub name: String,
    /// `Arn`.
    pub arn: String,
    /// `GroupId`.
    pub group_id: Option<String>,
    /// `Path`.
    pub path: Option<String>,
    /// `CreateDate` (RFC 3339).
    pub create_date: Option<String>,
    /// `AttachedManagedPolicies`.
    #[serde(default)]
    pub managed_policies: Vec<AttachedPolicy>,
    /// `GroupPolicyList`, documents decoded.
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
}

fn build(c: &Collected) -> Vec<Json> {
    let mut list: Vec<&GroupRecord> = c.iam_groups.iter().collect();
    list.sort_by(|a, b| a.arn.cmp(&b.arn));
    list.iter()
        .map(|g| {
            let id = g.group_id.as_deref().unwrap_or(&g.arn);
            let mut m = super::global_identity(id, TYPE.name, &g.name, &c.account_number);
            m.insert("arn".into(), json!(g.arn));
            m.insert("path".into(), json!(g.path));
            m.insert("createDate".into(), json!(g.create_date));
            iam_policy::insert_policies(&mut m, &g.managed_policies, &g.inline_policies);
            let mut users: Vec<&str> = c
                .iam_users
                .iter()
                .filter(|u| u.groups.contains(&g.name))
                .map(|u| u.name.as_str())
                .collect();
            users.sort_unstable();
            m.insert("users".into(), json!(users));
            Json::Object(m)
        })
        .collect()
}

/// Records with every field set (the group of the example user), joined with the
/// other types' examples into one account by the schema tests.
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "iamGroups": [
  {
   "name": "admins",
   "arn": "arn:aws:iam::111111111111:group/admins",
   "groupId": "AGPA0000000000000001",
   "path": "/",
   "createDate": "2026-01-01T00:00:00Z",
   "managedPolicies": [{"policyName": "admin", "policyArn": "arn:aws:iam::111111111111:policy/admin"}],
   "inlinePolicies": [{"policyName": "deny-delete", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"}]}}]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::{from_sdk, Fetcher};

#[cfg(feature = "aws")]
mod fetch {
    use super::GroupRecord;
    use crate::collect::convert::{owned, timestamp};
    use crate::collect::types::iam_user::{attached, inline};
    use crate::collect::walk::Fetch;
    use aws_sdk_iam::types::GroupDetail;

    /// Nothing of its own: `GetAccountAuthorizationDetails` is made once for every
    /// IAM type by `IamUser`'s fetcher, which converts the groups here.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {
    }

    /// `GroupDetailList[]` item.
    pub(crate) fn from_sdk(g: &GroupDetail) -> GroupRecord {
        GroupRecord {
            name: g.group_name().unwrap_or_default().to_string(),
            arn: g.arn().unwrap_or_default().to_string(),
            group_id: owned(g.group_id()),
            path: owned(g.path()),
            create_date: timestamp(g.create_date()),
            managed_policies: g.attached_managed_policies().iter().map(attached).collect(),
            inline_policies: g.group_policy_list().iter().map(inline).collect(),
        }
    }
}
