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
        Action::PutBucketPublicAccessBlock { bucket, block } => {
            w.cmd("s3api put-public-access-block")
                .arg("--bucket", bucket)
                .arg("--public-access-block-configuration", &block_json(block));
        }
        Action::PutAccountPublicAccessBlock { account_id, block } => {
            w.cmd("s3control put-public-access-block")
                .arg("--account-id", account_id)
                .arg("--public-access-block-configuration", &block_json(block));
        }
        Action::EnableKeyRotation { key_id } => {
            w.cmd("kms enable-key-rotation").arg("--key-id", key_id);
        }
        Action::UpdateAccountPasswordPolicy(p) => {
            w.cmd("iam update-account-password-policy");
            let n = |w: &mut Words, name: &str, v: Option<i32>| {
                if let Some(v) = v {
                    w.arg(name, &v.to_string());
                }
            };
            let b = |w: &mut Words, name: &str, v: Option<bool>| match v {
                Some(true) => {
                    w.flag(&format!("--{name}"));
                }
                Some(false) => {
                    w.flag(&format!("--no-{name}"));
                }
                None => {}
            };
            n(
                &mut w,
                "--minimum-password-length",
                p.minimum_password_length,
            );
            b(&mut w, "require-symbols", p.require_symbols);
            b(&mut w, "require-numbers", p.require_numbers);
            b(
                &mut w,
                "require-uppercase-characters",
                p.require_uppercase_characters,
            );
            b(
                &mut w,
                "require-lowercase-characters",
                p.require_lowercase_characters,
            );
            b(
                &mut w,
                "allow-users-to-change-password",
                p.allow_users_to_change_password,
            );
            n(&mut w, "--max-password-age", p.max_password_age);
            n(
                &mut w,
                "--password-reuse-prevention",
                p.password_reuse_prevention,
            );
            b(&mut w, "hard-expiry", p.hard_expiry);
        }
        Action::EnableEbsEncryptionByDefault => {
            w.cmd("ec2 enable-ebs-encryption-by-default");
        }
        Action::ModifyInstanceMetadataOptions {
            instance_id,
            http_tokens,
        } => {
            w.cmd("ec2 modify-instance-metadata-options")
                .arg("--instance-id", instance_id)
                .arg("--http-tokens", http_tokens);
        }
        Action::CreateFlowLogs {
            vpc_id,
            traffic_type,
            log_destination_type,
            log_destination,
            deliver_logs_permission_arn,
        } => {
            w.cmd("ec2 create-flow-logs")
                .arg("--resource-type", "VPC")
                .arg("--resource-ids", vpc_id)
                .arg("--traffic-type", traffic_type)
                .arg("--log-destination-type", log_destination_type)
                .arg("--log-destination", log_destination)
                .opt(
                    "--deliver-logs-permission-arn",
                    deliver_logs_permission_arn.as_deref(),
                );
        }
        Action::EnableSecurityHub => {
            w.cmd("securityhub enable-security-hub");
        }
        Action::CreateAnalyzer {
            analyzer_name,
            analyzer_type,
        } => {
            w.cmd("accessanalyzer create-analyzer")
                .arg("--analyzer-name", analyzer_name)
                .arg("--type", analyzer_type);
        }
        Action::PutConfigurationRecorder {
            name,
            role_arn,
            all_supported,
            include_global_resource_types,
        } => {
            w.cmd("configservice put-configuration-recorder")
                .arg(
                    "--configuration-recorder",
                    &json!({"name": name, "roleARN": role_arn}).to_string(),
                )
                .arg(
                    "--recording-group",
                    &json!({
                        "allSupported": all_supported,
                        "includeGlobalResourceTypes": include_global_resource_types,
                    })
                    .to_string(),
                );
        }
        Action::PutDeliveryChannel {
            name,
            s3_bucket_name,
        } => {
            w.cmd("configservice put-delivery-channel").arg(
                "--delivery-channel",
                &json!({"name": name, "s3BucketName": s3_bucket_name}).to_string(),
            );
        }
        Action::StartConfigurationRecorder { name } => {
            w.cmd("configservice start-configuration-recorder")
                .arg("--configuration-recorder-name", name);
        }
    }
    w.done()
}

/// A public access block as the AWS CLI takes it.
fn block_json(b: &super::change::PublicAccessBlock) -> String {
    json!({
        "BlockPublicAcls": b.block_public_acls,
        "IgnorePublicAcls": b.ignore_public_acls,
        "BlockPublicPolicy": b.block_public_policy,
        "RestrictPublicBuckets": b.restrict_public_buckets,
    })
    .to_string()
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
