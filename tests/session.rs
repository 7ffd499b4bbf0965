//! A scripted session against the real broker: the runner and the online
//! moderator add requests, the chair calls next until the queue is empty,
//! and a display sees every event in order and ends with the broker's
//! projected order.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use floor_tests::*;
use serde_json::json;

#[tokio::test]
async fn a_scripted_session_reaches_every_screen_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("ws235").await;

    let mut display = Client::connect(&floor, tokens.hello("display", "projector")).await;
    assert_eq!(display.welcome["role"], "display");
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner-phone")).await;
    let mut moderator =
        Client::connect(&floor, tokens.hello("moderator", "moderator-laptop")).await;
    let mut chair = Client::connect(&floor, tokens.hello("chair", "chair-laptop")).await;

    for (i, name) in ["Amina Diallo", "Tomás Ruiz", "Li Wei"].iter().enumerate() {
        acked(
            runner
                .command(&format!("hand-{i}"), submit("onsite", name))
                .await,
        );
    }
    for (i, name) in ["Nandini Chami", "Kwame Mensah"].iter().enumerate() {
        acked(
            moderator
                .command(&format!("remote-{i}"), submit("online", name))
                .await,
        );
    }

    // The projected order interleaves the channels, and the chair's calls
    // follow it.
    for i in 0.. {
        let answer = chair
            .command(&format!("next-{i}"), json!({"type": "next"}))
            .await;
        if answer["type"] == "error" {
            refused(answer, "nothing_to_call");
            break;
        }
        acked(answer);
    }
    let names: Vec<String> = chair
        .events
        .iter()
        .filter(|e| e["event"]["type"] == "speaker_called")
        .map(|e| {
            let id = &e["event"]["entry_id"];
            let submitted = chair
                .events
                .iter()
                .find(|s| {
                    s["event"]["type"] == "entry_submitted" && &s["event"]["entry"]["id"] == id
                })
                .unwrap();
            submitted["event"]["entry"]["person"]["name"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "Amina Diallo",
            "Nandini Chami",
            "Tomás Ruiz",
            "Kwame Mensah",
            "Li Wei"
        ]
    );

    // The display saw every event, gapless, and ends with the broker's
    // projected order and state.
    let head = chair.seq;
    display.follow_to(head).await;
    assert_eq!(display.events.len() as u64, head);
    let snapshot = floor.snapshot(&tokens).await;
    assert_eq!(snapshot["room"]["seq"].as_u64(), Some(head));
    assert_eq!(display.order, snapshot["order"]);
    assert_eq!(display.events, chair.events);
}

#[tokio::test]
async fn the_issuer_sees_its_events_before_its_ack() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r1").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let ack = acked(runner.command("r-1", submit("onsite", "Ana")).await);
    assert_eq!(runner.seq, ack["last_seq"].as_u64().unwrap());
    assert!(ack["entry_id"].is_string());
    // A repeat of the same request id is acknowledged as a duplicate and
    // creates nothing.
    let again = acked(runner.command("r-1", submit("onsite", "Ana")).await);
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["entry_id"], ack["entry_id"]);
    let snapshot = floor.snapshot(&tokens).await;
    assert_eq!(snapshot["room"]["entries"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_demo_room_opens_with_working_links() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start_with(&dir.path().join("data"), &["--demo"]);
    let chair_link = floor
        .banner
        .iter()
        .find(|l| l.contains("/r/ws235/chair#token="))
        .expect("a chair link");
    let token = chair_link.split("#token=").nth(1).unwrap().trim();
    let hello =
        json!({"type": "hello", "protocol": 1, "room": "ws235", "token": token, "client_id": "c"});
    let chair = Client::connect(&floor, hello).await;
    assert_eq!(chair.welcome["role"], "chair");
    assert!(
        chair.welcome["room"]["title"]
            .as_str()
            .unwrap()
            .contains("WS #235")
    );
}

#[tokio::test]
async fn every_role_link_opens_its_page() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    floor.create_room("ws235").await;
    for page in ["chair", "moderator", "runner", "join", "display"] {
        let (status, body) = floor
            .http("GET", &format!("/r/ws235/{page}"), "", None)
            .await;
        assert_eq!(status, 200);
        let html = body.as_str().unwrap();
        assert!(
            html.contains(&format!("../../assets/{page}.js")),
            "{page}: {html}"
        );
        let (status, script) = floor
            .http("GET", &format!("/assets/{page}.js"), "", None)
            .await;
        assert_eq!(status, 200);
        assert!(script.as_str().unwrap().contains("import"));
    }
    let (status, _) = floor.http("GET", "/assets/nope.js", "", None).await;
    assert_eq!(status, 404);
    let (status, svg) = floor
        .http(
            "POST",
            "/qr.svg",
            "",
            Some(serde_json::json!("http://h/r/ws235/join#token=t")),
        )
        .await;
    assert_eq!(status, 200);
    assert!(svg.as_str().unwrap().contains("<svg"));
    let (status, _) = floor.http("POST", "/qr.svg", "", None).await;
    assert_eq!(status, 400);
    let (status, _) = floor.http("GET", "/r/nope/display", "", None).await;
    assert_eq!(status, 404);
    let (status, _) = floor.http("GET", "/r/ws235/admin", "", None).await;
    assert_eq!(status, 404);
}
