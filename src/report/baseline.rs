//! Baselines: the findings of one run compared with those of another (`gsl check
//! --baseline`, `gsl diff`), matched by fingerprint ([`super::finding`]).
//!
//! A finding of the current run is `new` when the baseline does not hold its
//! fingerprint and `unchanged` when it does; a finding of the baseline that the
//! current run does not hold (the object passes now, or is gone) is `fixed`. Only
//! what both runs looked at is compared: a finding of a policy that did not run in
//! both (another pack version, another selection, a policy that could not run) or of
//! an account that is not in both is `outOfScope`, neither new nor fixed. A rule whose
//! meaning changed has new fingerprints: its old findings are fixed and its current
//! ones new.

use super::{finding, is_finding, FailPolicy, PolicyReport, SnapshotInfo, Verdict};
use crate::policy::Severity;
use miette::Diagnostic;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use thiserror::Error;

/// Where a finding stands against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum State {
    /// Not in the baseline.
    New,
    /// In the baseline too.
    Unchanged,
    /// In the baseline, and no longer a finding.
    Fixed,
    /// Of a policy or an account that is not in both runs: not compared.
    OutOfScope,
}

impl State {
    /// `new`, `unchanged`, `fixed`, `outOfScope`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::New => "new",
            State::Unchanged => "unchanged",
            State::Fixed => "fixed",
            State::OutOfScope => "outOfScope",
        }
    }
}

/// One finding (a failing, unknown or erroring object), as compared across runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The fingerprint ([`finding::fingerprint`]).
    pub fingerprint: String,
    /// The pack, without its version.
    pub pack: String,
    /// The policy id.
    pub policy: String,
    /// The policy title.
    pub title: String,
    /// The policy severity.
    pub severity: Severity,
    /// The account number.
    pub account: String,
    /// The region (empty for a global object).
    pub region: String,
    /// The entity id.
    pub entity: String,
    /// The entity's name, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The entity type.
    pub entity_type: String,
    /// `failed`, `unknown` or `error`.
    pub outcome: String,
    /// Whether a waiver accepts it.
    pub waived: bool,
}

impl Finding {
    /// The policy, as scopes name it: `pack/id`.
    pub fn policy_key(&self) -> String {
        format!("{}/{}", self.pack, self.policy)
    }

    /// Whether it counts against a run under `fail` (a failure, an error, or an
    /// unknown result unless unknown is allowed; not waived; at or above the threshold).
    pub fn counts(&self, fail: &FailPolicy) -> bool {
        let outcome = match self.outcome.as_str() {
            "unknown" => !fail.unknown_ok,
            _ => true,
        };
        outcome && !self.waived && self.severity >= fail.fail_on.unwrap_or(Severity::Info)
    }
}

/// The findings of one run and what it looked at.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    /// Where they come from (a file name, or the snapshot checked).
    pub name: String,
    /// The findings.
    pub findings: Vec<Finding>,
    /// The policies that ran (`pack/id`, [`Finding::policy_key`]).
    pub policies: BTreeSet<String>,
    /// The accounts checked.
    pub accounts: BTreeSet<String>,
}

/// A baseline or report that cannot be read.
#[derive(Debug, Error, Diagnostic)]
pub enum BaselineError {
    /// The file cannot be read.
    #[error("cannot read {path}: {message}")]
    #[diagnostic(
        code(gsl::baseline::read),
        help("pass a report written by `gsl check --format json` (or sarif)")
    )]
    Read {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// Not JSON, or not a gsl report.
    #[error("{name} is not a gsl JSON or SARIF report: {message}")]
    #[diagnostic(
        code(gsl::baseline::format),
        help("a baseline is the output of `gsl check --format json` or `--format sarif`")
    )]
    Format {
        /// The file.
        name: String,
        /// What is wrong.
        message: String,
    },
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

impl Findings {
    /// The findings of a run's reports.
    pub fn of_run(snapshot: &SnapshotInfo, policies: &[PolicyReport]) -> Findings {
        let mut out = Findings {
            name: snapshot.name.clone(),
            accounts: snapshot.accounts.iter().cloned().collect(),
            ..Findings::default()
        };
        for p in policies.iter().filter(|p| p.error.is_none()) {
            let pack = finding::pack_family(crate::policy::select::pack_of(&p.origin));
            out.policies.insert(format!("{pack}/{}", p.meta.id));
            for e in p.entities.iter().filter(|e| is_finding(e.outcome)) {
                out.findings.push(Finding {
                    fingerprint: finding::fingerprint(p, e),
                    pack: pack.to_string(),
                    policy: p.meta.id.clone(),
                    title: p.meta.title.clone(),
                    severity: p.meta.severity,
                    account: e.account.clone(),
                    region: e.region.clone().unwrap_or_default(),
                    entity: e.id.clone(),
                    name: e.name.clone(),
                    entity_type: e.entity_type.clone(),
                    outcome: e.outcome.as_str().to_string(),
                    waived: p.waiver_of(&e.id).is_some(),
                });
            }
        }
        out
    }

    /// The findings of a report file: gsl's JSON document or its SARIF.
    pub fn load(path: &std::path::Path) -> Result<Findings, BaselineError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| BaselineError::Read {
            path: name.clone(),
            message: e.to_string(),
        })?;
        Findings::parse(&text, &name)
    }

    /// The findings of a report's text (JSON document or SARIF); `name` for messages.
    pub fn parse(text: &str, name: &str) -> Result<Findings, BaselineError> {
        let format = |message: String| BaselineError::Format {
            name: name.to_string(),
            message,
        };
        let doc: Value = serde_json::from_str(text).map_err(|e| format(e.to_string()))?;
        let mut out = Findings {
            name: name.to_string(),
            ..Findings::default()
        };
        if let Some(runs) = doc.get("runs").and_then(Value::as_array) {
            for run in runs {
                out.read_sarif_run(run);
            }
        } else if doc.get("reportVersion").is_some() {
            out.read_document(&doc);
        } else {
            return Err(format(
                "it has neither `reportVersion` (JSON report) nor `runs` (SARIF)".into(),
            ));
        }
        Ok(out)
    }

    fn read_document(&mut self, doc: &Value) {
        let strings = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        self.accounts
            .extend(strings(doc.pointer("/snapshot/accounts")));
        for r in doc["results"].as_array().into_iter().flatten() {
            if r.get("error").is_some() {
                continue;
            }
            let pack =
                finding::pack_family(crate::policy::select::pack_of(text(r, "origin"))).to_string();
            let policy = text(r, "id").to_string();
            self.policies.insert(format!("{pack}/{policy}"));
            let severity = Severity::parse(text(r, "severity")).unwrap_or(Severity::Medium);
            let waived: HashSet<&str> = r["waived"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|w| text(w, "entity"))
                .collect();
            let digest = r.get("ruleDigest").and_then(Value::as_str);
            for e in r["entities"].as_array().into_iter().flatten() {
                let outcome = text(e, "outcome");
                if !matches!(outcome, "failed" | "unknown" | "error") {
                    continue;
                }
                let (account, region, entity) =
                    (text(e, "account"), text(e, "region"), text(e, "id"));
                let fingerprint = match e.get("fingerprint").and_then(Value::as_str) {
                    Some(f) => f.to_string(),
                    // A report written before fingerprints: the same computation.
                    None => finding::Identity {
                        pack: &pack,
                        policy: &policy,
                        account,
                        region,
                        entity,
                    }
                    .fingerprint(digest),
                };
                self.findings.push(Finding {
                    fingerprint,
                    pack: pack.clone(),
                    policy: policy.clone(),
                    title: text(r, "title").to_string(),
                    severity,
                    account: account.to_string(),
                    region: region.to_string(),
                    entity: entity.to_string(),
                    name: e.get("name").and_then(Value::as_str).map(str::to_string),
                    entity_type: text(e, "entityType").to_string(),
                    outcome: outcome.to_string(),
                    waived: waived.contains(entity),
                });
            }
        }
    }

    fn read_sarif_run(&mut self, run: &Value) {
        let rules: Vec<&Value> = run
            .pointer("/tool/driver/rules")
            .and_then(Value::as_array)
            .map(|r| r.iter().collect())
            .unwrap_or_default();
        let key_of = |rule: &Value| {
            let pack = rule
                .pointer("/properties/pack")
                .and_then(Value::as_str)
                .unwrap_or("");
            format!("{}/{}", finding::pack_family(pack), text(rule, "id"))
        };
        let mut broken = HashSet::new();
        for rule in &rules {
            self.policies.insert(key_of(rule));
        }
        for a in run
            .pointer("/properties/accounts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            self.accounts.insert(a.to_string());
        }
        for r in run["results"].as_array().into_iter().flatten() {
            if text(r, "baselineState") == "absent" {
                continue;
            }
            let rule = r
                .get("ruleIndex")
                .and_then(Value::as_u64)
                .and_then(|i| rules.get(i as usize).copied())
                .or_else(|| {
                    rules
                        .iter()
                        .copied()
                        .find(|x| text(x, "id") == text(r, "ruleId"))
                });
            let Some(rule) = rule else { continue };
            let Some(fingerprint) = r
                .pointer("/partialFingerprints")
                .and_then(|f| f.get(finding::SARIF_KEY))
                .and_then(Value::as_str)
            else {
                // A result without a fingerprint: the policy could not run.
                broken.insert(key_of(rule));
                continue;
            };
            let props = &r["properties"];
            let location = r
                .pointer("/locations/0/logicalLocations/0")
                .unwrap_or(&Value::Null);
            let pack = rule
                .pointer("/properties/pack")
                .and_then(Value::as_str)
                .unwrap_or("");
            let entity = text(location, "fullyQualifiedName").to_string();
            let name = text(location, "name");
            self.findings.push(Finding {
                fingerprint: fingerprint.to_string(),
                pack: finding::pack_family(pack).to_string(),
                policy: text(rule, "id").to_string(),
                title: rule
                    .pointer("/shortDescription/text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                severity: rule
                    .pointer("/properties/severity")
                    .and_then(Value::as_str)
                    .and_then(Severity::parse)
                    .unwrap_or(Severity::Medium),
                account: text(props, "account").to_string(),
                region: text(props, "region").to_string(),
                name: (!name.is_empty() && name != entity).then(|| name.to_string()),
                entity,
                entity_type: text(props, "entityType").to_string(),
                outcome: text(props, "outcome").to_string(),
                waived: r
                    .get("suppressions")
                    .and_then(Value::as_array)
                    .is_some_and(|s| !s.is_empty()),
            });
        }
        for key in broken {
            self.policies.remove(&key);
        }
    }

    fn in_scope_of(&self, f: &Finding) -> bool {
        self.accounts.contains(&f.account) && self.policies.contains(&f.policy_key())
    }
}

/// Counts of findings by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// New findings.
    pub new: usize,
    /// Unchanged findings.
    pub unchanged: usize,
    /// Fixed findings.
    pub fixed: usize,
    /// Findings out of scope (of a policy or account not in both runs).
    pub out_of_scope: usize,
}

impl Counts {
    fn add(&mut self, state: State) {
        match state {
            State::New => self.new += 1,
            State::Unchanged => self.unchanged += 1,
            State::Fixed => self.fixed += 1,
            State::OutOfScope => self.out_of_scope += 1,
        }
    }
}

/// The counts of one policy or one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupCounts {
    /// The policy (`pack/id`) or the account.
    pub key: String,
    /// The counts.
    #[serde(flatten)]
    pub counts: Counts,
}

/// Two runs' findings compared.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// The baseline's name (its file).
    pub baseline: String,
    /// The current run's name.
    pub current: String,
    /// The counts.
    pub counts: Counts,
    /// The counts per policy with any finding in either run, by key.
    pub by_policy: Vec<GroupCounts>,
    /// The counts per account with any finding in either run, by account.
    pub by_account: Vec<GroupCounts>,
    /// The new findings (highest severity first).
    pub new: Vec<Finding>,
    /// The fixed findings (highest severity first).
    pub fixed: Vec<Finding>,
    /// The findings of either run out of scope.
    pub out_of_scope: Vec<Finding>,
    /// The state of each current finding, by fingerprint.
    #[serde(skip)]
    states: HashMap<String, State>,
}

impl Comparison {
    /// Compare `current` with `baseline`.
    pub fn between(baseline: &Findings, current: &Findings) -> Comparison {
        let mut c = Comparison {
            baseline: baseline.name.clone(),
            current: current.name.clone(),
            ..Comparison::default()
        };
        let mut by_policy: BTreeMap<String, Counts> = BTreeMap::new();
        let mut by_account: BTreeMap<String, Counts> = BTreeMap::new();
        let mut tally = |c: &mut Comparison, f: &Finding, state: State| {
            c.counts.add(state);
            by_policy.entry(f.policy_key()).or_default().add(state);
            by_account.entry(f.account.clone()).or_default().add(state);
        };
        let before: HashSet<&str> = baseline
            .findings
            .iter()
            .map(|f| f.fingerprint.as_str())
            .collect();
        let now: HashSet<&str> = current
            .findings
            .iter()
            .map(|f| f.fingerprint.as_str())
            .collect();
        for f in &current.findings {
            let state = if !baseline.in_scope_of(f) {
                State::OutOfScope
            } else if before.contains(f.fingerprint.as_str()) {
                State::Unchanged
            } else {
                State::New
            };
            c.states.insert(f.fingerprint.clone(), state);
            tally(&mut c, f, state);
            match state {
                State::New => c.new.push(f.clone()),
                State::OutOfScope => c.out_of_scope.push(f.clone()),
                _ => {}
            }
        }
        for f in baseline
            .findings
            .iter()
            .filter(|f| !now.contains(f.fingerprint.as_str()))
        {
            let state = if current.in_scope_of(f) {
                State::Fixed
            } else {
                State::OutOfScope
            };
            tally(&mut c, f, state);
            match state {
                State::Fixed => c.fixed.push(f.clone()),
                _ => c.out_of_scope.push(f.clone()),
            }
        }
        let order = |a: &Finding, b: &Finding| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.policy_key().cmp(&b.policy_key()))
                .then_with(|| a.account.cmp(&b.account))
                .then_with(|| a.entity.cmp(&b.entity))
        };
        c.new.sort_by(order);
        c.fixed.sort_by(order);
        c.out_of_scope.sort_by(order);
        let group = |m: BTreeMap<String, Counts>| {
            m.into_iter()
                .map(|(key, counts)| GroupCounts { key, counts })
                .collect()
        };
        c.by_policy = group(by_policy);
        c.by_account = group(by_account);
        c
    }

    /// The state of a current finding, by its fingerprint (`None`: not a finding of
    /// the current run).
    pub fn state_of(&self, fingerprint: &str) -> Option<State> {
        self.states.get(fingerprint).copied()
    }

    /// The new findings that count against the run under `fail`.
    pub fn new_failures<'a>(&'a self, fail: &'a FailPolicy) -> impl Iterator<Item = &'a Finding> {
        self.new.iter().filter(move |f| f.counts(fail))
    }
}

impl FailPolicy {
    /// The verdict of `--fail-on-new`: an error if a policy could not run, else a
    /// failure only if a new finding counts ([`Finding::counts`]).
    pub fn verdict_on_new(&self, policies: &[PolicyReport], comparison: &Comparison) -> Verdict {
        if policies
            .iter()
            .any(|p| p.status == super::RuleStatus::Error)
        {
            Verdict::Error
        } else if comparison.new_failures(self).next().is_some() {
            Verdict::Failed
        } else {
            Verdict::Passed
        }
    }
}
