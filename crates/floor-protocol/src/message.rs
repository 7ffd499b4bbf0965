//! The envelopes: every JSON text frame is a [`ClientMessage`] (client to
//! broker) or a [`ServerMessage`] (broker to client), told apart by `type`.
//!
//! Client messages are strict: an unknown field is an error, so a typo
//! never passes silently. Server messages, events, entries and views may
//! gain optional fields within a protocol version, so clients ignore fields
//! they do not know. The types that travel both ways (`Person`,
//! `EntryPatch`, `Settings`, `Policy`) are strict in both directions and
//! change only with a new protocol version.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::command::Command;
use crate::error::ErrorCode;
use crate::event::RoomEvent;
use crate::order::OrderSlot;
use crate::view::{ProjectedSlot, RoomView};
use crate::vocab::{Channel, ClientKey, Role};

/// A message from a client to the broker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// The first message on every connection.
    Hello(Hello),
    /// A command to the room, with the client's request id.
    Command {
        /// Chosen by the client, 1 to 64 characters, unique per client; a
        /// command repeated with the same request id takes effect once.
        #[schemars(length(min = 1, max = 64))]
        request_id: String,
        /// The command.
        command: Command,
    },
    /// Asks for a fresh snapshot, e.g. after the client found a gap.
    Sync {},
}

/// The first message on every connection: who the client is, which room it
/// opens with which token, and where it left off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hello {
    /// The protocol version the client speaks; `1`.
    pub protocol: u32,
    /// The room id (slug).
    pub room: String,
    /// The room's secret token of the role the client acts as.
    pub token: String,
    /// A random id the client keeps across reconnects (1 to 64 characters,
    /// e.g. a UUID); request ids are scoped to it.
    #[schemars(length(min = 1, max = 64))]
    pub client_id: String,
    /// For a participant: the channel they take part from. Required before a
    /// participant may submit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// Where the client left off; absent on a first connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<Resume>,
    /// Free text naming the client software, for logs (up to 64 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 64))]
    pub agent: Option<String>,
    /// Whether the client takes `order` messages in the compact form: a
    /// slot the previous order on the connection held may be sent as its
    /// index there (see [`crate::order`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub compact_order: bool,
}

/// The last event a client saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resume {
    /// The epoch of the room log the client saw.
    pub epoch: Uuid,
    /// The sequence number of the last event the client applied.
    pub seq: u64,
}

/// Why a snapshot was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotReason {
    /// The `hello` had no `resume`.
    Initial,
    /// The resume point is from another epoch of the room's log.
    EpochChanged,
    /// The resume point is older than the events the broker can replay.
    TooOld,
    /// The resume point is ahead of the room's log.
    Ahead,
    /// The client sent `sync`.
    Requested,
}

/// A room's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoomInfo {
    /// The room id (slug).
    pub id: String,
    /// The room's title.
    pub title: String,
}

/// A message from the broker to a client.
// A snapshot is much larger than the other messages; messages live only
// while they are encoded or decoded, so boxing it would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The answer to a valid `hello`.
    Welcome {
        /// The protocol version the broker speaks on this connection.
        protocol: u32,
        /// The room.
        room: RoomInfo,
        /// The role the token grants.
        role: Role,
        /// This client's key, as events name it in `cause.client` and
        /// `provenance.client`.
        client: ClientKey,
        /// The epoch of the room's log.
        epoch: Uuid,
        /// The sequence number of the room's latest event.
        head: u64,
        /// Broker time now, in milliseconds since the Unix epoch, so clients
        /// can correct their clocks for countdowns.
        server_time_ms: u64,
        /// Whether `order` messages on this connection may be compact: the
        /// hello asked for it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        compact_order: bool,
    },
    /// The whole room at one sequence number, replacing anything the client
    /// held.
    Snapshot {
        /// The epoch of the room's log.
        epoch: Uuid,
        /// Why it was sent.
        reason: SnapshotReason,
        /// The room; `room.seq` is its sequence number.
        room: RoomView,
        /// The projected order at `room.seq`.
        order: Vec<ProjectedSlot>,
    },
    /// Events, in sequence, each exactly once.
    Events {
        /// The epoch of the room's log.
        epoch: Uuid,
        /// One or more consecutive events.
        events: Vec<RoomEvent>,
    },
    /// The projected order after the event numbered `seq`.
    Order {
        /// The epoch of the room's log.
        epoch: Uuid,
        /// The sequence number of the last event it reflects.
        seq: u64,
        /// The order: every slot written out, unless the connection asked
        /// for `compact_order` (see [`crate::order`]).
        order: Vec<OrderSlot>,
    },
    /// A command took effect (or had already taken effect).
    Ack {
        /// The command's request id.
        request_id: String,
        /// The sequence number of the first event it produced.
        first_seq: u64,
        /// The sequence number of the last event it produced.
        last_seq: u64,
        /// For `submit`: the new entry's id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        entry_id: Option<Uuid>,
        /// True when this request id had already taken effect; nothing new
        /// happened and the original result is returned.
        duplicate: bool,
    },
    /// A message or command was refused; nothing changed.
    Error(ErrorMessage),
}

/// A refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorMessage {
    /// The request id of the refused command, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// What went wrong.
    pub code: ErrorCode,
    /// A sentence for humans.
    pub message: String,
    /// For `invalid_field`: the offending field, e.g. `entry.person.name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The entry the error is about, when there is one: for
    /// `duplicate_person` and `participant_limit` the person's open entry;
    /// for `entry_not_found`, `invalid_transition` and `forbidden` the entry
    /// named in the command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_id: Option<Uuid>,
}
