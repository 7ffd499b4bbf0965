//! Rooms' checkpoints in the shared store: one object per room in the
//! object store [`CHECKPOINTS_BUCKET`], so a broker's first load of a room
//! folds only the commits after it.
//!
//! An object is a line of JSON, its [`CheckpointHead`], then the
//! checkpoint itself, the text the embedded store keeps too (a
//! [`floor_core::checkpoint::Checkpoint`] as JSON). The head ties it to
//! the log: the commit whose last event is the checkpoint's seq, by its
//! stream sequence and a digest of its events. A load takes the checkpoint
//! only when that commit is in the stream as the head says, and folds the
//! commits after it; the object store's own SHA-256 digest of the whole
//! object (checked as it is read) tells a damaged one apart. A checkpoint
//! is a cache of the log, written after the commits it holds and never
//! awaited by a command.
//!
//! The head also names a few earlier commits (`window`): a load reads from
//! the newest one at least a resume window before the checkpoint, so the
//! room it makes holds its whole resume window, as a room folded from its
//! first commit does.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_nats::jetstream::object_store::{self, ObjectMetadata};
use floor_core::Room;
use floor_core::checkpoint::INTERVAL;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use super::{REQUEST_TIMEOUT, Shared, SharedError, StoredCommit, js_error, subject};
use crate::limits::RESUME_WINDOW;

/// The object store bucket of rooms' checkpoints (one object per room,
/// named by its id).
pub const CHECKPOINTS_BUCKET: &str = "floor-checkpoints";
/// The object's metadata key holding its checkpoint's seq (a hint, read to
/// skip writing one older than the one stored).
const SEQ_KEY: &str = "seq";
/// Earlier commits a head names at most.
const MAX_WINDOW: usize = 16;
/// The largest chunk of a checkpoint object: one message each, so fewer,
/// larger chunks read faster; kept under the server's message limit.
const MAX_CHUNK: usize = 4 * 1024 * 1024;
/// Room left in a chunk's message for its headers.
const CHUNK_MARGIN: usize = 8 * 1024;

/// A commit of a room's log: the seq of its last event and its stream
/// sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// The seq of the commit's last event.
    pub seq: u64,
    /// The commit's stream sequence.
    pub stream_seq: u64,
}

impl Anchor {
    /// The start of every room's log: reading after it reads everything.
    pub const START: Anchor = Anchor {
        seq: 0,
        stream_seq: 0,
    };
}

/// What ties a stored checkpoint to the log: the first line of its object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointHead {
    /// The room.
    pub room: String,
    /// The commit whose last event is the checkpoint's seq.
    pub at: Anchor,
    /// [`commit_digest`] of that commit's events.
    pub commit: String,
    /// Earlier commits of the room, oldest first: a load reads the resume
    /// window from one of them (hints, checked as they are read).
    #[serde(default)]
    pub window: Vec<Anchor>,
}

/// A checkpoint as read from the store, not yet checked against the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// What ties it to the log.
    pub head: CheckpointHead,
    /// The object as stored: the head's line, then the checkpoint's text.
    object: Vec<u8>,
    /// Where the checkpoint's text starts in `object`.
    body_at: usize,
}

impl StoredCheckpoint {
    /// The checkpoint's text (JSON, not yet checked to be UTF-8: the JSON
    /// decoder checks it as it reads).
    pub fn body(&self) -> &[u8] {
        &self.object[self.body_at..]
    }
}

/// What reading a room's checkpoint found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointRead {
    /// No checkpoint of the room.
    None,
    /// One that cannot be taken: damaged, or not a checkpoint of this room.
    Refused(String),
    /// One to check against the log.
    Found(StoredCheckpoint),
}

/// The digest that ties a checkpoint to the commit holding its last event:
/// SHA-256 of the commit's events, each followed by a line break, hex.
pub fn commit_digest(events: &[Arc<str>]) -> String {
    let mut hash = Sha256::new();
    for event in events {
        hash.update(event.as_bytes());
        hash.update(b"\n");
    }
    hex::encode(hash.finalize())
}

/// The seq of a stored event's text, without decoding the rest of it.
pub fn event_seq(text: &str) -> Option<u64> {
    #[derive(Deserialize)]
    struct Seq {
        seq: u64,
    }
    serde_json::from_str::<Seq>(text).ok().map(|s| s.seq)
}

/// The checkpoints' object store.
pub(super) struct Bucket(pub(super) object_store::ObjectStore);

impl std::fmt::Debug for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(CHECKPOINTS_BUCKET)
    }
}

/// Each room's known commits, for the window of the checkpoints this broker
/// writes (those the load of the room met, then each checkpoint's own),
/// and the rooms whose checkpoint is being written.
#[derive(Debug, Default)]
pub(super) struct Anchors(Mutex<AnchorsInner>);

#[derive(Debug, Default)]
struct AnchorsInner {
    known: HashMap<String, Vec<Anchor>>,
    writing: HashSet<String>,
}

impl Anchors {
    fn with<T>(&self, room: &str, f: impl FnOnce(&mut Vec<Anchor>) -> T) -> T {
        let mut inner = self.0.lock().unwrap_or_else(|e| e.into_inner());
        f(inner.known.entry(room.to_owned()).or_default())
    }

    /// Marks `room`'s checkpoint as being written; false if it already is.
    fn start_writing(&self, room: &str) -> bool {
        let mut inner = self.0.lock().unwrap_or_else(|e| e.into_inner());
        inner.writing.insert(room.to_owned())
    }

    fn done_writing(&self, room: &str) {
        let mut inner = self.0.lock().unwrap_or_else(|e| e.into_inner());
        inner.writing.remove(room);
    }
}

/// The anchors a checkpoint at `seq` names: those before it within a
/// resume window, and the newest one a whole window before it.
fn window_for(anchors: &[Anchor], seq: u64) -> Vec<Anchor> {
    let before: Vec<Anchor> = anchors.iter().copied().filter(|a| a.seq < seq).collect();
    let edge = seq.saturating_sub(RESUME_WINDOW as u64);
    let first = before.iter().rposition(|a| a.seq <= edge).unwrap_or(0);
    let kept = &before[first..];
    kept[kept.len().saturating_sub(MAX_WINDOW)..].to_vec()
}

impl Shared {
    /// Writes a checkpoint of `room`, whose last event is the last of the
    /// commit `at`, in a task of its own (serialized off the runtime's
    /// threads): nobody waits for it, a failure is logged and the room's
    /// next checkpoint replaces it. A room whose previous checkpoint is
    /// still being written skips this one.
    pub fn spawn_checkpoint(self: &Arc<Self>, id: String, at: Anchor, room: Room) {
        if !self.anchors.start_writing(&id) {
            return;
        }
        let shared = self.clone();
        tokio::spawn(async move {
            let body =
                tokio::task::spawn_blocking(move || serde_json::to_string(&room.checkpoint()))
                    .await;
            let written = match body {
                Ok(Ok(body)) => shared
                    .put_checkpoint(&id, at, &body)
                    .await
                    .map_err(|e| e.to_string()),
                Ok(Err(error)) => Err(error.to_string()),
                Err(error) => Err(error.to_string()),
            };
            match written {
                Ok(true) => tracing::debug!(room = %id, seq = at.seq, "checkpoint stored"),
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(room = %id, seq = at.seq, %error, "a checkpoint was not stored")
                }
            }
            shared.anchors.done_writing(&id);
        });
    }

    /// Notes a commit of `room` (its last event's seq, its stream
    /// sequence) as a place a later checkpoint's load may read the resume
    /// window from: kept when it is [`INTERVAL`] events past the last one
    /// noted.
    pub fn note_anchor(&self, room: &str, anchor: Anchor) {
        self.anchors.with(room, |anchors| {
            if anchors
                .last()
                .is_none_or(|last| anchor.seq >= last.seq + INTERVAL)
            {
                anchors.push(anchor);
                let extra = anchors.len().saturating_sub(MAX_WINDOW * 2);
                anchors.drain(..extra);
            }
        });
    }

    /// Stores `body`, the checkpoint of `room` whose last event is the last
    /// of the commit `at`, unless the stored one is as recent. The commit
    /// is read back first: a checkpoint is only written tied to a commit
    /// the stream holds, ending at its seq. Returns whether it was written.
    pub async fn put_checkpoint(
        &self,
        room: &str,
        at: Anchor,
        body: &str,
    ) -> Result<bool, SharedError> {
        let message = self
            .stream
            .get_raw_message(at.stream_seq)
            .await
            .map_err(js_error)?;
        let unfit = |message: &str| SharedError::Unfit {
            key: format!("the checkpoint of {room} at {}", at.seq),
            message: message.to_owned(),
        };
        if message.subject.as_str() != subject(room) {
            return Err(unfit("its commit is another room's"));
        }
        let commit =
            StoredCommit::parse(message.sequence, Some(&message.headers), &message.payload)?;
        if commit.events.last().and_then(|e| event_seq(e)) != Some(at.seq) {
            return Err(unfit("its commit does not end at its seq"));
        }
        match self.checkpoints.0.info(room).await {
            Ok(info) => {
                let stored = info
                    .metadata
                    .get(SEQ_KEY)
                    .and_then(|s| s.parse::<u64>().ok());
                if stored.is_some_and(|stored| stored >= at.seq) {
                    return Ok(false);
                }
            }
            Err(error) if error.kind() == object_store::InfoErrorKind::NotFound => {}
            Err(error) => return Err(js_error(error)),
        }
        let head = CheckpointHead {
            room: room.to_owned(),
            at,
            commit: commit_digest(&commit.events),
            window: self
                .anchors
                .with(room, |anchors| window_for(anchors, at.seq)),
        };
        let head = serde_json::to_string(&head).map_err(|e| unfit(&e.to_string()))?;
        let mut object = Vec::with_capacity(head.len() + 1 + body.len());
        object.extend_from_slice(head.as_bytes());
        object.push(b'\n');
        object.extend_from_slice(body.as_bytes());
        let max_payload = self.client.server_info().max_payload;
        let meta = ObjectMetadata {
            name: room.to_owned(),
            metadata: HashMap::from([(SEQ_KEY.to_owned(), at.seq.to_string())]),
            chunk_size: Some(
                max_payload
                    .saturating_sub(CHUNK_MARGIN)
                    .clamp(64 * 1024, MAX_CHUNK),
            ),
            ..Default::default()
        };
        self.checkpoints
            .0
            .put(meta, &mut object.as_slice())
            .await
            .map_err(js_error)?;
        self.note_anchor(room, at);
        Ok(true)
    }

    /// The stored checkpoint of `room`, read whole and checked against the
    /// object store's digest of it; not yet checked against the log.
    pub async fn read_checkpoint(&self, room: &str) -> Result<CheckpointRead, SharedError> {
        let read = async {
            let mut object = match self.checkpoints.0.get(room).await {
                Ok(object) => object,
                Err(error) if error.kind() == object_store::GetErrorKind::NotFound => {
                    return Ok(CheckpointRead::None);
                }
                Err(error) => return Err(js_error(error)),
            };
            // The reader checks the digest only when the object has one.
            if object.info().digest.is_none() {
                return Ok(CheckpointRead::Refused("it has no digest".into()));
            }
            // Read into the buffer read by read (`read_to_end` asserts
            // that a read failing on a wrong digest filled nothing).
            let mut bytes = Vec::with_capacity(object.info().size + 1);
            loop {
                if bytes.capacity() == bytes.len() {
                    bytes.reserve(64 * 1024);
                }
                match object.read_buf(&mut bytes).await {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(error) if error.kind() == std::io::ErrorKind::InvalidData => {
                        return Ok(CheckpointRead::Refused(format!("damaged: {error}")));
                    }
                    Err(error) => return Err(js_error(error)),
                }
            }
            Ok(parse(room, bytes))
        };
        tokio::time::timeout(REQUEST_TIMEOUT, read)
            .await
            .map_err(|_| SharedError::JetStream("reading a checkpoint timed out".into()))?
    }

    /// Replaces the commits noted for `room`'s checkpoints (a load's).
    pub fn set_anchors(&self, room: &str, known: Vec<Anchor>) {
        self.anchors.with(room, |anchors| *anchors = known);
    }
}

/// A checkpoint object's head and body.
fn parse(room: &str, object: Vec<u8>) -> CheckpointRead {
    let Some(end) = object.iter().position(|b| *b == b'\n') else {
        return CheckpointRead::Refused("it has no head".into());
    };
    let head: CheckpointHead = match serde_json::from_slice(&object[..end]) {
        Ok(head) => head,
        Err(error) => return CheckpointRead::Refused(format!("its head does not decode: {error}")),
    };
    if head.room != room {
        return CheckpointRead::Refused(format!("it is the checkpoint of {}", head.room));
    }
    CheckpointRead::Found(StoredCheckpoint {
        head,
        object,
        body_at: end + 1,
    })
}

#[cfg(test)]
mod tests {
    use super::{Anchor, CheckpointRead, parse, window_for};

    fn a(seq: u64) -> Anchor {
        Anchor {
            seq,
            stream_seq: seq * 10,
        }
    }

    #[test]
    fn a_window_reaches_a_resume_window_back_and_no_further() {
        let anchors: Vec<Anchor> = (0..12).map(|i| a(i * 1000)).collect();
        // At 10,500: the newest at or before 6,404, and every one after it.
        assert_eq!(
            window_for(&anchors, 10_500),
            vec![a(6000), a(7000), a(8000), a(9000), a(10_000)]
        );
        // A young room: all of them.
        assert_eq!(window_for(&anchors, 2500), vec![a(0), a(1000), a(2000)]);
        assert_eq!(window_for(&[], 5000), vec![]);
    }

    #[test]
    fn an_object_without_a_head_of_this_room_is_refused() {
        assert!(matches!(
            parse("r", b"garbage".to_vec()),
            CheckpointRead::Refused(_)
        ));
        assert!(matches!(
            parse("r", b"{\"not\":1}\n{}".to_vec()),
            CheckpointRead::Refused(_)
        ));
        let other = br#"{"room":"s","at":{"seq":1,"stream_seq":1},"commit":""}
{}"#;
        assert!(matches!(
            parse("r", other.to_vec()),
            CheckpointRead::Refused(_)
        ));
        let good = br#"{"room":"r","at":{"seq":1,"stream_seq":1},"commit":"ab"}
{"x":1}"#;
        let CheckpointRead::Found(found) = parse("r", good.to_vec()) else {
            panic!("refused");
        };
        assert_eq!(found.body(), br#"{"x":1}"#);
        assert_eq!(
            found.head.at,
            Anchor {
                seq: 1,
                stream_seq: 1
            }
        );
    }
}
