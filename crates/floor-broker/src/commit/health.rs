//! The store's health as the broker sees it: whether it takes writes, why
//! not, the rooms whose task died, and the recoveries rooms reload after.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::watch;

/// Whether the store takes writes (and if not, why), the rooms whose task
/// died, and a counter of recoveries that rooms watch to reload from the
/// log: what `/healthz` reports.
#[derive(Debug)]
pub struct Health {
    available: AtomicBool,
    /// Why writes are refused for good (the log's file damaged, deleted or
    /// replaced), until an operator restarts the broker.
    stopped: Mutex<Option<String>>,
    /// Why writes are refused now, while `available` is off.
    reason: Mutex<Option<String>>,
    /// Rooms whose task died and does not serve yet.
    failed_rooms: Mutex<BTreeSet<String>>,
    recoveries: watch::Sender<u64>,
}

impl Default for Health {
    fn default() -> Health {
        Health::new()
    }
}

/// The value behind a lock, even one a panicking thread held.
fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Health {
    /// A healthy store's health.
    pub fn new() -> Health {
        Health {
            available: AtomicBool::new(true),
            stopped: Mutex::new(None),
            reason: Mutex::new(None),
            failed_rooms: Mutex::new(BTreeSet::new()),
            recoveries: watch::Sender::new(0),
        }
    }

    /// Records whether the store takes writes; becoming available again
    /// counts as a recovery (rooms catch up with the log).
    pub fn set_available(&self, available: bool) {
        let was = self.available.swap(available, Ordering::AcqRel);
        if available {
            *locked(&self.reason) = None;
            if !was {
                self.recoveries.send_modify(|n| *n += 1);
            }
        }
    }

    /// Records that the store takes no writes now, and why.
    pub fn refuse(&self, reason: impl Into<String>) {
        *locked(&self.reason) = Some(reason.into());
        self.available.store(false, Ordering::Release);
    }

    /// Whether writes are accepted.
    pub fn available(&self) -> bool {
        self.available.load(Ordering::Acquire) && !self.stopped()
    }

    /// Whether writes are refused for good (see [`Health::stop_for_good`]).
    pub fn stopped(&self) -> bool {
        locked(&self.stopped).is_some()
    }

    /// Records that the log's file is damaged, deleted or replaced: no
    /// write is taken again until an operator restores it and restarts the
    /// broker. The first reason is kept.
    pub fn stop_for_good(&self, reason: impl Into<String>) {
        locked(&self.stopped).get_or_insert_with(|| reason.into());
    }

    /// Records that a room's task died (`true`) or serves again.
    pub fn set_room_failed(&self, room: &str, failed: bool) {
        let mut rooms = locked(&self.failed_rooms);
        if failed {
            rooms.insert(room.to_owned());
        } else {
            rooms.remove(room);
        }
    }

    /// The rooms whose task died and does not serve yet.
    pub fn failed_rooms(&self) -> Vec<String> {
        locked(&self.failed_rooms).iter().cloned().collect()
    }

    /// Why writes are refused, if they are: the reason they stopped for
    /// good, or else the last failure.
    pub fn storage_problem(&self) -> Option<String> {
        if let Some(reason) = locked(&self.stopped).clone() {
            return Some(reason);
        }
        if self.available.load(Ordering::Acquire) {
            return None;
        }
        Some(
            locked(&self.reason)
                .clone()
                .unwrap_or_else(|| "the store is unavailable".into()),
        )
    }

    /// A receiver that changes each time the store recovers.
    pub fn recoveries(&self) -> watch::Receiver<u64> {
        self.recoveries.subscribe()
    }
}
