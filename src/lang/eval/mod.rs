//! The GSL evaluator: runs a rule over the entity graph and explains every outcome.
//!
//! - [`check_rule`] / [`check_rule_src`]: the static pass over a parsed rule, giving
//!   the [`CheckedRule`] the evaluator runs.
//! - [`evaluate`]: one [`EntityResult`] per test object (an entity, or an account's list
//!   for `List<X>` rules) with an [`Explanation`] of what decided it.
//! - [`builtins`]: the builtin registry (names, signatures, docs) for the REPL.
//! - [`path`]: the JSON-path walker rules use, for tools that read paths too.
//! - [`DecisionCache`]: the run-wide cache of filter-pattern decisions.
//!
//! Pipeline: `check` (static pass) → `checked` (the checked form) → `engine` (verdict
//! and trace) → `explain` (words). Semantics are documented in `docs/language.md`.

pub mod builtins;
mod cache;
mod check;
mod checked;
mod engine;
pub mod error;
mod explain;
pub mod path;
pub mod props;
pub mod value;

pub use cache::{CacheStats, Decision, DecisionCache};
pub use check::{codes, CheckError, CheckErrors, Detail, RegexError};
pub use checked::CheckedRule;
pub use error::EvalError;

use crate::entity::graph::{EntityGraph, EntityRef};
use crate::entity::CollectionError;
use crate::lang::ast::Rule;
use crate::params::Params;
use crate::span::Span;
use chrono::{DateTime, Utc};
use engine::Engine;
use path::{Ctx, Item};
use serde::Serialize;
use std::sync::Arc;

/// Options of one evaluation run.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// "Now" for `before(..)` / `after(..)`; injectable for tests.
    pub now: DateTime<Utc>,
    /// The run's filter-pattern decisions. Create the options once per run and share
    /// them (clones share the cache) across policies, accounts and threads.
    pub cache: DecisionCache,
    /// `--strict`: a property no entity of a type has in the snapshot (for a type the
    /// collectors do not build) stops the rule with an error instead of a warning.
    pub strict: bool,
    /// The values of the rules' `$Name` parameters (gsl's defaults unless set): the
    /// run checks every rule with them.
    pub params: Arc<Params>,
}

impl EvalOptions {
    /// Options for a run at `now`, with a fresh cache and gsl's default parameters.
    pub fn at(now: DateTime<Utc>) -> Self {
        EvalOptions {
            now,
            cache: DecisionCache::new(),
            strict: false,
            params: Params::defaults(),
        }
    }

    /// The same options with `params` as the rules' parameters.
    pub fn with_params(mut self, params: Arc<Params>) -> Self {
        self.params = params;
        self
    }
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions::at(Utc::now())
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
    /// Data the rule needs could not be collected (see the snapshot's `errors`), or
    /// the verdict depends on a question the engine could not decide (a filter-pattern
    /// comparison; the explanation says which and why).
    Unknown,
    /// The rule could not be evaluated on this object (e.g. a bad builtin argument).
    Error,
}

impl Outcome {
    /// The outcome as written in reports (`passed`, `failed`, `notRelevant`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::NotRelevant => "notRelevant",
            Outcome::Unknown => "unknown",
            Outcome::Error => "error",
        }
    }
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

/// Check a parsed rule against the builtin registry (names, arity, literal argument
/// types, regex syntax) without running it; the result is what [`evaluate`] runs.
/// `$Name` parameters take gsl's defaults ([`Params::defaults`]).
pub fn check_rule(rule: &Rule) -> Result<CheckedRule, CheckErrors> {
    check::check(rule, &Params::defaults())
}

/// [`check_rule`] with the given parameters.
pub fn check_rule_with(rule: &Rule, params: &Params) -> Result<CheckedRule, CheckErrors> {
    check::check(rule, params)
}

/// [`check_rule`], with the rule's source text and name attached to the errors so they
/// render with the rule underlined.
pub fn check_rule_src(rule: &Rule, src: &str, name: &str) -> Result<CheckedRule, CheckErrors> {
    check_rule_src_with(rule, src, name, &Params::defaults())
}

/// [`check_rule_src`] with the given parameters.
pub fn check_rule_src_with(
    rule: &Rule,
    src: &str,
    name: &str,
    params: &Params,
) -> Result<CheckedRule, CheckErrors> {
    check::check(rule, params).map_err(|e| e.with_source(src, name))
}

/// Evaluate a checked rule over every relevant object of the graph.
///
/// Entity rules yield one result per entity of the rule's type (matched
/// case-insensitively); `List<X>` rules yield one result per account of the snapshot,
/// whose test object is `{ "items": [every X of the account] }`. A rule naming a type
/// the graph does not hold yields no entity results (use
/// [`EntityGraph::check_type`] to report it), but `List<X>` rules still yield one
/// result per account, with empty `items`. Where the snapshot's `errors` say the
/// type's data is incomplete, every shape of rule is `unknown`: an entity there is
/// judged `unknown`, and a place (an account, or a region of one) with no entity of
/// the type gets one `unknown` result with the id `<Type>@<account>[/<region>]`.
pub fn evaluate(rule: &CheckedRule, graph: &EntityGraph, opts: &EvalOptions) -> RuleResult {
    let entities = (0..graph.accounts().len())
        .flat_map(|account| evaluate_account(rule, graph, account, opts))
        .collect();
    RuleResult { entities }
}

/// The results of [`evaluate`] that belong to one entry of [`EntityGraph::accounts`]
/// (by index), in the same order: [`evaluate`] is these, account after account.
///
/// A run evaluates every rule on one account before going on to the next
/// ([`crate::check`]), so that the account's entities are read from memory once per run
/// instead of once per rule.
pub fn evaluate_account(
    rule: &CheckedRule,
    graph: &EntityGraph,
    account: usize,
    opts: &EvalOptions,
) -> Vec<EntityResult> {
    let Some(entry) = graph.accounts().get(account) else {
        return Vec::new();
    };
    let engine = engine_for(opts);
    let written = rule.entity();
    let type_name = graph.type_name(written).unwrap_or(written).to_string();
    let acct = entry.account_number.as_str();
    if rule.is_list() {
        let ents = graph.entities_in(&type_name, acct, None);
        let items = engine::list_items(ents.iter().map(|e| e.value));
        let ctx = Ctx::Items(items);
        let errors = graph.errors_affecting(acct, None, &type_name);
        let (outcome, explanation) = judge(&engine, rule, &ctx, &errors);
        vec![EntityResult {
            id: format!("List<{type_name}>@{acct}"),
            name: None,
            entity_type: type_name.clone(),
            account: acct.to_string(),
            region: None,
            outcome,
            explanation,
        }]
    } else {
        let entities = graph.entities_of_account(&type_name, account);
        let mut results: Vec<EntityResult> = entities
            .iter()
            .map(|e| entity_result(&engine, rule, graph, *e))
            .collect();
        results.extend(unread(graph, acct, &type_name, &entities));
        results
    }
}

/// The places of one account where entities of a type may exist but could not be
/// read: one `unknown` result per place (the account, for an account-wide collection
/// error; else each region of an error) that holds no entity of the type. Where
/// entities were read, each is judged `unknown` itself ([`judge`]); a `List<X>` result
/// is judged with every error of its account. So every shape of rule is `unknown`
/// wherever its type's data is incomplete, never `passed` by having nothing to check.
fn unread(
    graph: &EntityGraph,
    account: &str,
    type_name: &str,
    read: &[EntityRef<'_>],
) -> Vec<EntityResult> {
    let errors = graph.errors_affecting(account, None, type_name);
    if errors.is_empty() {
        return Vec::new();
    }
    let places: Vec<Option<&str>> = if errors.iter().any(|e| e.region.is_none()) {
        // Account-wide: every region is affected, read entities included.
        if read.is_empty() {
            vec![None]
        } else {
            Vec::new()
        }
    } else {
        let mut regions: Vec<&str> = errors.iter().filter_map(|e| e.region.as_deref()).collect();
        regions.sort_unstable();
        regions.dedup();
        regions
            .into_iter()
            .filter(|r| !read.iter().any(|e| e.region() == Some(*r)))
            .map(Some)
            .collect()
    };
    places
        .into_iter()
        .map(|region| {
            let errors = graph.errors_affecting(account, region, type_name);
            let place = match region {
                Some(r) => format!("account {account}, region {r}"),
                None => format!("account {account}"),
            };
            EntityResult {
                id: match region {
                    Some(r) => format!("{type_name}@{account}/{r}"),
                    None => format!("{type_name}@{account}"),
                },
                name: None,
                entity_type: type_name.to_string(),
                account: account.to_string(),
                region: region.map(str::to_string),
                outcome: Outcome::Unknown,
                explanation: Explanation {
                    summary: format!(
                        "data incomplete: {}; no `{type_name}` could be read in {place}, so none there was checked",
                        causes(&errors)
                    ),
                    evidence: Vec::new(),
                },
            }
        })
        .collect()
}

/// Evaluate a rule on one entity of the graph, whatever the rule's entity type (the
/// REPL's "try this rule on that entity").
pub fn evaluate_entity(
    rule: &CheckedRule,
    graph: &EntityGraph,
    entity: EntityRef<'_>,
    opts: &EvalOptions,
) -> EntityResult {
    entity_result(&engine_for(opts), rule, graph, entity)
}

fn engine_for(opts: &EvalOptions) -> Engine<'_> {
    Engine {
        now: opts.now,
        cache: &opts.cache,
        quiet: false,
    }
}

fn entity_result(
    engine: &Engine<'_>,
    rule: &CheckedRule,
    graph: &EntityGraph,
    e: EntityRef<'_>,
) -> EntityResult {
    let ctx = Ctx::Item(Item {
        v: e.value,
        path: String::new(),
    });
    let errors = graph.errors_affecting(e.account, e.region(), e.type_name);
    let (outcome, explanation) = judge(engine, rule, &ctx, &errors);
    EntityResult {
        id: e.id().to_string(),
        name: e.name().map(str::to_string),
        entity_type: e.type_name.to_string(),
        account: e.account.to_string(),
        region: e.region().map(str::to_string),
        outcome,
        explanation,
    }
}

/// Evaluate a rule against a bare JSON value (one entity), outside any graph: no
/// collection errors apply. Used by the REPL and tests.
pub fn evaluate_value(
    rule: &CheckedRule,
    entity: &serde_json::Value,
    opts: &EvalOptions,
) -> (Outcome, Explanation) {
    let ctx = Ctx::Item(Item {
        v: entity,
        path: String::new(),
    });
    judge(&engine_for(opts), rule, &ctx, &[])
}

fn judge(
    engine: &Engine<'_>,
    rule: &CheckedRule,
    ctx: &Ctx<'_>,
    errors: &[&CollectionError],
) -> (Outcome, Explanation) {
    let (outcome, explanation) = decide(engine, rule, ctx);
    if errors.is_empty() {
        return (outcome, explanation);
    }
    let summary = format!(
        "data incomplete: {}; with the data collected the outcome would be {}: {}",
        causes(errors),
        outcome.as_str(),
        explanation.summary
    );
    (
        Outcome::Unknown,
        Explanation {
            summary,
            evidence: explanation.evidence,
        },
    )
}

/// The collection errors behind an `unknown`, in words (the first three).
fn causes(errors: &[&CollectionError]) -> String {
    errors
        .iter()
        .take(3)
        .map(|e| {
            format!(
                "{}:{} failed{} ({}: {})",
                e.service,
                e.operation,
                e.region
                    .as_ref()
                    .map(|r| format!(" in {r}"))
                    .unwrap_or_default(),
                e.code,
                e.message
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn decide(engine: &Engine<'_>, rule: &CheckedRule, ctx: &Ctx<'_>) -> (Outcome, Explanation) {
    let cache = engine.cache;
    let mut where_ev = Vec::new();
    if let Some(filter) = &rule.filter_expr {
        match engine.expr(filter, ctx, 0, true) {
            Err(e) => return (Outcome::Error, explain::error(&e)),
            Ok(r) if r.unknown => {
                return (
                    Outcome::Unknown,
                    explain::undecided(
                        format!("cannot decide whether `where {}` holds", filter.text),
                        r.ev,
                        cache,
                    ),
                );
            }
            Ok(r) if !r.value => {
                return (
                    Outcome::NotRelevant,
                    explain::explanation(
                        format!("not relevant: `where {}` is false", filter.text),
                        r.ev,
                        cache,
                    ),
                );
            }
            Ok(r) => where_ev = r.ev,
        }
    }
    let Some(verdict) = &rule.verdict_expr else {
        let lead = match &rule.filter_expr {
            Some(f) => format!("matched the query `where {}`", f.text),
            None => "matched the query".to_string(),
        };
        return (Outcome::Passed, explain::explanation(lead, where_ev, cache));
    };
    match engine.expr(&verdict.condition, ctx, 0, !verdict.negated) {
        Err(e) => (Outcome::Error, explain::error(&e)),
        Ok(r) if r.unknown => (
            Outcome::Unknown,
            explain::undecided("cannot decide the condition".to_string(), r.ev, cache),
        ),
        Ok(r) => {
            let pass = r.value != verdict.negated;
            let lead = match (pass, verdict.negated) {
                (true, false) => "the condition holds",
                (false, false) => "the condition is false",
                (true, true) => "the condition is false, as `should not have` requires",
                (false, true) => "`should not have`, but the condition is true",
            };
            let mut ex = explain::explanation(lead.to_string(), r.ev, cache);
            if verdict.negated && !ex.summary.starts_with('`') && !ex.summary.starts_with("the ") {
                ex.summary = format!("should not have: {}", ex.summary);
            }
            (
                if pass {
                    Outcome::Passed
                } else {
                    Outcome::Failed
                },
                ex,
            )
        }
    }
}
