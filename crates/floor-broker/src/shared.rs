//! The shared store: rooms whose log lives in NATS JetStream, so that
//! several brokers serve the same room.
//!
//! - Every room's events are on the subject `floor.room.{id}` of one
//!   stream, [`STREAM`]. One message holds the events of one commit (a
//!   room's batch), one event per line, each line exactly the text sent to
//!   subscribers.
//! - A broker appends a commit with `Nats-Expected-Last-Subject-Sequence`
//!   set to the stream sequence of the room's last message it has applied.
//!   If another broker appended first, JetStream refuses it ("wrong last
//!   sequence", 10071): the room reads what it missed ([`Shared::read_after`])
//!   and decides its commands again. So a room keeps one gapless order
//!   whatever broker its clients are connected to, and a command decided
//!   again after catching up meets the room's own idempotency receipts.
//! - The genders that a commit's commands declared are not in its events:
//!   they travel in the message's header [`DECLARED_HEADER`] (`woman=1`),
//!   and the session report sums the headers of a room's commits. A commit
//!   is stored whole or not at all, so a declaration counts exactly when
//!   its command's events are in the log.
//! - The message id (`Nats-Msg-Id`) is the room and the request id of a
//!   commit of one command, a hash of the room and the request ids of a
//!   commit of several, so JetStream itself drops a commit sent twice.
//! - Rooms (title, epoch, token hashes) are values of the key-value bucket
//!   [`ROOMS_BUCKET`]; the admin token's hash is in [`META_BUCKET`]. Every
//!   broker watches the rooms bucket (and reads the record of every room it
//!   serves again every 10 s, in case its watch was lost), so a token
//!   rotated on one broker closes the old token's connections on all of
//!   them.
//! - Rooms' checkpoints are objects of the object store
//!   [`CHECKPOINTS_BUCKET`], one per room, each tied to the commit holding
//!   its last event; a broker's first load of a room takes the latest one
//!   that matches the log and folds only the commits after it.
//! - Each broker follows the rooms its own clients use ([`Shared::follow`]:
//!   an ordered consumer per room) and delivers their events itself.
//!
//! The stream is created with file storage, 3 replicas when the cluster
//! takes them (it has 3 JetStream servers or more) and 1 otherwise, or as
//! configured, and a duplicate window
//! of [`DUPLICATE_WINDOW`]. Durability is JetStream's: a client's `ack`
//! waits for JetStream's acknowledgement of the commit, which a server
//! configured with `sync_interval: always` gives after its fsync (and,
//! with replicas, after a quorum of nodes stored it).
//!
//! Appending a commit is in `append.rs`, reading and following a room's
//! subject in `read.rs`, the key-value buckets in `buckets.rs`, the
//! checkpoints in `checkpoints.rs`, the attendance reports in `presence.rs` and the watch on JetStream's silence
//! in `watchdog.rs`.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, kv, stream};
use sha2::{Digest, Sha256};

use floor_core::declarations::Declarations;

use crate::commit::Health;
use crate::shared_start as start;

mod append;
mod buckets;
mod checkpoints;
mod presence;
mod read;
mod summaries;
mod watchdog;

pub use append::{ACK_WAIT, OUTCOME_DEADLINE};
pub use buckets::RoomValue;
pub use checkpoints::{
    Anchor, CHECKPOINTS_BUCKET, CheckpointHead, CheckpointRead, StoredCheckpoint, commit_digest,
    event_seq,
};
pub use presence::{PresenceReport, presence_subject};
pub use watchdog::SWITCH_AFTER;

/// The stream holding every room's events.
pub const STREAM: &str = "FLOOR_ROOMS";
/// The header of a commit message that holds the genders its commands
/// declared, as `woman=1,man=2` (absent when none).
pub const DECLARED_HEADER: &str = "Floor-Declared";
/// The key-value bucket of rooms (title, epoch, token hashes).
pub const ROOMS_BUCKET: &str = "floor-rooms";
/// The key-value bucket of broker-wide values (the admin token's hash).
pub const META_BUCKET: &str = "floor-meta";
/// How long JetStream remembers a message id to drop a commit sent twice:
/// longer than any client keeps retrying a command. (A command retried
/// later still takes effect once: the room's receipts hold every request
/// id it has applied.)
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(2 * 60 * 60);
/// How long a request to JetStream may take before the command that waits
/// on it is answered `storage_unavailable` (and retried by its client).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one read of a room's commit from the stream's leader may take
/// (it takes milliseconds; a leader lost or being elected takes seconds,
/// and the room tries again rather than wait).
pub const READ_WAIT: Duration = Duration::from_millis(500);
/// How long a start waits in all for a NATS that is not ready yet,
/// unless configured otherwise.
pub const START_WAIT: Duration = Duration::from_secs(60);
/// Messages a room's follower may hold before the room takes them.
const FOLLOW_QUEUE: usize = 1024;
/// How long a follower may stay silent before it asks the stream's leader
/// whether the room moved on without it (its consumer lost with a NATS
/// node, say); it then follows again from its last commit.
const FOLLOW_CHECK: Duration = Duration::from_secs(5);

/// The subject of a room's events.
pub fn subject(room: &str) -> String {
    format!("floor.room.{room}")
}

/// How to reach JetStream.
#[derive(Debug, Clone)]
pub struct SharedConfig {
    /// The servers, comma-separated (`nats://host:4222,nats://host2:4222`).
    pub servers: String,
    /// The stream's replicas; `None`: 3 when the cluster takes them, 1
    /// otherwise.
    pub replicas: Option<usize>,
}

/// Why the shared store failed.
#[derive(Debug, thiserror::Error)]
pub enum SharedError {
    /// Connecting to NATS failed.
    #[error("cannot connect to NATS at {servers}: {message}")]
    Connect {
        /// The servers tried.
        servers: String,
        /// Why.
        message: String,
    },
    /// A JetStream request failed.
    #[error("JetStream: {0}")]
    JetStream(String),
    /// A core NATS request (a subscription) failed.
    #[error("NATS: {0}")]
    Nats(String),
    /// A commit of a room's log does not decode or apply to the room (it
    /// was logged as an error when first found).
    #[error("{key} does not fit the room: {message}")]
    Unfit {
        /// Which commit.
        key: String,
        /// Why.
        message: String,
    },
    /// NATS was not ready in the time a start waits for it.
    #[error(
        "NATS was not ready to {what} after {waited_s} s of retries: {reason} (--nats-start-wait waits longer)"
    )]
    NotReady {
        /// What the start was doing.
        what: String,
        /// How long it waited, in seconds.
        waited_s: u64,
        /// The last attempt's failure.
        reason: String,
    },
    /// `--admin-token` is not the admin token the shared store holds.
    #[error(
        "--admin-token (or FLOOR_ADMIN_TOKEN) is not the admin token the shared store holds: every broker of a shared store uses the admin token the first one set; start with that token, or without --admin-token to use it"
    )]
    AdminTokenMismatch,
    /// A stored value does not decode.
    #[error("a stored value of {key} does not decode: {message}")]
    Decode {
        /// What it was.
        key: String,
        /// Why.
        message: String,
    },
}

fn js_error(error: impl std::fmt::Display) -> SharedError {
    SharedError::JetStream(error.to_string())
}

/// One commit of a room as the stream holds it.
#[derive(Debug, Clone)]
pub struct StoredCommit {
    /// Its stream sequence.
    pub stream_seq: u64,
    /// Its events' texts, in order.
    pub events: Vec<Arc<str>>,
    /// The genders its commands declared (header [`DECLARED_HEADER`]).
    pub declared: Declarations,
}

impl StoredCommit {
    fn parse(
        stream_seq: u64,
        headers: Option<&async_nats::HeaderMap>,
        payload: &[u8],
    ) -> Result<StoredCommit, SharedError> {
        let decode = |message: String| SharedError::Decode {
            key: format!("stream message {stream_seq}"),
            message,
        };
        let text = std::str::from_utf8(payload).map_err(|e| decode(e.to_string()))?;
        let declared = match headers.and_then(|h| h.get(DECLARED_HEADER)) {
            Some(line) => {
                Declarations::from_line(line.as_str()).map_err(|e| decode(e.to_string()))?
            }
            None => Declarations::new(),
        };
        Ok(StoredCommit {
            stream_seq,
            declared,
            events: text
                .split('\n')
                .filter(|line| !line.is_empty())
                .map(Arc::from)
                .collect(),
        })
    }
}

/// How an append ended.
#[derive(Debug)]
pub enum Appended {
    /// Stored at this stream sequence.
    Stored(u64),
    /// Not stored by this append, by JetStream's answer: the room's
    /// subject moved on since the expected sequence (another broker
    /// appended first, or an attempt of this append whose answer was
    /// lost), or this very commit is there already. Catch up and decide
    /// again.
    Behind {
        /// Whether a commit of this append may be in the log: an attempt
        /// got no answer, or JetStream knew its message id. `false`: no
        /// attempt of it stored anything.
        maybe_stored: bool,
    },
    /// Sent, and no answer said in time whether it was stored: the room
    /// reads the log when it can, and its clients hear `outcome_unknown`.
    Unknown(String),
}

/// The connection to JetStream, shared by every room of the broker.
#[derive(Debug)]
pub struct Shared {
    /// This broker process, among those sharing the store.
    broker: uuid::Uuid,
    client: async_nats::Client,
    js: jetstream::Context,
    stream: stream::Stream,
    rooms: kv::Store,
    meta: kv::Store,
    /// The rooms' checkpoints ([`CHECKPOINTS_BUCKET`]).
    checkpoints: checkpoints::Bucket,
    /// The commits each room's next checkpoint names for its window.
    anchors: checkpoints::Anchors,
    health: Arc<Health>,
    /// Since when JetStream has not answered (see `watchdog`).
    silence: watchdog::Silence,
    /// Counts the appends another broker's came before (the broker
    /// registers it with its metrics).
    pub conflicts: prometheus_client::metrics::counter::Counter,
}

impl Shared {
    /// Connects, and creates the stream and buckets when they are missing,
    /// waiting up to [`START_WAIT`] for a NATS that is not ready yet.
    /// Keeps reconnecting for ever after a first connection; `health` is
    /// unavailable while disconnected.
    pub async fn connect(config: &SharedConfig) -> Result<Arc<Shared>, SharedError> {
        Shared::connect_waiting(config, START_WAIT).await
    }

    /// [`Shared::connect`], waiting up to `wait` in all for NATS to be
    /// ready: an attempt that fails for a reason that may pass (no
    /// server listening yet, no JetStream leader yet) is logged and tried
    /// again; one that cannot pass (a server list that does not parse,
    /// credentials refused, a stream configured otherwise in the way) ends
    /// it at once.
    pub async fn connect_waiting(
        config: &SharedConfig,
        wait: Duration,
    ) -> Result<Arc<Shared>, SharedError> {
        let health = Arc::new(Health::new());
        let client = start::connect_client(config, wait, &health).await?;
        let js = start::context(&client);
        let stream = start::retrying(wait, "create the stream", || {
            start::open_stream(&js, config)
        })
        .await?;
        let replicas = stream.cached_info().config.num_replicas.max(1);
        let (rooms, meta, checkpoints) = start::retrying(wait, "open the buckets", || {
            start::open_buckets(&js, replicas)
        })
        .await?;
        tracing::info!(
            servers = %config.servers,
            replicas,
            stream = STREAM,
            "shared store open (NATS JetStream)"
        );
        health.set_available(client.connection_state() == async_nats::connection::State::Connected);
        let shared = Arc::new(Shared {
            broker: uuid::Uuid::new_v4(),
            client,
            js,
            stream,
            rooms,
            meta,
            checkpoints: checkpoints::Bucket(checkpoints),
            anchors: Default::default(),
            health,
            silence: Default::default(),
            conflicts: Default::default(),
        });
        watchdog::spawn(&shared);
        Ok(shared)
    }

    /// Whether writes are possible now (connected to NATS).
    pub fn health(&self) -> &Arc<Health> {
        &self.health
    }

    /// This broker process's id among those sharing the store (new at
    /// every start).
    pub fn broker_id(&self) -> uuid::Uuid {
        self.broker
    }

    /// Waits until what was published is sent.
    pub async fn flush(&self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.client.flush()).await;
    }
}

/// JetStream's "wrong last sequence" without a sequence: another append to
/// the subject is in flight on a replicated stream.
const IN_FLIGHT: jetstream::ErrorCode = jetstream::ErrorCode::STREAM_WRONG_LAST_SEQUENCE_CONSTANT;

/// The JetStream error code behind an error, if it carries one.
fn jetstream_code(error: &(dyn std::error::Error + 'static)) -> Option<jetstream::ErrorCode> {
    let mut cause = error.source();
    while let Some(inner) = cause {
        if let Some(js) = inner.downcast_ref::<jetstream::Error>() {
            return Some(js.error_code());
        }
        cause = inner.source();
    }
    None
}

/// A key-value bucket as it exists, or created with `config` (an existing
/// one is never reconfigured: brokers that see a cluster of another size
/// leave it as the first one made it).
/// The message id of a commit: the room and the request ids whose events
/// it holds. A commit made again from the same commands (after an
/// acknowledgement lost on the way) has the same id, and JetStream drops
/// the second.
///
/// A commit of one command (nearly every commit at a session's pace) is
/// named by its request id itself: `{room}:{client key}:{request id}`
/// (client keys are 32 hex digits, so the parts cannot be confused). A
/// commit of several commands, or a request id with characters other than
/// visible ASCII (a header value must not hold a line break), is named by
/// a hash of them all: `{room}:{32 hex digits}`.
pub fn message_id<'a>(
    room: &str,
    requests: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> String {
    let mut single = requests.clone();
    if let (Some((client, request)), None) = (single.next(), single.next())
        && !request.is_empty()
        && request.chars().all(|c| c.is_ascii_graphic())
    {
        return format!("{room}:{client}:{request}");
    }
    let mut hash = Sha256::new();
    hash.update(room.as_bytes());
    for (client, request) in requests {
        hash.update([0]);
        hash.update(client.as_bytes());
        hash.update([0]);
        hash.update(request.as_bytes());
    }
    format!("{room}:{}", hex::encode(&hash.finalize()[..16]))
}

#[cfg(test)]
mod tests {
    use super::message_id;

    const CLIENT: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn a_commit_of_one_command_is_named_by_its_request_id() {
        let one = [(CLIENT, "runner-42")];
        assert_eq!(
            message_id("ws235", one.iter().copied()),
            format!("ws235:{CLIENT}:runner-42")
        );
    }

    #[test]
    fn a_commit_of_several_commands_is_named_by_a_hash_of_them_all() {
        let two = [(CLIENT, "a-1"), (CLIENT, "a-2")];
        let id = message_id("ws235", two.iter().copied());
        assert_eq!(
            id,
            message_id("ws235", two.iter().copied()),
            "the same each time"
        );
        let (room, hash) = id.split_once(':').unwrap();
        assert_eq!(room, "ws235");
        assert_eq!(hash.len(), 32);
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
        let swapped = [(CLIENT, "a-2"), (CLIENT, "a-1")];
        assert_ne!(id, message_id("ws235", swapped.iter().copied()));
    }

    #[test]
    fn a_request_id_that_cannot_be_a_header_value_is_hashed() {
        for request in ["two\r\nlines", "a space", "café", ""] {
            let id = message_id("ws235", [(CLIENT, request)].into_iter());
            assert!(!id.contains(request) || request.is_empty(), "{id}");
            assert!(id.chars().all(|c| c.is_ascii_graphic()), "{id}");
        }
    }
}
