//! The library facade: run policies over an entity graph and get the result model
//! back, with no command line involved.
//!
//! ```
//! use gsl::entity::{graph::EntityGraph, load::parse_snapshot, SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME};
//!
//! let snapshot = parse_snapshot(SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME).unwrap();
//! let opts = gsl::run::eval_options(&snapshot, None);
//! let graph = EntityGraph::named(snapshot, SAMPLE_SNAPSHOT_NAME);
//! let policies = gsl::policy::builtin_policies().unwrap();
//! let run = gsl::check(&policies, &graph, &opts);
//! assert_eq!(run.summary.rules, policies.len());
//! assert!(run.summary.failed > 0); // the sample account is built to show failures
//! ```
//!
//! [`check`] parses, checks and evaluates each policy; a policy that does not parse or
//! check is reported with status `error` and its diagnostics (with stable codes), and
//! the others still run. [`eval_rule`] does the same for one rule text (`gsl eval`).

use crate::entity::graph::EntityGraph;
use crate::entity::stream::{SnapshotSource, StreamError};
use crate::entity::Snapshot;
use crate::lang::eval::{self, CheckedRule, EntityResult, EvalOptions, RuleResult};
use crate::lang::parser;
use crate::policy::{Metadata, Policy, Severity};
use crate::report::{PolicyReport, Problem, RuleStatus, SnapshotInfo, Summary};
use chrono::{DateTime, Utc};
use miette::Diagnostic;
use rayon::prelude::*;

/// The evaluation options for a snapshot: "now" for `before()`/`after()` is `now` if
/// given, else the snapshot's collection time (so re-checking an old snapshot gives
/// the answer it had when it was collected), else the clock.
pub fn eval_options(snapshot: &Snapshot, now: Option<DateTime<Utc>>) -> EvalOptions {
    eval_options_at(snapshot.collected_at.as_deref(), now)
}

/// [`eval_options`] from a collection time (RFC 3339) alone.
pub fn eval_options_at(collected_at: Option<&str>, now: Option<DateTime<Utc>>) -> EvalOptions {
    let now = now
        .or_else(|| {
            collected_at
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
        })
        .unwrap_or_else(Utc::now);
    EvalOptions::at(now)
}

/// The result of a run: what was checked, one report per policy, and the counts.
#[derive(Debug)]
pub struct CheckRun {
    /// What was checked (the snapshot's name, time, accounts, collection errors).
    pub snapshot: SnapshotInfo,
    /// One report per policy, in the order given.
    pub policies: Vec<PolicyReport>,
    /// Counts of the policies' statuses.
    pub summary: Summary,
    /// The diagnostics of policies that could not run (parse and check errors), with
    /// their source attached so they render with the rule underlined.
    pub diagnostics: Vec<miette::Report>,
}

impl CheckRun {
    /// The JSON document of this run (see `docs/report.schema.json`).
    pub fn document(&self) -> crate::report::Document<'_> {
        crate::report::Document::new(&self.snapshot, &self.policies)
    }

    /// Report policy files that could not be loaded as policies with status `error`
    /// (after the others, in the order given), so every format lists them: a broken file
    /// must not vanish from a report. The policy id is the file's path.
    pub fn add_unloadable(&mut self, errors: &[crate::policy::PolicyError]) {
        for e in errors {
            let origin = e.origin();
            let mut meta = adhoc_metadata(&format!("policy file could not be loaded: {e}"));
            meta.id = origin.clone();
            self.policies.push(PolicyReport {
                meta,
                origin,
                status: RuleStatus::Error,
                entities: Vec::new(),
                error: Some(e.to_string()),
                diagnostics: Problem::all(e),
                waived: Vec::new(),
                accounts_without_entities: Vec::new(),
            });
        }
        self.summary = Summary::of(&self.policies);
    }

    /// Mark the findings that `waivers` accept as waived, and recount.
    pub fn apply_waivers(&mut self, waivers: &crate::report::waiver::Waivers) {
        for p in &mut self.policies {
            waivers.apply(p);
        }
        self.summary = Summary::of(&self.policies);
    }
}

/// Run `policies` over `graph`. Every policy yields a report, in order.
pub fn check(policies: &[Policy], graph: &EntityGraph, opts: &EvalOptions) -> CheckRun {
    let info = SnapshotInfo::of(graph, graph.name());
    let once = std::iter::once(Ok::<&EntityGraph, std::convert::Infallible>(graph));
    match check_batches(policies, once, graph, info, opts, &mut |_| {}) {
        Ok(run) => run,
        Err(never) => match never {},
    }
}

/// Run `policies` over a snapshot file read a batch of accounts at a time
/// ([`SnapshotSource`]), so memory holds one batch, not the whole organization. The
/// reports are those of one run over the whole snapshot. `on_batch` is told the number
/// of accounts of each batch when it is done (for a progress bar).
pub fn check_source(
    policies: &[Policy],
    source: SnapshotSource,
    name: &str,
    opts: &EvalOptions,
    on_batch: &mut dyn FnMut(usize),
) -> Result<CheckRun, StreamError> {
    let census = source.census_graph();
    let info = SnapshotInfo::new(
        name,
        source.collected_at(),
        source.account_numbers(),
        source.errors(),
    );
    check_batches(
        policies,
        source.into_graphs(),
        &census,
        info,
        opts,
        on_batch,
    )
}

/// The one loop of a run: each policy is parsed and checked once, evaluated on every
/// graph (a batch of accounts; the accounts and policies of a batch in parallel,
/// account by account), and its results concatenated in order. `census` answers which
/// entity types the whole snapshot holds.
pub fn check_batches<G, E>(
    policies: &[Policy],
    graphs: impl IntoIterator<Item = Result<G, E>>,
    census: &EntityGraph,
    info: SnapshotInfo,
    opts: &EvalOptions,
    on_batch: &mut dyn FnMut(usize),
) -> Result<CheckRun, E>
where
    G: std::borrow::Borrow<EntityGraph>,
{
    let prepared: Vec<Prepared> = policies
        .iter()
        .map(|p| prepare(&p.source, &p.origin, &p.meta, census))
        .collect();
    let mut entities: Vec<Vec<EntityResult>> = vec![Vec::new(); policies.len()];
    let mut coverage: Vec<Coverage> = vec![Coverage::default(); policies.len()];
    for graph in graphs {
        let graph = graph?;
        let graph = graph.borrow();
        // Every (account, policy) pair, account after account: a thread takes a run of
        // consecutive pairs, so it reads one account's entities for all the policies
        // while they are in the processor's caches (one pass over the batch, not one
        // per policy). The results go to their policies in account order, as
        // `evaluate` would give them.
        let m = prepared.len();
        let pairs = graph.accounts().len() * m;
        let batch: Vec<Vec<EntityResult>> = (0..pairs)
            .into_par_iter()
            .map(|k| match &prepared[k % m] {
                Prepared::Ready(rule) => eval::evaluate_account(rule, graph, k / m, opts),
                Prepared::Failed(..) => Vec::new(),
            })
            .collect();
        for (k, more) in batch.into_iter().enumerate() {
            entities[k % m].extend(more);
        }
        survey(&prepared, graph, &mut coverage);
        on_batch(graph.accounts().len());
    }
    let mut diagnostics = Vec::new();
    let reports: Vec<PolicyReport> = policies
        .iter()
        .zip(prepared)
        .zip(entities.into_iter().zip(coverage))
        .map(|((p, prepared), (entities, coverage))| match prepared {
            Prepared::Ready(rule) => {
                let mut report = finish(&p.meta, &p.origin, &rule, entities, census);
                if let Some(diag) =
                    coverage.report(&p.source, &p.origin, &rule, &mut report, opts.strict)
                {
                    diagnostics.push(diag);
                }
                report
            }
            Prepared::Failed(report, diag) => {
                diagnostics.push(diag);
                *report
            }
        })
        .collect();
    Ok(CheckRun {
        snapshot: info,
        summary: Summary::of(&reports),
        policies: reports,
        diagnostics,
    })
}

/// What a rule found over the snapshot beyond its results: the accounts without an
/// entity of its type, and (for a type the collectors do not build) the property paths
/// no entity of the type has. Gathered a batch of accounts at a time.
#[derive(Debug, Clone, Default)]
struct Coverage {
    /// Accounts holding no entity of the rule's type (rules over single entities).
    empty_accounts: Vec<String>,
    /// Whether any account holds an entity of the type.
    any_entities: bool,
    /// The paths no entity of the batches seen so far has; `None` before the first
    /// batch holding an entity of the type.
    unseen: Option<Vec<eval::props::Unresolved>>,
}

/// Add what `graph` (one batch) says to the coverage of each rule.
fn survey(prepared: &[Prepared], graph: &EntityGraph, coverage: &mut [Coverage]) {
    let mut paths: std::collections::HashMap<String, std::collections::BTreeSet<String>> =
        std::collections::HashMap::new();
    for (p, c) in prepared.iter().zip(coverage.iter_mut()) {
        let Prepared::Ready(rule) = p else { continue };
        let ty = rule.entity();
        let mut batch_has = false;
        for account in graph.accounts() {
            if graph
                .entities_in(ty, &account.account_number, None)
                .is_empty()
            {
                if !rule.is_list() && !c.empty_accounts.contains(&account.account_number) {
                    c.empty_accounts.push(account.account_number.clone());
                }
            } else {
                batch_has = true;
            }
        }
        c.any_entities |= batch_has;
        if !batch_has || crate::entity::schema::entity_schema(ty).is_some() {
            continue;
        }
        let seen = paths
            .entry(ty.to_lowercase())
            .or_insert_with(|| eval::props::seen_paths(graph, ty));
        let unseen = eval::props::unseen_properties(rule, seen);
        c.unseen = Some(match c.unseen.take() {
            None => unseen,
            // Unseen in the whole snapshot: in every batch that has the type.
            Some(before) => before.into_iter().filter(|u| unseen.contains(u)).collect(),
        });
    }
}

impl Coverage {
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
                level: crate::report::Level::Note,
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
        let unseen = self.unseen.unwrap_or_default();
        if unseen.is_empty() {
            return None;
        }
        let warnings: Vec<eval::props::UnseenProperty> = unseen
            .iter()
            .map(|u| eval::props::UnseenProperty::new(u, rule.entity(), source, origin))
            .collect();
        let mut problems: Vec<Problem> = warnings.iter().map(|w| Problem::of(w)).collect();
        if !strict {
            report.diagnostics.extend(problems);
            return None;
        }
        for p in &mut problems {
            p.level = crate::report::Level::Error;
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
struct StrictErrors(Vec<eval::props::UnseenProperty>);

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

/// A policy parsed and checked, or the report and diagnostic of why it cannot run.
enum Prepared {
    Ready(Box<CheckedRule>),
    Failed(Box<PolicyReport>, miette::Report),
}

/// `census` says which entity types the snapshot has: a rule over one of them is not
/// taken for a misspelt known type.
fn prepare(source: &str, origin: &str, meta: &Metadata, census: &EntityGraph) -> Prepared {
    let failed = |summary: String, diag: &dyn Diagnostic| {
        Box::new(PolicyReport {
            meta: meta.clone(),
            origin: origin.to_string(),
            status: RuleStatus::Error,
            entities: Vec::new(),
            error: Some(summary),
            diagnostics: Problem::all(diag),
            waived: Vec::new(),
            accounts_without_entities: Vec::new(),
        })
    };
    let rule = match parser::parse_rule_named(source, origin) {
        Ok(rule) => rule,
        Err(e) => return Prepared::Failed(failed(e.summary(), &e), e.into()),
    };
    match eval::check_rule_among(&rule, source, origin, &|ty| census.has_type(ty)) {
        Ok(checked) => Prepared::Ready(Box::new(checked)),
        Err(e) => Prepared::Failed(failed(e.to_string(), &e), e.into()),
    }
}

/// The report of a policy from its results; a rule that found nothing to check because
/// the snapshot holds no entity of its type gets a note saying so.
fn finish(
    meta: &Metadata,
    origin: &str,
    rule: &CheckedRule,
    entities: Vec<EntityResult>,
    census: &EntityGraph,
) -> PolicyReport {
    let result = RuleResult { entities };
    let mut report = PolicyReport {
        meta: meta.clone(),
        origin: origin.to_string(),
        status: RuleStatus::of(&result),
        entities: result.entities,
        error: None,
        diagnostics: Vec::new(),
        waived: Vec::new(),
        accounts_without_entities: Vec::new(),
    };
    if report.status == RuleStatus::NotApplicable {
        if let Err(missing) = census.check_type(rule.entity()) {
            let mut note = Problem::of(&missing);
            note.level = crate::report::Level::Note;
            note.message = format!("no entities of type `{}` in the snapshot", missing.name);
            report.diagnostics = vec![note];
        }
    }
    report
}

/// Run one policy: parse, check, evaluate. A rule that cannot run gives an `error`
/// report and its diagnostic.
pub fn check_policy(
    policy: &Policy,
    graph: &EntityGraph,
    opts: &EvalOptions,
) -> (PolicyReport, Option<miette::Report>) {
    run_source(&policy.source, &policy.origin, &policy.meta, graph, opts)
}

/// Evaluate one rule text (`gsl eval`): the report of an ad-hoc policy whose id is
/// `rule` and whose title is the rule. Parse and check errors are returned as the
/// error (with the rule underlined), so a caller can stop before loading anything.
pub fn eval_rule(
    rule: &str,
    graph: &EntityGraph,
    opts: &EvalOptions,
) -> Result<PolicyReport, miette::Report> {
    let meta = adhoc_metadata(rule);
    match run_source(rule, "rule", &meta, graph, opts) {
        (_, Some(diag)) => Err(diag),
        (report, None) => Ok(report),
    }
}

/// Parse and statically check a rule text without a snapshot: the first half of
/// [`eval_rule`], for callers that want to reject a bad rule before loading data.
pub fn check_rule_text(rule: &str, name: &str) -> Result<(), miette::Report> {
    check_rule_text_among(rule, name, &|_| false)
}

/// [`check_rule_text`] for a snapshot that has the entity types `has_type` accepts
/// (`|_| true` before the snapshot is loaded: whether a type name is a misspelling is
/// then left to [`eval_rule`], which knows the snapshot's types).
pub fn check_rule_text_among(
    rule: &str,
    name: &str,
    has_type: &dyn Fn(&str) -> bool,
) -> Result<(), miette::Report> {
    let parsed = parser::parse_rule_named(rule, name)?;
    eval::check_rule_among(&parsed, rule, name, has_type)?;
    Ok(())
}

/// The metadata of an ad-hoc rule (`gsl eval`).
pub fn adhoc_metadata(rule: &str) -> Metadata {
    Metadata {
        id: "rule".to_string(),
        title: rule.split_whitespace().collect::<Vec<_>>().join(" "),
        severity: Severity::Medium,
        description: String::new(),
        remediation: String::new(),
        references: Vec::new(),
        frameworks: Vec::new(),
    }
}

fn run_source(
    source: &str,
    origin: &str,
    meta: &Metadata,
    graph: &EntityGraph,
    opts: &EvalOptions,
) -> (PolicyReport, Option<miette::Report>) {
    match prepare(source, origin, meta, graph) {
        Prepared::Failed(report, diag) => (*report, Some(diag)),
        ready @ Prepared::Ready(_) => {
            let prepared = [ready];
            let mut coverage = [Coverage::default()];
            survey(&prepared, graph, &mut coverage);
            let [Prepared::Ready(rule)] = prepared else {
                unreachable!("matched as ready above")
            };
            let entities = eval::evaluate(&rule, graph, opts).entities;
            let mut report = finish(meta, origin, &rule, entities, graph);
            let [coverage] = coverage;
            let diag = coverage.report(source, origin, &rule, &mut report, opts.strict);
            (report, diag)
        }
    }
}
