//! A synthetic AWS organization, deterministic from a seed: the workload of the
//! organization-scale benchmarks (`benches/org.rs`), the memory script
//! (`scripts/rss.sh`, through `examples/gen_org.rs`) and the tests that compare runs on
//! generated accounts. Not part of the library: included with `#[path]`.
//!
//! Each account is built the way the collectors build a live one: plain records
//! ([`gsl::collect::Collected`]) joined by [`gsl::collect::build_account`], so the
//! entities (trails with metric filters → alarms → actions → subscriptions, and the
//! standalone `LogGroup`, `MetricFilter`, `CloudWatchAlarm`, `SnsTopic`) have exactly
//! the collectors' shape. Per account:
//!
//! - 1 to 17 regions; 1 to 3 trails (mostly one multi-region trail; some regional, not
//!   logging, write-only or with advanced event selectors), each delivering to its own
//!   log group;
//! - 40 to 100 metric filters per trail's log group: the CIS patterns of the shipped
//!   policies in varied spellings (spacing, quotes, clause order, parentheses, the
//!   `eventSource` distributed over the alternatives, extra alternatives), some subtly
//!   wrong (an event name missing or misspelt, a wrong source or value), and unrelated
//!   filters drawn from a pool shared by the organization;
//! - alarms on most filters' metrics, with and without (enabled) actions; SNS topics
//!   with confirmed, pending or no subscriptions;
//! - now and then a collection error (an alarm listing denied in one region).
//!
//! In the [`Shape::Nested`] shape (CloudGuard's export), every account has two
//! delivering trails and the metric filters appear only nested under them: no
//! top-level `MetricFilter` or `LogGroup` entities.
//!
//! The same [`OrgSpec`] always yields the same bytes ([`write_org`]): every account is
//! drawn from its own random stream (seed, account index), so accounts can be generated
//! and written one at a time, in any number.
#![allow(dead_code)]

use gsl::collect::types::cloud_trail::{
    AdvancedEventSelector, AdvancedFieldSelector, EventSelector, TrailData, TrailRecord,
    TrailStatus,
};
use gsl::collect::types::cloud_watch_alarm::AlarmRecord;
use gsl::collect::types::log_group::LogGroupRecord;
use gsl::collect::types::metric_filter::{MetricFilterRecord, MetricTransformation};
use gsl::collect::types::sns_topic::{Subscription, TopicRecord};
use gsl::collect::Collected;
use gsl::collect::{build_account, regions};
use gsl::entity::{Account, CollectionError, Generator, SCHEMA_VERSION};
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};
use std::io::Write;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgSpec {
    /// Number of accounts.
    pub accounts: usize,
    /// The seed: the same spec gives the same organization, byte for byte.
    pub seed: u64,
}

/// The collection time stamped on generated snapshots (and the "now" of their trails).
pub const COLLECTED_AT: &str = "2026-11-20T10:00:00Z";

/// SplitMix64: small, fast, and stable across platforms and crate versions.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A stream for `(seed, stream)`.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next();
        r
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// One element.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() - 1)]
    }

    /// Fisher–Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.range(0, i);
            items.swap(i, j);
        }
    }
}

/// The 12-digit number of account `index`.
pub fn account_number(index: usize) -> String {
    format!("{:012}", 210_000_000_000u64 + index as u64 * 7_919)
}

/// How the organization's accounts are laid out in the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shape {
    /// As `gsl collect` writes it: trails with their metric filters nested, and the
    /// standalone `LogGroup`, `MetricFilter`, `CloudWatchAlarm` and `SnsTopic`
    /// entities too.
    #[default]
    Flat,
    /// As CloudGuard exports it: metric filters only nested under their trails, two
    /// trails per account (both delivering to a log group), 10 to 25 filters per trail
    /// (mostly the CIS ones), and no top-level `MetricFilter` or `LogGroup` entities.
    /// The file is small for its number of accounts, so what a run keeps per account
    /// weighs more against it than in the flat shape.
    Nested,
}

impl Shape {
    /// The shape named `flat` or `nested`.
    pub fn parse(name: &str) -> Option<Shape> {
        match name {
            "flat" => Some(Shape::Flat),
            "nested" => Some(Shape::Nested),
            _ => None,
        }
    }
}

/// One account of the organization, as collected records.
pub fn collected(spec: &OrgSpec, index: usize) -> Collected {
    collected_in(spec, Shape::Flat, index)
}

/// One account of the organization in `shape`, as collected records.
pub fn collected_in(spec: &OrgSpec, shape: Shape, index: usize) -> Collected {
    let mut rng = Rng::new(spec.seed, index as u64 + 1);
    let acct = account_number(index);
    let all = regions::default_regions("aws");
    let mut regions: Vec<String> = all.iter().map(|r| r.to_string()).collect();
    let n_regions = if rng.chance(0.3) {
        all.len()
    } else {
        rng.range(1, all.len())
    };
    // Keep us-east-1 first (home of the main trail), the rest in a random subset.
    rng.shuffle(&mut regions[1..]);
    regions.truncate(n_regions);

    let mut c = Collected {
        account_number: acct.clone(),
        regions: regions.clone(),
        ..Default::default()
    };
    let topics = topics(&mut rng, &acct, &regions);
    let n_trails = match (shape, rng.range(0, 9)) {
        (Shape::Nested, _) => 2,
        (Shape::Flat, 0..=5) => 1,
        (Shape::Flat, 6..=8) => 2,
        (Shape::Flat, _) => 3,
    };
    for t in 0..n_trails {
        let region = if t == 0 {
            regions[0].clone()
        } else {
            rng.pick(&regions).clone()
        };
        let name = if t == 0 {
            "org-main".to_string()
        } else {
            format!("trail-{t}")
        };
        let group = format!("CloudTrail/{name}");
        let delivers = t == 0 || rng.chance(0.8) || shape == Shape::Nested;
        c.trails
            .push(trail(&mut rng, &acct, &region, &name, &group, t, delivers));
        if !delivers {
            continue;
        }
        c.log_groups.push(LogGroupRecord {
            region: region.clone(),
            name: group.clone(),
            arn: Some(log_group_arn(&region, &acct, &group)),
            retention_in_days: Some(*rng.pick(&[30, 90, 365, 400])),
            kms_key_id: None,
            stored_bytes: Some(rng.range(1_000, 90_000_000) as i64),
            creation_time: Some("2024-06-01T11:55:00Z".into()),
            log_group_class: Some("STANDARD".into()),
        });
        let topics_here: Vec<&TopicRecord> = topics.iter().filter(|t| t.region == region).collect();
        for (fi, pattern) in filter_patterns(&mut rng, spec.seed, shape)
            .into_iter()
            .enumerate()
        {
            let filter_name = format!("{}-{fi:03}", pattern.name);
            let metric = format!("{}{fi}", pattern.name.replace('-', ""));
            let namespace = if pattern.cis {
                "CISBenchmark"
            } else {
                "LogMetrics"
            };
            c.metric_filters.push(MetricFilterRecord {
                region: region.clone(),
                filter_name: filter_name.clone(),
                filter_pattern: Some(pattern.text),
                log_group_name: group.clone(),
                creation_time: Some("2025-03-02T09:15:00Z".into()),
                metric_transformations: vec![MetricTransformation {
                    metric_name: metric.clone(),
                    metric_namespace: namespace.into(),
                    metric_value: "1".into(),
                    default_value: None,
                    unit: None,
                    dimensions: Default::default(),
                }],
            });
            if rng.chance(if pattern.cis { 0.85 } else { 0.5 }) {
                let actions = match topics_here.as_slice() {
                    [] => Vec::new(),
                    _ if rng.chance(0.1) => Vec::new(),
                    // A topic that was deleted: the action notifies no one.
                    _ if rng.chance(0.03) => vec![format!("arn:aws:sns:{region}:{acct}:deleted")],
                    ts => vec![rng.pick(ts).arn.clone()],
                };
                // Alarm names are unique per account and region; filter names only
                // per log group, and a region may hold two trails' groups.
                let alarm_name = if t == 0 {
                    filter_name.clone()
                } else {
                    format!("{filter_name}-t{t}")
                };
                c.alarms.push(AlarmRecord {
                    region: region.clone(),
                    arn: Some(format!(
                        "arn:aws:cloudwatch:{region}:{acct}:alarm:{alarm_name}"
                    )),
                    name: alarm_name,
                    description: Some(format!("alarm on {filter_name}")),
                    metric_name: Some(metric),
                    namespace: Some(namespace.into()),
                    actions_enabled: Some(rng.chance(0.92)),
                    state_value: Some(
                        (*rng.pick(&["OK", "OK", "ALARM", "INSUFFICIENT_DATA"])).into(),
                    ),
                    state_updated_timestamp: Some("2026-11-19T03:00:00Z".into()),
                    alarm_actions: actions,
                    statistic: Some("Sum".into()),
                    period: Some(300),
                    evaluation_periods: Some(1),
                    threshold: Some(1.0),
                    comparison_operator: Some("GreaterThanOrEqualToThreshold".into()),
                    treat_missing_data: Some("notBreaching".into()),
                    ..Default::default()
                });
            }
        }
    }
    c.topics = topics;
    c.errors = errors(spec, index);
    c
}

/// The collection errors of account `index` (its own random stream, so the errors of
/// an organization can be written without generating its accounts again).
pub fn errors(spec: &OrgSpec, index: usize) -> Vec<CollectionError> {
    let mut rng = Rng::new(spec.seed ^ 0xE770_0000, index as u64 + 1);
    if !rng.chance(0.03) {
        return Vec::new();
    }
    let region = (*rng.pick(regions::default_regions("aws"))).to_string();
    vec![CollectionError {
        account_number: account_number(index),
        region: Some(region),
        service: "cloudwatch".into(),
        operation: "DescribeAlarms".into(),
        code: "AccessDenied".into(),
        message: "User is not authorized to perform: cloudwatch:DescribeAlarms".into(),
        entity_types: vec![
            "CloudTrail".into(),
            "CloudWatchAlarm".into(),
            "MetricFilter".into(),
        ],
    }]
}

/// One account of the organization, as snapshot entities.
pub fn account(spec: &OrgSpec, index: usize) -> Account {
    account_in(spec, Shape::Flat, index)
}

/// One account of the organization in `shape`, as snapshot entities.
pub fn account_in(spec: &OrgSpec, shape: Shape, index: usize) -> Account {
    let mut account = build_account(&collected_in(spec, shape, index));
    if shape == Shape::Nested {
        account.entities.remove("MetricFilter");
        account.entities.remove("LogGroup");
    }
    account
}

/// Write the organization as a snapshot file (pretty JSON, like `gsl collect`), one
/// account at a time: memory stays that of one account whatever the size.
pub fn write_org(spec: &OrgSpec, out: impl Write) -> serde_json::Result<()> {
    write_org_in(spec, Shape::Flat, out)
}

/// [`write_org`] in `shape`.
pub fn write_org_in(spec: &OrgSpec, shape: Shape, out: impl Write) -> serde_json::Result<()> {
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &Org(*spec, shape))?;
    out.write_all(b"\n").map_err(serde_json::Error::io)?;
    out.flush().map_err(serde_json::Error::io)
}

/// The organization as snapshot text.
pub fn org_json(spec: &OrgSpec) -> String {
    org_json_in(spec, Shape::Flat)
}

/// The organization in `shape` as snapshot text.
pub fn org_json_in(spec: &OrgSpec, shape: Shape) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail, and the serializer only fails on I/O.
    let _ = write_org_in(spec, shape, &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

struct Org(OrgSpec, Shape);
struct Accounts(OrgSpec, Shape);
struct Errors(OrgSpec);

impl Serialize for Org {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Snapshot", 5)?;
        st.serialize_field("schemaVersion", &SCHEMA_VERSION)?;
        st.serialize_field(
            "generator",
            &Generator {
                name: "gsl-orggen".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
        )?;
        st.serialize_field("collectedAt", COLLECTED_AT)?;
        st.serialize_field("accounts", &Accounts(self.0, self.1))?;
        st.serialize_field("errors", &Errors(self.0))?;
        st.end()
    }
}

impl Serialize for Accounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.accounts))?;
        for i in 0..self.0.accounts {
            seq.serialize_element(&account_in(&self.0, self.1, i))?;
        }
        seq.end()
    }
}

impl Serialize for Errors {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for i in 0..self.0.accounts {
            for e in errors(&self.0, i) {
                seq.serialize_element(&e)?;
            }
        }
        seq.end()
    }
}

fn log_group_arn(region: &str, acct: &str, group: &str) -> String {
    format!("arn:aws:logs:{region}:{acct}:log-group:{group}:*")
}

fn topics(rng: &mut Rng, acct: &str, regions: &[String]) -> Vec<TopicRecord> {
    let mut out = Vec::new();
    for (ri, region) in regions.iter().enumerate() {
        // Every account has an alerts topic in its home region; other regions sometimes.
        if ri > 0 && !rng.chance(0.25) {
            continue;
        }
        for name in ["security-alerts", "ops-alerts"] {
            if name == "ops-alerts" && !rng.chance(0.4) {
                continue;
            }
            let arn = format!("arn:aws:sns:{region}:{acct}:{name}");
            let n_subs = rng.range(0, 2);
            let subscriptions = (0..n_subs)
                .map(|si| {
                    let confirmed = rng.chance(0.75);
                    Subscription {
                        subscription_arn: Some(if confirmed {
                            format!("{arn}:{:08x}-{si}", rng.next() as u32)
                        } else {
                            "PendingConfirmation".into()
                        }),
                        topic_arn: Some(arn.clone()),
                        owner: Some(acct.to_string()),
                        endpoint: Some(format!("secops+{si}@example.com")),
                        protocol: Some("email".into()),
                    }
                })
                .collect();
            out.push(TopicRecord {
                region: region.clone(),
                arn,
                subscriptions,
            });
        }
    }
    out
}

fn trail(
    rng: &mut Rng,
    acct: &str,
    region: &str,
    name: &str,
    group: &str,
    index: usize,
    delivers: bool,
) -> TrailData {
    let arn = format!("arn:aws:cloudtrail:{region}:{acct}:trail/{name}");
    let multi = if index == 0 {
        rng.chance(0.9)
    } else {
        rng.chance(0.3)
    };
    let logging = rng.chance(0.93);
    let (basic, advanced) = match rng.range(0, 9) {
        0 => (
            vec![],
            vec![AdvancedEventSelector {
                name: Some("Management events".into()),
                field_selectors: vec![AdvancedFieldSelector {
                    field: "eventCategory".into(),
                    equals: vec!["Management".into()],
                    ..Default::default()
                }],
            }],
        ),
        1 => (
            vec![EventSelector {
                read_write_type: Some("WriteOnly".into()),
                include_management_events: Some(true),
                ..Default::default()
            }],
            vec![],
        ),
        _ => (
            vec![EventSelector {
                read_write_type: Some("All".into()),
                include_management_events: Some(true),
                ..Default::default()
            }],
            vec![],
        ),
    };
    TrailData {
        trail: TrailRecord {
            name: Some(name.into()),
            trail_arn: Some(arn),
            home_region: Some(region.into()),
            is_multi_region_trail: Some(multi),
            is_organization_trail: Some(false),
            include_global_service_events: Some(multi),
            log_file_validation_enabled: Some(rng.chance(0.8)),
            kms_key_id: None,
            s3_bucket_name: Some(format!("cloudtrail-{acct}")),
            s3_key_prefix: None,
            sns_topic_name: None,
            sns_topic_arn: None,
            cloud_watch_logs_log_group_arn: delivers.then(|| log_group_arn(region, acct, group)),
            cloud_watch_logs_role_arn: delivers
                .then(|| format!("arn:aws:iam::{acct}:role/CloudTrail_CloudWatchLogs_Role")),
            has_custom_event_selectors: Some(!advanced.is_empty()),
            has_insight_selectors: Some(false),
        },
        status: Some(TrailStatus {
            is_logging: Some(logging),
            latest_delivery_time: Some("2026-11-20T09:58:12Z".into()),
            latest_cloud_watch_logs_delivery_time: delivers.then(|| "2026-11-20T09:58:40Z".into()),
            start_logging_time: Some("2024-06-01T12:00:00Z".into()),
            stop_logging_time: (!logging).then(|| "2026-10-01T08:00:00Z".into()),
            ..Default::default()
        }),
        event_selectors: Some(basic),
        advanced_event_selectors: Some(advanced),
        tags: Some(vec![]),
    }
}

/// A generated filter pattern.
struct Pattern {
    /// A short name for the filter (`cis-4-05`, `app-errors`).
    name: String,
    /// The pattern text.
    text: String,
    /// One of the CIS (or CloudGuard) patterns, in some spelling.
    cis: bool,
}

/// A CIS pattern made only of `$.eventName = X` alternatives, optionally under one
/// `$.eventSource = S`: these are respelled structurally.
struct EventFamily {
    source: Option<&'static str>,
    names: &'static [&'static str],
}

/// The event-name patterns of the CIS pack (4.4, 4.5, 4.7 to 4.15) and of the
/// CloudGuard policies, as sets: the respelled filters are drawn from these.
const FAMILIES: &[(&str, EventFamily)] = &[
    (
        "cis-4-04",
        EventFamily {
            source: None,
            names: &[
                "DeleteGroupPolicy",
                "DeleteRolePolicy",
                "DeleteUserPolicy",
                "PutGroupPolicy",
                "PutRolePolicy",
                "PutUserPolicy",
                "CreatePolicy",
                "DeletePolicy",
                "CreatePolicyVersion",
                "DeletePolicyVersion",
                "AttachRolePolicy",
                "DetachRolePolicy",
                "AttachUserPolicy",
                "DetachUserPolicy",
                "AttachGroupPolicy",
                "DetachGroupPolicy",
            ],
        },
    ),
    (
        "cis-4-05",
        EventFamily {
            source: None,
            names: &[
                "CreateTrail",
                "UpdateTrail",
                "DeleteTrail",
                "StartLogging",
                "StopLogging",
            ],
        },
    ),
    (
        "cis-4-07",
        EventFamily {
            source: Some("kms.amazonaws.com"),
            names: &["DisableKey", "ScheduleKeyDeletion"],
        },
    ),
    (
        "cis-4-08",
        EventFamily {
            source: Some("s3.amazonaws.com"),
            names: &[
                "PutBucketAcl",
                "PutBucketPolicy",
                "PutBucketCors",
                "PutBucketLifecycle",
                "PutBucketReplication",
                "DeleteBucketPolicy",
                "DeleteBucketCors",
                "DeleteBucketLifecycle",
                "DeleteBucketReplication",
            ],
        },
    ),
    (
        "cis-4-09",
        EventFamily {
            source: Some("config.amazonaws.com"),
            names: &[
                "StopConfigurationRecorder",
                "DeleteDeliveryChannel",
                "PutDeliveryChannel",
                "PutConfigurationRecorder",
            ],
        },
    ),
    (
        "cis-4-10",
        EventFamily {
            source: None,
            names: &[
                "AuthorizeSecurityGroupIngress",
                "AuthorizeSecurityGroupEgress",
                "RevokeSecurityGroupIngress",
                "RevokeSecurityGroupEgress",
                "CreateSecurityGroup",
                "DeleteSecurityGroup",
            ],
        },
    ),
    (
        "cis-4-11",
        EventFamily {
            source: None,
            names: &[
                "CreateNetworkAcl",
                "CreateNetworkAclEntry",
                "DeleteNetworkAcl",
                "DeleteNetworkAclEntry",
                "ReplaceNetworkAclEntry",
                "ReplaceNetworkAclAssociation",
            ],
        },
    ),
    (
        "cis-4-12",
        EventFamily {
            source: None,
            names: &[
                "CreateCustomerGateway",
                "DeleteCustomerGateway",
                "AttachInternetGateway",
                "CreateInternetGateway",
                "DeleteInternetGateway",
                "DetachInternetGateway",
            ],
        },
    ),
    (
        "cis-4-13",
        EventFamily {
            source: None,
            names: &[
                "CreateRoute",
                "CreateRouteTable",
                "ReplaceRoute",
                "ReplaceRouteTableAssociation",
                "DeleteRouteTable",
                "DeleteRoute",
                "DisassociateRouteTable",
            ],
        },
    ),
    (
        "cis-4-14",
        EventFamily {
            source: None,
            names: &[
                "CreateVpc",
                "DeleteVpc",
                "ModifyVpcAttribute",
                "AcceptVpcPeeringConnection",
                "CreateVpcPeeringConnection",
                "DeleteVpcPeeringConnection",
                "RejectVpcPeeringConnection",
                "AttachClassicLinkVpc",
                "DetachClassicLinkVpc",
                "DisableVpcClassicLink",
                "EnableVpcClassicLink",
            ],
        },
    ),
    (
        "cis-4-15",
        EventFamily {
            source: Some("organizations.amazonaws.com"),
            names: &[
                "AcceptHandshake",
                "AttachPolicy",
                "CreateAccount",
                "CreateOrganizationalUnit",
                "CreatePolicy",
                "DeclineHandshake",
                "DeleteOrganization",
                "DeleteOrganizationalUnit",
                "DeletePolicy",
                "DetachPolicy",
                "DisablePolicyType",
                "EnablePolicyType",
                "InviteAccountToOrganization",
                "LeaveOrganization",
                "MoveAccount",
                "RemoveAccountFromOrganization",
                "UpdatePolicy",
                "UpdateOrganizationalUnit",
            ],
        },
    ),
    (
        "cg-iam-login",
        EventFamily {
            source: None,
            names: &[
                "CreateAccessKey",
                "CreateLoginProfile",
                "UpdateLoginProfile",
            ],
        },
    ),
];

/// The CIS patterns with other shapes (4.1, 4.2, 4.3, 4.6), each in spellings that
/// catch every required event, then spellings that miss some (after the `|`).
const SHAPED: &[(&str, &[&str], &[&str])] = &[
    (
        "cis-4-01",
        &[
            r#"{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }"#,
            r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#,
            r#"{($.errorCode="*UnauthorizedOperation")||($.errorCode="AccessDenied*")}"#,
            r#"{ ($.errorCode = "AccessDenied*") || ($.errorCode = "*UnauthorizedOperation") }"#,
            r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }"#,
        ],
        &[
            r#"{ $.errorCode = "AccessDenied*" }"#,
            r#"{ ($.errorCode = "*UnauthorizedOperation") && ($.errorCode = "AccessDenied*") }"#,
            r#"{ ($.errorCode = "UnauthorizedOperation") || ($.errorCode = "AccessDenied") }"#,
        ],
    ),
    (
        "cis-4-02",
        &[
            r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
            r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#,
            r#"{($.eventName=ConsoleLogin)&&($.additionalEventData.MFAUsed!=Yes)}"#,
            r#"{ $.additionalEventData.MFAUsed != "Yes" && $.eventName = "ConsoleLogin" }"#,
        ],
        &[
            r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed = "No") }"#,
            r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "Root") }"#,
        ],
    ),
    (
        "cis-4-03",
        &[
            r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
            r#"{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent }"#,
            r#"{ ($.userIdentity.type = "Root") && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType != "AwsServiceEvent") }"#,
            r#"{ $.eventType != "AwsServiceEvent" && $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }"#,
            r#"{ $.userIdentity.type = "Root" }"#,
        ],
        &[
            r#"{ $.userIdentity.type = "root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
            r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy EXISTS }"#,
        ],
    ),
    (
        "cis-4-06",
        &[
            r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
            r#"{($.eventName=ConsoleLogin)&&($.errorMessage="Failed authentication")}"#,
            r#"{ $.errorMessage = "Failed authentication" && $.eventName = "ConsoleLogin" }"#,
        ],
        &[
            r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed") }"#,
            r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed Authentication") }"#,
        ],
    ),
];

/// Unrelated filters: templates with `{}` filled from a per-organization pool, so the
/// same texts recur across accounts, as they do in real organizations.
const UNRELATED: &[&str] = &[
    r#"{ $.eventName = "{}" }"#,
    r#"{ ($.eventSource = "{}.amazonaws.com") && ($.errorCode = "ThrottlingException") }"#,
    r#"{ $.errorCode = "{}" }"#,
    r#"{ $.userIdentity.arn = "arn:aws:iam::*:role/{}" }"#,
    r#"{ $.requestParameters.bucketName = "{}-logs" && $.eventName = "GetObject" }"#,
    r#"{ $.responseElements.status = "{}" }"#,
    r#"{ $.latency > {} }"#,
    r#"{ $.awsRegion = "{}" && $.eventName = "RunInstances" }"#,
    r#"ERROR {}"#,
    r#"?ERROR ?WARN ?{}"#,
    r#""{} failed""#,
    r#"[ip, user, timestamp, request, status_code = 5*, size > {}]"#,
    r#"[..., status = {}, bytes]"#,
];

const WORDS: &[&str] = &[
    "payments",
    "checkout",
    "search",
    "billing",
    "ingest",
    "etl",
    "auth",
    "audit",
    "api",
    "frontend",
    "batch",
    "reports",
    "ml",
    "cache",
    "queue",
    "mail",
    "cdn",
    "vault",
    "ops",
    "Deploy",
    "Admin",
    "ReadOnly",
    "DescribeInstances",
    "AssumeRole",
    "GetSecretValue",
    "PutObject",
    "CreateUser",
    "DeleteBucket",
    "Timeout",
    "OOM",
    "503",
    "1000",
    "250",
];

fn unrelated(rng: &mut Rng, seed: u64) -> Pattern {
    // An organization-wide pool of a few hundred texts: the template and word are
    // drawn from a stream of the seed alone, indexed by a per-account draw.
    let slot = rng.range(0, 399) as u64;
    let mut pool = Rng::new(seed ^ 0x5EED_F00D, slot);
    let template = *pool.pick(UNRELATED);
    let word = *pool.pick(WORDS);
    let text = if template.contains("> {}") || template.contains("status = {}") {
        template.replace("{}", &pool.range(100, 5000).to_string())
    } else {
        template.replace("{}", word)
    };
    Pattern {
        name: format!("app-{}", word.to_ascii_lowercase()),
        text,
        cis: false,
    }
}

/// The filter patterns of one log group: CIS spellings and unrelated filters, shuffled.
fn filter_patterns(rng: &mut Rng, seed: u64, shape: Shape) -> Vec<Pattern> {
    // CloudGuard's export carries fewer filters per trail: mostly the CIS ones.
    let total = match shape {
        Shape::Flat => rng.range(40, 100),
        Shape::Nested => rng.range(10, 25),
    };
    let mut out = Vec::with_capacity(total);
    // A careful account has most CIS filters; a careless one few.
    let coverage = *rng.pick(&[0.95, 0.9, 0.8, 0.6, 0.3]);
    for (name, fam) in FAMILIES {
        if rng.chance(coverage) {
            out.push(Pattern {
                name: (*name).into(),
                text: family_spelling(rng, fam),
                cis: true,
            });
        }
    }
    for (name, good, bad) in SHAPED {
        if rng.chance(coverage) {
            let text = if rng.chance(0.15) {
                rng.pick(bad)
            } else {
                rng.pick(good)
            };
            out.push(Pattern {
                name: (*name).into(),
                text: (*text).into(),
                cis: true,
            });
        }
    }
    // Now and then, a filter that matches every event.
    if rng.chance(0.01) {
        out.push(Pattern {
            name: "everything".into(),
            text: String::new(),
            cis: false,
        });
    }
    while out.len() < total {
        out.push(unrelated(rng, seed));
    }
    rng.shuffle(&mut out);
    out
}

/// One spelling of an event-name family; about one in six is subtly wrong.
fn family_spelling(rng: &mut Rng, fam: &EventFamily) -> String {
    let mut names: Vec<String> = fam.names.iter().map(|n| n.to_string()).collect();
    let mut source = fam.source.map(str::to_string);
    if rng.chance(0.16) {
        // Subtly wrong: one event missing, misspelt, or the wrong service.
        match rng.range(0, 2) {
            0 if names.len() > 1 => {
                let i = rng.range(0, names.len() - 1);
                names.remove(i);
            }
            1 => {
                let i = rng.range(0, names.len() - 1);
                names[i] = names[i].replacen("e", "", 1);
            }
            _ => match &mut source {
                Some(s) => *s = s.replace(".amazonaws.com", ".amazon.com"),
                None => names[0].push('s'),
            },
        }
    } else if rng.chance(0.1) {
        // Broader, still correct: an extra alternative.
        names.push("GetCallerIdentity".into());
    }
    if rng.chance(0.6) {
        rng.shuffle(&mut names);
    }
    let quote = rng.chance(0.4);
    let spaced = rng.chance(0.5);
    let parens = rng.chance(0.7);
    let q = |v: &str| {
        if quote {
            format!("\"{v}\"")
        } else {
            v.to_string()
        }
    };
    let eq = if spaced { " = " } else { "=" };
    let or = if spaced { " || " } else { "||" };
    let and = if spaced { " && " } else { "&&" };
    let clause = |field: &str, v: &str| {
        let c = format!("$.{field}{eq}{}", q(v));
        if parens {
            format!("({c})")
        } else {
            c
        }
    };
    let body = match &source {
        // The source distributed over the alternatives.
        Some(s) if rng.chance(0.25) => names
            .iter()
            .map(|n| {
                format!(
                    "({}{and}{})",
                    clause("eventSource", s),
                    clause("eventName", n)
                )
            })
            .collect::<Vec<_>>()
            .join(or),
        Some(s) => {
            let alts = names
                .iter()
                .map(|n| clause("eventName", n))
                .collect::<Vec<_>>()
                .join(or);
            if rng.chance(0.5) {
                format!("{}{and}({alts})", clause("eventSource", s))
            } else {
                format!("({alts}){and}{}", clause("eventSource", s))
            }
        }
        None => names
            .iter()
            .map(|n| clause("eventName", n))
            .collect::<Vec<_>>()
            .join(or),
    };
    if spaced {
        format!("{{ {body} }}")
    } else {
        format!("{{{body}}}")
    }
}
