//! A session's run of show: its phases (opening, presentations with named
//! speakers, open floor, closing round), each with a planned length, and
//! where the session stands in it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::entry::Person;

/// What a phase is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhaseKind {
    /// Welcome and framing by the chair.
    Opening,
    /// Named speakers present in turn.
    Presentations,
    /// The floor is open to the room and to remote participants.
    OpenFloor,
    /// Closing remarks, often each speaker in turn.
    Closing,
    /// Anything else.
    Other,
}

/// One phase of a run of show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Its title, 1 to 80 characters.
    #[schemars(length(min = 1, max = 80))]
    pub title: String,
    /// What it is for.
    pub kind: PhaseKind,
    /// Its planned length in minutes (1 to 600).
    #[schemars(range(min = 1, max = 600))]
    pub minutes: u32,
    /// The people who present in it, in order (up to 20).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 20))]
    pub speakers: Vec<Person>,
    /// Minutes each presenter has (1 to 120); when absent, the phase's
    /// minutes shared equally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 120))]
    pub minutes_each: Option<u32>,
}

impl Phase {
    /// Milliseconds each presenter has.
    pub fn presenter_ms(&self) -> u64 {
        let minutes = match self.minutes_each {
            Some(each) => u64::from(each) * 60_000,
            None => u64::from(self.minutes) * 60_000 / (self.speakers.len().max(1) as u64),
        };
        minutes.max(1)
    }
}

/// A session's run of show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Programme {
    /// The session's chair (or moderator), for the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chair: Option<Person>,
    /// The session's online moderator, for the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_moderator: Option<Person>,
    /// The session's rapporteur, for the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rapporteur: Option<Person>,
    /// The time zone the session is held in, as an IANA name
    /// (`Europe/Paris`): the session report gives its dates and times in
    /// it. Absent (or blank), the report uses UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 64))]
    pub time_zone: Option<String>,
    /// The phases, in order (1 to 20).
    #[schemars(length(min = 1, max = 20))]
    pub phases: Vec<Phase>,
}

impl Programme {
    /// The planned length of the whole session, in minutes.
    pub fn minutes(&self) -> u32 {
        self.phases.iter().map(|p| p.minutes).sum()
    }
}

/// Participant pages connected to a room, per channel (the channel each
/// participant declared at `hello`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Attendance {
    /// Participant pages onsite.
    pub onsite: u32,
    /// Participant pages online.
    pub online: u32,
}

impl Attendance {
    /// Each channel's larger count of the two.
    pub fn max(self, other: Attendance) -> Attendance {
        Attendance {
            onsite: self.onsite.max(other.onsite),
            online: self.online.max(other.online),
        }
    }

    /// Each channel's smaller count of the two.
    pub fn min(self, other: Attendance) -> Attendance {
        Attendance {
            onsite: self.onsite.min(other.onsite),
            online: self.online.min(other.online),
        }
    }

    /// Whether either channel's count is above `other`'s.
    pub fn exceeds(self, other: Attendance) -> bool {
        self.onsite > other.onsite || self.online > other.online
    }
}

/// A presenter's turn within a phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PresenterTurn {
    /// The presenter's position in the phase's `speakers`.
    pub index: u32,
    /// Broker time the turn began.
    pub since_ms: u64,
    /// Broker time the turn's planned time runs out.
    pub deadline_ms: u64,
}

/// Where the session stands in its run of show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Stage {
    /// The running phase's position in the programme.
    pub phase: u32,
    /// Broker time the phase began.
    pub since_ms: u64,
    /// Broker time the phase's planned time runs out.
    pub deadline_ms: u64,
    /// The presenter speaking now, in a phase with speakers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presenter: Option<PresenterTurn>,
    /// In an `open_floor` phase with an intake window: broker time until
    /// which requests are collected and `next` calls no one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intake_until_ms: Option<u64>,
}
