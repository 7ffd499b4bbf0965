//! Each room's events: appended in batches (group commit) with the
//! commands' records and declared genders, read back in order against the
//! hash chain.

use rusqlite::{Connection, OptionalExtension, params};

use crate::chain::{chain_next, chain_start};
use crate::{Append, Store, StoreError, to_i64, to_u64};

impl Store {
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

    /// Appends a batch of rooms' events and declared genders in one
    /// transaction (one fsync). Each append stands alone inside it (a
    /// savepoint): one that does not continue its room's log is refused in
    /// its slot of the answer and the others commit. `Err` means the
    /// transaction failed and nothing was written.
    pub fn append(&mut self, batch: &[Append]) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        let mut tx = self.conn.transaction()?;
        let mut results = Vec::with_capacity(batch.len());
        // The rooms' new heads, kept once the transaction commits.
        let mut heads = Vec::new();
        for append in batch {
            let savepoint = tx.savepoint()?;
            let result = write_append(&savepoint, append, self.heads.get(&append.room));
            let result = match result {
                Ok(head) => {
                    savepoint.commit()?;
                    heads.extend(head.map(|head| (append.room.clone(), head)));
                    Ok(())
                }
                // A savepoint dropped without commit rolls back.
                Err(error) => Err(error),
            };
            results.push(result);
        }
        tx.commit()?;
        self.heads.extend(heads);
        Ok(results)
    }
}

/// Writes one append: its events after the room's head, continuing the
/// chain, and its declared genders; the room's new head (seq and chain
/// value) when it held events. `cached` is the room's head as this
/// connection last committed it: the query it spares is re-prepared by
/// SQLite at every run after a write, which cost a fifth of a commit.
fn write_append(
    conn: &Connection,
    append: &Append,
    cached: Option<&(u64, Vec<u8>)>,
) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
    let Some(&(first, _)) = append.events.first() else {
        return Ok(None);
    };
    let last: Option<(i64, Option<Vec<u8>>)> = match cached {
        Some((seq, chain)) => Some((to_i64(*seq), Some(chain.clone()))),
        None => conn
            .prepare_cached(
                "SELECT seq, chain FROM events WHERE room = ?1 ORDER BY seq DESC LIMIT 1",
            )?
            .query_row([&append.room], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?,
    };
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
    write_declarations(conn, append)?;
    let last_seq = first + append.events.len() as u64 - 1;
    Ok(Some((last_seq, chain)))
}

/// Adds an append's declared genders to its room's totals.
fn write_declarations(conn: &Connection, append: &Append) -> Result<(), StoreError> {
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
    use crate::test_support::{events, room, stored};
    use crate::{Store, StoreError};

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
    fn declarations_are_totals_committed_with_their_events_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("floor.db");
        let mut store = Store::open(&path).unwrap();
        store.create_room(&room("a"), &[]).unwrap();
        let declaring = |seqs, declared: &[(&str, u64)]| {
            let mut append = events("a", seqs);
            append.declarations = declared.iter().map(|(g, n)| ((*g).into(), *n)).collect();
            append
        };
        let results = store.append(&[declaring(1..=1, &[("woman", 1)])]).unwrap();
        assert!(results[0].is_ok());
        store
            .append(&[declaring(2..=3, &[("woman", 1), ("man", 2)])])
            .unwrap();
        // A part that repeats a stored seq, and one past a gap: refused,
        // and nothing they declared is counted.
        let results = store
            .append(&[
                declaring(3..=3, &[("woman", 1)]),
                declaring(9..=9, &[("another", 1)]),
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
}
