//! A command's `ack` comes after its events and the `order` that follows
//! them, on the issuer's connection (protocol section 9.4), although the
//! room answers a batch before it broadcasts it: the connection holds the
//! `ack` until it has sent the frames up to its `last_seq`. Many commands
//! in flight at once from several connections, with screens reading, on
//! a broker with more than one worker thread.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use floor_tests::*;
use futures_util::future::join_all;
use serde_json::json;

/// Sends `n` submits without waiting, then reads to the last answer,
/// checking that every `ack` follows the `order` at or after its
/// `last_seq`.
async fn pipelined(mut client: Client, name: String, n: usize) -> usize {
    for i in 0..n {
        let command = submit("onsite", &format!("{name} {i}"));
        client
            .send(&json!({"type": "command", "request_id": format!("{name}-{i}"), "command": command}))
            .await;
    }
    let mut ordered_to = client.seq;
    let mut answered = 0;
    while answered < n {
        let message = client.next().await;
        match message["type"].as_str() {
            Some("order") => ordered_to = message["seq"].as_u64().unwrap(),
            Some("ack") => {
                let last = message["last_seq"].as_u64().unwrap();
                assert!(
                    last <= ordered_to && last <= client.seq,
                    "an ack for {last} came before its order (order at {ordered_to}, events to {}): {message}",
                    client.seq
                );
                answered += 1;
            }
            Some("error") => panic!("refused: {message}"),
            _ => {}
        }
    }
    answered
}

#[tokio::test]
async fn every_ack_follows_its_events_and_their_order() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start_with(
        &dir.path().join("data"),
        &["--commands-per-second", "10000"],
    );
    let tokens = floor.create_room("hall").await;
    let mut screens = Vec::new();
    for i in 0..20 {
        screens
            .push(Client::connect(&floor, tokens.hello("display", &format!("screen-{i}"))).await);
    }
    let mut issuers = Vec::new();
    for i in 0..4 {
        let client = Client::connect(&floor, tokens.hello("runner", &format!("runner-{i}"))).await;
        // 40 each: the order every screen is sent after each commit grows
        // with the queue, so the test's cost grows with its square.
        issuers.push(pipelined(client, format!("Runner {i}"), 40));
    }
    let answered: usize = join_all(issuers).await.into_iter().sum();
    assert_eq!(answered, 160);
    let head = floor.snapshot(&tokens).await["room"]["seq"]
        .as_u64()
        .unwrap();
    for screen in &mut screens {
        screen.follow_to(head).await;
    }
}
