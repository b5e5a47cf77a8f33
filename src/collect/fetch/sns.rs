//! SNS: ListTopics, ListSubscriptionsByTopic.

use crate::collect::call::Session;
use crate::collect::convert;
use crate::collect::model::TopicRecord;
use crate::collect::plan::PlannedTopic;
use crate::collect::Service;
use aws_sdk_sns::Client;

/// The topic ARNs of `region` (`None`: not collected).
pub(crate) async fn list_topics(s: &Session, region: &str) -> Option<Vec<String>> {
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
pub(crate) async fn subscriptions(s: &Session, topic: &PlannedTopic) -> Option<TopicRecord> {
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
                subscriptions.extend(p.subscriptions().iter().map(convert::subscription));
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
