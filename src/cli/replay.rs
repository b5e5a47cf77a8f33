//! `gsl replay`: a snapshot's metric filters and alarms over CloudTrail log files (the
//! engine is `gsl::replay`; this renders its report).

use super::{load_snapshot, Exit, Io, SnapshotArgs};
use clap::ValueEnum;
use gsl::entity::graph::EntityGraph;
use gsl::policy::select::{self, Selection};
use gsl::replay::{self, ReplayReport};
use std::fmt::Write as _;
use std::path::PathBuf;

/// `gsl replay` arguments.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The snapshot whose trails, metric filters, alarms and topics to replay.
    #[command(flatten)]
    pub source: SnapshotArgs,
    /// CloudTrail log files or directories (searched recursively): `*.json.gz` as
    /// CloudTrail delivers them, `.json`, and JSON lines (a CloudWatch Logs export).
    #[arg(long = "logs", value_name = "PATH", num_args = 1..)]
    pub logs: Vec<PathBuf>,
    /// Read the log files from the trail's bucket instead (docs/replay.md).
    #[cfg(feature = "aws")]
    #[command(flatten)]
    pub s3: S3Args,
    /// Replay the records from this time on: a date (YYYY-MM-DD, from its midnight UTC)
    /// or an RFC 3339 time. Log files that cannot hold such records are not read.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Replay the records before this time: a date (YYYY-MM-DD: the whole day is
    /// included) or an RFC 3339 time (excluded).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// No progress display (it is shown only when stderr is a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,
    /// The controls whose missed events to report: the policies of these packs (default:
    /// the latest `cis-aws`).
    #[arg(long, value_name = "PACK")]
    pub pack: Vec<String>,
    /// Only these policy ids (globs allowed).
    #[arg(long = "id", value_name = "ID")]
    pub ids: Vec<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t)]
    pub format: ReplayFormat,
    /// The most bytes one log file may hold once decompressed: a larger file (a gzip
    /// bomb, a giant record) is refused and named in the report.
    #[arg(long, value_name = "BYTES", default_value_t = replay::logs::MAX_FILE_BYTES)]
    pub max_file_size: u64,
}

/// `gsl replay --from-s3`: where the log files are and how to reach AWS.
#[cfg(feature = "aws")]
#[derive(Debug, Clone, Default, clap::Args)]
pub struct S3Args {
    /// Read the CloudTrail log files from S3, `s3://BUCKET/PREFIX` (the trail's bucket
    /// and key prefix): only the day folders of --since..--until are listed (--since
    /// is required).
    #[arg(long = "from-s3", value_name = "S3-URL", conflicts_with = "logs")]
    pub from_s3: Option<String>,
    /// Credentials, endpoint, retries and time limits, as for `gsl collect`.
    #[command(flatten)]
    pub aws: super::live::AwsArgs,
    /// The bucket's region (default: the configured one; a bucket in another region is
    /// followed there).
    #[arg(long, value_name = "REGION", requires = "from_s3")]
    pub region: Option<String>,
    /// S3 calls in flight (default 8).
    #[arg(long, value_name = "N", requires = "from_s3", value_parser = clap::value_parser!(u64).range(1..=64))]
    pub concurrency: Option<u64>,
}

/// `gsl replay` output formats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ReplayFormat {
    /// For people.
    #[default]
    Text,
    /// For tools.
    Json,
    /// For a pull request or an issue.
    Markdown,
}

/// Run `gsl replay`.
pub fn run(args: &ReplayArgs, io: &mut Io<'_>) -> miette::Result<Exit> {
    let (snapshot, name) = load_snapshot(&args.source)?;
    let graph = EntityGraph::named(snapshot, &name);
    let specs = if args.pack.is_empty() {
        vec!["cis-aws".to_string()]
    } else {
        args.pack.clone()
    };
    let policies = select::pack_policies(&specs)?;
    let policies = Selection {
        ids: args.ids.clone(),
        ..Default::default()
    }
    .apply(policies)?;
    let window = replay::window::Window::parse(args.since.as_deref(), args.until.as_deref())?;
    let options = replay::Options {
        limits: replay::logs::Limits {
            max_file_bytes: args.max_file_size,
        },
        window,
        ..Default::default()
    };
    let controls = replay::controls(&policies);
    let progress = super::progress::ReplayBar::progress(!args.no_progress);
    #[cfg(feature = "aws")]
    let from_s3 = args.s3.from_s3.as_deref();
    #[cfg(not(feature = "aws"))]
    let from_s3: Option<&str> = None;
    let report = match from_s3 {
        #[cfg(feature = "aws")]
        Some(url) => from_bucket(&graph, controls, url, args, options, progress.clone())?,
        _ if args.logs.is_empty() => return Err(ReplayError::NoInput.into()),
        _ => {
            let files = replay::input::local(&args.logs, window, progress.clone());
            replay::replay_inputs(&graph, controls, files, options)
        }
    };
    progress.finish();
    let text = match args.format {
        ReplayFormat::Json => {
            super::render::pretty_json(&serde_json::to_value(&report).unwrap_or_default())
        }
        ReplayFormat::Text => text(&report, &name),
        ReplayFormat::Markdown => markdown(&report, &name),
    };
    let _ = io.out.write_all(text.as_bytes());
    if !report.skipped.is_empty() {
        let _ = writeln!(
            io.err,
            "warning: {} piece(s) of input could not be read and were skipped (listed in the report)",
            report.skipped.len()
        );
        return Ok(Exit::Failed);
    }
    Ok(Exit::Ok)
}

/// Errors of the replay's command line.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ReplayError {
    /// Nothing to replay.
    #[error("gsl replay needs log files: --logs PATH or --from-s3 s3://BUCKET/PREFIX")]
    #[diagnostic(
        code(gsl::replay::no_input),
        help("--logs takes CloudTrail log files and directories; --from-s3 (with --since) reads the trail's bucket")
    )]
    NoInput,
}

/// Replay the log files of the window from `url`, with the SDK's configuration of
/// the `--profile`, `--endpoint-url` and retry flags.
#[cfg(feature = "aws")]
fn from_bucket(
    graph: &EntityGraph,
    controls: Vec<replay::Control>,
    url: &str,
    args: &ReplayArgs,
    options: replay::Options,
    progress: gsl::collect::Progress,
) -> miette::Result<ReplayReport> {
    use gsl::collect::trail_logs::{self, S3Location, S3LogsOptions};
    let location = S3Location::parse(url)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(gsl::collect::CollectError::Runtime)?;
    let s3 = &args.s3;
    let config = runtime.block_on(gsl::collect::load_sdk_config(
        &s3.aws.sdk_options(s3.region.clone()),
    ));
    let files = trail_logs::s3_logs(
        runtime.handle(),
        &config,
        location,
        options.window,
        S3LogsOptions {
            region: s3.region.clone(),
            concurrency: s3
                .concurrency
                .and_then(|c| usize::try_from(c).ok())
                .unwrap_or(0),
            endpoints: Vec::new(),
            max_file_bytes: args.max_file_size,
            progress,
        },
    )?;
    Ok(replay::replay_inputs(graph, controls, files, options))
}

fn text(r: &ReplayReport, snapshot: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "gsl replay: {} records of {} file(s) over {snapshot} ({} of accounts it does not cover{})",
        r.records,
        r.files,
        r.undelivered,
        if r.outside_window > 0 {
            format!("; {} outside the window", r.outside_window)
        } else {
            String::new()
        }
    );
    let _ = writeln!(out, "\nmetric filters:");
    for f in &r.filters {
        let _ = writeln!(
            out,
            "  {}/{}/{}  {}: matched {} of {} delivered{}",
            f.account,
            f.region,
            gsl::text::escape_line(&f.log_group),
            gsl::text::escape_line(&f.name),
            f.matched,
            f.delivered,
            match (&f.first_match, &f.last_match) {
                (Some(a), Some(b)) => format!(" ({a} .. {b})"),
                _ => String::new(),
            }
        );
    }
    let _ = writeln!(out, "\nalarms:");
    for a in &r.alarms {
        let fired = match a.alarms {
            Some(n) => format!("would have gone to ALARM {n} time(s)"),
            None => "settings not in the snapshot: firings unknown".into(),
        };
        let _ = writeln!(
            out,
            "  {}/{} {}: {fired}{}",
            a.account,
            a.region,
            gsl::text::escape_line(&a.name),
            a.first_alarm
                .as_ref()
                .map(|t| format!(", first at {t}"))
                .unwrap_or_default()
        );
        if let Some(s) = &a.settings {
            let _ = writeln!(out, "      {s}; {} period(s) with data", a.series.len());
        }
        if a.notifies.is_empty() {
            let _ = writeln!(out, "      notifies nobody (no enabled action)");
        }
        for n in &a.notifies {
            let _ = writeln!(
                out,
                "      notifies {}: {}",
                gsl::text::escape_line(&n.action),
                if n.confirmed.is_empty() {
                    "no confirmed subscription".to_string()
                } else {
                    gsl::text::escape_line(&n.confirmed.join(", ")).into_owned()
                }
            );
        }
    }
    let _ = writeln!(out, "\ncontrols:");
    for c in &r.controls {
        let _ = writeln!(
            out,
            "  {} {}: {} required event(s), {} missed by every delivering filter",
            c.id, c.title, c.required, c.missed
        );
        for m in &c.misses {
            let _ = writeln!(
                out,
                "      missed {} {} ({} {})",
                m.event_name.as_deref().unwrap_or("?"),
                m.event_time.as_deref().unwrap_or("?"),
                gsl::text::escape_line(&m.file),
                m.at
            );
        }
        for n in &c.noise {
            let _ = writeln!(
                out,
                "      {} also matched {} other event(s)",
                gsl::text::escape_line(&n.filter),
                n.other
            );
        }
    }
    if !r.skipped.is_empty() {
        let _ = writeln!(out, "\nskipped input:");
        for s in &r.skipped {
            let _ = writeln!(
                out,
                "  {} ({}): {}",
                gsl::text::escape_line(&s.file),
                s.at,
                s.why
            );
        }
    }
    out
}

fn markdown(r: &ReplayReport, snapshot: &str) -> String {
    let cell = |s: &str| gsl::text::escape_line(s).replace('|', "\\|");
    let mut out = format!(
        "## gsl replay\n\n**{}** records over `{}`\n\n| Control | Required | Missed |\n| --- | --- | --- |\n",
        r.records,
        cell(snapshot)
    );
    for c in &r.controls {
        let _ = writeln!(
            out,
            "| {} {} | {} | {} |",
            cell(&c.id),
            cell(&c.title),
            c.required,
            c.missed
        );
    }
    out.push_str("\n| Alarm | Would have fired | Notifies |\n| --- | --- | --- |\n");
    for a in &r.alarms {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            cell(&a.name),
            a.alarms.map_or("unknown".to_string(), |n| n.to_string()),
            cell(
                &a.notifies
                    .iter()
                    .map(|n| format!("{} ({} confirmed)", n.action, n.confirmed.len()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        );
    }
    if !r.skipped.is_empty() {
        let _ = writeln!(out, "\n{} piece(s) of input skipped.", r.skipped.len());
    }
    out
}
