//! Each room's checkpoint: the text of its state at a seq, stored with a
//! digest that ties it to that event's chain value, so a checkpoint that
//! no longer matches its log is told apart and ignored.

use rusqlite::{OptionalExtension, params};

use crate::chain::checkpoint_digest;
use crate::{CheckpointRead, Store, StoreError, to_i64, to_u64};

impl Store {
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
    /// consistent with the events after it; [`check_chains`](crate::check_chains) checks the
    /// rest.)
    pub fn checkpoint(&self, room: &str) -> Result<CheckpointRead, StoreError> {
        self.read_checkpoint(room, str::to_owned)
    }

    /// [`Store::checkpoint`], with the text handed to `read` where SQLite
    /// holds it rather than copied out: a start reads every room's
    /// checkpoint, megabytes each, once.
    pub fn read_checkpoint<B>(
        &self,
        room: &str,
        read: impl FnOnce(&str) -> B,
    ) -> Result<CheckpointRead<B>, StoreError> {
        let head: Option<(i64, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT seq, digest FROM checkpoints WHERE room = ?1")?
            .query_row([room], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((seq, digest)) = head else {
            return Ok(CheckpointRead::None);
        };
        let seq = to_u64(seq);
        let Some(chain) = self.chain_at(room, seq)? else {
            return Ok(CheckpointRead::Unmatched {
                seq,
                reason: "its event is not in the log",
            });
        };
        let mut read = Some(read);
        let body: Option<Option<B>> = self
            .conn
            .prepare_cached("SELECT body FROM checkpoints WHERE room = ?1 AND seq = ?2")?
            .query_row(params![room, to_i64(seq)], |r| {
                let body = r.get_ref(0)?.as_str()?;
                let matches = checkpoint_digest(&chain, seq, body).as_slice() == digest.as_slice();
                Ok(matches
                    .then(|| read.take().map(|read| read(body)))
                    .flatten())
            })
            .optional()?;
        match body {
            Some(Some(body)) => Ok(CheckpointRead::Found { seq, body }),
            Some(None) => Ok(CheckpointRead::Unmatched {
                seq,
                reason: "it does not match the log (altered or damaged)",
            }),
            // Replaced by a newer one between the two reads (the writer
            // checkpointing a room while it is loaded again): as if there
            // were none, so the room is folded from its first event.
            None => Ok(CheckpointRead::None),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{events, room};
    use crate::{CheckpointRead, Store, StoreError};

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
}
