//! The key-value buckets of the shared store: the rooms' records (title,
//! epoch, token hashes) and the broker-wide values (the admin token's
//! hash).

use std::time::Duration;

use async_nats::jetstream::kv;
use bytes::Bytes;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::{Shared, SharedError, js_error};
use crate::auth::{RoleTokens, TokenHash};
use crate::commit::WriteError;

/// A room as the rooms bucket stores it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoomValue {
    /// The room's title.
    pub title: String,
    /// The epoch of its log.
    pub epoch: uuid::Uuid,
    /// When it was created, in ms since the Unix epoch.
    pub created_at_ms: u64,
    /// Token hashes by role name, hex.
    pub tokens: std::collections::BTreeMap<String, String>,
}

impl RoomValue {
    /// The token hashes, as the broker holds them.
    pub fn role_tokens(&self) -> RoleTokens {
        let hashes = self
            .tokens
            .iter()
            .filter_map(|(role, hash)| {
                let role = floor_protocol::Role::ALL
                    .into_iter()
                    .find(|r| r.as_str() == role)?;
                let hash = <TokenHash>::try_from(hex::decode(hash).ok()?).ok()?;
                Some((role, hash))
            })
            .collect();
        let participant = self.tokens.get(crate::join::PARTICIPANT_TOKEN).cloned();
        RoleTokens::new(hashes).with_participant(participant)
    }

    /// Records `tokens`' hashes (and the participant token itself).
    pub fn set_tokens(&mut self, tokens: &RoleTokens) {
        for (role, hash) in tokens.hashes() {
            self.tokens
                .insert(role.as_str().to_owned(), hex::encode(hash));
        }
        self.set_participant(tokens.participant());
    }

    /// Records the participant token itself, under the key
    /// [`crate::join::PARTICIPANT_TOKEN`] (none: a stale one is removed).
    pub fn set_participant(&mut self, participant: Option<&str>) {
        match participant {
            Some(token) => {
                self.tokens
                    .insert(crate::join::PARTICIPANT_TOKEN.to_owned(), token.to_owned());
            }
            None => {
                self.tokens.remove(crate::join::PARTICIPANT_TOKEN);
            }
        }
    }
}

impl Shared {
    /// A broker-wide value.
    pub async fn meta(&self, key: &str) -> Result<Option<String>, SharedError> {
        let value = self.meta.get(key).await.map_err(js_error)?;
        Ok(value.map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Sets a broker-wide value, whatever it was.
    pub async fn put_meta(&self, key: &str, value: &str) -> Result<(), SharedError> {
        self.meta
            .put(key, Bytes::from(value.to_owned()))
            .await
            .map_err(js_error)?;
        Ok(())
    }

    /// A broker-wide value and its revision.
    pub async fn meta_entry(&self, key: &str) -> Result<Option<(String, u64)>, SharedError> {
        let Some(entry) = self.meta.entry(key).await.map_err(js_error)? else {
            return Ok(None);
        };
        if entry.operation != kv::Operation::Put {
            return Ok(None);
        }
        Ok(Some((
            String::from_utf8_lossy(&entry.value).into_owned(),
            entry.revision,
        )))
    }

    /// Sets a broker-wide value only if it is still at `revision` (`None`:
    /// only if it is not set); returns its new revision, or `Refused` when
    /// another broker wrote it first.
    pub async fn put_meta_at(
        &self,
        key: &str,
        value: &str,
        revision: Option<u64>,
    ) -> Result<u64, WriteError> {
        let body = Bytes::from(value.to_owned());
        match revision {
            None => match self.meta.create(key, body).await {
                Ok(revision) => Ok(revision),
                Err(error) if error.kind() == kv::CreateErrorKind::AlreadyExists => {
                    Err(WriteError::Refused(format!("{key} was written meanwhile")))
                }
                Err(error) => Err(WriteError::Failed(error.to_string())),
            },
            Some(revision) => match self.meta.update(key, body, revision).await {
                Ok(revision) => Ok(revision),
                Err(error) if error.kind() == kv::UpdateErrorKind::WrongLastRevision => {
                    Err(WriteError::Refused(format!("{key} was written meanwhile")))
                }
                Err(error) => Err(WriteError::Failed(error.to_string())),
            },
        }
    }

    /// Each write of the broker-wide value `key` from now on (its new
    /// revision).
    pub async fn watch_meta(
        &self,
        key: &str,
    ) -> Result<impl futures_util::Stream<Item = u64> + use<>, SharedError> {
        let watch = self.meta.watch(key).await.map_err(js_error)?;
        Ok(watch.filter_map(|entry| async move { entry.ok().map(|e| e.revision) }))
    }

    /// Sets a broker-wide value unless it is set; returns the value kept.
    pub async fn meta_or_set(&self, key: &str, value: &str) -> Result<String, SharedError> {
        match self.meta.create(key, Bytes::from(value.to_owned())).await {
            Ok(_) => Ok(value.to_owned()),
            Err(error) if error.kind() == kv::CreateErrorKind::AlreadyExists => {
                // Another broker set it: read it back (a replica may not
                // hold it yet for a moment).
                for _ in 0..50 {
                    if let Some(kept) = self.meta(key).await? {
                        return Ok(kept);
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(SharedError::JetStream(format!(
                    "{key} exists but cannot be read"
                )))
            }
            Err(error) => Err(js_error(error)),
        }
    }

    /// A room's record.
    pub async fn room(&self, id: &str) -> Result<Option<(RoomValue, u64)>, SharedError> {
        let Some(entry) = self.rooms.entry(id).await.map_err(js_error)? else {
            return Ok(None);
        };
        if entry.operation != kv::Operation::Put {
            return Ok(None);
        }
        let value = serde_json::from_slice(&entry.value).map_err(|e| SharedError::Decode {
            key: format!("room {id}"),
            message: e.to_string(),
        })?;
        Ok(Some((value, entry.revision)))
    }

    /// Every room's id and title.
    pub async fn room_list(&self) -> Result<Vec<(String, String)>, SharedError> {
        let mut keys = match self.rooms.keys().await {
            Ok(keys) => keys,
            Err(error) => return Err(js_error(error)),
        };
        let mut ids = Vec::new();
        while let Some(key) = keys.next().await {
            ids.push(key.map_err(js_error)?);
        }
        let mut rooms = Vec::new();
        for id in ids {
            if let Some((value, _)) = self.room(&id).await? {
                rooms.push((id, value.title));
            }
        }
        Ok(rooms)
    }

    /// Creates a room; refused when one with this id exists.
    pub async fn create_room(&self, id: &str, value: &RoomValue) -> Result<(), WriteError> {
        let body = serde_json::to_vec(value).map_err(|e| WriteError::Failed(e.to_string()))?;
        match self.rooms.create(id, Bytes::from(body)).await {
            Ok(_) => Ok(()),
            Err(error) if error.kind() == kv::CreateErrorKind::AlreadyExists => {
                Err(WriteError::Refused(format!("room {id} exists already")))
            }
            Err(error) => Err(WriteError::Failed(error.to_string())),
        }
    }

    /// Replaces a room's record if it is still at `revision`; returns the
    /// record's new revision.
    pub async fn update_room(
        &self,
        id: &str,
        value: &RoomValue,
        revision: u64,
    ) -> Result<u64, WriteError> {
        let body = serde_json::to_vec(value).map_err(|e| WriteError::Failed(e.to_string()))?;
        self.rooms
            .update(id, Bytes::from(body), revision)
            .await
            .map_err(|e| WriteError::Failed(e.to_string()))
    }

    /// Changes a room's title in its record (read, change, write if nobody
    /// wrote in between; again otherwise).
    pub async fn set_room_title(&self, id: &str, title: &str) -> Result<(), WriteError> {
        for _ in 0..8 {
            let Some((mut value, revision)) = self
                .room(id)
                .await
                .map_err(|e| WriteError::Failed(e.to_string()))?
            else {
                return Err(WriteError::Refused(format!("no room {id}")));
            };
            value.title = title.to_owned();
            if self.update_room(id, &value, revision).await.is_ok() {
                return Ok(());
            }
        }
        Err(WriteError::Failed("the room's record kept changing".into()))
    }

    /// Watches every room's record: each change, as (id, value, revision).
    pub async fn watch_rooms(
        &self,
    ) -> Result<impl futures_util::Stream<Item = (String, RoomValue, u64)> + use<>, SharedError>
    {
        let watch = self.rooms.watch_all().await.map_err(js_error)?;
        Ok(watch.filter_map(|entry| async move {
            let entry = entry.ok()?;
            if entry.operation != kv::Operation::Put {
                return None;
            }
            let value = serde_json::from_slice(&entry.value).ok()?;
            Some((entry.key, value, entry.revision))
        }))
    }
}
