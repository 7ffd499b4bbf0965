//! A whole conference on a real broker, through what an organiser types
//! and opens: the fixture programme (`tests/fixtures/conference/`, 3
//! days, 8 locations) imported, then a changed version of it, with the
//! staff sheet's links opening their rooms before and after, bad
//! programmes changing nothing and the `ops` token reading only
//! (`import.rs`); the venue dashboard's feed (`live.rs`); the event's
//! participation report (`report.rs`); each also on two brokers sharing
//! NATS JetStream.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod import;
mod live;
mod report;
mod report_cli;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use floor_tests::*;
use serde_json::{Value, json};

/// A file of `tests/fixtures/conference/`.
pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/conference")
        .join(name)
}

/// The example mapping of session types to room files.
pub(crate) fn types() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/conference-types.toml")
}

/// `floor conference ARGS` against `floor`; (success, stdout, stderr).
pub(crate) fn conference(floor: &Floor, args: &[&str]) -> (bool, String, String) {
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

/// `floor conference import` of a fixture, with the example types.
pub(crate) fn import(floor: &Floor, name: &str) -> String {
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
pub(crate) async fn sheet_links(floor: &Floor) -> Vec<(String, String, String)> {
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
pub(crate) async fn sheet_tokens(floor: &Floor, room: &str) -> Tokens {
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

/// The sessions `GET /api/conference` lists, by id.
pub(crate) async fn listed(floor: &Floor, token: &str) -> BTreeMap<String, Value> {
    let (status, body) = floor.http("GET", "/api/conference", token, None).await;
    assert_eq!(status, 200, "{body}");
    body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_owned(), s.clone()))
        .collect()
}

/// Two sessions, both with a run of show; `now` in ms.
pub(crate) fn small_programme(now: u64) -> Value {
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

/// The clock now, in ms since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// `PUT /api/conference` of `programme` on `floor`, which must take it.
pub(crate) async fn put_programme(floor: &Floor, programme: Value) {
    let (status, body) = floor
        .http("PUT", "/api/conference", ADMIN, Some(programme))
        .await;
    assert_eq!(status, 200, "{body}");
}

/// Two brokers on one nats-server in `dir`, the store ready (a room made
/// on A, retried while the streams elect their leaders). Bind all three:
/// the brokers are dropped, and stopped, before the server.
pub(crate) async fn two_brokers(dir: &Path) -> (floor_tests::nats::Nats, Floor, Floor) {
    let nats = floor_tests::nats::Nats::single(&dir.join("nats"));
    let servers = nats.urls();
    let a = Floor::start_with(&dir.join("a"), &["--store", &servers]);
    let b = Floor::start_with(&dir.join("b"), &["--store", &servers]);
    a.create_room_when_stored("warm-up").await;
    (nats, a, b)
}
