//! The cluster of a run, on loopback: three NATS nodes and two floor
//! brokers, each process under its own uid and on its own address, so
//! that iptables rules keyed on the sender's uid and the destination
//! address cut exactly the traffic between two chosen processes.
//!
//! Nodes listen on `127.0.3.N`, brokers on `127.0.4.N`, with N and the
//! uids offset by a slot taken from the test's pid, so that two runs on
//! one machine do not share addresses or uids.

use std::net::Ipv4Addr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::nats::{Nats, NodeSpec};
use crate::{Floor, Tokens, floor_bin};

/// The stream that holds the rooms.
pub const STREAM: &str = "FLOOR_ROOMS";

/// The room of a run.
pub const ROOM: &str = "partitions";

/// One process's identity: the uid it runs as and the address it listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    /// Its uid (and gid).
    pub uid: u32,
    /// Its listening address.
    pub addr: Ipv4Addr,
}

impl Identity {
    /// The `setpriv` command that runs a program as this identity.
    fn wrapper(&self) -> Vec<String> {
        [
            "setpriv".to_owned(),
            format!("--reuid={}", self.uid),
            format!("--regid={}", self.uid),
            "--clear-groups".to_owned(),
        ]
        .to_vec()
    }
}

/// The run's processes: three NATS nodes and two brokers.
pub struct Cluster {
    /// The NATS nodes.
    pub nats: Nats,
    /// The nodes' identities, by index.
    pub nodes: Vec<Identity>,
    /// The brokers (`None` while killed and not yet restarted).
    pub brokers: Vec<Floor>,
    /// The brokers' identities, by index.
    pub broker_ids: Vec<Identity>,
    /// The room's tokens.
    pub tokens: Tokens,
}

/// Opens a directory to every uid (the processes run as other users).
fn open_to_all(dir: &Path) {
    std::fs::create_dir_all(dir).expect("a directory");
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777))
        .expect("the directory opened to every user");
}

/// The `serve` flags of a broker on the cluster (the participants' budget
/// off: they all connect from 127.0.0.1).
fn broker_args(servers: &str) -> Vec<String> {
    let mut args = vec![
        "--store".to_owned(),
        servers.to_owned(),
        "--nats-replicas".to_owned(),
        "3".to_owned(),
    ];
    args.extend(crate::chaos::NO_BUDGET.map(str::to_owned));
    args
}

impl Cluster {
    /// Starts the nodes, waits for them to be healthy, starts both brokers
    /// and creates the room; everything under `dir`.
    pub async fn start(dir: &Path) -> Cluster {
        open_to_all(dir);
        // The binaries are read and run by the other uids too.
        let _ = floor_bin();
        let slot = std::process::id() % 60;
        let nodes: Vec<Identity> = (0..3)
            .map(|i| Identity {
                uid: 20_001 + slot * 10 + i,
                addr: Ipv4Addr::new(127, 0, 3, (slot * 4 + i + 1) as u8),
            })
            .collect();
        let broker_ids: Vec<Identity> = (0..2)
            .map(|i| Identity {
                uid: 20_006 + slot * 10 + i,
                addr: Ipv4Addr::new(127, 0, 4, (slot * 4 + i + 1) as u8),
            })
            .collect();
        let specs: Vec<NodeSpec> = nodes
            .iter()
            .map(|id| NodeSpec {
                host: id.addr.to_string(),
                wrapper: id.wrapper(),
            })
            .collect();
        let nats_dir = dir.join("nats");
        open_to_all(&nats_dir);
        let mut nats = Nats::configure_on(&nats_dir, &specs);
        nats.launch();
        let waiting = tokio::task::spawn_blocking(move || {
            nats.wait_healthy();
            nats
        });
        let nats = waiting.await.expect("the cluster starts");
        let args = broker_args(&nats.urls());
        let mut brokers = Vec::new();
        for (i, id) in broker_ids.iter().enumerate() {
            let data: PathBuf = dir.join(format!("broker-{i}"));
            open_to_all(&data);
            let wrapper = id.wrapper();
            let listen = format!("{}:0", id.addr);
            let args = args.clone();
            let broker = tokio::task::spawn_blocking(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                Floor::start_via(&wrapper, &data, &listen, &args)
            })
            .await
            .expect("a broker starts");
            brokers.push(broker);
        }
        let tokens = brokers[0].create_room_when_stored(ROOM).await;
        Cluster {
            nats,
            nodes,
            brokers,
            broker_ids,
            tokens,
        }
    }

    /// The brokers' WebSocket URLs, by index.
    pub fn ws_urls(&self) -> Vec<String> {
        self.brokers.iter().map(Floor::ws_url).collect()
    }

    /// The node that leads the stream, as the running nodes but `except`
    /// report it (`except` is not trusted: a node cut off may still
    /// believe it leads).
    pub fn leader(&self, except: Option<usize>) -> Option<usize> {
        let asked: Vec<usize> = (0..self.nodes.len())
            .filter(|i| Some(*i) != except)
            .collect();
        self.nats
            .stream_leader(STREAM, &asked)
            .filter(|leader| Some(*leader) != except)
    }
}
