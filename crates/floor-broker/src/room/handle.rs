//! The face of a room that the rest of the broker holds: the handle, the
//! messages a room task takes, what a subscriber gets, and the start of a
//! room's task.

use std::sync::{Arc, RwLock};

use floor_core::Actor;
use floor_core::audience::Audience;
use floor_protocol::message::{Resume, RoomInfo, SnapshotReason};
use floor_protocol::{Command, ServerMessage};
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite::Utf8Bytes;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use super::{Loaded, Restart, RoomLog, Unconfirmed, Unloading};
use crate::auth::RoleTokens;
use crate::limits::ROOM_QUEUE;

/// A frame broadcast to a room's subscribers.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The JSON text.
    pub text: Utf8Bytes,
    /// The text for the public links (participants, displays), when it
    /// differs from `text`: the same events without `person_id`.
    pub public: Option<Utf8Bytes>,
    /// A second message sent right behind it, in the same write: the
    /// `order` that follows a commit's last `events` message.
    pub then: Option<Utf8Bytes>,
    /// `then` in the compact form, for the connections that asked for it
    /// (its slots may refer to the previous order's).
    pub then_compact: Option<Utf8Bytes>,
    /// Bytes broadcast by the room up to and including this frame.
    pub end: u64,
    /// The seq of the room's state once this frame is applied.
    pub last_seq: u64,
}

/// What a new subscriber gets from its room, all taken at one instant.
#[derive(Debug)]
pub struct Subscription {
    /// The room's log epoch.
    pub epoch: Uuid,
    /// The room's last seq.
    pub head: u64,
    /// The frames to send first: a snapshot, or the missed events and the
    /// order.
    pub initial: Vec<Utf8Bytes>,
    /// Every frame broadcast after `initial`.
    pub frames: broadcast::Receiver<Frame>,
    /// Bytes broadcast by the room so far: with [`Frame::end`], how far
    /// behind a subscriber is, even while its socket is stuck.
    pub broadcast_bytes: watch::Receiver<u64>,
}

/// A command on its way to the room, with where to send the answer.
#[derive(Debug)]
pub struct CommandMsg {
    /// Who issues it.
    pub actor: Actor,
    /// The client's request id.
    pub request_id: String,
    /// The command.
    pub command: Command,
    /// The issuing connection's reply queue.
    pub reply: mpsc::Sender<Reply>,
    /// Cancelled when the reply queue was full: the connection then closes.
    pub overflow: tokio_util::sync::CancellationToken,
    /// When the command was read from its connection.
    pub received: std::time::Instant,
}

/// An answer to a command, for its connection's reply queue.
#[derive(Debug)]
pub struct Reply {
    /// The connection sends it only once it has sent the room's frames up
    /// to this seq: an `ack` comes after its events and their `order`
    /// (the `ack`'s `last_seq`), a refusal after the state that refused it
    /// (the room's seq when it was decided).
    pub after_seq: u64,
    /// The JSON text.
    pub text: Utf8Bytes,
    /// For the `ack` of a command whose events the room has not
    /// broadcast yet: those frames, so its connection sends them and the
    /// `ack` at once, before the room's screens are woken.
    pub lead: Option<Lead>,
    /// When the command passed each stage (not for an answer the room
    /// gave without taking the command up).
    pub stamps: Option<crate::metrics::Stamps>,
}

/// A batch's frames handed to the connections of its commands ahead of the
/// broadcast.
#[derive(Debug, Clone)]
pub struct Lead {
    /// The room's seq before the batch: a connection that has sent the
    /// frames up to it sends these next; one still behind waits for the
    /// broadcast.
    pub from_seq: u64,
    /// The batch's frames, as they will be broadcast.
    pub frames: Arc<[Frame]>,
}

/// A message to a room task.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "commands are the common message; boxing them would allocate for each one to save a few hundred bytes per queued read"
)]
pub enum RoomMsg {
    /// Decide, commit and broadcast a command.
    Command(CommandMsg),
    /// Subscribe a connection, resuming where it left off.
    Subscribe {
        /// Where the client left off.
        resume: Option<Resume>,
        /// Whom it serves: a public link gets no `person_id`.
        audience: Audience,
        /// Where to send the subscription, or why the room cannot serve
        /// one now (a room of the shared store that cannot confirm it holds
        /// the store's last commit).
        reply: oneshot::Sender<Result<Subscription, Unconfirmed>>,
    },
    /// A snapshot message.
    Snapshot {
        /// Why it is asked for.
        reason: SnapshotReason,
        /// Whom it serves: a public link gets no `person_id`.
        audience: Audience,
        /// Where to send it, with the seq it stands at.
        reply: oneshot::Sender<(Utf8Bytes, u64)>,
    },
}

/// The shared face of a room: its name, tokens and queue.
#[derive(Debug)]
pub struct RoomHandle {
    /// Its id.
    pub id: String,
    /// Its title (changed by a conference import).
    title: RwLock<String>,
    /// The epoch of its log.
    pub epoch: Uuid,
    /// The role token hashes.
    pub tokens: RwLock<RoleTokens>,
    /// With the shared store, the revision of the room's record the tokens
    /// came from (changed only under the `tokens` lock, and only upwards:
    /// a record read late from a replica never brings back old tokens);
    /// 0 with the embedded store.
    pub tokens_revision: std::sync::atomic::AtomicU64,
    /// Bumped when a token is rotated; connections then check theirs.
    pub rotations: watch::Sender<u64>,
    /// The participant pages connected now.
    pub presence: Arc<crate::attendance::Presence>,
    /// Its part of the venue dashboard's feed.
    pub live: Arc<crate::conference::live::RoomLive>,
    tx: mpsc::Sender<RoomMsg>,
}

impl RoomHandle {
    /// Its id and title, as a `welcome` gives them.
    pub fn info(&self) -> RoomInfo {
        RoomInfo {
            id: self.id.clone(),
            title: self.title(),
        }
    }

    /// Its title now.
    pub fn title(&self) -> String {
        match self.title.read() {
            Ok(title) => title.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Gives it a new title: the `welcome` of its next connections carries
    /// it.
    pub fn set_title(&self, title: &str) {
        match self.title.write() {
            Ok(mut held) => *held = title.to_owned(),
            Err(poisoned) => *poisoned.into_inner() = title.to_owned(),
        }
    }

    /// Sends a message to the room task; `false` if the room is gone.
    pub async fn send(&self, msg: RoomMsg) -> bool {
        self.tx.send(msg).await.is_ok()
    }

    /// Runs a command as the chair, for the broker's own use (the demo
    /// room's run of show, attendance records). A request id used before
    /// changes nothing: the room answers with the first result.
    pub async fn run_as_chair(
        &self,
        request_id: &str,
        command: floor_protocol::Command,
    ) -> Result<(), crate::broker::RoomError> {
        let name = command.name();
        let (reply, mut answers) = mpsc::channel(4);
        let msg = RoomMsg::Command(CommandMsg {
            actor: floor_core::Actor {
                role: floor_protocol::Role::Chair,
                client: crate::auth::client_key(crate::auth::BROKER_CLIENT_ID),
                channel: None,
            },
            request_id: request_id.to_owned(),
            command,
            reply,
            overflow: tokio_util::sync::CancellationToken::new(),
            received: std::time::Instant::now(),
        });
        let refused = |message: String| crate::broker::RoomError::Refused {
            command: name,
            message,
        };
        if !self.send(msg).await {
            return Err(refused("the room is closing".into()));
        }
        let answer = answers
            .recv()
            .await
            .ok_or_else(|| refused("no answer".into()))?;
        match serde_json::from_str::<ServerMessage>(answer.text.as_str()) {
            Ok(ServerMessage::Ack { .. }) => Ok(()),
            Ok(ServerMessage::Error(error)) => Err(refused(error.message)),
            _ => Err(refused("an unreadable answer".into())),
        }
    }

    /// The role a token grants in this room.
    pub fn role_of(&self, token: &str) -> Option<floor_protocol::Role> {
        self.tokens.read().ok()?.role_of(token)
    }
}

/// The milliseconds since the Unix epoch, now.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Starts a room's task on `lane` (the command lane's runtime), loaded
/// until it has been idle for `unloading.after`; returns its handle.
#[allow(
    clippy::too_many_arguments,
    reason = "each is a part of the room or of where it runs; a struct would only name them again"
)]
pub fn spawn(
    info: RoomInfo,
    epoch: Uuid,
    tokens: RoleTokens,
    loaded: Loaded,
    log: RoomLog,
    unloading: Unloading,
    tasks: &TaskTracker,
    lane: &tokio::runtime::Handle,
    live: &Arc<crate::conference::live::Live>,
) -> Arc<RoomHandle> {
    let live = crate::conference::live::RoomLive::new(&info.id, live.clone());
    let (tx, rx) = mpsc::channel(ROOM_QUEUE);
    let recoveries = log.health().recoveries();
    let health = log.health().clone();
    let attendance_peak = loaded.room.view_ref().attendance_peak;
    let presence = Arc::new(crate::attendance::Presence::default());
    let shared = log.shared().cloned();
    let restart = Restart {
        id: info.id.clone(),
        epoch,
        log,
        presence: presence.clone(),
        live: live.clone(),
        unloading,
    };
    restart.unloading.loaded.inc();
    let actor = restart.actor(loaded);
    let handle = Arc::new(RoomHandle {
        id: info.id,
        title: RwLock::new(info.title),
        epoch,
        tokens: RwLock::new(tokens),
        tokens_revision: Default::default(),
        rotations: watch::Sender::new(0),
        presence,
        live,
        tx,
    });
    tasks.spawn_on(
        crate::supervise::room_task(actor, rx, recoveries, health),
        lane,
    );
    crate::attendance::spawn(&handle, attendance_peak, shared, tasks, lane);
    handle
}
