//! `ElasticIP`: every Elastic IP address of each collected region (`DescribeAddresses`),
//! with what it is associated with (an instance, a network interface) and whether it
//! is associated at all.

use super::ec2::{name_tag, tags_json, Tag, TAGS};
use super::{Call, Collected, EntityType, Read, Scope};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use PropType::{Boolean as B, String as S};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "ElasticIP",
    about: "Every Elastic IP address of each collected region (`DescribeAddresses`, once per region), with the\ninstance or network interface it is associated with; `isAssociated` is derived (an `AssociationId`, or an\ninstance or interface it is attached to). An address allocated and never associated costs money and is\nreachable by whoever gets it next.",
    calls: &[DESCRIBE_ADDRESSES],
    reads: &[] as &[Read],
    properties: PROPERTIES,
    tables: &[],
    build,
};

/// DescribeAddresses.
pub const DESCRIBE_ADDRESSES: Call = Call {
    service: Service::Ec2,
    operation: "DescribeAddresses",
    scope: Scope::Region,
    paged: false,
};

const OWN: &[Property] = &[
    n("allocationId", S, "`AllocationId`"),
    p("publicIp", S, "`PublicIp`"),
    n("domain", S, "`Domain` (`vpc`, `standard`)"),
    n("instanceId", S, "`InstanceId` (the instance it is associated with)"),
    n(
        "networkInterfaceId",
        S,
        "`NetworkInterfaceId` (the interface it is associated with)",
    ),
    n("networkInterfaceOwnerId", S, "`NetworkInterfaceOwnerId`"),
    n("privateIpAddress", S, "`PrivateIpAddress`"),
    n("associationId", S, "`AssociationId`"),
    p(
        "isAssociated",
        B,
        "derived: `AssociationId`, `InstanceId` or `NetworkInterfaceId` is set",
    ),
    n("publicIpv4Pool", S, "`PublicIpv4Pool`"),
    n("networkBorderGroup", S, "`NetworkBorderGroup`"),
    p("tags", TAGS, "`Tags[]`"),
];

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`AllocationId` (`PublicIp` for an address without one)",
        "`\"ElasticIP\"`",
        "its `Name` tag, else `PublicIp`",
        "the address's region",
    ),
    OWN,
);

/// The records: one per region answered.
pub type Record = AddressRegion;

/// The addresses of one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressRegion {
    /// The region.
    pub region: String,
    /// DescribeAddresses `Addresses[]`.
    #[serde(default)]
    pub addresses: Vec<AddressRecord>,
}

/// DescribeAddresses `Addresses[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressRecord {
    /// `AllocationId`.
    pub allocation_id: Option<String>,
    /// `PublicIp`.
    #[serde(default)]
    pub public_ip: String,
    /// `Domain`.
    pub domain: Option<String>,
    /// `InstanceId`.
    pub instance_id: Option<String>,
    /// `NetworkInterfaceId`.
    pub network_interface_id: Option<String>,
    /// `NetworkInterfaceOwnerId`.
    pub network_interface_owner_id: Option<String>,
    /// `PrivateIpAddress`.
    pub private_ip_address: Option<String>,
    /// `AssociationId`.
    pub association_id: Option<String>,
    /// `PublicIpv4Pool`.
    pub public_ipv4_pool: Option<String>,
    /// `NetworkBorderGroup`.
    pub network_border_group: Option<String>,
    /// `Tags[]`.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

impl AddressRecord {
    /// Associated with an instance or an interface.
    pub fn is_associated(&self) -> bool {
        self.association_id.is_some()
            || self.instance_id.is_some()
            || self.network_interface_id.is_some()
    }
}

fn entity(account: &str, region: &str, a: &AddressRecord) -> Json {
    let id = a.allocation_id.as_deref().unwrap_or(&a.public_ip);
    let name = match name_tag(&a.tags) {
        "" => a.public_ip.as_str(),
        n => n,
    };
    let mut m = super::identity(id, TYPE.name, name, account, region);
    m.insert("allocationId".into(), json!(a.allocation_id));
    m.insert("publicIp".into(), json!(a.public_ip));
    m.insert("domain".into(), json!(a.domain));
    m.insert("instanceId".into(), json!(a.instance_id));
    m.insert("networkInterfaceId".into(), json!(a.network_interface_id));
    m.insert(
        "networkInterfaceOwnerId".into(),
        json!(a.network_interface_owner_id),
    );
    m.insert("privateIpAddress".into(), json!(a.private_ip_address));
    m.insert("associationId".into(), json!(a.association_id));
    m.insert("isAssociated".into(), Json::Bool(a.is_associated()));
    m.insert("publicIpv4Pool".into(), json!(a.public_ipv4_pool));
    m.insert("networkBorderGroup".into(), json!(a.network_border_group));
    m.insert("tags".into(), tags_json(&a.tags));
    Json::Object(m)
}

fn build(c: &Collected) -> Vec<Json> {
    let mut all: Vec<(&str, &AddressRecord)> = c
        .addresses
        .iter()
        .flat_map(|r| r.addresses.iter().map(move |a| (r.region.as_str(), a)))
        .collect();
    all.sort_by(|a, b| (a.0, &a.1.public_ip).cmp(&(b.0, &b.1.public_ip)));
    all.into_iter()
        .map(|(region, a)| entity(&c.account_number, region, a))
        .collect()
}

/// Records with every field set (an address associated with the example instance),
/// joined with the other types' examples into one account by the tests that hold the
/// schema to what `build` writes (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "addresses": [
  {
   "region": "us-east-1",
   "addresses": [
    {
     "allocationId": "eipalloc-1",
     "publicIp": "54.1.2.3",
     "domain": "vpc",
     "instanceId": "i-1",
     "networkInterfaceId": "eni-1",
     "networkInterfaceOwnerId": "111111111111",
     "privateIpAddress": "10.0.1.10",
     "associationId": "eipassoc-1",
     "publicIpv4Pool": "amazon",
     "networkBorderGroup": "us-east-1",
     "tags": [{"key": "Name", "value": "web"}]
    }
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{AddressRecord, AddressRegion};
    use crate::collect::convert::owned;
    use crate::collect::types::ec2::tags;
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_ec2::types as ec2;
    use aws_sdk_ec2::Client;
    use futures::future::BoxFuture;

    /// DescribeAddresses in each region (not paged: it answers every address).
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {
        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let op = "DescribeAddresses";
                match w
                    .s
                    .call(Service::Ec2, op, client.describe_addresses().send())
                    .await
                {
                    Ok(out) => {
                        let record = AddressRegion {
                            region: region.to_string(),
                            addresses: out.addresses().iter().map(address).collect(),
                        };
                        w.write(|c| c.addresses.push(record));
                    }
                    Err(f) => w.s.record(region, Service::Ec2, op, f, false),
                }
                true
            })
        }
    }

    /// An `Addresses[]` item; an empty string (moto's answer for no interface) is
    /// absent.
    fn address(a: &ec2::Address) -> AddressRecord {
        let set = |s: Option<&str>| owned(s).filter(|s| !s.is_empty());
        AddressRecord {
            allocation_id: set(a.allocation_id()),
            public_ip: a.public_ip().unwrap_or_default().to_string(),
            domain: a.domain().map(|d| d.as_str().to_string()),
            instance_id: set(a.instance_id()),
            network_interface_id: set(a.network_interface_id()),
            network_interface_owner_id: set(a.network_interface_owner_id()),
            private_ip_address: set(a.private_ip_address()),
            association_id: set(a.association_id()),
            public_ipv4_pool: set(a.public_ipv4_pool()),
            network_border_group: set(a.network_border_group()),
            tags: tags(a.tags()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_associated_with_an_instance_or_an_interface() {
        let free = AddressRecord {
            allocation_id: Some("eipalloc-2".into()),
            public_ip: "3.3.3.3".into(),
            ..Default::default()
        };
        assert!(!free.is_associated());
        let on_interface = AddressRecord {
            allocation_id: Some("eipalloc-1".into()),
            public_ip: "4.4.4.4".into(),
            network_interface_id: Some("eni-1".into()),
            ..Default::default()
        };
        assert!(on_interface.is_associated());
        let c = Collected {
            account_number: "111111111111".into(),
            addresses: vec![AddressRegion {
                region: "us-east-1".into(),
                addresses: vec![on_interface, free],
            }],
            ..Default::default()
        };
        let list = build(&c);
        assert_eq!(list[0]["id"], "eipalloc-2", "sorted by address");
        assert_eq!(list[0]["name"], "3.3.3.3", "no Name tag: the address");
        assert_eq!(list[0]["isAssociated"], false);
        assert_eq!(list[1]["isAssociated"], true);
    }
}
