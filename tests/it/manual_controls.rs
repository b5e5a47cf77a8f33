//! Controls that data cannot decide: a policy with a `manual:` line has no rule, its
//! status is `manual` in every format and account, it is never a finding, and `gsl fmt`
//! and `gsl test` take it as it is.

use assert_cmd::Command;
use gsl::policy::{parse_policy, PolicyErrorKind};
use gsl::report::{FailPolicy, RuleStatus, Verdict};

const MANUAL: &str = "# id: T-MANUAL\n# title: Ensure a person looks\n# severity: high\n\
# description: Only a person can tell.\n# remediation: Look.\n\
# manual: The data is not in any API: open the console page and check the contact details.\n\
#   A second line of the reason.\n// A comment after the metadata is not a rule.\n";

const RULE: &str = "# id: T-RULE\n# title: trails\n# frameworks: test\n\
CloudTrail should have isMultiRegionTrail = true\n";

fn gsl() -> Command {
    let mut cmd = Command::cargo_bin("gsl").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[test]
fn a_manual_policy_has_its_reason_and_no_rule() {
    let p = parse_policy(MANUAL, "m.gsl").unwrap();
    assert_eq!(
        p.meta.manual.as_deref(),
        Some("The data is not in any API: open the console page and check the contact details. A second line of the reason.")
    );
    let with_rule = format!("{MANUAL}CloudTrail should have isMultiRegionTrail = true\n");
    let err = parse_policy(&with_rule, "m.gsl").unwrap_err();
    assert!(
        matches!(err.kind(), PolicyErrorKind::ManualWithRule { .. }),
        "{err:?}"
    );
    let code = miette::Diagnostic::code(&err).map(|c| c.to_string());
    assert_eq!(code.as_deref(), Some("gsl::policy::manual_with_rule"));
}

#[test]
fn a_manual_control_is_manual_in_every_format_and_never_a_finding() {
    let dir = dir_with(&[("m.gsl", MANUAL), ("r.gsl", RULE)]);
    let json = gsl()
        .args(["check", "-f", "json"])
        .arg(dir.path())
        .assert()
        .code(1) // the rule fails on the sample; the manual control does not count
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let manual = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "T-MANUAL")
        .unwrap();
    assert_eq!(manual["status"], "manual");
    assert!(manual["manual"]
        .as_str()
        .unwrap()
        .starts_with("The data is not in any API"));
    assert_eq!(manual["entities"], serde_json::json!([]));
    assert_eq!(v["summary"]["manual"], 1);
    assert_eq!(v["summary"]["rules"], 2);
    for account in v["accounts"].as_array().unwrap() {
        assert_eq!(account["manual"], 1, "{account}");
    }

    // Alone, a manual control passes the run (exit 0) and the text says what to do.
    let only = dir_with(&[("m.gsl", MANUAL)]);
    let out = gsl()
        .arg("check")
        .arg(only.path())
        .assert()
        .code(0)
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("MANUAL") && l.contains("T-MANUAL")),
        "{text}"
    );
    assert!(
        text.contains("manual check: The data is not in any API"),
        "{text}"
    );
    assert!(
        text.contains(
            "1 policy: 0 passed, 0 failed, 0 unknown, 0 errors, 0 not applicable, 1 manual"
        ),
        "{text}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 manual"), "{err}");

    for (format, needle) in [
        ("junit", "manual check: The data is not in any API"),
        ("csv", "manual check: The data is not in any API"),
        ("markdown", "📝 manual"),
        ("html", "Manual check:"),
    ] {
        let out = gsl()
            .args(["check", "-f", format])
            .arg(only.path())
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains(needle), "{format}: {text}");
    }

    // `--status manual` lists only the manual controls.
    let out = gsl()
        .args(["check", "--status", "manual"])
        .arg(dir.path())
        .assert()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("T-MANUAL") && !text.contains("T-RULE"),
        "{text}"
    );
}

#[test]
fn manual_never_counts_against_a_run() {
    let report = gsl::report::PolicyReport {
        meta: parse_policy(MANUAL, "m.gsl").unwrap().meta,
        origin: "m.gsl".into(),
        status: RuleStatus::Manual,
        entities: Vec::new(),
        error: None,
        diagnostics: Vec::new(),
        waived: Vec::new(),
        accounts_without_entities: Vec::new(),
    };
    assert_eq!(
        FailPolicy::default().verdict(std::slice::from_ref(&report)),
        Verdict::Passed
    );
    assert_eq!(report.status_in("123456789012"), RuleStatus::Manual);
    assert_eq!(
        report.statuses_in(&["1".into(), "2".into()]),
        vec![RuleStatus::Manual, RuleStatus::Manual]
    );
}

#[test]
fn fmt_and_test_take_a_manual_policy_as_it_is() {
    let formatted = gsl::format::format_source(MANUAL, "m.gsl").unwrap();
    assert_eq!(formatted, MANUAL);
    let messy = MANUAL.replace("# remediation: Look.\n", "# remediation: Look.   \n\n\n");
    let once = gsl::format::format_source(&messy, "m.gsl").unwrap();
    assert_eq!(gsl::format::format_source(&once, "m.gsl").unwrap(), once);
    assert!(
        !once.contains("   \n") && !once.contains("\n\n\n"),
        "{once}"
    );

    let dir = dir_with(&[("m.gsl", MANUAL)]);
    gsl()
        .args(["fmt", "--check"])
        .arg(dir.path())
        .assert()
        .code(0);
    // Nothing to test, and nothing untested.
    let with_rule = dir_with(&[
        ("m.gsl", MANUAL),
        ("r.gsl", RULE),
        (
            "r.test.yaml",
            "cases:\n  - name: the sample\n    snapshot: SAMPLE\n    expect: {}\n",
        ),
    ]);
    let sample =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sample-account.json");
    let test = std::fs::read_to_string(with_rule.path().join("r.test.yaml"))
        .unwrap()
        .replace("SAMPLE", &sample.display().to_string());
    std::fs::write(with_rule.path().join("r.test.yaml"), test).unwrap();
    gsl()
        .args(["test", "--require-tests"])
        .arg(with_rule.path())
        .assert()
        .code(0);
}
