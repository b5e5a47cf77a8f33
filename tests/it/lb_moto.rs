//! The load balancer types (ELB, ApplicationLoadBalancer, NetworkLoadBalancer) and
//! Lambda collected from moto through the real SDK, and the CloudGuard rules shipped on
//! them (`policies/cloudguard/`) judged on what was collected: a passing and a failing
//! case of each, with the entity and the property each failure names. The account has
//! a network load balancer without security groups, a public and a private function,
//! and a function whose environment holds a secret that must never reach the snapshot.
//! A region whose ELB v2 and Lambda calls are refused leaves those types `unknown`
//! there, never passed.
#![cfg(feature = "aws")]

use crate::support;

use aws_sdk_ec2::types as ec2;
use aws_sdk_elasticloadbalancing::types as elb;
use aws_sdk_elasticloadbalancingv2::types as v2;
use gsl::collect::{EndpointOverride, Service};
use gsl::entity::graph::EntityGraph;
use gsl::lang::eval::Outcome;
use serde_json::Value as Json;
use support::collected::{by_name, collect_from, entities};
use support::fixture::{Fixture, ACCOUNT};
use support::Moto;

const SECRET: &str = "s3cr3t-value-that-must-never-be-collected";
const LAMBDA_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----";

/// What the seeded account holds, by the names the assertions use.
struct Seeded {
    open_group: String,
    closed_group: String,
}

async fn seed(moto: &Moto) -> Seeded {
    let f = Fixture::new(moto, "us-east-1").await;
    let c = aws_sdk_ec2::Client::new(&f.config);
    let iam = aws_sdk_iam::Client::new(&f.config);
    let classic = aws_sdk_elasticloadbalancing::Client::new(&f.config);
    let lbs = aws_sdk_elasticloadbalancingv2::Client::new(&f.config);
    let lambda = aws_sdk_lambda::Client::new(&f.config);

    let (vpc, subnets) = f
        .vpc(
            "10.20.0.0/16",
            &[
                ("10.20.1.0/24", "us-east-1a"),
                ("10.20.2.0/24", "us-east-1b"),
            ],
        )
        .await;
    let group = |name: &'static str| {
        let (c, vpc) = (c.clone(), vpc.clone());
        async move {
            c.create_security_group()
                .group_name(name)
                .description(name)
                .vpc_id(&vpc)
                .send()
                .await
                .expect("CreateSecurityGroup")
                .group_id()
                .expect("group id")
                .to_string()
        }
    };
    // lb-open: HTTPS from anywhere, AWS's default egress. lb-closed: no rule at all.
    let open_group = group("lb-open").await;
    c.authorize_security_group_ingress()
        .group_id(&open_group)
        .ip_permissions(
            ec2::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(443)
                .to_port(443)
                .ip_ranges(ec2::IpRange::builder().cidr_ip("0.0.0.0/0").build())
                .build(),
        )
        .send()
        .await
        .expect("AuthorizeSecurityGroupIngress");
    let closed_group = group("lb-closed").await;
    c.revoke_security_group_egress()
        .group_id(&closed_group)
        .ip_permissions(
            ec2::IpPermission::builder()
                .ip_protocol("-1")
                .ip_ranges(ec2::IpRange::builder().cidr_ip("0.0.0.0/0").build())
                .build(),
        )
        .send()
        .await
        .expect("RevokeSecurityGroupEgress");

    let cert = iam
        .upload_server_certificate()
        .server_certificate_name("web")
        .certificate_body(CERT)
        .private_key("-----BEGIN RSA PRIVATE KEY-----\nfake\n-----END RSA PRIVATE KEY-----")
        .send()
        .await
        .expect("UploadServerCertificate")
        .server_certificate_metadata()
        .map(|m| m.arn().to_string())
        .expect("certificate arn");

    // Classic: secure-elb (HTTPS to HTTPS, lb-open, a TLS policy, access log on) passes
    // the three ELB rules; plain-elb (HTTP, lb-closed) fails them.
    classic
        .create_load_balancer()
        .load_balancer_name("secure-elb")
        .listeners(
            elb::Listener::builder()
                .protocol("HTTPS")
                .load_balancer_port(443)
                .instance_protocol("HTTPS")
                .instance_port(443)
                .ssl_certificate_id(&cert)
                .build()
                .expect("listener"),
        )
        .subnets(&subnets[0])
        .security_groups(&open_group)
        .send()
        .await
        .expect("CreateLoadBalancer secure-elb");
    classic
        .create_load_balancer_policy()
        .load_balancer_name("secure-elb")
        .policy_name("tls")
        .policy_type_name("SSLNegotiationPolicyType")
        .policy_attributes(
            elb::PolicyAttribute::builder()
                .attribute_name("Reference-Security-Policy")
                .attribute_value("ELBSecurityPolicy-TLS-1-2-2017-01")
                .build(),
        )
        .policy_attributes(
            elb::PolicyAttribute::builder()
                .attribute_name("Protocol-TLSv1.2")
                .attribute_value("true")
                .build(),
        )
        .send()
        .await
        .expect("CreateLoadBalancerPolicy");
    classic
        .set_load_balancer_policies_of_listener()
        .load_balancer_name("secure-elb")
        .load_balancer_port(443)
        .policy_names("tls")
        .send()
        .await
        .expect("SetLoadBalancerPoliciesOfListener");
    classic
        .modify_load_balancer_attributes()
        .load_balancer_name("secure-elb")
        .load_balancer_attributes(
            elb::LoadBalancerAttributes::builder()
                .access_log(
                    elb::AccessLog::builder()
                        .enabled(true)
                        .s3_bucket_name("elb-logs")
                        .emit_interval(60)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("ModifyLoadBalancerAttributes");
    classic
        .create_load_balancer()
        .load_balancer_name("plain-elb")
        .listeners(
            elb::Listener::builder()
                .protocol("HTTP")
                .load_balancer_port(80)
                .instance_protocol("HTTP")
                .instance_port(80)
                .build()
                .expect("listener"),
        )
        .subnets(&subnets[1])
        .security_groups(&closed_group)
        .scheme("internal")
        .send()
        .await
        .expect("CreateLoadBalancer plain-elb");

    // ELB v2: https-alb (HTTPS only, public, hardened attributes) passes NET.40;
    // http-alb (an HTTP listener redirecting to HTTPS, internal) fails it; tcp-nlb has
    // no security group.
    let alb = |name: &'static str, scheme: v2::LoadBalancerSchemeEnum| {
        let (lbs, subnets, group) = (lbs.clone(), subnets.clone(), open_group.clone());
        async move {
            lbs.create_load_balancer()
                .name(name)
                .set_subnets(Some(subnets))
                .security_groups(group)
                .scheme(scheme)
                .r#type(v2::LoadBalancerTypeEnum::Application)
                .send()
                .await
                .expect("CreateLoadBalancer")
                .load_balancers()
                .first()
                .and_then(|b| b.load_balancer_arn())
                .expect("balancer arn")
                .to_string()
        }
    };
    let https = alb("https-alb", v2::LoadBalancerSchemeEnum::InternetFacing).await;
    let http = alb("http-alb", v2::LoadBalancerSchemeEnum::Internal).await;
    let group_arn = |name: &'static str, protocol: v2::ProtocolEnum| {
        let (lbs, vpc) = (lbs.clone(), vpc.clone());
        async move {
            lbs.create_target_group()
                .name(name)
                .protocol(protocol)
                .port(80)
                .vpc_id(vpc)
                .send()
                .await
                .expect("CreateTargetGroup")
                .target_groups()
                .first()
                .and_then(|g| g.target_group_arn())
                .expect("target group arn")
                .to_string()
        }
    };
    let web_targets = group_arn("web", v2::ProtocolEnum::Http).await;
    let forward = |tg: &str| {
        v2::Action::builder()
            .r#type(v2::ActionTypeEnum::Forward)
            .target_group_arn(tg)
            .build()
    };
    lbs.create_listener()
        .load_balancer_arn(&https)
        .protocol(v2::ProtocolEnum::Https)
        .port(443)
        .ssl_policy("ELBSecurityPolicy-TLS13-1-2-2021-06")
        .certificates(v2::Certificate::builder().certificate_arn(&cert).build())
        .default_actions(forward(&web_targets))
        .send()
        .await
        .expect("CreateListener HTTPS");
    lbs.modify_load_balancer_attributes()
        .load_balancer_arn(&https)
        .attributes(
            v2::LoadBalancerAttribute::builder()
                .key("routing.http.drop_invalid_header_fields.enabled")
                .value("true")
                .build(),
        )
        .attributes(
            v2::LoadBalancerAttribute::builder()
                .key("deletion_protection.enabled")
                .value("true")
                .build(),
        )
        .send()
        .await
        .expect("ModifyLoadBalancerAttributes");
    lbs.create_listener()
        .load_balancer_arn(&http)
        .protocol(v2::ProtocolEnum::Http)
        .port(80)
        .default_actions(
            v2::Action::builder()
                .r#type(v2::ActionTypeEnum::Redirect)
                .redirect_config(
                    v2::RedirectActionConfig::builder()
                        .protocol("HTTPS")
                        .port("443")
                        .status_code(v2::RedirectActionStatusCodeEnum::Http301)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("CreateListener HTTP");
    let nlb = lbs
        .create_load_balancer()
        .name("tcp-nlb")
        .set_subnets(Some(subnets.clone()))
        .scheme(v2::LoadBalancerSchemeEnum::Internal)
        .r#type(v2::LoadBalancerTypeEnum::Network)
        .send()
        .await
        .expect("CreateLoadBalancer tcp-nlb")
        .load_balancers()
        .first()
        .and_then(|b| b.load_balancer_arn())
        .expect("nlb arn")
        .to_string();
    let tcp_targets = group_arn("tcp", v2::ProtocolEnum::Tcp).await;
    lbs.create_listener()
        .load_balancer_arn(&nlb)
        .protocol(v2::ProtocolEnum::Tcp)
        .port(5432)
        .default_actions(forward(&tcp_targets))
        .send()
        .await
        .expect("CreateListener TCP");

    // Lambda: public-fn (anyone may invoke it, an unauthenticated URL, a secret in its
    // environment); private-fn (only S3 from one bucket, in the VPC behind lb-open).
    let role = iam
        .create_role()
        .role_name("fn-role")
        .assume_role_policy_document(LAMBDA_TRUST)
        .send()
        .await
        .expect("CreateRole")
        .role()
        .map(|r| r.arn().to_string())
        .expect("role arn");
    let function = |name: &'static str, vpc_config: Option<aws_sdk_lambda::types::VpcConfig>| {
        let (lambda, role) = (lambda.clone(), role.clone());
        async move {
            lambda
                .create_function()
                .function_name(name)
                .runtime(aws_sdk_lambda::types::Runtime::Python312)
                .role(role)
                .handler("app.handler")
                .code(
                    aws_sdk_lambda::types::FunctionCode::builder()
                        .zip_file(aws_sdk_lambda::primitives::Blob::new(
                            b"PK\x05\x06".to_vec(),
                        ))
                        .build(),
                )
                .environment(
                    aws_sdk_lambda::types::Environment::builder()
                        .variables("API_TOKEN", SECRET)
                        .variables("STAGE", "prod")
                        .build(),
                )
                .set_vpc_config(vpc_config)
                .send()
                .await
                .expect("CreateFunction");
        }
    };
    function("public-fn", None).await;
    function(
        "private-fn",
        Some(
            aws_sdk_lambda::types::VpcConfig::builder()
                .subnet_ids(&subnets[0])
                .security_group_ids(&open_group)
                .build(),
        ),
    )
    .await;
    lambda
        .add_permission()
        .function_name("public-fn")
        .statement_id("anyone")
        .action("lambda:InvokeFunction")
        .principal("*")
        .send()
        .await
        .expect("AddPermission public-fn");
    lambda
        .create_function_url_config()
        .function_name("public-fn")
        .auth_type(aws_sdk_lambda::types::FunctionUrlAuthType::None)
        .send()
        .await
        .expect("CreateFunctionUrlConfig");
    lambda
        .add_permission()
        .function_name("private-fn")
        .statement_id("s3")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .source_arn("arn:aws:s3:::uploads")
        .source_account(ACCOUNT)
        .send()
        .await
        .expect("AddPermission private-fn");
    Seeded {
        open_group,
        closed_group,
    }
}

/// The rule of a shipped CloudGuard policy (its lines after the header comments).
pub(crate) fn policy(file: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policies/cloudguard")
        .join(file);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each entity's (id, name, outcome, the explanation's words).
pub(crate) fn verdicts(rule: &str, graph: &EntityGraph) -> Vec<(String, String, Outcome, String)> {
    let opts = gsl::run::eval_options(graph.snapshot(), None);
    let report =
        gsl::run::eval_rule(rule, graph, &opts).unwrap_or_else(|e| panic!("{rule}: {e:?}"));
    report
        .entities
        .iter()
        .map(|e| {
            let mut words = e.explanation.summary.clone();
            for ev in &e.explanation.evidence {
                words.push('\n');
                words.push_str(ev.path.as_deref().unwrap_or_default());
                words.push(' ');
                words.push_str(ev.note.as_deref().unwrap_or_default());
            }
            (
                e.id.clone(),
                e.name.clone().unwrap_or_default(),
                e.outcome,
                words,
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_balancers_and_functions_and_the_cloudguard_rules_on_them() {
    let moto = Moto::start();
    let s = seed(&moto).await;
    let c = collect_from(&moto, moto.endpoints()).await;
    assert!(c.snapshot.errors.is_empty(), "{:#?}", c.snapshot.errors);

    // Calls: one listing per region and service (2 regions), then one call per
    // balancer or function and kind of detail (2 classic balancers, 3 v2 balancers,
    // 2 functions, all in us-east-1).
    for (service, op, n) in [
        (Service::Elb, "DescribeLoadBalancers", 2),
        (Service::Elb, "DescribeLoadBalancerAttributes", 2),
        (Service::Elb, "DescribeLoadBalancerPolicies", 2),
        (Service::Elbv2, "DescribeLoadBalancers", 2),
        (Service::Elbv2, "DescribeListeners", 3),
        (Service::Elbv2, "DescribeLoadBalancerAttributes", 3),
        (Service::Lambda, "ListFunctions", 2),
        (Service::Lambda, "GetPolicy", 2),
        (Service::Lambda, "GetFunctionUrlConfig", 2),
    ] {
        assert_eq!(c.stats.calls(service, op), n, "{service}:{op}");
    }

    // The shapes.
    let secure = by_name(&c, "ELB", "secure-elb");
    assert_eq!(secure["isPublic"], true);
    assert_eq!(secure["elbListeners"][0]["sourceProtocol"], "HTTPS");
    assert_eq!(secure["elbListeners"][0]["instancePort"], 443);
    assert_eq!(
        secure["elbListeners"][0]["securityPolicy"],
        "ELBSecurityPolicy-TLS-1-2-2017-01"
    );
    assert!(secure["attributes"]
        .as_array()
        .expect("attributes")
        .contains(&Json::from("Protocol-TLSv1.2")));
    assert_eq!(secure["accessLog"]["enabled"], true, "{secure:#}");
    assert_eq!(secure["accessLog"]["s3BucketName"], "elb-logs");
    assert_eq!(secure["securityGroups"][0]["id"], s.open_group.as_str());
    assert_eq!(secure["inboundRules"][0]["port"], 443);
    assert!(!secure["subnets"][0]["vpc"]["cidr"].is_null());
    let plain = by_name(&c, "ELB", "plain-elb");
    assert_eq!(plain["isPublic"], false);
    assert_eq!(plain["securityGroups"][0]["id"], s.closed_group.as_str());
    assert_eq!(plain["inboundRules"], Json::Array(vec![]));

    let https = by_name(&c, "ApplicationLoadBalancer", "https-alb");
    assert_eq!(https["isPublic"], true);
    assert_eq!(https["listeners"][0]["protocol"], "HTTPS");
    assert_eq!(
        https["listeners"][0]["sslPolicy"],
        "ELBSecurityPolicy-TLS13-1-2-2021-06"
    );
    assert!(https["listeners"][0]["certificates"][0]["id"].is_string());
    assert_eq!(https["dropInvalidHeaderFields"], true, "{https:#}");
    assert_eq!(https["deletionProtection"], true);
    assert_eq!(https["subnets"].as_array().map(Vec::len), Some(2));
    let http = by_name(&c, "ApplicationLoadBalancer", "http-alb");
    assert_eq!(http["isPublic"], false);
    assert_eq!(http["dropInvalidHeaderFields"], false);
    assert_eq!(
        http["listeners"][0]["defaultActions"][0]["type"],
        "redirect"
    );
    assert_eq!(
        http["listeners"][0]["defaultActions"][0]["redirectProtocol"],
        "HTTPS"
    );
    assert_eq!(entities(&c, "ApplicationLoadBalancer").len(), 2);
    let nlb = by_name(&c, "NetworkLoadBalancer", "tcp-nlb");
    assert_eq!(entities(&c, "NetworkLoadBalancer").len(), 1);
    assert_eq!(nlb["securityGroups"], Json::Array(vec![]));
    assert_eq!(nlb["inboundRules"], Json::Array(vec![]));
    assert_eq!(nlb["listeners"][0]["protocol"], "TCP");
    assert_eq!(nlb["listeners"][0]["port"], 5432);

    let public = by_name(&c, "Lambda", "public-fn");
    let private = by_name(&c, "Lambda", "private-fn");
    assert_eq!(public["isPublic"], true, "{public:#}");
    assert_eq!(private["isPublic"], false, "{private:#}");
    assert_eq!(public["functionUrl"]["authType"], "NONE");
    assert_eq!(private["functionUrl"], Json::Null);
    assert_eq!(public["runtime"], "python3.12");
    assert!(public["role"]
        .as_str()
        .is_some_and(|r| r.ends_with(":role/fn-role")));
    assert_eq!(
        public["environmentVariables"],
        serde_json::json!(["API_TOKEN", "STAGE"])
    );
    assert_eq!(private["securityGroups"][0]["id"], s.open_group.as_str());
    assert!(private["vpc"]["id"].is_string());
    // The environment's values never reach the snapshot, nor its records.
    let whole = serde_json::to_string(&c.snapshot).expect("snapshot JSON");
    assert!(!whole.contains(SECRET), "a variable's value was collected");
    assert!(
        !whole.contains("\"prod\""),
        "a variable's value was collected"
    );

    // Each shipped rule: (policy file, entity name, outcome, words of the failure).
    let graph = EntityGraph::named(c.snapshot.clone(), "moto");
    let expect = [
        ("cry-02-elb-https.gsl", "secure-elb", Outcome::Passed, ""),
        (
            "cry-02-elb-https.gsl",
            "plain-elb",
            Outcome::Failed,
            "elbListeners",
        ),
        (
            "net-50-elb-inbound-rules.gsl",
            "secure-elb",
            Outcome::Passed,
            "",
        ),
        (
            "net-50-elb-inbound-rules.gsl",
            "plain-elb",
            Outcome::Failed,
            "securityGroups[0].inboundRules",
        ),
        (
            "net-44-elb-outbound-rules.gsl",
            "secure-elb",
            Outcome::Passed,
            "",
        ),
        (
            "net-44-elb-outbound-rules.gsl",
            "plain-elb",
            Outcome::Failed,
            "securityGroups[0].outboundRules",
        ),
        (
            "net-40-alb-http-listeners.gsl",
            "https-alb",
            Outcome::Passed,
            "",
        ),
        (
            "net-40-alb-http-listeners.gsl",
            "http-alb",
            Outcome::Failed,
            "listeners[0]",
        ),
    ];
    for (file, who, outcome, words) in expect {
        let rule = policy(file);
        let results = verdicts(&rule, &graph);
        let (id, _, got, text) = results
            .iter()
            .find(|(_, name, _, _)| name == who)
            .unwrap_or_else(|| panic!("{file}: no result for {who}: {results:#?}"));
        assert_eq!(*got, outcome, "{file} on {who} ({id}): {text}");
        if outcome == Outcome::Failed {
            assert!(
                text.contains(words),
                "{file} on {who}: {words:?} not in {text}"
            );
        }
    }

    // The corpus rules over these types run on the collected entities without error.
    let mut ran = 0;
    for line in include_str!("../data/gsl/corpus_valid.txt").lines() {
        let rule = line.split("  #").next().unwrap_or_default().trim();
        let ours = [
            "ELB ",
            "ApplicationLoadBalancer ",
            "NetworkLoadBalancer ",
            "Lambda ",
        ]
        .iter()
        .any(|t| rule.starts_with(t));
        if !ours {
            continue;
        }
        for (id, _, outcome, text) in verdicts(rule, &graph) {
            assert_ne!(outcome, Outcome::Error, "{rule} on {id}: {text}");
        }
        ran += 1;
    }
    assert!(ran >= 5, "{ran} corpus rules on these types");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_elbv2_and_lambda_calls_leave_the_types_unknown_never_passed() {
    let moto = Moto::start();
    seed(&moto).await;
    let mut endpoints = moto.endpoints();
    for service in [Service::Elbv2, Service::Lambda] {
        endpoints.push(EndpointOverride {
            service: Some(service),
            region: Some("eu-west-1".into()),
            url: moto.deny_url.clone(),
        });
    }
    let c = collect_from(&moto, endpoints).await;
    let refused: Vec<(&str, &str)> = c
        .snapshot
        .errors
        .iter()
        .filter(|e| e.region.as_deref() == Some("eu-west-1"))
        .map(|e| (e.service.as_str(), e.operation.as_str()))
        .collect();
    assert_eq!(
        refused,
        [
            ("elbv2", "DescribeLoadBalancers"),
            ("lambda", "ListFunctions")
        ],
        "only the listings are tried (nothing listed, nothing to detail)"
    );
    let v2_error = c
        .snapshot
        .errors
        .iter()
        .find(|e| e.service == "elbv2")
        .expect("recorded");
    assert_eq!(
        v2_error.entity_types,
        ["ApplicationLoadBalancer", "NetworkLoadBalancer"]
    );
    let graph = EntityGraph::named(c.snapshot.clone(), "refused");
    let opts = gsl::run::eval_options(graph.snapshot(), None);
    let rule = policy("net-40-alb-http-listeners.gsl");
    let report = gsl::run::eval_rule(&rule, &graph, &opts).expect("runs");
    let west: Vec<&Outcome> = report
        .entities
        .iter()
        .filter(|e| e.region.as_deref() == Some("eu-west-1"))
        .map(|e| &e.outcome)
        .collect();
    assert!(!west.is_empty(), "nothing said about eu-west-1");
    assert!(west.iter().all(|o| **o == Outcome::Unknown), "{west:?}");
    assert_ne!(report.status, gsl::report::RuleStatus::Passed);
    for rule in [
        "Lambda should have isPublic=false",
        "NetworkLoadBalancer should have isPublic=false",
    ] {
        let report = gsl::run::eval_rule(rule, &graph, &opts).expect("runs");
        assert!(report
            .entities
            .iter()
            .any(|e| e.region.as_deref() == Some("eu-west-1") && e.outcome == Outcome::Unknown));
        assert!(report
            .entities
            .iter()
            .any(|e| e.region.as_deref() == Some("us-east-1") && e.outcome != Outcome::Unknown));
    }
}
