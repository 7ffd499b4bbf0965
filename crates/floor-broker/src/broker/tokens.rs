//! The rooms' role tokens: rotation in either store, and, with the shared
//! store, following the rotations other brokers make.

use std::sync::Arc;

use floor_protocol::Role;
use floor_store::TokenHash as StoredToken;
use futures_util::stream::{BoxStream, StreamExt};
use tokio_util::sync::CancellationToken;

use super::{Broker, IssuedTokens, RoomError};
use crate::auth::{self, TokenHash};
use crate::commit::WriteError;
use crate::room::{RoomHandle, RoomLog};
use crate::shared::{RoomValue, Shared};

/// The rows of `room_tokens` for these hashes, and the row of the
/// participant token itself when there is one (see [`crate::join`]).
pub(super) fn stored(hashes: &[(Role, TokenHash)], participant: Option<&str>) -> Vec<StoredToken> {
    let mut rows: Vec<StoredToken> = hashes
        .iter()
        .map(|(role, hash)| StoredToken {
            role: role.as_str().to_owned(),
            hash: hash.to_vec(),
        })
        .collect();
    rows.extend(participant.map(|token| StoredToken {
        role: crate::join::PARTICIPANT_TOKEN.to_owned(),
        hash: token.as_bytes().to_vec(),
    }));
    rows
}

pub(super) fn role_named(name: &str) -> Option<Role> {
    Role::ALL.into_iter().find(|r| r.as_str() == name)
}

impl Broker {
    /// Replaces the tokens of the given roles; connections holding an old
    /// token are closed.
    pub async fn rotate_tokens(&self, id: &str, roles: &[Role]) -> Result<IssuedTokens, RoomError> {
        let issued = roles.iter().map(|&r| (r, auth::new_token())).collect();
        self.set_tokens(id, issued).await
    }

    /// Replaces the tokens of the roles of `issued` with its tokens (fresh
    /// ones, or the demo room's derived ones); connections holding an old
    /// token are closed.
    pub async fn set_tokens(
        &self,
        id: &str,
        issued: Vec<(Role, String)>,
    ) -> Result<IssuedTokens, RoomError> {
        let handle = self
            .find_room(id)
            .await?
            .ok_or_else(|| RoomError::NotFound(id.to_owned()))?;
        let fresh: Vec<(Role, TokenHash)> = issued
            .iter()
            .map(|(role, token)| (*role, auth::hash_token(token)))
            .collect();
        let participant = issued
            .iter()
            .find(|(role, _)| *role == Role::Participant)
            .map(|(_, token)| token.as_str());
        match &self.log {
            RoomLog::Local(writer) => {
                // One transaction: every role rotated, or none.
                let rows = stored(&fresh, participant);
                writer.set_tokens(id.to_owned(), rows).await?;
                if let Ok(mut tokens) = handle.tokens.write() {
                    for (role, hash) in fresh {
                        tokens.set(role, hash);
                    }
                    if participant.is_some() {
                        let held = tokens.clone();
                        *tokens = held.with_participant(participant.map(str::to_owned));
                    }
                }
                handle.rotations.send_modify(|n| *n += 1);
            }
            // The record written, applied as one read from the store is
            // (and only if no later one was applied meanwhile).
            RoomLog::Shared(shared) => {
                let (value, revision) = rotate_shared(shared, id, &fresh, participant).await?;
                crate::join::index(&self.log, id, &value.role_tokens()).await;
                apply_record(&handle, id, &value, revision);
            }
        }
        tracing::info!(room = id, roles = issued.len(), "tokens rotated");
        if let Err(error) = self.conference_rotated(id, &issued).await {
            tracing::error!(room = id, %error, "the conference's record keeps the old tokens: the staff sheet prints links that no longer work until the room's tokens are rotated again");
        }
        Ok(IssuedTokens {
            room: handle.info(),
            tokens: issued,
        })
    }
}

/// Writes new token hashes into a room's record in the shared store (read,
/// change, write if nobody wrote in between; again otherwise); returns the
/// record written and its revision.
async fn rotate_shared(
    shared: &Shared,
    id: &str,
    fresh: &[(Role, TokenHash)],
    participant: Option<&str>,
) -> Result<(RoomValue, u64), RoomError> {
    for _ in 0..8 {
        let Some((mut value, revision)) = shared
            .room(id)
            .await
            .map_err(|e| WriteError::Failed(e.to_string()))?
        else {
            return Err(RoomError::NotFound(id.to_owned()));
        };
        for (role, hash) in fresh {
            value
                .tokens
                .insert(role.as_str().to_owned(), hex::encode(hash));
        }
        if participant.is_some() {
            value.set_participant(participant);
        }
        if let Ok(revision) = shared.update_room(id, &value, revision).await {
            return Ok((value, revision));
        }
    }
    Err(WriteError::Failed("the room's record kept changing".into()).into())
}

/// How often a broker of the shared store reads the stored tokens of every
/// room it serves, besides watching the rooms bucket. The watch is an
/// ordered consumer on one NATS node; if it is lost with that node, or
/// ends, a rotation made on another broker still closes the old token's
/// connections here within this time.
const TOKEN_RECHECK: std::time::Duration = std::time::Duration::from_secs(10);

/// Applies token rotations made by any broker of the shared store to the
/// rooms this one serves: connections holding an old token close. Changes
/// come from a watch of the rooms bucket (opened again when it ends or
/// cannot be opened) and from a read of every served room's record every
/// [`TOKEN_RECHECK`]. Ends when the broker stops.
pub(super) async fn follow_tokens(
    broker: std::sync::Weak<Broker>,
    shared: Arc<Shared>,
    first: BoxStream<'static, (String, RoomValue, u64)>,
    shutdown: CancellationToken,
) {
    let mut recheck = tokio::time::interval(TOKEN_RECHECK);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    recheck.tick().await;
    let mut watch = Some(first);
    loop {
        if watch.is_none() {
            match shared.watch_rooms().await {
                Ok(changes) => watch = Some(changes.boxed()),
                Err(error) => tracing::warn!(%error, "cannot watch the rooms' tokens"),
            }
        }
        // Some(Some): a change; Some(None): the watch ended; None: time to
        // read every served room's record.
        let next = match watch.as_mut() {
            Some(changes) => tokio::select! {
                change = changes.next() => Some(change),
                _ = recheck.tick() => None,
                () = shutdown.cancelled() => return,
            },
            None => tokio::select! {
                _ = recheck.tick() => None,
                () = shutdown.cancelled() => return,
            },
        };
        let change = match next {
            Some(Some(change)) => Some(change),
            Some(None) => {
                tracing::warn!("the watch of the rooms' tokens ended; opening it again");
                watch = None;
                tokio::select! {
                    _ = recheck.tick() => {}
                    () = shutdown.cancelled() => return,
                }
                None
            }
            None => None,
        };
        let Some(broker) = broker.upgrade() else {
            return;
        };
        match change {
            Some((id, value, revision)) => {
                if let Some(handle) = broker.room(&id) {
                    apply_record(&handle, &id, &value, revision);
                }
            }
            None => recheck_tokens(&broker, &shared).await,
        }
    }
}

/// Reads the stored record of every room this broker serves and applies
/// its tokens (see [`follow_tokens`]).
async fn recheck_tokens(broker: &Broker, shared: &Shared) {
    let served: Vec<(String, Arc<RoomHandle>)> = broker
        .rooms
        .iter()
        .map(|room| (room.key().clone(), room.value().clone()))
        .collect();
    for (id, handle) in served {
        match shared.room(&id).await {
            Ok(Some((value, revision))) => {
                apply_record(&handle, &id, &value, revision);
            }
            Ok(None) => {}
            Err(error) => {
                tracing::debug!(room = %id, %error, "cannot read the room's tokens");
                return;
            }
        }
    }
}

/// Replaces a served room's tokens by those of its stored record at
/// `revision`, unless the room holds tokens of that revision or a later
/// one (a record read late from a replica never brings back old tokens).
/// When the hashes change, connections holding an old token close. The
/// record's title (a conference import changes it) is taken with them.
pub(super) fn apply_record(handle: &RoomHandle, id: &str, value: &RoomValue, revision: u64) {
    use std::sync::atomic::Ordering;
    let tokens = value.role_tokens();
    let changed = match handle.tokens.write() {
        Ok(mut held) if revision > handle.tokens_revision.load(Ordering::Acquire) => {
            handle.tokens_revision.store(revision, Ordering::Release);
            handle.set_title(&value.title);
            let changed = held.hashes() != tokens.hashes();
            *held = tokens;
            changed
        }
        _ => false,
    };
    if changed {
        handle.rotations.send_modify(|n| *n += 1);
        tracing::info!(room = %id, revision, "tokens rotated");
    }
}
