//! [`RoomState`]: the room as a client holds it: the broker's snapshot with
//! every later event folded in by [`floor_core::LiveView`] (the same fold
//! the broker uses), and the broker's projected order.
//!
//! The state never guesses. An event that does not follow the last one
//! (a gap, a repeat, another epoch), an event the fold refuses, or an
//! order that does not fit the entries the state holds is an [`Anomaly`]:
//! the connection reports it and asks the broker for a fresh snapshot.

use std::collections::{HashMap, HashSet};
use std::fmt;

use floor_core::LiveView;
use floor_protocol::limits::ORDER_SLOTS_MAX;
use floor_protocol::{
    Channel, Entry, EntryStatus, OrderSlot, ProjectedSlot, RoomEvent, RoomView, Speaking, Tally,
};
use uuid::Uuid;

/// Something in the broker's stream that the client's state cannot take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anomaly {
    /// Events skipped: the client holds `held`, the next event is `got`.
    Gap {
        /// The client's sequence number.
        held: u64,
        /// The sequence number that arrived.
        got: u64,
    },
    /// An event the client already holds arrived again.
    Duplicate {
        /// The client's sequence number.
        held: u64,
        /// The sequence number that arrived.
        got: u64,
    },
    /// A message from another epoch of the room's log.
    EpochChanged,
    /// The fold refused an event (it names an unknown entry, ...).
    Unfoldable {
        /// The event's sequence number.
        seq: u64,
        /// The fold's explanation.
        reason: String,
    },
    /// The broker's projected order does not fit the client's entries.
    OrderDisagrees {
        /// The sequence number of the order.
        seq: u64,
        /// What does not fit.
        reason: String,
    },
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Anomaly::Gap { held, got } => write!(f, "gap: held event {held}, got {got}"),
            Anomaly::Duplicate { held, got } => {
                write!(f, "duplicate: held event {held}, got {got} again")
            }
            Anomaly::EpochChanged => f.write_str("a message from another epoch of the log"),
            Anomaly::Unfoldable { seq, reason } => write!(f, "event {seq} does not fold: {reason}"),
            Anomaly::OrderDisagrees { seq, reason } => {
                write!(f, "the order at {seq} disagrees with the view: {reason}")
            }
        }
    }
}

/// The room as this client holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomState {
    epoch: Uuid,
    live: LiveView,
    order: Vec<ProjectedSlot>,
}

impl RoomState {
    /// A state from a snapshot.
    pub fn from_snapshot(epoch: Uuid, room: RoomView, order: Vec<ProjectedSlot>) -> RoomState {
        RoomState {
            epoch,
            live: LiveView::from_snapshot(room),
            order,
        }
    }

    /// The epoch of the room's log this state belongs to.
    pub fn epoch(&self) -> Uuid {
        self.epoch
    }

    /// The sequence number of the last event folded in.
    pub fn seq(&self) -> u64 {
        self.live.seq()
    }

    /// The whole view: settings, entries, speaker, pins, rotation, turns.
    pub fn view(&self) -> &RoomView {
        self.live.view()
    }

    /// The entry with this id.
    pub fn entry(&self, id: Uuid) -> Option<&Entry> {
        self.live.entry(id)
    }

    /// The broker's projected order: who repeated `next` calls would give
    /// the floor, first to last; its first
    /// [`ORDER_SLOTS_MAX`] slots when more entries wait.
    pub fn order(&self) -> &[ProjectedSlot] {
        &self.order
    }

    /// The waiting entries in projected order, with their slots.
    pub fn queue(&self) -> impl Iterator<Item = (&ProjectedSlot, &Entry)> {
        self.order
            .iter()
            .filter_map(|slot| self.live.entry(slot.entry_id).map(|e| (slot, e)))
    }

    /// The entry's place in the projected order (0 = next in line); `None`
    /// for an entry that is not waiting, or waits past the listed head.
    pub fn place(&self, id: Uuid) -> Option<usize> {
        self.order.iter().position(|s| s.entry_id == id)
    }

    /// The current speaker and their entry.
    pub fn speaking(&self) -> Option<(&Speaking, &Entry)> {
        let speaking = self.view().speaking.as_ref()?;
        Some((speaking, self.live.entry(speaking.entry_id)?))
    }

    /// The first entry of `channel` in the projected order, with its place.
    pub fn on_deck(&self, channel: Channel) -> Option<(usize, &Entry)> {
        self.queue()
            .enumerate()
            .find(|(_, (slot, _))| slot.channel == channel)
            .map(|(place, (_, entry))| (place, entry))
    }

    /// Entries waiting for approval, oldest first.
    pub fn pending(&self) -> impl Iterator<Item = &Entry> {
        self.view()
            .entries
            .iter()
            .filter(|e| e.status == EntryStatus::Pending)
    }

    /// Waiting entries per channel (all of them, also those past the
    /// head of the order the broker lists).
    pub fn waiting(&self) -> Tally {
        let mut tally = Tally::default();
        for entry in &self.view().entries {
            if entry.status == EntryStatus::Waiting {
                tally.add(entry.channel);
            }
        }
        tally
    }

    // The fold, driven by the connection.

    /// Folds one `events` message in. Events before an anomaly stay folded;
    /// the caller resyncs on an anomaly anyway.
    pub(crate) fn fold_events<'a>(
        &mut self,
        epoch: Uuid,
        events: &'a [RoomEvent],
        mut folded: impl FnMut(&'a RoomEvent),
    ) -> Result<(), Anomaly> {
        if epoch != self.epoch {
            return Err(Anomaly::EpochChanged);
        }
        for event in events {
            let held = self.live.seq();
            if event.seq <= held {
                return Err(Anomaly::Duplicate {
                    held,
                    got: event.seq,
                });
            }
            if event.seq > held + 1 {
                return Err(Anomaly::Gap {
                    held,
                    got: event.seq,
                });
            }
            self.live.apply(event).map_err(|e| Anomaly::Unfoldable {
                seq: event.seq,
                reason: e.to_string(),
            })?;
            folded(event);
        }
        Ok(())
    }

    /// Takes the broker's order after event `seq`, if it fits the view; a
    /// compact slot is the slot at its index in the order held before.
    pub(crate) fn take_order(
        &mut self,
        epoch: Uuid,
        seq: u64,
        order: Vec<OrderSlot>,
    ) -> Result<(), Anomaly> {
        if epoch != self.epoch {
            return Err(Anomaly::EpochChanged);
        }
        let held = self.live.seq();
        if seq > held {
            return Err(Anomaly::Gap { held, got: seq });
        }
        if seq < held {
            return Err(Anomaly::Duplicate { held, got: seq });
        }
        let order = floor_protocol::order::expand(order, &self.order).map_err(|missing| {
            Anomaly::OrderDisagrees {
                seq,
                reason: missing.to_string(),
            }
        })?;
        check_order(self.view(), &order)
            .map_err(|reason| Anomaly::OrderDisagrees { seq, reason })?;
        self.order = order;
        Ok(())
    }
}

/// Whether a projected order fits a view: it holds every waiting entry
/// exactly once and nothing else (only the first
/// [`ORDER_SLOTS_MAX`] of them when more wait), each on its own channel,
/// with the pinned entries first in the order they were pinned.
pub fn check_order(view: &RoomView, order: &[ProjectedSlot]) -> Result<(), String> {
    let entries: HashMap<Uuid, &Entry> = view.entries.iter().map(|e| (e.id, e)).collect();
    let waiting: HashSet<Uuid> = view
        .entries
        .iter()
        .filter(|e| e.status == EntryStatus::Waiting)
        .map(|e| e.id)
        .collect();
    let mut seen = HashSet::new();
    for slot in order {
        if !seen.insert(slot.entry_id) {
            return Err(format!("entry {} appears twice", slot.entry_id));
        }
        let Some(entry) = entries.get(&slot.entry_id) else {
            return Err(format!("entry {} is unknown", slot.entry_id));
        };
        if entry.status != EntryStatus::Waiting {
            return Err(format!(
                "entry {} is {:?}, not waiting",
                slot.entry_id, entry.status
            ));
        }
        if entry.channel != slot.channel {
            return Err(format!("entry {} is on the other channel", slot.entry_id));
        }
    }
    let listed = waiting.len().min(ORDER_SLOTS_MAX);
    if order.len() != listed {
        return Err(format!(
            "the order lists {} slots where {} entries wait (at most {ORDER_SLOTS_MAX} are listed)",
            order.len(),
            waiting.len()
        ));
    }
    let pinned: Vec<Uuid> = view
        .pins
        .iter()
        .copied()
        .filter(|id| waiting.contains(id))
        .take(listed)
        .collect();
    let head: Vec<Uuid> = order
        .iter()
        .take(pinned.len())
        .map(|s| s.entry_id)
        .collect();
    if head != pinned {
        return Err("the pinned entries do not come first, in pin order".to_owned());
    }
    Ok(())
}
