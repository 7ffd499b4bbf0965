//! A subscriber that never reads does not delay delivery to the others,
//! and is dropped with "too slow" once it falls 1 MiB behind.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use floor_tests::*;
use futures_util::StreamExt;
use serde_json::json;

const WRITERS: usize = 12;
const PER_WRITER: usize = 40;
const CALLS_PER_CHAIR: usize = 25;

#[tokio::test]
async fn a_subscriber_that_never_reads_is_dropped_and_delays_no_one() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;

    // The stuck subscriber: a tiny receive buffer, a hello, then silence.
    let mut stuck = never_reading(&floor, &tokens.hello("display", "stuck")).await;

    // A healthy display, reading all along.
    let mut display = Client::connect(&floor, tokens.hello("display", "projector")).await;
    let (head_tx, mut head_rx) = tokio::sync::watch::channel(u64::MAX);
    let follower = tokio::spawn(async move {
        let mut last_order = None;
        loop {
            tokio::select! {
                message = display.next() => {
                    if message["type"] == "order" {
                        last_order = message["seq"].as_u64();
                    }
                }
                _ = head_rx.changed() => {}
            }
            if last_order == Some(*head_rx.borrow()) {
                return display;
            }
        }
    });

    // Many curators add hands with long questions at once; each change
    // sends the events and the head of the projected order, megabytes in
    // all.
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let mut runner =
            Client::connect(&floor, tokens.hello("runner", &format!("runner-{w}"))).await;
        writers.push(tokio::spawn(async move {
            for i in 0..PER_WRITER {
                let mut hand = submit("onsite", &format!("Runner {w} hand {i}"));
                hand["entry"]["text"] = json!(format!("{w}-{i} {}", "a long question ".repeat(60)));
                let command = json!({"type": "command", "request_id": format!("{w}-{i}"),
                    "command": hand});
                runner.send(&command).await;
            }
            let mut answered = 0;
            while answered < PER_WRITER {
                let message = runner.next().await;
                if message["type"] == "ack" {
                    answered += 1;
                } else if message["type"] == "error" {
                    assert_eq!(message["code"], "rate_limited", "{message}");
                    answered += 1;
                }
            }
            runner.seq
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    // Then the chairs work through the queue: each call re-sends the head
    // of the projected order, kilobytes each time.
    let mut chairs = Vec::new();
    for c in 0..4 {
        let mut chair = Client::connect(&floor, tokens.hello("chair", &format!("chair-{c}"))).await;
        chairs.push(tokio::spawn(async move {
            for i in 0..CALLS_PER_CHAIR {
                acked(
                    chair
                        .command(&format!("next-{c}-{i}"), json!({"type": "next"}))
                        .await,
                );
            }
            chair.seq
        }));
    }
    let mut head = 0;
    for chair in chairs {
        head = head.max(chair.await.unwrap());
    }

    // The healthy display got everything while the stuck one read nothing.
    head_tx.send(head).unwrap();
    let display = follower.await.unwrap();
    assert_eq!(display.events.len() as u64, head);

    // The stuck subscriber was cut off: reading now, it finds the end of
    // the stream before the end of the session.
    let mut last_seq = 0;
    let mut closed_with = None;
    loop {
        let next = tokio::time::timeout(DEADLINE, stuck.next())
            .await
            .expect("the stream ends");
        match next {
            Some(Ok(floor_tests::tungstenite::Message::Text(text))) => {
                let value: serde_json::Value = serde_json::from_str(&text).unwrap();
                if let Some(events) = value["events"].as_array() {
                    last_seq = events.last().unwrap()["seq"].as_u64().unwrap();
                }
                if last_seq >= head {
                    // It was never dropped (pings would keep it open).
                    break;
                }
            }
            Some(Ok(floor_tests::tungstenite::Message::Close(frame))) => {
                closed_with = frame.map(|f| u16::from(f.code));
                break;
            }
            Some(Ok(_)) => {}
            None | Some(Err(_)) => break,
        }
    }
    assert!(
        last_seq < head,
        "the stuck subscriber was dropped before the end ({last_seq} of {head})"
    );
    if let Some(code) = closed_with {
        assert_eq!(code, 4000);
    }
    let (_, metrics) = floor.http("GET", "/metrics", "", None).await;
    let metrics = metrics.as_str().unwrap().to_owned();
    assert!(
        metrics.contains(r#"floor_subscribers_dropped_total{reason="lag"} 1"#),
        "{metrics}"
    );
}
