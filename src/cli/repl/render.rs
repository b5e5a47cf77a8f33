//! Rendering for the REPL: diagnostics (miette's graphical handler, as the CLI) and
//! rule results.

use crate::cli::render::{self as report, TextOptions};
use gsl::lang::eval::{Outcome, RuleResult};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};
use std::fmt::Write as _;

/// Render a diagnostic like the CLI does: graphical, colored only when `color`.
pub fn diagnostic(diag: &dyn Diagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // As the CLI's miette hook (`cli::install_miette_hook`).
    let mut s = crate::cli::render_with(&GraphicalReportHandler::new_themed(theme), diag);
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// Text rendering of a rule's result. Rules with a `should` part use the CLI's
/// renderer (`gsl eval`; `explain`: every object with its evidence). Queries (no
/// `should`) list the matching objects.
pub fn rule_result(result: &RuleResult, query: bool, explain: bool, color: bool) -> String {
    if !query {
        return report::render_rule(
            result,
            TextOptions {
                verbose: explain,
                color,
                quiet: false,
            },
        );
    }
    let mut s = String::new();
    for e in &result.entities {
        match e.outcome {
            Outcome::NotRelevant if explain => {
                report::write_entity(&mut s, e, "", color);
            }
            Outcome::NotRelevant => {}
            Outcome::Passed | Outcome::Failed if !explain => {
                let _ = writeln!(s, "match  {}", report::entity_label(e));
            }
            _ => report::write_entity(&mut s, e, "", color),
        }
    }
    let n = result.entities.len();
    let m = result.count(Outcome::Passed);
    let _ = writeln!(s, "\n{m} of {n} objects match");
    s
}
