//! What can go wrong in the store, typed: [`StoreError`], and which of
//! its kinds refuse one append rather than report a failing store.

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused or failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}: {source}")]
    Directory {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file at the data path is not a floor store (zero-length, not
    /// SQLite, another application's database, or a write-ahead log
    /// without its database): refused rather than started over.
    #[error("{path} is not a floor store: {reason}; {advice}")]
    NotAStore {
        /// The data path.
        path: String,
        /// What is there instead.
        reason: String,
        /// What the operator does.
        advice: &'static str,
    },
    /// There is no store at the path (and the caller may not create one).
    #[error("no store at {0}")]
    Missing(String),
    /// A file of the store could not be read or examined.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A file of the open store was deleted behind its back: what is
    /// written now goes to a file nobody will read again.
    #[error("{path} vanished under the running broker")]
    Vanished {
        /// The file.
        path: String,
    },
    /// A file of the open store was replaced by another behind its back.
    #[error("{path} was replaced by another file under the running broker")]
    Replaced {
        /// The file.
        path: String,
    },
    /// A pragma the store depends on did not take effect.
    #[error("sqlite {pragma} is {actual}, expected {expected}")]
    Pragma {
        /// The pragma.
        pragma: &'static str,
        /// What it should be.
        expected: &'static str,
        /// What it is.
        actual: String,
    },
    /// A stored event does not match its room's hash chain, or SQLite's
    /// `quick_check` found damage: the log was altered or damaged.
    #[error("the log is damaged: {room} event {seq}: {reason}")]
    Corrupt {
        /// The room (empty when SQLite's check found the damage).
        room: String,
        /// The event's seq (0 when unknown).
        seq: u64,
        /// What is wrong.
        reason: String,
    },
    /// A room with this id exists already.
    #[error("room {0} exists already")]
    RoomExists(String),
    /// No room has this id.
    #[error("no room {0}")]
    NoSuchRoom(String),
    /// A checkpoint names an event the log does not hold.
    #[error("room {room} has no event {seq} to checkpoint")]
    NoSuchEvent {
        /// The room.
        room: String,
        /// The seq.
        seq: u64,
    },
    /// An append does not continue its room's log.
    #[error("room {room}: append at seq {got} does not follow {head}")]
    OutOfSequence {
        /// The room.
        room: String,
        /// The room's last stored seq.
        head: u64,
        /// The first seq of the append.
        got: u64,
    },
}

impl StoreError {
    /// Whether the error refuses one append for its content (out of
    /// sequence, a checkpoint of a missing event, a row that breaks a
    /// table's constraint) rather than reporting a failing store.
    pub fn is_refusal(&self) -> bool {
        match self {
            StoreError::OutOfSequence { .. } | StoreError::NoSuchEvent { .. } => true,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.code == rusqlite::ErrorCode::ConstraintViolation
            }
            _ => false,
        }
    }
}
