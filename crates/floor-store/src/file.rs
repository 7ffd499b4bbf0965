//! The store's files on disk: what may be opened as a store, and whether
//! the files a [`Store`](crate::Store) has open are still the ones at its
//! path.
//!
//! A store is created only where no file exists. A zero-length file, a file
//! that is not SQLite, an SQLite database of another application, or a
//! write-ahead log left without its database is refused: opening one
//! would start an empty room list over whatever the operator meant to keep.
//!
//! While a store is open, its database, write-ahead log and shared-memory
//! index are the files SQLite opened then. If one is deleted or replaced
//! behind its back, SQLite goes on writing into the file it holds, which
//! nobody will ever read again; [`FileIds::check`] notices by comparing the
//! device and inode at each path with those recorded at open.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::StoreError;

/// SQLite's `application_id` of a floor store ("flor"), written in the
/// database header of every store floor creates.
pub(crate) const APPLICATION_ID: i64 = 0x666c_6f72;

/// The first 16 bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// What to do after an operator finds a file refused at start.
const NOT_A_STORE_ADVICE: &str = "move it away or restore the right file from a backup, then start again (floor creates a new store only where no file exists)";

/// `path` with `suffix` appended (`floor.db` → `floor.db-wal`).
pub(crate) fn companion(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

pub(crate) fn not_a_store(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::NotAStore {
        path: path.display().to_string(),
        reason: reason.into(),
        advice: NOT_A_STORE_ADVICE,
    }
}

fn io_error(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::File {
        path: path.display().to_string(),
        source,
    }
}

/// Checks what is at `path` before SQLite opens it. `Ok(true)`: a file
/// that looks like SQLite (its tables are checked once open, by
/// [`check_schema`]); `Ok(false)`: no file, so a new store may be created
/// there. Refused: a zero-length file, a file that is not SQLite, or no
/// database but a write-ahead log with content beside it (SQLite would
/// replay that log into a new, empty database).
pub(crate) fn check_before_open(path: &Path) -> Result<bool, StoreError> {
    use std::io::Read;
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let wal = companion(path, "-wal");
            return match std::fs::metadata(&wal) {
                Ok(wal) if wal.len() > 0 => Err(not_a_store(
                    path,
                    "it is missing, but its write-ahead log (-wal) is there: the database was deleted or moved",
                )),
                _ => Ok(false),
            };
        }
        Err(error) => return Err(io_error(path, error)),
    };
    if !metadata.is_file() {
        return Err(not_a_store(path, "it is not a regular file"));
    }
    if metadata.len() == 0 {
        return Err(not_a_store(path, "it is empty (zero bytes)"));
    }
    let mut header = [0u8; 16];
    let read = std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut header))
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::UnexpectedEof => not_a_store(path, "it is not an SQLite database"),
            _ => io_error(path, error),
        });
    read?;
    if &header != SQLITE_HEADER {
        return Err(not_a_store(path, "it is not an SQLite database"));
    }
    Ok(true)
}

/// Checks that the SQLite database open on `conn` (at `path`) is a floor
/// store: it carries floor's `application_id`, or (a store of a version
/// from before the id) none and floor's `events` table. A store of the
/// older kind is stamped with the id.
pub(crate) fn check_schema(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if id == APPLICATION_ID {
        return Ok(());
    }
    if id != 0 {
        return Err(not_a_store(
            path,
            format!("it is the database of another application (application_id {id:#x})"),
        ));
    }
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('events')")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let floor_events = ["room", "seq", "body"]
        .iter()
        .all(|c| columns.iter().any(|have| have == c));
    if !floor_events {
        return Err(not_a_store(
            path,
            "it is an SQLite database without floor's tables",
        ));
    }
    stamp(conn)
}

/// Writes floor's `application_id` into the database header.
pub(crate) fn stamp(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}"))?;
    Ok(())
}

/// The device and inode of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    /// The id of the file at `path`; `None` when there is none.
    fn of(path: &Path) -> Result<Option<FileId>, std::io::Error> {
        match std::fs::metadata(path) {
            Ok(metadata) => Ok(Some(FileId::from(&metadata))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }
}

#[cfg(unix)]
impl From<&std::fs::Metadata> for FileId {
    fn from(metadata: &std::fs::Metadata) -> FileId {
        use std::os::unix::fs::MetadataExt;
        FileId {
            dev: metadata.dev(),
            ino: metadata.ino(),
        }
    }
}

#[cfg(not(unix))]
impl From<&std::fs::Metadata> for FileId {
    fn from(_: &std::fs::Metadata) -> FileId {
        FileId { dev: 0, ino: 0 }
    }
}

/// The files of an open store: the database, its write-ahead log and its
/// shared-memory index, each with the device and inode it had when the
/// store opened it.
#[derive(Debug, Clone)]
pub(crate) struct FileIds {
    files: Vec<(PathBuf, FileId)>,
}

impl FileIds {
    /// Records the files at `path` (and its `-wal` and `-shm`, where they
    /// exist) as they are now, right after SQLite opened them.
    pub(crate) fn record(path: &Path) -> Result<FileIds, StoreError> {
        let mut files = Vec::new();
        for suffix in ["", "-wal", "-shm"] {
            let file = companion(path, suffix);
            match FileId::of(&file) {
                Ok(Some(id)) => files.push((file, id)),
                Ok(None) if suffix.is_empty() => {
                    return Err(StoreError::Vanished {
                        path: file.display().to_string(),
                    });
                }
                Ok(None) => {}
                Err(error) => return Err(io_error(&file, error)),
            }
        }
        Ok(FileIds { files })
    }

    /// Whether every recorded file is still the one at its path: one
    /// deleted is [`StoreError::Vanished`], one that is another file now
    /// is [`StoreError::Replaced`].
    pub(crate) fn check(&self) -> Result<(), StoreError> {
        for (path, recorded) in &self.files {
            match FileId::of(path) {
                Ok(Some(id)) if id == *recorded => {}
                Ok(Some(_)) => {
                    return Err(StoreError::Replaced {
                        path: path.display().to_string(),
                    });
                }
                Ok(None) => {
                    return Err(StoreError::Vanished {
                        path: path.display().to_string(),
                    });
                }
                Err(error) => return Err(io_error(path, error)),
            }
        }
        Ok(())
    }
}
