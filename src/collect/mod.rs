//! AWS collectors: build the entity graph of live accounts with the AWS SDK for Rust.
//! Documented in `docs/collect.md`; the entity model in `docs/entities.md`; the
//! permissions in `docs/iam-policy.json` (the last two generated from [`types`]).
//!
//! Always compiled (pure, no SDK, no I/O): the collected types' declarations, records
//! and graph joins ([`types`], one module per type), the graph builder ([`graph`]),
//! the run's issues ([`plan`]), the options, the service names, the call counters and
//! the progress events. With the `aws` feature, the SDK side:
//!
//! - `client`: one client factory and the SDK error mapping;
//! - `call`: one API call under the run's concurrency bound, counted, paginated,
//!   failures recorded;
//! - each type's `Fetcher` (in its module): its calls, stage by stage;
//! - `walk`: the stages of one account, the same for every type;
//! - `fetch`: the run's own calls (STS identity, Account regions), `org`: the
//!   organization's accounts and roles;
//! - `run`: [`collect`], the SDK configuration and the regions;
//! - [`trail_logs`]: CloudTrail log files read from S3 for `gsl replay --from-s3`.
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

pub mod error;
pub mod graph;
pub mod options;
pub mod plan;
pub mod progress;
pub mod regions;
pub mod service;
pub mod stats;
pub mod targets;
pub mod types;

#[cfg(feature = "aws")]
pub mod apply;
#[cfg(feature = "aws")]
mod call;
#[cfg(feature = "aws")]
mod client;
#[cfg(feature = "aws")]
pub mod convert;
#[cfg(feature = "aws")]
mod fetch;
#[cfg(feature = "aws")]
mod org;
#[cfg(feature = "aws")]
mod run;
#[cfg(feature = "aws")]
pub mod trail_logs;
#[cfg(feature = "aws")]
mod walk;

pub use error::CollectError;
pub use graph::{build_account, build_snapshot};
pub use options::{CollectOptions, EndpointOverride, SdkOptions, DEFAULT_CONCURRENCY};
pub use progress::{Progress, ProgressEvent, ProgressSink};
pub use service::Service;
pub use stats::Stats;
pub use targets::{AccountTarget, AccountsOptions};
pub use types::Collected;

#[cfg(feature = "aws")]
pub use run::{collect, load_sdk_config, plan_regions, timeouts, Collection, DEFAULT_TIMEOUT};
