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
//! # Layout
//! - [`Store`]: open, rooms, tokens, events, append.
//! - [`StoreError`]: what can go wrong, typed.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

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
    /// A room with this id exists already.
    #[error("room {0} exists already")]
    RoomExists(String),
    /// No room has this id.
    #[error("no room {0}")]
    NoSuchRoom(String),
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
}

/// The event log.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
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
    PRIMARY KEY (room, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS requests (
    room TEXT NOT NULL,
    client TEXT NOT NULL,
    request_id TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (room, client, request_id)
) WITHOUT ROWID;
";

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

impl Store {
    /// Opens (creating if needed) the database at `path`, creating its
    /// directory, and checks the durability pragmas.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Directory {
                path: dir.display().to_string(),
                source,
            })?;
        }
        Store::init(Connection::open(path)?)
    }

    fn init(conn: Connection) -> Result<Store, StoreError> {
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
        Ok(Store { conn })
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

    /// Replaces one role's token hash.
    pub fn set_token(&mut self, room: &str, token: &TokenHash) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            "INSERT INTO room_tokens (room, role, hash) SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM rooms WHERE id = ?1)
             ON CONFLICT (room, role) DO UPDATE SET hash = excluded.hash",
            params![room, token.role, token.hash],
        )?;
        if changed == 0 {
            return Err(StoreError::NoSuchRoom(room.to_owned()));
        }
        Ok(())
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
    /// in order.
    pub fn for_each_event(
        &self,
        room: &str,
        after: u64,
        mut each: impl FnMut(u64, &str),
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, body FROM events WHERE room = ?1 AND seq > ?2 ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![room, to_i64(after)])?;
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let body = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            each(to_u64(seq), body);
        }
        Ok(())
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
            StoreError::OutOfSequence { .. } => true,
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
    let head: Option<i64> = conn
        .prepare_cached("SELECT MAX(seq) FROM events WHERE room = ?1")?
        .query_row([&append.room], |r| r.get(0))?;
    let head = head.map(to_u64).unwrap_or(0);
    if first != head + 1 {
        return Err(StoreError::OutOfSequence {
            room: append.room.clone(),
            head,
            got: first,
        });
    }
    let mut insert_event =
        conn.prepare_cached("INSERT INTO events (room, seq, body) VALUES (?1, ?2, ?3)")?;
    for (expected, (seq, body)) in (first..).zip(&append.events) {
        if *seq != expected {
            return Err(StoreError::OutOfSequence {
                room: append.room.clone(),
                head: expected - 1,
                got: *seq,
            });
        }
        insert_event.execute(params![append.room, to_i64(*seq), body])?;
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
            store
                .set_token(
                    "a",
                    &TokenHash {
                        role: "chair".into(),
                        hash: vec![3],
                    },
                )
                .unwrap();
            assert!(
                store
                    .set_token(
                        "zz",
                        &TokenHash {
                            role: "chair".into(),
                            hash: vec![3]
                        }
                    )
                    .is_err()
            );
            store.set_meta("k", "v").unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.rooms().unwrap(), [room("a")]);
        assert_eq!(store.tokens("a").unwrap()[0].hash, [3]);
        assert_eq!(store.meta("k").unwrap().as_deref(), Some("v"));
    }
}
