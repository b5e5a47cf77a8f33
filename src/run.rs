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
//! Both, and every other tool that runs a rule (`gsl test`, the REPL, the language
//! server), go through [`PreparedRule`]: one rule parsed and checked once, its
//! diagnostics, what a snapshot says about it, and its report.

mod prepared;

pub use prepared::{PreparedRule, RuleError, SnapshotWarnings};

use crate::entity::graph::EntityGraph;
use crate::entity::stream::{SnapshotSource, StreamError};
use crate::entity::Snapshot;
use crate::lang::eval::{EntityResult, EvalOptions};
use crate::params::Params;
use crate::policy::{Metadata, Policy, Severity};
use crate::report::{PolicyReport, Problem, RuleStatus, SnapshotInfo, Summary};
use chrono::{DateTime, Utc};
use prepared::{Coverage, SeenPaths};
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

/// The one loop of a run: each policy is prepared once ([`PreparedRule`]), evaluated on
/// every graph (a batch of accounts; the accounts and policies of a batch in parallel,
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
    let has_type = |ty: &str| census.has_type(ty);
    let prepared: Vec<PreparedRule> = policies
        .iter()
        .map(|p| PreparedRule::policy_with(p, &opts.params).among(&opts.params, &has_type))
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
            .map(|k| prepared[k % m].evaluate_account(graph, k / m, opts))
            .collect();
        for (k, more) in batch.into_iter().enumerate() {
            entities[k % m].extend(more);
        }
        let mut seen = SeenPaths::new();
        for (rule, c) in prepared.iter().zip(coverage.iter_mut()) {
            c.survey(rule, graph, &mut seen);
        }
        on_batch(graph.accounts().len());
    }
    let mut diagnostics = Vec::new();
    let reports: Vec<PolicyReport> = prepared
        .into_iter()
        .zip(entities.into_iter().zip(coverage))
        .map(|(rule, (entities, coverage))| {
            let (report, diag) = rule.finish(entities, coverage, census, opts.strict);
            diagnostics.extend(diag);
            report
        })
        .collect();
    Ok(CheckRun {
        snapshot: info,
        summary: Summary::of(&reports),
        policies: reports,
        diagnostics,
    })
}

/// Run one policy: parse, check, evaluate ([`PreparedRule::run`]). A rule that cannot
/// run gives an `error` report and its diagnostic.
pub fn check_policy(
    policy: &Policy,
    graph: &EntityGraph,
    opts: &EvalOptions,
) -> (PolicyReport, Option<miette::Report>) {
    PreparedRule::policy_with(policy, &opts.params)
        .among(&opts.params, &|ty| graph.has_type(ty))
        .run(graph, opts)
}

/// Evaluate one rule text (`gsl eval`): the report of an ad-hoc policy whose id is
/// `rule` and whose title is the rule. Parse and check errors are returned as the
/// error (with the rule underlined), so a caller can stop before loading anything.
pub fn eval_rule(
    rule: &str,
    graph: &EntityGraph,
    opts: &EvalOptions,
) -> Result<PolicyReport, miette::Report> {
    match PreparedRule::new_with(rule, "rule", &opts.params)
        .among(&opts.params, &|ty| graph.has_type(ty))
        .run(graph, opts)
    {
        (_, Some(diag)) => Err(diag),
        (report, None) => Ok(report),
    }
}

/// Parse and statically check a rule text without a snapshot: the first half of
/// [`eval_rule`], for callers that want to reject a bad rule before loading data.
/// `$Name` parameters take gsl's defaults.
pub fn check_rule_text(rule: &str, name: &str) -> Result<(), miette::Report> {
    check_rule_text_with(rule, name, &Params::defaults())
}

/// [`check_rule_text`] with the given parameters.
pub fn check_rule_text_with(rule: &str, name: &str, params: &Params) -> Result<(), miette::Report> {
    check_rule_text_among(rule, name, params, &|_| false)
}

/// [`check_rule_text_with`] for a snapshot that has the entity types `has_type` accepts
/// (`|_| true` before the snapshot is loaded: whether a type name is a misspelling is
/// then left to [`eval_rule`], which knows the snapshot's types).
pub fn check_rule_text_among(
    rule: &str,
    name: &str,
    params: &Params,
    has_type: &dyn Fn(&str) -> bool,
) -> Result<(), miette::Report> {
    match PreparedRule::new_with(rule, name, params)
        .among(params, has_type)
        .ready()
    {
        Ok(_) => Ok(()),
        Err(e) => Err(e.into_report()),
    }
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
        manual: None,
    }
}
