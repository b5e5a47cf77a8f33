//! The examples of `docs/repl.md` are a test: every ```repl block is replayed in a
//! fresh session over the built-in sample account, and the output must match.

use gsl::cli::repl::Session;
use gsl::entity::{load::parse_snapshot, SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME};

/// (input, expected output) pairs of one block.
fn exchanges(block: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        if let Some(input) = line.strip_prefix("gsl> ") {
            out.push((input.to_string(), String::new()));
        } else if let Some(more) = line.strip_prefix("...> ") {
            let last = out.last_mut().expect("continuation after an input");
            last.0.push('\n');
            last.0.push_str(more);
        } else {
            let last = out.last_mut().expect("output after an input");
            last.1.push_str(line);
            last.1.push('\n');
        }
    }
    out
}

fn normalize(s: &str) -> String {
    s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
}

#[test]
fn docs_examples_match() {
    let doc = std::fs::read_to_string("docs/repl.md").unwrap();
    let mut blocks = Vec::new();
    let mut rest = doc.as_str();
    while let Some(i) = rest.find("```repl\n") {
        let body = &rest[i + "```repl\n".len()..];
        let end = body.find("```").expect("closed block");
        blocks.push(&body[..end]);
        rest = &body[end + 3..];
    }
    assert!(blocks.len() >= 8, "found {} blocks", blocks.len());
    let mut checked = 0;
    for block in blocks {
        let snapshot = parse_snapshot(SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME).unwrap();
        let mut s = Session::new(snapshot, SAMPLE_SNAPSHOT_NAME);
        for (input, expected) in exchanges(block) {
            let mut out = Vec::new();
            let mut err = Vec::new();
            s.handle_line(&input, &mut out, &mut err);
            let got = String::from_utf8(out).unwrap() + &String::from_utf8(err).unwrap();
            assert_eq!(
                normalize(&got),
                normalize(&expected),
                "docs/repl.md: `{input}`"
            );
            checked += 1;
        }
    }
    assert!(checked >= 18, "only {checked} examples");
}
