//! Bounded rooms: a room holds at most `max_open_entries` open requests,
//! and the participants behind one address have a budget of `submit`s a
//! minute, whatever client ids they make up. Staff roles are never held
//! to the participants' budget.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use floor_tests::*;
use serde_json::{Value, json};

/// The broker's default budget of participant submits per address.
const BUDGET: usize = 30;

/// The room's settings and seq, as its snapshot shows them.
async fn settings_and_seq(floor: &Floor, tokens: &Tokens) -> (Value, u64) {
    let snapshot = floor.snapshot(tokens).await;
    let room = &snapshot["room"];
    (room["settings"].clone(), room["seq"].as_u64().unwrap())
}

/// The entries the room holds, without what changes by itself.
async fn entries(floor: &Floor, tokens: &Tokens) -> Value {
    floor.snapshot(tokens).await["room"]["entries"].clone()
}

/// A participant page of its own (a fresh client id) submits once.
async fn submit_afresh(floor: &Floor, tokens: &Tokens, n: usize) -> Value {
    let hello = tokens.participant(&format!("script-{n}"), "online");
    let mut page = Client::connect(floor, hello).await;
    page.command(
        &format!("s-{n}"),
        submit("online", &format!("Sock puppet {n}")),
    )
    .await
}

#[tokio::test]
async fn a_script_with_a_fresh_client_id_per_submit_is_refused_past_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;
    let started = Instant::now();
    let mut acked = 0;
    let mut limited = 0;
    for n in 0..120 {
        let answer = submit_afresh(&floor, &tokens, n).await;
        match answer["type"].as_str() {
            Some("ack") => acked += 1,
            _ => {
                refused(answer.clone(), "rate_limited");
                assert!(
                    answer["message"].as_str().unwrap().contains("retry in"),
                    "{answer}"
                );
                limited += 1;
            }
        }
        if n < BUDGET {
            assert_eq!(acked, n + 1, "the first {BUDGET} go through");
        }
    }
    eprintln!(
        "{acked} of 120 submits from fresh client ids acknowledged in {:?}",
        started.elapsed()
    );
    // One more submit a minute refills every 2 s.
    let refilled = usize::try_from(started.elapsed().as_secs() / 2).unwrap() + 1;
    assert!(
        acked <= BUDGET + refilled,
        "{acked} of 120 acknowledged in {:?}",
        started.elapsed()
    );
    assert_eq!(acked + limited, 120);
    assert_eq!(
        entries(&floor, &tokens).await.as_array().unwrap().len(),
        acked,
        "a refused submit left nothing in the room"
    );

    // A refused submit sent again with the same request id, as the clients
    // do, takes effect once, when the address's budget has refilled; a
    // repeat of it spends budget too, and is answered from the room's
    // receipts.
    let mut page = Client::connect(&floor, tokens.participant("late", "online")).await;
    let late = submit("online", "Late but honest");
    let first = until_acked(&mut page, "late-1", &late).await;
    let again = until_acked(&mut page, "late-1", &late).await;
    assert_eq!(again["entry_id"], first["entry_id"]);
    assert_eq!(
        entries(&floor, &tokens).await.as_array().unwrap().len(),
        acked + 1
    );
}

/// Sends a command again, with the same request id, while it is refused
/// `rate_limited` (as the clients do), until it is acknowledged.
async fn until_acked(page: &mut Client, request_id: &str, command: &Value) -> Value {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let answer = page.command(request_id, command.clone()).await;
        if answer["type"] == "ack" {
            return answer;
        }
        refused(answer, "rate_limited");
        assert!(Instant::now() < deadline, "the budget never refilled");
        // Each answer is read before the next try, as a client's retry.
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn staff_roles_are_never_held_to_the_participants_budget() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start_with(
        &dir.path().join("data"),
        &["--participant-submits-per-minute", "1"],
    );
    let tokens = floor.create_room("hall").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let mut moderator = Client::connect(&floor, tokens.hello("moderator", "moderator")).await;
    let mut chair = Client::connect(&floor, tokens.hello("chair", "chair")).await;
    for n in 0..12 {
        acked(
            runner
                .command(&format!("r-{n}"), submit("onsite", &format!("Hand {n}")))
                .await,
        );
        acked(
            moderator
                .command(&format!("m-{n}"), submit("online", &format!("Remote {n}")))
                .await,
        );
        acked(
            chair
                .command(&format!("c-{n}"), submit("onsite", &format!("Guest {n}")))
                .await,
        );
    }
    // The participants of the same address have one submit a minute.
    acked(submit_afresh(&floor, &tokens, 0).await);
    refused(submit_afresh(&floor, &tokens, 1).await, "rate_limited");
    // And the staff still are not limited.
    acked(
        runner
            .command("r-last", submit("onsite", "One more hand"))
            .await,
    );
}

#[tokio::test]
async fn a_room_at_its_cap_refuses_room_full_until_a_place_frees() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut floor = Floor::start_with(&data, &["--max-open-entries", "5"]);
    let tokens = floor.create_room("small").await;

    // The flag reaches the new room, through its log.
    let (settings, seq) = settings_and_seq(&floor, &tokens).await;
    assert_eq!(settings["max_open_entries"], 5);
    assert_eq!(seq, 1, "the room's first event records its cap");

    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let ack = acked(
            runner
                .command(&format!("r-{n}"), submit("onsite", &format!("Hand {n}")))
                .await,
        );
        ids.push(ack["entry_id"].clone());
    }
    let before = floor.snapshot(&tokens).await;
    let full = refused(
        runner
            .command("r-5", submit("onsite", "One too many"))
            .await,
        "room_full",
    );
    assert!(full["message"].as_str().unwrap().contains('5'), "{full}");
    let mut page = Client::connect(&floor, tokens.participant("p", "online")).await;
    refused(
        page.command("p-1", submit("online", "A remote hand")).await,
        "room_full",
    );
    let after = floor.snapshot(&tokens).await;
    assert_eq!(
        after["room"]["seq"], before["room"]["seq"],
        "nothing changed"
    );
    assert_eq!(after["room"]["entries"], before["room"]["entries"]);

    // The chair may not set the cap below what the room holds, and may
    // raise it; then a submit goes through.
    let mut chair = Client::connect(&floor, tokens.hello("chair", "chair")).await;
    let below = json!({"type": "update_settings", "patch": {"max_open_entries": 4}});
    let below = refused(chair.command("c-1", below).await, "invalid_field");
    assert_eq!(below["field"], "patch.max_open_entries");
    for bad in [0, 10_001] {
        let patch = json!({"type": "update_settings", "patch": {"max_open_entries": bad}});
        refused(
            chair.command(&format!("c-bad-{bad}"), patch).await,
            "invalid_field",
        );
    }
    let raise = json!({"type": "update_settings", "patch": {"max_open_entries": 6}});
    acked(chair.command("c-2", raise).await);
    acked(runner.command("r-6", submit("onsite", "Hand 6")).await);
    refused(
        runner.command("r-7", submit("onsite", "Hand 7")).await,
        "room_full",
    );

    // Withdrawing frees a place.
    let withdraw = json!({"type": "withdraw", "entry_id": ids[0]});
    acked(runner.command("r-w", withdraw).await);
    acked(runner.command("r-8", submit("onsite", "Hand 8")).await);

    // The cap is the room's own, from its log: a start with another
    // default keeps it, and gives the default to new rooms only.
    drop((runner, page, chair));
    let addr = floor.addr.to_string();
    floor.kill();
    let floor = Floor::start_at(&data, &addr, &[]);
    let (settings, _) = settings_and_seq(&floor, &tokens).await;
    assert_eq!(settings["max_open_entries"], 6);
    let fresh = floor.create_room("fresh").await;
    let (settings, seq) = settings_and_seq(&floor, &fresh).await;
    assert_eq!(settings["max_open_entries"], 500);
    assert_eq!(seq, 0, "the protocol's default needs no event");
}

#[tokio::test]
async fn a_cap_out_of_range_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(floor_bin())
        .args(["serve", "--max-open-entries", "0", "--data"])
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--max-open-entries 0"), "{err}");
}
