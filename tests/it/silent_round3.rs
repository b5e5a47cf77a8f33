//! Issue 25, "never silently wrong, round 3", end to end: data that could not be
//! collected is `unknown` whatever the rule's shape and in every format; verdicts do
//! not depend on threads or on other accounts; a snapshot directory says what it
//! cannot read; ids are unique across a directory and waivers can name an account;
//! a file rewritten between reads is noticed; distinct strings are not equal as
//! numbers; waiver files are bounded and checked.

use assert_cmd::Command;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const FORMATS: [&str; 8] = [
    "text", "json", "sarif", "junit", "csv", "ocsf", "markdown", "html",
];

fn gsl() -> Command {
    let mut cmd = Command::cargo_bin("gsl").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut cmd = gsl();
    cmd.current_dir(dir).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn trail(account: &str, region: &str, name: &str) -> Value {
    json!({
        "id": format!("arn:aws:cloudtrail:{region}:{account}:trail/{name}"),
        "type": "CloudTrail", "name": name, "accountNumber": account, "region": region,
        "isMultiRegionTrail": true,
        "cloudWatchLogsRoleArn": "arn:aws:iam::1:role/r",
        "status": { "isLogging": true, "latestCloudWatchLogsDeliveryTime": "2026-11-20T09:00:00Z" },
        "metricFilters": []
    })
}

fn topic(account: &str, region: &str) -> Value {
    json!({
        "id": format!("arn:aws:sns:{region}:{account}:alerts"),
        "type": "SnsTopic", "name": "alerts", "accountNumber": account, "region": region,
        "subscriptions": [{ "protocol": "email", "endpoint": "a@example.com" }]
    })
}

fn snapshot(accounts: Vec<Value>, errors: Vec<Value>) -> String {
    serde_json::to_string_pretty(&json!({
        "schemaVersion": 1,
        "collectedAt": "2026-11-20T10:00:00Z",
        "accounts": accounts,
        "errors": errors,
    }))
    .unwrap()
}

/// Account 111111111111 is complete and compliant; 222222222222 could not be entered
/// (AssumeRole failed: every type is incomplete there); in 333333333333 the trails and
/// topics of eu-west-1 could not be listed (that region holds nothing read).
fn incomplete_org() -> String {
    let types = json!(["CloudTrail", "SnsTopic", "LogGroup", "CloudWatchAlarm"]);
    snapshot(
        vec![
            json!({ "accountNumber": "111111111111", "regions": ["us-east-1"], "entities": {
                "CloudTrail": [trail("111111111111", "us-east-1", "main")],
                "SnsTopic": [topic("111111111111", "us-east-1")] } }),
            json!({ "accountNumber": "222222222222", "regions": [], "entities": {} }),
            json!({ "accountNumber": "333333333333", "regions": ["us-east-1", "eu-west-1"], "entities": {
                "CloudTrail": [trail("333333333333", "us-east-1", "main")],
                "SnsTopic": [topic("333333333333", "us-east-1")] } }),
        ],
        vec![
            json!({ "accountNumber": "222222222222", "service": "sts", "operation": "AssumeRole",
                    "code": "AccessDenied", "message": "cannot assume the role", "entityTypes": types }),
            json!({ "accountNumber": "333333333333", "region": "eu-west-1", "service": "cloudtrail",
                    "operation": "DescribeTrails", "code": "AccessDenied", "message": "denied",
                    "entityTypes": ["CloudTrail"] }),
            json!({ "accountNumber": "333333333333", "region": "eu-west-1", "service": "sns",
                    "operation": "ListTopics", "code": "AccessDenied", "message": "denied",
                    "entityTypes": ["SnsTopic"] }),
        ],
    )
}

#[test]
fn entity_rules_are_unknown_where_collection_failed_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("org.json"), incomplete_org()).unwrap();
    let packs = root().join("policies/cloudguard");
    let policies = [
        packs.join("log-01-multi-region-trail.gsl"),
        packs.join("log-03-cloudwatch-logs-delivery.gsl"),
        packs.join("mon-19-sns-topic-subscriptions.gsl"),
    ];
    for format in FORMATS {
        let mut args: Vec<&str> = vec!["check"];
        args.extend(policies.iter().map(|p| p.to_str().unwrap()));
        args.extend(["--snapshot", "org.json", "--format", format]);
        let o = run_in(dir.path(), &args, &[]);
        assert_eq!(o.code, Some(1), "{format}: {}\n{}", o.stdout, o.stderr);
        assert!(
            o.stdout.to_lowercase().contains("unknown"),
            "{format}: {}",
            o.stdout
        );
        if format == "json" {
            let doc: Value = serde_json::from_str(&o.stdout).unwrap();
            for r in doc["results"].as_array().unwrap() {
                assert_eq!(r["status"], "unknown", "{}", r["id"]);
                let ids: Vec<&str> = r["entities"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|e| e["outcome"] == "unknown")
                    .map(|e| e["id"].as_str().unwrap())
                    .collect();
                let ty = r["entities"][0]["entityType"].as_str().unwrap().to_string();
                assert_eq!(
                    ids,
                    [
                        format!("{ty}@222222222222"),
                        format!("{ty}@333333333333/eu-west-1")
                    ],
                    "{}",
                    r["id"]
                );
            }
            // Per account: the complete one passes, the others are unknown.
            let accounts: Vec<(String, u64)> = doc["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    (
                        a["account"].as_str().unwrap().to_string(),
                        a["unknown"].as_u64().unwrap(),
                    )
                })
                .collect();
            assert_eq!(
                accounts,
                [
                    ("111111111111".to_string(), 0),
                    ("222222222222".to_string(), 3),
                    ("333333333333".to_string(), 3)
                ]
            );
        }
    }
}

#[test]
fn where_filters_and_list_rules_are_unknown_where_collection_failed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("org.json"), incomplete_org()).unwrap();
    for rule in [
        "CloudTrail where isMultiRegionTrail = true should have status.isLogging = true",
        "CloudTrail where name = 'nothing-has-this-name' should have status.isLogging = true",
        "List<CloudTrail> should have items contain [ isMultiRegionTrail = true ]",
        "SnsTopic where name like '%'",
    ] {
        let o = run_in(
            dir.path(),
            &["eval", rule, "--snapshot", "org.json", "--format", "json"],
            &[],
        );
        let doc: Value = serde_json::from_str(&o.stdout)
            .unwrap_or_else(|e| panic!("{rule}: {e}: {}{}", o.stdout, o.stderr));
        let r = &doc["results"][0];
        assert_eq!(r["status"], "unknown", "{rule}: {}", o.stdout);
        let unknown: Vec<&str> = r["entities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["outcome"] == "unknown")
            .map(|e| e["account"].as_str().unwrap())
            .collect();
        assert!(
            unknown.contains(&"222222222222") && unknown.contains(&"333333333333"),
            "{rule}: {unknown:?}"
        );
        assert_ne!(o.code, Some(0), "{rule}");
    }
}

/// `(a0||b_p(0)) && (a1||b_p(1)) && ...`, its clauses in the order given.
fn crossed(order: &[usize], perm: &[usize]) -> String {
    let clauses: Vec<String> = order
        .iter()
        .map(|&i| format!("($.a{i}=1||$.b{}=1)", perm[i]))
        .collect();
    format!("{{{}}}", clauses.join("&&"))
}

fn filter_entity(account: &str, pattern: &str) -> Value {
    json!({ "id": format!("arn:aws:logs:us-east-1:{account}:metric-filter/f"), "type": "MetricFilter",
            "name": "f", "accountNumber": account, "region": "us-east-1", "filterPattern": pattern })
}

/// The outcome of each entity of a `gsl check` JSON report, by id.
fn outcomes(stdout: &str) -> Vec<(String, String)> {
    let doc: Value = serde_json::from_str(stdout).unwrap();
    let mut v: Vec<(String, String)> = doc["results"][0]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_string(),
                e["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn verdicts_do_not_depend_on_threads_or_on_other_accounts() {
    // Two spellings of one filter (the same canonical form): their clauses in index
    // order, and following the cycles of the permutation. A proof of the pattern as
    // written orders the decision diagram's variables by the text, so the two cost
    // very different work against the rule's pattern.
    let n = 48;
    let perm: Vec<usize> = (0..n).map(|i| (i * 17 + 5) % n).collect();
    let plain: Vec<usize> = (0..n).collect();
    let mut cycles = Vec::new();
    let mut seen = vec![false; n];
    for start in 0..n {
        let mut i = start;
        while !seen[i] {
            seen[i] = true;
            cycles.push(i);
            i = perm[i];
        }
    }
    let (f1, f2) = (crossed(&plain, &perm), crossed(&cycles, &perm));
    let ident: Vec<usize> = (0..n).collect();
    let required = crossed(&plain, &ident);
    assert!(required.len() <= 1024 && f1.len() <= 1024);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.gsl"),
        format!("# id: EQ\n# title: t\n# severity: low\nMetricFilter should have filterPattern isFilterPatternEqual('{required}')\n"),
    )
    .unwrap();
    let accounts = [
        ("111111111111", f1.as_str()),
        ("222222222222", f2.as_str()),
        ("333333333333", f1.as_str()),
    ];
    let write = |name: &str, order: &[usize]| {
        let accts: Vec<Value> = order
            .iter()
            .map(|&k| {
                let (a, p) = accounts[k];
                json!({ "accountNumber": a, "entities": { "MetricFilter": [filter_entity(a, p)] } })
            })
            .collect();
        std::fs::write(dir.path().join(name), snapshot(accts, vec![])).unwrap();
    };
    let check = |name: &str, threads: &str| {
        let o = run_in(
            dir.path(),
            &["check", "p.gsl", "--snapshot", name, "--format", "json"],
            &[("RAYON_NUM_THREADS", threads)],
        );
        assert!(o.code == Some(0) || o.code == Some(1), "{}", o.stderr);
        outcomes(&o.stdout)
    };
    // Each spelling alone.
    write("alone1.json", &[0]);
    write("alone2.json", &[1]);
    let mut expected = check("alone1.json", "1");
    expected.extend(check("alone2.json", "1"));
    let mut alone3 = expected[0].clone();
    alone3.0 = alone3.0.replace("111111111111", "333333333333");
    expected.push(alone3);
    expected.sort();
    let orders: [[usize; 3]; 6] = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    for order in orders {
        let name = format!("org-{}{}{}.json", order[0], order[1], order[2]);
        write(&name, &order);
        assert_eq!(check(&name, "1"), expected, "accounts in order {order:?}");
    }
    for threads in ["2", "8"] {
        for order in [[0, 1, 2], [1, 0, 2]] {
            let name = format!("org-{}{}{}.json", order[0], order[1], order[2]);
            assert_eq!(
                check(&name, threads),
                expected,
                "{threads} threads, order {order:?}"
            );
        }
    }
}

fn one_account(account: &str, trail_name: &str, multi: bool) -> String {
    let mut t = trail(account, "us-east-1", trail_name);
    t["isMultiRegionTrail"] = json!(multi);
    snapshot(
        vec![json!({ "accountNumber": account, "entities": { "CloudTrail": [t] } })],
        vec![],
    )
}

fn log01() -> String {
    root()
        .join("policies/cloudguard/log-01-multi-region-trail.gsl")
        .display()
        .to_string()
}

#[cfg(unix)]
#[test]
fn a_snapshot_directory_refuses_json_entries_it_cannot_read() {
    use std::os::unix::fs::symlink;
    type Make<'a> = &'a dyn Fn(&Path);
    let cases: [(&str, Make<'_>); 4] = [
        ("dangling link", &|d: &Path| {
            symlink(d.join("gone.json"), d.join("222222222222.json")).unwrap()
        }),
        ("self-loop link", &|d: &Path| {
            symlink(d.join("222222222222.json"), d.join("222222222222.json")).unwrap()
        }),
        ("directory named x.json", &|d: &Path| {
            std::fs::create_dir(d.join("222222222222.json")).unwrap()
        }),
        ("FIFO", &|d: &Path| {
            let status = std::process::Command::new("mkfifo")
                .arg(d.join("222222222222.json"))
                .status()
                .unwrap();
            assert!(status.success());
        }),
    ];
    for (what, make) in cases {
        let dir = tempfile::tempdir().unwrap();
        let snaps = dir.path().join("snaps");
        std::fs::create_dir(&snaps).unwrap();
        std::fs::write(
            snaps.join("111111111111.json"),
            one_account("111111111111", "main", true),
        )
        .unwrap();
        make(&snaps);
        let o = run_in(dir.path(), &["check", &log01(), "--snapshot", "snaps"], &[]);
        assert_eq!(o.code, Some(2), "{what}: {}{}", o.stdout, o.stderr);
        assert!(
            o.stderr.contains("222222222222.json"),
            "{what}: {}",
            o.stderr
        );
    }
}

#[test]
fn a_snapshot_directory_reads_json_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    let snaps = dir.path().join("snaps");
    std::fs::create_dir(&snaps).unwrap();
    std::fs::write(
        snaps.join("111111111111.json"),
        one_account("111111111111", "main", true),
    )
    .unwrap();
    std::fs::write(
        snaps.join("222222222222.JSON"),
        one_account("222222222222", "other", false),
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &["check", &log01(), "--snapshot", "snaps", "--format", "json"],
        &[],
    );
    assert_eq!(o.code, Some(1), "{}{}", o.stdout, o.stderr);
    let doc: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(
        doc["snapshot"]["accounts"],
        json!(["111111111111", "222222222222"])
    );
}

#[test]
fn entity_ids_are_unique_across_a_snapshot_directory() {
    let dir = tempfile::tempdir().unwrap();
    let snaps = dir.path().join("snaps");
    std::fs::create_dir(&snaps).unwrap();
    let same_id = |account: &str, multi: bool| {
        let mut t = trail("111111111111", "us-east-1", "main");
        t["accountNumber"] = json!(account);
        t["isMultiRegionTrail"] = json!(multi);
        snapshot(
            vec![json!({ "accountNumber": account, "entities": { "CloudTrail": [t] } })],
            vec![],
        )
    };
    std::fs::write(snaps.join("a.json"), same_id("111111111111", false)).unwrap();
    std::fs::write(snaps.join("b.json"), same_id("222222222222", false)).unwrap();
    let o = run_in(dir.path(), &["check", &log01(), "--snapshot", "snaps"], &[]);
    assert_eq!(o.code, Some(2), "{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains("gsl::snapshot::duplicate_id"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("a.json") && o.stderr.contains("b.json"),
        "{}",
        o.stderr
    );
}

#[test]
fn a_waiver_naming_an_account_waives_only_there() {
    let dir = tempfile::tempdir().unwrap();
    let mut accounts = Vec::new();
    for a in ["111111111111", "222222222222"] {
        let mut t = trail(a, "us-east-1", "main");
        t["isMultiRegionTrail"] = json!(false);
        accounts.push(json!({ "accountNumber": a, "entities": { "CloudTrail": [t] } }));
    }
    std::fs::write(dir.path().join("org.json"), snapshot(accounts, vec![])).unwrap();
    std::fs::write(
        dir.path().join("w.yaml"),
        "waivers:\n  - policy: D9.AWS.LOG.01\n    entity: '*:trail/main'\n    account: '111111111111'\n    reason: the org trail covers it\n    expires: 2099-01-01\n",
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &[
            "check",
            &log01(),
            "--snapshot",
            "org.json",
            "--waivers",
            "w.yaml",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(o.code, Some(1), "{}{}", o.stdout, o.stderr);
    let doc: Value = serde_json::from_str(&o.stdout).unwrap();
    let r = &doc["results"][0];
    assert_eq!(r["status"], "failed");
    let waived: Vec<&str> = r["waived"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["entity"].as_str().unwrap())
        .collect();
    assert_eq!(
        waived,
        ["arn:aws:cloudtrail:us-east-1:111111111111:trail/main"]
    );
}

/// `gsl check` of LOG.01 over one account whose trail fails, with this waiver file.
fn check_with_waivers(yaml: &str) -> Out {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("org.json"),
        one_account("111111111111", "main", false),
    )
    .unwrap();
    std::fs::write(dir.path().join("w.yaml"), yaml).unwrap();
    run_in(
        dir.path(),
        &[
            "check",
            &log01(),
            "--snapshot",
            "org.json",
            "--waivers",
            "w.yaml",
        ],
        &[],
    )
}

#[test]
fn waivers_that_match_nothing_or_name_no_policy_are_warned_about() {
    let o = check_with_waivers(
        "waivers:\n  - policy: D9.AWS.LOG.1\n    reason: typo\n    expires: 2099-01-01\n  - policy: D9.AWS.LOG.01\n    entity: 'arn:aws:cloudtrail:*:999999999999:*'\n    reason: another account\n    expires: 2099-01-01\n",
    );
    assert_eq!(o.code, Some(1), "{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains("gsl::waiver::unknown_policy"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("did you mean `D9.AWS.LOG.01`?"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("gsl::waiver::unused"), "{}", o.stderr);
    assert!(o.stderr.contains("waiver 2"), "{}", o.stderr);
}

#[test]
fn a_waiver_reason_of_invisible_characters_is_refused() {
    for reason in [
        "\"\\u200B\\u200D\"",
        "\"\\u00A0\\u2060 \\uFEFF\"",
        "\"\\u00AD\"",
    ] {
        let o = check_with_waivers(&format!(
            "waivers:\n  - policy: D9.AWS.LOG.01\n    reason: {reason}\n    expires: 2099-01-01\n"
        ));
        assert_eq!(o.code, Some(2), "{reason}: {}{}", o.stdout, o.stderr);
        assert!(
            o.stderr.contains("gsl::waiver::no_reason"),
            "{reason}: {}",
            o.stderr
        );
    }
}

#[test]
fn a_deeply_nested_waiver_file_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("org.json"),
        one_account("111111111111", "main", true),
    )
    .unwrap();
    let n = 20_000;
    for (name, text) in [
        (
            "brackets",
            format!("waivers: {}{}\n", "[".repeat(n), "]".repeat(n)),
        ),
        (
            "braces",
            format!("waivers: {}\n", "{a: ".repeat(n) + &"}".repeat(n)),
        ),
        ("dashes", format!("waivers:\n{}x\n", "- ".repeat(n))),
    ] {
        // Read automatically from the current directory.
        std::fs::write(dir.path().join(".gslignore.yaml"), text).unwrap();
        let o = run_in(
            dir.path(),
            &["check", &log01(), "--snapshot", "org.json"],
            &[],
        );
        assert_eq!(o.code, Some(2), "{name}: {}{}", o.stdout, o.stderr);
        assert!(
            o.stderr.contains("gsl::waiver::too_deep"),
            "{name}: {}",
            o.stderr
        );
        assert!(o.stderr.contains("line "), "{name}: {}", o.stderr);
    }
}

#[test]
fn a_snapshot_with_a_byte_order_mark_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("\u{feff}{}", one_account("111111111111", "main", false));
    std::fs::write(dir.path().join("bom.json"), text).unwrap();
    let o = run_in(
        dir.path(),
        &[
            "check",
            &log01(),
            "--snapshot",
            "bom.json",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(o.code, Some(1), "{}{}", o.stdout, o.stderr);
    let doc: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(doc["results"][0]["status"], "failed");
}

#[test]
fn a_snapshot_rewritten_at_the_same_length_between_reads_is_noticed() {
    use gsl::entity::stream::SnapshotSource;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let mut bad = trail("111111111111", "us-east-1", "main");
    bad["isMultiRegionTrail"] = json!(false);
    // A second key of the same length as "CloudTrail", to be renamed in place.
    let original = snapshot(
        vec![json!({ "accountNumber": "111111111111",
                     "entities": { "CloudTrail": [bad], "SnsTopic00": [] } })],
        vec![],
    );
    std::fs::write(&path, &original).unwrap();
    let source = SnapshotSource::open(&path, "s.json").unwrap();
    // Rewritten between the validating read and the batch read: the same length, and a
    // second "CloudTrail" key that would hide the failing trail.
    let hidden = original.replace("\"SnsTopic00\"", "\"CloudTrail\"");
    assert_eq!(hidden.len(), original.len());
    std::fs::write(&path, &hidden).unwrap();
    let read: Vec<_> = source.into_graphs().collect();
    let err = read
        .into_iter()
        .find_map(Result::err)
        .expect("the change is noticed");
    let text = format!("{err}");
    assert!(
        text.contains("duplicate key") || text.contains("changed"),
        "{text}"
    );
    // A change that leaves the file valid is noticed too.
    std::fs::write(&path, &original).unwrap();
    let source = SnapshotSource::open(&path, "s.json").unwrap();
    let flipped = original.replace(
        "\"isMultiRegionTrail\": false",
        "\"isMultiRegionTrail\": true ",
    );
    assert_eq!(flipped.len(), original.len());
    assert_ne!(flipped, original);
    std::fs::write(&path, &flipped).unwrap();
    let err = source
        .into_graphs()
        .find_map(Result::err)
        .expect("the change is noticed");
    assert!(
        format!("{err}").contains("changed while it was being read"),
        "{err}"
    );
}

/// Missing credentials are named as such, with where the SDK looks for them, not
/// diagnosed as a network that does not answer.
#[cfg(feature = "aws")]
#[test]
fn missing_credentials_are_named_as_such() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("gsl")
        .unwrap()
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .args(["collect", "--out"])
        .arg(home.path().join("snapshot.json"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("gsl::collect::no_credentials"), "{stderr}");
    assert!(stderr.contains("no AWS credentials"), "{stderr}");
    assert!(stderr.contains("AWS_ACCESS_KEY_ID"), "{stderr}");
    assert!(stderr.contains("aws sso login"), "{stderr}");
    assert!(!stderr.contains("did not answer"), "{stderr}");
}
