//! What a client asks a room to do. A command travels inside a
//! [`crate::message::ClientMessage::Command`] with its request id.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entry::{EntryDraft, EntryPatch};
use crate::programme::{Attendance, Programme};
use crate::settings::SettingsPatch;

/// A command to a room. Which roles may issue each one is listed in the
/// protocol's README and enforced by the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
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
    Next {},
    /// End the current speaker's turn (if any) and call a specific waiting
    /// entry, out of order.
    Call {
        /// The waiting entry.
        entry_id: Uuid,
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
    Finish {},
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
    /// The wire name of the command's type.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Submit { .. } => "submit",
            Command::Edit { .. } => "edit",
            Command::Approve { .. } => "approve",
            Command::Reject { .. } => "reject",
            Command::Merge { .. } => "merge",
            Command::Withdraw { .. } => "withdraw",
            Command::MicInHand { .. } => "mic_in_hand",
            Command::Next {} => "next",
            Command::Call { .. } => "call",
            Command::Pin { .. } => "pin",
            Command::Unpin { .. } => "unpin",
            Command::Finish {} => "finish",
            Command::UpdateSettings { .. } => "update_settings",
            Command::OpenQueue {} => "open_queue",
            Command::CloseQueue {} => "close_queue",
            Command::SetProgramme { .. } => "set_programme",
            Command::StartPhase { .. } => "start_phase",
            Command::NextPresenter {} => "next_presenter",
            Command::SetRemoteAudience { .. } => "set_remote_audience",
            Command::RecordAttendance { .. } => "record_attendance",
        }
    }
}
