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
//! The thread then reopens the database every second (never creating
//! one: [`Store::open_existing`]); once it opens and passes its checks,
//! rooms reload what the log holds and writes resume.
//!
//! Before each commit, after it (before anything is acknowledged) and every
//! [`FILE_CHECK_EVERY`] while idle, the writer checks that the files it has
//! open are still the ones at the data path ([`Store::check_files`]). A
//! database or write-ahead log deleted or replaced under the broker stops
//! writes for good: the store is set aside without being closed (closing
//! would let SQLite checkpoint and delete the `-wal` at the path, which may
//! by then be a file an operator put back), the commit in flight is not
//! acknowledged, and `/healthz` says why until the broker is restarted.
//!
//! The thread is supervised: a panic is caught and logged, the store is
//! dropped (rolling back what the panic left) and reopened as after a
//! failed commit.
//!
//! [`Health`], what the rooms and `/healthz` read of the store's state, is
//! in `health.rs`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use floor_store::{Append, RoomRecord, Store, StoreError, TokenHash};
use tokio::sync::oneshot;

use crate::metrics::Metrics;

mod health;

pub use health::Health;

/// Most appends committed in one transaction.
pub const MAX_GROUP: usize = 512;
/// Pause between attempts to reopen a failed store.
const REOPEN_EVERY: Duration = Duration::from_secs(1);
/// How often an idle writer checks that its files are still at the data
/// path.
pub const FILE_CHECK_EVERY: Duration = Duration::from_secs(1);

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
    SetTokens {
        room: String,
        tokens: Vec<TokenHash>,
        reply: Reply<()>,
    },
    SetMeta {
        key: String,
        value: String,
        reply: Reply<()>,
    },
    SetTitle {
        room: String,
        title: String,
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
    path: Arc<PathBuf>,
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
        let path = Arc::new(path);
        let thread_path = path.clone();
        std::thread::Builder::new()
            .name("floor-writer".into())
            .spawn(move || supervise(store, &thread_path, &rx, &thread_health, &metrics))?;
        Ok(Writer { tx, health, path })
    }

    /// The path of the log's database.
    pub fn path(&self) -> &std::path::Path {
        &self.path
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

    /// Replaces the token hashes of several roles of a room in one
    /// transaction: all of them, or none.
    pub async fn set_tokens(&self, room: String, tokens: Vec<TokenHash>) -> Result<(), WriteError> {
        self.ask(|reply| Request::SetTokens {
            room,
            tokens,
            reply,
        })
        .await
    }

    /// Sets a `meta` value.
    pub async fn set_meta(&self, key: String, value: String) -> Result<(), WriteError> {
        self.ask(|reply| Request::SetMeta { key, value, reply })
            .await
    }

    /// Changes a room's title.
    pub async fn set_title(&self, room: String, title: String) -> Result<(), WriteError> {
        self.ask(|reply| Request::SetTitle { room, title, reply })
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

/// Runs the writer's loop, and again after a panic: the panic is logged,
/// the store dropped (its connection closes, rolling back a transaction the
/// panic left open) and reopened as after a failed commit. The requests of
/// the group in flight are answered by their dropped reply channels
/// ([`WriteError::Stopped`]): nothing of them is acknowledged.
fn supervise(
    store: Store,
    path: &std::path::Path,
    rx: &std_mpsc::Receiver<Request>,
    health: &Health,
    metrics: &Metrics,
) {
    let mut store = Some(store);
    loop {
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run(&mut store, path, rx, health, metrics);
        }));
        let Err(panic) = ran else { return };
        let message = crate::supervise::panic_message(panic.as_ref());
        tracing::error!(panic = %message, "the writer thread panicked; it reopens the store, and rooms reload from the log");
        health.refuse(format!(
            "the writer thread panicked ({message}); the store is being reopened"
        ));
        store = None;
    }
}

/// Why a store's files are not the ones at the data path any more, for
/// the log and `/healthz`, with what an operator does.
fn lost_reason(error: &StoreError) -> String {
    format!(
        "{error}; writes are refused until floor is restarted (see SECURITY.md, \"Storage\": stop floor, restore the files from a backup or put them back, start again)"
    )
}

/// Checks the store's files; when one was deleted or replaced, stops
/// writes for good and sets the store aside (see the module doc).
/// Returns whether the store is still usable.
fn files_intact(store: &mut Option<Store>, health: &Health) -> bool {
    let Some(open) = store.as_ref() else {
        return false;
    };
    let error = match open.check_files() {
        Ok(()) => return true,
        Err(error) => error,
    };
    let reason = lost_reason(&error);
    tracing::error!(%error, "{reason}");
    health.stop_for_good(reason);
    // Never closed: closing would checkpoint into the deleted file and
    // delete whatever `-wal` is at the path now. The file descriptors stay
    // open until the process ends (the deleted file can still be copied
    // from /proc/PID/fd meanwhile).
    if let Some(lost) = store.take() {
        std::mem::forget(lost);
    }
    false
}

fn run(
    store: &mut Option<Store>,
    path: &std::path::Path,
    rx: &std_mpsc::Receiver<Request>,
    health: &Health,
    metrics: &Metrics,
) {
    let mut last_attempt = Instant::now();
    loop {
        let wait = if store.is_some() {
            FILE_CHECK_EVERY
        } else {
            REOPEN_EVERY
        };
        let first = match rx.recv_timeout(wait) {
            Ok(request) => Some(request),
            Err(std_mpsc::RecvTimeoutError::Timeout) => None,
            Err(std_mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if store.is_some() {
            files_intact(store, health);
        } else if !health.stopped() && last_attempt.elapsed() >= REOPEN_EVERY {
            last_attempt = Instant::now();
            let reopened = if crate::supervise::fault("writer-reopen", path.display()) {
                Err(StoreError::Missing("a failure injected by a test".into()))
            } else {
                Store::open_existing(path).and_then(|reopened| {
                    reopened.check_files()?;
                    Ok(reopened)
                })
            };
            match reopened {
                Ok(reopened) => {
                    tracing::warn!("store reopened; writes resume");
                    *store = Some(reopened);
                    health.set_available(true);
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
            if crate::supervise::fault("writer", path.display()) {
                panic!("a fault injected by a test");
            }
            commit_group(store, group, health, metrics);
        }
        for request in others {
            if let Request::Stop { reply } = request {
                tracing::info!("writer stopped");
                let _ = reply.send(Ok(()));
                return;
            }
            // A room created or a token rotated goes to no deleted file.
            files_intact(store, health);
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
    let Some(open) = store.as_mut().filter(|_| health.available()) else {
        for (_, _, reply) in group {
            let _ = reply.send(Err(WriteError::Unavailable));
        }
        return;
    };
    let appends: Vec<Append> = group.iter().map(|(a, _, _)| a.clone()).collect();
    let appended = open.append(&appends);
    // Nothing is acknowledged that went to a file deleted or replaced
    // meanwhile.
    if appended.is_ok() && !files_intact(store, health) {
        for (_, _, reply) in group {
            let _ = reply.send(Err(WriteError::Unavailable));
        }
        return;
    }
    match appended {
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
                health.refuse(format!("an append failed: {message}"));
                *store = None;
            }
        }
        Err(error) => {
            // Never retried blindly: the whole group fails, the store is
            // dropped, and writes stop until it reopens cleanly.
            tracing::error!(%error, "commit failed; refusing writes until the store recovers");
            health.refuse(format!("a commit failed: {error}"));
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
            | Request::SetTokens { reply, .. }
            | Request::SetMeta { reply, .. }
            | Request::SetTitle { reply, .. } => {
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
        Request::SetTokens {
            room,
            tokens,
            reply,
        } => {
            let _ = reply.send(store.set_tokens(&room, &tokens).map_err(refused));
        }
        Request::SetMeta { key, value, reply } => {
            let _ = reply.send(store.set_meta(&key, &value).map_err(refused));
        }
        Request::SetTitle { room, title, reply } => {
            let _ = reply.send(store.set_title(&room, &title).map_err(refused));
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
