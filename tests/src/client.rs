//! A raw WebSocket client of the protocol that keeps what it received,
//! and the clients that misbehave on purpose (one that never reads) or
//! expect to be turned away.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::{DEADLINE, Floor};

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
            Some("order") => self.order = expanded(&value["order"], &self.order),
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

/// An `order` message's slots written out: a compact slot (an index) is
/// the slot at that index of `previous` (protocol section 9.4).
fn expanded(slots: &Value, previous: &Value) -> Value {
    let slots: Vec<floor_protocol::OrderSlot> =
        serde_json::from_value(slots.clone()).expect("an order's slots");
    let previous: Vec<floor_protocol::ProjectedSlot> = if previous.is_null() {
        Vec::new()
    } else {
        serde_json::from_value(previous.clone()).expect("a previous order")
    };
    let order = floor_protocol::order::expand(slots, &previous).unwrap_or_else(|missing| {
        panic!("the broker sent a compact order it cannot stand for: {missing}")
    });
    serde_json::to_value(order).expect("an order")
}

/// Sends `hello` to `floor` until it is welcomed (a broker of the shared
/// store answers `storage_unavailable` while it cannot serve the room yet:
/// its first load still running, or NATS not heard again); returns the
/// client.
pub async fn welcomed(floor: &Floor, hello: &Value) -> Client {
    let deadline = std::time::Instant::now() + DEADLINE;
    loop {
        let mut client = Client::raw(Client::open(floor).await);
        client.send(hello).await;
        let answer = client.next().await;
        if answer["type"] == "welcome" {
            drop(client);
            return Client::connect(floor, hello.clone()).await;
        }
        assert_eq!(answer["code"], "storage_unavailable", "{answer}");
        assert!(
            std::time::Instant::now() < deadline,
            "the broker never served the room"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
