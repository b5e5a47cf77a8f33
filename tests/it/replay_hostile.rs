//! `gsl replay` on hostile input: a gzip bomb and a giant record (refused by the
//! file-size limit, named, the run goes on), invalid UTF-8, nesting far deeper than
//! any parser's recursion limit.

use assert_cmd::Command;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

const ACCOUNT: &str = "111111111111";

fn snapshot(dir: &Path) -> std::path::PathBuf {
    let snap = json!({"schemaVersion": 1, "accounts": [{"accountNumber": ACCOUNT, "entities": {
        "CloudTrail": [{"id": "trail", "type": "CloudTrail", "name": "main", "accountNumber": ACCOUNT,
            "region": "us-east-1", "homeRegion": "us-east-1", "isMultiRegionTrail": true,
            "status": {"isLogging": true},
            "cloudWatchLogsLogGroupArn": format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:ct:*"),
            "metricFilters": [{"filterName": "console", "filterPattern": "{ $.eventName = ConsoleLogin }",
                "logGroupName": "ct", "metricTransformations": [{"metricName": "m", "metricNamespace": "n",
                    "metricValue": "1", "alarms": []}]}]}]}}]});
    let path = dir.join("snap.json");
    std::fs::write(&path, snap.to_string()).unwrap();
    path
}

fn event(name: &str) -> String {
    json!({"eventName": name, "eventTime": "2026-11-02T10:00:00Z", "awsRegion": "us-east-1",
        "recipientAccountId": ACCOUNT})
    .to_string()
}

/// Gzip `parts` (each repeated its count of times) to `path`, streaming.
fn gz_stream(path: &Path, parts: &[(&[u8], usize)]) {
    let mut enc = GzEncoder::new(std::fs::File::create(path).unwrap(), Compression::fast());
    for (bytes, times) in parts {
        for _ in 0..*times {
            enc.write_all(bytes).unwrap();
        }
    }
    enc.finish().unwrap();
}

fn replay(dir: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let out = Command::cargo_bin("gsl")
        .unwrap()
        .args([
            "replay",
            "--pack",
            "cis-aws@5.0.0",
            "--id",
            "CIS-AWS-4.2",
            "-f",
            "json",
        ])
        .args(extra)
        .arg("--snapshot")
        .arg(snapshot(dir))
        .arg("--logs")
        .arg(dir.join("logs"))
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), report)
}

fn matched(r: &Value) -> u64 {
    r["filters"][0]["matched"].as_u64().unwrap()
}

#[test]
fn a_gzip_bomb_and_a_giant_record_are_refused_by_the_limit_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    // 64 MiB of zeros in about 64 KiB.
    let zeros = vec![0u8; 1 << 20];
    gz_stream(&logs.join("bomb.json.gz"), &[(&zeros, 64)]);
    // One record of 16 MiB, written in pieces.
    let pad = vec![b'x'; 1 << 20];
    gz_stream(
        &logs.join("giant.json.gz"),
        &[
            (
                br#"{"Records":[{"eventName":"ConsoleLogin","recipientAccountId":"111111111111","pad":""#,
                1,
            ),
            (&pad, 16),
            (br#""}]}"#, 1),
        ],
    );
    std::fs::write(
        logs.join("fine.json"),
        format!("{{\"Records\":[{}]}}", event("ConsoleLogin")),
    )
    .unwrap();
    let (code, r) = replay(dir.path(), &["--max-file-size", "8388608"]);
    assert_eq!(code, Some(1), "{r}");
    // The run went on: the good file was replayed.
    assert_eq!((r["records"].as_u64(), matched(&r)), (Some(1), 1), "{r}");
    let skipped = r["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    for (s, file) in skipped.iter().zip(["bomb.json.gz", "giant.json.gz"]) {
        assert!(s["file"].as_str().unwrap().ends_with(file), "{s}");
        assert_eq!(s["at"], "byte 8388608");
        assert!(
            s["why"]
                .as_str()
                .unwrap()
                .starts_with("more than 8388608 bytes once decompressed"),
            "{s}"
        );
    }
    // The default limit (1 GiB) reads both.
    let (code, r) = replay(dir.path(), &[]);
    assert_eq!(code, Some(1), "the bomb's zeros are not JSON: {r}");
    assert_eq!(matched(&r), 2, "{r}");
}

#[test]
fn invalid_utf8_and_deep_nesting_are_read_without_harm() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    // Invalid UTF-8 inside a string: read with replacement characters.
    let mut bad = br#"{"eventName":"ConsoleLogin","userAgent":"a"#.to_vec();
    bad.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    bad.extend_from_slice(
        format!(
            "\",\"eventTime\":\"2026-11-02T10:00:00Z\",\"recipientAccountId\":\"{ACCOUNT}\"}}\n"
        )
        .as_bytes(),
    );
    std::fs::write(logs.join("a.jsonl"), &bad).unwrap();
    // A record nested a million deep (a candidate: it names ConsoleLogin), and an
    // unbalanced one.
    let depth = 1_000_000;
    let deep = format!(
        "{{\"Records\":[{{\"eventName\":\"ConsoleLogin\",\"recipientAccountId\":\"{ACCOUNT}\",\"x\":{}{}}}]}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    std::fs::write(logs.join("b.json"), deep).unwrap();
    std::fs::write(
        logs.join("c.jsonl"),
        format!(
            "{}\n{{\"x\":{}\n",
            event("ConsoleLogin"),
            "[{".repeat(depth)
        ),
    )
    .unwrap();
    let (code, r) = replay(dir.path(), &[]);
    assert_eq!(code, Some(1), "{r}");
    assert_eq!(r["records"], 3, "{r}");
    assert_eq!(matched(&r), 3, "{r}");
    let skipped = r["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0]["at"], "line 2");
}
