//! `gsl repl` with piped stdin: scripted use, no terminal.

use assert_cmd::Command;

fn gsl() -> Command {
    let mut c = Command::cargo_bin("gsl").unwrap();
    c.env("NO_COLOR", "1")
        .env("GSL_HISTORY", "/nonexistent/gsl-history");
    c
}

#[test]
fn a_scripted_tour() {
    let script = std::fs::read_to_string("tests/data/repl/tour.txt").unwrap();
    let out = gsl().arg("repl").write_stdin(script).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stderr, "");
    // No banner or prompt without a terminal; nothing after :quit.
    assert!(!stdout.contains("gsl>"));
    assert!(!stdout.contains("name = \"org-main\""));
    insta::assert_snapshot!("repl_piped_tour", stdout);
}

#[test]
fn errors_go_to_stderr_and_set_the_exit_status() {
    let out = gsl()
        .args(["repl"])
        .write_stdin("CloudTrail.statuz\nCloudTrail should hav x\nSnsTopic.name\n")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1));
    // Later lines still run.
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(stderr.contains("did you mean `status`?"), "{stderr}");
    assert!(stderr.contains("did you mean `have`?"), "{stderr}");
    assert!(!stderr.contains('\x1b'), "{stderr}");
}

#[test]
fn a_snapshot_file() {
    let mut snap: serde_json::Value = serde_json::from_str(gsl::entity::SAMPLE_SNAPSHOT).unwrap();
    snap["accounts"][0]["entities"]
        .as_object_mut()
        .unwrap()
        .retain(|k, _| k == "LogGroup");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one.json");
    std::fs::write(&file, snap.to_string()).unwrap();
    let out = gsl()
        .args(["repl", "--snapshot"])
        .arg(&file)
        .write_stdin(":entities\n")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert_eq!(
        stdout,
        format!("{} (account 123456789012)\n  LogGroup  1\n", file.display())
    );
}

/// An apostrophe or a bracket inside a `#` or `//` comment opens nothing: the later
/// lines of a script still run on their own (issue 15).
#[test]
fn comments_with_quotes_and_brackets_swallow_no_lines() {
    let script = "# don't [ stop here\n\
                  SnsTopic.name\n\
                  CloudTrail should have metricFilters with [ // it's ( open?\n\
                  filterName like '%root%'\n\
                  ]\n\
                  # a comment's last word [\n\
                  CloudTrail.name\n";
    let out = gsl().arg("repl").write_stdin(script).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("orphan-topic: name"), "{stdout}");
    assert!(stdout.contains("2 objects: 1 passed, 1 failed"), "{stdout}");
    assert!(stdout.contains("org-main: name = \"org-main\""), "{stdout}");
}

#[test]
fn a_property_no_entity_has_is_warned_as_gsl_check_warns() {
    // A type gsl does not collect: its properties are learnt from the snapshot.
    let out = gsl()
        .args(["repl", "--snapshot", "tests/data/report/multi-account.json"])
        .write_stdin("Bucket should have versioning.enabld = true\nBucket should have versioning.enabled = true\n")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let warnings: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "only the misspelt rule: {stdout}");
    assert!(
        warnings[0].contains("no `Bucket` entity in the snapshot has `versioning.enabld`")
            && warnings[0].contains("did you mean `enabled`?"),
        "{stdout}"
    );
}
