//! The API walk: which calls, in which region, in which order, with how much
//! concurrency. Every failure becomes a [`CollectionError`]; nothing here aborts the
//! run except a failed STS GetCallerIdentity (no account, nothing to attribute).
//!
//! Phases (each phase's calls run concurrently, bounded by one semaphore):
//! 1. per collected region: `cloudtrail:DescribeTrails` (with shadow trails),
//!    `cloudwatch:DescribeAlarms` (metric alarms, paged), `sns:ListTopics` (paged);
//! 2. per trail, in its home region: `GetTrailStatus`, `GetEventSelectors`; per home
//!    region: `ListTags` (20 trails a call); per trail log group, in its region:
//!    `logs:DescribeLogGroups` (name prefix) and `logs:DescribeMetricFilters`;
//!    `DescribeAlarms` in a log group's region that is not collected;
//! 3. per topic listed or notified by an alarm: `sns:ListSubscriptionsByTopic`.

use super::convert;
use super::graph::{
    affected_entity_types, arn_account, arn_region, arn_service, parse_log_group_arn,
};
use super::model::{
    AlarmRecord, Collected, LogGroupRecord, MetricFilterRecord, TopicRecord, TrailData,
};
use super::progress::Progress;
use super::regions::is_region_disabled_code;
use super::stats::ApiCounter;
use super::{CollectError, EndpointOverride, Service};
use crate::entity::CollectionError;
use aws_config::{Region, SdkConfig};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::future::join_all;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

use aws_sdk_sts::error::SdkError;

/// Safety bound on pages of one paginated call (a server that keeps returning tokens
/// must not loop forever).
const MAX_PAGES: usize = 1000;

/// A failed call: code and message.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub code: String,
    pub message: String,
}

fn failure<E>(err: &SdkError<E>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_sdk_sts::error::SdkError as S;
    let context = error_chain(err);
    match err {
        S::ServiceError(service) => {
            let e = service.err();
            Failure {
                code: e.code().unwrap_or("Unknown").to_string(),
                message: e.message().map(str::to_string).unwrap_or(context),
            }
        }
        S::TimeoutError(_) => Failure {
            code: "Timeout".into(),
            message: context,
        },
        S::DispatchFailure(d) => Failure {
            code: if d.is_timeout() {
                "Timeout"
            } else {
                "Unreachable"
            }
            .into(),
            message: context,
        },
        S::ResponseError(_) => Failure {
            code: "InvalidResponse".into(),
            message: context,
        },
        _ => Failure {
            code: "RequestFailed".into(),
            message: context,
        },
    }
}

/// The error and its sources, `: `-joined, without repeats (SDK errors often repeat
/// their source's text).
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
        if parts.len() > 16 {
            break;
        }
    }
    parts.join(": ")
}

/// Clients, limits, counters and the error list shared by all calls of one run.
pub(crate) struct Walker {
    base: SdkConfig,
    endpoints: Vec<EndpointOverride>,
    account: String,
    limit: Arc<Semaphore>,
    pub stats: Arc<ApiCounter>,
    progress: Progress,
    errors: Mutex<Vec<CollectionError>>,
}

impl Walker {
    pub fn new(
        base: SdkConfig,
        endpoints: Vec<EndpointOverride>,
        concurrency: usize,
        stats: Arc<ApiCounter>,
        progress: Progress,
    ) -> Self {
        Walker {
            base,
            endpoints,
            account: String::new(),
            limit: Arc::new(Semaphore::new(concurrency.max(1))),
            stats,
            progress,
            errors: Mutex::new(Vec::new()),
        }
    }

    fn endpoint(&self, service: Service, region: &str) -> Option<String> {
        self.endpoints
            .iter()
            .filter(|o| o.service.is_none_or(|s| s == service))
            .filter(|o| o.region.as_deref().is_none_or(|r| r == region))
            .max_by_key(|o| (o.region.is_some(), o.service.is_some()))
            .map(|o| o.url.clone())
    }

    fn cloudtrail(&self, region: &str) -> aws_sdk_cloudtrail::Client {
        let mut b = aws_sdk_cloudtrail::config::Builder::from(&self.base)
            .region(Region::new(region.to_string()));
        if let Some(url) = self.endpoint(Service::CloudTrail, region) {
            b = b.endpoint_url(url);
        }
        aws_sdk_cloudtrail::Client::from_conf(b.build())
    }

    fn logs(&self, region: &str) -> aws_sdk_cloudwatchlogs::Client {
        let mut b = aws_sdk_cloudwatchlogs::config::Builder::from(&self.base)
            .region(Region::new(region.to_string()));
        if let Some(url) = self.endpoint(Service::Logs, region) {
            b = b.endpoint_url(url);
        }
        aws_sdk_cloudwatchlogs::Client::from_conf(b.build())
    }

    fn cloudwatch(&self, region: &str) -> aws_sdk_cloudwatch::Client {
        let mut b = aws_sdk_cloudwatch::config::Builder::from(&self.base)
            .region(Region::new(region.to_string()));
        if let Some(url) = self.endpoint(Service::CloudWatch, region) {
            b = b.endpoint_url(url);
        }
        aws_sdk_cloudwatch::Client::from_conf(b.build())
    }

    fn sns(&self, region: &str) -> aws_sdk_sns::Client {
        let mut b =
            aws_sdk_sns::config::Builder::from(&self.base).region(Region::new(region.to_string()));
        if let Some(url) = self.endpoint(Service::Sns, region) {
            b = b.endpoint_url(url);
        }
        aws_sdk_sns::Client::from_conf(b.build())
    }

    fn sts(&self, region: &str) -> aws_sdk_sts::Client {
        let mut b =
            aws_sdk_sts::config::Builder::from(&self.base).region(Region::new(region.to_string()));
        if let Some(url) = self.endpoint(Service::Sts, region) {
            b = b.endpoint_url(url);
        }
        aws_sdk_sts::Client::from_conf(b.build())
    }

    /// One API call under the concurrency bound, counted.
    async fn call<T, E, Fut>(
        &self,
        service: &'static str,
        operation: &'static str,
        fut: Fut,
    ) -> Result<T, Failure>
    where
        Fut: Future<Output = Result<T, SdkError<E>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let result = match self.limit.acquire().await {
            Ok(_permit) => fut.await.map_err(|e| failure(&e)),
            Err(_) => Err(Failure {
                code: "Cancelled".into(),
                message: "the collection was cancelled".into(),
            }),
        };
        self.stats.record(service, operation, result.is_err());
        self.progress.call_done();
        result
    }

    fn record(&self, region: &str, service: &str, operation: &str, f: Failure, on_chain: bool) {
        let error = CollectionError {
            account_number: self.account.clone(),
            region: Some(region.to_string()),
            service: service.to_string(),
            operation: operation.to_string(),
            code: f.code,
            message: f.message,
            entity_types: affected_entity_types(service, operation, on_chain),
        };
        if let Ok(mut errors) = self.errors.lock() {
            errors.push(error);
        }
    }

    /// STS GetCallerIdentity: the account id, or the run stops.
    pub async fn identify(&mut self, region: &str) -> Result<String, CollectError> {
        self.progress.phase(format!("identity ({region})"));
        let client = self.sts(region);
        match self
            .call(
                "sts",
                "GetCallerIdentity",
                client.get_caller_identity().send(),
            )
            .await
        {
            Ok(out) => match out.account() {
                Some(account) if !account.is_empty() => {
                    self.account = account.to_string();
                    Ok(self.account.clone())
                }
                _ => Err(CollectError::Identity {
                    region: region.to_string(),
                    code: "NoAccount".into(),
                    message: "the reply carries no account id".into(),
                }),
            },
            Err(f) => Err(CollectError::Identity {
                region: region.to_string(),
                code: f.code,
                message: f.message,
            }),
        }
    }

    /// Walk the account. `probe` lists regions that may be disabled for the account
    /// (opt-in regions under `--all-regions`): if DescribeTrails there fails as for a
    /// disabled region, the region is dropped without an error.
    pub async fn walk(self, regions: Vec<String>, probe: &HashSet<String>) -> Collected {
        // Phase 1: per region.
        self.progress.phase(format!(
            "{} region(s): trails, alarms, topics",
            regions.len()
        ));
        let passes = join_all(
            regions
                .iter()
                .map(|r| self.region_pass(r.clone(), probe.contains(r))),
        )
        .await;

        let mut collected_regions = Vec::new();
        let mut trails: BTreeMap<String, (String, aws_sdk_cloudtrail::types::Trail)> =
            BTreeMap::new();
        let mut alarms: Vec<AlarmRecord> = Vec::new();
        let mut alarm_regions: HashSet<String> = HashSet::new();
        let mut topic_lists: HashMap<String, Option<Vec<String>>> = HashMap::new();
        for pass in passes {
            if pass.disabled {
                continue;
            }
            for t in pass.trails {
                let key = t.trail_arn().or(t.name()).unwrap_or_default().to_string();
                trails
                    .entry(key)
                    .or_insert_with(|| (pass.region.clone(), t));
            }
            if let Some(list) = pass.alarms {
                alarms.extend(list);
            }
            alarm_regions.insert(pass.region.clone());
            topic_lists.insert(pass.region.clone(), pass.topics);
            collected_regions.push(pass.region);
        }

        // Phase 2: per trail, per log group.
        self.progress.phase(format!(
            "{} trail(s): status, selectors, log groups",
            trails.len()
        ));
        let trail_list: Vec<(String, aws_sdk_cloudtrail::types::Trail)> =
            trails.into_values().collect();
        let trail_home = |seen_in: &String, t: &aws_sdk_cloudtrail::types::Trail| -> String {
            t.home_region()
                .map(str::to_string)
                .or_else(|| t.trail_arn().and_then(arn_region).map(str::to_string))
                .unwrap_or_else(|| seen_in.clone())
        };
        let mut groups: BTreeSet<(String, String)> = BTreeSet::new();
        let mut tag_batches: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (seen_in, t) in &trail_list {
            if let Some(arn) = t.cloud_watch_logs_log_group_arn() {
                match (parse_log_group_arn(arn), arn_account(arn)) {
                    (Some(g), Some(owner)) if owner != self.account => {
                        // Another account's log group: its filters are not visible here.
                        self.record(
                            &g.0,
                            "logs",
                            "DescribeMetricFilters",
                            Failure {
                                code: "OtherAccount".into(),
                                message: format!(
                                    "the trail {} delivers to {arn} in account {owner}; collect that account to see the log group's metric filters",
                                    t.trail_arn().unwrap_or_default()
                                ),
                            },
                            true,
                        );
                    }
                    (Some(g), _) => {
                        groups.insert(g);
                    }
                    (None, _) => {}
                }
            }
            if let Some(arn) = t.trail_arn() {
                tag_batches
                    .entry(trail_home(seen_in, t))
                    .or_default()
                    .push(arn.to_string());
            }
        }
        let extra_alarm_regions: BTreeSet<String> = groups
            .iter()
            .map(|(r, _)| r.clone())
            .filter(|r| !alarm_regions.contains(r))
            .collect();

        let trail_details = join_all(
            trail_list
                .iter()
                .map(|(seen_in, t)| self.trail_details(trail_home(seen_in, t), t)),
        );
        let tags = join_all(
            tag_batches
                .iter()
                .flat_map(|(region, arns)| arns.chunks(20).map(move |c| (region, c.to_vec())))
                .map(|(region, arns)| self.list_tags(region.clone(), arns)),
        );
        let group_data = join_all(
            groups
                .iter()
                .map(|(r, n)| self.log_group(r.clone(), n.clone())),
        );
        let more_alarms = join_all(
            extra_alarm_regions
                .iter()
                .map(|r| self.describe_alarms(r.clone())),
        );
        let (trail_details, tags, group_data, more_alarms) =
            futures::join!(trail_details, tags, group_data, more_alarms);

        for list in more_alarms.into_iter().flatten() {
            alarms.extend(list);
        }
        let tag_map: HashMap<String, Vec<super::model::Tag>> = tags.into_iter().flatten().collect();
        let mut log_groups: Vec<LogGroupRecord> = Vec::new();
        let mut metric_filters: Vec<MetricFilterRecord> = Vec::new();
        for (group, filters) in group_data {
            log_groups.extend(group);
            metric_filters.extend(filters.into_iter().flatten());
        }
        let trails: Vec<TrailData> = trail_list
            .iter()
            .zip(trail_details)
            .map(|((seen_in, t), mut data)| {
                let home = trail_home(seen_in, t);
                if let Some(arn) = t.trail_arn() {
                    data.tags = tag_map.get(arn).cloned().or_else(|| {
                        // ListTags answered but left this trail out: it has no tags.
                        self.tags_answered(&home).then(Vec::new)
                    });
                }
                data
            })
            .collect();

        // Phase 3: subscriptions of listed topics and of topics alarms notify.
        let chain_metrics: HashSet<(&str, &str, &str)> = metric_filters
            .iter()
            .flat_map(|f| {
                f.metric_transformations.iter().map(move |t| {
                    (
                        f.region.as_str(),
                        t.metric_namespace.as_str(),
                        t.metric_name.as_str(),
                    )
                })
            })
            .collect();
        let mut on_chain: HashSet<String> = HashSet::new();
        let mut wanted: BTreeSet<String> = BTreeSet::new();
        for list in topic_lists.values().flatten() {
            wanted.extend(list.iter().cloned());
        }
        for a in &alarms {
            let chain = alarm_metric_keys(a)
                .iter()
                .any(|&(ns, m)| chain_metrics.contains(&(a.region.as_str(), ns, m)));
            for action in &a.alarm_actions {
                if arn_service(action) != Some("sns") {
                    continue;
                }
                if chain {
                    on_chain.insert(action.clone());
                }
                let region = arn_region(action).unwrap_or_default();
                let known_missing = match topic_lists.get(region) {
                    Some(Some(list)) => {
                        arn_account(action) == Some(self.account.as_str())
                            && !list.iter().any(|t| t == action)
                    }
                    _ => false,
                };
                // A topic of ours missing from its region's complete listing does not
                // exist: no call, no subscriptions.
                if !known_missing {
                    wanted.insert(action.clone());
                }
            }
        }
        self.progress
            .phase(format!("{} topic(s): subscriptions", wanted.len()));
        let topics: Vec<TopicRecord> = join_all(
            wanted
                .iter()
                .map(|arn| self.subscriptions(arn.clone(), on_chain.contains(arn))),
        )
        .await
        .into_iter()
        .flatten()
        .collect();

        let mut errors = match self.errors.lock() {
            Ok(mut e) => std::mem::take(&mut *e),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        // Calls finish in any order; the snapshot should not.
        errors.sort_by(|a, b| {
            (&a.region, &a.service, &a.operation, &a.message).cmp(&(
                &b.region,
                &b.service,
                &b.operation,
                &b.message,
            ))
        });
        Collected {
            account_number: self.account.clone(),
            regions: collected_regions,
            trails,
            log_groups,
            metric_filters,
            alarms,
            topics,
            errors,
        }
    }

    fn tags_answered(&self, region: &str) -> bool {
        self.errors.lock().is_ok_and(|errors| {
            !errors
                .iter()
                .any(|e| e.operation == "ListTags" && e.region.as_deref() == Some(region))
        })
    }

    async fn region_pass(&self, region: String, probe: bool) -> RegionPass {
        let ct = self.cloudtrail(&region);
        let trails = self
            .call(
                "cloudtrail",
                "DescribeTrails",
                ct.describe_trails().include_shadow_trails(true).send(),
            )
            .await;
        let trails = match trails {
            Ok(out) => out.trail_list().to_vec(),
            Err(f) if probe && is_region_disabled_code(&f.code) => {
                return RegionPass {
                    region,
                    disabled: true,
                    trails: Vec::new(),
                    alarms: None,
                    topics: None,
                };
            }
            Err(f) => {
                self.record(&region, "cloudtrail", "DescribeTrails", f, true);
                Vec::new()
            }
        };
        let (alarms, topics) = futures::join!(
            self.describe_alarms(region.clone()),
            self.list_topics(&region)
        );
        RegionPass {
            region,
            disabled: false,
            trails,
            alarms,
            topics,
        }
    }

    /// Follow a paginated call to its end: `send(token)` requests one page,
    /// `consume(page)` keeps its items and returns the page's next token.
    async fn paginate<O, E, Fut>(
        &self,
        service: &'static str,
        operation: &'static str,
        mut send: impl FnMut(Option<String>) -> Fut,
        mut consume: impl FnMut(O) -> Option<String>,
    ) -> Result<(), Failure>
    where
        Fut: Future<Output = Result<O, SdkError<E>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self.call(service, operation, send(token.clone())).await?;
            match next(&token, consume(page).as_deref()) {
                Some(t) => token = Some(t),
                None => return Ok(()),
            }
        }
        Ok(())
    }

    async fn describe_alarms(&self, region: String) -> Option<Vec<AlarmRecord>> {
        let client = self.cloudwatch(&region);
        let mut out = Vec::new();
        let result = self
            .paginate(
                "cloudwatch",
                "DescribeAlarms",
                |token| {
                    client
                        .describe_alarms()
                        .alarm_types(aws_sdk_cloudwatch::types::AlarmType::MetricAlarm)
                        .max_records(100)
                        .set_next_token(token)
                        .send()
                },
                |p| {
                    out.extend(
                        p.metric_alarms()
                            .iter()
                            .filter_map(|a| convert::alarm(&region, a)),
                    );
                    p.next_token().map(str::to_string)
                },
            )
            .await;
        match result {
            Ok(()) => Some(out),
            Err(f) => {
                self.record(&region, "cloudwatch", "DescribeAlarms", f, true);
                None
            }
        }
    }

    async fn list_topics(&self, region: &str) -> Option<Vec<String>> {
        let client = self.sns(region);
        let mut out = Vec::new();
        let result = self
            .paginate(
                "sns",
                "ListTopics",
                |token| client.list_topics().set_next_token(token).send(),
                |p| {
                    out.extend(
                        p.topics()
                            .iter()
                            .filter_map(|t| t.topic_arn().map(str::to_string)),
                    );
                    p.next_token().map(str::to_string)
                },
            )
            .await;
        match result {
            Ok(()) => Some(out),
            Err(f) => {
                self.record(region, "sns", "ListTopics", f, false);
                None
            }
        }
    }

    async fn trail_details(&self, home: String, t: &aws_sdk_cloudtrail::types::Trail) -> TrailData {
        let record = convert::trail(t);
        let Some(arn) = t.trail_arn().map(str::to_string) else {
            return TrailData {
                trail: record,
                status: None,
                event_selectors: None,
                advanced_event_selectors: None,
                tags: None,
            };
        };
        let client = self.cloudtrail(&home);
        let status = self.call(
            "cloudtrail",
            "GetTrailStatus",
            client.get_trail_status().name(&arn).send(),
        );
        let selectors = self.call(
            "cloudtrail",
            "GetEventSelectors",
            client.get_event_selectors().trail_name(&arn).send(),
        );
        let (status, selectors) = futures::join!(status, selectors);
        let status = match status {
            Ok(s) => Some(convert::trail_status(&s)),
            Err(f) => {
                self.record(&home, "cloudtrail", "GetTrailStatus", f, true);
                None
            }
        };
        let (event_selectors, advanced_event_selectors) = match selectors {
            Ok(s) => (
                Some(
                    s.event_selectors()
                        .iter()
                        .map(convert::event_selector)
                        .collect(),
                ),
                Some(
                    s.advanced_event_selectors()
                        .iter()
                        .map(convert::advanced_event_selector)
                        .collect(),
                ),
            ),
            Err(f) => {
                self.record(&home, "cloudtrail", "GetEventSelectors", f, true);
                (None, None)
            }
        };
        TrailData {
            trail: record,
            status,
            event_selectors,
            advanced_event_selectors,
            tags: None,
        }
    }

    async fn list_tags(
        &self,
        region: String,
        arns: Vec<String>,
    ) -> Vec<(String, Vec<super::model::Tag>)> {
        let client = self.cloudtrail(&region);
        let mut out = Vec::new();
        let result = self
            .paginate(
                "cloudtrail",
                "ListTags",
                |token| {
                    client
                        .list_tags()
                        .set_resource_id_list(Some(arns.clone()))
                        .set_next_token(token)
                        .send()
                },
                |p| {
                    for rt in p.resource_tag_list() {
                        if let Some(id) = rt.resource_id() {
                            out.push((
                                id.to_string(),
                                rt.tags_list().iter().map(convert::tag).collect(),
                            ));
                        }
                    }
                    p.next_token().map(str::to_string)
                },
            )
            .await;
        if let Err(f) = result {
            self.record(&region, "cloudtrail", "ListTags", f, false);
        }
        out
    }

    /// The log group (if it exists) and its metric filters (`None`: not collected).
    async fn log_group(
        &self,
        region: String,
        name: String,
    ) -> (Option<LogGroupRecord>, Option<Vec<MetricFilterRecord>>) {
        let client = self.logs(&region);
        let group = async {
            let mut found = None;
            let result = self
                .paginate(
                    "logs",
                    "DescribeLogGroups",
                    |token| {
                        client
                            .describe_log_groups()
                            .log_group_name_prefix(&name)
                            .set_next_token(token)
                            .send()
                    },
                    |p| {
                        if let Some(g) = p
                            .log_groups()
                            .iter()
                            .find(|g| g.log_group_name() == Some(name.as_str()))
                        {
                            found = convert::log_group(&region, g);
                            return None; // found: no more pages needed
                        }
                        p.next_token().map(str::to_string)
                    },
                )
                .await;
            if let Err(f) = result {
                self.record(&region, "logs", "DescribeLogGroups", f, false);
            }
            found
        };
        let filters = async {
            let mut out = Vec::new();
            let result = self
                .paginate(
                    "logs",
                    "DescribeMetricFilters",
                    |token| {
                        client
                            .describe_metric_filters()
                            .log_group_name(&name)
                            .set_next_token(token)
                            .send()
                    },
                    |p| {
                        out.extend(
                            p.metric_filters()
                                .iter()
                                .filter_map(|f| convert::metric_filter(&region, &name, f)),
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
                    self.record(&region, "logs", "DescribeMetricFilters", f, true);
                    None
                }
            }
        };
        futures::join!(group, filters)
    }

    /// The topic with its subscriptions, or `None` if it does not exist or the call
    /// failed (recorded).
    async fn subscriptions(&self, arn: String, on_chain: bool) -> Option<TopicRecord> {
        let region = arn_region(&arn)?.to_string();
        let client = self.sns(&region);
        let mut subscriptions = Vec::new();
        let result = self
            .paginate(
                "sns",
                "ListSubscriptionsByTopic",
                |token| {
                    client
                        .list_subscriptions_by_topic()
                        .topic_arn(&arn)
                        .set_next_token(token)
                        .send()
                },
                |p| {
                    subscriptions.extend(p.subscriptions().iter().map(convert::subscription));
                    p.next_token().map(str::to_string)
                },
            )
            .await;
        match result {
            Ok(()) => Some(TopicRecord {
                region,
                arn,
                subscriptions,
            }),
            Err(f) if f.code == "NotFound" => None,
            Err(f) => {
                self.record(&region, "sns", "ListSubscriptionsByTopic", f, on_chain);
                None
            }
        }
    }
}

/// The next page token, or `None` when done (absent, empty, or repeated).
fn next(previous: &Option<String>, token: Option<&str>) -> Option<String> {
    match token {
        Some(t) if !t.is_empty() && previous.as_deref() != Some(t) => Some(t.to_string()),
        _ => None,
    }
}

fn alarm_metric_keys(a: &AlarmRecord) -> Vec<(&str, &str)> {
    let mut keys = Vec::new();
    if let (Some(ns), Some(m)) = (&a.namespace, &a.metric_name) {
        keys.push((ns.as_str(), m.as_str()));
    }
    for metric in &a.metrics {
        if let (Some(ns), Some(m)) = (&metric.namespace, &metric.metric_name) {
            keys.push((ns.as_str(), m.as_str()));
        }
    }
    keys
}

struct RegionPass {
    region: String,
    disabled: bool,
    trails: Vec<aws_sdk_cloudtrail::types::Trail>,
    alarms: Option<Vec<AlarmRecord>>,
    topics: Option<Vec<String>>,
}
