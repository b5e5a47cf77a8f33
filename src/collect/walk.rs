//! The walk of one account: which calls, in which region, in which order. Every
//! decision is [`super::plan`]'s; the calls are [`super::fetch`]'s; every failure is
//! a recorded [`crate::entity::CollectionError`].
//!
//! Phases (each phase's calls run concurrently, bounded by the run's one semaphore):
//! 1. per collected region: `cloudtrail:DescribeTrails` (with shadow trails),
//!    `cloudwatch:DescribeAlarms` (metric alarms, paged), `sns:ListTopics` (paged);
//! 2. per trail, in its home region: `GetTrailStatus`, `GetEventSelectors`; per home
//!    region: `ListTags` (20 trails a call); per trail log group, in its region:
//!    `logs:DescribeLogGroups` (name prefix); per collected region one
//!    `logs:DescribeMetricFilters` without a group (every filter of the region), and
//!    one with the group for a trail log group in a region not collected;
//!    `DescribeAlarms` in a log group's region that is not collected;
//! 3. per topic listed or notified by an alarm: `sns:ListSubscriptionsByTopic`.

use super::call::Session;
use super::fetch::cloudtrail::{self, Listing};
use super::fetch::{cloudwatch, logs, sns};
use super::model::{AlarmRecord, Collected, LogGroupRecord, MetricFilterRecord, Tag, TrailData};
use super::plan;
use futures::future::join_all;
use std::collections::{HashMap, HashSet};

/// Phase 1 in one region.
struct RegionPass {
    region: String,
    listing: Listing,
    alarms: Option<Vec<AlarmRecord>>,
    topics: Option<Vec<String>>,
}

async fn region_pass(s: &Session, region: String, probe: bool) -> RegionPass {
    let listing = cloudtrail::describe_trails(s, &region, probe).await;
    if matches!(listing, Listing::Disabled) {
        return RegionPass {
            region,
            listing,
            alarms: None,
            topics: None,
        };
    }
    let (alarms, topics) = futures::join!(
        cloudwatch::describe_alarms(s, &region),
        sns::list_topics(s, &region)
    );
    RegionPass {
        region,
        listing,
        alarms,
        topics,
    }
}

/// Walk the account of `s`. `probe` lists regions that may be disabled for the
/// account (opt-in regions under `--all-regions` without a region list): if
/// DescribeTrails there fails as for a disabled region, the region is dropped
/// without an error.
pub(crate) async fn walk(s: &Session, regions: &[String], probe: &HashSet<String>) -> Collected {
    let progress = &s.shared.progress;
    // Phase 1: per region.
    progress.phase(format!(
        "{} region(s): trails, alarms, topics",
        regions.len()
    ));
    let passes = join_all(
        regions
            .iter()
            .map(|r| region_pass(s, r.clone(), probe.contains(r))),
    )
    .await;

    let mut collected_regions = Vec::new();
    let mut listed = Vec::new();
    let mut alarms: Vec<AlarmRecord> = Vec::new();
    let mut alarm_regions: HashSet<String> = HashSet::new();
    let mut topic_lists: HashMap<String, Option<Vec<String>>> = HashMap::new();
    for pass in passes {
        match pass.listing {
            Listing::Disabled => continue,
            Listing::Trails(list) => listed.push((pass.region.clone(), list)),
            Listing::Failed => {}
        }
        if let Some(list) = pass.alarms {
            alarms.extend(list);
        }
        alarm_regions.insert(pass.region.clone());
        topic_lists.insert(pass.region.clone(), pass.topics);
        collected_regions.push(pass.region);
    }

    // Phase 2: per trail, per log group.
    let (trails, issues) = plan::trails(&listed);
    issues.into_iter().for_each(|i| s.issue(i));
    progress.phase(format!(
        "{} trail(s): status, selectors, log groups",
        trails.len()
    ));
    let (groups, issues) = plan::log_groups(&trails, &s.account);
    issues.into_iter().for_each(|i| s.issue(i));
    let tag_batches = plan::tag_batches(&trails);
    let extra_alarm_regions = plan::extra_alarm_regions(&groups, &alarm_regions);

    let trail_details = join_all(trails.iter().map(|t| cloudtrail::trail_details(s, t)));
    let tags = join_all(
        tag_batches
            .iter()
            .map(|(region, arns)| cloudtrail::list_tags(s, region, arns)),
    );
    let filter_calls = plan::metric_filter_calls(&collected_regions, &groups);
    let group_data = join_all(
        groups
            .iter()
            .map(|(region, name)| logs::log_group(s, region, name)),
    );
    let filter_data = join_all(
        filter_calls
            .iter()
            .map(|(region, group)| logs::metric_filters(s, region, group.as_deref())),
    );
    let more_alarms = join_all(
        extra_alarm_regions
            .iter()
            .map(|r| cloudwatch::describe_alarms(s, r)),
    );
    let (trail_details, tags, group_data, filter_data, more_alarms) =
        futures::join!(trail_details, tags, group_data, filter_data, more_alarms);

    for list in more_alarms.into_iter().flatten() {
        alarms.extend(list);
    }
    let tag_map: HashMap<String, Vec<Tag>> = tags.into_iter().flatten().collect();
    let log_groups: Vec<LogGroupRecord> = group_data.into_iter().flatten().collect();
    let metric_filters: Vec<MetricFilterRecord> =
        filter_data.into_iter().flatten().flatten().collect();
    let trails: Vec<TrailData> = trails
        .iter()
        .zip(trail_details)
        .map(|(t, mut data)| {
            data.tags = tag_map.get(t.arn()).cloned().or_else(|| {
                // ListTags answered but left this trail out: it has no tags.
                s.answered(&t.home, "ListTags").then(Vec::new)
            });
            data
        })
        .collect();

    // Phase 3: subscriptions of listed topics and of topics alarms notify.
    let (topics, issues) = plan::topics(&topic_lists, &alarms, &metric_filters, &s.account);
    issues.into_iter().for_each(|i| s.issue(i));
    progress.phase(format!("{} topic(s): subscriptions", topics.len()));
    let topics = join_all(topics.iter().map(|t| sns::subscriptions(s, t)))
        .await
        .into_iter()
        .flatten()
        .collect();

    Collected {
        account_number: s.account.clone(),
        regions: collected_regions,
        trails,
        log_groups,
        metric_filters,
        alarms,
        topics,
        errors: s.take_errors(),
    }
}
