//! Attendance: the participant pages connected to a room, per channel, and
//! the task that records a new peak in the room's log (event
//! `attendance_recorded`), so the session report can give the peak.
//!
//! With the shared store a room's pages are spread over several brokers:
//! each broker tells the others, on the core NATS subject
//! `floor.presence.{room}`, how many it holds ([`share`]), and counts the
//! room's attendance as its own pages plus the latest count of every other
//! broker heard from lately. A peak recorded by any broker reaches the
//! others through the log, so a peak is recorded once, not once per broker
//! (two brokers that see the same new peak at the same moment may both
//! record it: the report takes the larger of the records).

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use floor_protocol::{Attendance, Channel, Command};
use futures_util::StreamExt;
use tokio::sync::watch;

use crate::limits::ATTENDANCE_INTERVAL;
use crate::room::RoomHandle;
use crate::shared::{PresenceReport, Shared};

/// How often a broker of the shared store tells the others how many of a
/// room's participant pages it holds.
pub const SHARE_INTERVAL: Duration = Duration::from_secs(1);
/// How long another broker's count stands without a newer one (a broker
/// that stopped is no longer counted after this).
pub const SHARE_EXPIRY: Duration = Duration::from_secs(5);

/// The participant pages connected to a room now, per declared channel:
/// on this broker, on the others (shared store), and the peak the room's
/// log holds.
#[derive(Debug)]
pub struct Presence {
    connected: watch::Sender<Attendance>,
    elsewhere: watch::Sender<Attendance>,
    logged: watch::Sender<Attendance>,
}

impl Default for Presence {
    fn default() -> Self {
        Presence {
            connected: watch::Sender::new(Attendance::default()),
            elsewhere: watch::Sender::new(Attendance::default()),
            logged: watch::Sender::new(Attendance::default()),
        }
    }
}

impl Presence {
    /// Counts a participant page on `channel` until the guard is dropped.
    pub fn join(&self, channel: Channel) -> PresenceGuard<'_> {
        self.connected.send_modify(|a| *count(a, channel) += 1);
        PresenceGuard {
            presence: self,
            channel,
        }
    }

    /// The pages connected to this broker now.
    pub fn now(&self) -> Attendance {
        *self.connected.borrow()
    }

    /// The pages connected to the room now, on every broker.
    pub fn total(&self) -> Attendance {
        let here = self.now();
        let elsewhere = *self.elsewhere.borrow();
        Attendance {
            onsite: here.onsite.saturating_add(elsewhere.onsite),
            online: here.online.saturating_add(elsewhere.online),
        }
    }

    /// Sets the pages other brokers hold (the sum of their latest counts).
    pub fn set_elsewhere(&self, elsewhere: Attendance) {
        self.elsewhere.send_if_modified(|held| {
            let changed = *held != elsewhere;
            *held = elsewhere;
            changed
        });
    }

    /// Notes the peak the room's log holds now (from any broker's record).
    pub fn set_logged(&self, peak: Attendance) {
        self.logged.send_if_modified(|held| {
            let changed = *held != peak;
            *held = peak;
            changed
        });
    }
}

fn count(attendance: &mut Attendance, channel: Channel) -> &mut u32 {
    match channel {
        Channel::Onsite => &mut attendance.onsite,
        Channel::Online => &mut attendance.online,
    }
}

/// A participant page counted as connected; dropping it uncounts it.
#[derive(Debug)]
pub struct PresenceGuard<'a> {
    presence: &'a Presence,
    channel: Channel,
}

impl Drop for PresenceGuard<'_> {
    fn drop(&mut self) {
        let channel = self.channel;
        self.presence.connected.send_modify(|a| {
            let n = count(a, channel);
            *n = n.saturating_sub(1);
        });
    }
}

/// Records every new peak of `room`'s attendance, at most once per
/// [`ATTENDANCE_INTERVAL`]: whenever either channel's count passes the
/// peak in the room's log, the counts connected now are recorded. A
/// record the room refuses (storage down) is tried again after the
/// interval. Ends when the room is gone.
pub async fn record_peaks(room: Weak<RoomHandle>) {
    let Some((mut here, mut elsewhere, mut logged)) = room.upgrade().map(|r| {
        (
            r.presence.connected.subscribe(),
            r.presence.elsewhere.subscribe(),
            r.presence.logged.subscribe(),
        )
    }) else {
        return;
    };
    let mut recorded = Attendance::default();
    loop {
        here.borrow_and_update();
        elsewhere.borrow_and_update();
        let peak = recorded.max(*logged.borrow_and_update());
        let Some(handle) = room.upgrade() else { return };
        let now = handle.presence.total();
        if now.exceeds(peak) {
            let request_id = format!("attendance-{}", uuid::Uuid::new_v4());
            let command = Command::RecordAttendance { connected: now };
            match handle.run_as_chair(&request_id, command).await {
                Ok(()) => recorded = peak.max(now),
                Err(error) => {
                    tracing::warn!(room = %handle.info.id, %error, "attendance not recorded; retrying")
                }
            }
            drop(handle);
            tokio::time::sleep(ATTENDANCE_INTERVAL).await;
            continue;
        }
        drop(handle);
        let changed = tokio::select! {
            changed = here.changed() => changed,
            changed = elsewhere.changed() => changed,
            changed = logged.changed() => changed,
        };
        if changed.is_err() {
            return;
        }
    }
}

/// Tells the other brokers of the shared store, every [`SHARE_INTERVAL`],
/// how many of `room`'s participant pages this broker holds, and sums
/// theirs into the room's [`Presence`]. Ends when the room is gone.
pub async fn share(room: Weak<RoomHandle>, shared: Arc<Shared>) {
    let Some(id) = room.upgrade().map(|r| r.info.id.clone()) else {
        return;
    };
    let reports = loop {
        match shared.presence_reports(&id).await {
            Ok(reports) => break reports,
            Err(error) => {
                tracing::warn!(room = %id, %error, "cannot hear other brokers' attendance; retrying");
                tokio::time::sleep(SHARE_INTERVAL).await;
                if room.strong_count() == 0 {
                    return;
                }
            }
        }
    };
    let mut reports = std::pin::pin!(reports);
    let mut others: HashMap<uuid::Uuid, (Attendance, Instant)> = HashMap::new();
    let mut tick = tokio::time::interval(SHARE_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let Some(handle) = room.upgrade() else { return };
                shared.report_presence(&id, handle.presence.now()).await;
            }
            report = reports.next() => match report {
                Some(PresenceReport { broker, connected }) if broker != shared.broker_id() => {
                    others.insert(broker, (connected, Instant::now()));
                }
                Some(_) => {}
                None => return,
            },
        }
        others.retain(|_, (_, at)| at.elapsed() < SHARE_EXPIRY);
        let elsewhere = others
            .values()
            .fold(Attendance::default(), |sum, (n, _)| Attendance {
                onsite: sum.onsite.saturating_add(n.onsite),
                online: sum.online.saturating_add(n.online),
            });
        let Some(handle) = room.upgrade() else { return };
        handle.presence.set_elsewhere(elsewhere);
    }
}

/// Starts the tasks that record a room's attendance (and, with the shared
/// store, share it with the other brokers); they hold the room's handle
/// only weakly.
pub(crate) fn spawn(
    room: &Arc<RoomHandle>,
    peak: Option<Attendance>,
    shared: Option<Arc<Shared>>,
    tasks: &tokio_util::task::TaskTracker,
    lane: &tokio::runtime::Handle,
) {
    if let Some(peak) = peak {
        room.presence.set_logged(peak);
    }
    tasks.spawn_on(record_peaks(Arc::downgrade(room)), lane);
    if let Some(shared) = shared {
        tasks.spawn_on(share(Arc::downgrade(room), shared), lane);
    }
}
