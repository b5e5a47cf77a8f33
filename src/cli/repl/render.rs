//! Rendering for the REPL: diagnostics (miette's graphical handler, as the CLI) and
//! rule results.

use crate::lang::eval::{EntityResult, Outcome, RuleResult};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};
use std::fmt::Write as _;

/// Render a diagnostic like the CLI does: graphical, colored only when `color`.
pub fn diagnostic(diag: &dyn Diagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut s = String::new();
    if handler.render_report(&mut s, diag).is_err() {
        s = format!("error: {diag}\n");
    }
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "PASS",
        Outcome::Failed => "FAIL",
        Outcome::NotRelevant => "SKIP",
        Outcome::Unknown => "UNKNOWN",
        Outcome::Error => "ERROR",
    }
}

fn where_(e: &EntityResult) -> String {
    match &e.region {
        Some(r) => format!("{}/{}", e.account, r),
        None => e.account.clone(),
    }
}

/// Text rendering of a rule's result. `query`: the rule has no `should` part, so
/// only the matching objects are listed. `explain`: print every piece of evidence.
pub fn rule_result(result: &RuleResult, query: bool, explain: bool) -> String {
    let mut s = String::new();
    let width = result
        .entities
        .iter()
        .map(|e| label(e).len())
        .max()
        .unwrap_or(0);
    for e in &result.entities {
        if query {
            if e.outcome == Outcome::NotRelevant && !explain {
                continue;
            }
            let word = match e.outcome {
                Outcome::NotRelevant => "no match",
                Outcome::Unknown => "unknown",
                Outcome::Error => "error",
                _ => "match",
            };
            let _ = writeln!(s, "  {word:<8} {:<width$}  {}", label(e), where_(e));
        } else {
            let _ = write!(
                s,
                "  {:<7} {:<width$}  {}",
                outcome_word(e.outcome),
                label(e),
                where_(e)
            );
            if !e.explanation.summary.is_empty()
                && (explain || !matches!(e.outcome, Outcome::Passed | Outcome::NotRelevant))
            {
                let _ = write!(s, "  {}", e.explanation.summary);
            }
            s.push('\n');
        }
        if explain {
            for ev in &e.explanation.evidence {
                let _ = write!(
                    s,
                    "      {} {}",
                    if ev.result { "true " } else { "false" },
                    ev.expr
                );
                if let Some(p) = &ev.path {
                    let v = ev
                        .value
                        .as_ref()
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "missing".into());
                    let _ = write!(s, "   ({p} = {v})");
                }
                if let Some(n) = &ev.note {
                    let _ = write!(s, "   {n}");
                }
                s.push('\n');
            }
        }
    }
    s.push_str(&summary(result, query));
    s.push('\n');
    s
}

fn label(e: &EntityResult) -> String {
    e.name.clone().unwrap_or_else(|| e.id.clone())
}

/// `5 entities: 3 passed, 2 failed` / `2 of 5 entities match`.
pub fn summary(result: &RuleResult, query: bool) -> String {
    let n = result.entities.len();
    let noun = if n == 1 { "entity" } else { "entities" };
    if query {
        let m = n - result.count(Outcome::NotRelevant);
        return format!("{m} of {n} {noun} match");
    }
    let mut parts = Vec::new();
    for (o, w) in [
        (Outcome::Passed, "passed"),
        (Outcome::Failed, "failed"),
        (Outcome::NotRelevant, "not relevant"),
        (Outcome::Unknown, "unknown"),
        (Outcome::Error, "error"),
    ] {
        let c = result.count(o);
        if c > 0 {
            parts.push(format!("{c} {w}"));
        }
    }
    if parts.is_empty() {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}: {}", parts.join(", "))
    }
}
