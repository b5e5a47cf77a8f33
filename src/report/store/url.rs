//! What gsl reads in a store's location, in one place: whether it is a PostgreSQL URL,
//! how it is named in messages (without its password), and the TLS options
//! (`sslmode`, `sslrootcert`) gsl applies itself with libpq's meaning, as the
//! PostgreSQL client library it uses knows only part of them. Pure: no network, no
//! TLS library (the PostgreSQL backend builds the connection from [`PostgresUrl`]).

use std::path::PathBuf;

/// Whether `text` is a PostgreSQL URL (`postgres://`, `postgresql://`).
pub fn is_postgres_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// A URL split at its query: what precedes `?`, and the `key=value` pairs as written.
fn split_query(url: &str) -> (&str, Vec<(&str, Option<&str>)>) {
    match url.split_once('?') {
        Some((base, query)) => (
            base,
            query
                .split('&')
                .filter(|kv| !kv.is_empty())
                .map(|kv| match kv.split_once('=') {
                    Some((k, v)) => (k, Some(v)),
                    None => (kv, None),
                })
                .collect(),
        ),
        None => (url, Vec::new()),
    }
}

/// A URL without its password (`user:secret@host` → `user:***@host`, and a
/// `password=` option).
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rfind('@') {
        Some(at) => match authority[..at].find(':') {
            Some(colon) => format!("{}:***{}", &authority[..colon], &authority[at..]),
            None => authority.to_string(),
        },
        None => authority.to_string(),
    };
    let (path, query) = split_query(tail);
    let mut out = format!("{}{authority}{path}", &url[..scheme_end]);
    if tail.contains('?') {
        let query: Vec<String> = query
            .into_iter()
            .map(|(k, v)| match v {
                Some(_) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                Some(v) => format!("{k}={v}"),
                None => k.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&query.join("&"));
    }
    out
}

/// How a connection to PostgreSQL uses TLS: libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Never.
    Disable,
    /// When the server offers it, without verifying its certificate; else in clear.
    Prefer,
    /// Always, without verifying the server's certificate.
    Require,
    /// Always, the certificate signed by a trusted CA (any host name).
    VerifyCa,
    /// Always, the certificate signed by a trusted CA and issued for the host name.
    VerifyFull,
}

impl SslMode {
    /// The mode of an `sslmode` value.
    fn parse(text: &str) -> Option<SslMode> {
        Some(match text {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    /// Its `sslmode` value.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// Whether a server without TLS is refused.
    pub fn requires_tls(self) -> bool {
        !matches!(self, SslMode::Disable | SslMode::Prefer)
    }
}

/// The mode when neither the URL nor `PGSSLMODE` gives one: libpq's.
pub const DEFAULT_SSL_MODE: SslMode = SslMode::Prefer;

/// The certificates of the CAs a server's certificate is verified against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    /// The system's (`SSL_CERT_FILE`, `SSL_CERT_DIR`, else the platform's store).
    System,
    /// A PEM file of CA certificates (`sslrootcert=FILE`).
    File(PathBuf),
}

/// The TLS a PostgreSQL URL asks for, as gsl applies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    /// The mode in effect (`require` with a root file is `verify-ca`, as in libpq).
    pub mode: SslMode,
    /// What the certificate is verified against (for `verify-ca` and `verify-full`).
    pub roots: Roots,
}

/// A PostgreSQL URL read by gsl: what the client library gets (the URL without the
/// options gsl applies itself), and the TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresUrl {
    /// The URL without `sslmode` and `sslrootcert`.
    pub url: String,
    /// The TLS it asks for.
    pub tls: Tls,
}

/// A URL's option value, `%XX` escapes decoded.
fn decode(text: &str) -> Result<String, String> {
    crate::text::percent_decode(text)
        .ok_or_else(|| format!("`{text}` has a malformed %-escape or is not UTF-8 once decoded"))
}

/// Read a PostgreSQL URL's TLS options (`sslmode`, `sslrootcert`; else the
/// environment's `PGSSLMODE`, `PGSSLROOTCERT`, as libpq reads them, through `env`),
/// with libpq's meaning:
///
/// - no mode given: [`DEFAULT_SSL_MODE`], or `verify-full` with `sslrootcert=system`
///   (which a weaker mode refuses, as libpq does);
/// - `require` with a root file given is `verify-ca`;
/// - `verify-ca` and `verify-full` without `sslrootcert` use the system's roots (where
///   libpq would read `~/.postgresql/root.crt`).
///
/// The error is what is wrong, for `gsl::store::url`.
pub fn postgres(url: &str, env: impl Fn(&str) -> Option<String>) -> Result<PostgresUrl, String> {
    let (base, query) = split_query(url);
    let (mut mode, mut root) = (None, None);
    let mut kept = Vec::new();
    for (key, value) in query {
        let decoded = || decode(value.unwrap_or_default());
        match key {
            "sslmode" => {
                let v = decoded()?;
                mode = Some(SslMode::parse(&v).ok_or_else(|| {
                    format!("sslmode={v}: the modes are disable, prefer, require, verify-ca and verify-full")
                })?);
            }
            "sslrootcert" => root = Some(decoded()?),
            "sslcert" | "sslkey" | "sslpassword" | "sslcrl" | "sslcrldir" => {
                return Err(format!(
                    "{key}: gsl presents no client certificate and reads no revocation list; it takes sslmode and sslrootcert"
                ))
            }
            _ => kept.push(match value {
                Some(v) => format!("{key}={v}"),
                None => key.to_string(),
            }),
        }
    }
    let mode = match mode {
        Some(m) => Some(m),
        None => match env("PGSSLMODE").filter(|v| !v.is_empty()) {
            Some(v) => Some(SslMode::parse(&v).ok_or_else(|| {
                format!("PGSSLMODE={v}: the modes are disable, prefer, require, verify-ca and verify-full")
            })?),
            None => None,
        },
    };
    let root = root.or_else(|| env("PGSSLROOTCERT").filter(|v| !v.is_empty()));
    let (mode, roots) = match root.as_deref() {
        Some("system") => match mode {
            None | Some(SslMode::VerifyFull) => (SslMode::VerifyFull, Roots::System),
            Some(m) => {
                return Err(format!(
                    "sslrootcert=system needs sslmode=verify-full (the system's CAs sign certificates for any name), not sslmode={}",
                    m.as_str()
                ))
            }
        },
        Some(file) => {
            let mode = match mode.unwrap_or(DEFAULT_SSL_MODE) {
                SslMode::Require => SslMode::VerifyCa,
                m => m,
            };
            (mode, Roots::File(PathBuf::from(file)))
        }
        None => (mode.unwrap_or(DEFAULT_SSL_MODE), Roots::System),
    };
    let mut url = base.to_string();
    if !kept.is_empty() {
        url.push('?');
        url.push_str(&kept.join("&"));
    }
    Ok(PostgresUrl {
        url,
        tls: Tls { mode, roots },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_named_without_its_password() {
        for (url, shown) in [
            (
                "postgres://gsl:s3cret@db.example:5432/findings",
                "postgres://gsl:***@db.example:5432/findings",
            ),
            (
                "postgresql://gsl@db/findings?password=s3cret&sslmode=disable",
                "postgresql://gsl@db/findings?password=***&sslmode=disable",
            ),
            ("postgres://db/findings", "postgres://db/findings"),
            ("postgres://u:p:q@[::1]:5432", "postgres://u:***@[::1]:5432"),
            (
                "postgres://u:p@h/db?sslmode=verify-full&sslrootcert=/a/b.pem",
                "postgres://u:***@h/db?sslmode=verify-full&sslrootcert=/a/b.pem",
            ),
        ] {
            assert_eq!(redact(url), shown);
        }
    }

    fn tls_of(url: &str, env: &[(&str, &str)]) -> Result<PostgresUrl, String> {
        postgres(url, |k| {
            env.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn the_tls_options_have_libpq_meaning() {
        use SslMode::*;
        let file = |f: &str| Roots::File(f.into());
        for (url, env, mode, roots, rest) in [
            (
                "postgres://h/db",
                &[][..],
                Prefer,
                Roots::System,
                "postgres://h/db",
            ),
            (
                "postgres://h/db?sslmode=disable",
                &[],
                Disable,
                Roots::System,
                "postgres://h/db",
            ),
            (
                "postgres://h/db?application_name=x&sslmode=require&connect_timeout=3",
                &[],
                Require,
                Roots::System,
                "postgres://h/db?application_name=x&connect_timeout=3",
            ),
            // A root file makes `require` verify the CA, as in libpq.
            (
                "postgres://h/db?sslmode=require&sslrootcert=ca.pem",
                &[],
                VerifyCa,
                file("ca.pem"),
                "postgres://h/db",
            ),
            (
                "postgres://h/db?sslmode=verify-ca",
                &[],
                VerifyCa,
                Roots::System,
                "postgres://h/db",
            ),
            (
                "postgres://h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Frds%20bundle.pem",
                &[],
                VerifyFull,
                file("/etc/rds bundle.pem"),
                "postgres://h/db",
            ),
            (
                "postgres://h/db?sslrootcert=system",
                &[],
                VerifyFull,
                Roots::System,
                "postgres://h/db",
            ),
            // The environment, as libpq reads it; the URL wins.
            (
                "postgres://h/db",
                &[("PGSSLMODE", "verify-full"), ("PGSSLROOTCERT", "r.pem")],
                VerifyFull,
                file("r.pem"),
                "postgres://h/db",
            ),
            (
                "postgres://h/db?sslmode=disable",
                &[("PGSSLMODE", "verify-full")],
                Disable,
                Roots::System,
                "postgres://h/db",
            ),
            (
                "postgres://h/db?sslmode=prefer&sslrootcert=ca.pem",
                &[],
                Prefer,
                file("ca.pem"),
                "postgres://h/db",
            ),
        ] {
            let got = tls_of(url, env).unwrap();
            assert_eq!(
                (got.tls.mode, got.tls.roots, got.url.as_str()),
                (mode, roots, rest),
                "{url}"
            );
        }
        for (url, env, error) in [
            (
                "postgres://h/db?sslmode=verify",
                &[][..],
                "sslmode=verify: the modes are",
            ),
            (
                "postgres://h/db",
                &[("PGSSLMODE", "on")],
                "PGSSLMODE=on: the modes are",
            ),
            (
                "postgres://h/db?sslmode=require&sslrootcert=system",
                &[],
                "sslrootcert=system needs sslmode=verify-full",
            ),
            ("postgres://h/db?sslrootcert=%zz", &[], "malformed %-escape"),
            (
                "postgres://h/db?sslmode=require&sslcert=c.pem",
                &[],
                "sslcert: gsl presents no client certificate",
            ),
        ] {
            let got = tls_of(url, env).unwrap_err();
            assert!(got.contains(error), "{url}: {got}");
        }
    }
}
