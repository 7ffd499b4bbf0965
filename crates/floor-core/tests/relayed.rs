//! Requests relayed from another service (`entry.source`, the Matrix
//! bridge): who may relay them, what they must say, that they wait for
//! approval like a participant's own, and that a person holds one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use floor_core::CommandError;
use floor_protocol::{
    Channel, Command, EntryDraft, EntryStatus, ErrorCode, Person, Role, SettingsPatch, Source,
};
use support::*;

/// Amina's hand, relayed from Matrix.
fn relayed(user: &str) -> EntryDraft {
    EntryDraft {
        person: Person {
            person_id: Some(user.to_owned()),
            ..Person::named("Amina Diallo")
        },
        source: Some(Source::Matrix),
        ..draft(Channel::Online, "Amina Diallo")
    }
}

fn field(result: Result<floor_core::decide::Outcome, CommandError>) -> String {
    match result {
        Err(CommandError::InvalidField { field, .. }) => field,
        other => panic!("expected invalid_field, got {other:?}"),
    }
}

#[test]
fn a_relayed_request_keeps_its_source_and_waits_for_approval_in_a_moderated_room() {
    let mut s = Session::new();
    let submit = Command::Submit {
        entry: relayed("@amina:example.org"),
    };
    let open = s.run(&moderator(), submit.clone()).unwrap();
    let id = open.receipt.entry_id.unwrap();
    let entry = s.room.entry(id).unwrap();
    assert_eq!(entry.status, EntryStatus::Waiting);
    assert_eq!(entry.provenance.source, Some(Source::Matrix));
    assert_eq!(entry.provenance.role, Role::Moderator);

    let mut moderated = Session::new();
    moderated.settings(SettingsPatch {
        moderated: Some(true),
        ..Default::default()
    });
    let held = moderated.run(&moderator(), submit).unwrap();
    let entry = moderated
        .room
        .entry(held.receipt.entry_id.unwrap())
        .unwrap();
    assert_eq!(
        entry.status,
        EntryStatus::Pending,
        "the person's own request"
    );
    // The moderator's own entries still skip approval.
    let own = moderated.remote("Carlos Mendoza");
    assert_eq!(
        moderated.room.entry(own).unwrap().status,
        EntryStatus::Waiting
    );
}

#[test]
fn only_staff_relay_online_requests_that_name_the_account() {
    let mut s = Session::new();
    let remote = participant("p1", Channel::Online);
    let by_participant = s.run(
        &remote,
        Command::Submit {
            entry: relayed("@amina:example.org"),
        },
    );
    assert_eq!(field(by_participant), "entry.source");
    let onsite = s.run(
        &chair(),
        Command::Submit {
            entry: EntryDraft {
                channel: Channel::Onsite,
                delivery: None,
                ..relayed("@amina:example.org")
            },
        },
    );
    assert_eq!(field(onsite), "entry.source");
    let anonymous = s.run(
        &moderator(),
        Command::Submit {
            entry: EntryDraft {
                person: Person::named("Amina Diallo"),
                ..relayed("@amina:example.org")
            },
        },
    );
    assert_eq!(field(anonymous), "entry.person.person_id");
    let long = format!("@{}:example.org", "a".repeat(240));
    assert!(long.chars().count() <= floor_protocol::limits::PERSON_ID_MAX);
    s.run(
        &chair(),
        Command::Submit {
            entry: relayed(&long),
        },
    )
    .expect("a Matrix user id of up to 255 characters fits");
    assert!(
        s.room
            .entries()
            .iter()
            .all(|e| e.person.person_id.as_deref() == Some(long.as_str()))
    );
}

#[test]
fn a_person_holds_one_relayed_request_whatever_the_room_allows() {
    let mut s = Session::new();
    s.settings(SettingsPatch {
        one_entry_per_person: Some(false),
        ..Default::default()
    });
    let first = s
        .run(
            &moderator(),
            Command::Submit {
                entry: relayed("@amina:example.org"),
            },
        )
        .unwrap()
        .receipt
        .entry_id
        .unwrap();
    let again = s.run(
        &moderator(),
        Command::Submit {
            entry: relayed("@amina:example.org"),
        },
    );
    assert!(
        matches!(&again, Err(CommandError::DuplicatePerson { existing }) if *existing == first)
    );
    assert_eq!(again.unwrap_err().code(), ErrorCode::DuplicatePerson);
    // Once it is over, she may ask again.
    s.run(&moderator(), Command::Withdraw { entry_id: first })
        .unwrap();
    s.run(
        &moderator(),
        Command::Submit {
            entry: relayed("@amina:example.org"),
        },
    )
    .unwrap();
}
