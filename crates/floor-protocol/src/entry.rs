//! A request to speak: as a client drafts it, as a curator patches it, and
//! as the room stores it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::double_option::{absent, deserialize as present};
use crate::vocab::{
    Channel, ClientKey, Delivery, EntryStatus, Gender, Kind, Region, Role, Source, StakeholderGroup,
};

/// The person who wants the floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Name as it should be announced and shown; 1 to 80 characters.
    #[schemars(length(min = 1, max = 80))]
    pub name: String,
    /// Organisation, up to 120 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 120))]
    pub affiliation: Option<String>,
    /// Stakeholder group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stakeholder_group: Option<StakeholderGroup>,
    /// UN regional group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// A stable id of the person chosen by the client (for example a
    /// registration number). When absent, the person is identified by their
    /// normalised name and affiliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 255))]
    pub person_id: Option<String>,
}

impl Person {
    /// A person known only by name.
    pub fn named(name: impl Into<String>) -> Self {
        Person {
            name: name.into(),
            affiliation: None,
            stakeholder_group: None,
            region: None,
            person_id: None,
        }
    }
}

/// A new request to speak, as sent in a `submit` command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryDraft {
    /// The channel the request comes from.
    pub channel: Channel,
    /// Question (the default) or comment.
    #[serde(default)]
    pub kind: Kind,
    /// Who will speak.
    pub person: Person,
    /// The question or comment, up to 1,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1000))]
    pub text: Option<String>,
    /// Seat or zone, for the mic runner; up to 40 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 40))]
    pub location: Option<String>,
    /// BCP 47 tag of the language the person will speak, for interpreters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 35))]
    pub language: Option<String>,
    /// How the words reach the room; defaults to `room_mic` onsite and
    /// `remote_audio` online.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// Where the person asked, when the submitting client relays their own
    /// request from another service (the online moderator or the chair, on
    /// an online entry, with `person.person_id` the person's account
    /// there). Absent for requests entered for someone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// The person's gender, only if they chose to give it. It is not kept
    /// with the entry and no event carries it: the broker adds it to the
    /// room's totals for the report's aggregate, and the command's events
    /// are the same as without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
}

/// Changes to an entry, as sent in an `edit` command. An absent field is
/// left as it is; for the optional fields, `null` clears the value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryPatch {
    /// New kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 80))]
    pub name: Option<String>,
    /// New affiliation, or `null` to clear it.
    #[serde(default, skip_serializing_if = "absent", deserialize_with = "present")]
    #[schemars(length(max = 120))]
    pub affiliation: Option<Option<String>>,
    /// New stakeholder group, or `null` to clear it.
    #[serde(default, skip_serializing_if = "absent", deserialize_with = "present")]
    pub stakeholder_group: Option<Option<StakeholderGroup>>,
    /// New region, or `null` to clear it.
    #[serde(default, skip_serializing_if = "absent", deserialize_with = "present")]
    pub region: Option<Option<Region>>,
    /// New text, or `null` to clear it.
    #[serde(default, skip_serializing_if = "absent", deserialize_with = "present")]
    #[schemars(length(max = 1000))]
    pub text: Option<Option<String>>,
    /// New location, or `null` to clear it.
    #[serde(default, skip_serializing_if = "absent", deserialize_with = "present")]
    #[schemars(length(max = 40))]
    pub location: Option<Option<String>>,
    /// New language tag, or `null` to clear it.
    #[serde(default, skip_serializing_if = "absent", deserialize_with = "present")]
    #[schemars(length(max = 35))]
    pub language: Option<Option<String>>,
    /// New delivery mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
}

impl EntryPatch {
    /// Whether the patch changes nothing at all.
    pub fn is_empty(&self) -> bool {
        self == &EntryPatch::default()
    }
}

/// Who entered an entry, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Provenance {
    /// The role of the connection that submitted it.
    pub role: Role,
    /// The submitting client's key (see [`ClientKey`]).
    pub client: ClientKey,
    /// Broker time of submission, in milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// Where the person asked themselves, for a request relayed from
    /// another service (see [`EntryDraft::source`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// A request to speak, as the room holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Entry {
    /// Broker-assigned id.
    pub id: Uuid,
    /// Sequence number of the event that submitted it: submission order.
    pub seq: u64,
    /// The channel it came from.
    pub channel: Channel,
    /// Question or comment.
    pub kind: Kind,
    /// Who will speak.
    pub person: Person,
    /// The question or comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Seat or zone, for the mic runner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// BCP 47 tag of the language the person will speak.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// How the words reach the room.
    pub delivery: Delivery,
    /// Who entered it, and when.
    pub provenance: Provenance,
    /// Where it is in its life.
    pub status: EntryStatus,
    /// Whether the mic runner has put a microphone in the person's hand.
    #[serde(default)]
    pub mic_in_hand: bool,
    /// For a `merged` entry, the entry it was merged into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<Uuid>,
    /// For a `rejected` entry, the reason given, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_reason: Option<String>,
    /// For a `done` entry, how long its turn lasted, in milliseconds of
    /// broker time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spoke_ms: Option<u64>,
}
