//! `Instance`: every EC2 instance of each collected region (`DescribeInstances`), in
//! CloudGuard's shape: its interfaces (`nics`) with their subnet (and its ACL and route
//! table) and security groups, the union of its groups' rules, whether it is public,
//! its volumes, its instance profile's roles (IAM `ListInstanceProfiles` once per
//! account, `ListAttachedRolePolicies` per role) and its metadata options. The shared
//! objects are listed once per region by their own types and joined here.

use super::ec2::{name_tag, tags_json, Tag, TAGS};
use super::security_group::{self, Groups, RULES};
use super::subnet::{self, Subnets};
use super::volume::{self, Volumes};
use super::vpc::{self, Vpcs};
use super::{Call, Collected, EntityType, Read, Scope, When};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use PropType::{Boolean as B, Number as N, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "Instance",
    about: "Every EC2 instance of each collected region (`DescribeInstances`), terminated ones included (`state`),\nin CloudGuard's shape. Its interfaces (`nics`) carry their `Subnet` (with its `nacl` and `routeTable`) and\ntheir `SecurityGroup`s; `inboundRules` and `outboundRules` are the union of its groups' rules. `isPublic` is\nderived: an interface has a public address and its subnet's route table routes to an internet gateway. The\nroles are those of its instance profile (IAM `ListInstanceProfiles`, once per account), each with its\nattached managed policies (`ListAttachedRolePolicies`, once per role in use). Security groups, subnets,\nroute tables, ACLs and volumes are listed once per region by their own types and joined into every\ninstance.",
    calls: &[DESCRIBE_INSTANCES, LIST_INSTANCE_PROFILES, LIST_ATTACHED_ROLE_POLICIES],
    reads: &READS,
    properties: PROPERTIES,
    tables: &[
        ("nics", "`nics[]` (`NetworkInterfaces[]`):"),
        ("roles", "`roles[]` (the instance profile's roles):"),
        ("roles.managedPolicies", "`roles[].managedPolicies[]`:"),
        ("metadataOptions", "`metadataOptions` (`MetadataOptions`):"),
    ],
    build,
};

/// DescribeInstances.
pub const DESCRIBE_INSTANCES: Call = Call {
    service: Service::Ec2,
    operation: "DescribeInstances",
    scope: Scope::Region,
    paged: true,
};

/// IAM ListInstanceProfiles.
pub const LIST_INSTANCE_PROFILES: Call = Call {
    service: Service::Iam,
    operation: "ListInstanceProfiles",
    scope: Scope::Account,
    paged: true,
};

/// IAM ListAttachedRolePolicies.
pub const LIST_ATTACHED_ROLE_POLICIES: Call = Call {
    service: Service::Iam,
    operation: "ListAttachedRolePolicies",
    scope: Scope::Each("role of an instance profile in use"),
    paged: true,
};

const READS: [Read; 8] = [
    subnet::READS[0],
    subnet::READS[1],
    subnet::READS[2],
    subnet::READS[3],
    subnet::DESCRIBE_SUBNETS.read(When::Always),
    security_group::DESCRIBE_SECURITY_GROUPS.read(When::Always),
    security_group::DESCRIBE_NETWORK_INTERFACES.read(When::Always),
    volume::DESCRIBE_VOLUMES.read(When::Always),
];

const NIC: &[Property] = &[
    p("id", S, "`NetworkInterfaceId`"),
    p("name", S, "`eth` and `Attachment.DeviceIndex` (`eth0`)"),
    n("subnet", PropType::Object(subnet::PROPERTIES), "the `Subnet` (`SubnetId`)"),
    n("privateDnsName", S, "`PrivateDnsName`"),
    n("privateIpAddress", S, "`PrivateIpAddress`"),
    n("publicIpAddress", S, "`Association.PublicIp`"),
    p(
        "securityGroups",
        PropType::List(&PropType::Object(security_group::PROPERTIES)),
        "the `SecurityGroup`s of `Groups[]`",
    ),
];

const POLICY: &[Property] = &[
    n("name", S, "`PolicyName`"),
    n("arn", S, "`PolicyArn`"),
];

const ROLE: &[Property] = &[
    p("name", S, "`RoleName`"),
    p("arn", S, "`Arn`"),
    p(
        "managedPolicies",
        PropType::List(&PropType::Object(POLICY)),
        "ListAttachedRolePolicies `AttachedPolicies[]`",
    ),
];

const METADATA: &[Property] = &[
    n("httpTokens", S, "`HttpTokens` (`required`: IMDSv2 only)"),
    n("httpEndpoint", S, "`HttpEndpoint` (`enabled`, `disabled`)"),
    n("httpPutResponseHopLimit", N, "`HttpPutResponseHopLimit`"),
    n("state", S, "`State`"),
    n("instanceMetadataTags", S, "`InstanceMetadataTags`"),
];

const OWN: &[Property] = &[
    n("image", S, "`ImageId`"),
    n("kernelId", S, "`KernelId`"),
    p("platform", S, "`Platform` (`windows`), else `linux`"),
    n("platformDetails", S, "`PlatformDetails`"),
    n("launchTime", T, "`LaunchTime`"),
    n("instanceType", S, "`InstanceType`"),
    n("state", S, "`State.Name`"),
    p("isRunning", B, "derived: `State.Name` is `running`"),
    n("vpc", PropType::Object(vpc::BRIEF), "the instance's VPC (`VpcId`), its brief"),
    p(
        "nics",
        PropType::List(&PropType::Object(NIC)),
        "`NetworkInterfaces[]`",
    ),
    p("inboundRules", RULES, "the union of its groups' `inboundRules`"),
    p("outboundRules", RULES, "the union of its groups' `outboundRules`"),
    p(
        "isPublic",
        B,
        "derived: an interface has a public address and its subnet's route table routes to an internet gateway",
    ),
    n("publicIpAddress", S, "`PublicIpAddress`"),
    n("privateIpAddress", S, "`PrivateIpAddress`"),
    p(
        "volumes",
        PropType::List(&PropType::Object(volume::PROPERTIES)),
        "the `Volume`s attached to it (DescribeVolumes `Attachments[].InstanceId`)",
    ),
    n("profileArn", S, "`IamInstanceProfile.Arn`"),
    p(
        "roles",
        PropType::List(&PropType::Object(ROLE)),
        "the instance profile's `Roles[]` (ListInstanceProfiles)",
    ),
    n(
        "metadataOptions",
        PropType::Object(METADATA),
        "`MetadataOptions`",
    ),
    p("tags", TAGS, "`Tags[]`"),
];

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`InstanceId`",
        "`\"Instance\"`",
        "its `Name` tag (`\"\"` without one)",
        "the instance's region",
    ),
    OWN,
);

/// The records: instances.
pub type Record = InstanceRecord;

/// DescribeInstances `Reservations[].Instances[]` item, with its instance profile's
/// roles (IAM). Times are RFC 3339 (UTC).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstanceRecord {
    /// The region.
    pub region: String,
    /// `InstanceId`.
    pub instance_id: String,
    /// `ImageId`.
    pub image_id: Option<String>,
    /// `KernelId`.
    pub kernel_id: Option<String>,
    /// `Platform`.
    pub platform: Option<String>,
    /// `PlatformDetails`.
    pub platform_details: Option<String>,
    /// `LaunchTime`.
    pub launch_time: Option<String>,
    /// `InstanceType`.
    pub instance_type: Option<String>,
    /// `State.Name`.
    pub state: Option<String>,
    /// `VpcId`.
    pub vpc_id: Option<String>,
    /// `PublicIpAddress`.
    pub public_ip_address: Option<String>,
    /// `PrivateIpAddress`.
    pub private_ip_address: Option<String>,
    /// `NetworkInterfaces[]`.
    #[serde(default)]
    pub network_interfaces: Vec<Nic>,
    /// `IamInstanceProfile.Arn`.
    pub profile_arn: Option<String>,
    /// The profile's roles (IAM), filled once the profiles are listed.
    #[serde(default)]
    pub roles: Vec<RoleRecord>,
    /// `MetadataOptions`.
    pub metadata_options: Option<MetadataRecord>,
    /// `Tags[]`.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// `NetworkInterfaces[]` item of an instance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Nic {
    /// `NetworkInterfaceId`.
    pub network_interface_id: String,
    /// `Attachment.DeviceIndex`.
    pub device_index: Option<i32>,
    /// `SubnetId`.
    pub subnet_id: Option<String>,
    /// `VpcId`.
    pub vpc_id: Option<String>,
    /// `PrivateDnsName`.
    pub private_dns_name: Option<String>,
    /// `PrivateIpAddress`.
    pub private_ip_address: Option<String>,
    /// `Association.PublicIp`.
    pub public_ip: Option<String>,
    /// `Groups[].GroupId`.
    #[serde(default)]
    pub group_ids: Vec<String>,
}

/// A role of an instance profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleRecord {
    /// `RoleName`.
    pub name: String,
    /// `Arn`.
    pub arn: String,
    /// ListAttachedRolePolicies.
    #[serde(default)]
    pub managed_policies: Vec<PolicyRecord>,
}

/// `AttachedPolicies[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyRecord {
    /// `PolicyName`.
    pub name: Option<String>,
    /// `PolicyArn`.
    pub arn: Option<String>,
}

/// `MetadataOptions`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetadataRecord {
    /// `HttpTokens`.
    pub http_tokens: Option<String>,
    /// `HttpEndpoint`.
    pub http_endpoint: Option<String>,
    /// `HttpPutResponseHopLimit`.
    pub http_put_response_hop_limit: Option<i32>,
    /// `State`.
    pub state: Option<String>,
    /// `InstanceMetadataTags`.
    pub instance_metadata_tags: Option<String>,
}

struct Joins<'a> {
    vpcs: Vpcs<'a>,
    subnets: Subnets<'a>,
    groups: Groups<'a>,
    volumes: Volumes<'a>,
}

fn instance(c: &Collected, j: &Joins<'_>, i: &InstanceRecord) -> Json {
    let (account, region) = (c.account_number.as_str(), i.region.as_str());
    let mut m = super::identity(&i.instance_id, TYPE.name, name_tag(&i.tags), account, region);
    m.insert("image".into(), json!(i.image_id));
    m.insert("kernelId".into(), json!(i.kernel_id));
    m.insert(
        "platform".into(),
        json!(i.platform.as_deref().unwrap_or("linux")),
    );
    m.insert("platformDetails".into(), json!(i.platform_details));
    m.insert("launchTime".into(), json!(i.launch_time));
    m.insert("instanceType".into(), json!(i.instance_type));
    m.insert("state".into(), json!(i.state));
    m.insert(
        "isRunning".into(),
        Json::Bool(i.state.as_deref() == Some("running")),
    );
    m.insert("vpc".into(), j.vpcs.brief(region, i.vpc_id.as_deref()));
    let mut nics: Vec<&Nic> = i.network_interfaces.iter().collect();
    nics.sort_by_key(|n| n.device_index.unwrap_or(i32::MAX));
    let mut group_ids: Vec<&str> = Vec::new();
    let mut public = false;
    let nic_json: Vec<Json> = nics
        .iter()
        .map(|n| {
            for g in &n.group_ids {
                if !group_ids.contains(&g.as_str()) {
                    group_ids.push(g);
                }
            }
            if let Some(s) = &n.subnet_id {
                let vpc = n.vpc_id.as_deref().or(i.vpc_id.as_deref());
                let routed = j
                    .subnets
                    .tables()
                    .of_subnet(region, vpc, s)
                    .is_some_and(|t| t.routes.iter().any(|r| r.to_internet_gateway()));
                public |= routed && n.public_ip.is_some();
            }
            let groups: Vec<Json> = n
                .group_ids
                .iter()
                .map(|g| j.groups.entity(account, region, g))
                .collect();
            json!({
                "id": n.network_interface_id,
                "name": format!("eth{}", n.device_index.unwrap_or(0)),
                "subnet": n.subnet_id.as_deref().map_or(Json::Null, |s| j.subnets.entity(account, region, s)),
                "privateDnsName": n.private_dns_name,
                "privateIpAddress": n.private_ip_address,
                "publicIpAddress": n.public_ip,
                "securityGroups": groups,
            })
        })
        .collect();
    m.insert("nics".into(), Json::Array(nic_json));
    let rules = |key: &str| {
        security_group::union(
            group_ids
                .iter()
                .map(|g| j.groups.entity(account, region, g)[key].clone()),
        )
    };
    m.insert("inboundRules".into(), rules("inboundRules"));
    m.insert("outboundRules".into(), rules("outboundRules"));
    m.insert("isPublic".into(), Json::Bool(public));
    m.insert("publicIpAddress".into(), json!(i.public_ip_address));
    m.insert("privateIpAddress".into(), json!(i.private_ip_address));
    m.insert(
        "volumes".into(),
        j.volumes.of_instance(account, region, &i.instance_id),
    );
    m.insert("profileArn".into(), json!(i.profile_arn));
    m.insert("roles".into(), super::to_json(&i.roles));
    m.insert("metadataOptions".into(), super::to_json(&i.metadata_options));
    m.insert("tags".into(), tags_json(&i.tags));
    Json::Object(m)
}

fn build(c: &Collected) -> Vec<Json> {
    let joins = Joins {
        vpcs: Vpcs::new(&c.vpcs),
        subnets: Subnets::new(c),
        groups: Groups::new(c),
        volumes: Volumes::new(c),
    };
    let mut list: Vec<&InstanceRecord> = c.instances.iter().collect();
    list.sort_by(|a, b| (&a.region, &a.instance_id).cmp(&(&b.region, &b.instance_id)));
    list.iter().map(|i| instance(c, &joins, i)).collect()
}

/// The roles of each instance profile ARN: what the account stage fills in.
pub type Profiles = std::collections::HashMap<String, Vec<RoleRecord>>;

/// Fill each instance's `roles` from its profile (none when the profile was not
/// listed).
pub fn attach_roles(instances: &mut [InstanceRecord], profiles: &Profiles) {
    for i in instances {
        i.roles = i
            .profile_arn
            .as_ref()
            .and_then(|a| profiles.get(a))
            .cloned()
            .unwrap_or_default();
    }
}

/// Records with every field set (a running instance in the example subnet with the
/// example group, a public address and a role), joined with the other types' examples
/// into one account by the tests that hold the schema to what `build` writes
/// (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "instances": [
  {
   "region": "us-east-1",
   "instanceId": "i-1",
   "imageId": "ami-1",
   "kernelId": "aki-1",
   "platform": "windows",
   "platformDetails": "Windows",
   "launchTime": "2026-01-01T00:00:00Z",
   "instanceType": "t3.micro",
   "state": "running",
   "vpcId": "vpc-1",
   "publicIpAddress": "54.1.2.3",
   "privateIpAddress": "10.0.1.10",
   "networkInterfaces": [
    {
     "networkInterfaceId": "eni-1",
     "deviceIndex": 0,
     "subnetId": "subnet-1",
     "vpcId": "vpc-1",
     "privateDnsName": "ip-10-0-1-10.ec2.internal",
     "privateIpAddress": "10.0.1.10",
     "publicIp": "54.1.2.3",
     "groupIds": ["sg-1"]
    }
   ],
   "profileArn": "arn:aws:iam::111111111111:instance-profile/web",
   "roles": [
    {
     "name": "web",
     "arn": "arn:aws:iam::111111111111:role/web",
     "managedPolicies": [{"name": "AmazonSSMManagedInstanceCore", "arn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"}]
    }
   ],
   "metadataOptions": {
    "httpTokens": "required",
    "httpEndpoint": "enabled",
    "httpPutResponseHopLimit": 1,
    "state": "applied",
    "instanceMetadataTags": "disabled"
   },
   "tags": [{"key": "Name", "value": "web-1"}]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{
        attach_roles, InstanceRecord, MetadataRecord, Nic, PolicyRecord, Profiles, RoleRecord,
    };
    use crate::collect::call::Session;
    use crate::collect::convert::timestamp;
    use crate::collect::types::ec2::{listing, tags};
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_ec2::types as ec2;
    use futures::future::{join_all, BoxFuture};
    use std::collections::{BTreeMap, BTreeSet};

    /// DescribeInstances in each region; the instance profiles once per account.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: aws_sdk_ec2::Client = w.s.client(region);
                let instances = listing(
                    w.s,
                    region,
                    "DescribeInstances",
                    |t| {
                        client
                            .describe_instances()
                            .max_results(1000)
                            .set_next_token(t)
                            .send()
                    },
                    |p, out| {
                        for r in p.reservations() {
                            out.extend(r.instances().iter().filter_map(|i| instance(region, i)));
                        }
                        p.next_token().map(str::to_string)
                    },
                )
                .await;
                let list = instances.unwrap_or_default();
                w.write(|c| c.instances.extend(list));
                true
            })
        }

        fn account<'a>(&'a self, w: &'a Walk<'a>) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                let wanted: BTreeSet<String> = w.read(|c| {
                    c.instances
                        .iter()
                        .filter_map(|i| i.profile_arn.clone())
                        .collect()
                });
                if wanted.is_empty() {
                    return;
                }
                let Some(profiles) = list_profiles(w.s).await else {
                    return;
                };
                // Each role in use once, however many profiles and instances share it.
                let roles: BTreeMap<String, String> = profiles
                    .iter()
                    .filter(|(arn, _)| wanted.contains(*arn))
                    .flat_map(|(_, roles)| roles.iter().map(|r| (r.name.clone(), r.arn.clone())))
                    .collect();
                let policies: BTreeMap<String, Vec<PolicyRecord>> =
                    join_all(roles.keys().map(|name| async move {
                        (name.clone(), attached_policies(w.s, name).await)
                    }))
                    .await
                    .into_iter()
                    .filter_map(|(name, p)| p.map(|p| (name, p)))
                    .collect();
                let profiles: Profiles = profiles
                    .into_iter()
                    .map(|(arn, roles)| {
                        let roles = roles
                            .into_iter()
                            .map(|r| RoleRecord {
                                managed_policies: policies.get(&r.name).cloned().unwrap_or_default(),
                                ..r
                            })
                            .collect();
                        (arn, roles)
                    })
                    .collect();
                w.write(|c| attach_roles(&mut c.instances, &profiles));
            })
        }
    }

    /// Every instance profile of the account with its roles (no policies yet);
    /// `None` when the listing failed (recorded).
    async fn list_profiles(s: &Session) -> Option<Profiles> {
        let client: aws_sdk_iam::Client = s.client("us-east-1");
        let mut out = Profiles::new();
        let result = s
            .paginate(
                Service::Iam,
                "ListInstanceProfiles",
                |m| client.list_instance_profiles().set_marker(m).send(),
                |p| {
                    for ip in p.instance_profiles() {
                        let roles = ip
                            .roles()
                            .iter()
                            .map(|r| RoleRecord {
                                name: r.role_name().to_string(),
                                arn: r.arn().to_string(),
                                managed_policies: Vec::new(),
                            })
                            .collect();
                        out.insert(ip.arn().to_string(), roles);
                    }
                    p.is_truncated().then(|| p.marker().map(str::to_string)).flatten()
                },
            )
            .await;
        match result {
            Ok(()) => Some(out),
            Err(f) => {
                s.issue(crate::collect::plan::Issue {
                    region: None,
                    service: Service::Iam,
                    operation: "ListInstanceProfiles",
                    code: f.code,
                    message: f.message,
                    on_chain: false,
                });
                None
            }
        }
    }

    /// The managed policies attached to the role `name`; `None` when the call failed
    /// (recorded).
    async fn attached_policies(s: &Session, name: &str) -> Option<Vec<PolicyRecord>> {
        let client: aws_sdk_iam::Client = s.client("us-east-1");
        let mut out = Vec::new();
        let result = s
            .paginate(
                Service::Iam,
                "ListAttachedRolePolicies",
                |m| {
                    client
                        .list_attached_role_policies()
                        .role_name(name)
                        .set_marker(m)
                        .send()
                },
                |p| {
                    out.extend(p.attached_policies().iter().map(|a| PolicyRecord {
                        name: a.policy_name().map(str::to_string),
                        arn: a.policy_arn().map(str::to_string),
                    }));
                    p.is_truncated().then(|| p.marker().map(str::to_string)).flatten()
                },
            )
            .await;
        match result {
            Ok(()) => Some(out),
            Err(f) => {
                s.issue(crate::collect::plan::Issue {
                    region: None,
                    service: Service::Iam,
                    operation: "ListAttachedRolePolicies",
                    code: f.code,
                    message: format!("role {name}: {}", f.message),
                    on_chain: false,
                });
                None
            }
        }
    }

    fn instance(region: &str, i: &ec2::Instance) -> Option<InstanceRecord> {
        let s = |x: Option<&str>| x.map(str::to_string);
        Some(InstanceRecord {
            region: region.to_string(),
            instance_id: i.instance_id()?.to_string(),
            image_id: s(i.image_id()),
            kernel_id: s(i.kernel_id()),
            platform: i.platform().map(|p| p.as_str().to_string()),
            platform_details: s(i.platform_details()),
            launch_time: timestamp(i.launch_time()),
            instance_type: i.instance_type().map(|t| t.as_str().to_string()),
            state: i
                .state()
                .and_then(|st| st.name())
                .map(|n| n.as_str().to_string()),
            vpc_id: s(i.vpc_id()),
            public_ip_address: s(i.public_ip_address()),
            private_ip_address: s(i.private_ip_address()),
            network_interfaces: i
                .network_interfaces()
                .iter()
                .filter_map(|n| {
                    Some(Nic {
                        network_interface_id: n.network_interface_id()?.to_string(),
                        device_index: n.attachment().and_then(|a| a.device_index()),
                        subnet_id: s(n.subnet_id()),
                        vpc_id: s(n.vpc_id()),
                        private_dns_name: s(n.private_dns_name()),
                        private_ip_address: s(n.private_ip_address()),
                        public_ip: n.association().and_then(|a| s(a.public_ip())),
                        group_ids: n
                            .groups()
                            .iter()
                            .filter_map(|g| s(g.group_id()))
                            .collect(),
                    })
                })
                .collect(),
            profile_arn: i.iam_instance_profile().and_then(|p| s(p.arn())),
            roles: Vec::new(),
            metadata_options: i.metadata_options().map(|m| MetadataRecord {
                http_tokens: m.http_tokens().map(|t| t.as_str().to_string()),
                http_endpoint: m.http_endpoint().map(|t| t.as_str().to_string()),
                http_put_response_hop_limit: m.http_put_response_hop_limit(),
                state: m.state().map(|t| t.as_str().to_string()),
                instance_metadata_tags: m.instance_metadata_tags().map(|t| t.as_str().to_string()),
            }),
            tags: tags(i.tags()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::types::route_table::{AssociationRecord, RouteRecord, TableRecord, TableRegion};
    use crate::collect::types::security_group::{GroupRecord, GroupRegion, Peer, Permission};

    fn account(igw_route: bool, public_ip: bool) -> Collected {
        let rule = |port: i32, cidr: &str| Permission {
            ip_protocol: "tcp".into(),
            from_port: Some(port),
            to_port: Some(port),
            ip_ranges: vec![Peer {
                id: cidr.into(),
                description: None,
            }],
            ..Default::default()
        };
        let group = |id: &str, perms: Vec<Permission>| GroupRecord {
            group_id: id.into(),
            group_name: id.into(),
            ip_permissions: perms,
            ..Default::default()
        };
        Collected {
            account_number: "111111111111".into(),
            security_groups: vec![GroupRegion {
                region: "us-east-1".into(),
                groups: vec![
                    group("sg-a", vec![rule(22, "0.0.0.0/0"), rule(443, "0.0.0.0/0")]),
                    group("sg-b", vec![rule(22, "0.0.0.0/0"), rule(80, "10.0.0.0/8")]),
                ],
                network_interfaces: Vec::new(),
            }],
            route_tables: vec![TableRegion {
                region: "us-east-1".into(),
                tables: vec![TableRecord {
                    route_table_id: "rtb-main".into(),
                    vpc_id: Some("vpc-1".into()),
                    routes: vec![RouteRecord {
                        gateway_id: Some(if igw_route { "igw-1" } else { "local" }.into()),
                        state: Some("active".into()),
                        ..Default::default()
                    }],
                    associations: vec![AssociationRecord {
                        main: true,
                        ..Default::default()
                    }],
                    ..Default::default()
                }],
            }],
            instances: vec![InstanceRecord {
                region: "us-east-1".into(),
                instance_id: "i-1".into(),
                state: Some("stopped".into()),
                vpc_id: Some("vpc-1".into()),
                network_interfaces: vec![
                    Nic {
                        network_interface_id: "eni-1".into(),
                        device_index: Some(1),
                        subnet_id: Some("subnet-x".into()),
                        vpc_id: Some("vpc-1".into()),
                        group_ids: vec!["sg-b".into()],
                        ..Default::default()
                    },
                    Nic {
                        network_interface_id: "eni-0".into(),
                        device_index: Some(0),
                        subnet_id: Some("subnet-x".into()),
                        vpc_id: Some("vpc-1".into()),
                        public_ip: public_ip.then(|| "54.0.0.1".to_string()),
                        group_ids: vec!["sg-a".into(), "sg-b".into()],
                        ..Default::default()
                    },
                ],
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn rules_are_the_union_of_the_groups() {
        let i = &build(&account(true, true))[0];
        let rules: Vec<(i64, &str)> = i["inboundRules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["port"].as_i64().unwrap(), r["scope"].as_str().unwrap()))
            .collect();
        assert_eq!(rules, [(22, "0.0.0.0/0"), (443, "0.0.0.0/0"), (80, "10.0.0.0/8")]);
        assert_eq!(i["nics"][0]["name"], "eth0");
        assert_eq!(i["nics"][0]["securityGroups"][1]["id"], "sg-b");
        assert_eq!(i["nics"][0]["subnet"], json!({"id": "subnet-x"}));
        assert_eq!(i["isRunning"], false);
        assert_eq!(i["platform"], "linux");
    }

    #[test]
    fn public_needs_an_address_and_a_route_to_an_internet_gateway() {
        assert_eq!(build(&account(true, true))[0]["isPublic"], true);
        assert_eq!(build(&account(false, true))[0]["isPublic"], false);
        assert_eq!(build(&account(true, false))[0]["isPublic"], false);
    }

    #[test]
    fn roles_come_from_the_profile() {
        let mut list = vec![InstanceRecord {
            profile_arn: Some("arn:p".into()),
            ..Default::default()
        }, InstanceRecord::default()];
        let profiles: Profiles = [(
            "arn:p".to_string(),
            vec![RoleRecord {
                name: "r".into(),
                arn: "arn:r".into(),
                managed_policies: Vec::new(),
            }],
        )]
        .into();
        attach_roles(&mut list, &profiles);
        assert_eq!(list[0].roles.len(), 1);
        assert!(list[1].roles.is_empty());
    }
}
