//! `Iam`: one entity per account, the account's IAM settings: the password policy (none
//! is a fact, `NoSuchEntity`, not an error), the account summary (the root user's MFA,
//! access keys and signing certificates), virtual MFA devices (virtual or hardware MFA
//! of the root user), server certificates, SAML and OIDC providers, the support roles,
//! and the account's alternate contacts (`account:GetAlternateContact`, not set =
//! `ResourceNotFoundException`).

use super::iam_policy::global;
use super::{Call, Collected, EntityType, Scope, When};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;
use PropType::{Boolean as B, Number as N, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "Iam",
    about: "One entity per account: its IAM settings. The password policy (`GetAccountPasswordPolicy`; an account without\none has `passwordPolicy.enabledInAccount` `false` and the other settings `null`), the account summary\n(`GetAccountSummary`: the root user's MFA, access keys and signing certificates), the virtual MFA devices\n(`ListVirtualMFADevices`: whether the root user's MFA is virtual or hardware), server certificates\n(`ListServerCertificates`), SAML and OIDC providers, the roles with the AWS managed `AWSSupportAccess` attached\n(from `GetAccountAuthorizationDetails`), and the account's alternate contacts (`account:GetAlternateContact` for\n`BILLING`, `OPERATIONS`, `SECURITY`; a contact not set is `null`). IAM is global: `region` is `null`.",
    calls: &[
        Call {
            service: Service::Iam,
            operation: "GetAccountPasswordPolicy",
            scope: Scope::Account,
            paged: false,
        },
        Call {
            service: Service::Iam,
            operation: "GetAccountSummary",
            scope: Scope::Account,
            paged: false,
        },
        LIST_VIRTUAL_MFA,
        Call {
            service: Service::Iam,
            operation: "ListServerCertificates",
            scope: Scope::Account,
            paged: true,
        },
        Call {
            service: Service::Iam,
            operation: "ListSAMLProviders",
            scope: Scope::Account,
            paged: false,
        },
        Call {
            service: Service::Iam,
            operation: "ListOpenIDConnectProviders",
            scope: Scope::Account,
            paged: false,
        },
        Call {
            service: Service::Account,
            operation: "GetAlternateContact",
            scope: Scope::Each("alternate contact type (3 per account)"),
            paged: false,
        },
    ],
    reads: &[super::iam_user::AUTHORIZATION_DETAILS.read(When::Always)],
    properties: PROPERTIES,
    tables: &[
        ("passwordPolicy", "`passwordPolicy`:"),
        (
            "serverCertificates",
            "`serverCertificates[]` (`ListServerCertificates` `ServerCertificateMetadataList`):",
        ),
        (
            "alternateContacts.security",
            "`alternateContacts.billing`, `.operations`, `.security` (each `null` when not set):",
        ),
    ],
    build,
};

/// The account's virtual MFA devices (also read by `IamUser`: `virtualMfaEnabled`).
pub const LIST_VIRTUAL_MFA: Call = Call {
    service: Service::Iam,
    operation: "ListVirtualMFADevices",
    scope: Scope::Account,
    paged: true,
};

/// The AWS managed policy that makes a role a support role (CIS).
pub const SUPPORT_POLICY: &str = "AWSSupportAccess";

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &global(identity(
            "the account number",
            "`\"Iam\"`",
            "the account number",
            "",
        )),
    OWN,
);

const OWN: &[Property] = &[
    p(
        "passwordPolicy",
        PropType::Object(PASSWORD_POLICY),
        "`GetAccountPasswordPolicy` `PasswordPolicy` (below)",
    ),
    n(
        "rootMfaEnabled",
        B,
        "`GetAccountSummary` `AccountMFAEnabled` = 1",
    ),
    n(
        "rootAccessKeysPresent",
        B,
        "`GetAccountSummary` `AccountAccessKeysPresent` = 1",
    ),
    n(
        "rootSigningCertificatesPresent",
        B,
        "`GetAccountSummary` `AccountSigningCertificatesPresent` = 1",
    ),
    p(
        "rootVirtualMfa",
        B,
        "derived: a virtual MFA device (`ListVirtualMFADevices`) is assigned to the root user",
    ),
    n(
        "rootHardwareMfa",
        B,
        "derived: `rootMfaEnabled` and not `rootVirtualMfa`",
    ),
    p(
        "summary",
        PropType::Map(&N),
        "`GetAccountSummary` `SummaryMap` (`Users`, `Roles`, `MFADevicesInUse`, ...)",
    ),
    p(
        "virtualMfaDevices",
        PropType::List(&PropType::Object(VIRTUAL_MFA)),
        "`ListVirtualMFADevices` `VirtualMFADevices`: `{serialNumber, userArn, enableDate}`",
    ),
    p(
        "serverCertificates",
        PropType::List(&PropType::Object(SERVER_CERTIFICATE)),
        "`ListServerCertificates` (below)",
    ),
    p(
        "samlProviders",
        PropType::List(&PropType::Object(SAML_PROVIDER)),
        "`ListSAMLProviders` `SAMLProviderList`: `{arn, validUntil, createDate}`",
    ),
    p(
        "openIdConnectProviders",
        STRINGS,
        "`ListOpenIDConnectProviders` `OpenIDConnectProviderList[]` `Arn`",
    ),
    p(
        "supportRoles",
        STRINGS,
        "derived: the roles with the AWS managed policy `AWSSupportAccess` attached (`GetAccountAuthorizationDetails`)",
    ),
    p(
        "alternateContacts",
        PropType::Object(CONTACTS),
        "`account:GetAlternateContact` per type",
    ),
];

const PASSWORD_POLICY: &[Property] = &[
    p(
        "enabledInAccount",
        B,
        "derived: the account has a password policy (`false` on `NoSuchEntity`)",
    ),
    n("minPasswordLength", N, "`MinimumPasswordLength`"),
    n("requireSymbols", B, "`RequireSymbols`"),
    n("requireNumbers", B, "`RequireNumbers`"),
    n("requireUppercaseCharacters", B, "`RequireUppercaseCharacters`"),
    n("requireLowercaseCharacters", B, "`RequireLowercaseCharacters`"),
    n(
        "allowUsersToChangePassword",
        B,
        "`AllowUsersToChangePassword`",
    ),
    n("expirePasswords", B, "`ExpirePasswords`"),
    n("maxPasswordAge", N, "`MaxPasswordAge`"),
    n("passwordReusePrevention", N, "`PasswordReusePrevention`"),
    n("hardExpiry", B, "`HardExpiry`"),
];

const VIRTUAL_MFA: &[Property] = &[
    p("serialNumber", S, "`SerialNumber`"),
    n("userArn", S, "`User` `Arn` (`null`: not assigned)"),
    n("enableDate", T, "`EnableDate`"),
];

const SERVER_CERTIFICATE: &[Property] = &[
    p("name", S, "`ServerCertificateName`"),
    p("arn", S, "`Arn`"),
    p("id", S, "`ServerCertificateId`"),
    n("path", S, "`Path`"),
    n("uploadDate", T, "`UploadDate`"),
    n("expiration", T, "`Expiration`"),
];

const SAML_PROVIDER: &[Property] = &[
    n("arn", S, "`Arn`"),
    n("validUntil", T, "`ValidUntil`"),
    n("createDate", T, "`CreateDate`"),
];

const CONTACT: &[Property] = &[
    n("name", S, "`Name`"),
    n("title", S, "`Title`"),
    n("emailAddress", S, "`EmailAddress`"),
    n("phoneNumber", S, "`PhoneNumber`"),
];

const CONTACTS: &[Property] = &[
    n(
        "billing",
        PropType::Object(CONTACT),
        "`AlternateContactType` `BILLING`",
    ),
    n(
        "operations",
        PropType::Object(CONTACT),
        "`AlternateContactType` `OPERATIONS`",
    ),
    n(
        "security",
        PropType::Object(CONTACT),
        "`AlternateContactType` `SECURITY`",
    ),
];

/// The records: the account's IAM settings (one per account).
pub type Record = IamRecord;

/// The account's IAM settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IamRecord {
    /// `GetAccountPasswordPolicy` (`None`: the account has none).
    pub password_policy: Option<PasswordPolicy>,
    /// `GetAccountSummary` `SummaryMap` (empty: not collected).
    #[serde(default)]
    pub summary: BTreeMap<String, i64>,
    /// `ListVirtualMFADevices`.
    #[serde(default)]
    pub virtual_mfa_devices: Vec<VirtualMfaDevice>,
    /// `ListServerCertificates`.
    #[serde(default)]
    pub server_certificates: Vec<ServerCertificate>,
    /// `ListSAMLProviders`.
    #[serde(default)]
    pub saml_providers: Vec<SamlProvider>,
    /// `ListOpenIDConnectProviders` ARNs.
    #[serde(default)]
    pub oidc_providers: Vec<String>,
    /// `GetAlternateContact`, the types that are set.
    #[serde(default)]
    pub alternate_contacts: Vec<AlternateContact>,
}

/// `GetAccountPasswordPolicy` `PasswordPolicy`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct PasswordPolicy {
    pub min_password_length: Option<i32>,
    pub require_symbols: Option<bool>,
    pub require_numbers: Option<bool>,
    pub require_uppercase_characters: Option<bool>,
    pub require_lowercase_characters: Option<bool>,
    pub allow_users_to_change_password: Option<bool>,
    pub expire_passwords: Option<bool>,
    pub max_password_age: Option<i32>,
    pub password_reuse_prevention: Option<i32>,
    pub hard_expiry: Option<bool>,
}

/// `ListVirtualMFADevices` `VirtualMFADevices[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VirtualMfaDevice {
    /// `SerialNumber`.
    pub serial_number: String,
    /// `User` `Arn`.
    pub user_arn: Option<String>,
    /// `EnableDate` (RFC 3339).
    pub enable_date: Option<String>,
}

/// `ListServerCertificates` `ServerCertificateMetadataList[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServerCertificate {
    /// `ServerCertificateName`.
    pub name: String,
    /// `Arn`.
    pub arn: String,
    /// `ServerCertificateId`.
    pub id: String,
    /// `Path`.
    pub path: Option<String>,
    /// `UploadDate` (RFC 3339).
    pub upload_date: Option<String>,
    /// `Expiration` (RFC 3339).
    pub expiration: Option<String>,
}

/// `ListSAMLProviders` `SAMLProviderList[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SamlProvider {
    /// `Arn`.
    pub arn: Option<String>,
    /// `ValidUntil` (RFC 3339).
    pub valid_until: Option<String>,
    /// `CreateDate` (RFC 3339).
    pub create_date: Option<String>,
}

/// `GetAlternateContact` `AlternateContact`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlternateContact {
    /// `AlternateContactType`: `BILLING`, `OPERATIONS`, `SECURITY`.
    pub contact_type: String,
    /// `Name`.
    pub name: Option<String>,
    /// `Title`.
    pub title: Option<String>,
    /// `EmailAddress`.
    pub email_address: Option<String>,
    /// `PhoneNumber`.
    pub phone_number: Option<String>,
}

/// The roles of the account with `AWSSupportAccess` attached, sorted.
pub fn support_roles(c: &Collected) -> Vec<&str> {
    let mut out: Vec<&str> = c
        .iam_roles
        .iter()
        .filter(|r| {
            r.managed_policies.iter().any(|a| {
                a.policy_arn.as_deref().is_some_and(|arn| {
                    super::iam_policy::is_aws_managed_arn(arn)
                        && arn.rsplit('/').next() == Some(SUPPORT_POLICY)
                })
            })
        })
        .map(|r| r.name.as_str())
        .collect();
    out.sort_unstable();
    out
}

fn password_policy(p: Option<&PasswordPolicy>) -> Json {
    let Some(p) = p else {
        let mut m = Map::new();
        m.insert("enabledInAccount".into(), json!(false));
        for prop in &PASSWORD_POLICY[1..] {
            m.insert(prop.name.into(), Json::Null);
        }
        return Json::Object(m);
    };
    json!({
        "enabledInAccount": true,
        "minPasswordLength": p.min_password_length,
        "requireSymbols": p.require_symbols,
        "requireNumbers": p.require_numbers,
        "requireUppercaseCharacters": p.require_uppercase_characters,
        "requireLowercaseCharacters": p.require_lowercase_characters,
        "allowUsersToChangePassword": p.allow_users_to_change_password,
        "expirePasswords": p.expire_passwords,
        "maxPasswordAge": p.max_password_age,
        "passwordReusePrevention": p.password_reuse_prevention,
        "hardExpiry": p.hard_expiry,
    })
}

fn build(c: &Collected) -> Vec<Json> {
    c.iam
        .iter()
        .take(1)
        .map(|i| {
            let acct = &c.account_number;
            let mut m = super::global_identity(acct, TYPE.name, acct, acct);
            m.insert(
                "passwordPolicy".into(),
                password_policy(i.password_policy.as_ref()),
            );
            let summary_flag = |key: &str| i.summary.get(key).map_or(Json::Null, |v| json!(*v == 1));
            let mfa = summary_flag("AccountMFAEnabled");
            m.insert("rootMfaEnabled".into(), mfa.clone());
            m.insert(
                "rootAccessKeysPresent".into(),
                summary_flag("AccountAccessKeysPresent"),
            );
            m.insert(
                "rootSigningCertificatesPresent".into(),
                summary_flag("AccountSigningCertificatesPresent"),
            );
            let root_virtual = i.virtual_mfa_devices.iter().any(|d| {
                d.user_arn
                    .as_deref()
                    .is_some_and(|a| a.ends_with(":root"))
            });
            m.insert("rootVirtualMfa".into(), json!(root_virtual));
            m.insert(
                "rootHardwareMfa".into(),
                mfa.as_bool().map_or(Json::Null, |on| json!(on && !root_virtual)),
            );
            m.insert("summary".into(), json!(i.summary));
            m.insert("virtualMfaDevices".into(), super::to_json(&i.virtual_mfa_devices));
            m.insert(
                "serverCertificates".into(),
                super::to_json(&i.server_certificates),
            );
            m.insert("samlProviders".into(), super::to_json(&i.saml_providers));
            m.insert("openIdConnectProviders".into(), json!(i.oidc_providers));
            m.insert("supportRoles".into(), json!(support_roles(c)));
            let contact = |kind: &str| {
                i.alternate_contacts
                    .iter()
                    .find(|a| a.contact_type == kind)
                    .map_or(Json::Null, |a| {
                        json!({"name": a.name, "title": a.title, "emailAddress": a.email_address, "phoneNumber": a.phone_number})
                    })
            };
            m.insert(
                "alternateContacts".into(),
                json!({"billing": contact("BILLING"), "operations": contact("OPERATIONS"), "security": contact("SECURITY")}),
            );
            Json::Object(m)
        })
        .collect()
}

/// Records with every field set (a strict password policy, a root user with a virtual
/// MFA device, a server certificate, providers, the three contacts), joined with the
/// other types' examples into one account by the schema tests.
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "iam": [
  {
   "passwordPolicy": {
    "minPasswordLength": 14, "requireSymbols": true, "requireNumbers": true,
    "requireUppercaseCharacters": true, "requireLowercaseCharacters": true,
    "allowUsersToChangePassword": true, "expirePasswords": true, "maxPasswordAge": 90,
    "passwordReusePrevention": 24, "hardExpiry": false
   },
   "summary": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0, "AccountSigningCertificatesPresent": 0, "Users": 1},
   "virtualMfaDevices": [
    {"serialNumber": "arn:aws:iam::111111111111:mfa/root-account-mfa-device", "userArn": "arn:aws:iam::111111111111:root", "enableDate": "2026-01-01T00:00:00Z"}
   ],
   "serverCertificates": [
    {"name": "web", "arn": "arn:aws:iam::111111111111:server-certificate/web", "id": "ASCA0000000000000001", "path": "/", "uploadDate": "2025-01-01T00:00:00Z", "expiration": "2026-01-01T00:00:00Z"}
   ],
   "samlProviders": [{"arn": "arn:aws:iam::111111111111:saml-provider/idp", "validUntil": "2030-01-01T00:00:00Z", "createDate": "2026-01-01T00:00:00Z"}],
   "oidcProviders": ["arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"],
   "alternateContacts": [
    {"contactType": "BILLING", "name": "Bea", "title": "CFO", "emailAddress": "billing@example.com", "phoneNumber": "+1 555 0100"},
    {"contactType": "OPERATIONS", "name": "Oz", "title": "SRE", "emailAddress": "ops@example.com", "phoneNumber": "+1 555 0101"},
    {"contactType": "SECURITY", "name": "Sec", "title": "CISO", "emailAddress": "security@example.com", "phoneNumber": "+1 555 0102"}
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{
        AlternateContact, IamRecord, PasswordPolicy, SamlProvider, ServerCertificate,
        VirtualMfaDevice,
    };
    use crate::collect::call::Session;
    use crate::collect::convert::{owned, timestamp};
    use crate::collect::types::iam_user::home_region;
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_account::types::AlternateContactType;
    use aws_sdk_iam::Client;
    use futures::future::{join_all, BoxFuture};
    use std::collections::BTreeMap;

    /// The account's IAM settings and alternate contacts, once per account.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn account<'a>(&'a self, w: &'a Walk<'a>) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                let region = home_region(w);
                let s = w.s;
                let client: Client = s.client(region);
                let (password_policy, summary, virtual_mfa_devices, server_certificates) = futures::join!(
                    password_policy(s, &client),
                    summary(s, &client),
                    virtual_mfa(s, &client),
                    server_certificates(s, &client)
                );
                let (saml_providers, oidc_providers, alternate_contacts) = futures::join!(
                    saml(s, &client),
                    oidc(s, &client),
                    contacts(s, region)
                );
                let record = IamRecord {
                    password_policy,
                    summary,
                    virtual_mfa_devices,
                    server_certificates,
                    saml_providers,
                    oidc_providers,
                    alternate_contacts,
                };
                w.write(|c| c.iam = vec![record]);
            })
        }
    }

    async fn password_policy(s: &Session, client: &Client) -> Option<PasswordPolicy> {
        const OP: &str = "GetAccountPasswordPolicy";
        match s
            .call(Service::Iam, OP, client.get_account_password_policy().send())
            .await
        {
            Ok(out) => out.password_policy().map(|p| PasswordPolicy {
                min_password_length: p.minimum_password_length(),
                require_symbols: Some(p.require_symbols()),
                require_numbers: Some(p.require_numbers()),
                require_uppercase_characters: Some(p.require_uppercase_characters()),
                require_lowercase_characters: Some(p.require_lowercase_characters()),
                allow_users_to_change_password: Some(p.allow_users_to_change_password()),
                expire_passwords: Some(p.expire_passwords()),
                max_password_age: p.max_password_age(),
                password_reuse_prevention: p.password_reuse_prevention(),
                hard_expiry: p.hard_expiry(),
            }),
            // The account has no password policy: a fact, not a failure.
            Err(f) if f.code == "NoSuchEntity" => None,
            Err(f) => {
                s.record_global(Service::Iam, OP, f);
                None
            }
        }
    }

    async fn summary(s: &Session, client: &Client) -> BTreeMap<String, i64> {
        const OP: &str = "GetAccountSummary";
        match s
            .call(Service::Iam, OP, client.get_account_summary().send())
            .await
        {
            Ok(out) => out
                .summary_map()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.as_str().to_string(), i64::from(*v)))
                .collect(),
            Err(f) => {
                s.record_global(Service::Iam, OP, f);
                BTreeMap::new()
            }
        }
    }

    async fn virtual_mfa(s: &Session, client: &Client) -> Vec<VirtualMfaDevice> {
        const OP: &str = "ListVirtualMFADevices";
        let mut out = Vec::new();
        let result = s
            .paginate(
                Service::Iam,
                OP,
                |token| client.list_virtual_mfa_devices().set_marker(token).send(),
                |p| {
                    out.extend(p.virtual_mfa_devices().iter().map(|d| VirtualMfaDevice {
                        serial_number: d.serial_number().to_string(),
                        user_arn: d.user().map(|u| u.arn().to_string()),
                        enable_date: timestamp(d.enable_date()),
                    }));
                    if p.is_truncated() {
                        p.marker().map(str::to_string)
                    } else {
                        None
                    }
                },
            )
            .await;
        if let Err(f) = result {
            s.record_global(Service::Iam, OP, f);
        }
        out
    }

    async fn server_certificates(s: &Session, client: &Client) -> Vec<ServerCertificate> {
        const OP: &str = "ListServerCertificates";
        let mut out = Vec::new();
        let result = s
            .paginate(
                Service::Iam,
                OP,
                |token| client.list_server_certificates().set_marker(token).send(),
                |p| {
                    out.extend(p.server_certificate_metadata_list().iter().map(|c| {
                        ServerCertificate {
                            name: c.server_certificate_name().to_string(),
                            arn: c.arn().to_string(),
                            id: c.server_certificate_id().to_string(),
                            path: Some(c.path().to_string()),
                            upload_date: timestamp(c.upload_date()),
                            expiration: timestamp(c.expiration()),
                        }
                    }));
                    if p.is_truncated() {
                        p.marker().map(str::to_string)
                    } else {
                        None
                    }
                },
            )
            .await;
        if let Err(f) = result {
            s.record_global(Service::Iam, OP, f);
        }
        out
    }

    async fn saml(s: &Session, client: &Client) -> Vec<SamlProvider> {
        const OP: &str = "ListSAMLProviders";
        match s
            .call(Service::Iam, OP, client.list_saml_providers().send())
            .await
        {
            Ok(out) => out
                .saml_provider_list()
                .iter()
                .map(|p| SamlProvider {
                    arn: owned(p.arn()),
                    valid_until: timestamp(p.valid_until()),
                    create_date: timestamp(p.create_date()),
                })
                .collect(),
            Err(f) => {
                s.record_global(Service::Iam, OP, f);
                Vec::new()
            }
        }
    }

    async fn oidc(s: &Session, client: &Client) -> Vec<String> {
        const OP: &str = "ListOpenIDConnectProviders";
        match s
            .call(
                Service::Iam,
                OP,
                client.list_open_id_connect_providers().send(),
            )
            .await
        {
            Ok(out) => out
                .open_id_connect_provider_list()
                .iter()
                .filter_map(|p| owned(p.arn()))
                .collect(),
            Err(f) => {
                s.record_global(Service::Iam, OP, f);
                Vec::new()
            }
        }
    }

    async fn contacts(s: &Session, region: &str) -> Vec<AlternateContact> {
        let client: aws_sdk_account::Client = s.client(region);
        let kinds = [
            AlternateContactType::Billing,
            AlternateContactType::Operations,
            AlternateContactType::Security,
        ];
        join_all(kinds.into_iter().map(|kind| {
            let client = client.clone();
            async move {
                const OP: &str = "GetAlternateContact";
                let result = s
                    .call(
                        Service::Account,
                        OP,
                        client
                            .get_alternate_contact()
                            .alternate_contact_type(kind.clone())
                            .send(),
                    )
                    .await;
                match result {
                    Ok(out) => out.alternate_contact().map(|a| AlternateContact {
                        contact_type: kind.as_str().to_string(),
                        name: owned(a.name()),
                        title: owned(a.title()),
                        email_address: owned(a.email_address()),
                        phone_number: owned(a.phone_number()),
                    }),
                    // Not set: a fact.
                    Err(f) if f.code == "ResourceNotFoundException" => None,
                    Err(f) => {
                        s.record_global(Service::Account, OP, f);
                        None
                    }
                }
            }
        }))
        .await
        .into_iter()
        .flatten()
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_password_policy_is_a_fact() {
        let c = Collected {
            account_number: "111111111111".into(),
            iam: vec![IamRecord::default()],
            ..Default::default()
        };
        let iam = &build(&c)[0];
        assert_eq!(iam["passwordPolicy"]["enabledInAccount"], false);
        assert_eq!(iam["passwordPolicy"]["minPasswordLength"], Json::Null);
        // The summary was not read: the root facts are unknown, not false.
        assert_eq!(iam["rootMfaEnabled"], Json::Null);
        assert_eq!(iam["rootHardwareMfa"], Json::Null);
        assert_eq!(iam["alternateContacts"]["security"], Json::Null);
        assert_eq!(iam["supportRoles"], json!([]));
    }

    #[test]
    fn hardware_mfa_is_mfa_without_a_virtual_device() {
        let summary: BTreeMap<String, i64> = [("AccountMFAEnabled".to_string(), 1)].into();
        let mut record = IamRecord {
            summary,
            ..Default::default()
        };
        let c = |r: &IamRecord| Collected {
            iam: vec![r.clone()],
            ..Default::default()
        };
        assert_eq!(build(&c(&record))[0]["rootHardwareMfa"], true);
        record.virtual_mfa_devices.push(VirtualMfaDevice {
            serial_number: "arn:aws:iam::1:mfa/root-account-mfa-device".into(),
            user_arn: Some("arn:aws:iam::111111111111:root".into()),
            enable_date: None,
        });
        let built = build(&c(&record));
        assert_eq!(built[0]["rootHardwareMfa"], false);
        assert_eq!(built[0]["rootVirtualMfa"], true);
    }
}
