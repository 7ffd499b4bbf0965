//! The store's files: a store is created only where no file exists; a
//! zero-length or foreign file is refused; a file deleted or replaced
//! under an open store is noticed; a rotation of several roles' tokens is
//! one transaction; a start after a torn write takes new epochs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use floor_store::{RoomRecord, Store, StoreError, TokenHash};

fn room(id: &str) -> RoomRecord {
    RoomRecord {
        id: id.into(),
        title: "A room".into(),
        epoch: "e0".into(),
        created_at_ms: 1,
    }
}

fn token(role: &str, hash: u8) -> TokenHash {
    TokenHash {
        role: role.into(),
        hash: vec![hash],
    }
}

fn hashes(store: &Store, room: &str) -> Vec<Vec<u8>> {
    store
        .tokens(room)
        .unwrap()
        .into_iter()
        .map(|t| t.hash)
        .collect()
}

fn refused(path: &Path, reason: &str) {
    let error = Store::open(path).unwrap_err();
    assert!(matches!(error, StoreError::NotAStore { .. }), "{error}");
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains(reason), "{message}");
    assert!(message.contains("move it away"), "{message}");
}

#[test]
fn a_store_is_created_only_where_no_file_exists() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/floor.db");
    assert!(matches!(
        Store::open_existing(&path),
        Err(StoreError::Missing(_))
    ));
    assert!(!path.exists(), "opening an existing store creates nothing");
    let mut store = Store::open(&path).unwrap();
    assert!(store.created());
    store.create_room(&room("a"), &[]).unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert!(!store.created());
    assert_eq!(store.rooms().unwrap().len(), 1);
    assert!(!Store::open_existing(&path).unwrap().created());
}

#[test]
fn a_zero_length_or_foreign_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("floor.db");
    std::fs::write(&path, b"").unwrap();
    refused(&path, "empty");
    std::fs::write(&path, b"name,seat\nAmina,12\n").unwrap();
    refused(&path, "not an SQLite database");
    // Another application's SQLite database.
    std::fs::remove_file(&path).unwrap();
    let other = rusqlite::Connection::open(&path).unwrap();
    other
        .execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY, taken TEXT)")
        .unwrap();
    drop(other);
    refused(&path, "without floor's tables");
    let other = rusqlite::Connection::open(&path).unwrap();
    other
        .execute_batch("PRAGMA application_id = 1234; CREATE TABLE events (room, seq, body)")
        .unwrap();
    drop(other);
    refused(&path, "another application");
    // Nothing was added to it.
    let other = rusqlite::Connection::open(&path).unwrap();
    let tables: i64 = other
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 2);
}

#[test]
fn a_write_ahead_log_without_its_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("floor.db");
    let mut store = Store::open(&path).unwrap();
    store.create_room(&room("a"), &[]).unwrap();
    // A copy of the files as a crash leaves them, WAL and all.
    let copy = dir.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    for suffix in ["", "-wal"] {
        std::fs::copy(
            format!("{}{suffix}", path.display()),
            copy.join(format!("floor.db{suffix}")),
        )
        .unwrap();
    }
    drop(store);
    let copied = copy.join("floor.db");
    std::fs::remove_file(&copied).unwrap();
    refused(&copied, "write-ahead log");
}

#[test]
fn a_file_deleted_or_replaced_under_an_open_store_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("floor.db");
    let moved = dir.path().join("moved.db");
    let store = Store::open(&path).unwrap();
    store.check_files().unwrap();
    std::fs::rename(&path, &moved).unwrap();
    let error = store.check_files().unwrap_err();
    assert!(matches!(error, StoreError::Vanished { .. }), "{error}");
    assert!(error.to_string().contains("floor.db vanished"), "{error}");
    // Another file at the path.
    std::fs::copy(&moved, &path).unwrap();
    let error = store.check_files().unwrap_err();
    assert!(matches!(error, StoreError::Replaced { .. }), "{error}");
    // Back in place it is the same file again; then the write-ahead log
    // goes.
    std::fs::rename(&moved, &path).unwrap();
    store.check_files().unwrap();
    std::fs::remove_file(dir.path().join("floor.db-wal")).unwrap();
    let error = store.check_files().unwrap_err();
    assert!(
        error.to_string().contains("floor.db-wal vanished"),
        "{error}"
    );
}

#[test]
fn a_rotation_that_fails_halfway_rotates_no_role() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("floor.db");
    let mut store = Store::open(&path).unwrap();
    store
        .create_room(&room("a"), &[token("chair", 1), token("display", 2)])
        .unwrap();
    // The second role's write fails.
    let other = rusqlite::Connection::open(&path).unwrap();
    other
        .execute_batch(
            "CREATE TRIGGER fail_display BEFORE UPDATE ON room_tokens WHEN NEW.role = 'display'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
        )
        .unwrap();
    let error = store
        .set_tokens("a", &[token("chair", 3), token("display", 4)])
        .unwrap_err();
    assert!(error.to_string().contains("injected failure"), "{error}");
    assert_eq!(hashes(&store, "a"), [vec![1], vec![2]], "no role rotated");
    other.execute_batch("DROP TRIGGER fail_display").unwrap();
    store
        .set_tokens("a", &[token("chair", 3), token("display", 4)])
        .unwrap();
    assert_eq!(hashes(&store, "a"), [vec![3], vec![4]]);
}

#[test]
fn renewing_epochs_changes_every_room_and_empties_the_write_ahead_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("floor.db");
    let mut store = Store::open(&path).unwrap();
    store.create_room(&room("a"), &[]).unwrap();
    store.create_room(&room("b"), &[]).unwrap();
    let mut n = 0;
    let renewed = store
        .renew_epochs(|| {
            n += 1;
            format!("e{n}")
        })
        .unwrap();
    assert_eq!(
        renewed,
        [("a".to_owned(), "e1".to_owned()), ("b".into(), "e2".into())]
    );
    let epochs: Vec<String> = store
        .rooms()
        .unwrap()
        .into_iter()
        .map(|r| r.epoch)
        .collect();
    assert_eq!(epochs, ["e1", "e2"]);
    let wal = std::fs::metadata(dir.path().join("floor.db-wal")).unwrap();
    assert_eq!(wal.len(), 0);
}
