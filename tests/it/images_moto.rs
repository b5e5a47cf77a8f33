//! The account's AMIs and Elastic IP addresses collected from moto through the real
//! SDK: a private and a public image (the example rule `AMI should have
//! isPublic=false`, `examples/cloud-bots/`, judged on them), an address associated with
//! an instance and a spare one. A region whose EC2 calls are refused leaves both types
//! `unknown` there, never passed.
#![cfg(feature = "aws")]

use crate::lb_moto::verdicts;
use crate::support;
use crate::support::collected::{by_name, collect_from, entities};

use assert_cmd::Command;
use aws_sdk_ec2::types as ec2;
use gsl::collect::{EndpointOverride, Service};
use gsl::entity::graph::EntityGraph;
use gsl::lang::eval::Outcome;
use support::fixture::{Fixture, ACCOUNT};
use support::Moto;

/// The example policy's rule (its lines after the header comments).
fn ami_rule() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/cloud-bots/ami-not-public.gsl");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Two images made from one instance (`golden-public` shared with every account),
/// and two addresses (`web-ip` on the instance, `spare-ip` not associated).
async fn seed(moto: &Moto) {
    let f = Fixture::new(moto, "us-east-1").await;
    let c = aws_sdk_ec2::Client::new(&f.config);
    let amazon = c
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
    let instance = c
        .run_instances()
        .image_id(&amazon)
        .min_count(1)
        .max_count(1)
        .instance_type(ec2::InstanceType::T3Micro)
        .send()
        .await
        .expect("RunInstances")
        .instances()
        .first()
        .and_then(|i| i.instance_id())
        .expect("instance id")
        .to_string();
    let mut images = Vec::new();
    for name in ["golden-private", "golden-public"] {
        images.push(
            c.create_image()
                .instance_id(&instance)
                .name(name)
                .send()
                .await
                .expect("CreateImage")
                .image_id()
                .expect("image id")
                .to_string(),
        );
    }
    c.modify_image_attribute()
        .image_id(&images[1])
        .launch_permission(
            ec2::LaunchPermissionModifications::builder()
                .add(
                    ec2::LaunchPermission::builder()
                        .group(ec2::PermissionGroup::All)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("ModifyImageAttribute");
    let tag = |name: &str| {
        ec2::TagSpecification::builder()
            .resource_type(ec2::ResourceType::ElasticIp)
            .tags(ec2::Tag::builder().key("Name").value(name).build())
            .build()
    };
    let web = c
        .allocate_address()
        .domain(ec2::DomainType::Vpc)
        .tag_specifications(tag("web-ip"))
        .send()
        .await
        .expect("AllocateAddress web-ip");
    c.associate_address()
        .allocation_id(web.allocation_id().expect("allocation id"))
        .instance_id(&instance)
        .send()
        .await
        .expect("AssociateAddress");
    c.allocate_address()
        .domain(ec2::DomainType::Vpc)
        .tag_specifications(tag("spare-ip"))
        .send()
        .await
        .expect("AllocateAddress spare-ip");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_and_addresses_and_the_public_image_rule() {
    let moto = Moto::start();
    seed(&moto).await;
    let c = collect_from(&moto, moto.endpoints()).await;
    assert!(c.snapshot.errors.is_empty(), "{:#?}", c.snapshot.errors);
    for op in ["DescribeImages", "DescribeAddresses"] {
        assert_eq!(c.stats.calls(Service::Ec2, op), 2, "once per region: {op}");
    }

    // Only the account's own images: not the amazon image the instance runs.
    let images = entities(&c, "AMI");
    assert_eq!(images.len(), 2, "{images:#?}");
    let private = by_name(&c, "AMI", "golden-private");
    let public = by_name(&c, "AMI", "golden-public");
    assert_eq!(private["isPublic"], false);
    assert_eq!(public["isPublic"], true, "{public:#}");
    assert_eq!(public["ownerId"], ACCOUNT);
    assert_eq!(public["region"], "us-east-1");
    assert_eq!(public["imageType"], "machine");
    assert!(public["id"].as_str().is_some_and(|i| i.starts_with("ami-")));
    assert!(public["creationDate"].is_string(), "{public:#}");

    let web = by_name(&c, "ElasticIP", "web-ip");
    let spare = by_name(&c, "ElasticIP", "spare-ip");
    assert_eq!(web["isAssociated"], true, "{web:#}");
    assert!(web["instanceId"]
        .as_str()
        .is_some_and(|i| i.starts_with("i-")));
    assert!(web["associationId"].is_string());
    assert!(web["id"]
        .as_str()
        .is_some_and(|i| i.starts_with("eipalloc-")));
    assert_eq!(web["domain"], "vpc");
    assert_eq!(spare["isAssociated"], false, "{spare:#}");
    assert_eq!(spare["instanceId"], serde_json::Value::Null);
    assert!(spare["publicIp"].is_string());

    // The example rule: the private image passes, the public one fails on isPublic.
    let graph = EntityGraph::named(c.snapshot.clone(), "moto");
    let results = verdicts(&ami_rule(), &graph);
    assert_eq!(results.len(), 2, "{results:#?}");
    for (_, name, outcome, words) in &results {
        match name.as_str() {
            "golden-private" => assert_eq!(*outcome, Outcome::Passed, "{words}"),
            "golden-public" => {
                assert_eq!(*outcome, Outcome::Failed, "{words}");
                assert!(words.contains("isPublic"), "{words}");
            }
            other => panic!("unexpected image {other}"),
        }
    }
    // And the corpus line it comes from runs on them without an error.
    let corpus = include_str!("../data/gsl/corpus_valid.txt");
    assert!(corpus
        .lines()
        .any(|l| l.starts_with("AMI should have isPublic=false")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_ec2_calls_leave_images_and_addresses_unknown_never_passed() {
    let moto = Moto::start();
    seed(&moto).await;
    let mut endpoints = moto.endpoints();
    endpoints.push(EndpointOverride {
        service: Some(Service::Ec2),
        region: Some("eu-west-1".into()),
        url: moto.deny_url.clone(),
    });
    let c = collect_from(&moto, endpoints).await;
    for (op, ty) in [
        ("DescribeImages", "AMI"),
        ("DescribeAddresses", "ElasticIP"),
    ] {
        let e = c
            .snapshot
            .errors
            .iter()
            .find(|e| e.operation == op && e.region.as_deref() == Some("eu-west-1"))
            .unwrap_or_else(|| panic!("{op} refused and not recorded"));
        assert_eq!(e.entity_types, [ty], "{op}");
    }
    let graph = EntityGraph::named(c.snapshot.clone(), "refused");
    for rule in [
        ami_rule(),
        "ElasticIP should have isAssociated=true".to_string(),
    ] {
        let opts = gsl::run::eval_options(graph.snapshot(), None);
        let report = gsl::run::eval_rule(&rule, &graph, &opts).expect("runs");
        assert!(
            report
                .entities
                .iter()
                .any(|e| e.region.as_deref() == Some("eu-west-1") && e.outcome == Outcome::Unknown),
            "{rule}: eu-west-1 not unknown"
        );
        assert_ne!(report.status, gsl::report::RuleStatus::Passed, "{rule}");
    }
}

/// The example policy's own tests pass (`gsl test`), a failing and a passing case.
#[test]
fn the_example_ami_policy_passes_its_tests() {
    let out = Command::cargo_bin("gsl")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(["test", "examples/cloud-bots/", "--require-tests"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
