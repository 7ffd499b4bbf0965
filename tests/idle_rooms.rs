//! Idle rooms: a room with no connection and no message for the broker's
//! `--unload-idle-after` leaves memory, and its next `hello`, HTTP request
//! or command loads it again from the log, exactly as it was (epoch, seq,
//! state, the resume window, the receipts that answer a repeated command).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use floor_tests::*;
use serde_json::{Value, json};

/// A snapshot without its `reason` (each request gives its own).
fn state(mut snapshot: Value) -> Value {
    snapshot.as_object_mut().unwrap().remove("reason");
    snapshot
}

#[tokio::test]
async fn an_idle_room_unloads_and_loads_again_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let mut floor = Floor::start_with(&dir.path().join("data"), &["--unload-idle-after", "0.2"]);
    let tokens = floor.create_room("plenary").await;
    let busy = floor.create_room("busy").await;
    let mut watcher = Client::connect(&floor, busy.hello("display", "busy-display")).await;

    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let mut chair = Client::connect(&floor, tokens.hello("chair", "chair")).await;
    let first = acked(runner.command("a", submit("onsite", "Amina")).await);
    acked(runner.command("b", submit("onsite", "Bruno")).await);
    // The chair has seen every event, and the order after them, before
    // its answer.
    acked(chair.command("n1", json!({"type": "next"})).await);
    let epoch = chair.welcome["epoch"].clone();
    let head = chair.seq;
    let events = chair.events.clone();
    let before = state(floor.snapshot(&tokens).await);
    drop((runner, chair));

    // Nobody left in the room: it unloads. The other room's display keeps
    // that one loaded.
    wait_for_loaded(&floor, 1).await;
    assert_eq!(metric(&floor, "floor_rooms").await, 2);

    // An HTTP request loads it again, as it was.
    assert_eq!(state(floor.snapshot(&tokens).await), before);
    wait_for_loaded(&floor, 1).await;

    // A hello resuming from the first command's events gets exactly the
    // events after them, under the same epoch.
    let after_first = first["last_seq"].as_u64().unwrap();
    let mut hello = tokens.hello("display", "projector");
    hello["resume"] = json!({"epoch": epoch, "seq": after_first});
    let display = Client::connect(&floor, hello).await;
    assert_eq!(display.welcome["epoch"], epoch);
    assert_eq!(display.welcome["head"].as_u64(), Some(head));
    let missed: Vec<Value> = events
        .iter()
        .filter(|e| e["seq"].as_u64().unwrap() > after_first)
        .cloned()
        .collect();
    assert_eq!(display.events, missed);
    drop(display);
    wait_for_loaded(&floor, 1).await;

    // A command repeated after the load is answered from its receipt; a
    // new one takes the next seq.
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let again = acked(runner.command("a", submit("onsite", "Amina")).await);
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["first_seq"], first["first_seq"]);
    assert_eq!(again["entry_id"], first["entry_id"]);
    let next = acked(runner.command("c", submit("onsite", "Chen")).await);
    assert_eq!(next["first_seq"].as_u64(), Some(head + 1));
    let latest = state(floor.snapshot(&tokens).await);
    drop(runner);
    wait_for_loaded(&floor, 1).await;

    // The other room's display was not troubled by any of it.
    let mut busy_runner = Client::connect(&floor, busy.hello("runner", "busy-runner")).await;
    let ack = acked(busy_runner.command("x", submit("onsite", "Xu")).await);
    watcher.follow_to(ack["last_seq"].as_u64().unwrap()).await;

    // The log the unloaded room left (with the checkpoint it took as it
    // went) starts a broker to the same room.
    floor.restart();
    assert_eq!(state(floor.snapshot(&tokens).await), latest);
}

#[tokio::test]
async fn hellos_and_commands_racing_the_unload_find_one_room() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let floor = Floor::start_logging(
        &data,
        &["--unload-idle-after", "0.05"],
        "floor_broker::room::unload=debug",
    );
    let tokens = floor.create_room("r").await;
    let mut last_seq = 0;
    let mut acks = Vec::new();
    for round in 0..40u64 {
        // Connections come back around the moment the room unloads: at
        // once, or up to twice the idle time later.
        tokio::time::sleep(Duration::from_millis(round * 37 % 100)).await;
        let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
        assert_eq!(runner.seq, last_seq, "round {round}: the room as it was");
        let ack = acked(
            runner
                .command(&format!("s{round}"), submit("onsite", &format!("P{round}")))
                .await,
        );
        assert_eq!(ack["duplicate"], false);
        assert_eq!(ack["first_seq"].as_u64(), Some(last_seq + 1));
        last_seq = ack["last_seq"].as_u64().unwrap();
        acks.push(ack);
        // And an HTTP read racing the runner's leaving.
        let (snapshot, ()) = tokio::join!(floor.snapshot(&tokens), async { drop(runner) });
        assert_eq!(snapshot["room"]["seq"].as_u64(), Some(last_seq));
    }
    wait_for_loaded(&floor, 0).await;
    // Every acknowledged command is in the room once, in order.
    let snapshot = floor.snapshot(&tokens).await;
    let entries = snapshot["room"]["entries"].as_array().unwrap();
    let ids: Vec<&Value> = entries.iter().map(|e| &e["id"]).collect();
    let acked_ids: Vec<&Value> = acks.iter().map(|a| &a["entry_id"]).collect();
    assert_eq!(ids, acked_ids);
    assert_eq!(snapshot["room"]["seq"].as_u64(), Some(last_seq));
    // The rounds did meet the unload: the room went and came back.
    let log = std::fs::read_to_string(data.with_extension("log")).unwrap();
    assert!(log.matches("idle room unloaded").count() >= 2, "{log}");
    assert!(log.matches("room loaded again").count() >= 2, "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_of_the_shared_store_unloads_and_loads_again_with_what_other_brokers_did() {
    let dir = tempfile::tempdir().unwrap();
    let nats = floor_tests::nats::Nats::single(&dir.path().join("nats"));
    let servers = nats.urls();
    let args = ["--store", servers.as_str(), "--unload-idle-after", "0.2"];
    let a = Floor::start_with(&dir.path().join("a"), &args);
    let b = Floor::start_with(&dir.path().join("b"), &args);
    let tokens = a.create_room_when_stored("shared-idle").await;
    let mut runner = welcomed(&a, &tokens.hello("runner", "runner-a")).await;
    let first = acked(runner.command("a", submit("onsite", "Amina")).await);
    drop(runner);
    // Nobody on A: the room leaves A's memory.
    wait_for_loaded(&a, 0).await;

    // Meanwhile B serves it and takes a command.
    let mut other = welcomed(&b, &tokens.hello("runner", "runner-b")).await;
    acked(other.command("b", submit("onsite", "Bruno")).await);
    let on_b = state(b.snapshot(&tokens).await);
    drop(other);
    wait_for_loaded(&b, 0).await;

    // A loads it again with both commands, and a repeated command is
    // answered from its receipt.
    assert_eq!(state(a.snapshot(&tokens).await), on_b);
    let mut runner = welcomed(&a, &tokens.hello("runner", "runner-a")).await;
    let again = acked(runner.command("a", submit("onsite", "Amina")).await);
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["entry_id"], first["entry_id"]);
}
