//! Policy files: one GSL rule plus metadata in leading comment lines.
//!
//! ```text
//! # id: CIS-AWS-4.3
//! # title: Ensure usage of the 'root' account is monitored
//! # severity: high
//! # description: A metric filter and alarm exist for root account usage,
//! #   and the alarm notifies a confirmed subscriber.
//! # remediation: Create the metric filter ...
//! # references: https://docs.aws.amazon.com/...
//! # frameworks: CIS AWS Foundations v1.4.0 4.3, CIS AWS Foundations v1.2.0 3.3
//! List<CloudTrail> should have items with [ ... ]
//! ```
//!
//! A metadata line is `# key: value`. A following comment line that starts with more
//! than one space after `#` continues the previous value. `references` and
//! `frameworks` are lists: comma-separated, or the key repeated. Metadata ends at the
//! first line that is not a comment; other comments may follow anywhere (the GSL
//! parser skips them). The whole file text is handed to the parser, so diagnostics
//! point at the right line of the file. Format reference: `docs/policies.md`.

use crate::span::Span;
use miette::{Diagnostic, NamedSource};
use serde::Serialize;
use std::path::{Path, PathBuf};
use thiserror::Error;

pub mod select;

/// The metadata keys a policy file may carry.
pub const KEYS: [&str; 8] = [
    "id",
    "title",
    "severity",
    "description",
    "remediation",
    "references",
    "frameworks",
    "manual",
];

/// Severities, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "info" | "informational" => Some(Severity::Info),
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// The metadata of a policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// Stable identifier (`D9.AWS.MON.21`, `CIS-AWS-4.3`).
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Severity (default medium).
    pub severity: Severity,
    /// What the rule checks and why.
    pub description: String,
    /// How to fix a failure.
    pub remediation: String,
    /// Links.
    pub references: Vec<String>,
    /// Compliance frameworks and control numbers this rule implements.
    pub frameworks: Vec<String>,
    /// A control that data cannot decide (`# manual: <why, what to look at>`): the
    /// policy has no rule, and its status is always `manual`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual: Option<String>,
}

/// A policy: metadata, the rule text and where it came from.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The metadata.
    pub meta: Metadata,
    /// The whole file text (metadata comments included); hand it to the parser.
    pub source: String,
    /// Where it was read from (a path, or `policies/...` for the built-in pack).
    pub origin: String,
}

/// A policy file with bad metadata, or policy files that cannot be found or read.
#[derive(Debug, Error, Diagnostic)]
#[error(transparent)]
#[diagnostic(transparent)]
pub struct PolicyError(Box<PolicyErrorKind>);

impl PolicyError {
    /// What went wrong.
    pub fn kind(&self) -> &PolicyErrorKind {
        &self.0
    }

    /// The policy file the error is about (for a duplicate id, the second file, which
    /// does not run), or the paths searched.
    pub fn origin(&self) -> String {
        match &*self.0 {
            PolicyErrorKind::UnknownKey { src, .. }
            | PolicyErrorKind::BadSeverity { src, .. }
            | PolicyErrorKind::MissingKey { src, .. }
            | PolicyErrorKind::DuplicateKey { src, .. }
            | PolicyErrorKind::ManualWithRule { src, .. } => src.name().to_string(),
            PolicyErrorKind::Read(e) => e.path().to_string(),
            PolicyErrorKind::DuplicateId { second, .. } => second.clone(),
            PolicyErrorKind::NoneFound { paths } => paths.clone(),
        }
    }
}

impl From<PolicyErrorKind> for PolicyError {
    fn from(kind: PolicyErrorKind) -> Self {
        PolicyError(Box::new(kind))
    }
}

/// The kinds of [`PolicyError`].
#[derive(Debug, Error, Diagnostic)]
pub enum PolicyErrorKind {
    /// A key that is not one of [`KEYS`].
    #[error("unknown metadata key `{key}`")]
    #[diagnostic(
        code(gsl::policy::unknown_key),
        help("metadata keys are: id, title, severity, description, remediation, references, frameworks, manual{suggestion}")
    )]
    UnknownKey {
        /// The key.
        key: String,
        /// ", did you mean `x`?" or empty.
        suggestion: String,
        /// The file.
        #[source_code]
        src: NamedSource<String>,
        /// Where.
        #[label("not a metadata key")]
        span: miette::SourceSpan,
    },
    /// `severity:` with an unknown value.
    #[error("unknown severity `{value}`")]
    #[diagnostic(
        code(gsl::policy::bad_severity),
        help("use one of: info, low, medium, high, critical")
    )]
    BadSeverity {
        /// The value.
        value: String,
        /// The file.
        #[source_code]
        src: NamedSource<String>,
        /// Where.
        #[label("unknown severity")]
        span: miette::SourceSpan,
    },
    /// A required key is missing.
    #[error("policy has no `{key}:` line")]
    #[diagnostic(
        code(gsl::policy::missing_key),
        help("start the file with `# id: ...` and `# title: ...` comment lines")
    )]
    MissingKey {
        /// The key.
        key: &'static str,
        /// The file.
        #[source_code]
        src: NamedSource<String>,
        /// The start of the file.
        #[label("metadata starts here")]
        span: miette::SourceSpan,
    },
    /// The same single-valued key twice.
    #[error("duplicate metadata key `{key}`")]
    #[diagnostic(
        code(gsl::policy::duplicate_key),
        help("only `references` and `frameworks` may be repeated")
    )]
    DuplicateKey {
        /// The key.
        key: String,
        /// The file.
        #[source_code]
        src: NamedSource<String>,
        /// Where.
        #[label("second `{key}:`")]
        span: miette::SourceSpan,
    },
    /// A `manual:` policy that also has a rule: which of the two is meant is unclear.
    #[error("a `manual:` policy has a rule")]
    #[diagnostic(
        code(gsl::policy::manual_with_rule),
        help("a manual control is decided by a person, not by data: remove the rule, or remove the `manual:` line to run it")
    )]
    ManualWithRule {
        /// The file.
        #[source_code]
        src: NamedSource<String>,
        /// Where the rule starts.
        #[label("the rule starts here")]
        span: miette::SourceSpan,
    },
    /// A file could not be read (special file, too large, not UTF-8, a symlink loop,
    /// not found...).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] crate::source::ReadError),
    /// Two policy files with the same `id`.
    #[error("two policies have the id `{id}`: {first} and {second}")]
    #[diagnostic(
        code(gsl::policy::duplicate_id),
        help("policy ids are unique in a run: give one of them another id (the first is run)")
    )]
    DuplicateId {
        /// The id.
        id: String,
        /// The file that is run.
        first: String,
        /// The file that is not.
        second: String,
    },
    /// No policy files under the given paths.
    #[error("no .gsl files under {paths}")]
    #[diagnostic(
        code(gsl::policy::none_found),
        help("pass .gsl files or directories that contain them; with no path, `gsl check` runs the built-in policies")
    )]
    NoneFound {
        /// The paths searched.
        paths: String,
    },
}

/// Read the metadata of a policy file.
pub fn parse_policy(source: &str, origin: &str) -> Result<Policy, PolicyError> {
    parse_policy_kind(source, origin).map_err(PolicyError::from)
}

#[expect(clippy::result_large_err, reason = "private; the public API boxes it")]
fn parse_policy_kind(source: &str, origin: &str) -> Result<Policy, PolicyErrorKind> {
    let named = || NamedSource::new(origin, source.to_string());
    let mut id = None;
    let mut title = None;
    let mut severity = None;
    let mut description = None;
    let mut remediation = None;
    let mut references = Vec::new();
    let mut frameworks = Vec::new();
    let mut manual = None;
    // The key whose value a continuation line extends.
    let mut last: Option<&'static str> = None;

    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let text = line.trim_end_matches(['\n', '\r']);
        let trimmed = text.trim_start();
        if trimmed.is_empty() {
            last = None;
            continue;
        }
        let Some(body) = trimmed.strip_prefix('#') else {
            break; // the rule starts
        };
        let body_offset = start + (text.len() - trimmed.len()) + 1;
        // Continuation: "#" followed by two or more spaces.
        if body.starts_with("  ") {
            if let Some(key) = last {
                let more = body.trim();
                let target = match key {
                    "description" => description.as_mut(),
                    "remediation" => remediation.as_mut(),
                    "title" => title.as_mut(),
                    "manual" => manual.as_mut(),
                    _ => None,
                };
                if let Some(value) = target {
                    let value: &mut String = value;
                    value.push(' ');
                    value.push_str(more);
                    continue;
                }
                if key == "references" {
                    references.extend(split_list(more));
                } else if key == "frameworks" {
                    frameworks.extend(split_list(more));
                }
            }
            continue;
        }
        let Some((raw_key, value)) = body.split_once(':') else {
            last = None;
            continue;
        };
        let key = raw_key.trim();
        // Only `word:` shapes are metadata; `# see: http://x` in the middle of prose
        // would still be caught, which is intended (keys are strict).
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            last = None;
            continue;
        }
        let value = value.trim().to_string();
        let key_start = body_offset + (raw_key.len() - raw_key.trim_start().len());
        let key_span = Span::new(key_start, key_start + key.len());
        let known = KEYS.iter().find(|k| **k == key).copied();
        let Some(known) = known else {
            let suggestion = crate::text::did_you_mean(key, KEYS.iter().copied())
                .map(|s| format!(", {s}"))
                .unwrap_or_default();
            return Err(PolicyErrorKind::UnknownKey {
                key: key.to_string(),
                suggestion,
                src: named(),
                span: key_span.into(),
            });
        };
        let dup = |slot: &Option<String>| {
            slot.is_some().then(|| PolicyErrorKind::DuplicateKey {
                key: known.to_string(),
                src: named(),
                span: key_span.into(),
            })
        };
        match known {
            "id" => {
                if let Some(e) = dup(&id) {
                    return Err(e);
                }
                id = Some(value);
            }
            "title" => {
                if let Some(e) = dup(&title) {
                    return Err(e);
                }
                title = Some(value);
            }
            "severity" => {
                if severity.is_some() {
                    return Err(PolicyErrorKind::DuplicateKey {
                        key: known.to_string(),
                        src: named(),
                        span: key_span.into(),
                    });
                }
                let value_start = body_offset + raw_key.len() + 1;
                let lead =
                    body[raw_key.len() + 1..].len() - body[raw_key.len() + 1..].trim_start().len();
                severity =
                    Some(
                        Severity::parse(&value).ok_or_else(|| PolicyErrorKind::BadSeverity {
                            value: value.clone(),
                            src: named(),
                            span: Span::new(value_start + lead, value_start + lead + value.len())
                                .into(),
                        })?,
                    );
            }
            "description" => {
                if let Some(e) = dup(&description) {
                    return Err(e);
                }
                description = Some(value);
            }
            "remediation" => {
                if let Some(e) = dup(&remediation) {
                    return Err(e);
                }
                remediation = Some(value);
            }
            "manual" => {
                if let Some(e) = dup(&manual) {
                    return Err(e);
                }
                manual = Some(value);
            }
            "references" => references.extend(split_list(&value)),
            "frameworks" => frameworks.extend(split_list(&value)),
            _ => {}
        }
        last = Some(known);
    }

    let missing = |key: &'static str| PolicyErrorKind::MissingKey {
        key,
        src: named(),
        span: Span::point(0).into(),
    };
    // A manual control has no rule: nothing but comments and blanks after the
    // metadata (the one lexer decides what a comment is).
    let rule_at = || {
        crate::lang::lexer::tokens(source)
            .find(|t| {
                !matches!(
                    t.kind,
                    crate::lang::lexer::TokenKind::Comment | crate::lang::lexer::TokenKind::Space
                )
            })
            .map(|t| t.start)
    };
    if let Some(at) = manual.as_ref().and_then(|_| rule_at()) {
        return Err(PolicyErrorKind::ManualWithRule {
            src: named(),
            span: Span::point(at).into(),
        });
    }
    Ok(Policy {
        meta: Metadata {
            id: id.filter(|s| !s.is_empty()).ok_or_else(|| missing("id"))?,
            title: title
                .filter(|s| !s.is_empty())
                .ok_or_else(|| missing("title"))?,
            severity: severity.unwrap_or(Severity::Medium),
            description: description.unwrap_or_default(),
            remediation: remediation.unwrap_or_default(),
            references,
            frameworks,
            manual: manual.filter(|m| !m.is_empty()),
        },
        source: source.to_string(),
        origin: origin.to_string(),
    })
}

fn split_list(value: &str) -> Vec<String> {
    // URLs may contain commas rarely; split on ", " and ";" only.
    value
        .split([';'])
        .flat_map(|part| part.split(", "))
        .map(|s| s.trim().trim_end_matches(',').trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

mod builtin {
    // `BUILTIN_POLICIES: &[(&str, &str)]`: (path under the crate root, file text),
    // generated by build.rs from every `.gsl` under `policies/`, sorted by path.
    include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));
}

/// The policies shipped in `policies/` (embedded in the binary), sorted by path.
pub fn builtin_sources() -> &'static [(&'static str, &'static str)] {
    builtin::BUILTIN_POLICIES
}

/// The built-in policies a run with no path and no `--pack` checks: every built-in pack
/// in its latest version ([`select::default_packs`]), so policy ids are unique. Every
/// version of every pack: [`select::builtin_packs`].
pub fn builtin_policies() -> Result<Vec<Policy>, PolicyError> {
    select::default_policies(&[])
}

/// Every `.gsl` file under `paths` (files as given, directories recursively), sorted.
/// A path or directory entry that cannot be read is an error of its own; the walk goes
/// on (see [`load_policies`]).
pub fn find_policy_files(
    paths: &[PathBuf],
) -> Result<(Vec<PathBuf>, Vec<PolicyError>), PolicyError> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        walk(p, &mut out, &mut errors, true);
    }
    out.sort();
    out.dedup();
    if out.is_empty() && errors.is_empty() {
        return Err(PolicyErrorKind::NoneFound {
            paths: paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }
        .into());
    }
    Ok((out, errors))
}

fn walk(path: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<PolicyError>, top: bool) {
    let io = |source| {
        PolicyError::from(PolicyErrorKind::Read(crate::source::io_error(
            crate::source::Kind::Policy,
            path,
            source,
        )))
    };
    let is_gsl = path.extension().is_some_and(|e| e == "gsl");
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        // A broken entry inside a directory matters only if it looks like a policy.
        Err(e) if top || is_gsl || crate::source::is_symlink_loop(&e) => {
            return errors.push(io(e));
        }
        Err(_) => return,
    };
    if meta.is_dir() {
        let entries = match std::fs::read_dir(path) {
            Ok(rd) => rd,
            Err(e) => return errors.push(io(e)),
        };
        let mut entries: Vec<PathBuf> = entries
            .filter_map(|e| match e {
                Ok(e) => Some(e.path()),
                Err(e) => {
                    errors.push(io(e));
                    None
                }
            })
            .collect();
        entries.sort();
        for e in entries {
            walk(&e, out, errors, false);
        }
    } else if top || is_gsl {
        // Special files are refused when read, with their own error.
        out.push(path.to_path_buf());
    }
}

/// Read and parse the metadata of a policy file.
pub fn load_policy_file(path: &Path) -> Result<Policy, PolicyError> {
    let text = crate::source::read_text(path, crate::source::Kind::Policy)
        .map_err(|e| PolicyError::from(PolicyErrorKind::Read(e)))?;
    parse_policy(&text, &path.display().to_string())
}

/// The policies of a run, and every file that could not be one.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The policies that loaded, in path order.
    pub policies: Vec<Policy>,
    /// One error per path or file that could not be read or has bad metadata, and one
    /// per policy whose id an earlier one has.
    pub errors: Vec<PolicyError>,
}

/// Every policy under `paths`: never stops at the first bad file. Errs only when
/// nothing at all is found.
pub fn load_policies(paths: &[PathBuf]) -> Result<Loaded, PolicyError> {
    let (files, mut errors) = find_policy_files(paths)?;
    let mut policies: Vec<Policy> = Vec::new();
    for f in &files {
        match load_policy_file(f) {
            Ok(p) => {
                if let Some(first) = policies.iter().find(|q| q.meta.id == p.meta.id) {
                    errors.push(
                        PolicyErrorKind::DuplicateId {
                            id: crate::text::clip(&p.meta.id, 120),
                            first: first.origin.clone(),
                            second: p.origin.clone(),
                        }
                        .into(),
                    );
                } else {
                    policies.push(p);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    Ok(Loaded { policies, errors })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_metadata_and_continuations() {
        let src = "# id: X.1\n# title: A title\n# severity: High\n# description: first\n#   second\n# references: a, b\n# references: c\n# frameworks: F 1; F 2\nCloudTrail should have name\n";
        let p = parse_policy(src, "x.gsl").unwrap();
        assert_eq!(p.meta.id, "X.1");
        assert_eq!(p.meta.severity, Severity::High);
        assert_eq!(p.meta.description, "first second");
        assert_eq!(p.meta.references, vec!["a", "b", "c"]);
        assert_eq!(p.meta.frameworks, vec!["F 1", "F 2"]);
    }

    #[test]
    fn rejects_unknown_key_with_suggestion() {
        let err = parse_policy("# id: X\n# titel: y\nA should have b", "x.gsl").unwrap_err();
        match err.kind() {
            PolicyErrorKind::UnknownKey {
                key, suggestion, ..
            } => {
                assert_eq!(key, "titel");
                assert!(suggestion.contains("title"), "{suggestion}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn requires_id_and_title() {
        let kind = |src: &str| parse_policy(src, "x.gsl").map(|_| ()).map_err(|e| e.0);
        assert!(matches!(
            kind("# title: t\nA should have b").map_err(|k| *k),
            Err(PolicyErrorKind::MissingKey { key: "id", .. })
        ));
        assert!(matches!(
            kind("# id: t\nA should have b").map_err(|k| *k),
            Err(PolicyErrorKind::MissingKey { key: "title", .. })
        ));
    }

    #[test]
    fn metadata_stops_at_the_rule() {
        let p = parse_policy("# id: a\n# title: t\nA should have b\n# id: other\n", "x").unwrap();
        assert_eq!(p.meta.id, "a");
    }

    #[test]
    fn loading_goes_on_past_bad_files_and_refuses_duplicate_ids() {
        let dir = tempfile::tempdir().unwrap();
        let w = |n: &str, t: &[u8]| std::fs::write(dir.path().join(n), t).unwrap();
        w("a.gsl", b"# id: A\n# title: t\nA should have b\n");
        w("b.gsl", b"# id: B\n# titel: t\nA should have b\n");
        w("c.gsl", b"# id: A\n# title: again\nA should have b\n");
        w("d.gsl", b"# id: D\n# title: t\xff\nA should have b\n");
        w("e.gsl", b"# title: no id\nA should have b\n");
        w("f.gsl", b"# id: F\n# title: fine\nA should have b\n");
        w("notes.txt", b"not a policy");
        #[cfg(unix)]
        {
            let l = dir.path().join("loop.gsl");
            std::os::unix::fs::symlink(&l, &l).unwrap();
            assert!(std::process::Command::new("mkfifo")
                .arg(dir.path().join("pipe.gsl"))
                .status()
                .is_ok_and(|s| s.success()));
        }
        let loaded = load_policies(&[dir.path().to_path_buf()]).unwrap();
        let ids: Vec<_> = loaded.policies.iter().map(|p| p.meta.id.as_str()).collect();
        assert_eq!(ids, ["A", "F"]);
        let msgs: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
        let n = if cfg!(unix) { 6 } else { 4 };
        assert_eq!(msgs.len(), n, "{msgs:#?}");
        let all = msgs.join("\n");
        assert!(all.contains("unknown metadata key `titel`"), "{all}");
        assert!(
            all.contains("two policies have the id `A`") && all.contains("c.gsl"),
            "{all}"
        );
        assert!(all.contains("line 2, column 11"), "{all}");
        assert!(all.contains("no `id:` line"), "{all}");
        #[cfg(unix)]
        {
            assert!(all.contains("symbolic link loop"), "{all}");
            assert!(all.contains("FIFO"), "{all}");
        }
    }

    #[test]
    fn builtin_policies_all_have_metadata() {
        let all = builtin_policies().unwrap();
        assert!(!all.is_empty());
        let mut ids: Vec<_> = all.iter().map(|p| p.meta.id.clone()).collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate policy ids");
    }
}
