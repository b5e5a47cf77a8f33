//! The result model of a run: the status of each policy, its per-object results, the
//! diagnostics (with stable codes) of policies that could not run, the counts, and the
//! versioned JSON [`Document`] (its schema: `docs/report.schema.json`).
//!
//! The library only builds this data; the command line renders it (text, JSON, ...).

use crate::entity::graph::EntityGraph;
use crate::lang::eval::{EntityResult, Outcome, RuleResult};
use crate::policy::{Metadata, Severity};
use miette::Diagnostic;
use serde::Serialize;

pub mod baseline;
pub mod finding;
pub mod store;
pub mod waiver;

/// The version of the JSON [`Document`]; bumped on any incompatible change.
pub const REPORT_VERSION: u32 = 2;

/// The status of a whole rule, derived from its objects' outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RuleStatus {
    /// Every relevant object passed.
    Passed,
    /// At least one relevant object failed.
    Failed,
    /// None failed, but data for at least one object is missing.
    Unknown,
    /// The rule could not be evaluated (parse, check or evaluation error).
    Error,
    /// No object was relevant (no entities of the type, or `where` false for all).
    NotApplicable,
    /// It failed (or is unknown), but every such object is waived (see [`waiver`]).
    Waived,
    /// A control that data cannot decide (the policy's `manual:` line says why and what
    /// to look at): neither passed nor failed, never a finding.
    Manual,
}

impl RuleStatus {
    /// The status of a rule result: error > failed > unknown > passed > not applicable.
    pub fn of(result: &RuleResult) -> RuleStatus {
        let mut tally = Tally::default();
        for e in &result.entities {
            tally.add(e.outcome);
        }
        tally.status()
    }

    /// The status as written in reports (`passed`, `failed`, `notApplicable`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RuleStatus::Passed => "passed",
            RuleStatus::Failed => "failed",
            RuleStatus::Unknown => "unknown",
            RuleStatus::Error => "error",
            RuleStatus::NotApplicable => "notApplicable",
            RuleStatus::Waived => "waived",
            RuleStatus::Manual => "manual",
        }
    }

    /// The fixed-width label used in text output.
    pub fn label(self) -> &'static str {
        match self {
            RuleStatus::Passed => "PASS",
            RuleStatus::Failed => "FAIL",
            RuleStatus::Unknown => "UNKNOWN",
            RuleStatus::Error => "ERROR",
            RuleStatus::NotApplicable => "N/A",
            RuleStatus::Waived => "WAIVED",
            RuleStatus::Manual => "MANUAL",
        }
    }
}

/// The outcomes seen among some objects, folded one at a time: the one home of the
/// precedence error > failed > unknown > passed > not applicable, and of how waived
/// objects count (a status over the others; `waived` when nothing else is left to fail).
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    error: bool,
    failed: bool,
    unknown: bool,
    passed: bool,
    waived: bool,
}

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Error => self.error = true,
            Outcome::Failed => self.failed = true,
            Outcome::Unknown => self.unknown = true,
            Outcome::Passed => self.passed = true,
            Outcome::NotRelevant => {}
        }
    }

    fn status(&self) -> RuleStatus {
        let status = if self.error {
            RuleStatus::Error
        } else if self.failed {
            RuleStatus::Failed
        } else if self.unknown {
            RuleStatus::Unknown
        } else if self.passed {
            RuleStatus::Passed
        } else {
            RuleStatus::NotApplicable
        };
        match status {
            RuleStatus::Passed | RuleStatus::NotApplicable if self.waived => RuleStatus::Waived,
            other => other,
        }
    }
}

/// One policy's result in a `gsl check` run (serialized with each object's
/// [`finding::fingerprint`]).
#[derive(Debug, Clone)]
pub struct PolicyReport {
    /// The policy metadata.
    pub meta: Metadata,
    /// Where the policy came from.
    pub origin: String,
    /// The rule's status.
    pub status: RuleStatus,
    /// The digest of the rule's meaning ([`finding::rule_digest`]), part of every
    /// fingerprint; `None` for a policy without a rule (manual, or one that could not
    /// be parsed).
    pub rule_digest: Option<String>,
    /// Per-object results (empty on error).
    pub entities: Vec<EntityResult>,
    /// One line saying why, when the policy could not be parsed or checked.
    pub error: Option<String>,
    /// The diagnostics behind `error` (stable codes such as `gsl::parse::syntax`), and
    /// notes such as `gsl::eval::unknown_entity_type` on a rule that found no entity.
    pub diagnostics: Vec<Problem>,
    /// The objects whose finding is waived, and by which waiver, sorted by entity id
    /// ([`waiver::Waivers::apply`] keeps them so; [`PolicyReport::waiver_of`] relies on
    /// it).
    pub waived: Vec<Waived>,
    /// The accounts of the snapshot in which the rule found nothing to check (no entity
    /// of its type), for a rule that found entities elsewhere: nothing passed there.
    pub accounts_without_entities: Vec<String>,
}

/// A policy's report as the JSON document writes it: its fields, each object with its
/// fingerprint, and (against a baseline) each finding's baseline state.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PolicyView<'a> {
    #[serde(flatten)]
    meta: &'a Metadata,
    origin: &'a str,
    status: RuleStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_digest: Option<&'a str>,
    entities: Vec<EntityView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    diagnostics: &'a [Problem],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    waived: &'a [Waived],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    accounts_without_entities: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EntityView<'a> {
    #[serde(flatten)]
    result: &'a EntityResult,
    fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<baseline::State>,
}

impl<'a> PolicyView<'a> {
    fn new(r: &'a PolicyReport, against: Option<&baseline::Comparison>) -> PolicyView<'a> {
        PolicyView {
            meta: &r.meta,
            origin: &r.origin,
            status: r.status,
            rule_digest: r.rule_digest.as_deref(),
            entities: r
                .entities
                .iter()
                .map(|e| {
                    let fingerprint = finding::fingerprint(r, e);
                    let baseline_state = against.and_then(|c| c.state_of(&fingerprint));
                    EntityView {
                        result: e,
                        fingerprint,
                        baseline_state,
                    }
                })
                .collect(),
            error: r.error.as_deref(),
            diagnostics: &r.diagnostics,
            waived: &r.waived,
            accounts_without_entities: &r.accounts_without_entities,
        }
    }
}

impl Serialize for PolicyReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        PolicyView::new(self, None).serialize(s)
    }
}

impl PolicyReport {
    /// The status of this policy over one account's objects alone, by the same rule as
    /// the whole report's: a policy that cannot run is an error in every account, and
    /// an account whose failing objects are all waived is waived. For every account at
    /// once, use [`PolicyReport::statuses_by_account`]: this one reads all the objects.
    pub fn status_in(&self, account: &str) -> RuleStatus {
        if let Some(status) = self.everywhere() {
            return status;
        }
        self.statuses_by_account()
            .remove(account)
            .unwrap_or(RuleStatus::NotApplicable)
    }

    /// The status of this policy in each account that has an object of it (see
    /// [`PolicyReport::status_in`]), in one pass over the objects; an account not in
    /// the map is `notApplicable` there (or `error`, when the policy could not run).
    pub fn statuses_by_account(&self) -> std::collections::HashMap<&str, RuleStatus> {
        let mut tallies: std::collections::HashMap<&str, Tally> = std::collections::HashMap::new();
        for e in &self.entities {
            let tally = tallies.entry(e.account.as_str()).or_default();
            if self.waiver_of(&e.id).is_some() {
                tally.waived = true;
            } else {
                tally.add(e.outcome);
            }
        }
        tallies
            .into_iter()
            .map(|(account, tally)| (account, self.everywhere().unwrap_or(tally.status())))
            .collect()
    }

    /// The status this policy has in every account whatever its objects: `error` when
    /// it could not run, `manual` for a control data cannot decide.
    fn everywhere(&self) -> Option<RuleStatus> {
        if self.error.is_some() {
            Some(RuleStatus::Error)
        } else if self.status == RuleStatus::Manual {
            Some(RuleStatus::Manual)
        } else {
            None
        }
    }

    /// The status of this policy in each of `accounts`, in that order (one pass over
    /// the objects, whatever the number of accounts).
    pub fn statuses_in(&self, accounts: &[String]) -> Vec<RuleStatus> {
        let by_account = self.statuses_by_account();
        let absent = self.everywhere().unwrap_or(RuleStatus::NotApplicable);
        accounts
            .iter()
            .map(|a| by_account.get(a.as_str()).copied().unwrap_or(absent))
            .collect()
    }

    /// The waiver of one of this policy's objects, if it is waived.
    pub fn waiver_of(&self, entity_id: &str) -> Option<&Waived> {
        self.waived
            .binary_search_by(|w| w.entity.as_str().cmp(entity_id))
            .ok()
            .map(|i| &self.waived[i])
    }

    /// The status over the objects that are not waived (`waived` when none of those
    /// fails and some object is waived): what [`waiver::Waivers::apply`] sets.
    pub fn status_without_waived(&self) -> RuleStatus {
        let mut tally = Tally::default();
        for e in &self.entities {
            if self.waiver_of(&e.id).is_some() {
                tally.waived = true;
            } else {
                tally.add(e.outcome);
            }
        }
        tally.status()
    }
}

/// Whether an object's outcome is a finding: it failed, or could not be decided
/// (unknown data, an evaluation error). Every report lists the findings; passing and
/// not-relevant objects only on request.
pub fn is_finding(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Failed | Outcome::Unknown | Outcome::Error)
}

/// What a run's reports add up to, for a caller that must answer yes or no (the exit
/// status of `gsl check` and `gsl eval`, a CI gate): see [`FailPolicy::verdict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing counts against the run: every policy passed, does not apply, is
    /// waived, or fails only below the policy's threshold.
    Passed,
    /// A policy that counts failed, or is unknown (missing data) and unknown is not
    /// allowed.
    Failed,
    /// A policy could not run (a parse or check error, an unseen property under
    /// `--strict`, an unloadable file).
    Error,
}

/// When a run fails (`gsl check --fail-on`, `--unknown-ok`). The default counts every
/// failure and every unknown result, whatever the severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FailPolicy {
    /// Count only failures of policies of at least this severity (`None`: all).
    pub fail_on: Option<Severity>,
    /// Do not count unknown results as failures.
    pub unknown_ok: bool,
}

impl FailPolicy {
    /// The verdict on `policies`: an error if any could not run, else a failure if any
    /// that counts failed (or is unknown), else passed. Waived policies never count.
    pub fn verdict(&self, policies: &[PolicyReport]) -> Verdict {
        if policies.iter().any(|p| p.status == RuleStatus::Error) {
            return Verdict::Error;
        }
        let min = self.fail_on.unwrap_or(Severity::Info);
        let counts = |p: &&PolicyReport| match p.status {
            RuleStatus::Failed => true,
            RuleStatus::Unknown => !self.unknown_ok,
            _ => false,
        };
        if policies
            .iter()
            .filter(counts)
            .any(|p| p.meta.severity >= min)
        {
            Verdict::Failed
        } else {
            Verdict::Passed
        }
    }
}

/// A waived finding: which object, and the waiver that accepts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Waived {
    /// The entity id.
    pub entity: String,
    /// The waiver's reason.
    pub reason: String,
    /// Its expiry date (YYYY-MM-DD).
    pub expires: String,
    /// The waiver file.
    pub file: String,
}

/// How serious a [`Problem`] is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The policy could not run (or, with `--strict`, a warning that stops it).
    #[default]
    Error,
    /// The policy ran, but its answer may not mean what was intended (a property no
    /// entity has).
    Warning,
    /// Worth knowing (no entity of the type in the snapshot, or in some accounts).
    Note,
}

impl Level {
    /// `error`, `warning`, `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }

    fn is_error(&self) -> bool {
        *self == Level::Error
    }
}

/// One diagnostic in machine form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// `warning` or `note`; absent for errors.
    #[serde(skip_serializing_if = "Level::is_error")]
    pub level: Level,
    /// The stable code, e.g. `gsl::parse::syntax` (empty if the diagnostic has none).
    pub code: String,
    /// The message.
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Byte offset and length in the policy source of the first label, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<[usize; 2]>,
}

impl Problem {
    /// One diagnostic (without its related ones).
    pub fn of(d: &dyn Diagnostic) -> Problem {
        Problem {
            level: match d.severity() {
                Some(miette::Severity::Warning) => Level::Warning,
                Some(miette::Severity::Advice) => Level::Note,
                Some(miette::Severity::Error) | None => Level::Error,
            },
            code: d.code().map(|c| c.to_string()).unwrap_or_default(),
            message: d.to_string(),
            help: d.help().map(|h| h.to_string()),
            span: d
                .labels()
                .and_then(|mut l| l.next())
                .map(|l| [l.offset(), l.len()]),
        }
    }

    /// A diagnostic and its related ones (a parse or check failure may hold several),
    /// flattened: the related ones when there are any, else the diagnostic itself.
    pub fn all(d: &dyn Diagnostic) -> Vec<Problem> {
        match d.related() {
            Some(related) => {
                let v: Vec<Problem> = related.map(Problem::of).collect();
                if v.is_empty() {
                    vec![Problem::of(d)]
                } else {
                    v
                }
            }
            None => vec![Problem::of(d)],
        }
    }
}

/// Counts of rule statuses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Rules evaluated.
    pub rules: usize,
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Unknown (missing data).
    pub unknown: usize,
    /// Errors.
    pub errors: usize,
    /// Not applicable.
    pub not_applicable: usize,
    /// Waived: every finding accepted by a waiver.
    pub waived: usize,
    /// Manual: controls that data cannot decide.
    pub manual: usize,
}

impl Summary {
    /// Count the statuses of `reports`.
    pub fn of(reports: &[PolicyReport]) -> Summary {
        Summary::count(reports.iter().map(|r| r.status))
    }

    /// Count statuses.
    pub fn count(statuses: impl IntoIterator<Item = RuleStatus>) -> Summary {
        let mut s = Summary::default();
        for status in statuses {
            s.add(status);
        }
        s
    }

    /// Count one more status.
    pub fn add(&mut self, status: RuleStatus) {
        self.rules += 1;
        match status {
            RuleStatus::Passed => self.passed += 1,
            RuleStatus::Failed => self.failed += 1,
            RuleStatus::Unknown => self.unknown += 1,
            RuleStatus::Error => self.errors += 1,
            RuleStatus::NotApplicable => self.not_applicable += 1,
            RuleStatus::Waived => self.waived += 1,
            RuleStatus::Manual => self.manual += 1,
        }
    }
}

/// `17 policies: 4 passed, 12 failed, 0 unknown, 0 errors, 0 not applicable`, then
/// the waived and manual counts when there are any: the one line every report and
/// `gsl check`'s standard error end with.
impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {} passed, {} failed, {} unknown, {} errors, {} not applicable",
            self.rules,
            if self.rules == 1 {
                "policy"
            } else {
                "policies"
            },
            self.passed,
            self.failed,
            self.unknown,
            self.errors,
            self.not_applicable
        )?;
        for (n, what) in [(self.waived, "waived"), (self.manual, "manual")] {
            if n > 0 {
                write!(f, ", {n} {what}")?;
            }
        }
        Ok(())
    }
}

/// One account's counts: the status of each policy over that account's objects
/// ([`PolicyReport::status_in`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountSummary {
    /// The account number.
    pub account: String,
    /// The counts of policy statuses in this account.
    #[serde(flatten)]
    pub summary: Summary,
}

impl AccountSummary {
    /// The counts of every account of `accounts`, in that order: one pass over each
    /// report's objects, so linear in the size of the run.
    pub fn all(accounts: &[String], reports: &[PolicyReport]) -> Vec<AccountSummary> {
        let mut summaries: Vec<AccountSummary> = accounts
            .iter()
            .map(|a| AccountSummary {
                account: a.clone(),
                summary: Summary::default(),
            })
            .collect();
        for r in reports {
            for (s, status) in summaries.iter_mut().zip(r.statuses_in(accounts)) {
                s.summary.add(status);
            }
        }
        summaries
    }
}

/// What was checked, for report headers.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotInfo {
    /// File name or description.
    pub name: String,
    /// Collection time.
    pub collected_at: Option<String>,
    /// Account numbers.
    pub accounts: Vec<String>,
    /// Collection errors, one line each.
    pub collection_errors: Vec<String>,
    /// Whether this is the sample account built into gsl, not a real one.
    pub sample: bool,
}

impl SnapshotInfo {
    /// What a graph holds. `name` is a description of where it came from; the sample
    /// account is recognised by its generator.
    pub fn of(graph: &EntityGraph, name: &str) -> SnapshotInfo {
        let snapshot = graph.snapshot();
        SnapshotInfo::new(
            name,
            snapshot.collected_at.as_deref(),
            snapshot
                .accounts
                .iter()
                .map(|a| a.account_number.clone())
                .collect(),
            &snapshot.errors,
        )
    }

    /// What a snapshot holds, from its parts.
    pub fn new(
        name: &str,
        collected_at: Option<&str>,
        accounts: Vec<String>,
        errors: &[crate::entity::CollectionError],
    ) -> SnapshotInfo {
        SnapshotInfo {
            name: name.to_string(),
            collected_at: collected_at.map(str::to_string),
            accounts,
            collection_errors: errors
                .iter()
                .map(|e| {
                    format!(
                        "{}/{}: {} {}: {} ({})",
                        e.account_number,
                        e.region.as_deref().unwrap_or("global"),
                        e.service,
                        e.operation,
                        e.code,
                        e.message
                    )
                })
                .collect(),
            sample: name == crate::entity::SAMPLE_SNAPSHOT_NAME,
        }
    }
}

/// The JSON document of a `gsl check` or `gsl eval` run (schema:
/// `docs/report.schema.json`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document<'a> {
    /// Format version of this document ([`REPORT_VERSION`]).
    pub report_version: u32,
    /// The tool that wrote it.
    pub tool: Tool,
    /// What was checked.
    pub snapshot: &'a SnapshotInfo,
    /// Counts.
    pub summary: Summary,
    /// Counts per account, in snapshot order: each policy's status over the account's
    /// objects alone.
    pub accounts: Vec<AccountSummary>,
    /// Per policy (for `gsl eval`, one: the rule, with id `rule`).
    #[serde(serialize_with = "serialize_results")]
    pub results: (&'a [PolicyReport], Option<&'a baseline::Comparison>),
    /// Against a baseline: the counts, and the findings fixed or out of scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<&'a baseline::Comparison>,
}

fn serialize_results<S: serde::Serializer>(
    results: &(&[PolicyReport], Option<&baseline::Comparison>),
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(results.0.iter().map(|r| PolicyView::new(r, results.1)))
}

/// The tool that wrote a document.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// `gsl`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
}

impl<'a> Document<'a> {
    /// The document of a run.
    pub fn new(snapshot: &'a SnapshotInfo, results: &'a [PolicyReport]) -> Self {
        Document {
            report_version: REPORT_VERSION,
            tool: Tool {
                name: "gsl",
                version: env!("CARGO_PKG_VERSION"),
            },
            snapshot,
            summary: Summary::of(results),
            accounts: AccountSummary::all(&snapshot.accounts, results),
            results: (results, None),
            baseline: None,
        }
    }

    /// The document against a baseline: each finding with its baseline state, and the
    /// comparison's counts and fixed findings.
    pub fn against(mut self, comparison: Option<&'a baseline::Comparison>) -> Self {
        self.results.1 = comparison;
        self.baseline = comparison;
        self
    }

    /// Pretty JSON, ending with a newline; hidden characters of the snapshot's text as
    /// JSON escapes ([`crate::text::escape_hidden_json`]).
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        match self.write_json(&mut out) {
            // The escaper writes UTF-8 (serde_json's text, with ASCII escapes).
            Ok(()) => String::from_utf8_lossy(&out).into_owned(),
            // Serializing plain data into memory cannot fail; say so if it ever does.
            Err(e) => format!("{{\"error\":\"cannot encode the report: {e}\"}}\n"),
        }
    }

    /// [`Document::to_json`] written to `out` as it is serialized: an organization's
    /// report is never held whole in memory.
    pub fn write_json(&self, out: impl std::io::Write) -> std::io::Result<()> {
        use std::io::Write;
        let mut w = crate::text::HiddenJsonEscaper::new(std::io::BufWriter::new(out));
        serde_json::to_writer_pretty(&mut w, self)?;
        w.write_all(b"\n")?;
        w.into_inner()?.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::eval::Explanation;

    fn ent(outcome: Outcome) -> EntityResult {
        EntityResult {
            id: "arn:x".into(),
            name: Some("t".into()),
            entity_type: "CloudTrail".into(),
            account: "1".into(),
            region: Some("r".into()),
            outcome,
            explanation: Explanation::default(),
        }
    }

    #[test]
    fn statuses_by_account_are_status_in_each_account() {
        let mut entities = Vec::new();
        let outcomes = [
            Outcome::Passed,
            Outcome::Failed,
            Outcome::Unknown,
            Outcome::NotRelevant,
            Outcome::Error,
        ];
        for a in 0..12 {
            for k in 0..(a % 4) {
                let mut e = ent(outcomes[(a * 7 + k * 3) % outcomes.len()]);
                e.account = format!("{a:012}");
                e.id = format!("id-{a}-{k}");
                entities.push(e);
            }
        }
        // An account whose only failure is waived.
        for (id, outcome) in [("w-1", Outcome::Failed), ("w-2", Outcome::Passed)] {
            let mut e = ent(outcome);
            e.account = format!("{:012}", 12);
            e.id = id.into();
            entities.push(e);
        }
        let waived: Vec<Waived> = entities
            .iter()
            .filter(|e| {
                e.outcome == Outcome::Failed && (e.account.ends_with(['1', '5']) || e.id == "w-1")
            })
            .map(|e| Waived {
                entity: e.id.clone(),
                reason: "r".into(),
                expires: "2099-01-01".into(),
                file: "w".into(),
            })
            .collect();
        let mut report = PolicyReport {
            meta: crate::run::adhoc_metadata("r"),
            origin: "o".into(),
            status: RuleStatus::Passed,
            rule_digest: None,
            entities,
            error: None,
            diagnostics: Vec::new(),
            waived,
            accounts_without_entities: Vec::new(),
        };
        report.waived.sort_by(|a, b| a.entity.cmp(&b.entity));
        let accounts: Vec<String> = (0..14).map(|a| format!("{a:012}")).collect();
        // The per-account rule, written out for one account at a time.
        let one = |a: &str| {
            let mine: Vec<&EntityResult> =
                report.entities.iter().filter(|e| e.account == a).collect();
            let rest = RuleResult {
                entities: mine
                    .iter()
                    .filter(|e| report.waiver_of(&e.id).is_none())
                    .map(|e| (*e).clone())
                    .collect(),
            };
            match RuleStatus::of(&rest) {
                RuleStatus::Passed | RuleStatus::NotApplicable
                    if rest.entities.len() < mine.len() =>
                {
                    RuleStatus::Waived
                }
                other => other,
            }
        };
        let expected: Vec<RuleStatus> = accounts.iter().map(|a| one(a)).collect();
        assert_eq!(report.statuses_in(&accounts), expected);
        assert!(expected.contains(&RuleStatus::Waived), "{expected:?}");
        for (a, s) in accounts.iter().zip(&expected) {
            assert_eq!(report.status_in(a), *s, "{a}");
        }
        report.error = Some("broken".into());
        assert!(report
            .statuses_in(&accounts)
            .iter()
            .all(|s| *s == RuleStatus::Error));
    }

    #[test]
    fn status_precedence() {
        let r = |os: &[Outcome]| RuleResult {
            entities: os.iter().map(|o| ent(*o)).collect(),
        };
        assert_eq!(RuleStatus::of(&r(&[])), RuleStatus::NotApplicable);
        assert_eq!(
            RuleStatus::of(&r(&[Outcome::NotRelevant])),
            RuleStatus::NotApplicable
        );
        assert_eq!(
            RuleStatus::of(&r(&[Outcome::Passed, Outcome::Unknown])),
            RuleStatus::Unknown
        );
        assert_eq!(
            RuleStatus::of(&r(&[Outcome::Unknown, Outcome::Failed])),
            RuleStatus::Failed
        );
        assert_eq!(
            RuleStatus::of(&r(&[Outcome::Failed, Outcome::Error])),
            RuleStatus::Error
        );
    }

    fn policy(status: RuleStatus, severity: Severity) -> PolicyReport {
        PolicyReport {
            meta: Metadata {
                id: "P".into(),
                title: "p".into(),
                severity,
                description: String::new(),
                remediation: String::new(),
                references: Vec::new(),
                frameworks: Vec::new(),
                manual: None,
            },
            origin: "p.gsl".into(),
            status,
            rule_digest: None,
            entities: Vec::new(),
            error: None,
            diagnostics: Vec::new(),
            waived: Vec::new(),
            accounts_without_entities: Vec::new(),
        }
    }

    #[test]
    fn the_fail_policy_decides_the_verdict() {
        use RuleStatus::*;
        use Severity::*;
        let any = FailPolicy::default();
        let high = FailPolicy {
            fail_on: Some(High),
            unknown_ok: false,
        };
        let unknown_ok = FailPolicy {
            fail_on: None,
            unknown_ok: true,
        };
        type Case<'a> = (FailPolicy, &'a [(RuleStatus, Severity)], Verdict);
        let cases: &[Case<'_>] = &[
            (any, &[], Verdict::Passed),
            (
                any,
                &[(Passed, Critical), (NotApplicable, High), (Waived, High)],
                Verdict::Passed,
            ),
            (any, &[(Passed, High), (Failed, Info)], Verdict::Failed),
            (any, &[(Unknown, Low)], Verdict::Failed),
            (any, &[(Failed, Critical), (Error, Info)], Verdict::Error),
            (high, &[(Failed, Medium), (Unknown, Low)], Verdict::Passed),
            (high, &[(Failed, High)], Verdict::Failed),
            (high, &[(Unknown, Critical)], Verdict::Failed),
            (high, &[(Error, Info)], Verdict::Error),
            (
                unknown_ok,
                &[(Unknown, Critical), (Passed, Low)],
                Verdict::Passed,
            ),
            (
                unknown_ok,
                &[(Unknown, Critical), (Failed, Low)],
                Verdict::Failed,
            ),
        ];
        for (fail, statuses, want) in cases {
            let reports: Vec<PolicyReport> =
                statuses.iter().map(|(st, sev)| policy(*st, *sev)).collect();
            assert_eq!(fail.verdict(&reports), *want, "{fail:?} over {statuses:?}");
        }
    }

    #[test]
    fn findings_are_failed_unknown_and_error_outcomes() {
        let found: Vec<Outcome> = [
            Outcome::Passed,
            Outcome::Failed,
            Outcome::NotRelevant,
            Outcome::Unknown,
            Outcome::Error,
        ]
        .into_iter()
        .filter(|o| is_finding(*o))
        .collect();
        assert_eq!(found, [Outcome::Failed, Outcome::Unknown, Outcome::Error]);
    }
}
