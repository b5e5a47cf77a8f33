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
        .filter(|p| p.meta.id.starts_with("CIS-AWS-4."))
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
