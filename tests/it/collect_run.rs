//! `gsl collect` end to end through `run_collect`, configured the way users configure
//! the SDK: environment variables (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_CLOUDWATCH`,
//! static keys). This binary holds a single test, so setting the process environment
//! races with nothing.
#![cfg(feature = "aws")]

use crate::support;

use gsl::cli::live::{run_collect, CollectArgs, LiveArgs};
use std::process::ExitCode;

#[test]
fn collect_writes_a_snapshot_configured_from_the_environment() {
    let moto = support::Moto::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let config = moto.sdk_config("us-east-1").await;
        aws_sdk_sns::Client::new(&config)
            .create_topic()
            .name("alerts")
            .send()
            .await
            .expect("CreateTopic");
    });
    drop(runtime);

    for (key, value) in [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_ENDPOINT_URL", moto.url.as_str()),
        ("AWS_ENDPOINT_URL_CLOUDWATCH", moto.cloudwatch_url.as_str()),
    ] {
        std::env::set_var(key, value);
    }
    for key in ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE"] {
        std::env::remove_var(key);
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("snapshot.json");
    let args = CollectArgs {
        live: LiveArgs {
            stats: true,
            max_attempts: Some(2),
            timeout: Some(60),
            ..Default::default()
        },
        out: Some(out.clone()),
        pretty: true,
        split: None,
    };
    let code = run_collect(&args).expect("collect runs");
    assert_eq!(code, ExitCode::SUCCESS);
    let text = std::fs::read_to_string(&out).expect("snapshot written");
    assert!(
        text.starts_with("{\n  \"schemaVersion\": 1"),
        "not pretty: {}",
        &text[..40.min(text.len())]
    );
    let snapshot: gsl::entity::Snapshot = serde_json::from_str(&text).expect("valid snapshot");
    assert!(snapshot.errors.is_empty(), "{:#?}", snapshot.errors);
    assert!(snapshot.collected_at.is_some());
    let account = &snapshot.accounts[0];
    assert_eq!(account.account_number, "123456789012");
    assert_eq!(account.regions, vec!["us-east-1"]);
    assert_eq!(account.entities["SnsTopic"][0]["name"], "alerts");
    assert!(account.entities["CloudWatchAlarm"].is_empty());

    // A region nobody answers for: the snapshot is still written, the exit code says partial.
    std::env::set_var("AWS_ENDPOINT_URL_SNS", "http://127.0.0.1:1");
    let code = run_collect(&args).expect("collect runs");
    assert_eq!(code, ExitCode::from(gsl::cli::live::EXIT_PARTIAL));
    let snapshot: gsl::entity::Snapshot =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("valid");
    assert_eq!(snapshot.errors.len(), 1, "{:#?}", snapshot.errors);
    assert_eq!(snapshot.errors[0].operation, "ListTopics");
    assert_eq!(snapshot.errors[0].code, "Unreachable");
}
