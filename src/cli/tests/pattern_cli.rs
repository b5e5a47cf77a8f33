//! `gsl pattern ...` through `crate::cli::pattern::run` with in-memory I/O, and the
//! CLI examples of `docs/filter-patterns.md` (each one is run and checked here).

use crate::cli::pattern::{run, PatternCmd};
use clap::Parser;

#[derive(Parser)]
#[command(name = "gsl-pattern")]
struct Cli {
    #[command(subcommand)]
    cmd: PatternCmd,
}

fn gsl(args: &[&str], stdin: &str) -> (u8, String, String) {
    let mut argv = vec!["gsl-pattern"];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).expect("arguments parse");
    let mut input = std::io::Cursor::new(stdin.as_bytes().to_vec());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(&cli.cmd, &mut input, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).expect("utf8"),
        String::from_utf8(err).expect("utf8"),
    )
}

#[test]
fn canon_prints_the_canonical_form() {
    let (code, out, err) = gsl(
        &[
            "canon",
            r#"{($.eventName=ConsoleLogin)&&($.additionalEventData.MFAUsed!="Yes")}"#,
        ],
        "",
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "{ $.additionalEventData.MFAUsed != \"Yes\" && $.eventName = \"ConsoleLogin\" }\n"
    );
}

#[test]
fn canon_of_an_invalid_pattern_exits_2_with_a_diagnostic() {
    let (code, out, err) = gsl(&["canon", "{ $.a = 'x' }"], "");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("gsl::pattern::single_quote"), "{err}");
    assert!(err.contains("use double quotes"), "{err}");
}

#[test]
fn eq_exit_codes() {
    let (code, out, _) = gsl(
        &[
            "eq",
            "{ $.a = 1 || $.b = 2 }",
            "{ ($.b = 2) || ($.a = 1e0) }",
        ],
        "",
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("equal"));
    let (code, out, _) = gsl(
        &["eq", "{ $.a = 1 && $.b = 2 }", "{ $.a = 1 || $.b = 2 }"],
        "",
    );
    assert_eq!(code, 1);
    assert!(out.starts_with("different\n"), "{out}");
    assert!(
        out.contains("the second pattern matches this event, the first does not"),
        "{out}"
    );
    let (code, _, err) = gsl(&["eq", "{ $.a EXISTS }", "{ $.a = 1 }"], "");
    assert_eq!(code, 2);
    assert!(err.contains("gsl::pattern::unsupported_exists"), "{err}");
}

#[test]
fn test_reads_stdin_and_prints_test_metric_filter_json() {
    let events = "[ERROR] 400 BAD REQUEST\n[ERROR] 400 BAD REQUEST\n[INFO] 200 OK\n";
    let (code, out, err) = gsl(&["test", "ERROR"], events);
    assert_eq!((code, err.as_str()), (0, ""));
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        v,
        serde_json::json!({"matches": [
            {"eventNumber": 1, "eventMessage": "[ERROR] 400 BAD REQUEST", "extractedValues": {}},
            {"eventNumber": 2, "eventMessage": "[ERROR] 400 BAD REQUEST", "extractedValues": {}}
        ]})
    );
}

#[test]
fn test_reads_an_events_file_and_extracts_fields() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("events.log");
    std::fs::write(
        &path,
        "127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 1534\n\
         127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] \"GET /apache_pb.gif HTTP/1.0\" 500 5324\n",
    )
    .expect("write");
    let p = path.to_str().expect("utf8 path");
    let (code, out, _) = gsl(&["test", "[..., status_code=200, size]", "--events", p], "");
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["matches"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["matches"][0]["extractedValues"]["$status_code"], "200");
    assert_eq!(v["matches"][0]["extractedValues"]["$size"], "1534");
    assert_eq!(v["matches"][0]["extractedValues"]["$3"], "frank");
    let (code, _, err) = gsl(
        &["test", "ERROR", "--events", "/nonexistent/gsl/events"],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("cannot read events"));
}

#[test]
fn covers_exit_codes_and_counterexample() {
    let req = r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#;
    let sso = r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#;
    let (code, out, _) = gsl(&["covers", sso, req], "");
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = gsl(&["covers", req, sso], "");
    assert_eq!(code, 1, "{out}");
    let event = out.lines().nth(1).expect("counterexample line");
    let r = gsl::pattern::FilterPattern::parse(req).expect("req");
    let a = gsl::pattern::FilterPattern::parse(sso).expect("sso");
    assert!(r.matches(event) && !a.matches(event), "{event}");
    let (code, _, err) = gsl(&["covers", "[a, b", "x"], "");
    assert_eq!(code, 2);
    assert!(err.contains("gsl::pattern::unbalanced_bracket"), "{err}");
}

/// Split a console line into arguments: words and single-quoted strings (no escapes).
fn shell_words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_quote = false;
    let mut has = false;
    for c in line.chars() {
        match c {
            '\'' => {
                in_quote = !in_quote;
                has = true;
            }
            ' ' if !in_quote => {
                if has {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            _ => {
                cur.push(c);
                has = true;
            }
        }
    }
    if has {
        out.push(cur);
    }
    out
}

#[test]
fn documented_cli_examples_hold() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/filter-patterns.md"
    ))
    .expect("docs");
    let mut checked = 0;
    let mut in_block = false;
    let mut cmd: Option<(Vec<String>, String)> = None;
    let mut expected = String::new();
    let mut finish = |cmd: &mut Option<(Vec<String>, String)>, expected: &mut String| {
        if let Some((args, stdin)) = cmd.take() {
            let mut want_code = 0u8;
            let mut want = String::new();
            for l in expected.lines() {
                if let Some(c) = l.strip_prefix("[exit ").and_then(|r| r.strip_suffix(']')) {
                    want_code = c.parse().expect("exit code");
                } else {
                    want.push_str(l);
                    want.push('\n');
                }
            }
            let argv: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, out, err) = gsl(&argv, &stdin);
            assert_eq!(
                code,
                want_code,
                "exit code of `gsl pattern {}`\n{out}{err}",
                args.join(" ")
            );
            let norm = |s: &str| {
                let v: Vec<&str> = s.lines().map(str::trim_end).collect();
                v.join("\n").trim().to_string()
            };
            let got = if code == 2 { &err } else { &out };
            assert_eq!(
                norm(got),
                norm(&want),
                "output of `gsl pattern {}`",
                args.join(" ")
            );
            checked += 1;
        }
        expected.clear();
    };
    for line in doc.lines() {
        if line.starts_with("```console") {
            in_block = true;
            continue;
        }
        if in_block && line.starts_with("```") {
            finish(&mut cmd, &mut expected);
            in_block = false;
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(rest) = line.strip_prefix("$ ") {
            finish(&mut cmd, &mut expected);
            // `printf 'a\nb\n' | gsl pattern ...` feeds standard input.
            let (stdin, command) = match rest.split_once(" | ") {
                Some((feed, c)) => {
                    let words = shell_words(feed);
                    (
                        words
                            .get(1)
                            .cloned()
                            .unwrap_or_default()
                            .replace("\\n", "\n"),
                        c,
                    )
                }
                None => (String::new(), rest),
            };
            let words = shell_words(command);
            assert_eq!(
                words.get(..2),
                Some(&["gsl".to_string(), "pattern".to_string()][..]),
                "{line}"
            );
            cmd = Some((words[2..].to_vec(), stdin));
        } else {
            expected.push_str(line);
            expected.push('\n');
        }
    }
    assert!(checked >= 8, "only {checked} documented examples");
}
