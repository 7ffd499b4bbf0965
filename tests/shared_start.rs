//! Starting brokers on the shared store (real nats-servers on loopback):
//! a broker started before its NATS cluster waits for it and then serves;
//! a permanent failure ends the start at once; the admin token's hash in
//! NATS is the truth for every broker (one without `--admin-token` takes
//! it, one with a different token is refused, of two first brokers one
//! sets it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use floor_tests::nats::Nats;
use floor_tests::{ADMIN, DEADLINE, Floor, floor_bin};
use serde_json::json;

/// Waits until the file at `path` holds `text`; returns the file's text.
fn wait_for_text(path: &Path, text: &str) -> String {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let log = std::fs::read_to_string(path).unwrap_or_default();
        if log.contains(text) {
            return log;
        }
        assert!(
            Instant::now() < deadline,
            "{} never said {text:?}:\n{log}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_started_before_its_nats_cluster_waits_and_then_serves() {
    let dir = tempfile::tempdir().unwrap();
    let mut nats = Nats::cluster_unstarted(&dir.path().join("nats"));
    let servers = nats.urls();
    let data = dir.path().join("a");
    let starting = {
        let data = data.clone();
        let servers = servers.clone();
        std::thread::spawn(move || Floor::start_with(&data, &["--store", &servers]))
    };
    // The broker says why it waits, and keeps waiting.
    let log = wait_for_text(&data.with_extension("log"), "NATS is not ready yet");
    assert!(log.contains("cannot connect"), "{log}");
    // The cluster starts, not healthy yet: the broker comes up once it is.
    nats.launch();
    let floor = tokio::task::spawn_blocking(move || starting.join())
        .await
        .unwrap()
        .expect("the broker listens once NATS is ready");
    let tokens = floor.create_room_when_stored("late").await;
    let mut runner = floor_tests::Client::connect(&floor, tokens.hello("runner", "runner-1")).await;
    floor_tests::acked(
        runner
            .command("r1", floor_tests::submit("onsite", "Amina Diallo"))
            .await,
    );
    assert_eq!(nats.stream_replicas("FLOOR_ROOMS"), Some(3));
}

/// A `floor serve` on the shared store, run until it listens or exits.
struct Served {
    /// Its stdout lines before it listened (or all of them).
    lines: Vec<String>,
    /// The process, while it serves.
    child: Option<Child>,
    /// How it exited, when it did.
    status: Option<ExitStatus>,
    /// Where its stderr went.
    log: PathBuf,
    /// Where it listens, when it does.
    addr: Option<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn serve(data: &Path, servers: &str, admin_token: Option<&str>) -> Served {
    let log = data.with_extension("log");
    let mut command = Command::new(floor_bin());
    command.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--store",
        servers,
        "--data",
    ]);
    command.arg(data).arg("--stop-on-stdin-eof");
    if let Some(token) = admin_token {
        command.args(["--admin-token", token]);
    }
    let mut child = command
        .env_remove("FLOOR_ADMIN_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(std::fs::File::create(&log).unwrap()))
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut lines = Vec::new();
    loop {
        match rx.recv_timeout(DEADLINE) {
            Ok(line) => {
                if let Some(addr) = line.strip_prefix("floor listening on ") {
                    let addr = Some(addr.to_owned());
                    return Served {
                        lines,
                        child: Some(child),
                        status: None,
                        log,
                        addr,
                    };
                }
                lines.push(line);
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.wait().unwrap();
                return Served {
                    lines,
                    child: None,
                    status: Some(status),
                    log,
                    addr: None,
                };
            }
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("floor neither listened nor exited"),
        }
    }
}

/// Creates a room on the broker at `addr` with `token`; the status.
async fn create_room(addr: &str, token: &str, id: &str) -> u16 {
    let url = format!("http://{addr}/api/rooms");
    let auth = format!("Bearer {token}");
    let id = id.to_owned();
    tokio::task::spawn_blocking(move || {
        let agent = floor_tests::http_agent();
        agent
            .post(&url)
            .header("Authorization", &auth)
            .send_json(json!({"id": id, "title": "A room"}))
            .unwrap()
            .status()
            .as_u16()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_token_in_nats_is_the_truth_for_every_broker() {
    let dir = tempfile::tempdir().unwrap();
    let nats = Nats::single(&dir.path().join("nats"));
    let servers = nats.urls();

    // The first broker, with a token, sets it.
    let first = serve(&dir.path().join("a"), &servers, Some(ADMIN));
    let first_addr = first.addr.clone().expect("the first broker listens");
    assert!(
        !first.lines.iter().any(|l| l.contains("admin token")),
        "{:?}",
        first.lines
    );
    assert_eq!(create_room(&first_addr, ADMIN, "one").await, 201);

    // One without a token takes it: no new token printed, and ADMIN works.
    let second = serve(&dir.path().join("b"), &servers, None);
    let second_addr = second
        .addr
        .clone()
        .expect("a broker without a token listens");
    assert!(
        second
            .lines
            .iter()
            .any(|l| l.contains("admin token: already set in the shared store")),
        "{:?}",
        second.lines
    );
    assert!(
        !second.lines.iter().any(|l| l.contains("shown once")),
        "{:?}",
        second.lines
    );
    assert_eq!(create_room(&second_addr, ADMIN, "two").await, 201);

    // One with the same token starts.
    let third = serve(&dir.path().join("c"), &servers, Some(ADMIN));
    assert!(third.addr.is_some(), "a broker with the same token listens");

    // One with another token is refused at start, naming the fix.
    let refused = serve(&dir.path().join("d"), &servers, Some("another-admin-token"));
    let status = refused.status.expect("a broker with another token exits");
    assert!(!status.success());
    let log = std::fs::read_to_string(&refused.log).unwrap();
    assert!(
        log.contains("is not the admin token the shared store holds")
            && log.contains("without --admin-token"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_broker_without_a_token_prints_one_and_later_ones_take_it() {
    let dir = tempfile::tempdir().unwrap();
    let nats = Nats::single(&dir.path().join("nats"));
    let servers = nats.urls();
    let first = serve(&dir.path().join("a"), &servers, None);
    let token = first
        .lines
        .iter()
        .find_map(|l| l.split("(shown once; keep it to create rooms): ").nth(1))
        .expect("the first broker prints a new admin token")
        .to_owned();
    let second = serve(&dir.path().join("b"), &servers, None);
    let second_addr = second.addr.clone().expect("the second broker listens");
    assert!(
        !second.lines.iter().any(|l| l.contains("shown once")),
        "{:?}",
        second.lines
    );
    assert_eq!(create_room(&second_addr, &token, "one").await, 201);
    let with_it = serve(&dir.path().join("c"), &servers, Some(&token));
    assert!(
        with_it.addr.is_some(),
        "a broker given the printed token listens"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_first_brokers_with_different_tokens_exactly_one_starts() {
    let dir = tempfile::tempdir().unwrap();
    let nats = Nats::single(&dir.path().join("nats"));
    let servers = nats.urls();
    let (a, b) = {
        let (servers_a, servers_b) = (servers.clone(), servers.clone());
        let (data_a, data_b) = (dir.path().join("a"), dir.path().join("b"));
        let a = std::thread::spawn(move || serve(&data_a, &servers_a, Some("token-of-a")));
        let b = std::thread::spawn(move || serve(&data_b, &servers_b, Some("token-of-b")));
        (a.join().unwrap(), b.join().unwrap())
    };
    let started = [&a, &b].iter().filter(|s| s.addr.is_some()).count();
    assert_eq!(
        started, 1,
        "exactly one of two first brokers sets the token"
    );
    let (winner, token) = if a.addr.is_some() {
        (&a, "token-of-a")
    } else {
        (&b, "token-of-b")
    };
    assert_eq!(
        create_room(winner.addr.as_deref().unwrap(), token, "one").await,
        201
    );
}

#[test]
fn a_server_list_that_does_not_parse_ends_the_start_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let served = serve(
        &dir.path().join("a"),
        "nats://127.0.0.1:notaport",
        Some(ADMIN),
    );
    assert!(!served.status.expect("it exits").success());
    assert!(started.elapsed() < Duration::from_secs(10));
    let log = std::fs::read_to_string(&served.log).unwrap();
    assert!(log.contains("cannot connect to NATS"), "{log}");
    assert!(!log.contains("not ready yet"), "{log}");
}
