//! The durable event log of floor rooms, in embedded SQLite.
//!
//! The store knows rooms, their role-token hashes and their events as JSON
//! text; it knows nothing of the protocol's types, of tokio or of sockets.
//! The broker owns one [`Store`] on a dedicated thread and sends it batches
//! of appends (group commit).
//!
//! # Durability
//! The database runs in WAL mode with `synchronous=FULL`; [`Store::open`]
//! sets both, reads them back and refuses to start if either did not take.
//! [`Store::append`] writes a whole batch (events of many rooms, and the
//! genders their commands declared) in one transaction: all of it is on
//! disk when it returns `Ok`, none of it when it returns `Err`. A
//! command's receipt, which answers its repeat, is folded from its events
//! by the core; the store keeps no record of requests beside them.
//!
//! # Integrity
//! Each room's events form a hash chain: an event's `chain` is SHA-256 of
//! the previous event's `chain`, its seq and its text (the first event's
//! predecessor is a hash of the room id), as etcd's rolling CRC over its
//! WAL. [`Store::for_each_event`] checks it while it reads, so an event
//! altered or damaged in the middle of a log is reported with its room and
//! seq ([`StoreError::Corrupt`]) instead of being served. SQLite's
//! `quick_check` ([`check_file`]) reads every page of the file, seconds for
//! a log of a million events, so the broker runs it beside serving, not
//! before (a damaged file then stops writes). A write-ahead log cut mid-record (a
//! torn write) is recovered by SQLite to its last whole commit;
//! [`wal_torn_tail`] tells the caller so it can warn.
//!
//! # Files
//! [`Store::open`] creates a store only where no file exists, and refuses
//! a zero-length file, a file that is not SQLite, an SQLite database
//! without floor's tables, or a write-ahead log without its database
//! ([`StoreError::NotAStore`]). An open store remembers the device and
//! inode of its files; [`Store::check_files`] tells when one was deleted or
//! replaced behind its back ([`StoreError::Vanished`],
//! [`StoreError::Replaced`]).
//!
//! # Layout
//! - `store`: [`Store`] itself: open and create, the durability pragmas,
//!   the schema, the `meta` table.
//! - `rooms`: rooms and their token hashes ([`RoomRecord`], [`TokenHash`]).
//! - `events`: appending batches ([`Append`]) and reading a room's events.
//! - `checkpoint`: each room's checkpoint, tied to its log
//!   ([`CheckpointRead`]).
//! - `chain`: the hash chain over each room's events, and chaining a log
//!   from before it.
//! - `check`: the checks that run beside serving ([`check_file`],
//!   [`check_chains`], [`wal_torn_tail`]).
//! - `records`: the plain values above; `error`: [`StoreError`], typed.
//! - `file`: what may be opened as a store, and the identity of its files.

mod chain;
mod check;
mod checkpoint;
mod error;
mod events;
mod file;
mod records;
mod rooms;
mod store;
#[cfg(test)]
mod test_support;

pub use check::{check_chains, check_file, wal_torn_tail};
pub use error::StoreError;
pub use records::{Append, CheckpointRead, RoomRecord, TokenHash};
pub use store::Store;

/// A seq or count as SQLite's integer (saturating: none comes near).
fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// An integer read from SQLite as a seq or count (a negative one is 0).
fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}
