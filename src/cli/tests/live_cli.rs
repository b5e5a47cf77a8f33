//! The live-collection flags (`gsl collect`, `check --live`, `repl --live`) and the
//! text `gsl collect` prints. No server needed.

use crate::cli::live::{report_errors, CollectArgs, LiveArgs};
use clap::Parser;
use gsl::entity::CollectionError;
use std::time::Duration;

#[derive(Parser, Debug)]
struct Cli {
    #[command(flatten)]
    collect: CollectArgs,
}

fn parse(args: &[&str]) -> Result<CollectArgs, clap::Error> {
    Cli::try_parse_from(std::iter::once("gsl").chain(args.iter().copied())).map(|c| c.collect)
}

#[test]
fn flags_map_to_options() {
    let a = parse(&[
        "--region",
        "us-east-1",
        "--region",
        "eu-west-1",
        "--profile",
        "audit",
        "--stats",
        "--max-attempts",
        "2",
        "--timeout",
        "5",
        "--concurrency",
        "4",
        "--endpoint-url",
        "http://127.0.0.1:4566",
        "--no-progress",
        "--out",
        "snap.json",
        "--pretty",
    ])
    .expect("valid flags");
    assert_eq!(a.out.as_deref(), Some(std::path::Path::new("snap.json")));
    assert!(a.pretty);
    let live: &LiveArgs = &a.live;
    assert!(live.stats);
    let sdk = live.sdk_options();
    assert_eq!(sdk.profile.as_deref(), Some("audit"));
    assert_eq!(sdk.region.as_deref(), Some("us-east-1"));
    assert_eq!(sdk.max_attempts, Some(2));
    assert_eq!(sdk.timeout, Some(Duration::from_secs(5)));
    assert_eq!(sdk.endpoint_url.as_deref(), Some("http://127.0.0.1:4566"));
    let opts = live.collect_options();
    assert_eq!(opts.regions, vec!["us-east-1", "eu-west-1"]);
    assert_eq!(opts.concurrency, 4);
    assert!(!opts.progress.is_reported());
    assert!(!opts.all_regions);

    let defaults = parse(&[]).expect("no flags");
    assert_eq!(defaults.out, None);
    assert!(!defaults.pretty);
    assert_eq!(defaults.live.collect_options().concurrency, 0);
    assert!(defaults.live.collect_options().progress.is_reported());
}

#[test]
fn bad_flags_are_rejected() {
    for bad in [
        &["--all-regions", "--region", "us-east-1"][..],
        &["--max-attempts", "0"],
        &["--timeout", "0"],
        &["--concurrency", "0"],
        &["--concurrency", "many"],
    ] {
        assert!(parse(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn summary_counts_entities_and_errors() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/collect/pending-subscriptions.json"
    ))
    .expect("fixture");
    let collected: gsl::collect::Collected = serde_json::from_str(&text).expect("fixture");
    let snapshot = gsl::collect::build_snapshot(&[collected], None);
    let line = crate::cli::live::summary(&snapshot, 11);
    // The five chain types have entities; every other collected type is named as none.
    let others = gsl::collect::types::TYPES.len() - 5;
    assert_eq!(
        line,
        format!(
            "collected account 123456789012 (1 region): 2 CloudTrail, 4 CloudWatchAlarm, \
             2 LogGroup, 4 MetricFilter, 3 SnsTopic, none of the other {others} types; \
             11 API calls, 1 collection error"
        )
    );
}

#[test]
fn collection_errors_are_listed_one_per_line() {
    let error =
        |region: Option<&str>, service: &str, operation: &str, code: &str, types: &[&str]| {
            CollectionError {
                account_number: "123456789012".into(),
                region: region.map(str::to_string),
                service: service.into(),
                operation: operation.into(),
                code: code.into(),
                message: "first line\nsecond line".into(),
                entity_types: types.iter().map(|t| t.to_string()).collect(),
            }
        };
    let errors = [
        error(
            Some("eu-west-1"),
            "cloudtrail",
            "DescribeTrails",
            "Unreachable",
            &["CloudTrail"],
        ),
        error(
            Some("us-east-1"),
            "sns",
            "ListTopics",
            "AccessDenied",
            &["SnsTopic"],
        ),
        error(None, "sts", "GetCallerIdentity", "Throttling", &[]),
    ];
    let mut shown = Vec::new();
    report_errors(&mut shown, &errors).expect("report");
    let shown = String::from_utf8(shown).expect("utf-8");
    assert!(shown.contains("3 collection errors"), "{shown}");
    assert!(
        shown.contains("eu-west-1 cloudtrail:DescribeTrails Unreachable: first line [CloudTrail]"),
        "{shown}"
    );
    assert!(
        shown.contains("global sts:GetCallerIdentity Throttling"),
        "{shown}"
    );
    assert!(!shown.contains("second line"), "{shown}");
    let mut none = Vec::new();
    report_errors(&mut none, &[]).expect("report");
    assert!(none.is_empty());
}
