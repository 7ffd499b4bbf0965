//! The broker's Prometheus metrics, served as text at `GET /metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

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
            dropped,
        }
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
