//! CloudWatch: DescribeAlarms (metric alarms).

use crate::collect::call::Session;
use crate::collect::convert;
use crate::collect::model::AlarmRecord;
use crate::collect::Service;
use aws_sdk_cloudwatch::types::AlarmType;
use aws_sdk_cloudwatch::Client;

/// The metric alarms of `region` (`None`: not collected).
pub(crate) async fn describe_alarms(s: &Session, region: &str) -> Option<Vec<AlarmRecord>> {
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
                out.extend(
                    p.metric_alarms()
                        .iter()
                        .filter_map(|a| convert::alarm(region, a)),
                );
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
