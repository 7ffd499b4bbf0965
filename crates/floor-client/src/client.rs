//! [`Client`]: a cheap handle to one connection to a room.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use floor_protocol::{
    ClientKey, ClientMessage, Command, EntryDraft, RoomEvent, RoomInfo, SnapshotReason,
};
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::time::Instant;
use uuid::Uuid;

use crate::backoff::Backoff;
use crate::connection::{self, Connection, Op, Shared};
use crate::error::{ConnectError, RequestError};
use crate::options::ConnectOptions;
use crate::state::{Anomaly, RoomState};

/// How many updates a [`Subscriber`] may fall behind before it misses some
/// (it is then told so by [`Update::Lagged`]).
const UPDATES_CAPACITY: usize = 4096;
/// The broker's limit on one frame (see the protocol's README); a larger
/// command is refused here instead of costing the connection.
const MAX_FRAME: usize = 64 * 1024;
/// A request never waits longer than this, whatever the options say.
const MAX_REQUEST_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// A command that took effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// The request id it was sent with.
    pub request_id: String,
    /// The sequence number of its first event.
    pub first_seq: u64,
    /// The sequence number of its last event.
    pub last_seq: u64,
    /// For a submission: the new entry.
    pub entry_id: Option<Uuid>,
    /// True when the broker had already applied this request id (the
    /// client sent it again after a reconnection): nothing happened twice.
    pub duplicate: bool,
}

/// What happened to the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionEvent {
    /// Connected (again) and welcomed.
    Connected {
        /// The epoch of the room's log.
        epoch: Uuid,
        /// The room's latest sequence number.
        head: u64,
        /// The sequence number the client resumed from, if it resumed.
        resumed_from: Option<u64>,
    },
    /// The connection was lost; the client will reconnect.
    Disconnected {
        /// Why.
        reason: String,
    },
    /// The client waits `delay` before reconnection attempt `attempt`.
    Reconnecting {
        /// The attempt number, from 1.
        attempt: u32,
        /// The wait before it.
        delay: Duration,
    },
    /// The client found its state inconsistent with the broker's stream
    /// and asked for a fresh snapshot; an [`Update::Snapshot`] follows.
    Resyncing {
        /// What was wrong.
        anomaly: Anomaly,
    },
    /// The client stopped for good (closed by its owner, or refused by the
    /// broker, e.g. its token was revoked).
    Closed {
        /// Why.
        reason: String,
    },
}

/// The connection's state now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionStatus {
    /// Connected and receiving.
    Connected,
    /// Lost; reconnecting. Requests are kept and sent on reconnection.
    Reconnecting,
    /// Stopped for good, with the reason.
    Closed(String),
}

/// One item of a [`Subscriber`]'s stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// The state was replaced by a snapshot at `seq` (after a resync, or a
    /// resume the broker could not serve). Events continue from `seq + 1`.
    Snapshot {
        /// Why the broker sent it.
        reason: SnapshotReason,
        /// Its sequence number.
        seq: u64,
    },
    /// An event. Events arrive in batches; the state shows a batch once
    /// the broker's order for it has arrived ([`Update::Order`]).
    Event(Arc<RoomEvent>),
    /// The state now holds every event up to `seq` and the broker's
    /// projected order after it.
    Order {
        /// The sequence number it reflects.
        seq: u64,
    },
    /// Something happened to the connection.
    Connection(ConnectionEvent),
    /// This subscriber fell behind and missed `missed` updates; the state
    /// ([`Client::state`]) is still current.
    Lagged {
        /// How many updates it missed.
        missed: u64,
    },
}

/// A stream of [`Update`]s, from the moment it was created.
///
/// ```no_run
/// # async fn example(client: floor_client::Client) {
/// use floor_client::Update;
///
/// let mut updates = client.subscribe();
/// while let Some(update) = updates.next().await {
///     match update {
///         Update::Event(event) => println!("{} {}", event.seq, event.event.name()),
///         Update::Connection(change) => println!("connection: {change:?}"),
///         _ => {}
///     }
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct Subscriber {
    updates: broadcast::Receiver<Update>,
    status: watch::Receiver<ConnectionStatus>,
}

impl Subscriber {
    /// The next update; `None` once the client has stopped and every
    /// update was delivered.
    pub async fn next(&mut self) -> Option<Update> {
        let received = tokio::select! {
            biased;
            received = self.updates.recv() => received,
            _ = self.status.wait_for(|s| matches!(s, ConnectionStatus::Closed(_))) => {
                // Stopped: hand out what is left, then end.
                match self.updates.try_recv() {
                    Ok(update) => Ok(update),
                    Err(broadcast::error::TryRecvError::Lagged(missed)) => {
                        Err(broadcast::error::RecvError::Lagged(missed))
                    }
                    Err(_) => Err(broadcast::error::RecvError::Closed),
                }
            }
        };
        match received {
            Ok(update) => Some(update),
            Err(broadcast::error::RecvError::Lagged(missed)) => Some(Update::Lagged { missed }),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    /// The updates as a `futures` stream.
    pub fn into_stream(self) -> impl futures_util::Stream<Item = Update> {
        futures_util::stream::unfold(self, |mut subscriber| async move {
            subscriber.next().await.map(|update| (update, subscriber))
        })
    }
}

/// A handle to one connection to a room. Cloning it is cheap; every clone
/// drives the same connection, which one background task owns. The task
/// stops when the last handle is dropped or [`Client::close`] is called.
///
/// # Connect
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use floor_client::{Client, ConnectOptions};
///
/// let options = ConnectOptions::from_link("http://127.0.0.1:8080/r/ws235/runner#token=3f9c...")?;
/// let client = Client::connect(options).await?;
/// println!("connected as {:?} at event {}", client.role(), client.state().seq());
/// # Ok(()) }
/// ```
///
/// # Submit
/// ```no_run
/// # async fn example(client: floor_client::Client) -> Result<(), floor_client::RequestError> {
/// use floor_protocol::{Channel, EntryDraft, Kind, Person};
///
/// let entry_id = client
///     .submit(EntryDraft {
///         channel: Channel::Onsite,
///         kind: Kind::Question,
///         person: Person::named("Amina Diallo"),
///         text: None,
///         location: Some("Row 4, aisle".into()),
///         language: None,
///         delivery: None,
///         gender: None,
///         source: None,
///     })
///     .await?;
/// // The acknowledged entry is already in the local state.
/// assert!(client.state().entry(entry_id).is_some());
/// # Ok(()) }
/// ```
///
/// # Subscribe
/// ```no_run
/// # async fn example(client: floor_client::Client) {
/// // Every change of the room state, e.g. to redraw a screen:
/// let mut state = client.watch();
/// while state.changed().await.is_ok() {
///     let room = state.borrow_and_update();
///     println!("event {}: {} waiting", room.seq(), room.order().len());
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    ops: mpsc::UnboundedSender<Op>,
    shared: Arc<Shared>,
    room: RoomInfo,
    role: floor_protocol::Role,
    client: ClientKey,
    request_timeout: Duration,
}

impl Client {
    /// Connects to a room, says `hello` and waits for the room's state.
    ///
    /// Fails at once if the broker cannot be reached (unless
    /// [`ConnectOptions::retry_initial_connect`] is set) or refuses the
    /// token. Once connected, the client reconnects on its own.
    pub async fn connect(options: ConnectOptions) -> Result<Client, ConnectError> {
        let token = options
            .token
            .clone()
            .or_else(|| options.address.token.clone())
            .ok_or(ConnectError::NoToken)?;
        let mut backoff = Backoff::new(options.reconnect_min, options.reconnect_max);
        let (socket, welcome, state) = loop {
            let attempt = async {
                let (mut socket, welcome) = connection::handshake(&options, &token, None).await?;
                let state = connection::first_snapshot(&options, &mut socket).await?;
                Ok::<_, ConnectError>((socket, welcome, state))
            };
            match attempt.await {
                Ok(connected) => break connected,
                Err(error) if error.is_retryable() && options.retry_initial_connect => {
                    tracing::debug!(%error, "first connection failed");
                    tokio::time::sleep(backoff.next_delay()).await;
                }
                Err(error) => return Err(error),
            }
        };
        let offset = connection::clock_offset(&welcome);
        let (updates, _) = broadcast::channel(UPDATES_CAPACITY);
        let shared = Arc::new(Shared {
            state: watch::Sender::new(state),
            updates,
            status: watch::Sender::new(ConnectionStatus::Connected),
            clock_offset_ms: AtomicI64::new(offset),
        });
        let (ops, receiver) = mpsc::unbounded_channel();
        let request_timeout = options.request_timeout;
        let task = Connection::new(options, token, shared.clone(), receiver);
        tokio::spawn(task.run(socket));
        Ok(Client {
            inner: Arc::new(Inner {
                ops,
                shared,
                room: welcome.room,
                role: welcome.role,
                client: welcome.client,
                request_timeout,
            }),
        })
    }

    /// The role the token grants.
    pub fn role(&self) -> floor_protocol::Role {
        self.inner.role
    }

    /// The room's id and title.
    pub fn room(&self) -> &RoomInfo {
        &self.inner.room
    }

    /// This client's key, as events name it.
    pub fn client_key(&self) -> &ClientKey {
        &self.inner.client
    }

    /// The connection's state now.
    pub fn status(&self) -> ConnectionStatus {
        self.inner.shared.status.borrow().clone()
    }

    /// Watches the connection's state.
    pub fn watch_status(&self) -> watch::Receiver<ConnectionStatus> {
        self.inner.shared.status.subscribe()
    }

    /// A copy of the room state now.
    pub fn state(&self) -> RoomState {
        self.inner.shared.state.borrow().clone()
    }

    /// Reads the room state now without copying it. Do not hold on to it:
    /// the connection waits while `f` runs.
    pub fn with_state<R>(&self, f: impl FnOnce(&RoomState) -> R) -> R {
        f(&self.inner.shared.state.borrow())
    }

    /// Watches the room state: `changed()` completes after every change.
    pub fn watch(&self) -> watch::Receiver<RoomState> {
        self.inner.shared.state.subscribe()
    }

    /// Waits until the state satisfies `ready`, and returns it; or, if
    /// the client stops for good first, returns the last state.
    pub async fn wait_until(&self, mut ready: impl FnMut(&RoomState) -> bool) -> RoomState {
        let mut watch = self.watch();
        let mut status = self.watch_status();
        tokio::select! {
            state = watch.wait_for(|state| ready(state)) => match state {
                Ok(state) => state.clone(),
                Err(_) => self.state(),
            },
            _ = status.wait_for(|s| matches!(s, ConnectionStatus::Closed(_))) => self.state(),
        }
    }

    /// A stream of updates from now on: events, snapshots, orders and
    /// connection changes.
    pub fn subscribe(&self) -> Subscriber {
        Subscriber {
            updates: self.inner.shared.updates.subscribe(),
            status: self.inner.shared.status.subscribe(),
        }
    }

    /// The broker's clock now, in milliseconds since the Unix epoch (the
    /// local clock corrected by the offset seen at the last `welcome`).
    pub fn now_ms(&self) -> u64 {
        let offset = self.inner.shared.clock_offset_ms.load(Ordering::Relaxed);
        let local = i64::try_from(connection::now_ms()).unwrap_or(i64::MAX);
        u64::try_from(local.saturating_add(offset)).unwrap_or(0)
    }

    /// Sends a command with a fresh request id and waits for its answer.
    pub async fn command(&self, command: Command) -> Result<Ack, RequestError> {
        self.command_with_id(Uuid::new_v4().simple().to_string(), command)
            .await
    }

    /// Sends a command with the given request id and waits for its answer.
    /// Repeating a request id that already took effect returns the original
    /// result with `duplicate` set.
    pub async fn command_with_id(
        &self,
        request_id: String,
        command: Command,
    ) -> Result<Ack, RequestError> {
        if request_id.is_empty() || request_id.chars().count() > 64 {
            return Err(RequestError::Invalid(
                "a request id has 1 to 64 characters".into(),
            ));
        }
        let message = ClientMessage::Command {
            request_id: request_id.clone(),
            command,
        };
        let frame =
            serde_json::to_string(&message).map_err(|e| RequestError::Invalid(e.to_string()))?;
        if frame.len() > MAX_FRAME {
            return Err(RequestError::Invalid(format!(
                "the command is {} bytes; the limit is {MAX_FRAME}",
                frame.len()
            )));
        }
        let (reply, answer) = oneshot::channel();
        let op = Op::Command {
            request_id,
            frame,
            reply,
            deadline: Instant::now() + self.inner.request_timeout.min(MAX_REQUEST_TIMEOUT),
        };
        if self.inner.ops.send(op).is_err() {
            return Err(RequestError::Closed(self.closed_reason()));
        }
        match answer.await {
            Ok(result) => result,
            Err(_) => Err(RequestError::Closed(self.closed_reason())),
        }
    }

    /// Submits a request to speak and returns the new entry's id.
    pub async fn submit(&self, entry: EntryDraft) -> Result<Uuid, RequestError> {
        let ack = self.command(Command::Submit { entry }).await?;
        ack.entry_id.ok_or_else(|| {
            RequestError::Invalid("the broker acknowledged a submission without an entry".into())
        })
    }

    /// Asks the broker for a fresh snapshot.
    pub fn sync(&self) {
        let _ = self.inner.ops.send(Op::Sync);
    }

    /// Closes the connection. Requests still waiting fail with
    /// [`RequestError::Closed`].
    pub async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.inner.ops.send(Op::Close(done)).is_ok() {
            let _ = closed.await;
        }
    }

    fn closed_reason(&self) -> String {
        match self.status() {
            ConnectionStatus::Closed(reason) => reason,
            _ => "the connection task stopped".into(),
        }
    }
}
