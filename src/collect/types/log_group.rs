//! `LogGroup`: the CloudWatch Logs groups trails deliver to (`DescribeLogGroups` with
//! the name as prefix, exact match kept), with the metric filters collected for them.

use super::cloud_trail::{self, PlannedTrail};
use super::metric_filter::{self, Filters};
use super::{Call, Collected, EntityType, Scope, When};
use crate::collect::plan::Issue;
use crate::collect::{graph, Service};
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use std::collections::BTreeSet;
use PropType::{Number as N, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "LogGroup",
    about: "The log groups trails deliver to (`DescribeLogGroups` with the name as prefix, exact match kept). A trail\npointing at a log group that does not exist yields no `LogGroup` entity and no metric filters.",
    calls: &[Call {
        service: Service::Logs,
        operation: "DescribeLogGroups",
        scope: Scope::Each("log group a trail delivers to"),
        paged: true,
    }],
    reads: &[
        cloud_trail::DESCRIBE_TRAILS.read(When::OnChain),
        metric_filter::DESCRIBE_METRIC_FILTERS.read(When::Always),
    ],
    properties: PROPERTIES,
    tables: &[],
    build,
};

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`arn` (ends in `:*`; constructed if absent)",
        "`\"LogGroup\"`",
        "`logGroupName`",
        "the group's region",
    ),
    OWN,
);

/// What a `LogGroup` has besides its identity.
const OWN: &[Property] = &[
    p("arn", S, "`arn` (ends in `:*`; constructed if absent)"),
    n("retentionInDays", N, "`retentionInDays` (null: never expire)"),
    n("kmsKeyId", S, "`kmsKeyId`"),
    n("storedBytes", N, "`storedBytes`"),
    n("creationTime", T, "`creationTime`"),
    n("logGroupClass", S, "`logGroupClass`"),
    p(
        "metricFilterCount",
        N,
        "the number of metric filters collected for the group",
    ),
    p(
        "metricFilters",
        PropType::List(&PropType::Object(FILTER_BRIEF)),
        "`{filterName, filterPattern}` of those filters",
    ),
];

const FILTER_BRIEF: &[Property] = &[
    p("filterName", S, "`filterName`"),
    n("filterPattern", S, "`filterPattern`"),
];

/// The records: log groups.
pub type Record = LogGroupRecord;

/// A log group (CloudWatch Logs DescribeLogGroups).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogGroupRecord {
    /// The region the group lives in.
    pub region: String,
    /// `logGroupName`.
    pub name: String,
    /// `arn` (ends in `:*`).
    pub arn: Option<String>,
    /// `retentionInDays` (`None`: never expire).
    pub retention_in_days: Option<i32>,
    /// `kmsKeyId`.
    pub kms_key_id: Option<String>,
    /// `storedBytes`.
    pub stored_bytes: Option<i64>,
    /// `creationTime`, RFC 3339.
    pub creation_time: Option<String>,
    /// `logGroupClass` (`STANDARD`, `INFREQUENT_ACCESS`, ...).
    #[serde(default)]
    pub log_group_class: Option<String>,
}

fn build(c: &Collected) -> Vec<Json> {
    let filters = Filters::new(&c.metric_filters);
    let mut groups: Vec<&LogGroupRecord> = c.log_groups.iter().collect();
    groups.sort_by(|a, b| (&a.region, &a.name).cmp(&(&b.region, &b.name)));
    groups
        .iter()
        .map(|g| {
            let group_filters = filters.of_group(&g.region, &g.name);
            let arn = g.arn.clone().unwrap_or_else(|| {
                format!(
                    "arn:{}:logs:{}:{}:log-group:{}:*",
                    graph::partition_of(&g.region),
                    g.region,
                    c.account_number,
                    g.name
                )
            });
            let mut m = super::identity(&arn, TYPE.name, &g.name, &c.account_number, &g.region);
            m.insert("arn".into(), json!(arn));
            m.insert("retentionInDays".into(), json!(g.retention_in_days));
            m.insert("kmsKeyId".into(), json!(g.kms_key_id));
            m.insert("storedBytes".into(), json!(g.stored_bytes));
            m.insert("creationTime".into(), json!(g.creation_time));
            m.insert("logGroupClass".into(), json!(g.log_group_class));
            m.insert("metricFilterCount".into(), json!(group_filters.len()));
            let brief: Vec<Json> = group_filters
                .iter()
                .map(|f| json!({ "filterName": f.filter_name, "filterPattern": f.filter_pattern }))
                .collect();
            m.insert("metricFilters".into(), Json::Array(brief));
            Json::Object(m)
        })
        .collect()
}

/// `arn:<partition>:logs:<region>:<account>:log-group:<name>[:*]` → (region, name).
pub fn parse_log_group_arn(arn: &str) -> Option<(String, String)> {
    let mut parts = arn.splitn(7, ':');
    let (prefix, _partition, service, region, _account, kind, rest) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if prefix != "arn" || service != "logs" || kind != "log-group" || region.is_empty() {
        return None;
    }
    // Log group names cannot contain ':'; what follows is the `:*` stream wildcard.
    let name = rest.split(':').next().unwrap_or_default();
    if name.is_empty() {
        return None;
    }
    Some((region.to_string(), name.to_string()))
}

/// The (region, name) of each log group of `account` the trails deliver to. A group
/// of another account is an issue: its filters are not visible here.
pub fn plan(trails: &[PlannedTrail], account: &str) -> (BTreeSet<(String, String)>, Vec<Issue>) {
    let mut groups = BTreeSet::new();
    let mut issues = Vec::new();
    for t in trails {
        let Some(arn) = t.trail.cloud_watch_logs_log_group_arn.as_deref() else {
            continue;
        };
        match (parse_log_group_arn(arn), graph::arn_account(arn)) {
            (Some((region, _)), Some(owner)) if owner != account => issues.push(Issue {
                region: Some(region),
                service: Service::Logs,
                operation: "DescribeMetricFilters",
                code: "OtherAccount".into(),
                message: format!(
                    "the trail {} delivers to {arn} in account {owner}; collect that account to see the log group's metric filters",
                    t.arn()
                ),
                on_chain: true,
            }),
            (Some(g), _) => {
                groups.insert(g);
            }
            (None, _) => {}
        }
    }
    (groups, issues)
}

/// Records with every field set (The log group `g` the example trail delivers to.), joined with the other types' examples into
/// one account by the tests that hold the schema to what `build` writes
/// (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "logGroups": [
  {
   "region": "us-east-1",
   "name": "g",
   "arn": "arn:aws:logs:us-east-1:111111111111:log-group:g:*",
   "retentionInDays": 90,
   "kmsKeyId": "k",
   "storedBytes": 1,
   "creationTime": "2026-01-01T00:00:00Z",
   "logGroupClass": "STANDARD"
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::{of_trails, Fetcher};

#[cfg(feature = "aws")]
mod fetch {
    use super::{plan, LogGroupRecord};
    use crate::collect::call::Session;
    use crate::collect::convert::{epoch_millis, owned};
    use crate::collect::plan::Issue;
    use crate::collect::types::cloud_trail;
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_cloudwatchlogs::types as logs;
    use aws_sdk_cloudwatchlogs::Client;
    use futures::future::{join_all, BoxFuture};
    use std::collections::BTreeSet;

    /// Once the trails are listed: each log group they deliver to.
    pub(crate) struct Fetcher;

    /// The log groups the walk's trails deliver to, and the groups of other accounts
    /// (as issues, for the caller to record once).
    pub(crate) fn of_trails(w: &Walk<'_>) -> (BTreeSet<(String, String)>, Vec<Issue>) {
        plan(&cloud_trail::planned(w), &w.s.account)
    }

    impl Fetch for Fetcher {

        fn account<'a>(&'a self, w: &'a Walk<'a>) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                let (groups, _) = of_trails(w);
                let found = join_all(
                    groups
                        .iter()
                        .map(|(region, name)| log_group(w.s, region, name)),
                )
                .await;
                let groups: Vec<LogGroupRecord> = found.into_iter().flatten().collect();
                w.write(|c| c.log_groups = groups);
            })
        }
    }

    /// The log group `name` of `region`, if it exists.
    async fn log_group(s: &Session, region: &str, name: &str) -> Option<LogGroupRecord> {
        let client: Client = s.client(region);
        let mut found = None;
        let result = s
            .paginate(
                Service::Logs,
                "DescribeLogGroups",
                |token| {
                    client
                        .describe_log_groups()
                        .log_group_name_prefix(name)
                        .set_next_token(token)
                        .send()
                },
                |p| {
                    if let Some(g) = p
                        .log_groups()
                        .iter()
                        .find(|g| g.log_group_name() == Some(name))
                    {
                        found = record(region, g);
                        return None; // found: no more pages needed
                    }
                    p.next_token().map(str::to_string)
                },
            )
            .await;
        if let Err(f) = result {
            s.record(region, Service::Logs, "DescribeLogGroups", f, false);
        }
        found
    }

    /// DescribeLogGroups `logGroups[]` item, or `None` without a name.
    fn record(region: &str, g: &logs::LogGroup) -> Option<LogGroupRecord> {
        Some(LogGroupRecord {
            region: region.to_string(),
            name: g.log_group_name()?.to_string(),
            arn: owned(g.arn()),
            retention_in_days: g.retention_in_days(),
            kms_key_id: owned(g.kms_key_id()),
            stored_bytes: g.stored_bytes(),
            creation_time: epoch_millis(g.creation_time()),
            log_group_class: g.log_group_class().map(|c| c.as_str().to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::types::cloud_trail::TrailRecord;

    const ACCOUNT: &str = "123456789012";

    #[test]
    fn log_group_arns() {
        assert_eq!(
            parse_log_group_arn(
                "arn:aws:logs:us-east-1:123456789012:log-group:CloudTrail/Default:*"
            ),
            Some(("us-east-1".into(), "CloudTrail/Default".into()))
        );
        assert_eq!(
            parse_log_group_arn("arn:aws-cn:logs:cn-north-1:123456789012:log-group:g"),
            Some(("cn-north-1".into(), "g".into()))
        );
        for bad in [
            "",
            "not-an-arn",
            "arn:aws:s3:::bucket",
            "arn:aws:logs::123456789012:log-group:g:*",
            "arn:aws:logs:us-east-1:123456789012:log-group::*",
            "arn:aws:logs:us-east-1:123456789012:destination:d",
        ] {
            assert_eq!(parse_log_group_arn(bad), None, "{bad}");
        }
    }

    fn planned(arn: &str, group: Option<&str>) -> PlannedTrail {
        PlannedTrail {
            trail: TrailRecord {
                trail_arn: Some(arn.into()),
                cloud_watch_logs_log_group_arn: group.map(str::to_string),
                ..Default::default()
            },
            home: "us-east-1".into(),
        }
    }

    #[test]
    fn log_groups_of_this_account_only() {
        let (groups, issues) = plan(
            &[
                planned(
                    "arn:aws:cloudtrail:us-east-1:123456789012:trail/main",
                    Some("arn:aws:logs:us-east-1:123456789012:log-group:g:*"),
                ),
                planned(
                    "arn:x2",
                    Some("arn:aws:logs:eu-west-1:999999999999:log-group:org:*"),
                ),
                planned("arn:x3", Some("not-an-arn")),
                planned("arn:x4", None),
            ],
            ACCOUNT,
        );
        assert_eq!(
            groups.into_iter().collect::<Vec<_>>(),
            vec![("us-east-1".to_string(), "g".to_string())]
        );
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].code, "OtherAccount");
        assert_eq!(issues[0].region.as_deref(), Some("eu-west-1"));
        assert!(issues[0].on_chain);
    }
}
