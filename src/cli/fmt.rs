//! `gsl fmt [--check [--diff]] FILES...`: format policy files with the library's formatter
//! ([`gsl::format`]): the canonical printer's text, the metadata header and comments kept.
//! `--check --diff` shows what would change as a unified diff.

use super::{Exit, Io};
use gsl::policy;
use std::path::PathBuf;

/// `gsl fmt` arguments.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Policy files, or directories searched for `.gsl` files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Change nothing: list the files that would change, and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,
    /// With --check: show what would change, as a unified diff (instead of the names).
    #[arg(long, requires = "check")]
    pub diff: bool,
}

/// Run `gsl fmt`. A file that cannot be read or parsed is reported and left as it is;
/// the others are still formatted (exit 2).
pub fn run(args: &FmtArgs, io: &mut Io<'_>) -> miette::Result<Exit> {
    let (files, unreadable) = policy::find_policy_files(&args.paths)?;
    let mut broken = unreadable.len();
    for e in &unreadable {
        let _ = writeln!(io.err, "{}", super::render_diagnostic(e));
    }
    let mut changed = 0usize;
    for path in files {
        let name = path.display().to_string();
        let text = match gsl::source::read_text(&path, gsl::source::Kind::Policy) {
            Ok(t) => t,
            Err(e) => {
                broken += 1;
                let _ = writeln!(io.err, "{}", super::render_diagnostic(&e));
                continue;
            }
        };
        let formatted = match gsl::format::format_source(&text, &name) {
            Ok(f) => f,
            Err(e) => {
                broken += 1;
                let _ = writeln!(io.err, "{}", super::render_diagnostic(&e));
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        changed += 1;
        if args.check && args.diff {
            let diff = similar::TextDiff::from_lines(&text, &formatted);
            let _ = write!(
                io.out,
                "{}",
                diff.unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{name}"), &format!("b/{name}"))
            );
        } else if args.check {
            let _ = writeln!(io.out, "{name}");
        } else if let Err(e) = std::fs::write(&path, formatted) {
            broken += 1;
            let _ = writeln!(io.err, "error: cannot write {name}: {e}");
        } else {
            let _ = writeln!(io.err, "formatted {name}");
        }
    }
    Ok(if broken > 0 {
        Exit::Error
    } else if args.check && changed > 0 {
        Exit::Failed
    } else {
        Exit::Ok
    })
}
