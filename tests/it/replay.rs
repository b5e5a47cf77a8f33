//! `gsl replay` over generated CloudTrail log files with planted counts: per filter,
//! per alarm (firings under its period, statistic and threshold; whom it notifies),
//! per control (required events no delivering filter catches, noise), and input that
//! cannot be read named and counted without stopping the run.

use assert_cmd::Command;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

const ACCOUNT: &str = "111111111111";
const ROOT: &str = r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;

fn snapshot() -> Value {
    let alarm_arn = format!("arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:root-alarm");
    let topic = format!("arn:aws:sns:us-east-1:{ACCOUNT}:alerts");
    let joined_alarm = json!({"name": "root-alarm", "arn": alarm_arn, "actionsEnabled": true,
        "actions": [{"action": topic, "subscriptions": [
            {"subscriptionArn": format!("{topic}:1"), "endpoint": "secops@example.com", "protocol": "email", "pendingConfirmation": false},
            {"subscriptionArn": "PendingConfirmation", "endpoint": "new@example.com", "protocol": "email", "pendingConfirmation": true}]}]});
    json!({"schemaVersion": 1, "accounts": [{"accountNumber": ACCOUNT, "entities": {
        "CloudTrail": [{
            "id": format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main"), "type": "CloudTrail", "name": "main",
            "accountNumber": ACCOUNT, "region": "us-east-1", "homeRegion": "us-east-1",
            "isMultiRegionTrail": true, "status": {"isLogging": true},
            "cloudWatchLogsLogGroupArn": format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:ct:*"),
            "metricFilters": [
                {"filterName": "root", "filterPattern": ROOT, "logGroupName": "ct",
                 "metricTransformations": [{"metricName": "RootUsage", "metricNamespace": "CIS", "metricValue": "1", "alarms": [joined_alarm]}]},
                {"filterName": "any-console-login", "filterPattern": "{ $.eventName = ConsoleLogin }", "logGroupName": "ct",
                 "metricTransformations": [{"metricName": "Logins", "metricNamespace": "CIS", "metricValue": "1", "alarms": []}]}
            ]}],
        "CloudWatchAlarm": [{"id": alarm_arn, "arn": alarm_arn, "name": "root-alarm", "type": "CloudWatchAlarm",
            "accountNumber": ACCOUNT, "region": "us-east-1", "actionsEnabled": true,
            "statistic": "Sum", "period": 300, "threshold": 1.0,
            "comparisonOperator": "GreaterThanOrEqualToThreshold", "evaluationPeriods": 1}]
    }}]})
}

fn event(name: &str, time: &str, extra: Value) -> Value {
    let mut e = json!({"eventVersion": "1.08", "eventName": name, "eventTime": time,
        "awsRegion": "eu-west-1", "recipientAccountId": ACCOUNT, "eventType": "AwsApiCall",
        "userIdentity": {"type": "IAMUser"}});
    if let (Some(m), Value::Object(x)) = (e.as_object_mut(), extra) {
        m.extend(x);
    }
    e
}

fn gz(path: &Path, text: &str) {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(text.as_bytes()).unwrap();
    std::fs::write(path, enc.finish().unwrap()).unwrap();
}

/// Three root events (two in one 5-minute period, one an hour later: two firings),
/// two console logins without MFA and one with, a policy deletion no filter watches,
/// an event of an account the snapshot does not cover; then a CloudWatch Logs export
/// with a bad line and a record that is not an object, and a truncated gzip file.
fn logs(dir: &Path) {
    let root = json!({"userIdentity": {"type": "Root"}});
    let no_mfa = json!({"additionalEventData": {"MFAUsed": "No"}, "responseElements": {"ConsoleLogin": "Success"}});
    let mfa = json!({"additionalEventData": {"MFAUsed": "Yes"}, "responseElements": {"ConsoleLogin": "Success"}});
    let day = dir.join(format!("AWSLogs/{ACCOUNT}/CloudTrail/eu-west-1/2026/11/02"));
    std::fs::create_dir_all(&day).unwrap();
    let mut elsewhere = event("DeletePolicy", "2026-11-02T11:30:00Z", json!({}));
    elsewhere["recipientAccountId"] = json!("999999999999");
    let records = json!({"Records": [
        event("ListBuckets", "2026-11-02T10:00:10Z", root.clone()),
        event("GetCallerIdentity", "2026-11-02T10:03:00Z", root.clone()),
        event("ConsoleLogin", "2026-11-02T10:20:00Z", no_mfa.clone()),
        event("ConsoleLogin", "2026-11-02T10:21:00Z", mfa),
        event("ConsoleLogin", "2026-11-02T10:22:00Z", no_mfa),
        event("DeletePolicy", "2026-11-02T10:30:00Z", json!({})),
        event("ListUsers", "2026-11-02T11:02:00Z", root),
        elsewhere,
    ]});
    gz(&day.join("a.json.gz"), &records.to_string());
    let export = format!(
        "2026-11-02T12:00:00.000Z {}\nthis is not json\n[1, 2]\n",
        event("DeletePolicy", "2026-11-02T12:00:00Z", json!({}))
    );
    std::fs::write(dir.join("export.jsonl"), export).unwrap();
    // A gzip stream cut in the middle.
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(records.to_string().as_bytes()).unwrap();
    let whole = enc.finish().unwrap();
    std::fs::write(dir.join("cut.json.gz"), &whole[..whole.len() / 2]).unwrap();
}

#[test]
fn replay_reports_the_planted_counts() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap.json");
    std::fs::write(&snap, snapshot().to_string()).unwrap();
    let logs_dir = dir.path().join("logs");
    logs(&logs_dir);
    let out = Command::cargo_bin("gsl")
        .unwrap()
        .args([
            "replay",
            "--pack",
            "cis-aws@5.0.0",
            "-f",
            "json",
            "--snapshot",
        ])
        .arg(&snap)
        .arg("--logs")
        .arg(&logs_dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Input was skipped: the exit status says so.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    // 8 records in the file, 1 in the export, and what the cut file gave before its end.
    let records = r["records"].as_u64().unwrap();
    assert!(records >= 9, "{r}");
    assert_eq!(r["undelivered"].as_u64().unwrap(), records - 9 + 1, "{r}");

    let filter = |name: &str| {
        r["filters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(filter("root")["matched"], 3, "{r}");
    assert_eq!(filter("root")["firstMatch"], "2026-11-02T10:00:10Z");
    assert_eq!(filter("root")["lastMatch"], "2026-11-02T11:02:00Z");
    assert_eq!(filter("any-console-login")["matched"], 3, "{r}");

    let alarm = &r["alarms"][0];
    assert_eq!(alarm["name"], "root-alarm");
    assert_eq!(alarm["alarms"], 2, "two periods with root usage: {alarm}");
    assert_eq!(alarm["firstAlarm"], "2026-11-02T10:00:00Z");
    assert_eq!(
        alarm["series"],
        json!([["2026-11-02T10:00:00Z", 2.0], ["2026-11-02T11:00:00Z", 1.0]])
    );
    assert_eq!(
        alarm["notifies"][0]["confirmed"],
        json!(["secops@example.com"])
    );

    let control = |id: &str| {
        r["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no control {id}: {r}"))
            .clone()
    };
    let root = control("CIS-AWS-4.3");
    assert_eq!(
        (root["required"].as_u64(), root["missed"].as_u64()),
        (Some(3), Some(0))
    );
    let console = control("CIS-AWS-4.2");
    assert_eq!(console["required"], 2, "{console}");
    assert_eq!(console["missed"], 0, "{console}");
    // The wide console filter catches the login with MFA too: noise for 4.2.
    assert_eq!(
        console["noise"],
        json!([{"filter": format!("{ACCOUNT}/us-east-1/ct/any-console-login"), "other": 1}])
    );
    let policy = control("CIS-AWS-4.4");
    assert_eq!(policy["required"], 2, "{policy}");
    assert_eq!(policy["missed"], 2, "{policy}");
    assert_eq!(policy["misses"][0]["eventName"], "DeletePolicy");
    assert!(
        policy["misses"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("a.json.gz"),
        "{policy}"
    );
    assert_eq!(policy["misses"][0]["at"], "record 6");
    assert_eq!(policy["misses"][1]["at"], "line 1");

    // The bad line, the array record and the cut gzip are each named.
    let skipped = r["skipped"].as_array().unwrap();
    let at = |file: &str, at: &str| {
        skipped.iter().any(|s| {
            s["file"].as_str().unwrap().ends_with(file) && s["at"].as_str().unwrap().starts_with(at)
        })
    };
    assert!(at("export.jsonl", "line 2"), "{skipped:?}");
    assert!(at("export.jsonl", "line 3"), "{skipped:?}");
    assert!(at("cut.json.gz", "byte"), "{skipped:?}");
    assert_eq!(skipped.len(), 3, "{skipped:?}");
}

#[test]
fn replay_renders_text_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap.json");
    std::fs::write(&snap, snapshot().to_string()).unwrap();
    let logs_dir = dir.path().join("logs");
    logs(&logs_dir);
    std::fs::remove_file(logs_dir.join("cut.json.gz")).unwrap();
    std::fs::write(
        logs_dir.join("export.jsonl"),
        format!(
            "{}\n",
            event("DeletePolicy", "2026-11-02T12:00:00Z", json!({}))
        ),
    )
    .unwrap();
    for (format, needles) in [
        (
            "text",
            vec![
                "root-alarm: would have gone to ALARM 2 time(s), first at 2026-11-02T10:00:00Z",
                "notifies arn:aws:sns:us-east-1:111111111111:alerts: secops@example.com",
                "CIS-AWS-4.4",
                "missed DeletePolicy 2026-11-02T10:30:00Z",
            ],
        ),
        ("markdown", vec!["## gsl replay", "| root-alarm | 2 |"]),
    ] {
        let out = Command::cargo_bin("gsl")
            .unwrap()
            .args([
                "replay",
                "--pack",
                "cis-aws@5.0.0",
                "--id",
                "CIS-AWS-4.*",
                "-f",
                format,
                "--snapshot",
            ])
            .arg(&snap)
            .arg("--logs")
            .arg(&logs_dir)
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8_lossy(&out);
        for n in needles {
            assert!(text.contains(n), "{format}: {n}\n{text}");
        }
    }
}
