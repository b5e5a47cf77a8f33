//! `gsl fix` without a server: plans over built snapshots (one chain per twist), the
//! JSON plan against its published schema, the version's pattern, exit statuses, the
//! IAM policy of `--apply`.

use assert_cmd::Command;
use gsl::collect::{build_snapshot, Collected};
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};

const ACCOUNT: &str = "123456789012";
const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:";

fn gsl() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gsl"));
    c.env("NO_COLOR", "1").env_remove("AWS_ENDPOINT_URL");
    c
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One multi-region logging trail on `main-trail`, a topic with a confirmed
/// subscription, one without, one pending; `filters`: (name, pattern, alarm: (actions
/// enabled, actions) or none). Every alarm has its full settings.
/// An alarm: (actions enabled, actions), or none.
type Alarm = Option<(bool, Vec<String>)>;
/// The kinds of a plan's changes, and whether each updates what exists.
type Kinds = Vec<(&'static str, bool)>;

fn account(filters: &[(&str, &str, Alarm)]) -> Collected {
    let sub = |topic: &str, arn: &str| json!({"subscriptionArn": arn, "topicArn": format!("{TOPIC}{topic}"), "owner": ACCOUNT, "endpoint": "oncall@example.com", "protocol": "email"});
    let mut fs = Vec::new();
    let mut alarms = Vec::new();
    for (name, pattern, alarm) in filters {
        fs.push(json!({"region": "us-east-1", "filterName": name, "logGroupName": "main-trail", "filterPattern": pattern,
            "metricTransformations": [{"metricName": format!("m-{name}"), "metricNamespace": "CISBenchmark", "metricValue": "1"}]}));
        if let Some((enabled, actions)) = alarm {
            alarms.push(json!({"region": "us-east-1", "name": format!("alarm-{name}"), "metricName": format!("m-{name}"), "namespace": "CISBenchmark",
                "actionsEnabled": enabled, "alarmActions": actions, "statistic": "Sum", "period": 300, "evaluationPeriods": 1, "threshold": 1.0,
                "comparisonOperator": "GreaterThanOrEqualToThreshold", "okActions": [format!("{TOPIC}ok")]}));
        }
    }
    serde_json::from_value(json!({
        "accountNumber": ACCOUNT,
        "regions": ["us-east-1"],
        "trails": [{"trail": {"name": "main", "trailArn": "arn:aws:cloudtrail:us-east-1:123456789012:trail/main", "homeRegion": "us-east-1", "isMultiRegionTrail": true, "cloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:main-trail:*"},
                    "status": {"isLogging": true}, "eventSelectors": [{"includeManagementEvents": true, "readWriteType": "All"}]}],
        "logGroups": [{"region": "us-east-1", "name": "main-trail"}],
        "metricFilters": fs,
        "alarms": alarms,
        "topics": [
            {"region": "us-east-1", "arn": format!("{TOPIC}confirmed"), "subscriptions": [sub("confirmed", &format!("{TOPIC}confirmed:1b2c"))]},
            {"region": "us-east-1", "arn": format!("{TOPIC}empty"), "subscriptions": []},
            {"region": "us-east-1", "arn": format!("{TOPIC}pending"), "subscriptions": [sub("pending", "PendingConfirmation")]},
        ],
    }))
    .expect("a Collected document")
}

fn write_snapshot(dir: &Path, c: Collected) -> PathBuf {
    let path = dir.join("acct.json");
    let snap = build_snapshot(&[c], Some("2026-12-01T00:00:00Z".into()));
    std::fs::write(&path, serde_json::to_string(&snap).unwrap()).unwrap();
    path
}

/// `gsl fix ARGS -f json`: the plan, the exit status and standard error.
fn plan(args: &[&str], snapshot: &Path) -> (Json, i32, String) {
    let out = gsl()
        .arg("fix")
        .args(args)
        .args(["-f", "json", "--snapshot"])
        .arg(snapshot)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Json::Null);
    (doc, out.status.code().unwrap_or(-1), err)
}

fn policy(id: &str, pack: &str) -> gsl::policy::Policy {
    gsl::policy::select::pack_policies(&[pack.to_string()])
        .unwrap()
        .into_iter()
        .find(|p| p.meta.id == id)
        .unwrap()
}

const ROOT_V5: &str = r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;

/// Each broken link of the root-usage chain and the one change that mends it,
/// reusing what exists (the confirmed topic; the alarm; the filter's name).
#[test]
fn each_twist_gets_the_smallest_change() {
    let t = |n: &str| vec![format!("{TOPIC}{n}")];
    let wider = r#"{ $.userIdentity.type = "Root" }"#;
    // (twist, filter pattern, alarm, the kinds of the changes, exists of each)
    let cases: Vec<(&str, &str, Alarm, Kinds)> = vec![
        (
            "no-actions",
            ROOT_V5,
            Some((true, vec![])),
            vec![("putMetricAlarm", true)],
        ),
        (
            "disabled",
            ROOT_V5,
            Some((false, t("confirmed"))),
            vec![("enableAlarmActions", true)],
        ),
        (
            "missing-topic",
            ROOT_V5,
            Some((true, t("gone"))),
            vec![("putMetricAlarm", true)],
        ),
        (
            "no-subscription",
            ROOT_V5,
            Some((true, t("empty"))),
            vec![("putMetricAlarm", true)],
        ),
        (
            "pending",
            ROOT_V5,
            Some((true, t("pending"))),
            vec![("putMetricAlarm", true)],
        ),
        ("no-alarm", ROOT_V5, None, vec![("putMetricAlarm", false)]),
        (
            "wider",
            wider,
            Some((true, t("confirmed"))),
            vec![("putMetricFilter", true)],
        ),
        (
            "wider-and-silent",
            wider,
            Some((true, t("empty"))),
            vec![("putMetricFilter", true), ("putMetricAlarm", true)],
        ),
    ];
    for (twist, pattern, alarm, want) in cases {
        let dir = tempfile::tempdir().unwrap();
        let snap = write_snapshot(dir.path(), account(&[(twist, pattern, alarm)]));
        let (doc, code, err) = plan(&["--pack", "cis-aws@5.0.0", "--id", "CIS-AWS-4.3"], &snap);
        assert_eq!(code, 0, "{twist}: {err}");
        let changes = doc["changes"].as_array().expect("changes");
        let got: Vec<(&str, bool)> = changes
            .iter()
            .map(|c| (c["kind"].as_str().unwrap(), c["exists"].as_bool().unwrap()))
            .collect();
        assert_eq!(got, want, "{twist}: {doc:#}");
        for c in changes {
            match c["kind"].as_str().unwrap() {
                "putMetricAlarm" if c["exists"] == true => {
                    // The alarm keeps its settings, and gets the confirmed topic.
                    assert_eq!(c["alarmName"], format!("alarm-{twist}"), "{twist}");
                    assert_eq!(c["okActions"], json!([format!("{TOPIC}ok")]), "{twist}");
                    let actions = c["alarmActions"].as_array().unwrap();
                    assert_eq!(
                        actions.last().unwrap(),
                        &json!(format!("{TOPIC}confirmed")),
                        "{twist}"
                    );
                    assert_eq!(c["actionsEnabled"], true);
                }
                "putMetricAlarm" => {
                    assert_eq!(c["metricName"], format!("m-{twist}"), "{twist}");
                    assert_eq!(c["alarmActions"], json!([format!("{TOPIC}confirmed")]));
                    assert_eq!(
                        (c["statistic"].as_str(), c["threshold"].as_f64()),
                        (Some("Sum"), Some(1.0))
                    );
                }
                "putMetricFilter" => {
                    assert_eq!(c["filterName"], twist, "the same filter");
                    assert_eq!(c["filterPattern"], ROOT_V5);
                    assert_eq!(c["previousPattern"], wider);
                    assert_eq!(c["metricName"], format!("m-{twist}"), "the same metric");
                }
                _ => {}
            }
        }
        assert_eq!(
            doc["findings"][0]["changes"].as_array().unwrap().len(),
            want.len()
        );
    }
}

/// No filter, and no topic with a confirmed subscription: without --notify the
/// finding is blocked and names the flag; with it, a topic, its subscription, the
/// filter and its alarm. gsl never invents an address.
#[test]
fn a_new_chain_needs_the_user_s_address() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = account(&[]);
    c.topics.retain(|t| !t.arn.ends_with("confirmed"));
    let snap = write_snapshot(dir.path(), c);
    let args = ["--pack", "cis-aws@5.0.0", "--id", "CIS-AWS-4.3"];
    let (doc, code, err) = plan(&args, &snap);
    assert_eq!(code, 1, "{err}");
    assert_eq!(doc["changes"], json!([]));
    assert_eq!(doc["findings"][0]["blocked"]["reason"], "choice");
    assert!(err.contains("--notify"), "{err}");
    assert!(!err.contains("example."), "no address is invented: {err}");
    assert!(
        !doc.to_string().contains("endpoint"),
        "no address is invented: {doc}"
    );

    let (doc, code, err) = plan(
        &[&args[..], &["--notify", "secops@example.com"]].concat(),
        &snap,
    );
    assert_eq!(code, 0, "{err}");
    let kinds: Vec<&str> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "createTopic",
            "subscribe",
            "putMetricFilter",
            "putMetricAlarm"
        ]
    );
    let topic = format!("{TOPIC}{}", gsl::fix::DEFAULT_TOPIC);
    assert_eq!(doc["changes"][0]["topicArn"], topic);
    assert_eq!(doc["changes"][1]["endpoint"], "secops@example.com");
    assert_eq!(doc["changes"][3]["alarmActions"], json!([topic]));
    assert_eq!(doc["changes"][2]["logGroupName"], "main-trail");

    let out = gsl()
        .args(["fix", "--notify", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The pattern written is the pattern of the CIS version checked.
#[test]
fn the_plan_writes_the_version_s_pattern() {
    let dir = tempfile::tempdir().unwrap();
    let snap = write_snapshot(dir.path(), account(&[]));
    let mut seen = Vec::new();
    for (pack, id) in [
        ("cis-aws@1.2.0", "CIS-AWS-3.1"),
        ("cis-aws@2.0.0", "CIS-AWS-4.1"),
        ("cis-aws@5.0.0", "CIS-AWS-4.10"),
    ] {
        let (doc, code, err) = plan(&["--pack", pack, "--id", id], &snap);
        assert_eq!(code, 0, "{pack}: {err}");
        let want = gsl::fix::plan::required_patterns(&policy(id, pack));
        assert_eq!(doc["changes"][0]["kind"], "putMetricFilter", "{pack}");
        assert_eq!(doc["changes"][0]["filterPattern"], want[0], "{pack}");
        seen.push(want[0].clone());
    }
    assert_ne!(
        seen[0], seen[1],
        "v1.2 and v2.0 print different 3.1/4.1 patterns"
    );
    assert!(seen[2].contains("ModifySecurityGroupRules"));
}

#[test]
fn nothing_to_fix_exits_zero_with_a_note() {
    let out = gsl()
        .args(["fix", "--id", "CG.MON.ROOT-USAGE"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to fix"));
}

/// A trail's log group is the user's choice: blocked without the flags, an
/// update-trail command with them (the account and region said).
#[test]
fn trail_settings_come_from_flags() {
    let out = gsl()
        .args(["fix", "--id", "D9.AWS.LOG.03"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--trail-log-group ARN --trail-log-role ARN")
    );
    let group = "arn:aws:logs:eu-west-1:123456789012:log-group:ct:*";
    let role = "arn:aws:iam::123456789012:role/ct";
    let out = gsl()
        .args([
            "fix",
            "--id",
            "D9.AWS.LOG.03",
            "--trail-log-group",
            group,
            "--trail-log-role",
            role,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("# c1: account 123456789012, region eu-west-1: update trail \"legacy-eu\""),
        "{text}"
    );
    assert!(text.contains(&format!("aws cloudtrail update-trail --region eu-west-1 --name legacy-eu --cloud-watch-logs-log-group-arn '{group}' --cloud-watch-logs-role-arn {role}")), "{text}");
    let out = gsl()
        .args(["fix", "--id", "D9.AWS.LOG.01"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(
        "aws cloudtrail update-trail --region eu-west-1 --name legacy-eu --is-multi-region-trail"
    ));
}

/// Every plan `--format json` writes validates against `docs/fix-plan.schema.json`.
#[test]
fn json_plans_validate_against_the_published_schema() {
    let schema: Json = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/fix-plan.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let runs: Vec<Vec<&str>> = vec![
        vec!["fix", "-f", "json"],
        vec![
            "fix",
            "-f",
            "json",
            "--notify",
            "https://hooks.example.com/x",
        ],
        vec![
            "fix",
            "-f",
            "json",
            "--trail-log-group",
            "arn:aws:logs:eu-west-1:123456789012:log-group:ct:*",
            "--trail-log-role",
            "arn:aws:iam::123456789012:role/ct",
            "--kms-key",
            "arn:aws:kms:eu-west-1:123456789012:key/k",
        ],
    ];
    for args in runs {
        let out = gsl().args(&args).output().unwrap();
        let doc: Json = serde_json::from_slice(&out.stdout).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
        assert!(!doc["changes"].as_array().unwrap().is_empty(), "{args:?}");
    }
    // The schema is not vacuous: a change of an unknown kind is refused.
    let bad = json!({"planVersion": 1, "changes": [{"id": "c1", "account": ACCOUNT, "region": "us-east-1", "exists": false, "kind": "deleteTrail"}], "findings": []});
    assert!(!validator.is_valid(&bad));
}

/// docs/iam-fix-policy.json allows exactly the calls `--apply` makes (and PassRole
/// for a trail's log role).
#[test]
fn the_fix_iam_policy_lists_every_call() {
    let doc: Json = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/iam-fix-policy.json")).unwrap(),
    )
    .unwrap();
    let actions: Vec<&str> = doc["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(actions, gsl::fix::change::IAM_ACTIONS);
    assert_eq!(doc["Statement"][1]["Action"], json!(["iam:PassRole"]));
}

/// `--apply` without a terminal and without `--yes` refuses, and changes nothing.
#[cfg(feature = "aws")]
#[test]
fn apply_without_a_terminal_or_yes_refuses() {
    let out = gsl()
        .args(["fix", "--id", "D9.AWS.LOG.01", "--apply"])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .write_stdin("yes\n")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("refusing --apply"), "{err}");
    assert!(err.contains("--yes"), "{err}");
    assert!(!err.contains("done "), "{err}");
}

/// An account failing the single-call controls of the collected types, as a snapshot:
/// a bucket with one Block Public Access setting, a key that does not rotate, a weak
/// password policy that requires symbols, EBS encryption by default off, an instance
/// that allows IMDSv1, a VPC without flow logs, no Security Hub, no analyzer, no
/// Config recorder.
pub(crate) fn settings_snapshot(dir: &Path) -> PathBuf {
    let region = "us-east-1";
    let arn = |svc: &str, rest: &str| format!("arn:aws:{svc}:{region}:{ACCOUNT}:{rest}");
    let block = |on: bool| json!({"blockPublicAcls": on, "ignorePublicAcls": false, "blockPublicPolicy": false, "restrictPublicBuckets": false});
    let e = |ty: &str, id: &str, name: &str, more: Json| {
        let mut v =
            json!({"id": id, "type": ty, "name": name, "accountNumber": ACCOUNT, "region": region});
        v.as_object_mut()
            .unwrap()
            .extend(more.as_object().unwrap().clone());
        v
    };
    let doc = json!({
        "schemaVersion": 1,
        "collectedAt": "2026-12-01T00:00:00Z",
        "accounts": [{
            "accountNumber": ACCOUNT,
            "regions": [region],
            "entities": {
                "S3Bucket": [e("S3Bucket", "exposed", "exposed", json!({
                    "publicAccessBlock": block(true), "accountPublicAccessBlock": block(false), "effectivePublicAccessBlock": block(true)}))],
                "KMS": [e("KMS", &arn("kms", "key/k1"), "k1", json!({
                    "arn": arn("kms", "key/k1"), "isCustomerManaged": true, "keySpec": "SYMMETRIC_DEFAULT", "keyState": "Enabled", "rotationStatus": false}))],
                "Iam": [{"id": ACCOUNT, "type": "Iam", "name": ACCOUNT, "accountNumber": ACCOUNT, "region": null,
                    "passwordPolicy": {"enabledInAccount": true, "minPasswordLength": 8, "requireSymbols": true, "expirePasswords": false, "maxPasswordAge": null, "passwordReusePrevention": null}}],
                "EbsEncryptionByDefault": [e("EbsEncryptionByDefault", &arn("ec2", "ebs-encryption-by-default"), region, json!({"enabled": false}))],
                "Instance": [e("Instance", "i-0abc", "web", json!({"state": "running", "metadataOptions": {"httpTokens": "optional", "httpEndpoint": "enabled"}}))],
                "VPC": [e("VPC", "vpc-0abc", "main", json!({"hasFlowLogs": false, "flowLogs": []}))],
                "SecurityHub": [e("SecurityHub", &arn("securityhub", "hub/default"), "default", json!({"enabled": false}))],
                "AccessAnalyzer": [e("AccessAnalyzer", &arn("access-analyzer", "analyzers"), region, json!({"analyzers": [], "externalAccessEnabled": false}))],
                "ConfigurationRecorder": [e("ConfigurationRecorder", &arn("config", "config-recorder"), "(none)", json!({
                    "exists": false, "recording": false, "allSupported": false, "includeGlobalResourceTypes": false, "hasDeliveryChannel": false}))],
            }
        }]
    });
    let path = dir.join("settings.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    path
}

/// The single-call controls of cis-aws@5.0.0 this snapshot fails.
pub(crate) const SETTINGS_V5: &[&str] = &[
    "CIS-AWS-1.7",
    "CIS-AWS-1.8",
    "CIS-AWS-1.19",
    "CIS-AWS-2.1.4",
    "CIS-AWS-3.3",
    "CIS-AWS-3.6",
    "CIS-AWS-3.7",
    "CIS-AWS-4.16",
    "CIS-AWS-5.1.1",
    "CIS-AWS-5.7",
];

pub(crate) const SETTINGS_CHOICES: &[&str] = &[
    "--flow-log-destination",
    "arn:aws:s3:::flow-logs",
    "--config-bucket",
    "config-logs",
    "--config-role",
    "arn:aws:iam::123456789012:role/config-recorder",
];

pub(crate) fn settings_args(pack: &str, ids: &[&str]) -> Vec<String> {
    let mut a = vec!["--pack".to_string(), pack.to_string()];
    for id in ids {
        a.extend(["--id".to_string(), id.to_string()]);
    }
    a
}

/// Each single-call control gets its one change kind, made from the evidence: the
/// password policy's two controls share one call (the stricter values, the account's
/// symbols kept), the bucket keeps its setting, the choices come from flags.
#[test]
fn each_single_call_control_gets_its_change() {
    let dir = tempfile::tempdir().unwrap();
    let snap = settings_snapshot(dir.path());
    let args = settings_args("cis-aws@5.0.0", SETTINGS_V5);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (doc, code, err) = plan(&[&args[..], SETTINGS_CHOICES].concat(), &snap);
    assert_eq!(code, 0, "{err}");
    let changes = doc["changes"].as_array().unwrap();
    let kinds_of = |policy: &str| -> Vec<(String, bool)> {
        let f = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["policy"] == policy)
            .unwrap_or_else(|| panic!("{policy}: {doc:#}"));
        f["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| {
                let c = changes.iter().find(|c| &c["id"] == id).unwrap();
                (
                    c["kind"].as_str().unwrap().to_string(),
                    c["exists"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let k = |s: &str, exists: bool| vec![(s.to_string(), exists)];
    assert_eq!(
        kinds_of("CIS-AWS-1.7"),
        k("updateAccountPasswordPolicy", true)
    );
    assert_eq!(kinds_of("CIS-AWS-1.8"), kinds_of("CIS-AWS-1.7"));
    assert_eq!(kinds_of("CIS-AWS-1.19"), k("createAnalyzer", false));
    assert_eq!(
        kinds_of("CIS-AWS-2.1.4"),
        k("putBucketPublicAccessBlock", true)
    );
    assert_eq!(kinds_of("CIS-AWS-3.6"), k("enableKeyRotation", true));
    assert_eq!(kinds_of("CIS-AWS-3.7"), k("createFlowLogs", false));
    assert_eq!(kinds_of("CIS-AWS-4.16"), k("enableSecurityHub", false));
    assert_eq!(
        kinds_of("CIS-AWS-5.1.1"),
        k("enableEbsEncryptionByDefault", true)
    );
    assert_eq!(
        kinds_of("CIS-AWS-5.7"),
        k("modifyInstanceMetadataOptions", true)
    );
    assert_eq!(
        kinds_of("CIS-AWS-3.3"),
        vec![
            ("putConfigurationRecorder".to_string(), false),
            ("putDeliveryChannel".to_string(), false),
            ("startConfigurationRecorder".to_string(), false),
        ]
    );
    let get = |kind: &str| changes.iter().find(|c| c["kind"] == kind).unwrap();
    let policy = get("updateAccountPasswordPolicy");
    assert_eq!(
        (
            &policy["minimumPasswordLength"],
            &policy["passwordReusePrevention"],
            &policy["requireSymbols"],
            policy.get("maxPasswordAge")
        ),
        (&json!(14), &json!(24), &json!(true), None),
        "{policy:#}"
    );
    let block = get("putBucketPublicAccessBlock");
    assert_eq!(
        block,
        &json!({"id": block["id"], "account": ACCOUNT, "region": "us-east-1", "exists": true,
            "kind": "putBucketPublicAccessBlock", "bucket": "exposed", "blockPublicAcls": true,
            "ignorePublicAcls": true, "blockPublicPolicy": true, "restrictPublicBuckets": true})
    );
    assert_eq!(
        get("enableKeyRotation")["keyId"],
        format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/k1")
    );
    assert_eq!(
        get("modifyInstanceMetadataOptions")["httpTokens"],
        "required"
    );
    let flow = get("createFlowLogs");
    assert_eq!(
        (
            &flow["vpcId"],
            &flow["logDestinationType"],
            &flow["logDestination"]
        ),
        (
            &json!("vpc-0abc"),
            &json!("s3"),
            &json!("arn:aws:s3:::flow-logs")
        )
    );
    let recorder = get("putConfigurationRecorder");
    assert_eq!(
        recorder["roleArn"],
        "arn:aws:iam::123456789012:role/config-recorder"
    );
    assert_eq!(recorder["allSupported"], true);
    assert_eq!(get("putDeliveryChannel")["s3BucketName"], "config-logs");

    // The plan validates against the published schema.
    let schema: Json = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/fix-plan.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// The choices only the user can make: without them the flow logs and the Config
/// recorder are blocked and name the flag; a log group destination needs its role.
#[test]
fn flow_logs_and_config_name_the_flag_they_need() {
    let dir = tempfile::tempdir().unwrap();
    let snap = settings_snapshot(dir.path());
    let args = settings_args("cis-aws@5.0.0", &["CIS-AWS-3.7", "CIS-AWS-3.3"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (doc, code, err) = plan(&args, &snap);
    assert_eq!(code, 1, "{err}");
    assert_eq!(doc["changes"], json!([]));
    let flags: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["blocked"]["flag"].as_str().unwrap())
        .collect();
    assert_eq!(flags, ["--config-role ARN", "--flow-log-destination ARN"]);
    let (doc, code, err) = plan(
        &[
            &args[..],
            &[
                "--config-role",
                "arn:aws:iam::123456789012:role/c",
                "--flow-log-destination",
                "arn:aws:logs:us-east-1:123456789012:log-group:flows",
            ],
        ]
        .concat(),
        &snap,
    );
    assert_eq!(code, 1, "{err}");
    let blocked: Vec<&Json> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["blocked"])
        .collect();
    assert_eq!(blocked[0]["flag"], "--config-bucket NAME", "{doc:#}");
    assert_eq!(blocked[1]["flag"], "--flow-log-role ARN", "{doc:#}");
}

/// CloudGuard's rules over the same types (IAM.12, IAM.112, LOG.22) get the same
/// changes; IAM.112 (a policy exists) keeps the account's settings.
#[test]
fn cloudguard_rules_over_the_types_are_mended_too() {
    let dir = tempfile::tempdir().unwrap();
    let snap = settings_snapshot(dir.path());
    let args = settings_args("cloudguard", &["D9.AWS.IAM.12", "D9.AWS.LOG.22"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (doc, code, err) = plan(&[&args[..], SETTINGS_CHOICES].concat(), &snap);
    assert_eq!(code, 0, "{err}");
    let kinds: Vec<&str> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["updateAccountPasswordPolicy", "createFlowLogs"]);
    assert_eq!(doc["changes"][0]["minimumPasswordLength"], 14);
    assert_eq!(doc["changes"][0]["requireSymbols"], true);
}

/// The four forms of the single-call plan: the AWS CLI commands, Terraform (resources
/// where one describes the setting, an import block where it exists, the CLI command
/// as a comment where the resource is the whole object), CloudFormation (resources
/// for what the plan creates, the rest under Metadata with its command).
#[test]
fn the_single_call_plan_in_every_form() {
    let dir = tempfile::tempdir().unwrap();
    let snap = settings_snapshot(dir.path());
    let args = settings_args("cis-aws@5.0.0", SETTINGS_V5);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let render = |format: &str| {
        let out = gsl()
            .arg("fix")
            .args(&args)
            .args(SETTINGS_CHOICES)
            .args(["-f", format, "--snapshot"])
            .arg(&snap)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}");
        String::from_utf8(out.stdout).unwrap()
    };
    let cli = render("cli");
    insta::assert_snapshot!("fix_settings_cli", cli);
    let tf = render("terraform");
    insta::assert_snapshot!("fix_settings_terraform", tf);
    let cfn = render("cloudformation");
    insta::assert_snapshot!("fix_settings_cloudformation", cfn);
    let template: Json = serde_json::from_str(&cfn).unwrap();
    let mut types: Vec<&str> = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|r| r["Type"].as_str())
        .collect();
    types.sort_unstable();
    assert_eq!(
        types,
        [
            "AWS::AccessAnalyzer::Analyzer",
            "AWS::Config::ConfigurationRecorder",
            "AWS::Config::DeliveryChannel",
            "AWS::EC2::FlowLog",
            "AWS::SecurityHub::Hub"
        ]
    );
    let outside: Vec<&str> = template["Metadata"]["GslNotInTemplate"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    for cmd in [
        "aws s3api put-public-access-block",
        "aws kms enable-key-rotation",
        "aws iam update-account-password-policy",
        "aws ec2 enable-ebs-encryption-by-default",
        "aws ec2 modify-instance-metadata-options",
        "aws configservice start-configuration-recorder",
    ] {
        assert!(
            outside.iter().any(|c| c.starts_with(cmd)),
            "{cmd}: {outside:#?}"
        );
    }
}

/// An account without a password policy: IAM.112 (a policy exists) and IAM.12 (at
/// least 14 characters) make one call that creates it (no import: nothing exists).
#[test]
fn a_missing_password_policy_is_created_once() {
    let dir = tempfile::tempdir().unwrap();
    let snap = settings_snapshot(dir.path());
    let mut doc: Json = serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap();
    doc["accounts"][0]["entities"]["Iam"][0]["passwordPolicy"] =
        json!({"enabledInAccount": false, "minPasswordLength": null, "requireSymbols": null});
    std::fs::write(&snap, doc.to_string()).unwrap();
    let args = settings_args("cloudguard", &["D9.AWS.IAM.112", "D9.AWS.IAM.12"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (plan_doc, code, err) = plan(&args, &snap);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        plan_doc["changes"],
        json!([{"id": "c1", "account": ACCOUNT, "region": "us-east-1", "exists": false,
            "kind": "updateAccountPasswordPolicy", "minimumPasswordLength": 14}]),
        "{plan_doc:#}"
    );
    assert_eq!(plan_doc["findings"].as_array().map(Vec::len), Some(2));
}
