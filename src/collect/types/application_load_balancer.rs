//! `ApplicationLoadBalancer`: every application load balancer of each collected region
//! (ELB v2 `DescribeLoadBalancers`, type `application`), with its listeners
//! (`DescribeListeners`), its attributes (`DescribeLoadBalancerAttributes`: access
//! logs, deletion protection, desync mitigation, invalid header fields) and its
//! network (VPC, subnets, security groups with their rules, interfaces), in
//! CloudGuard's shape. What it shares with `NetworkLoadBalancer` is in
//! [`super::load_balancer`]; this fetcher lists both.

use super::load_balancer::{self, V2Record, NETWORK, V2_CALLS, V2_OWN};
use super::{Collected, EntityType};
use crate::entity::schema::{identity, join, n, PropType, Property, IDENTITY_LEN};
use serde_json::{json, Value as Json};
use PropType::{Boolean as B, String as S};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "ApplicationLoadBalancer",
    about: "Every application load balancer of each collected region (ELB v2 `DescribeLoadBalancers`, type\n`application`; one listing per region serves `NetworkLoadBalancer` too), with its listeners\n(`DescribeListeners`) and attributes (`DescribeLoadBalancerAttributes`), once per balancer, and the\ncertificates of each HTTPS listener, the further (SNI) ones included (`DescribeListenerCertificates`). `isPublic` is\nderived from the scheme. Its VPC, subnets, security groups (with their flattened rules, as `SecurityGroup`\nhas them) and network interfaces are listed once per region by the EC2 types and joined here. A listener\ncertificate's expiry (`listeners[].certificates[].expiration`) is joined by ARN from the ACM certificates of\nthe region (`AcmCertificate`) or IAM's server certificates (`Iam`), listed once each.",
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

/// What only application load balancers have.
const ALB: &[Property] = &[
    n(
        "desyncMitigationMode",
        S,
        "attribute `routing.http.desync_mitigation_mode` (`monitor`, `defensive`, `strictest`)",
    ),
    n(
        "dropInvalidHeaderFields",
        B,
        "attribute `routing.http.drop_invalid_header_fields.enabled`",
    ),
];

const OWN: &[Property] = &join::<{ NETWORK.len() + V2_OWN.len() }>(NETWORK, V2_OWN);
const ALL_OWN: &[Property] = &join::<{ OWN.len() + ALB.len() }>(OWN, ALB);

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + ALL_OWN.len() }>(
    &identity(
        "`LoadBalancerArn`",
        "`\"ApplicationLoadBalancer\"`",
        "`LoadBalancerName`",
        "the balancer's region",
    ),
    ALL_OWN,
);

/// The records: application load balancers.
pub type Record = V2Record;

fn build(c: &Collected) -> Vec<Json> {
    load_balancer::v2_entities(c, &c.application_load_balancers, TYPE.name, |r, m| {
        m.insert(
            "desyncMitigationMode".into(),
            json!(r.attribute("routing.http.desync_mitigation_mode")),
        );
        m.insert(
            "dropInvalidHeaderFields".into(),
            r.flag("routing.http.drop_invalid_header_fields.enabled"),
        );
    })
}

/// Records with every field set (a public balancer in the example subnet behind the
/// example group, with an HTTPS listener and an HTTP one redirecting to it, access
/// logs on), joined with the other types' examples into one account by the tests that
/// hold the schema to what `build` writes (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "applicationLoadBalancers": [
  {
   "region": "us-east-1",
   "arn": "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/web/50dc6c495c0c9188",
   "name": "web",
   "dnsName": "web-1.us-east-1.elb.amazonaws.com",
   "scheme": "internet-facing",
   "state": "active",
   "ipAddressType": "ipv4",
   "createdTime": "2026-01-01T00:00:00Z",
   "vpcId": "vpc-1",
   "zones": ["us-east-1a"],
   "subnets": ["subnet-1"],
   "securityGroups": ["sg-1"],
   "listeners": [
    {
     "arn": "arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/web/50dc6c495c0c9188/1",
     "protocol": "HTTPS",
     "port": 443,
     "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
     "certificates": ["arn:aws:acm:us-east-1:111111111111:certificate/c"],
     "defaultActions": [["forward", null]]
    },
    {
     "arn": "arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/web/50dc6c495c0c9188/2",
     "protocol": "HTTP",
     "port": 80,
     "sslPolicy": null,
     "certificates": [],
     "defaultActions": [["redirect", "HTTPS"]]
    }
   ],
   "attributes": [
    ["access_logs.s3.enabled", "true"],
    ["access_logs.s3.bucket", "logs"],
    ["access_logs.s3.prefix", "web"],
    ["deletion_protection.enabled", "true"],
    ["routing.http.desync_mitigation_mode", "defensive"],
    ["routing.http.drop_invalid_header_fields.enabled", "true"]
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    
    use crate::collect::types::load_balancer::v2_region;
    use crate::collect::walk::{Fetch, Walk};
    use futures::future::BoxFuture;

    /// ELB v2 in each region: the application and the network load balancers.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                if let Some((apps, nets)) = v2_region(w.s, region).await {
                    w.write(|c| {
                        c.application_load_balancers.extend(apps);
                        c.network_load_balancers.extend(nets);
                    });
                }
                true
            })
        }
    }
}
