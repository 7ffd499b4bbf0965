//! Resume: a subscriber that reconnects with the last seq it applied
//! receives exactly the events it missed, then live ones; a resume point
//! the broker cannot serve gets an explicit snapshot.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use floor_tests::*;
use serde_json::json;

#[tokio::test]
async fn a_reconnecting_subscriber_gets_exactly_the_missed_events() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("ws235").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let mut chair = Client::connect(&floor, tokens.hello("chair", "chair")).await;

    let mut display = Client::connect(&floor, tokens.hello("display", "projector")).await;
    acked(runner.command("a", submit("onsite", "Amina")).await);
    acked(runner.command("b", submit("onsite", "Bruno")).await);
    display.follow_to(runner.seq).await;
    let epoch = display.welcome["epoch"].clone();
    let left_at = display.seq;
    let seen_before = display.events.clone();
    drop(display);

    // The session goes on while the display is away.
    acked(runner.command("c", submit("onsite", "Chen")).await);
    acked(chair.command("n1", json!({"type": "next"})).await);
    acked(chair.command("n2", json!({"type": "next"})).await);
    let head = chair.seq;
    assert!(head > left_at);

    let mut hello = tokens.hello("display", "projector");
    hello["resume"] = json!({"epoch": epoch, "seq": left_at});
    let mut back = Client::connect(&floor, hello).await;
    assert_eq!(back.welcome["head"].as_u64(), Some(head));
    // Exactly the missed events, in order, nothing before them.
    let missed: Vec<_> = chair
        .events
        .iter()
        .filter(|e| e["seq"].as_u64().unwrap() > left_at)
        .cloned()
        .collect();
    assert_eq!(back.events, missed);
    assert_eq!(back.seq, head);

    // Then live ones, gapless.
    acked(runner.command("d", submit("onsite", "Dana")).await);
    back.follow_to(runner.seq).await;
    let mut all = seen_before;
    all.extend(back.events.clone());
    assert_eq!(all, runner.events);
    assert_eq!(back.order, floor.snapshot(&tokens).await["order"]);
}

#[tokio::test]
async fn an_unusable_resume_point_gets_a_snapshot_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    acked(runner.command("a", submit("onsite", "Amina")).await);
    let epoch = runner.welcome["epoch"].clone();

    for (resume, reason) in [
        (json!({"epoch": epoch, "seq": 99}), "ahead"),
        (json!({"epoch": epoch, "seq": u64::MAX}), "ahead"),
        (
            json!({"epoch": "00000000-0000-0000-0000-000000000000", "seq": 1}),
            "epoch_changed",
        ),
    ] {
        let mut hello = tokens.hello("display", "d");
        hello["resume"] = resume;
        let client = Client::connect(&floor, hello).await;
        assert_eq!(client.caught_up["type"], "snapshot");
        assert_eq!(client.caught_up["reason"], reason);
        assert_eq!(client.seq, runner.seq);
    }

    // Up to date: no events, just the order.
    let mut hello = tokens.hello("display", "d");
    hello["resume"] = json!({"epoch": epoch, "seq": runner.seq});
    let client = Client::connect(&floor, hello).await;
    assert_eq!(client.caught_up["type"], "order");
    assert!(client.events.is_empty());
}

#[tokio::test]
async fn sync_replaces_the_view_with_a_fresh_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    acked(runner.command("a", submit("onsite", "Amina")).await);
    runner.send(&json!({"type": "sync"})).await;
    loop {
        let message = runner.next().await;
        if message["type"] == "snapshot" {
            assert_eq!(message["reason"], "requested");
            assert_eq!(message["room"]["seq"].as_u64(), Some(runner.seq));
            break;
        }
    }
}

#[tokio::test]
async fn a_resume_with_more_than_a_megabyte_to_replay_gets_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;
    let display = Client::connect(&floor, tokens.hello("display", "projector")).await;
    let epoch = display.welcome["epoch"].clone();
    let left_at = display.seq;
    drop(display);

    // The moderators keep correcting one long question: about 1.1 MB of
    // events while the display is away (the queue, and so each order
    // frame, stays small).
    let mut first = Client::connect(&floor, tokens.hello("moderator", "m")).await;
    let ack = acked(first.command("q", json!({"type": "submit", "entry": {"channel": "online", "person": {"name": "Remote"}}})).await);
    let entry_id = ack["entry_id"].clone();
    let text = "q".repeat(990);
    let mut writers = Vec::new();
    for w in 0..24 {
        let mut moderator =
            Client::connect(&floor, tokens.hello("moderator", &format!("m{w}"))).await;
        let (text, entry_id) = (text.clone(), entry_id.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..40 {
                // Each edit changes the text: an edit that changes nothing
                // is refused.
                let text = format!("{w}-{i} {text}");
                let command =
                    json!({"type": "edit", "entry_id": entry_id, "patch": {"text": text}});
                acked(moderator.command(&format!("{w}-{i}"), command).await);
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }

    let mut hello = tokens.hello("display", "projector");
    hello["resume"] = json!({"epoch": epoch, "seq": left_at});
    let back = Client::connect(&floor, hello).await;
    assert_eq!(back.caught_up["type"], "snapshot");
    assert_eq!(back.caught_up["reason"], "too_old");
    assert_eq!(back.seq, 1 + 24 * 40);
}
