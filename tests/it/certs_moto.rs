//! Certificate expiry on load balancers, collected from moto through the real SDK:
//! ACM certificates imported with a chosen validity (self-signed by the `openssl`
//! command) and one requested from ACM, an IAM server certificate, on classic and
//! application load balancers' HTTPS listeners; the CloudGuard rules D9.AWS.CRY.10 and
//! D9.AWS.CRY.12 (`policies/cloudguard/`) judged on them. A refused ACM listing, and a
//! listener certificate no listing has, leave the balancer types `unknown`, never
//! passed on an `expiration` that is `null`.
//!
//! moto's quirks: IAM answers every server certificate's `Expiration` with one fixed
//! date in 2012 whatever the certificate says, so an IAM-backed listener can only be
//! seen failing; moto refuses an ACM ARN it does not hold on a listener but takes any
//! IAM ARN, so the unlisted certificate is an IAM one.
#![cfg(feature = "aws")]

use crate::lb_moto::{policy, verdicts};
use crate::support;
use crate::support::collected::{by_name, collect_from, entities};

use aws_sdk_acm::primitives::Blob;
use aws_sdk_elasticloadbalancing::types as elb;
use aws_sdk_elasticloadbalancingv2::types as v2;
use chrono::{DateTime, Duration, Utc};
use gsl::collect::{EndpointOverride, Service};
use gsl::entity::graph::EntityGraph;
use gsl::lang::eval::Outcome;
use serde_json::Value as Json;
use support::fixture::Fixture;
use support::Moto;

/// IAM's fixed answer for every server certificate's `Expiration` (moto).
const MOTO_IAM_EXPIRATION: &str = "2012-05-08T01:02:03Z";
const CRY_10: &str = "cry-10-elb-certificate-expiry.gsl";
const CRY_12: &str = "cry-12-alb-certificate-expiry.gsl";

/// A self-signed certificate for `name` valid `days` days from now, with an RSA 2048
/// key or a P-256 one: (certificate PEM, private key PEM).
fn self_signed(name: &str, days: u32, ec: bool) -> (Vec<u8>, Vec<u8>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let mut cmd = std::process::Command::new("openssl");
    cmd.args(["req", "-x509", "-nodes", "-days", &days.to_string()]);
    if ec {
        cmd.args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]);
    } else {
        cmd.args(["-newkey", "rsa:2048"]);
    }
    let status = cmd
        .args(["-subj", &format!("/CN={name}")])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("the openssl command runs");
    assert!(status.success(), "openssl req failed");
    (
        std::fs::read(cert).expect("certificate"),
        std::fs::read(key).expect("key"),
    )
}

/// The ARNs of what [`seed`] made.
struct Seeded {
    soon: String,
    later: String,
}

/// In us-east-1: ACM certificates `soon.example.com` (RSA, 3 days) and
/// `later.example.com` (P-256, a year), one requested from ACM, an IAM server
/// certificate; classic balancers `elb-soon`, `elb-later` and `elb-iam` and
/// application balancers `alb-soon`, `alb-later` and `alb-sni` with an HTTPS listener
/// on them (a listener is created with its one default certificate, as in AWS; the
/// further certificate of `alb-sni`'s is added by `AddListenerCertificates`).
async fn seed(moto: &Moto) -> Seeded {
    let f = Fixture::new(moto, "us-east-1").await;
    let acm = aws_sdk_acm::Client::new(&f.config);
    let iam = aws_sdk_iam::Client::new(&f.config);
    let classic = aws_sdk_elasticloadbalancing::Client::new(&f.config);
    let lbs = aws_sdk_elasticloadbalancingv2::Client::new(&f.config);

    let import = |name: &'static str, days: u32, ec: bool| {
        let acm = acm.clone();
        async move {
            let (cert, key) = self_signed(name, days, ec);
            acm.import_certificate()
                .certificate(Blob::new(cert))
                .private_key(Blob::new(key))
                .send()
                .await
                .expect("ImportCertificate")
                .certificate_arn()
                .expect("certificate arn")
                .to_string()
        }
    };
    let soon = import("soon.example.com", 3, false).await;
    let later = import("later.example.com", 365, true).await;
    acm.request_certificate()
        .domain_name("requested.example.com")
        .send()
        .await
        .expect("RequestCertificate");
    let (body, key) = self_signed("iam.example.com", 365, false);
    let iam_cert = iam
        .upload_server_certificate()
        .server_certificate_name("iam-web")
        .certificate_body(String::from_utf8(body).expect("PEM"))
        .private_key(String::from_utf8(key).expect("PEM"))
        .send()
        .await
        .expect("UploadServerCertificate")
        .server_certificate_metadata()
        .map(|m| m.arn().to_string())
        .expect("certificate arn");

    let (vpc, subnets) = f
        .vpc(
            "10.30.0.0/16",
            &[
                ("10.30.1.0/24", "us-east-1a"),
                ("10.30.2.0/24", "us-east-1b"),
            ],
        )
        .await;
    for (name, cert) in [
        ("elb-soon", &soon),
        ("elb-later", &later),
        ("elb-iam", &iam_cert),
    ] {
        https_elb(&classic, name, cert, &subnets[0]).await;
    }
    let targets = lbs
        .create_target_group()
        .name("web")
        .protocol(v2::ProtocolEnum::Http)
        .port(80)
        .vpc_id(&vpc)
        .send()
        .await
        .expect("CreateTargetGroup")
        .target_groups()
        .first()
        .and_then(|g| g.target_group_arn())
        .expect("target group arn")
        .to_string();
    // alb-sni: the far certificate by default, the near one as a further (SNI) one;
    // alb-later also listens in plain HTTP (no certificate, no certificate call).
    for (name, default, sni) in [
        ("alb-soon", &soon, None),
        ("alb-later", &later, None),
        ("alb-sni", &later, Some(&soon)),
    ] {
        let arn = lbs
            .create_load_balancer()
            .name(name)
            .set_subnets(Some(subnets.clone()))
            .r#type(v2::LoadBalancerTypeEnum::Application)
            .send()
            .await
            .expect("CreateLoadBalancer")
            .load_balancers()
            .first()
            .and_then(|b| b.load_balancer_arn())
            .expect("balancer arn")
            .to_string();
        let forward = v2::Action::builder()
            .r#type(v2::ActionTypeEnum::Forward)
            .target_group_arn(&targets)
            .build();
        let listener = lbs
            .create_listener()
            .load_balancer_arn(&arn)
            .protocol(v2::ProtocolEnum::Https)
            .port(443)
            .certificates(v2::Certificate::builder().certificate_arn(default).build())
            .default_actions(forward.clone())
            .send()
            .await
            .expect("CreateListener")
            .listeners()
            .first()
            .and_then(|l| l.listener_arn())
            .expect("listener arn")
            .to_string();
        if let Some(sni) = sni {
            lbs.add_listener_certificates()
                .listener_arn(listener)
                .certificates(v2::Certificate::builder().certificate_arn(sni).build())
                .send()
                .await
                .expect("AddListenerCertificates");
        }
        if name == "alb-later" {
            lbs.create_listener()
                .load_balancer_arn(&arn)
                .protocol(v2::ProtocolEnum::Http)
                .port(80)
                .default_actions(forward)
                .send()
                .await
                .expect("CreateListener");
        }
    }
    Seeded { soon, later }
}

/// A classic balancer `name` in `subnet` with an HTTPS listener on `certificate`.
async fn https_elb(
    classic: &aws_sdk_elasticloadbalancing::Client,
    name: &str,
    certificate: &str,
    subnet: &str,
) {
    classic
        .create_load_balancer()
        .load_balancer_name(name)
        .listeners(
            elb::Listener::builder()
                .protocol("HTTPS")
                .load_balancer_port(443)
                .instance_protocol("HTTP")
                .instance_port(80)
                .ssl_certificate_id(certificate)
                .build()
                .expect("listener"),
        )
        .subnets(subnet)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateLoadBalancer {name}: {e:?}"));
}

/// `date` (RFC 3339) is between `from` and `to` days from now.
fn in_days(date: &Json, from: i64, to: i64) -> bool {
    let Some(d) = date
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
    else {
        return false;
    };
    let now = Utc::now();
    d > now + Duration::days(from) && d < now + Duration::days(to)
}

/// The outcome of the shipped policy `file` on the entity named `who`.
fn outcome(file: &str, who: &str, graph: &EntityGraph) -> (Outcome, String) {
    let results = verdicts(&policy(file), graph);
    let (_, _, got, text) = results
        .iter()
        .find(|(_, name, _, _)| name == who)
        .unwrap_or_else(|| panic!("{file}: no result for {who}: {results:#?}"));
    (*got, text.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_expiry_is_joined_into_the_listeners_and_judged() {
    let moto = Moto::start();
    let s = seed(&moto).await;
    let c = collect_from(&moto, moto.endpoints()).await;
    assert!(c.snapshot.errors.is_empty(), "{:#?}", c.snapshot.errors);

    // One ACM listing per region (2), no call per certificate or per balancer.
    assert_eq!(c.stats.calls(Service::Acm, "ListCertificates"), 2);
    assert_eq!(c.stats.calls(Service::Acm, "DescribeCertificate"), 0);
    // One certificate listing per HTTPS listener (3), none for the HTTP one.
    assert_eq!(
        c.stats
            .calls(Service::Elbv2, "DescribeListenerCertificates"),
        3
    );

    // The certificates: every key type listed (the P-256 one too), NotAfter as RFC 3339.
    let certs = entities(&c, "AcmCertificate");
    assert_eq!(certs.len(), 3, "{certs:#?}");
    let soon = by_name(&c, "AcmCertificate", "soon.example.com");
    assert_eq!(soon["id"], s.soon.as_str());
    assert_eq!(soon["region"], "us-east-1");
    assert_eq!(soon["certificateType"], "IMPORTED");
    assert_eq!(soon["keyAlgorithm"], "RSA_2048");
    assert_eq!(soon["status"], "ISSUED");
    assert_eq!(soon["inUse"], true, "moto marks what a listener uses");
    assert!(in_days(&soon["notAfter"], 2, 4), "{soon:#}");
    let later = by_name(&c, "AcmCertificate", "later.example.com");
    assert_eq!(later["keyAlgorithm"], "EC_prime256v1");
    assert!(in_days(&later["notAfter"], 360, 370), "{later:#}");
    let requested = by_name(&c, "AcmCertificate", "requested.example.com");
    assert_eq!(requested["certificateType"], "AMAZON_ISSUED");
    assert_eq!(requested["inUse"], false);
    assert!(requested["renewalEligibility"].is_string(), "{requested:#}");

    // The joins, by ARN.
    let elb_soon = by_name(&c, "ELB", "elb-soon");
    assert_eq!(
        elb_soon["elbListeners"][0]["certificate"],
        serde_json::json!({"id": s.soon.as_str(), "isDefault": true, "expiration": soon["notAfter"].clone()})
    );
    assert_eq!(
        by_name(&c, "ELB", "elb-later")["elbListeners"][0]["certificate"]["expiration"],
        later["notAfter"]
    );
    assert_eq!(
        by_name(&c, "ELB", "elb-iam")["elbListeners"][0]["certificate"]["expiration"],
        MOTO_IAM_EXPIRATION,
        "an IAM server certificate's Expiration"
    );
    assert_eq!(
        by_name(&c, "ApplicationLoadBalancer", "alb-soon")["listeners"][0]["certificates"],
        serde_json::json!([{"id": s.soon.as_str(), "isDefault": true, "expiration": soon["notAfter"].clone()}])
    );
    assert_eq!(
        by_name(&c, "ApplicationLoadBalancer", "alb-later")["listeners"][0]["certificates"],
        serde_json::json!([{"id": s.later.as_str(), "isDefault": true, "expiration": later["notAfter"].clone()}])
    );
    // The further certificate, from DescribeListenerCertificates (moto's
    // DescribeListeners lists it too, as AWS does not: only that call says it is not the
    // default).
    assert_eq!(
        by_name(&c, "ApplicationLoadBalancer", "alb-sni")["listeners"][0]["certificates"],
        serde_json::json!([
            {"id": s.later.as_str(), "isDefault": true, "expiration": later["notAfter"].clone()},
            {"id": s.soon.as_str(), "isDefault": false, "expiration": soon["notAfter"].clone()},
        ])
    );

    // The rules.
    let graph = EntityGraph::named(c.snapshot.clone(), "moto");
    for (file, who, want, words) in [
        (CRY_10, "elb-soon", Outcome::Failed, "elbListeners[0]"),
        (CRY_10, "elb-iam", Outcome::Failed, "elbListeners[0]"),
        (CRY_10, "elb-later", Outcome::Passed, ""),
        (CRY_12, "alb-soon", Outcome::Failed, "listeners[0]"),
        (CRY_12, "alb-later", Outcome::Passed, ""),
        (
            CRY_12,
            "alb-sni",
            Outcome::Failed,
            "listeners[0].certificates[1]",
        ),
    ] {
        let (got, text) = outcome(file, who, &graph);
        assert_eq!(got, want, "{file} on {who}: {text}");
        assert!(
            text.contains(words),
            "{file} on {who}: {words:?} not in {text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_acm_listing_leaves_the_balancer_rules_unknown() {
    let moto = Moto::start();
    seed(&moto).await;
    let mut endpoints = moto.endpoints();
    endpoints.push(EndpointOverride {
        service: Some(Service::Acm),
        region: Some("us-east-1".into()),
        url: moto.deny_url.clone(),
    });
    let c = collect_from(&moto, endpoints).await;
    let errors: Vec<(&str, &str, &str)> = c
        .snapshot
        .errors
        .iter()
        .map(|e| {
            (
                e.region.as_deref().unwrap_or_default(),
                e.service.as_str(),
                e.operation.as_str(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [("us-east-1", "acm", "ListCertificates")],
        "the refusal, and no certificate reported unlisted because of it"
    );
    assert_eq!(
        c.snapshot.errors[0].entity_types,
        [
            "AcmCertificate",
            "ApplicationLoadBalancer",
            "ELB",
            "NetworkLoadBalancer"
        ]
    );
    // The far certificate's balancers would pass on a `null` expiration: unknown instead.
    let graph = EntityGraph::named(c.snapshot.clone(), "refused");
    for (file, who) in [
        (CRY_10, "elb-later"),
        (CRY_10, "elb-soon"),
        (CRY_12, "alb-later"),
        (CRY_12, "alb-soon"),
    ] {
        let (got, text) = outcome(file, who, &graph);
        assert_eq!(got, Outcome::Unknown, "{file} on {who}: {text}");
    }
    // IAM's listing answered: the IAM-backed balancer's expiry is known, but its type's
    // data in the region is incomplete, so it is unknown too.
    assert_eq!(
        by_name(&c, "ELB", "elb-iam")["elbListeners"][0]["certificate"]["expiration"],
        MOTO_IAM_EXPIRATION
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_certificate_no_listing_has_leaves_the_balancer_rules_unknown() {
    let moto = Moto::start();
    seed(&moto).await;
    let f = Fixture::new(&moto, "us-east-1").await;
    let classic = aws_sdk_elasticloadbalancing::Client::new(&f.config);
    let subnet = aws_sdk_ec2::Client::new(&f.config)
        .describe_subnets()
        .send()
        .await
        .expect("DescribeSubnets")
        .subnets()
        .iter()
        .find(|s| s.cidr_block() == Some("10.30.1.0/24"))
        .and_then(|s| s.subnet_id())
        .expect("the seeded subnet")
        .to_string();
    let gone = format!("arn:aws:iam::{}:server-certificate/deleted", f.account);
    https_elb(&classic, "elb-gone", &gone, &subnet).await;
    let c = collect_from(&moto, moto.endpoints()).await;
    let errors = &c.snapshot.errors;
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = &errors[0];
    assert_eq!(
        (
            e.region.as_deref(),
            e.service.as_str(),
            e.operation.as_str(),
            e.code.as_str()
        ),
        (
            Some("us-east-1"),
            "iam",
            "ListServerCertificates",
            "CertificateNotListed"
        )
    );
    assert!(e.message.starts_with("elb-gone: "), "{}", e.message);
    assert!(e.message.contains(&gone), "{}", e.message);
    assert_eq!(
        by_name(&c, "ELB", "elb-gone")["elbListeners"][0]["certificate"],
        serde_json::json!({"id": gone, "isDefault": true, "expiration": null}),
        "no date is made up"
    );
    let graph = EntityGraph::named(c.snapshot.clone(), "unlisted");
    for (file, who) in [
        (CRY_10, "elb-gone"),
        (CRY_10, "elb-later"),
        (CRY_12, "alb-later"),
    ] {
        let (got, text) = outcome(file, who, &graph);
        assert_eq!(got, Outcome::Unknown, "{file} on {who}: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_listener_certificate_listing_leaves_the_balancer_rules_unknown() {
    let moto = Moto::start();
    let s = seed(&moto).await;
    let mut endpoints = moto.endpoints();
    endpoints.push(EndpointOverride {
        service: Some(Service::Elbv2),
        region: Some("us-east-1".into()),
        url: support::mend::proxy(&moto.url, |line| {
            line.ends_with(" Action=DescribeListenerCertificates")
        }),
    });
    let c = collect_from(&moto, endpoints).await;
    let errors: Vec<(&str, &str, &str)> = c
        .snapshot
        .errors
        .iter()
        .map(|e| (e.operation.as_str(), e.code.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(errors.len(), 3, "one a listener: {errors:#?}");
    for (operation, code, message) in &errors {
        assert_eq!(
            (*operation, *code),
            ("DescribeListenerCertificates", "AccessDenied")
        );
        assert!(message.contains(" listener 443: "), "{message}");
    }
    assert_eq!(
        c.snapshot.errors[0].entity_types,
        ["ApplicationLoadBalancer", "NetworkLoadBalancer"]
    );
    // What DescribeListeners gave is kept. On AWS that is the default certificate alone,
    // and alb-sni would pass on it; moto lists the further one there too, but cannot
    // say which is the default.
    let kept: Vec<&Json> = by_name(&c, "ApplicationLoadBalancer", "alb-sni")["listeners"][0]
        ["certificates"]
        .as_array()
        .map(|l| l.iter().map(|c| &c["id"]).collect())
        .unwrap_or_default();
    assert_eq!(kept, [s.later.as_str(), s.soon.as_str()]);
    let graph = EntityGraph::named(c.snapshot.clone(), "refused");
    for who in ["alb-sni", "alb-later", "alb-soon"] {
        let (got, text) = outcome(CRY_12, who, &graph);
        assert_eq!(got, Outcome::Unknown, "{CRY_12} on {who}: {text}");
    }
    // The classic balancers make no such call: still judged.
    assert_eq!(outcome(CRY_10, "elb-soon", &graph).0, Outcome::Failed);
}
