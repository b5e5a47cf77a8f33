//! `gsl fix`: from a failing finding to the changes that mend it.
//!
//! A [`Plan`] is derived from a check run: for each failing object of a policy, the
//! structured evidence of its explanation (the JSON paths of the sub-expressions that
//! were false) and the snapshot's entities (the trail, its filters, their alarms and
//! topics) give the smallest set of [`Change`]s that makes the policy pass, reusing what
//! exists ([`plan`]). What only the user can choose (the endpoint of a new subscription,
//! a KMS key, a trail's log group) comes from [`Choices`]; a finding that needs a choice
//! not given, or that gsl cannot mend, says why ([`Blocked`]).
//!
//! - [`change`]: the changes, one variant per API call, and what each one needs.
//! - [`plan`]: the derivation, from evidence and entities to changes.
//! - [`cli`], [`terraform`], [`cloudformation`]: a plan as AWS CLI commands, as
//!   Terraform (resources, references, `import` blocks), as a CloudFormation template.
//!
//! Performing a plan needs the SDK: `gsl::collect::apply` (feature `aws`).

pub mod change;
pub mod cli;
pub mod cloudformation;
pub mod plan;
pub mod terraform;

pub use change::{Action, AlarmSpec, Change};

use serde::Serialize;

/// The version of the plan's JSON form (`docs/fix-plan.schema.json`).
pub const PLAN_VERSION: u32 = 1;

/// The default name of a topic a plan creates for the alarms it adds.
pub const DEFAULT_TOPIC: &str = "gsl-security-alarms";

/// The namespace of the metrics a plan creates (the CIS remediation's).
pub const NAMESPACE: &str = "CISBenchmark";

/// A plan: the changes, in the order they must be made, and for each failing finding
/// the changes that mend it or why none do.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// [`PLAN_VERSION`].
    pub plan_version: u32,
    /// Every change, each once, in order (a topic before its subscription and the
    /// alarms that notify it).
    pub changes: Vec<Change>,
    /// One entry per failing object of a selected policy.
    pub findings: Vec<FindingFix>,
}

impl Plan {
    /// The findings the plan mends.
    pub fn mended(&self) -> impl Iterator<Item = &FindingFix> {
        self.findings.iter().filter(|f| f.blocked.is_none())
    }

    /// The findings it cannot mend.
    pub fn blocked(&self) -> impl Iterator<Item = &FindingFix> {
        self.findings.iter().filter(|f| f.blocked.is_some())
    }

    /// The changes of one finding, in plan order.
    pub fn changes_of<'p>(&'p self, f: &'p FindingFix) -> impl Iterator<Item = &'p Change> {
        self.changes.iter().filter(|c| f.changes.contains(&c.id))
    }

    /// The fix of the object `entity` of the policy `policy`, if the plan has one.
    pub fn finding(&self, policy: &str, entity: &str) -> Option<&FindingFix> {
        self.findings
            .iter()
            .find(|f| f.policy == policy && f.entity == entity)
    }
}

/// The fix of one failing object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingFix {
    /// The policy id.
    pub policy: String,
    /// The object's id (`List<CloudTrail>@123456789012` for a list rule).
    pub entity: String,
    /// Its account.
    pub account: String,
    /// The ids of the plan's changes that mend it ([`Change::id`]); empty when blocked.
    pub changes: Vec<String>,
    /// Why it cannot be mended, when it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked: Option<Blocked>,
}

/// Why a failing object gets no change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "reason")]
pub enum Blocked {
    /// A choice only the user can make, and the flag that supplies it.
    Choice {
        /// What to choose.
        what: String,
        /// The `gsl fix` flag that gives it.
        flag: String,
    },
    /// gsl could mend this kind of failure, but not this one.
    Unsupported {
        /// What failed, and why gsl does not mend it.
        why: String,
    },
    /// gsl has no change for what failed (the policy's remediation says what to do).
    NotCovered {
        /// The properties the failure names.
        paths: Vec<String>,
    },
}

impl std::fmt::Display for Blocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Blocked::Choice { what, flag } => {
                write!(f, "needs a choice only you can make: {what} (pass {flag})")
            }
            Blocked::Unsupported { why } => write!(f, "gsl cannot mend it: {why}"),
            Blocked::NotCovered { paths } if paths.is_empty() => {
                write!(f, "gsl has no change for this failure")
            }
            Blocked::NotCovered { paths } => {
                write!(f, "gsl has no change for {}", paths.join(", "))
            }
        }
    }
}

/// The user's choices a plan may need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    /// The endpoint of a subscription to create when no topic with a confirmed
    /// subscription exists in the region.
    pub notify: Option<Endpoint>,
    /// The name of a topic to create for it.
    pub topic_name: String,
    /// The KMS key a trail's logs are encrypted with.
    pub kms_key: Option<String>,
    /// The log group (ARN) a trail delivers to, and the role CloudTrail uses for it.
    pub trail_logs: Option<(String, String)>,
    /// Where a VPC's new flow log delivers: an S3 bucket ARN or a CloudWatch Logs log
    /// group ARN.
    pub flow_log_destination: Option<String>,
    /// The role that delivers flow logs to a log group.
    pub flow_log_role: Option<String>,
    /// The bucket a new Config delivery channel delivers to.
    pub config_bucket: Option<String>,
    /// The role a new Config recorder records with.
    pub config_role: Option<String>,
    /// S3 Block Public Access findings of a bucket are mended at the account level
    /// (one S3 Control call for every bucket) rather than on the bucket.
    pub s3_account_level: bool,
}

impl Default for Choices {
    fn default() -> Self {
        Choices {
            notify: None,
            topic_name: DEFAULT_TOPIC.to_string(),
            kms_key: None,
            trail_logs: None,
            flow_log_destination: None,
            flow_log_role: None,
            config_bucket: None,
            config_role: None,
            s3_account_level: false,
        }
    }
}

/// The endpoint of a new SNS subscription: an e-mail address or an HTTPS URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// `email` or `https`.
    pub protocol: String,
    /// The address or URL.
    pub endpoint: String,
}

impl std::str::FromStr for Endpoint {
    type Err = FixError;

    /// `secops@example.com` (e-mail) or `https://hooks.example.com/x` (HTTPS).
    fn from_str(s: &str) -> Result<Self, FixError> {
        let s = s.trim();
        let protocol = if s.starts_with("https://") && s.len() > "https://".len() {
            "https"
        } else if is_email(s) {
            "email"
        } else {
            return Err(FixError::Endpoint {
                given: s.to_string(),
            });
        };
        Ok(Endpoint {
            protocol: protocol.to_string(),
            endpoint: s.to_string(),
        })
    }
}

fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((user, host)) => {
            !user.is_empty()
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !host.contains('@')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// What can go wrong building or performing a plan.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum FixError {
    /// `--notify` is neither an e-mail address nor an HTTPS URL.
    #[error("`{given}` is not an e-mail address or an https:// URL")]
    #[diagnostic(
        code(gsl::fix::endpoint),
        help("pass --notify secops@example.com or --notify https://hooks.example.com/path")
    )]
    Endpoint {
        /// What was given.
        given: String,
    },
    /// A call of `--apply` failed; the changes before it were made.
    #[error("{call} failed: {code}: {message}")]
    #[diagnostic(
        code(gsl::fix::apply),
        help("the changes before this one were made; fix the cause (permissions: docs/iam-fix-policy.json) and run gsl fix again: a new plan starts from what exists")
    )]
    Call {
        /// The change's call, e.g. `logs:PutMetricFilter my-filter`.
        call: String,
        /// The error code.
        code: String,
        /// The message.
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_an_address_or_an_https_url() {
        let e: Endpoint = "secops@example.com".parse().unwrap();
        assert_eq!(e.protocol, "email");
        let h: Endpoint = "https://hooks.example.com/x".parse().unwrap();
        assert_eq!(h.protocol, "https");
        for bad in [
            "",
            "secops",
            "http://x.example.com",
            "a@b",
            "@example.com",
            "https://",
        ] {
            assert!(bad.parse::<Endpoint>().is_err(), "{bad}");
        }
    }
}
