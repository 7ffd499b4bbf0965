//! Attendance: the participant pages connected to a room, per channel, and
//! the task that records a new peak in the room's log (event
//! `attendance_recorded`), so the session report can give the peak.

use std::sync::{Arc, Weak};

use floor_protocol::{Attendance, Channel, Command};
use tokio::sync::watch;

use crate::limits::ATTENDANCE_INTERVAL;
use crate::room::RoomHandle;

/// The participant pages connected to a room now, per declared channel.
#[derive(Debug)]
pub struct Presence {
    connected: watch::Sender<Attendance>,
}

impl Default for Presence {
    fn default() -> Self {
        Presence {
            connected: watch::Sender::new(Attendance::default()),
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

    /// The pages connected now.
    pub fn now(&self) -> Attendance {
        *self.connected.borrow()
    }

    fn watch(&self) -> watch::Receiver<Attendance> {
        self.connected.subscribe()
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
pub async fn record_peaks(room: Weak<RoomHandle>, peak: Option<Attendance>) {
    let Some(mut connected) = room.upgrade().map(|r| r.presence.watch()) else {
        return;
    };
    let mut peak = peak.unwrap_or_default();
    loop {
        let now = *connected.borrow_and_update();
        if now.exceeds(peak) {
            let Some(handle) = room.upgrade() else { return };
            let request_id = format!("attendance-{}", uuid::Uuid::new_v4());
            let command = Command::RecordAttendance { connected: now };
            match handle.run_as_chair(&request_id, command).await {
                Ok(()) => peak = peak.max(now),
                Err(error) => {
                    tracing::warn!(room = %handle.info.id, %error, "attendance not recorded; retrying")
                }
            }
            drop(handle);
            tokio::time::sleep(ATTENDANCE_INTERVAL).await;
            continue;
        }
        if connected.changed().await.is_err() {
            return;
        }
    }
}

/// A room that records its attendance holds its handle only weakly.
pub(crate) fn spawn(
    room: &Arc<RoomHandle>,
    peak: Option<Attendance>,
    tasks: &tokio_util::task::TaskTracker,
    lane: &tokio::runtime::Handle,
) {
    tasks.spawn_on(record_peaks(Arc::downgrade(room), peak), lane);
}
