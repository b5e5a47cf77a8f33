//! The examples in `docs/syntax.md` are tested data.

use gsl::lang::parser::parse_rule;

/// Lines of the fenced blocks with the given info string.
fn blocks<'a>(doc: &'a str, info: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in doc.lines() {
        if let Some(rest) = line.strip_prefix("```") {
            inside = !inside && rest == info;
            continue;
        }
        if inside && !line.trim().is_empty() {
            out.push(line);
        }
    }
    out
}

#[test]
fn doc_examples_are_in_data_files_and_behave() {
    let doc = include_str!("../docs/syntax.md");
    let valid: Vec<String> = include_str!("data/gsl/corpus_valid.txt")
        .lines()
        .map(|l| l.split("  #").next().unwrap_or(l).to_string())
        .chain(
            include_str!("data/gsl/shapes.txt")
                .lines()
                .filter_map(|l| l.split_once(" ==> ").map(|(i, _)| i.to_string())),
        )
        .collect();
    let malformed = include_str!("data/gsl/corpus_malformed.yaml");

    let good = blocks(doc, "gsl");
    assert!(good.len() >= 25, "{}", good.len());
    for ex in good {
        assert!(valid.iter().any(|v| v == ex), "not in a data file: {ex}");
        assert!(parse_rule(ex).is_ok(), "does not parse: {ex}");
    }
    let bad = blocks(doc, "gsl-invalid");
    assert!(bad.len() >= 5);
    for ex in bad {
        let quoted = format!("rule: {:?}", ex);
        assert!(
            malformed.contains(&quoted),
            "not in corpus_malformed.yaml: {ex}"
        );
        assert!(parse_rule(ex).is_err(), "parses: {ex}");
    }
    // Every code in the table is one the parser can produce (the table lists each once).
    for code in doc
        .lines()
        .filter_map(|l| l.strip_prefix("| `gsl::parse::"))
        .filter_map(|l| l.split('`').next())
    {
        let full = format!("gsl::parse::{code}");
        assert!(
            include_str!("../src/lang/error.rs").contains(&format!("code({full})")),
            "{full} is not a diagnostic code"
        );
    }
}
