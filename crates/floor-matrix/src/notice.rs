//! What the bridge tells a person in the Matrix room: where their request
//! stands, read from the room's state as floor holds it.
//!
//! A [`Standing`] is the request's situation (what a person needs to
//! know, and nothing more); [`Standing::text`] says it in a sentence, in
//! the bridge's language (Fluent files `bridge.ftl` of floor-files). The
//! status message in the person's thread shows the latest standing; a
//! call and the end of a turn are also posted as new messages, so that
//! the person is notified.

use std::sync::OnceLock;

use floor_client::RoomState;
use floor_files::Lang;
use floor_files::report_lang::{FluentValue, Texts};
use floor_protocol::limits::ORDER_SLOTS_MAX;
use floor_protocol::{EntryStatus, OrderReason};
use uuid::Uuid;

use crate::said::HAND_REACTION;

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

    /// The standing in a sentence of `lang`, for the status message.
    pub fn text(&self, lang: Lang) -> String {
        let t = texts(lang);
        match self {
            Standing::Sending => t.word("standing-sending"),
            Standing::Pending => t.word("standing-pending"),
            Standing::InLine { place, reason } => {
                let place = match place {
                    Some(1) => t.word("place-next"),
                    Some(n) => t.text("place-number", &[("place", count(*n))]),
                    None => t.text("place-beyond", &[("shown", count(ORDER_SLOTS_MAX))]),
                };
                match reason.and_then(reason_id) {
                    Some(why) => t.text(
                        "in-line-why",
                        &[("place", place.into()), ("why", t.word(why).into())],
                    ),
                    None => t.text("in-line", &[("place", place.into())]),
                }
            }
            Standing::Speaking => t.word("standing-speaking"),
            Standing::Done => t.word("standing-done"),
            Standing::Withdrawn => t.word("standing-withdrawn"),
            Standing::Rejected(None) => t.word("standing-rejected"),
            Standing::Rejected(Some(reason)) => t.text(
                "standing-rejected-why",
                &[("reason", t.user(reason).into())],
            ),
            Standing::Merged => t.word("standing-merged"),
            Standing::Refused(why) => t.text("standing-refused", &[("why", t.user(why).into())]),
        }
    }
}

/// The bridge's messages in `lang`, read once.
fn texts(lang: Lang) -> &'static Texts {
    static ALL: OnceLock<[Texts; 6]> = OnceLock::new();
    let all = ALL.get_or_init(|| Lang::ALL.map(Texts::bridge));
    match lang {
        Lang::Ar => &all[0],
        Lang::Zh => &all[1],
        Lang::En => &all[2],
        Lang::Fr => &all[3],
        Lang::Ru => &all[4],
        Lang::Es => &all[5],
    }
}

/// A count as a message argument (plurals select on it).
fn count(n: usize) -> FluentValue<'static> {
    FluentValue::from(n)
}

/// The message saying why a request stands where it does; `None` when
/// the reason says nothing a person needs.
fn reason_id(reason: OrderReason) -> Option<&'static str> {
    match reason {
        OrderReason::Pinned => Some("reason-pinned"),
        OrderReason::ChannelTurn => Some("reason-channel-turn"),
        OrderReason::OnlyChannelWaiting => Some("reason-only-online"),
        OrderReason::FirstTimeSpeaker => Some("reason-first-time"),
        OrderReason::ArrivalOrder => None,
    }
}

/// The message that calls a person, in `lang`: it mentions them, so
/// that they are notified.
pub fn called(name: &str, lang: Lang) -> String {
    let t = texts(lang);
    t.text("called", &[("name", t.user(name).into())])
}

/// The answer to a second hand while one is up, in `lang`.
pub fn already_up(standing: &Standing, lang: Lang) -> String {
    let text = standing.text(lang);
    let standing = text.trim_start_matches(HAND_REACTION).trim_start();
    texts(lang).text("already-up", &[("standing", standing.into())])
}

/// The answer to `!lower` with no hand up, in `lang`.
pub fn nothing_to_lower(lang: Lang) -> String {
    texts(lang).word("nothing-to-lower")
}

/// The answer, in `lang`, to a person who sends commands faster than the
/// bridge takes them.
pub fn slow_down(lang: Lang) -> String {
    texts(lang).word("slow-down")
}

/// The body of the pinned message people react to, in `lang`.
pub fn pinned(lang: Lang) -> String {
    texts(lang).text("pinned", &[("hand", HAND_REACTION.into())])
}

/// What a question says, in `lang`, to be read aloud (lower case).
pub fn read_aloud(lang: Lang) -> String {
    texts(lang).word("read-aloud").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every standing a person can be told of.
    fn standings() -> Vec<Standing> {
        let mut all = vec![
            Standing::Sending,
            Standing::Pending,
            Standing::Speaking,
            Standing::Done,
            Standing::Withdrawn,
            Standing::Rejected(None),
            Standing::Rejected(Some("Asked already".into())),
            Standing::Merged,
            Standing::Refused("rate_limited".into()),
        ];
        for place in [Some(1), Some(2), Some(3), Some(11), Some(21), None] {
            for reason in [
                None,
                Some(OrderReason::ChannelTurn),
                Some(OrderReason::Pinned),
            ] {
                all.push(Standing::InLine { place, reason });
            }
        }
        all
    }

    #[test]
    fn every_standing_is_said_in_every_language_with_nothing_left_unfilled() {
        for lang in Lang::ALL {
            for standing in standings() {
                let text = standing.text(lang);
                assert!(
                    !text.is_empty() && !text.contains('{'),
                    "{lang} {standing:?}: {text}"
                );
                let again = already_up(&standing, lang);
                assert!(!again.contains('{'), "{lang}: {again}");
            }
            for text in [
                called("Amina", lang),
                nothing_to_lower(lang),
                slow_down(lang),
                pinned(lang),
                read_aloud(lang),
            ] {
                assert!(!text.is_empty() && !text.contains('{'), "{lang}: {text}");
            }
            assert!(pinned(lang).contains("!hand") && pinned(lang).contains("!lower"));
        }
    }

    #[test]
    fn english_reads_as_before_and_the_others_in_their_language() {
        let second = Standing::InLine {
            place: Some(2),
            reason: Some(OrderReason::ChannelTurn),
        };
        assert_eq!(
            second.text(Lang::En),
            "✋ You are number 2 in line (online and in the room take turns)."
        );
        assert_eq!(
            already_up(&second, Lang::En),
            "You already have your hand up; this one is the same request. You are number 2 in line (online and in the room take turns). Type !lower to lower it."
        );
        assert_eq!(
            second.text(Lang::Zh),
            "✋ 您排在第2位（现场与线上轮流发言）。"
        );
        assert_eq!(
            second.text(Lang::Fr),
            "✋ Vous êtes n°\u{a0}2 dans la file d'attente (la salle et les participants en ligne prennent la parole à tour de rôle)."
        );
        // A name is isolated from the sentence around it, so that an
        // Arabic name cannot reorder an English sentence.
        assert_eq!(
            called("أمينة", Lang::En),
            "🎙 \u{2068}أمينة\u{2069}, it is your turn: unmute now and speak."
        );
        // Russian and Arabic say "after the first 50" in their plural.
        let beyond = Standing::InLine {
            place: None,
            reason: None,
        };
        assert!(beyond.text(Lang::Ru).contains("первых 50 мест"));
        assert!(beyond.text(Lang::Ar).contains("أول 50 طلبًا"));
    }
}
