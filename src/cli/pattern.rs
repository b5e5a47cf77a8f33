//! `gsl pattern ...`: the filter-pattern engine on the command line.
//!
//! Exit codes: 0 yes / ok, 1 no (different, not covered), 2 invalid input, 3 cannot decide.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use gsl::pattern::{Comparison, Coverage, FilterPattern, PatternError, PatternErrorKind, MAX_LEN};

/// `gsl pattern ...` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum PatternCmd {
    /// Print the canonical form of a filter pattern.
    Canon {
        /// The filter pattern.
        #[arg(allow_hyphen_values = true)]
        pattern: String,
    },
    /// Compare two patterns by meaning: exit 0 equal, 1 different (printed how), 2 invalid, 3 cannot decide.
    Eq {
        /// The first pattern.
        #[arg(allow_hyphen_values = true)]
        a: String,
        /// The second pattern.
        #[arg(allow_hyphen_values = true)]
        b: String,
    },
    /// Match log events like TestMetricFilter and print its JSON response.
    Test {
        /// The filter pattern.
        #[arg(allow_hyphen_values = true)]
        pattern: String,
        /// The events (default: standard input): one per line, or a CloudTrail log
        /// file (`{"Records": [...]}`, gzipped or not), as `gsl replay` reads them.
        #[arg(long)]
        events: Option<PathBuf>,
    },
    /// Does ACTUAL (the second pattern, e.g. a filter's) catch every event REQUIRED (the
    /// first, e.g. CIS's) catches? Exit 0 yes, 1 no (with a counterexample), 2 invalid,
    /// 3 cannot decide.
    Covers {
        /// First: the pattern whose events must be caught (e.g. the CIS pattern).
        #[arg(allow_hyphen_values = true)]
        required: String,
        /// Second: the pattern that must catch them (e.g. the metric filter's).
        #[arg(allow_hyphen_values = true)]
        actual: String,
    },
}

fn render(e: &PatternError) -> String {
    super::render_with(
        &miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(80),
        e,
    )
}

/// Parse a pattern given on the command line. A text over CloudWatch's length limit is
/// still accepted when it is gsl's own canonical form (what `gsl pattern canon` printed,
/// which adds quotes and parentheses), with a note that CloudWatch would refuse it.
fn parse(text: &str, name: &str, err: &mut dyn Write) -> Option<FilterPattern> {
    match FilterPattern::parse_named(text, name) {
        Ok(p) => Some(p),
        Err(e) => {
            if e.kind() == PatternErrorKind::TooLong {
                if let Ok(p) = FilterPattern::parse_canonical(text) {
                    if p.canonical() == text {
                        let _ = writeln!(
                            err,
                            "note: the {name} is {} characters, over CloudWatch's limit of {MAX_LEN}; read as gsl's canonical form",
                            text.chars().count()
                        );
                        return Some(p);
                    }
                }
            }
            let _ = write!(err, "{}", render(&e));
            None
        }
    }
}

/// A note when a canonical form no longer fits CloudWatch (it can be longer than the
/// text it came from).
fn note_if_too_long(canonical: &str, err: &mut dyn Write) {
    let n = canonical.chars().count();
    if n > MAX_LEN {
        let _ = writeln!(
            err,
            "note: the canonical form is {n} characters; CloudWatch allows at most {MAX_LEN}, so submit the original text to CloudWatch (gsl reads this form back)"
        );
    }
}

/// Test `p` on the events of `bytes` (named `source`), read by the log-file reader
/// of `gsl replay`: gzip, a CloudTrail document's records, else one event per line
/// (`gsl pattern test --events` and the REPL's `:pattern test ... --events`). The
/// result, the number of events tested, and what could not be read.
pub fn test_events(
    p: &FilterPattern,
    bytes: &[u8],
    source: &str,
) -> (
    gsl::pattern::TestResult,
    usize,
    Vec<gsl::replay::logs::Skipped>,
) {
    let mut events: Vec<String> = Vec::new();
    let mut skipped = Vec::new();
    gsl::replay::logs::read_events(
        bytes,
        source,
        gsl::replay::logs::Limits::default(),
        &mut |e| events.push(e.to_string()),
        &mut |s| skipped.push(s),
    );
    (p.test(&events), events.len(), skipped)
}

/// Run a `gsl pattern` subcommand. Returns the process exit code
/// (0 yes/ok, 1 no/different/not covered, 2 invalid input, 3 cannot decide).
pub fn run(
    cmd: &PatternCmd,
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    match cmd {
        PatternCmd::Canon { pattern } => {
            let Some(p) = parse(pattern, "pattern", err) else {
                return 2;
            };
            let canonical = p.canonical();
            if writeln!(out, "{canonical}").is_err() {
                return 2;
            }
            note_if_too_long(&canonical, err);
            0
        }
        PatternCmd::Eq { a, b } => {
            let (Some(pa), Some(pb)) = (
                parse(a, "first pattern", err),
                parse(b, "second pattern", err),
            ) else {
                return 2;
            };
            match pa.compare(&pb) {
                Comparison::Equal => {
                    let _ = writeln!(out, "equal: {}", pa.canonical());
                    0
                }
                Comparison::Unknown { reason } => {
                    let _ = writeln!(out, "cannot decide: {reason}");
                    3
                }
                Comparison::Different { explanation, .. } => {
                    let _ = writeln!(
                        out,
                        "different\nfirst:  {}\nsecond: {}\n{explanation}",
                        pa.canonical(),
                        pb.canonical()
                    );
                    1
                }
            }
        }
        PatternCmd::Test { pattern, events } => {
            let Some(p) = parse(pattern, "pattern", err) else {
                return 2;
            };
            let bytes = match events {
                Some(path) => match gsl::source::read_bytes(path, gsl::source::Kind::Events) {
                    Ok(b) => b,
                    Err(e) => {
                        let _ = write!(err, "{}", super::render_diagnostic(&e));
                        return 2;
                    }
                },
                None => {
                    let mut b = Vec::new();
                    if let Err(e) = stdin.read_to_end(&mut b) {
                        let _ = writeln!(err, "error: cannot read events from standard input: {e}");
                        return 2;
                    }
                    b
                }
            };
            let source = events
                .as_ref()
                .map_or("standard input".to_string(), |p| p.display().to_string());
            // A line that is not UTF-8 is reported with its number and skipped, the
            // others are still tested.
            let (result, _, skipped) = test_events(&p, &bytes, &source);
            let bad = skipped.len();
            for s in skipped {
                let at = s.at.strip_prefix("line ").unwrap_or(&s.at);
                let _ = writeln!(err, "error: {source}:{at}: {}; skipped", s.why);
            }
            match serde_json::to_string_pretty(&result) {
                Ok(s) => {
                    let _ = writeln!(out, "{s}");
                    // Skipped events are an error: the answer does not cover them.
                    if bad > 0 {
                        2
                    } else {
                        0
                    }
                }
                Err(e) => {
                    let _ = writeln!(err, "error: {e}");
                    2
                }
            }
        }
        PatternCmd::Covers { required, actual } => {
            let (Some(r), Some(a)) = (
                parse(required, "required pattern", err),
                parse(actual, "actual pattern", err),
            ) else {
                return 2;
            };
            match a.covers(&r) {
                Coverage::Covered => {
                    let _ = writeln!(out, "covered: every event REQUIRED (the first pattern) matches, ACTUAL (the second) matches too");
                    0
                }
                Coverage::NotCovered { counterexample } => {
                    let _ = writeln!(
                        out,
                        "not covered: REQUIRED (the first pattern) matches this event, ACTUAL (the second) does not:\n{counterexample}"
                    );
                    1
                }
                Coverage::Unknown { reason } => {
                    let _ = writeln!(out, "cannot decide: {reason}");
                    3
                }
            }
        }
    }
}
