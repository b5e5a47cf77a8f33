//! Write a synthetic organization snapshot (see `benches/support/orggen.rs`):
//!
//! ```text
//! cargo run --release --no-default-features --example gen_org -- --accounts 1000 --seed 7 --out /tmp/org1000.json
//! cargo run --release --no-default-features --example gen_org -- --accounts 1000 --shape nested --out /tmp/nested1000.json
//! ```
//!
//! The same `--accounts` and `--seed` always write the same bytes. Without `--out`, the
//! snapshot goes to stdout.

#[path = "../benches/support/orggen.rs"]
mod orggen;

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

/// Write a synthetic organization snapshot.
#[derive(Debug, Parser)]
#[command(name = "gen_org")]
struct Args {
    /// Number of accounts.
    #[arg(long, default_value_t = 100)]
    accounts: usize,
    /// Random seed: the same seed and size give the same file.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Output file (default: stdout).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The layout: `flat` (as `gsl collect` writes it) or `nested` (CloudGuard's: metric
    /// filters only under their trails, two trails per account).
    #[arg(long, default_value = "flat", value_parser = ["flat", "nested"])]
    shape: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let spec = orggen::OrgSpec {
        accounts: args.accounts,
        seed: args.seed,
    };
    let shape = orggen::Shape::parse(&args.shape).unwrap_or_default();
    let written = match &args.out {
        Some(path) => std::fs::File::create(path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))
            .and_then(|f| orggen::write_org_in(&spec, shape, f).map_err(|e| e.to_string())),
        None => {
            orggen::write_org_in(&spec, shape, std::io::stdout().lock()).map_err(|e| e.to_string())
        }
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_org: {e}");
            ExitCode::FAILURE
        }
    }
}
