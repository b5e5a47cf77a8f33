//! A plan as Terraform: a provider per region, a resource per filter, alarm, topic and
//! subscription (an alarm refers to the topic the plan creates), and an `import` block
//! for each that exists, so Terraform takes it over instead of creating a second one.
//! A trail's settings and an alarm's enabled actions have no resource of their own
//! here (`aws_cloudtrail` and `aws_cloudwatch_metric_alarm` describe the whole
//! object): they are written as comments with the AWS CLI command.

use super::change::{Action, Change};
use super::cli;
use super::Plan;
use std::fmt::Write;

/// The Terraform configuration of a plan.
pub fn render(plan: &Plan) -> String {
    let mut out =
        String::from("# gsl fix: Terraform configuration (terraform plan shows what it changes)\n");
    for f in plan.blocked() {
        if let Some(why) = &f.blocked {
            out.push_str(&cli::comment(&format!(
                "not mended: {} {}: {why}",
                f.policy, f.entity
            )));
        }
    }
    let mut regions: Vec<&str> = plan.changes.iter().map(|c| c.region.as_str()).collect();
    regions.sort_unstable();
    regions.dedup();
    for r in &regions {
        let _ = write!(
            out,
            "\nprovider \"aws\" {{\n  alias  = \"{}\"\n  region = {}\n}}\n",
            ident(r),
            string(r)
        );
    }
    for c in &plan.changes {
        out.push('\n');
        out.push_str(&cli::comment(&format!(
            "{}: account {}, region {}: {}",
            c.id,
            c.account,
            c.region,
            c.action.describe(c.exists)
        )));
        out.push_str(&resource(plan, c));
    }
    out
}

/// The resource type and name of a change, when it has one.
fn address(c: &Change) -> Option<(&'static str, String)> {
    let ty = match &c.action {
        Action::PutMetricFilter { .. } => "aws_cloudwatch_log_metric_filter",
        Action::PutMetricAlarm(_) => "aws_cloudwatch_metric_alarm",
        Action::CreateTopic { .. } => "aws_sns_topic",
        Action::Subscribe { .. } => "aws_sns_topic_subscription",
        Action::PutBucketPublicAccessBlock { .. } => "aws_s3_bucket_public_access_block",
        Action::PutAccountPublicAccessBlock { .. } => "aws_s3_account_public_access_block",
        Action::UpdateAccountPasswordPolicy(_) => "aws_iam_account_password_policy",
        Action::EnableEbsEncryptionByDefault => "aws_ebs_encryption_by_default",
        Action::CreateFlowLogs { .. } => "aws_flow_log",
        Action::EnableSecurityHub => "aws_securityhub_account",
        Action::CreateAnalyzer { .. } => "aws_accessanalyzer_analyzer",
        Action::PutConfigurationRecorder { .. } => "aws_config_configuration_recorder",
        Action::PutDeliveryChannel { .. } => "aws_config_delivery_channel",
        Action::StartConfigurationRecorder { .. } => "aws_config_configuration_recorder_status",
        _ => return None,
    };
    Some((ty, c.id.clone()))
}

/// A topic ARN as a reference to the topic the plan creates, or as a string.
fn topic_ref(plan: &Plan, arn: &str) -> String {
    plan.changes
        .iter()
        .find_map(|c| match &c.action {
            Action::CreateTopic { topic_arn, .. } if topic_arn == arn => {
                Some(format!("aws_sns_topic.{}.arn", c.id))
            }
            _ => None,
        })
        .unwrap_or_else(|| string(arn))
}

fn list(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(", "))
}

fn resource(plan: &Plan, c: &Change) -> String {
    let Some((ty, name)) = address(c) else {
        return cli::comment(&cli::command(c));
    };
    let mut b = String::new();
    let _ = writeln!(b, "resource \"{ty}\" \"{name}\" {{");
    let _ = writeln!(b, "  provider = aws.{}", ident(&c.region));
    let attr = |b: &mut String, k: &str, v: String| {
        let _ = writeln!(b, "  {k} = {v}");
    };
    let mut import_id = None;
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
            attr(&mut b, "name", string(filter_name));
            attr(&mut b, "log_group_name", string(log_group_name));
            attr(&mut b, "pattern", string(filter_pattern));
            let _ = writeln!(
                b,
                "  metric_transformation {{\n    name      = {}\n    namespace = {}\n    value     = {}\n  }}",
                string(metric_name),
                string(metric_namespace),
                string(metric_value)
            );
            import_id = Some(format!("{log_group_name}:{filter_name}"));
        }
        Action::PutMetricAlarm(a) => {
            attr(&mut b, "alarm_name", string(&a.alarm_name));
            if let Some(d) = &a.description {
                attr(&mut b, "alarm_description", string(d));
            }
            attr(&mut b, "metric_name", string(&a.metric_name));
            attr(&mut b, "namespace", string(&a.namespace));
            attr(&mut b, "statistic", string(&a.statistic));
            attr(&mut b, "period", a.period.to_string());
            attr(
                &mut b,
                "evaluation_periods",
                a.evaluation_periods.to_string(),
            );
            attr(&mut b, "threshold", a.threshold.to_string());
            attr(
                &mut b,
                "comparison_operator",
                string(&a.comparison_operator),
            );
            if let Some(t) = &a.treat_missing_data {
                attr(&mut b, "treat_missing_data", string(t));
            }
            if !a.dimensions.is_empty() {
                let dims: Vec<String> = a
                    .dimensions
                    .iter()
                    .map(|d| format!("{} = {}", string(&d.name), string(&d.value)))
                    .collect();
                attr(&mut b, "dimensions", format!("{{ {} }}", dims.join(", ")));
            }
            attr(&mut b, "actions_enabled", a.actions_enabled.to_string());
            attr(
                &mut b,
                "alarm_actions",
                list(a.alarm_actions.iter().map(|t| topic_ref(plan, t))),
            );
            if !a.ok_actions.is_empty() {
                attr(
                    &mut b,
                    "ok_actions",
                    list(a.ok_actions.iter().map(|t| string(t))),
                );
            }
            if !a.insufficient_data_actions.is_empty() {
                attr(
                    &mut b,
                    "insufficient_data_actions",
                    list(a.insufficient_data_actions.iter().map(|t| string(t))),
                );
            }
            import_id = Some(a.alarm_name.clone());
        }
        Action::CreateTopic { name, .. } => attr(&mut b, "name", string(name)),
        Action::Subscribe {
            topic_arn,
            protocol,
            endpoint,
        } => {
            attr(&mut b, "topic_arn", topic_ref(plan, topic_arn));
            attr(&mut b, "protocol", string(protocol));
            attr(&mut b, "endpoint", string(endpoint));
        }
        Action::PutBucketPublicAccessBlock { bucket, block } => {
            attr(&mut b, "bucket", string(bucket));
            block_attrs(&mut b, block);
            import_id = Some(bucket.clone());
        }
        Action::PutAccountPublicAccessBlock { account_id, block } => {
            attr(&mut b, "account_id", string(account_id));
            block_attrs(&mut b, block);
            import_id = Some(account_id.clone());
        }
        Action::UpdateAccountPasswordPolicy(p) => {
            for (k, v) in [
                ("minimum_password_length", p.minimum_password_length),
                ("max_password_age", p.max_password_age),
                ("password_reuse_prevention", p.password_reuse_prevention),
            ] {
                if let Some(v) = v {
                    attr(&mut b, k, v.to_string());
                }
            }
            for (k, v) in [
                ("require_symbols", p.require_symbols),
                ("require_numbers", p.require_numbers),
                (
                    "require_uppercase_characters",
                    p.require_uppercase_characters,
                ),
                (
                    "require_lowercase_characters",
                    p.require_lowercase_characters,
                ),
                (
                    "allow_users_to_change_password",
                    p.allow_users_to_change_password,
                ),
                ("hard_expiry", p.hard_expiry),
            ] {
                if let Some(v) = v {
                    attr(&mut b, k, v.to_string());
                }
            }
            import_id = Some("iam-account-password-policy".to_string());
        }
        Action::EnableEbsEncryptionByDefault => attr(&mut b, "enabled", "true".to_string()),
        Action::CreateFlowLogs {
            vpc_id,
            traffic_type,
            log_destination_type,
            log_destination,
            deliver_logs_permission_arn,
        } => {
            attr(&mut b, "vpc_id", string(vpc_id));
            attr(&mut b, "traffic_type", string(traffic_type));
            attr(&mut b, "log_destination_type", string(log_destination_type));
            attr(&mut b, "log_destination", string(log_destination));
            if let Some(r) = deliver_logs_permission_arn {
                attr(&mut b, "iam_role_arn", string(r));
            }
        }
        Action::EnableSecurityHub => {}
        Action::CreateAnalyzer {
            analyzer_name,
            analyzer_type,
        } => {
            attr(&mut b, "analyzer_name", string(analyzer_name));
            attr(&mut b, "type", string(analyzer_type));
        }
        Action::PutConfigurationRecorder {
            name,
            role_arn,
            all_supported,
            include_global_resource_types,
        } => {
            attr(&mut b, "name", string(name));
            attr(&mut b, "role_arn", string(role_arn));
            let _ = writeln!(
                b,
                "  recording_group {{\n    all_supported                 = {all_supported}\n    include_global_resource_types = {include_global_resource_types}\n  }}"
            );
            import_id = Some(name.clone());
        }
        Action::PutDeliveryChannel {
            name,
            s3_bucket_name,
        } => {
            attr(&mut b, "name", string(name));
            attr(&mut b, "s3_bucket_name", string(s3_bucket_name));
            depends_on(&mut b, plan, c, |a| {
                matches!(a, Action::PutConfigurationRecorder { .. })
            });
        }
        Action::StartConfigurationRecorder { name } => {
            attr(&mut b, "name", string(name));
            attr(&mut b, "is_enabled", "true".to_string());
            depends_on(&mut b, plan, c, |a| {
                matches!(
                    a,
                    Action::PutDeliveryChannel { .. } | Action::PutConfigurationRecorder { .. }
                )
            });
            import_id = Some(name.clone());
        }
        _ => {}
    }
    b.push_str("}\n");
    if let (true, Some(id)) = (c.exists, import_id) {
        let _ = write!(
            b,
            "\nimport {{\n  provider = aws.{}\n  to       = {ty}.{name}\n  id       = {}\n}}\n",
            ident(&c.region),
            string(&id)
        );
    }
    b
}

/// The four settings of a public access block.
fn block_attrs(b: &mut String, block: &super::change::PublicAccessBlock) {
    let _ = writeln!(
        b,
        "  block_public_acls       = {}\n  ignore_public_acls      = {}\n  block_public_policy     = {}\n  restrict_public_buckets = {}",
        block.block_public_acls,
        block.ignore_public_acls,
        block.block_public_policy,
        block.restrict_public_buckets
    );
}

/// `depends_on` the plan's changes in the region of `c` that `pick` picks.
fn depends_on(b: &mut String, plan: &Plan, c: &Change, pick: impl Fn(&Action) -> bool) {
    let deps: Vec<String> = plan
        .changes
        .iter()
        .filter(|d| d.id != c.id && d.region == c.region && d.account == c.account)
        .filter(|d| pick(&d.action))
        .filter_map(|d| address(d).map(|(ty, name)| format!("{ty}.{name}")))
        .collect();
    if !deps.is_empty() {
        let _ = writeln!(b, "  depends_on = [{}]", deps.join(", "));
    }
}

/// A region as a provider alias: `us-east-1` → `us_east_1`.
fn ident(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// An HCL string literal: quotes, backslashes and control characters escaped, and
/// `${` and `%{` doubled so that no template is interpolated.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_strings_escape_templates_and_quotes() {
        assert_eq!(string(r#"{ $.a = "b" }"#), r#""{ $.a = \"b\" }""#);
        assert_eq!(string("${x} %{y}"), r#""$${x} %%{y}""#);
        assert_eq!(string("a\\b\nc"), r#""a\\b\nc""#);
        assert_eq!(ident("us-east-1"), "us_east_1");
    }
}
