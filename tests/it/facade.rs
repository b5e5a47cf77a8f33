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
    // The latest version: every control of CIS v5.0.0, a rule or a manual entry each.
    assert_eq!(cis.len(), 63);
    let run = gsl::check(&cis, &graph, &opts);
    assert!(run.diagnostics.is_empty());
    assert_eq!(run.summary.rules, 63);
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
    assert_eq!(status("CIS-AWS-1.9"), RuleStatus::Failed);
    assert_eq!(status("CIS-AWS-1.1"), RuleStatus::Manual);
    assert_eq!(status("CIS-AWS-2.3.1"), RuleStatus::Passed);

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
        // The library's serialization of the report (each object with its
        // fingerprint), as the command line prints it.
        assert_eq!(
            printed["entities"],
            serde_json::to_value(p).unwrap()["entities"]
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

#[test]
fn a_run_checks_its_policies_with_its_parameters() {
    let snapshot = parse_snapshot(SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME).unwrap();
    let graph = EntityGraph::new(snapshot);
    let policy = gsl::policy::parse_policy(
        "# id: NAMED-1\n# title: named trails\nCloudTrail should have name in ($Trail_Names)\n",
        "named.gsl",
    )
    .unwrap();
    // Without the parameter (gsl's defaults do not define it): a check error.
    let run = gsl::check(
        std::slice::from_ref(&policy),
        &graph,
        &gsl::EvalOptions::default(),
    );
    assert_eq!(run.policies[0].status, RuleStatus::Error);
    assert_eq!(
        run.policies[0].diagnostics[0].code,
        "gsl::eval::unknown_parameter"
    );
    // With it, from a parameters file's text.
    let mut params = (*gsl::params::Params::defaults()).clone();
    params.extend(gsl::params::Params::parse("Trail_Names = ['org-main']\n", "p.toml").unwrap());
    let opts = gsl::EvalOptions::default().with_params(std::sync::Arc::new(params));
    let run = gsl::check(std::slice::from_ref(&policy), &graph, &opts);
    let outcomes: Vec<(&str, &str)> = run.policies[0]
        .entities
        .iter()
        .map(|e| (e.name.as_deref().unwrap_or(""), e.outcome.as_str()))
        .collect();
    assert_eq!(outcomes, [("org-main", "passed"), ("legacy-eu", "failed")]);
    let prepared = gsl::run::PreparedRule::policy_with(&policy, &opts.params);
    assert!(prepared.error().is_none());
    assert!(gsl::run::PreparedRule::policy(&policy).error().is_some());
}

/// The multi-account snapshot of the report tests: Bucket (a type of its own) in two
/// accounts, CloudTrail in two.
fn multi_account() -> (EntityGraph, gsl::EvalOptions) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/report/multi-account.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let snapshot = parse_snapshot(&text, "multi-account.json").unwrap();
    let opts = gsl::run::eval_options(&snapshot, None);
    (EntityGraph::named(snapshot, "multi-account.json"), opts)
}

#[test]
fn a_prepared_rule_carries_its_parse_and_check_diagnostics() {
    use gsl::run::{PreparedRule, RuleError};
    let unparsed = PreparedRule::new("CloudTrail should have", "a.gsl");
    assert!(unparsed.rule().is_none());
    let Some(RuleError::Parse(e)) = unparsed.error() else {
        panic!("{:?}", unparsed.error())
    };
    assert!(
        e.codes().iter().all(|c| c.starts_with("gsl::parse::")),
        "{e:?}"
    );

    let rejected = PreparedRule::new("CloudTrail should have isMultiRegionTrial = true", "b.gsl");
    assert_eq!(
        rejected.rule().map(|r| r.target.entity.name.as_str()),
        Some("CloudTrail")
    );
    let e = rejected.error().unwrap();
    assert!(matches!(e, RuleError::Check(_)), "{e:?}");
    let problems = gsl::report::Problem::all(e.diagnostic());
    assert_eq!(problems[0].code, "gsl::eval::unknown_property");
    assert!(
        e.summary().contains("isMultiRegionTrial"),
        "{}",
        e.summary()
    );

    // A rule that cannot run says nothing about a snapshot and gives an error report.
    let (graph, opts) = multi_account();
    let w = rejected.warnings(&graph);
    assert!(w.absent_type.is_none() && w.unseen.is_empty());
    let (report, diag) = rejected.run(&graph, &opts);
    assert_eq!(report.status, RuleStatus::Error);
    assert_eq!(report.meta.id, "rule");
    assert_eq!(report.origin, "b.gsl");
    assert_eq!(
        diag.unwrap().code().unwrap().to_string(),
        "gsl::eval::check"
    );
}

#[test]
fn a_prepared_rule_knows_what_the_snapshot_says_about_it() {
    use gsl::run::PreparedRule;
    let (graph, opts) = multi_account();
    // A type of one's own: the paths no entity has.
    // (`Bucket` is two letters from the collected `S3Bucket`: the snapshot holding it
    // says it is a type of its own.)
    let bucket = PreparedRule::new("Bucket should not have versioning.enabeld = false", "<in>")
        .among(&gsl::params::Params::defaults(), &|t| graph.has_type(t));
    let w = bucket.warnings(&graph);
    assert!(w.absent_type.is_none());
    let paths: Vec<&str> = w.unseen.iter().map(|u| u.path.as_str()).collect();
    assert_eq!(paths, ["versioning.enabeld"]);
    // A type the snapshot does not hold.
    let absent = PreparedRule::new("List<Queue> should have items length() > 0", "<in>");
    let w = absent.warnings(&graph);
    assert_eq!(w.absent_type.map(|e| e.name), Some("Queue".to_string()));
    assert!(w.unseen.is_empty());
    // A known type: its paths are the checker's, nothing to warn.
    let trail = PreparedRule::new("CloudTrail should have isMultiRegionTrail = true", "<in>");
    let w = trail.warnings(&graph);
    assert!(w.absent_type.is_none() && w.unseen.is_empty());

    // Its report is the one `gsl::check` gives the same policy.
    let policy = gsl::policy::Policy {
        meta: gsl::run::adhoc_metadata("Bucket"),
        source: bucket.source().to_string(),
        origin: bucket.origin().to_string(),
    };
    let run = gsl::check(std::slice::from_ref(&policy), &graph, &opts);
    let by_entity: Vec<gsl::lang::eval::EntityResult> = graph
        .entities("Bucket")
        .into_iter()
        .filter_map(|e| bucket.evaluate_entity(&graph, e, &opts))
        .collect();
    assert_eq!(by_entity, bucket.evaluate(&graph, &opts).entities);
    let (report, diag) = PreparedRule::policy(&policy)
        .among(&gsl::params::Params::defaults(), &|t| graph.has_type(t))
        .run(&graph, &opts);
    assert!(diag.is_none());
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        serde_json::to_value(&run.policies[0]).unwrap()
    );
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "gsl::eval::no_entities_in_account",
            "gsl::eval::unseen_property"
        ]
    );
    assert_eq!(report.entities, by_entity);
}
