//! `--format csv`: one row per policy × object, RFC 4180 quoting (the `csv` crate).
//! A policy with no objects (not applicable, or it could not run) is one row with the
//! object columns empty. The columns, in order, are [`HEADER`] (documented in
//! docs/reports.md).

use super::{explanation_text, Report};

/// The CSV reporter.
pub struct Csv;

/// The header row.
pub const HEADER: [&str; 18] = [
    "pack",
    "policy_id",
    "title",
    "severity",
    "policy_status",
    "entity_id",
    "entity_name",
    "entity_type",
    "account",
    "region",
    "outcome",
    "waived",
    "explanation",
    "remediation",
    "frameworks",
    "origin",
    "snapshot",
    "sample",
];

fn write(report: &Report<'_>) -> Result<Vec<u8>, csv::Error> {
    let run = report.run;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(HEADER)?;
    let sample = if run.snapshot.sample { "true" } else { "false" };
    for p in &run.policies {
        let m = &p.meta;
        let frameworks = m.frameworks.join("; ");
        let policy_cols = [
            super::pack(p),
            m.id.as_str(),
            m.title.as_str(),
            m.severity.as_str(),
            p.status.as_str(),
        ];
        let tail = |w: &mut csv::Writer<Vec<u8>>, head: &[&str]| {
            let mut row: Vec<&str> = head.to_vec();
            row.extend([
                m.remediation.as_str(),
                frameworks.as_str(),
                p.origin.as_str(),
                run.snapshot.name.as_str(),
                sample,
            ]);
            // Hidden characters (controls, bidirectional overrides) as visible escapes.
            w.write_record(row.iter().map(|c| gsl::text::escape_hidden(c).into_owned()))
        };
        if p.entities.is_empty() {
            let why = p
                .error
                .clone()
                .or_else(|| p.meta.manual.as_ref().map(|m| format!("manual check: {m}")))
                .or_else(|| p.diagnostics.first().map(|d| d.message.clone()))
                .unwrap_or_default();
            let mut head = policy_cols.to_vec();
            head.extend(["", "", "", "", "", "", "", why.as_str()]);
            tail(&mut w, &head)?;
            continue;
        }
        for note in super::notes(p) {
            let mut head = policy_cols.to_vec();
            head.extend(["", "", "", "", "", "", "", note.as_str()]);
            tail(&mut w, &head)?;
        }
        for e in &p.entities {
            let explanation = explanation_text(e);
            let waived = p
                .waiver_of(&e.id)
                .map(|w| format!("{} (until {})", w.reason, w.expires))
                .unwrap_or_default();
            let mut head = policy_cols.to_vec();
            let line = gsl::text::escape_line;
            let (id, name, ty, account, region) = (
                line(&e.id),
                line(e.name.as_deref().unwrap_or("")),
                line(&e.entity_type),
                line(&e.account),
                line(e.region.as_deref().unwrap_or("")),
            );
            head.extend([
                id.as_ref(),
                name.as_ref(),
                ty.as_ref(),
                account.as_ref(),
                region.as_ref(),
                e.outcome.as_str(),
                waived.as_str(),
                explanation.as_str(),
            ]);
            tail(&mut w, &head)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

impl super::Reporter for Csv {
    fn render(&self, report: &Report<'_>) -> String {
        match write(report) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            // Writing to memory cannot fail; say so in the file if it ever does.
            Err(e) => format!("error\r\ncannot write the report: {e}\r\n"),
        }
    }
}
