//! The chaos harness: a room under load from writers (mic runner, online
//! moderator, participants), a chair calling `next`, and many display
//! subscribers, all through a proxy that cuts and stalls connections,
//! while the broker is killed with SIGKILL at random moments and
//! restarted. At the end it checks, from the outside:
//!
//! - every command, classified as Jepsen's queue checker does: acknowledged
//!   and in the log once (`ok`), acknowledged and absent (`lost`), in the
//!   log more than once (`duplicated`), in the log though refused or never
//!   sent (`unexpected`), unanswered and in the log at most once
//!   (`unknown`); an acknowledgement's seq range is the one in the log;
//! - the calls, replayed through the core, follow the fairness policy
//!   (each `next` called what `floor_core::fairness::next_choice` names);
//! - every subscriber's events were gapless and duplicate-free across its
//!   reconnects, and its final view equals the broker's snapshot;
//! - how long the broker took from restart to serving, and screens from
//!   reconnecting to caught up.
//!
//! `run` returns the figures and every failure; the `chaos` binary prints
//! them (`scripts/chaos` is the long run), and `tests/chaos.rs` runs a
//! short one in the test suite.

mod net;

pub use net::ChaosProxy;

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use floor_client::{Client, ConnectOptions, ConnectionEvent, RequestError, Update};
use floor_protocol::{
    CallVia, Channel, Command, EntryDraft, Event, Person, RoomEvent, RoomView, ServerMessage,
};
use rand::Rng;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::{Floor, Tokens};

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// How long the load lasts at least (it goes on until every kill has
    /// happened).
    pub duration: Duration,
    /// How many times the broker is killed (spread over the duration).
    pub kills: u32,
    /// Participants submitting for themselves (besides the mic runner and
    /// the online moderator).
    pub participants: usize,
    /// Display subscribers.
    pub displays: usize,
    /// The broker's data directory.
    pub data: PathBuf,
}

/// How one command ended, as its sender saw it.
#[derive(Debug, Clone)]
enum Answer {
    Acked { first: u64, last: u64 },
    Refused(String),
    Unanswered,
}

#[derive(Debug, Clone)]
struct Record {
    client: String,
    request_id: String,
    answer: Answer,
}

type Ledger = Arc<Mutex<Vec<Record>>>;

/// What a display subscriber saw.
#[derive(Debug, Default)]
struct Seen {
    gaps: Vec<String>,
    duplicates: u64,
    resyncs: u64,
    lagged: u64,
    reconnects: u64,
    resume_ms: Vec<u64>,
    outage_ms: Vec<u64>,
    longest_outage: Option<Outage>,
}

/// One outage of a subscriber: from its disconnection to caught up.
#[derive(Debug, Default, Clone, Copy)]
pub struct Outage {
    /// Its length, in milliseconds.
    pub ms: u64,
    /// The reconnection attempts it took.
    pub attempts: u32,
    /// The time of it spent waiting out the client's backoff.
    pub backoff_ms: u64,
}

/// The figures of a run.
#[derive(Debug, Default, Clone)]
pub struct Figures {
    /// Broker crashes (SIGKILL) survived.
    pub crashes: u32,
    /// How long the load ran.
    pub ran: Duration,
    /// Writers (runner, moderator, participants) and the chair.
    pub writers: usize,
    /// Display subscribers.
    pub displays: usize,
    /// Connections the proxy cut.
    pub cuts: usize,
    /// Connections the proxy stalled.
    pub stalls: usize,
    /// Commands sent.
    pub issued: usize,
    /// Acknowledged and in the log once.
    pub ok: usize,
    /// Refused by the rules (and absent from the log, as they must be).
    pub refused: usize,
    /// Acknowledged but absent from the log.
    pub lost: usize,
    /// In the log more than once.
    pub duplicated: usize,
    /// In the log though refused or never sent.
    pub unexpected: usize,
    /// Unanswered, in the log at most once.
    pub unknown: usize,
    /// Events in the log.
    pub events: u64,
    /// Calls checked against the fairness policy.
    pub calls_checked: usize,
    /// Reconnections of display subscribers.
    pub reconnects: u64,
    /// Gaps seen by any subscriber.
    pub gaps: usize,
    /// Duplicate events seen by any subscriber.
    pub subscriber_duplicates: u64,
    /// Snapshots a subscriber needed after its first (resyncs).
    pub resyncs: u64,
    /// Subscribers whose final view equals the broker's.
    pub views_equal: usize,
    /// Staff and participant clients whose final view equals the broker's.
    pub client_views_equal: usize,
    /// With two brokers: both ended with the same room.
    pub brokers_equal: bool,
    /// Restart to serving, per crash, in milliseconds.
    pub restart_ms: Vec<u64>,
    /// A subscriber's reconnection to caught up, in milliseconds.
    pub resume_ms: Vec<u64>,
    /// A subscriber's disconnection to caught up, in milliseconds.
    pub outage_ms: Vec<u64>,
    /// The longest of those outages, and why it lasted.
    pub longest_outage: Option<Outage>,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The figures.
    pub figures: Figures,
    /// Every broken promise, described.
    pub failures: Vec<String>,
}

/// `median, p99, max (n)` of some durations in milliseconds (`none` for
/// none).
pub(crate) fn median_max(values: &[u64]) -> String {
    if values.is_empty() {
        return "none".into();
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let p99 = sorted[(sorted.len() * 99 / 100).min(sorted.len() - 1)];
    format!(
        "median {} ms, p99 {p99} ms, max {} ms (n = {})",
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1],
        sorted.len()
    )
}

impl fmt::Display for Figures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "chaos: {} broker crashes (SIGKILL) survived in {:.0} s; {} writers, {} displays; {} connections cut, {} stalled",
            self.crashes,
            self.ran.as_secs_f64(),
            self.writers,
            self.displays,
            self.cuts,
            self.stalls
        )?;
        writeln!(
            f,
            "commands: {} issued; ok {} (acknowledged, in the log once); refused by the rules {}; lost {}; duplicated {}; unexpected {}; unknown {}",
            self.issued,
            self.ok,
            self.refused,
            self.lost,
            self.duplicated,
            self.unexpected,
            self.unknown
        )?;
        writeln!(
            f,
            "log: {} events; {} calls replayed through the core, each the policy's choice",
            self.events, self.calls_checked
        )?;
        writeln!(
            f,
            "subscribers: {} reconnects; {} gaps; {} duplicate events; {} resyncs; final view equal to the broker's: {}/{}",
            self.reconnects,
            self.gaps,
            self.subscriber_duplicates,
            self.resyncs,
            self.views_equal,
            self.displays
        )?;
        writeln!(
            f,
            "staff and participant clients: final view equal to the broker's: {}/{}{}",
            self.client_views_equal,
            self.writers,
            if self.brokers_equal {
                "; both brokers ended with the same room"
            } else {
                ""
            }
        )?;
        writeln!(f, "restart to serving: {}", median_max(&self.restart_ms))?;
        writeln!(
            f,
            "screen reconnected to caught up: {}",
            median_max(&self.resume_ms)
        )?;
        write!(
            f,
            "screen disconnected to caught up: {}",
            median_max(&self.outage_ms)
        )?;
        if let Some(longest) = self.longest_outage {
            write!(
                f,
                "\nlongest outage: {} ms, {} reconnection attempts, {} ms of it in backoff",
                longest.ms, longest.attempts, longest.backoff_ms
            )?;
        }
        Ok(())
    }
}

/// A room link through the proxy.
fn link(proxy: &ChaosProxy, tokens: &Tokens, role: &str) -> String {
    let page = if role == "participant" { "join" } else { role };
    format!(
        "http://{}/r/{}/{page}#token={}",
        proxy.addr,
        tokens.room,
        tokens.role(role)
    )
}

async fn connect(link: &str, client_id: &str, channel: Option<Channel>) -> Client {
    let mut options = ConnectOptions::from_link(link)
        .expect("a room link")
        .client_id(client_id)
        .request_timeout(Duration::from_secs(20))
        .reconnect_delay(Duration::from_millis(20), Duration::from_millis(500))
        .retry_initial_connect(true);
    if let Some(channel) = channel {
        options = options.channel(channel);
    }
    Client::connect(options).await.expect("connects")
}

/// Sends a command and writes how it ended into the ledger.
async fn send(client: &Client, ledger: &Ledger, request_id: String, command: Command) -> Answer {
    let answer = match client.command_with_id(request_id.clone(), command).await {
        Ok(ack) => Answer::Acked {
            first: ack.first_seq,
            last: ack.last_seq,
        },
        Err(RequestError::Refused(refusal)) => Answer::Refused(format!("{:?}", refusal.code)),
        Err(_) => Answer::Unanswered,
    };
    ledger.lock().expect("not poisoned").push(Record {
        client: client.client_key().to_string(),
        request_id,
        answer: answer.clone(),
    });
    answer
}

/// A request to speak from `name` on `channel`, with nothing else filled.
pub fn draft(channel: Channel, name: String) -> EntryDraft {
    EntryDraft {
        channel,
        kind: Default::default(),
        person: Person::named(name),
        text: None,
        location: None,
        language: None,
        delivery: None,
        gender: None,
    }
}

/// The most open requests a curator (runner, moderator) keeps: a real
/// queue stays short, and an unbounded one would make every `order`
/// message, sent to every screen after every change, grow without end.
const CURATOR_OPEN_MAX: usize = 8;

/// Whether a writer holding `open` entries withdraws one next (else it
/// submits): a participant half the time, a curator a quarter of the time
/// or when it holds [`CURATOR_OPEN_MAX`].
pub(crate) fn wants_withdraw(participant: bool, open: usize) -> bool {
    if open == 0 {
        return false;
    }
    if participant {
        rand::rng().random_bool(0.5)
    } else {
        open >= CURATOR_OPEN_MAX || rand::rng().random_bool(0.25)
    }
}

/// A writer: submits, edits and withdraws until `stop`, then closes.
async fn writer(
    client: Client,
    name: String,
    channel: Channel,
    participant: bool,
    ledger: Ledger,
    stop: CancellationToken,
) -> Client {
    let mut mine: Vec<Uuid> = Vec::new();
    let mut n = 0u64;
    while !stop.is_cancelled() {
        n += 1;
        let request_id = format!("{name}-{n}");
        let withdraw = wants_withdraw(participant, mine.len());
        let edit = !participant && withdraw && rand::rng().random_bool(0.5);
        if edit {
            // A curator corrects a request instead (it may have been
            // called meanwhile: then the broker refuses, as it must).
            let entry_id = mine[rand::rng().random_range(0..mine.len())];
            let patch = floor_protocol::EntryPatch {
                text: Some(Some(format!("edited by {request_id}"))),
                ..Default::default()
            };
            if let Answer::Refused(_) = send(
                &client,
                &ledger,
                request_id,
                Command::Edit { entry_id, patch },
            )
            .await
            {
                mine.retain(|id| *id != entry_id);
            }
        } else if withdraw {
            let at = rand::rng().random_range(0..mine.len());
            let entry_id = mine.swap_remove(at);
            send(&client, &ledger, request_id, Command::Withdraw { entry_id }).await;
        } else if !participant || mine.is_empty() {
            let command = Command::Submit {
                entry: draft(channel, format!("{name} person {n}")),
            };
            match client.command_with_id(request_id.clone(), command).await {
                Ok(ack) => {
                    mine.extend(ack.entry_id);
                    ledger.lock().expect("not poisoned").push(Record {
                        client: client.client_key().to_string(),
                        request_id,
                        answer: Answer::Acked {
                            first: ack.first_seq,
                            last: ack.last_seq,
                        },
                    });
                }
                Err(error) => {
                    let answer = match error {
                        RequestError::Refused(refusal) => {
                            Answer::Refused(format!("{:?}", refusal.code))
                        }
                        _ => Answer::Unanswered,
                    };
                    ledger.lock().expect("not poisoned").push(Record {
                        client: client.client_key().to_string(),
                        request_id,
                        answer,
                    });
                }
            }
        }
        let pause = rand::rng().random_range(30..120);
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(pause)) => {}
            _ = stop.cancelled() => {}
        }
    }
    client
}

/// The chair: calls `next` now and then until `stop`.
async fn chair(client: Client, ledger: Ledger, stop: CancellationToken) -> Client {
    let mut n = 0u64;
    while !stop.is_cancelled() {
        n += 1;
        send(&client, &ledger, format!("chair-{n}"), Command::next()).await;
        let pause = rand::rng().random_range(100..300);
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(pause)) => {}
            _ = stop.cancelled() => {}
        }
    }
    client
}

/// A display: follows every update until `stop`, checking the stream.
async fn display(client: Client, stop: CancellationToken) -> (Client, Seen) {
    let mut seen = Seen::default();
    let mut subscriber = client.subscribe();
    let mut last: Option<u64> = None;
    let mut snapshots = 0u64;
    let mut down_since: Option<Instant> = None;
    let mut outage = Outage::default();
    let mut catching: Option<(u64, Instant)> = None;
    loop {
        let update = tokio::select! {
            update = subscriber.next() => update,
            _ = stop.cancelled() => break,
        };
        let Some(update) = update else { break };
        match update {
            Update::Event(event) => {
                if let Some(last) = last {
                    if event.seq <= last {
                        seen.duplicates += 1;
                        continue;
                    }
                    if event.seq != last + 1 {
                        seen.gaps.push(format!("after {last} came {}", event.seq));
                    }
                }
                last = Some(event.seq);
            }
            Update::Snapshot { seq, .. } => {
                snapshots += 1;
                if snapshots > 1 || last.is_some() {
                    seen.resyncs += 1;
                }
                last = Some(seq);
            }
            Update::Order { seq } => {
                if let Some((head, since)) = catching
                    && seq >= head
                {
                    seen.resume_ms.push(since.elapsed().as_millis() as u64);
                    if let Some(down) = down_since.take() {
                        let outage = Outage {
                            ms: down.elapsed().as_millis() as u64,
                            ..outage
                        };
                        seen.outage_ms.push(outage.ms);
                        if seen.longest_outage.is_none_or(|l| l.ms < outage.ms) {
                            seen.longest_outage = Some(outage);
                        }
                    }
                    catching = None;
                }
            }
            Update::Connection(ConnectionEvent::Disconnected { .. }) => {
                if down_since.is_none() {
                    down_since = Some(Instant::now());
                    outage = Outage::default();
                }
            }
            Update::Connection(ConnectionEvent::Reconnecting { delay, .. }) => {
                outage.attempts += 1;
                outage.backoff_ms += delay.as_millis() as u64;
            }
            Update::Connection(ConnectionEvent::Connected { head, .. }) => {
                if down_since.is_some() {
                    seen.reconnects += 1;
                    catching = Some((head, Instant::now()));
                }
            }
            Update::Lagged { .. } => seen.lagged += 1,
            Update::Connection(_) => {}
        }
    }
    (client, seen)
}

/// Groups the log into command applications: consecutive events with the
/// same cause are one application, `(client, request_id) -> [(first, last)]`.
pub fn applications(log: &[RoomEvent]) -> HashMap<(String, String), Vec<(u64, u64)>> {
    let mut map: HashMap<(String, String), Vec<(u64, u64)>> = HashMap::new();
    let mut previous: Option<(String, String)> = None;
    for event in log {
        // A redacted event names no command.
        let Some(cause) = &event.cause else {
            previous = None;
            continue;
        };
        let key = (cause.client.to_string(), cause.request_id.clone());
        if previous.as_ref() == Some(&key) {
            if let Some(range) = map.get_mut(&key).and_then(|r| r.last_mut()) {
                range.1 = event.seq;
            }
        } else {
            map.entry(key.clone())
                .or_default()
                .push((event.seq, event.seq));
        }
        previous = Some(key);
    }
    map
}

/// Replays the log through the core, checking that every `next` called
/// the policy's choice; returns the calls checked.
pub fn check_fairness(log: &[RoomEvent], failures: &mut Vec<String>) -> usize {
    let mut room = floor_core::Room::new();
    let mut checked = 0;
    for event in log {
        if let Event::SpeakerCalled { entry_id, via, .. } = &event.event
            && *via != CallVia::Explicit
        {
            checked += 1;
            match floor_core::fairness::next_choice(&room) {
                Some(choice) if choice.entry_id == *entry_id => {}
                other => failures.push(format!(
                    "event {}: next called {entry_id}, the policy names {:?}",
                    event.seq,
                    other.map(|c| c.entry_id)
                )),
            }
        }
        if let Err(error) = room.apply(event) {
            failures.push(format!("the log does not replay: {error}"));
            return checked;
        }
    }
    checked
}

/// Where the room is served.
pub enum Setup {
    /// One broker on the embedded store, killed and restarted
    /// `plan.kills` times.
    Single,
    /// Two brokers, A and B, on a shared store (NATS JetStream): the chair
    /// and half the displays reach the room through A, the runner, the
    /// moderator, the participants and the other displays through B (each
    /// through a proxy that falls back to the other broker, as a load
    /// balancer does).
    Shared(SharedSetup),
}

/// The shared store's part of a run.
pub struct SharedSetup {
    /// The NATS servers, as `--store` takes them.
    pub servers: String,
    /// The stream's replicas.
    pub replicas: usize,
    /// Kill broker A with SIGKILL halfway through (its clients fail over
    /// to B).
    pub kill_broker: bool,
    /// Something done halfway through (e.g. killing a NATS node).
    pub midway: Option<Box<dyn FnOnce() + Send>>,
}

/// Runs the plan on one broker with the embedded store.
pub async fn run(plan: &Plan) -> Outcome {
    run_with(plan, Setup::Single).await
}

/// The `serve` flags that turn off the participants' submission budget.
pub const NO_BUDGET: [&str; 2] = ["--participant-submits-per-minute", "0"];

/// Runs the plan on the given setup.
pub async fn run_with(plan: &Plan, setup: Setup) -> Outcome {
    let mut outcome = Outcome::default();
    let (mut shared, mut a, mut b) = match setup {
        // Its participants, all on one address, submit far faster than a
        // hall does: their per-address budget is off.
        Setup::Single => (None, Some(Floor::start_with(&plan.data, &NO_BUDGET)), None),
        Setup::Shared(shared) => {
            let replicas = shared.replicas.to_string();
            let args = [
                "--store",
                shared.servers.as_str(),
                "--nats-replicas",
                replicas.as_str(),
                NO_BUDGET[0],
                NO_BUDGET[1],
            ];
            let a = Floor::start_with(&plan.data, &args);
            let b_data = plan.data.with_file_name(format!(
                "{}-b",
                plan.data
                    .file_name()
                    .map_or("data".into(), |n| n.to_string_lossy())
            ));
            let b = Floor::start_with(&b_data, &args);
            (Some(shared), Some(a), Some(b))
        }
    };
    let first = a.as_ref().expect("started");
    let tokens = first.create_room("chaos").await;
    let mut proxies = Vec::new();
    match &b {
        None => proxies.push(ChaosProxy::start(first.addr).await),
        Some(b) => {
            proxies.push(ChaosProxy::start_to(vec![first.addr, b.addr]).await);
            proxies.push(ChaosProxy::start_to(vec![b.addr, first.addr]).await);
        }
    }
    let chair_proxy = &proxies[0];
    let staff_proxy = proxies.last().expect("a proxy");
    let ledger: Ledger = Arc::default();
    let stop = CancellationToken::new();
    let started = Instant::now();

    let mut writers = Vec::new();
    let runner = connect(&link(staff_proxy, &tokens, "runner"), "chaos-runner", None).await;
    writers.push(tokio::spawn(writer(
        runner,
        "runner".into(),
        Channel::Onsite,
        false,
        ledger.clone(),
        stop.clone(),
    )));
    let moderator = connect(
        &link(staff_proxy, &tokens, "moderator"),
        "chaos-moderator",
        None,
    )
    .await;
    writers.push(tokio::spawn(writer(
        moderator,
        "moderator".into(),
        Channel::Online,
        false,
        ledger.clone(),
        stop.clone(),
    )));
    for i in 0..plan.participants {
        let channel = if i % 2 == 0 {
            Channel::Onsite
        } else {
            Channel::Online
        };
        let id = format!("chaos-participant-{i}");
        let client = connect(
            &link(staff_proxy, &tokens, "participant"),
            &id,
            Some(channel),
        )
        .await;
        writers.push(tokio::spawn(writer(
            client,
            format!("p{i}"),
            channel,
            true,
            ledger.clone(),
            stop.clone(),
        )));
    }
    let chair_client = connect(&link(chair_proxy, &tokens, "chair"), "chaos-chair", None).await;
    writers.push(tokio::spawn(chair(
        chair_client,
        ledger.clone(),
        stop.clone(),
    )));

    let display_stop = CancellationToken::new();
    let mut displays = Vec::new();
    for i in 0..plan.displays {
        let client = connect(
            &link(&proxies[i % proxies.len()], &tokens, "display"),
            &format!("chaos-display-{i}"),
            None,
        )
        .await;
        displays.push(tokio::spawn(display(client, display_stop.clone())));
    }

    // The chaos: kills spread over the duration (or, with two brokers, one
    // blow halfway), the network misbehaving all along.
    let figures = &mut outcome.figures;
    let interval = plan.duration / (plan.kills + 1);
    let mut next_kill = Instant::now() + interval;
    let end = Instant::now() + plan.duration;
    let halfway = Instant::now() + plan.duration / 2;
    let mut midway_done = shared.is_none();
    // A slow machine restarts slowly: the run lasts until every kill has
    // happened, however long past the duration that takes.
    while Instant::now() < end || figures.crashes < plan.kills || !midway_done {
        let tick = Duration::from_millis(rand::rng().random_range(300..900));
        tokio::time::sleep(tick).await;
        for proxy in &proxies {
            figures.cuts += proxy.cut_some(0.03);
            let pause = Duration::from_millis(rand::rng().random_range(200..2000));
            figures.stalls += proxy.stall_some(0.03, pause);
        }
        if let Some(setup) = shared.as_mut()
            && !midway_done
            && Instant::now() >= halfway
        {
            if setup.kill_broker
                && let Some(mut broker) = a.take()
            {
                broker.kill();
                figures.crashes += 1;
            }
            if let Some(midway) = setup.midway.take() {
                tokio::task::spawn_blocking(midway)
                    .await
                    .expect("the midway action");
            }
            midway_done = true;
        }
        if figures.crashes < plan.kills && Instant::now() >= next_kill {
            let jitter = rand::rng().random_range(0..interval.as_millis().max(1) as u64 / 2);
            next_kill = Instant::now() + interval / 2 + Duration::from_millis(jitter);
            let mut broker = a.take().expect("running");
            let restart = tokio::task::spawn_blocking(move || {
                let t = Instant::now();
                broker.restart();
                (broker, t.elapsed())
            })
            .await
            .expect("restarts");
            figures.restart_ms.push(restart.1.as_millis() as u64);
            a = Some(restart.0);
            figures.crashes += 1;
        }
    }
    stop.cancel();
    let mut clients = Vec::new();
    for task in writers {
        if let Ok(client) = task.await {
            clients.push(client);
        }
    }
    figures.ran = started.elapsed();
    figures.writers = plan.participants + 3;
    figures.displays = plan.displays;

    // Every screen and every staff client catches up with the broker's
    // final state (with two brokers: B's, and A, when alive, holds the
    // same).
    let broker = b.as_ref().or(a.as_ref()).expect("a broker runs");
    let (seq, view) = snapshot(broker, &tokens).await;
    let mut last = FinalState {
        broker,
        tokens: &tokens,
        seq,
        view,
    };
    if let (Some(a), Some(_)) = (&a, &b) {
        let deadline = Instant::now() + crate::DEADLINE;
        loop {
            let (seq, view) = snapshot(a, &tokens).await;
            if seq == last.seq {
                if view != last.view {
                    outcome.failures.push(format!(
                        "broker A's room differs from broker B's at seq {seq}"
                    ));
                } else {
                    figures.brokers_equal = true;
                }
                break;
            }
            if seq > last.seq {
                // B has not applied the newest commit yet.
                last.catch_up_to(seq).await;
                continue;
            }
            if Instant::now() >= deadline {
                outcome.failures.push(format!(
                    "broker A stayed at seq {seq}, behind B's {}",
                    last.seq
                ));
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    display_stop.cancel();
    let mut seens = Vec::new();
    for task in displays {
        let (client, seen) = task.await.expect("a display task");
        if same_view(&client, &mut last, "a display", &mut outcome.failures).await {
            figures.views_equal += 1;
        }
        client.close().await;
        seens.push(seen);
    }
    for client in clients {
        let who = format!("client {}", client.client_key());
        if same_view(&client, &mut last, &who, &mut outcome.failures).await {
            figures.client_views_equal += 1;
        }
        client.close().await;
    }
    for seen in seens {
        figures.reconnects += seen.reconnects;
        figures.gaps += seen.gaps.len();
        figures.subscriber_duplicates += seen.duplicates;
        figures.resyncs += seen.resyncs;
        figures.resume_ms.extend(seen.resume_ms);
        figures.outage_ms.extend(seen.outage_ms);
        if let Some(longest) = seen.longest_outage
            && figures.longest_outage.is_none_or(|l| l.ms < longest.ms)
        {
            figures.longest_outage = Some(longest);
        }
        for gap in seen.gaps {
            outcome
                .failures
                .push(format!("a subscriber saw a gap: {gap}"));
        }
        if seen.duplicates > 0 {
            outcome
                .failures
                .push(format!("a subscriber saw {} events twice", seen.duplicates));
        }
        if seen.lagged > 0 {
            outcome
                .failures
                .push("a subscriber fell behind its own client".into());
        }
    }

    let snapshot_seq = last.seq;
    drop(last);

    // The log: read from the store after a clean stop (the shared one
    // straight from JetStream).
    let log = match &shared {
        None => {
            let mut broker = a.take().expect("running");
            broker.terminate();
            let store =
                floor_store::Store::open(&plan.data.join("floor.db")).expect("the store opens");
            floor_broker::read_log(&store, "chaos")
                .expect("the log reads")
                .0
        }
        Some(setup) => {
            for broker in [a.as_mut(), b.as_mut()].into_iter().flatten() {
                broker.terminate();
            }
            read_shared_log(&setup.servers, "chaos").await
        }
    };
    figures.events = log.len() as u64;
    if let Some(at) = log
        .iter()
        .enumerate()
        .find(|(i, event)| event.seq != *i as u64 + 1)
    {
        outcome.failures.push(format!(
            "the log is not gapless: its event {} has seq {}",
            at.0 + 1,
            at.1.seq
        ));
    }
    check_commands(&log, &ledger, figures, &mut outcome.failures);
    figures.calls_checked = check_fairness(&log, &mut outcome.failures);
    if figures.events < snapshot_seq {
        outcome.failures.push(format!(
            "the log holds {} events, the broker showed {snapshot_seq}",
            figures.events
        ));
    }
    outcome
}

/// The broker's final state, to compare every client with. The broker
/// may still add events of its own after the load stops (an attendance
/// peak is recorded once it has lasted a few seconds), so a client found
/// past it makes it read the broker's state again.
struct FinalState<'a> {
    broker: &'a Floor,
    tokens: &'a Tokens,
    seq: u64,
    view: RoomView,
}

impl FinalState<'_> {
    /// Reads the broker's state again, until it is at `at` or past it
    /// (with two brokers, the one read may trail the client's a moment).
    async fn catch_up_to(&mut self, at: u64) -> bool {
        let deadline = Instant::now() + crate::DEADLINE;
        loop {
            (self.seq, self.view) = snapshot(self.broker, self.tokens).await;
            if self.seq >= at {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Whether a client reaches the broker's final state with the broker's
/// view, compared at the same seq (a failure is recorded otherwise).
async fn same_view(
    client: &Client,
    last: &mut FinalState<'_>,
    who: &str,
    failures: &mut Vec<String>,
) -> bool {
    for _ in 0..10 {
        let seq = last.seq;
        let state =
            tokio::time::timeout(crate::DEADLINE, client.wait_until(|s| s.seq() >= seq)).await;
        let Ok(state) = state else {
            failures.push(format!("{who} did not reach seq {seq}"));
            return false;
        };
        if state.seq() == seq {
            if state.view() == &last.view {
                return true;
            }
            failures.push(format!(
                "{who}'s final view differs from the broker's at seq {seq}"
            ));
            return false;
        }
        if !last.catch_up_to(state.seq()).await {
            failures.push(format!(
                "the broker stayed at seq {}, behind {who}'s {}",
                last.seq,
                state.seq()
            ));
            return false;
        }
    }
    failures.push(format!("{who} kept moving past the broker's state"));
    false
}

/// A room's whole log as the shared store holds it.
pub async fn read_shared_log(servers: &str, room: &str) -> Vec<RoomEvent> {
    let shared = floor_broker::shared::Shared::connect(&floor_broker::shared::SharedConfig {
        servers: servers.to_owned(),
        replicas: None,
    })
    .await
    .expect("the shared store opens");
    let commits = shared
        .read_all_after(room, 0)
        .await
        .expect("the shared log reads");
    commits
        .iter()
        .flat_map(|commit| commit.events.iter())
        .map(|raw| serde_json::from_str::<RoomEvent>(raw).expect("an event"))
        .collect()
}

/// The broker's snapshot of the room: its seq and view.
async fn snapshot(floor: &Floor, tokens: &Tokens) -> (u64, RoomView) {
    let body = floor.snapshot(tokens).await;
    match serde_json::from_value(body).expect("a server message") {
        ServerMessage::Snapshot { room, .. } => (room.seq, room),
        other => panic!("not a snapshot: {other:?}"),
    }
}

/// Classifies every command against the log.
fn check_commands(
    log: &[RoomEvent],
    ledger: &Ledger,
    figures: &mut Figures,
    failures: &mut Vec<String>,
) {
    let mut applied = applications(log);
    let broker_key = floor_broker::auth::client_key("floor-broker").to_string();
    applied.retain(|(client, _), _| *client != broker_key);
    let ledger = ledger.lock().expect("not poisoned");
    figures.issued = ledger.len();
    for record in ledger.iter() {
        let key = (record.client.clone(), record.request_id.clone());
        let found = applied.remove(&key).unwrap_or_default();
        match (&record.answer, found.len()) {
            (_, n) if n > 1 => {
                figures.duplicated += 1;
                failures.push(format!("{} applied {n} times", record.request_id));
            }
            (Answer::Acked { first, last }, 1) => {
                if found[0] == (*first, *last) {
                    figures.ok += 1;
                } else {
                    figures.unexpected += 1;
                    failures.push(format!(
                        "{} acknowledged as {first}..{last}, logged as {:?}",
                        record.request_id, found[0]
                    ));
                }
            }
            (Answer::Acked { first, last }, _) => {
                // An acknowledgement of a command that changed nothing has
                // an empty range; anything else must be in the log.
                if first <= last {
                    figures.lost += 1;
                    failures.push(format!("{} acknowledged but lost", record.request_id));
                } else {
                    figures.ok += 1;
                }
            }
            (Answer::Refused(_), 0) => figures.refused += 1,
            (Answer::Refused(code), _) => {
                figures.unexpected += 1;
                failures.push(format!(
                    "{} refused ({code}) yet in the log",
                    record.request_id
                ));
            }
            (Answer::Unanswered, _) => figures.unknown += 1,
        }
    }
    for ((client, request_id), ranges) in applied {
        figures.unexpected += 1;
        failures.push(format!(
            "{request_id} of {client} is in the log ({ranges:?}) but was never sent"
        ));
    }
}
