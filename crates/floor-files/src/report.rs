//! The session report, computed from a room's event log alone: who spoke,
//! from which channel, after how long a wait, for how long; what the
//! online moderator relayed; every chair override; and the queue over
//! time.
//!
//! Waiting time runs from the moment an entry joined the queue (its
//! submission, or its approval when it waited for one) to its call.
//! Medians and 90th percentiles are nearest-rank: the smallest value with
//! at least that share of the values at or below it.

use std::collections::{BTreeMap, HashMap};

use floor_protocol::event::CallVia;
use floor_protocol::{Channel, EntryStatus, Event, Kind, Person, RoomEvent};
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

pub use crate::report_genders::Genders;
use crate::report_lang::Texts;
pub use crate::report_origin::{Origin, Origins};
pub use crate::report_questions::{Outcome, Question};
use crate::report_time::Clock;
pub use crate::report_words::Breakdown;
pub(crate) use crate::report_words::{describe_person, mmss};
use floor_core::ApplyError;
use floor_core::LiveView;
use floor_core::declarations::Declarations;

/// A count per channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PerChannel {
    /// Onsite.
    pub onsite: u64,
    /// Online.
    pub online: u64,
}

impl PerChannel {
    fn add(&mut self, channel: Channel, n: u64) {
        match channel {
            Channel::Onsite => self.onsite += n,
            Channel::Online => self.online += n,
        }
    }

    /// Takes back what [`PerChannel::add`] added (an undone call).
    fn take_back(&mut self, channel: Channel, n: u64) {
        match channel {
            Channel::Onsite => self.onsite = self.onsite.saturating_sub(n),
            Channel::Online => self.online = self.online.saturating_sub(n),
        }
    }

    /// Both channels together.
    pub fn total(&self) -> u64 {
        self.onsite + self.online
    }
}

/// Waiting times of one channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Waits {
    /// How many waits were measured: entries of the channel called (by
    /// any means), each waiting from its submission, or from its approval
    /// when it was submitted `pending`, to its call.
    pub count: usize,
    /// Median (nearest rank), in milliseconds; `null` when `count` is 0.
    pub median_ms: Option<u64>,
    /// 90th percentile (nearest rank), in milliseconds; `null` when
    /// `count` is 0.
    pub p90_ms: Option<u64>,
}

/// What the online moderator relayed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct OnlineQuestions {
    /// Online entries submitted, by any role.
    pub asked: u64,
    /// Of those, the ones that reached the queue: submitted `waiting`, or
    /// submitted `pending` (a participant's, in a moderated room) and
    /// then approved. One rejected, withdrawn or merged while pending is
    /// not forwarded.
    pub forwarded: u64,
    /// Of those, the ones that were given the floor: called by `next`
    /// (through the rotation, a pin or `fifo`) or by the chair's `call`.
    pub answered: u64,
    /// Online entries merged into another (the report's `merged` counts
    /// both channels).
    pub merged: u64,
    /// Online entries rejected (the report's `rejected` counts both
    /// channels).
    pub rejected: u64,
    /// Online entries withdrawn (the report's `withdrawn` counts both
    /// channels).
    pub withdrawn: u64,
}

/// A chair's departure from the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Override {
    /// Broker time.
    pub at_ms: u64,
    /// `call` (out of order), `pin`, or `undo_call` (a call taken back:
    /// it counts no turn).
    #[schemars(extend("enum" = ["call", "pin", "undo_call"]))]
    pub action: &'static str,
    /// Whose entry.
    pub name: String,
    /// Its channel.
    pub channel: Channel,
}

impl Override {
    /// The override `action` on `entry`, at `at_ms`.
    fn of(entry: &floor_protocol::Entry, action: &'static str, at_ms: u64) -> Override {
        Override {
            at_ms,
            action,
            name: entry.person.name.clone(),
            channel: entry.channel,
        }
    }

    /// The override in `t`'s words, with its time of day on `clock` and
    /// its time into the session.
    pub fn describe(&self, t: &Texts, clock: &Clock, session_start_ms: u64) -> String {
        let id = match self.action {
            "call" => "override-call",
            "undo_call" => "override-undo",
            _ => "override-pin",
        };
        t.text(
            id,
            &[
                ("time", clock.time(t, self.at_ms).into()),
                (
                    "into",
                    mmss(self.at_ms.saturating_sub(session_start_ms)).into(),
                ),
                ("name", t.user(&self.name).into()),
                ("channel", self.channel.as_str().into()),
            ],
        )
    }
}

/// The queue's length at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct QueuePoint {
    /// Broker time.
    pub at_ms: u64,
    /// Onsite entries waiting.
    pub onsite: u64,
    /// Online entries waiting.
    pub online: u64,
}

/// A session report.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Report {
    /// The session's title.
    pub title: String,
    /// The IANA name of the time zone the human forms give dates and
    /// times in: the one the run of show names (`time_zone`), else `UTC`.
    pub time_zone: String,
    /// Broker time of the first event; `null` when the log is empty.
    pub started_ms: Option<u64>,
    /// Broker time of the last event; `null` when the log is empty.
    pub ended_ms: Option<u64>,
    /// The session's chair, as the run of show names them.
    pub chair: Option<Person>,
    /// The session's online moderator, as the run of show names them.
    pub online_moderator: Option<Person>,
    /// The session's rapporteur, as the run of show names them.
    pub rapporteur: Option<Person>,
    /// The presenters of the run of show, in order of first appearance.
    pub speakers: Vec<Person>,
    /// Requests to speak, per channel.
    pub requests: PerChannel,
    /// Turns given, per channel: every entry called, by any means.
    pub turns: PerChannel,
    /// Requests by where they were entered: in the room, by the online
    /// moderator, from a participant page, relayed from Matrix.
    pub requests_by_origin: Origins,
    /// Requests by kind (`question`, `comment`).
    pub requests_by_kind: BTreeMap<String, PerChannel>,
    /// Turns by kind.
    pub turns_by_kind: BTreeMap<String, PerChannel>,
    /// Requests by stakeholder group (`not given` when absent).
    pub requests_by_group: BTreeMap<String, PerChannel>,
    /// Turns by stakeholder group.
    pub turns_by_group: BTreeMap<String, PerChannel>,
    /// Requests by UN region (`not given` when absent).
    pub requests_by_region: BTreeMap<String, PerChannel>,
    /// Turns by UN region.
    pub turns_by_region: BTreeMap<String, PerChannel>,
    /// What the online moderator relayed.
    pub online_questions: OnlineQuestions,
    /// Entries merged into another.
    pub merged: u64,
    /// Entries rejected.
    pub rejected: u64,
    /// Entries withdrawn.
    pub withdrawn: u64,
    /// Waiting time, onsite.
    pub waiting_onsite: Waits,
    /// Waiting time, online.
    pub waiting_online: Waits,
    /// Speaking time per channel, in milliseconds: the sum of the
    /// finished turns (a turn still running counts nothing).
    pub speaking_ms: PerChannel,
    /// Online's share of the speaking time, in per cent (0 to 100), when
    /// anyone spoke.
    pub online_speaking_share_pct: Option<f64>,
    /// The largest remote audience the online moderator counted.
    pub remote_audience_peak: Option<u32>,
    /// The most participant pages connected at once, per channel (each
    /// channel's own peak), as the broker recorded them.
    pub attendance_peak: Option<PerChannel>,
    /// Self-declared genders, in total.
    pub genders: Genders,
    /// Every out-of-order call and pin, in the order of the log.
    pub overrides: Vec<Override>,
    /// The queue's length (waiting entries per channel) after each event
    /// that changed it, in the order of the log; the queue is empty
    /// before the first.
    pub queue: Vec<QueuePoint>,
    /// Every request to speak, in the order of submission, with what
    /// became of it by the end of the log.
    pub questions: Vec<Question>,
}

/// The key, in the report's breakdowns, of the requests that gave no
/// value.
pub const NOT_GIVEN_KEY: &str = "not given";

/// The wire name of a vocabulary value, or [`NOT_GIVEN_KEY`].
pub(crate) fn label<T: Serialize>(value: Option<T>) -> String {
    value
        .and_then(|v| serde_json::to_value(v).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| NOT_GIVEN_KEY.to_owned())
}

fn kind_label(kind: Kind) -> String {
    label(Some(kind))
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[u64], pct: usize) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (pct * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

fn waits(mut values: Vec<u64>) -> Waits {
    values.sort_unstable();
    Waits {
        count: values.len(),
        median_ms: percentile(&values, 50),
        p90_ms: percentile(&values, 90),
    }
}

impl Report {
    /// Computes the report of a room titled `title` from its events, in
    /// order, with no declared gender but those of legacy
    /// `gender_declared` events (a recording of events holds no other).
    /// Fails if the events do not fold (a corrupt log).
    pub fn from_events<'a>(
        title: &str,
        events: impl IntoIterator<Item = &'a RoomEvent>,
    ) -> Result<Report, ApplyError> {
        Report::from_log(title, events, &Declarations::new())
    }

    /// Computes the report of a room titled `title` from its events, in
    /// order, and the declared genders the store counted beside them
    /// (legacy `gender_declared` events among the events are counted
    /// too). Fails if the events do not fold (a corrupt log).
    pub fn from_log<'a>(
        title: &str,
        events: impl IntoIterator<Item = &'a RoomEvent>,
        declared: &Declarations,
    ) -> Result<Report, ApplyError> {
        let mut declared = declared.clone();
        let mut live = LiveView::new();
        let mut report = Report {
            title: title.to_owned(),
            time_zone: "UTC".to_owned(),
            started_ms: None,
            ended_ms: None,
            chair: None,
            online_moderator: None,
            rapporteur: None,
            speakers: Vec::new(),
            requests: PerChannel::default(),
            turns: PerChannel::default(),
            requests_by_origin: Origins::default(),
            requests_by_kind: BTreeMap::new(),
            turns_by_kind: BTreeMap::new(),
            requests_by_group: BTreeMap::new(),
            turns_by_group: BTreeMap::new(),
            requests_by_region: BTreeMap::new(),
            turns_by_region: BTreeMap::new(),
            online_questions: OnlineQuestions::default(),
            merged: 0,
            rejected: 0,
            withdrawn: 0,
            waiting_onsite: Waits::default(),
            waiting_online: Waits::default(),
            speaking_ms: PerChannel::default(),
            online_speaking_share_pct: None,
            remote_audience_peak: None,
            attendance_peak: None,
            genders: Genders::publish(&Declarations::new(), 0),
            overrides: Vec::new(),
            queue: Vec::new(),
            questions: Vec::new(),
        };
        // When each entry was submitted, and when it was given the floor.
        let mut submitted: HashMap<Uuid, u64> = HashMap::new();
        let mut called: HashMap<Uuid, u64> = HashMap::new();
        // When each entry joined the queue.
        let mut queued_at: HashMap<Uuid, u64> = HashMap::new();
        let mut waited: [Vec<u64>; 2] = [Vec::new(), Vec::new()];
        let mut last_queue = (0, 0);
        // What the most recent call added, to take back if it is undone;
        // and each finished turn's length, to take back if it resumes.
        let mut last_call: Option<CallCounts> = None;
        let mut finished_ms: HashMap<Uuid, u64> = HashMap::new();
        for event in events {
            live.apply(event)?;
            report.started_ms.get_or_insert(event.at_ms);
            report.ended_ms = Some(event.at_ms);
            let entry = |id: &Uuid| live.entry(*id);
            match &event.event {
                Event::EntrySubmitted { entry } => {
                    submitted.insert(entry.id, event.at_ms);
                    let c = entry.channel;
                    report.requests.add(c, 1);
                    report.requests_by_origin.count(entry);
                    add_person(
                        [
                            &mut report.requests_by_kind,
                            &mut report.requests_by_group,
                            &mut report.requests_by_region,
                        ],
                        entry,
                        c,
                    );
                    if c == Channel::Online {
                        report.online_questions.asked += 1;
                    }
                    if entry.status == EntryStatus::Waiting {
                        queued_at.insert(entry.id, event.at_ms);
                        if c == Channel::Online {
                            report.online_questions.forwarded += 1;
                        }
                    }
                }
                Event::EntryApproved { entry_id } => {
                    queued_at.insert(*entry_id, event.at_ms);
                    if entry(entry_id).is_some_and(|e| e.channel == Channel::Online) {
                        report.online_questions.forwarded += 1;
                    }
                }
                Event::RemoteAudienceSet { count } => {
                    report.remote_audience_peak =
                        Some(report.remote_audience_peak.unwrap_or(0).max(*count));
                }
                Event::AttendanceRecorded { connected } => {
                    let peak = report.attendance_peak.get_or_insert_default();
                    peak.onsite = peak.onsite.max(u64::from(connected.onsite));
                    peak.online = peak.online.max(u64::from(connected.online));
                }
                Event::GenderDeclared { gender } => declared.add(*gender, 1),
                Event::EntryMerged { entry_id, .. } => {
                    report.merged += 1;
                    if entry(entry_id).is_some_and(|e| e.channel == Channel::Online) {
                        report.online_questions.merged += 1;
                    }
                }
                Event::EntryRejected { entry_id, .. } => {
                    report.rejected += 1;
                    if entry(entry_id).is_some_and(|e| e.channel == Channel::Online) {
                        report.online_questions.rejected += 1;
                    }
                }
                Event::EntryWithdrawn { entry_id, .. } => {
                    report.withdrawn += 1;
                    if entry(entry_id).is_some_and(|e| e.channel == Channel::Online) {
                        report.online_questions.withdrawn += 1;
                    }
                }
                Event::EntryPinned { entry_id } => {
                    if let Some(e) = entry(entry_id) {
                        report.overrides.push(Override::of(e, "pin", event.at_ms));
                    }
                }
                Event::SpeakerCalled {
                    entry_id,
                    channel,
                    via,
                    ..
                } => {
                    let Some(e) = entry(entry_id) else { continue };
                    called.insert(*entry_id, event.at_ms);
                    report.turns.add(*channel, 1);
                    add_person(
                        [
                            &mut report.turns_by_kind,
                            &mut report.turns_by_group,
                            &mut report.turns_by_region,
                        ],
                        e,
                        *channel,
                    );
                    if *channel == Channel::Online {
                        report.online_questions.answered += 1;
                    }
                    let since = queued_at.remove(entry_id);
                    if let Some(since) = since {
                        let slot = usize::from(*channel == Channel::Online);
                        waited[slot].push(event.at_ms.saturating_sub(since));
                    }
                    last_call = Some(CallCounts {
                        channel: *channel,
                        kind: kind_label(e.kind),
                        group: label(e.person.stakeholder_group),
                        region: label(e.person.region),
                        since,
                    });
                    if *via == CallVia::Explicit {
                        report.overrides.push(Override::of(e, "call", event.at_ms));
                    }
                }
                Event::SpeakerFinished { entry_id, spoke_ms } => {
                    if let Some(e) = entry(entry_id) {
                        report.speaking_ms.add(e.channel, *spoke_ms);
                        finished_ms.insert(*entry_id, *spoke_ms);
                    }
                }
                Event::CallUndone {
                    entry_id, resumed, ..
                } => {
                    called.remove(entry_id);
                    if let Some(counts) = last_call.take() {
                        counts.take_back(&mut report, &mut waited);
                        if let Some(since) = counts.since {
                            queued_at.insert(*entry_id, since);
                        }
                    }
                    if let Some(turn) = resumed
                        && let (Some(e), Some(ms)) =
                            (entry(&turn.entry_id), finished_ms.remove(&turn.entry_id))
                    {
                        report.speaking_ms.take_back(e.channel, ms);
                    }
                    if let Some(e) = entry(entry_id) {
                        report
                            .overrides
                            .push(Override::of(e, "undo_call", event.at_ms));
                    }
                }
                Event::ProgrammeSet { programme } => {
                    report.chair = programme.chair.clone();
                    report.online_moderator = programme.online_moderator.clone();
                    report.rapporteur = programme.rapporteur.clone();
                    report.time_zone = programme
                        .time_zone
                        .clone()
                        .unwrap_or_else(|| "UTC".to_owned());
                    for person in programme.phases.iter().flat_map(|p| &p.speakers) {
                        if !report.speakers.iter().any(|s| s.name == person.name) {
                            report.speakers.push(person.clone());
                        }
                    }
                }
                _ => {}
            }
            let mut queue = (0, 0);
            for e in &live.view().entries {
                if e.status == EntryStatus::Waiting {
                    match e.channel {
                        Channel::Onsite => queue.0 += 1,
                        Channel::Online => queue.1 += 1,
                    }
                }
            }
            if queue != last_queue {
                report.queue.push(QueuePoint {
                    at_ms: event.at_ms,
                    onsite: queue.0,
                    online: queue.1,
                });
                last_queue = queue;
            }
        }
        report.genders = Genders::publish(&declared, report.requests.total());
        report.questions = crate::report_questions::questions(&live, &submitted, &called);
        let [onsite, online] = waited;
        report.waiting_onsite = waits(onsite);
        report.waiting_online = waits(online);
        let total = report.speaking_ms.total();
        if total > 0 {
            report.online_speaking_share_pct =
                Some(report.speaking_ms.online as f64 * 100.0 / total as f64);
        }
        Ok(report)
    }
}

fn add(map: &mut BTreeMap<String, PerChannel>, key: String, channel: Channel) {
    map.entry(key).or_default().add(channel, 1);
}

/// Counts `entry` once on `channel` in three breakdowns: by kind, by
/// stakeholder group and by region.
fn add_person(
    [by_kind, by_group, by_region]: [&mut BTreeMap<String, PerChannel>; 3],
    entry: &floor_protocol::Entry,
    channel: Channel,
) {
    add(by_kind, kind_label(entry.kind), channel);
    add(by_group, label(entry.person.stakeholder_group), channel);
    add(by_region, label(entry.person.region), channel);
}

/// What one call added to the report, to take back if it is undone.
struct CallCounts {
    channel: Channel,
    kind: String,
    group: String,
    region: String,
    /// When the entry joined the queue, if its wait was measured.
    since: Option<u64>,
}

impl CallCounts {
    fn take_back(&self, report: &mut Report, waited: &mut [Vec<u64>; 2]) {
        let c = self.channel;
        report.turns.take_back(c, 1);
        for (map, key) in [
            (&mut report.turns_by_kind, &self.kind),
            (&mut report.turns_by_group, &self.group),
            (&mut report.turns_by_region, &self.region),
        ] {
            if let Some(count) = map.get_mut(key) {
                count.take_back(c, 1);
                if count.total() == 0 {
                    map.remove(key);
                }
            }
        }
        if c == Channel::Online {
            report.online_questions.answered = report.online_questions.answered.saturating_sub(1);
        }
        if self.since.is_some() {
            waited[usize::from(c == Channel::Online)].pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[1, 2, 3, 4], 50), Some(2));
        assert_eq!(percentile(&[1, 2, 3, 4, 5], 50), Some(3));
        let ten: Vec<u64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 90), Some(9));
        assert_eq!(percentile(&ten, 50), Some(5));
    }
}
