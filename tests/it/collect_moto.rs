//! The AWS collectors against a real AWS-protocol server: moto_server (and the CBOR
//! translator for CloudWatch), through the real SDK over HTTP. Each test starts its
//! own server, creates resources with the SDK, collects, and asserts the graph.
#![cfg(feature = "aws")]

use crate::support;

use gsl::collect::{self, CollectOptions, Collection, EndpointOverride, Service};
use serde_json::Value as Json;
use support::fixture::{compliant, Fixture, ACCOUNT, CONSOLE_FAILURES, ROOT_USAGE, UNAUTHORIZED};
use support::Moto;

async fn collect_regions(
    moto: &Moto,
    regions: &[&str],
    extra: Vec<EndpointOverride>,
) -> Collection {
    let config = moto.sdk_config(regions[0]).await;
    let mut endpoints = moto.endpoints();
    endpoints.extend(extra);
    let options = CollectOptions {
        regions: regions.iter().map(|r| r.to_string()).collect(),
        endpoints,
        ..Default::default()
    };
    collect::collect(&config, &options)
        .await
        .expect("collection runs")
}

fn entities<'a>(c: &'a Collection, kind: &str) -> &'a [Json] {
    c.snapshot.accounts[0]
        .entities
        .get(kind)
        .map(Vec::as_slice)
        .unwrap_or_else(|| panic!("no {kind} entities"))
}

fn by_name<'a>(list: &'a [Json], name: &str) -> &'a Json {
    list.iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no entity named {name} in {list:#?}"))
}

fn filter_of<'a>(trail: &'a Json, name: &str) -> &'a Json {
    trail["metricFilters"]
        .as_array()
        .expect("metricFilters")
        .iter()
        .find(|f| f["filterName"] == name)
        .unwrap_or_else(|| panic!("trail has no filter {name}"))
}

/// Every entity carries id, type, accountNumber and region: a region for a regional
/// type, `null` for a global one (the IAM types, whose schema declares `region` null).
fn assert_identity(c: &Collection) {
    for (kind, list) in &c.snapshot.accounts[0].entities {
        let global = gsl::collect::types::entity_type(kind)
            .and_then(|t| t.properties.iter().find(|p| p.name == "region"))
            .is_some_and(|p| p.nullable);
        for e in list {
            assert!(
                e["id"].as_str().is_some_and(|s| !s.is_empty()),
                "{kind} without id: {e}"
            );
            assert_eq!(e["type"], kind.as_str());
            assert_eq!(e["accountNumber"], ACCOUNT);
            if global {
                assert_eq!(e["region"], Json::Null, "{kind} is global: {e}");
            } else {
                assert!(
                    e["region"].as_str().is_some_and(|s| !s.is_empty()),
                    "{kind} without region"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compliant_account_builds_the_whole_chain() {
    let moto = Moto::start();
    let f = Fixture::new(&moto, "us-east-1").await;
    let trail_arn = compliant(&f).await;

    let c = collect_regions(&moto, &["us-east-1"], vec![]).await;
    assert!(
        c.snapshot.errors.is_empty(),
        "errors: {:#?}",
        c.snapshot.errors
    );
    assert_identity(&c);
    let account = &c.snapshot.accounts[0];
    assert_eq!(account.account_number, ACCOUNT);
    assert_eq!(account.regions, vec!["us-east-1"]);

    let trails = entities(&c, "CloudTrail");
    assert_eq!(trails.len(), 1);
    let t = &trails[0];
    assert_eq!(t["id"], trail_arn.as_str());
    assert_eq!(t["trailArn"], trail_arn.as_str());
    assert_eq!(t["name"], "main");
    assert_eq!(t["homeRegion"], "us-east-1");
    assert_eq!(t["isMultiRegionTrail"], true);
    assert_eq!(t["logFileValidationEnabled"], true);
    assert_eq!(t["s3BucketName"], "main-bucket");
    assert_eq!(
        t["cloudWatchLogsLogGroupArn"],
        f.log_group_arn("CloudTrail/DefaultLogGroup").as_str()
    );
    assert_eq!(t["status"]["isLogging"], true);
    assert!(
        t["status"]["startLoggingTime"].is_string(),
        "{}",
        t["status"]
    );
    assert_eq!(t["eventSelectors"][0]["readWriteType"], "All");
    assert_eq!(t["eventSelectors"][0]["includeManagementEvents"], true);
    assert_eq!(t["advancedEventSelectors"], serde_json::json!([]));
    assert_eq!(t["tags"], serde_json::json!([]));
    assert_eq!(t["hasSNSSubscriber"], "true");
    assert_eq!(t["metricFilters"].as_array().map(Vec::len), Some(3));

    let root = filter_of(t, "root-usage");
    assert_eq!(root["filterPattern"], ROOT_USAGE);
    assert_eq!(root["hasSNSSubscriber"], "true");
    let transformation = &root["metricTransformations"][0];
    assert_eq!(transformation["metricName"], "RootAccountUsage");
    assert_eq!(transformation["metricNamespace"], "CISBenchmark");
    let alarm = &transformation["alarms"][0];
    assert_eq!(alarm["name"], "root-usage");
    assert_eq!(alarm["actionsEnabled"], true);
    assert_eq!(alarm["stateValue"], "OK");
    let sub = &alarm["actions"][0]["subscriptions"][0];
    assert_eq!(sub["protocol"], "email");
    assert_eq!(sub["endpoint"], "secops@example.com");
    assert_eq!(sub["pendingConfirmation"], false);
    assert!(sub["subscriptionArn"]
        .as_str()
        .is_some_and(|a| a.starts_with("arn:aws:sns:us-east-1:")));
    for name in ["unauthorized-api-calls", "console-auth-failures"] {
        assert_eq!(filter_of(t, name)["hasSNSSubscriber"], "true", "{name}");
    }

    let groups = entities(&c, "LogGroup");
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["name"], "CloudTrail/DefaultLogGroup");
    assert_eq!(groups[0]["metricFilterCount"], 3);
    assert_eq!(entities(&c, "MetricFilter").len(), 3);
    let mf = by_name(entities(&c, "MetricFilter"), "console-auth-failures");
    assert_eq!(mf["hasSNSSubscriber"], "true");
    assert_eq!(mf["logGroupName"], "CloudTrail/DefaultLogGroup");
    assert_eq!(entities(&c, "CloudWatchAlarm").len(), 3);
    let alarm = by_name(entities(&c, "CloudWatchAlarm"), "unauthorized-api-calls");
    assert_eq!(
        alarm["alarmActions"][0],
        format!("arn:aws:sns:us-east-1:{ACCOUNT}:security-alerts").as_str()
    );
    assert_eq!(alarm["threshold"], 1.0);
    let topics = entities(&c, "SnsTopic");
    assert_eq!(topics.len(), 2);
    assert_eq!(
        by_name(topics, "security-alerts")["subscriptionsConfirmed"],
        1
    );
    assert_eq!(
        by_name(topics, "orphan-topic")["subscriptions"],
        serde_json::json!([])
    );

    // The fewest calls: one of each per region/trail/group, one per topic.
    let s = &c.stats;
    for (service, op, n) in [
        (Service::Sts, "GetCallerIdentity", 1),
        (Service::CloudTrail, "DescribeTrails", 1),
        (Service::CloudTrail, "GetTrailStatus", 1),
        (Service::CloudTrail, "GetEventSelectors", 1),
        (Service::CloudTrail, "ListTags", 1),
        (Service::Logs, "DescribeLogGroups", 1),
        (Service::Logs, "DescribeMetricFilters", 1),
        (Service::CloudWatch, "DescribeAlarms", 1),
        (Service::Sns, "ListTopics", 1),
        (Service::Sns, "ListSubscriptionsByTopic", 2),
        // The storage and logging types: the trail's bucket, the account's block, one
        // region's keys, Config, RDS, EFS, Security Hub and Macie.
        (Service::S3, "ListBuckets", 1),
        (Service::S3, "GetBucketPolicy", 1),
        (Service::S3Control, "GetPublicAccessBlock", 1),
        (Service::Kms, "ListKeys", 1),
        (Service::Config, "DescribeConfigurationRecorders", 1),
        (Service::Rds, "DescribeDBInstances", 1),
        (Service::Efs, "DescribeFileSystems", 1),
        (Service::SecurityHub, "DescribeHub", 1),
        (Service::Macie, "GetMacieSession", 1),
        // The identity types: IAM once per account (global), the one authorization
        // details listing shared by every IAM type, an alternate contact per type
        // (billing, operations, security), Access Analyzer per region.
        (Service::Iam, "GetAccountAuthorizationDetails", 1),
        (Service::Iam, "GetAccountPasswordPolicy", 1),
        (Service::Account, "GetAlternateContact", 3),
        (Service::AccessAnalyzer, "ListAnalyzers", 1),
        // The network types: one listing each per region; no instance, so no
        // instance profiles or their roles are asked for.
        (Service::Ec2, "DescribeVpcs", 1),
        (Service::Ec2, "DescribeSecurityGroups", 1),
        (Service::Ec2, "GetEbsEncryptionByDefault", 1),
        (Service::Iam, "ListInstanceProfiles", 0),
        (Service::Iam, "ListAttachedRolePolicies", 0),
    ] {
        assert_eq!(s.calls(service, op), n, "{service}:{op} in\n{s}");
    }
    // The identity and network types' listings, from their call tables: each once per
    // region or per account (ListInstanceProfiles only when there is an instance).
    let listings = support::listing_calls(
        &[support::IDENTITY_TYPES, support::NETWORK_TYPES].concat(),
        1,
        &["ListInstanceProfiles"],
    );
    // 11 for the chain, 18 for the storage types (8 for the one bucket), the identity
    // and network listings, and the 3 alternate contacts.
    assert_eq!(s.total_calls(), 29 + listings + 3, "{s}");
    // What does not exist answers with an error code (no bucket policy, default
    // encryption, bucket or account block, tags; Security Hub not subscribed; no
    // password policy; no alternate contact of each of the 3 types): facts, not
    // collection errors.
    assert!(c.snapshot.errors.is_empty());
    assert_eq!(s.total_errors(), 6 + 1 + 3, "{s}");
    // IAM is global: the account's settings have no region.
    let iam = entities(&c, "Iam");
    assert_eq!(iam.len(), 1);
    assert_eq!(iam[0]["region"], Json::Null);

    // The snapshot survives a JSON round trip through the strict reader types.
    let text = serde_json::to_string(&c.snapshot).expect("serialize");
    let back: gsl::entity::Snapshot = serde_json::from_str(&text).expect("parse back");
    assert_eq!(back, c.snapshot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_single_region_trail_without_log_group() {
    let moto = Moto::start();
    let f = Fixture::new(&moto, "eu-west-1").await;
    let trail = f.trail("legacy", None, false).await;
    f.start_logging(&trail).await;
    f.stop_logging(&trail).await;

    // A trail delivering to a log group of another account (moto does not check).
    f.moto.create_bucket("central-bucket");
    f.cloudtrail()
        .create_trail()
        .name("central")
        .s3_bucket_name("central-bucket")
        .cloud_watch_logs_log_group_arn("arn:aws:logs:eu-west-1:999999999999:log-group:org-trail:*")
        .send()
        .await
        .expect("CreateTrail");

    let c = collect_regions(&moto, &["eu-west-1"], vec![]).await;
    let errors = &c.snapshot.errors;
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, "OtherAccount");
    assert_eq!(errors[0].region.as_deref(), Some("eu-west-1"));
    assert_eq!(
        errors[0].entity_types,
        vec!["CloudTrail", "LogGroup", "MetricFilter"]
    );
    let central = by_name(entities(&c, "CloudTrail"), "central");
    assert_eq!(central["metricFilters"], serde_json::json!([]));
    let t = by_name(entities(&c, "CloudTrail"), "legacy");
    assert_eq!(t["isMultiRegionTrail"], false);
    assert_eq!(t["region"], "eu-west-1");
    assert_eq!(t["status"]["isLogging"], false);
    assert!(
        t["status"]["stopLoggingTime"].is_string(),
        "{}",
        t["status"]
    );
    assert_eq!(t["cloudWatchLogsLogGroupArn"], Json::Null);
    assert_eq!(t["metricFilters"], serde_json::json!([]));
    assert_eq!(t["hasSNSSubscriber"], "false");
    // moto returns no selectors until PutEventSelectors (AWS would return a default).
    assert_eq!(t["eventSelectors"], serde_json::json!([]));
    assert!(entities(&c, "LogGroup").is_empty());
    // No log group of this account: no DescribeLogGroups; the region's metric
    // filters are still listed once (a filter on a group no trail uses is visible).
    assert_eq!(c.stats.calls(Service::Logs, "DescribeMetricFilters"), 1);
    assert_eq!(c.stats.calls(Service::Logs, "DescribeLogGroups"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriber_is_judged_per_filter_chain() {
    let moto = Moto::start();
    let f = Fixture::new(&moto, "us-east-1").await;
    let group = "trail-logs";
    f.log_group(group).await;
    let trail = f.trail("main", Some(group), true).await;
    f.start_logging(&trail).await;
    let subscribed = f.topic("alerts", &["secops@example.com"]).await;
    let silent = f.topic("nobody-listens", &[]).await;

    // A: enabled alarm → subscribed topic.
    f.filter(
        group,
        "unauthorized-api-calls",
        UNAUTHORIZED,
        "UnauthorizedAPICalls",
    )
    .await;
    f.alarm("unauthorized", "UnauthorizedAPICalls", &[&subscribed], true)
        .await;
    // B: alarm without actions.
    f.filter(group, "root-usage", ROOT_USAGE, "RootAccountUsage")
        .await;
    f.alarm("root", "RootAccountUsage", &[], true).await;
    // C: alarm with actions disabled, though its topic is subscribed.
    f.filter(
        group,
        "console-auth-failures",
        CONSOLE_FAILURES,
        "ConsoleAuthFailures",
    )
    .await;
    f.alarm("console", "ConsoleAuthFailures", &[&subscribed], false)
        .await;
    // D: enabled alarm → topic without subscriptions.
    f.filter(group, "root-usage-2", ROOT_USAGE, "RootUsage2")
        .await;
    f.alarm("root2", "RootUsage2", &[&silent], true).await;
    // E: a filter without any alarm.
    f.filter(group, "no-alarm", UNAUTHORIZED, "Unwatched").await;

    let c = collect_regions(&moto, &["us-east-1"], vec![]).await;
    assert!(c.snapshot.errors.is_empty(), "{:#?}", c.snapshot.errors);
    let t = &entities(&c, "CloudTrail")[0];
    // Lenient trail-level flag: some filter's alarm notifies someone.
    assert_eq!(t["hasSNSSubscriber"], "true");
    assert_eq!(
        filter_of(t, "unauthorized-api-calls")["hasSNSSubscriber"],
        "true"
    );
    assert_eq!(filter_of(t, "root-usage")["hasSNSSubscriber"], "false");
    assert_eq!(
        filter_of(t, "console-auth-failures")["hasSNSSubscriber"],
        "false"
    );
    assert_eq!(filter_of(t, "root-usage-2")["hasSNSSubscriber"], "false");
    assert_eq!(filter_of(t, "no-alarm")["hasSNSSubscriber"], "false");
    assert_eq!(
        filter_of(t, "no-alarm")["metricTransformations"][0]["alarms"],
        serde_json::json!([])
    );
    let root_alarm = &filter_of(t, "root-usage")["metricTransformations"][0]["alarms"][0];
    assert_eq!(root_alarm["actions"], serde_json::json!([]));
    let console = by_name(entities(&c, "CloudWatchAlarm"), "console");
    assert_eq!(console["actionsEnabled"], false);
    assert_eq!(console["hasSNSSubscriber"], "false");
    let standalone = by_name(entities(&c, "MetricFilter"), "root-usage");
    assert_eq!(standalone["hasSNSSubscriber"], "false");
    assert_eq!(
        by_name(entities(&c, "SnsTopic"), "nobody-listens")["subscriptions"],
        serde_json::json!([])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_regions_join_alarms_by_region() {
    let moto = Moto::start();
    let us = Fixture::new(&moto, "us-east-1").await;
    let eu = Fixture::new(&moto, "eu-west-1").await;
    let main = compliant(&us).await;
    // A regional trail in eu-west-1 with its own group, filter and (unsubscribed) alarm.
    eu.log_group("eu-trail").await;
    let eu_trail = eu.trail("eu-only", Some("eu-trail"), false).await;
    eu.start_logging(&eu_trail).await;
    eu.filter("eu-trail", "root-usage", ROOT_USAGE, "RootAccountUsage")
        .await;
    let eu_topic = eu.topic("eu-alerts", &[]).await;
    eu.alarm("eu-root", "RootAccountUsage", &[&eu_topic], true)
        .await;

    let c = collect_regions(&moto, &["us-east-1", "eu-west-1"], vec![]).await;
    assert!(c.snapshot.errors.is_empty(), "{:#?}", c.snapshot.errors);
    assert_identity(&c);
    assert_eq!(
        c.snapshot.accounts[0].regions,
        vec!["us-east-1", "eu-west-1"]
    );
    let trails = entities(&c, "CloudTrail");
    // The multi-region trail shows in both regions' DescribeTrails, once in the graph.
    assert_eq!(trails.len(), 2, "{trails:#?}");
    let main_t = trails
        .iter()
        .find(|t| t["trailArn"] == main.as_str())
        .expect("main trail");
    let eu_t = trails
        .iter()
        .find(|t| t["trailArn"] == eu_trail.as_str())
        .expect("eu trail");
    assert_eq!(main_t["region"], "us-east-1");
    assert_eq!(eu_t["region"], "eu-west-1");
    // Same metric name and namespace in both regions: each filter sees its region's alarm.
    let eu_root = filter_of(eu_t, "root-usage");
    let eu_alarms = eu_root["metricTransformations"][0]["alarms"]
        .as_array()
        .expect("alarms");
    assert_eq!(eu_alarms.len(), 1);
    assert_eq!(eu_alarms[0]["name"], "eu-root");
    assert_eq!(eu_root["hasSNSSubscriber"], "false");
    assert_eq!(eu_t["hasSNSSubscriber"], "false");
    let us_root = filter_of(main_t, "root-usage");
    assert_eq!(
        us_root["metricTransformations"][0]["alarms"][0]["name"],
        "root-usage"
    );
    assert_eq!(us_root["hasSNSSubscriber"], "true");
    assert_eq!(main_t["hasSNSSubscriber"], "true");
    let alarm_regions: Vec<&str> = entities(&c, "CloudWatchAlarm")
        .iter()
        .filter_map(|a| a["region"].as_str())
        .collect();
    assert_eq!(
        alarm_regions.iter().filter(|r| **r == "eu-west-1").count(),
        1
    );
    assert_eq!(
        alarm_regions.iter().filter(|r| **r == "us-east-1").count(),
        3
    );
    assert_eq!(entities(&c, "SnsTopic").len(), 3);
    assert_eq!(entities(&c, "LogGroup").len(), 2);

    let s = &c.stats;
    assert_eq!(s.calls(Service::CloudTrail, "DescribeTrails"), 2, "{s}");
    assert_eq!(s.calls(Service::CloudTrail, "GetTrailStatus"), 2, "{s}");
    assert_eq!(s.calls(Service::CloudTrail, "ListTags"), 2, "{s}");
    assert_eq!(s.calls(Service::CloudWatch, "DescribeAlarms"), 2, "{s}");
    assert_eq!(s.calls(Service::Sns, "ListTopics"), 2, "{s}");
    assert_eq!(s.calls(Service::Sns, "ListSubscriptionsByTopic"), 3, "{s}");
    assert_eq!(s.calls(Service::Logs, "DescribeMetricFilters"), 2, "{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_region_is_recorded_and_the_rest_collected() {
    let moto = Moto::start();
    let f = Fixture::new(&moto, "us-east-1").await;
    compliant(&f).await;
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let dead = EndpointOverride {
        service: None,
        region: Some("eu-west-1".into()),
        url: "http://127.0.0.1:1".into(),
    };
    let started = std::time::Instant::now();
    let c = collect_regions(&moto, &["us-east-1", "eu-west-1"], vec![dead]).await;
    // Bounded retries: not minutes.
    assert!(started.elapsed() < std::time::Duration::from_secs(60));

    let errors = &c.snapshot.errors;
    let ops: Vec<(&str, &str, &str)> = errors
        .iter()
        .map(|e| {
            (
                e.region.as_deref().unwrap_or(""),
                e.service.as_str(),
                e.operation.as_str(),
            )
        })
        .collect();
    for expected in [
        ("eu-west-1", "cloudtrail", "DescribeTrails"),
        ("eu-west-1", "cloudwatch", "DescribeAlarms"),
        ("eu-west-1", "sns", "ListTopics"),
        ("eu-west-1", "logs", "DescribeMetricFilters"),
        ("eu-west-1", "kms", "ListKeys"),
        ("eu-west-1", "config", "DescribeConfigurationRecorders"),
        ("eu-west-1", "config", "DescribeConfigurationRecorderStatus"),
        ("eu-west-1", "config", "DescribeDeliveryChannels"),
        ("eu-west-1", "rds", "DescribeDBInstances"),
        ("eu-west-1", "elasticfilesystem", "DescribeFileSystems"),
        ("eu-west-1", "securityhub", "DescribeHub"),
        ("eu-west-1", "macie2", "GetMacieSession"),
        ("eu-west-1", "access-analyzer", "ListAnalyzers"),
        ("eu-west-1", "ec2", "DescribeVpcs"),
        ("eu-west-1", "ec2", "GetEbsEncryptionByDefault"),
    ] {
        assert!(
            ops.contains(&expected),
            "missing {expected:?} in {errors:#?}"
        );
    }
    // One error for each call a type makes once per region (the call tables): nothing
    // else is asked there, IAM is global and asked in us-east-1.
    let regional = support::regional_calls();
    assert_eq!(errors.len(), regional.len(), "{errors:#?}");
    for (service, op) in &regional {
        assert!(
            ops.contains(&("eu-west-1", service.as_str(), op)),
            "missing {service}:{op} in {errors:#?}"
        );
    }
    for e in errors {
        assert_eq!(e.code, "Unreachable", "{e:?}");
        assert_eq!(e.account_number, ACCOUNT);
        assert!(!e.message.is_empty());
    }
    let trail_error = errors
        .iter()
        .find(|e| e.operation == "DescribeTrails")
        .expect("trail error");
    assert_eq!(
        trail_error.entity_types,
        vec!["CloudTrail", "LogGroup", "MetricFilter"]
    );
    let topic_error = errors
        .iter()
        .find(|e| e.operation == "ListTopics")
        .expect("topic error");
    assert_eq!(topic_error.entity_types, vec!["SnsTopic"]);

    // us-east-1 is whole.
    let t = &entities(&c, "CloudTrail")[0];
    assert_eq!(t["hasSNSSubscriber"], "true");
    assert_eq!(entities(&c, "CloudWatchAlarm").len(), 3);
    assert_eq!(
        c.snapshot.accounts[0].regions,
        vec!["us-east-1", "eu-west-1"]
    );
    assert_eq!(errors.len(), regional.len(), "{errors:#?}");
    assert!(
        errors
            .iter()
            .any(|e| e.region.as_deref() == Some("eu-west-1")
                && e.service == "cloudtrail"
                && e.operation == "DescribeTrails"
                && e.code == "Unreachable"),
        "{errors:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_denied_region_is_recorded_with_aws_codes() {
    let moto = Moto::start();
    let f = Fixture::new(&moto, "us-east-1").await;
    compliant(&f).await;
    let denied = EndpointOverride {
        service: None,
        region: Some("eu-west-1".into()),
        url: moto.deny_url.clone(),
    };
    let c = collect_regions(&moto, &["us-east-1", "eu-west-1"], vec![denied]).await;
    let mut codes: Vec<(&str, &str, &str)> = c
        .snapshot
        .errors
        .iter()
        .map(|e| {
            (
                e.region.as_deref().unwrap_or(""),
                e.operation.as_str(),
                e.code.as_str(),
            )
        })
        .collect();
    codes.sort();
    // Every type's per-region calls are refused there, one error each (the call tables);
    // EC2 answers in its own dialect with `UnauthorizedOperation`.
    let mut refused: Vec<(&str, &str)> = c
        .snapshot
        .errors
        .iter()
        .map(|e| (e.service.as_str(), e.operation.as_str()))
        .collect();
    refused.sort();
    let regional = support::regional_calls();
    let mut want: Vec<(&str, &str)> = regional.iter().map(|(s, op)| (s.as_str(), *op)).collect();
    want.sort();
    assert_eq!(refused, want, "{:#?}", c.snapshot.errors);
    let ec2: Vec<(&str, &str, &str)> = regional
        .iter()
        .filter(|(s, _)| *s == Service::Ec2)
        .map(|(_, op)| ("eu-west-1", *op, "UnauthorizedOperation"))
        .collect();
    assert!(!ec2.is_empty(), "the network types list per region");
    codes.retain(|c| !ec2.contains(c));
    assert_eq!(
        codes,
        vec![
            ("eu-west-1", "DescribeAlarms", "AccessDenied"),
            (
                "eu-west-1",
                "DescribeConfigurationRecorderStatus",
                "AccessDeniedException"
            ),
            (
                "eu-west-1",
                "DescribeConfigurationRecorders",
                "AccessDeniedException"
            ),
            ("eu-west-1", "DescribeDBInstances", "AuthorizationError"),
            (
                "eu-west-1",
                "DescribeDeliveryChannels",
                "AccessDeniedException"
            ),
            // The deny server answers in the JSON and query protocols' error shapes;
            // the REST-JSON services (EFS, Security Hub, Macie, Access Analyzer, Lambda) cannot
            // read a code in it, and the refusal is recorded as `Unknown`.
            ("eu-west-1", "DescribeFileSystems", "Unknown"),
            ("eu-west-1", "DescribeHub", "Unknown"),
            // Classic and v2 load balancers (the query protocol); Lambda is REST-JSON.
            ("eu-west-1", "DescribeLoadBalancers", "AuthorizationError"),
            ("eu-west-1", "DescribeLoadBalancers", "AuthorizationError"),
            (
                "eu-west-1",
                "DescribeMetricFilters",
                "AccessDeniedException"
            ),
            ("eu-west-1", "DescribeTrails", "AccessDeniedException"),
            ("eu-west-1", "GetMacieSession", "Unknown"),
            ("eu-west-1", "ListAnalyzers", "Unknown"),
            // ACM speaks JSON 1.1: the code is read.
            ("eu-west-1", "ListCertificates", "AccessDeniedException"),
            ("eu-west-1", "ListFunctions", "Unknown"),
            ("eu-west-1", "ListKeys", "AccessDeniedException"),
            ("eu-west-1", "ListTopics", "AuthorizationError"),
        ],
        "{:#?}",
        c.snapshot.errors
    );
    assert!(c
        .snapshot
        .errors
        .iter()
        .filter(|e| e.code != "Unknown")
        .all(|e| e.message.contains("not authorized")));
    assert_eq!(entities(&c, "CloudTrail")[0]["hasSNSSubscriber"], "true");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_sns_leaves_the_alarm_chain_unknown() {
    let moto = Moto::start();
    let f = Fixture::new(&moto, "us-east-1").await;
    compliant(&f).await;
    let denied = EndpointOverride {
        service: Some(Service::Sns),
        region: None,
        url: moto.deny_url.clone(),
    };
    let c = collect_regions(&moto, &["us-east-1"], vec![denied]).await;
    let errors = &c.snapshot.errors;
    let list_topics = errors
        .iter()
        .find(|e| e.operation == "ListTopics")
        .expect("ListTopics error");
    assert_eq!(list_topics.entity_types, vec!["SnsTopic"]);
    // The topic the alarms notify is still asked for, and its failure taints the chain.
    let subs: Vec<_> = errors
        .iter()
        .filter(|e| e.operation == "ListSubscriptionsByTopic")
        .collect();
    assert_eq!(subs.len(), 1, "{errors:#?}");
    assert_eq!(subs[0].code, "AuthorizationError");
    assert_eq!(
        subs[0].entity_types,
        vec!["CloudTrail", "CloudWatchAlarm", "MetricFilter", "SnsTopic"]
    );
    assert_eq!(errors.len(), 2, "{errors:#?}");
    // The graph itself cannot tell: without the error, "false" would be believed.
    assert_eq!(entities(&c, "CloudTrail")[0]["hasSNSSubscriber"], "false");
    assert!(entities(&c, "SnsTopic").is_empty());
    assert_eq!(entities(&c, "CloudWatchAlarm").len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_is_followed() {
    let moto = Moto::start();
    let f = Fixture::new(&moto, "us-east-1").await;
    // moto pages ListTopics and ListSubscriptionsByTopic by 100.
    let busy = f.topic("busy", &[]).await;
    for i in 0..100 {
        f.topic(&format!("topic-{i:03}"), &[]).await;
    }
    for i in 0..101 {
        f.sns()
            .subscribe()
            .topic_arn(&busy)
            .protocol("email")
            .endpoint(format!("user{i}@example.com"))
            .send()
            .await
            .expect("Subscribe");
    }
    let c = collect_regions(&moto, &["us-east-1"], vec![]).await;
    assert!(c.snapshot.errors.is_empty(), "{:#?}", c.snapshot.errors);
    let topics = entities(&c, "SnsTopic");
    assert_eq!(topics.len(), 101);
    let busy_topic = by_name(topics, "busy");
    assert_eq!(
        busy_topic["subscriptions"].as_array().map(Vec::len),
        Some(101)
    );
    assert_eq!(busy_topic["subscriptionsConfirmed"], 101);
    assert_eq!(c.stats.calls(Service::Sns, "ListTopics"), 2, "{}", c.stats);
    // 101 topics, one of them with two pages.
    assert_eq!(
        c.stats.calls(Service::Sns, "ListSubscriptionsByTopic"),
        102,
        "{}",
        c.stats
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_filter_of_the_region_and_the_cloudwatch_metric_join() {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
    use aws_sdk_cloudwatchlogs::types::MetricTransformation;
    let moto = Moto::start();
    let f = Fixture::new(&moto, "us-east-1").await;
    let trail = compliant(&f).await;
    let topic = f.topic("dim-alerts", &["secops@example.com"]).await;
    // A CIS filter on a log group no trail delivers to, with a subscribed alarm.
    f.log_group("unused-group").await;
    f.filter("unused-group", "stray-root-usage", ROOT_USAGE, "StrayRoot")
        .await;
    f.alarm("stray-root", "StrayRoot", &[&topic], true).await;
    // A filter without dimensions, an alarm on its metric that names a dimension:
    // CloudWatch never feeds that alarm.
    f.filter("unused-group", "plain", UNAUTHORIZED, "PlainMetric")
        .await;
    // A filter with a dimension, alarms with and without it.
    f.logs()
        .put_metric_filter()
        .log_group_name("unused-group")
        .filter_name("by-event")
        .filter_pattern(UNAUTHORIZED)
        .metric_transformations(
            MetricTransformation::builder()
                .metric_name("ByEvent")
                .metric_namespace("CISBenchmark")
                .metric_value("1")
                .dimensions("EventName", "$.eventName")
                .build()
                .expect("transformation"),
        )
        .send()
        .await
        .expect("PutMetricFilter");
    let cw = f.cloudwatch();
    for (name, metric, dim) in [
        ("plain-with-dim", "PlainMetric", Some("EventName")),
        ("by-event-dim", "ByEvent", Some("EventName")),
        ("by-event-nodim", "ByEvent", None),
        ("other-namespace", "StrayRoot", None),
    ] {
        let mut req = cw
            .put_metric_alarm()
            .alarm_name(name)
            .metric_name(metric)
            .namespace(if name == "other-namespace" {
                "Other"
            } else {
                "CISBenchmark"
            })
            .statistic(Statistic::Sum)
            .period(300)
            .evaluation_periods(1)
            .threshold(1.0)
            .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
            .actions_enabled(true)
            .alarm_actions(&topic);
        if let Some(d) = dim {
            req = req.dimensions(Dimension::builder().name(d).value("ConsoleLogin").build());
        }
        req.send().await.expect("PutMetricAlarm");
    }

    let c = collect_regions(&moto, &["us-east-1"], vec![]).await;
    assert!(c.snapshot.errors.is_empty(), "{:#?}", c.snapshot.errors);
    // The trail's chain is unchanged: only its own group's filters.
    let t = entities(&c, "CloudTrail")
        .iter()
        .find(|t| t["trailArn"] == trail.as_str())
        .expect("trail");
    assert!(t["metricFilters"]
        .as_array()
        .expect("filters")
        .iter()
        .all(|f| f["logGroupName"] != "unused-group"));
    // The stray filter is collected, on its own group, with its alarm.
    let filters = entities(&c, "MetricFilter");
    let stray = by_name(filters, "stray-root-usage");
    assert_eq!(stray["logGroupName"], "unused-group");
    assert_eq!(stray["hasSNSSubscriber"], "true");
    let alarm_names = |f: &Json| -> Vec<String> {
        f["metricTransformations"][0]["alarms"]
            .as_array()
            .expect("alarms")
            .iter()
            .filter_map(|a| a["name"].as_str().map(str::to_string))
            .collect()
    };
    // Same metric name in another namespace: not joined.
    assert_eq!(alarm_names(stray), vec!["stray-root"]);
    assert_eq!(alarm_names(by_name(filters, "plain")), Vec::<String>::new());
    assert_eq!(by_name(filters, "plain")["hasSNSSubscriber"], "false");
    let by_event = by_name(filters, "by-event");
    assert_eq!(alarm_names(by_event), vec!["by-event-dim"]);
    assert_eq!(
        by_event["metricTransformations"][0]["dimensions"]["EventName"],
        "$.eventName"
    );
    // One region-wide DescribeMetricFilters, no per-group call.
    assert_eq!(
        c.stats.calls(Service::Logs, "DescribeMetricFilters"),
        1,
        "{}",
        c.stats
    );
}

/// Times and generated ids (subscription UUIDs, the random ids moto gives the default
/// VPC's resources) replaced, so a collection can be compared with a stored one. A list
/// that was ordered by such an id is put in the order of its items' text.
fn stable(value: &mut Json) {
    let time = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
        .expect("regex");
    let uuid = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        .expect("regex");
    let ec2 = regex::Regex::new(
        r"\b(vpc|subnet|acl|aclassoc|rtb|rtbassoc|sg|sgr|igw|eni|vol|i|pcx|fl)-[0-9a-f]{8,17}\b",
    )
    .expect("regex");
    match value {
        Json::String(s) if time.is_match(s) => *s = "<time>".into(),
        Json::String(s) => {
            let s2 = uuid.replace_all(s, "<uuid>").into_owned();
            *s = ec2.replace_all(&s2, "$1-<id>").into_owned();
        }
        Json::Array(items) => {
            items.iter_mut().for_each(stable);
            if items.iter().any(|i| i.to_string().contains("-<id>")) {
                items.sort_by_cached_key(|i| i.to_string());
            }
        }
        Json::Object(map) => map.values_mut().for_each(stable),
        _ => {}
    }
}

/// The whole snapshot and the calls of a collection over every collected type: two
/// regions, a multi-region trail with the CIS chain, a regional trail delivering to a
/// log group in a region that is not collected, an unreachable third region. A change
/// to how types are fetched or built must leave it as it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_collected_snapshot_and_calls_are_stable() {
    let moto = Moto::start();
    let us = Fixture::new(&moto, "us-east-1").await;
    let eu = Fixture::new(&moto, "eu-west-1").await;
    let ap = Fixture::new(&moto, "ap-south-1").await;
    compliant(&us).await;
    ap.log_group("far-group").await;
    ap.filter("far-group", "root-usage", ROOT_USAGE, "RootAccountUsage")
        .await;
    let far_topic = ap.topic("far-alerts", &["far@example.com"]).await;
    ap.alarm("far-root", "RootAccountUsage", &[&far_topic], true)
        .await;
    eu.moto.create_bucket("eu-far-bucket");
    let eu_trail = eu
        .cloudtrail()
        .create_trail()
        .name("eu-far")
        .s3_bucket_name("eu-far-bucket")
        .cloud_watch_logs_log_group_arn(ap.log_group_arn("far-group"))
        .cloud_watch_logs_role_arn(format!("arn:aws:iam::{ACCOUNT}:role/CloudTrail_CWLogs"))
        .send()
        .await
        .expect("CreateTrail");
    eu.start_logging(eu_trail.trail_arn().expect("arn")).await;
    let eu_topic = eu.topic("eu-alerts", &[]).await;
    eu.alarm(
        "eu-alarm",
        "Other",
        &[&eu_topic, "arn:aws:sns:eu-west-1:123456789012:gone"],
        true,
    )
    .await;
    let dead = EndpointOverride {
        service: None,
        region: Some("sa-east-1".into()),
        url: "http://127.0.0.1:1".into(),
    };
    let c = collect_regions(&moto, &["us-east-1", "eu-west-1", "sa-east-1"], vec![dead]).await;
    let mut snapshot = serde_json::to_value(&c.snapshot).expect("snapshot");
    if let Some(m) = snapshot.as_object_mut() {
        m.remove("collectedAt");
        m.remove("generator");
        if let Some(Json::Array(errors)) = m.get_mut("errors") {
            for e in errors {
                e["message"] = Json::String("<message>".into());
            }
        }
    }
    stable(&mut snapshot);
    insta::assert_json_snapshot!("collect_moto_stable_snapshot", snapshot);
    insta::assert_snapshot!("collect_moto_stable_calls", c.stats.to_string());
}
