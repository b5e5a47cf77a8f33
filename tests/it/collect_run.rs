//! `gsl collect` end to end through the binary, configured the way users configure
//! the SDK: environment variables (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`,
//! static keys), set on the child process only.
#![cfg(feature = "aws")]

use crate::support;

use assert_cmd::Command;

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

    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("snapshot.json");
    let collect = |extra_env: &[(&str, &str)]| {
        let mut cmd = Command::cargo_bin("gsl").expect("the gsl binary");
        cmd.envs(moto.endpoint_env());
        for (key, value) in [
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]
        .iter()
        .chain(extra_env)
        {
            cmd.env(key, value);
        }
        for key in ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE"] {
            cmd.env_remove(key);
        }
        cmd.args([
            "collect",
            "--stats",
            "--max-attempts",
            "2",
            "--timeout",
            "60",
        ])
        .arg("--out")
        .arg(&out)
        .arg("--pretty")
        .output()
        .expect("gsl collect runs")
    };

    let run = collect(&[]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
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
    let run = collect(&[("AWS_ENDPOINT_URL_SNS", "http://127.0.0.1:1")]);
    assert_eq!(
        run.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let snapshot: gsl::entity::Snapshot =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("valid");
    assert_eq!(snapshot.errors.len(), 1, "{:#?}", snapshot.errors);
    assert_eq!(snapshot.errors[0].operation, "ListTopics");
    assert_eq!(snapshot.errors[0].code, "Unreachable");
}
