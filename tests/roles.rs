//! Roles and handshakes: each role's forbidden commands are refused, a
//! wrong token is refused, and a cross-origin browser handshake is refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use floor_tests::tungstenite::client::IntoClientRequest;
use floor_tests::tungstenite::http::HeaderValue;
use floor_tests::*;
use serde_json::{Value, json};

/// Commands each role may not issue, against an onsite and an online entry.
fn forbidden(role: &str, onsite: &Value, online: &Value) -> Vec<Value> {
    let chair_only = vec![
        json!({"type": "next"}),
        json!({"type": "call", "entry_id": onsite}),
        json!({"type": "pin", "entry_id": onsite}),
        json!({"type": "finish"}),
        json!({"type": "update_settings", "patch": {"moderated": true}}),
        json!({"type": "close_queue"}),
    ];
    let mut list = chair_only;
    match role {
        "moderator" => list.extend([
            submit("onsite", "Someone in the room"),
            json!({"type": "reject", "entry_id": onsite}),
            json!({"type": "mic_in_hand", "entry_id": onsite}),
        ]),
        "runner" => list.extend([
            submit("online", "Someone remote"),
            json!({"type": "edit", "entry_id": online, "patch": {"text": "changed"}}),
            json!({"type": "withdraw", "entry_id": online}),
        ]),
        "participant" => list.extend([
            json!({"type": "withdraw", "entry_id": onsite}),
            json!({"type": "approve", "entry_id": online}),
        ]),
        "display" => list.extend([
            submit("onsite", "A display"),
            json!({"type": "withdraw", "entry_id": onsite}),
        ]),
        _ => unreachable!(),
    }
    list
}

#[tokio::test]
async fn each_role_is_refused_what_it_may_not_do() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let mut moderator = Client::connect(&floor, tokens.hello("moderator", "moderator")).await;
    let onsite = acked(runner.command("a", submit("onsite", "Amina")).await)["entry_id"].clone();
    let online = acked(moderator.command("b", submit("online", "Bo")).await)["entry_id"].clone();
    // The room as it stands, but for what the broker records by itself:
    // a participant connecting raises the attendance peak.
    let state = |mut snapshot: serde_json::Value| {
        let room = snapshot["room"].as_object_mut().unwrap();
        room.remove("seq");
        room.remove("attendance_peak");
        snapshot["room"].take()
    };
    let head = state(floor.snapshot(&tokens).await);

    for role in ["moderator", "runner", "participant", "display"] {
        let mut hello = tokens.hello(role, &format!("{role}-probe"));
        hello["channel"] = json!("onsite");
        let mut client = Client::connect(&floor, hello).await;
        assert_eq!(client.welcome["role"], role);
        for (i, command) in forbidden(role, &onsite, &online).into_iter().enumerate() {
            let answer = client.command(&format!("x{i}"), command.clone()).await;
            assert_eq!(answer["type"], "error", "{role} {command}: {answer}");
            let code = answer["code"].as_str().unwrap();
            assert!(
                code == "forbidden" || (role == "participant" && code == "channel_mismatch"),
                "{role} {command}: {answer}"
            );
        }
    }
    // Nothing changed.
    assert_eq!(state(floor.snapshot(&tokens).await), head);
}

#[tokio::test]
async fn a_wrong_token_is_refused_and_the_connection_closed() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r").await;
    let other = floor.create_room("other").await;
    for hello in [
        json!({"type": "hello", "protocol": 1, "room": "r", "token": "0123456789abcdef0123456789abcdef", "client_id": "c"}),
        // A real token of another room opens nothing here.
        json!({"type": "hello", "protocol": 1, "room": "r", "token": other.role("chair"), "client_id": "c"}),
    ] {
        let ws = Client::open(&floor).await;
        let mut client = client_on(ws);
        client.send(&hello).await;
        let answer = client.next().await;
        refused(answer, "unauthorized");
        assert_eq!(client.closed().await.map(|f| u16::from(f.code)), Some(4002));
    }
    let ws = Client::open(&floor).await;
    let mut client = client_on(ws);
    client
        .send(&json!({"type": "hello", "protocol": 1, "room": "nope", "token": tokens.role("chair"), "client_id": "c"}))
        .await;
    refused(client.next().await, "room_not_found");
}

#[tokio::test]
async fn a_rotated_token_stops_working_and_its_connections_close() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r").await;
    let mut chair = Client::connect(&floor, tokens.hello("chair", "chair")).await;
    let (status, body) = floor
        .http(
            "POST",
            "/api/rooms/r/rotate",
            ADMIN,
            Some(json!({"roles": ["chair"]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    refused(chair.next().await, "unauthorized");
    assert_eq!(chair.closed().await.map(|f| u16::from(f.code)), Some(4002));
    let ws = Client::open(&floor).await;
    let mut old = client_on(ws);
    old.send(&tokens.hello("chair", "chair")).await;
    refused(old.next().await, "unauthorized");
    let fresh = json!({"type": "hello", "protocol": 1, "room": "r", "token": body["tokens"]["chair"], "client_id": "chair"});
    let chair = Client::connect(&floor, fresh).await;
    assert_eq!(chair.welcome["role"], "chair");
}

async fn handshake_with_origin(floor: &Floor, origin: &str) -> Result<(), String> {
    let mut request = floor.ws_url().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Origin", HeaderValue::from_str(origin).unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Ok(_) => Ok(()),
        Err(error) => Err(error.to_string()),
    }
}

#[tokio::test]
async fn a_cross_origin_browser_handshake_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start_with(
        &dir.path().join("data"),
        &["--allow-origin", "https://floor.example.org"],
    );
    let error = handshake_with_origin(&floor, "https://evil.example")
        .await
        .unwrap_err();
    assert!(error.contains("403"), "{error}");
    // The broker's own origin and the allowlisted one are let in.
    handshake_with_origin(&floor, &format!("http://{}", floor.addr))
        .await
        .unwrap();
    handshake_with_origin(&floor, "https://floor.example.org")
        .await
        .unwrap();
}

/// A client over an open socket, before any hello.
fn client_on(ws: floor_tests::Socket) -> Client {
    Client::raw(ws)
}
