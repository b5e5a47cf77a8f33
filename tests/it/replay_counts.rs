//! `gsl replay` over a generated month (`benches/support/trailgen.rs`): the exact
//! matches, alarm firings, misses and noise the generator planted, per filter and per
//! control of CIS AWS v5; the raw-bytes fast path against the full matcher, record by
//! record and report against report.

#[path = "../../benches/support/trailgen.rs"]
pub(crate) mod trailgen;

use gsl::entity::graph::EntityGraph;
use gsl::pattern::{FilterPattern, PatternSet};
use gsl::replay::{self, Options, ReplayReport};
use serde_json::{json, Value};
use trailgen::{Planted, Spec};

/// The filters of the account's log group: the CIS ones of 4.1 to 4.14 except 4.4,
/// which only watches inline policies; nothing for 4.15 (Organizations); and a wide
/// filter on every console sign-in.
pub(crate) fn filters() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = trailgen::CIS
        .iter()
        .filter(|(id, _)| *id != "4.15" && *id != "4.4")
        .map(|(id, p)| (format!("cis-{id}"), p.to_string()))
        .collect();
    out.push((
        "cis-4.4-inline-only".into(),
        "{($.eventName=PutUserPolicy)||($.eventName=PutRolePolicy)||($.eventName=DeleteRolePolicy)}".into(),
    ));
    out.push((
        "any-console-login".into(),
        "{ $.eventName = ConsoleLogin }".into(),
    ));
    out
}

/// A snapshot of the account: one multi-region trail delivering to `ct`, an alarm
/// on every filter's metric (Sum >= 1 over 5 minutes, one period) notifying a topic
/// with a confirmed subscription.
pub(crate) fn graph(spec: &Spec) -> EntityGraph {
    let snapshot =
        gsl::entity::load::parse_snapshot(&snapshot(spec).to_string(), "generated").unwrap();
    EntityGraph::named(snapshot, "generated")
}

/// The snapshot of [`graph`], as a snapshot file holds it.
pub(crate) fn snapshot(spec: &Spec) -> Value {
    let acct = &spec.account;
    let topic = format!("arn:aws:sns:us-east-1:{acct}:alerts");
    let mut alarms = Vec::new();
    let filters: Vec<Value> = filters()
        .into_iter()
        .map(|(name, pattern)| {
            let arn = format!("arn:aws:cloudwatch:us-east-1:{acct}:alarm:{name}");
            alarms.push(json!({"id": arn, "arn": arn, "name": name, "type": "CloudWatchAlarm",
                "accountNumber": acct, "region": "us-east-1", "actionsEnabled": true,
                "statistic": "Sum", "period": 300, "threshold": 1.0,
                "comparisonOperator": "GreaterThanOrEqualToThreshold", "evaluationPeriods": 1}));
            json!({"filterName": name, "filterPattern": pattern, "logGroupName": "ct",
                "metricTransformations": [{"metricName": name, "metricNamespace": "CIS", "metricValue": "1",
                    "alarms": [{"name": name, "arn": arn, "actionsEnabled": true, "actions": [{"action": topic,
                        "subscriptions": [{"subscriptionArn": format!("{topic}:1"), "endpoint": "secops@example.com",
                            "protocol": "email", "pendingConfirmation": false}]}]}]}]})
        })
        .collect();
    let snap = json!({"schemaVersion": 1, "accounts": [{"accountNumber": acct, "entities": {
        "CloudTrail": [{"id": format!("arn:aws:cloudtrail:us-east-1:{acct}:trail/main"), "type": "CloudTrail",
            "name": "main", "accountNumber": acct, "region": "us-east-1", "homeRegion": "us-east-1",
            "isMultiRegionTrail": true, "status": {"isLogging": true},
            "cloudWatchLogsLogGroupArn": format!("arn:aws:logs:us-east-1:{acct}:log-group:ct:*"),
            "metricFilters": filters}],
        "CloudWatchAlarm": alarms}}]});
    snap
}

pub(crate) fn controls() -> Vec<replay::Control> {
    let policies = gsl::policy::select::pack_policies(&["cis-aws@5.0.0".to_string()]).unwrap();
    replay::controls(&policies)
}

pub(crate) fn kinds(plan: &[Planted], names: &[&str]) -> (u64, u64) {
    let ks: Vec<&Planted> = plan
        .iter()
        .filter(|p| names.contains(&p.kind.name))
        .collect();
    assert_eq!(ks.len(), names.len(), "{names:?}");
    (
        ks.iter().map(|p| p.count()).sum(),
        ks.iter().map(|p| p.bursts.len() as u64).sum(),
    )
}

pub(crate) fn kinds_of(plan: &[Planted], control: &str) -> Vec<&'static str> {
    plan.iter()
        .filter(|p| p.kind.controls.contains(&control))
        .map(|p| p.kind.name)
        .collect()
}

/// Each filter of [`filters`] and the planted kinds it matches.
pub(crate) fn filter_kinds(plan: &[Planted]) -> Vec<(String, Vec<&'static str>)> {
    let mut out: Vec<(String, Vec<&'static str>)> = trailgen::CIS
        .iter()
        .filter(|(id, _)| *id != "4.15" && *id != "4.4")
        .map(|(id, _)| (format!("cis-{id}"), kinds_of(plan, id)))
        .collect();
    out.push((
        "cis-4.4-inline-only".into(),
        vec!["iam-inline-policy-change"],
    ));
    out.push(("any-console-login".into(), CONSOLE.to_vec()));
    out
}

pub(crate) const CONSOLE: [&str; 4] = [
    "root-console-login",
    "console-login-without-mfa",
    "console-login-with-mfa",
    "console-login-failure",
];

fn replayed(spec: &Spec, options: Options) -> (ReplayReport, u64, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let written = trailgen::write(spec, dir.path()).unwrap();
    let report = replay::replay_with(
        &graph(spec),
        controls(),
        &[dir.path().to_path_buf()],
        options,
    );
    (report, written, dir)
}

#[test]
fn the_generated_month_gives_the_planted_counts_per_filter_alarm_and_control() {
    let spec = Spec::small(7);
    let plan = trailgen::plan(&spec);
    let (r, written, _dir) = replayed(&spec, Options::default());
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    assert_eq!(r.records, written);
    assert_eq!(r.undelivered, 0);
    // Every control's kinds were planted at least once.
    for (id, _) in trailgen::CIS {
        assert!(trailgen::required(&plan, id) > 0, "{id}");
    }

    let filter = |name: &str| {
        r.filters
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no filter {name}"))
    };
    let alarm = |name: &str| {
        r.alarms
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("no alarm {name}"))
    };
    // Per filter and its alarm: the planted events of its control, one firing per burst.
    let expected: Vec<(String, (u64, u64))> = filter_kinds(&plan)
        .into_iter()
        .map(|(name, names)| (name, kinds(&plan, &names)))
        .collect();
    for (name, (count, bursts)) in &expected {
        let f = filter(name);
        assert_eq!(f.delivered, written, "{name}");
        assert_eq!(f.matched, *count, "{name} matched");
        let a = alarm(name);
        assert_eq!(a.alarms, Some(*bursts), "{name} firings: {:?}", a.series);
        assert_eq!(
            a.series.iter().map(|p| p.1).sum::<f64>(),
            *count as f64,
            "{name}"
        );
        assert_eq!(a.notifies[0].confirmed, ["secops@example.com"]);
    }
    // The first root event is in the first root burst's five minutes.
    let root = plan
        .iter()
        .filter(|p| p.kind.controls.contains(&"4.3"))
        .flat_map(|p| p.bursts.iter().copied())
        .min()
        .unwrap();
    let first =
        chrono::DateTime::parse_from_rfc3339(filter("cis-4.3").first_match.as_deref().unwrap())
            .unwrap()
            .timestamp();
    assert!(
        (root..root + 300).contains(&first),
        "{first} not in the burst at {root}"
    );
    assert_eq!(
        alarm("cis-4.3").first_alarm.as_deref(),
        Some(
            chrono::DateTime::from_timestamp(root, 0)
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                .as_str()
        )
    );

    // Per control: what its patterns match, what no filter caught, and the noise.
    let control = |id: &str| {
        r.controls
            .iter()
            .find(|c| c.id == format!("CIS-AWS-{id}"))
            .unwrap_or_else(|| panic!("no control {id}"))
    };
    for (id, _) in trailgen::CIS {
        let c = control(id);
        let required = trailgen::required(&plan, id);
        let missed = match *id {
            "4.15" => required,
            "4.4" => kinds(&plan, &["iam-managed-policy-change"]).0,
            _ => 0,
        };
        assert_eq!((c.required, c.missed), (required, missed), "{id}");
        assert_eq!(c.misses.len() as u64, missed.min(10), "{id}");
    }
    assert!(control("4.15")
        .misses
        .iter()
        .all(|m| m.file.contains("/CloudTrail/us-east-1/") && m.at.starts_with("record ")));
    let noise = |id: &str| -> Vec<(String, u64)> {
        control(id)
            .noise
            .iter()
            .map(|n| (n.filter.rsplit('/').next().unwrap().to_string(), n.other))
            .collect()
    };
    let count = |names: &[&str]| kinds(&plan, names).0;
    // 4.2: its filter is exact; the failures filter (4.6) only catches 4.2's events; the
    // wide console filter also catches sign-ins with MFA and the root's.
    assert_eq!(
        noise("4.2"),
        [
            (
                "any-console-login".to_string(),
                count(&["console-login-with-mfa", "root-console-login"])
            ),
            ("cis-4.2".to_string(), 0),
            ("cis-4.6".to_string(), 0),
        ]
    );
    assert_eq!(
        noise("4.6"),
        [
            (
                "any-console-login".to_string(),
                count(&CONSOLE) - count(&["console-login-failure"])
            ),
            ("cis-4.2".to_string(), count(&["console-login-without-mfa"])),
            ("cis-4.6".to_string(), 0),
        ]
    );
    assert_eq!(noise("4.15"), []);
}

#[test]
fn the_fast_path_reports_what_the_full_matcher_reports() {
    let spec = Spec {
        days: 6,
        ..Spec::small(11)
    };
    let (fast, _, dir) = replayed(&spec, Options::default());
    let reference = replay::replay_with(
        &graph(&spec),
        controls(),
        &[dir.path().to_path_buf()],
        Options {
            reference: true,
            ..Options::default()
        },
    );
    assert_eq!(
        serde_json::to_value(&fast).unwrap(),
        serde_json::to_value(&reference).unwrap()
    );
}

/// Every record of the generated corpus: the fast path's match set equals the full
/// matcher's, for the CIS patterns, the forty unrelated ones and the wide filters.
#[test]
fn every_generated_record_matches_the_same_on_both_paths() {
    let mut patterns: Vec<String> = trailgen::CIS.iter().map(|(_, p)| p.to_string()).collect();
    patterns.extend(trailgen::unrelated());
    patterns.extend(filters().into_iter().map(|f| f.1));
    let set = PatternSet::new(
        patterns
            .iter()
            .map(|p| FilterPattern::parse(p).unwrap())
            .collect(),
    );
    let mut fast = set.raw_matcher();
    let (mut records, mut matched, mut parsed) = (0, 0, 0);
    let mut out = Vec::new();
    trailgen::generate(&Spec::small(3), &mut |f| {
        let doc: Value = serde_json::from_str(&f.text).unwrap();
        for r in doc["Records"].as_array().unwrap() {
            let text = r.to_string();
            let reference = set.matches_json(&gsl::pattern::parse_event(&text).unwrap());
            parsed += usize::from(fast.matches_into(&text, &mut out));
            assert_eq!(out, reference, "{text}");
            records += 1;
            matched += usize::from(reference.contains(&true));
        }
    });
    assert!(matched > 0 && matched < records);
    // Most records are never parsed.
    assert!(parsed * 4 < records, "{parsed} of {records} parsed");
}

/// Files are read and matched on every core and tallied in file order: the report is
/// the same with one thread as with several (first and last matches, the misses named
/// and the alarm series all depend on the order records are tallied in).
#[test]
fn the_report_does_not_depend_on_the_number_of_threads() {
    let spec = Spec {
        days: 4,
        ..Spec::small(5)
    };
    let dir = tempfile::tempdir().unwrap();
    trailgen::write(&spec, dir.path()).unwrap();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            serde_json::to_value(replay::replay_with(
                &graph(&spec),
                controls(),
                &[dir.path().to_path_buf()],
                Options::default(),
            ))
            .unwrap()
        })
    };
    let one = run(1);
    assert!(one["records"].as_u64().unwrap() > 500, "{}", one["records"]);
    for threads in [2, 3, 8] {
        assert_eq!(run(threads), one, "{threads} threads");
    }
}
