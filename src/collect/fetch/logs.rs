//! CloudWatch Logs: DescribeLogGroups, DescribeMetricFilters.

use crate::collect::call::Session;
use crate::collect::convert;
use crate::collect::model::{LogGroupRecord, MetricFilterRecord};
use crate::collect::Service;
use aws_sdk_cloudwatchlogs::Client;

/// The log group `name` of `region`, if it exists.
pub(crate) async fn log_group(s: &Session, region: &str, name: &str) -> Option<LogGroupRecord> {
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
                    found = convert::log_group(region, g);
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

/// The metric filters of the log group `group` of `region`, or of every log group of
/// the region without a group (`None`: not collected).
pub(crate) async fn metric_filters(
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
                        .filter_map(|f| convert::metric_filter(region, group, f)),
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
