//! The store's files against the real broker: a data file deleted or
//! replaced under a running broker stops writes (nothing is acknowledged,
//! `/healthz` says why) and is never silently replaced by a new, empty
//! store; a zero-length or foreign file at the data path is refused at
//! start; a new store is made only where no file exists, and the start says
//! so; a token rotation that fails in the store rotates no role.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use floor_tests::*;
use serde_json::{Value, json};

/// Waits until `/healthz` answers 503; returns its body.
async fn degraded_within_deadline(floor: &Floor) -> Value {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let (status, health) = floor.http("GET", "/healthz", "", None).await;
        if status == 503 {
            return health;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still healthy: {health}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Submits `n` entries and asserts each is refused `storage_unavailable`.
async fn every_submit_refused(runner: &mut Client, n: usize) {
    for i in 0..n {
        let answer = runner
            .command(&format!("late{i}"), submit("onsite", &format!("Late {i}")))
            .await;
        refused(answer, "storage_unavailable");
    }
}

/// For longer than the writer's reopen period (1 s) and file check: the
/// broker stays degraded and no file appears at `path`. (A negative, so it
/// is watched for a fixed time.)
async fn stays_lost(floor: &Floor, path: &Path) {
    let until = tokio::time::Instant::now() + Duration::from_millis(2500);
    while tokio::time::Instant::now() < until {
        let (status, health) = floor.http("GET", "/healthz", "", None).await;
        assert_eq!(status, 503, "{health}");
        assert!(!path.exists(), "a new store was made at {}", path.display());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_data_file_deleted_under_the_broker_stops_writes_and_is_not_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut floor = Floor::start(&data);
    let first_banner = floor.banner.clone();
    let tokens = floor.create_room("r").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    acked(runner.command("s0", submit("onsite", "Amina")).await);

    // `rm floor.db*` while it runs.
    let db = data.join("floor.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    every_submit_refused(&mut runner, 5).await;
    let health = degraded_within_deadline(&floor).await;
    assert_eq!(health["status"], "degraded");
    assert_eq!(health["storage"], "unavailable");
    let problem = health["problems"][0].as_str().unwrap();
    assert!(
        problem.contains("floor.db") && problem.contains("vanished"),
        "{problem}"
    );
    stays_lost(&floor, &db).await;
    // Reads go on from memory: the acknowledged entry, nothing else.
    let snapshot = floor.snapshot(&tokens).await;
    assert_eq!(snapshot["room"]["entries"].as_array().unwrap().len(), 1);
    let log = std::fs::read_to_string(data.with_extension("log")).unwrap();
    assert!(log.contains("vanished under the running broker"), "{log}");

    // A restart finds no file: it says so, in its log and its printed
    // start text (as the first start did), rather than starting empty
    // without a word.
    floor.restart();
    for banner in [&first_banner, &floor.banner] {
        assert!(
            banner
                .iter()
                .any(|line| line.starts_with("new store created at") && line.contains("floor.db")),
            "{banner:?}"
        );
    }
    let log = std::fs::read_to_string(data.with_extension("log")).unwrap();
    assert!(log.contains("a new, empty one is created"), "{log}");
}

#[tokio::test]
async fn a_data_file_replaced_under_the_broker_is_found_while_idle_and_stops_writes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let floor = Floor::start(&data);
    let tokens = floor.create_room("r").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    acked(runner.command("s0", submit("onsite", "Amina")).await);
    // Another file moved over it (a restore over a running broker).
    let db = data.join("floor.db");
    let copy = data.join("copy.db");
    std::fs::copy(&db, &copy).unwrap();
    std::fs::rename(&copy, &db).unwrap();
    // Found without any command: the writer checks its files every second.
    let health = degraded_within_deadline(&floor).await;
    let problem = health["problems"][0].as_str().unwrap();
    assert!(problem.contains("replaced"), "{problem}");
    assert!(problem.contains("restart"), "what to do: {problem}");
    every_submit_refused(&mut runner, 5).await;
    // Room creation is a write too.
    let (status, body) = floor
        .http(
            "POST",
            "/api/rooms",
            ADMIN,
            Some(json!({"id": "other", "title": "Other"})),
        )
        .await;
    assert_eq!(status, 503, "{body}");
}

/// A start on `data` is refused, naming the file, what is wrong and what
/// to do; the file is left as it was.
fn start_refused(data: &Path, reason: &str) {
    let db = data.join("floor.db");
    let before = std::fs::read(&db).unwrap();
    let output = serve_until_exit(data);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&db.display().to_string()), "{stderr}");
    assert!(stderr.contains("is not a floor store"), "{stderr}");
    assert!(stderr.contains(reason), "{stderr}");
    assert!(stderr.contains("move it away"), "{stderr}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("listening"));
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file is untouched");
}

#[test]
fn a_zero_length_or_foreign_file_at_the_data_path_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let db = data.join("floor.db");
    std::fs::write(&db, b"").unwrap();
    start_refused(&data, "empty (zero bytes)");
    std::fs::write(&db, b"id,title\nplenary,Main hall\n").unwrap();
    start_refused(&data, "not an SQLite database");
    std::fs::remove_file(&db).unwrap();
    let other = rusqlite::Connection::open(&db).unwrap();
    other
        .execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
        .unwrap();
    drop(other);
    start_refused(&data, "without floor's tables");
}

/// The token hashes stored for a room, by role.
fn stored_hashes(data: &Path, room: &str) -> Vec<(String, Vec<u8>)> {
    let db = rusqlite::Connection::open(data.join("floor.db")).unwrap();
    db.prepare("SELECT role, hash FROM room_tokens WHERE room = ?1 ORDER BY role")
        .unwrap()
        .query_map([room], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test]
async fn a_rotation_that_fails_in_the_store_rotates_no_role() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let floor = Floor::start(&data);
    let tokens = floor.create_room("r").await;
    let before = stored_hashes(&data, "r");
    // The display's row cannot be written; the chair's, before it, can.
    let db = rusqlite::Connection::open(data.join("floor.db")).unwrap();
    db.execute_batch(
        "CREATE TRIGGER fail_display BEFORE UPDATE ON room_tokens WHEN NEW.role = 'display'
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
    )
    .unwrap();
    let rotate = json!({"roles": ["chair", "display"]});
    let (status, body) = floor
        .http("POST", "/api/rooms/r/rotate", ADMIN, Some(rotate.clone()))
        .await;
    assert!(status >= 500, "{status} {body}");
    assert_eq!(stored_hashes(&data, "r"), before, "no role rotated");
    // The old tokens still work.
    let chair = Client::connect(&floor, tokens.hello("chair", "chair")).await;
    assert_eq!(chair.welcome["role"], "chair");
    drop(chair);

    db.execute_batch("DROP TRIGGER fail_display").unwrap();
    let (status, body) = floor
        .http("POST", "/api/rooms/r/rotate", ADMIN, Some(rotate))
        .await;
    assert_eq!(status, 200, "{body}");
    let after = stored_hashes(&data, "r");
    let changed: Vec<&str> = before
        .iter()
        .zip(&after)
        .filter(|(old, new)| old.1 != new.1)
        .map(|(old, _)| old.0.as_str())
        .collect();
    assert_eq!(changed, ["chair", "display"]);
}
