//! A conference: the sessions of an event's programme, one room each, as
//! `PUT /api/conference` takes them and `GET /api/conference` lists them,
//! and what an import changed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::programme::Programme;

/// Most sessions one conference holds.
pub const SESSIONS_MAX: usize = 1000;

/// Most characters of a session's location, type or source id.
pub const LABEL_MAX: usize = 200;

/// One session of a programme, as an import sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConferenceSession {
    /// The room's id (a room id: 1 to 63 characters of `a-z`, `0-9` and
    /// `-`, starting with a letter or digit), a stable slug of `uid`.
    pub id: String,
    /// The programme's own id of the session (an iCalendar `UID`, a frab
    /// `guid`), 1 to 200 characters.
    pub uid: String,
    /// Its title, 1 to 200 characters, no control characters.
    pub title: String,
    /// When it starts, in ms since the Unix epoch.
    pub starts_at_ms: u64,
    /// When it ends, in ms since the Unix epoch (after `starts_at_ms`).
    pub ends_at_ms: u64,
    /// Where it is held: a room of the venue, 1 to 200 characters.
    pub location: String,
    /// Its type as the programme writes it (`Workshop`), up to 200
    /// characters; empty when the programme gives none.
    #[serde(default)]
    pub kind: String,
    /// The time zone it is held in (an IANA name); its day is the date
    /// there. Absent: UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// The run of show set in its room when the room is created (never on
    /// a later import, which keeps what the chair made of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programme: Option<Programme>,
}

/// The body of `PUT /api/conference`: the whole programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConferenceImport {
    /// Every session (at most [`SESSIONS_MAX`]); a session of an earlier
    /// import that is not here is archived.
    pub sessions: Vec<ConferenceSession>,
}

/// A session as `GET /api/conference` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ListedSession {
    /// The room's id.
    pub id: String,
    /// The programme's id of the session.
    pub uid: String,
    /// Its title.
    pub title: String,
    /// When it starts, in ms since the Unix epoch.
    pub starts_at_ms: u64,
    /// When it ends, in ms since the Unix epoch.
    pub ends_at_ms: u64,
    /// Where it is held.
    pub location: String,
    /// Its type.
    pub kind: String,
    /// The time zone it is held in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Whether it left the programme (its room and log stay).
    pub archived: bool,
}

/// A session an import changed, and which of its fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ChangedSession {
    /// The room's id.
    pub id: String,
    /// The fields changed: `title`, `starts_at_ms`, `ends_at_ms`,
    /// `location`, `kind`, `time_zone`, `uid`.
    pub fields: Vec<String>,
}

/// What an import did: the answer of `PUT /api/conference`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ImportOutcome {
    /// Rooms created for new sessions.
    pub created: Vec<String>,
    /// Sessions whose title, times, location or type changed.
    pub changed: Vec<ChangedSession>,
    /// Sessions no longer in the programme: archived (room and log kept).
    pub archived: Vec<String>,
    /// Archived sessions back in the programme.
    pub restored: Vec<String>,
    /// How many sessions nothing changed.
    pub unchanged: usize,
}

/// How long past its deadline a presenter's turn, or a phase, runs before
/// the venue dashboard warns that it is far over time.
pub const OVER_TIME_GRACE_MS: u64 = 2 * 60_000;

/// One room as the venue dashboard sees it: what a person walking the
/// venue needs, not the room's events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoomSummary {
    /// The room's id.
    pub room: String,
    /// The seq of the room's last event folded into this summary.
    pub seq: u64,
    /// The phase of the run of show under way, once one has started.
    pub phase: Option<SummaryPhase>,
    /// The presenter whose turn is under way, in a phase of presenters.
    pub presenter: Option<SummaryPresenter>,
    /// Who has the floor now.
    pub speaker: Option<SummarySpeaker>,
    /// Requests waiting for the floor, per channel.
    pub waiting: Waiting,
    /// Remote questions awaiting the online moderator's approval.
    pub awaiting_approval: u32,
    /// Whether the queue takes new requests.
    pub queue_open: bool,
    /// Screens connected now, per role, on every broker.
    pub screens: Screens,
    /// What needs a person now, or from a given time.
    pub warnings: Vec<Warning>,
}

/// A phase under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SummaryPhase {
    /// Its index in the run of show, from 0.
    pub index: u32,
    /// Its title.
    pub title: String,
    /// What it is for.
    pub kind: crate::programme::PhaseKind,
    /// When its planned time ends, in ms since the Unix epoch.
    pub deadline_ms: u64,
}

/// A presenter's turn under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SummaryPresenter {
    /// The presenter's name.
    pub name: String,
    /// When the turn's planned time ends, in ms since the Unix epoch.
    pub deadline_ms: u64,
}

/// Who has the floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SummarySpeaker {
    /// Their name.
    pub name: String,
    /// Where they speak from.
    pub channel: crate::vocab::Channel,
    /// Since when, in ms since the Unix epoch.
    pub since_ms: u64,
}

/// Requests waiting, per channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Waiting {
    /// From the room.
    pub onsite: u32,
    /// From the video call.
    pub online: u32,
}

/// Screens connected, per role.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Screens {
    /// Chair screens.
    pub chair: u32,
    /// Online moderator screens.
    pub moderator: u32,
    /// Mic runner screens.
    pub runner: u32,
    /// Projectors.
    pub display: u32,
    /// Participant pages.
    pub participant: u32,
}

/// Something in a room that needs a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// The queue is closed while requests wait.
    QueueClosedWithWaiting,
    /// A presenter's turn (or the phase, when no presenter is on) runs
    /// more than [`OVER_TIME_GRACE_MS`] past its planned end, from
    /// `since_ms` on: a screen shows it once its clock reaches that time.
    OverTime {
        /// When the warning holds from, in ms since the Unix epoch.
        since_ms: u64,
    },
    /// Online requests wait (or await approval) and no online moderator's
    /// screen is connected.
    NoModerator,
    /// The broker cannot write to its store: commands are refused.
    StorageDegraded,
}

/// The one message a venue dashboard sends on `/conference/ws`, first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum WatchMessage {
    /// Starts the subscription with the admin or the `ops` token.
    Watch {
        /// The token.
        token: String,
    },
}

/// What the broker sends a venue dashboard on `/conference/ws`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveMessage {
    /// The whole picture: first, and again whenever an import changed the
    /// sessions.
    Conference {
        /// The broker's clock now.
        server_time_ms: u64,
        /// The sessions in the programme (archived ones left out), by
        /// start, location and id.
        sessions: Vec<ListedSession>,
        /// The summary of every room served now by a broker of this store.
        rooms: Vec<RoomSummary>,
    },
    /// One room's summary changed.
    Room {
        /// The broker's clock now.
        server_time_ms: u64,
        /// The room's summary.
        summary: RoomSummary,
    },
    /// The subscription is refused (then the socket closes).
    Error {
        /// `unauthorized` or `invalid_message`.
        code: String,
        /// For humans.
        message: String,
    },
}
