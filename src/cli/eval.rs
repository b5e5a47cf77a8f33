//! `gsl eval` and `gsl parse`.

use super::{load_snapshot, Format, SnapshotArgs};
use crate::entity::graph::EntityGraph;
use crate::lang::eval::{self, EvalOptions};
use crate::lang::{parser, printer};
use crate::report::{self, TextOptions};
use chrono::{DateTime, Utc};
use std::io::Write;
use std::process::ExitCode;

/// `gsl eval` arguments.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// The rule, e.g. "CloudTrail should have isMultiRegionTrail=true" (quote it).
    pub rule: String,
    /// Where the entities come from.
    #[command(flatten)]
    pub source: SnapshotArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t)]
    pub format: Format,
    /// Explain passing objects too.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// "Now" for before()/after() (RFC 3339). Default: the snapshot's collection time,
    /// so re-checking an old snapshot gives the answer it had when collected.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<DateTime<Utc>>,
}

/// `gsl parse` arguments.
#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// The rule (quote it).
    pub rule: String,
    /// Print the syntax tree instead of the canonical text.
    #[arg(long)]
    pub ast: bool,
}

/// The evaluation time: `--now`, else the snapshot's collection time, else the clock.
pub fn eval_options(now: Option<DateTime<Utc>>, collected_at: Option<&str>) -> EvalOptions {
    let now = now
        .or_else(|| {
            collected_at
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
        })
        .unwrap_or_else(Utc::now);
    EvalOptions::at(now)
}

/// A note when the rule's entity type is absent from the graph.
pub fn missing_type_note(graph: &EntityGraph, entity: &str) -> Option<String> {
    let types = graph.types();
    if types.iter().any(|(t, _)| t.eq_ignore_ascii_case(entity)) {
        return None;
    }
    let present = types
        .iter()
        .map(|(t, n)| format!("{t} ({n})"))
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!(
        "no entities of type `{entity}` in the snapshot; types present: {}",
        if present.is_empty() { "none" } else { &present }
    ))
}

/// Run `gsl eval`.
pub fn run_eval(args: &EvalArgs) -> miette::Result<ExitCode> {
    let rule = parser::parse_rule_named(&args.rule, "rule")?;
    let rule = eval::check_rule_src(&rule, &args.rule, "rule")?;
    let (snapshot, _name) = load_snapshot(&args.source)?;
    let opts = eval_options(args.now, snapshot.collected_at.as_deref());
    let graph = EntityGraph::new(snapshot);
    if let Some(note) = missing_type_note(&graph, &rule.target.entity.name) {
        eprintln!("note: {note}");
    }
    let result = eval::evaluate(&rule, &graph, &opts);
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Text => {
            let text = report::render_rule_text(
                &result,
                TextOptions {
                    verbose: args.verbose,
                    color: super::color_stdout(),
                },
            );
            let _ = out.write_all(text.as_bytes());
        }
        Format::Json => {
            let json = serde_json::to_string_pretty(&result)
                .map_err(|e| miette::miette!("cannot encode the result: {e}"))?;
            let _ = writeln!(out, "{json}");
        }
    }
    let status = report::RuleStatus::of(&result);
    Ok(ExitCode::from(match status {
        report::RuleStatus::Error => 2,
        report::RuleStatus::Failed | report::RuleStatus::Unknown => 1,
        report::RuleStatus::Passed | report::RuleStatus::NotApplicable => 0,
    }))
}

/// Run `gsl parse`.
pub fn run_parse(args: &ParseArgs) -> miette::Result<ExitCode> {
    let rule = parser::parse_rule(&args.rule)?;
    let mut out = std::io::stdout().lock();
    if args.ast {
        let _ = writeln!(out, "{rule:#?}");
    } else {
        let _ = writeln!(out, "{}", printer::print_rule(&rule));
    }
    Ok(ExitCode::SUCCESS)
}
