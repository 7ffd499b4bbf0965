//! The chaos harness: a room under load from writers (mic runner, online
//! moderator, participants), a chair calling `next`, and many display
//! subscribers, all through a proxy that cuts and stalls connections,
//! while the broker is killed with SIGKILL at random moments and
//! restarted. At the end it checks, from the outside:
//!
//! - every command, classified as Jepsen's queue checker does: acknowledged
//!   and in the log once (`ok`), acknowledged and absent (`lost`), in the
//!   log more than once (`duplicated`), in the log though refused or never
//!   sent (`unexpected`), unanswered and in the log at most once
//!   (`unknown`); an acknowledgement's seq range is the one in the log;
//! - the calls, replayed through the core, follow the fairness policy
//!   (each `next` called what `floor_core::fairness::next_choice` names);
//! - every subscriber's events were gapless and duplicate-free across its
//!   reconnects, and its final view equals the broker's snapshot;
//! - how long the broker took from restart to serving, and screens from
//!   reconnecting to caught up.
//!
//! `run` returns the figures and every failure; the `chaos` binary prints
//! them (`scripts/chaos` is the long run), and `tests/chaos.rs` runs a
//! short one in the test suite.
//!
//! # Layout
//! - `actors`: the writers, the chair and the displays, and the ledger of
//!   every command they sent.
//! - `brokers`: starting the brokers, the chaos itself, the final log.
//! - `checks`: every check made once the load stops.
//! - `figures`: [`Figures`], [`Outcome`] and their printed form.
//! - `net`: [`ChaosProxy`], the proxy that cuts and stalls connections.

mod actors;
mod brokers;
mod checks;
mod figures;
mod net;

pub use actors::draft;
pub(crate) use actors::wants_withdraw;
pub use checks::{applications, check_fairness, read_shared_log};
pub(crate) use figures::median_max;
pub use figures::{Figures, Outage, Outcome};
pub use net::ChaosProxy;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actors::{Displays, Ledger, Writers};
use brokers::Brokers;
use checks::{check_log, final_views};

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// How long the load lasts at least (it goes on until every kill has
    /// happened).
    pub duration: Duration,
    /// How many times the broker is killed (spread over the duration).
    pub kills: u32,
    /// Participants submitting for themselves (besides the mic runner and
    /// the online moderator).
    pub participants: usize,
    /// Display subscribers.
    pub displays: usize,
    /// The broker's data directory.
    pub data: PathBuf,
}

/// Where the room is served.
pub enum Setup {
    /// One broker on the embedded store, killed and restarted
    /// `plan.kills` times.
    Single,
    /// Two brokers, A and B, on a shared store (NATS JetStream): the chair
    /// and half the displays reach the room through A, the runner, the
    /// moderator, the participants and the other displays through B (each
    /// through a proxy that falls back to the other broker, as a load
    /// balancer does).
    Shared(SharedSetup),
}

/// The shared store's part of a run.
pub struct SharedSetup {
    /// The NATS servers, as `--store` takes them.
    pub servers: String,
    /// The stream's replicas.
    pub replicas: usize,
    /// Kill broker A with SIGKILL halfway through (its clients fail over
    /// to B).
    pub kill_broker: bool,
    /// Something done halfway through (e.g. killing a NATS node).
    pub midway: Option<Box<dyn FnOnce() + Send>>,
}

/// Runs the plan on one broker with the embedded store.
pub async fn run(plan: &Plan) -> Outcome {
    run_with(plan, Setup::Single).await
}

/// The `serve` flags that turn off the participants' submission budget.
pub const NO_BUDGET: [&str; 2] = ["--participant-submits-per-minute", "0"];

/// Runs the plan on the given setup, phase by phase: start the brokers and
/// the actors, let the chaos loose, stop the writers, bring every client to
/// the final state and compare, then stop the brokers and check the log.
pub async fn run_with(plan: &Plan, setup: Setup) -> Outcome {
    let mut outcome = Outcome::default();
    let mut brokers = Brokers::start(plan, setup);
    let tokens = brokers.first().create_room("chaos").await;
    let proxies = brokers.proxies().await;
    let chair_proxy = &proxies[0];
    let staff_proxy = proxies.last().expect("a proxy");
    let ledger: Ledger = Arc::default();
    let started = Instant::now();
    let writers = Writers::start(plan, staff_proxy, chair_proxy, &tokens, &ledger).await;
    let displays = Displays::start(plan, &proxies, &tokens).await;

    brokers.unleash(plan, &proxies, &mut outcome.figures).await;
    let clients = writers.stop().await;
    let figures = &mut outcome.figures;
    figures.ran = started.elapsed();
    figures.writers = plan.participants + 3;
    figures.displays = plan.displays;

    let snapshot_seq = final_views(&brokers, &tokens, displays, clients, &mut outcome).await;
    let log = brokers.stop_and_read_log(plan).await;
    check_log(&log, &ledger, snapshot_seq, &mut outcome);
    outcome
}
