//! What the load balancer types share. All three sit in a VPC's subnets behind
//! security groups (`NETWORK`: the VPC, subnets, groups with their flattened rules,
//! the union of those rules, and the network interfaces AWS made for the balancer,
//! joined from the EC2 types' listings of the region through [`Network`]).
//! `ApplicationLoadBalancer` and `NetworkLoadBalancer` also share ELB v2's records
//! ([`V2Record`]), entities ([`v2_entities`]) and calls: one `DescribeLoadBalancers`
//! per region lists both, then `DescribeListeners` and
//! `DescribeLoadBalancerAttributes` per balancer, and `DescribeListenerCertificates` per
//! HTTPS or TLS listener (its further, SNI, certificates).

use super::acm_certificate::{self, Expiries};
use super::security_group::{self, Groups, InterfaceRecord, RULES};
use super::subnet::{self, Subnets};
use super::vpc::{self, Vpcs};
use super::{Call, Collected, Read, Scope, When};
use crate::collect::Service;
use crate::entity::schema::{n, p, PropType, Property, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};
use std::collections::HashMap;
use PropType::{Boolean as B, Number as N, String as S, Time as T};

/// The EC2 listings the network properties embed.
pub const READS: [Read; 7] = [
    subnet::READS[0],
    subnet::READS[1],
    subnet::READS[2],
    subnet::READS[3],
    subnet::DESCRIBE_SUBNETS.read(When::Always),
    security_group::DESCRIBE_SECURITY_GROUPS.read(When::Always),
    security_group::DESCRIBE_NETWORK_INTERFACES.read(When::Always),
];

/// What every load balancer type reads: [`READS`] and the certificate listings its
/// listeners' certificates are joined with ([`acm_certificate::READS`]).
pub const BALANCER_READS: [Read; 9] = [
    READS[0],
    READS[1],
    READS[2],
    READS[3],
    READS[4],
    READS[5],
    READS[6],
    acm_certificate::READS[0],
    acm_certificate::READS[1],
];

/// One network interface of a balancer (or of a DB instance, one per subnet of its
/// subnet group: [`Network::subnet_nics`]).
pub const NIC: &[Property] = &[
    p("id", S, "`NetworkInterfaceId`"),
    n(
        "subnet",
        PropType::Object(subnet::PROPERTIES),
        "the `Subnet` (`SubnetId`)",
    ),
    n("privateIpAddress", S, "`PrivateIpAddress`"),
    n("publicIpAddress", S, "`Association.PublicIp`"),
    p(
        "securityGroups",
        PropType::List(&PropType::Object(security_group::PROPERTIES)),
        "the `SecurityGroup`s of `Groups[]`",
    ),
];

/// The network properties every load balancer has.
pub const NETWORK: &[Property] = &[
    n(
        "vpc",
        PropType::Object(vpc::BRIEF),
        "the balancer's VPC (`VPCId` / `VpcId`), its brief",
    ),
    p(
        "subnets",
        PropType::List(&PropType::Object(subnet::PROPERTIES)),
        "the `Subnet`s of `Subnets[]` / `AvailabilityZones[].SubnetId`",
    ),
    p(
        "securityGroups",
        PropType::List(&PropType::Object(security_group::PROPERTIES)),
        "the `SecurityGroup`s of `SecurityGroups[]` (`[]`: none, as for most network load balancers)",
    ),
    p(
        "inboundRules",
        RULES,
        "the union of its groups' `inboundRules`",
    ),
    p(
        "outboundRules",
        RULES,
        "the union of its groups' `outboundRules`",
    ),
    p(
        "nics",
        PropType::List(&PropType::Object(NIC)),
        "DescribeNetworkInterfaces: the interfaces AWS made for the balancer (`Description` `ELB <name>` for a classic one, `ELB app/...` / `ELB net/...` for v2), each with its subnet and groups",
    ),
];

/// The EC2 objects of one account a balancer (or a function) is joined with.
pub struct Network<'a> {
    vpcs: Vpcs<'a>,
    subnets: Subnets<'a>,
    groups: Groups<'a>,
    interfaces: HashMap<(&'a str, &'a str), Vec<&'a InterfaceRecord>>,
}

impl<'a> Network<'a> {
    /// The EC2 objects of one account.
    pub fn new(c: &'a Collected) -> Self {
        let mut interfaces: HashMap<(&str, &str), Vec<&InterfaceRecord>> = HashMap::new();
        for r in &c.security_groups {
            for i in &r.network_interfaces {
                if let Some(d) = &i.description {
                    interfaces
                        .entry((r.region.as_str(), d.as_str()))
                        .or_default()
                        .push(i);
                }
            }
        }
        Network {
            vpcs: Vpcs::new(&c.vpcs),
            subnets: Subnets::new(c),
            groups: Groups::new(c),
            interfaces,
        }
    }

    /// The VPC brief.
    pub fn vpc(&self, region: &str, id: Option<&str>) -> Json {
        self.vpcs.brief(region, id)
    }

    /// The subnets `ids` of `region` as entities.
    pub fn subnets(&self, account: &str, region: &str, ids: &[String]) -> Json {
        ids.iter()
            .map(|s| self.subnets.entity(account, region, s))
            .collect()
    }

    /// The security groups `ids` of `region` as entities.
    pub fn groups(&self, account: &str, region: &str, ids: &[String]) -> Json {
        ids.iter()
            .map(|g| self.groups.entity(account, region, g))
            .collect()
    }

    /// The union of the `key` rules (`inboundRules`, `outboundRules`) of the groups.
    pub fn rules(&self, account: &str, region: &str, ids: &[String], key: &str) -> Json {
        security_group::union(
            ids.iter()
                .map(|g| self.groups.entity(account, region, g)[key].clone()),
        )
    }

    /// The interfaces of `region` whose description is `description`, as `nics`.
    fn nics(&self, account: &str, region: &str, description: &str) -> Json {
        let mut list = self
            .interfaces
            .get(&(region, description))
            .cloned()
            .unwrap_or_default();
        list.sort_by(|a, b| a.network_interface_id.cmp(&b.network_interface_id));
        list.iter()
            .map(|i| {
                json!({
                    "id": i.network_interface_id,
                    "subnet": i.subnet_id.as_deref().map_or(Json::Null, |s| self.subnets.entity(account, region, s)),
                    "privateIpAddress": i.private_ip_address,
                    "publicIpAddress": i.public_ip,
                    "securityGroups": self.groups(account, region, &i.group_ids),
                })
            })
            .collect()
    }

    /// CloudGuard's `nics` of a resource placed by subnet (an RDS instance): one per
    /// subnet of `subnets`, without an interface id (`""`) or addresses, each with the
    /// subnet and the groups `groups`.
    pub fn subnet_nics(
        &self,
        account: &str,
        region: &str,
        subnets: &[String],
        groups: &[String],
    ) -> Json {
        subnets
            .iter()
            .map(|s| {
                json!({
                    "id": "",
                    "subnet": self.subnets.entity(account, region, s),
                    "privateIpAddress": null,
                    "publicIpAddress": null,
                    "securityGroups": self.groups(account, region, groups),
                })
            })
            .collect()
    }

    /// Write the [`NETWORK`] properties of a balancer: in `vpc`, in `subnets`, with
    /// the groups `groups`, whose interfaces are described as `description`.
    pub fn insert(&self, m: &mut Map<String, Json>, at: &Placement<'_>) {
        let (account, region) = (at.account, at.region);
        m.insert("vpc".into(), self.vpc(region, at.vpc));
        m.insert("subnets".into(), self.subnets(account, region, at.subnets));
        m.insert(
            "securityGroups".into(),
            self.groups(account, region, at.groups),
        );
        for key in ["inboundRules", "outboundRules"] {
            m.insert(key.into(), self.rules(account, region, at.groups, key));
        }
        m.insert("nics".into(), self.nics(account, region, &at.description));
    }
}

/// Where a balancer sits: what [`Network::insert`] joins.
pub struct Placement<'a> {
    /// The account.
    pub account: &'a str,
    /// The region.
    pub region: &'a str,
    /// Its VPC.
    pub vpc: Option<&'a str>,
    /// Its subnets.
    pub subnets: &'a [String],
    /// Its security groups.
    pub groups: &'a [String],
    /// The `Description` AWS gives its network interfaces.
    pub description: String,
}

/// `scheme` `internet-facing`: reachable from the internet.
pub fn is_public(scheme: Option<&str>) -> bool {
    scheme == Some("internet-facing")
}

// ELB v2: application and network load balancers.

/// ELB v2 DescribeLoadBalancers.
pub const DESCRIBE_LOAD_BALANCERS: Call = Call {
    service: Service::Elbv2,
    operation: "DescribeLoadBalancers",
    scope: Scope::Region,
    paged: true,
};

/// ELB v2 DescribeListeners.
pub const DESCRIBE_LISTENERS: Call = Call {
    service: Service::Elbv2,
    operation: "DescribeListeners",
    scope: Scope::Each("load balancer"),
    paged: true,
};

/// ELB v2 DescribeLoadBalancerAttributes.
pub const DESCRIBE_ATTRIBUTES: Call = Call {
    service: Service::Elbv2,
    operation: "DescribeLoadBalancerAttributes",
    scope: Scope::Each("load balancer"),
    paged: false,
};

/// ELB v2 DescribeListenerCertificates: the certificates of an HTTPS or TLS listener,
/// the further (SNI) ones included, which `DescribeListeners` leaves out.
pub const DESCRIBE_LISTENER_CERTIFICATES: Call = Call {
    service: Service::Elbv2,
    operation: "DescribeListenerCertificates",
    scope: Scope::Each("HTTPS or TLS listener"),
    paged: true,
};

/// The ELB v2 calls (both types declare them: one listing serves both).
pub const V2_CALLS: &[Call] = &[
    DESCRIBE_LOAD_BALANCERS,
    DESCRIBE_LISTENERS,
    DESCRIBE_ATTRIBUTES,
    DESCRIBE_LISTENER_CERTIFICATES,
];

/// A certificate of a listener.
pub const CERTIFICATE: &[Property] = &[
    p("id", S, "`CertificateArn` / `SSLCertificateId` (an ACM or IAM certificate ARN)"),
    p(
        "isDefault",
        B,
        "`IsDefault`: the listener's default certificate (`true`), or one of its further certificates chosen by SNI (`false`); a classic listener has its one certificate only",
    ),
    n(
        "expiration",
        T,
        "joined by ARN: the ACM certificate's `NotAfter` (`AcmCertificate`, ListCertificates of the region) or the IAM server certificate's `Expiration` (`Iam`, ListServerCertificates); `null` when neither listing has it, and then a collection error (`CertificateNotListed`) leaves the balancer types of the region `unknown`",
    ),
];

const ACTION: &[Property] = &[
    p(
        "type",
        S,
        "`Type` (`forward`, `redirect`, `fixed-response`, ...)",
    ),
    n(
        "redirectProtocol",
        S,
        "`RedirectConfig.Protocol` (`HTTPS`, `#{protocol}`)",
    ),
];

const LISTENER: &[Property] = &[
    p("id", S, "`ListenerArn`"),
    n(
        "protocol",
        S,
        "`Protocol` (`HTTP`, `HTTPS`, `TCP`, `TLS`, `UDP`, `TCP_UDP`)",
    ),
    n("port", N, "`Port`"),
    n(
        "sslPolicy",
        S,
        "`SslPolicy` (the TLS security policy of an `HTTPS` / `TLS` listener)",
    ),
    p(
        "certificates",
        PropType::List(&PropType::Object(CERTIFICATE)),
        "`DescribeListenerCertificates` `Certificates[]`: the default certificate first, then the further (SNI) ones of an `HTTPS` / `TLS` listener (the default alone, from `DescribeListeners`, where that call failed: recorded, and the types are `unknown` in the region)",
    ),
    p(
        "defaultActions",
        PropType::List(&PropType::Object(ACTION)),
        "`DefaultActions[]`",
    ),
];

const ACCESS_LOGS: &[Property] = &[
    p("enabled", B, "attribute `access_logs.s3.enabled`"),
    n("s3BucketName", S, "attribute `access_logs.s3.bucket`"),
    n("s3BucketPrefix", S, "attribute `access_logs.s3.prefix`"),
];

const ATTRIBUTE: &[Property] = &[p("key", S, "`Key`"), n("value", S, "`Value`")];

/// What both ELB v2 types have besides their identity and [`NETWORK`].
pub const V2_OWN: &[Property] = &[
    p("arn", S, "`LoadBalancerArn`"),
    n("dnsName", S, "`DNSName`"),
    n("scheme", S, "`Scheme` (`internet-facing`, `internal`)"),
    p("isPublic", B, "derived: `Scheme` is `internet-facing`"),
    n("state", S, "`State.Code`"),
    n("ipAddressType", S, "`IpAddressType`"),
    n("createdTime", T, "`CreatedTime`"),
    p(
        "availabilityZones",
        STRINGS,
        "`AvailabilityZones[].ZoneName`",
    ),
    p(
        "listeners",
        PropType::List(&PropType::Object(LISTENER)),
        "DescribeListeners `Listeners[]`",
    ),
    n(
        "accessLogs",
        PropType::Object(ACCESS_LOGS),
        "DescribeLoadBalancerAttributes (`null` when that call failed)",
    ),
    n(
        "deletionProtection",
        B,
        "attribute `deletion_protection.enabled`",
    ),
    n(
        "attributes",
        PropType::List(&PropType::Object(ATTRIBUTE)),
        "DescribeLoadBalancerAttributes `Attributes[]`, as listed (`null` when that call failed)",
    ),
];

/// An ELB v2 balancer (DescribeLoadBalancers `LoadBalancers[]`), with its listeners
/// and attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct V2Record {
    /// The region.
    pub region: String,
    /// `LoadBalancerArn`.
    pub arn: String,
    /// `LoadBalancerName`.
    pub name: String,
    /// `DNSName`.
    pub dns_name: Option<String>,
    /// `Scheme`.
    pub scheme: Option<String>,
    /// `State.Code`.
    pub state: Option<String>,
    /// `IpAddressType`.
    pub ip_address_type: Option<String>,
    /// `CreatedTime`, RFC 3339.
    pub created_time: Option<String>,
    /// `VpcId`.
    pub vpc_id: Option<String>,
    /// `AvailabilityZones[].ZoneName`.
    #[serde(default)]
    pub zones: Vec<String>,
    /// `AvailabilityZones[].SubnetId`.
    #[serde(default)]
    pub subnets: Vec<String>,
    /// `SecurityGroups[]`.
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// DescribeListeners.
    #[serde(default)]
    pub listeners: Vec<ListenerRecord>,
    /// DescribeLoadBalancerAttributes: (`Key`, `Value`); `None` when the call failed.
    pub attributes: Option<Vec<(String, Option<String>)>>,
}

/// DescribeListeners `Listeners[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListenerRecord {
    /// `ListenerArn`.
    pub arn: String,
    /// `Protocol`.
    pub protocol: Option<String>,
    /// `Port`.
    pub port: Option<i32>,
    /// `SslPolicy`.
    pub ssl_policy: Option<String>,
    /// The default certificate: DescribeListenerCertificates' `Certificates[]` with
    /// `IsDefault` (DescribeListeners' `Certificates[].CertificateArn` where that call
    /// failed or named none).
    #[serde(default)]
    pub certificates: Vec<String>,
    /// The further certificates (chosen by SNI): DescribeListenerCertificates'
    /// `Certificates[]` without `IsDefault`, the default ones left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sni_certificates: Vec<String>,
    /// `DefaultActions[]`: (`Type`, `RedirectConfig.Protocol`).
    #[serde(default)]
    pub default_actions: Vec<(String, Option<String>)>,
}

impl ListenerRecord {
    /// Every certificate of the listener, the default ones first: (ARN, default?).
    pub fn all_certificates(&self) -> impl Iterator<Item = (&str, bool)> {
        let default = self.certificates.iter().map(|c| (c.as_str(), true));
        default.chain(self.sni_certificates.iter().map(|c| (c.as_str(), false)))
    }

    /// Whether the listener terminates TLS (`HTTPS`, `TLS`), and so has certificates.
    pub fn has_certificates(&self) -> bool {
        matches!(self.protocol.as_deref(), Some("HTTPS" | "TLS"))
    }
}

impl V2Record {
    /// The value of the attribute `key`.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .as_ref()?
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_deref())
    }

    /// The attribute `key` as a boolean (`null` when the attributes are unknown).
    pub fn flag(&self, key: &str) -> Json {
        match &self.attributes {
            Some(_) => Json::Bool(self.attribute(key) == Some("true")),
            None => Json::Null,
        }
    }
}

/// A certificate of a listener as entities' `certificates[]` / `certificate` (the
/// default one, or a further one chosen by SNI), with its expiry from the account's
/// certificate listings.
pub fn certificate(id: &str, is_default: bool, expiries: &Expiries<'_>) -> Json {
    json!({"id": id, "isDefault": is_default, "expiration": expiries.expiration(id)})
}

/// The entities of some ELB v2 records: identity, [`NETWORK`], [`V2_OWN`], then what
/// `extra` adds for the type.
pub fn v2_entities(
    c: &Collected,
    records: &[V2Record],
    kind: &str,
    extra: impl Fn(&V2Record, &mut Map<String, Json>),
) -> Vec<Json> {
    let net = Network::new(c);
    let expiries = Expiries::new(c);
    let mut list: Vec<&V2Record> = records.iter().collect();
    list.sort_by(|a, b| (&a.region, &a.arn).cmp(&(&b.region, &b.arn)));
    list.into_iter()
        .map(|r| {
            let account = c.account_number.as_str();
            let mut m = super::identity(&r.arn, kind, &r.name, account, &r.region);
            // The interfaces' description: `ELB app/<name>/<id>`, from the ARN's tail.
            let tail = r.arn.split_once(":loadbalancer/").map_or("", |(_, t)| t);
            net.insert(
                &mut m,
                &Placement {
                    account,
                    region: &r.region,
                    vpc: r.vpc_id.as_deref(),
                    subnets: &r.subnets,
                    groups: &r.security_groups,
                    description: format!("ELB {tail}"),
                },
            );
            m.insert("arn".into(), json!(r.arn));
            m.insert("dnsName".into(), json!(r.dns_name));
            m.insert("scheme".into(), json!(r.scheme));
            m.insert("isPublic".into(), Json::Bool(is_public(r.scheme.as_deref())));
            m.insert("state".into(), json!(r.state));
            m.insert("ipAddressType".into(), json!(r.ip_address_type));
            m.insert("createdTime".into(), json!(r.created_time));
            m.insert("availabilityZones".into(), json!(r.zones));
            let listeners: Vec<Json> = r
                .listeners
                .iter()
                .map(|l| {
                    json!({
                        "id": l.arn,
                        "protocol": l.protocol,
                        "port": l.port,
                        "sslPolicy": l.ssl_policy,
                        "certificates": l.all_certificates().map(|(c, default)| certificate(c, default, &expiries)).collect::<Vec<_>>(),
                        "defaultActions": l.default_actions.iter().map(|(t, p)| json!({"type": t, "redirectProtocol": p})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            m.insert("listeners".into(), Json::Array(listeners));
            m.insert(
                "accessLogs".into(),
                match &r.attributes {
                    Some(_) => json!({
                        "enabled": r.attribute("access_logs.s3.enabled") == Some("true"),
                        "s3BucketName": r.attribute("access_logs.s3.bucket").filter(|b| !b.is_empty()),
                        "s3BucketPrefix": r.attribute("access_logs.s3.prefix").filter(|b| !b.is_empty()),
                    }),
                    None => Json::Null,
                },
            );
            m.insert(
                "deletionProtection".into(),
                r.flag("deletion_protection.enabled"),
            );
            m.insert(
                "attributes".into(),
                match &r.attributes {
                    Some(list) => list
                        .iter()
                        .map(|(k, v)| json!({"key": k, "value": v}))
                        .collect(),
                    None => Json::Null,
                },
            );
            extra(r, &mut m);
            Json::Object(m)
        })
        .collect()
}

#[cfg(feature = "aws")]
pub(crate) use fetch::v2_region;

#[cfg(feature = "aws")]
mod fetch {
    use super::{ListenerRecord, V2Record};
    use crate::collect::call::Session;
    use crate::collect::convert::{owned, timestamp};
    use crate::collect::Service;
    use aws_sdk_elasticloadbalancingv2::types::{LoadBalancer, LoadBalancerTypeEnum};
    use aws_sdk_elasticloadbalancingv2::Client;
    use futures::future::join_all;

    /// Every ELB v2 balancer of `region` with its listeners and attributes, split into
    /// (application, network); gateway balancers are left out. `None` when the
    /// listing failed (recorded); a failed per-balancer call is recorded and leaves
    /// that part unknown (`attributes` `None`, or no listeners).
    pub(crate) async fn v2_region(
        s: &Session,
        region: &str,
    ) -> Option<(Vec<V2Record>, Vec<V2Record>)> {
        let client: Client = s.client(region);
        let mut listed: Vec<(bool, V2Record)> = Vec::new();
        let result = s
            .paginate(
                Service::Elbv2,
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
                        p.load_balancers()
                            .iter()
                            .filter_map(|b| balancer(region, b)),
                    );
                    p.next_marker().map(str::to_string)
                },
            )
            .await;
        if let Err(f) = result {
            s.record(region, Service::Elbv2, "DescribeLoadBalancers", f, false);
            return None;
        }
        let filled = join_all(listed.into_iter().map(|(app, mut r)| {
            let client = client.clone();
            async move {
                let (listeners, attributes) =
                    futures::join!(listeners(s, &client, &r), attributes(s, &client, &r));
                r.listeners = listeners;
                r.attributes = attributes;
                (app, r)
            }
        }))
        .await;
        let (apps, nets): (Vec<_>, Vec<_>) = filled.into_iter().partition(|(app, _)| *app);
        Some((
            apps.into_iter().map(|(_, r)| r).collect(),
            nets.into_iter().map(|(_, r)| r).collect(),
        ))
    }

    /// (application?, record) of a listed balancer; `None` for a gateway balancer.
    fn balancer(region: &str, b: &LoadBalancer) -> Option<(bool, V2Record)> {
        let app = match b.r#type() {
            Some(LoadBalancerTypeEnum::Application) => true,
            Some(LoadBalancerTypeEnum::Network) => false,
            _ => return None,
        };
        let zones = b.availability_zones();
        Some((
            app,
            V2Record {
                region: region.to_string(),
                arn: b.load_balancer_arn()?.to_string(),
                name: b.load_balancer_name().unwrap_or_default().to_string(),
                dns_name: owned(b.dns_name()),
                scheme: b.scheme().map(|s| s.as_str().to_string()),
                state: b
                    .state()
                    .and_then(|s| s.code())
                    .map(|c| c.as_str().to_string()),
                ip_address_type: b.ip_address_type().map(|t| t.as_str().to_string()),
                created_time: timestamp(b.created_time()),
                vpc_id: owned(b.vpc_id()),
                zones: zones.iter().filter_map(|z| owned(z.zone_name())).collect(),
                subnets: zones.iter().filter_map(|z| owned(z.subnet_id())).collect(),
                security_groups: b.security_groups().to_vec(),
                listeners: Vec::new(),
                attributes: None,
            },
        ))
    }

    async fn listeners(s: &Session, client: &Client, r: &V2Record) -> Vec<ListenerRecord> {
        let mut out = Vec::new();
        let result = s
            .paginate(
                Service::Elbv2,
                "DescribeListeners",
                |marker| {
                    client
                        .describe_listeners()
                        .load_balancer_arn(&r.arn)
                        .set_marker(marker)
                        .send()
                },
                |p| {
                    out.extend(p.listeners().iter().map(|l| {
                        ListenerRecord {
                            arn: l.listener_arn().unwrap_or_default().to_string(),
                            protocol: l.protocol().map(|p| p.as_str().to_string()),
                            port: l.port(),
                            ssl_policy: owned(l.ssl_policy()),
                            certificates: l
                                .certificates()
                                .iter()
                                .filter_map(|c| owned(c.certificate_arn()))
                                .collect(),
                            sni_certificates: Vec::new(),
                            default_actions: l
                                .default_actions()
                                .iter()
                                .map(|a| {
                                    (
                                        a.r#type()
                                            .map(|t| t.as_str().to_string())
                                            .unwrap_or_default(),
                                        a.redirect_config().and_then(|c| owned(c.protocol())),
                                    )
                                })
                                .collect(),
                        }
                    }));
                    p.next_marker().map(str::to_string)
                },
            )
            .await;
        if let Err(f) = result {
            s.record_for(&r.region, Service::Elbv2, "DescribeListeners", &r.name, f);
        }
        let listed = join_all(out.iter().map(|l| certificates(s, client, r, l))).await;
        for (l, listed) in out.iter_mut().zip(listed) {
            if let Some((default, sni)) = listed {
                if !default.is_empty() {
                    l.certificates = default;
                }
                l.sni_certificates = sni
                    .into_iter()
                    .filter(|c| !l.certificates.contains(c))
                    .collect();
            }
        }
        out
    }

    /// The certificates of an HTTPS or TLS listener, (default, further), deduplicated;
    /// `None` for another protocol, or when the listing failed (recorded: the listener
    /// keeps `DescribeListeners`' default certificate, and the types are `unknown` in
    /// the region).
    async fn certificates(
        s: &Session,
        client: &Client,
        r: &V2Record,
        l: &ListenerRecord,
    ) -> Option<(Vec<String>, Vec<String>)> {
        if !l.has_certificates() {
            return None;
        }
        let (mut default, mut sni) = (Vec::new(), Vec::new());
        let result = s
            .paginate(
                Service::Elbv2,
                "DescribeListenerCertificates",
                |marker| {
                    client
                        .describe_listener_certificates()
                        .listener_arn(&l.arn)
                        .set_marker(marker)
                        .send()
                },
                |p| {
                    for c in p.certificates() {
                        let Some(arn) = owned(c.certificate_arn()) else {
                            continue;
                        };
                        let list = if c.is_default() == Some(true) {
                            &mut default
                        } else {
                            &mut sni
                        };
                        if !list.contains(&arn) {
                            list.push(arn);
                        }
                    }
                    p.next_marker().map(str::to_string)
                },
            )
            .await;
        match result {
            Ok(()) => Some((default, sni)),
            Err(f) => {
                let what = format!("{} listener {}", r.name, l.port.unwrap_or_default());
                s.record_for(
                    &r.region,
                    Service::Elbv2,
                    "DescribeListenerCertificates",
                    &what,
                    f,
                );
                None
            }
        }
    }

    async fn attributes(
        s: &Session,
        client: &Client,
        r: &V2Record,
    ) -> Option<Vec<(String, Option<String>)>> {
        let result = s
            .call(
                Service::Elbv2,
                "DescribeLoadBalancerAttributes",
                client
                    .describe_load_balancer_attributes()
                    .load_balancer_arn(&r.arn)
                    .send(),
            )
            .await;
        match result {
            Ok(out) => Some(
                out.attributes()
                    .iter()
                    .filter_map(|a| Some((a.key()?.to_string(), owned(a.value()))))
                    .collect(),
            ),
            Err(f) => {
                s.record_for(
                    &r.region,
                    Service::Elbv2,
                    "DescribeLoadBalancerAttributes",
                    &r.name,
                    f,
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule of the public corpus (`tests/data/gsl/corpus_valid.txt`) over a load
    /// balancer type or Lambda checks against the collected schema (no unknown
    /// property) and evaluates, without an error, on the example entities.
    #[test]
    fn the_corpus_rules_on_these_types_check_and_evaluate() {
        use crate::entity::graph::EntityGraph;
        use crate::lang::eval::{check_rule, evaluate, EvalOptions, Outcome};
        use crate::lang::parser::parse_rule;
        const TYPES: [&str; 4] = [
            "ELB",
            "ApplicationLoadBalancer",
            "NetworkLoadBalancer",
            "Lambda",
        ];
        let snapshot = crate::collect::graph::build_snapshot(
            &[crate::collect::types::example_account()],
            Some("2026-06-01T00:00:00Z".into()),
        );
        let graph = EntityGraph::new(snapshot);
        let mut seen = Vec::new();
        for line in include_str!("../../../tests/data/gsl/corpus_valid.txt").lines() {
            let text = line.split("  #").next().unwrap_or_default().trim();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            let rule = parse_rule(text).expect("the corpus parses");
            let ty = rule.target.entity.name.clone();
            if !TYPES.contains(&ty.as_str()) {
                continue;
            }
            let checked = check_rule(&rule).unwrap_or_else(|e| panic!("{text}: {:?}", e.codes()));
            let result = evaluate(&checked, &graph, &EvalOptions::default());
            assert!(!result.entities.is_empty(), "{text}: no entity");
            for r in &result.entities {
                assert_ne!(
                    r.outcome,
                    Outcome::Error,
                    "{text}: {}",
                    r.explanation.summary
                );
            }
            seen.push(ty);
        }
        assert!(seen.len() >= 6, "{seen:?}");
        for ty in ["ELB", "ApplicationLoadBalancer"] {
            assert!(seen.iter().any(|s| s == ty), "no corpus rule on {ty}");
        }
    }

    fn v2(groups: &[&str], scheme: &str) -> Collected {
        use crate::collect::types::security_group::{GroupRecord, GroupRegion, InterfaceRecord};
        Collected {
            account_number: "111111111111".into(),
            security_groups: vec![GroupRegion {
                region: "us-east-1".into(),
                groups: vec![GroupRecord {
                    group_id: "sg-1".into(),
                    group_name: "lb".into(),
                    ..Default::default()
                }],
                network_interfaces: vec![InterfaceRecord {
                    network_interface_id: "eni-1".into(),
                    description: Some("ELB app/web/123".into()),
                    subnet_id: Some("subnet-1".into()),
                    group_ids: vec!["sg-1".into()],
                    ..Default::default()
                }],
            }],
            application_load_balancers: vec![V2Record {
                region: "us-east-1".into(),
                arn: "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/web/123"
                    .into(),
                name: "web".into(),
                scheme: Some(scheme.into()),
                security_groups: groups.iter().map(|g| g.to_string()).collect(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_balancer_is_joined_with_its_groups_and_interfaces() {
        let c = v2(&["sg-1"], "internet-facing");
        let e = &v2_entities(
            &c,
            &c.application_load_balancers,
            "ApplicationLoadBalancer",
            |_, _| {},
        )[0];
        assert_eq!(e["isPublic"], true);
        assert_eq!(e["securityGroups"][0]["name"], "lb");
        assert_eq!(e["nics"][0]["id"], "eni-1", "its interface, by description");
        assert_eq!(e["nics"][0]["securityGroups"][0]["id"], "sg-1");
        assert_eq!(e["nics"][0]["subnet"], json!({"id": "subnet-1"}));
        assert_eq!(
            e["attributes"],
            Json::Null,
            "attributes not collected: null, not []"
        );
        assert_eq!(e["deletionProtection"], Json::Null);
        let c = v2(&[], "internal");
        let e = &v2_entities(
            &c,
            &c.application_load_balancers,
            "ApplicationLoadBalancer",
            |_, _| {},
        )[0];
        assert_eq!(e["isPublic"], false);
        assert_eq!(e["securityGroups"], json!([]));
        assert_eq!(e["inboundRules"], json!([]));
    }
}
