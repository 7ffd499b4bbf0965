//! The slots of an `order` message, and the compact form a client may ask
//! for in its `hello` (`compact_order`): a slot the previous order on the
//! connection already held is sent as its index there, so a change to a
//! long queue costs each screen a few bytes per unchanged slot instead of
//! a whole slot.
//!
//! [`compact`] is what the broker sends; [`expand`] is what a client does
//! with it. The pages' copy of [`expand`] is held to this one by a test on
//! `protocol/examples/order-compact.json`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::view::ProjectedSlot;

/// One position of an `order` message: the slot itself, or, in the
/// compact form, the index of the same slot in the previous order the
/// connection received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OrderSlot {
    /// The index (from 0) of an identical slot (same `entry_id`, `channel`
    /// and `reasons`) in the previous order received on this connection.
    Same(u32),
    /// The slot, written out.
    Slot(ProjectedSlot),
}

/// An `order` whose slot refers to a place the previous order did not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("slot {place} refers to slot {index} of a previous order of {previous} slots")]
pub struct MissingSlot {
    /// The place of the offending slot in the new order.
    pub place: usize,
    /// The index it gave.
    pub index: u32,
    /// How many slots the previous order had.
    pub previous: usize,
}

/// The slots of `order` written out, as a client without `compact_order`
/// receives them.
pub fn full(order: &[ProjectedSlot]) -> Vec<OrderSlot> {
    order.iter().cloned().map(OrderSlot::Slot).collect()
}

/// The compact form of `order` for a connection whose previous order was
/// `previous`: each slot `previous` holds as its index there, the others
/// written out.
pub fn compact(order: &[ProjectedSlot], previous: &[ProjectedSlot]) -> Vec<OrderSlot> {
    order
        .iter()
        .map(|slot| {
            previous
                .iter()
                .position(|p| p == slot)
                .and_then(|index| u32::try_from(index).ok())
                .map_or_else(|| OrderSlot::Slot(slot.clone()), OrderSlot::Same)
        })
        .collect()
}

/// The order `slots` stands for, given the `previous` order received on
/// the connection; an index outside `previous` is an error (a client
/// resyncs).
pub fn expand(
    slots: Vec<OrderSlot>,
    previous: &[ProjectedSlot],
) -> Result<Vec<ProjectedSlot>, MissingSlot> {
    slots
        .into_iter()
        .enumerate()
        .map(|(place, slot)| match slot {
            OrderSlot::Slot(slot) => Ok(slot),
            OrderSlot::Same(index) => usize::try_from(index)
                .ok()
                .and_then(|i| previous.get(i))
                .cloned()
                .ok_or(MissingSlot {
                    place,
                    index,
                    previous: previous.len(),
                }),
        })
        .collect()
}
