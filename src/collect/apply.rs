//! `gsl fix --apply`: a plan's changes made through the SDK, in plan order, in the
//! account of the credentials only; the first failed call stops the rest. Collection
//! stays read-only: these calls live here, apart from the collectors'.

use super::client::{failure, Clients};
use crate::fix::change::{Action, Change};
use crate::fix::{FixError, Plan};
use aws_config::SdkConfig;

/// What `--apply` did.
#[derive(Debug)]
pub struct Applied {
    /// The account of the credentials.
    pub account: Option<String>,
    /// The changes made, in order.
    pub done: Vec<String>,
    /// The change that failed, and why.
    pub failed: Option<(String, FixError)>,
    /// The changes not made (after a failure).
    pub not_done: Vec<String>,
}

/// Make the changes of `plan` with the credentials of `config`, in order, stopping at
/// the first failure. A change in another account than the credentials' fails.
pub async fn apply(config: &SdkConfig, plan: &Plan) -> Applied {
    let clients = Clients::new(config.clone(), Vec::new());
    let region = config
        .region()
        .map(|r| r.to_string())
        .or_else(|| plan.changes.first().map(|c| c.region.clone()))
        .unwrap_or_else(|| "us-east-1".to_string());
    let mut applied = Applied {
        account: None,
        done: Vec::new(),
        failed: None,
        not_done: Vec::new(),
    };
    let sts: aws_sdk_sts::Client = clients.client(&region);
    let account = match sts.get_caller_identity().send().await {
        Ok(out) => out.account().map(str::to_string),
        Err(e) => {
            let f = failure(&e);
            applied.failed = Some((
                "sts:GetCallerIdentity".to_string(),
                FixError::Call {
                    call: "sts:GetCallerIdentity".to_string(),
                    code: f.code,
                    message: f.message,
                },
            ));
            applied.not_done = plan.changes.iter().map(|c| c.id.clone()).collect();
            return applied;
        }
    };
    applied.account = account.clone();
    for (i, c) in plan.changes.iter().enumerate() {
        let result = if account.as_deref() != Some(c.account.as_str()) {
            Err(FixError::Call {
                call: call_name(c),
                code: "WrongAccount".to_string(),
                message: format!(
                    "the credentials are for account {}, the change is in account {}",
                    account.as_deref().unwrap_or("(unknown)"),
                    c.account
                ),
            })
        } else {
            make(&clients, c).await
        };
        match result {
            Ok(()) => applied.done.push(c.id.clone()),
            Err(e) => {
                applied.failed = Some((c.id.clone(), e));
                applied.not_done = plan.changes[i + 1..].iter().map(|c| c.id.clone()).collect();
                break;
            }
        }
    }
    applied
}

/// `logs:PutMetricFilter gsl-cis-aws-4-3`: the call and what it names.
fn call_name(c: &Change) -> String {
    format!(
        "{} {} ({})",
        c.action.iam_action(),
        c.action.target(),
        c.region
    )
}

/// A failed call as a [`FixError`].
fn failed<E>(c: &Change, e: &super::client::SdkError<E>) -> FixError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    let f = failure(e);
    FixError::Call {
        call: call_name(c),
        code: f.code,
        message: f.message,
    }
}

/// A request that could not be built (a required field missing).
fn invalid(c: &Change, e: impl std::fmt::Display) -> FixError {
    FixError::Call {
        call: call_name(c),
        code: "InvalidRequest".to_string(),
        message: e.to_string(),
    }
}

async fn make(clients: &Clients, c: &Change) -> Result<(), FixError> {
    let region = c.region.as_str();
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
            use aws_sdk_cloudwatchlogs::types::MetricTransformation;
            let t = MetricTransformation::builder()
                .metric_name(metric_name)
                .metric_namespace(metric_namespace)
                .metric_value(metric_value)
                .build()
                .map_err(|e| invalid(c, e))?;
            let client: aws_sdk_cloudwatchlogs::Client = clients.client(region);
            client
                .put_metric_filter()
                .log_group_name(log_group_name)
                .filter_name(filter_name)
                .filter_pattern(filter_pattern)
                .metric_transformations(t)
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::PutMetricAlarm(a) => {
            use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
            let dims = a
                .dimensions
                .iter()
                .map(|d| Dimension::builder().name(&d.name).value(&d.value).build())
                .collect::<Vec<_>>();
            let client: aws_sdk_cloudwatch::Client = clients.client(region);
            client
                .put_metric_alarm()
                .alarm_name(&a.alarm_name)
                .set_alarm_description(a.description.clone())
                .metric_name(&a.metric_name)
                .namespace(&a.namespace)
                .statistic(Statistic::from(a.statistic.as_str()))
                .period(a.period)
                .evaluation_periods(a.evaluation_periods)
                .threshold(a.threshold)
                .comparison_operator(ComparisonOperator::from(a.comparison_operator.as_str()))
                .set_treat_missing_data(a.treat_missing_data.clone())
                .set_dimensions((!dims.is_empty()).then_some(dims))
                .actions_enabled(a.actions_enabled)
                .set_alarm_actions(Some(a.alarm_actions.clone()))
                .set_ok_actions((!a.ok_actions.is_empty()).then(|| a.ok_actions.clone()))
                .set_insufficient_data_actions(
                    (!a.insufficient_data_actions.is_empty())
                        .then(|| a.insufficient_data_actions.clone()),
                )
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::EnableAlarmActions { alarm_name } => {
            let client: aws_sdk_cloudwatch::Client = clients.client(region);
            client
                .enable_alarm_actions()
                .alarm_names(alarm_name)
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::CreateTopic { name, .. } => {
            let client: aws_sdk_sns::Client = clients.client(region);
            client
                .create_topic()
                .name(name)
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::Subscribe {
            topic_arn,
            protocol,
            endpoint,
        } => {
            let client: aws_sdk_sns::Client = clients.client(region);
            client
                .subscribe()
                .topic_arn(topic_arn)
                .protocol(protocol)
                .endpoint(endpoint)
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::UpdateTrail {
            trail_name,
            is_multi_region_trail,
            enable_log_file_validation,
            kms_key_id,
            cloud_watch_logs_log_group_arn,
            cloud_watch_logs_role_arn,
        } => {
            let client: aws_sdk_cloudtrail::Client = clients.client(region);
            client
                .update_trail()
                .name(trail_name)
                .set_is_multi_region_trail(*is_multi_region_trail)
                .set_enable_log_file_validation(*enable_log_file_validation)
                .set_kms_key_id(kms_key_id.clone())
                .set_cloud_watch_logs_log_group_arn(cloud_watch_logs_log_group_arn.clone())
                .set_cloud_watch_logs_role_arn(cloud_watch_logs_role_arn.clone())
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::StartLogging { trail_name } => {
            let client: aws_sdk_cloudtrail::Client = clients.client(region);
            client
                .start_logging()
                .name(trail_name)
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::PutEventSelectors {
            trail_name,
            event_selectors,
        } => {
            use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
            let selectors = event_selectors
                .iter()
                .map(|s| {
                    EventSelector::builder()
                        .read_write_type(ReadWriteType::from(s.read_write_type.as_str()))
                        .include_management_events(s.include_management_events)
                        .set_data_resources((!s.data_resources.is_empty()).then(|| {
                            s.data_resources
                                .iter()
                                .map(|d| {
                                    DataResource::builder()
                                        .set_type(d.kind.clone())
                                        .set_values(Some(d.values.clone()))
                                        .build()
                                })
                                .collect()
                        }))
                        .set_exclude_management_event_sources(
                            (!s.exclude_management_event_sources.is_empty())
                                .then(|| s.exclude_management_event_sources.clone()),
                        )
                        .build()
                })
                .collect::<Vec<_>>();
            let client: aws_sdk_cloudtrail::Client = clients.client(region);
            client
                .put_event_selectors()
                .trail_name(trail_name)
                .set_event_selectors(Some(selectors))
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::PutBucketPublicAccessBlock { bucket, block } => {
            use aws_sdk_s3::types::PublicAccessBlockConfiguration;
            let client: aws_sdk_s3::Client = clients.client(region);
            client
                .put_public_access_block()
                .bucket(bucket)
                .public_access_block_configuration(
                    PublicAccessBlockConfiguration::builder()
                        .block_public_acls(block.block_public_acls)
                        .ignore_public_acls(block.ignore_public_acls)
                        .block_public_policy(block.block_public_policy)
                        .restrict_public_buckets(block.restrict_public_buckets)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::PutAccountPublicAccessBlock { account_id, block } => {
            use aws_sdk_s3control::types::PublicAccessBlockConfiguration;
            let client: aws_sdk_s3control::Client = clients.client(region);
            client
                .put_public_access_block()
                .account_id(account_id)
                .public_access_block_configuration(
                    PublicAccessBlockConfiguration::builder()
                        .block_public_acls(block.block_public_acls)
                        .ignore_public_acls(block.ignore_public_acls)
                        .block_public_policy(block.block_public_policy)
                        .restrict_public_buckets(block.restrict_public_buckets)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::EnableKeyRotation { key_id } => {
            let client: aws_sdk_kms::Client = clients.client(region);
            client
                .enable_key_rotation()
                .key_id(key_id)
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::UpdateAccountPasswordPolicy(p) => {
            let client: aws_sdk_iam::Client = clients.client(region);
            client
                .update_account_password_policy()
                .set_minimum_password_length(p.minimum_password_length)
                .set_require_symbols(p.require_symbols)
                .set_require_numbers(p.require_numbers)
                .set_require_uppercase_characters(p.require_uppercase_characters)
                .set_require_lowercase_characters(p.require_lowercase_characters)
                .set_allow_users_to_change_password(p.allow_users_to_change_password)
                .set_max_password_age(p.max_password_age)
                .set_password_reuse_prevention(p.password_reuse_prevention)
                .set_hard_expiry(p.hard_expiry)
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::EnableEbsEncryptionByDefault => {
            let client: aws_sdk_ec2::Client = clients.client(region);
            client
                .enable_ebs_encryption_by_default()
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::ModifyInstanceMetadataOptions {
            instance_id,
            http_tokens,
        } => {
            let client: aws_sdk_ec2::Client = clients.client(region);
            client
                .modify_instance_metadata_options()
                .instance_id(instance_id)
                .http_tokens(aws_sdk_ec2::types::HttpTokensState::from(
                    http_tokens.as_str(),
                ))
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::CreateFlowLogs {
            vpc_id,
            traffic_type,
            log_destination_type,
            log_destination,
            deliver_logs_permission_arn,
        } => {
            use aws_sdk_ec2::types::{FlowLogsResourceType, LogDestinationType, TrafficType};
            let client: aws_sdk_ec2::Client = clients.client(region);
            let out = client
                .create_flow_logs()
                .resource_type(FlowLogsResourceType::Vpc)
                .resource_ids(vpc_id)
                .traffic_type(TrafficType::from(traffic_type.as_str()))
                .log_destination_type(LogDestinationType::from(log_destination_type.as_str()))
                .log_destination(log_destination)
                .set_deliver_logs_permission_arn(deliver_logs_permission_arn.clone())
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
            // CreateFlowLogs answers 200 with the resources it could not log.
            if let Some(u) = out.unsuccessful().first() {
                let error = u.error();
                return Err(FixError::Call {
                    call: call_name(c),
                    code: error
                        .and_then(|e| e.code())
                        .unwrap_or("Unsuccessful")
                        .to_string(),
                    message: error
                        .and_then(|e| e.message())
                        .unwrap_or("the flow log was not created")
                        .to_string(),
                });
            }
        }
        Action::EnableSecurityHub => {
            let client: aws_sdk_securityhub::Client = clients.client(region);
            client
                .enable_security_hub()
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::CreateAnalyzer {
            analyzer_name,
            analyzer_type,
        } => {
            let client: aws_sdk_accessanalyzer::Client = clients.client(region);
            client
                .create_analyzer()
                .analyzer_name(analyzer_name)
                .r#type(aws_sdk_accessanalyzer::types::Type::from(
                    analyzer_type.as_str(),
                ))
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::PutConfigurationRecorder {
            name,
            role_arn,
            all_supported,
            include_global_resource_types,
        } => {
            use aws_sdk_config::types::{ConfigurationRecorder, RecordingGroup};
            let client: aws_sdk_config::Client = clients.client(region);
            client
                .put_configuration_recorder()
                .configuration_recorder(
                    ConfigurationRecorder::builder()
                        .name(name)
                        .role_arn(role_arn)
                        .recording_group(
                            RecordingGroup::builder()
                                .all_supported(*all_supported)
                                .include_global_resource_types(*include_global_resource_types)
                                .build(),
                        )
                        .build(),
                )
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::PutDeliveryChannel {
            name,
            s3_bucket_name,
        } => {
            use aws_sdk_config::types::DeliveryChannel;
            let client: aws_sdk_config::Client = clients.client(region);
            client
                .put_delivery_channel()
                .delivery_channel(
                    DeliveryChannel::builder()
                        .name(name)
                        .s3_bucket_name(s3_bucket_name)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
        Action::StartConfigurationRecorder { name } => {
            let client: aws_sdk_config::Client = clients.client(region);
            client
                .start_configuration_recorder()
                .configuration_recorder_name(name)
                .send()
                .await
                .map_err(|e| failed(c, &e))?;
        }
    }
    Ok(())
}
