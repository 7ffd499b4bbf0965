//! A room in a few numbers, for the venue dashboard: the phase and the
//! presenter under way, the speaker, the requests waiting per channel,
//! and the warnings that need a person. Pure: the broker adds the screens
//! it counts and whether its store takes writes.

use floor_protocol::conference::{
    OVER_TIME_GRACE_MS, RoomSummary, Screens, SummaryPhase, SummaryPresenter, SummarySpeaker,
    Waiting, Warning,
};
use floor_protocol::vocab::EntryStatus;
use floor_protocol::{Channel, RoomView};

/// The summary of room `id` in the state `view`, with no screen counted
/// and no warning yet (see [`with_context`]).
pub fn summarize(id: &str, view: &RoomView) -> RoomSummary {
    let mut waiting = Waiting::default();
    let mut awaiting_approval = 0u32;
    for entry in &view.entries {
        match (entry.status, entry.channel) {
            (EntryStatus::Waiting, Channel::Onsite) => waiting.onsite += 1,
            (EntryStatus::Waiting, Channel::Online) => waiting.online += 1,
            (EntryStatus::Pending, _) => awaiting_approval += 1,
            _ => {}
        }
    }
    let stage = view.stage.as_ref();
    let phase_of = |index: u32| {
        view.programme
            .as_ref()
            .and_then(|p| p.phases.get(usize::try_from(index).ok()?))
    };
    let phase = stage.and_then(|stage| {
        let phase = phase_of(stage.phase)?;
        Some(SummaryPhase {
            index: stage.phase,
            title: phase.title.clone(),
            kind: phase.kind,
            deadline_ms: stage.deadline_ms,
        })
    });
    let presenter = stage.and_then(|stage| {
        let turn = stage.presenter.as_ref()?;
        let person = phase_of(stage.phase)?
            .speakers
            .get(usize::try_from(turn.index).ok()?)?;
        Some(SummaryPresenter {
            name: person.name.clone(),
            deadline_ms: turn.deadline_ms,
        })
    });
    let speaker = view.speaking.as_ref().and_then(|speaking| {
        let entry = view.entries.iter().find(|e| e.id == speaking.entry_id)?;
        Some(SummarySpeaker {
            name: entry.person.name.clone(),
            channel: entry.channel,
            since_ms: speaking.since_ms,
        })
    });
    RoomSummary {
        room: id.to_owned(),
        seq: view.seq,
        phase,
        presenter,
        speaker,
        waiting,
        awaiting_approval,
        queue_open: view.queue_open,
        screens: Screens::default(),
        warnings: Vec::new(),
    }
}

/// `summary` with the screens connected now and its warnings, given
/// whether the broker's store takes writes.
pub fn with_context(
    mut summary: RoomSummary,
    screens: Screens,
    storage_available: bool,
) -> RoomSummary {
    summary.screens = screens;
    summary.warnings = warnings(&summary, storage_available);
    summary
}

/// What needs a person in the room `summary` describes.
pub fn warnings(summary: &RoomSummary, storage_available: bool) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let waiting = summary.waiting.onsite + summary.waiting.online;
    if !summary.queue_open && waiting > 0 {
        warnings.push(Warning::QueueClosedWithWaiting);
    }
    // The presenter's turn when one is on, else the phase.
    let deadline = summary
        .presenter
        .as_ref()
        .map(|p| p.deadline_ms)
        .or(summary.phase.as_ref().map(|p| p.deadline_ms));
    if let Some(deadline) = deadline {
        warnings.push(Warning::OverTime {
            since_ms: deadline.saturating_add(OVER_TIME_GRACE_MS),
        });
    }
    if summary.screens.moderator == 0
        && (summary.waiting.online > 0 || summary.awaiting_approval > 0)
    {
        warnings.push(Warning::NoModerator);
    }
    if !storage_available {
        warnings.push(Warning::StorageDegraded);
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> RoomSummary {
        summarize("r", crate::Room::new().view_ref())
    }

    #[test]
    fn an_empty_room_needs_nobody() {
        assert!(warnings(&base(), true).is_empty());
        assert_eq!(warnings(&base(), false), vec![Warning::StorageDegraded]);
    }

    #[test]
    fn each_condition_makes_its_warning() {
        let mut closed = base();
        closed.queue_open = false;
        closed.waiting.onsite = 1;
        assert_eq!(
            warnings(&closed, true),
            vec![Warning::QueueClosedWithWaiting]
        );

        let mut online = base();
        online.queue_open = true;
        online.awaiting_approval = 2;
        assert_eq!(warnings(&online, true), vec![Warning::NoModerator]);
        online.screens.moderator = 1;
        assert!(warnings(&online, true).is_empty());

        let mut late = base();
        late.queue_open = true;
        late.phase = Some(SummaryPhase {
            index: 0,
            title: "Presentations".into(),
            kind: floor_protocol::PhaseKind::Presentations,
            deadline_ms: 1_000,
        });
        late.presenter = Some(SummaryPresenter {
            name: "Ana".into(),
            deadline_ms: 500,
        });
        assert_eq!(
            warnings(&late, true),
            vec![Warning::OverTime {
                since_ms: 500 + OVER_TIME_GRACE_MS
            }]
        );
    }
}
