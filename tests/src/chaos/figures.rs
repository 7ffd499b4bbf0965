//! The figures of a run and their printed form: what the `chaos` binary
//! prints and the tests assert on.

use std::fmt;
use std::time::Duration;

/// One outage of a subscriber: from its disconnection to caught up.
#[derive(Debug, Default, Clone, Copy)]
pub struct Outage {
    /// Its length, in milliseconds.
    pub ms: u64,
    /// The reconnection attempts it took.
    pub attempts: u32,
    /// The time of it spent waiting out the client's backoff.
    pub backoff_ms: u64,
}

/// The figures of a run.
#[derive(Debug, Default, Clone)]
pub struct Figures {
    /// Broker crashes (SIGKILL) survived.
    pub crashes: u32,
    /// How long the load ran.
    pub ran: Duration,
    /// Writers (runner, moderator, participants) and the chair.
    pub writers: usize,
    /// Display subscribers.
    pub displays: usize,
    /// Connections the proxy cut.
    pub cuts: usize,
    /// Connections the proxy stalled.
    pub stalls: usize,
    /// Commands sent.
    pub issued: usize,
    /// Acknowledged and in the log once.
    pub ok: usize,
    /// Refused by the rules (and absent from the log, as they must be).
    pub refused: usize,
    /// Acknowledged but absent from the log.
    pub lost: usize,
    /// In the log more than once.
    pub duplicated: usize,
    /// In the log though refused or never sent.
    pub unexpected: usize,
    /// Unanswered, in the log at most once.
    pub unknown: usize,
    /// Events in the log.
    pub events: u64,
    /// Calls checked against the fairness policy.
    pub calls_checked: usize,
    /// Reconnections of display subscribers.
    pub reconnects: u64,
    /// Gaps seen by any subscriber.
    pub gaps: usize,
    /// Duplicate events seen by any subscriber.
    pub subscriber_duplicates: u64,
    /// Snapshots a subscriber needed after its first (resyncs).
    pub resyncs: u64,
    /// Subscribers whose final view equals the broker's.
    pub views_equal: usize,
    /// Staff and participant clients whose final view equals the broker's.
    pub client_views_equal: usize,
    /// With two brokers: both ended with the same room.
    pub brokers_equal: bool,
    /// Restart to serving, per crash, in milliseconds.
    pub restart_ms: Vec<u64>,
    /// A subscriber's reconnection to caught up, in milliseconds.
    pub resume_ms: Vec<u64>,
    /// A subscriber's disconnection to caught up, in milliseconds.
    pub outage_ms: Vec<u64>,
    /// The longest of those outages, and why it lasted.
    pub longest_outage: Option<Outage>,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The figures.
    pub figures: Figures,
    /// Every broken promise, described.
    pub failures: Vec<String>,
}

/// `median, p99, max (n)` of some durations in milliseconds (`none` for
/// none).
pub(crate) fn median_max(values: &[u64]) -> String {
    if values.is_empty() {
        return "none".into();
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let p99 = sorted[(sorted.len() * 99 / 100).min(sorted.len() - 1)];
    format!(
        "median {} ms, p99 {p99} ms, max {} ms (n = {})",
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1],
        sorted.len()
    )
}

impl fmt::Display for Figures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "chaos: {} broker crashes (SIGKILL) survived in {:.0} s; {} writers, {} displays; {} connections cut, {} stalled",
            self.crashes,
            self.ran.as_secs_f64(),
            self.writers,
            self.displays,
            self.cuts,
            self.stalls
        )?;
        writeln!(
            f,
            "commands: {} issued; ok {} (acknowledged, in the log once); refused by the rules {}; lost {}; duplicated {}; unexpected {}; unknown {}",
            self.issued,
            self.ok,
            self.refused,
            self.lost,
            self.duplicated,
            self.unexpected,
            self.unknown
        )?;
        writeln!(
            f,
            "log: {} events; {} calls replayed through the core, each the policy's choice",
            self.events, self.calls_checked
        )?;
        writeln!(
            f,
            "subscribers: {} reconnects; {} gaps; {} duplicate events; {} resyncs; final view equal to the broker's: {}/{}",
            self.reconnects,
            self.gaps,
            self.subscriber_duplicates,
            self.resyncs,
            self.views_equal,
            self.displays
        )?;
        writeln!(
            f,
            "staff and participant clients: final view equal to the broker's: {}/{}{}",
            self.client_views_equal,
            self.writers,
            if self.brokers_equal {
                "; both brokers ended with the same room"
            } else {
                ""
            }
        )?;
        writeln!(f, "restart to serving: {}", median_max(&self.restart_ms))?;
        writeln!(
            f,
            "screen reconnected to caught up: {}",
            median_max(&self.resume_ms)
        )?;
        write!(
            f,
            "screen disconnected to caught up: {}",
            median_max(&self.outage_ms)
        )?;
        if let Some(longest) = self.longest_outage {
            write!(
                f,
                "\nlongest outage: {} ms, {} reconnection attempts, {} ms of it in backoff",
                longest.ms, longest.attempts, longest.backoff_ms
            )?;
        }
        Ok(())
    }
}
