//! [`RemoteChannel`]: the online moderator's client. It relays remote
//! participants' questions and comments, imports them from a chat
//! transcript, and curates the online channel: approve, reject, merge,
//! edit.

use floor_protocol::{
    Channel, Command, Delivery, EntryDraft, EntryPatch, Kind, Person, Region, StakeholderGroup,
};
use serde::Serialize;
use uuid::Uuid;

use crate::chat::{self, ChatQuestion, Unreadable};
use crate::client::{Ack, Client};
use crate::error::RequestError;

/// A remote participant's question or comment.
///
/// ```
/// use floor_client::OnlineEntry;
///
/// let entry = OnlineEntry::new("Bo Chen").text("What about rural access?").read_aloud();
/// assert_eq!(entry.draft().delivery, Some(floor_protocol::Delivery::ReadAloud));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineEntry {
    person: Person,
    text: Option<String>,
    kind: Kind,
    delivery: Delivery,
    language: Option<String>,
}

impl OnlineEntry {
    /// An entry for `name`, who will speak over the call's audio.
    pub fn new(name: impl Into<String>) -> OnlineEntry {
        OnlineEntry {
            person: Person::named(name),
            text: None,
            kind: Kind::Question,
            delivery: Delivery::RemoteAudio,
            language: None,
        }
    }

    /// The question or comment.
    pub fn text(mut self, text: impl Into<String>) -> OnlineEntry {
        self.text = Some(text.into());
        self
    }

    /// A comment rather than a question.
    pub fn comment(mut self) -> OnlineEntry {
        self.kind = Kind::Comment;
        self
    }

    /// The moderator will read it aloud (the participant has no audio).
    pub fn read_aloud(mut self) -> OnlineEntry {
        self.delivery = Delivery::ReadAloud;
        self
    }

    /// The person's organisation.
    pub fn affiliation(mut self, affiliation: impl Into<String>) -> OnlineEntry {
        self.person.affiliation = Some(affiliation.into());
        self
    }

    /// The person's stakeholder group.
    pub fn stakeholder_group(mut self, group: StakeholderGroup) -> OnlineEntry {
        self.person.stakeholder_group = Some(group);
        self
    }

    /// The person's UN regional group.
    pub fn region(mut self, region: Region) -> OnlineEntry {
        self.person.region = Some(region);
        self
    }

    /// The BCP 47 tag of the language they will speak.
    pub fn language(mut self, tag: impl Into<String>) -> OnlineEntry {
        self.language = Some(tag.into());
        self
    }

    /// The `submit` draft.
    pub fn draft(&self) -> EntryDraft {
        EntryDraft {
            channel: Channel::Online,
            kind: self.kind,
            person: self.person.clone(),
            text: self.text.clone(),
            location: None,
            language: self.language.clone(),
            delivery: Some(self.delivery),
            gender: None,
            source: None,
        }
    }
}

/// A question of a transcript that became an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    /// The line number.
    pub line: usize,
    /// The name.
    pub name: String,
    /// The new entry.
    pub entry_id: Uuid,
}

/// A question of a transcript the broker refused (for example the person
/// already has an open entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotImported {
    /// The line number.
    pub line: usize,
    /// The name.
    pub name: String,
    /// The error code, e.g. `duplicate_person`.
    pub code: String,
    /// Why.
    pub message: String,
    /// The entry the refusal is about, e.g. the person's open entry.
    pub entry_id: Option<Uuid>,
}

/// Where an import stopped because the broker could not be reached or did
/// not answer in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stopped {
    /// The line whose question got no answer: it may or may not have been
    /// added. Lines after it were not tried.
    pub line: usize,
    /// Why.
    pub reason: String,
    /// The error.
    #[serde(skip)]
    pub error: RequestError,
}

/// What an import did, line by line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Questions that became entries.
    pub imported: Vec<Imported>,
    /// Questions the broker refused.
    pub refused: Vec<NotImported>,
    /// Lines that could not be read.
    pub unreadable: Vec<Unreadable>,
    /// Where the import stopped early, if it did.
    pub stopped: Option<Stopped>,
}

impl ImportReport {
    /// Whether every non-blank line became an entry.
    pub fn is_complete(&self) -> bool {
        self.refused.is_empty() && self.unreadable.is_empty() && self.stopped.is_none()
    }
}

/// How an import submits each question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportOptions {
    /// Submit them as comments rather than questions.
    pub comments: bool,
    /// The moderator reads them aloud (the default for chat questions is
    /// that the participant speaks over the call's audio).
    pub read_aloud: bool,
}

/// The online moderator's client.
///
/// ```no_run
/// # async fn example(client: floor_client::Client) -> Result<(), floor_client::RequestError> {
/// use floor_client::{OnlineEntry, RemoteChannel};
///
/// let moderator = RemoteChannel::new(client);
/// let id = moderator.add(OnlineEntry::new("Bo Chen").text("What about rural access?")).await?;
/// let report = moderator
///     .import("Carla Ruiz: And the cost?\nnot a question\n", Default::default())
///     .await;
/// println!("{} imported, {} unreadable", report.imported.len(), report.unreadable.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RemoteChannel {
    client: Client,
}

impl RemoteChannel {
    /// Wraps a connection opened with the moderator's (or the chair's)
    /// token.
    pub fn new(client: Client) -> RemoteChannel {
        RemoteChannel { client }
    }

    /// The connection.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Adds an online entry; returns its id.
    pub async fn add(&self, entry: OnlineEntry) -> Result<Uuid, RequestError> {
        self.client.submit(entry.draft()).await
    }

    /// Submits every readable line of a chat transcript, in order, and
    /// reports line by line. A refused line is reported and the import goes
    /// on; if a line gets no answer (the broker is unreachable or slow), the
    /// import stops there and the report says where ([`ImportReport::stopped`]).
    pub async fn import(&self, transcript: &str, options: ImportOptions) -> ImportReport {
        let read = chat::parse(transcript);
        let mut report = ImportReport {
            unreadable: read.unreadable,
            ..ImportReport::default()
        };
        for ChatQuestion { line, name, text } in read.questions {
            let mut entry = OnlineEntry::new(name.clone()).text(text);
            if options.comments {
                entry = entry.comment();
            }
            if options.read_aloud {
                entry = entry.read_aloud();
            }
            match self.add(entry).await {
                Ok(entry_id) => report.imported.push(Imported {
                    line,
                    name,
                    entry_id,
                }),
                Err(RequestError::Refused(refusal)) => report.refused.push(NotImported {
                    line,
                    name,
                    code: refusal.code.to_string(),
                    message: refusal.message,
                    entry_id: refusal.entry_id,
                }),
                Err(error) => {
                    report.stopped = Some(Stopped {
                        line,
                        reason: error.to_string(),
                        error,
                    });
                    break;
                }
            }
        }
        report
    }

    /// Online entries awaiting approval, oldest first.
    pub fn pending(&self) -> Vec<floor_protocol::Entry> {
        self.client.with_state(|state| {
            state
                .pending()
                .filter(|e| e.channel == Channel::Online)
                .cloned()
                .collect()
        })
    }

    /// Accepts a participant's own submission into the queue.
    pub async fn approve(&self, entry_id: Uuid) -> Result<Ack, RequestError> {
        self.client.command(Command::Approve { entry_id }).await
    }

    /// Refuses an entry, with a reason shown to the submitter.
    pub async fn reject(
        &self,
        entry_id: Uuid,
        reason: Option<String>,
    ) -> Result<Ack, RequestError> {
        self.client
            .command(Command::Reject { entry_id, reason })
            .await
    }

    /// Folds a duplicate question into the entry that stays.
    pub async fn merge(&self, duplicate: Uuid, into: Uuid) -> Result<Ack, RequestError> {
        self.client
            .command(Command::Merge {
                entry_id: duplicate,
                into,
            })
            .await
    }

    /// Replaces an entry's text.
    pub async fn edit_text(&self, entry_id: Uuid, text: String) -> Result<Ack, RequestError> {
        self.edit(
            entry_id,
            EntryPatch {
                text: Some(Some(text)),
                ..EntryPatch::default()
            },
        )
        .await
    }

    /// Corrects an entry.
    pub async fn edit(&self, entry_id: Uuid, patch: EntryPatch) -> Result<Ack, RequestError> {
        self.client.command(Command::Edit { entry_id, patch }).await
    }

    /// Takes back an online entry.
    pub async fn withdraw(&self, entry_id: Uuid) -> Result<Ack, RequestError> {
        self.client.command(Command::Withdraw { entry_id }).await
    }
}
