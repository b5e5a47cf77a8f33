//! Policy tests for authors (`gsl test`): a `<name>.test.yaml` beside `<name>.gsl`
//! lists cases, each a set of entities (inline, or a snapshot file) and the outcome
//! expected for each object, optionally with a substring of its explanation. This
//! module runs them and returns the result model; the command line and the language
//! server only render it. Format reference: docs/policies.md ("Testing a policy").
//!
//! ```yaml
//! cases:
//!   - name: a multi-region trail passes
//!     entities:                      # entity type -> objects (one account, 000000000000)
//!       CloudTrail:
//!         - { id: t1, name: t1, isMultiRegionTrail: true }
//!     expect:
//!       t1: passed                   # an entity id or name -> outcome
//!   - name: the sample account's legacy trail fails
//!     snapshot: ../../examples/sample-account.json   # relative to this file
//!     now: 2026-11-20T10:00:00Z      # optional: "now" for before()/after()
//!     expect:
//!       legacy-eu: { outcome: failed, explanation: "isMultiRegionTrail is false" }
//! ```

use crate::entity::graph::EntityGraph;
use crate::entity::load::parse_snapshot;
use crate::lang::eval::Outcome;
use crate::policy::{self, Policy};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The suffix of a test file: `x.gsl` is tested by `x.test.yaml`.
pub const TEST_SUFFIX: &str = ".test.yaml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileForm {
    cases: Vec<CaseForm>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseForm {
    name: String,
    #[serde(default)]
    snapshot: Option<PathBuf>,
    #[serde(default)]
    entities: Option<BTreeMap<String, Vec<serde_json::Value>>>,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    now: Option<DateTime<Utc>>,
    expect: BTreeMap<String, Expect>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Expect {
    Outcome(String),
    Detailed {
        outcome: String,
        #[serde(default)]
        explanation: Option<String>,
    },
}

/// One way a case did not go as expected.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mismatch {
    /// The entity id or name of the expectation.
    pub entity: String,
    /// The expected outcome (and explanation substring).
    pub expected: String,
    /// What happened: the outcome, or "no such object".
    pub actual: String,
    /// The actual explanation (summary and evidence), for the diff.
    pub explanation: String,
}

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Expectations not met (empty: the case passed).
    pub mismatches: Vec<Mismatch>,
    /// The case could not run (bad snapshot, the policy does not parse, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl CaseResult {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.mismatches.is_empty()
    }
}

/// The result of one test file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileResult {
    /// The test file.
    pub file: String,
    /// The policy it tests.
    pub policy: String,
    /// Per case.
    pub cases: Vec<CaseResult>,
    /// The file could not be used at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl FileResult {
    /// Whether every case passed.
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.cases.iter().all(CaseResult::passed)
    }
}

/// The policy file a test file tests: `x.test.yaml` → `x.gsl`.
pub fn policy_of(test: &Path) -> Option<PathBuf> {
    let name = test.file_name()?.to_str()?;
    let stem = name.strip_suffix(TEST_SUFFIX)?;
    Some(test.with_file_name(format!("{stem}.gsl")))
}

/// Every test file under `paths` (a `.gsl` file stands for its test file), sorted.
pub fn find_tests(paths: &[PathBuf]) -> Vec<PathBuf> {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|rd| rd.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            entries.sort();
            for e in entries {
                walk(&e, out);
            }
        } else if p.to_string_lossy().ends_with(TEST_SUFFIX) {
            out.push(p.to_path_buf());
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if p.extension().is_some_and(|e| e == "gsl") {
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let test = p.with_file_name(format!("{stem}{TEST_SUFFIX}"));
            // A manual control has no rule to test.
            if !test.is_file() && is_manual(p) {
                continue;
            }
            out.push(test);
        } else {
            walk(p, &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The `.gsl` files under `paths` that have no test file beside them.
pub fn untested(paths: &[PathBuf]) -> Vec<PathBuf> {
    policy::find_policy_files(paths)
        .map(|(files, _unreadable)| files)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| {
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            !p.with_file_name(format!("{stem}{TEST_SUFFIX}")).is_file() && !is_manual(p)
        })
        .collect()
}

/// Whether the policy file at `path` is a manual control (`# manual:`, no rule).
fn is_manual(path: &Path) -> bool {
    policy::load_policy_file(path).is_ok_and(|p| p.meta.manual.is_some())
}

/// Run one test file, with gsl's default parameters.
pub fn run_file(test: &Path) -> FileResult {
    run_file_with(test, &crate::params::Params::defaults())
}

/// Run one test file, the policy's `$Name` parameters taking their values from `params`.
pub fn run_file_with(test: &Path, params: &std::sync::Arc<crate::params::Params>) -> FileResult {
    let file = test.display().to_string();
    let policy_path = policy_of(test).unwrap_or_else(|| test.to_path_buf());
    let fail = |error: String| FileResult {
        file: file.clone(),
        policy: policy_path.display().to_string(),
        cases: Vec::new(),
        error: Some(error),
    };
    let text = match std::fs::read_to_string(test) {
        Ok(t) => t,
        Err(e) => return fail(format!("cannot read {file}: {e}")),
    };
    let form: FileForm = match serde_yaml::from_str(&text) {
        Ok(f) => f,
        Err(e) => return fail(format!("{file}: {e}")),
    };
    let policy = match policy::load_policy_file(&policy_path) {
        Ok(p) => p,
        Err(e) => return fail(format!("{}: {e}", policy_path.display())),
    };
    let base = test.parent().unwrap_or(Path::new("."));
    let cases = form
        .cases
        .iter()
        .map(|c| run_case(c, &policy, base, params))
        .collect();
    FileResult {
        file,
        policy: policy_path.display().to_string(),
        cases,
        error: None,
    }
}

fn run_case(
    case: &CaseForm,
    policy: &Policy,
    base: &Path,
    params: &std::sync::Arc<crate::params::Params>,
) -> CaseResult {
    let error = |e: String| CaseResult {
        name: case.name.clone(),
        mismatches: Vec::new(),
        error: Some(e),
    };
    let (text, name) = match (&case.snapshot, &case.entities) {
        (Some(path), None) => {
            let path = base.join(path);
            match std::fs::read_to_string(&path) {
                Ok(t) => (t, path.display().to_string()),
                Err(e) => return error(format!("cannot read snapshot {}: {e}", path.display())),
            }
        }
        (None, Some(entities)) => {
            let mut typed = serde_json::Map::new();
            for (ty, list) in entities {
                let list: Vec<serde_json::Value> = list
                    .iter()
                    .map(|e| {
                        let mut e = e.clone();
                        if let Some(obj) = e.as_object_mut() {
                            obj.entry("type").or_insert_with(|| ty.clone().into());
                        }
                        e
                    })
                    .collect();
                typed.insert(ty.clone(), list.into());
            }
            let doc = serde_json::json!({
                "schemaVersion": crate::entity::snapshot::SCHEMA_VERSION,
                "collectedAt": case.now.map(|t| t.to_rfc3339()),
                "accounts": [{
                    "accountNumber": case.account.clone().unwrap_or_else(|| "000000000000".into()),
                    "entities": typed,
                }],
            });
            (doc.to_string(), format!("case `{}`", case.name))
        }
        _ => return error("give either `entities:` or `snapshot:`".into()),
    };
    let snapshot = match parse_snapshot(&text, &name) {
        Ok(s) => s,
        Err(e) => return error(format!("{e}")),
    };
    let opts = crate::run::eval_options(&snapshot, case.now).with_params(params.clone());
    let graph = EntityGraph::named(snapshot, &name);
    let (report, diag) = crate::run::check_policy(policy, &graph, &opts);
    if let Some(d) = diag {
        return error(format!("the policy does not run: {d}"));
    }
    let mut mismatches = Vec::new();
    for (who, expect) in &case.expect {
        let (outcome, substring) = match expect {
            Expect::Outcome(o) => (o.as_str(), None),
            Expect::Detailed {
                outcome,
                explanation,
            } => (outcome.as_str(), explanation.as_deref()),
        };
        let names = ["passed", "failed", "notRelevant", "unknown", "error"];
        if !names.iter().any(|n| n.eq_ignore_ascii_case(outcome))
            && outcome_alias(outcome).is_none()
        {
            let hint = crate::text::did_you_mean(outcome, names)
                .unwrap_or_else(|| format!("use one of: {}", names.join(", ")));
            return error(format!("`{who}`: unknown outcome `{outcome}`; {hint}"));
        }
        let expected = match substring {
            Some(s) => format!("{outcome}, explanation containing {s:?}"),
            None => outcome.to_string(),
        };
        let found = report
            .entities
            .iter()
            .find(|e| &e.id == who || e.name.as_deref() == Some(who.as_str()));
        let Some(e) = found else {
            let known: Vec<&str> = report
                .entities
                .iter()
                .map(|e| e.name.as_deref().unwrap_or(&e.id))
                .collect();
            mismatches.push(Mismatch {
                entity: who.clone(),
                expected,
                actual: "no such object".into(),
                explanation: format!("objects of this case: {}", known.join(", ")),
            });
            continue;
        };
        let explanation = explanation_of(e);
        let outcome_ok = e.outcome.as_str().eq_ignore_ascii_case(outcome)
            || outcome_alias(outcome) == Some(e.outcome);
        let text_ok = substring.is_none_or(|s| explanation.contains(s));
        if !(outcome_ok && text_ok) {
            mismatches.push(Mismatch {
                entity: who.clone(),
                expected,
                actual: e.outcome.as_str().to_string(),
                explanation,
            });
        }
    }
    CaseResult {
        name: case.name.clone(),
        mismatches,
        error: None,
    }
}

fn outcome_alias(s: &str) -> Option<Outcome> {
    match s.to_ascii_lowercase().as_str() {
        "pass" => Some(Outcome::Passed),
        "fail" => Some(Outcome::Failed),
        "not-relevant" | "notrelevant" | "n/r" => Some(Outcome::NotRelevant),
        _ => None,
    }
}

fn explanation_of(e: &crate::lang::eval::EntityResult) -> String {
    let mut lines = vec![e.explanation.summary.clone()];
    for ev in &e.explanation.evidence {
        lines.push(match &ev.note {
            Some(n) => n.clone(),
            None => ev.expr.to_string(),
        });
    }
    lines.retain(|l| !l.is_empty());
    lines.join("\n")
}
