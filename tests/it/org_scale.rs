//! Organization scale: the synthetic organization generator (`benches/support/orggen.rs`)
//! and the per-account index of the entity graph.

#[path = "../../benches/support/orggen.rs"]
mod orggen;

use gsl::entity::graph::EntityGraph;
use gsl::entity::load::parse_snapshot;
use orggen::OrgSpec;

fn org(accounts: usize, seed: u64) -> String {
    orggen::org_json(&OrgSpec { accounts, seed })
}

/// Each policy's results in `run` are what `evaluate` gives for its rule over the whole
/// graph with `opts` (one rule after the other), in the same order; those results. A
/// manual control has no rule: it is manual in the run, with no results.
fn same_as_rule_by_rule(
    policies: &[gsl::policy::Policy],
    run: &gsl::run::CheckRun,
    graph: &EntityGraph,
    opts: &gsl::lang::eval::EvalOptions,
) -> Vec<gsl::lang::eval::RuleResult> {
    use gsl::lang::eval::{check_rule, evaluate};
    use gsl::lang::parser::parse_rule_named;
    assert_eq!(run.policies.len(), policies.len());
    policies
        .iter()
        .zip(&run.policies)
        .filter(|(p, report)| {
            let manual = p.meta.manual.is_some();
            if manual {
                assert_eq!(
                    report.status,
                    gsl::report::RuleStatus::Manual,
                    "{}",
                    p.meta.id
                );
                assert!(report.entities.is_empty(), "{}", p.meta.id);
            }
            !manual
        })
        .map(|(p, report)| {
            let rule = check_rule(&parse_rule_named(&p.source, &p.origin).unwrap()).unwrap();
            let alone = evaluate(&rule, graph, opts);
            assert_eq!(
                serde_json::to_value(&report.entities).unwrap(),
                serde_json::to_value(&alone.entities).unwrap(),
                "{}",
                p.meta.id
            );
            alone
        })
        .collect()
}

#[test]
fn same_seed_same_bytes_other_seed_other_org() {
    let a = org(3, 7);
    assert_eq!(a, org(3, 7));
    assert_ne!(a, org(3, 8));
    // Accounts are drawn independently: a bigger organization starts with the same ones.
    let small = parse_snapshot(&a, "a").unwrap();
    let big = parse_snapshot(&org(5, 7), "b").unwrap();
    assert_eq!(small.accounts[..], big.accounts[..3]);
}

#[test]
fn generated_org_loads_with_the_promised_shape() {
    let text = org(12, 7);
    let snap = parse_snapshot(&text, "org").unwrap();
    assert_eq!(snap.accounts.len(), 12);
    assert_eq!(snap.collected_at.as_deref(), Some(orggen::COLLECTED_AT));
    let mut numbers: Vec<&str> = snap
        .accounts
        .iter()
        .map(|a| a.account_number.as_str())
        .collect();
    numbers.dedup();
    assert_eq!(numbers.len(), 12, "account numbers are distinct");
    let (mut with_actions, mut without_actions) = (0, 0);
    let (mut confirmed, mut unconfirmed) = (0, 0);
    for a in &snap.accounts {
        assert!((1..=17).contains(&a.regions.len()), "{}", a.regions.len());
        let trails = &a.entities["CloudTrail"];
        assert!((1..=3).contains(&trails.len()));
        for t in trails {
            let filters = t["metricFilters"].as_array().unwrap();
            assert!(
                filters.is_empty() || (40..=100).contains(&filters.len()),
                "{}",
                filters.len()
            );
        }
        for alarm in &a.entities["CloudWatchAlarm"] {
            if alarm["alarmActions"].as_array().unwrap().is_empty() {
                without_actions += 1;
            } else {
                with_actions += 1;
            }
        }
        for topic in &a.entities["SnsTopic"] {
            if topic["subscriptionsConfirmed"].as_u64().unwrap() > 0 {
                confirmed += 1;
            } else {
                unconfirmed += 1;
            }
        }
    }
    assert!(with_actions > 0 && without_actions > 0);
    assert!(confirmed > 0 && unconfirmed > 0);
    // Main trails are multi-region and deliver to a log group with CIS filters.
    let patterns: Vec<&str> = snap.accounts[0].entities["CloudTrail"][0]["metricFilters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["filterPattern"].as_str())
        .collect();
    assert!(
        patterns.iter().any(|p| p.contains("eventName")),
        "{patterns:?}"
    );
}

#[test]
fn generated_org_runs_the_cis_pack() {
    use gsl::lang::eval::{check_rule, evaluate, EvalOptions, Outcome};
    use gsl::lang::parser::parse_rule_named;
    let graph = EntityGraph::new(parse_snapshot(&org(4, 11), "org").unwrap());
    let opts = EvalOptions::default();
    let mut outcomes = std::collections::BTreeSet::new();
    for p in gsl::policy::builtin_policies()
        .unwrap()
        .iter()
        // The monitoring chain's controls (the generated org has only the chain's types).
        .filter(|p| p.meta.id.starts_with("CIS-AWS-4.") && p.source.contains("metricFilters"))
    {
        let rule = check_rule(&parse_rule_named(&p.source, &p.origin).unwrap()).unwrap();
        let result = evaluate(&rule, &graph, &opts);
        assert_eq!(
            result.entities.len(),
            4,
            "one List<CloudTrail> result per account"
        );
        outcomes.extend(result.entities.iter().map(|e| format!("{:?}", e.outcome)));
    }
    // A mixed organization: some accounts pass a control, some fail it.
    assert!(
        outcomes.contains(&format!("{:?}", Outcome::Passed)),
        "{outcomes:?}"
    );
    assert!(
        outcomes.contains(&format!("{:?}", Outcome::Failed)),
        "{outcomes:?}"
    );
}

/// `entities_in` through the per-account index returns what a scan of every entity
/// of the type returns (the definition), in the same order.
#[test]
fn per_account_index_agrees_with_a_scan() {
    let mut snap = parse_snapshot(&org(6, 3), "org").unwrap();
    // An account listed twice, and a type key spelled two ways in one account.
    let dup = snap.accounts[1].clone();
    snap.accounts.push(dup);
    let trails = snap.accounts[2].entities["CloudTrail"].clone();
    let mut lower = trails[0].clone();
    lower["type"] = "cloudtrail".into();
    snap.accounts[2]
        .entities
        .insert("cloudtrail".into(), vec![lower]);
    let graph = EntityGraph::new(snap);
    for ty in [
        "CloudTrail",
        "cloudtrail",
        "SnsTopic",
        "MetricFilter",
        "NoSuchType",
    ] {
        for a in graph.accounts() {
            let acct = a.account_number.as_str();
            let regions: Vec<Option<&str>> = std::iter::once(None)
                .chain(a.regions.iter().map(|r| Some(r.as_str())))
                .collect();
            for region in regions {
                let indexed: Vec<(&str, &str, usize)> = graph
                    .entities_in(ty, acct, region)
                    .iter()
                    .map(|e| (e.id(), e.type_name, e.index))
                    .collect();
                let scanned: Vec<(&str, &str, usize)> = graph
                    .entities(ty)
                    .iter()
                    .filter(|e| e.account == acct && (region.is_none() || e.region() == region))
                    .map(|e| (e.id(), e.type_name, e.index))
                    .collect();
                assert_eq!(indexed, scanned, "{ty} in {acct} {region:?}");
            }
        }
    }
    let acct = graph.accounts()[2].account_number.clone();
    assert_eq!(
        graph.entities_in("CLOUDTRAIL", &acct, None).len(),
        graph.accounts()[2].entities["CloudTrail"].len() + 1
    );
    // One entry of the account list at a time, end to end, is every entity in order.
    for ty in ["CloudTrail", "cloudtrail", "MetricFilter", "NoSuchType"] {
        let by_entry: Vec<(String, usize)> = (0..graph.accounts().len() + 1)
            .flat_map(|ai| graph.entities_of_account(ty, ai))
            .map(|e| (e.id().to_string(), e.index))
            .collect();
        let all: Vec<(String, usize)> = graph
            .entities(ty)
            .iter()
            .map(|e| (e.id().to_string(), e.index))
            .collect();
        assert_eq!(by_entry, all, "{ty}");
    }
}

/// A run goes account by account, every policy on one account before the next; each
/// policy's results are still those of `evaluate` (rule by rule over the whole graph),
/// in the same order, for entity rules and `List<X>` rules, with an account listed twice.
#[test]
fn a_run_account_by_account_gives_each_policy_its_results_in_order() {
    use gsl::lang::eval::EvalOptions;
    let mut snap = parse_snapshot(&org(5, 9), "org").unwrap();
    let dup = snap.accounts[3].clone();
    snap.accounts.push(dup);
    let graph = EntityGraph::new(snap);
    let mut policies = gsl::policy::builtin_policies().unwrap();
    let entity_rule = "MetricFilter should have filterPattern isFilterPatternEqual('{ $.eventName = ConsoleLogin }') or metricTransformations length() > 1";
    policies.push(gsl::policy::Policy {
        source: entity_rule.to_string(),
        origin: "entity-rule".into(),
        meta: gsl::run::adhoc_metadata(entity_rule),
    });
    let now = EvalOptions::default().now;
    let run = gsl::check(&policies, &graph, &EvalOptions::at(now));
    let alone = same_as_rule_by_rule(&policies, &run, &graph, &EvalOptions::at(now));
    let entity_results = alone.last().map_or(0, |r| r.entities.len());
    assert_eq!(entity_results, graph.entities("MetricFilter").len());
    assert!(entity_results > 100, "{entity_results}");
}

#[test]
fn errors_affecting_uses_the_account_index() {
    let text = org(80, 7);
    let graph = EntityGraph::new(parse_snapshot(&text, "org").unwrap());
    let errors = &graph.snapshot().errors;
    assert!(!errors.is_empty(), "80 accounts: some collection errors");
    for e in errors {
        let affecting =
            graph.errors_affecting(&e.account_number, e.region.as_deref(), "CloudTrail");
        assert!(affecting.contains(&e));
        assert!(affecting
            .iter()
            .all(|x| x.account_number == e.account_number));
        assert!(graph
            .errors_affecting(&e.account_number, None, "SnsTopic")
            .is_empty());
    }
    assert!(graph
        .errors_affecting("000000000000", None, "CloudTrail")
        .is_empty());
}

mod streamed {
    use super::{org, orggen};
    use gsl::entity::graph::EntityGraph;
    use gsl::entity::load::parse_snapshot;
    use gsl::entity::stream::SnapshotSource;
    use gsl::lang::eval::{evaluate, EvalOptions};
    use gsl::lang::parser::parse_rule;
    use miette::Diagnostic;
    use std::path::Path;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Rules over every kind of target: entity rules, `List<X>` rules, types spelled
    /// in another case, a type absent from some accounts, and one absent everywhere.
    const RULES: &[&str] = &[
        "CloudTrail should have isMultiRegionTrail = true and status.isLogging = true",
        "cloudtrail should have metricFilters length() > 45",
        "SnsTopic should not have subscriptions isEmpty()",
        "CloudWatchAlarm should have actionsEnabled = true and alarmActions length() > 0",
        "List<CloudTrail> should have items with [hasSNSSubscriber = 'true'] length() > 0",
        "List<MetricFilter> should have items length() > 50",
        "List<Blob> should have items length() = 0",
        "Blob should have name",
    ];

    /// Batches of any size give the results of one graph over the whole snapshot.
    #[test]
    fn batch_by_batch_equals_whole_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let mut snap = parse_snapshot(&org(5, 21), "org").unwrap();
        // A type only one account has, and an error for an account of a later batch.
        let mut bucket = snap.accounts[3].entities["SnsTopic"][0].clone();
        bucket["type"] = "Blob".into();
        // Entity ids are unique in a snapshot (the loader rejects a repeated one).
        bucket["id"] = "arn:aws:s3:::generated-bucket".into();
        snap.accounts[3]
            .entities
            .insert("Blob".into(), vec![bucket]);
        snap.errors.push(gsl::entity::CollectionError {
            account_number: snap.accounts[4].account_number.clone(),
            region: None,
            service: "sns".into(),
            operation: "ListTopics".into(),
            code: "AccessDenied".into(),
            message: "denied".into(),
            entity_types: vec!["SnsTopic".into()],
        });
        let text = serde_json::to_string_pretty(&snap).unwrap();
        let path = write(dir.path(), "org.json", &text);
        let whole = EntityGraph::new(parse_snapshot(&text, "org").unwrap());
        let opts = EvalOptions::default();
        for batch in [1, 200_000, u64::MAX] {
            let source = SnapshotSource::open(&path, "org")
                .unwrap()
                .with_batch_bytes(batch);
            assert_eq!(source.account_numbers().len(), 5);
            assert_eq!(source.errors(), &whole.snapshot().errors[..]);
            let census = source.census_graph();
            assert_eq!(census.types(), whole.types());
            assert_eq!(census.type_name("blob"), Some("Blob"));
            let graphs: Vec<EntityGraph> = source.into_graphs().map(Result::unwrap).collect();
            if batch == 1 {
                assert_eq!(graphs.len(), 5, "one account per batch");
            }
            if batch == u64::MAX {
                assert_eq!(graphs.len(), 1);
            }
            for src in RULES {
                let rule = gsl::lang::eval::check_rule(&parse_rule(src).unwrap()).unwrap();
                let expected = serde_json::to_value(evaluate(&rule, &whole, &opts)).unwrap();
                let mut got = Vec::new();
                for g in &graphs {
                    // Every batch knows the types of the whole snapshot.
                    assert_eq!(g.types(), whole.types());
                    got.extend(evaluate(&rule, g, &opts).entities);
                }
                let got =
                    serde_json::to_value(gsl::lang::eval::RuleResult { entities: got }).unwrap();
                assert_eq!(got, expected, "batch {batch}: {src}");
            }
        }
    }

    /// Bad files get the loader's diagnostics (same code, same place).
    #[test]
    fn bad_files_keep_their_diagnostics() {
        let dir = tempfile::tempdir().unwrap();
        let good = org(2, 5);
        let bad = [
            good.replacen("\"accounts\": [", "\"accounts\": [,", 1),
            good.replacen("\"schemaVersion\": 1", "\"schemaVersion\": 2", 1),
            good.replacen("\"regions\": [", "\"region\": [", 1),
            good.replacen("\"type\": \"SnsTopic\"", "\"type\": \"Topic\"", 1),
            good.replacen("\"type\": \"LogGroup\"", "\"type\": 3", 1),
            "[]".to_string(),
            String::new(),
            // What only the loader's checks catch: a repeated key, a collection time
            // that is not RFC 3339, an account listed twice, an entity id used twice.
            good.replacen(
                "\"schemaVersion\": 1",
                "\"schemaVersion\": 1, \"schemaVersion\": 1",
                1,
            ),
            good.replacen(orggen::COLLECTED_AT, "yesterday", 1),
            {
                let mut snap = parse_snapshot(&good, "good").unwrap();
                snap.accounts.push(snap.accounts[0].clone());
                serde_json::to_string_pretty(&snap).unwrap()
            },
            {
                let mut snap = parse_snapshot(&good, "good").unwrap();
                let trail = snap.accounts[0].entities["CloudTrail"][0].clone();
                snap.accounts[1]
                    .entities
                    .get_mut("CloudTrail")
                    .unwrap()
                    .push(trail);
                serde_json::to_string_pretty(&snap).unwrap()
            },
        ];
        for (i, text) in bad.iter().enumerate() {
            assert_ne!(text, &good);
            let path = write(dir.path(), &format!("bad{i}.json"), text);
            let expected = parse_snapshot(text, "bad.json").unwrap_err();
            let got = SnapshotSource::open(&path, "bad.json").unwrap_err();
            assert_eq!(
                got.code().map(|c| c.to_string()),
                expected.code().map(|c| c.to_string()),
                "case {i}"
            );
            assert_eq!(got.to_string(), expected.to_string(), "case {i}");
            let labels = |d: &dyn Diagnostic| {
                d.labels()
                    .map(|l| l.map(|l| (l.offset(), l.len())).collect::<Vec<_>>())
            };
            assert_eq!(labels(&got), labels(&expected), "case {i}");
        }
        let missing = SnapshotSource::open(&dir.path().join("nope.json"), "nope.json").unwrap_err();
        assert_eq!(
            missing.code().map(|c| c.to_string()).as_deref(),
            Some("gsl::snapshot::io")
        );
    }

    /// A file rewritten between the passes is an error, never a silent mix.
    #[test]
    fn a_file_changed_between_passes_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let spec = orggen::OrgSpec {
            accounts: 3,
            seed: 9,
        };
        let path = write(dir.path(), "org.json", &orggen::org_json(&spec));
        let source = SnapshotSource::open(&path, "org.json")
            .unwrap()
            .with_batch_bytes(1);
        std::fs::write(
            &path,
            orggen::org_json(&orggen::OrgSpec { seed: 10, ..spec }),
        )
        .unwrap();
        let results: Vec<_> = source.into_graphs().collect();
        assert!(results.iter().any(Result::is_err));
        let err = results.into_iter().find_map(Result::err).unwrap();
        assert_eq!(
            err.code().map(|c| c.to_string()).as_deref(),
            Some("gsl::snapshot::changed")
        );
    }
}

/// Reports over an organization: counts per account in text and JSON, `--account`
/// to check some accounts only, and the exit status over all of them.
mod by_account {
    use super::org;
    use assert_cmd::Command;
    use serde_json::Value;

    fn check(path: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
        let out = Command::cargo_bin("gsl")
            .unwrap()
            .env("NO_COLOR", "1")
            .args(["check", "--pack", "cis-aws", "--snapshot"])
            .arg(path)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn json(path: &std::path::Path, args: &[&str]) -> Value {
        let mut all = vec!["-f", "json"];
        all.extend_from_slice(args);
        let (_, out, err) = check(path, &all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"))
    }

    #[test]
    fn counts_per_account_filter_and_exit_status() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("org.json");
        std::fs::write(&path, org(4, 11)).unwrap();
        let whole = json(&path, &[]);
        let accounts: Vec<String> = whole["snapshot"]["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        assert_eq!(accounts.len(), 4);
        let per: Vec<&Value> = whole["accounts"].as_array().unwrap().iter().collect();
        assert_eq!(per.len(), 4, "{}", whole["accounts"]);
        let results = whole["results"].as_array().unwrap();
        for (a, counts) in accounts.iter().zip(&per) {
            assert_eq!(counts["account"], a.as_str());
            assert_eq!(counts["rules"], results.len());
            // An account's status of a policy is that of its own objects.
            let failed_here = results
                .iter()
                .filter(|r| {
                    r["entities"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|e| e["account"] == a.as_str() && e["outcome"] == "failed")
                })
                .count();
            assert_eq!(counts["failed"], failed_here, "{a}");
            // `--account A` gives exactly A's counts, and A's objects only.
            let only = json(&path, &["--account", a]);
            assert_eq!(only["snapshot"]["accounts"], serde_json::json!([a]));
            for key in [
                "rules",
                "passed",
                "failed",
                "unknown",
                "errors",
                "notApplicable",
            ] {
                assert_eq!(only["summary"][key], counts[key], "{a} {key}");
            }
            assert!(only["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["entities"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|e| e["account"] == a.as_str())));
        }
        // The organization fails where some account fails; the whole run's failed count
        // is the number of policies failing in at least one account.
        assert!(per.iter().any(|c| c["failed"].as_u64().unwrap() > 0));
        let max_failed = per
            .iter()
            .map(|c| c["failed"].as_u64().unwrap())
            .max()
            .unwrap();
        assert!(whole["summary"]["failed"].as_u64().unwrap() >= max_failed);

        // Text: one line per account after the breakdowns.
        let (code, text, _) = check(&path, &[]);
        assert_eq!(code, Some(1));
        // The header names how many accounts, and only the first few.
        let header = text.lines().next().unwrap_or_default();
        let more = format!(
            "({} accounts: {}, {}, {}, … ({} more))",
            accounts.len(),
            accounts[0],
            accounts[1],
            accounts[2],
            accounts.len() - 3
        );
        assert!(accounts.len() <= 3 || header.ends_with(&more), "{header}");
        let section = text.split("by account:\n").nth(1).expect(&text);
        for a in &accounts {
            assert!(section.contains(a.as_str()), "{section}");
        }
        // A comma list of two accounts: two lines; one account: no section.
        let two = format!("{},{}", accounts[0], accounts[2]);
        let (_, text, _) = check(&path, &["--account", &two]);
        assert!(
            text.contains(&format!(
                "over {} (2 accounts: {}, {})",
                path.display(),
                accounts[0],
                accounts[2]
            )),
            "{text}"
        );
        assert_eq!(
            text.split("by account:\n")
                .nth(1)
                .unwrap()
                .lines()
                .take_while(|l| l.starts_with("  "))
                .count(),
            2
        );
        let (_, text, _) = check(&path, &["--account", &accounts[1]]);
        assert!(!text.contains("by account:"), "{text}");
    }

    #[test]
    fn an_account_not_in_the_snapshot_is_an_error_with_a_suggestion() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("org.json");
        std::fs::write(&path, org(3, 11)).unwrap();
        let whole = json(&path, &[]);
        let first = whole["snapshot"]["accounts"][0]
            .as_str()
            .unwrap()
            .to_string();
        let last = if first.ends_with('9') { '8' } else { '9' };
        let typo = format!("{}{last}", &first[..11]);
        let (code, out, err) = check(&path, &["--account", &typo]);
        assert_eq!(code, Some(2), "{out}");
        assert!(err.contains("gsl::snapshot::unknown_account"), "{err}");
        assert!(err.contains(&format!("did you mean `{first}`")), "{err}");
        assert!(err.contains("the snapshot holds:"), "{err}");
    }
}

/// The fast path (run-wide decisions by canonical form, witness events, memos, the
/// policies in parallel) gives the verdicts and explanations of the reference
/// evaluator, which proves every filter-pattern question afresh, as written, one
/// policy at a time.
#[test]
fn fast_run_equals_the_reference_evaluator_on_a_generated_org() {
    use gsl::lang::eval::{DecisionCache, EvalOptions};
    let graph = EntityGraph::new(parse_snapshot(&org(3, 5), "org").unwrap());
    let policies = gsl::policy::builtin_policies().unwrap();
    let now = EvalOptions::default().now;
    let fast_opts = EvalOptions::at(now);
    let fast = gsl::check(&policies, &graph, &fast_opts);
    let stats = fast_opts.cache.stats();
    assert!(stats.hits > 0 && stats.fast_rejects > 0, "{stats:?}");
    let reference = EvalOptions {
        cache: DecisionCache::reference(),
        ..EvalOptions::at(now)
    };
    let failed: usize = same_as_rule_by_rule(&policies, &fast, &graph, &reference)
        .iter()
        .flat_map(|r| &r.entities)
        .filter(|e| e.outcome == gsl::lang::eval::Outcome::Failed)
        .count();
    assert!(failed > 0, "the generated org fails some controls");
    assert_eq!(reference.cache.stats().hits, 0);
}
