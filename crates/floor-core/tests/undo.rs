//! `undo_call` reverses the most recent call exactly; `expect_speaking`
//! refuses a command decided against a floor the issuer did not see; and
//! who has been called follows the entries, through edits and undos.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;

use floor_core::{PersonKey, Room};
use floor_protocol::{Command, EntryPatch, ErrorCode, Event, RoomView, SettingsPatch};
use proptest::prelude::*;
use support::sessions::*;
use support::*;
use uuid::Uuid;

/// Runs random steps, ignoring refusals: a reachable room.
fn reach(steps: &[Step]) -> Session {
    let mut s = Session::new();
    for step in steps {
        let Ask::Repeat(_) = step.ask else {
            let command = command_for(&s.room, &step.ask);
            let _ = s.run(&step.who.actor(), command);
            continue;
        };
    }
    s
}

/// The room's queue state: its view, but for the sequence number.
fn state(room: &Room) -> RoomView {
    let mut view = room.view();
    view.seq = 0;
    view
}

/// Everything an undo must give back, compared one by one so a failure
/// names what differs.
fn assert_restored(before: &Room, after: &Room) -> Result<(), TestCaseError> {
    prop_assert_eq!(before.projected_order(), after.projected_order());
    prop_assert_eq!(before.rotation(), after.rotation());
    prop_assert_eq!(before.turns(), after.turns());
    prop_assert_eq!(before.pins(), after.pins());
    prop_assert_eq!(before.speaking(), after.speaking());
    prop_assert_eq!(before.called_people(), after.called_people());
    prop_assert_eq!(state(before), state(after));
    Ok(())
}

/// Undoes the call that `command` made, if it made one, and checks the
/// room is as before it.
fn call_then_undo(mut s: Session, command: Command) -> Result<(), TestCaseError> {
    let before = s.room.clone();
    let Ok(outcome) = s.run(&chair(), command) else {
        return Ok(());
    };
    let Some(called) = outcome.events.iter().find_map(|e| match e.event {
        Event::SpeakerCalled { entry_id, .. } => Some(entry_id),
        _ => None,
    }) else {
        return Ok(());
    };
    let undo = Command::UndoCall {
        expect_speaking: Some(Some(called)),
    };
    let events = match s.run(&chair(), undo.clone()) {
        Ok(outcome) => outcome.events,
        // Refused only when the previous speaker held another open
        // request before the call already (one entry per person turned
        // on after two were made): the undo would break that rule.
        Err(error) => {
            let previous = before.speaking().expect("a previous speaker").entry_id;
            let key = before.person_key(previous).unwrap();
            prop_assert!(before.settings().one_entry_per_person, "{error}");
            prop_assert!(
                before.open_entry_of(key, Some(previous)).is_some(),
                "{error}"
            );
            return Ok(());
        }
    };
    prop_assert_eq!(events.len(), 1);
    assert_restored(&before, &s.room)?;
    // Once only: the call before it stays.
    let again = s.run(&chair(), undo).unwrap_err();
    prop_assert!(matches!(
        again.code(),
        ErrorCode::InvalidTransition | ErrorCode::SpeakerChanged
    ));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// From any reachable state, `next` then `undo_call` gives back the
    /// projected order, credits, marks, tallies, pins and speaker.
    #[test]
    fn next_then_undo_restores_the_room(steps in steps()) {
        let s = reach(&steps);
        call_then_undo(s, Command::next())?;
    }

    /// The same for the chair's explicit `call` of any waiting entry
    /// (pinned or not).
    #[test]
    fn call_then_undo_restores_the_room(steps in steps(), pick in any::<prop::sample::Index>()) {
        let s = reach(&steps);
        let waiting: Vec<Uuid> = s.room.entries().iter()
            .filter(|e| e.status == floor_protocol::EntryStatus::Waiting)
            .map(|e| e.id)
            .collect();
        if !waiting.is_empty() {
            call_then_undo(s, Command::call(waiting[pick.index(waiting.len())]))?;
        }
    }

    /// Who has been called is what the calls and undos say, whatever the
    /// edits did since: a person has been called when an entry that was
    /// called (and not undone) holds their identity now.
    #[test]
    fn the_called_mark_follows_the_entry(steps in steps()) {
        let mut s = Session::new();
        let mut called: HashSet<Uuid> = HashSet::new();
        for step in &steps {
            if matches!(step.ask, Ask::Repeat(_)) {
                continue;
            }
            let command = command_for(&s.room, &step.ask);
            if let Ok(outcome) = s.run(&step.who.actor(), command) {
                for event in &outcome.events {
                    match &event.event {
                        Event::SpeakerCalled { entry_id, .. } => { called.insert(*entry_id); }
                        Event::CallUndone { entry_id, .. } => { called.remove(entry_id); }
                        _ => {}
                    }
                }
            }
            let marked: HashSet<PersonKey> = called.iter()
                .map(|id| PersonKey::of(&s.room.entry(*id).unwrap().person))
                .collect();
            let room: HashSet<PersonKey> = s.room.called_people().into_iter().cloned().collect();
            prop_assert_eq!(&marked, &room);
            for (_, key) in s.room.entries_with_keys() {
                prop_assert_eq!(s.room.has_spoken(key), marked.contains(key));
            }
        }
    }
}

/// The runner typed "Pierre", the chair called him, and the runner
/// corrected the name to "Ravi" while Ravi spoke: Ravi has spoken, and
/// "Pierre" never did.
#[test]
fn a_corrected_name_moves_the_mark_to_the_real_speaker() {
    let mut s = Session::new();
    let typo = s.hand("Pierre");
    assert_eq!(s.next(), Some(typo));
    rename(&mut s, typo, "Ravi");
    s.run(&chair(), Command::finish()).unwrap();
    // Ravi asks again, then the real Pierre asks: Pierre, who has never
    // spoken, goes first.
    s.hand("Ravi");
    s.hand("Pierre");
    assert_eq!(s.order(), ["Pierre", "Ravi"]);
    let key = |name: &str| PersonKey::of(&floor_protocol::Person::named(name));
    assert!(s.room.has_spoken(&key("Ravi")));
    assert!(!s.room.has_spoken(&key("Pierre")));
}

/// Two chair screens press Next at once, both having seen the same
/// speaker: one person is called, the other press is refused and changes
/// nothing.
#[test]
fn a_double_next_calls_one_person() {
    let mut s = Session::new();
    let first = s.hand("Anriette Esterhuysen");
    s.hand("Nnenna Nwakanma");
    s.hand("Raul Echeberria");
    s.next();
    let seen = Command::Next {
        expect_speaking: Some(Some(first)),
    };
    s.run(&chair(), seen.clone()).unwrap();
    let before = s.room.clone();
    let error = s.run(&chair(), seen).unwrap_err();
    assert_eq!(error.code(), ErrorCode::SpeakerChanged);
    assert_eq!(error.entry_id(), s.room.speaking().map(|x| x.entry_id));
    assert_eq!(s.room, before);
}

/// The previous speaker is speaking again with their original start and
/// deadline; the undone call's entry waits at its place.
#[test]
fn undo_gives_the_floor_back_with_its_original_times() {
    let mut s = Session::new();
    let a = s.hand("Anriette Esterhuysen");
    let b = s.remote("Nnenna Nwakanma");
    s.next();
    let turn = s.room.speaking().cloned().unwrap();
    s.now_ms += 42_000;
    s.next();
    s.now_ms += 58;
    s.run(
        &chair(),
        Command::UndoCall {
            expect_speaking: Some(Some(b)),
        },
    )
    .unwrap();
    assert_eq!(s.room.speaking(), Some(&turn));
    assert_eq!(s.room.entry(a).unwrap().spoke_ms, None);
    assert_eq!(s.order(), ["Nnenna Nwakanma"]);
}

/// An undo is refused once its entry has stopped speaking, and a patch or
/// settings change that changes nothing is refused as `invalid_field`.
#[test]
fn what_cannot_be_undone_or_changes_nothing_is_refused() {
    let mut s = Session::new();
    let a = s.hand("Anriette Esterhuysen");
    let error = s
        .run(
            &chair(),
            Command::UndoCall {
                expect_speaking: None,
            },
        )
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidTransition);
    s.next();
    s.run(&chair(), Command::finish()).unwrap();
    let error = s
        .run(
            &chair(),
            Command::UndoCall {
                expect_speaking: None,
            },
        )
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidTransition);

    let b = s.hand("Nnenna Nwakanma");
    let same = Command::Edit {
        entry_id: b,
        patch: EntryPatch {
            name: Some("Nnenna Nwakanma".to_owned()),
            ..Default::default()
        },
    };
    let error = s.run(&runner(), same).unwrap_err();
    assert_eq!(
        (error.code(), error.field()),
        (ErrorCode::InvalidField, Some("patch"))
    );
    let policy = s.room.settings().policy;
    let same = Command::UpdateSettings {
        patch: SettingsPatch {
            policy: Some(policy),
            ..Default::default()
        },
    };
    let error = s.run(&chair(), same).unwrap_err();
    assert_eq!(
        (error.code(), error.field()),
        (ErrorCode::InvalidField, Some("patch"))
    );
    let _ = a;
}

/// The previous speaker asked again after the call: giving their turn
/// back would leave them two open requests, so the undo is refused and
/// changes nothing.
#[test]
fn an_undo_that_would_give_one_person_two_requests_is_refused() {
    let mut s = Session::new();
    let amina = s.hand("Amina Diallo");
    s.hand("Jonas Berg");
    s.next();
    s.next();
    s.hand("Amina Diallo");
    let error = refused_undo(&mut s);
    assert_ne!(error.entry_id(), Some(amina));
}

/// The same when a request that stood before the call is corrected, after
/// it, into the previous speaker's name.
#[test]
fn an_undo_is_refused_when_an_edit_gave_the_previous_speaker_a_request() {
    let mut s = Session::new();
    s.hand("Amina Diallo");
    s.hand("Jonas Berg");
    let typo = s.hand("Amina Dialo");
    s.next();
    s.next();
    rename(&mut s, typo, "Amina Diallo");
    let error = refused_undo(&mut s);
    assert_eq!(error.entry_id(), Some(typo));
}

/// Sends an unchecked `undo_call` that must be refused `invalid_transition`
/// and change nothing; the error.
fn refused_undo(s: &mut Session) -> floor_core::CommandError {
    let before = s.room.clone();
    let error = s
        .run(
            &chair(),
            Command::UndoCall {
                expect_speaking: None,
            },
        )
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidTransition);
    assert_eq!(s.room, before);
    error
}

/// The runner corrects an entry's name.
fn rename(s: &mut Session, entry_id: Uuid, name: &str) {
    s.run(
        &runner(),
        Command::Edit {
            entry_id,
            patch: EntryPatch {
                name: Some(name.to_owned()),
                ..Default::default()
            },
        },
    )
    .unwrap();
}
