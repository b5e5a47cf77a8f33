//! `gsl test`: every shipped policy's test file passes (this is how CI runs
//! `gsl test policies/`), and a failing case exits 1 with the explanation diff.

use assert_cmd::Command;
use std::path::PathBuf;

fn gsl() -> Command {
    let mut cmd = Command::cargo_bin("gsl").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

#[test]
fn gsl_test_policies_passes_and_every_shipped_policy_has_a_test() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = gsl()
        .current_dir(&root)
        .args(["test", "policies/", "--require-tests"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // One test file per policy of every pack version, but the manual controls (no rule).
    let with_rules: usize = gsl::policy::select::builtin_packs()
        .iter()
        .flat_map(|pack| pack.policies().unwrap())
        .filter(|p| p.meta.manual.is_none())
        .count();
    assert!(with_rules > 150, "{with_rules}");
    assert!(
        text.contains(&format!("{with_rules} test files")),
        "{with_rules}: {text}"
    );
    // At least one passing and one failing expectation per policy.
    for f in gsl::authoring::find_tests(&[root.join("policies")]) {
        let yaml = std::fs::read_to_string(&f).unwrap();
        assert!(
            yaml.contains(": passed") && yaml.contains("failed"),
            "{} lacks a passing or a failing case",
            f.display()
        );
    }
}

#[test]
fn a_wrong_expectation_exits_one_with_the_explanation_diff() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.gsl"),
        "# id: T-1\n# title: t\nCloudTrail should have isMultiRegionTrail=true\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("p.test.yaml"),
        "cases:\n  - name: wrong\n    entities:\n      CloudTrail:\n        - { id: t1, name: t1, isMultiRegionTrail: false }\n    expect:\n      t1: passed\n      t2: failed\n  - name: typo\n    entities: { CloudTrail: [{ id: t1 }] }\n    expect: { t1: pased }\n",
    )
    .unwrap();
    let out = gsl().arg("test").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FAIL") && text.contains(":: wrong"), "{text}");
    assert!(
        text.contains("- expected: passed") && text.contains("+ actual:   failed"),
        "{text}"
    );
    assert!(text.contains("+   isMultiRegionTrail is false"), "{text}");
    assert!(
        text.contains("t2:") && text.contains("no such object"),
        "{text}"
    );
    assert!(
        text.contains("unknown outcome `pased`; did you mean `passed`?"),
        "{text}"
    );
    let json = gsl()
        .args(["test", "-f", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["passed"], false);
}

#[test]
fn a_policy_that_does_not_run_is_shown_with_its_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.gsl"),
        "# id: T-2\n# title: t\nCloudTrail should have name isEmptyy()\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("p.test.yaml"),
        "cases:\n  - name: one\n    entities: { CloudTrail: [{ id: t1, name: a }] }\n    expect: { t1: failed }\n  - name: two\n    entities: { CloudTrail: [{ id: t1, name: '' }] }\n    expect: { t1: passed }\n",
    )
    .unwrap();
    let out = gsl().arg("test").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    // As `gsl check` shows it: the span under the name, the nearest function.
    assert!(text.contains("the policy does not run"), "{text}");
    assert!(text.contains("did you mean `isEmpty`"), "{text}");
    assert!(text.contains("p.gsl:3:"), "{text}");
    // Once per file, not once per case.
    assert_eq!(text.matches("did you mean `isEmpty`").count(), 1, "{text}");
}
