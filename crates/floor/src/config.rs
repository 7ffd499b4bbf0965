//! `floor serve` configuration: flags, then environment, then an optional
//! TOML file, then defaults. A flag wins over the environment (clap reads
//! both), and either wins over the file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde::Deserialize;

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LogFormat {
    /// Lines for people.
    Human,
    /// One JSON object per line.
    Json,
}

/// `floor serve` flags.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address for HTTP and WebSocket [default: 127.0.0.1:8080]
    #[arg(long, env = "FLOOR_LISTEN")]
    pub(crate) listen: Option<SocketAddr>,
    /// Data directory; the log is floor.db in it [default: ./floor-data]
    #[arg(long, env = "FLOOR_DATA")]
    pub(crate) data: Option<PathBuf>,
    /// Where the rooms' events are kept: `sqlite` (the embedded log in the
    /// data directory, nothing else to run) or NATS JetStream servers,
    /// `nats://host:4222[,nats://host2:4222,...]`, shared by every broker
    /// given the same servers [default: sqlite]
    #[arg(long, env = "FLOOR_STORE")]
    pub(crate) store: Option<String>,
    /// The JetStream stream's replicas when floor creates it [default: 3
    /// when the cluster has 3 or more JetStream servers, else 1]
    #[arg(long, env = "FLOOR_NATS_REPLICAS")]
    pub(crate) nats_replicas: Option<usize>,
    /// How long a start waits in all, retrying, for NATS servers that are
    /// not ready yet (not listening, no JetStream leader yet), in seconds
    /// [default: 60]
    #[arg(long, env = "FLOOR_NATS_START_WAIT", value_name = "SECONDS")]
    pub(crate) nats_start_wait: Option<u64>,
    /// Open the demo room (IGF 2018 WS #235) and print each role's link
    #[arg(long)]
    pub(crate) demo: bool,
    /// A TOML file with any of: listen, data, store, nats_replicas,
    /// nats_start_wait,
    /// allowed_origins, admin_token, public_url, log_format,
    /// max_connections_per_address, max_http_connections_per_address,
    /// trusted_proxies, commands_per_second, max_open_entries,
    /// participant_submits_per_minute, unload_idle_after
    #[arg(long, env = "FLOOR_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// A browser origin allowed to open WebSockets besides the broker's
    /// own (repeatable; `*` allows any)
    #[arg(
        long = "allow-origin",
        env = "FLOOR_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub(crate) allowed_origins: Vec<String>,
    /// The admin token; when unset, one is generated at first start and
    /// printed once. With a NATS store the token NATS holds (the first
    /// broker's) is the truth: a broker without this flag uses it, and one
    /// given a different token refuses to start
    #[arg(long, env = "FLOOR_ADMIN_TOKEN", hide_env_values = true)]
    pub(crate) admin_token: Option<String>,
    /// The URL people reach the broker at, for printed links
    /// [default: http://LISTEN]
    #[arg(long, env = "FLOOR_PUBLIC_URL")]
    pub(crate) public_url: Option<String>,
    /// Log format [default: human]
    #[arg(long, env = "FLOOR_LOG_FORMAT", value_enum)]
    pub(crate) log_format: Option<LogFormat>,
    /// Open WebSockets one client address may hold; 0 for no cap (behind
    /// a reverse proxy, every client has the proxy's address)
    /// [default: 4096]
    #[arg(long, env = "FLOOR_MAX_CONNECTIONS_PER_ADDRESS")]
    pub(crate) max_connections_per_address: Option<u32>,
    /// Plain HTTP connections (not yet WebSockets) one TCP peer address
    /// may hold; 0 for no cap; trusted proxies are not counted
    /// [default: 256]
    #[arg(long, env = "FLOOR_MAX_HTTP_CONNECTIONS_PER_ADDRESS")]
    pub(crate) max_http_connections_per_address: Option<u32>,
    /// A reverse proxy's address or range (CIDR, e.g. 10.0.0.0/8 or
    /// 192.0.2.7), repeatable: for a connection from it, the client's
    /// address is read from X-Forwarded-For (or Forwarded), and every
    /// per-address limit counts that address
    #[arg(
        long = "trusted-proxy",
        env = "FLOOR_TRUSTED_PROXY",
        value_delimiter = ',',
        value_name = "CIDR",
        value_parser = parse_net
    )]
    pub(crate) trusted_proxies: Vec<ipnet::IpNet>,
    /// Commands one connection may send a second (burst: twice that); 0
    /// for no limit, for benchmarks only [default: 20]
    #[arg(long, env = "FLOOR_COMMANDS_PER_SECOND")]
    pub(crate) commands_per_second: Option<u32>,
    /// The most open requests (pending, waiting, speaking) a new room
    /// holds, 1 to 10000; each room's chair may change it [default: 500]
    #[arg(long, env = "FLOOR_MAX_OPEN_ENTRIES")]
    pub(crate) max_open_entries: Option<u32>,
    /// Requests to speak the participants behind one client address may
    /// send a minute, all at once if they like; staff roles are never
    /// limited; 0 for no limit [default: 30]
    #[arg(long, env = "FLOOR_PARTICIPANT_SUBMITS_PER_MINUTE")]
    pub(crate) participant_submits_per_minute: Option<u32>,
    /// How long a room with no connection and no command stays in memory,
    /// in seconds (fractions allowed); its next hello, request or command
    /// loads it again from the log; 0 keeps rooms loaded. Rooms of a NATS
    /// store always stay loaded [default: 600]
    #[arg(long, env = "FLOOR_UNLOAD_IDLE_AFTER", value_name = "SECONDS", value_parser = parse_seconds)]
    pub(crate) unload_idle_after: Option<f64>,
    /// Stop when standard input closes (for supervisors and test
    /// harnesses that want the broker to die with them)
    #[arg(long, hide = true)]
    pub(crate) stop_on_stdin_eof: bool,
    /// Also serve `GET /ws/echo`, an echo over a socket configured as
    /// `/ws`'s, for WebSocket conformance suites (scripts/autobahn); for
    /// testing only
    #[arg(long, hide = true)]
    pub(crate) conformance_echo: bool,
}

/// The optional configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    data: Option<PathBuf>,
    store: Option<String>,
    nats_replicas: Option<usize>,
    nats_start_wait: Option<u64>,
    #[serde(default)]
    allowed_origins: Vec<String>,
    admin_token: Option<String>,
    public_url: Option<String>,
    log_format: Option<LogFormat>,
    max_connections_per_address: Option<u32>,
    max_http_connections_per_address: Option<u32>,
    #[serde(default)]
    trusted_proxies: Vec<String>,
    commands_per_second: Option<u32>,
    max_open_entries: Option<u32>,
    participant_submits_per_minute: Option<u32>,
    unload_idle_after: Option<f64>,
}

/// A number of seconds, 0 or more (fractions allowed).
fn parse_seconds(text: &str) -> Result<f64, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    check_seconds(seconds)
}

/// `seconds` if it is a duration floor can wait: finite, 0 or more, and
/// at most a year.
fn check_seconds(seconds: f64) -> Result<f64, String> {
    if seconds.is_finite() && (0.0..=365.0 * 24.0 * 3600.0).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(format!("{seconds} seconds: from 0 to a year"))
    }
}

/// A range in CIDR notation, or one address (a range of one).
fn parse_net(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("`{text}` is not an address or a CIDR range such as 10.0.0.0/8"))
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// What the broker needs.
    pub(crate) broker: floor_broker::Config,
    /// The shared store, when the rooms are kept in NATS JetStream.
    pub(crate) shared: Option<floor_broker::shared::SharedConfig>,
    /// Whether to open the demo room.
    pub(crate) demo: bool,
    /// Log format.
    pub(crate) log_format: LogFormat,
    /// The public URL, when one was given.
    pub(crate) public_url: Option<String>,
    /// Stop when standard input closes.
    pub(crate) stop_on_stdin_eof: bool,
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    toml::from_str(&text)
        .with_context(|| format!("{} is not a valid floor configuration", path.display()))
}

/// Resolves flags, environment, file and defaults.
pub(crate) fn resolve(args: &ServeArgs) -> anyhow::Result<Settings> {
    let file = match &args.config {
        Some(path) => read_file(path)?,
        None => FileConfig::default(),
    };
    let listen = args
        .listen
        .or(file.listen)
        .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8080)));
    let data = args
        .data
        .clone()
        .or(file.data)
        .unwrap_or_else(|| PathBuf::from("floor-data"));
    let allowed_origins = if args.allowed_origins.is_empty() {
        file.allowed_origins
    } else {
        args.allowed_origins.clone()
    };
    let public_url = args.public_url.clone().or(file.public_url);
    let mut broker = floor_broker::Config::new(listen, data);
    broker.allowed_origins = allowed_origins;
    broker.admin_token = args.admin_token.clone().or(file.admin_token);
    if let Some(url) = &public_url {
        broker.public_url = url.clone();
    }
    if let Some(cap) = args
        .max_connections_per_address
        .or(file.max_connections_per_address)
    {
        broker.max_connections_per_address = cap;
    }
    if let Some(cap) = args
        .max_http_connections_per_address
        .or(file.max_http_connections_per_address)
    {
        broker.max_http_connections_per_address = cap;
    }
    broker.trusted_proxies = if args.trusted_proxies.is_empty() {
        file.trusted_proxies
            .iter()
            .map(|net| parse_net(net).map_err(anyhow::Error::msg))
            .collect::<anyhow::Result<_>>()
            .context("trusted_proxies in the configuration file")?
    } else {
        args.trusted_proxies.clone()
    };
    if let Some(rate) = args.commands_per_second.or(file.commands_per_second) {
        broker.commands_per_second = rate;
    }
    if let Some(cap) = args.max_open_entries.or(file.max_open_entries) {
        let max = floor_protocol::limits::OPEN_ENTRIES_MAX;
        anyhow::ensure!(
            (1..=max).contains(&cap),
            "--max-open-entries {cap}: a room holds 1 to {max} open entries"
        );
        broker.max_open_entries = cap;
    }
    if let Some(budget) = args
        .participant_submits_per_minute
        .or(file.participant_submits_per_minute)
    {
        broker.participant_submits_per_minute = budget;
    }
    if let Some(seconds) = args.unload_idle_after.or(file.unload_idle_after) {
        let seconds = check_seconds(seconds)
            .map_err(anyhow::Error::msg)
            .context("unload_idle_after")?;
        broker.unload_idle_after =
            (seconds > 0.0).then(|| std::time::Duration::from_secs_f64(seconds));
    }
    broker.conformance_echo = args.conformance_echo;
    if let Some(seconds) = args.nats_start_wait.or(file.nats_start_wait) {
        broker.nats_start_wait = std::time::Duration::from_secs(seconds);
    }
    let shared = match args.store.clone().or(file.store).as_deref() {
        None | Some("sqlite") => None,
        Some(servers) if servers.starts_with("nats://") || servers.starts_with("tls://") => {
            Some(floor_broker::shared::SharedConfig {
                servers: servers.to_owned(),
                replicas: args.nats_replicas.or(file.nats_replicas),
            })
        }
        Some(other) => anyhow::bail!(
            "--store {other}: a store is `sqlite` or NATS servers as nats://host:4222[,nats://...]"
        ),
    };
    Ok(Settings {
        broker,
        shared,
        demo: args.demo,
        log_format: args
            .log_format
            .or(file.log_format)
            .unwrap_or(LogFormat::Human),
        public_url,
        stop_on_stdin_eof: args.stop_on_stdin_eof,
    })
}
