//! The CloudWatch Logs filter-pattern engine: parse, canonicalize, compare by
//! meaning, match events (an offline `TestMetricFilter`), and coverage.
//!
//! ```
//! use gsl::pattern::FilterPattern;
//! let cis = FilterPattern::parse(r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#)?;
//! let mine = FilterPattern::parse(r#"{$.additionalEventData.MFAUsed!=Yes&&$.eventName=ConsoleLogin}"#)?;
//! assert!(cis.equivalent(&mine).is_equal());
//! assert!(cis.matches(r#"{"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"No"}}"#));
//! # Ok::<(), gsl::pattern::PatternError>(())
//! ```
//!
//! See `docs/filter-patterns.md` for the semantics and every decision taken
//! where the AWS documentation is silent.

pub mod ast;
mod automata;
mod bdd;
mod canon;
mod cover;
mod error;
mod eval;
mod facts;
mod monitor;
mod parser;
mod prefilter;
pub(crate) mod scan;
mod sem;
mod set;
mod similar;

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value as Json};

pub use ast::Pattern;
pub use cover::{Comparison, Coverage, Difference};
pub use error::{PatternError, PatternErrorKind};
pub use monitor::{monitors, Monitoring};
pub use parser::{MAX_LEN, MAX_REGEX, MAX_WILDCARDS};
pub use set::{PatternSet, RawMatcher};

/// A parsed, validated filter pattern.
#[derive(Debug, Clone)]
pub struct FilterPattern {
    text: String,
    ast: Pattern,
    program: Option<Arc<set::Program>>,
    /// What [`FilterPattern::similarity_to`] compares, worked out on first use.
    features: OnceLock<similar::Features>,
}

/// One matching event, as `TestMetricFilter` reports it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricFilterMatch {
    /// 1-based position of the event in the input (see the docs for why 1-based).
    pub event_number: u64,
    /// The event text.
    pub event_message: String,
    /// `$name` / `$N` for space-delimited patterns; `$.selector` for JSON patterns.
    pub extracted_values: Map<String, Json>,
}

/// The result of [`FilterPattern::test`]: `{"matches": [...]}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TestResult {
    /// The matching events, in input order.
    pub matches: Vec<MetricFilterMatch>,
}

impl FilterPattern {
    /// Parse and validate a pattern.
    pub fn parse(text: &str) -> Result<FilterPattern, PatternError> {
        Self::parse_named(text, "filter pattern")
    }

    /// Parse, labelling the source as `name` in diagnostics (e.g. `"required"`).
    pub fn parse_named(text: &str, name: &str) -> Result<FilterPattern, PatternError> {
        Ok(FilterPattern::of(text, parser::parse_named(text, name)?))
    }

    /// Parse gsl's own canonical output ([`FilterPattern::canonical`]) back:
    /// everything is validated as usual except the 1024-character limit, which
    /// applies to what users submit (the canonical form may be longer than the
    /// text it came from: it adds quotes and parentheses).
    pub fn parse_canonical(text: &str) -> Result<FilterPattern, PatternError> {
        Ok(FilterPattern::of(
            text,
            parser::parse_unbounded(text, "canonical pattern")?,
        ))
    }

    /// The pattern `text` parsed to `ast`, with its matching program.
    fn of(text: &str, ast: Pattern) -> FilterPattern {
        let program = match &ast {
            Pattern::Json(e) => Some(Arc::new(set::Program::new(e))),
            _ => None,
        };
        FilterPattern {
            text: text.to_string(),
            ast,
            program,
            features: OnceLock::new(),
        }
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The syntax tree.
    pub fn ast(&self) -> &Pattern {
        &self.ast
    }

    /// The canonical text: same for patterns that differ only in layout, quoting,
    /// number spelling, parentheses, operand order, duplicates or term order.
    pub fn canonical(&self) -> String {
        canon::canonical(&self.ast)
    }

    /// Does the pattern match this log event?
    pub fn matches(&self, event: &str) -> bool {
        match &self.ast {
            Pattern::MatchAll(_) => true,
            Pattern::Terms(t) => eval::eval_terms(t, event),
            Pattern::Json(_) => match eval::parse_event(event) {
                Some(j) => self.matches_json(&j),
                None => false,
            },
            Pattern::Delimited(s) => eval::eval_delimited(s, event).is_some(),
        }
    }

    /// Match an already-parsed JSON event (JSON patterns only; others see its text).
    pub fn matches_json(&self, event: &Json) -> bool {
        match &self.ast {
            Pattern::Json(e) => match &self.program {
                Some(p) => p.eval(event),
                None => event.is_object() && eval::eval_json(e, event),
            },
            _ => self.matches(&event.to_string()),
        }
    }

    /// The reference evaluator (walks the syntax tree, no selector cache); the
    /// property tests check the compiled matcher against it.
    #[doc(hidden)]
    pub fn matches_json_direct(&self, event: &Json) -> bool {
        match &self.ast {
            Pattern::Json(e) => event.is_object() && eval::eval_json(e, event),
            _ => self.matches(&event.to_string()),
        }
    }

    /// Match one event and return what `TestMetricFilter` would extract, or `None`.
    pub fn extract(&self, event: &str) -> Option<Map<String, Json>> {
        match &self.ast {
            Pattern::MatchAll(_) => Some(Map::new()),
            Pattern::Terms(t) => eval::eval_terms(t, event).then(Map::new),
            Pattern::Json(e) => {
                let j = eval::parse_event(event)?;
                if !j.is_object() || !eval::eval_json(e, &j) {
                    return None;
                }
                let mut m = Map::new();
                eval::json_extracted(e, &j, &mut m);
                Some(m)
            }
            Pattern::Delimited(s) => eval::eval_delimited(s, event),
        }
    }

    /// Test the pattern on events, like `TestMetricFilter`.
    pub fn test<S: AsRef<str>>(&self, events: &[S]) -> TestResult {
        let matches = events
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                self.extract(e.as_ref())
                    .map(|extracted_values| MetricFilterMatch {
                        event_number: i as u64 + 1,
                        event_message: e.as_ref().to_string(),
                        extracted_values,
                    })
            })
            .collect();
        TestResult { matches }
    }

    /// Compare by meaning. Sound: `Equal` is only returned when no event can tell
    /// the two patterns apart.
    pub fn equivalent(&self, other: &FilterPattern) -> Difference {
        cover::difference(self, other)
    }

    /// Compare by meaning, three ways: `Equal` (proven), `Different` (with a
    /// verified distinguishing event) or `Unknown` (with the reason).
    pub fn compare(&self, other: &FilterPattern) -> Comparison {
        cover::compare(self, other)
    }

    /// Does `actual` (self) catch every event `required` catches?
    pub fn covers(&self, required: &FilterPattern) -> Coverage {
        cover::coverage(required, self)
    }

    /// How close `self` is to `required` (0.0 to 1.0): shared conditions and fields.
    /// A heuristic for ranking near-misses in explanations, never a verdict.
    pub fn similarity_to(&self, required: &FilterPattern) -> f64 {
        similar::score(required.features(), self.features())
    }

    fn features(&self) -> &similar::Features {
        self.features.get_or_init(|| similar::features(&self.ast))
    }
}

impl fmt::Display for FilterPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

impl std::str::FromStr for FilterPattern {
    type Err = PatternError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FilterPattern::parse(s)
    }
}

/// Parse an event's text as JSON the way every matcher reads it (numbers too large
/// for a float kept as their text, containers nested deeper than the matchers look cut
/// to empty ones); `None` when it is not JSON.
pub fn parse_event(text: &str) -> Option<Json> {
    eval::parse_event(text)
}

/// Do two filter patterns mean the same thing (match exactly the same events)?
/// Sound: `true` is never returned for patterns some event tells apart.
pub fn equal(a: &str, b: &str) -> Result<bool, PatternError> {
    let a = FilterPattern::parse_named(a, "first pattern")?;
    let b = FilterPattern::parse_named(b, "second pattern")?;
    Ok(a.equivalent(&b).is_equal())
}

/// Does `actual` catch every event that `required` catches? `false` when not, and
/// also when the engine cannot decide (it never guesses `true`).
pub fn covers(required: &str, actual: &str) -> Result<bool, PatternError> {
    let r = FilterPattern::parse_named(required, "required pattern")?;
    let a = FilterPattern::parse_named(actual, "actual pattern")?;
    Ok(matches!(a.covers(&r), Coverage::Covered))
}

/// The canonical text of a pattern.
pub fn canonical(p: &str) -> Result<String, PatternError> {
    Ok(FilterPattern::parse(p)?.canonical())
}
