//! Stable findings, baselines and `gsl diff` (docs/history.md): the fingerprint keeps
//! through cosmetic changes and follows meaning (property test), is the same value in
//! every format; a baseline scenario (a pack version bump, another account set,
//! another selection) pinned in every format; SARIF with `baselineState` against the
//! OASIS schema; `--fail-on-new` exit statuses.

use assert_cmd::Command;
use gsl::lang::eval::{EntityResult, Evidence, Explanation, Outcome};
use gsl::policy::{Metadata, Severity};
use gsl::report::finding::{fingerprint, rule_digest};
use gsl::report::{PolicyReport, RuleStatus};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn gsl() -> Command {
    let mut cmd = Command::cargo_bin("gsl").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Rules of different meanings, each with layouts of the same meaning.
const RULES: &[&[&str]] = &[
    &[
        "CloudTrail should have isMultiRegionTrail = true",
        "CloudTrail\n  should have   isMultiRegionTrail=true",
        "CloudTrail should have (isMultiRegionTrail = true)",
    ],
    &[
        "CloudTrail should have isMultiRegionTrail = false",
        "CloudTrail should have isMultiRegionTrail  =  false",
    ],
    &[
        "List<CloudTrail> should have items with [isMultiRegionTrail = true and status.isLogging = true] length() > 0",
        "List<CloudTrail>\nshould have items with [ isMultiRegionTrail = true and status.isLogging = true ] length() > 0",
    ],
    &[
        "Bucket where name like 'logs-*' should have versioning.enabled = true",
        "Bucket where name like 'logs-*'\n    should have versioning.enabled=true",
    ],
];

/// What a finding is about, and how it is dressed.
#[derive(Debug, Clone)]
struct Case {
    rule: usize,
    layout: usize,
    policy: String,
    pack: String,
    version: String,
    account: String,
    region: Option<String>,
    entity: String,
    title: String,
    summary: String,
    evidence: Vec<String>,
    severity: Severity,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (0..RULES.len(), 0..3usize),
        "[A-Z]{2,4}\\.[0-9]{1,2}",
        "[a-z]{2,6}",
        "[0-9]\\.[0-9]\\.[0-9]",
        "[0-9]{12}",
        proptest::option::of("[a-z]{2}-[a-z]{4}-[0-9]"),
        "arn:[a-z0-9:/-]{1,20}",
        ".{0,20}",
        ".{0,30}",
        proptest::collection::vec("[a-z ]{0,12}", 0..4),
        prop_oneof![Just(Severity::Low), Just(Severity::High)],
    )
        .prop_map(
            |(
                (rule, layout),
                policy,
                pack,
                version,
                account,
                region,
                entity,
                title,
                summary,
                evidence,
                severity,
            )| Case {
                layout: layout % RULES[rule].len(),
                rule,
                policy,
                pack,
                version,
                account,
                region,
                entity,
                title,
                summary,
                evidence,
                severity,
            },
        )
}

/// The fingerprint of a case's finding, built as a run builds its report.
fn print(c: &Case) -> String {
    let rule = gsl::lang::parser::parse_rule(RULES[c.rule][c.layout]).unwrap();
    let evidence = c
        .evidence
        .iter()
        .map(|note| Evidence {
            expr: note.as_str().into(),
            span: gsl::span::Span::default(),
            path: Some(note.clone()),
            value: Some(serde_json::json!(note)),
            result: false,
            note: Some(note.clone()),
        })
        .collect();
    let e = EntityResult {
        id: c.entity.clone(),
        name: Some("n".into()),
        entity_type: "CloudTrail".into(),
        account: c.account.clone(),
        region: c.region.clone(),
        outcome: Outcome::Failed,
        explanation: Explanation {
            summary: c.summary.clone(),
            evidence,
        },
    };
    let report = PolicyReport {
        meta: Metadata {
            id: c.policy.clone(),
            title: c.title.clone(),
            severity: c.severity,
            description: c.title.repeat(2),
            remediation: String::new(),
            references: Vec::new(),
            frameworks: Vec::new(),
            manual: None,
        },
        origin: format!("policies/{}@{}/p.gsl", c.pack, c.version),
        status: RuleStatus::Failed,
        rule_digest: Some(rule_digest(&rule)),
        entities: vec![e.clone()],
        error: None,
        diagnostics: Vec::new(),
        waived: Vec::new(),
        accounts_without_entities: Vec::new(),
    };
    fingerprint(&report, &e)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Cosmetic changes (another layout of the rule, the pack's version, the title,
    /// description and severity, the explanation's wording, the evidence and its
    /// order) keep the fingerprint.
    #[test]
    fn cosmetic_changes_keep_the_fingerprint(
        c in case(),
        layout in 0..3usize,
        version in "[0-9]{1,2}\\.[0-9]\\.[0-9]",
        title in ".{0,20}",
        summary in ".{0,30}",
        severity in prop_oneof![Just(Severity::Info), Just(Severity::Critical)],
    ) {
        let mut d = c.clone();
        d.layout = layout % RULES[c.rule].len();
        d.version = version;
        d.title = title;
        d.summary = summary;
        d.evidence.reverse();
        d.evidence.push("one more piece".into());
        d.severity = severity;
        prop_assert_eq!(print(&c), print(&d));
    }

    /// A change of meaning (the rule, the policy, the pack, the object, its account or
    /// region) changes it.
    #[test]
    fn meaning_changes_change_the_fingerprint(c in case(), what in 0..6usize, other in 1..RULES.len()) {
        let mut d = c.clone();
        match what {
            0 => {
                d.rule = (c.rule + other) % RULES.len();
                d.layout = 0;
            }
            1 => d.policy.push('1'),
            2 => d.pack.push('x'),
            3 => d.entity.push('/'),
            4 => d.account = format!("{:012}", c.account.parse::<u64>().unwrap() ^ 1),
            _ => d.region = match &c.region {
                Some(r) => Some(format!("{r}x")),
                None => Some("us-east-1".into()),
            },
        }
        prop_assert_ne!(print(&c), print(&d));
    }
}

/// The fingerprints of the findings in every format of one run: the same set.
#[test]
fn the_fingerprint_is_the_same_value_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = gsl()
        .args([
            "check",
            "--format",
            "json,sarif,csv,ocsf,junit",
            "--output-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&read("gsl-report.json")).unwrap();
    let mut from_json = Vec::new();
    for r in json["results"].as_array().unwrap() {
        for e in r["entities"].as_array().unwrap() {
            if e["outcome"] == "failed" {
                from_json.push(e["fingerprint"].as_str().unwrap().to_string());
            }
        }
    }
    from_json.sort();
    assert!(from_json.len() > 5, "{from_json:?}");
    let sarif: serde_json::Value = serde_json::from_str(&read("gsl-report.sarif")).unwrap();
    let mut from_sarif: Vec<String> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["gslFinding/v2"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    from_sarif.sort();
    let csv_text = read("gsl-report.csv");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (fp, outcome) = (col("fingerprint"), col("outcome"));
    let mut from_csv: Vec<String> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[outcome] == "failed")
        .map(|r| r[fp].to_string())
        .collect();
    from_csv.sort();
    let mut from_ocsf: Vec<String> = read("gsl-report.ocsf.jsonl")
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["status_code"] == "FAIL")
        .map(|v| v["finding_info"]["uid"].as_str().unwrap().to_string())
        .collect();
    from_ocsf.sort();
    let junit = read("gsl-report.junit.xml");
    let mut from_junit: Vec<String> = junit
        .split("<property name=\"fingerprint\" value=\"")
        .skip(1)
        .map(|s| s[..32].to_string())
        .collect();
    from_junit.sort();
    assert_eq!(from_sarif, from_json);
    assert_eq!(from_csv, from_json);
    assert_eq!(from_ocsf, from_json);
    assert_eq!(from_junit, from_json);
}

/// A policy file of the scenario.
fn policy(dir: &Path, pack: &str, file: &str, id: &str, title: &str, rule: &str) {
    let dir = dir.join(pack);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(file),
        format!("# id: {id}\n# title: {title}\n# severity: high\n{rule}\n"),
    )
    .unwrap();
}

/// The scenario: a baseline over accounts 111… and 333… of an earlier snapshot, with
/// pack `team@1.0.0` (three policies, one since removed); the current run over every
/// account with `team@2.0.0` (titles changed, a rule laid out anew, a new policy).
/// Account 111's trail was broken and is fixed (2 fixed); 333's trail became single-region
/// (1 new) and still does not log (1 unchanged); 222 is not in the baseline and the
/// removed policy not in the current run (out of scope).
fn scenario() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let multi = r#"List<CloudTrail> should have items with [isMultiRegionTrail = true and status.isLogging = true] length() > 0"#;
    policy(
        d,
        "old/team@1.0.0",
        "a.gsl",
        "T.01",
        "Every trail is multi-region",
        "CloudTrail should have isMultiRegionTrail = true",
    );
    policy(
        d,
        "old/team@1.0.0",
        "b.gsl",
        "T.02",
        "A logging multi-region trail",
        multi,
    );
    policy(
        d,
        "old/team@1.0.0",
        "c.gsl",
        "T.GONE",
        "Trails log",
        "CloudTrail should have status.isLogging = true",
    );
    policy(
        d,
        "new/team@2.0.0",
        "a.gsl",
        "T.01",
        "Each trail covers every region",
        "CloudTrail\n  should have isMultiRegionTrail=true",
    );
    policy(
        d,
        "new/team@2.0.0",
        "b.gsl",
        "T.02",
        "Each account has a logging multi-region trail",
        multi,
    );
    policy(
        d,
        "new/team@2.0.0",
        "d.gsl",
        "T.NEW",
        "Buckets keep versions",
        "Bucket should have versioning.enabled = true",
    );
    let now = std::fs::read_to_string(root().join("tests/data/report/multi-account.json")).unwrap();
    std::fs::write(d.join("now.json"), &now).unwrap();
    let mut before: serde_json::Value = serde_json::from_str(&now).unwrap();
    for a in before["accounts"].as_array_mut().unwrap() {
        if let Some(trails) = a["entities"].get_mut("CloudTrail") {
            let t = &mut trails[0];
            match t["accountNumber"].as_str().unwrap() {
                "111111111111" => t["isMultiRegionTrail"] = false.into(),
                _ => t["isMultiRegionTrail"] = true.into(),
            }
        }
    }
    std::fs::write(d.join("before.json"), before.to_string()).unwrap();
    for (format, file) in [("json", "base.json"), ("sarif", "base.sarif")] {
        let out = gsl()
            .current_dir(d)
            .args([
                "check",
                "old",
                "-s",
                "before.json",
                "--account",
                "111111111111,333333333333",
            ])
            .args(["--format", format, "-o", file])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    dir
}

fn check_against(
    dir: &Path,
    baseline: &str,
    format: &str,
    extra: &[&str],
) -> (Option<i32>, String, String) {
    let out = gsl()
        .current_dir(dir)
        .args([
            "check",
            "new",
            "-s",
            "now.json",
            "--baseline",
            baseline,
            "--format",
            format,
        ])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_baseline_marks_findings_new_unchanged_fixed_and_out_of_scope_in_every_format() {
    let dir = scenario();
    for format in ["text", "json", "sarif", "csv", "markdown"] {
        let (code, out, err) = check_against(dir.path(), "base.json", format, &[]);
        assert_eq!(code, Some(1), "{err}");
        insta::assert_snapshot!(format!("baseline_{format}"), out);
    }
    // The same comparison from a SARIF baseline.
    let (_, from_sarif, _) = check_against(dir.path(), "base.sarif", "json", &[]);
    let (_, from_json, _) = check_against(dir.path(), "base.json", "json", &[]);
    let strip = |s: &str| {
        let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
        v["baseline"]["baseline"] = "".into();
        v
    };
    assert_eq!(strip(&from_sarif), strip(&from_json));
    let doc: serde_json::Value = serde_json::from_str(&from_json).unwrap();
    let counts = &doc["baseline"]["counts"];
    assert_eq!(
        (
            counts["new"].as_u64(),
            counts["unchanged"].as_u64(),
            counts["fixed"].as_u64()
        ),
        (Some(1), Some(1), Some(2)),
        "{counts}"
    );
    // Nothing of account 222 or of the removed policy is fixed or new.
    for f in doc["baseline"]["new"]
        .as_array()
        .unwrap()
        .iter()
        .chain(doc["baseline"]["fixed"].as_array().unwrap())
    {
        assert_ne!(f["account"], "222222222222");
        assert_ne!(f["policy"], "T.GONE");
    }
    let out_of_scope = doc["baseline"]["outOfScope"].as_array().unwrap();
    assert!(out_of_scope.iter().any(|f| f["account"] == "222222222222"));
    assert!(out_of_scope.iter().any(|f| f["policy"] == "T.GONE"));
    // The document still validates against its schema.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/report.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The HTML report shows the new and fixed findings before the policies.
    let (_, html, _) = check_against(dir.path(), "base.json", "html", &[]);
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("{needle} not in the HTML report"))
    };
    assert!(at("id=\"baseline-new\"") < at("id=\"baseline-fixed\""));
    assert!(at("id=\"baseline-fixed\"") < at("<section class=\"policy"));
}

#[test]
fn sarif_with_baseline_states_validates_against_the_sarif_schema() {
    let dir = scenario();
    let (_, sarif, _) = check_against(dir.path(), "base.json", "sarif", &[]);
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/sarif/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut states: Vec<&str> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["baselineState"].as_str())
        .collect();
    states.sort();
    assert_eq!(states, ["absent", "absent", "new", "unchanged"]);
}

#[test]
fn fail_on_new_fails_only_for_new_findings_at_or_above_the_threshold() {
    let dir = scenario();
    let d = dir.path();
    // One new high finding.
    let (code, _, err) = check_against(d, "base.json", "json", &["--fail-on-new"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("exit 1: 1 new finding(s) since the baseline"),
        "{err}"
    );
    let (code, _, err) = check_against(
        d,
        "base.json",
        "json",
        &["--fail-on-new", "--fail-on", "critical"],
    );
    assert_eq!(code, Some(0), "{err}");
    // Against itself, nothing is new: the run still has failures, and passes.
    let out = gsl()
        .current_dir(d)
        .args([
            "check",
            "new",
            "-s",
            "now.json",
            "--format",
            "json",
            "-o",
            "now-report.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let (code, _, err) = check_against(d, "now-report.json", "json", &["--fail-on-new"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("0 new, 4 unchanged"), "{err}");
    // Without --fail-on-new, a baseline changes nothing in the exit status.
    let (code, _, _) = check_against(d, "now-report.json", "json", &[]);
    assert_eq!(code, Some(1));
    // In gsl.toml.
    std::fs::write(
        d.join("gsl.toml"),
        "[check]\nbaseline = \"base.json\"\nfail-on-new = true\nfail-on = \"critical\"\n",
    )
    .unwrap();
    let out = gsl()
        .current_dir(d)
        .args(["check", "new", "-s", "now.json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("since baseline"), "{err}");
}

#[test]
fn a_baseline_that_is_not_a_report_is_a_usage_error() {
    let dir = scenario();
    std::fs::write(dir.path().join("x.json"), "{\"a\": 1}").unwrap();
    for (file, code) in [
        ("x.json", "gsl::baseline::format"),
        ("missing.json", "gsl::baseline::read"),
    ] {
        let (status, _, err) = check_against(dir.path(), file, "text", &[]);
        assert_eq!(status, Some(2), "{err}");
        assert!(err.contains(code), "{err}");
    }
}

#[test]
fn diff_between_two_reports_in_text_json_and_markdown() {
    let dir = scenario();
    let d = dir.path();
    let out = gsl()
        .current_dir(d)
        .args([
            "check",
            "new",
            "-s",
            "now.json",
            "--format",
            "sarif",
            "-o",
            "now.sarif",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    for format in ["text", "json", "markdown"] {
        let out = gsl()
            .current_dir(d)
            .args(["diff", "base.json", "now.sarif", "--format", format])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        insta::assert_snapshot!(
            format!("diff_{format}"),
            String::from_utf8(out.stdout).unwrap()
        );
    }
    let out = gsl()
        .current_dir(d)
        .args(["diff", "base.json", "now.sarif", "--format", "json"])
        .output()
        .unwrap();
    let diff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let policy = |key: &str| {
        diff["byPolicy"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["key"] == key)
            .cloned()
            .unwrap()
    };
    assert_eq!(policy("team/T.01")["new"], 1);
    assert_eq!(policy("team/T.01")["fixed"], 1);
    assert!(policy("team/T.GONE")["outOfScope"].as_u64().unwrap() > 0);
}
