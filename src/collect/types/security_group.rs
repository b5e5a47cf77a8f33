//! `SecurityGroup`: every security group of each collected region
//! (`DescribeSecurityGroups`), its permissions flattened into CloudGuard's rules (one
//! per protocol, port range and peer), with the network interfaces that use it
//! (`DescribeNetworkInterfaces`). `Instance` embeds the groups of its interfaces
//! through [`Groups`].

use super::ec2::{tags_json, Tag, TAGS};
use super::vpc::{self, Vpcs};
use super::{Call, Collected, EntityType, Scope};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};
use std::collections::HashMap;
use PropType::{Boolean as B, Number as N, String as S};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "SecurityGroup",
    about: "Every security group of each collected region (`DescribeSecurityGroups`), with the network interfaces\nthat use it (`DescribeNetworkInterfaces`), both listed once per region. Each permission is flattened into one\nrule per peer (an IPv4 range, an IPv6 range, a referenced group or a prefix list), in CloudGuard's shape:\n`protocol` is `TCP`, `UDP`, `ICMP`, `ALL` (AWS `-1`) or the protocol number; `port`..`portTo` is the port\nrange (`0`..`65535` for `ALL` and for protocols without ports; for `ICMP` the ICMP type and code, `-1` for\nany); `scope` is the CIDR, the referenced group id (`sg-...`) or the prefix list id (`pl-...`). CloudGuard\nwrites `0`..`0` for an `ALL` rule; gsl writes the port range the rule opens, so that `port <= 22 and portTo\n>= 22` finds it.",
    calls: &[DESCRIBE_SECURITY_GROUPS, DESCRIBE_NETWORK_INTERFACES],
    reads: &vpc::BRIEF_READS,
    properties: PROPERTIES,
    tables: &[
        ("inboundRules", "`inboundRules[]` and `outboundRules[]` (one per peer of each permission):"),
        ("networkAssetsStats", "`networkAssetsStats[]`:"),
        (
            "networkInterfaces",
            "`networkInterfaces[]` (DescribeNetworkInterfaces, the interfaces in the group):",
        ),
    ],
    build,
};

/// DescribeSecurityGroups.
pub const DESCRIBE_SECURITY_GROUPS: Call = Call {
    service: Service::Ec2,
    operation: "DescribeSecurityGroups",
    scope: Scope::Region,
    paged: true,
};

/// DescribeNetworkInterfaces.
pub const DESCRIBE_NETWORK_INTERFACES: Call = Call {
    service: Service::Ec2,
    operation: "DescribeNetworkInterfaces",
    scope: Scope::Region,
    paged: true,
};

/// One flattened rule.
pub const RULE: &[Property] = &[
    p(
        "protocol",
        S,
        "`IpProtocol`: `TCP`, `UDP`, `ICMP`, `ALL` (`-1`), or the number",
    ),
    p(
        "port",
        N,
        "`FromPort` (`0` for `ALL` and port-less protocols; the ICMP type)",
    ),
    p(
        "portTo",
        N,
        "`ToPort` (`65535` for `ALL` and port-less protocols; the ICMP code)",
    ),
    p(
        "scope",
        S,
        "`IpRanges[].CidrIp`, `Ipv6Ranges[].CidrIpv6`, `UserIdGroupPairs[].GroupId` or `PrefixListIds[].PrefixListId`",
    ),
    n("description", S, "the peer's `Description`"),
];

/// The type of `inboundRules` / `outboundRules`.
pub const RULES: PropType = PropType::List(&PropType::Object(RULE));

const STAT: &[Property] = &[
    p(
        "type",
        S,
        "`instances`, `ELBs`, `ApplicationLoadBalancers`, `NetworkLoadBalancers`, `RDSs`, `LambdaFunctions`, `EFSs`, `ElastiCacheClusters`, `Redshifts`, `others`",
    ),
    p(
        "count",
        N,
        "how many of the group's interfaces belong to such assets (from `InterfaceType`, `Attachment.InstanceId` and `Description`)",
    ),
];

const INTERFACE: &[Property] = &[
    p("id", S, "`NetworkInterfaceId`"),
    n("interfaceType", S, "`InterfaceType`"),
    n("description", S, "`Description`"),
    n("instanceId", S, "`Attachment.InstanceId`"),
    n("subnetId", S, "`SubnetId`"),
    n("privateIpAddress", S, "`PrivateIpAddress`"),
    n("publicIpAddress", S, "`Association.PublicIp`"),
];

/// A group's properties besides its identity: what `Instance` embeds too.
pub const OWN: &[Property] = &[
    n("description", S, "`Description`"),
    p("isDefault", B, "derived: `GroupName` is `default`"),
    n("vpc", PropType::Object(vpc::BRIEF), "the group's VPC (`VpcId`), its brief"),
    n("ownerId", S, "`OwnerId`"),
    p("inboundRules", RULES, "`IpPermissions[]`, flattened"),
    p("outboundRules", RULES, "`IpPermissionsEgress[]`, flattened"),
    p("tags", TAGS, "`Tags[]`"),
    p(
        "networkAssetsStats",
        PropType::List(&PropType::Object(STAT)),
        "derived from the group's interfaces: one count per kind of asset, zero counts included",
    ),
    p(
        "networkInterfaces",
        PropType::List(&PropType::Object(INTERFACE)),
        "DescribeNetworkInterfaces: the interfaces whose `Groups[]` name the group",
    ),
];

/// The whole group: identity, then [`OWN`].
pub const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`GroupId`",
        "`\"SecurityGroup\"`",
        "`GroupName`",
        "the group's region",
    ),
    OWN,
);

/// The records: one per region.
pub type Record = GroupRegion;

/// The security groups and network interfaces of one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupRegion {
    /// The region.
    pub region: String,
    /// DescribeSecurityGroups.
    #[serde(default)]
    pub groups: Vec<GroupRecord>,
    /// DescribeNetworkInterfaces.
    #[serde(default)]
    pub network_interfaces: Vec<InterfaceRecord>,
}

/// DescribeSecurityGroups `SecurityGroups[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupRecord {
    /// `GroupId`.
    pub group_id: String,
    /// `GroupName`.
    pub group_name: String,
    /// `Description`.
    pub description: Option<String>,
    /// `VpcId`.
    pub vpc_id: Option<String>,
    /// `OwnerId`.
    pub owner_id: Option<String>,
    /// `IpPermissions[]`.
    #[serde(default)]
    pub ip_permissions: Vec<Permission>,
    /// `IpPermissionsEgress[]`.
    #[serde(default)]
    pub ip_permissions_egress: Vec<Permission>,
    /// `Tags[]`.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// An `IpPermission`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Permission {
    /// `IpProtocol` (`tcp`, `udp`, `icmp`, `icmpv6`, `-1`, or a number).
    pub ip_protocol: String,
    /// `FromPort` (the ICMP type for ICMP; `-1`: any).
    pub from_port: Option<i32>,
    /// `ToPort` (the ICMP code for ICMP; `-1`: any).
    pub to_port: Option<i32>,
    /// `IpRanges[]`: (`CidrIp`, `Description`).
    #[serde(default)]
    pub ip_ranges: Vec<Peer>,
    /// `Ipv6Ranges[]`: (`CidrIpv6`, `Description`).
    #[serde(default)]
    pub ipv6_ranges: Vec<Peer>,
    /// `UserIdGroupPairs[]`: (`GroupId`, `Description`).
    #[serde(default)]
    pub groups: Vec<Peer>,
    /// `PrefixListIds[]`: (`PrefixListId`, `Description`).
    #[serde(default)]
    pub prefix_lists: Vec<Peer>,
}

/// One peer of a permission: a CIDR, a group id or a prefix list id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Peer {
    /// The CIDR or id.
    pub id: String,
    /// `Description`.
    pub description: Option<String>,
}

/// DescribeNetworkInterfaces `NetworkInterfaces[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InterfaceRecord {
    /// `NetworkInterfaceId`.
    pub network_interface_id: String,
    /// `InterfaceType`.
    pub interface_type: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `Attachment.InstanceId`.
    pub instance_id: Option<String>,
    /// `SubnetId`.
    pub subnet_id: Option<String>,
    /// `PrivateIpAddress`.
    pub private_ip_address: Option<String>,
    /// `Association.PublicIp`.
    pub public_ip: Option<String>,
    /// `Groups[].GroupId`.
    #[serde(default)]
    pub group_ids: Vec<String>,
}

/// One flattened rule (CloudGuard's `inboundRules[]` item).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// `TCP`, `UDP`, `ICMP`, `ALL`, or the protocol number.
    pub protocol: String,
    /// First port (ICMP: the type).
    pub port: i32,
    /// Last port (ICMP: the code).
    pub port_to: i32,
    /// A CIDR, a group id or a prefix list id.
    pub scope: String,
    /// The peer's description.
    pub description: Option<String>,
}

/// The protocol as CloudGuard names it: `TCP`, `UDP`, `ICMP`, `ALL` for `-1`, the
/// number otherwise (AWS's `icmpv6` is `58`).
pub fn protocol_name(ip_protocol: &str) -> String {
    match ip_protocol.to_ascii_lowercase().as_str() {
        "-1" | "all" => "ALL".into(),
        "tcp" | "6" => "TCP".into(),
        "udp" | "17" => "UDP".into(),
        "icmp" | "1" => "ICMP".into(),
        "icmpv6" | "58" => "58".into(),
        other => other.to_ascii_uppercase(),
    }
}

/// A permission's rules: one per peer, in the order AWS lists them (IPv4 ranges, IPv6
/// ranges, groups, prefix lists).
pub fn flatten(perm: &Permission) -> Vec<Rule> {
    let protocol = protocol_name(&perm.ip_protocol);
    let (port, port_to) = match protocol.as_str() {
        "TCP" | "UDP" => (
            perm.from_port.filter(|p| *p >= 0).unwrap_or(0),
            perm.to_port.filter(|p| *p >= 0).unwrap_or(65535),
        ),
        "ICMP" | "58" => (perm.from_port.unwrap_or(-1), perm.to_port.unwrap_or(-1)),
        _ => (0, 65535),
    };
    perm.ip_ranges
        .iter()
        .chain(&perm.ipv6_ranges)
        .chain(&perm.groups)
        .chain(&perm.prefix_lists)
        .map(|peer| Rule {
            protocol: protocol.clone(),
            port,
            port_to,
            scope: peer.id.clone(),
            description: peer.description.clone(),
        })
        .collect()
}

/// The rules of a list of permissions, as JSON.
pub fn rules_json(perms: &[Permission]) -> Json {
    let rules: Vec<Rule> = perms.iter().flat_map(flatten).collect();
    super::to_json(&rules)
}

/// The union of some rule lists (`inboundRules` of several groups), each rule once, in
/// first-seen order: the rules of an entity with several groups.
pub fn union(lists: impl Iterator<Item = Json>) -> Json {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for list in lists {
        for rule in list.as_array().into_iter().flatten() {
            if seen.insert(rule.to_string()) {
                out.push(rule.clone());
            }
        }
    }
    Json::Array(out)
}

/// The kinds of asset `networkAssetsStats` counts, in its order.
const ASSETS: [&str; 10] = [
    "instances",
    "ELBs",
    "ApplicationLoadBalancers",
    "NetworkLoadBalancers",
    "RDSs",
    "LambdaFunctions",
    "EFSs",
    "ElastiCacheClusters",
    "Redshifts",
    "others",
];

/// The kind of asset an interface belongs to (an index into [`ASSETS`]), from its
/// type, attachment and the description AWS gives the interfaces it manages.
fn asset_kind(i: &InterfaceRecord) -> usize {
    let d = i.description.as_deref().unwrap_or_default();
    let t = i.interface_type.as_deref().unwrap_or_default();
    if t == "lambda" || d.starts_with("AWS Lambda VPC ENI") {
        5
    } else if d.starts_with("ELB app/") {
        2
    } else if d.starts_with("ELB net/") || t == "network_load_balancer" {
        3
    } else if d.starts_with("ELB ") {
        1
    } else if d.starts_with("RDSNetworkInterface") {
        4
    } else if d.starts_with("EFS mount target") || t == "efs" {
        6
    } else if d.starts_with("ElastiCache") {
        7
    } else if d.starts_with("RedshiftNetworkInterface") {
        8
    } else if i.instance_id.is_some() && (t.is_empty() || t == "interface") {
        0
    } else {
        9
    }
}

fn stats(interfaces: &[&InterfaceRecord]) -> Json {
    let mut counts = [0usize; ASSETS.len()];
    for i in interfaces {
        counts[asset_kind(i)] += 1;
    }
    Json::Array(
        ASSETS
            .iter()
            .zip(counts)
            .map(|(t, c)| json!({"type": t, "count": c}))
            .collect(),
    )
}

/// The security groups of one account by (region, id), with their interfaces: the
/// join of `Instance`'s `securityGroups`.
pub struct Groups<'a> {
    by_id: HashMap<(&'a str, &'a str), (&'a GroupRecord, Vec<&'a InterfaceRecord>)>,
    vpcs: Vpcs<'a>,
}

impl<'a> Groups<'a> {
    /// The groups of one account.
    pub fn new(c: &'a Collected) -> Self {
        let mut by_id = HashMap::new();
        for r in &c.security_groups {
            let mut of_group: HashMap<&str, Vec<&InterfaceRecord>> = HashMap::new();
            for i in &r.network_interfaces {
                for g in &i.group_ids {
                    of_group.entry(g.as_str()).or_default().push(i);
                }
            }
            for g in &r.groups {
                let interfaces = of_group.remove(g.group_id.as_str()).unwrap_or_default();
                by_id.insert((r.region.as_str(), g.group_id.as_str()), (g, interfaces));
            }
        }
        Groups {
            by_id,
            vpcs: Vpcs::new(&c.vpcs),
        }
    }

    /// The group `id` of `region` as an entity, or only its id when it was not
    /// listed.
    pub fn entity(&self, account: &str, region: &str, id: &str) -> Json {
        match self.by_id.get(&(region, id)) {
            Some((g, interfaces)) => Json::Object(self.group(account, region, g, interfaces)),
            None => json!({ "id": id }),
        }
    }

    /// The group `id` of `region`, if listed.
    pub fn get(&self, region: &str, id: &str) -> Option<&'a GroupRecord> {
        self.by_id.get(&(region, id)).map(|(g, _)| *g)
    }

    fn group(
        &self,
        account: &str,
        region: &str,
        g: &GroupRecord,
        interfaces: &[&InterfaceRecord],
    ) -> Map<String, Json> {
        let mut m = super::identity(&g.group_id, TYPE.name, &g.group_name, account, region);
        m.insert("description".into(), json!(g.description));
        m.insert("isDefault".into(), Json::Bool(g.group_name == "default"));
        m.insert(
            "vpc".into(),
            self.vpcs.brief(region, g.vpc_id.as_deref()),
        );
        m.insert("ownerId".into(), json!(g.owner_id));
        m.insert("inboundRules".into(), rules_json(&g.ip_permissions));
        m.insert("outboundRules".into(), rules_json(&g.ip_permissions_egress));
        m.insert("tags".into(), tags_json(&g.tags));
        m.insert("networkAssetsStats".into(), stats(interfaces));
        let nics: Vec<Json> = interfaces
            .iter()
            .map(|i| {
                json!({
                    "id": i.network_interface_id,
                    "interfaceType": i.interface_type,
                    "description": i.description,
                    "instanceId": i.instance_id,
                    "subnetId": i.subnet_id,
                    "privateIpAddress": i.private_ip_address,
                    "publicIpAddress": i.public_ip,
                })
            })
            .collect();
        m.insert("networkInterfaces".into(), Json::Array(nics));
        m
    }
}

fn build(c: &Collected) -> Vec<Json> {
    let groups = Groups::new(c);
    let mut keys: Vec<&(&str, &str)> = groups.by_id.keys().collect();
    keys.sort();
    keys.into_iter()
        .map(|(region, id)| groups.entity(&c.account_number, region, id))
        .collect()
}

/// Records with every field set (a group open to the world on 22 over IPv4 and IPv6,
/// referencing itself, used by an instance's interface and the example load balancers'), joined with the other types'
/// examples into one account by the tests that hold the schema to what `build` writes
/// (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "securityGroups": [
  {
   "region": "us-east-1",
   "groups": [
    {
     "groupId": "sg-1",
     "groupName": "web",
     "description": "web servers",
     "vpcId": "vpc-1",
     "ownerId": "111111111111",
     "ipPermissions": [
      {
       "ipProtocol": "tcp",
       "fromPort": 22,
       "toPort": 22,
       "ipRanges": [{"id": "0.0.0.0/0", "description": "ssh"}],
       "ipv6Ranges": [{"id": "::/0", "description": "ssh v6"}],
       "groups": [{"id": "sg-1", "description": "self"}],
       "prefixLists": [{"id": "pl-1", "description": "office"}]
      }
     ],
     "ipPermissionsEgress": [
      {"ipProtocol": "-1", "ipRanges": [{"id": "0.0.0.0/0", "description": null}]}
     ],
     "tags": [{"key": "team", "value": "web"}]
    }
   ],
   "networkInterfaces": [
    {
     "networkInterfaceId": "eni-1",
     "interfaceType": "interface",
     "description": "Primary network interface",
     "instanceId": "i-1",
     "subnetId": "subnet-1",
     "privateIpAddress": "10.0.1.10",
     "publicIp": "54.1.2.3",
     "groupIds": ["sg-1"]
    },
    {
     "networkInterfaceId": "eni-2",
     "interfaceType": "interface",
     "description": "ELB legacy-web",
     "instanceId": null,
     "subnetId": "subnet-1",
     "privateIpAddress": "10.0.1.20",
     "publicIp": "54.1.2.4",
     "groupIds": ["sg-1"]
    },
    {
     "networkInterfaceId": "eni-3",
     "interfaceType": "interface",
     "description": "ELB app/web/50dc6c495c0c9188",
     "instanceId": null,
     "subnetId": "subnet-1",
     "privateIpAddress": "10.0.1.21",
     "publicIp": "54.1.2.5",
     "groupIds": ["sg-1"]
    },
    {
     "networkInterfaceId": "eni-4",
     "interfaceType": "network_load_balancer",
     "description": "ELB net/db/73e2d6bc24d8a067",
     "instanceId": null,
     "subnetId": "subnet-1",
     "privateIpAddress": "10.0.1.22",
     "publicIp": null,
     "groupIds": ["sg-1"]
    }
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{GroupRecord, GroupRegion, InterfaceRecord, Peer, Permission};
    use crate::collect::types::ec2::{listing, tags};
    use crate::collect::walk::{Fetch, Walk};
    use aws_sdk_ec2::types as ec2;
    use aws_sdk_ec2::Client;
    use futures::future::BoxFuture;

    /// DescribeSecurityGroups and DescribeNetworkInterfaces in each region.
    pub(crate) struct Fetcher;

    /// Items per page (the most EC2 allows).
    const PAGE: i32 = 1000;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let groups = listing(
                    w.s,
                    region,
                    "DescribeSecurityGroups",
                    |t| {
                        client
                            .describe_security_groups()
                            .max_results(PAGE)
                            .set_next_token(t)
                            .send()
                    },
                    |p, out| {
                        out.extend(p.security_groups().iter().filter_map(group));
                        p.next_token().map(str::to_string)
                    },
                );
                let interfaces = listing(
                    w.s,
                    region,
                    "DescribeNetworkInterfaces",
                    |t| {
                        client
                            .describe_network_interfaces()
                            .max_results(PAGE)
                            .set_next_token(t)
                            .send()
                    },
                    |p, out| {
                        out.extend(p.network_interfaces().iter().filter_map(interface));
                        p.next_token().map(str::to_string)
                    },
                );
                let (groups, interfaces) = futures::join!(groups, interfaces);
                let record = GroupRegion {
                    region: region.to_string(),
                    groups: groups.unwrap_or_default(),
                    network_interfaces: interfaces.unwrap_or_default(),
                };
                w.write(|c| c.security_groups.push(record));
                true
            })
        }
    }

    fn group(g: &ec2::SecurityGroup) -> Option<GroupRecord> {
        Some(GroupRecord {
            group_id: g.group_id()?.to_string(),
            group_name: g.group_name().unwrap_or_default().to_string(),
            description: g.description().map(str::to_string),
            vpc_id: g.vpc_id().map(str::to_string),
            owner_id: g.owner_id().map(str::to_string),
            ip_permissions: g.ip_permissions().iter().map(permission).collect(),
            ip_permissions_egress: g.ip_permissions_egress().iter().map(permission).collect(),
            tags: tags(g.tags()),
        })
    }

    fn peer(id: Option<&str>, description: Option<&str>) -> Option<Peer> {
        Some(Peer {
            id: id?.to_string(),
            description: description.map(str::to_string),
        })
    }

    /// SDK `IpPermission` → record.
    pub(crate) fn permission(p: &ec2::IpPermission) -> Permission {
        Permission {
            ip_protocol: p.ip_protocol().unwrap_or("-1").to_string(),
            from_port: p.from_port(),
            to_port: p.to_port(),
            ip_ranges: p
                .ip_ranges()
                .iter()
                .filter_map(|r| peer(r.cidr_ip(), r.description()))
                .collect(),
            ipv6_ranges: p
                .ipv6_ranges()
                .iter()
                .filter_map(|r| peer(r.cidr_ipv6(), r.description()))
                .collect(),
            groups: p
                .user_id_group_pairs()
                .iter()
                .filter_map(|r| peer(r.group_id(), r.description()))
                .collect(),
            prefix_lists: p
                .prefix_list_ids()
                .iter()
                .filter_map(|r| peer(r.prefix_list_id(), r.description()))
                .collect(),
        }
    }

    fn interface(i: &ec2::NetworkInterface) -> Option<InterfaceRecord> {
        Some(InterfaceRecord {
            network_interface_id: i.network_interface_id()?.to_string(),
            interface_type: i.interface_type().map(|t| t.as_str().to_string()),
            description: i.description().map(str::to_string),
            instance_id: i
                .attachment()
                .and_then(|a| a.instance_id())
                .map(str::to_string),
            subnet_id: i.subnet_id().map(str::to_string),
            private_ip_address: i.private_ip_address().map(str::to_string),
            public_ip: i
                .association()
                .and_then(|a| a.public_ip())
                .map(str::to_string),
            group_ids: i
                .groups()
                .iter()
                .filter_map(|g| g.group_id().map(str::to_string))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perm(proto: &str, from: Option<i32>, to: Option<i32>, cidrs: &[&str]) -> Permission {
        Permission {
            ip_protocol: proto.into(),
            from_port: from,
            to_port: to,
            ip_ranges: cidrs
                .iter()
                .map(|c| Peer {
                    id: c.to_string(),
                    description: None,
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn protocols_and_port_ranges() {
        let r = |p: Permission| {
            let f = flatten(&p);
            (f[0].protocol.clone(), f[0].port, f[0].port_to)
        };
        assert_eq!(
            r(perm("-1", None, None, &["0.0.0.0/0"])),
            ("ALL".into(), 0, 65535)
        );
        assert_eq!(
            r(perm("tcp", Some(22), Some(22), &["1.2.3.4/32"])),
            ("TCP".into(), 22, 22)
        );
        assert_eq!(
            r(perm("17", Some(53), Some(53), &["1.2.3.4/32"])),
            ("UDP".into(), 53, 53)
        );
        assert_eq!(
            r(perm("icmp", Some(8), Some(-1), &["1.2.3.4/32"])),
            ("ICMP".into(), 8, -1)
        );
        assert_eq!(
            r(perm("icmpv6", Some(-1), Some(-1), &["::/0"])),
            ("58".into(), -1, -1)
        );
        assert_eq!(
            r(perm("50", None, None, &["10.0.0.0/8"])),
            ("50".into(), 0, 65535)
        );
        assert!(flatten(&perm("tcp", Some(1), Some(2), &[])).is_empty());
    }

    #[test]
    fn one_rule_per_peer() {
        let p = Permission {
            ipv6_ranges: vec![Peer {
                id: "::/0".into(),
                description: Some("v6".into()),
            }],
            groups: vec![Peer {
                id: "sg-2".into(),
                description: None,
            }],
            ..perm("tcp", Some(80), Some(443), &["0.0.0.0/0", "10.0.0.0/8"])
        };
        let scopes: Vec<String> = flatten(&p).into_iter().map(|r| r.scope).collect();
        assert_eq!(scopes, ["0.0.0.0/0", "10.0.0.0/8", "::/0", "sg-2"]);
    }

    #[test]
    fn assets_are_counted_by_kind() {
        let i = |d: &str, t: &str, inst: bool| InterfaceRecord {
            network_interface_id: "eni".into(),
            description: Some(d.into()),
            interface_type: Some(t.into()),
            instance_id: inst.then(|| "i-1".to_string()),
            ..Default::default()
        };
        let list = [
            i("Primary network interface", "interface", true),
            i("ELB app/web/123", "interface", false),
            i("ELB classic", "interface", false),
            i("AWS Lambda VPC ENI-x", "lambda", false),
            i("RDSNetworkInterface", "interface", false),
            i("something", "nat_gateway", false),
        ];
        let refs: Vec<&InterfaceRecord> = list.iter().collect();
        let s = stats(&refs);
        let count = |t: &str| {
            s.as_array()
                .unwrap()
                .iter()
                .find(|e| e["type"] == t)
                .map(|e| e["count"].clone())
        };
        assert_eq!(count("instances"), Some(json!(1)));
        assert_eq!(count("ApplicationLoadBalancers"), Some(json!(1)));
        assert_eq!(count("ELBs"), Some(json!(1)));
        assert_eq!(count("LambdaFunctions"), Some(json!(1)));
        assert_eq!(count("RDSs"), Some(json!(1)));
        assert_eq!(count("others"), Some(json!(1)));
        assert_eq!(count("EFSs"), Some(json!(0)));
        assert_eq!(s.as_array().unwrap().len(), ASSETS.len());
    }
}
