//! Rendered diagnostics for invalid patterns, as the CLI prints them (insta
//! snapshots of `tests/data/pattern/diagnostics/*.txt`).

use gsl::pattern::FilterPattern;

fn render(e: &gsl::pattern::PatternError) -> String {
    let mut s = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(80)
        .render_report(&mut s, e)
        .expect("render");
    s
}

#[test]
fn rendered_diagnostics() {
    insta::glob!("../data/pattern/diagnostics", "*.txt", |path| {
        let text = std::fs::read_to_string(path).expect("input");
        let err = FilterPattern::parse(&text).expect_err("the inputs are invalid patterns");
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        // The file name names the diagnostic code it must produce.
        let code = err.code_str().trim_start_matches("gsl::pattern::");
        assert!(name.starts_with(code), "{name}: got {code}");
        insta::assert_snapshot!(render(&err));
    });
}

#[test]
fn spans_point_at_the_offending_text() {
    let cases = [
        ("{ $.a = 'x' }", "'x'"),
        ("{ $.a EXISTS }", "EXISTS"),
        ("{ $.a IS NOT NULL }", "IS NOT NULL"),
        ("{ $.a is null }", "is"),
        ("{ $.a == 1 }", "=="),
        ("[a = 1 && b = 2]", "b"),
        ("{ $.a = %x(y% }", "("),
        ("{ ($.a = 1 }", "("),
        ("[a, b", "["),
    ];
    for (pattern, blamed) in cases {
        let e = FilterPattern::parse(pattern).expect_err(pattern);
        assert_eq!(
            e.span().slice(pattern),
            blamed,
            "{pattern}: {}",
            e.code_str()
        );
    }
}

/// A pattern is parsed without pest's error detail, and parsed again with it only when
/// it fails (the detail is what lists the expected tokens). The switch is process-wide:
/// the words of an error must not depend on what other threads parse meanwhile.
#[test]
fn an_error_lists_the_same_expected_tokens_while_other_threads_parse() {
    let bad = [
        "{ $.a = 1 && }",
        "{ $.eventName = ConsoleLogin || }",
        "[a, b = ]",
        "{ $.a = 1 ) }",
    ];
    let alone: Vec<String> = bad
        .iter()
        .map(|p| render(&FilterPattern::parse(p).expect_err(p)))
        .collect();
    assert!(
        alone.iter().any(|r| r.contains("expected")),
        "the errors list what was expected: {alone:?}"
    );
    std::thread::scope(|s| {
        for t in 0..4 {
            let alone = &alone;
            s.spawn(move || {
                for round in 0..50 {
                    // Valid patterns in between, parsed without the detail.
                    let good = format!("{{ $.eventName = Event{t}x{round} }}");
                    assert!(FilterPattern::parse(&good).is_ok());
                    for (p, want) in bad.iter().zip(alone) {
                        let got = render(&FilterPattern::parse(p).expect_err(p));
                        assert_eq!(&got, want, "{p}");
                    }
                }
            });
        }
    });
}
