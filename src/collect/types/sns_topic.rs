//! `SnsTopic`: every topic of each collected region (`ListTopics`), plus the topics
//! a collected alarm notifies, with their subscriptions (`ListSubscriptionsByTopic`,
//! after the alarms and metric filters are known).

use super::{object, Call, Collected, EntityType, Read, Scope};
use crate::collect::plan::Issue;
use crate::collect::types::cloud_watch_alarm::{alarm_watches_filter, AlarmRecord};
use crate::collect::types::metric_filter::MetricFilterRecord;
use crate::collect::{graph, Service};
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use std::collections::{BTreeMap, HashMap};
use PropType::{Boolean as B, Number as N, String as S};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "SnsTopic",
    about: "Every topic of each collected region (`ListTopics`), plus topics in other regions that a collected alarm\nnotifies, with their subscriptions (`ListSubscriptionsByTopic`). A topic whose subscriptions could not be\nlisted is left out, and the error is recorded.",
    calls: &[
        Call {
            service: Service::Sns,
            operation: "ListTopics",
            scope: Scope::Region,
            paged: true,
        },
        LIST_SUBSCRIPTIONS,
    ],
    reads: &[] as &[Read],
    properties: PROPERTIES,
    tables: &[],
    build,
};

/// The subscriptions of a topic (listed, or notified by an alarm).
pub const LIST_SUBSCRIPTIONS: Call = Call {
    service: Service::Sns,
    operation: "ListSubscriptionsByTopic",
    scope: Scope::Each("topic listed or notified by an alarm"),
    paged: true,
};

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`TopicArn`",
        "`\"SnsTopic\"`",
        "the last part of the ARN",
        "the topic's region",
    ),
    OWN,
);

/// What an `SnsTopic` has besides its identity.
const OWN: &[Property] = &[
    p("arn", S, "`TopicArn`"),
    p(
        "subscriptions",
        PropType::List(&PropType::Object(SUBSCRIPTION)),
        "`ListSubscriptionsByTopic` `Subscriptions` (below)",
    ),
    p(
        "subscriptionsConfirmed",
        N,
        "derived: subscriptions with a real ARN",
    ),
    p(
        "subscriptionsPending",
        N,
        "derived: subscriptions `PendingConfirmation`",
    ),
];

/// A subscription, as listed under a topic and under an alarm's actions.
pub const SUBSCRIPTION: &[Property] = &[
    n("subscriptionArn", S, "`SubscriptionArn`"),
    n("topicArn", S, "`TopicArn`"),
    n("owner", S, "`Owner`"),
    n("endpoint", S, "`Endpoint`"),
    n("protocol", S, "`Protocol`"),
    p(
        "pendingConfirmation",
        B,
        "derived: `subscriptionArn` is `PendingConfirmation`",
    ),
];

/// The records: an SNS topic and its subscriptions (ListTopics,
/// ListSubscriptionsByTopic).
pub type Record = TopicRecord;

/// An SNS topic and its subscriptions (ListTopics, ListSubscriptionsByTopic).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TopicRecord {
    /// The region of the topic.
    pub region: String,
    /// `TopicArn`.
    pub arn: String,
    /// `Subscriptions[]`.
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
}

/// An SNS subscription (ListSubscriptionsByTopic `Subscriptions[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Subscription {
    /// `SubscriptionArn`: a real ARN once confirmed, else `PendingConfirmation`
    /// (or `Deleted`).
    pub subscription_arn: Option<String>,
    /// `TopicArn`.
    pub topic_arn: Option<String>,
    /// `Owner`.
    pub owner: Option<String>,
    /// `Endpoint`.
    pub endpoint: Option<String>,
    /// `Protocol`.
    pub protocol: Option<String>,
}

impl Subscription {
    /// A subscription is confirmed when its ARN is a real ARN (AWS reports
    /// `PendingConfirmation` or `Deleted` otherwise).
    pub fn is_confirmed(&self) -> bool {
        self.subscription_arn
            .as_deref()
            .is_some_and(|arn| arn.starts_with("arn:"))
    }

    /// Waiting for the endpoint owner to confirm.
    pub fn is_pending(&self) -> bool {
        self.subscription_arn.as_deref() == Some("PendingConfirmation")
    }

    /// The subscription as an entity property (`pendingConfirmation` derived).
    pub fn to_json(&self) -> Json {
        let mut m = object(self);
        m.insert("pendingConfirmation".into(), Json::Bool(self.is_pending()));
        Json::Object(m)
    }
}

/// The collected topics by ARN: the join of an alarm action to its topic.
pub struct Topics<'a> {
    by_arn: HashMap<&'a str, &'a TopicRecord>,
}

impl<'a> Topics<'a> {
    /// The topics of one account.
    pub fn new(topics: &'a [TopicRecord]) -> Self {
        Topics {
            by_arn: topics.iter().map(|t| (t.arn.as_str(), t)).collect(),
        }
    }

    /// The topic `arn`, if collected.
    pub fn get(&self, arn: &str) -> Option<&'a TopicRecord> {
        self.by_arn.get(arn).copied()
    }

    /// The subscriptions of the topic `arn` (none when it was not collected).
    pub fn subscriptions(&self, arn: &str) -> &'a [Subscription] {
        self.get(arn)
            .map(|t| t.subscriptions.as_slice())
            .unwrap_or_default()
    }
}

fn build(c: &Collected) -> Vec<Json> {
    let mut list: Vec<&TopicRecord> = c.topics.iter().collect();
    list.sort_by(|a, b| a.arn.cmp(&b.arn));
    list.iter()
        .map(|t| {
            let name = t.arn.rsplit(':').next().unwrap_or_default();
            let mut m = super::identity(&t.arn, TYPE.name, name, &c.account_number, &t.region);
            m.insert("arn".into(), json!(t.arn));
            let subs: Vec<Json> = t.subscriptions.iter().map(Subscription::to_json).collect();
            m.insert("subscriptions".into(), Json::Array(subs));
            let confirmed = t.subscriptions.iter().filter(|s| s.is_confirmed()).count();
            let pending = t.subscriptions.iter().filter(|s| s.is_pending()).count();
            m.insert("subscriptionsConfirmed".into(), json!(confirmed));
            m.insert("subscriptionsPending".into(), json!(pending));
            Json::Object(m)
        })
        .collect()
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
pub fn plan(
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
        let chain = filters.iter().any(|f| alarm_watches_filter(a, f));
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

/// Records with every field set (The topic the alarms notify, with a confirmed subscription.), joined with the other types' examples into
/// one account by the tests that hold the schema to what `build` writes
/// (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "topics": [
  {
   "region": "us-east-1",
   "arn": "arn:aws:sns:us-east-1:111111111111:n",
   "subscriptions": [
    {
     "subscriptionArn": "arn:aws:sns:us-east-1:111111111111:n:1",
     "topicArn": "arn:aws:sns:us-east-1:111111111111:n",
     "owner": "111111111111",
     "endpoint": "a@example.com",
     "protocol": "email"
    }
   ]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{plan, PlannedTopic, Subscription, TopicRecord, TYPE};
    use crate::collect::call::Session;
    use crate::collect::convert::owned;
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_sns::types as sns;
    use aws_sdk_sns::Client;
    use futures::future::{join_all, BoxFuture};
    use std::collections::HashMap;

    /// ListTopics per region; the subscriptions once the alarms and filters are known.
    pub(crate) struct Fetcher;

    /// The topic ARNs of each region (`None`: not collected).
    type Listed = HashMap<String, Option<Vec<String>>>;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let topics = list_topics(w.s, region).await;
                w.update::<Listed>(TYPE.name, |l| {
                    l.insert(region.to_string(), topics);
                });
                true
            })
        }

        fn last<'a>(&'a self, w: &'a Walk<'a>) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                let listed = w.take::<Listed>(TYPE.name);
                let (planned, issues) =
                    w.read(|c| plan(&listed, &c.alarms, &c.metric_filters, &w.s.account));
                issues.into_iter().for_each(|i| w.s.issue(i));
                let topics: Vec<TopicRecord> =
                    join_all(planned.iter().map(|t| subscriptions(w.s, t)))
                        .await
                        .into_iter()
                        .flatten()
                        .collect();
                w.write(|c| c.topics = topics);
            })
        }
    }

    /// The topic ARNs of `region` (`None`: not collected).
    async fn list_topics(s: &Session, region: &str) -> Option<Vec<String>> {
        let client: Client = s.client(region);
        let mut out = Vec::new();
        let result = s
            .paginate(
                Service::Sns,
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
                s.record(region, Service::Sns, "ListTopics", f, false);
                None
            }
        }
    }

    /// The topic with its subscriptions, or `None` if it does not exist or the call
    /// failed (recorded).
    async fn subscriptions(s: &Session, topic: &PlannedTopic) -> Option<TopicRecord> {
        let client: Client = s.client(&topic.region);
        let mut subscriptions = Vec::new();
        let result = s
            .paginate(
                Service::Sns,
                "ListSubscriptionsByTopic",
                |token| {
                    client
                        .list_subscriptions_by_topic()
                        .topic_arn(&topic.arn)
                        .set_next_token(token)
                        .send()
                },
                |p| {
                    subscriptions.extend(p.subscriptions().iter().map(subscription));
                    p.next_token().map(str::to_string)
                },
            )
            .await;
        match result {
            Ok(()) => Some(TopicRecord {
                region: topic.region.clone(),
                arn: topic.arn.clone(),
                subscriptions,
            }),
            Err(f) if f.code == "NotFound" => None,
            Err(f) => {
                s.record(
                    &topic.region,
                    Service::Sns,
                    "ListSubscriptionsByTopic",
                    f,
                    topic.on_chain,
                );
                None
            }
        }
    }

    /// ListSubscriptionsByTopic `Subscriptions[]` item.
    pub(crate) fn subscription(s: &sns::Subscription) -> Subscription {
        Subscription {
            subscription_arn: owned(s.subscription_arn()),
            topic_arn: owned(s.topic_arn()),
            owner: owned(s.owner()),
            endpoint: owned(s.endpoint()),
            protocol: owned(s.protocol()),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn pending_subscriptions() {
            let s = subscription(
                &sns::Subscription::builder()
                    .subscription_arn("PendingConfirmation")
                    .protocol("email")
                    .build(),
            );
            assert!(s.is_pending());
            assert!(!s.is_confirmed());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::types::metric_filter::MetricTransformation;

    const ACCOUNT: &str = "123456789012";

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
        let (planned, issues) = plan(&listed, &alarms, &[filter("M")], ACCOUNT);
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
        let (planned, _) = plan(&unknown, &alarms[..1], &[], ACCOUNT);
        assert!(planned.iter().any(|t| t.arn == gone && !t.on_chain));
    }
}
