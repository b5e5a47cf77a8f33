//! CloudTrail log files read straight from the trail's S3 bucket (`gsl replay
//! --from-s3`): the replay's input ([`crate::replay::input::Input`]) from S3, read by
//! the same reader as files on disk.
//!
//! Listing by date prefix, never the whole bucket. Under `s3://bucket/prefix`,
//! CloudTrail writes `AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/` (an
//! organization trail `AWSLogs/<org-id>/<account>/CloudTrail/…`). The accounts,
//! organizations and regions are found by delimiter listings (`ListObjectsV2` with
//! `/`: one call per level and folder), then only the day folders of the window are
//! listed ([`Window::days`]: one call per account, region and day, more past 1,000
//! files), and only the files the window wants are fetched ([`Window::wants_file`]).
//!
//! Fetching: at most `concurrency` `GetObject` calls in flight, in key order (the
//! order of the same files on disk), each body held until the reader takes it: memory
//! is about `concurrency + 2` files as stored and one file's text. A refused listing
//! or `GetObject` is a [`Skipped`] naming the prefix or the object and the error, and
//! the run goes on.

use super::client::{failure, Clients, SdkError};
use super::{EndpointOverride, Progress};
use crate::replay::input::{is_gzip, Input, LogInput};
use crate::replay::logs::Skipped;
use crate::replay::window::{day_path, Window};
use aws_config::SdkConfig;
use futures::stream::{self, StreamExt};
use miette::Diagnostic;
use thiserror::Error;

/// S3 calls in flight by default (the collectors' bound).
pub const DEFAULT_FETCHES: usize = super::DEFAULT_CONCURRENCY;

/// Where the trail's log files are: `s3://bucket/prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    /// The bucket.
    pub bucket: String,
    /// The key prefix (the trail's `S3KeyPrefix`, or deeper: `AWSLogs/<account>/`),
    /// empty or ending with `/`.
    pub prefix: String,
}

/// Why a replay from S3 cannot start.
#[derive(Debug, Error, Diagnostic)]
pub enum TrailLogsError {
    /// Not an `s3://bucket/prefix` URL.
    #[error("{0:?} is not an S3 location")]
    #[diagnostic(
        code(gsl::replay::s3_url),
        help("write s3://BUCKET or s3://BUCKET/PREFIX, the trail's bucket and key prefix")
    )]
    Url(String),
    /// No `--since`: the whole bucket would be listed.
    #[error("a replay from S3 needs --since")]
    #[diagnostic(
        code(gsl::replay::s3_since),
        help(
            "pass --since DATE (and --until DATE): only the day folders of the window are listed"
        )
    )]
    NoSince,
}

impl S3Location {
    /// `s3://bucket[/prefix]`.
    pub fn parse(url: &str) -> Result<S3Location, TrailLogsError> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| TrailLogsError::Url(url.to_string()))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() || bucket.contains(char::is_whitespace) {
            return Err(TrailLogsError::Url(url.to_string()));
        }
        let mut prefix = prefix.trim_start_matches('/').to_string();
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        Ok(S3Location {
            bucket: bucket.to_string(),
            prefix,
        })
    }

    /// `s3://bucket/key`.
    pub fn url(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }
}

/// How to read the bucket.
#[derive(Debug, Clone, Default)]
pub struct S3LogsOptions {
    /// The bucket's region, if known (default: the configuration's; a bucket
    /// elsewhere is followed to its region on the first reply).
    pub region: Option<String>,
    /// Calls in flight (0: [`DEFAULT_FETCHES`]).
    pub concurrency: usize,
    /// Endpoint overrides (S3's applies).
    pub endpoints: Vec<EndpointOverride>,
    /// An object larger than this is refused unread (it could only be larger once
    /// decompressed): the replay's `--max-file-size`.
    pub max_file_bytes: u64,
    /// Listing calls, the number of files, each file fetched.
    pub progress: Progress,
}

/// The log files of the window under `location`, fetched on `runtime` as they are
/// read: an iterator that blocks for the next file (call it outside the runtime).
pub fn s3_logs(
    runtime: &tokio::runtime::Handle,
    config: &SdkConfig,
    location: S3Location,
    window: Window,
    options: S3LogsOptions,
) -> Result<S3Logs, TrailLogsError> {
    let days = window
        .days(chrono::Utc::now().timestamp())
        .ok_or(TrailLogsError::NoSince)?;
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let clients = Clients::new(config.clone(), options.endpoints.clone());
    let region = options
        .region
        .clone()
        .or_else(|| config.region().map(|r| r.to_string()))
        .unwrap_or_else(|| "us-east-1".to_string());
    let reader = Reader {
        client: clients.client(&region),
        clients,
        location,
        concurrency: if options.concurrency == 0 {
            DEFAULT_FETCHES
        } else {
            options.concurrency
        },
        max: options.max_file_bytes,
        progress: options.progress,
    };
    runtime.spawn(reader.run(window, days, tx));
    Ok(S3Logs { rx })
}

/// The files of a replay from S3, in key order (see [`s3_logs`]).
#[derive(Debug)]
pub struct S3Logs {
    rx: tokio::sync::mpsc::Receiver<Input>,
}

impl Iterator for S3Logs {
    type Item = Input;
    fn next(&mut self) -> Option<Input> {
        self.rx.blocking_recv()
    }
}

struct Reader {
    clients: Clients,
    client: aws_sdk_s3::Client,
    location: S3Location,
    concurrency: usize,
    max: u64,
    progress: Progress,
}

/// One listing: the folders (with a delimiter) and the objects (key, size).
#[derive(Default)]
struct Listing {
    folders: Vec<String>,
    objects: Vec<(String, u64)>,
}

/// The last folder name of a prefix (`a/b/` → `b`).
fn last(prefix: &str) -> &str {
    prefix
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

/// Whether the folder `prefix` is `…/CloudTrail/<region>/`.
fn is_region_folder(prefix: &str) -> bool {
    let mut parts = prefix.trim_end_matches('/').rsplit('/');
    parts.next().is_some_and(|r| !r.is_empty()) && parts.next() == Some("CloudTrail")
}

/// The folders the walk to the regions goes into: `AWSLogs`, an account (twelve
/// digits), an organization (`o-…`), `CloudTrail` (not `CloudTrail-Digest` or
/// `CloudTrail-Insight`).
fn leads_to_logs(name: &str) -> bool {
    name == "AWSLogs"
        || name == "CloudTrail"
        || (name.len() == 12 && name.bytes().all(|b| b.is_ascii_digit()))
        || name.starts_with("o-")
}

/// Keys in the order of the same paths on disk (folder by folder).
fn path_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.split('/').cmp(b.split('/'))
}

impl Reader {
    async fn run(mut self, window: Window, days: Vec<i64>, tx: tokio::sync::mpsc::Sender<Input>) {
        self.progress.phase(format!(
            "listing {}",
            self.location.url(&self.location.prefix)
        ));
        let (regions, mut refused) = self.regions().await;
        let folders: Vec<String> = regions
            .iter()
            .flat_map(|r| days.iter().map(move |d| format!("{r}{}/", day_path(*d))))
            .collect();
        let listed: Vec<Result<Listing, Skipped>> = stream::iter(folders)
            .map(|f| self.list(f, false))
            .buffered(self.concurrency)
            .collect()
            .await;
        let mut objects = Vec::new();
        for l in listed {
            match l {
                Ok(l) => objects.extend(
                    l.objects
                        .into_iter()
                        .filter(|(k, _)| window.wants_file(k) && !k.ends_with('/')),
                ),
                Err(s) => refused.push(s),
            }
        }
        objects.sort_by(|a, b| path_order(&a.0, &b.0));
        for s in refused {
            if tx.send(Err(s)).await.is_err() {
                return;
            }
        }
        self.progress.files(objects.len());
        self.progress.phase("reading log files");
        let this = &self;
        let mut fetched = stream::iter(objects)
            .map(|(key, size)| this.fetch(key, size))
            .buffered(self.concurrency);
        while let Some(item) = fetched.next().await {
            if tx.send(item).await.is_err() {
                return;
            }
        }
        self.progress.finish();
    }

    /// The `…/CloudTrail/<region>/` folders under the location, and the listings
    /// refused on the way.
    async fn regions(&mut self) -> (Vec<String>, Vec<Skipped>) {
        let mut out = Vec::new();
        let mut refused = Vec::new();
        let mut level = vec![self.location.prefix.clone()];
        let mut first = true;
        while !level.is_empty() {
            let (regions, walk): (Vec<String>, Vec<String>) =
                level.into_iter().partition(|p| is_region_folder(p));
            out.extend(regions);
            if first {
                // The first call finds the bucket's region if it is not the client's.
                first = false;
                if let Some(p) = walk.first() {
                    self.follow_region(p).await;
                }
            }
            let this: &Reader = self;
            let listed: Vec<(String, Result<Listing, Skipped>)> = stream::iter(walk)
                .map(|p| async move {
                    let l = this.list(p.clone(), true).await;
                    (p, l)
                })
                .buffered(self.concurrency)
                .collect()
                .await;
            level = Vec::new();
            for (parent, l) in listed {
                match l {
                    Ok(l) => level.extend(
                        l.folders
                            .into_iter()
                            .filter(|f| last(&parent) == "CloudTrail" || leads_to_logs(last(f))),
                    ),
                    Err(s) => refused.push(s),
                }
            }
        }
        out.sort_by(|a, b| path_order(a, b));
        (out, refused)
    }

    /// When the bucket is in another region than the client's (S3 answers
    /// `PermanentRedirect` or `AuthorizationHeaderMalformed` with the bucket's region in
    /// `x-amz-bucket-region`), a client of that region.
    async fn follow_region(&mut self, prefix: &str) {
        let reply = self
            .client
            .list_objects_v2()
            .bucket(&self.location.bucket)
            .prefix(prefix)
            .delimiter("/")
            .max_keys(1)
            .send()
            .await;
        self.progress.call_done();
        if let Err(e) = reply {
            let region = e
                .raw_response()
                .and_then(|r| r.headers().get("x-amz-bucket-region"))
                .map(str::to_string);
            if let Some(region) = region {
                self.client = self.clients.client(&region);
            }
        }
    }

    /// Every page of a listing of `prefix` (with the `/` delimiter when `folders`).
    async fn list(&self, prefix: String, folders: bool) -> Result<Listing, Skipped> {
        let mut out = Listing::default();
        let mut token: Option<String> = None;
        loop {
            let mut call = self
                .client
                .list_objects_v2()
                .bucket(&self.location.bucket)
                .prefix(&prefix)
                .set_continuation_token(token.clone());
            if folders {
                call = call.delimiter("/");
            }
            let reply = call.send().await;
            self.progress.call_done();
            let page = reply.map_err(|e| self.refused(&prefix, "ListObjectsV2", &e))?;
            out.folders.extend(
                page.common_prefixes()
                    .iter()
                    .filter_map(|p| p.prefix().map(str::to_string)),
            );
            out.objects.extend(page.contents().iter().filter_map(|o| {
                Some((
                    o.key()?.to_string(),
                    o.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                ))
            }));
            token = page.next_continuation_token().map(str::to_string);
            if token.is_none() || page.is_truncated() != Some(true) {
                return Ok(out);
            }
        }
    }

    /// One object's bytes.
    async fn fetch(&self, key: String, size: u64) -> Input {
        let name = self.location.url(&key);
        if size > self.max {
            return Err(Skipped {
                file: name,
                at: "byte 0".into(),
                why: format!(
                    "{size} bytes as stored, more than the {} bytes a file may hold once decompressed: not fetched",
                    self.max
                ),
            });
        }
        let reply = self
            .client
            .get_object()
            .bucket(&self.location.bucket)
            .key(&key)
            .send()
            .await;
        self.progress.call_done();
        let object = reply.map_err(|e| self.refused(&key, "GetObject", &e))?;
        let bytes = object.body.collect().await.map_err(|e| Skipped {
            file: name.clone(),
            at: "byte 0".into(),
            why: format!(
                "GetObject: the body could not be read: {}",
                super::client::error_chain(&e)
            ),
        })?;
        let bytes = bytes.into_bytes();
        self.progress.file_done(bytes.len() as u64);
        Ok(LogInput {
            gz: is_gzip(&key),
            name,
            body: Box::new(std::io::Cursor::new(bytes)),
        })
    }

    /// A refused call as input passed over: the prefix or object, the operation, the
    /// error.
    fn refused<E>(&self, key: &str, operation: &str, err: &SdkError<E>) -> Skipped
    where
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    {
        self.progress.error();
        let f = failure(err);
        Skipped {
            file: self.location.url(key),
            at: operation.to_string(),
            why: format!("{}: {}", f.code, f.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_and_folders() {
        let l = S3Location::parse("s3://trail-bucket/org/logs").unwrap();
        assert_eq!(
            (l.bucket.as_str(), l.prefix.as_str()),
            ("trail-bucket", "org/logs/")
        );
        assert_eq!(S3Location::parse("s3://b").unwrap().prefix, "");
        assert_eq!(S3Location::parse("s3://b/").unwrap().prefix, "");
        assert!(S3Location::parse("b/prefix").is_err());
        assert!(S3Location::parse("s3:///x").is_err());
        assert!(is_region_folder(
            "p/AWSLogs/111122223333/CloudTrail/eu-west-1/"
        ));
        assert!(!is_region_folder("p/AWSLogs/111122223333/CloudTrail/"));
        assert!(leads_to_logs("o-a1b2c3d4e5") && leads_to_logs("111122223333"));
        assert!(!leads_to_logs("CloudTrail-Digest") && !leads_to_logs("elb"));
        let mut keys = vec!["a/b-c/x", "a/b/y", "a/b/x"];
        keys.sort_by(|a, b| path_order(a, b));
        assert_eq!(keys, ["a/b/x", "a/b/y", "a/b-c/x"]);
    }
}
