//! What the command line prints is never silently wrong (issue 25): a report that
//! cannot be written is an error, names from a snapshot cannot forge a report's
//! lines or markup, and what `gsl pattern canon` prints is accepted back.

use std::path::Path;
use std::process::{Command, Stdio};

fn gsl() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gsl"));
    cmd.env("NO_COLOR", "1").stdin(Stdio::null());
    cmd
}

/// Every subcommand that prints results, each with a result to print.
fn printing_commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["check"],
        vec!["check", "-f", "json"],
        vec!["check", "-f", "junit"],
        vec!["eval", "CloudTrail should have isMultiRegionTrail = true"],
        vec!["pattern", "canon", "{ $.eventName = ConsoleLogin }"],
        vec!["pattern", "eq", "ERROR", "ERROR"],
        vec!["policies"],
        vec!["parse", "CloudTrail should have isLogging = true"],
    ]
}

#[test]
fn a_report_written_to_a_full_disk_exits_2_with_a_message() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    for args in printing_commands() {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        exits_2_with_a_message(&args, full);
    }
}

/// `gsl ARGS > stdout` exits 2 and says the results could not be written.
fn exits_2_with_a_message(args: &[&str], stdout: impl Into<Stdio>) {
    let out = gsl().args(args).stdout(stdout).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(
        err.contains("cannot write the results to standard output"),
        "{args:?}: {err}"
    );
}

#[test]
fn a_report_written_to_a_closed_pipe_exits_2_with_a_message() {
    for args in printing_commands() {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        exits_2_with_a_message(&args, writer);
    }
}

/// 100 `||` alternatives under 1,024 characters whose canonical form (quotes, spaces,
/// parentheses) is longer than that.
fn long_alternatives() -> String {
    let terms: Vec<String> = (0..100).map(|i| format!("$.e=a{i}")).collect();
    format!("{{{}}}", terms.join("||"))
}

#[test]
fn pattern_canon_prints_a_form_gsl_reads_back_and_says_when_cloudwatch_would_not() {
    let text = long_alternatives();
    let canonical = gsl::pattern::FilterPattern::parse(&text)
        .unwrap()
        .canonical();
    assert!(text.chars().count() <= gsl::pattern::MAX_LEN);
    assert!(canonical.chars().count() > gsl::pattern::MAX_LEN);

    let out = gsl().args(["pattern", "canon", &text]).output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout.trim_end(), canonical);
    assert!(
        stderr.contains("CloudWatch allows at most 1024"),
        "the canonical form no longer fits CloudWatch, and gsl says so: {stderr}"
    );

    // What was printed is read back: canon is a fixed point, eq and covers accept it.
    let again = gsl()
        .args(["pattern", "canon", &canonical])
        .output()
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim_end(), canonical);
    for args in [
        ["pattern", "eq", canonical.as_str(), text.as_str()],
        ["pattern", "covers", text.as_str(), canonical.as_str()],
    ] {
        let out = gsl().args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // A text of one's own over the limit is still refused.
    let padded = format!("{}{}", " ".repeat(10), canonical);
    let out = gsl().args(["pattern", "canon", &padded]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("too_long"));
}

/// A snapshot of one account holding a `CloudFront` and a `CloudSql` entity (types the
/// collectors do not build, spelt close to `CloudTrail`).
fn lookalike_types(dir: &Path) -> std::path::PathBuf {
    let snap = dir.join("lookalikes.json");
    std::fs::write(
        &snap,
        r#"{"schemaVersion": 1, "accounts": [{"accountNumber": "111111111111", "entities": {
          "CloudFront": [{"id": "d1", "type": "CloudFront", "name": "d1", "accountNumber": "111111111111", "enabled": true}],
          "CloudSql": [{"id": "s1", "type": "CloudSql", "name": "s1", "accountNumber": "111111111111", "enabled": false}]
        }}]}"#,
    )
    .unwrap();
    snap
}

#[test]
fn a_type_the_snapshot_has_is_never_a_typo() {
    let dir = tempfile::tempdir().unwrap();
    let snap = lookalike_types(dir.path());
    let snap = snap.to_str().unwrap();

    // gsl eval: CloudFront passes, CloudSql fails, neither is refused.
    for (rule, code) in [
        ("CloudFront should have enabled = true", 0),
        ("CloudSql should have enabled = true", 1),
    ] {
        let out = gsl()
            .args(["eval", rule, "--snapshot", snap])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{rule}: {err}");
        assert!(!err.contains("unknown_type"), "{rule}: {err}");
    }

    // gsl check: a policy over the type runs.
    let policy = dir.path().join("sql.gsl");
    std::fs::write(
        &policy,
        "# id: SQL-1\n# title: SQL instances are enabled\n# severity: low\nCloudSql should have enabled = true\n",
    )
    .unwrap();
    let out = gsl()
        .args([
            "check",
            policy.to_str().unwrap(),
            "--snapshot",
            snap,
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{doc}");
    assert_eq!(doc["results"][0]["status"], "failed", "{doc}");

    // Without such entities, the near miss is still refused as a typo.
    let out = gsl()
        .args(["eval", "CloudFront should have enabled = true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown_type"));
}

/// A snapshot whose trail's name, id, region and account number carry control
/// characters, a bidirectional override and line breaks, and a policy it fails.
fn hostile_names(dir: &Path) -> (String, String) {
    let account = "1111\n2222";
    let trail = serde_json::json!({
        "id": "trail\u{1}\u{7}x",
        "type": "CloudTrail",
        "name": "evil\u{1b}[2J\u{202e}lairt\nFORGED pass\u{0}",
        "accountNumber": account,
        "region": "us-east-1\u{8}",
        "isMultiRegionTrail": false
    });
    let snap = serde_json::json!({
        "schemaVersion": 1,
        "accounts": [{"accountNumber": account, "entities": {"CloudTrail": [trail]}}]
    });
    let snap_path = dir.join("hostile.json");
    std::fs::write(&snap_path, snap.to_string()).unwrap();
    let policy = dir.join("multi.gsl");
    std::fs::write(
        &policy,
        "# id: T-1\n# title: trails are multi-region\n# severity: low\nCloudTrail should have isMultiRegionTrail = true\n",
    )
    .unwrap();
    (
        policy.to_str().unwrap().to_string(),
        snap_path.to_str().unwrap().to_string(),
    )
}

/// Whether `xml` is well-formed: a strict tokenizer accepts every character and the
/// elements nest.
fn well_formed(xml: &str) -> Result<(), String> {
    let mut open: Vec<String> = Vec::new();
    for token in xmlparser::Tokenizer::from(xml) {
        match token.map_err(|e| e.to_string())? {
            xmlparser::Token::ElementStart { local, .. } => open.push(local.to_string()),
            xmlparser::Token::ElementEnd { end, .. } => match end {
                xmlparser::ElementEnd::Open => {}
                xmlparser::ElementEnd::Empty => {
                    open.pop();
                }
                xmlparser::ElementEnd::Close(_, name) => {
                    if open.pop().as_deref() != Some(name.as_str()) {
                        return Err(format!("`</{name}>` closes nothing"));
                    }
                }
            },
            _ => {}
        }
    }
    if open.is_empty() {
        Ok(())
    } else {
        Err(format!("unclosed: {open:?}"))
    }
}

#[test]
fn snapshot_names_are_escaped_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let (policy, snap) = hostile_names(dir.path());
    for format in [
        "text", "junit", "csv", "markdown", "html", "json", "sarif", "ocsf",
    ] {
        let out = gsl()
            .args(["check", &policy, "--snapshot", &snap, "-f", format])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Nothing hidden, nothing that reorders the line, no terminal escape.
        let hidden: Vec<char> = text
            .chars()
            .filter(|c| gsl::text::is_hidden(*c) && *c != '\r')
            .collect();
        assert!(hidden.is_empty(), "{format}: {hidden:?} in\n{text}");
        // The values are still there, escaped.
        assert!(text.contains("lairt"), "{format}: {text}");
        match format {
            "junit" => well_formed(&text).unwrap_or_else(|e| panic!("{e}:\n{text}")),
            "json" | "sarif" => {
                let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                // JSON carries the exact data: its escapes decode to the snapshot's text.
                assert!(v.to_string().contains("\\u001b[2J\u{202e}lairt"), "{v}");
            }
            "ocsf" => {
                for line in text.lines() {
                    serde_json::from_str::<serde_json::Value>(line).unwrap();
                }
            }
            _ => {
                // No value starts a line of its own: the forged text stays inside its
                // label, and the account number inside the header.
                assert!(
                    !text.lines().any(|l| l.trim_start().starts_with("FORGED")
                        || l.trim_start().starts_with("2222")),
                    "{format}: {text}"
                );
            }
        }
    }
}

#[test]
fn the_shipped_packs_are_in_gsl_fmt_form() {
    let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let out = gsl()
        .args(["fmt", "--check", policies.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "not in `gsl fmt` form:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
