//! Savepoints: going back to an earlier state of the room without
//! cloning it.
//!
//! The broker keeps the room as it was before each group commit, to go
//! back to it if the log refuses the batch; a command's events are kept
//! all or none. A clone of the room costs a copy of every entry (a few
//! milliseconds for 5,000 entries), on every commit. A [`Savepoint`]
//! instead copies what is small (the settings, pins, run of show, rotation,
//! the undo record), and while it lives, [`Room::apply`] writes down each
//! entry and each command's receipt as it was before an event changed
//! it. Going back replays that journal backwards and drops
//! the entries submitted since, so its cost follows the events applied
//! since the savepoint, not the size of the room.
//!
//! Savepoints nest (a command's inside a batch's). Dropping one keeps
//! what was applied; the journal empties once no savepoint is alive.

use std::sync::{Arc, Weak};

use floor_protocol::{ClientKey, Entry, Event, RoomEvent, RoomView};
use uuid::Uuid;

use super::{Receipt, Room};
use crate::error::{ApplyError, RollbackError};
use crate::person::PersonKey;
use crate::undo::UndoTracker;
use crate::view::LiveView;

/// A state of the room to go back to with [`Room::rollback`]. Dropping it
/// keeps everything applied since.
#[derive(Debug)]
pub struct Savepoint {
    /// Its identity: the room holds a weak reference while it is open.
    mark: Arc<()>,
    /// The journal's length when it was taken.
    journal: usize,
    /// How many entries the room held.
    entries: usize,
    /// The view without its entries.
    rest: RoomView,
    undo: UndoTracker,
    /// The receipt journal's length when it was taken.
    receipts: usize,
}

/// What the room writes down while a savepoint is open.
#[derive(Debug, Clone, Default)]
pub(super) struct Journal {
    /// The open savepoints, oldest first.
    marks: Vec<Weak<()>>,
    /// Entries as they were before an event changed them: position, entry
    /// and person key.
    changed: Vec<(usize, Entry, PersonKey)>,
    /// Receipts as they were before an event changed them (`None`: the
    /// command had none).
    receipts: Vec<((ClientKey, String), Option<Receipt>)>,
}

impl Journal {
    /// Forgets the savepoints dropped; empties the journal once none is
    /// open. Whether one is.
    fn prune(&mut self) -> bool {
        self.marks.retain(|mark| mark.strong_count() > 0);
        if self.marks.is_empty() {
            self.changed.clear();
            self.receipts.clear();
        }
        !self.marks.is_empty()
    }

    /// Whether a savepoint was open at the last [`Journal::record`].
    pub(super) fn is_open(&self) -> bool {
        !self.marks.is_empty()
    }

    /// Writes down a command's receipt as it was before an event changed
    /// it; call only while [`Journal::is_open`].
    pub(super) fn record_receipt(&mut self, key: (ClientKey, String), before: Option<Receipt>) {
        self.receipts.push((key, before));
    }

    /// Writes down the entries `event` may change, if a savepoint is open.
    pub(super) fn record(&mut self, event: &RoomEvent, live: &LiveView, keys: &[PersonKey]) {
        if !self.prune() {
            return;
        }
        for id in touched(&event.event).into_iter().flatten() {
            let Some(position) = live.position(id) else {
                continue;
            };
            if let (Some(entry), Some(key)) =
                (live.view().entries.get(position), keys.get(position))
            {
                self.changed.push((position, entry.clone(), key.clone()));
            }
        }
    }
}

/// The existing entries an event may change (a submission adds one, which
/// going back drops). Every event is named, so a new one must say.
fn touched(event: &Event) -> [Option<Uuid>; 2] {
    match event {
        Event::EntryEdited { entry_id, .. }
        | Event::EntryApproved { entry_id }
        | Event::EntryRejected { entry_id, .. }
        | Event::EntryMerged { entry_id, .. }
        | Event::EntryWithdrawn { entry_id }
        | Event::MicInHand { entry_id }
        | Event::SpeakerCalled { entry_id, .. }
        | Event::SpeakerFinished { entry_id, .. } => [Some(*entry_id), None],
        Event::CallUndone {
            entry_id, resumed, ..
        } => [Some(*entry_id), resumed.as_ref().map(|s| s.entry_id)],
        Event::EntrySubmitted { .. }
        | Event::EntryPinned { .. }
        | Event::EntryUnpinned { .. }
        | Event::SettingsChanged { .. }
        | Event::QueueOpened
        | Event::QueueClosed
        | Event::ProgrammeSet { .. }
        | Event::PhaseStarted { .. }
        | Event::PresenterStarted { .. }
        | Event::RemoteAudienceSet { .. }
        | Event::AttendanceRecorded { .. }
        | Event::GenderDeclared { .. }
        | Event::Redacted => [None, None],
    }
}

/// The view without its entries: everything else, copied.
fn without_entries(view: &RoomView) -> RoomView {
    RoomView {
        seq: view.seq,
        settings: view.settings.clone(),
        queue_open: view.queue_open,
        entries: Vec::new(),
        speaking: view.speaking.clone(),
        pins: view.pins.clone(),
        rotation: view.rotation,
        turns: view.turns,
        programme: view.programme.clone(),
        stage: view.stage.clone(),
        remote_audience: view.remote_audience,
        attendance_peak: view.attendance_peak,
    }
}

impl Room {
    /// The room's state now, to go back to with [`Room::rollback`]. Costs
    /// a copy of what is not an entry; while it lives, each event applied
    /// writes down the entries it changes.
    pub fn savepoint(&mut self) -> Savepoint {
        self.journal.prune();
        let mark = Arc::new(());
        self.journal.marks.push(Arc::downgrade(&mark));
        Savepoint {
            mark,
            journal: self.journal.changed.len(),
            entries: self.live.view().entries.len(),
            rest: without_entries(self.live.view()),
            undo: self.undo.clone(),
            receipts: self.journal.receipts.len(),
        }
    }

    /// Goes back to the state of `savepoint`, undoing every event applied
    /// since. Savepoints taken after it are void. Refused, changing
    /// nothing, if the savepoint is not open on this room (taken on
    /// another room, or voided by going back past it).
    pub fn rollback(&mut self, savepoint: Savepoint) -> Result<(), RollbackError> {
        let Some(at) = self
            .journal
            .marks
            .iter()
            .position(|mark| std::ptr::eq(mark.as_ptr(), Arc::as_ptr(&savepoint.mark)))
        else {
            return Err(RollbackError::NotOpen);
        };
        self.journal.marks.truncate(at);
        self.restore(savepoint);
        Ok(())
    }

    /// Applies a command's events all or none: if one does not apply,
    /// the room is as before the first.
    pub fn apply_all(&mut self, events: &[RoomEvent]) -> Result<(), ApplyError> {
        if let [event] = events {
            // One event applies whole or leaves the room unchanged.
            return self.apply(event);
        }
        let savepoint = self.savepoint();
        for event in events {
            if let Err(error) = self.apply(event) {
                self.journal.marks.pop();
                self.restore(savepoint);
                return Err(error);
            }
        }
        Ok(())
    }

    /// Goes back to an open savepoint, already taken off the open list.
    fn restore(&mut self, savepoint: Savepoint) {
        let since = self.journal.changed.split_off(savepoint.journal);
        let mut entries = self.live.take_entries(savepoint.entries);
        for (position, entry, key) in since.into_iter().rev() {
            if let Some(slot) = entries.get_mut(position) {
                *slot = entry;
            }
            if let Some(slot) = self.keys.get_mut(position) {
                *slot = key;
            }
        }
        self.keys.truncate(savepoint.entries);
        self.live.put_back(savepoint.rest, entries);
        self.undo = savepoint.undo;
        let receipts = self.journal.receipts.split_off(savepoint.receipts);
        for (key, before) in receipts.into_iter().rev() {
            match before {
                Some(receipt) => self.receipts.insert(key, receipt),
                None => self.receipts.remove(&key),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use floor_protocol::{Channel, ClientKey, Command, EntryDraft, Person, Role};
    use uuid::Uuid;

    use crate::{Actor, Ctx, Room};

    /// Savepoints taken and dropped one after another, as the broker does
    /// for each batch, leave nothing behind in the journal.
    #[test]
    fn the_journal_empties_between_savepoints() {
        let mut room = Room::new();
        let runner = Actor {
            role: Role::Runner,
            client: ClientKey::new("runner"),
            channel: None,
        };
        let chair = Actor {
            role: Role::Chair,
            ..runner.clone()
        };
        for n in 0..20u64 {
            let savepoint = room.savepoint();
            let ctx = Ctx {
                now_ms: n * 1000,
                new_id: Uuid::from_u128(u128::from(n) + 1),
            };
            let command = if n % 2 == 0 {
                Command::Submit {
                    entry: EntryDraft {
                        channel: Channel::Onsite,
                        kind: Default::default(),
                        person: Person::named(format!("Person {n}")),
                        text: None,
                        location: None,
                        language: None,
                        delivery: None,
                        gender: None,
                        source: None,
                    },
                }
            } else {
                Command::next()
            };
            let actor = if n % 2 == 0 { &runner } else { &chair };
            room.execute(actor, &format!("r{n}"), &command, &ctx)
                .unwrap();
            assert!(room.journal.changed.len() <= 2, "{n}: {:?}", room.journal);
            drop(savepoint);
        }
    }
}
