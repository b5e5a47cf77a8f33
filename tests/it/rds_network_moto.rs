//! RDS `nics` collected from moto through the real SDK: one per subnet of the DB
//! subnet group, each with the subnet's route table (its explicit association, else the
//! VPC's main table) and the instance's groups, so the route rules written for
//! instances run on databases. `public-db` sits in a subnet whose own table routes to
//! an internet gateway; `private-db` in a subnet without an association, whose VPC's
//! main table has only the local route.
#![cfg(feature = "aws")]

use crate::lb_moto::verdicts;
use crate::support;
use crate::support::collected::{by_name, collect_from};

use gsl::collect::Service;
use gsl::entity::graph::EntityGraph;
use gsl::lang::eval::Outcome;
use support::fixture::Fixture;
use support::Moto;

/// A route rule as the corpus writes them for instances, on RDS.
const ROUTED_TO_INTERNET: &str =
    "RDS should not have nics contain [ subnet.routeTable.routes contain [ gatewayId like 'igw-%' ] ]";

async fn seed(moto: &Moto) -> String {
    let f = Fixture::new(moto, "us-east-1").await;
    let c = aws_sdk_ec2::Client::new(&f.config);
    let rds = aws_sdk_rds::Client::new(&f.config);
    let (vpc, subnets) = f
        .vpc(
            "10.30.0.0/16",
            &[
                ("10.30.1.0/24", "us-east-1a"),
                ("10.30.2.0/24", "us-east-1b"),
            ],
        )
        .await;
    f.public_route(&vpc, &subnets[0]).await;
    let group = c
        .create_security_group()
        .group_name("db")
        .description("db")
        .vpc_id(&vpc)
        .send()
        .await
        .expect("CreateSecurityGroup")
        .group_id()
        .expect("group id")
        .to_string();
    for (name, subnet) in [("public", &subnets[0]), ("private", &subnets[1])] {
        rds.create_db_subnet_group()
            .db_subnet_group_name(name)
            .db_subnet_group_description(name)
            .subnet_ids(subnet)
            .send()
            .await
            .expect("CreateDBSubnetGroup");
        rds.create_db_instance()
            .db_instance_identifier(format!("{name}-db"))
            .db_instance_class("db.t3.micro")
            .engine("postgres")
            .master_username("admin")
            .master_user_password("not-a-real-password")
            .allocated_storage(20)
            .db_subnet_group_name(name)
            .vpc_security_group_ids(&group)
            .send()
            .await
            .expect("CreateDBInstance");
    }
    group
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rds_nics_carry_the_subnet_route_table_and_the_route_rules_run_on_them() {
    let moto = Moto::start();
    let group = seed(&moto).await;
    let c = collect_from(&moto, moto.endpoints()).await;
    assert!(c.snapshot.errors.is_empty(), "{:#?}", c.snapshot.errors);
    // No call of its own for the network: the EC2 listings, once per region.
    assert_eq!(c.stats.calls(Service::Rds, "DescribeDBInstances"), 2);
    assert_eq!(c.stats.calls(Service::Ec2, "DescribeRouteTables"), 2);

    let public = by_name(&c, "RDS", "public-db");
    let private = by_name(&c, "RDS", "private-db");
    let nic = &public["nics"][0];
    assert_eq!(
        public["nics"].as_array().map(Vec::len),
        Some(1),
        "{public:#}"
    );
    assert_eq!(nic["securityGroups"][0]["id"], group.as_str());
    assert_eq!(nic["subnet"]["routeTable"]["isMain"], false, "{nic:#}");
    assert!(nic["subnet"]["nacl"]["id"].is_string(), "{nic:#}");
    let main = &private["nics"][0]["subnet"]["routeTable"];
    assert_eq!(
        main["isMain"], true,
        "no association: the main table {main:#}"
    );
    assert!(public["inboundRules"].is_array());

    let graph = EntityGraph::named(c.snapshot.clone(), "moto");
    let results = verdicts(ROUTED_TO_INTERNET, &graph);
    let outcome = |who: &str| {
        results
            .iter()
            .find(|(_, name, _, _)| name == who)
            .unwrap_or_else(|| panic!("no result for {who}: {results:#?}"))
    };
    let (_, _, got, words) = outcome("public-db");
    assert_eq!(*got, Outcome::Failed, "{words}");
    assert!(words.contains("nics[0]"), "{words}");
    let (_, _, got, words) = outcome("private-db");
    assert_eq!(*got, Outcome::Passed, "{words}");
}
