//! `gsl check` selection, exit status and waivers, end to end.

use assert_cmd::Command;
use predicates::prelude::*;

fn gsl() -> Command {
    let mut cmd = Command::cargo_bin("gsl").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn ids(args: &[&str]) -> Vec<String> {
    let out = gsl()
        .args(["check", "-f", "json"])
        .args(args)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn ids_globs_exclusions_severity_framework_and_packs_select() {
    assert_eq!(
        ids(&["--id", "cis-aws-4.1,CIS-AWS-4.2"]),
        ["CIS-AWS-4.1", "CIS-AWS-4.2"]
    );
    assert_eq!(
        ids(&["--id", "CIS-AWS-4.*", "--exclude-id", "CIS-AWS-4.1*"]).len(),
        8
    );
    assert!(ids(&["--severity", "high"]).contains(&"CIS-AWS-4.3".to_string()));
    // The latest version has every control of CIS v5.0.0: a rule or a manual entry each.
    assert_eq!(ids(&["--pack", "cis-aws"]).len(), 63);
    assert_eq!(
        ids(&["--pack", "cloudguard"]).len(),
        crate::counts::pack("cloudguard")
    );
    // A framework with no --pack picks the pack version mapped to it; one version of
    // a pack per run.
    let v12 = ids(&["--framework", "CIS AWS Foundations v1.2.0"]);
    assert_eq!(v12.len(), 14, "{v12:?}");
    assert!(v12.contains(&"CIS-AWS-3.3".to_string()), "{v12:?}");
    assert_eq!(ids(&["--pack", "cis-aws@1.2.0"]), v12);
    gsl()
        .args([
            "check",
            "--pack",
            "cis-aws@1.4.0",
            "--pack",
            "cis-aws@2.0.0",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "two versions of pack `cis-aws` selected: cis-aws@1.4.0 and cis-aws@2.0.0",
        ));
    gsl()
        .args(["check", "--id", "CIS-AWS-4.3x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `CIS-AWS-4.3`"));
    gsl()
        .args(["check", "--pack", "cis"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "built-in packs: cis-aws@1.2.0, cis-aws@1.4.0, cis-aws@1.5.0, cis-aws@2.0.0, cis-aws@3.0.0, cis-aws@5.0.0, cloudguard",
        ));
    gsl()
        .args(["check", "--framework", "CIS AWS Foundations v2.0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean"));
}

#[test]
fn status_filter_lists_only_failing_policies_but_counts_all() {
    let out = gsl().args(["check", "--status", "fail"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.lines().any(|l| l.starts_with("PASS")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("FAIL")), "{text}");
    let n = crate::counts::default_run();
    assert!(text.contains(&format!("{n} policies:")), "{text}");
    assert!(text.contains("more not listed"), "{text}");
}

#[test]
fn text_report_shows_remediation_breakdown_and_the_next_step() {
    let out = gsl().arg("check").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("        remediation: Update the trail with --is-multi-region-trail"),
        "{text}"
    );
    assert!(text.contains("by severity:\n  critical "), "{text}");
    assert!(text.contains("\n  high "), "{text}");
    assert!(text.contains("by framework:"), "{text}");
    // The default run checks the latest CIS version, and says so.
    assert!(text.contains("CIS AWS Foundations v5.0.0"), "{text}");
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains("(packs cis-aws@5.0.0, cloudguard)"),
        "{text}"
    );
    assert!(text.contains("passed ("), "{text}");
    let last = text.trim_end().lines().last().unwrap();
    assert!(
        last.starts_with("next: ") && last.contains("--snapshot"),
        "{last}"
    );
}

#[test]
fn fail_on_and_unknown_ok_decide_the_exit_code() {
    // D9.AWS.MON.19 (low) fails; with --fail-on medium that is not enough to fail.
    gsl()
        .args(["check", "--id", "D9.AWS.MON.19"])
        .assert()
        .code(1);
    gsl()
        .args(["check", "--id", "D9.AWS.MON.19", "--fail-on", "medium"])
        .assert()
        .code(0);
    gsl()
        .args(["check", "--id", "D9.AWS.MON.19", "--fail-on", "low"])
        .assert()
        .code(1);
    let help = gsl().args(["check", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("Exit status:") && help.contains("--unknown-ok"),
        "{help}"
    );
}

#[test]
fn waivers_mark_findings_waived_and_expired_ones_fail_loudly() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.yaml");
    std::fs::write(
        &file,
        "waivers:\n  - policy: d9.aws.mon.19\n    entity: '*orphan-topic'\n    reason: kept for the demo\n    expires: 2099-01-01\n",
    )
    .unwrap();
    let out = gsl()
        .args(["check", "--id", "D9.AWS.MON.19", "--waivers"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("WAIVED") && text.contains("~ waived") && text.contains("kept for the demo"),
        "{text}"
    );
    for (format, needle) in [
        ("json", "\"waived\""),
        ("sarif", "\"suppressions\""),
        ("junit", "waived until"),
        ("csv", "kept for the demo"),
        ("ocsf", "Suppressed"),
        ("markdown", "waived"),
        ("html", "waived until"),
    ] {
        let out = gsl()
            .args(["check", "--id", "D9.AWS.MON.19", "-f", format, "--waivers"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(needle),
            "{format} does not show the waiver"
        );
    }
    // The default file in the current directory, expired: exit 2 naming the waiver.
    std::fs::write(
        dir.path().join(".gslignore.yaml"),
        "waivers:\n  - policy: D9.AWS.MON.19\n    reason: old\n    expires: 2020-01-01\n",
    )
    .unwrap();
    gsl()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("expired waiver").and(predicate::str::contains(
                "D9.AWS.MON.19/* (expired 2020-01-01)",
            )),
        );
}

#[test]
fn policies_lists_packs_and_the_users_directories_as_text_and_json() {
    let out = gsl().args(["policies", "-f", "json"]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = doc["policies"].as_array().unwrap();
    // Every version of every pack.
    assert_eq!(items.len(), crate::counts::every_pack());
    let cis = items
        .iter()
        .find(|p| p["id"] == "CIS-AWS-4.3" && p["version"] == "2.0.0")
        .unwrap();
    assert_eq!(cis["pack"], "cis-aws");
    assert_eq!(cis["severity"], "high");
    assert!(cis["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f == "CIS AWS Foundations v2.0.0 4.3"));

    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("my-rules");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(
        mine.join("a.gsl"),
        "# id: MY-1\n# title: mine\n# severity: low\nCloudTrail should have name\n",
    )
    .unwrap();
    std::fs::write(
        mine.join("b.gsl"),
        "# id: MY-2\n# title: broken\n# severity: hgh\nCloudTrail should have name\n",
    )
    .unwrap();
    let out = gsl().arg("policies").arg(&mine).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a broken file is reported");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("MY-1") && text.contains("my-rules"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown severity `hgh`"));
}

#[test]
fn completions_and_man_page_are_generated_from_the_command_line() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = gsl().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        for word in ["check", "policies", "output-dir", "fail-on"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let out = gsl().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let man = String::from_utf8_lossy(&out.stdout);
    assert!(man.starts_with(".ie") || man.contains(".TH gsl 1"), "{man}");
    assert!(
        man.contains("completions") && man.contains("\\-\\-color"),
        "{man}"
    );
}

#[test]
fn version_names_the_commit_and_features() {
    let out = gsl().arg("--version").output().unwrap();
    let v = String::from_utf8_lossy(&out.stdout);
    assert!(
        v.starts_with(&format!("gsl {}", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    assert!(v.contains("commit ") && v.contains("features: cli"), "{v}");
}

#[test]
fn color_follows_the_flag_no_color_and_clicolor_force() {
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = Command::cargo_bin("gsl").unwrap();
        cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd
            .args(["check", "--id", "D9.AWS.LOG.01"])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).contains("\x1b[")
    };
    assert!(!run(&[], &[]), "not a terminal: no colour");
    assert!(run(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!run(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    assert!(run(&["--color", "always"], &[("NO_COLOR", "1")]));
    assert!(!run(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]));
}

#[test]
fn quiet_hides_notes_but_not_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = gsl()
        .args(["-q", "check", "-f", "json", "--output-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    gsl()
        .args(["check", "-q", "--id", "NOPE"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("NOPE"));
    // The text report: results only (the sample banner stays), no header, no hint.
    let out = gsl().args(["-q", "check"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("gsl check:"), "{text}");
    assert!(!text.contains("next: "), "{text}");
    assert!(text.starts_with("SAMPLE DATA"), "{text}");
    assert!(text.contains("FAIL    CIS-AWS-4.3"), "{text}");
    assert!(out.stderr.is_empty());
}

#[test]
fn gsl_toml_in_the_project_directory_gives_check_its_defaults() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("gsl.toml"),
        "[check]\npack = [\"cloudguard\"]\nformat = [\"json\"]\nfail-on = \"critical\"\n",
    )
    .unwrap();
    let out = gsl()
        .current_dir(dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "fail-on critical: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["results"].as_array().unwrap().len(),
        crate::counts::pack("cloudguard"),
        "the cloudguard pack"
    );
    // It says which file applied, what it found and why it exits 0, though the
    // report (JSON) went elsewhere.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("config: gsl.toml"), "{err}");
    // The line on stderr tells the JSON report's own counts.
    let summary = &doc["summary"];
    let line = format!(
        "{} policies: {} passed, {} failed",
        crate::counts::pack("cloudguard"),
        summary["passed"],
        summary["failed"]
    );
    assert!(err.contains(&line), "{line} in {err}");
    assert!(err.contains("SAMPLE DATA"), "{err}");
    assert!(
        err.lines().any(|l| l
            == format!(
                "exit 0: {} failed, below --fail-on critical",
                summary["failed"]
            )),
        "{err}"
    );
    // The command line wins.
    gsl()
        .current_dir(dir.path())
        .args(["check", "-f", "text", "--fail-on", "low"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "gsl check: {} policies",
            crate::counts::pack("cloudguard")
        )));
    std::fs::write(
        dir.path().join("gsl.toml"),
        "[check]\nformats = [\"json\"]\n",
    )
    .unwrap();
    gsl()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("formats"));
}

#[test]
fn check_help_names_the_config_and_waiver_files() {
    for flag in ["-h", "--help"] {
        let out = gsl().args(["check", flag]).output().unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        for file in [
            "gsl.toml",
            "$XDG_CONFIG_HOME/gsl/config.toml",
            ".gslignore.yaml",
        ] {
            assert!(
                help.contains(file),
                "`check {flag}` does not name {file}:\n{help}"
            );
        }
    }
}
