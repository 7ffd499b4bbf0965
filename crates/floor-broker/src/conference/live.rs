//! The venue dashboard's feed: one summary per room
//! ([`floor_core::summary`]), not the rooms' events.
//!
//! Each room's task hands its [`RoomLive`] the room's state after every
//! commit it applies (and when it loads); each connection counts itself
//! as a screen of its role for as long as it is welcomed. A summary that
//! changed is serialized once, kept as the room's latest, and sent to
//! every dashboard connected (`/conference/ws`). A room that unloads keeps
//! its last summary: the dashboard never loads a room.
//!
//! With the shared store, each broker also publishes its rooms' summaries
//! on NATS (`shared/summaries.rs`); the summaries of other brokers are
//! merged here: the room's state from the highest seq, screens added up.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use dashmap::DashMap;
use floor_protocol::Role;
use floor_protocol::RoomView;
use floor_protocol::conference::{LiveMessage, RoomSummary, Screens};
use tokio::sync::{broadcast, watch};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::commit::Health;

/// How many summaries a slow dashboard may fall behind before it is sent
/// the whole picture again.
const FEED_CAPACITY: usize = 1024;

/// How long another broker's summary counts without being sent again.
pub const REMOTE_FRESH: Duration = Duration::from_secs(15);

/// The broker's feed of room summaries.
#[derive(Debug)]
pub struct Live {
    /// The latest summary of each room, as dashboards are told it.
    rooms: DashMap<String, RoomSummary>,
    /// This broker's own summary of each room it serves (screens counted
    /// here only), as other brokers are told it.
    local: DashMap<String, RoomSummary>,
    /// Other brokers' summaries: (room, broker) → summary, when received.
    remote: DashMap<(String, uuid::Uuid), (RoomSummary, Instant)>,
    /// `room` messages, serialized once.
    feed: broadcast::Sender<Utf8Bytes>,
    /// Bumped when an import changed the conference's sessions.
    sessions: watch::Sender<u64>,
    /// Told of each change of this broker's own summaries (the shared
    /// store's publisher), when there is one.
    outbox: std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<RoomSummary>>,
    /// Whether the store takes writes.
    health: Arc<Health>,
}

impl Live {
    /// A feed for a broker whose store's health is `health`.
    pub fn new(health: Arc<Health>) -> Arc<Live> {
        Arc::new(Live {
            rooms: DashMap::new(),
            local: DashMap::new(),
            remote: DashMap::new(),
            feed: broadcast::channel(FEED_CAPACITY).0,
            sessions: watch::Sender::new(0),
            outbox: std::sync::OnceLock::new(),
            health,
        })
    }

    /// Every room's latest summary.
    pub fn summaries(&self) -> Vec<RoomSummary> {
        let mut all: Vec<RoomSummary> = self.rooms.iter().map(|r| r.value().clone()).collect();
        all.sort_by(|a, b| a.room.cmp(&b.room));
        all
    }

    /// A receiver of the `room` messages from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Utf8Bytes> {
        self.feed.subscribe()
    }

    /// A receiver of the conference's changes of sessions.
    pub fn sessions_changed(&self) -> watch::Receiver<u64> {
        self.sessions.subscribe()
    }

    /// Tells the dashboards that an import changed the sessions.
    pub fn sessions_did_change(&self) {
        self.sessions.send_modify(|n| *n += 1);
    }

    /// Sends each change of this broker's own summaries to `outbox` too.
    pub fn publish_to(&self, outbox: tokio::sync::mpsc::UnboundedSender<RoomSummary>) {
        let _ = self.outbox.set(outbox);
    }

    /// This broker's own summaries (the shared store's publisher sends
    /// them again now and then).
    pub fn local_summaries(&self) -> Vec<RoomSummary> {
        self.local.iter().map(|r| r.value().clone()).collect()
    }

    /// Another broker's summary of a room.
    pub fn remote(&self, broker: uuid::Uuid, summary: RoomSummary) {
        let room = summary.room.clone();
        self.remote
            .insert((room.clone(), broker), (summary, Instant::now()));
        self.merge(&room);
    }

    /// Forgets other brokers' summaries not sent again for
    /// [`REMOTE_FRESH`] (a broker gone), and tells the dashboards.
    pub fn expire(&self) {
        let stale: Vec<(String, uuid::Uuid)> = self
            .remote
            .iter()
            .filter(|e| e.value().1.elapsed() > REMOTE_FRESH)
            .map(|e| e.key().clone())
            .collect();
        for key in stale {
            self.remote.remove(&key);
            self.merge(&key.0);
        }
    }

    /// Every room's summary again, for a change of the store's health.
    pub fn refresh(&self) {
        let rooms: Vec<String> = self.rooms.iter().map(|r| r.key().clone()).collect();
        for room in rooms {
            self.merge(&room);
        }
    }

    /// A room's own summary changed on this broker.
    fn local(&self, summary: RoomSummary) {
        let room = summary.room.clone();
        if let Some(outbox) = self.outbox.get() {
            let _ = outbox.send(summary.clone());
        }
        self.local.insert(room.clone(), summary);
        self.merge(&room);
    }

    /// The summary dashboards are told for `room`: the state of the
    /// highest seq among this broker's and the others', screens added up,
    /// warnings made again; sent when it changed.
    fn merge(&self, room: &str) {
        let mut parts: Vec<RoomSummary> = self
            .local
            .get(room)
            .map(|s| s.clone())
            .into_iter()
            .collect();
        parts.extend(
            self.remote
                .iter()
                .filter(|e| e.key().0 == room)
                .map(|e| e.value().0.clone()),
        );
        let Some(mut merged) = parts.iter().max_by_key(|s| s.seq).cloned() else {
            return;
        };
        let screens = merged_screens(&parts);
        merged = floor_core::summary::with_context(merged, screens, self.health.available());
        if self.rooms.get(room).is_some_and(|held| *held == merged) {
            return;
        }
        self.rooms.insert(room.to_owned(), merged.clone());
        let message = LiveMessage::Room {
            server_time_ms: crate::room::now_ms(),
            summary: merged,
        };
        if let Ok(text) = serde_json::to_string(&message) {
            let _ = self.feed.send(Utf8Bytes::from(text));
        }
    }
}

fn add(a: Screens, b: Screens) -> Screens {
    Screens {
        chair: a.chair + b.chair,
        moderator: a.moderator + b.moderator,
        runner: a.runner + b.runner,
        display: a.display + b.display,
        participant: a.participant + b.participant,
    }
}

fn merged_screens(parts: &[RoomSummary]) -> Screens {
    parts
        .iter()
        .fold(Screens::default(), |sum, s| add(sum, s.screens))
}

/// One room's part of the feed, shared by its task and its connections.
#[derive(Debug)]
pub struct RoomLive {
    id: String,
    live: Arc<Live>,
    /// Screens connected here, per role (in `Role::ALL`'s order).
    screens: [AtomicU32; 5],
    /// The room's state summary, screens and warnings aside.
    state: std::sync::Mutex<Option<RoomSummary>>,
}

impl RoomLive {
    /// The part of room `id` in `live`.
    pub fn new(id: &str, live: Arc<Live>) -> Arc<RoomLive> {
        Arc::new(RoomLive {
            id: id.to_owned(),
            live,
            screens: Default::default(),
            state: std::sync::Mutex::new(None),
        })
    }

    /// The room's state changed (a commit applied, or the room loaded).
    pub fn set_state(&self, view: &RoomView) {
        let summary = floor_core::summary::summarize(&self.id, view);
        match self.state.lock() {
            Ok(mut held) => *held = Some(summary),
            Err(poisoned) => *poisoned.into_inner() = Some(summary),
        }
        self.publish();
    }

    /// Counts a screen of `role` until the guard is dropped.
    pub fn screen(self: &Arc<Self>, role: Role) -> ScreenGuard {
        let index = role_index(role);
        self.screens[index].fetch_add(1, Ordering::AcqRel);
        self.publish();
        ScreenGuard {
            room: self.clone(),
            index,
        }
    }

    fn counts(&self) -> Screens {
        let n = |role: Role| self.screens[role_index(role)].load(Ordering::Acquire);
        Screens {
            chair: n(Role::Chair),
            moderator: n(Role::Moderator),
            runner: n(Role::Runner),
            display: n(Role::Display),
            participant: n(Role::Participant),
        }
    }

    fn publish(&self) {
        let state = match self.state.lock() {
            Ok(held) => held.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        // A room not loaded yet has no state to tell.
        let Some(mut summary) = state else {
            return;
        };
        summary.screens = self.counts();
        self.live.local(summary);
    }
}

fn role_index(role: Role) -> usize {
    Role::ALL.iter().position(|r| *r == role).unwrap_or(0)
}

/// A screen counted in its room's summary while it is held.
#[derive(Debug)]
pub struct ScreenGuard {
    room: Arc<RoomLive>,
    index: usize,
}

impl Drop for ScreenGuard {
    fn drop(&mut self) {
        self.room.screens[self.index].fetch_sub(1, Ordering::AcqRel);
        self.room.publish();
    }
}

/// Every second: every summary made again when the store's health
/// changed (the warning `storage_degraded`), and other brokers' stale
/// summaries dropped. Ends when the broker stops.
pub async fn tend(live: Arc<Live>, shutdown: tokio_util::sync::CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut available = live.health.available();
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let now = live.health.available();
        if now != available {
            available = now;
            live.refresh();
        }
        live.expire();
    }
}
