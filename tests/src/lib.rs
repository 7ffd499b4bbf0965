//! The test harness: starts the real `floor` binary on an ephemeral port,
//! waits for its "listening on" line, and speaks to it with real WebSocket
//! and HTTP clients. Tests wait for the messages they expect; a deadline
//! only turns a hang into a failure.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

pub use tokio_tungstenite::tungstenite;

pub mod chaos;
mod hold;
pub mod jepsen;
pub mod nats;
mod proxy;
mod role_cli;
pub use hold::Hold;
pub use proxy::Proxy;
pub use role_cli::floor_role;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for a message it expects before failing.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// The admin token every test broker runs with.
pub const ADMIN: &str = "test-admin-token";

/// The five roles, as the API names them.
pub const ROLES: [&str; 5] = ["chair", "moderator", "runner", "participant", "display"];

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
        Tokens {
            room: "ws235".to_owned(),
            by_role: Value::Object(by_role),
        }
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
        let (status, body) = self
            .http(
                "POST",
                "/api/rooms",
                ADMIN,
                Some(json!({"id": id, "title": format!("Room {id}")})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        Tokens {
            room: id.to_owned(),
            by_role: body["tokens"].clone(),
        }
    }

    /// The room's state as the broker holds it now (its snapshot through
    /// the HTTP API), decoded.
    pub async fn room_state(&self, tokens: &Tokens) -> floor_client::RoomState {
        let body = self.snapshot(tokens).await;
        match serde_json::from_value(body).expect("a server message") {
            floor_protocol::ServerMessage::Snapshot {
                epoch, room, order, ..
            } => floor_client::RoomState::from_snapshot(epoch, room, order),
            other => panic!("not a snapshot: {other:?}"),
        }
    }

    /// The room's snapshot through the HTTP API.
    pub async fn snapshot(&self, tokens: &Tokens) -> Value {
        let (status, body) = self
            .http(
                "GET",
                &format!("/api/rooms/{}", tokens.room),
                tokens.role("display"),
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

/// A room's tokens.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// The room id.
    pub room: String,
    by_role: Value,
}

impl Tokens {
    /// A room's tokens from the `tokens` object of the HTTP API's answer.
    pub fn from_body(room: &str, by_role: Value) -> Tokens {
        Tokens {
            room: room.to_owned(),
            by_role,
        }
    }

    /// These tokens with those of `rotated` in place of their roles'.
    pub fn with(&self, rotated: &Tokens) -> Tokens {
        let mut by_role = self.by_role.clone();
        if let (Some(all), Some(fresh)) = (by_role.as_object_mut(), rotated.by_role.as_object()) {
            all.extend(fresh.clone());
        }
        Tokens {
            room: self.room.clone(),
            by_role,
        }
    }

    /// The token of a role.
    pub fn role(&self, role: &str) -> &str {
        self.by_role[role].as_str().expect("a token for the role")
    }

    /// The room link of a role on `floor`, with its token, as the broker
    /// prints it.
    pub fn link(&self, floor: &Floor, role: &str) -> String {
        let page = if role == "participant" { "join" } else { role };
        format!(
            "{}/r/{}/{page}#token={}",
            floor.http_url(),
            self.room,
            self.role(role)
        )
    }

    /// A `hello` for a role.
    pub fn hello(&self, role: &str, client_id: &str) -> Value {
        json!({
            "type": "hello",
            "protocol": 1,
            "room": self.room,
            "token": self.role(role),
            "client_id": client_id,
        })
    }

    /// A participant page's `hello`, declaring its channel.
    pub fn participant(&self, client_id: &str, channel: &str) -> Value {
        let mut hello = self.hello("participant", client_id);
        hello["channel"] = json!(channel);
        hello
    }
}

/// A client WebSocket.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What came back when a client waited for a message.
#[derive(Debug)]
pub enum Received {
    /// A text message.
    Message(Value),
    /// The broker closed the connection (with its close frame, if any).
    Closed(Option<CloseFrame>),
}

/// A WebSocket client that keeps track of what it received.
pub struct Client {
    ws: Socket,
    /// The `welcome` it got.
    pub welcome: Value,
    /// The last event seq it applied (from snapshots and events).
    pub seq: u64,
    /// Every event it received, in order.
    pub events: Vec<Value>,
    /// The last projected order it received.
    pub order: Value,
    /// The message that ended the catch-up after `welcome`: a `snapshot`
    /// or an `order`.
    pub caught_up: Value,
}

impl Client {
    /// Opens a socket without saying anything.
    pub async fn open(floor: &Floor) -> Socket {
        let (ws, _) = tokio_tungstenite::connect_async(floor.ws_url())
            .await
            .expect("connects");
        ws
    }

    /// Connects and says `hello`; returns once `welcome` and the initial
    /// snapshot (or catch-up) have been read.
    pub async fn connect(floor: &Floor, hello: Value) -> Client {
        let ws = Client::open(floor).await;
        Client::hello_on(ws, hello).await
    }

    /// Says `hello` on an open socket and reads the answer up to its
    /// `order` or `snapshot`.
    pub async fn hello_on(ws: Socket, hello: Value) -> Client {
        let resumed = hello.get("resume").and_then(|r| r["seq"].as_u64());
        let mut client = Client::raw(ws);
        client.seq = resumed.unwrap_or(0);
        client.send(&hello).await;
        let welcome = client.next().await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        client.welcome = welcome;
        // The catch-up ends with a snapshot or with an order.
        loop {
            let message = client.next().await;
            match message["type"].as_str() {
                Some("snapshot") | Some("order") => {
                    client.caught_up = message;
                    break;
                }
                Some("events") => {}
                _ => panic!("unexpected during catch-up: {message}"),
            }
        }
        client
    }

    /// A client over an open socket that has said nothing yet.
    pub fn raw(ws: Socket) -> Client {
        Client {
            ws,
            welcome: Value::Null,
            seq: 0,
            events: Vec::new(),
            order: Value::Null,
            caught_up: Value::Null,
        }
    }

    /// Sends a JSON message.
    pub async fn send(&mut self, message: &Value) {
        self.ws
            .send(Message::text(message.to_string()))
            .await
            .expect("sends");
    }

    /// Sends a JSON message; `false` if the connection is gone.
    pub async fn try_send(&mut self, message: &Value) -> bool {
        self.ws
            .send(Message::text(message.to_string()))
            .await
            .is_ok()
    }

    /// Sends a raw frame.
    pub async fn send_raw(&mut self, message: Message) {
        self.ws.send(message).await.expect("sends");
    }

    /// The next message or close, tracking events and order.
    pub async fn receive(&mut self) -> Received {
        loop {
            let next = tokio::time::timeout(DEADLINE, self.ws.next())
                .await
                .expect("a message before the deadline");
            let message = match next {
                None | Some(Err(_)) => return Received::Closed(None),
                Some(Ok(message)) => message,
            };
            match message {
                Message::Text(text) => {
                    let value: Value = serde_json::from_str(&text).expect("the broker sends JSON");
                    self.track(&value);
                    return Received::Message(value);
                }
                Message::Close(frame) => return Received::Closed(frame),
                _ => continue,
            }
        }
    }

    /// The next message; fails if the connection closes.
    pub async fn next(&mut self) -> Value {
        match self.receive().await {
            Received::Message(value) => value,
            Received::Closed(frame) => panic!("closed: {frame:?}"),
        }
    }

    fn track(&mut self, value: &Value) {
        match value["type"].as_str() {
            Some("snapshot") => {
                self.seq = value["room"]["seq"].as_u64().unwrap();
                self.order = value["order"].clone();
            }
            Some("events") => {
                for event in value["events"].as_array().unwrap() {
                    let seq = event["seq"].as_u64().unwrap();
                    assert_eq!(seq, self.seq + 1, "events arrive gapless and once: {event}");
                    self.seq = seq;
                    self.events.push(event.clone());
                }
            }
            Some("order") => self.order = value["order"].clone(),
            _ => {}
        }
    }

    /// Sends a command and returns its answer (`ack` or `error`), reading
    /// every broadcast that comes first.
    pub async fn command(&mut self, request_id: &str, command: Value) -> Value {
        self.send(&json!({"type": "command", "request_id": request_id, "command": command}))
            .await;
        self.answer(request_id).await
    }

    /// Reads until the answer to `request_id`.
    pub async fn answer(&mut self, request_id: &str) -> Value {
        loop {
            let message = self.next().await;
            let kind = message["type"].as_str();
            if matches!(kind, Some("ack") | Some("error")) && message["request_id"] == request_id {
                return message;
            }
        }
    }

    /// Reads until the client has applied every event up to `seq` and the
    /// order that follows them.
    pub async fn follow_to(&mut self, seq: u64) {
        while self.seq < seq {
            self.next().await;
        }
        loop {
            let message = self.next().await;
            if message["type"] == "order" && message["seq"].as_u64() == Some(seq) {
                return;
            }
        }
    }

    /// Reads until the broker closes the connection; returns the close.
    pub async fn closed(&mut self) -> Option<CloseFrame> {
        loop {
            if let Received::Closed(frame) = self.receive().await {
                return frame;
            }
        }
    }
}

/// Each channel's attendance peak so far (onsite, online), folded from the
/// `attendance_recorded` events a client has seen.
pub fn attendance_peak(client: &Client) -> (u64, u64) {
    client
        .events
        .iter()
        .filter(|e| e["event"]["type"] == "attendance_recorded")
        .fold((0, 0), |(onsite, online), e| {
            let c = &e["event"]["connected"];
            (
                onsite.max(c["onsite"].as_u64().expect("a count")),
                online.max(c["online"].as_u64().expect("a count")),
            )
        })
}

/// Reads a client's messages until the logged attendance peak reaches
/// `want` on both channels (within [`DEADLINE`]), then asserts it is
/// `want` exactly.
pub async fn wait_for_attendance_peak(client: &mut Client, want: (u64, u64)) {
    let reached = |(onsite, online): (u64, u64)| onsite >= want.0 && online >= want.1;
    let waited = tokio::time::timeout(DEADLINE, async {
        while !reached(attendance_peak(client)) {
            client.next().await;
        }
    })
    .await;
    let peak = attendance_peak(client);
    assert!(
        waited.is_ok(),
        "the peak stayed at {peak:?}, short of {want:?}"
    );
    assert_eq!(peak, want, "the logged attendance peak");
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

/// A client that says `hello` over a socket with a tiny receive buffer and
/// then reads nothing (until the test reads what piled up).
pub async fn never_reading(floor: &Floor, hello: &Value) -> WebSocketStream<tokio::net::TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket.set_recv_buffer_size(4096).expect("a receive buffer");
    let stream = socket.connect(floor.addr).await.expect("connects");
    let (mut ws, _) = tokio_tungstenite::client_async(floor.ws_url(), stream)
        .await
        .expect("upgrades");
    ws.send(Message::text(hello.to_string()))
        .await
        .expect("sends");
    ws
}

/// How a long run (`scripts/chaos`) ends: prints its figures, then every
/// broken promise (the first 50) and exits non-zero if there is one.
#[allow(clippy::print_stdout)]
pub fn report_run(figures: &dyn std::fmt::Display, failures: &[String]) -> std::process::ExitCode {
    println!("{figures}");
    if failures.is_empty() {
        println!("no promise broken");
        return std::process::ExitCode::SUCCESS;
    }
    for failure in failures.iter().take(50) {
        eprintln!("FAILED: {failure}");
    }
    eprintln!("{} failures", failures.len());
    std::process::ExitCode::FAILURE
}

/// A temporary directory for a long run, or its exit status 2 (with the
/// reason printed) when there is none.
pub fn run_dir(run: &str) -> Result<tempfile::TempDir, std::process::ExitCode> {
    tempfile::tempdir().map_err(|error| {
        eprintln!("{run}: no temporary directory: {error}");
        std::process::ExitCode::from(2)
    })
}

/// An HTTP client for the broker's routes: every status is an answer,
/// not an error (redirects are followed).
pub fn http_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// [`http_agent`] that returns a redirect as the answer instead of
/// following it.
pub fn http_agent_seeing_redirects() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .build()
        .into()
}

/// Sends `hello` on a new connection to `floor` and expects it refused for
/// now: `storage_unavailable`, then close 1013; returns how long that took.
pub async fn refused_for_now(floor: &Floor, hello: &Value) -> Duration {
    let started = std::time::Instant::now();
    let mut client = Client::raw(Client::open(floor).await);
    client.send(hello).await;
    let refusal = client.next().await;
    assert_eq!(refusal["type"], "error", "{refusal}");
    assert_eq!(refusal["code"], "storage_unavailable", "{refusal}");
    match client.receive().await {
        Received::Closed(Some(frame)) => assert_eq!(u16::from(frame.code), 1013),
        other => panic!("expected a close 1013, got {other:?}"),
    }
    started.elapsed()
}

/// The value of an unlabelled counter or gauge in `floor`'s `/metrics`
/// (0 when absent).
pub async fn metric(floor: &Floor, name: &str) -> u64 {
    let (status, body) = floor.http("GET", "/metrics", "", None).await;
    assert_eq!(status, 200);
    body.as_str()
        .expect("metrics as text")
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|value| value.trim().parse::<f64>().ok())
        .unwrap_or(0.0) as u64
}

/// A `submit` command for a person on a channel.
pub fn submit(channel: &str, name: &str) -> Value {
    json!({"type": "submit", "entry": {"channel": channel, "person": {"name": name}}})
}

/// Asserts an `ack` and returns it.
pub fn acked(answer: Value) -> Value {
    assert_eq!(answer["type"], "ack", "expected an ack: {answer}");
    answer
}

/// Asserts an `error` with the code and returns it.
pub fn refused(answer: Value, code: &str) -> Value {
    assert_eq!(answer["type"], "error", "expected an error: {answer}");
    assert_eq!(answer["code"], code, "{answer}");
    answer
}

/// A room's log as a broker wrote it when declarations were events: each
/// of `declared` (name, gender) submitted by the runner and followed by a
/// `gender_declared` event of the same command.
pub fn legacy_log(declared: &[(String, floor_protocol::Gender)]) -> Vec<floor_protocol::RoomEvent> {
    use floor_protocol::{Channel, ClientKey, Command, EntryDraft, Event, Person, Role, RoomEvent};
    let mut room = floor_core::Room::new();
    let runner = floor_core::Actor {
        role: Role::Runner,
        client: ClientKey::new("runner-key"),
        channel: None,
    };
    let mut log = Vec::new();
    for (i, (name, gender)) in declared.iter().enumerate() {
        let command = Command::Submit {
            entry: EntryDraft {
                channel: Channel::Onsite,
                kind: Default::default(),
                person: Person::named(name),
                text: None,
                location: None,
                language: None,
                delivery: None,
                gender: None,
            },
        };
        let ctx = floor_core::Ctx {
            now_ms: 1_543_233_600_000 + i as u64 * 1000,
            new_id: uuid::Uuid::new_v4(),
        };
        let outcome = room
            .execute(&runner, &format!("legacy-{i}"), &command, &ctx)
            .expect("a legacy submission is accepted");
        let submitted = outcome.events[0].clone();
        let declaration = RoomEvent {
            seq: submitted.seq + 1,
            event: Event::GenderDeclared { gender: *gender },
            ..submitted.clone()
        };
        room.apply(&declaration)
            .expect("a legacy declaration applies");
        log.extend([submitted, declaration]);
    }
    log
}
