//! The Dockerfile and the compose file are checked without a Docker
//! engine: hadolint lints the Dockerfile and dclint validates
//! docker-compose.yml against the Compose specification. `scripts/test`
//! installs both (from PyPI and npm) into `.tools/` when they are missing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The tool in `.tools/`, or on PATH.
fn tool(local: &str, name: &str) -> PathBuf {
    let path = root().join(".tools").join(local);
    if path.exists() {
        return path;
    }
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .unwrap();
    assert!(
        found.status.success(),
        "{name} is missing: run ./scripts/test, which installs it into .tools/"
    );
    PathBuf::from(String::from_utf8(found.stdout).unwrap().trim())
}

fn run(tool: &Path, args: &[&str]) {
    let output = Command::new(tool)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{} {args:?} failed:\n{}{}",
        tool.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_dockerfile_passes_hadolint() {
    let hadolint = tool("pip/bin/hadolint", "hadolint");
    run(&hadolint, &["--failure-threshold", "info", "Dockerfile"]);
    let text = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    assert!(
        text.matches("\nFROM ").count() + usize::from(text.starts_with("FROM ")) >= 2,
        "multi-stage"
    );
    assert!(text.contains("\nUSER 10001"), "runs as a non-root user");
    assert!(text.contains("\nVOLUME "), "keeps data on a volume");
}

#[test]
fn the_compose_file_passes_dclint() {
    let dclint = tool("npm/node_modules/.bin/dclint", "dclint");
    run(&dclint, &["--max-warnings", "0", "docker-compose.yml"]);
    let text = std::fs::read_to_string(root().join("docker-compose.yml")).unwrap();
    assert!(
        text.contains("floor-data:/var/lib/floor"),
        "the log lives on a named volume"
    );
}

/// The text of one service of docker-compose.yml (its indented block).
fn service(compose: &str, name: &str) -> String {
    let header = format!("  {name}:");
    let mut lines = compose.lines().skip_while(|line| *line != header);
    assert!(lines.next().is_some(), "a service {name}");
    lines
        .take_while(|line| line.is_empty() || line.starts_with("    "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_clustered_profile_is_three_nats_nodes_two_brokers_and_a_tls_proxy() {
    let compose = std::fs::read_to_string(root().join("docker-compose.yml")).unwrap();
    for node in ["nats-1", "nats-2", "nats-3"] {
        let text = service(&compose, node);
        assert!(
            text.contains("profiles: [ \"clustered\" ]"),
            "{node}: {text}"
        );
        assert!(
            text.contains("./deploy/nats.conf:/etc/nats/nats.conf"),
            "{node}"
        );
        assert!(text.contains(&format!("SERVER_NAME: {node}")), "{node}");
        assert!(
            text.contains(&format!("{node}:/data")),
            "{node} stores on a volume"
        );
    }
    for broker in ["broker-a", "broker-b"] {
        let text = service(&compose, broker);
        assert!(text.contains("profiles: [ \"clustered\" ]"), "{broker}");
        assert!(
            text.contains(
                "FLOOR_STORE: \"nats://nats-1:4222,nats://nats-2:4222,nats://nats-3:4222\""
            ),
            "{broker} keeps its rooms in the cluster"
        );
        assert!(text.contains("FLOOR_NATS_REPLICAS: \"3\""), "{broker}");
        assert!(
            text.contains("FLOOR_TRUSTED_PROXY: \"172.28.0.10\""),
            "{broker} counts clients by the address the proxy forwards"
        );
    }
    let proxy = service(&compose, "proxy");
    assert!(proxy.contains("./deploy/Caddyfile:/etc/caddy/Caddyfile"));
    assert!(proxy.contains("ipv4_address: 172.28.0.10"), "{proxy}");
    let single = service(&compose, "floor");
    assert!(
        !single.contains("profiles"),
        "the single broker is the default"
    );

    // The proxy balances over both brokers, checks their health, and
    // terminates TLS.
    let caddyfile = std::fs::read_to_string(root().join("deploy/Caddyfile")).unwrap();
    assert!(caddyfile.contains("reverse_proxy broker-a:8080 broker-b:8080"));
    assert!(caddyfile.contains("health_uri /healthz"));
    assert!(caddyfile.contains("tls internal"));

    // The nodes' configuration is one the real server accepts, with
    // JetStream fsyncing every write and the routes of all three nodes.
    let conf = std::fs::read_to_string(root().join("deploy/nats.conf")).unwrap();
    assert!(conf.contains("sync_interval: always"));
    for node in ["nats-1", "nats-2", "nats-3"] {
        assert!(conf.contains(&format!("nats-route://{node}:6222")));
    }
    let output = Command::new(floor_tests::nats::nats_server_bin())
        .args(["-c", "deploy/nats.conf", "-t"])
        .env("SERVER_NAME", "nats-1")
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "nats-server refuses deploy/nats.conf: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
