//! The room's state, the only mutator [`Room::apply`], and read-only views.

use std::collections::{HashMap, HashSet};

use floor_protocol::{
    ClientKey, Entry, EntryPatch, EntryStatus, Event, RoomEvent, RoomView, Rotation, Settings,
    Speaking, Tally,
};
use uuid::Uuid;

use crate::error::ApplyError;
use crate::person::PersonKey;

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

/// A room: the fold of its events.
///
/// **Invariant:** every field is derived from the events applied so far;
/// [`Room::apply`] is the only method that changes it, and folding the same
/// events from [`Room::new`] gives an equal room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    seq: u64,
    settings: Settings,
    queue_open: bool,
    /// Every entry, in submission order.
    entries: Vec<Entry>,
    /// Entry id to its position in `entries`.
    index: HashMap<Uuid, usize>,
    /// The person key of each entry, parallel to `entries`.
    keys: Vec<PersonKey>,
    speaking: Option<Speaking>,
    pins: Vec<Uuid>,
    rotation: Rotation,
    turns: Tally,
    /// People who have been called at least once.
    spoken: HashSet<PersonKey>,
    /// Successful commands, by (client, request id).
    receipts: HashMap<(ClientKey, String), Receipt>,
}

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
            seq: 0,
            settings: Settings::default(),
            queue_open: true,
            entries: Vec::new(),
            index: HashMap::new(),
            keys: Vec::new(),
            speaking: None,
            pins: Vec::new(),
            rotation: Rotation::default(),
            turns: Tally::default(),
            spoken: HashSet::new(),
            receipts: HashMap::new(),
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
        self.seq
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether new requests are accepted.
    pub fn queue_open(&self) -> bool {
        self.queue_open
    }

    /// Every entry, in submission order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry with this id.
    pub fn entry(&self, id: Uuid) -> Option<&Entry> {
        self.index.get(&id).map(|&i| &self.entries[i])
    }

    /// The person key of the entry with this id.
    pub fn person_key(&self, id: Uuid) -> Option<&PersonKey> {
        self.index.get(&id).map(|&i| &self.keys[i])
    }

    /// Entries with their person keys, in submission order.
    pub fn entries_with_keys(&self) -> impl Iterator<Item = (&Entry, &PersonKey)> {
        self.entries.iter().zip(&self.keys)
    }

    /// The current speaker.
    pub fn speaking(&self) -> Option<&Speaking> {
        self.speaking.as_ref()
    }

    /// Pinned entries, in the order they were pinned.
    pub fn pins(&self) -> &[Uuid] {
        &self.pins
    }

    /// The round-robin state.
    pub fn rotation(&self) -> Rotation {
        self.rotation
    }

    /// Turns given per channel.
    pub fn turns(&self) -> Tally {
        self.turns
    }

    /// Whether this person has been called before.
    pub fn has_spoken(&self, key: &PersonKey) -> bool {
        self.spoken.contains(key)
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

    /// The open entry a client submitted.
    pub fn open_entry_by(&self, client: &ClientKey) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.status.is_open() && &e.provenance.client == client)
    }

    /// The room as a snapshot view.
    pub fn view(&self) -> RoomView {
        RoomView {
            seq: self.seq,
            settings: self.settings.clone(),
            queue_open: self.queue_open,
            entries: self.entries.clone(),
            speaking: self.speaking.clone(),
            pins: self.pins.clone(),
            rotation: self.rotation,
            turns: self.turns,
        }
    }

    // The mutator.

    /// Applies one event. On error the room is unchanged.
    pub fn apply(&mut self, event: &RoomEvent) -> Result<(), ApplyError> {
        if event.seq != self.seq + 1 {
            return Err(ApplyError::OutOfSequence {
                head: self.seq,
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
        let mut submitted = None;
        match &event.event {
            Event::EntrySubmitted { entry } => {
                if self.index.contains_key(&entry.id) {
                    return Err(ApplyError::DuplicateEntry {
                        seq,
                        entry_id: entry.id,
                    });
                }
                self.index.insert(entry.id, self.entries.len());
                self.keys.push(PersonKey::of(&entry.person));
                self.entries.push(entry.clone());
                submitted = Some(entry.id);
            }
            Event::EntryEdited { entry_id, patch } => {
                let i = known(entry_id)?;
                patch_entry(&mut self.entries[i], patch);
                self.keys[i] = PersonKey::of(&self.entries[i].person);
                if matches!(
                    self.entries[i].status,
                    EntryStatus::Speaking | EntryStatus::Done
                ) {
                    // Correcting a speaker's name does not make them a
                    // first-time speaker again.
                    self.spoken.insert(self.keys[i].clone());
                }
            }
            Event::EntryApproved { entry_id } => {
                let i = known(entry_id)?;
                self.entries[i].status = EntryStatus::Waiting;
            }
            Event::EntryRejected { entry_id, reason } => {
                let i = known(entry_id)?;
                self.entries[i].status = EntryStatus::Rejected;
                self.entries[i].reject_reason = reason.clone();
                self.pins.retain(|p| p != entry_id);
            }
            Event::EntryMerged { entry_id, into } => {
                let i = known(entry_id)?;
                known(into)?;
                self.entries[i].status = EntryStatus::Merged;
                self.entries[i].merged_into = Some(*into);
                self.pins.retain(|p| p != entry_id);
            }
            Event::EntryWithdrawn { entry_id } => {
                let i = known(entry_id)?;
                self.entries[i].status = EntryStatus::Withdrawn;
                self.pins.retain(|p| p != entry_id);
            }
            Event::MicInHand { entry_id } => {
                let i = known(entry_id)?;
                self.entries[i].mic_in_hand = true;
            }
            Event::EntryPinned { entry_id } => {
                known(entry_id)?;
                self.pins.push(*entry_id);
            }
            Event::EntryUnpinned { entry_id } => {
                known(entry_id)?;
                self.pins.retain(|p| p != entry_id);
            }
            Event::SpeakerCalled {
                entry_id,
                channel,
                credits,
                ..
            } => {
                let i = known(entry_id)?;
                self.entries[i].status = EntryStatus::Speaking;
                self.pins.retain(|p| p != entry_id);
                self.speaking = Some(Speaking {
                    entry_id: *entry_id,
                    since_ms: event.at_ms,
                    deadline_ms: event
                        .at_ms
                        .saturating_add(u64::from(self.settings.speaking_limit_s) * 1000),
                });
                if let Some(credits) = credits {
                    self.rotation = Rotation {
                        credits: *credits,
                        last: Some(*channel),
                    };
                }
                self.turns.add(*channel);
                self.spoken.insert(self.keys[i].clone());
            }
            Event::SpeakerFinished { entry_id, .. } => {
                let i = known(entry_id)?;
                self.entries[i].status = EntryStatus::Done;
                if self
                    .speaking
                    .as_ref()
                    .is_some_and(|s| s.entry_id == *entry_id)
                {
                    self.speaking = None;
                }
            }
            Event::SettingsChanged { settings } => {
                if settings.policy != self.settings.policy {
                    // A new policy starts from even credits; the channel
                    // chosen last stays known, so the next tie still goes
                    // to the other one.
                    self.rotation.credits = Default::default();
                }
                self.settings = settings.clone();
            }
            Event::QueueOpened => self.queue_open = true,
            Event::QueueClosed => self.queue_open = false,
        }
        self.seq = seq;
        let cause = &event.cause;
        let receipt = self
            .receipts
            .entry((cause.client.clone(), cause.request_id.clone()))
            .or_insert(Receipt {
                first_seq: seq,
                last_seq: seq,
                entry_id: None,
            });
        receipt.last_seq = seq;
        if submitted.is_some() {
            receipt.entry_id = submitted;
        }
        Ok(())
    }
}

fn patch_entry(entry: &mut Entry, patch: &EntryPatch) {
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
