//! The actors of a run, each a task on a client of its own through a
//! proxy: writers (mic runner, online moderator, participants) submitting,
//! editing and withdrawing; a chair calling `next`; displays following
//! every update and checking the stream. Every command's ending goes into
//! the ledger the checks read.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use floor_client::{Client, ConnectOptions, ConnectionEvent, RequestError, Update};
use floor_protocol::{Channel, Command, EntryDraft, Person};
use rand::Rng;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{ChaosProxy, Outage, Plan};
use crate::Tokens;

/// How one command ended, as its sender saw it.
#[derive(Debug, Clone)]
pub(super) enum Answer {
    /// Acknowledged with this seq range.
    Acked { first: u64, last: u64 },
    /// Refused with this code.
    Refused(String),
    /// No answer came (a timeout, a lost connection).
    Unanswered,
}

/// One command sent, and how it ended.
#[derive(Debug, Clone)]
pub(super) struct Record {
    /// The sender's client key.
    pub(super) client: String,
    /// Its request id.
    pub(super) request_id: String,
    /// How it ended.
    pub(super) answer: Answer,
}

/// Every command sent in a run, shared by the actors.
pub(super) type Ledger = Arc<Mutex<Vec<Record>>>;

/// What a display subscriber saw.
#[derive(Debug, Default)]
pub(super) struct Seen {
    /// Each gap, described.
    pub(super) gaps: Vec<String>,
    /// Events seen twice.
    pub(super) duplicates: u64,
    /// Snapshots after the first.
    pub(super) resyncs: u64,
    /// Times it fell behind its own client.
    pub(super) lagged: u64,
    /// Reconnections.
    pub(super) reconnects: u64,
    /// Reconnection to caught up, in milliseconds.
    pub(super) resume_ms: Vec<u64>,
    /// Disconnection to caught up, in milliseconds.
    pub(super) outage_ms: Vec<u64>,
    /// The longest of those outages.
    pub(super) longest_outage: Option<Outage>,
}

/// The writers and the chair, running until stopped.
pub(super) struct Writers {
    tasks: Vec<JoinHandle<Client>>,
    stop: CancellationToken,
}

impl Writers {
    /// Connects the mic runner, the online moderator and the participants
    /// through `staff`, and the chair through `chair`, and starts them.
    pub(super) async fn start(
        plan: &Plan,
        staff: &ChaosProxy,
        chair_proxy: &ChaosProxy,
        tokens: &Tokens,
        ledger: &Ledger,
    ) -> Writers {
        let stop = CancellationToken::new();
        let mut tasks = Vec::new();
        let runner = connect(&link(staff, tokens, "runner"), "chaos-runner", None).await;
        tasks.push(tokio::spawn(writer(
            runner,
            "runner".into(),
            Channel::Onsite,
            false,
            ledger.clone(),
            stop.clone(),
        )));
        let moderator = connect(&link(staff, tokens, "moderator"), "chaos-moderator", None).await;
        tasks.push(tokio::spawn(writer(
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
            let client = connect(&link(staff, tokens, "participant"), &id, Some(channel)).await;
            tasks.push(tokio::spawn(writer(
                client,
                format!("p{i}"),
                channel,
                true,
                ledger.clone(),
                stop.clone(),
            )));
        }
        let chair_client = connect(&link(chair_proxy, tokens, "chair"), "chaos-chair", None).await;
        tasks.push(tokio::spawn(chair(
            chair_client,
            ledger.clone(),
            stop.clone(),
        )));
        Writers { tasks, stop }
    }

    /// Stops every writer; returns the clients of those that ended well.
    pub(super) async fn stop(self) -> Vec<Client> {
        self.stop.cancel();
        let mut clients = Vec::new();
        for task in self.tasks {
            if let Ok(client) = task.await {
                clients.push(client);
            }
        }
        clients
    }
}

/// The displays, following the room until stopped.
pub(super) struct Displays {
    tasks: Vec<JoinHandle<(Client, Seen)>>,
    stop: CancellationToken,
}

impl Displays {
    /// Connects `plan.displays` displays, spread over the proxies, and
    /// starts them.
    pub(super) async fn start(plan: &Plan, proxies: &[ChaosProxy], tokens: &Tokens) -> Displays {
        let stop = CancellationToken::new();
        let mut tasks = Vec::new();
        for i in 0..plan.displays {
            let client = connect(
                &link(&proxies[i % proxies.len()], tokens, "display"),
                &format!("chaos-display-{i}"),
                None,
            )
            .await;
            tasks.push(tokio::spawn(display(client, stop.clone())));
        }
        Displays { tasks, stop }
    }

    /// Stops every display; returns each one's client and what it saw.
    pub(super) async fn stop(self) -> Vec<(Client, Seen)> {
        self.stop.cancel();
        let mut ended = Vec::new();
        for task in self.tasks {
            ended.push(task.await.expect("a display task"));
        }
        ended
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

/// A client of the room at `link`, retrying its first connection.
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
        source: None,
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
