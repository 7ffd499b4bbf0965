//! A room task's loop: it takes batches from the room's queue, the commits
//! other brokers made (with the shared store) and the store's recoveries,
//! and it can be started again from the log after a panic.

use floor_protocol::RoomEvent;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use super::{
    CATCH_UP_RETRY, Ended, LoadError, Loaded, MAX_BATCH, Restart, RoomActor, RoomMsg, shared_log,
};
use crate::shared::StoredCommit;

impl Restart {
    /// The room's id.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// Loads the room from its log again, as a start does (with a reader
    /// of its own, never creating a store).
    pub(crate) async fn load(&self) -> Result<Loaded, LoadError> {
        if crate::supervise::fault("room-load", &self.id) {
            return Err(LoadError::Injected);
        }
        self.log.load(&self.id).await
    }

    /// A room task over `loaded` (no broadcast channel until its first
    /// subscriber: subscribers of a task that died are closed with its
    /// channel, and resume).
    pub(crate) fn actor(&self, loaded: Loaded) -> RoomActor {
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
            frames: None,
            broadcast_bytes: watch::Sender::new(0),
            // Made by the room's task before it serves anything (not here:
            // a start would wait for every room's order).
            order_text: Utf8Bytes::from_static(""),
            order_slots: Vec::new(),
            snapshots: Vec::new(),
            checkpointed: loaded.checkpointed,
            checkpointed_at: None,
            stream_seq: loaded.stream_seq,
            unfit: None,
            caught_up: true,
            confirmed_at: Some(std::time::Instant::now()),
            behind_probes: 0,
            presence: self.presence.clone(),
            live: self.live.clone(),
            log: self.log.clone(),
            unloading: self.unloading.clone(),
            last_used: std::time::Instant::now(),
            pending: Vec::new(),
        }
    }
}

/// Waits for the next commit of a followed room (for ever without one).
async fn next_followed(feed: &mut Option<mpsc::Receiver<StoredCommit>>) -> Option<StoredCommit> {
    match feed {
        Some(feed) => feed.recv().await,
        None => std::future::pending().await,
    }
}

/// Waits until a room's broadcast has no receiver left (for ever without
/// a broadcast).
async fn unwatched(frames: Option<&tokio::sync::broadcast::Sender<super::Frame>>) {
    match frames {
        Some(frames) => frames.closed().await,
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

impl RoomActor {
    /// What it takes to start this room's task again from the log.
    pub(crate) fn restart(&self) -> Restart {
        Restart {
            id: self.id.clone(),
            epoch: self.epoch,
            log: self.log.clone(),
            presence: self.presence.clone(),
            live: self.live.clone(),
            unloading: self.unloading.clone(),
        }
    }

    /// Serves the room's queue until it closes, or until the room has been
    /// idle for its idle time (see `unload.rs`).
    pub(crate) async fn run(
        mut self,
        rx: &mut mpsc::Receiver<RoomMsg>,
        recoveries: &mut watch::Receiver<u64>,
    ) -> Ended {
        self.renew_order();
        self.live.set_state(self.room.view_ref());
        // A room rebuilt by folding many events stores a checkpoint at once,
        // so the next start folds few.
        self.checkpoint_if_due();
        // With the shared store, the commits of other brokers arrive here.
        let mut feed = self.log.follow(&self.id, self.stream_seq);
        // And a probe tells it, well within a second, when it is behind.
        let mut probes = self.log.shared().map(|shared| {
            shared_log::spawn_probe(
                shared.clone(),
                self.id.clone(),
                self.broadcast_bytes.clone(),
            )
        });
        // The message that woke an unloaded room.
        let pending = std::mem::take(&mut self.pending);
        if !pending.is_empty() {
            self.handle(pending).await;
        }
        let idle_limit = self.idle_limit();
        let idle = tokio::time::sleep_until(self.idle_deadline());
        tokio::pin!(idle);
        loop {
            tokio::select! {
                // A recovery reloads the room before it decides anything new.
                biased;
                changed = recoveries.changed() => {
                    if changed.is_err() {
                        return Ended::Closed;
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
                            && let Some(followed) = self.log.follow(&self.id, self.stream_seq)
                        {
                            // The follower is stuck (its consumer lost
                            // with a NATS node, say): follow anew.
                            feed = Some(followed);
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
                    let Some(msg) = msg else { return Ended::Closed };
                    self.last_used = std::time::Instant::now();
                    let mut batch = vec![msg];
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(msg) => batch.push(msg),
                            Err(_) => break,
                        }
                    }
                    self.handle(batch).await;
                }
                // The last subscriber left: the broadcast's ring goes (the
                // next subscriber makes a new one).
                () = unwatched(self.frames.as_ref()) => self.frames = None,
                () = &mut idle, if idle_limit.is_some() => {
                    let limit = idle_limit.unwrap_or_default();
                    match self.unload_due(limit, rx) {
                        Some(later) => idle.as_mut().reset(later),
                        None => return self.before_unload(),
                    }
                }
            }
        }
    }

    /// Handles a batch: all its commands commit together, then the reads
    /// are served from the state after them (a subscriber's broadcast
    /// receiver is made then too, so it misses nothing and sees nothing
    /// twice).
    async fn handle(&mut self, batch: Vec<RoomMsg>) {
        let taken = std::time::Instant::now();
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
        self.commit(commands, taken).await;
        for read in reads {
            self.serve_read(read).await;
        }
    }

    async fn serve_read(&mut self, msg: RoomMsg) {
        match msg {
            RoomMsg::Command(_) => {}
            RoomMsg::Subscribe {
                resume,
                audience,
                reply,
            } => {
                let subscription = self.subscribe(resume, audience).await;
                let _ = reply.send(subscription);
            }
            RoomMsg::Snapshot {
                reason,
                audience,
                reply,
            } => {
                let _ = reply.send((self.snapshot(reason, audience), self.room.seq()));
            }
        }
    }
}
