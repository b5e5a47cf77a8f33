//! Builds AWS resources in moto through the real SDK: trails, log groups, metric
//! filters, alarms, topics and subscriptions, and the CIS-compliant setup.

use super::Moto;
use aws_config::{Region, SdkConfig};

/// The account moto uses.
pub const ACCOUNT: &str = "123456789012";
/// CIS 4.1 as v2.0.0 and later print it (with the exclusions the latest packs require).
pub const UNAUTHORIZED: &str = r#"{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }"#;
pub const ROOT_USAGE: &str = r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;
pub const CONSOLE_FAILURES: &str =
    r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#;

/// Creates resources in one region of the moto account.
pub struct Fixture<'a> {
    pub moto: &'a Moto,
    pub config: SdkConfig,
    pub region: String,
    /// The account the config's credentials belong to.
    pub account: String,
}

impl<'a> Fixture<'a> {
    pub async fn new(moto: &'a Moto, region: &str) -> Fixture<'a> {
        Fixture {
            moto,
            config: moto.sdk_config(region).await,
            region: region.to_string(),
            account: ACCOUNT.to_string(),
        }
    }

    /// A fixture in `account`, through an assumed-role session there (moto gives
    /// each account its own backends).
    pub async fn in_account(moto: &'a Moto, region: &str, account: &str) -> Fixture<'a> {
        let base = moto.sdk_config(region).await;
        let out = aws_sdk_sts::Client::new(&base)
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account}:role/seed"))
            .role_session_name("seed")
            .send()
            .await
            .expect("AssumeRole");
        let c = out.credentials().expect("credentials");
        let creds = aws_sdk_sts::config::Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            None,
            "seed",
        );
        let config = base
            .to_builder()
            .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(creds))
            .build();
        Fixture {
            moto,
            config,
            region: region.to_string(),
            account: account.to_string(),
        }
    }

    pub fn cloudtrail(&self) -> aws_sdk_cloudtrail::Client {
        aws_sdk_cloudtrail::Client::new(&self.config)
    }

    pub fn logs(&self) -> aws_sdk_cloudwatchlogs::Client {
        aws_sdk_cloudwatchlogs::Client::new(&self.config)
    }

    pub fn sns(&self) -> aws_sdk_sns::Client {
        aws_sdk_sns::Client::new(&self.config)
    }

    pub fn cloudwatch(&self) -> aws_sdk_cloudwatch::Client {
        let conf = aws_sdk_cloudwatch::config::Builder::from(&self.config)
            .region(Region::new(self.region.clone()))
            .endpoint_url(self.moto.cloudwatch_url.clone())
            .build();
        aws_sdk_cloudwatch::Client::from_conf(conf)
    }

    /// A VPC of `cidr` with a subnet of each (CIDR, zone) of `subnets`: (VPC id, subnet
    /// ids in that order).
    pub async fn vpc(&self, cidr: &str, subnets: &[(&str, &str)]) -> (String, Vec<String>) {
        let c = aws_sdk_ec2::Client::new(&self.config);
        let vpc = c
            .create_vpc()
            .cidr_block(cidr)
            .send()
            .await
            .expect("CreateVpc")
            .vpc()
            .and_then(|v| v.vpc_id())
            .expect("vpc id")
            .to_string();
        let mut ids = Vec::new();
        for (cidr, zone) in subnets {
            ids.push(
                c.create_subnet()
                    .vpc_id(&vpc)
                    .cidr_block(*cidr)
                    .availability_zone(*zone)
                    .send()
                    .await
                    .expect("CreateSubnet")
                    .subnet()
                    .and_then(|s| s.subnet_id())
                    .expect("subnet id")
                    .to_string(),
            );
        }
        (vpc, ids)
    }

    /// An internet gateway attached to `vpc`, and a route table of `vpc` routing
    /// `0.0.0.0/0` to it, explicitly associated with `subnet` (a public subnet).
    pub async fn public_route(&self, vpc: &str, subnet: &str) {
        let c = aws_sdk_ec2::Client::new(&self.config);
        let igw = c
            .create_internet_gateway()
            .send()
            .await
            .expect("CreateInternetGateway")
            .internet_gateway()
            .and_then(|g| g.internet_gateway_id())
            .expect("igw id")
            .to_string();
        c.attach_internet_gateway()
            .internet_gateway_id(&igw)
            .vpc_id(vpc)
            .send()
            .await
            .expect("AttachInternetGateway");
        let table = c
            .create_route_table()
            .vpc_id(vpc)
            .send()
            .await
            .expect("CreateRouteTable")
            .route_table()
            .and_then(|t| t.route_table_id())
            .expect("table id")
            .to_string();
        c.create_route()
            .route_table_id(&table)
            .destination_cidr_block("0.0.0.0/0")
            .gateway_id(&igw)
            .send()
            .await
            .expect("CreateRoute");
        c.associate_route_table()
            .route_table_id(&table)
            .subnet_id(subnet)
            .send()
            .await
            .expect("AssociateRouteTable");
    }

    pub fn log_group_arn(&self, group: &str) -> String {
        format!(
            "arn:aws:logs:{}:{}:log-group:{group}:*",
            self.region, self.account
        )
    }

    /// A trail delivering to `bucket` (created here) and optionally to a log group.
    pub async fn trail(&self, name: &str, log_group: Option<&str>, multi_region: bool) -> String {
        let bucket = format!("{name}-bucket");
        self.moto.create_bucket(&bucket);
        let mut req = self
            .cloudtrail()
            .create_trail()
            .name(name)
            .s3_bucket_name(&bucket)
            .is_multi_region_trail(multi_region)
            .include_global_service_events(multi_region)
            .enable_log_file_validation(true);
        if let Some(group) = log_group {
            req = req
                .cloud_watch_logs_log_group_arn(self.log_group_arn(group))
                .cloud_watch_logs_role_arn(format!(
                    "arn:aws:iam::{ACCOUNT}:role/CloudTrail_CWLogs"
                ));
        }
        let out = req.send().await.expect("CreateTrail");
        out.trail_arn().expect("trail ARN").to_string()
    }

    pub async fn start_logging(&self, trail: &str) {
        self.cloudtrail()
            .start_logging()
            .name(trail)
            .send()
            .await
            .expect("StartLogging");
    }

    pub async fn stop_logging(&self, trail: &str) {
        self.cloudtrail()
            .stop_logging()
            .name(trail)
            .send()
            .await
            .expect("StopLogging");
    }

    pub async fn all_management_events(&self, trail: &str) {
        use aws_sdk_cloudtrail::types::{EventSelector, ReadWriteType};
        self.cloudtrail()
            .put_event_selectors()
            .trail_name(trail)
            .event_selectors(
                EventSelector::builder()
                    .read_write_type(ReadWriteType::All)
                    .include_management_events(true)
                    .build(),
            )
            .send()
            .await
            .expect("PutEventSelectors");
    }

    pub async fn log_group(&self, name: &str) {
        self.logs()
            .create_log_group()
            .log_group_name(name)
            .send()
            .await
            .expect("CreateLogGroup");
    }

    pub async fn filter(&self, group: &str, name: &str, pattern: &str, metric: &str) {
        use aws_sdk_cloudwatchlogs::types::MetricTransformation;
        self.logs()
            .put_metric_filter()
            .log_group_name(group)
            .filter_name(name)
            .filter_pattern(pattern)
            .metric_transformations(
                MetricTransformation::builder()
                    .metric_name(metric)
                    .metric_namespace("CISBenchmark")
                    .metric_value("1")
                    .build()
                    .expect("transformation"),
            )
            .send()
            .await
            .expect("PutMetricFilter");
    }

    pub async fn alarm(&self, name: &str, metric: &str, actions: &[&str], enabled: bool) {
        self.alarm_with(name, metric, actions, enabled, AlarmSettings::CIS)
            .await
    }

    /// An alarm with other statistic, threshold, period or evaluation periods.
    pub async fn alarm_with(
        &self,
        name: &str,
        metric: &str,
        actions: &[&str],
        enabled: bool,
        settings: AlarmSettings,
    ) {
        use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
        let mut req = self
            .cloudwatch()
            .put_metric_alarm()
            .alarm_name(name)
            .alarm_description(format!("CIS alarm {name}"))
            .metric_name(metric)
            .namespace("CISBenchmark")
            .statistic(Statistic::from(settings.statistic))
            .period(settings.period)
            .evaluation_periods(settings.evaluation_periods)
            .threshold(settings.threshold)
            .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
            .actions_enabled(enabled);
        for a in actions {
            req = req.alarm_actions(*a);
        }
        req.send().await.expect("PutMetricAlarm");
    }

    /// A topic with an email subscription per address; returns its ARN.
    pub async fn topic(&self, name: &str, emails: &[&str]) -> String {
        let arn = self
            .sns()
            .create_topic()
            .name(name)
            .send()
            .await
            .expect("CreateTopic")
            .topic_arn()
            .expect("topic ARN")
            .to_string();
        for email in emails {
            self.sns()
                .subscribe()
                .topic_arn(&arn)
                .protocol("email")
                .endpoint(*email)
                .send()
                .await
                .expect("Subscribe");
        }
        arn
    }
}

/// An alarm's statistic, threshold, period and evaluation periods.
#[derive(Clone, Copy)]
pub struct AlarmSettings {
    pub statistic: &'static str,
    pub threshold: f64,
    pub period: i32,
    pub evaluation_periods: i32,
}

impl AlarmSettings {
    /// As the CIS remediation prints them: Sum, >= 1, 300 s, 1 period.
    pub const CIS: AlarmSettings = AlarmSettings {
        statistic: "Sum",
        threshold: 1.0,
        period: 300,
        evaluation_periods: 1,
    };
}

/// The CIS setup: a logging multi-region trail with all management events, three
/// filters with alarms notifying a subscribed topic, and an unused topic.
pub async fn compliant(f: &Fixture<'_>) -> String {
    f.log_group("CloudTrail/DefaultLogGroup").await;
    let trail = f
        .trail("main", Some("CloudTrail/DefaultLogGroup"), true)
        .await;
    f.start_logging(&trail).await;
    f.all_management_events(&trail).await;
    let topic = f.topic("security-alerts", &["secops@example.com"]).await;
    f.topic("orphan-topic", &[]).await;
    for (name, pattern, metric) in [
        (
            "unauthorized-api-calls",
            UNAUTHORIZED,
            "UnauthorizedAPICalls",
        ),
        ("root-usage", ROOT_USAGE, "RootAccountUsage"),
        (
            "console-auth-failures",
            CONSOLE_FAILURES,
            "ConsoleAuthFailures",
        ),
    ] {
        f.filter("CloudTrail/DefaultLogGroup", name, pattern, metric)
            .await;
        f.alarm(name, metric, &[&topic], true).await;
    }
    trail
}
