//! `gsl check`: run policies over a snapshot (or a live account).

use super::eval::{eval_options, missing_type_note};
use super::{load_snapshot, Format, SnapshotArgs};
use crate::entity::graph::EntityGraph;
use crate::entity::stream::SnapshotSource;
use crate::lang::ast::Rule;
use crate::lang::{eval, parser};
use crate::policy::{self, Policy};
use crate::report::{self, PolicyReport, RuleStatus, SnapshotInfo, Summary, TextOptions};
use chrono::{DateTime, Utc};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// `gsl check` arguments.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Policy files or directories of .gsl files (default: the built-in policies).
    pub paths: Vec<PathBuf>,
    /// Where the entities come from.
    #[command(flatten)]
    pub source: SnapshotArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t)]
    pub format: Format,
    /// Also list passing and not-relevant objects.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Run only the policies with these ids (repeatable).
    #[arg(long = "id", value_name = "ID")]
    pub ids: Vec<String>,
    /// "Now" for before()/after() (RFC 3339). Default: the snapshot's collection time.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<DateTime<Utc>>,
    /// Collect from the live AWS account, then check.
    #[cfg(feature = "aws")]
    #[arg(long, conflicts_with = "snapshot")]
    pub live: bool,
    /// With --live: also save the collected snapshot to FILE.
    #[cfg(feature = "aws")]
    #[arg(long, value_name = "FILE", requires = "live")]
    pub save: Option<PathBuf>,
    /// Live collection options (with --live).
    #[cfg(feature = "aws")]
    #[command(flatten)]
    pub live_args: super::live::LiveArgs,
}

fn render_diagnostic(err: &dyn miette::Diagnostic) -> String {
    let mut s = String::new();
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    if handler.render_report(&mut s, err).is_err() {
        s = err.to_string();
    }
    s
}

/// Evaluate one policy; parse and check errors become an `Error` report.
pub fn run_policy(
    policy: &Policy,
    graph: &EntityGraph,
    opts: &eval::EvalOptions,
    diagnostics: &mut Vec<String>,
) -> PolicyReport {
    match prepare_policy(policy, diagnostics) {
        Ok(rule) => {
            let result = eval::evaluate(&rule, graph, opts);
            finish_policy(policy, &rule, result, graph, diagnostics)
        }
        Err(report) => *report,
    }
}

/// Parse and check a policy's rule; errors become an `Error` report.
fn prepare_policy(
    policy: &Policy,
    diagnostics: &mut Vec<String>,
) -> Result<Rule, Box<PolicyReport>> {
    let fail = |message: String| PolicyReport {
        meta: policy.meta.clone(),
        origin: policy.origin.clone(),
        status: RuleStatus::Error,
        entities: Vec::new(),
        error: Some(message),
    };
    let rule = match parser::parse_rule_named(&policy.source, &policy.origin) {
        Ok(rule) => rule,
        Err(e) => {
            diagnostics.push(render_diagnostic(&e));
            return Err(Box::new(fail(e.summary())));
        }
    };
    if let Err(e) = eval::check_rule_src(&rule, &policy.source, &policy.origin) {
        diagnostics.push(render_diagnostic(&e));
        return Err(Box::new(fail(format!("{e}"))));
    }
    Ok(rule)
}

/// The report of a policy from its results over the whole snapshot; `graph` answers
/// which entity types the snapshot holds.
fn finish_policy(
    policy: &Policy,
    rule: &Rule,
    result: eval::RuleResult,
    graph: &EntityGraph,
    diagnostics: &mut Vec<String>,
) -> PolicyReport {
    let mut report = PolicyReport {
        meta: policy.meta.clone(),
        origin: policy.origin.clone(),
        status: RuleStatus::of(&result),
        entities: result.entities,
        error: None,
    };
    if report.status == RuleStatus::NotApplicable {
        if let Some(note) = missing_type_note(graph, &rule.target.entity.name) {
            report.error = None;
            diagnostics.push(format!("{}: note: {note}", policy.origin));
        }
    }
    report
}

/// Run the policies over the snapshot a batch of accounts at a time (see
/// [`crate::entity::stream`]): the reports are those of one run over the whole
/// snapshot, and the diagnostics come in policy order.
fn run_policies(
    policies: &[Policy],
    source: SnapshotSource,
    opts: &eval::EvalOptions,
) -> miette::Result<(Vec<PolicyReport>, Vec<String>)> {
    let mut diagnostics: Vec<Vec<String>> = vec![Vec::new(); policies.len()];
    let prepared: Vec<Result<Rule, Box<PolicyReport>>> = policies
        .iter()
        .zip(diagnostics.iter_mut())
        .map(|(p, d)| prepare_policy(p, d))
        .collect();
    let census = source.census_graph();
    let mut results: Vec<eval::RuleResult> = policies
        .iter()
        .map(|_| eval::RuleResult {
            entities: Vec::new(),
        })
        .collect();
    for graph in source.into_graphs() {
        let graph = graph?;
        for (rule, result) in prepared.iter().zip(results.iter_mut()) {
            if let Ok(rule) = rule {
                result
                    .entities
                    .extend(eval::evaluate(rule, &graph, opts).entities);
            }
        }
    }
    let reports = policies
        .iter()
        .zip(prepared)
        .zip(results)
        .zip(diagnostics.iter_mut())
        .map(|(((p, prepared), result), d)| match prepared {
            Ok(rule) => finish_policy(p, &rule, result, &census, d),
            Err(report) => *report,
        })
        .collect();
    Ok((reports, diagnostics.into_iter().flatten().collect()))
}

fn load_policies(args: &CheckArgs) -> miette::Result<Vec<Policy>> {
    let mut policies = if args.paths.is_empty() {
        policy::builtin_policies()?
    } else {
        policy::find_policy_files(&args.paths)?
            .iter()
            .map(|p| policy::load_policy_file(p))
            .collect::<Result<Vec<_>, _>>()?
    };
    if !args.ids.is_empty() {
        let known: Vec<String> = policies.iter().map(|p| p.meta.id.clone()).collect();
        for id in &args.ids {
            if !known.iter().any(|k| k == id) {
                return Err(miette::miette!(
                    code = "gsl::check::unknown_id",
                    help = "`gsl policies` lists the built-in policy ids",
                    "no policy with id `{id}`"
                ));
            }
        }
        policies.retain(|p| args.ids.contains(&p.meta.id));
    }
    Ok(policies)
}

fn acquire_snapshot(args: &CheckArgs) -> miette::Result<(SnapshotSource, String)> {
    #[cfg(feature = "aws")]
    if args.live {
        let snapshot = super::live::collect_snapshot(&args.live_args)?;
        if let Some(path) = &args.save {
            let json = serde_json::to_string_pretty(&snapshot)
                .map_err(|e| miette::miette!("cannot encode the snapshot: {e}"))?;
            std::fs::write(path, json + "\n").map_err(|e| {
                miette::miette!(
                    code = "gsl::check::save",
                    "cannot write snapshot {}: {e}",
                    path.display()
                )
            })?;
        }
        return Ok((SnapshotSource::Whole(snapshot), "live account".to_string()));
    }
    match &args.source.snapshot {
        // A file is read a batch of accounts at a time.
        Some(path) => {
            let name = path.display().to_string();
            Ok((SnapshotSource::open(path, &name)?, name))
        }
        None => {
            let (snapshot, name) = load_snapshot(&args.source)?;
            Ok((SnapshotSource::Whole(snapshot), name))
        }
    }
}

/// Run `gsl check`.
pub fn run(args: &CheckArgs) -> miette::Result<ExitCode> {
    let policies = load_policies(args)?;
    let (source, name) = acquire_snapshot(args)?;
    let opts = eval_options(args.now, source.collected_at());
    let info = SnapshotInfo {
        name,
        collected_at: source.collected_at().map(str::to_string),
        accounts: source.account_numbers(),
        collection_errors: source
            .errors()
            .iter()
            .map(|e| {
                format!(
                    "{}/{}: {} {}: {} ({})",
                    e.account_number,
                    e.region.as_deref().unwrap_or("global"),
                    e.service,
                    e.operation,
                    e.code,
                    e.message
                )
            })
            .collect(),
    };
    let (reports, diagnostics) = run_policies(&policies, source, &opts)?;
    for d in &diagnostics {
        eprintln!("{d}");
    }
    let mut out = std::io::stdout().lock();
    let text = match args.format {
        Format::Text => report::render_check_text(
            &info,
            &reports,
            TextOptions {
                verbose: args.verbose,
                color: super::color_stdout(),
            },
        ),
        Format::Json => report::render_check_json(&info, &reports) + "\n",
    };
    let _ = out.write_all(text.as_bytes());
    Ok(ExitCode::from(Summary::of(&reports).exit_code()))
}
