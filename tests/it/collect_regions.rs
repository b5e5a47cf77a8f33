#![cfg(feature = "aws")]
//! `--all-regions`: each account's own list of enabled regions (Account
//! `ListRegions`), against moto through the real SDK.
//!
//! moto does not serve the Account API's `ListRegions`, so its answer is a recorded
//! reply served by a small local server (`RegionsFixture`): the account's regions as
//! AWS lists them without a status filter, one opt-in region enabled (`af-south-1`),
//! one opt-in region disabled (`ap-east-1`) and one being enabled (`me-south-1`).
//! The same server answers the Account API's other call, `GetAlternateContact` (the
//! `Iam` type), as AWS answers for an account without alternate contacts. Everything
//! else goes to moto.

use crate::support;

use gsl::collect::{self, CollectOptions, EndpointOverride, Service};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use support::fixture::{compliant, Fixture, ACCOUNT};
use support::Moto;

/// A recorded `ListRegions` reply (restJson: `POST /listRegions`).
const RECORDED: &str = r#"{"Regions":[
  {"RegionName":"us-east-1","RegionOptStatus":"ENABLED_BY_DEFAULT"},
  {"RegionName":"eu-west-1","RegionOptStatus":"ENABLED_BY_DEFAULT"},
  {"RegionName":"af-south-1","RegionOptStatus":"ENABLED"},
  {"RegionName":"ap-east-1","RegionOptStatus":"DISABLED"},
  {"RegionName":"me-south-1","RegionOptStatus":"ENABLING"}
]}"#;

/// AWS's reply to `GetAlternateContact` for a contact type that is not set.
const NO_CONTACT: &str =
    r#"{"message":"No contact of the inputted alternate contact type found."}"#;

/// Serves one fixed HTTP reply to every `ListRegions` request, and [`NO_CONTACT`] to
/// every `GetAlternateContact`; keeps the requests (path, body).
struct RegionsFixture {
    url: String,
    requests: Arc<Mutex<Vec<(String, String)>>>,
}

impl RegionsFixture {
    fn start(status: &'static str, body: &'static str) -> RegionsFixture {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream);
                let mut length = 0usize;
                let mut request_line = String::new();
                let _ = reader.read_line(&mut request_line);
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_string();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut request = vec![0u8; length];
                let _ = reader.read_exact(&mut request);
                if let Ok(mut b) = seen.lock() {
                    b.push((path.clone(), String::from_utf8_lossy(&request).into_owned()));
                }
                let reply = if path.starts_with("/getAlternateContact") {
                    format!(
                        "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nx-amzn-ErrorType: ResourceNotFoundException\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{NO_CONTACT}",
                        NO_CONTACT.len()
                    )
                } else {
                    format!(
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                };
                let mut stream = reader.into_inner();
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        RegionsFixture { url, requests }
    }

    fn endpoints(&self, moto: &Moto) -> Vec<EndpointOverride> {
        let mut endpoints = moto.endpoints();
        endpoints.push(EndpointOverride {
            service: Some(Service::Account),
            region: None,
            url: self.url.clone(),
        });
        endpoints
    }
}

/// `collect --all-regions` with the Account service answered by `fixture`.
async fn collect_all_regions(moto: &Moto, fixture: &RegionsFixture) -> collect::Collection {
    let options = CollectOptions {
        all_regions: true,
        endpoints: fixture.endpoints(moto),
        ..Default::default()
    };
    let config = moto.sdk_config("us-east-1").await;
    collect::collect(&config, &options).await.expect("runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_regions_collects_the_regions_the_account_has_enabled() {
    let moto = Moto::start();
    compliant(&Fixture::new(&moto, "us-east-1").await).await;
    let fixture = RegionsFixture::start("200 OK", RECORDED);
    let c = collect_all_regions(&moto, &fixture).await;
    let account = &c.snapshot.accounts[0];
    assert_eq!(account.account_number, ACCOUNT);
    // Enabled by default and opted in, in AWS's order; not the disabled one, not the
    // one still being enabled, and none of the static list's other regions.
    assert_eq!(account.regions, ["us-east-1", "eu-west-1", "af-south-1"]);
    assert!(c.snapshot.errors.is_empty(), "{:#?}", c.snapshot.errors);
    let s = &c.stats;
    assert_eq!(
        s.calls_in(ACCOUNT, Service::Account, "ListRegions"),
        1,
        "{s}"
    );
    assert_eq!(
        s.calls_in(ACCOUNT, Service::CloudTrail, "DescribeTrails"),
        3,
        "{s}"
    );
    // One ListRegions request, asking for enabled regions only; the Account API's
    // other requests are the `Iam` type's alternate contacts, one per contact type.
    let requests = fixture.requests.lock().expect("requests").clone();
    let (list_regions, others): (Vec<_>, Vec<_>) = requests
        .iter()
        .partition(|(path, _)| path == "/listRegions");
    assert_eq!(list_regions.len(), 1, "{requests:?}");
    assert_eq!(
        others
            .iter()
            .map(|(path, _)| path.as_str())
            .collect::<Vec<_>>(),
        ["/getAlternateContact"; 3],
        "{requests:?}"
    );
    assert_eq!(
        s.calls_in(ACCOUNT, Service::Account, "GetAlternateContact"),
        3,
        "{s}"
    );
    let request: serde_json::Value =
        serde_json::from_str(&list_regions[0].1).expect("JSON request");
    assert_eq!(
        request["RegionOptStatusContains"],
        serde_json::json!(["ENABLED", "ENABLED_BY_DEFAULT"])
    );
    // The trail of the seeded chain is there, from its home region.
    assert_eq!(account.entities["CloudTrail"].len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_list_regions_the_static_list_is_probed_and_the_refusal_recorded() {
    let moto = Moto::start();
    compliant(&Fixture::new(&moto, "us-east-1").await).await;
    let fixture = RegionsFixture::start(
        "403 Forbidden",
        r#"{"__type":"AccessDeniedException","message":"User is not authorized to perform: account:ListRegions"}"#,
    );
    let c = collect_all_regions(&moto, &fixture).await;
    // moto 5.2.5 does not serve Macie in every region of the static list (it answers
    // an HTML page): those calls are recorded against Macie alone.
    let (macie, errors): (Vec<_>, Vec<_>) = c
        .snapshot
        .errors
        .iter()
        .partition(|e| e.service == "macie2");
    assert!(
        macie
            .iter()
            .all(|e| e.entity_types == ["Macie"] && e.region.is_some()),
        "{macie:#?}"
    );
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = errors[0];
    assert_eq!(
        (e.service.as_str(), e.operation.as_str(), e.code.as_str()),
        ("account", "ListRegions", "AccessDeniedException")
    );
    assert!(e.message.contains("region list instead"), "{}", e.message);
    // Nothing is unknown because of it: the probe finds the enabled regions.
    assert!(e.entity_types.is_empty(), "{:?}", e.entity_types);
    // moto serves every region, so every region of the static list is collected.
    let all = gsl::collect::regions::default_regions("aws").len()
        + gsl::collect::regions::opt_in_regions("aws").len();
    assert_eq!(c.snapshot.accounts[0].regions.len(), all);
    // A denied region list does not make the chain's verdict unknown.
    let graph = gsl::entity::graph::EntityGraph::new(c.snapshot.clone());
    let policies = gsl::policy::builtin_policies().expect("packs");
    let run = gsl::check(
        &policies,
        &graph,
        &gsl::run::eval_options(graph.snapshot(), None),
    );
    assert_eq!(run.summary.unknown, 0, "{:?}", run.summary);
}
