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
//!
//! # Layout
//! - `handle.rs`: the room's handle, the messages its task takes, what a
//!   subscriber gets, and [`spawn`].
//! - `actor.rs`: the task's loop and its restart after a panic.
//! - `log.rs`: [`RoomLog`], the store behind a room: what both stores
//!   offer, as one type's methods.
//! - `load.rs`: rebuilding a room from its log.
//! - `replay.rs`: the one fold of stored events (decode, check the seq
//!   follows, apply) that every reader of a log uses.
//! - `commit.rs`: deciding a batch and committing it to the embedded log;
//!   checkpoints; the reload after the store recovers.
//! - `shared_log.rs`: the shared store's commit, catch-up and freshness.
//! - `fanout.rs`: broadcasting commits, snapshots, and subscribing and
//!   resuming.
//! - `unload.rs`: an idle room's state dropped, and loaded again by its
//!   next message.

use std::collections::VecDeque;
use std::sync::Arc;

use floor_core::Room;
use floor_core::audience::Audience;
use floor_protocol::message::{ErrorMessage, SnapshotReason};
use floor_protocol::{ErrorCode, ProjectedSlot, ServerMessage};
use tokio::sync::{broadcast, watch};
use tokio_tungstenite::tungstenite::Utf8Bytes;
use uuid::Uuid;

use crate::shared::SharedError;

mod actor;
mod commit;
mod fanout;
mod handle;
mod load;
mod log;
mod replay;
mod shared_load;
mod shared_log;
mod unload;

pub(crate) use commit::answer_unavailable;
pub use handle::{
    CommandMsg, Frame, Lead, Reply, RoomHandle, RoomMsg, Subscription, now_ms, spawn,
};
use load::fold_commit;
pub use load::{LoadError, Loaded, load};
pub use log::RoomLog;
pub use replay::{Fold, ReplayError, apply_stored, replay};
pub use shared_load::load_shared;

pub use shared_log::{CONFIRM_WAIT, FRESH_FOR, PROBE_EVERY, Unconfirmed};
pub(crate) use unload::Ended;
pub use unload::Unloading;

/// Largest `events` frame the room builds when replaying, in bytes.
const REPLAY_FRAME: usize = 32 * 1024;
/// Most queued messages a room takes into one batch.
const MAX_BATCH: usize = 256;
/// Most bytes of events in one commit to the shared store (one JetStream
/// message) with more than one command: a room's batch whose events would
/// be more is cut in two, and again, so a message stays well under the
/// server's 1 MiB payload limit (one command's events are far less).
pub const SHARED_COMMIT_BYTES: usize = 256 * 1024;
/// Most times a room decides a commit again because another broker
/// appended first, before it answers `storage_unavailable` (the clients
/// retry).
const SHARED_ROUNDS: usize = 16;
/// How soon a room of the shared store that failed to catch up tries
/// again.
const CATCH_UP_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

/// What a room's task is made of besides its state: enough to start it
/// again from the log after a panic (see `supervise.rs`).
pub(crate) struct Restart {
    id: String,
    epoch: Uuid,
    log: RoomLog,
    presence: Arc<crate::attendance::Presence>,
    live: Arc<crate::conference::live::RoomLive>,
    unloading: Unloading,
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
    /// [`RESUME_WINDOW`](crate::limits::RESUME_WINDOW)).
    recent: VecDeque<(u64, Arc<str>)>,
    /// Whether `recent` holds every event of the resume window the room
    /// has (after a start it may hold only those after the checkpoint).
    window_complete: bool,
    /// The broadcast to the room's subscribers, made by the first one
    /// and dropped when the last one leaves: its ring of
    /// [`BROADCAST_CAPACITY`](crate::limits::BROADCAST_CAPACITY) slots is
    /// allocated whole when made (some 450 KB), which a room nobody
    /// watches does not need.
    frames: Option<broadcast::Sender<Frame>>,
    /// Bytes broadcast so far; every subscriber holds a receiver of it
    /// for as long as it is connected, so its receivers are the room's
    /// connections.
    broadcast_bytes: watch::Sender<u64>,
    /// The `order` message for the current seq, every slot written out.
    order_text: Utf8Bytes,
    /// The order at the current seq, which the next commit's compact
    /// `order` refers to.
    order_slots: Vec<ProjectedSlot>,
    /// Snapshot messages for the current seq, by reason and audience.
    snapshots: Vec<((SnapshotReason, Audience), Utf8Bytes)>,
    /// The seq of the last checkpoint handed to the writer.
    checkpointed: u64,
    /// When it was handed over (none yet since the start).
    checkpointed_at: Option<std::time::Instant>,
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
    /// Its part of the venue dashboard's feed, told its state after every
    /// commit applied.
    live: Arc<crate::conference::live::RoomLive>,
    /// When the room unloads, and the count of rooms loaded.
    unloading: Unloading,
    /// When the room last took a message.
    last_used: std::time::Instant,
    /// Messages taken while the room was unloaded, served first.
    pending: Vec<RoomMsg>,
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
