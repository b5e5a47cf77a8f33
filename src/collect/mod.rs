//! AWS collectors (feature `aws`): build the entity graph of a live account with the
//! AWS SDK for Rust. Documented in `docs/collect.md`; the entity model in
//! `docs/entities.md`; the permissions in `docs/iam-policy.json`.
//!
//! - `walk` makes the calls (fewest first: trails → status and selectors → the
//!   trail's log group → its metric filters → alarms → topic subscriptions), bounded
//!   concurrency, every failure recorded, never aborting for one region or call;
//! - [`convert`] turns SDK outputs into plain records ([`model`]);
//! - [`graph`] joins the records into snapshot entities (pure, unit-tested, and the
//!   path fixtures take).
//!
//! ```no_run
//! # #[cfg(feature = "aws")]
//! # async fn demo() -> Result<(), gsl::collect::CollectError> {
//! let config = gsl::collect::load_sdk_config(&gsl::collect::SdkOptions::default()).await;
//! let options = gsl::collect::CollectOptions { regions: vec!["us-east-1".into()], ..Default::default() };
//! let collection = gsl::collect::collect(&config, &options).await?;
//! println!("{} API calls", collection.stats.total_calls());
//! # Ok(()) }
//! ```

#[cfg(feature = "aws")]
pub mod convert;
pub mod error;
pub mod graph;
pub mod model;
#[cfg(feature = "aws")]
pub mod progress;
pub mod regions;
pub mod stats;
#[cfg(feature = "aws")]
mod walk;

pub use error::CollectError;
pub use graph::{build_account, build_snapshot};
pub use model::Collected;
#[cfg(feature = "aws")]
pub use progress::Progress;
pub use stats::Stats;

#[cfg(feature = "aws")]
use crate::entity::Snapshot;
#[cfg(feature = "aws")]
use aws_config::retry::RetryConfig;
#[cfg(feature = "aws")]
use aws_config::timeout::TimeoutConfig;
#[cfg(feature = "aws")]
use aws_config::{BehaviorVersion, Region, SdkConfig};
#[cfg(feature = "aws")]
use std::collections::HashSet;
#[cfg(feature = "aws")]
use std::sync::Arc;
#[cfg(feature = "aws")]
use std::time::Duration;

#[cfg(feature = "aws")]
/// Default bound on concurrent API calls.
pub const DEFAULT_CONCURRENCY: usize = 8;

#[cfg(feature = "aws")]
/// An AWS service the collectors call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// CloudTrail.
    CloudTrail,
    /// CloudWatch Logs.
    Logs,
    /// CloudWatch (alarms).
    CloudWatch,
    /// SNS.
    Sns,
    /// STS.
    Sts,
}

#[cfg(feature = "aws")]
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

#[cfg(feature = "aws")]
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
    /// Time limit of one call, retries included (default: none).
    pub timeout: Option<Duration>,
}

#[cfg(feature = "aws")]
/// Load the SDK configuration the standard way, with the overrides of `options`.
pub async fn load_sdk_config(options: &SdkOptions) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(attempts) = options.max_attempts {
        loader = loader.retry_config(RetryConfig::standard().with_max_attempts(attempts.max(1)));
    }
    if let Some(timeout) = options.timeout {
        loader = loader.timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(timeout)
                .connect_timeout(timeout.min(Duration::from_secs(10)))
                .build(),
        );
    }
    loader.load().await
}

#[cfg(feature = "aws")]
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
    /// Draw a progress spinner on stderr if it is a terminal.
    pub progress: bool,
}

#[cfg(feature = "aws")]
/// A finished collection.
#[derive(Debug, Clone)]
pub struct Collection {
    /// The snapshot (errors included).
    pub snapshot: Snapshot,
    /// What was collected, before the graph was built.
    pub collected: Collected,
    /// API calls made.
    pub stats: Stats,
}

#[cfg(feature = "aws")]
/// The regions to collect and those to probe (may be disabled for the account).
pub fn plan_regions(
    config: &SdkConfig,
    options: &CollectOptions,
) -> Result<(Vec<String>, HashSet<String>), CollectError> {
    let mut out: Vec<String> = Vec::new();
    let mut probe = HashSet::new();
    for r in &options.regions {
        if !regions::is_valid_region_name(r) {
            return Err(CollectError::InvalidRegion(r.clone()));
        }
        if !out.contains(r) {
            out.push(r.clone());
        }
    }
    if out.is_empty() && options.all_regions {
        let partition = config
            .region()
            .map_or("aws", |r| graph::partition_of(r.as_ref()));
        out.extend(
            regions::default_regions(partition)
                .iter()
                .map(|r| r.to_string()),
        );
        for r in regions::opt_in_regions(partition) {
            out.push(r.to_string());
            probe.insert(r.to_string());
        }
    }
    if out.is_empty() {
        match config.region() {
            Some(r) if regions::is_valid_region_name(r.as_ref()) => out.push(r.to_string()),
            Some(r) => return Err(CollectError::InvalidRegion(r.to_string())),
            None => return Err(CollectError::NoRegion),
        }
    }
    Ok((out, probe))
}

#[cfg(feature = "aws")]
/// Collect one account: the account of `config`'s credentials.
pub async fn collect(
    config: &SdkConfig,
    options: &CollectOptions,
) -> Result<Collection, CollectError> {
    let (regions, probe) = plan_regions(config, options)?;
    let started = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let counter = Arc::new(stats::ApiCounter::default());
    let progress = Progress::new(options.progress);
    let concurrency = if options.concurrency == 0 {
        DEFAULT_CONCURRENCY
    } else {
        options.concurrency
    };
    let mut walker = walk::Walker::new(
        config.clone(),
        options.endpoints.clone(),
        concurrency,
        counter.clone(),
        progress.clone(),
    );
    let sts_region = config
        .region()
        .map(|r| r.to_string())
        .filter(|r| regions.contains(r))
        .or_else(|| regions.first().cloned())
        .unwrap_or_default();
    let identified = walker.identify(&sts_region).await;
    if let Err(e) = identified {
        progress.finish();
        return Err(e);
    }
    let collected = walker.walk(regions, &probe).await;
    progress.finish();
    let snapshot = build_snapshot(std::slice::from_ref(&collected), Some(started));
    Ok(Collection {
        snapshot,
        collected,
        stats: counter.snapshot(),
    })
}
