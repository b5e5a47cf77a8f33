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
