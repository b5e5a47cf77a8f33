//! The calls the EC2 types make on a large account (issue 24: 2,000 instances and 500
//! security groups) stay within 1.2x of the minimum: for every listing, the pages its
//! items need at the largest page size AWS allows. Seeding moto at full size takes a
//! while, so the full measurement is ignored by default:
//!
//! ```sh
//! GSL_EC2_INSTANCES=2000 GSL_EC2_GROUPS=500 cargo test --test it collect_ec2_scale -- --ignored --nocapture
//! ```
//!
//! The smaller size (`the_calls_of_a_mid_sized_account...`) runs with the suite; the figures are in
//! docs/performance.md.
#![cfg(feature = "aws")]

use crate::support;

use aws_sdk_ec2::types as ec2;
use gsl::collect::{self, CollectOptions, Service};
use std::time::Instant;
use support::fixture::Fixture;
use support::Moto;

/// The largest page each listing is asked for (the AWS maximum), and the entity type
/// whose entities count its items.
const LISTINGS: &[(&str, usize, &str)] = &[
    ("DescribeInstances", 1000, "Instance"),
    ("DescribeSecurityGroups", 1000, "SecurityGroup"),
    ("DescribeNetworkInterfaces", 1000, ""),
    ("DescribeSubnets", 1000, "Subnet"),
    ("DescribeNetworkAcls", 1000, "NACL"),
    ("DescribeRouteTables", 100, "RouteTable"),
    ("DescribeVolumes", 500, "Volume"),
    ("DescribeVpcs", 1000, "VPC"),
    ("DescribeInternetGateways", 1000, ""),
    ("DescribeFlowLogs", 1000, ""),
    ("DescribeVpcPeeringConnections", 1000, ""),
    ("GetEbsEncryptionByDefault", 1, ""),
];

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn measure(instances: usize, groups: usize) {
    let moto = Moto::start();
    let f = Fixture::new(&moto, "us-east-1").await;
    let c = aws_sdk_ec2::Client::new(&f.config);
    let seeding = Instant::now();
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
    let mut ids = Vec::new();
    for g in 0..groups {
        let id = c
            .create_security_group()
            .group_name(format!("g{g:04}"))
            .description("scale")
            .send()
            .await
            .expect("CreateSecurityGroup")
            .group_id()
            .expect("id")
            .to_string();
        c.authorize_security_group_ingress()
            .group_id(&id)
            .ip_permissions(
                ec2::IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(1000 + g as i32)
                    .to_port(1000 + g as i32)
                    .ip_ranges(ec2::IpRange::builder().cidr_ip("10.0.0.0/8").build())
                    .build(),
            )
            .send()
            .await
            .expect("AuthorizeSecurityGroupIngress");
        ids.push(id);
    }
    // Instances in batches, each batch in one of the groups.
    let mut launched = 0;
    let mut batch = 0;
    while launched < instances {
        let n = (instances - launched).min(500);
        c.run_instances()
            .image_id(&image)
            .min_count(n as i32)
            .max_count(n as i32)
            .set_security_group_ids(ids.get(batch % ids.len().max(1)).map(|g| vec![g.clone()]))
            .send()
            .await
            .expect("RunInstances");
        launched += n;
        batch += 1;
    }
    let seeded = seeding.elapsed();

    let config = moto.sdk_config("us-east-1").await;
    let options = CollectOptions {
        regions: vec!["us-east-1".into()],
        endpoints: moto.endpoints(),
        ..Default::default()
    };
    let started = Instant::now();
    let collection = collect::collect(&config, &options).await.expect("collects");
    let took = started.elapsed();
    assert!(
        collection.snapshot.errors.is_empty(),
        "{:#?}",
        collection.snapshot.errors
    );
    let entities = &collection.snapshot.accounts[0].entities;
    let count = |ty: &str| entities.get(ty).map_or(0, Vec::len);
    assert_eq!(count("Instance"), instances);
    assert!(count("SecurityGroup") > groups);
    let interfaces: usize = collection.collected[0]
        .security_groups
        .iter()
        .map(|r| r.network_interfaces.len())
        .sum();
    let mut minimum = 0u64;
    let mut calls = 0u64;
    println!("listing | items | calls | minimum");
    for (op, page, ty) in LISTINGS {
        let items = match *op {
            "DescribeNetworkInterfaces" => interfaces,
            _ if ty.is_empty() => 0,
            _ => count(ty),
        };
        let least = items.max(1).div_ceil(*page) as u64;
        let made = collection.stats.calls(Service::Ec2, op);
        println!("{op} | {items} | {made} | {least}");
        minimum += least;
        calls += made;
    }
    let ratio = calls as f64 / minimum as f64;
    println!(
        "{instances} instances, {groups} groups: {calls} EC2 calls, minimum {minimum} ({ratio:.2}x); \
         {} calls in all; collected in {:.1} s (seeding {:.1} s)",
        collection.stats.total_calls(),
        took.as_secs_f64(),
        seeded.as_secs_f64()
    );
    assert!(ratio <= 1.2, "{calls} calls for a minimum of {minimum}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_calls_of_a_mid_sized_account_are_within_1_2x_of_the_pages_needed() {
    measure(1_100, 40).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "seeds moto with GSL_EC2_INSTANCES (2000) instances and GSL_EC2_GROUPS (500) groups"]
async fn the_calls_of_a_large_account_are_within_1_2x_of_the_pages_needed() {
    measure(env("GSL_EC2_INSTANCES", 2_000), env("GSL_EC2_GROUPS", 500)).await;
}
