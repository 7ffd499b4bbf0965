//! floor's Matrix bridge: remote participants raise their hand from the
//! Matrix room they already follow the session in.
//!
//! The bridge is a client of floor like the others: it connects with the
//! online moderator's link and drives the room only through commands. A
//! `!hand` message, or a ✋ reaction on the bridge's pinned message,
//! becomes an online entry relayed from Matrix (`source: matrix`, the
//! person's Matrix user id as `person_id`); the bridge answers in a thread
//! with the person's place, keeps that message up to date, mentions them
//! when they are called, and says when their turn is over. `!lower`, or
//! removing the reaction, withdraws the entry.
//!
//! # Layout
//! - [`said`]: what a message asks (`!hand`, `!lower`), and the request id
//!   a Matrix event's command carries.
//! - [`seen`]: a timeline event's JSON read into what the bridge acts on.
//! - [`hands`]: the bridge's state machine, with no I/O: events and the
//!   floor room in, commands and messages out.
//! - [`notice`]: what the bridge says in the room.
//! - [`limit`]: each Matrix user's budget of commands.
//! - [`store`]: the state file (sync position, hands, session), saved so
//!   that a restart neither misses a hand nor makes a second entry.
//! - [`matrix`]: the Matrix side, on matrix-sdk.
//! - [`bridge`]: the loop that joins them.
//! - [`error`]: why the bridge stops.

pub mod bridge;
pub mod error;
pub mod hands;
pub mod limit;
pub mod matrix;
pub mod notice;
pub mod said;
pub mod seen;
pub mod store;

pub use bridge::{BridgeOptions, run};
pub use error::BridgeError;
pub use matrix::{Credentials, MatrixOptions};
