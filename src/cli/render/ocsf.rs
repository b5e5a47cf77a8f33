//! `--format ocsf`: OCSF 1.3.0 Compliance Finding (class 2003) JSON lines, one per
//! policy × relevant object, for Security Hub / OCSF pipelines. A compliance check is
//! what the class describes: the check's result is the `compliance` object (its
//! status), the finding's own `status` is where it stands in review, as Security Hub
//! sets it (a passed check is resolved, a waived one suppressed). The mapping
//! (docs/reports.md):
//!
//! | OCSF | from |
//! | --- | --- |
//! | `compliance.status_id` / `status` | 1 `Pass`, 3 `Fail`; 2 `Warning` when unknown or an error (no result) |
//! | `compliance.status_code`, `status_code` | `PASS`, `FAIL`, `UNKNOWN`, `ERROR` (the object's outcome) |
//! | `compliance.status_detail`, `status_detail` | the explanation |
//! | `compliance.control`, `.standards` | the policy id; its frameworks (else its pack) |
//! | `status_id` / `status` | 1 `New` (not passed), 4 `Resolved` (passed), 3 `Suppressed` (waived) |
//! | `severity_id` / `severity` | info 1, low 2, medium 3, high 4, critical 5 |
//! | `finding_info.uid` | the finding's fingerprint (stable across runs: docs/history.md) |
//! | `finding_info.title`, `.desc` | the policy title and description |
//! | `metadata.event_code` | the policy id |
//! | `resources[0]` | the object: id, name, type, region |
//! | `cloud` | provider `AWS`, the account, the region |
//! | `remediation` | the policy's remediation and references |
//! | `time` | the snapshot's collection time (ms since the epoch; 0 if unknown) |
//! | `unmapped` | snapshot name, `sample`, pack, waiver |
//!
//! The region of an account-wide result (a `List<X>` rule covers every region of the
//! account) is `global`. Not-relevant objects are not findings and are left out.
//! `tests/it/report_ocsf.rs` validates the output against the OCSF 1.3.0 schema.

use super::{explanation_text, Report};
use gsl::lang::eval::Outcome;
use gsl::policy::Severity;
use serde_json::json;

/// The region of a result that covers the whole account.
const GLOBAL: &str = "global";

/// The OCSF reporter.
pub struct Ocsf;

fn severity(s: Severity) -> (u8, &'static str) {
    match s {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

impl super::Reporter for Ocsf {
    fn render(&self, report: &Report<'_>) -> String {
        let run = report.run;
        let info = &run.snapshot;
        let time = info
            .collected_at
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp_millis())
            .unwrap_or(0);
        let mut out = String::new();
        for p in &run.policies {
            let m = &p.meta;
            let (severity_id, severity_name) = severity(m.severity);
            for e in p
                .entities
                .iter()
                .filter(|e| e.outcome != Outcome::NotRelevant)
            {
                let (code, (check_id, check)) = match e.outcome {
                    Outcome::Passed => ("PASS", (1, "Pass")),
                    Outcome::Failed => ("FAIL", (3, "Fail")),
                    Outcome::Unknown => ("UNKNOWN", (2, "Warning")),
                    Outcome::Error | Outcome::NotRelevant => ("ERROR", (2, "Warning")),
                };
                let waiver = p.waiver_of(&e.id);
                let (status_id, status) = if waiver.is_some() {
                    (3, "Suppressed")
                } else if e.outcome == Outcome::Passed {
                    (4, "Resolved")
                } else {
                    (1, "New")
                };
                let region = e.region.as_deref().unwrap_or(GLOBAL);
                let detail = explanation_text(e);
                let standards = if m.frameworks.is_empty() {
                    vec![super::pack(p).to_string()]
                } else {
                    m.frameworks.clone()
                };
                let remediation = if m.remediation.is_empty() {
                    &m.title
                } else {
                    &m.remediation
                };
                let mut line = json!({
                    "class_uid": 2003,
                    "class_name": "Compliance Finding",
                    "category_uid": 2,
                    "category_name": "Findings",
                    "activity_id": 1,
                    "activity_name": "Create",
                    "type_uid": 200301,
                    "type_name": "Compliance Finding: Create",
                    "time": time,
                    "severity_id": severity_id,
                    "severity": severity_name,
                    "status_id": status_id,
                    "status": status,
                    "status_code": code,
                    "status_detail": detail,
                    "message": m.title,
                    "metadata": {
                        "version": "1.3.0",
                        "event_code": m.id,
                        "profiles": ["cloud"],
                        "product": { "uid": "gsl", "name": "gsl", "vendor_name": "gsl", "version": env!("CARGO_PKG_VERSION") },
                    },
                    "finding_info": {
                        "uid": gsl::report::finding::fingerprint(p, e),
                        "title": m.title,
                        "desc": m.description,
                        "types": [super::pack(p)],
                    },
                    "compliance": {
                        "control": m.id,
                        "standards": standards,
                        "status_id": check_id,
                        "status": check,
                        "status_code": code,
                        "status_detail": detail,
                    },
                    "resources": [{
                        "uid": e.id,
                        "name": e.name.as_deref().unwrap_or(&e.id),
                        "type": e.entity_type,
                        "region": region,
                        "cloud_partition": "aws",
                    }],
                    "cloud": {
                        "provider": "AWS",
                        "account": { "uid": e.account, "type": "AWS Account", "type_id": 10 },
                        "region": region,
                    },
                    "remediation": { "desc": remediation, "references": m.references },
                    "unmapped": {
                        "snapshot": info.name,
                        "sample": info.sample,
                        "pack": super::pack(p),
                        "origin": p.origin,
                    },
                });
                if let Some(w) = waiver {
                    line["unmapped"]["waiver"] =
                        json!({ "reason": w.reason, "expires": w.expires, "file": w.file });
                }
                let notes = super::notes(p);
                if !notes.is_empty() {
                    line["unmapped"]["notes"] = json!(notes);
                }
                out.push_str(&gsl::text::escape_hidden_json(line.to_string()));
                out.push('\n');
            }
        }
        out
    }
}
