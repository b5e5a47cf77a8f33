//! The library facade alone (no command line): a pack run through `gsl::check` gives
//! the verdicts the binary prints.

use gsl::entity::graph::EntityGraph;
use gsl::entity::load::parse_snapshot;
use gsl::entity::{SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME};
use gsl::report::RuleStatus;

#[test]
fn the_cis_pack_runs_through_the_facade() {
    let snapshot = parse_snapshot(SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME).unwrap();
    let opts = gsl::run::eval_options(&snapshot, None);
    let graph = EntityGraph::named(snapshot, SAMPLE_SNAPSHOT_NAME);
    let cis: Vec<_> = gsl::policy::builtin_policies()
        .unwrap()
        .into_iter()
        .filter(|p| p.meta.id.starts_with("CIS-AWS-"))
        .collect();
    assert_eq!(cis.len(), 15);
    let run = gsl::check(&cis, &graph, &opts);
    assert!(run.diagnostics.is_empty());
    assert_eq!(run.summary.rules, 15);
    assert_eq!(run.summary.errors, 0);
    assert!(run.snapshot.sample);
    let status = |id: &str| {
        run.policies
            .iter()
            .find(|p| p.meta.id == id)
            .map(|p| p.status)
            .unwrap()
    };
    assert_eq!(status("CIS-AWS-4.1"), RuleStatus::Passed);
    assert_eq!(status("CIS-AWS-4.3"), RuleStatus::Failed);
    assert_eq!(status("CIS-AWS-4.6"), RuleStatus::Failed);

    // The same verdicts as `gsl check --format json` on the same policies.
    let out = assert_cmd::Command::cargo_bin("gsl")
        .unwrap()
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for p in &run.policies {
        let printed = doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == p.meta.id.as_str())
            .unwrap();
        assert_eq!(printed["status"], serde_json::to_value(p.status).unwrap());
        assert_eq!(
            printed["entities"],
            serde_json::to_value(&p.entities).unwrap()
        );
    }
}

#[test]
fn a_broken_policy_is_an_error_with_codes_and_the_rest_still_run() {
    let snapshot = parse_snapshot(SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME).unwrap();
    let graph = EntityGraph::new(snapshot);
    let good = gsl::policy::parse_policy(
        "# id: OK-1\n# title: trails log\nCloudTrail should have status.isLogging=true\n",
        "ok.gsl",
    )
    .unwrap();
    let bad = gsl::policy::parse_policy(
        "# id: BAD-1\n# title: typo\nCloudTrail should have name lenght() > 0\n",
        "bad.gsl",
    )
    .unwrap();
    let run = gsl::check(&[bad, good], &graph, &gsl::EvalOptions::default());
    assert_eq!(run.policies[0].status, RuleStatus::Error);
    assert_eq!(
        run.policies[0].diagnostics[0].code,
        "gsl::eval::unknown_function"
    );
    assert_eq!(run.diagnostics.len(), 1);
    assert_ne!(run.policies[1].status, RuleStatus::Error);
    assert_eq!(run.summary.errors, 1);
}
