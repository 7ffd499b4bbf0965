//! Attendance: the participant pages connected to a room, per channel, and
//! the task that records a new peak in the room's log (event
//! `attendance_recorded`), so the session report can give the peak.
//!
//! A peak is recorded once it has lasted [`PEAK_SUSTAIN`]: a page that
//! reconnects (to this broker, or to another after its broker went away)
//! is briefly counted twice, and such a blip is not a peak.
//!
//! With the shared store a room's pages are spread over several brokers:
//! each broker tells the others, on the core NATS subject
//! `floor.presence.{room}`, how many it holds ([`share`]), and counts the
//! room's attendance as its own pages plus the latest count of every other
//! broker heard from within [`SHARE_EXPIRY`]. Every broker may record a
//! peak; a peak recorded by one reaches the others through the log and is
//! not recorded again by them, except by a broker that decided its own
//! record before that one reached it (the report takes the larger of the
//! records, so a repeated record changes nothing).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use floor_protocol::limits::ATTENDANCE_MAX;
use floor_protocol::{Attendance, Channel, Command};
use futures_util::StreamExt;
use tokio::sync::watch;

use crate::limits::ATTENDANCE_INTERVAL;
use crate::room::RoomHandle;
use crate::shared::{PresenceReport, Shared};

/// How often a broker of the shared store tells the others how many of a
/// room's participant pages it holds (while it holds any; a count that
/// fell to zero is told once).
pub const SHARE_INTERVAL: Duration = Duration::from_secs(1);
/// How long another broker's count stands without a newer one (a broker
/// that stopped is no longer counted after this): three missed reports.
pub const SHARE_EXPIRY: Duration = Duration::from_secs(3);
/// How long the attendance must stay above the logged peak before it is
/// recorded: well past the time another broker's count stands after it is
/// gone ([`SHARE_EXPIRY`] after its last report, which may have been
/// [`SHARE_INTERVAL`] on its way).
pub const PEAK_SUSTAIN: Duration = Duration::from_secs(6);
/// How long a broker waits to hand its count to NATS before it skips it
/// (the next tick sends it again).
const TELL_TIMEOUT: Duration = Duration::from_millis(250);

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

    /// The pages connected to the room now, on every broker (each
    /// channel's count capped at the protocol's limit).
    pub fn total(&self) -> Attendance {
        sum(self.now(), *self.elsewhere.borrow())
    }

    /// Sets the pages other brokers hold (the sum of their latest counts).
    pub fn set_elsewhere(&self, elsewhere: Attendance) {
        set_if_changed(&self.elsewhere, elsewhere);
    }

    /// Notes the peak the room's log holds now (from any broker's record).
    pub fn set_logged(&self, peak: Attendance) {
        set_if_changed(&self.logged, peak);
    }
}

/// Sets a watched count, waking its watchers only when it changed.
fn set_if_changed(sender: &watch::Sender<Attendance>, value: Attendance) {
    sender.send_if_modified(|held| {
        let changed = *held != value;
        *held = value;
        changed
    });
}

fn count(attendance: &mut Attendance, channel: Channel) -> &mut u32 {
    match channel {
        Channel::Onsite => &mut attendance.onsite,
        Channel::Online => &mut attendance.online,
    }
}

/// Two counts added, each channel capped at [`ATTENDANCE_MAX`].
fn sum(a: Attendance, b: Attendance) -> Attendance {
    Attendance {
        onsite: a.onsite.saturating_add(b.onsite).min(ATTENDANCE_MAX),
        online: a.online.saturating_add(b.online).min(ATTENDANCE_MAX),
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

/// The attendance over the last [`PEAK_SUSTAIN`]: each channel's lowest
/// count in that time is the count that lasted.
#[derive(Debug, Default)]
struct Sustained {
    /// Each count and when it began, oldest first; the first began at or
    /// before the window's start.
    counts: VecDeque<(Instant, Attendance)>,
}

impl Sustained {
    /// Notes the count now (if it changed).
    fn note(&mut self, now: Instant, count: Attendance) {
        if self.counts.back().is_none_or(|(_, last)| *last != count) {
            self.counts.push_back((now, count));
        }
        let start = now.checked_sub(PEAK_SUSTAIN).unwrap_or(now);
        while self.counts.get(1).is_some_and(|(at, _)| *at <= start) {
            self.counts.pop_front();
        }
    }

    /// Each channel's lowest count over the window, if the counts go back
    /// that far.
    fn lasted(&self, now: Instant) -> Option<Attendance> {
        let (first, _) = self.counts.front()?;
        if now.duration_since(*first) < PEAK_SUSTAIN {
            return None;
        }
        self.counts
            .iter()
            .map(|(_, count)| *count)
            .reduce(Attendance::min)
    }
}

/// Records every new peak of `room`'s attendance once it has lasted
/// [`PEAK_SUSTAIN`], at most once per [`ATTENDANCE_INTERVAL`]: whenever
/// either channel's lasting count passes the peak in the room's log, that
/// count is recorded. A record the room refuses (storage down) is tried
/// again after the interval. Ends when the room is gone.
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
    let mut sustained = Sustained::default();
    loop {
        here.borrow_and_update();
        elsewhere.borrow_and_update();
        let peak = recorded.max(*logged.borrow_and_update());
        let Some(handle) = room.upgrade() else { return };
        let total = handle.presence.total();
        let now = Instant::now();
        sustained.note(now, total);
        if let Some(lasted) = sustained.lasted(now).filter(|l| l.exceeds(peak)) {
            let request_id = format!("attendance-{}", uuid::Uuid::new_v4());
            let command = Command::RecordAttendance { connected: lasted };
            match handle.run_as_chair(&request_id, command).await {
                Ok(()) => recorded = peak.max(lasted),
                Err(error) => {
                    tracing::warn!(room = %handle.id, %error, "attendance not recorded; retrying")
                }
            }
            drop(handle);
            tokio::time::sleep(ATTENDANCE_INTERVAL).await;
            continue;
        }
        drop(handle);
        // Above the peak but not for long enough yet: look again as the
        // window moves on.
        let again = total
            .exceeds(peak)
            .then(|| tokio::time::Instant::now() + SHARE_INTERVAL);
        let changed = tokio::select! {
            changed = here.changed() => changed,
            changed = elsewhere.changed() => changed,
            changed = logged.changed() => changed,
            () = sleep_until(again) => Ok(()),
        };
        if changed.is_err() {
            return;
        }
    }
}

/// Tells the other brokers of the shared store how many of `room`'s
/// participant pages this broker holds (every [`SHARE_INTERVAL`] while it
/// holds any), and sums their counts into the room's [`Presence`]. Ends
/// when the room is gone, telling the others its count is zero.
pub async fn share(room: Weak<RoomHandle>, shared: Arc<Shared>) {
    let Some(id) = room.upgrade().map(|r| r.id.clone()) else {
        return;
    };
    let mut tick = tokio::time::interval(SHARE_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut told = Attendance::default();
    loop {
        let reports = match shared.presence_reports(&id).await {
            Ok(reports) => reports,
            Err(error) => {
                tracing::warn!(room = %id, %error, "cannot hear other brokers' attendance; retrying");
                tick.tick().await;
                if room.strong_count() == 0 {
                    return;
                }
                continue;
            }
        };
        let mut reports = std::pin::pin!(reports);
        let mut others: HashMap<uuid::Uuid, (Attendance, Instant)> = HashMap::new();
        loop {
            // The next moment a count stands no longer.
            let expiry = others
                .values()
                .map(|(_, at)| *at + SHARE_EXPIRY)
                .min()
                .map(tokio::time::Instant::from_std);
            tokio::select! {
                _ = tick.tick() => {
                    let Some(count) = room.upgrade().map(|r| r.presence.now()) else {
                        tell(&shared, &id, Attendance::default()).await;
                        return;
                    };
                    if count != Attendance::default() || count != told {
                        tell(&shared, &id, count).await;
                        told = count;
                    }
                }
                report = reports.next() => match report {
                    Some(PresenceReport { broker, connected }) if broker != shared.broker_id() => {
                        others.insert(broker, (connected, Instant::now()));
                    }
                    Some(_) => {}
                    None => break,
                },
                () = sleep_until(expiry) => {}
            }
            others.retain(|_, (_, at)| at.elapsed() < SHARE_EXPIRY);
            let elsewhere = others
                .values()
                .fold(Attendance::default(), |total, (count, _)| {
                    sum(total, *count)
                });
            if let Some(handle) = room.upgrade() {
                handle.presence.set_elsewhere(elsewhere);
            }
        }
        tracing::warn!(room = %id, "the other brokers' attendance stopped coming; listening again");
        match room.upgrade() {
            Some(handle) => handle.presence.set_elsewhere(Attendance::default()),
            None => return,
        }
        tick.tick().await;
    }
}

/// Sleeps until `deadline`; for ever if there is none.
async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Sends this broker's count of a room's pages, unless NATS is out of
/// reach (the count is sent again at the next tick).
async fn tell(shared: &Shared, room: &str, count: Attendance) {
    if !shared.health().available() {
        return;
    }
    let _ = tokio::time::timeout(TELL_TIMEOUT, shared.report_presence(room, count)).await;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn count(onsite: u32, online: u32) -> Attendance {
        Attendance { onsite, online }
    }

    #[test]
    fn a_count_lasts_once_it_has_held_for_the_whole_window() {
        let t0 = Instant::now();
        let at = |secs: u64| t0 + Duration::from_secs(secs);
        let mut sustained = Sustained::default();
        sustained.note(at(0), count(0, 0));
        assert_eq!(sustained.lasted(at(0)), None, "no history yet");
        sustained.note(at(1), count(3, 2));
        assert_eq!(sustained.lasted(at(6)), Some(count(0, 0)));
        sustained.note(at(7), count(3, 2));
        assert_eq!(sustained.lasted(at(7)), Some(count(3, 2)));
    }

    #[test]
    fn a_blip_shorter_than_the_window_is_not_a_peak() {
        let t0 = Instant::now();
        let at = |secs: u64| t0 + Duration::from_secs(secs);
        let mut sustained = Sustained::default();
        sustained.note(at(0), count(10, 0));
        // The pages of a broker that went away reconnect here while its
        // last count still stands elsewhere: counted twice for 5 s.
        sustained.note(at(10), count(20, 0));
        sustained.note(at(15), count(10, 1));
        for second in 10..=21 {
            sustained.note(
                at(second),
                if second < 15 {
                    count(20, 0)
                } else {
                    count(10, 1)
                },
            );
            let lasted = sustained.lasted(at(second)).unwrap();
            assert_eq!(lasted.onsite, 10, "at {second} s");
        }
        assert_eq!(sustained.lasted(at(21)), Some(count(10, 1)));
    }

    #[test]
    fn counts_add_up_to_the_protocols_limit_and_no_further() {
        let big = count(ATTENDANCE_MAX, 7);
        assert_eq!(sum(big, count(5, 3)), count(ATTENDANCE_MAX, 10));
        assert_eq!(
            sum(count(u32::MAX, 0), count(u32::MAX, 0)).onsite,
            ATTENDANCE_MAX
        );
    }
}
