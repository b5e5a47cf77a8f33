//! `gsl check`: run policies over a snapshot (or a live account).

use super::eval::{eval_options, missing_type_note};
use super::{load_snapshot, Format, SnapshotArgs};
use crate::entity::graph::EntityGraph;
use crate::entity::Snapshot;
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
            return fail(e.summary());
        }
    };
    let rule = match eval::check_rule_src(&rule, &policy.source, &policy.origin) {
        Ok(checked) => checked,
        Err(e) => {
            diagnostics.push(render_diagnostic(&e));
            return fail(format!("{e}"));
        }
    };
    let result = eval::evaluate(&rule, graph, opts);
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

fn acquire_snapshot(args: &CheckArgs) -> miette::Result<(Snapshot, String)> {
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
        return Ok((snapshot, "live account".to_string()));
    }
    load_snapshot(&args.source)
}

/// Run `gsl check`.
pub fn run(args: &CheckArgs) -> miette::Result<ExitCode> {
    let policies = load_policies(args)?;
    let (snapshot, name) = acquire_snapshot(args)?;
    let opts = eval_options(args.now, snapshot.collected_at.as_deref());
    let info = SnapshotInfo {
        name,
        collected_at: snapshot.collected_at.clone(),
        accounts: snapshot
            .accounts
            .iter()
            .map(|a| a.account_number.clone())
            .collect(),
        collection_errors: snapshot
            .errors
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
    let graph = EntityGraph::new(snapshot);
    let mut diagnostics = Vec::new();
    let reports: Vec<PolicyReport> = policies
        .iter()
        .map(|p| run_policy(p, &graph, &opts, &mut diagnostics))
        .collect();
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
