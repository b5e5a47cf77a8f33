//! `ELB`: every classic load balancer of each collected region (Elastic Load Balancing
//! `DescribeLoadBalancers`), with its attributes (`DescribeLoadBalancerAttributes`:
//! access log, cross-zone balancing, connection draining) and its policies
//! (`DescribeLoadBalancerPolicies`: the TLS negotiation settings), in CloudGuard's
//! shape (`elbListeners` with `sourceProtocol` / `instanceProtocol`, `attributes` the
//! enabled TLS protocols and ciphers). Its network is joined as for the other load
//! balancers ([`super::load_balancer`]).

use super::acm_certificate::Expiries;
use super::load_balancer::{self, certificate, Network, Placement, CERTIFICATE, NETWORK};
use super::{Call, Collected, EntityType, Scope};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use PropType::{Boolean as B, Number as N, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "ELB",
    about: "Every classic load balancer of each collected region (`DescribeLoadBalancers`), with its attributes\n(`DescribeLoadBalancerAttributes`) and policies (`DescribeLoadBalancerPolicies`), once per balancer.\n`isPublic` is derived from the scheme; `attributes` lists the settings its TLS negotiation policies turn on\n(`Protocol-TLSv1`, cipher names), as CloudGuard's rules read them. Its VPC, subnets, security groups (with\ntheir flattened rules) and network interfaces are listed once per region by the EC2 types and joined here.\nA listener certificate's expiry (`elbListeners[].certificate.expiration`) is joined by ARN from the ACM\ncertificates of the region (`AcmCertificate`) or IAM's server certificates (`Iam`), listed once each.",
    calls: &[DESCRIBE_LOAD_BALANCERS, DESCRIBE_ATTRIBUTES, DESCRIBE_POLICIES],
    reads: &load_balancer::BALANCER_READS,
    properties: PROPERTIES,
    tables: &[
        ("nics", "`nics[]` (the balancer's network interfaces):"),
        ("elbListeners", "`elbListeners[]` (`ListenerDescriptions[]`):"),
        ("elbListeners.certificate", "`elbListeners[].certificate`:"),
        ("accessLog", "`accessLog` (DescribeLoadBalancerAttributes `AccessLog`):"),
        (
            "connectionDraining",
            "`connectionDraining` (DescribeLoadBalancerAttributes `ConnectionDraining`):",
        ),
    ],
    build,
};

/// DescribeLoadBalancers.
pub const DESCRIBE_LOAD_BALANCERS: Call = Call {
    service: Service::Elb,
    operation: "DescribeLoadBalancers",
    scope: Scope::Region,
    paged: true,
};

/// DescribeLoadBalancerAttributes.
pub const DESCRIBE_ATTRIBUTES: Call = Call {
    service: Service::Elb,
    operation: "DescribeLoadBalancerAttributes",
    scope: Scope::Each("load balancer"),
    paged: false,
};

/// DescribeLoadBalancerPolicies.
pub const DESCRIBE_POLICIES: Call = Call {
    service: Service::Elb,
    operation: "DescribeLoadBalancerPolicies",
    scope: Scope::Each("load balancer"),
    paged: false,
};

const LISTENER: &[Property] = &[
    p("sourceProtocol", S, "`Listener.Protocol` (`HTTP`, `HTTPS`, `TCP`, `SSL`)"),
    p("sourcePort", N, "`Listener.LoadBalancerPort`"),
    n("instanceProtocol", S, "`Listener.InstanceProtocol`"),
    p("instancePort", N, "`Listener.InstancePort`"),
    p("policyNames", STRINGS, "`PolicyNames[]`"),
    n(
        "securityPolicy",
        S,
        "the `Reference-Security-Policy` of its `SSLNegotiationPolicyType` policy (`ELBSecurityPolicy-TLS-1-2-2017-01`), DescribeLoadBalancerPolicies",
    ),
    n(
        "certificate",
        PropType::Object(CERTIFICATE),
        "`Listener.SSLCertificateId` (`null` for a listener without TLS)",
    ),
];

const ACCESS_LOG: &[Property] = &[
    p("enabled", B, "`AccessLog.Enabled`"),
    n("s3BucketName", S, "`AccessLog.S3BucketName`"),
    n("s3BucketPrefix", S, "`AccessLog.S3BucketPrefix`"),
    n("emitInterval", N, "`AccessLog.EmitInterval` (minutes)"),
];

const DRAINING: &[Property] = &[
    p("enabled", B, "`ConnectionDraining.Enabled`"),
    n("timeout", N, "`ConnectionDraining.Timeout` (seconds)"),
];

const ELB: &[Property] = &[
    p(
        "arn",
        S,
        "constructed: `arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/<name>`",
    ),
    n("dnsName", S, "`DNSName`"),
    n("scheme", S, "`Scheme` (`internet-facing`, `internal`)"),
    p("isPublic", B, "derived: `Scheme` is `internet-facing`"),
    n("createdTime", T, "`CreatedTime`"),
    p("availabilityZones", STRINGS, "`AvailabilityZones[]`"),
    p("instances", STRINGS, "`Instances[].InstanceId`"),
    p(
        "elbListeners",
        PropType::List(&PropType::Object(LISTENER)),
        "`ListenerDescriptions[]`",
    ),
    n(
        "attributes",
        STRINGS,
        "DescribeLoadBalancerPolicies: the attributes set to `true` in its `SSLNegotiationPolicyType` policies (`Protocol-TLSv1-2`, `Protocol-SSLv3`, cipher names); `null` when that call failed",
    ),
    n(
        "accessLog",
        PropType::Object(ACCESS_LOG),
        "DescribeLoadBalancerAttributes `AccessLog` (`null` when that call failed)",
    ),
    n(
        "crossZoneLoadBalancing",
        B,
        "DescribeLoadBalancerAttributes `CrossZoneLoadBalancing.Enabled`",
    ),
    n(
        "connectionDraining",
        PropType::Object(DRAINING),
        "DescribeLoadBalancerAttributes `ConnectionDraining`",
    ),
];

const OWN: &[Property] = &join::<{ NETWORK.len() + ELB.len() }>(NETWORK, ELB);

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "the constructed ARN (`arn`; CloudGuard's id is the name, not unique across accounts)",
        "`\"ELB\"`",
        "`LoadBalancerName`",
        "the balancer's region",
    ),
    OWN,
);

/// The records: classic load balancers.
pub type Record = ElbRecord;

/// DescribeLoadBalancers `LoadBalancerDescriptions[]` item, with its attributes and
/// policies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ElbRecord {
    /// The region.
    pub region: String,
    /// `LoadBalancerName`.
    pub name: String,
    /// `DNSName`.
    pub dns_name: Option<String>,
    /// `Scheme`.
    pub scheme: Option<String>,
    /// `VPCId`.
    pub vpc_id: Option<String>,
    /// `CreatedTime`, RFC 3339.
    pub created_time: Option<String>,
    /// `AvailabilityZones[]`.
    #[serde(default)]
    pub zones: Vec<String>,
    /// `Subnets[]`.
    #[serde(default)]
    pub subnets: Vec<String>,
    /// `SecurityGroups[]`.
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// `Instances[].InstanceId`.
    #[serde(default)]
    pub instances: Vec<String>,
    /// `ListenerDescriptions[]`.
    #[serde(default)]
    pub listeners: Vec<ListenerRecord>,
    /// DescribeLoadBalancerAttributes; `None` when the call failed.
    pub attributes: Option<AttributesRecord>,
    /// DescribeLoadBalancerPolicies; `None` when the call failed.
    pub policies: Option<Vec<PolicyRecord>>,
}

/// `ListenerDescriptions[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListenerRecord {
    /// `Listener.Protocol`.
    pub protocol: String,
    /// `Listener.LoadBalancerPort`.
    pub port: i32,
    /// `Listener.InstanceProtocol`.
    pub instance_protocol: Option<String>,
    /// `Listener.InstancePort`.
    pub instance_port: i32,
    /// `Listener.SSLCertificateId`.
    pub certificate: Option<String>,
    /// `PolicyNames[]`.
    #[serde(default)]
    pub policy_names: Vec<String>,
}

/// DescribeLoadBalancerAttributes `LoadBalancerAttributes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttributesRecord {
    /// `AccessLog.Enabled`.
    pub access_log: bool,
    /// `AccessLog.S3BucketName`.
    pub s3_bucket_name: Option<String>,
    /// `AccessLog.S3BucketPrefix`.
    pub s3_bucket_prefix: Option<String>,
    /// `AccessLog.EmitInterval`.
    pub emit_interval: Option<i32>,
    /// `CrossZoneLoadBalancing.Enabled`.
    pub cross_zone: Option<bool>,
    /// `ConnectionDraining.Enabled`.
    pub draining: Option<bool>,
    /// `ConnectionDraining.Timeout`.
    pub draining_timeout: Option<i32>,
}

/// DescribeLoadBalancerPolicies `PolicyDescriptions[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyRecord {
    /// `PolicyName`.
    pub name: String,
    /// `PolicyTypeName`.
    pub type_name: Option<String>,
    /// `PolicyAttributeDescriptions[]`: (`AttributeName`, `AttributeValue`).
    #[serde(default)]
    pub attributes: Vec<(String, Option<String>)>,
}

const SSL_NEGOTIATION: &str = "SSLNegotiationPolicyType";

impl ElbRecord {
    fn ssl_policies(&self) -> impl Iterator<Item = &PolicyRecord> {
        self.policies
            .iter()
            .flatten()
            .filter(|p| p.type_name.as_deref() == Some(SSL_NEGOTIATION))
    }

    /// The `Reference-Security-Policy` of the TLS negotiation policy among `names`.
    fn security_policy(&self, names: &[String]) -> Option<&str> {
        self.ssl_policies()
            .filter(|p| names.contains(&p.name))
            .flat_map(|p| &p.attributes)
            .find(|(k, _)| k == "Reference-Security-Policy")
            .and_then(|(_, v)| v.as_deref())
    }

    /// The attributes its TLS negotiation policies set to `true`, each once.
    fn enabled_attributes(&self) -> Json {
        let Some(_) = &self.policies else {
            return Json::Null;
        };
        let mut out: Vec<&str> = Vec::new();
        for (k, v) in self.ssl_policies().flat_map(|p| &p.attributes) {
            if v.as_deref() == Some("true") && !out.contains(&k.as_str()) {
                out.push(k);
            }
        }
        json!(out)
    }
}

fn build(c: &Collected) -> Vec<Json> {
    let net = Network::new(c);
    let expiries = Expiries::new(c);
    let mut list: Vec<&ElbRecord> = c.elbs.iter().collect();
    list.sort_by(|a, b| (&a.region, &a.name).cmp(&(&b.region, &b.name)));
    list.into_iter()
        .map(|e| {
            let account = c.account_number.as_str();
            let arn = format!(
                "arn:{}:elasticloadbalancing:{}:{}:loadbalancer/{}",
                crate::collect::graph::partition_of(&e.region),
                e.region,
                account,
                e.name
            );
            let mut m = super::identity(&arn, TYPE.name, &e.name, account, &e.region);
            net.insert(
                &mut m,
                &Placement {
                    account,
                    region: &e.region,
                    vpc: e.vpc_id.as_deref(),
                    subnets: &e.subnets,
                    groups: &e.security_groups,
                    description: format!("ELB {}", e.name),
                },
            );
            m.insert("arn".into(), json!(arn));
            m.insert("dnsName".into(), json!(e.dns_name));
            m.insert("scheme".into(), json!(e.scheme));
            m.insert(
                "isPublic".into(),
                Json::Bool(load_balancer::is_public(e.scheme.as_deref())),
            );
            m.insert("createdTime".into(), json!(e.created_time));
            m.insert("availabilityZones".into(), json!(e.zones));
            m.insert("instances".into(), json!(e.instances));
            let listeners: Vec<Json> = e
                .listeners
                .iter()
                .map(|l| {
                    json!({
                        "sourceProtocol": l.protocol,
                        "sourcePort": l.port,
                        "instanceProtocol": l.instance_protocol,
                        "instancePort": l.instance_port,
                        "policyNames": l.policy_names,
                        "securityPolicy": e.security_policy(&l.policy_names),
                        "certificate": l.certificate.as_deref().map_or(Json::Null, |id| certificate(id, true, &expiries)),
                    })
                })
                .collect();
            m.insert("elbListeners".into(), Json::Array(listeners));
            m.insert("attributes".into(), e.enabled_attributes());
            let a = e.attributes.as_ref();
            m.insert(
                "accessLog".into(),
                a.map_or(Json::Null, |a| {
                    json!({
                        "enabled": a.access_log,
                        "s3BucketName": a.s3_bucket_name,
                        "s3BucketPrefix": a.s3_bucket_prefix,
                        "emitInterval": a.emit_interval,
                    })
                }),
            );
            m.insert(
                "crossZoneLoadBalancing".into(),
                json!(a.and_then(|a| a.cross_zone)),
            );
            m.insert(
                "connectionDraining".into(),
                a.and_then(|a| a.draining).map_or(Json::Null, |on| {
                    json!({"enabled": on, "timeout": a.and_then(|a| a.draining_timeout)})
                }),
            );
            Json::Object(m)
        })
        .collect()
}

/// Records with every field set (a public balancer in the example subnet behind the
/// example group, an HTTPS listener with a TLS policy that still allows TLS 1.0),
/// joined with the other types' examples into one account by the tests that hold the
/// schema to what `build` writes (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "elbs": [
  {
   "region": "us-east-1",
   "name": "legacy-web",
   "dnsName": "legacy-web-1.us-east-1.elb.amazonaws.com",
   "scheme": "internet-facing",
   "vpcId": "vpc-1",
   "createdTime": "2026-01-01T00:00:00Z",
   "zones": ["us-east-1a"],
   "subnets": ["subnet-1"],
   "securityGroups": ["sg-1"],
   "instances": ["i-1"],
   "listeners": [
    {
     "protocol": "HTTPS",
     "port": 443,
     "instanceProtocol": "HTTP",
     "instancePort": 80,
     "certificate": "arn:aws:iam::111111111111:server-certificate/web",
     "policyNames": ["tls"]
    }
   ],
   "attributes": {
    "accessLog": true,
    "s3BucketName": "logs",
    "s3BucketPrefix": "elb",
    "emitInterval": 60,
    "crossZone": true,
    "draining": true,
    "drainingTimeout": 300
   },
   "policies": [
    {
     "name": "tls",
     "typeName": "SSLNegotiationPolicyType",
     "attributes": [
      ["Reference-Security-Policy", "ELBSecurityPolicy-2016-08"],
      ["Protocol-TLSv1", "true"],
      ["Protocol-SSLv3", "false"],
      ["Protocol-TLSv1.2", "true"]
     ]
    }
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{AttributesRecord, ElbRecord, ListenerRecord, PolicyRecord};
    use crate::collect::call::Session;
    use crate::collect::convert::{owned, timestamp};
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_elasticloadbalancing::types::LoadBalancerDescription;
    use aws_sdk_elasticloadbalancing::Client;
    use futures::future::{join_all, BoxFuture};

    /// DescribeLoadBalancers in each region, then each balancer's attributes and
    /// policies.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let mut listed = Vec::new();
                let result = w
                    .s
                    .paginate(
                        Service::Elb,
                        "DescribeLoadBalancers",
                        |marker| {
                            client
                                .describe_load_balancers()
                                .page_size(400)
                                .set_marker(marker)
                                .send()
                        },
                        |p| {
                            listed.extend(
                                p.load_balancer_descriptions()
                                    .iter()
                                    .filter_map(|d| balancer(region, d)),
                            );
                            p.next_marker().map(str::to_string)
                        },
                    )
                    .await;
                if let Err(f) = result {
                    w.s.record(region, Service::Elb, "DescribeLoadBalancers", f, false);
                    return true;
                }
                let filled = join_all(listed.into_iter().map(|mut r| {
                    let client = client.clone();
                    async move {
                        let (a, p) = futures::join!(
                            attributes(w.s, &client, &r),
                            policies(w.s, &client, &r)
                        );
                        r.attributes = a;
                        r.policies = p;
                        r
                    }
                }))
                .await;
                w.write(|c| c.elbs.extend(filled));
                true
            })
        }
    }

    fn balancer(region: &str, d: &LoadBalancerDescription) -> Option<ElbRecord> {
        Some(ElbRecord {
            region: region.to_string(),
            name: d.load_balancer_name()?.to_string(),
            dns_name: owned(d.dns_name()),
            scheme: owned(d.scheme()),
            vpc_id: owned(d.vpc_id()),
            created_time: timestamp(d.created_time()),
            zones: d.availability_zones().to_vec(),
            subnets: d.subnets().to_vec(),
            security_groups: d.security_groups().to_vec(),
            instances: d
                .instances()
                .iter()
                .filter_map(|i| owned(i.instance_id()))
                .collect(),
            listeners: d
                .listener_descriptions()
                .iter()
                .filter_map(|ld| {
                    let l = ld.listener()?;
                    Some(ListenerRecord {
                        protocol: l.protocol().to_string(),
                        port: l.load_balancer_port(),
                        instance_protocol: owned(l.instance_protocol()),
                        instance_port: l.instance_port(),
                        certificate: owned(l.ssl_certificate_id()),
                        policy_names: ld.policy_names().to_vec(),
                    })
                })
                .collect(),
            attributes: None,
            policies: None,
        })
    }

    async fn attributes(s: &Session, client: &Client, r: &ElbRecord) -> Option<AttributesRecord> {
        let call = client
            .describe_load_balancer_attributes()
            .load_balancer_name(&r.name)
            .send();
        match s
            .call(Service::Elb, "DescribeLoadBalancerAttributes", call)
            .await
        {
            Ok(out) => {
                let a = out.load_balancer_attributes();
                let log = a.and_then(|a| a.access_log());
                let draining = a.and_then(|a| a.connection_draining());
                Some(AttributesRecord {
                    access_log: log.is_some_and(|l| l.enabled()),
                    s3_bucket_name: log.and_then(|l| owned(l.s3_bucket_name())),
                    s3_bucket_prefix: log.and_then(|l| owned(l.s3_bucket_prefix())),
                    emit_interval: log.and_then(|l| l.emit_interval()),
                    cross_zone: a
                        .and_then(|a| a.cross_zone_load_balancing())
                        .map(|c| c.enabled()),
                    draining: draining.map(|d| d.enabled()),
                    draining_timeout: draining.and_then(|d| d.timeout()),
                })
            }
            Err(f) => {
                s.record_for(&r.region, Service::Elb, "DescribeLoadBalancerAttributes", &r.name, f);
                None
            }
        }
    }

    async fn policies(s: &Session, client: &Client, r: &ElbRecord) -> Option<Vec<PolicyRecord>> {
        let call = client
            .describe_load_balancer_policies()
            .load_balancer_name(&r.name)
            .send();
        match s
            .call(Service::Elb, "DescribeLoadBalancerPolicies", call)
            .await
        {
            Ok(out) => Some(
                out.policy_descriptions()
                    .iter()
                    .filter_map(|p| {
                        Some(PolicyRecord {
                            name: p.policy_name()?.to_string(),
                            type_name: owned(p.policy_type_name()),
                            attributes: p
                                .policy_attribute_descriptions()
                                .iter()
                                .filter_map(|a| {
                                    Some((
                                        a.attribute_name()?.to_string(),
                                        owned(a.attribute_value()),
                                    ))
                                })
                                .collect(),
                        })
                    })
                    .collect(),
            ),
            Err(f) => {
                s.record_for(&r.region, Service::Elb, "DescribeLoadBalancerPolicies", &r.name, f);
                None
            }
        }
    }
}
