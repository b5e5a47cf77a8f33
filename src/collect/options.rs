//! What to collect and how to reach AWS: plain options, no SDK (the CLI fills them
//! from flags; [`super::collect`] reads them).

use super::progress::Progress;
use super::targets::AccountsOptions;
use super::Service;
use std::time::Duration;

/// Default bound on concurrent API calls.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Send calls for a service and/or region to another endpoint (the most specific
/// override wins; without one the SDK's resolution applies, including
/// `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointOverride {
    /// Only this service (`None`: all).
    pub service: Option<Service>,
    /// Only this region (`None`: all).
    pub region: Option<String>,
    /// The endpoint URL.
    pub url: String,
}

/// How to load the SDK configuration (credentials, retries, timeouts).
#[derive(Debug, Clone, Default)]
pub struct SdkOptions {
    /// Named profile (default: the standard chain: env, profile, SSO, IMDS, ...).
    pub profile: Option<String>,
    /// Region for STS and the default region (default: env/profile).
    pub region: Option<String>,
    /// An endpoint for every service (the SDK also reads `AWS_ENDPOINT_URL`).
    pub endpoint_url: Option<String>,
    /// Attempts per call including the first (default: the SDK's, 3).
    pub max_attempts: Option<u32>,
    /// Time limit of one call, retries included (default: [`super::DEFAULT_TIMEOUT`];
    /// an attempt, a connection and a reply have shorter limits, see
    /// [`super::timeouts`]).
    pub timeout: Option<Duration>,
}

/// What to collect.
#[derive(Debug, Clone, Default)]
pub struct CollectOptions {
    /// Regions to collect (deduplicated, order kept). Empty: `all_regions`, else the
    /// configured region.
    pub regions: Vec<String>,
    /// Every region of the partition; opt-in regions the account has not enabled are
    /// skipped.
    pub all_regions: bool,
    /// Bound on concurrent API calls (0: [`DEFAULT_CONCURRENCY`]).
    pub concurrency: usize,
    /// Endpoint overrides by service and/or region.
    pub endpoints: Vec<EndpointOverride>,
    /// Where to report progress (default: nowhere; the command line draws a spinner).
    pub progress: Progress,
    /// Other accounts through assumed roles (`None`: the credentials' own account).
    pub accounts: Option<AccountsOptions>,
}
