//! `gsl fmt` and `gsl::format`: every shipped policy and every corpus rule formats to
//! text that parses to the same tree, keeps its comment lines, and formats to itself.

use assert_cmd::Command;
use gsl::format::format_source;
use gsl::lang::ast::SameShape;
use gsl::lang::parser::parse_rule;

fn comment_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('#') || l.starts_with("//"))
        .collect()
}

fn round_trips(name: &str, src: &str) {
    let before = parse_rule(src).unwrap_or_else(|e| panic!("{name}: {e}"));
    let formatted = format_source(src, name).unwrap();
    let after = parse_rule(&formatted)
        .unwrap_or_else(|e| panic!("{name}: formatted text does not parse: {e}\n{formatted}"));
    assert!(after.same_shape(&before), "{name}:\n{formatted}");
    assert_eq!(
        format_source(&formatted, name).unwrap(),
        formatted,
        "{name}: not idempotent"
    );
    // Whole-line comments stay, in order (trailing ones stay on their line).
    let kept = comment_lines(&formatted);
    let mut it = kept.iter();
    for c in comment_lines(src) {
        assert!(
            it.any(|k| *k == c),
            "{name}: comment {c:?} lost\n{formatted}"
        );
    }
}

#[test]
fn shipped_policies_and_the_corpus_round_trip() {
    let sources = gsl::policy::builtin_sources();
    assert!(sources.len() > 20);
    let mut manual = 0;
    for (name, src) in sources {
        let policy = gsl::policy::parse_policy(src, name).unwrap();
        if policy.meta.manual.is_some() {
            // A manual control is only comments: fmt leaves it as it is.
            assert_eq!(format_source(src, name).unwrap(), *src, "{name}");
            manual += 1;
            continue;
        }
        round_trips(name, src);
    }
    assert!(manual > 0, "the CIS packs have manual controls");
    let corpus = include_str!("../data/gsl/corpus_valid.txt");
    for (i, line) in corpus.lines().enumerate() {
        if !line.trim().is_empty() && !line.trim_start().starts_with('#') {
            round_trips(&format!("corpus line {}", i + 1), line);
        }
    }
}

#[test]
fn fmt_check_lists_changed_files_and_fmt_rewrites_them() {
    let dir = tempfile::tempdir().unwrap();
    let messy = dir.path().join("messy.gsl");
    let tidy = dir.path().join("tidy.gsl");
    std::fs::write(
        &messy,
        "# id: M-1\n# title: messy\nCloudTrail   should have\n isMultiRegionTrail=true\n",
    )
    .unwrap();
    std::fs::write(
        &tidy,
        "# id: T-1\n# title: tidy\nCloudTrail should have isMultiRegionTrail = true\n",
    )
    .unwrap();
    let gsl = || Command::cargo_bin("gsl").unwrap();
    let out = gsl()
        .args(["fmt", "--check"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{}\n", messy.display())
    );
    // --diff: what would change, as a unified diff; still nothing is written.
    let out = gsl()
        .args(["fmt", "--check", "--diff"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let name = messy.display();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!(
            "--- a/{name}\n+++ b/{name}\n@@ -1,4 +1,3 @@\n # id: M-1\n # title: messy\n-CloudTrail   should have\n- isMultiRegionTrail=true\n+CloudTrail should have isMultiRegionTrail = true\n"
        )
    );
    assert!(std::fs::read_to_string(&messy)
        .unwrap()
        .contains("CloudTrail   should have"));
    // --diff alone is a usage error: it only says what --check would change.
    let out = gsl().args(["fmt", "--diff"]).arg(&messy).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = gsl().arg("fmt").arg(&messy).arg(&tidy).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        "# id: M-1\n# title: messy\nCloudTrail should have isMultiRegionTrail = true\n"
    );
    let out = gsl()
        .args(["fmt", "--check"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    // A file that does not parse is reported and left alone.
    std::fs::write(&messy, "CloudTrail shuold have x\n").unwrap();
    let out = gsl().arg("fmt").arg(&messy).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("gsl::parse::keyword_typo"));
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        "CloudTrail shuold have x\n"
    );
}

#[test]
fn parameters_keep_their_names_through_fmt() {
    let src = "# id: X\n# title: t\n# severity: low\nSecurityGroup should not have inboundRules contain [ scope='0.0.0.0/0' and port in($CloudGuard_Known_UDP_Ports) # the ports\n and protocol in('UDP','ALL') and r allowedHostsForPort($P)>$Max and ports contain [$Admin]]\n";
    round_trips("params.gsl", src);
    let formatted = format_source(src, "params.gsl").unwrap();
    assert_eq!(
        formatted,
        "# id: X\n# title: t\n# severity: low\nSecurityGroup should not have inboundRules contain [\n  scope = '0.0.0.0/0'\n  and port in ($CloudGuard_Known_UDP_Ports)  # the ports\n  and protocol in ('UDP', 'ALL')\n  and r allowedHostsForPort($P) > $Max\n  and ports contain [$ in ($Admin)]\n]\n"
    );
}
