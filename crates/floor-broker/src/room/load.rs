//! Rebuilding a room from the embedded store: from its checkpoint and the
//! events after it (the shared store's load is in `shared_load.rs`), and
//! folding a shared commit into a room.

use std::collections::VecDeque;
use std::sync::Arc;

use floor_core::Room;
use floor_core::checkpoint::Checkpoint;
use floor_core::declarations::{DeclarationsError, redacted, served_text};
use floor_store::CheckpointRead;

use super::replay::{ReplayError, apply_stored, replay};
use crate::limits::RESUME_WINDOW;
use crate::shared::SharedError;

/// A room's state as rebuilt from its log.
#[derive(Debug)]
pub struct Loaded {
    /// The room.
    pub room: Room,
    /// The newest events, as stored, for resuming subscribers: those read
    /// to rebuild the room (the events after its checkpoint), at most the
    /// resume window.
    pub recent: VecDeque<(u64, Arc<str>)>,
    /// Whether `recent` holds the whole resume window; if not, the rest is
    /// read from the log when a subscriber first needs it.
    pub window_complete: bool,
    /// The seq of the room's stored checkpoint (0: none).
    pub checkpointed: u64,
    /// The shared store's stream sequence of the room's last commit (0:
    /// none, or the embedded store).
    pub stream_seq: u64,
}

/// Why a room could not be rebuilt from its log.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A stored event does not decode, follow the room or apply to it.
    #[error("room {room}: {source}")]
    Replay {
        /// The room.
        room: String,
        /// Why.
        source: ReplayError,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] floor_store::StoreError),
    /// The shared store failed.
    #[error("room {room}: {source}")]
    Shared {
        /// The room.
        room: String,
        /// Why.
        source: SharedError,
    },
    /// The genders declared beside the log do not read.
    #[error("the declarations of {room} are unreadable: {source}")]
    Declarations {
        /// The room.
        room: String,
        /// Why.
        source: DeclarationsError,
    },
    /// The reader's thread ended before it answered.
    #[error("the store's reader stopped: {0}")]
    Reader(#[from] tokio::task::JoinError),
    /// A failure a test asked for (`FLOOR_TEST_FAULTS`).
    #[error("a failure injected by a test")]
    Injected,
}

/// The room a stored checkpoint holds, if there is one that matches the
/// log and this build; otherwise an empty room (with a warning when a
/// checkpoint was there), to fold from the first event.
fn from_checkpoint(store: &floor_store::Store, room_id: &str) -> Result<Room, LoadError> {
    let read = store.read_checkpoint(room_id, |body| {
        serde_json::from_str::<Checkpoint>(body).map_err(|e| e.to_string())
    })?;
    let (seq, decoded) = match read {
        CheckpointRead::None => return Ok(Room::new()),
        CheckpointRead::Unmatched { seq, reason } => {
            tracing::warn!(
                room = room_id,
                seq,
                reason,
                "checkpoint ignored; the whole log is folded"
            );
            return Ok(Room::new());
        }
        CheckpointRead::Found { seq, body } => (seq, body),
    };
    let taken = decoded
        .and_then(|c| Room::from_checkpoint(c).map_err(|e| e.to_string()))
        .and_then(|room| {
            if room.seq() == seq {
                Ok(room)
            } else {
                Err(format!("it holds seq {}", room.seq()))
            }
        });
    match taken {
        Ok(room) => Ok(room),
        Err(reason) => {
            tracing::warn!(room = room_id, seq, %reason, "checkpoint ignored; the whole log is folded");
            Ok(Room::new())
        }
    }
}

/// Rebuilds a room from the store: from its checkpoint when one matches,
/// folding the events after it, and keeping them for resuming subscribers
/// (the rest of the resume window is read when a subscriber first needs
/// it). The events read are checked against the room's hash chain from the
/// stored chain value of the checkpoint's event, which also proves the
/// checkpoint's tie to the log; the chain before it is checked beside
/// serving ([`floor_store::check_chains`]). Without a checkpoint the whole
/// log is read and checked here.
pub fn load(store: &floor_store::Store, room_id: &str) -> Result<Loaded, LoadError> {
    let mut room = from_checkpoint(store, room_id)?;
    let checkpointed = room.seq();
    let head = store.head(room_id)?;
    let window_from = head.saturating_sub(RESUME_WINDOW as u64);
    let mut recent = VecDeque::with_capacity(RESUME_WINDOW.min(1024));
    let mut failure = None;
    store.for_each_event(room_id, checkpointed, |seq, body| {
        if failure.is_some() {
            return;
        }
        match apply_stored(&mut room, body) {
            Ok(Some(_)) => {}
            Ok(None) => return,
            Err(source) => {
                failure = Some(LoadError::Replay {
                    room: room_id.to_owned(),
                    source,
                });
                return;
            }
        }
        if seq > window_from {
            if recent.len() == RESUME_WINDOW {
                recent.pop_front();
            }
            recent.push_back((seq, Arc::from(served_text(body))));
        }
    })?;
    match failure {
        Some(e) => Err(e),
        None => Ok(Loaded {
            room,
            recent,
            window_complete: checkpointed <= window_from,
            checkpointed,
            stream_seq: 0,
        }),
    }
}

/// What folding a stored commit into a room did.
pub(super) struct Folded {
    /// The events applied (those the room did not hold yet), as stored.
    pub(super) applied: Vec<(u64, Arc<str>)>,
    /// The latest broker time among them (0: none).
    pub(super) last_at: u64,
    /// Why it stopped before the commit's end: an event that does not
    /// decode, follow the room or apply.
    pub(super) failure: Option<ReplayError>,
}

/// Applies to `room`, in order, the events of a commit of the shared store
/// that it does not hold yet.
pub(super) fn fold_commit(room: &mut Room, events: Vec<Arc<str>>) -> Folded {
    let mut applied = Vec::new();
    let mut last_at = 0;
    let failure = replay(room, events, |event, raw| {
        last_at = last_at.max(event.at_ms);
        let served = match redacted(&event).map(|e| serde_json::to_string(&e)) {
            Some(Ok(text)) => Arc::from(text),
            _ => raw,
        };
        applied.push((event.seq, served));
    })
    .err();
    Folded {
        applied,
        last_at,
        failure,
    }
}
