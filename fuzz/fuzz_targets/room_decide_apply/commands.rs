//! From what a step asks to the command it sends, with entry numbers
//! resolved against the room as it is.

use floor_core::Room;
use floor_protocol::{Attendance, Command, EntryDraft, EntryPatch, Kind, SettingsPatch};
use uuid::Uuid;

use crate::session::{Ask, Ch, PolicyPick};
use crate::values::{delivery, gender, group, name, region, text};

fn entry_at(room: &Room, n: u8) -> Uuid {
    let entries = room.entries();
    if entries.is_empty() || n == u8::MAX {
        Uuid::from_u128(0xdead_0000 + u128::from(n))
    } else {
        entries[usize::from(n) % entries.len()].id
    }
}

pub(crate) fn command_for(room: &Room, ask: &Ask) -> Command {
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
            relayed,
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
                source: relayed.then_some(floor_protocol::Source::Matrix),
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
