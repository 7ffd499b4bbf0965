//! Bad input: a corpus of malformed frames gets typed errors or a close,
//! the connection survives what it can, and the room's log is unchanged.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use floor_tests::tungstenite::Message;
use floor_tests::*;
use serde_json::json;

#[tokio::test]
async fn malformed_frames_get_typed_errors_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    acked(runner.command("seed", submit("onsite", "Amina")).await);
    let before = floor.snapshot(&tokens).await;

    let long_name = "x".repeat(10_000);
    let deep = format!("{}{}", "[".repeat(40), "]".repeat(40));
    let corpus: Vec<(String, &str)> = vec![
        ("not json at all".into(), "bad_json"),
        (r#"{"type":"command","request_id":"t1""#.into(), "bad_json"),
        (deep, "bad_json"),
        ("[1,2,3]".into(), "invalid_message"),
        (r#"{"type":"launch"}"#.into(), "invalid_message"),
        (r#"{"type":"command","request_id":"t2","command":{"type":"next","force":true}}"#.into(), "invalid_message"),
        (
            r#"{"type":"command","request_id":"t3","command":{"type":"submit","entry":{"channel":"onsite","person":{"name":42}}}}"#.into(),
            "invalid_message",
        ),
        (
            r#"{"type":"command","request_id":"t4","command":{"type":"submit","entry":{"channel":"mars","person":{"name":"A"}}}}"#.into(),
            "invalid_message",
        ),
        (
            json!({"type":"command","request_id":"t5","command":submit("onsite", &long_name)}).to_string(),
            "invalid_field",
        ),
        (
            json!({"type":"command","request_id":"t6","command":{"type":"submit","entry":{"channel":"onsite","person":{"name":"A"},"language":"not a tag"}}}).to_string(),
            "invalid_field",
        ),
        (
            json!({"type":"command","request_id":"","command":{"type":"next"}}).to_string(),
            "invalid_field",
        ),
        (tokens.hello("runner", "runner").to_string(), "hello_repeated"),
    ];
    for (frame, code) in &corpus {
        runner.send_raw(Message::text(frame.clone())).await;
        let answer = runner.next().await;
        assert_eq!(answer["type"], "error", "{frame:.80}: {answer}");
        assert_eq!(answer["code"], *code, "{frame:.80}: {answer}");
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    runner
        .send_raw(Message::binary(vec![0u8, 159, 146, 150]))
        .await;
    refused(runner.next().await, "binary_frame");

    // The connection is still usable, and nothing reached the log.
    assert_eq!(floor.snapshot(&tokens).await, before);
    acked(runner.command("after", submit("onsite", "Bruno")).await);
}

#[tokio::test]
async fn json_may_nest_32_levels_and_no_deeper() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r").await;
    let mut display = Client::connect(&floor, tokens.hello("display", "d")).await;
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    // Every `[` or `{` opens a level: `[]` is 1 deep, `{"a":[{}]}` 3.
    // At the limit the text is parsed (and is no floor message); one
    // level more is refused before parsing.
    for (text, code) in [
        (nested(32), "invalid_message"),
        (nested(33), "bad_json"),
        (
            format!(r#"{{"type":"sync","x":{}}}"#, nested(31)),
            "invalid_message",
        ),
        (
            format!(r#"{{"type":"sync","x":{}}}"#, nested(32)),
            "bad_json",
        ),
        // Brackets inside strings do not count.
        (
            format!(r#"{{"type":"sync","x":"{}"}}"#, "[".repeat(40)),
            "invalid_message",
        ),
    ] {
        display.send_raw(Message::text(text.clone())).await;
        refused(display.next().await, code);
    }
}

#[tokio::test]
async fn an_oversized_frame_closes_the_connection_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let before = floor.snapshot(&tokens).await;
    let huge = json!({"type":"command","request_id":"big","command":submit("onsite", &"x".repeat(1 << 20))});
    let _ = runner.try_send(&huge).await;
    let close = runner.closed().await;
    if let Some(frame) = close {
        assert_eq!(u16::from(frame.code), 1009);
    }
    assert_eq!(floor.snapshot(&tokens).await, before);

    // Before the hello too, the close says why (when it arrives before
    // the reset of the unread rest of the frame).
    let mut stranger = Client::raw(Client::open(&floor).await);
    let _ = stranger
        .try_send(&json!({"type": "hello", "agent": "x".repeat(65 * 1024)}))
        .await;
    if let Some(frame) = stranger.closed().await {
        assert_eq!(u16::from(frame.code), 1009);
    }
}

#[tokio::test]
async fn the_first_message_must_be_hello() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let ws = Client::open(&floor).await;
    let mut client = Client::raw(ws);
    client
        .send(&json!({"type":"command","request_id":"r","command":{"type":"next"}}))
        .await;
    refused(client.next().await, "hello_required");
    assert_eq!(client.closed().await.map(|f| u16::from(f.code)), Some(4002));
}

#[tokio::test]
async fn a_client_that_keeps_sending_garbage_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r").await;
    let mut client = Client::connect(&floor, tokens.hello("display", "d")).await;
    for _ in 0..21 {
        if !client.try_send(&json!("garbage")).await {
            break;
        }
    }
    assert_eq!(client.closed().await.map(|f| u16::from(f.code)), Some(4003));
}

#[tokio::test]
async fn too_many_commands_are_rate_limited_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    // One command a second (a burst of two): however slowly this machine
    // reads the 60 commands, it cannot take them all.
    let floor = Floor::start_with(&dir.path().join("data"), &["--commands-per-second", "1"]);
    let tokens = floor.create_room("r").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    for i in 0..60 {
        let command = json!({"type":"command","request_id":format!("q{i}"),"command":submit("onsite", &format!("P{i}"))});
        runner.send(&command).await;
    }
    // Refusals come at once, acks after their commit: collect all answers.
    let mut answers = std::collections::HashMap::new();
    while answers.len() < 60 {
        let message = runner.next().await;
        if matches!(message["type"].as_str(), Some("ack") | Some("error")) {
            answers.insert(message["request_id"].as_str().unwrap().to_owned(), message);
        }
    }
    let limited = answers.values().filter(|a| a["type"] == "error").count();
    assert!(limited > 0);
    for answer in answers.values().filter(|a| a["type"] == "error") {
        assert_eq!(answer["code"], "rate_limited", "{answer}");
    }
    let entries = floor.snapshot(&tokens).await["room"]["entries"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(entries, 60 - limited);
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_ten_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    // The broker's clock starts after the upgrade, so after this one.
    let started = std::time::Instant::now();
    let ws = Client::open(&floor).await;
    let mut client = Client::raw(ws);
    refused(client.next().await, "hello_required");
    assert_eq!(client.closed().await.map(|f| u16::from(f.code)), Some(4001));
    assert!(started.elapsed() >= std::time::Duration::from_secs(10));
}
