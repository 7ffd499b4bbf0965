//! What happened in a room. Events are numbered by a gapless sequence per
//! room; the room's state is the fold of its events in that order.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entry::{Entry, EntryPatch};
use crate::programme::{Attendance, Programme};
use crate::settings::Settings;
use crate::view::{OrderReason, Rotation, Speaking};
use crate::vocab::{Channel, ClientKey, Gender, Role};

/// One event of a room's log, with its place and cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoomEvent {
    /// Position in the room's log: 1 for the first event, then +1 each.
    pub seq: u64,
    /// Broker time, in milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// The command that produced it; absent only on a `redacted` event,
    /// which must not be linked to any command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
    /// What happened.
    pub event: Event,
}

/// The command behind an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Cause {
    /// The request id the client gave the command.
    pub request_id: String,
    /// The issuing client's key.
    pub client: ClientKey,
    /// The issuing client's role.
    pub role: Role,
}

/// The round-robin credits of the two channels (see the fairness policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Credits {
    /// Onsite credit.
    pub onsite: i64,
    /// Online credit.
    pub online: i64,
}

impl Credits {
    /// The credit of `channel`.
    pub fn get(&self, channel: Channel) -> i64 {
        match channel {
            Channel::Onsite => self.onsite,
            Channel::Online => self.online,
        }
    }

    /// Mutable access to the credit of `channel`.
    pub fn get_mut(&mut self, channel: Channel) -> &mut i64 {
        match channel {
            Channel::Onsite => &mut self.onsite,
            Channel::Online => &mut self.online,
        }
    }
}

/// How a speaker was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallVia {
    /// By `next`, from the pins.
    Pin,
    /// By `next`, by the channel rotation (policies `alternate`, `weighted`).
    Rotation,
    /// By `next`, in submission order (policy `fifo`).
    Fifo,
    /// By `call`: the chair's explicit choice, out of order.
    Explicit,
}

/// Something that happened in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, strum::IntoStaticStr)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Event {
    /// An entry was added.
    EntrySubmitted {
        /// The entry, as stored.
        entry: Entry,
    },
    /// An entry was corrected.
    EntryEdited {
        /// The entry.
        entry_id: Uuid,
        /// What changed.
        patch: EntryPatch,
    },
    /// A pending entry joined the queue.
    EntryApproved {
        /// The entry.
        entry_id: Uuid,
    },
    /// An entry was refused.
    EntryRejected {
        /// The entry.
        entry_id: Uuid,
        /// Why, if a reason was given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// An entry was folded into another.
    EntryMerged {
        /// The duplicate.
        entry_id: Uuid,
        /// The entry that stays.
        into: Uuid,
    },
    /// An entry was taken back.
    EntryWithdrawn {
        /// The entry.
        entry_id: Uuid,
    },
    /// The mic runner put a microphone in the person's hand.
    MicInHand {
        /// The entry.
        entry_id: Uuid,
    },
    /// An entry was pinned ahead of the policy.
    EntryPinned {
        /// The entry.
        entry_id: Uuid,
    },
    /// A pin was removed.
    EntryUnpinned {
        /// The entry.
        entry_id: Uuid,
    },
    /// A speaker was given the floor.
    SpeakerCalled {
        /// The entry now speaking.
        entry_id: Uuid,
        /// Its channel.
        channel: Channel,
        /// How it was chosen.
        via: CallVia,
        /// Why it was chosen, most significant first (empty for `explicit`).
        reasons: Vec<OrderReason>,
        /// The rotation credits after this call; present when `via` is
        /// `rotation`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        credits: Option<Credits>,
    },
    /// A speaker's turn ended.
    SpeakerFinished {
        /// The entry that spoke.
        entry_id: Uuid,
        /// How long the turn lasted, in milliseconds of broker time.
        spoke_ms: u64,
    },
    /// The most recent call was undone (`undo_call`). The event carries
    /// everything a client needs to fold it: the room's queue state
    /// becomes what it was before the call.
    CallUndone {
        /// The entry that was called: it is waiting again, at its place
        /// in submission order.
        entry_id: Uuid,
        /// Its channel: one turn less for it.
        channel: Channel,
        /// The speaker before the call, speaking again with their
        /// original times (absent when nobody spoke before the call).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resumed: Option<Speaking>,
        /// Where the entry goes back among the pins when the call took it
        /// from them (0 = first); a position past the end means last.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pin_index: Option<u32>,
        /// The rotation as it was before the call.
        rotation: Rotation,
    },
    /// Settings changed; carries the whole new settings.
    SettingsChanged {
        /// The settings now in force.
        settings: Settings,
    },
    /// The queue accepts new requests.
    QueueOpened,
    /// The queue refuses new requests (except the chair's).
    QueueClosed,
    /// The run of show was set; no phase is running.
    ProgrammeSet {
        /// The run of show.
        programme: Programme,
    },
    /// A phase began (and the one before it, if any, ended); its planned
    /// time runs from this event's `at_ms`.
    PhaseStarted {
        /// The phase's position in the programme.
        phase: u32,
    },
    /// A presenter of the running phase began; their planned time runs
    /// from this event's `at_ms`.
    PresenterStarted {
        /// The presenter's position in the phase's `speakers`.
        index: u32,
    },
    /// The remote audience was counted.
    RemoteAudienceSet {
        /// The count.
        count: u32,
    },
    /// Participant pages connected, as the broker counted them when a
    /// channel passed its peak.
    AttendanceRecorded {
        /// Pages connected, per channel.
        connected: Attendance,
    },
    /// A stored event that is not served as it is: it keeps its place in
    /// the log (its `seq` and `at_ms`) and changes nothing in the view.
    /// A broker sends it in place of a `gender_declared` of a log written
    /// before declarations left the log.
    Redacted,
    /// Legacy, stored only: a declared gender, as logs written before
    /// declarations left the log hold it. No broker sends it (it sends
    /// `redacted` in its place) and no decision makes it; it is decoded so
    /// that such logs still load and their declarations are counted by the
    /// session report. It is not part of the wire schema.
    #[schemars(skip)]
    GenderDeclared {
        /// The gender declared.
        gender: Gender,
    },
}

impl Event {
    /// The wire name of the event's type (serde's tag, by the same
    /// `snake_case` rule; a test holds them equal).
    pub fn name(&self) -> &'static str {
        self.into()
    }
}
