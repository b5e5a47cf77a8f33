//! `gsl check`: run policies over a snapshot (or a live account).

use super::progress::CheckProgress;
use super::render::{Report, ReportFormat, TextOptions};
use super::{load_snapshot, Exit, Io, SnapshotArgs};
use chrono::{DateTime, Utc};
use gsl::entity::stream::SnapshotSource;
use gsl::policy::select::{self, Selection};
use gsl::policy::{self, Policy, Severity};
use gsl::report::waiver::Waivers;
use gsl::report::{FailPolicy, RuleStatus};
use std::io::Write;
use std::path::PathBuf;

/// How `gsl check` ends, and the files it reads by default, for `--help`.
pub const EXIT_CODES: &str = "Exit status:
  0  every selected policy passed, does not apply, or is waived
     (with --fail-on: no failure at or above that severity)
  1  a policy failed, or is unknown (missing data) unless --unknown-ok
     (with --fail-on-new: only a finding new since --baseline counts)
  2  usage error, a policy or snapshot that cannot be loaded, a policy that cannot
     run, or an expired or malformed waiver

Configuration: defaults for these options (pack, formats, output directory, waivers,
snapshot, fail-on, baseline, fail-on-new) are read from gsl.toml in the current directory, else from
$XDG_CONFIG_HOME/gsl/config.toml (~/.config/gsl/config.toml); the options given win.
Waivers: .gslignore.yaml in the current directory, unless --waivers names another.";

/// `gsl check` arguments (defaults may come from `gsl.toml`: see `super::config`).
#[derive(Debug, Default, clap::Args)]
#[command(after_long_help = EXIT_CODES, after_help = EXIT_CODES)]
pub struct CheckArgs {
    /// Policy files or directories of .gsl files (default: the built-in policies).
    pub paths: Vec<PathBuf>,
    /// Run a built-in pack, NAME or NAME@VERSION (repeatable; `gsl policies` lists them).
    #[arg(long, value_name = "NAME[@VERSION]")]
    pub pack: Vec<String>,
    /// Strict chain: a CIS filter's alarm must also fire on one matching event
    /// (statistic Sum or SampleCount, a threshold a count of 1 breaches, 1 evaluation
    /// period, a period of at most 300 s).
    #[arg(long)]
    pub strict_chain: bool,
    /// Where the entities come from.
    #[command(flatten)]
    pub source: SnapshotArgs,
    /// The values of `$Name` parameters.
    #[command(flatten)]
    pub params: super::ParamsArgs,
    /// Report format; repeat it (or give a comma list) with --output-dir for several.
    #[arg(
        long,
        short = 'f',
        value_enum,
        value_delimiter = ',',
        value_name = "FORMAT"
    )]
    pub format: Vec<ReportFormat>,
    /// Write the report to FILE instead of standard output (one format).
    #[arg(long, short = 'o', value_name = "FILE", conflicts_with = "output_dir")]
    pub output: Option<PathBuf>,
    /// Write one file per format into DIR (gsl-report.txt, .json, .sarif, .junit.xml,
    /// .csv, .ocsf.jsonl, .md, .html).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Also list passing and not-relevant objects (text report).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Run only these policies: ids or globs such as 'CIS-AWS-4.*', case-insensitive
    /// (repeatable, or a comma list).
    #[arg(long = "id", value_name = "ID", value_delimiter = ',')]
    pub ids: Vec<String>,
    /// Leave out these policies: ids or globs (repeatable, or a comma list).
    #[arg(long = "exclude-id", value_name = "ID", value_delimiter = ',')]
    pub exclude_ids: Vec<String>,
    /// Check only these accounts of the snapshot (12-digit ids; repeatable, or a comma
    /// list). An id the snapshot does not hold is an error.
    #[arg(long = "account", value_name = "ID", value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Run only policies of at least this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub severity: Option<SeverityArg>,
    /// Run only policies mapped to this framework, e.g. "CIS AWS Foundations v2.0.0"
    /// (a prefix of their `frameworks:` entries, case-insensitive; repeatable).
    #[arg(long, value_name = "FRAMEWORK")]
    pub framework: Vec<String>,
    /// Text report: list only policies with these statuses (repeatable, or a comma
    /// list); the counts still cover every policy.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "STATUS")]
    pub status: Vec<StatusArg>,
    /// Exit 1 only for failures of at least this severity (default: any failure).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,
    /// A previous report (JSON or SARIF) to compare with: each finding is marked new,
    /// unchanged or fixed (docs/history.md).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Exit 1 only for findings new since --baseline (at or above --fail-on).
    #[arg(long, requires = "baseline")]
    pub fail_on_new: bool,
    /// Append the run (every result with its fingerprint, the waivers applied) to this
    /// findings store: an SQLite file, created if needed, or a PostgreSQL database,
    /// postgres://USER@HOST:PORT/DATABASE, TLS as libpq's sslmode (default prefer;
    /// ?sslmode=verify-full&sslrootcert=CA.pem to verify the server) (docs/history.md;
    /// `gsl history`).
    #[arg(long, value_name = "FILE|URL")]
    pub store: Option<PathBuf>,
    /// The configuration file whose defaults were applied (set by `config`, not an option).
    #[arg(skip)]
    pub config: Option<PathBuf>,
    /// The global `-q` (set by `gsl`'s main, not an option of `check`).
    #[arg(skip)]
    pub quiet: bool,
    /// Do not count unknown results (missing data) as failures for the exit status.
    #[arg(long)]
    pub unknown_ok: bool,
    /// A property that no entity of its type has in the snapshot (types gsl does not
    /// collect) stops the policy with an error instead of a warning.
    #[arg(long)]
    pub strict: bool,
    /// Waiver file (default: .gslignore.yaml in the current directory, if present).
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// "Now" for before()/after() (RFC 3339). Default: the snapshot's collection time.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<DateTime<Utc>>,
    /// Collect from the live AWS account, then check.
    #[cfg(feature = "aws")]
    #[arg(long, conflicts_with = "snapshot")]
    pub live: bool,
    /// With --live: also save the collected snapshot to FILE.
    #[cfg(feature = "aws")]
    #[arg(long, value_name = "FILE", requires = "live")]
    pub save: Option<PathBuf>,
    /// Live collection options (with --live).
    #[cfg(feature = "aws")]
    #[command(flatten)]
    pub live_args: super::live::LiveArgs,
}

/// A severity on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeverityArg {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Severity {
        match s {
            SeverityArg::Info => Severity::Info,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        }
    }
}

/// A policy status on the command line (`--status fail`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusArg {
    /// Passed.
    #[value(alias = "passed")]
    Pass,
    /// Failed.
    #[value(alias = "failed")]
    Fail,
    /// Unknown.
    Unknown,
    /// Could not run.
    #[value(alias = "errors")]
    Error,
    /// Not applicable.
    #[value(name = "na", alias = "not-applicable")]
    NotApplicable,
    /// Waived.
    Waived,
    /// Manual: a control that data cannot decide.
    Manual,
}

impl From<StatusArg> for RuleStatus {
    fn from(s: StatusArg) -> RuleStatus {
        match s {
            StatusArg::Pass => RuleStatus::Passed,
            StatusArg::Fail => RuleStatus::Failed,
            StatusArg::Unknown => RuleStatus::Unknown,
            StatusArg::Error => RuleStatus::Error,
            StatusArg::NotApplicable => RuleStatus::NotApplicable,
            StatusArg::Waived => RuleStatus::Waived,
            StatusArg::Manual => RuleStatus::Manual,
        }
    }
}

/// The policies to run, and the files that could not be loaded (reported; the others
/// still run).
fn load_policies(args: &CheckArgs) -> miette::Result<(Vec<Policy>, Vec<policy::PolicyError>)> {
    let mut policies = select::pack_policies(&args.pack)?;
    let mut errors = Vec::new();
    if !args.paths.is_empty() {
        let loaded = policy::load_policies(&args.paths)?;
        policies.extend(loaded.policies);
        errors = loaded.errors;
    }
    if args.pack.is_empty() && args.paths.is_empty() {
        // One version of each pack: the latest, or the one --framework names.
        policies = select::default_policies(&args.framework)?;
    }
    let selection = Selection {
        ids: args.ids.clone(),
        exclude_ids: args.exclude_ids.clone(),
        min_severity: args.severity.map(Severity::from),
        frameworks: args.framework.clone(),
    };
    let mut policies = selection.apply(policies)?;
    if args.strict_chain {
        select::strict_chain(&mut policies)?;
    }
    Ok((policies, errors))
}

fn load_waivers(args: &CheckArgs) -> miette::Result<Option<Waivers>> {
    let today = args.now.unwrap_or_else(Utc::now).date_naive();
    let path = match &args.waivers {
        Some(p) => p.clone(),
        None => {
            let default = PathBuf::from(DEFAULT_WAIVERS);
            if !default.is_file() {
                return Ok(None);
            }
            default
        }
    };
    Ok(Some(Waivers::load(&path, today)?))
}

/// The last line of a text report over the sample account.
pub const SAMPLE_HINT: &str = "next: check a real account with `gsl check --live` (AWS credentials), or a saved snapshot with `gsl collect --out acct.json` then `gsl check --snapshot acct.json`";

/// How many of the store's last runs the HTML report's trend chart shows.
pub const TREND_RUNS: usize = 30;

/// The waiver file read when `--waivers` is not given, if it exists.
pub const DEFAULT_WAIVERS: &str = ".gslignore.yaml";

#[cfg_attr(not(feature = "aws"), allow(unused_variables))]
fn acquire_snapshot(
    args: &CheckArgs,
    err: &mut dyn Write,
) -> miette::Result<(SnapshotSource, String)> {
    #[cfg(feature = "aws")]
    if args.live {
        let snapshot = super::live::collect_snapshot(&args.live_args, err)?;
        if let Some(path) = &args.save {
            let json = serde_json::to_string_pretty(&snapshot)
                .map_err(|e| miette::miette!("cannot encode the snapshot: {e}"))?;
            std::fs::write(path, json + "\n").map_err(|e| {
                miette::miette!(
                    code = "gsl::check::save",
                    "cannot write snapshot {}: {e}",
                    path.display()
                )
            })?;
        }
        return Ok((SnapshotSource::Whole(snapshot), "live account".to_string()));
    }
    match &args.source.snapshot {
        // A file is read a batch of accounts at a time; a directory of snapshots
        // (`gsl collect --split`) is merged whole.
        Some(path) if !path.is_dir() => {
            let name = path.display().to_string();
            Ok((SnapshotSource::open(path, &name)?, name))
        }
        _ => {
            let (snapshot, name) = load_snapshot(&args.source)?;
            Ok((SnapshotSource::Whole(snapshot), name))
        }
    }
}

/// What `gsl check` and `gsl fix` start from: the selected policies (and the files
/// that could not be loaded, already reported), the waivers and the parameters.
pub(crate) struct Prepared {
    pub policies: Vec<Policy>,
    pub load_errors: Vec<policy::PolicyError>,
    pub waivers: Option<Waivers>,
    pub params: std::sync::Arc<gsl::params::Params>,
}

/// Load what the arguments select, reporting the configuration file and the policy
/// files that could not be loaded on standard error.
pub(crate) fn prepare(args: &CheckArgs, io: &mut Io<'_>) -> miette::Result<Prepared> {
    if let Some(config) = &args.config {
        let _ = writeln!(
            io.err,
            "config: {} (its defaults apply; the options given win)",
            config.display()
        );
    }
    let (policies, load_errors) = load_policies(args)?;
    for e in &load_errors {
        let _ = writeln!(io.err, "{}", super::render_diagnostic(e));
    }
    let waivers = load_waivers(args)?;
    let params = args.params.load()?;
    Ok(Prepared {
        policies,
        load_errors,
        waivers,
        params,
    })
}

/// Apply the waivers to a run and report what it says besides its results: the
/// waivers' warnings, the run's diagnostics, the notes of each policy.
pub(crate) fn finish_run(run: &mut gsl::CheckRun, prepared: &Prepared, io: &mut Io<'_>) {
    run.add_unloadable(&prepared.load_errors);
    if let Some(w) = &prepared.waivers {
        run.apply_waivers(w);
        for warning in w.warnings(&run.policies) {
            let _ = writeln!(io.err, "{}", super::render_diagnostic(&warning));
        }
    }
    for d in &run.diagnostics {
        let _ = writeln!(io.err, "{}", super::render_diagnostic(d.as_ref()));
    }
    for r in &run.policies {
        if r.error.is_none() {
            for note in &r.diagnostics {
                let _ = writeln!(
                    io.err,
                    "{}: {}: {}",
                    r.origin,
                    note.level.as_str(),
                    super::note_text(note)
                );
            }
        }
    }
}

/// Run `gsl check`.
pub fn run(args: &CheckArgs, io: &mut Io<'_>) -> miette::Result<Exit> {
    let prepared = prepare(args, io)?;
    let (source, name) = acquire_snapshot(args, io.err)?;
    let source = source.retain_accounts(&args.accounts)?;
    let formats = formats_of(args);
    let mut opts = gsl::run::eval_options_at(source.collected_at(), args.now)
        .with_params(prepared.params.clone());
    opts.strict = args.strict;
    // Hold what the formats render: no explanations of passing objects unless shown.
    opts.explain_passed = formats.iter().any(|f| f.explains_passed(args.verbose));
    let progress = CheckProgress::new(source.account_numbers().len() as u64, true);
    let run = gsl::run::check_source(&prepared.policies, source, &name, &opts, &mut |n| {
        progress.accounts_done(n as u64)
    });
    progress.finish();
    let mut run = run?;
    finish_run(&mut run, &prepared, io);
    let load_errors = &prepared.load_errors;
    if args.fail_on_new && args.baseline.is_none() {
        return Err(miette::miette!(
            code = "gsl::check::fail_on_new",
            help = "give the report to compare with: --baseline FILE, or `baseline = \"FILE\"` in gsl.toml",
            "fail-on-new needs a baseline"
        ));
    }
    let comparison = match &args.baseline {
        Some(path) => {
            let base = gsl::report::baseline::Findings::load(path)?;
            let now = gsl::report::baseline::Findings::of_run(&run.snapshot, &run.policies);
            Some(gsl::report::baseline::Comparison::between(&base, &now))
        }
        None => None,
    };
    // The run is stored before the reports are written, so the HTML report's trend
    // includes it.
    let mut history = Vec::new();
    if let Some(path) = &args.store {
        let location = gsl::report::store::Location::of_path(path);
        let mut store = gsl::report::store::Store::open_at(&location)?;
        let at = args
            .now
            .unwrap_or_else(Utc::now)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let id = store.append(&run.snapshot, &run.policies, &at)?;
        let _ = writeln!(io.err, "stored run {id} in {}", location.display());
        history = store.runs()?;
        // The chart shows the last runs.
        let keep = history.len().saturating_sub(TREND_RUNS);
        history.drain(..keep);
    }
    let plan = fix_plan(args, &prepared, &run, &formats);
    let to_file = args.output.is_some() || args.output_dir.is_some();
    let report = Report {
        run: &run,
        opts: TextOptions {
            verbose: args.verbose,
            color: io.color && !to_file,
            quiet: args.quiet,
        },
        statuses: args.status.iter().map(|s| RuleStatus::from(*s)).collect(),
        hint: run.snapshot.sample.then(|| SAMPLE_HINT.to_string()),
        baseline: comparison.as_ref(),
        history: &history,
        fixes: plan.as_ref(),
    };
    write_reports(args, &formats, &report, io)?;
    // What it did, on standard error whatever the formats and outputs: the counts,
    // the sample banner when the report did not go to the terminal, and why it exits
    // as it does.
    let s = &run.summary;
    let _ = writeln!(io.err, "{s}");
    if let Some(c) = &comparison {
        let _ = writeln!(
            io.err,
            "since baseline {}: {}",
            gsl::text::escape_line(&c.baseline),
            super::render::baseline::counts_line(&c.counts)
        );
    }
    let text_to_terminal = !to_file && formats == [ReportFormat::Text];
    if run.snapshot.sample && !text_to_terminal {
        let _ = writeln!(io.err, "{}", super::render::SAMPLE_BANNER);
    }
    if !load_errors.is_empty() {
        let _ = writeln!(
            io.err,
            "error: {} policy file(s) could not be loaded (shown above); the others ran",
            load_errors.len()
        );
        let _ = writeln!(
            io.err,
            "exit 2: {} policy file(s) could not be loaded",
            load_errors.len()
        );
        return Ok(Exit::Error);
    }
    let fail = FailPolicy {
        fail_on: args.fail_on.map(Severity::from),
        unknown_ok: args.unknown_ok,
    };
    if let (true, Some(c)) = (args.fail_on_new, &comparison) {
        let exit: Exit = fail.verdict_on_new(&run.policies, c).into();
        let _ = writeln!(io.err, "{}", new_exit_reason(exit, &fail, &run.policies, c));
        return Ok(exit);
    }
    let exit: Exit = fail.verdict(&run.policies).into();
    let _ = writeln!(io.err, "{}", exit_reason(exit, &fail, &run.policies));
    Ok(exit)
}

/// The largest snapshot (a file, or a directory's files together) read a second time,
/// whole, for the fix lines of the reports. The plan needs the whole graph, which
/// weighs about four times its JSON (measured on a generated organization: a 54 MB
/// snapshot's text report peaked at 324 MB with fix lines, 108 MB without); over this
/// the reports have none and `gsl fix` gives them.
const FIX_LINES_MAX_BYTES: u64 = 16 << 20;

/// The bytes of a snapshot file, or of the snapshot files of a directory (the ones
/// `gsl check --snapshot DIR` reads).
fn snapshot_bytes(path: &std::path::Path) -> Option<u64> {
    if !path.is_dir() {
        return std::fs::metadata(path).ok().map(|m| m.len());
    }
    let mut total = 0;
    for entry in std::fs::read_dir(path).ok()? {
        let entry = entry.ok()?;
        if gsl::entity::load::is_snapshot_name(&entry.file_name()) {
            total += entry.metadata().ok()?.len();
        }
    }
    Some(total)
}

/// The plan that mends the run's failures, for the formats that show each failure's
/// fix (text, HTML, SARIF): over the sample, a directory of snapshots, or a snapshot
/// file of at most [`FIX_LINES_MAX_BYTES`]; none for a live run (`gsl fix --live`).
fn fix_plan(
    args: &CheckArgs,
    prepared: &Prepared,
    run: &gsl::CheckRun,
    formats: &[ReportFormat],
) -> Option<gsl::fix::Plan> {
    let shown = formats.iter().any(|f| {
        matches!(
            f,
            ReportFormat::Text | ReportFormat::Html | ReportFormat::Sarif
        )
    });
    if !shown || !run.policies.iter().any(|p| p.status == RuleStatus::Failed) {
        return None;
    }
    #[cfg(feature = "aws")]
    if args.live {
        return None;
    }
    if let Some(path) = &args.source.snapshot {
        if snapshot_bytes(path).is_none_or(|n| n > FIX_LINES_MAX_BYTES) {
            return None;
        }
    }
    let (snapshot, name) = super::load_snapshot(&args.source).ok()?;
    let gsl::entity::stream::SnapshotSource::Whole(snapshot) = SnapshotSource::Whole(snapshot)
        .retain_accounts(&args.accounts)
        .ok()?
    else {
        return None;
    };
    let graph = gsl::entity::graph::EntityGraph::named(snapshot, &name);
    Some(gsl::fix::plan::plan(
        run,
        &prepared.policies,
        &graph,
        &gsl::fix::Choices::default(),
    ))
}

/// Why `gsl check` exits as it does, in one line: `exit 0: 14 failed, below --fail-on
/// high`.
fn exit_reason(exit: Exit, fail: &FailPolicy, policies: &[gsl::report::PolicyReport]) -> String {
    let count = |st: RuleStatus| policies.iter().filter(|p| p.status == st).count();
    let (failed, unknown, errors, waived) = (
        count(RuleStatus::Failed),
        count(RuleStatus::Unknown),
        count(RuleStatus::Error),
        count(RuleStatus::Waived),
    );
    let threshold = fail
        .fail_on
        .map(|s| format!(" --fail-on {}", s.as_str()))
        .unwrap_or_default();
    match exit {
        Exit::Error => format!("exit 2: {errors} policies could not run"),
        Exit::Failed => {
            let mut why = Vec::new();
            if failed > 0 {
                why.push(format!("{failed} failed"));
            }
            if unknown > 0 && !fail.unknown_ok {
                why.push(format!("{unknown} unknown (missing data)"));
            }
            let at = if threshold.is_empty() {
                String::new()
            } else {
                format!(", at or above{threshold}")
            };
            format!("exit 1: {}{at}", why.join(", "))
        }
        _ => {
            let mut why = Vec::new();
            if failed > 0 {
                why.push(format!("{failed} failed, below{threshold}"));
            }
            if unknown > 0 {
                why.push(if fail.unknown_ok {
                    format!("{unknown} unknown, not counted (--unknown-ok)")
                } else {
                    format!("{unknown} unknown, below{threshold}")
                });
            }
            if waived > 0 {
                why.push(format!("{waived} waived"));
            }
            if why.is_empty() {
                "exit 0: every policy passed or does not apply".to_string()
            } else {
                format!("exit 0: {}", why.join("; "))
            }
        }
    }
}

/// Why `gsl check --fail-on-new` exits as it does: `exit 1: 2 new findings (at or above
/// --fail-on high)`, `exit 0: no new finding (5 unchanged)`.
fn new_exit_reason(
    exit: Exit,
    fail: &FailPolicy,
    policies: &[gsl::report::PolicyReport],
    c: &gsl::report::baseline::Comparison,
) -> String {
    let threshold = fail
        .fail_on
        .map(|s| format!(" at or above --fail-on {}", s.as_str()))
        .unwrap_or_default();
    match exit {
        Exit::Error => exit_reason(exit, fail, policies),
        Exit::Failed => format!(
            "exit 1: {} new finding(s) since the baseline{threshold}",
            c.new_failures(fail).count()
        ),
        _ => format!(
            "exit 0: no new finding{threshold} since the baseline (--fail-on-new; {} new, {} unchanged)",
            c.counts.new, c.counts.unchanged
        ),
    }
}

/// The formats asked for, each once (text when none is).
fn formats_of(args: &CheckArgs) -> Vec<ReportFormat> {
    let mut formats: Vec<ReportFormat> = Vec::new();
    for f in &args.format {
        if !formats.contains(f) {
            formats.push(*f);
        }
    }
    if formats.is_empty() {
        formats.push(ReportFormat::Text);
    }
    formats
}

/// Render each format and write it where the arguments say.
fn write_reports(
    args: &CheckArgs,
    formats: &[ReportFormat],
    report: &Report<'_>,
    io: &mut Io<'_>,
) -> miette::Result<()> {
    let write = |path: &std::path::Path, format: ReportFormat| {
        std::fs::File::create(path)
            .and_then(|file| {
                let mut out = std::io::BufWriter::new(file);
                format.write(report, &mut out)?;
                out.flush()
            })
            .map_err(|e| {
                miette::miette!(
                    code = "gsl::check::output",
                    help = "check that the directory exists and is writable",
                    "cannot write {}: {e}",
                    path.display()
                )
            })
    };
    if let Some(dir) = &args.output_dir {
        std::fs::create_dir_all(dir).map_err(|e| {
            miette::miette!(
                code = "gsl::check::output",
                help = "pass a directory you can write to",
                "cannot create {}: {e}",
                dir.display()
            )
        })?;
        for f in formats {
            let path = dir.join(f.file_name());
            write(&path, *f)?;
            let _ = writeln!(io.err, "wrote {}", path.display());
        }
        return Ok(());
    }
    if formats.len() > 1 {
        return Err(miette::miette!(
            code = "gsl::check::formats",
            help = "add --output-dir DIR to write one file per format",
            "{} formats given, but one output",
            formats.len()
        ));
    }
    match &args.output {
        Some(path) => write(path, formats[0])?,
        None => {
            // A closed pipe (`| head`) ends the output, not the run.
            let _ = formats[0].write(report, &mut *io.out);
        }
    }
    Ok(())
}
