//! Cases for the pages' copies of two rules: `tests/pages/rules.test.mjs`
//! computes, on each case, where the mic runner goes next (`deck.js`
//! `onDeck`, mirror of [`OnDeck::of`]) and the open floor's time budget
//! (`wait.js` `forecast`, mirror of [`floor_core::forecast::forecast`]),
//! and compares them with the answers written here.
//!
//! The cases: states of 300 random sessions of every role (the core's
//! property-test generators, always the same: every open floor's states,
//! and now and then others), each read at several instants. Written to `target/fold-conformance/rules.json`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../floor-core/tests/support/mod.rs"]
mod support;

use std::path::PathBuf;

use floor_client::runner::OnDeck;
use floor_client::state::RoomState;
use floor_core::forecast::forecast;
use floor_protocol::limits::ORDER_SLOTS_MAX;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};
use support::Session;
use support::sessions::{Ask, command_for, steps};
use uuid::Uuid;

const SESSIONS: usize = 300;
/// Most cases taken from one session.
const CASES_PER_SESSION: usize = 6;

/// The instants a case is read at: around the running phase's start and
/// end, and around the current turn.
fn instants(s: &Session) -> Vec<u64> {
    let view = s.room.view();
    let mut at = vec![s.now_ms];
    if let Some(stage) = &view.stage {
        at.extend([
            stage.since_ms,
            stage.deadline_ms.saturating_sub(90_000),
            stage.deadline_ms + 60_000,
        ]);
    }
    if let Some(speaking) = &view.speaking {
        at.extend([speaking.since_ms + 1_000, speaking.since_ms + 400_000]);
    }
    at
}

/// One case: the room as a page would hold it (its view and the head of
/// the order), where the runner goes, and the forecast at several instants.
fn case(name: &str, s: &Session) -> Value {
    let view = s.room.view();
    let mut order = s.room.projected_order();
    order.truncate(ORDER_SLOTS_MAX);
    let state = RoomState::from_snapshot(Uuid::nil(), view.clone(), order.clone());
    let deck = OnDeck::of(&state)
        .map(|d| json!({ "entry_id": d.entry_id, "ahead": d.ahead, "speaking": d.speaking }));
    let forecasts: Vec<Value> = instants(s)
        .into_iter()
        .map(|now| json!({ "now_ms": now, "forecast": forecast(&view, now) }))
        .collect();
    json!({ "name": name, "view": view, "order": order, "on_deck": deck, "forecasts": forecasts })
}

#[test]
fn write_rule_cases_for_the_pages() {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = steps();
    let mut cases = Vec::new();
    let mut in_open_floor = 0;
    for n in 0..SESSIONS {
        let steps = strategy.new_tree(&mut runner).expect("steps").current();
        let mut s = Session::new();
        // Half the sessions run in an open floor from the start (the random
        // steps seldom reach one): a run of show, then its open floor.
        if n % 2 == 0 {
            for ask in [Ask::Programme(3), Ask::Phase(1)] {
                let command = command_for(&s.room, &ask);
                s.run(&support::chair(), command)
                    .expect("the chair starts the open floor");
            }
        }
        let mut taken = 0;
        for (i, step) in steps.iter().enumerate() {
            if let Ask::Repeat(_) = step.ask {
                continue;
            }
            let command = command_for(&s.room, &step.ask);
            let _ = s.run(&step.who.actor(), command);
            // Every open floor's states, and now and then any other.
            let open_floor = forecast(&s.room.view(), s.now_ms).is_some();
            if taken < CASES_PER_SESSION && (open_floor || i % 17 == 0 || i + 1 == steps.len()) {
                in_open_floor += usize::from(open_floor);
                taken += 1;
                cases.push(case(&format!("random-{n}-{i}"), &s));
            }
        }
    }
    assert!(
        in_open_floor >= 100,
        "only {in_open_floor} cases in an open floor"
    );
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/fold-conformance");
    std::fs::create_dir_all(&dir).expect("the directory");
    let text = serde_json::to_string(&cases).expect("JSON");
    std::fs::write(dir.join("rules.json"), text).expect("written");
}
