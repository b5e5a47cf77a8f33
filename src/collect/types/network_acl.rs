//! `NACL`: every network ACL of each collected region (`DescribeNetworkAcls`), its
//! entries split into `inbound` and `outbound` in rule-number order, in CloudGuard's
//! shape. `Subnet` embeds the ACL of each subnet through [`Acls`].

use super::ec2::{name_tag, tags_json, Tag, TAGS};
use super::security_group::protocol_name;
use super::vpc::{self, Vpcs};
use super::{Call, Collected, EntityType, Scope};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};
use std::collections::HashMap;
use PropType::{Boolean as B, Number as N, String as S};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "NACL",
    about: "Every network ACL of each collected region (`DescribeNetworkAcls`, listed once per region). Its entries\nare split into `inbound` and `outbound`, sorted by rule number (the rule `*`, 32767, last), in CloudGuard's\nshape: `protocol` as for security groups, `destinationPort`..`destinationPortTo` the port range (`0`..`65535`\nwhen the entry has none; for ICMP the type and code), `source` the entry's CIDR for inbound entries\n(`destination` for outbound ones, the other side `0.0.0.0/0`), `action` `ALLOW` or `DENY`.",
    calls: &[DESCRIBE_NETWORK_ACLS],
    reads: &vpc::BRIEF_READS,
    properties: PROPERTIES,
    tables: &[("inbound", "`inbound[]` and `outbound[]` (the entries):")],
    build,
};

/// DescribeNetworkAcls.
pub const DESCRIBE_NETWORK_ACLS: Call = Call {
    service: Service::Ec2,
    operation: "DescribeNetworkAcls",
    scope: Scope::Region,
    paged: true,
};

const ENTRY: &[Property] = &[
    p("number", N, "`RuleNumber`"),
    p("protocol", S, "`Protocol`: `TCP`, `UDP`, `ICMP`, `ALL` (`-1`), or the number"),
    p("source", S, "`CidrBlock` / `Ipv6CidrBlock` (inbound); `0.0.0.0/0` (outbound)"),
    p("destination", S, "`0.0.0.0/0` (inbound); `CidrBlock` / `Ipv6CidrBlock` (outbound)"),
    p("destinationPort", N, "`PortRange.From` (ICMP: `IcmpTypeCode.Type`)"),
    p("destinationPortTo", N, "`PortRange.To` (ICMP: `IcmpTypeCode.Code`)"),
    p("direction", S, "`INBOUND` or `OUTBOUND` (`Egress`)"),
    p("action", S, "`RuleAction`, upper case: `ALLOW` or `DENY`"),
];

/// The type of `inbound` / `outbound`.
const ENTRIES: PropType = PropType::List(&PropType::Object(ENTRY));

/// An ACL's properties besides its identity: what `Subnet` embeds too.
pub const OWN: &[Property] = &[
    p("isDefault", B, "`IsDefault`"),
    n("vpc", PropType::Object(vpc::BRIEF), "the ACL's VPC (`VpcId`), its brief"),
    p("inbound", ENTRIES, "`Entries[]` with `Egress` false"),
    p("outbound", ENTRIES, "`Entries[]` with `Egress` true"),
    p("subnets", STRINGS, "`Associations[].SubnetId`"),
    p("tags", TAGS, "`Tags[]`"),
];

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`NetworkAclId`",
        "`\"NACL\"`",
        "its `Name` tag (`\"\"` without one)",
        "the ACL's region",
    ),
    OWN,
);

/// The records: one per region.
pub type Record = AclRegion;

/// The network ACLs of one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AclRegion {
    /// The region.
    pub region: String,
    /// DescribeNetworkAcls.
    #[serde(default)]
    pub acls: Vec<AclRecord>,
}

/// DescribeNetworkAcls `NetworkAcls[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AclRecord {
    /// `NetworkAclId`.
    pub network_acl_id: String,
    /// `VpcId`.
    pub vpc_id: Option<String>,
    /// `IsDefault`.
    #[serde(default)]
    pub is_default: bool,
    /// `Entries[]`.
    #[serde(default)]
    pub entries: Vec<EntryRecord>,
    /// `Associations[].SubnetId`.
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    /// `Tags[]`.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// `Entries[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntryRecord {
    /// `RuleNumber`.
    pub rule_number: i32,
    /// `Protocol` (`-1`, `6`, `17`, `1`, ...).
    pub protocol: String,
    /// `RuleAction` (`allow`, `deny`).
    pub rule_action: String,
    /// `Egress`.
    #[serde(default)]
    pub egress: bool,
    /// `CidrBlock`, else `Ipv6CidrBlock`.
    pub cidr: String,
    /// `PortRange.From` / `IcmpTypeCode.Type`.
    pub from: Option<i32>,
    /// `PortRange.To` / `IcmpTypeCode.Code`.
    pub to: Option<i32>,
}

/// The entry in CloudGuard's shape.
fn entry(e: &EntryRecord) -> Json {
    let protocol = protocol_name(&e.protocol);
    let (from, to) = match protocol.as_str() {
        "TCP" | "UDP" => (
            e.from.filter(|p| *p >= 0).unwrap_or(0),
            e.to.filter(|p| *p >= 0).unwrap_or(65535),
        ),
        "ICMP" | "58" => (e.from.unwrap_or(-1), e.to.unwrap_or(-1)),
        _ => (0, 65535),
    };
    let any = if e.cidr.contains(':') { "::/0" } else { "0.0.0.0/0" };
    let (source, destination, direction) = if e.egress {
        (any, e.cidr.as_str(), "OUTBOUND")
    } else {
        (e.cidr.as_str(), any, "INBOUND")
    };
    json!({
        "number": e.rule_number,
        "protocol": protocol,
        "source": source,
        "destination": destination,
        "destinationPort": from,
        "destinationPortTo": to,
        "direction": direction,
        "action": e.rule_action.to_ascii_uppercase(),
    })
}

/// The network ACLs of one account by (region, id) and by subnet: the join of
/// `Subnet`'s `nacl`.
pub struct Acls<'a> {
    by_id: HashMap<(&'a str, &'a str), &'a AclRecord>,
    by_subnet: HashMap<(&'a str, &'a str), &'a AclRecord>,
    vpcs: Vpcs<'a>,
}

impl<'a> Acls<'a> {
    /// The ACLs of one account.
    pub fn new(c: &'a Collected) -> Self {
        let mut by_id = HashMap::new();
        let mut by_subnet = HashMap::new();
        for r in &c.network_acls {
            for a in &r.acls {
                by_id.insert((r.region.as_str(), a.network_acl_id.as_str()), a);
                for s in &a.subnet_ids {
                    by_subnet.insert((r.region.as_str(), s.as_str()), a);
                }
            }
        }
        Acls {
            by_id,
            by_subnet,
            vpcs: Vpcs::new(&c.vpcs),
        }
    }

    /// The ACL of the subnet `subnet` of `region` as an entity, `null` when none was
    /// listed for it.
    pub fn of_subnet(&self, account: &str, region: &str, subnet: &str) -> Json {
        match self.by_subnet.get(&(region, subnet)) {
            Some(a) => Json::Object(self.acl(account, region, a)),
            None => Json::Null,
        }
    }

    fn acl(&self, account: &str, region: &str, a: &AclRecord) -> Map<String, Json> {
        let mut m = super::identity(
            &a.network_acl_id,
            TYPE.name,
            name_tag(&a.tags),
            account,
            region,
        );
        m.insert("isDefault".into(), Json::Bool(a.is_default));
        m.insert("vpc".into(), self.vpcs.brief(region, a.vpc_id.as_deref()));
        let mut entries: Vec<&EntryRecord> = a.entries.iter().collect();
        entries.sort_by_key(|e| e.rule_number);
        let side = |egress: bool| -> Json {
            Json::Array(
                entries
                    .iter()
                    .filter(|e| e.egress == egress)
                    .map(|e| entry(e))
                    .collect(),
            )
        };
        m.insert("inbound".into(), side(false));
        m.insert("outbound".into(), side(true));
        m.insert("subnets".into(), json!(a.subnet_ids));
        m.insert("tags".into(), tags_json(&a.tags));
        m
    }
}

fn build(c: &Collected) -> Vec<Json> {
    let acls = Acls::new(c);
    let mut keys: Vec<(&str, &str)> = acls.by_id.keys().copied().collect();
    keys.sort();
    keys.into_iter()
        .map(|k| Json::Object(acls.acl(&c.account_number, k.0, acls.by_id[&k])))
        .collect()
}

/// Records with every field set (the default ACL of the example VPC, open to the
/// world on every port, associated with the example subnet), joined with the other
/// types' examples into one account by the tests that hold the schema to what `build`
/// writes (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "networkAcls": [
  {
   "region": "us-east-1",
   "acls": [
    {
     "networkAclId": "acl-1",
     "vpcId": "vpc-1",
     "isDefault": true,
     "entries": [
      {"ruleNumber": 32767, "protocol": "-1", "ruleAction": "deny", "egress": false, "cidr": "0.0.0.0/0"},
      {"ruleNumber": 100, "protocol": "6", "ruleAction": "allow", "egress": false, "cidr": "0.0.0.0/0", "from": 22, "to": 22},
      {"ruleNumber": 100, "protocol": "-1", "ruleAction": "allow", "egress": true, "cidr": "::/0"}
     ],
     "subnetIds": ["subnet-1"],
     "tags": [{"key": "Name", "value": "default-acl"}]
    }
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{AclRecord, AclRegion, EntryRecord};
    use crate::collect::types::ec2::{listing, tags};
    use crate::collect::walk::{Fetch, Walk};
    use aws_sdk_ec2::types as ec2;
    use aws_sdk_ec2::Client;
    use futures::future::BoxFuture;

    /// DescribeNetworkAcls in each region.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let acls = listing(
                    w.s,
                    region,
                    "DescribeNetworkAcls",
                    |t| {
                        client
                            .describe_network_acls()
                            .max_results(1000)
                            .set_next_token(t)
                            .send()
                    },
                    |p, out| {
                        out.extend(p.network_acls().iter().filter_map(acl));
                        p.next_token().map(str::to_string)
                    },
                )
                .await;
                let record = AclRegion {
                    region: region.to_string(),
                    acls: acls.unwrap_or_default(),
                };
                w.write(|c| c.network_acls.push(record));
                true
            })
        }
    }

    fn acl(a: &ec2::NetworkAcl) -> Option<AclRecord> {
        Some(AclRecord {
            network_acl_id: a.network_acl_id()?.to_string(),
            vpc_id: a.vpc_id().map(str::to_string),
            is_default: a.is_default().unwrap_or(false),
            entries: a.entries().iter().filter_map(entry).collect(),
            subnet_ids: a
                .associations()
                .iter()
                .filter_map(|s| s.subnet_id().map(str::to_string))
                .collect(),
            tags: tags(a.tags()),
        })
    }

    fn entry(e: &ec2::NetworkAclEntry) -> Option<EntryRecord> {
        let icmp = e.icmp_type_code();
        let ports = e.port_range();
        Some(EntryRecord {
            rule_number: e.rule_number()?,
            protocol: e.protocol().unwrap_or("-1").to_string(),
            rule_action: e.rule_action()?.as_str().to_string(),
            egress: e.egress().unwrap_or(false),
            cidr: e.cidr_block().or(e.ipv6_cidr_block())?.to_string(),
            from: ports
                .and_then(|p| p.from())
                .or(icmp.and_then(|i| i.r#type())),
            to: ports.and_then(|p| p.to()).or(icmp.and_then(|i| i.code())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(number: i32, proto: &str, egress: bool, cidr: &str, ports: Option<(i32, i32)>) -> EntryRecord {
        EntryRecord {
            rule_number: number,
            protocol: proto.into(),
            rule_action: "allow".into(),
            egress,
            cidr: cidr.into(),
            from: ports.map(|p| p.0),
            to: ports.map(|p| p.1),
        }
    }

    #[test]
    fn entries_in_cloudguards_shape() {
        assert_eq!(
            entry(&e(100, "6", false, "0.0.0.0/0", Some((22, 22)))),
            json!({"number": 100, "protocol": "TCP", "source": "0.0.0.0/0", "destination": "0.0.0.0/0",
                   "destinationPort": 22, "destinationPortTo": 22, "direction": "INBOUND", "action": "ALLOW"})
        );
        let out = entry(&e(200, "-1", true, "10.0.0.0/8", None));
        assert_eq!(out["protocol"], "ALL");
        assert_eq!(out["source"], "0.0.0.0/0");
        assert_eq!(out["destination"], "10.0.0.0/8");
        assert_eq!((out["destinationPort"].clone(), out["destinationPortTo"].clone()), (json!(0), json!(65535)));
        let v6 = entry(&e(300, "6", false, "::/0", Some((3389, 3389))));
        assert_eq!(v6["destination"], "::/0");
    }

    #[test]
    fn entries_are_sorted_and_split() {
        let c: Collected = serde_json::from_str(&format!(
            "{{\"accountNumber\": \"111111111111\", {}",
            &EXAMPLE.trim_start()[1..]
        ))
        .expect("the example is a record");
        let acls = Acls::new(&c);
        let a = acls.of_subnet("111111111111", "us-east-1", "subnet-1");
        let numbers: Vec<&Json> = a["inbound"].as_array().unwrap().iter().map(|e| &e["number"]).collect();
        assert_eq!(numbers, [&json!(100), &json!(32767)]);
        assert_eq!(a["outbound"][0]["destination"], "::/0");
        assert_eq!(acls.of_subnet("111111111111", "us-east-1", "subnet-9"), Json::Null);
    }
}
