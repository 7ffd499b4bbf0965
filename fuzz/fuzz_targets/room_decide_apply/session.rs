//! The fuzzer's input: a session of steps, each an actor, what it asks,
//! a request id and a tick of the clock, decoded from libFuzzer's bytes by
//! `arbitrary`.

use arbitrary::Arbitrary;
use floor_core::Actor;
use floor_fuzz::actor;
use floor_protocol::{Channel, Person, Phase, PhaseKind, Policy, Programme, Role};

use crate::values::{NAMES, group, name, region, text};

#[derive(Arbitrary, Debug, Clone, Copy)]
pub(crate) enum Ch {
    Onsite,
    Online,
}

impl Ch {
    pub(crate) fn channel(self) -> Channel {
        match self {
            Ch::Onsite => Channel::Onsite,
            Ch::Online => Channel::Online,
        }
    }
}

/// Who issues a step: the five roles; participants by number (four
/// clients) with the channel they declared, if any.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub(crate) enum Who {
    Chair,
    Moderator,
    Runner,
    Participant(u8, Option<Ch>),
    Display,
}

impl Who {
    pub(crate) fn actor(self) -> Actor {
        match self {
            Who::Chair => actor(Role::Chair, "chair", None),
            Who::Moderator => actor(Role::Moderator, "moderator", None),
            Who::Runner => actor(Role::Runner, "runner", None),
            Who::Participant(n, channel) => actor(
                Role::Participant,
                &format!("p{}", n % 4),
                channel.map(Ch::channel),
            ),
            Who::Display => actor(Role::Display, "display", None),
        }
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub(crate) enum PolicyPick {
    Alternate,
    Fifo,
    /// Weights 0 and above the limit of 100 included.
    Weighted(u8, u8),
}

impl PolicyPick {
    pub(crate) fn policy(self) -> Policy {
        match self {
            PolicyPick::Alternate => Policy::Alternate {},
            PolicyPick::Fifo => Policy::Fifo {},
            PolicyPick::Weighted(onsite, online) => Policy::Weighted {
                onsite: u32::from(onsite),
                online: u32::from(online),
            },
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub(crate) struct SettingsPick {
    pub(crate) policy: Option<PolicyPick>,
    pub(crate) first_time_first: Option<bool>,
    pub(crate) moderated: Option<bool>,
    pub(crate) one_entry_per_person: Option<bool>,
    /// Seconds; 0 and past the limit of 3600 included.
    pub(crate) speaking_limit_s: Option<u16>,
    /// Seconds; past the limit of 600 included.
    pub(crate) intake_window_s: Option<u16>,
    pub(crate) opens_with: Option<Ch>,
    /// A cap on open entries; 0 and past the limit of 10,000 included.
    pub(crate) max_open_entries: Option<u16>,
}

#[derive(Arbitrary, Debug, Clone)]
pub(crate) struct PersonPick {
    pub(crate) name: u8,
    pub(crate) affiliation: Option<u8>,
    pub(crate) group: Option<u8>,
    pub(crate) region: Option<u8>,
    pub(crate) person_id: Option<u8>,
}

impl PersonPick {
    pub(crate) fn person(&self) -> Person {
        Person {
            name: name(self.name),
            affiliation: self.affiliation.map(text),
            stakeholder_group: self.group.map(group),
            region: self.region.map(region),
            person_id: self.person_id.map(|n| format!("id-{}", n % 8)),
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub(crate) struct PhasePick {
    pub(crate) title: u8,
    pub(crate) kind: u8,
    /// Minutes; 0 and past the limit of 600 included.
    pub(crate) minutes: u16,
    /// How many presenters (from the names, in order).
    pub(crate) speakers: u8,
    pub(crate) minutes_each: Option<u8>,
}

#[derive(Arbitrary, Debug, Clone)]
pub(crate) struct ProgrammePick {
    pub(crate) chair: Option<u8>,
    pub(crate) online_moderator: Option<u8>,
    pub(crate) rapporteur: Option<u8>,
    pub(crate) phases: Vec<PhasePick>,
}

impl ProgrammePick {
    pub(crate) fn programme(&self) -> Programme {
        let kinds = [
            PhaseKind::Opening,
            PhaseKind::Presentations,
            PhaseKind::OpenFloor,
            PhaseKind::Closing,
            PhaseKind::Other,
        ];
        Programme {
            chair: self.chair.map(|n| Person::named(name(n))),
            online_moderator: self.online_moderator.map(|n| Person::named(name(n))),
            rapporteur: self.rapporteur.map(|n| Person::named(name(n))),
            time_zone: None,
            // Up to 24 phases: past the limit of 20.
            phases: self
                .phases
                .iter()
                .take(24)
                .map(|p| Phase {
                    title: match p.title % 4 {
                        0 => String::new(),
                        1 => "Open floor".to_owned(),
                        2 => "x".repeat(81),
                        _ => name(p.title),
                    },
                    kind: kinds[usize::from(p.kind) % kinds.len()],
                    minutes: u32::from(p.minutes),
                    speakers: (0..usize::from(p.speakers % 24))
                        .map(|i| Person::named(NAMES[i % NAMES.len()]))
                        .collect(),
                    minutes_each: p.minutes_each.map(u32::from),
                })
                .collect(),
        }
    }
}

/// What a step asks. Entry numbers pick one of the room's entries (modulo
/// their number); 255 names an entry that does not exist.
#[derive(Arbitrary, Debug, Clone)]
pub(crate) enum Ask {
    Submit {
        channel: Ch,
        person: PersonPick,
        comment: bool,
        text: Option<u8>,
        location: Option<u8>,
        language: Option<u8>,
        delivery: Option<u8>,
        gender: Option<u8>,
        /// Relayed from a Matrix room (`source`), as the bridge sends it.
        relayed: bool,
    },
    Edit {
        entry: u8,
        comment: Option<bool>,
        name: Option<u8>,
        affiliation: Option<Option<u8>>,
        text: Option<Option<u8>>,
        location: Option<Option<u8>>,
        language: Option<Option<u8>>,
        group: Option<Option<u8>>,
        region: Option<Option<u8>>,
        delivery: Option<u8>,
    },
    Approve(u8),
    Reject(u8, Option<u8>),
    Merge(u8, u8),
    Withdraw(u8),
    MicInHand(u8),
    Next,
    Call(u8),
    Pin(u8),
    Unpin(u8),
    Finish,
    /// `next` expecting an entry (or nobody) speaking.
    NextSeen(Option<u8>),
    /// `undo_call`, unchecked, expecting nobody, or an entry.
    Undo(Option<Option<u8>>),
    Settings(SettingsPick),
    Queue(bool),
    Programme(ProgrammePick),
    StartPhase(u8),
    NextPresenter,
    Audience(u32),
    Attendance(u32, u32),
    /// Repeat an earlier request: same actor, request id and command.
    Repeat(u16),
}

/// The request id a step carries.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub(crate) enum RequestId {
    Fresh,
    /// The id of an earlier request of the same client, with this command.
    Reuse(u16),
    /// An id the core must refuse: empty, or past 64 characters.
    Invalid(bool),
}

/// How the clock moves before a step.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub(crate) enum Tick {
    Second,
    Still,
    Millis(u16),
    Minutes(u8),
}

#[derive(Arbitrary, Debug, Clone)]
pub(crate) struct Step {
    pub(crate) who: Who,
    pub(crate) ask: Ask,
    pub(crate) request_id: RequestId,
    pub(crate) tick: Tick,
}

#[derive(Arbitrary, Debug)]
pub(crate) struct Session {
    pub(crate) steps: Vec<Step>,
    /// After which step a client joins from a snapshot.
    pub(crate) join_at: u8,
}
