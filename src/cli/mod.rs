//! The `gsl` command line: a shell over the `gsl` library. Subcommands live in one
//! module each and take their input and output as parameters ([`Io`]); this module
//! parses arguments, wires the process's streams, and turns each subcommand's [`Exit`]
//! into the process exit code.

pub mod check;
pub mod eval;
#[cfg(feature = "aws")]
pub mod live;
pub mod pattern;
pub mod render;
pub mod repl;
#[cfg(test)]
mod tests;

use clap::{Parser, Subcommand, ValueEnum};
use gsl::entity::{self, Snapshot};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// How a subcommand ended: the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: every relevant object passed (or the command did what it was asked).
    Ok = 0,
    /// 1: some object failed or is unknown (never a silent pass), or the answer is no.
    Failed = 1,
    /// 2: usage, parse or load error.
    Error = 2,
    /// 3: the answer is incomplete: some AWS calls failed (`collect`), or the
    /// filter-pattern engine could not decide (`pattern`).
    Incomplete = 3,
}

impl Exit {
    /// The exit of a run with these counts: an error if any policy could not run, a
    /// failure if any failed or is unknown, else success.
    pub fn of(summary: &gsl::report::Summary) -> Exit {
        if summary.errors > 0 {
            Exit::Error
        } else if summary.failed > 0 || summary.unknown > 0 {
            Exit::Failed
        } else {
            Exit::Ok
        }
    }

    /// The exit for a numeric code (`pattern`'s 0/1/2/3).
    pub fn from_code(code: u8) -> Exit {
        match code {
            0 => Exit::Ok,
            1 => Exit::Failed,
            3 => Exit::Incomplete,
            _ => Exit::Error,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// A subcommand's streams, and whether its results go to a terminal wanting colour.
pub struct Io<'a> {
    /// Standard input.
    pub stdin: &'a mut dyn BufRead,
    /// Results.
    pub out: &'a mut dyn Write,
    /// Diagnostics and progress.
    pub err: &'a mut dyn Write,
    /// Colour on `out`.
    pub color: bool,
}

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
    let stdin = std::io::stdin();
    let mut stdin = stdin.lock();
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr();
    let color = std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
    let mut io = Io {
        stdin: &mut stdin,
        out: &mut out,
        err: &mut err,
        color,
    };
    let exit = run(cli.command, &mut io).unwrap_or_else(|report| {
        let _ = writeln!(io.err, "{report:?}");
        Exit::Error
    });
    let _ = io.out.flush();
    exit.into()
}

/// Run one subcommand.
pub fn run(command: Command, io: &mut Io<'_>) -> miette::Result<Exit> {
    match command {
        Command::Check(args) => check::run(&args, io),
        Command::Eval(args) => eval::run_eval(&args, io),
        Command::Parse(args) => eval::run_parse(&args, io),
        Command::Pattern(cmd) => Ok(Exit::from_code(pattern::run(
            &cmd, io.stdin, io.out, io.err,
        ))),
        #[cfg(feature = "aws")]
        Command::Collect(args) => live::run_collect(&args, io),
        Command::Repl(args) => run_repl(&args, io),
        Command::Policies => list_policies(io),
    }
}

fn install_miette_hook() {
    let color = std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal();
    let _ = miette::set_hook(Box::new(move |_| {
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        Box::new(Handler(miette::GraphicalReportHandler::new_themed(theme)))
    }));
}

/// miette's graphical handler over [`gsl::shown`]: long lines windowed, hidden characters
/// escaped (the raw handler panics on a column past 65535).
struct Handler(miette::GraphicalReportHandler);

impl miette::ReportHandler for Handler {
    fn debug(
        &self,
        d: &dyn miette::Diagnostic,
        f: &mut std::fmt::Formatter<'_>,
    ) -> std::fmt::Result {
        if f.alternate() {
            return std::fmt::Debug::fmt(d, f);
        }
        self.0.render_report(f, &gsl::shown::shown(d))
    }
}

/// `d` rendered by `handler` through [`gsl::shown`]; its message if rendering fails.
pub fn render_with(handler: &miette::GraphicalReportHandler, d: &dyn miette::Diagnostic) -> String {
    let mut s = String::new();
    if handler
        .render_report(&mut s, &gsl::shown::shown(d))
        .is_err()
    {
        s = format!("error: {}\n", gsl::text::escape_hidden(&d.to_string()));
    }
    s
}

/// Load the snapshot named by `args`, or the built-in sample. Returns it with its name.
pub fn load_snapshot(args: &SnapshotArgs) -> miette::Result<(Snapshot, String)> {
    match &args.snapshot {
        Some(path) => {
            let name = path.display().to_string();
            let text = gsl::source::read_text(path, gsl::source::Kind::Snapshot)?;
            let snapshot = entity::load::parse_snapshot(&text, &name)?;
            Ok((snapshot, name))
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

fn run_repl(args: &ReplArgs, io: &mut Io<'_>) -> miette::Result<Exit> {
    #[cfg(feature = "aws")]
    if args.live {
        let snapshot = live::collect_snapshot(&args.live_args, io.err)?;
        return repl::run(snapshot, "live account", io);
    }
    let (snapshot, name) = load_snapshot(&args.source)?;
    repl::run(snapshot, &name, io)
}

fn list_policies(io: &mut Io<'_>) -> miette::Result<Exit> {
    let policies = gsl::policy::builtin_policies()?;
    let width = policies.iter().map(|p| p.meta.id.len()).max().unwrap_or(0);
    for p in &policies {
        let _ = writeln!(
            io.out,
            "{}  {:<8} {}  [{}]",
            gsl::text::pad(&gsl::text::escape_hidden(&p.meta.id), width),
            p.meta.severity.as_str(),
            gsl::text::escape_hidden(&p.meta.title),
            p.origin
        );
    }
    Ok(Exit::Ok)
}

/// A diagnostic rendered for a terminal (unicode, no colour: stderr may be a file).
pub fn render_diagnostic(d: &dyn miette::Diagnostic) -> String {
    render_with(
        &miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor()),
        d,
    )
}

/// A note (such as "no entities of type X") on one line, with its help.
pub fn note_text(p: &gsl::report::Problem) -> String {
    match &p.help {
        Some(h) => format!("{}; {h}", p.message),
        None => p.message.clone(),
    }
}
