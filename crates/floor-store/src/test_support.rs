//! Helpers shared by the store's unit tests.

use crate::{Append, RoomRecord, Store};

pub(crate) fn room(id: &str) -> RoomRecord {
    RoomRecord {
        id: id.into(),
        title: "A room".into(),
        epoch: "e".into(),
        created_at_ms: 1,
    }
}

pub(crate) fn events(room: &str, seqs: std::ops::RangeInclusive<u64>) -> Append {
    Append {
        room: room.into(),
        events: seqs.map(|s| (s, format!("{{\"seq\":{s}}}"))).collect(),
        declarations: vec![],
    }
}

pub(crate) fn stored(store: &Store, room: &str, after: u64) -> Vec<u64> {
    let mut seqs = vec![];
    store
        .for_each_event(room, after, |seq, _| seqs.push(seq))
        .unwrap();
    seqs
}
