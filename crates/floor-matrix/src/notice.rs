//! What the bridge tells a person in the Matrix room: where their request
//! stands, read from the room's state as floor holds it.
//!
//! A [`Standing`] is the request's situation (what a person needs to
//! know, and nothing more); [`Standing::text`] says it in a sentence. The
//! status message in the person's thread shows the latest standing; a
//! call and the end of a turn are also posted as new messages, so that
//! the person is notified.

use floor_client::RoomState;
use floor_protocol::{EntryStatus, OrderReason};
use uuid::Uuid;

/// Where a request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Sent; floor has not acknowledged it yet.
    Sending,
    /// Waiting for the online moderator's approval.
    Pending,
    /// In line: its place (1 = next), and why it stands there.
    InLine {
        /// 1-based place in the projected order, if within its first 50.
        place: Option<usize>,
        /// The order's first reason for it.
        reason: Option<OrderReason>,
    },
    /// Speaking now.
    Speaking,
    /// The turn is over.
    Done,
    /// Withdrawn (lowered by the person, or by staff).
    Withdrawn,
    /// Turned down by the moderator, with the reason given.
    Rejected(Option<String>),
    /// Merged into another request on the same point.
    Merged,
    /// Refused by floor before it entered the queue.
    Refused(String),
}

impl Standing {
    /// The standing of entry `id` in `state`; `None` if floor does not
    /// hold it (yet).
    pub fn of(state: &RoomState, id: Uuid) -> Option<Standing> {
        let entry = state.entry(id)?;
        Some(match entry.status {
            EntryStatus::Pending => Standing::Pending,
            EntryStatus::Waiting => {
                let slot = state.order().iter().position(|s| s.entry_id == id);
                Standing::InLine {
                    place: slot.map(|i| i + 1),
                    reason: slot.and_then(|i| state.order()[i].reasons.first().copied()),
                }
            }
            EntryStatus::Speaking => Standing::Speaking,
            EntryStatus::Done => Standing::Done,
            EntryStatus::Withdrawn => Standing::Withdrawn,
            EntryStatus::Rejected => Standing::Rejected(entry.reject_reason.clone()),
            EntryStatus::Merged => Standing::Merged,
        })
    }

    /// Whether the request is over: nothing will change it any more.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Standing::Done
                | Standing::Withdrawn
                | Standing::Rejected(_)
                | Standing::Merged
                | Standing::Refused(_)
        )
    }

    /// Whether the request is still open (a hand up).
    pub fn is_open(&self) -> bool {
        matches!(
            self,
            Standing::Sending | Standing::Pending | Standing::InLine { .. } | Standing::Speaking
        )
    }

    /// The standing in a sentence, for the status message.
    pub fn text(&self) -> String {
        match self {
            Standing::Sending => "✋ Your hand is up; floor is taking it.".to_owned(),
            Standing::Pending => {
                "✋ Your hand is up. The online moderator will approve it shortly.".to_owned()
            }
            Standing::InLine { place, reason } => {
                let place = match place {
                    Some(1) => "You are next in line".to_owned(),
                    Some(n) => format!("You are number {n} in line"),
                    None => "You are in line, after the first 50".to_owned(),
                };
                match reason.and_then(reason_text) {
                    Some(why) => format!("✋ {place} ({why})."),
                    None => format!("✋ {place}."),
                }
            }
            Standing::Speaking => "🎙 It is your turn now: unmute and speak.".to_owned(),
            Standing::Done => "Your turn has ended. Thank you.".to_owned(),
            Standing::Withdrawn => "Your hand is lowered.".to_owned(),
            Standing::Rejected(None) => {
                "The online moderator did not take this request.".to_owned()
            }
            Standing::Rejected(Some(reason)) => {
                format!("The online moderator did not take this request: {reason}")
            }
            Standing::Merged => {
                "Your request was joined to another on the same point; it will be heard with it."
                    .to_owned()
            }
            Standing::Refused(why) => format!("Your hand could not be raised: {why}"),
        }
    }
}

/// Why a request stands where it does, in words; `None` when the reason
/// says nothing a person needs.
fn reason_text(reason: OrderReason) -> Option<&'static str> {
    match reason {
        OrderReason::Pinned => Some("the chair moved you up"),
        OrderReason::ChannelTurn => Some("online and in the room take turns"),
        OrderReason::OnlyChannelWaiting => Some("only online requests are waiting"),
        OrderReason::FirstTimeSpeaker => Some("people who have not spoken yet go first"),
        OrderReason::ArrivalOrder => None,
    }
}

/// The message that calls a person: it mentions them, so that they are
/// notified.
pub fn called(name: &str) -> String {
    format!("🎙 {name}, it is your turn: unmute now and speak.")
}

/// The answer to a second hand while one is up.
pub fn already_up(standing: &Standing) -> String {
    format!(
        "You already have your hand up; this one is the same request. {} Type !lower to lower it.",
        standing.text().trim_start_matches("✋ ")
    )
}

/// The answer to `!lower` with no hand up.
pub const NOTHING_TO_LOWER: &str = "You have no hand up.";

/// The answer to a person who sends commands faster than the bridge takes
/// them.
pub const SLOW_DOWN: &str =
    "Too many commands at once: the bridge ignores yours for a minute. Your hand, if up, stays up.";

/// The body of the pinned message people react to.
pub fn pinned() -> String {
    format!(
        "{HAND} React with {HAND} to this message to raise your hand, or type !hand with your \
         question. Remove the reaction, or type !lower, to lower it. Add \"read aloud\" to a \
         question to have the online moderator read it out.",
        HAND = crate::said::HAND_REACTION
    )
}
