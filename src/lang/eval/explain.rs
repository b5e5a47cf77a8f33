//! The explainer: turns the evaluator's trace into words (the evidence notes and the
//! one-line summary). Only the evidence that is reported is worded, so costly words
//! (a filter-pattern counterexample) are computed for those alone.

use super::builtins::NotePart;
use super::cache::DecisionCache;
use super::engine::{Ev, Note, TermTrace};
use super::error::EvalError;
use super::{Evidence, Explanation};
use crate::lang::ast::{CmpOp, ListOp};

/// The words of one note.
fn words(note: &Note<'_>, cache: &DecisionCache) -> String {
    match note {
        Note::Missing { path, hint } => match hint {
            Some(h) => format!("{path} is missing (did you mean `{h}`?)"),
            None => format!("{path} is missing"),
        },
        Note::List {
            op,
            what,
            n,
            k,
            pred,
            unwatched,
        } => {
            let (n, k) = (*n, *k);
            if let Some(required) = unwatched {
                // Every element compared its filter pattern, and each is about other
                // events: none is blamed as a near miss.
                return format!(
                    "none of {n} {what} matched [{pred}]: no filter watches these events; required pattern: {}",
                    required.trim()
                );
            }
            match op {
                ListOp::With | ListOp::Contain | ListOp::ContainAny => {
                    if n == 0 {
                        format!("{what} is empty: no element to match [{pred}]")
                    } else if k == 0 {
                        format!("none of {n} {what} matched [{pred}]")
                    } else {
                        format!("{k} of {n} {what} matched [{pred}]")
                    }
                }
                ListOp::ContainAll => {
                    if n == 0 {
                        format!("{what} is empty: contain-all is vacuously true")
                    } else if k == n {
                        format!("all {n} {what} matched [{pred}]")
                    } else {
                        format!(
                            "{} of {n} {what} did not match [{pred}] (contain-all)",
                            n - k
                        )
                    }
                }
                ListOp::ContainNone => {
                    if k == 0 {
                        format!("none of {n} {what} matched [{pred}] (contain-none)")
                    } else {
                        format!("{k} of {n} {what} matched [{pred}] (contain-none expects none)")
                    }
                }
                ListOp::GroupBy => format!("{n} {what} form {k} group(s) by [{pred}]"),
                ListOp::ContainSingle => format!(
                    "{k} of {n} {what} matched [{pred}] ({} expects exactly one)",
                    op.keyword()
                ),
            }
        }
        Note::Is { what, value } => format!("{what} is {value}"),
        Note::Test {
            shown,
            test,
            as_wanted,
            want,
            missing,
            hint,
        } => {
            let expect = if test.op == CmpOp::Eq {
                test.shown.clone()
            } else {
                format!("{} {}", test.op.symbol(), test.shown)
            };
            let mut note = if *as_wanted {
                format!(
                    "{shown} ({}{expect})",
                    if test.op == CmpOp::Eq { "= " } else { "" }
                )
            } else if *want {
                format!("{shown} (expected {expect})")
            } else {
                format!("{shown} (expected not {expect})")
            };
            if test.op == CmpOp::Ne && *missing {
                note.push_str("; a missing value is != every non-null literal");
            }
            if let Some(h) = hint.as_ref().filter(|_| *missing) {
                note.push_str(&format!("; did you mean `{h}`?"));
            }
            note
        }
        Note::Because(why) => format!("because {why}"),
        Note::Call { builtin, parts } => format!("{builtin}(): {}", join_parts(parts, cache)),
    }
}

fn join_parts(parts: &[NotePart], cache: &DecisionCache) -> String {
    parts
        .iter()
        .map(|p| p.words(cache))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A term's note: its notes' words joined with `; `.
fn note(trace: &TermTrace<'_>, cache: &DecisionCache) -> Option<String> {
    if trace.notes.is_empty() {
        None
    } else {
        let words = trace
            .notes
            .iter()
            .map(|n| words(n, cache))
            .collect::<Vec<_>>()
            .join("; ");
        Some(match &trace.owner {
            // The element is named once, with its position; the words then use paths
            // relative to it.
            Some((owner, prefix)) => format!("{owner}: {}", words.replace(prefix.as_str(), "")),
            None => words,
        })
    }
}

/// An explanation: `lead`, or the first notes of the rule's own terms, then every
/// piece of evidence.
pub(crate) fn explanation(lead: String, ev: Vec<Ev<'_>>, cache: &DecisionCache) -> Explanation {
    let evidence: Vec<(u32, Evidence)> = ev
        .into_iter()
        .map(|e| {
            let t = e.trace;
            let note = note(&t, cache);
            (
                e.depth,
                Evidence {
                    expr: t.term.text.clone(),
                    span: t.term.span,
                    path: t.path,
                    value: Some(t.seen),
                    result: t.result,
                    note,
                },
            )
        })
        .collect();
    let notes: Vec<&str> = evidence
        .iter()
        .filter(|(d, _)| *d == 0)
        .filter_map(|(_, e)| e.note.as_deref())
        .take(3)
        .collect();
    let summary = if notes.is_empty() {
        lead
    } else if lead.starts_with("not relevant") || lead.starts_with("matched") {
        format!("{lead}: {}", notes.join("; "))
    } else {
        notes.join("; ")
    };
    Explanation {
        summary,
        evidence: evidence.into_iter().map(|(_, e)| e).collect(),
    }
}

/// The explanation of an undecided verdict: `lead`, then the engine's reasons (each
/// undecided builtin's words, at most three), then every piece of evidence.
pub(crate) fn undecided(lead: String, ev: Vec<Ev<'_>>, cache: &DecisionCache) -> Explanation {
    let mut reasons: Vec<String> = Vec::new();
    for e in &ev {
        for n in &e.trace.notes {
            if let Note::Call { parts, .. } = n {
                for p in parts.iter().filter(|p| p.is_undecided()) {
                    let w = p.words(cache);
                    if !reasons.contains(&w) {
                        reasons.push(w);
                    }
                }
            }
        }
    }
    let mut ex = explanation(lead.clone(), ev, cache);
    ex.summary = if reasons.is_empty() {
        lead
    } else {
        format!(
            "{lead}: {}",
            reasons.into_iter().take(3).collect::<Vec<_>>().join("; ")
        )
    };
    ex
}

/// The explanation of a runtime error.
pub(crate) fn error(e: &EvalError) -> Explanation {
    let message = e.to_string();
    Explanation {
        summary: format!("error: {message}"),
        evidence: vec![Evidence {
            expr: std::sync::Arc::from(""),
            span: e.span(),
            path: None,
            value: None,
            result: false,
            note: Some(message),
        }],
    }
}
