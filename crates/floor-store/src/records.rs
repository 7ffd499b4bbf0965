//! The values the store reads and writes: rooms, token hashes, the
//! appends of a batch and a checkpoint as read back. Plain data; the SQL
//! that stores them is in the modules of [`Store`](crate::Store).

/// A room as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomRecord {
    /// The room id (slug).
    pub id: String,
    /// The title.
    pub title: String,
    /// The epoch of the room's log (a UUID, as text).
    pub epoch: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_at_ms: u64,
}

/// One role token's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHash {
    /// The role's wire name.
    pub role: String,
    /// SHA-256 of the token.
    pub hash: Vec<u8>,
}

/// The events of one room to append, with the genders their commands
/// declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Append {
    /// The room.
    pub room: String,
    /// Consecutive events as (seq, JSON text), continuing the room's log.
    pub events: Vec<(u64, String)>,
    /// Genders the commands declared, as (wire name, count): added to the
    /// room's totals with the events, never stored with them.
    pub declarations: Vec<(String, u64)>,
}

/// A room's checkpoint as read from the store: its text (`B`), or what a
/// reader made of it ([`Store::read_checkpoint`](crate::Store::read_checkpoint)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointRead<B = String> {
    /// The room has none.
    None,
    /// One that matches the room's log at `seq`.
    Found {
        /// The seq of the last event folded into it.
        seq: u64,
        /// Its text, as written, or what the reader made of it.
        body: B,
    },
    /// One that does not match the room's log (its event is missing, or
    /// its text or the log was changed since): to be ignored.
    Unmatched {
        /// The seq it claims.
        seq: u64,
        /// What is wrong.
        reason: &'static str,
    },
}
