//! `docker-compose.yml` run for real: podman and podman-compose on floor's
//! own container store (`scripts/podman`, `scripts/podman-compose`), with
//! the images `scripts/images` makes from the Dockerfile's runtime stage
//! and the binary under test.

use std::collections::BTreeMap;
use std::net::{IpAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use tokio_tungstenite::Connector;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::{Client, Socket};

/// How long a container may take to reach a state the test waits for.
pub const CONTAINER_DEADLINE: Duration = Duration::from_secs(90);

/// The project's root directory.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// One compose test at a time: the file's services, volumes and network
/// (a fixed subnet) are one project's.
pub async fn exclusive() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

/// Makes the images once per test run, with the binary under test.
pub fn images() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let output = Command::new(project_root().join("scripts/images"))
            .env("FLOOR_BINARY", crate::floor_bin())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "scripts/images failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    });
}

/// A free TCP port on 127.0.0.1 (bound and released).
pub fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

/// Runs `scripts/podman ARGS`.
pub fn podman(args: &[&str]) -> Output {
    Command::new(project_root().join("scripts/podman"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs `scripts/podman ARGS`, asserts it succeeded, returns its stdout.
pub fn podman_ok(args: &[&str]) -> String {
    let output = podman(args);
    assert!(
        output.status.success(),
        "podman {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The compose file, run with some variables and maybe a profile; brought
/// down with its volumes when dropped.
pub struct Compose {
    env: Vec<(String, String)>,
    profile: Option<String>,
}

impl Compose {
    /// The compose file with these variables (e.g. `FLOOR_PORT`) and
    /// profile; whatever an earlier run left is removed first.
    pub fn new(env: &[(&str, String)], profile: Option<&str>) -> Compose {
        let compose = Compose {
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            profile: profile.map(str::to_owned),
        };
        compose.down(true);
        compose
    }

    /// Runs `podman-compose ARGS` on the file.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new(project_root().join("scripts/podman-compose"));
        command.current_dir(project_root());
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        if let Some(profile) = &self.profile {
            command.args(["--profile", profile]);
        }
        command.args(args).output().unwrap()
    }

    /// Runs `podman-compose ARGS` and asserts it succeeded.
    pub fn ok(&self, args: &[&str]) {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "podman-compose {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// `up -d --no-build SERVICES` (the images are made by [`images`]).
    pub fn up(&self, services: &[&str]) {
        let mut args = vec!["up", "-d", "--no-build"];
        args.extend_from_slice(services);
        self.ok(&args);
    }

    /// `down`, with `-v` when `volumes` (then the named volumes go too).
    pub fn down(&self, volumes: bool) {
        let mut args = vec!["down"];
        if volumes {
            args.push("-v");
        }
        let output = self.run(&args);
        assert!(
            output.status.success() || !volumes,
            "podman-compose down failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for Compose {
    fn drop(&mut self) {
        let _ = self.run(&["down", "-v"]);
        // The images' anonymous volumes (floor's own store only).
        let _ = podman(&["volume", "prune", "--force"]);
    }
}

/// The container podman-compose runs for a service of the `floor` project.
pub fn container(service: &str) -> String {
    format!("floor_{service}_1")
}

/// A container's log (stdout and stderr), without colour codes.
pub fn logs(service: &str) -> String {
    let output = podman(&["logs", &container(service)]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    strip_ansi(&text)
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A container's address on the compose network.
pub fn address(service: &str) -> IpAddr {
    let text = podman_ok(&[
        "inspect",
        "-f",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
        &container(service),
    ]);
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("{service} has no address: {text:?}"))
}

/// A field of `podman inspect` for a service's container.
pub fn inspect(service: &str, format: &str) -> String {
    podman_ok(&["inspect", "-f", format, &container(service)])
        .trim()
        .to_owned()
}

/// The user id the service's main process runs as, on the host.
pub fn uid_of(service: &str) -> u32 {
    let pid = inspect(service, "{{.State.Pid}}");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().next())
        .and_then(|uid| uid.parse().ok())
        .unwrap_or_else(|| panic!("no Uid in /proc/{pid}/status"))
}

/// Polls `check` every 100 ms until it gives a value; fails after
/// [`CONTAINER_DEADLINE`] with `what`.
pub async fn until<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + CONTAINER_DEADLINE;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The role links a broker printed (`label  link` lines), by label.
pub fn printed_links(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let at = line.find("http")?;
            let label = line[..at].trim();
            (!label.is_empty() && !label.contains(':'))
                .then(|| (label.to_owned(), line[at..].trim().to_owned()))
        })
        .collect()
}

/// The token of a role link (`#token=...`).
pub fn token_of(link: &str) -> String {
    link.split_once("#token=")
        .map(|(_, rest)| rest.split('&').next().unwrap_or("").to_owned())
        .unwrap_or_default()
}

/// rustls trusting only the certificate authority in `ca` (PEM).
pub fn trusting(ca: &Path) -> Arc<rustls::ClientConfig> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth(),
    )
}

/// Opens a WebSocket at `url` (`ws://` or `wss://`, trusting `tls` for
/// the latter) with extra request headers.
pub async fn open_socket(
    url: &str,
    tls: Option<&Arc<rustls::ClientConfig>>,
    headers: &[(&'static str, &str)],
) -> Socket {
    let mut request = url.into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    let connector = tls.map(|config| Connector::Rustls(Arc::clone(config)));
    let (ws, _) = tokio_tungstenite::connect_async_tls_with_config(request, None, false, connector)
        .await
        .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    ws
}

/// A participant with a fresh client id says `hello` on `ws` and submits
/// once; returns the answer (`ack` or `error`).
pub async fn participant_submits(
    ws: Socket,
    room: &str,
    token: &str,
    n: usize,
) -> serde_json::Value {
    let hello = serde_json::json!({
        "type": "hello",
        "protocol": 1,
        "room": room,
        "token": token,
        "client_id": format!("visitor-{n}-{}", uuid::Uuid::new_v4()),
        "channel": "online",
    });
    let mut client = Client::hello_on(ws, hello).await;
    client
        .command(
            &format!("q-{n}"),
            crate::submit("online", &format!("Visitor {n}")),
        )
        .await
}
