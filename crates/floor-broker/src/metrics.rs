//! The broker's Prometheus metrics, served as text at `GET /metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::time::Instant;

/// The buckets of a stage's time: 25 µs to 0.6 s, each 1.5 times the one
/// before, fine enough to tell a millisecond's tail.
fn stage_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_025, 1.5, 26))
}

/// When a command passed each stage of its way through the broker.
#[derive(Debug, Clone, Copy)]
pub struct Stamps {
    /// Read from its connection's socket.
    pub received: Instant,
    /// Taken up by its room's task, in a batch.
    pub taken: Instant,
    /// Its batch decided (the embedded log's rooms; a room of the shared
    /// store decides within its append).
    pub decided: Option<Instant>,
    /// Its batch stored, or refused.
    pub stored: Instant,
}

/// The `role` label.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RoleLabel {
    /// The role's wire name.
    pub role: &'static str,
}

/// The `reason` label.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    /// Why.
    pub reason: &'static str,
}

/// The stages of [`StageLabel`], in the order of a command's way.
const STAGES: [&str; 5] = ["wait", "decide", "store", "answer", "total"];

/// The `stage` label of a command's way through the broker.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StageLabel {
    /// The stage: `wait` (read from the socket, until the room's task
    /// takes it up), `decide` (the room's batch decided; the embedded log
    /// only), `store` (the batch stored: the group commit, or the shared
    /// store's append, deciding included), `answer` (stored, until the
    /// answer is written to the socket) and `total` (read, until written).
    pub stage: &'static str,
}

/// Every metric of the broker.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Open WebSocket connections past `hello`, by role.
    pub connections: Family<RoleLabel, Gauge>,
    /// Rooms served.
    pub rooms: Gauge,
    /// Rooms served whose state is in memory (an idle room's is dropped
    /// and loaded again by its next message).
    pub rooms_loaded: Gauge,
    /// Events appended to the log.
    pub events_appended: Counter,
    /// Time from handing a batch to the writer to its commit, in seconds.
    pub commit_seconds: Histogram,
    /// Where a command's time goes, by stage ([`StageLabel`]); answers
    /// written to their connection's socket only.
    pub command_stage_seconds: Family<StageLabel, Histogram>,
    /// The histograms of `command_stage_seconds`, made once: a command
    /// is counted without looking its stages up.
    stages: [Histogram; STAGES.len()],
    /// Subscribers closed by the broker, by reason (`lag`, `ping_timeout`,
    /// `abuse`).
    pub dropped: Family<ReasonLabel, Counter>,
    /// Commits to the shared store that another broker's append came
    /// before: the room caught up and decided them again.
    pub shared_conflicts: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A fresh set of metrics, registered.
    pub fn new() -> Metrics {
        Metrics::counting_conflicts(Counter::default())
    }

    /// A fresh set of metrics whose `shared_conflicts` is the shared
    /// store's own counter.
    pub fn counting_conflicts(shared_conflicts: Counter) -> Metrics {
        let mut registry = Registry::with_prefix("floor");
        let connections = Family::<RoleLabel, Gauge>::default();
        let rooms = Gauge::default();
        let rooms_loaded = Gauge::default();
        let events_appended = Counter::default();
        let commit_seconds = Histogram::new(exponential_buckets(0.000_1, 2.0, 16));
        let dropped = Family::<ReasonLabel, Counter>::default();
        let command_stage_seconds =
            Family::<StageLabel, Histogram>::new_with_constructor(stage_histogram as fn() -> _);
        let stages = STAGES.map(|stage| {
            command_stage_seconds
                .get_or_create(&StageLabel { stage })
                .clone()
        });
        registry.register(
            "connections",
            "Open WebSocket connections by role",
            connections.clone(),
        );
        registry.register("rooms", "Rooms served", rooms.clone());
        registry.register(
            "events_appended",
            "Events appended to the log",
            events_appended.clone(),
        );
        registry.register(
            "commit_seconds",
            "Latency of group commits to the log",
            commit_seconds.clone(),
        );
        registry.register(
            "command_stage_seconds",
            "Time of a command in each stage, from its read off the socket to its answer written: wait, decide, store, answer, total",
            command_stage_seconds.clone(),
        );
        registry.register(
            "shared_conflicts",
            "Commits to the shared store decided again because another broker appended first",
            shared_conflicts.clone(),
        );
        registry.register(
            "subscribers_dropped",
            "Connections closed by the broker, by reason",
            dropped.clone(),
        );
        registry.register(
            "rooms_loaded",
            "Rooms served whose state is in memory; an idle room's is dropped and loaded again by its next message",
            rooms_loaded.clone(),
        );
        Metrics {
            registry,
            connections,
            rooms,
            rooms_loaded,
            shared_conflicts,
            events_appended,
            commit_seconds,
            command_stage_seconds,
            stages,
            dropped,
        }
    }

    /// Counts the stages of one answered command, written to its socket
    /// at `written`.
    pub fn observe_command(&self, stamps: &Stamps, written: Instant) {
        let [wait, decide, store, answer, total] = &self.stages;
        let observe = |stage: &Histogram, from: Instant, to: Instant| {
            stage.observe(to.saturating_duration_since(from).as_secs_f64());
        };
        observe(wait, stamps.received, stamps.taken);
        let stored_from = match stamps.decided {
            Some(decided) => {
                observe(decide, stamps.taken, decided);
                decided
            }
            None => stamps.taken,
        };
        observe(store, stored_from, stamps.stored);
        observe(answer, stamps.stored, written);
        observe(total, stamps.received, written);
    }

    /// The metrics in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}
