//! `NetworkLoadBalancer`: every network load balancer of each collected region (ELB v2
//! `DescribeLoadBalancers`, type `network`), with its listeners and attributes, in
//! CloudGuard's shape. It is listed by `ApplicationLoadBalancer`'s fetcher (one
//! ELB v2 listing per region serves both); what the two share is in
//! [`super::load_balancer`]. A network load balancer often has no security group:
//! `securityGroups`, `inboundRules` and `outboundRules` are then `[]`.

use super::load_balancer::{self, V2Record, NETWORK, V2_CALLS, V2_OWN};
use super::{Collected, EntityType};
use crate::entity::schema::{identity, join, n, PropType, Property, IDENTITY_LEN};
use serde_json::Value as Json;
use PropType::Boolean as B;

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "NetworkLoadBalancer",
    about: "Every network load balancer of each collected region (ELB v2 `DescribeLoadBalancers`, type `network`,\nlisted with the application load balancers), with its listeners (`DescribeListeners`) and attributes\n(`DescribeLoadBalancerAttributes`), once per balancer. Its network is joined as for\n`ApplicationLoadBalancer`; without security groups, `securityGroups`, `inboundRules` and `outboundRules` are\n`[]`. A TLS listener's certificates (`DescribeListenerCertificates`) and their expiry are\njoined as for `ApplicationLoadBalancer`.",
    calls: V2_CALLS,
    reads: &load_balancer::BALANCER_READS,
    properties: PROPERTIES,
    tables: &[
        ("nics", "`nics[]` (the balancer's network interfaces):"),
        ("listeners", "`listeners[]` (DescribeListeners):"),
        ("listeners.certificates", "`listeners[].certificates[]`:"),
        ("listeners.defaultActions", "`listeners[].defaultActions[]`:"),
        ("accessLogs", "`accessLogs` (DescribeLoadBalancerAttributes):"),
        ("attributes", "`attributes[]`:"),
    ],
    build,
};

/// What only network load balancers have.
const NLB: &[Property] = &[n(
    "crossZoneLoadBalancing",
    B,
    "attribute `load_balancing.cross_zone.enabled`",
)];

const OWN: &[Property] = &join::<{ NETWORK.len() + V2_OWN.len() }>(NETWORK, V2_OWN);
const ALL_OWN: &[Property] = &join::<{ OWN.len() + NLB.len() }>(OWN, NLB);

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + ALL_OWN.len() }>(
    &identity(
        "`LoadBalancerArn`",
        "`\"NetworkLoadBalancer\"`",
        "`LoadBalancerName`",
        "the balancer's region",
    ),
    ALL_OWN,
);

/// The records: network load balancers.
pub type Record = V2Record;

fn build(c: &Collected) -> Vec<Json> {
    load_balancer::v2_entities(c, &c.network_load_balancers, TYPE.name, |r, m| {
        m.insert(
            "crossZoneLoadBalancing".into(),
            r.flag("load_balancing.cross_zone.enabled"),
        );
    })
}

/// Records with every field set (an internal balancer behind the example group, a TLS
/// listener, access logs off; `load_balancer`'s tests have one without groups), joined with the other types' examples into one
/// account by the tests that hold the schema to what `build` writes.
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "networkLoadBalancers": [
  {
   "region": "us-east-1",
   "arn": "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/net/db/73e2d6bc24d8a067",
   "name": "db",
   "dnsName": "db-1.elb.us-east-1.amazonaws.com",
   "scheme": "internal",
   "state": "active",
   "ipAddressType": "ipv4",
   "createdTime": "2026-01-01T00:00:00Z",
   "vpcId": "vpc-1",
   "zones": ["us-east-1a"],
   "subnets": ["subnet-1"],
   "securityGroups": ["sg-1"],
   "listeners": [
    {
     "arn": "arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/net/db/73e2d6bc24d8a067/1",
     "protocol": "TLS",
     "port": 5432,
     "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
     "certificates": ["arn:aws:acm:us-east-1:111111111111:certificate/d"],
     "sniCertificates": ["arn:aws:acm:us-east-1:111111111111:certificate/c"],
     "defaultActions": [["forward", null]]
    }
   ],
   "attributes": [
    ["access_logs.s3.enabled", "false"],
    ["deletion_protection.enabled", "false"],
    ["load_balancing.cross_zone.enabled", "true"]
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    
    use crate::collect::walk::Fetch;

    /// Nothing of its own: `ApplicationLoadBalancer`'s fetcher lists both kinds.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {
    }
}
