//! The floor room as a pure, synchronous state machine.
//!
//! A [`Room`] is the fold of its events. A command is first *decided*
//! against the current state and the issuer's role ([`Room::decide`]),
//! which yields either the events it causes or a typed [`CommandError`];
//! then each event is *applied* ([`Room::apply`]), the only way the state
//! changes. Replaying a room's log from [`Room::new`] gives the live state.
//!
//! The core does no I/O, spawns nothing and never reads a clock: broker
//! time and fresh ids arrive as data in a [`Ctx`]. What floor reads and
//! writes for people (the session report, the TOML room file, chat
//! transcripts) is in the `floor-files` crate, not here.
//!
//! # Layout
//! - [`summary`]: a room in a few numbers and its warnings, for the venue
//!   dashboard.
//! - [`room`]: the state, [`Room::apply`] and the read-only views; in
//!   `room/savepoint.rs`, [`room::Savepoint`]: going back to an earlier
//!   state (a failed commit, a command whose events do not all apply)
//!   without cloning the room.
//! - [`checkpoint`]: the room's state as data, so a restart folds only
//!   the events after it.
//! - [`view`]: [`LiveView`], the fold of events into what clients see,
//!   shared by the room and by every client.
//! - [`decide`]: [`Room::decide`], one function per command (in
//!   `floor_calls`, those of the floor: `next`, `call`, `finish`,
//!   `undo_call`, `pin`, `unpin`, and the `expect_speaking` check; in
//!   `programme_calls`, those of the run of show and the audience; in
//!   `submit_call`, `submit` and its checks of a relayed request).
//! - `capacity`: the cap on a room's open entries (`room_full`).
//! - [`audience`]: what the public links (participants, projector) are
//!   served: events and views without `person_id`.
//! - [`declarations`]: declared genders, carried beside a decision's
//!   events (never in them) and counted apart from the log; legacy logs'
//!   declarations served redacted.
//! - [`undo`]: what the room keeps of its most recent call, so that
//!   `undo_call` reverses it exactly.
//! - [`fairness`]: the fairness policy, the projected order and the
//!   choice `next` makes; pure functions over the waiting entries, one
//!   pass over them for the whole order.
//! - [`forecast`]: the time budget of an open floor.
//! - [`permission`]: the permission table: which role may do what, as data.
//! - [`validate`]: field checks and normalisation of client input.
//! - [`person`]: how a person is identified across entries.
//! - [`time_zone`]: time zones by IANA name, for a run of show's zone.
//! - [`error`]: [`CommandError`] (a refused command) and [`ApplyError`]
//!   (an event that does not fit the state, i.e. a corrupt log).

pub mod audience;
mod capacity;
pub mod checkpoint;
pub mod decide;
pub mod declarations;
pub mod error;
pub mod fairness;
mod floor_calls;
pub mod forecast;
pub mod permission;
pub mod person;
mod programme_calls;
pub mod room;
mod submit_call;
pub mod summary;
pub mod time_zone;
pub mod undo;
pub mod validate;
pub mod view;

pub use decide::{Actor, Ctx, Decision};
pub use error::{ApplyError, CommandError};
pub use permission::Action;
pub use person::PersonKey;
pub use room::{Receipt, Room, Savepoint};
pub use view::LiveView;
