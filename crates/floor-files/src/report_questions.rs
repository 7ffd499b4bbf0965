//! The requests of a session, one by one, with what became of each: the
//! report's `questions`, and their rows in the human forms.

use std::collections::HashMap;

use floor_protocol::{Channel, Entry, EntryStatus, Kind};
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::labels;
use crate::report_lang::Texts;
use crate::report_time::Clock;
use floor_core::LiveView;

/// What became of a request by the end of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Given the floor, and the turn ended.
    Spoke,
    /// Had the floor when the log ends.
    Speaking,
    /// Still in the queue at the end.
    Waiting,
    /// Still awaiting a curator's approval at the end.
    Pending,
    /// Taken back by its submitter or a curator.
    Withdrawn,
    /// Refused by a curator.
    Rejected,
    /// Folded into another request.
    Merged,
}

impl Outcome {
    fn of(status: EntryStatus) -> Outcome {
        match status {
            EntryStatus::Done => Outcome::Spoke,
            EntryStatus::Speaking => Outcome::Speaking,
            EntryStatus::Waiting => Outcome::Waiting,
            EntryStatus::Pending => Outcome::Pending,
            EntryStatus::Withdrawn => Outcome::Withdrawn,
            EntryStatus::Rejected => Outcome::Rejected,
            EntryStatus::Merged => Outcome::Merged,
        }
    }
}

/// One request to speak, as the log ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Question {
    /// The entry's id.
    pub id: Uuid,
    /// Broker time of its submission.
    pub at_ms: u64,
    /// Its channel.
    pub channel: Channel,
    /// Its kind.
    pub kind: Kind,
    /// Who asked, as the entry names them at the end (after any edit).
    pub name: String,
    /// The question's text, when one was given.
    pub text: Option<String>,
    /// What became of it.
    pub outcome: Outcome,
    /// Broker time of its call, when it was given the floor (a call
    /// undone does not count).
    pub called_ms: Option<u64>,
    /// The curator's reason, when it was rejected with one.
    pub reject_reason: Option<String>,
    /// The name on the request it was merged into, when merged.
    pub merged_into: Option<String>,
}

/// Every entry of `live`, in submission order, given when each was
/// submitted and called.
pub(crate) fn questions(
    live: &LiveView,
    submitted: &HashMap<Uuid, u64>,
    called: &HashMap<Uuid, u64>,
) -> Vec<Question> {
    let question = |e: &Entry| Question {
        id: e.id,
        at_ms: submitted.get(&e.id).copied().unwrap_or_default(),
        channel: e.channel,
        kind: e.kind,
        name: e.person.name.clone(),
        text: e.text.clone(),
        outcome: Outcome::of(e.status),
        called_ms: called.get(&e.id).copied(),
        reject_reason: e.reject_reason.clone(),
        merged_into: e
            .merged_into
            .and_then(|into| live.entry(into))
            .map(|into| into.person.name.clone()),
    };
    live.view().entries.iter().map(question).collect()
}

impl Question {
    /// The message ids of the column titles of [`Question::cells`].
    pub const COLUMNS: [&'static str; 5] = [
        "column-asked-at",
        "column-who",
        "column-request",
        "column-text",
        "column-outcome",
    ];

    /// What became of it, in `t`'s words, with times read on `clock`.
    pub fn outcome_words(&self, t: &Texts, clock: &Clock) -> String {
        let called = self.called_ms.map(|ms| clock.time(t, ms));
        let timed = |id: &str, untimed: &str| match &called {
            Some(time) => t.text(id, &[("time", time.as_str().into())]),
            None => t.word(untimed),
        };
        match self.outcome {
            Outcome::Spoke => timed("outcome-spoke", "outcome-spoke-untimed"),
            Outcome::Speaking => timed("outcome-speaking", "outcome-speaking-untimed"),
            Outcome::Waiting => t.word("outcome-waiting"),
            Outcome::Pending => t.word("outcome-pending"),
            Outcome::Withdrawn => t.word("outcome-withdrawn"),
            Outcome::Rejected => match &self.reject_reason {
                Some(reason) => t.text(
                    "outcome-rejected-reason",
                    &[("reason", t.user(reason).into())],
                ),
                None => t.word("outcome-rejected"),
            },
            Outcome::Merged => match &self.merged_into {
                Some(into) => t.text("outcome-merged-into", &[("name", t.user(into).into())]),
                None => t.word("outcome-merged"),
            },
        }
    }

    /// The request as one row in `t`'s form (user content isolated in
    /// HTML), under [`Question::COLUMNS`].
    pub fn cells(&self, t: &Texts, clock: &Clock) -> [String; 5] {
        [
            clock.time(t, self.at_ms),
            t.user(&self.name),
            t.text(
                "request-cell",
                &[
                    ("kind", t.word(labels::kind(self.kind)).into()),
                    ("channel", self.channel.as_str().into()),
                ],
            ),
            self.text
                .as_deref()
                .map_or_else(|| "–".to_owned(), |text| t.user(text)),
            self.outcome_words(t, clock),
        ]
    }
}
