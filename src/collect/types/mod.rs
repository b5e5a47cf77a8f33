//! The collected entity types: one module each, and one registration line in
//! [`registry!`] below. A type's module declares everything about it:
//!
//! - **what it fetches**: its API calls ([`Call`]: service, operation, per region,
//!   per account or per resource, paged or not), and the calls of other types whose
//!   data it embeds ([`Read`]), so a failed call names the types it leaves incomplete;
//! - **its records** (`Record`, the plain serde shape of what the calls return, a field
//!   of [`Collected`]) and, with the `aws` feature, the calls themselves (a
//!   `Fetcher` implementing [`crate::collect::walk`]'s `Fetch`: what it does in each
//!   region, then once per account, then after the other types);
//! - **how the records become entities** (`build`: property names, derived
//!   properties, joins to other types through their modules);
//! - **its schema** ([`EntityType::properties`], what the checker and completion
//!   know, `crate::entity::schema` reads it), with the AWS source of every property;
//! - **its docs**: the section of `docs/entities.md`, and its IAM actions in
//!   `docs/iam-policy.json`, both generated from these declarations ([`docs`]; a
//!   test fails when they drift, `GSL_BLESS=1` rewrites them).
//!
//! Everything here but the fetchers is pure and always built (no SDK).

pub mod docs;
pub mod ec2;
pub mod load_balancer;

use super::Service;
use crate::entity::schema::Property;
use crate::entity::CollectionError;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};

/// Where a call is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Once in every collected region.
    Region,
    /// Once per account (a global service, or a call that needs every region's listing).
    Account,
    /// For each resource of another listing, in the resource's region: the words say
    /// which (`trail`, `20 trails`, `topic`, ...).
    Each(&'static str),
}

/// One API call a type makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call {
    /// The service (its IAM action prefix).
    pub service: Service,
    /// The operation (the IAM action).
    pub operation: &'static str,
    /// Where and how often it is made.
    pub scope: Scope,
    /// Followed page by page.
    pub paged: bool,
}

impl Call {
    /// This call as another type reads it (a join): its failure reaches that type
    /// `when`.
    pub const fn read(self, when: When) -> Read {
        Read {
            service: self.service,
            operation: self.operation,
            when,
        }
    }
}

/// When a failed call of another type leaves this type incomplete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Whenever it fails.
    Always,
    /// Only when the failed call was for a trail's alarm chain (a topic an alarm on a
    /// trail's metric filter notifies, the trail listing itself).
    OnChain,
}

/// A call of another type whose data this type embeds (a join).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Read {
    /// The service.
    pub service: Service,
    /// The operation.
    pub operation: &'static str,
    /// When its failure reaches this type.
    pub when: When,
}

/// A collected entity type, declared in its module.
#[derive(Debug, Clone, Copy)]
pub struct EntityType {
    /// The type name, as rules write it (`CloudTrail`).
    pub name: &'static str,
    /// What the entities are and where they come from (the paragraph under the type's
    /// heading in `docs/entities.md`).
    pub about: &'static str,
    /// The calls it makes.
    pub calls: &'static [Call],
    /// The calls of other types whose data it embeds.
    pub reads: &'static [Read],
    /// Its properties, identity (`id`, `type`, `name`, `accountNumber`, `region`)
    /// first; every one with its AWS source (`docs/entities.md`).
    pub properties: &'static [Property],
    /// Nested objects documented with a table of their own: (path, the line above it).
    pub tables: &'static [(&'static str, &'static str)],
    /// The entities of one account from its records.
    pub build: fn(&Collected) -> Vec<Json>,
}

impl EntityType {
    /// Whether a failure of `service:operation` leaves this type incomplete.
    pub fn affected_by(&self, service: Service, operation: &str, on_chain: bool) -> bool {
        self.calls
            .iter()
            .any(|c| c.service == service && c.operation == operation)
            || self.reads.iter().any(|r| {
                r.service == service
                    && r.operation == operation
                    && (r.when == When::Always || on_chain)
            })
    }
}

/// One line per type: its module and the field of [`Collected`] that holds its
/// records (in this order in the JSON of `Collected`).
macro_rules! registry {
    ($( $(#[$doc:meta])* $module:ident: $field:ident ),* $(,)?) => {
        $( pub mod $module; )*

        /// Every collected type, in registration order.
        pub const TYPES: &[&EntityType] = &[$( &$module::TYPE ),*];

        /// Each type's example records (every field set), for the schema tests.
        #[cfg(test)]
        pub(crate) const EXAMPLES: &[&str] = &[$( $module::EXAMPLE ),*];

        /// What each type fetches, in registration order.
        #[cfg(feature = "aws")]
        pub(crate) const FETCHERS: &[&dyn crate::collect::walk::Fetch] = &[$( &$module::Fetcher ),*];

        /// Everything collected from one account, before the graph is built: the
        /// records of each type. Tests and fixtures can write it as JSON.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct Collected {
            /// The 12-digit account id (STS GetCallerIdentity).
            pub account_number: String,
            /// The regions that were collected.
            #[serde(default)]
            pub regions: Vec<String>,
            $(
                $(#[$doc])*
                #[serde(default)]
                pub $field: Vec<$module::Record>,
            )*
            /// Failed collection steps.
            #[serde(default)]
            pub errors: Vec<CollectionError>,
        }
    };
}

registry! {
    /// Trails, one per trail ARN (shadow copies merged), with their per-trail data.
    cloud_trail: trails,
    /// The CloudWatch Logs groups the trails deliver to.
    log_group: log_groups,
    /// The metric filters of every log group of the collected regions (and of the
    /// trails' log groups elsewhere).
    metric_filter: metric_filters,
    /// Metric alarms of the collected regions (and of the trails' log-group regions).
    cloud_watch_alarm: alarms,
    /// SNS topics whose subscriptions were listed.
    sns_topic: topics,
    // The network and compute types (issue 24).
    /// VPCs, internet gateways, flow logs and peering connections, per region.
    vpc: vpcs,
    /// Security groups and network interfaces, per region.
    security_group: security_groups,
    /// Network ACLs, per region.
    network_acl: network_acls,
    /// Route tables, per region.
    route_table: route_tables,
    /// Subnets, per region.
    subnet: subnets,
    /// EBS volumes, per region.
    volume: volumes,
    /// Instances, with their instance profiles' roles.
    instance: instances,
    /// EBS encryption by default, per region answered.
    ebs_encryption: ebs_encryption,
    // Identity.
    /// IAM users and the root user, with their credential report rows.
    iam_user: iam_users,
    /// The account's IAM settings (one record).
    iam: iam,
    /// IAM groups.
    iam_group: iam_groups,
    /// IAM roles.
    iam_role: iam_roles,
    /// Customer managed policies and the AWS managed policies in use.
    iam_policy: iam_policies,
    /// IAM Access Analyzer's analyzers, per region.
    access_analyzer: access_analyzers,
    // Storage and logging (issue 23).
    /// S3 buckets (global listing), each with its settings and the account's block.
    s3_bucket: buckets,
    /// KMS keys of each collected region.
    kms: kms_keys,
    /// AWS Config recorders: one record per collected region.
    configuration_recorder: config_recorders,
    /// RDS DB instances.
    rds: db_instances,
    /// EFS file systems.
    efs: file_systems,
    /// Security Hub: one record per collected region.
    security_hub: security_hubs,
    /// Macie: one record per collected region.
    macie: macie_sessions,
    // Load balancers and Lambda (issue 24).
    /// Classic load balancers, with their attributes and policies.
    elb: elbs,
    /// Application load balancers (ELB v2), with their listeners and attributes.
    application_load_balancer: application_load_balancers,
    /// Network load balancers (listed with the application load balancers).
    network_load_balancer: network_load_balancers,
    /// Lambda functions, with their policies and URLs (environment variable names only).
    lambda: functions,
    // Images, addresses and certificates (issue 24).
    /// The account's own AMIs, per region.
    ami: images,
    /// Elastic IP addresses, per region answered.
    elastic_ip: addresses,
    /// ACM certificates, per region answered.
    acm_certificate: certificates,
}

/// Every type's example records (`EXAMPLE` in its module) in one account: every field
/// of the records filled in, joined so that every nested piece (alarms under
/// transformations, subscriptions under actions, groups under interfaces) appears, and
/// the derived reasons are written.
#[cfg(test)]
pub(crate) fn example_account() -> Collected {
    let mut doc = json!({"accountNumber": "111111111111", "regions": ["us-east-1"]});
    for example in EXAMPLES {
        let part: Json = serde_json::from_str(example).expect("an example is JSON");
        for (key, value) in part.as_object().expect("an example is an object") {
            doc[key] = value.clone();
        }
    }
    serde_json::from_value(doc).expect("the examples are records")
}

/// The collected type named `name`.
pub fn entity_type(name: &str) -> Option<&'static EntityType> {
    TYPES.iter().copied().find(|t| t.name == name)
}

/// The names of the collected types, sorted (the snapshot's order).
pub fn type_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = TYPES.iter().map(|t| t.name).collect();
    names.sort_unstable();
    names
}

/// A call the run makes for itself, not for a type.
#[derive(Debug, Clone, Copy)]
pub struct RunCall {
    /// The service.
    pub service: Service,
    /// The operation.
    pub operation: &'static str,
    /// The statement of `docs/iam-policy.json` that allows it.
    pub statement: Statement,
    /// What its failure does.
    pub failure: &'static str,
}

/// The statements of `docs/iam-policy.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statement {
    /// `GslCollectReadOnly`: what one account needs.
    ReadOnly,
    /// `GslCollectOrganization`: listing the organization's accounts.
    Organization,
    /// `GslAssumeAuditRole`: the member role.
    AssumeRole,
}

/// The run's own calls (identity, regions, organization, roles).
pub const RUN_CALLS: &[RunCall] = &[
    RunCall {
        service: Service::Sts,
        operation: "GetCallerIdentity",
        statement: Statement::ReadOnly,
        failure: "stops the run (no account to attribute anything to)",
    },
    RunCall {
        service: Service::Account,
        operation: "ListRegions",
        statement: Statement::ReadOnly,
        failure: "none: the partition's region list is walked with opt-in regions probed",
    },
    RunCall {
        service: Service::Organizations,
        operation: "ListAccounts",
        statement: Statement::Organization,
        failure: "stops the run (`--org`: the accounts are unknown)",
    },
    RunCall {
        service: Service::Organizations,
        operation: "ListAccountsForParent",
        statement: Statement::Organization,
        failure: "stops the run (`--ou`)",
    },
    RunCall {
        service: Service::Organizations,
        operation: "ListOrganizationalUnitsForParent",
        statement: Statement::Organization,
        failure: "stops the run (`--ou`)",
    },
    RunCall {
        service: Service::Sts,
        operation: "AssumeRole",
        statement: Statement::AssumeRole,
        failure: "every type of that account",
    },
];

/// The entity types whose data is incomplete when `service:operation` fails, sorted.
/// `on_chain`: the failed call was for something on a trail's alarm chain. A call no
/// type declares (AssumeRole: the whole account) affects every type, except the
/// region list (`account:ListRegions`: the static list is probed instead, nothing is
/// missing).
pub fn affected_entity_types(service: Service, operation: &str, on_chain: bool) -> Vec<String> {
    if service == Service::Account && operation == "ListRegions" {
        return Vec::new();
    }
    let declared = TYPES.iter().any(|t| {
        t.calls
            .iter()
            .any(|c| c.service == service && c.operation == operation)
    });
    let mut out: Vec<String> = TYPES
        .iter()
        .filter(|t| !declared || t.affected_by(service, operation, on_chain))
        .map(|t| t.name.to_string())
        .collect();
    out.sort_unstable();
    out
}

/// The properties every entity starts with: `id`, `type`, `name`, `accountNumber`,
/// `region`.
pub fn identity(
    id: &str,
    kind: &str,
    name: &str,
    account: &str,
    region: &str,
) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    m.insert("type".into(), json!(kind));
    m.insert("name".into(), json!(name));
    m.insert("accountNumber".into(), json!(account));
    m.insert("region".into(), json!(region));
    m
}

/// The properties a global entity (IAM) starts with: [`identity`] with `region` `null`.
pub fn global_identity(id: &str, kind: &str, name: &str, account: &str) -> Map<String, Json> {
    let mut m = identity(id, kind, name, account, "");
    m.insert("region".into(), Json::Null);
    m
}

/// The CloudGuard flag form: the string `"true"` or `"false"`.
pub fn flag(b: bool) -> Json {
    Json::String(if b { "true" } else { "false" }.into())
}

/// A record's fields as a JSON object (property names are its serde names).
pub fn object(value: &impl Serialize) -> Map<String, Json> {
    match serde_json::to_value(value) {
        Ok(Json::Object(map)) => map,
        _ => Map::new(),
    }
}

/// A record as JSON (`null` for `None`).
pub fn to_json(value: &impl Serialize) -> Json {
    serde_json::to_value(value).unwrap_or(Json::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_registration_per_type_and_record_field() {
        let names = type_names();
        let mut unique = names.clone();
        unique.dedup();
        assert_eq!(names, unique, "a type is registered twice");
        for t in TYPES {
            assert!(!t.calls.is_empty(), "{} declares no call", t.name);
            assert_eq!(entity_type(t.name).map(|e| e.name), Some(t.name));
        }
        // Every type's calls are in the IAM policy's services.
        for t in TYPES {
            for c in t.calls {
                assert!(Service::ALL.contains(&c.service));
            }
        }
    }

    #[test]
    fn errors_name_the_affected_types() {
        assert_eq!(
            affected_entity_types(Service::Sns, "ListSubscriptionsByTopic", true),
            vec!["CloudTrail", "CloudWatchAlarm", "MetricFilter", "SnsTopic"]
        );
        assert_eq!(
            affected_entity_types(Service::Sns, "ListSubscriptionsByTopic", false),
            vec!["SnsTopic"]
        );
        assert_eq!(
            affected_entity_types(Service::CloudWatch, "DescribeAlarms", true),
            vec!["CloudTrail", "CloudWatchAlarm", "MetricFilter"]
        );
        assert_eq!(
            affected_entity_types(Service::Logs, "DescribeLogGroups", true),
            vec!["LogGroup"]
        );
        assert_eq!(
            affected_entity_types(Service::Logs, "DescribeMetricFilters", false),
            vec!["CloudTrail", "LogGroup", "MetricFilter"]
        );
        assert_eq!(
            affected_entity_types(Service::CloudTrail, "DescribeTrails", true),
            vec!["CloudTrail", "LogGroup", "MetricFilter"]
        );
        assert_eq!(
            affected_entity_types(Service::CloudTrail, "DescribeTrails", false),
            vec!["CloudTrail"]
        );
        assert_eq!(
            affected_entity_types(Service::CloudTrail, "GetTrailStatus", true),
            vec!["CloudTrail"]
        );
        assert_eq!(
            affected_entity_types(Service::Sns, "ListTopics", false),
            vec!["SnsTopic"]
        );
        assert_eq!(
            affected_entity_types(Service::Sts, "AssumeRole", true),
            type_names()
        );
        assert!(affected_entity_types(Service::Account, "ListRegions", false).is_empty());
    }
}
