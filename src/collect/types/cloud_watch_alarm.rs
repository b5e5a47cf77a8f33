//! `CloudWatchAlarm`: every metric alarm of each collected region (`DescribeAlarms`),
//! and of a trail's log-group region that is not collected. Also the alarm half of the
//! trail's chain: which alarms watch a metric filter's metric ([`AlarmIndex`]),
//! whether an alarm notifies a confirmed subscriber and fires on one event
//! ([`Chain`]), and the alarm as nested under a metric transformation.

use super::sns_topic::{self, Topics, SUBSCRIPTION};
use super::{flag, object, Call, Collected, EntityType, Scope, When};
use crate::collect::types::metric_filter::{MetricFilterRecord, MetricTransformation};
use crate::collect::{graph, Service};
use crate::entity::schema::{identity, join, n, opt, p, PropType, Property, IDENTITY_LEN, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};
use std::collections::{BTreeSet, HashMap, HashSet};
use PropType::{Boolean as B, Number as N, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "CloudWatchAlarm",
    about: "Every metric alarm of each collected region (`DescribeAlarms`, `AlarmTypes=MetricAlarm`), and of a\ntrail's log-group region if that region was not collected.",
    calls: &[DESCRIBE_ALARMS],
    reads: &[sns_topic::LIST_SUBSCRIPTIONS.read(When::OnChain)],
    properties: PROPERTIES,
    tables: &[],
    build,
};

/// The metric alarms of a region, 100 a page.
pub const DESCRIBE_ALARMS: Call = Call {
    service: Service::CloudWatch,
    operation: "DescribeAlarms",
    scope: Scope::Region,
    paged: true,
};

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`AlarmArn` (constructed if absent)",
        "`\"CloudWatchAlarm\"`",
        "`AlarmName`",
        "the region collected",
    ),
    OWN,
);

/// An alarm action with its topic's subscriptions.
pub const ACTION: &[Property] = &[
    p("action", S, "an `AlarmActions` ARN"),
    p(
        "subscriptions",
        PropType::List(&PropType::Object(SUBSCRIPTION)),
        "the topic's subscriptions (`[]` for non-SNS actions and topics that do not exist)",
    ),
];

/// An alarm as nested under a metric transformation (and the core of the entity).
pub const CORE: &[Property] = &[
    p("name", S, "`AlarmName`"),
    n("arn", S, "`AlarmArn`"),
    n("description", S, "`AlarmDescription`"),
    n("metricName", S, "`MetricName`"),
    n("namespace", S, "`Namespace`"),
    n("actionsEnabled", B, "`ActionsEnabled`"),
    n("stateValue", S, "`StateValue`"),
    p("actions", PropType::List(&PropType::Object(ACTION)), "`AlarmActions` with subscriptions"),
    p("hasSNSSubscriber", S, "derived"),
    opt("hasSNSSubscriberReason", S, "derived"),
    p("firesOnOneEvent", S, "derived"),
    opt("firesOnOneEventReason", S, "derived"),
];

const DIMENSION: &[Property] = &[n("name", S, "`Name`"), n("value", S, "`Value`")];

const METRIC: &[Property] = &[
    n("id", S, "`Id`"),
    n("metricName", S, "`MetricStat.Metric.MetricName`"),
    n("namespace", S, "`MetricStat.Metric.Namespace`"),
    p(
        "dimensions",
        PropType::List(&PropType::Object(DIMENSION)),
        "`MetricStat.Metric.Dimensions`",
    ),
];

/// What a `CloudWatchAlarm` has besides its identity.
const OWN: &[Property] = &[
    p("arn", S, "`AlarmArn` (constructed if absent)"),
    n("description", S, "`AlarmDescription`"),
    n("metricName", S, "`MetricName` (null on metric-math alarms)"),
    n("namespace", S, "`Namespace` (null on metric-math alarms)"),
    n("actionsEnabled", B, "`ActionsEnabled`"),
    n("stateValue", S, "`StateValue`: `OK`, `ALARM`, `INSUFFICIENT_DATA`"),
    n("stateUpdatedTimestamp", T, "`StateUpdatedTimestamp`"),
    p(
        "actions",
        PropType::List(&PropType::Object(ACTION)),
        "`AlarmActions`, each `{action, subscriptions[]}` with the topic's subscriptions",
    ),
    p("hasSNSSubscriber", S, "derived: an enabled action whose topic has a confirmed subscription (see above)"),
    opt("hasSNSSubscriberReason", S, "derived: the broken link when `hasSNSSubscriber` is `\"false\"`"),
    p("firesOnOneEvent", S, "derived (below)"),
    opt("firesOnOneEventReason", S, "derived: the setting that prevents it, when `firesOnOneEvent` is `\"false\"`"),
    p("alarmActions", STRINGS, "`AlarmActions`"),
    p("okActions", STRINGS, "`OKActions`"),
    p("insufficientDataActions", STRINGS, "`InsufficientDataActions`"),
    n("statistic", S, "`Statistic`"),
    n("period", N, "`Period`"),
    n("evaluationPeriods", N, "`EvaluationPeriods`"),
    n("threshold", N, "`Threshold`"),
    n("comparisonOperator", S, "`ComparisonOperator`"),
    n("treatMissingData", S, "`TreatMissingData`"),
    p(
        "dimensions",
        PropType::List(&PropType::Object(DIMENSION)),
        "`Dimensions`: `{name, value}`",
    ),
    p(
        "metrics",
        PropType::List(&PropType::Object(METRIC)),
        "metric-math inputs: `{id, metricName, namespace, dimensions[]}` from `Metrics[].MetricStat.Metric`",
    ),
];

/// The records: metric alarms.
pub type Record = AlarmRecord;

/// A metric alarm (CloudWatch DescribeAlarms `MetricAlarms[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlarmRecord {
    /// The region the alarm lives in.
    pub region: String,
    /// `AlarmName`.
    pub name: String,
    /// `AlarmArn`.
    pub arn: Option<String>,
    /// `AlarmDescription`.
    pub description: Option<String>,
    /// `MetricName` (absent on metric-math alarms).
    pub metric_name: Option<String>,
    /// `Namespace`.
    pub namespace: Option<String>,
    /// `ActionsEnabled`.
    pub actions_enabled: Option<bool>,
    /// `StateValue`: `OK`, `ALARM`, `INSUFFICIENT_DATA`.
    pub state_value: Option<String>,
    /// `StateUpdatedTimestamp`, RFC 3339.
    #[serde(default)]
    pub state_updated_timestamp: Option<String>,
    /// `AlarmActions[]`.
    #[serde(default)]
    pub alarm_actions: Vec<String>,
    /// `OKActions[]`.
    #[serde(default)]
    pub ok_actions: Vec<String>,
    /// `InsufficientDataActions[]`.
    #[serde(default)]
    pub insufficient_data_actions: Vec<String>,
    /// `Statistic`.
    #[serde(default)]
    pub statistic: Option<String>,
    /// `Period` (seconds).
    #[serde(default)]
    pub period: Option<i32>,
    /// `EvaluationPeriods`.
    #[serde(default)]
    pub evaluation_periods: Option<i32>,
    /// `Threshold`.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// `ComparisonOperator`.
    #[serde(default)]
    pub comparison_operator: Option<String>,
    /// `TreatMissingData`.
    #[serde(default)]
    pub treat_missing_data: Option<String>,
    /// `Dimensions[]`.
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
    /// The metrics a metric-math alarm reads (`Metrics[].MetricStat.Metric`).
    #[serde(default)]
    pub metrics: Vec<AlarmMetric>,
}

/// A CloudWatch metric dimension.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dimension {
    /// `Name`.
    pub name: Option<String>,
    /// `Value`.
    pub value: Option<String>,
}

/// One metric read by a metric-math alarm.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlarmMetric {
    /// `Id` of the query.
    pub id: Option<String>,
    /// `MetricStat.Metric.MetricName`.
    pub metric_name: Option<String>,
    /// `MetricStat.Metric.Namespace`.
    pub namespace: Option<String>,
    /// `MetricStat.Metric.Dimensions[]`.
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
}

fn build(c: &Collected) -> Vec<Json> {
    let chain = Chain::new(c);
    let mut list: Vec<&AlarmRecord> = c.alarms.iter().collect();
    list.sort_by(|a, b| (&a.region, &a.name).cmp(&(&b.region, &b.name)));
    list.iter().map(|a| chain.alarm_entity(a)).collect()
}

/// Regions of trail log groups whose alarms were not listed with the collected
/// regions (the alarms on a group's filters live in the group's region).
pub fn extra_regions(
    groups: &BTreeSet<(String, String)>,
    listed: &HashSet<String>,
) -> BTreeSet<String> {
    groups
        .iter()
        .map(|(r, _)| r.clone())
        .filter(|r| !listed.contains(r))
        .collect()
}

/// The (namespace, metric name) of each metric an alarm reads: its own metric, and
/// for a metric-math alarm each metric of its queries; sorted, without repeats.
pub fn alarm_metric_keys(alarm: &AlarmRecord) -> Vec<(&str, &str)> {
    let mut keys: Vec<(&str, &str)> = alarm_metrics(alarm)
        .into_iter()
        .map(|(ns, name, _)| (ns, name))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Each metric an alarm reads: namespace, name and dimensions.
fn alarm_metrics(alarm: &AlarmRecord) -> Vec<(&str, &str, &[Dimension])> {
    let mut out: Vec<(&str, &str, &[Dimension])> = Vec::new();
    if let (Some(ns), Some(name)) = (&alarm.namespace, &alarm.metric_name) {
        out.push((ns.as_str(), name.as_str(), alarm.dimensions.as_slice()));
    }
    for m in &alarm.metrics {
        if let (Some(ns), Some(name)) = (&m.namespace, &m.metric_name) {
            out.push((ns.as_str(), name.as_str(), m.dimensions.as_slice()));
        }
    }
    out
}

/// The alarm watches the metric a filter's transformation publishes in `region`, as
/// CloudWatch matches metrics: same region, metric name **and** namespace, and the
/// same dimension names. A filter without dimensions publishes a metric without
/// dimensions, which an alarm with dimensions never sees; a filter with dimensions
/// publishes one metric per dimension value, which an alarm without them never sees.
/// (An alarm that names the filter's dimensions watches the values it names.)
pub fn alarm_watches(alarm: &AlarmRecord, region: &str, t: &MetricTransformation) -> bool {
    alarm.region == region
        && alarm_metrics(alarm).iter().any(|&(ns, name, dims)| {
            ns == t.metric_namespace && name == t.metric_name && {
                let mut alarm_dims: Vec<&str> =
                    dims.iter().filter_map(|d| d.name.as_deref()).collect();
                alarm_dims.sort_unstable();
                alarm_dims.dedup();
                alarm_dims.len() == dims.len()
                    && alarm_dims
                        .iter()
                        .copied()
                        .eq(t.dimensions.keys().map(String::as_str))
            }
        })
}

/// The alarm watches a metric the filter publishes ([`alarm_watches`]).
pub fn alarm_watches_filter(alarm: &AlarmRecord, filter: &MetricFilterRecord) -> bool {
    filter
        .metric_transformations
        .iter()
        .any(|t| alarm_watches(alarm, &filter.region, t))
}

/// The period the CIS remediation prints (`--period 300`), in seconds.
pub const CIS_PERIOD: i32 = 300;

/// Why one matching event does not make an alarm fire: the setting of the CIS
/// remediation it misses (see [`fires_on_one_event`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NoFire {
    /// A metric-math alarm.
    #[error(
        "alarm \"{alarm}\" is a metric-math alarm: whether one event breaches it is not checked"
    )]
    MetricMath {
        /// The alarm's name.
        alarm: String,
    },
    /// `Sum` of a value read from the event.
    #[error("alarm \"{alarm}\" sums a metric whose value is read from the event, so what one event adds is not known")]
    ValueFromEvent {
        /// The alarm's name.
        alarm: String,
    },
    /// A statistic that does not count events.
    #[error("alarm \"{alarm}\" uses statistic {statistic}: one event is counted only by Sum or SampleCount (CIS: Sum)")]
    Statistic {
        /// The alarm's name.
        alarm: String,
        /// The statistic.
        statistic: String,
    },
    /// No statistic.
    #[error("alarm \"{alarm}\" has no statistic (an extended statistic?): one event is counted only by Sum or SampleCount")]
    NoStatistic {
        /// The alarm's name.
        alarm: String,
    },
    /// No threshold or comparison.
    #[error("alarm \"{alarm}\" has no threshold and comparison operator")]
    NoThreshold {
        /// The alarm's name.
        alarm: String,
    },
    /// A comparison that events do not breach.
    #[error("alarm \"{alarm}\" compares with {operator}: it does not fire when events occur (CIS: GreaterThanOrEqualToThreshold 1)")]
    Operator {
        /// The alarm's name.
        alarm: String,
        /// The comparison operator.
        operator: String,
    },
    /// A threshold one event does not breach.
    #[error("alarm \"{alarm}\" fires when the count is {sign} {threshold}: one event ({count}) does not breach it (CIS: >= 1)")]
    NotBreached {
        /// The alarm's name.
        alarm: String,
        /// `>` or `>=`.
        sign: &'static str,
        /// The threshold.
        threshold: f64,
        /// What one event adds.
        count: f64,
    },
    /// More than one evaluation period.
    #[error("alarm \"{alarm}\" needs {periods} evaluation periods in breach: one event breaches one (CIS: 1)")]
    EvaluationPeriods {
        /// The alarm's name.
        alarm: String,
        /// The evaluation periods.
        periods: i32,
    },
    /// No evaluation periods.
    #[error("alarm \"{alarm}\" has no evaluation periods")]
    NoEvaluationPeriods {
        /// The alarm's name.
        alarm: String,
    },
    /// A period longer than the CIS one.
    #[error("alarm \"{alarm}\" has a period of {period} s: it fires up to {period} s after the event (CIS: {})", CIS_PERIOD)]
    Period {
        /// The alarm's name.
        alarm: String,
        /// The period, in seconds.
        period: i32,
    },
    /// No period.
    #[error("alarm \"{alarm}\" has no period")]
    NoPeriod {
        /// The alarm's name.
        alarm: String,
    },
}

/// Whether one matching event makes `alarm` fire, with the settings the CIS remediation
/// prints (`--statistic Sum --period 300 --threshold 1 --comparison-operator
/// GreaterThanOrEqualToThreshold --evaluation-periods 1`): a statistic that counts the
/// event (`Sum`, or `SampleCount`), a threshold and comparison that the count of one
/// event breaches, one evaluation period, and a period of at most 300 s. `value` is what
/// one event adds to the metric (the filter's `metricValue`; `None` when it is a
/// `$.field` selector, whose value is not known). `Err` names the setting that prevents
/// it.
/// Whether one matching event makes `alarm` fire, with the settings the CIS remediation
/// prints (`--statistic Sum --period 300 --threshold 1 --comparison-operator
/// GreaterThanOrEqualToThreshold --evaluation-periods 1`): a statistic that counts the
/// event (`Sum`, or `SampleCount`), a threshold and comparison that the count of one
/// event breaches, one evaluation period, and a period of at most 300 s. `value` is what
/// one event adds to the metric (the filter's `metricValue`; `None` when it is a
/// `$.field` selector, whose value is not known). `Err` names the setting that prevents
/// it.
pub fn fires_on_one_event(alarm: &AlarmRecord, value: Option<f64>) -> Result<(), NoFire> {
    let name = || alarm.name.clone();
    if alarm.metric_name.is_none() && !alarm.metrics.is_empty() {
        return Err(NoFire::MetricMath { alarm: name() });
    }
    let count = match alarm.statistic.as_deref() {
        Some("SampleCount") => 1.0,
        Some("Sum") => match value {
            Some(v) => v,
            None => return Err(NoFire::ValueFromEvent { alarm: name() }),
        },
        Some(other) => {
            return Err(NoFire::Statistic {
                alarm: name(),
                statistic: other.to_string(),
            })
        }
        None => return Err(NoFire::NoStatistic { alarm: name() }),
    };
    let (Some(op), Some(threshold)) = (alarm.comparison_operator.as_deref(), alarm.threshold)
    else {
        return Err(NoFire::NoThreshold { alarm: name() });
    };
    let breaches = match op {
        "GreaterThanOrEqualToThreshold" => count >= threshold,
        "GreaterThanThreshold" => count > threshold,
        other => {
            return Err(NoFire::Operator {
                alarm: name(),
                operator: other.to_string(),
            })
        }
    };
    if !breaches {
        let sign = if op == "GreaterThanThreshold" {
            ">"
        } else {
            ">="
        };
        return Err(NoFire::NotBreached {
            alarm: name(),
            sign,
            threshold,
            count,
        });
    }
    match alarm.evaluation_periods {
        Some(1) => {}
        Some(periods) => {
            return Err(NoFire::EvaluationPeriods {
                alarm: name(),
                periods,
            })
        }
        None => return Err(NoFire::NoEvaluationPeriods { alarm: name() }),
    }
    match alarm.period {
        Some(p) if p <= CIS_PERIOD => Ok(()),
        Some(period) => Err(NoFire::Period {
            alarm: name(),
            period,
        }),
        None => Err(NoFire::NoPeriod { alarm: name() }),
    }
}

fn metric_key(region: &str, namespace: &str, metric: &str) -> String {
    format!("{region}\u{0}{namespace}\u{0}{metric}")
}

/// Alarms by (region, namespace, metric name); metric-math alarms under each metric
/// they read.
pub struct AlarmIndex<'a> {
    by_metric: HashMap<String, Vec<&'a AlarmRecord>>,
}

impl<'a> AlarmIndex<'a> {
    /// The index of `alarms`.
    pub fn new(alarms: &'a [AlarmRecord]) -> Self {
        let mut by_metric: HashMap<String, Vec<&AlarmRecord>> = HashMap::new();
        for alarm in alarms {
            for (ns, name) in alarm_metric_keys(alarm) {
                by_metric
                    .entry(metric_key(&alarm.region, ns, name))
                    .or_default()
                    .push(alarm);
            }
        }
        for list in by_metric.values_mut() {
            list.sort_by(|a, b| a.name.cmp(&b.name));
        }
        AlarmIndex { by_metric }
    }

    /// The alarms on the metric `t` publishes in `region` ([`alarm_watches`]).
    pub fn on_metric(&self, region: &str, t: &MetricTransformation) -> Vec<&'a AlarmRecord> {
        self.by_metric
            .get(&metric_key(region, &t.metric_namespace, &t.metric_name))
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|a| alarm_watches(a, region, t))
            .copied()
            .collect()
    }
}

/// The joins of the alarm chain in one account: alarms by metric, topics by ARN.
pub struct Chain<'a> {
    /// The account.
    pub account: &'a str,
    /// The topics an action may name.
    pub topics: Topics<'a>,
    /// The alarms on each metric.
    pub alarms: AlarmIndex<'a>,
}

impl<'a> Chain<'a> {
    /// The chain of the account `c`.
    pub fn new(c: &'a Collected) -> Self {
        Chain {
            account: &c.account_number,
            topics: Topics::new(&c.topics),
            alarms: AlarmIndex::new(&c.alarms),
        }
    }

    /// An enabled alarm with an action whose topic has a confirmed subscription.
    pub fn alarm_notifies(&self, alarm: &AlarmRecord) -> bool {
        alarm.actions_enabled == Some(true)
            && alarm.alarm_actions.iter().any(|action| {
                self.topics
                    .subscriptions(action)
                    .iter()
                    .any(|s| s.is_confirmed())
            })
    }

    /// Why an alarm notifies no confirmed subscriber, naming the broken link; `None`
    /// when it does.
    pub fn alarm_gap(&self, alarm: &AlarmRecord) -> Option<String> {
        if self.alarm_notifies(alarm) {
            return None;
        }
        let name = &alarm.name;
        if alarm.alarm_actions.is_empty() {
            return Some(format!("alarm \"{name}\" has no actions"));
        }
        if alarm.actions_enabled != Some(true) {
            return Some(format!("alarm \"{name}\" has its actions disabled"));
        }
        let topics: Vec<String> = alarm
            .alarm_actions
            .iter()
            .map(|action| match self.topics.get(action) {
                None if graph::arn_service(action) == Some("sns") => {
                    format!("topic {action}, which does not exist")
                }
                None => format!("{action}, which is not an SNS topic"),
                Some(t) if t.subscriptions.is_empty() => {
                    format!("topic {action}, which has no subscription")
                }
                Some(t) if t.subscriptions.iter().all(|s| s.is_pending()) => format!(
                    "topic {action}, which has only pending subscriptions ({})",
                    t.subscriptions.len()
                ),
                Some(_) => format!("topic {action}, which has no confirmed subscription"),
            })
            .collect();
        Some(format!(
            "alarm \"{name}\" notifies {}",
            topics.join(" and ")
        ))
    }

    /// The alarm as nested under a metric transformation.
    pub fn alarm_core(&self, a: &AlarmRecord) -> Map<String, Json> {
        let actions: Vec<Json> = a
            .alarm_actions
            .iter()
            .map(|action| {
                let subs: Vec<Json> = self
                    .topics
                    .subscriptions(action)
                    .iter()
                    .map(|s| s.to_json())
                    .collect();
                json!({ "action": action, "subscriptions": subs })
            })
            .collect();
        let mut m = Map::new();
        m.insert("name".into(), json!(a.name));
        m.insert("arn".into(), json!(a.arn));
        m.insert("description".into(), json!(a.description));
        m.insert("metricName".into(), json!(a.metric_name));
        m.insert("namespace".into(), json!(a.namespace));
        m.insert("actionsEnabled".into(), json!(a.actions_enabled));
        m.insert("stateValue".into(), json!(a.state_value));
        m.insert("actions".into(), Json::Array(actions));
        m.insert("hasSNSSubscriber".into(), flag(self.alarm_notifies(a)));
        if let Some(gap) = self.alarm_gap(a) {
            m.insert("hasSNSSubscriberReason".into(), json!(gap));
        }
        let fires = fires_on_one_event(a, Some(1.0));
        m.insert("firesOnOneEvent".into(), flag(fires.is_ok()));
        if let Err(why) = fires {
            m.insert("firesOnOneEventReason".into(), json!(why.to_string()));
        }
        m
    }

    fn alarm_entity(&self, a: &AlarmRecord) -> Json {
        let arn = a.arn.clone().unwrap_or_else(|| {
            format!(
                "arn:{}:cloudwatch:{}:{}:alarm:{}",
                graph::partition_of(&a.region),
                a.region,
                self.account,
                a.name
            )
        });
        let mut m = super::identity(&arn, TYPE.name, &a.name, self.account, &a.region);
        m.extend(self.alarm_core(a));
        m.insert("arn".into(), json!(arn));
        for (key, value) in object(a) {
            if !m.contains_key(&key) {
                m.insert(key, value);
            }
        }
        Json::Object(m)
    }
}

/// Records with every field set (An alarm on each chain, one without actions (so it does not fire on one event), one on an undelivered filter.), joined with the other types' examples into
/// one account by the tests that hold the schema to what `build` writes
/// (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "alarms": [
  {
   "region": "us-east-1",
   "name": "a",
   "arn": "arn:aws:cloudwatch:us-east-1:111111111111:alarm:a",
   "description": "d",
   "metricName": "M",
   "namespace": "NS",
   "actionsEnabled": true,
   "stateValue": "OK",
   "stateUpdatedTimestamp": "2026-01-01T00:00:00Z",
   "alarmActions": [
    "arn:aws:sns:us-east-1:111111111111:n"
   ],
   "okActions": [
    "x"
   ],
   "insufficientDataActions": [
    "x"
   ],
   "statistic": "Sum",
   "period": 300,
   "evaluationPeriods": 1,
   "threshold": 1.0,
   "comparisonOperator": "GreaterThanOrEqualToThreshold",
   "treatMissingData": "missing",
   "dimensions": [
    {
     "name": "who",
     "value": "x"
    }
   ],
   "metrics": [
    {
     "id": "m1",
     "metricName": "M",
     "namespace": "NS",
     "dimensions": [
      {
       "name": "who",
       "value": "x"
      }
     ]
    }
   ]
  },
  {
   "region": "us-east-1",
   "name": "a2",
   "arn": "arn:aws:cloudwatch:us-east-1:111111111111:alarm:a2",
   "description": "no actions",
   "metricName": "M",
   "namespace": "NS",
   "actionsEnabled": true,
   "stateValue": "OK",
   "stateUpdatedTimestamp": "2026-01-01T00:00:00Z",
   "alarmActions": [],
   "okActions": [],
   "insufficientDataActions": [],
   "statistic": "Sum",
   "period": 300,
   "evaluationPeriods": 1,
   "threshold": 5.0,
   "comparisonOperator": "GreaterThanOrEqualToThreshold",
   "treatMissingData": "missing",
   "dimensions": [
    {
     "name": "who",
     "value": "x"
    }
   ],
   "metrics": []
  },
  {
   "region": "us-east-1",
   "name": "a3",
   "arn": "arn:aws:cloudwatch:us-east-1:111111111111:alarm:a3",
   "description": "on the undelivered filter",
   "metricName": "M3",
   "namespace": "NS",
   "actionsEnabled": true,
   "stateValue": "OK",
   "stateUpdatedTimestamp": "2026-01-01T00:00:00Z",
   "alarmActions": [
    "arn:aws:sns:us-east-1:111111111111:n"
   ],
   "okActions": [],
   "insufficientDataActions": [],
   "statistic": "Average",
   "period": 300,
   "evaluationPeriods": 1,
   "threshold": 1.0,
   "comparisonOperator": "GreaterThanOrEqualToThreshold",
   "treatMissingData": "missing",
   "dimensions": [],
   "metrics": []
  },
  {
   "region": "us-east-1",
   "name": "a4",
   "arn": "arn:aws:cloudwatch:us-east-1:111111111111:alarm:a4",
   "description": "no actions",
   "metricName": "M3",
   "namespace": "NS",
   "actionsEnabled": true,
   "stateValue": "OK",
   "stateUpdatedTimestamp": "2026-01-01T00:00:00Z",
   "alarmActions": [],
   "okActions": [],
   "insufficientDataActions": [],
   "statistic": "Sum",
   "period": 300,
   "evaluationPeriods": 1,
   "threshold": 1.0,
   "comparisonOperator": "GreaterThanOrEqualToThreshold",
   "treatMissingData": "missing",
   "dimensions": [],
   "metrics": []
  }
 ]
}"#;

/// An alarm on the metric `M` of namespace `ns` in us-east-1, for tests.
#[cfg(test)]
pub(crate) fn test_alarm(name: &str, ns: &str, enabled: bool) -> AlarmRecord {
    AlarmRecord {
        region: "us-east-1".into(),
        name: name.into(),
        metric_name: Some("M".into()),
        namespace: Some(ns.into()),
        actions_enabled: Some(enabled),
        ..Default::default()
    }
}

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{extra_regions, AlarmMetric, AlarmRecord, Dimension, TYPE};
    use crate::collect::call::Session;
    use crate::collect::convert::{owned, timestamp};
    use crate::collect::types::log_group;
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_cloudwatch::types::{self as cw, AlarmType};
    use aws_sdk_cloudwatch::Client;
    use futures::future::{join_all, BoxFuture};
    use std::collections::{HashMap, HashSet};

    /// DescribeAlarms per region; then in the regions of trail log groups that are
    /// not collected.
    pub(crate) struct Fetcher;

    type Listed = HashMap<String, Option<Vec<AlarmRecord>>>;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let alarms = describe_alarms(w.s, region).await;
                w.update::<Listed>(TYPE.name, |l| {
                    l.insert(region.to_string(), alarms);
                });
                true
            })
        }

        fn account<'a>(&'a self, w: &'a Walk<'a>) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                let listed = w.take::<Listed>(TYPE.name);
                let seen: HashSet<String> = w.regions().iter().cloned().collect();
                let (groups, _) = log_group::of_trails(w);
                let extra = extra_regions(&groups, &seen);
                let more = join_all(extra.iter().map(|r| describe_alarms(w.s, r))).await;
                let mut alarms: Vec<AlarmRecord> = Vec::new();
                for (_, list) in w.in_region_order(listed) {
                    alarms.extend(list.into_iter().flatten());
                }
                alarms.extend(more.into_iter().flatten().flatten());
                w.write(|c| c.alarms = alarms);
            })
        }
    }

    /// The metric alarms of `region` (`None`: not collected).
    async fn describe_alarms(s: &Session, region: &str) -> Option<Vec<AlarmRecord>> {
        let client: Client = s.client(region);
        let mut out = Vec::new();
        let result = s
            .paginate(
                Service::CloudWatch,
                "DescribeAlarms",
                |token| {
                    client
                        .describe_alarms()
                        .alarm_types(AlarmType::MetricAlarm)
                        .max_records(100)
                        .set_next_token(token)
                        .send()
                },
                |p| {
                    out.extend(p.metric_alarms().iter().filter_map(|a| alarm(region, a)));
                    p.next_token().map(str::to_string)
                },
            )
            .await;
        match result {
            Ok(()) => Some(out),
            Err(f) => {
                s.record(region, Service::CloudWatch, "DescribeAlarms", f, true);
                None
            }
        }
    }

    /// DescribeAlarms `MetricAlarms[]` item, or `None` without a name.
    pub(crate) fn alarm(region: &str, a: &cw::MetricAlarm) -> Option<AlarmRecord> {
        Some(AlarmRecord {
            region: region.to_string(),
            name: a.alarm_name()?.to_string(),
            arn: owned(a.alarm_arn()),
            description: owned(a.alarm_description()),
            metric_name: owned(a.metric_name()),
            namespace: owned(a.namespace()),
            actions_enabled: a.actions_enabled(),
            state_value: a.state_value().map(|s| s.as_str().to_string()),
            state_updated_timestamp: timestamp(a.state_updated_timestamp()),
            alarm_actions: a.alarm_actions().to_vec(),
            ok_actions: a.ok_actions().to_vec(),
            insufficient_data_actions: a.insufficient_data_actions().to_vec(),
            statistic: a.statistic().map(|s| s.as_str().to_string()),
            period: a.period(),
            evaluation_periods: a.evaluation_periods(),
            threshold: a.threshold(),
            comparison_operator: a.comparison_operator().map(|c| c.as_str().to_string()),
            treat_missing_data: owned(a.treat_missing_data()),
            dimensions: dimensions(a.dimensions()),
            metrics: a
                .metrics()
                .iter()
                .filter_map(|q| {
                    let metric = q.metric_stat()?.metric()?;
                    Some(AlarmMetric {
                        id: owned(q.id()),
                        metric_name: owned(metric.metric_name()),
                        namespace: owned(metric.namespace()),
                        dimensions: dimensions(metric.dimensions()),
                    })
                })
                .collect(),
        })
    }

    fn dimensions(list: &[cw::Dimension]) -> Vec<Dimension> {
        list.iter()
            .map(|d| Dimension {
                name: owned(d.name()),
                value: owned(d.value()),
            })
            .collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn alarm_fields_and_metric_math_inputs() {
            let metric = cw::Metric::builder()
                .namespace("NS")
                .metric_name("M")
                .build();
            let query = cw::MetricDataQuery::builder()
                .id("m1")
                .metric_stat(
                    cw::MetricStat::builder()
                        .metric(metric)
                        .period(300)
                        .stat("Sum")
                        .build(),
                )
                .build();
            let a = cw::MetricAlarm::builder()
                .alarm_name("a")
                .actions_enabled(false)
                .state_value(cw::StateValue::Alarm)
                .alarm_actions("arn:aws:sns:us-east-1:1:t")
                .metrics(query)
                .build();
            let r = alarm("us-east-1", &a).expect("named alarm");
            assert_eq!(r.name, "a");
            assert_eq!(r.actions_enabled, Some(false));
            assert_eq!(r.state_value.as_deref(), Some("ALARM"));
            assert_eq!(r.alarm_actions, vec!["arn:aws:sns:us-east-1:1:t"]);
            assert_eq!(r.metrics.len(), 1);
            assert_eq!(r.metrics[0].metric_name.as_deref(), Some("M"));
            assert!(alarm("us-east-1", &cw::MetricAlarm::builder().build()).is_none());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::test_alarm as alarm;

    #[test]
    fn alarms_are_listed_where_trail_groups_live() {
        let groups: BTreeSet<(String, String)> = [
            ("us-east-1".to_string(), "a".to_string()),
            ("ap-south-1".to_string(), "b".to_string()),
        ]
        .into();
        let seen: HashSet<String> = ["us-east-1".to_string()].into();
        assert_eq!(
            extra_regions(&groups, &seen).into_iter().collect::<Vec<_>>(),
            vec!["ap-south-1"]
        );
    }

    #[test]
    fn one_event_fires_only_the_alarm_the_cis_remediation_prints() {
        let cis = AlarmRecord {
            statistic: Some("Sum".into()),
            period: Some(300),
            evaluation_periods: Some(1),
            threshold: Some(1.0),
            comparison_operator: Some("GreaterThanOrEqualToThreshold".into()),
            ..alarm("a", "CISBenchmark", true)
        };
        assert_eq!(fires_on_one_event(&cis, Some(1.0)), Ok(()));
        let with = |edit: fn(&mut AlarmRecord)| {
            let mut a = cis.clone();
            edit(&mut a);
            a
        };
        let fine = [
            with(|a| a.statistic = Some("SampleCount".into())),
            with(|a| a.period = Some(60)),
            with(|a| {
                a.threshold = Some(0.0);
                a.comparison_operator = Some("GreaterThanThreshold".into())
            }),
        ];
        for a in &fine {
            assert_eq!(fires_on_one_event(a, Some(1.0)), Ok(()), "{a:?}");
        }
        let cases: [(AlarmRecord, Option<f64>, &str); 9] = [
            (
                with(|a| a.statistic = Some("Average".into())),
                Some(1.0),
                "uses statistic Average",
            ),
            (with(|a| a.statistic = None), Some(1.0), "has no statistic"),
            (
                with(|a| a.threshold = Some(5.0)),
                Some(1.0),
                "fires when the count is >= 5: one event (1) does not breach it",
            ),
            (
                with(|a| a.comparison_operator = Some("GreaterThanThreshold".into())),
                Some(1.0),
                "is > 1",
            ),
            (
                with(|a| a.comparison_operator = Some("LessThanThreshold".into())),
                Some(1.0),
                "compares with LessThanThreshold",
            ),
            (
                with(|a| a.evaluation_periods = Some(3)),
                Some(1.0),
                "needs 3 evaluation periods",
            ),
            (
                with(|a| a.period = Some(3600)),
                Some(1.0),
                "has a period of 3600 s",
            ),
            (cis.clone(), None, "value is read from the event"),
            (cis.clone(), Some(0.0), "one event (0) does not breach it"),
        ];
        for (a, value, says) in cases {
            let why = fires_on_one_event(&a, value).expect_err(says).to_string();
            assert!(
                why.starts_with("alarm \"a\" ") && why.contains(says),
                "{why}"
            );
        }
        // SampleCount counts one event whatever the filter publishes.
        let count = with(|a| a.statistic = Some("SampleCount".into()));
        assert_eq!(fires_on_one_event(&count, None), Ok(()));
    }
}
