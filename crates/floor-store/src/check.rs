//! The checks that run beside a serving store, each over a read-only
//! connection of its own: SQLite's `quick_check` of every page
//! ([`check_file`]), every room's hash chain from its first event
//! ([`check_chains`]), and a write-ahead log cut mid-record
//! ([`wal_torn_tail`]).

use std::path::Path;

use rusqlite::Connection;

use crate::{Store, StoreError};

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
    let reader = Store::reader(open_read_only(path)?);
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

#[cfg(test)]
mod tests {
    use super::{check_file, wal_torn_tail};
    use crate::Store;
    use crate::test_support::{events, room};

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
}
