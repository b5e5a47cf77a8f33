//! A plan as a CloudFormation template (JSON): the filters, alarms, topic and
//! subscription the plan creates, an alarm referring to the topic by `Ref`, and the
//! user's choices as parameters (the endpoint of the subscription, the topic's name).
//! A stack creates resources; it cannot update what exists outside it, so the changes
//! to existing filters, alarms and trails are listed in the template's `Metadata`
//! (`GslNotInTemplate`) with their AWS CLI command. A template is per region: the
//! changes of the other regions are listed there too.

use super::change::{Action, Change};
use super::{cli, Plan};
use serde_json::{json, Map, Value as Json};

/// The template of the plan's changes in `region` (the first change's region when
/// `None`).
pub fn render(plan: &Plan, region: Option<&str>) -> String {
    let region = region
        .map(str::to_string)
        .or_else(|| plan.changes.first().map(|c| c.region.clone()))
        .unwrap_or_default();
    let mut resources = Map::new();
    let mut parameters = Map::new();
    let mut outside = Vec::new();
    for c in &plan.changes {
        match resource(plan, c, &mut parameters) {
            Some(r) if !c.exists && c.region == region => {
                resources.insert(logical_id(c), r);
            }
            _ => outside.push(json!({
                "change": c.id,
                "account": c.account,
                "region": c.region,
                "what": c.action.describe(c.exists),
                "command": cli::command(c),
            })),
        }
    }
    let not_mended: Vec<Json> = plan
        .blocked()
        .filter_map(|f| {
            f.blocked
                .as_ref()
                .map(|why| json!(format!("{} {}: {why}", f.policy, f.entity)))
        })
        .collect();
    let mut doc = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("gsl fix: {} resource(s) in {region}", resources.len()),
    });
    if !parameters.is_empty() {
        doc["Parameters"] = Json::Object(parameters);
    }
    doc["Resources"] = Json::Object(resources);
    if !outside.is_empty() || !not_mended.is_empty() {
        doc["Metadata"] = json!({
            "GslNotInTemplate": outside,
            "GslNotMended": not_mended,
        });
    }
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// `C4MetricFilter`: the change id and its resource's kind.
fn logical_id(c: &Change) -> String {
    let kind = match &c.action {
        Action::PutMetricFilter { .. } => "MetricFilter",
        Action::PutMetricAlarm(_) => "Alarm",
        Action::CreateTopic { .. } => "Topic",
        Action::Subscribe { .. } => "Subscription",
        Action::CreateFlowLogs { .. } => "FlowLog",
        Action::EnableSecurityHub => "Hub",
        Action::CreateAnalyzer { .. } => "Analyzer",
        Action::PutConfigurationRecorder { .. } => "ConfigRecorder",
        Action::PutDeliveryChannel { .. } => "DeliveryChannel",
        _ => "Change",
    };
    let mut id = c.id.to_ascii_uppercase();
    id.push_str(kind);
    id
}

/// A topic ARN as a `Ref` to the topic the plan creates, or as a string.
fn topic_ref(plan: &Plan, arn: &str) -> Json {
    plan.changes
        .iter()
        .find(|c| matches!(&c.action, Action::CreateTopic { topic_arn, .. } if topic_arn == arn))
        .map(|c| json!({ "Ref": logical_id(c) }))
        .unwrap_or_else(|| json!(arn))
}

fn resource(plan: &Plan, c: &Change, parameters: &mut Map<String, Json>) -> Option<Json> {
    Some(match &c.action {
        Action::PutMetricFilter {
            log_group_name,
            filter_name,
            filter_pattern,
            metric_name,
            metric_namespace,
            metric_value,
            ..
        } => json!({
            "Type": "AWS::Logs::MetricFilter",
            "Properties": {
                "FilterName": filter_name,
                "LogGroupName": log_group_name,
                "FilterPattern": filter_pattern,
                "MetricTransformations": [{
                    "MetricName": metric_name,
                    "MetricNamespace": metric_namespace,
                    "MetricValue": metric_value,
                }],
            },
        }),
        Action::PutMetricAlarm(a) => {
            let mut p = json!({
                "AlarmName": a.alarm_name,
                "MetricName": a.metric_name,
                "Namespace": a.namespace,
                "Statistic": a.statistic,
                "Period": a.period,
                "EvaluationPeriods": a.evaluation_periods,
                "Threshold": a.threshold,
                "ComparisonOperator": a.comparison_operator,
                "ActionsEnabled": a.actions_enabled,
                "AlarmActions": a.alarm_actions.iter().map(|t| topic_ref(plan, t)).collect::<Vec<_>>(),
            });
            if let Some(d) = &a.description {
                p["AlarmDescription"] = json!(d);
            }
            if let Some(t) = &a.treat_missing_data {
                p["TreatMissingData"] = json!(t);
            }
            if !a.dimensions.is_empty() {
                p["Dimensions"] = a
                    .dimensions
                    .iter()
                    .map(|d| json!({"Name": d.name, "Value": d.value}))
                    .collect();
            }
            json!({ "Type": "AWS::CloudWatch::Alarm", "Properties": p })
        }
        Action::CreateTopic { name, .. } => {
            parameters.insert(
                "TopicName".into(),
                json!({"Type": "String", "Default": name, "Description": "The name of the topic the new alarms notify (gsl fix --topic-name)."}),
            );
            json!({
                "Type": "AWS::SNS::Topic",
                "Properties": { "TopicName": { "Ref": "TopicName" } },
            })
        }
        Action::Subscribe {
            topic_arn,
            protocol,
            endpoint,
        } => {
            parameters.insert(
                "NotifyEndpoint".into(),
                json!({"Type": "String", "Default": endpoint, "Description": "Who the alarms notify: an e-mail address or an HTTPS URL (gsl fix --notify); the subscription must be confirmed."}),
            );
            parameters.insert(
                "NotifyProtocol".into(),
                json!({"Type": "String", "Default": protocol, "AllowedValues": ["email", "https"]}),
            );
            json!({
                "Type": "AWS::SNS::Subscription",
                "Properties": {
                    "TopicArn": topic_ref(plan, topic_arn),
                    "Protocol": { "Ref": "NotifyProtocol" },
                    "Endpoint": { "Ref": "NotifyEndpoint" },
                },
            })
        }
        Action::CreateFlowLogs {
            vpc_id,
            traffic_type,
            log_destination_type,
            log_destination,
            deliver_logs_permission_arn,
        } => {
            parameters.insert(
                "FlowLogDestination".into(),
                json!({"Type": "String", "Default": log_destination, "Description": "Where the VPC flow logs go: an S3 bucket ARN or a CloudWatch Logs log group ARN (gsl fix --flow-log-destination)."}),
            );
            let mut p = json!({
                "ResourceId": vpc_id,
                "ResourceType": "VPC",
                "TrafficType": traffic_type,
                "LogDestinationType": log_destination_type,
                "LogDestination": { "Ref": "FlowLogDestination" },
            });
            if let Some(r) = deliver_logs_permission_arn {
                p["DeliverLogsPermissionArn"] = json!(r);
            }
            json!({ "Type": "AWS::EC2::FlowLog", "Properties": p })
        }
        Action::EnableSecurityHub => json!({ "Type": "AWS::SecurityHub::Hub" }),
        Action::CreateAnalyzer {
            analyzer_name,
            analyzer_type,
        } => json!({
            "Type": "AWS::AccessAnalyzer::Analyzer",
            "Properties": { "AnalyzerName": analyzer_name, "Type": analyzer_type },
        }),
        Action::PutConfigurationRecorder {
            name,
            role_arn,
            all_supported,
            include_global_resource_types,
        } => json!({
            "Type": "AWS::Config::ConfigurationRecorder",
            "Properties": {
                "Name": name,
                "RoleARN": role_arn,
                "RecordingGroup": {
                    "AllSupported": all_supported,
                    "IncludeGlobalResourceTypes": include_global_resource_types,
                },
            },
        }),
        Action::PutDeliveryChannel {
            name,
            s3_bucket_name,
        } => {
            parameters.insert(
                "ConfigBucket".into(),
                json!({"Type": "String", "Default": s3_bucket_name, "Description": "The S3 bucket AWS Config delivers to (gsl fix --config-bucket)."}),
            );
            let mut r = json!({
                "Type": "AWS::Config::DeliveryChannel",
                "Properties": { "Name": name, "S3BucketName": { "Ref": "ConfigBucket" } },
            });
            // A delivery channel needs its region's recorder first.
            if let Some(rec) = plan.changes.iter().find(|d| {
                !d.exists
                    && d.region == c.region
                    && matches!(d.action, Action::PutConfigurationRecorder { .. })
            }) {
                r["DependsOn"] = json!(logical_id(rec));
            }
            r
        }
        _ => return None,
    })
}
