//! The GSL conformance suite: data-driven cases in `tests/conformance/*.yaml`, plus the
//! examples of `docs/language.md` (fenced blocks tagged `yaml case`), run by one harness.
//!
//! A case: rule text, entities (or a whole snapshot), `now`, and the expected outcome per
//! test-object id; optionally expected evidence (path / value / result / note) and summary
//! fragments; or, for rules that must not pass the static check, the expected diagnostic
//! codes. A case may give `params` (a parameters file's TOML text) for its `$Name`
//! parameters. Failures are reported as `file: case: what`.

use gsl::entity::graph::EntityGraph;
use gsl::entity::load::parse_snapshot;
use gsl::entity::{Account, CollectionError, Snapshot};
use gsl::lang::eval::{check_rule_with, evaluate, EvalOptions, Outcome};
use gsl::lang::parser::parse_rule;
use gsl::params::Params;
use serde::Deserialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    rule: String,
    /// RFC 3339; default 2026-11-20T10:00:00Z.
    #[serde(default)]
    now: Option<String>,
    /// Entities of one account (`111111111111` unless they say `accountNumber`); `type`
    /// defaults to the rule's entity name.
    #[serde(default)]
    entities: Vec<Json>,
    /// Extra (possibly empty) accounts.
    #[serde(default)]
    accounts: Vec<String>,
    /// A whole snapshot instead of `entities` (`"sample"` for the built-in sample).
    #[serde(default)]
    snapshot: Option<Json>,
    /// Collection errors added to the snapshot.
    #[serde(default)]
    errors: Vec<CollectionError>,
    /// Expected outcome per test-object id (every result must be listed).
    #[serde(default)]
    expect: Option<BTreeMap<String, String>>,
    /// Per id: evidence entries that must be present.
    #[serde(default)]
    evidence: BTreeMap<String, Vec<EvidenceWant>>,
    /// Per id: a fragment the summary must contain.
    #[serde(default)]
    summary: BTreeMap<String, String>,
    /// The parser must reject the rule (e.g. an invalid regex literal).
    #[serde(default)]
    parse_error: bool,
    /// Expected check-error codes, in order (the rule is then not evaluated).
    #[serde(default)]
    check_errors: Vec<String>,
    /// A parameters file (TOML text) over gsl's defaults; `params_only` makes it the
    /// only parameters (no defaults).
    #[serde(default)]
    params: Option<String>,
    #[serde(default)]
    params_only: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvidenceWant {
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    value: Option<Json>,
    #[serde(default)]
    result: Option<bool>,
    /// A fragment of the note.
    #[serde(default)]
    note: Option<String>,
}

const ACCOUNT: &str = "111111111111";

fn outcome_name(o: Outcome) -> &'static str {
    o.as_str()
}

fn build_snapshot(case: &Case, entity_name: &str) -> Result<Snapshot, String> {
    let mut snap = match &case.snapshot {
        Some(Json::String(s)) if s == "sample" => {
            parse_snapshot(gsl::entity::SAMPLE_SNAPSHOT, "sample").map_err(|e| e.to_string())?
        }
        Some(v) => {
            let text = serde_json::to_string(v).map_err(|e| e.to_string())?;
            parse_snapshot(&text, "case snapshot").map_err(|e| format!("snapshot: {e}"))?
        }
        None => Snapshot::new(),
    };
    let mut accounts: BTreeMap<String, Account> = BTreeMap::new();
    for a in std::iter::once(ACCOUNT.to_string()).chain(case.accounts.iter().cloned()) {
        accounts.entry(a.clone()).or_insert_with(|| Account {
            account_number: a,
            regions: Vec::new(),
            entities: BTreeMap::new(),
        });
    }
    for e in &case.entities {
        let mut e = e.clone();
        let obj = e.as_object_mut().ok_or("an entity is not an object")?;
        let ty = obj
            .entry("type")
            .or_insert_with(|| Json::String(entity_name.to_string()))
            .as_str()
            .unwrap_or_default()
            .to_string();
        let acct = obj
            .entry("accountNumber")
            .or_insert_with(|| Json::String(ACCOUNT.into()))
            .as_str()
            .unwrap_or_default()
            .to_string();
        let account = accounts.entry(acct.clone()).or_insert_with(|| Account {
            account_number: acct,
            regions: Vec::new(),
            entities: BTreeMap::new(),
        });
        account.entities.entry(ty).or_default().push(e);
    }
    if case.snapshot.is_none() || !case.entities.is_empty() {
        snap.accounts.extend(accounts.into_values());
    }
    snap.errors.extend(case.errors.iter().cloned());
    Ok(snap)
}

fn run_case(case: &Case) -> Result<(), String> {
    let rule = match parse_rule(&case.rule) {
        Ok(_) if case.parse_error => return Err("expected a parse error, the rule parsed".into()),
        Err(_) if case.parse_error => return Ok(()),
        Ok(r) => r,
        Err(e) => return Err(format!("parse error: {e:?}")),
    };
    let mut params = if case.params_only {
        Params::empty()
    } else {
        (*Params::defaults()).clone()
    };
    if let Some(text) = &case.params {
        params.extend(Params::parse(text, "case params").map_err(|e| format!("params: {e}"))?);
    }
    let checked = match check_rule_with(&rule, &params) {
        Err(errs) => {
            let got: Vec<&str> = errs.codes();
            if got
                != case
                    .check_errors
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
            {
                return Err(format!(
                    "check errors: expected {:?}, got {got:?} ({})",
                    case.check_errors,
                    errs.errors
                        .iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join(" | ")
                ));
            }
            return Ok(());
        }
        Ok(_) if !case.check_errors.is_empty() => {
            return Err(format!(
                "expected check errors {:?}, the rule checked clean",
                case.check_errors
            ));
        }
        Ok(checked) => checked,
    };
    let Some(expect) = &case.expect else {
        return Err("a case needs `expect` or `check_errors`".into());
    };
    let snap = build_snapshot(case, &rule.target.entity.name)?;
    let graph = EntityGraph::new(snap);
    let now = case.now.as_deref().unwrap_or("2026-11-20T10:00:00Z");
    let now = chrono::DateTime::parse_from_rfc3339(now)
        .map_err(|e| format!("bad now: {e}"))?
        .with_timezone(&chrono::Utc);
    let result = evaluate(&checked, &graph, &EvalOptions::at(now));
    let got: BTreeMap<String, String> = result
        .entities
        .iter()
        .map(|r| (r.id.clone(), outcome_name(r.outcome).to_string()))
        .collect();
    if &got != expect {
        let detail = result
            .entities
            .iter()
            .map(|r| {
                format!(
                    "{} → {}: {}",
                    r.id,
                    outcome_name(r.outcome),
                    r.explanation.summary
                )
            })
            .collect::<Vec<_>>()
            .join("\n      ");
        return Err(format!(
            "outcomes: expected {expect:?}, got {got:?}\n      {detail}"
        ));
    }
    for (id, wants) in &case.evidence {
        let r = result
            .entities
            .iter()
            .find(|r| &r.id == id)
            .ok_or_else(|| format!("evidence for unknown id {id}"))?;
        for w in wants {
            let ok = r.explanation.evidence.iter().any(|e| {
                w.path.as_ref().is_none_or(|p| e.path.as_ref() == Some(p))
                    && w.value.as_ref().is_none_or(|v| e.value.as_ref() == Some(v))
                    && w.result.is_none_or(|b| e.result == b)
                    && w.note
                        .as_ref()
                        .is_none_or(|n| e.note.as_deref().is_some_and(|x| x.contains(n.as_str())))
            });
            if !ok {
                return Err(format!(
                    "{id}: no evidence matches {w:?}; evidence: {}",
                    serde_json::to_string_pretty(&r.explanation.evidence).unwrap_or_default()
                ));
            }
        }
    }
    for (id, frag) in &case.summary {
        let r = result
            .entities
            .iter()
            .find(|r| &r.id == id)
            .ok_or_else(|| format!("summary for unknown id {id}"))?;
        if !r.explanation.summary.contains(frag.as_str()) {
            return Err(format!(
                "{id}: summary {:?} does not contain {frag:?}",
                r.explanation.summary
            ));
        }
    }
    Ok(())
}

fn run_file(label: &str, file: &File, failures: &mut Vec<String>) -> usize {
    for case in &file.cases {
        if let Err(e) = run_case(case) {
            failures.push(format!("{label}: {}: {e}", case.name));
        }
    }
    file.cases.len()
}

#[test]
fn conformance_yaml() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/conformance exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 10,
        "expected the conformance files, found {paths:?}"
    );
    let mut failures = Vec::new();
    let mut total = 0;
    for p in &paths {
        let label = p.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(p).unwrap();
        let file: File = match serde_yaml::from_str(&text) {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("{label}: invalid YAML: {e}"));
                continue;
            }
        };
        assert!(!file.cases.is_empty(), "{label} has no cases");
        total += run_file(&label, &file, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} of {total} conformance cases failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

/// Every ```yaml case block of docs/language.md (and of docs/filter-patterns.md) is a
/// conformance case.
#[test]
fn language_doc_examples() {
    let mut blocks = doc_cases("docs/language.md");
    assert!(
        blocks.len() >= 20,
        "expected doc examples, found {}",
        blocks.len()
    );
    let patterns = doc_cases("docs/filter-patterns.md");
    assert!(patterns.len() >= 3, "expected filter-pattern doc examples");
    blocks.extend(patterns);
    run_doc_cases(&blocks);
}

fn doc_cases(doc: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(doc);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{doc}: {e}"));
    let mut blocks = Vec::new();
    let mut cur: Option<String> = None;
    for line in text.lines() {
        match &mut cur {
            None if line.trim() == "```yaml case" => cur = Some(String::new()),
            Some(b) if line.trim() == "```" => {
                blocks.push(std::mem::take(b));
                cur = None;
            }
            Some(b) => {
                b.push_str(line);
                b.push('\n');
            }
            None => {}
        }
    }
    blocks
}

fn run_doc_cases(blocks: &[String]) {
    let mut failures = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        let case: Case = match serde_yaml::from_str(b) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("language.md example #{}: invalid YAML: {e}", i + 1));
                continue;
            }
        };
        if let Err(e) = run_case(&case) {
            failures.push(format!("language.md: {}: {e}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "doc examples failed:\n  {}",
        failures.join("\n  ")
    );
}

/// Every builtin of the table has a row in docs/language.md §6, and every row of the
/// table there names a builtin (the table is the one source; the docs must agree).
#[test]
fn every_builtin_has_a_docs_row() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/language.md");
    let text = std::fs::read_to_string(&path).expect("docs/language.md exists");
    let start = text.find("## 6. Builtin functions").expect("§6");
    let section = &text[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let rows: Vec<&str> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split(['(', '`']).next())
        .collect();
    let names: Vec<&str> = gsl::lang::eval::builtins::names().collect();
    for n in &names {
        assert!(
            rows.contains(n),
            "builtin `{n}` has no row in docs/language.md §6"
        );
    }
    for r in &rows {
        assert!(
            names.contains(r),
            "docs/language.md §6 documents `{r}`, not a builtin"
        );
    }
    // Each builtin's conformance cases exist.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let all: String = std::fs::read_dir(&dir)
        .expect("tests/conformance")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    for n in &names {
        assert!(
            all.contains(&format!("{n}(")),
            "builtin `{n}` has no conformance case"
        );
    }
}
