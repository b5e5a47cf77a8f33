//! `--format sarif`: SARIF 2.1.0 (validated against the OASIS schema, and by
//! Microsoft's `sarif-multitool validate` with no error or warning, in tests), for
//! GitHub code scanning. One rule per policy: its id, a readable name made of its title
//! (`EnsureUsageOfTheRootAccountIsMonitored`), description, remediation as help, its
//! first reference as `helpUri`, severity, frameworks as tags. One result per failing,
//! unknown or erroring object, naming the object (a logical location); located at the
//! policy file when the policy is the user's (a built-in policy's file is not in the
//! user's repository, so it has no physical location). Results of waived objects carry
//! a SARIF suppression with the waiver's reason. Every result carries the finding's
//! fingerprint (`partialFingerprints`, docs/history.md); against a baseline, its
//! `baselineState` (`new`, `unchanged`), and the fixed findings are `absent` results.

use super::{explanation_text, is_finding, pretty_json, Report, SAMPLE_BANNER};
use gsl::lang::eval::Outcome;
use gsl::policy::Severity;
use gsl::report::baseline::{Comparison, State};
use gsl::report::finding;
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

/// SARIF's `baselineState` of a finding's state (none for one out of scope: it was
/// not compared).
fn baseline_state(state: State) -> Option<&'static str> {
    match state {
        State::New => Some("new"),
        State::Unchanged => Some("unchanged"),
        State::Fixed => Some("absent"),
        State::OutOfScope => None,
    }
}

/// The baseline's findings that are fixed, as `absent` results of their rule.
fn absent(run: &gsl::CheckRun, c: &Comparison) -> Vec<Value> {
    c.fixed
        .iter()
        .filter_map(|f| {
            let index = run.policies.iter().position(|p| {
                p.meta.id == f.policy && finding::pack_family(super::pack(p)) == f.pack
            })?;
            Some(json!({
                "ruleId": f.policy,
                "ruleIndex": index,
                "kind": "pass",
                "level": "none",
                "baselineState": "absent",
                "message": { "text": format!("{}: fixed since the baseline (was {})", f.name.as_deref().unwrap_or(&f.entity), f.outcome) },
                "locations": [{
                    "logicalLocations": [{
                        "fullyQualifiedName": f.entity,
                        "name": f.name.as_deref().unwrap_or(&f.entity),
                        "kind": "resource",
                    }]
                }],
                "partialFingerprints": { (finding::SARIF_KEY): f.fingerprint },
                "properties": {
                    "outcome": "fixed",
                    "entityType": f.entity_type,
                    "account": f.account,
                    "region": (!f.region.is_empty()).then_some(&f.region),
                }
            }))
        })
        .collect()
}

/// A policy path as a URI reference: relative paths as written (forward slashes),
/// absolute ones as `file://` URIs.
fn uri(origin: &str) -> String {
    let path = origin.replace('\\', "/");
    let path = path.trim_start_matches("./");
    if path.starts_with('/') {
        format!("file://{}", percent(path))
    } else if path.as_bytes().get(1) == Some(&b':') {
        format!("file:///{}", percent(path))
    } else {
        percent(path)
    }
}

/// Characters a URI cannot hold as they are, percent-encoded.
fn percent(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~@:+,;=!$&'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A policy's file, when it is the user's: a built-in policy is read from gsl itself
/// and its path is not in the user's repository.
fn physical_location(origin: &str) -> Option<Value> {
    let builtin = gsl::policy::builtin_sources()
        .iter()
        .any(|(path, _)| *path == origin);
    (!builtin).then(|| {
        json!({
            "artifactLocation": { "uri": uri(origin) },
            "region": { "startLine": 1 }
        })
    })
}

/// A rule's readable name: its title in Pascal case (`Ensure usage of the 'root'
/// account is monitored` → `EnsureUsageOfTheRootAccountIsMonitored`, `API` → `Api`),
/// or `Policy` and the id's letters when the title has none.
fn rule_name(title: &str, id: &str) -> String {
    let name: String = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        // The article `a` would make two capitals in a row (`HasALog`).
        .filter(|w| !w.is_empty() && *w != "a" && *w != "A")
        .map(|w| {
            // An acronym is one hump (`API` → `Api`), so the name stays Pascal case.
            let acronym = w
                .as_bytes()
                .windows(2)
                .any(|p| p[0].is_ascii_uppercase() && p[1].is_ascii_uppercase());
            let rest = if acronym {
                w[1..].to_ascii_lowercase()
            } else {
                w[1..].to_string()
            };
            w[..1].to_ascii_uppercase() + &rest
        })
        .collect();
    if name.is_empty() || name == id {
        format!(
            "Policy{}",
            id.replace(|c: char| !c.is_ascii_alphanumeric(), "")
        )
    } else {
        name
    }
}

/// The tool: gsl, its version, where to learn about it (the package's repository or
/// homepage, when `Cargo.toml` names one), its rules.
fn driver(rules: Vec<Value>) -> Value {
    let mut driver = json!({
        "name": "gsl",
        "fullName": format!("gsl {}", env!("CARGO_PKG_VERSION")),
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    let about = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty());
    if let Some(uri) = about {
        driver["informationUri"] = json!(uri);
    }
    driver
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
                    "name": rule_name(&m.title, &m.id),
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
            let physical = physical_location(&p.origin);
            if let Some(error) = &p.error {
                let mut result = json!({
                    "ruleId": p.meta.id,
                    "ruleIndex": index,
                    "kind": "review",
                    "level": "error",
                    "message": { "text": format!("the policy could not run: {error}") },
                });
                if let Some(at) = &physical {
                    result["locations"] = json!([{ "physicalLocation": at }]);
                }
                results.push(result);
                continue;
            }
            for e in p.entities.iter().filter(|e| is_finding(e.outcome)) {
                let text = explanation_text(e);
                let fingerprint = finding::fingerprint(p, e);
                let state = report
                    .baseline
                    .and_then(|c| c.state_of(&fingerprint))
                    .and_then(baseline_state);
                let mut result = json!({
                    "ruleId": p.meta.id,
                    "ruleIndex": index,
                    "kind": if e.outcome == Outcome::Failed { "fail" } else { "review" },
                    "level": if e.outcome == Outcome::Failed { level(p.meta.severity) } else { "warning" },
                    "message": { "text": format!("{}: {}", super::entity_label(e), if text.is_empty() { e.outcome.as_str().to_string() } else { text }) },
                    "locations": [{
                        "logicalLocations": [{
                            "fullyQualifiedName": e.id,
                            "name": e.name.as_deref().unwrap_or(&e.id),
                            "kind": "resource",
                        }]
                    }],
                    "partialFingerprints": { (finding::SARIF_KEY): fingerprint },
                    "properties": {
                        "outcome": e.outcome.as_str(),
                        "entityType": e.entity_type,
                        "account": e.account,
                        "region": e.region,
                    }
                });
                if let Some(at) = &physical {
                    result["locations"][0]["physicalLocation"] = at.clone();
                }
                if let Some(state) = state {
                    result["baselineState"] = json!(state);
                }
                let commands = report.fix_commands(&p.meta.id, &e.id);
                if !commands.is_empty() {
                    // A SARIF `fix` changes files (`artifactChanges`); these are calls
                    // to AWS, so they are a property.
                    result["properties"]["fix"] = json!({
                        "description": report.fix_line(&p.meta.id, &e.id),
                        "commands": commands,
                    });
                }
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
        if let Some(c) = report.baseline {
            results.extend(absent(run, c));
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
                "tool": { "driver": driver(rules) },
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
