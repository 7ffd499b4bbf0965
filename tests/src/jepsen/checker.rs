//! The checker: the history of a run against the final log.

use std::collections::HashMap;

use floor_protocol::RoomEvent;

use super::Figures;
use super::history::{Answer, HelloAnswer, History};
use super::nemesis::{Fault, FaultRecord};
use crate::chaos::{applications, check_fairness};

/// The longest a `hello` may wait for its first answer.
pub const HELLO_BOUND_MS: u64 = 2_000;

/// Checks the commands: each acknowledged one exactly once in the log at
/// its acknowledged seqs; `duplicate` only after an attempt that may have
/// taken effect; `storage_unavailable` only for what is not in the log.
fn check_commands(
    log: &[RoomEvent],
    history: &History,
    figures: &mut Figures,
    failures: &mut Vec<String>,
) {
    let mut applied = applications(log);
    let broker_key = floor_broker::auth::client_key("floor-broker").to_string();
    applied.retain(|(client, _), _| *client != broker_key);
    for command in &history.commands {
        let id = &command.request_id;
        let found = applied
            .remove(&(command.client.clone(), id.clone()))
            .unwrap_or_default();
        figures.attempts += command.attempts.len();
        let mut acks = Vec::new();
        for (i, attempt) in command.attempts.iter().enumerate() {
            match &attempt.answer {
                Answer::Ack {
                    first,
                    last,
                    duplicate,
                } => {
                    let earlier = &command.attempts[..i];
                    if *duplicate && !earlier.iter().any(|a| a.answer.may_have_taken_effect()) {
                        if i == 0 {
                            figures.first_send_duplicates += 1;
                            failures.push(format!(
                                "{id}: its first send was acknowledged as a duplicate"
                            ));
                        } else {
                            figures.unfounded_duplicates += 1;
                            failures.push(format!(
                                "{id}: acknowledged as a duplicate though no earlier attempt may have taken effect; attempts {:?}",
                                command.attempts
                            ));
                        }
                    }
                    acks.push((*first, *last));
                }
                Answer::Error(code) if code == "storage_unavailable" => {
                    figures.unavailable_answers += 1
                }
                Answer::Error(code) if code == "outcome_unknown" => {
                    figures.outcome_unknown_answers += 1
                }
                Answer::Error(_) => {}
                Answer::Unanswered => figures.unanswered_attempts += 1,
            }
        }
        let uncertain = command.attempts.iter().any(|a| {
            matches!(a.answer, Answer::Unanswered)
                || matches!(&a.answer, Answer::Error(code) if code == "outcome_unknown")
        });
        let fresh_ack = command.attempts.iter().any(|a| {
            matches!(
                a.answer,
                Answer::Ack {
                    duplicate: false,
                    ..
                }
            )
        });
        let unavailable = command
            .attempts
            .iter()
            .any(|a| matches!(&a.answer, Answer::Error(code) if code == "storage_unavailable"));
        if found.len() > 1 {
            figures.duplicated += 1;
            failures.push(format!(
                "{id} is in the log {} times: {found:?}",
                found.len()
            ));
            continue;
        }
        if let Some(&(first, last)) = acks.first() {
            let placed = acks.iter().all(|ack| ack.0 == first && ack.1 == last);
            match found.first() {
                Some(range) if placed && *range == (first, last) => figures.ok += 1,
                Some(range) => {
                    figures.lost += 1;
                    failures.push(format!(
                        "{id} acknowledged as {acks:?}, logged as {range:?}"
                    ));
                }
                // An acknowledgement of a command that changed nothing has
                // an empty range; anything else must be in the log.
                None if first > last => figures.ok += 1,
                None => {
                    figures.lost += 1;
                    failures.push(format!(
                        "{id} acknowledged as {first}..{last} but not in the log"
                    ));
                }
            }
        } else if !found.is_empty() && unavailable && !uncertain && !fresh_ack {
            figures.unavailable_but_recorded += 1;
            failures.push(format!(
                "{id} was answered storage_unavailable (and never acknowledged) yet is in the log at {:?}",
                found[0]
            ));
        } else if uncertain {
            figures.unknown += 1;
        } else if found.is_empty() {
            figures.refused += 1;
        } else {
            figures.unexpected += 1;
            failures.push(format!(
                "{id} was refused yet is in the log at {:?}",
                found[0]
            ));
        }
    }
    for ((client, id), ranges) in applied {
        figures.unexpected += 1;
        failures.push(format!(
            "{id} of {client} is in the log ({ranges:?}) but was never sent"
        ));
    }
}

/// Checks what every client saw: each event equal to the log's at its
/// seq, no snapshot or `welcome` below a seq it had seen (a stale read).
fn check_clients(
    log: &[RoomEvent],
    history: &History,
    figures: &mut Figures,
    failures: &mut Vec<String>,
) {
    for client in &history.clients {
        let name = &client.name;
        for gap in &client.gaps {
            failures.push(format!("{name} saw a broken stream: {gap}"));
        }
        figures.gaps += client.gaps.len();
        for event in &client.events {
            let logged = usize::try_from(event.seq)
                .ok()
                .and_then(|seq| log.get(seq.wrapping_sub(1)));
            if logged != Some(event) {
                figures.diverging += 1;
                failures.push(format!("{name} saw event {} unlike the log's", event.seq));
            }
        }
        for snapshot in &client.snapshots {
            if snapshot.seq < snapshot.seen {
                figures.stale_reads += 1;
                figures.stale_depth = figures.stale_depth.max(snapshot.seen - snapshot.seq);
                failures.push(format!(
                    "stale read: {name} got a snapshot (reason {}) at seq {} from broker {} at {:.1} s, after seeing seq {}",
                    snapshot.reason,
                    snapshot.seq,
                    snapshot.broker,
                    snapshot.at_ms as f64 / 1000.0,
                    snapshot.seen
                ));
            }
        }
        for hello in &client.hellos {
            if let HelloAnswer::Welcome { head } = hello.answer
                && head < hello.seen
            {
                // Counted once: as the snapshot that follows, if any.
                let snapshot_stale = client.snapshots.iter().any(|s| {
                    s.in_hello
                        && s.seq < s.seen
                        && s.at_ms >= hello.sent_ms
                        && s.broker == hello.broker
                });
                if !snapshot_stale {
                    figures.stale_reads += 1;
                    failures.push(format!(
                        "stale read: {name}'s hello to broker {} at {:.1} s was welcomed with head {head}, after seeing seq {}",
                        hello.broker,
                        hello.sent_ms as f64 / 1000.0,
                        hello.seen
                    ));
                }
            }
        }
    }
}

/// Checks the hellos' answer times, but for those sent to a broker that
/// could not send (muted or killed) at the time.
fn check_hellos(
    history: &History,
    faults: &[FaultRecord],
    figures: &mut Figures,
    failures: &mut Vec<String>,
) {
    let silenced = |broker: usize, at: u64| {
        faults.iter().any(|f| {
            matches!(f.fault, Fault::BrokerMute(b) | Fault::KillBroker(b) if b == broker)
                && at + 500 >= f.start_ms
                && at <= f.healed_ms + 500
        })
    };
    for client in &history.clients {
        for hello in &client.hellos {
            if silenced(hello.broker, hello.sent_ms) {
                continue;
            }
            figures.hellos += 1;
            if let HelloAnswer::Refused(code) = &hello.answer {
                *figures.hello_refusals.entry(code.clone()).or_default() += 1;
            }
            let waited = hello.answered_ms.map(|at| at - hello.sent_ms);
            let ms = waited.unwrap_or(u64::MAX);
            match waited {
                Some(ms) => figures.hello_longest_ms = figures.hello_longest_ms.max(ms),
                None => figures.hellos_unanswered += 1,
            }
            if ms > HELLO_BOUND_MS {
                figures.hellos_over_bound += 1;
                failures.push(format!(
                    "{}'s hello to broker {} at {:.1} s: {}",
                    client.name,
                    hello.broker,
                    hello.sent_ms as f64 / 1000.0,
                    match waited {
                        Some(ms) => format!("answered after {ms} ms ({:?})", hello.answer),
                        None => "never answered".into(),
                    }
                ));
            }
        }
    }
}

/// The pauses: per fault, the longest stretch with no acknowledgement,
/// from its start to the next fault's; for a killed stream leader, NATS's
/// election and floor's share after it.
fn measure_pauses(history: &History, faults: &[FaultRecord], end_ms: u64, figures: &mut Figures) {
    let mut acks: Vec<u64> = history
        .commands
        .iter()
        .flat_map(|c| c.attempts.iter())
        .filter(|a| matches!(a.answer, Answer::Ack { .. }))
        .filter_map(|a| a.answered_ms)
        .collect();
    acks.sort_unstable();
    for (i, fault) in faults.iter().enumerate() {
        let until = faults.get(i + 1).map_or(end_ms, |next| next.start_ms);
        let mut last = fault.start_ms;
        let mut longest = 0;
        for &at in acks
            .iter()
            .filter(|&&at| at > fault.start_ms && at <= until)
        {
            longest = longest.max(at - last);
            last = at;
        }
        longest = longest.max(until.saturating_sub(last).min(until - fault.start_ms));
        let election = fault.leader_back_ms.map(|back| {
            let first_ack = acks.iter().find(|&&at| at >= back && at <= until).copied();
            (back - fault.start_ms, first_ack.map(|at| at - back))
        });
        figures.pauses.push(Pause {
            fault: fault.clone(),
            longest_ms: longest,
            election,
        });
    }
}

/// One fault's pause.
#[derive(Debug, Clone)]
pub struct Pause {
    /// The fault.
    pub fault: FaultRecord,
    /// The longest stretch with no acknowledgement in the room.
    pub longest_ms: u64,
    /// For a killed stream leader: NATS's election (kill to a leader
    /// reported) and floor's share (that moment to the first ack; `None`
    /// when none came before the next fault).
    pub election: Option<(u64, Option<u64>)>,
}

/// Checks the whole history against the final log.
pub fn check(
    log: &[RoomEvent],
    history: &History,
    faults: &[FaultRecord],
    end_ms: u64,
    figures: &mut Figures,
    failures: &mut Vec<String>,
) {
    figures.events = log.len() as u64;
    if let Some((i, event)) = log.iter().enumerate().find(|(i, e)| e.seq != *i as u64 + 1) {
        failures.push(format!(
            "the log is not one gapless order: its event {} has seq {}",
            i + 1,
            event.seq
        ));
    }
    check_commands(log, history, figures, failures);
    check_clients(log, history, figures, failures);
    check_hellos(history, faults, figures, failures);
    measure_pauses(history, faults, end_ms, figures);
    figures.calls_checked = check_fairness(log, failures);
}

/// Counts by key, for the figures.
pub type Counts = HashMap<String, usize>;
