//! `IamRole`: the account's IAM roles (`GetAccountAuthorizationDetails`
//! `RoleDetailList`, made once for every IAM type by [`super::iam_user`]'s fetcher),
//! with their trust policy and permission policies decoded.

use super::cloud_trail::{Tag, TAG};
use super::iam_policy::{self, global, AttachedPolicy, InlinePolicy, ATTACHED, INLINE};
use super::{Collected, EntityType, Read};
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use PropType::{Json as J, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "IamRole",
    about: "The account's IAM roles (`GetAccountAuthorizationDetails` `RoleDetailList`, the call made once per account for\nevery IAM type), with the trust policy and the inline policies decoded from their URL encoding. IAM is global:\n`region` is `null`.",
    calls: &[super::iam_user::AUTHORIZATION_DETAILS],
    reads: &[] as &[Read],
    properties: PROPERTIES,
    tables: &[],
    build,
};

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &global(identity("`RoleId`", "`\"IamRole\"`", "`RoleName`", "")),
    OWN,
);

const OWN: &[Property] = &[
    p("arn", S, "`Arn`"),
    n("path", S, "`Path`"),
    n("createDate", T, "`CreateDate`"),
    n(
        "assumeRolePolicy",
        J,
        "`AssumeRolePolicyDocument`, URL-decoded and parsed (the trust policy)",
    ),
    p(
        "managedPolicies",
        PropType::List(&PropType::Object(ATTACHED)),
        "`AttachedManagedPolicies`: `{name, arn}`",
    ),
    p(
        "inlinePolicies",
        PropType::List(&PropType::Object(INLINE)),
        "`RolePolicyList`: `{name, document}`, the document URL-decoded",
    ),
    p(
        "instanceProfiles",
        STRINGS,
        "`InstanceProfileList[]` `InstanceProfileName`",
    ),
    n(
        "permissionsBoundary",
        S,
        "`PermissionsBoundary` `PermissionsBoundaryArn`",
    ),
    n(
        "lastUsedDate",
        T,
        "`RoleLastUsed` `LastUsedDate` (`null`: not used in the period AWS tracks)",
    ),
    n("lastUsedRegion", S, "`RoleLastUsed` `Region`"),
    p(
        "tags",
        PropType::List(&PropType::Object(TAG)),
        "`Tags`: `{key, value}`",
    ),
];

/// The records: a role.
pub type Record = RoleRecord;

/// An IAM role (`RoleDetailList[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleRecord {
    /// `RoleName`.
    pub name: String,
    /// `Arn`.
    pub arn: String,
    /// `RoleId`.
    pub role_id: Option<String>,
    /// `Path`.
    pub path: Option<String>,
    /// `CreateDate` (RFC 3339).
    pub create_date: Option<String>,
    /// `AssumeRolePolicyDocument`, decoded.
    pub assume_role_policy: Option<Json>,
    /// `AttachedManagedPolicies`.
    #[serde(default)]
    pub managed_policies: Vec<AttachedPolicy>,
    /// `RolePolicyList`, documents decoded.
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
    /// `InstanceProfileList[]` `InstanceProfileName`.
    #[serde(default)]
    pub instance_profiles: Vec<String>,
    /// `PermissionsBoundary` `PermissionsBoundaryArn`.
    pub permissions_boundary: Option<String>,
    /// `RoleLastUsed` `LastUsedDate` (RFC 3339).
    pub last_used_date: Option<String>,
    /// `RoleLastUsed` `Region`.
    pub last_used_region: Option<String>,
    /// `Tags`.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

fn build(c: &Collected) -> Vec<Json> {
    let mut list: Vec<&RoleRecord> = c.iam_roles.iter().collect();
    list.sort_by(|a, b| a.arn.cmp(&b.arn));
    list.iter()
        .map(|r| {
            let id = r.role_id.as_deref().unwrap_or(&r.arn);
            let mut m = super::global_identity(id, TYPE.name, &r.name, &c.account_number);
            m.insert("arn".into(), json!(r.arn));
            m.insert("path".into(), json!(r.path));
            m.insert("createDate".into(), json!(r.create_date));
            m.insert(
                "assumeRolePolicy".into(),
                r.assume_role_policy.clone().unwrap_or(Json::Null),
            );
            iam_policy::insert_policies(&mut m, &r.managed_policies, &r.inline_policies);
            m.insert("instanceProfiles".into(), json!(r.instance_profiles));
            m.insert("permissionsBoundary".into(), json!(r.permissions_boundary));
            m.insert("lastUsedDate".into(), json!(r.last_used_date));
            m.insert("lastUsedRegion".into(), json!(r.last_used_region));
            m.insert("tags".into(), super::to_json(&r.tags));
            Json::Object(m)
        })
        .collect()
}

/// Records with every field set (a support role), joined with the other types'
/// examples into one account by the schema tests.
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "iamRoles": [
  {
   "name": "support",
   "arn": "arn:aws:iam::111111111111:role/support",
   "roleId": "AROA0000000000000001",
   "path": "/",
   "createDate": "2026-01-01T00:00:00Z",
   "assumeRolePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]},
   "managedPolicies": [
    {"policyName": "AWSSupportAccess", "policyArn": "arn:aws:iam::aws:policy/AWSSupportAccess"},
    {"policyName": "admin", "policyArn": "arn:aws:iam::111111111111:policy/admin"}
   ],
   "inlinePolicies": [{"policyName": "read", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}}],
   "instanceProfiles": ["support-profile"],
   "permissionsBoundary": "arn:aws:iam::111111111111:policy/boundary",
   "lastUsedDate": "2026-02-01T00:00:00Z",
   "lastUsedRegion": "us-east-1",
   "tags": [{"key": "team", "value": "ops"}]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::{from_sdk, Fetcher};

#[cfg(feature = "aws")]
mod fetch {
    use super::RoleRecord;
    use crate::collect::convert::{owned, timestamp};
    use crate::collect::types::iam_policy::decode_document;
    use crate::collect::types::iam_user::{attached, inline, tag};
    use crate::collect::walk::Fetch;
    use aws_sdk_iam::types::RoleDetail;

    /// Nothing of its own: `GetAccountAuthorizationDetails` is made once for every
    /// IAM type by `IamUser`'s fetcher, which converts the roles here.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {
    }

    /// `RoleDetailList[]` item.
    pub(crate) fn from_sdk(r: &RoleDetail) -> RoleRecord {
        RoleRecord {
            name: r.role_name().unwrap_or_default().to_string(),
            arn: r.arn().unwrap_or_default().to_string(),
            role_id: owned(r.role_id()),
            path: owned(r.path()),
            create_date: timestamp(r.create_date()),
            assume_role_policy: r.assume_role_policy_document().map(decode_document),
            managed_policies: r.attached_managed_policies().iter().map(attached).collect(),
            inline_policies: r.role_policy_list().iter().map(inline).collect(),
            instance_profiles: r
                .instance_profile_list()
                .iter()
                .map(|p| p.instance_profile_name().to_string())
                .collect(),
            permissions_boundary: r
                .permissions_boundary()
                .and_then(|b| owned(b.permissions_boundary_arn())),
            last_used_date: r
                .role_last_used()
                .and_then(|u| timestamp(u.last_used_date())),
            last_used_region: r.role_last_used().and_then(|u| owned(u.region())),
            tags: r.tags().iter().map(tag).collect(),
        }
    }
}
