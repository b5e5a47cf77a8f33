//! The `gsl` command line.
#[cfg(feature = "aws")]
pub mod live;

/// Entry point of the `gsl` binary.
pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
