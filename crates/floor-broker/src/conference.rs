//! A conference: the sessions of an event's programme, one room each.
//!
//! The broker keeps one record of the conference, as JSON under the
//! `meta` key [`KEY`] of its store (the embedded store's `meta` table, or
//! the shared store's bucket of broker-wide values, written only at the
//! revision read, so two brokers importing at once never lose a write):
//! each session's programme fields, whether it left the programme, and its
//! room's tokens, kept so that the staff sheet can be printed again at any
//! time (`SECURITY.md`, "Tokens"); and the hash of the `ops` token.
//!
//! The import is in `import.rs`, the staff sheet in `sheet.rs`, the
//! venue dashboard's feed of room summaries in `live.rs` and its
//! subscription (`/conference/ws`) in `watch.rs`.

use std::collections::BTreeMap;

use floor_protocol::Role;
use floor_protocol::conference::ListedSession;
use serde::{Deserialize, Serialize};

use crate::auth;
use crate::broker::Broker;
use crate::commit::WriteError;

mod import;
pub mod live;
pub mod sheet;
pub(crate) mod watch;

pub use import::ImportError;

/// The `meta` key of the conference's record.
pub const KEY: &str = "conference";

/// The conference's record.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Conference {
    /// The sessions, by room id.
    #[serde(default)]
    pub sessions: BTreeMap<String, StoredSession>,
    /// The SHA-256 of the `ops` token, hex, once one is issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ops_token_sha256: Option<String>,
}

/// A session as the conference's record keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSession {
    /// The programme's id of the session.
    pub uid: String,
    /// Its title.
    pub title: String,
    /// When it starts, in ms since the Unix epoch.
    pub starts_at_ms: u64,
    /// When it ends, in ms since the Unix epoch.
    pub ends_at_ms: u64,
    /// Where it is held.
    pub location: String,
    /// Its type.
    pub kind: String,
    /// Its time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Whether it left the programme.
    #[serde(default)]
    pub archived: bool,
    /// Its room's tokens, by role name.
    pub tokens: BTreeMap<String, String>,
}

impl Conference {
    /// The sessions as `GET /api/conference` lists them, by start,
    /// location and id; archived ones only when `archived`.
    pub fn listed(&self, archived: bool) -> Vec<ListedSession> {
        let mut sessions: Vec<ListedSession> = self
            .sessions
            .iter()
            .filter(|(_, session)| archived || !session.archived)
            .map(|(id, session)| session.listed(id))
            .collect();
        sessions.sort_by(|a, b| {
            (a.starts_at_ms, &a.location, &a.id).cmp(&(b.starts_at_ms, &b.location, &b.id))
        });
        sessions
    }
}

impl StoredSession {
    /// The session as `GET /api/conference` lists it.
    pub fn listed(&self, id: &str) -> ListedSession {
        ListedSession {
            id: id.to_owned(),
            uid: self.uid.clone(),
            title: self.title.clone(),
            starts_at_ms: self.starts_at_ms,
            ends_at_ms: self.ends_at_ms,
            location: self.location.clone(),
            kind: self.kind.clone(),
            time_zone: self.time_zone.clone(),
            archived: self.archived,
        }
    }

    /// Its room's tokens, as the room was created with them.
    pub fn plain_tokens(&self) -> Vec<(Role, String)> {
        Role::ALL
            .into_iter()
            .filter_map(|role| Some((role, self.tokens.get(role.as_str())?.clone())))
            .collect()
    }
}

/// Why the conference's record could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The store could not be read or written.
    #[error(transparent)]
    Store(#[from] WriteError),
    /// The record is not JSON of its shape.
    #[error("the conference's record does not read: {0}")]
    Decode(#[from] serde_json::Error),
}

impl Broker {
    /// The conference's record and the revision it was read at (`None`:
    /// there is none yet).
    pub async fn conference(&self) -> Result<(Conference, Option<u64>), RecordError> {
        match self.log.meta_entry(KEY).await? {
            Some((text, revision)) => Ok((serde_json::from_str(&text)?, Some(revision))),
            None => Ok((Conference::default(), None)),
        }
    }

    /// Writes the conference's record if it is still at `revision`;
    /// `Refused` when another broker wrote it meanwhile.
    pub async fn put_conference(
        &self,
        conference: &Conference,
        revision: Option<u64>,
    ) -> Result<(), RecordError> {
        let text = serde_json::to_string(conference)?;
        self.log.put_meta_at(KEY, &text, revision).await?;
        Ok(())
    }

    /// Whether `token` is the conference's `ops` token (read-only: it sees
    /// every room of the conference and changes nothing).
    pub async fn is_ops(&self, token: &str) -> bool {
        let held = match self.live.ops_hash() {
            Some(held) => held,
            None => {
                // Held only if the record did not change while it was
                // read.
                let generation = self.live.generation();
                let Ok((conference, _)) = self.conference().await else {
                    return false;
                };
                let read = conference
                    .ops_token_sha256
                    .as_deref()
                    .and_then(|hex| hex::decode(hex).ok())
                    .and_then(|bytes| auth::TokenHash::try_from(bytes).ok());
                self.live.hold_ops_hash(read, generation);
                read
            }
        };
        held.is_some_and(|stored| auth::token_matches(token, &stored))
    }

    /// Issues a new `ops` token (the old one stops working); returns it,
    /// to show once.
    pub async fn issue_ops_token(&self) -> Result<String, RecordError> {
        let _importing = self.conference_lock.lock().await;
        for _ in 0..8 {
            let (mut conference, revision) = self.conference().await?;
            let token = auth::new_token();
            conference.ops_token_sha256 = Some(hex::encode(auth::hash_token(&token)));
            match self.put_conference(&conference, revision).await {
                Ok(()) => {
                    // Dashboards holding the old token close.
                    self.live.sessions_did_change();
                    return Ok(token);
                }
                Err(RecordError::Store(WriteError::Refused(_))) => continue,
                Err(error) => return Err(error),
            }
        }
        Err(WriteError::Failed("the conference's record kept changing".into()).into())
    }

    /// Records a room's new tokens in its session, when the room is one of
    /// the conference's (so that the sheet prints the links that work).
    pub(crate) async fn conference_rotated(
        &self,
        id: &str,
        issued: &[(Role, String)],
    ) -> Result<(), RecordError> {
        let _importing = self.conference_lock.lock().await;
        for _ in 0..8 {
            let (mut conference, revision) = self.conference().await?;
            let Some(session) = conference.sessions.get_mut(id) else {
                return Ok(());
            };
            for (role, token) in issued {
                session
                    .tokens
                    .insert(role.as_str().to_owned(), token.clone());
            }
            match self.put_conference(&conference, revision).await {
                Ok(()) => return Ok(()),
                Err(RecordError::Store(WriteError::Refused(_))) => continue,
                Err(error) => return Err(error),
            }
        }
        Err(WriteError::Failed("the conference's record kept changing".into()).into())
    }
}
