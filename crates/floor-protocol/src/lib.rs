//! The floor wire protocol, version 1.
//!
//! Every message that crosses a floor WebSocket is a JSON text frame whose
//! shape is one of the types in this crate. Nothing else defines the wire:
//! the JSON Schema in `protocol/schema/` is generated from these types (see
//! [`schema`]) and a test fails when the checked-in copy is stale.
//!
//! # Layout
//! - [`vocab`]: the small closed vocabularies (channel, role, status, ...).
//! - [`limits`]: the length limits of every free-text field.
//! - [`entry`]: a request to speak, as submitted, patched and stored.
//! - [`settings`]: a room's settings and the fairness policy.
//! - [`programme`]: a session's run of show and where it stands.
//! - [`command`]: what a client asks the room to do.
//! - [`conference`]: an event's sessions, one room each, as imported.
//! - [`event`]: what happened in a room, in sequence.
//! - [`view`]: a room's state as a snapshot, and its projected order.
//! - [`error`]: every error code a client can receive.
//! - [`close`]: the WebSocket close codes.
//! - [`timing`]: the reference clients' retry and reconnection timings.
//! - [`pages`]: the constants above as a JavaScript module for the pages.
//! - [`message`]: the envelopes: client messages and server messages.
//! - [`schema`]: the JSON Schema generated from the above.

pub mod close;
pub mod command;
pub mod conference;
pub mod entry;
pub mod error;
pub mod event;
pub mod limits;
pub mod message;
pub mod order;
pub mod pages;
pub mod programme;
pub mod schema;
pub mod settings;
pub mod timing;
pub mod view;
pub mod vocab;

mod double_option;

pub use command::{Command, CommandKind};
pub use entry::{Entry, EntryDraft, EntryPatch, Person, Provenance};
pub use error::ErrorCode;
pub use event::{CallVia, Cause, Credits, Event, RoomEvent};
pub use message::{
    ClientMessage, ErrorMessage, Hello, Resume, RoomInfo, ServerMessage, SnapshotReason,
};
pub use order::OrderSlot;
pub use programme::{Attendance, Phase, PhaseKind, PresenterTurn, Programme, Stage};
pub use settings::{Policy, Settings, SettingsPatch};
pub use view::{OrderReason, ProjectedSlot, RoomView, Rotation, Speaking, Tally};
pub use vocab::{
    Channel, ClientKey, Delivery, EntryStatus, Gender, Kind, Region, Role, Source, StakeholderGroup,
};

/// The protocol version this crate speaks; a client sends it in `hello`.
pub const PROTOCOL_VERSION: u32 = 1;
