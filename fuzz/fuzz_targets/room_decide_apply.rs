//! A session as a sequence of up to 64 steps, each an actor (of every
//! role), a command (every command the protocol has, with awkward names,
//! texts and numbers among the ordinary ones), a request id (fresh, reused
//! or invalid) and a tick of the clock, driven through `Room::execute`.
//! After every step: a refused command changed nothing, a duplicate
//! answered the original receipt, the fold of the log is the room, every
//! event round-trips through JSON, a client's `LiveView` folded from the
//! events is the room's view, and the room's structural invariants hold.
//! At the end the whole log replays to the room, and a client that joined
//! midway from a JSON snapshot holds the room's view.

#![no_main]

use std::collections::HashMap;

use arbitrary::Arbitrary;
use floor_core::{Actor, Ctx, LiveView, Room};
use floor_fuzz::{Checked, actor, after_step, execute_checked};
use floor_protocol::{
    Attendance, Channel, ClientKey, Command, Delivery, EntryDraft, EntryPatch, Gender, Kind,
    Person, Phase, PhaseKind, Policy, Programme, Region, Role, RoomEvent, RoomView, SettingsPatch,
    StakeholderGroup,
};
use libfuzzer_sys::fuzz_target;
use uuid::Uuid;

const MAX_STEPS: usize = 64;

/// Names, the first ten ordinary, then the awkward: the same person spelt
/// differently, the limits of length, blanks, controls, combining marks.
const NAMES: [&str; 20] = [
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
    "  roberto   BISSIO ",
    "Ana Silva\u{301}",
    "Ana Silv\u{e1}",
    "",
    "   ",
    "\u{0}\u{7}",
    "\u{200b}\u{200d}\u{202e}",
    "\u{1f399}\u{fe0f} \u{645}\u{62d}\u{645}\u{62f}",
    // 80 characters, the limit.
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    // 81 characters, one over.
    "\u{e9}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];

/// Free texts for the optional fields.
const TEXTS: [&str; 8] = [
    "How will this affect small farmers?",
    "",
    "  ",
    "en",
    "pt-BR",
    "x-Klingon-not-a-tag",
    "Room 1, microphone 4",
    "\u{feff}line\nbreak\ttab",
];

fn name(n: u8) -> String {
    NAMES[usize::from(n) % NAMES.len()].to_owned()
}

fn text(n: u8) -> String {
    let base = TEXTS[usize::from(n) % TEXTS.len()];
    // Lengths past every limit, now and then.
    match n / 64 {
        3 => base.repeat(50) + &"z".repeat(1001),
        _ => base.to_owned(),
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Ch {
    Onsite,
    Online,
}

impl Ch {
    fn channel(self) -> Channel {
        match self {
            Ch::Onsite => Channel::Onsite,
            Ch::Online => Channel::Online,
        }
    }
}

/// Who issues a step: the five roles; participants by number (four
/// clients) with the channel they declared, if any.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Who {
    Chair,
    Moderator,
    Runner,
    Participant(u8, Option<Ch>),
    Display,
}

impl Who {
    fn actor(self) -> Actor {
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
enum PolicyPick {
    Alternate,
    Fifo,
    /// Weights 0 and above the limit of 100 included.
    Weighted(u8, u8),
}

impl PolicyPick {
    fn policy(self) -> Policy {
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
struct SettingsPick {
    policy: Option<PolicyPick>,
    first_time_first: Option<bool>,
    moderated: Option<bool>,
    one_entry_per_person: Option<bool>,
    /// Seconds; 0 and past the limit of 3600 included.
    speaking_limit_s: Option<u16>,
    /// Seconds; past the limit of 600 included.
    intake_window_s: Option<u16>,
    opens_with: Option<Ch>,
    /// A cap on open entries; 0 and past the limit of 10,000 included.
    max_open_entries: Option<u16>,
}

#[derive(Arbitrary, Debug, Clone)]
struct PersonPick {
    name: u8,
    affiliation: Option<u8>,
    group: Option<u8>,
    region: Option<u8>,
    person_id: Option<u8>,
}

impl PersonPick {
    fn person(&self) -> Person {
        Person {
            name: name(self.name),
            affiliation: self.affiliation.map(text),
            stakeholder_group: self.group.map(group),
            region: self.region.map(region),
            person_id: self.person_id.map(|n| format!("id-{}", n % 8)),
        }
    }
}

fn group(n: u8) -> StakeholderGroup {
    let all = [
        StakeholderGroup::Government,
        StakeholderGroup::CivilSociety,
        StakeholderGroup::PrivateSector,
        StakeholderGroup::TechnicalCommunity,
        StakeholderGroup::Intergovernmental,
        StakeholderGroup::Academia,
        StakeholderGroup::Other,
    ];
    all[usize::from(n) % all.len()]
}

fn region(n: u8) -> Region {
    let all = [
        Region::African,
        Region::AsiaPacific,
        Region::EasternEuropean,
        Region::Grulac,
        Region::Weog,
        Region::Other,
    ];
    all[usize::from(n) % all.len()]
}

fn delivery(n: u8) -> Delivery {
    let all = [
        Delivery::RoomMic,
        Delivery::RemoteAudio,
        Delivery::ReadAloud,
    ];
    all[usize::from(n) % all.len()]
}

fn gender(n: u8) -> Gender {
    let all = [
        Gender::Woman,
        Gender::Man,
        Gender::NonBinary,
        Gender::Another,
    ];
    all[usize::from(n) % all.len()]
}

#[derive(Arbitrary, Debug, Clone)]
struct PhasePick {
    title: u8,
    kind: u8,
    /// Minutes; 0 and past the limit of 600 included.
    minutes: u16,
    /// How many presenters (from the names, in order).
    speakers: u8,
    minutes_each: Option<u8>,
}

#[derive(Arbitrary, Debug, Clone)]
struct ProgrammePick {
    chair: Option<u8>,
    online_moderator: Option<u8>,
    rapporteur: Option<u8>,
    phases: Vec<PhasePick>,
}

impl ProgrammePick {
    fn programme(&self) -> Programme {
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
enum Ask {
    Submit {
        channel: Ch,
        person: PersonPick,
        comment: bool,
        text: Option<u8>,
        location: Option<u8>,
        language: Option<u8>,
        delivery: Option<u8>,
        gender: Option<u8>,
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
enum RequestId {
    Fresh,
    /// The id of an earlier request of the same client, with this command.
    Reuse(u16),
    /// An id the core must refuse: empty, or past 64 characters.
    Invalid(bool),
}

/// How the clock moves before a step.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Tick {
    Second,
    Still,
    Millis(u16),
    Minutes(u8),
}

#[derive(Arbitrary, Debug, Clone)]
struct Step {
    who: Who,
    ask: Ask,
    request_id: RequestId,
    tick: Tick,
}

#[derive(Arbitrary, Debug)]
struct Session {
    steps: Vec<Step>,
    /// After which step a client joins from a snapshot.
    join_at: u8,
}

fn entry_at(room: &Room, n: u8) -> Uuid {
    let entries = room.entries();
    if entries.is_empty() || n == u8::MAX {
        Uuid::from_u128(0xdead_0000 + u128::from(n))
    } else {
        entries[usize::from(n) % entries.len()].id
    }
}

fn command_for(room: &Room, ask: &Ask) -> Command {
    let id = |n: u8| entry_at(room, n);
    match ask {
        Ask::Submit {
            channel,
            person,
            comment,
            text: body,
            location,
            language,
            delivery: how,
            gender: who,
        } => Command::Submit {
            entry: EntryDraft {
                channel: channel.channel(),
                kind: if *comment {
                    Kind::Comment
                } else {
                    Kind::Question
                },
                person: person.person(),
                text: body.map(text),
                location: location.map(text),
                language: language.map(text),
                delivery: how.map(delivery),
                gender: who.map(gender),
            },
        },
        Ask::Edit {
            entry,
            comment,
            name: new_name,
            affiliation,
            text: body,
            location,
            language,
            group: new_group,
            region: new_region,
            delivery: how,
        } => Command::Edit {
            entry_id: id(*entry),
            patch: EntryPatch {
                kind: comment.map(|c| if c { Kind::Comment } else { Kind::Question }),
                name: new_name.map(name),
                affiliation: affiliation.map(|a| a.map(text)),
                stakeholder_group: new_group.map(|g| g.map(group)),
                region: new_region.map(|r| r.map(region)),
                text: body.map(|t| t.map(text)),
                location: location.map(|l| l.map(text)),
                language: language.map(|l| l.map(text)),
                delivery: how.map(delivery),
            },
        },
        Ask::Approve(n) => Command::Approve { entry_id: id(*n) },
        Ask::Reject(n, reason) => Command::Reject {
            entry_id: id(*n),
            reason: reason.map(text),
        },
        Ask::Merge(a, b) => Command::Merge {
            entry_id: id(*a),
            into: id(*b),
        },
        Ask::Withdraw(n) => Command::Withdraw { entry_id: id(*n) },
        Ask::MicInHand(n) => Command::MicInHand { entry_id: id(*n) },
        Ask::Next => Command::next(),
        Ask::NextSeen(n) => Command::Next {
            expect_speaking: Some(n.map(|n| id(n))),
        },
        Ask::Undo(n) => Command::UndoCall {
            expect_speaking: n.map(|n| n.map(|n| id(n))),
        },
        Ask::Call(n) => Command::call(id(*n)),
        Ask::Pin(n) => Command::Pin { entry_id: id(*n) },
        Ask::Unpin(n) => Command::Unpin { entry_id: id(*n) },
        Ask::Finish => Command::finish(),
        Ask::Settings(s) => Command::UpdateSettings {
            patch: SettingsPatch {
                policy: s.policy.map(PolicyPick::policy),
                first_time_first: s.first_time_first,
                moderated: s.moderated,
                speaking_limit_s: s.speaking_limit_s.map(u32::from),
                one_entry_per_person: s.one_entry_per_person,
                intake_window_s: s.intake_window_s.map(u32::from),
                opens_with: s.opens_with.map(Ch::channel),
                max_open_entries: s.max_open_entries.map(u32::from),
            },
        },
        Ask::Queue(true) => Command::OpenQueue {},
        Ask::Queue(false) => Command::CloseQueue {},
        Ask::Programme(p) => Command::SetProgramme {
            programme: p.programme(),
        },
        Ask::StartPhase(n) => Command::StartPhase {
            phase: u32::from(*n),
        },
        Ask::NextPresenter => Command::NextPresenter {},
        Ask::Audience(count) => Command::SetRemoteAudience { count: *count },
        Ask::Attendance(onsite, online) => Command::RecordAttendance {
            connected: Attendance {
                onsite: *onsite,
                online: *online,
            },
        },
        Ask::Repeat(_) => unreachable!("repeats are resolved before"),
    }
}

/// A request as issued.
struct Issued {
    who: Who,
    request_id: String,
    command: Command,
}

fuzz_target!(|session: Session| {
    let mut room = Room::new();
    let mut shadow = Room::new();
    let mut live = LiveView::new();
    let mut log: Vec<RoomEvent> = Vec::new();
    let mut issued: Vec<Issued> = Vec::new();
    // Receipts of requests that took effect, by (client, request id).
    let mut receipts: HashMap<(ClientKey, String), floor_core::Receipt> = HashMap::new();
    let mut snapshot: Option<(RoomView, usize)> = None;
    let mut now_ms: u64 = 1_543_233_600_000;
    let mut fresh: u64 = 0;

    for (k, step) in session.steps.iter().take(MAX_STEPS).enumerate() {
        now_ms += match step.tick {
            Tick::Second => 1_000,
            Tick::Still => 0,
            Tick::Millis(ms) => u64::from(ms),
            Tick::Minutes(m) => u64::from(m) * 60_000,
        };
        let (who, request_id, command) = match &step.ask {
            Ask::Repeat(n) if !issued.is_empty() => {
                let earlier = &issued[usize::from(*n) % issued.len()];
                (
                    earlier.who,
                    earlier.request_id.clone(),
                    earlier.command.clone(),
                )
            }
            Ask::Repeat(_) => continue,
            ask => {
                let command = command_for(&room, ask);
                let client = step.who.actor().client;
                let request_id = match step.request_id {
                    RequestId::Reuse(n) => {
                        let own: Vec<&Issued> = issued
                            .iter()
                            .filter(|i| i.who.actor().client == client)
                            .collect();
                        if own.is_empty() {
                            fresh += 1;
                            format!("r{fresh}")
                        } else {
                            own[usize::from(n) % own.len()].request_id.clone()
                        }
                    }
                    RequestId::Invalid(true) => String::new(),
                    RequestId::Invalid(false) => "r".repeat(65),
                    RequestId::Fresh => {
                        fresh += 1;
                        format!("r{fresh}")
                    }
                };
                (step.who, request_id, command)
            }
        };
        let actor = who.actor();
        let ctx = Ctx {
            now_ms,
            new_id: Uuid::from_u128(0x1000 + k as u128),
        };
        let key = (actor.client.clone(), request_id.clone());
        let checked = execute_checked(
            &mut room,
            &mut shadow,
            &mut live,
            &actor,
            &request_id,
            &command,
            &ctx,
        );
        match &checked {
            Checked::Refused(_) => {
                assert!(
                    !receipts.contains_key(&key),
                    "a repeat of a request that took effect was refused"
                );
            }
            Checked::Duplicate(outcome) => {
                assert_eq!(
                    receipts.get(&key),
                    Some(&outcome.receipt),
                    "a duplicate answered another receipt than the original"
                );
            }
            Checked::Applied(outcome) => {
                assert!(!receipts.contains_key(&key), "a request took effect twice");
                assert_ne!(actor.role, Role::Display, "a display changed the room");
                receipts.insert(key, outcome.receipt);
                log.extend(outcome.events.iter().cloned());
            }
        }
        after_step(&room, &shadow, &live);
        assert_eq!(
            room.seq(),
            log.len() as u64,
            "the room's seq is not its log's length"
        );
        if !matches!(step.ask, Ask::Repeat(_)) {
            issued.push(Issued {
                who,
                request_id,
                command,
            });
        }
        if k == usize::from(session.join_at) {
            snapshot = Some((room.view(), log.len()));
        }
    }

    let replayed = Room::replay(&log).expect("the log replays");
    assert_eq!(replayed, room, "the replayed log differs from the room");

    // A client joins from a snapshot, as it travels, and folds the rest.
    if let Some((view, at)) = snapshot {
        let json = serde_json::to_string(&view).expect("a view serializes");
        let wire: RoomView = serde_json::from_str(&json).expect("a view decodes");
        assert_eq!(wire, view, "a view changed through JSON");
        let mut client = LiveView::from_snapshot(wire);
        for event in &log[at..] {
            client
                .apply(event)
                .expect("a client folds the events after its snapshot");
        }
        assert_eq!(
            client.view(),
            room.view_ref(),
            "a joining client's view differs"
        );
        // A repeat is refused and changes nothing.
        if let Some(last) = log.last() {
            let before = client.clone();
            assert!(
                client.apply(last).is_err(),
                "a client folded an event twice"
            );
            assert_eq!(client, before, "a refused event changed a client's view");
        }
    }
});
