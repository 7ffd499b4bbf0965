//! [`Room::decide`]: a command, checked against the state and the issuer's
//! role, becomes events or a typed error. Deciding never changes the room.

use floor_protocol::{
    Cause, Channel, ClientKey, Command, Entry, EntryPatch, EntryStatus, Event, Gender, Person,
    Role, RoomEvent, Settings, SettingsPatch,
};
use uuid::Uuid;

use crate::capacity;
use crate::error::CommandError;
use crate::permission::{self, Action, Issuer, Target};
use crate::person::PersonKey;
use crate::room::{Receipt, Room};
use crate::validate;

/// Who issues a command, as the broker established at `hello`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The role the token granted.
    pub role: Role,
    /// The client's key.
    pub client: ClientKey,
    /// The channel a participant declared.
    pub channel: Option<Channel>,
}

/// What the outside world supplies to a decision: the time and a fresh id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ctx {
    /// Broker time, in milliseconds since the Unix epoch.
    pub now_ms: u64,
    /// A fresh id for an entry the command may create.
    pub new_id: Uuid,
}

/// The result of deciding a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// New events to persist and then apply, in order.
    Events {
        /// The events; never empty.
        events: Vec<RoomEvent>,
        /// The gender the command declared, kept apart from the events
        /// (which are the same with or without it): to add to the room's
        /// totals in the same commit as the events, never to send
        /// ([`crate::declarations`]).
        declared: Option<Gender>,
    },
    /// The request id already took effect; nothing new happens.
    Duplicate(Receipt),
}

/// The result of [`Room::execute`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// What the request produced (originally, if a duplicate).
    pub receipt: Receipt,
    /// Whether the request had already taken effect.
    pub duplicate: bool,
    /// The new events (empty for a duplicate).
    pub events: Vec<RoomEvent>,
    /// The gender the command declared (`None` for a duplicate).
    pub declared: Option<Gender>,
}

/// Events under construction for one command.
pub(crate) struct Batch {
    /// The seq the next event takes.
    pub(crate) next_seq: u64,
    at_ms: u64,
    cause: Cause,
    events: Vec<RoomEvent>,
    /// A gender declared with the command: beside the events, not in them.
    pub(crate) declared: Option<Gender>,
}

impl Batch {
    pub(crate) fn push(&mut self, event: Event) {
        self.events.push(RoomEvent {
            seq: self.next_seq,
            at_ms: self.at_ms,
            cause: Some(self.cause.clone()),
            event,
        });
        self.next_seq += 1;
    }
}

impl Room {
    /// Decides a command: the events it causes, the original receipt if the
    /// request id already took effect, or why it is refused.
    pub fn decide(
        &self,
        actor: &Actor,
        request_id: &str,
        command: &Command,
        ctx: &Ctx,
    ) -> Result<Decision, CommandError> {
        validate::request_id(request_id)?;
        if let Some(receipt) = self.receipt(&actor.client, request_id) {
            return Ok(Decision::Duplicate(receipt));
        }
        let action = Action::from(command);
        if !permission::role_may(actor.role, action) {
            return Err(CommandError::RoleForbidden {
                role: actor.role,
                action,
            });
        }
        let mut batch = Batch {
            next_seq: self.seq() + 1,
            at_ms: ctx.now_ms,
            cause: Cause {
                request_id: request_id.to_owned(),
                client: actor.client.clone(),
                role: actor.role,
            },
            events: Vec::new(),
            declared: None,
        };
        let d = Decider {
            room: self,
            actor,
            action,
            ctx,
        };
        if let Some(expected) = command.expect_speaking() {
            d.expect_speaking(expected)?;
        }
        match command {
            Command::Submit { entry } => d.submit(entry, &mut batch)?,
            Command::Edit { entry_id, patch } => d.edit(*entry_id, patch, &mut batch)?,
            Command::Approve { entry_id } => d.approve(*entry_id, &mut batch)?,
            Command::Reject { entry_id, reason } => {
                d.reject(*entry_id, reason.as_deref(), &mut batch)?
            }
            Command::Merge { entry_id, into } => d.merge(*entry_id, *into, &mut batch)?,
            Command::Withdraw { entry_id } => d.withdraw(*entry_id, &mut batch)?,
            Command::MicInHand { entry_id } => d.mic_in_hand(*entry_id, &mut batch)?,
            Command::Next { .. } => d.next(&mut batch)?,
            Command::Call { entry_id, .. } => d.call(*entry_id, &mut batch)?,
            Command::Pin { entry_id } => d.pin(*entry_id, &mut batch)?,
            Command::Unpin { entry_id } => d.unpin(*entry_id, &mut batch)?,
            Command::Finish { .. } => d.finish(&mut batch)?,
            Command::UndoCall { .. } => d.undo_call(&mut batch)?,
            Command::UpdateSettings { patch } => d.update_settings(patch, &mut batch)?,
            Command::OpenQueue {} => d.set_queue(true, &mut batch)?,
            Command::CloseQueue {} => d.set_queue(false, &mut batch)?,
            Command::SetProgramme { programme } => d.set_programme(programme, &mut batch)?,
            Command::StartPhase { phase } => d.start_phase(*phase, &mut batch)?,
            Command::NextPresenter {} => d.next_presenter(&mut batch)?,
            Command::SetRemoteAudience { count } => d.remote_audience(*count, &mut batch)?,
            Command::RecordAttendance { connected } => {
                d.record_attendance(*connected, &mut batch)?
            }
        }
        Ok(Decision::Events {
            events: batch.events,
            declared: batch.declared,
        })
    }

    /// Decides a command and applies its events: for tests, tools and any
    /// caller with nothing to persist in between.
    pub fn execute(
        &mut self,
        actor: &Actor,
        request_id: &str,
        command: &Command,
        ctx: &Ctx,
    ) -> Result<Outcome, CommandError> {
        let (outcome, ()) = self.execute_with(actor, request_id, command, ctx, |_| {
            Ok::<(), CommandError>(())
        })?;
        Ok(outcome)
    }

    /// Decides a command, hands its new events to `prepare`, then applies
    /// them all or none: the one path from a command to a changed room.
    /// An error from `prepare` (the broker serializes the events there)
    /// leaves the room as it was, as does an event that fails to apply;
    /// either way nothing of the command stays behind. A duplicate's
    /// `prepare` sees no events.
    pub fn execute_with<T: Default, E: From<CommandError>>(
        &mut self,
        actor: &Actor,
        request_id: &str,
        command: &Command,
        ctx: &Ctx,
        prepare: impl FnOnce(&[RoomEvent]) -> Result<T, E>,
    ) -> Result<(Outcome, T), E> {
        match self.decide(actor, request_id, command, ctx)? {
            Decision::Duplicate(receipt) => Ok((
                Outcome {
                    receipt,
                    duplicate: true,
                    events: Vec::new(),
                    declared: None,
                },
                T::default(),
            )),
            Decision::Events { events, declared } => {
                let prepared = prepare(&events)?;
                self.apply_all(&events).map_err(CommandError::from)?;
                let receipt = self.receipt(&actor.client, request_id).ok_or_else(|| {
                    CommandError::transition(None, "a command produced no events")
                })?;
                let outcome = Outcome {
                    receipt,
                    duplicate: false,
                    events,
                    declared,
                };
                Ok((outcome, prepared))
            }
        }
    }
}

/// One decision in progress.
pub(crate) struct Decider<'a> {
    pub(crate) room: &'a Room,
    pub(crate) actor: &'a Actor,
    pub(crate) action: Action,
    pub(crate) ctx: &'a Ctx,
}

impl<'a> Decider<'a> {
    pub(crate) fn issuer(&self) -> Issuer<'a> {
        Issuer {
            role: self.actor.role,
            client: &self.actor.client,
            channel: self.actor.channel,
        }
    }

    /// The entry, if it exists and the issuer may act on it.
    pub(crate) fn entry(&self, id: Uuid) -> Result<&'a Entry, CommandError> {
        let entry = self.room.entry(id).ok_or(CommandError::EntryNotFound(id))?;
        let target = Target {
            channel: entry.channel,
            submitter: Some(&entry.provenance.client),
        };
        if permission::allowed(self.issuer(), self.action, target) {
            return Ok(entry);
        }
        Err(match self.actor.role {
            Role::Participant => CommandError::EntryForbidden {
                role: self.actor.role,
                action: self.action,
                entry_id: id,
                why: "it is not yours",
            },
            role => CommandError::ChannelForbidden {
                role,
                action: self.action,
                channel: entry.channel,
            },
        })
    }

    pub(crate) fn require_room_action(&self) -> Result<(), CommandError> {
        if permission::allowed_on_room(self.actor.role, self.action) {
            Ok(())
        } else {
            Err(CommandError::RoleForbidden {
                role: self.actor.role,
                action: self.action,
            })
        }
    }

    pub(crate) fn require_status(
        entry: &Entry,
        allowed: &[EntryStatus],
        doing: &str,
    ) -> Result<(), CommandError> {
        if allowed.contains(&entry.status) {
            Ok(())
        } else {
            Err(CommandError::transition(
                entry.id,
                format!(
                    "cannot {doing} an entry that is {}",
                    status_name(entry.status)
                ),
            ))
        }
    }

    /// Refuses a person who already holds another open entry, when the room
    /// allows only one.
    pub(crate) fn check_one_per_person(
        &self,
        person: &Person,
        except: Option<Uuid>,
    ) -> Result<(), CommandError> {
        if !self.room.settings().one_entry_per_person {
            return Ok(());
        }
        match self.room.open_entry_of(&PersonKey::of(person), except) {
            Some(existing) => Err(CommandError::DuplicatePerson {
                existing: existing.id,
            }),
            None => Ok(()),
        }
    }

    fn edit(&self, id: Uuid, patch: &EntryPatch, batch: &mut Batch) -> Result<(), CommandError> {
        let entry = self.entry(id)?;
        Self::require_status(
            entry,
            &[
                EntryStatus::Pending,
                EntryStatus::Waiting,
                EntryStatus::Speaking,
            ],
            "edit",
        )?;
        let patch = validate::patch(patch)?;
        if let Some(delivery) = patch.delivery
            && !delivery.fits(entry.channel)
        {
            return Err(CommandError::invalid(
                "patch.delivery",
                format!("does not fit an {} entry", entry.channel.as_str()),
            ));
        }
        let mut person = entry.person.clone();
        if let Some(name) = &patch.name {
            person.name = name.clone();
        }
        if let Some(affiliation) = &patch.affiliation {
            person.affiliation = affiliation.clone();
        }
        let mut edited = entry.clone();
        crate::view::patch_entry(&mut edited, &patch);
        if &edited == entry {
            return Err(CommandError::invalid(
                "patch",
                "changes nothing: the entry is already so",
            ));
        }
        if PersonKey::of(&person) != PersonKey::of(&entry.person) {
            self.check_one_per_person(&person, Some(id))?;
        }
        batch.push(Event::EntryEdited {
            entry_id: id,
            patch,
        });
        Ok(())
    }

    fn approve(&self, id: Uuid, batch: &mut Batch) -> Result<(), CommandError> {
        let entry = self.entry(id)?;
        Self::require_status(entry, &[EntryStatus::Pending], "approve")?;
        batch.push(Event::EntryApproved { entry_id: id });
        Ok(())
    }

    fn reject(
        &self,
        id: Uuid,
        reason: Option<&str>,
        batch: &mut Batch,
    ) -> Result<(), CommandError> {
        let entry = self.entry(id)?;
        Self::require_status(
            entry,
            &[EntryStatus::Pending, EntryStatus::Waiting],
            "reject",
        )?;
        let reason = validate::reason(reason)?;
        batch.push(Event::EntryRejected {
            entry_id: id,
            reason,
        });
        Ok(())
    }

    fn merge(&self, id: Uuid, into: Uuid, batch: &mut Batch) -> Result<(), CommandError> {
        let duplicate = self.entry(id)?;
        let keeper = self.entry(into)?;
        if id == into {
            return Err(CommandError::invalid(
                "into",
                "an entry cannot be merged into itself",
            ));
        }
        Self::require_status(
            duplicate,
            &[EntryStatus::Pending, EntryStatus::Waiting],
            "merge away",
        )?;
        Self::require_status(
            keeper,
            &[
                EntryStatus::Pending,
                EntryStatus::Waiting,
                EntryStatus::Speaking,
            ],
            "merge into",
        )?;
        batch.push(Event::EntryMerged { entry_id: id, into });
        Ok(())
    }

    fn withdraw(&self, id: Uuid, batch: &mut Batch) -> Result<(), CommandError> {
        let entry = self.entry(id)?;
        Self::require_status(
            entry,
            &[EntryStatus::Pending, EntryStatus::Waiting],
            "withdraw",
        )?;
        batch.push(Event::EntryWithdrawn { entry_id: id });
        Ok(())
    }

    fn mic_in_hand(&self, id: Uuid, batch: &mut Batch) -> Result<(), CommandError> {
        let entry = self.entry(id)?;
        if entry.channel != Channel::Onsite {
            return Err(CommandError::transition(
                id,
                "only onsite entries get a room microphone",
            ));
        }
        Self::require_status(
            entry,
            &[EntryStatus::Waiting, EntryStatus::Speaking],
            "hand a mic to",
        )?;
        if entry.mic_in_hand {
            return Err(CommandError::transition(
                id,
                "this person already has the mic",
            ));
        }
        batch.push(Event::MicInHand { entry_id: id });
        Ok(())
    }

    fn update_settings(
        &self,
        patch: &SettingsPatch,
        batch: &mut Batch,
    ) -> Result<(), CommandError> {
        self.require_room_action()?;
        validate::settings(patch)?;
        if let Some(cap) = patch.max_open_entries {
            capacity::check_cap(self.room, cap)?;
        }
        let old = self.room.settings();
        let settings = Settings {
            policy: patch.policy.unwrap_or(old.policy),
            first_time_first: patch.first_time_first.unwrap_or(old.first_time_first),
            moderated: patch.moderated.unwrap_or(old.moderated),
            speaking_limit_s: patch.speaking_limit_s.unwrap_or(old.speaking_limit_s),
            one_entry_per_person: patch
                .one_entry_per_person
                .unwrap_or(old.one_entry_per_person),
            intake_window_s: patch.intake_window_s.unwrap_or(old.intake_window_s),
            opens_with: patch.opens_with.unwrap_or(old.opens_with),
            max_open_entries: patch.max_open_entries.unwrap_or(old.max_open_entries),
        };
        if &settings == old {
            return Err(CommandError::invalid(
                "patch",
                "changes nothing: the settings are already so",
            ));
        }
        batch.push(Event::SettingsChanged { settings });
        Ok(())
    }

    fn set_queue(&self, open: bool, batch: &mut Batch) -> Result<(), CommandError> {
        self.require_room_action()?;
        if self.room.queue_open() == open {
            let state = if open { "open" } else { "closed" };
            return Err(CommandError::transition(
                None,
                format!("the queue is already {state}"),
            ));
        }
        batch.push(if open {
            Event::QueueOpened
        } else {
            Event::QueueClosed
        });
        Ok(())
    }
}

fn status_name(status: EntryStatus) -> &'static str {
    match status {
        EntryStatus::Pending => "pending",
        EntryStatus::Waiting => "waiting",
        EntryStatus::Speaking => "speaking",
        EntryStatus::Done => "done",
        EntryStatus::Withdrawn => "withdrawn",
        EntryStatus::Rejected => "rejected",
        EntryStatus::Merged => "merged",
    }
}
