//! [`ConnectOptions`]: where to connect, as whom, and how patiently.

use std::time::Duration;

use floor_protocol::Channel;

use crate::address::RoomAddress;
use crate::error::AddressError;

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

    /// The room this connects to.
    pub fn address(&self) -> &RoomAddress {
        &self.address
    }
}
