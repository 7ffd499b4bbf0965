//! The event's participation report, checked against sessions driven
//! here.

use std::collections::BTreeMap;

use floor_tests::*;
use serde_json::{Value, json};

use crate::{now_ms, sheet_tokens, small_programme};

/// Runs `commands` in room `room` as `role` (each acknowledged).
async fn drive(floor: &Floor, room: &str, role: &str, commands: &[Value]) {
    let tokens = sheet_tokens(floor, room).await;
    let mut client = welcomed(floor, &tokens.hello(role, &format!("{room}-{role}"))).await;
    for (i, command) in commands.iter().enumerate() {
        let answer = client
            .command(&format!("{role}-{i}"), command.clone())
            .await;
        assert_eq!(answer["type"], "ack", "{command}: {answer}");
    }
}

fn hand(channel: &str, name: &str) -> Value {
    json!({"type": "submit", "entry": {"channel": channel, "person": {"name": name}}})
}

/// Two sessions driven: room I gets two hands from the room and one
/// question from online, all called; room II one online question,
/// called. Checks the conference report's figures on `reader`.
async fn drive_and_check_the_report(writer: &Floor, reader: &Floor, ops: &str) {
    drive(
        writer,
        "ws-1",
        "runner",
        &[hand("onsite", "Ana"), hand("onsite", "Bo")],
    )
    .await;
    drive(writer, "ws-1", "moderator", &[hand("online", "Remote")]).await;
    let next = json!({"type": "next"});
    drive(
        writer,
        "ws-1",
        "chair",
        &[next.clone(), next.clone(), next.clone()],
    )
    .await;
    drive(writer, "ws-2", "moderator", &[hand("online", "Far away")]).await;
    drive(writer, "ws-2", "chair", std::slice::from_ref(&next)).await;

    let (status, report) = reader
        .http("GET", "/api/conference/report?format=json", ops, None)
        .await;
    assert_eq!(status, 200, "{report}");
    let rows: BTreeMap<String, Value> = report["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_owned(), r.clone()))
        .collect();
    assert_eq!(rows["ws-1"]["requests"], json!({"onsite": 2, "online": 1}));
    assert_eq!(rows["ws-1"]["turns"], json!({"onsite": 2, "online": 1}));
    assert_eq!(rows["ws-2"]["turns"], json!({"onsite": 0, "online": 1}));
    assert_eq!(rows["ws-2"]["online_turn_share_pct"], json!(100.0));
    assert_eq!(report["totals"]["turns"], json!({"onsite": 2, "online": 2}));
    assert_eq!(report["totals"]["online_turn_share_pct"], json!(50.0));
    let by_location: BTreeMap<String, Value> = report["by_location"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap().to_owned(), r.clone()))
        .collect();
    assert_eq!(
        by_location["Room II"]["turns"],
        json!({"onsite": 0, "online": 1})
    );
    assert_eq!(
        by_location["Room I"]["turns"],
        json!({"onsite": 2, "online": 1})
    );
    let (status, csv) = reader
        .http("GET", "/api/conference/report?format=csv", ops, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(csv.as_str().unwrap().lines().count(), 3, "{csv}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conference_report_counts_what_the_sessions_did() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(dir.path());
    crate::put_programme(&floor, small_programme(now_ms())).await;
    let (_, ops) = floor
        .http("POST", "/api/conference/ops-token", ADMIN, None)
        .await;
    drive_and_check_the_report(&floor, &floor, ops["token"].as_str().unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conference_report_of_two_brokers_counts_both() {
    let dir = tempfile::tempdir().unwrap();
    let (_nats, a, b) = crate::two_brokers(dir.path()).await;
    crate::put_programme(&a, small_programme(now_ms())).await;
    drive_and_check_the_report(&a, &b, ADMIN).await;
}
