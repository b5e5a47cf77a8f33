//! Ruleset parameters end to end: `--params FILE` on check, eval, test and policies,
//! the `[params]` table of `gsl.toml`, and the diagnostics of an unknown parameter and a
//! bad parameters file (docs/params.md).

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn gsl(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("gsl").unwrap();
    cmd.env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", dir)
        .current_dir(dir);
    cmd
}

const SNAPSHOT: &str = r#"{"schemaVersion": 1, "accounts": [{"accountNumber": "111111111111", "entities": {"SecurityGroup": [
  {"id": "sg-dns", "type": "SecurityGroup", "inboundRules": [{"port": 53, "protocol": "UDP", "scope": "0.0.0.0/0"}]},
  {"id": "sg-game", "type": "SecurityGroup", "inboundRules": [{"port": 40000, "protocol": "UDP", "scope": "0.0.0.0/0"}]}
]}}]}"#;

const POLICY: &str = "# id: KNOWN-UDP\n# title: No known UDP port open to the world\n# severity: high\nSecurityGroup should not have inboundRules contain [scope = '0.0.0.0/0' and port in($CloudGuard_Known_UDP_Ports) and protocol in ('UDP', 'ALL')]\n";

/// A project directory with the snapshot and one policy.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sgs.json"), SNAPSHOT).unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("policies/known-udp.gsl"), POLICY).unwrap();
    dir
}

/// Outcome per entity id of the one policy of a `gsl check -f json` run.
fn outcomes(dir: &Path, extra: &[&str]) -> Vec<(String, String)> {
    let out = gsl(dir)
        .args(["check", "policies", "-s", "sgs.json", "-f", "json"])
        .args(extra)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    doc["results"][0]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_string(),
                e["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pair(id: &str, outcome: &str) -> (String, String) {
    (id.to_string(), outcome.to_string())
}

#[test]
fn check_uses_the_defaults_then_gsl_toml_then_the_params_file() {
    let dir = project();
    // gsl's default list holds 53, not 40000.
    assert_eq!(
        outcomes(dir.path(), &[]),
        [pair("sg-dns", "failed"), pair("sg-game", "passed")]
    );
    std::fs::write(
        dir.path().join("mine.toml"),
        "CloudGuard_Known_UDP_Ports = [40000]\n",
    )
    .unwrap();
    assert_eq!(
        outcomes(dir.path(), &["--params", "mine.toml"]),
        [pair("sg-dns", "passed"), pair("sg-game", "failed")]
    );
    // gsl.toml's [params] applies to every run in the directory ...
    std::fs::write(
        dir.path().join("gsl.toml"),
        "[check]\nstrict = false\n\n[params]\nCloudGuard_Known_UDP_Ports = [53, 40000]\n",
    )
    .unwrap();
    assert_eq!(
        outcomes(dir.path(), &[]),
        [pair("sg-dns", "failed"), pair("sg-game", "failed")]
    );
    // ... and --params replaces the names it defines.
    assert_eq!(
        outcomes(dir.path(), &["--params", "mine.toml"]),
        [pair("sg-dns", "passed"), pair("sg-game", "failed")]
    );
}

#[test]
fn an_unknown_parameter_stops_the_policy_with_a_did_you_mean() {
    let dir = project();
    std::fs::write(
        dir.path().join("policies/known-udp.gsl"),
        POLICY.replace("$CloudGuard_Known_UDP_Ports", "$CloudGuard_Known_UDP_Port"),
    )
    .unwrap();
    let out = gsl(dir.path())
        .args(["check", "policies", "-s", "sgs.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a policy that cannot run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    insta::assert_snapshot!(stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("KNOWN-UDP"), "{stdout}");
}

#[test]
fn a_bad_parameters_file_names_the_file_and_line() {
    let dir = project();
    std::fs::write(
        dir.path().join("bad.toml"),
        "# ports\nCloudGuard_Known_UDP_Ports = [53,\n  { port = 123 }]\n",
    )
    .unwrap();
    let out = gsl(dir.path())
        .args([
            "check", "policies", "-s", "sgs.json", "--params", "bad.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing runs");
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stderr));
    gsl(dir.path())
        .args([
            "eval",
            "X should have a in ($P)",
            "--params",
            "missing.toml",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gsl::params::io"))
        .stderr(predicate::str::contains("missing.toml"));
    // In gsl.toml, the error points into gsl.toml.
    std::fs::write(dir.path().join("gsl.toml"), "[params]\nX = 1979-05-27\n").unwrap();
    gsl(dir.path())
        .args(["eval", "X should have a = $X"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "gsl.toml:2: parameter `X`: the value is a date",
        ));
}

#[test]
fn eval_and_test_take_params() {
    let dir = project();
    std::fs::write(dir.path().join("p.toml"), "Max = 1\n").unwrap();
    gsl(dir.path())
        .args([
            "eval",
            "SecurityGroup should have inboundRules length() <= $Max",
            "-s",
            "sgs.json",
            "--params",
            "p.toml",
        ])
        .assert()
        .code(0);
    gsl(dir.path())
        .args([
            "eval",
            "SecurityGroup should have inboundRules length() <= $Max",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gsl::eval::unknown_parameter"));
    std::fs::write(
        dir.path().join("policies/known-udp.test.yaml"),
        "cases:\n  - name: game port\n    entities:\n      SecurityGroup:\n        - { id: g, inboundRules: [{ port: 40000, protocol: UDP, scope: 0.0.0.0/0 }] }\n    expect: { g: failed }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("p.toml"),
        "CloudGuard_Known_UDP_Ports = [40000]\n",
    )
    .unwrap();
    gsl(dir.path())
        .args(["test", "policies", "--params", "p.toml"])
        .assert()
        .code(0);
    gsl(dir.path())
        .args(["test", "policies"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL"));
}

#[test]
fn policies_lists_the_parameters_a_pack_uses() {
    let dir = project();
    std::fs::write(
        dir.path().join("p.toml"),
        "CloudGuard_Known_UDP_Ports = [53]\n",
    )
    .unwrap();
    let out = gsl(dir.path())
        .args(["policies", "policies"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("(uses $CloudGuard_Known_UDP_Ports)"),
        "{text}"
    );
    assert!(
        text.contains("$CloudGuard_Known_UDP_Ports = (53, 67, 68,"),
        "{text}"
    );
    assert!(
        text.contains("(gsl's default)\n    used by KNOWN-UDP"),
        "{text}"
    );
    let out = gsl(dir.path())
        .args(["policies", "policies", "-f", "json", "--params", "p.toml"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["policies"][0]["params"],
        serde_json::json!(["CloudGuard_Known_UDP_Ports"])
    );
    assert_eq!(
        doc["params"],
        serde_json::json!([{
            "name": "CloudGuard_Known_UDP_Ports",
            "value": "(53)",
            "origin": "p.toml:1",
            "usedBy": ["KNOWN-UDP"],
        }])
    );
}
