//! Collection faults from a small local server standing in for CloudWatch Logs (the
//! rest is moto): throttling that outlasts the retries, and a response cut off
//! mid-body. The failed calls are recorded with a code naming the cause, and the rules
//! over the affected data are `unknown`, never `passed`.
#![cfg(feature = "aws")]

use crate::support;

use gsl::collect::{self, CollectOptions, Collection, EndpointOverride, Service};
use gsl::entity::graph::EntityGraph;
use gsl::report::RuleStatus;
use std::io::Write;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use support::fixture::{compliant, Fixture};
use support::Moto;

/// A server answering every request with `reply`; counts the requests per
/// `X-Amz-Target` operation.
struct FaultServer {
    url: String,
    metric_filter_calls: Arc<AtomicUsize>,
}

impl FaultServer {
    fn start(reply: &'static str) -> FaultServer {
        FaultServer::serve(move |_, _| reply.to_string())
    }

    /// A server answering with `reply(head, body)`.
    fn serve(reply: impl Fn(&str, &str) -> String + Send + Sync + 'static) -> FaultServer {
        let reply = Arc::new(reply);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let counter = counter.clone();
                let reply = reply.clone();
                std::thread::spawn(move || {
                    while let Some((head, body)) = support::read_request(&mut stream) {
                        let body = String::from_utf8_lossy(&body);
                        if head.contains("DescribeMetricFilters") {
                            counter.fetch_add(1, Ordering::SeqCst);
                        }
                        let reply = reply(&head, &body);
                        if stream.write_all(reply.as_bytes()).is_err() {
                            return;
                        }
                        // A cut-off reply ends the connection mid-body.
                        if !reply.contains("Connection: keep-alive") {
                            let _ = stream.shutdown(std::net::Shutdown::Both);
                            return;
                        }
                    }
                });
            }
        });
        FaultServer {
            url,
            metric_filter_calls: calls,
        }
    }
}

const THROTTLED: &str = "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: 1\r\nContent-Length: 61\r\nConnection: keep-alive\r\n\r\n{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded...\"}";

const CUT_OFF: &str = "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: 1\r\nContent-Length: 4000\r\n\r\n{\"metricFilters\": [{\"filterName\": \"a\", ";

async fn collect_with_logs_at(moto: &Moto, url: &str) -> Collection {
    let config = moto.sdk_config("us-east-1").await;
    let mut endpoints = moto.endpoints();
    endpoints.push(EndpointOverride {
        service: Some(Service::Logs),
        region: None,
        url: url.to_string(),
    });
    let options = CollectOptions {
        regions: vec!["us-east-1".into()],
        endpoints,
        ..Default::default()
    };
    collect::collect(&config, &options)
        .await
        .expect("collection runs")
}

/// A compliant chain collected with CloudWatch Logs answered by a server that gives
/// `reply`: the collection, the server (its call count) and the recorded error of
/// `DescribeMetricFilters`.
async fn collect_with_faulty_logs(
    reply: &'static str,
) -> (
    Collection,
    FaultServer,
    gsl::entity::snapshot::CollectionError,
) {
    let moto = Moto::start();
    let f = Fixture::new(&moto, "us-east-1").await;
    compliant(&f).await;
    let server = FaultServer::start(reply);
    let c = collect_with_logs_at(&moto, &server.url).await;
    let e = c
        .snapshot
        .errors
        .iter()
        .find(|e| e.operation == "DescribeMetricFilters")
        .cloned()
        .unwrap_or_else(|| panic!("not recorded: {:#?}", c.snapshot.errors));
    (c, server, e)
}

/// The CIS pack over the collection: every policy over a type the failed call left
/// incomplete (the error's `entity_types`: the trail chain) is unknown, the monitoring
/// controls among them; a manual policy reads no data and stays manual. Policies over
/// the types the failure does not reach are judged on their own data (other tests).
fn assert_chain_unknown(c: &Collection, error: &gsl::entity::snapshot::CollectionError) {
    let graph = EntityGraph::named(c.snapshot.clone(), "faulty");
    let opts = gsl::run::eval_options(graph.snapshot(), None);
    let policies = gsl::policy::select::builtin_pack("cis-aws")
        .unwrap()
        .policies()
        .unwrap();
    let run = gsl::check(&policies, &graph, &opts);
    let mut over_the_chain = Vec::new();
    for p in &run.policies {
        if p.meta.manual.is_some() {
            assert_eq!(p.status, RuleStatus::Manual, "{} is manual", p.meta.id);
            continue;
        }
        let policy = policies
            .iter()
            .find(|q| q.meta.id == p.meta.id)
            .expect("the policy of a result");
        let rule = gsl::lang::parser::parse_rule(&policy.source)
            .unwrap_or_else(|e| panic!("{}: {e:?}", p.meta.id));
        let entity = &rule.target.entity.name;
        if error
            .entity_types
            .iter()
            .any(|t| t.eq_ignore_ascii_case(entity))
        {
            assert_eq!(
                p.status,
                RuleStatus::Unknown,
                "{} (over {entity}) is {:?} with the metric filters missing",
                p.meta.id,
                p.status
            );
            over_the_chain.push(p.meta.id.clone());
        }
    }
    // The monitoring controls (a metric filter and alarm per event class) are over the
    // chain.
    for n in 1..=15 {
        let id = format!("CIS-AWS-4.{n}");
        assert!(over_the_chain.contains(&id), "{id} in {over_the_chain:?}");
    }
}

fn json_reply(body: &serde_json::Value) -> String {
    let body = body.to_string();
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: 1\r\nContent-Length: {}\r\nConnection: keep-alive\r\n\r\n{body}",
        body.len()
    )
}

/// CloudWatch Logs with the trail's log group and `n` metric filters on it, served
/// `page` at a time with `nextToken`.
fn paging_logs(n: usize, page: usize) -> impl Fn(&str, &str) -> String {
    move |head, body| {
        let request: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        if head.contains("DescribeLogGroups") {
            return json_reply(&serde_json::json!({"logGroups": [{
                "logGroupName": "CloudTrail/DefaultLogGroup",
                "arn": format!("arn:aws:logs:us-east-1:{}:log-group:CloudTrail/DefaultLogGroup:*", support::fixture::ACCOUNT),
                "creationTime": 1_700_000_000_000_i64,
                "storedBytes": 0
            }]}));
        }
        let start: usize = request["nextToken"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let end = (start + page).min(n);
        let filters: Vec<serde_json::Value> = (start..end)
            .map(|i| {
                serde_json::json!({
                    "filterName": format!("filter-{i:05}"),
                    "filterPattern": format!("{{ $.eventName = Event{i} }}"),
                    "logGroupName": "CloudTrail/DefaultLogGroup",
                    "creationTime": 1_700_000_000_000_i64,
                    "metricTransformations": [{"metricName": format!("M{i}"), "metricNamespace": "NS", "metricValue": "1"}]
                })
            })
            .collect();
        let mut out = serde_json::json!({ "metricFilters": filters });
        if end < n {
            out["nextToken"] = serde_json::json!(end.to_string());
        }
        json_reply(&out)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_metric_filters_are_followed_page_by_page() {
    let moto = Moto::start();
    let f = Fixture::new(&moto, "us-east-1").await;
    compliant(&f).await;
    let server = FaultServer::serve(paging_logs(2_500, 50));
    let c = collect_with_logs_at(&moto, &server.url).await;
    assert!(c.snapshot.errors.is_empty(), "{:#?}", c.snapshot.errors);
    let account = &c.snapshot.accounts[0];
    assert_eq!(account.entities["MetricFilter"].len(), 2_500);
    let trail = &account.entities["CloudTrail"][0];
    assert_eq!(
        trail["metricFilters"].as_array().map(Vec::len),
        Some(2_500),
        "every page joined to the trail"
    );
    assert_eq!(server.metric_filter_calls.load(Ordering::SeqCst), 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_is_retried_then_recorded_and_the_chain_is_unknown() {
    let (c, server, e) = collect_with_faulty_logs(THROTTLED).await;
    assert_eq!(e.code, "ThrottlingException", "{e:?}");
    assert!(e.message.contains("Rate exceeded"), "{e:?}");
    assert!(e.entity_types.contains(&"CloudTrail".to_string()), "{e:?}");
    // The test SDK config allows 2 attempts: the call was retried once.
    assert_eq!(server.metric_filter_calls.load(Ordering::SeqCst), 2);
    assert_chain_unknown(&c, &e);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_cut_off_mid_body_is_recorded_and_the_chain_is_unknown() {
    let (c, server, e) = collect_with_faulty_logs(CUT_OFF).await;
    // The cause is named: the reply, not the network or the credentials.
    assert_eq!(e.code, "InvalidResponse", "{e:?}");
    assert!(e.message.contains("body"), "{e:?}");
    assert!(server.metric_filter_calls.load(Ordering::SeqCst) >= 1);
    assert_chain_unknown(&c, &e);
}

/// Issue 25, item 15: an endpoint that accepts the connection and never answers fails
/// its calls with `Timeout` within the run's limits, the region is recorded as such,
/// and the other region is collected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_region_times_out_and_the_run_goes_on() {
    let moto = Moto::start();
    let us = Fixture::new(&moto, "us-east-1").await;
    compliant(&us).await;
    // Accepts every connection, reads nothing, answers nothing, keeps it open.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let silent = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let config = moto
        .sdk_config("us-east-1")
        .await
        .to_builder()
        .timeout_config(collect::timeouts(Some(std::time::Duration::from_secs(2))))
        .build();
    let mut endpoints = moto.endpoints();
    endpoints.push(EndpointOverride {
        service: None,
        region: Some("eu-west-1".into()),
        url: silent,
    });
    let options = CollectOptions {
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        endpoints,
        ..Default::default()
    };
    let c = collect::collect(&config, &options)
        .await
        .expect("the run goes on");
    let stalled: Vec<_> = c
        .snapshot
        .errors
        .iter()
        .filter(|e| e.region.as_deref() == Some("eu-west-1"))
        .collect();
    assert!(!stalled.is_empty(), "{:?}", c.snapshot.errors);
    assert!(stalled.iter().all(|e| e.code == "Timeout"), "{stalled:?}");
    let graph = EntityGraph::new(c.snapshot.clone());
    assert!(
        graph
            .entities("CloudTrail")
            .iter()
            .any(|t| t.region() == Some("us-east-1")),
        "the responsive region is collected"
    );
}

#[test]
fn calls_have_time_limits_by_default() {
    let t = collect::timeouts(None);
    let secs = |d: Option<std::time::Duration>| d.map(|d| d.as_secs());
    assert_eq!(
        secs(t.operation_timeout()),
        Some(collect::DEFAULT_TIMEOUT.as_secs())
    );
    assert_eq!(secs(t.operation_attempt_timeout()), Some(60));
    assert_eq!(secs(t.connect_timeout()), Some(10));
    assert_eq!(secs(t.read_timeout()), Some(30));
    // A shorter --timeout bounds every part.
    let t = collect::timeouts(Some(std::time::Duration::from_secs(5)));
    assert_eq!(secs(t.read_timeout()), Some(5));
    assert_eq!(secs(t.connect_timeout()), Some(5));
}
