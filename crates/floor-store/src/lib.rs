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
//! idempotency record of each command) in one transaction: all of it is on
//! disk when it returns `Ok`, none of it when it returns `Err`.
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
//! - [`Store`]: open, rooms, tokens, events, append.
//! - [`StoreError`]: what can go wrong, typed.
//! - `file`: what may be opened as a store, and the identity of its files.

mod file;

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

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

/// The idempotency record of one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// The issuing client's key.
    pub client: String,
    /// The client's request id.
    pub request_id: String,
    /// The command's first event.
    pub first_seq: u64,
    /// The command's last event.
    pub last_seq: u64,
}

/// The events of one room to append, with the commands that caused them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Append {
    /// The room.
    pub room: String,
    /// Consecutive events as (seq, JSON text), continuing the room's log.
    pub events: Vec<(u64, String)>,
    /// The idempotency records of the commands behind the events.
    pub requests: Vec<RequestRecord>,
    /// Genders the commands declared, as (wire name, count): added to the
    /// room's totals with the events, never stored with them.
    pub declarations: Vec<(String, u64)>,
}

/// Runs SQLite's `quick_check` on the log at `path` over a read-only
/// connection of its own (beside a [`Store`] open on it): every page and
/// index of the file is read and checked.
pub fn check_file(path: &Path) -> Result<(), StoreError> {
    let conn = open_read_only(path)?;
    let check: Vec<String> = conn
        .prepare("PRAGMA quick_check")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if check != ["ok"] {
        return Err(StoreError::Corrupt {
            room: String::new(),
            seq: 0,
            reason: format!("sqlite quick_check: {}", check.join("; ")),
        });
    }
    Ok(())
}

/// A read-only connection of its own to the database at `path`, for the
/// checks that run beside the writer.
fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    Ok(Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?)
}

/// Checks every room's hash chain from its first event, over a read-only
/// connection of its own: what a start skips for the events before a
/// room's checkpoint and resume window, checked beside serving. The first
/// damaged event is reported with its room and seq.
pub fn check_chains(path: &Path) -> Result<(), StoreError> {
    let reader = Store {
        conn: open_read_only(path)?,
        files: None,
        created: false,
    };
    let rooms: Vec<String> = reader
        .conn
        .prepare("SELECT id FROM rooms ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for room in rooms {
        reader.for_each_event(&room, 0, |_, _| {})?;
    }
    Ok(())
}

/// The event log.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    /// The files the connection opened (none for the read-only checks).
    files: Option<file::FileIds>,
    /// Whether this open created the store.
    created: bool,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rooms (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    epoch TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS room_tokens (
    room TEXT NOT NULL REFERENCES rooms(id),
    role TEXT NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (room, role)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    room TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    chain BLOB,
    PRIMARY KEY (room, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
    room TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    digest BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS requests (
    room TEXT NOT NULL,
    client TEXT NOT NULL,
    request_id TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (room, client, request_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS declarations (
    room TEXT NOT NULL,
    gender TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (room, gender)
) WITHOUT ROWID;
";

/// The `meta` key that says every stored event has its chain value.
const CHAINED_KEY: &str = "events_chained";

/// The chain value before a room's first event.
fn chain_start(room: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"floor event chain\0");
    hash.update(room.as_bytes());
    hash.finalize().into()
}

/// The chain value of event `seq` with text `body`, after `previous`.
fn chain_next(previous: &[u8], seq: u64, body: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(previous);
    hash.update(seq.to_be_bytes());
    hash.update(body.as_bytes());
    hash.finalize().into()
}

/// The digest that ties a checkpoint's text to its room's log: the chain
/// value of the event it was taken at, and the text.
fn checkpoint_digest(chain: &[u8], seq: u64, body: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"floor checkpoint\0");
    hash.update(chain);
    hash.update(seq.to_be_bytes());
    hash.update(body.as_bytes());
    hash.finalize().into()
}

/// A room's checkpoint as read from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointRead {
    /// The room has none.
    None,
    /// One that matches the room's log at `seq`.
    Found {
        /// The seq of the last event folded into it.
        seq: u64,
        /// Its text, as written.
        body: String,
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

/// When the write-ahead log beside the database at `path` ends in a
/// partial record (a write cut short by a crash or a power loss), how many
/// bytes of it SQLite will ignore, recovering to the last whole commit.
/// `None` when there is no such log or it ends on a record boundary.
pub fn wal_torn_tail(path: &Path) -> Option<u64> {
    use std::io::Read;
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let mut file = std::fs::File::open(wal).ok()?;
    let len = file.metadata().ok()?.len();
    let mut header = [0u8; 32];
    if len < 32 {
        return (len > 0).then_some(len);
    }
    file.read_exact(&mut header).ok()?;
    let page = u64::from(u32::from_be_bytes([
        header[8], header[9], header[10], header[11],
    ]));
    let page = if page == 1 { 65_536 } else { page };
    if page < 512 {
        return None;
    }
    let tail = (len - 32) % (24 + page);
    (tail != 0).then_some(tail)
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

impl Store {
    /// Opens the store at `path`, or creates it (and its directory) where
    /// no file exists, and checks the durability pragmas. A file there that
    /// is not a floor store is refused ([`StoreError::NotAStore`]);
    /// [`Store::created`] tells whether this open made a new one.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if file::check_before_open(path)? {
            return Store::open_checked(path);
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Directory {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
            | rusqlite::OpenFlags::SQLITE_OPEN_CREATE
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        file::stamp(&conn)?;
        let mut store = Store::init(conn, path)?;
        store.created = true;
        Ok(store)
    }

    /// Opens the store at `path`, never creating one: for reopening after
    /// a failure, and for readers beside the broker. No file is
    /// [`StoreError::Missing`]; one that is not a floor store is refused
    /// as by [`Store::open`].
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !file::check_before_open(path)? {
            return Err(StoreError::Missing(path.display().to_string()));
        }
        Store::open_checked(path)
    }

    /// Opens a file that looked like SQLite, without creating one, and
    /// checks it holds floor's tables.
    fn open_checked(path: &Path) -> Result<Store, StoreError> {
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|error| {
            match error.sqlite_error_code() {
                Some(rusqlite::ErrorCode::CannotOpen) => {
                    StoreError::Missing(path.display().to_string())
                }
                _ => StoreError::Sqlite(error),
            }
        })?;
        match file::check_schema(&conn, path) {
            Ok(()) => Store::init(conn, path),
            Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)))
                if e.code == rusqlite::ErrorCode::NotADatabase =>
            {
                Err(file::not_a_store(path, "it is not an SQLite database"))
            }
            Err(error) => Err(error),
        }
    }

    /// Whether this open created a new, empty store (no file was there).
    pub fn created(&self) -> bool {
        self.created
    }

    /// Checks that the files this store opened (the database, its
    /// write-ahead log and shared-memory index) are still the ones at their
    /// paths: [`StoreError::Vanished`] or [`StoreError::Replaced`] when one
    /// was deleted or replaced behind its back. Writes made after that go
    /// to a file nobody will read again; the caller stops taking them.
    pub fn check_files(&self) -> Result<(), StoreError> {
        match &self.files {
            Some(files) => files.check(),
            None => Ok(()),
        }
    }

    fn init(conn: Connection, path: &Path) -> Result<Store, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Pragma {
                pragma: "journal_mode",
                expected: "wal",
                actual: mode,
            });
        }
        conn.execute_batch("PRAGMA synchronous=FULL")?;
        let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
        if sync != 2 {
            return Err(StoreError::Pragma {
                pragma: "synchronous",
                expected: "2 (FULL)",
                actual: sync.to_string(),
            });
        }
        conn.execute_batch("PRAGMA foreign_keys=ON")?;
        conn.execute_batch(SCHEMA)?;
        let files = file::FileIds::record(path)?;
        let mut store = Store {
            conn,
            files: Some(files),
            created: false,
        };
        store.chain_unchained()?;
        Ok(store)
    }

    /// Fills in the chain of events stored before the log had one. Done
    /// once per database: the `meta` key [`CHAINED_KEY`] records it, so a
    /// start never scans the whole log to find no unchained event.
    fn chain_unchained(&mut self) -> Result<(), StoreError> {
        if self.meta(CHAINED_KEY)?.is_some() {
            return Ok(());
        }
        self.fill_chains()?;
        self.set_meta(CHAINED_KEY, "1")
    }

    fn fill_chains(&mut self) -> Result<(), StoreError> {
        let has_column: bool = self
            .conn
            .prepare("SELECT 1 FROM pragma_table_info('events') WHERE name = 'chain'")?
            .exists([])?;
        if !has_column {
            self.conn
                .execute_batch("ALTER TABLE events ADD COLUMN chain BLOB")?;
        }
        let missing: bool = self
            .conn
            .prepare("SELECT 1 FROM events WHERE chain IS NULL LIMIT 1")?
            .exists([])?;
        if !missing {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        let rooms: Vec<String> = tx
            .prepare("SELECT DISTINCT room FROM events")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for room in rooms {
            let rows: Vec<(i64, String)> = tx
                .prepare("SELECT seq, body FROM events WHERE room = ?1 ORDER BY seq")?
                .query_map([&room], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            let mut chain = chain_start(&room);
            let mut update =
                tx.prepare("UPDATE events SET chain = ?3 WHERE room = ?1 AND seq = ?2")?;
            for (seq, body) in rows {
                chain = chain_next(&chain, to_u64(seq), &body);
                update.execute(params![room, seq, chain.as_slice()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Maps up to `bytes` of the database file into memory for reading
    /// (`0`: reads go through `pread` again). A start that reads every
    /// room's checkpoint and latest events maps the file: each page is then
    /// read where the page cache holds it, without a system call and a copy.
    /// Writes never go through the map, so a full or failing disk still
    /// shows as an error of a write; the map is dropped again once the
    /// start is done, so a damaged disk cannot fault a serving broker.
    pub fn map_for_reading(&self, bytes: u64) -> Result<(), StoreError> {
        let bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
        self.conn
            .query_row(&format!("PRAGMA mmap_size={bytes}"), [], |_| Ok(()))
            .optional()?;
        Ok(())
    }

    /// The journal mode and synchronous level in force, as SQLite reports
    /// them (for logs and tests).
    pub fn durability(&self) -> Result<(String, i64), StoreError> {
        let mode = self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        let sync = self
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))?;
        Ok((mode, sync))
    }

    /// A value of the `meta` table.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Sets a value of the `meta` table.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Stores `body` as the checkpoint of `room` at `seq`, tied to the chain
    /// value of that event; an older checkpoint than the one stored is not
    /// written. The event must be in the log.
    pub fn put_checkpoint(&mut self, room: &str, seq: u64, body: &str) -> Result<(), StoreError> {
        let chain = self
            .chain_at(room, seq)?
            .ok_or_else(|| StoreError::NoSuchEvent {
                room: room.to_owned(),
                seq,
            })?;
        let digest = checkpoint_digest(&chain, seq, body);
        self.conn
            .prepare_cached(
                "INSERT INTO checkpoints (room, seq, body, digest) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (room) DO UPDATE SET seq = excluded.seq, body = excluded.body,
                     digest = excluded.digest
                 WHERE excluded.seq > checkpoints.seq",
            )?
            .execute(params![room, to_i64(seq), body, digest.as_slice()])?;
        Ok(())
    }

    /// The checkpoint of `room`, checked against the chain value its event
    /// has in the log. (A start then reads the events from at or before it
    /// through [`Store::for_each_event`], which proves that chain value
    /// consistent with the events after it; [`check_chains`] checks the
    /// rest.)
    pub fn checkpoint(&self, room: &str) -> Result<CheckpointRead, StoreError> {
        let stored: Option<(i64, String, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT seq, body, digest FROM checkpoints WHERE room = ?1")?
            .query_row([room], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((seq, body, digest)) = stored else {
            return Ok(CheckpointRead::None);
        };
        let seq = to_u64(seq);
        let Some(chain) = self.chain_at(room, seq)? else {
            return Ok(CheckpointRead::Unmatched {
                seq,
                reason: "its event is not in the log",
            });
        };
        if checkpoint_digest(&chain, seq, &body).as_slice() != digest.as_slice() {
            return Ok(CheckpointRead::Unmatched {
                seq,
                reason: "it does not match the log (altered or damaged)",
            });
        }
        Ok(CheckpointRead::Found { seq, body })
    }

    /// The chain value stored with event `seq` of `room`.
    fn chain_at(&self, room: &str, seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT chain FROM events WHERE room = ?1 AND seq = ?2")?
            .query_row(params![room, to_i64(seq)], |r| {
                r.get::<_, Option<Vec<u8>>>(0)
            })
            .optional()?
            .flatten())
    }

    /// Creates a room with its token hashes, in one transaction.
    pub fn create_room(
        &mut self,
        room: &RoomRecord,
        tokens: &[TokenHash],
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM rooms WHERE id = ?1)",
            [&room.id],
            |r| r.get(0),
        )?;
        if exists {
            return Err(StoreError::RoomExists(room.id.clone()));
        }
        tx.execute(
            "INSERT INTO rooms (id, title, epoch, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
            params![room.id, room.title, room.epoch, to_i64(room.created_at_ms)],
        )?;
        for token in tokens {
            tx.execute(
                "INSERT INTO room_tokens (room, role, hash) VALUES (?1, ?2, ?3)",
                params![room.id, token.role, token.hash],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Replaces the token hashes of the given roles of a room, all in one
    /// transaction: every role is rotated, or (on any failure) none.
    pub fn set_tokens(&mut self, room: &str, tokens: &[TokenHash]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM rooms WHERE id = ?1)",
            [room],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(StoreError::NoSuchRoom(room.to_owned()));
        }
        for token in tokens {
            tx.execute(
                "INSERT INTO room_tokens (room, role, hash) VALUES (?1, ?2, ?3)
                 ON CONFLICT (room, role) DO UPDATE SET hash = excluded.hash",
                params![room, token.role, token.hash],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Gives every room a new epoch (`fresh` makes each), in one
    /// transaction, and then empties the write-ahead log into the database
    /// (`wal_checkpoint(TRUNCATE)`): for a start whose recovery dropped
    /// committed events (a torn write-ahead log), so that a client resuming
    /// from a lost seq gets a snapshot instead of diverging, and the next
    /// start finds no torn log to take new epochs for again. Returns the
    /// rooms' ids with their new epochs.
    pub fn renew_epochs(
        &mut self,
        mut fresh: impl FnMut() -> String,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let tx = self.conn.transaction()?;
        let ids: Vec<String> = tx
            .prepare("SELECT id FROM rooms ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut renewed = Vec::with_capacity(ids.len());
        for id in ids {
            let epoch = fresh();
            tx.execute(
                "UPDATE rooms SET epoch = ?2 WHERE id = ?1",
                params![id, epoch],
            )?;
            renewed.push((id, epoch));
        }
        tx.commit()?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(renewed)
    }

    /// Every room, by id.
    pub fn rooms(&self) -> Result<Vec<RoomRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, title, epoch, created_at_ms FROM rooms ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(RoomRecord {
                id: r.get(0)?,
                title: r.get(1)?,
                epoch: r.get(2)?,
                created_at_ms: to_u64(r.get(3)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A room's token hashes.
    pub fn tokens(&self, room: &str) -> Result<Vec<TokenHash>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT role, hash FROM room_tokens WHERE room = ?1 ORDER BY role")?;
        let rows = stmt.query_map([room], |r| {
            Ok(TokenHash {
                role: r.get(0)?,
                hash: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The last stored seq of a room (0 when it has no events).
    pub fn head(&self, room: &str) -> Result<u64, StoreError> {
        let head: Option<i64> =
            self.conn
                .query_row("SELECT MAX(seq) FROM events WHERE room = ?1", [room], |r| {
                    r.get(0)
                })?;
        Ok(head.map(to_u64).unwrap_or(0))
    }

    /// Calls `each` with (seq, JSON text) of a room's events after `after`,
    /// in order, checking each against the room's hash chain (from the
    /// stored chain of event `after`). A broken chain or a gap stops the
    /// reading with [`StoreError::Corrupt`].
    pub fn for_each_event(
        &self,
        room: &str,
        after: u64,
        mut each: impl FnMut(u64, &str),
    ) -> Result<(), StoreError> {
        let corrupt = |seq: u64, reason: &str| StoreError::Corrupt {
            room: room.to_owned(),
            seq,
            reason: reason.to_owned(),
        };
        let mut chain: Vec<u8> = if after == 0 {
            chain_start(room).to_vec()
        } else {
            self.chain_at(room, after)?
                .ok_or_else(|| corrupt(after, "the event to read after is missing"))?
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, body, chain FROM events WHERE room = ?1 AND seq > ?2 ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![room, to_i64(after)])?;
        let mut expected = after + 1;
        while let Some(row) = rows.next()? {
            let seq = to_u64(row.get(0)?);
            if seq != expected {
                return Err(corrupt(expected, "missing from the log"));
            }
            let body = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            let next = chain_next(&chain, seq, body);
            let stored = row
                .get_ref(2)?
                .as_blob_or_null()
                .map_err(rusqlite::Error::from)?;
            if stored != Some(next.as_slice()) {
                return Err(corrupt(
                    seq,
                    "it does not match the hash chain (altered or damaged)",
                ));
            }
            each(seq, body);
            chain = next.to_vec();
            expected += 1;
        }
        Ok(())
    }

    /// A room's totals of declared genders, as (wire name, count): only
    /// totals are kept, in no order that follows the log.
    pub fn declarations(&self, room: &str) -> Result<Vec<(String, u64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT gender, count FROM declarations WHERE room = ?1 ORDER BY gender",
        )?;
        let rows = stmt.query_map([room], |r| Ok((r.get(0)?, to_u64(r.get(1)?))))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Appends a batch of rooms' events and idempotency records in one
    /// transaction (one fsync). Each append stands alone inside it (a
    /// savepoint): one that does not continue its room's log, or repeats a
    /// recorded request, is refused in its slot of the answer and the others
    /// commit. `Err` means the transaction failed and nothing was written.
    pub fn append(&mut self, batch: &[Append]) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        let mut tx = self.conn.transaction()?;
        let mut results = Vec::with_capacity(batch.len());
        for append in batch {
            let savepoint = tx.savepoint()?;
            let result = write_append(&savepoint, append);
            if result.is_ok() {
                savepoint.commit()?;
            }
            // A savepoint dropped without commit rolls back.
            results.push(result);
        }
        tx.commit()?;
        Ok(results)
    }
}

impl StoreError {
    /// Whether the error refuses one append for its content (out of
    /// sequence, a repeated request) rather than reporting a failing store.
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

fn write_append(conn: &Connection, append: &Append) -> Result<(), StoreError> {
    let Some(&(first, _)) = append.events.first() else {
        return Ok(());
    };
    let last: Option<(i64, Option<Vec<u8>>)> = conn
        .prepare_cached("SELECT seq, chain FROM events WHERE room = ?1 ORDER BY seq DESC LIMIT 1")?
        .query_row([&append.room], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let head = last.as_ref().map_or(0, |(seq, _)| to_u64(*seq));
    let mut chain: Vec<u8> = match last {
        None => chain_start(&append.room).to_vec(),
        Some((_, Some(chain))) => chain,
        Some((seq, None)) => {
            return Err(StoreError::Corrupt {
                room: append.room.clone(),
                seq: to_u64(seq),
                reason: "it has no hash chain".into(),
            });
        }
    };
    if first != head + 1 {
        return Err(StoreError::OutOfSequence {
            room: append.room.clone(),
            head,
            got: first,
        });
    }
    let mut insert_event =
        conn.prepare_cached("INSERT INTO events (room, seq, body, chain) VALUES (?1, ?2, ?3, ?4)")?;
    for (expected, (seq, body)) in (first..).zip(&append.events) {
        if *seq != expected {
            return Err(StoreError::OutOfSequence {
                room: append.room.clone(),
                head: expected - 1,
                got: *seq,
            });
        }
        let next = chain_next(&chain, *seq, body);
        insert_event.execute(params![append.room, to_i64(*seq), body, next.as_slice()])?;
        chain = next.to_vec();
    }
    let mut insert_request = conn.prepare_cached(
        "INSERT INTO requests (room, client, request_id, first_seq, last_seq) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for request in &append.requests {
        insert_request.execute(params![
            append.room,
            request.client,
            request.request_id,
            to_i64(request.first_seq),
            to_i64(request.last_seq)
        ])?;
    }
    let mut declare = conn.prepare_cached(
        "INSERT INTO declarations (room, gender, count) VALUES (?1, ?2, ?3)
         ON CONFLICT (room, gender) DO UPDATE SET count = count + excluded.count",
    )?;
    for (gender, count) in &append.declarations {
        declare.execute(params![append.room, gender, to_i64(*count)])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(id: &str) -> RoomRecord {
        RoomRecord {
            id: id.into(),
            title: "A room".into(),
            epoch: "e".into(),
            created_at_ms: 1,
        }
    }

    fn events(room: &str, seqs: std::ops::RangeInclusive<u64>) -> Append {
        Append {
            room: room.into(),
            events: seqs.map(|s| (s, format!("{{\"seq\":{s}}}"))).collect(),
            requests: vec![],
            declarations: vec![],
        }
    }

    fn stored(store: &Store, room: &str, after: u64) -> Vec<u64> {
        let mut seqs = vec![];
        store
            .for_each_event(room, after, |seq, _| seqs.push(seq))
            .unwrap();
        seqs
    }

    #[test]
    fn durability_pragmas_hold() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sub/floor.db")).unwrap();
        let (mode, sync) = store.durability().unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(sync, 2);
    }

    #[test]
    fn the_integrity_check_finds_a_damaged_page() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("floor.db");
        let mut store = Store::open(&path).unwrap();
        store.create_room(&room("a"), &[]).unwrap();
        for first in (1..=2000).step_by(100) {
            store.append(&[events("a", first..=first + 99)]).unwrap();
        }
        drop(store);
        assert!(check_file(&path).is_ok(), "a whole file passes");
        // Scribble over the middle of the file, below any one row's text.
        let mut bytes = std::fs::read(&path).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle..middle + 512].fill(0xA5);
        std::fs::write(&path, &bytes).unwrap();
        assert!(check_file(&path).is_err(), "a damaged page is found");
    }

    #[test]
    fn appends_are_gapless_and_atomic() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("floor.db")).unwrap();
        store.create_room(&room("a"), &[]).unwrap();
        store.create_room(&room("b"), &[]).unwrap();
        let results = store
            .append(&[events("a", 1..=3), events("b", 1..=1)])
            .unwrap();
        assert!(results.iter().all(Result::is_ok));
        // An append that skips a seq is refused alone; the rest commits.
        let results = store
            .append(&[events("a", 4..=4), events("b", 3..=3)])
            .unwrap();
        assert!(results[0].is_ok());
        let refused = results[1].as_ref().unwrap_err();
        assert!(matches!(
            refused,
            StoreError::OutOfSequence {
                head: 1,
                got: 3,
                ..
            }
        ));
        assert!(refused.is_refusal());
        assert_eq!(stored(&store, "a", 0), [1, 2, 3, 4]);
        assert_eq!(stored(&store, "a", 2), [3, 4]);
        assert_eq!(store.head("b").unwrap(), 1);
        // A gap inside one append writes none of it.
        let mut gappy = events("b", 2..=2);
        gappy.events.push((4, "{}".into()));
        assert!(store.append(&[gappy]).unwrap()[0].is_err());
        assert_eq!(store.head("b").unwrap(), 1);
    }

    #[test]
    fn a_checkpoint_is_tied_to_its_event_in_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("floor.db")).unwrap();
        store.create_room(&room("a"), &[]).unwrap();
        assert_eq!(store.checkpoint("a").unwrap(), CheckpointRead::None);
        store.append(&[events("a", 1..=3)]).unwrap();
        // Only an event the log holds.
        let refused = store.put_checkpoint("a", 4, "four").unwrap_err();
        assert!(matches!(refused, StoreError::NoSuchEvent { seq: 4, .. }));
        store.put_checkpoint("a", 3, "three").unwrap();
        // An older one does not replace it.
        store.put_checkpoint("a", 2, "two").unwrap();
        assert_eq!(
            store.checkpoint("a").unwrap(),
            CheckpointRead::Found {
                seq: 3,
                body: "three".into()
            }
        );
        // Its text changed behind the store's back: not taken.
        store
            .conn
            .execute(
                "UPDATE checkpoints SET body = 'tampered' WHERE room = 'a'",
                [],
            )
            .unwrap();
        assert!(matches!(
            store.checkpoint("a").unwrap(),
            CheckpointRead::Unmatched { seq: 3, .. }
        ));
        // Nor one whose event is gone.
        store
            .conn
            .execute(
                "UPDATE checkpoints SET body = 'three', seq = 9 WHERE room = 'a'",
                [],
            )
            .unwrap();
        assert!(matches!(
            store.checkpoint("a").unwrap(),
            CheckpointRead::Unmatched { seq: 9, .. }
        ));
    }

    #[test]
    fn an_altered_event_breaks_the_chain_and_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("floor.db");
        let mut store = Store::open(&path).unwrap();
        store.create_room(&room("a"), &[]).unwrap();
        store.append(&[events("a", 1..=5)]).unwrap();
        assert_eq!(stored(&store, "a", 0), [1, 2, 3, 4, 5]);
        drop(store);
        let conn = Connection::open(&path).unwrap();
        conn.execute(
            "UPDATE events SET body = '{\"seq\":33}' WHERE room = 'a' AND seq = 3",
            [],
        )
        .unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        let mut seen = vec![];
        let error = store
            .for_each_event("a", 0, |seq, _| seen.push(seq))
            .unwrap_err();
        assert_eq!(seen, [1, 2], "nothing past the damage is served");
        assert!(
            matches!(&error, StoreError::Corrupt { room, seq: 3, .. } if room == "a"),
            "{error}"
        );
        assert!(error.to_string().contains("a event 3"), "{error}");
        // A deleted event is a gap, named too.
        let conn = Connection::open(&path).unwrap();
        conn.execute("DELETE FROM events WHERE room = 'a' AND seq IN (3, 4)", [])
            .unwrap();
        drop(conn);
        let error = Store::open(&path)
            .unwrap()
            .for_each_event("a", 0, |_, _| {})
            .unwrap_err();
        assert!(error.to_string().contains("a event 3: missing"), "{error}");
    }

    #[test]
    fn a_log_from_before_the_chain_is_chained_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("floor.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE events (room TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (room, seq)) WITHOUT ROWID;
             INSERT INTO events VALUES ('a', 1, '{}'), ('a', 2, '{}');",
        )
        .unwrap();
        drop(conn);
        let mut store = Store::open(&path).unwrap();
        assert_eq!(stored(&store, "a", 0), [1, 2]);
        store.create_room(&room("a"), &[]).unwrap();
        store.append(&[events("a", 3..=3)]).unwrap();
        assert_eq!(stored(&store, "a", 1), [2, 3]);
    }

    #[test]
    fn a_write_ahead_log_cut_mid_record_is_told() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("floor.db");
        assert_eq!(wal_torn_tail(&path), None, "no log at all");
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let mut header = vec![0u8; 32];
        header[8..12].copy_from_slice(&4096u32.to_be_bytes());
        let whole = [header.clone(), vec![0u8; 2 * (24 + 4096)]].concat();
        std::fs::write(&wal, &whole).unwrap();
        assert_eq!(wal_torn_tail(&path), None);
        std::fs::write(&wal, &whole[..whole.len() - 100]).unwrap();
        assert_eq!(wal_torn_tail(&path), Some(24 + 4096 - 100));
    }

    #[test]
    fn a_request_is_recorded_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("floor.db")).unwrap();
        store.create_room(&room("a"), &[]).unwrap();
        let request = RequestRecord {
            client: "c".into(),
            request_id: "r1".into(),
            first_seq: 1,
            last_seq: 1,
        };
        let mut append = events("a", 1..=1);
        append.requests.push(request.clone());
        store.append(&[append]).unwrap();
        let mut again = events("a", 2..=2);
        again.requests.push(request);
        let results = store.append(&[again]).unwrap();
        assert!(results[0].as_ref().is_err_and(StoreError::is_refusal));
        assert_eq!(store.head("a").unwrap(), 1);
    }

    #[test]
    fn declarations_are_totals_committed_with_their_events_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("floor.db");
        let mut store = Store::open(&path).unwrap();
        store.create_room(&room("a"), &[]).unwrap();
        let declaring = |seqs, request: &str, declared: &[(&str, u64)]| {
            let mut append = events("a", seqs);
            append.requests.push(RequestRecord {
                client: "c".into(),
                request_id: request.into(),
                first_seq: *append.events.first().map(|(s, _)| s).unwrap(),
                last_seq: *append.events.last().map(|(s, _)| s).unwrap(),
            });
            append.declarations = declared.iter().map(|(g, n)| ((*g).into(), *n)).collect();
            append
        };
        let results = store
            .append(&[declaring(1..=1, "r1", &[("woman", 1)])])
            .unwrap();
        assert!(results[0].is_ok());
        store
            .append(&[declaring(2..=3, "r2", &[("woman", 1), ("man", 2)])])
            .unwrap();
        // A retried request, and a part out of sequence: refused, and
        // nothing they declared is counted.
        let results = store
            .append(&[
                declaring(4..=4, "r1", &[("woman", 1)]),
                declaring(9..=9, "r9", &[("another", 1)]),
            ])
            .unwrap();
        assert!(
            results
                .iter()
                .all(|r| r.as_ref().is_err_and(StoreError::is_refusal))
        );
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.declarations("a").unwrap(),
            [("man".to_owned(), 2), ("woman".to_owned(), 2)]
        );
        assert_eq!(store.declarations("b").unwrap(), []);
    }

    #[test]
    fn rooms_and_tokens_persist() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("floor.db");
        {
            let mut store = Store::open(&path).unwrap();
            let token = TokenHash {
                role: "chair".into(),
                hash: vec![1, 2],
            };
            store.create_room(&room("a"), &[token]).unwrap();
            assert!(matches!(
                store.create_room(&room("a"), &[]),
                Err(StoreError::RoomExists(_))
            ));
            let three = TokenHash {
                role: "chair".into(),
                hash: vec![3],
            };
            store.set_tokens("a", std::slice::from_ref(&three)).unwrap();
            assert!(matches!(
                store.set_tokens("zz", &[three]),
                Err(StoreError::NoSuchRoom(_))
            ));
            store.set_meta("k", "v").unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.rooms().unwrap(), [room("a")]);
        assert_eq!(store.tokens("a").unwrap()[0].hash, [3]);
        assert_eq!(store.meta("k").unwrap().as_deref(), Some("v"));
    }
}
