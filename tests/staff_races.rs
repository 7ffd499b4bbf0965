//! Two chair screens acting at once against the real broker: both press
//! Next having seen the same speaker, and exactly one person is called;
//! the other screen is told `speaker_changed` and nothing else happens.
//! And `undo_call` over the wire gives back the order before the call.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use floor_tests::*;
use serde_json::{Value, json};

/// A `command` frame.
fn command(request_id: &str, command: Value) -> Value {
    json!({"type": "command", "request_id": request_id, "command": command})
}

/// The entry speaking as `client` has seen the room: the entry of the last
/// `speaker_called` or `call_undone`'s `resumed`, unless it finished since.
fn speaking(client: &Client) -> Value {
    let mut speaking = Value::Null;
    for event in &client.events {
        let e = &event["event"];
        match e["type"].as_str() {
            Some("speaker_called") => speaking = e["entry_id"].clone(),
            Some("speaker_finished") if e["entry_id"] == speaking => speaking = Value::Null,
            Some("call_undone") => speaking = e["resumed"]["entry_id"].clone(),
            _ => {}
        }
    }
    speaking
}

#[tokio::test]
async fn two_chairs_pressing_next_at_once_call_exactly_one_speaker() {
    const ROUNDS: usize = 50;
    let dir = tempfile::tempdir().unwrap();
    // No rate limit: the rounds follow each other as fast as the room
    // answers.
    let floor = Floor::start_with(&dir.path().join("data"), &["--commands-per-second", "0"]);
    let tokens = floor.create_room("hall").await;
    let mut laptop = Client::connect(&floor, tokens.hello("chair", "chair-laptop")).await;
    let mut phone = Client::connect(&floor, tokens.hello("chair", "chair-phone")).await;
    for i in 0..=ROUNDS {
        let channel = if i % 2 == 0 { "onsite" } else { "online" };
        acked(
            laptop
                .command(&format!("s-{i}"), submit(channel, &format!("Person {i}")))
                .await,
        );
    }
    phone.follow_to(laptop.seq).await;

    let mut wins = [0, 0];
    for round in 0..ROUNDS {
        // Both screens show the same speaker (nobody in the first round).
        let seen = speaking(&laptop);
        assert_eq!(seen, speaking(&phone));
        let head = laptop.seq;
        let next = json!({"type": "next", "expect_speaking": seen});
        let (a, b) = (format!("laptop-{round}"), format!("phone-{round}"));
        // Both frames leave before either answer is read; which one the
        // room decides first varies from round to round.
        if round % 2 == 0 {
            laptop.send(&command(&a, next.clone())).await;
            phone.send(&command(&b, next)).await;
        } else {
            phone.send(&command(&b, next.clone())).await;
            laptop.send(&command(&a, next)).await;
        }
        let answers = [laptop.answer(&a).await, phone.answer(&b).await];
        let winner = answers
            .iter()
            .position(|answer| answer["type"] == "ack")
            .unwrap_or_else(|| panic!("round {round}: one ack: {answers:?}"));
        let loser = &answers[1 - winner];
        refused(loser.clone(), "speaker_changed");
        wins[winner] += 1;

        // Both screens had the call's events before their answer (the
        // refused one shows the new state with its notice). Exactly one
        // speaker_called (after the previous turn's end), and the refusal
        // names the entry that speaks now.
        let last = answers[winner]["last_seq"].as_u64().unwrap();
        assert_eq!((laptop.seq, phone.seq), (last, last), "round {round}");
        let called: Vec<&Value> = laptop.events[usize::try_from(head).unwrap()..]
            .iter()
            .filter(|e| e["event"]["type"] == "speaker_called")
            .collect();
        assert_eq!(called.len(), 1, "round {round}: {called:?}");
        assert_eq!(loser["entry_id"], called[0]["event"]["entry_id"]);
        assert_eq!(
            speaking(&laptop),
            called[0]["event"]["entry_id"],
            "round {round}"
        );
    }
    // The whole log: one turn per round, each person called once.
    let snapshot = floor.snapshot(&tokens).await;
    let turns = &snapshot["room"]["turns"];
    assert_eq!(
        turns["onsite"].as_u64().unwrap() + turns["online"].as_u64().unwrap(),
        ROUNDS as u64
    );
    let called = laptop
        .events
        .iter()
        .filter(|e| e["event"]["type"] == "speaker_called")
        .count();
    assert_eq!(called, ROUNDS);
    println!(
        "first decided: laptop {} rounds, phone {}",
        wins[0], wins[1]
    );
}

#[tokio::test]
async fn undo_call_over_the_wire_gives_back_the_order_before_the_call() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;
    let mut chair = Client::connect(&floor, tokens.hello("chair", "chair")).await;
    let mut display = Client::connect(&floor, tokens.hello("display", "projector")).await;
    for (i, (channel, name)) in [
        ("onsite", "Amina Diallo"),
        ("online", "Bo Chen"),
        ("onsite", "Carla Ruiz"),
        ("online", "Dev Patel"),
    ]
    .into_iter()
    .enumerate()
    {
        acked(
            chair
                .command(&format!("s-{i}"), submit(channel, name))
                .await,
        );
    }
    acked(
        chair
            .command("n-0", json!({"type": "next", "expect_speaking": null}))
            .await,
    );
    let amina = speaking(&chair);
    // Dev is pinned: the next call takes him from the pins.
    let dev = chair.events[3]["event"]["entry"]["id"].clone();
    acked(
        chair
            .command("pin", json!({"type": "pin", "entry_id": dev}))
            .await,
    );
    display.follow_to(chair.seq).await;
    let before = display.order.clone();
    let room_before = floor.snapshot(&tokens).await["room"].clone();

    let next = acked(
        chair
            .command("n-1", json!({"type": "next", "expect_speaking": amina}))
            .await,
    );
    display.follow_to(next["last_seq"].as_u64().unwrap()).await;
    assert_ne!(display.order, before);
    let called = speaking(&chair);
    assert_eq!(called, dev);

    // A stale undo (the screen saw Amina) is refused and changes nothing.
    refused(
        chair
            .command(
                "u-stale",
                json!({"type": "undo_call", "expect_speaking": amina}),
            )
            .await,
        "speaker_changed",
    );
    let undo = acked(
        chair
            .command("u", json!({"type": "undo_call", "expect_speaking": called}))
            .await,
    );
    let last = undo["last_seq"].as_u64().unwrap();
    display.follow_to(last).await;
    assert_eq!(display.order, before);
    let undone = &display.events.last().unwrap()["event"];
    assert_eq!(undone["type"], "call_undone");
    assert_eq!(undone["entry_id"], called);
    assert_eq!(undone["resumed"]["entry_id"], amina);
    // The room is as before the call, but for its seq.
    let mut room_after = floor.snapshot(&tokens).await["room"].clone();
    room_after["seq"] = room_before["seq"].clone();
    assert_eq!(room_after, room_before);

    // Once only.
    let answer = chair
        .command(
            "u-again",
            json!({"type": "undo_call", "expect_speaking": amina}),
        )
        .await;
    refused(answer, "invalid_transition");
}
