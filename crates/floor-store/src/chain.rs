//! Each room's hash chain, and the digest that ties a checkpoint to it.
//!
//! An event's `chain` is SHA-256 of the previous event's `chain`, its seq
//! and its text; the first event's predecessor is a hash of the room id.
//! A log written before the chain existed is chained once, at open.

use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::{Store, StoreError, to_i64, to_u64};

/// The `meta` key that says every stored event has its chain value.
pub(crate) const CHAINED_KEY: &str = "events_chained";

/// The chain value before a room's first event.
pub(crate) fn chain_start(room: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"floor event chain\0");
    hash.update(room.as_bytes());
    hash.finalize().into()
}

/// The chain value of event `seq` with text `body`, after `previous`.
pub(crate) fn chain_next(previous: &[u8], seq: u64, body: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(previous);
    hash.update(seq.to_be_bytes());
    hash.update(body.as_bytes());
    hash.finalize().into()
}

/// The digest that ties a checkpoint's text to its room's log: the chain
/// value of the event it was taken at, and the text.
pub(crate) fn checkpoint_digest(chain: &[u8], seq: u64, body: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"floor checkpoint\0");
    hash.update(chain);
    hash.update(seq.to_be_bytes());
    hash.update(body.as_bytes());
    hash.finalize().into()
}

impl Store {
    /// Fills in the chain of events stored before the log had one. Done
    /// once per database: the `meta` key [`CHAINED_KEY`] records it, so a
    /// start never scans the whole log to find no unchained event.
    pub(crate) fn chain_unchained(&mut self) -> Result<(), StoreError> {
        if self.meta(CHAINED_KEY)?.is_some() {
            return Ok(());
        }
        self.fill_chains()?;
        self.set_meta(CHAINED_KEY, "1")
    }

    /// Adds the `chain` column where missing and computes the chain of
    /// every event that has none, in one transaction.
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

    /// The chain value stored with event `seq` of `room`.
    pub(crate) fn chain_at(&self, room: &str, seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT chain FROM events WHERE room = ?1 AND seq = ?2")?
            .query_row(params![room, to_i64(seq)], |r| {
                r.get::<_, Option<Vec<u8>>>(0)
            })
            .optional()?
            .flatten())
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use crate::test_support::{events, room, stored};
    use crate::{Store, StoreError};

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
}
