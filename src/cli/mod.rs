//! The `gsl` command line. Subcommands live in one module each.
#[cfg(feature = "aws")]
pub mod live;
pub mod pattern;
pub mod repl;

/// Entry point of the `gsl` binary.
pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
