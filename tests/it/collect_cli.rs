//! Region planning and the failures that stop a run. No server needed. (The
//! command-line flags are tested in `src/cli/tests/live_cli.rs`.)
#![cfg(feature = "aws")]

use crate::support;

use gsl::collect::{self, CollectError, CollectOptions};

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
    // The network is named, not the credentials (which were never tried).
    let help = err.help().map(|h| h.to_string()).unwrap_or_default();
    assert!(help.contains("did not answer"), "{help}");
    assert!(!help.contains("check the credentials"), "{help}");
}
