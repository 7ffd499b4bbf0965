//! The nemesis: faults in a seeded random order, each held 2–6 s and
//! healed, with quiet gaps between (in which the cluster gets back to
//! health), then everything healed at the end.

use std::fmt;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::client::Clock;
use super::cluster::Cluster;
use super::iptables::Firewall;

/// The address every loopback connection comes from: a process's replies
/// to its clients go there.
const LOOPBACK: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 1);

/// One fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// A broker cut from every NATS node.
    BrokerCut(usize),
    /// The stream leader cut from the other two nodes (a minority
    /// partition); it can still reach the brokers.
    LeaderIsolated(usize),
    /// A bridge: the node `middle` sees both others, they do not see each
    /// other.
    Bridge {
        /// The node that sees both sides.
        middle: usize,
    },
    /// A broker that receives but sends nothing (to the nodes or to its
    /// clients).
    BrokerMute(usize),
    /// A node that receives but sends nothing.
    NodeMute(usize),
    /// A NATS node killed with SIGKILL, restarted at the heal.
    KillNode {
        /// The node.
        node: usize,
        /// Whether it led the stream.
        leader: bool,
    },
    /// A broker killed with SIGKILL, restarted at the heal.
    KillBroker(usize),
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::BrokerCut(b) => write!(f, "broker {b} cut from every node"),
            Fault::LeaderIsolated(n) => write!(f, "stream leader n{n} cut from the other nodes"),
            Fault::Bridge { middle } => write!(f, "bridge through n{middle}"),
            Fault::BrokerMute(b) => write!(f, "broker {b} receives but cannot send"),
            Fault::NodeMute(n) => write!(f, "node n{n} receives but cannot send"),
            Fault::KillNode { node, leader } => write!(
                f,
                "kill -9 of n{node}{}",
                if *leader { " (stream leader)" } else { "" }
            ),
            Fault::KillBroker(b) => write!(f, "kill -9 of broker {b}"),
        }
    }
}

/// One fault as it happened.
#[derive(Debug, Clone)]
pub struct FaultRecord {
    /// The fault.
    pub fault: Fault,
    /// When it began.
    pub start_ms: u64,
    /// When it was healed.
    pub healed_ms: u64,
    /// For a killed stream leader: when a node reported a new leader.
    pub leader_back_ms: Option<u64>,
}

/// The kinds of fault; every round takes each once, in a random order.
const KINDS: usize = 6;

/// Runs faults for `duration`, seeded with `seed`; heals everything at
/// the end and waits for the cluster to be healthy with a stream leader.
pub fn run(
    cluster: &mut Cluster,
    firewall: &mut Firewall,
    duration: Duration,
    seed: u64,
    clock: Clock,
) -> Vec<FaultRecord> {
    let mut rng = StdRng::seed_from_u64(seed);
    let end = Instant::now() + duration;
    let mut records = Vec::new();
    let mut round: Vec<usize> = Vec::new();
    let mut leader_killed = false;
    while Instant::now() < end || records.len() < KINDS {
        if round.is_empty() {
            round = (0..KINDS).collect();
            round.shuffle(&mut rng);
        }
        let kind = round.pop().expect("a kind");
        settle(cluster);
        let leader = cluster.leader(None).unwrap_or(0);
        let fault = match kind {
            0 => Fault::BrokerCut(rng.random_range(0..2)),
            1 => Fault::LeaderIsolated(leader),
            2 => Fault::Bridge {
                middle: rng.random_range(0..3),
            },
            3 if rng.random_bool(0.5) => Fault::BrokerMute(rng.random_range(0..2)),
            3 => Fault::NodeMute(rng.random_range(0..3)),
            4 => {
                let node = if leader_killed {
                    rng.random_range(0..3)
                } else {
                    leader
                };
                leader_killed |= node == leader;
                Fault::KillNode {
                    node,
                    leader: node == leader,
                }
            }
            _ => Fault::KillBroker(rng.random_range(0..2)),
        };
        let hold = Duration::from_millis(rng.random_range(2_000..6_000));
        let start_ms = clock.ms();
        let held_until = Instant::now() + hold;
        let leader_back_ms = inflict(cluster, firewall, fault, clock, held_until);
        std::thread::sleep(held_until.saturating_duration_since(Instant::now()));
        heal(cluster, firewall, fault);
        records.push(FaultRecord {
            fault,
            start_ms,
            healed_ms: clock.ms(),
            leader_back_ms,
        });
        let gap = Duration::from_millis(rng.random_range(1_000..3_000));
        std::thread::sleep(gap);
    }
    settle(cluster);
    records
}

fn cut(firewall: &mut Firewall, uid: u32, to: Ipv4Addr) {
    if let Err(error) = firewall.drop_flow(uid, to) {
        panic!("{error}");
    }
}

/// Starts a fault; for a killed stream leader, waits (polling every
/// 50 ms) until a surviving node reports a new one and returns when; for
/// an isolated one, the same until the fault's planned end (`None` if the
/// majority elected none by then).
fn inflict(
    cluster: &mut Cluster,
    firewall: &mut Firewall,
    fault: Fault,
    clock: Clock,
    held_until: Instant,
) -> Option<u64> {
    let nodes = cluster.nodes.clone();
    let brokers = cluster.broker_ids.clone();
    match fault {
        Fault::BrokerCut(b) => {
            for node in &nodes {
                cut(firewall, brokers[b].uid, node.addr);
            }
        }
        Fault::LeaderIsolated(n) => {
            for (o, other) in nodes.iter().enumerate().filter(|(o, _)| *o != n) {
                cut(firewall, nodes[n].uid, other.addr);
                cut(firewall, nodes[o].uid, nodes[n].addr);
            }
            return new_leader(cluster, n, held_until, clock);
        }
        Fault::Bridge { middle } => {
            let sides: Vec<usize> = (0..nodes.len()).filter(|n| *n != middle).collect();
            cut(firewall, nodes[sides[0]].uid, nodes[sides[1]].addr);
            cut(firewall, nodes[sides[1]].uid, nodes[sides[0]].addr);
        }
        Fault::BrokerMute(b) => {
            for node in &nodes {
                cut(firewall, brokers[b].uid, node.addr);
            }
            cut(firewall, brokers[b].uid, LOOPBACK);
        }
        Fault::NodeMute(n) => {
            for other in nodes.iter().filter(|o| o.uid != nodes[n].uid) {
                cut(firewall, nodes[n].uid, other.addr);
            }
            cut(firewall, nodes[n].uid, LOOPBACK);
        }
        Fault::KillNode { node, leader } => {
            cluster.nats.nodes[node].kill();
            if leader {
                let deadline = Instant::now() + Duration::from_secs(30);
                return new_leader(cluster, node, deadline, clock);
            }
        }
        Fault::KillBroker(b) => cluster.brokers[b].kill(),
    }
    None
}

/// When a node other than `old` reports a stream leader other than `old`
/// (polled every 50 ms until `deadline`).
fn new_leader(cluster: &Cluster, old: usize, deadline: Instant, clock: Clock) -> Option<u64> {
    while Instant::now() < deadline {
        if cluster.leader(Some(old)).is_some() {
            return Some(clock.ms());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

fn heal(cluster: &mut Cluster, firewall: &mut Firewall, fault: Fault) {
    if let Err(error) = firewall.heal() {
        panic!("{error}");
    }
    match fault {
        Fault::KillNode { node, .. } => cluster.nats.nodes[node].restart(),
        Fault::KillBroker(b) => cluster.brokers[b].restart(),
        _ => {}
    }
}

/// Waits (10 s at most) for every node to be healthy and a stream leader
/// to be known.
fn settle(cluster: &Cluster) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if cluster.nats.all_healthy() && cluster.leader(None).is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
