//! The requests of a session, one by one, with what became of each: the
//! report's `questions`, and their rows in the human forms.

use std::collections::HashMap;

use floor_protocol::{Channel, Entry, EntryStatus, Kind};
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::labels;
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
    /// The column titles of [`Question::cells`].
    pub const COLUMNS: [&'static str; 5] =
        ["Asked at", "Who", "Request", "Text", "What became of it"];

    /// What became of it, in words, with times read on `clock`.
    pub fn outcome_words(&self, clock: &Clock) -> String {
        let called = self
            .called_ms
            .map(|ms| format!(" at {}", clock.time(ms)))
            .unwrap_or_default();
        match self.outcome {
            Outcome::Spoke => format!("Given the floor{called}"),
            Outcome::Speaking => format!("Given the floor{called}, speaking at the end"),
            Outcome::Waiting => "Still waiting at the end".to_owned(),
            Outcome::Pending => "Still awaiting approval at the end".to_owned(),
            Outcome::Withdrawn => "Withdrawn".to_owned(),
            Outcome::Rejected => match &self.reject_reason {
                Some(reason) => format!("Rejected: {reason}"),
                None => "Rejected".to_owned(),
            },
            Outcome::Merged => match &self.merged_into {
                Some(into) => format!("Merged into {into}'s request"),
                None => "Merged into another request".to_owned(),
            },
        }
    }

    /// The request as one row of plain text, under [`Question::COLUMNS`].
    pub fn cells(&self, clock: &Clock) -> [String; 5] {
        [
            clock.time(self.at_ms),
            self.name.clone(),
            format!(
                "{}, {}",
                labels::kind(self.kind),
                labels::channel(self.channel).to_lowercase()
            ),
            self.text.clone().unwrap_or_else(|| "–".to_owned()),
            self.outcome_words(clock),
        ]
    }
}
