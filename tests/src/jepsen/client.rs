//! One client of the load: a raw WebSocket client that records everything
//! it sees, moves to the other broker when its connection fails, when a
//! `hello` is refused (`storage_unavailable`, close 1013) or goes
//! unanswered, and resumes there from the last seq it applied.

use std::sync::Arc;
use std::time::{Duration, Instant};

use floor_core::LiveView;
use floor_protocol::RoomEvent;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::history::{
    Answer, Attempt, ClientHistory, CommandHistory, Hello, HelloAnswer, SnapshotSeen,
};
use crate::Socket;

/// How long a `hello` may go unanswered before the client gives up on
/// that broker (protocol/README.md section 4.3 asks for about 6 s).
const HELLO_WAIT: Duration = Duration::from_secs(6);

/// How long the catch-up after a `welcome` may take.
const CATCH_UP_WAIT: Duration = Duration::from_secs(10);

/// How long a command's attempt waits for its answer.
const ATTEMPT_WAIT: Duration = Duration::from_secs(5);

/// The error codes that ask for a retry with the same request id.
const RETRY: [&str; 3] = ["storage_unavailable", "outcome_unknown", "rate_limited"];

/// Milliseconds since the run's start.
#[derive(Debug, Clone, Copy)]
pub struct Clock(Instant);

impl Clock {
    /// A clock that starts now.
    pub fn start() -> Clock {
        Clock(Instant::now())
    }

    /// Milliseconds since the start.
    pub fn ms(&self) -> u64 {
        self.0.elapsed().as_millis() as u64
    }
}

/// What one read brought.
enum Got {
    Message(Value),
    Lost,
    Quiet,
}

/// A client of the load.
pub struct Actor {
    hello: Value,
    urls: Arc<Vec<String>>,
    at: usize,
    ws: Option<Socket>,
    epoch: Option<Uuid>,
    view: Option<LiveView>,
    seen: u64,
    clock: Clock,
    last_message: Instant,
    sync_sent: Option<Instant>,
    /// Gives up whatever it is doing (the end of the run).
    drain: CancellationToken,
    /// What it saw.
    pub history: ClientHistory,
    /// Its commands.
    pub commands: Vec<CommandHistory>,
}

impl Actor {
    /// A client saying `hello`, preferring broker `at` of `urls`.
    pub fn new(
        name: &str,
        hello: Value,
        urls: Arc<Vec<String>>,
        at: usize,
        clock: Clock,
        drain: CancellationToken,
    ) -> Actor {
        let key = hello["client_id"]
            .as_str()
            .map(|id| floor_broker::auth::client_key(id).to_string())
            .unwrap_or_default();
        Actor {
            hello,
            urls,
            at,
            ws: None,
            epoch: None,
            view: None,
            seen: 0,
            clock,
            last_message: Instant::now(),
            sync_sent: None,
            drain,
            history: ClientHistory {
                name: name.to_owned(),
                key,
                ..ClientHistory::default()
            },
            commands: Vec::new(),
        }
    }

    /// The room as this client holds it.
    pub fn view(&self) -> Option<&LiveView> {
        self.view.as_ref()
    }

    /// Whether the run is over for this client.
    pub fn drained(&self) -> bool {
        self.drain.is_cancelled()
    }

    fn move_on(&mut self) {
        self.ws = None;
        self.at = (self.at + 1) % self.urls.len();
    }

    async fn recv(&mut self, until: Instant) -> Got {
        let Some(ws) = self.ws.as_mut() else {
            return Got::Lost;
        };
        loop {
            let next = tokio::time::timeout_at(until.into(), ws.next()).await;
            let message = match next {
                Err(_) => return Got::Quiet,
                Ok(None) | Ok(Some(Err(_))) => {
                    self.ws = None;
                    return Got::Lost;
                }
                Ok(Some(Ok(message))) => message,
            };
            match message {
                Message::Text(text) => {
                    let Ok(value) = serde_json::from_str::<Value>(&text) else {
                        self.history.gaps.push(format!("not JSON: {text}"));
                        self.ws = None;
                        return Got::Lost;
                    };
                    self.last_message = Instant::now();
                    self.sync_sent = None;
                    return Got::Message(value);
                }
                Message::Close(_) => {
                    self.ws = None;
                    return Got::Lost;
                }
                _ => continue,
            }
        }
    }

    async fn send(&mut self, message: &Value) -> bool {
        let Some(ws) = self.ws.as_mut() else {
            return false;
        };
        let sent = ws.send(Message::text(message.to_string())).await.is_ok();
        if !sent {
            self.ws = None;
        }
        sent
    }

    /// Takes in a broadcast (`events`, `snapshot`); a gap drops the
    /// connection, to resume from the last event applied.
    fn absorb(&mut self, message: &Value, in_hello: bool) {
        match message["type"].as_str() {
            Some("events") => {
                let events: Vec<RoomEvent> =
                    serde_json::from_value(message["events"].clone()).unwrap_or_default();
                let Some(view) = self.view.as_mut() else {
                    self.history.gaps.push("events before any snapshot".into());
                    self.ws = None;
                    return;
                };
                for event in events {
                    if event.seq != view.seq() + 1 {
                        self.history
                            .gaps
                            .push(format!("after {} came {}", view.seq(), event.seq));
                        self.ws = None;
                        return;
                    }
                    if let Err(error) = view.apply(&event) {
                        self.history
                            .gaps
                            .push(format!("event {} does not fold: {error}", event.seq));
                        self.ws = None;
                        return;
                    }
                    self.seen = self.seen.max(event.seq);
                    self.history.events.push(event);
                }
            }
            Some("snapshot") => {
                let Ok(room) =
                    serde_json::from_value::<floor_protocol::RoomView>(message["room"].clone())
                else {
                    self.history
                        .gaps
                        .push("a snapshot that does not decode".into());
                    self.ws = None;
                    return;
                };
                self.history.snapshots.push(SnapshotSeen {
                    at_ms: self.clock.ms(),
                    broker: self.at,
                    reason: message["reason"].as_str().unwrap_or("").to_owned(),
                    seq: room.seq,
                    seen: self.seen,
                    in_hello,
                });
                self.seen = self.seen.max(room.seq);
                self.epoch = message["epoch"].as_str().and_then(|e| e.parse().ok());
                self.view = Some(LiveView::from_snapshot(room));
            }
            _ => {}
        }
    }

    /// Connects (to the current broker, then the next) until welcomed and
    /// caught up; `false` once the run is over.
    async fn connect(&mut self) -> bool {
        let mut failures = 0u32;
        while !self.drain.is_cancelled() {
            if failures > 0 {
                self.move_on();
                let delay = 50u64 << failures.min(4);
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            failures += 1;
            let url = self.urls[self.at].clone();
            let connected = tokio::time::timeout(
                Duration::from_secs(2),
                tokio_tungstenite::connect_async(url),
            )
            .await;
            let Ok(Ok((ws, _))) = connected else {
                continue;
            };
            self.ws = Some(ws);
            let mut hello = self.hello.clone();
            let resume = match (self.epoch, self.view.as_ref()) {
                (Some(epoch), Some(view)) => {
                    hello["resume"] = json!({"epoch": epoch, "seq": view.seq()});
                    Some(view.seq())
                }
                _ => None,
            };
            let mut record = Hello {
                broker: self.at,
                sent_ms: self.clock.ms(),
                answered_ms: None,
                answer: HelloAnswer::NoAnswer,
                resume,
                seen: self.seen,
            };
            if !self.send(&hello).await {
                record.answer = HelloAnswer::Closed;
                record.answered_ms = Some(self.clock.ms());
                self.history.hellos.push(record);
                continue;
            }
            let answer = self.recv(Instant::now() + HELLO_WAIT).await;
            let welcomed = match answer {
                Got::Message(message) if message["type"] == "welcome" => {
                    record.answered_ms = Some(self.clock.ms());
                    record.answer = HelloAnswer::Welcome {
                        head: message["head"].as_u64().unwrap_or(0),
                    };
                    true
                }
                Got::Message(message) => {
                    record.answered_ms = Some(self.clock.ms());
                    let code = message["code"].as_str().unwrap_or("not an error");
                    record.answer = HelloAnswer::Refused(code.to_owned());
                    false
                }
                Got::Lost => {
                    record.answered_ms = Some(self.clock.ms());
                    record.answer = HelloAnswer::Closed;
                    false
                }
                Got::Quiet => false,
            };
            self.history.hellos.push(record);
            if !welcomed {
                self.ws = None;
                continue;
            }
            let until = Instant::now() + CATCH_UP_WAIT;
            loop {
                match self.recv(until).await {
                    Got::Message(message) => {
                        self.absorb(&message, true);
                        if self.ws.is_none() {
                            break;
                        }
                        if matches!(message["type"].as_str(), Some("snapshot" | "order")) {
                            return true;
                        }
                    }
                    Got::Lost | Got::Quiet => {
                        self.ws = None;
                        break;
                    }
                }
            }
        }
        false
    }

    /// Reads broadcasts for `pause` (reconnecting as needed).
    pub async fn idle_for(&mut self, pause: Duration) {
        let until = Instant::now() + pause;
        while Instant::now() < until && !self.drain.is_cancelled() {
            if self.ws.is_none() {
                if !self.connect().await {
                    return;
                }
                continue;
            }
            match self.recv(until).await {
                Got::Message(message) => self.absorb(&message, false),
                Got::Lost => self.move_on(),
                Got::Quiet => return,
            }
        }
    }

    /// A reader's watch over a silent broker: after 4 s without a message
    /// it asks for a `sync`, and moves on if 3 s more pass in silence.
    pub async fn watch_silence(&mut self) {
        if self.ws.is_none() || self.last_message.elapsed() < Duration::from_secs(4) {
            return;
        }
        match self.sync_sent {
            None => {
                if self.send(&json!({"type": "sync"})).await {
                    self.sync_sent = Some(Instant::now());
                }
            }
            Some(sent) if sent.elapsed() > Duration::from_secs(3) => {
                self.sync_sent = None;
                self.move_on();
            }
            Some(_) => {}
        }
    }

    /// Sends a command until it gets an answer other than a "retry" one, or
    /// the run is over; records every attempt. Returns the final answer.
    pub async fn execute(&mut self, request_id: String, command: Value) -> Option<Value> {
        let mut history = CommandHistory {
            client: self.history.key.clone(),
            request_id: request_id.clone(),
            attempts: Vec::new(),
        };
        let message = json!({"type": "command", "request_id": request_id, "command": command});
        let mut refused_here = 0;
        let result = loop {
            if self.ws.is_none() && !self.connect().await {
                break None;
            }
            let mut attempt = Attempt {
                broker: self.at,
                sent_ms: self.clock.ms(),
                answered_ms: None,
                answer: Answer::Unanswered,
            };
            let answer = if self.send(&message).await {
                self.answer(&request_id).await
            } else {
                None
            };
            let Some(answer) = answer else {
                history.attempts.push(attempt);
                self.move_on();
                if self.drain.is_cancelled() {
                    break None;
                }
                continue;
            };
            attempt.answered_ms = Some(self.clock.ms());
            attempt.answer = Answer::of(&answer);
            history.attempts.push(attempt);
            let code = answer["code"].as_str().unwrap_or("");
            if answer["type"] == "error" && RETRY.contains(&code) {
                if self.drain.is_cancelled() {
                    break None;
                }
                refused_here += 1;
                if refused_here >= 2 {
                    refused_here = 0;
                    self.move_on();
                }
                self.idle_for(Duration::from_millis(150)).await;
                continue;
            }
            break Some(answer);
        };
        self.commands.push(history);
        result
    }

    /// Reads until the answer to `request_id`, for [`ATTEMPT_WAIT`].
    async fn answer(&mut self, request_id: &str) -> Option<Value> {
        let until = Instant::now() + ATTEMPT_WAIT;
        loop {
            match self.recv(until).await {
                Got::Message(message) => {
                    let kind = message["type"].as_str();
                    if matches!(kind, Some("ack" | "error")) && message["request_id"] == request_id
                    {
                        return Some(message);
                    }
                    self.absorb(&message, false);
                    // A broken stream dropped the connection.
                    self.ws.as_ref()?;
                }
                Got::Lost | Got::Quiet => return None,
            }
        }
    }

    /// Closes the connection and hands over what it saw.
    pub async fn finish(mut self) -> (ClientHistory, Vec<CommandHistory>) {
        if let Some(mut ws) = self.ws.take() {
            let _ = ws.close(None).await;
        }
        (self.history, self.commands)
    }
}
