//! The builtin function registry. Each domain file (`collections`, `time`, `pattern`, `net`)
//! declares its builtins in a `BUILTINS` table: name, parameters (with the literal kind
//! each accepts), result kind, a doc line, an example and the function. Adding a
//! builtin is one entry in one of those tables; [`BUILTINS`] joins them, and a name
//! defined twice does not compile (see [`names_distinct`]).

mod collections;
mod net;
mod pattern;
mod time;

pub use pattern::{PatternCheck, RulePattern};
pub use time::{bound, parse_date, TimeUnit, TIME_UNITS};

use super::cache::DecisionCache;
use super::error::EvalError;
use super::value::Val;
use crate::span::Span;
use chrono::{DateTime, Utc};
use serde_json::Value as Json;
use std::sync::Arc;

/// The kind of literal a parameter accepts (checked before evaluation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// A number literal.
    Number,
    /// A string literal.
    String,
    /// A time unit string: `minutes`, `hours`, `days`, `weeks`, `months`, `years`
    /// (singular forms too).
    TimeUnit,
    /// A string holding a CloudWatch Logs filter pattern (validated by the pattern engine).
    FilterPattern,
}

impl ArgKind {
    /// How the kind is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            ArgKind::Number => "a number",
            ArgKind::String => "a string",
            ArgKind::TimeUnit => {
                "a time unit string ('minutes', 'hours', 'days', 'weeks', 'months', 'years')"
            }
            ArgKind::FilterPattern => "a filter pattern string",
        }
    }
}

/// What a builtin yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKind {
    /// A number (compare it: `length() > 0`).
    Number,
    /// A boolean (use it as a condition).
    Bool,
}

/// One parameter of a builtin.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Its name in docs (`n`, `unit`, `pattern`).
    pub name: &'static str,
    /// The literal kind it accepts.
    pub kind: ArgKind,
}

/// A checked argument: the literal, resolved to what its parameter's kind means.
#[derive(Debug, Clone)]
pub enum ArgValue {
    /// A number.
    Number(f64),
    /// A string.
    String(String),
    /// A time unit, with its name as written.
    TimeUnit(TimeUnit, String),
    /// A filter pattern, parsed and canonicalized once.
    Pattern(Arc<RulePattern>),
}

/// A checked argument and where it was written.
#[derive(Debug, Clone)]
pub struct Arg {
    /// The value.
    pub value: ArgValue,
    /// The literal's span (runtime errors about the argument point here).
    pub span: Span,
}

/// One part of a builtin's note for the evidence. Notes that are costly to word (a
/// filter-pattern counterexample) are kept as what to compute, and worded only for
/// the evidence that is reported.
#[derive(Debug, Clone)]
pub enum NotePart {
    /// Plain words.
    Text(String),
    /// Why the data's filter pattern does not satisfy the rule's.
    Pattern {
        /// Equality or coverage.
        check: PatternCheck,
        /// The data's pattern text.
        data: Arc<str>,
        /// The rule's pattern.
        rule: Arc<RulePattern>,
    },
    /// The builtin could not decide (a filter-pattern question the engine cannot
    /// answer), and why. The term holding it is undecided, and an entity whose
    /// verdict depends on it is `unknown`.
    Undecided(Arc<str>),
}

impl NotePart {
    /// The words (computing a counterexample when needed; cached per run).
    pub fn words(&self, cache: &DecisionCache) -> String {
        match self {
            NotePart::Text(t) => t.clone(),
            NotePart::Pattern { check, data, rule } => cache.why_not(*check, data, rule),
            NotePart::Undecided(why) => why.to_string(),
        }
    }

    /// Does this part mark an undecided result?
    pub fn is_undecided(&self) -> bool {
        matches!(self, NotePart::Undecided(_))
    }
}

/// What a builtin computed, plus an optional note for the evidence.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The result.
    pub value: Computed,
    /// Extra words for the explanation (e.g. an invalid pattern in the data), joined
    /// with `; `.
    pub note: Vec<NotePart>,
    /// For a false result: how close the value came (0.0 to 1.0), used to show the
    /// nearest misses first in explanations. Never affects the verdict.
    pub closeness: Option<f64>,
}

/// A computed value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Computed {
    /// A number.
    Num(f64),
    /// A boolean.
    Bool(bool),
}

/// What a builtin receives besides the value it is applied to.
#[derive(Debug)]
pub struct CallCx<'r> {
    /// The builtin being called.
    pub builtin: &'static Builtin,
    /// The checked arguments.
    pub args: &'r [Arg],
    /// The span of the whole call.
    pub span: Span,
    /// "Now", for time functions.
    pub now: DateTime<Utc>,
    /// The run's cache of pattern decisions.
    pub cache: &'r DecisionCache,
}

impl CallCx<'_> {
    /// A runtime error about the value the builtin is applied to.
    pub fn bad_value(&self, message: String) -> EvalError {
        EvalError::BadValue {
            builtin: self.builtin.name,
            message,
            span: self.span,
        }
    }

    /// A runtime error about argument `i`.
    pub fn bad_argument(&self, i: usize, message: String) -> EvalError {
        EvalError::BadArgument {
            builtin: self.builtin.name,
            message,
            span: self.args.get(i).map_or(self.span, |a| a.span),
        }
    }

    /// Argument `i` as a number (the checker guarantees the kind).
    pub fn number(&self, i: usize) -> Result<f64, EvalError> {
        match self.args.get(i).map(|a| &a.value) {
            Some(ArgValue::Number(n)) => Ok(*n),
            _ => Err(self.bad_argument(i, format!("argument {} must be a number", i + 1))),
        }
    }
}

/// The function of a builtin. An `Err` is a runtime error (outcome `error`).
pub type BuiltinFn = fn(&CallCx<'_>, &Val<'_>) -> Result<Applied, EvalError>;

/// A builtin function.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    /// Name as written in rules (case-sensitive).
    pub name: &'static str,
    /// Parameters.
    pub params: &'static [Param],
    /// Result kind.
    pub returns: ResultKind,
    /// One-line description.
    pub doc: &'static str,
    /// A usage example.
    pub example: &'static str,
    /// The function.
    pub func: BuiltinFn,
}

impl Builtin {
    /// `name(p1, p2)` for help and completion.
    pub fn signature(&self) -> String {
        format!(
            "{}({})",
            self.name,
            self.params
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The domain tables, in the order builtins are listed.
const DOMAINS: &[&[Builtin]] = &[
    collections::BUILTINS,
    time::BUILTINS,
    pattern::BUILTINS,
    net::BUILTINS,
];

/// True when no name appears twice across `tables` (a `const fn`, so a duplicate
/// registration is a compile error below).
pub const fn names_distinct(tables: &[&[Builtin]]) -> bool {
    let mut t = 0;
    while t < tables.len() {
        let mut i = 0;
        while i < tables[t].len() {
            let name = tables[t][i].name.as_bytes();
            // Every later entry, in this table and the following ones.
            let mut u = t;
            let mut j = i + 1;
            while u < tables.len() {
                while j < tables[u].len() {
                    if bytes_eq(name, tables[u][j].name.as_bytes()) {
                        return false;
                    }
                    j += 1;
                }
                u += 1;
                j = 0;
            }
            i += 1;
        }
        t += 1;
    }
    true
}

const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const _: () = assert!(names_distinct(DOMAINS), "two builtins have the same name");

/// How many builtins the domain tables define.
const COUNT: usize = {
    let mut n = 0;
    let mut t = 0;
    while t < DOMAINS.len() {
        n += DOMAINS[t].len();
        t += 1;
    }
    n
};

/// The domain tables joined, at compile time.
const ALL: [Builtin; COUNT] = {
    let mut out = [DOMAINS[0][0]; COUNT];
    let mut k = 0;
    let mut t = 0;
    while t < DOMAINS.len() {
        let mut i = 0;
        while i < DOMAINS[t].len() {
            out[k] = DOMAINS[t][i];
            k += 1;
            i += 1;
        }
        t += 1;
    }
    out
};

/// Every builtin, in listing order (collections, time, patterns).
pub const BUILTINS: &[Builtin] = &ALL;

/// Look a builtin up by its exact name.
pub fn lookup(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// The builtin whose name is closest to `name`, for "did you mean".
pub fn suggest(name: &str) -> Option<&'static str> {
    crate::text::closest(name, names())
}

/// Every builtin name, in listing order (for diagnostics, completion and tests).
pub fn names() -> impl Iterator<Item = &'static str> {
    BUILTINS.iter().map(|b| b.name)
}

/// Names and doc lines of every builtin (for REPL completion and `:help`).
pub fn list() -> Vec<(&'static str, String, &'static str)> {
    BUILTINS
        .iter()
        .map(|b| (b.name, b.signature(), b.doc))
        .collect()
}

/// A boolean result without a note.
pub(crate) fn bool_res(b: bool) -> Applied {
    Applied {
        value: Computed::Bool(b),
        note: Vec::new(),
        closeness: None,
    }
}

/// The JSON values a value-wise builtin looks at: the value itself, or each element
/// of a list. `None` for a computed number or boolean.
pub(crate) fn json_values<'a>(v: &Val<'a>) -> Option<Vec<&'a Json>> {
    Some(match v {
        Val::Missing { .. } => Vec::new(),
        Val::Json(it) => match it.v {
            Json::Array(a) => a.iter().collect(),
            Json::Null => Vec::new(),
            other => vec![other],
        },
        Val::List { items, .. } => items.iter().map(|it| it.v).collect(),
        Val::Num(_) | Val::Bool(_) => return None,
    })
}

/// One value's result for [`any_verdict`].
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    /// The result.
    pub value: bool,
    /// Why, when false.
    pub note: Vec<NotePart>,
    /// How close a false result came (0.0 to 1.0).
    pub closeness: f64,
}

impl From<bool> for Verdict {
    fn from(value: bool) -> Self {
        Verdict {
            value,
            note: Vec::new(),
            closeness: if value { 1.0 } else { 0.0 },
        }
    }
}

/// Apply a test to each value (any may satisfy it); values it cannot read are noted.
pub(crate) fn any_value(
    cx: &CallCx<'_>,
    v: &Val<'_>,
    mut f: impl FnMut(&Json) -> Result<bool, String>,
) -> Result<Applied, EvalError> {
    let mut r = any_verdict(cx, v, |j| f(j).map(Verdict::from))?;
    r.closeness = None; // plain predicates do not rank near misses
    Ok(r)
}

/// Apply `f` to the value, or to each element of a list: true if any element is.
/// On false, the note and closeness of the closest element are kept, after the
/// notes of the values `f` could not read; the [`NotePart::Undecided`] parts of
/// every element are kept (the result is then undecided, not false).
pub(crate) fn any_verdict(
    cx: &CallCx<'_>,
    v: &Val<'_>,
    mut f: impl FnMut(&Json) -> Result<Verdict, String>,
) -> Result<Applied, EvalError> {
    let values =
        json_values(v).ok_or_else(|| cx.bad_value("applied to a computed value".into()))?;
    let mut notes = Vec::new();
    let mut best: Option<Verdict> = None;
    let mut undecided: Vec<NotePart> = Vec::new();
    for j in values {
        match f(j) {
            Ok(v) if v.value => {
                return Ok(Applied {
                    closeness: Some(1.0),
                    ..bool_res(true)
                })
            }
            Ok(v) => {
                if best.as_ref().is_none_or(|b| v.closeness > b.closeness) {
                    if let Some(b) = best.take() {
                        undecided.extend(b.note.into_iter().filter(NotePart::is_undecided));
                    }
                    best = Some(v);
                } else {
                    undecided.extend(v.note.into_iter().filter(NotePart::is_undecided));
                }
            }
            Err(n) => notes.push(NotePart::Text(n)),
        }
    }
    let mut closeness = Some(0.0);
    if let Some(b) = best {
        notes.extend(b.note);
        closeness = Some(b.closeness);
    }
    notes.extend(undecided);
    Ok(Applied {
        value: Computed::Bool(false),
        note: notes,
        closeness,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry() {
        assert!(lookup("length").is_some());
        assert_eq!(suggest("isempty"), Some("isEmpty"));
        assert_eq!(suggest("lenght"), Some("length"));
        assert_eq!(lookup("before").unwrap().signature(), "before(n, unit)");
        assert_eq!(
            names().collect::<Vec<_>>(),
            [
                "length",
                "isEmpty",
                "before",
                "after",
                "isFilterPatternEqual",
                "filterPatternCovers",
                "filterPatternMonitors",
                "isPublic",
                "numberOfHosts",
                "allowedHostsForPort",
                "allowedPublicHostsForPort"
            ]
        );
    }

    #[test]
    fn duplicate_names_are_rejected() {
        assert!(names_distinct(DOMAINS));
        let one = &collections::BUILTINS[..1];
        assert!(!names_distinct(&[one, one]), "the same entry in two tables");
        let twice = [collections::BUILTINS[0], collections::BUILTINS[0]];
        assert!(!names_distinct(&[&twice]), "twice in one table");
        assert!(names_distinct(&[one, &time::BUILTINS[..1]]));
    }
}
