//! The load: subscribers that connect (ramped, spread over many loopback
//! source addresses so ports never run out), read every message and
//! check its stamp; and publishers that send stamped messages at a rate.
//! Everything runs on the generator's one thread (a `LocalSet`), so the
//! shared figures are plain `Rc<RefCell<_>>`.

use std::cell::RefCell;
use std::net::{Ipv4Addr, SocketAddr};
use std::rc::Rc;
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::server::{Endpoint, Kind, Server};
use crate::stamp;

/// A client WebSocket.
pub type Socket = WebSocketStream<TcpStream>;

/// How many connects are in flight at once while ramping up.
const RAMP: usize = 64;

/// What the subscribers saw, shared by all of them.
#[derive(Debug)]
pub struct Seen {
    /// Publish → receive, in microseconds.
    pub latency_us: Histogram<u64>,
    /// Stamped messages received (events, for floor).
    pub deliveries: u64,
    /// Frames that carried them (floor may carry several events in one).
    pub frames: u64,
    /// Other messages received (floor's `order`).
    pub other: u64,
    /// Messages missing in a subscriber's sequence.
    pub gaps: u64,
    /// Messages a subscriber received twice.
    pub duplicates: u64,
    /// Subscribers whose connection ended.
    pub closed: u64,
    /// Per room, per subscriber: the last message number received.
    pub last: Vec<Vec<u64>>,
}

impl Seen {
    /// Nothing seen yet, for `rooms` rooms.
    pub fn new(rooms: usize) -> Seen {
        Seen {
            latency_us: histogram(),
            deliveries: 0,
            frames: 0,
            other: 0,
            gaps: 0,
            duplicates: 0,
            closed: 0,
            last: vec![Vec::new(); rooms],
        }
    }

    /// Starts a new measurement: the counters and histogram go to zero,
    /// the subscribers' positions stay.
    pub fn reset(&mut self) {
        self.latency_us.reset();
        self.deliveries = 0;
        self.frames = 0;
        self.other = 0;
    }
}

/// A histogram from 1 µs to 10 minutes, 3 significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3)
        .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable!()))
}

/// Shared figures.
pub type Shared = Rc<RefCell<Seen>>;

fn client_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_message_size(Some(16 << 20))
        .max_frame_size(Some(16 << 20))
}

/// Opens a WebSocket to `url` at `addr` from loopback source address
/// number `i`, with a receive buffer of `recv_buffer` bytes if given.
pub async fn connect(
    addr: SocketAddr,
    url: &str,
    i: usize,
    recv_buffer: Option<u32>,
) -> anyhow::Result<Socket> {
    let socket = TcpSocket::new_v4()?;
    let source = Ipv4Addr::new(127, 1, ((i / 200) % 200) as u8, (i % 200 + 1) as u8);
    socket.bind(SocketAddr::from((source, 0)))?;
    if let Some(size) = recv_buffer {
        socket.set_recv_buffer_size(size)?;
    }
    let stream = socket.connect(addr).await?;
    stream.set_nodelay(true)?;
    let (ws, _) = tokio_tungstenite::client_async_with_config(url, stream, Some(client_config()))
        .await
        .with_context(|| format!("WebSocket handshake with {url}"))?;
    Ok(ws)
}

/// Reads text messages until one satisfies `done`; fails on close.
pub async fn read_until(
    ws: &mut Socket,
    mut done: impl FnMut(&Value) -> bool,
) -> anyhow::Result<Value> {
    while let Some(message) = ws.next().await {
        if let Message::Text(text) = message? {
            let value: Value = serde_json::from_str(&text)?;
            if value["type"] == "error" {
                bail!("the server refused: {value}");
            }
            if done(&value) {
                return Ok(value);
            }
        }
    }
    bail!("the connection closed")
}

/// Opens a connection in `room` for `role` and completes floor's
/// handshake (hello, welcome, snapshot); for B0/B1 just the WebSocket.
pub async fn open(
    server: &Endpoint,
    room: usize,
    role: &str,
    i: usize,
    recv_buffer: Option<u32>,
) -> anyhow::Result<Socket> {
    let url = if role == "display" {
        server.subscribe_url(room)
    } else {
        server.publish_url(room)
    };
    // Subscribers are spread over the brokers; the publisher is on the
    // first.
    let addr = if role == "display" {
        server.addrs[i % server.addrs.len()]
    } else {
        server.addr
    };
    let mut ws = connect(addr, &url, i, recv_buffer).await?;
    if server.kind.is_floor() {
        let tokens = server.rooms.get(room).context("no such room")?;
        let mut hello = tokens.hello(role, &format!("bench-{role}-{i}"));
        // As the pages do.
        hello["compact_order"] = json!(true);
        ws.send(Message::text(hello.to_string())).await?;
        read_until(&mut ws, |m| m["type"] == "snapshot").await?;
    }
    Ok(ws)
}

/// Connects `n` subscribers to `room` (ramped, `RAMP` at a time), each
/// reading into `seen`; returns when all are connected.
pub async fn subscribe(
    server: &Server,
    room: usize,
    n: usize,
    first_index: usize,
    seen: &Shared,
) -> anyhow::Result<()> {
    let opened: Vec<anyhow::Result<Socket>> = futures_util::stream::iter(0..n)
        .map(|k| open(server, room, "display", first_index + k, None))
        .buffer_unordered(RAMP)
        .collect()
        .await;
    for ws in opened {
        let ws = ws?;
        let index = {
            let mut s = seen.borrow_mut();
            s.last[room].push(0);
            s.last[room].len() - 1
        };
        tokio::task::spawn_local(read_stamps(ws, room, index, seen.clone()));
    }
    Ok(())
}

/// A subscriber's loop: every stamped message is timed and checked.
async fn read_stamps(mut ws: Socket, room: usize, index: usize, seen: Shared) {
    while let Some(message) = ws.next().await {
        let Ok(message) = message else { break };
        let Message::Text(text) = message else {
            continue;
        };
        let now = stamp::now_us();
        let mut s = seen.borrow_mut();
        // A floor `events` message may carry several stamped events.
        let mut rest: &str = &text;
        let mut any = false;
        while let Some((n, sent)) = stamp::parse(rest) {
            any = true;
            let last = s.last[room][index];
            if n <= last {
                s.duplicates += 1;
            } else {
                s.gaps += n - last - 1;
                s.last[room][index] = n;
                s.deliveries += 1;
                let _ = s.latency_us.record(now.saturating_sub(sent).max(1));
            }
            match rest.find("bench:") {
                Some(at) => rest = &rest[at + 6..],
                None => break,
            }
        }
        if any {
            s.frames += 1;
        } else {
            s.other += 1;
        }
    }
    seen.borrow_mut().closed += 1;
}

/// A publisher of one room.
pub struct Publisher {
    kind: Kind,
    sink: SplitSink<Socket, Message>,
    room: String,
    entry_id: String,
    /// The last message number sent.
    pub sent: u64,
    acks: Rc<RefCell<Acks>>,
}

/// What a floor publisher's commands got back.
#[derive(Debug)]
pub struct Acks {
    /// Acknowledged.
    pub ok: u64,
    /// Refused (any error).
    pub refused: u64,
    /// Send → ack, in microseconds.
    pub latency_us: Histogram<u64>,
    /// Send times of commands in flight, by request number.
    pending: std::collections::HashMap<u64, u64>,
    /// Woken at every answer.
    answered: Rc<tokio::sync::Notify>,
}

impl Acks {
    /// Commands answered, acknowledged or refused.
    pub fn answered(&self) -> u64 {
        self.ok + self.refused
    }

    /// Waits until `n` commands are answered.
    pub async fn wait_answered(acks: &RefCell<Acks>, n: u64) {
        loop {
            let answered = {
                let a = acks.borrow();
                if a.answered() >= n {
                    return;
                }
                a.answered.clone()
            };
            answered.notified().await;
        }
    }
}

impl Publisher {
    /// Opens the publisher of `room` (floor: the chair, with an entry whose
    /// text each message edits).
    pub async fn open(server: &Endpoint, room: usize, index: usize) -> anyhow::Result<Publisher> {
        let role = if server.kind.is_floor() {
            "chair"
        } else {
            "publisher"
        };
        let mut ws = open(server, room, role, 1_000_000 + index, None).await?;
        let mut entry_id = String::new();
        if server.kind.is_floor() {
            let submit = json!({"type": "command", "request_id": "bench-entry", "command": {
                "type": "submit",
                "entry": {"channel": "onsite", "kind": "question", "person": {"name": format!("Bench speaker {index}")}, "text": "Benchmark question"}
            }});
            ws.send(Message::text(submit.to_string())).await?;
            let ack = read_until(&mut ws, |m| m["type"] == "ack").await?;
            entry_id = ack["entry_id"].as_str().context("an entry id")?.to_owned();
        }
        let (sink, mut source) = ws.split();
        let acks = Rc::new(RefCell::new(Acks {
            ok: 0,
            refused: 0,
            latency_us: histogram(),
            pending: Default::default(),
            answered: Rc::new(tokio::sync::Notify::new()),
        }));
        let reader = acks.clone();
        tokio::task::spawn_local(async move {
            while let Some(Ok(message)) = source.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                if !text.contains("\"request_id\"") || text.contains("\"events\"") {
                    continue;
                }
                let Ok(value) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                let number = value["request_id"]
                    .as_str()
                    .and_then(|id| id.rsplit('-').next())
                    .and_then(|n| n.parse::<u64>().ok());
                let mut acks = reader.borrow_mut();
                match value["type"].as_str() {
                    Some("ack") => {
                        acks.ok += 1;
                        if let Some(sent) = number.and_then(|n| acks.pending.remove(&n)) {
                            let _ = acks
                                .latency_us
                                .record(stamp::now_us().saturating_sub(sent).max(1));
                        }
                    }
                    Some("error") => {
                        acks.refused += 1;
                        if let Some(n) = number {
                            acks.pending.remove(&n);
                        }
                    }
                    _ => {}
                }
                acks.answered.notify_one();
            }
        });
        Ok(Publisher {
            kind: server.kind,
            sink,
            room: format!("r{room}"),
            entry_id,
            sent: 0,
            acks,
        })
    }

    /// Sends the next stamped message.
    pub async fn publish(&mut self) -> anyhow::Result<()> {
        self.sent += 1;
        let n = self.sent;
        let text = match self.kind {
            Kind::Floor | Kind::FloorShared => {
                self.acks.borrow_mut().pending.insert(n, stamp::now_us());
                json!({"type": "command", "request_id": format!("bench-{n}"), "command": {
                    "type": "edit", "entry_id": self.entry_id, "patch": {"text": stamp::stamp(n)}
                }})
                .to_string()
            }
            _ => stamp::raw_message(&self.room, n),
        };
        self.sink.send(Message::text(text)).await?;
        Ok(())
    }

    /// The acknowledgements so far (floor only).
    pub fn acks(&self) -> Rc<RefCell<Acks>> {
        self.acks.clone()
    }
}

/// Publishes at `rate` messages a second per publisher for `seconds`,
/// round-robin over the publishers; returns the messages sent.
pub async fn publish_at(
    publishers: &mut [Publisher],
    rate: f64,
    seconds: f64,
) -> anyhow::Result<u64> {
    let total = (rate * seconds).round().max(1.0) as u64;
    let period = Duration::from_secs_f64(1.0 / rate);
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    for _ in 0..total {
        ticker.tick().await;
        for publisher in publishers.iter_mut() {
            publisher.publish().await?;
        }
    }
    Ok(total * publishers.len() as u64)
}

/// Waits until every live subscriber of every room has message `upto` of
/// its room, or `limit` passes; returns whether they all did.
pub async fn drained(seen: &Shared, upto: &[u64], limit: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let done = {
            let s = seen.borrow();
            let behind: u64 = s
                .last
                .iter()
                .zip(upto)
                .map(|(subs, &up)| subs.iter().filter(|&&l| l < up).count() as u64)
                .sum();
            behind <= s.closed
        };
        if done {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Runs `work` on a thread of its own, with a one-thread runtime, and
/// returns its result. The durable-writes scenario runs its writers so:
/// on the generator's main thread, their acknowledgements would queue
/// behind the frames of a thousand subscribers, and the latency measured
/// would be the generator's own.
pub async fn on_own_thread<T, F, Fut>(work: F) -> anyhow::Result<T>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<T>> + 'static,
    T: Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("bench-writers".into())
        .spawn(move || {
            let run = || -> anyhow::Result<T> {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                tokio::task::LocalSet::new().block_on(&runtime, work())
            };
            let _ = tx.send(run());
        })?;
    rx.await
        .context("the writers' thread ended without a result")?
}
