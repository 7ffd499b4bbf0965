//! Savepoints: going back gives the room exactly as it was, whatever was
//! applied since, and a command's events apply all or none.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use floor_core::Room;
use floor_core::error::{ApplyError, RollbackError};
use floor_protocol::{Channel, Command, Event, RoomEvent};
use proptest::prelude::*;
use support::sessions::*;
use support::*;
use uuid::Uuid;

/// Runs random steps, ignoring refusals.
fn run_steps(s: &mut Session, steps: &[Step]) {
    for step in steps {
        if let Ask::Repeat(_) = step.ask {
            continue;
        }
        let command = command_for(&s.room, &step.ask);
        let _ = s.run(&step.who.actor(), command);
    }
}

/// The room and its clone agree on everything, and keep agreeing on what
/// the next commands do.
fn assert_same(mut room: Room, mut clone: Room) -> Result<(), TestCaseError> {
    prop_assert_eq!(room.view(), clone.view());
    prop_assert_eq!(room.projected_order(), clone.projected_order());
    prop_assert_eq!(room.last_call(), clone.last_call());
    prop_assert_eq!(&room, &clone);
    let mut ids = (1u128..).map(Uuid::from_u128);
    for (actor, command) in [
        (
            runner(),
            Command::Submit {
                entry: draft(Channel::Onsite, "Anriette Esterhuysen"),
            },
        ),
        (chair(), Command::next()),
        (
            chair(),
            Command::UndoCall {
                expect_speaking: None,
            },
        ),
    ] {
        let ctx = floor_core::Ctx {
            now_ms: 9_000_000_000_000,
            new_id: ids.next().unwrap(),
        };
        let a = room.execute(&actor, "after", &command, &ctx);
        let b = clone.execute(&actor, "after", &command, &ctx);
        prop_assert_eq!(a, b);
    }
    prop_assert_eq!(&room, &clone);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A savepoint taken at any reachable state gives that state back,
    /// equal to a clone taken there, after any steps.
    #[test]
    fn rollback_gives_back_the_room(before in steps(), after in steps()) {
        let mut s = Session::new();
        run_steps(&mut s, &before);
        let clone = s.room.clone();
        let savepoint = s.room.savepoint();
        run_steps(&mut s, &after);
        s.room.rollback(savepoint).unwrap();
        assert_same(s.room, clone)?;
    }

    /// Savepoints nest: an inner one kept (dropped) or rolled back inside
    /// an outer one, the outer one still gives back its state.
    #[test]
    fn savepoints_nest(before in steps(), first in steps(), second in steps(), keep in any::<bool>()) {
        let mut s = Session::new();
        run_steps(&mut s, &before);
        let outer_clone = s.room.clone();
        let outer = s.room.savepoint();
        run_steps(&mut s, &first);
        let inner_clone = s.room.clone();
        let inner = s.room.savepoint();
        run_steps(&mut s, &second);
        if keep {
            drop(inner);
        } else {
            s.room.rollback(inner).unwrap();
            prop_assert_eq!(&s.room, &inner_clone);
        }
        s.room.rollback(outer).unwrap();
        assert_same(s.room, outer_clone)?;
    }
}

/// A command's events of which the last does not apply leave the room as
/// it was: the turn ended and the call made before it are undone too.
/// (Events the core decides always apply; a bad one is added by hand.)
#[test]
fn a_commands_events_apply_all_or_none() {
    let mut s = Session::new();
    s.hand("Nnenna Nwakanma");
    s.remote("Bertrand de La Chapelle");
    s.next();
    let before = s.room.clone();
    let ctx = floor_core::Ctx {
        now_ms: s.now_ms + 1_000,
        new_id: Uuid::from_u128(u128::MAX / 2),
    };
    let decided = s
        .room
        .decide(&chair(), "call", &Command::next(), &ctx)
        .unwrap();
    let floor_core::Decision::Events { mut events, .. } = decided else {
        panic!("a call decides events");
    };
    let seq = s.room.seq() + events.len() as u64 + 1;
    let unknown = Uuid::from_u128(404);
    events.push(RoomEvent {
        seq,
        at_ms: 0,
        cause: events[0].cause.clone(),
        event: Event::EntryApproved { entry_id: unknown },
    });
    let error = s.room.apply_all(&events).unwrap_err();
    assert_eq!(
        error,
        ApplyError::UnknownEntry {
            seq,
            entry_id: unknown
        }
    );
    assert_eq!(s.room, before);
    assert_eq!(s.room.receipt(&chair().client, "call"), None);
    // The same events without the bad one apply, all of them.
    events.pop();
    s.room.apply_all(&events).unwrap();
    assert_eq!(s.room.seq(), seq - 1);
    assert!(s.room.speaking().is_some());
}

/// A savepoint voided by going back past it, or taken on another room,
/// is refused and changes nothing.
#[test]
fn a_savepoint_not_open_is_refused() {
    let mut s = Session::new();
    let outer = s.room.savepoint();
    s.hand("Nnenna Nwakanma");
    let inner = s.room.savepoint();
    s.room.rollback(outer).unwrap();
    let now = s.room.clone();
    assert_eq!(s.room.rollback(inner), Err(RollbackError::NotOpen));
    let mut other = Room::new();
    let foreign = other.savepoint();
    assert_eq!(s.room.rollback(foreign), Err(RollbackError::NotOpen));
    assert_eq!(s.room, now);
}
