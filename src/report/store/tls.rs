//! TLS to a PostgreSQL store (rustls on aws-lc-rs, through tokio-postgres-rustls), with
//! libpq's `sslmode` meaning ([`SslMode`]): `prefer` and `require` encrypt without
//! verifying the server's certificate, `verify-ca` verifies it against the roots,
//! `verify-full` also that it is issued for the host name. And the failures of a
//! handshake, told apart for their error codes.

use super::url::{Roots, SslMode, Tls};
use super::StoreError;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::error::Error as _;
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The connector of `tls` (`url`: the store's name in errors).
pub(super) fn connector(tls: &Tls, url: &str) -> Result<MakeRustlsConnect, StoreError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match tls.mode {
        SslMode::Disable | SslMode::Prefer | SslMode::Require => Arc::new(Unverified {
            algorithms: provider.signature_verification_algorithms,
        }),
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let roots = roots(&tls.roots).map_err(|message| StoreError::TlsRoots {
                url: url.to_string(),
                message,
            })?;
            let webpki =
                WebPkiServerVerifier::builder_with_provider(roots.into(), provider.clone())
                    .build()
                    .map_err(|e| StoreError::TlsRoots {
                        url: url.to_string(),
                        message: e.to_string(),
                    })?;
            if tls.mode == SslMode::VerifyCa {
                Arc::new(AnyName { webpki })
            } else {
                webpki
            }
        }
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Tls {
            url: url.to_string(),
            server: String::new(),
            message: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    // What PostgreSQL 17 expects of a client that names a protocol (libpq 17 sends it).
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(MakeRustlsConnect::new(config))
}

/// The trust anchors of `roots`, or what is wrong.
fn roots(roots: &Roots) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    match roots {
        Roots::File(path) => {
            let shown = path.display();
            let pem = std::fs::read(path).map_err(|e| format!("sslrootcert={shown}: {e}"))?;
            let certs = CertificateDer::pem_slice_iter(&pem)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("sslrootcert={shown}: not a PEM file: {e}"))?;
            let (added, ignored) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(format!(
                    "sslrootcert={shown} has no usable CA certificate (PEM `BEGIN CERTIFICATE` sections; {ignored} could not be read)"
                ));
            }
        }
        Roots::System => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                let why: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
                return Err(format!(
                    "the system has no CA certificates{}",
                    if why.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", why.join("; "))
                    }
                ));
            }
        }
    }
    Ok(store)
}

/// `require` (and `prefer`): encrypted, the certificate not verified (libpq's meaning
/// without a root file); the handshake's signatures still are.
#[derive(Debug)]
struct Unverified {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain verified against the roots, whatever names the certificate
/// has. webpki checks the name after the chain, so a name error means the chain is
/// trusted.
#[derive(Debug)]
struct AnyName {
    webpki: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .webpki
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// What went wrong in a TLS handshake, if it was one.
pub(super) enum Failure {
    /// The server declined TLS (and the mode requires it).
    Unavailable,
    /// The certificate is not trusted.
    Untrusted(String),
    /// The certificate is not issued for the host.
    Host(String),
    /// Another TLS failure.
    Other(String),
}

/// The TLS failure `e` is, if it is one. rust-postgres tells its TLS errors by their
/// words only; the certificate's problem is the rustls error under them.
pub(super) fn failure(e: &postgres::Error) -> Option<Failure> {
    let mut cause = e.source();
    while let Some(c) = cause {
        let rustls = c.downcast_ref::<rustls::Error>().or_else(|| {
            c.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(r) = rustls {
            return Some(match r {
                rustls::Error::InvalidCertificate(
                    CertificateError::NotValidForName
                    | CertificateError::NotValidForNameContext { .. },
                ) => Failure::Host(r.to_string()),
                rustls::Error::InvalidCertificate(_) => Failure::Untrusted(r.to_string()),
                _ => Failure::Other(r.to_string()),
            });
        }
        if c.to_string() == "server does not support TLS" {
            return Some(Failure::Unavailable);
        }
        cause = c.source();
    }
    e.to_string()
        .starts_with("error performing TLS handshake")
        .then(|| Failure::Other(super::postgres::message(e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn a_root_file_that_is_missing_or_has_no_certificate_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let missing = dir.path().join("missing.pem");
        for (path, words) in [
            (missing, "No such file"),
            (empty, "has no usable CA certificate"),
        ] {
            let tls = Tls {
                mode: SslMode::VerifyFull,
                roots: Roots::File(path.clone()),
            };
            match connector(&tls, "postgres://h/db") {
                Err(StoreError::TlsRoots { message, .. }) => {
                    assert!(message.contains(words), "{message}");
                    assert!(message.contains(&path.display().to_string()), "{message}");
                }
                Err(e) => panic!("{e}"),
                Ok(_) => panic!("{} was taken", path.display()),
            }
        }
        // Not verifying reads no roots.
        let tls = Tls {
            mode: SslMode::Require,
            roots: Roots::File(PathBuf::from("/nonexistent")),
        };
        assert!(connector(&tls, "postgres://h/db").is_ok());
    }
}
