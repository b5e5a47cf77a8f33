#![cfg(feature = "aws")]
//! An AWS Organization in one run, against moto_server through the real SDK: a
//! management account and members, each seeded through its own assumed-role
//! session (moto isolates accounts by the assumed role's credentials).
//!
//! moto's AssumeRole never refuses (the role need not exist): the harness's STS gate
//! refuses AssumeRole of a role named `missing`, as AWS refuses a role that does not
//! exist, and forwards everything else to moto.

use crate::support;

use gsl::collect::{self, AccountsOptions, CollectOptions, Service};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_is_collected_account_by_account() {
    let moto = Moto::start();
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

    // Management account: compliant. Member "good": compliant through its own
    // session. Member "broken": a stopped single-region trail, no log group.
    compliant(&Fixture::new(&moto, "us-east-1").await).await;
    let g = Fixture::in_account(&moto, "us-east-1", &good).await;
    compliant(&g).await;
    let b = Fixture::in_account(&moto, "us-east-1", &broken).await;
    let t = b.trail("legacy", None, false).await;
    b.start_logging(&t).await;
    b.stop_logging(&t).await;

    let mut endpoints = moto.endpoints();
    endpoints.push(gsl::collect::EndpointOverride {
        service: Some(Service::Sts),
        region: None,
        url: moto.sts_gate_url.clone(),
    });
    let options = CollectOptions {
        regions: vec!["us-east-1".into()],
        endpoints,
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
    assert_eq!(errors[0].entity_types.len(), 5);
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
    assert_eq!(s.account_calls(ACCOUNT), 11 + 4, "{s}");
    assert_eq!(s.account_calls(&good), 10, "{s}");
    // broken: DescribeTrails, GetTrailStatus, GetEventSelectors, ListTags,
    // DescribeMetricFilters, DescribeAlarms, ListTopics.
    assert_eq!(s.account_calls(&broken), 7, "{s}");
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
        let action = format!("{}:{}", o.service, o.operation);
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
