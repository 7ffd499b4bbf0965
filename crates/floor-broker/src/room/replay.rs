//! Folding stored events: the one place where an event read from a log
//! (either store) is decoded, checked to follow the state it is folded
//! into, and applied.
//!
//! The rule is the same for every reader: an event at or before the
//! state's seq is one the state holds already (a shared commit read again)
//! and is skipped; the next seq is applied; any other seq is a gap, and the
//! fold stops there, as it does at a row that does not decode or does not
//! apply.

use floor_core::{ApplyError, Room};
use floor_protocol::RoomEvent;

/// What stored events are folded into: a room, or the list of events the
/// session report reads.
pub trait Fold {
    /// The seq of the last event held (0: none).
    fn seq(&self) -> u64;
    /// Applies the event that follows [`Fold::seq`].
    fn apply(&mut self, event: &RoomEvent) -> Result<(), ApplyError>;
}

impl Fold for Room {
    fn seq(&self) -> u64 {
        Room::seq(self)
    }

    fn apply(&mut self, event: &RoomEvent) -> Result<(), ApplyError> {
        Room::apply(self, event)
    }
}

/// The events themselves, in order (the first has seq 1).
impl Fold for Vec<RoomEvent> {
    fn seq(&self) -> u64 {
        self.len() as u64
    }

    fn apply(&mut self, event: &RoomEvent) -> Result<(), ApplyError> {
        self.push(event.clone());
        Ok(())
    }
}

/// Why a stored event could not be folded.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The row is not valid JSON of a room event.
    #[error("the event after seq {after} does not decode: {source}")]
    Decode {
        /// The seq of the state the row was to follow.
        after: u64,
        /// Why.
        source: serde_json::Error,
    },
    /// The event is not the next one: events are missing before it.
    #[error("event {found} does not follow {after}")]
    Gap {
        /// The seq of the state it was to follow.
        after: u64,
        /// Its own seq.
        found: u64,
    },
    /// The event follows the state but does not apply to it.
    #[error("event {seq} does not apply: {source}")]
    Apply {
        /// The event's seq.
        seq: u64,
        /// Why.
        source: ApplyError,
    },
}

/// Decodes one stored event and applies it to `state` if it is the next
/// one: `Some(event)` when applied, `None` when `state` holds it already.
pub fn apply_stored<F: Fold>(state: &mut F, raw: &str) -> Result<Option<RoomEvent>, ReplayError> {
    let after = state.seq();
    let event = serde_json::from_str::<RoomEvent>(raw)
        .map_err(|source| ReplayError::Decode { after, source })?;
    if event.seq <= after {
        return Ok(None);
    }
    if event.seq != after + 1 {
        return Err(ReplayError::Gap {
            after,
            found: event.seq,
        });
    }
    state.apply(&event).map_err(|source| ReplayError::Apply {
        seq: event.seq,
        source,
    })?;
    Ok(Some(event))
}

/// [`apply_stored`] for each row in order, handing each event applied to
/// `applied` with its row (the stored text); stops at the first row that
/// fails (the rows before it stay applied).
pub fn replay<F: Fold, R: AsRef<str>>(
    state: &mut F,
    rows: impl IntoIterator<Item = R>,
    mut applied: impl FnMut(RoomEvent, R),
) -> Result<(), ReplayError> {
    for raw in rows {
        if let Some(event) = apply_stored(state, raw.as_ref())? {
            applied(event, raw);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use floor_protocol::Event;

    fn row(seq: u64) -> String {
        let event = RoomEvent {
            seq,
            at_ms: 1_000 + seq,
            cause: None,
            event: Event::Redacted,
        };
        serde_json::to_string(&event).unwrap()
    }

    fn fold(rows: &[String]) -> (Vec<RoomEvent>, Result<(), ReplayError>) {
        let mut events = Vec::new();
        let mut seen = Vec::new();
        let result = replay(&mut events, rows, |event, _| seen.push(event.seq));
        assert_eq!(seen, events.iter().map(|e| e.seq).collect::<Vec<_>>());
        (events, result)
    }

    #[test]
    fn events_in_order_are_applied_and_those_held_are_skipped() {
        let (events, result) = fold(&[row(1), row(2), row(2), row(1), row(3)]);
        assert!(result.is_ok());
        assert_eq!(events.len(), 3);
    }

    #[test]
    fn a_gap_stops_the_fold_and_names_both_seqs() {
        let (events, result) = fold(&[row(1), row(2), row(4), row(5)]);
        assert_eq!(events.len(), 2);
        let error = result.unwrap_err();
        assert!(matches!(error, ReplayError::Gap { after: 2, found: 4 }));
        assert_eq!(error.to_string(), "event 4 does not follow 2");
    }

    #[test]
    fn a_first_event_that_is_not_seq_1_is_a_gap() {
        let (events, result) = fold(&[row(2)]);
        assert!(events.is_empty());
        assert!(matches!(
            result,
            Err(ReplayError::Gap { after: 0, found: 2 })
        ));
    }

    #[test]
    fn a_bad_row_stops_the_fold_and_names_where() {
        let (events, result) = fold(&[row(1), "{\"seq\":2,".into(), row(2)]);
        assert_eq!(events.len(), 1);
        let error = result.unwrap_err();
        assert!(matches!(error, ReplayError::Decode { after: 1, .. }));
        assert!(
            error
                .to_string()
                .starts_with("the event after seq 1 does not decode")
        );
    }

    #[test]
    fn an_event_the_room_refuses_stops_the_fold() {
        let mut room = Room::new();
        let unknown = RoomEvent {
            seq: 1,
            at_ms: 1_000,
            cause: None,
            event: Event::EntryWithdrawn {
                entry_id: uuid::Uuid::nil(),
            },
        };
        let raw = serde_json::to_string(&unknown).unwrap();
        let error = apply_stored(&mut room, &raw).unwrap_err();
        assert!(matches!(error, ReplayError::Apply { seq: 1, .. }));
        assert_eq!(room.seq(), 0);
    }
}
