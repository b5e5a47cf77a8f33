//! Filter-pattern builtins: `isFilterPatternEqual(p)`, `filterPatternCovers(p)`,
//! `filterPatternMonitors(p)`. Each decides three ways ([`Decision`]): a proven yes,
//! a no shown by a verified event, or undecided with the engine's reason, which
//! makes the entity's outcome `unknown` (never a pass, never a plain failure).
//!
//! The rule's pattern is parsed and canonicalized once, by the checker
//! ([`RulePattern`]); the decisions are made and cached by the run's
//! [`DecisionCache`](crate::lang::eval::DecisionCache).

use super::{any_verdict, Applied, ArgKind, ArgValue, Builtin, CallCx, NotePart, Param};
use super::{ResultKind, Verdict};
use crate::lang::eval::cache::Decision;
use crate::lang::eval::error::EvalError;
use crate::lang::eval::value::{display_json, Val};
use crate::pattern::{FilterPattern, PatternError};
use serde_json::Value as Json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

const PATTERN: &[Param] = &[Param {
    name: "pattern",
    kind: ArgKind::FilterPattern,
}];

pub(super) const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "isFilterPatternEqual",
        params: PATTERN,
        returns: ResultKind::Bool,
        doc:
            "the property is a CloudWatch Logs filter pattern with the same meaning as the argument",
        example: "filterPattern isFilterPatternEqual('{ $.eventName = ConsoleLogin }')",
        func: filter_pattern_equal,
    },
    Builtin {
        name: "filterPatternCovers",
        params: PATTERN,
        returns: ResultKind::Bool,
        doc: "the property's filter pattern matches every event the argument pattern matches",
        example: "filterPattern filterPatternCovers('{ $.eventName = ConsoleLogin }')",
        func: filter_pattern_covers,
    },
    Builtin {
        name: "filterPatternMonitors",
        params: PATTERN,
        returns: ResultKind::Bool,
        doc: "the property's filter pattern catches every event of the argument, and none of its clauses that overlaps the argument is wider than it",
        example: "filterPattern filterPatternMonitors('{ ($.eventName = ConsoleLogin) && ($.errorMessage = \"Failed authentication\") }')",
        func: filter_pattern_monitors,
    },
];

/// How a filter-pattern builtin compares the data's pattern with the rule's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatternCheck {
    /// Same meaning (`isFilterPatternEqual`).
    Equal,
    /// The data's pattern matches every event the rule's does (`filterPatternCovers`).
    Covers,
    /// Covers, and no clause of the data's pattern that overlaps the rule's is wider
    /// than it (`filterPatternMonitors`, [`crate::pattern::monitors`]).
    Monitors,
}

/// A filter pattern written in a rule, parsed and canonicalized once.
#[derive(Debug)]
pub struct RulePattern {
    /// The pattern.
    pub pattern: FilterPattern,
    /// Its canonical text (the key of the run's decisions).
    pub canonical: String,
    /// Unique in the process (never reused): what the decisions remembered on each
    /// pattern of the data are keyed by, without hashing the text.
    pub(crate) serial: u64,
}

impl RulePattern {
    /// Parse a rule's pattern literal.
    pub fn parse(text: &str) -> Result<RulePattern, PatternError> {
        // The diagnostics' source name is the one the rule-check snapshots record.
        let pattern = FilterPattern::parse_named(text, "first pattern")?;
        let canonical = pattern.canonical();
        static SERIAL: AtomicU64 = AtomicU64::new(0);
        Ok(RulePattern {
            pattern,
            canonical,
            serial: SERIAL.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// The text as written in the rule.
    pub fn text(&self) -> &str {
        self.pattern.as_str()
    }
}

fn pattern_call(cx: &CallCx<'_>, v: &Val<'_>, check: PatternCheck) -> Result<Applied, EvalError> {
    let Some(ArgValue::Pattern(rule)) = cx.args.first().map(|a| &a.value) else {
        return Err(cx.bad_argument(0, "argument 1 must be a filter pattern".into()));
    };
    any_verdict(cx, v, |j| match j {
        Json::String(s) => {
            let data = cx.cache.data_pattern(s).map_err(|e| {
                format!(
                    "the filter pattern {} in the data is invalid: {e}",
                    display_json(j)
                )
            })?;
            Ok(match cx.cache.decide(check, &data, rule) {
                Decision::Yes => Verdict::from(true),
                Decision::No => Verdict {
                    value: false,
                    note: vec![NotePart::Pattern {
                        check,
                        data: Arc::clone(&data.text),
                        rule: Arc::clone(rule),
                    }],
                    closeness: cx.cache.closeness(&data, rule),
                },
                Decision::Unknown(why) => Verdict {
                    value: false,
                    note: vec![NotePart::Undecided(why)],
                    closeness: cx.cache.closeness(&data, rule),
                },
            })
        }
        other => Err(format!(
            "{} is not a filter pattern string",
            display_json(other)
        )),
    })
}

fn filter_pattern_equal(cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, EvalError> {
    pattern_call(cx, v, PatternCheck::Equal)
}

fn filter_pattern_covers(cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, EvalError> {
    // The rule's argument is the required pattern; the property is the actual one.
    pattern_call(cx, v, PatternCheck::Covers)
}

fn filter_pattern_monitors(cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, EvalError> {
    // The rule's argument is the required pattern; the property is the actual one.
    pattern_call(cx, v, PatternCheck::Monitors)
}
