//! `--ca-file` / `FLOOR_CA_FILE`: a certificate authority the client
//! commands trust besides the usual ones, for a broker behind a TLS proxy
//! with a private CA (Caddy's `tls internal` in the clustered deployment).
//!
//! The role commands (`runner`, `moderator`, `chair`, `display`) connect
//! over `wss://` with `floor-client`, which trusts Mozilla's roots
//! (`webpki-roots`) plus the file's. `room` and `report` speak HTTP with
//! ureq, which takes one list of root certificates: with `--ca-file` it is
//! the file's certificates plus the machine's trust store (so one
//! `FLOOR_CA_FILE` in the environment does not break a broker with a
//! public certificate); without it, ureq's default, Mozilla's roots.

use std::path::PathBuf;

use anyhow::Context;
use floor_client::ConnectOptions;
use ureq::tls::{Certificate, RootCerts, TlsConfig};

/// The `--ca-file` option, flattened into every client command.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct CaFile {
    /// Also trust the certificate authority in this PEM file (for a proxy
    /// with a private CA, e.g. Caddy's `tls internal`: its root.crt).
    #[arg(long = "ca-file", env = "FLOOR_CA_FILE", value_name = "PATH")]
    path: Option<PathBuf>,
}

impl CaFile {
    /// Whether a file was given (by flag or environment).
    pub(crate) fn is_set(&self) -> bool {
        self.path.is_some()
    }

    /// The options, also trusting the file's CA when one was given.
    pub(crate) fn apply(&self, options: ConnectOptions) -> Result<ConnectOptions, String> {
        match &self.path {
            Some(path) => options
                .ca_file(path)
                .map_err(|e| format!("--ca-file / FLOOR_CA_FILE: {e}")),
            None => Ok(options),
        }
    }

    /// An HTTP agent that answers with any status (the caller reads it),
    /// trusting the file's CA and the machine's trust store when a file
    /// was given.
    pub(crate) fn agent(&self) -> anyhow::Result<ureq::Agent> {
        let mut config = ureq::Agent::config_builder().http_status_as_error(false);
        if let Some(path) = &self.path {
            let mut roots: Vec<Certificate<'static>> = floor_client::tls::read_ca_file(path)
                .context("--ca-file / FLOOR_CA_FILE")?
                .iter()
                .map(|der| Certificate::from_der(der.as_ref()).to_owned())
                .collect();
            // Unreadable entries of the system store are skipped: the
            // file's CA is what this option is for.
            let system = rustls_native_certs::load_native_certs();
            roots.extend(
                system
                    .certs
                    .iter()
                    .map(|der| Certificate::from_der(der.as_ref()).to_owned()),
            );
            config = config.tls_config(
                TlsConfig::builder()
                    .root_certs(RootCerts::new_with_certs(&roots))
                    .build(),
            );
        }
        Ok(config.build().into())
    }
}
