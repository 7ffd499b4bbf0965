//! A broker behind a TLS proxy with a private CA, as the clustered
//! deployment runs it (Caddy, `tls internal`): the client library and the
//! `floor` command reach it with `https://` links once they trust Caddy's
//! root (`--ca-file` / `FLOOR_CA_FILE`), and fail at once, clearly,
//! without it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use floor_client::{Client, ConnectError, ConnectOptions, Hand, RoomChannel, TlsError};
use floor_tests::*;

/// Runs `floor ARGS` with `envs` (and no inherited `FLOOR_*` settings
/// that would change the outcome); returns the exit code, stdout and
/// stderr.
fn floor(args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
    let output = Command::new(floor_bin())
        .args(args)
        .env_remove("FLOOR_URL")
        .env_remove("FLOOR_TOKEN")
        .env_remove("FLOOR_CA_FILE")
        .env_remove("FLOOR_SERVER")
        .env_remove("FLOOR_ADMIN_TOKEN")
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// `floor ARGS` run off the async runtime.
async fn floor_async(args: Vec<String>, envs: Vec<(String, String)>) -> (i32, String, String) {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        floor(&args, &envs)
    })
    .await
    .unwrap()
}

/// A room link of `role` through Caddy, as a broker with
/// `FLOOR_PUBLIC_URL=https://localhost:PORT` prints it.
fn https_link(caddy: &Caddy, tokens: &Tokens, role: &str) -> String {
    format!(
        "{}/r/{}/{role}#token={}",
        caddy.https_url(),
        tokens.room,
        tokens.role(role)
    )
}

/// A broker with its data in `dir`, and Caddy in front of it.
async fn behind_caddy(dir: &Path) -> (Floor, Caddy) {
    let floor_ = Floor::start(&dir.join("data"));
    let caddy_dir = dir.join("caddy");
    std::fs::create_dir_all(&caddy_dir).unwrap();
    let addr = floor_.addr;
    let caddy = tokio::task::spawn_blocking(move || Caddy::start(&caddy_dir, addr))
        .await
        .unwrap();
    (floor_, caddy)
}

fn path(p: &Path) -> String {
    p.to_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn role_clients_reach_a_room_through_a_tls_proxy_with_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    let (floor_, caddy) = behind_caddy(dir.path()).await;
    let tokens = floor_.create_room("tls").await;
    let runner_link = https_link(&caddy, &tokens, "runner");

    // The library, trusting Caddy's root: connected over wss://, a
    // command acknowledged and its effect in the state.
    let options = ConnectOptions::from_link(&runner_link)
        .unwrap()
        .ca_file(&caddy.root)
        .unwrap();
    assert_eq!(
        options.address().ws_url,
        format!("wss://localhost:{}/ws", caddy.port)
    );
    let client = Client::connect(options).await.unwrap();
    let entry = RoomChannel::new(client.clone())
        .raise_hand(Hand::new("Amina Diallo").seat("Row 4"))
        .await
        .unwrap();
    assert_eq!(
        client.state().entry(entry).map(|e| e.person.name.clone()),
        Some("Amina Diallo".to_owned())
    );
    client.close().await;

    // Without it: a certificate error at once, not a retry or a hang.
    let started = Instant::now();
    let error = Client::connect(
        ConnectOptions::from_link(&runner_link)
            .unwrap()
            .retry_initial_connect(true),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, ConnectError::Certificate { .. }), "{error}");
    assert!(!error.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(10));

    // A CA file that is not there is found before connecting.
    let missing = ConnectOptions::from_link(&runner_link)
        .unwrap()
        .ca_file(dir.path().join("nowhere.crt"))
        .unwrap_err();
    assert!(matches!(missing, TlsError::Read { .. }), "{missing}");

    // The command line: `floor display` with --ca-file shows the room...
    let display_link = https_link(&caddy, &tokens, "display");
    let (code, out, err) = floor_async(
        vec![
            "display".into(),
            "--once".into(),
            "--json".into(),
            "--ca-file".into(),
            path(&caddy.root),
        ],
        vec![("FLOOR_URL".into(), display_link.clone())],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let view: serde_json::Value = serde_json::from_str(out.trim()).expect("a JSON view");
    assert!(view["seq"].as_u64().unwrap() >= 1, "{out}");

    // ...`floor runner add` takes the CA from FLOOR_CA_FILE...
    let (code, out, err) = floor_async(
        vec![
            "runner".into(),
            "add".into(),
            "Kofi Mensah".into(),
            "--json".into(),
        ],
        vec![
            ("FLOOR_URL".into(), runner_link.clone()),
            ("FLOOR_CA_FILE".into(), path(&caddy.root)),
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"ok\":true"), "{out}");

    // ...and without the CA fails at once with exit code 3, saying why
    // and what to do.
    let started = Instant::now();
    let (code, _, err) = floor_async(
        vec!["display".into(), "--once".into()],
        vec![("FLOOR_URL".into(), display_link)],
    )
    .await;
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("certificate"), "{err}");
    assert!(err.contains("--ca-file"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));

    // A CA file that is not a certificate is a usage error (2).
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello\n").unwrap();
    let (code, _, err) = floor_async(
        vec![
            "runner".into(),
            "next".into(),
            "--ca-file".into(),
            path(&not_pem),
        ],
        vec![("FLOOR_URL".into(), runner_link)],
    )
    .await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("holds no certificate"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn rooms_are_managed_through_a_tls_proxy_with_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    let (_broker, caddy) = behind_caddy(dir.path()).await;
    let server = caddy.https_url();
    let root = path(&caddy.root);
    let admin = [("FLOOR_ADMIN_TOKEN", ADMIN)];

    let (code, out, err) = tokio::task::block_in_place(|| {
        floor(
            &[
                "room",
                "create",
                "plenary",
                "--title",
                "Main hall",
                "--server",
                &server,
                "--ca-file",
                &root,
            ],
            &admin,
        )
    });
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("/r/plenary/chair#token="), "{out}");

    let (code, out, err) = tokio::task::block_in_place(|| {
        floor(
            &["room", "list", "--server", &server],
            &[("FLOOR_ADMIN_TOKEN", ADMIN), ("FLOOR_CA_FILE", &root)],
        )
    });
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("plenary\tMain hall"), "{out}");

    let (code, out, err) = tokio::task::block_in_place(|| {
        floor(
            &[
                "report",
                "plenary",
                "--format",
                "json",
                "--server",
                &server,
                "--ca-file",
                &root,
            ],
            &admin,
        )
    });
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Main hall"), "{out}");

    // Without the CA, the certificate is refused.
    let (code, _, err) =
        tokio::task::block_in_place(|| floor(&["room", "list", "--server", &server], &admin));
    assert_ne!(code, 0);
    assert!(err.contains("is not trusted"), "{err}");
    assert!(err.contains("--ca-file"), "{err}");
}
