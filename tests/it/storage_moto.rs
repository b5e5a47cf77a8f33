//! The storage and logging types (S3Bucket, KMS, ConfigurationRecorder, RDS, EFS,
//! SecurityHub, Macie, and CloudTrail's bucket join and data events) collected from
//! moto_server through the real SDK, and the CIS rows of
//! policies/cis-aws.src/rules/{storage,logging}.yaml judged on what was collected: a
//! passing and a failing case of every decidable control, with the entity and the
//! property each failure names. A refused call leaves its types unknown, never passed.
//!
//! What moto cannot seed is said where it matters: it keeps no MFA Delete state
//! (`PutBucketVersioning` stores the status only), so 2.1.2 passes only in the table's
//! own cases.
#![cfg(feature = "aws")]

use crate::support;

use gsl::collect::{self, CollectOptions, Collection, EndpointOverride, Service};
use gsl::entity::graph::EntityGraph;
use gsl::lang::eval::{EvalOptions, Outcome};
use gsl::run::PreparedRule;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use support::fixture::{Fixture, ACCOUNT};
use support::Moto;

/// The account without any trail (the List<CloudTrail> controls fail there).
const OTHER: &str = "222222222222";
const EAST: &str = "us-east-1";
const WEST: &str = "eu-west-1";

fn s3(f: &Fixture<'_>, region: &str) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(&f.config)
        .region(aws_config::Region::new(region.to_string()))
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

async fn bucket(f: &Fixture<'_>, name: &str, region: &str) {
    use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
    let mut req = s3(f, region).create_bucket().bucket(name);
    if region != EAST {
        req = req.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    req.send().await.expect("CreateBucket");
}

const DENY_HTTP: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "tls", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::trail-logs", "arn:aws:s3:::trail-logs/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}"#;
const PUBLIC_READ: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::eu-site/*"}]}"#;

/// The seeded account: one passing and one failing case of every decidable control.
async fn seed(moto: &Moto) -> (String, String) {
    use aws_sdk_s3::types as s3t;
    let f = Fixture::new(moto, EAST).await;
    // S3: the trail's bucket is locked down and logs access to `access-logs`; `open-bucket`
    // grants everyone read; `eu-site` (eu-west-1) is public through its policy.
    for (name, region) in [
        ("trail-logs", EAST),
        ("access-logs", EAST),
        ("open-bucket", EAST),
        ("eu-site", WEST),
    ] {
        bucket(&f, name, region).await;
    }
    let east = s3(&f, EAST);
    east.put_bucket_acl()
        .bucket("access-logs")
        .grant_write("uri=http://acs.amazonaws.com/groups/s3/LogDelivery")
        .grant_read_acp("uri=http://acs.amazonaws.com/groups/s3/LogDelivery")
        .send()
        .await
        .expect("PutBucketAcl");
    east.put_bucket_logging()
        .bucket("trail-logs")
        .bucket_logging_status(
            s3t::BucketLoggingStatus::builder()
                .logging_enabled(
                    s3t::LoggingEnabled::builder()
                        .target_bucket("access-logs")
                        .target_prefix("trail-logs/")
                        .build()
                        .expect("logging"),
                )
                .build(),
        )
        .send()
        .await
        .expect("PutBucketLogging");
    east.put_bucket_policy()
        .bucket("trail-logs")
        .policy(DENY_HTTP)
        .send()
        .await
        .expect("PutBucketPolicy");
    east.put_public_access_block()
        .bucket("trail-logs")
        .public_access_block_configuration(
            s3t::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .expect("PutPublicAccessBlock");
    east.put_bucket_versioning()
        .bucket("trail-logs")
        .versioning_configuration(
            s3t::VersioningConfiguration::builder()
                .status(s3t::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("PutBucketVersioning");
    east.put_bucket_acl()
        .bucket("open-bucket")
        .acl(s3t::BucketCannedAcl::PublicRead)
        .send()
        .await
        .expect("PutBucketAcl");
    east.put_bucket_tagging()
        .bucket("open-bucket")
        .tagging(
            s3t::Tagging::builder()
                .tag_set(
                    s3t::Tag::builder()
                        .key("data-classification")
                        .value("secret")
                        .build()
                        .expect("tag"),
                )
                .build()
                .expect("tagging"),
        )
        .send()
        .await
        .expect("PutBucketTagging");
    s3(&f, WEST)
        .put_bucket_policy()
        .bucket("eu-site")
        .policy(PUBLIC_READ)
        .send()
        .await
        .expect("PutBucketPolicy");

    // KMS: one key rotates, one does not.
    let kms = aws_sdk_kms::Client::new(&f.config);
    let mut keys = Vec::new();
    for rotate in [true, false] {
        let out = kms.create_key().send().await.expect("CreateKey");
        let meta = out.key_metadata().expect("metadata");
        if rotate {
            kms.enable_key_rotation()
                .key_id(meta.key_id())
                .send()
                .await
                .expect("EnableKeyRotation");
        }
        keys.push(meta.arn().expect("key arn").to_string());
    }

    // CloudTrail: `main` is multi-region, validated, KMS-encrypted, logs every S3 object
    // event, into `trail-logs`; `legacy` is none of these, into `open-bucket`.
    let ct = f.cloudtrail();
    ct.create_trail()
        .name("main")
        .s3_bucket_name("trail-logs")
        .is_multi_region_trail(true)
        .include_global_service_events(true)
        .enable_log_file_validation(true)
        .kms_key_id(&keys[0])
        .send()
        .await
        .expect("CreateTrail");
    ct.create_trail()
        .name("legacy")
        .s3_bucket_name("open-bucket")
        .send()
        .await
        .expect("CreateTrail");
    for t in ["main", "legacy"] {
        f.start_logging(t).await;
    }
    {
        use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
        ct.put_event_selectors()
            .trail_name("main")
            .event_selectors(
                EventSelector::builder()
                    .read_write_type(ReadWriteType::All)
                    .include_management_events(true)
                    .data_resources(
                        DataResource::builder()
                            .r#type("AWS::S3::Object")
                            .values("arn:aws:s3")
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("PutEventSelectors");
    }

    // Config records in us-east-1 only.
    {
        use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel, RecordingGroup};
        let config = aws_sdk_config::Client::new(&f.config);
        config
            .put_configuration_recorder()
            .configuration_recorder(
                ConfigurationRecorder::builder()
                    .name("default")
                    .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/config"))
                    .recording_group(
                        RecordingGroup::builder()
                            .all_supported(true)
                            .include_global_resource_types(true)
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
                    .name("default")
                    .s3_bucket_name("trail-logs")
                    .build(),
            )
            .send()
            .await
            .expect("PutDeliveryChannel");
        config
            .start_configuration_recorder()
            .configuration_recorder_name("default")
            .send()
            .await
            .expect("StartConfigurationRecorder");
    }

    // RDS: `sealed` does everything right, `exposed` nothing.
    let rds = aws_sdk_rds::Client::new(&f.config);
    for (id, good) in [("sealed", true), ("exposed", false)] {
        rds.create_db_instance()
            .db_instance_identifier(id)
            .db_instance_class("db.t3.micro")
            .engine("postgres")
            .master_username("dbadmin")
            .master_user_password("correct-horse-battery")
            .allocated_storage(20)
            .storage_encrypted(good)
            .auto_minor_version_upgrade(good)
            .publicly_accessible(!good)
            .multi_az(good)
            .send()
            .await
            .expect("CreateDBInstance");
    }

    // EFS: one encrypted file system, one not.
    let efs = aws_sdk_efs::Client::new(&f.config);
    for (name, encrypted) in [("sealed", true), ("bare", false)] {
        efs.create_file_system()
            .creation_token(name)
            .encrypted(encrypted)
            .tags(
                aws_sdk_efs::types::Tag::builder()
                    .key("Name")
                    .value(name)
                    .build()
                    .expect("tag"),
            )
            .send()
            .await
            .expect("CreateFileSystem");
    }

    // Security Hub and Macie in us-east-1 only.
    aws_sdk_securityhub::Client::new(&f.config)
        .enable_security_hub()
        .send()
        .await
        .expect("EnableSecurityHub");
    aws_sdk_macie2::Client::new(&f.config)
        .enable_macie()
        .send()
        .await
        .expect("EnableMacie");
    (keys[0].clone(), keys[1].clone())
}

async fn collect_with(
    moto: &Moto,
    config: &aws_config::SdkConfig,
    extra: Vec<EndpointOverride>,
) -> Collection {
    let mut endpoints = moto.endpoints();
    endpoints.extend(extra);
    let options = CollectOptions {
        regions: vec![EAST.to_string(), WEST.to_string()],
        endpoints,
        ..Default::default()
    };
    collect::collect(config, &options)
        .await
        .expect("collection runs")
}

fn entities<'a>(c: &'a Collection, kind: &str) -> &'a [Json] {
    c.snapshot.accounts[0]
        .entities
        .get(kind)
        .map(Vec::as_slice)
        .unwrap_or_else(|| panic!("no {kind} entities"))
}

fn by_id<'a>(list: &'a [Json], id: &str) -> &'a Json {
    list.iter()
        .find(|e| e["id"] == id || e["name"] == id)
        .unwrap_or_else(|| panic!("no entity {id} in {list:#?}"))
}

/// The CIS rows with a rule: key → (v5.0.0 number, rule text).
fn rows() -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for text in [
        include_str!("../../policies/cis-aws.src/rules/storage.yaml"),
        include_str!("../../policies/cis-aws.src/rules/logging.yaml"),
    ] {
        let doc: serde_yaml::Value = serde_yaml::from_str(text).expect("YAML");
        let controls = doc["controls"].as_mapping().expect("controls");
        for (key, row) in controls {
            let Some(rule) = row["rule"].as_str() else {
                continue;
            };
            let number = row["numbers"]["5.0.0"].as_str().expect("5.0.0 number");
            out.insert(
                key.as_str().expect("key").to_string(),
                (number.to_string(), rule.to_string()),
            );
        }
    }
    out
}

/// An expected verdict: entity id, outcome, words of its explanation.
type Case = (String, Outcome, String);

/// id → (outcome, explanation text) of a rule on `graph`.
fn verdicts(rule: &str, graph: &EntityGraph) -> BTreeMap<String, (Outcome, String)> {
    let prepared = PreparedRule::new(rule, "storage.yaml");
    assert!(prepared.error().is_none(), "{rule}: {:?}", prepared.error());
    prepared
        .evaluate(graph, &EvalOptions::default())
        .entities
        .into_iter()
        .map(|r| (r.id.clone(), (r.outcome, format!("{:?}", r.explanation))))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_and_logging_types_are_collected_and_every_cis_row_decides() {
    let moto = Moto::start();
    let (rotating, still) = seed(&moto).await;
    let other = Fixture::in_account(&moto, EAST, OTHER).await;

    let started = std::time::Instant::now();
    let c = collect_with(&moto, &moto.sdk_config(EAST).await, vec![]).await;
    let elapsed = started.elapsed();
    assert!(
        c.snapshot.errors.is_empty(),
        "errors: {:#?}",
        c.snapshot.errors
    );

    // S3Bucket.
    let buckets = entities(&c, "S3Bucket");
    assert_eq!(buckets.len(), 4, "{buckets:#?}");
    let logs = by_id(buckets, "trail-logs");
    assert_eq!(logs["region"], EAST);
    assert_eq!(logs["logging"]["enabled"], true);
    assert_eq!(logs["logging"]["targetBucketName"], "access-logs");
    assert_eq!(logs["policy"]["Statement"][0]["Sid"], "tls");
    assert_eq!(logs["secureTransportRequired"], true);
    assert_eq!(logs["versioning"]["status"], "Enabled");
    assert_eq!(logs["versioning"]["mfaDelete"], false);
    assert_eq!(logs["publicAccessBlock"]["restrictPublicBuckets"], true);
    assert_eq!(
        logs["accountPublicAccessBlock"]["restrictPublicBuckets"],
        false
    );
    assert_eq!(logs["isPublic"], false);
    let open = by_id(buckets, "open-bucket");
    assert_eq!(open["aclAllowsPublic"], true);
    assert_eq!(open["isPublic"], true);
    assert_eq!(open["policy"], Json::Null);
    assert!(
        open["acl"]["grants"]
            .as_array()
            .is_some_and(|g| g.iter().any(|g| g["uri"]
                == "http://acs.amazonaws.com/groups/global/AllUsers"
                && g["premission"] == "READ"
                && g["premissionHeaderName"] == "x-amz-grant-read")),
        "{}",
        open["acl"]
    );
    assert_eq!(
        open["tags"],
        serde_json::json!([{"key": "data-classification", "value": "secret"}])
    );
    let site = by_id(buckets, "eu-site");
    assert_eq!(site["region"], WEST, "GetBucketLocation gives the region");
    assert_eq!(site["policyAllowsPublic"], true);
    assert_eq!(site["isPublic"], true);

    // CloudTrail's bucket join and data events.
    let trails = entities(&c, "CloudTrail");
    let main = by_id(trails, "main");
    assert_eq!(main["s3Bucket"]["name"], "trail-logs");
    assert_eq!(main["s3Bucket"]["logging"]["enabled"], true);
    assert_eq!(main["s3Bucket"]["isPublic"], false);
    assert_eq!(
        main["s3DataEvents"],
        serde_json::json!({"read": true, "write": true})
    );
    let legacy = by_id(trails, "legacy");
    assert_eq!(legacy["s3Bucket"]["isPublic"], true);
    assert_eq!(
        legacy["s3DataEvents"],
        serde_json::json!({"read": false, "write": false})
    );

    // KMS.
    let keys = entities(&c, "KMS");
    assert_eq!(keys.len(), 2);
    assert_eq!(by_id(keys, &rotating)["rotationStatus"], true);
    assert_eq!(by_id(keys, &still)["rotationStatus"], false);
    assert_eq!(by_id(keys, &still)["isCustomerManaged"], true);
    assert_eq!(by_id(keys, &still)["keySpec"], "SYMMETRIC_DEFAULT");

    // ConfigurationRecorder: one a region, eu-west-1 without a recorder.
    let recorders = entities(&c, "ConfigurationRecorder");
    assert_eq!(recorders.len(), 2, "{recorders:#?}");
    let east = by_id(recorders, "default");
    assert_eq!(east["recording"], true);
    assert_eq!(east["allSupported"], true);
    assert_eq!(east["deliveryChannel"]["s3BucketName"], "trail-logs");
    let west = recorders
        .iter()
        .find(|r| r["region"] == WEST)
        .expect("an entity for the region without a recorder");
    assert_eq!(
        west["id"],
        format!("arn:aws:config:eu-west-1:{ACCOUNT}:config-recorder")
    );
    assert_eq!(west["exists"], false);
    assert_eq!(west["recording"], false);

    // RDS, EFS.
    let dbs = entities(&c, "RDS");
    let sealed = by_id(dbs, "sealed");
    assert_eq!(sealed["dbType"], "postgres");
    assert_eq!(sealed["isStorageEncrypted"], true);
    assert_eq!(sealed["isMultiAvailabilityZone"], true);
    assert_eq!(by_id(dbs, "exposed")["isPublic"], true);
    let fs = entities(&c, "EFS");
    assert_eq!(by_id(fs, "sealed")["encrypted"], true);
    assert_eq!(by_id(fs, "bare")["encrypted"], false);

    // Security Hub and Macie: one entity a region.
    let hubs = entities(&c, "SecurityHub");
    assert_eq!(hubs.len(), 2);
    let macie = entities(&c, "Macie");
    assert_eq!(macie.len(), 2, "{macie:#?}");
    // (moto keeps one Macie session for the whole server, whatever the region.)
    assert!(macie
        .iter()
        .any(|m| m["region"] == EAST && m["enabled"] == true && m["status"] == "ENABLED"));

    // The calls, per account (measured for docs/collect.md).
    let s = &c.stats;
    eprintln!(
        "seeded account: {} calls in {:.2?}\n{s}",
        s.account_calls(ACCOUNT),
        elapsed
    );
    assert_eq!(s.calls_in(ACCOUNT, Service::S3, "ListBuckets"), 1, "{s}");
    assert_eq!(
        s.calls_in(ACCOUNT, Service::S3Control, "GetPublicAccessBlock"),
        1,
        "{s}"
    );
    assert_eq!(
        s.calls_in(ACCOUNT, Service::S3, "GetBucketPolicy"),
        4,
        "{s}"
    );
    assert_eq!(
        s.calls_in(ACCOUNT, Service::Config, "DescribeConfigurationRecorders"),
        2,
        "{s}"
    );

    // The other account: no trail, nothing.
    let c2 = collect_with(&moto, &other.config, vec![]).await;
    assert!(c2.snapshot.errors.is_empty(), "{:#?}", c2.snapshot.errors);
    // (moto's Macie session is one for the whole server, so "not enabled" is tested on
    // the error codes in src/collect/types/macie.rs.)
    assert_eq!(entities(&c2, "Macie").len(), 2);
    let mut snapshot = c.snapshot.clone();
    snapshot.accounts.extend(c2.snapshot.accounts.clone());
    let graph = EntityGraph::new(snapshot);

    // Every decidable row: (v5 number, [(id, outcome, explanation words)]).
    let list = |a: &str| format!("List<CloudTrail>@{a}");
    let trail = |n: &str| format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/{n}");
    let hub = |r: &str| format!("arn:aws:securityhub:{r}:{ACCOUNT}:hub/default");
    let db = |n: &str| format!("arn:aws:rds:us-east-1:{ACCOUNT}:db:{n}");
    let recorder = |r: &str, n: &str| format!("arn:aws:config:{r}:{ACCOUNT}:config-recorder{n}");
    let passed = |id: &str| (id.to_string(), Outcome::Passed, String::new());
    let failed = |id: &str, words: &str| (id.to_string(), Outcome::Failed, words.to_string());
    let expected: Vec<(&str, Vec<Case>)> = vec![
        (
            "s3-deny-http",
            vec![
                passed("trail-logs"),
                failed("open-bucket", "secureTransportRequired"),
            ],
        ),
        // moto keeps no MFA Delete: the pass is the table's own case.
        (
            "s3-mfa-delete",
            vec![
                failed("trail-logs", "versioning.mfaDelete"),
                failed("open-bucket", "versioning.status"),
            ],
        ),
        (
            "s3-block-public-access",
            vec![
                passed("trail-logs"),
                failed("open-bucket", "effectivePublicAccessBlock.blockPublicAcls"),
            ],
        ),
        (
            "rds-encryption",
            vec![
                passed(&db("sealed")),
                failed(&db("exposed"), "isStorageEncrypted"),
            ],
        ),
        (
            "rds-auto-minor-upgrade",
            vec![
                passed(&db("sealed")),
                failed(&db("exposed"), "autoMinorVersionUpgrade"),
            ],
        ),
        (
            "rds-not-public",
            vec![passed(&db("sealed")), failed(&db("exposed"), "isPublic")],
        ),
        (
            "rds-multi-az",
            vec![
                passed(&db("sealed")),
                failed(&db("exposed"), "isMultiAvailabilityZone"),
            ],
        ),
        (
            "cloudtrail-multi-region",
            vec![passed(&list(ACCOUNT)), failed(&list(OTHER), "length()")],
        ),
        (
            "cloudtrail-log-file-validation",
            vec![
                passed(&trail("main")),
                failed(&trail("legacy"), "logFileValidationEnabled"),
            ],
        ),
        (
            "config-all-regions",
            vec![
                passed(&recorder(EAST, "/default")),
                failed(&recorder(WEST, ""), "exists"),
            ],
        ),
        (
            "cloudtrail-bucket-access-logging",
            vec![
                passed(&trail("main")),
                failed(&trail("legacy"), "s3Bucket.logging.enabled"),
            ],
        ),
        (
            "cloudtrail-kms",
            vec![passed(&trail("main")), failed(&trail("legacy"), "kmsKeyId")],
        ),
        (
            "kms-rotation",
            vec![passed(&rotating), failed(&still, "rotationStatus")],
        ),
        (
            "s3-object-write-logging",
            vec![passed(&list(ACCOUNT)), failed(&list(OTHER), "length()")],
        ),
        (
            "s3-object-read-logging",
            vec![passed(&list(ACCOUNT)), failed(&list(OTHER), "length()")],
        ),
        (
            "security-hub",
            vec![passed(&hub(EAST)), failed(&hub(WEST), "enabled")],
        ),
    ];
    let rows = rows();
    let mut missing: Vec<&String> = rows
        .keys()
        .filter(|k| !expected.iter().any(|(e, _)| e == k) && *k != "efs-encryption")
        .collect();
    missing.sort();
    assert!(missing.is_empty(), "rows without a moto case: {missing:?}");
    let mut wrong = Vec::new();
    let mut judge = |key: &str, cases: &[Case]| {
        let (number, rule) = &rows[key];
        let got = verdicts(rule, &graph);
        for (id, outcome, words) in cases {
            match got.get(id) {
                Some((o, text)) if o == outcome && text.contains(words.as_str()) => {}
                other => wrong.push(format!(
                    "{number} {key}: {id}: expected {outcome:?} naming {words:?}, got {other:?}"
                )),
            }
        }
    };
    for (key, cases) in &expected {
        judge(key, cases);
    }
    let fs_id = |name: &str| by_id(fs, name)["id"].as_str().expect("id").to_string();
    judge(
        "efs-encryption",
        &[
            passed(&fs_id("sealed")),
            failed(&fs_id("bare"), "encrypted"),
        ],
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// AccessDenied on GetBucketPolicy (`GET /<bucket>?policy`), and Config refused in
/// eu-west-1: the buckets and the trails that join them, and Config in eu-west-1, are
/// unknown, never passed; the rest is judged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_calls_leave_their_types_unknown() {
    let moto = Moto::start();
    seed(&moto).await;
    let mut endpoints = support::mend::mended(&moto, |line| {
        line.starts_with("GET ") && (line.contains("?policy ") || line.contains("?policy&"))
    });
    endpoints.push(EndpointOverride {
        service: Some(Service::Config),
        region: Some(WEST.into()),
        url: moto.deny_url.clone(),
    });
    let c = collect_with(&moto, &moto.sdk_config(EAST).await, endpoints).await;
    let errors = &c.snapshot.errors;
    let policy: Vec<_> = errors
        .iter()
        .filter(|e| e.operation == "GetBucketPolicy")
        .collect();
    assert_eq!(policy.len(), 4, "one a bucket: {errors:#?}");
    assert!(policy.iter().all(|e| e.code == "AccessDenied"));
    assert_eq!(policy[0].entity_types, vec!["CloudTrail", "S3Bucket"]);
    let config: Vec<_> = errors.iter().filter(|e| e.service == "config").collect();
    assert_eq!(config.len(), 3, "{errors:#?}");
    assert!(config
        .iter()
        .all(|e| e.region.as_deref() == Some(WEST)
            && e.entity_types == vec!["ConfigurationRecorder"]));
    assert_eq!(errors.len(), 7, "{errors:#?}");

    let graph = EntityGraph::new(c.snapshot.clone());
    let rows = rows();
    // The bucket policy could not be read: nothing about the buckets passes.
    for key in [
        "s3-deny-http",
        "s3-block-public-access",
        "cloudtrail-bucket-access-logging",
    ] {
        let got = verdicts(&rows[key].1, &graph);
        assert!(!got.is_empty(), "{key}");
        for (id, (outcome, text)) in &got {
            assert_eq!(*outcome, Outcome::Unknown, "{key}: {id}: {text}");
            assert!(text.contains("GetBucketPolicy"), "{key}: {id}: {text}");
        }
    }
    // Config: us-east-1 is judged, eu-west-1 unknown (no entity there).
    let got = verdicts(&rows["config-all-regions"].1, &graph);
    assert_eq!(
        got[&format!("arn:aws:config:us-east-1:{ACCOUNT}:config-recorder/default")].0,
        Outcome::Passed
    );
    let west: Vec<_> = got.iter().filter(|(id, _)| id.contains(WEST)).collect();
    assert_eq!(west.len(), 1, "{got:#?}");
    assert_eq!(west[0].1 .0, Outcome::Unknown, "{got:#?}");
    // Untouched types are still judged.
    let got = verdicts(&rows["rds-encryption"].1, &graph);
    assert_eq!(
        got[&format!("arn:aws:rds:us-east-1:{ACCOUNT}:db:sealed")].0,
        Outcome::Passed
    );
}
