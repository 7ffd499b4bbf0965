//! A session as a sequence of up to 64 steps, each an actor (of every
//! role), a command (every command the protocol has, with awkward names,
//! texts and numbers among the ordinary ones), a request id (fresh, reused
//! or invalid) and a tick of the clock, driven through `Room::execute`.
//! After every step: a refused command changed nothing, a duplicate
//! answered the original receipt, the fold of the log is the room, every
//! event round-trips through JSON, a client's `LiveView` folded from the
//! events is the room's view, and the room's structural invariants hold.
//! At the end the whole log replays to the room, and a client that joined
//! midway from a JSON snapshot holds the room's view.

//!
//! The input and its decoding are in `session` (what `arbitrary` builds
//! from libFuzzer's bytes), `values` (what a step picks by number) and
//! `commands` (a step's ask as a command on the room as it is).

#![no_main]

mod commands;
mod session;
mod values;

use std::collections::HashMap;

use floor_core::{Ctx, LiveView, Room};
use floor_fuzz::{Checked, after_step, execute_checked};
use floor_protocol::{ClientKey, Command, Role, RoomEvent, RoomView};
use libfuzzer_sys::fuzz_target;
use uuid::Uuid;

use commands::command_for;
use session::{Ask, RequestId, Session, Tick, Who};

/// The steps of a session run; the rest are ignored.
const MAX_STEPS: usize = 64;

/// A request as issued.
struct Issued {
    who: Who,
    request_id: String,
    command: Command,
}

fuzz_target!(|session: Session| {
    let mut room = Room::new();
    let mut shadow = Room::new();
    let mut live = LiveView::new();
    let mut log: Vec<RoomEvent> = Vec::new();
    let mut issued: Vec<Issued> = Vec::new();
    // Receipts of requests that took effect, by (client, request id).
    let mut receipts: HashMap<(ClientKey, String), floor_core::Receipt> = HashMap::new();
    let mut snapshot: Option<(RoomView, usize)> = None;
    let mut now_ms: u64 = 1_543_233_600_000;
    let mut fresh: u64 = 0;

    for (k, step) in session.steps.iter().take(MAX_STEPS).enumerate() {
        now_ms += match step.tick {
            Tick::Second => 1_000,
            Tick::Still => 0,
            Tick::Millis(ms) => u64::from(ms),
            Tick::Minutes(m) => u64::from(m) * 60_000,
        };
        let (who, request_id, command) = match &step.ask {
            Ask::Repeat(n) if !issued.is_empty() => {
                let earlier = &issued[usize::from(*n) % issued.len()];
                (
                    earlier.who,
                    earlier.request_id.clone(),
                    earlier.command.clone(),
                )
            }
            Ask::Repeat(_) => continue,
            ask => {
                let command = command_for(&room, ask);
                let client = step.who.actor().client;
                let request_id = match step.request_id {
                    RequestId::Reuse(n) => {
                        let own: Vec<&Issued> = issued
                            .iter()
                            .filter(|i| i.who.actor().client == client)
                            .collect();
                        if own.is_empty() {
                            fresh += 1;
                            format!("r{fresh}")
                        } else {
                            own[usize::from(n) % own.len()].request_id.clone()
                        }
                    }
                    RequestId::Invalid(true) => String::new(),
                    RequestId::Invalid(false) => "r".repeat(65),
                    RequestId::Fresh => {
                        fresh += 1;
                        format!("r{fresh}")
                    }
                };
                (step.who, request_id, command)
            }
        };
        let actor = who.actor();
        let ctx = Ctx {
            now_ms,
            new_id: Uuid::from_u128(0x1000 + k as u128),
        };
        let key = (actor.client.clone(), request_id.clone());
        let checked = execute_checked(
            &mut room,
            &mut shadow,
            &mut live,
            &actor,
            &request_id,
            &command,
            &ctx,
        );
        match &checked {
            Checked::Refused(_) => {
                assert!(
                    !receipts.contains_key(&key),
                    "a repeat of a request that took effect was refused"
                );
            }
            Checked::Duplicate(outcome) => {
                assert_eq!(
                    receipts.get(&key),
                    Some(&outcome.receipt),
                    "a duplicate answered another receipt than the original"
                );
            }
            Checked::Applied(outcome) => {
                assert!(!receipts.contains_key(&key), "a request took effect twice");
                assert_ne!(actor.role, Role::Display, "a display changed the room");
                receipts.insert(key, outcome.receipt);
                log.extend(outcome.events.iter().cloned());
            }
        }
        after_step(&room, &shadow, &live);
        assert_eq!(
            room.seq(),
            log.len() as u64,
            "the room's seq is not its log's length"
        );
        if !matches!(step.ask, Ask::Repeat(_)) {
            issued.push(Issued {
                who,
                request_id,
                command,
            });
        }
        if k == usize::from(session.join_at) {
            snapshot = Some((room.view(), log.len()));
        }
    }

    let replayed = Room::replay(&log).expect("the log replays");
    assert_eq!(replayed, room, "the replayed log differs from the room");

    // A client joins from a snapshot, as it travels, and folds the rest.
    if let Some((view, at)) = snapshot {
        let json = serde_json::to_string(&view).expect("a view serializes");
        let wire: RoomView = serde_json::from_str(&json).expect("a view decodes");
        assert_eq!(wire, view, "a view changed through JSON");
        let mut client = LiveView::from_snapshot(wire);
        for event in &log[at..] {
            client
                .apply(event)
                .expect("a client folds the events after its snapshot");
        }
        assert_eq!(
            client.view(),
            room.view_ref(),
            "a joining client's view differs"
        );
        // A repeat is refused and changes nothing.
        if let Some(last) = log.last() {
            let before = client.clone();
            assert!(
                client.apply(last).is_err(),
                "a client folded an event twice"
            );
            assert_eq!(client, before, "a refused event changed a client's view");
        }
    }
});
