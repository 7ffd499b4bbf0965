//! The checks of a run, made from the outside once the load stops: every
//! command against the log (Jepsen's queue checker), the calls against the
//! fairness policy, and every client's final view against the broker's.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use floor_client::Client;
use floor_protocol::{CallVia, Event, RoomEvent, RoomView, ServerMessage};

use super::actors::{Answer, Displays, Ledger, Seen};
use super::brokers::Brokers;
use super::{Figures, Outcome};
use crate::{Floor, Tokens};

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

/// The broker's final state, to compare every client with. The broker
/// may still add events of its own after the load stops (an attendance
/// peak is recorded once it has lasted a few seconds), so a client found
/// past it makes it read the broker's state again.
pub(super) struct FinalState<'a> {
    /// The broker read.
    pub(super) broker: &'a Floor,
    /// The room's tokens.
    pub(super) tokens: &'a Tokens,
    /// The seq read.
    pub(super) seq: u64,
    /// The view read.
    pub(super) view: RoomView,
}

impl FinalState<'_> {
    /// Reads the broker's state again, until it is at `at` or past it
    /// (with two brokers, the one read may trail the client's a moment).
    pub(super) async fn catch_up_to(&mut self, at: u64) -> bool {
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
pub(super) async fn same_view(
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
pub(super) async fn snapshot(floor: &Floor, tokens: &Tokens) -> (u64, RoomView) {
    let body = floor.snapshot(tokens).await;
    match serde_json::from_value(body).expect("a server message") {
        ServerMessage::Snapshot { room, .. } => (room.seq, room),
        other => panic!("not a snapshot: {other:?}"),
    }
}

/// Classifies every command against the log.
pub(super) fn check_commands(
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

/// Brings every client to the broker's final state and compares views:
/// broker A's with B's (with two brokers), every display's and every
/// writer's; adds what the displays saw to the figures. Returns the seq
/// of the broker's final state.
pub(super) async fn final_views(
    brokers: &Brokers,
    tokens: &Tokens,
    displays: Displays,
    clients: Vec<Client>,
    outcome: &mut Outcome,
) -> u64 {
    // With two brokers: B's state, and A, when alive, holds the same.
    let broker = brokers.last().expect("a broker runs");
    let (seq, view) = snapshot(broker, tokens).await;
    let mut last = FinalState {
        broker,
        tokens,
        seq,
        view,
    };
    if let Some(a) = brokers.a_beside_b() {
        compare_brokers(a, &mut last, outcome).await;
    }
    let mut seens = Vec::new();
    for (client, seen) in displays.stop().await {
        if same_view(&client, &mut last, "a display", &mut outcome.failures).await {
            outcome.figures.views_equal += 1;
        }
        client.close().await;
        seens.push(seen);
    }
    for client in clients {
        let who = format!("client {}", client.client_key());
        if same_view(&client, &mut last, &who, &mut outcome.failures).await {
            outcome.figures.client_views_equal += 1;
        }
        client.close().await;
    }
    for seen in seens {
        tally_subscriber(seen, outcome);
    }
    last.seq
}

/// Waits for broker A to reach B's final state and compares their rooms.
async fn compare_brokers(a: &Floor, last: &mut FinalState<'_>, outcome: &mut Outcome) {
    let deadline = Instant::now() + crate::DEADLINE;
    loop {
        let (seq, view) = snapshot(a, last.tokens).await;
        if seq == last.seq {
            if view != last.view {
                outcome.failures.push(format!(
                    "broker A's room differs from broker B's at seq {seq}"
                ));
            } else {
                outcome.figures.brokers_equal = true;
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

/// Adds what one display saw to the figures, and its broken promises to
/// the failures.
fn tally_subscriber(seen: Seen, outcome: &mut Outcome) {
    let figures = &mut outcome.figures;
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

/// Checks the stored log: gapless, every command classified against it,
/// every call the policy's choice, and nothing the broker showed missing
/// from it (`snapshot_seq`).
pub(super) fn check_log(
    log: &[RoomEvent],
    ledger: &Ledger,
    snapshot_seq: u64,
    outcome: &mut Outcome,
) {
    let figures = &mut outcome.figures;
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
    check_commands(log, ledger, figures, &mut outcome.failures);
    figures.calls_checked = check_fairness(log, &mut outcome.failures);
    if figures.events < snapshot_seq {
        outcome.failures.push(format!(
            "the log holds {} events, the broker showed {snapshot_seq}",
            figures.events
        ));
    }
}
