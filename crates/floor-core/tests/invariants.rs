//! The room's invariants, held by property tests over random sequences of
//! commands from every role. Each invariant has its own named test; all of
//! them run the same generated sessions through [`simulate`].

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;

use floor_core::{CommandError, Room};
use floor_protocol::event::CallVia;
use floor_protocol::{
    Channel, Command, EntryStatus, ErrorCode, Event, Policy, ProjectedSlot, Role, RoomEvent,
    SettingsPatch,
};
use proptest::prelude::*;
use support::sessions::*;
use support::*;
use uuid::Uuid;

/// One call, with what the room looked like just before it.
#[derive(Debug, Clone)]
struct Call {
    entry_id: Uuid,
    channel: Channel,
    via: CallVia,
    policy: Policy,
    first_time_first: bool,
    /// The room just before the command that made the call.
    before: Room,
    /// The projected order just before.
    order_before: Vec<ProjectedSlot>,
    /// Whether the call came from `next` (rather than `call`).
    by_next: bool,
    /// How many phases had started before it: a phase that opens the floor
    /// gives the rotation a fresh start, so the fairness of calls is
    /// judged between starts.
    phase_starts: usize,
}

/// A request as issued: for repeats and for the permission oracle.
#[derive(Debug, Clone)]
struct Issued {
    who: Who,
    request_id: String,
    command: Command,
    result: Result<floor_core::Receipt, ErrorCode>,
}

/// Everything observed while running a session.
#[derive(Debug, Default)]
struct Trace {
    calls: Vec<Call>,
    issued: Vec<Issued>,
    /// Entry ids from acknowledged, non-duplicate submits.
    acked_entries: Vec<Uuid>,
    /// Phases started so far.
    phase_starts: usize,
    failures: Vec<String>,
    session: Session,
}

impl Trace {
    fn fail(&mut self, message: String) {
        self.failures.push(message);
    }
}

/// The permission oracle, written from the role list and
/// independent of the core's table: `None` when it cannot tell (the
/// entry does not exist).
fn may(room: &Room, who: Who, command: &Command) -> Option<bool> {
    let channel_of = |id: &Uuid| room.entry(*id).map(|e| e.channel);
    let owner_is = |id: &Uuid, who: Who| {
        room.entry(*id)
            .map(|e| e.provenance.client == who.actor().client)
    };
    let curator_channel = match who {
        Who::Moderator => Some(Channel::Online),
        Who::Runner => Some(Channel::Onsite),
        _ => None,
    };
    Some(match (who, command) {
        (Who::Display, _) => false,
        (Who::Chair, _) => true,
        (Who::Participant(_, declared), Command::Submit { entry }) => entry.channel == declared,
        (Who::Participant(..), Command::Withdraw { entry_id }) => owner_is(entry_id, who)?,
        (Who::Participant(..), _) => false,
        (_, Command::Submit { entry }) => Some(entry.channel) == curator_channel,
        (_, Command::Edit { entry_id, .. })
        | (_, Command::Approve { entry_id })
        | (_, Command::Reject { entry_id, .. })
        | (_, Command::Withdraw { entry_id }) => channel_of(entry_id)? == curator_channel?,
        (_, Command::Merge { entry_id, into }) => {
            channel_of(entry_id)? == curator_channel? && channel_of(into)? == curator_channel?
        }
        (Who::Runner, Command::MicInHand { entry_id }) => channel_of(entry_id)? == Channel::Onsite,
        (Who::Moderator, Command::SetRemoteAudience { .. }) => true,
        _ => false,
    })
}

/// Runs a session, checking per-step invariants as it goes.
fn simulate(steps: &[Step]) -> Trace {
    let mut trace = Trace::default();
    for step in steps {
        let before = trace.session.room.clone();
        let order_before = before.projected_order();
        let room = &before;
        let mut repeat_of = None;
        let (who, request_id, command, original) = match &step.ask {
            Ask::Repeat(k) if !trace.issued.is_empty() => {
                let k = k % trace.issued.len();
                repeat_of = Some(k);
                let issued = trace.issued[k].clone();
                (
                    issued.who,
                    issued.request_id,
                    issued.command,
                    Some(issued.result),
                )
            }
            Ask::Repeat(_) => continue,
            ask => (
                step.who,
                trace.session.fresh_request_id(),
                command_for(&before, ask),
                None,
            ),
        };
        let expected = may(room, who, &command);
        let speaker_before = before.speaking().map(|s| s.entry_id);
        let result = trace
            .session
            .run_as(&who.actor(), &request_id, command.clone());
        // The bound: never more open entries than the cap, and a submit
        // refused `room_full` only when the room was full.
        let (open, cap) = open_and_cap(&trace.session.room);
        if open > cap {
            trace.fail(format!(
                "{open} open entries over a cap of {cap} after {command:?}"
            ));
        }
        if matches!(&result, Err(e) if e.code() == ErrorCode::RoomFull) {
            let (open, cap) = open_and_cap(&before);
            if open < cap {
                trace.fail(format!("room_full with {open} of {cap} open"));
            }
        }
        // What the issuer saw: a command expecting another speaker than the
        // room's is refused `speaker_changed`, and only such a command.
        let changed = matches!(&result, Err(e) if e.code() == ErrorCode::SpeakerChanged);
        let stale = command
            .expect_speaking()
            .is_some_and(|e| e != speaker_before);
        let first = original.is_none() && !matches!(&result, Ok(o) if o.duplicate);
        let allowed = !matches!(&result, Err(e) if e.code() == ErrorCode::Forbidden);
        if first && allowed && stale != changed {
            trace.fail(format!(
                "{command:?} with {speaker_before:?} speaking answered {result:?}"
            ));
        }
        let room = &trace.session.room;

        match &result {
            Err(error) => {
                if *room != before {
                    trace.fail(format!("refused {command:?} changed the room: {error}"));
                }
            }
            Ok(outcome) if outcome.duplicate => {
                if *room != before {
                    trace.fail(format!("duplicate {request_id} changed the room"));
                }
                match &original {
                    Some(Ok(receipt)) if *receipt == outcome.receipt => {}
                    other => trace.fail(format!(
                        "duplicate {request_id} answered {:?}, first {other:?}",
                        outcome.receipt
                    )),
                }
            }
            Ok(outcome) => {
                match (&original, repeat_of) {
                    (Some(Ok(_)), _) => {
                        trace.fail(format!("repeat of successful {request_id} acted again"))
                    }
                    // A refused request is decided afresh when repeated;
                    // from now on its result is this one.
                    (Some(Err(_)), Some(k)) => trace.issued[k].result = Ok(outcome.receipt),
                    _ => {}
                }
                if matches!(command, Command::Submit { .. }) {
                    trace.acked_entries.extend(outcome.receipt.entry_id);
                }
                for event in &outcome.events {
                    if let Event::PhaseStarted { .. } = &event.event {
                        trace.phase_starts += 1;
                    }
                    if let Event::CallUndone { entry_id, .. } = &event.event {
                        // An undone call never happened, for the policy.
                        match trace.calls.pop() {
                            Some(call) if call.entry_id == *entry_id => {}
                            other => trace.fail(format!("undid {entry_id}, last call {other:?}")),
                        }
                    }
                    if let Event::SpeakerCalled {
                        entry_id,
                        channel,
                        via,
                        ..
                    } = &event.event
                    {
                        trace.calls.push(Call {
                            entry_id: *entry_id,
                            channel: *channel,
                            via: *via,
                            policy: before.settings().policy,
                            first_time_first: before.settings().first_time_first,
                            before: before.clone(),
                            order_before: order_before.clone(),
                            by_next: matches!(command, Command::Next { .. }),
                            phase_starts: trace.phase_starts,
                        });
                    }
                }
            }
        }

        // Permissions: the oracle and the core agree on who may act.
        if original.is_none() {
            let forbidden = matches!(
                &result,
                Err(e) if matches!(e.code(), ErrorCode::Forbidden | ErrorCode::ChannelMismatch)
            );
            match expected {
                Some(false) if !forbidden => {
                    trace.fail(format!("{who:?} was allowed {command:?}: {result:?}"))
                }
                Some(true) if forbidden => {
                    trace.fail(format!("{who:?} was refused {command:?}: {result:?}"))
                }
                _ => {}
            }
        }
        if original.is_none() {
            trace.issued.push(Issued {
                who,
                request_id,
                command,
                result: result
                    .map(|o| o.receipt)
                    .map_err(|e: CommandError| e.code()),
            });
        }
    }
    trace
}

/// How many entries a room holds open, and its cap.
fn open_and_cap(room: &Room) -> (usize, usize) {
    let cap = usize::try_from(room.settings().max_open_entries).unwrap();
    (room.open_count(), cap)
}

fn check(trace: Trace) -> Result<(), TestCaseError> {
    prop_assert!(trace.failures.is_empty(), "{:#?}", trace.failures);
    Ok(())
}

fn waiting_unpinned(room: &Room, channel: Channel) -> bool {
    room.entries().iter().any(|e| {
        e.channel == channel && e.status == EntryStatus::Waiting && !room.pins().contains(&e.id)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    /// Under `alternate`, `next` never calls the same channel twice in a
    /// row while the other channel had an eligible entry at that call
    /// (pins and explicit calls excepted, and calls on either side of a
    /// phase start: an open floor starts the rotation afresh).
    #[test]
    fn alternate_never_calls_a_channel_twice_while_the_other_waits(steps in steps()) {
        let trace = simulate(&steps);
        for pair in trace.calls.windows(2) {
            let (first, second) = (&pair[0], &pair[1]);
            let rotation = |c: &Call| c.via == CallVia::Rotation && c.policy == Policy::Alternate {};
            let same_start = first.phase_starts == second.phase_starts;
            if rotation(first) && rotation(second) && same_start && first.channel == second.channel {
                prop_assert!(
                    !waiting_unpinned(&second.before, second.channel.other()),
                    "{:?} called twice while {:?} waited", second.channel, second.channel.other()
                );
            }
        }
        check(trace)?;
    }

    /// Under `weighted` a:b, over any run of calls during which both
    /// channels stay backlogged, the calls per channel stay within 1 of the
    /// a:b proportion.
    #[test]
    fn weighted_calls_stay_within_one_of_the_proportion(steps in steps()) {
        let trace = simulate(&steps);
        // Maximal runs of consecutive contested rotation calls under one
        // weighted policy.
        let mut runs: Vec<Vec<&Call>> = Vec::new();
        let mut previous: Option<&Call> = None;
        for call in &trace.calls {
            let contested = call.via == CallVia::Rotation
                && matches!(call.policy, Policy::Weighted { .. })
                && Channel::ALL.iter().all(|&c| waiting_unpinned(&call.before, c));
            let continues = contested
                && previous.is_some_and(|p| {
                    p.policy == call.policy
                        && p.before.settings().policy == call.before.settings().policy
                        && p.phase_starts == call.phase_starts
                })
                && runs.last().is_some_and(|r| !r.is_empty());
            match (contested, continues) {
                (true, true) => runs.last_mut().unwrap().push(call),
                (true, false) => runs.push(vec![call]),
                (false, _) => runs.push(Vec::new()),
            }
            previous = contested.then_some(call);
        }
        for run in runs.iter().filter(|r| !r.is_empty()) {
            let Policy::Weighted { onsite: a, online: b } = run[0].policy else { unreachable!() };
            let (a, b) = (i64::from(a), i64::from(b));
            for start in 0..run.len() {
                let mut onsite = 0i64;
                for (n, call) in run[start..].iter().enumerate() {
                    onsite += i64::from(call.channel == Channel::Onsite);
                    let n = n as i64 + 1;
                    // |onsite - n*a/(a+b)| <= 1, in integers.
                    prop_assert!(
                        (onsite * (a + b) - n * a).abs() <= a + b,
                        "{onsite} onsite of {n} calls under {a}:{b}: {:?}",
                        run.iter().map(|c| c.channel).collect::<Vec<_>>()
                    );
                }
            }
        }
        check(trace)?;
    }

    /// Within a channel and priority class, calls follow submission order.
    #[test]
    fn calls_follow_submission_order_within_channel_and_class(steps in steps()) {
        let trace = simulate(&steps);
        for call in trace.calls.iter().filter(|c| matches!(c.via, CallVia::Rotation | CallVia::Fifo)) {
            let room = &call.before;
            let called = room.entry(call.entry_id).unwrap();
            let first_time = |id: Uuid| !room.has_spoken(room.person_key(id).unwrap());
            for other in room.entries() {
                if other.status != EntryStatus::Waiting || room.pins().contains(&other.id) || other.id == called.id {
                    continue;
                }
                if call.via == CallVia::Fifo {
                    prop_assert!(other.seq > called.seq, "fifo skipped an earlier entry");
                    continue;
                }
                if other.channel != called.channel {
                    continue;
                }
                if call.first_time_first && first_time(other.id) != first_time(called.id) {
                    prop_assert!(first_time(called.id), "a repeat speaker went before a first-time one");
                    continue;
                }
                prop_assert!(other.seq > called.seq, "an earlier entry of the same class was passed");
            }
        }
        check(trace)?;
    }

    /// The head of the projected order is exactly what `next` calls.
    #[test]
    fn the_head_of_the_projected_order_is_what_next_calls(steps in steps()) {
        let trace = simulate(&steps);
        for call in trace.calls.iter().filter(|c| c.by_next) {
            prop_assert_eq!(call.order_before.first().map(|s| s.entry_id), Some(call.entry_id));
        }
        // And the projected order lists every waiting entry exactly once.
        let room = &trace.session.room;
        let order: Vec<Uuid> = room.projected_order().iter().map(|s| s.entry_id).collect();
        let unique: HashSet<_> = order.iter().collect();
        let waiting = room.entries().iter().filter(|e| e.status == EntryStatus::Waiting).count();
        prop_assert_eq!(unique.len(), order.len());
        prop_assert_eq!(order.len(), waiting);
        // What the wire carries is the same order, cut: every head is a
        // prefix of the whole.
        let full = room.projected_order();
        for limit in [0, 1, 2, 5, full.len(), full.len() + 1] {
            let head = floor_core::fairness::projected_head(room, limit);
            prop_assert_eq!(&head[..], &full[..limit.min(full.len())]);
        }
        check(trace)?;
    }

    /// No entry is lost or duplicated; every entry is in exactly one
    /// status, consistent with the room's speaker and pins.
    #[test]
    fn no_entry_is_lost_or_duplicated(steps in steps()) {
        let trace = simulate(&steps);
        let room = &trace.session.room;
        let ids: Vec<Uuid> = room.entries().iter().map(|e| e.id).collect();
        prop_assert_eq!(&ids, &trace.acked_entries, "the room holds exactly the acknowledged entries, in order");
        prop_assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
        let speaking: Vec<Uuid> = room.entries().iter().filter(|e| e.status == EntryStatus::Speaking).map(|e| e.id).collect();
        prop_assert_eq!(speaking, room.speaking().map(|s| s.entry_id).into_iter().collect::<Vec<_>>());
        for pin in room.pins() {
            prop_assert_eq!(room.entry(*pin).map(|e| e.status), Some(EntryStatus::Waiting));
        }
        prop_assert_eq!(room.pins().iter().collect::<HashSet<_>>().len(), room.pins().len());
        for entry in room.entries() {
            prop_assert_eq!(entry.merged_into.is_some(), entry.status == EntryStatus::Merged);
        }
        check(trace)?;
    }

    /// Open entries never exceed the room's cap, and `room_full` comes only
    /// from a full room (checked at every step inside `simulate`).
    #[test]
    fn open_entries_never_exceed_the_rooms_cap(steps in steps()) {
        let trace = simulate(&steps);
        let (open, cap) = open_and_cap(&trace.session.room);
        prop_assert!(open <= cap);
        check(trace)?;
    }

    /// A repeated request id changes nothing and returns the original
    /// result (checked at every repeat inside `simulate`).
    #[test]
    fn a_repeated_request_id_changes_nothing(steps in steps()) {
        let trace = simulate(&steps);
        let repeats = steps.iter().filter(|s| matches!(s.ask, Ask::Repeat(_))).count();
        prop_assume!(repeats > 0);
        check(trace)?;
    }

    /// Folding the event log from empty gives a state equal to the live
    /// state, and events round-trip through JSON unchanged.
    #[test]
    fn the_fold_of_the_log_equals_the_live_room(steps in steps()) {
        let trace = simulate(&steps);
        let log = &trace.session.log;
        let replayed = Room::replay(log).unwrap();
        prop_assert_eq!(&replayed, &trace.session.room);
        for event in log {
            let json = serde_json::to_string(event).unwrap();
            let back: RoomEvent = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, event);
        }
        check(trace)?;
    }

    /// A client that starts from a snapshot taken at any point (as it
    /// travels, through JSON) and folds the events after it holds exactly
    /// the room's view.
    #[test]
    fn a_client_view_from_any_snapshot_equals_the_room(steps in steps(), cut in any::<prop::sample::Index>()) {
        let trace = simulate(&steps);
        let log = &trace.session.log;
        let k = cut.index(log.len() + 1);
        let snapshot = Room::replay(&log[..k]).unwrap().view();
        let wire: floor_protocol::RoomView = serde_json::from_str(&serde_json::to_string(&snapshot).unwrap()).unwrap();
        let mut client = floor_core::LiveView::from_snapshot(wire);
        for event in &log[k..] {
            client.apply(event).unwrap();
        }
        prop_assert_eq!(client.view(), &trace.session.room.view());
        // A gap or a repeat is refused, not folded.
        if let Some(last) = log.last() {
            prop_assert!(client.apply(last).is_err());
        }
        check(trace)?;
    }

    /// A checkpoint taken at any point, stored as JSON and read back, is
    /// the room it was taken of; folding the later events into it gives
    /// the live room, and a repeated request is still recognised.
    #[test]
    fn a_room_from_any_checkpoint_equals_the_fold(steps in steps(), cut in any::<prop::sample::Index>()) {
        let trace = simulate(&steps);
        let log = &trace.session.log;
        let k = cut.index(log.len() + 1);
        let at_cut = Room::replay(&log[..k]).unwrap();
        let stored = serde_json::to_string(&at_cut.checkpoint()).unwrap();
        let checkpoint: floor_core::checkpoint::Checkpoint = serde_json::from_str(&stored).unwrap();
        let mut room = Room::from_checkpoint(checkpoint).unwrap();
        prop_assert_eq!(&room, &at_cut);
        for event in &log[k..] {
            room.apply(event).unwrap();
        }
        prop_assert_eq!(&room, &trace.session.room);
        check(trace)?;
    }

    /// A command a role may not issue is refused with a typed error and
    /// changes nothing (checked at every step inside `simulate` against an
    /// independent oracle).
    #[test]
    fn forbidden_commands_are_refused_and_change_nothing(steps in steps()) {
        let trace = simulate(&steps);
        check(trace)?;
    }
}

#[test]
fn every_role_is_refused_what_it_may_not_do() {
    // The exhaustive counterpart of the property: each role against each
    // command on an entry of each channel.
    for role in Role::ALL {
        for target in Channel::ALL {
            let mut s = Session::new();
            let onsite = s.hand("Room 1");
            let online = s.remote("Remote 1");
            let id = match target {
                Channel::Onsite => onsite,
                Channel::Online => online,
            };
            s.add(&chair(), Channel::Onsite, "Room 2");
            let who = match role {
                Role::Chair => Who::Chair,
                Role::Moderator => Who::Moderator,
                Role::Runner => Who::Runner,
                Role::Participant => Who::Participant(0, target),
                Role::Display => Who::Display,
            };
            for ask in [
                Ask::Submit(target, 8),
                Ask::Edit(0, 9),
                Ask::Approve(0),
                Ask::Reject(0),
                Ask::Withdraw(0),
                Ask::MicInHand(0),
                Ask::Next,
                Ask::Call(0),
                Ask::Pin(0),
                Ask::Unpin(0),
                Ask::Finish,
                Ask::Settings(SettingsPatch {
                    moderated: Some(true),
                    ..Default::default()
                }),
                Ask::Queue(false),
            ] {
                let mut command = command_for(&s.room, &ask);
                retarget(&mut command, id);
                let before = s.room.clone();
                let allowed = may(&s.room, who, &command).unwrap();
                let result = s.clone_run(who.actor(), command.clone());
                let refused = matches!(&result, Err(e) if matches!(e.code(), ErrorCode::Forbidden | ErrorCode::ChannelMismatch));
                assert_eq!(!allowed, refused, "{role:?} {command:?}: {result:?}");
                if refused {
                    assert_eq!(s.room, before);
                }
            }
        }
    }
}

fn retarget(command: &mut Command, id: Uuid) {
    match command {
        Command::Edit { entry_id, .. }
        | Command::Approve { entry_id }
        | Command::Reject { entry_id, .. }
        | Command::Withdraw { entry_id }
        | Command::MicInHand { entry_id }
        | Command::Call { entry_id, .. }
        | Command::Pin { entry_id }
        | Command::Unpin { entry_id } => *entry_id = id,
        _ => {}
    }
}

#[test]
fn a_checkpoint_of_another_build_or_inconsistent_is_refused() {
    use floor_core::checkpoint::CheckpointError;
    let mut s = Session::new();
    s.hand("Ana Silva");
    s.remote("Bo Chen");
    let good = s.room.checkpoint();

    let mut other = good.clone();
    other.format = "floor-core 0.0.0 checkpoint 1".into();
    assert!(matches!(
        Room::from_checkpoint(other),
        Err(CheckpointError::Format(_))
    ));

    let mut short = good.clone();
    short.keys.pop();
    assert!(matches!(
        Room::from_checkpoint(short),
        Err(CheckpointError::Inconsistent(_))
    ));

    let mut ahead = good.clone();
    let seq = ahead.view.seq;
    if let Some(r) = ahead.receipts.first_mut().and_then(|c| c.1.first_mut()) {
        r.2 = seq + 1 - r.1;
    }
    assert!(matches!(
        Room::from_checkpoint(ahead),
        Err(CheckpointError::Inconsistent(_))
    ));

    assert_eq!(Room::from_checkpoint(good).unwrap(), s.room);
}
