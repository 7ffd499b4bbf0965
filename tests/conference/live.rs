//! The venue dashboard's feed (`/conference/ws`).

use std::collections::BTreeMap;

use floor_tests::*;
use serde_json::{Value, json};

use crate::{now_ms, sheet_tokens, small_programme};

/// A venue dashboard's subscription (`/conference/ws`).
struct Dashboard {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    /// The latest summary of each room.
    rooms: BTreeMap<String, Value>,
}

impl Dashboard {
    /// Subscribes with `token`; returns the dashboard and its first
    /// message.
    async fn watch(floor: &Floor, token: &str) -> (Dashboard, Value) {
        use futures_util::SinkExt;
        let url = format!("ws://{}/conference/ws", floor.addr);
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let watch = json!({"type": "watch", "token": token}).to_string();
        socket
            .send(tokio_tungstenite::tungstenite::Message::text(watch))
            .await
            .unwrap();
        let mut dashboard = Dashboard {
            socket,
            rooms: BTreeMap::new(),
        };
        let first = dashboard.next().await;
        (dashboard, first)
    }

    async fn next(&mut self) -> Value {
        use futures_util::StreamExt;
        loop {
            let message = tokio::time::timeout(DEADLINE, self.socket.next())
                .await
                .expect("a message in time")
                .expect("the socket is open")
                .expect("a frame");
            let tokio_tungstenite::tungstenite::Message::Text(text) = message else {
                continue;
            };
            let value: Value = serde_json::from_str(text.as_str()).unwrap();
            match value["type"].as_str() {
                Some("conference") => {
                    self.rooms = value["rooms"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|s| (s["room"].as_str().unwrap().to_owned(), s.clone()))
                        .collect();
                }
                Some("room") => {
                    let summary = &value["summary"];
                    self.rooms.insert(
                        summary["room"].as_str().unwrap().to_owned(),
                        summary.clone(),
                    );
                }
                _ => {}
            }
            return value;
        }
    }

    /// Waits until room `room`'s summary satisfies `done`; returns it.
    async fn until(&mut self, room: &str, done: impl Fn(&Value) -> bool) -> Value {
        loop {
            if let Some(summary) = self.rooms.get(room)
                && done(summary)
            {
                return summary.clone();
            }
            self.next().await;
        }
    }
}

fn has_warning(summary: &Value, kind: &str) -> bool {
    summary["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["kind"] == kind)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_feed_follows_each_room_and_warns_when_a_person_is_needed() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(dir.path());
    crate::put_programme(&floor, small_programme(now_ms())).await;

    // A wrong token is refused.
    let url = format!("ws://{}/conference/ws", floor.addr);
    let (mut wrong, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    {
        use futures_util::{SinkExt, StreamExt};
        let watch = json!({"type": "watch", "token": "nope"}).to_string();
        wrong
            .send(tokio_tungstenite::tungstenite::Message::text(watch))
            .await
            .unwrap();
        let answer = wrong.next().await.unwrap().unwrap();
        let answer: Value = serde_json::from_str(answer.to_text().unwrap()).unwrap();
        assert_eq!(answer["code"], "unauthorized", "{answer}");
    }

    let (mut dashboard, first) = Dashboard::watch(&floor, ADMIN).await;
    assert_eq!(first["type"], "conference", "{first}");
    assert_eq!(first["sessions"].as_array().unwrap().len(), 2);
    let quiet = dashboard.until("ws-1", |_| true).await;
    assert!(quiet["warnings"].as_array().unwrap().is_empty(), "{quiet}");

    let tokens = sheet_tokens(&floor, "ws-1").await;
    let mut chair = Client::connect(&floor, tokens.hello("chair", "chair")).await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let summary = dashboard
        .until("ws-1", |s| {
            s["screens"]["chair"] == 1 && s["screens"]["runner"] == 1
        })
        .await;
    assert_eq!(summary["screens"]["display"], 0);

    // A hand, then the chair calls it: the speaker is on the dashboard.
    acked(runner.command("hand", submit("onsite", "Ana")).await);
    dashboard
        .until("ws-1", |s| s["waiting"]["onsite"] == 1)
        .await;
    let ack = chair.command("next", json!({"type": "next"})).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let summary = dashboard
        .until("ws-1", |s| s["speaker"]["name"] == "Ana")
        .await;
    assert_eq!(summary["speaker"]["channel"], "onsite");
    assert_eq!(summary["waiting"]["onsite"], 0);

    // The queue closed with a hand waiting.
    runner
        .command(
            "hand-2",
            json!({"type": "submit", "entry": {"channel": "onsite", "person": {"name": "Bo"}}}),
        )
        .await;
    chair.command("close", json!({"type": "close_queue"})).await;
    dashboard
        .until("ws-1", |s| has_warning(s, "queue_closed_with_waiting"))
        .await;
    chair.command("open", json!({"type": "open_queue"})).await;
    dashboard
        .until("ws-1", |s| !has_warning(s, "queue_closed_with_waiting"))
        .await;

    // An online question, and no online moderator's screen.
    let mut moderator = Client::connect(&floor, tokens.hello("moderator", "moderator")).await;
    let ack = moderator
        .command(
            "remote",
            json!({"type": "submit", "entry": {"channel": "online", "person": {"name": "Remote"}}}),
        )
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert!(!has_warning(
        &dashboard
            .until("ws-1", |s| s["waiting"]["online"] == 1)
            .await,
        "no_moderator"
    ));
    drop(moderator);
    dashboard
        .until("ws-1", |s| has_warning(s, "no_moderator"))
        .await;

    // A phase under way: its over-time warning holds from 2 minutes past
    // the presenter's planned end.
    let ack = chair
        .command("phase", json!({"type": "start_phase", "phase": 0}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let ack = chair
        .command("presenter", json!({"type": "next_presenter"}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let summary = dashboard
        .until("ws-1", |s| s["presenter"]["name"] == "Roberto Bissio")
        .await;
    let deadline = summary["presenter"]["deadline_ms"].as_u64().unwrap();
    let over = summary["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == "over_time")
        .expect("an over-time warning from a time");
    assert_eq!(over["since_ms"].as_u64().unwrap(), deadline + 120_000);
    assert_eq!(summary["phase"]["title"], "Presentations");

    // The other room never loaded by anyone: its summary is there, quiet.
    assert_eq!(dashboard.rooms["ws-2"]["screens"]["chair"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dashboard_on_one_broker_sees_the_rooms_of_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let (_nats, a, b) = crate::two_brokers(dir.path()).await;
    crate::put_programme(&a, small_programme(now_ms())).await;
    let (mut dashboard, _) = Dashboard::watch(&a, ADMIN).await;

    // Screens on B, the hand called on B: A's dashboard shows both.
    let tokens = sheet_tokens(&b, "ws-2").await;
    let mut chair = welcomed(&b, &tokens.hello("chair", "chair-b")).await;
    let mut runner = welcomed(&b, &tokens.hello("runner", "runner-b")).await;
    dashboard
        .until("ws-2", |s| {
            s["screens"]["chair"] == 1 && s["screens"]["runner"] == 1
        })
        .await;
    runner
        .command(
            "hand",
            json!({"type": "submit", "entry": {"channel": "onsite", "person": {"name": "Ana"}}}),
        )
        .await;
    chair.command("next", json!({"type": "next"})).await;
    dashboard
        .until("ws-2", |s| s["speaker"]["name"] == "Ana")
        .await;
    // A projector on A too: screens are added up across brokers.
    let _display = welcomed(&a, &tokens.hello("display", "display-a")).await;
    dashboard
        .until("ws-2", |s| {
            s["screens"]["display"] == 1 && s["screens"]["chair"] == 1
        })
        .await;
    // An import through B reaches A's dashboard as a new picture.
    let mut changed = small_programme(now_ms());
    changed["sessions"][0]["title"] = json!("Workshop one, renamed");
    let (status, body) = b.http("PUT", "/api/conference", ADMIN, Some(changed)).await;
    assert_eq!(status, 200, "{body}");
    loop {
        let message = dashboard.next().await;
        if message["type"] == "conference"
            && message["sessions"][0]["title"] == "Workshop one, renamed"
        {
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dashboard_keeps_no_idle_room_loaded_and_follows_a_room_that_wakes() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start_with(&dir.path().join("data"), &["--unload-idle-after", "0.2"]);
    crate::put_programme(&floor, small_programme(now_ms())).await;
    let (mut dashboard, _) = Dashboard::watch(&floor, ADMIN).await;
    dashboard.until("ws-1", |_| true).await;
    dashboard.until("ws-2", |_| true).await;
    // A dashboard watching every session keeps none of their rooms in
    // memory once they are idle.
    wait_for_loaded(&floor, 0).await;

    // A hand in one room: that room alone loads, and the dashboard
    // follows it.
    let tokens = sheet_tokens(&floor, "ws-1").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    acked(runner.command("hand", submit("onsite", "Ana")).await);
    dashboard
        .until("ws-1", |s| s["waiting"]["onsite"] == 1)
        .await;
    assert_eq!(metric(&floor, "floor_rooms_loaded").await, 1);

    // Idle again, it unloads; a dashboard opened now still reads its last
    // summary, and loads nothing to stay open.
    drop(runner);
    wait_for_loaded(&floor, 0).await;
    let (mut later, _) = Dashboard::watch(&floor, ADMIN).await;
    later.until("ws-1", |s| s["waiting"]["onsite"] == 1).await;
    wait_for_loaded(&floor, 0).await;
    drop(dashboard);
}
