//! [`LiveView`]: a room view kept current by folding events, the state
//! transitions the room and every client share.
//!
//! The room ([`crate::Room`]) holds a `LiveView` and adds what only the
//! room needs (person keys, who has spoken, idempotency receipts). A client
//! starts a `LiveView` from a snapshot and folds the events it receives, so
//! it holds exactly the broker's state without re-implementing a rule.

use std::collections::HashMap;

use floor_protocol::{
    Entry, EntryPatch, EntryStatus, Event, Phase, PhaseKind, PresenterTurn, RoomEvent, RoomView,
    Rotation, Settings, Speaking, Stage, Tally,
};
use uuid::Uuid;

use crate::error::ApplyError;

/// A [`RoomView`] with an index, kept current by [`LiveView::apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveView {
    view: RoomView,
    /// Entry id to its position in `view.entries`.
    index: HashMap<Uuid, usize>,
}

impl Default for LiveView {
    fn default() -> Self {
        LiveView::new()
    }
}

impl LiveView {
    /// The view of an empty room before its first event: default settings,
    /// an open queue.
    pub fn new() -> LiveView {
        LiveView::from_snapshot(RoomView {
            seq: 0,
            settings: Settings::default(),
            queue_open: true,
            entries: Vec::new(),
            speaking: None,
            pins: Vec::new(),
            rotation: Rotation::default(),
            turns: Tally::default(),
            programme: None,
            stage: None,
            remote_audience: None,
            attendance_peak: None,
        })
    }

    /// A view starting from a snapshot.
    pub fn from_snapshot(view: RoomView) -> LiveView {
        let index = view
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id, i))
            .collect();
        LiveView { view, index }
    }

    /// How many entry ids the index holds (fewer than entries if an id
    /// was given twice).
    pub(crate) fn index_len(&self) -> usize {
        self.index.len()
    }

    /// The view.
    pub fn view(&self) -> &RoomView {
        &self.view
    }

    /// The sequence number of the last event folded in.
    pub fn seq(&self) -> u64 {
        self.view.seq
    }

    /// The entry with this id.
    pub fn entry(&self, id: Uuid) -> Option<&Entry> {
        self.position(id).map(|i| &self.view.entries[i])
    }

    /// The position of an entry in submission order.
    pub fn position(&self, id: Uuid) -> Option<usize> {
        self.index.get(&id).copied()
    }

    /// Takes the entries out, dropping those from position `keep` on and
    /// their ids from the index; [`LiveView::put_back`] gives them back.
    /// For [`crate::Room::rollback`].
    pub(crate) fn take_entries(&mut self, keep: usize) -> Vec<Entry> {
        let keep = keep.min(self.view.entries.len());
        for entry in self.view.entries.drain(keep..) {
            self.index.remove(&entry.id);
        }
        std::mem::take(&mut self.view.entries)
    }

    /// Sets the view to `rest` with `entries`, those [`LiveView::take_entries`]
    /// took out, whose index it kept.
    pub(crate) fn put_back(&mut self, mut rest: RoomView, entries: Vec<Entry>) {
        rest.entries = entries;
        self.view = rest;
    }

    /// Folds one event in. On error the view is unchanged.
    pub fn apply(&mut self, event: &RoomEvent) -> Result<(), ApplyError> {
        if event.seq != self.view.seq + 1 {
            return Err(ApplyError::OutOfSequence {
                head: self.view.seq,
                got: event.seq,
            });
        }
        let seq = event.seq;
        let known = |id: &Uuid| -> Result<usize, ApplyError> {
            self.index
                .get(id)
                .copied()
                .ok_or(ApplyError::UnknownEntry { seq, entry_id: *id })
        };
        let view = &mut self.view;
        match &event.event {
            Event::EntrySubmitted { entry } => {
                if self.index.contains_key(&entry.id) {
                    return Err(ApplyError::DuplicateEntry {
                        seq,
                        entry_id: entry.id,
                    });
                }
                self.index.insert(entry.id, view.entries.len());
                view.entries.push(entry.clone());
            }
            Event::EntryEdited { entry_id, patch } => {
                let i = known(entry_id)?;
                patch_entry(&mut view.entries[i], patch);
            }
            Event::EntryApproved { entry_id } => {
                let i = known(entry_id)?;
                view.entries[i].status = EntryStatus::Waiting;
            }
            Event::EntryRejected { entry_id, reason } => {
                let i = known(entry_id)?;
                view.entries[i].status = EntryStatus::Rejected;
                view.entries[i].reject_reason = reason.clone();
                view.pins.retain(|p| p != entry_id);
            }
            Event::EntryMerged { entry_id, into } => {
                let i = known(entry_id)?;
                known(into)?;
                view.entries[i].status = EntryStatus::Merged;
                view.entries[i].merged_into = Some(*into);
                view.pins.retain(|p| p != entry_id);
            }
            Event::EntryWithdrawn { entry_id } => {
                let i = known(entry_id)?;
                view.entries[i].status = EntryStatus::Withdrawn;
                view.pins.retain(|p| p != entry_id);
            }
            Event::MicInHand { entry_id } => {
                let i = known(entry_id)?;
                view.entries[i].mic_in_hand = true;
            }
            Event::EntryPinned { entry_id } => {
                known(entry_id)?;
                view.pins.push(*entry_id);
            }
            Event::EntryUnpinned { entry_id } => {
                known(entry_id)?;
                view.pins.retain(|p| p != entry_id);
            }
            Event::SpeakerCalled {
                entry_id,
                channel,
                credits,
                ..
            } => {
                let i = known(entry_id)?;
                view.entries[i].status = EntryStatus::Speaking;
                view.pins.retain(|p| p != entry_id);
                view.speaking = Some(Speaking {
                    entry_id: *entry_id,
                    since_ms: event.at_ms,
                    deadline_ms: event
                        .at_ms
                        .saturating_add(u64::from(view.settings.speaking_limit_s) * 1000),
                });
                if let Some(credits) = credits {
                    view.rotation = Rotation {
                        credits: *credits,
                        last: Some(*channel),
                    };
                }
                view.turns.add(*channel);
            }
            Event::SpeakerFinished { entry_id, spoke_ms } => {
                let i = known(entry_id)?;
                view.entries[i].status = EntryStatus::Done;
                view.entries[i].spoke_ms = Some(*spoke_ms);
                if view
                    .speaking
                    .as_ref()
                    .is_some_and(|s| s.entry_id == *entry_id)
                {
                    view.speaking = None;
                }
            }
            Event::CallUndone {
                entry_id,
                channel,
                resumed,
                pin_index,
                rotation,
            } => {
                let i = known(entry_id)?;
                let back = resumed.as_ref().map(|s| known(&s.entry_id)).transpose()?;
                view.entries[i].status = EntryStatus::Waiting;
                if let Some(b) = back {
                    view.entries[b].status = EntryStatus::Speaking;
                    view.entries[b].spoke_ms = None;
                }
                view.speaking = resumed.clone();
                if let Some(index) = pin_index {
                    let at =
                        usize::try_from(*index).map_or(view.pins.len(), |n| n.min(view.pins.len()));
                    view.pins.insert(at, *entry_id);
                }
                view.rotation = *rotation;
                view.turns.take_back(*channel);
            }
            Event::SettingsChanged { settings } => {
                if settings.policy != view.settings.policy {
                    // A new policy starts from even credits; the channel
                    // chosen last stays known, so the next tie still goes
                    // to the other one.
                    view.rotation.credits = Default::default();
                }
                view.settings = settings.clone();
            }
            Event::QueueOpened => view.queue_open = true,
            Event::QueueClosed => view.queue_open = false,
            Event::ProgrammeSet { programme } => {
                // An edit during the session keeps the running phase when
                // the new run of show has a phase of the same kind at its
                // place; its planned times follow the new minutes.
                let running = view.stage.take().and_then(|mut stage| {
                    let phase = programme.phases.get(usize::try_from(stage.phase).ok()?)?;
                    let was = phase_of(view, stage.phase, seq).ok()?;
                    if was.kind != phase.kind {
                        return None;
                    }
                    stage.deadline_ms = stage
                        .since_ms
                        .saturating_add(u64::from(phase.minutes) * 60_000);
                    stage.presenter = stage.presenter.filter(|turn| {
                        usize::try_from(turn.index).is_ok_and(|i| i < phase.speakers.len())
                    });
                    if let Some(turn) = stage.presenter.as_mut() {
                        turn.deadline_ms = turn.since_ms.saturating_add(phase.presenter_ms());
                    }
                    Some(stage)
                });
                view.programme = Some(programme.clone());
                view.stage = running;
            }
            Event::PhaseStarted { phase } => {
                let planned = phase_of(view, *phase, seq)?;
                let opens_floor = planned.kind == PhaseKind::OpenFloor;
                let window = u64::from(view.settings.intake_window_s) * 1000;
                view.stage = Some(Stage {
                    phase: *phase,
                    since_ms: event.at_ms,
                    deadline_ms: event
                        .at_ms
                        .saturating_add(u64::from(planned.minutes) * 60_000),
                    presenter: None,
                    intake_until_ms: (opens_floor && window > 0)
                        .then(|| event.at_ms.saturating_add(window)),
                });
                if opens_floor {
                    // The floor opens afresh: even credits, and the first
                    // contested call goes to `opens_with` (a tie goes to
                    // the channel not chosen last).
                    view.rotation = Rotation {
                        credits: Default::default(),
                        last: Some(view.settings.opens_with.other()),
                    };
                }
            }
            Event::RemoteAudienceSet { count } => view.remote_audience = Some(*count),
            Event::AttendanceRecorded { connected } => {
                view.attendance_peak =
                    Some(view.attendance_peak.unwrap_or_default().max(*connected));
            }
            // A legacy declaration (only the report counts it) and what a
            // subscriber receives in its place change nothing.
            Event::GenderDeclared { .. } | Event::Redacted => {}
            Event::PresenterStarted { index } => {
                let Some(stage) = view.stage.as_ref() else {
                    return Err(ApplyError::NoPhase { seq });
                };
                let each = phase_of(view, stage.phase, seq)?.presenter_ms();
                if let Some(stage) = view.stage.as_mut() {
                    stage.presenter = Some(PresenterTurn {
                        index: *index,
                        since_ms: event.at_ms,
                        deadline_ms: event.at_ms.saturating_add(each),
                    });
                }
            }
        }
        view.seq = seq;
        Ok(())
    }
}

/// The phase `index` of the view's programme.
fn phase_of(view: &RoomView, index: u32, seq: u64) -> Result<&Phase, ApplyError> {
    view.programme
        .as_ref()
        .and_then(|p| p.phases.get(usize::try_from(index).ok()?))
        .ok_or(ApplyError::NoPhase { seq })
}

/// Applies an edit's patch to an entry.
pub(crate) fn patch_entry(entry: &mut Entry, patch: &EntryPatch) {
    if let Some(kind) = patch.kind {
        entry.kind = kind;
    }
    if let Some(name) = &patch.name {
        entry.person.name = name.clone();
    }
    if let Some(affiliation) = &patch.affiliation {
        entry.person.affiliation = affiliation.clone();
    }
    if let Some(group) = patch.stakeholder_group {
        entry.person.stakeholder_group = group;
    }
    if let Some(region) = patch.region {
        entry.person.region = region;
    }
    if let Some(text) = &patch.text {
        entry.text = text.clone();
    }
    if let Some(location) = &patch.location {
        entry.location = location.clone();
    }
    if let Some(language) = &patch.language {
        entry.language = language.clone();
    }
    if let Some(delivery) = patch.delivery {
        entry.delivery = delivery;
    }
}
