//! `gsl fix` for the single-call controls of the collected types, on moto through the
//! real SDK: an account seeded to fail S3 Block Public Access (2.1.4), KMS rotation
//! (3.6), the password policy (1.7, 1.8), EBS encryption by default (5.1.1), IMDSv2
//! (5.7), VPC flow logs (3.7), Security Hub (4.16) and the Config recorder (3.3) of
//! `cis-aws@5.0.0` (and the same controls of `@3.0.0` and CloudGuard's), mended by
//! `--apply --yes` and, on a second account, by the `cli` plan run by the AWS CLI; then
//! `gsl collect` and `gsl check` pass each control, the other controls keep their
//! verdicts, and a second `gsl fix` finds nothing to do.
//!
//! IAM Access Analyzer (1.19) is not here: moto does not serve it (the harness answers
//! `ListAnalyzers` with a stand-in), so its plan is tested without a server
//! (`tests/it/fix.rs`).
#![cfg(feature = "aws")]

use crate::cis_moto::gsl;
use crate::support::fixture::{Fixture, ACCOUNT};
use crate::support::Moto;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::Path;

const EAST: &str = "us-east-1";

/// The controls of each version this file proves, as `--id` values.
fn controls(version: &str) -> &'static [&'static str] {
    match version {
        "5.0.0" => &[
            "CIS-AWS-1.7",
            "CIS-AWS-1.8",
            "CIS-AWS-2.1.4",
            "CIS-AWS-3.3",
            "CIS-AWS-3.6",
            "CIS-AWS-3.7",
            "CIS-AWS-4.16",
            "CIS-AWS-5.1.1",
            "CIS-AWS-5.7",
        ],
        // v3.0.0 numbers: 1.8 / 1.9 the password policy, 2.2.1 EBS, 5.6 IMDSv2.
        "3.0.0" => &[
            "CIS-AWS-1.8",
            "CIS-AWS-1.9",
            "CIS-AWS-2.1.4",
            "CIS-AWS-2.2.1",
            "CIS-AWS-3.3",
            "CIS-AWS-3.6",
            "CIS-AWS-3.7",
            "CIS-AWS-4.16",
            "CIS-AWS-5.6",
        ],
        // (D9.AWS.IAM.112, a policy exists, passes here: tests/it/fix.rs plans it.)
        _ => &["D9.AWS.IAM.12", "D9.AWS.LOG.22"],
    }
}

fn pack(version: &str) -> String {
    if version == "cloudguard" {
        "cloudguard".to_string()
    } else {
        format!("cis-aws@{version}")
    }
}

/// `--pack PACK --id A --id B ...`.
fn selection(version: &str) -> Vec<String> {
    let mut sel = vec!["--pack".to_string(), pack(version)];
    for id in controls(version) {
        sel.extend(["--id".to_string(), id.to_string()]);
    }
    sel
}

/// The choices only the user makes: where flow logs and Config deliver, Config's role
/// (the buckets are seeded).
use crate::fix::SETTINGS_CHOICES as CHOICES;

fn s3(f: &Fixture<'_>) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(&f.config)
        .endpoint_url(f.moto.mended_url.clone())
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// The failing account: buckets without Block Public Access, a key that does not
/// rotate, a weak password policy that requires symbols (kept), EBS encryption by
/// default off, an instance that allows IMDSv1, VPCs without flow logs, no Security
/// Hub, no Config recorder.
async fn seed(moto: &Moto) {
    let f = Fixture::new(moto, EAST).await;
    let s3 = s3(&f);
    for b in ["exposed", "flow-logs", "config-logs"] {
        s3.create_bucket()
            .bucket(b)
            .send()
            .await
            .expect("CreateBucket");
    }
    // One setting on already: it stays on.
    s3.put_public_access_block()
        .bucket("exposed")
        .public_access_block_configuration(
            aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .build(),
        )
        .send()
        .await
        .expect("PutPublicAccessBlock");
    aws_sdk_kms::Client::new(&f.config)
        .create_key()
        .description("does not rotate")
        .send()
        .await
        .expect("CreateKey");
    aws_sdk_iam::Client::new(&f.config)
        .update_account_password_policy()
        .minimum_password_length(8)
        .require_symbols(true)
        .send()
        .await
        .expect("UpdateAccountPasswordPolicy");
    let ec2 = aws_sdk_ec2::Client::new(&f.config);
    let image = ec2
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .expect("DescribeImages")
        .images()
        .first()
        .and_then(|i| i.image_id())
        .expect("an AMI")
        .to_string();
    ec2.run_instances()
        .image_id(image)
        .min_count(1)
        .max_count(1)
        .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
        .metadata_options(
            aws_sdk_ec2::types::InstanceMetadataOptionsRequest::builder()
                .http_tokens(aws_sdk_ec2::types::HttpTokensState::Optional)
                .http_endpoint(aws_sdk_ec2::types::InstanceMetadataEndpointState::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("RunInstances");
    ec2.create_vpc()
        .cidr_block("10.20.0.0/16")
        .send()
        .await
        .expect("CreateVpc");
}

fn run(moto: &Moto, args: &[&str]) -> (i32, String, String) {
    let out = gsl(moto).args(args).output().expect("gsl runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

use crate::fix_moto::collect;

/// `gsl check ARGS -f json --snapshot S`: id → status.
fn statuses(moto: &Moto, args: &[String], snapshot: &Path) -> BTreeMap<String, String> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    crate::fix_moto::statuses_with(moto, &args, snapshot)
}

fn fix(moto: &Moto, sel: &[String], more: &[&str], snapshot: &Path) -> (i32, String, String) {
    let mut all: Vec<&str> = vec!["fix"];
    all.extend(sel.iter().map(String::as_str));
    all.extend(more);
    all.extend(["--snapshot", snapshot.to_str().expect("path")]);
    run(moto, &all)
}

fn seeded() -> (Moto, tempfile::TempDir, std::path::PathBuf) {
    let moto = Moto::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(seed(&moto));
    drop(runtime);
    let dir = tempfile::tempdir().expect("tempdir");
    let before = dir.path().join("before.json");
    collect(&moto, &before);
    (moto, dir, before)
}

/// How a plan is carried out: `gsl fix --apply --yes`, or its `cli` form run by the
/// AWS CLI.
#[derive(Clone, Copy, PartialEq)]
enum Deploy {
    Apply,
    AwsCli,
}

/// Seed, plan for every version's controls, deploy, collect, check.
fn mend_and_prove(deploy: Deploy) {
    let (moto, dir, before) = seeded();
    let versions = ["5.0.0", "3.0.0", "cloudguard"];
    let was: BTreeMap<&str, BTreeMap<String, String>> = versions
        .iter()
        .map(|v| (*v, statuses(&moto, &selection(v), &before)))
        .collect();
    for v in versions {
        for id in controls(v) {
            assert_eq!(
                was[v].get(*id).map(String::as_str),
                Some("failed"),
                "{v} {id} fails on the seeded account: {:?}",
                was[v]
            );
        }
    }
    let whole = |snapshot: &Path| -> BTreeMap<String, BTreeMap<String, String>> {
        versions
            .iter()
            .map(|v| {
                (
                    v.to_string(),
                    statuses(&moto, &["--pack".to_string(), pack(v)], snapshot),
                )
            })
            .collect()
    };
    let whole_before = whole(&before);

    // Without the choices, the flow logs and the Config recorder say which flag.
    let sel = selection("5.0.0");
    let (code, _, err) = fix(&moto, &sel, &[], &before);
    assert_eq!(code, 1, "{err}");
    for flag in ["--flow-log-destination", "--config-role"] {
        assert!(err.contains(flag), "{flag}: {err}");
    }

    let (code, plan_text, err) = fix(&moto, &sel, &[CHOICES, &["-f", "json"]].concat(), &before);
    assert_eq!(code, 0, "{err}");
    let plan: Json = serde_json::from_str(&plan_text).expect("a JSON plan");
    let kinds: Vec<&str> = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    for k in [
        "putBucketPublicAccessBlock",
        "enableKeyRotation",
        "updateAccountPasswordPolicy",
        "enableEbsEncryptionByDefault",
        "modifyInstanceMetadataOptions",
        "createFlowLogs",
        "enableSecurityHub",
        "putConfigurationRecorder",
        "putDeliveryChannel",
        "startConfigurationRecorder",
    ] {
        assert!(kinds.contains(&k), "{k}: {plan:#}");
    }
    // 1.7 and 1.8 share one password policy change (a second call would undo the
    // first), which keeps the symbols the account requires.
    let policy: Vec<&Json> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "updateAccountPasswordPolicy")
        .collect();
    assert_eq!(policy.len(), 1, "{plan:#}");
    assert_eq!(
        (
            &policy[0]["minimumPasswordLength"],
            &policy[0]["passwordReusePrevention"],
            &policy[0]["requireSymbols"]
        ),
        (
            &serde_json::json!(14),
            &serde_json::json!(24),
            &serde_json::json!(true)
        )
    );

    match deploy {
        Deploy::Apply => {
            let (code, _, err) = fix(
                &moto,
                &sel,
                &[CHOICES, &["--apply", "--yes"]].concat(),
                &before,
            );
            assert_eq!(code, 0, "{err}");
            let n = kinds.len();
            assert!(
                err.contains(&format!(
                    "applied {n} of {n} change(s) in account {ACCOUNT}"
                )),
                "{err}"
            );
        }
        Deploy::AwsCli => {
            let tools = crate::support::fix_tools();
            let (code, script, err) =
                fix(&moto, &sel, &[CHOICES, &["-f", "cli"]].concat(), &before);
            assert_eq!(code, 0, "{err}");
            let path = dir.path().join("plan.sh");
            std::fs::write(&path, &script).expect("write the plan");
            let mut cmd = std::process::Command::new("sh");
            cmd.arg(&path)
                .env_clear()
                .env(
                    "PATH",
                    format!("{}:/usr/bin:/bin", tools.join("bin").display()),
                )
                .env("HOME", dir.path())
                .env("AWS_ACCESS_KEY_ID", "testing")
                .env("AWS_SECRET_ACCESS_KEY", "testing")
                .env("AWS_DEFAULT_REGION", EAST)
                .env("AWS_ENDPOINT_URL", &moto.url);
            let out = cmd.output().expect("sh runs the plan");
            assert!(
                out.status.success(),
                "the AWS CLI refused the plan:\n{}\n{}\n{script}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    let after = dir.path().join("after.json");
    collect(&moto, &after);
    for v in versions {
        let now = statuses(&moto, &selection(v), &after);
        for id in controls(v) {
            assert_eq!(
                now.get(*id).map(String::as_str),
                Some("passed"),
                "{v} {id} after the fix; the plan: {plan:#}"
            );
        }
    }
    // The other controls keep their verdicts.
    let whole_after = whole(&after);
    for v in versions {
        for (id, s) in &whole_before[v] {
            if !controls(v).contains(&id.as_str()) {
                assert_eq!(whole_after[v].get(id), Some(s), "{v} {id}");
            }
        }
    }
    // What the plan kept: the password policy's symbols, the bucket's setting.
    let snap: Json =
        serde_json::from_str(&std::fs::read_to_string(&after).expect("snapshot")).expect("JSON");
    let iam = &snap["accounts"][0]["entities"]["Iam"][0]["passwordPolicy"];
    assert_eq!(iam["requireSymbols"], Json::Bool(true), "{iam:#}");
    // A second run finds nothing to do, for every version.
    for v in versions {
        let (code, out, err) = fix(&moto, &selection(v), CHOICES, &after);
        assert_eq!((code, out.as_str()), (0, ""), "{v}: {err}");
        assert!(err.contains("nothing to fix"), "{v}: {err}");
    }
}

#[test]
fn apply_then_collect_then_check_passes_each_single_call_control() {
    mend_and_prove(Deploy::Apply);
}

#[test]
fn the_aws_cli_runs_the_cli_plan_of_each_single_call_control() {
    mend_and_prove(Deploy::AwsCli);
}

/// The account-level block (S3 Control) mends every bucket of the account at once.
#[test]
fn account_level_block_public_access_mends_every_bucket() {
    let (moto, dir, before) = seeded();
    let sel: Vec<String> = ["--pack", "cis-aws@5.0.0", "--id", "CIS-AWS-2.1.4"]
        .map(String::from)
        .to_vec();
    let (code, plan_text, err) = fix(
        &moto,
        &sel,
        &["--block-public-access", "account", "-f", "json"],
        &before,
    );
    assert_eq!(code, 0, "{err}");
    let plan: Json = serde_json::from_str(&plan_text).expect("a JSON plan");
    let changes = plan["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "one call for the three buckets: {plan:#}");
    assert_eq!(changes[0]["kind"], "putAccountPublicAccessBlock");
    assert_eq!(
        plan["findings"].as_array().map(Vec::len),
        Some(3),
        "{plan:#}"
    );
    let (code, _, err) = fix(
        &moto,
        &sel,
        &["--block-public-access", "account", "--apply", "--yes"],
        &before,
    );
    assert_eq!(code, 0, "{err}");
    let after = dir.path().join("after.json");
    collect(&moto, &after);
    assert_eq!(
        statuses(&moto, &sel, &after)
            .get("CIS-AWS-2.1.4")
            .map(String::as_str),
        Some("passed")
    );
}

/// The single-call plan's Terraform parses (python-hcl2) and passes checkov's checks of
/// the settings it writes; its CloudFormation template passes cfn-lint.
#[test]
fn the_single_call_terraform_passes_checkov_and_the_template_lints() {
    use crate::fix::{settings_args, settings_snapshot, SETTINGS_CHOICES, SETTINGS_V5};
    let tools = crate::support::fix_tools();
    let dir = tempfile::tempdir().expect("tempdir");
    let snap = settings_snapshot(dir.path());
    let args = settings_args("cis-aws@5.0.0", SETTINGS_V5);
    let render = |format: &str| {
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_gsl"))
            .arg("fix")
            .args(&args)
            .args(SETTINGS_CHOICES)
            .args(["-f", format, "--snapshot"])
            .arg(&snap)
            .output()
            .expect("gsl runs");
        assert_eq!(out.status.code(), Some(0), "{format}");
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let tf = render("terraform");
    let tf_path = dir.path().join("main.tf");
    std::fs::write(&tf_path, &tf).expect("write");
    let hcl = crate::fix_moto::hcl2(&tools, &tf_path, &tf);
    assert_eq!(hcl["resource"].as_array().map(Vec::len), Some(9), "{tf}");
    assert_eq!(hcl["import"].as_array().map(Vec::len), Some(2), "{tf}");

    let report = crate::fix_moto::checkov(&tf_path, dir.path());
    let ids = |key: &str| -> Vec<String> {
        report["results"][key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["check_id"].as_str().map(str::to_string))
            .collect()
    };
    let passed = ids("passed_checks");
    let failed = ids("failed_checks");
    // The password policy's length (CKV_AWS_10) and reuse (CKV_AWS_13) as CIS requires,
    // the bucket's four settings (CKV_AWS_53..56).
    for id in [
        "CKV_AWS_10",
        "CKV_AWS_13",
        "CKV_AWS_53",
        "CKV_AWS_54",
        "CKV_AWS_55",
        "CKV_AWS_56",
    ] {
        assert!(
            passed.iter().any(|p| p == id) && !failed.iter().any(|f| f == id),
            "{id}: passed {passed:?}, failed {failed:?}"
        );
    }

    let cfn = render("cloudformation");
    crate::fix_moto::cfn_lint(&dir.path().join("fix.template.json"), &cfn);
}

/// A recorder that exists, records only some types and is stopped, with its delivery
/// channel: the plan keeps its name and role, records every supported type and starts
/// it (no flag needed); after `--apply`, CIS 3.3 passes.
#[test]
fn an_existing_stopped_recorder_is_widened_and_started() {
    use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel, RecordingGroup};
    let moto = Moto::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let role = format!("arn:aws:iam::{ACCOUNT}:role/own-config-role");
    runtime.block_on(async {
        let f = Fixture::new(&moto, EAST).await;
        s3(&f)
            .create_bucket()
            .bucket("own-config-bucket")
            .send()
            .await
            .expect("CreateBucket");
        let config = aws_sdk_config::Client::new(&f.config);
        config
            .put_configuration_recorder()
            .configuration_recorder(
                ConfigurationRecorder::builder()
                    .name("mine")
                    .role_arn(&role)
                    .recording_group(
                        RecordingGroup::builder()
                            .all_supported(false)
                            .include_global_resource_types(false)
                            .resource_types(aws_sdk_config::types::ResourceType::Bucket)
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("PutConfigurationRecorder");
        config
            .put_delivery_channel()
            .delivery_channel(
                DeliveryChannel::builder()
                    .name("mine")
                    .s3_bucket_name("own-config-bucket")
                    .build(),
            )
            .send()
            .await
            .expect("PutDeliveryChannel");
    });
    drop(runtime);
    let dir = tempfile::tempdir().expect("tempdir");
    let before = dir.path().join("before.json");
    collect(&moto, &before);
    let sel: Vec<String> = ["--pack", "cis-aws@5.0.0", "--id", "CIS-AWS-3.3"]
        .map(String::from)
        .to_vec();
    assert_eq!(
        statuses(&moto, &sel, &before)
            .get("CIS-AWS-3.3")
            .map(String::as_str),
        Some("failed")
    );
    let (code, plan_text, err) = fix(&moto, &sel, &["-f", "json"], &before);
    assert_eq!(code, 0, "no flag is needed: {err}");
    let plan: Json = serde_json::from_str(&plan_text).expect("a JSON plan");
    let changes = plan["changes"].as_array().expect("changes");
    let kinds: Vec<(&str, bool)> = changes
        .iter()
        .map(|c| (c["kind"].as_str().unwrap(), c["exists"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("putConfigurationRecorder", true),
            ("startConfigurationRecorder", true)
        ],
        "{plan:#}"
    );
    assert_eq!(
        (&changes[0]["name"], &changes[0]["roleArn"]),
        (&serde_json::json!("mine"), &serde_json::json!(role))
    );
    let (code, _, err) = fix(&moto, &sel, &["--apply", "--yes"], &before);
    assert_eq!(code, 0, "{err}");
    let after = dir.path().join("after.json");
    collect(&moto, &after);
    assert_eq!(
        statuses(&moto, &sel, &after)
            .get("CIS-AWS-3.3")
            .map(String::as_str),
        Some("passed")
    );
    let (code, out, err) = fix(&moto, &sel, &[], &after);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
}
