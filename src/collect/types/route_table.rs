//! `RouteTable`: every route table of each collected region (`DescribeRouteTables`),
//! with its routes and associations. A subnet without an explicit association uses
//! its VPC's main table ([`Tables::of_subnet`]); `Subnet` embeds it as `routeTable`.

use super::ec2::{name_tag, tags_json, Tag, TAGS};
use super::vpc::{self, Vpcs};
use super::{Call, Collected, EntityType, Scope};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};
use std::collections::HashMap;
use PropType::{Boolean as B, String as S};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "RouteTable",
    about: "Every route table of each collected region (`DescribeRouteTables`, listed once per region), with its\nroutes and associations. `isMain` is true for the VPC's main table, which every subnet of the VPC without\nan explicit association uses (`Subnet.routeTable`). `routesToInternetGateway` is derived: some active route\nsends traffic to an internet gateway (`igw-...`).",
    calls: &[DESCRIBE_ROUTE_TABLES],
    reads: &vpc::BRIEF_READS,
    properties: PROPERTIES,
    tables: &[
        ("routes", "`routes[]` (`Routes[]`):"),
        ("associations", "`associations[]` (`Associations[]`):"),
    ],
    build,
};

/// DescribeRouteTables.
pub const DESCRIBE_ROUTE_TABLES: Call = Call {
    service: Service::Ec2,
    operation: "DescribeRouteTables",
    scope: Scope::Region,
    paged: true,
};

const ROUTE: &[Property] = &[
    n("destinationCidrBlock", S, "`DestinationCidrBlock`"),
    n("destinationIpv6CidrBlock", S, "`DestinationIpv6CidrBlock`"),
    n("destinationPrefixListId", S, "`DestinationPrefixListId`"),
    n("gatewayId", S, "`GatewayId` (`local`, `igw-...`, `vgw-...`)"),
    n("egressOnlyInternetGatewayId", S, "`EgressOnlyInternetGatewayId`"),
    n("natGatewayId", S, "`NatGatewayId`"),
    n("transitGatewayId", S, "`TransitGatewayId`"),
    n("instanceId", S, "`InstanceId`"),
    n("networkInterfaceId", S, "`NetworkInterfaceId`"),
    n("vpcPeeringConnectionId", S, "`VpcPeeringConnectionId`"),
    n("origin", S, "`Origin`"),
    n("state", S, "`State` (`active`, `blackhole`)"),
];

const ASSOCIATION: &[Property] = &[
    n("id", S, "`RouteTableAssociationId`"),
    p("isMain", B, "`Main`"),
    n("subnetId", S, "`SubnetId`"),
    n("gatewayId", S, "`GatewayId`"),
];

/// A table's properties besides its identity: what `Subnet` embeds too.
pub const OWN: &[Property] = &[
    n("vpc", PropType::Object(vpc::BRIEF), "the table's VPC (`VpcId`), its brief"),
    p("isMain", B, "derived: some association has `Main`"),
    p(
        "routes",
        PropType::List(&PropType::Object(ROUTE)),
        "`Routes[]`",
    ),
    p(
        "associations",
        PropType::List(&PropType::Object(ASSOCIATION)),
        "`Associations[]`",
    ),
    p("propagatingVgws", STRINGS, "`PropagatingVgws[].GatewayId`"),
    p(
        "routesToInternetGateway",
        B,
        "derived: a route whose `GatewayId` is `igw-...` and whose `State` is not `blackhole`",
    ),
    p("tags", TAGS, "`Tags[]`"),
];

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`RouteTableId`",
        "`\"RouteTable\"`",
        "its `Name` tag (`\"\"` without one)",
        "the table's region",
    ),
    OWN,
);

/// The records: one per region.
pub type Record = TableRegion;

/// The route tables of one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TableRegion {
    /// The region.
    pub region: String,
    /// DescribeRouteTables.
    #[serde(default)]
    pub tables: Vec<TableRecord>,
}

/// DescribeRouteTables `RouteTables[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TableRecord {
    /// `RouteTableId`.
    pub route_table_id: String,
    /// `VpcId`.
    pub vpc_id: Option<String>,
    /// `Routes[]`.
    #[serde(default)]
    pub routes: Vec<RouteRecord>,
    /// `Associations[]`.
    #[serde(default)]
    pub associations: Vec<AssociationRecord>,
    /// `PropagatingVgws[].GatewayId`.
    #[serde(default)]
    pub propagating_vgws: Vec<String>,
    /// `Tags[]`.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// `Routes[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RouteRecord {
    /// `DestinationCidrBlock`.
    pub destination_cidr_block: Option<String>,
    /// `DestinationIpv6CidrBlock`.
    pub destination_ipv6_cidr_block: Option<String>,
    /// `DestinationPrefixListId`.
    pub destination_prefix_list_id: Option<String>,
    /// `GatewayId`.
    pub gateway_id: Option<String>,
    /// `EgressOnlyInternetGatewayId`.
    pub egress_only_internet_gateway_id: Option<String>,
    /// `NatGatewayId`.
    pub nat_gateway_id: Option<String>,
    /// `TransitGatewayId`.
    pub transit_gateway_id: Option<String>,
    /// `InstanceId`.
    pub instance_id: Option<String>,
    /// `NetworkInterfaceId`.
    pub network_interface_id: Option<String>,
    /// `VpcPeeringConnectionId`.
    pub vpc_peering_connection_id: Option<String>,
    /// `Origin`.
    pub origin: Option<String>,
    /// `State`.
    pub state: Option<String>,
}

impl RouteRecord {
    /// An internet gateway is its target and it is not a blackhole.
    pub fn to_internet_gateway(&self) -> bool {
        self.gateway_id
            .as_deref()
            .is_some_and(|g| g.starts_with("igw-"))
            && self.state.as_deref() != Some("blackhole")
    }
}

/// `Associations[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssociationRecord {
    /// `RouteTableAssociationId`.
    pub id: Option<String>,
    /// `Main`.
    #[serde(default)]
    pub main: bool,
    /// `SubnetId`.
    pub subnet_id: Option<String>,
    /// `GatewayId`.
    pub gateway_id: Option<String>,
}

/// The route tables of one account: by (region, id), by explicitly associated subnet,
/// and each VPC's main table. The join of `Subnet`'s `routeTable`.
pub struct Tables<'a> {
    by_id: HashMap<(&'a str, &'a str), &'a TableRecord>,
    by_subnet: HashMap<(&'a str, &'a str), &'a TableRecord>,
    main: HashMap<(&'a str, &'a str), &'a TableRecord>,
    vpcs: Vpcs<'a>,
}

impl<'a> Tables<'a> {
    /// The tables of one account.
    pub fn new(c: &'a Collected) -> Self {
        let mut by_id = HashMap::new();
        let mut by_subnet = HashMap::new();
        let mut main = HashMap::new();
        for r in &c.route_tables {
            let region = r.region.as_str();
            for t in &r.tables {
                by_id.insert((region, t.route_table_id.as_str()), t);
                for a in &t.associations {
                    if let Some(s) = &a.subnet_id {
                        by_subnet.insert((region, s.as_str()), t);
                    }
                    if let (true, Some(v)) = (a.main, &t.vpc_id) {
                        main.insert((region, v.as_str()), t);
                    }
                }
            }
        }
        Tables {
            by_id,
            by_subnet,
            main,
            vpcs: Vpcs::new(&c.vpcs),
        }
    }

    /// The table a subnet uses: its explicit association, else its VPC's main table.
    pub fn of_subnet(&self, region: &str, vpc: Option<&str>, subnet: &str) -> Option<&'a TableRecord> {
        self.by_subnet
            .get(&(region, subnet))
            .or_else(|| vpc.and_then(|v| self.main.get(&(region, v))))
            .copied()
    }

    /// [`Self::of_subnet`] as an entity, `null` when none.
    pub fn entity_of_subnet(&self, account: &str, region: &str, vpc: Option<&str>, subnet: &str) -> Json {
        match self.of_subnet(region, vpc, subnet) {
            Some(t) => Json::Object(self.table(account, region, t)),
            None => Json::Null,
        }
    }

    fn table(&self, account: &str, region: &str, t: &TableRecord) -> Map<String, Json> {
        let mut m = super::identity(
            &t.route_table_id,
            TYPE.name,
            name_tag(&t.tags),
            account,
            region,
        );
        m.insert("vpc".into(), self.vpcs.brief(region, t.vpc_id.as_deref()));
        m.insert(
            "isMain".into(),
            Json::Bool(t.associations.iter().any(|a| a.main)),
        );
        m.insert("routes".into(), super::to_json(&t.routes));
        let associations: Vec<Json> = t
            .associations
            .iter()
            .map(|a| json!({"id": a.id, "isMain": a.main, "subnetId": a.subnet_id, "gatewayId": a.gateway_id}))
            .collect();
        m.insert("associations".into(), Json::Array(associations));
        m.insert("propagatingVgws".into(), json!(t.propagating_vgws));
        m.insert(
            "routesToInternetGateway".into(),
            Json::Bool(t.routes.iter().any(RouteRecord::to_internet_gateway)),
        );
        m.insert("tags".into(), tags_json(&t.tags));
        m
    }
}

fn build(c: &Collected) -> Vec<Json> {
    let tables = Tables::new(c);
    let mut keys: Vec<(&str, &str)> = tables.by_id.keys().copied().collect();
    keys.sort();
    keys.into_iter()
        .map(|k| Json::Object(tables.table(&c.account_number, k.0, tables.by_id[&k])))
        .collect()
}

/// Records with every field set (the main table of the example VPC, with a route to
/// its internet gateway and a peering route), joined with the other types' examples
/// into one account by the tests that hold the schema to what `build` writes
/// (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "routeTables": [
  {
   "region": "us-east-1",
   "tables": [
    {
     "routeTableId": "rtb-1",
     "vpcId": "vpc-1",
     "routes": [
      {"destinationCidrBlock": "10.0.0.0/16", "gatewayId": "local", "origin": "CreateRouteTable", "state": "active"},
      {
       "destinationCidrBlock": "0.0.0.0/0",
       "destinationIpv6CidrBlock": "::/0",
       "destinationPrefixListId": "pl-1",
       "gatewayId": "igw-1",
       "egressOnlyInternetGatewayId": "eigw-1",
       "natGatewayId": "nat-1",
       "transitGatewayId": "tgw-1",
       "instanceId": "i-1",
       "networkInterfaceId": "eni-1",
       "vpcPeeringConnectionId": "pcx-1",
       "origin": "CreateRoute",
       "state": "active"
      }
     ],
     "associations": [{"id": "rtbassoc-1", "main": true, "subnetId": "subnet-0", "gatewayId": "igw-1"}],
     "propagatingVgws": ["vgw-1"],
     "tags": [{"key": "Name", "value": "main"}]
    }
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{AssociationRecord, RouteRecord, TableRecord, TableRegion};
    use crate::collect::types::ec2::{listing, tags};
    use crate::collect::walk::{Fetch, Walk};
    use aws_sdk_ec2::types as ec2;
    use aws_sdk_ec2::Client;
    use futures::future::BoxFuture;

    /// DescribeRouteTables in each region.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let tables = listing(
                    w.s,
                    region,
                    "DescribeRouteTables",
                    |t| {
                        client
                            .describe_route_tables()
                            .max_results(100)
                            .set_next_token(t)
                            .send()
                    },
                    |p, out| {
                        out.extend(p.route_tables().iter().filter_map(table));
                        p.next_token().map(str::to_string)
                    },
                )
                .await;
                let record = TableRegion {
                    region: region.to_string(),
                    tables: tables.unwrap_or_default(),
                };
                w.write(|c| c.route_tables.push(record));
                true
            })
        }
    }

    fn table(t: &ec2::RouteTable) -> Option<TableRecord> {
        let s = |v: Option<&str>| v.map(str::to_string);
        Some(TableRecord {
            route_table_id: t.route_table_id()?.to_string(),
            vpc_id: s(t.vpc_id()),
            routes: t
                .routes()
                .iter()
                .map(|r| RouteRecord {
                    destination_cidr_block: s(r.destination_cidr_block()),
                    destination_ipv6_cidr_block: s(r.destination_ipv6_cidr_block()),
                    destination_prefix_list_id: s(r.destination_prefix_list_id()),
                    gateway_id: s(r.gateway_id()),
                    egress_only_internet_gateway_id: s(r.egress_only_internet_gateway_id()),
                    nat_gateway_id: s(r.nat_gateway_id()),
                    transit_gateway_id: s(r.transit_gateway_id()),
                    instance_id: s(r.instance_id()),
                    network_interface_id: s(r.network_interface_id()),
                    vpc_peering_connection_id: s(r.vpc_peering_connection_id()),
                    origin: r.origin().map(|o| o.as_str().to_string()),
                    state: r.state().map(|o| o.as_str().to_string()),
                })
                .collect(),
            associations: t
                .associations()
                .iter()
                .map(|a| AssociationRecord {
                    id: s(a.route_table_association_id()),
                    main: a.main().unwrap_or(false),
                    subnet_id: s(a.subnet_id()),
                    gateway_id: s(a.gateway_id()),
                })
                .collect(),
            propagating_vgws: t
                .propagating_vgws()
                .iter()
                .filter_map(|v| s(v.gateway_id()))
                .collect(),
            tags: tags(t.tags()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(id: &str, main: bool, subnet: Option<&str>, igw: bool) -> TableRecord {
        TableRecord {
            route_table_id: id.into(),
            vpc_id: Some("vpc-1".into()),
            routes: vec![RouteRecord {
                destination_cidr_block: Some("0.0.0.0/0".into()),
                gateway_id: Some(if igw { "igw-1" } else { "local" }.into()),
                state: Some("active".into()),
                ..Default::default()
            }],
            associations: vec![AssociationRecord {
                main,
                subnet_id: subnet.map(str::to_string),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_subnet_without_association_uses_the_main_table() {
        let c = Collected {
            account_number: "111111111111".into(),
            route_tables: vec![TableRegion {
                region: "us-east-1".into(),
                tables: vec![
                    table("rtb-main", true, None, false),
                    table("rtb-public", false, Some("subnet-pub"), true),
                ],
            }],
            ..Default::default()
        };
        let t = Tables::new(&c);
        let id = |s: &str| t.of_subnet("us-east-1", Some("vpc-1"), s).map(|t| t.route_table_id.as_str());
        assert_eq!(id("subnet-pub"), Some("rtb-public"));
        assert_eq!(id("subnet-other"), Some("rtb-main"));
        assert_eq!(t.of_subnet("us-east-1", Some("vpc-2"), "subnet-x").map(|t| t.route_table_id.as_str()), None);
        let e = t.entity_of_subnet("111111111111", "us-east-1", Some("vpc-1"), "subnet-pub");
        assert_eq!(e["routesToInternetGateway"], true);
        assert_eq!(e["isMain"], false);
        let blackhole = RouteRecord {
            gateway_id: Some("igw-1".into()),
            state: Some("blackhole".into()),
            ..Default::default()
        };
        assert!(!blackhole.to_internet_gateway());
    }
}
