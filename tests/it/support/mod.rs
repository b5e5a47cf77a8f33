//! Test support for the collector tests: a real `moto_server` (plus the CBOR
//! translator for CloudWatch) on free 127.0.0.1 ports, started per test and stopped
//! when the guard drops. See `tests/it/support/moto_harness.py`.
//!
//! Finds the programs through `GSL_MOTO_SERVER` (the `moto_server` executable) and
//! `GSL_PYTHON` (a Python with `moto[server]` and `cbor2`), falling back to
//! `.venv/bin/moto_server` and `.venv/bin/python` in the crate root. Missing programs
//! fail the test with instructions; they never skip it.
#![allow(dead_code)]

pub mod collected;
pub mod fixture;
pub mod mend;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;
use gsl::collect::{EndpointOverride, Service};

const INSTALL_HINT: &str = "moto is not installed for the collector tests. Run the README's test \
command (it creates .venv with `moto[server]==5.2.5` and `cbor2`), or set GSL_MOTO_SERVER to a \
moto_server executable and GSL_PYTHON to a Python that has moto and cbor2.";

fn tool(var: &str, fallback: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        let p = PathBuf::from(p);
        assert!(
            p.exists(),
            "{var}={} does not exist. {INSTALL_HINT}",
            p.display()
        );
        return p;
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(fallback);
    assert!(
        p.exists(),
        "{var} is not set and {} does not exist. {INSTALL_HINT}",
        p.display()
    );
    p
}

/// A running moto_server and CBOR translator; stopped on drop.
pub struct Moto {
    child: Child,
    stdin: Option<ChildStdin>,
    /// `http://127.0.0.1:<port>`: moto itself.
    pub url: String,
    /// `http://127.0.0.1:<port>`: the CBOR translator in front of moto's CloudWatch.
    pub cloudwatch_url: String,
    /// `http://127.0.0.1:<port>`: answers every call with access denied.
    pub deny_url: String,
    /// `http://127.0.0.1:<port>`: moto with the S3 and Macie replies the Rust SDK cannot
    /// parse mended (`mend.rs`).
    pub mended_url: String,
    /// `http://127.0.0.1:<port>`: STS that refuses AssumeRole of `role/missing`
    /// (as AWS refuses a role that does not exist) and forwards the rest to moto.
    pub sts_gate_url: String,
    /// `http://127.0.0.1:<port>`: IAM Access Analyzer, which moto does not serve: a
    /// stand-in answering `ListAnalyzers` with the recorded reply of a region without
    /// an analyzer.
    pub access_analyzer_url: String,
}

impl Moto {
    /// Start moto and the translator; panics with a clear message if they cannot start.
    pub fn start() -> Moto {
        Moto::start_with_env(&[])
    }

    /// [`Moto::start`] with moto's own settings in its environment
    /// (`MOTO_IAM_LOAD_MANAGED_POLICIES=true`: the AWS managed policies exist).
    pub fn start_with_env(vars: &[(&str, &str)]) -> Moto {
        let python = tool("GSL_PYTHON", ".venv/bin/python");
        let moto_server = tool("GSL_MOTO_SERVER", ".venv/bin/moto_server");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/support/moto_harness.py");
        let mut child = Command::new(&python)
            .arg(&script)
            .arg("--moto-server")
            .arg(&moto_server)
            .envs(vars.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}. {INSTALL_HINT}", python.display()));
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut moto = Moto {
            child,
            stdin,
            url: String::new(),
            cloudwatch_url: String::new(),
            deny_url: String::new(),
            sts_gate_url: String::new(),
            access_analyzer_url: stand_in(|_| NO_ANALYZERS.to_string()),
            mended_url: String::new(),
        };
        // Bounded wait: moto's import takes a few seconds on a busy machine.
        let line = rx
            .recv_timeout(Duration::from_secs(180))
            .unwrap_or_else(|_| panic!("moto harness did not report READY within 180 s"));
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["READY", moto_port, cbor_port, deny_port, gate_port] => {
                moto.url = format!("http://127.0.0.1:{moto_port}");
                moto.cloudwatch_url = format!("http://127.0.0.1:{cbor_port}");
                moto.deny_url = format!("http://127.0.0.1:{deny_port}");
                moto.sts_gate_url = format!("http://127.0.0.1:{gate_port}");
                moto.mended_url = mend::proxy(&moto.url, |_| false);
            }
            _ => panic!("moto harness failed to start: {line:?}. {INSTALL_HINT}"),
        }
        moto
    }

    /// Endpoint overrides that route every service to moto (CloudWatch via the
    /// translator).
    pub fn endpoints(&self) -> Vec<EndpointOverride> {
        vec![
            EndpointOverride {
                service: None,
                region: None,
                url: self.url.clone(),
            },
            EndpointOverride {
                service: Some(Service::CloudWatch),
                region: None,
                url: self.cloudwatch_url.clone(),
            },
            EndpointOverride {
                service: Some(Service::AccessAnalyzer),
                region: None,
                url: self.access_analyzer_url.clone(),
            },
            EndpointOverride {
                service: Some(Service::S3),
                region: None,
                url: self.mended_url.clone(),
            },
            EndpointOverride {
                service: Some(Service::Macie),
                region: None,
                url: self.mended_url.clone(),
            },
        ]
    }

    /// [`Moto::endpoints`] as the SDK's environment variables (`AWS_ENDPOINT_URL` and
    /// `AWS_ENDPOINT_URL_<SERVICE>`), for the tests that run the `gsl` binary: it
    /// reaches the same servers as the library tests, never real AWS.
    pub fn endpoint_env(&self) -> Vec<(String, String)> {
        self.endpoints()
            .into_iter()
            .map(|e| {
                assert!(e.region.is_none(), "no environment variable per region");
                let name = match e.service {
                    None => "AWS_ENDPOINT_URL".to_string(),
                    Some(s) => format!("AWS_ENDPOINT_URL_{}", sdk_env_id(s)),
                };
                (name, e.url)
            })
            .collect()
    }

    /// An SDK config with test credentials, `region`, moto as the endpoint, one
    /// retry and short timeouts.
    pub async fn sdk_config(&self, region: &str) -> SdkConfig {
        test_sdk_config(region, Some(&self.url)).await
    }

    /// Create an S3 bucket with an unsigned path-style PUT (CreateTrail needs one).
    pub fn create_bucket(&self, name: &str) {
        let addr = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).expect("connect to moto");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("set timeout");
        write!(
            stream,
            "PUT /{name} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .expect("send PUT");
        let mut reply = String::new();
        let _ = stream.read_to_string(&mut reply);
        assert!(
            reply.starts_with("HTTP/1.1 200") || reply.starts_with("HTTP/1.0 200"),
            "bucket {name} not created: {}",
            reply.lines().next().unwrap_or_default()
        );
    }
}

/// The SDK's name of `service` in its `AWS_ENDPOINT_URL_<NAME>` variable (the SDK
/// service id, upper case, spaces as `_`).
pub fn sdk_env_id(service: Service) -> &'static str {
    match service {
        Service::CloudTrail => "CLOUDTRAIL",
        Service::Logs => "CLOUDWATCH_LOGS",
        Service::CloudWatch => "CLOUDWATCH",
        Service::Sns => "SNS",
        Service::Sts => "STS",
        Service::Organizations => "ORGANIZATIONS",
        Service::Account => "ACCOUNT",
        Service::Ec2 => "EC2",
        Service::Iam => "IAM",
        Service::AccessAnalyzer => "ACCESSANALYZER",
        Service::S3 => "S3",
        Service::S3Control => "S3_CONTROL",
        Service::Kms => "KMS",
        Service::Config => "CONFIG_SERVICE",
        Service::Rds => "RDS",
        Service::Efs => "EFS",
        Service::SecurityHub => "SECURITYHUB",
        Service::Macie => "MACIE2",
        Service::Elb => "ELASTIC_LOAD_BALANCING",
        Service::Elbv2 => "ELASTIC_LOAD_BALANCING_V2",
        Service::Lambda => "LAMBDA",
        Service::Acm => "ACM",
    }
}

/// The calls `types` make in an account of `regions` regions with nothing to follow
/// up, from the types' own call tables: each declared call once per region
/// (`Scope::Region`) or once per account (`Scope::Account`), a call declared by several
/// types counted once. Calls per resource (`Scope::Each`) and the account calls named
/// in `only_with_resources` (made only when there is a resource to follow up) are the
/// caller's to count.
pub fn listing_calls(types: &[&str], regions: u64, only_with_resources: &[&str]) -> u64 {
    use gsl::collect::types::{entity_type, Scope};
    let mut seen = std::collections::BTreeSet::new();
    let mut n = 0;
    for name in types {
        let t = entity_type(name).unwrap_or_else(|| panic!("no collected type {name}"));
        for c in t.calls {
            if only_with_resources.contains(&c.operation) || !seen.insert((c.service, c.operation))
            {
                continue;
            }
            n += match c.scope {
                Scope::Region => regions,
                Scope::Account => 1,
                Scope::Each(_) => 0,
            };
        }
    }
    n
}

/// The calls every type makes once in each region (`Scope::Region`): what a refused or
/// unreachable region records, one error each. Sorted (service, operation), deduplicated.
pub fn regional_calls() -> Vec<(Service, &'static str)> {
    use gsl::collect::types::{Scope, TYPES};
    let mut out: Vec<(Service, &'static str)> = TYPES
        .iter()
        .flat_map(|t| t.calls.iter())
        .filter(|c| c.scope == Scope::Region)
        .map(|c| (c.service, c.operation))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The identity types (IAM is global: `region` is `null`).
pub const IDENTITY_TYPES: &[&str] = &[
    "Iam",
    "IamUser",
    "IamRole",
    "IamGroup",
    "IamPolicy",
    "AccessAnalyzer",
];

/// The network, compute, image, address and certificate types (issue 24).
pub const NETWORK_TYPES: &[&str] = &[
    "VPC",
    "Subnet",
    "NACL",
    "RouteTable",
    "SecurityGroup",
    "Instance",
    "Volume",
    "EbsEncryptionByDefault",
    "ELB",
    "ApplicationLoadBalancer",
    "NetworkLoadBalancer",
    "Lambda",
    "AMI",
    "ElasticIP",
    "AcmCertificate",
];

/// IAM Access Analyzer's `ListAnalyzers` reply for a region without an analyzer, as
/// AWS gives it.
pub const NO_ANALYZERS: &str = r#"{"analyzers":[]}"#;

/// A local HTTP server standing in for a service moto does not serve: every request
/// gets `200` and the JSON `reply(head)` (the head names the operation and, in its
/// `Authorization` credential scope, the region), one request per connection. Returns
/// its URL.
pub fn stand_in(reply: impl Fn(&str) -> String + Send + Sync + 'static) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let reply = std::sync::Arc::new(reply);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let reply = reply.clone();
            std::thread::spawn(move || {
                let Some((head, _)) = read_request(&mut stream) else {
                    return;
                };
                let body = reply(&head);
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    url
}

/// One HTTP request from `stream`: its head and its body (by `Content-Length`);
/// `None` when the connection closes first.
pub fn read_request(stream: &mut std::net::TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let length = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let n = stream.read(&mut chunk).ok()?;
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some((head, buf[end + 4..].to_vec()));
        }
    }
}

/// The region of a signed request's head (its `Authorization` credential scope).
pub fn signed_region(head: &str) -> Option<&str> {
    let scope = head.split("Credential=").nth(1)?;
    scope.split('/').nth(2)
}

/// An SDK config that never touches real AWS credentials: static test keys, an
/// explicit region and endpoint, at most 2 attempts, short timeouts.
pub async fn test_sdk_config(region: &str, endpoint: Option<&str>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .credentials_provider(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "gsl-tests",
        ))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(10))
                .with_max_backoff(Duration::from_millis(50)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_timeout(Duration::from_secs(60))
                .build(),
        );
    if let Some(url) = endpoint {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

impl Drop for Moto {
    fn drop(&mut self) {
        // EOF on the harness's stdin makes it stop moto and exit.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(15);
        for _ in 0..300 {
            match self.child.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                _ => break,
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const FIX_TOOLS_HINT: &str = "the deployers of gsl fix's tests (awscli, python-hcl2) are not \
installed. Run ./scripts/test.sh (it creates .venv-fix-tools from \
tests/it/support/fix-tools-requirements.txt), or set GSL_FIX_TOOLS_VENV to a venv made with \
`python3 -m venv DIR && DIR/bin/pip install -r tests/it/support/fix-tools-requirements.txt`.";

/// The venv with the AWS CLI and python-hcl2 (`GSL_FIX_TOOLS_VENV`, else
/// `.venv-fix-tools`); a missing one fails the test with instructions, never skips it.
pub fn fix_tools() -> PathBuf {
    let dir = std::env::var_os("GSL_FIX_TOOLS_VENV")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-fix-tools"));
    for exe in ["bin/aws", "bin/python"] {
        assert!(
            dir.join(exe).exists(),
            "{} does not exist: {FIX_TOOLS_HINT}",
            dir.join(exe).display()
        );
    }
    dir
}

/// checkov (`GSL_CHECKOV_VENV`, else `.venv-checkov`); missing, the test fails with
/// instructions.
pub fn checkov() -> PathBuf {
    let dir = std::env::var_os("GSL_CHECKOV_VENV")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-checkov"));
    let exe = dir.join("bin/checkov");
    assert!(
        exe.exists(),
        "{} does not exist: checkov is not installed. Run ./scripts/test.sh (it creates \
         .venv-checkov from tests/it/support/checkov-requirements.txt), or set \
         GSL_CHECKOV_VENV to a venv with checkov==3.3.30.",
        exe.display()
    );
    exe
}
