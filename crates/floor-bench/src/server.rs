//! The servers under test, each started pinned to CPU 0: B0 (the raw
//! tokio-tungstenite broadcast server), B1 (Node.js `ws`) and floor (the
//! release binary, with its real durable store, rooms and tokens).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};
use floor_tests::{Floor, Tokens};

/// Which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Kind {
    /// The raw tokio-tungstenite broadcast server: the stack's limit.
    B0,
    /// Node.js with the `ws` package: the common peer.
    B1,
    /// floor itself.
    Floor,
    /// Two floor brokers sharing their rooms through NATS JetStream (one
    /// nats-server, every write fsynced), subscribers split between them,
    /// the publisher on the first; all three processes on the server CPU.
    FloorShared,
}

impl Kind {
    /// Its name in tables.
    pub fn name(self) -> &'static str {
        match self {
            Kind::B0 => "B0",
            Kind::B1 => "B1",
            Kind::Floor => "floor",
            Kind::FloorShared => "floor x2",
        }
    }

    /// Whether it is floor (speaks floor's protocol).
    pub fn is_floor(self) -> bool {
        matches!(self, Kind::Floor | Kind::FloorShared)
    }
}

/// Where the programs are.
#[derive(Debug, Clone)]
pub struct Programs {
    /// The `bench-b0` binary.
    pub b0: PathBuf,
    /// `b1.js`, with `ws` resolvable from it (NODE_PATH).
    pub b1: PathBuf,
    /// The `node_modules` folder holding `ws`.
    pub node_path: PathBuf,
    /// The CPU the server runs on.
    pub server_cpu: u32,
    /// The NATS servers under "floor x2": 1, or a cluster of 3 on loopback
    /// (the stream then has 3 replicas: every acknowledgement waits for a
    /// quorum of 2).
    pub nats_nodes: usize,
}

enum Process {
    Child(Child),
    Floor(Box<Floor>),
    Shared {
        brokers: Vec<Floor>,
        nats: floor_tests::nats::Nats,
    },
}

/// Where a server listens and what it takes to join its rooms: all that a
/// connection needs, cheap to clone and to hand to another thread.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Which server.
    pub kind: Kind,
    /// Where it listens (with two brokers: the first).
    pub addr: SocketAddr,
    /// Where every broker listens (subscriber `i` goes to broker `i %
    /// len`).
    pub addrs: Vec<SocketAddr>,
    /// The rooms' tokens (floor only).
    pub rooms: Vec<Tokens>,
}

impl Endpoint {
    /// The URL a subscriber of room `room` opens.
    pub fn subscribe_url(&self, room: usize) -> String {
        match self.kind {
            Kind::Floor | Kind::FloorShared => format!("ws://{}/ws", self.addr),
            _ => format!("ws://{}/sub/r{room}", self.addr),
        }
    }

    /// The URL a publisher of room `room` opens.
    pub fn publish_url(&self, room: usize) -> String {
        match self.kind {
            Kind::Floor | Kind::FloorShared => format!("ws://{}/ws", self.addr),
            _ => format!("ws://{}/pub/r{room}", self.addr),
        }
    }
}

/// A running server; it derefs to its [`Endpoint`].
pub struct Server {
    endpoint: Endpoint,
    process: Process,
    _data: Option<tempfile::TempDir>,
}

impl std::ops::Deref for Server {
    type Target = Endpoint;

    fn deref(&self) -> &Endpoint {
        &self.endpoint
    }
}

impl Server {
    /// Starts a server of `kind` with `rooms` rooms, pinned to the
    /// programs' server CPU.
    pub async fn start(kind: Kind, programs: &Programs, rooms: usize) -> anyhow::Result<Server> {
        let pin = [
            "taskset".to_owned(),
            "-c".to_owned(),
            programs.server_cpu.to_string(),
        ];
        match kind {
            Kind::B0 => {
                let mut command = Command::new(&pin[0]);
                command.args(&pin[1..]).arg(&programs.b0).arg("127.0.0.1:0");
                Server::spawn(kind, command)
            }
            Kind::B1 => {
                let mut command = Command::new(&pin[0]);
                command
                    .args(&pin[1..])
                    .arg("node")
                    .arg(&programs.b1)
                    .env("NODE_PATH", &programs.node_path);
                Server::spawn(kind, command)
            }
            Kind::Floor => {
                Server::floor(
                    programs,
                    rooms,
                    &[
                        "--max-connections-per-address",
                        "0",
                        "--commands-per-second",
                        "0",
                    ],
                )
                .await
            }
            Kind::FloorShared => {
                let data = tempfile::tempdir()?;
                let dir = data.path().join("nats");
                let nats = match programs.nats_nodes {
                    1 => floor_tests::nats::Nats::single(&dir),
                    3 => floor_tests::nats::Nats::cluster(&dir),
                    n => bail!("{n} NATS servers: 1 or 3"),
                };
                for node in &nats.nodes {
                    let pid = node.pid().context("nats-server runs")?;
                    let pinned = Command::new("taskset")
                        .args([
                            "-p",
                            "-c",
                            &programs.server_cpu.to_string(),
                            &pid.to_string(),
                        ])
                        .stdout(Stdio::null())
                        .status()?;
                    if !pinned.success() {
                        bail!("cannot pin nats-server");
                    }
                }
                let servers = nats.urls();
                let brokers: Vec<Floor> = ["a", "b"]
                    .iter()
                    .map(|name| {
                        Floor::start_via(
                            &pin,
                            &data.path().join(name),
                            "127.0.0.1:0",
                            &[
                                "--store",
                                &servers,
                                "--max-connections-per-address",
                                "0",
                                "--commands-per-second",
                                "0",
                            ],
                        )
                    })
                    .collect();
                let mut tokens = Vec::new();
                for i in 0..rooms {
                    tokens.push(brokers[0].create_room(&format!("r{i}")).await);
                }
                Ok(Server {
                    endpoint: Endpoint {
                        kind,
                        addr: brokers[0].addr,
                        addrs: brokers.iter().map(|b| b.addr).collect(),
                        rooms: tokens,
                    },
                    process: Process::Shared { brokers, nats },
                    _data: Some(data),
                })
            }
        }
    }

    /// Starts floor with `rooms` rooms and `extra` arguments (none: the
    /// limits a deployment has by default), pinned to the server CPU.
    pub async fn floor(
        programs: &Programs,
        rooms: usize,
        extra: &[&str],
    ) -> anyhow::Result<Server> {
        let data = tempfile::tempdir()?;
        let floor = start_floor_on(&data.path().join("data"), programs, extra)?;
        let mut tokens = Vec::new();
        for i in 0..rooms {
            tokens.push(floor.create_room(&format!("r{i}")).await);
        }
        Ok(Server {
            endpoint: Endpoint {
                kind: Kind::Floor,
                addr: floor.addr,
                addrs: vec![floor.addr],
                rooms: tokens,
            },
            process: Process::Floor(Box::new(floor)),
            _data: Some(data),
        })
    }

    /// Creates `n` more rooms (floor, one broker only), named on from the
    /// last: `r{len}`, ...
    pub async fn add_rooms(&mut self, n: usize) -> anyhow::Result<()> {
        let Process::Floor(floor) = &self.process else {
            bail!("rooms are added to one floor broker only");
        };
        let first = self.endpoint.rooms.len();
        for i in first..first + n {
            self.endpoint
                .rooms
                .push(floor.create_room(&format!("r{i}")).await);
        }
        Ok(())
    }

    fn spawn(kind: Kind, mut command: Command) -> anyhow::Result<Server> {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {}", kind.name()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let Some(line) = lines.next() else {
                bail!("{} exited before listening", kind.name());
            };
            if let Some(addr) = line?.strip_prefix("listening on ") {
                break addr.parse()?;
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Ok(Server {
            endpoint: Endpoint {
                kind,
                addr,
                addrs: vec![addr],
                rooms: Vec::new(),
            },
            process: Process::Child(child),
            _data: None,
        })
    }

    /// The server's process ids (with two brokers: both, and nats-server).
    pub fn pids(&self) -> Vec<u32> {
        match &self.process {
            Process::Child(child) => vec![child.id()],
            Process::Floor(floor) => vec![floor.pid()],
            Process::Shared { brokers, nats } => brokers
                .iter()
                .map(Floor::pid)
                .chain(nats.nodes.iter().filter_map(|n| n.pid()))
                .collect(),
        }
    }

    /// The server's CPU time so far, user and system, in microseconds
    /// (summed over its processes).
    pub fn cpu_us(&self) -> anyhow::Result<(u64, u64)> {
        let tick = 1_000_000 / procfs::ticks_per_second();
        let mut total = (0, 0);
        for pid in self.pids() {
            let stat = procfs::process::Process::new(i32::try_from(pid)?)?.stat()?;
            total.0 += stat.utime * tick;
            total.1 += stat.stime * tick;
        }
        Ok(total)
    }

    /// The server's resident set size, in bytes (summed over its
    /// processes).
    pub fn rss_bytes(&self) -> anyhow::Result<u64> {
        let mut total = 0;
        for pid in self.pids() {
            let status = procfs::process::Process::new(i32::try_from(pid)?)?.status()?;
            total += status.vmrss.unwrap_or(0) * 1024;
        }
        Ok(total)
    }

    /// The data directory (floor only).
    pub fn data_dir(&self) -> Option<&Path> {
        match &self.process {
            Process::Floor(floor) => Some(&floor.data),
            Process::Shared { brokers, .. } => brokers.first().map(|b| b.data.as_path()),
            Process::Child(_) => None,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Process::Child(child) = &mut self.process {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts floor, pinned to the server CPU, on an existing data directory
/// with `extra` arguments; returns once it listens (every room of the
/// embedded store loaded from the log).
pub fn start_floor_on(data: &Path, programs: &Programs, extra: &[&str]) -> anyhow::Result<Floor> {
    start_floor_pinned(data, &programs.server_cpu.to_string(), extra)
}

/// [`start_floor_on`] on the CPUs `cpus` names (taskset's list, `0-1`).
pub fn start_floor_pinned(data: &Path, cpus: &str, extra: &[&str]) -> anyhow::Result<Floor> {
    let pin = ["taskset".to_owned(), "-c".to_owned(), cpus.to_owned()];
    Ok(Floor::start_via(&pin, data, "127.0.0.1:0", extra))
}
