//! The brokers of a run: started on the setup's store, put through the
//! chaos (kills and restarts, cut and stalled connections, a blow
//! halfway), and stopped cleanly at the end to read the log they kept.

use std::time::{Duration, Instant};

use floor_protocol::RoomEvent;
use rand::Rng;

use super::checks::read_shared_log;
use super::{ChaosProxy, Figures, NO_BUDGET, Plan, Setup, SharedSetup};
use crate::Floor;

/// Broker A (the one killed, with the embedded store the only one) and,
/// on a shared store, broker B beside it.
pub(super) struct Brokers {
    /// Broker A; `None` while it is down, or once killed for good.
    a: Option<Floor>,
    /// Broker B, on a shared store.
    b: Option<Floor>,
    /// The shared store's part of the run.
    shared: Option<SharedSetup>,
}

impl Brokers {
    /// Starts the brokers of `setup` on `plan.data` (and beside it, for B).
    pub(super) fn start(plan: &Plan, setup: Setup) -> Brokers {
        let (shared, a, b) = match setup {
            // Its participants, all on one address, submit far faster than a
            // hall does: their per-address budget is off.
            Setup::Single => (None, Some(Floor::start_with(&plan.data, &NO_BUDGET)), None),
            Setup::Shared(shared) => {
                let replicas = shared.replicas.to_string();
                let args = [
                    "--store",
                    shared.servers.as_str(),
                    "--nats-replicas",
                    replicas.as_str(),
                    NO_BUDGET[0],
                    NO_BUDGET[1],
                ];
                let a = Floor::start_with(&plan.data, &args);
                let b_data = plan.data.with_file_name(format!(
                    "{}-b",
                    plan.data
                        .file_name()
                        .map_or("data".into(), |n| n.to_string_lossy())
                ));
                let b = Floor::start_with(&b_data, &args);
                (Some(shared), Some(a), Some(b))
            }
        };
        Brokers { a, b, shared }
    }

    /// Broker A, as started.
    pub(super) fn first(&self) -> &Floor {
        self.a.as_ref().expect("started")
    }

    /// The broker whose state is final: B when there is one, else A.
    pub(super) fn last(&self) -> Option<&Floor> {
        self.b.as_ref().or(self.a.as_ref())
    }

    /// Broker A when it runs beside B.
    pub(super) fn a_beside_b(&self) -> Option<&Floor> {
        self.b.as_ref().and(self.a.as_ref())
    }

    /// The proxies clients reach the room through: one to A, or (with two
    /// brokers) one to A falling back to B and one to B falling back to
    /// A. The first is the chair's, the last the staff's.
    pub(super) async fn proxies(&self) -> Vec<ChaosProxy> {
        let first = self.first();
        let mut proxies = Vec::new();
        match &self.b {
            None => proxies.push(ChaosProxy::start(first.addr).await),
            Some(b) => {
                proxies.push(ChaosProxy::start_to(vec![first.addr, b.addr]).await);
                proxies.push(ChaosProxy::start_to(vec![b.addr, first.addr]).await);
            }
        }
        proxies
    }

    /// The chaos: kills spread over the duration (or, with two brokers, one
    /// blow halfway), the network misbehaving all along. Lasts until every
    /// kill has happened, however long past the duration that takes (a
    /// slow machine restarts slowly).
    pub(super) async fn unleash(
        &mut self,
        plan: &Plan,
        proxies: &[ChaosProxy],
        figures: &mut Figures,
    ) {
        let interval = plan.duration / (plan.kills + 1);
        let mut next_kill = Instant::now() + interval;
        let end = Instant::now() + plan.duration;
        let halfway = Instant::now() + plan.duration / 2;
        let mut midway_done = self.shared.is_none();
        while Instant::now() < end || figures.crashes < plan.kills || !midway_done {
            let tick = Duration::from_millis(rand::rng().random_range(300..900));
            tokio::time::sleep(tick).await;
            for proxy in proxies {
                figures.cuts += proxy.cut_some(0.03);
                let pause = Duration::from_millis(rand::rng().random_range(200..2000));
                figures.stalls += proxy.stall_some(0.03, pause);
            }
            if !midway_done && Instant::now() >= halfway {
                self.midway(figures).await;
                midway_done = true;
            }
            if figures.crashes < plan.kills && Instant::now() >= next_kill {
                let jitter = rand::rng().random_range(0..interval.as_millis().max(1) as u64 / 2);
                next_kill = Instant::now() + interval / 2 + Duration::from_millis(jitter);
                self.restart_a(figures).await;
            }
        }
    }

    /// The blow halfway through a run on the shared store: broker A killed
    /// for good when the setup asks, then the setup's own action.
    async fn midway(&mut self, figures: &mut Figures) {
        let Some(setup) = self.shared.as_mut() else {
            return;
        };
        if setup.kill_broker
            && let Some(mut broker) = self.a.take()
        {
            broker.kill();
            figures.crashes += 1;
        }
        if let Some(midway) = setup.midway.take() {
            tokio::task::spawn_blocking(midway)
                .await
                .expect("the midway action");
        }
    }

    /// Kills broker A with SIGKILL and restarts it, timing the restart.
    async fn restart_a(&mut self, figures: &mut Figures) {
        let mut broker = self.a.take().expect("running");
        let restart = tokio::task::spawn_blocking(move || {
            let t = Instant::now();
            broker.restart();
            (broker, t.elapsed())
        })
        .await
        .expect("restarts");
        figures.restart_ms.push(restart.1.as_millis() as u64);
        self.a = Some(restart.0);
        figures.crashes += 1;
    }

    /// Stops every broker cleanly and reads the room's whole log from the
    /// store (the shared one straight from JetStream).
    pub(super) async fn stop_and_read_log(&mut self, plan: &Plan) -> Vec<RoomEvent> {
        match &self.shared {
            None => {
                let mut broker = self.a.take().expect("running");
                broker.terminate();
                let store =
                    floor_store::Store::open(&plan.data.join("floor.db")).expect("the store opens");
                floor_broker::read_log(&store, "chaos")
                    .expect("the log reads")
                    .0
            }
            Some(setup) => {
                for broker in [self.a.as_mut(), self.b.as_mut()].into_iter().flatten() {
                    broker.terminate();
                }
                read_shared_log(&setup.servers, "chaos").await
            }
        }
    }
}
