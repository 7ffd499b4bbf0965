//! TLS for `wss://` connections: which certificate authorities the client
//! trusts, and how a failed TLS handshake is told apart from a broker
//! that is merely down.
//!
//! The client trusts Mozilla's root certificates (the `webpki-roots`
//! set) and, when given, the CA certificates of a PEM file, for a proxy
//! whose certificate comes from a private CA (for example Caddy's
//! `tls internal`, whose root is `pki/authorities/local/root.crt` in
//! Caddy's data directory). TLS is rustls with the `ring` provider; the
//! machine's own trust store is not read.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::error::TlsError;

/// Reads the CA certificates of a PEM file (one or more
/// `-----BEGIN CERTIFICATE-----` blocks; other blocks are skipped).
///
/// Fails when the file cannot be read, is not PEM, holds no certificate,
/// or holds one that cannot serve as a root.
pub fn read_ca_file(path: impl AsRef<Path>) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let path = path.as_ref();
    let origin = path.display().to_string();
    let pem = std::fs::read(path).map_err(|e| TlsError::Read {
        path: origin.clone(),
        reason: e.to_string(),
    })?;
    read_ca_pem(&pem, &origin)
}

/// Reads the CA certificates of PEM text; `origin` names it in errors.
pub(crate) fn read_ca_pem(
    pem: &[u8],
    origin: &str,
) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem {
            origin: origin.to_owned(),
            reason: e.to_string(),
        })?;
    if certificates.is_empty() {
        return Err(TlsError::NoCertificate {
            origin: origin.to_owned(),
        });
    }
    // Each must make a trust anchor; found now rather than at connect.
    let mut scratch = RootCertStore::empty();
    for certificate in &certificates {
        scratch
            .add(certificate.clone())
            .map_err(|e| TlsError::Certificate {
                origin: origin.to_owned(),
                reason: e.to_string(),
            })?;
    }
    Ok(certificates)
}

/// CA certificates trusted besides the `webpki-roots` set, and the client
/// configuration made of them (once, not at every reconnection).
#[derive(Clone)]
pub(crate) struct ExtraRoots {
    /// The certificates (DER).
    pub(crate) certificates: Vec<CertificateDer<'static>>,
    /// The `webpki-roots` set and `certificates`.
    pub(crate) config: Arc<ClientConfig>,
}

impl ExtraRoots {
    /// The configuration trusting `certificates` too.
    pub(crate) fn new(certificates: Vec<CertificateDer<'static>>) -> Result<ExtraRoots, TlsError> {
        let config = client_config(&certificates)?;
        Ok(ExtraRoots {
            certificates,
            config,
        })
    }
}

impl std::fmt::Debug for ExtraRoots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExtraRoots")
            .field("certificates", &self.certificates.len())
            .finish_non_exhaustive()
    }
}

/// A client configuration trusting the `webpki-roots` set and `extra`.
fn client_config(extra: &[CertificateDer<'static>]) -> Result<Arc<ClientConfig>, TlsError> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for certificate in extra {
        roots
            .add(certificate.clone())
            .map_err(|e| TlsError::Certificate {
                origin: "an extra root".to_owned(),
                reason: e.to_string(),
            })?;
    }
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The configuration with the `webpki-roots` set alone, made once.
pub(crate) fn default_config() -> Result<Arc<ClientConfig>, TlsError> {
    static DEFAULT: OnceLock<Result<Arc<ClientConfig>, TlsError>> = OnceLock::new();
    DEFAULT.get_or_init(|| client_config(&[])).clone()
}

/// When a WebSocket connection failed in its TLS handshake because the
/// broker's certificate (or its name) is not accepted: the reason, in
/// words. `None` for every other failure.
pub(crate) fn certificate_failure(error: &tokio_tungstenite::tungstenite::Error) -> Option<String> {
    use tokio_tungstenite::tungstenite::Error;
    use tokio_tungstenite::tungstenite::error::TlsError as WsTlsError;
    match error {
        Error::Tls(WsTlsError::InvalidDnsName) => {
            Some("the host is not a name a certificate can be checked against".to_owned())
        }
        Error::Tls(WsTlsError::Rustls(e)) => certificate_reason(e),
        Error::Io(io) => certificate_problem(io),
        _ => None,
    }
}

/// Whether an error (of any TLS client built on rustls, e.g. an HTTP
/// client's) comes from a peer certificate that was not accepted: the
/// reason, in words, or `None`. Looks through `std::io::Error` wrappers
/// and the chain of sources.
pub fn certificate_problem(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(rustls) = error.downcast_ref::<rustls::Error>() {
            return certificate_reason(rustls);
        }
        let inner = error
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>());
        if let Some(rustls) = inner {
            return certificate_reason(rustls);
        }
        current = error.source();
    }
    None
}

/// The reason for a rustls error about the peer's certificate.
fn certificate_reason(error: &rustls::Error) -> Option<String> {
    match error {
        rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented => {
            Some(error.to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_missing_file_is_named() {
        let error = read_ca_file("/nonexistent/root.crt").unwrap_err();
        assert!(matches!(error, TlsError::Read { .. }));
        assert!(error.to_string().contains("/nonexistent/root.crt"));
    }

    #[test]
    fn text_without_a_certificate_is_refused() {
        assert!(matches!(
            read_ca_pem(b"not pem at all", "x"),
            Err(TlsError::NoCertificate { .. })
        ));
        let broken = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        assert!(read_ca_pem(broken, "x").is_err());
        let garbage = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            read_ca_pem(garbage, "x"),
            Err(TlsError::Certificate { .. })
        ));
    }

    #[test]
    fn the_default_configuration_builds() {
        assert!(default_config().is_ok());
    }
}
