//! `gsl replay`: an account's metric filters and alarms run over its real CloudTrail
//! history. Each record is one CloudWatch Logs event, delivered to the log group of
//! every trail of the snapshot that receives it (a multi-region trail: every region;
//! an organization trail: every account), so each metric filter sees what its log group
//! would have received. The report says, per filter, what it matched; per alarm, the
//! metric series its period and statistic make of that, how often it would have gone
//! to ALARM and whom it would have notified; per control of the selected policies,
//! the events its required pattern matches that no delivering filter catches.
//!
//! The log files are read by [`logs`] (records found by a structural scan, not
//! parsed); matching is the pattern engine's raw-bytes path
//! ([`crate::pattern::PatternSet::raw_matcher`]): the literals each pattern requires
//! are searched in a record's bytes first, and only a record some pattern could match
//! is parsed, for the properties the patterns read.

pub mod input;
pub mod logs;
pub mod window;

use crate::entity::graph::EntityGraph;
use crate::lang::ast::{Expr, ExprKind, LiteralKind, Postfix, Rule};
use crate::pattern::{FilterPattern, PatternSet, RawMatcher};
use crate::policy::Policy;
use logs::{Field, Limits, Origin, Skipped};
use serde::Serialize;
use serde_json::Value as Json;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

/// How many missed events a control's report names.
pub const MISSES_SHOWN: usize = 10;

/// The builtins whose first argument is the pattern a control requires.
const PATTERN_BUILTINS: [&str; 3] = [
    "filterPatternMonitors",
    "filterPatternCovers",
    "isFilterPatternEqual",
];

/// A control of the selected policies: the patterns its rule requires a filter to
/// monitor (alternatives: any of them).
#[derive(Debug, Clone)]
pub struct Control {
    /// The policy id.
    pub id: String,
    /// The policy title.
    pub title: String,
    /// The required patterns, as written.
    pub patterns: Vec<String>,
}

/// The controls among `policies`: those whose rule compares a filter pattern with a
/// literal one (`filterPatternMonitors('...')` and the like).
pub fn controls(policies: &[Policy]) -> Vec<Control> {
    fn expr(e: &Expr, out: &mut Vec<String>) {
        match &e.kind {
            ExprKind::Or(a, b) | ExprKind::And(a, b) => {
                expr(a, out);
                expr(b, out);
            }
            ExprKind::Not(x) => expr(x, out),
            ExprKind::Term(t) => {
                for p in &t.postfix {
                    match p {
                        Postfix::ListOp { predicate, .. } => expr(predicate, out),
                        Postfix::Call { name, args, .. } => {
                            if PATTERN_BUILTINS.contains(&name.name.as_str()) {
                                if let Some(LiteralKind::String(s)) = args.first().map(|a| &a.kind)
                                {
                                    if !out.contains(s) {
                                        out.push(s.clone());
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    policies
        .iter()
        .filter_map(|p| {
            let rule: Rule = crate::lang::parser::parse_rule_named(&p.source, &p.origin).ok()?;
            let mut patterns = Vec::new();
            if let Some(f) = &rule.target.filter {
                expr(f, &mut patterns);
            }
            if let Some(v) = &rule.verdict {
                expr(&v.condition, &mut patterns);
            }
            (!patterns.is_empty()).then(|| Control {
                id: p.meta.id.clone(),
                title: p.meta.title.clone(),
                patterns,
            })
        })
        .collect()
}

/// What one metric filter made of the records delivered to its log group.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterReport {
    /// The account.
    pub account: String,
    /// The log group's region.
    pub region: String,
    /// The log group.
    pub log_group: String,
    /// The filter's name.
    pub name: String,
    /// Its pattern.
    pub pattern: String,
    /// Records delivered to its log group.
    pub delivered: u64,
    /// Records it matched.
    pub matched: u64,
    /// The `eventTime` of the first and last match.
    pub first_match: Option<String>,
    /// See `first_match`.
    pub last_match: Option<String>,
}

/// One period of an alarm's metric.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
struct Point {
    sum: f64,
    count: u64,
    min: f64,
    max: f64,
}

/// What one alarm would have done.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlarmReport {
    /// The account.
    pub account: String,
    /// The alarm's region.
    pub region: String,
    /// Its name.
    pub name: String,
    /// The filters whose metric it reads.
    pub filters: Vec<String>,
    /// `statistic period threshold comparison evaluationPeriods`, as collected; `None`
    /// when the snapshot lacks them (the series is still given).
    pub settings: Option<String>,
    /// The periods with data: (period start, the statistic's value).
    pub series: Vec<(String, f64)>,
    /// How many times it would have gone to ALARM (`None`: its settings are unknown).
    pub alarms: Option<u64>,
    /// The start of the first period it would have been in ALARM.
    pub first_alarm: Option<String>,
    /// Whom it notifies: each enabled action's topic, with its confirmed subscriptions.
    pub notifies: Vec<Notified>,
}

/// A topic an alarm notifies.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notified {
    /// The action (a topic ARN).
    pub action: String,
    /// Its confirmed subscriptions' endpoints.
    pub confirmed: Vec<String>,
}

/// A control's events that no delivering filter catches, and the noise of the filters
/// that do catch its events.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlReport {
    /// The policy id.
    pub id: String,
    /// The title.
    pub title: String,
    /// Records its required pattern matches.
    pub required: u64,
    /// Of those, records no filter of a log group they were delivered to caught.
    pub missed: u64,
    /// The first missed records.
    pub misses: Vec<Miss>,
    /// The filters that caught its events, with how many records they matched that
    /// the control does not ask for.
    pub noise: Vec<Noise>,
}

/// A record a control required and no filter caught.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Miss {
    /// Where it was read.
    pub file: String,
    /// Its position in the file.
    pub at: String,
    /// Its `eventName`.
    pub event_name: Option<String>,
    /// Its `eventTime`.
    pub event_time: Option<String>,
}

/// A filter's matches outside a control's pattern.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Noise {
    /// `account/region/log group/filter`.
    pub filter: String,
    /// Records it matched that the control's pattern does not.
    pub other: u64,
}

/// The whole replay.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayReport {
    /// Log files read (from disk or S3).
    pub files: u64,
    /// Records read.
    pub records: u64,
    /// Records of accounts that no trail of the snapshot covers (outside the snapshot).
    pub undelivered: u64,
    /// Records read but outside the `--since`/`--until` window (or without a readable
    /// `eventTime` under one), not replayed.
    pub outside_window: u64,
    /// Input passed over.
    pub skipped: Vec<Skipped>,
    /// Per metric filter.
    pub filters: Vec<FilterReport>,
    /// Per alarm.
    pub alarms: Vec<AlarmReport>,
    /// Per control.
    pub controls: Vec<ControlReport>,
}

/// An alarm's settings that decide when it fires.
#[derive(Debug, Clone)]
struct Settings {
    statistic: String,
    period: i64,
    threshold: f64,
    comparison: String,
    evaluation_periods: usize,
    breaching_when_missing: bool,
}

struct AlarmState {
    report: AlarmReport,
    settings: Option<Settings>,
    /// Period length used to bucket (the alarm's, else 300 s).
    period: i64,
    points: BTreeMap<i64, Point>,
}

/// How a filter's transformation turns a record into a metric value.
#[derive(Debug, Clone)]
enum Value {
    Constant(f64),
    Field(Vec<String>),
}

struct Transform {
    value: Value,
    alarms: Vec<usize>,
}

struct FilterState {
    report: FilterReport,
    pattern: usize,
    transforms: Vec<Transform>,
}

/// A trail's delivery: which records reach its log group, and the filters there.
struct Delivery {
    account: String,
    region: String,
    multi_region: bool,
    organization: bool,
    filters: Vec<usize>,
}

/// What one filter caught of a control: its required records, and the others.
#[derive(Debug, Clone, Copy, Default)]
struct Hits {
    required: u64,
    other: u64,
}

/// A control being replayed: its patterns' indices, its report, what each filter
/// caught of it.
struct ControlState {
    patterns: Vec<usize>,
    report: ControlReport,
    hits: HashMap<usize, Hits>,
}

/// A replay in progress: feed it records, then [`Replay::finish`].
pub struct Replay {
    set: Arc<PatternSet>,
    deliveries: Vec<Delivery>,
    filters: Vec<FilterState>,
    alarms: Vec<AlarmState>,
    controls: Vec<ControlState>,
    records: u64,
    undelivered: u64,
    outside_window: u64,
    skipped: Vec<Skipped>,
    /// The last (account, region) seen, its filters and whether a trail covers it.
    route: Option<(String, String, Vec<usize>, bool)>,
}

/// The pattern index of `text` in `patterns`, added if new.
fn intern(patterns: &mut Vec<(String, FilterPattern)>, text: &str) -> Option<usize> {
    if let Some(i) = patterns.iter().position(|(t, _)| t == text) {
        return Some(i);
    }
    let p = FilterPattern::parse(text).ok()?;
    patterns.push((text.to_string(), p));
    Some(patterns.len() - 1)
}

/// `arn:aws:logs:<region>:<account>:log-group:<name>[:*]` → (region, name).
fn log_group_of(arn: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    match parts[..] {
        ["arn", _, "logs", region, _, "log-group", name] if !name.is_empty() => {
            Some((region.to_string(), name.trim_end_matches(":*").to_string()))
        }
        _ => None,
    }
}

fn text(v: &Json, key: &str) -> Option<String> {
    v.get(key).and_then(Json::as_str).map(str::to_string)
}

impl Replay {
    /// A replay of `graph`'s trails, filters and alarms, and of `controls`.
    pub fn new(graph: &EntityGraph, controls: Vec<Control>) -> Replay {
        let mut patterns: Vec<(String, FilterPattern)> = Vec::new();
        let mut filters: Vec<FilterState> = Vec::new();
        let mut alarms: Vec<AlarmState> = Vec::new();
        let mut alarm_index: HashMap<String, usize> = HashMap::new();
        let mut deliveries = Vec::new();
        // The alarms' settings, by ARN (the CloudWatchAlarm entities).
        let settings: HashMap<String, Json> = graph
            .entities("CloudWatchAlarm")
            .iter()
            .filter_map(|a| {
                let v = a.value;
                Some((text(v, "arn").or_else(|| text(v, "id"))?, v.clone()))
            })
            .collect();
        for trail in graph.entities("CloudTrail") {
            let t = trail.value;
            let account = text(t, "accountNumber").unwrap_or_default();
            let Some((group_region, group)) = t
                .get("cloudWatchLogsLogGroupArn")
                .and_then(Json::as_str)
                .and_then(log_group_of)
            else {
                continue;
            };
            let logging = t
                .pointer("/status/isLogging")
                .and_then(Json::as_bool)
                .unwrap_or(true);
            if !logging {
                continue;
            }
            let mut mine = Vec::new();
            for f in t
                .get("metricFilters")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                let Some(pattern_text) = text(f, "filterPattern") else {
                    continue;
                };
                let Some(pattern) = intern(&mut patterns, &pattern_text) else {
                    continue;
                };
                let name = text(f, "filterName").unwrap_or_default();
                // A log group two trails deliver to is one set of filters.
                if let Some(i) = filters.iter().position(|s| {
                    s.report.account == account
                        && s.report.region == group_region
                        && s.report.log_group == group
                        && s.report.name == name
                }) {
                    mine.push(i);
                    continue;
                }
                let mut transforms = Vec::new();
                for m in f
                    .get("metricTransformations")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                {
                    let raw = text(m, "metricValue").unwrap_or_else(|| "1".into());
                    let value = match raw.strip_prefix("$.") {
                        Some(path) => Value::Field(path.split('.').map(str::to_string).collect()),
                        None => Value::Constant(raw.trim().parse().unwrap_or(1.0)),
                    };
                    let mut these = Vec::new();
                    for a in m
                        .get("alarms")
                        .and_then(Json::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let arn =
                            text(a, "arn").unwrap_or_else(|| text(a, "name").unwrap_or_default());
                        let i = *alarm_index.entry(arn.clone()).or_insert_with(|| {
                            let full = settings.get(&arn).unwrap_or(a);
                            alarms.push(alarm_state(&account, &group_region, a, full));
                            alarms.len() - 1
                        });
                        let label = format!("{group}/{name}");
                        if !alarms[i].report.filters.contains(&label) {
                            alarms[i].report.filters.push(label);
                        }
                        these.push(i);
                    }
                    transforms.push(Transform {
                        value,
                        alarms: these,
                    });
                }
                filters.push(FilterState {
                    report: FilterReport {
                        account: account.clone(),
                        region: group_region.clone(),
                        log_group: group.clone(),
                        name,
                        pattern: pattern_text,
                        delivered: 0,
                        matched: 0,
                        first_match: None,
                        last_match: None,
                    },
                    pattern,
                    transforms,
                });
                mine.push(filters.len() - 1);
            }
            deliveries.push(Delivery {
                account,
                region: text(t, "homeRegion")
                    .or_else(|| text(t, "region"))
                    .unwrap_or_default(),
                multi_region: t.get("isMultiRegionTrail").and_then(Json::as_bool) == Some(true),
                organization: t.get("isOrganizationTrail").and_then(Json::as_bool) == Some(true),
                filters: mine,
            });
        }
        let controls = controls
            .into_iter()
            .map(|c| {
                let ids: Vec<usize> = c
                    .patterns
                    .iter()
                    .filter_map(|p| intern(&mut patterns, p))
                    .collect();
                let report = ControlReport {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    required: 0,
                    missed: 0,
                    misses: Vec::new(),
                    noise: Vec::new(),
                };
                ControlState {
                    patterns: ids,
                    report,
                    hits: HashMap::new(),
                }
            })
            .collect();
        Replay {
            set: Arc::new(PatternSet::new(
                patterns.into_iter().map(|(_, p)| p).collect(),
            )),
            deliveries,
            filters,
            alarms,
            controls,
            records: 0,
            undelivered: 0,
            outside_window: 0,
            skipped: Vec::new(),
            route: None,
        }
    }

    /// Input passed over.
    pub fn skip(&mut self, s: Skipped) {
        self.skipped.push(s);
    }

    /// One CloudTrail record, parsed (the reference path: every pattern evaluated on
    /// the whole record).
    pub fn record(&mut self, event: &Json, origin: &Origin<'_>) {
        let matches = self.set.matches_json(event);
        self.tally(&matches, event, origin);
    }

    /// The patterns every record is matched against.
    pub fn patterns(&self) -> Arc<PatternSet> {
        Arc::clone(&self.set)
    }

    fn tally(&mut self, matches: &[bool], event: &dyn View, origin: &Origin<'_>) {
        self.records += 1;
        let account = event.string(Field::Account).unwrap_or_default();
        let region = event.string(Field::Region).unwrap_or_default();
        let time = event.string(Field::Time);
        let time = time.as_deref();
        let (delivered, known) = self.take_route(&account, &region);
        self.tally_delivered(matches, event, origin, time, &delivered, known);
        self.route = Some((account.into_owned(), region.into_owned(), delivered, known));
    }

    /// `count` records of `account` and `region` that no pattern matches.
    fn tally_quiet(&mut self, account: &str, region: &str, count: u64) {
        self.records += count;
        let (delivered, known) = self.take_route(account, region);
        if !known {
            self.undelivered += count;
        }
        for &f in &delivered {
            self.filters[f].report.delivered += count;
        }
        self.route = Some((account.to_string(), region.to_string(), delivered, known));
    }

    /// The filters of every log group a record of `account` and `region` is delivered
    /// to (once each), and whether some trail covers its account: the same for every
    /// record of one account and region (most files hold one), so worked out once for
    /// each and kept in `route` (put it back after use).
    fn take_route(&mut self, account: &str, region: &str) -> (Vec<usize>, bool) {
        if let Some((a, r, delivered, known)) = self.route.take() {
            if a == account && r == region {
                return (delivered, known);
            }
        }
        let mut delivered: Vec<usize> = Vec::new();
        for d in &self.deliveries {
            let account_ok = d.account == account || d.organization;
            let region_ok = d.multi_region || d.region == region;
            if account_ok && region_ok {
                for f in &d.filters {
                    if !delivered.contains(f) {
                        delivered.push(*f);
                    }
                }
            }
        }
        // A record of an account no trail of the snapshot covers is outside it.
        let known = self
            .deliveries
            .iter()
            .any(|d| d.account == account || d.organization);
        (delivered, known)
    }

    /// What one file gave [`digest`], in the file's order.
    pub fn absorb(&mut self, d: Digest) {
        let mut matches = Vec::new();
        for part in d.parts {
            match part {
                Part::Quiet {
                    account,
                    region,
                    count,
                } => self.tally_quiet(&account, &region, count),
                Part::Matched { record, at, which } => {
                    matches.clear();
                    matches.resize(self.set.patterns().len(), false);
                    which.iter().for_each(|i| matches[*i as usize] = true);
                    let origin = Origin { file: &d.file, at };
                    self.tally(&matches, &record.record(), &origin);
                }
            }
        }
        for s in d.skipped {
            self.skip(s);
        }
        self.outside_window += d.outside_window;
    }

    #[allow(clippy::too_many_arguments)]
    fn tally_delivered(
        &mut self,
        matches: &[bool],
        event: &dyn View,
        origin: &Origin<'_>,
        time: Option<&str>,
        delivered: &[usize],
        known: bool,
    ) {
        if !known {
            self.undelivered += 1;
        }
        let mut caught: Vec<usize> = Vec::new();
        for &f in delivered {
            let state = &mut self.filters[f];
            state.report.delivered += 1;
            if !matches.get(state.pattern).copied().unwrap_or(false) {
                continue;
            }
            caught.push(f);
            state.report.matched += 1;
            if let Some(t) = time {
                if state.report.first_match.is_none() {
                    state.report.first_match = Some(t.to_string());
                }
                state.report.last_match = Some(t.to_string());
            }
            let Some(at) = time.and_then(epoch) else {
                continue;
            };
            for tr in &state.transforms {
                let value = match &tr.value {
                    Value::Constant(v) => Some(*v),
                    Value::Field(path) => event.number(path),
                };
                let Some(value) = value else { continue };
                for &a in &tr.alarms {
                    let alarm = &mut self.alarms[a];
                    let bucket = at.div_euclid(alarm.period) * alarm.period;
                    let p = alarm.points.entry(bucket).or_insert(Point {
                        sum: 0.0,
                        count: 0,
                        min: f64::INFINITY,
                        max: f64::NEG_INFINITY,
                    });
                    p.sum += value;
                    p.count += 1;
                    p.min = p.min.min(value);
                    p.max = p.max.max(value);
                }
            }
        }
        if !known {
            return;
        }
        for ControlState {
            patterns,
            report,
            hits,
        } in &mut self.controls
        {
            let required = patterns
                .iter()
                .any(|i| matches.get(*i).copied().unwrap_or(false));
            if required {
                report.required += 1;
                if caught.is_empty() {
                    report.missed += 1;
                    if report.misses.len() < MISSES_SHOWN {
                        report.misses.push(Miss {
                            file: origin.file.to_string(),
                            at: origin.at.to_string(),
                            event_name: event.string(Field::Name).map(Cow::into_owned),
                            event_time: time.map(str::to_string),
                        });
                    }
                }
            }
            for f in &caught {
                let h = hits.entry(*f).or_default();
                if required {
                    h.required += 1;
                } else {
                    h.other += 1;
                }
            }
        }
    }

    /// The report.
    pub fn finish(self) -> ReplayReport {
        let filters: Vec<FilterReport> = self.filters.iter().map(|f| f.report.clone()).collect();
        let alarms = self.alarms.into_iter().map(finish_alarm).collect();
        let controls = self
            .controls
            .into_iter()
            .map(
                |ControlState {
                     mut report, hits, ..
                 }| {
                    let mut noise: Vec<Noise> = hits
                        .iter()
                        .filter(|(_, h)| h.required > 0)
                        .map(|(f, h)| {
                            let r = &filters[*f];
                            Noise {
                                filter: format!(
                                    "{}/{}/{}/{}",
                                    r.account, r.region, r.log_group, r.name
                                ),
                                other: h.other,
                            }
                        })
                        .collect();
                    noise.sort_by(|a, b| a.filter.cmp(&b.filter));
                    report.noise = noise;
                    report
                },
            )
            .collect();
        ReplayReport {
            files: 0,
            records: self.records,
            undelivered: self.undelivered,
            outside_window: self.outside_window,
            skipped: self.skipped,
            filters,
            alarms,
            controls,
        }
    }
}

/// What the tally reads of a record: a parsed one, or one as read.
trait View {
    /// A top-level string property.
    fn string(&self, f: Field) -> Option<Cow<'_, str>>;
    /// A numeric property (`$.a.b`, a filter's metric value).
    fn number(&self, path: &[String]) -> Option<f64>;
}

impl View for Json {
    fn string(&self, f: Field) -> Option<Cow<'_, str>> {
        let key = match f {
            Field::Account => "recipientAccountId",
            Field::Region => "awsRegion",
            Field::Time => "eventTime",
            Field::Name => "eventName",
            Field::Records => "Records",
        };
        self.get(key).and_then(Json::as_str).map(Cow::Borrowed)
    }
    fn number(&self, path: &[String]) -> Option<f64> {
        field(self, path)
    }
}

impl View for logs::Record<'_> {
    fn string(&self, f: Field) -> Option<Cow<'_, str>> {
        self.get(f)
    }
    fn number(&self, path: &[String]) -> Option<f64> {
        // Parsed only for a matched record whose filter's metric value is a field.
        field(&crate::pattern::parse_event(self.text)?, path)
    }
}

/// A record's numeric field (`$.a.b`), if it is a number or a numeric string.
fn field(event: &Json, path: &[String]) -> Option<f64> {
    let mut v = event;
    for p in path {
        v = v.get(p)?;
    }
    match v {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

use window::epoch;

fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn alarm_state(account: &str, region: &str, joined: &Json, full: &Json) -> AlarmState {
    let num = |k: &str| full.get(k).and_then(Json::as_f64);
    let settings = match (
        text(full, "statistic"),
        num("period"),
        num("threshold"),
        text(full, "comparisonOperator"),
        num("evaluationPeriods"),
    ) {
        (Some(statistic), Some(period), Some(threshold), Some(comparison), Some(evals))
            if period >= 1.0 && evals >= 1.0 =>
        {
            Some(Settings {
                statistic,
                period: period as i64,
                threshold,
                comparison,
                evaluation_periods: evals as usize,
                breaching_when_missing: text(full, "treatMissingData").as_deref()
                    == Some("breaching"),
            })
        }
        _ => None,
    };
    let enabled = full.get("actionsEnabled").and_then(Json::as_bool) != Some(false);
    let notifies = if enabled {
        joined
            .get("actions")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .map(|a| Notified {
                action: text(a, "action").unwrap_or_default(),
                confirmed: a
                    .get("subscriptions")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|s| {
                        s.get("pendingConfirmation").and_then(Json::as_bool) != Some(true)
                            && text(s, "subscriptionArn").is_some_and(|a| a.starts_with("arn:"))
                    })
                    .filter_map(|s| text(s, "endpoint"))
                    .collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    AlarmState {
        report: AlarmReport {
            account: account.to_string(),
            region: text(full, "region").unwrap_or_else(|| region.to_string()),
            name: text(full, "name")
                .or_else(|| text(joined, "name"))
                .unwrap_or_default(),
            filters: Vec::new(),
            settings: settings.as_ref().map(|s| {
                format!(
                    "{} over {} s {} {} for {} period(s)",
                    s.statistic, s.period, s.comparison, s.threshold, s.evaluation_periods
                )
            }),
            series: Vec::new(),
            alarms: None,
            first_alarm: None,
            notifies,
        },
        period: settings.as_ref().map_or(300, |s| s.period),
        settings,
        points: BTreeMap::new(),
    }
}

/// The alarm's series, and its ALARM transitions: a period breaches when its
/// statistic compares with the threshold as the alarm says (a period without data
/// breaches only with `treatMissingData: breaching`); the alarm goes to ALARM when the
/// last `evaluationPeriods` periods all breach, and back to OK otherwise.
fn finish_alarm(mut a: AlarmState) -> AlarmReport {
    let value = |s: &str, p: &Point| -> Option<f64> {
        match s {
            "Sum" => Some(p.sum),
            "SampleCount" => Some(p.count as f64),
            "Average" => Some(p.sum / p.count.max(1) as f64),
            "Minimum" => Some(p.min),
            "Maximum" => Some(p.max),
            _ => None,
        }
    };
    let statistic = a
        .settings
        .as_ref()
        .map_or("Sum".to_string(), |s| s.statistic.clone());
    a.report.series = a
        .points
        .iter()
        .filter_map(|(t, p)| Some((rfc3339(*t), value(&statistic, p)?)))
        .collect();
    let Some(s) = &a.settings else {
        return a.report;
    };
    let breaches = |v: f64| match s.comparison.as_str() {
        "GreaterThanOrEqualToThreshold" => v >= s.threshold,
        "GreaterThanThreshold" => v > s.threshold,
        "LessThanThreshold" => v < s.threshold,
        "LessThanOrEqualToThreshold" => v <= s.threshold,
        _ => false,
    };
    let (Some(first), Some(last)) = (a.points.keys().next(), a.points.keys().last()) else {
        a.report.alarms = Some(0);
        return a.report;
    };
    // Walk every period from the first with data to `evaluation_periods` after the
    // last (the alarm returns to OK once the data stops, unless missing breaches).
    let mut streak = 0usize;
    let mut in_alarm = false;
    let mut count = 0u64;
    let mut t = *first;
    let end = last + s.period * s.evaluation_periods as i64;
    while t <= end {
        let breach = match a.points.get(&t) {
            Some(p) => value(&s.statistic, p).is_some_and(breaches),
            None => s.breaching_when_missing,
        };
        streak = if breach { streak + 1 } else { 0 };
        let now = streak >= s.evaluation_periods;
        if now && !in_alarm {
            count += 1;
            if a.report.first_alarm.is_none() {
                a.report.first_alarm = Some(rfc3339(t));
            }
        }
        in_alarm = now;
        t += s.period;
        if s.breaching_when_missing && t > *last {
            break;
        }
    }
    a.report.alarms = Some(count);
    a.report
}

/// What one input file gives a replay, worked out on any thread: its records matched
/// (the part of the work that grows with the bytes), in the order read. Tallied in
/// file order by [`Replay::absorb`], so a replay's report does not depend on how
/// many threads read.
#[derive(Debug, Default)]
pub struct Digest {
    file: String,
    parts: Vec<Part>,
    skipped: Vec<Skipped>,
    /// Records outside the window.
    outside_window: u64,
}

#[derive(Debug)]
enum Part {
    /// Records in a row that no pattern matches, all of one account and region.
    Quiet {
        account: String,
        region: String,
        count: u64,
    },
    /// A record some pattern matches, kept whole for the tally.
    Matched {
        record: logs::OwnedRecord,
        at: logs::At,
        which: Vec<u32>,
    },
}

/// Match the records `read` gives (one file's, named `file`) that `window` keeps
/// against `set`.
pub fn digest(
    set: &PatternSet,
    file: &str,
    window: window::Window,
    read: impl FnOnce(
        &mut RawMatcher<'_>,
        &mut dyn FnMut(&logs::Record<'_>, Origin<'_>, &mut RawMatcher<'_>),
        &mut dyn FnMut(Skipped),
    ),
) -> Digest {
    let mut matcher = set.raw_matcher();
    let mut matches = Vec::new();
    let mut d = Digest {
        file: file.to_string(),
        ..Digest::default()
    };
    let mut skipped = Vec::new();
    read(
        &mut matcher,
        &mut |r, o, matcher| {
            if !window.keeps(r) {
                d.outside_window += 1;
                return;
            }
            // The reader's walk of the record carried the matcher's search.
            matcher.matches_scanned(r.text, &mut matches);
            if matches.iter().any(|m| *m) {
                let which = (0..matches.len() as u32)
                    .filter(|i| matches[*i as usize])
                    .collect();
                d.parts.push(Part::Matched {
                    record: r.to_owned_record(),
                    at: o.at,
                    which,
                });
                return;
            }
            let account = r.get(Field::Account).unwrap_or_default();
            let region = r.get(Field::Region).unwrap_or_default();
            if let Some(Part::Quiet {
                account: a,
                region: g,
                count,
            }) = d.parts.last_mut()
            {
                if *a == account && *g == region {
                    *count += 1;
                    return;
                }
            }
            d.parts.push(Part::Quiet {
                account: account.into_owned(),
                region: region.into_owned(),
                count: 1,
            });
        },
        &mut |s| skipped.push(s),
    );
    d.skipped = skipped;
    d
}

/// How a replay reads and matches.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// How much of each file is read.
    pub limits: Limits,
    /// Parse every record and evaluate every pattern on it (the reference the fast
    /// path is checked against) instead of the raw-bytes path.
    pub reference: bool,
    /// The records replayed (`--since`, `--until`); the files read from disk are
    /// chosen by it too ([`input::local`]).
    pub window: window::Window,
}

/// Replay the log files under `paths` over `graph`'s trails and `controls`.
pub fn replay_files(
    graph: &EntityGraph,
    controls: Vec<Control>,
    paths: &[std::path::PathBuf],
) -> ReplayReport {
    replay_with(graph, controls, paths, Options::default())
}

/// [`replay_files`] with [`Options`].
pub fn replay_with(
    graph: &EntityGraph,
    controls: Vec<Control>,
    paths: &[std::path::PathBuf],
    options: Options,
) -> ReplayReport {
    let files = input::local(paths, options.window, crate::collect::Progress::none());
    replay_inputs(graph, controls, files, options)
}

/// Replay the log files of `inputs` (from disk, [`input::local`], or S3) over
/// `graph`'s trails and `controls`, in their order; what an input could not give is
/// in the report's `skipped`.
pub fn replay_inputs(
    graph: &EntityGraph,
    controls: Vec<Control>,
    inputs: impl IntoIterator<Item = input::Input>,
    options: Options,
) -> ReplayReport {
    let mut replay = Replay::new(graph, controls);
    let set = replay.patterns();
    let mut files = 0;
    let mut inputs = inputs.into_iter();
    if !options.reference {
        // Files are read and matched on every core, a few at a time (memory: those
        // files' texts), and tallied in order.
        let batch = rayon::current_num_threads().max(1) * 2;
        loop {
            let chunk: Vec<input::Input> = inputs.by_ref().take(batch).collect();
            if chunk.is_empty() {
                break;
            }
            let digests: Vec<Result<Digest, Skipped>> = chunk
                .into_par_iter()
                .map(|input| {
                    let file = input?;
                    Ok(digest(
                        &set,
                        &file.name,
                        options.window,
                        |matcher, record, skip| {
                            logs::read_stream_with(
                                file.body,
                                file.gz,
                                &file.name,
                                options.limits,
                                matcher,
                                record,
                                skip,
                            )
                        },
                    ))
                })
                .collect();
            for d in digests {
                match d {
                    Ok(d) => {
                        files += 1;
                        replay.absorb(d);
                    }
                    Err(s) => replay.skip(s),
                }
            }
        }
        return ReplayReport {
            files,
            ..replay.finish()
        };
    }
    for file in inputs {
        let file = match file {
            Ok(f) => {
                files += 1;
                f
            }
            Err(s) => {
                replay.skip(s);
                continue;
            }
        };
        let mut skipped: Vec<Skipped> = Vec::new();
        let mut not_json: Vec<Skipped> = Vec::new();
        logs::read_stream(
            file.body,
            file.gz,
            &file.name,
            options.limits,
            &mut |r, o| {
                if !options.window.keeps(r) {
                    replay.outside_window += 1;
                    return;
                }
                match crate::pattern::parse_event(r.text) {
                    Some(v) => replay.record(&v, &o),
                    None => not_json.push(Skipped {
                        file: o.file.to_string(),
                        at: o.at.to_string(),
                        why: "a record that is not JSON".into(),
                    }),
                }
            },
            &mut |s| skipped.push(s),
        );
        for s in skipped.into_iter().chain(not_json) {
            replay.skip(s);
        }
    }
    ReplayReport {
        files,
        ..replay.finish()
    }
}
