//! [`ConnectOptions`]: where to connect, as whom, and how patiently.

use std::path::Path;
use std::time::Duration;

use floor_protocol::Channel;
use rustls_pki_types::CertificateDer;

use crate::address::RoomAddress;
use crate::error::{AddressError, TlsError};
use crate::tls::ExtraRoots;

/// How to connect to a room. Built from a room link, then adjusted:
///
/// ```
/// use std::time::Duration;
/// use floor_client::ConnectOptions;
///
/// let options = ConnectOptions::from_link("http://127.0.0.1:8080/r/ws235/runner")?
///     .token("3f9c0b...")
///     .request_timeout(Duration::from_secs(10));
/// # Ok::<(), floor_client::AddressError>(())
/// ```
///
/// A broker behind a TLS proxy whose certificate comes from a private CA
/// (here Caddy's `tls internal`):
///
/// ```no_run
/// use floor_client::ConnectOptions;
///
/// let options = ConnectOptions::from_link("https://localhost:8443/r/ws235/display")?
///     .ca_file("/data/caddy/pki/authorities/local/root.crt")?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub(crate) address: RoomAddress,
    pub(crate) token: Option<String>,
    pub(crate) client_id: String,
    pub(crate) channel: Option<Channel>,
    pub(crate) agent: String,
    pub(crate) request_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) reconnect_min: Duration,
    pub(crate) reconnect_max: Duration,
    pub(crate) retry_initial_connect: bool,
    /// CA certificates trusted besides the `webpki-roots` set, if any.
    pub(crate) extra_roots: Option<ExtraRoots>,
}

impl ConnectOptions {
    /// Options for a room address, with a fresh client id and the
    /// defaults: requests time out after 30 s, reconnection waits from
    /// 250 ms up to 10 s between attempts, and a connection that hears
    /// nothing for 60 s (the broker pings every 25 s) is considered lost.
    pub fn new(address: RoomAddress) -> ConnectOptions {
        ConnectOptions {
            address,
            token: None,
            client_id: uuid::Uuid::new_v4().to_string(),
            channel: None,
            agent: concat!("floor-client/", env!("CARGO_PKG_VERSION")).to_owned(),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            reconnect_min: Duration::from_millis(floor_protocol::timing::RECONNECT_MIN_MS),
            reconnect_max: Duration::from_millis(floor_protocol::timing::RECONNECT_MAX_MS),
            retry_initial_connect: false,
            extra_roots: None,
        }
    }

    /// Options for a room link (see [`RoomAddress::parse`]).
    pub fn from_link(link: &str) -> Result<ConnectOptions, AddressError> {
        RoomAddress::parse(link).map(ConnectOptions::new)
    }

    /// The role token; overrides a token carried by the link.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The client id, kept across reconnects; request ids are scoped to it.
    /// Defaults to a random UUID. Give the same id to a client restarted on
    /// the same device to keep its requests idempotent across restarts.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self
    }

    /// For a participant: the channel they take part from.
    pub fn channel(mut self, channel: Channel) -> Self {
        self.channel = Some(channel);
        self
    }

    /// The software name sent in `hello`, for the broker's logs.
    pub fn agent(mut self, agent: impl Into<String>) -> Self {
        self.agent = agent.into();
        self
    }

    /// How long a request waits for its answer, disconnections included.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// How long one connection attempt (TCP, WebSocket, `hello`) may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a connection may stay silent before it is judged lost.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// The shortest and the longest wait between reconnection attempts.
    pub fn reconnect_delay(mut self, min: Duration, max: Duration) -> Self {
        self.reconnect_min = min;
        self.reconnect_max = max;
        self
    }

    /// Whether [`crate::Client::connect`] keeps trying when the broker
    /// cannot be reached at first (default: it fails at once).
    pub fn retry_initial_connect(mut self, retry: bool) -> Self {
        self.retry_initial_connect = retry;
        self
    }

    /// For a `wss://` endpoint: also trust the CA certificates in this PEM
    /// file, for a TLS proxy with a private CA (e.g. Caddy's
    /// `tls internal`: its `root.crt`). Mozilla's roots (`webpki-roots`)
    /// stay trusted; calling it again adds more.
    ///
    /// The file is read now: a missing file, or one without a usable
    /// certificate, is an error before any connection is tried.
    pub fn ca_file(self, path: impl AsRef<Path>) -> Result<Self, TlsError> {
        let certificates = crate::tls::read_ca_file(path)?;
        self.extra_roots(certificates)
    }

    /// Like [`ConnectOptions::ca_file`], with the PEM text itself.
    pub fn extra_roots_pem(self, pem: &[u8]) -> Result<Self, TlsError> {
        let certificates = crate::tls::read_ca_pem(pem, "given as PEM")?;
        self.extra_roots(certificates)
    }

    /// Also trust these CA certificates (DER) for a `wss://` endpoint.
    pub fn extra_roots(
        mut self,
        certificates: impl IntoIterator<Item = CertificateDer<'static>>,
    ) -> Result<Self, TlsError> {
        let mut all = self
            .extra_roots
            .take()
            .map(|roots| roots.certificates)
            .unwrap_or_default();
        all.extend(certificates);
        self.extra_roots = Some(ExtraRoots::new(all)?);
        Ok(self)
    }

    /// The room this connects to.
    pub fn address(&self) -> &RoomAddress {
        &self.address
    }
}
