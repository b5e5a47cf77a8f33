//! `gsl check`: run policies over a snapshot (or a live account).

use super::render::{self, TextOptions};
use super::{load_snapshot, Exit, Format, Io, SnapshotArgs};
use chrono::{DateTime, Utc};
use gsl::entity::graph::EntityGraph;
use gsl::entity::Snapshot;
use gsl::policy::{self, Policy};
use std::io::Write;
use std::path::PathBuf;

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

/// The policies to run, and the files that could not be loaded.
fn load_policies(args: &CheckArgs) -> miette::Result<(Vec<Policy>, Vec<policy::PolicyError>)> {
    let (mut policies, errors) = if args.paths.is_empty() {
        (policy::builtin_policies()?, Vec::new())
    } else {
        let loaded = policy::load_policies(&args.paths)?;
        (loaded.policies, loaded.errors)
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
    Ok((policies, errors))
}

#[cfg_attr(not(feature = "aws"), allow(unused_variables))]
fn acquire_snapshot(args: &CheckArgs, err: &mut dyn Write) -> miette::Result<(Snapshot, String)> {
    #[cfg(feature = "aws")]
    if args.live {
        let snapshot = super::live::collect_snapshot(&args.live_args, err)?;
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
pub fn run(args: &CheckArgs, io: &mut Io<'_>) -> miette::Result<Exit> {
    let (policies, load_errors) = load_policies(args)?;
    for e in &load_errors {
        let _ = writeln!(io.err, "{}", super::render_diagnostic(e));
    }
    let (snapshot, name) = acquire_snapshot(args, io.err)?;
    let opts = gsl::run::eval_options(&snapshot, args.now);
    let graph = EntityGraph::named(snapshot, &name);
    let run = gsl::check(&policies, &graph, &opts);
    for d in &run.diagnostics {
        let _ = writeln!(io.err, "{}", super::render_diagnostic(d.as_ref()));
    }
    for r in &run.policies {
        if r.error.is_none() {
            for note in &r.diagnostics {
                let _ = writeln!(io.err, "{}: note: {}", r.origin, super::note_text(note));
            }
        }
    }
    let text = match args.format {
        Format::Text => render::render_check(
            &run.snapshot,
            &run.policies,
            TextOptions {
                verbose: args.verbose,
                color: io.color,
            },
        ),
        Format::Json => run.document().to_json(),
    };
    let _ = io.out.write_all(text.as_bytes());
    if !load_errors.is_empty() {
        let _ = writeln!(
            io.err,
            "error: {} policy file(s) could not be loaded (shown above); the others ran",
            load_errors.len()
        );
        return Ok(Exit::Error);
    }
    Ok(Exit::of(&run.summary))
}
