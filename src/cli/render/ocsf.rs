//! `--format ocsf`: OCSF 1.3.0 Detection Finding (class 2004) JSON lines, one per
//! policy × relevant object, like Prowler's, for Security Hub / OCSF pipelines. The
//! mapping (docs/reports.md):
//!
//! | OCSF | from |
//! | --- | --- |
//! | `status_code` | `PASS`, `FAIL`, `UNKNOWN`, `ERROR` (the object's outcome) |
//! | `status_id` / `status` | 1 `New`; 3 `Suppressed` when waived |
//! | `severity_id` / `severity` | info 1, low 2, medium 3, high 4, critical 5 |
//! | `finding_info.uid` | `gsl-<policy id>-<entity id>` (stable across runs) |
//! | `finding_info.title`, `.desc` | the policy title and description |
//! | `metadata.event_code` | the policy id |
//! | `resources[0]` | the object: id, name, type, region |
//! | `cloud` | provider `AWS`, the account, the region |
//! | `remediation` | the policy's remediation and references |
//! | `compliance.standards` | the policy's frameworks |
//! | `time` | the snapshot's collection time (ms since the epoch; 0 if unknown) |
//! | `unmapped` | snapshot name, `sample`, pack, waiver |
//!
//! Not-relevant objects are not findings and are left out.

use super::{explanation_text, Report};
use gsl::lang::eval::Outcome;
use gsl::policy::Severity;
use serde_json::json;

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
                let code = match e.outcome {
                    Outcome::Passed => "PASS",
                    Outcome::Failed => "FAIL",
                    Outcome::Unknown => "UNKNOWN",
                    Outcome::Error | Outcome::NotRelevant => "ERROR",
                };
                let waiver = p.waiver_of(&e.id);
                let (status_id, status) = if waiver.is_some() {
                    (3, "Suppressed")
                } else {
                    (1, "New")
                };
                let mut line = json!({
                    "class_uid": 2004,
                    "class_name": "Detection Finding",
                    "category_uid": 2,
                    "category_name": "Findings",
                    "activity_id": 1,
                    "activity_name": "Create",
                    "type_uid": 200401,
                    "type_name": "Detection Finding: Create",
                    "time": time,
                    "severity_id": severity_id,
                    "severity": severity_name,
                    "status_id": status_id,
                    "status": status,
                    "status_code": code,
                    "status_detail": explanation_text(e),
                    "message": m.title,
                    "metadata": {
                        "version": "1.3.0",
                        "event_code": m.id,
                        "profiles": ["cloud"],
                        "product": { "name": "gsl", "vendor_name": "gsl", "version": env!("CARGO_PKG_VERSION") },
                    },
                    "finding_info": {
                        "uid": format!("gsl-{}-{}", m.id, e.id),
                        "title": m.title,
                        "desc": m.description,
                        "types": [super::pack(p)],
                    },
                    "resources": [{
                        "uid": e.id,
                        "name": e.name.as_deref().unwrap_or(&e.id),
                        "type": e.entity_type,
                        "region": e.region,
                        "cloud_partition": "aws",
                    }],
                    "cloud": {
                        "provider": "AWS",
                        "account": { "uid": e.account, "type": "AWS Account", "type_id": 10 },
                        "region": e.region,
                    },
                    "remediation": { "desc": m.remediation, "references": m.references },
                    "compliance": { "standards": m.frameworks },
                    "unmapped": {
                        "snapshot": info.name,
                        "sample": info.sample,
                        "pack": super::pack(p),
                        "origin": p.origin,
                        "waiver": waiver.map(|w| json!({ "reason": w.reason, "expires": w.expires, "file": w.file })),
                    },
                });
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
