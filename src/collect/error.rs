//! Errors that stop a collection. Failures of single calls or regions do not: they
//! are recorded in the snapshot's `errors`.

use miette::Diagnostic;
use thiserror::Error;

/// What to check when sts:GetCallerIdentity failed with `code`: the network for a call
/// that never got an answer (no credentials were tried), the credentials otherwise.
pub fn identity_help(code: &str) -> String {
    match code {
        "Unreachable" | "Timeout" => "the STS endpoint did not answer, so the credentials were never tried: check the network, DNS, a proxy (HTTPS_PROXY), the region name and any endpoint override (AWS_ENDPOINT_URL)".into(),
        "InvalidResponse" | "RequestFailed" => "the reply of STS could not be read: check a proxy or endpoint override between gsl and AWS".into(),
        "Throttling" | "ThrottlingException" | "RequestLimitExceeded" => "STS throttled the call (after retries): try again later".into(),
        _ => "check the credentials: AWS_PROFILE or --profile, `aws sso login`, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; `aws sts get-caller-identity` should work with the same settings".into(),
    }
}

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
    #[diagnostic(code(gsl::collect::identity))]
    Identity {
        /// Region of the STS call.
        region: String,
        /// Error code.
        code: String,
        /// Error message.
        message: String,
        /// What to check, for this code ([`identity_help`]).
        #[help]
        help: String,
    },

    /// The SDK's credential chain found no credentials, or a provider in it failed:
    /// no call can be signed (told apart from a network that does not answer).
    #[error("no AWS credentials: {detail}")]
    #[diagnostic(code(gsl::collect::no_credentials))]
    NoCredentials {
        /// What the chain said (each provider it tried).
        detail: String,
        /// Where the chain looks, or what the failing provider needs.
        #[help]
        help: String,
    },

    /// A region name that cannot be right.
    #[error("invalid region name {0:?}")]
    #[diagnostic(
        code(gsl::collect::invalid_region),
        help("region names look like us-east-1 or eu-west-2")
    )]
    InvalidRegion(String),

    /// An account or role that cannot be right (`--accounts FILE`, `--assume-role`).
    #[error("invalid account target{}: {text:?}", line.map(|l| format!(" on line {l}")).unwrap_or_default())]
    #[diagnostic(
        code(gsl::collect::invalid_target),
        help("an account is 12 digits, optionally followed by `,arn:aws:iam::<same account>:role/<name>`; --assume-role takes a role ARN")
    )]
    InvalidTarget {
        /// Line of the accounts file.
        line: Option<usize>,
        /// What was given.
        text: String,
    },

    /// Organizations ListAccounts (or the OU walk) failed: the run cannot know its
    /// accounts.
    #[error("cannot list the organization's accounts ({operation}): {code}: {message}")]
    #[diagnostic(
        code(gsl::collect::organization),
        help("run from the management account or a delegated administrator with organizations:ListAccounts (see docs/iam-policy.json), or name the accounts with --accounts FILE / --assume-role ARN")
    )]
    Organization {
        /// The failed operation.
        operation: String,
        /// Error code.
        code: String,
        /// Error message.
        message: String,
    },

    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    #[diagnostic(code(gsl::collect::runtime))]
    Runtime(#[source] std::io::Error),
}
