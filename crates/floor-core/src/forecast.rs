//! The time budget of an open floor: how many of the waiting requests fit
//! in the time the run of show has left.
//!
//! A turn is expected to last as long as the finished turns of the room
//! did on average, or, before any turn has finished, the speaking limit.
//! The current speaker is expected to use what is left of an average
//! turn (nothing, once past it). The requests that fit are the first ones
//! of the projected order; the others "will not fit".

use floor_protocol::{EntryStatus, PhaseKind, RoomView};
use serde::Serialize;

/// The forecast at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Forecast {
    /// The expected length of a turn, in milliseconds.
    pub per_turn_ms: u64,
    /// The running phase's planned time left, in milliseconds (0 once
    /// over).
    pub time_left_ms: u64,
    /// Requests waiting now.
    pub waiting: usize,
    /// How many of them fit in the time left.
    pub fit: usize,
    /// How many will not fit.
    pub will_not_fit: usize,
}

/// The forecast of the running phase at broker time `now_ms`: `None`
/// unless an open floor is running.
pub fn forecast(view: &RoomView, now_ms: u64) -> Option<Forecast> {
    let stage = view.stage.as_ref()?;
    let phase = view
        .programme
        .as_ref()?
        .phases
        .get(usize::try_from(stage.phase).ok()?)?;
    if phase.kind != PhaseKind::OpenFloor {
        return None;
    }
    let turns: Vec<u64> = view.entries.iter().filter_map(|e| e.spoke_ms).collect();
    let per_turn_ms = match u64::try_from(turns.len()) {
        Ok(count) if count > 0 => (turns.iter().sum::<u64>() / count).max(1),
        _ => u64::from(view.settings.speaking_limit_s) * 1000,
    };
    let time_left_ms = stage.deadline_ms.saturating_sub(now_ms);
    let speaker_left = view.speaking.as_ref().map_or(0, |s| {
        per_turn_ms.saturating_sub(now_ms.saturating_sub(s.since_ms))
    });
    let available = time_left_ms.saturating_sub(speaker_left);
    let waiting = view
        .entries
        .iter()
        .filter(|e| e.status == EntryStatus::Waiting)
        .count();
    let fit = usize::try_from(available / per_turn_ms)
        .unwrap_or(usize::MAX)
        .min(waiting);
    Some(Forecast {
        per_turn_ms,
        time_left_ms,
        waiting,
        fit,
        will_not_fit: waiting - fit,
    })
}
