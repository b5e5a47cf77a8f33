//! Rendering a run: one reporter per format behind the [`Reporter`] trait, all fed
//! the same [`gsl::CheckRun`]. Adding a format is one file here and one variant of
//! [`ReportFormat`] (with its file name).
//!
//! Every reporter is deterministic: the same run gives byte-identical output (no
//! clock, no random ids; the only time is the snapshot's collection time).

pub mod baseline;
pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod ocsf;
pub mod sarif;
pub mod text;

pub use text::{entity_label, evidence_line, render_rule, write_entity, TextOptions};

pub use gsl::report::is_finding;
use gsl::report::PolicyReport;
use gsl::CheckRun;

/// The line every format carries when the run is over the built-in sample account, so
/// a CI job that forgot `--snapshot` cannot pass for a real result.
pub const SAMPLE_BANNER: &str = "SAMPLE DATA: this run is over the sample account built into gsl, not a real account; pass --snapshot FILE (or --live) to check yours";

/// What a reporter renders: the run, and the options of the text report.
pub struct Report<'a> {
    /// The run.
    pub run: &'a CheckRun,
    /// Options (verbosity and colour apply to text only).
    pub opts: TextOptions,
    /// Text report: list only policies with these statuses (empty: all).
    pub statuses: Vec<gsl::report::RuleStatus>,
    /// Text report: a last line saying what to do next (e.g. how to check a real
    /// account after a run over the sample).
    pub hint: Option<String>,
    /// The comparison with a baseline (`--baseline`), if one was given.
    pub baseline: Option<&'a gsl::report::baseline::Comparison>,
    /// HTML report: the last runs of the findings store (`--store`), for its trend
    /// chart (empty: no chart).
    pub history: &'a [gsl::report::store::RunRow],
    /// The plan that mends the failures (`gsl fix`'s), when the run could make one:
    /// text, HTML and SARIF show each failure's fix.
    pub fixes: Option<&'a gsl::fix::Plan>,
}

impl Report<'_> {
    /// The fix of a failing object in one line: its first change's AWS CLI command,
    /// with how many more and the `gsl fix` command that prints them all; or why gsl
    /// cannot mend it. None for a failure gsl has no change for (its remediation line
    /// says what to do; `gsl fix` lists it).
    pub fn fix_line(&self, policy: &str, entity: &str) -> Option<String> {
        let plan = self.fixes?;
        let f = plan.finding(policy, entity)?;
        match &f.blocked {
            Some(gsl::fix::Blocked::NotCovered { .. }) => return None,
            Some(why) => return Some(why.to_string()),
            None => {}
        }
        let changes: Vec<&gsl::fix::Change> = plan.changes_of(f).collect();
        let first = gsl::fix::cli::command(changes.first()?);
        Some(match changes.len() {
            1 => first,
            n => format!("{first}  (+{} more: gsl fix --id {policy})", n - 1),
        })
    }

    /// The AWS CLI commands of a failing object's fix, in order.
    pub fn fix_commands(&self, policy: &str, entity: &str) -> Vec<String> {
        self.fixes
            .and_then(|plan| {
                let f = plan.finding(policy, entity)?;
                Some(plan.changes_of(f).map(gsl::fix::cli::command).collect())
            })
            .unwrap_or_default()
    }
}

/// One output format.
pub trait Reporter {
    /// The whole output for `report`.
    fn render(&self, report: &Report<'_>) -> String;

    /// The output written to `out`: [`Reporter::render`]'s text, unless the format
    /// streams it (an organization's JSON report is never held whole in memory).
    fn write(&self, report: &Report<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        out.write_all(self.render(report).as_bytes())
    }
}

/// The report formats of `gsl check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    /// For people (the default).
    Text,
    /// The versioned JSON document (docs/report.schema.json).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML: a testsuite per pack, a testcase per policy and object.
    Junit,
    /// CSV, one row per policy and object (columns: docs/reports.md).
    Csv,
    /// OCSF 1.3 Compliance Finding (class 2003) JSON lines, one per policy and object.
    Ocsf,
    /// A Markdown summary table, for pull-request comments.
    Markdown,
    /// One self-contained HTML page with a chart and filterable findings.
    Html,
}

impl ReportFormat {
    /// The reporter of this format.
    pub fn reporter(self) -> &'static dyn Reporter {
        match self {
            ReportFormat::Text => &text::Text,
            ReportFormat::Json => &json::Json,
            ReportFormat::Sarif => &sarif::Sarif,
            ReportFormat::Junit => &junit::Junit,
            ReportFormat::Csv => &csv::Csv,
            ReportFormat::Ocsf => &ocsf::Ocsf,
            ReportFormat::Markdown => &markdown::Markdown,
            ReportFormat::Html => &html::Html,
        }
    }

    /// The file this format is written to under `--output-dir`.
    pub fn file_name(self) -> &'static str {
        match self {
            ReportFormat::Text => "gsl-report.txt",
            ReportFormat::Json => "gsl-report.json",
            ReportFormat::Sarif => "gsl-report.sarif",
            ReportFormat::Junit => "gsl-report.junit.xml",
            ReportFormat::Csv => "gsl-report.csv",
            ReportFormat::Ocsf => "gsl-report.ocsf.jsonl",
            ReportFormat::Markdown => "gsl-report.md",
            ReportFormat::Html => "gsl-report.html",
        }
    }

    /// Whether this format shows the explanation of an object that passed or is not
    /// relevant (the text report: with `--verbose`); a run for formats that do not
    /// drops those explanations as it goes (`EvalOptions::explain_passed`).
    pub fn explains_passed(self, verbose: bool) -> bool {
        match self {
            ReportFormat::Json | ReportFormat::Csv | ReportFormat::Ocsf => true,
            ReportFormat::Text => verbose,
            ReportFormat::Sarif
            | ReportFormat::Junit
            | ReportFormat::Markdown
            | ReportFormat::Html => false,
        }
    }

    /// Write `report` in this format to `out` (streamed where the format can be).
    pub fn write(self, report: &Report<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        self.reporter().write(report, out)
    }
}

/// How many accounts a run covers, with the first few ids (an organization has
/// thousands): `account 123456789012`, `3 accounts: 1…, 2…, 3…`, `1000 accounts: 1…,
/// 2…, 3…, … (997 more)`.
pub fn accounts_line(accounts: &[String]) -> String {
    const SHOWN: usize = 3;
    // The snapshot's account numbers are data: a line break or bidi override in one
    // is shown escaped, never obeyed.
    let escaped: Vec<String> = accounts
        .iter()
        .map(|a| gsl::text::escape_line(a).into_owned())
        .collect();
    match escaped.as_slice() {
        [] => "no account".to_string(),
        [one] => format!("account {one}"),
        many => {
            let first = many[..many.len().min(SHOWN)].join(", ");
            let more = many.len().saturating_sub(SHOWN);
            if more == 0 {
                format!("{} accounts: {first}", many.len())
            } else {
                format!("{} accounts: {first}, … ({more} more)", many.len())
            }
        }
    }
}

/// The warnings and notes of a policy that ran (a property no entity has, accounts
/// without an entity of its type), one line each: `warning: <message>; <help>
/// [<code>]`. Every format shows them; a policy that could not run shows its error
/// instead.
pub fn notes(r: &PolicyReport) -> Vec<String> {
    if r.error.is_some() {
        return Vec::new();
    }
    r.diagnostics
        .iter()
        .map(|d| {
            let help = d
                .help
                .as_deref()
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            gsl::text::escape_hidden(&format!(
                "{}: {}{help} [{}]",
                d.level.as_str(),
                d.message,
                d.code
            ))
            .into_owned()
        })
        .collect()
}

/// The pack a policy belongs to (see `gsl::policy::select::pack_of`).
pub fn pack(r: &PolicyReport) -> &str {
    gsl::policy::select::pack_of(&r.origin)
}

/// An explanation as plain text: the summary, then one evidence line each.
pub fn explanation_text(e: &gsl::lang::eval::EntityResult) -> String {
    let mut lines = Vec::new();
    if !e.explanation.summary.is_empty() {
        lines.push(gsl::text::escape_line(&e.explanation.summary).into_owned());
    }
    for ev in &e.explanation.evidence {
        if ev.note.as_deref() == Some(e.explanation.summary.as_str()) {
            continue;
        }
        lines.push(format!("↳ {}", evidence_line(ev)));
    }
    lines.join("\n")
}

/// Pretty JSON with a final newline (serializing plain data cannot fail; say so if it
/// ever does).
pub fn pretty_json(v: &serde_json::Value) -> String {
    match serde_json::to_string_pretty(v) {
        Ok(s) => gsl::text::escape_hidden_json(s) + "\n",
        Err(e) => format!("{{\"error\":\"cannot encode the report: {e}\"}}\n"),
    }
}
