//! Text rendering for people: the `gsl check` report, one rule's objects (`gsl eval`,
//! the REPL), explanations. Stable and plain (colour only when asked for), so it can be
//! snapshot-tested.

use gsl::lang::eval::{EntityResult, Outcome, RuleResult};
use gsl::report::{is_finding, PolicyReport, RuleStatus, Summary};
use std::fmt::Write as _;

/// Text rendering options.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Also list passed and not-relevant objects.
    pub verbose: bool,
    /// Use ANSI colours.
    pub color: bool,
    /// `-q`: results only (the `gsl check` report leaves out its header line and the
    /// closing hint; the sample banner stays).
    pub quiet: bool,
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
        RuleStatus::NotApplicable | RuleStatus::Waived => "2",
        RuleStatus::Manual => "36",
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

/// A short label for an object: `CloudTrail org-main (123456789012/us-east-1)`. The
/// snapshot's text in it is escaped ([`gsl::text::escape_line`]): a name cannot clear a
/// terminal, reorder a line or start one.
pub fn entity_label(e: &EntityResult) -> String {
    let line = gsl::text::escape_line;
    let name = e.name.as_deref().unwrap_or(&e.id);
    let place = match &e.region {
        Some(r) => format!("{}/{}", line(&e.account), line(r)),
        None => line(&e.account).into_owned(),
    };
    if e.id.starts_with("List<") {
        format!(
            "{} ({place})",
            line(e.id.split('@').next().unwrap_or(&e.id))
        )
    } else {
        format!("{} {} ({place})", line(&e.entity_type), line(name))
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
        let _ = writeln!(
            out,
            "{indent}        {}",
            gsl::text::escape_line(&e.explanation.summary)
        );
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
pub fn evidence_line(ev: &gsl::lang::eval::Evidence) -> String {
    gsl::text::escape_line(&evidence_text(ev)).into_owned()
}

fn evidence_text(ev: &gsl::lang::eval::Evidence) -> String {
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
            let expr = gsl::text::clip(&ev.expr, 81);
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
    gsl::text::clip(&v.to_string(), max + 1)
}

/// Render the objects of one rule result (for `gsl eval`). Passed and not-relevant
/// objects are listed too (one line each unless verbose).
pub fn render_rule(result: &RuleResult, opts: TextOptions) -> String {
    let mut out = String::new();
    if result.entities.is_empty() {
        out.push_str("no objects of that type in the snapshot\n");
    }
    for e in &result.entities {
        if !opts.verbose && !is_finding(e.outcome) {
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

/// Render a `gsl check` run as text: the header (and the sample banner), each
/// listed policy with its findings and, when it fails, its remediation; then the
/// counts, per severity and per framework (with pass percentages), and the hint.
pub fn render_check(report: &super::Report<'_>) -> String {
    let (info, reports, opts) = (&report.run.snapshot, &report.run.policies[..], report.opts);
    let mut out = String::new();
    // The packs (with their versions: `cis-aws@5.0.0` says which CIS version is checked).
    let mut packs: Vec<&str> = Vec::new();
    for r in reports {
        let p = super::pack(r);
        if !packs.contains(&p) {
            packs.push(p);
        }
    }
    let header = format!(
        "gsl check: {} {} ({}) over {} ({})",
        reports.len(),
        if reports.len() == 1 {
            "policy"
        } else {
            "policies"
        },
        if packs.len() == 1 { "pack " } else { "packs " }.to_string() + &packs.join(", "),
        gsl::text::escape_line(&info.name),
        super::accounts_line(&info.accounts)
    );
    if !opts.quiet {
        let _ = writeln!(out, "{header}");
    }
    if info.sample {
        let _ = writeln!(out, "{}", paint(opts.color, "1;33", super::SAMPLE_BANNER));
    }
    for e in &info.collection_errors {
        let _ = writeln!(out, "  collection error: {}", gsl::text::escape_line(e));
    }
    out.push('\n');
    // Against a baseline, what changed comes first.
    if let Some(c) = report.baseline {
        out.push_str(&super::baseline::text(c));
        out.push('\n');
    }
    let listed: Vec<&PolicyReport> = reports
        .iter()
        .filter(|r| report.statuses.is_empty() || report.statuses.contains(&r.status))
        .collect();
    let id_width = listed.iter().map(|r| r.meta.id.len()).max().unwrap_or(0);
    for r in &listed {
        let label = paint(
            opts.color,
            status_color(r.status),
            &format!("{:<7}", r.status.label()),
        );
        let _ = writeln!(
            out,
            "{label} {}  {:<8} {}",
            gsl::text::pad(&gsl::text::escape_hidden(&r.meta.id), id_width),
            r.meta.severity.as_str(),
            gsl::text::escape_hidden(&r.meta.title)
        );
        if let Some(err) = &r.error {
            for line in err.lines() {
                let _ = writeln!(out, "        {line}");
            }
            continue;
        }
        if let Some(why) = &r.meta.manual {
            let _ = writeln!(
                out,
                "        manual check: {}",
                gsl::text::escape_hidden(why)
            );
        }
        for note in super::notes(r) {
            let _ = writeln!(out, "        {note}");
        }
        for e in &r.entities {
            let waiver = r.waiver_of(&e.id);
            let show = opts.verbose || is_finding(e.outcome);
            if let Some(w) = waiver {
                let _ = writeln!(
                    out,
                    "        {}  {} (until {}: {})",
                    paint(opts.color, "2", "~ waived"),
                    entity_label(e),
                    w.expires,
                    w.reason
                );
                if !opts.verbose {
                    continue;
                }
            }
            if show {
                write_entity(&mut out, e, "        ", opts.color);
                if let Some(fix) = report.fix_line(&r.meta.id, &e.id) {
                    let _ = writeln!(out, "        fix: {}", gsl::text::escape_line(&fix));
                }
            }
        }
        if matches!(r.status, RuleStatus::Failed | RuleStatus::Unknown)
            && !r.meta.remediation.is_empty()
        {
            let _ = writeln!(out, "        remediation: {}", r.meta.remediation);
        }
    }
    if listed.len() < reports.len() {
        let _ = writeln!(
            out,
            "({} more not listed: --status)",
            reports.len() - listed.len()
        );
    }
    let s = Summary::of(reports);
    let _ = writeln!(out, "\n{s}");
    write_breakdown(&mut out, reports);
    write_accounts(&mut out, &info.accounts, reports);
    if let Some(hint) = report.hint.as_ref().filter(|_| !opts.quiet) {
        let _ = writeln!(out, "\n{hint}");
    }
    out
}

/// "passed/decided (pct%)": decided policies are those that passed or failed
/// (unknown and errors count against; not applicable and waived are left out).
fn pass_rate(statuses: &[RuleStatus]) -> String {
    let passed = statuses
        .iter()
        .filter(|s| **s == RuleStatus::Passed)
        .count();
    let decided = statuses
        .iter()
        .filter(|s| {
            !matches!(
                s,
                RuleStatus::NotApplicable | RuleStatus::Waived | RuleStatus::Manual
            )
        })
        .count();
    if decided == 0 {
        return "-".to_string();
    }
    format!("{passed}/{decided} passed ({}%)", passed * 100 / decided)
}

fn count_line(rs: &[&PolicyReport]) -> String {
    count_statuses(&rs.iter().map(|r| r.status).collect::<Vec<_>>())
}

fn count_statuses(statuses: &[RuleStatus]) -> String {
    let n = |st| statuses.iter().filter(|s| **s == st).count();
    format!(
        "{:>3} fail {:>3} unknown {:>3} error  {}",
        n(RuleStatus::Failed),
        n(RuleStatus::Unknown),
        n(RuleStatus::Error),
        pass_rate(statuses)
    )
}

/// Counts per account (each policy's status over the account's objects), when the
/// run covers more than one account.
fn write_accounts(out: &mut String, accounts: &[String], reports: &[PolicyReport]) {
    if accounts.len() < 2 {
        return;
    }
    let _ = writeln!(out, "by account:");
    // One pass over each report's objects for all the accounts.
    let per_report: Vec<Vec<RuleStatus>> =
        reports.iter().map(|r| r.statuses_in(accounts)).collect();
    for (i, a) in accounts.iter().enumerate() {
        let statuses: Vec<RuleStatus> = per_report.iter().map(|s| s[i]).collect();
        let na = statuses
            .iter()
            .filter(|s| **s == RuleStatus::NotApplicable)
            .count();
        let _ = writeln!(
            out,
            "  {:<12} {} {}{}",
            gsl::text::escape_line(a),
            policies(statuses.len()),
            count_statuses(&statuses),
            if na > 0 {
                format!(", {na} with nothing to check")
            } else {
                String::new()
            }
        );
    }
}

/// `  1 policy  `, ` 12 policies`: a count of a breakdown's column, in one width.
fn policies(n: usize) -> String {
    format!("{n:>3} {:<8}", if n == 1 { "policy" } else { "policies" })
}

/// Counts per severity (highest first) and per framework (without the control
/// numbers: `CIS AWS Foundations v2.0.0`).
fn write_breakdown(out: &mut String, reports: &[PolicyReport]) {
    use gsl::policy::Severity;
    let _ = writeln!(out, "\nby severity:");
    for sev in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ] {
        let rs: Vec<&PolicyReport> = reports.iter().filter(|r| r.meta.severity == sev).collect();
        if !rs.is_empty() {
            let _ = writeln!(
                out,
                "  {:<10} {} {}",
                sev.as_str(),
                policies(rs.len()),
                count_line(&rs)
            );
        }
    }
    let mut frameworks: Vec<&str> = reports
        .iter()
        .flat_map(|r| {
            r.meta
                .frameworks
                .iter()
                .map(|f| gsl::policy::select::framework_name(f))
        })
        .collect();
    frameworks.sort();
    frameworks.dedup();
    if frameworks.is_empty() {
        return;
    }
    let width = frameworks
        .iter()
        .map(|f| f.chars().count())
        .max()
        .unwrap_or(0);
    let _ = writeln!(out, "by framework:");
    for f in frameworks {
        let rs: Vec<&PolicyReport> = reports
            .iter()
            .filter(|r| {
                r.meta
                    .frameworks
                    .iter()
                    .any(|x| gsl::policy::select::framework_name(x) == f)
            })
            .collect();
        let _ = writeln!(
            out,
            "  {f:<width$} {} {}",
            policies(rs.len()),
            count_line(&rs)
        );
    }
}

/// The text report of `gsl check`.
pub struct Text;

impl super::Reporter for Text {
    fn render(&self, report: &super::Report<'_>) -> String {
        render_check(report)
    }
}
