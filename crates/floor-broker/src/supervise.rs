//! Supervision: the writer thread and every room task are restarted after
//! a panic, and what is dead meanwhile shows in `/healthz`.
//!
//! A room task that panics loses its state in memory, never the log: its
//! supervisor marks the room failed ([`Health::set_room_failed`]), folds it
//! again from its log (the checkpoint and the events after it, as a start
//! does) and serves it with a new task on the same queue. Its subscribers
//! are closed (1001, "room closed") when the dead task's broadcast channel
//! goes, and resume from their last seq: the events the log holds that a
//! subscriber did not see reach it then. The commands of the batch the
//! panic interrupted get no answer: their clients re-send them with the
//! same request id when they reconnect, and the room's receipts make each
//! take effect once. While the room cannot be loaded (the store is down
//! too), its commands are answered `storage_unavailable`, its reads closed,
//! and it tries again every second.
//!
//! The writer thread's supervisor is `commit::supervise`.

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use tokio::sync::{mpsc, watch};

use crate::commit::Health;
use crate::room::{Ended, RoomActor, RoomMsg};

/// Pause between attempts to load a room whose task died.
const RELOAD_EVERY: Duration = Duration::from_secs(1);

/// The message a panic carried, as text.
pub fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// Runs a room's task, and a new one from the log after each panic.
pub(crate) async fn room_task(
    mut actor: RoomActor,
    mut rx: mpsc::Receiver<RoomMsg>,
    mut recoveries: watch::Receiver<u64>,
    health: Arc<Health>,
) {
    loop {
        let restart = actor.restart();
        let ran = std::panic::AssertUnwindSafe(actor.run(&mut rx, &mut recoveries))
            .catch_unwind()
            .await;
        let panic = match ran {
            Ok(Ended::Closed) => {
                restart.closed();
                return;
            }
            // Idle: the state is gone until the room's next message.
            Ok(Ended::Unloaded { last_at }) => {
                match restart.wake(&mut rx, &mut recoveries, last_at).await {
                    Some(next) => actor = next,
                    None => return,
                }
                continue;
            }
            Err(panic) => panic,
        };
        let id = restart.id().to_owned();
        health.set_room_failed(&id, true);
        tracing::error!(
            room = %id,
            panic = %panic_message(panic.as_ref()),
            "the room's task panicked; it is loaded again from the log"
        );
        let Some(next) = reload(restart, &mut rx).await else {
            return;
        };
        actor = next;
        health.set_room_failed(&id, false);
        tracing::warn!(room = %id, "the room serves again, as loaded from the log");
    }
}

/// Loads a room whose task died from its log, trying again every
/// [`RELOAD_EVERY`]; meanwhile its commands are answered
/// `storage_unavailable` and its reads closed. `None` when the room's
/// queue closed (the broker stops).
async fn reload(
    restart: crate::room::Restart,
    rx: &mut mpsc::Receiver<RoomMsg>,
) -> Option<RoomActor> {
    loop {
        match restart.load().await {
            Ok(loaded) => return Some(restart.actor(loaded)),
            Err(error) => {
                tracing::error!(room = %restart.id(), %error, "the room could not be loaded again; retrying");
            }
        }
        let wait = tokio::time::sleep(RELOAD_EVERY);
        tokio::pin!(wait);
        loop {
            tokio::select! {
                () = &mut wait => break,
                msg = rx.recv() => match msg {
                    Some(RoomMsg::Command(command)) => crate::room::answer_unavailable(&command),
                    // Dropped: the connection closes and resumes later.
                    Some(_) => {}
                    None => return None,
                },
            }
        }
    }
}

/// Test builds only: arms the named site to fail once, to exercise the
/// supervisors. Sites: "writer" (the data path; the writer panics at its
/// next commit), "writer-reopen" (the data path; its next reopen fails),
/// "room" (a room id; its task panics at its next batch),
/// "room-load" (a room id; its next load after a panic fails).
#[cfg(test)]
pub(crate) fn arm_fault(site: &str, key: &str) {
    faults().insert(format!("{site}:{key}"));
}

#[cfg(test)]
fn faults() -> std::sync::MutexGuard<'static, std::collections::HashSet<String>> {
    static FAULTS: std::sync::OnceLock<std::sync::Mutex<std::collections::HashSet<String>>> =
        std::sync::OnceLock::new();
    FAULTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether a test armed this site to fail now ([`arm_fault`]; once).
#[cfg(test)]
pub(crate) fn fault(site: &str, key: impl std::fmt::Display) -> bool {
    faults().remove(&format!("{site}:{key}"))
}

/// Whether a test armed this site to fail now: never, outside tests.
#[cfg(not(test))]
#[inline(always)]
pub(crate) fn fault(_site: &str, _key: impl std::fmt::Display) -> bool {
    false
}

#[cfg(test)]
#[path = "supervise_tests.rs"]
mod tests;
