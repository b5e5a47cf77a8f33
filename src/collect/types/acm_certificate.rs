//! `AcmCertificate`: every AWS Certificate Manager certificate of each collected region
//! (`ListCertificates`, every key type), with its validity, status and renewal
//! eligibility. Its other use: the expiry of the certificates the load balancers'
//! listeners name ([`Expiries`], ACM's and IAM's server certificates by ARN), so that
//! `certificate.expiration` on `ELB` and `certificates[].expiration` on the ELB v2
//! types are collected without a call per balancer; a listener certificate neither
//! listing has is an issue ([`unlisted`]), never a certificate that does not expire.
//!
//! The type's name is CloudGuard's AWS entity name for ACM certificates; CloudGuard does
//! not publish that entity's shape, so its properties are the `ListCertificates`
//! summary's fields in camelCase (`certificateType` for `Type`: `type` is the entity
//! type).

use super::{Call, Collected, EntityType, Read, Scope};
use crate::collect::graph::arn_service;
use crate::collect::plan::Issue;
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::{BTreeSet, HashMap};
use PropType::{Boolean as B, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "AcmCertificate",
    about: "Every AWS Certificate Manager certificate of each collected region (`ListCertificates`, once per region,\npaged, with `Includes.keyTypes` set to every key algorithm: without it ACM lists only RSA 2048 certificates).\nThe summaries carry the validity (`NotAfter`), status, type (imported or issued by Amazon), key algorithm,\nwhether it is in use and its renewal eligibility, so no `DescribeCertificate` is made; what uses a certificate\n(`InUseBy`, a `DescribeCertificate` field) is not collected, `inUse` says whether anything does. The\nload balancer types read these listings (and IAM's server certificates) for the expiry of their listeners'\ncertificates.",
    calls: &[LIST_CERTIFICATES],
    reads: &[] as &[Read],
    properties: PROPERTIES,
    tables: &[],
    build,
};

/// ListCertificates.
pub const LIST_CERTIFICATES: Call = Call {
    service: Service::Acm,
    operation: "ListCertificates",
    scope: Scope::Region,
    paged: true,
};

/// IAM ListServerCertificates (declared by `Iam`), the other source of a listener's
/// certificate.
const LIST_SERVER_CERTIFICATES: Read = Read {
    service: Service::Iam,
    operation: "ListServerCertificates",
    when: super::When::Always,
};

/// What a load balancer type reads for its listeners' certificates: the ACM listing of
/// its region and IAM's server certificates.
pub const READS: [Read; 2] = [
    LIST_CERTIFICATES.read(super::When::Always),
    LIST_SERVER_CERTIFICATES,
];

const OWN: &[Property] = &[
    p("arn", S, "`CertificateArn`"),
    n("domainName", S, "`DomainName`"),
    p(
        "subjectAlternativeNames",
        STRINGS,
        "`SubjectAlternativeNameSummaries[]` (ACM lists the first 100)",
    ),
    n(
        "status",
        S,
        "`Status` (`ISSUED`, `PENDING_VALIDATION`, `EXPIRED`, `INACTIVE`, `REVOKED`, `FAILED`, `VALIDATION_TIMED_OUT`)",
    ),
    n(
        "certificateType",
        S,
        "`Type` (`IMPORTED`, `AMAZON_ISSUED`, `PRIVATE`)",
    ),
    n(
        "keyAlgorithm",
        S,
        "`KeyAlgorithm` (`RSA_2048`, `EC_prime256v1`, ...)",
    ),
    n("inUse", B, "`InUse`"),
    n(
        "renewalEligibility",
        S,
        "`RenewalEligibility` (`ELIGIBLE`, `INELIGIBLE`)",
    ),
    n("managedBy", S, "`ManagedBy` (`CLOUDFRONT`)"),
    n("notBefore", T, "`NotBefore`"),
    n(
        "notAfter",
        T,
        "`NotAfter` (`null` for a certificate not issued yet)",
    ),
    n("createdAt", T, "`CreatedAt`"),
    n("issuedAt", T, "`IssuedAt`"),
    n("importedAt", T, "`ImportedAt`"),
    n("revokedAt", T, "`RevokedAt`"),
];

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`CertificateArn`",
        "`\"AcmCertificate\"`",
        "`DomainName` (the ARN's last part when there is none)",
        "the certificate's region",
    ),
    OWN,
);

/// The records: one per region answered.
pub type Record = CertificateRegion;

/// The certificates of one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificateRegion {
    /// The region.
    pub region: String,
    /// ListCertificates `CertificateSummaryList[]`.
    #[serde(default)]
    pub certificates: Vec<CertificateRecord>,
}

/// ListCertificates `CertificateSummaryList[]` item (dates RFC 3339).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificateRecord {
    /// `CertificateArn`.
    pub arn: String,
    /// `DomainName`.
    pub domain_name: Option<String>,
    /// `SubjectAlternativeNameSummaries[]`.
    #[serde(default)]
    pub subject_alternative_names: Vec<String>,
    /// `Status`.
    pub status: Option<String>,
    /// `Type`.
    pub certificate_type: Option<String>,
    /// `KeyAlgorithm`.
    pub key_algorithm: Option<String>,
    /// `InUse`.
    pub in_use: Option<bool>,
    /// `RenewalEligibility`.
    pub renewal_eligibility: Option<String>,
    /// `ManagedBy`.
    pub managed_by: Option<String>,
    /// `NotBefore`.
    pub not_before: Option<String>,
    /// `NotAfter`.
    pub not_after: Option<String>,
    /// `CreatedAt`.
    pub created_at: Option<String>,
    /// `IssuedAt`.
    pub issued_at: Option<String>,
    /// `ImportedAt`.
    pub imported_at: Option<String>,
    /// `RevokedAt`.
    pub revoked_at: Option<String>,
}

fn entity(account: &str, region: &str, r: &CertificateRecord) -> Json {
    let tail = r.arn.rsplit('/').next().unwrap_or_default();
    let name = r.domain_name.as_deref().unwrap_or(tail);
    let mut m = super::identity(&r.arn, TYPE.name, name, account, region);
    let own = super::object(r);
    m.extend(own);
    Json::Object(m)
}

fn build(c: &Collected) -> Vec<Json> {
    let mut all: Vec<(&str, &CertificateRecord)> = c
        .certificates
        .iter()
        .flat_map(|r| r.certificates.iter().map(move |x| (r.region.as_str(), x)))
        .collect();
    all.sort_by(|a, b| (a.0, &a.1.arn).cmp(&(b.0, &b.1.arn)));
    all.into_iter()
        .map(|(region, r)| entity(&c.account_number, region, r))
        .collect()
}

/// The expiry of every certificate of one account a listener may name, by ARN: ACM's
/// (`NotAfter`) and IAM's server certificates (`Expiration`), both RFC 3339.
pub struct Expiries<'a> {
    by_arn: HashMap<&'a str, Option<&'a str>>,
}

impl<'a> Expiries<'a> {
    /// The certificates of one account.
    pub fn new(c: &'a Collected) -> Self {
        let acm = c
            .certificates
            .iter()
            .flat_map(|r| &r.certificates)
            .map(|x| (x.arn.as_str(), x.not_after.as_deref()));
        let iam = c
            .iam
            .iter()
            .flat_map(|i| &i.server_certificates)
            .map(|x| (x.arn.as_str(), x.expiration.as_deref()));
        Expiries {
            by_arn: acm.chain(iam).collect(),
        }
    }

    /// Whether the certificate `arn` was listed.
    pub fn has(&self, arn: &str) -> bool {
        self.by_arn.contains_key(arn)
    }

    /// When the certificate `arn` expires (`None`: not listed, or listed without a
    /// date).
    pub fn expiration(&self, arn: &str) -> Option<&'a str> {
        self.by_arn.get(arn).copied().flatten()
    }
}

/// The certificates the load balancers' listeners name: (region, balancer, ARN),
/// sorted, each once.
fn named(c: &Collected) -> BTreeSet<(&str, &str, &str)> {
    let classic = c.elbs.iter().flat_map(|e| {
        e.listeners.iter().filter_map(move |l| {
            l.certificate
                .as_deref()
                .map(|arn| (e.region.as_str(), e.name.as_str(), arn))
        })
    });
    let v2 = c
        .application_load_balancers
        .iter()
        .chain(&c.network_load_balancers)
        .flat_map(|b| {
            b.listeners.iter().flat_map(move |l| {
                l.all_certificates()
                    .map(move |(arn, _)| (b.region.as_str(), b.name.as_str(), arn))
            })
        });
    classic.chain(v2).collect()
}

/// The listener certificates of `c` that neither ACM's listing of the balancer's
/// region nor IAM's server certificates have (another account's, or one deleted
/// between the listings), each an issue of the listing that lacked it, in the
/// balancer's region: the balancer types read that listing, so their rules there are
/// `unknown` rather than passed on an `expiration` that is `null`. Where that listing
/// failed (`acm_answered(region)` false, `iam_answered` false) its own error already
/// says so and no issue is added. An ARN of neither service is taken as ACM's.
pub fn unlisted(
    c: &Collected,
    acm_answered: impl Fn(&str) -> bool,
    iam_answered: bool,
) -> Vec<Issue> {
    let known = Expiries::new(c);
    named(c)
        .into_iter()
        .filter(|(_, _, arn)| !known.has(arn))
        .filter_map(|(region, balancer, arn)| {
            let (service, operation, listing) = if arn_service(arn) == Some("iam") {
                if !iam_answered {
                    return None;
                }
                (
                    Service::Iam,
                    "ListServerCertificates",
                    "IAM's server certificates",
                )
            } else {
                if !acm_answered(region) {
                    return None;
                }
                (
                    Service::Acm,
                    LIST_CERTIFICATES.operation,
                    "ACM's certificates of the region",
                )
            };
            Some(Issue {
                region: Some(region.to_string()),
                service,
                operation,
                code: "CertificateNotListed".into(),
                message: format!(
                    "{balancer}: its listener certificate {arn} is not among {listing}; its expiration is unknown"
                ),
                on_chain: false,
            })
        })
        .collect()
}

/// Records with every field set (the certificate of the example application load
/// balancer's HTTPS listener), joined with the other types' examples into one account
/// by the tests that hold the schema to what `build` writes
/// (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "certificates": [
  {
   "region": "us-east-1",
   "certificates": [
    {
     "arn": "arn:aws:acm:us-east-1:111111111111:certificate/c",
     "domainName": "www.example.com",
     "subjectAlternativeNames": ["www.example.com", "example.com"],
     "status": "ISSUED",
     "certificateType": "AMAZON_ISSUED",
     "keyAlgorithm": "RSA_2048",
     "inUse": true,
     "renewalEligibility": "ELIGIBLE",
     "managedBy": "CLOUDFRONT",
     "notBefore": "2026-01-01T00:00:00Z",
     "notAfter": "2027-01-31T23:59:59Z",
     "createdAt": "2026-01-01T00:00:00Z",
     "issuedAt": "2026-01-01T00:05:00Z",
     "importedAt": "2026-01-01T00:00:00Z",
     "revokedAt": "2026-06-01T00:00:00Z"
    }
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{unlisted, CertificateRecord, CertificateRegion, LIST_CERTIFICATES};
    use crate::collect::convert::{owned, timestamp};
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_acm::types::{CertificateSummary, Filters, KeyAlgorithm};
    use aws_sdk_acm::Client;
    use futures::future::BoxFuture;

    /// ListCertificates in each region; then, once every type is in, the listener
    /// certificates no listing has ([`unlisted`]).
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {
        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                // Every key algorithm the SDK knows: by default ACM lists RSA 2048 only.
                let every_key = Filters::builder()
                    .set_key_types(Some(
                        KeyAlgorithm::values()
                            .iter()
                            .map(|k| KeyAlgorithm::from(*k))
                            .collect(),
                    ))
                    .build();
                let mut certificates = Vec::new();
                let listed = w
                    .s
                    .paginate_in(
                        region,
                        Service::Acm,
                        LIST_CERTIFICATES.operation,
                        |token| {
                            client
                                .list_certificates()
                                .includes(every_key.clone())
                                .max_items(1000)
                                .set_next_token(token)
                                .send()
                        },
                        |page| {
                            certificates
                                .extend(page.certificate_summary_list().iter().filter_map(summary));
                            page.next_token().map(str::to_string)
                        },
                    )
                    .await;
                if listed {
                    let record = CertificateRegion {
                        region: region.to_string(),
                        certificates,
                    };
                    w.write(|c| c.certificates.push(record));
                }
                true
            })
        }

        fn last<'a>(&'a self, w: &'a Walk<'a>) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                let issues = w.read(|c| {
                    unlisted(
                        c,
                        |region| w.s.answered(region, LIST_CERTIFICATES.operation),
                        w.s.answered_global("ListServerCertificates"),
                    )
                });
                issues.into_iter().for_each(|i| w.s.issue(i));
            })
        }
    }

    fn summary(s: &CertificateSummary) -> Option<CertificateRecord> {
        Some(CertificateRecord {
            arn: s.certificate_arn()?.to_string(),
            domain_name: owned(s.domain_name()),
            subject_alternative_names: s.subject_alternative_name_summaries().to_vec(),
            status: s.status().map(|x| x.as_str().to_string()),
            certificate_type: s.r#type().map(|x| x.as_str().to_string()),
            key_algorithm: s.key_algorithm().map(|x| x.as_str().to_string()),
            in_use: s.in_use(),
            renewal_eligibility: s.renewal_eligibility().map(|x| x.as_str().to_string()),
            managed_by: s.managed_by().map(|x| x.as_str().to_string()),
            not_before: timestamp(s.not_before()),
            not_after: timestamp(s.not_after()),
            created_at: timestamp(s.created_at()),
            issued_at: timestamp(s.issued_at()),
            imported_at: timestamp(s.imported_at()),
            revoked_at: timestamp(s.revoked_at()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use crate::collect::types::elb::{ElbRecord, ListenerRecord as ElbListener};
    use crate::collect::types::iam::{IamRecord, ServerCertificate};
    use crate::collect::types::load_balancer::{ListenerRecord, V2Record};
    use crate::entity::graph::EntityGraph;
    use crate::lang::eval::{check_rule, evaluate, EvalOptions, Outcome};
    use crate::lang::parser::parse_rule;

    const SOON: &str = "arn:aws:acm:us-east-1:111111111111:certificate/soon";
    const LATER: &str = "arn:aws:acm:us-east-1:111111111111:certificate/later";
    const IAM_SOON: &str = "arn:aws:iam::111111111111:server-certificate/web/soon";
    const GONE: &str = "arn:aws:acm:us-east-1:222222222222:certificate/other-account";
    const IAM_GONE: &str = "arn:aws:iam::111111111111:server-certificate/deleted";
    const CRY_10: &str = "ELB should not have elbListeners contain [ certificate.expiration before(7, 'days') ]";
    const CRY_12: &str = "ApplicationLoadBalancer should not have listeners contain [ certificates contain [ expiration before(7, 'days') ] ]";
    const NOW: &str = "2026-06-01T00:00:00Z";

    fn acm(arn: &str, not_after: &str) -> CertificateRecord {
        CertificateRecord {
            arn: arn.into(),
            domain_name: Some("www.example.com".into()),
            not_after: Some(not_after.into()),
            ..Default::default()
        }
    }

    fn elb(name: &str, certificate: &str) -> ElbRecord {
        ElbRecord {
            region: "us-east-1".into(),
            name: name.into(),
            listeners: vec![ElbListener {
                protocol: "HTTPS".into(),
                port: 443,
                certificate: Some(certificate.into()),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    /// An application balancer with one HTTPS listener: its default certificate
    /// first, then its further (SNI) ones.
    fn alb(name: &str, certificates: &[&str]) -> V2Record {
        V2Record {
            region: "us-east-1".into(),
            arn: format!("arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/{name}/1"),
            name: name.into(),
            listeners: vec![ListenerRecord {
                arn: format!("arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/{name}/1/1"),
                protocol: Some("HTTPS".into()),
                port: Some(443),
                certificates: certificates.iter().take(1).map(|c| c.to_string()).collect(),
                sni_certificates: certificates.iter().skip(1).map(|c| c.to_string()).collect(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    /// ACM: one certificate expiring in 3 days, one in a year; IAM: one expiring in 2
    /// days. Balancers on each, and on one certificate neither listing has.
    fn account() -> Collected {
        Collected {
            account_number: "111111111111".into(),
            regions: vec!["us-east-1".into()],
            certificates: vec![CertificateRegion {
                region: "us-east-1".into(),
                certificates: vec![
                    acm(SOON, "2026-06-04T00:00:00Z"),
                    acm(LATER, "2027-06-01T00:00:00Z"),
                ],
            }],
            iam: vec![IamRecord {
                server_certificates: vec![ServerCertificate {
                    name: "soon".into(),
                    arn: IAM_SOON.into(),
                    id: "ASCA1".into(),
                    expiration: Some("2026-06-03T00:00:00Z".into()),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            elbs: vec![elb("elb-soon", IAM_SOON), elb("elb-later", LATER)],
            application_load_balancers: vec![
                alb("alb-soon", &[LATER, SOON]),
                alb("alb-later", &[LATER]),
            ],
            ..Default::default()
        }
    }

    fn verdicts(c: &Collected, rule: &str) -> Vec<(String, Outcome)> {
        let snapshot = crate::collect::graph::build_snapshot(std::slice::from_ref(c), None);
        let graph = EntityGraph::new(snapshot);
        let checked = check_rule(&parse_rule(rule).expect("parses")).expect("checks");
        let now = chrono::DateTime::parse_from_rfc3339(NOW)
            .expect("date")
            .to_utc();
        evaluate(&checked, &graph, &EvalOptions::at(now))
            .entities
            .into_iter()
            .map(|r| (r.name.unwrap_or(r.id), r.outcome))
            .collect()
    }

    #[test]
    fn listener_certificates_are_joined_by_arn_with_acm_and_iam() {
        let c = account();
        let elbs = (super::super::elb::TYPE.build)(&c);
        assert_eq!(elbs[0]["name"], "elb-later");
        assert_eq!(
            elbs[0]["elbListeners"][0]["certificate"],
            json!({"id": LATER, "isDefault": true, "expiration": "2027-06-01T00:00:00Z"})
        );
        assert_eq!(
            elbs[1]["elbListeners"][0]["certificate"]["expiration"],
            "2026-06-03T00:00:00Z",
            "an IAM server certificate"
        );
        let albs = (super::super::application_load_balancer::TYPE.build)(&c);
        let soon = albs.iter().find(|b| b["name"] == "alb-soon").expect("alb");
        assert_eq!(
            soon["listeners"][0]["certificates"],
            json!([
                {"id": LATER, "isDefault": true, "expiration": "2027-06-01T00:00:00Z"},
                {"id": SOON, "isDefault": false, "expiration": "2026-06-04T00:00:00Z"},
            ])
        );
        let mut gone = account();
        gone.elbs = vec![elb("elb-gone", GONE)];
        let e = &(super::super::elb::TYPE.build)(&gone)[0];
        assert_eq!(
            e["elbListeners"][0]["certificate"],
            json!({"id": GONE, "isDefault": true, "expiration": null}),
            "not listed: no date is made up"
        );
        let certs = build(&c);
        assert_eq!(certs.len(), 2);
        assert_eq!(certs[0]["id"], LATER);
        assert_eq!(certs[0]["name"], "www.example.com");
        assert_eq!(certs[0]["notAfter"], "2027-06-01T00:00:00Z");
    }

    #[test]
    fn the_cloudguard_rules_fail_the_balancers_whose_certificate_expires_within_a_week() {
        let c = account();
        let mut elb = verdicts(&c, CRY_10);
        elb.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            elb,
            [
                ("elb-later".to_string(), Outcome::Passed),
                ("elb-soon".to_string(), Outcome::Failed),
            ]
        );
        let mut alb = verdicts(&c, CRY_12);
        alb.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            alb,
            [
                ("alb-later".to_string(), Outcome::Passed),
                ("alb-soon".to_string(), Outcome::Failed),
            ],
            "one certificate of the listener expiring is enough, a further (SNI) one too"
        );
    }

    #[test]
    fn a_listener_certificate_no_listing_has_is_an_issue_that_leaves_the_rules_unknown() {
        let mut c = account();
        c.elbs.push(elb("elb-gone", GONE));
        // A further (SNI) certificate is looked up too.
        c.application_load_balancers
            .push(alb("alb-gone", &[LATER, IAM_GONE]));
        let issues = unlisted(&c, |_| true, true);
        let said: Vec<(&str, &str, &str)> = issues
            .iter()
            .map(|i| (i.service.as_str(), i.operation, i.code.as_str()))
            .collect();
        assert_eq!(
            said,
            [
                ("iam", "ListServerCertificates", "CertificateNotListed"),
                ("acm", "ListCertificates", "CertificateNotListed"),
            ],
            "by region and balancer"
        );
        assert!(issues[1].message.starts_with("elb-gone: "), "{}", issues[1].message);
        assert!(issues[1].message.contains(GONE));
        assert_eq!(issues[0].region.as_deref(), Some("us-east-1"));
        // A listing that failed is its own error: nothing is added for it.
        assert!(unlisted(&c, |_| false, false).is_empty());
        assert_eq!(unlisted(&c, |_| true, false).len(), 1);
        assert!(unlisted(&account(), |_| true, true).is_empty(), "all listed");

        c.errors = issues
            .into_iter()
            .map(|i| i.into_error("111111111111"))
            .collect();
        for e in &c.errors {
            for t in ["ApplicationLoadBalancer", "ELB", "NetworkLoadBalancer"] {
                assert!(e.entity_types.iter().any(|x| x == t), "{e:?}");
            }
        }
        for rule in [CRY_10, CRY_12] {
            let v = verdicts(&c, rule);
            assert!(!v.is_empty());
            assert!(
                v.iter().all(|(_, o)| *o == Outcome::Unknown),
                "{rule}: {v:?}"
            );
        }
    }

    #[test]
    fn a_refused_acm_listing_leaves_the_balancer_types_incomplete() {
        let types = super::super::affected_entity_types(Service::Acm, "ListCertificates", false);
        assert_eq!(
            types,
            [
                "AcmCertificate",
                "ApplicationLoadBalancer",
                "ELB",
                "NetworkLoadBalancer"
            ]
        );
        let types =
            super::super::affected_entity_types(Service::Iam, "ListServerCertificates", false);
        assert_eq!(
            types,
            [
                "ApplicationLoadBalancer",
                "ELB",
                "Iam",
                "NetworkLoadBalancer"
            ]
        );
    }
}
