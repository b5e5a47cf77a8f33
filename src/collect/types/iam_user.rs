//! `IamUser`: every IAM user of the account and the root user, in CloudGuard's shape.
//! The users, groups, roles and managed policies come from one paged
//! `GetAccountAuthorizationDetails` (this module's fetcher makes it for every IAM type);
//! the credentials from the credential report (`GenerateCredentialReport`, then
//! `GetCredentialReport` polled with a bound), which also names the root user
//! `<root_account>`.
//!
//! Dates are RFC 3339 (UTC, to the second), what the date builtins read. Where the
//! report says a credential was never used or has no date (`N/A`, `no_information`,
//! `not_supported`), the date is `0001-01-01T00:00:00Z` ([`NEVER`], CloudGuard's year 1):
//! it is before any bound, so "never" is never recent.

use super::cloud_trail::{Tag, TAG};
use super::iam_policy::{self, AttachedPolicy, InlinePolicy, ATTACHED, global, INLINE};
use super::{flag, Call, Collected, EntityType, Scope, When};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN, STRINGS};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;
use PropType::{Boolean as B, Json as J, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "IamUser",
    about: "Every IAM user (`GetAccountAuthorizationDetails` `UserDetailList`) and the root user, named `<root_account>`\nas the credential report names it, with the credentials of the credential report (`GenerateCredentialReport`, then\n`GetCredentialReport` polled for at most about a minute; AWS serves a report up to 4 hours old). IAM is global:\ncollected once per account, `region` is `null`. Dates are RFC 3339; a credential the report says was never used\nor has no date (`N/A`, `no_information`, `not_supported`) has the date `0001-01-01T00:00:00Z` (CloudGuard's year 1),\nso `after(-90, 'days')` is false and `before(-90, 'days')` true for it. The credential properties are `null` when\nthe report could not be read (the error is recorded and rules over `IamUser` are `unknown`).",
    calls: &[AUTHORIZATION_DETAILS, GENERATE_REPORT, GET_REPORT],
    reads: &[super::iam::LIST_VIRTUAL_MFA.read(When::Always)],
    properties: PROPERTIES,
    tables: &[
        (
            "firstAccessKey",
            "`firstAccessKey` and `secondAccessKey` (the report's `access_key_1_*` and `access_key_2_*` columns):",
        ),
        (
            "firstCertificate",
            "`firstCertificate` and `secondCertificate` (`cert_1_*`, `cert_2_*`):",
        ),
        (
            "combinedPolicies",
            "`combinedPolicies[]`, every policy that applies to the user (`managedPolicies[]` and `inlinePolicies[]` are `{name, arn}` and `{name, document}`):",
        ),
    ],
    build,
};

/// Users, groups, roles and managed policies with their documents: one paged call for
/// every IAM type (made by this module's fetcher).
pub const AUTHORIZATION_DETAILS: Call = Call {
    service: Service::Iam,
    operation: "GetAccountAuthorizationDetails",
    scope: Scope::Account,
    paged: true,
};

/// Asks IAM to (re)generate the credential report.
pub const GENERATE_REPORT: Call = Call {
    service: Service::Iam,
    operation: "GenerateCredentialReport",
    scope: Scope::Account,
    paged: false,
};

/// Reads the report; polled while it is being generated (bounded).
pub const GET_REPORT: Call = Call {
    service: Service::Iam,
    operation: "GetCredentialReport",
    scope: Scope::Account,
    paged: false,
};

/// The name the credential report gives the root user.
pub const ROOT: &str = "<root_account>";

/// The date that stands for "never" (and "no information"): year 1, as CloudGuard
/// writes it (`-62135596800` in epoch seconds).
pub const NEVER: &str = "0001-01-01T00:00:00Z";

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &global(identity(
            "`UserId`; the root user: its ARN (`arn:aws:iam::<account>:root`)",
            "`\"IamUser\"`",
            "`UserName`; the root user: `<root_account>`",
            "",
        )),
    OWN,
);

const OWN: &[Property] = &[
    p("arn", S, "`Arn` (report: `arn`)"),
    n("path", S, "`Path` (`null` for the root user)"),
    n(
        "createDate",
        T,
        "`CreateDate` (report: `user_creation_time`)",
    ),
    n(
        "passwordEnabled",
        S,
        "report `password_enabled`: `\"true\"`/`\"false\"`; `null` for `not_supported` (the root user)",
    ),
    n(
        "passwordLastUsed",
        T,
        "report `password_last_used` (never, `no_information`: year 1)",
    ),
    n(
        "passwordLastChanged",
        T,
        "report `password_last_changed` (`N/A`, `not_supported`: year 1)",
    ),
    n(
        "passwordNextRotation",
        T,
        "report `password_next_rotation` (`null` when none is due: `N/A`, `not_supported`)",
    ),
    n(
        "mfaActive",
        S,
        "report `mfa_active`: `\"true\"`/`\"false\"`",
    ),
    n(
        "virtualMfaEnabled",
        B,
        "derived: a virtual MFA device is assigned to the user (`ListVirtualMFADevices`, made for `Iam`)",
    ),
    n(
        "firstAccessKey",
        PropType::Object(ACCESS_KEY),
        "report `access_key_1_*` (below)",
    ),
    n(
        "secondAccessKey",
        PropType::Object(ACCESS_KEY),
        "report `access_key_2_*` (as `firstAccessKey`)",
    ),
    n(
        "firstCertificate",
        PropType::Object(CERTIFICATE),
        "report `cert_1_*` (below)",
    ),
    n(
        "secondCertificate",
        PropType::Object(CERTIFICATE),
        "report `cert_2_*` (as `firstCertificate`)",
    ),
    p(
        "managedPolicies",
        PropType::List(&PropType::Object(ATTACHED)),
        "`AttachedManagedPolicies`: `{name, arn}`",
    ),
    p(
        "inlinePolicies",
        PropType::List(&PropType::Object(INLINE)),
        "`UserPolicyList`: `{name, document}`, the document URL-decoded",
    ),
    p("attachedGroups", STRINGS, "`GroupList`: the group names"),
    p(
        "combinedPolicies",
        PropType::List(&PropType::Object(COMBINED)),
        "derived: the user's managed and inline policies and those of its groups (below)",
    ),
    p(
        "tags",
        PropType::List(&PropType::Object(TAG)),
        "`Tags`: `{key, value}`",
    ),
];

/// An access key as the credential report describes it.
const ACCESS_KEY: &[Property] = &[
    p(
        "isActive",
        S,
        "`access_key_N_active`: `\"true\"`/`\"false\"`",
    ),
    p(
        "lastRotated",
        T,
        "`access_key_N_last_rotated` (no key: year 1)",
    ),
    p(
        "lastUsedDate",
        T,
        "`access_key_N_last_used_date` (never used: year 1)",
    ),
    n(
        "lastUsedRegion",
        S,
        "`access_key_N_last_used_region` (`null` for `N/A`)",
    ),
    n(
        "lastUsedService",
        S,
        "`access_key_N_last_used_service` (`null` for `N/A`)",
    ),
];

/// A signing certificate as the credential report describes it.
const CERTIFICATE: &[Property] = &[
    p("isActive", S, "`cert_N_active`: `\"true\"`/`\"false\"`"),
    p(
        "lastRotated",
        T,
        "`cert_N_last_rotated` (no certificate: year 1)",
    ),
];

/// A policy that applies to a user.
const COMBINED: &[Property] = &[
    p("name", S, "the policy's name"),
    n("arn", S, "the managed policy's ARN (`null` for an inline policy)"),
    p(
        "source",
        S,
        "`user` (attached to or inline in the user) or `group:<name>` (through that group)",
    ),
    n(
        "document",
        J,
        "the inline document, or the managed policy's default version (`IamPolicy` `document`; `null` when that policy was not returned)",
    ),
];

/// The records: a user, and its row of the credential report.
pub type Record = UserRecord;

/// An IAM user (`GetAccountAuthorizationDetails` `UserDetailList[]`) or the root user,
/// with its row of the credential report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserRecord {
    /// `UserName` (`<root_account>` for the root user).
    pub name: String,
    /// `Arn`.
    pub arn: String,
    /// `UserId` (`None` for the root user).
    pub user_id: Option<String>,
    /// `Path`.
    pub path: Option<String>,
    /// `CreateDate` (RFC 3339).
    pub create_date: Option<String>,
    /// `AttachedManagedPolicies`.
    #[serde(default)]
    pub managed_policies: Vec<AttachedPolicy>,
    /// `UserPolicyList`, documents decoded.
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
    /// `GroupList`.
    #[serde(default)]
    pub groups: Vec<String>,
    /// `Tags`.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Its row of the credential report (`None`: the report could not be read).
    pub report: Option<ReportRow>,
}

/// One row of the credential report, by its column names (the values as written:
/// dates, `true`/`false`, `N/A`, `no_information`, `not_supported`). Columns AWS adds
/// later are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct ReportRow {
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub arn: Option<String>,
    #[serde(default)]
    pub user_creation_time: Option<String>,
    #[serde(default)]
    pub password_enabled: Option<String>,
    #[serde(default)]
    pub password_last_used: Option<String>,
    #[serde(default)]
    pub password_last_changed: Option<String>,
    #[serde(default)]
    pub password_next_rotation: Option<String>,
    #[serde(default)]
    pub mfa_active: Option<String>,
    #[serde(default)]
    pub access_key_1_active: Option<String>,
    #[serde(default)]
    pub access_key_1_last_rotated: Option<String>,
    #[serde(default)]
    pub access_key_1_last_used_date: Option<String>,
    #[serde(default)]
    pub access_key_1_last_used_region: Option<String>,
    #[serde(default)]
    pub access_key_1_last_used_service: Option<String>,
    #[serde(default)]
    pub access_key_2_active: Option<String>,
    #[serde(default)]
    pub access_key_2_last_rotated: Option<String>,
    #[serde(default)]
    pub access_key_2_last_used_date: Option<String>,
    #[serde(default)]
    pub access_key_2_last_used_region: Option<String>,
    #[serde(default)]
    pub access_key_2_last_used_service: Option<String>,
    #[serde(default)]
    pub cert_1_active: Option<String>,
    #[serde(default)]
    pub cert_1_last_rotated: Option<String>,
    #[serde(default)]
    pub cert_2_active: Option<String>,
    #[serde(default)]
    pub cert_2_last_rotated: Option<String>,
}

/// A report value as a date: RFC 3339 (UTC, seconds), or [`NEVER`] for a word (`N/A`,
/// `no_information`, `not_supported`) or a missing value.
pub fn report_date(v: Option<&str>) -> String {
    v.and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
        .map(|d| {
            d.with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Secs, true)
        })
        .unwrap_or_else(|| NEVER.to_string())
}

/// A report value as a date, or `null` when it is not one (nothing due).
fn report_date_or_null(v: Option<&str>) -> Json {
    match report_date(v) {
        d if d == NEVER => Json::Null,
        d => Json::String(d),
    }
}

/// A report `true`/`false` as the flag form; anything else (`not_supported`) `null`.
fn report_flag(v: Option<&str>) -> Json {
    match v {
        Some("true") => flag(true),
        Some("false") => flag(false),
        _ => Json::Null,
    }
}

/// A report word (`N/A`) as `null`, anything else as it is.
fn report_word(v: Option<&str>) -> Json {
    match v {
        None | Some("N/A") | Some("not_supported") | Some("no_information") => Json::Null,
        Some(s) => json!(s),
    }
}

/// The credential report's CSV (the simple CSV of RFC 4180: fields optionally quoted,
/// `""` an escaped quote) as rows keyed by the header's column names.
pub fn parse_report(text: &str) -> Result<Vec<ReportRow>, String> {
    let records = parse_csv(text)?;
    let mut lines = records.into_iter();
    let header = lines.next().ok_or("the credential report is empty")?;
    if !header.iter().any(|h| h == "user") || !header.iter().any(|h| h == "arn") {
        return Err(format!(
            "the credential report has no `user` and `arn` columns (header {:?})",
            header.join(",")
        ));
    }
    lines
        .filter(|fields| !(fields.len() == 1 && fields[0].is_empty()))
        .enumerate()
        .map(|(i, fields)| {
            if fields.len() != header.len() {
                return Err(format!(
                    "line {} of the credential report has {} fields, the header {}",
                    i + 2,
                    fields.len(),
                    header.len()
                ));
            }
            let row: Map<String, Json> = header
                .iter()
                .cloned()
                .zip(fields.into_iter().map(Json::String))
                .collect();
            serde_json::from_value(Json::Object(row)).map_err(|e| e.to_string())
        })
        .collect()
}

/// RFC 4180 records (CRLF or LF line ends).
fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                any = false;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err("the credential report ends inside a quoted field".into());
    }
    if any {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

fn access_key(r: Option<&ReportRow>, second: bool) -> Json {
    let Some(r) = r else { return Json::Null };
    let (active, rotated, used, region, service) = if second {
        (
            &r.access_key_2_active,
            &r.access_key_2_last_rotated,
            &r.access_key_2_last_used_date,
            &r.access_key_2_last_used_region,
            &r.access_key_2_last_used_service,
        )
    } else {
        (
            &r.access_key_1_active,
            &r.access_key_1_last_rotated,
            &r.access_key_1_last_used_date,
            &r.access_key_1_last_used_region,
            &r.access_key_1_last_used_service,
        )
    };
    json!({
        "isActive": flag(active.as_deref() == Some("true")),
        "lastRotated": report_date(rotated.as_deref()),
        "lastUsedDate": report_date(used.as_deref()),
        "lastUsedRegion": report_word(region.as_deref()),
        "lastUsedService": report_word(service.as_deref()),
    })
}

fn certificate(r: Option<&ReportRow>, second: bool) -> Json {
    let Some(r) = r else { return Json::Null };
    let (active, rotated) = if second {
        (&r.cert_2_active, &r.cert_2_last_rotated)
    } else {
        (&r.cert_1_active, &r.cert_1_last_rotated)
    };
    json!({
        "isActive": flag(active.as_deref() == Some("true")),
        "lastRotated": report_date(rotated.as_deref()),
    })
}

/// Every policy that applies to `u`: its own managed and inline ones, then each
/// group's.
fn combined(c: &Collected, u: &UserRecord) -> Vec<Json> {
    let policies = iam_policy::by_arn(c);
    let managed = |a: &AttachedPolicy, source: &str| {
        let doc = a
            .policy_arn
            .as_deref()
            .and_then(|arn| policies.get(arn))
            .and_then(|p| p.document.clone());
        json!({"name": a.policy_name, "arn": a.policy_arn, "source": source, "document": doc})
    };
    let inline = |i: &InlinePolicy, source: &str| {
        json!({"name": i.policy_name, "arn": null, "source": source, "document": i.document})
    };
    let mut out: Vec<Json> = u
        .managed_policies
        .iter()
        .map(|a| managed(a, "user"))
        .chain(u.inline_policies.iter().map(|i| inline(i, "user")))
        .collect();
    for name in &u.groups {
        let Some(g) = c.iam_groups.iter().find(|g| &g.name == name) else {
            continue;
        };
        let source = format!("group:{name}");
        out.extend(g.managed_policies.iter().map(|a| managed(a, &source)));
        out.extend(g.inline_policies.iter().map(|i| inline(i, &source)));
    }
    out
}

fn build(c: &Collected) -> Vec<Json> {
    let mut list: Vec<&UserRecord> = c.iam_users.iter().collect();
    list.sort_by(|a, b| (a.name != ROOT, &a.arn).cmp(&(b.name != ROOT, &b.arn)));
    let virtual_mfa: Vec<&str> = c
        .iam
        .iter()
        .flat_map(|i| i.virtual_mfa_devices.iter())
        .filter_map(|d| d.user_arn.as_deref())
        .collect();
    list.iter()
        .map(|u| {
            let id = u.user_id.as_deref().unwrap_or(&u.arn);
            let mut m = super::global_identity(id, TYPE.name, &u.name, &c.account_number);
            let r = u.report.as_ref();
            let created = u.create_date.clone().map(Json::String).or_else(|| {
                r.map(|r| report_date_or_null(r.user_creation_time.as_deref()))
            });
            let when = |f: fn(&ReportRow) -> &Option<String>| {
                r.map_or(Json::Null, |r| json!(report_date(f(r).as_deref())))
            };
            m.insert("arn".into(), json!(u.arn));
            m.insert("path".into(), json!(u.path));
            m.insert("createDate".into(), created.unwrap_or(Json::Null));
            m.insert(
                "passwordEnabled".into(),
                r.map_or(Json::Null, |r| report_flag(r.password_enabled.as_deref())),
            );
            m.insert("passwordLastUsed".into(), when(|r| &r.password_last_used));
            m.insert(
                "passwordLastChanged".into(),
                when(|r| &r.password_last_changed),
            );
            m.insert(
                "passwordNextRotation".into(),
                r.map_or(Json::Null, |r| {
                    report_date_or_null(r.password_next_rotation.as_deref())
                }),
            );
            m.insert(
                "mfaActive".into(),
                r.map_or(Json::Null, |r| report_flag(r.mfa_active.as_deref())),
            );
            m.insert(
                "virtualMfaEnabled".into(),
                if c.iam.is_empty() {
                    Json::Null
                } else {
                    json!(virtual_mfa.contains(&u.arn.as_str()))
                },
            );
            m.insert("firstAccessKey".into(), access_key(r, false));
            m.insert("secondAccessKey".into(), access_key(r, true));
            m.insert("firstCertificate".into(), certificate(r, false));
            m.insert("secondCertificate".into(), certificate(r, true));
            iam_policy::insert_policies(&mut m, &u.managed_policies, &u.inline_policies);
            m.insert("attachedGroups".into(), json!(u.groups));
            m.insert("combinedPolicies".into(), Json::Array(combined(c, u)));
            m.insert("tags".into(), super::to_json(&u.tags));
            Json::Object(m)
        })
        .collect()
}

/// The users with their report rows: each row joined to the user of its ARN; a row
/// without a user (the root user, or a user created after the listing) becomes a user
/// of its own. `report` `None`: the report could not be read (every user's stays
/// `None`).
pub fn merge(mut users: Vec<UserRecord>, report: Option<Vec<ReportRow>>) -> Vec<UserRecord> {
    let Some(rows) = report else { return users };
    let mut by_arn: BTreeMap<String, ReportRow> = BTreeMap::new();
    for row in rows {
        if let Some(arn) = row.arn.clone() {
            by_arn.insert(arn, row);
        }
    }
    for u in &mut users {
        u.report = by_arn.remove(&u.arn);
    }
    for (arn, row) in by_arn {
        users.push(UserRecord {
            name: row.user.clone().unwrap_or_else(|| arn.clone()),
            arn,
            create_date: None,
            report: Some(row),
            ..Default::default()
        });
    }
    users
}

/// Records with every field set (a user with a console password, MFA, two keys, a
/// certificate, in a group, with a managed and an inline policy), joined with the other
/// types' examples into one account by the schema tests.
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "iamUsers": [
  {
   "name": "alice",
   "arn": "arn:aws:iam::111111111111:user/alice",
   "userId": "AIDA0000000000000001",
   "path": "/",
   "createDate": "2026-01-01T00:00:00Z",
   "managedPolicies": [{"policyName": "admin", "policyArn": "arn:aws:iam::111111111111:policy/admin"}],
   "inlinePolicies": [{"policyName": "s3", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}],
   "groups": ["admins"],
   "tags": [{"key": "team", "value": "ops"}],
   "report": {
    "user": "alice", "arn": "arn:aws:iam::111111111111:user/alice",
    "user_creation_time": "2026-01-01T00:00:00+00:00",
    "password_enabled": "true", "password_last_used": "2026-02-01T00:00:00+00:00",
    "password_last_changed": "2026-01-01T00:00:00+00:00", "password_next_rotation": "2026-04-01T00:00:00+00:00",
    "mfa_active": "true",
    "access_key_1_active": "true", "access_key_1_last_rotated": "2026-01-01T00:00:00+00:00",
    "access_key_1_last_used_date": "2026-02-01T00:00:00+00:00", "access_key_1_last_used_region": "us-east-1",
    "access_key_1_last_used_service": "s3",
    "access_key_2_active": "true", "access_key_2_last_rotated": "2026-01-02T00:00:00+00:00",
    "access_key_2_last_used_date": "2026-02-02T00:00:00+00:00", "access_key_2_last_used_region": "eu-west-1",
    "access_key_2_last_used_service": "ec2",
    "cert_1_active": "true", "cert_1_last_rotated": "2026-01-01T00:00:00+00:00",
    "cert_2_active": "false", "cert_2_last_rotated": "N/A"
   }
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::{attached, home_region, inline, tag, Fetcher};

#[cfg(feature = "aws")]
mod fetch {
    use super::{merge, parse_report, ReportRow, UserRecord, GET_REPORT};
    use crate::collect::call::Session;
    use crate::collect::client::Failure;
    use crate::collect::convert::{owned, timestamp};
    use crate::collect::types::cloud_trail::Tag;
    use crate::collect::types::iam_policy::{decode_document, AttachedPolicy, InlinePolicy};
    use crate::collect::types::{iam_group, iam_policy, iam_role};
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_iam::types as iam;
    use aws_sdk_iam::Client;
    use futures::future::BoxFuture;
    use std::time::Duration;

    /// How many times the report is asked for while AWS generates it, and the longest
    /// wait between two asks (the waits double from 250 ms: about a minute in all).
    const REPORT_POLLS: usize = 30;
    const MAX_WAIT: Duration = Duration::from_secs(2);

    /// `GetAccountAuthorizationDetails` for every IAM type, and the credential report.
    pub(crate) struct Fetcher;

    /// The region whose endpoint the global services (IAM, Account) are called in:
    /// the first collected one (the SDK resolves the partition's global endpoint).
    pub(crate) fn home_region<'a>(w: &'a Walk<'a>) -> &'a str {
        w.regions().first().map_or("us-east-1", String::as_str)
    }

    impl Fetch for Fetcher {

        fn account<'a>(&'a self, w: &'a Walk<'a>) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                let client: Client = w.s.client(home_region(w));
                let (details, report) = futures::join!(
                    authorization_details(w.s, &client),
                    credential_report(w.s, &client)
                );
                let users = merge(details.users, report);
                w.write(|c| {
                    c.iam_users = users;
                    c.iam_groups = details.groups;
                    c.iam_roles = details.roles;
                    c.iam_policies = details.policies;
                });
            })
        }
    }

    /// What `GetAccountAuthorizationDetails` returned (empty when it failed: recorded).
    #[derive(Default)]
    struct Details {
        users: Vec<UserRecord>,
        groups: Vec<iam_group::Record>,
        roles: Vec<iam_role::Record>,
        policies: Vec<iam_policy::Record>,
    }

    async fn authorization_details(s: &Session, client: &Client) -> Details {
        let mut d = Details::default();
        let result = s
            .paginate(
                Service::Iam,
                "GetAccountAuthorizationDetails",
                |token| {
                    client
                        .get_account_authorization_details()
                        .set_marker(token)
                        .send()
                },
                |p| {
                    d.users.extend(p.user_detail_list().iter().map(user));
                    d.groups
                        .extend(p.group_detail_list().iter().map(iam_group::from_sdk));
                    d.roles
                        .extend(p.role_detail_list().iter().map(iam_role::from_sdk));
                    d.policies.extend(
                        p.policies()
                            .iter()
                            .map(policy)
                            // AWS lists the AWS managed policies in use; a server that
                            // lists them all is cut back to those.
                            .filter(|p| {
                                !p.is_aws_managed() || p.attachment_count.unwrap_or(0) > 0
                            }),
                    );
                    if p.is_truncated() {
                        p.marker().map(str::to_string)
                    } else {
                        None
                    }
                },
            )
            .await;
        match result {
            Ok(()) => d,
            Err(f) => {
                s.record_global(Service::Iam, "GetAccountAuthorizationDetails", f);
                Details::default()
            }
        }
    }

    /// The report's rows, or `None` (recorded) when it could not be had.
    async fn credential_report(s: &Session, client: &Client) -> Option<Vec<ReportRow>> {
        if let Err(f) = s
            .call(
                Service::Iam,
                "GenerateCredentialReport",
                client.generate_credential_report().send(),
            )
            .await
        {
            s.record_global(Service::Iam, "GenerateCredentialReport", f);
            return None;
        }
        let mut wait = Duration::from_millis(250);
        for poll in 1..=REPORT_POLLS {
            let result = s
                .call(
                    Service::Iam,
                    GET_REPORT.operation,
                    client.get_credential_report().send(),
                )
                .await;
            match result {
                Ok(out) => {
                    let text = out
                        .content()
                        .map(|b| String::from_utf8_lossy(b.as_ref()).into_owned())
                        .unwrap_or_default();
                    return match parse_report(&text) {
                        Ok(rows) => Some(rows),
                        Err(message) => {
                            s.record_global(
                                Service::Iam,
                                GET_REPORT.operation,
                                Failure::new("InvalidResponse", message),
                            );
                            None
                        }
                    };
                }
                Err(f)
                    if poll < REPORT_POLLS
                        && matches!(f.code.as_str(), "ReportInProgress" | "ReportNotPresent") =>
                {
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(MAX_WAIT);
                }
                Err(f) => {
                    let f = if f.code == "ReportInProgress" {
                        Failure::new(
                            f.code,
                            format!("{} (still generating after {REPORT_POLLS} polls)", f.message),
                        )
                    } else {
                        f
                    };
                    s.record_global(Service::Iam, GET_REPORT.operation, f);
                    return None;
                }
            }
        }
        None
    }

    /// `AttachedManagedPolicies[]` item.
    pub(crate) fn attached(a: &iam::AttachedPolicy) -> AttachedPolicy {
        AttachedPolicy {
            policy_name: owned(a.policy_name()),
            policy_arn: owned(a.policy_arn()),
        }
    }

    /// `UserPolicyList[]` / `GroupPolicyList[]` / `RolePolicyList[]` item.
    pub(crate) fn inline(p: &iam::PolicyDetail) -> InlinePolicy {
        InlinePolicy {
            policy_name: p.policy_name().unwrap_or_default().to_string(),
            document: p.policy_document().map(decode_document),
        }
    }

    /// `Tags[]` item.
    pub(crate) fn tag(t: &iam::Tag) -> Tag {
        Tag {
            key: t.key().to_string(),
            value: Some(t.value().to_string()),
        }
    }

    fn user(u: &iam::UserDetail) -> UserRecord {
        UserRecord {
            name: u.user_name().unwrap_or_default().to_string(),
            arn: u.arn().unwrap_or_default().to_string(),
            user_id: owned(u.user_id()),
            path: owned(u.path()),
            create_date: timestamp(u.create_date()),
            managed_policies: u.attached_managed_policies().iter().map(attached).collect(),
            inline_policies: u.user_policy_list().iter().map(inline).collect(),
            groups: u.group_list().to_vec(),
            tags: u.tags().iter().map(tag).collect(),
            report: None,
        }
    }

    fn policy(p: &iam::ManagedPolicyDetail) -> iam_policy::Record {
        let default = p
            .policy_version_list()
            .iter()
            .find(|v| v.is_default_version())
            .or_else(|| {
                p.policy_version_list()
                    .iter()
                    .find(|v| v.version_id() == p.default_version_id())
            });
        let arn = p.arn().unwrap_or_default();
        iam_policy::Record {
            arn: arn.to_string(),
            // The name is the ARN's last segment (`arn:aws:iam::aws:policy/path/Name`),
            // for a server that leaves `PolicyName` out (moto).
            name: p
                .policy_name()
                .or_else(|| arn.rsplit('/').next())
                .unwrap_or_default()
                .to_string(),
            policy_id: owned(p.policy_id()),
            path: owned(p.path()),
            default_version_id: owned(p.default_version_id()),
            attachment_count: p.attachment_count(),
            is_attachable: Some(p.is_attachable()),
            description: owned(p.description()),
            create_date: timestamp(p.create_date()),
            update_date: timestamp(p.update_date()),
            document: default.and_then(|v| v.document()).map(decode_document),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\r\n\
<root_account>,arn:aws:iam::111111111111:root,2020-01-01T00:00:00+00:00,not_supported,2026-11-01T10:00:00+00:00,not_supported,not_supported,true,true,2021-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\r\n\
alice,arn:aws:iam::111111111111:user/alice,2026-01-01T00:00:00+00:00,true,no_information,2026-01-01T00:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\r\n";

    #[test]
    fn the_report_parses_with_its_words() {
        let rows = parse_report(REPORT).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].user.as_deref(), Some(ROOT));
        assert_eq!(rows[1].password_last_used.as_deref(), Some("no_information"));
        let users = merge(Vec::new(), Some(rows));
        let c = Collected {
            account_number: "111111111111".into(),
            iam_users: users,
            ..Default::default()
        };
        let built = build(&c);
        let root = &built[0];
        assert_eq!(root["name"], ROOT);
        assert_eq!(root["id"], "arn:aws:iam::111111111111:root");
        assert_eq!(root["region"], Json::Null);
        assert_eq!(root["passwordEnabled"], Json::Null);
        assert_eq!(root["passwordLastChanged"], NEVER);
        assert_eq!(root["passwordNextRotation"], Json::Null);
        assert_eq!(root["firstAccessKey"]["isActive"], "true");
        assert_eq!(root["firstAccessKey"]["lastUsedDate"], NEVER);
        assert_eq!(root["firstAccessKey"]["lastUsedRegion"], Json::Null);
        assert_eq!(root["passwordLastUsed"], "2026-11-01T10:00:00Z");
        let alice = &built[1];
        assert_eq!(alice["passwordEnabled"], "true");
        assert_eq!(alice["passwordLastUsed"], NEVER);
        assert_eq!(alice["createDate"], "2026-01-01T00:00:00Z");
        // Without the report the credentials are unknown, not "never".
        let c = Collected {
            iam_users: merge(
                vec![UserRecord {
                    name: "bob".into(),
                    arn: "arn:aws:iam::111111111111:user/bob".into(),
                    ..Default::default()
                }],
                None,
            ),
            ..Default::default()
        };
        let bob = &build(&c)[0];
        assert_eq!(bob["passwordLastUsed"], Json::Null);
        assert_eq!(bob["firstAccessKey"], Json::Null);
    }

    #[test]
    fn never_is_a_date_before_any_bound() {
        let never = crate::lang::eval::builtins::parse_date(&json!(NEVER)).unwrap();
        assert_eq!(never.timestamp(), -62_135_596_800);
        assert_eq!(report_date(Some("N/A")), NEVER);
        assert_eq!(
            report_date(Some("2026-01-01T10:00:00+02:00")),
            "2026-01-01T08:00:00Z"
        );
    }

    #[test]
    fn csv_quotes_and_malformed_reports() {
        assert_eq!(
            parse_csv("a,\"b,\"\"c\"\"\"\nd,e").unwrap(),
            vec![vec!["a", "b,\"c\""], vec!["d", "e"]]
        );
        assert!(parse_csv("a,\"b").is_err());
        assert!(parse_report("").is_err());
        assert!(parse_report("x,y\n1,2\n").is_err());
        assert!(parse_report("user,arn\nalice\n").is_err());
    }
}
