//! Hostile and extreme input end to end (issue 15): every case is a clear error with
//! an exit code, never a panic (exit 101), a hang or a silent pass.

use assert_cmd::Command;
use std::io::Write as _;

fn gsl() -> Command {
    let mut cmd = Command::cargo_bin("gsl").unwrap();
    cmd.env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(60));
    cmd
}

fn write(dir: &tempfile::TempDir, name: &str, text: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::File::create(&p).unwrap().write_all(text).unwrap();
    p
}

/// A valid one-line snapshot over 64 KB whose error is past column 65535.
fn minified_with_error_at_the_end() -> String {
    let trails: Vec<String> = (0..1500)
        .map(|i| format!(r#"{{"id":"arn:aws:cloudtrail:us-east-1:1:trail/t{i}","type":"CloudTrail","name":"t{i}"}}"#))
        .collect();
    format!(
        r#"{{"schemaVersion":1,"accounts":[{{"accountNumber":"1","entities":{{"CloudTrail":[{},{{"id":"x","type":"LogGroup"}}]}}}}]}}"#,
        trails.join(",")
    )
}

#[test]
fn a_minified_snapshot_error_past_column_65535_is_rendered_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let text = minified_with_error_at_the_end();
    assert!(text.len() > 70_000 && !text.contains('\n'));
    let snap = write(&dir, "min.json", text.as_bytes());
    for args in [
        vec!["check", "--snapshot"],
        vec!["eval", "CloudTrail should have name", "--snapshot"],
        vec!["repl", "--snapshot"],
    ] {
        let out = gsl()
            .args(&args)
            .arg(&snap)
            .write_stdin("")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("gsl::snapshot::entity_type"), "{err}");
        assert!(
            err.contains(&format!(
                "min.json:1:{}",
                text.rfind("\"LogGroup\"").unwrap() + 1
            )),
            "{err}"
        );
        assert!(err.len() < 4_000, "{} bytes of stderr", err.len());
    }
    // `:load` of it is an error in the session, which goes on.
    let out = gsl()
        .arg("repl")
        .write_stdin(format!(":load {}\n:entities\n", snap.display()))
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(out.status.code(), Some(101), "{all}");
    assert!(all.contains("gsl::snapshot::entity_type"), "{all}");
    assert!(all.contains("CloudTrail"), "the session went on: {all}");
}

#[test]
fn a_duplicate_entity_type_key_does_not_hide_a_failing_trail() {
    let dir = tempfile::tempdir().unwrap();
    let snap = write(
        &dir,
        "dup.json",
        br#"{"schemaVersion": 1, "accounts": [{"accountNumber": "1", "entities": {
  "CloudTrail": [{"id": "bad", "type": "CloudTrail", "status": {"isLogging": false}}],
  "CloudTrail": [{"id": "good", "type": "CloudTrail", "status": {"isLogging": true}}]}}]}"#,
    );
    let out = gsl()
        .args([
            "eval",
            "CloudTrail should have status.isLogging = true",
            "--snapshot",
        ])
        .arg(&snap)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("gsl::snapshot::duplicate_key"), "{err}");
    assert!(err.contains("dup.json:"), "{err}");
}

#[test]
fn ids_and_types_longer_than_65535_bytes_do_not_panic_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let long = "T".repeat(70_000);
    let snap = write(
        &dir,
        "long.json",
        format!(
            r#"{{"schemaVersion": 1, "accounts": [{{"accountNumber": "1", "entities": {{"{long}": [{{"id": "a", "type": "{long}"}}]}}}}]}}"#
        )
        .as_bytes(),
    );
    let out = gsl()
        .args(["repl", "--snapshot"])
        .arg(&snap)
        .write_stdin(":entities\n")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let policy = write(
        &dir,
        "p.gsl",
        format!(
            "# id: {}\n# title: t\nCloudTrail should have name\n",
            "I".repeat(70_000)
        )
        .as_bytes(),
    );
    let out = gsl().arg("check").arg(&policy).output().unwrap();
    assert_ne!(
        out.status.code(),
        Some(101),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("IIII"));
}

#[test]
fn hidden_characters_are_escaped_in_errors_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(
        &dir,
        "p.gsl",
        "# id: A\u{202e}B\n# title: t\u{200b}\0\nCloudTrail should have name\n".as_bytes(),
    );
    let out = gsl().arg("check").arg(&policy).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("A\\u{202e}B") && text.contains("t\\u{200b}\\u{0}"),
        "{text}"
    );
    let out = gsl()
        .args(["eval", "CloudTrail should have name = \u{202e}"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains('\u{202e}'), "{err}");
}

#[cfg(unix)]
fn mkfifo(p: &std::path::Path) {
    assert!(std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .unwrap()
        .success());
}

#[cfg(unix)]
#[test]
fn special_files_are_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.json");
    mkfifo(&fifo);
    for (args, code) in [
        (vec!["check", "--snapshot"], "gsl::snapshot::not_a_file"),
        (
            vec!["eval", "CloudTrail should have name", "--snapshot"],
            "gsl::snapshot::not_a_file",
        ),
        (
            vec!["pattern", "test", "x", "--events"],
            "gsl::events::not_a_file",
        ),
    ] {
        for target in [fifo.as_path(), std::path::Path::new("/dev/zero")] {
            let out = gsl().args(&args).arg(target).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?} {target:?}: {err}");
            assert!(err.contains(code), "{err}");
        }
    }
    let out = gsl().args(["check", "/dev/zero"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("gsl::policy::not_a_file"));
    let out = gsl()
        .arg("repl")
        .write_stdin(format!(
            ":load {}\n:load /dev/zero\n:entities\n",
            fifo.display()
        ))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("not_a_file").count(), 2, "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("CloudTrail"));
}

#[cfg(unix)]
#[test]
fn a_policy_directory_with_bad_files_runs_the_good_ones_and_reports_every_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir,
        "a.gsl",
        b"# id: GOOD.1\n# title: good\nCloudTrail should have name\n",
    );
    write(
        &dir,
        "b.gsl",
        b"# id: BAD.1\n# titel: typo\nCloudTrail should have name\n",
    );
    write(
        &dir,
        "c.gsl",
        b"# id: BAD.2\n# title: \xff\nCloudTrail should have name\n",
    );
    write(
        &dir,
        "d.gsl",
        b"# id: GOOD.1\n# title: same id\nCloudTrail should have name\n",
    );
    mkfifo(&dir.path().join("e.gsl"));
    let l = dir.path().join("f.gsl");
    std::os::unix::fs::symlink(&l, &l).unwrap();
    let out = gsl().arg("check").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(stdout.contains("GOOD.1"), "the good policy ran: {stdout}");
    for needle in [
        "gsl::policy::unknown_key",
        "line 2, column 10",
        "gsl::policy::duplicate_id",
        "gsl::policy::not_a_file",
        "gsl::policy::symlink_loop",
        "5 policy file(s) could not be loaded",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    assert_eq!(err.matches("symbolic link loop").count(), 1, "{err}");

    // Every report format lists the broken files as policies with status `error`.
    let out = gsl()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = doc["results"].as_array().unwrap();
    let broken: Vec<&serde_json::Value> =
        results.iter().filter(|r| r["status"] == "error").collect();
    assert_eq!(broken.len(), 5, "{doc:#}");
    assert_eq!(doc["summary"]["errors"], 5);
    for (file, code) in [
        ("b.gsl", "gsl::policy::unknown_key"),
        ("d.gsl", "gsl::policy::duplicate_id"),
        ("e.gsl", "gsl::policy::not_a_file"),
        ("f.gsl", "gsl::policy::symlink_loop"),
    ] {
        let r = broken
            .iter()
            .find(|r| r["origin"].as_str().unwrap().ends_with(file))
            .unwrap_or_else(|| panic!("{file} not reported: {doc:#}"));
        assert_eq!(r["diagnostics"][0]["code"], code, "{r:#}");
    }
    assert!(results
        .iter()
        .any(|r| r["id"] == "GOOD.1" && r["status"] != "error"));
}

#[test]
fn a_bom_prefixed_snapshot_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = b"\xEF\xBB\xBF".to_vec();
    text.extend_from_slice(gsl::entity::SAMPLE_SNAPSHOT.as_bytes());
    let snap = write(&dir, "bom.json", &text);
    gsl()
        .args(["eval", "CloudTrail should have name", "--snapshot"])
        .arg(&snap)
        .assert()
        .code(predicates::ord::lt(2));
}

#[test]
fn one_invalid_utf8_line_is_reported_by_number_and_the_rest_still_runs() {
    let dir = tempfile::tempdir().unwrap();
    let events = write(&dir, "ev.txt", b"ERROR one\nbad \xff line\nERROR three\n");
    let out = gsl()
        .args(["pattern", "test", "ERROR", "--events"])
        .arg(&events)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("ev.txt:2:"), "{err}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc.to_string().contains("ERROR three"), "{doc}");
    let out = gsl()
        .arg("repl")
        .write_stdin(&b":types\n\xff\xfe\n:entities\n"[..])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("input line 2 is not UTF-8"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("CloudTrail"));
}

#[test]
fn an_apostrophe_in_a_comment_does_not_swallow_the_script() {
    let out = gsl()
        .arg("repl")
        .write_stdin("# don't [ stop here\nCloudTrail should have name = 'nope'\n")
        .output()
        .unwrap();
    // The rule ran (and failed): the comment did not open a quote.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("2 failed"), "{stdout}");
}

#[test]
fn a_number_that_underflows_is_an_error_not_zero() {
    let out = gsl()
        .args(["eval", "CloudTrail should have name = 1e-999999"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("gsl::parse::number_underflow"), "{err}");
    gsl()
        .args(["parse", "CloudTrail should have x = 0e-5 and y = 0.000"])
        .assert()
        .success();
}

/// Recognisable fake credentials: none may appear in any output.
const FAKE_KEY: &str = "AKIAFAKEKEY7EXAMPLE1";
const FAKE_SECRET: &str = "fakeSecret/K7MDENG/bPxRfiCYEXAMPLEKEY0001";
const FAKE_TOKEN: &str = "FakeSessionToken//////////wEaCXVzLWVhc3QtMSJH0002";

fn with_fake_credentials(cmd: &mut Command) -> &mut Command {
    cmd.env("AWS_ACCESS_KEY_ID", FAKE_KEY)
        .env("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
        .env("AWS_SESSION_TOKEN", FAKE_TOKEN)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
}

fn assert_no_secrets(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for secret in [
        FAKE_KEY,
        FAKE_SECRET,
        FAKE_TOKEN,
        "FakeSessionToken",
        "fakeSecret",
    ] {
        assert!(!text.contains(secret), "{what} shows {secret}:\n{text}");
    }
}

#[test]
fn no_credentials_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let bad_snap = write(&dir, "bad.json", b"{\"schemaVersion\": 1, \"x\": 1}");
    let mut runs: Vec<(Vec<String>, &str)> = vec![
        (vec!["check".into()], ""),
        (vec!["check".into(), "-f".into(), "json".into()], ""),
        (
            vec!["eval".into(), "CloudTrail should have name".into()],
            "",
        ),
        (vec!["eval".into(), "CloudTrail should have (".into()], ""),
        (
            vec![
                "check".into(),
                "--snapshot".into(),
                bad_snap.display().to_string(),
            ],
            "",
        ),
        (
            vec!["repl".into()],
            ":entities\n:help\nCloudTrail should have name\n:load /nonexistent\n",
        ),
        (
            vec!["pattern".into(), "test".into(), "ERROR".into()],
            "ERROR x\n",
        ),
        (
            vec!["pattern".into(), "canon".into(), "{ $.a = ".into()],
            "",
        ),
        (vec!["policies".into()], ""),
    ];
    let saved = dir.path().join("saved.json");
    if cfg!(feature = "aws") {
        // A closed port: collection fails, and its errors must not show the keys.
        runs.push((
            vec![
                "collect".into(),
                "--endpoint-url".into(),
                "http://127.0.0.1:9".into(),
                "--region".into(),
                "us-east-1".into(),
                "--max-attempts".into(),
                "1".into(),
                "--timeout".into(),
                "5".into(),
                "--no-progress".into(),
                "-o".into(),
                saved.display().to_string(),
            ],
            "",
        ));
    }
    for (args, stdin) in &runs {
        let out = with_fake_credentials(&mut gsl())
            .args(args)
            .write_stdin(*stdin)
            .output()
            .unwrap();
        assert_no_secrets(&format!("{args:?} stdout"), &out.stdout);
        assert_no_secrets(&format!("{args:?} stderr"), &out.stderr);
    }
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let p = entry.unwrap().path();
        assert_no_secrets(&p.display().to_string(), &std::fs::read(&p).unwrap());
    }
}

/// `n` tests `a<i> = <i>` joined by `join`.
fn flat_chain(join: &str, n: usize) -> String {
    (0..n)
        .map(|i| format!("a{i} = {i}"))
        .collect::<Vec<_>>()
        .join(join)
}

#[test]
fn flat_chains_of_thousands_of_ors_and_ands_are_accepted_and_evaluated() {
    use gsl::lang::ast::SameShape;
    use gsl::lang::eval::{check_rule, evaluate_value, EvalOptions, Outcome};
    use gsl::lang::parser::parse_rule;
    use gsl::lang::printer::print_rule;
    for n in [1_001, 5_000] {
        // Only a777 matches: the `or` chain holds, the `and` chain does not.
        let entity = serde_json::json!({ "a777": 777 });
        for (join, want) in [(" or ", Outcome::Passed), (" and ", Outcome::Failed)] {
            let src = format!("X should have {}", flat_chain(join, n));
            let rule = parse_rule(&src).unwrap_or_else(|e| panic!("{n}{join}: {e:?}"));
            let printed = print_rule(&rule);
            let again = parse_rule(&printed).expect("the printed chain parses");
            assert!(again.same_shape(&rule), "{n}{join}: round trip");
            assert_eq!(print_rule(&again), printed, "printing is idempotent");
            let checked = check_rule(&rule).expect("checks");
            let (outcome, _) = evaluate_value(&checked, &entity, &EvalOptions::default());
            assert_eq!(outcome, want, "{n}{join}");
        }
    }
    // Mixed: `and` binds tighter than `or` in a long flat text too.
    let src = format!(
        "X should have {} or b = 1 and c = 2",
        flat_chain(" or ", 2_000)
    );
    let checked = check_rule(&parse_rule(&src).expect("parses")).expect("checks");
    let pass = serde_json::json!({ "b": 1, "c": 2 });
    let fail = serde_json::json!({ "b": 1 });
    let opts = EvalOptions::default();
    assert_eq!(evaluate_value(&checked, &pass, &opts).0, Outcome::Passed);
    assert_eq!(evaluate_value(&checked, &fail, &opts).0, Outcome::Failed);
}

#[test]
fn a_flat_chain_of_1001_ors_runs_end_to_end() {
    let rule = format!(
        "CloudTrail should have {} or isMultiRegionTrail = true",
        (0..1_001)
            .map(|i| format!("name = 'nope{i}'"))
            .collect::<Vec<_>>()
            .join(" or ")
    );
    let out = gsl().args(["eval", &rule]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("too_deep"), "{err}");
    assert_ne!(out.status.code(), Some(2), "{err}");
    assert_ne!(out.status.code(), Some(101), "{err}");
}

#[test]
fn the_real_nesting_limits_still_give_clear_errors() {
    use gsl::lang::parser::parse_rule;
    let codes = |src: &str| {
        parse_rule(src)
            .map(|_| Vec::new())
            .unwrap_or_else(|e| e.codes())
    };
    let parens = format!("X should have {}a{}", "(".repeat(65), ")".repeat(65));
    assert_eq!(codes(&parens), ["gsl::parse::too_deep"]);
    let nots = format!("X should have {}a", "not ".repeat(1_001));
    assert_eq!(codes(&nots), ["gsl::parse::too_deep"]);
    let withs = format!("X should have {}b{}", "a with [".repeat(65), "]".repeat(65));
    assert_eq!(codes(&withs), ["gsl::parse::too_deep"]);
    // At the limits they parse.
    let nots = format!("X should have {}a", "not ".repeat(1_000));
    assert!(parse_rule(&nots).is_ok());
    // A chain past the connective limit is refused as too many conditions, not as
    // too deep.
    let huge = format!("X should have a{}", " or a".repeat(100_001));
    assert_eq!(codes(&huge), ["gsl::parse::too_many_conditions"]);
}

/// Inputs the fuzz targets found slow (`fuzz/artifacts/`, copied to
/// `tests/data/pattern/fuzz/`), kept as regression cases: no panic, no hang, no wrong
/// answer.
#[test]
fn fuzz_found_pattern_pairs_decide() {
    use gsl::pattern::FilterPattern;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pattern/fuzz");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let (a, b) = text.split_once('\n').unwrap();
        let (pa, pb) = (
            FilterPattern::parse(a).unwrap(),
            FilterPattern::parse(b).unwrap(),
        );
        // Two term patterns with different terms: never equal, each equal to itself, and
        // the second does not cover the first (an event with the first's terms only), or
        // the decision's budget runs out first, and then the answer is `unknown` with
        // that reason, never a wrong "covers". The budget counts work, not time: the
        // answer is the same every time, in a debug build as in a release build.
        assert!(!pa.equivalent(&pb).is_equal());
        assert!(pa.equivalent(&pa).is_equal());
        let c = pb.covers(&pa);
        match &c {
            gsl::pattern::Coverage::NotCovered { .. } => {}
            gsl::pattern::Coverage::Unknown { reason } => {
                assert!(reason.contains("needs more than"), "{reason}")
            }
            gsl::pattern::Coverage::Covered => panic!("{c:?}"),
        }
        assert_eq!(format!("{c:?}"), format!("{:?}", pb.covers(&pa)));
        n += 1;
    }
    assert!(n > 0);
}
