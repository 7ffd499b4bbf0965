//! The broker's configuration, as resolved by the binary from flags,
//! environment and file.

use std::net::SocketAddr;
use std::path::PathBuf;

/// How the broker runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen for HTTP and WebSocket.
    pub listen: SocketAddr,
    /// The data directory; the log is `floor.db` in it.
    pub data: PathBuf,
    /// Browser origins allowed to open WebSockets, besides the broker's
    /// own (e.g. `https://floor.example.org`); `*` allows any.
    pub allowed_origins: Vec<String>,
    /// The admin token; when absent, one is generated at first start and
    /// its hash kept in the store. With the shared store, the hash NATS
    /// holds is the truth: a different token is refused at start.
    pub admin_token: Option<String>,
    /// The URL people reach the broker at, for links.
    pub public_url: String,
    /// Open WebSockets one client address may hold (`0`: no cap).
    pub max_connections_per_address: u32,
    /// Plain HTTP connections one TCP peer address may hold (`0`: no
    /// cap); trusted proxies are not counted.
    pub max_http_connections_per_address: u32,
    /// Reverse proxies whose forwarded client addresses are believed
    /// (`X-Forwarded-For`, `Forwarded`); every per-address limit then
    /// counts the forwarded address.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Commands (and syncs) one connection may send a second, with a burst
    /// of twice that (`0`: no limit, for benchmarks of the engine itself).
    pub commands_per_second: u32,
    /// The `max_open_entries` setting of the rooms this broker creates (1
    /// to `floor_protocol::limits::OPEN_ENTRIES_MAX`); each room's chair
    /// may change it.
    pub max_open_entries: u32,
    /// `submit`s the participants behind one client address may send a
    /// minute, all at once if they like (`0`: no budget). Staff roles never
    /// spend it.
    pub participant_submits_per_minute: u32,
    /// Whether to serve `GET /ws/echo`, a plain echo over a socket
    /// configured as `/ws`'s, for WebSocket conformance suites. Off by
    /// default; never for production.
    pub conformance_echo: bool,
    /// With the shared store: how long a start waits in all for a NATS
    /// that is not ready yet, retrying, before it gives up.
    pub nats_start_wait: std::time::Duration,
    /// How long a room of the embedded store with no connection and no
    /// message stays in memory before its state is dropped (its next
    /// `hello`, request or command loads it again from the log); `None`:
    /// rooms stay loaded. Rooms of the shared store always stay loaded.
    pub unload_idle_after: Option<std::time::Duration>,
}

impl Config {
    /// A configuration for tests and tools: listen on `listen`, keep data
    /// in `data`.
    pub fn new(listen: SocketAddr, data: PathBuf) -> Config {
        Config {
            listen,
            data,
            allowed_origins: Vec::new(),
            admin_token: None,
            public_url: format!("http://{listen}"),
            max_connections_per_address: crate::limits::MAX_CONNECTIONS_PER_ADDRESS,
            max_http_connections_per_address: crate::limits::MAX_HTTP_CONNECTIONS_PER_ADDRESS,
            trusted_proxies: Vec::new(),
            commands_per_second: crate::limits::COMMANDS_PER_SECOND,
            max_open_entries: floor_protocol::limits::OPEN_ENTRIES_DEFAULT,
            participant_submits_per_minute: crate::limits::PARTICIPANT_SUBMITS_PER_MINUTE,
            conformance_echo: false,
            nats_start_wait: crate::shared::START_WAIT,
            unload_idle_after: Some(crate::limits::UNLOAD_IDLE_AFTER),
        }
    }
}
