//! The graph builder: [`Collected`] records → snapshot entities. Pure: no I/O, no SDK.
//!
//! - joins a trail to its log group by `cloudWatchLogsLogGroupArn` (region and name),
//!   a metric filter's transformations to alarms by metric name + namespace +
//!   dimension names + region (as CloudWatch matches metrics),
//!   alarm actions to SNS topics by ARN;
//! - derives `hasSNSSubscriber` (the string `"true"`/`"false"`) on each alarm, each
//!   metric filter and each trail: an **enabled** alarm action whose topic has a
//!   **confirmed** subscription (a real ARN, not `PendingConfirmation`);
//! - emits the standalone `LogGroup`, `MetricFilter`, `CloudWatchAlarm` and `SnsTopic`
//!   entities. Every entity has `id`, `type`, `accountNumber` and `region`.
//!
//! The property reference is `docs/entities.md`.

use super::model::{
    AlarmRecord, Collected, Dimension, LogGroupRecord, MetricFilterRecord, MetricTransformation,
    Subscription, TopicRecord, TrailData,
};
use super::Service;
use crate::entity::{Account, Snapshot};
use serde::Serialize;
use serde_json::{json, Map, Value as Json};
use std::collections::{BTreeMap, HashMap};

/// The entity types the collectors produce, in snapshot order.
pub const ENTITY_TYPES: [&str; 5] = [
    "CloudTrail",
    "CloudWatchAlarm",
    "LogGroup",
    "MetricFilter",
    "SnsTopic",
];

/// Build a snapshot from the collected accounts, stamped with `collected_at`.
pub fn build_snapshot(collected: &[Collected], collected_at: Option<String>) -> Snapshot {
    let mut snapshot = Snapshot::new();
    snapshot.collected_at = collected_at;
    for account in collected {
        snapshot.accounts.push(build_account(account));
        snapshot.errors.extend(account.errors.iter().cloned());
    }
    snapshot
}

/// Build one account's entities. Errors stay in [`Collected::errors`].
pub fn build_account(c: &Collected) -> Account {
    let topics: HashMap<&str, &TopicRecord> =
        c.topics.iter().map(|t| (t.arn.as_str(), t)).collect();
    let alarms = AlarmIndex::new(&c.alarms);
    let ctx = Ctx {
        account: &c.account_number,
        topics,
        alarms,
    };

    let mut filters: Vec<&MetricFilterRecord> = c.metric_filters.iter().collect();
    filters.sort_by(|a, b| {
        (&a.region, &a.log_group_name, &a.filter_name).cmp(&(
            &b.region,
            &b.log_group_name,
            &b.filter_name,
        ))
    });
    let mut filters_by_group: HashMap<(&str, &str), Vec<&MetricFilterRecord>> = HashMap::new();
    for f in &filters {
        filters_by_group
            .entry((f.region.as_str(), f.log_group_name.as_str()))
            .or_default()
            .push(f);
    }

    let mut trails: Vec<&TrailData> = c.trails.iter().collect();
    trails.sort_by(|a, b| a.trail.trail_arn.cmp(&b.trail.trail_arn));
    // Only this account's log groups were collected.
    let group_of = |t: &TrailData| {
        t.trail
            .cloud_watch_logs_log_group_arn
            .as_deref()
            .filter(|arn| arn_account(arn).is_none_or(|a| a == c.account_number))
            .and_then(parse_log_group_arn)
    };
    // The filters on log groups no multi-region, logging trail delivers to (on every
    // trail, so a CIS chain can name a filter with the right pattern in the wrong place).
    let counts = |t: &TrailData| {
        t.trail.is_multi_region_trail == Some(true)
            && t.status.as_ref().and_then(|s| s.is_logging) == Some(true)
    };
    let undelivered: Vec<Json> = filters
        .iter()
        .filter_map(|f| {
            let here = |t: &&&TrailData| {
                group_of(t).is_some_and(|(r, n)| r == f.region && n == f.log_group_name)
            };
            if trails.iter().filter(here).any(|t| counts(t)) {
                return None;
            }
            let others: Vec<String> = trails
                .iter()
                .filter(here)
                .map(|t| {
                    let name = t.trail.name.as_deref().unwrap_or_default();
                    let mut not = Vec::new();
                    if t.trail.is_multi_region_trail != Some(true) {
                        not.push("not multi-region");
                    }
                    if t.status.as_ref().and_then(|s| s.is_logging) != Some(true) {
                        not.push("not logging");
                    }
                    format!("trail \"{name}\" does, but is {}", not.join(" and "))
                })
                .collect();
            let mut reason = format!(
                "no multi-region logging trail delivers to log group \"{}\" ({})",
                f.log_group_name, f.region
            );
            if !others.is_empty() {
                reason = format!("{reason}: {}", others.join("; "));
            }
            let mut m = ctx.metric_filter_core(f);
            m.insert("region".into(), json!(f.region));
            m.insert("deliveredByMultiRegionTrail".into(), flag(false));
            m.insert("deliveredByMultiRegionTrailReason".into(), json!(reason));
            Some(Json::Object(m))
        })
        .collect();
    let trail_entities: Vec<Json> = trails
        .iter()
        .map(|t| {
            let group = group_of(t);
            let group_filters = group
                .as_ref()
                .and_then(|(region, name)| filters_by_group.get(&(region.as_str(), name.as_str())))
                .map(Vec::as_slice)
                .unwrap_or_default();
            let mut trail = ctx.trail_entity(t, group_filters);
            if let Some(m) = trail.as_object_mut() {
                m.insert(
                    "undeliveredMetricFilters".into(),
                    Json::Array(undelivered.clone()),
                );
            }
            trail
        })
        .collect();

    let mut groups: Vec<&LogGroupRecord> = c.log_groups.iter().collect();
    groups.sort_by(|a, b| (&a.region, &a.name).cmp(&(&b.region, &b.name)));
    let group_entities: Vec<Json> = groups
        .iter()
        .map(|g| {
            let group_filters = filters_by_group
                .get(&(g.region.as_str(), g.name.as_str()))
                .map(Vec::as_slice)
                .unwrap_or_default();
            ctx.log_group_entity(g, group_filters)
        })
        .collect();

    let filter_entities: Vec<Json> = filters
        .iter()
        .map(|f| ctx.metric_filter_entity(f))
        .collect();

    let mut alarm_list: Vec<&AlarmRecord> = c.alarms.iter().collect();
    alarm_list.sort_by(|a, b| (&a.region, &a.name).cmp(&(&b.region, &b.name)));
    let alarm_entities: Vec<Json> = alarm_list.iter().map(|a| ctx.alarm_entity(a)).collect();

    let mut topic_list: Vec<&TopicRecord> = c.topics.iter().collect();
    topic_list.sort_by(|a, b| a.arn.cmp(&b.arn));
    let topic_entities: Vec<Json> = topic_list.iter().map(|t| ctx.topic_entity(t)).collect();

    let mut entities = BTreeMap::new();
    entities.insert("CloudTrail".to_string(), trail_entities);
    entities.insert("CloudWatchAlarm".to_string(), alarm_entities);
    entities.insert("LogGroup".to_string(), group_entities);
    entities.insert("MetricFilter".to_string(), filter_entities);
    entities.insert("SnsTopic".to_string(), topic_entities);

    Account {
        account_number: c.account_number.clone(),
        regions: c.regions.clone(),
        entities,
    }
}

/// The entity types whose data is incomplete when `service:operation` fails.
/// `on_chain`: the failed call was for something on a trail's alarm chain (a topic an
/// alarm notifies, the trail list itself), so the chain's entities are affected too.
pub fn affected_entity_types(service: Service, operation: &str, on_chain: bool) -> Vec<String> {
    let types: &[&str] = match (service, operation) {
        (Service::CloudTrail, "DescribeTrails") if on_chain => {
            &["CloudTrail", "LogGroup", "MetricFilter"]
        }
        (Service::CloudTrail, _) => &["CloudTrail"],
        (Service::Logs, "DescribeLogGroups") => &["LogGroup"],
        (Service::Logs, _) => &["CloudTrail", "LogGroup", "MetricFilter"],
        (Service::CloudWatch, _) => &["CloudTrail", "CloudWatchAlarm", "MetricFilter"],
        (Service::Sns, _) if on_chain => {
            &["CloudTrail", "CloudWatchAlarm", "MetricFilter", "SnsTopic"]
        }
        (Service::Sns, _) => &["SnsTopic"],
        // The region list: without it the static list is probed, nothing is missing.
        (Service::Account, _) => &[],
        _ => &ENTITY_TYPES,
    };
    types.iter().map(|t| t.to_string()).collect()
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

/// The region field of an ARN (`arn:aws:sns:eu-west-1:...` → `eu-west-1`).
pub fn arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    if parts.next()? != "arn" {
        return None;
    }
    let region = parts.nth(2)?;
    (!region.is_empty()).then_some(region)
}

/// The account field of an ARN.
pub fn arn_account(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    if parts.next()? != "arn" {
        return None;
    }
    let account = parts.nth(3)?;
    (!account.is_empty()).then_some(account)
}

/// The service field of an ARN.
pub fn arn_service(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    if parts.next()? != "arn" {
        return None;
    }
    parts.nth(1)
}

/// The AWS partition of a region name.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("eusc-") {
        "aws-eusc"
    } else {
        "aws"
    }
}

fn flag(b: bool) -> Json {
    Json::String(if b { "true" } else { "false" }.into())
}

fn object(value: &impl Serialize) -> Map<String, Json> {
    match serde_json::to_value(value) {
        Ok(Json::Object(map)) => map,
        _ => Map::new(),
    }
}

fn to_json(value: &impl Serialize) -> Json {
    serde_json::to_value(value).unwrap_or(Json::Null)
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

/// Alarms by (region, namespace, metric name); metric-math alarms under each metric
/// they read.
struct AlarmIndex<'a> {
    by_metric: HashMap<String, Vec<&'a AlarmRecord>>,
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

/// What one event adds to the metric a transformation publishes: its `metricValue`
/// when that is a number, `None` for a `$.field` selector.
fn event_value(t: &MetricTransformation) -> Option<f64> {
    t.metric_value.trim().parse::<f64>().ok()
}

fn metric_key(region: &str, namespace: &str, metric: &str) -> String {
    format!("{region}\u{0}{namespace}\u{0}{metric}")
}

impl<'a> AlarmIndex<'a> {
    fn new(alarms: &'a [AlarmRecord]) -> Self {
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
    fn on_metric(&self, region: &str, t: &MetricTransformation) -> Vec<&'a AlarmRecord> {
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

struct Ctx<'a> {
    account: &'a str,
    topics: HashMap<&'a str, &'a TopicRecord>,
    alarms: AlarmIndex<'a>,
}

impl Ctx<'_> {
    fn subscriptions(&self, topic_arn: &str) -> &[Subscription] {
        self.topics
            .get(topic_arn)
            .map(|t| t.subscriptions.as_slice())
            .unwrap_or_default()
    }

    /// An enabled alarm with an action whose topic has a confirmed subscription.
    fn alarm_notifies(&self, alarm: &AlarmRecord) -> bool {
        alarm.actions_enabled == Some(true)
            && alarm.alarm_actions.iter().any(|action| {
                self.subscriptions(action)
                    .iter()
                    .any(Subscription::is_confirmed)
            })
    }

    fn filter_notifies(&self, filter: &MetricFilterRecord) -> bool {
        filter.metric_transformations.iter().any(|t| {
            self.alarms
                .on_metric(&filter.region, t)
                .iter()
                .any(|a| self.alarm_notifies(a))
        })
    }

    /// The strict chain: an alarm on one of the filter's metrics notifies a confirmed
    /// subscriber and fires on one matching event ([`fires_on_one_event`]).
    fn filter_notifies_strictly(&self, filter: &MetricFilterRecord) -> bool {
        filter.metric_transformations.iter().any(|t| {
            self.alarms
                .on_metric(&filter.region, t)
                .iter()
                .any(|a| self.alarm_notifies(a) && fires_on_one_event(a, event_value(t)).is_ok())
        })
    }

    /// Why the filter's strict chain is broken: the lenient gap when no alarm notifies
    /// a confirmed subscriber, else the setting of each notifying alarm that prevents it
    /// from firing on one event. `None` when the strict chain holds.
    fn filter_strict_gap(&self, filter: &MetricFilterRecord) -> Option<String> {
        if self.filter_notifies_strictly(filter) {
            return None;
        }
        if let Some(gap) = self.filter_gap(filter) {
            return Some(gap);
        }
        let gaps: Vec<String> = filter
            .metric_transformations
            .iter()
            .flat_map(|t| {
                self.alarms
                    .on_metric(&filter.region, t)
                    .into_iter()
                    .filter(|a| self.alarm_notifies(a))
                    .filter_map(move |a| fires_on_one_event(a, event_value(t)).err())
                    .map(|why| why.to_string())
            })
            .collect();
        Some(gaps.join("; "))
    }

    /// Why an alarm notifies no confirmed subscriber, naming the broken link; `None`
    /// when it does.
    fn alarm_gap(&self, alarm: &AlarmRecord) -> Option<String> {
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
            .map(|action| match self.topics.get(action.as_str()) {
                None if arn_service(action) == Some("sns") => {
                    format!("topic {action}, which does not exist")
                }
                None => format!("{action}, which is not an SNS topic"),
                Some(t) if t.subscriptions.is_empty() => {
                    format!("topic {action}, which has no subscription")
                }
                Some(t) if t.subscriptions.iter().all(Subscription::is_pending) => format!(
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

    /// Why a metric filter's alarms notify no confirmed subscriber, naming the broken
    /// link of each metric it publishes; `None` when one does.
    fn filter_gap(&self, filter: &MetricFilterRecord) -> Option<String> {
        if self.filter_notifies(filter) {
            return None;
        }
        if filter.metric_transformations.is_empty() {
            return Some("the filter publishes no metric".to_string());
        }
        let gaps: Vec<String> = filter
            .metric_transformations
            .iter()
            .map(|t| {
                let alarms = self.alarms.on_metric(&filter.region, t);
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
                        .filter_map(|a| self.alarm_gap(a))
                        .collect::<Vec<_>>()
                        .join("; ")
                }
            })
            .collect();
        Some(gaps.join("; "))
    }

    fn subscription_json(&self, s: &Subscription) -> Json {
        let mut m = object(s);
        m.insert("pendingConfirmation".into(), Json::Bool(s.is_pending()));
        Json::Object(m)
    }

    /// The alarm as nested under a metric transformation.
    fn alarm_core(&self, a: &AlarmRecord) -> Map<String, Json> {
        let actions: Vec<Json> = a
            .alarm_actions
            .iter()
            .map(|action| {
                let subs: Vec<Json> = self
                    .subscriptions(action)
                    .iter()
                    .map(|s| self.subscription_json(s))
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

    fn metric_filter_core(&self, f: &MetricFilterRecord) -> Map<String, Json> {
        let transformations: Vec<Json> = f
            .metric_transformations
            .iter()
            .map(|t| {
                let mut m = object(t);
                let alarms: Vec<Json> = self
                    .alarms
                    .on_metric(&f.region, t)
                    .iter()
                    .map(|a| Json::Object(self.alarm_core(a)))
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
        m.insert("hasSNSSubscriber".into(), flag(self.filter_notifies(f)));
        if let Some(gap) = self.filter_gap(f) {
            m.insert("hasSNSSubscriberReason".into(), json!(gap));
        }
        m.insert(
            "hasStrictSNSSubscriber".into(),
            flag(self.filter_notifies_strictly(f)),
        );
        if let Some(gap) = self.filter_strict_gap(f) {
            m.insert("hasStrictSNSSubscriberReason".into(), json!(gap));
        }
        m.insert("metricTransformations".into(), Json::Array(transformations));
        m
    }

    fn identity(&self, id: &str, kind: &str, name: &str, region: &str) -> Map<String, Json> {
        let mut m = Map::new();
        m.insert("id".into(), json!(id));
        m.insert("type".into(), json!(kind));
        m.insert("name".into(), json!(name));
        m.insert("accountNumber".into(), json!(self.account));
        m.insert("region".into(), json!(region));
        m
    }

    fn trail_entity(&self, t: &TrailData, filters: &[&MetricFilterRecord]) -> Json {
        let r = &t.trail;
        let arn = r.trail_arn.clone().unwrap_or_default();
        let region = r
            .home_region
            .clone()
            .or_else(|| arn_region(&arn).map(str::to_string))
            .unwrap_or_default();
        let name = r.name.clone().unwrap_or_default();
        let mut m = self.identity(&arn, "CloudTrail", &name, &region);
        m.extend(object(r));
        // The account that owns the trail: an organization trail seen from a member
        // account is the management account's, and covers the member.
        let owner = arn_account(&arn).unwrap_or(self.account);
        m.insert("ownerAccountNumber".into(), json!(owner));
        m.insert(
            "coversThisAccountFromOrganization".into(),
            json!(owner != self.account && r.is_organization_trail == Some(true)),
        );
        m.insert("status".into(), to_json(&t.status));
        m.insert("eventSelectors".into(), to_json(&t.event_selectors));
        m.insert(
            "advancedEventSelectors".into(),
            to_json(&t.advanced_event_selectors),
        );
        let filter_json: Vec<Json> = filters
            .iter()
            .map(|f| Json::Object(self.metric_filter_core(f)))
            .collect();
        let notifies = filters.iter().any(|f| self.filter_notifies(f));
        m.insert("metricFilters".into(), Json::Array(filter_json));
        m.insert("hasSNSSubscriber".into(), flag(notifies));
        m.insert("tags".into(), to_json(&t.tags));
        Json::Object(m)
    }

    fn log_group_entity(&self, g: &LogGroupRecord, filters: &[&MetricFilterRecord]) -> Json {
        let arn = g.arn.clone().unwrap_or_else(|| {
            format!(
                "arn:{}:logs:{}:{}:log-group:{}:*",
                partition_of(&g.region),
                g.region,
                self.account,
                g.name
            )
        });
        let mut m = self.identity(&arn, "LogGroup", &g.name, &g.region);
        m.insert("arn".into(), json!(arn));
        m.insert("retentionInDays".into(), json!(g.retention_in_days));
        m.insert("kmsKeyId".into(), json!(g.kms_key_id));
        m.insert("storedBytes".into(), json!(g.stored_bytes));
        m.insert("creationTime".into(), json!(g.creation_time));
        m.insert("logGroupClass".into(), json!(g.log_group_class));
        m.insert("metricFilterCount".into(), json!(filters.len()));
        let brief: Vec<Json> = filters
            .iter()
            .map(|f| json!({ "filterName": f.filter_name, "filterPattern": f.filter_pattern }))
            .collect();
        m.insert("metricFilters".into(), Json::Array(brief));
        Json::Object(m)
    }

    fn metric_filter_entity(&self, f: &MetricFilterRecord) -> Json {
        let id = format!(
            "arn:{}:logs:{}:{}:log-group:{}:*:metric-filter:{}",
            partition_of(&f.region),
            f.region,
            self.account,
            f.log_group_name,
            f.filter_name
        );
        let mut m = self.identity(&id, "MetricFilter", &f.filter_name, &f.region);
        m.extend(self.metric_filter_core(f));
        Json::Object(m)
    }

    fn alarm_entity(&self, a: &AlarmRecord) -> Json {
        let arn = a.arn.clone().unwrap_or_else(|| {
            format!(
                "arn:{}:cloudwatch:{}:{}:alarm:{}",
                partition_of(&a.region),
                a.region,
                self.account,
                a.name
            )
        });
        let mut m = self.identity(&arn, "CloudWatchAlarm", &a.name, &a.region);
        m.extend(self.alarm_core(a));
        m.insert("arn".into(), json!(arn));
        let full = object(a);
        for (key, value) in full {
            if !m.contains_key(&key) {
                m.insert(key, value);
            }
        }
        Json::Object(m)
    }

    fn topic_entity(&self, t: &TopicRecord) -> Json {
        let name = t.arn.rsplit(':').next().unwrap_or_default();
        let mut m = self.identity(&t.arn, "SnsTopic", name, &t.region);
        m.insert("arn".into(), json!(t.arn));
        let subs: Vec<Json> = t
            .subscriptions
            .iter()
            .map(|s| self.subscription_json(s))
            .collect();
        m.insert("subscriptions".into(), Json::Array(subs));
        let confirmed = t.subscriptions.iter().filter(|s| s.is_confirmed()).count();
        let pending = t.subscriptions.iter().filter(|s| s.is_pending()).count();
        m.insert("subscriptionsConfirmed".into(), json!(confirmed));
        m.insert("subscriptionsPending".into(), json!(pending));
        Json::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::model::{AlarmMetric, MetricTransformation, TrailRecord};

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

    #[test]
    fn arn_fields() {
        let arn = "arn:aws:sns:eu-west-1:111122223333:alerts";
        assert_eq!(arn_region(arn), Some("eu-west-1"));
        assert_eq!(arn_account(arn), Some("111122223333"));
        assert_eq!(arn_service(arn), Some("sns"));
        assert_eq!(arn_region("arn:aws:iam::111122223333:role/x"), None);
        assert_eq!(arn_region("nope"), None);
        assert_eq!(partition_of("cn-northwest-1"), "aws-cn");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of("eu-west-1"), "aws");
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
        assert_eq!(affected_entity_types(Service::Sts, "X", false).len(), 5);
    }

    fn sub(arn: &str) -> Subscription {
        Subscription {
            subscription_arn: Some(arn.into()),
            ..Default::default()
        }
    }

    fn chain(alarm: AlarmRecord, filter_ns: &str, filter_region: &str) -> Account {
        let topic = "arn:aws:sns:us-east-1:123456789012:t".to_string();
        let c = Collected {
            account_number: "123456789012".into(),
            regions: vec!["us-east-1".into()],
            trails: vec![TrailData {
                trail: TrailRecord {
                    name: Some("t".into()),
                    trail_arn: Some("arn:aws:cloudtrail:us-east-1:123456789012:trail/t".into()),
                    home_region: Some("us-east-1".into()),
                    cloud_watch_logs_log_group_arn: Some(format!(
                        "arn:aws:logs:{filter_region}:123456789012:log-group:g:*"
                    )),
                    ..Default::default()
                },
                status: None,
                event_selectors: None,
                advanced_event_selectors: None,
                tags: None,
            }],
            metric_filters: vec![MetricFilterRecord {
                region: filter_region.into(),
                filter_name: "f".into(),
                log_group_name: "g".into(),
                metric_transformations: vec![MetricTransformation {
                    metric_name: "M".into(),
                    metric_namespace: filter_ns.into(),
                    metric_value: "1".into(),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            alarms: vec![AlarmRecord {
                alarm_actions: vec![topic.clone()],
                ..alarm
            }],
            topics: vec![TopicRecord {
                region: "us-east-1".into(),
                arn: topic,
                subscriptions: vec![
                    sub("PendingConfirmation"),
                    sub("arn:aws:sns:us-east-1:123456789012:t:1"),
                ],
            }],
            ..Default::default()
        };
        build_account(&c)
    }

    fn trail_flag(a: &Account) -> &Json {
        &a.entities["CloudTrail"][0]["hasSNSSubscriber"]
    }

    fn alarm(name: &str, ns: &str, enabled: bool) -> AlarmRecord {
        AlarmRecord {
            region: "us-east-1".into(),
            name: name.into(),
            metric_name: Some("M".into()),
            namespace: Some(ns.into()),
            actions_enabled: Some(enabled),
            ..Default::default()
        }
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

    #[test]
    fn join_needs_metric_namespace_and_region() {
        assert_eq!(
            trail_flag(&chain(alarm("a", "NS", true), "NS", "us-east-1")),
            "true"
        );
        // Same metric name, other namespace: not this filter's alarm.
        let a = chain(alarm("a", "Other", true), "NS", "us-east-1");
        assert_eq!(trail_flag(&a), "false");
        assert_eq!(
            a.entities["CloudTrail"][0]["metricFilters"][0]["metricTransformations"][0]["alarms"],
            json!([])
        );
        // The log group (and so the metric) lives in another region than the alarm.
        assert_eq!(
            trail_flag(&chain(alarm("a", "NS", true), "NS", "eu-west-1")),
            "false"
        );
        // Disabled actions notify nobody.
        assert_eq!(
            trail_flag(&chain(alarm("a", "NS", false), "NS", "us-east-1")),
            "false"
        );
        // actionsEnabled unknown is not "enabled".
        let unknown = AlarmRecord {
            actions_enabled: None,
            ..alarm("a", "NS", true)
        };
        assert_eq!(trail_flag(&chain(unknown, "NS", "us-east-1")), "false");
    }

    #[test]
    fn join_needs_the_filters_dimensions() {
        let dim = |n: &str| Dimension {
            name: Some(n.into()),
            value: Some("v".into()),
        };
        // The filter publishes without dimensions: an alarm with one never sees it.
        let with_dim = AlarmRecord {
            dimensions: vec![dim("EventName")],
            ..alarm("a", "NS", true)
        };
        let a = chain(with_dim.clone(), "NS", "us-east-1");
        assert_eq!(trail_flag(&a), "false");
        assert_eq!(
            a.entities["CloudTrail"][0]["metricFilters"][0]["metricTransformations"][0]["alarms"],
            json!([])
        );
        // The filter publishes with that dimension: joined.
        let mut t = MetricTransformation {
            metric_name: "M".into(),
            metric_namespace: "NS".into(),
            ..Default::default()
        };
        t.dimensions
            .insert("EventName".into(), "$.eventName".into());
        assert!(alarm_watches(&with_dim, "us-east-1", &t));
        // ... and an alarm without dimensions does not see a dimensioned metric.
        assert!(!alarm_watches(&alarm("b", "NS", true), "us-east-1", &t));
        // Other dimension names: no.
        let other = AlarmRecord {
            dimensions: vec![dim("Other")],
            ..alarm("c", "NS", true)
        };
        assert!(!alarm_watches(&other, "us-east-1", &t));
    }

    #[test]
    fn another_accounts_log_group_is_not_joined() {
        let mut c = Collected {
            account_number: "123456789012".into(),
            ..Default::default()
        };
        let a = chain(alarm("a", "NS", true), "NS", "us-east-1");
        assert_eq!(
            a.entities["CloudTrail"][0]["metricFilters"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        // Same region and name, but the trail's group is in another account.
        c.trails.push(TrailData {
            trail: TrailRecord {
                name: Some("central".into()),
                trail_arn: Some("arn:aws:cloudtrail:us-east-1:999999999999:trail/central".into()),
                cloud_watch_logs_log_group_arn: Some(
                    "arn:aws:logs:us-east-1:999999999999:log-group:g:*".into(),
                ),
                ..Default::default()
            },
            status: None,
            event_selectors: None,
            advanced_event_selectors: None,
            tags: None,
        });
        c.metric_filters.push(MetricFilterRecord {
            region: "us-east-1".into(),
            filter_name: "f".into(),
            log_group_name: "g".into(),
            ..Default::default()
        });
        let b = build_account(&c);
        assert_eq!(b.entities["CloudTrail"][0]["metricFilters"], json!([]));
        assert_eq!(b.entities["MetricFilter"].len(), 1);
    }

    #[test]
    fn metric_math_alarms_join_by_their_metrics() {
        let math = AlarmRecord {
            region: "us-east-1".into(),
            name: "math".into(),
            actions_enabled: Some(true),
            metrics: vec![AlarmMetric {
                id: Some("m1".into()),
                metric_name: Some("M".into()),
                namespace: Some("NS".into()),
                dimensions: Vec::new(),
            }],
            ..Default::default()
        };
        let a = chain(math, "NS", "us-east-1");
        assert_eq!(trail_flag(&a), "true");
        assert_eq!(
            a.entities["CloudTrail"][0]["metricFilters"][0]["metricTransformations"][0]["alarms"]
                [0]["name"],
            "math"
        );
    }

    #[test]
    fn an_organization_trail_is_attributed_to_its_owner() {
        let c = Collected {
            account_number: "222222222222".into(),
            trails: vec![TrailData {
                trail: TrailRecord {
                    name: Some("org".into()),
                    trail_arn: Some("arn:aws:cloudtrail:us-east-1:111111111111:trail/org".into()),
                    is_organization_trail: Some(true),
                    ..Default::default()
                },
                status: None,
                event_selectors: None,
                advanced_event_selectors: None,
                tags: None,
            }],
            ..Default::default()
        };
        let a = build_account(&c);
        let t = &a.entities["CloudTrail"][0];
        assert_eq!(t["accountNumber"], "222222222222");
        assert_eq!(t["ownerAccountNumber"], "111111111111");
        assert_eq!(t["coversThisAccountFromOrganization"], true);
        let own = chain(alarm("a", "NS", true), "NS", "us-east-1");
        assert_eq!(
            own.entities["CloudTrail"][0]["ownerAccountNumber"],
            "123456789012"
        );
        assert_eq!(
            own.entities["CloudTrail"][0]["coversThisAccountFromOrganization"],
            false
        );
    }

    #[test]
    fn empty_collection_has_every_type() {
        let a = build_account(&Collected {
            account_number: "123456789012".into(),
            ..Default::default()
        });
        let kinds: Vec<&str> = a.entities.keys().map(String::as_str).collect();
        assert_eq!(kinds, ENTITY_TYPES.to_vec());
        assert!(a.entities.values().all(Vec::is_empty));
    }
}
