//! An attacker's checklist against the real broker: a flood of
//! connections from one address is capped; the broker's own client id is
//! refused; the admin API wants its token; invalid UTF-8 closes the
//! connection with 1007; and no token or client id ever appears in a log line (at
//! any level) or an error. Each refusal is clear and changes nothing in
//! any room. Guessing is slowed without locking anyone out: `lockout.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use floor_tests::*;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{self, Message};

/// Tries to open a WebSocket; `Err(status, body)` when the upgrade is
/// refused.
async fn try_open(floor: &Floor) -> Result<Socket, (u16, Value)> {
    match tokio_tungstenite::connect_async(floor.ws_url()).await {
        Ok((ws, _)) => Ok(ws),
        Err(tungstenite::Error::Http(response)) => {
            let status = response.status().as_u16();
            let body = response
                .body()
                .as_deref()
                .and_then(|b| serde_json::from_slice(b).ok())
                .unwrap_or(Value::Null);
            Err((status, body))
        }
        Err(other) => panic!("unexpected: {other}"),
    }
}

#[tokio::test]
async fn one_address_may_hold_only_so_many_connections() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start_with(
        &dir.path().join("data"),
        &["--max-connections-per-address", "3"],
    );
    let tokens = floor.create_room("r").await;
    let mut held = Vec::new();
    for i in 0..3 {
        held.push(Client::connect(&floor, tokens.hello("display", &format!("screen-{i}"))).await);
    }
    let (status, body) = try_open(&floor).await.expect_err("the fourth is refused");
    assert_eq!(status, 429);
    assert_eq!(body["error"], "too_many_connections", "{body}");
    assert!(body["message"].as_str().unwrap().contains("3 connections"));

    // Once one closes, the address may connect again.
    let mut gone = held.pop().unwrap();
    gone.send_raw(Message::Close(None)).await;
    gone.closed().await;
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        match try_open(&floor).await {
            Ok(_) => break,
            Err((429, _)) if tokio::time::Instant::now() < deadline => {
                // The broker counts the closed socket out when its task ends.
                tokio::task::yield_now().await;
            }
            Err(other) => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn the_brokers_own_client_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r").await;
    let mut client = Client::raw(Client::open(&floor).await);
    client.send(&tokens.hello("chair", "floor-broker")).await;
    let answer = refused(client.next().await, "invalid_message");
    assert!(
        answer["message"].as_str().unwrap().contains("reserved"),
        "{answer}"
    );
    assert_eq!(u16::from(client.closed().await.unwrap().code), 4002);
    // The comparison is exact, as the broker's own keys are.
    let chair = Client::connect(&floor, tokens.hello("chair", "Floor-Broker")).await;
    assert_eq!(chair.welcome["role"], "chair");
}

#[tokio::test]
async fn the_admin_api_wants_the_admin_token() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r").await;
    let create = json!({"id": "intruder", "title": "Intruder"});
    for token in ["", "wrong", tokens.role("chair"), tokens.role("display")] {
        let calls = [
            ("POST", "/api/rooms", Some(create.clone())),
            ("GET", "/api/rooms", None),
            (
                "POST",
                "/api/rooms/r/rotate",
                Some(json!({"roles": ["chair"]})),
            ),
        ];
        for (method, path, body) in calls {
            let (status, answer) = floor.http(method, path, token, body).await;
            assert_eq!(status, 401, "{method} {path} with {token:?}: {answer}");
            assert!(answer["message"].is_string(), "a clear error: {answer}");
        }
        if token.is_empty() || token == "wrong" {
            let (status, _) = floor.http("GET", "/api/rooms/r", token, None).await;
            assert_eq!(status, 401);
        }
    }
    // Nothing changed: one room, and its chair token still works.
    let (status, rooms) = floor.http("GET", "/api/rooms", ADMIN, None).await;
    assert_eq!(status, 200);
    assert_eq!(rooms.to_string().matches("\"id\"").count(), 1, "{rooms}");
    let chair = Client::connect(&floor, tokens.hello("chair", "chair")).await;
    assert_eq!(chair.welcome["role"], "chair");
}

/// A raw text frame (which a client's library would refuse to build from
/// bytes that are not UTF-8), `last` when it ends its message.
fn raw_text_frame(payload: &[u8], first: bool, last: bool) -> Message {
    use tungstenite::protocol::frame::Frame;
    use tungstenite::protocol::frame::coding::{Data, OpCode};
    let opcode = if first { Data::Text } else { Data::Continue };
    Message::Frame(Frame::message(payload.to_vec(), OpCode::Data(opcode), last))
}

#[tokio::test]
async fn invalid_utf8_closes_the_connection_with_1007_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r").await;
    let close_code =
        |frame: Option<tungstenite::protocol::CloseFrame>| frame.map(|f| u16::from(f.code));

    // After the hello: one text frame.
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    runner
        .send_raw(raw_text_frame(b"{\xff\xfe}", true, true))
        .await;
    assert_eq!(close_code(runner.closed().await), Some(1007));

    // After the hello: a fragmented message, its first fragment valid.
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner-2")).await;
    runner
        .send_raw(raw_text_frame(b"{\"type\":", true, false))
        .await;
    runner
        .send_raw(raw_text_frame(b"\"sync\xc3\x28\"}", false, true))
        .await;
    assert_eq!(close_code(runner.closed().await), Some(1007));

    // Before the hello: the first frame.
    let mut stranger = Client::raw(Client::open(&floor).await);
    stranger
        .send_raw(raw_text_frame(b"\xc0\xaf", true, true))
        .await;
    assert_eq!(close_code(stranger.closed().await), Some(1007));

    assert_eq!(floor.snapshot(&tokens).await["room"]["seq"], 0);
    // The broker still serves others.
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner-3")).await;
    acked(runner.command("a", submit("onsite", "Amina")).await);
}

#[tokio::test]
async fn no_token_appears_in_the_log_or_in_an_error() {
    no_secret_in_the_log_or_an_error(None).await;
}

#[tokio::test]
async fn no_token_or_client_id_appears_even_in_trace_logs() {
    no_secret_in_the_log_or_an_error(Some("trace")).await;
}

/// A session, a wrong token, another room's token, a revoked token, and a
/// role command, with the broker logging at `filter` (the tests' default
/// when `None`): no token appears in the broker's log or in any answer,
/// and, at trace, no client id in the logs of the broker and the command.
async fn no_secret_in_the_log_or_an_error(filter: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut floor = match filter {
        Some(filter) => Floor::start_logging(&data, &[], filter),
        None => Floor::start(&data),
    };
    let tokens = floor.create_room("r").await;
    let secrets: Vec<String> = ["chair", "moderator", "runner", "participant", "display"]
        .iter()
        .map(|role| tokens.role(role).to_owned())
        .chain([ADMIN.to_owned()])
        .collect();
    let mut answers = Vec::new();
    // A session, a wrong token, another room's token, a revoked token.
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner-secret-id")).await;
    acked(runner.command("a", submit("onsite", "Amina")).await);
    answers.push(runner.command("b", json!({"type": "next"})).await);
    let other = floor.create_room("other").await;
    let mut hello = tokens.hello("chair", "other-room-secret-id");
    hello["token"] = json!(other.role("chair"));
    let mut client = Client::raw(Client::open(&floor).await);
    client.send(&hello).await;
    answers.push(client.next().await);
    let (_, rotated) = floor
        .http(
            "POST",
            "/api/rooms/r/rotate",
            ADMIN,
            Some(json!({"roles": ["runner"]})),
        )
        .await;
    answers.push(rotated.clone());
    answers.push(runner.next().await);
    let (_, refused_http) = floor
        .http("GET", "/api/rooms/r", tokens.role("runner"), None)
        .await;
    answers.push(refused_http);
    // A role command from the command line, logging at the same level.
    let command = std::process::Command::new(floor_bin())
        .args(["chair", "next", "--client-id", "chair-cli-secret-id"])
        .env("FLOOR_URL", tokens.link(&floor, "chair"))
        .env("FLOOR_LOG", filter.unwrap_or("error"))
        .output()
        .unwrap();
    let command_log = String::from_utf8_lossy(&command.stderr).into_owned();
    floor.terminate();
    let broker_log = std::fs::read_to_string(data.with_extension("log")).unwrap();
    assert!(
        broker_log.contains("room created"),
        "the log is the broker's: {broker_log:.400}"
    );
    let mut secrets = secrets;
    if filter.is_some() {
        // The level took: the broker's own debug lines are there.
        assert!(
            broker_log.contains("connection welcomed"),
            "{broker_log:.400}"
        );
        secrets.extend(
            [
                "runner-secret-id",
                "other-room-secret-id",
                "chair-cli-secret-id",
            ]
            .map(String::from),
        );
    }
    let log = format!("{broker_log}\n{command_log}");
    for secret in &secrets {
        assert!(!log.contains(secret.as_str()), "{secret} in the log");
        for answer in &answers {
            assert!(
                !answer.to_string().contains(secret.as_str()),
                "a token in {answer}"
            );
        }
    }
}

#[tokio::test]
async fn a_handshake_that_never_completes_is_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r").await;
    // One says nothing at all; one sends half a request head; one is
    // upgraded but never says hello.
    let mut silent = tokio::net::TcpStream::connect(floor.addr).await.unwrap();
    let mut partial = tokio::net::TcpStream::connect(floor.addr).await.unwrap();
    partial
        .write_all(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")
        .await
        .unwrap();
    let mut mute = Client::raw(Client::open(&floor).await);
    // Meanwhile the broker serves everyone else.
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    acked(runner.command("a", submit("onsite", "Amina")).await);
    for socket in [&mut silent, &mut partial] {
        let mut buffer = [0u8; 256];
        let read = tokio::time::timeout(DEADLINE, socket.read(&mut buffer))
            .await
            .expect("closed by the broker in time");
        assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    }
    refused(mute.next().await, "hello_required");
    mute.closed().await;
}

#[tokio::test]
async fn every_role_is_refused_every_command_the_permission_table_denies() {
    use floor_core::permission::{self, Action, Issuer, Target};
    use floor_protocol::{Channel, ClientKey, Role};

    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let mut moderator = Client::connect(&floor, tokens.hello("moderator", "moderator")).await;
    let onsite = acked(runner.command("a", submit("onsite", "Amina")).await)["entry_id"].clone();
    let online = acked(moderator.command("b", submit("online", "Bo")).await)["entry_id"].clone();
    let state = |mut snapshot: Value| {
        let room = snapshot["room"].as_object_mut().unwrap();
        room.remove("seq");
        room.remove("attendance_peak");
        snapshot["room"].take()
    };
    let before = state(floor.snapshot(&tokens).await);
    let submitter = |channel: Channel| {
        floor_broker::auth::client_key(if channel == Channel::Onsite {
            "runner"
        } else {
            "moderator"
        })
    };

    // One command of each action; entry actions on each channel.
    let entry_commands = |id: &Value, channel: Channel| -> Vec<(Action, Value)> {
        vec![
            (Action::Submit, submit(channel.as_str(), "Probe Person")),
            (
                Action::Edit,
                json!({"type": "edit", "entry_id": id, "patch": {"text": "x"}}),
            ),
            (Action::Approve, json!({"type": "approve", "entry_id": id})),
            (Action::Reject, json!({"type": "reject", "entry_id": id})),
            (
                Action::Merge,
                json!({"type": "merge", "entry_id": id, "into": id}),
            ),
            (
                Action::Withdraw,
                json!({"type": "withdraw", "entry_id": id}),
            ),
            (
                Action::MicInHand,
                json!({"type": "mic_in_hand", "entry_id": id}),
            ),
            (Action::Call, json!({"type": "call", "entry_id": id})),
            (Action::Pin, json!({"type": "pin", "entry_id": id})),
            (Action::Unpin, json!({"type": "unpin", "entry_id": id})),
        ]
    };
    let programme =
        json!({"phases": [{"title": "Open floor", "kind": "open_floor", "minutes": 40}]});
    let room_commands: Vec<(Action, Value)> = vec![
        (Action::Next, json!({"type": "next"})),
        (Action::Finish, json!({"type": "finish"})),
        (Action::UndoCall, json!({"type": "undo_call"})),
        (
            Action::UpdateSettings,
            json!({"type": "update_settings", "patch": {"speaking_limit_s": 90}}),
        ),
        (Action::OpenQueue, json!({"type": "open_queue"})),
        (Action::CloseQueue, json!({"type": "close_queue"})),
        (
            Action::SetProgramme,
            json!({"type": "set_programme", "programme": programme}),
        ),
        (
            Action::StartPhase,
            json!({"type": "start_phase", "phase": 0}),
        ),
        (Action::NextPresenter, json!({"type": "next_presenter"})),
        (
            Action::SetRemoteAudience,
            json!({"type": "set_remote_audience", "count": 5}),
        ),
        (
            Action::RecordAttendance,
            json!({"type": "record_attendance", "connected": {"onsite": 1, "online": 1}}),
        ),
    ];
    let mut covered: Vec<Action> = room_commands.iter().map(|(a, _)| *a).collect();
    covered.extend(
        entry_commands(&onsite, Channel::Onsite)
            .iter()
            .map(|(a, _)| *a),
    );
    for action in Action::all() {
        assert!(covered.contains(&action), "{action:?} is not probed");
    }

    let mut denied = 0;
    for role in [
        Role::Chair,
        Role::Moderator,
        Role::Runner,
        Role::Participant,
        Role::Display,
    ] {
        let client_id = format!("{}-probe", role.as_str());
        let mut hello = tokens.hello(role.as_str(), &client_id);
        hello["channel"] = json!("onsite");
        let mut client = Client::connect(&floor, hello).await;
        let key: ClientKey = floor_broker::auth::client_key(&client_id);
        let issuer = Issuer {
            role,
            client: &key,
            channel: Some(Channel::Onsite),
        };
        let mut probes: Vec<(Action, Value, bool)> = Vec::new();
        for (action, command) in &room_commands {
            // The broker records attendance itself; no client may.
            let allowed =
                *action != Action::RecordAttendance && permission::allowed_on_room(role, *action);
            probes.push((*action, command.clone(), allowed));
        }
        for (id, channel) in [(&onsite, Channel::Onsite), (&online, Channel::Online)] {
            let owner = submitter(channel);
            for (action, command) in entry_commands(id, channel) {
                let target = Target {
                    channel,
                    submitter: (action != Action::Submit).then_some(&owner),
                };
                probes.push((action, command, permission::allowed(issuer, action, target)));
            }
        }
        for (i, (action, command, allowed)) in probes.into_iter().enumerate() {
            if allowed {
                continue;
            }
            denied += 1;
            let answer = client.command(&format!("x{i}"), command.clone()).await;
            assert_eq!(answer["type"], "error", "{role:?} {action:?}: {answer}");
            let code = answer["code"].as_str().unwrap();
            assert!(
                code == "forbidden" || (role == Role::Participant && code == "channel_mismatch"),
                "{role:?} {action:?} {command}: {answer}"
            );
            assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }
    assert!(denied >= 60, "only {denied} denials probed");
    assert_eq!(
        state(floor.snapshot(&tokens).await),
        before,
        "nothing changed"
    );
}

#[tokio::test]
async fn compression_is_never_negotiated_so_no_compressed_frame_can_expand() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let mut request = floor.ws_url().into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Extensions",
        "permessage-deflate; client_max_window_bits"
            .parse()
            .unwrap(),
    );
    let (_ws, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(response.status().as_u16(), 101);
    assert!(
        response.headers().get("sec-websocket-extensions").is_none(),
        "{:?}",
        response.headers()
    );
}
