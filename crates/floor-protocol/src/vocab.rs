//! The closed vocabularies of the protocol. Each serializes as a
//! `snake_case` string.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Declares a closed vocabulary of the protocol: a fieldless enum whose
/// wire name is its variant's name in `snake_case`, by one rule for serde
/// and strum, so [`as_str`](Channel::as_str) is exactly the serialized
/// form (tests/names.rs holds them equal).
macro_rules! vocabulary {
    ($(#[$meta:meta])* pub enum $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[derive(strum::IntoStaticStr)]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name { $($body)* }

        impl $name {
            /// The wire name (serde's, by the same `snake_case` rule).
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary! {
    /// Where a request to speak comes from.
    pub enum Channel {
        /// A raised hand in the room, entered by the mic runner or the person.
        Onsite,
        /// A remote participant, entered by the online moderator or the person.
        Online,
    }
}

impl Channel {
    /// Both channels, onsite first.
    pub const ALL: [Channel; 2] = [Channel::Onsite, Channel::Online];

    /// The other channel.
    pub fn other(self) -> Channel {
        match self {
            Channel::Onsite => Channel::Online,
            Channel::Online => Channel::Onsite,
        }
    }
}

/// What the person wants to do with the floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Ask a question.
    #[default]
    Question,
    /// Make a comment.
    Comment,
}

vocabulary! {
    /// A gender, as a person chose to declare it. It is never stored with the
    /// person or the entry, and no event carries it: the broker only adds it to
    /// the room's totals, for the session report's aggregate.
    pub enum Gender {
        /// Woman.
        Woman,
        /// Man.
        Man,
        /// Non-binary.
        NonBinary,
        /// Another gender.
        Another,
    }
}

impl Gender {
    /// Every gender, in the report's order.
    pub const ALL: [Gender; 4] = [
        Gender::Woman,
        Gender::Man,
        Gender::NonBinary,
        Gender::Another,
    ];

    /// The gender of a wire name.
    pub fn from_name(name: &str) -> Option<Gender> {
        Gender::ALL.into_iter().find(|g| g.as_str() == name)
    }
}

/// The stakeholder groups of the Internet Governance Forum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StakeholderGroup {
    /// Government.
    Government,
    /// Civil society.
    CivilSociety,
    /// Private sector.
    PrivateSector,
    /// Technical community.
    TechnicalCommunity,
    /// Intergovernmental organisation.
    Intergovernmental,
    /// Academia.
    Academia,
    /// Any other group.
    Other,
}

/// The United Nations regional groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// African Group.
    African,
    /// Asia-Pacific Group.
    AsiaPacific,
    /// Eastern European Group.
    EasternEuropean,
    /// Latin American and Caribbean Group.
    Grulac,
    /// Western European and Others Group.
    Weog,
    /// Anywhere else.
    Other,
}

/// How the words reach the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Spoken into a microphone in the room (onsite only).
    RoomMic,
    /// Spoken over the video call's audio (online only).
    RemoteAudio,
    /// Read aloud by the online moderator (online only).
    ReadAloud,
}

impl Delivery {
    /// The delivery an entry gets when none is given.
    pub fn default_for(channel: Channel) -> Delivery {
        match channel {
            Channel::Onsite => Delivery::RoomMic,
            Channel::Online => Delivery::RemoteAudio,
        }
    }

    /// Whether this delivery makes sense on `channel`.
    pub fn fits(self, channel: Channel) -> bool {
        matches!(
            (self, channel),
            (Delivery::RoomMic, Channel::Onsite)
                | (Delivery::RemoteAudio | Delivery::ReadAloud, Channel::Online)
        )
    }
}

vocabulary! {
    /// Where a person asked for the floor themselves, when a client relays
    /// the request from another service (section 11.1, `source`).
    #[derive(strum::EnumIter)]
    pub enum Source {
        /// A Matrix room, through `floor bridge matrix`; the person's
        /// `person_id` is their Matrix user id.
        Matrix,
    }
}

vocabulary! {
    /// Who a connection acts as; each role has its own room token.
    pub enum Role {
        /// Runs the session: calls speakers, overrides the order, changes settings.
        Chair,
        /// The online moderator: curates online entries.
        Moderator,
        /// The onsite mic runner: curates onsite entries.
        Runner,
        /// A member of the audience: submits and withdraws their own entry.
        Participant,
        /// A read-only screen, such as the projector.
        Display,
    }
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 5] = [
        Role::Chair,
        Role::Moderator,
        Role::Runner,
        Role::Participant,
        Role::Display,
    ];
}

/// Where an entry is in its life.
///
/// `pending → waiting → speaking → done` is the main path; `withdrawn`,
/// `rejected` and `merged` end it early.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Submitted by a participant in a moderated room; awaits approval.
    Pending,
    /// In the queue.
    Waiting,
    /// Has the floor now.
    Speaking,
    /// Has spoken.
    Done,
    /// Taken back by its submitter or a curator.
    Withdrawn,
    /// Refused by a curator.
    Rejected,
    /// Folded into another entry (see `merged_into`).
    Merged,
}

impl EntryStatus {
    /// Whether the entry still counts as a person's open request.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            EntryStatus::Pending | EntryStatus::Waiting | EntryStatus::Speaking
        )
    }
}

/// The broker's pseudonym of a client: the first 16 bytes of SHA-256 of the
/// client id, in lowercase hex. Events carry it instead of the client id so
/// that no one can act as another client by reading the event stream.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct ClientKey(pub String);

impl ClientKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        ClientKey(key.into())
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gender_names_are_the_wire_names() {
        for gender in Gender::ALL {
            let wire = serde_json::to_value(gender).ok();
            assert_eq!(
                wire.as_ref().and_then(|v| v.as_str()),
                Some(gender.as_str())
            );
            assert_eq!(Gender::from_name(gender.as_str()), Some(gender));
        }
        assert_eq!(Gender::from_name("women"), None);
    }
}
