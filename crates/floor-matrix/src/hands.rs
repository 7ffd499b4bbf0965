//! The bridge's own state machine, with no I/O: hands raised in the Matrix
//! room in, floor commands and Matrix messages out.
//!
//! [`Hands`] keeps one [`Hand`] per raising event (a `!hand` message or a
//! ✋ reaction). Each call takes what happened and the room as floor holds
//! it ([`RoomState`]), and returns the [`Action`]s to carry out, in order.
//! The caller carries each out and reports back ([`Hands::submitted`],
//! [`Hands::posted`]); [`Hands::update`] then compares every hand's
//! standing with what its thread shows and says what changed.
//!
//! Every action is named after the Matrix event that caused it: a floor
//! command's request id ([`said::request_id`]) and a Matrix transaction
//! id. Carrying out the same action twice (a bridge restarted before it
//! saved its state) is therefore harmless: floor answers a duplicate
//! acknowledgement, the homeserver returns the event it already sent.

use std::collections::HashMap;

use floor_client::RoomState;
use floor_files::Lang;
use floor_protocol::{Channel, Delivery, EntryDraft, Kind, Person, Source};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::limit::Buckets;
use crate::notice::{self, Standing};
use crate::said;

/// The least time between two edits of a status message for a change of
/// place (a call, and the end of a request, are shown at once).
pub const EDIT_INTERVAL_MS: u64 = 3_000;

/// Closed hands kept (to recognise their events if they come again);
/// older ones are forgotten.
pub const CLOSED_KEPT: usize = 1_000;

/// A hand raised in the Matrix room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hand {
    /// The person's Matrix user id.
    pub user: String,
    /// Their display name when they raised it.
    pub name: String,
    /// The event that raised it: the `!hand` message or the reaction.
    pub raised_by: String,
    /// Whether it was raised by a reaction (lowered by removing it).
    pub reaction: bool,
    /// The thread its messages go to.
    pub thread: String,
    /// The floor entry, once acknowledged.
    pub entry: Option<Uuid>,
    /// The bridge's status message in the thread, once posted.
    pub status_event: Option<String>,
    /// What the status message says now.
    pub shown: Option<String>,
    /// When the status message last changed.
    pub shown_at_ms: u64,
    /// Edits made to the status message (names the next edit).
    pub edits: u32,
    /// Calls announced (a call undone and made again is announced again).
    pub calls: u32,
    /// Whether the last standing seen was "speaking".
    pub speaking: bool,
    /// Whether the request is over and its thread says so.
    pub closed: bool,
    /// Why floor refused it, if it did.
    pub refused: Option<String>,
}

/// A raised hand, as read from the Matrix room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raise {
    /// The raising event's id.
    pub event_id: String,
    /// The sender's user id.
    pub user: String,
    /// The sender's display name (or user id when they have none).
    pub name: String,
    /// The question, if any.
    pub question: Option<String>,
    /// Whether the question is to be read aloud.
    pub read_aloud: bool,
    /// Whether it is a reaction.
    pub reaction: bool,
    /// The thread the answers go to.
    pub thread: String,
}

/// Something for the caller to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send a `submit` to floor; report the answer with
    /// [`Hands::submitted`].
    Submit {
        /// The hand's raising event.
        raised_by: String,
        /// The command's request id.
        request_id: String,
        /// The request.
        draft: EntryDraft,
    },
    /// Send a `withdraw` to floor (its answer changes nothing here: the
    /// room's next state does).
    Withdraw {
        /// The command's request id.
        request_id: String,
        /// The entry to withdraw.
        entry: Uuid,
    },
    /// Post a message in a thread; for a status message, report its event
    /// id with [`Hands::posted`].
    Post {
        /// The Matrix transaction id.
        txn: String,
        /// The thread's root event.
        thread: String,
        /// The message.
        text: String,
        /// A user to mention (and so notify).
        mention: Option<String>,
        /// For a hand's status message: the hand's raising event.
        status_of: Option<String>,
    },
    /// Replace the text of a message the bridge posted.
    Edit {
        /// The Matrix transaction id.
        txn: String,
        /// The message to edit.
        target: String,
        /// Its new text.
        text: String,
    },
}

/// Why floor did not take a hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The person already holds this open entry.
    Duplicate(Uuid),
    /// Any other refusal, in words.
    Other(String),
}

/// Every hand the bridge knows, and each person's command budget.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Hands {
    hands: Vec<Hand>,
    #[serde(skip)]
    budgets: Buckets,
    #[serde(skip)]
    warned: HashMap<String, bool>,
    /// The language the bridge speaks in the room (a setting, not state).
    #[serde(skip)]
    lang: Lang,
}

impl Hands {
    /// No hands.
    pub fn new() -> Hands {
        Hands::default()
    }

    /// Says everything in `lang` from now on.
    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    /// The language the bridge speaks in the room.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The hands, in the order they were raised.
    pub fn all(&self) -> &[Hand] {
        &self.hands
    }

    fn find(&self, raised_by: &str) -> Option<usize> {
        self.hands.iter().position(|h| h.raised_by == raised_by)
    }

    /// The person's open hand, if any.
    fn open_hand_of(&self, user: &str, state: &RoomState) -> Option<usize> {
        self.hands.iter().position(|h| {
            h.user == user
                && !h.closed
                && h.refused.is_none()
                && match h.entry {
                    None => true,
                    Some(id) => Standing::of(state, id).is_none_or(|s| s.is_open()),
                }
        })
    }

    /// Spends one of `user`'s commands; `Err` with the action to take
    /// (a warning, once) when none is left.
    fn spend(
        &mut self,
        now_ms: u64,
        user: &str,
        event_id: &str,
        thread: &str,
    ) -> Result<(), Vec<Action>> {
        if self.budgets.take(user, now_ms) {
            self.warned.remove(user);
            return Ok(());
        }
        if self.warned.insert(user.to_owned(), true).is_some() {
            return Err(Vec::new());
        }
        Err(vec![Action::Post {
            txn: format!("slow-{event_id}"),
            thread: thread.to_owned(),
            text: notice::slow_down(self.lang),
            mention: Some(user.to_owned()),
            status_of: None,
        }])
    }

    /// A hand is raised.
    pub fn raise(&mut self, now_ms: u64, raise: Raise, state: &RoomState) -> Vec<Action> {
        if self.find(&raise.event_id).is_some() {
            return Vec::new();
        }
        if let Err(actions) = self.spend(now_ms, &raise.user, &raise.event_id, &raise.thread) {
            return actions;
        }
        if let Some(i) = self.open_hand_of(&raise.user, state) {
            return vec![self.already_up(i, &raise.event_id, &raise.thread, state)];
        }
        let draft = EntryDraft {
            channel: Channel::Online,
            kind: Kind::Question,
            person: Person {
                person_id: Some(raise.user.clone()),
                ..Person::named(raise.name.clone())
            },
            text: raise.question.clone(),
            location: None,
            language: None,
            delivery: Some(if raise.read_aloud && raise.question.is_some() {
                Delivery::ReadAloud
            } else {
                Delivery::RemoteAudio
            }),
            gender: None,
            source: Some(Source::Matrix),
        };
        let request_id = said::request_id("hand", &raise.event_id);
        self.hands.push(Hand {
            user: raise.user,
            name: raise.name,
            raised_by: raise.event_id.clone(),
            reaction: raise.reaction,
            thread: raise.thread,
            entry: None,
            status_event: None,
            shown: None,
            shown_at_ms: now_ms,
            edits: 0,
            calls: 0,
            speaking: false,
            closed: false,
            refused: None,
        });
        vec![Action::Submit {
            raised_by: raise.event_id,
            request_id,
            draft,
        }]
    }

    fn already_up(&self, i: usize, event_id: &str, thread: &str, state: &RoomState) -> Action {
        let hand = &self.hands[i];
        let standing = hand
            .entry
            .and_then(|id| Standing::of(state, id))
            .unwrap_or(Standing::Sending);
        Action::Post {
            txn: format!("dup-{event_id}"),
            thread: thread.to_owned(),
            text: notice::already_up(&standing, self.lang),
            mention: None,
            status_of: None,
        }
    }

    /// Floor answered a hand's `submit`.
    pub fn submitted(
        &mut self,
        now_ms: u64,
        raised_by: &str,
        answer: Result<Uuid, Refusal>,
        state: &RoomState,
    ) -> Vec<Action> {
        let Some(i) = self.find(raised_by) else {
            return Vec::new();
        };
        match answer {
            Ok(entry) => {
                self.hands[i].entry = Some(entry);
                self.update(now_ms, state)
            }
            Err(Refusal::Duplicate(existing)) => {
                let hand = self.hands.remove(i);
                let standing = Standing::of(state, existing).unwrap_or(Standing::Sending);
                vec![Action::Post {
                    txn: format!("dup-{}", hand.raised_by),
                    thread: hand.thread,
                    text: notice::already_up(&standing, self.lang),
                    mention: None,
                    status_of: None,
                }]
            }
            Err(Refusal::Other(why)) => {
                self.hands[i].refused = Some(why);
                self.update(now_ms, state)
            }
        }
    }

    /// `!lower`, or a hand's reaction removed (`reaction` is then the
    /// reaction's event id).
    pub fn lower(
        &mut self,
        now_ms: u64,
        user: &str,
        event_id: &str,
        thread: &str,
        state: &RoomState,
    ) -> Vec<Action> {
        if let Err(actions) = self.spend(now_ms, user, event_id, thread) {
            return actions;
        }
        match self.open_hand_of(user, state) {
            Some(i) => match self.hands[i].entry {
                Some(entry) => vec![Action::Withdraw {
                    request_id: said::request_id("lower", event_id),
                    entry,
                }],
                None => Vec::new(),
            },
            None => vec![Action::Post {
                txn: format!("low-{event_id}"),
                thread: thread.to_owned(),
                text: notice::nothing_to_lower(self.lang),
                mention: None,
                status_of: None,
            }],
        }
    }

    /// A reaction was removed (redacted): if it raised a hand still up,
    /// the hand is lowered.
    pub fn unreact(
        &mut self,
        redacted: &str,
        redaction_id: &str,
        state: &RoomState,
    ) -> Vec<Action> {
        let Some(i) = self.find(redacted) else {
            return Vec::new();
        };
        let hand = &self.hands[i];
        if !hand.reaction || hand.closed {
            return Vec::new();
        }
        match hand.entry {
            Some(entry) if Standing::of(state, entry).is_some_and(|s| s.is_open()) => {
                vec![Action::Withdraw {
                    request_id: said::request_id("lower", redaction_id),
                    entry,
                }]
            }
            _ => Vec::new(),
        }
    }

    /// A hand's status message was posted as `event_id`.
    pub fn posted(&mut self, raised_by: &str, event_id: &str) {
        if let Some(i) = self.find(raised_by) {
            self.hands[i].status_event = Some(event_id.to_owned());
        }
    }

    /// Compares every open hand's standing with what its thread shows,
    /// and says what to post or edit. Call it after each change of the
    /// room, and now and then (a change of place waits
    /// [`EDIT_INTERVAL_MS`] after the last edit).
    pub fn update(&mut self, now_ms: u64, state: &RoomState) -> Vec<Action> {
        let lang = self.lang;
        let mut actions = Vec::new();
        for hand in self.hands.iter_mut().filter(|h| !h.closed) {
            let standing = match (&hand.refused, hand.entry) {
                (Some(why), _) => Standing::Refused(why.clone()),
                (None, Some(id)) => match Standing::of(state, id) {
                    Some(standing) => standing,
                    None => continue,
                },
                (None, None) => continue,
            };
            let speaking = standing == Standing::Speaking;
            if speaking && !hand.speaking {
                actions.push(Action::Post {
                    txn: format!("call-{}-{}", hand.raised_by, hand.calls),
                    thread: hand.thread.clone(),
                    text: notice::called(&hand.name, lang),
                    mention: Some(hand.user.clone()),
                    status_of: None,
                });
                hand.calls += 1;
            }
            if standing == Standing::Done && hand.speaking {
                actions.push(Action::Post {
                    txn: format!("end-{}-{}", hand.raised_by, hand.calls),
                    thread: hand.thread.clone(),
                    text: Standing::Done.text(lang),
                    mention: None,
                    status_of: None,
                });
            }
            hand.speaking = speaking;
            let text = standing.text(lang);
            let Some(target) = hand.status_event.clone() else {
                actions.push(Action::Post {
                    txn: format!("st-{}", hand.raised_by),
                    thread: hand.thread.clone(),
                    text: text.clone(),
                    mention: Some(hand.user.clone()),
                    status_of: Some(hand.raised_by.clone()),
                });
                hand.shown = Some(text);
                hand.shown_at_ms = now_ms;
                hand.closed = standing.is_final();
                continue;
            };
            if hand.shown.as_deref() == Some(text.as_str()) {
                hand.closed = standing.is_final();
                continue;
            }
            let urgent = speaking || standing.is_final();
            if !urgent && now_ms < hand.shown_at_ms + EDIT_INTERVAL_MS {
                continue;
            }
            actions.push(Action::Edit {
                txn: format!("ed-{}-{}", hand.raised_by, hand.edits),
                target,
                text: text.clone(),
            });
            hand.edits += 1;
            hand.shown = Some(text);
            hand.shown_at_ms = now_ms;
            hand.closed = standing.is_final();
        }
        self.forget_old();
        actions
    }

    /// Forgets the oldest closed hands beyond [`CLOSED_KEPT`].
    fn forget_old(&mut self) {
        let closed = self.hands.iter().filter(|h| h.closed).count();
        let mut excess = closed.saturating_sub(CLOSED_KEPT);
        if excess > 0 {
            self.hands.retain(|h| {
                if h.closed && excess > 0 {
                    excess -= 1;
                    false
                } else {
                    true
                }
            });
        }
    }

    /// When the next delayed edit is due, if one waits.
    pub fn next_due_ms(&self, state: &RoomState) -> Option<u64> {
        self.hands
            .iter()
            .filter(|h| !h.closed && h.status_event.is_some())
            .filter(|h| {
                let standing = h.entry.and_then(|id| Standing::of(state, id));
                standing.is_some_and(|s| h.shown.as_deref() != Some(s.text(self.lang).as_str()))
            })
            .map(|h| h.shown_at_ms + EDIT_INTERVAL_MS)
            .min()
    }
}
