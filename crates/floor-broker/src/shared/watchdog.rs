//! Moving to another NATS server when the one this broker is connected to
//! cannot reach the stream.
//!
//! A NATS server cut off from the rest of its cluster (a minority
//! partition) keeps its clients' connections: they look healthy while no
//! append or read through them is answered. The majority elects a new
//! stream leader and goes on; a broker still connected to the lone server
//! would wait for the partition to heal. So every answer from JetStream
//! (an append's acknowledgement, a read) is noted, and a broker that has
//! had none for [`SWITCH_AFTER`] while connected reconnects, to a server
//! of its list picked at random: NATS's election timeout is 4 s at least,
//! so a broker on the lone server has most likely moved to the majority's
//! side by the time the majority has a new leader, and goes on as soon as
//! that leader takes appends; a broker on a server that can receive but
//! not send moves within 2 s. While NATS elects a leader for any other
//! reason, a broker may move once or twice for nothing (a reconnection on
//! a local network takes milliseconds, and a commit waits for it).

use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use super::Shared;

/// How long a broker goes without any answer from JetStream, though
/// connected and asking, before it reconnects to another server.
pub const SWITCH_AFTER: Duration = Duration::from_millis(1500);
/// How often the watchdog looks.
const LOOK_EVERY: Duration = Duration::from_millis(200);

/// Since when JetStream has not answered this broker (`None`: it did,
/// last time it was asked).
#[derive(Debug, Default)]
pub(super) struct Silence(Mutex<Option<Instant>>);

impl Silence {
    /// JetStream answered (an acknowledgement, a refusal, a read).
    pub(super) fn heard(&self) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// A request got no answer (none in time, or no responders).
    pub(super) fn unheard(&self) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert_with(Instant::now);
    }

    /// How long JetStream has been silent, restarting the count.
    fn take_if_longer(&self, than: Duration) -> bool {
        let mut since = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match *since {
            Some(at) if at.elapsed() >= than => {
                *since = Some(Instant::now());
                true
            }
            _ => false,
        }
    }
}

/// Starts the watchdog of `shared`; it ends with the last reference to it.
pub(super) fn spawn(shared: &Arc<Shared>) {
    let weak: Weak<Shared> = Arc::downgrade(shared);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(LOOK_EVERY).await;
            let Some(shared) = weak.upgrade() else { return };
            let connected =
                shared.client.connection_state() == async_nats::connection::State::Connected;
            if connected && shared.silence.take_if_longer(SWITCH_AFTER) {
                tracing::warn!(
                    server = %shared.client.server_info().server_name,
                    "no answer from JetStream through this NATS server for {SWITCH_AFTER:?}; reconnecting to another"
                );
                if let Err(error) = shared.client.force_reconnect().await {
                    tracing::warn!(%error, "reconnecting to NATS failed");
                }
            }
        }
    });
}
