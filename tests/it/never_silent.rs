//! Issue 15, "never silently wrong", end to end: typos of known entity types and
//! properties stop before anything runs; a property no entity has (other types) is a
//! warning in every report format, an error with `--strict`; accounts where a rule
//! found nothing to check are named in every format; and every format is byte-identical
//! between two runs over a multi-account snapshot (parallel evaluation).

use assert_cmd::Command;
use std::path::PathBuf;

const FORMATS: [&str; 8] = [
    "text", "json", "sarif", "junit", "csv", "ocsf", "markdown", "html",
];

fn gsl() -> Command {
    let mut cmd = Command::cargo_bin("gsl").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

fn data(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/report")
        .join(p)
}

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Out {
    let out = gsl().args(args).output().unwrap();
    Out {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The diagnostic of a JSON result with this code.
fn diagnostic<'a>(result: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    result["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {result}"))
}

fn check_multi(format: &str, extra: &[&str]) -> Out {
    let snap = data("multi-account.json");
    let policies = data("policies");
    let mut args = vec![
        "check",
        policies.to_str().unwrap(),
        "--snapshot",
        snap.to_str().unwrap(),
        "--format",
        format,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn a_misspelt_known_type_is_an_error_not_zero_objects() {
    let o = run(&["eval", "CloudTrial should have isMultiRegionTrail=true"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("gsl::eval::unknown_type"), "{}", o.stderr);
    assert!(
        o.stderr.contains("did you mean `CloudTrail`?"),
        "{}",
        o.stderr
    );
    assert!(o.stdout.is_empty(), "{}", o.stdout);
}

#[test]
fn a_misspelt_property_under_not_is_an_error_not_a_pass() {
    let o = run(&["eval", "CloudTrail should not have status.isloging = false"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr.contains("gsl::eval::unknown_property"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("did you mean `isLogging`?"),
        "{}",
        o.stderr
    );
}

#[test]
fn a_policy_file_over_a_plural_type_is_an_error_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trails.gsl");
    std::fs::write(
        &file,
        "# id: T.1\n# title: t\n# severity: low\nCloudTrails should have isMultiRegionTrail = true\n",
    )
    .unwrap();
    let o = run(&["check", file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    let doc: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let result = &doc["results"][0];
    assert_eq!(result["status"], "error");
    assert_eq!(result["diagnostics"][0]["code"], "gsl::eval::unknown_type");
    assert!(result["diagnostics"][0]["help"]
        .as_str()
        .unwrap()
        .contains("did you mean `CloudTrail`?"));
}

#[test]
fn an_unseen_property_and_empty_accounts_are_in_every_format() {
    for f in FORMATS {
        let o = check_multi(f, &[]);
        // TEST.TRAIL.01 fails in 333333333333, TEST.TRAIL.02 fails in 222222222222.
        assert_eq!(o.code, Some(1), "{f}: {}", o.stderr);
        let out = &o.stdout;
        assert!(
            out.contains("gsl::eval::unseen_property"),
            "{f} does not carry the warning:\n{out}"
        );
        assert!(
            out.contains("versioning.enabeld"),
            "{f} does not name the path:\n{out}"
        );
        assert!(
            out.contains("gsl::eval::no_entities_in_account"),
            "{f} does not say where nothing was checked:\n{out}"
        );
        assert!(out.contains("222222222222"), "{f}:\n{out}");
    }
    let o = check_multi("json", &[]);
    let doc: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let by_id = |id: &str| {
        doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    let bucket = by_id("TEST.BUCKET.01");
    let warning = diagnostic(&bucket, "gsl::eval::unseen_property");
    assert_eq!(warning["level"], "warning");
    assert!(warning["help"]
        .as_str()
        .unwrap()
        .contains("did you mean `enabled`?"));
    // The rule still ran: the misspelt path is null, so both buckets "pass".
    assert_eq!(bucket["status"], "passed");
    let trail = by_id("TEST.TRAIL.01");
    assert_eq!(
        trail["accountsWithoutEntities"],
        serde_json::json!(["222222222222"])
    );
    assert_eq!(
        diagnostic(&trail, "gsl::eval::no_entities_in_account")["level"],
        "note"
    );
    // The List<> form gives the account without a trail a failing result instead.
    let exists = by_id("TEST.TRAIL.02");
    assert_eq!(exists["status"], "failed");
    assert!(exists.get("accountsWithoutEntities").is_none());
    let failed: Vec<&str> = exists["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["outcome"] == "failed")
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        failed,
        [
            "List<CloudTrail>@222222222222",
            "List<CloudTrail>@333333333333"
        ]
    );
    assert!(
        o.stderr.contains("warning: no `Bucket` entity"),
        "{}",
        o.stderr
    );
}

#[test]
fn strict_turns_an_unseen_property_into_an_error() {
    let o = check_multi("json", &["--strict"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("gsl::eval::strict"), "{}", o.stderr);
    let doc: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let bucket = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "TEST.BUCKET.01")
        .unwrap();
    assert_eq!(bucket["status"], "error");
    let error = diagnostic(bucket, "gsl::eval::unseen_property");
    assert!(error.get("level").is_none(), "an error: {error}");
    let snap = data("multi-account.json");
    let o = run(&[
        "eval",
        "Bucket should have versioning.enabled = true",
        "--snapshot",
        snap.to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(
        o.code,
        Some(1),
        "a correct path runs under --strict: {}",
        o.stderr
    );
}

#[test]
fn strict_in_gsl_toml_is_strict_for_every_run_in_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let (snap, policies) = (data("multi-account.json"), data("policies"));
    let check_with = |config: &str| {
        std::fs::write(dir.path().join("gsl.toml"), config).unwrap();
        let out = gsl()
            .current_dir(dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .arg("check")
            .arg(&policies)
            .arg("--snapshot")
            .arg(&snap)
            .args(["--format", "json"])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = check_with("[check]\nstrict = true\n");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("gsl::eval::strict"), "{stderr}");
    // Turned off, the same run warns and goes on.
    let (code, stderr) = check_with("[check]\nstrict = false\n");
    assert_ne!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("unseen") || stderr.contains("no `Bucket` entity"),
        "{stderr}"
    );
}

#[test]
fn every_format_is_byte_identical_over_a_multi_account_snapshot() {
    let snap = data("multi-account.json");
    let policies = data("policies");
    for f in FORMATS {
        let runs: Vec<String> = (0..2)
            .map(|_| {
                let o = run(&[
                    "check",
                    policies.to_str().unwrap(),
                    "--pack",
                    "cis-aws",
                    "--pack",
                    "cloudguard",
                    "--snapshot",
                    snap.to_str().unwrap(),
                    "--format",
                    f,
                ]);
                assert_eq!(o.code, Some(1), "{f}: {}", o.stderr);
                o.stdout
            })
            .collect();
        assert!(!runs[0].is_empty(), "{f}");
        assert_eq!(runs[0], runs[1], "{f} differs between two runs");
    }
}
