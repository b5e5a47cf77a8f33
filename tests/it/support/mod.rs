//! Test support for the collector tests: a real `moto_server` (plus the CBOR
//! translator for CloudWatch) on free 127.0.0.1 ports, started per test and stopped
//! when the guard drops. See `tests/it/support/moto_harness.py`.
//!
//! Finds the programs through `GSL_MOTO_SERVER` (the `moto_server` executable) and
//! `GSL_PYTHON` (a Python with `moto[server]` and `cbor2`), falling back to
//! `.venv/bin/moto_server` and `.venv/bin/python` in the crate root. Missing programs
//! fail the test with instructions; they never skip it.
#![allow(dead_code)]

pub mod fixture;

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
    /// `http://127.0.0.1:<port>`: STS that refuses AssumeRole of `role/missing`
    /// (as AWS refuses a role that does not exist) and forwards the rest to moto.
    pub sts_gate_url: String,
}

impl Moto {
    /// Start moto and the translator; panics with a clear message if they cannot start.
    pub fn start() -> Moto {
        let python = tool("GSL_PYTHON", ".venv/bin/python");
        let moto_server = tool("GSL_MOTO_SERVER", ".venv/bin/moto_server");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/support/moto_harness.py");
        let mut child = Command::new(&python)
            .arg(&script)
            .arg("--moto-server")
            .arg(&moto_server)
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
        ]
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
