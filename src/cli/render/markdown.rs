//! `--format markdown`: a summary for pull-request comments: the sample banner, the
//! counts, a table of the policies that need attention (failed, unknown, error,
//! waived) with their failing objects, and the passing ones folded in `<details>`.

use super::{entity_label, is_finding, Report, SAMPLE_BANNER};
use gsl::report::{PolicyReport, RuleStatus};
use std::fmt::Write as _;

/// The Markdown reporter.
pub struct Markdown;

/// Table-cell text: one line, `|` and hidden characters escaped.
fn cell(s: &str) -> String {
    gsl::text::escape_hidden(&s.replace('\r', "").replace('\n', " ")).replace('|', "\\|")
}

fn icon(s: RuleStatus) -> &'static str {
    match s {
        RuleStatus::Passed => "✅ pass",
        RuleStatus::Failed => "❌ fail",
        RuleStatus::Unknown => "❔ unknown",
        RuleStatus::Error => "⛔ error",
        RuleStatus::NotApplicable => "➖ n/a",
        RuleStatus::Waived => "💤 waived",
        RuleStatus::Manual => "📝 manual",
    }
}

fn row(out: &mut String, p: &PolicyReport) {
    let findings: Vec<String> = p
        .entities
        .iter()
        .filter(|e| is_finding(e.outcome))
        .map(|e| {
            let mut s = format!("`{}`", cell(&entity_label(e)));
            if p.waiver_of(&e.id).is_some() {
                s.push_str(" (waived)");
            }
            s
        })
        .collect();
    let detail = match &p.error {
        Some(err) => cell(err),
        None => findings
            .into_iter()
            .chain(super::notes(p).iter().map(|n| format!("⚠ {}", cell(n))))
            .collect::<Vec<_>>()
            .join("<br>"),
    };
    let _ = writeln!(
        out,
        "| {} | {} | `{}` | {} | {} |",
        icon(p.status),
        p.meta.severity.as_str(),
        cell(&p.meta.id),
        cell(&p.meta.title),
        detail
    );
}

impl super::Reporter for Markdown {
    fn render(&self, report: &Report<'_>) -> String {
        let run = report.run;
        let s = &run.summary;
        let info = &run.snapshot;
        let mut out = String::from("## gsl check\n\n");
        if info.sample {
            let _ = writeln!(out, "> [!WARNING]\n> {SAMPLE_BANNER}\n");
        }
        let _ = writeln!(
            out,
            "**{}** policies over `{}` (accounts: {}): **{} failed**, {} unknown, {} errors, {} passed, {} not applicable, {} waived{}\n",
            s.rules,
            cell(&info.name),
            if info.accounts.is_empty() { "none".to_string() } else { cell(&info.accounts.join(", ")) },
            s.failed,
            s.unknown,
            s.errors,
            s.passed,
            s.not_applicable,
            s.waived,
            if s.manual > 0 { format!(", {} manual", s.manual) } else { String::new() }
        );
        let header =
            "| Status | Severity | Policy | Title | Objects |\n| --- | --- | --- | --- | --- |\n";
        let attention = |p: &&PolicyReport| {
            matches!(
                p.status,
                RuleStatus::Failed | RuleStatus::Unknown | RuleStatus::Error | RuleStatus::Waived
            )
        };
        let mut needs: Vec<&PolicyReport> = run.policies.iter().filter(attention).collect();
        needs.sort_by_key(|p| std::cmp::Reverse(p.meta.severity));
        if needs.is_empty() {
            out.push_str("Every policy passed or does not apply.\n");
        } else {
            out.push_str(header);
            for p in needs {
                row(&mut out, p);
            }
        }
        let rest: Vec<&PolicyReport> = run.policies.iter().filter(|p| !attention(p)).collect();
        if !rest.is_empty() {
            let _ = writeln!(
                out,
                "\n<details><summary>{} passed or not applicable</summary>\n",
                rest.len()
            );
            out.push_str(header);
            for p in rest {
                row(&mut out, p);
            }
            out.push_str("\n</details>\n");
        }
        out
    }
}
