//! What a client asks a room to do. A command travels inside a
//! [`crate::message::ClientMessage::Command`] with its request id.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::double_option::{absent, deserialize as present};
use crate::entry::{EntryDraft, EntryPatch};
use crate::programme::{Attendance, Programme};
use crate::settings::SettingsPatch;

/// A command to a room. Which roles may issue each one is listed in the
/// protocol's README and enforced by the room.
// Its wire names (`Command::name`, `CommandKind`) come from the same
// `snake_case` rule as serde's tag, and tests/names.rs holds them equal.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::IntoStaticStr,
    strum::EnumDiscriminants,
)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(CommandKind),
    derive(Hash, strum::EnumIter, strum::IntoStaticStr),
    strum(serialize_all = "snake_case"),
    doc = "What a command does, without its fields: one per command type, for permissions and counting."
)]
pub enum Command {
    /// Add a request to speak.
    Submit {
        /// The request.
        entry: EntryDraft,
    },
    /// Correct an open entry.
    Edit {
        /// The entry to change.
        entry_id: Uuid,
        /// What to change.
        patch: EntryPatch,
    },
    /// Accept a pending entry into the queue.
    Approve {
        /// The pending entry.
        entry_id: Uuid,
    },
    /// Refuse a pending or waiting entry.
    Reject {
        /// The entry.
        entry_id: Uuid,
        /// Why, up to 200 characters; shown to the submitter.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(length(max = 200))]
        reason: Option<String>,
    },
    /// Fold a duplicate entry into another open entry.
    Merge {
        /// The duplicate, which becomes `merged`.
        entry_id: Uuid,
        /// The entry that stays.
        into: Uuid,
    },
    /// Take back a pending or waiting entry.
    Withdraw {
        /// The entry.
        entry_id: Uuid,
    },
    /// Record that the mic runner has put a microphone in the person's hand.
    MicInHand {
        /// An onsite entry, waiting or speaking.
        entry_id: Uuid,
    },
    /// End the current speaker's turn (if any) and call the next entry of
    /// the fairness policy.
    Next {
        /// The entry the issuer sees speaking, or `null` for nobody. When
        /// present and not the room's current speaker, the command is
        /// refused with `speaker_changed` and nothing changes; absent, it
        /// is not checked.
        #[serde(default, skip_serializing_if = "absent", deserialize_with = "present")]
        expect_speaking: Option<Option<Uuid>>,
    },
    /// End the current speaker's turn (if any) and call a specific waiting
    /// entry, out of order.
    Call {
        /// The waiting entry.
        entry_id: Uuid,
        /// The entry the issuer sees speaking, or `null` for nobody. When
        /// present and not the room's current speaker, the command is
        /// refused with `speaker_changed` and nothing changes; absent, it
        /// is not checked.
        #[serde(default, skip_serializing_if = "absent", deserialize_with = "present")]
        expect_speaking: Option<Option<Uuid>>,
    },
    /// Put a waiting entry ahead of the policy; pinned entries are called in
    /// the order they were pinned.
    Pin {
        /// The waiting entry.
        entry_id: Uuid,
    },
    /// Remove a pin.
    Unpin {
        /// The pinned entry.
        entry_id: Uuid,
    },
    /// End the current speaker's turn without calling anyone.
    Finish {
        /// The entry the issuer sees speaking, or `null` for nobody. When
        /// present and not the room's current speaker, the command is
        /// refused with `speaker_changed` and nothing changes; absent, it
        /// is not checked.
        #[serde(default, skip_serializing_if = "absent", deserialize_with = "present")]
        expect_speaking: Option<Option<Uuid>>,
    },
    /// Reverse the room's most recent call (by `next` or `call`) while its
    /// entry is still speaking: the entry waits again at its place, the
    /// previous speaker (if any) speaks again from their original start,
    /// and the pins, the rotation and the turns are as before the call.
    UndoCall {
        /// The entry the issuer sees speaking (the call to undo), or
        /// `null` for nobody; checked as for `next`.
        #[serde(default, skip_serializing_if = "absent", deserialize_with = "present")]
        expect_speaking: Option<Option<Uuid>>,
    },
    /// Change settings.
    UpdateSettings {
        /// What to change.
        patch: SettingsPatch,
    },
    /// Accept new requests.
    OpenQueue {},
    /// Refuse new requests (except the chair's); the queue keeps its entries.
    CloseQueue {},
    /// Set the session's run of show; nothing is running until a phase is
    /// started.
    SetProgramme {
        /// The run of show.
        programme: Programme,
    },
    /// Start a phase of the run of show (any phase, so the chair can go
    /// back or skip).
    StartPhase {
        /// The phase's position in the programme, from 0.
        phase: u32,
    },
    /// Give the running phase's next presenter the floor (the first, if
    /// none has spoken yet).
    NextPresenter {},
    /// Record how many people follow the session remotely, as the video
    /// platform shows it (the online moderator enters it from time to
    /// time).
    SetRemoteAudience {
        /// The count, 0 to 1,000,000.
        #[schemars(range(max = 1_000_000))]
        count: u32,
    },
    /// Record the participant pages connected now. The broker sends it
    /// itself when a channel's count passes its peak; a client's
    /// connection may not.
    RecordAttendance {
        /// Pages connected, per channel (each 0 to 1,000,000).
        connected: Attendance,
    },
}

impl Command {
    /// `next`, without `expect_speaking` (unchecked).
    pub fn next() -> Command {
        Command::Next {
            expect_speaking: None,
        }
    }

    /// `call` of `entry_id`, without `expect_speaking` (unchecked).
    pub fn call(entry_id: Uuid) -> Command {
        Command::Call {
            entry_id,
            expect_speaking: None,
        }
    }

    /// `finish`, without `expect_speaking` (unchecked).
    pub fn finish() -> Command {
        Command::Finish {
            expect_speaking: None,
        }
    }

    /// The wire name of the command's type.
    pub fn name(&self) -> &'static str {
        self.into()
    }

    /// The speaker the issuer expects (`next`, `call`, `finish` and
    /// `undo_call`): `None` when the command does not say, `Some(None)`
    /// for nobody.
    pub fn expect_speaking(&self) -> Option<Option<Uuid>> {
        match self {
            Command::Next { expect_speaking }
            | Command::Call {
                expect_speaking, ..
            }
            | Command::Finish { expect_speaking }
            | Command::UndoCall { expect_speaking } => *expect_speaking,
            _ => None,
        }
    }
}

impl CommandKind {
    /// Every kind of command, in the order they are declared.
    pub fn all() -> impl Iterator<Item = CommandKind> {
        <CommandKind as strum::IntoEnumIterator>::iter()
    }

    /// The wire name of this kind of command.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}
