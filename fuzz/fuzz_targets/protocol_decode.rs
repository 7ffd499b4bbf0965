//! Bytes as a WebSocket text frame from a client: the protocol's size and
//! depth limits (as the broker applies them), decoding into a `ClientMessage` (directly, and as the
//! broker does, through a `serde_json::Value`), a JSON round trip, and a
//! decoded command run against a fresh room and a populated one by every
//! kind of actor.

#![no_main]

use std::sync::OnceLock;

use floor_core::{Actor, Ctx, LiveView, Room};
use floor_fuzz::{Checked, actor, after_step, execute_checked};
use floor_protocol::limits::{MAX_JSON_DEPTH, MAX_MESSAGE, json_too_deep};
use floor_protocol::{Channel, ClientMessage, Command, EntryDraft, Person, Role, RoomEvent};
use libfuzzer_sys::fuzz_target;
use uuid::Uuid;

/// A room and the log it is the fold of.
struct Seeded {
    room: Room,
    log: Vec<RoomEvent>,
}

const T0: u64 = 1_543_233_600_000;

/// The entry ids the checked-in examples name, so that example commands
/// and their mutations find entries in the populated room.
const IDS: [&str; 6] = [
    "326cf882-69ca-49d5-8c3e-8af4d8f8607a",
    "fa1e0ed7-770a-43e4-879b-26d8c311c206",
    "441423a2-75b8-4036-9d71-90fec8f2e152",
    "31f67b47-17ab-4522-a4d2-58401430de71",
    "bd4d6fba-561d-4a11-afac-a89a5fe6f2a5",
    "00000000-0000-0000-0000-000000000001",
];

fn actors() -> &'static [Actor] {
    static ACTORS: OnceLock<Vec<Actor>> = OnceLock::new();
    ACTORS.get_or_init(|| {
        vec![
            actor(Role::Chair, "chair", None),
            actor(Role::Moderator, "moderator", None),
            actor(Role::Runner, "runner", None),
            actor(Role::Participant, "p-onsite", Some(Channel::Onsite)),
            actor(Role::Participant, "p-online", Some(Channel::Online)),
            actor(Role::Participant, "p-none", None),
            actor(Role::Display, "display", None),
        ]
    })
}

/// An empty room, and one with entries of both channels (from curators and
/// participants), a speaker and a pin.
fn rooms() -> &'static [Seeded] {
    static ROOMS: OnceLock<Vec<Seeded>> = OnceLock::new();
    ROOMS.get_or_init(|| {
        let mut seeded = Seeded {
            room: Room::new(),
            log: Vec::new(),
        };
        let submit = |channel: Channel, name: &str| Command::Submit {
            entry: EntryDraft {
                channel,
                kind: Default::default(),
                person: Person::named(name),
                text: None,
                location: None,
                language: None,
                delivery: None,
                gender: None,
                source: None,
            },
        };
        let ids: Vec<Uuid> = IDS.iter().map(|s| s.parse().expect("uuid")).collect();
        let a = actors();
        let steps: Vec<(&Actor, Command, Uuid)> = vec![
            (&a[2], submit(Channel::Onsite, "Roberto Bissio"), ids[0]),
            (&a[1], submit(Channel::Online, "Deborah James"), ids[1]),
            (&a[3], submit(Channel::Onsite, "Aileen Kwa"), ids[2]),
            (&a[4], submit(Channel::Online, "Sofia Scasserra"), ids[3]),
            (&a[0], submit(Channel::Onsite, "Nandini Chami"), ids[4]),
            (&a[1], submit(Channel::Online, "Kwame Mensah"), ids[5]),
            (&a[0], Command::next(), Uuid::nil()),
            (&a[0], Command::Pin { entry_id: ids[3] }, Uuid::nil()),
        ];
        for (n, (who, command, new_id)) in steps.into_iter().enumerate() {
            let ctx = Ctx {
                now_ms: T0 + 1_000 * n as u64,
                new_id,
            };
            let outcome = seeded
                .room
                .execute(who, &format!("seed-{n}"), &command, &ctx)
                .unwrap_or_else(|e| panic!("seeding {command:?}: {e}"));
            seeded.log.extend(outcome.events);
        }
        vec![
            Seeded {
                room: Room::new(),
                log: Vec::new(),
            },
            seeded,
        ]
    })
}

/// Serializes a decoded message and decodes it again: it must come back
/// equal.
fn round_trip(message: &ClientMessage) {
    let json = serde_json::to_string(message).expect("a client message serializes");
    let back: ClientMessage = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("message does not decode from its own JSON: {e}: {json}"));
    assert_eq!(&back, message, "message changed through JSON: {json}");
    let value = serde_json::to_value(message).expect("to a JSON value");
    let back: ClientMessage = serde_json::from_value(value)
        .unwrap_or_else(|e| panic!("message does not decode from its own JSON value: {e}: {json}"));
    assert_eq!(
        &back, message,
        "message changed through a JSON value: {json}"
    );
}

/// Runs a command against every seeded room as every actor; a refused
/// command changes nothing, an accepted one keeps the room the fold of its
/// log, and repeating the request is a duplicate.
fn exercise(request_id: &str, command: &Command) {
    for seeded in rooms() {
        for who in actors() {
            let mut room = seeded.room.clone();
            let mut shadow = Room::replay(&seeded.log).expect("the seed log replays");
            let mut live = LiveView::from_snapshot(room.view());
            let ctx = Ctx {
                now_ms: T0 + 3_600_000,
                new_id: Uuid::from_u128(0xf100_f100),
            };
            let checked = execute_checked(
                &mut room,
                &mut shadow,
                &mut live,
                who,
                request_id,
                command,
                &ctx,
            );
            after_step(&room, &shadow, &live);
            if let Checked::Applied(outcome) = checked {
                let mut log = seeded.log.clone();
                log.extend(outcome.events.iter().cloned());
                let replayed = Room::replay(&log).expect("the log replays");
                assert_eq!(replayed, room, "the replayed log differs from the room");
                // The same request again is a duplicate with the same receipt.
                let later = Ctx {
                    now_ms: ctx.now_ms + 1_000,
                    new_id: Uuid::from_u128(0xf100_f101),
                };
                match execute_checked(
                    &mut room,
                    &mut shadow,
                    &mut live,
                    who,
                    request_id,
                    command,
                    &later,
                ) {
                    Checked::Duplicate(again) => assert_eq!(again.receipt, outcome.receipt),
                    other => panic!("a repeated request was not a duplicate: {other:?}"),
                }
                after_step(&room, &shadow, &live);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_MESSAGE {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if json_too_deep(text, MAX_JSON_DEPTH) {
        return;
    }
    // As the broker decodes a frame: a JSON value, then the typed message.
    let via_value = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|value| serde_json::from_value::<ClientMessage>(value).ok());
    let direct = serde_json::from_str::<ClientMessage>(text).ok();
    if let (Some(direct), Some(via_value)) = (&direct, &via_value) {
        assert_eq!(direct, via_value, "the two decodings of one frame differ");
    }
    // Either decoding may accept what the other refuses (a repeated key,
    // say); each accepted message must round-trip and run.
    let decoded = match (direct, via_value) {
        (Some(a), Some(_)) => vec![a],
        (a, b) => a.into_iter().chain(b).collect(),
    };
    for message in &decoded {
        round_trip(message);
        if let ClientMessage::Command {
            request_id,
            command,
        } = message
        {
            exercise(request_id, command);
        }
    }
});
