//! Crash: the broker is killed with SIGKILL while clients submit. After a
//! restart on the same data every acknowledged entry is there, in order,
//! and retries of unacknowledged requests (same request id) create no
//! duplicates.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};

use floor_tests::*;
use serde_json::Value;
use tokio::sync::mpsc;

const WRITERS: usize = 4;
const PER_WRITER: usize = 35;

fn name(writer: usize, i: usize) -> String {
    format!("Writer {writer} person {i}")
}

/// Pipelines every submission of one writer, then collects answers until
/// the connection dies; reports each ack as it arrives.
async fn writer(mut client: Client, writer: usize, acks: mpsc::UnboundedSender<(String, Value)>) {
    for i in 0..PER_WRITER {
        let command = serde_json::json!({
            "type": "command",
            "request_id": format!("w{writer}-{i}"),
            "command": submit("onsite", &name(writer, i)),
        });
        if !client.try_send(&command).await {
            break;
        }
    }
    while let Received::Message(message) = client.receive().await {
        if message["type"] == "ack" {
            let id = message["request_id"].as_str().unwrap().to_owned();
            if acks.send((id, message)).is_err() {
                return;
            }
        }
    }
}

#[tokio::test]
async fn acknowledged_requests_survive_sigkill_and_retries_do_not_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut floor = Floor::start(&data);
    let tokens = floor.create_room("main-hall").await;
    // Curators: one open entry per person is irrelevant here (names are
    // unique); each writer is its own runner device.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let client = Client::connect(&floor, tokens.hello("runner", &format!("runner-{w}"))).await;
        tasks.push(tokio::spawn(writer(client, w, tx.clone())));
    }
    drop(tx);

    // Kill as soon as the first acknowledgements arrive, with most
    // submissions still in flight.
    let mut acked_before: HashMap<String, Value> = HashMap::new();
    let (id, ack) = rx.recv().await.expect("a first ack");
    acked_before.insert(id, ack);
    floor.kill();
    while let Some((id, ack)) = rx.recv().await {
        acked_before.insert(id, ack);
    }
    for task in tasks {
        task.await.unwrap();
    }
    let total = WRITERS * PER_WRITER;
    assert!(!acked_before.is_empty() && acked_before.len() <= total);

    // Restart on the same data: every acknowledged entry is there, at the
    // seq its ack named.
    let floor = Floor::start(&data);
    let snapshot = floor.snapshot(&tokens).await;
    let entries = snapshot["room"]["entries"].as_array().unwrap();
    let by_seq: BTreeMap<u64, &Value> = entries
        .iter()
        .map(|e| (e["seq"].as_u64().unwrap(), e))
        .collect();
    for ack in acked_before.values() {
        let seq = ack["first_seq"].as_u64().unwrap();
        let entry = by_seq.get(&seq).expect("an acknowledged entry survives");
        assert_eq!(entry["id"], ack["entry_id"]);
    }
    let survivors = entries.len();

    // Every writer retries everything with the same request ids.
    let mut answers = 0;
    for w in 0..WRITERS {
        let mut client =
            Client::connect(&floor, tokens.hello("runner", &format!("runner-{w}"))).await;
        for i in 0..PER_WRITER {
            let id = format!("w{w}-{i}");
            let answer = acked(client.command(&id, submit("onsite", &name(w, i))).await);
            if let Some(before) = acked_before.get(&id) {
                assert_eq!(
                    answer["duplicate"], true,
                    "{id} was acknowledged before the crash"
                );
                assert_eq!(answer["entry_id"], before["entry_id"]);
            }
            answers += 1;
        }
    }
    assert_eq!(answers, total);

    // Exactly one entry per request, none lost, none twice.
    let snapshot = floor.snapshot(&tokens).await;
    let entries = snapshot["room"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), total);
    let mut names: Vec<&str> = entries
        .iter()
        .map(|e| e["person"]["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), total);
    assert!(survivors >= acked_before.len());
    eprintln!(
        "crash: {} of {total} acknowledged before SIGKILL, {survivors} in the log after restart",
        acked_before.len()
    );
}
