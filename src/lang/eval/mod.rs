//! STUB — owned by the evaluator work (branch `lang-eval`). The *public types and
//! function signatures* in this file are a contract used by the CLI, the report
//! renderer and the REPL: keep them (adding fields or variants is fine), replace the
//! placeholder bodies.

use crate::entity::graph::EntityGraph;
use crate::lang::ast::Rule;
use crate::span::Span;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Options of one evaluation.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// "Now" for `before(..)` / `after(..)`; injectable for tests.
    pub now: DateTime<Utc>,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions { now: Utc::now() }
    }
}

/// The outcome of a rule for one test object (an entity, or an account's list for
/// `List<X>` rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// Relevant and compliant.
    Passed,
    /// Relevant and not compliant.
    Failed,
    /// The `where` filter was false: the rule does not apply.
    NotRelevant,
    /// Data the rule needs could not be collected (see the snapshot's `errors`).
    Unknown,
    /// The rule could not be evaluated on this object (e.g. a bad builtin argument).
    Error,
}

/// One piece of evidence: a sub-expression, what it saw, and what it decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// The sub-expression's source text.
    pub expr: String,
    /// Its span in the rule source.
    pub span: Span,
    /// The JSON path of the entity property it read, e.g. `metricFilters[2].filterPattern`.
    pub path: Option<String>,
    /// The value it saw there (`null` when missing).
    pub value: Option<serde_json::Value>,
    /// What the sub-expression evaluated to.
    pub result: bool,
    /// Extra words, e.g. "no element of metricFilters (5) satisfied the predicate".
    pub note: Option<String>,
}

/// Why an object got its outcome.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// One line, e.g. "status.isLogging is false, expected true".
    pub summary: String,
    /// The deciding sub-expressions, outermost first.
    pub evidence: Vec<Evidence>,
}

/// The result of a rule for one test object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityResult {
    /// Entity id (for `List<X>` rules: `List<X>@<account>`).
    pub id: String,
    /// Entity name, when it has one.
    pub name: Option<String>,
    /// Entity type.
    pub entity_type: String,
    /// Account number.
    pub account: String,
    /// Region, when the object has one.
    pub region: Option<String>,
    /// The outcome.
    pub outcome: Outcome,
    /// Why.
    pub explanation: Explanation,
}

/// The result of one rule over a graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleResult {
    /// Per test object, in graph order.
    pub entities: Vec<EntityResult>,
}

impl RuleResult {
    /// Number of objects with the given outcome.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.entities
            .iter()
            .filter(|e| e.outcome == outcome)
            .count()
    }
}

/// Semantic errors found before evaluation (unknown function, wrong arity, bad regex,
/// bad argument type). All of them are reported, each with a span.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("rule cannot be evaluated")]
pub struct CheckErrors {}

/// Check a parsed rule against the builtin registry (names, arity, literal argument
/// types, regex syntax) without running it.
pub fn check_rule(_rule: &Rule) -> Result<(), CheckErrors> {
    Ok(())
}

/// Evaluate a checked rule over every relevant object of the graph.
pub fn evaluate(_rule: &Rule, _graph: &EntityGraph, _opts: &EvalOptions) -> RuleResult {
    RuleResult {
        entities: Vec::new(),
    }
}
