//! `undo_call`: what the room remembers of its most recent call so that
//! the chair can reverse it exactly, and the decision that reverses it.
//!
//! A call (`next` or `call`, a pin's call included) may end the previous
//! speaker's turn and calls one entry. Reversing it must give back the
//! room's queue state before the call: the called entry waits again (its
//! place is its submission order, which never changed), the previous
//! speaker speaks again with their original start and deadline, the pin
//! the call consumed is back at its place, and the rotation's credits and
//! last choice are as before; the turns per channel lose the call's turn
//! and who has been called follows from the entries
//! ([`crate::Room::has_spoken`]). The [`LastCall`] holds what the entries
//! alone do not: the previous turn's times, the pin's place and the
//! rotation before the call. The `call_undone` event carries all of it, so
//! a client folds it without any history.
//!
//! Only the most recent call can be undone, once, and only while its entry
//! is still speaking. A phase start or a change of policy also ends the
//! chance to undo: both reset the rotation, which an undo would otherwise
//! silently overwrite.

use floor_protocol::{Channel, Event, RoomEvent, RoomView, Rotation, Speaking};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The room's most recent call, as long as it can be undone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastCall {
    /// The entry called, speaking now.
    pub entry_id: Uuid,
    /// Its channel.
    pub channel: Channel,
    /// The turn the call ended, with its original times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Speaking>,
    /// The entry's place among the pins, when the call took it from them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_index: Option<u32>,
    /// The rotation before the call.
    pub rotation: Rotation,
}

impl LastCall {
    /// The event that reverses this call.
    pub fn undone(&self) -> Event {
        Event::CallUndone {
            entry_id: self.entry_id,
            channel: self.channel,
            resumed: self.previous.clone(),
            pin_index: self.pin_index,
            rotation: self.rotation,
        }
    }
}

/// A turn ended by an event, kept for the call that may follow it in the
/// same command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Ended {
    seq: u64,
    cause: Option<floor_protocol::Cause>,
    turn: Speaking,
}

/// Follows the events for [`LastCall`]; part of a room's checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UndoTracker {
    /// The call that can be undone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last: Option<LastCall>,
    /// The turn the event before ended, for a call in the same command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ended: Option<Ended>,
}

impl UndoTracker {
    /// The call that can be undone.
    pub fn last(&self) -> Option<&LastCall> {
        self.last.as_ref()
    }

    /// The tracker after `event`, given the view before it; `None` when the
    /// event leaves it as it is. Computed before the view folds the event
    /// and kept only if the fold succeeds.
    pub(crate) fn after(&self, event: &RoomEvent, view: &RoomView) -> Option<UndoTracker> {
        match &event.event {
            Event::SpeakerFinished { entry_id, .. } => Some(UndoTracker {
                last: self.last.clone().filter(|l| l.entry_id != *entry_id),
                ended: view
                    .speaking
                    .clone()
                    .filter(|s| s.entry_id == *entry_id)
                    .map(|turn| Ended {
                        seq: event.seq,
                        cause: event.cause.clone(),
                        turn,
                    }),
            }),
            Event::SpeakerCalled {
                entry_id, channel, ..
            } => {
                let previous = self
                    .ended
                    .as_ref()
                    .filter(|e| e.seq + 1 == event.seq && e.cause == event.cause)
                    .map(|e| e.turn.clone());
                let pin_index = view
                    .pins
                    .iter()
                    .position(|p| p == entry_id)
                    .and_then(|i| u32::try_from(i).ok());
                Some(UndoTracker {
                    last: Some(LastCall {
                        entry_id: *entry_id,
                        channel: *channel,
                        previous,
                        pin_index,
                        rotation: view.rotation,
                    }),
                    ended: None,
                })
            }
            Event::CallUndone { .. } | Event::PhaseStarted { .. } => Some(UndoTracker::default()),
            Event::SettingsChanged { settings } if settings.policy != view.settings.policy => {
                Some(UndoTracker::default())
            }
            _ => self.ended.is_some().then(|| UndoTracker {
                last: self.last.clone(),
                ended: None,
            }),
        }
    }
}
