//! The shared store when JetStream's answers come late or not at all: a
//! first send is never acknowledged as a duplicate, a command whose outcome
//! cannot be learned is answered `outcome_unknown` (never
//! `storage_unavailable`, which means nothing was recorded), a broker that
//! cannot hear NATS refuses a `hello` promptly rather than hang or serve a
//! stale room, and a client resuming on a broker that is behind never goes
//! back in time.
//!
//! Each broker under test reaches NATS through a proxy that holds what
//! NATS sends (every answer comes late) or loses it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::time::{Duration, Instant};

use floor_tests::nats::Nats;
use floor_tests::{Client, Floor, Proxy, acked, refused, submit, welcomed};
use serde_json::json;

/// How long answers are held: longer than an append waits for one
/// (`ACK_WAIT`, 0.3 s) twice over, and than a confirmation of the room
/// stays fresh (`FRESH_FOR`, 1 s).
const HELD: Duration = Duration::from_millis(1500);

/// A NATS server, broker A reaching it through a proxy, broker B
/// directly, and a room.
struct Setup {
    _dir: tempfile::TempDir,
    _nats: Nats,
    proxy: Proxy,
    a: Floor,
    b: Floor,
    tokens: floor_tests::Tokens,
}

async fn setup(room: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let nats = Nats::single(&dir.path().join("nats"));
    let proxy = Proxy::start(([127, 0, 0, 1], nats.nodes[0].port).into()).await;
    let through_proxy = format!("nats://{}", proxy.addr);
    let a = Floor::start_with(&dir.path().join("a"), &["--store", &through_proxy]);
    let b = Floor::start_with(&dir.path().join("b"), &["--store", &nats.urls()]);
    let tokens = b.create_room_when_stored(room).await;
    Setup {
        _dir: dir,
        _nats: nats,
        proxy,
        a,
        b,
        tokens,
    }
}

/// The broker's count of commits decided again after JetStream said the
/// subject had moved on (or held the commit already).
async fn conflicts(floor: &Floor) -> u64 {
    floor_tests::metric(floor, "floor_shared_conflicts_total").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_send_whose_answer_came_late_is_not_acknowledged_as_a_duplicate() {
    let s = setup("late").await;
    let mut runner = Client::connect(&s.a, s.tokens.hello("runner", "runner")).await;
    acked(runner.command("r1", submit("onsite", "Amina Diallo")).await);
    let before = conflicts(&s.a).await;

    // The append reaches JetStream; its answer is held past the wait, so
    // A sends the identical message again, and JetStream answers the
    // copies with `duplicate`: the commit is A's own.
    s.proxy.hold_answers();
    runner
        .send(&json!({"type": "command", "request_id": "r2", "command": submit("onsite", "Bram de Vries")}))
        .await;
    tokio::time::sleep(HELD).await;
    s.proxy.release_answers();
    let answer = acked(runner.answer("r2").await);
    assert_eq!(answer["duplicate"], false, "a first send: {answer}");
    assert!(
        conflicts(&s.a).await > before,
        "the store's `duplicate` answer was met"
    );

    // Stored once, at the acknowledged seq, on both brokers.
    let on_b = s.b.room_state(&s.tokens).await;
    let names: Vec<_> = on_b
        .view()
        .entries
        .iter()
        .map(|e| e.person.name.clone())
        .collect();
    assert_eq!(names, ["Amina Diallo", "Bram de Vries"]);
    assert_eq!(answer["last_seq"].as_u64(), Some(on_b.seq()));
    // The retry of a command that did take effect is the duplicate.
    let again = acked(
        runner
            .command("r2", submit("onsite", "Bram de Vries"))
            .await,
    );
    assert_eq!(again["duplicate"], true, "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_whose_answers_are_all_lost_is_outcome_unknown_and_takes_effect_once() {
    let s = setup("lost-ack").await;
    let mut runner = Client::connect(&s.a, s.tokens.hello("runner", "runner")).await;
    acked(runner.command("r1", submit("onsite", "Amina Diallo")).await);

    // The append reaches JetStream; its acknowledgement never comes back,
    // nor that of any copy sent again: A cannot learn the outcome, and says
    // so (never `storage_unavailable`, which means nothing was recorded).
    s.proxy.lose_answers();
    let lost = submit("onsite", "Bram de Vries");
    refused(runner.command("r2", lost.clone()).await, "outcome_unknown");
    let names = |state: &floor_client::RoomState| -> Vec<String> {
        state
            .view()
            .entries
            .iter()
            .map(|e| e.person.name.clone())
            .collect()
    };
    assert_eq!(
        names(&s.b.room_state(&s.tokens).await),
        ["Amina Diallo", "Bram de Vries"]
    );

    // A's connection to NATS is cut and comes back; the runner retries
    // with the same request id until A answers: the command had taken
    // effect, once.
    s.proxy.cut();
    let deadline = Instant::now() + floor_tests::DEADLINE;
    let answer = loop {
        let answer = runner.command("r2", lost.clone()).await;
        if answer["type"] == "ack" {
            break answer;
        }
        assert!(
            ["storage_unavailable", "outcome_unknown"]
                .contains(&answer["code"].as_str().unwrap_or("")),
            "{answer}"
        );
        assert!(Instant::now() < deadline, "A never came back");
        // The broker reconnects to NATS on its own schedule.
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(answer["duplicate"], true, "{answer}");
    acked(runner.command("r3", submit("onsite", "Chen Wei")).await);
    let on_a = s.a.room_state(&s.tokens).await;
    let on_b = s.b.room_state(&s.tokens).await;
    assert_eq!(names(&on_a), ["Amina Diallo", "Bram de Vries", "Chen Wei"]);
    assert_eq!(on_a.seq(), on_b.seq());
    assert_eq!(names(&on_b), names(&on_a));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hello_to_a_broker_that_cannot_hear_nats_is_refused_promptly() {
    let s = setup("deaf").await;
    let mut runner = Client::connect(&s.a, s.tokens.hello("runner", "runner")).await;
    acked(runner.command("r1", submit("onsite", "Amina Diallo")).await);

    // A stops hearing NATS, with a command of its room waiting on an
    // append (which goes on trying for up to 12 s): new hellos are refused
    // within about 2 s, and never served from a room A cannot confirm.
    s.proxy.hold_answers();
    runner
        .send(&json!({"type": "command", "request_id": "r2", "command": submit("onsite", "Chen Wei")}))
        .await;
    tokio::time::sleep(HELD).await;
    let took = floor_tests::refused_for_now(&s.a, &s.tokens.hello("display", "projector")).await;
    eprintln!("a hello to a broker deaf to NATS was refused in {took:?}");
    assert!(took < Duration::from_secs(4), "refused in {took:?}");

    // B serves the room meanwhile; once A hears NATS again, it serves too,
    // and the waiting command was answered exactly.
    let on_b = Client::connect(&s.b, s.tokens.hello("display", "on-b")).await;
    assert_eq!(on_b.caught_up["type"], "snapshot");
    s.proxy.release_answers();
    let answer = runner.answer("r2").await;
    assert!(
        answer["type"] == "ack" || answer["code"] == "outcome_unknown",
        "{answer}"
    );
    let display = welcomed(&s.a, &s.tokens.hello("display", "projector")).await;
    let retried = acked(runner.command("r2", submit("onsite", "Chen Wei")).await);
    assert!(display.seq <= retried["last_seq"].as_u64().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_on_a_broker_that_is_behind_never_goes_back_in_time() {
    let s = setup("behind").await;
    // A serves the room to a display (so it follows the room), then stops
    // hearing NATS; the room moves on through B.
    let _display = Client::connect(&s.a, s.tokens.hello("display", "hall")).await;
    s.proxy.hold_answers();
    let mut runner = Client::connect(&s.b, s.tokens.hello("runner", "runner")).await;
    let mut last = 0;
    for (i, name) in ["Amina Diallo", "Bram de Vries", "Chen Wei"]
        .iter()
        .enumerate()
    {
        let answer = acked(
            runner
                .command(&format!("r{i}"), submit("onsite", name))
                .await,
        );
        last = answer["last_seq"].as_u64().unwrap();
    }
    let epoch = runner.welcome["epoch"].clone();
    let mut hello = s.tokens.hello("display", "moved");
    hello["resume"] = json!({"epoch": epoch, "seq": last});

    // A client that saw `last` through B moves to A: A cannot confirm
    // that it holds the room's last commit, and refuses rather than
    // answer with an older room.
    tokio::time::sleep(HELD).await;
    floor_tests::refused_for_now(&s.a, &hello).await;

    // A hears NATS again: the resume gets what it missed (nothing), at
    // `last`, never a snapshot `ahead` of an older room.
    s.proxy.release_answers();
    let resumed = welcomed(&s.a, &hello).await;
    assert_eq!(resumed.caught_up["type"], "order", "{}", resumed.caught_up);
    assert_eq!(resumed.seq, last);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_ahead_of_a_broker_that_hears_nats_is_caught_up_not_snapshotted() {
    let s = setup("lagging").await;
    // A client acknowledged through B resumes on A at once, many times:
    // whatever A's follower has delivered yet, A reads the stream first.
    let _display = Client::connect(&s.a, s.tokens.hello("display", "hall")).await;
    let mut runner = Client::connect(&s.b, s.tokens.hello("runner", "runner")).await;
    let epoch = runner.welcome["epoch"].clone();
    for i in 0..20 {
        let answer = acked(
            runner
                .command(&format!("r{i}"), submit("onsite", &format!("Speaker {i}")))
                .await,
        );
        let seq = answer["last_seq"].as_u64().unwrap();
        let mut hello = s.tokens.hello("display", &format!("moved-{i}"));
        hello["resume"] = json!({"epoch": epoch, "seq": seq});
        let resumed = Client::connect(&s.a, hello).await;
        assert_eq!(resumed.caught_up["type"], "order", "{}", resumed.caught_up);
        assert_eq!(resumed.seq, seq);
    }
}
