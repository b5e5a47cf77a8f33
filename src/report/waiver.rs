//! Waivers: accepted findings, in a YAML file (`.gslignore.yaml` or `--waivers FILE`).
//!
//! ```yaml
//! waivers:
//!   - policy: CIS-AWS-4.3            # a policy id or glob, case-insensitive
//!     entity: "arn:aws:cloudtrail:*"  # an entity id or glob (default: every object)
//!     reason: alarms are managed by the org account
//!     expires: 2027-03-31            # required; an expired waiver is an error
//! ```
//!
//! A waived object keeps its outcome; reports mark it waived, and a policy whose every
//! finding is waived no longer fails the run. An expired waiver fails loudly instead
//! of silently waiving (or silently ceasing to waive) anything.

use super::{PolicyReport, RuleStatus, Waived};
use crate::lang::eval::{Outcome, RuleResult};
use chrono::NaiveDate;
use globset::{GlobBuilder, GlobMatcher};
use miette::Diagnostic;
use serde::Deserialize;
use thiserror::Error;

/// A waiver file could not be used.
#[derive(Debug, Error, Diagnostic)]
pub enum WaiverError {
    /// The file cannot be read.
    #[error("cannot read waiver file {path}: {message}")]
    #[diagnostic(
        code(gsl::waiver::io),
        help("pass an existing file to --waivers, or remove the option")
    )]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        message: String,
    },
    /// The file is not a waiver list.
    #[error("{path}: {message}")]
    #[diagnostic(
        code(gsl::waiver::syntax),
        help("a waiver file is `waivers:` followed by a list of {{policy, entity, reason, expires: YYYY-MM-DD}}")
    )]
    Syntax {
        /// The file.
        path: String,
        /// What the YAML parser said (with line and column).
        message: String,
    },
    /// A glob does not parse.
    #[error("{path}: waiver {index}: bad glob `{glob}`: {message}")]
    #[diagnostic(
        code(gsl::waiver::glob),
        help("globs use `*`, `?` and `[...]`; quote them in YAML")
    )]
    Glob {
        /// The file.
        path: String,
        /// 1-based position in the list.
        index: usize,
        /// The glob.
        glob: String,
        /// Why.
        message: String,
    },
    /// A waiver with an empty reason.
    #[error("{path}: waiver {index} ({policy}) has no reason")]
    #[diagnostic(
        code(gsl::waiver::no_reason),
        help("say why the finding is accepted: `reason: ...`")
    )]
    NoReason {
        /// The file.
        path: String,
        /// 1-based position.
        index: usize,
        /// Its policy glob.
        policy: String,
    },
    /// Waivers past their expiry date.
    #[error("{path}: {count} expired waiver(s): {list}")]
    #[diagnostic(
        code(gsl::waiver::expired),
        help("review each expired waiver: fix the finding and delete the waiver, or renew it with a new `expires:` date")
    )]
    Expired {
        /// The file.
        path: String,
        /// How many.
        count: usize,
        /// `policy/entity (expired DATE)`, comma-separated.
        list: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileForm {
    waivers: Vec<EntryForm>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryForm {
    policy: String,
    #[serde(default)]
    entity: Option<String>,
    reason: String,
    expires: NaiveDate,
}

/// One waiver.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// The policy id or glob, as written.
    pub policy: String,
    /// The entity id or glob, as written (`*`: every object).
    pub entity: String,
    /// Why the finding is accepted.
    pub reason: String,
    /// The last day it applies.
    pub expires: NaiveDate,
    policy_glob: GlobMatcher,
    entity_glob: GlobMatcher,
}

impl Waiver {
    /// Whether this waiver covers `entity` of `policy`.
    pub fn covers(&self, policy: &str, entity: &str) -> bool {
        self.policy_glob.is_match(policy) && self.entity_glob.is_match(entity)
    }
}

/// The waivers of one file.
#[derive(Debug, Clone, Default)]
pub struct Waivers {
    /// The file they came from.
    pub path: String,
    /// The waivers, in file order.
    pub list: Vec<Waiver>,
}

fn glob(
    path: &str,
    index: usize,
    text: &str,
    case_insensitive: bool,
) -> Result<GlobMatcher, WaiverError> {
    GlobBuilder::new(text)
        .case_insensitive(case_insensitive)
        .literal_separator(false)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| WaiverError::Glob {
            path: path.to_string(),
            index,
            glob: text.to_string(),
            message: e.kind().to_string(),
        })
}

impl Waivers {
    /// Parse a waiver file's text. `today` decides expiry: a waiver whose `expires`
    /// is before `today` makes the whole file an error.
    pub fn parse(text: &str, path: &str, today: NaiveDate) -> Result<Waivers, WaiverError> {
        let form: FileForm = serde_yaml::from_str(text).map_err(|e| WaiverError::Syntax {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        let mut list = Vec::new();
        let mut expired = Vec::new();
        for (i, w) in form.waivers.into_iter().enumerate() {
            let index = i + 1;
            if w.reason.trim().is_empty() {
                return Err(WaiverError::NoReason {
                    path: path.to_string(),
                    index,
                    policy: w.policy,
                });
            }
            let entity = w.entity.unwrap_or_else(|| "*".to_string());
            if w.expires < today {
                expired.push(format!("{}/{} (expired {})", w.policy, entity, w.expires));
            }
            list.push(Waiver {
                policy_glob: glob(path, index, &w.policy, true)?,
                entity_glob: glob(path, index, &entity, false)?,
                policy: w.policy,
                entity,
                reason: w.reason.trim().to_string(),
                expires: w.expires,
            });
        }
        if !expired.is_empty() {
            return Err(WaiverError::Expired {
                path: path.to_string(),
                count: expired.len(),
                list: expired.join(", "),
            });
        }
        Ok(Waivers {
            path: path.to_string(),
            list,
        })
    }

    /// Read and parse a waiver file.
    pub fn load(path: &std::path::Path, today: NaiveDate) -> Result<Waivers, WaiverError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| WaiverError::Io {
            path: name.clone(),
            message: e.to_string(),
        })?;
        Waivers::parse(&text, &name, today)
    }

    /// Mark the findings of `report` that a waiver covers (failed or unknown objects),
    /// and recompute its status over the others: a policy whose every finding is
    /// waived gets the status `waived`.
    pub fn apply(&self, report: &mut PolicyReport) {
        if report.error.is_some() {
            return;
        }
        for e in &report.entities {
            if !matches!(e.outcome, Outcome::Failed | Outcome::Unknown) {
                continue;
            }
            if let Some(w) = self.find(&report.meta.id, &e.id) {
                report.waived.push(Waived {
                    entity: e.id.clone(),
                    reason: w.reason.clone(),
                    expires: w.expires.to_string(),
                    file: self.path.clone(),
                });
            }
        }
        if report.waived.is_empty() {
            return;
        }
        let rest = RuleResult {
            entities: report
                .entities
                .iter()
                .filter(|e| report.waiver_of(&e.id).is_none())
                .cloned()
                .collect(),
        };
        report.status = match RuleStatus::of(&rest) {
            RuleStatus::Passed | RuleStatus::NotApplicable => RuleStatus::Waived,
            other => other,
        };
    }

    /// The first waiver covering `entity` of `policy`.
    pub fn find(&self, policy: &str, entity: &str) -> Option<&Waiver> {
        self.list.iter().find(|w| w.covers(policy, entity))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn globs_match_ids_case_insensitively_and_entities_exactly() {
        let w = Waivers::parse(
            "waivers:\n  - policy: cis-aws-4.*\n    entity: 'arn:aws:sns:*'\n    reason: r\n    expires: 2027-01-01\n",
            "w.yaml",
            day("2026-12-01"),
        )
        .unwrap();
        assert!(w.find("CIS-AWS-4.3", "arn:aws:sns:us-east-1:1:t").is_some());
        assert!(w.find("CIS-AWS-4.3", "ARN:aws:sns:x").is_none());
        assert!(w.find("D9.AWS.LOG.01", "arn:aws:sns:x").is_none());
    }

    #[test]
    fn expired_waivers_are_an_error_naming_each() {
        let err = Waivers::parse(
            "waivers:\n  - policy: A\n    reason: r\n    expires: 2026-01-01\n",
            "w.yaml",
            day("2026-12-01"),
        )
        .unwrap_err();
        assert!(
            matches!(err, WaiverError::Expired { count: 1, .. }),
            "{err}"
        );
        assert!(
            err.to_string().contains("A/* (expired 2026-01-01)"),
            "{err}"
        );
    }

    #[test]
    fn missing_fields_and_unknown_keys_are_errors() {
        let err = Waivers::parse(
            "waivers:\n  - policy: A\n    reason: r\n",
            "w.yaml",
            day("2026-12-01"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("expires"), "{err}");
        let err = Waivers::parse(
            "waivers:\n  - policy: A\n    reason: r\n    expires: 2027-01-01\n    entiy: x\n",
            "w.yaml",
            day("2026-12-01"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("entiy"), "{err}");
    }
}
