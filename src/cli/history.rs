//! `gsl history`: what a findings store (`gsl check --store`) holds: the runs, the
//! trend per day, the findings with their first and last sightings and age, the mean
//! time to remediate (docs/history.md).

use super::{Exit, Io};
use gsl::report::store::{Location, Store, TrendBy};
use serde::Serialize;
use std::path::PathBuf;

/// `gsl history` arguments.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The findings store written by `gsl check --store`: an SQLite file, or a
    /// PostgreSQL database, postgres://USER@HOST:PORT/DATABASE (TLS as libpq's
    /// sslmode, e.g. ?sslmode=verify-full&sslrootcert=CA.pem).
    #[arg(long, value_name = "FILE|URL", default_value = "history.db")]
    pub store: PathBuf,
    /// Per day (its last run): the pass rate and the open findings per severity.
    #[arg(long, conflicts_with = "findings")]
    pub trend: bool,
    /// With --trend: one row per day and pack, or per day and account.
    #[arg(long, value_enum, requires = "trend")]
    pub by: Option<By>,
    /// Every finding ever open: first seen, last seen, open now, age; and the mean time
    /// to remediate per severity.
    #[arg(long)]
    pub findings: bool,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = HistoryFormat::Text)]
    pub format: HistoryFormat,
}

/// What `--trend` is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    /// Each pack.
    Pack,
    /// Each account.
    Account,
}

/// The formats of `gsl history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryFormat {
    /// For people.
    Text,
    /// JSON.
    Json,
    /// CSV (one table; with --findings, the findings).
    Csv,
}

fn csv_of<T: Serialize>(rows: &[T]) -> miette::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)
            .map_err(|e| miette::miette!("cannot write CSV: {e}"))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| miette::miette!("cannot write CSV: {e}"))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn render<T: Serialize>(
    format: HistoryFormat,
    rows: &[T],
    text: impl Fn(&T) -> String,
    header: &str,
) -> miette::Result<String> {
    Ok(match format {
        HistoryFormat::Json => {
            super::render::pretty_json(&serde_json::to_value(rows).unwrap_or_default())
        }
        HistoryFormat::Csv => csv_of(rows)?,
        HistoryFormat::Text => {
            let mut out = format!("{header}\n");
            for r in rows {
                out.push_str(&text(r));
                out.push('\n');
            }
            out
        }
    })
}

fn opt(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |d| format!("{d:.1}"))
}

/// Run `gsl history`.
pub fn run(args: &HistoryArgs, io: &mut Io<'_>) -> miette::Result<Exit> {
    let location = Location::of_path(&args.store);
    if matches!(&location, Location::Sqlite(path) if !path.is_file()) {
        return Err(miette::miette!(
            code = "gsl::store::missing",
            help = "write one with `gsl check --store FILE`",
            "no findings store at {}",
            args.store.display()
        ));
    }
    let mut store = Store::open_at(&location)?;
    let text = if args.trend {
        let by = match args.by {
            None => TrendBy::Run,
            Some(By::Pack) => TrendBy::Pack,
            Some(By::Account) => TrendBy::Account,
        };
        render(
            args.format,
            &store.trend(by)?,
            |r| {
                format!(
                    "{}  {:<14} run {:<5} {:>5.1}%  {:>5} open  ({} critical, {} high, {} medium, {} low, {} info)",
                    r.day,
                    gsl::text::escape_line(&r.group),
                    r.run_id,
                    r.pass_rate * 100.0,
                    r.open,
                    r.critical,
                    r.high,
                    r.medium,
                    r.low,
                    r.info
                )
            },
            "day         group          run    passed   open findings",
        )?
    } else if args.findings {
        let findings = store.findings()?;
        let mut out = render(
            args.format,
            &findings,
            |f| {
                format!(
                    "{}  {:<8} {:<6} {:>6.1} days  {} → {}  {} {} {}",
                    &f.fingerprint[..f.fingerprint.len().min(12)],
                    f.severity,
                    match f.state {
                        gsl::report::store::FindingState::Open => "open",
                        gsl::report::store::FindingState::Fixed => "fixed",
                        gsl::report::store::FindingState::Unseen => "unseen",
                    },
                    f.age_days,
                    f.first_seen,
                    f.last_seen,
                    gsl::text::escape_line(&f.policy),
                    f.account,
                    gsl::text::escape_line(&f.entity)
                )
            },
            "fingerprint   severity state   age        first seen → last seen  policy account entity",
        )?;
        if args.format == HistoryFormat::Text {
            out.push_str("\nmean time to remediate:\n");
            for r in gsl::report::store::remediation_of(&findings) {
                out.push_str(&format!(
                    "  {:<8} {} fixed, mean {} days; {} open, mean age {} days\n",
                    r.severity,
                    r.fixed,
                    opt(r.mean_days),
                    r.open,
                    opt(r.mean_open_age_days)
                ));
            }
        }
        out
    } else {
        render(
            args.format,
            &store.runs()?,
            |r| {
                format!(
                    "{:<5} {}  {} accounts  {} policies: {} passed, {} failed  {} open findings  {}",
                    r.id,
                    r.recorded_at,
                    r.accounts,
                    r.policies,
                    r.passed,
                    r.failed,
                    r.open_findings,
                    gsl::text::escape_line(&r.snapshot)
                )
            },
            "run   recorded at           what",
        )?
    };
    let _ = io.out.write_all(text.as_bytes());
    Ok(Exit::Ok)
}
