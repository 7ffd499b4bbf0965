//! What a connection may cost the broker: a long message goes out in
//! fragments of at most 16 KiB, a subscriber that does not take its
//! snapshot is closed as too slow, and a long queue costs every screen at
//! most 50 slots of order.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use floor_tests::tungstenite::protocol::frame::FrameSocket;
use floor_tests::tungstenite::protocol::frame::coding::{Data, OpCode};
use floor_tests::*;
use futures_util::StreamExt;
use serde_json::{Value, json};

/// A question of 1,000 characters, the longest allowed.
fn long_text(i: usize) -> String {
    format!("{i:04} {}", "a long question ".repeat(62))
        .chars()
        .take(1000)
        .collect()
}

/// Submits `n` onsite hands with long questions from one runner (the
/// broker runs without a per-connection command rate here).
async fn fill(floor: &Floor, tokens: &Tokens, n: usize) {
    let mut runner = Client::connect(floor, tokens.hello("runner", "runner")).await;
    for i in 0..n {
        let mut command = submit("onsite", &format!("Hand {i}"));
        command["entry"]["text"] = json!(long_text(i));
        runner
            .send(
                &json!({"type": "command", "request_id": format!("fill-{i}"), "command": command}),
            )
            .await;
    }
    for i in 0..n {
        acked(runner.answer(&format!("fill-{i}")).await);
    }
}

#[tokio::test]
async fn a_large_snapshot_goes_out_in_fragments_of_at_most_16_kib() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start_with(&dir.path().join("data"), &["--commands-per-second", "0"]);
    let tokens = floor.create_room("hall").await;
    fill(&floor, &tokens, 60).await;

    // A plain client reading raw frames, as they are on the wire.
    let url = floor.ws_url();
    let hello = tokens.hello("display", "wire").to_string();
    let frames = tokio::task::spawn_blocking(move || {
        let stream = std::net::TcpStream::connect(
            url.trim_start_matches("ws://").split('/').next().unwrap(),
        )
        .unwrap();
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        let (mut ws, _) =
            floor_tests::tungstenite::client(&url, stream.try_clone().unwrap()).unwrap();
        ws.send(floor_tests::tungstenite::Message::text(hello))
            .unwrap();
        let mut raw = FrameSocket::new(stream);
        let mut frames = Vec::new();
        // The welcome, then the snapshot's frames up to its last.
        loop {
            let frame = raw.read(None).unwrap().expect("a frame");
            let header = frame.header().clone();
            frames.push((header.opcode, header.is_final, frame.into_payload()));
            if frames.len() > 1 && header.is_final {
                return frames;
            }
        }
    })
    .await
    .unwrap();

    let (opcode, is_final, welcome) = &frames[0];
    assert_eq!((*opcode, *is_final), (OpCode::Data(Data::Text), true));
    assert!(
        std::str::from_utf8(welcome)
            .unwrap()
            .contains("\"welcome\"")
    );
    let snapshot = &frames[1..];
    assert!(
        snapshot.len() > 3,
        "a 60-hand snapshot takes several fragments"
    );
    let mut text = Vec::new();
    for (i, (opcode, is_final, payload)) in snapshot.iter().enumerate() {
        let want = if i == 0 { Data::Text } else { Data::Continue };
        assert_eq!(*opcode, OpCode::Data(want));
        assert_eq!(*is_final, i == snapshot.len() - 1);
        assert!(
            payload.len() <= 16 * 1024,
            "fragment {i}: {} bytes",
            payload.len()
        );
        text.extend_from_slice(payload);
    }
    let snapshot: Value = serde_json::from_slice(&text).unwrap();
    assert_eq!(snapshot["type"], "snapshot");
    assert_eq!(snapshot["room"]["entries"].as_array().unwrap().len(), 60);
}

#[tokio::test]
async fn a_subscriber_that_does_not_take_its_snapshot_is_closed_as_too_slow() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start_with(&dir.path().join("data"), &["--commands-per-second", "0"]);
    let tokens = floor.create_room("hall").await;
    // About 300 KB of snapshot: more than the socket buffers hold.
    fill(&floor, &tokens, 250).await;

    // Hello with a tiny receive buffer, then never a read.
    let mut silent = never_reading(&floor, &tokens.hello("participant", "silent")).await;

    // The room moves on by more than 1 MiB while the snapshot waits.
    let mut chair = Client::connect(&floor, tokens.hello("chair", "chair")).await;
    let hand = chair.caught_up["room"]["entries"][0]["id"].clone();
    let dropped = r#"floor_subscribers_dropped_total{reason="lag"} 1"#;
    let mut i = 0;
    loop {
        let (_, metrics) = floor.http("GET", "/metrics", "", None).await;
        if metrics.as_str().unwrap().contains(dropped) {
            break;
        }
        for _ in 0..50 {
            i += 1;
            let patch = json!({"text": long_text(i)});
            chair
                .send(
                    &json!({"type": "command", "request_id": format!("edit-{i}"),
                    "command": {"type": "edit", "entry_id": hand, "patch": patch}}),
                )
                .await;
        }
        acked(chair.answer(&format!("edit-{i}")).await);
        assert!(i < 5_000, "the silent subscriber was never dropped");
    }

    // Reading now, it finds its snapshot cut short, then the end.
    let mut texts = 0;
    let mut closed_with = None;
    loop {
        match tokio::time::timeout(DEADLINE, silent.next())
            .await
            .expect("the stream ends")
        {
            Some(Ok(floor_tests::tungstenite::Message::Text(_))) => texts += 1,
            Some(Ok(floor_tests::tungstenite::Message::Close(frame))) => {
                closed_with = frame.map(|f| u16::from(f.code));
                break;
            }
            Some(Ok(_)) => {}
            None | Some(Err(_)) => break,
        }
    }
    assert!(texts <= 1, "only the welcome was whole ({texts} messages)");
    if let Some(code) = closed_with {
        assert_eq!(code, 4000);
    }
}

#[tokio::test]
async fn a_long_queue_costs_every_screen_fifty_slots() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start_with(&dir.path().join("data"), &["--commands-per-second", "0"]);
    let tokens = floor.create_room("hall").await;
    fill(&floor, &tokens, 70).await;

    let mut display = Client::connect(&floor, tokens.hello("display", "screen")).await;
    let order = display.caught_up["order"].as_array().unwrap().clone();
    assert_eq!(order.len(), 50, "the snapshot lists the head of the order");
    let entries = display.caught_up["room"]["entries"]
        .as_array()
        .unwrap()
        .clone();
    let first_fifty: Vec<&Value> = entries.iter().take(50).map(|e| &e["id"]).collect();
    let listed: Vec<&Value> = order.iter().map(|s| &s["entry_id"]).collect();
    assert_eq!(listed, first_fifty, "onsite only: submission order");

    // A change sends the head again, not the whole queue.
    let mut chair = Client::connect(&floor, tokens.hello("chair", "chair")).await;
    acked(chair.command("call-1", json!({"type": "next"})).await);
    let message = display.next().await;
    assert_eq!(message["type"], "events");
    let message = display.next().await;
    assert_eq!(message["type"], "order");
    let order = message["order"].as_array().unwrap();
    assert_eq!(order.len(), 50);
    assert_eq!(order[0]["entry_id"], entries[1]["id"]);
    assert_eq!(order[49]["entry_id"], entries[50]["id"]);

    // The Rust client takes the cut order as exact, and counts every
    // waiting entry.
    let state = floor.room_state(&tokens).await;
    assert_eq!(state.order().len(), 50);
    assert_eq!(state.waiting().onsite, 69);
    assert_eq!(
        state.place(entries[60]["id"].as_str().unwrap().parse().unwrap()),
        None
    );
}
