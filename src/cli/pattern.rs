//! STUB — owned by the filter-pattern work (branch `pattern`). Keep `PatternCmd` and
//! `run`'s signature (wired into `gsl pattern` by `cli/mod.rs`); replace the bodies.

use std::io::{BufRead, Write};

/// `gsl pattern ...` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum PatternCmd {
    /// Print the canonical form of a filter pattern.
    Canon {
        /// The filter pattern.
        pattern: String,
    },
}

/// Run a `gsl pattern` subcommand. Returns the process exit code
/// (0 yes/ok, 1 no/different/not covered, 2 invalid input).
pub fn run(
    _cmd: &PatternCmd,
    _stdin: &mut dyn BufRead,
    _out: &mut dyn Write,
    _err: &mut dyn Write,
) -> u8 {
    2
}
