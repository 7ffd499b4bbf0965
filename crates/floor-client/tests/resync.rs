//! The client's repairs, against a scripted server that sends what a
//! correct broker never does: a gap, a repeated event, an order that does
//! not fit the events. Each is reported as `Resyncing`, answered with
//! `sync`, and repaired by the snapshot that follows.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use floor_client::{Anomaly, Client, ConnectOptions, ConnectionEvent, RoomState, Update};
use floor_core::LiveView;
use floor_protocol::{
    Cause, Channel, ClientKey, ClientMessage, Delivery, Entry, EntryStatus, Event, Kind, Person,
    ProjectedSlot, Provenance, Role, RoomEvent, RoomInfo, RoomView, ServerMessage, SnapshotReason,
};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

type Socket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn event(seq: u64, event: Event) -> RoomEvent {
    RoomEvent {
        seq,
        at_ms: 1_000 * seq,
        cause: Some(Cause {
            request_id: format!("r{seq}"),
            client: ClientKey::new("k"),
            role: Role::Runner,
        }),
        event,
    }
}

fn submitted(seq: u64, n: u128) -> RoomEvent {
    event(
        seq,
        Event::EntrySubmitted {
            entry: Entry {
                id: id(n),
                seq,
                channel: Channel::Onsite,
                kind: Kind::Question,
                person: Person::named(format!("Person {n}")),
                text: None,
                location: None,
                language: None,
                delivery: Delivery::RoomMic,
                provenance: Provenance {
                    role: Role::Runner,
                    client: ClientKey::new("k"),
                    at_ms: 1_000 * seq,
                    source: None,
                },
                status: EntryStatus::Waiting,
                mic_in_hand: false,
                merged_into: None,
                reject_reason: None,
                spoke_ms: None,
            },
        },
    )
}

/// The order a correct broker would send: the waiting entries in
/// submission order (one channel, nobody has spoken).
fn order_of(view: &RoomView) -> Vec<ProjectedSlot> {
    view.entries
        .iter()
        .filter(|e| e.status == EntryStatus::Waiting)
        .map(|e| ProjectedSlot {
            entry_id: e.id,
            channel: e.channel,
            reasons: vec![floor_protocol::OrderReason::ArrivalOrder],
        })
        .collect()
}

/// The server's side: the true log, and the socket.
struct Server {
    epoch: Uuid,
    truth: LiveView,
    socket: Socket,
}

impl Server {
    async fn send(&mut self, message: &ServerMessage) {
        let text = serde_json::to_string(message).unwrap();
        self.socket.send(Message::Text(text.into())).await.unwrap();
    }

    /// Adds events to the truth without sending them.
    fn record(&mut self, events: &[RoomEvent]) {
        for e in events {
            self.truth.apply(e).unwrap();
        }
    }

    async fn events(&mut self, events: Vec<RoomEvent>) {
        let epoch = self.epoch;
        self.send(&ServerMessage::Events { epoch, events }).await;
    }

    async fn order(&mut self, order: Vec<ProjectedSlot>) {
        let (epoch, seq) = (self.epoch, self.truth.seq());
        let order = floor_protocol::order::full(&order);
        self.send(&ServerMessage::Order { epoch, seq, order }).await;
    }

    async fn snapshot(&mut self, reason: SnapshotReason) {
        let room = self.truth.view().clone();
        let order = order_of(&room);
        let epoch = self.epoch;
        self.send(&ServerMessage::Snapshot {
            epoch,
            reason,
            room,
            order,
        })
        .await;
    }

    /// Waits for the client's `sync`.
    async fn expect_sync(&mut self) {
        loop {
            let message = self.socket.next().await.unwrap().unwrap();
            if let Message::Text(text) = message {
                let message: ClientMessage = serde_json::from_str(&text).unwrap();
                assert_eq!(message, ClientMessage::Sync {});
                return;
            }
        }
    }
}

async fn next_repair(updates: &mut floor_client::Subscriber) -> Anomaly {
    loop {
        match updates.next().await.unwrap() {
            Update::Connection(ConnectionEvent::Resyncing { anomaly }) => return anomaly,
            Update::Connection(other) => panic!("unexpected {other:?}"),
            _ => {}
        }
    }
}

async fn settled(client: &Client, truth: &LiveView) -> RoomState {
    let seq = truth.seq();
    let state = tokio::time::timeout(
        Duration::from_secs(10),
        client.wait_until(|s| s.seq() == seq),
    )
    .await
    .unwrap();
    assert_eq!(state.view(), truth.view());
    assert_eq!(state.order(), order_of(truth.view()));
    state
}

#[tokio::test]
async fn gaps_repeats_and_disagreeing_orders_are_reported_and_repaired() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut socket = tokio_tungstenite::accept_async(stream).await.unwrap();
        let hello = socket.next().await.unwrap().unwrap();
        assert!(hello.to_text().unwrap().contains("\"hello\""));
        let mut server = Server {
            epoch: Uuid::new_v4(),
            truth: LiveView::new(),
            socket,
        };
        let epoch = server.epoch;
        server
            .send(&ServerMessage::Welcome {
                protocol: 1,
                room: RoomInfo {
                    id: "hall".into(),
                    title: "Hall".into(),
                },
                role: Role::Display,
                client: ClientKey::new("k"),
                epoch,
                head: 0,
                server_time_ms: 0,
                compact_order: false,
            })
            .await;
        server.snapshot(SnapshotReason::Initial).await;
        server
    });
    let link = format!("ws://{addr}/ws?room=hall#token=t");
    let client = Client::connect(ConnectOptions::from_link(&link).unwrap())
        .await
        .unwrap();
    let mut updates = client.subscribe();
    let mut server = server.await.unwrap();

    // In order: taken.
    let first = vec![submitted(1, 1)];
    server.record(&first);
    server.events(first).await;
    server.order(order_of(server.truth.view())).await;
    settled(&client, &server.truth).await;

    // A gap: event 2 never arrives.
    let second = submitted(2, 2);
    let third = submitted(3, 3);
    server.record(&[second, third.clone()]);
    server.events(vec![third.clone()]).await;
    assert_eq!(
        next_repair(&mut updates).await,
        Anomaly::Gap { held: 1, got: 3 }
    );
    server.expect_sync().await;
    server.snapshot(SnapshotReason::Requested).await;
    settled(&client, &server.truth).await;

    // A repeat of event 3.
    server.events(vec![third]).await;
    assert_eq!(
        next_repair(&mut updates).await,
        Anomaly::Duplicate { held: 3, got: 3 }
    );
    server.expect_sync().await;
    server.snapshot(SnapshotReason::Requested).await;
    settled(&client, &server.truth).await;

    // An order that still lists a withdrawn entry.
    let before = order_of(server.truth.view());
    let withdrawn = vec![event(4, Event::EntryWithdrawn { entry_id: id(1) })];
    server.record(&withdrawn);
    server.events(withdrawn).await;
    server.order(before).await;
    assert!(matches!(
        next_repair(&mut updates).await,
        Anomaly::OrderDisagrees { seq: 4, .. }
    ));
    server.expect_sync().await;
    server.snapshot(SnapshotReason::Requested).await;
    let state = settled(&client, &server.truth).await;
    assert_eq!(state.order().len(), 2);
}
