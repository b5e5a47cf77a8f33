//! `Subnet`: every subnet of each collected region (`DescribeSubnets`), with its
//! network ACL (`nacl`) and the route table it uses (`routeTable`: its explicit
//! association, else its VPC's main table). `Instance` embeds the subnet of each
//! interface through [`Subnets`].

use super::ec2::{name_tag, tags_json, Tag, TAGS};
use super::network_acl::{self, Acls};
use super::route_table::{self, Tables};
use super::vpc::{self, Vpcs};
use super::{Call, Collected, EntityType, Read, Scope, When};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};
use std::collections::HashMap;
use PropType::{Boolean as B, Number as N, String as S};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "Subnet",
    about: "Every subnet of each collected region (`DescribeSubnets`, listed once per region), with its network ACL\n(`nacl`, a `NACL` entity) and the route table it uses (`routeTable`, a `RouteTable` entity: the table\nexplicitly associated with the subnet, else its VPC's main table).",
    calls: &[DESCRIBE_SUBNETS],
    reads: &READS,
    properties: PROPERTIES,
    tables: &[],
    build,
};

/// DescribeSubnets.
pub const DESCRIBE_SUBNETS: Call = Call {
    service: Service::Ec2,
    operation: "DescribeSubnets",
    scope: Scope::Region,
    paged: true,
};

/// What a type embedding a subnet reads (with the subnet's own call).
pub const READS: [Read; 4] = [
    vpc::BRIEF_READS[0],
    vpc::BRIEF_READS[1],
    network_acl::DESCRIBE_NETWORK_ACLS.read(When::Always),
    route_table::DESCRIBE_ROUTE_TABLES.read(When::Always),
];

const NACL: &[Property] = &join::<{ IDENTITY_LEN + network_acl::OWN.len() }>(
    &identity(
        "`NetworkAclId`",
        "`\"NACL\"`",
        "its `Name` tag",
        "the ACL's region",
    ),
    network_acl::OWN,
);

const ROUTE_TABLE: &[Property] = &join::<{ IDENTITY_LEN + route_table::OWN.len() }>(
    &identity(
        "`RouteTableId`",
        "`\"RouteTable\"`",
        "its `Name` tag",
        "the table's region",
    ),
    route_table::OWN,
);

/// A subnet's properties besides its identity: what `Instance` embeds too.
pub const OWN: &[Property] = &[
    n("cidr", S, "`CidrBlock`"),
    p("ipv6Cidrs", STRINGS, "`Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock`"),
    n("availabilityZone", S, "`AvailabilityZone`"),
    p("defaultForAz", B, "`DefaultForAz`"),
    p("mapPublicIpOnLaunch", B, "`MapPublicIpOnLaunch`"),
    n("availableIpAddressCount", N, "`AvailableIpAddressCount`"),
    n("state", S, "`State`"),
    n("vpc", PropType::Object(vpc::BRIEF), "the subnet's VPC (`VpcId`), its brief"),
    n(
        "nacl",
        PropType::Object(NACL),
        "the `NACL` associated with the subnet (DescribeNetworkAcls `Associations[]`)",
    ),
    n(
        "routeTable",
        PropType::Object(ROUTE_TABLE),
        "the `RouteTable` the subnet uses: explicitly associated, else the VPC's main table",
    ),
    p("tags", TAGS, "`Tags[]`"),
];

/// The whole subnet: identity, then [`OWN`] (what `Instance`'s and the load
/// balancers' interfaces embed).
pub const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`SubnetId`",
        "`\"Subnet\"`",
        "its `Name` tag (`\"\"` without one)",
        "the subnet's region",
    ),
    OWN,
);

/// The records: one per region.
pub type Record = SubnetRegion;

/// The subnets of one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubnetRegion {
    /// The region.
    pub region: String,
    /// DescribeSubnets.
    #[serde(default)]
    pub subnets: Vec<SubnetRecord>,
}

/// DescribeSubnets `Subnets[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubnetRecord {
    /// `SubnetId`.
    pub subnet_id: String,
    /// `VpcId`.
    pub vpc_id: Option<String>,
    /// `CidrBlock`.
    pub cidr_block: Option<String>,
    /// `Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock`.
    #[serde(default)]
    pub ipv6_cidr_blocks: Vec<String>,
    /// `AvailabilityZone`.
    pub availability_zone: Option<String>,
    /// `DefaultForAz`.
    #[serde(default)]
    pub default_for_az: bool,
    /// `MapPublicIpOnLaunch`.
    #[serde(default)]
    pub map_public_ip_on_launch: bool,
    /// `AvailableIpAddressCount`.
    pub available_ip_address_count: Option<i32>,
    /// `State`.
    pub state: Option<String>,
    /// `Tags[]`.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// The subnets of one account by (region, id), with their ACL and route table: the
/// join of `Instance`'s `nics[].subnet`.
pub struct Subnets<'a> {
    by_id: HashMap<(&'a str, &'a str), &'a SubnetRecord>,
    vpcs: Vpcs<'a>,
    acls: Acls<'a>,
    tables: Tables<'a>,
}

impl<'a> Subnets<'a> {
    /// The subnets of one account.
    pub fn new(c: &'a Collected) -> Self {
        let mut by_id = HashMap::new();
        for r in &c.subnets {
            for s in &r.subnets {
                by_id.insert((r.region.as_str(), s.subnet_id.as_str()), s);
            }
        }
        Subnets {
            by_id,
            vpcs: Vpcs::new(&c.vpcs),
            acls: Acls::new(c),
            tables: Tables::new(c),
        }
    }

    /// The route tables (the join of `Instance`'s `isPublic`).
    pub fn tables(&self) -> &Tables<'a> {
        &self.tables
    }

    /// The subnet `id` of `region` as an entity; only its id when it was not listed.
    pub fn entity(&self, account: &str, region: &str, id: &str) -> Json {
        match self.by_id.get(&(region, id)) {
            Some(s) => Json::Object(self.subnet(account, region, s)),
            None => json!({ "id": id }),
        }
    }

    fn subnet(&self, account: &str, region: &str, s: &SubnetRecord) -> Map<String, Json> {
        let mut m = super::identity(&s.subnet_id, TYPE.name, name_tag(&s.tags), account, region);
        m.insert("cidr".into(), json!(s.cidr_block));
        m.insert("ipv6Cidrs".into(), json!(s.ipv6_cidr_blocks));
        m.insert("availabilityZone".into(), json!(s.availability_zone));
        m.insert("defaultForAz".into(), Json::Bool(s.default_for_az));
        m.insert(
            "mapPublicIpOnLaunch".into(),
            Json::Bool(s.map_public_ip_on_launch),
        );
        m.insert(
            "availableIpAddressCount".into(),
            json!(s.available_ip_address_count),
        );
        m.insert("state".into(), json!(s.state));
        m.insert("vpc".into(), self.vpcs.brief(region, s.vpc_id.as_deref()));
        m.insert(
            "nacl".into(),
            self.acls.of_subnet(account, region, &s.subnet_id),
        );
        m.insert(
            "routeTable".into(),
            self.tables
                .entity_of_subnet(account, region, s.vpc_id.as_deref(), &s.subnet_id),
        );
        m.insert("tags".into(), tags_json(&s.tags));
        m
    }
}

fn build(c: &Collected) -> Vec<Json> {
    let subnets = Subnets::new(c);
    let mut keys: Vec<(&str, &str)> = subnets.by_id.keys().copied().collect();
    keys.sort();
    keys.into_iter()
        .map(|k| Json::Object(subnets.subnet(&c.account_number, k.0, subnets.by_id[&k])))
        .collect()
}

/// Records with every field set (a subnet of the example VPC, without an explicit
/// route table association: the main table applies), joined with the other types'
/// examples into one account by the tests that hold the schema to what `build` writes
/// (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "subnets": [
  {
   "region": "us-east-1",
   "subnets": [
    {
     "subnetId": "subnet-1",
     "vpcId": "vpc-1",
     "cidrBlock": "10.0.1.0/24",
     "ipv6CidrBlocks": ["2600:1f18::/64"],
     "availabilityZone": "us-east-1a",
     "defaultForAz": true,
     "mapPublicIpOnLaunch": true,
     "availableIpAddressCount": 250,
     "state": "available",
     "tags": [{"key": "Name", "value": "public-a"}]
    }
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{SubnetRecord, SubnetRegion};
    use crate::collect::types::ec2::{listing, tags};
    use crate::collect::walk::{Fetch, Walk};
    use aws_sdk_ec2::types as ec2;
    use aws_sdk_ec2::Client;
    use futures::future::BoxFuture;

    /// DescribeSubnets in each region.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let subnets = listing(
                    w.s,
                    region,
                    "DescribeSubnets",
                    |t| {
                        client
                            .describe_subnets()
                            .max_results(1000)
                            .set_next_token(t)
                            .send()
                    },
                    |p, out| {
                        out.extend(p.subnets().iter().filter_map(subnet));
                        p.next_token().map(str::to_string)
                    },
                )
                .await;
                let record = SubnetRegion {
                    region: region.to_string(),
                    subnets: subnets.unwrap_or_default(),
                };
                w.write(|c| c.subnets.push(record));
                true
            })
        }
    }

    fn subnet(s: &ec2::Subnet) -> Option<SubnetRecord> {
        Some(SubnetRecord {
            subnet_id: s.subnet_id()?.to_string(),
            vpc_id: s.vpc_id().map(str::to_string),
            cidr_block: s.cidr_block().map(str::to_string),
            ipv6_cidr_blocks: s
                .ipv6_cidr_block_association_set()
                .iter()
                .filter_map(|a| a.ipv6_cidr_block().map(str::to_string))
                .collect(),
            availability_zone: s.availability_zone().map(str::to_string),
            default_for_az: s.default_for_az().unwrap_or(false),
            map_public_ip_on_launch: s.map_public_ip_on_launch().unwrap_or(false),
            available_ip_address_count: s.available_ip_address_count(),
            state: s.state().map(|v| v.as_str().to_string()),
            tags: tags(s.tags()),
        })
    }
}
