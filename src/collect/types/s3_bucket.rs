//! `S3Bucket`: every bucket of the account (`ListBuckets`, once per account: the
//! listing is global), each with its settings read in its own region, and the
//! account's public access block (S3 Control, once per account) embedded in every
//! bucket. `isPublic` is derived from the ACL, the policy and the blocks.

use super::{Call, Collected, EntityType, Read, Scope, When};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};
use PropType::{Boolean as B, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "S3Bucket",
    about: "Every bucket the account owns (`ListBuckets`, once per account), with its ACL, policy, versioning,\ndefault encryption, access logging, public access block and tags, each read in the bucket's region\n(`GetBucketLocation`), and the account's public access block (S3 Control `GetPublicAccessBlock`, once per\naccount). A configuration that does not exist (no policy, no encryption rule, no block, no tags) is a\nfact, not an error; a refused call is recorded and leaves the type `unknown` in the bucket's region.",
    calls: CALLS,
    reads: &[] as &[Read],
    properties: PROPERTIES,
    tables: &[
        ("acl", "`acl` (`GetBucketAcl`):"),
        ("acl.grants", "`acl.grants[]`, one per grant, CloudGuard's flattened form:"),
        ("versioning", "`versioning` (`GetBucketVersioning`):"),
        ("logging", "`logging` (`GetBucketLogging`):"),
        (
            "encryption.serverSideEncryptionRules",
            "`encryption.serverSideEncryptionRules[]` (`GetBucketEncryption` `Rules[]`):",
        ),
        (
            "publicAccessBlock",
            "`publicAccessBlock`, `accountPublicAccessBlock` and `effectivePublicAccessBlock` (each):",
        ),
        (
            "encryption.serverSideEncryptionRules.serverSideEncryptionByDefault",
            "`serverSideEncryptionByDefault` of a rule:",
        ),
        ("policy", "`policy` (`GetBucketPolicy`, the document as written):"),
        (
            "policy.Statement",
            "`policy.Statement[]` (the document as written; `Action`, `Resource`, `Principal` may be a string or a list / object):",
        ),
    ],
    build,
};

/// The global listing.
pub const LIST_BUCKETS: Call = Call {
    service: Service::S3,
    operation: "ListBuckets",
    scope: Scope::Account,
    paged: true,
};

const fn per_bucket(operation: &'static str) -> Call {
    Call {
        service: Service::S3,
        operation,
        scope: Scope::Each("bucket, in its region"),
        paged: false,
    }
}

/// `GetBucketLocation` (the bucket's region).
pub const GET_BUCKET_LOCATION: Call = per_bucket("GetBucketLocation");
/// `GetBucketAcl`.
pub const GET_BUCKET_ACL: Call = per_bucket("GetBucketAcl");
/// `GetBucketPolicy`.
pub const GET_BUCKET_POLICY: Call = per_bucket("GetBucketPolicy");
/// `GetBucketLogging`.
pub const GET_BUCKET_LOGGING: Call = per_bucket("GetBucketLogging");
/// `GetPublicAccessBlock` of a bucket.
pub const GET_BUCKET_BLOCK: Call = per_bucket("GetPublicAccessBlock");
/// The account's public access block.
pub const GET_ACCOUNT_BLOCK: Call = Call {
    service: Service::S3Control,
    operation: "GetPublicAccessBlock",
    scope: Scope::Account,
    paged: false,
};

const CALLS: &[Call] = &[
    LIST_BUCKETS,
    GET_BUCKET_LOCATION,
    GET_BUCKET_ACL,
    GET_BUCKET_POLICY,
    per_bucket("GetBucketVersioning"),
    per_bucket("GetBucketEncryption"),
    GET_BUCKET_LOGGING,
    GET_BUCKET_BLOCK,
    per_bucket("GetBucketTagging"),
    GET_ACCOUNT_BLOCK,
];

/// What the trails' bucket join reads (`CloudTrail.s3Bucket`).
pub const JOINED: &[Read] = &[
    LIST_BUCKETS.read(When::Always),
    GET_BUCKET_LOCATION.read(When::Always),
    GET_BUCKET_ACL.read(When::Always),
    GET_BUCKET_POLICY.read(When::Always),
    GET_BUCKET_LOGGING.read(When::Always),
    GET_BUCKET_BLOCK.read(When::Always),
    GET_ACCOUNT_BLOCK.read(When::Always),
];

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`ListBuckets` `Name`",
        "`\"S3Bucket\"`",
        "`Name`",
        "`GetBucketLocation` `LocationConstraint` (none: `us-east-1`, `EU`: `eu-west-1`)",
    ),
    OWN,
);

const GRANT: &[Property] = &[
    n("canonicalUser", S, "`Grantee.ID`"),
    n("displayName", S, "`Grantee.DisplayName`"),
    n("emailAddress", S, "`Grantee.EmailAddress`"),
    n("premission", S, "`Permission` (CloudGuard's spelling)"),
    n("permission", S, "`Permission`"),
    n(
        "premissionHeaderName",
        S,
        "the grant header of the permission (`x-amz-grant-read`, ...; CloudGuard's spelling)",
    ),
    n(
        "type",
        S,
        "`Grantee.Type` (`CanonicalUser`, `Group`, `AmazonCustomerByEmail`)",
    ),
    n("uri", S, "`Grantee.URI` (a group: `http://acs.amazonaws.com/groups/global/AllUsers`, ...)"),
];

const ACL: &[Property] = &[
    p(
        "grants",
        PropType::List(&PropType::Object(GRANT)),
        "`Grants[]` (below)",
    ),
    n("ownerDisplayName", S, "`Owner.DisplayName`"),
    n("ownerId", S, "`Owner.ID`"),
];

const VERSIONING: &[Property] = &[
    p(
        "status",
        S,
        "`Status` (`Enabled`, `Suspended`; `Off` when never enabled)",
    ),
    p("mfaDelete", B, "`MFADelete` = `Enabled`"),
];

const LOGGING: &[Property] = &[
    p("enabled", B, "`LoggingEnabled` is present"),
    n("targetBucketName", S, "`LoggingEnabled.TargetBucket`"),
    n("targetPrefix", S, "`LoggingEnabled.TargetPrefix`"),
];

const SSE_DEFAULT: &[Property] = &[
    p("serverSideEncryptionAlgorithm", S, "`SSEAlgorithm`"),
    n(
        "serverSideEncryptionKeyManagementServiceKeyId",
        S,
        "`KMSMasterKeyID`",
    ),
];

const SSE_RULE: &[Property] = &[
    n(
        "serverSideEncryptionByDefault",
        PropType::Object(SSE_DEFAULT),
        "`ApplyServerSideEncryptionByDefault`",
    ),
    n("bucketKeyEnabled", B, "`BucketKeyEnabled`"),
];

const ENCRYPTION: &[Property] = &[p(
    "serverSideEncryptionRules",
    PropType::List(&PropType::Object(SSE_RULE)),
    "`ServerSideEncryptionConfiguration.Rules[]` (`[]`: no default encryption configured)",
)];

/// A public access block (bucket, account or effective).
const BLOCK: &[Property] = &[
    p("blockPublicAcls", B, "`BlockPublicAcls`"),
    p("ignorePublicAcls", B, "`IgnorePublicAcls`"),
    p("blockPublicPolicy", B, "`BlockPublicPolicy`"),
    p("restrictPublicBuckets", B, "`RestrictPublicBuckets`"),
];

const J: PropType = PropType::Json;

const STATEMENT: &[Property] = &[
    n("Sid", S, "`Sid`"),
    n("Effect", S, "`Effect`"),
    // The policy grammar lets each of these be one string or a list (and a principal
    // `"*"` or an object of lists): kept as written, so typed as any JSON value.
    n("Principal", J, "`Principal` (`\"*\"` or an object of a string or a list per kind)"),
    n("NotPrincipal", J, "`NotPrincipal` (as `Principal`)"),
    n("Action", J, "`Action` (a string or a list)"),
    n("NotAction", J, "`NotAction` (a string or a list)"),
    n("Resource", J, "`Resource` (a string or a list)"),
    n("NotResource", J, "`NotResource` (a string or a list)"),
    n(
        "Condition",
        PropType::Map(&PropType::Map(&STRINGS)),
        "`Condition`: operator → key → value(s)",
    ),
];

/// A resource policy document as written (`Version`, `Id`, `Statement`): what
/// `Lambda`'s `policy` is too.
pub const POLICY: &[Property] = &[
    n("Version", S, "`Version`"),
    n("Id", S, "`Id`"),
    p(
        "Statement",
        PropType::List(&PropType::Object(STATEMENT)),
        "`Statement` (a list, or one statement object)",
    ),
];

/// What an `S3Bucket` has besides its identity.
const OWN: &[Property] = &[
    n("creationDate", T, "`ListBuckets` `CreationDate`"),
    n(
        "acl",
        PropType::Object(ACL),
        "`GetBucketAcl` (below); null if the call failed",
    ),
    n(
        "policy",
        PropType::Object(POLICY),
        "`GetBucketPolicy` `Policy`, parsed JSON; null: no policy (`NoSuchBucketPolicy`) or not collected",
    ),
    n(
        "versioning",
        PropType::Object(VERSIONING),
        "`GetBucketVersioning` (below)",
    ),
    n(
        "encryption",
        PropType::Object(ENCRYPTION),
        "`GetBucketEncryption` (below)",
    ),
    n("logging", PropType::Object(LOGGING), "`GetBucketLogging` (below)"),
    n(
        "publicAccessBlock",
        PropType::Object(BLOCK),
        "`GetPublicAccessBlock` `PublicAccessBlockConfiguration` (every setting `false` when none is configured)",
    ),
    n(
        "accountPublicAccessBlock",
        PropType::Object(BLOCK),
        "S3 Control `GetPublicAccessBlock` for the account (every setting `false` when none is configured); the same on every bucket",
    ),
    n(
        "effectivePublicAccessBlock",
        PropType::Object(BLOCK),
        "derived: each setting `true` if the bucket's or the account's block sets it",
    ),
    p(
        "aclAllowsPublic",
        B,
        "derived: a grant to the `AllUsers` or `AuthenticatedUsers` group",
    ),
    p(
        "policyAllowsPublic",
        B,
        "derived: an `Allow` statement for `Principal` `\"*\"` (or `{\"AWS\": \"*\"}`) without a condition on the caller's source or identity (`aws:SourceIp`, `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOwner`, `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:userid`, `aws:username`)",
    ),
    p(
        "isPublic",
        B,
        "derived: `aclAllowsPublic` unless `effectivePublicAccessBlock.ignorePublicAcls`, or `policyAllowsPublic` unless `effectivePublicAccessBlock.restrictPublicBuckets`",
    ),
    p(
        "secureTransportRequired",
        B,
        "derived: the policy has a `Deny` statement for `Principal` `\"*\"` on `s3:*` (or `*`) with the condition `Bool` `aws:SecureTransport` = `false` (CIS 2.1.1)",
    ),
    n(
        "tags",
        PropType::List(&PropType::Map(&S)),
        "`GetBucketTagging` `TagSet`: `{key, value}` objects (`[]`: no tags). Declared with any keys so that rules written for a map of tags (`tags.data-classification`) are accepted, but on collected buckets such a path is missing: write `tags contain [key = 'data-classification' and value = 'secret']`",
    ),
];

/// The records: one bucket each.
pub type Record = BucketRecord;

/// One bucket and its settings. `None` means "not collected" (the error is in
/// [`Collected::errors`]) except where said.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BucketRecord {
    /// `Name`.
    pub name: String,
    /// The bucket's region (`GetBucketLocation`).
    pub region: String,
    /// `CreationDate`, RFC 3339.
    #[serde(default)]
    pub creation_date: Option<String>,
    /// `GetBucketAcl`.
    #[serde(default)]
    pub acl: Option<Acl>,
    /// `GetBucketPolicy`, parsed; `None` also when the bucket has no policy.
    #[serde(default)]
    pub policy: Option<Json>,
    /// `GetBucketVersioning`.
    #[serde(default)]
    pub versioning: Option<Versioning>,
    /// `GetBucketEncryption` rules (`[]`: none configured).
    #[serde(default)]
    pub encryption: Option<Vec<EncryptionRule>>,
    /// `GetBucketLogging`.
    #[serde(default)]
    pub logging: Option<Logging>,
    /// The bucket's `GetPublicAccessBlock` (all `false`: none configured).
    #[serde(default)]
    pub public_access_block: Option<PublicAccessBlock>,
    /// The account's S3 Control `GetPublicAccessBlock` (all `false`: none configured).
    #[serde(default)]
    pub account_public_access_block: Option<PublicAccessBlock>,
    /// `GetBucketTagging` (`[]`: no tags).
    #[serde(default)]
    pub tags: Option<Vec<Tag>>,
}

/// `GetBucketAcl`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Acl {
    /// `Owner.ID`.
    pub owner_id: Option<String>,
    /// `Owner.DisplayName`.
    pub owner_display_name: Option<String>,
    /// `Grants[]`.
    #[serde(default)]
    pub grants: Vec<Grant>,
}

/// One ACL grant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Grant {
    /// `Grantee.Type`.
    pub grantee_type: Option<String>,
    /// `Grantee.ID`.
    pub id: Option<String>,
    /// `Grantee.DisplayName`.
    pub display_name: Option<String>,
    /// `Grantee.EmailAddress`.
    pub email_address: Option<String>,
    /// `Grantee.URI`.
    pub uri: Option<String>,
    /// `Permission`.
    pub permission: Option<String>,
}

/// `GetBucketVersioning`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Versioning {
    /// `Status` (absent: never enabled).
    pub status: Option<String>,
    /// `MFADelete`.
    pub mfa_delete: Option<String>,
}

/// One default-encryption rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EncryptionRule {
    /// `ApplyServerSideEncryptionByDefault.SSEAlgorithm`.
    pub algorithm: Option<String>,
    /// `ApplyServerSideEncryptionByDefault.KMSMasterKeyID`.
    pub kms_master_key_id: Option<String>,
    /// `BucketKeyEnabled`.
    pub bucket_key_enabled: Option<bool>,
}

/// `GetBucketLogging`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Logging {
    /// `LoggingEnabled.TargetBucket` (`None`: logging off).
    pub target_bucket: Option<String>,
    /// `LoggingEnabled.TargetPrefix`.
    pub target_prefix: Option<String>,
}

/// A public access block configuration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublicAccessBlock {
    /// `BlockPublicAcls`.
    pub block_public_acls: bool,
    /// `IgnorePublicAcls`.
    pub ignore_public_acls: bool,
    /// `BlockPublicPolicy`.
    pub block_public_policy: bool,
    /// `RestrictPublicBuckets`.
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// Each setting set by either block.
    pub fn or(self, other: PublicAccessBlock) -> PublicAccessBlock {
        PublicAccessBlock {
            block_public_acls: self.block_public_acls || other.block_public_acls,
            ignore_public_acls: self.ignore_public_acls || other.ignore_public_acls,
            block_public_policy: self.block_public_policy || other.block_public_policy,
            restrict_public_buckets: self.restrict_public_buckets || other.restrict_public_buckets,
        }
    }
}

/// A bucket tag.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tag {
    /// `Key`.
    pub key: String,
    /// `Value`.
    pub value: Option<String>,
}

/// The group URIs that make a grant public.
const PUBLIC_GROUPS: [&str; 2] = [
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
];

/// Condition keys that restrict who (or from where) may use an `Allow` to everyone.
const RESTRICTING_KEYS: [&str; 12] = [
    "aws:sourceip",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:userid",
    "aws:username",
];

/// The header that grants a permission.
fn header_of(permission: &str) -> Option<&'static str> {
    Some(match permission {
        "FULL_CONTROL" => "x-amz-grant-full-control",
        "READ" => "x-amz-grant-read",
        "WRITE" => "x-amz-grant-write",
        "READ_ACP" => "x-amz-grant-read-acp",
        "WRITE_ACP" => "x-amz-grant-write-acp",
        _ => return None,
    })
}

/// A grant to everyone or to every AWS account.
pub fn acl_allows_public(acl: &Acl) -> bool {
    acl.grants
        .iter()
        .any(|g| g.uri.as_deref().is_some_and(|u| PUBLIC_GROUPS.contains(&u)))
}

/// The statements of a policy document (one statement object counts as a list of one).
fn statements(policy: &Json) -> Vec<&Json> {
    match policy.get("Statement") {
        Some(Json::Array(list)) => list.iter().collect(),
        Some(one @ Json::Object(_)) => vec![one],
        _ => Vec::new(),
    }
}

/// A string or a list of strings, as strings.
fn strings(v: Option<&Json>) -> Vec<&str> {
    match v {
        Some(Json::String(s)) => vec![s.as_str()],
        Some(Json::Array(list)) => list.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    }
}

/// `Principal` is everyone: `"*"`, or `{"AWS": "*"}` (or a list holding `"*"`).
fn everyone(statement: &Json) -> bool {
    match statement.get("Principal") {
        Some(Json::String(s)) => s == "*",
        Some(Json::Object(m)) => strings(m.get("AWS")).contains(&"*"),
        _ => false,
    }
}

fn effect_is(statement: &Json, effect: &str) -> bool {
    statement
        .get("Effect")
        .and_then(Json::as_str)
        .is_some_and(|e| e.eq_ignore_ascii_case(effect))
}

/// The condition keys of a statement, lowercased, under every operator.
fn condition_keys(statement: &Json) -> Vec<String> {
    let Some(Json::Object(ops)) = statement.get("Condition") else {
        return Vec::new();
    };
    ops.values()
        .filter_map(Json::as_object)
        .flat_map(|m| m.keys().map(|k| k.to_lowercase()))
        .collect()
}

/// An `Allow` to everyone that no condition on the caller restricts.
pub fn policy_allows_public(policy: &Json) -> bool {
    statements(policy).into_iter().any(|s| {
        effect_is(s, "Allow")
            && everyone(s)
            && !condition_keys(s)
                .iter()
                .any(|k| RESTRICTING_KEYS.contains(&k.as_str()))
    })
}

/// A `Deny` to everyone of every S3 action over plain HTTP (`aws:SecureTransport` false).
pub fn secure_transport_required(policy: &Json) -> bool {
    statements(policy).into_iter().any(|s| {
        let all_actions = strings(s.get("Action"))
            .iter()
            .any(|a| *a == "*" || a.eq_ignore_ascii_case("s3:*"));
        let insecure = s
            .get("Condition")
            .and_then(|c| c.get("Bool"))
            .and_then(Json::as_object)
            .and_then(|m| {
                m.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("aws:SecureTransport"))
                    .map(|(_, v)| v)
            })
            .is_some_and(|v| {
                let vals = match v {
                    Json::Bool(b) => vec![if *b { "true" } else { "false" }],
                    other => strings(Some(other)),
                };
                vals.iter().any(|x| x.eq_ignore_ascii_case("false"))
            });
        effect_is(s, "Deny") && everyone(s) && all_actions && insecure
    })
}

fn block_json(b: Option<PublicAccessBlock>) -> Json {
    match b {
        Some(b) => json!({
            "blockPublicAcls": b.block_public_acls,
            "ignorePublicAcls": b.ignore_public_acls,
            "blockPublicPolicy": b.block_public_policy,
            "restrictPublicBuckets": b.restrict_public_buckets,
        }),
        None => Json::Null,
    }
}

impl BucketRecord {
    /// The blocks in effect (either the bucket's or the account's).
    pub fn effective_block(&self) -> PublicAccessBlock {
        self.public_access_block
            .unwrap_or_default()
            .or(self.account_public_access_block.unwrap_or_default())
    }

    /// Whether the ACL grants everyone access.
    pub fn acl_public(&self) -> bool {
        self.acl.as_ref().is_some_and(acl_allows_public)
    }

    /// Whether the policy grants everyone access.
    pub fn policy_public(&self) -> bool {
        self.policy.as_ref().is_some_and(policy_allows_public)
    }

    /// Public through its ACL or its policy, unless a block neutralises it.
    pub fn is_public(&self) -> bool {
        let block = self.effective_block();
        (self.acl_public() && !block.ignore_public_acls)
            || (self.policy_public() && !block.restrict_public_buckets)
    }

    /// `logging` as the entity writes it.
    pub fn logging_json(&self) -> Json {
        match &self.logging {
            Some(l) => json!({
                "enabled": l.target_bucket.is_some(),
                "targetBucketName": l.target_bucket,
                "targetPrefix": l.target_prefix,
            }),
            None => Json::Null,
        }
    }
}

fn grant_json(g: &Grant) -> Json {
    let permission = g.permission.as_deref();
    json!({
        "canonicalUser": g.id,
        "displayName": g.display_name,
        "emailAddress": g.email_address,
        "premission": permission,
        "permission": permission,
        "premissionHeaderName": permission.and_then(header_of),
        "type": g.grantee_type,
        "uri": g.uri,
    })
}

fn entity(c: &Collected, b: &BucketRecord) -> Json {
    let mut m = super::identity(&b.name, TYPE.name, &b.name, &c.account_number, &b.region);
    m.insert("creationDate".into(), json!(b.creation_date));
    m.insert(
        "acl".into(),
        match &b.acl {
            Some(a) => json!({
                "grants": a.grants.iter().map(grant_json).collect::<Vec<_>>(),
                "ownerDisplayName": a.owner_display_name,
                "ownerId": a.owner_id,
            }),
            None => Json::Null,
        },
    );
    m.insert("policy".into(), b.policy.clone().unwrap_or(Json::Null));
    m.insert(
        "versioning".into(),
        match &b.versioning {
            Some(v) => json!({
                "status": v.status.clone().unwrap_or_else(|| "Off".into()),
                "mfaDelete": v.mfa_delete.as_deref() == Some("Enabled"),
            }),
            None => Json::Null,
        },
    );
    m.insert(
        "encryption".into(),
        match &b.encryption {
            Some(rules) => {
                let rules: Vec<Json> = rules
                    .iter()
                    .map(|r| {
                        let default = r.algorithm.as_ref().map(|a| {
                            json!({
                                "serverSideEncryptionAlgorithm": a,
                                "serverSideEncryptionKeyManagementServiceKeyId": r.kms_master_key_id,
                            })
                        });
                        json!({
                            "serverSideEncryptionByDefault": default,
                            "bucketKeyEnabled": r.bucket_key_enabled,
                        })
                    })
                    .collect();
                json!({ "serverSideEncryptionRules": rules })
            }
            None => Json::Null,
        },
    );
    m.insert("logging".into(), b.logging_json());
    m.insert("publicAccessBlock".into(), block_json(b.public_access_block));
    m.insert(
        "accountPublicAccessBlock".into(),
        block_json(b.account_public_access_block),
    );
    let both = b.public_access_block.is_some() && b.account_public_access_block.is_some();
    m.insert(
        "effectivePublicAccessBlock".into(),
        block_json(both.then(|| b.effective_block())),
    );
    m.insert("aclAllowsPublic".into(), json!(b.acl_public()));
    m.insert("policyAllowsPublic".into(), json!(b.policy_public()));
    m.insert("isPublic".into(), json!(b.is_public()));
    m.insert(
        "secureTransportRequired".into(),
        json!(b.policy.as_ref().is_some_and(secure_transport_required)),
    );
    m.insert(
        "tags".into(),
        match &b.tags {
            Some(tags) => Json::Array(
                tags.iter()
                    .map(|t| json!({"key": t.key, "value": t.value}))
                    .collect(),
            ),
            None => Json::Null,
        },
    );
    Json::Object(m)
}

fn build(c: &Collected) -> Vec<Json> {
    let mut list: Vec<&BucketRecord> = c.buckets.iter().collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    list.into_iter().map(|b| entity(c, b)).collect()
}

/// What a trail shows of the bucket it delivers to (`CloudTrail.s3Bucket`): `None`
/// when the account has no such bucket (another account's, or gone).
pub fn trail_bucket(c: &Collected, name: &str) -> Option<Json> {
    let b = c.buckets.iter().find(|b| b.name == name)?;
    let mut m = Map::new();
    m.insert("name".into(), json!(b.name));
    m.insert("region".into(), json!(b.region));
    m.insert("isPublic".into(), json!(b.is_public()));
    m.insert("logging".into(), b.logging_json());
    Some(Json::Object(m))
}

/// The region `GetBucketLocation`'s `LocationConstraint` names.
pub fn location_region(constraint: Option<&str>) -> String {
    match constraint {
        None | Some("") => "us-east-1".into(),
        Some("EU") => "eu-west-1".into(),
        Some(r) => r.into(),
    }
}

/// Records with every field set (a public bucket with every setting), joined with the
/// other types' examples into one account by the tests that hold the schema to what
/// `build` writes (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "buckets": [
  {
   "name": "b",
   "region": "us-east-1",
   "creationDate": "2026-01-01T00:00:00Z",
   "acl": {
    "ownerId": "o",
    "ownerDisplayName": "owner",
    "grants": [
     {
      "granteeType": "Group",
      "id": "i",
      "displayName": "d",
      "emailAddress": "e@example.com",
      "uri": "http://acs.amazonaws.com/groups/global/AllUsers",
      "permission": "READ"
     }
    ]
   },
   "policy": {
    "Version": "2012-10-17",
    "Id": "p",
    "Statement": [
     {
      "Sid": "s",
      "Effect": "Deny",
      "Principal": {"AWS": ["*"]},
      "NotPrincipal": {"AWS": ["arn:aws:iam::111111111111:root"]},
      "Action": ["s3:*"],
      "NotAction": ["s3:GetObject"],
      "Resource": ["arn:aws:s3:::b/*"],
      "NotResource": ["arn:aws:s3:::c"],
      "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}
     }
    ]
   },
   "versioning": {"status": "Enabled", "mfaDelete": "Enabled"},
   "encryption": [
    {"algorithm": "aws:kms", "kmsMasterKeyId": "k", "bucketKeyEnabled": true}
   ],
   "logging": {"targetBucket": "logs", "targetPrefix": "b/"},
   "publicAccessBlock": {
    "blockPublicAcls": true,
    "ignorePublicAcls": false,
    "blockPublicPolicy": true,
    "restrictPublicBuckets": false
   },
   "accountPublicAccessBlock": {
    "blockPublicAcls": false,
    "ignorePublicAcls": false,
    "blockPublicPolicy": false,
    "restrictPublicBuckets": false
   },
   "tags": [{"key": "k", "value": "v"}]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{
        location_region, Acl, BucketRecord, EncryptionRule, Grant, Logging, PublicAccessBlock,
        Tag, Versioning,
    };
    use crate::collect::call::Session;
    use crate::collect::client::Failure;
    use crate::collect::convert::{owned, timestamp};
    use crate::collect::plan::Issue;
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_s3::Client;
    use futures::future::{join_all, BoxFuture};

    /// ListBuckets and the account's block once per account; each bucket's settings in
    /// its region.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn account<'a>(&'a self, w: &'a Walk<'a>) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                let Some(home) = w.regions().first().cloned() else {
                    return;
                };
                let s = w.s;
                let (listed, account_block) =
                    futures::join!(list_buckets(s, &home), account_block(s, &home));
                let Some(listed) = listed else {
                    return;
                };
                let mut buckets: Vec<BucketRecord> =
                    join_all(listed.iter().map(|(name, created)| bucket(s, &home, name, created)))
                        .await
                        .into_iter()
                        .flatten()
                        .collect();
                for b in &mut buckets {
                    b.account_public_access_block = account_block;
                }
                w.write(|c| c.buckets = buckets);
            })
        }
    }

    /// Record a failure of a global call (no region: it leaves every bucket unknown).
    fn global(s: &Session, service: Service, operation: &'static str, f: Failure) {
        s.issue(Issue {
            region: None,
            service,
            operation,
            code: f.code,
            message: f.message,
            on_chain: false,
        });
    }

    /// (name, creation date) of every bucket; `None` if the listing failed (recorded).
    async fn list_buckets(s: &Session, home: &str) -> Option<Vec<(String, Option<String>)>> {
        let client: Client = s.client(home);
        let mut out = Vec::new();
        let result = s
            .paginate(
                Service::S3,
                "ListBuckets",
                |token| client.list_buckets().set_continuation_token(token).send(),
                |p| {
                    out.extend(p.buckets().iter().filter_map(|b| {
                        b.name()
                            .map(|n| (n.to_string(), timestamp(b.creation_date())))
                    }));
                    p.continuation_token().map(str::to_string)
                },
            )
            .await;
        match result {
            Ok(()) => Some(out),
            Err(f) => {
                global(s, Service::S3, "ListBuckets", f);
                None
            }
        }
    }

    /// The account's block (all `false` when none is configured); `None` if the call
    /// failed (recorded).
    async fn account_block(s: &Session, home: &str) -> Option<PublicAccessBlock> {
        let client: aws_sdk_s3control::Client = s.client(home);
        let result = s
            .call(
                Service::S3Control,
                "GetPublicAccessBlock",
                client.get_public_access_block().account_id(&s.account).send(),
            )
            .await;
        match result {
            Ok(out) => Some(
                out.public_access_block_configuration()
                    .map(|c| PublicAccessBlock {
                        block_public_acls: c.block_public_acls().unwrap_or(false),
                        ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                        block_public_policy: c.block_public_policy().unwrap_or(false),
                        restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
                    })
                    .unwrap_or_default(),
            ),
            Err(f) if f.code == "NoSuchPublicAccessBlockConfiguration" => {
                Some(PublicAccessBlock::default())
            }
            Err(f) => {
                global(s, Service::S3Control, "GetPublicAccessBlock", f);
                None
            }
        }
    }

    /// The outcome of one settings call: `Ok` → `ok(out)`; the code `none.0` → the
    /// empty value `none.1()` (a fact); `None` if the bucket is gone; else recorded in
    /// `region` and `Some(None)`.
    fn settle<O, T>(
        s: &Session,
        region: &str,
        operation: &'static str,
        result: Result<O, Failure>,
        none: (&str, fn() -> T),
        ok: impl FnOnce(O) -> T,
    ) -> Option<Option<T>> {
        match result {
            Ok(out) => Some(Some(ok(out))),
            Err(f) if f.code == none.0 => Some(Some((none.1)())),
            Err(f) if f.code == "NoSuchBucket" => None,
            Err(f) => {
                s.record(region, Service::S3, operation, f, false);
                Some(None)
            }
        }
    }

    /// One bucket: its region, then its settings there. `None` if it is gone.
    async fn bucket(
        s: &Session,
        home: &str,
        name: &str,
        created: &Option<String>,
    ) -> Option<BucketRecord> {
        let client: Client = s.client(home);
        let location = s
            .call(
                Service::S3,
                "GetBucketLocation",
                client.get_bucket_location().bucket(name).send(),
            )
            .await;
        let region = match location {
            Ok(out) => location_region(out.location_constraint().map(|c| c.as_str())),
            Err(f) if f.code == "NoSuchBucket" => return None,
            Err(f) => {
                // Without its region the bucket's settings cannot be read.
                global(s, Service::S3, "GetBucketLocation", f);
                return None;
            }
        };
        let client: Client = s.client(&region);
        let c = &client;
        let r = region.as_str();
        let (acl, policy, versioning, encryption, logging, block, tags) = futures::join!(
            s.call(Service::S3, "GetBucketAcl", c.get_bucket_acl().bucket(name).send()),
            s.call(Service::S3, "GetBucketPolicy", c.get_bucket_policy().bucket(name).send()),
            s.call(
                Service::S3,
                "GetBucketVersioning",
                c.get_bucket_versioning().bucket(name).send()
            ),
            s.call(
                Service::S3,
                "GetBucketEncryption",
                c.get_bucket_encryption().bucket(name).send()
            ),
            s.call(Service::S3, "GetBucketLogging", c.get_bucket_logging().bucket(name).send()),
            s.call(
                Service::S3,
                "GetPublicAccessBlock",
                c.get_public_access_block().bucket(name).send()
            ),
            s.call(Service::S3, "GetBucketTagging", c.get_bucket_tagging().bucket(name).send()),
        );
        // No code stands for "none" in these calls: every answer has a value.
        let none = "";
        let acl = settle(s, r, "GetBucketAcl", acl, (none, Acl::default), |o| Acl {
            owner_id: o.owner().and_then(|w| owned(w.id())),
            owner_display_name: o.owner().and_then(|w| owned(w.display_name())),
            grants: o
                .grants()
                .iter()
                .map(|g| {
                    let e = g.grantee();
                    Grant {
                        grantee_type: e.map(|e| e.r#type().as_str().to_string()),
                        id: e.and_then(|e| owned(e.id())),
                        display_name: e.and_then(|e| owned(e.display_name())),
                        email_address: e.and_then(|e| owned(e.email_address())),
                        uri: e.and_then(|e| owned(e.uri())),
                        permission: g.permission().map(|p| p.as_str().to_string()),
                    }
                })
                .collect(),
        })?;
        // No policy: `None` is the fact itself.
        let policy = settle(
            s,
            r,
            "GetBucketPolicy",
            policy,
            ("NoSuchBucketPolicy", || None),
            |o| o.policy().and_then(|p| serde_json::from_str(p).ok()),
        )?;
        let versioning = settle(
            s,
            r,
            "GetBucketVersioning",
            versioning,
            (none, Versioning::default),
            |o| Versioning {
                status: o.status().map(|v| v.as_str().to_string()),
                mfa_delete: o.mfa_delete().map(|v| v.as_str().to_string()),
            },
        )?;
        let encryption = settle(
            s,
            r,
            "GetBucketEncryption",
            encryption,
            ("ServerSideEncryptionConfigurationNotFoundError", Vec::new),
            |o| {
                o.server_side_encryption_configuration()
                    .map(|c| {
                        c.rules()
                            .iter()
                            .map(|rule| {
                                let d = rule.apply_server_side_encryption_by_default();
                                EncryptionRule {
                                    algorithm: d.map(|d| d.sse_algorithm().as_str().to_string()),
                                    kms_master_key_id: d.and_then(|d| owned(d.kms_master_key_id())),
                                    bucket_key_enabled: rule.bucket_key_enabled(),
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            },
        )?;
        let logging = settle(s, r, "GetBucketLogging", logging, (none, Logging::default), |o| {
            let l = o.logging_enabled();
            Logging {
                target_bucket: l.map(|l| l.target_bucket().to_string()),
                target_prefix: l.map(|l| l.target_prefix().to_string()),
            }
        })?;
        let block = settle(
            s,
            r,
            "GetPublicAccessBlock",
            block,
            (
                "NoSuchPublicAccessBlockConfiguration",
                PublicAccessBlock::default,
            ),
            |o| {
                o.public_access_block_configuration()
                    .map(|c| PublicAccessBlock {
                        block_public_acls: c.block_public_acls().unwrap_or(false),
                        ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                        block_public_policy: c.block_public_policy().unwrap_or(false),
                        restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
                    })
                    .unwrap_or_default()
            },
        )?;
        let tags = settle(s, r, "GetBucketTagging", tags, ("NoSuchTagSet", Vec::new), |o| {
            o.tag_set()
                .iter()
                .map(|t| Tag {
                    key: t.key().to_string(),
                    value: Some(t.value().to_string()),
                })
                .collect()
        })?;
        Some(BucketRecord {
            name: name.to_string(),
            region,
            creation_date: created.clone(),
            acl,
            policy: policy.flatten(),
            versioning,
            encryption,
            logging,
            public_access_block: block,
            account_public_access_block: None,
            tags,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> Json {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn a_policy_is_public_unless_a_condition_restricts_the_caller() {
        let open = policy(
            r#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}}"#,
        );
        assert!(policy_allows_public(&open));
        let aws_star = policy(
            r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:*"}]}"#,
        );
        assert!(policy_allows_public(&aws_star));
        let by_ip = policy(
            r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}"#,
        );
        assert!(!policy_allows_public(&by_ip));
        let tls_only = policy(
            r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}"#,
        );
        assert!(policy_allows_public(&tls_only), "TLS does not restrict who");
        let one_account = policy(
            r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "s3:*"}]}"#,
        );
        assert!(!policy_allows_public(&one_account));
        let deny = policy(r#"{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*"}]}"#);
        assert!(!policy_allows_public(&deny));
    }

    #[test]
    fn secure_transport() {
        let cis = policy(
            r#"{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}"#,
        );
        assert!(secure_transport_required(&cis));
        let one_action = policy(
            r#"{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}"#,
        );
        assert!(!secure_transport_required(&one_action));
        let allow = policy(
            r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}"#,
        );
        assert!(!secure_transport_required(&allow));
    }

    #[test]
    fn blocks_neutralise_what_they_cover() {
        let public_acl = Acl {
            grants: vec![Grant {
                grantee_type: Some("Group".into()),
                uri: Some(PUBLIC_GROUPS[0].into()),
                permission: Some("READ".into()),
                ..Default::default()
            }],
            ..Default::default()
        };
        let mut b = BucketRecord {
            name: "b".into(),
            region: "us-east-1".into(),
            acl: Some(public_acl),
            ..Default::default()
        };
        assert!(b.is_public());
        b.account_public_access_block = Some(PublicAccessBlock {
            ignore_public_acls: true,
            ..Default::default()
        });
        assert!(!b.is_public(), "the account's block neutralises the ACL");
        b.policy = Some(policy(
            r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]}"#,
        ));
        assert!(b.is_public(), "but not the policy");
        b.public_access_block = Some(PublicAccessBlock {
            restrict_public_buckets: true,
            ..Default::default()
        });
        assert!(!b.is_public());
    }

    #[test]
    fn locations() {
        assert_eq!(location_region(None), "us-east-1");
        assert_eq!(location_region(Some("")), "us-east-1");
        assert_eq!(location_region(Some("EU")), "eu-west-1");
        assert_eq!(location_region(Some("ap-south-1")), "ap-south-1");
    }
}
