//! The compact `order`: the protocol's example expands as section 9.4
//! says, [`compact`] and [`expand`] undo each other, and the cases the
//! pages' copy of `expand` is held to (`tests/pages/order.test.mjs`) are
//! written to `target/order-conformance/cases.json`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use floor_protocol::order::{MissingSlot, compact, expand, full};
use floor_protocol::{Channel, OrderReason, OrderSlot, ProjectedSlot, ServerMessage};
use serde_json::{Value, json};
use uuid::Uuid;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn order_of(file: &str) -> Vec<OrderSlot> {
    let path = workspace().join("protocol/examples/server").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    match serde_json::from_str(&text).unwrap() {
        ServerMessage::Order { order, .. } => order,
        other => panic!("{file} is not an order: {other:?}"),
    }
}

fn slot(n: u128, channel: Channel, reasons: &[OrderReason]) -> ProjectedSlot {
    ProjectedSlot {
        entry_id: Uuid::from_u128(n),
        channel,
        reasons: reasons.to_vec(),
    }
}

/// The example of section 9.4: the chair pinned the third entry.
#[test]
fn the_protocol_example_expands_as_documented() {
    let previous = expand(order_of("order.json"), &[]).unwrap();
    let slots = order_of("order-compact.json");
    let order = expand(slots.clone(), &previous).unwrap();
    let ids: Vec<String> = order
        .iter()
        .map(|s| s.entry_id.to_string()[..4].to_owned())
        .collect();
    assert_eq!(ids, ["ed3a", "b232", "4414", "326c"]);
    assert_eq!(order[0].reasons, [OrderReason::Pinned]);
    assert_eq!(order[1..], [&previous[..2], &previous[3..]].concat()[..]);
    // What the broker would send for it.
    assert_eq!(compact(&order, &previous), slots);
}

/// A small deterministic generator (xorshift), so the cases are the same
/// every run.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const REASONS: [OrderReason; 5] = [
    OrderReason::Pinned,
    OrderReason::ChannelTurn,
    OrderReason::OnlyChannelWaiting,
    OrderReason::FirstTimeSpeaker,
    OrderReason::ArrivalOrder,
];

fn random_slot(dice: &mut Dice) -> ProjectedSlot {
    let channel = if dice.below(2) == 0 {
        Channel::Onsite
    } else {
        Channel::Online
    };
    let reasons = [REASONS[dice.below(5)], REASONS[dice.below(5)]];
    slot(
        dice.below(12) as u128,
        channel,
        &reasons[..1 + dice.below(2)],
    )
}

/// Random pairs of orders: each compact form expands back to the order,
/// and the cases (with a few broken ones) are written for the pages.
#[test]
fn compact_and_expand_undo_each_other_and_the_cases_are_written() {
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    let mut cases = Vec::new();
    for _ in 0..300 {
        let previous: Vec<ProjectedSlot> =
            (0..dice.below(8)).map(|_| random_slot(&mut dice)).collect();
        let mut order: Vec<ProjectedSlot> = Vec::new();
        for _ in 0..dice.below(9) {
            if !previous.is_empty() && dice.below(3) > 0 {
                order.push(previous[dice.below(previous.len())].clone());
            } else {
                order.push(random_slot(&mut dice));
            }
        }
        let slots = compact(&order, &previous);
        assert_eq!(expand(slots.clone(), &previous).unwrap(), order);
        assert_eq!(expand(full(&order), &[]).unwrap(), order);
        cases.push(json!({"previous": previous, "slots": slots, "order": order}));
    }
    // Indices the previous order does not have.
    let previous = vec![slot(1, Channel::Onsite, &[OrderReason::ArrivalOrder])];
    for bad in [1_u32, 7, 50] {
        let slots = vec![OrderSlot::Same(0), OrderSlot::Same(bad)];
        assert_eq!(
            expand(slots.clone(), &previous),
            Err(MissingSlot {
                place: 1,
                index: bad,
                previous: 1
            })
        );
        cases.push(json!({"previous": previous, "slots": slots, "order": Value::Null}));
    }
    let dir = workspace().join("target/order-conformance");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("cases.json"),
        serde_json::to_string(&cases).unwrap(),
    )
    .unwrap();
}
