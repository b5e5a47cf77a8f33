//! The EC2 types collected from moto through the real SDK, and the CIS rows of
//! `policies/cis-aws.src/rules/network.yaml` evaluated on what was collected: a passing
//! and a failing case of every decidable control, each verdict asserted, and each
//! failure's explanation naming the property (and the rule entry) that failed. The
//! account has an IPv6 `::/0` rule, a group referencing another group, a subnet without
//! an explicit route table association (the VPC's main table applies), and a stopped
//! instance. A region whose EC2 calls are refused leaves the EC2 types `unknown` there,
//! never passed.
#![cfg(feature = "aws")]

use crate::support;

use aws_sdk_ec2::types as ec2;
use gsl::collect::{EndpointOverride, Service};
use gsl::entity::graph::EntityGraph;
use gsl::lang::eval::Outcome;
use std::collections::BTreeMap;
use support::collected::{by_name, collect_from, entities};
use support::fixture::Fixture;
use support::Moto;

const ROLE_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// What the seeded account holds, by the names the assertions use.
struct Seeded {
    vpc: String,
    default_vpc: String,
}

fn tag(name: &str) -> ec2::TagSpecification {
    ec2::TagSpecification::builder()
        .resource_type(ec2::ResourceType::Instance)
        .tags(ec2::Tag::builder().key("Name").value(name).build())
        .build()
}

fn tcp(port: i32) -> ec2::builders::IpPermissionBuilder {
    ec2::IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(port)
        .to_port(port)
}

fn v4(cidr: &str) -> ec2::IpRange {
    ec2::IpRange::builder().cidr_ip(cidr).build()
}

fn v6(cidr: &str) -> ec2::Ipv6Range {
    ec2::Ipv6Range::builder().cidr_ipv6(cidr).build()
}

async fn group(
    c: &aws_sdk_ec2::Client,
    vpc: &str,
    name: &str,
    perms: Vec<ec2::IpPermission>,
) -> String {
    let id = c
        .create_security_group()
        .group_name(name)
        .description(format!("{name} group"))
        .vpc_id(vpc)
        .send()
        .await
        .expect("CreateSecurityGroup")
        .group_id()
        .expect("group id")
        .to_string();
    if !perms.is_empty() {
        c.authorize_security_group_ingress()
            .group_id(&id)
            .set_ip_permissions(Some(perms))
            .send()
            .await
            .expect("AuthorizeSecurityGroupIngress");
    }
    id
}

async fn seed(moto: &Moto) -> Seeded {
    let f = Fixture::new(moto, "us-east-1").await;
    let c = aws_sdk_ec2::Client::new(&f.config);
    let iam = aws_sdk_iam::Client::new(&f.config);
    let default_vpc = c
        .describe_vpcs()
        .send()
        .await
        .expect("DescribeVpcs")
        .vpcs()
        .iter()
        .find(|v| v.is_default() == Some(true))
        .and_then(|v| v.vpc_id())
        .expect("moto's default VPC")
        .to_string();

    // A VPC with a flow log, an internet gateway, a public subnet (explicitly associated
    // with a table routing to the gateway) and a private one (no association: the main
    // table, without a gateway route, applies).
    let (vpc, _) = f.vpc("10.10.0.0/16", &[]).await;
    f.log_group("vpc-flows").await;
    c.create_flow_logs()
        .resource_type(ec2::FlowLogsResourceType::Vpc)
        .resource_ids(&vpc)
        .traffic_type(ec2::TrafficType::Reject)
        .log_group_name("vpc-flows")
        .deliver_logs_permission_arn("arn:aws:iam::123456789012:role/flow-logs")
        .send()
        .await
        .expect("CreateFlowLogs");
    let subnet = |cidr: &'static str, name: &'static str| {
        let (c, vpc) = (c.clone(), vpc.clone());
        async move {
            c.create_subnet()
                .vpc_id(&vpc)
                .cidr_block(cidr)
                .availability_zone("us-east-1a")
                .tag_specifications(
                    ec2::TagSpecification::builder()
                        .resource_type(ec2::ResourceType::Subnet)
                        .tags(ec2::Tag::builder().key("Name").value(name).build())
                        .build(),
                )
                .send()
                .await
                .expect("CreateSubnet")
                .subnet()
                .and_then(|s| s.subnet_id())
                .expect("subnet id")
                .to_string()
        }
    };
    let public = subnet("10.10.1.0/24", "public").await;
    let private = subnet("10.10.2.0/24", "private").await;
    f.public_route(&vpc, &public).await;

    // The new VPC's default group, emptied (5.5 passes); the default VPC's keeps AWS's
    // rules (5.5 fails).
    let default_group = c
        .describe_security_groups()
        .filters(ec2::Filter::builder().name("vpc-id").values(&vpc).build())
        .filters(
            ec2::Filter::builder()
                .name("group-name")
                .values("default")
                .build(),
        )
        .send()
        .await
        .expect("DescribeSecurityGroups")
        .security_groups()
        .first()
        .cloned()
        .expect("the VPC's default group");
    let gid = default_group.group_id().expect("id").to_string();
    if !default_group.ip_permissions().is_empty() {
        c.revoke_security_group_ingress()
            .group_id(&gid)
            .set_ip_permissions(Some(default_group.ip_permissions().to_vec()))
            .send()
            .await
            .expect("RevokeSecurityGroupIngress");
    }
    if !default_group.ip_permissions_egress().is_empty() {
        c.revoke_security_group_egress()
            .group_id(&gid)
            .set_ip_permissions(Some(default_group.ip_permissions_egress().to_vec()))
            .send()
            .await
            .expect("RevokeSecurityGroupEgress");
    }

    // Security groups: SSH from anywhere (IPv4), RDP from anywhere (IPv6), SMB from
    // anywhere, and a web group open on 443 that lets the SSH group in on 22.
    let ssh = group(
        &c,
        &vpc,
        "ssh-world",
        vec![tcp(22).ip_ranges(v4("0.0.0.0/0")).build()],
    )
    .await;
    group(
        &c,
        &vpc,
        "rdp-v6",
        vec![tcp(3389).ipv6_ranges(v6("::/0")).build()],
    )
    .await;
    let smb = group(
        &c,
        &vpc,
        "smb-world",
        vec![tcp(445).ip_ranges(v4("0.0.0.0/0")).build()],
    )
    .await;
    let web = group(
        &c,
        &vpc,
        "web",
        vec![
            tcp(443)
                .ip_ranges(v4("0.0.0.0/0"))
                .ipv6_ranges(v6("::/0"))
                .build(),
            tcp(22)
                .user_id_group_pairs(ec2::UserIdGroupPair::builder().group_id(&ssh).build())
                .build(),
        ],
    )
    .await;

    // Network ACLs: RDP from anywhere (fails 5.2), SSH from the office network (passes).
    let acl = |name: &'static str, port: i32, cidr: &'static str| {
        let (c, vpc) = (c.clone(), vpc.clone());
        async move {
            let id = c
                .create_network_acl()
                .vpc_id(&vpc)
                .tag_specifications(
                    ec2::TagSpecification::builder()
                        .resource_type(ec2::ResourceType::NetworkAcl)
                        .tags(ec2::Tag::builder().key("Name").value(name).build())
                        .build(),
                )
                .send()
                .await
                .expect("CreateNetworkAcl")
                .network_acl()
                .and_then(|a| a.network_acl_id())
                .expect("acl id")
                .to_string();
            c.create_network_acl_entry()
                .network_acl_id(&id)
                .rule_number(100)
                .protocol("6")
                .rule_action(ec2::RuleAction::Allow)
                .egress(false)
                .cidr_block(cidr)
                .port_range(ec2::PortRange::builder().from(port).to(port).build())
                .send()
                .await
                .expect("CreateNetworkAclEntry");
        }
    };
    acl("rdp-open-acl", 3389, "0.0.0.0/0").await;
    acl("office-acl", 22, "192.168.0.0/16").await;

    // An instance profile with a role and an attached managed policy.
    iam.create_role()
        .role_name("app")
        .assume_role_policy_document(ROLE_POLICY)
        .send()
        .await
        .expect("CreateRole");
    let policy = iam
        .create_policy()
        .policy_name("ssm-core")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:UpdateInstanceInformation","Resource":"*"}]}"#)
        .send()
        .await
        .expect("CreatePolicy")
        .policy()
        .and_then(|p| p.arn())
        .expect("policy arn")
        .to_string();
    iam.attach_role_policy()
        .role_name("app")
        .policy_arn(policy)
        .send()
        .await
        .expect("AttachRolePolicy");
    iam.create_instance_profile()
        .instance_profile_name("app")
        .send()
        .await
        .expect("CreateInstanceProfile");
    iam.add_role_to_instance_profile()
        .instance_profile_name("app")
        .role_name("app")
        .send()
        .await
        .expect("AddRoleToInstanceProfile");

    let image = c
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .expect("DescribeImages")
        .images()
        .first()
        .and_then(|i| i.image_id())
        .expect("an AMI")
        .to_string();
    let run = |name: &'static str,
               subnet: String,
               groups: Vec<String>,
               profile: bool,
               tokens: ec2::HttpTokensState| {
        let (c, image) = (c.clone(), image.clone());
        async move {
            let mut r = c
                .run_instances()
                .image_id(&image)
                .min_count(1)
                .max_count(1)
                .instance_type(ec2::InstanceType::T3Micro)
                .network_interfaces(
                    ec2::InstanceNetworkInterfaceSpecification::builder()
                        .device_index(0)
                        .subnet_id(subnet)
                        .set_groups(Some(groups))
                        .associate_public_ip_address(true)
                        .build(),
                )
                .metadata_options(
                    ec2::InstanceMetadataOptionsRequest::builder()
                        .http_tokens(tokens)
                        .http_endpoint(ec2::InstanceMetadataEndpointState::Enabled)
                        .build(),
                )
                .tag_specifications(tag(name));
            if profile {
                r = r.iam_instance_profile(
                    ec2::IamInstanceProfileSpecification::builder()
                        .name("app")
                        .build(),
                );
            }
            r.send()
                .await
                .expect("RunInstances")
                .instances()
                .first()
                .and_then(|i| i.instance_id())
                .expect("instance id")
                .to_string()
        }
    };
    // web-1: public (address and a route to the gateway), role, IMDSv2 only.
    run(
        "web-1",
        public.clone(),
        vec![web.clone()],
        true,
        ec2::HttpTokensState::Required,
    )
    .await;
    // legacy: SMB and SSH from anywhere, no role, IMDSv1; a public address in the
    // private subnet (the main table has no route to the gateway): not public.
    run(
        "legacy",
        private.clone(),
        vec![smb, ssh],
        false,
        ec2::HttpTokensState::Optional,
    )
    .await;
    // parked: stopped, with a role and IMDSv2.
    let parked = run(
        "parked",
        private,
        vec![web],
        true,
        ec2::HttpTokensState::Required,
    )
    .await;
    c.stop_instances()
        .instance_ids(parked)
        .send()
        .await
        .expect("StopInstances");

    // An encrypted volume; EBS encryption by default on in us-east-1 only.
    c.create_volume()
        .availability_zone("us-east-1a")
        .size(8)
        .encrypted(true)
        .send()
        .await
        .expect("CreateVolume");
    c.enable_ebs_encryption_by_default()
        .send()
        .await
        .expect("EnableEbsEncryptionByDefault");
    Seeded { vpc, default_vpc }
}

/// The CIS rows with a rule: key → rule text.
fn rows() -> BTreeMap<String, String> {
    let doc: serde_yaml::Value = serde_yaml::from_str(include_str!(
        "../../policies/cis-aws.src/rules/network.yaml"
    ))
    .expect("network.yaml");
    doc["controls"]
        .as_mapping()
        .expect("controls")
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v["rule"].as_str()?.to_string())))
        .collect()
}

/// One result: the outcome and the explanation's words (summary, evidence paths and
/// notes).
fn verdicts(rule: &str, graph: &EntityGraph) -> Vec<(String, String, Outcome, String)> {
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
                if let Some(v) = &ev.value {
                    words.push(' ');
                    words.push_str(&v.to_string());
                }
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
async fn the_ec2_types_and_every_decidable_network_control_on_a_seeded_account() {
    let moto = Moto::start();
    let s = seed(&moto).await;
    let c = collect_from(&moto, moto.endpoints()).await;
    assert!(c.snapshot.errors.is_empty(), "{:#?}", c.snapshot.errors);

    // One listing per region each (docs/collect.md), IAM once per account and role.
    for op in [
        "DescribeVpcs",
        "DescribeInternetGateways",
        "DescribeFlowLogs",
        "DescribeVpcPeeringConnections",
        "DescribeSecurityGroups",
        "DescribeNetworkInterfaces",
        "DescribeNetworkAcls",
        "DescribeRouteTables",
        "DescribeSubnets",
        "DescribeVolumes",
        "DescribeInstances",
        "GetEbsEncryptionByDefault",
    ] {
        assert_eq!(
            c.stats.calls(Service::Ec2, op),
            2,
            "{op}: one call in each of the 2 regions"
        );
    }
    assert_eq!(c.stats.calls(Service::Iam, "ListInstanceProfiles"), 1);
    assert_eq!(
        c.stats.calls(Service::Iam, "ListAttachedRolePolicies"),
        1,
        "one role in use"
    );

    // The shapes.
    let web = by_name(&c, "SecurityGroup", "web");
    let rules = web["inboundRules"].as_array().expect("rules");
    let scopes: Vec<(&str, i64, &str)> = rules
        .iter()
        .map(|r| {
            (
                r["protocol"].as_str().unwrap(),
                r["port"].as_i64().unwrap(),
                r["scope"].as_str().unwrap(),
            )
        })
        .collect();
    let ssh_id = by_name(&c, "SecurityGroup", "ssh-world")["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(scopes.contains(&("TCP", 443, "0.0.0.0/0")), "{scopes:?}");
    assert!(scopes.contains(&("TCP", 443, "::/0")), "{scopes:?}");
    assert!(
        scopes.contains(&("TCP", 22, ssh_id.as_str())),
        "a group referencing another: {scopes:?}"
    );
    assert_eq!(web["vpc"]["id"], s.vpc.as_str());
    assert_eq!(web["isDefault"], false);
    let legacy = by_name(&c, "Instance", "legacy");
    let web1 = by_name(&c, "Instance", "web-1");
    let parked = by_name(&c, "Instance", "parked");
    assert_eq!(web1["isPublic"], true, "{web1:#}");
    assert_eq!(
        legacy["isPublic"], false,
        "a public address, but the main table has no gateway route"
    );
    let private_table = &legacy["nics"][0]["subnet"]["routeTable"];
    assert_eq!(
        private_table["isMain"], true,
        "no explicit association: the main table"
    );
    assert_eq!(
        web1["nics"][0]["subnet"]["routeTable"]["routesToInternetGateway"],
        true
    );
    assert!(web1["nics"][0]["subnet"]["nacl"]["inbound"].is_array());
    assert_eq!(web1["nics"][0]["securityGroups"][0]["name"], "web");
    assert_eq!(web1["roles"][0]["name"], "app");
    assert_eq!(web1["roles"][0]["managedPolicies"][0]["name"], "ssm-core");
    assert_eq!(web1["metadataOptions"]["httpTokens"], "required");
    assert_eq!(parked["isRunning"], false);
    assert_eq!(parked["state"], "stopped");
    assert_eq!(web1["isRunning"], true);
    let legacy_scopes: Vec<&str> = legacy["inboundRules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["scope"].as_str().unwrap())
        .collect();
    assert_eq!(
        legacy_scopes,
        ["0.0.0.0/0", "0.0.0.0/0"],
        "the union of smb-world's and ssh-world's rules"
    );
    let vpc = entities(&c, "VPC")
        .iter()
        .find(|v| v["id"] == s.vpc.as_str())
        .expect("the VPC");
    assert_eq!(vpc["hasFlowLogs"], true);
    assert_eq!(vpc["internetGateways"].as_array().map(Vec::len), Some(1));
    assert!(entities(&c, "Volume")
        .iter()
        .any(|v| v["encrypted"] == true));
    let used = by_name(&c, "SecurityGroup", "smb-world");
    let instances = used["networkAssetsStats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == "instances")
        .unwrap();
    assert_eq!(instances["count"], 1, "{used:#}");

    // Every decidable control: (row, entity id or name, outcome, words of the failure).
    let graph = EntityGraph::named(c.snapshot.clone(), "moto");
    let rows = rows();
    let expect: Vec<(&str, String, Outcome, &str)> = vec![
        ("instance-roles", "web-1".into(), Outcome::Passed, ""),
        ("instance-roles", "parked".into(), Outcome::Passed, ""),
        (
            "instance-roles",
            "legacy".into(),
            Outcome::Failed,
            "profileArn",
        ),
        ("vpc-flow-logs", s.vpc.clone(), Outcome::Passed, ""),
        (
            "vpc-flow-logs",
            s.default_vpc.clone(),
            Outcome::Failed,
            "hasFlowLogs",
        ),
        (
            "ebs-default-encryption",
            "us-east-1".into(),
            Outcome::Passed,
            "",
        ),
        (
            "ebs-default-encryption",
            "eu-west-1".into(),
            Outcome::Failed,
            "enabled",
        ),
        ("cifs-restricted", "web-1".into(), Outcome::Passed, ""),
        (
            "cifs-restricted",
            "legacy".into(),
            Outcome::Failed,
            "inboundRules[0]",
        ),
        ("nacl-admin-ports", "office-acl".into(), Outcome::Passed, ""),
        (
            "nacl-admin-ports",
            "rdp-open-acl".into(),
            Outcome::Failed,
            "inbound[0]",
        ),
        ("sg-admin-ports-ipv4", "web".into(), Outcome::Passed, ""),
        (
            "sg-admin-ports-ipv4",
            "ssh-world".into(),
            Outcome::Failed,
            "inboundRules[0]",
        ),
        (
            "sg-admin-ports-ipv6",
            "ssh-world".into(),
            Outcome::Passed,
            "",
        ),
        (
            "sg-admin-ports-ipv6",
            "rdp-v6".into(),
            Outcome::Failed,
            "inboundRules[0]",
        ),
        (
            "default-sg-restricts-all",
            format!("default@{}", s.vpc),
            Outcome::Passed,
            "",
        ),
        (
            "default-sg-restricts-all",
            format!("default@{}", s.default_vpc),
            Outcome::Failed,
            "Rules",
        ),
        (
            "default-sg-restricts-all",
            "web".into(),
            Outcome::NotRelevant,
            "",
        ),
        ("imdsv2", "web-1".into(), Outcome::Passed, ""),
        (
            "imdsv2",
            "legacy".into(),
            Outcome::Failed,
            "metadataOptions.httpTokens",
        ),
    ];
    // The default groups are told apart by their VPC.
    let default_group = |vpc: &str| -> String {
        entities(&c, "SecurityGroup")
            .iter()
            .find(|g| g["name"] == "default" && g["vpc"]["id"] == vpc)
            .and_then(|g| g["id"].as_str())
            .unwrap_or_else(|| panic!("no default group in {vpc}"))
            .to_string()
    };
    let mut seen_rows = std::collections::BTreeSet::new();
    for (row, who, outcome, words) in &expect {
        let rule = rows.get(*row).unwrap_or_else(|| panic!("no row {row}"));
        let who = match who.split_once('@') {
            Some(("default", vpc)) => default_group(vpc),
            _ => who.clone(),
        };
        let results = verdicts(rule, &graph);
        let (id, _, got, text) = results
            .iter()
            .find(|(id, name, _, _)| *id == who || *name == who)
            .unwrap_or_else(|| panic!("{row}: no result for {who}: {results:#?}"));
        assert_eq!(got, outcome, "{row} on {who} ({id}): {text}");
        if *outcome == Outcome::Failed {
            assert!(
                text.contains(words),
                "{row} on {who}: {words:?} not in {text}"
            );
        }
        seen_rows.insert(*row);
    }
    assert_eq!(
        seen_rows.len(),
        rows.len(),
        "every row with a rule is asserted"
    );

    // The corpus rules over the EC2 types run on the collected entities without error.
    for line in include_str!("../data/gsl/corpus_valid.txt").lines() {
        let rule = line.split("  #").next().unwrap_or_default().trim();
        let on_ec2 = [
            "SecurityGroup ",
            "VPC ",
            "Instance ",
            "NACL ",
            "RouteTable ",
            "Volume ",
        ]
        .iter()
        .any(|t| rule.starts_with(t));
        if !on_ec2 || rule.contains("startTime") {
            continue;
        }
        for (id, _, outcome, text) in verdicts(rule, &graph) {
            assert_ne!(outcome, Outcome::Error, "{rule} on {id}: {text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_ec2_calls_leave_the_types_unknown_never_passed() {
    let moto = Moto::start();
    seed(&moto).await;
    let mut endpoints = moto.endpoints();
    endpoints.push(EndpointOverride {
        service: Some(Service::Ec2),
        region: Some("eu-west-1".into()),
        url: moto.deny_url.clone(),
    });
    let c = collect_from(&moto, endpoints).await;
    let refused: Vec<&str> = c
        .snapshot
        .errors
        .iter()
        .filter(|e| e.region.as_deref() == Some("eu-west-1"))
        .map(|e| e.operation.as_str())
        .collect();
    for op in [
        "DescribeSecurityGroups",
        "DescribeInstances",
        "GetEbsEncryptionByDefault",
        "DescribeVpcs",
    ] {
        assert!(refused.contains(&op), "{op} not recorded: {refused:?}");
    }
    let sg_error = c
        .snapshot
        .errors
        .iter()
        .find(|e| e.operation == "DescribeSecurityGroups")
        .expect("recorded");
    assert!(sg_error.entity_types.contains(&"SecurityGroup".to_string()));
    assert!(sg_error.entity_types.contains(&"Instance".to_string()));
    let graph = EntityGraph::named(c.snapshot.clone(), "refused");
    let rows = rows();
    for row in [
        "ebs-default-encryption",
        "sg-admin-ports-ipv4",
        "default-sg-restricts-all",
        "vpc-flow-logs",
        "imdsv2",
        "nacl-admin-ports",
    ] {
        let opts = gsl::run::eval_options(graph.snapshot(), None);
        let report = gsl::run::eval_rule(&rows[row], &graph, &opts).expect("runs");
        let there: Vec<(&str, &Outcome)> = report
            .entities
            .iter()
            .filter(|e| e.region.as_deref() == Some("eu-west-1"))
            .map(|e| (e.id.as_str(), &e.outcome))
            .collect();
        assert!(!there.is_empty(), "{row}: nothing said about eu-west-1");
        assert!(
            there
                .iter()
                .all(|(id, o)| **o == Outcome::Unknown && id.ends_with("/eu-west-1")),
            "{row}: {there:?}"
        );
        assert_ne!(report.status, gsl::report::RuleStatus::Passed, "{row}");
        // us-east-1 answered: its entities have verdicts of their own.
        assert!(report
            .entities
            .iter()
            .any(|e| e.region.as_deref() == Some("us-east-1") && e.outcome != Outcome::Unknown));
    }
}
