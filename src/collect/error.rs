//! Errors that stop a collection. Failures of single calls or regions do not: they
//! are recorded in the snapshot's `errors`.

use miette::Diagnostic;
use thiserror::Error;

/// Why a collection could not run at all.
#[derive(Debug, Error, Diagnostic)]
pub enum CollectError {
    /// No region from `--region`, the environment or the profile.
    #[error("no AWS region to collect")]
    #[diagnostic(
        code(gsl::collect::no_region),
        help("pass --region REGION (repeatable) or --all-regions, or set AWS_REGION or a region in your AWS profile")
    )]
    NoRegion,

    /// STS GetCallerIdentity failed: without an account id nothing can be attributed.
    #[error(
        "cannot identify the AWS account (sts:GetCallerIdentity in {region}): {code}: {message}"
    )]
    #[diagnostic(
        code(gsl::collect::identity),
        help("check the credentials: AWS_PROFILE or --profile, `aws sso login`, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; `aws sts get-caller-identity` should work with the same settings")
    )]
    Identity {
        /// Region of the STS call.
        region: String,
        /// Error code.
        code: String,
        /// Error message.
        message: String,
    },

    /// A region name that cannot be right.
    #[error("invalid region name {0:?}")]
    #[diagnostic(
        code(gsl::collect::invalid_region),
        help("region names look like us-east-1 or eu-west-2")
    )]
    InvalidRegion(String),

    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    #[diagnostic(code(gsl::collect::runtime))]
    Runtime(#[source] std::io::Error),
}
