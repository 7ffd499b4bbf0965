//! The open store: opening and creating its file, the durability pragmas
//! checked at open, the schema, and the `meta` table. Rooms, events,
//! checkpoints and the hash chain are the other modules' `impl Store`.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::{StoreError, file};

/// The event log.
#[derive(Debug)]
pub struct Store {
    /// The connection every read and write goes through.
    pub(crate) conn: Connection,
    /// The files the connection opened (none for the read-only checks).
    files: Option<file::FileIds>,
    /// Whether this open created the store.
    created: bool,
    /// Each room's last seq and hash-chain value as this connection last
    /// committed them, so an append need not read them back (the store
    /// has one writer). A room not here is read from the log.
    pub(crate) heads: std::collections::HashMap<String, (u64, Vec<u8>)>,
}

/// The tables of a store, created where missing at every open.
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
CREATE TABLE IF NOT EXISTS declarations (
    room TEXT NOT NULL,
    gender TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (room, gender)
) WITHOUT ROWID;
";

/// Tables earlier stores kept and floor no longer does, dropped at open.
///
/// `requests` held each command's client, request id and seq range. It was
/// written with every append and read by nothing: the receipt that answers
/// a repeated request is folded from the command's events (and kept in the
/// room's checkpoint), so the log alone holds it.
const RETIRED: &str = "DROP TABLE IF EXISTS requests;";

impl Store {
    /// A store over a read-only connection, for the checks that run beside
    /// the writer: no files to watch, never created.
    pub(crate) fn reader(conn: Connection) -> Store {
        Store {
            conn,
            files: None,
            created: false,
            heads: Default::default(),
        }
    }

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

    /// Sets and checks the durability pragmas, creates missing tables,
    /// records the files' identity and chains a log from before the chain.
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
        conn.execute_batch(RETIRED)?;
        let files = file::FileIds::record(path)?;
        let mut store = Store {
            conn,
            files: Some(files),
            created: false,
            heads: Default::default(),
        };
        store.chain_unchained()?;
        Ok(store)
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
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use crate::test_support::{events, room, stored};

    #[test]
    fn durability_pragmas_hold() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sub/floor.db")).unwrap();
        let (mode, sync) = store.durability().unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(sync, 2);
    }

    #[test]
    fn a_retired_table_is_dropped_at_open_and_the_log_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("floor.db");
        let mut store = Store::open(&path).unwrap();
        store.create_room(&room("a"), &[]).unwrap();
        store.append(&[events("a", 1..=2)]).unwrap();
        // As an earlier floor left it: a `requests` row for every command.
        store
            .conn
            .execute_batch(
                "CREATE TABLE requests (room TEXT NOT NULL, client TEXT NOT NULL,
                     request_id TEXT NOT NULL, first_seq INTEGER NOT NULL,
                     last_seq INTEGER NOT NULL, PRIMARY KEY (room, client, request_id)) WITHOUT ROWID;
                 INSERT INTO requests VALUES ('a', 'c', 'r1', 1, 2);",
            )
            .unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        let tables: Vec<String> = store
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            tables,
            [
                "checkpoints",
                "declarations",
                "events",
                "meta",
                "room_tokens",
                "rooms"
            ]
        );
        assert_eq!(stored(&store, "a", 0), [1, 2]);
    }
}
