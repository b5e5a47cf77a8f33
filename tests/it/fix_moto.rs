//! `gsl fix --apply` on moto through the real SDK: for each twist of the CIS moto
//! account, apply → collect → check gives PASS, nothing that passed fails, and the
//! filters, alarms and topics the plan does not name are unchanged. A refused call
//! stops the run with a report and exit 2.
#![cfg(feature = "aws")]

use crate::cis_moto::{gsl, seed};
use crate::support::fixture::Fixture;
use crate::support::Moto;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub(crate) fn collect(moto: &Moto, out: &Path) {
    gsl(moto)
        .args(["collect", "--region", "us-east-1", "--no-progress", "-o"])
        .arg(out)
        .assert()
        .code(0);
}

/// The monitoring controls of `cis-aws@VERSION` (what the twists are about and what
/// `gsl fix` mends), as `gsl check` and `gsl fix` select them. v3.0.0 and v5.0.0 also
/// have the rest of the benchmark: those controls are checked to stay as they were.
fn chain_selection(version: &str) -> Vec<String> {
    let pack = format!("cis-aws@{version}");
    let section = if version == "1.2.0" { "3" } else { "4" };
    let mut sel = vec![
        "--pack".to_string(),
        pack.clone(),
        "--id".to_string(),
        format!("CIS-AWS-{section}.*"),
    ];
    // 4.16 (Security Hub is enabled) is not a metric filter.
    let has_4_16 = gsl::policy::select::builtin_pack(&pack)
        .unwrap()
        .policies()
        .unwrap()
        .iter()
        .any(|p| p.meta.id == "CIS-AWS-4.16");
    if has_4_16 {
        sel.extend(["--exclude-id".to_string(), "CIS-AWS-4.16".to_string()]);
    }
    sel
}

/// `args` followed by `more`, as the `&str`s a command takes.
fn with<'a>(args: &'a [String], more: &[&'a str]) -> Vec<&'a str> {
    args.iter()
        .map(String::as_str)
        .chain(more.iter().copied())
        .collect()
}

/// `gsl check --pack PACK -f json`: id → status.
fn statuses(moto: &Moto, pack: &str, snapshot: &Path) -> BTreeMap<String, String> {
    statuses_with(moto, &["--pack", pack], snapshot)
}

/// `gsl check ARGS -f json`: id → status.
pub(crate) fn statuses_with(
    moto: &Moto,
    args: &[&str],
    snapshot: &Path,
) -> BTreeMap<String, String> {
    let pack = args.join(" ");
    let out = gsl(moto)
        .arg("check")
        .args(args)
        .args(["-f", "json", "--snapshot"])
        .arg(snapshot)
        .output()
        .expect("gsl check runs");
    let doc: Json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{pack}: not a JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    doc["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap_or_default().to_string(),
                r["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The text report of one policy (for failure messages).
fn explain(moto: &Moto, pack: &str, id: &str, snapshot: &Path) -> String {
    let out = gsl(moto)
        .args(["check", "--pack", pack, "--id", id, "--snapshot"])
        .arg(snapshot)
        .output()
        .expect("gsl check runs");
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn fix(moto: &Moto, args: &[&str], snapshot: &Path) -> (i32, String, String) {
    let out = gsl(moto)
        .arg("fix")
        .args(args)
        .arg("--snapshot")
        .arg(snapshot)
        .output()
        .expect("gsl fix runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn entities<'a>(snapshot: &'a Json, ty: &str) -> Vec<&'a Json> {
    snapshot["accounts"][0]["entities"][ty]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn read(path: &Path) -> Json {
    serde_json::from_str(&std::fs::read_to_string(path).expect("snapshot")).expect("JSON")
}

/// What a filter is, without what its alarms and topics add.
fn filter_core(f: &Json) -> Json {
    serde_json::json!([
        f["filterName"],
        f["filterPattern"],
        f["logGroupName"],
        f["metricTransformations"].as_array().map(|ts| ts
            .iter()
            .map(|t| (t["metricName"].clone(), t["metricNamespace"].clone()))
            .collect::<Vec<_>>())
    ])
}

/// moto seeded with the CIS moto account's twists, and its snapshot (`before.json`).
fn twisted_account() -> (Moto, tempfile::TempDir, std::path::PathBuf) {
    let moto = Moto::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(seed(&moto));
    drop(runtime);
    let dir = tempfile::tempdir().expect("tempdir");
    let before = dir.path().join("before.json");
    collect(&moto, &before);
    (moto, dir, before)
}

/// The names a plan changes: filters, alarms, topics.
fn named(plan: &Json) -> Vec<String> {
    plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| {
            c["filterName"]
                .as_str()
                .or(c["alarmName"].as_str())
                .or(c["topicArn"].as_str())
                .map(str::to_string)
        })
        .collect()
}

/// Everything the plan does not name is as it was; what it names changed.
fn only_named_changed(before: &Json, after: &Json, plan: &Json) {
    let names = named(plan);
    for (ty, key, core) in [
        (
            "MetricFilter",
            "filterName",
            filter_core as fn(&Json) -> Json,
        ),
        ("CloudWatchAlarm", "name", |a: &Json| a.clone()),
        ("SnsTopic", "arn", |t: &Json| t.clone()),
    ] {
        for b in entities(before, ty) {
            let name = b[key].as_str().unwrap_or_default();
            if names.iter().any(|n| n == name) {
                continue;
            }
            let a = entities(after, ty)
                .into_iter()
                .find(|a| a[key] == b[key])
                .unwrap_or_else(|| panic!("{ty} {name} disappeared"));
            assert_eq!(
                core(a),
                core(b),
                "{ty} {name} changed, but the plan does not name it"
            );
        }
    }
}

#[test]
fn apply_then_collect_then_check_passes_every_twist() {
    apply_then_check("5.0.0", 8, true);
}

/// The other CIS versions, each on a fresh account: their patterns differ (v1.2 3.1,
/// the v1.4 erratum, v5.0 4.10).
#[test]
fn every_cis_version_s_plan_passes_its_checks() {
    for (version, failing) in [
        ("1.2.0", 7),
        ("1.4.0", 8),
        ("1.5.0", 8),
        ("2.0.0", 8),
        ("3.0.0", 8),
    ] {
        apply_then_check(version, failing, false);
    }
}

/// Seed the twisted account, plan for `cis-aws@VERSION`, apply, collect, check.
fn apply_then_check(version: &str, failing: usize, refused_first: bool) {
    let (moto, dir, before) = twisted_account();
    let pack = &format!("cis-aws@{version}");
    let sel = chain_selection(version);
    let was = statuses_with(&moto, &with(&sel, &[]), &before);
    let whole_before = statuses(&moto, pack, &before);
    let failed: Vec<&String> = was
        .iter()
        .filter(|(_, s)| *s == "failed")
        .map(|(id, _)| id)
        .collect();
    // The twists: wrong and wider patterns, a filter on an undelivered group, no
    // actions, a silent topic, disabled actions.
    assert_eq!(failed.len(), failing, "{pack}: {was:?}");

    let (code, plan_text, err) = fix(&moto, &with(&sel, &["-f", "json"]), &before);
    assert_eq!(code, 0, "{err}");
    let plan: Json = serde_json::from_str(&plan_text).expect("a JSON plan");
    let mut mended: Vec<&str> = plan["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["policy"].as_str().unwrap())
        .collect();
    mended.sort_unstable();
    assert_eq!(
        mended,
        failed.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "one fix per failure"
    );
    assert!(
        plan["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["blocked"].is_null()),
        "{plan:#}"
    );

    // A refused call: the report says what was done and what was not, exit 2.
    if refused_first {
        let out = gsl(&moto)
            .env("AWS_ENDPOINT_URL", &moto.deny_url)
            .env("AWS_ENDPOINT_URL_CLOUDWATCH", &moto.deny_url)
            .arg("fix")
            .args(with(&sel, &["--apply", "--yes", "--snapshot"]))
            .arg(&before)
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("FAILED    c1"), "{err}");
        assert!(err.contains("AccessDenied"), "{err}");
        assert!(err.contains("not done  c2"), "{err}");
        assert!(err.contains("applied 0 of"), "{err}");
        let untouched = dir.path().join("untouched.json");
        collect(&moto, &untouched);
        assert_eq!(
            statuses_with(&moto, &with(&sel, &[]), &untouched),
            was,
            "a refused apply changes nothing"
        );
    }

    let (code, _, err) = fix(&moto, &with(&sel, &["--apply", "--yes"]), &before);
    assert_eq!(code, 0, "{err}");
    let n = plan["changes"].as_array().unwrap().len();
    assert!(
        err.contains(&format!(
            "applied {n} of {n} change(s) in account 123456789012"
        )),
        "{err}"
    );

    let after = dir.path().join("after.json");
    collect(&moto, &after);
    let now = statuses_with(&moto, &with(&sel, &[]), &after);
    for (id, status) in &now {
        assert_eq!(
            status,
            "passed",
            "{id} after the fix (was {:?}); the plan: {plan:#}\n{}",
            was.get(id),
            explain(&moto, pack, id, &after)
        );
    }
    only_named_changed(&read(&before), &read(&after), &plan);
    // The pack's other controls (the rest of the benchmark in v3.0.0 and v5.0.0) keep
    // their verdicts: the plan touched nothing they read.
    let whole_after = statuses(&moto, pack, &after);
    for (id, s) in &whole_before {
        if !now.contains_key(id) {
            assert_eq!(whole_after.get(id), Some(s), "{pack} {id}");
        }
    }

    // Every other version: what passed still passes.
    for other in [
        "cis-aws@1.2.0",
        "cis-aws@1.4.0",
        "cis-aws@2.0.0",
        "cis-aws@5.0.0",
    ] {
        let before_v = statuses(&moto, other, &before);
        let after_v = statuses(&moto, other, &after);
        for (id, s) in &before_v {
            if s == "passed" {
                assert_eq!(
                    after_v.get(id).map(String::as_str),
                    Some("passed"),
                    "{other} {id}"
                );
            }
        }
    }
    // A second run finds nothing to fix.
    let (code, out, err) = fix(&moto, &with(&sel, &[]), &after);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(err.contains("nothing to fix"), "{err}");
}

/// `--strict-chain`: the alarms that notify but would not fire on one event (an
/// average, a threshold of 5, 3 periods) get the CIS settings, their actions kept.
#[test]
fn strict_chain_alarms_get_settings_that_fire_on_one_event() {
    let (moto, dir, before) = twisted_account();
    let args = ["--pack", "cis-aws@2.0.0", "--strict-chain"];
    let (code, plan_text, err) = fix(&moto, &[&args[..], &["-f", "json"]].concat(), &before);
    assert_eq!(code, 0, "{err}");
    let plan: Json = serde_json::from_str(&plan_text).expect("a JSON plan");
    for name in [
        "console-no-mfa-alarm",
        "gateway-changes-alarm",
        "vpc-changes-alarm",
    ] {
        let c = plan["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["alarmName"] == name)
            .unwrap_or_else(|| panic!("{name}: {plan:#}"));
        assert_eq!(
            (
                &c["statistic"],
                &c["threshold"],
                &c["evaluationPeriods"],
                &c["exists"]
            ),
            (
                &serde_json::json!("Sum"),
                &serde_json::json!(1.0),
                &serde_json::json!(1),
                &serde_json::json!(true)
            ),
            "{name}"
        );
        assert_eq!(
            c["alarmActions"].as_array().map(Vec::len),
            Some(1),
            "{name}: its action kept"
        );
    }
    let (code, _, err) = fix(&moto, &[&args[..], &["--apply", "--yes"]].concat(), &before);
    assert_eq!(code, 0, "{err}");
    let after = dir.path().join("after.json");
    collect(&moto, &after);
    for (id, status) in statuses_with(&moto, &args, &after) {
        assert_eq!(
            status,
            "passed",
            "{id}\n{}",
            explain(&moto, "cis-aws@2.0.0", &id, &after)
        );
    }
}

/// The trail twists: a single-region trail that is not logging, no filter, no topic.
/// With --notify the plan updates and starts the trail, creates the topic, the
/// subscription, and a filter and alarm per control.
#[test]
fn a_stopped_single_region_trail_without_filters_is_mended() {
    let moto = Moto::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let f = Fixture::new(&moto, "us-east-1").await;
        f.log_group("CloudTrail/main").await;
        let trail = f.trail("main", Some("CloudTrail/main"), false).await;
        f.all_management_events(&trail).await;
        f.topic("nobody", &[]).await;
    });
    drop(runtime);
    let dir = tempfile::tempdir().expect("tempdir");
    let before = dir.path().join("before.json");
    collect(&moto, &before);
    let pack = "cis-aws@2.0.0";
    assert!(statuses(&moto, pack, &before)
        .values()
        .all(|s| s == "failed"));

    let (code, _, err) = fix(&moto, &["--pack", pack], &before);
    assert_eq!(code, 1, "without --notify: {err}");
    assert!(err.contains("--notify"), "{err}");

    let (code, script, err) = fix(
        &moto,
        &["--pack", pack, "--notify", "secops@example.com"],
        &before,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        script.contains(
            "aws cloudtrail update-trail --region us-east-1 --name main --is-multi-region-trail"
        ),
        "{script}"
    );
    assert!(
        script.contains("aws cloudtrail start-logging --region us-east-1 --name main"),
        "{script}"
    );
    assert_eq!(
        script.matches("aws sns create-topic").count(),
        1,
        "one topic for every alarm: {script}"
    );
    assert_eq!(
        script.matches("aws logs put-metric-filter").count(),
        15,
        "{script}"
    );

    let (code, _, err) = fix(
        &moto,
        &[
            "--pack",
            pack,
            "--notify",
            "secops@example.com",
            "--apply",
            "--yes",
        ],
        &before,
    );
    assert_eq!(code, 0, "{err}");
    let after = dir.path().join("after.json");
    collect(&moto, &after);
    for (id, status) in statuses(&moto, pack, &after) {
        assert_eq!(status, "passed", "{id}");
    }
    let a = read(&after);
    let trail = &entities(&a, "CloudTrail")[0];
    assert_eq!(
        (
            trail["isMultiRegionTrail"].as_bool(),
            trail["status"]["isLogging"].as_bool()
        ),
        (Some(true), Some(true))
    );
    // The topic nobody subscribed to is left alone.
    let nobody = entities(&a, "SnsTopic")
        .into_iter()
        .find(|t| t["name"] == "nobody")
        .expect("topic");
    assert_eq!(nobody["subscriptions"], serde_json::json!([]));
}

/// The `cli` plan run by the AWS CLI (awscli from PyPI) against moto: the twists of the
/// CIS moto account pass after it.
#[test]
fn the_cli_plan_run_by_the_aws_cli_mends_every_twist() {
    let tools = crate::support::fix_tools();
    let (moto, dir, before) = twisted_account();
    let pack = "cis-aws@5.0.0";
    let sel = chain_selection("5.0.0");
    assert!(statuses_with(&moto, &with(&sel, &[]), &before)
        .values()
        .any(|s| s == "failed"));
    let (code, script, err) = fix(&moto, &with(&sel, &["-f", "cli"]), &before);
    assert_eq!(code, 0, "{err}");
    let path = dir.path().join("plan.sh");
    std::fs::write(&path, &script).expect("write the plan");
    let bin = tools.join("bin");
    let out = std::process::Command::new("sh")
        .arg(&path)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("HOME", dir.path())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        // The AWS CLI speaks CloudWatch's JSON protocol, which moto serves itself.
        .env("AWS_ENDPOINT_URL", &moto.url)
        .output()
        .expect("sh runs the plan");
    assert!(
        out.status.success(),
        "the AWS CLI refused the plan:\n{}\n{}\n{script}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let after = dir.path().join("after.json");
    collect(&moto, &after);
    for (id, status) in statuses_with(&moto, &with(&sel, &[]), &after) {
        assert_eq!(
            status,
            "passed",
            "{id}\n{}",
            explain(&moto, pack, &id, &after)
        );
    }
}

/// The Terraform plan parses as HCL (python-hcl2): a resource per filter and alarm,
/// references to the topic the plan creates, an import block per thing that exists;
/// the CloudFormation template passes cfn-lint (moto 5.2.5's CloudFormation has no
/// AWS::Logs::MetricFilter, so the template is not deployed there).
#[test]
fn terraform_parses_and_cloudformation_lints() {
    let tools = crate::support::fix_tools();
    let (moto, dir, before) = twisted_account();
    let args = ["--pack", "cis-aws@2.0.0", "--notify", "secops@example.com"];
    let (_, plan_text, _) = fix(&moto, &[&args[..], &["-f", "json"]].concat(), &before);
    let plan: Json = serde_json::from_str(&plan_text).expect("a JSON plan");
    let (code, tf, err) = fix(&moto, &[&args[..], &["-f", "terraform"]].concat(), &before);
    assert_eq!(code, 0, "{err}");
    let tf_path = dir.path().join("main.tf");
    std::fs::write(&tf_path, &tf).expect("write");
    let hcl = hcl2(&tools, &tf_path, &tf);
    let resources = hcl["resource"].as_array().expect("resources");
    // python-hcl2 8 keeps a block label's quotes.
    let count = |ty: &str| {
        resources
            .iter()
            .filter(|r| r.get(format!("\"{ty}\"")).is_some())
            .count()
    };
    let changes = plan["changes"].as_array().unwrap();
    let kind = |k: &str| changes.iter().filter(|c| c["kind"] == k).count();
    assert_eq!(
        count("aws_cloudwatch_log_metric_filter"),
        kind("putMetricFilter")
    );
    assert_eq!(count("aws_cloudwatch_metric_alarm"), kind("putMetricAlarm"));
    let existing = changes
        .iter()
        .filter(|c| {
            c["exists"] == true && (c["kind"] == "putMetricFilter" || c["kind"] == "putMetricAlarm")
        })
        .count();
    assert!(existing > 0);
    assert_eq!(
        hcl["import"].as_array().map(Vec::len),
        Some(existing),
        "{tf}"
    );
    assert!(
        tf.contains("id       = \"CloudTrail/main:"),
        "a filter's import id is GROUP:NAME: {tf}"
    );

    // checkov's check of the alarms (CKV_AWS_319: actions enabled) passes on every one.
    let report = checkov(&tf_path, dir.path());
    let passed: Vec<&str> = report["results"]["passed_checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["check_id"] == "CKV_AWS_319")
        .filter_map(|c| c["resource"].as_str())
        .collect();
    assert_eq!(passed.len(), kind("putMetricAlarm"), "{report:#}");
    assert_eq!(
        report["results"]["failed_checks"],
        serde_json::json!([]),
        "{report:#}"
    );

    let (code, cfn, err) = fix(
        &moto,
        &[&args[..], &["-f", "cloudformation"]].concat(),
        &before,
    );
    assert_eq!(code, 0, "{err}");
    let template: Json = serde_json::from_str(&cfn).expect("a JSON template");
    let types: Vec<&str> = template["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .filter_map(|r| r["Type"].as_str())
        .collect();
    let new = |k: &str| {
        changes
            .iter()
            .filter(|c| c["kind"] == k && c["exists"] == false)
            .count()
    };
    assert_eq!(
        types
            .iter()
            .filter(|t| **t == "AWS::Logs::MetricFilter")
            .count(),
        new("putMetricFilter")
    );
    assert_eq!(
        types
            .iter()
            .filter(|t| **t == "AWS::CloudWatch::Alarm")
            .count(),
        new("putMetricAlarm")
    );
    assert_eq!(
        template["Metadata"]["GslNotInTemplate"]
            .as_array()
            .map(Vec::len),
        Some(changes.iter().filter(|c| c["exists"] == true).count()),
        "every update is listed with its command"
    );
    cfn_lint(&dir.path().join("fix.template.json"), &cfn);
}

/// `tf` (written at `tf_path`) parsed by python-hcl2, as JSON.
pub(crate) fn hcl2(tools: &Path, tf_path: &Path, tf: &str) -> Json {
    let out = std::process::Command::new(tools.join("bin/python"))
        .args([
            "-c",
            "import hcl2, json, sys; print(json.dumps(hcl2.load(open(sys.argv[1]))))",
        ])
        .arg(tf_path)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "python-hcl2 refused:\n{}\n{tf}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("hcl2's JSON")
}

/// checkov's JSON report on the Terraform file `tf_path`.
pub(crate) fn checkov(tf_path: &Path, home: &Path) -> Json {
    let out = std::process::Command::new(crate::support::checkov())
        .args([
            "--framework",
            "terraform",
            "--compact",
            "--skip-download",
            "-o",
            "json",
            "-f",
        ])
        .arg(tf_path)
        .env("HOME", home)
        .output()
        .expect("checkov runs");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Write the template `cfn` at `path`; cfn-lint passes it.
pub(crate) fn cfn_lint(path: &Path, cfn: &str) {
    std::fs::write(path, cfn).expect("write");
    let lint = std::env::var_os("GSL_PYTHON")
        .map(PathBuf::from)
        .and_then(|p| p.parent().map(|d| d.join("cfn-lint")))
        .filter(|p| p.exists())
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/cfn-lint"));
    let out = std::process::Command::new(&lint)
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}): cfn-lint comes with the moto venv (scripts/test.sh)",
                lint.display()
            )
        });
    assert!(
        out.status.success(),
        "cfn-lint:\n{}\n{cfn}",
        String::from_utf8_lossy(&out.stdout)
    );
}
