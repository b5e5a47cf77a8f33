//! End-to-end tests of the `gsl` binary: exit codes, outputs, defaults.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::PathBuf;

fn gsl() -> Command {
    let mut cmd = Command::cargo_bin("gsl").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn json_of(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", String::from_utf8_lossy(out)))
}

#[test]
fn check_without_arguments_runs_the_builtin_policies_over_the_sample() {
    let out = gsl().arg("check").assert().code(1).get_output().clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("examples/sample-account.json (built in)"),
        "{text}"
    );
    // CloudGuard's rule passes: the stored pattern differs only in spacing and quotes.
    assert!(
        text.lines()
            .any(|l| l.starts_with("PASS") && l.contains("D9.AWS.MON.21")),
        "{text}"
    );
    // CIS 4.3 fails: the root-usage filter's own alarm only has a pending subscription,
    // although the trail-wide hasSNSSubscriber (CloudGuard's logic) is true.
    assert!(
        text.lines()
            .any(|l| l.starts_with("FAIL") && l.contains("CIS-AWS-4.3")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("PASS") && l.contains("CG.MON.ROOT-USAGE")),
        "{text}"
    );
    // The latest CIS version (every control of v5.0.0: 63) and CloudGuard's 10 (6
    // monitoring and logging, 4 on load balancers).
    assert!(text.contains("73 policies:"), "{text}");
}

#[test]
fn check_json_is_a_document_with_summary_and_explanations() {
    let out = gsl()
        .args(["check", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let doc = json_of(&out.stdout);
    assert_eq!(doc["reportVersion"], 2);
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), 73, "63 CIS v5.0.0 and 10 CloudGuard");
    let summary = &doc["summary"];
    let total: u64 = [
        "passed",
        "failed",
        "unknown",
        "errors",
        "notApplicable",
        "manual",
    ]
    .iter()
    .map(|k| summary[k].as_u64().unwrap())
    .sum();
    assert_eq!(total, 73);
    assert_eq!(summary["errors"], 0, "{summary}");
    let log01 = results.iter().find(|r| r["id"] == "D9.AWS.LOG.01").unwrap();
    assert_eq!(log01["status"], "failed");
    let failed: Vec<_> = log01["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["outcome"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["name"], "legacy-eu");
    let evidence = failed[0]["explanation"]["evidence"].as_array().unwrap();
    assert!(
        evidence
            .iter()
            .any(|e| e["path"] == "isMultiRegionTrail" && e["value"] == false),
        "{evidence:?}"
    );
}

#[test]
fn check_a_single_policy_file_that_passes_exits_zero() {
    gsl()
        .arg("check")
        .arg(root().join("policies/cloudguard/mon-21-iam-login-profile-changes.gsl"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("1 policy: 1 passed"));
}

#[test]
fn check_selects_policies_by_id_and_rejects_unknown_ids() {
    gsl()
        .args(["check", "--id", "D9.AWS.MON.19"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("orphan-topic"));
    gsl()
        .args(["check", "--id", "NOPE"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gsl::check::unknown_id"));
}

#[test]
fn check_reports_a_broken_policy_with_its_file_and_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.gsl"),
        "# id: BAD\n# title: broken\nCloudTrail shoud have name\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("good.gsl"),
        "# id: GOOD\n# title: fine\nCloudTrail should have name\n",
    )
    .unwrap();
    gsl()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.gsl"))
        .stderr(predicate::str::contains("should"))
        .stdout(predicate::str::contains("ERROR"))
        .stdout(predicate::str::contains("GOOD"));
}

#[test]
fn check_rejects_bad_metadata_and_missing_paths() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("x.gsl"),
        "# id: X\n# titel: typo\nCloudTrail should have name\n",
    )
    .unwrap();
    gsl()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gsl::policy::unknown_key"))
        .stderr(predicate::str::contains("title"));
    gsl()
        .args(["check", "/nonexistent/policies"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gsl::policy::io"));
}

#[test]
fn eval_explains_failures_and_exits_one() {
    gsl()
        .args(["eval", "CloudTrail should have isMultiRegionTrail=true"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("legacy-eu"))
        .stdout(predicate::str::contains("isMultiRegionTrail"));
}

#[test]
fn eval_passing_rule_exits_zero_and_json_is_data() {
    let out = gsl()
        .args([
            "eval",
            "CloudTrail where name='org-main' should have status.isLogging=true",
            "--format",
            "json",
        ])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let doc = json_of(&out.stdout);
    assert_eq!(doc["reportVersion"], 2);
    assert_eq!(doc["results"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["results"][0]["id"], "rule");
    let outcomes: Vec<_> = doc["results"][0]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(outcomes, vec!["passed", "notRelevant"]);
}

#[test]
fn eval_syntax_error_points_at_the_rule_and_exits_two() {
    gsl()
        .args(["eval", "CloudTrail shoud have name"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gsl::parse::"))
        .stderr(predicate::str::contains("should"));
}

#[test]
fn eval_unknown_function_is_a_check_error() {
    gsl()
        .args(["eval", "CloudTrail should have name lenght() > 0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gsl::eval::unknown_function"))
        .stderr(predicate::str::contains("length"));
}

#[test]
fn eval_reads_a_snapshot_file_and_rejects_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::copy(root().join("examples/sample-account.json"), &good).unwrap();
    gsl()
        .args([
            "eval",
            "SnsTopic should not have subscriptions isEmpty()",
            "-s",
        ])
        .arg(&good)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("orphan-topic"));
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"schemaVersion\": 1, \"accounts\": [ }").unwrap();
    gsl()
        .args(["eval", "CloudTrail should have name", "--snapshot"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gsl::snapshot::"));
    gsl()
        .args(["eval", "CloudTrail should have name", "--snapshot"])
        .arg(dir.path().join("missing.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gsl::snapshot::io"));
}

#[test]
fn eval_now_is_the_snapshot_time_unless_given() {
    let rule = "CloudTrail where name='org-main' should have status.latestCloudWatchLogsDeliveryTime after(-1, 'days')";
    // Collected 2026-11-20T10:00Z, delivered 09:58Z the same day: passes by default.
    gsl().args(["eval", rule]).assert().code(0);
    gsl()
        .args(["eval", rule, "--now", "2026-12-01T00:00:00Z"])
        .assert()
        .code(1);
}

#[test]
fn eval_notes_an_entity_type_that_is_absent() {
    gsl()
        .args(["eval", "ApiGateway should have name"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("no entities of type `ApiGateway`"))
        .stderr(predicate::str::contains("CloudTrail (2)"));
}

#[test]
fn parse_prints_canonical_text_and_ast() {
    gsl()
        .args([
            "parse",
            "CloudTrail   where name='x'   should   have ( a=1 )",
        ])
        .assert()
        .code(0)
        .stdout("CloudTrail where name = 'x' should have a = 1\n");
    gsl()
        .args(["parse", "CloudTrail should have a", "--ast"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Verdict"));
}

#[test]
fn policies_lists_the_builtin_pack() {
    let out = gsl().arg("policies").assert().code(0).get_output().clone();
    let text = String::from_utf8_lossy(&out.stdout);
    // 10 CloudGuard (6 monitoring and logging, 4 on load balancers), 14 CIS v1.2.0, 15 each for v1.4.0, v1.5.0 and v2.0.0, every control
    // of v3.0.0 (62) and v5.0.0 (63).
    assert_eq!(text.lines().count(), 10 + 14 + 3 * 15 + 62 + 63, "{text}");
    assert!(text.contains("D9.AWS.MON.21"));
    assert!(text.contains("CIS-AWS-4.15"));
    for version in ["1.2.0", "1.4.0", "1.5.0", "2.0.0", "3.0.0", "5.0.0"] {
        assert!(
            text.contains(&format!("cis-aws@{version}")),
            "{version}\n{text}"
        );
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("CIS-AWS-3.1 ") && l.contains("cis-aws@1.2.0")),
        "{text}"
    );
}

#[test]
fn pattern_commands_follow_the_exit_code_contract() {
    gsl()
        .args([
            "pattern",
            "eq",
            "{$.eventName=ConsoleLogin}",
            "{ ($.eventName = \"ConsoleLogin\") }",
        ])
        .assert()
        .code(0);
    gsl()
        .args([
            "pattern",
            "eq",
            "{$.eventName=ConsoleLogin}",
            "{$.eventName=consolelogin}",
        ])
        .assert()
        .code(1);
    gsl()
        .args(["pattern", "eq", "{$.a = 'x'}", "{$.a = x}"])
        .assert()
        .code(2);
    gsl()
        .args(["pattern", "canon", "{ ($.b = 2) || ($.a = 1) }"])
        .assert()
        .code(0);
}

#[test]
fn usage_errors_exit_two() {
    gsl().args(["check", "--format", "xml"]).assert().code(2);
    gsl().arg("frobnicate").assert().code(2);
}

/// Every `--format json` document of `check` and `eval` validates against the schema
/// shipped in `docs/report.schema.json`, including an error report and a note.
#[test]
fn json_documents_validate_against_the_published_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/report.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.gsl");
    std::fs::write(
        &bad,
        "# id: BAD-1\n# title: broken\nCloudTrail shoud have name\n",
    )
    .unwrap();
    let missing = dir.path().join("missing.gsl");
    std::fs::write(
        &missing,
        "# id: NONE-1\n# title: none\nApiGateway should have name\n",
    )
    .unwrap();
    let runs: Vec<Vec<String>> = vec![
        vec!["check".into(), "--format".into(), "json".into()],
        vec![
            "check".into(),
            "-f".into(),
            "json".into(),
            bad.display().to_string(),
            missing.display().to_string(),
        ],
        vec![
            "eval".into(),
            "CloudTrail should have isMultiRegionTrail=true".into(),
            "-f".into(),
            "json".into(),
        ],
    ];
    for args in runs {
        let out = gsl().args(&args).output().unwrap();
        let doc = json_of(&out.stdout);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
        assert_eq!(doc["reportVersion"], 2);
    }
    // The broken policy is reported with its diagnostic code, the other still runs.
    let out = gsl()
        .args(["check", "-f", "json"])
        .arg(&bad)
        .arg(&missing)
        .output()
        .unwrap();
    let doc = json_of(&out.stdout);
    assert_eq!(doc["results"][0]["status"], "error");
    assert!(
        doc["results"][0]["diagnostics"][0]["code"]
            .as_str()
            .unwrap()
            .starts_with("gsl::parse::"),
        "{doc}"
    );
    assert_eq!(doc["results"][1]["status"], "notApplicable");
    assert_eq!(
        doc["results"][1]["diagnostics"][0]["code"],
        "gsl::eval::unknown_entity_type"
    );
}

#[test]
fn policies_marks_a_policy_whose_rule_cannot_run_as_broken() {
    let dir = tempfile::tempdir().unwrap();
    let header = |id: &str| format!("# id: {id}\n# title: {id}\n# severity: low\n");
    std::fs::write(
        dir.path().join("good.gsl"),
        header("GOOD") + "CloudTrail should have isMultiRegionTrail = true\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("typo.gsl"),
        header("TYPO") + "CloudTrail shuold have isMultiRegionTrail = true\n",
    )
    .unwrap();
    let out = Command::cargo_bin("gsl")
        .unwrap()
        .env("NO_COLOR", "1")
        .arg("policies")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let typo = lines
        .iter()
        .position(|l| l.starts_with("TYPO"))
        .expect(&text);
    assert!(
        lines[typo + 1].contains("BROKEN: the rule cannot run"),
        "{text}"
    );
    let good = lines
        .iter()
        .position(|l| l.starts_with("GOOD"))
        .expect(&text);
    assert!(
        !lines.get(good + 1).is_some_and(|l| l.contains("BROKEN")),
        "{text}"
    );
    // The diagnostic, with its span, is on standard error.
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("gsl::parse::keyword_typo"), "{err}");
    let json = Command::cargo_bin("gsl")
        .unwrap()
        .args(["policies", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["broken"], 1);
    let by_id = |id: &str| {
        v["policies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()
            .clone()
    };
    assert!(by_id("TYPO")["error"].is_string());
    assert!(by_id("GOOD")["error"].is_null());
}
