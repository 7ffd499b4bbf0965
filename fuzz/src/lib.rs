//! Checks shared by the fuzz targets: one command executed against a room,
//! and the invariants that must hold after it. Every check panics with a
//! message naming what broke, so libFuzzer reports it as a crash.

use std::collections::HashSet;

use floor_core::decide::{Decision, Outcome};
use floor_core::{Actor, CommandError, Ctx, LiveView, Room};
use floor_protocol::{Channel, ClientKey, Command, EntryStatus, Role, RoomEvent};

/// An actor as the broker would establish it at `hello`.
pub fn actor(role: Role, client: &str, channel: Option<Channel>) -> Actor {
    Actor {
        role,
        client: ClientKey::new(client),
        channel,
    }
}

/// Serializes an event to JSON and back; it must come back equal.
pub fn event_round_trips(event: &RoomEvent) {
    let json = serde_json::to_string(event).expect("an event serializes");
    let back: RoomEvent = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("event does not decode from its own JSON: {e}: {json}"));
    assert_eq!(&back, event, "event changed through JSON: {json}");
}

/// The structural invariants of a room, independent of how it got there.
pub fn room_invariants(room: &Room) {
    let entries = room.entries();

    // Entry ids are unique.
    let ids: HashSet<_> = entries.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), entries.len(), "duplicate entry ids");

    // At most one speaker, and it is the room's speaker.
    let speaking: Vec<_> = entries
        .iter()
        .filter(|e| e.status == EntryStatus::Speaking)
        .map(|e| e.id)
        .collect();
    assert!(speaking.len() <= 1, "more than one speaker: {speaking:?}");
    assert_eq!(
        speaking.first().copied(),
        room.speaking().map(|s| s.entry_id),
        "the speaking entry and the room's speaker differ"
    );

    // No more open entries than the room's cap.
    let open = entries.iter().filter(|e| e.status.is_open()).count();
    let cap = room.settings().max_open_entries;
    assert!(
        open <= usize::try_from(cap).unwrap_or(usize::MAX),
        "{open} open entries over a cap of {cap}"
    );

    // Pins are unique waiting entries.
    let pins = room.pins();
    assert_eq!(
        pins.iter().collect::<HashSet<_>>().len(),
        pins.len(),
        "a pin is listed twice: {pins:?}"
    );
    for pin in pins {
        assert_eq!(
            room.entry(*pin).map(|e| e.status),
            Some(EntryStatus::Waiting),
            "pin {pin} is not a waiting entry"
        );
    }

    // Merged exactly when merged into something.
    for entry in entries {
        assert_eq!(
            entry.merged_into.is_some(),
            entry.status == EntryStatus::Merged,
            "entry {} is {:?} with merged_into {:?}",
            entry.id,
            entry.status,
            entry.merged_into
        );
        assert!(
            room.person_key(entry.id).is_some(),
            "entry without a person key"
        );
    }

    // The projected order lists every waiting entry exactly once.
    let order: Vec<_> = room.projected_order().iter().map(|s| s.entry_id).collect();
    let unique: HashSet<_> = order.iter().copied().collect();
    assert_eq!(
        unique.len(),
        order.len(),
        "the projected order repeats an entry"
    );
    let waiting: HashSet<_> = entries
        .iter()
        .filter(|e| e.status == EntryStatus::Waiting)
        .map(|e| e.id)
        .collect();
    assert_eq!(
        unique, waiting,
        "the projected order is not the waiting entries"
    );

    // The view is the room's.
    assert_eq!(room.view_ref().seq, room.seq());
}

/// What happened to one command.
#[derive(Debug)]
pub enum Checked {
    /// Refused; the room is unchanged.
    Refused(CommandError),
    /// A repeat of a request that took effect; the room is unchanged.
    Duplicate(Outcome),
    /// New events, applied.
    Applied(Outcome),
}

/// Decides and executes one command on `room`, checking that:
/// - `decide` and `execute` agree, and deciding twice gives the same;
/// - a refused command or a duplicate leaves the room unchanged;
/// - new events are numbered on from the room's head, and each round-trips
///   through JSON;
/// - the events, applied to `shadow` (the fold of the log so far) and to a
///   client's `live` view, give the room and its view.
pub fn execute_checked(
    room: &mut Room,
    shadow: &mut Room,
    live: &mut LiveView,
    actor: &Actor,
    request_id: &str,
    command: &Command,
    ctx: &Ctx,
) -> Checked {
    let before = room.clone();
    let decided = room.decide(actor, request_id, command, ctx);
    assert_eq!(
        decided,
        room.decide(actor, request_id, command, ctx),
        "deciding is not deterministic"
    );
    let result = room.execute(actor, request_id, command, ctx);
    match result {
        Err(error) => {
            assert_eq!(
                *room, before,
                "refused {command:?} by {actor:?} changed the room: {error}"
            );
            match decided {
                Err(decided) => assert_eq!(decided, error, "decide and execute refuse differently"),
                Ok(decision) => panic!(
                    "decide accepted {command:?} ({decision:?}) but execute refused it: {error}"
                ),
            }
            Checked::Refused(error)
        }
        Ok(outcome) if outcome.duplicate => {
            assert_eq!(*room, before, "duplicate {request_id} changed the room");
            assert!(outcome.events.is_empty(), "a duplicate produced events");
            assert_eq!(
                decided,
                Ok(Decision::Duplicate(outcome.receipt)),
                "decide and execute disagree on a duplicate"
            );
            assert_eq!(
                before.receipt(&actor.client, request_id),
                Some(outcome.receipt),
                "a duplicate answered another receipt than the original"
            );
            Checked::Duplicate(outcome)
        }
        Ok(outcome) => {
            assert_eq!(
                decided,
                Ok(Decision::Events {
                    events: outcome.events.clone(),
                    declared: outcome.declared,
                }),
                "decide and execute disagree on the events"
            );
            assert!(
                before.receipt(&actor.client, request_id).is_none(),
                "request {request_id} took effect twice"
            );
            assert!(
                !outcome.events.is_empty(),
                "a command took effect with no events"
            );
            for (k, event) in outcome.events.iter().enumerate() {
                assert_eq!(
                    event.seq,
                    before.seq() + 1 + k as u64,
                    "events out of sequence"
                );
                assert_eq!(
                    event.at_ms, ctx.now_ms,
                    "an event not stamped with the command's time"
                );
                let cause = event
                    .cause
                    .as_ref()
                    .expect("a decided event names its command");
                assert_eq!(cause.request_id, request_id);
                assert_eq!(cause.client, actor.client);
                assert_eq!(cause.role, actor.role);
                event_round_trips(event);
                shadow
                    .apply(event)
                    .unwrap_or_else(|e| panic!("the fold of the log refused {event:?}: {e}"));
                live.apply(event)
                    .unwrap_or_else(|e| panic!("the live view refused {event:?}: {e}"));
            }
            assert_eq!(
                room.receipt(&actor.client, request_id),
                Some(outcome.receipt),
                "the receipt is not kept"
            );
            assert_eq!(outcome.receipt.first_seq, before.seq() + 1);
            assert_eq!(outcome.receipt.last_seq, room.seq());
            Checked::Applied(outcome)
        }
    }
}

/// After a step: the fold of the log is the room, the client's view is the
/// room's, and the room's invariants hold.
pub fn after_step(room: &Room, shadow: &Room, live: &LiveView) {
    assert_eq!(
        shadow, room,
        "the fold of the log differs from the live room"
    );
    assert_eq!(
        live.view(),
        room.view_ref(),
        "the client's view differs from the room's"
    );
    room_invariants(room);
}
