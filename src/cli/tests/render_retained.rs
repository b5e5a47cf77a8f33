//! A run holds what its formats render (issue 25, item 13): the formats that do not
//! show why an object passed render byte for byte the same when the run drops those
//! explanations, and the run does drop them.

use crate::cli::render::{Report, ReportFormat, TextOptions};
use gsl::entity::graph::EntityGraph;
use gsl::entity::load::parse_snapshot;
use gsl::entity::{SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME};
use gsl::lang::eval::Outcome;

fn run(explain_passed: bool) -> gsl::CheckRun {
    let snapshot = parse_snapshot(SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME).unwrap();
    let mut opts = gsl::run::eval_options(&snapshot, None);
    opts.explain_passed = explain_passed;
    let graph = EntityGraph::named(snapshot, SAMPLE_SNAPSHOT_NAME);
    let policies = gsl::policy::builtin_policies().unwrap();
    gsl::check(&policies, &graph, &opts)
}

/// What `gsl check` writes in `format` (the way it writes it: streamed where the
/// format streams).
fn render(run: &gsl::CheckRun, format: ReportFormat, verbose: bool) -> String {
    let mut out = Vec::new();
    let report = Report {
        run,
        opts: TextOptions {
            verbose,
            color: false,
            quiet: false,
        },
        statuses: Vec::new(),
        hint: None,
        baseline: None,
        fixes: None,
        history: &[],
    };
    format.write(&report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn formats_that_do_not_show_passing_explanations_render_the_same_without_them() {
    let (full, lean) = (run(true), run(false));
    let passed = |r: &gsl::CheckRun| {
        r.policies
            .iter()
            .flat_map(|p| &p.entities)
            .filter(|e| matches!(e.outcome, Outcome::Passed | Outcome::NotRelevant))
            .map(|e| e.explanation.evidence.len())
            .sum::<usize>()
    };
    assert!(
        passed(&full) > 0,
        "the sample has passing objects explained"
    );
    assert_eq!(
        passed(&lean),
        0,
        "the lean run keeps no passing explanation"
    );
    for format in [
        ReportFormat::Text,
        ReportFormat::Json,
        ReportFormat::Sarif,
        ReportFormat::Junit,
        ReportFormat::Csv,
        ReportFormat::Ocsf,
        ReportFormat::Markdown,
        ReportFormat::Html,
    ] {
        for verbose in [false, true] {
            if format.explains_passed(verbose) {
                continue;
            }
            assert_eq!(
                render(&full, format, verbose),
                render(&lean, format, verbose),
                "{format:?} (verbose: {verbose}) shows an explanation the lean run dropped"
            );
        }
    }
    // And one that shows them does differ, so the comparison can fail.
    assert_ne!(
        render(&full, ReportFormat::Json, false),
        render(&lean, ReportFormat::Json, false)
    );
}

#[test]
fn evidence_shares_the_rule_text_across_objects() {
    let full = run(true);
    let shared = full.policies.iter().any(|p| {
        let texts: Vec<&std::sync::Arc<str>> = p
            .entities
            .iter()
            .flat_map(|e| e.explanation.evidence.first())
            .map(|ev| &ev.expr)
            .collect();
        texts
            .windows(2)
            .any(|w| w[0] == w[1] && std::sync::Arc::ptr_eq(w[0], w[1]))
    });
    assert!(shared, "two objects' evidence of one term share its text");
}
