//! The examples of `docs/repl.md` are a test: every ```repl block is replayed in a
//! fresh session over the built-in sample account, and the output must match.
//!
//! When the output changes on purpose (a new evaluator message, a new sample
//! account), regenerate the examples with `UPDATE_REPL_DOCS=1 cargo test --test
//! repl_docs` and review the diff of `docs/repl.md`.

use crate::cli::repl::Session;
use gsl::entity::{load::parse_snapshot, SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME};

const DOC: &str = "docs/repl.md";

/// The inputs of one block (continuation lines joined with newlines).
fn inputs(block: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in block.lines() {
        if let Some(input) = line.strip_prefix("gsl> ") {
            out.push(input.to_string());
        } else if let Some(more) = line.strip_prefix("...> ") {
            let last = out.last_mut().expect("continuation after an input");
            last.push('\n');
            last.push_str(more);
        }
    }
    out
}

/// Replay one block's inputs; the transcript in the block's format.
fn replay(block: &str) -> String {
    let snapshot = parse_snapshot(SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME).unwrap();
    let mut s = Session::new(snapshot, SAMPLE_SNAPSHOT_NAME);
    let mut transcript = String::new();
    for input in inputs(block) {
        for (i, line) in input.lines().enumerate() {
            transcript.push_str(if i == 0 { "gsl> " } else { "...> " });
            transcript.push_str(line);
            transcript.push('\n');
        }
        let mut out = Vec::new();
        let mut err = Vec::new();
        s.handle_line(&input, &mut out, &mut err);
        let got = String::from_utf8(out).unwrap() + &String::from_utf8(err).unwrap();
        for line in got.lines() {
            transcript.push_str(line.trim_end());
            transcript.push('\n');
        }
    }
    transcript
}

fn normalize(s: &str) -> String {
    s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
}

#[test]
fn docs_examples_match() {
    let doc = std::fs::read_to_string(DOC).unwrap();
    let mut updated = String::new();
    let mut rest = doc.as_str();
    let mut blocks = 0;
    let mut mismatches = Vec::new();
    while let Some(i) = rest.find("```repl\n") {
        let open = i + "```repl\n".len();
        let end = rest[open..].find("```").expect("closed block") + open;
        let block = &rest[open..end];
        let got = replay(block);
        if normalize(&got) != normalize(block) {
            mismatches.push(format!("--- docs/repl.md\n{block}+++ actual\n{got}"));
        }
        updated.push_str(&rest[..open]);
        updated.push_str(&got);
        rest = &rest[end..];
        blocks += 1;
    }
    updated.push_str(rest);
    assert!(blocks >= 8, "found {blocks} blocks");
    if std::env::var_os("UPDATE_REPL_DOCS").is_some() {
        std::fs::write(DOC, updated).unwrap();
        return;
    }
    assert!(
        mismatches.is_empty(),
        "{} examples differ (UPDATE_REPL_DOCS=1 regenerates them):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn every_example_has_an_input() {
    let doc = std::fs::read_to_string(DOC).unwrap();
    let n: usize = doc
        .split("```repl\n")
        .skip(1)
        .map(|b| inputs(b.split("```").next().unwrap_or("")).len())
        .sum();
    assert!(n >= 18, "only {n} examples");
}
