//! The floor's commands: `next`, `call`, `finish`, `undo_call`, `pin` and
//! `unpin`, and the `expect_speaking` check that lets each of the first
//! four carry what the issuer saw.
//!
//! Two chair screens pressing Next at once send two `next` commands with
//! the same `expect_speaking`; the room decides them one after the other,
//! so the second finds another speaker than it expected and is refused
//! with `speaker_changed`: exactly one person is called.

use floor_protocol::event::CallVia;
use floor_protocol::{EntryStatus, Event};
use uuid::Uuid;

use crate::decide::{Batch, Decider};
use crate::error::CommandError;
use crate::fairness;

impl Decider<'_> {
    /// Refuses the command when the issuer saw another speaker (or
    /// nobody) than the room has.
    pub(crate) fn expect_speaking(&self, expected: Option<Uuid>) -> Result<(), CommandError> {
        let actual = self.room.speaking().map(|s| s.entry_id);
        if expected == actual {
            Ok(())
        } else {
            Err(CommandError::SpeakerChanged { expected, actual })
        }
    }

    /// Ends the current turn, if any.
    pub(crate) fn finish_current(&self, batch: &mut Batch) {
        if let Some(speaking) = self.room.speaking() {
            batch.push(Event::SpeakerFinished {
                entry_id: speaking.entry_id,
                spoke_ms: self.ctx.now_ms.saturating_sub(speaking.since_ms),
            });
        }
    }

    pub(crate) fn next(&self, batch: &mut Batch) -> Result<(), CommandError> {
        self.require_room_action()?;
        if let Some(until) = self
            .room
            .view_ref()
            .stage
            .as_ref()
            .and_then(|s| s.intake_until_ms)
            && self.ctx.now_ms < until
        {
            return Err(CommandError::transition(
                None,
                format!(
                    "the floor is collecting requests for {} s more; no one is called until then",
                    (until - self.ctx.now_ms).div_ceil(1000)
                ),
            ));
        }
        let choice = fairness::next_choice(self.room);
        if choice.is_none() && self.room.speaking().is_none() {
            return Err(CommandError::NothingToCall);
        }
        self.finish_current(batch);
        if let Some(choice) = choice {
            batch.push(Event::SpeakerCalled {
                entry_id: choice.entry_id,
                channel: choice.channel,
                via: choice.via,
                reasons: choice.reasons,
                credits: choice.credits,
            });
        }
        Ok(())
    }

    pub(crate) fn call(&self, id: Uuid, batch: &mut Batch) -> Result<(), CommandError> {
        let entry = self.entry(id)?;
        Self::require_status(entry, &[EntryStatus::Waiting], "call")?;
        self.finish_current(batch);
        batch.push(Event::SpeakerCalled {
            entry_id: id,
            channel: entry.channel,
            via: CallVia::Explicit,
            reasons: Vec::new(),
            credits: None,
        });
        Ok(())
    }

    pub(crate) fn pin(&self, id: Uuid, batch: &mut Batch) -> Result<(), CommandError> {
        let entry = self.entry(id)?;
        Self::require_status(entry, &[EntryStatus::Waiting], "pin")?;
        if self.room.pins().contains(&id) {
            return Err(CommandError::transition(id, "this entry is already pinned"));
        }
        batch.push(Event::EntryPinned { entry_id: id });
        Ok(())
    }

    pub(crate) fn unpin(&self, id: Uuid, batch: &mut Batch) -> Result<(), CommandError> {
        self.entry(id)?;
        if !self.room.pins().contains(&id) {
            return Err(CommandError::transition(id, "this entry is not pinned"));
        }
        batch.push(Event::EntryUnpinned { entry_id: id });
        Ok(())
    }

    pub(crate) fn finish(&self, batch: &mut Batch) -> Result<(), CommandError> {
        self.require_room_action()?;
        if self.room.speaking().is_none() {
            return Err(CommandError::NoCurrentSpeaker);
        }
        self.finish_current(batch);
        Ok(())
    }

    /// Reverses the most recent call while its entry is speaking.
    pub(crate) fn undo_call(&self, batch: &mut Batch) -> Result<(), CommandError> {
        self.require_room_action()?;
        let Some(call) = self.room.last_call() else {
            return Err(CommandError::transition(
                None,
                "there is no call to undo: only the most recent call can be undone, once, while its speaker still has the floor",
            ));
        };
        if let Some(previous) = &call.previous {
            // The previous speaker's entry opens again, as a new request
            // would: refused while that person (under one entry per
            // person) or that participant holds another open request,
            // whenever it was made or became theirs.
            let entry = self
                .room
                .entry(previous.entry_id)
                .ok_or(CommandError::EntryNotFound(previous.entry_id))?;
            let key = self.room.person_key(entry.id);
            let one_per_person = self.room.settings().one_entry_per_person;
            let participant = entry.provenance.role == floor_protocol::Role::Participant;
            let since = self.room.entries_with_keys().find(|(e, k)| {
                e.id != call.entry_id
                    && e.status.is_open()
                    && ((one_per_person && Some(*k) == key)
                        || (participant && e.provenance.client == entry.provenance.client))
            });
            if let Some((other, _)) = since {
                return Err(CommandError::transition(
                    other.id,
                    "the previous speaker holds another open request; it stays, so their turn cannot be given back",
                ));
            }
            crate::capacity::admit(self.room)?;
        }
        batch.push(call.undone());
        Ok(())
    }
}
