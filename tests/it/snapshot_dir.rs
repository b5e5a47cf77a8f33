//! `gsl check --snapshot DIR`: a directory of per-account snapshots (as
//! `gsl collect --split DIR` writes them) checks the same as one snapshot of all
//! accounts. Built from the graph builder's fixture (no server needed).

use assert_cmd::Command;
use gsl::collect::{build_snapshot, Collected};
use gsl::entity::CollectionError;

fn fixture(account: &str) -> Collected {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/collect/pending-subscriptions.json"
    );
    let text = std::fs::read_to_string(path).expect("fixture");
    let text = text.replace("123456789012", account);
    serde_json::from_str(&text).expect("fixture is a Collected document")
}

fn gsl() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gsl"));
    cmd.env("NO_COLOR", "1");
    cmd
}

fn check_json(path: &std::path::Path) -> (Option<i32>, serde_json::Value) {
    let out = gsl()
        .args(["check", "--format", "json", "--snapshot"])
        .arg(path)
        .output()
        .expect("gsl runs");
    let mut report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    // The snapshot's name is the path given; everything else must agree (accounts,
    // collection time, collection errors, every result).
    let name = report["snapshot"]
        .as_object_mut()
        .and_then(|o| o.remove("name"));
    assert!(name.is_some(), "{report}");
    (out.status.code(), report)
}

#[test]
fn a_directory_of_account_snapshots_checks_like_one_snapshot() {
    let mut a = fixture("111111111111");
    let b = fixture("222222222222");
    a.errors.push(CollectionError {
        account_number: "111111111111".into(),
        region: Some("us-east-1".into()),
        service: "sns".into(),
        operation: "ListTopics".into(),
        code: "AccessDenied".into(),
        message: "denied".into(),
        entity_types: vec!["SnsTopic".into()],
    });
    let at = Some("2026-11-20T10:00:00Z".to_string());
    let dir = tempfile::tempdir().expect("tempdir");
    let whole = dir.path().join("whole.json");
    let split = dir.path().join("split");
    std::fs::create_dir(&split).expect("mkdir");
    let write = |path: &std::path::Path, c: &[Collected], at: Option<String>| {
        let s = build_snapshot(c, at);
        std::fs::write(path, serde_json::to_string(&s).expect("json")).expect("write");
    };
    write(&whole, &[a.clone(), b.clone()], at.clone());
    write(&split.join("111111111111.json"), &[a], at.clone());
    // A later collection time in the second file: the merged snapshot keeps the
    // earliest, so time-relative rules judge alike.
    write(
        &split.join("222222222222.json"),
        &[b],
        Some("2026-11-20T11:00:00Z".into()),
    );
    std::fs::write(split.join("README.txt"), "not a snapshot").expect("write");

    let (code_whole, report_whole) = check_json(&whole);
    let (code_split, report_split) = check_json(&split);
    assert_eq!(code_whole, code_split);
    assert_eq!(report_whole, report_split);
    let text = report_whole.to_string();
    assert!(
        text.contains("111111111111") && text.contains("222222222222"),
        "{text}"
    );
}

#[test]
fn a_directory_must_hold_distinct_accounts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = build_snapshot(&[fixture("111111111111")], None);
    let text = serde_json::to_string(&s).expect("json");
    std::fs::write(dir.path().join("a.json"), &text).expect("write");
    std::fs::write(dir.path().join("b.json"), &text).expect("write");
    gsl()
        .args(["check", "--snapshot"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "gsl::snapshot::duplicate_account",
        ))
        .stderr(predicates::str::contains("111111111111"));
    let empty = tempfile::tempdir().expect("tempdir");
    gsl()
        .args(["check", "--snapshot"])
        .arg(empty.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("gsl::snapshot::empty_dir"));
}
