//! `RDS`: the DB instances of each collected region (`DescribeDBInstances`), in
//! CloudGuard's shape (`isPublic`, `isStorageEncrypted`, `isMultiAvailabilityZone`,
//! `dbType`, ...), with its network: `nics` (one per subnet of its DB subnet group,
//! each with the subnet, its ACL and route table, and the instance's security groups)
//! and the union of its groups' rules, joined from the EC2 types' listings of the
//! region through [`Network`].

use super::load_balancer::{self, Network};
use super::security_group::RULES;
use super::{Call, Collected, EntityType, Scope};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use PropType::{Boolean as B, Number as N, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "RDS",
    about: "Every DB instance of each collected region (`DescribeDBInstances`), named as CloudGuard names its\nproperties. As CloudGuard has them, its `nics` are one per subnet of its DB subnet group (no interface id), each\nwith the `Subnet` (its `nacl`, and its `routeTable`: explicitly associated, else the VPC's main table) and the\ninstance's `SecurityGroup`s; `inboundRules` / `outboundRules` are the union of its groups' rules. Subnets, route\ntables, ACLs and groups are listed once per region by their own types and joined here (no extra call).",
    calls: &[Call {
        service: Service::Rds,
        operation: "DescribeDBInstances",
        scope: Scope::Region,
        paged: true,
    }],
    reads: &load_balancer::READS,
    properties: PROPERTIES,
    tables: &[],
    build,
};

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`DBInstanceArn` (constructed if absent; CloudGuard's id is the identifier, not unique across accounts)",
        "`\"RDS\"`",
        "`DBInstanceIdentifier`",
        "the region listed",
    ),
    OWN,
);

const TAG: &[Property] = &[p("key", S, "`Key`"), n("value", S, "`Value`")];

/// What an `RDS` instance has besides its identity.
const OWN: &[Property] = &[
    p("arn", S, "`DBInstanceArn`"),
    n("dbType", S, "`Engine` (`mysql`, `postgres`, ...)"),
    n("engineVersion", S, "`EngineVersion`"),
    n("status", S, "`DBInstanceStatus`"),
    n("instanceType", S, "`DBInstanceClass`"),
    n("port", N, "`Endpoint.Port`"),
    n("address", S, "`Endpoint.Address`"),
    n("hostedZoneId", S, "`Endpoint.HostedZoneId`"),
    p("isPublic", B, "`PubliclyAccessible`"),
    p("isStorageEncrypted", B, "`StorageEncrypted`"),
    n("kmsKeyId", S, "`KmsKeyId`"),
    n("encryptionKey", S, "`KmsKeyId` (CloudGuard's second name for it)"),
    n("storageType", S, "`StorageType`"),
    n("allocatedStorage", N, "`AllocatedStorage` (GiB)"),
    n("regionInstance", S, "`DbiResourceId`"),
    n("createdTime", T, "`InstanceCreateTime`"),
    n("availabilityZone", S, "`AvailabilityZone`"),
    n("secondaryAvailabilityZone", S, "`SecondaryAvailabilityZone`"),
    p("isMultiAvailabilityZone", B, "`MultiAZ`"),
    n("dbClusterName", S, "`DBClusterIdentifier`"),
    p("autoMinorVersionUpgrade", B, "`AutoMinorVersionUpgrade`"),
    n("backupRetentionPeriod", N, "`BackupRetentionPeriod` (days)"),
    p("deletionProtection", B, "`DeletionProtection`"),
    p(
        "iamDatabaseAuthenticationEnabled",
        B,
        "`IAMDatabaseAuthenticationEnabled`",
    ),
    n("vpcId", S, "`DBSubnetGroup.VpcId`"),
    p(
        "vpcSecurityGroupIds",
        STRINGS,
        "`VpcSecurityGroups[].VpcSecurityGroupId`",
    ),
    p(
        "nics",
        PropType::List(&PropType::Object(load_balancer::NIC)),
        "one per subnet of `DBSubnetGroup.Subnets[]` (`id` `\"\"`), with the `Subnet` and the `SecurityGroup`s of `VpcSecurityGroups[]`",
    ),
    p("inboundRules", RULES, "the union of its groups' `inboundRules`"),
    p("outboundRules", RULES, "the union of its groups' `outboundRules`"),
    p(
        "tags",
        PropType::List(&PropType::Object(TAG)),
        "`TagList`: `{key, value}`",
    ),
];

/// The records: DB instances.
pub type Record = DbInstanceRecord;

/// One DB instance (`DescribeDBInstances` `DBInstances[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DbInstanceRecord {
    /// The region listed.
    pub region: String,
    /// `DBInstanceIdentifier`.
    pub identifier: String,
    /// `DBInstanceArn`.
    pub arn: Option<String>,
    /// `Engine`.
    pub engine: Option<String>,
    /// `EngineVersion`.
    pub engine_version: Option<String>,
    /// `DBInstanceStatus`.
    pub status: Option<String>,
    /// `DBInstanceClass`.
    pub instance_class: Option<String>,
    /// `Endpoint.Port`.
    pub port: Option<i32>,
    /// `Endpoint.Address`.
    pub address: Option<String>,
    /// `Endpoint.HostedZoneId`.
    pub hosted_zone_id: Option<String>,
    /// `PubliclyAccessible`.
    pub publicly_accessible: Option<bool>,
    /// `StorageEncrypted`.
    pub storage_encrypted: Option<bool>,
    /// `KmsKeyId`.
    pub kms_key_id: Option<String>,
    /// `StorageType`.
    pub storage_type: Option<String>,
    /// `AllocatedStorage`.
    pub allocated_storage: Option<i32>,
    /// `DbiResourceId`.
    pub dbi_resource_id: Option<String>,
    /// `InstanceCreateTime`, RFC 3339.
    pub create_time: Option<String>,
    /// `AvailabilityZone`.
    pub availability_zone: Option<String>,
    /// `SecondaryAvailabilityZone`.
    pub secondary_availability_zone: Option<String>,
    /// `MultiAZ`.
    pub multi_az: Option<bool>,
    /// `DBClusterIdentifier`.
    pub cluster: Option<String>,
    /// `AutoMinorVersionUpgrade`.
    pub auto_minor_version_upgrade: Option<bool>,
    /// `BackupRetentionPeriod`.
    pub backup_retention_period: Option<i32>,
    /// `DeletionProtection`.
    pub deletion_protection: Option<bool>,
    /// `IAMDatabaseAuthenticationEnabled`.
    pub iam_auth: Option<bool>,
    /// `DBSubnetGroup.VpcId`.
    pub vpc_id: Option<String>,
    /// `VpcSecurityGroups[].VpcSecurityGroupId`.
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// `DBSubnetGroup.Subnets[].SubnetIdentifier`.
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    /// `TagList`.
    #[serde(default)]
    pub tags: Vec<(String, Option<String>)>,
}

fn build(c: &Collected) -> Vec<Json> {
    let net = Network::new(c);
    let mut list: Vec<&DbInstanceRecord> = c.db_instances.iter().collect();
    list.sort_by(|a, b| (&a.region, &a.identifier).cmp(&(&b.region, &b.identifier)));
    list.into_iter()
        .map(|d| {
            let arn = d.arn.clone().unwrap_or_else(|| {
                format!(
                    "arn:{}:rds:{}:{}:db:{}",
                    crate::collect::graph::partition_of(&d.region),
                    d.region,
                    c.account_number,
                    d.identifier
                )
            });
            let mut m = super::identity(
                &arn,
                TYPE.name,
                &d.identifier,
                &c.account_number,
                &d.region,
            );
            let yes = |b: Option<bool>| json!(b.unwrap_or(false));
            m.insert("arn".into(), json!(arn));
            m.insert("dbType".into(), json!(d.engine));
            m.insert("engineVersion".into(), json!(d.engine_version));
            m.insert("status".into(), json!(d.status));
            m.insert("instanceType".into(), json!(d.instance_class));
            m.insert("port".into(), json!(d.port));
            m.insert("address".into(), json!(d.address));
            m.insert("hostedZoneId".into(), json!(d.hosted_zone_id));
            m.insert("isPublic".into(), yes(d.publicly_accessible));
            m.insert("isStorageEncrypted".into(), yes(d.storage_encrypted));
            m.insert("kmsKeyId".into(), json!(d.kms_key_id));
            m.insert("encryptionKey".into(), json!(d.kms_key_id));
            m.insert("storageType".into(), json!(d.storage_type));
            m.insert("allocatedStorage".into(), json!(d.allocated_storage));
            m.insert("regionInstance".into(), json!(d.dbi_resource_id));
            m.insert("createdTime".into(), json!(d.create_time));
            m.insert("availabilityZone".into(), json!(d.availability_zone));
            m.insert(
                "secondaryAvailabilityZone".into(),
                json!(d.secondary_availability_zone),
            );
            m.insert("isMultiAvailabilityZone".into(), yes(d.multi_az));
            m.insert("dbClusterName".into(), json!(d.cluster));
            m.insert(
                "autoMinorVersionUpgrade".into(),
                yes(d.auto_minor_version_upgrade),
            );
            m.insert(
                "backupRetentionPeriod".into(),
                json!(d.backup_retention_period),
            );
            m.insert("deletionProtection".into(), yes(d.deletion_protection));
            m.insert("iamDatabaseAuthenticationEnabled".into(), yes(d.iam_auth));
            m.insert("vpcId".into(), json!(d.vpc_id));
            m.insert("vpcSecurityGroupIds".into(), json!(d.security_groups));
            let (account, region) = (c.account_number.as_str(), d.region.as_str());
            m.insert(
                "nics".into(),
                net.subnet_nics(account, region, &d.subnet_ids, &d.security_groups),
            );
            for key in ["inboundRules", "outboundRules"] {
                m.insert(
                    key.into(),
                    net.rules(account, region, &d.security_groups, key),
                );
            }
            let tags: Vec<Json> = d
                .tags
                .iter()
                .map(|(k, v)| json!({"key": k, "value": v}))
                .collect();
            m.insert("tags".into(), Json::Array(tags));
            Json::Object(m)
        })
        .collect()
}

/// Records with every field set (an encrypted, private, multi-AZ instance), joined
/// with the other types' examples into one account by the tests that hold the schema
/// to what `build` writes (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "dbInstances": [
  {
   "region": "us-east-1",
   "identifier": "db",
   "arn": "arn:aws:rds:us-east-1:111111111111:db:db",
   "engine": "postgres",
   "engineVersion": "16.1",
   "status": "available",
   "instanceClass": "db.t3.micro",
   "port": 5432,
   "address": "db.example.us-east-1.rds.amazonaws.com",
   "hostedZoneId": "Z",
   "publiclyAccessible": false,
   "storageEncrypted": true,
   "kmsKeyId": "arn:aws:kms:us-east-1:111111111111:key/k",
   "storageType": "gp3",
   "allocatedStorage": 20,
   "dbiResourceId": "db-ABC",
   "createTime": "2026-01-01T00:00:00Z",
   "availabilityZone": "us-east-1a",
   "secondaryAvailabilityZone": "us-east-1b",
   "multiAz": true,
   "cluster": "c",
   "autoMinorVersionUpgrade": true,
   "backupRetentionPeriod": 7,
   "deletionProtection": true,
   "iamAuth": true,
   "vpcId": "vpc-1",
   "securityGroups": ["sg-1"],
   "subnetIds": ["subnet-1"],
   "tags": [["k", "v"]]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::DbInstanceRecord;
    use crate::collect::convert::{owned, timestamp};
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_rds::types::DbInstance;
    use aws_sdk_rds::Client;
    use futures::future::BoxFuture;

    /// DescribeDBInstances in each region.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let mut out = Vec::new();
                let listed = w
                    .s
                    .paginate_in(
                        region,
                        Service::Rds,
                        "DescribeDBInstances",
                        |marker| client.describe_db_instances().set_marker(marker).send(),
                        |p| {
                            out.extend(p.db_instances().iter().map(|d| instance(region, d)));
                            p.marker().map(str::to_string)
                        },
                    )
                    .await;
                if listed {
                    w.write(|c| c.db_instances.extend(out));
                }
                true
            })
        }
    }

    /// `DBInstances[]` item.
    fn instance(region: &str, d: &DbInstance) -> DbInstanceRecord {
        let e = d.endpoint();
        DbInstanceRecord {
            region: region.to_string(),
            identifier: d.db_instance_identifier().unwrap_or_default().to_string(),
            arn: owned(d.db_instance_arn()),
            engine: owned(d.engine()),
            engine_version: owned(d.engine_version()),
            status: owned(d.db_instance_status()),
            instance_class: owned(d.db_instance_class()),
            port: e.and_then(|e| e.port()),
            address: e.and_then(|e| owned(e.address())),
            hosted_zone_id: e.and_then(|e| owned(e.hosted_zone_id())),
            publicly_accessible: d.publicly_accessible(),
            storage_encrypted: d.storage_encrypted(),
            kms_key_id: owned(d.kms_key_id()),
            storage_type: owned(d.storage_type()),
            allocated_storage: d.allocated_storage(),
            dbi_resource_id: owned(d.dbi_resource_id()),
            create_time: timestamp(d.instance_create_time()),
            availability_zone: owned(d.availability_zone()),
            secondary_availability_zone: owned(d.secondary_availability_zone()),
            multi_az: d.multi_az(),
            cluster: owned(d.db_cluster_identifier()),
            auto_minor_version_upgrade: d.auto_minor_version_upgrade(),
            backup_retention_period: d.backup_retention_period(),
            deletion_protection: d.deletion_protection(),
            iam_auth: d.iam_database_authentication_enabled(),
            vpc_id: d.db_subnet_group().and_then(|g| owned(g.vpc_id())),
            security_groups: d
                .vpc_security_groups()
                .iter()
                .filter_map(|g| owned(g.vpc_security_group_id()))
                .collect(),
            subnet_ids: d
                .db_subnet_group()
                .map(|g| {
                    g.subnets()
                        .iter()
                        .filter_map(|s| owned(s.subnet_identifier()))
                        .collect()
                })
                .unwrap_or_default(),
            tags: d
                .tag_list()
                .iter()
                .filter_map(|t| Some((t.key()?.to_string(), owned(t.value()))))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::types::example_account;

    /// The example instance sits in the example subnet, which has no explicit route
    /// table association: its nic's subnet carries the VPC's main table, with the
    /// example group and its rules.
    #[test]
    fn an_instance_has_a_nic_per_subnet_with_its_route_table_and_groups() {
        let c = example_account();
        let e = &build(&c)[0];
        let nics = e["nics"].as_array().expect("nics");
        assert_eq!(nics.len(), 1);
        assert_eq!(nics[0]["id"], "");
        assert_eq!(nics[0]["subnet"]["id"], "subnet-1");
        assert_eq!(nics[0]["subnet"]["routeTable"]["isMain"], true, "{e:#}");
        assert_eq!(nics[0]["securityGroups"][0]["id"], "sg-1");
        assert_eq!(
            e["inboundRules"],
            nics[0]["securityGroups"][0]["inboundRules"]
        );
        let mut bare = c.clone();
        bare.db_instances[0].subnet_ids.clear();
        assert_eq!(build(&bare)[0]["nics"], json!([]));
    }
}
