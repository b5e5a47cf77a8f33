//! `gsl replay --from-s3` against moto's S3 through the real SDK: a bucket seeded with
//! the generated CloudTrail files (`benches/support/trailgen.rs`: days of two regions,
//! and an organization trail's layout beside them) replays a window exactly as the
//! same files on disk do, with the planted counts of the window (the reference of
//! `replay_counts.rs`); the day folders outside the window are neither listed nor
//! fetched (every request is seen by a proxy in front of moto); a refused `GetObject`
//! and a refused listing are named in the report and set the exit status.
#![cfg(feature = "aws")]

use crate::replay_counts::{controls, filter_kinds, graph, snapshot, trailgen};
use crate::support::{mend, test_sdk_config, Moto};
use gsl::collect::trail_logs::{s3_logs, S3Location, S3LogsOptions};
use gsl::replay::window::Window;
use gsl::replay::{self, Options, ReplayReport};
use serde_json::Value;
use std::path::Path;
use std::sync::Mutex;
use trailgen::Spec;

/// Every request line the proxy saw.
static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The proxy's choice: record every request; refuse, in the bucket `trail-denied`,
/// one object of the 2nd of November and the listing of eu-west-1's 3rd.
fn record_and_refuse(line: &str) -> bool {
    if let Ok(mut seen) = SEEN.lock() {
        seen.push(line.to_string());
    }
    line.contains("/trail-denied")
        && (line.contains("123456789012_CloudTrail_us-east-1_20261102T1200Z")
            || decode(line).contains("CloudTrail/eu-west-1/2026/11/03/"))
}

/// A request line with its `%2F` and the like decoded.
fn decode(line: &str) -> String {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&line[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The requests to `bucket` seen so far, decoded.
fn seen(bucket: &str) -> Vec<String> {
    SEEN.lock()
        .unwrap()
        .iter()
        .map(|l| decode(l))
        .filter(|l| l.contains(&format!("/{bucket}")))
        .collect()
}

/// The member account of the organization trail's layout.
const MEMBER: &str = "210987654321";

/// The member account's files: one region, another seed.
fn member(spec: &Spec) -> Spec {
    Spec {
        seed: 9,
        account: MEMBER.into(),
        regions: vec!["us-east-1".into()],
        ..spec.clone()
    }
}

/// A bucket seeded with `days` days of the generated files at `prefix` (also on disk,
/// in the directory returned): moto, the recording proxy in front of it, a runtime.
fn seeded(
    bucket: &str,
    days: u32,
    seed_of: u64,
    prefix: &str,
) -> (
    Moto,
    String,
    tokio::runtime::Runtime,
    Spec,
    tempfile::TempDir,
) {
    let moto = Moto::start();
    let proxy = mend::proxy(&moto.url, record_and_refuse);
    let rt = runtime();
    let spec = Spec {
        days,
        ..Spec::small(seed_of)
    };
    let dir = tempfile::tempdir().unwrap();
    let files = seed_files(&spec, prefix, dir.path());
    seed(&moto, &rt, bucket, &files);
    (moto, proxy, rt, spec, dir)
}

/// The main account's files at `prefix`, a member account's under the organization
/// trail's layout (`AWSLogs/o-…/<account>/…`), and files that are not logs of a trail
/// (a digest, another folder): (key, gzipped bytes). Also written under `dir`.
fn seed_files(spec: &Spec, prefix: &str, dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    trailgen::generate(spec, &mut |f| {
        out.push((format!("{prefix}{}", f.path), trailgen::gzip(&f.text)))
    });
    trailgen::generate(&member(spec), &mut |f| {
        let key = f.path.replacen("AWSLogs/", "AWSLogs/o-a1b2c3d4e5/", 1);
        out.push((format!("{prefix}{key}"), trailgen::gzip(&f.text)))
    });
    for other in [
        "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/03/digest.json.gz",
        "elb/2026/11/03/access.log.gz",
    ] {
        out.push((
            format!("{prefix}{other}"),
            trailgen::gzip(r#"{"Records":[{"eventName":"NotALog"}]}"#),
        ));
    }
    for (key, bytes) in &out {
        if key.contains("/CloudTrail/") {
            let path = dir.join(key);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    }
    out
}

/// Create `bucket` on moto and put `files` in it (straight to moto, not the proxy).
fn seed(moto: &Moto, runtime: &tokio::runtime::Runtime, bucket: &str, files: &[(String, Vec<u8>)]) {
    moto.create_bucket(bucket);
    runtime.block_on(async {
        let config = test_sdk_config("us-east-1", Some(&moto.url)).await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build(),
        );
        for (key, bytes) in files {
            s3.put_object()
                .bucket(bucket)
                .key(key)
                .body(bytes.clone().into())
                .send()
                .await
                .unwrap_or_else(|e| panic!("put {key}: {e:?}"));
        }
    });
}

/// The report as JSON, file names relative to `root` (a directory or `s3://bucket/`).
fn relative(r: &ReplayReport, root: &str) -> Value {
    let text = serde_json::to_string(r).unwrap();
    serde_json::from_str(&text.replace(root, "")).unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_window_from_s3_replays_as_the_same_files_on_disk_and_lists_only_its_days() {
    let (_moto, proxy, rt, spec, dir) = seeded("trail-window", 8, 7, "org/");

    // The 3rd to the 5th of November, the 5th included.
    let window = Window::parse(Some("2026-11-03"), Some("2026-11-05")).unwrap();
    let options = Options {
        window,
        ..Options::default()
    };
    let config = rt.block_on(test_sdk_config("us-east-1", Some(&proxy)));
    let source = s3_logs(
        rt.handle(),
        &config,
        S3Location::parse("s3://trail-window/org").unwrap(),
        window,
        S3LogsOptions {
            concurrency: 4,
            max_file_bytes: replay::logs::MAX_FILE_BYTES,
            ..S3LogsOptions::default()
        },
    )
    .unwrap();
    let from_s3 = replay::replay_inputs(&graph(&spec), controls(), source, options);
    let on_disk = replay::replay_with(
        &graph(&spec),
        controls(),
        &[dir.path().join("org")],
        options,
    );
    assert!(from_s3.skipped.is_empty(), "{:?}", from_s3.skipped);
    assert_eq!(
        relative(&from_s3, "s3://trail-window/org/"),
        relative(&on_disk, &format!("{}/", dir.path().join("org").display()))
    );

    // The planted counts of the window's three days.
    let plan = trailgen::plan(&spec);
    let (since, until) = (window.since.unwrap(), window.until.unwrap());
    let in_window = |names: &[&str]| -> (u64, u64) {
        let bursts: Vec<(i64, u32)> = plan
            .iter()
            .filter(|p| names.contains(&p.kind.name))
            .flat_map(|p| p.bursts.iter().map(|b| (*b, p.per_burst)))
            .filter(|(b, _)| (since..until).contains(b))
            .collect();
        (
            bursts.iter().map(|b| u64::from(b.1)).sum(),
            bursts.len() as u64,
        )
    };
    let mut planted = 0;
    for (name, kinds) in filter_kinds(&plan) {
        let f = from_s3.filters.iter().find(|f| f.name == name).unwrap();
        let a = from_s3.alarms.iter().find(|a| a.name == name).unwrap();
        let (count, bursts) = in_window(&kinds);
        assert_eq!((f.matched, a.alarms), (count, Some(bursts)), "{name}");
        planted += count;
    }
    assert!(planted > 0, "the window holds planted events");
    // Three days of 2 regions × 4 files of the account, and of 1 region of the member.
    assert_eq!(from_s3.files, 3 * (2 + 1) * 4);
    let per_file = |acct: &str| {
        let mut n = 0;
        let s = if acct == MEMBER {
            member(&spec)
        } else {
            spec.clone()
        };
        trailgen::generate(&s, &mut |f| {
            if ["/2026/11/03/", "/2026/11/04/", "/2026/11/05/"]
                .iter()
                .any(|d| f.path.contains(d))
            {
                n += f.records;
            }
        });
        n
    };
    assert_eq!(from_s3.records + from_s3.outside_window, {
        per_file("123456789012") + per_file(MEMBER)
    });
    assert_eq!(from_s3.undelivered, per_file(MEMBER));

    // Requests: the day folders of the window and the next one (late deliveries) were
    // listed, no other; only the window's files were fetched.
    let requests = seen("trail-window");
    let day = |l: &str| -> Option<String> {
        let at = l.find("/2026/11/")?;
        Some(l[at + 9..at + 11].to_string())
    };
    let listed: Vec<String> = requests
        .iter()
        .filter(|l| l.contains("list-type=2"))
        .filter_map(|l| day(l))
        .collect();
    let fetched: Vec<&String> = requests
        .iter()
        .filter(|l| l.starts_with("GET /trail-window/") && !l.contains("list-type"))
        .collect();
    let mut listed_days = listed.clone();
    listed_days.sort();
    listed_days.dedup();
    assert_eq!(listed_days, ["03", "04", "05", "06"]);
    // One listing per account, region and day.
    assert_eq!(listed.len(), 3 * 4);
    assert_eq!(fetched.len() as u64, from_s3.files, "{fetched:#?}");
    assert!(
        fetched
            .iter()
            .all(|l| ["03", "04", "05"].contains(&day(l).unwrap().as_str())),
        "{fetched:#?}"
    );
    assert!(!requests
        .iter()
        .any(|l| l.contains("Digest") || l.contains("elb/")));
}

#[test]
fn a_refused_object_or_listing_is_named_and_sets_the_exit_status() {
    let (moto, proxy, _rt, spec, dir) = seeded("trail-denied", 4, 5, "");
    let snap_dir = tempfile::tempdir().unwrap();
    let snap = snap_dir.path().join("snap.json");
    std::fs::write(&snap, snapshot(&spec).to_string()).unwrap();

    let run = |args: &[&str]| {
        crate::cis_moto::gsl(&moto)
            .env("AWS_ENDPOINT_URL_S3", &proxy)
            .args(["replay", "--pack", "cis-aws@5.0.0", "-f", "json", "-s"])
            .arg(&snap)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "--from-s3",
        "s3://trail-denied",
        "--since",
        "2026-11-02",
        "--until",
        "2026-11-03",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("2 piece(s) of input"), "{stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped: Vec<(String, String, String)> = r["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["file"].as_str().unwrap().to_string(),
                s["at"].as_str().unwrap().to_string(),
                s["why"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:#?}");
    assert_eq!(
        skipped[0].0,
        "s3://trail-denied/AWSLogs/123456789012/CloudTrail/eu-west-1/2026/11/03/"
    );
    assert_eq!(skipped[0].1, "ListObjectsV2");
    assert!(skipped[1].0.starts_with("s3://trail-denied/AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/02/123456789012_CloudTrail_us-east-1_20261102T1200Z_"));
    assert_eq!(skipped[1].1, "GetObject");
    for s in &skipped {
        assert!(s.2.starts_with("AccessDenied: "), "{s:?}");
    }
    // Every other file of the two days was read: 2 days × (2 + 1 member) regions × 4
    // files, less the refused one and eu-west-1's 3rd.
    assert_eq!(r["files"], 2 * 3 * 4 - 1 - 4, "{r}");

    // The same window from disk reads the refused files too: nothing skipped.
    let out = run(&[
        "--logs",
        dir.path().to_str().unwrap(),
        "--since",
        "2026-11-02",
        "--until",
        "2026-11-03",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let local: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(local["files"], 2 * 3 * 4);

    // No --since: refused before any call; no input at all: a usage error.
    let out = run(&["--from-s3", "s3://trail-denied"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--since"));
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
}
