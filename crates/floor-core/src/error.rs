//! Typed errors of the core.

use floor_protocol::{Channel, ErrorCode, Role};
use uuid::Uuid;

use crate::permission::Action;

/// Why a command was refused. A refused command changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The role may not issue this command at all.
    #[error("the {role} role may not {action}", role = role.as_str(), action = action.as_str())]
    RoleForbidden {
        /// The issuer's role.
        role: Role,
        /// What it tried.
        action: Action,
    },
    /// The role may issue this command, but not for this channel.
    #[error("the {role} role may not {action} {channel} entries", role = role.as_str(), action = action.as_str(), channel = channel.as_str())]
    ChannelForbidden {
        /// The issuer's role.
        role: Role,
        /// What it tried.
        action: Action,
        /// The channel of the entry.
        channel: Channel,
    },
    /// The role may issue this command, but not on this entry.
    #[error("the {role} role may not {action} this entry: {why}", role = role.as_str(), action = action.as_str())]
    EntryForbidden {
        /// The issuer's role.
        role: Role,
        /// What it tried.
        action: Action,
        /// The entry.
        entry_id: Uuid,
        /// Which rule forbids it.
        why: &'static str,
    },
    /// A field's value is not acceptable.
    #[error("{field}: {reason}")]
    InvalidField {
        /// The field's path, e.g. `entry.person.name`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No entry has this id.
    #[error("no entry {0} in this room")]
    EntryNotFound(Uuid),
    /// The entry's status (or the room's) does not allow the command.
    #[error("{reason}")]
    InvalidTransition {
        /// The entry concerned, if any.
        entry_id: Option<Uuid>,
        /// What stands in the way.
        reason: String,
    },
    /// The person already holds an open entry.
    #[error("this person already has an open request ({existing})")]
    DuplicatePerson {
        /// Their open entry.
        existing: Uuid,
    },
    /// The participant already holds an open entry.
    #[error("you already have an open request ({existing}); withdraw it first")]
    ParticipantLimit {
        /// Their open entry.
        existing: Uuid,
    },
    /// The queue is closed to new requests.
    #[error("the queue is closed to new requests")]
    QueueClosed,
    /// Nobody is waiting and nobody is speaking.
    #[error("nobody is waiting and nobody is speaking")]
    NothingToCall,
    /// Nobody is speaking.
    #[error("nobody is speaking")]
    NoCurrentSpeaker,
    /// A participant submitted on a channel other than the declared one.
    #[error("{}", match declared {
        Some(declared) => format!("you joined {} and cannot submit {requested}", declared.as_str(), requested = requested.as_str()),
        None => "declare your channel (onsite or online) in hello before submitting".to_owned(),
    })]
    ChannelMismatch {
        /// The channel declared in `hello`, if any.
        declared: Option<Channel>,
        /// The channel of the submission.
        requested: Channel,
    },
    /// The room holds as many open entries as its settings allow.
    #[error(
        "the room holds {cap} open requests, the most it takes; try again when one is answered"
    )]
    RoomFull {
        /// The room's `max_open_entries`.
        cap: u32,
    },
    /// The issuer expected another speaker (or nobody) than the room's.
    #[error("{}", match actual {
        Some(_) => "someone else is speaking now; nothing was changed, check the floor and try again",
        None => "nobody is speaking now; nothing was changed, check the floor and try again",
    })]
    SpeakerChanged {
        /// The speaker the issuer saw (`None` for nobody).
        expected: Option<Uuid>,
        /// The room's speaker (`None` for nobody).
        actual: Option<Uuid>,
    },
    /// The fresh id the broker supplied is already taken (a broker bug).
    #[error("entry id {0} is already taken")]
    IdTaken(Uuid),
    /// A decided event did not apply (a bug in the core).
    #[error("internal inconsistency: {0}")]
    Inconsistent(#[from] ApplyError),
}

impl CommandError {
    /// The wire error code.
    pub fn code(&self) -> ErrorCode {
        match self {
            CommandError::RoleForbidden { .. }
            | CommandError::ChannelForbidden { .. }
            | CommandError::EntryForbidden { .. } => ErrorCode::Forbidden,
            CommandError::InvalidField { .. } => ErrorCode::InvalidField,
            CommandError::EntryNotFound(_) => ErrorCode::EntryNotFound,
            CommandError::InvalidTransition { .. } => ErrorCode::InvalidTransition,
            CommandError::DuplicatePerson { .. } => ErrorCode::DuplicatePerson,
            CommandError::ParticipantLimit { .. } => ErrorCode::ParticipantLimit,
            CommandError::QueueClosed => ErrorCode::QueueClosed,
            CommandError::NothingToCall => ErrorCode::NothingToCall,
            CommandError::NoCurrentSpeaker => ErrorCode::NoCurrentSpeaker,
            CommandError::ChannelMismatch { .. } => ErrorCode::ChannelMismatch,
            CommandError::RoomFull { .. } => ErrorCode::RoomFull,
            CommandError::SpeakerChanged { .. } => ErrorCode::SpeakerChanged,
            CommandError::IdTaken(_) | CommandError::Inconsistent(_) => ErrorCode::Internal,
        }
    }

    /// The offending field, for `invalid_field`.
    pub fn field(&self) -> Option<&str> {
        match self {
            CommandError::InvalidField { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The entry the error is about, when there is one.
    pub fn entry_id(&self) -> Option<Uuid> {
        match self {
            CommandError::EntryForbidden { entry_id, .. } => Some(*entry_id),
            CommandError::EntryNotFound(id) | CommandError::IdTaken(id) => Some(*id),
            CommandError::InvalidTransition { entry_id, .. } => *entry_id,
            CommandError::DuplicatePerson { existing }
            | CommandError::ParticipantLimit { existing } => Some(*existing),
            CommandError::SpeakerChanged { actual, .. } => *actual,
            _ => None,
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        CommandError::InvalidField {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn transition(entry_id: impl Into<Option<Uuid>>, reason: impl Into<String>) -> Self {
        CommandError::InvalidTransition {
            entry_id: entry_id.into(),
            reason: reason.into(),
        }
    }
}

/// Why [`crate::Room::rollback`] refused a savepoint. A refused rollback
/// changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RollbackError {
    /// The savepoint is not open on this room: it was taken on another
    /// room, or voided by going back to an earlier one.
    #[error("the savepoint is not open on this room")]
    NotOpen,
}

/// An event that does not fit the state it is applied to. Events the core
/// decided always fit; this means a corrupt or reordered log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// The event's sequence number is not the next one.
    #[error("event seq {got} does not follow {head}")]
    OutOfSequence {
        /// The room's last sequence number.
        head: u64,
        /// The event's.
        got: u64,
    },
    /// The event names an entry the room does not hold.
    #[error("event seq {seq} names unknown entry {entry_id}")]
    UnknownEntry {
        /// The event's sequence number.
        seq: u64,
        /// The entry.
        entry_id: Uuid,
    },
    /// The event submits an entry whose id is already taken.
    #[error("event seq {seq} submits entry {entry_id} a second time")]
    DuplicateEntry {
        /// The event's sequence number.
        seq: u64,
        /// The entry.
        entry_id: Uuid,
    },
    /// The event names a phase the run of show does not have, or starts a
    /// presenter while no phase runs.
    #[error("event seq {seq} names a phase the run of show does not have")]
    NoPhase {
        /// The event's sequence number.
        seq: u64,
    },
}
