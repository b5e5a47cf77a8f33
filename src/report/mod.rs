//! Rendering evaluation results as text (for people) or JSON (for tools).
//!
//! The evaluator returns data ([`RuleResult`]); this module only formats it. Text output
//! is stable and plain (colour only when asked for), so it can be snapshot-tested.

use crate::lang::eval::{EntityResult, Outcome, RuleResult};
use crate::policy::Metadata;
use serde::Serialize;
use std::fmt::Write as _;

/// The status of a whole rule, derived from its objects' outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RuleStatus {
    /// Every relevant object passed.
    Passed,
    /// At least one relevant object failed.
    Failed,
    /// None failed, but data for at least one object is missing.
    Unknown,
    /// The rule could not be evaluated (parse, check or evaluation error).
    Error,
    /// No object was relevant (no entities of the type, or `where` false for all).
    NotApplicable,
}

impl RuleStatus {
    /// The status of a rule result: error > failed > unknown > passed > not applicable.
    pub fn of(result: &RuleResult) -> RuleStatus {
        let has = |o| result.entities.iter().any(|e| e.outcome == o);
        if has(Outcome::Error) {
            RuleStatus::Error
        } else if has(Outcome::Failed) {
            RuleStatus::Failed
        } else if has(Outcome::Unknown) {
            RuleStatus::Unknown
        } else if has(Outcome::Passed) {
            RuleStatus::Passed
        } else {
            RuleStatus::NotApplicable
        }
    }

    /// The fixed-width label used in text output.
    pub fn label(self) -> &'static str {
        match self {
            RuleStatus::Passed => "PASS",
            RuleStatus::Failed => "FAIL",
            RuleStatus::Unknown => "UNKNOWN",
            RuleStatus::Error => "ERROR",
            RuleStatus::NotApplicable => "N/A",
        }
    }
}

/// One policy's result in a `gsl check` run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyReport {
    /// The policy metadata.
    #[serde(flatten)]
    pub meta: Metadata,
    /// Where the policy came from.
    pub origin: String,
    /// The rule's status.
    pub status: RuleStatus,
    /// Per-object results (empty on error).
    pub entities: Vec<EntityResult>,
    /// The rendered error, when the policy could not be parsed or evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Counts of rule statuses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Rules evaluated.
    pub rules: usize,
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Unknown (missing data).
    pub unknown: usize,
    /// Errors.
    pub errors: usize,
    /// Not applicable.
    pub not_applicable: usize,
}

impl Summary {
    /// Count the statuses of `reports`.
    pub fn of(reports: &[PolicyReport]) -> Summary {
        let mut s = Summary {
            rules: reports.len(),
            ..Summary::default()
        };
        for r in reports {
            match r.status {
                RuleStatus::Passed => s.passed += 1,
                RuleStatus::Failed => s.failed += 1,
                RuleStatus::Unknown => s.unknown += 1,
                RuleStatus::Error => s.errors += 1,
                RuleStatus::NotApplicable => s.not_applicable += 1,
            }
        }
        s
    }

    /// The process exit code for these counts: 2 if any rule errored, 1 if any failed
    /// or is unknown, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.errors > 0 {
            2
        } else if self.failed > 0 || self.unknown > 0 {
            1
        } else {
            0
        }
    }
}

/// What was checked, for report headers.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotInfo {
    /// File name or description.
    pub name: String,
    /// Collection time.
    pub collected_at: Option<String>,
    /// Account numbers.
    pub accounts: Vec<String>,
    /// Collection errors, one line each.
    pub collection_errors: Vec<String>,
}

/// Text rendering options.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Also list passed and not-relevant objects.
    pub verbose: bool,
    /// Use ANSI colours.
    pub color: bool,
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn outcome_mark(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "✓ pass",
        Outcome::Failed => "✗ fail",
        Outcome::NotRelevant => "- n/r ",
        Outcome::Unknown => "? unknown",
        Outcome::Error => "! error",
    }
}

fn status_color(status: RuleStatus) -> &'static str {
    match status {
        RuleStatus::Passed => "32",
        RuleStatus::Failed => "31",
        RuleStatus::Unknown => "33",
        RuleStatus::Error => "35",
        RuleStatus::NotApplicable => "2",
    }
}

fn outcome_color(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "32",
        Outcome::Failed => "31",
        Outcome::Unknown => "33",
        Outcome::Error => "35",
        Outcome::NotRelevant => "2",
    }
}

/// A short label for an object: `CloudTrail org-main (123456789012/us-east-1)`.
pub fn entity_label(e: &EntityResult) -> String {
    let name = e.name.as_deref().unwrap_or(&e.id);
    let place = match &e.region {
        Some(r) => format!("{}/{}", e.account, r),
        None => e.account.clone(),
    };
    if e.id.starts_with("List<") {
        format!("{} ({place})", e.id.split('@').next().unwrap_or(&e.id))
    } else {
        format!("{} {name} ({place})", e.entity_type)
    }
}

/// Render one object's result and explanation, indented by `indent`.
pub fn write_entity(out: &mut String, e: &EntityResult, indent: &str, color: bool) {
    let mark = paint(color, outcome_color(e.outcome), outcome_mark(e.outcome));
    let _ = writeln!(out, "{indent}{mark}  {}", entity_label(e));
    if e.outcome == Outcome::NotRelevant && e.explanation.summary.is_empty() {
        return;
    }
    if !e.explanation.summary.is_empty() {
        let _ = writeln!(out, "{indent}        {}", e.explanation.summary);
    }
    for ev in &e.explanation.evidence {
        if ev.note.as_deref() == Some(e.explanation.summary.as_str()) {
            continue; // the summary already says it
        }
        let _ = writeln!(out, "{indent}          ↳ {}", evidence_line(ev));
    }
}

/// One evidence entry on one line: its note (which names the path and the value it
/// saw), or the sub-expression with the path and value; plus the value itself when it
/// is a scalar the note does not quote (e.g. the filter pattern that did not match).
pub fn evidence_line(ev: &crate::lang::eval::Evidence) -> String {
    let value = ev.value.as_ref().map(|v| compact(v, 120));
    match &ev.note {
        Some(note) => {
            let mut line = note.clone();
            if let (Some(v), Some(raw)) = (&value, &ev.value) {
                // Lists and objects are summarised as "[… n elements]" placeholders.
                let placeholder = raw
                    .as_str()
                    .is_some_and(|s| s.starts_with("[…") || s.starts_with("{…"));
                let scalar = !(raw.is_array() || raw.is_object() || placeholder);
                let quoted = match raw {
                    serde_json::Value::String(s) => note.contains(s.as_str()),
                    _ => note.contains(v.as_str()),
                };
                if scalar && !quoted {
                    let _ = write!(line, "; value: {v}");
                }
            }
            line
        }
        None => {
            let expr = crate::text::clip(&ev.expr, 81);
            match (&ev.path, value) {
                (Some(path), Some(v)) => format!("{expr}: {path} = {v}"),
                (Some(path), None) => format!("{expr}: {path} is missing"),
                _ => expr,
            }
        }
    }
}

/// A JSON value on one line, cut to about `max` characters.
pub fn compact(v: &serde_json::Value, max: usize) -> String {
    crate::text::clip(&v.to_string(), max + 1)
}

/// Render the objects of one rule result (for `gsl eval`). Passed and not-relevant
/// objects are listed too (one line each unless verbose).
pub fn render_rule_text(result: &RuleResult, opts: TextOptions) -> String {
    let mut out = String::new();
    if result.entities.is_empty() {
        out.push_str("no objects of that type in the snapshot\n");
    }
    for e in &result.entities {
        if !opts.verbose && matches!(e.outcome, Outcome::Passed | Outcome::NotRelevant) {
            let mark = paint(
                opts.color,
                outcome_color(e.outcome),
                outcome_mark(e.outcome),
            );
            let _ = writeln!(out, "{mark}  {}", entity_label(e));
        } else {
            write_entity(&mut out, e, "", opts.color);
        }
    }
    let _ = writeln!(
        out,
        "\n{} objects: {} passed, {} failed, {} not relevant, {} unknown, {} errors",
        result.entities.len(),
        result.count(Outcome::Passed),
        result.count(Outcome::Failed),
        result.count(Outcome::NotRelevant),
        result.count(Outcome::Unknown),
        result.count(Outcome::Error),
    );
    out
}

/// Render a `gsl check` run as text.
pub fn render_check_text(
    info: &SnapshotInfo,
    reports: &[PolicyReport],
    opts: TextOptions,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "gsl check: {} {} over {} (account{} {})",
        reports.len(),
        if reports.len() == 1 {
            "policy"
        } else {
            "policies"
        },
        info.name,
        if info.accounts.len() == 1 { "" } else { "s" },
        if info.accounts.is_empty() {
            "none".to_string()
        } else {
            info.accounts.join(", ")
        }
    );
    for e in &info.collection_errors {
        let _ = writeln!(out, "  collection error: {e}");
    }
    out.push('\n');
    let id_width = reports.iter().map(|r| r.meta.id.len()).max().unwrap_or(0);
    for r in reports {
        let label = paint(
            opts.color,
            status_color(r.status),
            &format!("{:<7}", r.status.label()),
        );
        let _ = writeln!(
            out,
            "{label} {:<id_width$}  {:<8} {}",
            r.meta.id,
            r.meta.severity.as_str(),
            r.meta.title
        );
        if let Some(err) = &r.error {
            for line in err.lines() {
                let _ = writeln!(out, "        {line}");
            }
            continue;
        }
        for e in &r.entities {
            let show = match e.outcome {
                Outcome::Failed | Outcome::Unknown | Outcome::Error => true,
                Outcome::Passed | Outcome::NotRelevant => opts.verbose,
            };
            if show {
                write_entity(&mut out, e, "        ", opts.color);
            }
        }
    }
    let s = Summary::of(reports);
    let _ = writeln!(
        out,
        "\n{} {}: {} passed, {} failed, {} unknown, {} errors, {} not applicable",
        s.rules,
        if s.rules == 1 { "policy" } else { "policies" },
        s.passed,
        s.failed,
        s.unknown,
        s.errors,
        s.not_applicable
    );
    out
}

/// The JSON document of a `gsl check` run.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckDocument<'a> {
    /// Format version of this document.
    pub report_version: u32,
    /// What was checked.
    pub snapshot: &'a SnapshotInfo,
    /// Counts.
    pub summary: Summary,
    /// Per policy.
    pub results: &'a [PolicyReport],
}

/// Render a `gsl check` run as pretty JSON.
pub fn render_check_json(info: &SnapshotInfo, reports: &[PolicyReport]) -> String {
    let doc = CheckDocument {
        report_version: 1,
        snapshot: info,
        summary: Summary::of(reports),
        results: reports,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::eval::Explanation;

    fn ent(outcome: Outcome) -> EntityResult {
        EntityResult {
            id: "arn:x".into(),
            name: Some("t".into()),
            entity_type: "CloudTrail".into(),
            account: "1".into(),
            region: Some("r".into()),
            outcome,
            explanation: Explanation::default(),
        }
    }

    #[test]
    fn status_precedence() {
        let r = |os: &[Outcome]| RuleResult {
            entities: os.iter().map(|o| ent(*o)).collect(),
        };
        assert_eq!(RuleStatus::of(&r(&[])), RuleStatus::NotApplicable);
        assert_eq!(
            RuleStatus::of(&r(&[Outcome::NotRelevant])),
            RuleStatus::NotApplicable
        );
        assert_eq!(
            RuleStatus::of(&r(&[Outcome::Passed, Outcome::Unknown])),
            RuleStatus::Unknown
        );
        assert_eq!(
            RuleStatus::of(&r(&[Outcome::Unknown, Outcome::Failed])),
            RuleStatus::Failed
        );
        assert_eq!(
            RuleStatus::of(&r(&[Outcome::Failed, Outcome::Error])),
            RuleStatus::Error
        );
    }

    #[test]
    fn exit_codes() {
        let s = |passed, failed, unknown, errors| Summary {
            rules: 1,
            passed,
            failed,
            unknown,
            errors,
            not_applicable: 0,
        };
        assert_eq!(s(1, 0, 0, 0).exit_code(), 0);
        assert_eq!(s(1, 1, 0, 0).exit_code(), 1);
        assert_eq!(s(1, 0, 1, 0).exit_code(), 1);
        assert_eq!(s(0, 1, 0, 1).exit_code(), 2);
    }
}
