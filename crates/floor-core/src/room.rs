//! The room's state, the only mutator [`Room::apply`], and read-only views;
//! in [`savepoint`], going back to an earlier state without a clone.

use std::collections::HashSet;

use floor_protocol::{
    ClientKey, Entry, EntryStatus, Event, RoomEvent, RoomView, Rotation, Settings, Speaking, Tally,
};
use uuid::Uuid;

use crate::error::ApplyError;
use crate::person::PersonKey;
use crate::undo::{LastCall, UndoTracker};
use crate::view::LiveView;

mod savepoint;

pub use savepoint::Savepoint;

/// What a successful command produced: the range of its events and, for a
/// submission, the new entry. Kept per (client, request id) so a repeated
/// request returns it instead of acting again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// Sequence number of the command's first event.
    pub first_seq: u64,
    /// Sequence number of the command's last event.
    pub last_seq: u64,
    /// The entry a `submit` created.
    pub entry_id: Option<Uuid>,
}

/// The receipts of the commands that took effect, by (client, request id).
pub(crate) type Receipts = std::collections::HashMap<(ClientKey, String), Receipt>;

/// A room: the fold of its events.
///
/// **Invariant:** every field is derived from the events applied so far;
/// [`Room::apply`] is the only method that changes it (and
/// [`Room::rollback`], which takes back what it applied), and folding the
/// same events from [`Room::new`] gives an equal room. What clients see is
/// the [`LiveView`] inside, folded by the same code a client uses.
#[derive(Debug, Clone)]
pub struct Room {
    live: LiveView,
    /// The person key of each entry, in submission order.
    keys: Vec<PersonKey>,
    /// The most recent call, while `undo_call` can reverse it.
    undo: UndoTracker,
    /// Successful commands, by (client, request id). It grows with every
    /// command of the session; an open [`Savepoint`] writes down each
    /// receipt as it was before an event changed it.
    receipts: Receipts,
    /// What an open [`Savepoint`] needs to go back; not part of the
    /// room's state (two rooms that differ only here are equal).
    journal: savepoint::Journal,
}

impl PartialEq for Room {
    fn eq(&self, other: &Room) -> bool {
        self.live == other.live
            && self.keys == other.keys
            && self.undo == other.undo
            && self.receipts == other.receipts
    }
}

impl Eq for Room {}

impl Default for Room {
    fn default() -> Self {
        Room::new()
    }
}

impl Room {
    /// An empty room with default settings and an open queue, before its
    /// first event.
    pub fn new() -> Room {
        Room {
            live: LiveView::new(),
            keys: Vec::new(),
            undo: UndoTracker::default(),
            receipts: Receipts::new(),
            journal: savepoint::Journal::default(),
        }
    }

    /// Its parts, for [`Room::checkpoint`].
    #[allow(
        clippy::type_complexity,
        reason = "the room's own fields, named where they are declared"
    )]
    pub(crate) fn parts(&self) -> (&LiveView, &[PersonKey], &UndoTracker, &Receipts) {
        (&self.live, &self.keys, &self.undo, &self.receipts)
    }

    /// A room from its parts, for [`Room::from_checkpoint`].
    pub(crate) fn from_parts(
        live: LiveView,
        keys: Vec<PersonKey>,
        undo: UndoTracker,
        receipts: Receipts,
    ) -> Room {
        Room {
            live,
            keys,
            undo,
            receipts,
            journal: savepoint::Journal::default(),
        }
    }

    /// Folds events into a new room.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a RoomEvent>) -> Result<Room, ApplyError> {
        let mut room = Room::new();
        for event in events {
            room.apply(event)?;
        }
        Ok(room)
    }

    // Getters.

    /// The sequence number of the last applied event (0 before any).
    pub fn seq(&self) -> u64 {
        self.live.seq()
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.live.view().settings
    }

    /// Whether new requests are accepted.
    pub fn queue_open(&self) -> bool {
        self.live.view().queue_open
    }

    /// Every entry, in submission order.
    pub fn entries(&self) -> &[Entry] {
        &self.live.view().entries
    }

    /// The entry with this id.
    pub fn entry(&self, id: Uuid) -> Option<&Entry> {
        self.live.entry(id)
    }

    /// The position of the entry with this id, in submission order.
    pub(crate) fn position(&self, id: Uuid) -> Option<usize> {
        self.live.position(id)
    }

    /// The person key of the entry with this id.
    pub fn person_key(&self, id: Uuid) -> Option<&PersonKey> {
        self.live.position(id).map(|i| &self.keys[i])
    }

    /// Entries with their person keys, in submission order.
    pub fn entries_with_keys(&self) -> impl Iterator<Item = (&Entry, &PersonKey)> {
        self.entries().iter().zip(&self.keys)
    }

    /// The current speaker.
    pub fn speaking(&self) -> Option<&Speaking> {
        self.live.view().speaking.as_ref()
    }

    /// Pinned entries, in the order they were pinned.
    pub fn pins(&self) -> &[Uuid] {
        &self.live.view().pins
    }

    /// The round-robin state.
    pub fn rotation(&self) -> Rotation {
        self.live.view().rotation
    }

    /// Turns given per channel.
    pub fn turns(&self) -> Tally {
        self.live.view().turns
    }

    /// Whether this person has been called: whether an entry that has
    /// been called (speaking or done) holds their identity now. Derived
    /// from the entries, so an edit of a called entry moves the mark with
    /// it. One pass over the entries; [`Room::called_people`] answers many
    /// questions at once.
    pub fn has_spoken(&self, key: &PersonKey) -> bool {
        self.entries_with_keys()
            .any(|(e, k)| was_called(e.status) && k == key)
    }

    /// Everyone who has been called (see [`Room::has_spoken`]).
    pub fn called_people(&self) -> HashSet<&PersonKey> {
        self.entries_with_keys()
            .filter(|(e, _)| was_called(e.status))
            .map(|(_, k)| k)
            .collect()
    }

    /// The most recent call, while `undo_call` can reverse it.
    pub fn last_call(&self) -> Option<&LastCall> {
        self.undo.last()
    }

    /// The receipt of a request that took effect.
    pub fn receipt(&self, client: &ClientKey, request_id: &str) -> Option<Receipt> {
        self.receipts
            .get(&(client.clone(), request_id.to_owned()))
            .copied()
    }

    /// The open entry (pending, waiting or speaking) of a person, other
    /// than `except`.
    pub fn open_entry_of(&self, key: &PersonKey, except: Option<Uuid>) -> Option<&Entry> {
        self.entries_with_keys()
            .find(|(e, k)| e.status.is_open() && *k == key && Some(e.id) != except)
            .map(|(e, _)| e)
    }

    /// How many entries are open (pending, waiting or speaking).
    pub fn open_count(&self) -> usize {
        self.entries().iter().filter(|e| e.status.is_open()).count()
    }

    /// The open entry a client submitted.
    pub fn open_entry_by(&self, client: &ClientKey) -> Option<&Entry> {
        self.entries()
            .iter()
            .find(|e| e.status.is_open() && &e.provenance.client == client)
    }

    /// The room as a snapshot view.
    pub fn view(&self) -> RoomView {
        self.live.view().clone()
    }

    /// The room's view, borrowed.
    pub fn view_ref(&self) -> &RoomView {
        self.live.view()
    }

    // The mutator.

    /// Applies one event. On error the room is unchanged.
    pub fn apply(&mut self, event: &RoomEvent) -> Result<(), ApplyError> {
        self.journal.record(event, &self.live, &self.keys);
        let undo = self.undo.after(event, self.live.view());
        self.live.apply(event)?;
        if let Some(undo) = undo {
            self.undo = undo;
        }
        // The view accepted the event, so every entry it names exists.
        let position = |id: &Uuid| self.live.position(*id).unwrap_or(usize::MAX);
        if let Event::EntrySubmitted { entry } = &event.event {
            self.keys.push(PersonKey::of(&entry.person));
        } else if let Event::EntryEdited { entry_id, .. } = &event.event {
            let i = position(entry_id);
            if let Some(entry) = self.live.view().entries.get(i) {
                self.keys[i] = PersonKey::of(&entry.person);
            }
        }
        // A redacted event names no command.
        let Some(cause) = &event.cause else {
            return Ok(());
        };
        let key = (cause.client.clone(), cause.request_id.clone());
        if self.journal.is_open() {
            let before = self.receipts.get(&key).copied();
            self.journal.record_receipt(key.clone(), before);
        }
        let receipt = self.receipts.entry(key).or_insert(Receipt {
            first_seq: event.seq,
            last_seq: event.seq,
            entry_id: None,
        });
        receipt.last_seq = event.seq;
        if let Event::EntrySubmitted { entry } = &event.event {
            receipt.entry_id = Some(entry.id);
        }
        Ok(())
    }
}

/// Whether an entry of this status has been called.
fn was_called(status: EntryStatus) -> bool {
    matches!(status, EntryStatus::Speaking | EntryStatus::Done)
}
