//! The `gsl` command line: a shell over the `gsl` library. Subcommands live in one
//! module each and take their input and output as parameters ([`Io`]); this module
//! parses arguments, wires the process's streams, and turns each subcommand's [`Exit`]
//! into the process exit code.

pub mod check;
pub mod config;
pub mod diff;
pub mod eval;
pub mod fix;
pub mod fmt;
pub mod history;
#[cfg(feature = "aws")]
pub mod live;
pub mod lsp;
pub mod man;
pub mod output;
pub mod pattern;
pub mod policies;
pub mod progress;
pub mod render;
pub mod repl;
pub mod replay;
pub mod test;
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

impl From<gsl::report::Verdict> for Exit {
    /// The exit status of a run's verdict ([`gsl::report::FailPolicy`]).
    fn from(v: gsl::report::Verdict) -> Exit {
        match v {
            gsl::report::Verdict::Passed => Exit::Ok,
            gsl::report::Verdict::Failed => Exit::Failed,
            gsl::report::Verdict::Error => Exit::Error,
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
#[command(name = "gsl", version = env!("GSL_VERSION"), about, long_about = None)]
pub struct Cli {
    /// Colour: auto (a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it),
    /// always, never.
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only results and errors: no notes, progress or "wrote FILE" lines.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour, given the environment's NO_COLOR and CLICOLOR_FORCE and
    /// whether the stream is a terminal (<https://no-color.org>, <https://bixense.com/clicolors/>).
    pub fn enabled(
        self,
        no_color: Option<&str>,
        clicolor_force: Option<&str>,
        terminal: bool,
    ) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                if no_color.is_some_and(|v| !v.is_empty()) {
                    false
                } else if clicolor_force.is_some_and(|v| !v.is_empty() && v != "0") {
                    true
                } else {
                    terminal
                }
            }
        }
    }

    /// [`ColorChoice::enabled`] with this process's environment.
    pub fn for_stream(self, terminal: bool) -> bool {
        let var = |k| std::env::var(k).ok();
        self.enabled(
            var("NO_COLOR").as_deref(),
            var("CLICOLOR_FORCE").as_deref(),
            terminal,
        )
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run policies (.gsl files) over a snapshot; with no path, the built-in policies.
    Check(Box<check::CheckArgs>),
    /// The changes that mend the failing findings of a check: AWS CLI commands or a JSON plan.
    Fix(Box<fix::FixArgs>),
    /// The changes between two reports (JSON or SARIF): new, fixed, unchanged findings.
    Diff(diff::DiffArgs),
    /// A findings store (`gsl check --store`): runs, the trend, findings and their age.
    History(history::HistoryArgs),
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
    /// Run policy tests: the `<name>.test.yaml` files beside policies.
    Test(test::TestArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the man page gsl(1) (roff), e.g. `gsl man > gsl.1`; `--dir DIR` writes a page per command.
    Man(man::ManArgs),
    /// Format policy files: the canonical rule text, the metadata header and comments kept.
    Fmt(fmt::FmtArgs),
    /// The language server for .gsl files (LSP over stdin and stdout), for editors.
    Lsp(lsp::LspArgs),
    /// List policies: the built-in packs, or the files and directories given.
    Policies(policies::PoliciesArgs),
    /// Replay CloudTrail log files through a snapshot's metric filters and alarms.
    Replay(replay::ReplayArgs),
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

/// Where the values of the rules' `$Name` parameters come from.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ParamsArgs {
    /// Parameters file (TOML, `Name = value` lines): the values of `$Name` in rules,
    /// over gsl's defaults and the `[params]` table of gsl.toml (docs/params.md).
    #[arg(long, value_name = "FILE")]
    pub params: Option<PathBuf>,
}

impl ParamsArgs {
    /// The parameters in effect: defaults, gsl.toml's `[params]`, then `--params`.
    pub fn load(&self) -> miette::Result<std::sync::Arc<gsl::params::Params>> {
        config::params(self.params.as_deref())
    }
}

/// `gsl completions` arguments.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `gsl repl` arguments.
#[derive(Debug, clap::Args)]
pub struct ReplArgs {
    /// Where the entities come from.
    #[command(flatten)]
    pub source: SnapshotArgs,
    /// The values of `$Name` parameters.
    #[command(flatten)]
    pub params: ParamsArgs,
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
    let cli = Cli::parse();
    install_miette_hook(cli.color.for_stream(std::io::stderr().is_terminal()));
    // The language server owns stdin and stdout (its reader and writer threads lock them).
    if let Command::Lsp(args) = &cli.command {
        return lsp::run(args)
            .unwrap_or_else(|report| {
                let _ = writeln!(std::io::stderr(), "{report:?}");
                Exit::Error
            })
            .into();
    }
    let stdin = std::io::stdin();
    let mut stdin = stdin.lock();
    // A report that cannot be written (a full disk, a closed pipe) is an error, not a pass.
    let mut out = output::Watched::new(std::io::stdout().lock());
    let mut stderr = std::io::stderr();
    let mut sink = std::io::sink();
    let err: &mut dyn Write = if cli.quiet { &mut sink } else { &mut stderr };
    let color = cli.color.for_stream(std::io::stdout().is_terminal());
    let mut io = Io {
        stdin: &mut stdin,
        out: &mut out,
        err,
        color,
    };
    let mut command = cli.command;
    match &mut command {
        Command::Check(args) => args.quiet = cli.quiet,
        Command::Fix(args) => args.check.quiet = cli.quiet,
        _ => {}
    }
    let exit = run(command, &mut io).unwrap_or_else(|report| {
        // Errors are shown even with --quiet.
        let _ = writeln!(std::io::stderr(), "{report:?}");
        Exit::Error
    });
    match out.finish() {
        Ok(()) => exit.into(),
        Err(e) => {
            let _ = write!(std::io::stderr(), "{}", output::failure_message(&e));
            Exit::Error.into()
        }
    }
}

/// Run one subcommand.
pub fn run(command: Command, io: &mut Io<'_>) -> miette::Result<Exit> {
    match command {
        Command::Check(mut args) => {
            config::apply_check(&mut args)?;
            check::run(&args, io)
        }
        Command::Fix(mut args) => {
            config::apply_check(&mut args.check)?;
            fix::run(&args, io)
        }
        Command::Diff(args) => diff::run(&args, io),
        Command::History(args) => history::run(&args, io),
        Command::Eval(args) => eval::run_eval(&args, io),
        Command::Parse(args) => eval::run_parse(&args, io),
        Command::Pattern(cmd) => Ok(Exit::from_code(pattern::run(
            &cmd, io.stdin, io.out, io.err,
        ))),
        #[cfg(feature = "aws")]
        Command::Collect(args) => live::run_collect(&args, io),
        Command::Repl(args) => run_repl(&args, io),
        Command::Policies(args) => policies::run(&args, io),
        Command::Replay(args) => replay::run(&args, io),
        Command::Test(args) => test::run(&args, io),
        Command::Fmt(args) => fmt::run(&args, io),
        // Normally started by `main` before the streams are locked.
        Command::Lsp(args) => lsp::run(&args),
        Command::Completions(args) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut cmd, "gsl", io.out);
            Ok(Exit::Ok)
        }
        Command::Man(args) => man::run(&args, io),
    }
}

fn install_miette_hook(color: bool) {
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

fn run_repl(args: &ReplArgs, io: &mut Io<'_>) -> miette::Result<Exit> {
    let params = args.params.load()?;
    #[cfg(feature = "aws")]
    if args.live {
        let snapshot = live::collect_snapshot(&args.live_args, io.err)?;
        return repl::run(snapshot, "live account", params, io);
    }
    let (snapshot, name) = load_snapshot(&args.source)?;
    repl::run(snapshot, &name, params, io)
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
