//! Bad storage against the real broker: a write cut short is recovered to
//! the last whole commit with a warning, under a new epoch; an event altered in the middle of
//! the log stops the broker with its room and seq; a full disk refuses
//! commands (no acknowledgement) while reads keep working, and the broker
//! recovers when space returns; a restart starts from a room's checkpoint,
//! ignores one that does not match the log, and checks the whole hash
//! chain: at start back to the checkpoint and the resume window, and the
//! rest beside serving, where damage stops writes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use floor_tests::*;
use serde_json::{Value, json};

fn names(snapshot: &Value) -> Vec<String> {
    snapshot["room"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["person"]["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_write_cut_short_is_recovered_to_the_last_whole_commit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut floor = Floor::start(&data);
    let tokens = floor.create_room("r").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let all = ["Amina", "Bo", "Carla", "Dev", "Eva"];
    for (i, name) in all.iter().enumerate() {
        acked(
            runner
                .command(&format!("s{i}"), submit("onsite", name))
                .await,
        );
    }
    let epoch = runner.welcome["epoch"].clone();
    drop(runner);
    // A crash leaves the write-ahead log; a power loss in the middle of
    // the last write leaves its last record cut short.
    floor.kill();
    let wal = data.join("floor.db-wal");
    let len = std::fs::metadata(&wal)
        .expect("the log is in the WAL")
        .len();
    let file = std::fs::OpenOptions::new().write(true).open(&wal).unwrap();
    file.set_len(len - 100).unwrap();
    drop(file);

    let addr = floor.addr.to_string();
    let mut floor = Floor::start_at(&data, &addr, &[]);
    let snapshot = floor.snapshot(&tokens).await;
    assert_eq!(names(&snapshot), all[..4], "the last whole commit");
    let log = std::fs::read_to_string(data.with_extension("log")).unwrap();
    assert!(log.contains("partial record"), "a warning: {log}");
    // Event 5 was lost and seq 5 will be another event: a screen that
    // held it, resuming from it, gets a snapshot of a new epoch instead
    // of diverging.
    let renewed = snapshot["epoch"].clone();
    assert_ne!(renewed, epoch, "a new epoch");
    assert!(log.contains("every room takes a new epoch"), "{log}");
    let mut hello = tokens.hello("display", "projector");
    hello["resume"] = json!({"epoch": epoch, "seq": 5});
    let display = Client::connect(&floor, hello).await;
    assert_eq!(display.welcome["epoch"], renewed);
    assert_eq!(display.caught_up["type"], "snapshot");
    assert_eq!(display.caught_up["reason"], "epoch_changed");
    assert_eq!(names(&display.caught_up), all[..4]);
    drop(display);
    // The torn log is gone: the next start keeps the epoch.
    assert!(floor.terminate().success());
    let floor = Floor::start_at(&data, &addr, &[]);
    assert_eq!(floor.snapshot(&tokens).await["epoch"], renewed);
    // The durability settings were read back and hold at every start.
    assert!(
        log.contains("journal_mode") && log.contains("wal") && log.contains("synchronous"),
        "{log}"
    );
    // The room goes on from there.
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    acked(runner.command("s4", submit("onsite", "Eva")).await);
}

#[tokio::test]
async fn an_event_altered_in_the_log_stops_the_broker_with_its_room_and_seq() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut floor = Floor::start(&data);
    let tokens = floor.create_room("plenary").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    for (i, name) in ["Amina", "Bo", "Carla"].iter().enumerate() {
        acked(
            runner
                .command(&format!("s{i}"), submit("onsite", name))
                .await,
        );
    }
    drop(runner);
    assert!(floor.terminate().success());
    assert_eq!(
        change_log(
            &data,
            "UPDATE events SET body = replace(body, 'Bo', 'Bob') WHERE room = 'plenary' AND seq = 2"
        ),
        1
    );

    let output = serve_until_exit(&data);
    assert!(!output.status.success(), "the broker refuses to start");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("plenary event 2") && stderr.contains("hash chain"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("listening"));
}

#[tokio::test]
async fn a_restart_starts_from_the_checkpoint_and_a_bad_one_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // More hands than a room takes by default: a large log. The room's
    // first event records that cap; the hands follow from seq 2.
    let no_rate = ["--commands-per-second", "0", "--max-open-entries", "10000"];
    let mut floor = Floor::start_with(&data, &no_rate);
    let tokens = floor.create_room("plenary").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    // One event each: past the first checkpoint (every 1,000 events).
    submit_many(&mut runner, 1_010).await;
    let epoch = runner.welcome["epoch"].clone();
    drop(runner);
    let before = floor.snapshot(&tokens).await["room"].clone();
    assert!(floor.terminate().success());
    let db = rusqlite::Connection::open(data.join("floor.db")).unwrap();
    let checkpointed: i64 = db
        .query_row(
            "SELECT seq FROM checkpoints WHERE room = 'plenary'",
            [],
            |r| r.get(0),
        )
        .expect("a checkpoint was stored");
    assert!(checkpointed >= 1_000, "{checkpointed}");
    drop(db);

    // From the checkpoint and the events after it: the same room. A screen
    // that left off before the checkpoint, within the resume window, gets
    // the events it missed (read from the log when it asks), not a
    // snapshot.
    let mut floor = Floor::start_with(&data, &no_rate);
    assert_eq!(floor.snapshot(&tokens).await["room"], before);
    let mut hello = tokens.hello("display", "projector");
    hello["resume"] = json!({"epoch": epoch, "seq": 5});
    let display = Client::connect(&floor, hello).await;
    assert_eq!(display.caught_up["type"], "order");
    assert_eq!(
        display.events.first().map(|e| e["seq"].clone()),
        Some(json!(6))
    );
    assert_eq!(Some(display.seq), before["seq"].as_u64());
    drop(display);
    assert!(floor.terminate().success());

    // A checkpoint changed behind the broker's back is ignored, with a
    // warning, and the room is folded from its first event: still the same.
    assert_eq!(
        change_log(
            &data,
            "UPDATE checkpoints SET body = replace(body, 'Person 7', 'Person 8')"
        ),
        1
    );
    let mut floor = Floor::start_with(&data, &no_rate);
    assert_eq!(floor.snapshot(&tokens).await["room"], before);
    assert!(floor.terminate().success());
    let log = std::fs::read_to_string(data.with_extension("log")).unwrap();
    assert!(
        log.contains("checkpoint ignored") && log.contains("plenary"),
        "{log}"
    );

    // The hash chain still covers the events before the checkpoint: a
    // damaged one is never replayed to a resuming screen (it gets a
    // snapshot of the room as it was), and the check beside serving names
    // it and stops writes.
    change_log(
        &data,
        "UPDATE events SET body = replace(body, 'Person 0', 'Person X') WHERE room = 'plenary' AND seq = 2",
    );
    let floor = Floor::start_with(&data, &no_rate);
    let mut hello = tokens.hello("display", "projector");
    hello["resume"] = json!({"epoch": epoch, "seq": 1});
    let display = Client::connect(&floor, hello).await;
    assert_eq!(display.caught_up["type"], "snapshot");
    assert_eq!(display.caught_up["room"], before);
    assert!(display.events.is_empty());
    unhealthy_within_deadline(&floor).await;
    let log = std::fs::read_to_string(data.with_extension("log")).unwrap();
    assert!(log.contains("plenary event 2"), "{log}");
    assert!(log.contains("the resume window could not be read"), "{log}");
}

/// Waits until `/healthz` answers 503 (the check beside serving found the
/// log damaged).
async fn unhealthy_within_deadline(floor: &Floor) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let (status, _) = floor.http("GET", "/healthz", "", None).await;
        if status == 503 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the damage was not found"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Runs an SQL change on the broker's database behind its back, as damage
/// or tampering would; returns the rows changed.
fn change_log(data: &std::path::Path, sql: &str) -> usize {
    let db = rusqlite::Connection::open(data.join("floor.db")).unwrap();
    db.execute(sql, []).unwrap()
}

/// Submits `n` entries ("Person 0", ...) one event each, pipelined 200 at
/// a time, and waits for every acknowledgement.
async fn submit_many(runner: &mut Client, n: usize) {
    pipeline(runner, n, |i| {
        (format!("s{i}"), submit("onsite", &format!("Person {i}")))
    })
    .await;
}

/// Sends the `n` commands `make` gives, 200 at a time, and waits for every
/// acknowledgement.
async fn pipeline(runner: &mut Client, n: usize, make: impl Fn(usize) -> (String, Value)) {
    let mut sent = 0;
    while sent < n {
        let chunk = (n - sent).min(200);
        for i in sent..sent + chunk {
            let (request_id, command) = make(i);
            let command = json!({
                "type": "command",
                "request_id": request_id,
                "command": command,
            });
            assert!(runner.try_send(&command).await);
        }
        let mut answered = 0;
        while answered < chunk {
            match runner.receive().await {
                Received::Message(message) if message["type"] == "ack" => answered += 1,
                Received::Message(message) if message["type"] == "error" => {
                    panic!("refused: {message}")
                }
                Received::Message(_) => {}
                Received::Closed(close) => panic!("closed: {close:?}"),
            }
        }
        sent += chunk;
    }
}

#[tokio::test]
async fn damage_before_the_checkpoint_and_resume_window_is_found_beside_serving() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let no_rate = ["--commands-per-second", "0"];
    let mut floor = Floor::start_with(&data, &no_rate);
    let tokens = floor.create_room("plenary").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    // More events than the resume window (4,096) holds, with checkpoints:
    // one entry, edited 5,000 times (a queue of thousands would make every
    // `order` message huge).
    let entry = acked(runner.command("s", submit("onsite", "Ana Silva")).await);
    let entry_id = entry["entry_id"].as_str().unwrap().to_owned();
    pipeline(&mut runner, 5_000, |i| {
        (
            format!("e{i}"),
            json!({"type": "edit", "entry_id": entry_id, "patch": {"text": format!("Version {i}")}}),
        )
    })
    .await;
    drop(runner);
    let before = floor.snapshot(&tokens).await["room"].clone();
    assert!(floor.terminate().success());
    assert_eq!(
        change_log(
            &data,
            "UPDATE events SET body = replace(body, 'Version 0', 'Version X') WHERE room = 'plenary' AND seq = 2"
        ),
        1
    );

    // The room comes from its checkpoint and the events after it, which
    // are whole: it is served as it was...
    let floor = Floor::start_with(&data, &no_rate);
    assert_eq!(floor.snapshot(&tokens).await["room"], before);
    // ...and the check of the whole chain beside serving finds the damage,
    // names it, and stops writes: /healthz turns 503.
    unhealthy_within_deadline(&floor).await;
    let log = std::fs::read_to_string(data.with_extension("log")).unwrap();
    assert!(log.contains("plenary event 2"), "{log}");
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let answer = runner
        .command("late", submit("onsite", "After the damage"))
        .await;
    refused(answer, "storage_unavailable");
    assert_eq!(floor.snapshot(&tokens).await["room"], before);
}

/// Sends a command and returns its answer, re-sending it with the same
/// request id while the broker says the connection is over its rate (the
/// limiter refills one command every 50 ms).
async fn answer_of(client: &mut Client, request_id: &str, command: &Value) -> Value {
    loop {
        let answer = client.command(request_id, command.clone()).await;
        if answer["code"] != "rate_limited" {
            return answer;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Starts a broker whose data directory is a tmpfs of `size` in a mount
/// namespace of its own, so the disk can fill up and be grown again.
fn start_on_small_disk(disk: &std::path::Path, size: &str) -> Floor {
    std::fs::create_dir_all(disk).unwrap();
    let script = format!("mount -t tmpfs -o size={size} floor-test \"$0\" && exec \"$@\"");
    let wrapper: Vec<String> = ["unshare", "--mount", "--propagation", "private", "sh", "-c"]
        .iter()
        .map(|s| s.to_string())
        .chain([script, disk.display().to_string()])
        .collect();
    Floor::start_via(&wrapper, &disk.join("data"), "127.0.0.1:0", &[])
}

#[tokio::test]
async fn a_full_disk_refuses_commands_keeps_reads_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("disk");
    let floor = start_on_small_disk(&disk, "400k");
    let tokens = floor.create_room("r").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let text = "x".repeat(1000);
    let mut acknowledged = Vec::new();
    let mut refused_request = None;
    for i in 0..2000 {
        let mut command = submit("onsite", &format!("Person {i}"));
        command["entry"]["text"] = json!(text);
        let answer = answer_of(&mut runner, &format!("s{i}"), &command).await;
        match answer["type"].as_str() {
            Some("ack") => acknowledged.push(format!("Person {i}")),
            _ => {
                refused(answer, "storage_unavailable");
                refused_request = Some((format!("s{i}"), command));
                break;
            }
        }
    }
    let (request_id, command) = refused_request.expect("the disk fills up");
    assert!(!acknowledged.is_empty());

    // Reads keep working, from memory, and say the store is degraded.
    assert_eq!(names(&floor.snapshot(&tokens).await), acknowledged);
    let (status, health) = floor.http("GET", "/healthz", "", None).await;
    assert_eq!(status, 503, "{health}");
    assert_eq!(health["storage"], "unavailable");
    let display = Client::connect(&floor, tokens.hello("display", "projector")).await;
    assert_eq!(display.welcome["role"], "display");

    // Space returns: the same request, retried, is acknowledged once.
    let grown = Command::new("nsenter")
        .args([
            "--target",
            &floor.pid().to_string(),
            "--mount",
            "mount",
            "-o",
            "remount,size=64m",
        ])
        .arg(&disk)
        .status()
        .unwrap();
    assert!(grown.success());
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let answer = answer_of(&mut runner, &request_id, &command).await;
        if answer["type"] == "ack" {
            break;
        }
        refused(answer, "storage_unavailable");
        assert!(tokio::time::Instant::now() < deadline, "no recovery");
        // The writer tries to reopen the store once a second; a client
        // retries at that pace too.
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let (status, _) = floor.http("GET", "/healthz", "", None).await;
    assert_eq!(status, 200);
    let mut expected = acknowledged.clone();
    expected.push(
        command["entry"]["person"]["name"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    assert_eq!(names(&floor.snapshot(&tokens).await), expected, "each once");
}
