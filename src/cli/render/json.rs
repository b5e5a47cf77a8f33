//! `--format json`: the library's versioned document (docs/report.schema.json).

/// The JSON reporter.
pub struct Json;

impl super::Reporter for Json {
    fn render(&self, report: &super::Report<'_>) -> String {
        report.run.document().against(report.baseline).to_json()
    }
}
