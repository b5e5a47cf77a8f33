//! `VPC`: every VPC of each collected region (`DescribeVpcs`), with its internet
//! gateways (`DescribeInternetGateways`), flow logs (`DescribeFlowLogs`) and peering
//! connections (`DescribeVpcPeeringConnections`), each listed once per region and
//! joined here. Other EC2 types embed a VPC's brief ([`BRIEF`], [`Vpcs::brief`]).

use super::ec2::{name_tag, tags_json, Tag, TAGS};
use super::{Call, Collected, EntityType, Read, Scope, When};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};
use std::collections::HashMap;
use PropType::{Boolean as B, String as S};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "VPC",
    about: "Every VPC of each collected region (`DescribeVpcs`), with the internet gateways attached to it\n(`DescribeInternetGateways`), its flow logs (`DescribeFlowLogs`) and the peering connections it is a side of\n(`DescribeVpcPeeringConnections`); each listing is made once per region and joined into every VPC. Other EC2\nentities embed a VPC's brief as `vpc` (the properties from `cidr` to `internetGateways`).",
    calls: &[
        DESCRIBE_VPCS,
        DESCRIBE_INTERNET_GATEWAYS,
        DESCRIBE_FLOW_LOGS,
        DESCRIBE_PEERINGS,
    ],
    reads: &[] as &[Read],
    properties: PROPERTIES,
    tables: &[
        ("internetGateways", "`internetGateways[]` (DescribeInternetGateways):"),
        (
            "internetGateways.vpcAttachments",
            "`internetGateways[].vpcAttachments[]`:",
        ),
        ("tags", "`tags[]` (of every EC2 entity):"),
        ("flowLogs", "`flowLogs[]` (DescribeFlowLogs, the logs whose resource is the VPC):"),
        (
            "peeringConnections",
            "`peeringConnections[]` (DescribeVpcPeeringConnections, the VPC on either side):",
        ),
    ],
    build,
};

/// DescribeVpcs.
pub const DESCRIBE_VPCS: Call = Call {
    service: Service::Ec2,
    operation: "DescribeVpcs",
    scope: Scope::Region,
    paged: true,
};

/// DescribeInternetGateways.
pub const DESCRIBE_INTERNET_GATEWAYS: Call = Call {
    service: Service::Ec2,
    operation: "DescribeInternetGateways",
    scope: Scope::Region,
    paged: true,
};

/// DescribeFlowLogs.
pub const DESCRIBE_FLOW_LOGS: Call = Call {
    service: Service::Ec2,
    operation: "DescribeFlowLogs",
    scope: Scope::Region,
    paged: true,
};

/// DescribeVpcPeeringConnections.
pub const DESCRIBE_PEERINGS: Call = Call {
    service: Service::Ec2,
    operation: "DescribeVpcPeeringConnections",
    scope: Scope::Region,
    paged: true,
};

/// What a type embedding a VPC's brief reads.
pub const BRIEF_READS: [Read; 2] = [
    DESCRIBE_VPCS.read(When::Always),
    DESCRIBE_INTERNET_GATEWAYS.read(When::Always),
];

const IGW_ATTACHMENT: &[Property] = &[
    n("state", S, "`Attachments[].State`"),
    p("vpcId", S, "`Attachments[].VpcId`"),
];

const IGW: &[Property] = &[
    p("externalId", S, "`InternetGatewayId`"),
    p("name", S, "its `Name` tag (`\"\"` without one)"),
    p(
        "vpcAttachments",
        PropType::List(&PropType::Object(IGW_ATTACHMENT)),
        "`Attachments[]`",
    ),
];

/// A VPC as other EC2 entities embed it (`vpc`).
pub const BRIEF: &[Property] = &[
    p("id", S, "`VpcId`"),
    p("name", S, "its `Name` tag (`\"\"` without one)"),
    n("cidr", S, "`CidrBlock`"),
    p("ipv6Cidrs", STRINGS, "`Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock`"),
    p("isDefault", B, "`IsDefault`"),
    n("state", S, "`State`"),
    n("dhcpOptionsId", S, "`DhcpOptionsId`"),
    n("instanceTenancy", S, "`InstanceTenancy`"),
    p("tags", TAGS, "`Tags[]`"),
    p(
        "internetGateways",
        PropType::List(&PropType::Object(IGW)),
        "DescribeInternetGateways: the gateways attached to the VPC",
    ),
];

const FLOW_LOG: &[Property] = &[
    p("id", S, "`FlowLogId`"),
    n("status", S, "`FlowLogStatus` (`ACTIVE`)"),
    n("deliverLogsStatus", S, "`DeliverLogsStatus`"),
    n("trafficType", S, "`TrafficType` (`ACCEPT`, `REJECT`, `ALL`)"),
    n("logDestinationType", S, "`LogDestinationType`"),
    n("logDestination", S, "`LogDestination`"),
    n("logGroupName", S, "`LogGroupName`"),
];

const PEERING: &[Property] = &[
    p("id", S, "`VpcPeeringConnectionId`"),
    n("status", S, "`Status.Code` (`active`, `pending-acceptance`, ...)"),
    n("requesterVpcId", S, "`RequesterVpcInfo.VpcId`"),
    n("requesterOwnerId", S, "`RequesterVpcInfo.OwnerId`"),
    n("requesterRegion", S, "`RequesterVpcInfo.Region`"),
    n("requesterCidr", S, "`RequesterVpcInfo.CidrBlock`"),
    n("accepterVpcId", S, "`AccepterVpcInfo.VpcId`"),
    n("accepterOwnerId", S, "`AccepterVpcInfo.OwnerId`"),
    n("accepterRegion", S, "`AccepterVpcInfo.Region`"),
    n("accepterCidr", S, "`AccepterVpcInfo.CidrBlock`"),
];

const OWN: &[Property] = &[
    p(
        "hasFlowLogs",
        B,
        "derived: some flow log of the VPC has `FlowLogStatus` `ACTIVE`",
    ),
    p(
        "flowLogs",
        PropType::List(&PropType::Object(FLOW_LOG)),
        "DescribeFlowLogs",
    ),
    p(
        "peeringConnections",
        PropType::List(&PropType::Object(PEERING)),
        "DescribeVpcPeeringConnections",
    ),
];

/// The brief without its `id` and `name` (the entity's identity has them).
const BRIEF_REST: &[Property] = {
    let (_, rest) = BRIEF.split_at(2);
    rest
};

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + BRIEF_REST.len() + OWN.len() }>(
    &identity(
        "`VpcId`",
        "`\"VPC\"`",
        "its `Name` tag (`\"\"` without one)",
        "the VPC's region",
    ),
    &join::<{ BRIEF_REST.len() + OWN.len() }>(BRIEF_REST, OWN),
);

/// The records: one per region.
pub type Record = VpcRegion;

/// The VPC listings of one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VpcRegion {
    /// The region.
    pub region: String,
    /// DescribeVpcs.
    #[serde(default)]
    pub vpcs: Vec<VpcRecord>,
    /// DescribeInternetGateways.
    #[serde(default)]
    pub internet_gateways: Vec<GatewayRecord>,
    /// DescribeFlowLogs.
    #[serde(default)]
    pub flow_logs: Vec<FlowLogRecord>,
    /// DescribeVpcPeeringConnections.
    #[serde(default)]
    pub peering_connections: Vec<PeeringRecord>,
}

/// DescribeVpcs `Vpcs[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VpcRecord {
    /// `VpcId`.
    pub vpc_id: String,
    /// `CidrBlock`.
    pub cidr_block: Option<String>,
    /// `Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock`.
    #[serde(default)]
    pub ipv6_cidr_blocks: Vec<String>,
    /// `IsDefault`.
    #[serde(default)]
    pub is_default: bool,
    /// `State`.
    pub state: Option<String>,
    /// `DhcpOptionsId`.
    pub dhcp_options_id: Option<String>,
    /// `InstanceTenancy`.
    pub instance_tenancy: Option<String>,
    /// `Tags[]`.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// DescribeInternetGateways `InternetGateways[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayRecord {
    /// `InternetGatewayId`.
    pub internet_gateway_id: String,
    /// `Attachments[]`: (VPC, state).
    #[serde(default)]
    pub attachments: Vec<GatewayAttachment>,
    /// `Tags[]`.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// `Attachments[]` item of an internet gateway.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayAttachment {
    /// `VpcId`.
    pub vpc_id: String,
    /// `State`.
    pub state: Option<String>,
}

/// DescribeFlowLogs `FlowLogs[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FlowLogRecord {
    /// `FlowLogId`.
    pub flow_log_id: String,
    /// `ResourceId`.
    pub resource_id: Option<String>,
    /// `FlowLogStatus`.
    pub flow_log_status: Option<String>,
    /// `DeliverLogsStatus`.
    pub deliver_logs_status: Option<String>,
    /// `TrafficType`.
    pub traffic_type: Option<String>,
    /// `LogDestinationType`.
    pub log_destination_type: Option<String>,
    /// `LogDestination`.
    pub log_destination: Option<String>,
    /// `LogGroupName`.
    pub log_group_name: Option<String>,
}

/// DescribeVpcPeeringConnections `VpcPeeringConnections[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PeeringRecord {
    /// `VpcPeeringConnectionId`.
    pub vpc_peering_connection_id: String,
    /// `Status.Code`.
    pub status: Option<String>,
    /// `RequesterVpcInfo`.
    #[serde(default)]
    pub requester: PeerVpc,
    /// `AccepterVpcInfo`.
    #[serde(default)]
    pub accepter: PeerVpc,
}

/// `RequesterVpcInfo` / `AccepterVpcInfo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PeerVpc {
    /// `VpcId`.
    pub vpc_id: Option<String>,
    /// `OwnerId`.
    pub owner_id: Option<String>,
    /// `Region`.
    pub region: Option<String>,
    /// `CidrBlock`.
    pub cidr_block: Option<String>,
}

/// The VPCs of one account by (region, id), with the internet gateways attached to
/// each: the join of every EC2 type's `vpc`.
pub struct Vpcs<'a> {
    by_id: HashMap<(&'a str, &'a str), (&'a VpcRecord, Vec<&'a GatewayRecord>)>,
}

impl<'a> Vpcs<'a> {
    /// The VPCs of one account.
    pub fn new(regions: &'a [VpcRegion]) -> Self {
        let mut by_id = HashMap::new();
        for r in regions {
            for v in &r.vpcs {
                let gateways = r
                    .internet_gateways
                    .iter()
                    .filter(|g| g.attachments.iter().any(|a| a.vpc_id == v.vpc_id))
                    .collect();
                by_id.insert((r.region.as_str(), v.vpc_id.as_str()), (v, gateways));
            }
        }
        Vpcs { by_id }
    }

    /// The internet gateways attached to the VPC `id` of `region`.
    pub fn gateways<'s>(&'s self, region: &'s str, id: &'s str) -> &'s [&'s GatewayRecord] {
        self.by_id
            .get(&(region, id))
            .map(|(_, g)| g.as_slice())
            .unwrap_or_default()
    }

    /// The brief of the VPC `id` of `region` (`vpc`); `null` without an id, only the
    /// id when the VPC was not listed.
    pub fn brief(&self, region: &str, id: Option<&str>) -> Json {
        let Some(id) = id else { return Json::Null };
        match self.by_id.get(&(region, id)) {
            Some((v, gateways)) => Json::Object(brief_of(v, gateways)),
            None => json!({ "id": id }),
        }
    }
}

fn brief_of(v: &VpcRecord, gateways: &[&GatewayRecord]) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("id".into(), json!(v.vpc_id));
    m.insert("name".into(), json!(name_tag(&v.tags)));
    m.insert("cidr".into(), json!(v.cidr_block));
    m.insert("ipv6Cidrs".into(), json!(v.ipv6_cidr_blocks));
    m.insert("isDefault".into(), Json::Bool(v.is_default));
    m.insert("state".into(), json!(v.state));
    m.insert("dhcpOptionsId".into(), json!(v.dhcp_options_id));
    m.insert("instanceTenancy".into(), json!(v.instance_tenancy));
    m.insert("tags".into(), tags_json(&v.tags));
    let igws: Vec<Json> = gateways
        .iter()
        .map(|g| {
            json!({
                "externalId": g.internet_gateway_id,
                "name": name_tag(&g.tags),
                "vpcAttachments": g.attachments.iter().map(|a| json!({"state": a.state, "vpcId": a.vpc_id})).collect::<Vec<_>>(),
            })
        })
        .collect();
    m.insert("internetGateways".into(), Json::Array(igws));
    m
}

fn build(c: &Collected) -> Vec<Json> {
    let vpcs = Vpcs::new(&c.vpcs);
    let mut regions: Vec<&VpcRegion> = c.vpcs.iter().collect();
    regions.sort_by(|a, b| a.region.cmp(&b.region));
    let mut out = Vec::new();
    for r in regions {
        let mut list: Vec<&VpcRecord> = r.vpcs.iter().collect();
        list.sort_by(|a, b| a.vpc_id.cmp(&b.vpc_id));
        for v in list {
            let mut m = super::identity(
                &v.vpc_id,
                TYPE.name,
                name_tag(&v.tags),
                &c.account_number,
                &r.region,
            );
            let brief = brief_of(v, vpcs.gateways(&r.region, &v.vpc_id));
            m.extend(brief.into_iter().filter(|(k, _)| k != "id" && k != "name"));
            let logs: Vec<&FlowLogRecord> = r
                .flow_logs
                .iter()
                .filter(|f| f.resource_id.as_deref() == Some(v.vpc_id.as_str()))
                .collect();
            let active = logs
                .iter()
                .any(|f| f.flow_log_status.as_deref() == Some("ACTIVE"));
            m.insert("hasFlowLogs".into(), Json::Bool(active));
            let logs: Vec<Json> = logs
                .iter()
                .map(|f| {
                    json!({
                        "id": f.flow_log_id,
                        "status": f.flow_log_status,
                        "deliverLogsStatus": f.deliver_logs_status,
                        "trafficType": f.traffic_type,
                        "logDestinationType": f.log_destination_type,
                        "logDestination": f.log_destination,
                        "logGroupName": f.log_group_name,
                    })
                })
                .collect();
            m.insert("flowLogs".into(), Json::Array(logs));
            let peerings: Vec<Json> = r
                .peering_connections
                .iter()
                .filter(|p| {
                    p.requester.vpc_id.as_deref() == Some(v.vpc_id.as_str())
                        || p.accepter.vpc_id.as_deref() == Some(v.vpc_id.as_str())
                })
                .map(|p| {
                    json!({
                        "id": p.vpc_peering_connection_id,
                        "status": p.status,
                        "requesterVpcId": p.requester.vpc_id,
                        "requesterOwnerId": p.requester.owner_id,
                        "requesterRegion": p.requester.region,
                        "requesterCidr": p.requester.cidr_block,
                        "accepterVpcId": p.accepter.vpc_id,
                        "accepterOwnerId": p.accepter.owner_id,
                        "accepterRegion": p.accepter.region,
                        "accepterCidr": p.accepter.cidr_block,
                    })
                })
                .collect();
            m.insert("peeringConnections".into(), Json::Array(peerings));
            out.push(Json::Object(m));
        }
    }
    out
}

/// Records with every field set (a default VPC with an internet gateway, an active
/// flow log and a peering), joined with the other types' examples into one account by
/// the tests that hold the schema to what `build` writes (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "vpcs": [
  {
   "region": "us-east-1",
   "vpcs": [
    {
     "vpcId": "vpc-1",
     "cidrBlock": "10.0.0.0/16",
     "ipv6CidrBlocks": ["2600:1f18::/56"],
     "isDefault": true,
     "state": "available",
     "dhcpOptionsId": "dopt-1",
     "instanceTenancy": "default",
     "tags": [{"key": "Name", "value": "main"}]
    }
   ],
   "internetGateways": [
    {
     "internetGatewayId": "igw-1",
     "attachments": [{"vpcId": "vpc-1", "state": "available"}],
     "tags": [{"key": "Name", "value": "gw"}]
    }
   ],
   "flowLogs": [
    {
     "flowLogId": "fl-1",
     "resourceId": "vpc-1",
     "flowLogStatus": "ACTIVE",
     "deliverLogsStatus": "SUCCESS",
     "trafficType": "ALL",
     "logDestinationType": "cloud-watch-logs",
     "logDestination": "arn:aws:logs:us-east-1:111111111111:log-group:flows",
     "logGroupName": "flows"
    }
   ],
   "peeringConnections": [
    {
     "vpcPeeringConnectionId": "pcx-1",
     "status": "active",
     "requester": {"vpcId": "vpc-1", "ownerId": "111111111111", "region": "us-east-1", "cidrBlock": "10.0.0.0/16"},
     "accepter": {"vpcId": "vpc-2", "ownerId": "222222222222", "region": "us-east-1", "cidrBlock": "10.1.0.0/16"}
    }
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{
        FlowLogRecord, GatewayAttachment, GatewayRecord, PeerVpc, PeeringRecord, VpcRecord,
        VpcRegion,
    };
    use crate::collect::types::ec2::{listing, tags};
    use crate::collect::walk::{Fetch, Walk};
    use aws_sdk_ec2::types as ec2;
    use aws_sdk_ec2::Client;
    use futures::future::BoxFuture;

    /// The four VPC listings of each region.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let vpcs = listing(
                    w.s,
                    region,
                    "DescribeVpcs",
                    |t| client.describe_vpcs().set_next_token(t).send(),
                    |p, out| {
                        out.extend(p.vpcs().iter().filter_map(vpc));
                        p.next_token().map(str::to_string)
                    },
                );
                let gateways = listing(
                    w.s,
                    region,
                    "DescribeInternetGateways",
                    |t| client.describe_internet_gateways().set_next_token(t).send(),
                    |p, out| {
                        out.extend(p.internet_gateways().iter().filter_map(gateway));
                        p.next_token().map(str::to_string)
                    },
                );
                let logs = listing(
                    w.s,
                    region,
                    "DescribeFlowLogs",
                    |t| client.describe_flow_logs().set_next_token(t).send(),
                    |p, out| {
                        out.extend(p.flow_logs().iter().filter_map(flow_log));
                        p.next_token().map(str::to_string)
                    },
                );
                let peerings = listing(
                    w.s,
                    region,
                    "DescribeVpcPeeringConnections",
                    |t| {
                        client
                            .describe_vpc_peering_connections()
                            .set_next_token(t)
                            .send()
                    },
                    |p, out| {
                        out.extend(p.vpc_peering_connections().iter().filter_map(peering));
                        p.next_token().map(str::to_string)
                    },
                );
                let (vpcs, gateways, logs, peerings) =
                    futures::join!(vpcs, gateways, logs, peerings);
                let record = VpcRegion {
                    region: region.to_string(),
                    vpcs: vpcs.unwrap_or_default(),
                    internet_gateways: gateways.unwrap_or_default(),
                    flow_logs: logs.unwrap_or_default(),
                    peering_connections: peerings.unwrap_or_default(),
                };
                w.write(|c| c.vpcs.push(record));
                true
            })
        }
    }

    fn vpc(v: &ec2::Vpc) -> Option<VpcRecord> {
        Some(VpcRecord {
            vpc_id: v.vpc_id()?.to_string(),
            cidr_block: v.cidr_block().map(str::to_string),
            ipv6_cidr_blocks: v
                .ipv6_cidr_block_association_set()
                .iter()
                .filter_map(|a| a.ipv6_cidr_block().map(str::to_string))
                .collect(),
            is_default: v.is_default().unwrap_or(false),
            state: v.state().map(|s| s.as_str().to_string()),
            dhcp_options_id: v.dhcp_options_id().map(str::to_string),
            instance_tenancy: v.instance_tenancy().map(|t| t.as_str().to_string()),
            tags: tags(v.tags()),
        })
    }

    fn gateway(g: &ec2::InternetGateway) -> Option<GatewayRecord> {
        Some(GatewayRecord {
            internet_gateway_id: g.internet_gateway_id()?.to_string(),
            attachments: g
                .attachments()
                .iter()
                .filter_map(|a| {
                    Some(GatewayAttachment {
                        vpc_id: a.vpc_id()?.to_string(),
                        state: a.state().map(|s| s.as_str().to_string()),
                    })
                })
                .collect(),
            tags: tags(g.tags()),
        })
    }

    fn flow_log(f: &ec2::FlowLog) -> Option<FlowLogRecord> {
        Some(FlowLogRecord {
            flow_log_id: f.flow_log_id()?.to_string(),
            resource_id: f.resource_id().map(str::to_string),
            flow_log_status: f.flow_log_status().map(str::to_string),
            deliver_logs_status: f.deliver_logs_status().map(str::to_string),
            traffic_type: f.traffic_type().map(|t| t.as_str().to_string()),
            log_destination_type: f.log_destination_type().map(|t| t.as_str().to_string()),
            log_destination: f.log_destination().map(str::to_string),
            log_group_name: f.log_group_name().map(str::to_string),
        })
    }

    fn peer(i: Option<&ec2::VpcPeeringConnectionVpcInfo>) -> PeerVpc {
        PeerVpc {
            vpc_id: i.and_then(|i| i.vpc_id()).map(str::to_string),
            owner_id: i.and_then(|i| i.owner_id()).map(str::to_string),
            region: i.and_then(|i| i.region()).map(str::to_string),
            cidr_block: i.and_then(|i| i.cidr_block()).map(str::to_string),
        }
    }

    fn peering(p: &ec2::VpcPeeringConnection) -> Option<PeeringRecord> {
        Some(PeeringRecord {
            vpc_peering_connection_id: p.vpc_peering_connection_id()?.to_string(),
            status: p
                .status()
                .and_then(|s| s.code())
                .map(|c| c.as_str().to_string()),
            requester: peer(p.requester_vpc_info()),
            accepter: peer(p.accepter_vpc_info()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region() -> VpcRegion {
        serde_json::from_str::<serde_json::Value>(EXAMPLE)
            .ok()
            .and_then(|v| serde_json::from_value::<Vec<VpcRegion>>(v["vpcs"].clone()).ok())
            .and_then(|mut v| v.pop())
            .expect("the example is a record")
    }

    #[test]
    fn flow_logs_count_only_when_active_and_of_the_vpc() {
        let mut r = region();
        let c = |r: &VpcRegion| Collected {
            account_number: "111111111111".into(),
            vpcs: vec![r.clone()],
            ..Default::default()
        };
        assert_eq!(build(&c(&r))[0]["hasFlowLogs"], true);
        r.flow_logs[0].flow_log_status = Some("INACTIVE".into());
        assert_eq!(build(&c(&r))[0]["hasFlowLogs"], false);
        r.flow_logs[0].flow_log_status = Some("ACTIVE".into());
        r.flow_logs[0].resource_id = Some("subnet-1".into());
        let v = &build(&c(&r))[0];
        assert_eq!(v["hasFlowLogs"], false);
        assert_eq!(v["flowLogs"], json!([]));
        assert_eq!(v["internetGateways"][0]["externalId"], "igw-1");
        assert_eq!(v["peeringConnections"][0]["accepterVpcId"], "vpc-2");
        assert_eq!(v["name"], "main");
    }

    #[test]
    fn a_brief_of_an_unlisted_vpc_is_its_id() {
        let regions = vec![region()];
        let vpcs = Vpcs::new(&regions);
        assert_eq!(vpcs.brief("us-east-1", None), Json::Null);
        assert_eq!(vpcs.brief("us-east-1", Some("vpc-9")), json!({"id": "vpc-9"}));
        assert_eq!(vpcs.brief("us-east-1", Some("vpc-1"))["isDefault"], true);
        assert_eq!(vpcs.brief("eu-west-1", Some("vpc-1")), json!({"id": "vpc-1"}));
    }
}
