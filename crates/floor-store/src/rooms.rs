//! Rooms and their role-token hashes: created together, tokens rotated
//! together, epochs renewed together (each in one transaction).

use rusqlite::params;

use crate::{RoomRecord, Store, StoreError, TokenHash, to_i64, to_u64};

impl Store {
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

    /// Changes a room's title.
    pub fn set_title(&mut self, room: &str, title: &str) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            "UPDATE rooms SET title = ?2 WHERE id = ?1",
            params![room, title],
        )?;
        if changed == 0 {
            return Err(StoreError::NoSuchRoom(room.to_owned()));
        }
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
}

#[cfg(test)]
mod tests {
    use crate::test_support::room;
    use crate::{Store, StoreError, TokenHash};

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
