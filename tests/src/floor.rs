//! The `floor` binary under test: built once, started on an ephemeral
//! port (waiting for its "listening on" line), killed, restarted and
//! stopped, and its HTTP API called.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::{ADMIN, DEADLINE, Tokens, http_agent};

/// The `floor` binary, built once per test process (or `FLOOR_BIN`, when
/// set, e.g. a release build for the long chaos run).
pub fn floor_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("FLOOR_BIN") {
            return PathBuf::from(bin);
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf();
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "floor", "--bin", "floor"])
            .current_dir(&root)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the floor binary failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        target.join("debug").join("floor")
    })
    .clone()
}

/// Runs the `floor` command with `args`, asserts it succeeded and returns
/// what it printed, as JSON.
pub fn floor_json<S: AsRef<std::ffi::OsStr>>(args: impl IntoIterator<Item = S>) -> Value {
    let output = Command::new(floor_bin())
        .args(args)
        .output()
        .expect("floor runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on standard output")
}

/// What a test broker logs (`FLOOR_LOG`).
const DEFAULT_LOG: &str = "warn,floor=info,floor_broker=info";

/// A running broker, killed when dropped.
pub struct Floor {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its data directory.
    pub data: PathBuf,
    /// Lines it printed on stdout before listening.
    pub banner: Vec<String>,
    /// The extra `serve` arguments it was started with (kept by a restart).
    extra: Vec<String>,
    /// The wrapper command it was started through (kept by a restart).
    wrapper: Vec<String>,
}

impl Floor {
    /// Starts a broker on an ephemeral port with its data in `data`.
    pub fn start(data: &Path) -> Floor {
        Floor::start_with(data, &[])
    }

    /// Starts a broker with extra `serve` arguments.
    pub fn start_with(data: &Path, extra: &[&str]) -> Floor {
        Floor::start_at(data, "127.0.0.1:0", extra)
    }

    /// Kills the broker (SIGKILL) and starts it again on the same address
    /// and data, as after a crash and a supervisor's restart.
    pub fn restart(&mut self) {
        self.kill();
        let addr = self.addr.to_string();
        let data = self.data.clone();
        let extra = self.extra.clone();
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let wrapper = self.wrapper.clone();
        // The port is ours again as soon as the old process is gone.
        *self = Floor::start_via(&wrapper, &data, &addr, &extra);
    }

    /// Kills the broker (SIGKILL), runs `meanwhile` while it is down, and
    /// starts it again on the same address and data.
    pub fn restart_after(&mut self, meanwhile: impl FnOnce()) {
        self.kill();
        meanwhile();
        let addr = self.addr.to_string();
        let data = self.data.clone();
        let extra = self.extra.clone();
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let wrapper = self.wrapper.clone();
        *self = Floor::start_via(&wrapper, &data, &addr, &extra);
    }

    /// Stops the broker with SIGTERM, asserts it exited cleanly, and
    /// starts it again on the same address and data.
    pub fn restart_after_sigterm(&mut self) {
        assert!(self.terminate().success(), "floor stops cleanly on SIGTERM");
        let addr = self.addr.to_string();
        let data = self.data.clone();
        let extra = self.extra.clone();
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        *self = Floor::start_at(&data, &addr, &extra);
    }

    /// The demo room's links that `serve --demo` printed, as (role, link)
    /// (the API's role names: the `join` page is `participant`'s).
    pub fn demo_links(&self) -> Vec<(String, String)> {
        self.banner
            .iter()
            .filter_map(|line| {
                let link = line.split_whitespace().find(|w| w.contains("/r/ws235/"))?;
                let page = link.split("/r/ws235/").nth(1)?.split('#').next()?;
                let role = if page == "join" { "participant" } else { page };
                Some((role.to_owned(), link.to_owned()))
            })
            .collect()
    }

    /// The demo room's tokens, from the links it printed (the roles whose
    /// link it printed).
    pub fn demo_tokens(&self) -> Tokens {
        let by_role = self
            .demo_links()
            .into_iter()
            .filter_map(|(role, link)| {
                let token = link.split("#token=").nth(1)?.split('&').next()?.to_owned();
                Some((role, Value::String(token)))
            })
            .collect::<serde_json::Map<_, _>>();
        Tokens::from_body("ws235", Value::Object(by_role))
    }

    /// Starts a broker listening on `listen`.
    pub fn start_at(data: &Path, listen: &str, extra: &[&str]) -> Floor {
        Floor::start_via(&[], data, listen, extra)
    }

    /// Starts a broker through a wrapper command (`wrapper` then the
    /// broker's own command line, e.g. `unshare ... sh -c '...' `): the
    /// wrapper must end by exec-ing the broker, so the child is the broker.
    pub fn start_via(wrapper: &[String], data: &Path, listen: &str, extra: &[&str]) -> Floor {
        Floor::spawn(wrapper, data, listen, extra, DEFAULT_LOG)
    }

    /// Starts a broker on an ephemeral port that logs at `filter`
    /// (`FLOOR_LOG`).
    pub fn start_logging(data: &Path, extra: &[&str], filter: &str) -> Floor {
        Floor::spawn(&[], data, "127.0.0.1:0", extra, filter)
    }

    fn spawn(
        wrapper: &[String],
        data: &Path,
        listen: &str,
        extra: &[&str],
        log_filter: &str,
    ) -> Floor {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data.with_extension("log"))
            .unwrap();
        let mut command = match wrapper.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(floor_bin());
                command
            }
            None => Command::new(floor_bin()),
        };
        let mut child = command
            .args([
                "serve",
                "--listen",
                listen,
                "--admin-token",
                ADMIN,
                "--data",
            ])
            .arg(data)
            .args(extra)
            .arg("--stop-on-stdin-eof")
            .env("FLOOR_LOG", log_filter)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("floor starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    // Nobody listens any more; keep draining the pipe.
                }
            }
        });
        let mut banner = Vec::new();
        let addr = loop {
            let line = rx
                .recv_timeout(DEADLINE)
                .expect("floor prints its listening line");
            if let Some(addr) = line.strip_prefix("floor listening on ") {
                break addr.parse().expect("an address");
            }
            banner.push(line);
        };
        Floor {
            child,
            addr,
            data: data.to_path_buf(),
            banner,
            extra: extra.iter().map(|s| (*s).to_owned()).collect(),
            wrapper: wrapper.to_vec(),
        }
    }

    /// The WebSocket URL.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// The HTTP base URL.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The broker's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the broker with SIGKILL and waits for it to die.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits for a clean exit; returns the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap()
    }

    /// An HTTP call to the API; returns (status, JSON body).
    pub async fn http(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.http_url());
        let method = method.to_owned();
        let token = token.to_owned();
        tokio::task::spawn_blocking(move || {
            let agent = http_agent();
            let auth = format!("Bearer {token}");
            let response = match (method.as_str(), body) {
                ("POST", Some(body)) => agent
                    .post(&url)
                    .header("Authorization", &auth)
                    .send_json(body),
                ("POST", None) => agent.post(&url).header("Authorization", &auth).send_empty(),
                ("PUT", Some(body)) => agent
                    .put(&url)
                    .header("Authorization", &auth)
                    .send_json(body),
                _ => agent.get(&url).header("Authorization", &auth).call(),
            }
            .unwrap();
            let status = response.status().as_u16();
            let text = response.into_body().read_to_string().unwrap();
            (
                status,
                serde_json::from_str(&text).unwrap_or(Value::String(text)),
            )
        })
        .await
        .unwrap()
    }

    /// Creates a room; returns its tokens by role.
    pub async fn create_room(&self, id: &str) -> Tokens {
        let (status, body) = self.post_room(id).await;
        assert_eq!(status, 201, "{body}");
        Tokens::from_body(id, body["tokens"].clone())
    }

    /// Creates a room on a shared store that may still be electing its
    /// streams' leaders: a `503 storage_unavailable` is asked again (every
    /// 0.1 s, for at most 30 s) until the store answers.
    pub async fn create_room_when_stored(&self, id: &str) -> Tokens {
        let until = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let (status, body) = self.post_room(id).await;
            if status == 503 && std::time::Instant::now() < until {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            assert_eq!(status, 201, "{body}");
            return Tokens::from_body(id, body["tokens"].clone());
        }
    }

    async fn post_room(&self, id: &str) -> (u16, Value) {
        self.http(
            "POST",
            "/api/rooms",
            ADMIN,
            Some(json!({"id": id, "title": format!("Room {id}")})),
        )
        .await
    }

    /// The room's state as the broker holds it now (its snapshot through
    /// the HTTP API, as a display gets it: without `person_id`), decoded.
    pub async fn room_state(&self, tokens: &Tokens) -> floor_client::RoomState {
        self.room_state_as(tokens, "display").await
    }

    /// The room's state as `role`'s token gets it through the HTTP API (a
    /// staff role's has the people's accounts, `person_id`).
    pub async fn room_state_as(&self, tokens: &Tokens, role: &str) -> floor_client::RoomState {
        let body = self.snapshot_as(tokens, role).await;
        match serde_json::from_value(body).expect("a server message") {
            floor_protocol::ServerMessage::Snapshot {
                epoch, room, order, ..
            } => floor_client::RoomState::from_snapshot(epoch, room, order),
            other => panic!("not a snapshot: {other:?}"),
        }
    }

    /// The room's snapshot through the HTTP API, as a display gets it.
    pub async fn snapshot(&self, tokens: &Tokens) -> Value {
        self.snapshot_as(tokens, "display").await
    }

    /// The room's snapshot through the HTTP API, with `role`'s token.
    pub async fn snapshot_as(&self, tokens: &Tokens, role: &str) -> Value {
        let (status, body) = self
            .http(
                "GET",
                &format!("/api/rooms/{}", tokens.room),
                tokens.role(role),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

impl Drop for Floor {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs `floor serve` on `data` until it exits: at once when it refuses
/// to start, and otherwise as soon as it serves (its stdin is closed).
pub fn serve_until_exit(data: &Path) -> std::process::Output {
    Command::new(floor_bin())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--admin-token",
            ADMIN,
            "--stop-on-stdin-eof",
            "--data",
        ])
        .arg(data)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("floor runs")
}
