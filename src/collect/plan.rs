//! The decisions of a walk, apart from the calls: which trails are the same trail,
//! where a trail lives, which log groups, tags, alarm regions and topics to fetch,
//! and what cannot be collected and why. Pure: no SDK, no I/O; the walk makes the
//! calls these functions choose.

use super::graph::{self, affected_entity_types, arn_account, arn_region};
use super::model::{AlarmRecord, MetricFilterRecord, TrailRecord};
use super::Service;
use crate::entity::CollectionError;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// CloudTrail ListTags takes at most this many trail ARNs a call.
pub const TAGS_PER_CALL: usize = 20;

/// Something that could not be collected, before it is attributed to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Region of the call (`None`: global).
    pub region: Option<String>,
    /// Service of the call.
    pub service: Service,
    /// The operation that failed or could not be made.
    pub operation: &'static str,
    /// AWS error code, or one of ours (`OtherAccount`, `MissingTrailArn`, ...).
    pub code: String,
    /// What happened.
    pub message: String,
    /// The missing data was on a trail's alarm chain.
    pub on_chain: bool,
}

impl Issue {
    /// The snapshot's record of this issue in `account`.
    pub fn into_error(self, account: &str) -> CollectionError {
        CollectionError {
            account_number: account.to_string(),
            region: self.region,
            service: self.service.as_str().to_string(),
            operation: self.operation.to_string(),
            code: self.code,
            message: self.message,
            entity_types: affected_entity_types(self.service, self.operation, self.on_chain),
        }
    }
}

/// A trail to collect, in the region that owns it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedTrail {
    /// As DescribeTrails returned it (first region that listed it).
    pub trail: TrailRecord,
    /// The trail's home region: `HomeRegion`, else its ARN's region, else the region
    /// that listed it. Per-trail calls go there.
    pub home: String,
}

impl PlannedTrail {
    /// The trail's ARN (every planned trail has one).
    pub fn arn(&self) -> &str {
        self.trail.trail_arn.as_deref().unwrap_or_default()
    }
}

/// The home region of a trail listed in `seen_in`.
pub fn home_region(seen_in: &str, t: &TrailRecord) -> String {
    t.home_region
        .clone()
        .or_else(|| {
            t.trail_arn
                .as_deref()
                .and_then(arn_region)
                .map(str::to_string)
        })
        .unwrap_or_else(|| seen_in.to_string())
}

/// One trail per ARN from each region's DescribeTrails (shadow copies of a
/// multi-region trail are the same trail; the first region listed wins). A trail
/// without an ARN cannot be told apart from another nor asked for its status: it is
/// an issue, never merged. A trail without a name is kept (its ARN names it) and is
/// an issue too.
pub fn trails(listed: &[(String, Vec<TrailRecord>)]) -> (Vec<PlannedTrail>, Vec<Issue>) {
    let mut out: BTreeMap<String, PlannedTrail> = BTreeMap::new();
    let mut issues = Vec::new();
    for (region, list) in listed {
        for t in list {
            let Some(arn) = t.trail_arn.clone().filter(|a| !a.is_empty()) else {
                issues.push(Issue {
                    region: Some(region.clone()),
                    service: Service::CloudTrail,
                    operation: "DescribeTrails",
                    code: "MissingTrailArn".into(),
                    message: format!(
                        "DescribeTrails in {region} listed a trail {} without a TrailARN; it cannot be identified, so its data is not in the snapshot",
                        t.name.as_deref().map_or("(no name)".to_string(), |n| format!("{n:?}"))
                    ),
                    on_chain: true,
                });
                continue;
            };
            if out.contains_key(&arn) {
                continue;
            }
            if t.name.as_deref().is_none_or(str::is_empty) {
                issues.push(Issue {
                    region: Some(region.clone()),
                    service: Service::CloudTrail,
                    operation: "DescribeTrails",
                    code: "MissingTrailName".into(),
                    message: format!(
                        "DescribeTrails in {region} listed the trail {arn} without a name"
                    ),
                    on_chain: false,
                });
            }
            out.insert(
                arn,
                PlannedTrail {
                    home: home_region(region, t),
                    trail: t.clone(),
                },
            );
        }
    }
    (out.into_values().collect(), issues)
}

/// The (region, name) of each log group of `account` the trails deliver to. A
/// group of another account is an issue: its filters are not visible here.
pub fn log_groups(
    trails: &[PlannedTrail],
    account: &str,
) -> (BTreeSet<(String, String)>, Vec<Issue>) {
    let mut groups = BTreeSet::new();
    let mut issues = Vec::new();
    for t in trails {
        let Some(arn) = t.trail.cloud_watch_logs_log_group_arn.as_deref() else {
            continue;
        };
        match (graph::parse_log_group_arn(arn), arn_account(arn)) {
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

/// ListTags calls: per home region, the trail ARNs in batches of [`TAGS_PER_CALL`].
pub fn tag_batches(trails: &[PlannedTrail]) -> Vec<(String, Vec<String>)> {
    let mut by_region: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for t in trails {
        by_region
            .entry(t.home.as_str())
            .or_default()
            .push(t.arn().to_string());
    }
    by_region
        .into_iter()
        .flat_map(|(region, arns)| {
            arns.chunks(TAGS_PER_CALL)
                .map(|c| (region.to_string(), c.to_vec()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Regions of trail log groups whose alarms were not listed with the collected
/// regions (the alarms on a group's filters live in the group's region).
pub fn extra_alarm_regions(
    groups: &BTreeSet<(String, String)>,
    alarm_regions: &HashSet<String>,
) -> BTreeSet<String> {
    groups
        .iter()
        .map(|(r, _)| r.clone())
        .filter(|r| !alarm_regions.contains(r))
        .collect()
}

/// DescribeMetricFilters calls: one without a log group per collected region (so a
/// filter on a log group no trail delivers to is seen too), and one per trail log
/// group in a region that is not collected.
pub fn metric_filter_calls(
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

/// A topic whose subscriptions to list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PlannedTopic {
    /// The topic ARN.
    pub arn: String,
    /// Its region (from the ARN).
    pub region: String,
    /// An alarm on a metric filter's metric notifies it.
    pub on_chain: bool,
}

/// `arn:<partition>:sns:<region>:<12-digit account>:<name>` → (region, account).
pub fn parse_topic_arn(arn: &str) -> Option<(&str, &str)> {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", partition, "sns", region, account, name]
            if !partition.is_empty()
                && !region.is_empty()
                && account.len() == 12
                && account.chars().all(|c| c.is_ascii_digit())
                && !name.is_empty() =>
        {
            Some((region, account))
        }
        _ => None,
    }
}

/// The topics to ask for subscriptions: every topic ListTopics listed, and every SNS
/// topic an alarm notifies, except a topic of `account` missing from its region's
/// complete listing (it does not exist: no call, no subscriptions). A malformed topic
/// ARN is an issue, never silently skipped.
pub fn topics(
    listed: &HashMap<String, Option<Vec<String>>>,
    alarms: &[AlarmRecord],
    filters: &[MetricFilterRecord],
    account: &str,
) -> (Vec<PlannedTopic>, Vec<Issue>) {
    let mut wanted: BTreeMap<String, (String, bool)> = BTreeMap::new();
    let mut issues = Vec::new();
    let mut regions: Vec<&String> = listed.keys().collect();
    regions.sort();
    for region in regions {
        for arn in listed[region].iter().flatten() {
            match parse_topic_arn(arn) {
                Some((r, _)) => {
                    wanted.entry(arn.clone()).or_insert((r.to_string(), false));
                }
                None => issues.push(Issue {
                    region: Some(region.clone()),
                    service: Service::Sns,
                    operation: "ListTopics",
                    code: "MalformedArn".into(),
                    message: format!("ListTopics in {region} returned the malformed topic ARN {arn:?}; its subscriptions are not collected"),
                    on_chain: false,
                }),
            }
        }
    }
    for a in alarms {
        let chain = filters.iter().any(|f| graph::alarm_watches_filter(a, f));
        for action in &a.alarm_actions {
            if graph::arn_service(action) != Some("sns") {
                continue;
            }
            let Some((region, owner)) = parse_topic_arn(action) else {
                issues.push(Issue {
                    region: Some(a.region.clone()),
                    service: Service::Sns,
                    operation: "ListSubscriptionsByTopic",
                    code: "MalformedArn".into(),
                    message: format!(
                        "the alarm {:?} notifies the malformed topic ARN {action:?}; whether anyone is notified is unknown",
                        a.name
                    ),
                    on_chain: chain,
                });
                continue;
            };
            let known_missing = match listed.get(region) {
                Some(Some(list)) => owner == account && !list.iter().any(|t| t == action),
                _ => false,
            };
            if known_missing {
                continue;
            }
            let entry = wanted
                .entry(action.clone())
                .or_insert((region.to_string(), false));
            entry.1 |= chain;
        }
    }
    let planned = wanted
        .into_iter()
        .map(|(arn, (region, on_chain))| PlannedTopic {
            arn,
            region,
            on_chain,
        })
        .collect();
    (planned, issues)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::model::MetricTransformation;

    const ACCOUNT: &str = "123456789012";

    fn trail(name: Option<&str>, arn: Option<&str>, home: Option<&str>) -> TrailRecord {
        TrailRecord {
            name: name.map(str::to_string),
            trail_arn: arn.map(str::to_string),
            home_region: home.map(str::to_string),
            ..Default::default()
        }
    }

    const MAIN: &str = "arn:aws:cloudtrail:us-east-1:123456789012:trail/main";

    #[test]
    fn shadow_trails_are_one_trail_in_their_home_region() {
        let shadow = trail(Some("main"), Some(MAIN), Some("us-east-1"));
        let (planned, issues) = trails(&[
            ("eu-west-1".into(), vec![shadow.clone()]),
            ("us-east-1".into(), vec![shadow]),
        ]);
        assert!(issues.is_empty());
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].home, "us-east-1");
        assert_eq!(planned[0].arn(), MAIN);
    }

    #[test]
    fn home_region_falls_back_to_the_arn_then_the_listing_region() {
        assert_eq!(
            home_region("eu-west-1", &trail(None, Some(MAIN), None)),
            "us-east-1"
        );
        assert_eq!(
            home_region("eu-west-1", &trail(None, None, None)),
            "eu-west-1"
        );
        assert_eq!(
            home_region("eu-west-1", &trail(None, Some(MAIN), Some("ap-south-1"))),
            "ap-south-1"
        );
    }

    #[test]
    fn a_trail_without_arn_is_an_issue_never_merged() {
        let (planned, issues) = trails(&[(
            "us-east-1".into(),
            vec![
                trail(Some("a"), None, None),
                trail(Some("b"), None, None),
                trail(None, Some(""), None),
            ],
        )]);
        assert!(planned.is_empty());
        assert_eq!(issues.len(), 3, "{issues:#?}");
        assert!(issues.iter().all(|i| i.code == "MissingTrailArn"));
        assert!(issues[0].message.contains("\"a\""), "{}", issues[0].message);
        let e = issues[0].clone().into_error(ACCOUNT);
        assert_eq!(
            e.entity_types,
            vec!["CloudTrail", "LogGroup", "MetricFilter"]
        );
        assert_eq!(e.service, "cloudtrail");
        assert_eq!(e.account_number, ACCOUNT);
    }

    #[test]
    fn a_trail_without_name_is_kept_and_an_issue() {
        let (planned, issues) =
            trails(&[("us-east-1".into(), vec![trail(None, Some(MAIN), None)])]);
        assert_eq!(planned.len(), 1);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].code, "MissingTrailName");
        assert_eq!(
            issues[0].clone().into_error(ACCOUNT).entity_types,
            vec!["CloudTrail"]
        );
    }

    fn planned(arn: &str, home: &str, group: Option<&str>) -> PlannedTrail {
        PlannedTrail {
            trail: TrailRecord {
                trail_arn: Some(arn.into()),
                cloud_watch_logs_log_group_arn: group.map(str::to_string),
                ..Default::default()
            },
            home: home.into(),
        }
    }

    #[test]
    fn log_groups_of_this_account_only() {
        let (groups, issues) = log_groups(
            &[
                planned(
                    MAIN,
                    "us-east-1",
                    Some("arn:aws:logs:us-east-1:123456789012:log-group:g:*"),
                ),
                planned(
                    "arn:x2",
                    "us-east-1",
                    Some("arn:aws:logs:eu-west-1:999999999999:log-group:org:*"),
                ),
                planned("arn:x3", "us-east-1", Some("not-an-arn")),
                planned("arn:x4", "us-east-1", None),
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

    #[test]
    fn tags_are_batched_by_home_region() {
        let mut list: Vec<PlannedTrail> = (0..21)
            .map(|i| planned(&format!("arn:{i:02}"), "us-east-1", None))
            .collect();
        list.push(planned("arn:eu", "eu-west-1", None));
        let batches = tag_batches(&list);
        let shape: Vec<(&str, usize)> =
            batches.iter().map(|(r, a)| (r.as_str(), a.len())).collect();
        assert_eq!(
            shape,
            vec![("eu-west-1", 1), ("us-east-1", 20), ("us-east-1", 1)]
        );
    }

    #[test]
    fn alarms_are_listed_where_trail_groups_live() {
        let groups: BTreeSet<(String, String)> = [
            ("us-east-1".to_string(), "a".to_string()),
            ("ap-south-1".to_string(), "b".to_string()),
        ]
        .into();
        let seen: HashSet<String> = ["us-east-1".to_string()].into();
        assert_eq!(
            extra_alarm_regions(&groups, &seen)
                .into_iter()
                .collect::<Vec<_>>(),
            vec!["ap-south-1"]
        );
    }

    #[test]
    fn metric_filters_region_wide_and_outside_groups() {
        let groups: BTreeSet<(String, String)> = [
            ("us-east-1".to_string(), "a".to_string()),
            ("ap-south-1".to_string(), "b".to_string()),
        ]
        .into();
        assert_eq!(
            metric_filter_calls(&["us-east-1".into(), "eu-west-1".into()], &groups),
            vec![
                ("us-east-1".to_string(), None),
                ("eu-west-1".to_string(), None),
                ("ap-south-1".to_string(), Some("b".to_string())),
            ]
        );
    }

    #[test]
    fn topic_arns() {
        assert_eq!(
            parse_topic_arn("arn:aws:sns:eu-west-1:111122223333:alerts"),
            Some(("eu-west-1", "111122223333"))
        );
        for bad in [
            "arn:aws:sns::111122223333:alerts",
            "arn:aws:sns:eu-west-1:1111:alerts",
            "arn:aws:sns:eu-west-1:111122223333:",
            "arn:aws:sns:eu-west-1:111122223333:a:b",
            "alerts",
        ] {
            assert_eq!(parse_topic_arn(bad), None, "{bad}");
        }
    }

    fn alarm(name: &str, metric: &str, actions: &[&str]) -> AlarmRecord {
        AlarmRecord {
            region: "us-east-1".into(),
            name: name.into(),
            metric_name: Some(metric.into()),
            namespace: Some("NS".into()),
            alarm_actions: actions.iter().map(|a| a.to_string()).collect(),
            ..Default::default()
        }
    }

    fn filter(metric: &str) -> MetricFilterRecord {
        MetricFilterRecord {
            region: "us-east-1".into(),
            filter_name: "f".into(),
            log_group_name: "g".into(),
            metric_transformations: vec![MetricTransformation {
                metric_name: metric.into(),
                metric_namespace: "NS".into(),
                metric_value: "1".into(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn topics_listed_notified_and_known_missing() {
        let ours = "arn:aws:sns:us-east-1:123456789012:alerts";
        let gone = "arn:aws:sns:us-east-1:123456789012:deleted";
        let theirs = "arn:aws:sns:us-east-1:999999999999:central";
        let elsewhere = "arn:aws:sns:ap-south-1:123456789012:far";
        let listed: HashMap<String, Option<Vec<String>>> = [(
            "us-east-1".to_string(),
            Some(vec![ours.to_string(), "bogus".to_string()]),
        )]
        .into();
        let alarms = vec![
            alarm(
                "chain",
                "M",
                &[ours, gone, theirs, "arn:aws:sns:us-east-1:1:x"],
            ),
            alarm(
                "other",
                "Unrelated",
                &[elsewhere, "arn:aws:autoscaling:us-east-1:123456789012:p"],
            ),
        ];
        let (planned, issues) = topics(&listed, &alarms, &[filter("M")], ACCOUNT);
        let got: Vec<(&str, bool)> = planned
            .iter()
            .map(|t| (t.arn.as_str(), t.on_chain))
            .collect();
        assert_eq!(got, vec![(elsewhere, false), (ours, true), (theirs, true)]);
        let codes: Vec<(&str, &str, bool)> = issues
            .iter()
            .map(|i| (i.operation, i.code.as_str(), i.on_chain))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("ListTopics", "MalformedArn", false),
                ("ListSubscriptionsByTopic", "MalformedArn", true),
            ]
        );
        // Listing failed: no topic is known missing.
        let unknown: HashMap<String, Option<Vec<String>>> =
            [("us-east-1".to_string(), None)].into();
        let (planned, _) = topics(&unknown, &alarms[..1], &[], ACCOUNT);
        assert!(planned.iter().any(|t| t.arn == gone && !t.on_chain));
    }
}
