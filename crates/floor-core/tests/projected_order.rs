//! The projected order, whole, is what repeated `next` calls do: the same
//! entries in the same order, with the same channels and reasons.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use floor_protocol::{Command, Event};
use proptest::prelude::*;
use support::sessions::*;
use support::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_projected_order_is_what_repeated_next_calls_do(steps in steps()) {
        let mut s = Session::new();
        for step in &steps {
            if let Ask::Repeat(_) = step.ask {
                continue;
            }
            let command = command_for(&s.room, &step.ask);
            let _ = s.run(&step.who.actor(), command);
        }
        let order = s.room.projected_order();
        for slot in &order {
            let Ok(outcome) = s.run(&chair(), Command::next()) else {
                // A phase that takes no calls: nothing more to compare.
                return Ok(());
            };
            let called = outcome.events.iter().find_map(|e| match &e.event {
                Event::SpeakerCalled { entry_id, channel, reasons, .. } => {
                    Some((*entry_id, *channel, reasons.clone()))
                }
                _ => None,
            });
            prop_assert_eq!(called, Some((slot.entry_id, slot.channel, slot.reasons.clone())));
        }
        prop_assert!(s.room.projected_order().is_empty());
    }
}
