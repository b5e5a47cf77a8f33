//! Rendered parse diagnostics, one snapshot per file in `tests/data/gsl/errors/`.

use gsl::lang::parser::parse_rule_named;
use miette::{GraphicalReportHandler, GraphicalTheme};

fn render(err: &gsl::lang::error::ParseErrors) -> String {
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(80)
        .render_report(&mut out, err)
        .expect("rendering to a String cannot fail");
    out
}

#[test]
fn parse_error_snapshots() {
    insta::glob!("../data/gsl/errors", "*.gsl", |path| {
        let src = std::fs::read_to_string(path).expect("readable test input");
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let err = match parse_rule_named(&src, &name) {
            Ok(rule) => panic!("{name} parsed: {rule:?}"),
            Err(e) => e,
        };
        insta::assert_snapshot!(render(&err));
    });
}
