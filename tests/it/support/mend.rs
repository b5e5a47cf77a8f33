//! A small proxy in front of moto that mends two replies of moto 5.2.5 the Rust SDK
//! cannot parse (boto3 can), and can refuse chosen requests with AccessDenied (S3's, or
//! the Query protocol's for a form-encoded `Action=` request: ELB, EC2, IAM).
//! `Moto::start` runs one; `Moto::endpoints` and the tests' environment route S3 and
//! Macie through it.

use super::Moto;
use gsl::collect::{EndpointOverride, Service};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

/// A server in front of moto that refuses the requests `refuse` picks with
/// AccessDenied, and forwards the others with two replies of moto 5.2.5 mended as AWS
/// sends them (both fail the Rust SDK's parsers, not boto3's): `GetBucketVersioning`'s
/// XML root is `VersioningConfiguration`, not `GetBucketVersioningResponse`; Macie's
/// times carry an offset (moto writes `2026-01-01T00:00:00.123456`). `refuse` sees the
/// request line, followed by ` Action=<name>` for a Query-protocol request
/// (`POST / HTTP/1.1 Action=DescribeListenerCertificates`), so one operation of a
/// service can be refused.
pub fn proxy(moto_url: &str, refuse: fn(&str) -> bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let upstream = moto_url.trim_start_matches("http://").to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut client) = stream else { continue };
            let upstream = upstream.clone();
            std::thread::spawn(move || {
                while let Some(request) = read_message(&mut client) {
                    let head = String::from_utf8_lossy(&request).to_string();
                    let action = query_action(&head);
                    let mut line = head.lines().next().unwrap_or_default().to_string();
                    if let Some(action) = &action {
                        line = format!("{line} Action={action}");
                    }
                    let reply = if refuse(&line) {
                        let denied = "<Code>AccessDenied</Code><Message>Access Denied by the test proxy</Message>";
                        let body = match action {
                            Some(_) => format!("<ErrorResponse><Error><Type>Sender</Type>{denied}</Error><RequestId>refused</RequestId></ErrorResponse>"),
                            None => format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error>{denied}</Error>"),
                        };
                        format!(
                            "HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{body}",
                            body.len()
                        )
                        .into_bytes()
                    } else {
                        let Ok(mut up) = TcpStream::connect(&upstream) else {
                            return;
                        };
                        if up.write_all(&request).is_err() {
                            return;
                        }
                        match read_message(&mut up) {
                            Some(r) => mend(&r),
                            None => return,
                        }
                    };
                    if client.write_all(&reply).is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

/// The `Action` of a Query-protocol request (a form-encoded body with `Action=`).
fn query_action(request: &str) -> Option<String> {
    let (_, body) = request.split_once("\r\n\r\n")?;
    body.split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .map(str::to_string)
}

/// moto's reply as AWS would send it (see [`proxy`]).
pub fn mend(reply: &[u8]) -> Vec<u8> {
    let Some(end) = reply.windows(4).position(|w| w == b"\r\n\r\n") else {
        return reply.to_vec();
    };
    let head = String::from_utf8_lossy(&reply[..end]).to_string();
    let body = String::from_utf8_lossy(&reply[end + 4..]).to_string();
    let mut fixed = body
        .replace("<GetBucketVersioningResponse", "<VersioningConfiguration")
        .replace(
            "</GetBucketVersioningResponse>",
            "</VersioningConfiguration>",
        );
    for key in ["createdAt", "updatedAt"] {
        let pattern = format!("\"{key}\": \"");
        if let Some(at) = fixed.find(&pattern) {
            let start = at + pattern.len();
            if let Some(len) = fixed[start..].find('"') {
                let value = &fixed[start..start + len];
                if !value.ends_with('Z') && !value[10..].contains(['+', '-']) {
                    fixed.insert(start + len, 'Z');
                }
            }
        }
    }
    if fixed == body {
        return reply.to_vec();
    }
    let head: Vec<String> = head
        .lines()
        .map(|l| {
            if l.to_lowercase().starts_with("content-length:") {
                format!("Content-Length: {}", fixed.len())
            } else {
                l.to_string()
            }
        })
        .collect();
    format!("{}\r\n\r\n{fixed}", head.join("\r\n")).into_bytes()
}

/// The endpoints of the mended S3 and Macie (and what `refuse` picks refused).
pub fn mended(moto: &Moto, refuse: fn(&str) -> bool) -> Vec<EndpointOverride> {
    let url = proxy(&moto.url, refuse);
    [Service::S3, Service::Macie]
        .into_iter()
        .map(|service| EndpointOverride {
            service: Some(service),
            region: None,
            url: url.clone(),
        })
        .collect()
}

/// One HTTP/1.1 message (head and a Content-Length body), or `None` at EOF.
pub fn read_message(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let n = stream.read(&mut chunk).ok()?;
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some(buf);
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}
