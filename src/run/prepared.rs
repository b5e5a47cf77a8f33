//! A rule made ready to run: [`PreparedRule`], the one path from a rule's text to what
//! gsl says about it over a snapshot. `gsl check` and `gsl eval` ([`super::check`],
//! [`super::eval_rule`]), `gsl test`, the REPL and the language server all take it, so
//! a diagnostic, a warning or a note is written once.
//!
//! ```
//! use gsl::entity::{graph::EntityGraph, load::parse_snapshot, SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME};
//! use gsl::run::PreparedRule;
//!
//! let snapshot = parse_snapshot(SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME).unwrap();
//! let opts = gsl::run::eval_options(&snapshot, None);
//! let graph = EntityGraph::named(snapshot, SAMPLE_SNAPSHOT_NAME);
//!
//! // A rule that does not check carries its diagnostics (with stable codes).
//! let bad = PreparedRule::new("CloudTrail should have isMultiRegionTrial = true", "<rule>");
//! assert!(bad.error().is_some());
//!
//! // A good one: what the snapshot says about it, then its report.
//! let rule = PreparedRule::new("CloudTrail should have isMultiRegionTrail = true", "<rule>");
//! assert!(rule.error().is_none());
//! assert!(rule.warnings(&graph).absent_type.is_none());
//! let (report, diagnostic) = rule.run(&graph, &opts);
//! assert!(diagnostic.is_none());
//! assert!(!report.entities.is_empty());
//! ```

use crate::entity::graph::{EntityGraph, EntityRef, UnknownEntityType};
use crate::lang::ast::Rule;
use crate::lang::error::ParseErrors;
use crate::lang::eval::props::{self, Unresolved, UnseenProperty};
use crate::lang::eval::{self, CheckErrors, CheckedRule, EntityResult, EvalOptions, RuleResult};
use crate::lang::parser;
use crate::params::Params;
use crate::policy::{Metadata, Policy};
use crate::report::{Level, PolicyReport, Problem, RuleStatus};
use miette::Diagnostic;
use std::collections::{BTreeSet, HashMap};

/// Why a rule cannot run: its text does not parse, or the checker rejects it. As a
/// diagnostic it is the parser's or the checker's own (every code, label and related
/// error unchanged).
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum RuleError {
    /// The text is not a GSL rule (`gsl::parse::*`).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Parse(ParseErrors),
    /// The rule parsed, but names an unknown function, entity type or property, or
    /// gives a builtin a bad argument (`gsl::eval::check`, each error related).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Check(CheckErrors),
}

impl RuleError {
    /// One line saying why, for a report's `error` field: the first error and how many
    /// more there are.
    pub fn summary(&self) -> String {
        match self {
            RuleError::Parse(e) => e.summary(),
            RuleError::Check(e) => e.to_string(),
        }
    }

    /// The parser's or the checker's diagnostic itself.
    pub fn diagnostic(&self) -> &(dyn Diagnostic + Send + Sync + 'static) {
        match self {
            RuleError::Parse(e) => e,
            RuleError::Check(e) => e,
        }
    }

    /// [`RuleError::diagnostic`], owned.
    pub fn into_diagnostic(self) -> Box<dyn Diagnostic + Send + Sync + 'static> {
        match self {
            RuleError::Parse(e) => Box::new(e),
            RuleError::Check(e) => Box::new(e),
        }
    }

    /// [`RuleError::diagnostic`] as a report to render (the rule underlined).
    pub fn into_report(self) -> miette::Report {
        match self {
            RuleError::Parse(e) => e.into(),
            RuleError::Check(e) => e.into(),
        }
    }
}

/// What a snapshot says about a rule before any result: the warnings `gsl check`
/// gives, the REPL prints and the language server shows.
#[derive(Debug, Default)]
pub struct SnapshotWarnings {
    /// The snapshot holds no entity of the rule's type (with the types present and the
    /// closest one). A rule over single entities finds nothing to check; a `List<..>`
    /// rule runs over empty lists.
    pub absent_type: Option<UnknownEntityType>,
    /// The rule's property paths that no entity of its type has, for a type the
    /// collectors do not build (a known type's paths are checked statically; an error
    /// under [`EvalOptions::strict`]).
    pub unseen: Vec<UnseenProperty>,
}

/// A rule parsed and checked once, ready to run over any number of graphs; or the
/// diagnostics of why it cannot run.
///
/// Built from the rule's text and its origin (a file path, `<input>`, ...), the name
/// its diagnostics show. It carries the metadata its [`PolicyReport`] is written with:
/// a policy's ([`PreparedRule::policy`]) or an ad-hoc rule's ([`PreparedRule::new`]).
#[derive(Debug)]
pub struct PreparedRule {
    meta: Metadata,
    source: String,
    origin: String,
    state: State,
}

#[derive(Debug)]
enum State {
    /// Parsed and checked.
    Ready(Box<CheckedRule>),
    /// Parsed, but the checker rejected it.
    Rejected(Box<Rule>, RuleError),
    /// The text did not parse.
    Unparsed(RuleError),
    /// A control that data cannot decide (the policy's `manual:` line): no rule.
    Manual,
}

impl PreparedRule {
    /// Parse and check an ad-hoc rule (`gsl eval`, the REPL): its report's id is
    /// `rule` and its title the rule text ([`super::adhoc_metadata`]). Its `$Name`
    /// parameters take gsl's defaults.
    pub fn new(source: &str, origin: &str) -> Self {
        Self::new_with(source, origin, &Params::defaults())
    }

    /// [`PreparedRule::new`], its `$Name` parameters taking their values from `params`.
    pub fn new_with(source: &str, origin: &str, params: &Params) -> Self {
        Self::with_meta(super::adhoc_metadata(source), source, origin, params)
    }

    /// Parse and check a policy's rule; its report carries the policy's metadata. Its
    /// `$Name` parameters take gsl's defaults.
    pub fn policy(policy: &Policy) -> Self {
        Self::policy_with(policy, &Params::defaults())
    }

    /// [`PreparedRule::policy`], its `$Name` parameters taking their values from
    /// `params` (a run's are [`EvalOptions::params`]).
    pub fn policy_with(policy: &Policy, params: &Params) -> Self {
        Self::with_meta(policy.meta.clone(), &policy.source, &policy.origin, params)
    }

    fn with_meta(meta: Metadata, source: &str, origin: &str, params: &Params) -> Self {
        if meta.manual.is_some() {
            return PreparedRule {
                meta,
                source: source.to_string(),
                origin: origin.to_string(),
                state: State::Manual,
            };
        }
        let state = match parser::parse_rule_named(source, origin) {
            Err(e) => State::Unparsed(RuleError::Parse(e)),
            Ok(rule) => match eval::check_rule_src_with(&rule, source, origin, params) {
                Ok(checked) => State::Ready(Box::new(checked)),
                Err(e) => State::Rejected(Box::new(rule), RuleError::Check(e)),
            },
        };
        PreparedRule {
            meta,
            source: source.to_string(),
            origin: origin.to_string(),
            state,
        }
    }

    /// This rule for a snapshot that has the entity types `has_type` accepts
    /// ([`EntityGraph::has_type`]): a rule the checker rejected is checked again knowing
    /// them, so a type the snapshot has is never taken for a misspelt known type
    /// (`CloudFront` in a snapshot of CloudFront distributions).
    pub fn among(self, params: &Params, has_type: &dyn Fn(&str) -> bool) -> Self {
        let PreparedRule {
            meta,
            source,
            origin,
            state,
        } = self;
        let state = match state {
            State::Rejected(rule, _) => {
                match eval::check_rule_among(&rule, &source, &origin, params, has_type) {
                    Ok(checked) => State::Ready(Box::new(checked)),
                    Err(e) => State::Rejected(rule, RuleError::Check(e)),
                }
            }
            other => other,
        };
        PreparedRule {
            meta,
            source,
            origin,
            state,
        }
    }

    /// The metadata its report is written with.
    pub fn meta(&self) -> &Metadata {
        &self.meta
    }

    /// The rule's text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Where the rule came from, as its diagnostics name it.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The syntax tree, when the text parsed (even if the checker rejected it).
    pub fn rule(&self) -> Option<&Rule> {
        match &self.state {
            State::Ready(rule) => Some(rule.rule()),
            State::Rejected(rule, _) => Some(rule),
            State::Unparsed(_) | State::Manual => None,
        }
    }

    /// A control that data cannot decide (the policy's `manual:` line): it has no rule,
    /// and its report's status is `manual`.
    pub fn is_manual(&self) -> bool {
        matches!(self.state, State::Manual)
    }

    /// Why the rule cannot run (its parse or check diagnostics); `None` when it can.
    pub fn error(&self) -> Option<&RuleError> {
        match &self.state {
            State::Ready(_) | State::Manual => None,
            State::Rejected(_, e) | State::Unparsed(e) => Some(e),
        }
    }

    /// The rule if it can run, else why not ([`PreparedRule::error`], owned).
    pub fn ready(self) -> Result<Self, RuleError> {
        match self.state {
            State::Ready(_) | State::Manual => Ok(self),
            State::Rejected(_, e) | State::Unparsed(e) => Err(e),
        }
    }

    fn checked(&self) -> Option<&CheckedRule> {
        match &self.state {
            State::Ready(rule) => Some(rule),
            State::Rejected(..) | State::Unparsed(_) | State::Manual => None,
        }
    }

    /// What `graph` says about the rule before any result: its type absent, paths no
    /// entity of the type has. Nothing for a rule that cannot run.
    pub fn warnings(&self, graph: &EntityGraph) -> SnapshotWarnings {
        let Some(rule) = self.checked() else {
            return SnapshotWarnings::default();
        };
        let mut coverage = Coverage::default();
        coverage.survey(self, graph, &mut SeenPaths::new());
        SnapshotWarnings {
            absent_type: absent_type(rule, graph),
            unseen: coverage.unseen_warnings(rule, &self.source, &self.origin),
        }
    }

    /// The rule's result on every object of `graph` (see [`eval::evaluate`]); none for
    /// a rule that cannot run.
    pub fn evaluate(&self, graph: &EntityGraph, opts: &EvalOptions) -> RuleResult {
        match self.checked() {
            Some(rule) => eval::evaluate(rule, graph, opts),
            None => RuleResult {
                entities: Vec::new(),
            },
        }
    }

    /// The results of [`PreparedRule::evaluate`] that belong to one entry of
    /// [`EntityGraph::accounts`] (by index): a run takes every rule on one account
    /// before the next ([`eval::evaluate_account`]).
    pub fn evaluate_account(
        &self,
        graph: &EntityGraph,
        account: usize,
        opts: &EvalOptions,
    ) -> Vec<EntityResult> {
        match self.checked() {
            Some(rule) => eval::evaluate_account(rule, graph, account, opts),
            None => Vec::new(),
        }
    }

    /// The rule on one entity of `graph`, whatever the rule's entity type (the REPL's
    /// filters); `None` for a rule that cannot run.
    pub fn evaluate_entity(
        &self,
        graph: &EntityGraph,
        entity: EntityRef<'_>,
        opts: &EvalOptions,
    ) -> Option<EntityResult> {
        self.checked()
            .map(|rule| eval::evaluate_entity(rule, graph, entity, opts))
    }

    /// Run the rule over `graph` into its report: the results, the status, and the
    /// snapshot's notes and warnings as the report's diagnostics. A rule that cannot
    /// run gives an `error` report; that, or a warning made an error by
    /// [`EvalOptions::strict`], is also returned as the diagnostic to print.
    pub fn run(
        self,
        graph: &EntityGraph,
        opts: &EvalOptions,
    ) -> (PolicyReport, Option<miette::Report>) {
        let mut coverage = Coverage::default();
        coverage.survey(&self, graph, &mut SeenPaths::new());
        let entities = self.evaluate(graph, opts).entities;
        self.finish(entities, coverage, graph, opts.strict)
    }

    /// The report from the results and coverage gathered over every batch; `census`
    /// answers which entity types the whole snapshot holds.
    pub(super) fn finish(
        self,
        entities: Vec<EntityResult>,
        coverage: Coverage,
        census: &EntityGraph,
        strict: bool,
    ) -> (PolicyReport, Option<miette::Report>) {
        let PreparedRule {
            meta,
            source,
            origin,
            state,
        } = self;
        match state {
            State::Ready(rule) => {
                let mut report = results_report(meta, origin.clone(), &rule, entities, census);
                let diag = coverage.report(&source, &origin, &rule, &mut report, strict);
                (report, diag)
            }
            State::Rejected(_, e) | State::Unparsed(e) => {
                let report = PolicyReport {
                    meta,
                    origin,
                    status: RuleStatus::Error,
                    entities: Vec::new(),
                    error: Some(e.summary()),
                    diagnostics: Problem::all(e.diagnostic()),
                    waived: Vec::new(),
                    accounts_without_entities: Vec::new(),
                };
                (report, Some(e.into_report()))
            }
            State::Manual => {
                let report = PolicyReport {
                    meta,
                    origin,
                    status: RuleStatus::Manual,
                    entities: Vec::new(),
                    error: None,
                    diagnostics: Vec::new(),
                    waived: Vec::new(),
                    accounts_without_entities: Vec::new(),
                };
                (report, None)
            }
        }
    }
}

/// The error of a rule's entity type that `graph` does not hold.
fn absent_type(rule: &CheckedRule, graph: &EntityGraph) -> Option<UnknownEntityType> {
    graph.check_type(rule.entity()).err()
}

/// The report of a rule from its results; a rule that found nothing to check because
/// the snapshot holds no entity of its type gets a note saying so.
fn results_report(
    meta: Metadata,
    origin: String,
    rule: &CheckedRule,
    entities: Vec<EntityResult>,
    census: &EntityGraph,
) -> PolicyReport {
    let result = RuleResult { entities };
    let mut report = PolicyReport {
        meta,
        origin,
        status: RuleStatus::of(&result),
        entities: result.entities,
        error: None,
        diagnostics: Vec::new(),
        waived: Vec::new(),
        accounts_without_entities: Vec::new(),
    };
    if report.status == RuleStatus::NotApplicable {
        if let Some(missing) = absent_type(rule, census) {
            let mut note = Problem::of(&missing);
            note.level = Level::Note;
            note.message = format!("no entities of type `{}` in the snapshot", missing.name);
            report.diagnostics = vec![note];
        }
    }
    report
}

/// The property paths seen on each entity type (lower-cased name) of one batch, shared
/// by the rules over that type.
pub(super) type SeenPaths = HashMap<String, BTreeSet<String>>;

/// What a rule found over the snapshot beyond its results: the accounts without an
/// entity of its type, and (for a type the collectors do not build) the property paths
/// no entity of the type has. Gathered a batch of accounts at a time.
#[derive(Debug, Clone, Default)]
pub(super) struct Coverage {
    /// Accounts holding no entity of the rule's type (rules over single entities).
    empty_accounts: Vec<String>,
    /// Whether any account holds an entity of the type.
    any_entities: bool,
    /// The paths no entity of the batches seen so far has; `None` before the first
    /// batch holding an entity of the type.
    unseen: Option<Vec<Unresolved>>,
}

impl Coverage {
    /// Add what `graph` (one batch) says about `prepared` (nothing if it cannot run).
    pub(super) fn survey(
        &mut self,
        prepared: &PreparedRule,
        graph: &EntityGraph,
        seen: &mut SeenPaths,
    ) {
        let Some(rule) = prepared.checked() else {
            return;
        };
        let ty = rule.entity();
        let mut batch_has = false;
        for account in graph.accounts() {
            if graph
                .entities_in(ty, &account.account_number, None)
                .is_empty()
            {
                // An account is surveyed once (accounts are unique in a snapshot, and
                // a batch holds each once), so no search of the list: that search was
                // quadratic over an organization. An account whose data of the type
                // could not be collected has `unknown` results instead.
                if !rule.is_list()
                    && graph
                        .errors_affecting(&account.account_number, None, ty)
                        .is_empty()
                {
                    self.empty_accounts.push(account.account_number.clone());
                }
            } else {
                batch_has = true;
            }
        }
        self.any_entities |= batch_has;
        if !batch_has || crate::entity::schema::entity_schema(ty).is_some() {
            return;
        }
        let seen = seen
            .entry(ty.to_lowercase())
            .or_insert_with(|| props::seen_paths(graph, ty));
        let unseen = props::unseen_properties(rule, seen);
        self.unseen = Some(match self.unseen.take() {
            None => unseen,
            // Unseen in the whole snapshot: in every batch that has the type.
            Some(before) => before.into_iter().filter(|u| unseen.contains(u)).collect(),
        });
    }

    /// A warning per path no entity of the rule's type has.
    fn unseen_warnings(
        &self,
        rule: &CheckedRule,
        source: &str,
        origin: &str,
    ) -> Vec<UnseenProperty> {
        self.unseen
            .iter()
            .flatten()
            .map(|u| UnseenProperty::new(u, rule.entity(), source, origin))
            .collect()
    }

    /// Write the coverage into the policy's report: a note naming the accounts without
    /// entities, a warning per unseen path (with `strict`, an error: the policy's status
    /// becomes `error`, and the diagnostic to print is returned).
    fn report(
        self,
        source: &str,
        origin: &str,
        rule: &CheckedRule,
        report: &mut PolicyReport,
        strict: bool,
    ) -> Option<miette::Report> {
        let warnings = self.unseen_warnings(rule, source, origin);
        if self.any_entities && !self.empty_accounts.is_empty() {
            let n = self.empty_accounts.len();
            let shown: Vec<&str> = self
                .empty_accounts
                .iter()
                .take(10)
                .map(String::as_str)
                .collect();
            let more = if n > 10 {
                format!(" and {} more", n - 10)
            } else {
                String::new()
            };
            report.diagnostics.push(Problem {
                level: Level::Note,
                code: "gsl::eval::no_entities_in_account".into(),
                message: format!(
                    "nothing to check in {n} account(s) without a `{}` entity: {}{more}",
                    rule.entity(),
                    shown.join(", ")
                ),
                help: Some(
                    "nothing passed there; a control that needs the resource to exist is written as a List<..> rule (docs/policies.md)"
                        .into(),
                ),
                span: None,
            });
            report.accounts_without_entities = self.empty_accounts;
        }
        if warnings.is_empty() {
            return None;
        }
        let mut problems: Vec<Problem> = warnings.iter().map(|w| Problem::of(w)).collect();
        if !strict {
            report.diagnostics.extend(problems);
            return None;
        }
        for p in &mut problems {
            p.level = Level::Error;
        }
        report.status = RuleStatus::Error;
        report.error = Some(format!("{} (an error with --strict)", warnings[0]));
        report.diagnostics.extend(problems);
        Some(miette::Report::new(StrictErrors(warnings)))
    }
}

/// The unseen properties of one rule under `--strict`, as one diagnostic.
#[derive(Debug, thiserror::Error)]
#[error("rule cannot be evaluated with --strict: a property no entity has")]
struct StrictErrors(Vec<UnseenProperty>);

impl Diagnostic for StrictErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("gsl::eval::strict"))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(
            "fix the path, or run without --strict to get a warning instead",
        ))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.0.iter().map(|w| w as &dyn Diagnostic)))
    }
}
