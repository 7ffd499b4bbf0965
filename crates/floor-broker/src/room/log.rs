//! Where a room's events are stored: [`RoomLog`], the embedded SQLite log
//! through the writer thread, or NATS JetStream shared with other brokers.
//!
//! What both stores offer a room is a method here, so a caller asks the
//! log rather than branching on the store: its health, a room rebuilt from
//! it, the events after a seq, the commits of other brokers, checkpoints,
//! a room's whole log for the report, a new room's record, and the stop.
//! What only the shared store does (committing by expected sequence and
//! catching up, probes, presence, the tokens of other brokers) goes
//! through [`RoomLog::shared`]; the two commit paths are chosen in
//! `commit.rs`.

use std::sync::Arc;

use floor_core::Room;
use floor_core::declarations::Declarations;
use floor_protocol::RoomEvent;
use floor_store::{RoomRecord, TokenHash as StoredToken};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{LoadError, Loaded, load, load_shared, replay};
use crate::auth::RoleTokens;
use crate::commit::{Health, WriteError, Writer};
use crate::shared::{Anchor, RoomValue, Shared, StoredCommit};

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

    /// The shared store, when the log is there.
    pub fn shared(&self) -> Option<&Arc<Shared>> {
        match self {
            RoomLog::Local(_) => None,
            RoomLog::Shared(shared) => Some(shared),
        }
    }

    /// Whether a command is refused at once now, the store being
    /// unavailable: the embedded store's are. A room of the shared store
    /// decides, and its append waits a moment for a lost NATS connection to
    /// come back.
    pub fn refuses_now(&self) -> bool {
        matches!(self, RoomLog::Local(_)) && !self.health().available()
    }

    /// Rebuilds a room from the log, as a start does (with a reader of its
    /// own, never creating a store).
    pub async fn load(&self, id: &str) -> Result<Loaded, LoadError> {
        match self {
            RoomLog::Local(writer) => {
                let id = id.to_owned();
                with_reader(writer, move |store| load(store, &id)).await
            }
            RoomLog::Shared(shared) => load_shared(shared, id).await,
        }
    }

    /// The commits appended to a room after the stream sequence `after`,
    /// as they come (other brokers' too); none with the embedded store,
    /// whose only writer is this broker.
    pub fn follow(&self, id: &str, after: u64) -> Option<mpsc::Receiver<StoredCommit>> {
        self.shared().map(|shared| shared.follow(id, after))
    }

    /// A room's stored events after seq `after`, through the writer; none
    /// with the shared store, whose rooms are loaded with their whole
    /// resume window and catch up by commit.
    pub async fn read_after(
        &self,
        id: String,
        after: u64,
    ) -> Option<Result<Vec<(u64, String)>, WriteError>> {
        match self {
            RoomLog::Local(writer) => Some(writer.read_events(id, after).await),
            RoomLog::Shared(_) => None,
        }
    }

    /// Hands the store a checkpoint of `room` at its seq (not awaited):
    /// the embedded store's writer takes its text; the shared store writes
    /// it in a task of its own, tied to `stream_seq`, the commit holding
    /// its last event.
    pub fn checkpoint(&self, id: String, room: &Room, stream_seq: u64) {
        match self {
            RoomLog::Local(writer) => match serde_json::to_string(&room.checkpoint()) {
                Ok(body) => writer.checkpoint(id, room.seq(), body),
                Err(error) => {
                    tracing::error!(room = %id, %error, "a checkpoint did not serialize")
                }
            },
            RoomLog::Shared(shared) => {
                let at = Anchor {
                    seq: room.seq(),
                    stream_seq,
                };
                shared.spawn_checkpoint(id, at, room.clone());
            }
        }
    }

    /// A room's whole log, decoded, and the genders declared beside it
    /// (for the session report): from the embedded store with a reader of
    /// its own (WAL lets it read while the writer writes), or every commit
    /// of the room's subject, each commit's declarations counted with its
    /// events.
    pub async fn read_log(&self, id: &str) -> Result<(Vec<RoomEvent>, Declarations), LoadError> {
        match self {
            RoomLog::Shared(shared) => {
                let commits =
                    shared
                        .read_all_after(id, 0)
                        .await
                        .map_err(|source| LoadError::Shared {
                            room: id.to_owned(),
                            source,
                        })?;
                let mut events = Vec::new();
                let mut declared = Declarations::new();
                for commit in commits {
                    let mut new = false;
                    replay(&mut events, commit.events, |_, _| new = true).map_err(|source| {
                        LoadError::Replay {
                            room: id.to_owned(),
                            source,
                        }
                    })?;
                    if new {
                        declared.merge(&commit.declared);
                    }
                }
                Ok((events, declared))
            }
            RoomLog::Local(writer) => {
                let id = id.to_owned();
                with_reader(writer, move |store| crate::read_log(store, &id)).await
            }
        }
    }

    /// A `meta` value and its revision (always 0 in the embedded store,
    /// whose one broker writes it under a lock of its own).
    pub async fn meta_entry(&self, key: &str) -> Result<Option<(String, u64)>, WriteError> {
        match self {
            RoomLog::Shared(shared) => shared
                .meta_entry(key)
                .await
                .map_err(|e| WriteError::Failed(e.to_string())),
            RoomLog::Local(writer) => {
                let key = key.to_owned();
                let read = with_reader(writer, move |store| Ok(store.meta(&key)?)).await;
                read.map(|value| value.map(|v| (v, 0)))
                    .map_err(|e| WriteError::Failed(e.to_string()))
            }
        }
    }

    /// Writes a `meta` value; with the shared store only if it is still
    /// at `revision` (`None`: only if it is not set), else `Refused`.
    pub async fn put_meta_at(
        &self,
        key: &str,
        value: &str,
        revision: Option<u64>,
    ) -> Result<(), WriteError> {
        match self {
            RoomLog::Shared(shared) => shared.put_meta_at(key, value, revision).await.map(|_| ()),
            RoomLog::Local(writer) => writer.set_meta(key.to_owned(), value.to_owned()).await,
        }
    }

    /// Changes a room's title in the store.
    pub async fn set_title(&self, id: &str, title: &str) -> Result<(), WriteError> {
        match self {
            RoomLog::Shared(shared) => shared.set_room_title(id, title).await,
            RoomLog::Local(writer) => writer.set_title(id.to_owned(), title.to_owned()).await,
        }
    }

    /// Records a new room (title, epoch, token hashes, and the participant
    /// token itself); refused when one with this id exists.
    pub async fn create_room(
        &self,
        id: &str,
        title: &str,
        epoch: Uuid,
        tokens: &RoleTokens,
        rows: Vec<StoredToken>,
    ) -> Result<(), WriteError> {
        match self {
            RoomLog::Local(writer) => {
                let record = RoomRecord {
                    id: id.to_owned(),
                    title: title.to_owned(),
                    epoch: epoch.to_string(),
                    created_at_ms: super::now_ms(),
                };
                writer.create_room(record, rows).await
            }
            RoomLog::Shared(shared) => {
                let mut value = RoomValue {
                    title: title.to_owned(),
                    epoch,
                    created_at_ms: super::now_ms(),
                    tokens: Default::default(),
                };
                value.set_tokens(tokens);
                shared.create_room(id, &value).await
            }
        }
    }

    /// At the broker's stop, once the rooms are done: commits what the
    /// writer holds and stops it, or sends what was published to NATS.
    pub async fn stop(&self) {
        match self {
            RoomLog::Local(writer) => {
                if let Err(error) = writer.stop().await {
                    tracing::warn!(%error, "writer did not stop cleanly");
                }
            }
            RoomLog::Shared(shared) => shared.flush().await,
        }
    }
}

/// Runs `read` on a reader of the embedded store of its own, off the
/// runtime's threads (WAL lets it read while the writer writes).
async fn with_reader<T: Send + 'static>(
    writer: &Writer,
    read: impl FnOnce(&floor_store::Store) -> Result<T, LoadError> + Send + 'static,
) -> Result<T, LoadError> {
    let path = writer.path().to_owned();
    tokio::task::spawn_blocking(move || read(&floor_store::Store::open_existing(&path)?)).await?
}
