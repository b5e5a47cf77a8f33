//! `IamPolicy`: the account's customer managed policies and the AWS managed policies
//! attached to something, with the default version's document decoded and what each is
//! attached to. Everything comes from the one paged `GetAccountAuthorizationDetails`
//! that [`super::iam_user`]'s fetcher makes for the IAM types; this module is also the
//! home of policy documents (decoding, the attached and inline policy shapes the other
//! IAM types embed).

use super::{Collected, EntityType, Read};
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use PropType::{Boolean as B, Json as J, Number as N, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "IamPolicy",
    about: "The account's customer managed policies and the AWS managed policies attached to a user, group or role\n(`GetAccountAuthorizationDetails` `Policies`, one paged call per account shared by the IAM types), with the\ndefault version's document decoded from its URL encoding, and the users, groups and roles it is attached to.\nIAM is global: the entities have `region` `null`.",
    calls: &[super::iam_user::AUTHORIZATION_DETAILS],
    reads: &[] as &[Read],
    properties: PROPERTIES,
    tables: &[],
    build,
};

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &global(identity(
        "`PolicyId`",
        "`\"IamPolicy\"`",
        "`PolicyName`",
        "",
    )),
    OWN,
);

/// The identity of a global IAM entity: `region` is always `null`.
pub const fn global(mut identity: [Property; IDENTITY_LEN]) -> [Property; IDENTITY_LEN] {
    identity[IDENTITY_LEN - 1] = n("region", S, "`null`: IAM is global");
    identity
}

/// What an `IamPolicy` has besides its identity.
const OWN: &[Property] = &[
    p("arn", S, "`Arn`"),
    n("path", S, "`Path`"),
    p(
        "isAwsManaged",
        B,
        "derived: the ARN is in the `aws` account (`arn:aws:iam::aws:policy/...`)",
    ),
    n("defaultVersionId", S, "`DefaultVersionId`"),
    n(
        "document",
        J,
        "`PolicyVersionList[]` `Document` of the default version, URL-decoded and parsed (`Version`, `Statement`, ...)",
    ),
    n("attachmentCount", N, "`AttachmentCount`"),
    n("isAttachable", B, "`IsAttachable`"),
    n("description", S, "`Description`"),
    n("createDate", T, "`CreateDate`"),
    n("updateDate", T, "`UpdateDate`"),
    p(
        "attachedUsers",
        STRINGS,
        "derived: the users whose `AttachedManagedPolicies` name it",
    ),
    p(
        "attachedGroups",
        STRINGS,
        "derived: the groups whose `AttachedManagedPolicies` name it",
    ),
    p(
        "attachedRoles",
        STRINGS,
        "derived: the roles whose `AttachedManagedPolicies` name it",
    ),
    p(
        "isAttached",
        B,
        "derived: attached to a user, group or role of the account",
    ),
];

/// A managed policy as a user, group or role lists it (`managedPolicies[]`).
pub const ATTACHED: &[Property] = &[
    n("name", S, "`AttachedManagedPolicies[]` `PolicyName`"),
    n("arn", S, "`AttachedManagedPolicies[]` `PolicyArn`"),
];

/// An inline policy as a user, group or role lists it (`inlinePolicies[]`).
pub const INLINE: &[Property] = &[
    p("name", S, "`PolicyName`"),
    n(
        "document",
        J,
        "`PolicyDocument`, URL-decoded and parsed",
    ),
];

/// The records: a managed policy.
pub type Record = PolicyRecord;

/// A managed policy (`GetAccountAuthorizationDetails` `Policies[]`), its default
/// version's document decoded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyRecord {
    /// `Arn`.
    pub arn: String,
    /// `PolicyName`.
    pub name: String,
    /// `PolicyId`.
    pub policy_id: Option<String>,
    /// `Path`.
    pub path: Option<String>,
    /// `DefaultVersionId`.
    pub default_version_id: Option<String>,
    /// `AttachmentCount`.
    pub attachment_count: Option<i32>,
    /// `IsAttachable`.
    pub is_attachable: Option<bool>,
    /// `Description`.
    pub description: Option<String>,
    /// `CreateDate` (RFC 3339).
    pub create_date: Option<String>,
    /// `UpdateDate` (RFC 3339).
    pub update_date: Option<String>,
    /// The default version's `Document`, decoded.
    pub document: Option<Json>,
}

impl PolicyRecord {
    /// An AWS managed policy (`arn:<partition>:iam::aws:policy/...`).
    pub fn is_aws_managed(&self) -> bool {
        is_aws_managed_arn(&self.arn)
    }
}

/// `arn:<partition>:iam::aws:policy/...`.
pub fn is_aws_managed_arn(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws")
}

/// A managed policy attached to a user, group or role (`AttachedManagedPolicies[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttachedPolicy {
    /// `PolicyName`.
    pub policy_name: Option<String>,
    /// `PolicyArn`.
    pub policy_arn: Option<String>,
}

impl AttachedPolicy {
    /// As `managedPolicies[]` lists it: `{name, arn}`.
    pub fn to_json(&self) -> Json {
        json!({"name": self.policy_name, "arn": self.policy_arn})
    }
}

/// An inline policy of a user, group or role (`UserPolicyList[]`, ...).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InlinePolicy {
    /// `PolicyName`.
    pub policy_name: String,
    /// `PolicyDocument`, decoded.
    pub document: Option<Json>,
}

impl InlinePolicy {
    /// As `inlinePolicies[]` lists it: `{name, document}`.
    pub fn to_json(&self) -> Json {
        json!({"name": self.policy_name, "document": self.document})
    }
}

/// A user's, group's or role's own policies: `managedPolicies` and `inlinePolicies`.
pub fn insert_policies(
    m: &mut serde_json::Map<String, Json>,
    managed: &[AttachedPolicy],
    inline: &[InlinePolicy],
) {
    let managed = managed.iter().map(AttachedPolicy::to_json).collect();
    let inline = inline.iter().map(InlinePolicy::to_json).collect();
    m.insert("managedPolicies".into(), Json::Array(managed));
    m.insert("inlinePolicies".into(), Json::Array(inline));
}

/// A policy document as IAM returns it: URL-encoded JSON (RFC 3986 percent-encoding;
/// `+` stays `+`). A text that is already JSON is taken as it is (an encoded document
/// never parses as JSON: it starts with `%7B`). A text that is neither stays a string,
/// so nothing is silently dropped.
pub fn decode_document(raw: &str) -> Json {
    if let Ok(doc) = serde_json::from_str::<Json>(raw) {
        return doc;
    }
    crate::text::percent_decode(raw)
        .and_then(|text| serde_json::from_str::<Json>(&text).ok())
        .unwrap_or_else(|| Json::String(raw.to_string()))
}

/// Who a managed policy is attached to, by policy ARN: (users, groups, roles).
pub type Attachments<'a> = BTreeMap<&'a str, [Vec<&'a str>; 3]>;

/// The attachments of every managed policy named by the account's users, groups and
/// roles.
pub fn attachments(c: &Collected) -> Attachments<'_> {
    let mut out: Attachments<'_> = BTreeMap::new();
    let holders = c
        .iam_users
        .iter()
        .map(|u| (0, u.name.as_str(), &u.managed_policies))
        .chain(
            c.iam_groups
                .iter()
                .map(|g| (1, g.name.as_str(), &g.managed_policies)),
        )
        .chain(
            c.iam_roles
                .iter()
                .map(|r| (2, r.name.as_str(), &r.managed_policies)),
        );
    for (slot, name, policies) in holders {
        for arn in policies.iter().filter_map(|a| a.policy_arn.as_deref()) {
            out.entry(arn).or_default()[slot].push(name);
        }
    }
    for lists in out.values_mut() {
        for l in lists.iter_mut() {
            l.sort_unstable();
            l.dedup();
        }
    }
    out
}

/// The collected managed policies by ARN (the documents a user's, group's or role's
/// attached policies resolve to).
pub fn by_arn(c: &Collected) -> BTreeMap<&str, &PolicyRecord> {
    c.iam_policies.iter().map(|p| (p.arn.as_str(), p)).collect()
}

fn build(c: &Collected) -> Vec<Json> {
    let attached = attachments(c);
    let mut list: Vec<&PolicyRecord> = c.iam_policies.iter().collect();
    list.sort_by(|a, b| a.arn.cmp(&b.arn));
    list.iter()
        .map(|pol| {
            let id = pol.policy_id.as_deref().unwrap_or(&pol.arn);
            let mut m = super::global_identity(id, TYPE.name, &pol.name, &c.account_number);
            m.insert("arn".into(), json!(pol.arn));
            m.insert("path".into(), json!(pol.path));
            m.insert("isAwsManaged".into(), json!(pol.is_aws_managed()));
            m.insert("defaultVersionId".into(), json!(pol.default_version_id));
            m.insert("document".into(), pol.document.clone().unwrap_or(Json::Null));
            m.insert("attachmentCount".into(), json!(pol.attachment_count));
            m.insert("isAttachable".into(), json!(pol.is_attachable));
            m.insert("description".into(), json!(pol.description));
            m.insert("createDate".into(), json!(pol.create_date));
            m.insert("updateDate".into(), json!(pol.update_date));
            let empty: [Vec<&str>; 3] = Default::default();
            let [users, groups, roles] = attached.get(pol.arn.as_str()).unwrap_or(&empty);
            m.insert("attachedUsers".into(), json!(users));
            m.insert("attachedGroups".into(), json!(groups));
            m.insert("attachedRoles".into(), json!(roles));
            let any = !(users.is_empty() && groups.is_empty() && roles.is_empty());
            m.insert("isAttached".into(), json!(any));
            Json::Object(m)
        })
        .collect()
}

/// Records with every field set (a customer managed policy granting `*:*`, attached
/// to the example user, group and role), joined with the other types' examples into
/// one account by the schema tests.
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "iamPolicies": [
  {
   "arn": "arn:aws:iam::111111111111:policy/admin",
   "name": "admin",
   "policyId": "ANPA0000000000000001",
   "path": "/",
   "defaultVersionId": "v1",
   "attachmentCount": 3,
   "isAttachable": true,
   "description": "full access",
   "createDate": "2026-01-01T00:00:00Z",
   "updateDate": "2026-01-01T00:00:00Z",
   "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    
    use crate::collect::walk::Fetch;

    /// Nothing of its own: `GetAccountAuthorizationDetails` is made once for every
    /// IAM type by [`crate::collect::types::iam_user`]'s fetcher.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_url_decoded() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGet%2A%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ab%2Fa+b%22%7D%5D%7D";
        let doc = decode_document(encoded);
        assert_eq!(doc["Statement"][0]["Action"], "s3:Get*");
        // `+` is not a space in IAM's encoding.
        assert_eq!(doc["Statement"][0]["Resource"], "arn:aws:s3:::b/a+b");
        // Already JSON (moto): taken as it is, `%` kept.
        let plain = r#"{"Statement":[{"Action":"%*%"}]}"#;
        assert_eq!(decode_document(plain)["Statement"][0]["Action"], "%*%");
        // Neither: kept as text, never dropped.
        assert_eq!(decode_document("%zz"), json!("%zz"));
        assert_eq!(decode_document("%7B"), json!("%7B"));
    }

    #[test]
    fn aws_managed_arns() {
        assert!(is_aws_managed_arn("arn:aws:iam::aws:policy/AWSSupportAccess"));
        assert!(is_aws_managed_arn(
            "arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess"
        ));
        assert!(!is_aws_managed_arn("arn:aws:iam::111111111111:policy/aws"));
    }
}
