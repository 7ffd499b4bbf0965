//! The demo room across restarts: `serve --demo` on a data directory that
//! holds the demo room keeps its queue, its run of show and its links,
//! after a clean stop (SIGTERM) and after a crash (SIGKILL); a rotated
//! role's link is reported, never printed; an unusable secret stops the
//! start with a clear message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};

use floor_tests::{ADMIN, Client, Floor, ROLES, Tokens, acked, floor_bin, refused, submit};
use serde_json::{Value, json};

/// The room as a subscriber sees it, without what moves by itself.
async fn state(floor: &Floor, tokens: &Tokens) -> (Value, Value) {
    let snapshot = floor.snapshot(tokens).await;
    (snapshot["room"].clone(), snapshot["order"].clone())
}

/// Asserts every role's token of `tokens` opens its role.
async fn every_token_works(floor: &Floor, tokens: &Tokens) {
    for role in ROLES {
        let client = Client::connect(floor, tokens.hello(role, &format!("check-{role}"))).await;
        assert_eq!(client.welcome["role"], role);
    }
}

#[tokio::test]
async fn the_demo_keeps_its_queue_run_of_show_and_links_after_sigterm_and_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let mut floor = Floor::start_with(&dir.path().join("data"), &["--demo"]);
    let links = floor.demo_links();
    assert_eq!(links.len(), 5, "{:?}", floor.banner);
    let tokens = floor.demo_tokens();
    every_token_works(&floor, &tokens).await;

    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    acked(runner.command("r-1", submit("onsite", "Amina")).await);
    acked(runner.command("r-2", submit("onsite", "Bo")).await);
    let mut moderator = Client::connect(&floor, tokens.hello("moderator", "moderator")).await;
    acked(moderator.command("m-1", submit("online", "Carla")).await);
    let mut chair = Client::connect(&floor, tokens.hello("chair", "chair")).await;
    acked(
        chair
            .command("c-1", json!({"type": "next_presenter"}))
            .await,
    );
    let before = state(&floor, &tokens).await;
    assert_eq!(before.0["entries"].as_array().unwrap().len(), 3);
    assert!(before.0["stage"]["presenter"].is_object(), "{}", before.0);
    drop((runner, moderator, chair));

    for (how, stop) in [
        ("SIGTERM", Floor::restart_after_sigterm as fn(&mut Floor)),
        ("SIGKILL", Floor::restart),
    ] {
        stop(&mut floor);
        assert_eq!(floor.demo_links(), links, "the same links after {how}");
        assert!(
            floor
                .banner
                .iter()
                .any(|l| l.contains("those of earlier starts")),
            "{:?}",
            floor.banner
        );
        every_token_works(&floor, &tokens).await;
        assert_eq!(
            state(&floor, &tokens).await,
            before,
            "the queue and the run of show after {how}"
        );
    }

    // The hand a runner re-sends after the restart, under the request id
    // it had before, is the same hand: nothing is added twice.
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let again = acked(runner.command("r-2", submit("onsite", "Bo")).await);
    assert_eq!(again["duplicate"], true);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let secret = dir.path().join("data/demo-secret");
        let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        let text = std::fs::read_to_string(&secret).unwrap();
        assert_eq!(text.trim_end().len(), 64);
        // No token is in the file: they are derived from it.
        for role in ROLES {
            assert!(!text.contains(tokens.role(role)));
        }
    }
}

#[tokio::test]
async fn a_rotated_demo_role_is_reported_and_its_new_link_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let mut floor = Floor::start_with(&dir.path().join("data"), &["--demo"]);
    let derived = floor.demo_tokens();
    let (status, body) = floor
        .http(
            "POST",
            "/api/rooms/ws235/rotate",
            ADMIN,
            Some(json!({"roles": ["runner", "participant"]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let rotated_runner = body["tokens"]["runner"].as_str().unwrap().to_owned();

    floor.restart();
    let printed = floor.demo_links();
    let roles: Vec<&str> = printed.iter().map(|(role, _)| role.as_str()).collect();
    assert_eq!(
        roles,
        ["chair", "moderator", "display"],
        "{:?}",
        floor.banner
    );
    for role in ["mic runner", "participant"] {
        let line = floor
            .banner
            .iter()
            .find(|l| l.trim_start().starts_with(role))
            .unwrap();
        assert!(
            line.contains("rotated") && line.contains("link given at the rotation"),
            "{line}"
        );
    }
    // The projector's link carries no participant token that would not work.
    let display = &printed[2].1;
    assert!(!display.contains("&join="), "{display}");

    // Every printed link works; the derived runner link does not; the
    // rotated one does.
    every_printed_link_works(&floor).await;
    let mut old = Client::raw(Client::open(&floor).await);
    old.send(&derived.hello("runner", "old-runner")).await;
    refused(old.next().await, "unauthorized");
    let hello = json!({"type": "hello", "protocol": 1, "room": "ws235",
        "token": rotated_runner, "client_id": "new-runner"});
    let runner = Client::connect(&floor, hello).await;
    assert_eq!(runner.welcome["role"], "runner");
}

async fn every_printed_link_works(floor: &Floor) {
    let tokens = floor.demo_tokens();
    for (role, _) in floor.demo_links() {
        let client = Client::connect(floor, tokens.hello(&role, &format!("check-{role}"))).await;
        assert_eq!(client.welcome["role"], role.as_str());
    }
}

#[tokio::test]
async fn a_demo_room_without_its_secret_gets_new_links_that_then_stay() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut floor = Floor::start_with(&data, &["--demo"]);
    let first = floor.demo_tokens();
    let mut runner = Client::connect(&floor, first.hello("runner", "runner")).await;
    acked(runner.command("r-1", submit("onsite", "Amina")).await);
    drop(runner);
    let kept = state(&floor, &first).await;

    // As a room made before the links were kept: no secret beside it.
    std::fs::remove_file(data.join("demo-secret")).unwrap();
    floor.restart();
    assert!(
        floor
            .banner
            .iter()
            .any(|l| l.contains("every earlier link of the demo room stopped working")),
        "{:?}",
        floor.banner
    );
    let second = floor.demo_tokens();
    every_token_works(&floor, &second).await;
    assert_ne!(second.role("chair"), first.role("chair"));
    let mut old = Client::raw(Client::open(&floor).await);
    old.send(&first.hello("chair", "old-chair")).await;
    refused(old.next().await, "unauthorized");
    assert_eq!(state(&floor, &second).await.0["entries"], kept.0["entries"]);

    floor.restart();
    assert_eq!(floor.demo_tokens().role("chair"), second.role("chair"));
}

/// `serve --demo` on `data` until it exits (at once, when it refuses to
/// start).
fn serve_demo(data: &std::path::Path) -> std::process::Output {
    Command::new(floor_bin())
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .args(["--admin-token", ADMIN, "--stop-on-stdin-eof", "--data"])
        .arg(data)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[cfg(unix)]
#[tokio::test]
async fn a_demo_secret_others_may_read_or_that_is_not_a_secret_stops_the_start() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(serve_demo(&data).status.success());
    let secret = data.join("demo-secret");
    let text = std::fs::read_to_string(&secret).unwrap();

    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let output = serve_demo(&data);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("has mode 0644") && stderr.contains("chmod 600"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("#token="));

    std::fs::write(&secret, "not a secret\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let output = serve_demo(&data);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not a demo secret"), "{stderr}");
    // Left as it was, for its owner to look at.
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "not a secret\n");
    assert_ne!(text, "not a secret\n");
}
