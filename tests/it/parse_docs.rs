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
    let doc = include_str!("../../docs/syntax.md");
    let valid: Vec<String> = include_str!("../data/gsl/corpus_valid.txt")
        .lines()
        .map(|l| l.split("  #").next().unwrap_or(l).to_string())
        .chain(
            include_str!("../data/gsl/shapes.txt")
                .lines()
                .filter_map(|l| l.split_once(" ==> ").map(|(i, _)| i.to_string())),
        )
        .collect();
    let malformed = include_str!("../data/gsl/corpus_malformed.yaml");

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
    // Every code in the diagnostics table exists, and its example (when it has one)
    // produces it.
    let mut examples = 0;
    for row in doc.lines().filter(|l| l.starts_with("| `gsl::parse::")) {
        let cells: Vec<&str> = row.split(" | ").collect();
        let code = cells[0].trim_start_matches("| ").trim_matches('`');
        assert!(
            include_str!("../../src/lang/error.rs").contains(&format!("code({code})")),
            "{code} is not a diagnostic code"
        );
        let example = cells.get(2).map_or("", |c| c.trim_end_matches(" |").trim());
        if let Some(ex) = example.strip_prefix('`').and_then(|e| e.strip_suffix('`')) {
            examples += 1;
            let codes = parse_rule(ex).err().map(|e| e.codes()).unwrap_or_default();
            assert!(
                codes.iter().any(|c| c == code),
                "{ex}: {codes:?}, expected {code}"
            );
            let quoted = format!("rule: {:?}", ex);
            assert!(
                malformed.contains(&quoted),
                "not in corpus_malformed.yaml: {ex}"
            );
        }
    }
    assert!(examples >= 15, "{examples}");
}
