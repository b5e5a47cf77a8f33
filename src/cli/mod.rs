//! The `gsl` command line. Subcommands live in one module each; this module parses
//! arguments, loads snapshots and policies, and maps results to exit codes:
//! 0 all relevant objects pass, 1 some fail (or are unknown), 2 usage, parse or load error.

pub mod check;
pub mod eval;
#[cfg(feature = "aws")]
pub mod live;
pub mod pattern;
pub mod repl;

use crate::entity::{self, Snapshot};
use clap::{Parser, Subcommand, ValueEnum};
use is_terminal::IsTerminal;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// gsl: run GSL governance policies over cloud entity snapshots.
#[derive(Debug, Parser)]
#[command(name = "gsl", version, about, long_about = None)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run policies (.gsl files) over a snapshot; with no path, the built-in policies.
    Check(check::CheckArgs),
    /// Evaluate one rule over a snapshot and explain every result.
    Eval(eval::EvalArgs),
    /// Parse a rule and print it in canonical form (or its AST).
    Parse(eval::ParseArgs),
    /// CloudWatch Logs filter patterns: canonical form, equality, matching, coverage.
    #[command(subcommand)]
    Pattern(pattern::PatternCmd),
    /// Collect a snapshot from a live AWS account.
    #[cfg(feature = "aws")]
    Collect(live::CollectArgs),
    /// Explore a snapshot and try rules interactively.
    Repl(ReplArgs),
    /// List the built-in policies.
    Policies,
}

/// Output formats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// For tools.
    Json,
}

/// Where the entities come from.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SnapshotArgs {
    /// Snapshot file (default: the sample account built into gsl, examples/sample-account.json).
    #[arg(long, short = 's', value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
}

/// `gsl repl` arguments.
#[derive(Debug, clap::Args)]
pub struct ReplArgs {
    /// Where the entities come from.
    #[command(flatten)]
    pub source: SnapshotArgs,
    /// Collect from a live AWS account instead of reading a snapshot.
    #[cfg(feature = "aws")]
    #[arg(long, conflicts_with = "snapshot")]
    pub live: bool,
    /// Live collection options (with --live).
    #[cfg(feature = "aws")]
    #[command(flatten)]
    pub live_args: live::LiveArgs,
}

/// Entry point of the `gsl` binary.
pub fn main() -> ExitCode {
    install_miette_hook();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Eval(args) => eval::run_eval(&args),
        Command::Parse(args) => eval::run_parse(&args),
        Command::Pattern(cmd) => {
            let stdin = std::io::stdin();
            let mut stdin = stdin.lock();
            let code = pattern::run(
                &cmd,
                &mut stdin,
                &mut std::io::stdout(),
                &mut std::io::stderr(),
            );
            Ok(ExitCode::from(code))
        }
        #[cfg(feature = "aws")]
        Command::Collect(args) => live::run_collect(&args),
        Command::Repl(args) => run_repl(&args),
        Command::Policies => list_policies(),
    };
    match result {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}

/// Whether stdout gets colour: a terminal, and `NO_COLOR` unset.
pub fn color_stdout() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

fn install_miette_hook() {
    let color = std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal();
    let _ = miette::set_hook(Box::new(move |_| {
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        Box::new(miette::GraphicalReportHandler::new_themed(theme))
    }));
}

/// Load the snapshot named by `args`, or the built-in sample. Returns it with its name.
pub fn load_snapshot(args: &SnapshotArgs) -> miette::Result<(Snapshot, String)> {
    match &args.snapshot {
        Some(path) => {
            // A file, or a directory of snapshots (`gsl collect --split DIR`).
            let snapshot = entity::load::load_path(path)?;
            Ok((snapshot, path.display().to_string()))
        }
        None => {
            let snapshot = entity::load::parse_snapshot(
                entity::SAMPLE_SNAPSHOT,
                entity::SAMPLE_SNAPSHOT_NAME,
            )?;
            Ok((snapshot, entity::SAMPLE_SNAPSHOT_NAME.to_string()))
        }
    }
}

fn run_repl(args: &ReplArgs) -> miette::Result<ExitCode> {
    #[cfg(feature = "aws")]
    if args.live {
        let snapshot = live::collect_snapshot(&args.live_args)?;
        return repl::run(snapshot, "live account");
    }
    let (snapshot, name) = load_snapshot(&args.source)?;
    repl::run(snapshot, &name)
}

fn list_policies() -> miette::Result<ExitCode> {
    let policies = crate::policy::builtin_policies()?;
    let mut out = std::io::stdout().lock();
    let width = policies.iter().map(|p| p.meta.id.len()).max().unwrap_or(0);
    for p in &policies {
        let _ = writeln!(
            out,
            "{:<width$}  {:<8} {}  [{}]",
            p.meta.id,
            p.meta.severity.as_str(),
            p.meta.title,
            p.origin
        );
    }
    Ok(ExitCode::SUCCESS)
}
