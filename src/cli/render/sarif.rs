//! `--format sarif`: SARIF 2.1.0 (validated against the OASIS schema in a test), for
//! GitHub code scanning. One rule per policy (title, description, remediation as
//! help, severity, frameworks as tags); one result per failing, unknown or erroring
//! object, located at the policy file and naming the object (a logical location).
//! Results of waived objects carry a SARIF suppression with the waiver's reason.

use super::{explanation_text, is_finding, pretty_json, Report, SAMPLE_BANNER};
use gsl::lang::eval::Outcome;
use gsl::policy::Severity;
use serde_json::{json, Value};

/// The SARIF reporter.
pub struct Sarif;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The SARIF level of a policy's severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` property (a CVSS-like score) for a severity.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// A relative policy path as a URI (forward slashes).
fn uri(origin: &str) -> String {
    origin
        .replace('\\', "/")
        .trim_start_matches("./")
        .to_string()
}

impl super::Reporter for Sarif {
    fn render(&self, report: &Report<'_>) -> String {
        let run = report.run;
        let rules: Vec<Value> = run
            .policies
            .iter()
            .map(|p| {
                let m = &p.meta;
                let mut help = m.remediation.clone();
                if !m.references.is_empty() {
                    help.push_str(&format!("\n\nReferences: {}", m.references.join(", ")));
                }
                let mut rule = json!({
                    "id": m.id,
                    "name": m.id,
                    "shortDescription": { "text": m.title },
                    "fullDescription": { "text": if m.description.is_empty() { &m.title } else { &m.description } },
                    "help": { "text": if help.is_empty() { "No remediation given." } else { help.as_str() } },
                    "defaultConfiguration": { "level": level(m.severity) },
                    "properties": {
                        "severity": m.severity.as_str(),
                        "security-severity": security_severity(m.severity),
                        "tags": m.frameworks,
                        "pack": super::pack(p),
                    }
                });
                if let Some(first) = m.references.first() {
                    rule["helpUri"] = json!(first);
                }
                rule
            })
            .collect();
        let mut results = Vec::new();
        for (index, p) in run.policies.iter().enumerate() {
            let location = json!({
                "physicalLocation": {
                    "artifactLocation": { "uri": uri(&p.origin) },
                    "region": { "startLine": 1 }
                }
            });
            if let Some(error) = &p.error {
                results.push(json!({
                    "ruleId": p.meta.id,
                    "ruleIndex": index,
                    "kind": "review",
                    "level": "error",
                    "message": { "text": format!("the policy could not run: {error}") },
                    "locations": [location],
                }));
                continue;
            }
            for e in p.entities.iter().filter(|e| is_finding(e.outcome)) {
                let text = explanation_text(e);
                let mut result = json!({
                    "ruleId": p.meta.id,
                    "ruleIndex": index,
                    "kind": if e.outcome == Outcome::Failed { "fail" } else { "review" },
                    "level": if e.outcome == Outcome::Failed { level(p.meta.severity) } else { "warning" },
                    "message": { "text": format!("{}: {}", super::entity_label(e), if text.is_empty() { e.outcome.as_str().to_string() } else { text }) },
                    "locations": [{
                        "physicalLocation": location["physicalLocation"],
                        "logicalLocations": [{
                            "fullyQualifiedName": e.id,
                            "name": e.name.as_deref().unwrap_or(&e.id),
                            "kind": "resource",
                        }]
                    }],
                    "partialFingerprints": { "gslFinding/v1": format!("{}|{}", p.meta.id, e.id) },
                    "properties": {
                        "outcome": e.outcome.as_str(),
                        "entityType": e.entity_type,
                        "account": e.account,
                        "region": e.region,
                    }
                });
                if let Some(w) = p.waiver_of(&e.id) {
                    result["suppressions"] = json!([{
                        "kind": "external",
                        "status": "accepted",
                        "justification": format!("{} (waiver expires {})", w.reason, w.expires),
                    }]);
                }
                results.push(result);
            }
        }
        let info = &run.snapshot;
        let mut notifications = Vec::new();
        if info.sample {
            notifications.push(json!({ "level": "warning", "message": { "text": SAMPLE_BANNER } }));
        }
        for e in &info.collection_errors {
            notifications.push(json!({ "level": "warning", "message": { "text": format!("collection error: {e}") } }));
        }
        for p in &run.policies {
            for d in p.diagnostics.iter().filter(|_| p.error.is_none()) {
                let level = match d.level {
                    gsl::report::Level::Note => "note",
                    _ => "warning",
                };
                notifications.push(json!({
                    "level": level,
                    "descriptor": { "id": d.code },
                    "associatedRule": { "id": p.meta.id },
                    "message": { "text": format!("{}: {}", p.meta.id, d.message) },
                }));
            }
        }
        let doc = json!({
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": { "driver": {
                    "name": "gsl",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }},
                "invocations": [{
                    "executionSuccessful": run.summary.errors == 0,
                    "toolExecutionNotifications": notifications,
                }],
                "results": results,
                "properties": {
                    "snapshot": info.name,
                    "collectedAt": info.collected_at,
                    "accounts": info.accounts,
                    "sample": info.sample,
                }
            }]
        });
        pretty_json(&doc)
    }
}
