#![cfg(feature = "aws")]
//! An AWS Organization in one run, against moto_server through the real SDK: a
//! management account and members, each seeded through its own assumed-role
//! session (moto isolates accounts by the assumed role's credentials).
//!
//! moto's AssumeRole never refuses (the role need not exist): the harness's STS gate
//! refuses AssumeRole of a role named `missing`, as AWS refuses a role that does not
//! exist, and forwards everything else to moto.

use crate::support;

use gsl::collect::{self, AccountsOptions, CollectOptions, ProgressEvent, Service};
use support::fixture::{compliant, Fixture, ACCOUNT};
use support::Moto;

async fn create_member(org: &aws_sdk_organizations::Client, name: &str) -> String {
    let out = org
        .create_account()
        .account_name(name)
        .email(format!("{name}@example.com"))
        .send()
        .await
        .expect("CreateAccount");
    out.create_account_status()
        .and_then(|s| s.account_id())
        .expect("account id")
        .to_string()
}

struct Org {
    good: String,
    broken: String,
    excluded: String,
    norole: String,
}

/// A management account (compliant) and four members: `good` (compliant), `broken`
/// (a stopped single-region trail), `excluded`, `norole` (its role is missing).
async fn seed(moto: &Moto) -> Org {
    let mgmt = moto.sdk_config("us-east-1").await;
    let org = aws_sdk_organizations::Client::new(&mgmt);
    org.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .expect("CreateOrganization");
    let good = create_member(&org, "good").await;
    let broken = create_member(&org, "broken").await;
    let excluded = create_member(&org, "excluded").await;
    let norole = create_member(&org, "norole").await;
    compliant(&Fixture::new(moto, "us-east-1").await).await;
    let g = Fixture::in_account(moto, "us-east-1", &good).await;
    compliant(&g).await;
    let b = Fixture::in_account(moto, "us-east-1", &broken).await;
    let t = b.trail("legacy", None, false).await;
    b.start_logging(&t).await;
    b.stop_logging(&t).await;
    Org {
        good,
        broken,
        excluded,
        norole,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_is_collected_account_by_account() {
    let moto = Moto::start();
    let mgmt = moto.sdk_config("us-east-1").await;
    let Org {
        good,
        broken,
        excluded,
        norole,
    } = seed(&moto).await;
    let mut endpoints = moto.endpoints();
    endpoints.push(gsl::collect::EndpointOverride {
        service: Some(Service::Sts),
        region: None,
        url: moto.sts_gate_url.clone(),
    });
    // The progress a run over several accounts reports, as the CLI's bar receives it.
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = events.clone();
    let options = CollectOptions {
        regions: vec!["us-east-1".into()],
        endpoints,
        progress: gsl::collect::Progress::to(std::sync::Arc::new(move |e: ProgressEvent| {
            if let Ok(mut v) = sink.lock() {
                v.push(e);
            }
        })),
        accounts: Some(AccountsOptions {
            org: true,
            // Listed by the organization too: the explicit role wins.
            accounts: vec![gsl::collect::AccountTarget {
                account: norole.clone(),
                role_arn: Some(format!("arn:aws:iam::{norole}:role/missing")),
            }],
            exclude: vec![excluded.clone()],
            external_id: Some("gsl-test".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let c = collect::collect(&mgmt, &options).await.expect("runs");
    // The bar's events: the number of accounts first (the four targets: the excluded
    // one is not collected), one done a target (the refused one too), one error a
    // recorded collection error, one call done a call counted, and the end last.
    let events = events.lock().expect("events").clone();
    let count = |want: &ProgressEvent| events.iter().filter(|e| *e == want).count();
    let first = events
        .iter()
        .position(|e| matches!(e, ProgressEvent::Accounts(_)))
        .expect("the number of accounts is reported");
    assert_eq!(events[first], ProgressEvent::Accounts(4));
    assert!(
        !events[..first].contains(&ProgressEvent::AccountDone),
        "an account done before the count"
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, ProgressEvent::Accounts(_)))
            .count(),
        1
    );
    assert_eq!(count(&ProgressEvent::AccountDone), 4);
    assert_eq!(count(&ProgressEvent::Error), c.snapshot.errors.len());
    assert_eq!(
        count(&ProgressEvent::CallDone) as u64,
        c.stats.total_calls()
    );
    assert_eq!(events.last(), Some(&ProgressEvent::Finished));
    assert_eq!(count(&ProgressEvent::Finished), 1);
    // The account whose role is missing: one error, no region, every type unknown;
    // the run went on.
    let errors = &c.snapshot.errors;
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].account_number, norole);
    assert_eq!(errors[0].region, None);
    assert_eq!(
        (errors[0].service.as_str(), errors[0].operation.as_str()),
        ("sts", "AssumeRole")
    );
    assert_eq!(errors[0].code, "AccessDenied");
    assert!(
        errors[0].message.contains("role/missing"),
        "{}",
        errors[0].message
    );
    assert_eq!(
        errors[0].entity_types.len(),
        gsl::collect::types::type_names().len()
    );
    let mut expected = vec![
        ACCOUNT.to_string(),
        good.clone(),
        broken.clone(),
        norole.clone(),
    ];
    expected.sort();
    let got: Vec<&str> = c
        .snapshot
        .accounts
        .iter()
        .map(|a| a.account_number.as_str())
        .collect();
    assert_eq!(got, expected);

    let account = |id: &str| {
        c.snapshot
            .accounts
            .iter()
            .find(|a| a.account_number == id)
            .expect("account")
    };
    let trails = |id: &str| account(id).entities["CloudTrail"].clone();
    for id in [ACCOUNT, good.as_str()] {
        let t = trails(id);
        assert_eq!(t.len(), 1, "{id}: {t:#?}");
        assert_eq!(t[0]["hasSNSSubscriber"], "true", "{id}");
        assert_eq!(t[0]["accountNumber"], id);
    }
    let t = trails(&broken);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0]["name"], "legacy");
    assert_eq!(t[0]["status"]["isLogging"], false);
    assert!(account(&broken).entities["CloudWatchAlarm"].is_empty());
    assert!(account(&norole).entities.values().all(Vec::is_empty));
    assert!(account(&norole).regions.is_empty());

    // Calls: the management account lists the organization once and assumes two
    // roles, one refused (its own account uses its own credentials); each account makes the
    // single-account walk.
    let s = &c.stats;
    assert_eq!(
        s.calls_in(ACCOUNT, Service::Organizations, "ListAccounts"),
        1,
        "{s}"
    );
    assert_eq!(s.calls_in(ACCOUNT, Service::Sts, "AssumeRole"), 3, "{s}");
    assert_eq!(
        s.calls_in(ACCOUNT, Service::Sts, "GetCallerIdentity"),
        1,
        "{s}"
    );
    // The storage and logging types add 10 calls in an account of one region without
    // buckets (ListBuckets, the account's block, ListKeys, three Config describes,
    // DescribeDBInstances, DescribeFileSystems, DescribeHub, GetMacieSession), and 8
    // a bucket: the management account holds the fixtures' two trail buckets.
    // The identity and network types add their listings in every account (from their
    // call tables: once per region or per account; no instance, so no instance
    // profiles) and one GetAlternateContact per contact type (3).
    let identity_network = support::listing_calls(
        &[support::IDENTITY_TYPES, support::NETWORK_TYPES].concat(),
        1,
        &["ListInstanceProfiles"],
    ) + 3;
    assert_eq!(
        s.account_calls(ACCOUNT),
        11 + 4 + 10 + 2 * 8 + identity_network,
        "{s}"
    );
    assert_eq!(s.account_calls(&good), 10 + 10 + identity_network, "{s}");
    // broken: DescribeTrails, GetTrailStatus, GetEventSelectors, ListTags,
    // DescribeMetricFilters, DescribeAlarms, ListTopics; and the storage types' 10.
    assert_eq!(s.account_calls(&broken), 7 + 10 + identity_network, "{s}");
    assert_eq!(s.account_calls(&excluded), 0, "{s}");
    assert_eq!(s.account_calls(&norole), 0, "{s}");

    // Every call the collector made is allowed by the documented policy.
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/iam-policy.json"))
            .expect("docs/iam-policy.json");
    let policy: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let allowed: Vec<String> = policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .flat_map(|st| st["Action"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect();
    for o in &s.operations {
        let action = o.service.iam_action(&o.operation);
        assert!(
            allowed.contains(&action),
            "{action} is not in docs/iam-policy.json"
        );
    }
    let member_role: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/iam-member-role.json"
        ))
        .expect("docs/iam-member-role.json"),
    )
    .expect("JSON");
    assert_eq!(
        member_role["RoleName"],
        gsl::collect::targets::DEFAULT_ROLE_NAME
    );

    // --split, read back as a directory: the same snapshot.
    let dir = tempfile::tempdir().expect("tempdir");
    for (id, part) in c.split() {
        std::fs::write(
            dir.path().join(format!("{id}.json")),
            serde_json::to_string(&part).expect("json"),
        )
        .expect("write");
    }
    let merged = gsl::entity::load::load_path(dir.path()).expect("reads");
    assert_eq!(merged, c.snapshot);
}

fn gsl(moto: &Moto) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_gsl"));
    // A clean environment: another test of this binary sets AWS variables in the
    // process (collect_run), which children would inherit.
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir_for_home())
        .env("NO_COLOR", "1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(moto.endpoint_env())
        .env("AWS_ENDPOINT_URL_STS", &moto.sts_gate_url);
    cmd
}

/// No shared AWS config or credentials files: HOME points at an empty directory.
fn dir_for_home() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join("gsl-collect-org-home");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

#[test]
fn split_then_check_a_directory_reports_like_one_file() {
    let moto = Moto::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let org = runtime.block_on(seed(&moto));
    drop(runtime);
    let dir = tempfile::tempdir().expect("tempdir");
    let accounts = dir.path().join("accounts.txt");
    std::fs::write(
        &accounts,
        format!(
            "# the member without a role\n{0},arn:aws:iam::{0}:role/missing\n",
            org.norole
        ),
    )
    .expect("write");
    let whole = dir.path().join("org.json");
    let split = dir.path().join("split");
    for out in [
        ["-o", whole.to_str().expect("utf-8")],
        ["--split", split.to_str().expect("utf-8")],
    ] {
        gsl(&moto)
            .args([
                "collect",
                "--org",
                "--region",
                "us-east-1",
                "--no-progress",
                "--stats",
            ])
            .args(["--exclude-account", &org.excluded, "--accounts"])
            .arg(&accounts)
            .args(out)
            .assert()
            .code(3); // written, with the AssumeRole failure recorded
    }
    let mut files: Vec<String> = std::fs::read_dir(&split)
        .expect("split dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    files.sort();
    let mut expected: Vec<String> = [ACCOUNT, &org.good, &org.broken, &org.norole]
        .iter()
        .map(|a| format!("{a}.json"))
        .collect();
    expected.sort();
    assert_eq!(files, expected);

    let report = |path: &std::path::Path| {
        let out = gsl(&moto)
            .args([
                "check",
                "--format",
                "json",
                "--now",
                "2026-12-01T00:00:00Z",
                "--snapshot",
            ])
            .arg(path)
            .output()
            .expect("runs");
        let mut r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "JSON report ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        if let Some(o) = r["snapshot"].as_object_mut() {
            // Two collections: their names and start times differ, nothing else.
            assert!(o.remove("name").is_some());
            assert!(o.remove("collectedAt").is_some());
        }
        (out.status.code(), r)
    };
    let (code_whole, whole_report) = report(&whole);
    let (code_split, split_report) = report(&split);
    assert_eq!(code_whole, code_split);
    assert_eq!(whole_report, split_report);
    assert_eq!(
        whole_report["snapshot"]["accounts"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );
    assert_eq!(
        whole_report["snapshot"]["collectionErrors"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "{}",
        whole_report["snapshot"]
    );
    assert!(whole_report["summary"]["failed"]
        .as_u64()
        .is_some_and(|n| n > 0));
}
