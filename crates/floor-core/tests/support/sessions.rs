//! Random sessions for property tests: who issues each step, what it
//! asks, and the command it becomes against the room as it stands.

use floor_core::Room;
use floor_protocol::{
    Channel, Command, EntryPatch, Person, Phase, PhaseKind, Policy, Programme, SettingsPatch,
};
use proptest::prelude::*;
use uuid::Uuid;

use super::*;

/// Who issues a step.
#[derive(Debug, Clone, Copy)]
pub enum Who {
    Chair,
    Moderator,
    Runner,
    Participant(u8, Channel),
    Display,
}

impl Who {
    pub fn actor(self) -> floor_core::Actor {
        match self {
            Who::Chair => chair(),
            Who::Moderator => moderator(),
            Who::Runner => runner(),
            Who::Participant(n, channel) => participant(&format!("p{n}"), channel),
            Who::Display => display(),
        }
    }
}

/// What a step asks; entry numbers index the room's entries (modulo).
#[derive(Debug, Clone)]
pub enum Ask {
    Submit(Channel, u8),
    Edit(usize, u8),
    Approve(usize),
    Reject(usize),
    Merge(usize, usize),
    Withdraw(usize),
    MicInHand(usize),
    Next,
    /// `next` with `expect_speaking`: the speaker, nobody or an entry (see
    /// [`expectation`]).
    NextExpecting(usize),
    /// `undo_call` with an expectation, as for [`Ask::NextExpecting`].
    Undo(usize),
    Call(usize),
    Pin(usize),
    Unpin(usize),
    Finish,
    Settings(SettingsPatch),
    Queue(bool),
    /// Set a run of show of this many phases (0 is refused).
    Programme(u8),
    /// Start a phase (it may not exist).
    Phase(u32),
    /// Next presenter.
    Presenter,
    /// Count the remote audience.
    Audience(u32),
    /// Record attendance (onsite, online).
    Attendance(u32, u32),
    /// Repeat an earlier request, same client and request id.
    Repeat(usize),
}

#[derive(Debug, Clone)]
pub struct Step {
    /// Who.
    pub who: Who,
    /// What.
    pub ask: Ask,
}

pub const PEOPLE: [&str; 10] = [
    "Roberto Bissio",
    "Deborah James",
    "Aileen Kwa",
    "Christopher Foster",
    "Sofia Scasserra",
    "Norbert Bollow",
    "Nandini Chami",
    "Parminder Jeet Singh",
    "Ana Silva",
    "Kwame Mensah",
];

pub fn channel() -> impl Strategy<Value = Channel> {
    prop_oneof![Just(Channel::Onsite), Just(Channel::Online)]
}

pub fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        4 => Just(Who::Chair),
        3 => Just(Who::Moderator),
        3 => Just(Who::Runner),
        2 => (0u8..4, channel()).prop_map(|(n, c)| Who::Participant(n, c)),
        1 => Just(Who::Display),
    ]
}

pub fn policy() -> impl Strategy<Value = Policy> {
    prop_oneof![
        3 => Just(Policy::Alternate {}),
        3 => (1u32..=4, 1u32..=4).prop_map(|(onsite, online)| Policy::Weighted { onsite, online }),
        1 => Just(Policy::Fifo {}),
    ]
}

/// A cap on open entries: mostly none, mostly small enough to bind, now
/// and then out of range.
pub fn max_open_entries() -> impl Strategy<Value = Option<u32>> {
    prop_oneof![
        6 => Just(None),
        3 => (1u32..=8).prop_map(Some),
        1 => prop_oneof![Just(0), Just(10_001), Just(10_000)].prop_map(Some),
    ]
}

pub fn settings() -> impl Strategy<Value = SettingsPatch> {
    (
        proptest::option::of(policy()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        max_open_entries(),
    )
        .prop_map(
            |(policy, first_time_first, moderated, one_entry_per_person, max_open_entries)| {
                SettingsPatch {
                    policy,
                    first_time_first,
                    moderated,
                    one_entry_per_person,
                    speaking_limit_s: None,
                    intake_window_s: None,
                    opens_with: None,
                    max_open_entries,
                }
            },
        )
}

pub fn ask() -> impl Strategy<Value = Ask> {
    let entry = || 0usize..64;
    prop_oneof![
        12 => (channel(), 0u8..10).prop_map(|(c, p)| Ask::Submit(c, p)),
        10 => Just(Ask::Next),
        3 => (0usize..64).prop_map(Ask::NextExpecting),
        3 => (0usize..64).prop_map(Ask::Undo),
        1 => (entry(), 0u8..10).prop_map(|(e, p)| Ask::Edit(e, p)),
        2 => entry().prop_map(Ask::Approve),
        1 => entry().prop_map(Ask::Reject),
        1 => (entry(), entry()).prop_map(|(a, b)| Ask::Merge(a, b)),
        2 => entry().prop_map(Ask::Withdraw),
        1 => entry().prop_map(Ask::MicInHand),
        1 => entry().prop_map(Ask::Call),
        2 => entry().prop_map(Ask::Pin),
        1 => entry().prop_map(Ask::Unpin),
        1 => Just(Ask::Finish),
        2 => settings().prop_map(Ask::Settings),
        1 => any::<bool>().prop_map(Ask::Queue),
        1 => (0u8..4).prop_map(Ask::Programme),
        1 => (0u32..4).prop_map(Ask::Phase),
        1 => Just(Ask::Presenter),
        1 => prop_oneof![0u32..500, Just(1_000_001)].prop_map(Ask::Audience),
        1 => (0u32..500, prop_oneof![0u32..500, Just(1_000_001)])
            .prop_map(|(a, b)| Ask::Attendance(a, b)),
        2 => (0usize..1000).prop_map(Ask::Repeat),
    ]
}

pub fn steps() -> impl Strategy<Value = Vec<Step>> {
    proptest::collection::vec(
        (who(), ask()).prop_map(|(who, ask)| Step { who, ask }),
        1..160,
    )
}

pub fn entry_at(room: &Room, n: usize) -> Uuid {
    let entries = room.entries();
    if entries.is_empty() {
        Uuid::from_u128(u128::MAX - n as u128)
    } else {
        entries[n % entries.len()].id
    }
}

pub fn command_for(room: &Room, ask: &Ask) -> Command {
    let id = |n: &usize| entry_at(room, *n);
    match ask {
        Ask::Submit(channel, person) => Command::Submit {
            entry: floor_protocol::EntryDraft {
                gender: (person % 3 == 0).then_some(floor_protocol::Gender::Woman),
                ..draft(*channel, PEOPLE[*person as usize])
            },
        },
        Ask::Edit(n, person) => Command::Edit {
            entry_id: id(n),
            patch: EntryPatch {
                name: Some(PEOPLE[*person as usize].to_owned()),
                ..Default::default()
            },
        },
        Ask::Approve(n) => Command::Approve { entry_id: id(n) },
        Ask::Reject(n) => Command::Reject {
            entry_id: id(n),
            reason: None,
        },
        Ask::Merge(a, b) => Command::Merge {
            entry_id: id(a),
            into: id(b),
        },
        Ask::Withdraw(n) => Command::Withdraw { entry_id: id(n) },
        Ask::MicInHand(n) => Command::MicInHand { entry_id: id(n) },
        Ask::Next => Command::next(),
        Ask::NextExpecting(n) => Command::Next {
            expect_speaking: Some(expectation(room, *n)),
        },
        Ask::Undo(n) => Command::UndoCall {
            expect_speaking: (n % 4 != 3).then(|| expectation(room, *n)),
        },
        Ask::Call(n) => Command::call(id(n)),
        Ask::Pin(n) => Command::Pin { entry_id: id(n) },
        Ask::Unpin(n) => Command::Unpin { entry_id: id(n) },
        Ask::Finish => Command::finish(),
        Ask::Settings(patch) => Command::UpdateSettings {
            patch: patch.clone(),
        },
        Ask::Queue(true) => Command::OpenQueue {},
        Ask::Queue(false) => Command::CloseQueue {},
        Ask::Programme(phases) => Command::SetProgramme {
            programme: Programme {
                chair: (phases % 2 == 1).then(|| Person::named("Parminder Jeet Singh")),
                online_moderator: None,
                rapporteur: None,
                time_zone: None,
                phases: (0..*phases)
                    .map(|i| Phase {
                        title: format!("Phase {i}"),
                        // Presentations, then an open floor, then closing
                        // remarks: the run of show of a session.
                        kind: [
                            PhaseKind::Presentations,
                            PhaseKind::OpenFloor,
                            PhaseKind::Closing,
                        ][usize::from(i % 3)],
                        minutes: 10,
                        speakers: PEOPLE[..usize::from(i % 3)]
                            .iter()
                            .map(|n| Person::named(*n))
                            .collect(),
                        minutes_each: None,
                    })
                    .collect(),
            },
        },
        Ask::Phase(phase) => Command::StartPhase { phase: *phase },
        Ask::Presenter => Command::NextPresenter {},
        Ask::Audience(count) => Command::SetRemoteAudience { count: *count },
        Ask::Attendance(onsite, online) => Command::RecordAttendance {
            connected: floor_protocol::Attendance {
                onsite: *onsite,
                online: *online,
            },
        },
        Ask::Repeat(_) => unreachable!("repeats are resolved before"),
    }
}

/// An `expect_speaking` for step number `n`: mostly the room's speaker
/// (a chair whose view is current), else nobody or some entry.
pub fn expectation(room: &Room, n: usize) -> Option<Uuid> {
    match n % 5 {
        0 => None,
        1 => Some(entry_at(room, n)),
        _ => room.speaking().map(|s| s.entry_id),
    }
}
