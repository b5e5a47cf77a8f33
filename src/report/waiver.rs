//! Waivers: accepted findings, in a YAML file (`.gslignore.yaml` or `--waivers FILE`).
//!
//! ```yaml
//! waivers:
//!   - policy: CIS-AWS-4.3            # a policy id or glob, case-insensitive
//!     entity: "arn:aws:cloudtrail:*"  # an entity id or glob (default: every object)
//!     account: "123456789012"         # an account number or glob (default: every account)
//!     reason: alarms are managed by the org account
//!     expires: 2027-03-31            # required; an expired waiver is an error
//! ```
//!
//! A waived object keeps its outcome; reports mark it waived, and a policy whose every
//! finding is waived no longer fails the run. An expired waiver fails loudly instead
//! of silently waiving (or silently ceasing to waive) anything. A reason made only of
//! spaces or invisible characters is no reason; a waiver that names no policy of the
//! run, or matches no finding, is reported ([`Waivers::warnings`]). Flow collections
//! (`[...]`, `{...}`) may nest [`MAX_DEPTH`] deep: the file is read automatically from
//! the current directory, and a YAML parser's time grows with the square of the depth.

use super::{PolicyReport, Waived};
use crate::lang::eval::{EntityResult, Outcome};
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
    /// Collections nested deeper than [`MAX_DEPTH`].
    #[error("{path}: collections nested more than {max} deep at line {line}, column {column}")]
    #[diagnostic(
        code(gsl::waiver::too_deep),
        help(
            "a waiver file is a flat list of waivers; nothing in it nests more than a few levels"
        )
    )]
    TooDeep {
        /// The file.
        path: String,
        /// The limit.
        max: usize,
        /// 1-based line where the limit is passed.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
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
    #[serde(default)]
    account: Option<String>,
    reason: String,
    expires: NaiveDate,
}

/// How deep flow collections (`[...]`, `{...}`) and compact block sequences (`- - x`)
/// may nest in a waiver file.
pub const MAX_DEPTH: usize = 32;

/// Something in a waiver file that is probably a mistake (it still runs).
#[derive(Debug, Error, Diagnostic)]
pub enum WaiverWarning {
    /// A waiver whose policy id (not a glob) is no policy of the run.
    #[error("{path}: waiver {index} names policy `{policy}`, which no policy of this run has{}", suggestion.as_deref().map(|s| format!("; {s}")).unwrap_or_default())]
    #[diagnostic(
        code(gsl::waiver::unknown_policy),
        severity(Warning),
        help("write the policy id as reports show it (`gsl policies` lists them), or delete the waiver")
    )]
    UnknownPolicy {
        /// The file.
        path: String,
        /// 1-based position.
        index: usize,
        /// The policy as written.
        policy: String,
        /// "did you mean `...`?", when a policy id is close.
        suggestion: Option<String>,
    },
    /// A waiver that covers no failed or unknown object of the run.
    #[error("{path}: waiver {index} ({policy} / {entity}{}) matches no finding of this run", account.as_deref().map(|a| format!(" in account {a}")).unwrap_or_default())]
    #[diagnostic(
        code(gsl::waiver::unused),
        severity(Warning),
        help("delete it if the finding is fixed; otherwise check its policy, entity and account")
    )]
    Unused {
        /// The file.
        path: String,
        /// 1-based position.
        index: usize,
        /// The policy as written.
        policy: String,
        /// The entity as written.
        entity: String,
        /// The account as written, if any.
        account: Option<String>,
    },
}

/// One waiver.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// The policy id or glob, as written.
    pub policy: String,
    /// The entity id or glob, as written (`*`: every object).
    pub entity: String,
    /// The account number or glob, as written (`None`: every account).
    pub account: Option<String>,
    /// Why the finding is accepted.
    pub reason: String,
    /// The last day it applies.
    pub expires: NaiveDate,
    policy_glob: GlobMatcher,
    entity_glob: GlobMatcher,
    account_glob: Option<GlobMatcher>,
}

impl Waiver {
    /// Whether this waiver covers the object `entity` (an id) of `policy` in
    /// `account`.
    pub fn covers(&self, policy: &str, entity: &str, account: &str) -> bool {
        self.policy_glob.is_match(policy)
            && self.entity_glob.is_match(entity)
            && self
                .account_glob
                .as_ref()
                .is_none_or(|g| g.is_match(account))
    }

    fn covers_result(&self, policy: &str, e: &EntityResult) -> bool {
        self.covers(policy, &e.id, &e.account)
    }

    /// Whether the policy is written as one id (no glob characters).
    fn names_one_policy(&self) -> bool {
        !self.policy.contains(['*', '?', '[', '{'])
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
        if let Some((line, column)) = too_deep(text, MAX_DEPTH) {
            return Err(WaiverError::TooDeep {
                path: path.to_string(),
                max: MAX_DEPTH,
                line,
                column,
            });
        }
        let form: FileForm = serde_yaml::from_str(text).map_err(|e| WaiverError::Syntax {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        let mut list = Vec::new();
        let mut expired = Vec::new();
        for (i, w) in form.waivers.into_iter().enumerate() {
            let index = i + 1;
            if w.reason
                .chars()
                .all(|c| c.is_whitespace() || crate::text::is_hidden(c) || is_invisible(c))
            {
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
            let account_glob = match &w.account {
                Some(a) => Some(glob(path, index, a, false)?),
                None => None,
            };
            list.push(Waiver {
                policy_glob: glob(path, index, &w.policy, true)?,
                entity_glob: glob(path, index, &entity, false)?,
                account_glob,
                policy: w.policy,
                entity,
                account: w.account,
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
            if let Some(w) = self.find_result(&report.meta.id, e) {
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
        // Sorted by id: `PolicyReport::waiver_of` searches it.
        report.waived.sort_by(|a, b| a.entity.cmp(&b.entity));
        report.status = report.status_without_waived();
    }

    /// The first waiver covering `entity` of `policy` (in any account).
    pub fn find(&self, policy: &str, entity: &str) -> Option<&Waiver> {
        self.list
            .iter()
            .find(|w| w.account_glob.is_none() && w.covers(policy, entity, ""))
    }

    /// The first waiver covering the object `e` of `policy`, its account included.
    pub fn find_result(&self, policy: &str, e: &EntityResult) -> Option<&Waiver> {
        self.list.iter().find(|w| w.covers_result(policy, e))
    }

    /// What looks wrong about these waivers after a run: a waiver naming a policy id
    /// no policy of `reports` has (with the closest id), and a waiver covering no
    /// failed or unknown object of `reports`.
    pub fn warnings(&self, reports: &[PolicyReport]) -> Vec<WaiverWarning> {
        let ids: Vec<&str> = reports.iter().map(|r| r.meta.id.as_str()).collect();
        let mut out = Vec::new();
        for (i, w) in self.list.iter().enumerate() {
            let index = i + 1;
            if w.names_one_policy() && !ids.iter().any(|id| w.policy_glob.is_match(id)) {
                out.push(WaiverWarning::UnknownPolicy {
                    path: self.path.clone(),
                    index,
                    policy: w.policy.clone(),
                    suggestion: crate::text::did_you_mean(&w.policy, ids.iter().copied()),
                });
                continue;
            }
            let used = reports.iter().any(|r| {
                r.error.is_none()
                    && w.policy_glob.is_match(&r.meta.id)
                    && r.entities.iter().any(|e| {
                        matches!(e.outcome, Outcome::Failed | Outcome::Unknown)
                            && w.covers_result(&r.meta.id, e)
                    })
            });
            if !used {
                out.push(WaiverWarning::Unused {
                    path: self.path.clone(),
                    index,
                    policy: w.policy.clone(),
                    entity: w.entity.clone(),
                    account: w.account.clone(),
                });
            }
        }
        out
    }
}

/// Characters that print as nothing beyond [`crate::text::is_hidden`]'s: the soft
/// hyphen, the combining grapheme joiner, the Hangul and Mongolian fillers, the
/// invisible operators and the variation selectors.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{34f}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{2061}'..='\u{2064}'
            | '\u{206a}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{ffa0}'
            | '\u{e0100}'..='\u{e01ef}'
    )
}

/// Where the nesting of `text` first passes `max` (1-based line and column), counting
/// flow collections (`[`, `{`) and compact block sequences (`- - x`), outside quoted
/// scalars and comments. A cheap scan before the YAML parser, whose time grows with
/// the square of the depth. It may count more than the parser would (a bracket in a
/// plain scalar), never less.
fn too_deep(text: &str, max: usize) -> Option<(usize, usize)> {
    #[derive(PartialEq)]
    enum In {
        Plain,
        Double,
        Single,
    }
    let mut state = In::Plain;
    let mut depth = 0usize;
    for (li, line) in text.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        let mut token_start = true;
        // Compact block sequences: `- ` after the indentation, repeated.
        let mut dashes = 0usize;
        if state == In::Plain {
            let mut j = 0;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            while j + 1 < chars.len() && chars[j] == '-' && chars[j + 1] == ' ' {
                dashes += 1;
                j += 2;
                while j < chars.len() && chars[j] == ' ' {
                    j += 1;
                }
                if depth + dashes > max {
                    return Some((li + 1, j + 1));
                }
            }
        }
        while i < chars.len() {
            let c = chars[i];
            match state {
                In::Double => match c {
                    '\\' => i += 1,
                    '"' => state = In::Plain,
                    _ => {}
                },
                In::Single => {
                    if c == '\'' {
                        if chars.get(i + 1) == Some(&'\'') {
                            i += 1;
                        } else {
                            state = In::Plain;
                        }
                    }
                }
                In::Plain => {
                    match c {
                        '#' if token_start => break,
                        '"' if token_start => state = In::Double,
                        '\'' if token_start => state = In::Single,
                        '[' | '{' => {
                            depth += 1;
                            if depth + dashes > max {
                                return Some((li + 1, i + 1));
                            }
                        }
                        ']' | '}' => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    token_start =
                        c.is_whitespace() || matches!(c, '[' | '{' | ',' | ':' | '-' | '?');
                }
            }
            i += 1;
        }
    }
    None
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
    fn nesting_is_bounded_before_parsing() {
        let n = 100_000;
        for text in [
            format!("waivers: {}{}", "[".repeat(n), "]".repeat(n)),
            format!("waivers:\n{}x\n", "- ".repeat(n)),
            format!("waivers: [\n{}", "{a: ".repeat(n)),
        ] {
            let started = std::time::Instant::now();
            let err = Waivers::parse(&text, "w.yaml", day("2026-12-01")).unwrap_err();
            assert!(matches!(err, WaiverError::TooDeep { .. }), "{err}");
            // Not a timing test: a sanity bound far above the scan's cost.
            assert!(started.elapsed().as_secs() < 30);
        }
        // Brackets in quotes and comments are text; globs in plain scalars nest one.
        let ok = format!(
            "waivers:\n  - policy: '{}'\n    entity: \"{}\" # {}\n    reason: \"it's [fine]\"\n    expires: 2027-01-01\n",
            "[".repeat(40),
            "{".repeat(40),
            "[".repeat(40)
        );
        assert_eq!(too_deep(&ok, MAX_DEPTH), None);
        assert_eq!(too_deep("a: [[[x]]]", 3), None);
        assert_eq!(too_deep("a: [[[[x]]]]", 3), Some((1, 7)));
    }

    #[test]
    fn a_reason_of_invisible_characters_is_no_reason() {
        for reason in [
            "' '",
            "\"\\u200B\"",
            "\"\\u00AD\\u2060\\uFEFF\"",
            "\"\\u3164\"",
        ] {
            let err = Waivers::parse(
                &format!(
                    "waivers:\n  - policy: A\n    reason: {reason}\n    expires: 2027-01-01\n"
                ),
                "w.yaml",
                day("2026-12-01"),
            )
            .unwrap_err();
            assert!(
                matches!(err, WaiverError::NoReason { .. }),
                "{reason}: {err}"
            );
        }
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
