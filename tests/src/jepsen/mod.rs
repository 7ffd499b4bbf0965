//! Jepsen-style tests of the shared store, on loopback: three NATS nodes
//! and two floor brokers, each process under its own uid and on its own
//! 127.x address, under a load of writers, a chair and readers, while a
//! nemesis partitions, mutes and kills them (iptables rules keyed on the
//! sender's uid and the destination address). The checker then holds the
//! whole history against the log read from NATS after the heal.
//!
//! # Layout
//! - `iptables`: the run's firewall rules, and only those.
//! - `cluster`: the nodes and brokers, their uids and addresses.
//! - `client`: one raw WebSocket client that records what it sees and
//!   moves between brokers.
//! - `history`: what the clients recorded.
//! - `load`: the writers, the chair and the readers.
//! - `nemesis`: the faults, in a seeded random order.
//! - `checker`: the history against the final log, and the figures.
//!
//! Needs root and iptables (`apt-get install -y iptables`).

pub mod checker;
pub mod client;
pub mod cluster;
pub mod history;
pub mod iptables;
pub mod load;
pub mod nemesis;

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use floor_core::LiveView;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

pub use checker::{HELLO_BOUND_MS, Pause};
pub use iptables::FirewallError;

use crate::Tokens;
use checker::Counts;
use client::Clock;
use cluster::{Cluster, ROOM};
use iptables::Firewall;
use load::Load;

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// How long the nemesis runs at least (every kind of fault happens at
    /// least once, however long that takes).
    pub duration: Duration,
    /// The nemesis's seed.
    pub seed: u64,
    /// Participants submitting for themselves (besides the runner, the
    /// moderator and the chair).
    pub participants: usize,
    /// Readers (display screens).
    pub readers: usize,
    /// Where the processes keep their data (opened to every uid).
    pub dir: PathBuf,
}

impl Plan {
    /// The seed from `FLOOR_PARTITION_SEED`, else a random one.
    pub fn seed_from_env() -> u64 {
        std::env::var("FLOOR_PARTITION_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(rand::random)
    }
}

/// The figures of a run.
#[derive(Debug, Default, Clone)]
pub struct Figures {
    /// The nemesis's seed.
    pub seed: u64,
    /// How long the load ran.
    pub ran: Duration,
    /// Clients (writers, chair, readers).
    pub clients: usize,
    /// Acknowledged, in the log once at the acknowledged seqs.
    pub ok: usize,
    /// Acknowledged, but absent from the log or elsewhere in it.
    pub lost: usize,
    /// In the log more than once.
    pub duplicated: usize,
    /// Snapshots or welcomes below a seq the client had seen.
    pub stale_reads: usize,
    /// The most seqs a stale read went back.
    pub stale_depth: u64,
    /// Never acknowledged, with an attempt unanswered or `outcome_unknown`.
    pub unknown: usize,
    /// Answered only `storage_unavailable` (or refused), yet in the log.
    pub unavailable_but_recorded: usize,
    /// Refused by the rules, absent from the log.
    pub refused: usize,
    /// In the log though refused or never sent.
    pub unexpected: usize,
    /// Acknowledged with `duplicate: true` on a first send.
    pub first_send_duplicates: usize,
    /// Acknowledged with `duplicate: true` after attempts that could not
    /// have taken effect.
    pub unfounded_duplicates: usize,
    /// Attempts in all.
    pub attempts: usize,
    /// Attempts answered `storage_unavailable`.
    pub unavailable_answers: usize,
    /// Attempts answered `outcome_unknown`.
    pub outcome_unknown_answers: usize,
    /// Attempts left unanswered.
    pub unanswered_attempts: usize,
    /// Events clients saw unlike the log's at the same seq.
    pub diverging: usize,
    /// Broken streams clients saw.
    pub gaps: usize,
    /// Events in the log.
    pub events: u64,
    /// Calls replayed through the core.
    pub calls_checked: usize,
    /// Both brokers' final snapshots equal the log's fold.
    pub brokers_equal: bool,
    /// Hellos checked (those to a broker able to send).
    pub hellos: usize,
    /// Their refusals, by code.
    pub hello_refusals: Counts,
    /// The longest wait for a first answer that came.
    pub hello_longest_ms: u64,
    /// Hellos that got no answer while the client waited (6 s).
    pub hellos_unanswered: usize,
    /// Hellos answered after [`HELLO_BOUND_MS`], or never.
    pub hellos_over_bound: usize,
    /// Per fault, its pause.
    pub pauses: Vec<Pause>,
}

impl fmt::Display for Figures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "partitions: seed {} (FLOOR_PARTITION_SEED={} to replay); 3 NATS nodes, 2 brokers, {} clients; {} faults in {:.0} s",
            self.seed,
            self.seed,
            self.clients,
            self.pauses.len(),
            self.ran.as_secs_f64()
        )?;
        writeln!(
            f,
            "ok {} / lost {} / duplicated {} / stale reads {} / unknown {} / unavailable-but-recorded {} / refused {}",
            self.ok,
            self.lost,
            self.duplicated,
            self.stale_reads,
            self.unknown,
            self.unavailable_but_recorded,
            self.refused
        )?;
        writeln!(
            f,
            "also: unexpected {}; first-send duplicates {}; unfounded duplicates {}; diverging events {}; broken streams {}; deepest stale read {} seqs",
            self.unexpected,
            self.first_send_duplicates,
            self.unfounded_duplicates,
            self.diverging,
            self.gaps,
            self.stale_depth
        )?;
        writeln!(
            f,
            "attempts {}: storage_unavailable {}, outcome_unknown {}, unanswered {}",
            self.attempts,
            self.unavailable_answers,
            self.outcome_unknown_answers,
            self.unanswered_attempts
        )?;
        let mut refusals: Vec<_> = self.hello_refusals.iter().collect();
        refusals.sort();
        writeln!(
            f,
            "hellos {}: longest to a first answer {} ms; never answered {}; over {} ms {}; refused {refusals:?}",
            self.hellos,
            self.hello_longest_ms,
            self.hellos_unanswered,
            HELLO_BOUND_MS,
            self.hellos_over_bound
        )?;
        writeln!(
            f,
            "log: {} events, one gapless order; {} calls replayed through the core; brokers' final snapshots equal the log's: {}",
            self.events, self.calls_checked, self.brokers_equal
        )?;
        let elections: Vec<u64> = self
            .pauses
            .iter()
            .filter_map(|p| p.election.map(|(election, _)| election))
            .collect();
        let shares: Vec<u64> = self
            .pauses
            .iter()
            .filter_map(|p| p.election.and_then(|(_, share)| share))
            .collect();
        writeln!(
            f,
            "leader lost {} times: NATS's election {}; floor's share after it (first ack) {}",
            elections.len(),
            crate::chaos::median_max(&elections),
            crate::chaos::median_max(&shares)
        )?;
        write!(f, "faults (longest stretch without an acknowledgement):")?;
        for pause in &self.pauses {
            write!(
                f,
                "\n  {:>5.1} s {} for {:.1} s: {} ms",
                pause.fault.start_ms as f64 / 1000.0,
                pause.fault.fault,
                (pause.fault.healed_ms - pause.fault.start_ms) as f64 / 1000.0,
                pause.longest_ms
            )?;
            if let Some((election, floor)) = pause.election {
                let floor = floor
                    .map_or("unknown (no ack before the next fault)".to_owned(), |ms| {
                        format!("{ms} ms")
                    });
                write!(
                    f,
                    "; NATS elected a leader in {election} ms, floor's share {floor}"
                )?;
            }
        }
        Ok(())
    }
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The figures.
    pub figures: Figures,
    /// Every broken promise, described.
    pub failures: Vec<String>,
}

/// A fresh `hello` (no resume) to a broker: its snapshot's seq and room.
async fn fresh_snapshot(url: &str, tokens: &Tokens) -> Option<(u64, Value)> {
    let (mut ws, _) = tokio::time::timeout(
        Duration::from_secs(3),
        tokio_tungstenite::connect_async(url),
    )
    .await
    .ok()?
    .ok()?;
    let hello = tokens.hello("display", "partitions-final");
    ws.send(Message::text(hello.to_string())).await.ok()?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let Ok(Some(Ok(Message::Text(text)))) = tokio::time::timeout_at(deadline, ws.next()).await
        else {
            return None;
        };
        let value: Value = serde_json::from_str(&text).ok()?;
        if value["type"] == "snapshot" {
            let _ = ws.close(None).await;
            return Some((value["room"]["seq"].as_u64()?, value["room"].clone()));
        }
        if value["type"] == "error" {
            return None;
        }
    }
}

/// Waits (30 s at most) until both brokers' fresh snapshots are at one
/// seq; returns it and the rooms.
async fn final_snapshots(urls: &[String], tokens: &Tokens) -> Result<(u64, Vec<Value>), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = Vec::new();
    while Instant::now() < deadline {
        let mut got = Vec::new();
        for url in urls {
            got.push(fresh_snapshot(url, tokens).await);
        }
        let seqs: Vec<Option<u64>> = got.iter().map(|g| g.as_ref().map(|(s, _)| *s)).collect();
        if seqs.iter().all(Option::is_some) && seqs.windows(2).all(|w| w[0] == w[1]) {
            let seq = seqs[0].unwrap_or(0);
            return Ok((
                seq,
                got.into_iter().flatten().map(|(_, room)| room).collect(),
            ));
        }
        last = seqs;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(format!(
        "the brokers' final snapshots never met at one seq: {last:?}"
    ))
}

/// Runs the plan. Fails only when iptables cannot be used here; every
/// broken promise is in the outcome's failures.
pub async fn run(plan: &Plan) -> Result<Outcome, FirewallError> {
    let mut firewall = Firewall::open()?;
    let mut outcome = Outcome::default();
    let mut cluster = Cluster::start(&plan.dir).await;
    let clock = Clock::start();
    let urls = cluster.ws_urls();
    let tokens = cluster.tokens.clone();
    let load = Load::start(
        urls.clone(),
        &tokens,
        plan.participants,
        plan.readers,
        clock,
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (duration, seed) = (plan.duration, plan.seed);
    let (mut cluster, faults) = tokio::task::spawn_blocking(move || {
        let faults = nemesis::run(&mut cluster, &mut firewall, duration, seed, clock);
        drop(firewall);
        (cluster, faults)
    })
    .await
    .expect("the nemesis");
    // The load settles on the healed cluster, then stops; a command under
    // way is retried for up to 15 s more.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let end_ms = clock.ms();
    let history = load.stop(Duration::from_secs(15)).await;
    let figures = &mut outcome.figures;
    figures.seed = plan.seed;
    figures.ran = Duration::from_millis(end_ms);
    figures.clients = history.clients.len();

    let finals = final_snapshots(&urls, &tokens).await;
    let log = crate::chaos::read_shared_log(&cluster.nats.urls(), ROOM).await;
    match finals {
        Ok((seq, rooms)) => {
            let mut fold = LiveView::new();
            for event in log.iter().take_while(|e| e.seq <= seq) {
                if fold.apply(event).is_err() {
                    break;
                }
            }
            let folded = serde_json::to_value(fold.view()).expect("a view encodes");
            figures.brokers_equal = fold.seq() == seq && rooms.iter().all(|room| *room == folded);
            if !figures.brokers_equal {
                outcome.failures.push(format!(
                    "the brokers' final snapshots at seq {seq} differ from each other or from the log's fold (the log holds {} events)",
                    log.len()
                ));
            }
        }
        Err(failure) => outcome.failures.push(failure),
    }
    checker::check(
        &log,
        &history,
        &faults,
        end_ms,
        &mut outcome.figures,
        &mut outcome.failures,
    );
    for broker in &mut cluster.brokers {
        broker.kill();
    }
    Ok(outcome)
}
