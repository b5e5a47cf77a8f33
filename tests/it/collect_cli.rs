//! The live-collection flags, region planning and the failures that stop a run.
//! No server needed.
#![cfg(feature = "aws")]

use crate::support;

use clap::Parser;
use gsl::cli::live::{CollectArgs, LiveArgs};
use gsl::collect::{self, CollectError, CollectOptions};
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
    assert!(!opts.progress);
    assert!(!opts.all_regions);

    let defaults = parse(&[]).expect("no flags");
    assert_eq!(defaults.out, None);
    assert!(!defaults.pretty);
    assert_eq!(defaults.live.collect_options().concurrency, 0);
    assert!(defaults.live.collect_options().progress);
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

async fn config(region: Option<&str>) -> aws_config::SdkConfig {
    let mut b = aws_config::SdkConfig::builder();
    if let Some(r) = region {
        b = b.region(aws_config::Region::new(r.to_string()));
    }
    b.build()
}

#[tokio::test]
async fn regions_are_planned() {
    let c = config(Some("eu-west-1")).await;
    let plan = |o: CollectOptions| collect::plan_regions(&c, &o);

    let (regions, probe) = plan(CollectOptions::default()).expect("configured region");
    assert_eq!(regions, vec!["eu-west-1"]);
    assert!(probe.is_empty());

    let (regions, probe) = plan(CollectOptions {
        regions: vec!["us-east-1".into(), "eu-west-1".into(), "us-east-1".into()],
        ..Default::default()
    })
    .expect("explicit");
    assert_eq!(regions, vec!["us-east-1", "eu-west-1"]);
    assert!(probe.is_empty());

    let (regions, probe) = plan(CollectOptions {
        all_regions: true,
        ..Default::default()
    })
    .expect("all");
    assert!(regions.contains(&"us-east-1".to_string()));
    assert!(regions.contains(&"af-south-1".to_string()));
    assert!(probe.contains("af-south-1"));
    assert!(!probe.contains("us-east-1"));
    let gov = config(Some("us-gov-west-1")).await;
    let (gov_regions, _) = collect::plan_regions(
        &gov,
        &CollectOptions {
            all_regions: true,
            ..Default::default()
        },
    )
    .expect("gov");
    assert_eq!(gov_regions, vec!["us-gov-west-1", "us-gov-east-1"]);

    assert!(matches!(
        plan(CollectOptions {
            regions: vec!["US East".into()],
            ..Default::default()
        }),
        Err(CollectError::InvalidRegion(_))
    ));
    let none = config(None).await;
    assert!(matches!(
        collect::plan_regions(&none, &CollectOptions::default()),
        Err(CollectError::NoRegion)
    ));
}

#[tokio::test]
async fn no_identity_stops_the_run_with_a_diagnostic() {
    use miette::Diagnostic;
    // Nothing listens on port 1: STS is unreachable.
    let config = support::test_sdk_config("us-east-1", Some("http://127.0.0.1:1")).await;
    let err = collect::collect(&config, &CollectOptions::default())
        .await
        .expect_err("no account id, no collection");
    match &err {
        CollectError::Identity { region, code, .. } => {
            assert_eq!(region, "us-east-1");
            assert_eq!(code, "Unreachable");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        err.code().map(|c| c.to_string()).as_deref(),
        Some("gsl::collect::identity")
    );
    assert!(err.help().is_some());
}

#[test]
fn summary_counts_entities_and_errors() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/collect/pending-subscriptions.json"
    ))
    .expect("fixture");
    let collected: collect::Collected = serde_json::from_str(&text).expect("fixture");
    let snapshot = collect::build_snapshot(&[collected], None);
    let line = gsl::cli::live::summary(&snapshot, 11);
    assert_eq!(
        line,
        "collected account 123456789012 (1 region): 2 CloudTrail, 4 CloudWatchAlarm, 2 LogGroup, \
         4 MetricFilter, 3 SnsTopic; 11 API calls, 1 collection error"
    );
}
