//! The writer: one thread that owns the [`Store`] and commits appends in
//! groups.
//!
//! Rooms hand their events to the writer and wait for the commit before
//! they acknowledge anything. The thread takes the first waiting request,
//! drains every other one already queued (up to [`MAX_GROUP`]), and
//! commits all of their appends in one transaction: one fsync for many
//! rooms' commands, so durability does not cap throughput.
//!
//! A failed commit is never retried: every append of the group is answered
//! with an error, the store is dropped and the broker turns
//! [`Health::available`] off, so rooms refuse writes while reads go on.
//! The thread then reopens the database every second; once it opens and
//! passes its checks, rooms reload what the log holds and writes resume.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use floor_store::{Append, RoomRecord, Store, StoreError, TokenHash};
use tokio::sync::{oneshot, watch};

use crate::metrics::Metrics;

/// Most appends committed in one transaction.
pub const MAX_GROUP: usize = 512;
/// Pause between attempts to reopen a failed store.
const REOPEN_EVERY: Duration = Duration::from_secs(1);

/// Why a write did not happen.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    /// The store failed earlier and has not recovered yet; nothing written.
    #[error("the store is unavailable")]
    Unavailable,
    /// This write failed; nothing of its group was written.
    #[error("the store failed: {0}")]
    Failed(String),
    /// The write was refused for a reason of its own (e.g. the room
    /// exists, or an append does not continue its room's log); the store
    /// is fine.
    #[error("{0}")]
    Refused(String),
    /// The writer thread is gone (the broker is stopping).
    #[error("the writer has stopped")]
    Stopped,
}

/// Whether the store takes writes, and a counter of recoveries that rooms
/// watch to reload from the log.
#[derive(Debug)]
pub struct Health {
    available: AtomicBool,
    /// Set for good when the integrity check finds the file damaged.
    damaged: AtomicBool,
    recoveries: watch::Sender<u64>,
}

impl Default for Health {
    fn default() -> Health {
        Health::new()
    }
}

impl Health {
    /// A healthy store's health.
    pub fn new() -> Health {
        Health {
            available: AtomicBool::new(true),
            damaged: AtomicBool::new(false),
            recoveries: watch::Sender::new(0),
        }
    }

    /// Records whether the store takes writes; becoming available again
    /// counts as a recovery (rooms catch up with the log).
    pub fn set_available(&self, available: bool) {
        let was = self.available.swap(available, Ordering::AcqRel);
        if available && !was {
            self.recoveries.send_modify(|n| *n += 1);
        }
    }

    /// Whether writes are accepted.
    pub fn available(&self) -> bool {
        self.available.load(Ordering::Acquire) && !self.damaged()
    }

    /// Whether the integrity check found the log's file damaged (writes
    /// stop until an operator restores it and restarts the broker).
    pub fn damaged(&self) -> bool {
        self.damaged.load(Ordering::Acquire)
    }

    /// Records that the log's file is damaged: no write is taken again.
    pub fn mark_damaged(&self) {
        self.damaged.store(true, Ordering::Release);
    }

    /// A receiver that changes each time the store recovers.
    pub fn recoveries(&self) -> watch::Receiver<u64> {
        self.recoveries.subscribe()
    }
}

type Reply<T> = oneshot::Sender<Result<T, WriteError>>;

enum Request {
    Append {
        append: Append,
        since: Instant,
        reply: Reply<()>,
    },
    CreateRoom {
        room: RoomRecord,
        tokens: Vec<TokenHash>,
        reply: Reply<()>,
    },
    SetToken {
        room: String,
        token: TokenHash,
        reply: Reply<()>,
    },
    SetMeta {
        key: String,
        value: String,
        reply: Reply<()>,
    },
    ReadEvents {
        room: String,
        after: u64,
        reply: Reply<Vec<(u64, String)>>,
    },
    Checkpoint {
        room: String,
        seq: u64,
        body: String,
    },
    Stop {
        reply: Reply<()>,
    },
}

/// A cheap handle to the writer thread.
#[derive(Debug, Clone)]
pub struct Writer {
    tx: std_mpsc::Sender<Request>,
    health: Arc<Health>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Request")
    }
}

impl Writer {
    /// Starts the writer thread over an open store. `path` is where to
    /// reopen it after a failure.
    pub fn start(store: Store, path: PathBuf, metrics: Arc<Metrics>) -> std::io::Result<Writer> {
        let (tx, rx) = std_mpsc::channel();
        let health = Arc::new(Health::new());
        let thread_health = health.clone();
        std::thread::Builder::new()
            .name("floor-writer".into())
            .spawn(move || run(Some(store), path, rx, &thread_health, &metrics))?;
        Ok(Writer { tx, health })
    }

    /// The store's health.
    pub fn health(&self) -> &Arc<Health> {
        &self.health
    }

    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, WriteError> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(make(reply)).map_err(|_| WriteError::Stopped)?;
        answer.await.map_err(|_| WriteError::Stopped)?
    }

    /// Appends one room's events durably; returns once they are committed.
    pub async fn append(&self, append: Append) -> Result<(), WriteError> {
        if !self.health.available() {
            return Err(WriteError::Unavailable);
        }
        let since = Instant::now();
        self.ask(|reply| Request::Append {
            append,
            since,
            reply,
        })
        .await
    }

    /// Creates a room with its token hashes.
    pub async fn create_room(
        &self,
        room: RoomRecord,
        tokens: Vec<TokenHash>,
    ) -> Result<(), WriteError> {
        self.ask(|reply| Request::CreateRoom {
            room,
            tokens,
            reply,
        })
        .await
    }

    /// Replaces a role's token hash.
    pub async fn set_token(&self, room: String, token: TokenHash) -> Result<(), WriteError> {
        self.ask(|reply| Request::SetToken { room, token, reply })
            .await
    }

    /// Sets a `meta` value.
    pub async fn set_meta(&self, key: String, value: String) -> Result<(), WriteError> {
        self.ask(|reply| Request::SetMeta { key, value, reply })
            .await
    }

    /// Commits what is queued, then stops the thread.
    pub async fn stop(&self) -> Result<(), WriteError> {
        self.ask(|reply| Request::Stop { reply }).await
    }

    /// Stores a room's checkpoint at `seq`, after what is queued before it;
    /// nobody waits for it (a failure is logged, and the room's next
    /// checkpoint replaces it).
    pub fn checkpoint(&self, room: String, seq: u64, body: String) {
        if self.health.available() {
            let _ = self.tx.send(Request::Checkpoint { room, seq, body });
        }
    }

    /// Reads a room's events after `after` from the log.
    pub async fn read_events(
        &self,
        room: String,
        after: u64,
    ) -> Result<Vec<(u64, String)>, WriteError> {
        self.ask(|reply| Request::ReadEvents { room, after, reply })
            .await
    }
}

fn refused(error: StoreError) -> WriteError {
    match error {
        StoreError::RoomExists(_) | StoreError::NoSuchRoom(_) => {
            WriteError::Refused(error.to_string())
        }
        other => WriteError::Failed(other.to_string()),
    }
}

fn run(
    mut store: Option<Store>,
    path: PathBuf,
    rx: std_mpsc::Receiver<Request>,
    health: &Health,
    metrics: &Metrics,
) {
    let mut last_attempt = Instant::now();
    loop {
        let first = if store.is_some() {
            match rx.recv() {
                Ok(request) => Some(request),
                Err(_) => return,
            }
        } else {
            match rx.recv_timeout(REOPEN_EVERY) {
                Ok(request) => Some(request),
                Err(std_mpsc::RecvTimeoutError::Timeout) => None,
                Err(std_mpsc::RecvTimeoutError::Disconnected) => return,
            }
        };
        if store.is_none() && last_attempt.elapsed() >= REOPEN_EVERY {
            last_attempt = Instant::now();
            match Store::open(&path) {
                Ok(reopened) => {
                    tracing::warn!("store reopened; writes resume");
                    store = Some(reopened);
                    health.available.store(true, Ordering::Release);
                    health.recoveries.send_modify(|n| *n += 1);
                }
                Err(error) => tracing::error!(%error, "store still unavailable"),
            }
        }
        let Some(first) = first else { continue };

        let mut group = Vec::new();
        let mut others = Vec::new();
        for request in std::iter::once(first).chain(std::iter::from_fn(|| rx.try_recv().ok())) {
            match request {
                Request::Append {
                    append,
                    since,
                    reply,
                } => group.push((append, since, reply)),
                other => others.push(other),
            }
            if group.len() >= MAX_GROUP {
                break;
            }
        }

        if !group.is_empty() {
            commit_group(&mut store, group, health, metrics);
        }
        for request in others {
            if let Request::Stop { reply } = request {
                tracing::info!("writer stopped");
                let _ = reply.send(Ok(()));
                return;
            }
            serve_other(store.as_mut(), request);
        }
    }
}

fn commit_group(
    store: &mut Option<Store>,
    group: Vec<(Append, Instant, Reply<()>)>,
    health: &Health,
    metrics: &Metrics,
) {
    let Some(open) = store.as_mut() else {
        for (_, _, reply) in group {
            let _ = reply.send(Err(WriteError::Unavailable));
        }
        return;
    };
    let appends: Vec<Append> = group.iter().map(|(a, _, _)| a.clone()).collect();
    match open.append(&appends) {
        Ok(results) => {
            let mut store_failed = None;
            for ((append, since, reply), result) in group.into_iter().zip(results) {
                match result {
                    Ok(()) => {
                        metrics.events_appended.inc_by(append.events.len() as u64);
                        metrics
                            .commit_seconds
                            .observe(since.elapsed().as_secs_f64());
                        let _ = reply.send(Ok(()));
                    }
                    Err(error) if error.is_refusal() => {
                        tracing::warn!(room = %append.room, %error, "append refused");
                        let _ = reply.send(Err(WriteError::Refused(error.to_string())));
                    }
                    Err(error) => {
                        let message = error.to_string();
                        let _ = reply.send(Err(WriteError::Failed(message.clone())));
                        store_failed = Some(message);
                    }
                }
            }
            if let Some(message) = store_failed {
                tracing::error!(error = %message, "an append failed; refusing writes until the store recovers");
                health.available.store(false, Ordering::Release);
                *store = None;
            }
        }
        Err(error) => {
            // Never retried blindly: the whole group fails, the store is
            // dropped, and writes stop until it reopens cleanly.
            tracing::error!(%error, "commit failed; refusing writes until the store recovers");
            health.available.store(false, Ordering::Release);
            *store = None;
            let message = error.to_string();
            for (_, _, reply) in group {
                let _ = reply.send(Err(WriteError::Failed(message.clone())));
            }
        }
    }
}

fn serve_other(store: Option<&mut Store>, request: Request) {
    let Some(store) = store else {
        match request {
            Request::Append { reply, .. }
            | Request::CreateRoom { reply, .. }
            | Request::SetToken { reply, .. }
            | Request::SetMeta { reply, .. } => {
                let _ = reply.send(Err(WriteError::Unavailable));
            }
            Request::ReadEvents { reply, .. } => {
                let _ = reply.send(Err(WriteError::Unavailable));
            }
            Request::Checkpoint { .. } => {}
            Request::Stop { reply } => {
                let _ = reply.send(Ok(()));
            }
        }
        return;
    };
    match request {
        Request::Append { reply, .. } => {
            let _ = reply.send(Err(WriteError::Failed("append outside a group".into())));
        }
        Request::CreateRoom {
            room,
            tokens,
            reply,
        } => {
            let _ = reply.send(store.create_room(&room, &tokens).map_err(refused));
        }
        Request::SetToken { room, token, reply } => {
            let _ = reply.send(store.set_token(&room, &token).map_err(refused));
        }
        Request::SetMeta { key, value, reply } => {
            let _ = reply.send(store.set_meta(&key, &value).map_err(refused));
        }
        Request::Stop { reply } => {
            let _ = reply.send(Ok(()));
        }
        Request::Checkpoint { room, seq, body } => {
            if let Err(error) = store.put_checkpoint(&room, seq, &body) {
                tracing::warn!(%room, seq, %error, "checkpoint not stored");
            }
        }
        Request::ReadEvents { room, after, reply } => {
            let mut events = Vec::new();
            let result = store
                .for_each_event(&room, after, |seq, body| {
                    events.push((seq, body.to_owned()))
                })
                .map(|()| events)
                .map_err(refused);
            let _ = reply.send(result);
        }
    }
}
