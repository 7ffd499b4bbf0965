//! The `submit` command: who may submit on which channel, the checks in
//! their documented order, a request relayed from another service
//! (`entry.source`), and the entry it makes.

use floor_protocol::{Entry, EntryDraft, EntryStatus, Event, Provenance, Role};

use crate::capacity;
use crate::decide::{Batch, Decider};
use crate::error::CommandError;
use crate::permission::{self, Action, Target};
use crate::person::PersonKey;
use crate::validate;

impl Decider<'_> {
    /// Checks a request relayed from another service (`entry.source`): the
    /// online moderator or the chair relays it, it is online, it names the
    /// person's account there, and that person holds no other open entry,
    /// whatever the room's `one_entry_per_person`.
    fn check_relayed(&self, draft: &EntryDraft) -> Result<(), CommandError> {
        if !matches!(self.actor.role, Role::Moderator | Role::Chair) {
            return Err(CommandError::invalid(
                "entry.source",
                "only the online moderator or the chair relays a request from another service",
            ));
        }
        if draft.channel != floor_protocol::Channel::Online {
            return Err(CommandError::invalid(
                "entry.source",
                "a request relayed from another service is online",
            ));
        }
        if draft.person.person_id.is_none() {
            return Err(CommandError::invalid(
                "entry.person.person_id",
                "is required with entry.source: the person's account on that service",
            ));
        }
        match self.room.open_entry_of(&PersonKey::of(&draft.person), None) {
            Some(existing) => Err(CommandError::DuplicatePerson {
                existing: existing.id,
            }),
            None => Ok(()),
        }
    }

    pub(crate) fn submit(&self, draft: &EntryDraft, batch: &mut Batch) -> Result<(), CommandError> {
        let target = Target {
            channel: draft.channel,
            submitter: None,
        };
        if !permission::allowed(self.issuer(), Action::Submit, target) {
            return Err(match self.actor.role {
                Role::Participant => CommandError::ChannelMismatch {
                    declared: self.actor.channel,
                    requested: draft.channel,
                },
                role => CommandError::ChannelForbidden {
                    role,
                    action: Action::Submit,
                    channel: draft.channel,
                },
            });
        }
        if !self.room.queue_open() && self.actor.role != Role::Chair {
            return Err(CommandError::QueueClosed);
        }
        let draft = validate::draft(draft)?;
        if self.room.entry(self.ctx.new_id).is_some() {
            return Err(CommandError::IdTaken(self.ctx.new_id));
        }
        let participant = self.actor.role == Role::Participant;
        if participant && let Some(existing) = self.room.open_entry_by(&self.actor.client) {
            return Err(CommandError::ParticipantLimit {
                existing: existing.id,
            });
        }
        if draft.source.is_some() {
            self.check_relayed(&draft)?;
        }
        self.check_one_per_person(&draft.person, None)?;
        capacity::admit(self.room)?;
        // A participant's own request, from the page or relayed from another
        // service, waits for the moderator's approval in a moderated room.
        let own = participant || draft.source.is_some();
        let status = if own && self.room.settings().moderated {
            EntryStatus::Pending
        } else {
            EntryStatus::Waiting
        };
        let entry = Entry {
            id: self.ctx.new_id,
            seq: batch.next_seq,
            channel: draft.channel,
            kind: draft.kind,
            delivery: draft
                .delivery
                .unwrap_or(floor_protocol::Delivery::default_for(draft.channel)),
            person: draft.person,
            text: draft.text,
            location: draft.location,
            language: draft.language,
            provenance: Provenance {
                role: self.actor.role,
                client: self.actor.client.clone(),
                at_ms: self.ctx.now_ms,
                source: draft.source,
            },
            status,
            mic_in_hand: false,
            merged_into: None,
            reject_reason: None,
            spoke_ms: None,
        };
        batch.push(Event::EntrySubmitted { entry });
        batch.declared = draft.gender;
        Ok(())
    }
}
