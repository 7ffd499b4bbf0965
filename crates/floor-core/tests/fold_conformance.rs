//! Cases for the pages' copy of the fold: `tests/pages/fold.test.mjs`
//! folds each case's events with `pages/fold.js` and compares its view
//! with the one [`LiveView`] folds here, field by field.
//!
//! The cases: the recorded WS #235 session (the view after every event),
//! each `events` example of protocol/examples on the example snapshot
//! (applied, or refused by both), and a few hundred random sessions of
//! every role from the property tests' generators. They are written to
//! `target/fold-conformance/cases.json`; the same cases every run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::PathBuf;

use floor_core::{LiveView, Room};
use floor_protocol::{RoomEvent, RoomView, ServerMessage};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};
use support::Session;
use support::sessions::{Ask, command_for, steps};

/// How many random sessions are written.
const RANDOM_SESSIONS: usize = 300;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One case: a start view and events; `views` holds the expected view
/// after each event (`null` from the first event `LiveView` refuses,
/// which the pages' fold must refuse too).
///
/// A case that starts from an empty room also replays its events into a
/// [`Room`], and each expected view carries `last_call`: the call the
/// chair may undo then ([`Room::last_call`]), which the chair's page
/// tracks from the same events (`pages/undo.js`).
fn case(name: &str, start: &RoomView, events: &[RoomEvent], every: bool) -> Value {
    let mut live = LiveView::from_snapshot(start.clone());
    let mut room = (start == LiveView::new().view()).then(Room::new);
    let mut views = Vec::new();
    let mut refused = None;
    for (i, event) in events.iter().enumerate() {
        if live.apply(event).is_err() {
            refused = Some(i);
            break;
        }
        if let Some(room) = room.as_mut() {
            room.apply(event)
                .expect("the room folds what the view folds");
        }
        if every || i + 1 == events.len() {
            let mut view = json!({ "after": i, "view": live.view() });
            if let Some(room) = &room {
                view["last_call"] = json!(room.last_call().map(|l| l.entry_id));
            }
            views.push(view);
        }
    }
    json!({ "name": name, "start": start, "events": events, "views": views, "refused_at": refused })
}

/// The recorded session, checked after every event.
fn recorded() -> Value {
    let text = std::fs::read_to_string(workspace().join("tests/fixtures/ws235-session.jsonl"))
        .expect("the recorded session");
    let events: Vec<RoomEvent> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("an event"))
        .collect();
    case("ws235-session", LiveView::new().view(), &events, true)
}

/// Each `events` example on the example snapshot, renumbered to follow it.
fn examples() -> Vec<Value> {
    let dir = workspace().join("protocol/examples/server");
    let read = |name: &str| -> ServerMessage {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).expect("an example"))
            .expect("a server message")
    };
    let ServerMessage::Snapshot { room: example, .. } = read("snapshot.json") else {
        panic!("snapshot.json is not a snapshot");
    };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the examples")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.starts_with("events-"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|name| {
            let ServerMessage::Events { events, .. } = read(name) else {
                panic!("{name} is not an events message");
            };
            let mut start = example.clone();
            start.seq = events.first().map_or(0, |e| e.seq.saturating_sub(1));
            case(name, &start, &events, true)
        })
        .collect()
}

/// Random sessions of every role, refusals skipped: reachable logs.
fn random() -> Vec<Value> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = steps();
    (0..RANDOM_SESSIONS)
        .map(|n| {
            let steps = strategy.new_tree(&mut runner).expect("steps").current();
            let mut s = Session::new();
            for step in &steps {
                if let Ask::Repeat(_) = step.ask {
                    continue;
                }
                let command = command_for(&s.room, &step.ask);
                let _ = s.run(&step.who.actor(), command);
            }
            let every = n % 10 == 0;
            case(
                &format!("random-{n}"),
                LiveView::new().view(),
                &s.log,
                every,
            )
        })
        .collect()
}

#[test]
fn write_cases_for_the_pages_fold() {
    let mut cases = vec![recorded()];
    cases.extend(examples());
    cases.extend(random());
    let events: usize = cases
        .iter()
        .map(|c| c["events"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(
        events > 1_000,
        "the random sessions are too short: {events} events"
    );
    let dir = workspace().join("target/fold-conformance");
    std::fs::create_dir_all(&dir).expect("the directory");
    let text = serde_json::to_string(&cases).expect("JSON");
    std::fs::write(dir.join("cases.json"), text).expect("written");
}
