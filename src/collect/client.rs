//! One client factory for every service (region, endpoint overrides, the run's SDK
//! configuration) and the mapping of SDK errors to a code and a message.

use super::{EndpointOverride, Service};
use aws_config::{Region, SdkConfig};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

pub(crate) use aws_sdk_sts::error::SdkError;

/// A failed call: code and message.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub code: String,
    pub message: String,
}

impl Failure {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Failure {
            code: code.into(),
            message: message.into(),
        }
    }
}

/// An SDK error as a code (the service's, or `Timeout`, `Unreachable`,
/// `InvalidResponse`, `RequestFailed`) and a message.
pub(crate) fn failure<E>(err: &SdkError<E>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let context = error_chain(err);
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            Failure::new(
                e.code().unwrap_or("Unknown"),
                e.message().map(str::to_string).unwrap_or(context),
            )
        }
        SdkError::TimeoutError(_) => Failure::new("Timeout", context),
        SdkError::DispatchFailure(d) => Failure::new(
            if d.is_timeout() {
                "Timeout"
            } else {
                "Unreachable"
            },
            context,
        ),
        SdkError::ResponseError(_) => Failure::new("InvalidResponse", context),
        _ => Failure::new("RequestFailed", context),
    }
}

/// The error and its sources, `: `-joined, without repeats (SDK errors often repeat
/// their source's text).
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
        if parts.len() > 16 {
            break;
        }
    }
    parts.join(": ")
}

/// An SDK client the factory can build.
pub(crate) trait ServiceClient: Sized {
    /// Its service (for endpoint overrides).
    const SERVICE: Service;
    /// A client for `region`, at `endpoint` if given.
    fn build(base: &SdkConfig, region: &str, endpoint: Option<String>) -> Self;
}

macro_rules! service_client {
    ($krate:ident, $service:expr) => {
        impl ServiceClient for $krate::Client {
            const SERVICE: Service = $service;
            fn build(base: &SdkConfig, region: &str, endpoint: Option<String>) -> Self {
                let mut b =
                    $krate::config::Builder::from(base).region(Region::new(region.to_string()));
                if let Some(url) = endpoint {
                    b = b.endpoint_url(url);
                }
                $krate::Client::from_conf(b.build())
            }
        }
    };
}

service_client!(aws_sdk_cloudtrail, Service::CloudTrail);
service_client!(aws_sdk_cloudwatchlogs, Service::Logs);
service_client!(aws_sdk_cloudwatch, Service::CloudWatch);
service_client!(aws_sdk_sns, Service::Sns);
service_client!(aws_sdk_sts, Service::Sts);
service_client!(aws_sdk_organizations, Service::Organizations);
service_client!(aws_sdk_account, Service::Account);
// The network and compute types (issue 24).
service_client!(aws_sdk_ec2, Service::Ec2);
service_client!(aws_sdk_iam, Service::Iam);
// Identity.
service_client!(aws_sdk_accessanalyzer, Service::AccessAnalyzer);
// Storage and logging (issue 23); S3 and S3 Control below.
service_client!(aws_sdk_kms, Service::Kms);
service_client!(aws_sdk_config, Service::Config);
service_client!(aws_sdk_rds, Service::Rds);
service_client!(aws_sdk_efs, Service::Efs);
service_client!(aws_sdk_securityhub, Service::SecurityHub);
service_client!(aws_sdk_macie2, Service::Macie);
// Load balancers and Lambda (issue 24).
service_client!(aws_sdk_elasticloadbalancing, Service::Elb);
service_client!(aws_sdk_elasticloadbalancingv2, Service::Elbv2);
service_client!(aws_sdk_lambda, Service::Lambda);
// Certificates (issue 24).
service_client!(aws_sdk_acm, Service::Acm);

/// The endpoint a client of `base` goes to instead of AWS's: the run's override, else
/// the configuration's own (`AWS_ENDPOINT_URL`).
fn custom_endpoint(base: &SdkConfig, endpoint: Option<String>) -> Option<String> {
    endpoint.or_else(|| base.endpoint_url().map(str::to_string))
}

/// S3 at a custom endpoint is addressed by path (`http://host/bucket`): a bucket as a
/// host name (`bucket.127.0.0.1`) resolves nowhere but at AWS.
impl ServiceClient for aws_sdk_s3::Client {
    const SERVICE: Service = Service::S3;
    fn build(base: &SdkConfig, region: &str, endpoint: Option<String>) -> Self {
        let mut b = aws_sdk_s3::config::Builder::from(base).region(Region::new(region.to_string()));
        let custom = endpoint.is_some() || base.endpoint_url().is_some();
        if let Some(url) = endpoint {
            b = b.endpoint_url(url);
        }
        if custom {
            b = b.force_path_style(true);
        }
        aws_sdk_s3::Client::from_conf(b.build())
    }
}

/// S3 Control puts the account id in front of the host (`<account>.s3-control...`); at a
/// custom endpoint the endpoint is taken as given (the account id still travels in the
/// `x-amz-account-id` header), since `<account>.127.0.0.1` resolves nowhere.
impl ServiceClient for aws_sdk_s3control::Client {
    const SERVICE: Service = Service::S3Control;
    fn build(base: &SdkConfig, region: &str, endpoint: Option<String>) -> Self {
        let mut b =
            aws_sdk_s3control::config::Builder::from(base).region(Region::new(region.to_string()));
        if let Some(url) = custom_endpoint(base, endpoint) {
            b = b.endpoint_resolver(AsGiven(url));
        }
        aws_sdk_s3control::Client::from_conf(b.build())
    }
}

/// An S3 Control endpoint resolver that answers the one URL it holds.
#[derive(Debug)]
struct AsGiven(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for AsGiven {
    fn resolve_endpoint<'a>(
        &'a self,
        _params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(
            aws_sdk_s3control::config::endpoint::Endpoint::builder()
                .url(self.0.clone())
                .build(),
        ))
    }
}

/// Builds clients from one SDK configuration (credentials, retries, timeouts) and
/// the run's endpoint overrides.
#[derive(Clone)]
pub(crate) struct Clients {
    base: SdkConfig,
    endpoints: Vec<EndpointOverride>,
}

impl Clients {
    pub fn new(base: SdkConfig, endpoints: Vec<EndpointOverride>) -> Self {
        Clients { base, endpoints }
    }

    /// The same endpoints with other credentials (an assumed role).
    pub fn with_config(&self, base: SdkConfig) -> Self {
        Clients {
            base,
            endpoints: self.endpoints.clone(),
        }
    }

    /// The configuration clients are built from.
    pub fn config(&self) -> &SdkConfig {
        &self.base
    }

    /// The most specific override for `service` in `region`.
    fn endpoint(&self, service: Service, region: &str) -> Option<String> {
        self.endpoints
            .iter()
            .filter(|o| o.service.is_none_or(|s| s == service))
            .filter(|o| o.region.as_deref().is_none_or(|r| r == region))
            .max_by_key(|o| (o.region.is_some(), o.service.is_some()))
            .map(|o| o.url.clone())
    }

    /// A client of `C`'s service in `region`.
    pub fn client<C: ServiceClient>(&self, region: &str) -> C {
        C::build(&self.base, region, self.endpoint(C::SERVICE, region))
    }
}
