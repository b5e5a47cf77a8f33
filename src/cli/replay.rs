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
    #[arg(long = "logs", value_name = "PATH", required = true, num_args = 1..)]
    pub logs: Vec<PathBuf>,
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
    let options = replay::Options {
        limits: replay::logs::Limits {
            max_file_bytes: args.max_file_size,
        },
        ..Default::default()
    };
    let report = replay::replay_with(&graph, replay::controls(&policies), &args.logs, options);
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

fn text(r: &ReplayReport, snapshot: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "gsl replay: {} records over {snapshot} ({} of accounts it does not cover)",
        r.records, r.undelivered
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
