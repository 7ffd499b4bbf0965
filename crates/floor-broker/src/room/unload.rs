//! Unloading idle rooms: a room of the embedded store that has had no
//! connection and no message for its idle time drops its state (the room,
//! its resume window, its caches) and keeps only its handle and queue; its
//! next message (a `hello`'s subscription, an HTTP snapshot, a command)
//! loads it again from the log, exactly as a start does, before it is
//! served.
//!
//! The room's task does both, so there is never a second live copy of a
//! room, and a message that arrives while the room unloads waits in the
//! queue for the load. Every command the room acknowledged was committed
//! before its answer, so the log holds all the room had; a checkpoint
//! taken as it unloads spares the next load the events since the last
//! one. A room of the shared store unloads the same way on this broker
//! (others serve it on): its load reads its last checkpoint in the store
//! and folds the commits after it, and it follows other brokers' commits
//! again from there.

use std::time::{Duration, Instant};

use prometheus_client::metrics::gauge::Gauge;
use tokio::sync::{mpsc, watch};

use super::{Restart, RoomActor, RoomMsg, answer_unavailable};

/// When rooms unload, and the count of rooms loaded.
#[derive(Debug, Clone, Default)]
pub struct Unloading {
    /// How long a room with no connection and no message stays loaded
    /// (`None`: for ever).
    pub after: Option<Duration>,
    /// Rooms whose state is in memory (`floor_rooms_loaded`).
    pub loaded: Gauge,
}

/// How a room's task loop ended.
pub(crate) enum Ended {
    /// Its queue closed: the broker stops.
    Closed,
    /// It was idle: its state is dropped until its next message.
    Unloaded {
        /// The broker time of its last event, so that time never runs
        /// backwards in its log after the load.
        last_at: u64,
    },
}

/// Far enough to never come while the room runs.
const NEVER: Duration = Duration::from_secs(365 * 24 * 3600);

impl RoomActor {
    /// How long this room may stay idle before it unloads.
    pub(super) fn idle_limit(&self) -> Option<Duration> {
        self.unloading.after
    }

    /// When the idle timer first fires.
    pub(super) fn idle_deadline(&self) -> tokio::time::Instant {
        tokio::time::Instant::now() + self.idle_limit().unwrap_or(NEVER)
    }

    /// At the idle timer: `None` when the room unloads now (no message for
    /// its idle time, no connection, nothing queued, a store that takes
    /// writes, so that its load will read it back), else when to look
    /// again.
    pub(super) fn unload_due(
        &self,
        limit: Duration,
        queue: &mpsc::Receiver<RoomMsg>,
    ) -> Option<tokio::time::Instant> {
        let now = Instant::now();
        let due = self.last_used + limit;
        if due > now {
            return Some(tokio::time::Instant::from_std(due));
        }
        // Connections keep the room loaded: each holds a receiver of the
        // room's byte count for as long as it is connected.
        let watched = self.broadcast_bytes.receiver_count() > 0;
        if watched || !queue.is_empty() || !self.log.health().available() {
            return Some(tokio::time::Instant::from_std(now + limit));
        }
        None
    }

    /// The room's last act before it unloads: a checkpoint of its state
    /// when it has events since the last one, so that the next load folds
    /// none.
    pub(super) fn before_unload(&mut self) -> Ended {
        if self.room.seq() > self.checkpointed {
            self.checkpoint_now();
        }
        tracing::debug!(room = %self.id, seq = self.room.seq(), "idle room unloaded");
        Ended::Unloaded {
            last_at: self.last_at,
        }
    }
}

impl Restart {
    /// The room's task ended with its queue: it is no longer loaded.
    pub(crate) fn closed(&self) {
        self.unloading.loaded.dec();
    }

    /// Waits, unloaded, for the room's next message, and loads the room
    /// from its log to serve it: the room's task over the loaded state,
    /// with the message pending. A load that fails refuses the message (a
    /// command is answered `storage_unavailable`, a read closed, and its
    /// client comes back) and waits for the next. `None` when the queue
    /// closed (the broker stops).
    pub(crate) async fn wake(
        &self,
        rx: &mut mpsc::Receiver<RoomMsg>,
        recoveries: &mut watch::Receiver<u64>,
        last_at: u64,
    ) -> Option<RoomActor> {
        self.unloading.loaded.dec();
        loop {
            let msg = rx.recv().await?;
            // A recovery of the store while unloaded needs no reload: the
            // load reads the log as it is now.
            recoveries.borrow_and_update();
            match self.load().await {
                Ok(loaded) => {
                    let mut actor = self.actor(loaded);
                    actor.last_at = actor.last_at.max(last_at);
                    actor.pending.push(msg);
                    self.unloading.loaded.inc();
                    tracing::debug!(room = %self.id, seq = actor.room.seq(), "room loaded again");
                    return Some(actor);
                }
                Err(error) => {
                    tracing::error!(room = %self.id, %error, "an unloaded room could not be loaded again; its message is refused");
                    if let RoomMsg::Command(command) = &msg {
                        answer_unavailable(command);
                    }
                }
            }
        }
    }
}
