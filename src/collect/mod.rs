//! AWS collectors: build the entity graph of live accounts with the AWS SDK for Rust.
//! Documented in `docs/collect.md`; the entity model in `docs/entities.md`; the
//! permissions in `docs/iam-policy.json`.
//!
//! Always compiled (pure, no SDK, no I/O): the records ([`model`]), the graph joins
//! ([`graph`]), the call plan ([`plan`]), the options, the service names and the call
//! counters. With the `aws` feature, the SDK side:
//!
//! - `client`: one client factory and the SDK error mapping;
//! - `call`: one API call under the run's concurrency bound, counted, paginated,
//!   failures recorded;
//! - `fetch`: one module per service (CloudTrail, CloudWatch Logs, CloudWatch, SNS,
//!   STS) that turns calls into [`model`] records through [`convert`];
//! - `walk`: the phases of one account (trails → status, selectors, log groups,
//!   metric filters → alarms → topic subscriptions), every decision taken by [`plan`];
//! - `run`: [`collect`], the SDK configuration and the regions.
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
pub mod model;
pub mod options;
pub mod plan;
pub mod regions;
pub mod service;
pub mod stats;
pub mod targets;

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
pub mod progress;
#[cfg(feature = "aws")]
mod run;
#[cfg(feature = "aws")]
mod walk;

pub use error::CollectError;
pub use graph::{build_account, build_snapshot};
pub use model::Collected;
pub use options::{CollectOptions, EndpointOverride, SdkOptions, DEFAULT_CONCURRENCY};
pub use service::Service;
pub use stats::Stats;
pub use targets::{AccountTarget, AccountsOptions};

#[cfg(feature = "aws")]
pub use progress::Progress;
#[cfg(feature = "aws")]
pub use run::{collect, load_sdk_config, plan_regions, Collection};
