//! The shared store: two brokers on NATS JetStream (a real nats-server on
//! loopback) serving one room, under the chaos harness's load, with
//! connections cut and stalled all along: the staff split between the
//! brokers, a broker killed mid-session, a NATS node killed mid-session.
//! Each run checks every command against the log (nothing acknowledged
//! lost or applied twice), the log gapless, the calls replayed through
//! the core (the fairness invariants on the combined order), every
//! subscriber's stream gapless, and every client's final view equal to
//! the surviving broker's. Beside the load: an append whose
//! acknowledgement was lost and is retried, token rotations and attendance
//! across brokers, a commit in the log that does not fit the room.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use floor_tests::chaos::{Outcome, Plan, Setup, SharedSetup, run_with};
use floor_tests::nats::Nats;

fn plan(dir: &std::path::Path) -> Plan {
    Plan {
        duration: Duration::from_secs(30),
        kills: 0,
        participants: 4,
        displays: 40,
        data: dir.join("data"),
    }
}

fn assert_sound(outcome: &Outcome, plan: &Plan) {
    let figures = &outcome.figures;
    eprintln!("{figures}");
    assert!(outcome.failures.is_empty(), "{:#?}", outcome.failures);
    assert_eq!(
        (figures.lost, figures.duplicated, figures.unexpected),
        (0, 0, 0)
    );
    assert_eq!(figures.gaps, 0);
    assert_eq!(figures.views_equal, plan.displays);
    assert_eq!(figures.client_views_equal, plan.participants + 3);
    assert!(figures.ok > 100, "the load ran: {figures}");
    assert!(figures.calls_checked > 10, "the chair called: {figures}");
}

/// Runs the load on two brokers sharing one nats-server, killing broker A
/// halfway if asked; checks the outcome is sound and returns it.
async fn run_on_one_server(kill_broker: bool) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let nats = Nats::single(&dir.path().join("nats"));
    let plan = plan(dir.path());
    let outcome = run_with(
        &plan,
        Setup::Shared(SharedSetup {
            servers: nats.urls(),
            replicas: 1,
            kill_broker,
            midway: None,
        }),
    )
    .await;
    assert_sound(&outcome, &plan);
    outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_brokers_serve_one_room_with_one_gapless_order() {
    let outcome = run_on_one_server(false).await;
    assert!(outcome.figures.brokers_equal, "both brokers end equal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_killed_mid_session_hands_its_clients_to_the_other() {
    let outcome = run_on_one_server(true).await;
    assert_eq!(outcome.figures.crashes, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nats_node_killed_mid_session_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let nats = Arc::new(Mutex::new(Nats::cluster(&dir.path().join("nats"))));
    let servers = nats.lock().unwrap().urls();
    let killer = nats.clone();
    let plan = plan(dir.path());
    let outcome = run_with(
        &plan,
        Setup::Shared(SharedSetup {
            servers,
            replicas: 3,
            kill_broker: false,
            midway: Some(Box::new(move || killer.lock().unwrap().nodes[0].kill())),
        }),
    )
    .await;
    assert_sound(&outcome, &plan);
    assert!(outcome.figures.brokers_equal, "both brokers end equal");
}

/// The sum of a counter over the brokers' `/metrics`.
async fn counter(brokers: &[&floor_tests::Floor], name: &str) -> u64 {
    let mut total = 0;
    for broker in brokers {
        total += floor_tests::metric(broker, name).await;
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_bursts_on_two_brokers_are_decided_again_into_one_order() {
    use floor_protocol::{Channel, Command};
    use floor_tests::chaos::draft;

    let TwoBrokers {
        _dir,
        nats,
        a,
        b,
        tokens,
    } = two_brokers_with("burst", &["--commands-per-second", "0"]).await;
    let servers = nats.urls();
    let runner = client_of(&tokens.link(&a, "runner"), "burst-runner").await;
    let moderator = client_of(&tokens.link(&b, "moderator"), "burst-moderator").await;
    // Bursts from both brokers at once until one broker's append has met
    // the other's (each burst makes that very likely; a few are allowed).
    let mut submitted = 0;
    for round in 0..20 {
        let onsite = (0..20).map(|i| {
            runner.command(Command::Submit {
                entry: draft(Channel::Onsite, format!("onsite {round}-{i}")),
            })
        });
        let online = (0..20).map(|i| {
            moderator.command(Command::Submit {
                entry: draft(Channel::Online, format!("online {round}-{i}")),
            })
        });
        let (onsite, online) = tokio::join!(
            futures_util::future::join_all(onsite),
            futures_util::future::join_all(online)
        );
        for answer in onsite.into_iter().chain(online) {
            answer.expect("every submission is acknowledged");
            submitted += 1;
        }
        if counter(&[&a, &b], "floor_shared_conflicts_total").await > 0 {
            break;
        }
    }
    let conflicts = counter(&[&a, &b], "floor_shared_conflicts_total").await;
    assert!(conflicts > 0, "the brokers' appends met");

    // One order: both brokers hold the same room, with every entry, and
    // the log in JetStream is gapless.
    let head = runner
        .wait_until(|s| s.view().entries.len() == submitted)
        .await
        .seq();
    moderator.wait_until(|s| s.seq() >= head).await;
    let on_a = a.room_state(&tokens).await;
    let on_b = b.room_state(&tokens).await;
    assert_eq!(on_a.seq(), head);
    assert_eq!(on_a.view(), on_b.view());
    assert_eq!(runner.state().view(), on_a.view());
    assert_eq!(moderator.state().view(), on_a.view());
    let log = floor_tests::chaos::read_shared_log(&servers, "burst").await;
    let seqs: Vec<u64> = log.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=head).collect::<Vec<_>>());
    eprintln!("{submitted} submissions through two brokers; {conflicts} appends decided again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_three_node_cluster_the_stream_has_three_replicas() {
    use floor_tests::Floor;
    let dir = tempfile::tempdir().unwrap();
    let nats = Nats::cluster(&dir.path().join("nats"));
    let servers = nats.urls();
    // No --nats-replicas: the broker counts the cluster's nodes.
    let floor = Floor::start_with(&dir.path().join("data"), &["--store", &servers]);
    let tokens = floor.create_room_when_stored("replicated").await;
    assert_eq!(tokens.room, "replicated");
    let replicas = nats.stream_replicas("FLOOR_ROOMS");
    assert_eq!(replicas, Some(3), "the stream's replicas");
}

/// A protocol client of `link`, with client id `id`.
async fn client_of(link: &str, id: &str) -> floor_client::Client {
    let options = floor_client::ConnectOptions::from_link(link)
        .unwrap()
        .client_id(id);
    floor_client::Client::connect(options).await.unwrap()
}

/// Two brokers, A and B, on one nats-server, and a room created on A
/// (bind every field, in this order so that the brokers stop first: one
/// left to `..` is dropped, and stopped, at once).
struct TwoBrokers {
    _dir: tempfile::TempDir,
    nats: Nats,
    a: floor_tests::Floor,
    b: floor_tests::Floor,
    tokens: floor_tests::Tokens,
}

async fn two_brokers(room: &str) -> TwoBrokers {
    two_brokers_with(room, &[]).await
}

/// [`two_brokers`], each started with `args` too.
async fn two_brokers_with(room: &str, args: &[&str]) -> TwoBrokers {
    let dir = tempfile::tempdir().unwrap();
    let nats = Nats::single(&dir.path().join("nats"));
    let servers = nats.urls();
    let mut all = vec!["--store", servers.as_str()];
    all.extend_from_slice(args);
    let a = floor_tests::Floor::start_with(&dir.path().join("a"), &all);
    let b = floor_tests::Floor::start_with(&dir.path().join("b"), &all);
    let tokens = a.create_room_when_stored(room).await;
    TwoBrokers {
        _dir: dir,
        nats,
        a,
        b,
        tokens,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_that_cannot_be_read_is_refused_for_now_not_for_good() {
    use floor_tests::Client;
    let TwoBrokers {
        _dir,
        mut nats,
        a: _a,
        b,
        tokens,
    } = two_brokers("unreadable").await;

    // B has not served the room yet, and NATS is gone: B cannot read it.
    nats.nodes[0].kill();
    floor_tests::refused_for_now(&b, &tokens.hello("display", "while-down")).await;
    let (status, body) = b
        .http("GET", "/api/rooms/unreadable", tokens.role("display"), None)
        .await;
    assert_eq!(status, 503, "{body}");

    // NATS is back: the same hello is welcomed.
    nats.nodes[0].restart();
    nats.wait_healthy();
    let deadline = std::time::Instant::now() + floor_tests::DEADLINE;
    loop {
        let mut client = Client::raw(Client::open(&b).await);
        client.send(&tokens.hello("display", "after")).await;
        let answer = client.next().await;
        if answer["type"] == "welcome" {
            break;
        }
        assert_eq!(answer["code"], "storage_unavailable", "{answer}");
        assert!(
            std::time::Instant::now() < deadline,
            "B never read the room again"
        );
        // The broker reconnects to NATS on its own schedule.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Rotates a role's token through `floor`'s HTTP API (retried while the
/// broker cannot reach NATS); returns the new token.
async fn rotate(floor: &floor_tests::Floor, room: &str, role: &str) -> String {
    let deadline = std::time::Instant::now() + floor_tests::DEADLINE;
    loop {
        let (status, body) = floor
            .http(
                "POST",
                &format!("/api/rooms/{room}/rotate"),
                floor_tests::ADMIN,
                Some(serde_json::json!({"roles": [role]})),
            )
            .await;
        if status == 200 {
            return body["tokens"][role].as_str().unwrap().to_owned();
        }
        assert_eq!(status, 503, "{body}");
        assert!(
            std::time::Instant::now() < deadline,
            "the rotation never went through: {body}"
        );
        // The broker reconnects to NATS on its own schedule.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_rotated_on_one_broker_closes_its_connections_on_the_other() {
    use floor_tests::Client;
    let TwoBrokers {
        _dir,
        mut nats,
        a,
        b,
        tokens,
    } = two_brokers("rotated").await;
    let hello = |token: &str, client: &str| serde_json::json!({"type": "hello", "protocol": 1, "room": "rotated", "token": token, "client_id": client});
    let refused_on_b = |token: String| {
        let hello = hello(&token, "old");
        let b = &b;
        async move {
            let mut old = Client::raw(Client::open(b).await);
            old.send(&hello).await;
            floor_tests::refused(old.next().await, "unauthorized");
        }
    };

    // Rotated on A: the chair's connection on B closes, its old token no
    // longer opens the room on B, the new one does.
    let mut chair = Client::connect(&b, tokens.hello("chair", "chair")).await;
    let first = rotate(&a, "rotated", "chair").await;
    assert_eq!(chair.closed().await.map(|f| u16::from(f.code)), Some(4002));
    refused_on_b(tokens.role("chair").to_owned()).await;
    let mut chair = Client::connect(&b, hello(&first, "chair")).await;

    // NATS restarts under both brokers (B's watch of the tokens goes with
    // it); a rotation on A afterwards still reaches B.
    nats.nodes[0].restart();
    nats.wait_healthy();
    let second = rotate(&a, "rotated", "chair").await;
    assert_eq!(chair.closed().await.map(|f| u16::from(f.code)), Some(4002));
    refused_on_b(first).await;
    let chair = Client::connect(&b, hello(&second, "chair")).await;
    assert_eq!(chair.welcome["role"], "chair");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn participant_pages_on_two_brokers_are_counted_together() {
    use floor_tests::{Client, attendance_peak, wait_for_attendance_peak};
    let TwoBrokers {
        _dir,
        nats: _nats,
        a,
        b,
        tokens,
    } = two_brokers("counted").await;
    let mut display_a = Client::connect(&a, tokens.hello("display", "projector-a")).await;
    let mut display_b = Client::connect(&b, tokens.hello("display", "projector-b")).await;

    let mut pages = Vec::new();
    for (floor, id, channel) in [
        (&a, "hall-a1", "onsite"),
        (&a, "hall-a2", "onsite"),
        (&b, "hall-b1", "onsite"),
        (&b, "remote-b1", "online"),
        (&b, "remote-b2", "online"),
    ] {
        pages.push(Client::connect(floor, tokens.participant(id, channel)).await);
    }
    // The peak is the sum over both brokers, whichever records it, and
    // both brokers' screens see it.
    wait_for_attendance_peak(&mut display_a, (3, 2)).await;
    wait_for_attendance_peak(&mut display_b, (3, 2)).await;

    // Pages leave A and more join B: the online peak rises on B's count
    // plus A's; the hall's stays 3.
    pages.drain(..2);
    for id in ["remote-b3", "remote-b4"] {
        pages.push(Client::connect(&b, tokens.participant(id, "online")).await);
    }
    wait_for_attendance_peak(&mut display_a, (3, 4)).await;
    assert_eq!(attendance_peak(&display_b).0, 3);

    // The session report, asked of either broker from the command line.
    let server = b.http_url();
    let report = floor_tests::floor_json([
        "report",
        "counted",
        "--format",
        "json",
        "--server",
        &server,
        "--token",
        floor_tests::ADMIN,
    ]);
    assert_eq!(
        report["attendance_peak"],
        serde_json::json!({"onsite": 3, "online": 4})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_that_move_to_another_broker_are_not_counted_twice() {
    use floor_tests::{Client, wait_for_attendance_peak};
    let TwoBrokers {
        _dir,
        nats: _nats,
        mut a,
        b,
        tokens,
    } = two_brokers("moved").await;
    let mut display = Client::connect(&b, tokens.hello("display", "projector")).await;
    let mut pages = Vec::new();
    for i in 0..3 {
        pages.push(Client::connect(&a, tokens.participant(&format!("hall-{i}"), "onsite")).await);
    }
    wait_for_attendance_peak(&mut display, (3, 0)).await;

    // A dies; its pages reconnect to B while A's last count still stands
    // there for a few seconds: 6 pages, for a moment, that were never in
    // the room at once.
    a.kill();
    pages.clear();
    for i in 0..3 {
        pages.push(Client::connect(&b, tokens.participant(&format!("hall-{i}"), "onsite")).await);
    }
    pages.push(Client::connect(&b, tokens.participant("hall-3", "onsite")).await);
    wait_for_attendance_peak(&mut display, (4, 0)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_that_does_not_fit_stops_the_rooms_writes_and_nothing_diverges() {
    use floor_broker::shared::{Shared, SharedConfig};
    use floor_tests::{Client, acked, refused, submit};
    let TwoBrokers {
        _dir,
        nats,
        a,
        b,
        tokens,
    } = two_brokers("damaged").await;
    let mut runner = Client::connect(&a, tokens.hello("runner", "runner")).await;
    acked(runner.command("r1", submit("onsite", "Amina Diallo")).await);
    let before = b.room_state(&tokens).await;

    // Something other than a broker appends a commit that is no event.
    let shared = Shared::connect(&SharedConfig {
        servers: nats.urls(),
        replicas: None,
    })
    .await
    .unwrap();
    let last = shared.last_on_subject("damaged").await.unwrap();
    shared
        .append(
            "damaged",
            &["{\"not\": \"an event\"}"],
            &Default::default(),
            "damage-1",
            last,
        )
        .await
        .unwrap();

    // Both brokers refuse writes to the room rather than skip the commit;
    // what they serve stays what the log held before it.
    refused(
        runner
            .command("r2", submit("onsite", "Bram de Vries"))
            .await,
        "storage_unavailable",
    );
    let mut on_b = Client::connect(&b, tokens.hello("runner", "runner-b")).await;
    refused(
        on_b.command("b1", submit("onsite", "Chen Wei")).await,
        "storage_unavailable",
    );
    for floor in [&a, &b] {
        let state = floor.room_state(&tokens).await;
        assert_eq!(state.seq(), before.seq());
        assert_eq!(state.view().entries.len(), 1);
    }
    let display = Client::connect(&b, tokens.hello("display", "projector")).await;
    assert_eq!(display.seq, before.seq());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declarations_on_two_brokers_sum_exactly_and_reach_no_screen() {
    use floor_tests::{Client, acked, submit};
    use serde_json::{Value, json};
    let TwoBrokers {
        _dir,
        nats: _nats,
        mut a,
        b,
        tokens,
    } = two_brokers("declared").await;
    let mut display = Client::connect(&b, tokens.hello("display", "projector")).await;
    let declaring = |name: &str, gender: &str| {
        let mut command = submit("onsite", name);
        if !gender.is_empty() {
            command["entry"]["gender"] = json!(gender);
        }
        command
    };
    // Three of each on A, two of each on B: five of each in all, which
    // neither broker holds alone.
    let mut n = 0;
    for (floor, times, client) in [(&a, 3, "runner-a"), (&b, 2, "runner-b")] {
        let mut runner = Client::connect(floor, tokens.hello("runner", client)).await;
        for gender in ["woman", "man", "non_binary", "another", ""] {
            for _ in 0..times {
                n += 1;
                let command = declaring(&format!("Person {n}"), gender);
                acked(runner.command(&format!("r{n}"), command).await);
            }
        }
    }
    // A's first request again, through B: done once, counted once.
    let mut again = Client::connect(&b, tokens.hello("runner", "runner-a")).await;
    let answer = again.command("r1", declaring("Person 1", "woman")).await;
    assert_eq!(acked(answer)["duplicate"], true);

    // B's screen saw every entry and no declaration.
    display.follow_to(n).await;
    for event in &display.events {
        let text = event.to_string();
        assert!(
            !text.contains("gender") && !text.contains("non_binary"),
            "{text}"
        );
    }

    let want = json!({
        "threshold": 5,
        "requests": 25,
        "withheld": false,
        "declared": {"another": 5, "man": 5, "non_binary": 5, "woman": 5},
        "declared_total": 20,
        "not_given": 5,
        "hidden": {},
    });
    async fn genders(floor: &floor_tests::Floor, token: &str) -> Value {
        let path = "/api/rooms/declared/report?format=json";
        let (status, report) = floor.http("GET", path, token, None).await;
        assert_eq!(status, 200, "{report}");
        report["genders"].clone()
    }
    let chair = tokens.role("chair");
    assert_eq!(genders(&a, chair).await, want);
    assert_eq!(genders(&b, chair).await, want);
    // A broker that starts afresh reads the same totals.
    a.restart();
    assert_eq!(genders(&a, chair).await, want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_legacy_commit_is_served_without_its_declarations_and_still_counted() {
    use floor_broker::shared::{Shared, SharedConfig};
    use floor_tests::Client;
    let TwoBrokers {
        _dir,
        nats,
        a: _a,
        b,
        tokens,
    } = two_brokers("legacy").await;
    // A commit as a broker wrote it when declarations were events.
    let declared: Vec<_> = (0..20)
        .map(|i| (format!("Legacy {i}"), floor_protocol::Gender::ALL[i % 4]))
        .collect();
    let log = floor_tests::legacy_log(&declared);
    let texts: Vec<String> = log
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let shared = Shared::connect(&SharedConfig {
        servers: nats.urls(),
        replicas: None,
    })
    .await
    .unwrap();
    shared
        .append("legacy", &texts, &Default::default(), "legacy-1", 0)
        .await
        .unwrap();

    let mut hello = tokens.hello("display", "projector");
    hello["resume"] = serde_json::json!({"epoch": uuid::Uuid::nil(), "seq": 0});
    let display = Client::connect(&b, tokens.hello("display", "first")).await;
    hello["resume"]["epoch"] = display.welcome["epoch"].clone();
    let display = Client::connect(&b, hello).await;
    assert_eq!(display.events.len(), 40);
    for event in &display.events {
        let text = event.to_string();
        assert!(
            !text.contains("gender") && !text.contains("woman"),
            "{text}"
        );
    }
    assert_eq!(display.events[1]["event"]["type"], "redacted");
    // Five more requests, declaring nothing.
    let mut runner = Client::connect(&b, tokens.hello("runner", "runner")).await;
    for i in 0..5 {
        let command = floor_tests::submit("onsite", &format!("New {i}"));
        floor_tests::acked(runner.command(&format!("n{i}"), command).await);
    }
    let (status, report) = b
        .http(
            "GET",
            "/api/rooms/legacy/report?format=json",
            tokens.role("chair"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["genders"]["declared"],
        serde_json::json!({"another": 5, "man": 5, "non_binary": 5, "woman": 5})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_is_committed_in_few_messages_each_under_the_byte_cap() {
    use floor_broker::room::SHARED_COMMIT_BYTES;
    use floor_broker::shared::{Shared, SharedConfig};
    use floor_protocol::Channel;
    use floor_protocol::limits::TEXT_MAX;
    use floor_tests::chaos::draft;

    let TwoBrokers {
        _dir,
        nats,
        a: floor,
        b: _b,
        tokens,
    } = two_brokers_with("burst", &["--commands-per-second", "0"]).await;
    let servers = nats.urls();
    let runner = client_of(&tokens.link(&floor, "runner"), "burst-runner").await;
    // 400 hands of the longest question (over 1 KB of events each) at
    // once: more than 256 KiB queued behind the room's first append.
    let hands = 400;
    let submits = (0..hands).map(|i| {
        let mut entry = draft(Channel::Onsite, format!("Hand {i}"));
        entry.text = Some("Q".repeat(TEXT_MAX));
        runner.command(floor_protocol::Command::Submit { entry })
    });
    for answer in futures_util::future::join_all(submits).await {
        answer.expect("every hand is acknowledged");
    }

    let shared = Shared::connect(&SharedConfig {
        servers,
        replicas: None,
    })
    .await
    .unwrap();
    let commits = shared.read_after("burst", 0, 10_000).await.unwrap();
    let sizes: Vec<(usize, usize)> = commits
        .iter()
        .map(|c| (c.events.len(), c.events.iter().map(|e| e.len()).sum()))
        .collect();
    let events: usize = sizes.iter().map(|(n, _)| n).sum();
    assert_eq!(events as u64, floor.room_state(&tokens).await.seq());
    // Batches, not one message per few commands (how the 400 fall into
    // batches depends on the scheduler: the bound is loose on purpose)...
    assert!(
        sizes.len() <= hands / 10,
        "{} commits for {hands} hands: {sizes:?}",
        sizes.len()
    );
    // ...none over the cap, though the burst is more than twice the cap.
    let bytes: usize = sizes.iter().map(|(_, b)| b).sum();
    assert!(bytes > 2 * SHARED_COMMIT_BYTES, "{bytes} B in all");
    assert!(
        sizes.iter().all(|(_, bytes)| *bytes <= SHARED_COMMIT_BYTES),
        "a commit over {SHARED_COMMIT_BYTES} B: {sizes:?}"
    );
}
