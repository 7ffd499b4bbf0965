//! The Dockerfile and docker-compose.yml, run for real with podman and
//! podman-compose (`scripts/test` installs them; the images come from
//! `scripts/images`: the Dockerfile's runtime stage with the binary under
//! test, and local stand-ins for the upstream NATS and Caddy images).
//!
//! - The single broker: the image starts, its demo links work, it runs as
//!   uid 10001, its named volume keeps the room across `down` and `up`,
//!   and `stop` (SIGTERM) ends it with exit code 0 within the grace period.
//! - The clustered profile: 3 NATS nodes, 2 brokers and Caddy with its
//!   internal CA. Clients connect through Caddy's https and are spread
//!   over both brokers; a broker killed moves its clients to the other,
//!   which resumes them with no gap; a NATS node killed loses no
//!   acknowledged command; the brokers count each client's own address,
//!   not Caddy's.
//!
//! Built only with the `containers` feature:
//! `cargo test -p floor-tests --features containers --test containers`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use floor_client::{Client, ConnectOptions, ConnectionEvent, Hand, RoomChannel, Update};
use floor_tests::containers::*;
use serde_json::Value;

/// `stop_grace_period` of the brokers in docker-compose.yml.
const GRACE: Duration = Duration::from_secs(10);

/// Waits until `url`/healthz answers `"status": "ok"`.
async fn healthy(agent: &ureq::Agent, base: &str) {
    let url = format!("{base}/healthz");
    until(&format!("{url} to answer ok"), || {
        let mut response = agent.get(&url).call().ok()?;
        let body: Value = response.body_mut().read_json().ok()?;
        (body["status"] == "ok").then_some(())
    })
    .await;
}

/// The demo room's links in the single broker's log, once printed.
async fn demo_links() -> BTreeMap<String, String> {
    until("the demo room's links in the log", || {
        let links = printed_links(&logs("floor"));
        links.contains_key("projector display").then_some(links)
    })
    .await
}

fn plain_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_single_broker_serves_keeps_its_volume_and_stops_on_sigterm() {
    let _one = exclusive().await;
    images();
    let port = free_port();
    let compose = Compose::new(&[("FLOOR_PORT", port.to_string())], None);
    compose.up(&["floor"]);
    let base = format!("http://127.0.0.1:{port}");
    let agent = plain_agent();
    healthy(&agent, &base).await;

    // The demo links work: the mic runner's command is acknowledged.
    let links = demo_links().await;
    assert!(
        links["mic runner"].starts_with(&format!("http://localhost:{port}/r/")),
        "{links:?}"
    );
    let runner = Client::connect(ConnectOptions::from_link(&links["mic runner"]).unwrap())
        .await
        .unwrap();
    let entry = RoomChannel::new(runner.clone())
        .raise_hand(Hand::new("Amina Diallo").seat("Row 4"))
        .await
        .unwrap();
    runner.close().await;
    let page = agent.get(&links["chair"]).call().unwrap();
    assert_eq!(page.status(), 200, "the chair's page");

    assert_eq!(uid_of("floor"), 10001, "the broker runs as uid 10001");

    // down and up again: the volume keeps the room and its links.
    compose.down(false);
    compose.up(&["floor"]);
    healthy(&agent, &base).await;
    let again = demo_links().await;
    assert_eq!(
        again, links,
        "the demo links are the same after down and up"
    );
    let runner = Client::connect(ConnectOptions::from_link(&links["mic runner"]).unwrap())
        .await
        .unwrap();
    assert!(
        runner.state().entry(entry).is_some(),
        "the hand raised before `down` is still in the room"
    );
    runner.close().await;

    // stop: SIGTERM, and a clean exit within the grace period.
    let started = Instant::now();
    compose.ok(&["stop", "floor"]);
    let took = started.elapsed();
    assert_eq!(inspect("floor", "{{.State.Status}}"), "exited");
    assert_eq!(
        inspect("floor", "{{.State.ExitCode}}"),
        "0",
        "SIGTERM ends the broker cleanly (137 would mean it was killed)"
    );
    assert!(took < GRACE, "stopped in {took:?}");
    eprintln!("single broker: stopped with exit code 0 in {took:?}");
}

/// One display's view of the stream: every event seq it received, and
/// what happened to its connection.
#[derive(Default)]
struct Watched {
    seqs: Vec<u64>,
    snapshots: usize,
    connections: Vec<ConnectionEvent>,
}

/// A display connected through Caddy, watched.
struct Display {
    /// Kept open for the test's length.
    _client: Client,
    watched: Arc<Mutex<Watched>>,
    /// Told each time the watcher has recorded an update.
    recorded: Arc<tokio::sync::Notify>,
}

impl Display {
    /// Waits until the watcher has recorded the event `head` (the client's
    /// state can be there before its updates are read).
    async fn seen(&self, head: u64) {
        loop {
            let notified = self.recorded.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self
                .watched
                .lock()
                .unwrap()
                .seqs
                .last()
                .is_some_and(|seq| *seq >= head)
            {
                return;
            }
            notified.await;
        }
    }
}

async fn display(link: &str, ca: &Path) -> Display {
    let client = Client::connect(
        ConnectOptions::from_link(link)
            .unwrap()
            .ca_file(ca)
            .unwrap()
            .reconnect_delay(Duration::from_millis(100), Duration::from_millis(500)),
    )
    .await
    .unwrap();
    let watched = Arc::new(Mutex::new(Watched::default()));
    let recorded = Arc::new(tokio::sync::Notify::new());
    let mut updates = client.subscribe();
    let sink = Arc::clone(&watched);
    let told = Arc::clone(&recorded);
    tokio::spawn(async move {
        while let Some(update) = updates.next().await {
            {
                let mut watched = sink.lock().unwrap();
                match update {
                    Update::Event(event) => watched.seqs.push(event.seq),
                    Update::Snapshot { .. } => watched.snapshots += 1,
                    Update::Connection(change) => watched.connections.push(change),
                    Update::Order { .. } | Update::Lagged { .. } => {}
                }
            }
            told.notify_waiters();
        }
    });
    Display {
        _client: client,
        watched,
        recorded,
    }
}

/// The `floor_connections{role="display"}` gauge of the broker at `ip`.
fn displays_on(agent: &ureq::Agent, ip: std::net::IpAddr) -> Option<u64> {
    let text = agent
        .get(&format!("http://{ip}:8080/metrics"))
        .call()
        .ok()?
        .body_mut()
        .read_to_string()
        .ok()?;
    Some(
        text.lines()
            .find_map(|line| line.strip_prefix("floor_connections{role=\"display\"} "))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clustered_profile_survives_a_broker_and_a_nats_node() {
    let _one = exclusive().await;
    images();
    let port = free_port();
    let compose = Compose::new(&[("FLOOR_HTTPS_PORT", port.to_string())], Some("clustered"));
    compose.up(&["proxy"]);
    let dir = tempfile::tempdir().unwrap();

    // Caddy's internal CA, trusted by this test alone.
    let ca = dir.path().join("root.crt");
    let ca_path = ca.to_str().unwrap().to_owned();
    until("Caddy's root certificate", || {
        let copied = podman(&[
            "cp",
            &format!(
                "{}:/data/caddy/pki/authorities/local/root.crt",
                container("proxy")
            ),
            &ca_path,
        ]);
        copied.status.success().then_some(())
    })
    .await;
    let tls = trusting(&ca);
    let https: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::new_with_certs(&[
                    ureq::tls::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap(),
                ]))
                .build(),
        )
        .build()
        .into();
    let base = format!("https://localhost:{port}");
    healthy(&https, &base).await;

    // The admin token, printed by the broker that started first.
    let admin = until("the admin token in a broker's log", || {
        ["broker-a", "broker-b"].iter().find_map(|broker| {
            logs(broker).lines().find_map(|line| {
                line.split_once("admin token (shown once; keep it to create rooms): ")
                    .map(|(_, token)| token.trim().to_owned())
            })
        })
    })
    .await;
    let create = |room: &str| {
        let out = podman_ok(&[
            "exec",
            &container("broker-a"),
            "floor",
            "room",
            "create",
            room,
            "--title",
            "Main hall",
            "--admin-token",
            &admin,
        ]);
        printed_links(&out)
    };

    // The brokers count each client's own address, which Caddy forwards,
    // not Caddy's: a participant budget spent straight at both brokers
    // from this machine is spent through Caddy too, and a client's own
    // X-Forwarded-For changes nothing.
    let lobby = create("lobby");
    let participant = token_of(&lobby["participant"]);
    let brokers = [address("broker-a"), address("broker-b")];
    let mut n = 0;
    let mut spent = Vec::new();
    for ip in brokers {
        let mut acked = 0;
        loop {
            n += 1;
            let ws = open_socket(&format!("ws://{ip}:8080/ws"), None, &[]).await;
            let answer = participant_submits(ws, "lobby", &participant, n).await;
            if answer["type"] == "ack" {
                acked += 1;
                assert!(acked <= 40, "no budget at {ip}");
            } else {
                assert_eq!(answer["code"], "rate_limited", "{answer}");
                break;
            }
        }
        assert!(acked >= 30, "{acked} at {ip}");
        spent.push(Instant::now());
    }
    let mut refused = 0;
    let mut let_through = 0;
    let through_caddy = format!("wss://localhost:{port}/ws");
    for i in 0..10 {
        n += 1;
        // Half of them claim another address of their own.
        let spoof = format!("203.0.113.{i}");
        let headers: Vec<(&'static str, &str)> = if i % 2 == 1 {
            vec![("x-forwarded-for", spoof.as_str())]
        } else {
            Vec::new()
        };
        let ws = open_socket(&through_caddy, Some(&tls), &headers).await;
        let answer = participant_submits(ws, "lobby", &participant, n).await;
        if answer["type"] == "ack" {
            let_through += 1;
        } else {
            assert_eq!(answer["code"], "rate_limited", "{answer}");
            refused += 1;
        }
    }
    // Each broker gives one submit back every 2 s: what went through is
    // no more than the refills since each budget was spent. Caddy's own
    // address has its whole budget: counted there, none would be refused.
    let refills: u64 = spent.iter().map(|at| at.elapsed().as_secs() / 2 + 1).sum();
    eprintln!(
        "through Caddy: {refused} of 10 refused, {let_through} let through ({refills} refills possible)"
    );
    assert!(
        refused >= 1,
        "the brokers counted Caddy's address, not the client's"
    );
    assert!(
        let_through <= refills,
        "{let_through} went through Caddy with the budget spent ({refills} refills)"
    );

    // The session: displays spread over both brokers through Caddy.
    let hall = create("plenary");
    let mut displays = Vec::new();
    for _ in 0..8 {
        displays.push(display(&hall["display"], &ca).await);
    }
    let agent = plain_agent();
    let spread = until("displays on both brokers", || {
        let counts = brokers.map(|ip| displays_on(&agent, ip));
        match counts {
            [Some(a), Some(b)] if a + b == 8 && a > 0 && b > 0 => Some([a, b]),
            _ => None,
        }
    })
    .await;
    eprintln!(
        "displays: {} on broker-a, {} on broker-b",
        spread[0], spread[1]
    );
    let runner = Client::connect(
        ConnectOptions::from_link(&hall["runner"])
            .unwrap()
            .ca_file(&ca)
            .unwrap()
            .reconnect_delay(Duration::from_millis(100), Duration::from_millis(500)),
    )
    .await
    .unwrap();
    let hands = RoomChannel::new(runner.clone());
    let mut entries = Vec::new();
    for i in 0..5 {
        entries.push(
            hands
                .raise_hand(Hand::new(format!("Before {i}")))
                .await
                .unwrap(),
        );
    }

    // Kill broker-a: its displays come back through Caddy and resume.
    podman_ok(&["kill", &container("broker-a")]);
    for i in 0..5 {
        entries.push(
            hands
                .raise_hand(Hand::new(format!("After {i}")))
                .await
                .unwrap(),
        );
    }
    let head = runner.state().seq();
    let mut moved = 0;
    for display in &displays {
        tokio::time::timeout(Duration::from_secs(60), display.seen(head))
            .await
            .expect("every display has every event within 60 s of the kill");
        let watched = display.watched.lock().unwrap();
        let first = watched.seqs.first().copied().unwrap();
        let expected: Vec<u64> = (first..=*watched.seqs.last().unwrap()).collect();
        assert_eq!(watched.seqs, expected, "every event once, in order");
        assert_eq!(watched.snapshots, 0, "resumed, not sent a fresh snapshot");
        assert!(
            !watched
                .connections
                .iter()
                .any(|c| matches!(c, ConnectionEvent::Resyncing { .. })),
            "{:?}",
            watched.connections
        );
        let resumed = watched.connections.iter().any(|c| {
            matches!(
                c,
                ConnectionEvent::Connected {
                    resumed_from: Some(_),
                    ..
                }
            )
        });
        if resumed {
            moved += 1;
        }
    }
    assert!(
        moved >= usize::try_from(spread[0]).unwrap(),
        "the {} displays of the killed broker resumed ({moved} did)",
        spread[0]
    );
    let killed = inspect("broker-a", "{{.State.Status}}");
    let after = brokers.map(|ip| displays_on(&agent, ip));
    eprintln!("after the kill: broker-a {killed}, displays {after:?}");
    if killed != "running" {
        assert_eq!(after[1], Some(8), "every display is on broker-b");
    }

    // Kill a NATS node while hands are raised: nothing acknowledged is lost.
    let (killed_tx, killed_rx) = tokio::sync::oneshot::channel::<()>();
    let raiser = {
        let hands = hands.clone();
        tokio::spawn(async move {
            let mut acked = Vec::new();
            let mut killed_tx = Some(killed_tx);
            for i in 0..30 {
                acked.push(
                    hands
                        .raise_hand(Hand::new(format!("Node {i}")))
                        .await
                        .unwrap(),
                );
                if i == 9
                    && let Some(tx) = killed_tx.take()
                {
                    let _ = tx.send(());
                }
            }
            acked
        })
    };
    killed_rx.await.unwrap();
    podman_ok(&["kill", &container("nats-1")]);
    entries.extend(raiser.await.unwrap());

    // A fresh client through Caddy holds every acknowledged hand. While
    // NATS elects new leaders the broker refuses a hello with
    // `storage_unavailable` (close 1013), which says to try again: the
    // client does, as every role client does.
    let check = tokio::time::timeout(
        Duration::from_secs(60),
        Client::connect(
            ConnectOptions::from_link(&hall["chair"])
                .unwrap()
                .ca_file(&ca)
                .unwrap()
                .retry_initial_connect(true),
        ),
    )
    .await
    .expect("a broker serves the room again within 60 s of a NATS node's loss")
    .unwrap();
    let state = check.state();
    let missing: Vec<_> = entries
        .iter()
        .filter(|e| state.entry(**e).is_none())
        .collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    eprintln!(
        "clustered: {} hands acknowledged across a broker kill and a NATS node kill, none lost; {moved} displays resumed",
        entries.len()
    );
    drop(compose);
}
