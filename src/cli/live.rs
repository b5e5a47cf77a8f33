//! STUB — owned by the collectors work (branch `collect`). Keep the public items'
//! names and signatures (used by `cli/mod.rs`); replace the bodies.

use crate::entity::Snapshot;

/// Where and how to collect from a live AWS account (`gsl collect`, `gsl check --live`,
/// `gsl repl --live`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LiveArgs {
    /// AWS profile (default: the standard credential chain).
    #[arg(long)]
    pub profile: Option<String>,
    /// Region to collect (repeatable). Default: the configured region.
    #[arg(long = "region")]
    pub regions: Vec<String>,
    /// Collect every enabled region of the account.
    #[arg(long)]
    pub all_regions: bool,
    /// Print API call counts per service and operation when done.
    #[arg(long)]
    pub stats: bool,
}

/// Collect a snapshot from the live account described by `args`.
pub fn collect_snapshot(_args: &LiveArgs) -> miette::Result<Snapshot> {
    Err(miette::miette!("collection is not implemented"))
}

/// `gsl collect` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct CollectArgs {
    /// What to collect.
    #[command(flatten)]
    pub live: LiveArgs,
    /// Write the snapshot here (default: stdout).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

/// Run `gsl collect`.
pub fn run_collect(args: &CollectArgs) -> miette::Result<std::process::ExitCode> {
    collect_snapshot(&args.live).map(|_| std::process::ExitCode::SUCCESS)
}
