//! The room's rules, one scenario each, read as a session.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use floor_core::CommandError;
use floor_protocol::event::CallVia;
use floor_protocol::{
    Channel, Command, EntryPatch, EntryStatus, ErrorCode, Event, OrderReason, Policy, Role,
    SettingsPatch,
};
use support::*;

fn code<T: std::fmt::Debug>(result: Result<T, CommandError>) -> ErrorCode {
    match result {
        Err(e) => e.code(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

#[test]
fn alternate_interleaves_the_channels() {
    let mut s = Session::new();
    for name in ["Room 1", "Room 2", "Room 3", "Room 4"] {
        s.hand(name);
    }
    for name in ["Remote 1", "Remote 2"] {
        s.remote(name);
    }
    let expected = [
        "Room 1", "Remote 1", "Room 2", "Remote 2", "Room 3", "Room 4",
    ];
    assert_eq!(s.order(), expected);
    let reasons: Vec<_> = s
        .room
        .projected_order()
        .into_iter()
        .map(|slot| slot.reasons)
        .collect();
    assert_eq!(
        reasons[1],
        [OrderReason::ChannelTurn, OrderReason::ArrivalOrder]
    );
    assert_eq!(
        reasons[5],
        [OrderReason::OnlyChannelWaiting, OrderReason::ArrivalOrder]
    );
    assert_eq!(s.call_all(), expected);
    assert_eq!(s.room.turns().onsite, 4);
    assert_eq!(s.room.turns().online, 2);
}

#[test]
fn the_first_call_goes_to_the_channel_that_asked_first() {
    let mut s = Session::new();
    s.remote("Remote 1");
    s.hand("Room 1");
    s.hand("Room 2");
    assert_eq!(s.call_all(), ["Remote 1", "Room 1", "Room 2"]);
}

#[test]
fn a_tie_goes_to_the_channel_not_chosen_last() {
    let mut s = Session::new();
    s.hand("Room 1");
    s.remote("Remote 1");
    assert_eq!(s.next_name(), "Room 1");
    assert_eq!(s.next_name(), "Remote 1");
    // Both channels empty now; credits are back to 0:0 and the last choice
    // was online, so a new tie goes onsite even though online asked first.
    s.next();
    s.remote("Remote 2");
    s.hand("Room 2");
    assert_eq!(s.room.rotation().credits.onsite, 0);
    assert_eq!(s.order(), ["Room 2", "Remote 2"]);
}

#[test]
fn an_uncontested_call_settles_the_rotation() {
    // Online wins the first tie (it asked first), leaving onsite a credit.
    // Then online runs dry and onsite is called alone; when a remote hand
    // arrives, it is online's turn, not onsite's again.
    let mut s = Session::new();
    s.remote("Remote 1");
    s.hand("Room 1");
    s.hand("Room 2");
    assert_eq!(s.next_name(), "Remote 1");
    assert_eq!(s.next_name(), "Room 1");
    s.remote("Remote 2");
    assert_eq!(s.order(), ["Remote 2", "Room 2"]);
}

#[test]
fn weighted_two_to_one() {
    let mut s = Session::new();
    s.settings(SettingsPatch {
        policy: Some(Policy::Weighted {
            onsite: 2,
            online: 1,
        }),
        ..Default::default()
    });
    for i in 1..=6 {
        s.hand(&format!("Room {i}"));
    }
    for i in 1..=3 {
        s.remote(&format!("Remote {i}"));
    }
    assert_eq!(
        s.call_all(),
        [
            "Room 1", "Remote 1", "Room 2", "Room 3", "Remote 2", "Room 4", "Room 5", "Remote 3",
            "Room 6"
        ]
    );
}

#[test]
fn fifo_is_submission_order_across_channels() {
    let mut s = Session::new();
    s.settings(SettingsPatch {
        policy: Some(Policy::Fifo {}),
        ..Default::default()
    });
    s.hand("Room 1");
    s.hand("Room 2");
    s.remote("Remote 1");
    s.hand("Room 3");
    assert_eq!(s.call_all(), ["Room 1", "Room 2", "Remote 1", "Room 3"]);
}

#[test]
fn first_time_speakers_pass_people_who_have_spoken() {
    let mut s = Session::new();
    s.hand("Ana");
    s.next(); // Ana speaks
    s.next(); // Ana is done
    s.hand("Ana"); // and raises her hand again
    s.hand("Bo");
    assert_eq!(s.order(), ["Bo", "Ana"]);
    let head = &s.room.projected_order()[0];
    assert_eq!(
        head.reasons,
        [
            OrderReason::OnlyChannelWaiting,
            OrderReason::FirstTimeSpeaker
        ]
    );

    s.settings(SettingsPatch {
        first_time_first: Some(false),
        ..Default::default()
    });
    assert_eq!(s.order(), ["Ana", "Bo"]);
}

#[test]
fn pins_come_first_in_pin_order_and_stay_outside_the_rotation() {
    let mut s = Session::new();
    s.hand("Room 1");
    let r2 = s.hand("Room 2");
    s.remote("Remote 1");
    let o2 = s.remote("Remote 2");
    s.run(&chair(), Command::Pin { entry_id: o2 }).unwrap();
    s.run(&chair(), Command::Pin { entry_id: r2 }).unwrap();
    let before = s.room.rotation();
    assert_eq!(s.order(), ["Remote 2", "Room 2", "Room 1", "Remote 1"]);
    assert_eq!(s.room.projected_order()[0].reasons, [OrderReason::Pinned]);
    s.next();
    s.next();
    assert_eq!(
        s.room.rotation(),
        before,
        "pinned calls leave the credits alone"
    );
    assert_eq!(s.call_all(), ["Room 1", "Remote 1"]);
}

#[test]
fn the_chair_can_call_out_of_order_openly() {
    let mut s = Session::new();
    s.hand("Room 1");
    let remote = s.remote("Remote 1");
    let outcome = s.run(&chair(), Command::call(remote)).unwrap();
    let Event::SpeakerCalled {
        via,
        reasons,
        credits,
        ..
    } = &outcome.events[0].event
    else {
        panic!("expected speaker_called");
    };
    assert_eq!(*via, CallVia::Explicit);
    assert!(reasons.is_empty() && credits.is_none());
    assert_eq!(
        outcome.events[0].cause.as_ref().map(|c| c.role),
        Some(Role::Chair)
    );
}

#[test]
fn next_ends_the_turn_and_records_its_length() {
    let mut s = Session::new();
    let a = s.hand("Room 1");
    s.next();
    let deadline = s.room.speaking().unwrap().deadline_ms;
    assert_eq!(deadline, s.room.speaking().unwrap().since_ms + 120_000);
    let outcome = s.run(&chair(), Command::next()).unwrap();
    assert_eq!(outcome.events.len(), 1);
    assert!(
        matches!(outcome.events[0].event, Event::SpeakerFinished { entry_id, spoke_ms: 1000 } if entry_id == a)
    );
    assert_eq!(s.room.entry(a).unwrap().status, EntryStatus::Done);
    assert_eq!(
        code(s.run(&chair(), Command::next())),
        ErrorCode::NothingToCall
    );
    assert_eq!(
        code(s.run(&chair(), Command::finish())),
        ErrorCode::NoCurrentSpeaker
    );
}

#[test]
fn a_moderated_room_holds_participants_for_approval() {
    let mut s = Session::new();
    s.settings(SettingsPatch {
        moderated: Some(true),
        ..Default::default()
    });
    let remote = participant("p1", Channel::Online);
    let id = s.add(&remote, Channel::Online, "Nandini");
    assert_eq!(s.room.entry(id).unwrap().status, EntryStatus::Pending);
    assert!(s.order().is_empty());
    assert_eq!(
        code(s.run(&runner(), Command::Approve { entry_id: id })),
        ErrorCode::Forbidden
    );
    s.run(&moderator(), Command::Approve { entry_id: id })
        .unwrap();
    assert_eq!(s.order(), ["Nandini"]);
    // Curators' own entries skip approval.
    let hand = s.hand("Room 1");
    assert_eq!(s.room.entry(hand).unwrap().status, EntryStatus::Waiting);
}

#[test]
fn one_open_entry_per_person_unless_lifted() {
    let mut s = Session::new();
    let first = s.hand("Ana Silva");
    let again = s.run(
        &moderator(),
        Command::Submit {
            entry: draft(Channel::Online, " ana  SILVA "),
        },
    );
    assert!(matches!(again, Err(CommandError::DuplicatePerson { existing }) if existing == first));
    s.settings(SettingsPatch {
        one_entry_per_person: Some(false),
        ..Default::default()
    });
    s.remote("Ana Silva");
    assert_eq!(s.order().len(), 2);
}

#[test]
fn participants_submit_once_on_their_own_channel() {
    let mut s = Session::new();
    let me = participant("p1", Channel::Onsite);
    assert_eq!(
        code(s.run(
            &me,
            Command::Submit {
                entry: draft(Channel::Online, "Me")
            }
        )),
        ErrorCode::ChannelMismatch
    );
    let undeclared = actor(Role::Participant, "p2", None);
    assert_eq!(
        code(s.run(
            &undeclared,
            Command::Submit {
                entry: draft(Channel::Onsite, "Me")
            }
        )),
        ErrorCode::ChannelMismatch
    );
    s.add(&me, Channel::Onsite, "Me");
    assert_eq!(
        code(s.run(
            &me,
            Command::Submit {
                entry: draft(Channel::Onsite, "My friend")
            }
        )),
        ErrorCode::ParticipantLimit
    );
}

#[test]
fn anyone_may_withdraw_their_own_entry_and_only_that() {
    let mut s = Session::new();
    let me = participant("p1", Channel::Online);
    let other = participant("p2", Channel::Online);
    let mine = s.add(&me, Channel::Online, "Me");
    assert_eq!(
        code(s.run(&other, Command::Withdraw { entry_id: mine })),
        ErrorCode::Forbidden
    );
    s.run(&me, Command::Withdraw { entry_id: mine }).unwrap();
    assert_eq!(s.room.entry(mine).unwrap().status, EntryStatus::Withdrawn);
    assert_eq!(
        code(s.run(&me, Command::Withdraw { entry_id: mine })),
        ErrorCode::InvalidTransition
    );
}

#[test]
fn a_closed_queue_refuses_new_requests_but_the_chairs() {
    let mut s = Session::new();
    s.run(&chair(), Command::CloseQueue {}).unwrap();
    assert_eq!(
        code(s.run(
            &runner(),
            Command::Submit {
                entry: draft(Channel::Onsite, "Late")
            }
        )),
        ErrorCode::QueueClosed
    );
    s.add(&chair(), Channel::Onsite, "Closing speaker");
    assert_eq!(
        code(s.run(&chair(), Command::CloseQueue {})),
        ErrorCode::InvalidTransition
    );
    s.run(&chair(), Command::OpenQueue {}).unwrap();
    s.hand("Late");
}

#[test]
fn curators_merge_edit_and_reject_on_their_channel() {
    let mut s = Session::new();
    let a = s.remote("Remote 1");
    let b = s.remote("Remote 2");
    let hand = s.hand("Room 1");
    assert_eq!(
        code(s.run(
            &moderator(),
            Command::Merge {
                entry_id: b,
                into: hand
            }
        )),
        ErrorCode::Forbidden
    );
    s.run(
        &moderator(),
        Command::Merge {
            entry_id: b,
            into: a,
        },
    )
    .unwrap();
    assert_eq!(s.room.entry(b).unwrap().merged_into, Some(a));
    let patch = EntryPatch {
        text: Some(Some("  What about data?  ".into())),
        ..Default::default()
    };
    s.run(&moderator(), Command::Edit { entry_id: a, patch })
        .unwrap();
    assert_eq!(
        s.room.entry(a).unwrap().text.as_deref(),
        Some("What about data?")
    );
    assert_eq!(
        code(s.run(
            &runner(),
            Command::Reject {
                entry_id: a,
                reason: None
            }
        )),
        ErrorCode::Forbidden
    );
    s.run(
        &runner(),
        Command::Reject {
            entry_id: hand,
            reason: Some("off topic".into()),
        },
    )
    .unwrap();
    assert_eq!(s.order(), ["Remote 1"]);
}

#[test]
fn the_mic_runner_marks_the_mic_in_hand() {
    let mut s = Session::new();
    let hand = s.hand("Room 1");
    let remote = s.remote("Remote 1");
    s.run(&runner(), Command::MicInHand { entry_id: hand })
        .unwrap();
    assert!(s.room.entry(hand).unwrap().mic_in_hand);
    assert_eq!(
        code(s.run(&runner(), Command::MicInHand { entry_id: hand })),
        ErrorCode::InvalidTransition
    );
    assert_eq!(
        code(s.run(&chair(), Command::MicInHand { entry_id: remote })),
        ErrorCode::InvalidTransition
    );
}

#[test]
fn a_repeated_request_id_returns_the_original_result() {
    let mut s = Session::new();
    let command = Command::Submit {
        entry: draft(Channel::Onsite, "Ana"),
    };
    let first = s.run_as(&runner(), "same", command.clone()).unwrap();
    let seq = s.room.seq();
    let again = s.run_as(&runner(), "same", command).unwrap();
    assert!(again.duplicate && again.events.is_empty());
    assert_eq!(again.receipt, first.receipt);
    assert_eq!(s.room.seq(), seq);
    // The same request id from another client is another request.
    let other = s.run_as(
        &moderator(),
        "same",
        Command::Submit {
            entry: draft(Channel::Online, "Bo"),
        },
    );
    assert!(!other.unwrap().duplicate);
}

#[test]
fn display_is_read_only() {
    let mut s = Session::new();
    let id = s.hand("Room 1");
    for command in [
        Command::Submit {
            entry: draft(Channel::Onsite, "X"),
        },
        Command::next(),
        Command::Withdraw { entry_id: id },
        Command::CloseQueue {},
    ] {
        assert_eq!(code(s.run(&display(), command)), ErrorCode::Forbidden);
    }
}

#[test]
fn changing_the_policy_evens_the_credits() {
    let mut s = Session::new();
    s.hand("Room 1");
    s.remote("Remote 1");
    s.next();
    assert_ne!(s.room.rotation().credits, Default::default());
    s.settings(SettingsPatch {
        policy: Some(Policy::Weighted {
            onsite: 1,
            online: 3,
        }),
        ..Default::default()
    });
    assert_eq!(s.room.rotation().credits, Default::default());
    assert_eq!(s.room.rotation().last, Some(Channel::Onsite));
}

#[test]
fn correcting_a_speakers_name_keeps_them_a_repeat_speaker() {
    let mut s = Session::new();
    let ana = s.hand("Ana Slva");
    s.next();
    let patch = EntryPatch {
        name: Some("Ana Silva".into()),
        ..Default::default()
    };
    s.run(
        &runner(),
        Command::Edit {
            entry_id: ana,
            patch,
        },
    )
    .unwrap();
    s.next();
    s.hand("Ana Silva");
    s.hand("Bo");
    assert_eq!(s.order(), ["Bo", "Ana Silva"]);
}

#[test]
fn settings_that_change_nothing_are_refused() {
    let mut s = Session::new();
    let same = SettingsPatch {
        moderated: Some(false),
        ..Default::default()
    };
    assert_eq!(
        code(s.run(&chair(), Command::UpdateSettings { patch: same })),
        ErrorCode::InvalidField
    );
}

fn run_of_show() -> floor_protocol::Programme {
    use floor_protocol::{Person, Phase, PhaseKind, Programme};
    let phase = |title: &str, kind, minutes, speakers: &[&str], minutes_each| Phase {
        title: title.into(),
        kind,
        minutes,
        speakers: speakers.iter().map(|n| Person::named(*n)).collect(),
        minutes_each,
    };
    Programme {
        chair: None,
        online_moderator: None,
        rapporteur: None,
        time_zone: None,
        phases: vec![
            phase(
                "Presentations",
                PhaseKind::Presentations,
                40,
                &["Roberto Bissio", "Aileen Kwa"],
                Some(8),
            ),
            phase("Open floor", PhaseKind::OpenFloor, 40, &[], None),
            phase(
                "Closing",
                PhaseKind::Closing,
                10,
                &["Roberto Bissio", "Aileen Kwa"],
                None,
            ),
        ],
    }
}

#[test]
fn the_chair_runs_the_show_phase_by_phase_and_presenter_by_presenter() {
    let mut s = Session::new();
    let programme = run_of_show();
    assert_eq!(
        code(s.run(&chair(), Command::StartPhase { phase: 0 })),
        ErrorCode::InvalidTransition,
        "no run of show yet"
    );
    s.run(
        &chair(),
        Command::SetProgramme {
            programme: programme.clone(),
        },
    )
    .unwrap();
    assert_eq!(s.room.view_ref().programme.as_ref(), Some(&programme));
    assert_eq!(
        code(s.run(&chair(), Command::NextPresenter {})),
        ErrorCode::InvalidTransition,
        "no phase is running"
    );

    s.run(&chair(), Command::StartPhase { phase: 0 }).unwrap();
    let started = s.now_ms;
    let stage = s.room.view_ref().stage.clone().unwrap();
    assert_eq!((stage.phase, stage.since_ms), (0, started));
    assert_eq!(stage.deadline_ms, started + 40 * 60_000);
    assert_eq!(stage.presenter, None);

    for index in 0..2 {
        s.run(&chair(), Command::NextPresenter {}).unwrap();
        let turn = s.room.view_ref().stage.clone().unwrap().presenter.unwrap();
        assert_eq!(turn.index, index);
        assert_eq!(turn.deadline_ms, s.now_ms + 8 * 60_000, "8 minutes each");
    }
    assert_eq!(
        code(s.run(&chair(), Command::NextPresenter {})),
        ErrorCode::InvalidTransition,
        "two presenters only"
    );

    // The closing round shares its 10 minutes between its two speakers.
    s.run(&chair(), Command::StartPhase { phase: 2 }).unwrap();
    s.run(&chair(), Command::NextPresenter {}).unwrap();
    let turn = s.room.view_ref().stage.clone().unwrap().presenter.unwrap();
    assert_eq!(turn.deadline_ms - turn.since_ms, 5 * 60_000);

    assert_eq!(
        code(s.run(&chair(), Command::StartPhase { phase: 3 })),
        ErrorCode::InvalidField
    );
    // Only the chair runs the show.
    for actor in [moderator(), runner(), display()] {
        assert_eq!(
            code(s.run(&actor, Command::StartPhase { phase: 1 })),
            ErrorCode::Forbidden
        );
    }
    // Editing the run of show keeps the running phase when the new one has
    // a phase of the same kind at its place; the times follow the edit.
    let since = s.room.view_ref().stage.clone().unwrap().since_ms;
    let turn_since = turn.since_ms;
    let mut edited = programme.clone();
    edited.phases[2].minutes = 6;
    edited.phases[2].speakers.truncate(1);
    s.run(
        &chair(),
        Command::SetProgramme {
            programme: edited.clone(),
        },
    )
    .unwrap();
    let stage = s.room.view_ref().stage.clone().unwrap();
    assert_eq!((stage.phase, stage.since_ms), (2, since));
    assert_eq!(stage.deadline_ms, since + 6 * 60_000);
    let turn = stage.presenter.unwrap();
    assert_eq!(turn.since_ms, turn_since);
    assert_eq!(turn.deadline_ms, turn_since + 6 * 60_000, "one speaker now");
    // A run of show without such a phase there stops it.
    edited.phases[2].kind = floor_protocol::PhaseKind::Other;
    s.run(&chair(), Command::SetProgramme { programme: edited })
        .unwrap();
    assert_eq!(s.room.view_ref().stage, None);
    let _ = programme;
}

#[test]
fn a_declared_gender_travels_beside_the_events_never_in_them() {
    use floor_core::Decision;
    use floor_protocol::Gender;
    let mut s = Session::new();
    s.add(&runner(), Channel::Onsite, "Bo Chen");
    let amina = participant("amina", Channel::Onsite);
    let ctx = floor_core::Ctx {
        now_ms: s.now_ms + 1_000,
        new_id: uuid::Uuid::from_u128(77),
    };
    let submit = |gender| Command::Submit {
        entry: floor_protocol::EntryDraft {
            gender,
            ..draft(Channel::Onsite, "Amina Diallo")
        },
    };
    let decide = |gender| s.room.decide(&amina, "p-1", &submit(gender), &ctx).unwrap();
    let (
        Decision::Events {
            events: with,
            declared,
        },
        Decision::Events {
            events: without,
            declared: none,
        },
    ) = (decide(Some(Gender::Woman)), decide(None))
    else {
        panic!("a submit is decided into events");
    };
    // The same events, byte for byte: nothing in them tells a declaration.
    assert_eq!(with, without);
    assert_eq!(
        serde_json::to_string(&with).unwrap(),
        serde_json::to_string(&without).unwrap()
    );
    assert_eq!((declared, none), (Some(Gender::Woman), None));
    let names: Vec<&str> = with.iter().map(|e| e.event.name()).collect();
    assert_eq!(names, ["entry_submitted"]);
    // Executed, the declaration comes back in the outcome, and no view
    // holds it.
    let outcome = s
        .run_as(&amina, "p-1", submit(Some(Gender::Woman)))
        .unwrap();
    assert_eq!(outcome.declared, Some(Gender::Woman));
    let view = serde_json::to_string(s.room.view_ref()).unwrap();
    assert!(
        !view.contains("woman") && !view.contains("gender"),
        "{view}"
    );
    // Retried with the same request id: a duplicate, declaring nothing.
    let again = s
        .run_as(&amina, "p-1", submit(Some(Gender::Woman)))
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.declared, None);
    // Refused: nothing declared either.
    let refused = s.run_as(&amina, "p-2", submit(Some(Gender::Man)));
    assert!(refused.is_err());
}

#[test]
fn a_legacy_declaration_still_folds_and_is_served_redacted() {
    use floor_core::declarations::{Declarations, redacted};
    use floor_protocol::{Event, Gender, RoomEvent};
    let mut s = Session::new();
    let id = s.add(
        &participant("amina", Channel::Onsite),
        Channel::Onsite,
        "Amina Diallo",
    );
    let submitted = s.log[0].clone();
    // A log written before declarations left it.
    let legacy = RoomEvent {
        seq: 2,
        event: Event::GenderDeclared {
            gender: Gender::Woman,
        },
        ..submitted.clone()
    };
    let room = floor_core::Room::replay([&submitted, &legacy]).unwrap();
    assert_eq!(room.seq(), 2);
    // The receipt covers both events, as when the request was acknowledged.
    let receipt = room
        .receipt(&submitted.cause.clone().unwrap().client, "r1")
        .unwrap();
    assert_eq!(
        (receipt.first_seq, receipt.last_seq, receipt.entry_id),
        (1, 2, Some(id))
    );
    assert_eq!(
        Declarations::of_legacy([&submitted, &legacy]).get(Gender::Woman),
        1
    );
    // Served: its place and time, no cause, no gender; a client folds it.
    let served = redacted(&legacy).unwrap();
    assert_eq!(
        (served.seq, served.at_ms, &served.cause),
        (2, legacy.at_ms, &None)
    );
    assert_eq!(served.event, Event::Redacted);
    assert!(redacted(&submitted).is_none());
    let mut view = floor_core::LiveView::new();
    view.apply(&submitted).unwrap();
    view.apply(&served).unwrap();
    assert_eq!(view.view(), room.view_ref());
}

#[test]
fn attendance_keeps_each_channels_peak_and_only_the_broker_records_it() {
    use floor_protocol::Attendance;
    let mut s = Session::new();
    let record = |onsite, online| Command::RecordAttendance {
        connected: Attendance { onsite, online },
    };
    s.run(&chair(), record(40, 10)).unwrap();
    s.run(&chair(), record(25, 18)).unwrap();
    assert_eq!(
        s.room.view_ref().attendance_peak,
        Some(Attendance {
            onsite: 40,
            online: 18
        })
    );
    for actor in [
        moderator(),
        runner(),
        display(),
        participant("p", Channel::Online),
    ] {
        assert_eq!(code(s.run(&actor, record(1, 1))), ErrorCode::Forbidden);
    }
    assert_eq!(
        code(s.run(&chair(), record(1_000_001, 0))),
        ErrorCode::InvalidField
    );
}

#[test]
fn a_malformed_run_of_show_is_refused_with_the_field() {
    let mut s = Session::new();
    let mut programme = run_of_show();
    programme.phases[1].minutes = 0;
    let error = s
        .run(&chair(), Command::SetProgramme { programme })
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidField);
    assert_eq!(error.field(), Some("programme.phases[1].minutes"));
    let mut programme = run_of_show();
    programme.phases[0].title = "  ".into();
    let error = s
        .run(&chair(), Command::SetProgramme { programme })
        .unwrap_err();
    assert_eq!(error.field(), Some("programme.phases[0].title"));
    assert_eq!(
        code(s.run(
            &chair(),
            Command::SetProgramme {
                programme: floor_protocol::Programme {
                    chair: None,
                    online_moderator: None,
                    rapporteur: None,
                    time_zone: None,
                    phases: vec![]
                }
            }
        )),
        ErrorCode::InvalidField
    );
    assert!(s.log.is_empty());
}

#[test]
fn an_open_floor_collects_requests_first_then_alternates_from_the_channel_it_names() {
    use floor_protocol::{Phase, PhaseKind, Programme};
    let mut s = Session::new();
    s.run(
        &chair(),
        Command::SetProgramme {
            programme: Programme {
                chair: None,
                online_moderator: None,
                rapporteur: None,
                time_zone: None,
                phases: vec![Phase {
                    title: "Open floor".into(),
                    kind: PhaseKind::OpenFloor,
                    minutes: 40,
                    speakers: vec![],
                    minutes_each: None,
                }],
            },
        },
    )
    .unwrap();
    // The floor opens at t0 with the default 30 s intake window.
    s.run(&chair(), Command::StartPhase { phase: 0 }).unwrap();
    let t0 = s.now_ms;
    let stage = s.room.view_ref().stage.clone().unwrap();
    assert_eq!(stage.intake_until_ms, Some(t0 + 30_000));
    // `run` advances the clock by 1 s before each command.
    let at = |s: &mut Session, second: u64| s.now_ms = t0 + (second - 1) * 1000;
    for (second, name) in (1..=5).zip(["Room 1", "Room 2", "Room 3", "Room 4", "Room 5"]) {
        at(&mut s, second);
        s.hand(name);
    }
    at(&mut s, 10);
    assert_eq!(
        code(s.run(&chair(), Command::next())),
        ErrorCode::InvalidTransition,
        "no one is called while the floor collects requests"
    );
    for (second, name) in (20..=25).zip([
        "Remote 1", "Remote 2", "Remote 3", "Remote 4", "Remote 5", "Remote 6",
    ]) {
        at(&mut s, second);
        s.remote(name);
    }
    at(&mut s, 31);
    let called: Vec<String> = (0..6).map(|_| s.next_name()).collect();
    assert_eq!(
        called,
        [
            "Remote 1", "Room 1", "Remote 2", "Room 2", "Remote 3", "Room 3"
        ],
        "alternating from online (the default opens_with), not all of the room first"
    );

    // With the window off and the room named first, the room starts.
    let mut s = Session::new();
    s.run(
        &chair(),
        Command::UpdateSettings {
            patch: SettingsPatch {
                intake_window_s: Some(0),
                opens_with: Some(Channel::Onsite),
                ..SettingsPatch::default()
            },
        },
    )
    .unwrap();
    s.run(
        &chair(),
        Command::SetProgramme {
            programme: Programme {
                chair: None,
                online_moderator: None,
                rapporteur: None,
                time_zone: None,
                phases: vec![Phase {
                    title: "Open floor".into(),
                    kind: PhaseKind::OpenFloor,
                    minutes: 40,
                    speakers: vec![],
                    minutes_each: None,
                }],
            },
        },
    )
    .unwrap();
    s.run(&chair(), Command::StartPhase { phase: 0 }).unwrap();
    assert_eq!(
        s.room.view_ref().stage.clone().unwrap().intake_until_ms,
        None
    );
    s.remote("Remote 1");
    s.hand("Room 1");
    assert_eq!(s.next_name(), "Room 1");
    assert_eq!(
        code(s.run(
            &chair(),
            Command::UpdateSettings {
                patch: SettingsPatch {
                    intake_window_s: Some(601),
                    ..SettingsPatch::default()
                }
            }
        )),
        ErrorCode::InvalidField
    );
}

#[test]
fn the_forecast_says_how_many_waiting_requests_fit_and_the_chair_closes_the_queue() {
    use floor_core::forecast::forecast;
    use floor_protocol::{Phase, PhaseKind, Programme};
    let mut s = Session::new();
    s.settings(SettingsPatch {
        intake_window_s: Some(0),
        ..SettingsPatch::default()
    });
    s.run(
        &chair(),
        Command::SetProgramme {
            programme: Programme {
                chair: None,
                online_moderator: None,
                rapporteur: None,
                time_zone: None,
                phases: vec![Phase {
                    title: "Open floor".into(),
                    kind: PhaseKind::OpenFloor,
                    minutes: 10,
                    speakers: vec![],
                    minutes_each: None,
                }],
            },
        },
    )
    .unwrap();
    s.run(&chair(), Command::StartPhase { phase: 0 }).unwrap();
    let t0 = s.now_ms;
    // Before any turn: the speaking limit (120 s) per turn; 10 minutes fit 5.
    for i in 0..8 {
        s.hand(&format!("Room {i}"));
    }
    let f = forecast(s.room.view_ref(), t0).unwrap();
    assert_eq!((f.per_turn_ms, f.time_left_ms), (120_000, 600_000));
    assert_eq!((f.waiting, f.fit, f.will_not_fit), (8, 5, 3));

    // Two turns of 60 s and 180 s: 120 s on average. `run` moves the clock
    // 1 s per command, so set it just before.
    s.now_ms = t0 + 9_000;
    s.run(&chair(), Command::next()).unwrap(); // at t0 + 10 s
    s.now_ms = t0 + 69_000;
    s.run(&chair(), Command::next()).unwrap(); // at t0 + 70 s: 60 s turn
    s.now_ms = t0 + 249_000;
    s.run(&chair(), Command::finish()).unwrap(); // at t0 + 250 s: 180 s turn
    let now = t0 + 250_000;
    let f = forecast(s.room.view_ref(), now).unwrap();
    assert_eq!(f.per_turn_ms, 120_000);
    assert_eq!(f.time_left_ms, 350_000);
    // 350 s / 120 s = 2 of the 6 waiting fit.
    assert_eq!((f.waiting, f.fit, f.will_not_fit), (6, 2, 4));

    // A speaker 30 s into a turn is expected to take 90 s more.
    s.now_ms = now - 1_000;
    s.run(&chair(), Command::next()).unwrap();
    let f = forecast(s.room.view_ref(), now + 30_000).unwrap();
    // (320 s left - 90 s) / 120 s = 1 of the 5 waiting.
    assert_eq!((f.waiting, f.fit, f.will_not_fit), (5, 1, 4));

    // The chair closes the queue: no more requests, those waiting stay.
    s.run(&chair(), Command::CloseQueue {}).unwrap();
    assert!(!s.room.queue_open());
    assert_eq!(
        code(s.run(
            &runner(),
            Command::Submit {
                entry: draft(Channel::Onsite, "Late")
            }
        )),
        ErrorCode::QueueClosed
    );
    assert_eq!(
        forecast(s.room.view_ref(), now + 30_000).unwrap().waiting,
        5
    );
    // Outside an open floor there is no forecast.
    assert_eq!(forecast(&floor_core::Room::new().view(), now), None);
}

#[test]
fn the_online_moderator_counts_the_remote_audience() {
    let mut s = Session::new();
    s.run(&moderator(), Command::SetRemoteAudience { count: 84 })
        .unwrap();
    assert_eq!(s.room.view_ref().remote_audience, Some(84));
    for actor in [runner(), display(), participant("p", Channel::Online)] {
        assert_eq!(
            code(s.run(&actor, Command::SetRemoteAudience { count: 1 })),
            ErrorCode::Forbidden
        );
    }
    assert_eq!(
        code(s.run(
            &moderator(),
            Command::SetRemoteAudience { count: 1_000_001 }
        )),
        ErrorCode::InvalidField
    );
    assert_eq!(s.room.view_ref().remote_audience, Some(84));
}

fn cap(cap: u32) -> SettingsPatch {
    SettingsPatch {
        max_open_entries: Some(cap),
        ..Default::default()
    }
}

#[test]
fn a_full_room_refuses_submissions_from_every_role_and_changes_nothing() {
    let mut s = Session::new();
    assert_eq!(s.room.settings().max_open_entries, 500);
    s.settings(cap(3));
    s.hand("Room 1");
    s.remote("Remote 1");
    s.add(&participant("p1", Channel::Online), Channel::Online, "Pat");
    let before = s.room.clone();
    for (actor, channel) in [
        (chair(), Channel::Onsite),
        (runner(), Channel::Onsite),
        (moderator(), Channel::Online),
        (participant("p2", Channel::Online), Channel::Online),
    ] {
        let refused = s.run(
            &actor,
            Command::Submit {
                entry: draft(channel, "One too many"),
            },
        );
        assert_eq!(code(refused), ErrorCode::RoomFull);
    }
    assert_eq!(s.room, before, "a refusal changes nothing");
    // Calling keeps the speaker open; finishing frees a place.
    s.next();
    assert_eq!(
        code(s.clone_run(
            runner(),
            Command::Submit {
                entry: draft(Channel::Onsite, "Room 2")
            }
        )),
        ErrorCode::RoomFull
    );
    s.run(&chair(), Command::finish()).unwrap();
    s.hand("Room 2");
    // Withdrawing frees a place too.
    let waiting = s.room.projected_order()[0].entry_id;
    s.run(&chair(), Command::Withdraw { entry_id: waiting })
        .unwrap();
    s.hand("Room 3");
    assert_eq!(s.room.open_count(), 3);
}

#[test]
fn approving_a_pending_request_keeps_the_count() {
    let mut s = Session::new();
    s.settings(SettingsPatch {
        moderated: Some(true),
        max_open_entries: Some(2),
        ..Default::default()
    });
    let pending = s.add(&participant("p1", Channel::Online), Channel::Online, "Pat");
    s.hand("Room 1");
    // A pending entry holds its place: the room is full.
    assert_eq!(
        code(s.clone_run(
            runner(),
            Command::Submit {
                entry: draft(Channel::Onsite, "Room 2")
            }
        )),
        ErrorCode::RoomFull
    );
    s.run(&moderator(), Command::Approve { entry_id: pending })
        .unwrap();
    assert_eq!(s.room.open_count(), 2);
}

#[test]
fn the_cap_is_bounded_and_never_below_the_open_entries() {
    let mut s = Session::new();
    for bad in [0, 10_001] {
        let refused = s.run(&chair(), Command::UpdateSettings { patch: cap(bad) });
        assert_eq!(code(refused), ErrorCode::InvalidField);
    }
    s.hand("Room 1");
    s.hand("Room 2");
    let below = s.run(&chair(), Command::UpdateSettings { patch: cap(1) });
    match below {
        Err(CommandError::InvalidField { field, .. }) => {
            assert_eq!(field, "patch.max_open_entries");
        }
        other => panic!("expected invalid_field, got {other:?}"),
    }
    s.settings(cap(2));
    s.settings(cap(10_000));
    assert_eq!(s.room.settings().max_open_entries, 10_000);
}

#[test]
fn a_raised_cap_lets_the_next_submission_in() {
    let mut s = Session::new();
    s.settings(cap(1));
    s.hand("Room 1");
    assert_eq!(
        code(s.clone_run(
            runner(),
            Command::Submit {
                entry: draft(Channel::Onsite, "Room 2")
            }
        )),
        ErrorCode::RoomFull
    );
    s.settings(cap(2));
    s.hand("Room 2");
    // The cap is part of the log: a replay gives the same room.
    assert_eq!(floor_core::Room::replay(&s.log).unwrap(), s.room);
}
