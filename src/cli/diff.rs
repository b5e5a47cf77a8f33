//! `gsl diff`: the changes between two reports (JSON or SARIF): new, fixed and
//! unchanged findings, with counts per policy and per account (docs/history.md).

use super::render::baseline;
use super::{Exit, Io};
use gsl::report::baseline::{Comparison, Findings};
use std::path::PathBuf;

/// `gsl diff` arguments.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The earlier report (`gsl check --format json` or `sarif`).
    #[arg(value_name = "BEFORE")]
    pub before: PathBuf,
    /// The later report.
    #[arg(value_name = "AFTER")]
    pub after: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

/// The formats of `gsl diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// For people.
    Text,
    /// The comparison as JSON.
    Json,
    /// For a pull-request comment.
    Markdown,
}

/// Run `gsl diff`: exit 0 whatever changed (2 when a report cannot be read).
pub fn run(args: &DiffArgs, io: &mut Io<'_>) -> miette::Result<Exit> {
    let before = Findings::load(&args.before)?;
    let after = Findings::load(&args.after)?;
    let c = Comparison::between(&before, &after);
    let text = match args.format {
        DiffFormat::Text => baseline::diff_text(&c),
        DiffFormat::Json => baseline::diff_json(&c),
        DiffFormat::Markdown => baseline::diff_markdown(&c),
    };
    let _ = io.out.write_all(text.as_bytes());
    Ok(Exit::Ok)
}
