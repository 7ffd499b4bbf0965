//! Importing a programme: one room per session, created once; titles,
//! times and locations updated on every import; a session that left the
//! programme archived, never deleted.
//!
//! The import is checked whole before anything changes. Then the record
//! is written first, with the tokens of every new session's room, and the
//! rooms are created after it with those tokens: an import stopped
//! halfway (a crash, a store that failed) is finished by the next one,
//! which creates the rooms still missing, and no room ever exists whose
//! tokens the record does not hold.

use std::collections::{BTreeMap, HashSet};

use floor_protocol::Command;
use floor_protocol::conference::{
    ChangedSession, ConferenceSession, ImportOutcome, LABEL_MAX, SESSIONS_MAX,
};

use super::{Conference, RecordError, StoredSession};
use crate::auth::RoleTokens;
use crate::broker::{Broker, RoomError, valid_room_id};
use crate::commit::WriteError;

/// Why an import changed nothing, or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A session breaks a rule (checked before anything changes).
    #[error("session {session}: {problem}")]
    Invalid {
        /// The session's room id (or its position, when the id is the
        /// problem).
        session: String,
        /// What is wrong.
        problem: String,
    },
    /// A new session's room id is taken by a room outside the conference.
    #[error(
        "session {0}: a room with this id exists and is not one of the conference's; rename the session's uid or choose another broker"
    )]
    RoomExists(String),
    /// The record could not be read or written.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// A room could not be created or changed (the record holds the
    /// import: importing again finishes it).
    #[error(
        "the programme was recorded, but room {room} could not be made ready ({source}); import again to finish"
    )]
    Room {
        /// The room.
        room: String,
        /// Why.
        source: RoomError,
    },
}

fn invalid(session: &str, problem: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        session: session.to_owned(),
        problem: problem.into(),
    }
}

fn label(session: &str, field: &str, text: &str, empty_ok: bool) -> Result<(), ImportError> {
    let count = text.chars().count();
    if (!empty_ok && text.trim().is_empty()) || count > LABEL_MAX {
        return Err(invalid(
            session,
            format!("{field} must be 1 to {LABEL_MAX} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(invalid(
            session,
            format!("{field} holds a control character"),
        ));
    }
    Ok(())
}

/// Checks every session's fields, and that ids and uids are unique.
fn check(sessions: &[ConferenceSession]) -> Result<(), ImportError> {
    if sessions.is_empty() {
        return Err(invalid("-", "the programme holds no session"));
    }
    if sessions.len() > SESSIONS_MAX {
        return Err(invalid(
            "-",
            format!("a conference holds at most {SESSIONS_MAX} sessions"),
        ));
    }
    let mut ids = HashSet::new();
    let mut uids = HashSet::new();
    for (index, session) in sessions.iter().enumerate() {
        if !valid_room_id(&session.id) {
            return Err(invalid(
                &format!("#{}", index + 1),
                "its id is not a room id (1 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit)",
            ));
        }
        let id = session.id.as_str();
        if !ids.insert(id) {
            return Err(invalid(id, "two sessions have this id"));
        }
        if !uids.insert(session.uid.as_str()) {
            return Err(invalid(id, "two sessions have its uid"));
        }
        label(id, "uid", &session.uid, false)?;
        label(id, "title", &session.title, false)?;
        label(id, "location", &session.location, false)?;
        label(id, "kind", &session.kind, true)?;
        if session.ends_at_ms <= session.starts_at_ms {
            return Err(invalid(id, "it ends before it starts"));
        }
        if let Some(zone) = &session.time_zone {
            label(id, "time_zone", zone, false)?;
        }
        if let Some(programme) = &session.programme {
            floor_core::validate::programme(programme)
                .map_err(|error| invalid(id, format!("its run of show: {error}")))?;
        }
    }
    Ok(())
}

/// A session's fields that differ from its record's.
fn changed_fields(old: &StoredSession, new: &ConferenceSession) -> Vec<String> {
    let mut fields = Vec::new();
    let mut differs = |field: &str, differ: bool| {
        if differ {
            fields.push(field.to_owned());
        }
    };
    differs("uid", old.uid != new.uid);
    differs("title", old.title != new.title.trim());
    differs("starts_at_ms", old.starts_at_ms != new.starts_at_ms);
    differs("ends_at_ms", old.ends_at_ms != new.ends_at_ms);
    differs("location", old.location != new.location.trim());
    differs("kind", old.kind != new.kind.trim());
    differs("time_zone", old.time_zone != new.time_zone);
    fields
}

fn stored(session: &ConferenceSession, tokens: BTreeMap<String, String>) -> StoredSession {
    StoredSession {
        uid: session.uid.clone(),
        title: session.title.trim().to_owned(),
        starts_at_ms: session.starts_at_ms,
        ends_at_ms: session.ends_at_ms,
        location: session.location.trim().to_owned(),
        kind: session.kind.trim().to_owned(),
        time_zone: session.time_zone.clone(),
        archived: false,
        tokens,
    }
}

/// The new record and what it changes, from the one read and the
/// programme.
fn merge(
    mut conference: Conference,
    sessions: &[ConferenceSession],
) -> (Conference, ImportOutcome) {
    let mut outcome = ImportOutcome::default();
    let present: HashSet<&str> = sessions.iter().map(|s| s.id.as_str()).collect();
    for session in sessions {
        match conference.sessions.get_mut(&session.id) {
            Some(old) => {
                let fields = changed_fields(old, session);
                let restored = old.archived;
                let tokens = std::mem::take(&mut old.tokens);
                *old = stored(session, tokens);
                if restored {
                    outcome.restored.push(session.id.clone());
                }
                if !fields.is_empty() {
                    outcome.changed.push(ChangedSession {
                        id: session.id.clone(),
                        fields,
                    });
                } else if !restored {
                    outcome.unchanged += 1;
                }
            }
            None => {
                let (plain, _) = RoleTokens::generate();
                let tokens = plain
                    .into_iter()
                    .map(|(role, token)| (role.as_str().to_owned(), token))
                    .collect();
                conference
                    .sessions
                    .insert(session.id.clone(), stored(session, tokens));
                outcome.created.push(session.id.clone());
            }
        }
    }
    for (id, session) in &mut conference.sessions {
        if !present.contains(id.as_str()) && !session.archived {
            session.archived = true;
            outcome.archived.push(id.clone());
        }
    }
    (conference, outcome)
}

impl Broker {
    /// Imports a programme (see the module's documentation); returns what
    /// changed.
    pub async fn import_conference(
        &self,
        sessions: &[ConferenceSession],
    ) -> Result<ImportOutcome, ImportError> {
        check(sessions)?;
        let _importing = self.conference_lock.lock().await;
        let (conference, outcome) = loop {
            let (read, revision) = self.conference().await?;
            for session in sessions {
                if !read.sessions.contains_key(&session.id) {
                    let title = self.stored_title(&session.id).await.map_err(|source| {
                        ImportError::Room {
                            room: session.id.clone(),
                            source,
                        }
                    })?;
                    if title.is_some() {
                        return Err(ImportError::RoomExists(session.id.clone()));
                    }
                }
            }
            let (conference, outcome) = merge(read, sessions);
            match self.put_conference(&conference, revision).await {
                Ok(()) => break (conference, outcome),
                // Another broker wrote the record meanwhile: merge again
                // into what it wrote.
                Err(RecordError::Store(WriteError::Refused(_))) => continue,
                Err(error) => return Err(error.into()),
            }
        };
        let programmes: BTreeMap<&str, &ConferenceSession> =
            sessions.iter().map(|s| (s.id.as_str(), s)).collect();
        for (id, session) in &conference.sessions {
            let failed = |source| ImportError::Room {
                room: id.clone(),
                source,
            };
            match self.stored_title(id).await.map_err(failed)? {
                None => {
                    let tokens = RoleTokens::from_plain(session.plain_tokens());
                    match self.create_room_with(id, &session.title, tokens).await {
                        Ok(_) | Err(RoomError::Exists(_)) => {}
                        Err(error) => return Err(failed(error)),
                    }
                    let programme = programmes
                        .get(id.as_str())
                        .and_then(|s| s.programme.clone());
                    if let Some(programme) = programme {
                        let command = Command::SetProgramme { programme };
                        self.run_as_chair(id, "conference-programme", command)
                            .await
                            .map_err(failed)?;
                    }
                }
                Some(title) if title != session.title => {
                    self.log
                        .set_title(id, &session.title)
                        .await
                        .map_err(|e| failed(e.into()))?;
                    if let Some(room) = self.room(id) {
                        room.set_title(&session.title);
                    }
                }
                Some(_) => {}
            }
        }
        self.live.sessions_did_change();
        tracing::info!(
            created = outcome.created.len(),
            changed = outcome.changed.len(),
            archived = outcome.archived.len(),
            restored = outcome.restored.len(),
            "conference imported"
        );
        Ok(outcome)
    }
}

impl Broker {
    /// A room's title as the store holds it (`None`: no such room),
    /// without loading a room of the shared store.
    async fn stored_title(&self, id: &str) -> Result<Option<String>, RoomError> {
        match self.log.shared() {
            Some(shared) => match shared.room(id).await {
                Ok(record) => Ok(record.map(|(value, _)| value.title)),
                Err(error) => Err(RoomError::Write(WriteError::Failed(error.to_string()))),
            },
            None => Ok(self.room(id).map(|room| room.title())),
        }
    }
}
