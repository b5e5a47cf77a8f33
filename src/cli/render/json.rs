//! `--format json`: the library's versioned document (docs/report.schema.json).

/// The JSON reporter.
pub struct Json;

impl super::Reporter for Json {
    fn render(&self, report: &super::Report<'_>) -> String {
        report.run.document().against(report.baseline).to_json()
    }

    fn write(
        &self,
        report: &super::Report<'_>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        report
            .run
            .document()
            .against(report.baseline)
            .write_json(out)
    }
}
