//! Write a synthetic organization snapshot (see `benches/support/orggen.rs`):
//!
//! ```text
//! cargo run --release --no-default-features --example gen_org -- --accounts 1000 --seed 7 --out /tmp/org1000.json
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
}

fn main() -> ExitCode {
    let args = Args::parse();
    let spec = orggen::OrgSpec {
        accounts: args.accounts,
        seed: args.seed,
    };
    let written = match &args.out {
        Some(path) => std::fs::File::create(path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))
            .and_then(|f| orggen::write_org(&spec, f).map_err(|e| e.to_string())),
        None => orggen::write_org(&spec, std::io::stdout().lock()).map_err(|e| e.to_string()),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_org: {e}");
            ExitCode::FAILURE
        }
    }
}
