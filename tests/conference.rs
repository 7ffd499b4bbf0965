//! A whole conference on a real broker, through the `floor conference`
//! commands an organiser types: the fixture programme
//! (`tests/fixtures/conference/`, 3 days, 8 locations) imported, then a
//! changed version of it; the staff sheet's links open their rooms before
//! and after; bad programmes change nothing; the `ops` token reads and
//! changes nothing; and the same on two brokers sharing NATS JetStream.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use floor_files::conference::{ProgrammeFormat, ProgrammeSession, read_programme};
use floor_tests::nats::Nats;
use floor_tests::*;
use serde_json::{Value, json};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/conference")
        .join(name)
}

fn types() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/conference-types.toml")
}

fn sessions_of(name: &str) -> BTreeMap<String, ProgrammeSession> {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    let format = ProgrammeFormat::from_path(&fixture(name)).unwrap();
    read_programme(&text, format)
        .unwrap()
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect()
}

/// `floor conference ARGS` against `floor`; (success, stdout, stderr).
fn conference(floor: &Floor, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(floor_bin())
        .arg("conference")
        .args(args)
        .args(["--server", &floor.http_url()])
        .env("FLOOR_ADMIN_TOKEN", ADMIN)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn import(floor: &Floor, name: &str) -> String {
    let file = fixture(name);
    let types = types();
    let (ok, out, err) = conference(
        floor,
        &[
            "import",
            file.to_str().unwrap(),
            "--types",
            types.to_str().unwrap(),
        ],
    );
    assert!(ok, "import failed: {out}{err}");
    out
}

/// The sheet's links, as (room, role page, link).
async fn sheet_links(floor: &Floor) -> Vec<(String, String, String)> {
    let (status, body) = floor
        .http("GET", "/api/conference/sheet", ADMIN, None)
        .await;
    assert_eq!(status, 200, "{body}");
    let html = body.as_str().unwrap().to_owned();
    html.split("data-link=\"")
        .skip(1)
        .map(|rest| {
            let link = rest.split('"').next().unwrap().replace("&amp;", "&");
            let path = link.split("/r/").nth(1).unwrap();
            let (room, page) = path.split_once('/').unwrap();
            let page = page.split('#').next().unwrap();
            (room.to_owned(), page.to_owned(), link.clone())
        })
        .collect()
}

/// A room's tokens as its sheet links give them.
async fn sheet_tokens(floor: &Floor, room: &str) -> Tokens {
    let mut by_role = serde_json::Map::new();
    for (id, page, link) in sheet_links(floor).await {
        if id == room {
            let token = link.split("#token=").nth(1).unwrap();
            let token = token.split('&').next().unwrap();
            by_role.insert(page, Value::String(token.to_owned()));
        }
    }
    assert_eq!(
        by_role.len(),
        4,
        "the sheet gives four staff links of {room}"
    );
    Tokens::from_body(room, Value::Object(by_role))
}

async fn listed(floor: &Floor, token: &str) -> BTreeMap<String, Value> {
    let (status, body) = floor.http("GET", "/api/conference", token, None).await;
    assert_eq!(status, 200, "{body}");
    body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_owned(), s.clone()))
        .collect()
}

/// What changed from one fixture to the other, as the import should say:
/// (created, changed with their fields, gone).
fn expected_changes(
    before: &BTreeMap<String, ProgrammeSession>,
    after: &BTreeMap<String, ProgrammeSession>,
) -> (
    BTreeSet<String>,
    BTreeMap<String, Vec<String>>,
    BTreeSet<String>,
) {
    let created = after
        .keys()
        .filter(|id| !before.contains_key(*id))
        .cloned()
        .collect();
    let gone = before
        .keys()
        .filter(|id| !after.contains_key(*id))
        .cloned()
        .collect();
    let mut changed = BTreeMap::new();
    for (id, new) in after {
        let Some(old) = before.get(id) else { continue };
        let mut fields = Vec::new();
        if old.title != new.title {
            fields.push("title".to_owned());
        }
        if old.starts_at != new.starts_at {
            fields.push("starts_at_ms".to_owned());
        }
        if old.ends_at != new.ends_at {
            fields.push("ends_at_ms".to_owned());
        }
        if old.location != new.location {
            fields.push("location".to_owned());
        }
        if !fields.is_empty() {
            changed.insert(id.clone(), fields);
        }
    }
    (created, changed, gone)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_programme_is_imported_then_changed_and_every_link_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let mut floor = Floor::start(dir.path());
    let before = sessions_of("igf-programme.ics");
    let after = sessions_of("igf-programme-changed.ics");
    assert!(before.len() >= 60, "{} sessions", before.len());

    // First import: a room per session, each with its type's run of show.
    let printed = import(&floor, "igf-programme.ics");
    assert!(
        printed.starts_with(&format!("{} created, 0 changed, 0 archived", before.len())),
        "{printed}"
    );
    let sessions = listed(&floor, ADMIN).await;
    assert_eq!(sessions.len(), before.len());
    let locations: BTreeSet<&str> = sessions
        .values()
        .map(|s| s["location"].as_str().unwrap())
        .collect();
    assert_eq!(locations.len(), 8, "{locations:?}");

    // A session that will be renamed, and one that will leave: their staff
    // links from the sheet open them, with the run of show of their type.
    let (created, changed, gone) = expected_changes(&before, &after);
    let renamed = changed
        .iter()
        .find(|(_, fields)| fields.contains(&"title".to_owned()))
        .map(|(id, _)| id.clone())
        .expect("the changed fixture renames a session");
    let removed = gone
        .iter()
        .next()
        .expect("the changed fixture drops a session")
        .clone();
    let tokens = sheet_tokens(&floor, &renamed).await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner-before")).await;
    let snapshot = floor.snapshot(&tokens).await;
    assert!(
        snapshot["room"]["programme"]["phases"]
            .as_array()
            .is_some_and(|p| !p.is_empty()),
        "the room has its type's run of show: {snapshot}"
    );
    let answer = runner
        .command(
            "hand",
            json!({"type": "submit", "entry": {"channel": "onsite", "person": {"name": "Ana"}}}),
        )
        .await;
    assert_eq!(answer["type"], "ack", "{answer}");
    drop(runner);
    let removed_tokens = sheet_tokens(&floor, &removed).await;

    // The changed programme: what the import prints is what changed.
    let printed = import(&floor, "igf-programme-changed.ics");
    let outcome_line = printed.lines().next().unwrap().to_owned();
    assert_eq!(
        outcome_line,
        format!(
            "{} created, {} changed, {} archived, 0 restored, {} unchanged",
            created.len(),
            changed.len(),
            gone.len(),
            before.len() - changed.len() - gone.len()
        ),
        "{printed}"
    );
    for (id, fields) in &changed {
        assert!(
            printed.contains(&format!("changed   {id} ({})", fields.join(", "))),
            "{id}: {fields:?} in\n{printed}"
        );
    }
    for id in &gone {
        assert!(printed.contains(&format!("archived  {id}")), "{printed}");
    }

    // Titles changed, tokens never: the same link opens the renamed room,
    // whose welcome carries the new title, with its state.
    let mut chair = Client::raw(Client::open(&floor).await);
    chair.send(&tokens.hello("chair", "chair-after")).await;
    let welcome = chair.next().await;
    assert_eq!(
        welcome["room"]["title"],
        json!(after[&renamed].title),
        "{welcome}"
    );
    let snapshot = floor.snapshot(&tokens).await;
    assert_eq!(snapshot["room"]["entries"].as_array().unwrap().len(), 1);
    let sessions = listed(&floor, ADMIN).await;
    assert_eq!(sessions[&renamed]["title"], json!(after[&renamed].title));
    assert_eq!(sessions.len(), before.len() + created.len());
    // Archived, not deleted: listed as such, off the sheet, its room and
    // log kept.
    for id in &gone {
        assert_eq!(sessions[id]["archived"], json!(true), "{id}");
    }
    let on_sheet: BTreeSet<String> = sheet_links(&floor)
        .await
        .into_iter()
        .map(|(r, _, _)| r)
        .collect();
    assert!(!on_sheet.contains(&removed));
    assert!(on_sheet.contains(&renamed));
    let (status, _) = floor
        .http(
            "GET",
            &format!("/api/rooms/{removed}"),
            removed_tokens.role("chair"),
            None,
        )
        .await;
    assert_eq!(status, 200, "an archived session's room stays");

    // The same programme again changes nothing; a restart keeps it all.
    let printed = import(&floor, "igf-programme-changed.ics");
    assert!(
        printed.starts_with(&format!(
            "0 created, 0 changed, 0 archived, 0 restored, {}",
            after.len()
        )),
        "{printed}"
    );
    floor.restart();
    let sessions_after_restart = listed(&floor, ADMIN).await;
    assert_eq!(sessions_after_restart, sessions);
    let client = Client::connect(&floor, tokens.hello("chair", "chair-restarted")).await;
    drop(client);
    // The first programme again: the sessions are back from the archive.
    let printed = import(&floor, "igf-programme.ics");
    for id in &gone {
        assert!(printed.contains(&format!("restored  {id}")), "{printed}");
    }
}

#[tokio::test]
async fn a_bad_programme_is_refused_whole_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(dir.path());
    let session = |id: &str, uid: &str| {
        json!({"id": id, "uid": uid, "title": "A session", "starts_at_ms": 1_542_013_200_000u64,
               "ends_at_ms": 1_542_018_600_000u64, "location": "Room I", "kind": "Workshop"})
    };
    let first = json!({"sessions": [session("ws-1", "ws-1@igf"), session("ws-2", "ws-2@igf")]});
    let (status, body) = floor
        .http("PUT", "/api/conference", ADMIN, Some(first))
        .await;
    assert_eq!(status, 200, "{body}");
    let before = listed(&floor, ADMIN).await;

    let mut late = session("ws-3", "ws-3@igf");
    late["ends_at_ms"] = json!(1_542_013_200_000u64);
    let mut untitled = session("ws-3", "ws-3@igf");
    untitled["title"] = json!("  ");
    let cases = [
        (
            json!({"sessions": [session("ws-1", "a"), session("ws-1", "b")]}),
            400,
            "invalid_field",
        ),
        (
            json!({"sessions": [session("ws-1", "a"), late]}),
            400,
            "invalid_field",
        ),
        (json!({"sessions": [untitled]}), 400, "invalid_field"),
        (
            json!({"sessions": [session("Bad Id", "x")]}),
            400,
            "invalid_field",
        ),
        (json!({"sessions": []}), 400, "invalid_field"),
        (
            json!({"sessions": [session("ws-1", "a")], "extra": 1}),
            400,
            "invalid_message",
        ),
    ];
    for (body, status, code) in cases {
        let (got, answer) = floor
            .http("PUT", "/api/conference", ADMIN, Some(body.clone()))
            .await;
        assert_eq!(
            (got, answer["error"].as_str().unwrap()),
            (status, code),
            "{body}: {answer}"
        );
    }
    // A room outside the conference keeps its id.
    floor.create_room("taken").await;
    let (status, answer) = floor
        .http(
            "PUT",
            "/api/conference",
            ADMIN,
            Some(json!({"sessions": [session("taken", "t")]})),
        )
        .await;
    assert_eq!(
        (status, answer["error"].clone()),
        (409, json!("room_exists")),
        "{answer}"
    );
    // Without the admin token.
    let (status, _) = floor
        .http(
            "PUT",
            "/api/conference",
            "wrong",
            Some(json!({"sessions": [session("ws-9", "9")]})),
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(listed(&floor, ADMIN).await, before, "nothing changed");
}

#[tokio::test]
async fn the_ops_token_sees_the_conference_and_changes_nothing_and_rotations_reach_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(dir.path());
    import(&floor, "igf-programme.ics");
    let (ok, out, err) = conference(&floor, &["ops-token"]);
    assert!(ok, "{err}");
    let ops = out
        .lines()
        .find_map(|l| l.strip_prefix("ops token (shown once): "))
        .unwrap()
        .to_owned();
    assert!(out.contains("/conference#token="), "{out}");
    assert_eq!(listed(&floor, &ops).await, listed(&floor, ADMIN).await);
    let body = json!({"sessions": []});
    for (method, path, body) in [
        ("PUT", "/api/conference", Some(body)),
        ("GET", "/api/conference/sheet", None),
        ("POST", "/api/conference/ops-token", None),
        ("GET", "/api/rooms", None),
    ] {
        let (status, answer) = floor.http(method, path, &ops, body).await;
        assert_eq!(status, 401, "{method} {path}: {answer}");
    }

    // A rotated chair token: the sheet prints the new link.
    let (room, _, _) = sheet_links(&floor).await.into_iter().next().unwrap();
    let old = sheet_tokens(&floor, &room).await;
    let (status, rotated) = floor
        .http(
            "POST",
            &format!("/api/rooms/{room}/rotate"),
            ADMIN,
            Some(json!({"roles": ["chair"]})),
        )
        .await;
    assert_eq!(status, 200, "{rotated}");
    let new = sheet_tokens(&floor, &room).await;
    assert_eq!(
        new.role("chair"),
        rotated["tokens"]["chair"].as_str().unwrap()
    );
    assert_ne!(new.role("chair"), old.role("chair"));
    assert_eq!(new.role("runner"), old.role("runner"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_brokers_sharing_nats_import_and_print_the_same_conference() {
    let dir = tempfile::tempdir().unwrap();
    let nats = Nats::single(&dir.path().join("nats"));
    let servers = nats.urls();
    let a = Floor::start_with(&dir.path().join("a"), &["--store", &servers]);
    let b = Floor::start_with(&dir.path().join("b"), &["--store", &servers]);
    // Both stores ready: a room made on A (retried while streams elect).
    a.create_room_when_stored("warm-up").await;

    let before = sessions_of("igf-programme.ics");
    import(&a, "igf-programme.ics");
    assert_eq!(listed(&b, ADMIN).await.len(), before.len());

    // Changed through B; the renamed room, opened on A with the links B
    // prints, carries the new title.
    let after = sessions_of("igf-programme-changed.ics");
    let (_, changed, gone) = expected_changes(&before, &after);
    let renamed = changed
        .iter()
        .find(|(_, fields)| fields.contains(&"title".to_owned()))
        .map(|(id, _)| id.clone())
        .unwrap();
    let printed = import(&b, "igf-programme-changed.ics");
    assert!(
        printed.contains(&format!(
            "{} changed, {} archived",
            changed.len(),
            gone.len()
        )),
        "{printed}"
    );
    let tokens = sheet_tokens(&b, &renamed).await;
    let client = welcomed(&a, &tokens.hello("chair", "on-a")).await;
    drop(client);
    let mut raw = Client::raw(Client::open(&a).await);
    raw.send(&tokens.hello("display", "title-on-a")).await;
    let welcome = raw.next().await;
    assert_eq!(
        welcome["room"]["title"],
        json!(after[&renamed].title),
        "{welcome}"
    );
    assert_eq!(listed(&a, ADMIN).await, listed(&b, ADMIN).await);
}

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

/// Two sessions, both with a run of show; `now` in ms.
fn small_programme(now: u64) -> Value {
    let programme = json!({"phases": [
        {"title": "Presentations", "kind": "presentations", "minutes": 20, "minutes_each": 10,
         "speakers": [{"name": "Roberto Bissio"}, {"name": "Aileen Kwa"}]},
        {"title": "Open floor", "kind": "open_floor", "minutes": 40}
    ]});
    json!({"sessions": [
        {"id": "ws-1", "uid": "ws-1", "title": "Workshop one", "starts_at_ms": now - 600_000,
         "ends_at_ms": now + 3_600_000, "location": "Room I", "kind": "Workshop", "programme": programme},
        {"id": "ws-2", "uid": "ws-2", "title": "Workshop two", "starts_at_ms": now - 600_000,
         "ends_at_ms": now + 3_600_000, "location": "Room II", "kind": "Workshop", "programme": programme},
    ]})
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_feed_follows_each_room_and_warns_when_a_person_is_needed() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(dir.path());
    let (status, body) = floor
        .http(
            "PUT",
            "/api/conference",
            ADMIN,
            Some(small_programme(now_ms())),
        )
        .await;
    assert_eq!(status, 200, "{body}");

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
    let ack = runner
        .command(
            "hand",
            json!({"type": "submit", "entry": {"channel": "onsite", "person": {"name": "Ana"}}}),
        )
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
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
    let nats = Nats::single(&dir.path().join("nats"));
    let servers = nats.urls();
    let a = Floor::start_with(&dir.path().join("a"), &["--store", &servers]);
    let b = Floor::start_with(&dir.path().join("b"), &["--store", &servers]);
    a.create_room_when_stored("warm-up").await;
    let (status, body) = a
        .http(
            "PUT",
            "/api/conference",
            ADMIN,
            Some(small_programme(now_ms())),
        )
        .await;
    assert_eq!(status, 200, "{body}");
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
