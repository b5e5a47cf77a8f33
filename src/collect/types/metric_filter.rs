//! `MetricFilter`: every metric filter of every log group of a collected region (one
//! `DescribeMetricFilters` without a group per region), plus the filters of a trail's
//! log group in a region that is not collected. Also the filter as nested in a trail
//! (`metricFilters[]`) with its transformations joined to their alarms, and whether
//! its chain notifies someone.

use super::cloud_watch_alarm::{self, fires_on_one_event, Chain, CORE as ALARM_CORE};
use super::{cloud_trail, sns_topic};
use super::{flag, object, Call, Collected, EntityType, Scope, When};
use crate::collect::{graph, Service};
use crate::entity::schema::{identity, join, n, opt, p, PropType, Property, IDENTITY_LEN};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use PropType::{Number as N, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "MetricFilter",
    about: "One per metric filter of **every** log group of a collected region (one `DescribeMetricFilters`\nwithout `logGroupName` per region), plus the filters of a trail's log group in a region that is not\ncollected (`DescribeMetricFilters` with `logGroupName`). A filter on a log group no trail delivers to is\na `MetricFilter` entity but is in no trail's `metricFilters[]`, so a rule can find it and say so.",
    calls: &[DESCRIBE_METRIC_FILTERS],
    reads: &[
        cloud_trail::DESCRIBE_TRAILS.read(When::OnChain),
        cloud_watch_alarm::DESCRIBE_ALARMS.read(When::Always),
        sns_topic::LIST_SUBSCRIPTIONS.read(When::OnChain),
    ],
    properties: PROPERTIES,
    tables: &[],
    build,
};

/// Every filter of a region (without a log group), or of one log group.
pub const DESCRIBE_METRIC_FILTERS: Call = Call {
    service: Service::Logs,
    operation: "DescribeMetricFilters",
    scope: Scope::Region,
    paged: true,
};

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + CORE.len() }>(
    &identity(
        "`arn:<partition>:logs:<region>:<account>:log-group:<group>:*:metric-filter:<filterName>` (constructed)",
        "`\"MetricFilter\"`",
        "`filterName`",
        "the log group's region",
    ),
    CORE,
);

const TRANSFORMATION: &[Property] = &[
    p("metricName", S, "`metricName`"),
    p("metricNamespace", S, "`metricNamespace`"),
    p("metricValue", S, "`metricValue`"),
    n("defaultValue", N, "`defaultValue`"),
    n("unit", S, "`unit`"),
    p("dimensions", PropType::Map(&S), "`dimensions`"),
    p(
        "alarms",
        PropType::List(&PropType::Object(ALARM_CORE)),
        "the alarms on that metric in that region",
    ),
];

/// A metric filter as nested in a trail's `metricFilters[]` (and the entity without
/// its identity).
pub const CORE: &[Property] = &[
    p("filterName", S, "`filterName`"),
    n("filterPattern", S, "`filterPattern` (empty matches every event)"),
    p("logGroupName", S, "`logGroupName`"),
    n("creationTime", T, "`creationTime`"),
    p("hasSNSSubscriber", S, "derived from this filter's own alarms"),
    opt(
        "hasSNSSubscriberReason",
        S,
        "derived: the broken link when `hasSNSSubscriber` is `\"false\"`",
    ),
    p(
        "hasStrictSNSSubscriber",
        S,
        "derived: `\"true\"` when one of this filter's alarms notifies a confirmed subscriber **and** fires on one matching event ([`firesOnOneEvent`](#firesononeevent), with the filter's `metricValue` as what one event adds); tested by `gsl check --strict-chain`",
    ),
    opt(
        "hasStrictSNSSubscriberReason",
        S,
        "derived: when `hasStrictSNSSubscriber` is `\"false\"`, the broken link (as `hasSNSSubscriberReason`), or the setting of each notifying alarm that prevents it from firing",
    ),
    p(
        "metricTransformations",
        PropType::List(&PropType::Object(TRANSFORMATION)),
        "`metricTransformations` (below)",
    ),
];

/// The records: metric filters.
pub type Record = MetricFilterRecord;

/// A metric filter (CloudWatch Logs DescribeMetricFilters).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricFilterRecord {
    /// The region of its log group.
    pub region: String,
    /// `filterName`.
    pub filter_name: String,
    /// `filterPattern` (may be empty: matches every event).
    pub filter_pattern: Option<String>,
    /// `logGroupName`.
    pub log_group_name: String,
    /// `creationTime`, RFC 3339.
    pub creation_time: Option<String>,
    /// `metricTransformations[]`.
    #[serde(default)]
    pub metric_transformations: Vec<MetricTransformation>,
}

/// `MetricTransformation` of a metric filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricTransformation {
    /// `metricName`.
    pub metric_name: String,
    /// `metricNamespace`.
    pub metric_namespace: String,
    /// `metricValue`.
    pub metric_value: String,
    /// `defaultValue`.
    pub default_value: Option<f64>,
    /// `unit`.
    #[serde(default)]
    pub unit: Option<String>,
    /// `dimensions` (field name → `$.field` selector).
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
}

/// The filters of one account, sorted by (region, log group, name), and by log group.
pub struct Filters<'a> {
    /// Every filter, sorted.
    pub sorted: Vec<&'a MetricFilterRecord>,
    by_group: HashMap<&'a str, HashMap<&'a str, Vec<&'a MetricFilterRecord>>>,
}

impl<'a> Filters<'a> {
    /// The index of `filters`.
    pub fn new(filters: &'a [MetricFilterRecord]) -> Self {
        let mut sorted: Vec<&MetricFilterRecord> = filters.iter().collect();
        sorted.sort_by(|a, b| {
            (&a.region, &a.log_group_name, &a.filter_name).cmp(&(
                &b.region,
                &b.log_group_name,
                &b.filter_name,
            ))
        });
        let mut by_group: HashMap<&str, HashMap<&str, Vec<&MetricFilterRecord>>> =
            HashMap::new();
        for f in &sorted {
            by_group
                .entry(f.region.as_str())
                .or_default()
                .entry(f.log_group_name.as_str())
                .or_default()
                .push(f);
        }
        Filters { sorted, by_group }
    }

    /// The filters of the log group `name` in `region`, sorted by name.
    pub fn of_group(&self, region: &str, name: &str) -> &[&'a MetricFilterRecord] {
        self.by_group
            .get(region)
            .and_then(|groups| groups.get(name))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

fn build(c: &Collected) -> Vec<Json> {
    let chain = Chain::new(c);
    Filters::new(&c.metric_filters)
        .sorted
        .iter()
        .map(|f| {
            let id = format!(
                "arn:{}:logs:{}:{}:log-group:{}:*:metric-filter:{}",
                graph::partition_of(&f.region),
                f.region,
                c.account_number,
                f.log_group_name,
                f.filter_name
            );
            let mut m =
                super::identity(&id, TYPE.name, &f.filter_name, &c.account_number, &f.region);
            m.extend(core(&chain, f));
            Json::Object(m)
        })
        .collect()
}

/// What one event adds to the metric a transformation publishes: its `metricValue`
/// when that is a number, `None` for a `$.field` selector.
fn event_value(t: &MetricTransformation) -> Option<f64> {
    t.metric_value.trim().parse::<f64>().ok()
}

/// An alarm on one of the filter's own metrics notifies a confirmed subscriber.
pub fn notifies(chain: &Chain<'_>, filter: &MetricFilterRecord) -> bool {
    filter.metric_transformations.iter().any(|t| {
        chain
            .alarms
            .on_metric(&filter.region, t)
            .iter()
            .any(|a| chain.alarm_notifies(a))
    })
}

/// The strict chain: an alarm on one of the filter's metrics notifies a confirmed
/// subscriber and fires on one matching event ([`fires_on_one_event`]).
fn notifies_strictly(chain: &Chain<'_>, filter: &MetricFilterRecord) -> bool {
    filter.metric_transformations.iter().any(|t| {
        chain
            .alarms
            .on_metric(&filter.region, t)
            .iter()
            .any(|a| chain.alarm_notifies(a) && fires_on_one_event(a, event_value(t)).is_ok())
    })
}

/// Why the filter's strict chain is broken: the lenient gap when no alarm notifies a
/// confirmed subscriber, else the setting of each notifying alarm that prevents it
/// from firing on one event. `None` when the strict chain holds.
fn strict_gap(chain: &Chain<'_>, filter: &MetricFilterRecord) -> Option<String> {
    if notifies_strictly(chain, filter) {
        return None;
    }
    if let Some(gap) = gap(chain, filter) {
        return Some(gap);
    }
    let gaps: Vec<String> = filter
        .metric_transformations
        .iter()
        .flat_map(|t| {
            chain
                .alarms
                .on_metric(&filter.region, t)
                .into_iter()
                .filter(|a| chain.alarm_notifies(a))
                .filter_map(move |a| fires_on_one_event(a, event_value(t)).err())
                    .map(|why| why.to_string())
        })
        .collect();
    Some(gaps.join("; "))
}

/// Why a metric filter's alarms notify no confirmed subscriber, naming the broken link
/// of each metric it publishes; `None` when one does.
fn gap(chain: &Chain<'_>, filter: &MetricFilterRecord) -> Option<String> {
    if notifies(chain, filter) {
        return None;
    }
    if filter.metric_transformations.is_empty() {
        return Some("the filter publishes no metric".to_string());
    }
    let gaps: Vec<String> = filter
        .metric_transformations
        .iter()
        .map(|t| {
            let alarms = chain.alarms.on_metric(&filter.region, t);
            if alarms.is_empty() {
                let dims = if t.dimensions.is_empty() {
                    String::new()
                } else {
                    format!(
                        " with dimensions {}",
                        t.dimensions.keys().cloned().collect::<Vec<_>>().join(", ")
                    )
                };
                format!(
                    "no alarm watches metric \"{}\" in namespace \"{}\"{dims} ({})",
                    t.metric_name, t.metric_namespace, filter.region
                )
            } else {
                alarms
                    .iter()
                    .filter_map(|a| chain.alarm_gap(a))
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        })
        .collect();
    Some(gaps.join("; "))
}

/// The filter as nested in a trail's `metricFilters[]`: [`CORE`].
pub fn core(chain: &Chain<'_>, f: &MetricFilterRecord) -> Map<String, Json> {
    let transformations: Vec<Json> = f
        .metric_transformations
        .iter()
        .map(|t| {
            let mut m = object(t);
            let alarms: Vec<Json> = chain
                .alarms
                .on_metric(&f.region, t)
                .iter()
                .map(|a| Json::Object(chain.alarm_core(a)))
                .collect();
            m.insert("alarms".into(), Json::Array(alarms));
            Json::Object(m)
        })
        .collect();
    let mut m = Map::new();
    m.insert("filterName".into(), json!(f.filter_name));
    m.insert("filterPattern".into(), json!(f.filter_pattern));
    m.insert("logGroupName".into(), json!(f.log_group_name));
    m.insert("creationTime".into(), json!(f.creation_time));
    m.insert("hasSNSSubscriber".into(), flag(notifies(chain, f)));
    if let Some(gap) = gap(chain, f) {
        m.insert("hasSNSSubscriberReason".into(), json!(gap));
    }
    m.insert(
        "hasStrictSNSSubscriber".into(),
        flag(notifies_strictly(chain, f)),
    );
    if let Some(gap) = strict_gap(chain, f) {
        m.insert("hasStrictSNSSubscriberReason".into(), json!(gap));
    }
    m.insert("metricTransformations".into(), Json::Array(transformations));
    m
}

/// DescribeMetricFilters calls: one without a log group per collected region (so a
/// filter on a log group no trail delivers to is seen too), and one per trail log
/// group in a region that is not collected.
pub fn calls(
    collected: &[String],
    groups: &BTreeSet<(String, String)>,
) -> Vec<(String, Option<String>)> {
    let mut calls: Vec<(String, Option<String>)> =
        collected.iter().map(|r| (r.clone(), None)).collect();
    calls.extend(
        groups
            .iter()
            .filter(|(r, _)| !collected.contains(r))
            .map(|(r, n)| (r.clone(), Some(n.clone()))),
    );
    calls
}

/// Records with every field set (Two filters on `g` (one without an alarm of its own) and two on a group no trail delivers to (`undeliveredMetricFilters`).), joined with the other types' examples into
/// one account by the tests that hold the schema to what `build` writes
/// (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "metricFilters": [
  {
   "region": "us-east-1",
   "filterName": "f",
   "filterPattern": "{ $.a = 1 }",
   "logGroupName": "g",
   "creationTime": "2026-01-01T00:00:00Z",
   "metricTransformations": [
    {
     "metricName": "M",
     "metricNamespace": "NS",
     "metricValue": "1",
     "defaultValue": 0.0,
     "unit": "Count",
     "dimensions": {
      "who": "$.user"
     }
    }
   ]
  },
  {
   "region": "us-east-1",
   "filterName": "f2",
   "filterPattern": "{ $.b = 1 }",
   "logGroupName": "g",
   "creationTime": "2026-01-01T00:00:00Z",
   "metricTransformations": [
    {
     "metricName": "M2",
     "metricNamespace": "NS",
     "metricValue": "1",
     "defaultValue": 0.0,
     "unit": "Count",
     "dimensions": {}
    }
   ]
  },
  {
   "region": "us-east-1",
   "filterName": "f3",
   "filterPattern": "{ $.c = 1 }",
   "logGroupName": "elsewhere",
   "creationTime": "2026-01-01T00:00:00Z",
   "metricTransformations": [
    {
     "metricName": "M3",
     "metricNamespace": "NS",
     "metricValue": "1",
     "defaultValue": 0.0,
     "unit": "Count",
     "dimensions": {}
    }
   ]
  },
  {
   "region": "us-east-1",
   "filterName": "f4",
   "filterPattern": "{ $.d = 1 }",
   "logGroupName": "elsewhere",
   "creationTime": "2026-01-01T00:00:00Z",
   "metricTransformations": [
    {
     "metricName": "M4",
     "metricNamespace": "NS",
     "metricValue": "1",
     "defaultValue": 0.0,
     "unit": "Count",
     "dimensions": {}
    }
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{calls, MetricFilterRecord, MetricTransformation};
    use crate::collect::call::Session;
    use crate::collect::convert::{epoch_millis, owned};
    use crate::collect::types::log_group;
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_cloudwatchlogs::types as logs;
    use aws_sdk_cloudwatchlogs::Client;
    use futures::future::{join_all, BoxFuture};

    /// Once the trails are listed: every filter of each collected region, and of the
    /// trails' log groups elsewhere (a group of another account is recorded).
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn account<'a>(&'a self, w: &'a Walk<'a>) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                let (groups, issues) = log_group::of_trails(w);
                issues.into_iter().for_each(|i| w.s.issue(i));
                let planned = calls(w.regions(), &groups);
                let found = join_all(
                    planned
                        .iter()
                        .map(|(region, group)| metric_filters(w.s, region, group.as_deref())),
                )
                .await;
                let filters: Vec<MetricFilterRecord> = found.into_iter().flatten().flatten().collect();
                w.write(|c| c.metric_filters = filters);
            })
        }
    }

    /// The metric filters of the log group `group` of `region`, or of every log group
    /// of the region without a group (`None`: not collected).
    async fn metric_filters(
        s: &Session,
        region: &str,
        group: Option<&str>,
    ) -> Option<Vec<MetricFilterRecord>> {
        let client: Client = s.client(region);
        let mut out = Vec::new();
        let result = s
            .paginate(
                Service::Logs,
                "DescribeMetricFilters",
                |token| {
                    client
                        .describe_metric_filters()
                        .set_log_group_name(group.map(str::to_string))
                        .set_next_token(token)
                        .send()
                },
                |p| {
                    out.extend(
                        p.metric_filters()
                            .iter()
                            .filter_map(|f| metric_filter(region, group, f)),
                    );
                    p.next_token().map(str::to_string)
                },
            )
            .await;
        match result {
            Ok(()) => Some(out),
            // The group does not exist: it has no filters.
            Err(f) if f.code == "ResourceNotFoundException" => Some(out),
            Err(f) => {
                s.record(region, Service::Logs, "DescribeMetricFilters", f, true);
                None
            }
        }
    }

    /// DescribeMetricFilters `metricFilters[]` item; `group` is the log group asked for
    /// (used when the reply leaves `logGroupName` out). `None` without a filter name,
    /// or without a log group name when none was asked for.
    pub(crate) fn metric_filter(
        region: &str,
        group: Option<&str>,
        f: &logs::MetricFilter,
    ) -> Option<MetricFilterRecord> {
        Some(MetricFilterRecord {
            region: region.to_string(),
            filter_name: f.filter_name()?.to_string(),
            filter_pattern: owned(f.filter_pattern()),
            log_group_name: f.log_group_name().or(group)?.to_string(),
            creation_time: epoch_millis(f.creation_time()),
            metric_transformations: f
                .metric_transformations()
                .iter()
                .map(|t| MetricTransformation {
                    metric_name: t.metric_name().to_string(),
                    metric_namespace: t.metric_namespace().to_string(),
                    metric_value: t.metric_value().to_string(),
                    default_value: t.default_value(),
                    unit: t.unit().map(|u| u.as_str().to_string()),
                    dimensions: t
                        .dimensions()
                        .map(|d| d.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                        .unwrap_or_default(),
                })
                .collect(),
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn metric_filter_takes_the_asked_group_when_absent() {
            let f = logs::MetricFilter::builder()
                .filter_name("f")
                .filter_pattern("")
                .metric_transformations(
                    logs::MetricTransformation::builder()
                        .metric_name("M")
                        .metric_namespace("NS")
                        .metric_value("1")
                        .build()
                        .expect("valid"),
                )
                .build();
            let r = metric_filter("eu-west-1", Some("g"), &f).expect("named filter");
            assert_eq!(r.log_group_name, "g");
            assert_eq!(r.filter_pattern.as_deref(), Some(""));
            assert_eq!(r.metric_transformations[0].metric_namespace, "NS");
            assert_eq!(r.region, "eu-west-1");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_filters_region_wide_and_outside_groups() {
        let groups: BTreeSet<(String, String)> = [
            ("us-east-1".to_string(), "a".to_string()),
            ("ap-south-1".to_string(), "b".to_string()),
        ]
        .into();
        assert_eq!(
            calls(&["us-east-1".into(), "eu-west-1".into()], &groups),
            vec![
                ("us-east-1".to_string(), None),
                ("eu-west-1".to_string(), None),
                ("ap-south-1".to_string(), Some("b".to_string())),
            ]
        );
    }
}
