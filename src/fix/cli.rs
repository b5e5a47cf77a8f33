//! A plan as AWS CLI commands: one command per change, with its region, after a
//! comment naming the change, its account and the findings it mends.

use super::change::{Action, Change};
use super::Plan;
use serde_json::json;

/// The command of one change, on one line.
pub fn command(c: &Change) -> String {
    let mut w = Words::new(&c.region);
    match &c.action {
        Action::PutMetricFilter {
            log_group_name,
            filter_name,
            filter_pattern,
            metric_name,
            metric_namespace,
            metric_value,
            ..
        } => {
            w.cmd("logs put-metric-filter")
                .arg("--log-group-name", log_group_name)
                .arg("--filter-name", filter_name)
                .arg("--filter-pattern", filter_pattern)
                .arg(
                    "--metric-transformations",
                    &json!([{
                        "metricName": metric_name,
                        "metricNamespace": metric_namespace,
                        "metricValue": metric_value,
                    }])
                    .to_string(),
                );
        }
        Action::PutMetricAlarm(a) => {
            w.cmd("cloudwatch put-metric-alarm")
                .arg("--alarm-name", &a.alarm_name)
                .opt("--alarm-description", a.description.as_deref())
                .arg("--metric-name", &a.metric_name)
                .arg("--namespace", &a.namespace)
                .arg("--statistic", &a.statistic)
                .arg("--period", &a.period.to_string())
                .arg("--evaluation-periods", &a.evaluation_periods.to_string())
                .arg("--threshold", &a.threshold.to_string())
                .arg("--comparison-operator", &a.comparison_operator)
                .opt("--treat-missing-data", a.treat_missing_data.as_deref());
            if !a.dimensions.is_empty() {
                let dims: Vec<_> = a
                    .dimensions
                    .iter()
                    .map(|d| json!({"Name": d.name, "Value": d.value}))
                    .collect();
                w.arg("--dimensions", &serde_json::Value::Array(dims).to_string());
            }
            w.list("--alarm-actions", &a.alarm_actions)
                .list("--ok-actions", &a.ok_actions)
                .list("--insufficient-data-actions", &a.insufficient_data_actions)
                .flag(if a.actions_enabled {
                    "--actions-enabled"
                } else {
                    "--no-actions-enabled"
                });
        }
        Action::EnableAlarmActions { alarm_name } => {
            w.cmd("cloudwatch enable-alarm-actions")
                .arg("--alarm-names", alarm_name);
        }
        Action::CreateTopic { name, .. } => {
            w.cmd("sns create-topic").arg("--name", name);
        }
        Action::Subscribe {
            topic_arn,
            protocol,
            endpoint,
        } => {
            w.cmd("sns subscribe")
                .arg("--topic-arn", topic_arn)
                .arg("--protocol", protocol)
                .arg("--notification-endpoint", endpoint);
        }
        Action::UpdateTrail {
            trail_name,
            is_multi_region_trail,
            enable_log_file_validation,
            kms_key_id,
            cloud_watch_logs_log_group_arn,
            cloud_watch_logs_role_arn,
        } => {
            w.cmd("cloudtrail update-trail").arg("--name", trail_name);
            if *is_multi_region_trail == Some(true) {
                w.flag("--is-multi-region-trail");
            }
            if *enable_log_file_validation == Some(true) {
                w.flag("--enable-log-file-validation");
            }
            w.opt("--kms-key-id", kms_key_id.as_deref())
                .opt(
                    "--cloud-watch-logs-log-group-arn",
                    cloud_watch_logs_log_group_arn.as_deref(),
                )
                .opt(
                    "--cloud-watch-logs-role-arn",
                    cloud_watch_logs_role_arn.as_deref(),
                );
        }
        Action::StartLogging { trail_name } => {
            w.cmd("cloudtrail start-logging").arg("--name", trail_name);
        }
        Action::PutEventSelectors {
            trail_name,
            event_selectors,
        } => {
            let selectors: Vec<_> = event_selectors
                .iter()
                .map(|s| {
                    let mut m = json!({
                        "ReadWriteType": s.read_write_type,
                        "IncludeManagementEvents": s.include_management_events,
                    });
                    if !s.data_resources.is_empty() {
                        m["DataResources"] = s
                            .data_resources
                            .iter()
                            .map(|d| json!({"Type": d.kind, "Values": d.values}))
                            .collect();
                    }
                    if !s.exclude_management_event_sources.is_empty() {
                        m["ExcludeManagementEventSources"] =
                            json!(s.exclude_management_event_sources);
                    }
                    m
                })
                .collect();
            w.cmd("cloudtrail put-event-selectors")
                .arg("--trail-name", trail_name)
                .arg(
                    "--event-selectors",
                    &serde_json::Value::Array(selectors).to_string(),
                );
        }
    }
    w.done()
}

/// The whole plan as a shell script: the findings it cannot mend and why, then each
/// change's comment and command, in order; `set -e` stops at the first failure.
pub fn script(plan: &Plan) -> String {
    let mut out = String::from("#!/bin/sh\n");
    out.push_str(&format!(
        "# gsl fix: {} change(s) for {} finding(s); {} finding(s) not mended\n",
        plan.changes.len(),
        plan.mended().count(),
        plan.blocked().count()
    ));
    for f in plan.blocked() {
        if let Some(why) = &f.blocked {
            out.push_str(&comment(&format!(
                "not mended: {} {}: {why}",
                f.policy, f.entity
            )));
        }
    }
    out.push_str("set -e\n");
    for c in &plan.changes {
        let mends: Vec<&str> = plan
            .findings
            .iter()
            .filter(|f| f.changes.contains(&c.id))
            .map(|f| f.policy.as_str())
            .collect();
        out.push('\n');
        out.push_str(&comment(&format!(
            "{}: account {}, region {}: {} (for {})",
            c.id,
            c.account,
            c.region,
            c.action.describe(c.exists),
            mends.join(", ")
        )));
        out.push_str(&command(c));
        out.push('\n');
    }
    out
}

/// A comment line of a script: whatever a name in it holds (a newline, a control
/// character), it stays one comment line.
pub fn comment(text: &str) -> String {
    format!("# {}\n", crate::text::escape_line(text))
}

/// A command being written: words quoted for a POSIX shell.
struct Words {
    words: Vec<String>,
    region: String,
}

impl Words {
    fn new(region: &str) -> Words {
        Words {
            words: vec!["aws".to_string()],
            region: region.to_string(),
        }
    }

    fn cmd(&mut self, service_and_op: &str) -> &mut Self {
        self.words
            .extend(service_and_op.split(' ').map(str::to_string));
        let region = self.region.clone();
        self.arg("--region", &region)
    }

    fn arg(&mut self, name: &str, value: &str) -> &mut Self {
        self.words.push(name.to_string());
        self.words.push(quote(value));
        self
    }

    fn opt(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.arg(name, v);
        }
        self
    }

    fn list(&mut self, name: &str, values: &[String]) -> &mut Self {
        if !values.is_empty() {
            self.words.push(name.to_string());
            self.words.extend(values.iter().map(|v| quote(v)));
        }
        self
    }

    fn flag(&mut self, name: &str) -> &mut Self {
        self.words.push(name.to_string());
        self
    }

    fn done(self) -> String {
        self.words.join(" ")
    }
}

/// A word for a POSIX shell: as is when it is plain, else in single quotes.
pub fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@=,+".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_cannot_end_a_comment_line() {
        let c = comment("trail \"evil\nrm -rf /\"");
        assert_eq!(c.lines().count(), 1, "{c}");
        assert!(c.starts_with("# ") && c.ends_with('\n'));
    }

    #[test]
    fn words_are_quoted_for_the_shell() {
        assert_eq!(quote("CloudTrail/main"), "CloudTrail/main");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(
            quote(r#"{ $.eventName = "X" }"#),
            r#"'{ $.eventName = "X" }'"#
        );
    }
}
