//! Declared genders against the real broker: no message to any role, live
//! or in a snapshot, carries one or lets it be linked to an entry; the
//! report's totals are exact after a restart, a retry and a refusal; a log
//! written when declarations were events is served without them and still
//! counted. (The shared store's case is in `shared.rs`.) The accounts
//! people are entered with (`person_id`) reach the staff only: a
//! participant's or a display's link never gets one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use floor_tests::{ADMIN, Client, Floor, Tokens, acked, floor_json, refused, submit};
use serde_json::{Value, json};

/// A `submit` declaring a gender.
fn declaring(channel: &str, name: &str, gender: &str) -> Value {
    let mut command = submit(channel, name);
    command["entry"]["gender"] = json!(gender);
    command
}

/// Reads a client's messages until the order that follows event `seq`;
/// returns their text.
async fn read_to(client: &mut Client, seq: u64) -> Vec<String> {
    let mut texts = Vec::new();
    loop {
        let message = client.next().await;
        texts.push(message.to_string());
        if message["type"] == "order" && message["seq"].as_u64() == Some(seq) && client.seq >= seq {
            return texts;
        }
    }
}

/// Sends a command; returns its answer and the text of every message read
/// up to the answer and the order that follows its events.
async fn command(client: &mut Client, request_id: &str, command: Value) -> (Value, Vec<String>) {
    client
        .send(&json!({"type": "command", "request_id": request_id, "command": command}))
        .await;
    let mut texts = Vec::new();
    let mut answer = Value::Null;
    let mut ordered = 0;
    loop {
        let message = client.next().await;
        texts.push(message.to_string());
        if message["type"] == "order" {
            ordered = message["seq"].as_u64().unwrap_or(0);
        }
        if message["request_id"] == request_id {
            answer = message;
        }
        let last = answer["last_seq"].as_u64();
        if last.is_some_and(|last| ordered >= last) {
            return (answer, texts);
        }
    }
}

/// Sends `sync` and returns the snapshot that answers it.
async fn synced(client: &mut Client) -> Value {
    client.send(&json!({"type": "sync"})).await;
    loop {
        let message = client.next().await;
        if message["type"] == "snapshot" {
            return message;
        }
    }
}

/// Asserts that no text names a gender or holds the declared value.
fn no_trace(texts: &[String], declared: &str, whose: &str) {
    for text in texts {
        assert!(
            !text.contains("gender") && !text.contains(declared),
            "{whose} received a trace of the declaration: {text}"
        );
    }
}

/// The report's gender figures, as the chair gets them.
async fn genders(floor: &Floor, tokens: &Tokens) -> Value {
    let path = format!("/api/rooms/{}/report?format=json", tokens.room);
    let (status, report) = floor.http("GET", &path, tokens.role("chair"), None).await;
    assert_eq!(status, 200, "{report}");
    report["genders"].clone()
}

#[tokio::test]
async fn a_declared_gender_reaches_no_role_live_or_in_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("plenary").await;
    let mut watchers = Vec::new();
    for (role, id) in [
        ("chair", "chair"),
        ("moderator", "moderator"),
        ("runner", "runner"),
        ("display", "projector"),
    ] {
        watchers.push((role, Client::connect(&floor, tokens.hello(role, id)).await));
    }
    watchers.push((
        "participant (onsite)",
        Client::connect(&floor, tokens.participant("hall-1", "onsite")).await,
    ));
    let mut eva = Client::connect(&floor, tokens.participant("eva", "online")).await;
    let before = eva.seq;

    // Eva declares a gender; Bo, right after, declares none.
    let (ack, texts) = command(
        &mut eva,
        "eva-1",
        declaring("online", "Eva Novak", "non_binary"),
    )
    .await;
    acked(ack.clone());
    // One event, as for a submit without a gender: no neighbour to link.
    assert_eq!(ack["first_seq"], ack["last_seq"], "{ack}");
    no_trace(&texts, "non_binary", "the participant who declared");
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner-2")).await;
    let (bo, _) = command(&mut runner, "run-1", submit("onsite", "Bo Chen")).await;
    assert_eq!(acked(bo.clone())["first_seq"], bo["last_seq"], "{bo}");
    let head = bo["last_seq"].as_u64().unwrap();

    // Every role's live stream.
    for (role, client) in &mut watchers {
        let texts = read_to(client, head).await;
        assert!(
            texts.iter().any(|t| t.contains("Eva Novak")),
            "{role} saw the entry"
        );
        no_trace(&texts, "non_binary", role);
    }
    // Every role's snapshot on request (`sync`).
    for (role, client) in &mut watchers {
        let snapshot = synced(client).await;
        no_trace(&[snapshot.to_string()], "non_binary", role);
    }
    // A resumed connection's catch-up, from before the submit.
    let epoch = eva.welcome["epoch"].clone();
    let mut hello = tokens.hello("display", "projector-2");
    hello["resume"] = json!({"epoch": epoch, "seq": before});
    let resumed = Client::connect(&floor, hello).await;
    assert!(
        resumed.events.len() as u64 >= head - before,
        "events replayed"
    );
    let mut caught_up: Vec<String> = resumed.events.iter().map(Value::to_string).collect();
    caught_up.push(resumed.caught_up.to_string());
    no_trace(&caught_up, "non_binary", "a resumed display");
    // The HTTP snapshot.
    let snapshot = floor.snapshot(&tokens).await;
    no_trace(
        &[snapshot.to_string()],
        "non_binary",
        "GET /api/rooms/plenary",
    );

    // The report is the chair's (and the admin's) only; with one
    // declaration in two requests, no figure is published.
    let path = "/api/rooms/plenary/report?format=json";
    let (status, _) = floor
        .http("GET", path, tokens.role("participant"), None)
        .await;
    assert_eq!(status, 401);
    let figures = genders(&floor, &tokens).await;
    assert!(
        figures["declared"]
            .as_object()
            .unwrap()
            .values()
            .all(Value::is_null),
        "{figures}"
    );
    assert_eq!(figures["hidden"]["non_binary"], "fewer_than_threshold");
}

#[tokio::test]
async fn the_totals_are_exact_after_a_restart_a_retry_and_a_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut floor = Floor::start(&data);
    let tokens = floor.create_room("plenary").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let mut n = 0;
    for gender in ["woman", "man", "non_binary", "another", ""] {
        for _ in 0..5 {
            n += 1;
            let name = format!("Person {n}");
            let command = if gender.is_empty() {
                submit("onsite", &name)
            } else {
                declaring("onsite", &name, gender)
            };
            acked(runner.command(&format!("r{n}"), command).await);
        }
    }
    // The first request again, with its request id: done once, counted once.
    let again = runner
        .command("r1", declaring("onsite", "Person 1", "woman"))
        .await;
    assert_eq!(acked(again)["duplicate"], true);
    // A refused request counts nothing.
    refused(
        runner
            .command("r99", declaring("online", "Person 99", "woman"))
            .await,
        "forbidden",
    );
    drop(runner);

    floor.restart();
    let want = json!({
        "threshold": 5,
        "requests": 25,
        "withheld": false,
        "declared": {"another": 5, "man": 5, "non_binary": 5, "woman": 5},
        "declared_total": 20,
        "not_given": 5,
        "hidden": {},
    });
    assert_eq!(genders(&floor, &tokens).await, want);
    // `floor report --data`, beside the running broker.
    let report = floor_json([
        "report".as_ref(),
        "plenary".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
    ]);
    assert_eq!(report["genders"], want);
    // And asked of the running broker.
    let server = floor.http_url();
    let report = floor_json([
        "report", "plenary", "--format", "json", "--server", &server, "--token", ADMIN,
    ]);
    assert_eq!(report["genders"], want);
}

#[tokio::test]
async fn a_legacy_log_is_served_without_its_declarations_and_still_counted() {
    use floor_protocol::Gender;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut floor = Floor::start(&data);
    let tokens = floor.create_room("legacy").await;
    floor.terminate();
    // Five of each gender declared, one event after each submission.
    let declared: Vec<(String, Gender)> = (0..20)
        .map(|i| (format!("Legacy {i}"), Gender::ALL[i % 4]))
        .collect();
    let log = floor_tests::legacy_log(&declared);
    {
        let mut store = floor_store::Store::open(&data.join("floor.db")).unwrap();
        let append = floor_store::Append {
            room: "legacy".into(),
            events: log
                .iter()
                .map(|e| (e.seq, serde_json::to_string(e).unwrap()))
                .collect(),
            declarations: vec![],
        };
        for result in store.append(&[append]).unwrap() {
            result.unwrap();
        }
    }
    let mut floor = Floor::start(&data);

    // A display resuming from the first event receives the whole log: each
    // declaration is a `redacted` event at its seq, with no cause and no
    // gender.
    let epoch = Client::connect(&floor, tokens.hello("display", "first"))
        .await
        .welcome["epoch"]
        .clone();
    let mut hello = tokens.hello("display", "projector");
    hello["resume"] = json!({"epoch": epoch, "seq": 0});
    let mut display = Client::connect(&floor, hello).await;
    assert_eq!(display.events.len(), 40);
    let mut texts: Vec<String> = display.events.iter().map(Value::to_string).collect();
    texts.push(display.caught_up.to_string());
    for gender in Gender::ALL {
        no_trace(&texts, gender.as_str(), "a display");
    }
    for event in display.events.iter().skip(1).step_by(2) {
        assert_eq!(event["event"], json!({"type": "redacted"}), "{event}");
        assert!(event.get("cause").is_none(), "{event}");
    }
    // A client of the crate folds it like the broker.
    let state = floor.room_state(&tokens).await;
    assert_eq!(state.view().seq, 40);

    // New declarations add to the legacy ones.
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let (ack, texts) = command(&mut runner, "new-1", declaring("onsite", "New 1", "woman")).await;
    no_trace(&texts, "woman", "the runner");
    let seq = acked(ack)["last_seq"].as_u64().unwrap();
    no_trace(&read_to(&mut display, seq).await, "woman", "a display");
    for i in 2..=6 {
        acked(
            runner
                .command(&format!("new-{i}"), submit("onsite", &format!("New {i}")))
                .await,
        );
    }
    let want = json!({"another": 5, "man": 5, "non_binary": 5, "woman": 6});
    let figures = genders(&floor, &tokens).await;
    assert_eq!(figures["declared"], want, "{figures}");
    assert_eq!(figures["declared_total"], 21, "{figures}");
    assert_eq!(figures["not_given"], 5, "{figures}");
    floor.restart();
    assert_eq!(genders(&floor, &tokens).await["declared"], want);
}

/// Whether any of `texts` holds `account`.
fn names(texts: &[String], account: &str) -> bool {
    texts.iter().any(|text| text.contains(account))
}

#[tokio::test]
async fn accounts_reach_the_staff_and_never_the_public_links() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("plenary").await;
    let mut watchers = Vec::new();
    for (role, id) in [
        ("chair", "chair"),
        ("runner", "runner"),
        ("display", "projector"),
    ] {
        watchers.push((role, Client::connect(&floor, tokens.hello(role, id)).await));
    }
    watchers.push((
        "participant",
        Client::connect(&floor, tokens.participant("hall-1", "onsite")).await,
    ));
    let mut moderator = Client::connect(&floor, tokens.hello("moderator", "moderator")).await;
    let before = moderator.seq;

    // A registration number, and a request relayed from Matrix.
    let mut registered = submit("onsite", "Ana Silva");
    registered["entry"]["person"]["person_id"] = json!("reg-4471");
    let mut relayed = submit("online", "Amina Diallo");
    relayed["entry"]["source"] = json!("matrix");
    relayed["entry"]["person"]["person_id"] = json!("@amina:example.org");
    acked(moderator.command("m-1", relayed).await);
    let mut chair = Client::connect(&floor, tokens.hello("chair", "chair-2")).await;
    let (ack, _) = command(&mut chair, "c-1", registered).await;
    let head = acked(ack)["last_seq"].as_u64().unwrap();

    for (role, client) in &mut watchers {
        let mut texts = read_to(client, head).await;
        let snapshot = synced(client).await;
        texts.push(snapshot.to_string());
        assert!(names(&texts, "Amina Diallo"), "{role} saw the entries");
        for account in ["reg-4471", "@amina:example.org"] {
            let public = *role == "display" || *role == "participant";
            assert_eq!(
                names(&texts, account),
                !public,
                "{role} and {account}: {texts:?}"
            );
        }
    }
    // The source stays: the projector says where a request came from.
    let display = floor
        .http("GET", "/api/rooms/plenary", tokens.role("display"), None)
        .await;
    assert_eq!(display.0, 200);
    let entries = display.1["room"]["entries"].as_array().unwrap().clone();
    assert!(
        entries
            .iter()
            .any(|e| e["provenance"]["source"] == "matrix")
    );

    // A display's catch-up on resume, and the HTTP snapshot by role.
    let mut hello = tokens.hello("display", "projector-2");
    hello["resume"] = json!({"epoch": moderator.welcome["epoch"].clone(), "seq": before});
    let resumed = Client::connect(&floor, hello).await;
    assert!(
        resumed.events.len() as u64 >= head - before,
        "events replayed"
    );
    let caught_up: Vec<String> = resumed.events.iter().map(Value::to_string).collect();
    assert!(names(&caught_up, "Ana Silva"));
    assert!(!names(&caught_up, "reg-4471") && !names(&caught_up, "@amina"));
    for (token, sees) in [
        (tokens.role("participant"), false),
        (tokens.role("display"), false),
        (tokens.role("runner"), true),
        (ADMIN, true),
    ] {
        let (status, body) = floor.http("GET", "/api/rooms/plenary", token, None).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(names(&[body.to_string()], "reg-4471"), sees, "{body}");
    }
}
