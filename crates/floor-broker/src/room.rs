//! One task per room: the single owner of the room's state.
//!
//! The task takes messages from its queue, and for commands it works in
//! batches: it decides and applies every command already queued, hands all
//! of their events to the writer in one append, waits for the commit, and
//! only then broadcasts the events and answers the commands. If the commit
//! fails, the room goes back to its state before the batch and every
//! command of the batch is answered `storage_unavailable`.
//!
//! Each event is serialized once, when it is decided; the same text is
//! stored in the log, kept in the resume window and sent to every
//! subscriber inside one `events` frame (a legacy `gender_declared` read
//! from an old log is the exception: the window holds its `redacted`
//! form). The genders a batch's commands declared are handed to the store
//! with its events, never put in them. Frames go out through a
//! `tokio::sync::broadcast` channel, so a slow subscriber never holds the
//! room back: it falls behind, and its connection closes it (see
//! `connection.rs`).

use std::collections::VecDeque;
use std::sync::{Arc, RwLock};

use floor_core::checkpoint;
use floor_core::declarations::{Declarations, served_text};
use floor_core::{Actor, Decision, Room, Savepoint};
use floor_protocol::message::{ErrorMessage, Resume, RoomInfo, SnapshotReason};
use floor_protocol::{Command, ErrorCode, RoomEvent, ServerMessage};
use floor_store::{Append, RequestRecord};
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite::Utf8Bytes;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use crate::auth::RoleTokens;
use crate::commit::{Health, WriteError, Writer};
use crate::limits::{
    BROADCAST_CAPACITY, CHECKPOINT_GAP, MAX_QUEUED_BYTES, RESUME_WINDOW, ROOM_QUEUE,
};
use crate::shared::{Shared, SharedError, StoredCommit};

mod load;
mod shared_log;

use load::fold_commit;
pub use load::{LoadError, Loaded, load, load_shared};

pub use shared_log::{CONFIRM_WAIT, FRESH_FOR, PROBE_EVERY, Unconfirmed};

/// Largest `events` frame the room builds when replaying, in bytes.
const REPLAY_FRAME: usize = 32 * 1024;
/// Most queued messages a room takes into one batch.
const MAX_BATCH: usize = 256;
/// Most commands in one commit to the shared store (one JetStream
/// message, which must stay under the server's 1 MiB payload limit).
pub const SHARED_COMMIT: usize = 8;
/// Most times a room decides a commit again because another broker
/// appended first, before it answers `storage_unavailable` (the clients
/// retry).
const SHARED_ROUNDS: usize = 16;
/// How soon a room of the shared store that failed to catch up tries
/// again.
const CATCH_UP_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

/// Where a room's events are stored.
#[derive(Debug, Clone)]
pub enum RoomLog {
    /// The embedded SQLite log, through the writer thread.
    Local(Writer),
    /// NATS JetStream, shared with other brokers that serve the room.
    Shared(Arc<Shared>),
}

impl RoomLog {
    /// Whether the store takes writes.
    pub fn health(&self) -> &Arc<Health> {
        match self {
            RoomLog::Local(writer) => writer.health(),
            RoomLog::Shared(shared) => shared.health(),
        }
    }
}

/// A frame broadcast to a room's subscribers.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The JSON text.
    pub text: Utf8Bytes,
    /// A second message sent right behind it, in the same write: the
    /// `order` that follows a commit's last `events` message.
    pub then: Option<Utf8Bytes>,
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
    pub reply: mpsc::Sender<Utf8Bytes>,
    /// Cancelled when the reply queue was full: the connection then closes.
    pub overflow: tokio_util::sync::CancellationToken,
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
        /// Where to send the subscription, or why the room cannot serve
        /// one now (a room of the shared store that cannot confirm it holds
        /// the store's last commit).
        reply: oneshot::Sender<Result<Subscription, Unconfirmed>>,
    },
    /// A snapshot message.
    Snapshot {
        /// Why it is asked for.
        reason: SnapshotReason,
        /// Where to send it, with the seq it stands at.
        reply: oneshot::Sender<(Utf8Bytes, u64)>,
    },
}

/// The shared face of a room: its name, tokens and queue.
#[derive(Debug)]
pub struct RoomHandle {
    /// Id and title.
    pub info: RoomInfo,
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
    tx: mpsc::Sender<RoomMsg>,
}

impl RoomHandle {
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
        match serde_json::from_str::<ServerMessage>(answer.as_str()) {
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

/// Starts a room's task on `lane` (the command lane's runtime); returns
/// its handle.
pub fn spawn(
    info: RoomInfo,
    epoch: Uuid,
    tokens: RoleTokens,
    loaded: Loaded,
    log: RoomLog,
    tasks: &TaskTracker,
    lane: &tokio::runtime::Handle,
) -> Arc<RoomHandle> {
    let (tx, rx) = mpsc::channel(ROOM_QUEUE);
    let recoveries = log.health().recoveries();
    let health = log.health().clone();
    let attendance_peak = loaded.room.view_ref().attendance_peak;
    let presence = Arc::new(crate::attendance::Presence::default());
    let shared = match &log {
        RoomLog::Shared(shared) => Some(shared.clone()),
        RoomLog::Local(_) => None,
    };
    let restart = Restart {
        id: info.id.clone(),
        epoch,
        log,
        presence: presence.clone(),
    };
    let actor = restart.actor(loaded);
    let handle = Arc::new(RoomHandle {
        info,
        epoch,
        tokens: RwLock::new(tokens),
        tokens_revision: Default::default(),
        rotations: watch::Sender::new(0),
        presence,
        tx,
    });
    tasks.spawn_on(
        crate::supervise::room_task(actor, rx, recoveries, health),
        lane,
    );
    crate::attendance::spawn(&handle, attendance_peak, shared, tasks, lane);
    handle
}

/// What a room's task is made of besides its state: enough to start it
/// again from the log after a panic (see `supervise.rs`).
pub(crate) struct Restart {
    id: String,
    epoch: Uuid,
    log: RoomLog,
    presence: Arc<crate::attendance::Presence>,
}

impl Restart {
    /// The room's id.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// Loads the room from its log again, as a start does (with a reader
    /// of its own, never creating a store).
    pub(crate) async fn load(&self) -> Result<Loaded, String> {
        if crate::supervise::fault("room-load", &self.id) {
            return Err("a failure injected by a test".into());
        }
        match &self.log {
            RoomLog::Local(writer) => {
                let path = writer.path().to_owned();
                let id = self.id.clone();
                tokio::task::spawn_blocking(move || {
                    let store =
                        floor_store::Store::open_existing(&path).map_err(|e| e.to_string())?;
                    load(&store, &id).map_err(|e| e.to_string())
                })
                .await
                .map_err(|e| e.to_string())?
            }
            RoomLog::Shared(shared) => load_shared(shared, &self.id)
                .await
                .map_err(|e| e.to_string()),
        }
    }

    /// A room task over `loaded` (a fresh broadcast channel: subscribers of
    /// a task that died are closed, and resume).
    pub(crate) fn actor(&self, loaded: Loaded) -> RoomActor {
        let (frames, _) = broadcast::channel(BROADCAST_CAPACITY);
        RoomActor {
            id: self.id.clone(),
            epoch: self.epoch,
            // Time never runs backwards in the log, even on a broker whose
            // clock is behind the one that wrote the last event.
            last_at: loaded
                .recent
                .back()
                .and_then(|(_, raw)| serde_json::from_str::<RoomEvent>(raw).ok())
                .map_or(0, |event| event.at_ms),
            room: loaded.room,
            recent: loaded.recent,
            window_complete: loaded.window_complete,
            frames,
            broadcast_bytes: watch::Sender::new(0),
            // Made by the room's task before it serves anything (not here:
            // a start would wait for every room's order).
            order_text: Utf8Bytes::from_static(""),
            snapshots: Vec::new(),
            checkpointed: loaded.checkpointed,
            checkpointed_at: None,
            health: self.log.health().clone(),
            stream_seq: loaded.stream_seq,
            unfit: None,
            caught_up: true,
            confirmed_at: Some(std::time::Instant::now()),
            behind_probes: 0,
            presence: self.presence.clone(),
            log: self.log.clone(),
        }
    }
}

/// Answers a command `storage_unavailable` (a room that cannot serve it
/// now; the client retries with the same request id).
pub(crate) fn answer_unavailable(command: &CommandMsg) {
    if let Answer::Error(error) = unavailable(command) {
        let message = text(&ServerMessage::Error(error));
        if command.reply.try_send(message).is_err() {
            command.overflow.cancel();
        }
    }
}

/// A room's task: the single owner of its state.
pub(crate) struct RoomActor {
    id: String,
    epoch: Uuid,
    /// The broker time of the last event, so time never runs backwards in
    /// the log.
    last_at: u64,
    room: Room,
    /// The newest events, for resuming subscribers (at most
    /// [`RESUME_WINDOW`]).
    recent: VecDeque<(u64, Arc<str>)>,
    /// Whether `recent` holds every event of the resume window the room
    /// has (after a start it may hold only those after the checkpoint).
    window_complete: bool,
    frames: broadcast::Sender<Frame>,
    broadcast_bytes: watch::Sender<u64>,
    /// The `order` message for the current seq.
    order_text: Utf8Bytes,
    /// Snapshot messages for the current seq, by reason.
    snapshots: Vec<(SnapshotReason, Utf8Bytes)>,
    /// The seq of the last checkpoint handed to the writer.
    checkpointed: u64,
    /// When it was handed over (none yet since the start).
    checkpointed_at: Option<std::time::Instant>,
    health: Arc<Health>,
    log: RoomLog,
    /// The shared store's stream sequence of the last commit applied.
    stream_seq: u64,
    /// A commit of the shared log that did not fit the room (logged as an
    /// error once; the room keeps trying to catch up past it).
    unfit: Option<u64>,
    /// Whether the room holds every commit of the shared store it knows
    /// of; after a failed or refused append it reads the log before it
    /// decides anything new.
    caught_up: bool,
    /// When the room last held every commit the shared store held (when
    /// the read or append that showed it began).
    confirmed_at: Option<std::time::Instant>,
    /// Probes in a row that found the room behind the stream.
    behind_probes: u32,
    /// The room's participant pages; told the log's attendance peak after
    /// every commit applied (its own or another broker's).
    presence: Arc<crate::attendance::Presence>,
}

/// What a batch's commands decided, before it is committed.
struct Decided {
    /// The room before the batch, to go back to: a savepoint costs what
    /// the batch changes, where a clone would copy every entry.
    before: Savepoint,
    answers: Vec<Answer>,
    raws: Vec<(u64, Arc<str>)>,
    requests: Vec<RequestRecord>,
    /// The genders the commands declared: stored with the events, never
    /// in them.
    declared: Declarations,
    /// The first command that changed the room: answers from there on are
    /// void if the commit fails.
    first_change: Option<usize>,
}

fn unavailable(command: &CommandMsg) -> Answer {
    Answer::Error(ErrorMessage {
        request_id: Some(command.request_id.clone()),
        code: ErrorCode::StorageUnavailable,
        message: "the broker cannot persist writes right now; retry with the same request id"
            .into(),
        field: None,
        entry_id: None,
    })
}

/// Waits for the next commit of a followed room (for ever without one).
async fn next_followed(feed: &mut Option<mpsc::Receiver<StoredCommit>>) -> Option<StoredCommit> {
    match feed {
        Some(feed) => feed.recv().await,
        None => std::future::pending().await,
    }
}

/// Waits for the next probe of a shared room (for ever without one).
async fn next_probe(
    probes: &mut Option<watch::Receiver<Option<shared_log::Probe>>>,
) -> Option<shared_log::Probe> {
    match probes {
        Some(probes) => {
            if probes.changed().await.is_err() {
                return None;
            }
            probes.borrow_and_update().clone()
        }
        None => std::future::pending().await,
    }
}

/// An answer held until the batch is committed.
enum Answer {
    Ack {
        request_id: String,
        receipt: floor_core::Receipt,
        duplicate: bool,
    },
    Error(ErrorMessage),
}

fn text(message: &ServerMessage) -> Utf8Bytes {
    match serde_json::to_string(message) {
        Ok(text) => Utf8Bytes::from(text),
        Err(error) => {
            tracing::error!(%error, "a server message did not serialize");
            Utf8Bytes::from_static(
                r#"{"type":"error","code":"internal","message":"serialization failed"}"#,
            )
        }
    }
}

/// Logs a failed read of the shared log: a warning, or only a debug line
/// for a commit that does not fit the room (logged as an error once, when
/// first found; the room retries every second).
fn log_read_error(room: &str, error: &SharedError, what: &str) {
    if matches!(error, SharedError::Unfit { .. }) {
        tracing::debug!(room, %error, "{what}");
    } else {
        tracing::warn!(room, %error, "{what}");
    }
}

/// The text of an `error` message.
pub fn error_text(
    request_id: Option<String>,
    code: ErrorCode,
    message: impl Into<String>,
) -> Utf8Bytes {
    text(&ServerMessage::Error(ErrorMessage {
        request_id,
        code,
        message: message.into(),
        field: None,
        entry_id: None,
    }))
}

impl RoomActor {
    /// What it takes to start this room's task again from the log.
    pub(crate) fn restart(&self) -> Restart {
        Restart {
            id: self.id.clone(),
            epoch: self.epoch,
            log: self.log.clone(),
            presence: self.presence.clone(),
        }
    }

    /// Serves the room's queue until it closes.
    pub(crate) async fn run(
        mut self,
        rx: &mut mpsc::Receiver<RoomMsg>,
        recoveries: &mut watch::Receiver<u64>,
    ) {
        self.order_text = self.order_message();
        // A room rebuilt by folding many events stores a checkpoint at once,
        // so the next start folds few.
        self.checkpoint_if_due();
        // With the shared store, the commits of other brokers arrive here.
        let mut feed = match &self.log {
            RoomLog::Local(_) => None,
            RoomLog::Shared(shared) => Some(shared.follow(&self.id, self.stream_seq)),
        };
        // And a probe tells it, well within a second, when it is behind.
        let mut probes = match &self.log {
            RoomLog::Local(_) => None,
            RoomLog::Shared(shared) => Some(shared_log::spawn_probe(
                shared.clone(),
                self.id.clone(),
                self.frames.clone(),
            )),
        };
        loop {
            tokio::select! {
                // A recovery reloads the room before it decides anything new.
                biased;
                changed = recoveries.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    self.reload().await;
                }
                followed = next_followed(&mut feed) => match followed {
                    Some(commit) => self.take_followed(commit).await,
                    None => feed = None,
                },
                probe = next_probe(&mut probes) => match probe {
                    Some(probe) => {
                        if self.take_probe(probe).await
                            && let RoomLog::Shared(shared) = &self.log
                        {
                            // The follower is stuck (its consumer lost
                            // with a NATS node, say): follow anew.
                            feed = Some(shared.follow(&self.id, self.stream_seq));
                            self.behind_probes = 0;
                        }
                    }
                    None => probes = None,
                },
                // A room of the shared store that could not read the log
                // (NATS unreachable a moment) tries again on its own, so
                // its screens do not wait for the next commit to catch up.
                () = tokio::time::sleep(CATCH_UP_RETRY), if feed.is_some() && !self.caught_up => {
                    self.reload().await;
                }
                msg = rx.recv() => {
                    let Some(msg) = msg else { break };
                    let mut batch = vec![msg];
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(msg) => batch.push(msg),
                            Err(_) => break,
                        }
                    }
                    self.handle(batch).await;
                }
            }
        }
    }

    /// Handles a batch: all its commands commit together, then the reads
    /// are served from the state after them (a subscriber's broadcast
    /// receiver is made then too, so it misses nothing and sees nothing
    /// twice).
    async fn handle(&mut self, batch: Vec<RoomMsg>) {
        if crate::supervise::fault("room", &self.id) {
            panic!("a fault injected by a test");
        }
        let mut commands = Vec::new();
        let mut reads = Vec::new();
        for msg in batch {
            match msg {
                RoomMsg::Command(command) => commands.push(command),
                read => reads.push(read),
            }
        }
        self.commit(commands).await;
        for read in reads {
            self.serve_read(read).await;
        }
    }

    async fn serve_read(&mut self, msg: RoomMsg) {
        match msg {
            RoomMsg::Command(_) => {}
            RoomMsg::Subscribe { resume, reply } => {
                let subscription = self.subscribe(resume).await;
                let _ = reply.send(subscription);
            }
            RoomMsg::Snapshot { reason, reply } => {
                let _ = reply.send((self.snapshot(reason), self.room.seq()));
            }
        }
    }

    async fn subscribe(&mut self, resume: Option<Resume>) -> Result<Subscription, Unconfirmed> {
        // A room of the shared store serves a hello only from a state it
        // knows holds the store's last commit: never behind a client.
        if let RoomLog::Shared(shared) = self.log.clone() {
            let ahead = resume
                .as_ref()
                .is_some_and(|r| r.epoch == self.epoch && r.seq > self.room.seq());
            self.confirm(&shared, ahead).await?;
        }
        let head = self.room.seq();
        if let Some(resume) = &resume {
            // A resume point inside the window but before the events held
            // (`resume.seq < head`, so the sum cannot overflow).
            let oldest = self.recent.front().map_or(head + 1, |(seq, _)| *seq);
            let window_from = head.saturating_sub(RESUME_WINDOW as u64);
            if !self.window_complete
                && resume.epoch == self.epoch
                && resume.seq < head
                && resume.seq >= window_from
                && resume.seq + 1 < oldest
            {
                self.fill_window().await;
            }
        }
        let frames = self.frames.subscribe();
        let initial = match resume {
            None => vec![self.snapshot(SnapshotReason::Initial)],
            Some(resume) if resume.epoch != self.epoch => {
                vec![self.snapshot(SnapshotReason::EpochChanged)]
            }
            Some(resume) if resume.seq > head => vec![self.snapshot(SnapshotReason::Ahead)],
            Some(resume) if resume.seq == head => vec![self.order_text.clone()],
            Some(resume) => {
                let oldest = self.recent.front().map_or(head + 1, |(seq, _)| *seq);
                let missed_bytes: usize = self
                    .recent
                    .iter()
                    .filter(|(seq, _)| *seq > resume.seq)
                    .map(|(_, raw)| raw.len())
                    .sum();
                // Older than the window, or more to replay than a
                // connection may have queued: a snapshot is cheaper.
                if resume.seq + 1 < oldest || missed_bytes as u64 > MAX_QUEUED_BYTES {
                    vec![self.snapshot(SnapshotReason::TooOld)]
                } else {
                    let missed = self.recent.iter().filter(|(seq, _)| *seq > resume.seq);
                    let mut initial = self.events_frames(missed.map(|(_, raw)| raw.as_ref()));
                    initial.push(self.order_text.clone());
                    initial
                }
            }
        };
        Ok(Subscription {
            epoch: self.epoch,
            head,
            initial,
            frames,
            broadcast_bytes: self.broadcast_bytes.subscribe(),
        })
    }

    /// Reads the part of the resume window a start left in the log (the
    /// events between the window's start and the oldest one held); on a
    /// failure the subscriber gets a snapshot instead, as for a resume point
    /// older than the window.
    async fn fill_window(&mut self) {
        let head = self.room.seq();
        let from = head.saturating_sub(RESUME_WINDOW as u64);
        let oldest = self.recent.front().map_or(head + 1, |(seq, _)| *seq);
        // A room of the shared store is loaded with its whole window.
        let RoomLog::Local(writer) = &self.log else {
            self.window_complete = true;
            return;
        };
        match writer.read_events(self.id.clone(), from).await {
            Ok(stored) => {
                let older = stored.into_iter().filter(|(seq, _)| *seq < oldest);
                for (seq, body) in older.rev() {
                    if self.recent.len() == RESUME_WINDOW {
                        break;
                    }
                    self.recent.push_front((seq, Arc::from(served_text(&body))));
                }
            }
            // Not retried: a log that failed this read would fail the next
            // one too, and each would hold up every room's commits behind
            // it. Subscribers from before the events held get a snapshot.
            Err(error) => {
                tracing::warn!(room = %self.id, %error, "the resume window could not be read; subscribers from before it get a snapshot");
            }
        }
        self.window_complete = true;
    }

    fn snapshot(&mut self, reason: SnapshotReason) -> Utf8Bytes {
        if let Some((_, cached)) = self.snapshots.iter().find(|(r, _)| *r == reason) {
            return cached.clone();
        }
        let message = text(&ServerMessage::Snapshot {
            epoch: self.epoch,
            reason,
            room: self.room.view(),
            order: self.room.order_head(),
        });
        self.snapshots.push((reason, message.clone()));
        message
    }

    fn order_message(&self) -> Utf8Bytes {
        text(&ServerMessage::Order {
            epoch: self.epoch,
            seq: self.room.seq(),
            order: self.room.order_head(),
        })
    }

    /// `events` frames holding the given raw events, none over
    /// [`REPLAY_FRAME`] bytes unless one event alone is.
    fn events_frames<'a>(&self, raws: impl Iterator<Item = &'a str>) -> Vec<Utf8Bytes> {
        let head = format!(r#"{{"type":"events","epoch":"{}","events":["#, self.epoch);
        let mut frames = Vec::new();
        let mut current = String::new();
        for raw in raws {
            if !current.is_empty() && current.len() + raw.len() > REPLAY_FRAME {
                current.push_str("]}");
                frames.push(Utf8Bytes::from(std::mem::take(&mut current)));
            }
            if current.is_empty() {
                current.push_str(&head);
            } else {
                current.push(',');
            }
            current.push_str(raw);
        }
        if !current.is_empty() {
            current.push_str("]}");
            frames.push(Utf8Bytes::from(current));
        }
        frames
    }

    fn broadcast(&self, frame: Utf8Bytes, then: Option<Utf8Bytes>) {
        let mut end = 0;
        let len = frame.len() + then.as_ref().map_or(0, |t| t.len());
        self.broadcast_bytes.send_modify(|total| {
            *total += len as u64;
            end = *total;
        });
        let last_seq = self.room.seq();
        // No receivers is fine: nobody is watching.
        let _ = self.frames.send(Frame {
            text: frame,
            then,
            end,
            last_seq,
        });
    }

    /// Hands the writer a checkpoint of the room when [`checkpoint::INTERVAL`]
    /// events were committed since the last one and [`CHECKPOINT_GAP`] has
    /// passed since it. The commands of the batch do not wait for it: it is
    /// a cache of the log, written after them.
    fn checkpoint_if_due(&mut self) {
        let seq = self.room.seq();
        // The shared store keeps no checkpoints (a room is folded from its
        // first commit when a broker first serves it).
        let RoomLog::Local(writer) = &self.log else {
            return;
        };
        if seq < self.checkpointed + checkpoint::INTERVAL {
            return;
        }
        // A checkpoint costs the whole room's size: a room written to
        // thousands of times a second takes one per [`CHECKPOINT_GAP`], not
        // one per `INTERVAL` events; its next start folds the events since
        // its last checkpoint (a room that stops right after a burst keeps
        // them until its next commit).
        let now = std::time::Instant::now();
        if self
            .checkpointed_at
            .is_some_and(|at| now.duration_since(at) < CHECKPOINT_GAP)
        {
            return;
        }
        self.checkpointed_at = Some(now);
        match serde_json::to_string(&self.room.checkpoint()) {
            Ok(body) => {
                writer.checkpoint(self.id.clone(), seq, body);
                self.checkpointed = seq;
            }
            Err(error) => {
                tracing::error!(room = %self.id, %error, "a checkpoint did not serialize")
            }
        }
    }

    /// Records committed events: the resume window, the caches, and the
    /// broadcast of the events and the new order.
    fn publish(&mut self, raws: Vec<(u64, Arc<str>)>) {
        if raws.is_empty() {
            return;
        }
        let mut frames = self.events_frames(raws.iter().map(|(_, raw)| raw.as_ref()));
        let last = frames.pop();
        for frame in frames {
            self.broadcast(frame, None);
        }
        for event in raws {
            if self.recent.len() == RESUME_WINDOW {
                self.recent.pop_front();
                // Full: it holds the whole window.
                self.window_complete = true;
            }
            self.recent.push_back(event);
        }
        self.snapshots.clear();
        if let Some(peak) = self.room.view_ref().attendance_peak {
            self.presence.set_logged(peak);
        }
        self.order_text = self.order_message();
        // The order rides with the last events message: one wake-up and
        // one write per subscriber for a commit.
        match last {
            Some(frame) => self.broadcast(frame, Some(self.order_text.clone())),
            None => self.broadcast(self.order_text.clone(), None),
        }
    }

    async fn commit(&mut self, commands: Vec<CommandMsg>) {
        if commands.is_empty() {
            return;
        }
        let answers = match self.log.clone() {
            RoomLog::Local(writer) => self.commit_local(&writer, &commands).await,
            RoomLog::Shared(shared) => {
                let mut answers = Vec::with_capacity(commands.len());
                for part in commands.chunks(SHARED_COMMIT) {
                    answers.extend(self.commit_shared(&shared, part).await);
                }
                answers
            }
        };
        for (command, answer) in commands.iter().zip(answers) {
            let message = match answer {
                Answer::Ack {
                    request_id,
                    receipt,
                    duplicate,
                } => ServerMessage::Ack {
                    request_id,
                    first_seq: receipt.first_seq,
                    last_seq: receipt.last_seq,
                    entry_id: receipt.entry_id,
                    duplicate,
                },
                Answer::Error(error) => ServerMessage::Error(error),
            };
            // A full reply queue means the connection is not reading: it is
            // told to close ("too slow"), and its client retries by request
            // id, so no answer is silently lost.
            if command.reply.try_send(text(&message)).is_err() {
                command.overflow.cancel();
            }
        }
    }

    /// Takes the room back to its state before a batch.
    fn go_back(&mut self, before: Savepoint) {
        // Taken on this room before the batch, and nothing else goes back
        // in between: the savepoint is open.
        if let Err(error) = self.room.rollback(before) {
            tracing::error!(room = %self.id, %error, "the room could not go back before its batch");
        }
    }

    /// Decides and applies every command of a batch on the live room.
    fn decide_batch(&mut self, commands: &[CommandMsg]) -> Decided {
        let before = self.room.savepoint();
        let mut answers = Vec::with_capacity(commands.len());
        let mut raws: Vec<(u64, Arc<str>)> = Vec::new();
        let mut requests = Vec::new();
        let mut declared = Declarations::new();
        let mut first_change = None;
        for (i, command) in commands.iter().enumerate() {
            let decided_before = raws.len();
            answers.push(self.decide(command, &mut raws, &mut requests, &mut declared));
            if first_change.is_none() && raws.len() > decided_before {
                first_change = Some(i);
            }
        }
        Decided {
            before,
            answers,
            raws,
            requests,
            declared,
            first_change,
        }
    }

    /// Commits a batch to the embedded log through the writer.
    async fn commit_local(&mut self, writer: &Writer, commands: &[CommandMsg]) -> Vec<Answer> {
        let Decided {
            before,
            mut answers,
            mut raws,
            requests,
            declared,
            first_change,
        } = self.decide_batch(commands);
        let mut refused_by_log = false;
        if !raws.is_empty() {
            let append = Append {
                room: self.id.clone(),
                events: raws
                    .iter()
                    .map(|(seq, raw)| (*seq, raw.to_string()))
                    .collect(),
                requests,
                declarations: declared.to_pairs(),
            };
            if let Err(error) = writer.append(append).await {
                tracing::error!(room = %self.id, %error, "commit failed; the batch is refused");
                self.go_back(before);
                refused_by_log = matches!(error, WriteError::Refused(_));
                // Every answer decided on the discarded state is void, the
                // refusals too: retried, they are decided afresh.
                let void = answers
                    .iter_mut()
                    .zip(commands)
                    .skip(first_change.unwrap_or(0));
                for (answer, command) in void {
                    *answer = unavailable(command);
                }
                raws.clear();
            }
        }
        self.publish(raws);
        self.checkpoint_if_due();
        if refused_by_log {
            // The log holds more than this room knew (a commit reported as
            // failed had reached the disk): catch up from it.
            self.reload().await;
        }
        answers
    }

    /// Decides and applies one command on the live room (the batch is
    /// rolled back if its commit fails).
    fn decide(
        &mut self,
        command: &CommandMsg,
        raws: &mut Vec<(u64, Arc<str>)>,
        requests: &mut Vec<RequestRecord>,
        declared: &mut Declarations,
    ) -> Answer {
        let request_id = command.request_id.clone();
        let refuse = |code: ErrorCode, message: String| {
            Answer::Error(ErrorMessage {
                request_id: Some(command.request_id.clone()),
                code,
                message,
                field: None,
                entry_id: None,
            })
        };
        // A room of the shared store decides, and its append waits a
        // moment for a lost NATS connection to come back.
        if matches!(self.log, RoomLog::Local(_)) && !self.health.available() {
            return refuse(
                ErrorCode::StorageUnavailable,
                "the broker cannot persist writes right now; retry with the same request id".into(),
            );
        }
        self.last_at = self.last_at.max(now_ms());
        let ctx = floor_core::Ctx {
            now_ms: self.last_at,
            new_id: Uuid::new_v4(),
        };
        match self
            .room
            .decide(&command.actor, &command.request_id, &command.command, &ctx)
        {
            Ok(Decision::Duplicate(receipt)) => Answer::Ack {
                request_id,
                receipt,
                duplicate: true,
            },
            Ok(Decision::Events {
                events,
                declared: declaration,
            }) => {
                for event in &events {
                    let raw = match serde_json::to_string(event) {
                        Ok(raw) => raw,
                        Err(error) => return refuse(ErrorCode::Internal, error.to_string()),
                    };
                    if let Err(error) = self.room.apply(event) {
                        return refuse(ErrorCode::Internal, error.to_string());
                    }
                    raws.push((event.seq, Arc::from(raw)));
                }
                let Some(receipt) = self
                    .room
                    .receipt(&command.actor.client, &command.request_id)
                else {
                    return refuse(ErrorCode::Internal, "a command left no receipt".into());
                };
                requests.push(RequestRecord {
                    client: command.actor.client.to_string(),
                    request_id: command.request_id.clone(),
                    first_seq: receipt.first_seq,
                    last_seq: receipt.last_seq,
                });
                if let Some(gender) = declaration {
                    declared.add(gender, 1);
                }
                Answer::Ack {
                    request_id,
                    receipt,
                    duplicate: false,
                }
            }
            Err(error) => Answer::Error(ErrorMessage {
                request_id: Some(request_id),
                code: error.code(),
                message: error.to_string(),
                field: error.field().map(str::to_owned),
                entry_id: error.entry_id(),
            }),
        }
    }

    /// After the store recovers: applies and broadcasts whatever the log
    /// holds beyond this room's state (a commit reported as failed may
    /// have reached the disk after all).
    async fn reload(&mut self) {
        let writer = match self.log.clone() {
            RoomLog::Local(writer) => writer,
            RoomLog::Shared(shared) => {
                // Back in touch with NATS: whatever other brokers appended
                // meanwhile comes first.
                if let Err(error) = self.catch_up(&shared).await {
                    log_read_error(
                        &self.id,
                        &error,
                        "cannot read the shared log after reconnecting",
                    );
                    self.caught_up = false;
                }
                return;
            }
        };
        let stored = match writer.read_events(self.id.clone(), self.room.seq()).await {
            Ok(stored) => stored,
            Err(error) => {
                tracing::error!(room = %self.id, %error, "could not reload the room after recovery");
                return;
            }
        };
        let mut raws = Vec::new();
        for (seq, body) in stored {
            let applied = serde_json::from_str::<RoomEvent>(&body)
                .map_err(|e| e.to_string())
                .and_then(|event| self.room.apply(&event).map_err(|e| e.to_string()));
            if let Err(error) = applied {
                tracing::error!(room = %self.id, seq, %error, "stored event does not apply");
                break;
            }
            raws.push((seq, Arc::from(served_text(&body))));
        }
        if !raws.is_empty() {
            tracing::warn!(room = %self.id, events = raws.len(), "events committed during the failure are now published");
        }
        self.publish(raws);
    }
}
